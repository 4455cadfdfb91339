/*
 * The classic Event Logging API of winbase.h/winnt.h (advapi32 on Windows) for evtlog's
 * libwevtapi: event sources (RegisterEventSource, ReportEvent) and the classic read API
 * (OpenEventLog, ReadEventLog, EVENTLOGRECORD, ...), with Windows' types, values and
 * signatures. Self-contained apart from winevt.h (the basic Windows types); can be
 * included together with evntprov.h. ANSI strings (the A functions) are UTF-8.
 */
#ifndef EVTLOG_WINBASE_EVENTLOG_H
#define EVTLOG_WINBASE_EVENTLOG_H

#include "winevt.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef _WIN32
typedef uint16_t WORD;
#endif

/* ReportEvent's types. */
#define EVENTLOG_SUCCESS 0x0000
#define EVENTLOG_ERROR_TYPE 0x0001
#define EVENTLOG_WARNING_TYPE 0x0002
#define EVENTLOG_INFORMATION_TYPE 0x0004
#define EVENTLOG_AUDIT_SUCCESS 0x0008
#define EVENTLOG_AUDIT_FAILURE 0x0010

/* ReadEventLog's flags. */
#define EVENTLOG_SEQUENTIAL_READ 0x0001
#define EVENTLOG_SEEK_READ 0x0002
#define EVENTLOG_FORWARDS_READ 0x0004
#define EVENTLOG_BACKWARDS_READ 0x0008

/* GetEventLogInformation's level. */
#define EVENTLOG_FULL_INFO 0

#ifndef ERROR_HANDLE_EOF
#define ERROR_HANDLE_EOF 38L
#endif
#ifndef ERROR_INVALID_LEVEL
#define ERROR_INVALID_LEVEL 124L
#endif
#ifndef ERROR_ALREADY_EXISTS
#define ERROR_ALREADY_EXISTS 183L
#endif
/* A backup file that is not an event log. */
#ifndef ERROR_EVENTLOG_FILE_CORRUPT
#define ERROR_EVENTLOG_FILE_CORRUPT 1500L
#endif
/* GetEventLogInformation with a NULL buffer or size pointer (the RPC's stub refuses it). */
#ifndef RPC_X_NULL_REF_POINTER
#define RPC_X_NULL_REF_POINTER 1780L
#endif

/* EVENTLOGRECORD's fixed part; SourceName, Computername, UserSid, Strings, Data, padding
 * to a DWORD and Length again follow it. */
typedef struct _EVENTLOGRECORD {
    DWORD Length;
    DWORD Reserved; /* 0x654c664c, 'LfLe' */
    DWORD RecordNumber;
    DWORD TimeGenerated; /* seconds since 1970-01-01 UTC */
    DWORD TimeWritten;
    DWORD EventID;
    WORD EventType;
    WORD NumStrings;
    WORD EventCategory;
    WORD ReservedFlags;
    DWORD ClosingRecordNumber;
    DWORD StringOffset;
    DWORD UserSidLength;
    DWORD UserSidOffset;
    DWORD DataLength;
    DWORD DataOffset;
} EVENTLOGRECORD, *PEVENTLOGRECORD;

typedef char evtlog_eventlogrecord_is_56_bytes[sizeof(EVENTLOGRECORD) == 56 ? 1 : -1];

typedef struct _EVENTLOG_FULL_INFORMATION {
    DWORD dwFull;
} EVENTLOG_FULL_INFORMATION, *LPEVENTLOG_FULL_INFORMATION;

HANDLE WINAPI RegisterEventSourceW(LPCWSTR lpUNCServerName, LPCWSTR lpSourceName);
HANDLE WINAPI RegisterEventSourceA(LPCSTR lpUNCServerName, LPCSTR lpSourceName);
BOOL WINAPI DeregisterEventSource(HANDLE hEventLog);
BOOL WINAPI ReportEventW(HANDLE hEventLog, WORD wType, WORD wCategory, DWORD dwEventID,
                         PSID lpUserSid, WORD wNumStrings, DWORD dwDataSize, LPCWSTR *lpStrings,
                         PVOID lpRawData);
BOOL WINAPI ReportEventA(HANDLE hEventLog, WORD wType, WORD wCategory, DWORD dwEventID,
                         PSID lpUserSid, WORD wNumStrings, DWORD dwDataSize, LPCSTR *lpStrings,
                         PVOID lpRawData);

HANDLE WINAPI OpenEventLogW(LPCWSTR lpUNCServerName, LPCWSTR lpSourceName);
HANDLE WINAPI OpenEventLogA(LPCSTR lpUNCServerName, LPCSTR lpSourceName);
HANDLE WINAPI OpenBackupEventLogW(LPCWSTR lpUNCServerName, LPCWSTR lpFileName);
HANDLE WINAPI OpenBackupEventLogA(LPCSTR lpUNCServerName, LPCSTR lpFileName);
BOOL WINAPI CloseEventLog(HANDLE hEventLog);
BOOL WINAPI ReadEventLogW(HANDLE hEventLog, DWORD dwReadFlags, DWORD dwRecordOffset,
                          PVOID lpBuffer, DWORD nNumberOfBytesToRead, DWORD *pnBytesRead,
                          DWORD *pnMinNumberOfBytesNeeded);
BOOL WINAPI ReadEventLogA(HANDLE hEventLog, DWORD dwReadFlags, DWORD dwRecordOffset,
                          PVOID lpBuffer, DWORD nNumberOfBytesToRead, DWORD *pnBytesRead,
                          DWORD *pnMinNumberOfBytesNeeded);
BOOL WINAPI GetNumberOfEventLogRecords(HANDLE hEventLog, PDWORD NumberOfRecords);
BOOL WINAPI GetOldestEventLogRecord(HANDLE hEventLog, PDWORD OldestRecord);
BOOL WINAPI ClearEventLogW(HANDLE hEventLog, LPCWSTR lpBackupFileName);
BOOL WINAPI ClearEventLogA(HANDLE hEventLog, LPCSTR lpBackupFileName);
BOOL WINAPI BackupEventLogW(HANDLE hEventLog, LPCWSTR lpBackupFileName);
BOOL WINAPI BackupEventLogA(HANDLE hEventLog, LPCSTR lpBackupFileName);
BOOL WINAPI GetEventLogInformation(HANDLE hEventLog, DWORD dwInfoLevel, PVOID lpBuffer,
                                   DWORD cbBufSize, PDWORD pcbBytesNeeded);
BOOL WINAPI NotifyChangeEventLog(HANDLE hEventLog, HANDLE hEvent);

#ifdef UNICODE
#define RegisterEventSource RegisterEventSourceW
#define ReportEvent ReportEventW
#define OpenEventLog OpenEventLogW
#define OpenBackupEventLog OpenBackupEventLogW
#define ReadEventLog ReadEventLogW
#define ClearEventLog ClearEventLogW
#define BackupEventLog BackupEventLogW
#else
#define RegisterEventSource RegisterEventSourceA
#define ReportEvent ReportEventA
#define OpenEventLog OpenEventLogA
#define OpenBackupEventLog OpenBackupEventLogA
#define ReadEventLog ReadEventLogA
#define ClearEventLog ClearEventLogA
#define BackupEventLog BackupEventLogA
#endif

/* evtlog's engine control: registers a classic event source, as an installer's write of
 * HKLM\SYSTEM\CurrentControlSet\Services\EventLog\<log>\<source> does on Windows (the log
 * is created if it does not exist). FALSE and the last error on failure. */
BOOL WINAPI evtlog_register_event_source(LPCWSTR log, LPCWSTR source,
                                         LPCWSTR eventMessageFile,
                                         LPCWSTR categoryMessageFile, DWORD categoryCount,
                                         LPCWSTR parameterMessageFile);

#ifdef __cplusplus
}
#endif

#endif /* EVTLOG_WINBASE_EVENTLOG_H */
