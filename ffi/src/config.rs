//! Channel configuration's C functions: EvtOpenChannelConfig, EvtGetChannelConfigProperty,
//! EvtSetChannelConfigProperty and EvtSaveChannelConfig, marshalled to `evtlog::winevt`.
//! The one thing read here beyond the `abi` helpers is the caller's EVT_VARIANT for Set
//! (`read_variant`, an `unsafe fn` as they are).

use crate::abi::{bytes_out, guard, out, wide_in};
use crate::types::*;
use evtlog::winevt::{self as w, FALSE};
use evtlog::Value;

/// ERROR_INVALID_PARAMETER.
const INVALID_PARAMETER: u32 = 87;

fn fail<T>(code: u32, value: T) -> T {
    w::SetLastError(code);
    value
}

/// EvtOpenChannelConfig: a handle on a copy of the channel's configuration.
///
/// # Safety
/// `ChannelPath` is NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn EvtOpenChannelConfig(
    Session: EVT_HANDLE,
    ChannelPath: PCWSTR,
    Flags: u32,
) -> EVT_HANDLE {
    // SAFETY: `ChannelPath` is NULL or NUL-terminated UTF-16 (this export's contract).
    guard(0, || match unsafe { wide_in(ChannelPath) } {
        Ok(path) => w::EvtOpenChannelConfig(Session, path.as_deref(), Flags),
        Err(()) => fail(INVALID_PARAMETER, 0),
    })
}

/// EvtGetChannelConfigProperty: one property as an EVT_VARIANT in the caller's buffer
/// (bytes; ERROR_INSUFFICIENT_BUFFER with the size needed).
///
/// # Safety
/// `PropertyValueBuffer` is NULL or valid for `PropertyValueBufferSize` bytes;
/// `PropertyValueBufferUsed` is valid.
#[no_mangle]
pub unsafe extern "system" fn EvtGetChannelConfigProperty(
    ChannelConfig: EVT_HANDLE,
    PropertyId: EVT_CHANNEL_CONFIG_PROPERTY_ID,
    Flags: u32,
    PropertyValueBufferSize: u32,
    PropertyValueBuffer: *mut EVT_VARIANT,
    PropertyValueBufferUsed: *mut u32,
) -> BOOL {
    guard(FALSE, || {
        // SAFETY: `PropertyValueBufferUsed` is valid (this export's contract).
        let Some(used) = (unsafe { out(PropertyValueBufferUsed) }) else {
            return fail(INVALID_PARAMETER, FALSE);
        };
        // SAFETY: `PropertyValueBuffer` is NULL or valid for `PropertyValueBufferSize`
        // bytes (this export's contract).
        let Some(buffer) =
            (unsafe { bytes_out(PropertyValueBuffer as *mut u8, PropertyValueBufferSize) })
        else {
            return fail(INVALID_PARAMETER, FALSE);
        };
        w::EvtGetChannelConfigProperty(ChannelConfig, PropertyId as u32, Flags, buffer, used)
    })
}

/// The caller's variant as a value: the scalar types from the union, a string from its
/// pointer (`Err` if NULL or not UTF-16); a type no channel property takes (a pointer other
/// than a string, an array) is not followed and reads as Null, which no property accepts.
///
/// # Safety
/// For EvtVarTypeString, `variant.StringVal` satisfies [`wide_in`]'s contract.
unsafe fn read_variant(variant: &EVT_VARIANT) -> Result<Value, ()> {
    if variant.Type == EvtVarTypeString as u32 {
        // SAFETY: for EvtVarTypeString the union is StringVal.
        let pointer = unsafe { variant.Anonymous.StringVal };
        // SAFETY: a string variant's pointer satisfies wide_in's contract (this
        // function's contract).
        return match unsafe { wide_in(pointer) } {
            Ok(Some(text)) => Ok(Value::String(text.into())),
            _ => Err(()),
        };
    }
    // SAFETY: every member of the union is plain data; the 8 bytes are read as a word and
    // interpreted by `Type`.
    let word = unsafe { variant.Anonymous.UInt64Val };
    Ok(w::read_inline(variant.Type, word).unwrap_or(Value::Null))
}

/// EvtSetChannelConfigProperty: sets one property of the copy from the caller's variant.
///
/// # Safety
/// `PropertyValue` is NULL or points to an EVT_VARIANT whose string, for
/// EvtVarTypeString, is NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn EvtSetChannelConfigProperty(
    ChannelConfig: EVT_HANDLE,
    PropertyId: EVT_CHANNEL_CONFIG_PROPERTY_ID,
    Flags: u32,
    PropertyValue: *const EVT_VARIANT,
) -> BOOL {
    guard(FALSE, || {
        let value = if PropertyValue.is_null() {
            None
        } else {
            // SAFETY: a non-NULL PropertyValue points to the caller's EVT_VARIANT, whose
            // string is NUL-terminated UTF-16 (this export's contract).
            match unsafe { read_variant(&*PropertyValue) } {
                Ok(value) => Some(value),
                Err(()) => return fail(INVALID_PARAMETER, FALSE),
            }
        };
        w::EvtSetChannelConfigProperty(ChannelConfig, PropertyId as u32, Flags, value.as_ref())
    })
}

/// EvtSaveChannelConfig: applies the copy to the channel and persists it.
///
/// # Safety
/// None beyond windows-sys's marking: a handle is a value, checked before use.
#[no_mangle]
pub unsafe extern "system" fn EvtSaveChannelConfig(ChannelConfig: EVT_HANDLE, Flags: u32) -> BOOL {
    guard(FALSE, || w::EvtSaveChannelConfig(ChannelConfig, Flags))
}

/// Engine control: creates the channel `path` of EVT_CHANNEL_TYPE `channel_type` (an
/// Analytic or Debug one starts disabled), beside `evtlog_create_channel`.
///
/// # Safety
/// `path` is NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn evtlog_create_channel_of_type(
    path: PCWSTR,
    channel_type: u32,
) -> BOOL {
    // SAFETY: `path` is NULL or NUL-terminated UTF-16 (this export's contract).
    guard(FALSE, || match unsafe { wide_in(path) } {
        Ok(Some(path)) => w::create_channel_of_type(&path, channel_type),
        _ => fail(INVALID_PARAMETER, FALSE),
    })
}
