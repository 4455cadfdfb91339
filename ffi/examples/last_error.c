/* Microsoft's size-probe pattern, as the WES samples write it (rendering-events,
 * bookmarking-events, querying-for-events, the channel enumeration, channel configuration and
 * publisher metadata): call with no buffer,
 * allocate what BufferUsed says on ERROR_INSUFFICIENT_BUFFER, call again without looking at
 * its result, then `if (ERROR_SUCCESS != (status = GetLastError()))` fail. It works only if a
 * successful call sets the last error to ERROR_SUCCESS, as wevtapi's functions do. */
#include "common.h"

/* EvtRender of an event or a bookmark as XML: the sample's RenderEvent / bookmark save. */
static DWORD render(EVT_HANDLE fragment, DWORD flags, LPWSTR *out) {
    DWORD status = ERROR_SUCCESS, size = 0, used = 0, count = 0;
    LPWSTR content = NULL;
    if (!EvtRender(NULL, fragment, flags, size, content, &used, &count)) {
        if (ERROR_INSUFFICIENT_BUFFER == (status = GetLastError())) {
            size = used;
            content = (LPWSTR)malloc(size);
            CHECK(content != NULL);
            EvtRender(NULL, fragment, flags, size, content, &used, &count);
        }
        if (ERROR_SUCCESS != (status = GetLastError())) {
            fprintf(stderr, "EvtRender failed with %u\n", (unsigned)status);
            free(content);
            return status;
        }
    }
    *out = content;
    return status;
}

/* EvtRender of a System context: the values sample (an EVT_VARIANT array and payloads). */
static DWORD render_values(EVT_HANDLE context, EVT_HANDLE event, PEVT_VARIANT *out) {
    DWORD status = ERROR_SUCCESS, size = 0, used = 0, count = 0;
    PEVT_VARIANT values = NULL;
    if (!EvtRender(context, event, EvtRenderEventValues, size, values, &used, &count)) {
        if (ERROR_INSUFFICIENT_BUFFER == (status = GetLastError())) {
            size = used;
            values = (PEVT_VARIANT)malloc(size);
            CHECK(values != NULL);
            EvtRender(context, event, EvtRenderEventValues, size, values, &used, &count);
        }
        if (ERROR_SUCCESS != (status = GetLastError())) {
            fprintf(stderr, "EvtRender failed with %u\n", (unsigned)status);
            free(values);
            return status;
        }
    }
    CHECK(count == EvtSystemPropertyIdEND);
    *out = values;
    return status;
}

/* EvtGetLogInfo and EvtGetQueryInfo: GetLogProperty / PrintQueryStatuses. */
typedef BOOL(WINAPI *get_info)(EVT_HANDLE, DWORD, DWORD, PEVT_VARIANT, PDWORD);
static BOOL WINAPI log_info(EVT_HANDLE h, DWORD id, DWORD size, PEVT_VARIANT buffer, PDWORD used) {
    return EvtGetLogInfo(h, (EVT_LOG_PROPERTY_ID)id, size, buffer, used);
}
static BOOL WINAPI query_info(EVT_HANDLE h, DWORD id, DWORD size, PEVT_VARIANT buffer,
                              PDWORD used) {
    return EvtGetQueryInfo(h, (EVT_QUERY_PROPERTY_ID)id, size, buffer, used);
}
/* EvtGetChannelConfigProperty and EvtGetPublisherMetadataProperty: the channel-config and
 * publisher-metadata samples' GetProperty, the same pattern. */
static BOOL WINAPI config_info(EVT_HANDLE h, DWORD id, DWORD size, PEVT_VARIANT buffer,
                               PDWORD used) {
    return EvtGetChannelConfigProperty(h, (EVT_CHANNEL_CONFIG_PROPERTY_ID)id, 0, size, buffer,
                                       used);
}
static BOOL WINAPI publisher_info(EVT_HANDLE h, DWORD id, DWORD size, PEVT_VARIANT buffer,
                                  PDWORD used) {
    return EvtGetPublisherMetadataProperty(h, (EVT_PUBLISHER_METADATA_PROPERTY_ID)id, 0, size,
                                           buffer, used);
}
static DWORD property(get_info get, EVT_HANDLE h, DWORD id, PEVT_VARIANT *out) {
    DWORD status = ERROR_SUCCESS, size = 0, used = 0;
    PEVT_VARIANT property = NULL;
    if (!get(h, id, size, property, &used)) {
        if (ERROR_INSUFFICIENT_BUFFER == (status = GetLastError())) {
            size = used;
            property = (PEVT_VARIANT)malloc(size);
            CHECK(property != NULL);
            get(h, id, size, property, &used);
        }
        if (ERROR_SUCCESS != (status = GetLastError())) {
            fprintf(stderr, "Get*Info failed with %u\n", (unsigned)status);
            free(property);
            return status;
        }
    }
    *out = property;
    return status;
}

/* EvtNextChannelPath: EnumerateChannels, until ERROR_NO_MORE_ITEMS. */
static DWORD channels(int *seen) {
    DWORD status = ERROR_SUCCESS, size = 0, used = 0;
    LPWSTR path = NULL;
    EVT_HANDLE e = EvtOpenChannelEnum(NULL, 0);
    CHECK(e != NULL);
    *seen = 0;
    while (1) {
        if (!EvtNextChannelPath(e, size, path, &used)) {
            status = GetLastError();
            if (ERROR_NO_MORE_ITEMS == status) {
                status = ERROR_SUCCESS;
                break;
            } else if (ERROR_INSUFFICIENT_BUFFER == status) {
                size = used;
                LPWSTR bigger = (LPWSTR)realloc(path, size * sizeof(WCHAR));
                CHECK(bigger != NULL);
                path = bigger;
                EvtNextChannelPath(e, size, path, &used);
            }
            if (ERROR_SUCCESS != (status = GetLastError())) {
                fprintf(stderr, "EvtNextChannelPath failed with %u\n", (unsigned)status);
                break;
            }
        }
        (*seen)++;
    }
    free(path);
    EvtClose(e);
    return status;
}

int main(void) {
    CHECK(evtlog_reset());
    CHECK(evtlog_generate(L"Security", 20, 5));
    CHECK(evtlog_create_channel(L"Microsoft-Windows-LastError/Operational"));

    /* A query, its events rendered as XML and as values, a bookmark saved. */
    EVT_HANDLE query = EvtQuery(NULL, L"Security", L"*", EvtQueryChannelPath);
    CHECK(query != NULL);
    EVT_HANDLE context = EvtCreateRenderContext(0, NULL, EvtRenderContextSystem);
    EVT_HANDLE bookmark = EvtCreateBookmark(NULL);
    CHECK(context != NULL && bookmark != NULL);
    EVT_HANDLE events[8];
    DWORD returned = 0, rendered = 0;
    while (EvtNext(query, 8, events, INFINITE, 0, &returned)) {
        for (DWORD i = 0; i < returned; i++) {
            LPWSTR xml = NULL;
            PEVT_VARIANT values = NULL;
            CHECK(render(events[i], EvtRenderEventXml, &xml) == ERROR_SUCCESS);
            CHECK(render_values(context, events[i], &values) == ERROR_SUCCESS);
            CHECK(values[EvtSystemEventRecordId].Type == EvtVarTypeUInt64);
            CHECK(values[EvtSystemEventRecordId].UInt64Val == rendered + 1);
            CHECK(EvtUpdateBookmark(bookmark, events[i]));
            free(xml);
            free(values);
            EvtClose(events[i]);
            rendered++;
        }
    }
    CHECK(GetLastError() == ERROR_NO_MORE_ITEMS);
    CHECK(rendered == 20);
    LPWSTR saved = NULL;
    CHECK(render(bookmark, EvtRenderBookmark, &saved) == ERROR_SUCCESS);
    char text[256];
    narrow(saved, text, sizeof text);
    CHECK(strstr(text, "RecordId='20'") != NULL);
    free(saved);

    /* The query's statuses, the log's record count. */
    PEVT_VARIANT names = NULL, count = NULL;
    CHECK(property(query_info, query, EvtQueryNames, &names) == ERROR_SUCCESS);
    CHECK(names->Type == (EvtVarTypeString | EVT_VARIANT_TYPE_ARRAY) && names->Count == 1);
    EVT_HANDLE log = EvtOpenLog(NULL, L"Security", EvtOpenChannelPath);
    CHECK(log != NULL);
    CHECK(property(log_info, log, EvtLogNumberOfLogRecords, &count) == ERROR_SUCCESS);
    CHECK(count->Type == EvtVarTypeUInt64 && count->UInt64Val == 20);
    free(names);
    free(count);

    /* A channel's configuration and the default publisher's levels (an object array). */
    EVT_HANDLE config = EvtOpenChannelConfig(NULL, L"Application", 0);
    CHECK(config != NULL);
    PEVT_VARIANT file = NULL, levels = NULL;
    CHECK(property(config_info, config, EvtChannelLoggingConfigLogFilePath, &file) ==
          ERROR_SUCCESS);
    CHECK(file->Type == EvtVarTypeString);
    EVT_HANDLE winmeta = EvtOpenPublisherMetadata(NULL, NULL, NULL, 0, 0);
    CHECK(winmeta != NULL);
    CHECK(property(publisher_info, winmeta, EvtPublisherMetadataLevels, &levels) ==
          ERROR_SUCCESS);
    CHECK(levels->Type == EvtVarTypeEvtHandle);
    free(file);
    free(levels);
    CHECK(EvtClose(winmeta) && EvtClose(config));

    /* Every channel, the pattern's enumerator form: the five standard ones, Sysmon's (its
       default publisher defines it) and this program's. */
    int seen = 0;
    CHECK(channels(&seen) == ERROR_SUCCESS);
    CHECK(seen == 7);

    /* A success clears a failure left behind, and EvtGetExtendedStatus's text with it. */
    CHECK_ERROR(EvtQuery(NULL, L"Security", L"*[System[", 0) != NULL, ERROR_EVT_INVALID_QUERY);
    DWORD used = 0;
    CHECK(EvtGetExtendedStatus(0, NULL, &used) == ERROR_INSUFFICIENT_BUFFER && used > 1);
    CHECK(GetLastError() == ERROR_EVT_INVALID_QUERY);
    CHECK(EvtClose(log));
    CHECK(GetLastError() == ERROR_SUCCESS);
    CHECK(EvtGetExtendedStatus(0, NULL, &used) == ERROR_SUCCESS && used == 0);

    EvtClose(bookmark);
    EvtClose(context);
    EvtClose(query);
    return 0;
}
