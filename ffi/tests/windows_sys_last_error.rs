//! The last-error rule through the C ABI, export by export: after a failed size probe
//! (ERROR_INSUFFICIENT_BUFFER), every successful call leaves GetLastError() ==
//! ERROR_SUCCESS and no extended status, as Microsoft's samples require, the classic advapi32 functions included (README, fidelity); kernel32's SetEvent,
//! ResetEvent, WaitForSingleObject and CloseHandle, and evntprov.h's provider functions
//! (which return their code), leave it. The last test checks every export has a row.

use std::ptr::{null, null_mut};

use wevtapi::*;

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain([0]).collect()
}

/// The handles the rows use.
struct Fixture {
    query: EVT_HANDLE,
    event: EVT_HANDLE,
    bookmark: EVT_HANDLE,
    channels: EVT_HANDLE,
    log: EVT_HANDLE,
    signal: HANDLE,
    exported: Vec<u16>,
    /// The test provider's manifest (installed), its metadata, an event's metadata, an
    /// event metadata enumerator and the channel references' object array.
    manifest: Vec<u16>,
    metadata: EVT_HANDLE,
    event_metadata: EVT_HANDLE,
    event_metadata_enum: EVT_HANDLE,
    channel_references: EVT_HANDLE,
    /// Application's channel configuration.
    config: EVT_HANDLE,
    /// A classic event source, the classic Application log, a backup file's name (UTF-16
    /// and bytes).
    source: HANDLE,
    classic: HANDLE,
    backup: Vec<u16>,
    backup_a: Vec<u8>,
}

/// A publisher property's variant (the first 8 bytes: a u32 or a handle).
unsafe fn publisher_property(metadata: EVT_HANDLE, id: EVT_PUBLISHER_METADATA_PROPERTY_ID) -> u64 {
    let (mut buffer, mut used) = ([0u64; 8], 0);
    let size = std::mem::size_of_val(&buffer) as u32;
    let ok = EvtGetPublisherMetadataProperty(
        metadata,
        id,
        0,
        size,
        buffer.as_mut_ptr().cast(),
        &mut used,
    );
    assert_eq!(ok, TRUE, "property {id}: {}", GetLastError());
    buffer[0]
}

/// A sequential forward read of a fresh OpenEventLog handle of Application, after `fail`.
unsafe fn read_classic(
    f: &Fixture,
    read: unsafe extern "system" fn(
        HANDLE,
        READ_EVENT_LOG_READ_FLAGS,
        u32,
        *mut std::ffi::c_void,
        u32,
        *mut u32,
        *mut u32,
    ) -> BOOL,
) -> bool {
    let log = OpenEventLogW(null(), wide("Application").as_ptr());
    fail(f);
    let mut buffer = vec![0u8; 64 * 1024];
    let (mut read_bytes, mut needed) = (0, 0);
    let flags = EVENTLOG_SEQUENTIAL_READ | EVENTLOG_FORWARDS_READ;
    read(
        log,
        flags,
        0,
        buffer.as_mut_ptr().cast(),
        buffer.len() as u32,
        &mut read_bytes,
        &mut needed,
    ) == TRUE
}

/// A failed EvtRender size probe: 122 and its message as the extended status.
unsafe fn fail(f: &Fixture) {
    let (mut used, mut count) = (0, 0);
    let ok = EvtRender(
        0,
        f.event,
        EvtRenderEventXml,
        0,
        null_mut(),
        &mut used,
        &mut count,
    );
    assert_eq!(ok, FALSE);
    assert_eq!(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    assert!(extended_status_len() > 0);
}

/// The extended status's length in WCHARs (0: none).
unsafe fn extended_status_len() -> u32 {
    let mut used = 0;
    EvtGetExtendedStatus(0, null_mut(), &mut used);
    used
}

type Row = (&'static str, fn(&Fixture) -> bool);

/// A row: a successful call of the export `$name`, made with the fixture's handles.
macro_rules! row {
    ($name:literal, |$f:pat_param| $body:expr) => {
        ($name, {
            fn call($f: &Fixture) -> bool {
                // SAFETY: the fixture's handles are live; every pointer passed points to a
                // live local of the size given; every string is NUL-terminated.
                unsafe { $body }
            }
            call
        })
    };
}

const ROWS: &[Row] = &[
    row!("EvtOpenSession", |_| {
        let login = EVT_RPC_LOGIN {
            Server: null_mut(),
            User: null_mut(),
            Domain: null_mut(),
            Password: null_mut(),
            Flags: EvtRpcLoginAuthDefault,
        };
        let session = EvtOpenSession(EvtRpcLogin, (&login as *const EVT_RPC_LOGIN).cast(), 0, 0);
        session != 0 && EvtClose(session) == TRUE
    }),
    row!("EvtClose", |_| EvtClose(EvtCreateBookmark(null())) == TRUE),
    row!("EvtCancel", |_| EvtCancel(0) == TRUE),
    row!("EvtQuery", |_| {
        EvtQuery(0, wide("Security").as_ptr(), null(), EvtQueryChannelPath) != 0
    }),
    row!("EvtNext", |f| {
        let (mut events, mut returned) = ([0; 2], 0);
        EvtNext(f.query, 2, events.as_mut_ptr(), INFINITE, 0, &mut returned) == TRUE
    }),
    row!("EvtSeek", |f| {
        EvtSeek(f.query, 0, 0, 0, EvtSeekRelativeToFirst) == TRUE
    }),
    row!("EvtGetQueryInfo", |f| {
        let (mut buffer, mut used) = ([0u64; 32], 0);
        let size = std::mem::size_of_val(&buffer) as u32;
        EvtGetQueryInfo(
            f.query,
            EvtQueryNames,
            size,
            buffer.as_mut_ptr().cast(),
            &mut used,
        ) == TRUE
    }),
    row!("EvtGetEventInfo", |f| {
        let (mut buffer, mut used) = ([0u64; 32], 0);
        let size = std::mem::size_of_val(&buffer) as u32;
        EvtGetEventInfo(
            f.event,
            EvtEventPath,
            size,
            buffer.as_mut_ptr().cast(),
            &mut used,
        ) == TRUE
    }),
    row!("EvtCreateRenderContext", |_| {
        EvtCreateRenderContext(0, null(), EvtRenderContextSystem) != 0
    }),
    row!("EvtRender", |f| {
        let (mut used, mut count) = (0, 0);
        EvtRender(
            0,
            f.event,
            EvtRenderEventXml,
            0,
            null_mut(),
            &mut used,
            &mut count,
        );
        let mut buffer = vec![0u8; used as usize];
        let ptr = buffer.as_mut_ptr().cast();
        EvtRender(
            0,
            f.event,
            EvtRenderEventXml,
            used,
            ptr,
            &mut used,
            &mut count,
        ) == TRUE
    }),
    row!("EvtCreateBookmark", |_| EvtCreateBookmark(null()) != 0),
    row!("EvtUpdateBookmark", |f| {
        EvtUpdateBookmark(f.bookmark, f.event) == TRUE
    }),
    row!("EvtOpenChannelEnum", |_| EvtOpenChannelEnum(0, 0) != 0),
    row!("EvtNextChannelPath", |f| {
        let (mut buffer, mut used) = ([0u16; 256], 0);
        EvtNextChannelPath(f.channels, 256, buffer.as_mut_ptr(), &mut used) == TRUE
    }),
    row!("EvtSubscribe", |f| {
        let sub = EvtSubscribe(
            0,
            f.signal,
            wide("Security").as_ptr(),
            null(),
            0,
            null(),
            None,
            EvtSubscribeToFutureEvents,
        );
        sub != 0 && EvtClose(sub) == TRUE
    }),
    row!("CreateEventW", |_| {
        !CreateEventW(null(), TRUE, FALSE, null()).is_null()
    }),
    row!("EvtClearLog", |_| {
        EvtClearLog(0, wide("Application").as_ptr(), null(), 0) == TRUE
    }),
    row!("EvtExportLog", |f| {
        EvtExportLog(
            0,
            wide("Security").as_ptr(),
            null(),
            f.exported.as_ptr(),
            0x2001,
        ) == TRUE
    }),
    row!("EvtArchiveExportedLog", |f| {
        EvtArchiveExportedLog(0, f.exported.as_ptr(), 0, 0) == TRUE
    }),
    row!("EvtOpenLog", |_| {
        EvtOpenLog(0, wide("System").as_ptr(), EvtOpenChannelPath) != 0
    }),
    row!("EvtGetLogInfo", |f| {
        let (mut buffer, mut used) = ([0u64; 4], 0);
        let size = std::mem::size_of_val(&buffer) as u32;
        let id = EvtLogNumberOfLogRecords;
        EvtGetLogInfo(f.log, id, size, buffer.as_mut_ptr().cast(), &mut used) == TRUE
    }),
    row!("evtlog_create_channel", |_| {
        evtlog_create_channel(wide("Ffi-Last-Error/Operational").as_ptr()) == TRUE
    }),
    row!("evtlog_write_event_xml", |_| {
        let xml = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>\
                   <System><Provider Name='p'/><EventID>1</EventID></System></Event>";
        evtlog_write_event_xml(wide("Application").as_ptr(), wide(xml).as_ptr()) == TRUE
    }),
    row!("evtlog_generate", |_| {
        evtlog_generate(wide("System").as_ptr(), 2, 1) == TRUE
    }),
    row!("evtlog_use_virtual_clock", |_| {
        evtlog_use_virtual_clock(133_000_000_000_000_000) == TRUE
    }),
    row!("evtlog_advance_clock", |_| evtlog_advance_clock(10) == TRUE),
    // NULL: no quirk (the default), so later rows run unchanged.
    row!("evtlog_set_quirks", |_| evtlog_set_quirks(null()) == TRUE),
    row!("evtlog_create_channel_of_type", |_| {
        evtlog_create_channel_of_type(wide("Ffi-Last-Error/Debug").as_ptr(), 3) == TRUE
    }),
    row!("evtlog_register_event_source", |_| {
        let (log, source) = (wide("Ffi-Last-Error-Log"), wide("Ffi-Last-Error-Source"));
        evtlog_register_event_source(log.as_ptr(), source.as_ptr(), null(), null(), 0, null())
            == TRUE
    }),
    // Publisher and event metadata, EvtFormatMessage.
    row!("EvtOpenPublisherEnum", |_| EvtOpenPublisherEnum(0, 0) != 0),
    row!("EvtNextPublisherId", |f| {
        let publishers = EvtOpenPublisherEnum(0, 0);
        fail(f);
        let (mut buffer, mut used) = ([0u16; 256], 0);
        EvtNextPublisherId(publishers, 256, buffer.as_mut_ptr(), &mut used) == TRUE
    }),
    row!("EvtOpenPublisherMetadata", |_| {
        EvtOpenPublisherMetadata(0, wide("Evtlog-Test-Provider").as_ptr(), null(), 0, 0) != 0
    }),
    row!("EvtGetPublisherMetadataProperty", |f| {
        let (mut buffer, mut used) = ([0u64; 8], 0);
        let size = std::mem::size_of_val(&buffer) as u32;
        let id = EvtPublisherMetadataPublisherGuid;
        EvtGetPublisherMetadataProperty(
            f.metadata,
            id,
            0,
            size,
            buffer.as_mut_ptr().cast(),
            &mut used,
        ) == TRUE
    }),
    row!("EvtGetObjectArraySize", |f| {
        let mut size = 0;
        EvtGetObjectArraySize(f.channel_references, &mut size) == TRUE && size > 0
    }),
    row!("EvtGetObjectArrayProperty", |f| {
        let (mut buffer, mut used) = ([0u64; 32], 0);
        let size = std::mem::size_of_val(&buffer) as u32;
        let id = EvtPublisherMetadataChannelReferencePath as u32;
        EvtGetObjectArrayProperty(
            f.channel_references,
            id,
            0,
            0,
            size,
            buffer.as_mut_ptr().cast(),
            &mut used,
        ) == TRUE
    }),
    row!("EvtOpenEventMetadataEnum", |f| EvtOpenEventMetadataEnum(
        f.metadata, 0
    ) != 0),
    row!("EvtNextEventMetadata", |f| EvtNextEventMetadata(
        f.event_metadata_enum,
        0
    ) != 0),
    row!("EvtGetEventMetadataProperty", |f| {
        let (mut buffer, mut used) = ([0u64; 8], 0);
        let size = std::mem::size_of_val(&buffer) as u32;
        EvtGetEventMetadataProperty(
            f.event_metadata,
            EventMetadataEventID,
            0,
            size,
            buffer.as_mut_ptr().cast(),
            &mut used,
        ) == TRUE
    }),
    row!("EvtFormatMessage", |f| {
        let id = publisher_property(f.metadata, EvtPublisherMetadataPublisherMessageID) as u32;
        fail(f);
        let (mut buffer, mut used) = ([0u16; 256], 0);
        EvtFormatMessage(
            f.metadata,
            0,
            id,
            0,
            null(),
            EvtFormatMessageId,
            256,
            buffer.as_mut_ptr(),
            &mut used,
        ) == TRUE
    }),
    // Channel configuration.
    row!("EvtOpenChannelConfig", |_| {
        EvtOpenChannelConfig(0, wide("System").as_ptr(), 0) != 0
    }),
    row!("EvtGetChannelConfigProperty", |f| {
        let (mut buffer, mut used) = ([0u64; 8], 0);
        let size = std::mem::size_of_val(&buffer) as u32;
        EvtGetChannelConfigProperty(
            f.config,
            EvtChannelConfigEnabled,
            0,
            size,
            buffer.as_mut_ptr().cast(),
            &mut used,
        ) == TRUE
    }),
    row!("EvtSetChannelConfigProperty", |f| {
        let value = EVT_VARIANT {
            Anonymous: EVT_VARIANT_0 {
                UInt64Val: 2 * 1024 * 1024,
            },
            Count: 0,
            Type: EvtVarTypeUInt64 as u32,
        };
        EvtSetChannelConfigProperty(f.config, EvtChannelLoggingConfigMaxSize, 0, &value) == TRUE
    }),
    row!("EvtSaveChannelConfig", |f| EvtSaveChannelConfig(
        f.config, 0
    ) == TRUE),
    // advapi32's classic event log.
    row!("RegisterEventSourceW", |_| {
        !RegisterEventSourceW(null(), wide("Ffi-Last-Error").as_ptr()).is_null()
    }),
    row!("RegisterEventSourceA", |_| {
        !RegisterEventSourceA(null(), c"Ffi-Last-Error".as_ptr().cast()).is_null()
    }),
    row!("ReportEventW", |f| {
        let text = wide("one");
        let strings = [text.as_ptr()];
        let t = EVENTLOG_INFORMATION_TYPE;
        ReportEventW(
            f.source,
            t,
            0,
            1,
            null_mut(),
            1,
            0,
            strings.as_ptr(),
            null(),
        ) == TRUE
    }),
    row!("ReportEventA", |f| {
        let strings = [c"one".as_ptr().cast::<u8>()];
        let t = EVENTLOG_INFORMATION_TYPE;
        ReportEventA(
            f.source,
            t,
            0,
            2,
            null_mut(),
            1,
            0,
            strings.as_ptr(),
            null(),
        ) == TRUE
    }),
    row!("DeregisterEventSource", |f| {
        let source = RegisterEventSourceW(null(), wide("Ffi-Last-Error").as_ptr());
        fail(f);
        DeregisterEventSource(source) == TRUE
    }),
    row!("OpenEventLogW", |_| {
        !OpenEventLogW(null(), wide("Application").as_ptr()).is_null()
    }),
    row!("OpenEventLogA", |_| {
        !OpenEventLogA(null(), c"Application".as_ptr().cast()).is_null()
    }),
    row!("ReadEventLogW", |f| read_classic(f, ReadEventLogW)),
    row!("ReadEventLogA", |f| read_classic(f, ReadEventLogA)),
    row!("GetNumberOfEventLogRecords", |f| {
        let mut number = 0;
        GetNumberOfEventLogRecords(f.classic, &mut number) == TRUE
    }),
    row!("GetOldestEventLogRecord", |f| {
        let mut oldest = 0;
        GetOldestEventLogRecord(f.classic, &mut oldest) == TRUE
    }),
    row!("GetEventLogInformation", |f| {
        let (mut info, mut needed) = (EVENTLOG_FULL_INFORMATION { dwFull: 7 }, 0);
        let size = std::mem::size_of_val(&info) as u32;
        let ptr = (&mut info as *mut EVENTLOG_FULL_INFORMATION).cast();
        GetEventLogInformation(f.classic, EVENTLOG_FULL_INFO, ptr, size, &mut needed) == TRUE
    }),
    row!("NotifyChangeEventLog", |f| NotifyChangeEventLog(
        f.classic, f.signal
    ) == TRUE),
    row!("BackupEventLogW", |f| BackupEventLogW(
        f.classic,
        f.backup.as_ptr()
    ) == TRUE),
    row!("OpenBackupEventLogW", |f| {
        !OpenBackupEventLogW(null(), f.backup.as_ptr()).is_null()
    }),
    row!("BackupEventLogA", |f| BackupEventLogA(
        f.classic,
        f.backup_a.as_ptr()
    ) == TRUE),
    row!("OpenBackupEventLogA", |f| {
        !OpenBackupEventLogA(null(), f.backup_a.as_ptr()).is_null()
    }),
    row!("ClearEventLogW", |f| ClearEventLogW(f.classic, null())
        == TRUE),
    row!("ClearEventLogA", |f| ClearEventLogA(f.classic, null())
        == TRUE),
    row!("CloseEventLog", |f| {
        let log = OpenEventLogW(null(), wide("Application").as_ptr());
        fail(f);
        CloseEventLog(log) == TRUE
    }),
    // The manifest's last: the metadata rows need it installed, and a reinstall makes
    // metadata opened before it stale.
    row!("evtlog_uninstall_manifest", |f| evtlog_uninstall_manifest(
        f.manifest.as_ptr()
    ) == TRUE),
    row!("evtlog_install_manifest", |f| evtlog_install_manifest(
        f.manifest.as_ptr()
    ) == TRUE),
    // The fault plan's controls: faults that never hit or touch nothing the rows use, and
    // cleared last.
    row!("evtlog_inject_fault", |_| {
        evtlog_inject_fault(wide("EvtNext").as_ptr(), u32::MAX, 1, 5) == TRUE
    }),
    row!("evtlog_inject_delay", |_| {
        evtlog_inject_delay(wide("EvtNext").as_ptr(), u32::MAX, 1, 1) == TRUE
    }),
    row!("evtlog_inject_plan", |_| {
        evtlog_inject_plan(wide("EvtQuery@4000000000:5").as_ptr()) == TRUE
    }),
    row!("evtlog_remove_publisher", |_| {
        evtlog_remove_publisher(wide("Ffi-No-Such-Publisher").as_ptr()) == TRUE
    }),
    row!("evtlog_fail_messages", |_| {
        evtlog_fail_messages(wide("Ffi-No-Such-Publisher").as_ptr(), 15027) == TRUE
    }),
    row!("evtlog_deny_channel_access", |_| {
        evtlog_deny_channel_access(wide("Ffi-No-Such-Channel").as_ptr()) == TRUE
    }),
    row!("evtlog_fill_channel", |_| {
        evtlog_fill_channel(wide("Ffi-Last-Error/Operational").as_ptr()) == TRUE
    }),
    row!("evtlog_clear_faults", |_| evtlog_clear_faults() == TRUE),
    // Remote computers and the service lifecycle, last: a restart invalidates the handles
    // above (event handles, which `fail` renders, stay readable).
    row!("evtlog_register_computer", |_| {
        evtlog_register_computer(wide("FFI-LAST-ERROR").as_ptr(), null()) == TRUE
    }),
    row!("evtlog_set_computer_delay", |_| {
        evtlog_set_computer_delay(wide("FFI-LAST-ERROR").as_ptr(), 5) == TRUE
    }),
    row!("evtlog_set_computer_credentials", |_| {
        let name = wide("FFI-LAST-ERROR");
        evtlog_set_computer_credentials(name.as_ptr(), wide("u").as_ptr(), wide("p").as_ptr())
            == TRUE
    }),
    row!("evtlog_forward_events", |_| {
        let name = wide("FFI-LAST-ERROR");
        evtlog_forward_events(name.as_ptr(), null(), wide("Application").as_ptr(), null()) == TRUE
    }),
    row!("evtlog_set_computer_offline", |_| {
        evtlog_set_computer_offline(wide("FFI-LAST-ERROR").as_ptr(), TRUE) == TRUE
            && evtlog_set_computer_offline(wide("FFI-LAST-ERROR").as_ptr(), FALSE) == TRUE
    }),
    row!("evtlog_reboot_computer", |_| {
        evtlog_reboot_computer(wide("FFI-LAST-ERROR").as_ptr()) == TRUE
    }),
    row!("evtlog_stop_service", |_| evtlog_stop_service() == TRUE),
    row!("evtlog_start_service", |_| evtlog_start_service() == TRUE),
];

#[test]
fn every_export_clears_the_last_error_on_success() {
    let dir = std::env::temp_dir().join(format!("wevtapi-last-error-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let exported = wide(dir.join("exported.evtx").to_str().unwrap());
    // SAFETY: every pointer passed points to a live local of the size given, every string
    // is NUL-terminated; this binary's only test uses the service alone.
    unsafe {
        assert_eq!(evtlog_reset(), TRUE);
        assert_eq!(evtlog_generate(wide("Security").as_ptr(), 10, 3), TRUE);
        let query = EvtQuery(0, wide("Security").as_ptr(), null(), EvtQueryChannelPath);
        let (mut events, mut returned) = ([0; 1], 0);
        assert_eq!(
            EvtNext(query, 1, events.as_mut_ptr(), INFINITE, 0, &mut returned),
            TRUE
        );
        let manifest_path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../fixtures/manifests/evtlog-test.man");
        let manifest = wide(manifest_path.to_str().unwrap());
        assert_eq!(evtlog_install_manifest(manifest.as_ptr()), TRUE);
        let metadata =
            EvtOpenPublisherMetadata(0, wide("Evtlog-Test-Provider").as_ptr(), null(), 0, 0);
        assert_ne!(metadata, 0);
        let channel_references =
            publisher_property(metadata, EvtPublisherMetadataChannelReferences) as EVT_HANDLE;
        let event_metadata = EvtNextEventMetadata(EvtOpenEventMetadataEnum(metadata, 0), 0);
        assert_ne!(event_metadata, 0);
        let source = wide("Ffi-Last-Error");
        assert_eq!(
            evtlog_register_event_source(
                wide("Application").as_ptr(),
                source.as_ptr(),
                null(),
                null(),
                0,
                null()
            ),
            TRUE
        );
        let backup = dir.join("classic.evtx").to_str().unwrap().to_owned();
        let backup_a = dir.join("classic-a.evtx").to_str().unwrap().to_owned();
        let f = Fixture {
            manifest,
            metadata,
            event_metadata,
            event_metadata_enum: EvtOpenEventMetadataEnum(metadata, 0),
            channel_references,
            config: EvtOpenChannelConfig(0, wide("Application").as_ptr(), 0),
            source: RegisterEventSourceW(null(), source.as_ptr()),
            classic: OpenEventLogW(null(), wide("Application").as_ptr()),
            backup: wide(&backup),
            backup_a: backup_a.bytes().chain([0]).collect(),
            query,
            event: events[0],
            bookmark: EvtCreateBookmark(null()),
            channels: EvtOpenChannelEnum(0, 0),
            log: EvtOpenLog(0, wide("Security").as_ptr(), EvtOpenChannelPath),
            signal: CreateEventW(null(), TRUE, FALSE, null()),
            exported,
        };
        for (name, call) in ROWS {
            fail(&f);
            assert!(call(&f), "{name} succeeds ({})", GetLastError());
            assert_eq!(GetLastError(), ERROR_SUCCESS, "{name}");
            assert_eq!(extended_status_len(), 0, "{name}: no extended status");
        }
        // kernel32's event functions leave it, as on Windows.
        let kernel32: &[Row] = &[
            row!("SetEvent", |f| SetEvent(f.signal) == TRUE),
            row!("WaitForSingleObject", |f| {
                WaitForSingleObject(f.signal, 0) == WAIT_OBJECT_0
            }),
            row!("ResetEvent", |f| ResetEvent(f.signal) == TRUE),
            row!("CloseHandle", |f| CloseHandle(f.signal) == TRUE),
        ];
        for (name, call) in kernel32 {
            fail(&f);
            assert!(call(&f), "{name} succeeds");
            assert_eq!(
                GetLastError(),
                ERROR_INSUFFICIENT_BUFFER,
                "{name} leaves it"
            );
        }
        // evntprov.h's provider functions return their code and leave it, as on Windows.
        let guid = GUID {
            data1: 0x1a57_e770,
            data2: 1,
            data3: 2,
            data4: [3; 8],
        };
        let handle = std::cell::Cell::new(0 as REGHANDLE);
        let descriptor = EVENT_DESCRIPTOR {
            Id: 1,
            Version: 0,
            Channel: 0,
            Level: 4,
            Opcode: 0,
            Task: 0,
            Keyword: 0,
        };
        let mut activity = GUID::default();
        let text = wide("text");
        let calls: &mut [(&str, &mut dyn FnMut() -> bool)] = &mut [
            ("EventRegister", &mut || {
                let mut h = 0u64;
                let ok = EventRegister(&guid, None, null(), &mut h) == ERROR_SUCCESS;
                handle.set(h as REGHANDLE);
                ok
            }),
            ("EventWrite", &mut || {
                EventWrite(handle.get(), &descriptor, 0, null()) == ERROR_SUCCESS
            }),
            ("EventWriteTransfer", &mut || {
                EventWriteTransfer(handle.get(), &descriptor, null(), null(), 0, null())
                    == ERROR_SUCCESS
            }),
            ("EventWriteEx", &mut || {
                EventWriteEx(handle.get(), &descriptor, 0, 0, null(), null(), 0, null())
                    == ERROR_SUCCESS
            }),
            ("EventWriteString", &mut || {
                EventWriteString(handle.get(), 4, 0, text.as_ptr()) == ERROR_SUCCESS
            }),
            ("EventEnabled", &mut || {
                EventEnabled(handle.get(), &descriptor) == 0
            }),
            ("EventProviderEnabled", &mut || {
                EventProviderEnabled(handle.get(), 4, 0) == 0
            }),
            ("EventActivityIdControl", &mut || {
                EventActivityIdControl(EVENT_ACTIVITY_CTRL_CREATE_ID, &mut activity)
                    == ERROR_SUCCESS
            }),
            ("EventUnregister", &mut || {
                EventUnregister(handle.get()) == ERROR_SUCCESS
            }),
        ];
        for (name, call) in calls.iter_mut() {
            fail(&f);
            assert!(call(), "{name} succeeds");
            assert_eq!(
                GetLastError(),
                ERROR_INSUFFICIENT_BUFFER,
                "{name} leaves it"
            );
        }
        fail(&f);
        assert_eq!(evtlog_reset(), TRUE);
        assert_eq!(GetLastError(), ERROR_SUCCESS, "evtlog_reset");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every export (an `extern "system" fn` of the crate) has a row above, so a function added
/// later cannot miss the rule's test.
#[test]
fn every_export_has_a_row() {
    let elsewhere = [
        // They read or set the state itself.
        "GetLastError",
        "SetLastError",
        "EvtGetExtendedStatus",
        // kernel32's and evntprov.h's: they leave it (the test above).
        "SetEvent",
        "ResetEvent",
        "WaitForSingleObject",
        "CloseHandle",
        "EventRegister",
        "EventUnregister",
        "EventWrite",
        "EventWriteTransfer",
        "EventWriteEx",
        "EventWriteString",
        "EventEnabled",
        "EventProviderEnabled",
        "EventActivityIdControl",
        // Last in the test above.
        "evtlog_reset",
    ];
    let source = include_str!("windows_sys_last_error.rs");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut missing = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for line in text.lines() {
            let Some(rest) = line.strip_prefix("pub unsafe extern \"system\" fn ") else {
                continue;
            };
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let row = format!("row!(\"{name}\"");
            if !source.contains(&row) && !elsewhere.contains(&name.as_str()) {
                missing.push(name);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "exports without a last-error row: {missing:?}"
    );
}
