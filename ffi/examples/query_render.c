/* The Windows sample's pattern: EvtQuery, an EvtNext loop to ERROR_NO_MORE_ITEMS, each
 * event rendered as XML with EvtRender; then the System render context's values. */
#include "common.h"

int main(void) {
    CHECK(evtlog_reset());
    CHECK(evtlog_use_virtual_clock(133000000000000000ULL));
    CHECK(evtlog_generate(L"Security", 500, 7));
    CHECK(evtlog_write_event_xml(
        L"Application",
        L"<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
        L"<Provider Name='MyApp'/><EventID>1000</EventID><Level>2</Level></System>"
        L"<EventData><Data Name='Reason'>disk full</Data></EventData></Event>"));

    EVT_HANDLE query = EvtQuery(NULL, L"Security", L"*[System[(EventID=4624)]]",
                                EvtQueryChannelPath | EvtQueryReverseDirection);
    CHECK(query != NULL);
    EVT_HANDLE events[64];
    DWORD returned = 0, total = 0;
    while (EvtNext(query, 64, events, INFINITE, 0, &returned)) {
        CHECK(returned >= 1 && returned <= 64);
        for (DWORD i = 0; i < returned; i++) {
            char *xml = render_xml(events[i]);
            CHECK(strstr(xml, "<EventID>4624</EventID>") != NULL);
            CHECK(strstr(xml, "<Channel>Security</Channel>") != NULL);
            free(xml);
            CHECK(EvtClose(events[i]));
        }
        total += returned;
    }
    CHECK(GetLastError() == ERROR_NO_MORE_ITEMS);
    CHECK(total > 0 && total < 500);
    CHECK(EvtClose(query));

    /* The Application event: XML, then the System and User values. */
    query = EvtQuery(NULL, L"Application", NULL, EvtQueryChannelPath);
    CHECK(query != NULL);
    CHECK(EvtNext(query, 1, events, INFINITE, 0, &returned) && returned == 1);
    char *xml = render_xml(events[0]);
    CHECK(strstr(xml, "<Provider Name='MyApp'/><EventID>1000</EventID><Level>2</Level>") !=
          NULL);
    CHECK(strstr(xml, "<Data Name='Reason'>disk full</Data>") != NULL);
    free(xml);

    EVT_HANDLE system = EvtCreateRenderContext(0, NULL, EvtRenderContextSystem);
    CHECK(system != NULL);
    DWORD used = 0, count = 0;
    CHECK(!EvtRender(system, events[0], EvtRenderEventValues, 0, NULL, &used, &count));
    CHECK(GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    PEVT_VARIANT values = malloc(used);
    CHECK(EvtRender(system, events[0], EvtRenderEventValues, used, values, &used, &count));
    CHECK(count == EvtSystemPropertyIdEND);
    CHECK(values[EvtSystemProviderName].Type == EvtVarTypeString);
    char name[64];
    narrow(values[EvtSystemProviderName].StringVal, name, sizeof name);
    CHECK(strcmp(name, "MyApp") == 0);
    CHECK((void *)values[EvtSystemProviderName].StringVal == (void *)(values + count));
    CHECK(values[EvtSystemEventID].Type == EvtVarTypeUInt16);
    CHECK(values[EvtSystemEventID].UInt16Val == 1000);
    CHECK(values[EvtSystemLevel].Type == EvtVarTypeByte && values[EvtSystemLevel].ByteVal == 2);
    CHECK(values[EvtSystemEventRecordId].UInt64Val == 1);
    CHECK(values[EvtSystemTimeCreated].Type == EvtVarTypeFileTime);
    CHECK(values[EvtSystemTimeCreated].FileTimeVal == 133000000000000000ULL);
    CHECK(values[EvtSystemProviderGuid].Type == EvtVarTypeNull);
    free(values);

    EVT_HANDLE user = EvtCreateRenderContext(0, NULL, EvtRenderContextUser);
    CHECK(EvtRender(user, events[0], EvtRenderEventValues, 0, NULL, &used, &count) ||
          GetLastError() == ERROR_INSUFFICIENT_BUFFER);
    values = malloc(used);
    CHECK(EvtRender(user, events[0], EvtRenderEventValues, used, values, &used, &count));
    CHECK(count == 1 && values[0].Type == EvtVarTypeString);
    narrow(values[0].StringVal, name, sizeof name);
    CHECK(strcmp(name, "disk full") == 0);
    free(values);

    CHECK(EvtClose(user));
    CHECK(EvtClose(system));
    CHECK(EvtClose(query)); /* closes events[0] with it */
    CHECK_ERROR(EvtClose(events[0]), ERROR_INVALID_HANDLE);
    puts("query_render: ok");
    return 0;
}
