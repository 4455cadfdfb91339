//! The functions of channel configuration, publisher metadata and EvtFormatMessage, which a
//! later issue emulates. Until then each is exported with its Windows signature and fails
//! with ERROR_CALL_NOT_IMPLEMENTED (120), as README's fidelity table says, so that programs
//! that link them run and see a clear error.

use crate::types::*;
use evtlog::winevt::{self as w, FALSE};

fn not_implemented<T>(value: T) -> T {
    w::SetLastError(ERROR_CALL_NOT_IMPLEMENTED);
    value
}

#[no_mangle]
pub extern "system" fn EvtOpenChannelConfig(
    _Session: EVT_HANDLE,
    _ChannelPath: PCWSTR,
    _Flags: u32,
) -> EVT_HANDLE {
    not_implemented(0)
}

#[no_mangle]
pub extern "system" fn EvtGetChannelConfigProperty(
    _ChannelConfig: EVT_HANDLE,
    _PropertyId: EVT_CHANNEL_CONFIG_PROPERTY_ID,
    _Flags: u32,
    _PropertyValueBufferSize: u32,
    _PropertyValueBuffer: *mut EVT_VARIANT,
    _PropertyValueBufferUsed: *mut u32,
) -> BOOL {
    not_implemented(FALSE)
}

#[no_mangle]
pub extern "system" fn EvtSetChannelConfigProperty(
    _ChannelConfig: EVT_HANDLE,
    _PropertyId: EVT_CHANNEL_CONFIG_PROPERTY_ID,
    _Flags: u32,
    _PropertyValue: *const EVT_VARIANT,
) -> BOOL {
    not_implemented(FALSE)
}

#[no_mangle]
pub extern "system" fn EvtSaveChannelConfig(_ChannelConfig: EVT_HANDLE, _Flags: u32) -> BOOL {
    not_implemented(FALSE)
}

#[no_mangle]
pub extern "system" fn EvtOpenPublisherEnum(_Session: EVT_HANDLE, _Flags: u32) -> EVT_HANDLE {
    not_implemented(0)
}

#[no_mangle]
pub extern "system" fn EvtNextPublisherId(
    _PublisherEnum: EVT_HANDLE,
    _PublisherIdBufferSize: u32,
    _PublisherIdBuffer: PWSTR,
    _PublisherIdBufferUsed: *mut u32,
) -> BOOL {
    not_implemented(FALSE)
}

#[no_mangle]
pub extern "system" fn EvtOpenPublisherMetadata(
    _Session: EVT_HANDLE,
    _PublisherId: PCWSTR,
    _LogFilePath: PCWSTR,
    _Locale: u32,
    _Flags: u32,
) -> EVT_HANDLE {
    not_implemented(0)
}

#[no_mangle]
pub extern "system" fn EvtGetPublisherMetadataProperty(
    _PublisherMetadata: EVT_HANDLE,
    _PropertyId: EVT_PUBLISHER_METADATA_PROPERTY_ID,
    _Flags: u32,
    _PublisherMetadataPropertyBufferSize: u32,
    _PublisherMetadataPropertyBuffer: *mut EVT_VARIANT,
    _PublisherMetadataPropertyBufferUsed: *mut u32,
) -> BOOL {
    not_implemented(FALSE)
}

#[no_mangle]
pub extern "system" fn EvtOpenEventMetadataEnum(
    _PublisherMetadata: EVT_HANDLE,
    _Flags: u32,
) -> EVT_HANDLE {
    not_implemented(0)
}

#[no_mangle]
pub extern "system" fn EvtNextEventMetadata(
    _EventMetadataEnum: EVT_HANDLE,
    _Flags: u32,
) -> EVT_HANDLE {
    not_implemented(0)
}

#[no_mangle]
pub extern "system" fn EvtGetEventMetadataProperty(
    _EventMetadata: EVT_HANDLE,
    _PropertyId: EVT_EVENT_METADATA_PROPERTY_ID,
    _Flags: u32,
    _EventMetadataPropertyBufferSize: u32,
    _EventMetadataPropertyBuffer: *mut EVT_VARIANT,
    _EventMetadataPropertyBufferUsed: *mut u32,
) -> BOOL {
    not_implemented(FALSE)
}

#[no_mangle]
pub extern "system" fn EvtGetObjectArraySize(
    _ObjectArray: EVT_OBJECT_ARRAY_PROPERTY_HANDLE,
    _ObjectArraySize: *mut u32,
) -> BOOL {
    not_implemented(FALSE)
}

#[no_mangle]
pub extern "system" fn EvtGetObjectArrayProperty(
    _ObjectArray: EVT_OBJECT_ARRAY_PROPERTY_HANDLE,
    _PropertyId: u32,
    _ArrayIndex: u32,
    _Flags: u32,
    _PropertyValueBufferSize: u32,
    _PropertyValueBuffer: *mut EVT_VARIANT,
    _PropertyValueBufferUsed: *mut u32,
) -> BOOL {
    not_implemented(FALSE)
}
