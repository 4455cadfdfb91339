//! Windows' last-error rule: every facade function that succeeds
//! sets the thread's last error to ERROR_SUCCESS and clears the extended status, so the
//! samples' `if (ERROR_SUCCESS != (status = GetLastError()))` after a successful retry of
//! the size probe holds. EvtGetExtendedStatus reads that state and leaves it, and
//! kernel32's SetEvent, ResetEvent, WaitForSingleObject and CloseHandle set it only when
//! they fail, as on Windows.
//!
//! evntprov.h's provider functions (EventRegister, EventWrite…) return their code and
//! leave it too, as Windows' do. The classic advapi32 functions follow the rule here:
//! Windows promises nothing after their success (README, fidelity).
//!
//! Each row runs after a failed size probe (EvtRender with no buffer: 122 and its message),
//! so a row that forgot the rule would leave 122 and the text. The last test checks that
//! every Windows-named `pub fn` of `src/winevt`, and every engine control the C ABI
//! exports, has a row here.

use evtlog::winevt::*;

use super::winevt::service;
use crate::TempDir;

/// The handles the rows work on: a query with one event read from it, a bookmark, a
/// channel enumerator, an opened log, an event object, an exported file; the test
/// provider's manifest installed and its metadata opened (an event enumerator, one event's
/// metadata, the channel references' object array); a channel configuration; a classic
/// event source and the classic Application log.
struct Fixture {
    query: EVT_HANDLE,
    event: EVT_HANDLE,
    bookmark: EVT_HANDLE,
    channels: EVT_HANDLE,
    log: EVT_HANDLE,
    signal: EVT_HANDLE,
    dir: TempDir,
    exported: String,
    manifest: String,
    metadata: EVT_HANDLE,
    event_metadata_enum: EVT_HANDLE,
    event_metadata: EVT_HANDLE,
    channel_references: EVT_HANDLE,
    config: EVT_HANDLE,
    source: EVT_HANDLE,
    classic: EVT_HANDLE,
}

impl Fixture {
    fn new() -> Fixture {
        let query = EvtQuery(0, Some("Security"), None, EvtQueryChannelPath);
        assert_ne!(query, 0);
        let (mut events, mut returned) = ([0; 1], 0);
        assert_eq!(
            EvtNext(query, &mut events, INFINITE, 0, &mut returned),
            TRUE
        );
        let dir = TempDir::new("last-error");
        let exported = dir.file("exported.evtx");
        let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/manifests/evtlog-test.man")
            .to_string_lossy()
            .into_owned();
        assert_eq!(controls::install_manifest(&manifest), TRUE);
        let metadata = EvtOpenPublisherMetadata(0, Some("Evtlog-Test-Provider"), None, 0, 0);
        assert_ne!(metadata, 0);
        let event_metadata = EvtNextEventMetadata(EvtOpenEventMetadataEnum(metadata, 0), 0);
        assert_ne!(event_metadata, 0);
        let channel_references = object_array(metadata, EvtPublisherMetadataChannelReferences);
        assert_eq!(
            controls::register_event_source("Application", "Last-Error", None, None, 0, None),
            TRUE
        );
        Fixture {
            query,
            event: events[0],
            bookmark: EvtCreateBookmark(None),
            channels: EvtOpenChannelEnum(0, 0),
            log: EvtOpenLog(0, Some("Security"), EvtOpenChannelPath),
            signal: CreateEvent(true, false),
            dir,
            exported,
            manifest,
            metadata,
            event_metadata_enum: EvtOpenEventMetadataEnum(metadata, 0),
            event_metadata,
            channel_references,
            config: EvtOpenChannelConfig(0, Some("Application"), 0),
            source: RegisterEventSourceW(None, Some("Last-Error")),
            classic: OpenEventLogW(None, Some("Application")),
        }
    }

    /// A failed size probe: the last error is 122 and the extended status its message.
    fn fail(&self) {
        let (mut used, mut count) = (0, 0);
        assert_eq!(
            EvtRender(
                0,
                self.event,
                EvtRenderEventXml,
                &mut [],
                &mut used,
                &mut count
            ),
            FALSE
        );
        assert_eq!(GetLastError(), 122);
        assert!(!extended_status().is_empty());
    }
}

/// The object array handle of a publisher property (EvtVarTypeEvtHandle: the handle is the
/// variant's first 8 bytes).
fn object_array(metadata: EVT_HANDLE, property: u32) -> EVT_HANDLE {
    let (mut buffer, mut used) = (vec![0u8; 64], 0);
    assert_eq!(
        EvtGetPublisherMetadataProperty(metadata, property, 0, &mut buffer, &mut used),
        TRUE
    );
    let handle = i64::from_le_bytes(buffer[..8].try_into().unwrap()) as EVT_HANDLE;
    assert_ne!(handle, 0);
    handle
}

/// A u32 publisher property (EvtVarTypeUInt32 in the variant's first 4 bytes).
fn publisher_u32(metadata: EVT_HANDLE, property: u32) -> u32 {
    let (mut buffer, mut used) = (vec![0u8; 64], 0);
    assert_eq!(
        EvtGetPublisherMetadataProperty(metadata, property, 0, &mut buffer, &mut used),
        TRUE
    );
    u32::from_le_bytes(buffer[..4].try_into().unwrap())
}

/// The extended status text, read with EvtGetExtendedStatus's own size probe.
fn extended_status() -> String {
    let mut used = 0;
    let code = EvtGetExtendedStatus(&mut [], &mut used);
    if used == 0 {
        assert_eq!(code, 0, "no status: ERROR_SUCCESS");
        return String::new();
    }
    assert_eq!(code, 122);
    let mut text = vec![0; used as usize];
    assert_eq!(EvtGetExtendedStatus(&mut text, &mut used), 0);
    String::from_utf16(&text[..used as usize - 1]).unwrap()
}

/// A successful call: `true` if it succeeded by its own measure (TRUE, a handle, …).
type Row = (&'static str, fn(&mut Fixture) -> bool);

/// One successful call of every facade function that follows the rule.
const SUCCEEDING: &[Row] = &[
    ("EvtOpenSession", |_| {
        let login = EvtRpcLoginInfo::default();
        let session = EvtOpenSession(EvtRpcLogin, Some(&login), 0, 0);
        session != 0 && {
            let _ = EvtClose(session);
            true
        }
    }),
    ("EvtClose", |_| EvtClose(EvtCreateBookmark(None)) == TRUE),
    ("EvtCancel", |_| {
        // A query of its own: a cancelled result set stays cancelled.
        EvtCancel(EvtQuery(0, Some("Security"), None, 0)) == TRUE
    }),
    ("EvtQuery", |_| EvtQuery(0, Some("Security"), None, 0) != 0),
    ("EvtNext", |f| {
        let (mut events, mut returned) = ([0; 2], 0);
        EvtNext(f.query, &mut events, INFINITE, 0, &mut returned) == TRUE
    }),
    ("EvtSeek", |f| {
        EvtSeek(f.query, 0, 0, 0, EvtSeekRelativeToFirst) == TRUE
    }),
    ("EvtGetQueryInfo", |f| {
        let (mut buffer, mut used) = (vec![0; 256], 0);
        EvtGetQueryInfo(f.query, EvtQueryNames, &mut buffer, &mut used) == TRUE
    }),
    ("EvtGetEventInfo", |f| {
        let (mut buffer, mut used) = (vec![0; 256], 0);
        EvtGetEventInfo(f.event, EvtEventPath, &mut buffer, &mut used) == TRUE
    }),
    ("EvtCreateRenderContext", |_| {
        EvtCreateRenderContext(&[], EvtRenderContextSystem) != 0
    }),
    ("EvtRender", |f| {
        // The probe's retry, as the samples make it.
        let (mut used, mut count) = (0, 0);
        let _ = EvtRender(
            0,
            f.event,
            EvtRenderEventXml,
            &mut [],
            &mut used,
            &mut count,
        );
        let mut buffer = vec![0; used as usize];
        EvtRender(
            0,
            f.event,
            EvtRenderEventXml,
            &mut buffer,
            &mut used,
            &mut count,
        ) == TRUE
    }),
    ("EvtCreateBookmark", |_| EvtCreateBookmark(None) != 0),
    ("EvtUpdateBookmark", |f| {
        EvtUpdateBookmark(f.bookmark, f.event) == TRUE
    }),
    ("EvtOpenChannelEnum", |_| EvtOpenChannelEnum(0, 0) != 0),
    ("EvtNextChannelPath", |f| {
        let (mut buffer, mut used) = (vec![0; 512], 0);
        EvtNextChannelPath(f.channels, &mut buffer, &mut used) == TRUE
    }),
    ("EvtSubscribe", |f| {
        let sub = EvtSubscribe(
            0,
            f.signal,
            Some("Security"),
            None,
            0,
            None,
            EvtSubscribeToFutureEvents,
        );
        sub != 0 && {
            let _ = EvtClose(sub);
            true
        }
    }),
    ("CreateEvent", |_| CreateEvent(false, false) != 0),
    ("EvtClearLog", |_| {
        EvtClearLog(0, Some("Application"), None, 0) == TRUE
    }),
    ("EvtExportLog", |f| {
        let _ = std::fs::remove_file(&f.exported);
        EvtExportLog(0, Some("Security"), None, Some(&f.exported), 0) == TRUE
    }),
    ("EvtOpenLog", |_| {
        EvtOpenLog(0, Some("System"), EvtOpenChannelPath) != 0
    }),
    ("EvtGetLogInfo", |f| {
        let (mut buffer, mut used) = (vec![0; 64], 0);
        EvtGetLogInfo(f.log, EvtLogNumberOfLogRecords, &mut buffer, &mut used) == TRUE
    }),
    ("EvtArchiveExportedLog", |f| {
        let exported = f.dir.file("archived.evtx");
        EvtExportLog(0, Some("Security"), None, Some(&exported), 0) == TRUE && {
            f.fail();
            EvtArchiveExportedLog(0, Some(&exported), 0, 0) == TRUE
        }
    }),
    ("create_channel", |_| {
        controls::create_channel("Last-Error/Operational") == TRUE
    }),
    ("write_event_xml", |_| {
        let xml = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>\
                   <System><Provider Name='p'/><EventID>1</EventID><Level>4</Level>\
                   </System></Event>";
        controls::write_event_xml("Application", xml) == TRUE
    }),
    ("generate", |_| controls::generate("System", 3, 7) == TRUE),
    ("use_virtual_clock", |_| {
        controls::use_virtual_clock(133_000_000_000_000_000) == TRUE
    }),
    ("advance_clock", |_| controls::advance_clock(1000) == TRUE),
    // The empty list: no quirk (the service's default), so later rows run unchanged.
    ("set_quirks", |_| controls::set_quirks("") == TRUE),
    ("create_channel_of_type", |_| {
        create_channel_of_type("Last-Error/Analytic", 2) == TRUE
    }),
    ("register_event_source", |_| {
        controls::register_event_source(
            "Last-Error-Log",
            "Last-Error-Source",
            Some("x.dll"),
            None,
            0,
            None,
        ) == TRUE
    }),
    // Publisher and event metadata.
    ("EvtOpenPublisherEnum", |_| EvtOpenPublisherEnum(0, 0) != 0),
    ("EvtNextPublisherId", |f| {
        let publishers = EvtOpenPublisherEnum(0, 0);
        f.fail();
        let (mut buffer, mut used) = (vec![0; 256], 0);
        EvtNextPublisherId(publishers, &mut buffer, &mut used) == TRUE
    }),
    ("EvtOpenPublisherMetadata", |_| {
        EvtOpenPublisherMetadata(0, Some("Evtlog-Test-Provider"), None, 0, 0) != 0
    }),
    ("EvtGetPublisherMetadataProperty", |f| {
        let (mut buffer, mut used) = (vec![0; 64], 0);
        EvtGetPublisherMetadataProperty(
            f.metadata,
            EvtPublisherMetadataPublisherGuid,
            0,
            &mut buffer,
            &mut used,
        ) == TRUE
    }),
    ("EvtGetObjectArraySize", |f| {
        let mut size = 0;
        EvtGetObjectArraySize(f.channel_references, &mut size) == TRUE && size > 0
    }),
    ("EvtGetObjectArrayProperty", |f| {
        let (mut buffer, mut used) = (vec![0; 256], 0);
        EvtGetObjectArrayProperty(
            f.channel_references,
            EvtPublisherMetadataChannelReferencePath,
            0,
            0,
            &mut buffer,
            &mut used,
        ) == TRUE
    }),
    ("EvtOpenEventMetadataEnum", |f| {
        EvtOpenEventMetadataEnum(f.metadata, 0) != 0
    }),
    ("EvtNextEventMetadata", |f| {
        EvtNextEventMetadata(f.event_metadata_enum, 0) != 0
    }),
    ("EvtGetEventMetadataProperty", |f| {
        let (mut buffer, mut used) = (vec![0; 64], 0);
        EvtGetEventMetadataProperty(
            f.event_metadata,
            EventMetadataEventID,
            0,
            &mut buffer,
            &mut used,
        ) == TRUE
    }),
    ("EvtFormatMessage", |f| {
        // The provider's own name by its message id (EvtFormatMessageId).
        let id = publisher_u32(f.metadata, EvtPublisherMetadataPublisherMessageID);
        f.fail();
        let (mut buffer, mut used) = (vec![0; 256], 0);
        EvtFormatMessage(
            f.metadata,
            0,
            id,
            &[],
            EvtFormatMessageId,
            &mut buffer,
            &mut used,
        ) == TRUE
    }),
    // Channel configuration.
    ("EvtOpenChannelConfig", |_| {
        EvtOpenChannelConfig(0, Some("System"), 0) != 0
    }),
    ("EvtGetChannelConfigProperty", |f| {
        let (mut buffer, mut used) = (vec![0; 64], 0);
        EvtGetChannelConfigProperty(f.config, EvtChannelConfigEnabled, 0, &mut buffer, &mut used)
            == TRUE
    }),
    ("EvtSetChannelConfigProperty", |f| {
        let value = evtlog::Value::UInt64(2 * 1024 * 1024);
        EvtSetChannelConfigProperty(f.config, EvtChannelLoggingConfigMaxSize, 0, Some(&value))
            == TRUE
    }),
    ("EvtSaveChannelConfig", |f| {
        EvtSaveChannelConfig(f.config, 0) == TRUE
    }),
    // advapi32's classic event log: Windows does not promise the last error after a
    // success (Wine's tests saw GetEventLogInformation leave ERROR_IO_PENDING); evtlog
    // clears it as wevtapi does (README, fidelity).
    ("RegisterEventSourceW", |_| {
        RegisterEventSourceW(None, Some("Last-Error")) != 0
    }),
    ("ReportEventW", |f| {
        let strings = ["one".to_owned()];
        ReportEventW(
            f.source,
            EVENTLOG_INFORMATION_TYPE,
            0,
            1,
            None,
            &strings,
            &[],
        ) == TRUE
    }),
    ("DeregisterEventSource", |_| {
        let source = RegisterEventSourceW(None, Some("Last-Error"));
        DeregisterEventSource(source) == TRUE
    }),
    ("OpenEventLogW", |_| {
        OpenEventLogW(None, Some("Application")) != 0
    }),
    ("ReadEventLogW", |f| {
        let (mut buffer, mut read, mut needed) = (vec![0; 64 * 1024], 0, 0);
        let flags = EVENTLOG_SEQUENTIAL_READ | EVENTLOG_FORWARDS_READ;
        let log = OpenEventLogW(None, Some("Application"));
        f.fail();
        ReadEventLogW(log, flags, 0, &mut buffer, &mut read, &mut needed) == TRUE
    }),
    ("ReadEventLogA", |f| {
        let (mut buffer, mut read, mut needed) = (vec![0; 64 * 1024], 0, 0);
        let flags = EVENTLOG_SEQUENTIAL_READ | EVENTLOG_FORWARDS_READ;
        let log = OpenEventLogW(None, Some("Application"));
        f.fail();
        ReadEventLogA(log, flags, 0, &mut buffer, &mut read, &mut needed) == TRUE
    }),
    ("GetNumberOfEventLogRecords", |f| {
        let mut number = 0;
        GetNumberOfEventLogRecords(f.classic, &mut number) == TRUE
    }),
    ("GetOldestEventLogRecord", |f| {
        let mut oldest = 0;
        GetOldestEventLogRecord(f.classic, &mut oldest) == TRUE
    }),
    ("GetEventLogInformation", |f| {
        let (mut info, mut needed) = ([0u8; 4], 0);
        GetEventLogInformation(
            f.classic,
            EVENTLOG_FULL_INFO,
            Some(&mut info),
            Some(&mut needed),
        ) == TRUE
    }),
    ("NotifyChangeEventLog", |f| {
        NotifyChangeEventLog(f.classic, f.signal) == TRUE
    }),
    ("BackupEventLogW", |f| {
        BackupEventLogW(f.classic, Some(&f.dir.file("classic.evtx"))) == TRUE
    }),
    ("OpenBackupEventLogW", |f| {
        OpenBackupEventLogW(None, Some(&f.dir.file("classic.evtx"))) != 0
    }),
    ("ClearEventLogW", |f| {
        ClearEventLogW(f.classic, None) == TRUE
    }),
    ("CloseEventLog", |_| {
        let log = OpenEventLogW(None, Some("Application"));
        CloseEventLog(log) == TRUE
    }),
    // The metadata rows above need the manifest installed.
    ("uninstall_manifest", |f| {
        controls::uninstall_manifest(&f.manifest) == TRUE
    }),
    // A reinstall: metadata opened before it is stale (15037), so it comes after them.
    ("install_manifest", |f| {
        controls::install_manifest(&f.manifest) == TRUE
    }),
    // Stopping a trace when none runs.
    ("trace_to", |_| controls::trace_to(None) == TRUE),
    // The fault plan's controls: faults that never hit or touch nothing the rows use,
    // cleared last.
    ("inject_fault", |_| {
        controls::inject_fault("EvtNext", u32::MAX, 1, 5) == TRUE
    }),
    ("inject_delay", |_| {
        controls::inject_delay("EvtNext", u32::MAX, 1, 1) == TRUE
    }),
    ("inject_plan", |_| {
        controls::inject_plan("EvtQuery@4000000000:5") == TRUE
    }),
    ("remove_publisher", |_| {
        controls::remove_publisher("Last-Error-No-Such-Publisher") == TRUE
    }),
    ("fail_messages", |_| {
        controls::fail_messages("Last-Error-No-Such-Publisher", 15027) == TRUE
    }),
    ("deny_channel_access", |_| {
        controls::deny_channel_access("Last-Error-No-Such-Channel") == TRUE
    }),
    ("fill_channel", |_| {
        controls::fill_channel("Last-Error/Operational") == TRUE
    }),
    ("clear_faults", |_| controls::clear_faults() == TRUE),
    // Remote computers and the service lifecycle, last: a restart invalidates the handles
    // above (event handles, which `fail` renders, stay readable).
    ("register_computer", |_| {
        controls::register_computer("LAST-ERROR", None) == TRUE
    }),
    ("set_computer_delay", |_| {
        controls::set_computer_delay("LAST-ERROR", 5) == TRUE
    }),
    ("set_computer_credentials", |_| {
        controls::set_computer_credentials("LAST-ERROR", Some("u"), Some("p")) == TRUE
    }),
    ("forward_events", |_| {
        controls::forward_events(Some("LAST-ERROR"), None, "Application", None) == TRUE
    }),
    ("set_computer_offline", |_| {
        controls::set_computer_offline("LAST-ERROR", true) == TRUE
            && controls::set_computer_offline("LAST-ERROR", false) == TRUE
    }),
    ("reboot_computer", |_| {
        controls::reboot_computer("LAST-ERROR") == TRUE
    }),
    ("stop_service", |_| controls::stop_service() == TRUE),
    ("start_service", |_| controls::start_service() == TRUE),
];

/// After a failed size probe, each function's success leaves ERROR_SUCCESS and no
/// extended status.
#[test]
fn a_success_clears_the_last_error_and_the_extended_status() {
    let _s = service(20);
    let mut f = Fixture::new();
    for (name, call) in SUCCEEDING {
        f.fail();
        assert!(call(&mut f), "{name} succeeds ({})", GetLastError());
        assert_eq!(GetLastError(), 0, "{name}: ERROR_SUCCESS after a success");
        assert_eq!(
            extended_status(),
            "",
            "{name}: the extended status is cleared"
        );
    }
    // reset closes every handle, the fixture's among them: last.
    f.fail();
    assert_eq!(controls::reset(), TRUE);
    assert_eq!(GetLastError(), 0, "reset");
    let store = crate::TempDir::new("last-error-store");
    // The fixture's handles are closed: a failure of another kind to clear.
    assert_eq!(EvtClose(0), FALSE);
    assert_ne!(GetLastError(), 0);
    assert_eq!(controls::reset_to_store(&store.0), TRUE);
    assert_eq!(GetLastError(), 0, "reset_to_store");
    // A store that cannot be opened (a file where its directory should be) fails and says so.
    let file = store.0.join("Application.evtx");
    assert_eq!(controls::reset_to_store(&file), FALSE);
    assert_ne!(GetLastError(), 0, "reset_to_store's failure");
    assert_eq!(controls::reset(), TRUE);
}

/// EvtGetExtendedStatus neither sets nor clears the state it reports, so its own
/// size probe (122 as its return value) and the retry read the same text, and the last
/// error is still the failure's afterwards.
#[test]
fn extended_status_reads_the_state_and_leaves_it() {
    let _s = service(3);
    assert_eq!(EvtQuery(0, Some("Security"), Some("*[System["), 0), 0);
    assert_eq!(GetLastError(), 15001);
    let mut used = 0;
    assert_eq!(EvtGetExtendedStatus(&mut [], &mut used), 122);
    assert_eq!(
        GetLastError(),
        15001,
        "the probe's 122 is its return, not the last error"
    );
    let first = extended_status();
    assert!(first.contains("position"), "{first}");
    assert_eq!(extended_status(), first, "reading it does not clear it");
    assert_eq!(GetLastError(), 15001);
}

/// kernel32's event functions set the last error only on failure, as on Windows: a
/// success leaves the caller's value (CreateEvent, like Windows', sets it: it is in the
/// table above).
#[test]
fn kernel32_event_functions_leave_the_last_error_on_success() {
    let _s = service(1);
    let signal = CreateEvent(true, false);
    let calls: &[(&str, &dyn Fn() -> bool)] = &[
        ("SetEvent", &|| SetEvent(signal) == TRUE),
        ("WaitForSingleObject", &|| {
            WaitForSingleObject(signal, 0) == WAIT_OBJECT_0
        }),
        ("ResetEvent", &|| ResetEvent(signal) == TRUE),
        ("CloseHandle", &|| CloseHandle(signal) == TRUE),
    ];
    for (name, call) in calls {
        SetLastError(122);
        assert!(call(), "{name}");
        assert_eq!(GetLastError(), 122, "{name} leaves the last error");
    }
    assert_eq!(SetEvent(signal), FALSE, "closed");
    assert_eq!(GetLastError(), 6);
}

/// evntprov.h's provider functions return their Win32 code (ULONG, or a BOOLEAN) and leave
/// the thread's last error as it was, as Windows' do (they are not BOOL/handle functions
/// of the last-error protocol): a success after a failure leaves the failure's code.
#[test]
fn provider_functions_return_their_code_and_leave_the_last_error() {
    let _s = service(1);
    let guid = evtlog::Guid::from_u128(0x1a57_e770);
    let handle = std::cell::Cell::new(0 as REGHANDLE);
    let descriptor = evtlog::EventDescriptor {
        id: 1,
        version: 0,
        channel: 0,
        level: 4,
        opcode: 0,
        task: 0,
        keyword: 0,
    };
    let mut activity = evtlog::Guid::from_u128(0);
    let calls: &mut [(&str, &mut dyn FnMut() -> bool)] = &mut [
        ("EventRegister", &mut || {
            let mut h = 0;
            let ok = EventRegister(Some(&guid), None, Some(&mut h)) == 0 && h != 0;
            handle.set(h);
            ok
        }),
        ("EventWrite", &mut || {
            EventWrite(handle.get(), Some(&descriptor), &[b"x"]) == 0
        }),
        ("EventWriteTransfer", &mut || {
            EventWriteTransfer(handle.get(), Some(&descriptor), None, None, &[]) == 0
        }),
        ("EventWriteEx", &mut || {
            EventWriteEx(handle.get(), Some(&descriptor), 0, 0, None, None, &[]) == 0
        }),
        ("EventWriteString", &mut || {
            EventWriteString(handle.get(), 4, 0, Some("text")) == 0
        }),
        ("EventEnabled", &mut || {
            !EventEnabled(handle.get(), Some(&descriptor))
        }),
        ("EventProviderEnabled", &mut || {
            !EventProviderEnabled(handle.get(), 4, 0)
        }),
        ("EventActivityIdControl", &mut || {
            EventActivityIdControl(EVENT_ACTIVITY_CTRL_CREATE_ID, Some(&mut activity)) == 0
        }),
        ("EventUnregister", &mut || {
            EventUnregister(handle.get()) == 0
        }),
    ];
    for (name, call) in calls.iter_mut() {
        SetLastError(122);
        assert!(call(), "{name} succeeds");
        assert_eq!(GetLastError(), 122, "{name} leaves the last error");
    }
    assert_eq!(EventUnregister(handle.get()), 6, "a code, returned");
    assert_eq!(GetLastError(), 122, "and the last error left");
}

/// Every Windows function of the facade (a capitalised `pub fn` of src/winevt) and every
/// engine control is in one of the tables above, so a function added later cannot miss the
/// rule's test.
#[test]
fn every_facade_function_has_a_row() {
    let elsewhere = [
        "EvtGetExtendedStatus",
        "GetLastError",
        "SetLastError",
        "SetEvent",
        "ResetEvent",
        "WaitForSingleObject",
        "CloseHandle",
        // evntprov.h's: they return their code (the test above).
        "EventRegister",
        "EventUnregister",
        "EventWrite",
        "EventWriteTransfer",
        "EventWriteEx",
        "EventWriteString",
        "EventEnabled",
        "EventProviderEnabled",
        "EventActivityIdControl",
        // Last in the success test (they close every handle).
        "reset",
        "reset_to_store",
        // Not wevtapi functions: the service's engine, and its quirks, for Rust tests and
        // the C ABI (which calls no function of its own through them).
        "engine",
        "quirks",
    ];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/winevt");
    let mut missing = Vec::new();
    let mut walk = vec![dir];
    while let Some(dir) = walk.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for line in text.lines() {
                let Some(rest) = line.strip_prefix("pub fn ") else {
                    continue;
                };
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                // Windows' functions have Windows' (capitalised) names; the engine
                // controls are the lower-case `pub fn`s of controls.rs.
                let windows = name.starts_with(|c: char| c.is_ascii_uppercase());
                if !windows && !path.ends_with("controls.rs") {
                    continue;
                }
                let covered = SUCCEEDING.iter().any(|(n, _)| *n == name)
                    || elsewhere.contains(&name.as_str());
                if !covered {
                    missing.push(format!("{name} ({})", path.display()));
                }
            }
        }
    }
    // Every engine control the C ABI exports (`evtlog_<name>`), wherever the facade
    // defines it.
    let ffi = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("ffi/src");
    for entry in std::fs::read_dir(ffi).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let export = "extern \"system\" fn evtlog_";
        for (at, _) in text.match_indices(export) {
            let name: String = text[at + export.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let covered =
                SUCCEEDING.iter().any(|(n, _)| *n == name) || elsewhere.contains(&name.as_str());
            if !covered {
                missing.push(format!("evtlog_{name} ({})", path.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "facade functions without a last-error row: {missing:?}"
    );
}
