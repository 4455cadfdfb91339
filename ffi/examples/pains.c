/* Consumers' documented recoveries from the pains of the consumer-pains reference, each
 * against evtlog making the pain happen, one function per pain:
 *
 *   P2   EvtNext with more than 1,024 handles fails with ERROR_INVALID_PARAMETER: cap the
 *        batch at 1,024 (winlogbeat's evtNextMaxHandles).
 *   P3   ERROR_EVT_QUERY_RESULT_STALE (15011) after a clear, for good: release the query,
 *        query again after the bookmark (or from the oldest when the bookmark's record is
 *        gone), and count what the clear took (beats PR #32176, vector#26115).
 *   P5   EvtSubscribe with StartAfterBookmark | Strict on a record that is gone fails with
 *        ERROR_NOT_FOUND: resubscribe at the oldest record, as winlogbeat does, counting
 *        what it reads again (beats#29793; vector#26120 fell back to future events and lost).
 *   P10  EvtRender's sizing loop: a 16 KB first buffer (beats#39544), grown to BufferUsed on
 *        ERROR_INSUFFICIENT_BUFFER (122), for an event larger than it.
 *   P11  Polling a pull subscription: ERROR_INVALID_OPERATION (4317) while idle and
 *        ERROR_NO_MORE_ITEMS (259) once drained both mean "nothing now" (winlogbeat,
 *        OpenTelemetry); the manual-reset signal is reset before each drain (vector#25194).
 *
 *   P6, P9  A circular channel overwritten under a slow reader: STALE, then the loss
 *        counted against EvtGetLogInfo's oldest record number, and the rest read once;
 *        a filter's gaps in record ids are not loss.
 *   P12  Channel validation (NXLog, vector): a missing channel (15007) and an Analytic or
 *        Debug one (15009) are skipped, the rest subscribed.
 *   6.5  EvtFormatMessage failing with 15027 or 15033: the event kept through its XML.
 *
 * Each starts from a fresh service (evtlog_reset). Other pains have their own programs:
 * faults.c and quirks.c (P1, 1734; quirks.c also 317), service_restart.c (P4, 6.7),
 * cancel.c (P7), remote.c (remote computers). */
#include "common.h"

static EVT_HANDLE g_system; /* a System render context, for record ids */

/* A fresh service (a reset closes every handle, the render context too). */
static void fresh(void) {
    CHECK(evtlog_reset());
    g_system = EvtCreateRenderContext(0, NULL, EvtRenderContextSystem);
    CHECK(g_system != NULL);
}

static UINT64 record_id(EVT_HANDLE event) {
    EVT_VARIANT values[256]; /* the variants, then the strings they point to */
    DWORD used = 0, count = 0;
    CHECK(EvtRender(g_system, event, EvtRenderEventValues, sizeof values, values, &used,
                    &count));
    return values[EvtSystemEventRecordId].UInt64Val;
}

/* Reads everything `results` has now, in batches of `batch`: the ids into `ids` (at most
 * `max`), the bookmark (if any) to the last; returns how many, and the ending error. */
static int drain(EVT_HANDLE results, DWORD batch, EVT_HANDLE bookmark, UINT64 *ids, int max,
                 DWORD *end) {
    static EVT_HANDLE events[1024];
    DWORD returned = 0;
    int n = 0;
    while (EvtNext(results, batch, events, 0, 0, &returned)) {
        for (DWORD i = 0; i < returned; i++) {
            CHECK(n < max);
            ids[n++] = record_id(events[i]);
            if (bookmark) CHECK(EvtUpdateBookmark(bookmark, events[i]));
            CHECK(EvtClose(events[i]));
        }
    }
    *end = GetLastError();
    CHECK(returned == 0);
    return n;
}

static UINT64 oldest_record(LPCWSTR channel) {
    EVT_HANDLE log = EvtOpenLog(NULL, channel, EvtOpenChannelPath);
    CHECK(log != NULL);
    EVT_VARIANT value;
    DWORD used = 0;
    CHECK(EvtGetLogInfo(log, EvtLogOldestRecordNumber, sizeof value, &value, &used));
    CHECK(EvtClose(log));
    return value.UInt64Val;
}

/* Writes `count` events of `provider` with `event_id` and a Blob of `blob` characters. */
static void write_events(LPCWSTR channel, const char *provider, int event_id, int count,
                         int blob) {
    static char text[16384];
    static WCHAR xml[16384];
    char *x = malloc((size_t)blob + 1);
    CHECK(x != NULL);
    memset(x, 'x', (size_t)blob);
    x[blob] = 0;
    for (int i = 0; i < count; i++) {
        snprintf(text, sizeof text,
                 "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>"
                 "<System><Provider Name='%s'/><EventID>%d</EventID><Level>4</Level>"
                 "</System><EventData><Data Name='Blob'>%s</Data></EventData></Event>",
                 provider, event_id, x);
        widen(text, xml, sizeof xml / sizeof xml[0]);
        CHECK(evtlog_write_event_xml(channel, xml));
    }
    free(x);
}

static void p02_batch_cap(void) {
    fresh();
    CHECK(evtlog_generate(L"Application", 1500, 2));
    EVT_HANDLE query = EvtQuery(NULL, L"Application", NULL, EvtQueryChannelPath);
    CHECK(query != NULL);
    static EVT_HANDLE events[1025];
    DWORD returned = 0;
    CHECK_ERROR(EvtNext(query, 1025, events, 0, 0, &returned), ERROR_INVALID_PARAMETER);
    /* The recovery: never ask for more than 1,024. */
    static UINT64 ids[1500];
    DWORD end = 0;
    int n = drain(query, 1024, NULL, ids, 1500, &end);
    CHECK(end == ERROR_NO_MORE_ITEMS && n == 1500 && ids[0] == 1 && ids[1499] == 1500);
    CHECK(EvtClose(query));
    printf("P2: 1025 handles: ERROR_INVALID_PARAMETER; batches of 1024 read all %d\n", n);
}

static void p03_stale_after_clear(void) {
    fresh();
    CHECK(evtlog_generate(L"Application", 10, 3));
    EVT_HANDLE bookmark = EvtCreateBookmark(NULL);
    CHECK(bookmark != NULL);
    EVT_HANDLE query = EvtQuery(NULL, L"Application", NULL, EvtQueryChannelPath);
    CHECK(query != NULL);
    EVT_HANDLE events[4];
    DWORD returned = 0;
    CHECK(EvtNext(query, 4, events, 0, 0, &returned) && returned == 4);
    UINT64 last = 0;
    for (DWORD i = 0; i < returned; i++) {
        last = record_id(events[i]);
        CHECK(EvtUpdateBookmark(bookmark, events[i]));
        CHECK(EvtClose(events[i]));
    }
    /* Someone clears the channel; new events arrive. */
    CHECK(EvtClearLog(NULL, L"Application", NULL, 0));
    CHECK(evtlog_generate(L"Application", 3, 4));
    int stale = 0;
    while (!EvtNext(query, 4, events, 0, 0, &returned)) {
        CHECK(GetLastError() == ERROR_EVT_QUERY_RESULT_STALE);
        /* Retrying the same handle fails the same way (vector#26115's stuck loop): after a
         * few tries, release it and query again. */
        if (++stale == 3) break;
    }
    CHECK(stale == 3);
    CHECK(EvtClose(query));
    query = EvtQuery(NULL, L"Application", NULL, EvtQueryChannelPath);
    CHECK(query != NULL);
    if (!EvtSeek(query, 1, bookmark, 0, EvtSeekRelativeToBookmark | EvtSeekStrict)) {
        CHECK(GetLastError() == ERROR_NOT_FOUND);
        CHECK(EvtSeek(query, 0, NULL, 0, EvtSeekRelativeToFirst));
    }
    UINT64 ids[16];
    DWORD end = 0;
    int n = drain(query, 8, bookmark, ids, 16, &end);
    CHECK(end == ERROR_NO_MORE_ITEMS);
    UINT64 oldest = oldest_record(L"Application");
    UINT64 lost = oldest - (last + 1);
    for (int i = 0; i < n; i++) CHECK(ids[i] > last && (i == 0 || ids[i] == ids[i - 1] + 1));
    CHECK(n == 3 && ids[0] == oldest && lost == 6);
    CHECK(EvtClose(query));
    CHECK(EvtClose(bookmark));
    printf("P3: ERROR_EVT_QUERY_RESULT_STALE x%d; re-queried: %d new records once, %llu taken "
           "by the clear\n",
           stale, n, (unsigned long long)lost);
}

/* A pull subscription from `bookmark` with beats' fallback: Strict first, then the oldest
 * record on ERROR_NOT_FOUND / STALE / INVALID_POSITION. Returns the subscription. */
static EVT_HANDLE subscribe_resuming(HANDLE signal, EVT_HANDLE bookmark, int *fell_back) {
    EVT_HANDLE sub = EvtSubscribe(NULL, signal, L"Application", NULL, bookmark, NULL, NULL,
                                  EvtSubscribeStartAfterBookmark | EvtSubscribeStrict);
    *fell_back = 0;
    if (sub == NULL) {
        DWORD error = GetLastError();
        CHECK(error == ERROR_NOT_FOUND || error == ERROR_EVT_QUERY_RESULT_STALE ||
              error == ERROR_EVT_QUERY_RESULT_INVALID_POSITION);
        *fell_back = 1;
        sub = EvtSubscribe(NULL, signal, L"Application", NULL, NULL, NULL, NULL,
                           EvtSubscribeStartAtOldestRecord);
        CHECK(sub != NULL);
    }
    return sub;
}

static void p05_strict_bookmark_gone(void) {
    fresh();
    HANDLE signal = CreateEvent(NULL, TRUE, FALSE, NULL);
    CHECK(signal != NULL);
    UINT64 ids[64];
    DWORD end = 0;
    int fell_back = 0;

    /* Case 1: the bookmark's record was cleared while the shipper was down. */
    CHECK(evtlog_generate(L"Application", 6, 5));
    EVT_HANDLE bookmark = EvtCreateBookmark(NULL);
    EVT_HANDLE sub = subscribe_resuming(signal, bookmark, &fell_back); /* empty: oldest */
    CHECK(fell_back && drain(sub, 100, bookmark, ids, 64, &end) == 6);
    CHECK(EvtClose(sub));
    CHECK(EvtClearLog(NULL, L"Application", NULL, 0));
    CHECK(evtlog_generate(L"Application", 3, 6));
    sub = subscribe_resuming(signal, bookmark, &fell_back);
    int n = drain(sub, 100, NULL, ids, 64, &end);
    int reread = 0;
    for (int i = 0; i < n; i++) reread += ids[i] <= 6;
    CHECK(fell_back && n == 3 && ids[0] == 7 && reread == 0);
    CHECK(EvtClose(sub));
    printf("P5: bookmark cleared: ERROR_NOT_FOUND, resumed at the oldest: %d read, %d again\n",
           n, reread);

    /* Case 2: the bookmark names a record the channel does not have (a store restored from
     * an older backup): the fallback reads again what the shipper had sent. */
    CHECK(EvtClose(bookmark));
    bookmark = EvtCreateBookmark(
        L"<BookmarkList><Bookmark Channel='Application' RecordId='20' IsCurrent='true'/>"
        L"</BookmarkList>");
    CHECK(bookmark != NULL);
    sub = subscribe_resuming(signal, bookmark, &fell_back);
    n = drain(sub, 100, NULL, ids, 64, &end);
    reread = 0;
    for (int i = 0; i < n; i++) reread += ids[i] <= 20;
    CHECK(fell_back && n == 3 && reread == 3); /* records 7 to 9, all sent before */
    CHECK(EvtClose(sub));

    /* Without Strict (vector#26125's soft resume): after the nearest record, no fallback. */
    sub = EvtSubscribe(NULL, signal, L"Application", NULL, bookmark, NULL, NULL,
                       EvtSubscribeStartAfterBookmark);
    CHECK(sub != NULL);
    CHECK(drain(sub, 100, NULL, ids, 64, &end) == 0);
    CHECK(EvtClose(sub));
    CHECK(EvtClose(bookmark));
    CHECK(CloseHandle(signal));
    printf("P5: bookmark past the newest: ERROR_NOT_FOUND, fallback read %d again\n", reread);
}

static void p10_render_sizing(void) {
    fresh();
    enum { DATA = 20000 };
    static WCHAR xml[DATA + 512];
    char head[] = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>"
                  "<System><Provider Name='Pains'/><EventID>1</EventID><Level>4</Level>"
                  "</System><EventData><Data Name='Blob'>";
    size_t n = 0;
    for (size_t i = 0; head[i]; i++) xml[n++] = (WCHAR)head[i];
    for (int i = 0; i < DATA; i++) xml[n++] = L'x';
    const char *tail = "</Data></EventData></Event>";
    for (size_t i = 0; tail[i]; i++) xml[n++] = (WCHAR)tail[i];
    xml[n] = 0;
    CHECK(evtlog_write_event_xml(L"Application", xml));

    EVT_HANDLE query = EvtQuery(NULL, L"Application", NULL, EvtQueryChannelPath);
    EVT_HANDLE event = NULL;
    DWORD returned = 0;
    CHECK(EvtNext(query, 1, &event, 0, 0, &returned) && returned == 1);
    /* The consumer's loop: a 16 KB buffer first, grown to what BufferUsed says. */
    DWORD size = 16 * 1024, used = 0, count = 0;
    WCHAR *buffer = malloc(size);
    int calls = 0;
    for (;;) {
        calls++;
        if (EvtRender(NULL, event, EvtRenderEventXml, size, buffer, &used, &count)) break;
        CHECK(GetLastError() == ERROR_INSUFFICIENT_BUFFER && used > size);
        size = used;
        buffer = realloc(buffer, size);
        CHECK(buffer != NULL);
    }
    CHECK(calls == 2 && used == size && used % 2 == 0 && buffer[used / 2 - 1] == 0);
    size_t xs = 0;
    for (DWORD i = 0; i < used / 2; i++) xs += buffer[i] == L'x';
    CHECK(xs >= DATA); /* whole, not truncated (beats#41245) */
    /* One byte short is still too small, and says so with the same size. */
    DWORD needed = used;
    CHECK_ERROR(EvtRender(NULL, event, EvtRenderEventXml, needed - 1, buffer, &used, &count),
                ERROR_INSUFFICIENT_BUFFER);
    CHECK(used == needed);
    free(buffer);
    CHECK(EvtClose(event));
    CHECK(EvtClose(query));
    printf("P10: %u bytes of XML in %d EvtRender calls, whole\n", (unsigned)needed, calls);
}

static void p11_polling(void) {
    fresh();
    HANDLE signal = CreateEvent(NULL, TRUE, TRUE, NULL); /* fluent-bit: initially set */
    CHECK(signal != NULL);
    EVT_HANDLE sub = EvtSubscribe(NULL, signal, L"Application", NULL, NULL, NULL, NULL,
                                  EvtSubscribeToFutureEvents);
    CHECK(sub != NULL);
    EVT_HANDLE events[8];
    int idle_4317 = 0, drained_259 = 0, read = 0, round = 0;
    UINT64 expected = 1;
    while (read < 20) {
        CHECK(round++ < 100);
        if (WaitForSingleObject(signal, 0) != WAIT_OBJECT_0) {
            /* Nothing signalled: the producer writes a few (a test's stand-in for time). */
            CHECK(evtlog_generate(L"Application", 5, (ULONGLONG)round));
            continue;
        }
        CHECK(ResetEvent(signal)); /* before the drain, so no set is swallowed */
        DWORD returned = 0;
        while (EvtNext(sub, 8, events, 0, 0, &returned)) {
            for (DWORD i = 0; i < returned; i++) {
                CHECK(record_id(events[i]) == expected);
                expected++;
                read++;
                CHECK(EvtClose(events[i]));
            }
        }
        DWORD status = GetLastError();
        if (status == ERROR_INVALID_OPERATION) {
            idle_4317++; /* a fresh subscription with nothing yet: "no more items" */
        } else {
            CHECK(status == ERROR_NO_MORE_ITEMS);
            drained_259++;
        }
    }
    CHECK(read == 20 && idle_4317 == 1 && drained_259 >= 1);
    CHECK(EvtClose(sub));
    CHECK(CloseHandle(signal));
    /* A query's end is ERROR_NO_MORE_ITEMS, never 4317. */
    EVT_HANDLE query = EvtQuery(NULL, L"Application", NULL, EvtQueryChannelPath);
    UINT64 ids[32];
    DWORD end = 0;
    CHECK(drain(query, 8, NULL, ids, 32, &end) == 20 && end == ERROR_NO_MORE_ITEMS);
    CHECK(EvtClose(query));
    printf("P11: %d records polled; idle ERROR_INVALID_OPERATION %d, ERROR_NO_MORE_ITEMS %d\n",
           read, idle_4317, drained_259);
}

/* P6 and P9: a channel that overwrites (1 MiB, circular, the default) and a writer faster
 * than the reader. The reader's subscription fails with ERROR_EVT_QUERY_RESULT_STALE; it
 * compares its bookmark with EvtGetLogInfo's oldest record number to count the loss
 * exactly (a gap in record ids alone cannot tell loss from a filter), and resumes. */
static void p06_p09_overwritten_under_a_slow_reader(void) {
    fresh();
    CHECK(evtlog_create_channel(L"Pains/Ring"));
    /* A filter's gaps are not loss: ids 1, 3, 5 read, yet the oldest is 1. */
    write_events(L"Pains/Ring", "Pains", 1, 1, 10);
    write_events(L"Pains/Ring", "Pains", 2, 1, 10);
    write_events(L"Pains/Ring", "Pains", 1, 1, 10);
    write_events(L"Pains/Ring", "Pains", 2, 1, 10);
    write_events(L"Pains/Ring", "Pains", 1, 1, 10);
    EVT_HANDLE query =
        EvtQuery(NULL, L"Pains/Ring", L"*[System[EventID=1]]", EvtQueryChannelPath);
    CHECK(query != NULL);
    UINT64 ids[512];
    DWORD end = 0;
    CHECK(drain(query, 10, NULL, ids, 512, &end) == 3 && ids[1] == 3 && ids[2] == 5);
    CHECK(oldest_record(L"Pains/Ring") == 1);
    CHECK(EvtClose(query));

    HANDLE signal = CreateEvent(NULL, TRUE, FALSE, NULL);
    EVT_HANDLE bookmark = EvtCreateBookmark(NULL);
    EVT_HANDLE sub = EvtSubscribe(NULL, signal, L"Pains/Ring", NULL, NULL, NULL, NULL,
                                  EvtSubscribeStartAtOldestRecord);
    CHECK(sub != NULL && bookmark != NULL);
    CHECK(drain(sub, 10, bookmark, ids, 512, &end) == 5);
    UINT64 last = ids[4];
    /* The writer: 300 events of 8 KB, over twice the channel's size. */
    write_events(L"Pains/Ring", "Pains", 3, 300, 8000);
    CHECK(WaitForSingleObject(signal, 0) == WAIT_OBJECT_0);
    EVT_HANDLE events[10];
    DWORD returned = 0;
    CHECK_ERROR(EvtNext(sub, 10, events, 0, 0, &returned), ERROR_EVT_QUERY_RESULT_STALE);
    CHECK(EvtClose(sub));
    UINT64 oldest = oldest_record(L"Pains/Ring");
    UINT64 lost = oldest > last + 1 ? oldest - (last + 1) : 0;
    CHECK(lost > 0);
    /* Resume: after the bookmark if its record is there, else at the oldest. */
    sub = EvtSubscribe(NULL, signal, L"Pains/Ring", NULL, bookmark, NULL, NULL,
                       EvtSubscribeStartAfterBookmark | EvtSubscribeStrict);
    if (sub == NULL) {
        CHECK(GetLastError() == ERROR_NOT_FOUND);
        sub = EvtSubscribe(NULL, signal, L"Pains/Ring", NULL, NULL, NULL, NULL,
                           EvtSubscribeStartAtOldestRecord);
    }
    CHECK(sub != NULL);
    int n = drain(sub, 10, bookmark, ids, 512, &end);
    CHECK(n > 0 && ids[0] == oldest);
    for (int i = 1; i < n; i++) CHECK(ids[i] == ids[i - 1] + 1);
    CHECK(5 + lost + (UINT64)n == 305); /* every record read or counted lost */
    CHECK(EvtClose(sub));
    CHECK(EvtClose(bookmark));
    CHECK(CloseHandle(signal));
    printf("P6/P9: a filter's gaps are not loss; overwritten under the reader: STALE, %llu "
           "counted lost against the oldest, %d read after\n",
           (unsigned long long)lost, n);
}

/* P12: channel validation as NXLog and vector do it: a missing channel (15007) and an
 * Analytic or Debug one (15009) are skipped with a message; the others are read. */
static void p12_channel_validation(void) {
    fresh();
    CHECK(evtlog_create_channel_of_type(L"Pains/Analytic", EvtChannelTypeAnalytic));
    CHECK(evtlog_create_channel_of_type(L"Pains/Debug", EvtChannelTypeDebug));
    LPCWSTR channels[] = {L"Application", L"Pains/Missing", L"Pains/Analytic", L"Pains/Debug",
                          L"System"};
    DWORD expected[] = {0, ERROR_EVT_CHANNEL_NOT_FOUND, ERROR_EVT_SUBSCRIPTION_TO_DIRECT_CHANNEL,
                        ERROR_EVT_SUBSCRIPTION_TO_DIRECT_CHANNEL, 0};
    HANDLE signal = CreateEvent(NULL, TRUE, FALSE, NULL);
    int subscribed = 0;
    for (size_t i = 0; i < sizeof channels / sizeof channels[0]; i++) {
        EVT_HANDLE sub = EvtSubscribe(NULL, signal, channels[i], NULL, NULL, NULL, NULL,
                                      EvtSubscribeToFutureEvents);
        DWORD error = sub ? 0 : GetLastError();
        CHECK(error == expected[i]);
        if (sub) {
            subscribed++;
            CHECK(EvtClose(sub));
        }
    }
    CHECK_ERROR(EvtOpenChannelConfig(NULL, L"Pains/Missing", 0) != NULL,
                ERROR_EVT_CHANNEL_NOT_FOUND);
    CHECK(subscribed == 2);
    CHECK(CloseHandle(signal));
    printf("P12: 2 channels subscribed; a missing one 15007, 2 direct ones 15009, skipped\n");
}

/* Section 6.5: EvtFormatMessage failures are data: with the provider's messages unavailable
 * (evtlog_fail_messages: 15027, 15033), the consumer keeps the event through its XML
 * (wazuh PR #24932; netxms#3322 dropped such events). */
static void s6_5_format_failures_as_data(void) {
    fresh();
    write_events(L"Application", "Microsoft-Windows-Security-Auditing", 4634, 1, 10);
    EVT_HANDLE query = EvtQuery(NULL, L"Application", NULL, EvtQueryChannelPath);
    EVT_HANDLE event = NULL;
    DWORD returned = 0;
    CHECK(query && EvtNext(query, 1, &event, INFINITE, 0, &returned) && returned == 1);
    EVT_HANDLE metadata =
        EvtOpenPublisherMetadata(NULL, L"Microsoft-Windows-Security-Auditing", NULL, 0, 0);
    CHECK(metadata != NULL);
    DWORD codes[] = {0, ERROR_EVT_MESSAGE_NOT_FOUND, ERROR_EVT_MESSAGE_LOCALE_NOT_FOUND};
    int kept = 0;
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        if (codes[i]) {
            CHECK(evtlog_fail_messages(L"Microsoft-Windows-Security-Auditing", codes[i]));
        }
        DWORD used = 0, error = 0;
        if (!EvtFormatMessage(metadata, event, 0, 0, NULL, EvtFormatMessageEvent, 0, NULL,
                              &used)) {
            error = GetLastError();
        }
        if (codes[i] == 0) {
            CHECK(error == ERROR_INSUFFICIENT_BUFFER && used > 1); /* a message to size */
            continue;
        }
        CHECK(error == codes[i]);
        char *xml = render_xml(event); /* the fallback */
        CHECK(strstr(xml, "<EventID>4634</EventID>") != NULL);
        free(xml);
        kept++;
    }
    CHECK(evtlog_clear_faults());
    CHECK(kept == 2);
    CHECK(EvtClose(metadata));
    CHECK(EvtClose(event));
    CHECK(EvtClose(query));
    printf("6.5: EvtFormatMessage 15027 and 15033: both events kept through their XML\n");
}

int main(void) {
    p02_batch_cap();
    p03_stale_after_clear();
    p05_strict_bookmark_gone();
    p10_render_sizing();
    p11_polling();
    p06_p09_overwritten_under_a_slow_reader();
    p12_channel_validation();
    s6_5_format_failures_as_data();
    return 0;
}
