/* Formatting event messages, in the pattern of Microsoft's "Formatting event messages"
 * sample: for each event, EvtFormatMessage with each flag, first with no buffer to learn the
 * size, then with a buffer of that size; a keyword list is a run of NUL-terminated strings.
 *
 * With no manifest installed (evtlog_install_manifest), this uses the default publisher (NULL
 * metadata) on generated Security events (Level, Opcode, Keyword, Task from Winmeta), a
 * forwarded event's own RenderingInfo, EvtFormatMessageId on Winmeta's message ids, the
 * probe protocol, and the errors for bad flags, handles and arguments. */
#include "common.h"

/* The sample's GetMessageString: probe, allocate, format. Returns NULL with the last error
 * set when the string cannot be had; `chars` receives BufferUsed. */
static WCHAR *get_message(EVT_HANDLE metadata, EVT_HANDLE event, DWORD id, DWORD flags,
                          DWORD *chars) {
    DWORD used = 0;
    if (EvtFormatMessage(metadata, event, id, 0, NULL, flags, 0, NULL, &used)) {
        /* Only an empty string fits no buffer. */
        CHECK(used == 1);
        *chars = used;
        return calloc(1, sizeof(WCHAR));
    }
    if (GetLastError() != ERROR_INSUFFICIENT_BUFFER) return NULL;
    CHECK(used > 1);
    WCHAR *buffer = malloc(used * sizeof(WCHAR));
    CHECK(buffer != NULL);
    DWORD used2 = 0;
    CHECK(EvtFormatMessage(metadata, event, id, 0, NULL, flags, used, buffer, &used2));
    CHECK(used2 == used);
    CHECK(buffer[used - 1] == 0);
    if (flags == EvtFormatMessageKeyword) buffer[used - 1] = 0; /* as the sample does */
    *chars = used;
    return buffer;
}

static void expect(EVT_HANDLE metadata, EVT_HANDLE event, DWORD id, DWORD flags,
                   const char *want) {
    DWORD chars = 0;
    WCHAR *text = get_message(metadata, event, id, flags, &chars);
    CHECK(text != NULL);
    char got[512];
    narrow(text, got, sizeof got);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "flag %u: got '%s', want '%s'\n", (unsigned)flags, got, want);
        exit(1);
    }
    CHECK(chars == strlen(want) + 1);
    free(text);
}

int main(void) {
    CHECK(evtlog_reset());
    CHECK(evtlog_use_virtual_clock(133000000000000000ULL));
    CHECK(evtlog_generate(L"Security", 200, 7));

    EVT_HANDLE query = EvtQuery(NULL, L"Security", NULL, EvtQueryChannelPath);
    CHECK(query != NULL);
    EVT_HANDLE events[50];
    DWORD returned = 0, success = 0, failure = 0;
    CHECK(EvtNext(query, 50, events, INFINITE, 0, &returned) && returned == 50);
    for (DWORD i = 0; i < returned; i++) {
        EVT_HANDLE e = events[i];
        /* Security events are level 0, opcode 0: Winmeta's strings. */
        expect(NULL, e, 0, EvtFormatMessageLevel, "Information");
        expect(NULL, e, 0, EvtFormatMessageOpcode, "Info");
        /* Keywords: one string per named bit, the channel bit skipped, a double NUL. */
        DWORD chars = 0;
        WCHAR *keywords = get_message(NULL, e, 0, EvtFormatMessageKeyword, &chars);
        CHECK(keywords != NULL);
        char first[64];
        narrow(keywords, first, sizeof first);
        CHECK(strcmp(first, "Audit Success") == 0 || strcmp(first, "Audit Failure") == 0);
        CHECK(chars == strlen(first) + 2);
        CHECK(keywords[chars - 2] == 0 && keywords[chars - 1] == 0);
        success += first[6] == 'S';
        failure += first[6] == 'F';
        free(keywords);
        /* The auditing tasks and the event message are the publisher's, not Winmeta's. */
        CHECK(get_message(NULL, e, 0, EvtFormatMessageTask, &chars) == NULL);
        CHECK(GetLastError() == ERROR_EVT_MESSAGE_NOT_FOUND);
        CHECK(get_message(NULL, e, 0, EvtFormatMessageEvent, &chars) == NULL);
        CHECK(GetLastError() == ERROR_EVT_MESSAGE_NOT_FOUND);
        /* Channel, Provider and Xml need the event's publisher. */
        CHECK(get_message(NULL, e, 0, EvtFormatMessageProvider, &chars) == NULL);
        CHECK(GetLastError() == ERROR_INVALID_PARAMETER);
    }
    CHECK(success > 0 && success + failure == returned);

    /* The buffer protocol: too small is 122 with the size, the buffer untouched. */
    EVT_HANDLE e = events[0];
    WCHAR small[4] = {0x7777, 0x7777, 0x7777, 0x7777};
    DWORD used = 0;
    CHECK_ERROR(EvtFormatMessage(NULL, e, 0, 0, NULL, EvtFormatMessageLevel, 4, small, &used),
                ERROR_INSUFFICIENT_BUFFER);
    CHECK(used == 12 && small[0] == 0x7777 && small[3] == 0x7777);

    /* Bad arguments. */
    CHECK_ERROR(EvtFormatMessage(NULL, e, 0, 0, NULL, 0, 0, NULL, &used),
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtFormatMessage(NULL, e, 0, 0, NULL, 10, 0, NULL, &used),
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtFormatMessage(NULL, e, 0, 0, NULL, EvtFormatMessageLevel, 0, NULL, NULL),
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtFormatMessage(NULL, e, 0, 0, NULL, EvtFormatMessageLevel, 8, NULL, &used),
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtFormatMessage(NULL, e, 0, 2, NULL, EvtFormatMessageEvent, 0, NULL, &used),
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtFormatMessage(query, e, 0, 0, NULL, EvtFormatMessageLevel, 0, NULL, &used),
                ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtFormatMessage(NULL, query, 0, 0, NULL, EvtFormatMessageLevel, 0, NULL,
                                 &used),
                ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtFormatMessage(NULL, NULL, 0, 0, NULL, EvtFormatMessageLevel, 0, NULL, &used),
                ERROR_INVALID_HANDLE);
    /* EvtFormatMessageId wants no event. */
    CHECK_ERROR(EvtFormatMessage(NULL, e, 0x50000004, 0, NULL, EvtFormatMessageId, 0, NULL,
                                 &used),
                ERROR_INVALID_PARAMETER);

    /* EvtFormatMessageId on the default publisher: Winmeta's strings by message id, with
     * string Values (which a string with no inserts ignores). */
    expect(NULL, NULL, 0x50000004, EvtFormatMessageId, "Information");
    expect(NULL, NULL, 0x10000036, EvtFormatMessageId, "Audit Success");
    EVT_VARIANT value;
    memset(&value, 0, sizeof value);
    value.StringVal = L"ignored";
    value.Count = 8;
    value.Type = EvtVarTypeString;
    WCHAR text[32];
    CHECK(EvtFormatMessage(NULL, NULL, 0x30010000, 1, &value, EvtFormatMessageId, 32, text,
                           &used));
    CHECK(used == 6 && text[0] == L'S' && text[4] == L't' && text[5] == 0);
    CHECK_ERROR(EvtFormatMessage(NULL, NULL, 1, 0, NULL, EvtFormatMessageId, 0, NULL, &used),
                ERROR_EVT_MESSAGE_ID_NOT_FOUND);

    for (DWORD i = 0; i < returned; i++) CHECK(EvtClose(events[i]));
    CHECK(EvtClose(query));

    /* A forwarded event carries its strings: NULL metadata formats from them. */
    CHECK(evtlog_write_event_xml(
        L"ForwardedEvents",
        L"<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
        L"<Provider Name='Microsoft-Windows-Security-Auditing'/><EventID>4624</EventID>"
        L"<Level>0</Level><Task>12544</Task><Opcode>0</Opcode>"
        L"<Keywords>0x8020000000000000</Keywords></System>"
        L"<EventData><Data Name='TargetUserName'>alice</Data></EventData>"
        L"<RenderingInfo Culture='en-US'><Message>An account was successfully logged on."
        L"</Message><Level>Information</Level><Task>Logon</Task><Opcode>Info</Opcode>"
        L"<Channel>Security</Channel><Provider>Microsoft Windows security auditing.</Provider>"
        L"<Keywords><Keyword>Audit Success</Keyword></Keywords></RenderingInfo></Event>"));
    query = EvtQuery(NULL, L"ForwardedEvents", NULL, EvtQueryChannelPath);
    CHECK(query != NULL);
    CHECK(EvtNext(query, 1, events, INFINITE, 0, &returned) && returned == 1);
    e = events[0];
    expect(NULL, e, 0, EvtFormatMessageEvent, "An account was successfully logged on.");
    expect(NULL, e, 0, EvtFormatMessageTask, "Logon");
    expect(NULL, e, 0, EvtFormatMessageChannel, "Security");
    expect(NULL, e, 0, EvtFormatMessageProvider, "Microsoft Windows security auditing.");
    DWORD chars = 0;
    WCHAR *xml = get_message(NULL, e, 0, EvtFormatMessageXml, &chars);
    CHECK(xml != NULL);
    char *narrowed = malloc(chars);
    narrow(xml, narrowed, chars);
    CHECK(strstr(narrowed, "<RenderingInfo Culture='en-US'><Message>An account") != NULL);
    CHECK(strstr(narrowed, "</RenderingInfo></Event>") != NULL);
    free(narrowed);
    free(xml);
    CHECK(EvtClose(e));
    CHECK(EvtClose(query));
    puts("format_message: ok");
    return 0;
}
