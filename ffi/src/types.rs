//! The items of `windows_sys::Win32::System::EventLog` (windows-sys 0.59), every constant,
//! type and struct of that module with the same name, type, layout and value, and the few of
//! `Foundation`, `Security` and `core` its functions use (BOOL, HANDLE, PCWSTR, PSID, GUID,
//! SYSTEMTIME, FILETIME), plus the Win32 error codes the functions report. Rust written for
//! Windows compiles against these unchanged; `ffi/tests/windows_sys_items.rs` names every
//! item with its type, so a missing or retyped one fails to compile.
//!
//! Invariant: each type is windows-sys's, not a convenient one: the property ids, the login
//! class, the notify action and the variant type are `i32` (C enums), the flags `u32`,
//! `REPORT_EVENT_TYPE` `u16`, `HANDLE` a pointer while `EVT_HANDLE` is an `isize`.

use std::ffi::c_void;

// Foundation, Security and core.
pub type BOOL = i32;
pub type HANDLE = *mut c_void;
pub type PCWSTR = *const u16;
pub type PWSTR = *mut u16;
pub type PCSTR = *const u8;
pub type PSTR = *mut u8;
pub type PSID = *mut c_void;
pub type WIN32_ERROR = u32;
pub const TRUE: BOOL = 1;
pub const FALSE: BOOL = 0;
/// INFINITE: EvtNext's and WaitForSingleObject's wait without a timeout.
pub const INFINITE: u32 = 0xFFFF_FFFF;

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GUID {
    pub data1: u32,
    pub data2: u16,
    pub data3: u16,
    pub data4: [u8; 8],
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SYSTEMTIME {
    pub wYear: u16,
    pub wMonth: u16,
    pub wDayOfWeek: u16,
    pub wDay: u16,
    pub wHour: u16,
    pub wMinute: u16,
    pub wSecond: u16,
    pub wMilliseconds: u16,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FILETIME {
    pub dwLowDateTime: u32,
    pub dwHighDateTime: u32,
}

/// SECURITY_ATTRIBUTES (CreateEventW's first argument; the emulation takes only NULL).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct SECURITY_ATTRIBUTES {
    pub nLength: u32,
    pub lpSecurityDescriptor: *mut c_void,
    pub bInheritHandle: BOOL,
}

// The EventLog module's types.
pub type EVT_HANDLE = isize;
/// winevt.h's name for the handle EvtGetObjectArraySize takes (windows-sys writes `isize`).
pub type EVT_OBJECT_ARRAY_PROPERTY_HANDLE = isize;
pub type EVT_CHANNEL_CLOCK_TYPE = i32;
pub type EVT_CHANNEL_CONFIG_PROPERTY_ID = i32;
pub type EVT_CHANNEL_ISOLATION_TYPE = i32;
pub type EVT_CHANNEL_REFERENCE_FLAGS = u32;
pub type EVT_CHANNEL_SID_TYPE = i32;
pub type EVT_CHANNEL_TYPE = i32;
pub type EVT_EVENT_METADATA_PROPERTY_ID = i32;
pub type EVT_EVENT_PROPERTY_ID = i32;
pub type EVT_EXPORTLOG_FLAGS = u32;
pub type EVT_FORMAT_MESSAGE_FLAGS = u32;
pub type EVT_LOGIN_CLASS = i32;
pub type EVT_LOG_PROPERTY_ID = i32;
pub type EVT_OPEN_LOG_FLAGS = u32;
pub type EVT_PUBLISHER_METADATA_PROPERTY_ID = i32;
pub type EVT_QUERY_FLAGS = u32;
pub type EVT_QUERY_PROPERTY_ID = i32;
pub type EVT_RENDER_CONTEXT_FLAGS = u32;
pub type EVT_RENDER_FLAGS = u32;
pub type EVT_RPC_LOGIN_FLAGS = u32;
pub type EVT_SEEK_FLAGS = u32;
pub type EVT_SUBSCRIBE_FLAGS = u32;
pub type EVT_SUBSCRIBE_NOTIFY_ACTION = i32;
pub type EVT_SYSTEM_PROPERTY_ID = i32;
pub type EVT_VARIANT_TYPE = i32;
pub type READ_EVENT_LOG_READ_FLAGS = u32;
pub type REPORT_EVENT_TYPE = u16;

/// EVT_SUBSCRIBE_CALLBACK: `None` is NULL.
pub type EVT_SUBSCRIBE_CALLBACK = Option<
    unsafe extern "system" fn(
        action: EVT_SUBSCRIBE_NOTIFY_ACTION,
        usercontext: *const c_void,
        event: EVT_HANDLE,
    ) -> u32,
>;

/// EVT_RPC_LOGIN.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct EVT_RPC_LOGIN {
    pub Server: PWSTR,
    pub User: PWSTR,
    pub Domain: PWSTR,
    pub Password: PWSTR,
    pub Flags: u32,
}

/// EVT_VARIANT: 16 bytes, the union first.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct EVT_VARIANT {
    pub Anonymous: EVT_VARIANT_0,
    pub Count: u32,
    pub Type: u32,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub union EVT_VARIANT_0 {
    pub BooleanVal: BOOL,
    pub SByteVal: i8,
    pub Int16Val: i16,
    pub Int32Val: i32,
    pub Int64Val: i64,
    pub ByteVal: u8,
    pub UInt16Val: u16,
    pub UInt32Val: u32,
    pub UInt64Val: u64,
    pub SingleVal: f32,
    pub DoubleVal: f64,
    pub FileTimeVal: u64,
    pub SysTimeVal: *mut SYSTEMTIME,
    pub GuidVal: *mut GUID,
    pub StringVal: PCWSTR,
    pub AnsiStringVal: PCSTR,
    pub BinaryVal: *mut u8,
    pub SidVal: PSID,
    pub SizeTVal: usize,
    pub BooleanArr: *mut BOOL,
    pub SByteArr: *mut i8,
    pub Int16Arr: *mut i16,
    pub Int32Arr: *mut i32,
    pub Int64Arr: *mut i64,
    pub ByteArr: *mut u8,
    pub UInt16Arr: *mut u16,
    pub UInt32Arr: *mut u32,
    pub UInt64Arr: *mut u64,
    pub SingleArr: *mut f32,
    pub DoubleArr: *mut f64,
    pub FileTimeArr: *mut FILETIME,
    pub SysTimeArr: *mut SYSTEMTIME,
    pub GuidArr: *mut GUID,
    pub StringArr: *mut PWSTR,
    pub AnsiStringArr: *mut PSTR,
    pub SidArr: *mut PSID,
    pub SizeTArr: *mut usize,
    pub EvtHandleVal: EVT_HANDLE,
    pub XmlVal: PCWSTR,
    pub XmlValArr: *const PCWSTR,
}

/// EVENTLOGRECORD: the header of a classic (advapi32) event record; its strings, SID and
/// data follow it at the offsets it gives.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct EVENTLOGRECORD {
    pub Length: u32,
    pub Reserved: u32,
    pub RecordNumber: u32,
    pub TimeGenerated: u32,
    pub TimeWritten: u32,
    pub EventID: u32,
    pub EventType: REPORT_EVENT_TYPE,
    pub NumStrings: u16,
    pub EventCategory: u16,
    pub ReservedFlags: u16,
    pub ClosingRecordNumber: u32,
    pub StringOffset: u32,
    pub UserSidLength: u32,
    pub UserSidOffset: u32,
    pub DataLength: u32,
    pub DataOffset: u32,
}

/// EVENTLOG_FULL_INFORMATION: GetEventLogInformation's EVENTLOG_FULL_INFO answer.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct EVENTLOG_FULL_INFORMATION {
    pub dwFull: u32,
}

/// EVENTSFORLOGFILE.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct EVENTSFORLOGFILE {
    pub ulSize: u32,
    pub szLogicalLogFile: [u16; 256],
    pub ulNumRecords: u32,
    pub pEventLogRecords: [EVENTLOGRECORD; 1],
}

// EVT_LOGIN_CLASS.
pub const EvtRpcLogin: EVT_LOGIN_CLASS = 1;

// EVT_RPC_LOGIN_FLAGS.
pub const EvtRpcLoginAuthDefault: EVT_RPC_LOGIN_FLAGS = 0;
pub const EvtRpcLoginAuthNegotiate: EVT_RPC_LOGIN_FLAGS = 1;
pub const EvtRpcLoginAuthKerberos: EVT_RPC_LOGIN_FLAGS = 2;
pub const EvtRpcLoginAuthNTLM: EVT_RPC_LOGIN_FLAGS = 3;

// EVT_VARIANT_TYPE.
pub const EvtVarTypeNull: EVT_VARIANT_TYPE = 0;
pub const EvtVarTypeString: EVT_VARIANT_TYPE = 1;
pub const EvtVarTypeAnsiString: EVT_VARIANT_TYPE = 2;
pub const EvtVarTypeSByte: EVT_VARIANT_TYPE = 3;
pub const EvtVarTypeByte: EVT_VARIANT_TYPE = 4;
pub const EvtVarTypeInt16: EVT_VARIANT_TYPE = 5;
pub const EvtVarTypeUInt16: EVT_VARIANT_TYPE = 6;
pub const EvtVarTypeInt32: EVT_VARIANT_TYPE = 7;
pub const EvtVarTypeUInt32: EVT_VARIANT_TYPE = 8;
pub const EvtVarTypeInt64: EVT_VARIANT_TYPE = 9;
pub const EvtVarTypeUInt64: EVT_VARIANT_TYPE = 10;
pub const EvtVarTypeSingle: EVT_VARIANT_TYPE = 11;
pub const EvtVarTypeDouble: EVT_VARIANT_TYPE = 12;
pub const EvtVarTypeBoolean: EVT_VARIANT_TYPE = 13;
pub const EvtVarTypeBinary: EVT_VARIANT_TYPE = 14;
pub const EvtVarTypeGuid: EVT_VARIANT_TYPE = 15;
pub const EvtVarTypeSizeT: EVT_VARIANT_TYPE = 16;
pub const EvtVarTypeFileTime: EVT_VARIANT_TYPE = 17;
pub const EvtVarTypeSysTime: EVT_VARIANT_TYPE = 18;
pub const EvtVarTypeSid: EVT_VARIANT_TYPE = 19;
pub const EvtVarTypeHexInt32: EVT_VARIANT_TYPE = 20;
pub const EvtVarTypeHexInt64: EVT_VARIANT_TYPE = 21;
pub const EvtVarTypeEvtHandle: EVT_VARIANT_TYPE = 32;
pub const EvtVarTypeEvtXml: EVT_VARIANT_TYPE = 35;

// access rights and EVT_VARIANT_TYPE bits (plain u32).
pub const EVT_READ_ACCESS: u32 = 1;
pub const EVT_WRITE_ACCESS: u32 = 2;
pub const EVT_CLEAR_ACCESS: u32 = 4;
pub const EVT_ALL_ACCESS: u32 = 7;
pub const EVT_VARIANT_TYPE_MASK: u32 = 0x7f;
pub const EVT_VARIANT_TYPE_ARRAY: u32 = 0x80;

// EVT_QUERY_FLAGS.
pub const EvtQueryChannelPath: EVT_QUERY_FLAGS = 1;
pub const EvtQueryFilePath: EVT_QUERY_FLAGS = 2;
pub const EvtQueryForwardDirection: EVT_QUERY_FLAGS = 0x100;
pub const EvtQueryReverseDirection: EVT_QUERY_FLAGS = 0x200;
pub const EvtQueryTolerateQueryErrors: EVT_QUERY_FLAGS = 0x1000;

// EVT_SEEK_FLAGS.
pub const EvtSeekRelativeToFirst: EVT_SEEK_FLAGS = 1;
pub const EvtSeekRelativeToLast: EVT_SEEK_FLAGS = 2;
pub const EvtSeekRelativeToCurrent: EVT_SEEK_FLAGS = 3;
pub const EvtSeekRelativeToBookmark: EVT_SEEK_FLAGS = 4;
pub const EvtSeekOriginMask: EVT_SEEK_FLAGS = 7;
pub const EvtSeekStrict: EVT_SEEK_FLAGS = 0x10000;

// EVT_SUBSCRIBE_FLAGS.
pub const EvtSubscribeToFutureEvents: EVT_SUBSCRIBE_FLAGS = 1;
pub const EvtSubscribeStartAtOldestRecord: EVT_SUBSCRIBE_FLAGS = 2;
pub const EvtSubscribeOriginMask: EVT_SUBSCRIBE_FLAGS = 3;
pub const EvtSubscribeStartAfterBookmark: EVT_SUBSCRIBE_FLAGS = 3;
pub const EvtSubscribeTolerateQueryErrors: EVT_SUBSCRIBE_FLAGS = 0x1000;
pub const EvtSubscribeStrict: EVT_SUBSCRIBE_FLAGS = 0x10000;

// EVT_SUBSCRIBE_NOTIFY_ACTION.
pub const EvtSubscribeActionError: EVT_SUBSCRIBE_NOTIFY_ACTION = 0;
pub const EvtSubscribeActionDeliver: EVT_SUBSCRIBE_NOTIFY_ACTION = 1;

// EVT_SYSTEM_PROPERTY_ID.
pub const EvtSystemProviderName: EVT_SYSTEM_PROPERTY_ID = 0;
pub const EvtSystemProviderGuid: EVT_SYSTEM_PROPERTY_ID = 1;
pub const EvtSystemEventID: EVT_SYSTEM_PROPERTY_ID = 2;
pub const EvtSystemQualifiers: EVT_SYSTEM_PROPERTY_ID = 3;
pub const EvtSystemLevel: EVT_SYSTEM_PROPERTY_ID = 4;
pub const EvtSystemTask: EVT_SYSTEM_PROPERTY_ID = 5;
pub const EvtSystemOpcode: EVT_SYSTEM_PROPERTY_ID = 6;
pub const EvtSystemKeywords: EVT_SYSTEM_PROPERTY_ID = 7;
pub const EvtSystemTimeCreated: EVT_SYSTEM_PROPERTY_ID = 8;
pub const EvtSystemEventRecordId: EVT_SYSTEM_PROPERTY_ID = 9;
pub const EvtSystemActivityID: EVT_SYSTEM_PROPERTY_ID = 10;
pub const EvtSystemRelatedActivityID: EVT_SYSTEM_PROPERTY_ID = 11;
pub const EvtSystemProcessID: EVT_SYSTEM_PROPERTY_ID = 12;
pub const EvtSystemThreadID: EVT_SYSTEM_PROPERTY_ID = 13;
pub const EvtSystemChannel: EVT_SYSTEM_PROPERTY_ID = 14;
pub const EvtSystemComputer: EVT_SYSTEM_PROPERTY_ID = 15;
pub const EvtSystemUserID: EVT_SYSTEM_PROPERTY_ID = 16;
pub const EvtSystemVersion: EVT_SYSTEM_PROPERTY_ID = 17;
pub const EvtSystemPropertyIdEND: EVT_SYSTEM_PROPERTY_ID = 18;

// EVT_RENDER_CONTEXT_FLAGS.
pub const EvtRenderContextValues: EVT_RENDER_CONTEXT_FLAGS = 0;
pub const EvtRenderContextSystem: EVT_RENDER_CONTEXT_FLAGS = 1;
pub const EvtRenderContextUser: EVT_RENDER_CONTEXT_FLAGS = 2;

// EVT_RENDER_FLAGS.
pub const EvtRenderEventValues: EVT_RENDER_FLAGS = 0;
pub const EvtRenderEventXml: EVT_RENDER_FLAGS = 1;
pub const EvtRenderBookmark: EVT_RENDER_FLAGS = 2;

// EVT_FORMAT_MESSAGE_FLAGS.
pub const EvtFormatMessageEvent: EVT_FORMAT_MESSAGE_FLAGS = 1;
pub const EvtFormatMessageLevel: EVT_FORMAT_MESSAGE_FLAGS = 2;
pub const EvtFormatMessageTask: EVT_FORMAT_MESSAGE_FLAGS = 3;
pub const EvtFormatMessageOpcode: EVT_FORMAT_MESSAGE_FLAGS = 4;
pub const EvtFormatMessageKeyword: EVT_FORMAT_MESSAGE_FLAGS = 5;
pub const EvtFormatMessageChannel: EVT_FORMAT_MESSAGE_FLAGS = 6;
pub const EvtFormatMessageProvider: EVT_FORMAT_MESSAGE_FLAGS = 7;
pub const EvtFormatMessageId: EVT_FORMAT_MESSAGE_FLAGS = 8;
pub const EvtFormatMessageXml: EVT_FORMAT_MESSAGE_FLAGS = 9;

// EVT_OPEN_LOG_FLAGS.
pub const EvtOpenChannelPath: EVT_OPEN_LOG_FLAGS = 1;
pub const EvtOpenFilePath: EVT_OPEN_LOG_FLAGS = 2;

// EVT_LOG_PROPERTY_ID.
pub const EvtLogCreationTime: EVT_LOG_PROPERTY_ID = 0;
pub const EvtLogLastAccessTime: EVT_LOG_PROPERTY_ID = 1;
pub const EvtLogLastWriteTime: EVT_LOG_PROPERTY_ID = 2;
pub const EvtLogFileSize: EVT_LOG_PROPERTY_ID = 3;
pub const EvtLogAttributes: EVT_LOG_PROPERTY_ID = 4;
pub const EvtLogNumberOfLogRecords: EVT_LOG_PROPERTY_ID = 5;
pub const EvtLogOldestRecordNumber: EVT_LOG_PROPERTY_ID = 6;
pub const EvtLogFull: EVT_LOG_PROPERTY_ID = 7;

// EVT_EXPORTLOG_FLAGS.
pub const EvtExportLogChannelPath: EVT_EXPORTLOG_FLAGS = 1;
pub const EvtExportLogFilePath: EVT_EXPORTLOG_FLAGS = 2;
pub const EvtExportLogTolerateQueryErrors: EVT_EXPORTLOG_FLAGS = 0x1000;
pub const EvtExportLogOverwrite: EVT_EXPORTLOG_FLAGS = 0x2000;

// EVT_QUERY_PROPERTY_ID.
pub const EvtQueryNames: EVT_QUERY_PROPERTY_ID = 0;
pub const EvtQueryStatuses: EVT_QUERY_PROPERTY_ID = 1;
pub const EvtQueryPropertyIdEND: EVT_QUERY_PROPERTY_ID = 2;

// EVT_EVENT_PROPERTY_ID.
pub const EvtEventQueryIDs: EVT_EVENT_PROPERTY_ID = 0;
pub const EvtEventPath: EVT_EVENT_PROPERTY_ID = 1;
pub const EvtEventPropertyIdEND: EVT_EVENT_PROPERTY_ID = 2;

// EVT_CHANNEL_TYPE.
pub const EvtChannelTypeAdmin: EVT_CHANNEL_TYPE = 0;
pub const EvtChannelTypeOperational: EVT_CHANNEL_TYPE = 1;
pub const EvtChannelTypeAnalytic: EVT_CHANNEL_TYPE = 2;
pub const EvtChannelTypeDebug: EVT_CHANNEL_TYPE = 3;

// EVT_CHANNEL_ISOLATION_TYPE.
pub const EvtChannelIsolationTypeApplication: EVT_CHANNEL_ISOLATION_TYPE = 0;
pub const EvtChannelIsolationTypeSystem: EVT_CHANNEL_ISOLATION_TYPE = 1;
pub const EvtChannelIsolationTypeCustom: EVT_CHANNEL_ISOLATION_TYPE = 2;

// EVT_CHANNEL_CLOCK_TYPE.
pub const EvtChannelClockTypeSystemTime: EVT_CHANNEL_CLOCK_TYPE = 0;
pub const EvtChannelClockTypeQPC: EVT_CHANNEL_CLOCK_TYPE = 1;

// EVT_CHANNEL_SID_TYPE.
pub const EvtChannelSidTypeNone: EVT_CHANNEL_SID_TYPE = 0;
pub const EvtChannelSidTypePublishing: EVT_CHANNEL_SID_TYPE = 1;

// EVT_CHANNEL_REFERENCE_FLAGS.
pub const EvtChannelReferenceImported: EVT_CHANNEL_REFERENCE_FLAGS = 1;

// EVT_CHANNEL_CONFIG_PROPERTY_ID.
pub const EvtChannelConfigEnabled: EVT_CHANNEL_CONFIG_PROPERTY_ID = 0;
pub const EvtChannelConfigIsolation: EVT_CHANNEL_CONFIG_PROPERTY_ID = 1;
pub const EvtChannelConfigType: EVT_CHANNEL_CONFIG_PROPERTY_ID = 2;
pub const EvtChannelConfigOwningPublisher: EVT_CHANNEL_CONFIG_PROPERTY_ID = 3;
pub const EvtChannelConfigClassicEventlog: EVT_CHANNEL_CONFIG_PROPERTY_ID = 4;
pub const EvtChannelConfigAccess: EVT_CHANNEL_CONFIG_PROPERTY_ID = 5;
pub const EvtChannelLoggingConfigRetention: EVT_CHANNEL_CONFIG_PROPERTY_ID = 6;
pub const EvtChannelLoggingConfigAutoBackup: EVT_CHANNEL_CONFIG_PROPERTY_ID = 7;
pub const EvtChannelLoggingConfigMaxSize: EVT_CHANNEL_CONFIG_PROPERTY_ID = 8;
pub const EvtChannelLoggingConfigLogFilePath: EVT_CHANNEL_CONFIG_PROPERTY_ID = 9;
pub const EvtChannelPublishingConfigLevel: EVT_CHANNEL_CONFIG_PROPERTY_ID = 10;
pub const EvtChannelPublishingConfigKeywords: EVT_CHANNEL_CONFIG_PROPERTY_ID = 11;
pub const EvtChannelPublishingConfigControlGuid: EVT_CHANNEL_CONFIG_PROPERTY_ID = 12;
pub const EvtChannelPublishingConfigBufferSize: EVT_CHANNEL_CONFIG_PROPERTY_ID = 13;
pub const EvtChannelPublishingConfigMinBuffers: EVT_CHANNEL_CONFIG_PROPERTY_ID = 14;
pub const EvtChannelPublishingConfigMaxBuffers: EVT_CHANNEL_CONFIG_PROPERTY_ID = 15;
pub const EvtChannelPublishingConfigLatency: EVT_CHANNEL_CONFIG_PROPERTY_ID = 16;
pub const EvtChannelPublishingConfigClockType: EVT_CHANNEL_CONFIG_PROPERTY_ID = 17;
pub const EvtChannelPublishingConfigSidType: EVT_CHANNEL_CONFIG_PROPERTY_ID = 18;
pub const EvtChannelPublisherList: EVT_CHANNEL_CONFIG_PROPERTY_ID = 19;
pub const EvtChannelPublishingConfigFileMax: EVT_CHANNEL_CONFIG_PROPERTY_ID = 20;
pub const EvtChannelConfigPropertyIdEND: EVT_CHANNEL_CONFIG_PROPERTY_ID = 21;

// EVT_PUBLISHER_METADATA_PROPERTY_ID.
pub const EvtPublisherMetadataPublisherGuid: EVT_PUBLISHER_METADATA_PROPERTY_ID = 0;
pub const EvtPublisherMetadataResourceFilePath: EVT_PUBLISHER_METADATA_PROPERTY_ID = 1;
pub const EvtPublisherMetadataParameterFilePath: EVT_PUBLISHER_METADATA_PROPERTY_ID = 2;
pub const EvtPublisherMetadataMessageFilePath: EVT_PUBLISHER_METADATA_PROPERTY_ID = 3;
pub const EvtPublisherMetadataHelpLink: EVT_PUBLISHER_METADATA_PROPERTY_ID = 4;
pub const EvtPublisherMetadataPublisherMessageID: EVT_PUBLISHER_METADATA_PROPERTY_ID = 5;
pub const EvtPublisherMetadataChannelReferences: EVT_PUBLISHER_METADATA_PROPERTY_ID = 6;
pub const EvtPublisherMetadataChannelReferencePath: EVT_PUBLISHER_METADATA_PROPERTY_ID = 7;
pub const EvtPublisherMetadataChannelReferenceIndex: EVT_PUBLISHER_METADATA_PROPERTY_ID = 8;
pub const EvtPublisherMetadataChannelReferenceID: EVT_PUBLISHER_METADATA_PROPERTY_ID = 9;
pub const EvtPublisherMetadataChannelReferenceFlags: EVT_PUBLISHER_METADATA_PROPERTY_ID = 10;
pub const EvtPublisherMetadataChannelReferenceMessageID: EVT_PUBLISHER_METADATA_PROPERTY_ID = 11;
pub const EvtPublisherMetadataLevels: EVT_PUBLISHER_METADATA_PROPERTY_ID = 12;
pub const EvtPublisherMetadataLevelName: EVT_PUBLISHER_METADATA_PROPERTY_ID = 13;
pub const EvtPublisherMetadataLevelValue: EVT_PUBLISHER_METADATA_PROPERTY_ID = 14;
pub const EvtPublisherMetadataLevelMessageID: EVT_PUBLISHER_METADATA_PROPERTY_ID = 15;
pub const EvtPublisherMetadataTasks: EVT_PUBLISHER_METADATA_PROPERTY_ID = 16;
pub const EvtPublisherMetadataTaskName: EVT_PUBLISHER_METADATA_PROPERTY_ID = 17;
pub const EvtPublisherMetadataTaskEventGuid: EVT_PUBLISHER_METADATA_PROPERTY_ID = 18;
pub const EvtPublisherMetadataTaskValue: EVT_PUBLISHER_METADATA_PROPERTY_ID = 19;
pub const EvtPublisherMetadataTaskMessageID: EVT_PUBLISHER_METADATA_PROPERTY_ID = 20;
pub const EvtPublisherMetadataOpcodes: EVT_PUBLISHER_METADATA_PROPERTY_ID = 21;
pub const EvtPublisherMetadataOpcodeName: EVT_PUBLISHER_METADATA_PROPERTY_ID = 22;
pub const EvtPublisherMetadataOpcodeValue: EVT_PUBLISHER_METADATA_PROPERTY_ID = 23;
pub const EvtPublisherMetadataOpcodeMessageID: EVT_PUBLISHER_METADATA_PROPERTY_ID = 24;
pub const EvtPublisherMetadataKeywords: EVT_PUBLISHER_METADATA_PROPERTY_ID = 25;
pub const EvtPublisherMetadataKeywordName: EVT_PUBLISHER_METADATA_PROPERTY_ID = 26;
pub const EvtPublisherMetadataKeywordValue: EVT_PUBLISHER_METADATA_PROPERTY_ID = 27;
pub const EvtPublisherMetadataKeywordMessageID: EVT_PUBLISHER_METADATA_PROPERTY_ID = 28;
pub const EvtPublisherMetadataPropertyIdEND: EVT_PUBLISHER_METADATA_PROPERTY_ID = 29;

// EVT_EVENT_METADATA_PROPERTY_ID.
pub const EventMetadataEventID: EVT_EVENT_METADATA_PROPERTY_ID = 0;
pub const EventMetadataEventVersion: EVT_EVENT_METADATA_PROPERTY_ID = 1;
pub const EventMetadataEventChannel: EVT_EVENT_METADATA_PROPERTY_ID = 2;
pub const EventMetadataEventLevel: EVT_EVENT_METADATA_PROPERTY_ID = 3;
pub const EventMetadataEventOpcode: EVT_EVENT_METADATA_PROPERTY_ID = 4;
pub const EventMetadataEventTask: EVT_EVENT_METADATA_PROPERTY_ID = 5;
pub const EventMetadataEventKeyword: EVT_EVENT_METADATA_PROPERTY_ID = 6;
pub const EventMetadataEventMessageID: EVT_EVENT_METADATA_PROPERTY_ID = 7;
pub const EventMetadataEventTemplate: EVT_EVENT_METADATA_PROPERTY_ID = 8;
pub const EvtEventMetadataPropertyIdEND: EVT_EVENT_METADATA_PROPERTY_ID = 9;

// REPORT_EVENT_TYPE.
pub const EVENTLOG_SUCCESS: REPORT_EVENT_TYPE = 0;
pub const EVENTLOG_ERROR_TYPE: REPORT_EVENT_TYPE = 1;
pub const EVENTLOG_WARNING_TYPE: REPORT_EVENT_TYPE = 2;
pub const EVENTLOG_INFORMATION_TYPE: REPORT_EVENT_TYPE = 4;
pub const EVENTLOG_AUDIT_SUCCESS: REPORT_EVENT_TYPE = 8;
pub const EVENTLOG_AUDIT_FAILURE: REPORT_EVENT_TYPE = 16;

// READ_EVENT_LOG_READ_FLAGS.
pub const EVENTLOG_SEQUENTIAL_READ: READ_EVENT_LOG_READ_FLAGS = 1;
pub const EVENTLOG_SEEK_READ: READ_EVENT_LOG_READ_FLAGS = 2;

// Win32 error codes (Foundation's WIN32_ERROR values) the functions report or consumers
// test.
pub const ERROR_SUCCESS: WIN32_ERROR = 0;
pub const ERROR_FILE_NOT_FOUND: WIN32_ERROR = 2;
pub const ERROR_PATH_NOT_FOUND: WIN32_ERROR = 3;
pub const ERROR_ACCESS_DENIED: WIN32_ERROR = 5;
pub const ERROR_INVALID_HANDLE: WIN32_ERROR = 6;
pub const ERROR_NOT_ENOUGH_MEMORY: WIN32_ERROR = 8;
pub const ERROR_INVALID_DATA: WIN32_ERROR = 13;
pub const ERROR_OUTOFMEMORY: WIN32_ERROR = 14;
pub const ERROR_SHARING_VIOLATION: WIN32_ERROR = 32;
pub const ERROR_NOT_SUPPORTED: WIN32_ERROR = 50;
pub const ERROR_FILE_EXISTS: WIN32_ERROR = 80;
pub const ERROR_INVALID_PARAMETER: WIN32_ERROR = 87;
pub const ERROR_CALL_NOT_IMPLEMENTED: WIN32_ERROR = 120;
pub const ERROR_INSUFFICIENT_BUFFER: WIN32_ERROR = 122;
pub const ERROR_ALREADY_EXISTS: WIN32_ERROR = 183;
pub const ERROR_NO_MORE_ITEMS: WIN32_ERROR = 259;
pub const ERROR_MR_MID_NOT_FOUND: WIN32_ERROR = 317;
pub const ERROR_NOT_FOUND: WIN32_ERROR = 1168;
pub const ERROR_CANCELLED: WIN32_ERROR = 1223;
pub const ERROR_INTERNAL_ERROR: WIN32_ERROR = 1359;
pub const ERROR_TIMEOUT: WIN32_ERROR = 1460;
pub const ERROR_LOG_FILE_FULL: WIN32_ERROR = 1502;
pub const RPC_S_UNKNOWN_IF: WIN32_ERROR = 1717;
pub const RPC_S_SERVER_UNAVAILABLE: WIN32_ERROR = 1722;
pub const RPC_S_CALL_FAILED: WIN32_ERROR = 1726;
pub const RPC_S_INVALID_BOUND: WIN32_ERROR = 1734;
pub const ERROR_RESOURCE_DATA_NOT_FOUND: WIN32_ERROR = 1812;
pub const ERROR_RESOURCE_TYPE_NOT_FOUND: WIN32_ERROR = 1813;
pub const ERROR_RESOURCE_NAME_NOT_FOUND: WIN32_ERROR = 1814;
pub const ERROR_RESOURCE_LANG_NOT_FOUND: WIN32_ERROR = 1815;
pub const RPC_S_CALL_CANCELLED: WIN32_ERROR = 1818;
pub const ERROR_INVALID_OPERATION: WIN32_ERROR = 4317;
pub const ERROR_EVT_INVALID_CHANNEL_PATH: WIN32_ERROR = 15000;
pub const ERROR_EVT_INVALID_QUERY: WIN32_ERROR = 15001;
pub const ERROR_EVT_PUBLISHER_METADATA_NOT_FOUND: WIN32_ERROR = 15002;
pub const ERROR_EVT_EVENT_TEMPLATE_NOT_FOUND: WIN32_ERROR = 15003;
pub const ERROR_EVT_INVALID_PUBLISHER_NAME: WIN32_ERROR = 15004;
pub const ERROR_EVT_INVALID_EVENT_DATA: WIN32_ERROR = 15005;
pub const ERROR_EVT_CHANNEL_NOT_FOUND: WIN32_ERROR = 15007;
pub const ERROR_EVT_MALFORMED_XML_TEXT: WIN32_ERROR = 15008;
pub const ERROR_EVT_SUBSCRIPTION_TO_DIRECT_CHANNEL: WIN32_ERROR = 15009;
pub const ERROR_EVT_CONFIGURATION_ERROR: WIN32_ERROR = 15010;
pub const ERROR_EVT_QUERY_RESULT_STALE: WIN32_ERROR = 15011;
pub const ERROR_EVT_QUERY_RESULT_INVALID_POSITION: WIN32_ERROR = 15012;
pub const ERROR_EVT_INVALID_OPERATION_OVER_ENABLED_DIRECT_CHANNEL: WIN32_ERROR = 15022;
pub const ERROR_EVT_INVALID_CHANNEL_PROPERTY_VALUE: WIN32_ERROR = 15023;
pub const ERROR_EVT_INVALID_PUBLISHER_PROPERTY_VALUE: WIN32_ERROR = 15024;
pub const ERROR_EVT_CHANNEL_CANNOT_ACTIVATE: WIN32_ERROR = 15025;
pub const ERROR_EVT_FILTER_TOO_COMPLEX: WIN32_ERROR = 15026;
pub const ERROR_EVT_MESSAGE_NOT_FOUND: WIN32_ERROR = 15027;
pub const ERROR_EVT_MESSAGE_ID_NOT_FOUND: WIN32_ERROR = 15028;
pub const ERROR_EVT_UNRESOLVED_VALUE_INSERT: WIN32_ERROR = 15029;
pub const ERROR_EVT_UNRESOLVED_PARAMETER_INSERT: WIN32_ERROR = 15030;
pub const ERROR_EVT_MAX_INSERTS_REACHED: WIN32_ERROR = 15031;
pub const ERROR_EVT_EVENT_DEFINITION_NOT_FOUND: WIN32_ERROR = 15032;
pub const ERROR_EVT_MESSAGE_LOCALE_NOT_FOUND: WIN32_ERROR = 15033;
pub const ERROR_EVT_VERSION_TOO_OLD: WIN32_ERROR = 15034;
pub const ERROR_EVT_VERSION_TOO_NEW: WIN32_ERROR = 15035;
pub const ERROR_EVT_CANNOT_OPEN_CHANNEL_OF_QUERY: WIN32_ERROR = 15036;
pub const ERROR_EVT_PUBLISHER_DISABLED: WIN32_ERROR = 15037;
pub const ERROR_MUI_FILE_NOT_FOUND: WIN32_ERROR = 15100;

// kernel32's wait results (Foundation's WAIT_EVENT values).
pub type WAIT_EVENT = u32;
pub const WAIT_OBJECT_0: WAIT_EVENT = 0;
pub const WAIT_TIMEOUT: WAIT_EVENT = 0x102;
pub const WAIT_FAILED: WAIT_EVENT = 0xFFFF_FFFF;

const _: () = assert!(std::mem::size_of::<EVT_VARIANT>() == 16);
