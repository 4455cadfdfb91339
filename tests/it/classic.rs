//! Classic event sources and the classic read API: ReportEvent's event shape against the
//! shape of real classic records as Windows renders them, the
//! EVENTLOGRECORD byte layout, ReadEventLog's directions and buffer protocol, backups and
//! change notification; then the same through the facade's Windows names.

use std::sync::Arc;
use std::time::Duration;

use evtlog::winevt::{self, *};
use evtlog::{
    eventlog_record, ClassicReport, ClassicSource, Engine, FileTime, ReadOutcome, ReportType, Sid,
    SignalEvent, VirtualClock,
};

fn at() -> FileTime {
    FileTime::parse("2026-01-02T03:04:05.0000000Z").unwrap()
}

fn engine() -> Engine {
    let engine = Engine::with_default_channels(Arc::new(VirtualClock::new(at())));
    engine
        .register_event_source(
            "Application",
            "Contoso Agent",
            ClassicSource {
                event_message_file: Some(r"%SystemRoot%\contoso.dll".into()),
                category_message_file: Some(r"%SystemRoot%\contoso.dll".into()),
                category_count: 3,
                ..ClassicSource::default()
            },
        )
        .unwrap();
    engine
}

fn report() -> ClassicReport {
    ClassicReport {
        event_type: ReportType::Error,
        category: 2,
        event_id: 0xC000_03E9,
        user_sid: Some(Sid::parse("S-1-5-18").unwrap()),
        strings: vec!["disk full".into(), "C:".into()],
        data: vec![0xde, 0xad, 0xbe, 0xef, 0x01],
    }
}

#[test]
fn report_event_writes_the_classic_shape() {
    let engine = engine();
    let publisher = engine.publishers().get("contoso agent").unwrap();
    assert_eq!(publisher.guid, evtlog::Guid::default());
    assert_eq!(publisher.classic.as_ref().unwrap().log, "Application");
    assert_eq!(publisher.classic.as_ref().unwrap().category_count, 3);
    assert_eq!(engine.report_event("Contoso Agent", report()).unwrap(), 1);
    let event = engine
        .channel("Application")
        .unwrap()
        .snapshot()
        .iter()
        .next()
        .unwrap()
        .clone();
    let computer = event.system.computer.clone().unwrap();
    assert_eq!(
        event.to_xml(),
        format!(
            "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>\
<Provider Name='Contoso Agent'/><EventID Qualifiers='49152'>1001</EventID><Level>2</Level>\
<Task>2</Task><Keywords>0x80000000000000</Keywords>\
<TimeCreated SystemTime='2026-01-02T03:04:05.0000000Z'/><EventRecordID>1</EventRecordID>\
<Channel>Application</Channel><Computer>{computer}</Computer><Security UserID='S-1-5-18'/>\
</System><EventData><Data>disk full</Data><Data>C:</Data><Binary>DEADBEEF01</Binary>\
</EventData></Event>"
        )
    );
    // Each type's Level and Keywords; audits carry their keyword and Level 0; an unknown
    // type is EVENTLOG_SUCCESS (Windows since Vista).
    assert_eq!(ReportType::from_u16_lossy(0x20), ReportType::Success);
    for (t, level, keywords) in [
        (ReportType::Warning, 3, 0x80000000000000u64),
        (ReportType::Information, 4, 0x80000000000000),
        (ReportType::Success, 0, 0x80000000000000),
        (
            ReportType::AuditSuccess,
            0,
            0x80000000000000 | 0x20000000000000,
        ),
        (
            ReportType::AuditFailure,
            0,
            0x80000000000000 | 0x10000000000000,
        ),
    ] {
        assert_eq!(t.level_and_keywords(), (level, keywords));
        assert_eq!(ReportType::from_u16_lossy(t.as_u16()), t);
        assert_eq!(
            ReportType::of_record(Some(level), Some(keywords)),
            t,
            "reads back as itself"
        );
    }
}

#[test]
fn unregistered_sources_write_to_application_and_bad_names_are_refused() {
    let engine = engine();
    engine
        .register_event_source("Contoso", "Contoso Setup", ClassicSource::default())
        .unwrap();
    assert!(engine.has_channel("Contoso"), "a new log is created");
    engine
        .report_event(
            "Contoso Setup",
            ClassicReport::new(ReportType::Information, 7),
        )
        .unwrap();
    engine
        .report_event("Nobody", ClassicReport::new(ReportType::Information, 8))
        .unwrap();
    assert_eq!(engine.channel("Contoso").unwrap().record_count(), 1);
    assert_eq!(engine.channel("Application").unwrap().record_count(), 1);
    // A log's own name is one of its sources; OpenEventLog of a source opens its log.
    engine
        .report_event("Contoso", ClassicReport::new(ReportType::Information, 10))
        .unwrap();
    assert_eq!(engine.channel("Contoso").unwrap().record_count(), 2);
    let by_source = engine.open_event_log("Contoso Setup").unwrap();
    assert_eq!(by_source.log_name(), Some("Contoso"));
    assert_eq!(by_source.name(), "Contoso Setup");
    for bad in ["", r"a\b", "System"] {
        let err = engine
            .register_event_source("Application", bad, ClassicSource::default())
            .unwrap_err();
        assert_eq!(err.win32_code(), 87, "{bad:?}");
    }
    let long = ClassicReport {
        strings: vec!["x".repeat(evtlog::MAX_REPORT_STRING + 1)],
        ..ClassicReport::new(ReportType::Information, 9)
    };
    assert_eq!(
        engine
            .report_event("Nobody", long)
            .unwrap_err()
            .win32_code(),
        87
    );
}

fn dword(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().unwrap())
}

fn word(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(b[at..at + 2].try_into().unwrap())
}

/// The NUL-terminated UTF-16 string at the start of `bytes`.
fn utf16_at(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|p| u16::from_le_bytes([p[0], p[1]]))
        .take_while(|&u| u != 0)
        .collect();
    String::from_utf16(&units).unwrap()
}

fn utf16z(s: &str) -> Vec<u8> {
    s.encode_utf16()
        .chain([0])
        .flat_map(|u| u.to_le_bytes())
        .collect()
}

#[test]
fn eventlogrecord_layout_is_winnts() {
    let engine = engine();
    engine.report_event("Contoso Agent", report()).unwrap();
    let mut event = engine
        .channel("Application")
        .unwrap()
        .snapshot()
        .iter()
        .next()
        .unwrap()
        .clone();
    event.system.computer = Some("HOST".into());
    let bytes = eventlog_record(&event, true);
    let mut expected = Vec::new();
    let source = utf16z("Contoso Agent"); // 28 bytes
    let computer = utf16z("HOST"); // 10 bytes
    let sid = Sid::parse("S-1-5-18").unwrap().to_bytes(); // 12 bytes
    let strings = [utf16z("disk full"), utf16z("C:")].concat(); // 20 + 6
    let seconds = (at().0 - 116_444_736_000_000_000) / 10_000_000;
    // 56 + 28 + 10 = 94, padded to 96; SID at 96; strings at 108; data at 134 (5 bytes);
    // 139 padded to 140; Length copy: 144.
    for d in [
        144u32,
        0x654c664c,
        1,
        seconds as u32,
        seconds as u32,
        0xC000_03E9,
    ] {
        expected.extend(d.to_le_bytes());
    }
    for w in [1u16, 2, 2, 0] {
        expected.extend(w.to_le_bytes());
    }
    for d in [0u32, 108, 12, 96, 5, 134] {
        expected.extend(d.to_le_bytes());
    }
    expected.extend(&source);
    expected.extend(&computer);
    expected.extend([0, 0]);
    expected.extend(&sid);
    expected.extend(&strings);
    expected.extend([0xde, 0xad, 0xbe, 0xef, 0x01]);
    expected.extend([0]);
    expected.extend(144u32.to_le_bytes());
    assert_eq!(bytes, expected);
    // No SID, no strings: the three offsets meet where the names end, rounded up to 8
    // (56 + 28 + 14 = 98 -> 104), as Wine's tests find on Windows.
    let mut bare = evtlog::classic_event(
        "Contoso Agent",
        &ClassicReport::new(ReportType::Information, 1),
    );
    bare.system.computer = Some("HOST12".into());
    let b = eventlog_record(&bare, true);
    assert_eq!(
        (dword(&b, 36), dword(&b, 44), dword(&b, 52)),
        (104, 104, 104)
    );
    assert_eq!((dword(&b, 40), dword(&b, 48), word(&b, 26)), (0, 0, 0));
    assert_eq!(dword(&b, 0), 108);
    // The A form: the same layout with byte strings.
    let ansi = eventlog_record(&event, false);
    assert_eq!(dword(&ansi, 0) as usize, ansi.len());
    assert_eq!(&ansi[56..70], b"Contoso Agent\0");
    assert_eq!(dword(&ansi, ansi.len() - 4) as usize, ansi.len());
}

#[test]
fn read_event_log_directions_buffers_and_end() {
    let engine = engine();
    for id in 1..=5u32 {
        let mut r = ClassicReport::new(ReportType::Information, id);
        r.strings = vec![format!("event {id}")];
        engine.report_event("Contoso Agent", r).unwrap();
    }
    let log = engine.open_event_log("Application").unwrap();
    assert_eq!((log.number_of_records(), log.oldest_record()), (5, 1));
    let ids = |bytes: &[u8]| {
        let mut ids = Vec::new();
        let mut at = 0;
        while at < bytes.len() {
            assert_eq!(dword(bytes, at + 4), 0x654c664c);
            ids.push(dword(bytes, at + 20));
            at += dword(bytes, at) as usize;
        }
        ids
    };
    let seq_fwd = EVENTLOG_SEQUENTIAL_READ | EVENTLOG_FORWARDS_READ;
    // One record's size; a too-small buffer says it and does not move.
    let ReadOutcome::TooSmall { needed } = log.read(seq_fwd, 0, 8, true).unwrap() else {
        panic!("too small")
    };
    let ReadOutcome::Records(first) = log.read(seq_fwd, 0, needed as usize, true).unwrap() else {
        panic!("records")
    };
    assert_eq!(ids(&first), [1]);
    let ReadOutcome::Records(rest) = log.read(seq_fwd, 0, 4096, true).unwrap() else {
        panic!("records")
    };
    assert_eq!(ids(&rest), [2, 3, 4, 5]);
    assert_eq!(log.read(seq_fwd, 0, 4096, true).unwrap(), ReadOutcome::End);
    // A new record is read by the next sequential read.
    engine
        .report_event("Contoso Agent", ClassicReport::new(ReportType::Warning, 6))
        .unwrap();
    let ReadOutcome::Records(more) = log.read(seq_fwd, 0, 4096, true).unwrap() else {
        panic!("records")
    };
    assert_eq!(ids(&more), [6]);
    // A change of direction starts at the last record read (Wine's tests, run on Windows:
    // forwards 1, 2, then backwards 2, 1); the record number is ignored.
    let seq_back = EVENTLOG_SEQUENTIAL_READ | EVENTLOG_BACKWARDS_READ;
    let ReadOutcome::Records(turn) = log.read(seq_back, 99, 4096, true).unwrap() else {
        panic!("records")
    };
    assert_eq!(ids(&turn), [6, 5, 4, 3, 2, 1]);
    let ReadOutcome::Records(turn) = log.read(seq_fwd, 0, 4096, true).unwrap() else {
        panic!("records")
    };
    assert_eq!(ids(&turn), [1, 2, 3, 4, 5, 6]);
    // Backwards from the newest, on a fresh handle.
    let back = engine.open_event_log("Application").unwrap();
    let ReadOutcome::Records(b) = back.read(seq_back, 0, 4096, true).unwrap() else {
        panic!("records")
    };
    assert_eq!(ids(&b), [6, 5, 4, 3, 2, 1]);
    // Seek reads, then sequential reads go on from there.
    let ReadOutcome::Records(s) = back
        .read(EVENTLOG_SEEK_READ | EVENTLOG_FORWARDS_READ, 4, 4096, true)
        .unwrap()
    else {
        panic!("records")
    };
    assert_eq!(ids(&s), [4, 5, 6]);
    let ReadOutcome::Records(s) = back
        .read(EVENTLOG_SEEK_READ | EVENTLOG_BACKWARDS_READ, 2, 4096, true)
        .unwrap()
    else {
        panic!("records")
    };
    assert_eq!(ids(&s), [2, 1]);
    assert_eq!(
        back.read(seq_back, 0, 4096, true).unwrap(),
        ReadOutcome::End
    );
    // Errors: a missing record, bad flags, a buffer over the maximum.
    for (flags, record, size) in [
        (EVENTLOG_SEEK_READ | EVENTLOG_FORWARDS_READ, 99, 4096),
        (EVENTLOG_SEQUENTIAL_READ, 0, 4096),
        (
            EVENTLOG_SEQUENTIAL_READ | EVENTLOG_SEEK_READ | EVENTLOG_FORWARDS_READ,
            0,
            4096,
        ),
        (seq_fwd | EVENTLOG_BACKWARDS_READ, 0, 4096),
        (seq_fwd, 0, evtlog::MAX_READ_BUFFER + 1),
    ] {
        assert_eq!(
            log.read(flags, record, size, true)
                .unwrap_err()
                .win32_code(),
            87
        );
    }
    // A log that does not exist opens Application.
    assert_eq!(
        engine.open_event_log("No Such Log").unwrap().log_name(),
        Some("Application")
    );
}

#[test]
fn backups_clears_and_notifications() {
    let engine = engine();
    for id in 1..=3 {
        engine
            .report_event(
                "Contoso Agent",
                ClassicReport::new(ReportType::Information, id),
            )
            .unwrap();
    }
    let dir = std::env::temp_dir().join(format!("evtlog-classic-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let backup = dir.join("app.evtx");
    let backup = backup.to_str().unwrap();
    let log = engine.open_event_log("Application").unwrap();
    log.backup(backup).unwrap();
    assert_eq!(
        log.backup(backup).unwrap_err().kind(),
        evtlog::ErrorKind::FileExists
    );
    let cleared = dir.join("cleared.evtx");
    log.clear(Some(cleared.to_str().unwrap())).unwrap();
    assert_eq!(log.number_of_records(), 0);
    assert_eq!(log.oldest_record(), 0);
    let old = engine.open_backup_event_log(backup).unwrap();
    assert_eq!((old.number_of_records(), old.oldest_record()), (3, 1));
    let ReadOutcome::Records(bytes) = old
        .read(
            EVENTLOG_SEQUENTIAL_READ | EVENTLOG_BACKWARDS_READ,
            0,
            4096,
            true,
        )
        .unwrap()
    else {
        panic!("records")
    };
    assert_eq!(dword(&bytes, 8), 3, "newest first");
    assert_eq!(word(&bytes, 24), 4, "EVENTLOG_INFORMATION_TYPE");
    assert_eq!(
        old.clear(None).unwrap_err().win32_code(),
        6,
        "a backup is read-only"
    );
    assert_eq!(
        engine
            .open_backup_event_log(cleared.to_str().unwrap())
            .unwrap()
            .number_of_records(),
        3
    );
    // Notifications: set by each append until the log closes.
    let signal = SignalEvent::new(false);
    log.notify_change(signal.clone()).unwrap();
    engine
        .report_event(
            "Contoso Agent",
            ClassicReport::new(ReportType::Information, 4),
        )
        .unwrap();
    assert!(signal.wait(Some(Duration::from_secs(5))));
    signal.reset();
    log.close();
    engine
        .report_event(
            "Contoso Agent",
            ClassicReport::new(ReportType::Information, 5),
        )
        .unwrap();
    assert!(!signal.is_set());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_facade_under_windows_names() {
    let _service = super::winevt::SERVICE
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    controls::reset();
    assert_eq!(
        controls::register_event_source(
            "Application",
            "Contoso Agent",
            Some("c.dll"),
            None,
            0,
            None
        ),
        TRUE
    );
    let source = RegisterEventSourceW(None, Some("Contoso Agent"));
    assert_ne!(source, 0);
    assert_eq!(RegisterEventSourceW(Some(r"\\elsewhere"), Some("x")), 0);
    assert_eq!(GetLastError(), 1722);
    let strings = vec!["one".to_owned(), "two".to_owned()];
    assert_eq!(
        ReportEventW(
            source,
            EVENTLOG_WARNING_TYPE,
            1,
            0x8000_0064,
            None,
            &strings,
            &[7, 8]
        ),
        TRUE
    );
    let log = OpenEventLogW(None, Some("Application"));
    let (mut read, mut needed) = (0, 0);
    let flags = EVENTLOG_SEQUENTIAL_READ | EVENTLOG_FORWARDS_READ;
    assert_eq!(
        ReadEventLogW(log, flags, 0, &mut [], &mut read, &mut needed),
        FALSE
    );
    assert_eq!((GetLastError(), read), (122, 0));
    let mut buffer = vec![0u8; needed as usize];
    assert_eq!(
        ReadEventLogW(log, flags, 0, &mut buffer, &mut read, &mut needed),
        TRUE
    );
    assert_eq!(read, buffer.len() as u32);
    assert_eq!(dword(&buffer, 20), 0x8000_0064);
    assert_eq!(word(&buffer, 24), EVENTLOG_WARNING_TYPE);
    assert_eq!(word(&buffer, 26), 2, "NumStrings");
    assert_eq!(
        ReadEventLogW(log, flags, 0, &mut buffer, &mut read, &mut needed),
        FALSE
    );
    assert_eq!(GetLastError(), ERROR_HANDLE_EOF);
    // Failures other than 122 leave `read` and `needed` as they were (Wine's tests, run
    // on Windows).
    let (mut read, mut needed) = (0xdead, 0xbeef);
    assert_eq!(
        ReadEventLogW(log, 0, 0, &mut buffer, &mut read, &mut needed),
        FALSE
    );
    assert_eq!((GetLastError(), read, needed), (87, 0xdead, 0xbeef));
    // An unknown type is written as EVENTLOG_SUCCESS; an OpenEventLog handle reports as
    // the name it was opened with.
    assert_eq!(ReportEventW(source, 0x20, 0, 2, None, &[], &[]), TRUE);
    assert_eq!(ReportEventW(log, 4, 0, 3, None, &[], &[]), TRUE);
    let mut buffer = vec![0u8; 4096];
    assert_eq!(
        ReadEventLogW(log, flags, 0, &mut buffer, &mut read, &mut needed),
        TRUE
    );
    assert_eq!(needed, 0);
    let second = dword(&buffer, 0) as usize;
    assert_eq!(word(&buffer, 24), EVENTLOG_SUCCESS);
    assert_eq!(
        (dword(&buffer, second + 20), word(&buffer, second + 24)),
        (3, 4)
    );
    assert_eq!(
        utf16_at(&buffer[second + 56..]),
        "Application",
        "the source is the name the log was opened with"
    );
    let mut n = 0;
    assert_eq!(GetNumberOfEventLogRecords(log, &mut n), TRUE);
    assert_eq!(n, 3);
    // GetEventLogInformation checks the level, the handle, the pointers, then the size.
    let mut info = [0xffu8; 4];
    assert_eq!(
        GetEventLogInformation(log, EVENTLOG_FULL_INFO, Some(&mut info[..0]), Some(&mut n)),
        FALSE
    );
    assert_eq!((GetLastError(), n, info), (122, 4, [0xff; 4]));
    assert_eq!(
        GetEventLogInformation(log, EVENTLOG_FULL_INFO, Some(&mut info), Some(&mut n)),
        TRUE
    );
    assert_eq!((info, n), ([0, 0, 0, 0], 4));
    assert_eq!(GetEventLogInformation(0, 1, None, None), FALSE);
    assert_eq!(GetLastError(), ERROR_INVALID_LEVEL);
    assert_eq!(
        GetEventLogInformation(0, EVENTLOG_FULL_INFO, None, None),
        FALSE
    );
    assert_eq!(GetLastError(), 6);
    assert_eq!(
        GetEventLogInformation(log, EVENTLOG_FULL_INFO, None, Some(&mut n)),
        FALSE
    );
    assert_eq!(GetLastError(), RPC_X_NULL_REF_POINTER);
    // Names before servers; a NULL backup name before the handle.
    assert_eq!(OpenEventLogW(Some("IDontExist"), None), 0);
    assert_eq!(GetLastError(), 87);
    assert_eq!(OpenBackupEventLogW(Some("IDontExist"), None), 0);
    assert_eq!(GetLastError(), 87);
    assert_eq!(OpenBackupEventLogW(Some("IDontExist"), Some("x.evtx")), 0);
    assert_eq!(GetLastError(), 1722);
    assert_eq!(BackupEventLogW(0, None), FALSE);
    assert_eq!(GetLastError(), 87);
    assert_eq!(BackupEventLogW(0, Some("x.evtx")), FALSE);
    assert_eq!(GetLastError(), 6);
    // A file that is not an event log.
    let junk = std::env::temp_dir().join(format!("evtlog-junk-{}.evtx", std::process::id()));
    std::fs::write(&junk, b"Just some text").unwrap();
    assert_eq!(OpenBackupEventLogW(None, junk.to_str()), 0);
    assert_eq!(GetLastError(), ERROR_EVENTLOG_FILE_CORRUPT);
    let _ = std::fs::remove_file(&junk);
    let signal = CreateEvent(true, false);
    assert_eq!(NotifyChangeEventLog(log, signal), TRUE);
    assert_eq!(ReportEventW(source, 4, 0, 2, None, &[], &[]), TRUE);
    assert_eq!(WaitForSingleObject(signal, 5000), WAIT_OBJECT_0);
    // None of the classic handles, the event object or the provider is an EVT_HANDLE:
    // EvtClose refuses each (6) and leaves it open (it used to close all but the event).
    for h in [source, log, signal] {
        assert_eq!(EvtClose(h), FALSE);
        assert_eq!(GetLastError(), 6);
        assert_eq!(EvtCancel(h), FALSE);
        assert_eq!(GetLastError(), 6);
    }
    let mut provider = 0;
    assert_eq!(
        EventRegister(Some(&evtlog::Guid::default()), None, Some(&mut provider)),
        0
    );
    assert_eq!(EvtClose(provider as EVT_HANDLE), FALSE);
    assert_eq!(GetLastError(), 6);
    assert_eq!(EvtCancel(provider as EVT_HANDLE), FALSE);
    assert_eq!(GetLastError(), 6);
    assert_eq!(EventUnregister(provider), 0, "still registered");
    let mut n = 0;
    assert_eq!(GetNumberOfEventLogRecords(log, &mut n), TRUE, "still open");
    assert_eq!(CloseEventLog(source), FALSE, "an event source is not a log");
    assert_eq!(CloseEventLog(log), TRUE);
    assert_eq!(CloseEventLog(log), FALSE);
    assert_eq!(GetLastError(), 6);
    assert_eq!(DeregisterEventSource(source), TRUE);
    assert_eq!(CloseHandle(signal), TRUE);

    // The provider functions: codes returned, not set.
    let engine = controls::engine();
    engine
        .create_channel(evtlog::ChannelConfig::new(
            super::producer::OPERATIONAL,
            evtlog::ChannelType::Operational,
        ))
        .unwrap();
    engine.publishers().install(super::producer::publisher());
    let mut handle = 0;
    let mut calls = Vec::new();
    let mut callback = |args: EnableCallbackArgs| calls.push(args);
    assert_eq!(
        EventRegister(
            Some(&super::producer::PROVIDER),
            Some(&mut callback),
            Some(&mut handle)
        ),
        0
    );
    assert_eq!(calls.len(), 1, "enabled at registration: called once");
    assert_eq!(calls[0].is_enabled, EVENT_CONTROL_CODE_ENABLE_PROVIDER);
    assert_eq!(calls[0].match_any_keyword, 0xC000_0000_0000_0000);
    let d = evtlog::EventDescriptor {
        id: 4,
        channel: 9,
        level: 4,
        ..Default::default()
    };
    let message = utf16z("from the facade");
    assert!(EventEnabled(handle, Some(&d)));
    assert!(EventProviderEnabled(handle, 4, 0));
    assert_eq!(EventWrite(handle, Some(&d), &[&message]), 0);
    assert_eq!(EventWrite(handle, None, &[]), 87);
    assert_eq!(EventWriteEx(handle, Some(&d), 0, 4, None, None, &[]), 87);
    assert_eq!(EventWriteString(handle, 4, 0, Some("etw only")), 0);
    assert_eq!(EventWriteString(handle, 4, 0, None), 87);
    assert_eq!(engine.channel("Application").unwrap().record_count(), 5);
    assert_eq!(EventUnregister(handle), 0);
    assert_eq!(EventUnregister(handle), 6);
    assert_eq!(EventWrite(handle, Some(&d), &[]), 6);
    // Not installed: no callback, writes succeed and log nothing.
    let mut other = 0;
    let mut called = false;
    let mut callback = |_: EnableCallbackArgs| called = true;
    assert_eq!(
        EventRegister(
            Some(&evtlog::Guid::from_u128(9)),
            Some(&mut callback),
            Some(&mut other)
        ),
        0
    );
    assert!(!called);
    assert_eq!(EventWrite(other, Some(&d), &[&message]), 0);
    assert_eq!(engine.channel("Application").unwrap().record_count(), 5);
    assert_eq!(winevt::EventRegister(None, None, Some(&mut other)), 87);
    controls::reset();
}
