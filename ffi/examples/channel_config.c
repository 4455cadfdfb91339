/* Channel configuration, as Microsoft's "Getting and setting a channel's configuration
 * properties" does it: EvtOpenChannelConfig, every property 0..END through
 * EvtGetChannelConfigProperty with the size probe and a retry into a grown buffer, then
 * EvtSetChannelConfigProperty on MaxSize, Retention and Level, EvtSaveChannelConfig, and a
 * fresh handle to see the saved values; and the error paths (15007, 15023, 15022, 87). */
#include "common.h"

static const char *channel_types[] = {"Admin", "Operational", "Analytic", "Debug"};
static const char *isolation_types[] = {"Application", "System", "Custom"};

/* One property into *buffer (grown as the size probe asks); the variant it holds. */
static PEVT_VARIANT get_property(EVT_HANDLE config, int id, PEVT_VARIANT *buffer, DWORD *size) {
    DWORD used = 0;
    if (!EvtGetChannelConfigProperty(config, (EVT_CHANNEL_CONFIG_PROPERTY_ID)id, 0, *size,
                                     *buffer, &used)) {
        CHECK(GetLastError() == ERROR_INSUFFICIENT_BUFFER);
        CHECK(used >= sizeof(EVT_VARIANT));
        PEVT_VARIANT grown = realloc(*buffer, used);
        CHECK(grown != NULL);
        *buffer = grown;
        *size = used;
        CHECK(EvtGetChannelConfigProperty(config, (EVT_CHANNEL_CONFIG_PROPERTY_ID)id, 0, *size,
                                          *buffer, &used));
    }
    return *buffer;
}

static void print_property(int id, PEVT_VARIANT p) {
    char text[512];
    switch (id) {
    case EvtChannelConfigEnabled:
        CHECK(p->Type == EvtVarTypeBoolean);
        printf("  Enabled: %s\n", p->BooleanVal ? "TRUE" : "FALSE");
        break;
    case EvtChannelConfigIsolation:
        CHECK(p->Type == EvtVarTypeUInt32 && p->UInt32Val <= 2);
        printf("  Isolation: %s\n", isolation_types[p->UInt32Val]);
        break;
    case EvtChannelConfigType:
        CHECK(p->Type == EvtVarTypeUInt32 && p->UInt32Val <= 3);
        printf("  Type: %s\n", channel_types[p->UInt32Val]);
        break;
    case EvtChannelConfigOwningPublisher:
    case EvtChannelConfigAccess:
    case EvtChannelLoggingConfigLogFilePath:
        CHECK(p->Type == EvtVarTypeString);
        /* The string follows the variant in the same buffer. */
        CHECK((const void *)p->StringVal == (const void *)(p + 1));
        narrow(p->StringVal, text, sizeof text);
        printf("  %d: %s\n", id, text);
        break;
    case EvtChannelConfigClassicEventlog:
    case EvtChannelLoggingConfigRetention:
    case EvtChannelLoggingConfigAutoBackup:
        CHECK(p->Type == EvtVarTypeBoolean);
        printf("  %d: %s\n", id, p->BooleanVal ? "TRUE" : "FALSE");
        break;
    case EvtChannelLoggingConfigMaxSize:
        CHECK(p->Type == EvtVarTypeUInt64);
        printf("  MaxSize: %llu MB\n", (unsigned long long)(p->UInt64Val / (1024 * 1024)));
        break;
    case EvtChannelPublishingConfigLevel:
    case EvtChannelPublishingConfigBufferSize:
    case EvtChannelPublishingConfigMinBuffers:
    case EvtChannelPublishingConfigMaxBuffers:
    case EvtChannelPublishingConfigLatency:
    case EvtChannelPublishingConfigClockType:
    case EvtChannelPublishingConfigSidType:
        /* Null on a channel without a session of its own. */
        CHECK(p->Type == EvtVarTypeNull || p->Type == EvtVarTypeUInt32);
        if (p->Type == EvtVarTypeNull)
            printf("  %d:\n", id);
        else
            printf("  %d: %u\n", id, (unsigned)p->UInt32Val);
        break;
    case EvtChannelPublishingConfigKeywords:
        CHECK(p->Type == EvtVarTypeNull || p->Type == EvtVarTypeUInt64);
        printf("  Keywords: %llu\n",
               p->Type == EvtVarTypeNull ? 0ULL
                                         : (unsigned long long)(p->UInt64Val & 0x00FFFFFFFFFFFFFFULL));
        break;
    case EvtChannelPublishingConfigControlGuid:
        CHECK(p->Type == EvtVarTypeNull);
        printf("  ControlGuid:\n");
        break;
    case EvtChannelPublisherList:
        CHECK(p->Type == (EvtVarTypeString | EVT_VARIANT_TYPE_ARRAY));
        printf("  Providers: %u\n", (unsigned)p->Count);
        break;
    case EvtChannelPublishingConfigFileMax:
        CHECK(p->Type == EvtVarTypeUInt32 && p->UInt32Val == 1);
        printf("  FileMax: %u\n", (unsigned)p->UInt32Val);
        break;
    default:
        CHECK(!"an unknown property id");
    }
}

static EVT_VARIANT boolean(BOOL value) {
    EVT_VARIANT v;
    memset(&v, 0, sizeof v);
    v.Type = EvtVarTypeBoolean;
    v.BooleanVal = value;
    return v;
}

static EVT_VARIANT uint32(UINT32 value) {
    EVT_VARIANT v;
    memset(&v, 0, sizeof v);
    v.Type = EvtVarTypeUInt32;
    v.UInt32Val = value;
    return v;
}

static EVT_VARIANT uint64(UINT64 value) {
    EVT_VARIANT v;
    memset(&v, 0, sizeof v);
    v.Type = EvtVarTypeUInt64;
    v.UInt64Val = value;
    return v;
}

int main(void) {
    CHECK(evtlog_reset());
    PEVT_VARIANT buffer = NULL;
    DWORD size = 0;

    /* Every property of System, with the probe and retry. */
    EVT_HANDLE config = EvtOpenChannelConfig(NULL, L"System", 0);
    CHECK(config != NULL);
    puts("System:");
    for (int id = 0; id < EvtChannelConfigPropertyIdEND; id++)
        print_property(id, get_property(config, id, &buffer, &size));
    CHECK(get_property(config, EvtChannelConfigIsolation, &buffer, &size)->UInt32Val ==
          1 /* EvtChannelIsolationTypeSystem */);
    CHECK(get_property(config, EvtChannelConfigClassicEventlog, &buffer, &size)->BooleanVal);

    /* The probe: 122 and the size, a string's included; a scalar's Count untouched. */
    DWORD used = 0;
    CHECK_ERROR(EvtGetChannelConfigProperty(config, EvtChannelLoggingConfigLogFilePath, 0, 0,
                                            NULL, &used),
                ERROR_INSUFFICIENT_BUFFER);
    CHECK(used == sizeof(EVT_VARIANT) + sizeof(L"%SystemRoot%\\System32\\Winevt\\Logs\\System.evtx"));
    EVT_VARIANT one[2];
    one[0].Count = 0xdeadbeef;
    CHECK(EvtGetChannelConfigProperty(config, EvtChannelLoggingConfigMaxSize, 0, sizeof one, one,
                                      &used));
    CHECK(one[0].Count == 0xdeadbeef && one[0].UInt64Val == 20971520);

    /* Error paths on the copy. */
    EVT_VARIANT v = uint32(1);
    CHECK_ERROR(EvtSetChannelConfigProperty(config, EvtChannelConfigType, 0, &v),
                ERROR_EVT_INVALID_CHANNEL_PROPERTY_VALUE);
    v = uint32(20 * 1024 * 1024);
    CHECK_ERROR(EvtSetChannelConfigProperty(config, EvtChannelLoggingConfigMaxSize, 0, &v),
                ERROR_EVT_INVALID_CHANNEL_PROPERTY_VALUE); /* MaxSize is a UInt64 */
    v = boolean(FALSE);
    CHECK_ERROR(EvtSetChannelConfigProperty(config, EvtChannelConfigEnabled, 0, &v),
                ERROR_EVT_INVALID_CHANNEL_PROPERTY_VALUE); /* System stays enabled */
    CHECK_ERROR(EvtSetChannelConfigProperty(config, EvtChannelConfigEnabled, 0, NULL),
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtSetChannelConfigProperty(config, (EVT_CHANNEL_CONFIG_PROPERTY_ID)21, 0, &v),
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtGetChannelConfigProperty(config, (EVT_CHANNEL_CONFIG_PROPERTY_ID)21, 0, 0,
                                            NULL, &used),
                ERROR_INVALID_PARAMETER);
    CHECK_ERROR(EvtSaveChannelConfig(config, 1), ERROR_INVALID_PARAMETER);
    CHECK(EvtClose(config));
    CHECK_ERROR(EvtOpenChannelConfig(NULL, L"No-Such/Channel", 0) != NULL,
                ERROR_EVT_CHANNEL_NOT_FOUND);
    CHECK_ERROR(EvtOpenChannelConfig(NULL, L"System", 1) != NULL, ERROR_INVALID_PARAMETER);

    /* Set MaxSize, Retention and Level on Setup, save, and see them through a new handle. */
    config = EvtOpenChannelConfig(NULL, L"Setup", 0);
    CHECK(config != NULL);
    v = uint64(8 * 1024 * 1024);
    CHECK(EvtSetChannelConfigProperty(config, EvtChannelLoggingConfigMaxSize, 0, &v));
    v = boolean(TRUE);
    CHECK(EvtSetChannelConfigProperty(config, EvtChannelLoggingConfigRetention, 0, &v));
    v = uint32(3); /* WINEVENT_LEVEL_WARNING */
    CHECK(EvtSetChannelConfigProperty(config, EvtChannelPublishingConfigLevel, 0, &v));
    CHECK(EvtSaveChannelConfig(config, 0));
    CHECK(EvtClose(config));
    config = EvtOpenChannelConfig(NULL, L"setup", 0);
    CHECK(config != NULL);
    CHECK(get_property(config, EvtChannelLoggingConfigMaxSize, &buffer, &size)->UInt64Val ==
          8 * 1024 * 1024);
    CHECK(get_property(config, EvtChannelLoggingConfigRetention, &buffer, &size)->BooleanVal);
    PEVT_VARIANT level = get_property(config, EvtChannelPublishingConfigLevel, &buffer, &size);
    CHECK(level->Type == EvtVarTypeUInt32 && level->UInt32Val == 3);
    CHECK(EvtClose(config));

    /* An Analytic channel: disabled at first; once enabled (in the copy), its publishing
     * and logging properties are 15022 until it is disabled again, as the sample does. */
    CHECK(evtlog_create_channel_of_type(L"Contoso-Demo/Analytic", EvtChannelTypeAnalytic));
    config = EvtOpenChannelConfig(NULL, L"Contoso-Demo/Analytic", 0);
    CHECK(config != NULL);
    CHECK(!get_property(config, EvtChannelConfigEnabled, &buffer, &size)->BooleanVal);
    v = boolean(TRUE);
    CHECK(EvtSetChannelConfigProperty(config, EvtChannelConfigEnabled, 0, &v));
    v = uint32(4);
    CHECK_ERROR(EvtSetChannelConfigProperty(config, EvtChannelPublishingConfigLevel, 0, &v),
                ERROR_EVT_INVALID_OPERATION_OVER_ENABLED_DIRECT_CHANNEL);
    v = uint64(0x30);
    CHECK_ERROR(EvtSetChannelConfigProperty(config, EvtChannelPublishingConfigKeywords, 0, &v),
                ERROR_EVT_INVALID_OPERATION_OVER_ENABLED_DIRECT_CHANNEL);
    v = boolean(FALSE);
    CHECK(EvtSetChannelConfigProperty(config, EvtChannelConfigEnabled, 0, &v));
    v = uint32(4);
    CHECK(EvtSetChannelConfigProperty(config, EvtChannelPublishingConfigLevel, 0, &v));
    v = uint64(0x30);
    CHECK(EvtSetChannelConfigProperty(config, EvtChannelPublishingConfigKeywords, 0, &v));
    v = boolean(TRUE);
    CHECK(EvtSetChannelConfigProperty(config, EvtChannelConfigEnabled, 0, &v));
    CHECK(EvtSaveChannelConfig(config, 0));
    CHECK(EvtClose(config));
    config = EvtOpenChannelConfig(NULL, L"Contoso-Demo/Analytic", 0);
    CHECK(config != NULL);
    CHECK(get_property(config, EvtChannelConfigEnabled, &buffer, &size)->BooleanVal);
    CHECK(get_property(config, EvtChannelPublishingConfigKeywords, &buffer, &size)->UInt64Val ==
          0x30);
    CHECK(EvtClose(config));
    CHECK_ERROR(EvtGetChannelConfigProperty(config, EvtChannelConfigEnabled, 0, 0, NULL, &used),
                ERROR_INVALID_HANDLE);

    free(buffer);
    puts("channel_config: ok");
    return 0;
}
