/*
 * winevt.h for evtlog's libwevtapi: the Windows Event Log consumer API (wevtapi) on any OS.
 *
 * Self-contained: it defines the Windows types it needs (EVT_HANDLE, DWORD, BOOL, WCHAR,
 * LPCWSTR, EVT_VARIANT, ...) with Windows' sizes and every enum with Windows' values, so C
 * written for Windows compiles unchanged:
 *
 *     gcc -fshort-wchar -I ffi/include app.c -L target/debug -lwevtapi
 *
 * -fshort-wchar makes wchar_t (and so L"" literals) 16-bit UTF-16, as on Windows.
 *
 * Every enum, constant and type of the SDK's winevt.h is here, with the Win32 error codes
 * (winerror.h's, each defined only if not already) that the functions report and consumers
 * test. Declared here: the 35 functions of the SDK's winevt.h; off Windows, kernel32's
 * GetLastError, SetLastError and the event objects of the pull model (CreateEventW,
 * SetEvent, ResetEvent, WaitForSingleObject, CloseHandle); and evtlog's engine controls
 * (evtlog_*, not Windows'). The classic Event Logging API is in winbase_eventlog.h and
 * the provider API in evntprov.h: the three headers together declare exactly the library's
 * exports (ffi/tests/headers.rs checks it). See README.md ("Testing Windows code on Linux")
 * for what each does here and the fidelity table.
 *
 * The last error: a failing function sets it (and errno, to the same code); a succeeding
 * one sets it to ERROR_SUCCESS, so `if (ERROR_SUCCESS != (status = GetLastError()))` after
 * the size probe's retry holds, as Microsoft's samples write it.
 */
#ifndef EVTLOG_WINEVT_H
#define EVTLOG_WINEVT_H

#include <stddef.h>
#include <stdint.h>
#include <wchar.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef _WIN32
#ifndef WINAPI
#define WINAPI
#endif
typedef int BOOL;
typedef uint32_t DWORD, *PDWORD;
typedef int8_t INT8;
typedef int16_t INT16;
typedef int32_t INT32;
typedef int64_t INT64, LONGLONG;
typedef uint8_t UINT8, BYTE, *PBYTE;
typedef uint16_t UINT16;
typedef uint32_t UINT32;
typedef uint64_t UINT64, ULONGLONG;
typedef wchar_t WCHAR;
typedef WCHAR *LPWSTR, *PWSTR;
typedef const WCHAR *LPCWSTR, *PCWSTR;
typedef char *LPSTR;
typedef const char *LPCSTR;
typedef void *PVOID, *HANDLE, *PSID;
typedef DWORD LCID;
typedef struct _GUID {
    uint32_t Data1;
    uint16_t Data2;
    uint16_t Data3;
    uint8_t Data4[8];
} GUID;
typedef struct _SYSTEMTIME {
    uint16_t wYear, wMonth, wDayOfWeek, wDay, wHour, wMinute, wSecond, wMilliseconds;
} SYSTEMTIME;
typedef struct _FILETIME {
    DWORD dwLowDateTime;
    DWORD dwHighDateTime;
} FILETIME;
#ifndef TRUE
#define TRUE 1
#define FALSE 0
#endif
#ifndef INFINITE
#define INFINITE 0xFFFFFFFF
#endif

/* kernel32's last error, kept per thread by libwevtapi. */
DWORD WINAPI GetLastError(void);
void WINAPI SetLastError(DWORD dwErrCode);

/* kernel32's event objects, for the pull model's SignalEvent (no attributes, no names). */
#define WAIT_OBJECT_0 0x00000000L
#define WAIT_TIMEOUT 0x00000102L
#define WAIT_FAILED 0xFFFFFFFF
HANDLE WINAPI CreateEventW(PVOID lpEventAttributes, BOOL bManualReset, BOOL bInitialState,
                           LPCWSTR lpName);
BOOL WINAPI SetEvent(HANDLE hEvent);
BOOL WINAPI ResetEvent(HANDLE hEvent);
DWORD WINAPI WaitForSingleObject(HANDLE hHandle, DWORD dwMilliseconds);
BOOL WINAPI CloseHandle(HANDLE hObject);
#define CreateEvent CreateEventW
#endif /* !_WIN32 */

/* The Win32 error codes (winerror.h's) the functions report and consumers switch on, each
 * defined unless a Windows header or a shim already has. */
#ifndef ERROR_SUCCESS
#define ERROR_SUCCESS 0L
#endif
#ifndef ERROR_FILE_NOT_FOUND
#define ERROR_FILE_NOT_FOUND 2L
#endif
#ifndef ERROR_PATH_NOT_FOUND
#define ERROR_PATH_NOT_FOUND 3L
#endif
#ifndef ERROR_ACCESS_DENIED
#define ERROR_ACCESS_DENIED 5L
#endif
#ifndef ERROR_INVALID_HANDLE
#define ERROR_INVALID_HANDLE 6L
#endif
#ifndef ERROR_NOT_ENOUGH_MEMORY
#define ERROR_NOT_ENOUGH_MEMORY 8L
#endif
#ifndef ERROR_INVALID_DATA
#define ERROR_INVALID_DATA 13L
#endif
#ifndef ERROR_OUTOFMEMORY
#define ERROR_OUTOFMEMORY 14L
#endif
#ifndef ERROR_SHARING_VIOLATION
#define ERROR_SHARING_VIOLATION 32L
#endif
#ifndef ERROR_NOT_SUPPORTED
#define ERROR_NOT_SUPPORTED 50L
#endif
#ifndef ERROR_FILE_EXISTS
#define ERROR_FILE_EXISTS 80L
#endif
#ifndef ERROR_INVALID_PARAMETER
#define ERROR_INVALID_PARAMETER 87L
#endif
#ifndef ERROR_CALL_NOT_IMPLEMENTED
#define ERROR_CALL_NOT_IMPLEMENTED 120L
#endif
#ifndef ERROR_INSUFFICIENT_BUFFER
#define ERROR_INSUFFICIENT_BUFFER 122L
#endif
#ifndef ERROR_ALREADY_EXISTS
#define ERROR_ALREADY_EXISTS 183L
#endif
#ifndef ERROR_NO_MORE_ITEMS
#define ERROR_NO_MORE_ITEMS 259L
#endif
#ifndef ERROR_MR_MID_NOT_FOUND
#define ERROR_MR_MID_NOT_FOUND 317L
#endif
#ifndef ERROR_NOT_FOUND
#define ERROR_NOT_FOUND 1168L
#endif
#ifndef ERROR_CANCELLED
#define ERROR_CANCELLED 1223L
#endif
#ifndef ERROR_INTERNAL_ERROR
#define ERROR_INTERNAL_ERROR 1359L
#endif
#ifndef ERROR_TIMEOUT
#define ERROR_TIMEOUT 1460L
#endif
#ifndef ERROR_LOG_FILE_FULL
#define ERROR_LOG_FILE_FULL 1502L
#endif
#ifndef RPC_S_UNKNOWN_IF
#define RPC_S_UNKNOWN_IF 1717L
#endif
#ifndef RPC_S_SERVER_UNAVAILABLE
#define RPC_S_SERVER_UNAVAILABLE 1722L
#endif
#ifndef RPC_S_CALL_FAILED
#define RPC_S_CALL_FAILED 1726L
#endif
#ifndef RPC_S_INVALID_BOUND
#define RPC_S_INVALID_BOUND 1734L
#endif
#ifndef ERROR_RESOURCE_DATA_NOT_FOUND
#define ERROR_RESOURCE_DATA_NOT_FOUND 1812L
#endif
#ifndef ERROR_RESOURCE_TYPE_NOT_FOUND
#define ERROR_RESOURCE_TYPE_NOT_FOUND 1813L
#endif
#ifndef ERROR_RESOURCE_NAME_NOT_FOUND
#define ERROR_RESOURCE_NAME_NOT_FOUND 1814L
#endif
#ifndef ERROR_RESOURCE_LANG_NOT_FOUND
#define ERROR_RESOURCE_LANG_NOT_FOUND 1815L
#endif
#ifndef RPC_S_CALL_CANCELLED
#define RPC_S_CALL_CANCELLED 1818L
#endif
#ifndef ERROR_INVALID_OPERATION
#define ERROR_INVALID_OPERATION 4317L
#endif
#ifndef ERROR_EVT_INVALID_CHANNEL_PATH
#define ERROR_EVT_INVALID_CHANNEL_PATH 15000L
#endif
#ifndef ERROR_EVT_INVALID_QUERY
#define ERROR_EVT_INVALID_QUERY 15001L
#endif
#ifndef ERROR_EVT_PUBLISHER_METADATA_NOT_FOUND
#define ERROR_EVT_PUBLISHER_METADATA_NOT_FOUND 15002L
#endif
#ifndef ERROR_EVT_EVENT_TEMPLATE_NOT_FOUND
#define ERROR_EVT_EVENT_TEMPLATE_NOT_FOUND 15003L
#endif
#ifndef ERROR_EVT_INVALID_PUBLISHER_NAME
#define ERROR_EVT_INVALID_PUBLISHER_NAME 15004L
#endif
#ifndef ERROR_EVT_INVALID_EVENT_DATA
#define ERROR_EVT_INVALID_EVENT_DATA 15005L
#endif
#ifndef ERROR_EVT_CHANNEL_NOT_FOUND
#define ERROR_EVT_CHANNEL_NOT_FOUND 15007L
#endif
#ifndef ERROR_EVT_MALFORMED_XML_TEXT
#define ERROR_EVT_MALFORMED_XML_TEXT 15008L
#endif
#ifndef ERROR_EVT_SUBSCRIPTION_TO_DIRECT_CHANNEL
#define ERROR_EVT_SUBSCRIPTION_TO_DIRECT_CHANNEL 15009L
#endif
#ifndef ERROR_EVT_CONFIGURATION_ERROR
#define ERROR_EVT_CONFIGURATION_ERROR 15010L
#endif
#ifndef ERROR_EVT_QUERY_RESULT_STALE
#define ERROR_EVT_QUERY_RESULT_STALE 15011L
#endif
#ifndef ERROR_EVT_QUERY_RESULT_INVALID_POSITION
#define ERROR_EVT_QUERY_RESULT_INVALID_POSITION 15012L
#endif
#ifndef ERROR_EVT_INVALID_OPERATION_OVER_ENABLED_DIRECT_CHANNEL
#define ERROR_EVT_INVALID_OPERATION_OVER_ENABLED_DIRECT_CHANNEL 15022L
#endif
#ifndef ERROR_EVT_INVALID_CHANNEL_PROPERTY_VALUE
#define ERROR_EVT_INVALID_CHANNEL_PROPERTY_VALUE 15023L
#endif
#ifndef ERROR_EVT_INVALID_PUBLISHER_PROPERTY_VALUE
#define ERROR_EVT_INVALID_PUBLISHER_PROPERTY_VALUE 15024L
#endif
#ifndef ERROR_EVT_CHANNEL_CANNOT_ACTIVATE
#define ERROR_EVT_CHANNEL_CANNOT_ACTIVATE 15025L
#endif
#ifndef ERROR_EVT_FILTER_TOO_COMPLEX
#define ERROR_EVT_FILTER_TOO_COMPLEX 15026L
#endif
#ifndef ERROR_EVT_MESSAGE_NOT_FOUND
#define ERROR_EVT_MESSAGE_NOT_FOUND 15027L
#endif
#ifndef ERROR_EVT_MESSAGE_ID_NOT_FOUND
#define ERROR_EVT_MESSAGE_ID_NOT_FOUND 15028L
#endif
#ifndef ERROR_EVT_UNRESOLVED_VALUE_INSERT
#define ERROR_EVT_UNRESOLVED_VALUE_INSERT 15029L
#endif
#ifndef ERROR_EVT_UNRESOLVED_PARAMETER_INSERT
#define ERROR_EVT_UNRESOLVED_PARAMETER_INSERT 15030L
#endif
#ifndef ERROR_EVT_MAX_INSERTS_REACHED
#define ERROR_EVT_MAX_INSERTS_REACHED 15031L
#endif
#ifndef ERROR_EVT_EVENT_DEFINITION_NOT_FOUND
#define ERROR_EVT_EVENT_DEFINITION_NOT_FOUND 15032L
#endif
#ifndef ERROR_EVT_MESSAGE_LOCALE_NOT_FOUND
#define ERROR_EVT_MESSAGE_LOCALE_NOT_FOUND 15033L
#endif
#ifndef ERROR_EVT_VERSION_TOO_OLD
#define ERROR_EVT_VERSION_TOO_OLD 15034L
#endif
#ifndef ERROR_EVT_VERSION_TOO_NEW
#define ERROR_EVT_VERSION_TOO_NEW 15035L
#endif
#ifndef ERROR_EVT_CANNOT_OPEN_CHANNEL_OF_QUERY
#define ERROR_EVT_CANNOT_OPEN_CHANNEL_OF_QUERY 15036L
#endif
#ifndef ERROR_EVT_PUBLISHER_DISABLED
#define ERROR_EVT_PUBLISHER_DISABLED 15037L
#endif
#ifndef ERROR_MUI_FILE_NOT_FOUND
#define ERROR_MUI_FILE_NOT_FOUND 15100L
#endif

/* WCHAR must be UTF-16: compile with -fshort-wchar. */
typedef char evtlog_wchar_is_16_bit[sizeof(WCHAR) == 2 ? 1 : -1];

typedef HANDLE EVT_HANDLE, *PEVT_HANDLE;

/* Access rights (EvtOpenChannelConfig's channel access, EVT_VARIANT's Access SDDL). */
#define EVT_READ_ACCESS 0x1
#define EVT_WRITE_ACCESS 0x2
#define EVT_CLEAR_ACCESS 0x4
#define EVT_ALL_ACCESS 0x7

typedef enum _EVT_VARIANT_TYPE {
    EvtVarTypeNull = 0, EvtVarTypeString = 1, EvtVarTypeAnsiString = 2, EvtVarTypeSByte = 3,
    EvtVarTypeByte = 4, EvtVarTypeInt16 = 5, EvtVarTypeUInt16 = 6, EvtVarTypeInt32 = 7,
    EvtVarTypeUInt32 = 8, EvtVarTypeInt64 = 9, EvtVarTypeUInt64 = 10, EvtVarTypeSingle = 11,
    EvtVarTypeDouble = 12, EvtVarTypeBoolean = 13, EvtVarTypeBinary = 14, EvtVarTypeGuid = 15,
    EvtVarTypeSizeT = 16, EvtVarTypeFileTime = 17, EvtVarTypeSysTime = 18, EvtVarTypeSid = 19,
    EvtVarTypeHexInt32 = 20, EvtVarTypeHexInt64 = 21, EvtVarTypeEvtHandle = 32,
    EvtVarTypeEvtXml = 35
} EVT_VARIANT_TYPE;
#define EVT_VARIANT_TYPE_MASK 0x7f
#define EVT_VARIANT_TYPE_ARRAY 128

typedef struct _EVT_VARIANT {
    union {
        BOOL BooleanVal; INT8 SByteVal; INT16 Int16Val; INT32 Int32Val; INT64 Int64Val;
        UINT8 ByteVal; UINT16 UInt16Val; UINT32 UInt32Val; UINT64 UInt64Val; float SingleVal;
        double DoubleVal; ULONGLONG FileTimeVal; SYSTEMTIME *SysTimeVal; GUID *GuidVal;
        LPCWSTR StringVal; LPCSTR AnsiStringVal; PBYTE BinaryVal; PSID SidVal; size_t SizeTVal;
        BOOL *BooleanArr; INT8 *SByteArr; INT16 *Int16Arr; INT32 *Int32Arr; INT64 *Int64Arr;
        UINT8 *ByteArr; UINT16 *UInt16Arr; UINT32 *UInt32Arr; UINT64 *UInt64Arr;
        float *SingleArr; double *DoubleArr; FILETIME *FileTimeArr; SYSTEMTIME *SysTimeArr;
        GUID *GuidArr; LPWSTR *StringArr; LPSTR *AnsiStringArr; PSID *SidArr;
        size_t *SizeTArr; EVT_HANDLE EvtHandleVal; LPCWSTR XmlVal; LPCWSTR *XmlValArr;
    };
    DWORD Count;
    DWORD Type;
} EVT_VARIANT, *PEVT_VARIANT;
typedef char evtlog_evt_variant_is_16_bytes[sizeof(EVT_VARIANT) == 16 ? 1 : -1];

typedef enum _EVT_LOGIN_CLASS { EvtRpcLogin = 1 } EVT_LOGIN_CLASS;
typedef enum _EVT_RPC_LOGIN_FLAGS {
    EvtRpcLoginAuthDefault = 0, EvtRpcLoginAuthNegotiate, EvtRpcLoginAuthKerberos,
    EvtRpcLoginAuthNTLM
} EVT_RPC_LOGIN_FLAGS;
typedef struct _EVT_RPC_LOGIN {
    LPWSTR Server;
    LPWSTR User;
    LPWSTR Domain;
    LPWSTR Password;
    DWORD Flags;
} EVT_RPC_LOGIN, *PEVT_RPC_LOGIN;

typedef enum _EVT_QUERY_FLAGS {
    EvtQueryChannelPath = 0x1, EvtQueryFilePath = 0x2, EvtQueryForwardDirection = 0x100,
    EvtQueryReverseDirection = 0x200, EvtQueryTolerateQueryErrors = 0x1000
} EVT_QUERY_FLAGS;

typedef enum _EVT_SEEK_FLAGS {
    EvtSeekRelativeToFirst = 1, EvtSeekRelativeToLast = 2, EvtSeekRelativeToCurrent = 3,
    EvtSeekRelativeToBookmark = 4, EvtSeekOriginMask = 7, EvtSeekStrict = 0x10000
} EVT_SEEK_FLAGS;

typedef enum _EVT_SUBSCRIBE_FLAGS {
    EvtSubscribeToFutureEvents = 1, EvtSubscribeStartAtOldestRecord = 2,
    EvtSubscribeStartAfterBookmark = 3, EvtSubscribeOriginMask = 3,
    EvtSubscribeTolerateQueryErrors = 0x1000, EvtSubscribeStrict = 0x10000
} EVT_SUBSCRIBE_FLAGS;

typedef enum _EVT_SUBSCRIBE_NOTIFY_ACTION {
    EvtSubscribeActionError = 0, EvtSubscribeActionDeliver
} EVT_SUBSCRIBE_NOTIFY_ACTION;
typedef DWORD(WINAPI *EVT_SUBSCRIBE_CALLBACK)(EVT_SUBSCRIBE_NOTIFY_ACTION Action,
                                               PVOID UserContext, EVT_HANDLE Event);

typedef enum _EVT_SYSTEM_PROPERTY_ID {
    EvtSystemProviderName = 0, EvtSystemProviderGuid, EvtSystemEventID, EvtSystemQualifiers,
    EvtSystemLevel, EvtSystemTask, EvtSystemOpcode, EvtSystemKeywords, EvtSystemTimeCreated,
    EvtSystemEventRecordId, EvtSystemActivityID, EvtSystemRelatedActivityID,
    EvtSystemProcessID, EvtSystemThreadID, EvtSystemChannel, EvtSystemComputer,
    EvtSystemUserID, EvtSystemVersion, EvtSystemPropertyIdEND
} EVT_SYSTEM_PROPERTY_ID;

typedef enum _EVT_RENDER_CONTEXT_FLAGS {
    EvtRenderContextValues = 0, EvtRenderContextSystem, EvtRenderContextUser
} EVT_RENDER_CONTEXT_FLAGS;
typedef enum _EVT_RENDER_FLAGS {
    EvtRenderEventValues = 0, EvtRenderEventXml, EvtRenderBookmark
} EVT_RENDER_FLAGS;

typedef enum _EVT_FORMAT_MESSAGE_FLAGS {
    EvtFormatMessageEvent = 1, EvtFormatMessageLevel, EvtFormatMessageTask,
    EvtFormatMessageOpcode, EvtFormatMessageKeyword, EvtFormatMessageChannel,
    EvtFormatMessageProvider, EvtFormatMessageId, EvtFormatMessageXml
} EVT_FORMAT_MESSAGE_FLAGS;

typedef enum _EVT_OPEN_LOG_FLAGS { EvtOpenChannelPath = 0x1, EvtOpenFilePath = 0x2 } EVT_OPEN_LOG_FLAGS;
typedef enum _EVT_LOG_PROPERTY_ID {
    EvtLogCreationTime = 0, EvtLogLastAccessTime, EvtLogLastWriteTime, EvtLogFileSize,
    EvtLogAttributes, EvtLogNumberOfLogRecords, EvtLogOldestRecordNumber, EvtLogFull
} EVT_LOG_PROPERTY_ID;

typedef enum _EVT_EXPORTLOG_FLAGS {
    EvtExportLogChannelPath = 0x1, EvtExportLogFilePath = 0x2,
    EvtExportLogTolerateQueryErrors = 0x1000, EvtExportLogOverwrite = 0x2000
} EVT_EXPORTLOG_FLAGS;

typedef enum _EVT_QUERY_PROPERTY_ID {
    EvtQueryNames = 0, EvtQueryStatuses, EvtQueryPropertyIdEND
} EVT_QUERY_PROPERTY_ID;
typedef enum _EVT_EVENT_PROPERTY_ID {
    EvtEventQueryIDs = 0, EvtEventPath, EvtEventPropertyIdEND
} EVT_EVENT_PROPERTY_ID;

typedef enum _EVT_CHANNEL_TYPE {
    EvtChannelTypeAdmin = 0, EvtChannelTypeOperational, EvtChannelTypeAnalytic,
    EvtChannelTypeDebug
} EVT_CHANNEL_TYPE;

typedef enum _EVT_CHANNEL_ISOLATION_TYPE {
    EvtChannelIsolationTypeApplication = 0, EvtChannelIsolationTypeSystem = 1,
    EvtChannelIsolationTypeCustom = 2
} EVT_CHANNEL_ISOLATION_TYPE;

typedef enum _EVT_CHANNEL_CLOCK_TYPE {
    EvtChannelClockTypeSystemTime = 0, EvtChannelClockTypeQPC = 1
} EVT_CHANNEL_CLOCK_TYPE;

typedef enum _EVT_CHANNEL_SID_TYPE {
    EvtChannelSidTypeNone = 0, EvtChannelSidTypePublishing = 1
} EVT_CHANNEL_SID_TYPE;

typedef enum _EVT_CHANNEL_REFERENCE_FLAGS {
    EvtChannelReferenceImported = 0x1
} EVT_CHANNEL_REFERENCE_FLAGS;

typedef enum _EVT_CHANNEL_CONFIG_PROPERTY_ID {
    EvtChannelConfigEnabled = 0, EvtChannelConfigIsolation, EvtChannelConfigType,
    EvtChannelConfigOwningPublisher, EvtChannelConfigClassicEventlog, EvtChannelConfigAccess,
    EvtChannelLoggingConfigRetention, EvtChannelLoggingConfigAutoBackup,
    EvtChannelLoggingConfigMaxSize, EvtChannelLoggingConfigLogFilePath,
    EvtChannelPublishingConfigLevel, EvtChannelPublishingConfigKeywords,
    EvtChannelPublishingConfigControlGuid, EvtChannelPublishingConfigBufferSize,
    EvtChannelPublishingConfigMinBuffers, EvtChannelPublishingConfigMaxBuffers,
    EvtChannelPublishingConfigLatency, EvtChannelPublishingConfigClockType,
    EvtChannelPublishingConfigSidType, EvtChannelPublisherList,
    EvtChannelPublishingConfigFileMax, EvtChannelConfigPropertyIdEND
} EVT_CHANNEL_CONFIG_PROPERTY_ID;

typedef enum _EVT_PUBLISHER_METADATA_PROPERTY_ID {
    EvtPublisherMetadataPublisherGuid = 0, EvtPublisherMetadataResourceFilePath,
    EvtPublisherMetadataParameterFilePath, EvtPublisherMetadataMessageFilePath,
    EvtPublisherMetadataHelpLink, EvtPublisherMetadataPublisherMessageID,
    EvtPublisherMetadataChannelReferences, EvtPublisherMetadataChannelReferencePath,
    EvtPublisherMetadataChannelReferenceIndex, EvtPublisherMetadataChannelReferenceID,
    EvtPublisherMetadataChannelReferenceFlags, EvtPublisherMetadataChannelReferenceMessageID,
    EvtPublisherMetadataLevels, EvtPublisherMetadataLevelName, EvtPublisherMetadataLevelValue,
    EvtPublisherMetadataLevelMessageID, EvtPublisherMetadataTasks, EvtPublisherMetadataTaskName,
    EvtPublisherMetadataTaskEventGuid, EvtPublisherMetadataTaskValue,
    EvtPublisherMetadataTaskMessageID, EvtPublisherMetadataOpcodes,
    EvtPublisherMetadataOpcodeName, EvtPublisherMetadataOpcodeValue,
    EvtPublisherMetadataOpcodeMessageID, EvtPublisherMetadataKeywords,
    EvtPublisherMetadataKeywordName, EvtPublisherMetadataKeywordValue,
    EvtPublisherMetadataKeywordMessageID, EvtPublisherMetadataPropertyIdEND
} EVT_PUBLISHER_METADATA_PROPERTY_ID;

typedef enum _EVT_EVENT_METADATA_PROPERTY_ID {
    EventMetadataEventID = 0, EventMetadataEventVersion, EventMetadataEventChannel,
    EventMetadataEventLevel, EventMetadataEventOpcode, EventMetadataEventTask,
    EventMetadataEventKeyword, EventMetadataEventMessageID, EventMetadataEventTemplate,
    EvtEventMetadataPropertyIdEND
} EVT_EVENT_METADATA_PROPERTY_ID;

typedef HANDLE EVT_OBJECT_ARRAY_PROPERTY_HANDLE;

/* Sessions, queries, cancellation. */
EVT_HANDLE WINAPI EvtOpenSession(EVT_LOGIN_CLASS LoginClass, PVOID Login, DWORD Timeout,
                                 DWORD Flags);
BOOL WINAPI EvtClose(EVT_HANDLE Object);
BOOL WINAPI EvtCancel(EVT_HANDLE Object);
DWORD WINAPI EvtGetExtendedStatus(DWORD BufferSize, LPWSTR Buffer, PDWORD BufferUsed);
EVT_HANDLE WINAPI EvtQuery(EVT_HANDLE Session, LPCWSTR Path, LPCWSTR Query, DWORD Flags);
BOOL WINAPI EvtNext(EVT_HANDLE ResultSet, DWORD EventsSize, PEVT_HANDLE Events, DWORD Timeout,
                    DWORD Flags, PDWORD Returned);
BOOL WINAPI EvtSeek(EVT_HANDLE ResultSet, LONGLONG Position, EVT_HANDLE Bookmark,
                    DWORD Timeout, DWORD Flags);
BOOL WINAPI EvtGetQueryInfo(EVT_HANDLE QueryOrSubscription, EVT_QUERY_PROPERTY_ID PropertyId,
                            DWORD PropertyValueBufferSize, PEVT_VARIANT PropertyValueBuffer,
                            PDWORD PropertyValueBufferUsed);
BOOL WINAPI EvtGetEventInfo(EVT_HANDLE Event, EVT_EVENT_PROPERTY_ID PropertyId,
                            DWORD PropertyValueBufferSize, PEVT_VARIANT PropertyValueBuffer,
                            PDWORD PropertyValueBufferUsed);

/* Subscriptions. */
EVT_HANDLE WINAPI EvtSubscribe(EVT_HANDLE Session, HANDLE SignalEvent, LPCWSTR ChannelPath,
                               LPCWSTR Query, EVT_HANDLE Bookmark, PVOID Context,
                               EVT_SUBSCRIBE_CALLBACK Callback, DWORD Flags);

/* Rendering and bookmarks. */
EVT_HANDLE WINAPI EvtCreateRenderContext(DWORD ValuePathsCount, LPCWSTR *ValuePaths,
                                         DWORD Flags);
BOOL WINAPI EvtRender(EVT_HANDLE Context, EVT_HANDLE Fragment, DWORD Flags, DWORD BufferSize,
                      PVOID Buffer, PDWORD BufferUsed, PDWORD PropertyCount);
EVT_HANDLE WINAPI EvtCreateBookmark(LPCWSTR BookmarkXml);
BOOL WINAPI EvtUpdateBookmark(EVT_HANDLE Bookmark, EVT_HANDLE Event);

/* Channels and whole logs. */
EVT_HANDLE WINAPI EvtOpenChannelEnum(EVT_HANDLE Session, DWORD Flags);
BOOL WINAPI EvtNextChannelPath(EVT_HANDLE ChannelEnum, DWORD ChannelPathBufferSize,
                               LPWSTR ChannelPathBuffer, PDWORD ChannelPathBufferUsed);
BOOL WINAPI EvtClearLog(EVT_HANDLE Session, LPCWSTR ChannelPath, LPCWSTR TargetFilePath,
                        DWORD Flags);
BOOL WINAPI EvtExportLog(EVT_HANDLE Session, LPCWSTR Path, LPCWSTR Query,
                         LPCWSTR TargetFilePath, DWORD Flags);
BOOL WINAPI EvtArchiveExportedLog(EVT_HANDLE Session, LPCWSTR LogFilePath, LCID Locale,
                                  DWORD Flags);
EVT_HANDLE WINAPI EvtOpenLog(EVT_HANDLE Session, LPCWSTR Path, DWORD Flags);
BOOL WINAPI EvtGetLogInfo(EVT_HANDLE Log, EVT_LOG_PROPERTY_ID PropertyId,
                          DWORD PropertyValueBufferSize, PEVT_VARIANT PropertyValueBuffer,
                          PDWORD PropertyValueBufferUsed);

/* Channel configuration, publisher and event metadata, EvtFormatMessage (over the installed
 * manifests and the default publisher; see README.md's fidelity table). */
EVT_HANDLE WINAPI EvtOpenChannelConfig(EVT_HANDLE Session, LPCWSTR ChannelPath, DWORD Flags);
BOOL WINAPI EvtGetChannelConfigProperty(EVT_HANDLE ChannelConfig,
                                        EVT_CHANNEL_CONFIG_PROPERTY_ID PropertyId, DWORD Flags,
                                        DWORD PropertyValueBufferSize,
                                        PEVT_VARIANT PropertyValueBuffer,
                                        PDWORD PropertyValueBufferUsed);
BOOL WINAPI EvtSetChannelConfigProperty(EVT_HANDLE ChannelConfig,
                                        EVT_CHANNEL_CONFIG_PROPERTY_ID PropertyId, DWORD Flags,
                                        PEVT_VARIANT PropertyValue);
BOOL WINAPI EvtSaveChannelConfig(EVT_HANDLE ChannelConfig, DWORD Flags);
EVT_HANDLE WINAPI EvtOpenPublisherEnum(EVT_HANDLE Session, DWORD Flags);
BOOL WINAPI EvtNextPublisherId(EVT_HANDLE PublisherEnum, DWORD PublisherIdBufferSize,
                               LPWSTR PublisherIdBuffer, PDWORD PublisherIdBufferUsed);
EVT_HANDLE WINAPI EvtOpenPublisherMetadata(EVT_HANDLE Session, LPCWSTR PublisherId,
                                           LPCWSTR LogFilePath, LCID Locale, DWORD Flags);
BOOL WINAPI EvtGetPublisherMetadataProperty(EVT_HANDLE PublisherMetadata,
                                            EVT_PUBLISHER_METADATA_PROPERTY_ID PropertyId,
                                            DWORD Flags, DWORD PublisherMetadataPropertyBufferSize,
                                            PEVT_VARIANT PublisherMetadataPropertyBuffer,
                                            PDWORD PublisherMetadataPropertyBufferUsed);
EVT_HANDLE WINAPI EvtOpenEventMetadataEnum(EVT_HANDLE PublisherMetadata, DWORD Flags);
EVT_HANDLE WINAPI EvtNextEventMetadata(EVT_HANDLE EventMetadataEnum, DWORD Flags);
BOOL WINAPI EvtGetEventMetadataProperty(EVT_HANDLE EventMetadata,
                                        EVT_EVENT_METADATA_PROPERTY_ID PropertyId, DWORD Flags,
                                        DWORD EventMetadataPropertyBufferSize,
                                        PEVT_VARIANT EventMetadataPropertyBuffer,
                                        PDWORD EventMetadataPropertyBufferUsed);
BOOL WINAPI EvtGetObjectArraySize(EVT_OBJECT_ARRAY_PROPERTY_HANDLE ObjectArray,
                                  PDWORD ObjectArraySize);
BOOL WINAPI EvtGetObjectArrayProperty(EVT_OBJECT_ARRAY_PROPERTY_HANDLE ObjectArray,
                                      DWORD PropertyId, DWORD ArrayIndex, DWORD Flags,
                                      DWORD PropertyValueBufferSize,
                                      PEVT_VARIANT PropertyValueBuffer,
                                      PDWORD PropertyValueBufferUsed);
BOOL WINAPI EvtFormatMessage(EVT_HANDLE PublisherMetadata, EVT_HANDLE Event, DWORD MessageId,
                             DWORD ValueCount, PEVT_VARIANT Values, DWORD Flags,
                             DWORD BufferSize, LPWSTR Buffer, PDWORD BufferUsed);

/* evtlog's engine controls, for tests (not part of Windows' API). Each returns FALSE and
 * sets the last error on failure, TRUE and ERROR_SUCCESS on success. The classic event
 * source control, evtlog_register_event_source, is in winbase_eventlog.h. */
/* A fresh engine with empty Application, System, Security, Setup and ForwardedEvents; every
 * open handle is closed. */
BOOL WINAPI evtlog_reset(void);
/* An Operational channel. */
BOOL WINAPI evtlog_create_channel(LPCWSTR path);
/* A channel of EVT_CHANNEL_TYPE `type` (an Analytic or Debug one starts disabled). */
BOOL WINAPI evtlog_create_channel_of_type(LPCWSTR path, DWORD type);
BOOL WINAPI evtlog_write_event_xml(LPCWSTR channel, LPCWSTR event_xml);
BOOL WINAPI evtlog_generate(LPCWSTR channel, DWORD count, ULONGLONG seed);
BOOL WINAPI evtlog_use_virtual_clock(ULONGLONG filetime);
BOOL WINAPI evtlog_advance_clock(ULONGLONG milliseconds);
/* Installs (uninstalls) the providers of an instrumentation manifest file, as wevtutil im
 * (um) does; installing creates the channels the manifest defines. */
BOOL WINAPI evtlog_install_manifest(LPCWSTR manifest_path);
BOOL WINAPI evtlog_uninstall_manifest(LPCWSTR manifest_path);
/* The fault plan (docs: "Testing your consumer's error handling"). After `after_calls` calls of
 * the Evt* function named `function` that pass, the next `count` (0: every later call) fail
 * with `error` and do nothing; the environment's EVTLOG_FAULTS arms the same at start. */
BOOL WINAPI evtlog_inject_fault(LPCWSTR function, DWORD after_calls, DWORD count, DWORD error);
/* Likewise, the calls first take `milliseconds` (of the virtual clock when it is virtual). */
BOOL WINAPI evtlog_inject_delay(LPCWSTR function, DWORD after_calls, DWORD count,
                                DWORD milliseconds);
/* A plan in EVTLOG_FAULTS' grammar, e.g. L"EvtNext@2:1734;EvtFormatMessage:15027x*": all of
 * it, or nothing and ERROR_INVALID_PARAMETER with the bad item in the extended status. */
BOOL WINAPI evtlog_inject_plan(LPCWSTR plan);
/* Removes every fault: rules, publishers, channels. */
BOOL WINAPI evtlog_clear_faults(void);
/* EvtOpenPublisherMetadata of the publisher fails with 15002 (its open handles: 15037). */
BOOL WINAPI evtlog_remove_publisher(LPCWSTR publisher);
/* EvtFormatMessage with the publisher's metadata fails with `error` (15027, 15028, 15033,
 * 15037, 317, 1812-1815 or 15100). */
BOOL WINAPI evtlog_fail_messages(LPCWSTR publisher, DWORD error);
/* The caller may not read the channel: EvtQuery, EvtSubscribe, EvtOpenLog, EvtExportLog and
 * EvtClearLog of it fail with ERROR_ACCESS_DENIED (5). */
BOOL WINAPI evtlog_deny_channel_access(LPCWSTR channel);
/* The channel is full: writes fail with ERROR_LOG_FILE_FULL (1502), EvtLogFull is TRUE. */
BOOL WINAPI evtlog_fill_channel(LPCWSTR channel);
/* Selects Windows' quirks (EVTLOG_QUIRKS' grammar: a profile such as L"win11-22h2", or a
 * comma list of profile and quirk names; NULL or empty: none; 87 if malformed, nothing
 * changed). evtlog_reset returns to the quirks EVTLOG_QUIRKS named at start. */
BOOL WINAPI evtlog_set_quirks(LPCWSTR list);
/* The event-log service's lifecycle: stopped, every call fails with RPC_S_SERVER_UNAVAILABLE
 * (1722) and push subscriptions get EvtSubscribeActionError with 1722; started again, every
 * handle opened before fails with ERROR_INVALID_HANDLE (6). Stopping a stopped service fails
 * with 1062, starting a running one with 1056. */
BOOL WINAPI evtlog_stop_service(void);
BOOL WINAPI evtlog_start_service(void);
/* Remote computers (docs/src/remote-computers.md): EvtOpenSession with Server = `name`
 * reaches the computer's own engine, the store in `store_dir` (NULL: in memory). Offline:
 * calls fail with 1722; rebooted: handles made before fail with 6; a delay in virtual
 * milliseconds per call; credentials (user NULL: any login accepted) refused at first use
 * with 5. EVTLOG_COMPUTERS="NAME=STORE_DIR;..." registers computers at start. */
BOOL WINAPI evtlog_register_computer(LPCWSTR name, LPCWSTR store_dir);
BOOL WINAPI evtlog_set_computer_offline(LPCWSTR name, BOOL offline);
BOOL WINAPI evtlog_reboot_computer(LPCWSTR name);
BOOL WINAPI evtlog_set_computer_delay(LPCWSTR name, DWORD milliseconds);
BOOL WINAPI evtlog_set_computer_credentials(LPCWSTR name, LPCWSTR user, LPCWSTR password);
/* Forwards `channel`'s records on computer `from` matching `query` (NULL: all) to the
 * ForwardedEvents channel of `to` with RenderingInfo, each record once (NULL: this computer). */
BOOL WINAPI evtlog_forward_events(LPCWSTR from, LPCWSTR to, LPCWSTR channel, LPCWSTR query);

#ifdef __cplusplus
}
#endif

#endif /* EVTLOG_WINEVT_H */
