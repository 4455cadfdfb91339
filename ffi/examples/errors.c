/* Every exported function called with NULL, dangling (closed) and wrong-type handles, NULL
 * out-parameters and buffers, and too-small buffers: each fails with its documented
 * GetLastError code, and nothing crashes. */
#include "common.h"

int main(void) {
    CHECK(evtlog_reset());
    CHECK(evtlog_generate(L"System", 20, 5));
    DWORD used = 0, count = 0, returned = 0;
    EVT_HANDLE events[4];
    WCHAR text[4];
    char bytes[8];

    /* Live handles of each kind, and a dangling one (closed; its slot then reused). */
    EVT_HANDLE query = EvtQuery(NULL, L"System", NULL, EvtQueryChannelPath);
    CHECK(query != NULL);
    CHECK(EvtNext(query, 2, events, INFINITE, 0, &returned) && returned == 2);
    EVT_HANDLE event = events[0];
    EVT_HANDLE context = EvtCreateRenderContext(0, NULL, EvtRenderContextSystem);
    EVT_HANDLE bookmark = EvtCreateBookmark(NULL);
    EVT_HANDLE channels = EvtOpenChannelEnum(NULL, 0);
    CHECK(context && bookmark && channels);
    EVT_HANDLE dangling = events[1];
    CHECK(EvtClose(dangling));
    EVT_HANDLE reuse = EvtCreateBookmark(NULL);
    CHECK(reuse != NULL && reuse != dangling);

    /* NULL handles. */
    CHECK_ERROR(EvtClose(NULL), ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtNext(NULL, 4, events, 0, 0, &returned), ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtSeek(NULL, 0, NULL, 0, EvtSeekRelativeToFirst), ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtRender(NULL, NULL, EvtRenderEventXml, 0, NULL, &used, &count),
                ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtUpdateBookmark(NULL, event), ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtUpdateBookmark(bookmark, NULL), ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtGetQueryInfo(NULL, EvtQueryNames, 0, NULL, &used), ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtGetEventInfo(NULL, EvtEventPath, 0, NULL, &used), ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtNextChannelPath(NULL, 4, text, &used), ERROR_INVALID_HANDLE);

    /* Dangling handles. */
    EVT_HANDLE dead[] = {dangling, (EVT_HANDLE)(intptr_t)-1, (EVT_HANDLE)(intptr_t)12345};
    for (size_t i = 0; i < sizeof dead / sizeof dead[0]; i++) {
        EVT_HANDLE h = dead[i];
        CHECK_ERROR(EvtClose(h), ERROR_INVALID_HANDLE);
        CHECK_ERROR(EvtCancel(h), ERROR_INVALID_HANDLE);
        CHECK_ERROR(EvtNext(h, 4, events, 0, 0, &returned), ERROR_INVALID_HANDLE);
        CHECK_ERROR(EvtSeek(h, 0, NULL, 0, EvtSeekRelativeToFirst), ERROR_INVALID_HANDLE);
        CHECK_ERROR(EvtRender(NULL, h, EvtRenderEventXml, 0, NULL, &used, &count),
                    ERROR_INVALID_HANDLE);
        CHECK_ERROR(EvtRender(h, event, EvtRenderEventValues, 0, NULL, &used, &count),
                    ERROR_INVALID_HANDLE);
        CHECK_ERROR(EvtUpdateBookmark(h, event), ERROR_INVALID_HANDLE);
        CHECK_ERROR(EvtGetQueryInfo(h, EvtQueryNames, 0, NULL, &used), ERROR_INVALID_HANDLE);
        CHECK_ERROR(EvtGetEventInfo(h, EvtEventPath, 0, NULL, &used), ERROR_INVALID_HANDLE);
        CHECK_ERROR(EvtNextChannelPath(h, 4, text, &used), ERROR_INVALID_HANDLE);
        CHECK_ERROR(EvtQuery(h, L"System", NULL, 0) != NULL, ERROR_INVALID_HANDLE);
        CHECK_ERROR(EvtOpenChannelEnum(h, 0) != NULL, ERROR_INVALID_HANDLE);
        CHECK_ERROR(EvtClearLog(h, L"System", NULL, 0), ERROR_INVALID_HANDLE);
        CHECK_ERROR(EvtExportLog(h, L"System", NULL, L"/tmp/x.evtx", 0), ERROR_INVALID_HANDLE);
    }

    /* The other handle-taking functions, with each kind of bad handle. */
    EVT_HANDLE wrong[] = {NULL, dangling, query, (EVT_HANDLE)(intptr_t)-1};
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        EVT_HANDLE h = wrong[i];
        CHECK_ERROR(EvtGetLogInfo(h, EvtLogFull, 0, NULL, &used), ERROR_INVALID_HANDLE);
        CHECK_ERROR(SetEvent(h), ERROR_INVALID_HANDLE);
        CHECK_ERROR(ResetEvent(h), ERROR_INVALID_HANDLE);
        CHECK_ERROR(CloseHandle(h), ERROR_INVALID_HANDLE);
        SetLastError(0);
        CHECK(WaitForSingleObject(h, 0) == WAIT_FAILED && GetLastError() == ERROR_INVALID_HANDLE);
        if (h != NULL && h != query) {
            CHECK_ERROR(EvtOpenLog(h, L"System", EvtOpenChannelPath) != NULL,
                        ERROR_INVALID_HANDLE);
            CHECK_ERROR(EvtArchiveExportedLog(h, L"/tmp/x.evtx", 0, 0), ERROR_INVALID_HANDLE);
            CHECK_ERROR(EvtSubscribe(h, NULL, L"System", NULL, NULL, NULL, NULL, 1) != NULL,
                        ERROR_INVALID_HANDLE);
        }
    }
    HANDLE signal = CreateEvent(NULL, TRUE, FALSE, NULL);
    CHECK(signal != NULL);
    CHECK_ERROR(EvtSubscribe(NULL, query, L"System", NULL, NULL, NULL, NULL, 1) != NULL,
                ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtSubscribe(NULL, signal, L"System", NULL, query, NULL, NULL,
                             EvtSubscribeStartAfterBookmark) != NULL,
                ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtSubscribe(NULL, NULL, L"System", NULL, NULL, NULL, NULL, 1) != NULL,
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtSubscribe(NULL, signal, L"System", NULL, NULL, NULL, NULL, 7) != NULL,
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtSubscribe(NULL, signal, L"System", NULL, NULL, NULL, NULL,
                             EvtSubscribeStartAfterBookmark) != NULL,
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtClose(signal), ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtGetLogInfo(signal, EvtLogFull, 0, NULL, &used), ERROR_INVALID_HANDLE);
    CHECK_ERROR(CreateEventW(NULL, TRUE, FALSE, L"named") != NULL, ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtOpenLog(NULL, NULL, EvtOpenChannelPath) != NULL, ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtArchiveExportedLog(NULL, NULL, 0, 0), ERROR_INVALID_PARAMETER);
    CHECK(CloseHandle(signal));
    CHECK_ERROR(CloseHandle(signal), ERROR_INVALID_HANDLE);

    /* Wrong-type handles. */
    CHECK_ERROR(EvtNext(event, 4, events, 0, 0, &returned), ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtNext(bookmark, 4, events, 0, 0, &returned), ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtSeek(context, 0, NULL, 0, EvtSeekRelativeToFirst), ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtRender(NULL, query, EvtRenderEventXml, 0, NULL, &used, &count),
                ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtRender(NULL, event, EvtRenderBookmark, 0, NULL, &used, &count),
                ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtRender(bookmark, event, EvtRenderEventValues, 0, NULL, &used, &count),
                ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtRender(context, context, EvtRenderEventValues, 0, NULL, &used, &count),
                ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtUpdateBookmark(event, bookmark), ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtSeek(query, 0, event, 0, EvtSeekRelativeToBookmark), ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtGetQueryInfo(event, EvtQueryNames, 0, NULL, &used), ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtGetEventInfo(query, EvtEventPath, 0, NULL, &used), ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtNextChannelPath(query, 4, text, &used), ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtQuery(query, L"System", NULL, 0) != NULL, ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtClearLog(event, L"System", NULL, 0), ERROR_INVALID_HANDLE);

    /* NULL out-parameters, and NULL buffers that claim a size. */
    CHECK_ERROR(EvtNext(query, 4, events, 0, 0, NULL), ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtNext(query, 4, NULL, 0, 0, &returned), ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtNext(query, 0, events, 0, 0, &returned), ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtRender(NULL, event, EvtRenderEventXml, 0, NULL, NULL, &count),
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtRender(NULL, event, EvtRenderEventXml, 0, NULL, &used, NULL),
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtRender(NULL, event, EvtRenderEventXml, 64, NULL, &used, &count),
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtGetQueryInfo(query, EvtQueryNames, 0, NULL, NULL), ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtGetQueryInfo(query, EvtQueryNames, 64, NULL, &used), ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtGetEventInfo(event, EvtEventPath, 0, NULL, NULL), ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtNextChannelPath(channels, 4, NULL, &used), ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtNextChannelPath(channels, 4, text, NULL), ERROR_INVALID_PARAMETER);
    CHECK(EvtGetExtendedStatus(0, NULL, NULL) == ERROR_INVALID_PARAMETER);
    CHECK(EvtGetExtendedStatus(4, NULL, &used) == ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtCreateRenderContext(2, NULL, EvtRenderContextValues) != NULL,
                ERROR_INVALID_PARAMETER);
    LPCWSTR null_path[] = {NULL};
    CHECK_ERROR(EvtCreateRenderContext(1, null_path, EvtRenderContextValues) != NULL,
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtOpenSession(EvtRpcLogin, NULL, 0, 0) != NULL, ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtClearLog(NULL, NULL, NULL, 0), ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtExportLog(NULL, L"System", NULL, NULL, 0), ERROR_INVALID_PARAMETER);
    CHECK_ERROR(evtlog_create_channel(NULL), ERROR_INVALID_PARAMETER);
    CHECK_ERROR(evtlog_write_event_xml(L"System", NULL), ERROR_INVALID_PARAMETER);
    CHECK_ERROR(evtlog_generate(NULL, 1, 1), ERROR_INVALID_PARAMETER);
    /* Not UTF-16: an unpaired surrogate. */
    WCHAR bad[] = {0xD800, 'x', 0};
    CHECK_ERROR(EvtQuery(NULL, bad, NULL, 0) != NULL, ERROR_INVALID_PARAMETER);

    /* Bad flags and reserved arguments. */
    CHECK_ERROR(EvtQuery(NULL, L"System", NULL, EvtQueryChannelPath | EvtQueryFilePath) != NULL,
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtNext(query, 4, events, 0, 1, &returned), ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtSeek(query, 0, NULL, 1, EvtSeekRelativeToFirst), ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtSeek(query, 0, NULL, 0, 0), ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtRender(NULL, event, 7, 0, NULL, &used, &count), ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtRender(context, event, EvtRenderEventXml, 0, NULL, &used, &count),
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtCreateRenderContext(0, NULL, 9) != NULL, ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtOpenChannelEnum(NULL, 1) != NULL, ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtClearLog(NULL, L"System", NULL, 1), ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtExportLog(NULL, L"System", NULL, L"relative.evtx", 0),
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtGetQueryInfo(query, 9, 0, NULL, &used), ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtGetEventInfo(event, 9, 0, NULL, &used), ERROR_INVALID_PARAMETER);

    /* Too-small buffers: 122, the size needed, nothing written, the enumerator kept. */
    memset(bytes, 0x5A, sizeof bytes);
    CHECK_ERROR(EvtRender(NULL, event, EvtRenderEventXml, sizeof bytes, bytes, &used, &count),
                ERROR_INSUFFICIENT_BUFFER);
    CHECK(used > sizeof bytes);
    for (size_t i = 0; i < sizeof bytes; i++) CHECK(bytes[i] == 0x5A);
    CHECK_ERROR(EvtRender(context, event, EvtRenderEventValues, sizeof bytes, bytes, &used,
                          &count),
                ERROR_INSUFFICIENT_BUFFER);
    CHECK(used >= 18 * sizeof(EVT_VARIANT));
    CHECK_ERROR(EvtRender(NULL, bookmark, EvtRenderBookmark, 0, NULL, &used, &count),
                ERROR_INSUFFICIENT_BUFFER);
    CHECK_ERROR(EvtGetEventInfo(event, EvtEventPath, sizeof bytes, (PEVT_VARIANT)bytes, &used),
                ERROR_INSUFFICIENT_BUFFER);
    CHECK(used == sizeof(EVT_VARIANT) + sizeof L"System");
    CHECK_ERROR(EvtNextChannelPath(channels, 4, text, &used), ERROR_INSUFFICIENT_BUFFER);
    CHECK(used == sizeof "Application");
    WCHAR name[32];
    CHECK(EvtNextChannelPath(channels, 32, name, &used));
    char ascii[32];
    narrow(name, ascii, sizeof ascii);
    CHECK(strcmp(ascii, "Application") == 0);

    /* Errors with their codes, and the extended status of a bad query. */
    CHECK_ERROR(EvtQuery(NULL, L"NoSuchChannel", NULL, 0) != NULL, ERROR_EVT_CHANNEL_NOT_FOUND);
    CHECK_ERROR(EvtQuery(NULL, L"System", L"*[System[EventID=", 0) != NULL,
                ERROR_EVT_INVALID_QUERY);
    CHECK(EvtGetExtendedStatus(0, NULL, &used) == ERROR_INSUFFICIENT_BUFFER && used > 1);
    WCHAR *status = malloc(used * sizeof(WCHAR));
    CHECK(EvtGetExtendedStatus(used, status, &used) == ERROR_SUCCESS);
    free(status);
    CHECK_ERROR(EvtQuery(NULL, L"/no/such/file.evtx", NULL, EvtQueryFilePath) != NULL,
                ERROR_FILE_NOT_FOUND);
    CHECK_ERROR(EvtCreateBookmark(L"<BookmarkList") != NULL, ERROR_EVT_MALFORMED_XML_TEXT);
    CHECK_ERROR(evtlog_write_event_xml(L"System", L"<Event>"), ERROR_EVT_MALFORMED_XML_TEXT);
    CHECK_ERROR(evtlog_create_channel(L"System"), ERROR_INVALID_PARAMETER);
    CHECK_ERROR(evtlog_advance_clock(1), ERROR_INVALID_OPERATION);
    EVT_RPC_LOGIN remote = {.Server = L"dc01.example.com"};
    CHECK_ERROR(EvtOpenSession(EvtRpcLogin, &remote, 0, 0) != NULL, RPC_S_SERVER_UNAVAILABLE);
    CHECK_ERROR(EvtOpenSession((EVT_LOGIN_CLASS)2, &remote, 0, 0) != NULL,
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtSeek(query, 100, NULL, 0, EvtSeekRelativeToFirst | EvtSeekStrict),
                ERROR_EVT_QUERY_RESULT_INVALID_POSITION);
    CHECK(EvtSeek(query, 0, NULL, 0, EvtSeekRelativeToLast));
    CHECK(EvtNext(query, 4, events, 0, 0, &returned) && returned == 1);
    CHECK_ERROR(EvtNext(query, 4, events, 0, 0, &returned), ERROR_NO_MORE_ITEMS);
    CHECK(returned == 0);

    /* Everything closes once; the query's events close with it. */
    CHECK(EvtClose(channels) && EvtClose(reuse) && EvtClose(bookmark) && EvtClose(context));
    CHECK(EvtClose(query));
    CHECK_ERROR(EvtClose(event), ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtClose(events[0]), ERROR_INVALID_HANDLE);
    puts("errors: ok");
    return 0;
}
