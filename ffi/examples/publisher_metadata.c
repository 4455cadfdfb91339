/* Publisher metadata the way Microsoft's "Enumerating publishers" and "Getting a provider's
 * metadata" samples read it: EvtOpenPublisherEnum/EvtNextPublisherId with the WCHAR size
 * probe, then per publisher EvtOpenPublisherMetadata, every EvtGetPublisherMetadataProperty
 * with the byte size probe and a retry, every object array element, and every event's
 * metadata. No manifest is installed here (evtlog_install_manifest would), so the walk runs
 * on whatever is installed (nothing after evtlog_reset) and in full on the default publisher (a NULL id: Winmeta's
 * levels, tasks, opcodes, keywords and channels), then checks the error paths. */
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
    puts("publisher_metadata: ok");
    return 0;
}
