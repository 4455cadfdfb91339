/* Push and pull subscriptions as the Windows samples write them, with a bookmark saved as
 * XML and a resume after it. */
#include <pthread.h>
#include <unistd.h>
#include "common.h"

struct seen {
    pthread_mutex_t lock;
    int delivered;
    UINT64 last_record;
};

/* The push callback: the event handle is valid only here and is not closed by us. */
static DWORD WINAPI on_event(EVT_SUBSCRIBE_NOTIFY_ACTION action, PVOID context,
                             EVT_HANDLE event) {
    struct seen *seen = context;
    if (action != EvtSubscribeActionDeliver) return 0;
    char *xml = render_xml(event);
    CHECK(strstr(xml, "<Channel>Application</Channel>") != NULL);
    free(xml);
    pthread_mutex_lock(&seen->lock);
    seen->delivered++;
    pthread_mutex_unlock(&seen->lock);
    return 0;
}

static int delivered(struct seen *seen) {
    pthread_mutex_lock(&seen->lock);
    int n = seen->delivered;
    pthread_mutex_unlock(&seen->lock);
    return n;
}

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

int main(void) {
    CHECK(evtlog_reset());
    CHECK(evtlog_generate(L"Application", 10, 4));

    /* Push: every existing event, then a future one; closing stops delivery. */
    struct seen seen = {PTHREAD_MUTEX_INITIALIZER, 0, 0};
    EVT_HANDLE push = EvtSubscribe(NULL, NULL, L"Application", L"*", NULL, &seen, on_event,
                                   EvtSubscribeStartAtOldestRecord);
    CHECK(push != NULL);
    for (int i = 0; i < 5000 && delivered(&seen) < 10; i++) usleep(1000);
    CHECK(delivered(&seen) == 10);
    CHECK(evtlog_generate(L"Application", 1, 5));
    for (int i = 0; i < 5000 && delivered(&seen) < 11; i++) usleep(1000);
    CHECK(delivered(&seen) == 11);
    CHECK(EvtClose(push));
    CHECK(evtlog_generate(L"Application", 1, 6));
    usleep(50000);
    CHECK(delivered(&seen) == 11);

    /* Pull: a manual-reset, initially signalled event (the MS sample's CreateEvent). */
    HANDLE signal = CreateEvent(NULL, TRUE, TRUE, NULL);
    CHECK(signal != NULL);
    EVT_HANDLE pull = EvtSubscribe(NULL, signal, L"Application", NULL, NULL, NULL, NULL,
                                   EvtSubscribeStartAtOldestRecord);
    CHECK(pull != NULL);
    EVT_HANDLE bookmark = EvtCreateBookmark(NULL);
    EVT_HANDLE events[5];
    DWORD returned = 0, total = 0;
    CHECK(WaitForSingleObject(signal, INFINITE) == WAIT_OBJECT_0);
    CHECK(ResetEvent(signal));
    while (EvtNext(pull, 5, events, 0, 0, &returned)) {
        for (DWORD i = 0; i < returned; i++) {
            CHECK(EvtUpdateBookmark(bookmark, events[i]));
            CHECK(EvtClose(events[i]));
        }
        total += returned;
    }
    CHECK(GetLastError() == ERROR_NO_MORE_ITEMS);
    CHECK(total == 12);
    CHECK(WaitForSingleObject(signal, 0) == WAIT_TIMEOUT);
    CHECK(evtlog_generate(L"Application", 1, 7)); /* signals */
    CHECK(WaitForSingleObject(signal, 5000) == WAIT_OBJECT_0);
    CHECK(EvtNext(pull, 5, events, 0, 0, &returned) && returned == 1);
    CHECK(record_id(events[0]) == 13);
    CHECK(EvtUpdateBookmark(bookmark, events[0]));
    CHECK(EvtClose(pull)); /* closes events[0] with it */

    /* Save the bookmark as XML, as a service would persist it. */
    DWORD used = 0, count = 0;
    CHECK(!EvtRender(NULL, bookmark, EvtRenderBookmark, 0, NULL, &used, &count));
    CHECK(GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    WCHAR *saved = malloc(used);
    CHECK(EvtRender(NULL, bookmark, EvtRenderBookmark, used, saved, &used, &count));
    char text[256];
    narrow(saved, text, sizeof text);
    CHECK(strstr(text, "<Bookmark Channel='Application' RecordId='13' IsCurrent='true'/>"));
    CHECK(EvtClose(bookmark));

    /* Events arrive while nobody listens; resume after the saved bookmark. */
    CHECK(evtlog_generate(L"Application", 3, 8));
    bookmark = EvtCreateBookmark(saved);
    CHECK(bookmark != NULL);
    free(saved);
    EVT_HANDLE resumed = EvtSubscribe(NULL, signal, L"Application", NULL, bookmark, NULL, NULL,
                                      EvtSubscribeStartAfterBookmark | EvtSubscribeStrict);
    CHECK(resumed != NULL);
    UINT64 expected = 14;
    while (EvtNext(resumed, 5, events, 0, 0, &returned)) {
        for (DWORD i = 0; i < returned; i++) {
            CHECK(record_id(events[i]) == expected++);
            CHECK(EvtClose(events[i]));
        }
    }
    CHECK(GetLastError() == ERROR_NO_MORE_ITEMS);
    CHECK(expected == 17);
    CHECK(EvtClose(resumed));

    /* A fresh future-events pull subscription with nothing yet: the observed
     * ERROR_INVALID_OPERATION (consumers treat it as ERROR_NO_MORE_ITEMS). */
    EVT_HANDLE future = EvtSubscribe(NULL, signal, L"Application", NULL, NULL, NULL, NULL,
                                     EvtSubscribeToFutureEvents);
    CHECK(future != NULL);
    CHECK_ERROR(EvtNext(future, 5, events, 0, 0, &returned), ERROR_INVALID_OPERATION);
    CHECK(EvtClose(future));
    CHECK_ERROR(EvtSubscribe(NULL, signal, L"Application", NULL, NULL, &seen, on_event, 1) != NULL,
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtSubscribe(NULL, NULL, L"NoSuchChannel", NULL, NULL, &seen, on_event, 1) != NULL,
                ERROR_EVT_CHANNEL_NOT_FOUND);
    CHECK(CloseHandle(signal));
    CHECK(EvtClose(bookmark));
    puts("subscriptions: ok");
    return 0;
}
