/*
 * evntprov.h for evtlog's libwevtapi: the manifest provider API (EventRegister, EventWrite,
 * ...) with Windows' types and signatures, beside winevt.h. Self-contained apart from
 * winevt.h, which defines the basic Windows types (DWORD, GUID, LPCWSTR, ...).
 *
 * What an EventWrite does here: the event goes to the event log channel its descriptor's
 * Channel names, decoded by the installed manifest's template; with no installed manifest,
 * channel 0 or a channel the manifest does not declare, it is for ETW sessions only and
 * nothing is logged (ERROR_SUCCESS). EventWriteString is ETW-only. See README.md.
 */
#ifndef EVTLOG_EVNTPROV_H
#define EVTLOG_EVNTPROV_H

#include "winevt.h"

#ifdef __cplusplus
extern "C" {
#endif

#ifndef _WIN32
#ifndef EVNTAPI
#define EVNTAPI WINAPI
#endif
typedef uint8_t UCHAR, BOOLEAN;
typedef uint16_t USHORT;
typedef uint32_t ULONG;
typedef const GUID *LPCGUID;
typedef GUID *LPGUID;
#endif /* !_WIN32 */

typedef ULONGLONG REGHANDLE, *PREGHANDLE;

#define MAX_EVENT_DATA_DESCRIPTORS 128
#define MAX_EVENT_FILTER_DATA_SIZE 1024
#define EVENT_CONTROL_CODE_DISABLE_PROVIDER 0
#define EVENT_CONTROL_CODE_ENABLE_PROVIDER 1
#define EVENT_CONTROL_CODE_CAPTURE_STATE 2
#define EVENT_ACTIVITY_CTRL_GET_ID 1
#define EVENT_ACTIVITY_CTRL_SET_ID 2
#define EVENT_ACTIVITY_CTRL_CREATE_ID 3
#define EVENT_ACTIVITY_CTRL_GET_SET_ID 4
#define EVENT_ACTIVITY_CTRL_CREATE_SET_ID 5
#define EVENT_WRITE_FLAG_NO_FAULTING 0x00000001
#define EVENT_WRITE_FLAG_INPRIVATE 0x00000002

#ifndef ERROR_ARITHMETIC_OVERFLOW
#define ERROR_ARITHMETIC_OVERFLOW 534L
#endif
#ifndef ERROR_MORE_DATA
#define ERROR_MORE_DATA 234L
#endif

typedef struct _EVENT_DESCRIPTOR {
    USHORT Id;
    UCHAR Version;
    UCHAR Channel;
    UCHAR Level;
    UCHAR Opcode;
    USHORT Task;
    ULONGLONG Keyword;
} EVENT_DESCRIPTOR, *PEVENT_DESCRIPTOR;
typedef const EVENT_DESCRIPTOR *PCEVENT_DESCRIPTOR;

typedef struct _EVENT_DATA_DESCRIPTOR {
    ULONGLONG Ptr;
    ULONG Size;
    union {
        ULONG Reserved;
        struct {
            UCHAR Type;
            UCHAR Reserved1;
            USHORT Reserved2;
        };
    };
} EVENT_DATA_DESCRIPTOR, *PEVENT_DATA_DESCRIPTOR;

typedef struct _EVENT_FILTER_DESCRIPTOR {
    ULONGLONG Ptr;
    ULONG Size;
    ULONG Type;
} EVENT_FILTER_DESCRIPTOR, *PEVENT_FILTER_DESCRIPTOR;

typedef char evtlog_event_descriptor_is_16_bytes[sizeof(EVENT_DESCRIPTOR) == 16 ? 1 : -1];
typedef char evtlog_event_data_descriptor_is_16_bytes[sizeof(EVENT_DATA_DESCRIPTOR) == 16 ? 1 : -1];

typedef void(EVNTAPI *PENABLECALLBACK)(LPCGUID SourceId, ULONG IsEnabled, UCHAR Level,
                                       ULONGLONG MatchAnyKeyword, ULONGLONG MatchAllKeyword,
                                       PEVENT_FILTER_DESCRIPTOR FilterData,
                                       PVOID CallbackContext);

ULONG EVNTAPI EventRegister(LPCGUID ProviderId, PENABLECALLBACK EnableCallback,
                            PVOID CallbackContext, PREGHANDLE RegHandle);
ULONG EVNTAPI EventUnregister(REGHANDLE RegHandle);
BOOLEAN EVNTAPI EventEnabled(REGHANDLE RegHandle, PCEVENT_DESCRIPTOR EventDescriptor);
BOOLEAN EVNTAPI EventProviderEnabled(REGHANDLE RegHandle, UCHAR Level, ULONGLONG Keyword);
ULONG EVNTAPI EventWrite(REGHANDLE RegHandle, PCEVENT_DESCRIPTOR EventDescriptor,
                         ULONG UserDataCount, PEVENT_DATA_DESCRIPTOR UserData);
ULONG EVNTAPI EventWriteTransfer(REGHANDLE RegHandle, PCEVENT_DESCRIPTOR EventDescriptor,
                                 LPCGUID ActivityId, LPCGUID RelatedActivityId,
                                 ULONG UserDataCount, PEVENT_DATA_DESCRIPTOR UserData);
ULONG EVNTAPI EventWriteEx(REGHANDLE RegHandle, PCEVENT_DESCRIPTOR EventDescriptor,
                           ULONGLONG Filter, ULONG Flags, LPCGUID ActivityId,
                           LPCGUID RelatedActivityId, ULONG UserDataCount,
                           PEVENT_DATA_DESCRIPTOR UserData);
ULONG EVNTAPI EventActivityIdControl(ULONG ControlCode, LPGUID ActivityId);
ULONG EVNTAPI EventWriteString(REGHANDLE RegHandle, UCHAR Level, ULONGLONG Keyword,
                               PCWSTR String);

/* The inline helpers of Windows' evntprov.h. */
static inline void EventDataDescCreate(PEVENT_DATA_DESCRIPTOR EventDataDescriptor,
                                       const void *DataPtr, ULONG DataSize)
{
    EventDataDescriptor->Ptr = (ULONGLONG)(uintptr_t)DataPtr;
    EventDataDescriptor->Size = DataSize;
    EventDataDescriptor->Reserved = 0;
}

static inline void EventDescCreate(PEVENT_DESCRIPTOR EventDescriptor, USHORT Id, UCHAR Version,
                                   UCHAR Channel, UCHAR Level, USHORT Task, UCHAR Opcode,
                                   ULONGLONG Keyword)
{
    EventDescriptor->Id = Id;
    EventDescriptor->Version = Version;
    EventDescriptor->Channel = Channel;
    EventDescriptor->Level = Level;
    EventDescriptor->Task = Task;
    EventDescriptor->Opcode = Opcode;
    EventDescriptor->Keyword = Keyword;
}

#ifdef __cplusplus
}
#endif

#endif /* EVTLOG_EVNTPROV_H */
