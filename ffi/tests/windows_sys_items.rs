//! Every item of `windows_sys::Win32::System::EventLog` (windows-sys 0.59.0) named with its
//! type, so that a missing or retyped constant, type alias or struct field of the `wevtapi`
//! crate fails to compile, and a wrong value fails the test: Rust written against windows-sys
//! must compile here unchanged (the list was generated from windows-sys's source).
//!
//! The module's functions (55):
//! BackupEventLogA, BackupEventLogW, ClearEventLogA, ClearEventLogW, CloseEventLog,
//! DeregisterEventSource, EvtArchiveExportedLog, EvtCancel, EvtClearLog, EvtClose,
//! EvtCreateBookmark, EvtCreateRenderContext, EvtExportLog, EvtFormatMessage,
//! EvtGetChannelConfigProperty, EvtGetEventInfo, EvtGetEventMetadataProperty,
//! EvtGetExtendedStatus, EvtGetLogInfo, EvtGetObjectArrayProperty, EvtGetObjectArraySize,
//! EvtGetPublisherMetadataProperty, EvtGetQueryInfo, EvtNext, EvtNextChannelPath,
//! EvtNextEventMetadata, EvtNextPublisherId, EvtOpenChannelConfig, EvtOpenChannelEnum,
//! EvtOpenEventMetadataEnum, EvtOpenLog, EvtOpenPublisherEnum, EvtOpenPublisherMetadata,
//! EvtOpenSession, EvtQuery, EvtRender, EvtSaveChannelConfig, EvtSeek,
//! EvtSetChannelConfigProperty, EvtSubscribe, EvtUpdateBookmark, GetEventLogInformation,
//! GetNumberOfEventLogRecords, GetOldestEventLogRecord, NotifyChangeEventLog,
//! OpenBackupEventLogA, OpenBackupEventLogW, OpenEventLogA, OpenEventLogW, ReadEventLogA,
//! ReadEventLogW, RegisterEventSourceA, RegisterEventSourceW, ReportEventA, ReportEventW.
//!
//! The test below checks that every one of them, and the provider functions of
//! `Win32::System::Diagnostics::Etw` the crate exports (EventRegister … EventActivityIdControl)
//! and kernel32's event and last-error functions, has windows-sys's signature and is
//! `unsafe`, as windows-sys declares every function (a safe one would make ported code's
//! `unsafe` blocks warn `unused_unsafe`).
#![allow(non_snake_case, clippy::unnecessary_cast)]
#![deny(unused_unsafe)]

use std::ffi::c_void;
use std::mem::{offset_of, size_of};

use wevtapi::*;

/// A constant: its type (`let` fails to compile otherwise) and its value.
macro_rules! constant {
    ($name:ident: $ty:ty = $value:expr) => {{
        let value: $ty = $name;
        assert_eq!(value as i64, $value as i64, stringify!($name));
    }};
}

/// A type alias is exactly windows-sys's type (the identity coerces to `fn` only then).
macro_rules! alias {
    ($name:ty = $ty:ty) => {{
        let _: fn($name) -> $ty = |x| x;
    }};
}

#[test]
fn every_constant_has_windows_sys_type_and_value() {
    constant!(EVENTLOG_AUDIT_FAILURE: REPORT_EVENT_TYPE = 16);
    constant!(EVENTLOG_AUDIT_SUCCESS: REPORT_EVENT_TYPE = 8);
    constant!(EVENTLOG_ERROR_TYPE: REPORT_EVENT_TYPE = 1);
    constant!(EVENTLOG_INFORMATION_TYPE: REPORT_EVENT_TYPE = 4);
    constant!(EVENTLOG_SEEK_READ: READ_EVENT_LOG_READ_FLAGS = 2);
    constant!(EVENTLOG_SEQUENTIAL_READ: READ_EVENT_LOG_READ_FLAGS = 1);
    constant!(EVENTLOG_SUCCESS: REPORT_EVENT_TYPE = 0);
    constant!(EVENTLOG_WARNING_TYPE: REPORT_EVENT_TYPE = 2);
    constant!(EVT_ALL_ACCESS: u32 = 7);
    constant!(EVT_CLEAR_ACCESS: u32 = 4);
    constant!(EVT_READ_ACCESS: u32 = 1);
    constant!(EVT_VARIANT_TYPE_ARRAY: u32 = 128);
    constant!(EVT_VARIANT_TYPE_MASK: u32 = 127);
    constant!(EVT_WRITE_ACCESS: u32 = 2);
    constant!(EventMetadataEventChannel: EVT_EVENT_METADATA_PROPERTY_ID = 2);
    constant!(EventMetadataEventID: EVT_EVENT_METADATA_PROPERTY_ID = 0);
    constant!(EventMetadataEventKeyword: EVT_EVENT_METADATA_PROPERTY_ID = 6);
    constant!(EventMetadataEventLevel: EVT_EVENT_METADATA_PROPERTY_ID = 3);
    constant!(EventMetadataEventMessageID: EVT_EVENT_METADATA_PROPERTY_ID = 7);
    constant!(EventMetadataEventOpcode: EVT_EVENT_METADATA_PROPERTY_ID = 4);
    constant!(EventMetadataEventTask: EVT_EVENT_METADATA_PROPERTY_ID = 5);
    constant!(EventMetadataEventTemplate: EVT_EVENT_METADATA_PROPERTY_ID = 8);
    constant!(EventMetadataEventVersion: EVT_EVENT_METADATA_PROPERTY_ID = 1);
    constant!(EvtChannelClockTypeQPC: EVT_CHANNEL_CLOCK_TYPE = 1);
    constant!(EvtChannelClockTypeSystemTime: EVT_CHANNEL_CLOCK_TYPE = 0);
    constant!(EvtChannelConfigAccess: EVT_CHANNEL_CONFIG_PROPERTY_ID = 5);
    constant!(EvtChannelConfigClassicEventlog: EVT_CHANNEL_CONFIG_PROPERTY_ID = 4);
    constant!(EvtChannelConfigEnabled: EVT_CHANNEL_CONFIG_PROPERTY_ID = 0);
    constant!(EvtChannelConfigIsolation: EVT_CHANNEL_CONFIG_PROPERTY_ID = 1);
    constant!(EvtChannelConfigOwningPublisher: EVT_CHANNEL_CONFIG_PROPERTY_ID = 3);
    constant!(EvtChannelConfigPropertyIdEND: EVT_CHANNEL_CONFIG_PROPERTY_ID = 21);
    constant!(EvtChannelConfigType: EVT_CHANNEL_CONFIG_PROPERTY_ID = 2);
    constant!(EvtChannelIsolationTypeApplication: EVT_CHANNEL_ISOLATION_TYPE = 0);
    constant!(EvtChannelIsolationTypeCustom: EVT_CHANNEL_ISOLATION_TYPE = 2);
    constant!(EvtChannelIsolationTypeSystem: EVT_CHANNEL_ISOLATION_TYPE = 1);
    constant!(EvtChannelLoggingConfigAutoBackup: EVT_CHANNEL_CONFIG_PROPERTY_ID = 7);
    constant!(EvtChannelLoggingConfigLogFilePath: EVT_CHANNEL_CONFIG_PROPERTY_ID = 9);
    constant!(EvtChannelLoggingConfigMaxSize: EVT_CHANNEL_CONFIG_PROPERTY_ID = 8);
    constant!(EvtChannelLoggingConfigRetention: EVT_CHANNEL_CONFIG_PROPERTY_ID = 6);
    constant!(EvtChannelPublisherList: EVT_CHANNEL_CONFIG_PROPERTY_ID = 19);
    constant!(EvtChannelPublishingConfigBufferSize: EVT_CHANNEL_CONFIG_PROPERTY_ID = 13);
    constant!(EvtChannelPublishingConfigClockType: EVT_CHANNEL_CONFIG_PROPERTY_ID = 17);
    constant!(EvtChannelPublishingConfigControlGuid: EVT_CHANNEL_CONFIG_PROPERTY_ID = 12);
    constant!(EvtChannelPublishingConfigFileMax: EVT_CHANNEL_CONFIG_PROPERTY_ID = 20);
    constant!(EvtChannelPublishingConfigKeywords: EVT_CHANNEL_CONFIG_PROPERTY_ID = 11);
    constant!(EvtChannelPublishingConfigLatency: EVT_CHANNEL_CONFIG_PROPERTY_ID = 16);
    constant!(EvtChannelPublishingConfigLevel: EVT_CHANNEL_CONFIG_PROPERTY_ID = 10);
    constant!(EvtChannelPublishingConfigMaxBuffers: EVT_CHANNEL_CONFIG_PROPERTY_ID = 15);
    constant!(EvtChannelPublishingConfigMinBuffers: EVT_CHANNEL_CONFIG_PROPERTY_ID = 14);
    constant!(EvtChannelPublishingConfigSidType: EVT_CHANNEL_CONFIG_PROPERTY_ID = 18);
    constant!(EvtChannelReferenceImported: EVT_CHANNEL_REFERENCE_FLAGS = 1);
    constant!(EvtChannelSidTypeNone: EVT_CHANNEL_SID_TYPE = 0);
    constant!(EvtChannelSidTypePublishing: EVT_CHANNEL_SID_TYPE = 1);
    constant!(EvtChannelTypeAdmin: EVT_CHANNEL_TYPE = 0);
    constant!(EvtChannelTypeAnalytic: EVT_CHANNEL_TYPE = 2);
    constant!(EvtChannelTypeDebug: EVT_CHANNEL_TYPE = 3);
    constant!(EvtChannelTypeOperational: EVT_CHANNEL_TYPE = 1);
    constant!(EvtEventMetadataPropertyIdEND: EVT_EVENT_METADATA_PROPERTY_ID = 9);
    constant!(EvtEventPath: EVT_EVENT_PROPERTY_ID = 1);
    constant!(EvtEventPropertyIdEND: EVT_EVENT_PROPERTY_ID = 2);
    constant!(EvtEventQueryIDs: EVT_EVENT_PROPERTY_ID = 0);
    constant!(EvtExportLogChannelPath: EVT_EXPORTLOG_FLAGS = 1);
    constant!(EvtExportLogFilePath: EVT_EXPORTLOG_FLAGS = 2);
    constant!(EvtExportLogOverwrite: EVT_EXPORTLOG_FLAGS = 8192);
    constant!(EvtExportLogTolerateQueryErrors: EVT_EXPORTLOG_FLAGS = 4096);
    constant!(EvtFormatMessageChannel: EVT_FORMAT_MESSAGE_FLAGS = 6);
    constant!(EvtFormatMessageEvent: EVT_FORMAT_MESSAGE_FLAGS = 1);
    constant!(EvtFormatMessageId: EVT_FORMAT_MESSAGE_FLAGS = 8);
    constant!(EvtFormatMessageKeyword: EVT_FORMAT_MESSAGE_FLAGS = 5);
    constant!(EvtFormatMessageLevel: EVT_FORMAT_MESSAGE_FLAGS = 2);
    constant!(EvtFormatMessageOpcode: EVT_FORMAT_MESSAGE_FLAGS = 4);
    constant!(EvtFormatMessageProvider: EVT_FORMAT_MESSAGE_FLAGS = 7);
    constant!(EvtFormatMessageTask: EVT_FORMAT_MESSAGE_FLAGS = 3);
    constant!(EvtFormatMessageXml: EVT_FORMAT_MESSAGE_FLAGS = 9);
    constant!(EvtLogAttributes: EVT_LOG_PROPERTY_ID = 4);
    constant!(EvtLogCreationTime: EVT_LOG_PROPERTY_ID = 0);
    constant!(EvtLogFileSize: EVT_LOG_PROPERTY_ID = 3);
    constant!(EvtLogFull: EVT_LOG_PROPERTY_ID = 7);
    constant!(EvtLogLastAccessTime: EVT_LOG_PROPERTY_ID = 1);
    constant!(EvtLogLastWriteTime: EVT_LOG_PROPERTY_ID = 2);
    constant!(EvtLogNumberOfLogRecords: EVT_LOG_PROPERTY_ID = 5);
    constant!(EvtLogOldestRecordNumber: EVT_LOG_PROPERTY_ID = 6);
    constant!(EvtOpenChannelPath: EVT_OPEN_LOG_FLAGS = 1);
    constant!(EvtOpenFilePath: EVT_OPEN_LOG_FLAGS = 2);
    constant!(EvtPublisherMetadataChannelReferenceFlags: EVT_PUBLISHER_METADATA_PROPERTY_ID = 10);
    constant!(EvtPublisherMetadataChannelReferenceID: EVT_PUBLISHER_METADATA_PROPERTY_ID = 9);
    constant!(EvtPublisherMetadataChannelReferenceIndex: EVT_PUBLISHER_METADATA_PROPERTY_ID = 8);
    constant!(EvtPublisherMetadataChannelReferenceMessageID: EVT_PUBLISHER_METADATA_PROPERTY_ID = 11);
    constant!(EvtPublisherMetadataChannelReferencePath: EVT_PUBLISHER_METADATA_PROPERTY_ID = 7);
    constant!(EvtPublisherMetadataChannelReferences: EVT_PUBLISHER_METADATA_PROPERTY_ID = 6);
    constant!(EvtPublisherMetadataHelpLink: EVT_PUBLISHER_METADATA_PROPERTY_ID = 4);
    constant!(EvtPublisherMetadataKeywordMessageID: EVT_PUBLISHER_METADATA_PROPERTY_ID = 28);
    constant!(EvtPublisherMetadataKeywordName: EVT_PUBLISHER_METADATA_PROPERTY_ID = 26);
    constant!(EvtPublisherMetadataKeywordValue: EVT_PUBLISHER_METADATA_PROPERTY_ID = 27);
    constant!(EvtPublisherMetadataKeywords: EVT_PUBLISHER_METADATA_PROPERTY_ID = 25);
    constant!(EvtPublisherMetadataLevelMessageID: EVT_PUBLISHER_METADATA_PROPERTY_ID = 15);
    constant!(EvtPublisherMetadataLevelName: EVT_PUBLISHER_METADATA_PROPERTY_ID = 13);
    constant!(EvtPublisherMetadataLevelValue: EVT_PUBLISHER_METADATA_PROPERTY_ID = 14);
    constant!(EvtPublisherMetadataLevels: EVT_PUBLISHER_METADATA_PROPERTY_ID = 12);
    constant!(EvtPublisherMetadataMessageFilePath: EVT_PUBLISHER_METADATA_PROPERTY_ID = 3);
    constant!(EvtPublisherMetadataOpcodeMessageID: EVT_PUBLISHER_METADATA_PROPERTY_ID = 24);
    constant!(EvtPublisherMetadataOpcodeName: EVT_PUBLISHER_METADATA_PROPERTY_ID = 22);
    constant!(EvtPublisherMetadataOpcodeValue: EVT_PUBLISHER_METADATA_PROPERTY_ID = 23);
    constant!(EvtPublisherMetadataOpcodes: EVT_PUBLISHER_METADATA_PROPERTY_ID = 21);
    constant!(EvtPublisherMetadataParameterFilePath: EVT_PUBLISHER_METADATA_PROPERTY_ID = 2);
    constant!(EvtPublisherMetadataPropertyIdEND: EVT_PUBLISHER_METADATA_PROPERTY_ID = 29);
    constant!(EvtPublisherMetadataPublisherGuid: EVT_PUBLISHER_METADATA_PROPERTY_ID = 0);
    constant!(EvtPublisherMetadataPublisherMessageID: EVT_PUBLISHER_METADATA_PROPERTY_ID = 5);
    constant!(EvtPublisherMetadataResourceFilePath: EVT_PUBLISHER_METADATA_PROPERTY_ID = 1);
    constant!(EvtPublisherMetadataTaskEventGuid: EVT_PUBLISHER_METADATA_PROPERTY_ID = 18);
    constant!(EvtPublisherMetadataTaskMessageID: EVT_PUBLISHER_METADATA_PROPERTY_ID = 20);
    constant!(EvtPublisherMetadataTaskName: EVT_PUBLISHER_METADATA_PROPERTY_ID = 17);
    constant!(EvtPublisherMetadataTaskValue: EVT_PUBLISHER_METADATA_PROPERTY_ID = 19);
    constant!(EvtPublisherMetadataTasks: EVT_PUBLISHER_METADATA_PROPERTY_ID = 16);
    constant!(EvtQueryChannelPath: EVT_QUERY_FLAGS = 1);
    constant!(EvtQueryFilePath: EVT_QUERY_FLAGS = 2);
    constant!(EvtQueryForwardDirection: EVT_QUERY_FLAGS = 256);
    constant!(EvtQueryNames: EVT_QUERY_PROPERTY_ID = 0);
    constant!(EvtQueryPropertyIdEND: EVT_QUERY_PROPERTY_ID = 2);
    constant!(EvtQueryReverseDirection: EVT_QUERY_FLAGS = 512);
    constant!(EvtQueryStatuses: EVT_QUERY_PROPERTY_ID = 1);
    constant!(EvtQueryTolerateQueryErrors: EVT_QUERY_FLAGS = 4096);
    constant!(EvtRenderBookmark: EVT_RENDER_FLAGS = 2);
    constant!(EvtRenderContextSystem: EVT_RENDER_CONTEXT_FLAGS = 1);
    constant!(EvtRenderContextUser: EVT_RENDER_CONTEXT_FLAGS = 2);
    constant!(EvtRenderContextValues: EVT_RENDER_CONTEXT_FLAGS = 0);
    constant!(EvtRenderEventValues: EVT_RENDER_FLAGS = 0);
    constant!(EvtRenderEventXml: EVT_RENDER_FLAGS = 1);
    constant!(EvtRpcLogin: EVT_LOGIN_CLASS = 1);
    constant!(EvtRpcLoginAuthDefault: EVT_RPC_LOGIN_FLAGS = 0);
    constant!(EvtRpcLoginAuthKerberos: EVT_RPC_LOGIN_FLAGS = 2);
    constant!(EvtRpcLoginAuthNTLM: EVT_RPC_LOGIN_FLAGS = 3);
    constant!(EvtRpcLoginAuthNegotiate: EVT_RPC_LOGIN_FLAGS = 1);
    constant!(EvtSeekOriginMask: EVT_SEEK_FLAGS = 7);
    constant!(EvtSeekRelativeToBookmark: EVT_SEEK_FLAGS = 4);
    constant!(EvtSeekRelativeToCurrent: EVT_SEEK_FLAGS = 3);
    constant!(EvtSeekRelativeToFirst: EVT_SEEK_FLAGS = 1);
    constant!(EvtSeekRelativeToLast: EVT_SEEK_FLAGS = 2);
    constant!(EvtSeekStrict: EVT_SEEK_FLAGS = 65536);
    constant!(EvtSubscribeActionDeliver: EVT_SUBSCRIBE_NOTIFY_ACTION = 1);
    constant!(EvtSubscribeActionError: EVT_SUBSCRIBE_NOTIFY_ACTION = 0);
    constant!(EvtSubscribeOriginMask: EVT_SUBSCRIBE_FLAGS = 3);
    constant!(EvtSubscribeStartAfterBookmark: EVT_SUBSCRIBE_FLAGS = 3);
    constant!(EvtSubscribeStartAtOldestRecord: EVT_SUBSCRIBE_FLAGS = 2);
    constant!(EvtSubscribeStrict: EVT_SUBSCRIBE_FLAGS = 65536);
    constant!(EvtSubscribeToFutureEvents: EVT_SUBSCRIBE_FLAGS = 1);
    constant!(EvtSubscribeTolerateQueryErrors: EVT_SUBSCRIBE_FLAGS = 4096);
    constant!(EvtSystemActivityID: EVT_SYSTEM_PROPERTY_ID = 10);
    constant!(EvtSystemChannel: EVT_SYSTEM_PROPERTY_ID = 14);
    constant!(EvtSystemComputer: EVT_SYSTEM_PROPERTY_ID = 15);
    constant!(EvtSystemEventID: EVT_SYSTEM_PROPERTY_ID = 2);
    constant!(EvtSystemEventRecordId: EVT_SYSTEM_PROPERTY_ID = 9);
    constant!(EvtSystemKeywords: EVT_SYSTEM_PROPERTY_ID = 7);
    constant!(EvtSystemLevel: EVT_SYSTEM_PROPERTY_ID = 4);
    constant!(EvtSystemOpcode: EVT_SYSTEM_PROPERTY_ID = 6);
    constant!(EvtSystemProcessID: EVT_SYSTEM_PROPERTY_ID = 12);
    constant!(EvtSystemPropertyIdEND: EVT_SYSTEM_PROPERTY_ID = 18);
    constant!(EvtSystemProviderGuid: EVT_SYSTEM_PROPERTY_ID = 1);
    constant!(EvtSystemProviderName: EVT_SYSTEM_PROPERTY_ID = 0);
    constant!(EvtSystemQualifiers: EVT_SYSTEM_PROPERTY_ID = 3);
    constant!(EvtSystemRelatedActivityID: EVT_SYSTEM_PROPERTY_ID = 11);
    constant!(EvtSystemTask: EVT_SYSTEM_PROPERTY_ID = 5);
    constant!(EvtSystemThreadID: EVT_SYSTEM_PROPERTY_ID = 13);
    constant!(EvtSystemTimeCreated: EVT_SYSTEM_PROPERTY_ID = 8);
    constant!(EvtSystemUserID: EVT_SYSTEM_PROPERTY_ID = 16);
    constant!(EvtSystemVersion: EVT_SYSTEM_PROPERTY_ID = 17);
    constant!(EvtVarTypeAnsiString: EVT_VARIANT_TYPE = 2);
    constant!(EvtVarTypeBinary: EVT_VARIANT_TYPE = 14);
    constant!(EvtVarTypeBoolean: EVT_VARIANT_TYPE = 13);
    constant!(EvtVarTypeByte: EVT_VARIANT_TYPE = 4);
    constant!(EvtVarTypeDouble: EVT_VARIANT_TYPE = 12);
    constant!(EvtVarTypeEvtHandle: EVT_VARIANT_TYPE = 32);
    constant!(EvtVarTypeEvtXml: EVT_VARIANT_TYPE = 35);
    constant!(EvtVarTypeFileTime: EVT_VARIANT_TYPE = 17);
    constant!(EvtVarTypeGuid: EVT_VARIANT_TYPE = 15);
    constant!(EvtVarTypeHexInt32: EVT_VARIANT_TYPE = 20);
    constant!(EvtVarTypeHexInt64: EVT_VARIANT_TYPE = 21);
    constant!(EvtVarTypeInt16: EVT_VARIANT_TYPE = 5);
    constant!(EvtVarTypeInt32: EVT_VARIANT_TYPE = 7);
    constant!(EvtVarTypeInt64: EVT_VARIANT_TYPE = 9);
    constant!(EvtVarTypeNull: EVT_VARIANT_TYPE = 0);
    constant!(EvtVarTypeSByte: EVT_VARIANT_TYPE = 3);
    constant!(EvtVarTypeSid: EVT_VARIANT_TYPE = 19);
    constant!(EvtVarTypeSingle: EVT_VARIANT_TYPE = 11);
    constant!(EvtVarTypeSizeT: EVT_VARIANT_TYPE = 16);
    constant!(EvtVarTypeString: EVT_VARIANT_TYPE = 1);
    constant!(EvtVarTypeSysTime: EVT_VARIANT_TYPE = 18);
    constant!(EvtVarTypeUInt16: EVT_VARIANT_TYPE = 6);
    constant!(EvtVarTypeUInt32: EVT_VARIANT_TYPE = 8);
    constant!(EvtVarTypeUInt64: EVT_VARIANT_TYPE = 10);
}

#[test]
fn every_type_alias_is_windows_sys_type() {
    alias!(EVT_CHANNEL_CLOCK_TYPE = i32);
    alias!(EVT_CHANNEL_CONFIG_PROPERTY_ID = i32);
    alias!(EVT_CHANNEL_ISOLATION_TYPE = i32);
    alias!(EVT_CHANNEL_REFERENCE_FLAGS = u32);
    alias!(EVT_CHANNEL_SID_TYPE = i32);
    alias!(EVT_CHANNEL_TYPE = i32);
    alias!(EVT_EVENT_METADATA_PROPERTY_ID = i32);
    alias!(EVT_EVENT_PROPERTY_ID = i32);
    alias!(EVT_EXPORTLOG_FLAGS = u32);
    alias!(EVT_FORMAT_MESSAGE_FLAGS = u32);
    alias!(EVT_LOGIN_CLASS = i32);
    alias!(EVT_LOG_PROPERTY_ID = i32);
    alias!(EVT_OPEN_LOG_FLAGS = u32);
    alias!(EVT_PUBLISHER_METADATA_PROPERTY_ID = i32);
    alias!(EVT_QUERY_FLAGS = u32);
    alias!(EVT_QUERY_PROPERTY_ID = i32);
    alias!(EVT_RENDER_CONTEXT_FLAGS = u32);
    alias!(EVT_RENDER_FLAGS = u32);
    alias!(EVT_RPC_LOGIN_FLAGS = u32);
    alias!(EVT_SEEK_FLAGS = u32);
    alias!(EVT_SUBSCRIBE_FLAGS = u32);
    alias!(EVT_SUBSCRIBE_NOTIFY_ACTION = i32);
    alias!(EVT_SYSTEM_PROPERTY_ID = i32);
    alias!(EVT_VARIANT_TYPE = i32);
    alias!(READ_EVENT_LOG_READ_FLAGS = u32);
    alias!(REPORT_EVENT_TYPE = u16);
    alias!(EVT_HANDLE = isize);
    alias!(
        EVT_SUBSCRIBE_CALLBACK = Option<
            unsafe extern "system" fn(
                action: EVT_SUBSCRIBE_NOTIFY_ACTION,
                usercontext: *const c_void,
                event: EVT_HANDLE,
            ) -> u32,
        >
    );
    // The Foundation, Security and core types the module's items use.
    alias!(BOOL = i32);
    alias!(HANDLE = *mut c_void);
    alias!(PSID = *mut c_void);
    alias!(PCWSTR = *const u16);
    alias!(PWSTR = *mut u16);
    alias!(PCSTR = *const u8);
    alias!(PSTR = *mut u8);
}

/// Every struct and union field, by name and type (a struct pattern without `..` also
/// fails on a field windows-sys does not have).
#[test]
fn every_struct_field_has_windows_sys_type() {
    fn eventlogrecord(v: EVENTLOGRECORD) {
        let EVENTLOGRECORD {
            Length,
            Reserved,
            RecordNumber,
            TimeGenerated,
            TimeWritten,
            EventID,
            EventType,
            NumStrings,
            EventCategory,
            ReservedFlags,
            ClosingRecordNumber,
            StringOffset,
            UserSidLength,
            UserSidOffset,
            DataLength,
            DataOffset,
        } = v;
        let _: u32 = Length;
        let _: u32 = Reserved;
        let _: u32 = RecordNumber;
        let _: u32 = TimeGenerated;
        let _: u32 = TimeWritten;
        let _: u32 = EventID;
        let _: REPORT_EVENT_TYPE = EventType;
        let _: u16 = NumStrings;
        let _: u16 = EventCategory;
        let _: u16 = ReservedFlags;
        let _: u32 = ClosingRecordNumber;
        let _: u32 = StringOffset;
        let _: u32 = UserSidLength;
        let _: u32 = UserSidOffset;
        let _: u32 = DataLength;
        let _: u32 = DataOffset;
    }
    let _ = eventlogrecord;
    fn eventlog_full_information(v: EVENTLOG_FULL_INFORMATION) {
        let EVENTLOG_FULL_INFORMATION { dwFull } = v;
        let _: u32 = dwFull;
    }
    let _ = eventlog_full_information;
    fn eventsforlogfile(v: EVENTSFORLOGFILE) {
        let EVENTSFORLOGFILE {
            ulSize,
            szLogicalLogFile,
            ulNumRecords,
            pEventLogRecords,
        } = v;
        let _: u32 = ulSize;
        let _: [u16; 256] = szLogicalLogFile;
        let _: u32 = ulNumRecords;
        let _: [EVENTLOGRECORD; 1] = pEventLogRecords;
    }
    let _ = eventsforlogfile;
    fn evt_rpc_login(v: EVT_RPC_LOGIN) {
        let EVT_RPC_LOGIN {
            Server,
            User,
            Domain,
            Password,
            Flags,
        } = v;
        let _: PWSTR = Server;
        let _: PWSTR = User;
        let _: PWSTR = Domain;
        let _: PWSTR = Password;
        let _: u32 = Flags;
    }
    let _ = evt_rpc_login;
    fn evt_variant(v: EVT_VARIANT) {
        let EVT_VARIANT {
            Anonymous,
            Count,
            Type,
        } = v;
        let _: EVT_VARIANT_0 = Anonymous;
        let _: u32 = Count;
        let _: u32 = Type;
    }
    let _ = evt_variant;
    fn evt_variant_0(v: EVT_VARIANT_0) {
        // SAFETY: every field is plain data or a pointer, never dereferenced.
        unsafe {
            let _: BOOL = v.BooleanVal;
            let _: i8 = v.SByteVal;
            let _: i16 = v.Int16Val;
            let _: i32 = v.Int32Val;
            let _: i64 = v.Int64Val;
            let _: u8 = v.ByteVal;
            let _: u16 = v.UInt16Val;
            let _: u32 = v.UInt32Val;
            let _: u64 = v.UInt64Val;
            let _: f32 = v.SingleVal;
            let _: f64 = v.DoubleVal;
            let _: u64 = v.FileTimeVal;
            let _: *mut SYSTEMTIME = v.SysTimeVal;
            let _: *mut GUID = v.GuidVal;
            let _: PCWSTR = v.StringVal;
            let _: PCSTR = v.AnsiStringVal;
            let _: *mut u8 = v.BinaryVal;
            let _: PSID = v.SidVal;
            let _: usize = v.SizeTVal;
            let _: *mut BOOL = v.BooleanArr;
            let _: *mut i8 = v.SByteArr;
            let _: *mut i16 = v.Int16Arr;
            let _: *mut i32 = v.Int32Arr;
            let _: *mut i64 = v.Int64Arr;
            let _: *mut u8 = v.ByteArr;
            let _: *mut u16 = v.UInt16Arr;
            let _: *mut u32 = v.UInt32Arr;
            let _: *mut u64 = v.UInt64Arr;
            let _: *mut f32 = v.SingleArr;
            let _: *mut f64 = v.DoubleArr;
            let _: *mut FILETIME = v.FileTimeArr;
            let _: *mut SYSTEMTIME = v.SysTimeArr;
            let _: *mut GUID = v.GuidArr;
            let _: *mut PWSTR = v.StringArr;
            let _: *mut PSTR = v.AnsiStringArr;
            let _: *mut PSID = v.SidArr;
            let _: *mut usize = v.SizeTArr;
            let _: EVT_HANDLE = v.EvtHandleVal;
            let _: PCWSTR = v.XmlVal;
            let _: *const PCWSTR = v.XmlValArr;
        }
    }
    let _ = evt_variant_0;
    // Layouts: windows-sys's are repr(C) with these sizes and offsets.
    assert_eq!(size_of::<EVT_VARIANT>(), 16);
    assert_eq!(offset_of!(EVT_VARIANT, Count), 8);
    assert_eq!(offset_of!(EVT_VARIANT, Type), 12);
    assert_eq!(size_of::<EVT_VARIANT_0>(), 8);
    assert_eq!(offset_of!(EVT_RPC_LOGIN, Flags), 4 * size_of::<usize>());
    assert_eq!(size_of::<EVENTLOGRECORD>(), 56);
    assert_eq!(offset_of!(EVENTLOGRECORD, EventType), 24);
    assert_eq!(offset_of!(EVENTLOGRECORD, ClosingRecordNumber), 32);
    assert_eq!(offset_of!(EVENTLOGRECORD, DataOffset), 52);
    assert_eq!(size_of::<EVENTLOG_FULL_INFORMATION>(), 4);
    assert_eq!(offset_of!(EVENTSFORLOGFILE, ulNumRecords), 516);
    assert_eq!(offset_of!(EVENTSFORLOGFILE, pEventLogRecords), 520);
    assert_eq!(size_of::<EVENTSFORLOGFILE>(), 576);
}

/// A value of any type, for calls that are compiled and never made.
fn any<T>() -> T {
    unreachable!("never called")
}

/// windows-sys's signature (the pointer type fixes it) and `unsafe`: a safe function would
/// make the `unsafe` block around its call unused, and `unused_unsafe` is denied in this file
/// (the warning ported code would get under `-D warnings`).
macro_rules! unsafe_fn {
    ($name:ident: fn($($arg:ty),*) $(-> $ret:ty)?) => {{
        let _: unsafe extern "system" fn($($arg),*) $(-> $ret)? = $name;
        let _ = || unsafe { $name($(any::<$arg>()),*) };
    }};
}

#[test]
fn exported_functions_are_unsafe_with_windows_sys_signatures() {
    unsafe_fn!(EvtArchiveExportedLog: fn(EVT_HANDLE, PCWSTR, u32, u32) -> BOOL);
    unsafe_fn!(EvtCancel: fn(EVT_HANDLE) -> BOOL);
    unsafe_fn!(EvtClearLog: fn(EVT_HANDLE, PCWSTR, PCWSTR, u32) -> BOOL);
    unsafe_fn!(EvtClose: fn(EVT_HANDLE) -> BOOL);
    unsafe_fn!(EvtCreateBookmark: fn(PCWSTR) -> EVT_HANDLE);
    unsafe_fn!(EvtCreateRenderContext: fn(u32, *const PCWSTR, u32) -> EVT_HANDLE);
    unsafe_fn!(EvtExportLog: fn(EVT_HANDLE, PCWSTR, PCWSTR, PCWSTR, u32) -> BOOL);
    unsafe_fn!(EvtGetEventInfo: fn(EVT_HANDLE, EVT_EVENT_PROPERTY_ID, u32, *mut EVT_VARIANT, *mut u32) -> BOOL);
    unsafe_fn!(EvtGetExtendedStatus: fn(u32, PWSTR, *mut u32) -> u32);
    unsafe_fn!(EvtGetLogInfo: fn(EVT_HANDLE, EVT_LOG_PROPERTY_ID, u32, *mut EVT_VARIANT, *mut u32) -> BOOL);
    unsafe_fn!(EvtGetQueryInfo: fn(EVT_HANDLE, EVT_QUERY_PROPERTY_ID, u32, *mut EVT_VARIANT, *mut u32) -> BOOL);
    unsafe_fn!(EvtNext: fn(EVT_HANDLE, u32, *mut isize, u32, u32, *mut u32) -> BOOL);
    unsafe_fn!(EvtNextChannelPath: fn(EVT_HANDLE, u32, PWSTR, *mut u32) -> BOOL);
    unsafe_fn!(EvtOpenChannelEnum: fn(EVT_HANDLE, u32) -> EVT_HANDLE);
    unsafe_fn!(EvtOpenLog: fn(EVT_HANDLE, PCWSTR, u32) -> EVT_HANDLE);
    unsafe_fn!(EvtOpenSession: fn(EVT_LOGIN_CLASS, *const c_void, u32, u32) -> EVT_HANDLE);
    unsafe_fn!(EvtQuery: fn(EVT_HANDLE, PCWSTR, PCWSTR, u32) -> EVT_HANDLE);
    unsafe_fn!(EvtRender: fn(EVT_HANDLE, EVT_HANDLE, u32, u32, *mut c_void, *mut u32, *mut u32) -> BOOL);
    unsafe_fn!(EvtSeek: fn(EVT_HANDLE, i64, EVT_HANDLE, u32, u32) -> BOOL);
    unsafe_fn!(
        EvtSubscribe: fn(
            EVT_HANDLE,
            HANDLE,
            PCWSTR,
            PCWSTR,
            EVT_HANDLE,
            *const c_void,
            EVT_SUBSCRIBE_CALLBACK,
            u32
        ) -> EVT_HANDLE
    );
    unsafe_fn!(EvtUpdateBookmark: fn(EVT_HANDLE, EVT_HANDLE) -> BOOL);
    unsafe_fn!(
        EvtFormatMessage: fn(
            EVT_HANDLE,
            EVT_HANDLE,
            u32,
            u32,
            *const EVT_VARIANT,
            u32,
            u32,
            PWSTR,
            *mut u32
        ) -> BOOL
    );
    unsafe_fn!(EvtOpenChannelConfig: fn(EVT_HANDLE, PCWSTR, u32) -> EVT_HANDLE);
    unsafe_fn!(
        EvtGetChannelConfigProperty: fn(
            EVT_HANDLE,
            EVT_CHANNEL_CONFIG_PROPERTY_ID,
            u32,
            u32,
            *mut EVT_VARIANT,
            *mut u32
        ) -> BOOL
    );
    unsafe_fn!(
        EvtSetChannelConfigProperty: fn(
            EVT_HANDLE,
            EVT_CHANNEL_CONFIG_PROPERTY_ID,
            u32,
            *const EVT_VARIANT
        ) -> BOOL
    );
    unsafe_fn!(EvtSaveChannelConfig: fn(EVT_HANDLE, u32) -> BOOL);
    unsafe_fn!(EvtOpenPublisherEnum: fn(EVT_HANDLE, u32) -> EVT_HANDLE);
    unsafe_fn!(EvtNextPublisherId: fn(EVT_HANDLE, u32, PWSTR, *mut u32) -> BOOL);
    unsafe_fn!(EvtOpenPublisherMetadata: fn(EVT_HANDLE, PCWSTR, PCWSTR, u32, u32) -> EVT_HANDLE);
    unsafe_fn!(
        EvtGetPublisherMetadataProperty: fn(
            EVT_HANDLE,
            EVT_PUBLISHER_METADATA_PROPERTY_ID,
            u32,
            u32,
            *mut EVT_VARIANT,
            *mut u32
        ) -> BOOL
    );
    unsafe_fn!(EvtGetObjectArraySize: fn(isize, *mut u32) -> BOOL);
    unsafe_fn!(
        EvtGetObjectArrayProperty: fn(isize, u32, u32, u32, u32, *mut EVT_VARIANT, *mut u32) -> BOOL
    );
    unsafe_fn!(EvtOpenEventMetadataEnum: fn(EVT_HANDLE, u32) -> EVT_HANDLE);
    unsafe_fn!(EvtNextEventMetadata: fn(EVT_HANDLE, u32) -> EVT_HANDLE);
    unsafe_fn!(
        EvtGetEventMetadataProperty: fn(
            EVT_HANDLE,
            EVT_EVENT_METADATA_PROPERTY_ID,
            u32,
            u32,
            *mut EVT_VARIANT,
            *mut u32
        ) -> BOOL
    );
    // advapi32's classic event log (the same module of windows-sys).
    unsafe_fn!(BackupEventLogA: fn(HANDLE, PCSTR) -> BOOL);
    unsafe_fn!(BackupEventLogW: fn(HANDLE, PCWSTR) -> BOOL);
    unsafe_fn!(ClearEventLogA: fn(HANDLE, PCSTR) -> BOOL);
    unsafe_fn!(ClearEventLogW: fn(HANDLE, PCWSTR) -> BOOL);
    unsafe_fn!(CloseEventLog: fn(HANDLE) -> BOOL);
    unsafe_fn!(DeregisterEventSource: fn(HANDLE) -> BOOL);
    unsafe_fn!(GetEventLogInformation: fn(HANDLE, u32, *mut c_void, u32, *mut u32) -> BOOL);
    unsafe_fn!(GetNumberOfEventLogRecords: fn(HANDLE, *mut u32) -> BOOL);
    unsafe_fn!(GetOldestEventLogRecord: fn(HANDLE, *mut u32) -> BOOL);
    unsafe_fn!(NotifyChangeEventLog: fn(HANDLE, HANDLE) -> BOOL);
    unsafe_fn!(OpenBackupEventLogA: fn(PCSTR, PCSTR) -> HANDLE);
    unsafe_fn!(OpenBackupEventLogW: fn(PCWSTR, PCWSTR) -> HANDLE);
    unsafe_fn!(OpenEventLogA: fn(PCSTR, PCSTR) -> HANDLE);
    unsafe_fn!(OpenEventLogW: fn(PCWSTR, PCWSTR) -> HANDLE);
    unsafe_fn!(
        ReadEventLogA: fn(
            HANDLE,
            READ_EVENT_LOG_READ_FLAGS,
            u32,
            *mut c_void,
            u32,
            *mut u32,
            *mut u32
        ) -> BOOL
    );
    unsafe_fn!(
        ReadEventLogW: fn(
            HANDLE,
            READ_EVENT_LOG_READ_FLAGS,
            u32,
            *mut c_void,
            u32,
            *mut u32,
            *mut u32
        ) -> BOOL
    );
    unsafe_fn!(RegisterEventSourceA: fn(PCSTR, PCSTR) -> HANDLE);
    unsafe_fn!(RegisterEventSourceW: fn(PCWSTR, PCWSTR) -> HANDLE);
    unsafe_fn!(
        ReportEventA: fn(
            HANDLE,
            REPORT_EVENT_TYPE,
            u16,
            u32,
            PSID,
            u16,
            u32,
            *const PCSTR,
            *const c_void
        ) -> BOOL
    );
    unsafe_fn!(
        ReportEventW: fn(
            HANDLE,
            REPORT_EVENT_TYPE,
            u16,
            u32,
            PSID,
            u16,
            u32,
            *const PCWSTR,
            *const c_void
        ) -> BOOL
    );
    // Win32::System::Diagnostics::Etw: the provider functions exported (EventAccessControl,
    // EventAccessQuery, EventAccessRemove and EventSetInformation are not).
    unsafe_fn!(EventRegister: fn(*const GUID, PENABLECALLBACK, *const c_void, *mut u64) -> u32);
    unsafe_fn!(EventUnregister: fn(REGHANDLE) -> u32);
    unsafe_fn!(
        EventWrite: fn(REGHANDLE, *const EVENT_DESCRIPTOR, u32, *const EVENT_DATA_DESCRIPTOR) -> u32
    );
    unsafe_fn!(
        EventWriteTransfer: fn(
            REGHANDLE,
            *const EVENT_DESCRIPTOR,
            *const GUID,
            *const GUID,
            u32,
            *const EVENT_DATA_DESCRIPTOR
        ) -> u32
    );
    unsafe_fn!(
        EventWriteEx: fn(
            REGHANDLE,
            *const EVENT_DESCRIPTOR,
            u64,
            u32,
            *const GUID,
            *const GUID,
            u32,
            *const EVENT_DATA_DESCRIPTOR
        ) -> u32
    );
    unsafe_fn!(EventWriteString: fn(REGHANDLE, u8, u64, PCWSTR) -> u32);
    unsafe_fn!(EventEnabled: fn(REGHANDLE, *const EVENT_DESCRIPTOR) -> BOOLEAN);
    unsafe_fn!(EventProviderEnabled: fn(REGHANDLE, u8, u64) -> BOOLEAN);
    unsafe_fn!(EventActivityIdControl: fn(u32, *mut GUID) -> u32);
    // REGHANDLE and BOOLEAN are windows-sys's types.
    alias!(REGHANDLE = i64);
    alias!(BOOLEAN = u8);
    // kernel32's (Foundation and Threading) that the pull model and every caller use.
    unsafe_fn!(GetLastError: fn() -> WIN32_ERROR);
    unsafe_fn!(SetLastError: fn(WIN32_ERROR));
    unsafe_fn!(CreateEventW: fn(*const SECURITY_ATTRIBUTES, BOOL, BOOL, PCWSTR) -> HANDLE);
    unsafe_fn!(SetEvent: fn(HANDLE) -> BOOL);
    unsafe_fn!(ResetEvent: fn(HANDLE) -> BOOL);
    unsafe_fn!(WaitForSingleObject: fn(HANDLE, u32) -> WAIT_EVENT);
    unsafe_fn!(CloseHandle: fn(HANDLE) -> BOOL);
}
