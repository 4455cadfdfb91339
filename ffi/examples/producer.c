/* The producer side from C: EventRegister/EventWrite on a provider with no installed
 * manifest (ETW only: nothing logged, success), EventWriteString, the error codes; then a
 * classic event source end to end: evtlog_register_event_source, RegisterEventSourceW,
 * ReportEventW with strings and data, ReadEventLogW forwards and backwards parsing
 * EVENTLOGRECORDs, NotifyChangeEventLog, and EvtQuery + EvtRender showing the classic XML. */
#include "common.h"
#include <evntprov.h>
#include <winbase_eventlog.h>

static const GUID provider = {0x1db28f2e, 0x8f80, 0x4027,
                              {0x8c, 0x5a, 0xa1, 0x1f, 0x7f, 0x10, 0xf6, 0x2d}};

static int callbacks;
static void EVNTAPI on_enable(LPCGUID source, ULONG enabled, UCHAR level, ULONGLONG any,
                              ULONGLONG all, PEVENT_FILTER_DESCRIPTOR filter, PVOID context) {
    (void)source, (void)enabled, (void)level, (void)any, (void)all, (void)filter, (void)context;
    callbacks++;
}

static DWORD application_records(void) {
    HANDLE log = OpenEventLogW(NULL, L"Application");
    CHECK(log != NULL);
    DWORD n = 0;
    CHECK(GetNumberOfEventLogRecords(log, &n));
    CHECK(CloseEventLog(log));
    return n;
}

static void manifest_provider(void) {
    REGHANDLE handle = 0;
    CHECK(EventRegister(&provider, on_enable, NULL, &handle) == ERROR_SUCCESS);
    CHECK(handle != 0);
    CHECK(callbacks == 0); /* no manifest installed: no session enables it */
    CHECK(!EventProviderEnabled(handle, 4, 0));

    EVENT_DESCRIPTOR descriptor;
    EventDescCreate(&descriptor, 1, 0, 9 /* Application */, 4, 0, 0, 0x8000000000000000ULL);
    CHECK(!EventEnabled(handle, &descriptor));
    const WCHAR *message = L"hello";
    UINT32 code = 42;
    EVENT_DATA_DESCRIPTOR data[2];
    EventDataDescCreate(&data[0], message, (ULONG)(6 * sizeof(WCHAR)));
    EventDataDescCreate(&data[1], &code, sizeof code);
    DWORD before = application_records();
    CHECK(EventWrite(handle, &descriptor, 2, data) == ERROR_SUCCESS);
    GUID activity = {1, 2, 3, {4, 5, 6, 7, 8, 9, 10, 11}};
    CHECK(EventWriteTransfer(handle, &descriptor, &activity, NULL, 2, data) == ERROR_SUCCESS);
    CHECK(EventWriteString(handle, 4, 0, L"for ETW sessions") == ERROR_SUCCESS);
    GUID thread_activity = {0};
    CHECK(EventActivityIdControl(EVENT_ACTIVITY_CTRL_CREATE_SET_ID, &thread_activity) ==
          ERROR_SUCCESS);
    CHECK(EventActivityIdControl(EVENT_ACTIVITY_CTRL_GET_ID, &thread_activity) == ERROR_SUCCESS);
    CHECK(thread_activity.Data1 != 0 || thread_activity.Data2 != 0);
    CHECK(EventActivityIdControl(9, &thread_activity) == ERROR_INVALID_PARAMETER);
    CHECK(EventActivityIdControl(EVENT_ACTIVITY_CTRL_GET_ID, NULL) == ERROR_INVALID_PARAMETER);
    CHECK(application_records() == before); /* ETW only: nothing logged */

    /* Error codes are returned, not set. */
    CHECK(EventWrite(handle, NULL, 0, NULL) == ERROR_INVALID_PARAMETER);
    CHECK(EventWrite(handle, &descriptor, 129, data) == ERROR_INVALID_PARAMETER);
    EVENT_DATA_DESCRIPTOR bad;
    EventDataDescCreate(&bad, NULL, 4);
    CHECK(EventWrite(handle, &descriptor, 1, &bad) == ERROR_INVALID_PARAMETER);
    static char big[70000];
    EVENT_DATA_DESCRIPTOR large;
    EventDataDescCreate(&large, big, sizeof big);
    CHECK(EventWrite(handle, &descriptor, 1, &large) == ERROR_ARITHMETIC_OVERFLOW);
    CHECK(EventWriteEx(handle, &descriptor, 0, 0x80, NULL, NULL, 0, NULL) ==
          ERROR_INVALID_PARAMETER);
    CHECK(EventUnregister(handle) == ERROR_SUCCESS);
    CHECK(EventUnregister(handle) == ERROR_INVALID_HANDLE);
    CHECK(EventWrite(handle, &descriptor, 0, NULL) == ERROR_INVALID_HANDLE);
    CHECK(EventRegister(NULL, NULL, NULL, &handle) == ERROR_INVALID_PARAMETER);
}

static DWORD dword_at(const BYTE *p) {
    DWORD v;
    memcpy(&v, p, sizeof v);
    return v;
}

/* Checks one EVENTLOGRECORD and returns its Length. */
static DWORD check_record(const BYTE *at, DWORD expected_number) {
    EVENTLOGRECORD record;
    memcpy(&record, at, sizeof record);
    CHECK(record.Reserved == 0x654c664c);
    CHECK(record.Length % 4 == 0);
    CHECK(dword_at(at + record.Length - 4) == record.Length);
    CHECK(record.RecordNumber == expected_number);
    CHECK(record.EventID == (0xC0000000u | (expected_number + 1000)));
    CHECK(record.EventType == EVENTLOG_ERROR_TYPE);
    CHECK(record.EventCategory == 3);
    CHECK(record.NumStrings == 2);
    CHECK(record.TimeGenerated == record.TimeWritten && record.TimeGenerated > 1600000000u);
    char text[64];
    narrow((const WCHAR *)(at + sizeof record), text, sizeof text);
    CHECK(strcmp(text, "Contoso Agent") == 0);
    narrow((const WCHAR *)(at + record.StringOffset), text, sizeof text);
    CHECK(strcmp(text, "disk full") == 0);
    CHECK(record.UserSidLength == 12);
    CHECK(at[record.UserSidOffset] == 1 && at[record.UserSidOffset + 1] == 1); /* S-1-5-18 */
    CHECK(record.DataLength == 3 && memcmp(at + record.DataOffset, "\x01\x02\x03", 3) == 0);
    return record.Length;
}

static void classic_source(void) {
    CHECK(evtlog_register_event_source(L"Application", L"Contoso Agent",
                                       L"%SystemRoot%\\contoso.dll", NULL, 0, NULL));
    CHECK_ERROR(evtlog_register_event_source(L"Application", L"a\\b", NULL, NULL, 0, NULL),
                ERROR_INVALID_PARAMETER);
    HANDLE source = RegisterEventSourceW(NULL, L"Contoso Agent");
    CHECK(source != NULL);

    HANDLE log = OpenEventLogW(NULL, L"Application");
    CHECK(log != NULL);
    HANDLE changed = CreateEventW(NULL, TRUE, FALSE, NULL);
    CHECK(NotifyChangeEventLog(log, changed));

    BYTE system_sid[12] = {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0};
    LPCWSTR strings[2] = {L"disk full", L"C:"};
    BYTE data[3] = {1, 2, 3};
    for (DWORD i = 1; i <= 3; i++) {
        CHECK(ReportEventW(source, EVENTLOG_ERROR_TYPE, 3, 0xC0000000u | (1000 + i), system_sid,
                           2, sizeof data, strings, data));
    }
    CHECK(WaitForSingleObject(changed, 5000) == WAIT_OBJECT_0);
    CHECK_ERROR(ReportEventW(NULL, EVENTLOG_ERROR_TYPE, 0, 1, NULL, 0, 0, NULL, NULL),
                ERROR_INVALID_HANDLE);
    CHECK_ERROR(ReportEventW(source, EVENTLOG_ERROR_TYPE, 0, 1, NULL, 1, 0, NULL, NULL),
                ERROR_INVALID_PARAMETER); /* one string, no array */

    /* Forwards: the size probe, one record, then the rest, then the end. */
    DWORD read = 0, needed = 0;
    BYTE buffer[4096];
    CHECK_ERROR(ReadEventLogW(log, EVENTLOG_SEQUENTIAL_READ | EVENTLOG_FORWARDS_READ, 0, buffer,
                              8, &read, &needed),
                ERROR_INSUFFICIENT_BUFFER);
    CHECK(read == 0 && needed > sizeof(EVENTLOGRECORD));
    CHECK_ERROR(ReadEventLogW(log, EVENTLOG_SEQUENTIAL_READ | EVENTLOG_FORWARDS_READ, 0, NULL, 0,
                              &read, &needed),
                ERROR_INVALID_PARAMETER); /* "cannot be NULL, even if ... zero" */
    CHECK(ReadEventLogW(log, EVENTLOG_SEQUENTIAL_READ | EVENTLOG_FORWARDS_READ, 0, buffer, needed,
                        &read, &needed));
    CHECK(check_record(buffer, 1) == read);
    CHECK(ReadEventLogW(log, EVENTLOG_SEQUENTIAL_READ | EVENTLOG_FORWARDS_READ, 0, buffer,
                        sizeof buffer, &read, &needed));
    DWORD at = check_record(buffer, 2);
    at += check_record(buffer + at, 3);
    CHECK(at == read);
    CHECK_ERROR(ReadEventLogW(log, EVENTLOG_SEQUENTIAL_READ | EVENTLOG_FORWARDS_READ, 0, buffer,
                              sizeof buffer, &read, &needed),
                ERROR_HANDLE_EOF);

    /* Backwards from record 2 by a seek read. */
    CHECK(ReadEventLogW(log, EVENTLOG_SEEK_READ | EVENTLOG_BACKWARDS_READ, 2, buffer,
                        sizeof buffer, &read, &needed));
    at = check_record(buffer, 2);
    at += check_record(buffer + at, 1);
    CHECK(at == read);
    CHECK_ERROR(ReadEventLogW(log, EVENTLOG_SEEK_READ | EVENTLOG_FORWARDS_READ, 99, buffer,
                              sizeof buffer, &read, &needed),
                ERROR_INVALID_PARAMETER);

    DWORD count = 0, oldest = 0, full_needed = 0;
    EVENTLOG_FULL_INFORMATION full = {1};
    CHECK(GetNumberOfEventLogRecords(log, &count) && count == 3);
    CHECK(GetOldestEventLogRecord(log, &oldest) && oldest == 1);
    CHECK(GetEventLogInformation(log, EVENTLOG_FULL_INFO, &full, sizeof full, &full_needed));
    CHECK(full.dwFull == 0 && full_needed == sizeof full);
    CHECK_ERROR(GetEventLogInformation(NULL, 1, NULL, 0, NULL), ERROR_INVALID_LEVEL);
    CHECK_ERROR(GetEventLogInformation(NULL, EVENTLOG_FULL_INFO, NULL, 0, NULL),
                ERROR_INVALID_HANDLE);
    CHECK_ERROR(GetEventLogInformation(log, EVENTLOG_FULL_INFO, NULL, 0, NULL),
                RPC_X_NULL_REF_POINTER);
    CHECK_ERROR(GetEventLogInformation(log, EVENTLOG_FULL_INFO, &full, 0, &full_needed),
                ERROR_INSUFFICIENT_BUFFER);
    CHECK(full_needed == sizeof full);
    CHECK_ERROR(OpenEventLogW(L"IDontExist", NULL), ERROR_INVALID_PARAMETER);
    CHECK_ERROR(OpenEventLogW(L"IDontExist", L"Application"), RPC_S_SERVER_UNAVAILABLE);
    CHECK_ERROR(BackupEventLogW(NULL, NULL), ERROR_INVALID_PARAMETER);

    /* The same events through wevtapi: the classic shape. */
    EVT_HANDLE query = EvtQuery(NULL, L"Application", L"*[System[Provider[@Name='Contoso Agent']]]",
                                EvtQueryChannelPath);
    CHECK(query != NULL);
    EVT_HANDLE event = NULL;
    DWORD returned = 0;
    CHECK(EvtNext(query, 1, &event, INFINITE, 0, &returned) && returned == 1);
    char *xml = render_xml(event);
    CHECK(strstr(xml, "<Provider Name='Contoso Agent'/><EventID Qualifiers='49152'>1001</EventID>"
                      "<Level>2</Level><Task>3</Task><Keywords>0x80000000000000</Keywords>") != NULL);
    CHECK(strstr(xml, "<Security UserID='S-1-5-18'/></System><EventData><Data>disk full</Data>"
                      "<Data>C:</Data><Binary>010203</Binary></EventData></Event>") != NULL);
    CHECK(strstr(xml, "Guid=") == NULL && strstr(xml, "<Version>") == NULL &&
          strstr(xml, "<Execution") == NULL);
    free(xml);
    CHECK(EvtClose(event));
    CHECK(EvtClose(query));

    CHECK(CloseHandle(changed));
    CHECK(CloseEventLog(log));
    CHECK_ERROR(CloseEventLog(log), ERROR_INVALID_HANDLE);
    CHECK(DeregisterEventSource(source));
}

int main(void) {
    CHECK(evtlog_reset());
    manifest_provider();
    classic_source();
    printf("producer: ok\n");
    return 0;
}
