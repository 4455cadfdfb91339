/* Whole logs: EvtExportLog with a query, EvtClearLog with a backup, EvtOpenLog and
 * EvtGetLogInfo on the channel and on the files, EvtArchiveExportedLog; and the functions
 * not emulated yet, which fail with ERROR_CALL_NOT_IMPLEMENTED. */
#include <unistd.h>
#include "common.h"

static EVT_VARIANT info(EVT_HANDLE log, EVT_LOG_PROPERTY_ID id) {
    EVT_VARIANT value[4];
    DWORD used = 0;
    CHECK(EvtGetLogInfo(log, id, sizeof value, value, &used));
    return value[0];
}

int main(void) {
    CHECK(evtlog_reset());
    CHECK(evtlog_generate(L"System", 60, 11));
    char dir[] = "/tmp/evtlog-logs-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[128];
    WCHAR exported[128], backup[128];
    snprintf(path, sizeof path, "%s/system-recent.evtx", dir);
    widen(path, exported, 128);
    snprintf(path, sizeof path, "%s/system-backup.evtx", dir);
    widen(path, backup, 128);

    CHECK(EvtExportLog(NULL, L"System", L"*[System[EventRecordID>50]]", exported,
                       EvtExportLogChannelPath));
    CHECK_ERROR(EvtExportLog(NULL, L"System", NULL, exported, EvtExportLogChannelPath),
                ERROR_FILE_EXISTS);
    CHECK(EvtExportLog(NULL, L"System", NULL, exported,
                       EvtExportLogChannelPath | EvtExportLogOverwrite));
    CHECK(EvtArchiveExportedLog(NULL, exported, 0, 0));
    /* The side-car beside the file (LCID 0: the thread's, 1033). */
    snprintf(path, sizeof path, "%s/LocaleMetaData/system-recent_1033.MTA", dir);
    CHECK(access(path, R_OK) == 0);

    EVT_HANDLE channel = EvtOpenLog(NULL, L"System", EvtOpenChannelPath);
    CHECK(channel != NULL);
    EVT_VARIANT v = info(channel, EvtLogNumberOfLogRecords);
    CHECK(v.Type == EvtVarTypeUInt64 && v.UInt64Val == 60);
    v = info(channel, EvtLogOldestRecordNumber);
    CHECK(v.UInt64Val == 1);
    v = info(channel, EvtLogFull);
    CHECK(v.Type == EvtVarTypeBoolean && v.BooleanVal == FALSE);

    CHECK(EvtClearLog(NULL, L"System", backup, 0));
    CHECK(info(channel, EvtLogNumberOfLogRecords).UInt64Val == 0);
    CHECK_ERROR(EvtClearLog(NULL, L"System", backup, 0), ERROR_FILE_EXISTS);

    EVT_HANDLE file = EvtOpenLog(NULL, exported, EvtOpenFilePath);
    CHECK(file != NULL);
    CHECK(info(file, EvtLogNumberOfLogRecords).UInt64Val == 60);
    v = info(file, EvtLogFileSize);
    CHECK(v.Type == EvtVarTypeUInt64 && v.UInt64Val >= 4096 + 65536);
    CHECK(info(file, EvtLogLastWriteTime).Type == EvtVarTypeFileTime);
    EVT_HANDLE saved = EvtOpenLog(NULL, backup, EvtOpenFilePath);
    CHECK(info(saved, EvtLogNumberOfLogRecords).UInt64Val == 60);
    CHECK(info(saved, EvtLogOldestRecordNumber).UInt64Val == 1);

    /* The backup reads back as the events the channel held. */
    EVT_HANDLE q = EvtQuery(NULL, backup, L"*[System[EventRecordID=60]]", EvtQueryFilePath);
    EVT_HANDLE event;
    DWORD returned = 0;
    CHECK(q != NULL && EvtNext(q, 1, &event, INFINITE, 0, &returned) && returned == 1);
    char *xml = render_xml(event);
    CHECK(strstr(xml, "<EventRecordID>60</EventRecordID>") != NULL);
    free(xml);
    CHECK(EvtClose(q));

    CHECK_ERROR(EvtOpenLog(NULL, L"relative.evtx", EvtOpenFilePath) != NULL,
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtOpenLog(NULL, L"/no/such/file.evtx", EvtOpenFilePath) != NULL,
                ERROR_FILE_NOT_FOUND);
    CHECK_ERROR(EvtOpenLog(NULL, L"NoSuchChannel", EvtOpenChannelPath) != NULL,
                ERROR_EVT_CHANNEL_NOT_FOUND);
    CHECK_ERROR(EvtGetLogInfo(channel, EvtLogFull, 0, NULL, NULL), ERROR_INVALID_PARAMETER);
    DWORD used = 0;
    CHECK_ERROR(EvtGetLogInfo(channel, EvtLogFull, 0, NULL, &used), ERROR_INSUFFICIENT_BUFFER);
    CHECK(used == sizeof(EVT_VARIANT));
    CHECK_ERROR(EvtGetLogInfo(file, (EVT_LOG_PROPERTY_ID)99, 0, NULL, &used),
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtGetLogInfo(q, EvtLogFull, 0, NULL, &used), ERROR_INVALID_HANDLE);
    CHECK_ERROR(EvtArchiveExportedLog(NULL, exported, 0, 1), ERROR_INVALID_PARAMETER);
    CHECK(EvtClose(channel) && EvtClose(file) && EvtClose(saved));

    /* Not emulated yet. */

    snprintf(path, sizeof path, "%s/system-recent.evtx", dir);
    remove(path);
    snprintf(path, sizeof path, "%s/LocaleMetaData/system-recent_1033.MTA", dir);
    remove(path);
    snprintf(path, sizeof path, "%s/LocaleMetaData", dir);
    rmdir(path);
    snprintf(path, sizeof path, "%s/system-backup.evtx", dir);
    remove(path);
    rmdir(dir);
    puts("logs: ok");
    return 0;
}
