//! The types of `windows_sys::Win32::System::EventLog` (and the few of `Foundation` the
//! Evt* functions use), with the same names, layouts and values.

use std::ffi::c_void;

pub type EVT_HANDLE = isize;
pub type BOOL = i32;
pub type PCWSTR = *const u16;
pub type PWSTR = *mut u16;
pub type PCSTR = *const u8;
pub type PSID = *mut c_void;
pub type EVT_LOGIN_CLASS = u32;
pub type EVT_QUERY_FLAGS = u32;
pub type EVT_SEEK_FLAGS = u32;
pub type EVT_RENDER_FLAGS = u32;
pub type EVT_RENDER_CONTEXT_FLAGS = u32;
pub type EVT_EXPORTLOG_FLAGS = u32;
pub type EVT_QUERY_PROPERTY_ID = u32;
pub type EVT_EVENT_PROPERTY_ID = u32;
pub type EVT_LOG_PROPERTY_ID = u32;
pub type EVT_OPEN_LOG_FLAGS = u32;
pub type EVT_CHANNEL_CONFIG_PROPERTY_ID = u32;
pub type EVT_PUBLISHER_METADATA_PROPERTY_ID = u32;
pub type EVT_EVENT_METADATA_PROPERTY_ID = u32;
pub type EVT_FORMAT_MESSAGE_FLAGS = u32;
pub type EVT_OBJECT_ARRAY_PROPERTY_HANDLE = isize;
pub type EVT_SYSTEM_PROPERTY_ID = u32;
pub type EVT_VARIANT_TYPE = u32;

pub type EVT_SUBSCRIBE_FLAGS = u32;
pub type EVT_SUBSCRIBE_NOTIFY_ACTION = u32;
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
    pub FileTimeArr: *mut u64,
    pub SysTimeArr: *mut SYSTEMTIME,
    pub GuidArr: *mut GUID,
    pub StringArr: *mut PWSTR,
    pub AnsiStringArr: *mut *mut u8,
    pub SidArr: *mut PSID,
    pub SizeTArr: *mut usize,
    pub EvtHandleVal: EVT_HANDLE,
    pub XmlVal: PCWSTR,
    pub XmlValArr: *const PCWSTR,
}

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
pub const EVT_VARIANT_TYPE_MASK: u32 = 0x7F;
pub const EVT_VARIANT_TYPE_ARRAY: u32 = 0x80;

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

// Win32 error codes the Evt* functions report (Foundation's WIN32_ERROR values).
pub const ERROR_SUCCESS: u32 = 0;
pub const ERROR_FILE_NOT_FOUND: u32 = 2;
pub const ERROR_INVALID_HANDLE: u32 = 6;
pub const ERROR_FILE_EXISTS: u32 = 80;
pub const ERROR_INVALID_PARAMETER: u32 = 87;
pub const ERROR_CALL_NOT_IMPLEMENTED: u32 = 120;
pub const ERROR_INSUFFICIENT_BUFFER: u32 = 122;
pub const ERROR_NO_MORE_ITEMS: u32 = 259;
pub const ERROR_NOT_FOUND: u32 = 1168;
pub const ERROR_CANCELLED: u32 = 1223;
pub const ERROR_INTERNAL_ERROR: u32 = 1359;
pub const ERROR_TIMEOUT: u32 = 1460;
pub const RPC_S_SERVER_UNAVAILABLE: u32 = 1722;
pub const ERROR_INVALID_OPERATION: u32 = 4317;
pub const ERROR_EVT_INVALID_QUERY: u32 = 15001;
pub const ERROR_EVT_CHANNEL_NOT_FOUND: u32 = 15007;
pub const ERROR_EVT_MALFORMED_XML_TEXT: u32 = 15008;
pub const ERROR_EVT_QUERY_RESULT_STALE: u32 = 15011;
pub const ERROR_EVT_QUERY_RESULT_INVALID_POSITION: u32 = 15012;

const _: () = assert!(std::mem::size_of::<EVT_VARIANT>() == 16);
