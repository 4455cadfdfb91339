/* A hostile C caller: every export of libwevtapi (winevt.h, evntprov.h, winbase_eventlog.h)
 * called with NULL, bogus, closed and wrong-kind handles, NULL out-parameters, buffer sizes
 * 0 and 0xFFFFFFFF over small real buffers with guard bytes behind them, 1M-character
 * strings and unpaired UTF-16 surrogates, reserved and contradictory flags, and closes and
 * cancels racing calls in flight on other threads. Each call fails with its documented
 * GetLastError code (or returns it, for the functions that report through their result);
 * nothing crashes, nothing writes past what it was given, nothing hangs (a watchdog
 * alarm fails the program). errors.c holds the everyday misuse; this is the adversary.
 * The end checks that every export was called at least once. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <unistd.h>
#include "common.h"
#include <evntprov.h>
#include <winbase_eventlog.h>

/* ---- bookkeeping: the calls made, and which exports they reached ---- */

static atomic_ulong calls;
static char reached[8192] = ";"; /* ";EvtQuery;EvtNext;..." */
static pthread_mutex_t reached_lock = PTHREAD_MUTEX_INITIALIZER;

/* Notes the export a call's text starts with (up to its '('). */
static void reach(const char *text) {
    char name[96] = ";";
    size_t n = strcspn(text, "( ");
    if (n == 0 || n > sizeof name - 3) return;
    memcpy(name + 1, text, n);
    strcpy(name + 1 + n, ";");
    pthread_mutex_lock(&reached_lock);
    if (!strstr(reached, name) && strlen(reached) + n + 2 < sizeof reached)
        strcat(reached, name + 1);
    pthread_mutex_unlock(&reached_lock);
    atomic_fetch_add(&calls, 1);
}

static void fail_at(int line, const char *text, const char *what, unsigned expected,
                    unsigned got) {
    WCHAR status[512] = {0};
    char ascii[512];
    DWORD used = 0;
    if (EvtGetExtendedStatus(512, status, &used) != ERROR_SUCCESS) status[0] = 0;
    narrow(status, ascii, sizeof ascii);
    fprintf(stderr, "hostile.c:%d: %s: %s %u, got %u (%s)\n", line, text, what, expected, got,
            ascii);
    exit(1);
}

/* A row: `call` fails (FALSE or NULL) and leaves the last error `code`. */
#define FAILS(code, call)                                                                  \
    do {                                                                                   \
        reach(#call);                                                                      \
        SetLastError(0xBADC0DE);                                                           \
        int ok_ = (call) ? 1 : 0;                                                          \
        DWORD got_ = GetLastError();                                                       \
        if (ok_) fail_at(__LINE__, #call, "succeeded; expected failure", (code), 0);       \
        if (got_ != (DWORD)(code)) fail_at(__LINE__, #call, "expected", (code), got_);     \
    } while (0)

/* A row for a function that reports through its result (EvtGetExtendedStatus, evntprov.h):
 * `call` returns `code`. */
#define RETURNS(code, call)                                                                \
    do {                                                                                   \
        reach(#call);                                                                      \
        DWORD got_ = (DWORD)(call);                                                        \
        if (got_ != (DWORD)(code)) fail_at(__LINE__, #call, "expected result", (code), got_); \
    } while (0)

/* A row that must succeed (TRUE or non-NULL). */
#define WORKS(call)                                                                        \
    do {                                                                                   \
        reach(#call);                                                                      \
        if (!(call)) fail_at(__LINE__, #call, "expected success, last error", 0, GetLastError()); \
    } while (0)

/* ---- guarded buffers: a small real buffer with guard bytes behind it ---- */

#define REAL 48
#define GUARD 64
#define GUARD_BYTE 0xA5
static union {
    EVT_VARIANT variant;
    unsigned char bytes[REAL + GUARD];
    WCHAR text[(REAL + GUARD) / 2];
    EVT_HANDLE handles[(REAL + GUARD) / sizeof(EVT_HANDLE)];
} g;

static void *fresh(void) {
    memset(g.bytes, GUARD_BYTE, sizeof g.bytes);
    return g.bytes;
}

/* Nothing at or after byte `from` was written. */
static void untouched_from(size_t from, int line) {
    for (size_t i = from; i < sizeof g.bytes; i++) {
        if (g.bytes[i] != GUARD_BYTE) {
            fprintf(stderr, "hostile.c:%d: byte %zu of the buffer (real size %d) was written\n",
                    line, i, REAL);
            exit(1);
        }
    }
}
#define UNTOUCHED() untouched_from(0, __LINE__)

/* ---- hostile arguments ---- */

#define BOGUS ((EVT_HANDLE)(intptr_t)0x12345)
#define MINUS_ONE ((EVT_HANDLE)(intptr_t)-1)
#define HUGE_CHARS (1024 * 1024)
#define HUGE_ANSI (2 * 1024 * 1024)
static WCHAR *huge;          /* 1M 'A's, NUL-terminated */
static char *huge_ansi;      /* 2M 'A's */
static const WCHAR high_alone[] = {'S', 'y', 's', 0xD800, 0};      /* at the end */
static const WCHAR low_alone[] = {0xDC00, 'S', 'y', 's', 0};       /* at the start */
static const WCHAR swapped[] = {'a', 0xDC00, 0xD800, 'b', 0};      /* low before high */
static const char bad_utf8[] = {'S', 'y', 's', (char)0xFF, 0};      /* the A functions' UTF-8 */

/* Every string a function must refuse with ERROR_INVALID_PARAMETER. */
#define BAD_STRINGS {huge, high_alone, low_alone, swapped}
#define EACH_BAD_STRING(s)                                                                 \
    for (size_t i_ = 0; i_ < 4; i_++)                                                      \
        for (const WCHAR *s = ((const WCHAR *[])BAD_STRINGS)[i_], *once_ = s; once_;       \
             once_ = NULL)

/* ---- live handles of every kind ---- */

static EVT_HANDLE query, event, context, bookmark, channels, log_, config, publishers,
    metadata, event_enum, event_meta, array, subscription, session, closed;
static HANDLE signal_, classic_log, source;
static REGHANDLE provider;
static const GUID provider_id = {0x6a3c1f2e, 0x0b7d, 0x4e5f, {1, 2, 3, 4, 5, 6, 7, 8}};

static void open_everything(void) {
    DWORD used = 0, returned = 0;
    CHECK(evtlog_reset());
    CHECK(evtlog_generate(L"System", 20, 7));
    CHECK(evtlog_install_manifest(L"fixtures/manifests/evtlog-test.man"));
    query = EvtQuery(NULL, L"System", NULL, EvtQueryChannelPath);
    EVT_HANDLE two[2];
    CHECK(query && EvtNext(query, 2, two, INFINITE, 0, &returned) && returned == 2);
    event = two[0];
    closed = two[1];
    CHECK(EvtClose(closed));
    context = EvtCreateRenderContext(0, NULL, EvtRenderContextSystem);
    bookmark = EvtCreateBookmark(NULL);
    channels = EvtOpenChannelEnum(NULL, 0);
    log_ = EvtOpenLog(NULL, L"System", EvtOpenChannelPath);
    config = EvtOpenChannelConfig(NULL, L"System", 0);
    publishers = EvtOpenPublisherEnum(NULL, 0);
    metadata = EvtOpenPublisherMetadata(NULL, L"Evtlog-Test-Provider", NULL, 0, 0);
    CHECK(context && bookmark && channels && log_ && config && publishers && metadata);
    event_enum = EvtOpenEventMetadataEnum(metadata, 0);
    CHECK(event_enum);
    event_meta = EvtNextEventMetadata(event_enum, 0);
    CHECK(event_meta);
    EVT_VARIANT *v = malloc(4096);
    CHECK(EvtGetPublisherMetadataProperty(metadata, EvtPublisherMetadataChannelReferences, 0,
                                          4096, v, &used));
    CHECK(v->Type == EvtVarTypeEvtHandle);
    array = v->EvtHandleVal;
    free(v);
    signal_ = CreateEventW(NULL, TRUE, FALSE, NULL);
    CHECK(signal_);
    subscription = EvtSubscribe(NULL, signal_, L"System", NULL, NULL, NULL, NULL,
                                EvtSubscribeToFutureEvents);
    EVT_RPC_LOGIN login = {0};
    session = EvtOpenSession(EvtRpcLogin, &login, 0, 0);
    classic_log = OpenEventLogW(NULL, L"System");
    CHECK(evtlog_register_event_source(L"Application", L"Hostile", NULL, NULL, 0, NULL));
    source = RegisterEventSourceW(NULL, L"Hostile");
    CHECK(subscription && session && classic_log && source);
    CHECK(EventRegister(&provider_id, NULL, NULL, &provider) == ERROR_SUCCESS);
}

/* ---- 1. handles: NULL, bogus, -1, closed, and the wrong kind, for every taker ---- */

static void bad_handles(void) {
    EVT_HANDLE bad[] = {NULL, BOGUS, MINUS_ONE, closed};
    DWORD used = 0, count = 0, size = 0;
    EVT_VARIANT value = {.Type = EvtVarTypeBoolean};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        EVT_HANDLE h = bad[i];
        FAILS(ERROR_INVALID_HANDLE, EvtGetChannelConfigProperty(h, EvtChannelConfigEnabled, 0, 0,
                                                                NULL, &used));
        FAILS(ERROR_INVALID_HANDLE, EvtSetChannelConfigProperty(h, EvtChannelConfigEnabled, 0,
                                                                &value));
        FAILS(ERROR_INVALID_HANDLE, EvtSaveChannelConfig(h, 0));
        FAILS(ERROR_INVALID_HANDLE, EvtNextPublisherId(h, 0, NULL, &used));
        FAILS(ERROR_INVALID_HANDLE, EvtGetPublisherMetadataProperty(
                                        h, EvtPublisherMetadataPublisherGuid, 0, 0, NULL, &used));
        FAILS(ERROR_INVALID_HANDLE, EvtOpenEventMetadataEnum(h, 0));
        FAILS(ERROR_INVALID_HANDLE, EvtNextEventMetadata(h, 0));
        FAILS(ERROR_INVALID_HANDLE, EvtGetEventMetadataProperty(h, EventMetadataEventID, 0, 0,
                                                                NULL, &used));
        FAILS(ERROR_INVALID_HANDLE, EvtGetObjectArraySize(h, &size));
        FAILS(ERROR_INVALID_HANDLE, EvtGetObjectArrayProperty(h, 0, 0, 0, 0, NULL, &used));
        FAILS(ERROR_INVALID_HANDLE, EvtRender(context, h, EvtRenderEventValues, 0, NULL, &used,
                                              &count));
        FAILS(ERROR_INVALID_HANDLE, EvtUpdateBookmark(bookmark, h));
        FAILS(ERROR_INVALID_HANDLE, EvtSeek(query, 0, h, 0, EvtSeekRelativeToBookmark));
        FAILS(ERROR_INVALID_HANDLE, EvtGetLogInfo(h, EvtLogFileSize, 0, NULL, &used));
        FAILS(ERROR_INVALID_HANDLE, CloseEventLog(h));
        FAILS(ERROR_INVALID_HANDLE, DeregisterEventSource(h));
        FAILS(ERROR_INVALID_HANDLE, GetNumberOfEventLogRecords(h, &size));
        FAILS(ERROR_INVALID_HANDLE, GetOldestEventLogRecord(h, &size));
        FAILS(ERROR_INVALID_HANDLE, ReadEventLogW(h, EVENTLOG_SEQUENTIAL_READ |
                                                  EVENTLOG_FORWARDS_READ, 0, fresh(), REAL,
                                                  &used, &size));
        UNTOUCHED();
        FAILS(ERROR_INVALID_HANDLE, ReadEventLogA(h, EVENTLOG_SEQUENTIAL_READ |
                                                  EVENTLOG_FORWARDS_READ, 0, fresh(), 0xFFFFFFFF,
                                                  &used, &size));
        UNTOUCHED();
        FAILS(ERROR_INVALID_HANDLE, ClearEventLogW(h, NULL));
        FAILS(ERROR_INVALID_HANDLE, ClearEventLogA(h, NULL));
        FAILS(ERROR_INVALID_HANDLE, BackupEventLogW(h, L"/tmp/hostile-backup.evtx"));
        FAILS(ERROR_INVALID_HANDLE, BackupEventLogA(h, "/tmp/hostile-backup.evtx"));
        FAILS(ERROR_INVALID_HANDLE, GetEventLogInformation(h, EVENTLOG_FULL_INFO, fresh(),
                                                           0xFFFFFFFF, &used));
        UNTOUCHED();
        FAILS(ERROR_INVALID_HANDLE, NotifyChangeEventLog(h, signal_));
        FAILS(ERROR_INVALID_HANDLE, NotifyChangeEventLog(classic_log, h));
        LPCWSTR strings[] = {L"x"};
        FAILS(ERROR_INVALID_HANDLE, ReportEventW(h, EVENTLOG_ERROR_TYPE, 0, 1, NULL, 1, 0,
                                                 strings, NULL));
        LPCSTR ansi[] = {"x"};
        FAILS(ERROR_INVALID_HANDLE, ReportEventA(h, EVENTLOG_ERROR_TYPE, 0, 1, NULL, 1, 0, ansi,
                                                 NULL));
        /* The buffer-filling functions, 0xFFFFFFFF bytes declared over 48 real ones. */
        FAILS(ERROR_INVALID_HANDLE, EvtNextChannelPath(h, 0xFFFFFFFF, fresh(), &used));
        UNTOUCHED();
        FAILS(ERROR_INVALID_HANDLE, EvtNextPublisherId(h, 0xFFFFFFFF, fresh(), &used));
        UNTOUCHED();
        FAILS(ERROR_INVALID_HANDLE, EvtRender(NULL, h, EvtRenderEventXml, 0xFFFFFFFF, fresh(),
                                              &used, &count));
        UNTOUCHED();
        FAILS(ERROR_INVALID_HANDLE, EvtGetEventInfo(h, EvtEventPath, 0xFFFFFFFF, fresh(), &used));
        UNTOUCHED();
        FAILS(ERROR_INVALID_HANDLE, EvtGetQueryInfo(h, EvtQueryNames, 0xFFFFFFFF, fresh(), &used));
        UNTOUCHED();
        FAILS(ERROR_INVALID_HANDLE, EvtGetObjectArrayProperty(h, 0, 0, 0, 0xFFFFFFFF, fresh(),
                                                              &used));
        UNTOUCHED();
        FAILS(ERROR_INVALID_HANDLE, EvtNext(h, REAL / sizeof(EVT_HANDLE), fresh(), 0, 0, &used));
        UNTOUCHED();
        if (h) { /* NULL is the event's own publisher */
            FAILS(ERROR_INVALID_HANDLE, EvtFormatMessage(h, event, 0, 0, NULL,
                                                         EvtFormatMessageEvent, 0xFFFFFFFF,
                                                         fresh(), &used));
            UNTOUCHED();
        }
        /* kernel32's event objects. */
        SetLastError(0);
        reach("WaitForSingleObject");
        CHECK(WaitForSingleObject(h, INFINITE) == WAIT_FAILED &&
              GetLastError() == ERROR_INVALID_HANDLE);
        /* The provider's registration handle: a bogus value is refused, not trusted. */
        REGHANDLE r = (REGHANDLE)(uintptr_t)h;
        EVENT_DESCRIPTOR d = {.Id = 1, .Level = 4};
        RETURNS(ERROR_INVALID_HANDLE, EventUnregister(r));
        RETURNS(ERROR_INVALID_HANDLE, EventWrite(r, &d, 0, NULL));
        RETURNS(ERROR_INVALID_HANDLE, EventWriteTransfer(r, &d, NULL, NULL, 0, NULL));
        RETURNS(ERROR_INVALID_HANDLE, EventWriteEx(r, &d, 0, 0, NULL, NULL, 0, NULL));
        RETURNS(ERROR_INVALID_HANDLE, EventWriteString(r, 4, 0, L"x"));
        RETURNS(FALSE, EventEnabled(r, &d));
        RETURNS(FALSE, EventProviderEnabled(r, 4, 0));
    }
    /* Session arguments: NULL is the local session, anything else bad is 6. */
    EVT_HANDLE bad_sessions[] = {BOGUS, MINUS_ONE, closed, bookmark, query};
    for (size_t i = 0; i < sizeof bad_sessions / sizeof bad_sessions[0]; i++) {
        EVT_HANDLE s = bad_sessions[i];
        FAILS(ERROR_INVALID_HANDLE, EvtOpenChannelConfig(s, L"System", 0));
        FAILS(ERROR_INVALID_HANDLE, EvtOpenPublisherEnum(s, 0));
        FAILS(ERROR_INVALID_HANDLE, EvtOpenPublisherMetadata(s, L"Evtlog-Test-Provider", NULL, 0,
                                                             0));
        FAILS(ERROR_INVALID_HANDLE, EvtSubscribe(s, signal_, L"System", NULL, NULL, NULL, NULL,
                                                 EvtSubscribeToFutureEvents));
        FAILS(ERROR_INVALID_HANDLE, EvtOpenLog(s, L"System", EvtOpenChannelPath));
        FAILS(ERROR_INVALID_HANDLE, EvtArchiveExportedLog(s, L"/tmp/hostile.evtx", 0, 0));
    }

    /* The wrong kind: every taker handed a live handle of another kind. */
    FAILS(ERROR_INVALID_HANDLE, EvtNext(bookmark, 1, fresh(), 0, 0, &used));
    FAILS(ERROR_INVALID_HANDLE, EvtNext(channels, 1, fresh(), 0, 0, &used));
    UNTOUCHED();
    FAILS(ERROR_INVALID_HANDLE, EvtSeek(subscription, 0, NULL, 0, EvtSeekRelativeToFirst));
    FAILS(ERROR_INVALID_HANDLE, EvtSeek(bookmark, 0, NULL, 0, EvtSeekRelativeToFirst));
    FAILS(ERROR_INVALID_HANDLE, EvtSeek(query, 0, query, 0, EvtSeekRelativeToBookmark));
    FAILS(ERROR_INVALID_HANDLE, EvtUpdateBookmark(bookmark, query));
    FAILS(ERROR_INVALID_HANDLE, EvtUpdateBookmark(query, event));
    FAILS(ERROR_INVALID_HANDLE, EvtRender(NULL, config, EvtRenderEventXml, 0, NULL, &used,
                                          &count));
    FAILS(ERROR_INVALID_HANDLE, EvtRender(NULL, event_meta, EvtRenderBookmark, 0, NULL, &used,
                                          &count));
    FAILS(ERROR_INVALID_HANDLE, EvtRender(query, event, EvtRenderEventValues, 0, NULL, &used,
                                          &count));
    FAILS(ERROR_INVALID_HANDLE, EvtGetQueryInfo(bookmark, EvtQueryNames, 0, NULL, &used));
    FAILS(ERROR_INVALID_HANDLE, EvtGetEventInfo(bookmark, EvtEventPath, 0, NULL, &used));
    FAILS(ERROR_INVALID_HANDLE, EvtGetLogInfo(config, EvtLogFileSize, 0, NULL, &used));
    FAILS(ERROR_INVALID_HANDLE, EvtGetLogInfo(query, EvtLogFileSize, 0, NULL, &used));
    FAILS(ERROR_INVALID_HANDLE, EvtNextChannelPath(publishers, 0, NULL, &used));
    FAILS(ERROR_INVALID_HANDLE, EvtNextPublisherId(channels, 0, NULL, &used));
    FAILS(ERROR_INVALID_HANDLE, EvtGetChannelConfigProperty(log_, EvtChannelConfigEnabled, 0, 0,
                                                            NULL, &used));
    FAILS(ERROR_INVALID_HANDLE, EvtSetChannelConfigProperty(metadata, EvtChannelConfigEnabled, 0,
                                                            &value));
    FAILS(ERROR_INVALID_HANDLE, EvtSaveChannelConfig(log_, 0));
    FAILS(ERROR_INVALID_HANDLE, EvtGetPublisherMetadataProperty(
                                    config, EvtPublisherMetadataPublisherGuid, 0, 0, NULL, &used));
    FAILS(ERROR_INVALID_HANDLE, EvtOpenEventMetadataEnum(event_meta, 0));
    FAILS(ERROR_INVALID_HANDLE, EvtOpenEventMetadataEnum(publishers, 0));
    FAILS(ERROR_INVALID_HANDLE, EvtNextEventMetadata(metadata, 0));
    FAILS(ERROR_INVALID_HANDLE, EvtNextEventMetadata(channels, 0));
    FAILS(ERROR_INVALID_HANDLE, EvtGetEventMetadataProperty(metadata, EventMetadataEventID, 0, 0,
                                                            NULL, &used));
    FAILS(ERROR_INVALID_HANDLE, EvtGetObjectArraySize(event, &size));
    FAILS(ERROR_INVALID_HANDLE, EvtGetObjectArraySize(metadata, &size));
    FAILS(ERROR_INVALID_HANDLE, EvtGetObjectArrayProperty(event_meta, 0, 0, 0, 0, NULL, &used));
    FAILS(ERROR_INVALID_HANDLE, EvtFormatMessage(query, event, 0, 0, NULL, EvtFormatMessageEvent,
                                                 0, NULL, &used));
    FAILS(ERROR_INVALID_HANDLE, EvtFormatMessage(metadata, bookmark, 0, 0, NULL,
                                                 EvtFormatMessageEvent, 0, NULL, &used));
    FAILS(ERROR_INVALID_HANDLE, EvtExportLog(bookmark, L"System", NULL, L"/tmp/hostile.evtx",
                                             EvtExportLogChannelPath));
    FAILS(ERROR_INVALID_HANDLE, EvtClearLog(query, L"System", NULL, 0));
    FAILS(ERROR_INVALID_HANDLE, EvtOpenChannelEnum(event, 0));
    FAILS(ERROR_INVALID_HANDLE, EvtSubscribe(NULL, signal_, L"System", NULL, query, NULL, NULL,
                                             EvtSubscribeStartAfterBookmark));
    /* Classic and Evt handles live apart: neither table takes the other's. */
    FAILS(ERROR_INVALID_HANDLE, ReadEventLogW(query, EVENTLOG_SEQUENTIAL_READ |
                                              EVENTLOG_FORWARDS_READ, 0, fresh(), REAL, &used,
                                              &size));
    UNTOUCHED();
    FAILS(ERROR_INVALID_HANDLE, ReadEventLogW(source, EVENTLOG_SEQUENTIAL_READ |
                                              EVENTLOG_FORWARDS_READ, 0, fresh(), REAL, &used,
                                              &size));
    UNTOUCHED();
    FAILS(ERROR_INVALID_HANDLE, DeregisterEventSource(classic_log));
    FAILS(ERROR_INVALID_HANDLE, CloseEventLog(source));
    FAILS(ERROR_INVALID_HANDLE, EvtClose(classic_log));
    FAILS(ERROR_INVALID_HANDLE, EvtCancel(source));
    FAILS(ERROR_INVALID_HANDLE, EvtCancel(signal_));
    FAILS(ERROR_INVALID_HANDLE, EvtClose((EVT_HANDLE)(uintptr_t)provider));
    FAILS(ERROR_INVALID_HANDLE, GetNumberOfEventLogRecords(query, &size));
    FAILS(ERROR_INVALID_HANDLE, NotifyChangeEventLog(classic_log, query));
    FAILS(ERROR_INVALID_HANDLE, SetEvent(subscription));
    FAILS(ERROR_INVALID_HANDLE, ResetEvent(classic_log));
    FAILS(ERROR_INVALID_HANDLE, CloseHandle(source));
    RETURNS(ERROR_INVALID_HANDLE, EventUnregister((REGHANDLE)(uintptr_t)query));
}

/* ---- 2. out-parameters and buffers: NULL, size 0 and 0xFFFFFFFF over small ones ---- */

static void bad_buffers(void) {
    DWORD used = 0, count = 0, size = 0;
    /* A NULL out-parameter is 87 before anything else, even before a bad handle. */
    FAILS(ERROR_INVALID_PARAMETER, EvtGetChannelConfigProperty(BOGUS, EvtChannelConfigEnabled, 0,
                                                               0, NULL, NULL));
    FAILS(ERROR_INVALID_PARAMETER, EvtGetPublisherMetadataProperty(
                                       BOGUS, EvtPublisherMetadataPublisherGuid, 0, 0, NULL, NULL));
    FAILS(ERROR_INVALID_PARAMETER, EvtGetEventMetadataProperty(BOGUS, EventMetadataEventID, 0, 0,
                                                               NULL, NULL));
    FAILS(ERROR_INVALID_PARAMETER, EvtGetObjectArraySize(BOGUS, NULL));
    FAILS(ERROR_INVALID_PARAMETER, EvtGetObjectArrayProperty(BOGUS, 0, 0, 0, 0, NULL, NULL));
    FAILS(ERROR_INVALID_PARAMETER, EvtNextPublisherId(BOGUS, 0, NULL, NULL));
    FAILS(ERROR_INVALID_PARAMETER, EvtNextChannelPath(BOGUS, 0, NULL, NULL));
    FAILS(ERROR_INVALID_PARAMETER, EvtGetLogInfo(BOGUS, EvtLogFileSize, 0, NULL, NULL));
    FAILS(ERROR_INVALID_PARAMETER, EvtGetQueryInfo(BOGUS, EvtQueryNames, 0, NULL, NULL));
    FAILS(ERROR_INVALID_PARAMETER, EvtGetEventInfo(BOGUS, EvtEventPath, 0, NULL, NULL));
    FAILS(ERROR_INVALID_PARAMETER, EvtNext(BOGUS, 1, g.handles, 0, 0, NULL));
    FAILS(ERROR_INVALID_PARAMETER, EvtRender(NULL, BOGUS, EvtRenderEventXml, 0, NULL, NULL,
                                             &count));
    FAILS(ERROR_INVALID_PARAMETER, EvtFormatMessage(BOGUS, event, 0, 0, NULL,
                                                    EvtFormatMessageEvent, 0, NULL, NULL));
    FAILS(ERROR_INVALID_PARAMETER, EvtSetChannelConfigProperty(config, EvtChannelConfigEnabled, 0,
                                                               NULL));
    FAILS(ERROR_INVALID_PARAMETER, GetNumberOfEventLogRecords(classic_log, NULL));
    FAILS(ERROR_INVALID_PARAMETER, GetOldestEventLogRecord(classic_log, NULL));
    FAILS(ERROR_INVALID_PARAMETER, ReadEventLogW(classic_log, EVENTLOG_SEQUENTIAL_READ |
                                                 EVENTLOG_FORWARDS_READ, 0, fresh(), REAL, NULL,
                                                 &size));
    FAILS(ERROR_INVALID_PARAMETER, ReadEventLogA(classic_log, EVENTLOG_SEQUENTIAL_READ |
                                                 EVENTLOG_FORWARDS_READ, 0, fresh(), REAL, &used,
                                                 NULL));
    FAILS(ERROR_INVALID_PARAMETER, ReadEventLogW(classic_log, EVENTLOG_SEQUENTIAL_READ |
                                                 EVENTLOG_FORWARDS_READ, 0, NULL, REAL, &used,
                                                 &size));
    /* GetEventLogInformation is RPC's: its NULL pointers are RPC_X_NULL_REF_POINTER. */
    FAILS(RPC_X_NULL_REF_POINTER, GetEventLogInformation(classic_log, EVENTLOG_FULL_INFO, fresh(),
                                                         REAL, NULL));
    UNTOUCHED();
    FAILS(ERROR_INVALID_PARAMETER, EvtCreateRenderContext(0xFFFFFFFF, NULL,
                                                          EvtRenderContextValues));
    RETURNS(ERROR_INVALID_PARAMETER, EventRegister(&provider_id, NULL, NULL, NULL));
    RETURNS(ERROR_INVALID_PARAMETER, EventActivityIdControl(EVENT_ACTIVITY_CTRL_GET_ID, NULL));
    RETURNS(ERROR_INVALID_PARAMETER, EventActivityIdControl(EVENT_ACTIVITY_CTRL_CREATE_SET_ID,
                                                            NULL));
    RETURNS(ERROR_INVALID_PARAMETER, EvtGetExtendedStatus(0xFFFFFFFF, NULL, &used));
    RETURNS(ERROR_INVALID_PARAMETER, EvtGetExtendedStatus(0, fresh(), NULL));
    UNTOUCHED();
    /* A NULL buffer that claims a size. */
    FAILS(ERROR_INVALID_PARAMETER, EvtGetChannelConfigProperty(config, EvtChannelConfigEnabled, 0,
                                                               0xFFFFFFFF, NULL, &used));
    FAILS(ERROR_INVALID_PARAMETER, EvtGetPublisherMetadataProperty(
                                       metadata, EvtPublisherMetadataPublisherGuid, 0, 16, NULL,
                                       &used));
    FAILS(ERROR_INVALID_PARAMETER, EvtGetEventMetadataProperty(event_meta, EventMetadataEventID, 0,
                                                               16, NULL, &used));
    FAILS(ERROR_INVALID_PARAMETER, EvtGetObjectArrayProperty(array, 0, 0, 0, 16, NULL, &used));
    FAILS(ERROR_INVALID_PARAMETER, EvtNextPublisherId(publishers, 16, NULL, &used));
    FAILS(ERROR_INVALID_PARAMETER, EvtFormatMessage(metadata, event, 0, 0, NULL,
                                                    EvtFormatMessageEvent, 16, NULL, &used));
    FAILS(ERROR_INVALID_PARAMETER, EvtGetLogInfo(log_, EvtLogFileSize, 16, NULL, &used));
    FAILS(RPC_X_NULL_REF_POINTER, GetEventLogInformation(classic_log, EVENTLOG_FULL_INFO, NULL,
                                                         16, &used));

    /* Size 0 over a real buffer: 122 with the size, nothing written. */
    FAILS(ERROR_INSUFFICIENT_BUFFER, EvtGetChannelConfigProperty(
                                         config, EvtChannelLoggingConfigLogFilePath, 0, 0, fresh(),
                                         &used));
    UNTOUCHED();
    CHECK(used > sizeof(EVT_VARIANT));
    FAILS(ERROR_INSUFFICIENT_BUFFER, EvtGetPublisherMetadataProperty(
                                         metadata, EvtPublisherMetadataPublisherGuid, 0, 0,
                                         fresh(), &used));
    UNTOUCHED();
    FAILS(ERROR_INSUFFICIENT_BUFFER, EvtGetEventMetadataProperty(event_meta, EventMetadataEventID,
                                                                 0, 0, fresh(), &used));
    UNTOUCHED();
    FAILS(ERROR_INSUFFICIENT_BUFFER, EvtGetObjectArrayProperty(
                                         array, EvtPublisherMetadataChannelReferencePath, 0, 0, 0,
                                         fresh(), &used));
    UNTOUCHED();
    /* An id of another array is 15024 (README's fidelity table). */
    FAILS(ERROR_EVT_INVALID_PUBLISHER_PROPERTY_VALUE,
          EvtGetObjectArrayProperty(array, EvtPublisherMetadataPublisherGuid, 0, 0, 0xFFFFFFFF,
                                    fresh(), &used));
    UNTOUCHED();
    FAILS(ERROR_INSUFFICIENT_BUFFER, EvtNextPublisherId(publishers, 0, fresh(), &used));
    UNTOUCHED();
    FAILS(ERROR_INSUFFICIENT_BUFFER, EvtNextChannelPath(channels, 0, fresh(), &used));
    UNTOUCHED();
    FAILS(ERROR_INSUFFICIENT_BUFFER, EvtGetLogInfo(log_, EvtLogFileSize, 0, fresh(), &used));
    UNTOUCHED();
    FAILS(ERROR_INSUFFICIENT_BUFFER, EvtGetEventInfo(event, EvtEventPath, 0, fresh(), &used));
    UNTOUCHED();
    FAILS(ERROR_INSUFFICIENT_BUFFER, EvtRender(NULL, event, EvtRenderEventXml, 0, fresh(), &used,
                                               &count));
    UNTOUCHED();
    FAILS(ERROR_INSUFFICIENT_BUFFER, EvtRender(context, event, EvtRenderEventValues, REAL,
                                               fresh(), &used, &count));
    UNTOUCHED();
    FAILS(ERROR_INSUFFICIENT_BUFFER, EvtFormatMessage(NULL, event, 0, 0, NULL,
                                                      EvtFormatMessageLevel, 0, fresh(), &used));
    UNTOUCHED();
    FAILS(ERROR_INSUFFICIENT_BUFFER, ReadEventLogW(classic_log, EVENTLOG_SEQUENTIAL_READ |
                                                   EVENTLOG_FORWARDS_READ, 0, fresh(), 0, &used,
                                                   &size));
    UNTOUCHED();
    CHECK(size > 56);
    FAILS(ERROR_INSUFFICIENT_BUFFER, GetEventLogInformation(classic_log, EVENTLOG_FULL_INFO,
                                                            fresh(), 0, &used));
    UNTOUCHED();

    /* 0xFFFFFFFF declared over a real buffer the result fits: only the result is written
     * (nothing is cleared or padded up to the declared size). */
    WORKS(EvtNextChannelPath(channels, 0xFFFFFFFF, fresh(), &used));
    untouched_from(used * sizeof(WCHAR), __LINE__);
    WORKS(EvtGetEventInfo(event, EvtEventQueryIDs, 0xFFFFFFFF, fresh(), &used));
    untouched_from(used, __LINE__);
    WORKS(EvtGetLogInfo(log_, EvtLogFull, 0xFFFFFFFF, fresh(), &used));
    untouched_from(used, __LINE__);
    WORKS(EvtGetObjectArraySize(array, &size));
    WORKS(EvtGetObjectArrayProperty(array, EvtPublisherMetadataChannelReferenceIndex, 0, 0,
                                    0xFFFFFFFF, fresh(), &used));
    untouched_from(used, __LINE__);
    WORKS(EvtGetEventMetadataProperty(event_meta, EventMetadataEventID, 0, 0xFFFFFFFF, fresh(),
                                      &used));
    untouched_from(used, __LINE__);
    WORKS(EvtGetChannelConfigProperty(config, EvtChannelConfigEnabled, 0, 0xFFFFFFFF, fresh(),
                                      &used));
    untouched_from(used, __LINE__);
    WORKS(GetEventLogInformation(classic_log, EVENTLOG_FULL_INFO, fresh(), 0xFFFFFFFF, &used));
    untouched_from(used, __LINE__);
    /* ... and where the call fails, nothing at all. */
    FAILS(ERROR_INVALID_PARAMETER, EvtGetLogInfo(log_, 999, 0xFFFFFFFF, fresh(), &used));
    UNTOUCHED();
    FAILS(ERROR_INVALID_PARAMETER, EvtGetEventInfo(event, 999, 0xFFFFFFFF, fresh(), &used));
    UNTOUCHED();
    FAILS(ERROR_INVALID_PARAMETER, EvtGetQueryInfo(query, 999, 0xFFFFFFFF, fresh(), &used));
    UNTOUCHED();
    FAILS(ERROR_INVALID_PARAMETER, EvtGetChannelConfigProperty(config, 999, 0, 0xFFFFFFFF,
                                                               fresh(), &used));
    UNTOUCHED();
    FAILS(ERROR_INVALID_PARAMETER, EvtGetPublisherMetadataProperty(metadata, 999, 0, 0xFFFFFFFF,
                                                                   fresh(), &used));
    UNTOUCHED();
    FAILS(ERROR_INVALID_PARAMETER, EvtGetEventMetadataProperty(event_meta, 999, 0, 0xFFFFFFFF,
                                                               fresh(), &used));
    UNTOUCHED();
    FAILS(ERROR_INVALID_PARAMETER, EvtGetObjectArrayProperty(array, 999, 0, 0, 0xFFFFFFFF,
                                                             fresh(), &used));
    UNTOUCHED();
    FAILS(ERROR_INVALID_PARAMETER, EvtGetObjectArrayProperty(
                                       array, EvtPublisherMetadataChannelReferenceIndex, size, 0,
                                       0xFFFFFFFF, fresh(), &used));
    UNTOUCHED();
    FAILS(ERROR_INVALID_PARAMETER, EvtGetObjectArrayProperty(
                                       array, EvtPublisherMetadataChannelReferenceIndex,
                                       0xFFFFFFFF, 0, 0xFFFFFFFF, fresh(), &used));
    UNTOUCHED();
    FAILS(ERROR_INVALID_PARAMETER, EvtRender(NULL, event, 0xFFFFFFFF, 0xFFFFFFFF, fresh(), &used,
                                             &count));
    UNTOUCHED();
    FAILS(ERROR_INVALID_PARAMETER, EvtFormatMessage(metadata, event, 0, 0, NULL, 0xFFFF,
                                                    0xFFFFFFFF, fresh(), &used));
    UNTOUCHED();
    FAILS(ERROR_INVALID_PARAMETER, EvtFormatMessage(metadata, event, 0, 0xFFFFFFFF, NULL,
                                                    EvtFormatMessageEvent, 0xFFFFFFFF, fresh(),
                                                    &used));
    UNTOUCHED();
    FAILS(ERROR_INVALID_LEVEL, GetEventLogInformation(classic_log, 0xFFFF, fresh(), 0xFFFFFFFF,
                                                      &used));
    UNTOUCHED();
    FAILS(ERROR_INVALID_PARAMETER, EvtNext(query, 0xFFFFFFFF, fresh(), 0, 1, &used));
    UNTOUCHED();
    /* The extended status: size 0 over a real buffer is 122 and nothing written. */
    FAILS(ERROR_EVT_CHANNEL_NOT_FOUND, EvtQuery(NULL, L"No-Such-Channel", NULL, 0));
    RETURNS(ERROR_INSUFFICIENT_BUFFER, EvtGetExtendedStatus(0, fresh(), &used));
    UNTOUCHED();
}

/* ---- 3. strings: 1M characters and unpaired surrogates, in every string argument ---- */

static void bad_strings(void) {
    DWORD used = 0;
    EVT_HANDLE h;
    EACH_BAD_STRING(s) {
        FAILS(ERROR_INVALID_PARAMETER, EvtQuery(NULL, s, NULL, EvtQueryChannelPath));
        FAILS(ERROR_INVALID_PARAMETER, EvtQuery(NULL, L"System", s, EvtQueryChannelPath));
        FAILS(ERROR_INVALID_PARAMETER, EvtSubscribe(NULL, signal_, s, NULL, NULL, NULL, NULL,
                                                    EvtSubscribeToFutureEvents));
        FAILS(ERROR_INVALID_PARAMETER, EvtSubscribe(NULL, signal_, L"System", s, NULL, NULL,
                                                    NULL, EvtSubscribeToFutureEvents));
        LPCWSTR paths[] = {L"Event/System/EventID", s};
        FAILS(ERROR_INVALID_PARAMETER, EvtCreateRenderContext(2, paths, EvtRenderContextValues));
        FAILS(ERROR_INVALID_PARAMETER, EvtCreateBookmark(s));
        FAILS(ERROR_INVALID_PARAMETER, EvtClearLog(NULL, s, NULL, 0));
        FAILS(ERROR_INVALID_PARAMETER, EvtClearLog(NULL, L"System", s, 0));
        FAILS(ERROR_INVALID_PARAMETER, EvtExportLog(NULL, s, NULL, L"/tmp/hostile.evtx",
                                                    EvtExportLogChannelPath));
        FAILS(ERROR_INVALID_PARAMETER, EvtExportLog(NULL, L"System", s, L"/tmp/hostile.evtx",
                                                    EvtExportLogChannelPath));
        FAILS(ERROR_INVALID_PARAMETER, EvtExportLog(NULL, L"System", NULL, s,
                                                    EvtExportLogChannelPath));
        FAILS(ERROR_INVALID_PARAMETER, EvtArchiveExportedLog(NULL, s, 0, 0));
        FAILS(ERROR_INVALID_PARAMETER, EvtOpenLog(NULL, s, EvtOpenChannelPath));
        FAILS(ERROR_INVALID_PARAMETER, EvtOpenLog(NULL, s, EvtOpenFilePath));
        FAILS(ERROR_INVALID_PARAMETER, EvtOpenChannelConfig(NULL, s, 0));
        FAILS(ERROR_INVALID_PARAMETER, EvtOpenPublisherMetadata(NULL, s, NULL, 0, 0));
        FAILS(ERROR_INVALID_PARAMETER, EvtOpenPublisherMetadata(NULL, L"Evtlog-Test-Provider", s,
                                                                0, 0));
        EVT_VARIANT path = {.StringVal = s, .Type = EvtVarTypeString};
        FAILS(ERROR_INVALID_PARAMETER, EvtSetChannelConfigProperty(
                                           config, EvtChannelLoggingConfigLogFilePath, 0, &path));
        EVT_VARIANT insert = {.StringVal = s, .Type = EvtVarTypeString};
        FAILS(ERROR_INVALID_PARAMETER, EvtFormatMessage(metadata, NULL, 0x1, 1, &insert,
                                                        EvtFormatMessageId, 0, NULL, &used));
        FAILS(ERROR_INVALID_PARAMETER, RegisterEventSourceW(NULL, s));
        FAILS(ERROR_INVALID_PARAMETER, RegisterEventSourceW(s, L"Hostile"));
        FAILS(ERROR_INVALID_PARAMETER, OpenEventLogW(NULL, s));
        FAILS(ERROR_INVALID_PARAMETER, OpenBackupEventLogW(NULL, s));
        FAILS(ERROR_INVALID_PARAMETER, ClearEventLogW(classic_log, s));
        FAILS(ERROR_INVALID_PARAMETER, BackupEventLogW(classic_log, s));
        LPCWSTR strings[] = {L"fine", s};
        FAILS(ERROR_INVALID_PARAMETER, ReportEventW(source, EVENTLOG_ERROR_TYPE, 0, 1, NULL, 2, 0,
                                                    strings, NULL));
        FAILS(ERROR_INVALID_PARAMETER, evtlog_create_channel(s));
        FAILS(ERROR_INVALID_PARAMETER, evtlog_create_channel_of_type(s, EvtChannelTypeOperational));
        FAILS(ERROR_INVALID_PARAMETER, evtlog_write_event_xml(s, L"<Event/>"));
        FAILS(ERROR_INVALID_PARAMETER, evtlog_write_event_xml(L"System", s));
        FAILS(ERROR_INVALID_PARAMETER, evtlog_generate(s, 1, 1));
        FAILS(ERROR_INVALID_PARAMETER, evtlog_install_manifest(s));
        FAILS(ERROR_INVALID_PARAMETER, evtlog_uninstall_manifest(s));
        FAILS(ERROR_INVALID_PARAMETER, evtlog_register_event_source(L"Application", s, NULL, NULL,
                                                                    0, NULL));
        FAILS(ERROR_INVALID_PARAMETER, evtlog_register_event_source(L"Application", L"Hostile",
                                                                    s, NULL, 0, NULL));
        RETURNS(ERROR_INVALID_PARAMETER, EventWriteString(provider, 4, 0, s));
        EVT_RPC_LOGIN login = {.Server = (WCHAR *)s};
        FAILS(ERROR_INVALID_PARAMETER, EvtOpenSession(EvtRpcLogin, &login, 0, 0));
        EVT_RPC_LOGIN password = {.Password = (WCHAR *)s};
        FAILS(ERROR_INVALID_PARAMETER, EvtOpenSession(EvtRpcLogin, &password, 0, 0));
    }
    /* The A functions' strings are UTF-8, read up to 1 MiB: 2 MiB is refused. Invalid
     * UTF-8 is not an error (as no ANSI code page conversion fails on Windows): it is
     * decoded with U+FFFD. */
    for (int i = 0; i < 1; i++) {
        const char *s = huge_ansi;
        FAILS(ERROR_INVALID_PARAMETER, RegisterEventSourceA(NULL, s));
        FAILS(ERROR_INVALID_PARAMETER, OpenEventLogA(NULL, s));
        FAILS(ERROR_INVALID_PARAMETER, OpenBackupEventLogA(NULL, s));
        FAILS(ERROR_INVALID_PARAMETER, ClearEventLogA(classic_log, s));
        FAILS(ERROR_INVALID_PARAMETER, BackupEventLogA(classic_log, s));
        LPCSTR strings[] = {"fine", s};
        FAILS(ERROR_INVALID_PARAMETER, ReportEventA(source, EVENTLOG_ERROR_TYPE, 0, 1, NULL, 2, 0,
                                                    strings, NULL));
    }
    h = RegisterEventSourceA(NULL, bad_utf8);
    WORKS(h);
    WORKS(DeregisterEventSource(h));
    /* Arrays: NULL elements, and a count far past the array (NULL). */
    LPCWSTR with_null[] = {L"x", NULL};
    FAILS(ERROR_INVALID_PARAMETER, ReportEventW(source, EVENTLOG_ERROR_TYPE, 0, 1, NULL, 2, 0,
                                                with_null, NULL));
    FAILS(ERROR_INVALID_PARAMETER, ReportEventW(source, EVENTLOG_ERROR_TYPE, 0, 1, NULL, 0xFFFF,
                                                0, NULL, NULL));
    FAILS(ERROR_INVALID_PARAMETER, ReportEventA(source, EVENTLOG_ERROR_TYPE, 0, 1, NULL, 3, 0,
                                                NULL, NULL));
    FAILS(ERROR_INVALID_PARAMETER, ReportEventW(source, EVENTLOG_ERROR_TYPE, 0, 1, NULL, 0,
                                                0xFFFFFFFF, NULL, NULL));
    /* Just under the length limit: read in full, then the domain's own error. */
    WCHAR *long_name = malloc(300001 * sizeof(WCHAR));
    for (size_t i = 0; i < 300000; i++) long_name[i] = 'B';
    long_name[300000] = 0;
    FAILS(ERROR_EVT_CHANNEL_NOT_FOUND, EvtQuery(NULL, long_name, NULL, EvtQueryChannelPath));
    FAILS(ERROR_EVT_CHANNEL_NOT_FOUND, EvtOpenChannelConfig(NULL, long_name, 0));
    FAILS(ERROR_EVT_MALFORMED_XML_TEXT, EvtCreateBookmark(long_name));
    free(long_name);
}

/* ---- 4. flags: reserved ones set, contradictory ones together ---- */

static void bad_flags(void) {
    DWORD used = 0, count = 0, size = 0;
    EVT_RPC_LOGIN login = {0};
    EVT_VARIANT on = {.BooleanVal = TRUE, .Type = EvtVarTypeBoolean};
    GUID id;
    FAILS(ERROR_INVALID_PARAMETER, EvtOpenSession(EvtRpcLogin, &login, 1, 0));
    FAILS(ERROR_INVALID_PARAMETER, EvtOpenSession(EvtRpcLogin, &login, 0, 1));
    FAILS(ERROR_INVALID_PARAMETER, EvtOpenSession((EVT_LOGIN_CLASS)0xFFFFFFFF, &login, 0, 0));
    FAILS(ERROR_INVALID_PARAMETER, EvtQuery(NULL, L"System", NULL, 0xFFFFFFFF));
    FAILS(ERROR_INVALID_PARAMETER, EvtQuery(NULL, L"System", NULL,
                                            EvtQueryForwardDirection | EvtQueryReverseDirection));
    FAILS(ERROR_INVALID_PARAMETER, EvtSeek(query, 0, NULL, 0, 0xFFFFFFFF));
    FAILS(ERROR_INVALID_PARAMETER, EvtSeek(query, 0, NULL, 0,
                                           EvtSeekRelativeToLast | EvtSeekRelativeToBookmark));
    FAILS(ERROR_INVALID_PARAMETER, EvtSeek(query, 0, bookmark, 0, EvtSeekRelativeToFirst));
    /* A NULL bookmark where one is required is a bad handle, as EvtUpdateBookmark's. */
    FAILS(ERROR_INVALID_HANDLE, EvtSeek(query, 0, NULL, 0, EvtSeekRelativeToBookmark));
    FAILS(ERROR_INVALID_PARAMETER, EvtSubscribe(NULL, signal_, L"System", NULL, NULL, NULL, NULL,
                                                0xFFFFFFFF));
    FAILS(ERROR_INVALID_PARAMETER, EvtSubscribe(NULL, signal_, L"System", NULL, bookmark, NULL,
                                                NULL, EvtSubscribeToFutureEvents));
    FAILS(ERROR_INVALID_PARAMETER, EvtCreateRenderContext(0, NULL, 0xFFFFFFFF));
    FAILS(ERROR_INVALID_HANDLE, EvtRender(NULL, event, EvtRenderEventValues, 0, NULL, &used,
                                          &count)); /* values need a context */
    FAILS(ERROR_INVALID_PARAMETER, EvtRender(NULL, bookmark, EvtRenderEventXml | EvtRenderBookmark,
                                             0, NULL, &used, &count));
    FAILS(ERROR_INVALID_PARAMETER, EvtOpenLog(NULL, L"System", 0));
    FAILS(ERROR_INVALID_PARAMETER, EvtOpenLog(NULL, L"System",
                                              EvtOpenChannelPath | EvtOpenFilePath));
    FAILS(ERROR_INVALID_PARAMETER, EvtExportLog(NULL, L"System", NULL, L"/tmp/hostile.evtx",
                                                0xFFFFFFFF));
    FAILS(ERROR_INVALID_PARAMETER, EvtArchiveExportedLog(NULL, L"/tmp/hostile.evtx", 0, 1));
    FAILS(ERROR_INVALID_PARAMETER, EvtOpenChannelConfig(NULL, L"System", 1));
    FAILS(ERROR_INVALID_PARAMETER, EvtGetChannelConfigProperty(config, EvtChannelConfigEnabled, 1,
                                                               0, NULL, &used));
    FAILS(ERROR_INVALID_PARAMETER, EvtSetChannelConfigProperty(config, EvtChannelConfigEnabled, 1,
                                                               &on));
    FAILS(ERROR_INVALID_PARAMETER, EvtSaveChannelConfig(config, 1));
    FAILS(ERROR_INVALID_PARAMETER, EvtOpenPublisherEnum(NULL, 1));
    FAILS(ERROR_INVALID_PARAMETER, EvtOpenPublisherMetadata(NULL, L"Evtlog-Test-Provider", NULL, 0,
                                                            1));
    FAILS(ERROR_INVALID_PARAMETER, EvtGetPublisherMetadataProperty(
                                       metadata, EvtPublisherMetadataPublisherGuid, 1, 0, NULL,
                                       &used));
    FAILS(ERROR_INVALID_PARAMETER, EvtOpenEventMetadataEnum(metadata, 1));
    FAILS(ERROR_INVALID_PARAMETER, EvtNextEventMetadata(event_enum, 1));
    FAILS(ERROR_INVALID_PARAMETER, EvtGetEventMetadataProperty(event_meta, EventMetadataEventID, 1,
                                                               0, NULL, &used));
    FAILS(ERROR_INVALID_PARAMETER, EvtGetObjectArrayProperty(
                                       array, EvtPublisherMetadataChannelReferenceIndex, 0, 1, 0,
                                       NULL, &used));
    FAILS(ERROR_INVALID_PARAMETER, EvtFormatMessage(metadata, event, 0, 0, NULL, 0, 0, NULL,
                                                    &used));
    FAILS(ERROR_INVALID_PARAMETER, ReadEventLogW(classic_log, 0, 0, fresh(), REAL, &used, &size));
    FAILS(ERROR_INVALID_PARAMETER, ReadEventLogW(classic_log, EVENTLOG_SEQUENTIAL_READ |
                                                 EVENTLOG_SEEK_READ | EVENTLOG_FORWARDS_READ, 0,
                                                 fresh(), REAL, &used, &size));
    FAILS(ERROR_INVALID_PARAMETER, ReadEventLogA(classic_log, EVENTLOG_SEQUENTIAL_READ |
                                                 EVENTLOG_FORWARDS_READ | EVENTLOG_BACKWARDS_READ,
                                                 0, fresh(), REAL, &used, &size));
    UNTOUCHED();
    FAILS(ERROR_INVALID_PARAMETER, evtlog_create_channel_of_type(L"Hostile-Channel/Op", 99));
    RETURNS(ERROR_INVALID_PARAMETER, EventActivityIdControl(0xFFFF, &id));
    EVENT_DESCRIPTOR d = {.Id = 1, .Level = 4};
    RETURNS(ERROR_INVALID_PARAMETER, EventWriteEx(provider, &d, 0, 0xFFFFFFFF, NULL, NULL, 0,
                                                  NULL));
    RETURNS(ERROR_INVALID_PARAMETER, EventWrite(provider, NULL, 0, NULL));
    RETURNS(ERROR_INVALID_PARAMETER, EventWrite(provider, &d, 1, NULL));
    RETURNS(ERROR_INVALID_PARAMETER, EventWrite(provider, &d, MAX_EVENT_DATA_DESCRIPTORS + 1,
                                                NULL));
    RETURNS(FALSE, EventEnabled(provider, NULL));
    FAILS(ERROR_INVALID_PARAMETER, CreateEventW(&id, TRUE, FALSE, NULL));
    FAILS(ERROR_INVALID_PARAMETER, CreateEventW(NULL, TRUE, FALSE, L"named"));
}

/* ---- 5. races: closes and cancels against calls in flight on other threads ---- */

#define BIG L"Security"
#define NOTHING L"*[EventData[Data[@Name='TargetUserName']='nobody-at-all']]"

struct flight {
    EVT_HANDLE handle;    /* the query, or the session for an export */
    const WCHAR *target;  /* an export's file */
    atomic_int started, done;
    BOOL ok;
    DWORD error;
};

/* Thread A: one long call (a scan that matches nothing, or an export). */
static void *in_flight(void *arg) {
    struct flight *f = arg;
    EVT_HANDLE events[16];
    DWORD returned = 0;
    atomic_store(&f->started, 1);
    if (f->target) {
        reach("EvtExportLog");
        f->ok = EvtExportLog(f->handle, BIG, NULL, f->target, EvtExportLogChannelPath);
    } else {
        reach("EvtNext");
        f->ok = EvtNext(f->handle, 16, events, INFINITE, 0, &returned);
    }
    f->error = GetLastError();
    atomic_store(&f->done, 1);
    return NULL;
}

static pthread_t launch(struct flight *f) {
    pthread_t t;
    CHECK(pthread_create(&t, NULL, in_flight, f) == 0);
    while (!atomic_load(&f->started)) usleep(100);
    usleep(2000); /* well inside the call */
    return t;
}

/* A closed (or cancelled) call in flight ends with 1223; one that only reached the handle
 * after the close sees it gone, 6. */
static void ended_by_close(struct flight *f, int line) {
    if (f->ok || (f->error != ERROR_CANCELLED && f->error != ERROR_INVALID_HANDLE))
        fail_at(line, "the call in flight", "expected failure 1223 or 6", ERROR_CANCELLED,
                f->ok ? 0 : f->error);
}

static atomic_int delivered, in_callback, closed_inside;
static _Atomic(EVT_HANDLE) self_closing;

static DWORD WINAPI slow_callback(EVT_SUBSCRIBE_NOTIFY_ACTION action, PVOID context,
                                  EVT_HANDLE e) {
    (void)action, (void)context, (void)e;
    atomic_store(&in_callback, 1);
    usleep(20000);
    atomic_fetch_add(&delivered, 1);
    atomic_store(&in_callback, 0);
    return 0;
}

static DWORD WINAPI closing_callback(EVT_SUBSCRIBE_NOTIFY_ACTION action, PVOID context,
                                     EVT_HANDLE e) {
    (void)action, (void)context, (void)e;
    EVT_HANDLE me = atomic_exchange(&self_closing, NULL);
    if (me) {
        reach("EvtClose");
        if (EvtClose(me)) atomic_fetch_add(&closed_inside, 1);
    }
    atomic_fetch_add(&delivered, 1);
    return 0;
}

/* Thread A of the pull race: drains a subscription (EvtNext with INFINITE, then a wait on
 * its signal) until the subscription is closed under it. */
struct drainer {
    EVT_HANDLE subscription;
    HANDLE signal;
    atomic_uint got;
    DWORD error;
};

static void *drain_until_closed(void *arg) {
    struct drainer *d = arg;
    EVT_HANDLE events[8];
    DWORD returned = 0;
    for (;;) {
        reach("EvtNext");
        if (EvtNext(d->subscription, 8, events, INFINITE, 0, &returned)) {
            atomic_fetch_add(&d->got, returned); /* they close with the subscription */
            continue;
        }
        DWORD e = GetLastError();
        if (e != ERROR_NO_MORE_ITEMS && e != ERROR_INVALID_OPERATION) {
            d->error = e;
            return NULL;
        }
        reach("WaitForSingleObject");
        if (WaitForSingleObject(d->signal, 5) == WAIT_FAILED) {
            d->error = GetLastError();
            return NULL;
        }
    }
}

struct closer {
    EVT_HANDLE h;
    atomic_int *go;
    BOOL ok;
    DWORD error;
};

static void *close_it(void *arg) {
    struct closer *c = arg;
    while (!atomic_load(c->go)) {
    }
    reach("EvtClose");
    c->ok = EvtClose(c->h);
    c->error = GetLastError();
    return NULL;
}

static void races(void) {
    DWORD returned = 0;
    CHECK(evtlog_generate(BIG, 200000, 3));

    /* EvtClose of a query while EvtNext scans it. */
    struct flight next = {0};
    next.handle = EvtQuery(NULL, BIG, NOTHING, EvtQueryChannelPath);
    CHECK(next.handle);
    pthread_t a = launch(&next);
    WORKS(EvtClose(next.handle));
    CHECK(pthread_join(a, NULL) == 0);
    ended_by_close(&next, __LINE__);
    FAILS(ERROR_INVALID_HANDLE, EvtClose(next.handle));
    FAILS(ERROR_INVALID_HANDLE, EvtNext(next.handle, 1, g.handles, 0, 0, &returned));

    /* EvtClose of a session while a query made in it scans. */
    EVT_RPC_LOGIN login = {0};
    EVT_HANDLE s = EvtOpenSession(EvtRpcLogin, &login, 0, 0);
    CHECK(s);
    struct flight in_session = {0};
    in_session.handle = EvtQuery(s, BIG, NOTHING, EvtQueryChannelPath);
    CHECK(in_session.handle);
    EVT_HANDLE other = EvtQuery(s, L"System", NULL, EvtQueryChannelPath);
    CHECK(other);
    a = launch(&in_session);
    WORKS(EvtClose(s));
    CHECK(pthread_join(a, NULL) == 0);
    ended_by_close(&in_session, __LINE__);
    FAILS(ERROR_INVALID_HANDLE, EvtClose(in_session.handle)); /* closed with its session */
    FAILS(ERROR_INVALID_HANDLE, EvtNext(other, 1, g.handles, 0, 0, &returned));
    FAILS(ERROR_INVALID_HANDLE, EvtQuery(s, L"System", NULL, EvtQueryChannelPath));

    /* EvtCancel(NULL), the local session, against a scan: the call in flight is cancelled,
     * the query's later calls run (a session's cancel is not sticky). */
    struct flight local = {0};
    local.handle = EvtQuery(NULL, BIG, NOTHING, EvtQueryChannelPath);
    CHECK(local.handle);
    a = launch(&local);
    while (!atomic_load(&local.done)) {
        WORKS(EvtCancel(NULL));
        usleep(500);
    }
    CHECK(pthread_join(a, NULL) == 0);
    CHECK(!local.ok && local.error == ERROR_CANCELLED);
    WORKS(EvtSeek(local.handle, 0, NULL, 0, EvtSeekRelativeToLast));
    WORKS(EvtCancel(NULL)); /* nothing in flight: TRUE */
    WORKS(EvtCancel(local.handle));
    WORKS(EvtCancel(local.handle)); /* sticky and idempotent */
    FAILS(ERROR_CANCELLED, EvtNext(local.handle, 1, g.handles, 0, 0, &returned));
    FAILS(ERROR_CANCELLED, EvtSeek(local.handle, 0, NULL, 0, EvtSeekRelativeToFirst));
    WORKS(EvtClose(local.handle));
    FAILS(ERROR_INVALID_HANDLE, EvtCancel(local.handle));

    /* EvtClose of a session while an export runs in it: either the export finished first
     * (its file is there) or it was stopped (no file is left behind). */
    char dir[] = "/tmp/evtlog-hostile-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[128];
    WCHAR target[128];
    snprintf(path, sizeof path, "%s/export.evtx", dir);
    widen(path, target, 128);
    struct flight export = {.target = target};
    export.handle = EvtOpenSession(EvtRpcLogin, &login, 0, 0);
    CHECK(export.handle);
    a = launch(&export);
    WORKS(EvtClose(export.handle));
    CHECK(pthread_join(a, NULL) == 0);
    if (export.ok) {
        CHECK(access(path, F_OK) == 0);
        remove(path);
    } else {
        ended_by_close(&export, __LINE__);
        CHECK(access(path, F_OK) != 0);
    }
    rmdir(dir);

    /* A pull subscription closed while another thread drains it. */
    HANDLE signal = CreateEventW(NULL, FALSE, FALSE, NULL);
    CHECK(signal);
    EVT_HANDLE pull = EvtSubscribe(NULL, signal, L"Application", NULL, NULL, NULL, NULL,
                                   EvtSubscribeToFutureEvents);
    CHECK(pull);
    struct flight drain = {.handle = pull};
    a = launch(&drain); /* nothing to return yet: it ends at once, 259 or 4317 */
    CHECK(pthread_join(a, NULL) == 0);
    CHECK(!drain.ok && (drain.error == ERROR_NO_MORE_ITEMS ||
                        drain.error == ERROR_INVALID_OPERATION));
    CHECK(evtlog_generate(L"Application", 5, 1));
    reach("WaitForSingleObject");
    CHECK(WaitForSingleObject(signal, 5000) == WAIT_OBJECT_0);
    WORKS(EvtClose(pull));
    FAILS(ERROR_INVALID_HANDLE, EvtNext(pull, 1, g.handles, INFINITE, 0, &returned));
    WORKS(CloseHandle(signal));
    reach("WaitForSingleObject");
    SetLastError(0);
    CHECK(WaitForSingleObject(signal, INFINITE) == WAIT_FAILED &&
          GetLastError() == ERROR_INVALID_HANDLE);

    /* A pull subscription closed while another thread drains it as events arrive: the
     * drainer's next call (or the one in flight) fails with 6 or 1223 and it stops. */
    struct drainer d = {.signal = CreateEventW(NULL, FALSE, FALSE, NULL)};
    CHECK(d.signal);
    d.subscription = EvtSubscribe(NULL, d.signal, L"Application", NULL, NULL, NULL, NULL,
                                  EvtSubscribeToFutureEvents);
    CHECK(d.subscription);
    CHECK(pthread_create(&a, NULL, drain_until_closed, &d) == 0);
    for (int i = 0; i < 10; i++) {
        CHECK(evtlog_generate(L"Application", 20, 10 + i));
        usleep(2000);
    }
    while (atomic_load(&d.got) == 0) usleep(1000);
    WORKS(EvtClose(d.subscription));
    CHECK(pthread_join(a, NULL) == 0);
    CHECK(d.error == ERROR_INVALID_HANDLE || d.error == ERROR_CANCELLED);
    WORKS(CloseHandle(d.signal));

    /* A push subscription closed while its callback runs: EvtClose waits for it, and no
     * callback runs after EvtClose returned. */
    EVT_HANDLE push = EvtSubscribe(NULL, NULL, L"Application", NULL, NULL, NULL, slow_callback,
                                   EvtSubscribeStartAtOldestRecord);
    CHECK(push);
    while (!atomic_load(&in_callback)) usleep(100);
    WORKS(EvtClose(push));
    CHECK(!atomic_load(&in_callback));
    int after_close = atomic_load(&delivered);
    CHECK(evtlog_generate(L"Application", 3, 2));
    usleep(50000);
    CHECK(atomic_load(&delivered) == after_close);
    FAILS(ERROR_INVALID_HANDLE, EvtClose(push));

    /* A push callback that closes its own subscription: no deadlock, no later delivery. */
    atomic_store(&delivered, 0);
    EVT_HANDLE selfish = EvtSubscribe(NULL, NULL, L"Application", NULL, NULL, NULL,
                                      closing_callback, EvtSubscribeToFutureEvents);
    CHECK(selfish);
    atomic_store(&self_closing, selfish);
    CHECK(evtlog_generate(L"Application", 3, 4));
    while (!atomic_load(&closed_inside)) usleep(100);
    usleep(20000);
    CHECK(atomic_load(&delivered) == 1);
    FAILS(ERROR_INVALID_HANDLE, EvtClose(selfish));

    /* Eight threads close the same handle at once: exactly one succeeds. */
    for (int round = 0; round < 100; round++) {
        EVT_HANDLE h = round % 2 ? EvtCreateBookmark(NULL) : EvtQuery(NULL, L"System", NULL,
                                                                      EvtQueryChannelPath);
        CHECK(h);
        atomic_int go = 0;
        struct closer c[8];
        pthread_t t[8];
        for (int i = 0; i < 8; i++) {
            c[i] = (struct closer){.h = h, .go = &go};
            CHECK(pthread_create(&t[i], NULL, close_it, &c[i]) == 0);
        }
        atomic_store(&go, 1);
        int won = 0;
        for (int i = 0; i < 8; i++) {
            CHECK(pthread_join(t[i], NULL) == 0);
            if (c[i].ok) won++;
            else CHECK(c[i].error == ERROR_INVALID_HANDLE);
        }
        CHECK(won == 1);
    }
}

/* ---- 6. the rest: engine controls, kernel32, the classic read on a bad file ---- */

static void the_rest(void) {
    DWORD size = 0;
    FAILS(ERROR_INVALID_PARAMETER, evtlog_install_manifest(NULL));
    FAILS(ERROR_INVALID_PARAMETER, evtlog_uninstall_manifest(NULL));
    FAILS(ERROR_INVALID_PARAMETER, evtlog_create_channel_of_type(NULL, EvtChannelTypeOperational));
    FAILS(ERROR_INVALID_PARAMETER, evtlog_register_event_source(NULL, L"Hostile", NULL, NULL, 0,
                                                                NULL));
    FAILS(ERROR_FILE_NOT_FOUND, evtlog_install_manifest(L"/no/such/manifest.man"));
    FAILS(ERROR_INVALID_OPERATION, evtlog_advance_clock(0xFFFFFFFFFFFFFFFFull));
    /* The virtual clock saturates at the last FILETIME; an event stamped there is written,
     * read back and rendered (SystemTime past year 30827 included). */
    WORKS(evtlog_use_virtual_clock(0x01D0000000000000ull));
    WORKS(evtlog_advance_clock(0xFFFFFFFFFFFFFFFFull));
    WORKS(evtlog_generate(L"Setup", 1, 9));
    EVT_HANDLE late = EvtQuery(NULL, L"Setup", NULL, EvtQueryChannelPath);
    DWORD returned = 0, used = 0, count = 0;
    EVT_HANDLE e = NULL;
    WORKS(late && EvtNext(late, 1, &e, 0, 0, &returned));
    FAILS(ERROR_INSUFFICIENT_BUFFER, EvtRender(NULL, e, EvtRenderEventXml, 0, NULL, &used,
                                               &count));
    char *xml = malloc(used);
    WORKS(EvtRender(NULL, e, EvtRenderEventXml, used, xml, &used, &count));
    free(xml);
    FAILS(ERROR_INSUFFICIENT_BUFFER, EvtRender(context, e, EvtRenderEventValues, 0, NULL, &used,
                                               &count));
    void *values = malloc(used);
    WORKS(EvtRender(context, e, EvtRenderEventValues, used, values, &used, &count));
    free(values);
    WORKS(EvtClose(late));
    WORKS(evtlog_use_virtual_clock(0xFFFFFFFFFFFFFFFFull));
    FAILS(ERROR_FILE_NOT_FOUND, OpenBackupEventLogW(NULL, L"/no/such/backup.evt"));
    FAILS(ERROR_FILE_NOT_FOUND, OpenBackupEventLogA(NULL, "/no/such/backup.evt"));
    HANDLE backup = OpenBackupEventLogW(NULL, L"fixtures/manifests/evtlog-test.man");
    if (backup) {
        FAILS(ERROR_INVALID_PARAMETER, GetNumberOfEventLogRecords(backup, NULL));
        CHECK(CloseEventLog(backup));
    }
    (void)size;
    RETURNS(ERROR_INVALID_PARAMETER, EventRegister(NULL, NULL, NULL, &provider));
}

static const char *const exports[] = {
    "BackupEventLogA", "BackupEventLogW", "ClearEventLogA", "ClearEventLogW", "CloseEventLog",
    "CloseHandle", "CreateEventW", "DeregisterEventSource", "EventActivityIdControl",
    "EventEnabled", "EventProviderEnabled", "EventRegister", "EventUnregister", "EventWrite",
    "EventWriteEx", "EventWriteString", "EventWriteTransfer", "EvtArchiveExportedLog",
    "EvtCancel", "EvtClearLog", "EvtClose", "EvtCreateBookmark", "EvtCreateRenderContext",
    "EvtExportLog", "EvtFormatMessage", "EvtGetChannelConfigProperty", "EvtGetEventInfo",
    "EvtGetEventMetadataProperty", "EvtGetExtendedStatus", "EvtGetLogInfo",
    "EvtGetObjectArrayProperty", "EvtGetObjectArraySize", "EvtGetPublisherMetadataProperty",
    "EvtGetQueryInfo", "EvtNext", "EvtNextChannelPath", "EvtNextEventMetadata",
    "EvtNextPublisherId", "EvtOpenChannelConfig", "EvtOpenChannelEnum",
    "EvtOpenEventMetadataEnum", "EvtOpenLog", "EvtOpenPublisherEnum", "EvtOpenPublisherMetadata",
    "EvtOpenSession", "EvtQuery", "EvtRender", "EvtSaveChannelConfig", "EvtSeek",
    "EvtSetChannelConfigProperty", "EvtSubscribe", "EvtUpdateBookmark", "GetEventLogInformation",
    "GetLastError", "GetNumberOfEventLogRecords", "GetOldestEventLogRecord",
    "NotifyChangeEventLog", "OpenBackupEventLogA", "OpenBackupEventLogW", "OpenEventLogA",
    "OpenEventLogW", "ReadEventLogA", "ReadEventLogW", "RegisterEventSourceA",
    "RegisterEventSourceW", "ResetEvent", "SetEvent", "SetLastError", "WaitForSingleObject",
    "evtlog_advance_clock", "evtlog_create_channel", "evtlog_create_channel_of_type",
    "evtlog_generate", "evtlog_install_manifest", "evtlog_register_event_source",
    "evtlog_reset", "evtlog_uninstall_manifest", "evtlog_use_virtual_clock",
    "evtlog_write_event_xml",
};

static void on_alarm(int sig) {
    (void)sig;
    static const char msg[] = "hostile: a call hung (watchdog)\n";
    if (write(2, msg, sizeof msg - 1) < 0) _exit(3);
    _exit(2);
}

int main(void) {
    signal(SIGALRM, on_alarm);
    alarm(240);
    huge = malloc((HUGE_CHARS + 1) * sizeof(WCHAR));
    huge_ansi = malloc(HUGE_ANSI + 1);
    CHECK(huge && huge_ansi);
    for (size_t i = 0; i < HUGE_CHARS; i++) huge[i] = 'A';
    huge[HUGE_CHARS] = 0;
    memset(huge_ansi, 'A', HUGE_ANSI);
    huge_ansi[HUGE_ANSI] = 0;
    reach("evtlog_reset");
    reach("GetLastError");
    reach("SetLastError");
    open_everything();

    bad_handles();
    bad_buffers();
    bad_strings();
    bad_flags();
    races();
    the_rest();

    /* The last error is the thread's own. */
    SetLastError(ERROR_TIMEOUT);
    struct flight bystander = {.handle = BOGUS};
    pthread_t t;
    CHECK(pthread_create(&t, NULL, in_flight, &bystander) == 0);
    CHECK(pthread_join(t, NULL) == 0);
    CHECK(bystander.error == ERROR_INVALID_HANDLE && GetLastError() == ERROR_TIMEOUT);

    size_t missing = 0;
    for (size_t i = 0; i < sizeof exports / sizeof exports[0]; i++) {
        char name[96];
        snprintf(name, sizeof name, ";%s;", exports[i]);
        if (!strstr(reached, name)) {
            fprintf(stderr, "hostile: %s was never called\n", exports[i]);
            missing++;
        }
    }
    CHECK(missing == 0);
    CHECK(evtlog_reset());
    printf("hostile: ok, %lu hostile calls over all %zu exports\n", atomic_load(&calls),
           sizeof exports / sizeof exports[0]);
    free(huge);
    free(huge_ansi);
    return 0;
}
