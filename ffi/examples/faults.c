/* A consumer's recovery from RPC_S_INVALID_BOUND (1734), driven only by the environment:
 * EVTLOG_FAULTS=EvtNext@2:1734 makes the third EvtNext fail, as Windows' EvtNext does on a
 * batch over its RPC limit (consumer-pains P1). The consumer does what winlogbeat does
 * (elastic/beats PR #3112): halve the batch, reopen the query after the last event it
 * processed (a bookmark, since on Windows the read position may have moved), and go on.
 * Every record must arrive once, in order.
 *
 * The program calls no evtlog_* control. Run bare, it puts the plan in its environment and
 * runs itself again, as a test harness would run an unmodified consumer. */
#include <unistd.h>
#include "common.h"
#include <winbase_eventlog.h>

#define EVENTS 2000
#define FIRST_BATCH 512 /* winlogbeat's default batch_read_size */

static EVT_HANDLE open_after(EVT_HANDLE bookmark, int have_bookmark) {
    EVT_HANDLE query = EvtQuery(NULL, L"Application", NULL, EvtQueryChannelPath);
    CHECK(query != NULL);
    if (have_bookmark) {
        CHECK(EvtSeek(query, 1, bookmark, 0, EvtSeekRelativeToBookmark));
    }
    return query;
}

static UINT64 record_id(EVT_HANDLE context, EVT_HANDLE event) {
    EVT_VARIANT values[EvtSystemPropertyIdEND + 8];
    DWORD used = 0, count = 0;
    CHECK(EvtRender(context, event, EvtRenderEventValues, sizeof values, values, &used,
                    &count));
    return values[EvtSystemEventRecordId].UInt64Val;
}

static int consume(void) {
    /* The producer side: Windows' own ReportEvent, as any application writes events. */
    HANDLE source = RegisterEventSourceW(NULL, L"FaultsExample");
    CHECK(source != NULL);
    for (int i = 0; i < EVENTS; i++) {
        LPCWSTR strings[1] = {L"a record"};
        CHECK(ReportEventW(source, EVENTLOG_INFORMATION_TYPE, 0, 1000, NULL, 1, 0, strings,
                           NULL));
    }
    CHECK(DeregisterEventSource(source));

    EVT_HANDLE context = EvtCreateRenderContext(0, NULL, EvtRenderContextSystem);
    CHECK(context != NULL);
    EVT_HANDLE bookmark = EvtCreateBookmark(NULL);
    CHECK(bookmark != NULL);
    EVT_HANDLE query = open_after(bookmark, 0);
    static EVT_HANDLE events[FIRST_BATCH];
    DWORD batch = FIRST_BATCH, returned = 0;
    UINT64 expected = 0; /* the next record id; 0 until the first is seen */
    int read = 0, bound_errors = 0;
    for (;;) {
        if (!EvtNext(query, batch, events, 0, 0, &returned)) {
            DWORD status = GetLastError();
            if (status == ERROR_NO_MORE_ITEMS) break;
            if (status == RPC_S_INVALID_BOUND) {
                /* The recovery: halve the batch, reopen after the last processed event. */
                bound_errors++;
                batch = batch > 1 ? batch / 2 : 1;
                printf("EvtNext: RPC_S_INVALID_BOUND; batch now %u, reopening after record "
                       "%llu\n",
                       (unsigned)batch, (unsigned long long)(expected ? expected - 1 : 0));
                CHECK(EvtClose(query));
                query = open_after(bookmark, read > 0);
                continue;
            }
            fprintf(stderr, "EvtNext failed with %u\n", (unsigned)status);
            return 1;
        }
        for (DWORD i = 0; i < returned; i++) {
            UINT64 id = record_id(context, events[i]);
            if (expected != 0 && id != expected) {
                fprintf(stderr, "record %llu where %llu was due: %s\n", (unsigned long long)id,
                        (unsigned long long)expected, id < expected ? "a duplicate" : "a loss");
                return 1;
            }
            expected = id + 1;
            read++;
            CHECK(EvtUpdateBookmark(bookmark, events[i]));
            CHECK(EvtClose(events[i]));
        }
    }
    CHECK(EvtClose(query));
    CHECK(EvtClose(bookmark));
    CHECK(EvtClose(context));
    CHECK(read == EVENTS);
    CHECK(expected == (UINT64)EVENTS + 1);
    CHECK(bound_errors == 1);
    CHECK(batch == FIRST_BATCH / 2);
    printf("faults: %d records, consecutive and complete, after %d RPC_S_INVALID_BOUND\n", read,
           bound_errors);
    return 0;
}

int main(int argc, char **argv) {
    (void)argc;
    if (getenv("EVTLOG_FAULTS") == NULL) {
        /* The harness: the same program under the plan (no store: a fresh service). */
        CHECK(setenv("EVTLOG_FAULTS", "EvtNext@2:1734", 1) == 0);
        unsetenv("EVTLOG_STORE");
        execv("/proc/self/exe", argv);
        perror("execv");
        return 1;
    }
    return consume();
}
