//! The manifest provider functions of evntprov.h (EventRegister, EventUnregister,
//! EventWrite, EventWriteTransfer, EventWriteEx, EventWriteString, EventEnabled,
//! EventProviderEnabled) over [`ProviderRegistration`]s in the handle table.
//!
//! Unlike the Evt* functions these **return** their Win32 code (ULONG) and leave the last
//! error alone, as Windows' do. A REGHANDLE is the table's handle value; 0 is never one.
//!
//! Invariants:
//! 1. A write whose event reaches no channel succeeds (engine `producer` invariant 2); so
//!    does one the channel drops (a disabled or full log): EventWrite's codes are about the
//!    call, not about whether a consumer kept the event.
//! 2. EnableCallback, when given, is called once inside EventRegister with
//!    EVENT_CONTROL_CODE_ENABLE_PROVIDER when the event log already enables the provider
//!    (it is installed and one of its channels is enabled), as Windows calls it when a
//!    session has the provider enabled at registration; never otherwise.

use super::handles::{self, EVT_HANDLE};
use super::object::Object;
use crate::engine::{EventDescriptor, ProviderRegistration};
use crate::error::codes::{ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_SUCCESS};
use crate::error::{ErrorKind, Result};
use crate::event::Guid;

/// REGHANDLE (windows-sys: `u64` in EventRegister's out-parameter).
pub type REGHANDLE = u64;
/// EVENT_CONTROL_CODE_ENABLE_PROVIDER: EnableCallback's IsEnabled.
pub const EVENT_CONTROL_CODE_ENABLE_PROVIDER: u32 = 1;
/// EventWriteEx's flags: EVENT_WRITE_FLAG_NO_FAULTING and EVENT_WRITE_FLAG_INPRIVATE.
pub const EVENT_WRITE_FLAG_NO_FAULTING: u32 = 0x1;
pub const EVENT_WRITE_FLAG_INPRIVATE: u32 = 0x2;

/// EnableCallback's arguments (SourceId, IsEnabled, Level, MatchAnyKeyword,
/// MatchAllKeyword); the filter data is always NULL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnableCallbackArgs {
    pub source_id: Guid,
    pub is_enabled: u32,
    pub level: u8,
    pub match_any_keyword: u64,
    pub match_all_keyword: u64,
}

/// EventRegister: a registration for `provider_id` in `reg_handle` (87 if either is
/// missing); `enable_callback` per module invariant 2.
pub fn EventRegister(
    provider_id: Option<&Guid>,
    enable_callback: Option<&mut dyn FnMut(EnableCallbackArgs)>,
    reg_handle: Option<&mut REGHANDLE>,
) -> u32 {
    let (Some(guid), Some(out)) = (provider_id, reg_handle) else {
        return ERROR_INVALID_PARAMETER;
    };
    let registration = super::service::engine().register_provider(*guid);
    let enablement = registration.enablement();
    let handle = handles::insert(Object::Provider(registration), 0);
    *out = handle as REGHANDLE;
    if let (Some(callback), Some(e)) = (enable_callback, enablement) {
        callback(EnableCallbackArgs {
            source_id: *guid,
            is_enabled: EVENT_CONTROL_CODE_ENABLE_PROVIDER,
            level: e.level,
            match_any_keyword: e.match_any_keyword,
            match_all_keyword: 0,
        });
    }
    ERROR_SUCCESS
}

/// Runs `f` on the registration `handle` names; ERROR_INVALID_HANDLE for anything else.
fn with_registration(
    handle: REGHANDLE,
    f: impl FnOnce(&ProviderRegistration) -> Result<Option<u64>>,
) -> u32 {
    let Ok(handle) = EVT_HANDLE::try_from(handle) else {
        return ERROR_INVALID_HANDLE;
    };
    match handles::get(handle).as_deref() {
        Some(Object::Provider(registration)) => code_of(f(registration)),
        _ => ERROR_INVALID_HANDLE,
    }
}

/// A write's code (module invariant 1).
fn code_of(result: Result<Option<u64>>) -> u32 {
    match result {
        Ok(_) => ERROR_SUCCESS,
        Err(e) => match e.kind() {
            ErrorKind::InvalidHandle
            | ErrorKind::InvalidParameter
            | ErrorKind::ArithmeticOverflow => e.win32_code(),
            // The log dropped it (full, disabled, gone): not the caller's error.
            _ => ERROR_SUCCESS,
        },
    }
}

/// EventUnregister: ends the registration and frees its handle.
pub fn EventUnregister(reg_handle: REGHANDLE) -> u32 {
    let Ok(handle) = EVT_HANDLE::try_from(reg_handle) else {
        return ERROR_INVALID_HANDLE;
    };
    match handles::remove_if(handle, |o| matches!(o, Object::Provider(_))) {
        Ok(closed) => {
            closed.close();
            ERROR_SUCCESS
        }
        Err(_) => ERROR_INVALID_HANDLE,
    }
}

/// EventWrite: `data` are the EVENT_DATA_DESCRIPTORs' blocks (at most 128).
pub fn EventWrite(
    reg_handle: REGHANDLE,
    descriptor: Option<&EventDescriptor>,
    data: &[&[u8]],
) -> u32 {
    EventWriteTransfer(reg_handle, descriptor, None, None, data)
}

/// EventWriteTransfer: EventWrite with the activity ids of `<Correlation>`.
pub fn EventWriteTransfer(
    reg_handle: REGHANDLE,
    descriptor: Option<&EventDescriptor>,
    activity_id: Option<&Guid>,
    related_activity_id: Option<&Guid>,
    data: &[&[u8]],
) -> u32 {
    with_registration(reg_handle, |r| {
        let descriptor = descriptor.ok_or_else(missing_descriptor)?;
        r.write_transfer(
            descriptor,
            activity_id.copied(),
            related_activity_id.copied(),
            data,
        )
    })
}

/// EventWriteEx: EventWriteTransfer with a session filter (no ETW sessions here: every
/// value is accepted and filters nothing) and flags (only NO_FAULTING and INPRIVATE; 87
/// for others).
pub fn EventWriteEx(
    reg_handle: REGHANDLE,
    descriptor: Option<&EventDescriptor>,
    _filter: u64,
    flags: u32,
    activity_id: Option<&Guid>,
    related_activity_id: Option<&Guid>,
    data: &[&[u8]],
) -> u32 {
    if flags & !(EVENT_WRITE_FLAG_NO_FAULTING | EVENT_WRITE_FLAG_INPRIVATE) != 0 {
        return ERROR_INVALID_PARAMETER;
    }
    EventWriteTransfer(
        reg_handle,
        descriptor,
        activity_id,
        related_activity_id,
        data,
    )
}

/// EventWriteString: ETW-only, nothing is logged (engine `producer` invariant 5); 87 for a
/// missing string.
pub fn EventWriteString(reg_handle: REGHANDLE, level: u8, keyword: u64, text: Option<&str>) -> u32 {
    with_registration(reg_handle, |r| {
        let text = text.ok_or_else(|| {
            crate::error::Error::with_message(ErrorKind::InvalidParameter, "String is NULL")
        })?;
        r.write_string(level, keyword, text)
    })
}

/// EventEnabled: whether `descriptor` would reach an enabled channel (false for a bad
/// handle or a missing descriptor).
pub fn EventEnabled(reg_handle: REGHANDLE, descriptor: Option<&EventDescriptor>) -> bool {
    descriptor.is_some_and(|d| registered(reg_handle, |r| r.is_enabled(d)))
}

/// EventProviderEnabled: whether the event log enables the provider for `keyword`.
pub fn EventProviderEnabled(reg_handle: REGHANDLE, level: u8, keyword: u64) -> bool {
    registered(reg_handle, |r| r.is_provider_enabled(level, keyword))
}

/// `test` of the registration `reg_handle` names; false for any other handle.
fn registered(reg_handle: REGHANDLE, test: impl FnOnce(&ProviderRegistration) -> bool) -> bool {
    let Ok(handle) = EVT_HANDLE::try_from(reg_handle) else {
        return false;
    };
    matches!(handles::get(handle).as_deref(), Some(Object::Provider(r)) if test(r))
}

fn missing_descriptor() -> crate::error::Error {
    crate::error::Error::with_message(ErrorKind::InvalidParameter, "EventDescriptor is NULL")
}

/// EventActivityIdControl: the calling thread's activity id (engine
/// `activity_id_control`); 87 for a missing id or an unknown code.
pub fn EventActivityIdControl(control_code: u32, activity_id: Option<&mut Guid>) -> u32 {
    match activity_id {
        Some(id) => match crate::engine::activity_id_control(control_code, id) {
            Ok(()) => ERROR_SUCCESS,
            Err(e) => e.win32_code(),
        },
        None => ERROR_INVALID_PARAMETER,
    }
}
