//! EvtFormatMessage, which a later issue emulates. Until then each is exported with its Windows signature and fails
//! with ERROR_CALL_NOT_IMPLEMENTED (120), as README's fidelity table says, so that programs
//! that link them run and see a clear error.

use crate::types::*;
use evtlog::winevt::{self as w, FALSE};

fn not_implemented<T>(value: T) -> T {
    w::SetLastError(ERROR_CALL_NOT_IMPLEMENTED);
    value
}

#[no_mangle]
pub extern "system" fn EvtFormatMessage(
    _PublisherMetadata: EVT_HANDLE,
    _Event: EVT_HANDLE,
    _MessageId: u32,
    _ValueCount: u32,
    _Values: *const EVT_VARIANT,
    _Flags: u32,
    _BufferSize: u32,
    _Buffer: PWSTR,
    _BufferUsed: *mut u32,
) -> BOOL {
    not_implemented(FALSE)
}
