//! Publisher and event metadata across the C boundary: EvtOpenPublisherEnum,
//! EvtNextPublisherId, EvtOpenPublisherMetadata, EvtGetPublisherMetadataProperty,
//! EvtGetObjectArraySize, EvtGetObjectArrayProperty, EvtOpenEventMetadataEnum,
//! EvtNextEventMetadata and EvtGetEventMetadataProperty. Each reads its arguments into
//! the facade's safe shapes (crate invariants 1–3) and calls `evtlog::winevt`.

use crate::abi::{guard, out, wide_in, wide_out};
use crate::types::*;
use crate::{fail, variant_call, INVALID_PARAMETER};
use evtlog::winevt::{self as w, FALSE};

/// EvtOpenPublisherEnum: an enumerator of the installed publishers' names.
///
/// # Safety
/// None beyond windows-sys's marking: a handle is a value, checked before use.
#[no_mangle]
pub unsafe extern "system" fn EvtOpenPublisherEnum(Session: EVT_HANDLE, Flags: u32) -> EVT_HANDLE {
    guard(0, || w::EvtOpenPublisherEnum(Session, Flags))
}

/// # Safety
/// `PublisherIdBuffer` is NULL or valid for `PublisherIdBufferSize` WCHARs;
/// `PublisherIdBufferUsed` is valid.
#[no_mangle]
pub unsafe extern "system" fn EvtNextPublisherId(
    PublisherEnum: EVT_HANDLE,
    PublisherIdBufferSize: u32,
    PublisherIdBuffer: PWSTR,
    PublisherIdBufferUsed: *mut u32,
) -> BOOL {
    guard(FALSE, || {
        // SAFETY: `PublisherIdBufferUsed` is valid (this export's contract).
        let Some(used) = (unsafe { out(PublisherIdBufferUsed) }) else {
            return fail(INVALID_PARAMETER, FALSE);
        };
        // SAFETY: `PublisherIdBuffer` is NULL or valid for `PublisherIdBufferSize` WCHARs
        // (this export's contract).
        let Some(buffer) = (unsafe { wide_out(PublisherIdBuffer, PublisherIdBufferSize) }) else {
            return fail(INVALID_PARAMETER, FALSE);
        };
        w::EvtNextPublisherId(PublisherEnum, buffer, used)
    })
}

/// # Safety
/// `PublisherId` and `LogFilePath` are NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn EvtOpenPublisherMetadata(
    Session: EVT_HANDLE,
    PublisherId: PCWSTR,
    LogFilePath: PCWSTR,
    Locale: u32,
    Flags: u32,
) -> EVT_HANDLE {
    guard(0, || {
        // SAFETY: both are NULL or NUL-terminated UTF-16 (this export's contract).
        let (Ok(id), Ok(path)) = (unsafe { (wide_in(PublisherId), wide_in(LogFilePath)) }) else {
            return fail(INVALID_PARAMETER, 0);
        };
        w::EvtOpenPublisherMetadata(Session, id.as_deref(), path.as_deref(), Locale, Flags)
    })
}

/// # Safety
/// `PublisherMetadataPropertyBuffer` is NULL or valid for
/// `PublisherMetadataPropertyBufferSize` bytes; `PublisherMetadataPropertyBufferUsed` is
/// valid.
#[no_mangle]
pub unsafe extern "system" fn EvtGetPublisherMetadataProperty(
    PublisherMetadata: EVT_HANDLE,
    PropertyId: EVT_PUBLISHER_METADATA_PROPERTY_ID,
    Flags: u32,
    PublisherMetadataPropertyBufferSize: u32,
    PublisherMetadataPropertyBuffer: *mut EVT_VARIANT,
    PublisherMetadataPropertyBufferUsed: *mut u32,
) -> BOOL {
    // SAFETY: the buffer, its size and the used size are as this export's contract says.
    unsafe {
        variant_call(
            PublisherMetadataPropertyBufferSize,
            PublisherMetadataPropertyBuffer,
            PublisherMetadataPropertyBufferUsed,
            |buffer, used| {
                w::EvtGetPublisherMetadataProperty(
                    PublisherMetadata,
                    PropertyId as u32,
                    Flags,
                    buffer,
                    used,
                )
            },
        )
    }
}

/// EvtOpenEventMetadataEnum: an enumerator of the publisher's event definitions.
///
/// # Safety
/// As [`EvtOpenPublisherEnum`].
#[no_mangle]
pub unsafe extern "system" fn EvtOpenEventMetadataEnum(
    PublisherMetadata: EVT_HANDLE,
    Flags: u32,
) -> EVT_HANDLE {
    guard(0, || w::EvtOpenEventMetadataEnum(PublisherMetadata, Flags))
}

/// EvtNextEventMetadata: the next event definition's handle.
///
/// # Safety
/// As [`EvtOpenPublisherEnum`].
#[no_mangle]
pub unsafe extern "system" fn EvtNextEventMetadata(
    EventMetadataEnum: EVT_HANDLE,
    Flags: u32,
) -> EVT_HANDLE {
    guard(0, || w::EvtNextEventMetadata(EventMetadataEnum, Flags))
}

/// # Safety
/// `EventMetadataPropertyBuffer` is NULL or valid for `EventMetadataPropertyBufferSize`
/// bytes; `EventMetadataPropertyBufferUsed` is valid.
#[no_mangle]
pub unsafe extern "system" fn EvtGetEventMetadataProperty(
    EventMetadata: EVT_HANDLE,
    PropertyId: EVT_EVENT_METADATA_PROPERTY_ID,
    Flags: u32,
    EventMetadataPropertyBufferSize: u32,
    EventMetadataPropertyBuffer: *mut EVT_VARIANT,
    EventMetadataPropertyBufferUsed: *mut u32,
) -> BOOL {
    // SAFETY: the buffer, its size and the used size are as this export's contract says.
    unsafe {
        variant_call(
            EventMetadataPropertyBufferSize,
            EventMetadataPropertyBuffer,
            EventMetadataPropertyBufferUsed,
            |buffer, used| {
                w::EvtGetEventMetadataProperty(
                    EventMetadata,
                    PropertyId as u32,
                    Flags,
                    buffer,
                    used,
                )
            },
        )
    }
}

/// # Safety
/// `ObjectArraySize` is valid.
#[no_mangle]
pub unsafe extern "system" fn EvtGetObjectArraySize(
    ObjectArray: EVT_OBJECT_ARRAY_PROPERTY_HANDLE,
    ObjectArraySize: *mut u32,
) -> BOOL {
    guard(FALSE, || {
        // SAFETY: `ObjectArraySize` is NULL or valid (this export's contract).
        let Some(size) = (unsafe { out(ObjectArraySize) }) else {
            return fail(INVALID_PARAMETER, FALSE);
        };
        w::EvtGetObjectArraySize(ObjectArray, size)
    })
}

/// # Safety
/// `PropertyValueBuffer` is NULL or valid for `PropertyValueBufferSize` bytes;
/// `PropertyValueBufferUsed` is valid.
#[no_mangle]
pub unsafe extern "system" fn EvtGetObjectArrayProperty(
    ObjectArray: EVT_OBJECT_ARRAY_PROPERTY_HANDLE,
    PropertyId: u32,
    ArrayIndex: u32,
    Flags: u32,
    PropertyValueBufferSize: u32,
    PropertyValueBuffer: *mut EVT_VARIANT,
    PropertyValueBufferUsed: *mut u32,
) -> BOOL {
    // SAFETY: the buffer, its size and the used size are as this export's contract says.
    unsafe {
        variant_call(
            PropertyValueBufferSize,
            PropertyValueBuffer,
            PropertyValueBufferUsed,
            |buffer, used| {
                w::EvtGetObjectArrayProperty(
                    ObjectArray,
                    PropertyId,
                    ArrayIndex,
                    Flags,
                    buffer,
                    used,
                )
            },
        )
    }
}
