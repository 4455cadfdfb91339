/* Windows' quirks chosen by EVTLOG_QUIRKS alone, and consumers' documented recovery from
 * them: (1) under server2016, EvtNext fails RPC_S_INVALID_BOUND (1734) on a batch of large
 * events and consumes it; winlogbeat's recovery (halve the batch, reopen the query after
 * its bookmark) reads every event once. (2) Under win11, EvtFormatMessage of an event whose
 * message is missing fails ERROR_MR_MID_NOT_FOUND (317), not 15027; fluent-bit's and
 * OpenTelemetry's fallback to the event's XML still gets the event. (3) The default profile
 * behaves as evtlog always has. Run with no EVTLOG_QUIRKS, the program runs itself once per
 * scenario with the variable set, as an unmodified consumer would be started. */
#include <stdint.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define EVENTS 100

/* The events the scenarios read: large ones (about 60 KB of data each) in Application. */
static void write_events(const char *provider, int event_id, int count, int blob_chars) {
    size_t size = (size_t)blob_chars + 512;
    char *xml = malloc(size);
    WCHAR *wxml = malloc(size * sizeof(WCHAR));
    CHECK(xml && wxml);
    for (int i = 0; i < count; i++) {
        int n = snprintf(xml, size,
                         "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>"
                         "<System><Provider Name='%s'/><EventID>%d</EventID><Level>4</Level>"
                         "</System><EventData><Data Name='Blob'>%06d",
                         provider, event_id, i);
        memset(xml + n, 'x', (size_t)blob_chars);
        strcpy(xml + n + blob_chars, "</Data></EventData></Event>");
        widen(xml, wxml, size);
        CHECK(evtlog_write_event_xml(L"Application", wxml));
    }
    free(xml);
    free(wxml);
}

static UINT64 record_id(EVT_HANDLE context, EVT_HANDLE event) {
    EVT_VARIANT values[64];
    DWORD used = 0, count = 0;
    CHECK(EvtRender(context, event, EvtRenderEventValues, sizeof values, values, &used, &count));
    CHECK(values[EvtSystemEventRecordId].Type == EvtVarTypeUInt64);
    return values[EvtSystemEventRecordId].UInt64Val;
}

static EVT_HANDLE open_query(void) {
    EVT_HANDLE query = EvtQuery(NULL, L"Application", L"*[System[Provider[@Name='Quirk-Demo']]]",
                                EvtQueryChannelPath);
    CHECK(query != NULL);
    return query;
}

/* winlogbeat's reader: batches of 64, halved on 1734, the query reopened after the
 * bookmark of the last event delivered. Returns how many times it halved. */
static int read_all_once(void) {
    write_events("Quirk-Demo", 7, EVENTS, 30000);
    EVT_HANDLE context = EvtCreateRenderContext(0, NULL, EvtRenderContextSystem);
    EVT_HANDLE bookmark = EvtCreateBookmark(NULL);
    CHECK(context && bookmark);
    int seen[EVENTS + 1] = {0};
    int delivered = 0, halvings = 0;
    DWORD batch = 64;
    EVT_HANDLE events[64];
    EVT_HANDLE query = open_query();
    for (;;) {
        DWORD returned = 0;
        if (!EvtNext(query, batch, events, INFINITE, 0, &returned)) {
            DWORD error = GetLastError();
            if (error == ERROR_NO_MORE_ITEMS) break;
            CHECK(error == RPC_S_INVALID_BOUND && batch > 1);
            /* The batch was consumed: go back to the bookmark with half the batch. */
            batch /= 2;
            halvings++;
            CHECK(EvtClose(query));
            query = open_query();
            if (delivered > 0) CHECK(EvtSeek(query, 1, bookmark, 0, EvtSeekRelativeToBookmark));
            continue;
        }
        for (DWORD i = 0; i < returned; i++) {
            UINT64 id = record_id(context, events[i]);
            CHECK(id >= 1 && id <= EVENTS);
            seen[id]++;
            delivered++;
            CHECK(EvtUpdateBookmark(bookmark, events[i]));
            CHECK(EvtClose(events[i]));
        }
    }
    for (int id = 1; id <= EVENTS; id++) {
        if (seen[id] != 1) {
            fprintf(stderr, "record %d delivered %d times\n", id, seen[id]);
            exit(1);
        }
    }
    CHECK(delivered == EVENTS);
    EvtClose(query);
    EvtClose(bookmark);
    EvtClose(context);
    return halvings;
}

/* A consumer formatting messages, falling back to the event's XML when the message cannot
 * be had (15027, or 317 on Windows 11). Returns the code the format failed with. */
static DWORD format_or_fall_back(void) {
    /* A Security-Auditing event with an id its manifest does not define. */
    write_events("Microsoft-Windows-Security-Auditing", 9999, 1, 16);
    EVT_HANDLE query = EvtQuery(NULL, L"Application", NULL, EvtQueryChannelPath);
    EVT_HANDLE event = NULL;
    DWORD returned = 0;
    CHECK(query && EvtNext(query, 1, &event, INFINITE, 0, &returned) && returned == 1);
    EVT_HANDLE metadata =
        EvtOpenPublisherMetadata(NULL, L"Microsoft-Windows-Security-Auditing", NULL, 0, 0);
    CHECK(metadata != NULL);
    DWORD used = 0;
    DWORD error = ERROR_SUCCESS;
    if (!EvtFormatMessage(metadata, event, 0, 0, NULL, EvtFormatMessageEvent, 0, NULL, &used)) {
        error = GetLastError();
    }
    if (error == ERROR_EVT_MESSAGE_NOT_FOUND || error == ERROR_MR_MID_NOT_FOUND) {
        char *xml = render_xml(event); /* the fallback */
        CHECK(strstr(xml, "<EventID>9999</EventID>") != NULL);
        free(xml);
    }
    EvtClose(metadata);
    EvtClose(event);
    EvtClose(query);
    return error;
}

static int run(const char *scenario, const char *profile) {
    pid_t child = fork();
    CHECK(child >= 0);
    if (child == 0) {
        setenv("EVTLOG_QUIRKS", profile, 1);
        char *args[] = {"quirks", (char *)scenario, NULL};
        execv("/proc/self/exe", args);
        perror("execv");
        _exit(127);
    }
    int status = 0;
    CHECK(waitpid(child, &status, 0) == child);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "scenario %s under EVTLOG_QUIRKS=%s failed\n", scenario, profile);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv) {
    if (getenv("EVTLOG_QUIRKS") == NULL) {
        /* Started plainly (as CI does): each scenario in a process of its own. */
        int failed = run("halving", "server2016") + run("no-halving", "default") +
                     run("fallback-317", "win11") + run("fallback-15027", "default");
        return failed ? 1 : 0;
    }
    CHECK(argc == 2);
    const char *scenario = argv[1];
    if (strcmp(scenario, "halving") == 0) {
        CHECK(read_all_once() == 1); /* 64 failed; 32 fit in the 2 MiB batch data */
    } else if (strcmp(scenario, "no-halving") == 0) {
        CHECK(read_all_once() == 0);
    } else if (strcmp(scenario, "fallback-317") == 0) {
        CHECK(format_or_fall_back() == ERROR_MR_MID_NOT_FOUND);
    } else if (strcmp(scenario, "fallback-15027") == 0) {
        CHECK(format_or_fall_back() == ERROR_EVT_MESSAGE_NOT_FOUND);
    } else {
        fprintf(stderr, "unknown scenario %s\n", scenario);
        return 1;
    }
    return 0;
}
