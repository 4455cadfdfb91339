//! Windows' quirks (`Engine::set_quirks`, `EVTLOG_QUIRKS`'s profiles), each on and off
//! through the public API: the Rust API for those the engine applies (the EvtNext batch
//! caps, the untimed query scan), the wevtapi facade for the others.

use std::sync::Arc;
use std::time::Duration;

use evtlog::winevt::*;
use evtlog::{
    Bookmark, ChannelConfig, ChannelType, Delivery, Engine, ErrorKind, Event, Next, QueryFlags,
    Quirk, Quirks, ResultSet, SeekFlags, SignalEvent, SubscribeFlags, VirtualClock, BATCH_DATA_CAP,
};

/// One large event: its `Blob` is `chars` characters (about 2 bytes each as a record).
fn big_event(i: usize, chars: usize) -> Event {
    let mut blob = format!("{i:06}");
    blob.push_str(&"x".repeat(chars));
    Event::builder("Quirk-Test")
        .event_id(7)
        .data("Blob", blob)
        .build()
}

/// An engine whose Operational channel `Big` holds `n` events of about 60 KB each (ids 1 to
/// n), and how many of them fit in one batch's data.
fn big_engine(n: usize) -> (Engine, usize) {
    let engine = Engine::with_clock(Arc::new(VirtualClock::default()));
    engine
        .create_channel(ChannelConfig::new("Big", ChannelType::Operational).with_max_size(1 << 30))
        .unwrap();
    for i in 0..n {
        engine.write("Big", big_event(i, 30_000)).unwrap();
    }
    let fits = (BATCH_DATA_CAP / big_event(0, 30_000).approx_record_size()) as usize;
    assert!((20..64).contains(&fits), "{fits} events per batch");
    (engine, fits)
}

fn ids(batch: &[evtlog::EventRef]) -> Vec<u64> {
    batch.iter().map(|e| e.record_id()).collect()
}

fn query(engine: &Engine) -> ResultSet {
    engine
        .default_session()
        .query(Some("Big"), None, QueryFlags::CHANNEL_PATH)
        .unwrap()
}

#[test]
fn by_default_a_batch_has_no_data_cap() {
    let (engine, fits) = big_engine(100);
    assert!(engine.quirks().is_empty());
    let Next::Events(batch) = query(&engine).next(64, None).unwrap() else {
        panic!("a batch")
    };
    assert_eq!(
        batch.len(),
        64,
        "{fits} would fit under the cap; no cap applies"
    );
}

/// The evtnext-1734 quirk consumes the failed batch (beats#3076); winlogbeat's, osquery's
/// and OpenTelemetry's recovery (halve the batch, go back to the last event delivered)
/// then reads everything once.
#[test]
fn evtnext_1734_consumes_the_batch_and_halving_from_a_bookmark_recovers() {
    let (engine, fits) = big_engine(100);
    engine.set_quirks(Quirk::EvtNext1734.into());
    let results = query(&engine);
    let e = results.next(64, None).unwrap_err();
    assert_eq!((e.kind(), e.win32_code()), (ErrorKind::InvalidBound, 1734));
    // The position moved past the failed batch.
    let Next::Events(after) = results.next(1, None).unwrap() else {
        panic!("more events")
    };
    assert_eq!(ids(&after), [65]);

    // A consumer's recovery: on 1734, seek back after its bookmark and halve.
    let results = query(&engine);
    let mut bookmark = Bookmark::new();
    let mut seen = Vec::new();
    let mut batch_size = 64;
    let mut failures = 0;
    loop {
        match results.next(batch_size, None) {
            Ok(Next::Events(batch)) => {
                assert!(batch.len() <= fits);
                seen.extend(ids(&batch));
                bookmark.update(batch.last().unwrap());
            }
            Ok(Next::End) => break,
            Ok(Next::TimedOut) => panic!("no timeout without one"),
            Err(e) if e.kind() == ErrorKind::InvalidBound => {
                failures += 1;
                batch_size /= 2;
                if seen.is_empty() {
                    results.seek(0, SeekFlags::RELATIVE_TO_FIRST).unwrap();
                } else {
                    results
                        .seek_bookmark(&bookmark, 1, SeekFlags::RELATIVE_TO_BOOKMARK)
                        .unwrap();
                }
            }
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!(failures, 1);
    assert_eq!(
        seen,
        (1..=100).collect::<Vec<u64>>(),
        "no loss, no duplicate"
    );
}

/// Windows Server 2019 and 11 cut the batch short instead (beats' iterator_test.go); the
/// rest stay unread.
#[test]
fn evtnext_short_batch_returns_what_fits_and_leaves_the_rest_unread() {
    let (engine, fits) = big_engine(100);
    engine.set_quirks(Quirk::EvtNextShortBatch.into());
    let results = query(&engine);
    let mut seen = Vec::new();
    while let Next::Events(batch) = results.next(64, None).unwrap() {
        assert!(batch.len() <= fits);
        seen.extend(ids(&batch));
    }
    assert_eq!(seen, (1..=100).collect::<Vec<u64>>());
    let Next::Events(first) = query(&engine).next(64, None).unwrap() else {
        panic!("a batch")
    };
    assert_eq!(first.len(), fits, "as many as fit");
    // Small events are not cut.
    engine.set_quirks(Quirks::profile("win11").unwrap());
    let small = Engine::new();
    small.create_default_channels();
    small.set_quirks(engine.quirks());
    for _ in 0..300 {
        small
            .write("Application", Event::builder("Small").event_id(1).build())
            .unwrap();
    }
    let results = small
        .default_session()
        .query(Some("Application"), None, QueryFlags::CHANNEL_PATH)
        .unwrap();
    let Next::Events(batch) = results.next(256, None).unwrap() else {
        panic!("a batch")
    };
    assert_eq!(batch.len(), 256);
}

/// A pull subscription meets the same caps (OpenTelemetry's case, PR #38149).
#[test]
fn pull_subscriptions_meet_the_batch_caps() {
    for quirk in [
        None,
        Some(Quirk::EvtNext1734),
        Some(Quirk::EvtNextShortBatch),
    ] {
        let (engine, fits) = big_engine(100);
        engine.set_quirks(quirk.map_or(Quirks::NONE, Quirks::from));
        let subscription = engine
            .default_session()
            .subscribe(
                Some("Big"),
                None,
                None,
                SubscribeFlags::START_AT_OLDEST_RECORD,
                Delivery::Pull(SignalEvent::new(false)),
            )
            .unwrap();
        let first = subscription.next(64, None);
        match quirk {
            None => assert!(matches!(first, Ok(Next::Events(b)) if b.len() == 64)),
            Some(Quirk::EvtNext1734) => {
                assert_eq!(first.unwrap_err().kind(), ErrorKind::InvalidBound);
                let Next::Events(next) = subscription.next(8, None).unwrap() else {
                    panic!("more")
                };
                assert_eq!(ids(&next)[0], 65, "the failed batch was consumed");
            }
            Some(_) => {
                let mut seen = Vec::new();
                let Ok(Next::Events(batch)) = first else {
                    panic!("a short batch")
                };
                assert_eq!(batch.len(), fits);
                seen.extend(ids(&batch));
                while let Next::Events(batch) = subscription.next(64, None).unwrap() {
                    seen.extend(ids(&batch));
                }
                assert_eq!(seen, (1..=100).collect::<Vec<u64>>());
            }
        }
    }
}

/// A zero timeout over a sparse filter: evtlog's default times the scan out after its first
/// poll interval; untimed-query-scan (Azure GuestProxyAgent's reader) finds the match.
#[test]
fn untimed_query_scan_finds_a_sparse_match_with_a_zero_timeout() {
    let engine = Engine::with_clock(Arc::new(VirtualClock::default()));
    engine.create_default_channels();
    engine.set_scan_cost(Duration::from_micros(10));
    for _ in 0..1000 {
        engine
            .write("Application", Event::builder("Noise").event_id(1).build())
            .unwrap();
    }
    engine
        .write("Application", Event::builder("Wanted").event_id(2).build())
        .unwrap();
    let filter = "*[System[Provider[@Name='Wanted']]]";
    let query = |engine: &Engine| {
        engine
            .default_session()
            .query(
                Some("Application"),
                Some(filter),
                QueryFlags::REVERSE_DIRECTION | QueryFlags::CHANNEL_PATH,
            )
            .unwrap()
    };
    // Reverse: the match is the newest record, found at once either way.
    assert!(matches!(
        query(&engine).next(1, Some(Duration::ZERO)).unwrap(),
        Next::Events(_)
    ));
    let forward = |engine: &Engine| {
        engine
            .default_session()
            .query(Some("Application"), Some(filter), QueryFlags::CHANNEL_PATH)
            .unwrap()
    };
    assert!(matches!(
        forward(&engine).next(1, Some(Duration::ZERO)).unwrap(),
        Next::TimedOut
    ));
    engine.set_quirks(Quirk::UntimedQueryScan.into());
    let Next::Events(found) = forward(&engine).next(1, Some(Duration::ZERO)).unwrap() else {
        panic!("the match")
    };
    assert_eq!(found[0].record_id(), 1001);
}

/// The service to this test alone, reset, with the quirks `list` names.
fn service_with(list: &str) -> std::sync::MutexGuard<'static, ()> {
    let guard = crate::winevt::SERVICE
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    controls::reset();
    assert_eq!(controls::set_quirks(list), TRUE, "{list}");
    guard
}

/// The first event of a query over `path` (a channel or, with `file`, an .evtx file).
fn first_event(path: &str, file: bool) -> (EVT_HANDLE, EVT_HANDLE) {
    let flags = if file {
        EvtQueryFilePath
    } else {
        EvtQueryChannelPath
    };
    let query = EvtQuery(0, Some(path), None, flags);
    assert_ne!(query, 0, "{}", GetLastError());
    let mut events = [0; 1];
    let mut returned = 0;
    assert_eq!(EvtNext(query, &mut events, 0, 0, &mut returned), TRUE);
    (query, events[0])
}

/// EvtFormatMessage(Event) into a large buffer: (BOOL, last error, text).
fn format_event(metadata: EVT_HANDLE, event: EVT_HANDLE) -> (BOOL, u32, String) {
    let mut buffer = vec![0u16; 8192];
    let mut used = 0;
    let ok = EvtFormatMessage(
        metadata,
        event,
        0,
        &[],
        EvtFormatMessageEvent,
        &mut buffer,
        &mut used,
    );
    let text = if used > 0 && (used as usize) <= buffer.len() {
        String::from_utf16(&buffer[..used as usize - 1]).unwrap()
    } else {
        String::new()
    };
    (ok, GetLastError(), text)
}

fn write_logon() {
    let mut generator = evtlog::Generator::new(7);
    let logon = generator
        .events(evtlog::Profile::Security, 200)
        .into_iter()
        .find(|e| e.system.event_id == 4624)
        .unwrap();
    controls::engine().write("Security", logon).unwrap();
}

#[test]
fn mid_not_found_317_replaces_15027() {
    for (list, code) in [
        ("default", 15027),
        ("win11", 317),
        ("mid-not-found-317", 317),
        ("win10", 15027),
    ] {
        let _guard = service_with(list);
        let unknown = Event::builder("Microsoft-Windows-Security-Auditing")
            .event_id(9999)
            .build();
        controls::engine().write("Security", unknown).unwrap();
        let (query, event) = first_event("Security", false);
        let metadata =
            EvtOpenPublisherMetadata(0, Some("Microsoft-Windows-Security-Auditing"), None, 0, 0);
        assert_ne!(metadata, 0);
        let (ok, error, _) = format_event(metadata, event);
        assert_eq!((ok, error), (FALSE, code), "{list}");
        // The consumer's fallback, the event's XML, works either way.
        let (mut used, mut count) = (0, 0);
        assert_eq!(
            EvtRender(0, event, EvtRenderEventXml, &mut [], &mut used, &mut count),
            FALSE
        );
        assert_eq!(GetLastError(), 122);
        for h in [metadata, event, query] {
            EvtClose(h);
        }
    }
}

/// Windows 11 22H2 leaves `%n` inserts in messages of events read from channels, not
/// from .evtx files (beats#33966).
#[test]
fn unreplaced_inserts_on_channel_events_only() {
    let dir = crate::TempDir::new("quirks-inserts");
    let file = dir.path().join("security.evtx");
    let file = file.to_str().unwrap();
    for list in ["default", "win11-22h2"] {
        let _guard = service_with(list);
        write_logon();
        let metadata =
            EvtOpenPublisherMetadata(0, Some("Microsoft-Windows-Security-Auditing"), None, 0, 0);
        let (query, event) = first_event("Security", false);
        let (ok, error, text) = format_event(metadata, event);
        assert_eq!((ok, error), (TRUE, 0), "{list}: {text}");
        if list == "default" {
            assert!(!text.contains("%1") && text.contains("S-1-5-18"), "{text}");
        } else {
            assert!(text.contains("%1") && !text.contains("S-1-5-18"), "{text}");
            // EvtFormatMessageXml's Message too.
            let mut buffer = vec![0u16; 16384];
            let mut used = 0;
            let ok = EvtFormatMessage(
                metadata,
                event,
                0,
                &[],
                EvtFormatMessageXml,
                &mut buffer,
                &mut used,
            );
            let xml = String::from_utf16(&buffer[..used as usize - 1]).unwrap();
            assert_eq!(ok, TRUE, "{xml}");
            assert!(
                xml.contains("<Message>An account logged on.") && xml.contains("%1"),
                "{xml}"
            );
        }
        // From an exported file: replaced.
        let _ = std::fs::remove_file(file);
        assert_eq!(
            EvtExportLog(
                0,
                Some("Security"),
                None,
                Some(file),
                EvtExportLogChannelPath
            ),
            TRUE
        );
        let (file_query, file_event) = first_event(file, true);
        let (ok, _, text) = format_event(metadata, file_event);
        assert_eq!(ok, TRUE);
        assert!(
            !text.contains("%1") && text.contains("S-1-5-18"),
            "{list}: {text}"
        );
        for h in [metadata, event, query, file_event, file_query] {
            EvtClose(h);
        }
    }
}

/// Datadog's report: Windows copies a second NUL after the string. evtlog writes it only
/// inside the caller's buffer.
#[test]
fn format_extra_nul_writes_inside_the_buffer_only() {
    for list in ["default", "format-extra-nul"] {
        let _guard = service_with(list);
        write_logon();
        let metadata =
            EvtOpenPublisherMetadata(0, Some("Microsoft-Windows-Security-Auditing"), None, 0, 0);
        let (query, event) = first_event("Security", false);
        let mut used = 0;
        assert_eq!(
            EvtFormatMessage(
                metadata,
                event,
                0,
                &[],
                EvtFormatMessageEvent,
                &mut [],
                &mut used
            ),
            FALSE
        );
        assert_eq!(GetLastError(), 122);
        let n = used as usize;
        // One spare WCHAR: the quirk fills it.
        let mut buffer = vec![0xFFFFu16; n + 1];
        assert_eq!(
            EvtFormatMessage(
                metadata,
                event,
                0,
                &[],
                EvtFormatMessageEvent,
                &mut buffer,
                &mut used
            ),
            TRUE
        );
        assert_eq!(used as usize, n, "BufferUsed is unchanged");
        assert_eq!(buffer[n - 1], 0);
        let extra = if list == "default" { 0xFFFF } else { 0 };
        assert_eq!(buffer[n], extra, "{list}");
        // Exactly BufferUsed: nothing past it (Windows would write one WCHAR beyond).
        let mut exact = vec![0xFFFFu16; n];
        assert_eq!(
            EvtFormatMessage(
                metadata,
                event,
                0,
                &[],
                EvtFormatMessageEvent,
                &mut exact,
                &mut used
            ),
            TRUE
        );
        assert_eq!(exact[n - 1], 0);
        for h in [metadata, event, query] {
            EvtClose(h);
        }
    }
}

/// A relative export target: refused as documented (87), or under the quirk resolved
/// against the current directory.
#[test]
fn relative_export_path_is_refused_or_resolved() {
    let name = format!("target/quirks-export-{}.evtx", std::process::id());
    let absolute = std::env::current_dir().unwrap().join(&name);
    for list in ["default", "relative-export-path"] {
        let _guard = service_with(list);
        write_logon();
        let _ = std::fs::remove_file(&absolute);
        let ok = EvtExportLog(
            0,
            Some("Security"),
            None,
            Some(&name),
            EvtExportLogChannelPath,
        );
        if list == "default" {
            assert_eq!((ok, GetLastError()), (FALSE, 87));
            assert!(!absolute.exists());
        } else {
            assert_eq!(ok, TRUE, "{}", GetLastError());
            assert_eq!(crate::read_evtx(&absolute).len(), 1);
            std::fs::remove_file(&absolute).unwrap();
        }
    }
}

#[test]
fn set_quirks_takes_the_grammar_and_refuses_a_bad_list_whole() {
    let _guard = service_with("win11");
    assert_eq!(controls::quirks(), Quirks::profile("win11").unwrap());
    assert_eq!(controls::set_quirks("win10, win12"), FALSE);
    assert_eq!(GetLastError(), 87);
    let mut status = vec![0u16; 1024];
    let mut used = 0;
    EvtGetExtendedStatus(&mut status, &mut used);
    let text = String::from_utf16(&status[..used as usize - 1]).unwrap();
    assert!(
        text.contains("\"win12\"") && text.contains("item 2"),
        "{text}"
    );
    assert_eq!(
        controls::quirks(),
        Quirks::profile("win11").unwrap(),
        "unchanged"
    );
    // A reset goes back to EVTLOG_QUIRKS' (unset here: none).
    controls::reset();
    assert!(controls::quirks().is_empty());
}
