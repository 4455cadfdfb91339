/* Publisher metadata the way Microsoft's "Enumerating publishers" and "Getting a provider's
 * metadata" samples read it: EvtOpenPublisherEnum/EvtNextPublisherId with the WCHAR size
 * probe, then per publisher EvtOpenPublisherMetadata, every EvtGetPublisherMetadataProperty
 * with the byte size probe and a retry, every object array element, and every event's
 * metadata. The walk runs on whatever is installed after evtlog_reset and in full on the
 * default publisher (a NULL id: Winmeta's levels, tasks, opcodes, keywords and channels),
 * then checks the error paths; then it installs evtlog's test manifest
 * (fixtures/manifests/evtlog-test.man; run from the repository root, as CI does) and checks
 * every property, every object array element and every event's metadata, template XML
 * included, against values written here by hand from the manifest and mc's message id
 * rules. */
#include "common.h"

/* One property with the documented two calls; returns a malloc'd buffer (free it). */
static PEVT_VARIANT publisher_property(EVT_HANDLE metadata, EVT_PUBLISHER_METADATA_PROPERTY_ID id) {
    DWORD used = 0;
    CHECK(!EvtGetPublisherMetadataProperty(metadata, id, 0, 0, NULL, &used));
    CHECK(GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    CHECK(used >= sizeof(EVT_VARIANT));
    PEVT_VARIANT value = malloc(used);
    CHECK(value != NULL);
    DWORD needed = used;
    CHECK(EvtGetPublisherMetadataProperty(metadata, id, 0, needed, value, &used));
    CHECK(used == needed);
    return value;
}

static PEVT_VARIANT element_property(EVT_HANDLE array, DWORD id, DWORD index) {
    DWORD used = 0;
    CHECK(!EvtGetObjectArrayProperty(array, id, index, 0, 0, NULL, &used));
    CHECK(GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    PEVT_VARIANT value = malloc(used);
    CHECK(value != NULL);
    CHECK(EvtGetObjectArrayProperty(array, id, index, 0, used, value, &used));
    return value;
}

/* The element ids of each array id (6, 12, 16, 21, 25): the ids after it. */
static DWORD element_count(DWORD array_id) {
    switch (array_id) {
    case EvtPublisherMetadataChannelReferences: return 5;
    case EvtPublisherMetadataTasks: return 4;
    default: return 3;
    }
}

/* Walks one array: every element's every property. Returns the element count. */
static DWORD walk_array(EVT_HANDLE metadata, DWORD array_id) {
    PEVT_VARIANT handle = publisher_property(metadata, array_id);
    CHECK(handle->Type == EvtVarTypeEvtHandle && handle->EvtHandleVal != NULL);
    EVT_HANDLE array = handle->EvtHandleVal;
    free(handle);
    DWORD size = 0;
    CHECK(EvtGetObjectArraySize(array, &size));
    for (DWORD i = 0; i < size; i++) {
        for (DWORD id = array_id + 1; id <= array_id + element_count(array_id); id++) {
            PEVT_VARIANT v = element_property(array, id, i);
            DWORD type = v->Type;
            CHECK(type == EvtVarTypeString || type == EvtVarTypeUInt32 ||
                  type == EvtVarTypeUInt64 || type == EvtVarTypeGuid);
            if (type == EvtVarTypeString) CHECK(v->StringVal != NULL && v->StringVal[0] != 0);
            free(v);
        }
    }
    DWORD used = 0;
    EVT_VARIANT scratch[4];
    CHECK_ERROR(EvtGetObjectArrayProperty(array, array_id + 1, size, 0, sizeof scratch,
                                          scratch, &used),
                ERROR_INVALID_PARAMETER);
    CHECK(EvtClose(array));
    return size;
}

/* Every property of one open publisher; returns how many events it has. */
static DWORD walk_publisher(EVT_HANDLE metadata) {
    for (DWORD id = EvtPublisherMetadataPublisherGuid; id <= EvtPublisherMetadataPublisherMessageID;
         id++) {
        PEVT_VARIANT v = publisher_property(metadata, id);
        DWORD type = v->Type;
        if (id == EvtPublisherMetadataPublisherGuid) CHECK(type == EvtVarTypeGuid);
        if (id == EvtPublisherMetadataPublisherMessageID) CHECK(type == EvtVarTypeUInt32);
        if (id == EvtPublisherMetadataHelpLink) CHECK(type == EvtVarTypeString);
        free(v);
    }
    DWORD arrays[] = {EvtPublisherMetadataChannelReferences, EvtPublisherMetadataLevels,
                      EvtPublisherMetadataTasks, EvtPublisherMetadataOpcodes,
                      EvtPublisherMetadataKeywords};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++) walk_array(metadata, arrays[i]);

    EVT_HANDLE events = EvtOpenEventMetadataEnum(metadata, 0);
    CHECK(events != NULL);
    DWORD count = 0;
    for (;;) {
        EVT_HANDLE event = EvtNextEventMetadata(events, 0);
        if (event == NULL) {
            CHECK(GetLastError() == ERROR_NO_MORE_ITEMS);
            break;
        }
        for (DWORD id = EventMetadataEventID; id <= EventMetadataEventTemplate; id++) {
            DWORD used = 0;
            CHECK(!EvtGetEventMetadataProperty(event, id, 0, 0, NULL, &used));
            CHECK(GetLastError() == ERROR_INSUFFICIENT_BUFFER);
            PEVT_VARIANT v = malloc(used);
            CHECK(v != NULL);
            CHECK(EvtGetEventMetadataProperty(event, id, 0, used, v, &used));
            free(v);
        }
        CHECK(EvtClose(event));
        count++;
    }
    CHECK(EvtClose(events));
    return count;
}

/* A variant as text: strings as ASCII (others as '?'), numbers in hex, GUIDs braced. */
static void describe(const EVT_VARIANT *v, char *out, size_t size) {
    switch (v->Type) {
    case EvtVarTypeNull: snprintf(out, size, "(null)"); break;
    case EvtVarTypeString: narrow(v->StringVal, out, size); break;
    case EvtVarTypeUInt32: snprintf(out, size, "0x%X", (unsigned)v->UInt32Val); break;
    case EvtVarTypeUInt64: snprintf(out, size, "0x%llX", (unsigned long long)v->UInt64Val); break;
    case EvtVarTypeGuid: {
        const GUID *g = v->GuidVal;
        snprintf(out, size, "{%08X-%04X-%04X-%02X%02X-%02X%02X%02X%02X%02X%02X}",
                 (unsigned)g->Data1, g->Data2, g->Data3, g->Data4[0], g->Data4[1], g->Data4[2],
                 g->Data4[3], g->Data4[4], g->Data4[5], g->Data4[6], g->Data4[7]);
        break;
    }
    default: snprintf(out, size, "(type %u)", (unsigned)v->Type);
    }
}

static void expect_text(const char *what, const char *got, const char *want) {
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "%s:\n  got  '%s'\n  want '%s'\n", what, got, want);
        exit(1);
    }
}

/* One array's elements, each as its properties joined by '|', against `want`. */
static void expect_array(EVT_HANDLE metadata, DWORD array_id, const char *const *want,
                         DWORD count) {
    PEVT_VARIANT handle = publisher_property(metadata, array_id);
    EVT_HANDLE array = handle->EvtHandleVal;
    free(handle);
    DWORD size = 0;
    CHECK(EvtGetObjectArraySize(array, &size));
    if (size != count) {
        fprintf(stderr, "array %u: %u elements, want %u\n", (unsigned)array_id, (unsigned)size,
                (unsigned)count);
        exit(1);
    }
    for (DWORD i = 0; i < size; i++) {
        char line[512] = "", part[256];
        for (DWORD id = array_id + 1; id <= array_id + element_count(array_id); id++) {
            PEVT_VARIANT v = element_property(array, id, i);
            describe(v, part, sizeof part);
            free(v);
            if (id > array_id + 1) strcat(line, "|");
            strcat(line, part);
        }
        char what[48];
        snprintf(what, sizeof what, "array %u element %u", (unsigned)array_id, (unsigned)i);
        expect_text(what, line, want[i]);
    }
    CHECK(EvtClose(array));
}

#define COUNT(a) (DWORD)(sizeof(a) / sizeof((a)[0]))

/* The test provider as fixtures/manifests/evtlog-test.man declares it. */
static void check_test_provider(void) {
    CHECK(evtlog_install_manifest(L"fixtures/manifests/evtlog-params.man"));
    CHECK(evtlog_install_manifest(L"fixtures/manifests/evtlog-test.man"));

    /* Both are listed, in installation order. */
    EVT_HANDLE publishers = EvtOpenPublisherEnum(NULL, 0);
    CHECK(publishers != NULL);
    WCHAR name[128];
    DWORD used = 0;
    int params_at = -1, test_at = -1, at = 0;
    while (EvtNextPublisherId(publishers, 128, name, &used)) {
        char text[128];
        narrow(name, text, sizeof text);
        if (strcmp(text, "Evtlog-Test-Parameters") == 0) params_at = at;
        if (strcmp(text, "Evtlog-Test-Provider") == 0) test_at = at;
        at++;
    }
    CHECK(GetLastError() == ERROR_NO_MORE_ITEMS);
    CHECK(params_at >= 0 && test_at == params_at + 1);
    CHECK(EvtClose(publishers));

    EVT_HANDLE metadata = EvtOpenPublisherMetadata(NULL, L"Evtlog-Test-Provider", NULL, 0, 0);
    CHECK(metadata != NULL);
    static const char *const properties[] = {
        "{6E0B6C3A-2F54-4C1B-9D7E-1A2B3C4D5E6F}",
        "%ProgramFiles%\\Evtlog\\evtlog-test.dll",
        "%SystemRoot%\\System32\\MsObjs.dll",
        "%ProgramFiles%\\Evtlog\\evtlog-test.dll",
        "",           /* no helpLink: the empty string (README fidelity table) */
        "0x90000001", /* provider, then channel messages: mc's 0x90000001… counter */
    };
    for (DWORD id = EvtPublisherMetadataPublisherGuid; id <= EvtPublisherMetadataPublisherMessageID;
         id++) {
        PEVT_VARIANT v = publisher_property(metadata, id);
        char text[256], what[32];
        describe(v, text, sizeof text);
        free(v);
        snprintf(what, sizeof what, "property %u", (unsigned)id);
        expect_text(what, text, properties[id]);
    }
    /* Path|Index|ID|Flags (imported: 1)|MessageID (none: 0xFFFFFFFF) */
    static const char *const channels[] = {
        "Application|0x0|0x9|0x1|0xFFFFFFFF",
        "Evtlog-Test-Provider/Operational|0x1|0x10|0x0|0x90000002",
        "Evtlog-Test-Provider/Admin|0x2|0x11|0x0|0x90000003",
    };
    expect_array(metadata, EvtPublisherMetadataChannelReferences, channels, COUNT(channels));
    /* Name|Value|MessageID (0x50000000 | value), then the Winmeta levels the events use. */
    static const char *const levels[] = {
        "Notice|0x10|0x50000010",
        "Trace|0x11|0xFFFFFFFF",
        "win:Informational|0x4|0x50000004",
        "win:Error|0x2|0x50000002",
        "win:Warning|0x3|0x50000003",
        "win:Critical|0x1|0x50000001",
    };
    expect_array(metadata, EvtPublisherMetadataLevels, levels, COUNT(levels));
    /* Name|EventGuid|Value|MessageID (0x70000000 | value) */
    static const char *const tasks[] = {
        "Connect|{11111111-2222-3333-4444-555555555555}|0x1|0x70000001",
        "Transfer|{00000000-0000-0000-0000-000000000000}|0x2|0x70000002",
        "win:None|{00000000-0000-0000-0000-000000000000}|0x0|0x70000000",
    };
    expect_array(metadata, EvtPublisherMetadataTasks, tasks, COUNT(tasks));
    /* Name|opcode << 16 | task|MessageID (0x30000000 | opcode << 16 | task) */
    static const char *const opcodes[] = {
        "Retry|0xA0001|0x300A0001",
        "Flush|0xB0000|0x300B0000",
        "win:Start|0x10000|0x30010000",
        "win:Stop|0x20000|0x30020000",
    };
    expect_array(metadata, EvtPublisherMetadataOpcodes, opcodes, COUNT(opcodes));
    /* Name|Mask|MessageID (0x10000000 + bit + 1) */
    static const char *const keywords[] = {
        "Network|0x1|0x10000001",
        "Storage|0x4|0x10000003",
        "Secure|0x800000000000|0x10000030",
    };
    expect_array(metadata, EvtPublisherMetadataKeywords, keywords, COUNT(keywords));

    /* Every event: ID|Version|Channel|Level|Opcode|Task|Keyword (channel bit included)|
     * MessageID (0xB0000000 | version << 16 | value on a defined channel; the value on an
     * imported one; the messageTable's explicit id), then the template XML, its lines ending
     * with CR LF (README fidelity table). */
    static const char connect[] =
        "<template xmlns=\"http://schemas.microsoft.com/win/2004/08/events\">\r\n"
        "  <data name=\"Peer\" inType=\"win:UnicodeString\" outType=\"xs:string\"/>\r\n"
        "  <data name=\"Port\" inType=\"win:UInt16\" outType=\"win:Port\"/>\r\n"
        "  <data name=\"Mode\" inType=\"win:UInt32\" outType=\"xs:unsignedInt\" map=\"Mode\"/>\r\n"
        "</template>\r\n";
    static const char transfer[] =
        "<template xmlns=\"http://schemas.microsoft.com/win/2004/08/events\">\r\n"
        "  <data name=\"Bytes\" inType=\"win:UInt64\" outType=\"xs:unsignedLong\"/>\r\n"
        "  <data name=\"Flags\" inType=\"win:UInt32\" outType=\"win:HexInt32\" map=\"Flags\"/>\r\n"
        "  <data name=\"Started\" inType=\"win:FILETIME\" outType=\"xs:dateTime\"/>\r\n"
        "  <data name=\"Count\" inType=\"win:UInt16\" outType=\"xs:unsignedShort\"/>\r\n"
        "  <data name=\"Names\" inType=\"win:UnicodeString\" outType=\"xs:string\" "
        "count=\"Count\"/>\r\n"
        "  <data name=\"Digest\" inType=\"win:Binary\" outType=\"xs:hexBinary\" length=\"16\"/>\r\n"
        "</template>\r\n";
    /* Data items only: the template's UserData is not part of it. */
    static const char failure[] =
        "<template xmlns=\"http://schemas.microsoft.com/win/2004/08/events\">\r\n"
        "  <data name=\"Status\" inType=\"win:HexInt32\" outType=\"win:HexInt32\"/>\r\n"
        "  <data name=\"Process\" inType=\"win:Pointer\" outType=\"win:HexInt64\"/>\r\n"
        "  <data name=\"User\" inType=\"win:SID\" outType=\"xs:string\"/>\r\n"
        "  <data name=\"Session\" inType=\"win:GUID\" outType=\"xs:GUID\"/>\r\n"
        "</template>\r\n";
    static const struct {
        const char *line;
        const char *template_xml;
    } events[] = {
        {"0x64|0x0|0x10|0x4|0x1|0x1|0x4000000000000001|0xB0000064", connect},
        {"0x64|0x1|0x10|0x10|0xA|0x1|0x4000000000000005|0xB0010064", connect},
        {"0xC8|0x0|0x11|0x2|0xB|0x2|0x2000000000000004|0xB00000C8", transfer},
        {"0x12C|0x0|0x9|0x3|0x0|0x0|0x8010800000000000|0x12C", failure},
        {"0x12D|0x1|0x9|0x1|0x0|0x0|0x8000000000000000|0x20000002", failure},
        {"0x190|0x0|0x0|0x11|0x2|0x0|0x0|0xFFFFFFFF", ""},
    };
    EVT_HANDLE enumerator = EvtOpenEventMetadataEnum(metadata, 0);
    CHECK(enumerator != NULL);
    for (DWORD i = 0; i < COUNT(events); i++) {
        EVT_HANDLE event = EvtNextEventMetadata(enumerator, 0);
        CHECK(event != NULL);
        char line[512] = "", part[2048], what[48];
        for (DWORD id = EventMetadataEventID; id <= EventMetadataEventTemplate; id++) {
            DWORD size = 0;
            CHECK(!EvtGetEventMetadataProperty(event, id, 0, 0, NULL, &size));
            CHECK(GetLastError() == ERROR_INSUFFICIENT_BUFFER);
            PEVT_VARIANT v = malloc(size);
            CHECK(v != NULL);
            CHECK(EvtGetEventMetadataProperty(event, id, 0, size, v, &size));
            describe(v, part, sizeof part);
            free(v);
            if (id == EventMetadataEventTemplate) {
                snprintf(what, sizeof what, "event %u template", (unsigned)i);
                expect_text(what, part, events[i].template_xml);
            } else {
                if (id > EventMetadataEventID) strcat(line, "|");
                strcat(line, part);
            }
        }
        snprintf(what, sizeof what, "event %u", (unsigned)i);
        expect_text(what, line, events[i].line);
        CHECK(EvtClose(event));
    }
    CHECK(EvtNextEventMetadata(enumerator, 0) == NULL);
    CHECK(GetLastError() == ERROR_NO_MORE_ITEMS);
    CHECK(EvtClose(enumerator));
    CHECK(EvtClose(metadata));

    /* The parameter file's provider: no channels, no events, a messageFileName only. */
    metadata = EvtOpenPublisherMetadata(NULL, L"Evtlog-Test-Parameters", NULL, 0, 0);
    CHECK(metadata != NULL);
    CHECK(walk_publisher(metadata) == 0);
    PEVT_VARIANT v = publisher_property(metadata, EvtPublisherMetadataParameterFilePath);
    CHECK(v->Type == EvtVarTypeNull);
    free(v);
    CHECK(EvtClose(metadata));
}

int main(void) {
    CHECK(evtlog_reset());

    /* Enumerating publishers: grow the buffer on 122, stop on 259. */
    EVT_HANDLE publishers = EvtOpenPublisherEnum(NULL, 0);
    CHECK(publishers != NULL);
    WCHAR *name = NULL;
    DWORD size = 0, used = 0, seen = 0;
    for (;;) {
        if (!EvtNextPublisherId(publishers, size, name, &used)) {
            DWORD status = GetLastError();
            if (status == ERROR_NO_MORE_ITEMS) break;
            CHECK(status == ERROR_INSUFFICIENT_BUFFER);
            size = used;
            name = realloc(name, size * sizeof(WCHAR));
            CHECK(name != NULL);
            continue;
        }
        EVT_HANDLE metadata = EvtOpenPublisherMetadata(NULL, name, NULL, 0, 0);
        CHECK(metadata != NULL);
        walk_publisher(metadata);
        CHECK(EvtClose(metadata));
        seen++;
    }
    free(name);
    CHECK(EvtClose(publishers));
    printf("publisher_metadata: %u installed publishers walked\n", (unsigned)seen);

    /* The default publisher: Winmeta's tables, no events. */
    EVT_HANDLE winmeta = EvtOpenPublisherMetadata(NULL, NULL, NULL, 0, 0);
    CHECK(winmeta != NULL);
    CHECK(walk_publisher(winmeta) == 0);
    CHECK(walk_array(winmeta, EvtPublisherMetadataLevels) == 6);
    CHECK(walk_array(winmeta, EvtPublisherMetadataOpcodes) == 11);
    CHECK(walk_array(winmeta, EvtPublisherMetadataKeywords) == 8);

    /* Level 4 is win:Informational with mc's message id 0x50000004. */
    PEVT_VARIANT handle = publisher_property(winmeta, EvtPublisherMetadataLevels);
    EVT_HANDLE levels = handle->EvtHandleVal;
    free(handle);
    PEVT_VARIANT v = element_property(levels, EvtPublisherMetadataLevelName, 4);
    char text[64];
    narrow(v->StringVal, text, sizeof text);
    CHECK(strcmp(text, "win:Informational") == 0);
    free(v);
    v = element_property(levels, EvtPublisherMetadataLevelMessageID, 4);
    CHECK(v->Type == EvtVarTypeUInt32 && v->UInt32Val == 0x50000004);
    free(v);

    /* Error paths. */
    EVT_VARIANT scratch[4];
    CHECK_ERROR(EvtGetPublisherMetadataProperty(winmeta, EvtPublisherMetadataLevelName, 0,
                                                sizeof scratch, scratch, &used),
                ERROR_EVT_INVALID_PUBLISHER_PROPERTY_VALUE);
    CHECK_ERROR(EvtGetObjectArrayProperty(levels, EvtPublisherMetadataTaskName, 0, 0,
                                          sizeof scratch, scratch, &used),
                ERROR_EVT_INVALID_PUBLISHER_PROPERTY_VALUE);
    CHECK_ERROR(EvtGetPublisherMetadataProperty(winmeta, EvtPublisherMetadataPropertyIdEND, 0,
                                                sizeof scratch, scratch, &used),
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtGetPublisherMetadataProperty(winmeta, 0, 0, sizeof scratch, scratch, NULL),
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtOpenPublisherMetadata(NULL, L"No-Such-Publisher", NULL, 0, 0) != NULL,
                ERROR_EVT_PUBLISHER_METADATA_NOT_FOUND);
    CHECK_ERROR(EvtOpenPublisherMetadata(NULL, NULL, NULL, 0, 1) != NULL,
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtOpenPublisherMetadata(NULL, NULL, L"/no/such/folder/archived.evtx", 0, 0) !=
                    NULL,
                ERROR_PATH_NOT_FOUND);
    CHECK_ERROR(EvtGetObjectArraySize(winmeta, &size), ERROR_INVALID_HANDLE);

    /* Closing the metadata closes the array made from it. */
    CHECK(EvtClose(winmeta));
    CHECK_ERROR(EvtGetObjectArraySize(levels, &size), ERROR_INVALID_HANDLE);

    check_test_provider();
    puts("publisher_metadata: ok");
    return 0;
}
