//! The wevtapi facade: the Evt* functions under their Windows names, with Windows' handles,
//! flag values, error codes and buffer protocols, over one process-wide engine (the
//! "service"). `ffi/` exports these as `extern "system"` functions; Rust code can call them
//! directly, as it would call `windows_sys::Win32::System::EventLog`.
//!
//! Arguments are Rust-safe shapes of the C ones: strings as `Option<&str>` (NULL: `None`),
//! caller buffers as slices (their length is the BufferSize), out-parameters as `&mut`.
//! Every function reports failure as Windows does: FALSE or NULL, and the calling thread's
//! last error ([`GetLastError`]); EvtGetExtendedStatus returns the last error's message. A
//! success sets the last error to ERROR_SUCCESS and clears that message (`status`).
//!
//! Owns: the handle table (`handles`: typed, generation-checked, parents close their
//! children), the thread's last error (`status`), the service engine and its switchable
//! clock (`service`), the EVT_VARIANT layout (`variant`), and EvtFormatMessage's buffer
//! protocol (`format`).
//!
//! Invariants:
//! 1. No function panics on any argument; a handle that is NULL, closed, or of the wrong
//!    kind is ERROR_INVALID_HANDLE (6); a bad flag or a missing argument is
//!    ERROR_INVALID_PARAMETER (87).
//! 2. A buffer that is too small is left as it was: ERROR_INSUFFICIENT_BUFFER (122) with
//!    the size needed (bytes for EvtRender and the Get*Info and Get*Property functions,
//!    characters for EvtNextChannelPath, EvtNextPublisherId and EvtGetExtendedStatus), and
//!    an enumerator does not advance.
//! 3. The handle table's lock is never held across an engine call (`handles` invariant 1),
//!    so EvtCancel and EvtClose reach a call blocked in EvtNext on another thread.
#![allow(non_snake_case, non_upper_case_globals)]

mod classic;
mod computer_env;
mod computers;
mod config;
mod faults;
mod format;
mod handles;
mod logs;
mod lookup;
mod metadata;
mod object;
mod producer;
mod query;
mod remote;
mod render;
mod service;
mod status;
mod subscribe;
mod trace;
mod variant;

pub use crate::engine::{
    EVENT_ACTIVITY_CTRL_CREATE_ID, EVENT_ACTIVITY_CTRL_CREATE_SET_ID, EVENT_ACTIVITY_CTRL_GET_ID,
    EVENT_ACTIVITY_CTRL_GET_SET_ID, EVENT_ACTIVITY_CTRL_SET_ID,
};
pub use classic::{
    BackupEventLogW, ClearEventLogW, CloseEventLog, DeregisterEventSource, GetEventLogInformation,
    GetNumberOfEventLogRecords, GetOldestEventLogRecord, NotifyChangeEventLog, OpenBackupEventLogW,
    OpenEventLogW, ReadEventLogA, ReadEventLogW, RegisterEventSourceW, ReportEventW,
    ERROR_EVENTLOG_FILE_CORRUPT, ERROR_HANDLE_EOF, ERROR_INVALID_LEVEL, EVENTLOG_AUDIT_FAILURE,
    EVENTLOG_AUDIT_SUCCESS, EVENTLOG_BACKWARDS_READ, EVENTLOG_ERROR_TYPE, EVENTLOG_FORWARDS_READ,
    EVENTLOG_FULL_INFO, EVENTLOG_INFORMATION_TYPE, EVENTLOG_SEEK_READ, EVENTLOG_SEQUENTIAL_READ,
    EVENTLOG_SUCCESS, EVENTLOG_WARNING_TYPE, RPC_X_NULL_REF_POINTER,
};
/// Engine control: a channel of a given type (beside `controls::create_channel`).
pub use config::create_channel_of_type;
pub use config::{
    EvtChannelConfigAccess, EvtChannelConfigClassicEventlog, EvtChannelConfigEnabled,
    EvtChannelConfigIsolation, EvtChannelConfigOwningPublisher, EvtChannelConfigPropertyIdEND,
    EvtChannelConfigType, EvtChannelLoggingConfigAutoBackup, EvtChannelLoggingConfigLogFilePath,
    EvtChannelLoggingConfigMaxSize, EvtChannelLoggingConfigRetention, EvtChannelPublisherList,
    EvtChannelPublishingConfigBufferSize, EvtChannelPublishingConfigClockType,
    EvtChannelPublishingConfigControlGuid, EvtChannelPublishingConfigFileMax,
    EvtChannelPublishingConfigKeywords, EvtChannelPublishingConfigLatency,
    EvtChannelPublishingConfigLevel, EvtChannelPublishingConfigMaxBuffers,
    EvtChannelPublishingConfigMinBuffers, EvtChannelPublishingConfigSidType,
    EvtGetChannelConfigProperty, EvtOpenChannelConfig, EvtSaveChannelConfig,
    EvtSetChannelConfigProperty,
};
pub use faults::FAULTS_VARIABLE;
pub use format::{
    EvtFormatMessage, EvtFormatMessageChannel, EvtFormatMessageEvent, EvtFormatMessageId,
    EvtFormatMessageKeyword, EvtFormatMessageLevel, EvtFormatMessageOpcode,
    EvtFormatMessageProvider, EvtFormatMessageTask, EvtFormatMessageXml,
};
pub use handles::EVT_HANDLE;
pub use logs::{
    EvtArchiveExportedLog, EvtClearLog, EvtExportLog, EvtExportLogChannelPath,
    EvtExportLogFilePath, EvtExportLogOverwrite, EvtExportLogTolerateQueryErrors, EvtGetLogInfo,
    EvtLogAttributes, EvtLogCreationTime, EvtLogFileSize, EvtLogFull, EvtLogLastAccessTime,
    EvtLogLastWriteTime, EvtLogNumberOfLogRecords, EvtLogOldestRecordNumber, EvtOpenChannelPath,
    EvtOpenFilePath, EvtOpenLog,
};
pub use metadata::{
    EventMetadataEventChannel, EventMetadataEventID, EventMetadataEventKeyword,
    EventMetadataEventLevel, EventMetadataEventMessageID, EventMetadataEventOpcode,
    EventMetadataEventTask, EventMetadataEventTemplate, EventMetadataEventVersion,
    EvtChannelReferenceImported, EvtGetEventMetadataProperty, EvtGetObjectArrayProperty,
    EvtGetObjectArraySize, EvtGetPublisherMetadataProperty, EvtNextEventMetadata,
    EvtNextPublisherId, EvtOpenEventMetadataEnum, EvtOpenPublisherEnum, EvtOpenPublisherMetadata,
    EvtPublisherMetadataChannelReferenceFlags, EvtPublisherMetadataChannelReferenceID,
    EvtPublisherMetadataChannelReferenceIndex, EvtPublisherMetadataChannelReferenceMessageID,
    EvtPublisherMetadataChannelReferencePath, EvtPublisherMetadataChannelReferences,
    EvtPublisherMetadataHelpLink, EvtPublisherMetadataKeywordMessageID,
    EvtPublisherMetadataKeywordName, EvtPublisherMetadataKeywordValue,
    EvtPublisherMetadataKeywords, EvtPublisherMetadataLevelMessageID,
    EvtPublisherMetadataLevelName, EvtPublisherMetadataLevelValue, EvtPublisherMetadataLevels,
    EvtPublisherMetadataMessageFilePath, EvtPublisherMetadataOpcodeMessageID,
    EvtPublisherMetadataOpcodeName, EvtPublisherMetadataOpcodeValue, EvtPublisherMetadataOpcodes,
    EvtPublisherMetadataParameterFilePath, EvtPublisherMetadataPublisherGuid,
    EvtPublisherMetadataPublisherMessageID, EvtPublisherMetadataResourceFilePath,
    EvtPublisherMetadataTaskEventGuid, EvtPublisherMetadataTaskMessageID,
    EvtPublisherMetadataTaskName, EvtPublisherMetadataTaskValue, EvtPublisherMetadataTasks,
};
pub use producer::{
    EnableCallbackArgs, EventActivityIdControl, EventEnabled, EventProviderEnabled, EventRegister,
    EventUnregister, EventWrite, EventWriteEx, EventWriteString, EventWriteTransfer,
    EVENT_CONTROL_CODE_ENABLE_PROVIDER, EVENT_WRITE_FLAG_INPRIVATE, EVENT_WRITE_FLAG_NO_FAULTING,
    REGHANDLE,
};
pub use query::{
    EvtCancel, EvtClose, EvtEventPath, EvtEventQueryIDs, EvtGetEventInfo, EvtGetExtendedStatus,
    EvtGetQueryInfo, EvtNext, EvtOpenSession, EvtQuery, EvtQueryNames, EvtQueryStatuses,
    EvtRpcLogin, EvtRpcLoginInfo, EvtSeek, INFINITE,
};
pub use render::{
    EvtCreateBookmark, EvtCreateRenderContext, EvtNextChannelPath, EvtOpenChannelEnum, EvtRender,
    EvtRenderBookmark, EvtRenderContextSystem, EvtRenderContextUser, EvtRenderContextValues,
    EvtRenderEventValues, EvtRenderEventXml, EvtUpdateBookmark,
};
pub use status::{GetLastError, SetLastError, BOOL, FALSE, TRUE};
pub use subscribe::{
    CloseHandle, CreateEvent, EvtSubscribe, EvtSubscribeActionDeliver, EvtSubscribeActionError,
    EvtSubscribeOriginMask, EvtSubscribeStartAfterBookmark, EvtSubscribeStartAtOldestRecord,
    EvtSubscribeStrict, EvtSubscribeToFutureEvents, EvtSubscribeTolerateQueryErrors, ResetEvent,
    SetEvent, SubscribeCallback, WaitForSingleObject, WAIT_FAILED, WAIT_OBJECT_0, WAIT_TIMEOUT,
};
pub use trace::TRACE_VARIABLE;
pub use variant::{read_inline, EVT_VARIANT_SIZE, EVT_VARIANT_TYPE_ARRAY};

/// EVT_QUERY_FLAGS.
pub const EvtQueryChannelPath: u32 = 0x1;
pub const EvtQueryFilePath: u32 = 0x2;
pub const EvtQueryForwardDirection: u32 = 0x100;
pub const EvtQueryReverseDirection: u32 = 0x200;
pub const EvtQueryTolerateQueryErrors: u32 = 0x1000;
/// EVT_SEEK_FLAGS.
pub const EvtSeekRelativeToFirst: u32 = 1;
pub const EvtSeekRelativeToLast: u32 = 2;
pub const EvtSeekRelativeToCurrent: u32 = 3;
pub const EvtSeekRelativeToBookmark: u32 = 4;
pub const EvtSeekOriginMask: u32 = 7;
pub const EvtSeekStrict: u32 = 0x10000;

pub mod controls;
