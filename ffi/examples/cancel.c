/* The documented cancel procedure (EvtCancel): thread A is blocked in EvtNext on a large
 * channel; thread B calls EvtCancel, waits for A, which returns ERROR_CANCELLED; then
 * EvtClose. Then a session cancel stops EvtExportLog (no file is left) and EvtClearLog
 * (every event is kept). */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>
#include "common.h"

#define EVENTS 200000

struct call {
    EVT_HANDLE handle; /* the query, or the session for export and clear */
    int kind;          /* 0 EvtNext, 1 EvtExportLog, 2 EvtClearLog */
    const WCHAR *target;
    BOOL ok;
    DWORD error;
    atomic_int done;
};

static void *run(void *arg) {
    struct call *c = arg;
    EVT_HANDLE events[16];
    DWORD returned = 0;
    switch (c->kind) {
    case 0:
        /* A filter nothing matches, on a value: one EvtNext reads the whole channel. */
        c->ok = EvtNext(c->handle, 16, events, INFINITE, 0, &returned);
        break;
    case 1:
        c->ok = EvtExportLog(c->handle, L"Security", NULL, c->target, EvtExportLogChannelPath);
        break;
    default:
        c->ok = EvtClearLog(c->handle, L"Security", c->target, 0);
    }
    c->error = GetLastError();
    atomic_store(&c->done, 1);
    return NULL;
}

/* Thread B: cancel until A returns (a cancel reaches the calls in flight). */
static void cancel_until_done(struct call *c, EVT_HANDLE cancel) {
    pthread_t a;
    CHECK(pthread_create(&a, NULL, run, c) == 0);
    while (!atomic_load(&c->done)) {
        CHECK(EvtCancel(cancel));
        usleep(500);
    }
    CHECK(pthread_join(a, NULL) == 0);
}

static DWORD count_events_in(const WCHAR *path, DWORD flags) {
    EVT_HANDLE q = EvtQuery(NULL, path, NULL, flags);
    CHECK(q != NULL);
    EVT_HANDLE events[256];
    DWORD returned = 0, total = 0;
    while (EvtNext(q, 256, events, INFINITE, 0, &returned)) {
        for (DWORD i = 0; i < returned; i++) CHECK(EvtClose(events[i]));
        total += returned;
    }
    CHECK(GetLastError() == ERROR_NO_MORE_ITEMS);
    CHECK(EvtClose(q));
    return total;
}

static DWORD count_events(const WCHAR *channel) {
    return count_events_in(channel, EvtQueryChannelPath);
}

int main(void) {
    CHECK(evtlog_reset());
    CHECK(evtlog_generate(L"Security", EVENTS, 1));

    struct call next = {0};
    next.handle = EvtQuery(NULL, L"Security", L"*[EventData[Data[@Name='TargetUserName']='nobody-at-all']]",
                           EvtQueryChannelPath);
    CHECK(next.handle != NULL);
    cancel_until_done(&next, next.handle);
    CHECK(!next.ok && next.error == ERROR_CANCELLED);
    CHECK(EvtClose(next.handle));

    /* The same through the session that made the query. */
    EVT_RPC_LOGIN login = {0};
    EVT_HANDLE session = EvtOpenSession(EvtRpcLogin, &login, 0, 0);
    CHECK(session != NULL);
    struct call in_session = {0};
    in_session.handle = EvtQuery(session, L"Security", L"*[EventData[Data[@Name='TargetUserName']='nobody-at-all']]", 0);
    CHECK(in_session.handle != NULL);
    cancel_until_done(&in_session, session);
    CHECK(!in_session.ok && in_session.error == ERROR_CANCELLED);
    CHECK(EvtClose(session)); /* closes the query too */
    CHECK_ERROR(EvtClose(in_session.handle), ERROR_INVALID_HANDLE);

    /* Export and clear of the large channel, cancelled through the local session. The
     * channel is circular (20 MiB): it holds the newest of the events written. */
    DWORD held = count_events(L"Security");
    CHECK(held > 1000);
    char dir[] = "/tmp/evtlog-cancel-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    WCHAR target[128];
    char path[128];
    snprintf(path, sizeof path, "%s/export.evtx", dir);
    widen(path, target, 128);
    struct call export = {.handle = NULL, .kind = 1, .target = target};
    cancel_until_done(&export, NULL);
    CHECK(!export.ok && export.error == ERROR_CANCELLED);
    char narrow_target[128];
    narrow(target, narrow_target, sizeof narrow_target);
    CHECK(access(narrow_target, F_OK) != 0); /* no file left behind */

    snprintf(path, sizeof path, "%s/backup.evtx", dir);
    widen(path, target, 128);
    struct call clear = {.handle = NULL, .kind = 2, .target = target};
    cancel_until_done(&clear, NULL);
    CHECK(!clear.ok && clear.error == ERROR_CANCELLED);
    narrow(target, narrow_target, sizeof narrow_target);
    CHECK(access(narrow_target, F_OK) != 0);
    CHECK(count_events(L"Security") == held); /* nothing lost */

    /* Uncancelled, a clear completes: the backup holds every event, the log is empty. */
    CHECK(evtlog_generate(L"Application", 300, 3));
    CHECK(EvtClearLog(NULL, L"Application", target, 0));
    CHECK(count_events(L"Application") == 0);
    CHECK(access(narrow_target, F_OK) == 0);
    CHECK(count_events_in(target, EvtQueryFilePath) == 300);
    remove(narrow_target);
    rmdir(dir);
    puts("cancel: ok");
    return 0;
}
