/* Consumers' documented recovery from an event-log service restart, against
 * evtlog_stop_service / evtlog_start_service:
 *   - OpenTelemetry's pull reader (auto-reset signal closed right after EvtSubscribe,
 *     EvtNext with timeout 0, a bookmark updated per event): while the service is down
 *     EvtNext fails with RPC_S_SERVER_UNAVAILABLE (1722) and the reader retries later; after
 *     the restart EvtNext fails with ERROR_INVALID_HANDLE (6), so it closes the subscription
 *     and subscribes again after its bookmark: every record once, none lost, none twice.
 *   - Wazuh's push subscriber: the callback gets EvtSubscribeActionError with 1722 when the
 *     service stops; it reconnects (EvtSubscribe fails with 1722 until the service is back),
 *     then resumes after its bookmark with no loss and no duplicate. */
#include <pthread.h>
#include <unistd.h>
#include "common.h"

#define TOTAL 30

/* The record id of an event through the System render context. */
static UINT64 record_id(EVT_HANDLE event) {
    EVT_HANDLE system = EvtCreateRenderContext(0, NULL, EvtRenderContextSystem);
    EVT_VARIANT values[64];
    DWORD used = 0, count = 0;
    CHECK(EvtRender(system, event, EvtRenderEventValues, sizeof values, values, &used, &count));
    CHECK(values[EvtSystemEventRecordId].Type == EvtVarTypeUInt64);
    CHECK(EvtClose(system));
    return values[EvtSystemEventRecordId].UInt64Val;
}

/* ----- OpenTelemetry-style pull reader ------------------------------------------------- */

struct reader {
    EVT_HANDLE subscription;
    EVT_HANDLE bookmark;
    int seen[TOTAL + 1];
    UINT64 last;
};

static void subscribe_pull(struct reader *r, BOOL after_bookmark) {
    HANDLE signal = CreateEvent(NULL, FALSE, FALSE, NULL);
    CHECK(signal != NULL);
    r->subscription =
        EvtSubscribe(NULL, signal, L"Application", NULL, after_bookmark ? r->bookmark : NULL,
                     NULL, NULL,
                     after_bookmark ? EvtSubscribeStartAfterBookmark
                                    : EvtSubscribeStartAtOldestRecord);
    DWORD error = GetLastError();
    CloseHandle(signal); /* as OpenTelemetry does: it polls */
    SetLastError(error);
}

/* One poll: drains what is there; returns the error that stopped it (259 or 4317 when
 * caught up). */
static DWORD poll_once(struct reader *r) {
    EVT_HANDLE events[4];
    DWORD returned = 0;
    while (EvtNext(r->subscription, 4, events, 0, 0, &returned)) {
        for (DWORD i = 0; i < returned; i++) {
            UINT64 id = record_id(events[i]);
            CHECK(id >= 1 && id <= TOTAL);
            r->seen[id]++;
            CHECK(id > r->last);
            r->last = id;
            CHECK(EvtUpdateBookmark(r->bookmark, events[i]));
            CHECK(EvtClose(events[i]));
        }
    }
    return GetLastError();
}

static void otel_reader(void) {
    CHECK(evtlog_reset());
    CHECK(evtlog_generate(L"Application", 10, 7));
    struct reader r = {0};
    r.bookmark = EvtCreateBookmark(NULL);
    subscribe_pull(&r, FALSE);
    CHECK(r.subscription != NULL);
    DWORD e = poll_once(&r);
    CHECK(e == ERROR_NO_MORE_ITEMS || e == ERROR_INVALID_OPERATION);
    CHECK(r.last == 10);

    CHECK(evtlog_stop_service());
    CHECK(poll_once(&r) == RPC_S_SERVER_UNAVAILABLE); /* transient: retry later */
    CHECK(evtlog_generate(L"Application", 10, 8));    /* the log goes on meanwhile */
    CHECK(poll_once(&r) == RPC_S_SERVER_UNAVAILABLE);
    CHECK(evtlog_start_service());
    CHECK(evtlog_generate(L"Application", 10, 9));

    /* The recovery: ERROR_INVALID_HANDLE means the subscription is gone; resubscribe. */
    CHECK(poll_once(&r) == ERROR_INVALID_HANDLE);
    CHECK(EvtClose(r.subscription));
    subscribe_pull(&r, TRUE);
    CHECK(r.subscription != NULL);
    e = poll_once(&r);
    CHECK(e == ERROR_NO_MORE_ITEMS || e == ERROR_INVALID_OPERATION);
    for (int id = 1; id <= TOTAL; id++) CHECK(r.seen[id] == 1);
    CHECK(EvtClose(r.subscription));
    CHECK(EvtClose(r.bookmark));
    printf("service_restart: pull reader resumed after the restart, %d records once each\n",
           TOTAL);
}

/* ----- Wazuh-style push subscriber ------------------------------------------------------ */

struct subscriber {
    pthread_mutex_t lock;
    EVT_HANDLE bookmark;
    int seen[TOTAL + 1];
    int delivered;
    DWORD error; /* the Error action's code, 0 until one comes */
};

static DWORD WINAPI on_action(EVT_SUBSCRIBE_NOTIFY_ACTION action, PVOID context,
                              EVT_HANDLE event) {
    struct subscriber *s = context;
    pthread_mutex_lock(&s->lock);
    if (action == EvtSubscribeActionError) {
        s->error = (DWORD)(uintptr_t)event;
    } else {
        UINT64 id = record_id(event);
        CHECK(id >= 1 && id <= TOTAL);
        s->seen[id]++;
        s->delivered++;
        CHECK(EvtUpdateBookmark(s->bookmark, event));
    }
    pthread_mutex_unlock(&s->lock);
    return 0;
}

/* Waits up to 10 s for `*field` to reach `want` (under the lock). */
static int wait_for(struct subscriber *s, int *field, int want) {
    for (int i = 0; i < 10000; i++) {
        pthread_mutex_lock(&s->lock);
        int v = *field;
        pthread_mutex_unlock(&s->lock);
        if (v >= want) return 1;
        usleep(1000);
    }
    return 0;
}

static void wazuh_subscriber(void) {
    CHECK(evtlog_reset());
    CHECK(evtlog_generate(L"Application", 10, 7));
    struct subscriber s = {PTHREAD_MUTEX_INITIALIZER, EvtCreateBookmark(NULL), {0}, 0, 0};
    EVT_HANDLE sub = EvtSubscribe(NULL, NULL, L"Application", NULL, NULL, &s, on_action,
                                  EvtSubscribeStartAtOldestRecord);
    CHECK(sub != NULL);
    CHECK(wait_for(&s, &s.delivered, 10));

    CHECK(evtlog_stop_service());
    int error_code = 0;
    for (int i = 0; i < 10000 && error_code == 0; i++) {
        pthread_mutex_lock(&s.lock);
        error_code = (int)s.error;
        pthread_mutex_unlock(&s.lock);
        if (error_code == 0) usleep(1000);
    }
    CHECK(error_code == RPC_S_SERVER_UNAVAILABLE);
    /* Wazuh reconnects: close, then subscribe again until the service answers. */
    CHECK(EvtClose(sub));
    CHECK_ERROR(EvtSubscribe(NULL, NULL, L"Application", NULL, s.bookmark, &s, on_action,
                             EvtSubscribeStartAfterBookmark) != NULL,
                RPC_S_SERVER_UNAVAILABLE);
    CHECK(evtlog_generate(L"Application", 10, 8));
    CHECK(evtlog_start_service());
    pthread_mutex_lock(&s.lock);
    s.error = 0;
    pthread_mutex_unlock(&s.lock);
    sub = EvtSubscribe(NULL, NULL, L"Application", NULL, s.bookmark, &s, on_action,
                       EvtSubscribeStartAfterBookmark);
    CHECK(sub != NULL);
    CHECK(evtlog_generate(L"Application", 10, 9));
    CHECK(wait_for(&s, &s.delivered, TOTAL));
    CHECK(EvtClose(sub));
    CHECK(s.error == 0);
    CHECK(s.delivered == TOTAL);
    for (int id = 1; id <= TOTAL; id++) CHECK(s.seen[id] == 1);
    CHECK(EvtClose(s.bookmark));
    printf("service_restart: push subscriber reconnected after the Error action, %d records "
           "once each\n",
           TOTAL);
}

int main(void) {
    otel_reader();
    wazuh_subscriber();
    CHECK(evtlog_reset());
    return 0;
}
