//! The fault plan (issue 21): injected failures and delays of named wevtapi functions, and the
//! publisher and channel faults, through the Rust API and the facade. Each fault leaves the
//! engine as it was: a faulted `next` moves nothing, a faulted export leaves no file, a faulted
//! clear clears nothing, and a C call counts once however many engine methods it runs.

use std::sync::Arc;
use std::time::Duration;

use crate::TempDir;
use evtlog::winevt::{self as w, controls};
use evtlog::{
    Engine, ErrorKind, ExportFlags, FaultRule, FormatWhat, Generator, Next, Profile, QueryFlags,
    SeekFlags, VirtualClock,
};

const EVENTS: usize = 40;

/// An in-memory engine on a virtual clock with the default publishers and `EVENTS` System
/// events.
fn engine() -> (Engine, Arc<VirtualClock>) {
    let clock = Arc::new(VirtualClock::default());
    let engine = Engine::with_default_channels(clock.clone());
    engine.install_default_publishers().unwrap();
    for event in Generator::new(5).events(Profile::System, EVENTS) {
        engine.write("System", event).unwrap();
    }
    (engine, clock)
}

fn ids(next: Next) -> Vec<u64> {
    match next {
        Next::Events(events) => events.iter().map(|e| e.record_id()).collect(),
        other => panic!("expected events, got {other:?}"),
    }
}

#[test]
fn a_faulted_next_moves_nothing_and_the_next_call_gets_the_same_events() {
    let (engine, _) = engine();
    engine
        .fault_plan()
        .inject(FaultRule::fail("EvtNext", 1734).unwrap().after(2));
    let session = engine.default_session();
    let results = session
        .query(Some("System"), None, QueryFlags::CHANNEL_PATH)
        .unwrap();
    assert_eq!(ids(results.next(5, None).unwrap()), [1, 2, 3, 4, 5]);
    assert_eq!(ids(results.next(5, None).unwrap()), [6, 7, 8, 9, 10]);
    let err = results.next(5, None).unwrap_err();
    assert_eq!(err.win32_code(), 1734);
    assert_eq!(err.kind(), ErrorKind::InvalidBound);
    assert!(err.to_string().contains("injected"), "{err}");
    // Nothing moved: the retry reads what the faulted call would have.
    assert_eq!(ids(results.next(5, None).unwrap()), [11, 12, 13, 14, 15]);
}

#[test]
fn count_zero_fails_every_later_call_until_cleared() {
    let (engine, _) = engine();
    engine
        .fault_plan()
        .inject(FaultRule::fail("EvtQuery", 5).unwrap().after(1).times(0));
    let session = engine.default_session();
    let query = || session.query(Some("System"), None, QueryFlags::CHANNEL_PATH);
    assert!(query().is_ok());
    for _ in 0..3 {
        assert_eq!(query().unwrap_err().win32_code(), 5);
    }
    engine.fault_plan().clear();
    assert!(query().is_ok());
}

#[test]
fn any_code_is_reported_even_one_with_no_error_kind() {
    let (engine, _) = engine();
    engine
        .fault_plan()
        .inject(FaultRule::fail("EvtSeek", 1726).unwrap());
    let results = engine
        .default_session()
        .query(Some("System"), None, QueryFlags::CHANNEL_PATH)
        .unwrap();
    let err = results.seek(3, SeekFlags::RELATIVE_TO_FIRST).unwrap_err();
    assert_eq!((err.win32_code(), err.kind()), (1726, ErrorKind::Win32));
    // The seek did not happen: the cursor is still at the start.
    assert_eq!(ids(results.next(1, None).unwrap()), [1]);
}

#[test]
fn a_seeded_percentage_hits_the_same_calls_every_run() {
    let run = || {
        let (engine, _) = engine();
        engine
            .fault_plan()
            .inject(FaultRule::fail("EvtNext", 1734).unwrap().percent(50, 42));
        let results = engine
            .default_session()
            .query(Some("System"), None, QueryFlags::CHANNEL_PATH)
            .unwrap();
        let mut trace = Vec::new();
        let mut read = Vec::new();
        loop {
            match results.next(3, None) {
                Ok(Next::Events(batch)) => {
                    trace.push(true);
                    read.extend(batch.iter().map(|e| e.record_id()));
                }
                Ok(_) => break,
                Err(e) => {
                    assert_eq!(e.win32_code(), 1734);
                    trace.push(false);
                }
            }
        }
        // Whatever failed, nothing was lost or read twice.
        assert_eq!(read, (1..=EVENTS as u64).collect::<Vec<_>>());
        trace
    };
    let first = run();
    assert!(first.contains(&false) && first.contains(&true), "{first:?}");
    assert_eq!(first, run());
}

#[test]
fn a_delay_takes_virtual_time_and_a_timeout_still_counts_from_after_it() {
    let (engine, clock) = engine();
    engine.fault_plan().inject(
        FaultRule::delay("EvtNext", Duration::from_secs(30))
            .unwrap()
            .times(2),
    );
    let results = engine
        .default_session()
        .query(Some("System"), None, QueryFlags::CHANNEL_PATH)
        .unwrap();
    let start = evtlog::Clock::now(&*clock).0;
    assert_eq!(ids(results.next(2, Some(Duration::ZERO)).unwrap()), [1, 2]);
    assert_eq!(ids(results.next(2, Some(Duration::ZERO)).unwrap()), [3, 4]);
    assert_eq!(ids(results.next(2, Some(Duration::ZERO)).unwrap()), [5, 6]);
    let elapsed = evtlog::Clock::now(&*clock).0 - start;
    assert_eq!(elapsed, 2 * 30 * 10_000_000, "two delayed calls, 30 s each");
}

#[test]
fn a_faulted_export_leaves_no_file_and_counts_as_one_export() {
    let (engine, _) = engine();
    let dir = TempDir::new("faults-export");
    let target = dir.file("out.evtx");
    let plan = engine.fault_plan();
    plan.inject(FaultRule::fail("EvtExportLog", 1450).unwrap());
    // An export's own query and reads are not EvtQuery or EvtNext calls.
    plan.inject(FaultRule::fail("EvtQuery", 87).unwrap().always());
    plan.inject(FaultRule::fail("EvtNext", 87).unwrap().always());
    let session = engine.default_session();
    let err = session
        .export_log(Some("System"), None, &target, ExportFlags::CHANNEL_PATH)
        .unwrap_err();
    assert_eq!(err.win32_code(), 1450);
    assert!(
        !std::path::Path::new(&target).exists(),
        "no file after a faulted export"
    );
    let written = session
        .export_log(Some("System"), None, &target, ExportFlags::CHANNEL_PATH)
        .unwrap();
    assert_eq!(written, EVENTS as u64);
    assert_eq!(crate::read_evtx(&target).len(), EVENTS);
}

#[test]
fn a_faulted_clear_clears_nothing() {
    let (engine, _) = engine();
    let dir = TempDir::new("faults-clear");
    let backup = dir.file("backup.evtx");
    engine
        .fault_plan()
        .inject(FaultRule::fail("EvtClearLog", 1223).unwrap());
    let session = engine.default_session();
    let err = session.clear_log("System", Some(&backup)).unwrap_err();
    assert_eq!(err.win32_code(), 1223);
    let system = engine.channel("System").unwrap();
    assert_eq!(system.record_count(), EVENTS as u64);
    assert!(!std::path::Path::new(&backup).exists());
    session.clear_log("System", Some(&backup)).unwrap();
    assert_eq!(system.record_count(), 0);
}

#[test]
fn subscribe_and_format_meet_their_rules() {
    let (engine, _) = engine();
    let plan = engine.fault_plan();
    plan.inject(FaultRule::fail("EvtSubscribe", 1722).unwrap());
    plan.inject(FaultRule::fail("EvtFormatMessage", 15027).unwrap().after(1));
    let session = engine.default_session();
    let signal = evtlog::SignalEvent::new(true);
    let subscribe = || {
        session.subscribe(
            Some("System"),
            None,
            None,
            evtlog::SubscribeFlags::START_AT_OLDEST_RECORD,
            evtlog::Delivery::pull(signal.clone()),
        )
    };
    assert_eq!(subscribe().unwrap_err().win32_code(), 1722);
    let subscription = subscribe().unwrap();
    let first = subscription.next(1, None).unwrap();
    let Next::Events(first) = first else {
        panic!("an event")
    };
    let event = first[0].event();
    let provider = event.system.provider.name.clone().unwrap();
    let metadata = engine.open_publisher_metadata(Some(&provider), 0).unwrap();
    let once = metadata.format(event, FormatWhat::Level).unwrap();
    let err = metadata.format(event, FormatWhat::Level).unwrap_err();
    assert_eq!(err.win32_code(), 15027);
    assert_eq!(
        metadata.format(event, FormatWhat::Level).unwrap().text(),
        once.text()
    );
}

#[test]
fn a_removed_publisher_is_not_found_and_its_open_handles_are_disabled() {
    let (engine, _) = engine();
    let event = engine
        .channel("System")
        .unwrap()
        .snapshot()
        .iter()
        .next()
        .map(|e| e.into_owned())
        .unwrap();
    let provider = event.system.provider.name.clone().unwrap();
    let open = engine.open_publisher_metadata(Some(&provider), 0).unwrap();
    engine.fault_plan().remove_publisher(&provider);
    let err = engine
        .open_publisher_metadata(Some(&provider), 0)
        .unwrap_err();
    assert_eq!(err.win32_code(), 15002);
    assert_eq!(
        open.format(&event, FormatWhat::Event)
            .unwrap_err()
            .win32_code(),
        15037
    );
    engine.fault_plan().clear();
    assert!(engine.open_publisher_metadata(Some(&provider), 0).is_ok());
    assert!(open.format(&event, FormatWhat::Level).is_ok());
}

#[test]
fn unavailable_messages_fail_formatting_with_the_code_chosen() {
    let (engine, _) = engine();
    let event = engine
        .channel("System")
        .unwrap()
        .snapshot()
        .iter()
        .next()
        .map(|e| e.into_owned())
        .unwrap();
    let provider = event.system.provider.name.clone().unwrap();
    let metadata = engine.open_publisher_metadata(Some(&provider), 0).unwrap();
    assert!(metadata.format(&event, FormatWhat::Event).is_ok());
    for code in [15027, 15033, 317] {
        engine.fault_plan().fail_messages(&provider, code).unwrap();
        let err = metadata.format(&event, FormatWhat::Event).unwrap_err();
        assert_eq!(err.win32_code(), code);
    }
    // The warnings that still give a string are not failures to inject.
    assert_eq!(
        engine
            .fault_plan()
            .fail_messages(&provider, 15029)
            .unwrap_err()
            .win32_code(),
        87
    );
    // The default publisher (Winmeta) is untouched.
    let winmeta = engine.open_publisher_metadata(None, 0).unwrap();
    assert!(winmeta.format(&event, FormatWhat::Level).is_ok());
}

#[test]
fn a_denied_channel_refuses_reads_and_clears_but_takes_writes() {
    let (engine, _) = engine();
    engine.fault_plan().deny_channel_access("system");
    let session = engine.default_session();
    let denied = |r: evtlog::Result<()>| assert_eq!(r.unwrap_err().win32_code(), 5);
    denied(
        session
            .query(Some("System"), None, QueryFlags::CHANNEL_PATH)
            .map(drop),
    );
    denied(
        session
            .query(None, Some("<QueryList><Query><Select Path='Application'>*</Select><Select Path='System'>*</Select></Query></QueryList>"), QueryFlags::CHANNEL_PATH)
            .map(drop),
    );
    denied(
        session
            .subscribe(
                Some("System"),
                None,
                None,
                evtlog::SubscribeFlags::TO_FUTURE_EVENTS,
                evtlog::Delivery::pull(evtlog::SignalEvent::new(true)),
            )
            .map(drop),
    );
    denied(session.clear_log("System", None));
    let dir = TempDir::new("faults-denied");
    let target = dir.file("x.evtx");
    denied(
        session
            .export_log(Some("System"), None, &target, ExportFlags::CHANNEL_PATH)
            .map(drop),
    );
    assert!(!std::path::Path::new(&target).exists());
    assert_eq!(
        engine.channel("System").unwrap().record_count(),
        EVENTS as u64
    );
    // Other channels and writes are unaffected.
    assert!(session
        .query(Some("Application"), None, QueryFlags::CHANNEL_PATH)
        .is_ok());
    let event = Generator::new(1).events(Profile::System, 1).pop().unwrap();
    assert!(engine.write("System", event).is_ok());
}

#[test]
fn a_full_channel_refuses_writes_with_1502_until_cleared() {
    let (engine, _) = engine();
    let system = engine.channel("System").unwrap();
    engine.fill_channel("System").unwrap();
    assert!(system.is_full());
    let event = Generator::new(1).events(Profile::System, 1).pop().unwrap();
    let err = engine.write("System", event.clone()).unwrap_err();
    assert_eq!(
        (err.win32_code(), err.kind()),
        (1502, ErrorKind::LogFileFull)
    );
    assert_eq!(system.record_count(), EVENTS as u64, "nothing was written");
    // Reading it is unaffected.
    let results = engine
        .default_session()
        .query(Some("System"), None, QueryFlags::CHANNEL_PATH)
        .unwrap();
    assert_eq!(ids(results.next(2, None).unwrap()), [1, 2]);
    assert_eq!(engine.fill_channel("Nope").unwrap_err().win32_code(), 15007);
    engine.fault_plan().clear();
    assert!(!system.is_full());
    assert!(engine.write("System", event).is_ok());
}

#[test]
fn a_plan_in_text_is_armed_whole_or_not_at_all() {
    let (engine, _) = engine();
    let err = engine
        .fault_plan()
        .inject_plan("EvtNext@2:1734;EvtFormatMesage:15027x*")
        .unwrap_err();
    assert_eq!((err.item, err.offset), (2, 15));
    assert!(engine.fault_plan().rules().is_empty());
    assert_eq!(
        engine
            .fault_plan()
            .inject_plan("EvtNext@2:1734;EvtFormatMessage:15027x*")
            .unwrap(),
        2
    );
    let shown: Vec<String> = engine
        .fault_plan()
        .rules()
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(shown, ["EvtNext@2:1734x1", "EvtFormatMessage@0:15027x*"]);
}

/// The facade: the same plan, a C call counted once, the last error and extended status.
#[test]
fn facade_calls_count_once_and_report_the_injected_error() {
    let _service = crate::winevt::service(30);
    // EvtQuery runs the engine's query: one call, so the second EvtQuery is the one hit.
    assert_eq!(controls::inject_fault("EvtQuery", 1, 1, 1726), w::TRUE);
    assert_eq!(controls::inject_fault("EvtNext", 1, 1, 1734), w::TRUE);
    let query = || w::EvtQuery(0, Some("Security"), None, w::EvtQueryChannelPath);
    let first = query();
    assert_ne!(first, 0);
    assert_eq!(query(), 0);
    assert_eq!(w::GetLastError(), 1726);
    let mut text = vec![0u16; 512];
    let mut used = 0;
    w::EvtGetExtendedStatus(&mut text, &mut used);
    let text = String::from_utf16_lossy(&text[..used.saturating_sub(1) as usize]);
    assert!(
        text.contains("injected") && text.contains("EvtQuery"),
        "{text}"
    );
    assert_ne!(query(), 0, "one failure only");

    let mut handles = [0; 10];
    let mut returned = 0;
    assert_eq!(
        w::EvtNext(first, &mut handles, 0, 0, &mut returned),
        w::TRUE
    );
    let first_ids: Vec<u64> = handles[..returned as usize]
        .iter()
        .map(|h| record_id(*h))
        .collect();
    assert_eq!(first_ids, (1..=10).collect::<Vec<_>>());
    assert_eq!(
        w::EvtNext(first, &mut handles, 0, 0, &mut returned),
        w::FALSE
    );
    assert_eq!(w::GetLastError(), 1734);
    assert_eq!(
        w::EvtNext(first, &mut handles, 0, 0, &mut returned),
        w::TRUE
    );
    assert_eq!(
        record_id(handles[0]),
        11,
        "the faulted EvtNext moved nothing"
    );
    assert_eq!(w::GetLastError(), 0);

    // Unknown functions and a zero error are refused; a malformed plan arms nothing.
    assert_eq!(controls::inject_fault("EvtBogus", 0, 1, 5), w::FALSE);
    assert_eq!(w::GetLastError(), 87);
    assert_eq!(controls::inject_fault("EvtNext", 0, 1, 0), w::FALSE);
    assert_eq!(controls::inject_plan("EvtNext:5;EvtNext@x:5"), w::FALSE);
    assert_eq!(w::GetLastError(), 87);
    assert_eq!(
        w::EvtNext(first, &mut handles, 0, 0, &mut returned),
        w::TRUE
    );
    assert_eq!(controls::clear_faults(), w::TRUE);
    w::EvtClose(first);
}

#[test]
fn facade_publisher_and_channel_faults() {
    let _service = crate::winevt::service(3);
    let engine = controls::engine();
    let event = engine
        .channel("Security")
        .unwrap()
        .snapshot()
        .iter()
        .next()
        .map(|e| e.into_owned())
        .unwrap();
    let provider = event.system.provider.name.clone().unwrap();
    assert_eq!(controls::remove_publisher(&provider), w::TRUE);
    assert_eq!(
        w::EvtOpenPublisherMetadata(0, Some(&provider), None, 0, 0),
        0
    );
    assert_eq!(w::GetLastError(), 15002);
    assert_eq!(controls::deny_channel_access("Security"), w::TRUE);
    assert_eq!(
        w::EvtQuery(0, Some("Security"), None, w::EvtQueryChannelPath),
        0
    );
    assert_eq!(w::GetLastError(), 5);
    assert_eq!(w::EvtOpenLog(0, Some("Security"), w::EvtOpenChannelPath), 0);
    assert_eq!(w::GetLastError(), 5);
    assert_eq!(controls::fill_channel("Application"), w::TRUE);
    let log = w::EvtOpenLog(0, Some("Application"), w::EvtOpenChannelPath);
    assert_ne!(log, 0);
    let mut buffer = [0u8; 16];
    let mut used = 0;
    assert_eq!(
        w::EvtGetLogInfo(log, w::EvtLogFull, &mut buffer, &mut used),
        w::TRUE
    );
    assert_eq!(buffer[0], 1, "EvtLogFull is TRUE");
    w::EvtClose(log);
    assert_eq!(controls::fill_channel("Nope"), w::FALSE);
    assert_eq!(w::GetLastError(), 15007);
    assert_eq!(controls::clear_faults(), w::TRUE);
    let metadata = w::EvtOpenPublisherMetadata(0, Some(&provider), None, 0, 0);
    assert_ne!(metadata, 0);
    w::EvtClose(metadata);
}

/// A delay through the facade moves the service's virtual clock; the classic API is not a
/// wevtapi call and meets no rule, though it queries and exports inside.
#[test]
fn facade_delays_take_virtual_time_and_the_classic_api_meets_no_rule() {
    let _service = crate::winevt::service(5);
    assert_eq!(
        controls::use_virtual_clock(133_000_000_000_000_000),
        w::TRUE
    );
    assert_eq!(controls::inject_delay("EvtNext", 0, 2, 1500), w::TRUE);
    let clock = controls::engine().clock().clone();
    let start = clock.now().0;
    let query = w::EvtQuery(0, Some("Security"), None, w::EvtQueryChannelPath);
    let mut handles = [0; 2];
    let mut returned = 0;
    for _ in 0..3 {
        assert_eq!(
            w::EvtNext(query, &mut handles, 0, 0, &mut returned),
            w::TRUE
        );
        for h in &handles[..returned as usize] {
            w::EvtClose(*h);
        }
    }
    assert_eq!(
        clock.now().0 - start,
        2 * 1500 * 10_000,
        "two delayed EvtNext calls"
    );
    w::EvtClose(query);

    for function in ["EvtQuery", "EvtNext", "EvtExportLog", "EvtClearLog"] {
        assert_eq!(controls::inject_fault(function, 0, 0, 5), w::TRUE);
    }
    let dir = TempDir::new("faults-classic");
    let log = w::OpenEventLogW(None, Some("Security"));
    assert_ne!(log, 0);
    assert_eq!(
        w::BackupEventLogW(log, Some(&dir.file("backup.evtx"))),
        w::TRUE
    );
    assert_eq!(w::ClearEventLogW(log, None), w::TRUE);
    w::CloseEventLog(log);
    assert_eq!(
        w::EvtQuery(0, Some("Security"), None, w::EvtQueryChannelPath),
        0
    );
    assert_eq!(
        w::GetLastError(),
        5,
        "the wevtapi call still meets its rule"
    );
    assert_eq!(controls::clear_faults(), w::TRUE);
}

fn record_id(event: w::EVT_HANDLE) -> u64 {
    let context = w::EvtCreateRenderContext(&[], w::EvtRenderContextSystem);
    let mut buffer = vec![0u8; 4096];
    let (mut used, mut count) = (0, 0);
    assert_eq!(
        w::EvtRender(
            context,
            event,
            w::EvtRenderEventValues,
            &mut buffer,
            &mut used,
            &mut count
        ),
        w::TRUE
    );
    w::EvtClose(context);
    // EvtSystemEventRecordId is property 9; each EVT_VARIANT is 16 bytes, the value first.
    let at = 9 * w::EVT_VARIANT_SIZE;
    u64::from_le_bytes(buffer[at..at + 8].try_into().unwrap())
}

/// The guide's Rust example (docs/src/testing-faults.md), as written between the markers.
#[test]
fn the_guides_example() -> Result<(), Box<dyn std::error::Error>> {
    // guide example begins
    use evtlog::{Engine, FaultRule, Generator, Next, Profile, QueryFlags, VirtualClock};
    use std::sync::Arc;
    use std::time::Duration;

    let engine = Engine::with_default_channels(Arc::new(VirtualClock::default()));
    for event in Generator::new(7).events(Profile::System, 30) {
        engine.write("System", event)?;
    }
    let plan = engine.fault_plan();
    plan.inject(FaultRule::fail("EvtNext", 1734)?.after(2)); // EvtNext@2:1734
    plan.inject(FaultRule::fail("EvtFormatMessage", 15027)?.always()); // EvtFormatMessage:15027x*
    plan.inject(FaultRule::fail("EvtRender", 87)?.percent(10, 7)); // EvtRender:87x10%#7
    plan.inject(FaultRule::delay("EvtQuery", Duration::from_secs(2))?); // EvtQuery:+2000ms
    plan.inject_plan("EvtSeek:1726x2")?; // the text form
    plan.remove_publisher("Microsoft-Windows-Kernel-General");
    plan.fail_messages("Service Control Manager", 15033)?;
    plan.deny_channel_access("Security");
    engine.fill_channel("Application")?;

    let results = engine
        .default_session()
        .query(Some("System"), None, QueryFlags::CHANNEL_PATH)?;
    results.next(10, None)?;
    results.next(10, None)?;
    let error = results.next(10, None).unwrap_err(); // the third EvtNext
    assert_eq!(error.win32_code(), 1734);
    let Next::Events(batch) = results.next(10, None)? else {
        panic!("events")
    };
    assert_eq!(batch[0].record_id(), 21); // the faulted call moved nothing
    plan.clear(); // every fault gone
                  // guide example ends
    Ok(())
}

#[test]
fn the_guides_example_is_this_code() {
    let guide = include_str!("../../docs/src/testing-faults.md");
    let open = guide.find("```rust\n").expect("a Rust block") + "```rust\n".len();
    let close = open + guide[open..].find("\n```").expect("closed");
    let this = include_str!("faults.rs");
    let begin = "// guide example begins\n";
    let start = this.rfind(begin).expect("begin marker") + begin.len();
    let end = start
        + this[start..]
            .find("// guide example ends")
            .expect("end marker");
    let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    assert_eq!(
        squeeze(&guide[open..close]),
        squeeze(&this[start..end]),
        "the guide's Rust block and the_guides_example differ: change both"
    );
}
