/* A remote computer for an unmodified program, driven only by the environment (no evtlog_*
 * call): as a collector would read a branch office's domain controller through
 * EvtOpenSession(EvtRpcLogin). The program runs itself three times:
 *   1. "write": with EVTLOG_STORE naming a fresh store directory, it reports three events
 *      into Application through ReportEventW (the classic API), as that computer's programs
 *      would; the store keeps them when the process ends.
 *   2. "read": with EVTLOG_COMPUTERS="BRANCH-DC=<that directory>", it opens a session to
 *      BRANCH-DC with the login fields a collector fills in, queries its Application log and
 *      finds the three events there and not on this computer; an unregistered computer is
 *      RPC_S_SERVER_UNAVAILABLE (1722).
 *   3. "malformed": with EVTLOG_COMPUTERS="BRANCH-DC" (no '='), nothing is registered (the
 *      library says why on stderr), so the same EvtOpenSession fails with 1722.
 * Run from anywhere; the store directory is made under /tmp and removed. */
#define _GNU_SOURCE
#include <ftw.h>
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include <winbase_eventlog.h>

#define QUERY L"*[System[Provider[@Name='Remote-Example']]]"

static void report_events(void) {
    HANDLE source = RegisterEventSourceW(NULL, L"Remote-Example");
    CHECK(source != NULL);
    for (int i = 0; i < 3; i++) {
        LPCWSTR strings[1] = {L"branch office event"};
        CHECK(ReportEventW(source, EVENTLOG_INFORMATION_TYPE, 0, 100 + i, NULL, 1, 0, strings,
                           NULL));
    }
    CHECK(DeregisterEventSource(source));
}

static EVT_HANDLE open_session(LPWSTR server) {
    EVT_RPC_LOGIN login = {server, NULL, NULL, NULL, EvtRpcLoginAuthNegotiate};
    return EvtOpenSession(EvtRpcLogin, &login, 0, 0);
}

/* The events of the query in `session`'s Application log (NULL: this computer). */
static DWORD count_events(EVT_HANDLE session) {
    EVT_HANDLE query = EvtQuery(session, L"Application", QUERY, EvtQueryChannelPath);
    CHECK(query != NULL);
    DWORD total = 0, returned = 0;
    EVT_HANDLE events[8];
    while (EvtNext(query, 8, events, INFINITE, 0, &returned)) {
        for (DWORD i = 0; i < returned; i++) {
            char *xml = render_xml(events[i]);
            CHECK(strstr(xml, "<Provider Name='Remote-Example'/>") != NULL);
            free(xml);
            EvtClose(events[i]);
        }
        total += returned;
    }
    CHECK(GetLastError() == ERROR_NO_MORE_ITEMS);
    EvtClose(query);
    return total;
}

static void read_remote(void) {
    WCHAR server[] = L"\\\\BRANCH-DC";
    EVT_HANDLE session = open_session(server);
    CHECK(session != NULL);
    CHECK(count_events(session) == 3);
    CHECK(count_events(NULL) == 0);
    WCHAR other[] = L"NOT-REGISTERED";
    CHECK(open_session(other) == NULL);
    CHECK(GetLastError() == RPC_S_SERVER_UNAVAILABLE);
    CHECK(EvtClose(session));
    printf("remote: BRANCH-DC's three events read through a remote session\n");
}

static void read_malformed(void) {
    WCHAR server[] = L"BRANCH-DC";
    CHECK(open_session(server) == NULL);
    CHECK(GetLastError() == RPC_S_SERVER_UNAVAILABLE);
}

/* Runs this program with `mode` and one variable set; returns its exit status. */
static int run_self(const char *mode, const char *variable, const char *value) {
    pid_t pid = fork();
    CHECK(pid >= 0);
    if (pid == 0) {
        unsetenv("EVTLOG_STORE");
        unsetenv("EVTLOG_COMPUTERS");
        setenv(variable, value, 1);
        execl("/proc/self/exe", "remote", mode, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw) {
    (void)sb, (void)flag, (void)ftw;
    return remove(path);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "write") == 0) {
        report_events();
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "read") == 0) {
        read_remote();
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "malformed") == 0) {
        read_malformed();
        return 0;
    }
    char dir[] = "/tmp/evtlog-remote-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char computers[256];
    snprintf(computers, sizeof computers, "BRANCH-DC=%s;", dir);
    int write_status = run_self("write", "EVTLOG_STORE", dir);
    int read_status = write_status == 0 ? run_self("read", "EVTLOG_COMPUTERS", computers) : 1;
    int malformed_status = run_self("malformed", "EVTLOG_COMPUTERS", "BRANCH-DC");
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    CHECK(write_status == 0);
    CHECK(read_status == 0);
    CHECK(malformed_status == 0);
    printf("remote: ok\n");
    return 0;
}
