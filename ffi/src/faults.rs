//! The fault plan's engine controls (`evtlog_inject_fault`, `evtlog_clear_faults`, …),
//! marshalled to `evtlog::winevt::controls`; `EVTLOG_FAULTS` itself is read by the service
//! when the library first starts an engine.

use crate::abi::{guard, wide_in};
use crate::types::*;
use evtlog::winevt::{self as w, FALSE};

/// ERROR_INVALID_PARAMETER.
const INVALID_PARAMETER: u32 = 87;

/// `f` on the string `s` (NULL, or not NUL-terminated within the limit: FALSE with 87).
///
/// # Safety
/// `s` is NULL or NUL-terminated UTF-16.
unsafe fn with_string(s: PCWSTR, f: impl FnOnce(&str) -> BOOL) -> BOOL {
    // SAFETY: `s` is NULL or NUL-terminated UTF-16 (this function's contract).
    guard(FALSE, || match unsafe { wide_in(s) } {
        Ok(Some(s)) => f(&s),
        _ => {
            w::SetLastError(INVALID_PARAMETER);
            FALSE
        }
    })
}

/// Engine control: after `after_calls` calls of `function` that pass, the next `count` fail
/// with `error` (`count` 0: every later call).
///
/// # Safety
/// `function` is NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn evtlog_inject_fault(
    function: PCWSTR,
    after_calls: u32,
    count: u32,
    error: u32,
) -> BOOL {
    // SAFETY: as this export's contract says.
    unsafe {
        with_string(function, |f| {
            w::controls::inject_fault(f, after_calls, count, error)
        })
    }
}

/// Engine control: after `after_calls` calls of `function`, the next `count` (0: every later
/// call) first take `milliseconds` (virtual time on a virtual clock).
///
/// # Safety
/// `function` is NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn evtlog_inject_delay(
    function: PCWSTR,
    after_calls: u32,
    count: u32,
    milliseconds: u32,
) -> BOOL {
    // SAFETY: as this export's contract says.
    unsafe {
        with_string(function, |f| {
            w::controls::inject_delay(f, after_calls, count, milliseconds)
        })
    }
}

/// Engine control: arms a plan written as `EVTLOG_FAULTS` is (all of it, or nothing and 87).
///
/// # Safety
/// `plan` is NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn evtlog_inject_plan(plan: PCWSTR) -> BOOL {
    // SAFETY: as this export's contract says.
    unsafe { with_string(plan, w::controls::inject_plan) }
}

/// Engine control: removes every fault.
///
/// # Safety
/// None: unsafe as the other exports are.
#[no_mangle]
pub unsafe extern "system" fn evtlog_clear_faults() -> BOOL {
    guard(FALSE, w::controls::clear_faults)
}

/// Engine control: the publisher is removed (EvtOpenPublisherMetadata: 15002).
///
/// # Safety
/// `publisher` is NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn evtlog_remove_publisher(publisher: PCWSTR) -> BOOL {
    // SAFETY: as this export's contract says.
    unsafe { with_string(publisher, w::controls::remove_publisher) }
}

/// Engine control: EvtFormatMessage with the publisher's metadata fails with `error`.
///
/// # Safety
/// `publisher` is NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn evtlog_fail_messages(publisher: PCWSTR, error: u32) -> BOOL {
    // SAFETY: as this export's contract says.
    unsafe { with_string(publisher, |p| w::controls::fail_messages(p, error)) }
}

/// Engine control: the caller may no longer read the channel (5).
///
/// # Safety
/// `channel` is NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn evtlog_deny_channel_access(channel: PCWSTR) -> BOOL {
    // SAFETY: as this export's contract says.
    unsafe { with_string(channel, w::controls::deny_channel_access) }
}

/// Engine control: the channel is full (appends fail with 1502).
///
/// # Safety
/// `channel` is NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn evtlog_fill_channel(channel: PCWSTR) -> BOOL {
    // SAFETY: as this export's contract says.
    unsafe { with_string(channel, w::controls::fill_channel) }
}
