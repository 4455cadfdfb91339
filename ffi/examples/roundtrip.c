/* A manifest round trip from C, in the patterns of Microsoft's samples: install evtlog's test
 * manifest (and the manifest of its parameter file) as `wevtutil im` would, write its events
 * through EventRegister/EventWrite with EVENT_DATA_DESCRIPTORs laid out as its templates
 * say, write a classic event through ReportEventW, then read every event back with EvtQuery
 * and format it with EvtFormatMessage under every flag ("Formatting event messages": size
 * probe, allocate, retry, GetLastError() == ERROR_SUCCESS after the retry), in en-US and,
 * with an explicit LCID, fr-FR. Every expected string is written here by hand from
 * fixtures/manifests/evtlog-test.man. Then the Values override, a missing insert (15029:
 * FALSE with the string), and uninstalling under an open metadata handle (15037, then 15002
 * on reopening). Run from the repository root (CI does). */
#include "common.h"
#include <evntprov.h>
#include <winbase_eventlog.h>

#define EN_US 1033
#define FR_FR 1036
#define PROVIDER L"Evtlog-Test-Provider"
#define MANIFEST L"fixtures/manifests/evtlog-test.man"
#define PARAMETERS L"fixtures/manifests/evtlog-params.man"

/* {6E0B6C3A-2F54-4C1B-9D7E-1A2B3C4D5E6F}, the manifest's provider guid. */
static const GUID provider_guid = {0x6e0b6c3a, 0x2f54, 0x4c1b,
                                   {0x9d, 0x7e, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e, 0x6f}};

/* 2024-01-01T00:00:00Z as a FILETIME: the virtual clock and the FILETIME payload. */
#define JAN_2024 133485408000000000ULL

/* UTF-16 length and comparison (glibc's wide functions assume a 32-bit wchar_t). */
static size_t wlen(const WCHAR *s) {
    size_t n = 0;
    while (s[n]) n++;
    return n;
}

static int wsame(const WCHAR *a, const WCHAR *b, size_t chars) {
    return memcmp(a, b, chars * sizeof(WCHAR)) == 0;
}

/* UTF-16 as UTF-8, for messages (NULs inside `chars` shown as "\0"). */
static void print_utf8(FILE *out, const WCHAR *s, size_t chars) {
    for (size_t i = 0; i < chars; i++) {
        unsigned c = s[i];
        if (c >= 0xD800 && c < 0xDC00 && i + 1 < chars) {
            c = 0x10000 + ((c - 0xD800) << 10) + (s[++i] - 0xDC00);
        }
        if (c == 0) fputs("\\0", out);
        else if (c == '\r') fputs("\\r", out);
        else if (c == '\n') fputs("\\n", out);
        else if (c == '\t') fputs("\\t", out);
        else if (c < 0x80) fputc((int)c, out);
        else if (c < 0x800) fprintf(out, "%c%c", 0xC0 | (c >> 6), 0x80 | (c & 0x3F));
        else if (c < 0x10000)
            fprintf(out, "%c%c%c", 0xE0 | (c >> 12), 0x80 | ((c >> 6) & 0x3F), 0x80 | (c & 0x3F));
        else
            fprintf(out, "%c%c%c%c", 0xF0 | (c >> 18), 0x80 | ((c >> 12) & 0x3F),
                    0x80 | ((c >> 6) & 0x3F), 0x80 | (c & 0x3F));
    }
}

/* The sample's GetMessageString: probe with no buffer, allocate BufferUsed, format again,
 * and take the result only if the last error says so (15029–15031 return FALSE with the
 * string). Returns the buffer (free it) and the call's result in *status; NULL when even
 * the probe fails with something else than ERROR_INSUFFICIENT_BUFFER. */
static WCHAR *get_message(EVT_HANDLE metadata, EVT_HANDLE event, DWORD id, DWORD flags,
                          DWORD value_count, PEVT_VARIANT values, DWORD *chars,
                          DWORD *status) {
    DWORD used = 0;
    SetLastError(12345);
    if (EvtFormatMessage(metadata, event, id, value_count, values, flags, 0, NULL, &used)) {
        /* Only an empty string fits no buffer. */
        CHECK(used == 1);
        *chars = used;
        *status = ERROR_SUCCESS;
        return calloc(1, sizeof(WCHAR));
    }
    DWORD error = GetLastError();
    if (error != ERROR_INSUFFICIENT_BUFFER) {
        *status = error;
        return NULL;
    }
    CHECK(used > 1);
    WCHAR *buffer = malloc((used + 1) * sizeof(WCHAR));
    CHECK(buffer != NULL);
    buffer[used] = 0x7777; /* never written: one past BufferSize */
    DWORD used2 = 0;
    SetLastError(12345);
    BOOL ok = EvtFormatMessage(metadata, event, id, value_count, values, flags, used, buffer,
                               &used2);
    *status = GetLastError();
    CHECK(ok ? *status == ERROR_SUCCESS : *status != ERROR_SUCCESS);
    CHECK(used2 == used);
    CHECK(buffer[used - 1] == 0 && buffer[used] == 0x7777);
    *chars = used;
    return buffer;
}

static void show_mismatch(const char *what, const WCHAR *got, size_t got_chars,
                          const WCHAR *want, size_t want_chars) {
    fprintf(stderr, "%s:\n  got  '", what);
    print_utf8(stderr, got, got_chars);
    fprintf(stderr, "'\n  want '");
    print_utf8(stderr, want, want_chars);
    fprintf(stderr, "'\n");
    exit(1);
}

/* One flag formats to `want` with the last error `status` (ERROR_SUCCESS or a 1502x
 * warning). */
static void expect_status(EVT_HANDLE metadata, EVT_HANDLE event, DWORD flags, DWORD count,
                          PEVT_VARIANT values, DWORD status, const WCHAR *want) {
    DWORD chars = 0, got_status = 0;
    WCHAR *text = get_message(metadata, event, 0, flags, count, values, &chars, &got_status);
    if (text == NULL) {
        fprintf(stderr, "flag %u: failed with %u\n", (unsigned)flags, (unsigned)got_status);
        exit(1);
    }
    size_t n = wlen(want) + 1;
    if (chars != n || !wsame(text, want, n)) {
        char what[64];
        snprintf(what, sizeof what, "flag %u", (unsigned)flags);
        show_mismatch(what, text, chars, want, n);
    }
    if (got_status != status) {
        fprintf(stderr, "flag %u: last error %u, want %u\n", (unsigned)flags,
                (unsigned)got_status, (unsigned)status);
        exit(1);
    }
    free(text);
}

static void expect(EVT_HANDLE metadata, EVT_HANDLE event, DWORD flags, const WCHAR *want) {
    expect_status(metadata, event, flags, 0, NULL, ERROR_SUCCESS, want);
}

/* EvtFormatMessageKeyword: a run of NUL-terminated strings and a final NUL. `want` is
 * written the same way ("a\0b\0"), its length given. */
static void expect_keywords(EVT_HANDLE metadata, EVT_HANDLE event, const WCHAR *want,
                            size_t want_chars) {
    DWORD chars = 0, status = 0;
    WCHAR *text =
        get_message(metadata, event, 0, EvtFormatMessageKeyword, 0, NULL, &chars, &status);
    CHECK(text != NULL && status == ERROR_SUCCESS);
    if (chars != want_chars + 1 || !wsame(text, want, want_chars) || text[want_chars] != 0) {
        show_mismatch("keywords", text, chars, want, want_chars + 1);
    }
    free(text);
}

/* A flag that has no string for this event: FALSE with `error` on the probe. */
static void expect_missing(EVT_HANDLE metadata, EVT_HANDLE event, DWORD flags, DWORD error) {
    DWORD chars = 0, status = 0;
    CHECK(get_message(metadata, event, 0, flags, 0, NULL, &chars, &status) == NULL);
    if (status != error) {
        fprintf(stderr, "flag %u: last error %u, want %u\n", (unsigned)flags, (unsigned)status,
                (unsigned)error);
        exit(1);
    }
}

/* The XML flag: the event's XML then <RenderingInfo> as its last child. */
static void expect_xml(EVT_HANDLE metadata, EVT_HANDLE event, const WCHAR *rendering_info) {
    DWORD chars = 0, status = 0;
    WCHAR *xml = get_message(metadata, event, 0, EvtFormatMessageXml, 0, NULL, &chars, &status);
    CHECK(xml != NULL && status == ERROR_SUCCESS);
    /* The same as EvtRender's XML up to </Event>, which RenderingInfo precedes. */
    DWORD used = 0, count = 0;
    CHECK(!EvtRender(NULL, event, EvtRenderEventXml, 0, NULL, &used, &count));
    WCHAR *plain = malloc(used);
    CHECK(EvtRender(NULL, event, EvtRenderEventXml, used, plain, &used, &count));
    size_t plain_chars = used / sizeof(WCHAR) - 1; /* without the NUL */
    const size_t tail = 8;                         /* "</Event>" */
    CHECK(plain_chars > tail && chars > plain_chars);
    CHECK(wsame(xml, plain, plain_chars - tail));
    size_t info = wlen(rendering_info);
    const WCHAR *got = xml + plain_chars - tail;
    size_t got_chars = chars - 1 - (plain_chars - tail);
    if (got_chars != info + tail || !wsame(got, rendering_info, info) ||
        !wsame(got + info, L"</Event>", tail)) {
        show_mismatch("RenderingInfo", got, got_chars, rendering_info, info);
    }
    free(plain);
    free(xml);
}

/* ----- writing ------------------------------------------------------------------------ */

static const BYTE system_sid[12] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0}; /* S-1-5-18 */
/* {01234567-89AB-CDEF-0123-456789ABCDEF} */
static const GUID session_guid = {0x01234567, 0x89ab, 0xcdef,
                                  {0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef}};

static void write_connect(REGHANDLE handle, UCHAR version, const WCHAR *peer, USHORT port,
                          UINT32 mode) {
    EVENT_DESCRIPTOR d;
    if (version == 0) /* op (16), win:Informational, Connect, win:Start, Network */
        EventDescCreate(&d, 100, 0, 16, 4, 1, 1, 0x4000000000000001ULL);
    else /* op (16), Notice (16), Connect, Retry (10), Network Storage */
        EventDescCreate(&d, 100, 1, 16, 16, 1, 10, 0x4000000000000005ULL);
    EVENT_DATA_DESCRIPTOR data[3];
    EventDataDescCreate(&data[0], peer, (ULONG)((wlen(peer) + 1) * sizeof(WCHAR)));
    EventDataDescCreate(&data[1], &port, sizeof port);
    EventDataDescCreate(&data[2], &mode, sizeof mode);
    CHECK(EventWrite(handle, &d, 3, data) == ERROR_SUCCESS);
}

static void write_transfer(REGHANDLE handle) {
    /* admin (17), win:Error, Transfer, Flush (11), Storage */
    EVENT_DESCRIPTOR d;
    EventDescCreate(&d, 200, 0, 17, 2, 2, 11, 0x2000000000000004ULL);
    ULONGLONG bytes = 1048576;
    UINT32 flags = 0x5; /* Flag A | Flag C */
    ULONGLONG started = JAN_2024;
    USHORT count = 2;
    const WCHAR *first = L"alpha", *second = L"beta";
    BYTE digest[16];
    for (int i = 0; i < 16; i++) digest[i] = (BYTE)(0xA0 + i);
    EVENT_DATA_DESCRIPTOR data[7];
    EventDataDescCreate(&data[0], &bytes, sizeof bytes);
    EventDataDescCreate(&data[1], &flags, sizeof flags);
    EventDataDescCreate(&data[2], &started, sizeof started);
    EventDataDescCreate(&data[3], &count, sizeof count);
    EventDataDescCreate(&data[4], first, 6 * sizeof(WCHAR)); /* Names[0] with its NUL */
    EventDataDescCreate(&data[5], second, 5 * sizeof(WCHAR));
    EventDataDescCreate(&data[6], digest, sizeof digest);
    CHECK(EventWrite(handle, &d, 7, data) == ERROR_SUCCESS);
}

static void write_failure(REGHANDLE handle, USHORT id) {
    EVENT_DESCRIPTOR d;
    if (id == 300) /* Application (9), win:Warning, Secure win:AuditFailure */
        EventDescCreate(&d, 300, 0, 9, 3, 0, 0, 0x8010800000000000ULL);
    else /* 301 v1: Application, win:Critical, no keyword but the channel's */
        EventDescCreate(&d, 301, 1, 9, 1, 0, 0, 0x8000000000000000ULL);
    UINT32 status = 0xC0000022;
    ULONGLONG process = 0x1234; /* win:Pointer: 8 bytes in a 64-bit process */
    EVENT_DATA_DESCRIPTOR data[4];
    EventDataDescCreate(&data[0], &status, sizeof status);
    EventDataDescCreate(&data[1], &process, sizeof process);
    EventDataDescCreate(&data[2], system_sid, sizeof system_sid);
    EventDataDescCreate(&data[3], &session_guid, sizeof session_guid);
    CHECK(EventWrite(handle, &d, 4, data) == ERROR_SUCCESS);
}

static DWORD count_events(LPCWSTR channel) {
    EVT_HANDLE query = EvtQuery(NULL, channel, NULL, EvtQueryChannelPath);
    CHECK(query != NULL);
    DWORD total = 0, returned = 0;
    EVT_HANDLE batch[16];
    while (EvtNext(query, 16, batch, INFINITE, 0, &returned)) {
        for (DWORD i = 0; i < returned; i++) CHECK(EvtClose(batch[i]));
        total += returned;
    }
    CHECK(GetLastError() == ERROR_NO_MORE_ITEMS);
    CHECK(EvtClose(query));
    return total;
}

static void write_events(void) {
    REGHANDLE handle = 0;
    CHECK(EventRegister(&provider_guid, NULL, NULL, &handle) == ERROR_SUCCESS);
    write_connect(handle, 0, L"db.example.com", 443, 1);
    write_connect(handle, 1, L"db.example.com", 8080, 2);
    write_transfer(handle);
    write_failure(handle, 300);
    write_failure(handle, 301);
    /* 400 names no channel: ETW only, logged nowhere. */
    EVENT_DESCRIPTOR d;
    EventDescCreate(&d, 400, 0, 0, 17, 0, 2, 0);
    CHECK(EventWrite(handle, &d, 0, NULL) == ERROR_SUCCESS);
    /* A payload that does not match its template is logged as the service logs it: with
     * <ProcessingErrorData> (15005) in place of EventData. */
    EventDescCreate(&d, 100, 0, 16, 4, 1, 1, 0x4000000000000001ULL);
    UINT32 short_payload = 7;
    EVENT_DATA_DESCRIPTOR one;
    EventDataDescCreate(&one, &short_payload, 2);
    DWORD before = count_events(L"Evtlog-Test-Provider/Operational");
    CHECK(EventWrite(handle, &d, 1, &one) == ERROR_SUCCESS);
    CHECK(count_events(L"Evtlog-Test-Provider/Operational") == before + 1);
    CHECK(EventUnregister(handle) == ERROR_SUCCESS);
}

/* A classic source in the provider's own log: ReportEventW with two strings. */
static void report_classic(void) {
    CHECK(evtlog_register_event_source(L"Application", L"Evtlog-Test-Classic",
                                       L"%ProgramFiles%\\Evtlog\\classic.dll", NULL, 0, NULL));
    HANDLE source = RegisterEventSourceW(NULL, L"Evtlog-Test-Classic");
    CHECK(source != NULL);
    LPCWSTR strings[2] = {L"disk full", L"C:"};
    CHECK(ReportEventW(source, EVENTLOG_WARNING_TYPE, 3, 0x80000064u, (PSID)system_sid, 2, 0,
                       strings, NULL));
    CHECK(DeregisterEventSource(source));
}

/* ----- the channels the manifest defined ------------------------------------------------ */

/* One channel property with the documented two calls (malloc'd; free it). */
static PEVT_VARIANT channel_property(EVT_HANDLE config, EVT_CHANNEL_CONFIG_PROPERTY_ID id) {
    DWORD used = 0;
    CHECK(!EvtGetChannelConfigProperty(config, id, 0, 0, NULL, &used));
    CHECK(GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    PEVT_VARIANT v = malloc(used);
    CHECK(v != NULL);
    SetLastError(12345);
    CHECK(EvtGetChannelConfigProperty(config, id, 0, used, v, &used));
    CHECK(GetLastError() == ERROR_SUCCESS);
    return v;
}

static int is_string(const EVT_VARIANT *v, const WCHAR *want) {
    return v->Type == EvtVarTypeString && wlen(v->StringVal) == wlen(want) &&
           wsame(v->StringVal, want, wlen(want));
}

/* The Admin channel as its <channel> and <logging> declare it: Admin, enabled, 2 MiB,
 * retention (do not overwrite), owned by the provider; then a setting saved and read back. */
static void check_channel_config(void) {
    EVT_HANDLE config = EvtOpenChannelConfig(NULL, L"Evtlog-Test-Provider/Admin", 0);
    CHECK(config != NULL);
    PEVT_VARIANT v = channel_property(config, EvtChannelConfigType);
    CHECK(v->Type == EvtVarTypeUInt32 && v->UInt32Val == EvtChannelTypeAdmin);
    free(v);
    v = channel_property(config, EvtChannelConfigEnabled);
    CHECK(v->Type == EvtVarTypeBoolean && v->BooleanVal);
    free(v);
    v = channel_property(config, EvtChannelLoggingConfigMaxSize);
    CHECK(v->Type == EvtVarTypeUInt64 && v->UInt64Val == 2097152);
    free(v);
    v = channel_property(config, EvtChannelLoggingConfigRetention);
    CHECK(v->Type == EvtVarTypeBoolean && v->BooleanVal);
    free(v);
    v = channel_property(config, EvtChannelConfigOwningPublisher);
    CHECK(is_string(v, PROVIDER));
    free(v);
    /* Raise the maximum size and save it, as wevtutil sl /ms does. */
    EVT_VARIANT size;
    memset(&size, 0, sizeof size);
    size.Type = EvtVarTypeUInt64;
    size.UInt64Val = 4194304;
    CHECK(EvtSetChannelConfigProperty(config, EvtChannelLoggingConfigMaxSize, 0, &size));
    CHECK(EvtSaveChannelConfig(config, 0));
    CHECK(EvtClose(config));
    config = EvtOpenChannelConfig(NULL, L"Evtlog-Test-Provider/Admin", 0);
    CHECK(config != NULL);
    v = channel_property(config, EvtChannelLoggingConfigMaxSize);
    CHECK(v->Type == EvtVarTypeUInt64 && v->UInt64Val == 4194304);
    free(v);
    CHECK(EvtClose(config));

    /* The Operational channel: no <logging>, so the defaults (the 1 MiB minimum, overwrite). */
    config = EvtOpenChannelConfig(NULL, L"Evtlog-Test-Provider/Operational", 0);
    CHECK(config != NULL);
    v = channel_property(config, EvtChannelConfigType);
    CHECK(v->Type == EvtVarTypeUInt32 && v->UInt32Val == EvtChannelTypeOperational);
    free(v);
    v = channel_property(config, EvtChannelLoggingConfigMaxSize);
    CHECK(v->Type == EvtVarTypeUInt64 && v->UInt64Val == 1048576);
    free(v);
    v = channel_property(config, EvtChannelLoggingConfigRetention);
    CHECK(v->Type == EvtVarTypeBoolean && !v->BooleanVal);
    free(v);
    CHECK(EvtClose(config));
}

/* ----- reading back ------------------------------------------------------------------- */

/* The next event of a query. */
static EVT_HANDLE next_event(EVT_HANDLE query) {
    EVT_HANDLE event = NULL;
    DWORD returned = 0;
    CHECK(EvtNext(query, 1, &event, INFINITE, 0, &returned) && returned == 1);
    return event;
}

static EVT_HANDLE open_query(LPCWSTR channel, LPCWSTR xpath) {
    EVT_HANDLE query = EvtQuery(NULL, channel, xpath, EvtQueryChannelPath);
    CHECK(query != NULL);
    return query;
}

static EVT_HANDLE open_metadata(LCID locale) {
    EVT_HANDLE metadata = EvtOpenPublisherMetadata(NULL, PROVIDER, NULL, locale, 0);
    CHECK(metadata != NULL);
    return metadata;
}

static void check_operational(EVT_HANDLE en, EVT_HANDLE fr) {
    EVT_HANDLE query = open_query(L"Evtlog-Test-Provider/Operational", NULL);
    /* 100 v0: Connected … win:Start, win:Informational; Mode 1 through the Mode map. */
    EVT_HANDLE e = next_event(query);
    expect(en, e, EvtFormatMessageEvent, L"Connected to db.example.com on port 443 (mode Fast).");
    expect(en, e, EvtFormatMessageLevel, L"Information");
    expect(en, e, EvtFormatMessageTask, L"Connect");
    expect(en, e, EvtFormatMessageOpcode, L"Start");
    expect_keywords(en, e, L"Network\0", 8);
    expect(en, e, EvtFormatMessageChannel, L"Evtlog Test Operational");
    expect(en, e, EvtFormatMessageProvider, L"Evtlog Test Provider");
    expect_xml(en, e,
               L"<RenderingInfo Culture='en-US'><Message>Connected to db.example.com on port "
               L"443 (mode Fast).</Message><Level>Information</Level><Task>Connect</Task>"
               L"<Opcode>Start</Opcode><Channel>Evtlog Test Operational</Channel><Provider>"
               L"Evtlog Test Provider</Provider><Keywords><Keyword>Network</Keyword></Keywords>"
               L"</RenderingInfo>");
    expect(fr, e, EvtFormatMessageEvent,
           L"Connecté à db.example.com sur le port 443 (mode Rapide).");
    expect(fr, e, EvtFormatMessageLevel, L"Information");
    expect(fr, e, EvtFormatMessageTask, L"Connexion");
    expect(fr, e, EvtFormatMessageOpcode, L"Démarrer");
    expect_keywords(fr, e, L"Réseau\0", 7);
    expect(fr, e, EvtFormatMessageChannel, L"Evtlog Test Opérationnel");
    expect(fr, e, EvtFormatMessageProvider, L"Fournisseur de test Evtlog");
    expect_xml(fr, e,
               L"<RenderingInfo Culture='fr-FR'><Message>Connecté à db.example.com sur le port "
               L"443 (mode Rapide).</Message><Level>Information</Level><Task>Connexion</Task>"
               L"<Opcode>Démarrer</Opcode><Channel>Evtlog Test Opérationnel</Channel>"
               L"<Provider>Fournisseur de test Evtlog</Provider><Keywords><Keyword>Réseau"
               L"</Keyword></Keywords></RenderingInfo>");

    /* Values override: string variants fill the string item, the numbers are converted. */
    EVT_VARIANT values[3];
    memset(values, 0, sizeof values);
    values[0].StringVal = L"mirror.example.org";
    values[0].Type = EvtVarTypeString;
    values[1].StringVal = L"8443";
    values[1].Type = EvtVarTypeString;
    values[2].StringVal = L"2";
    values[2].Type = EvtVarTypeString;
    expect_status(en, e, EvtFormatMessageEvent, 3, values, ERROR_SUCCESS,
                  L"Connected to mirror.example.org on port 8443 (mode Safe).");
    /* A missing insert: FALSE with 15029, the string filled, %2 and %3 left as written. */
    expect_status(en, e, EvtFormatMessageEvent, 1, values, ERROR_EVT_UNRESOLVED_VALUE_INSERT,
                  L"Connected to mirror.example.org on port %2 (mode %3).");
    /* Values only with Event, Xml and Id. */
    DWORD used = 0;
    CHECK_ERROR(EvtFormatMessage(en, e, 0, 3, values, EvtFormatMessageLevel, 0, NULL, &used),
                ERROR_INVALID_PARAMETER);
    CHECK(EvtClose(e));

    /* EvtFormatMessageId: a message by its id (mc's 0xB0000000 | version << 16 | value for
     * an event on a defined channel), its inserts from Values as they are; the
     * messageTable's explicit id; no id in fr-FR's table. */
    DWORD chars = 0, status = 0;
    WCHAR *text = get_message(en, NULL, 0xB0000064, EvtFormatMessageId, 3, values, &chars,
                              &status);
    CHECK(text != NULL && status == ERROR_SUCCESS);
    const WCHAR *want = L"Connected to mirror.example.org on port 8443 (mode 2).";
    if (!wsame(text, want, wlen(want) + 1)) show_mismatch("id", text, chars, want, wlen(want) + 1);
    free(text);
    text = get_message(en, NULL, 0xB0000064, EvtFormatMessageId, 0, NULL, &chars, &status);
    CHECK(text != NULL && status == ERROR_EVT_UNRESOLVED_VALUE_INSERT);
    want = L"Connected to %1 on port %2 (mode %3).";
    CHECK(chars == wlen(want) + 1 && wsame(text, want, chars));
    free(text);
    text = get_message(en, NULL, 0x20000001, EvtFormatMessageId, 0, NULL, &chars, &status);
    CHECK(text != NULL && status == ERROR_SUCCESS);
    want = L"A message of its own.";
    CHECK(chars == wlen(want) + 1 && wsame(text, want, chars));
    free(text);
    CHECK(get_message(fr, NULL, 0x20000001, EvtFormatMessageId, 0, NULL, &chars, &status) ==
          NULL);
    CHECK(status == ERROR_EVT_MESSAGE_ID_NOT_FOUND);

    /* 100 v1: its own level (Notice), the task's opcode Retry, %n and %t. */
    e = next_event(query);
    expect(en, e, EvtFormatMessageEvent, L"Retrying db.example.com:8080.\r\nMode:\tSafe");
    expect(en, e, EvtFormatMessageLevel, L"Notice");
    expect(en, e, EvtFormatMessageTask, L"Connect");
    expect(en, e, EvtFormatMessageOpcode, L"Retry");
    expect_keywords(en, e, L"Network\0Storage\0", 16);
    expect(fr, e, EvtFormatMessageEvent, L"Nouvel essai db.example.com:8080.\r\nMode :\tSûr");
    expect(fr, e, EvtFormatMessageLevel, L"Avis");
    expect(fr, e, EvtFormatMessageOpcode, L"Nouvel essai");
    expect_keywords(fr, e, L"Réseau\0Stockage\0", 16);
    CHECK(EvtClose(e));

    /* The mismatched payload: ProcessingErrorData, and a message with nothing to insert. */
    e = next_event(query);
    char *xml = render_xml(e);
    CHECK(strstr(xml, "<ProcessingErrorData><ErrorCode>15005</ErrorCode>") != NULL);
    free(xml);
    expect_status(en, e, EvtFormatMessageEvent, 0, NULL, ERROR_EVT_UNRESOLVED_VALUE_INSERT,
                  L"Connected to %1 on port %2 (mode %3).");
    CHECK(EvtClose(e));
    CHECK(!EvtNext(query, 1, &e, INFINITE, 0, &used) && GetLastError() == ERROR_NO_MORE_ITEMS);
    CHECK(EvtClose(query));
}

static void check_admin(EVT_HANDLE en, EVT_HANDLE fr) {
    EVT_HANDLE query = open_query(L"Evtlog-Test-Provider/Admin", NULL);
    EVT_HANDLE e = next_event(query);
    /* 200: a bitmap, a FILETIME, an array and %%1833 from the parameter file. */
    expect(en, e, EvtFormatMessageEvent,
           L"Transferred 1048576 bytes (flags 0x5) at 2024-01-01T00:00:00.0000000Z.\r\n"
           L"Impersonation: alpha,beta");
    expect(en, e, EvtFormatMessageLevel, L"Error");
    expect(en, e, EvtFormatMessageTask, L"Transfer");
    expect(en, e, EvtFormatMessageOpcode, L"Flush");
    expect_keywords(en, e, L"Storage\0", 8);
    expect(en, e, EvtFormatMessageChannel, L"Evtlog Test Admin");
    expect(fr, e, EvtFormatMessageEvent,
           L"1048576 octets transférés (drapeaux 0x5) à 2024-01-01T00:00:00.0000000Z.\r\n"
           L"Emprunt d'identité : alpha,beta");
    /* The manifest's own strings for Winmeta's level (level.Error) win in their culture. */
    expect(fr, e, EvtFormatMessageLevel, L"Erreur");
    expect(fr, e, EvtFormatMessageTask, L"Transfert");
    expect(fr, e, EvtFormatMessageOpcode, L"Vidage");
    expect(fr, e, EvtFormatMessageChannel, L"Evtlog Test Administration");
    CHECK(EvtClose(e));
    CHECK(EvtClose(query));
}

static void check_application(EVT_HANDLE en, EVT_HANDLE fr) {
    EVT_HANDLE query = open_query(
        L"Application", L"*[System[Provider[@Name='Evtlog-Test-Provider']]]");
    /* 300: win:Warning, no task or opcode, Secure and win:AuditFailure. */
    EVT_HANDLE e = next_event(query);
    expect(en, e, EvtFormatMessageEvent,
           L"Access failed with 0xC0000022 in process 0x1234 for S-1-5-18: Impersonation.");
    expect(en, e, EvtFormatMessageLevel, L"Warning");
    expect_keywords(en, e, L"Secure\0Audit Failure\0", 21);
    expect(en, e, EvtFormatMessageChannel, L"Application");
    expect(fr, e, EvtFormatMessageEvent,
           L"Échec d'accès 0xC0000022 dans le processus 0x1234 pour S-1-5-18 : "
           L"Emprunt d'identité.");
    /* Winmeta's strings where the culture supplies none: Warning, Audit Failure. */
    expect(fr, e, EvtFormatMessageLevel, L"Warning");
    expect_keywords(fr, e, L"Sécurité\0Audit Failure\0", 23);
    CHECK(EvtClose(e));
    /* 301 v1: the messageTable's explicit id (0x20000002); fr-FR does not translate it. */
    e = next_event(query);
    expect(en, e, EvtFormatMessageEvent, L"Critical failure (0xC0000022) for S-1-5-18.");
    expect(en, e, EvtFormatMessageLevel, L"Critical");
    /* fr-FR has a table but not this message: strict, no fallback to en-US. */
    expect_missing(fr, e, EvtFormatMessageEvent, ERROR_EVT_MESSAGE_ID_NOT_FOUND);
    CHECK(EvtClose(e));
    CHECK(EvtClose(query));

    /* The classic event: its source names a message file that does not exist (15100, as
       FormatMessage reports a missing message file); the level is Winmeta's. */
    query = open_query(L"Application", L"*[System[Provider[@Name='Evtlog-Test-Classic']]]");
    e = next_event(query);
    EVT_HANDLE classic = EvtOpenPublisherMetadata(NULL, L"Evtlog-Test-Classic", NULL, 0, 0);
    CHECK(classic != NULL);
    expect(classic, e, EvtFormatMessageLevel, L"Warning");
    expect_missing(classic, e, EvtFormatMessageEvent, ERROR_MUI_FILE_NOT_FOUND);
    CHECK(EvtClose(classic));
    CHECK(EvtClose(e));
    CHECK(EvtClose(query));
}

int main(void) {
    CHECK(evtlog_reset());
    CHECK(evtlog_use_virtual_clock(JAN_2024));
    /* The parameter file's provider first: the test provider's %%n strings are its
     * messages, resolved when the test provider is installed. */
    CHECK(evtlog_install_manifest(PARAMETERS));
    CHECK(evtlog_install_manifest(MANIFEST));
    check_channel_config();
    write_events();
    report_classic();

    EVT_HANDLE en = open_metadata(EN_US), fr = open_metadata(FR_FR);
    check_operational(en, fr);
    check_admin(en, fr);
    check_application(en, fr);

    /* Uninstalled under an open handle: 15037 on it, 15002 on reopening. */
    CHECK(evtlog_uninstall_manifest(MANIFEST));
    DWORD used = 0;
    EVT_VARIANT value[8];
    CHECK_ERROR(EvtGetPublisherMetadataProperty(en, EvtPublisherMetadataPublisherGuid, 0,
                                                sizeof value, value, &used),
                ERROR_EVT_PUBLISHER_DISABLED);
    CHECK_ERROR(EvtOpenPublisherMetadata(NULL, PROVIDER, NULL, 0, 0),
                ERROR_EVT_PUBLISHER_METADATA_NOT_FOUND);
    CHECK(EvtClose(en));
    CHECK(EvtClose(fr));
    puts("roundtrip: ok");
    return 0;
}
