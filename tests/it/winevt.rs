//! The wevtapi facade (`evtlog::winevt`) called as Windows code calls wevtapi: handles,
//! the last error, the buffer protocols (EVT_VARIANT, the query, render, channel, bookmark
//! and info functions). The facade has one process-wide service, so these tests take turns.

use std::sync::{Mutex, MutexGuard};

use evtlog::winevt::*;
use evtlog::{CallKind, ChannelConfig, ChannelType, Generator, Profile};

pub(crate) static SERVICE: Mutex<()> = Mutex::new(());

/// The service to this test alone, reset, with `count` generated Security events.
pub(crate) fn service(count: usize) -> MutexGuard<'static, ()> {
    let guard = SERVICE.lock().unwrap_or_else(|e| e.into_inner());
    controls::reset();
    let engine = controls::engine();
    for event in Generator::new(11).events(Profile::Security, count) {
        engine.write("Security", event).unwrap();
    }
    guard
}

fn utf16_bytes_to_string(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let end = units.iter().position(|&u| u == 0).unwrap_or(units.len());
    String::from_utf16(&units[..end]).unwrap()
}

/// EvtRender of XML with the documented two calls: size first, then the buffer.
fn render_xml(event: EVT_HANDLE) -> String {
    let (mut used, mut count) = (0, 0);
    assert_eq!(
        EvtRender(0, event, EvtRenderEventXml, &mut [], &mut used, &mut count),
        FALSE
    );
    assert_eq!(GetLastError(), 122, "ERROR_INSUFFICIENT_BUFFER");
    let mut buffer = vec![0u8; used as usize];
    let needed = used;
    assert_eq!(
        EvtRender(
            0,
            event,
            EvtRenderEventXml,
            &mut buffer,
            &mut used,
            &mut count
        ),
        TRUE
    );
    assert_eq!(
        (used, count),
        (needed, 0),
        "BufferUsed counts bytes with the NUL"
    );
    assert_eq!(&buffer[buffer.len() - 2..], &[0, 0]);
    utf16_bytes_to_string(&buffer)
}

/// Every event of a query, as XML, through EvtNext batches of `batch`.
fn drain(query: EVT_HANDLE, batch: usize) -> Vec<String> {
    let mut xml = Vec::new();
    let mut handles = vec![0; batch];
    loop {
        let mut returned = 0;
        if EvtNext(query, &mut handles, INFINITE, 0, &mut returned) == FALSE {
            assert_eq!(GetLastError(), 259, "the end is ERROR_NO_MORE_ITEMS");
            assert_eq!(returned, 0);
            return xml;
        }
        assert!(returned >= 1 && returned as usize <= batch);
        for &h in &handles[..returned as usize] {
            xml.push(render_xml(h));
            assert_eq!(EvtClose(h), TRUE);
        }
    }
}

/// EvtQuery, EvtNext, EvtRender: the query loop of the Windows samples renders what the engine
/// holds, in order; a short last batch is TRUE.
#[test]
fn query_next_render_reads_every_event() {
    let _s = service(150);
    let query = EvtQuery(0, Some("Security"), None, EvtQueryChannelPath);
    assert_ne!(query, 0, "{}", GetLastError());
    let got = drain(query, 64);
    let expected: Vec<String> = controls::engine()
        .channel("Security")
        .unwrap()
        .snapshot()
        .iter()
        .map(|e| e.to_xml())
        .collect();
    assert_eq!(got, expected);
    assert_eq!(EvtClose(query), TRUE);
}

/// EvtClose and handles: NULL, closed and wrong-kind handles are ERROR_INVALID_HANDLE; closing a
/// query closes its events, closing a session closes its queries; a closed handle's value
/// stays invalid after its slot is reused.
#[test]
fn handles_are_typed_generation_checked_and_close_their_children() {
    let _s = service(10);
    let (mut used, mut count, mut returned) = (0, 0, 0);
    assert_eq!(EvtClose(0), FALSE);
    assert_eq!(GetLastError(), 6);
    let session = EvtOpenSession(EvtRpcLogin, Some(&EvtRpcLoginInfo::default()), 0, 0);
    assert_ne!(session, 0);
    let query = EvtQuery(session, Some("Security"), None, 0);
    let mut events = [0; 4];
    assert_eq!(
        EvtNext(query, &mut events, INFINITE, 0, &mut returned),
        TRUE
    );
    assert_eq!(returned, 4);
    // An event handle where a query is expected, a query where an event is.
    assert_eq!(EvtNext(events[0], &mut [0; 1], 0, 0, &mut returned), FALSE);
    assert_eq!(GetLastError(), 6);
    assert_eq!(
        EvtRender(0, query, EvtRenderEventXml, &mut [], &mut used, &mut count),
        FALSE
    );
    assert_eq!(GetLastError(), 6);
    assert_eq!(EvtClose(events[0]), TRUE);
    assert_eq!(EvtClose(events[0]), FALSE, "closed twice");
    assert_eq!(GetLastError(), 6);
    // Closing the session closes the query and its remaining events.
    assert_eq!(EvtClose(session), TRUE);
    for h in [query, events[1], events[2], events[3]] {
        assert_eq!(EvtClose(h), FALSE);
        assert_eq!(GetLastError(), 6);
    }
    // New handles reuse the slots; the old values stay invalid.
    let fresh: Vec<EVT_HANDLE> = (0..8).map(|_| EvtCreateBookmark(None)).collect();
    for old in [session, query, events[0], events[3]] {
        assert!(!fresh.contains(&old));
        assert_eq!(EvtUpdateBookmark(old, old), FALSE);
        assert_eq!(GetLastError(), 6);
    }
    for h in fresh {
        assert_eq!(EvtClose(h), TRUE);
    }
    for junk in [-1, 1, isize::MAX, isize::MIN] {
        assert_eq!(EvtClose(junk), FALSE);
        assert_eq!(GetLastError(), 6);
    }
}

/// EvtOpenSession: this computer is reachable by its names; any other server is
/// RPC_S_SERVER_UNAVAILABLE; reserved arguments must be 0.
#[test]
fn open_session_reaches_only_this_computer() {
    let _s = service(0);
    for server in ["localhost", ".", "LOCALHOST"] {
        let login = EvtRpcLoginInfo {
            server: Some(server.into()),
            ..Default::default()
        };
        let h = EvtOpenSession(EvtRpcLogin, Some(&login), 0, 0);
        assert_ne!(h, 0, "{server}");
        assert_eq!(EvtClose(h), TRUE);
    }
    let login = EvtRpcLoginInfo {
        server: Some("dc01.example.com".into()),
        ..Default::default()
    };
    assert_eq!(EvtOpenSession(EvtRpcLogin, Some(&login), 0, 0), 0);
    assert_eq!(GetLastError(), 1722);
    assert_eq!(EvtOpenSession(EvtRpcLogin, None, 0, 0), 0);
    assert_eq!(GetLastError(), 87);
    assert_eq!(EvtOpenSession(2, Some(&login), 0, 0), 0);
    assert_eq!(GetLastError(), 87);
    assert_eq!(
        EvtOpenSession(EvtRpcLogin, Some(&EvtRpcLoginInfo::default()), 1, 0),
        0
    );
    assert_eq!(GetLastError(), 87);
}

/// EvtGetExtendedStatus and EvtQuery: a bad query is 15001 and EvtGetExtendedStatus gives its
/// message with the position; a missing channel is 15007.
#[test]
fn query_errors_set_last_error_and_extended_status() {
    let _s = service(0);
    assert_eq!(
        EvtQuery(0, Some("Security"), Some("*[System[EventID=]]"), 0),
        0
    );
    assert_eq!(GetLastError(), 15001);
    let mut used = 0;
    assert_eq!(EvtGetExtendedStatus(&mut [], &mut used), 122);
    let mut text = vec![0u16; used as usize];
    assert_eq!(EvtGetExtendedStatus(&mut text, &mut used), 0);
    let text = String::from_utf16(&text[..used as usize - 1]).unwrap();
    assert!(text.contains("position"), "{text}");
    assert_eq!(EvtQuery(0, Some("NoSuchLog"), None, 0), 0);
    assert_eq!(GetLastError(), 15007);
    assert_eq!(
        EvtQuery(0, Some("Security"), None, 0x3),
        0,
        "both path kinds"
    );
    assert_eq!(GetLastError(), 87);
    SetLastError(0);
    assert_eq!(GetLastError(), 0);
}

/// EvtCreateRenderContext and EvtRender: the System context renders 18 variants in
/// EVT_SYSTEM_PROPERTY_ID order with their documented types, the payloads after the array; a Values
/// context one per path; a too-small buffer is 122 with the size, untouched.
#[test]
fn render_values_lays_out_variants() {
    let _s = service(1);
    let query = EvtQuery(0, Some("Security"), None, 0);
    let (mut event, mut returned) = ([0; 1], 0);
    assert_eq!(EvtNext(query, &mut event, INFINITE, 0, &mut returned), TRUE);
    let system = EvtCreateRenderContext(&[], EvtRenderContextSystem);
    assert_ne!(system, 0);
    let (mut used, mut count) = (0, 0);
    let mut small = vec![0xA5u8; 32];
    assert_eq!(
        EvtRender(
            system,
            event[0],
            EvtRenderEventValues,
            &mut small,
            &mut used,
            &mut count
        ),
        FALSE
    );
    assert_eq!(GetLastError(), 122);
    assert!(small.iter().all(|&b| b == 0xA5), "untouched");
    let mut buffer = vec![0u8; used as usize];
    assert_eq!(
        EvtRender(
            system,
            event[0],
            EvtRenderEventValues,
            &mut buffer,
            &mut used,
            &mut count
        ),
        TRUE
    );
    assert_eq!(count, 18);
    let ty =
        |b: &[u8], i: usize| u32::from_le_bytes(b[16 * i + 12..16 * i + 16].try_into().unwrap());
    let word = |b: &[u8], i: usize| u64::from_le_bytes(b[16 * i..16 * i + 8].try_into().unwrap());
    assert_eq!(ty(&buffer, 0), 1, "ProviderName is a String");
    assert_eq!(ty(&buffer, 2), 6, "EventID is UInt16");
    assert_eq!(ty(&buffer, 8), 17, "TimeCreated is FileTime");
    assert_eq!(ty(&buffer, 9), 10, "EventRecordId is UInt64");
    assert_eq!(word(&buffer, 9), 1);
    let name_at = word(&buffer, 0) as usize - buffer.as_ptr() as usize;
    assert!(name_at >= 18 * 16 && name_at < buffer.len());
    assert_eq!(
        utf16_bytes_to_string(&buffer[name_at..]),
        "Microsoft-Windows-Security-Auditing"
    );
    let values = EvtCreateRenderContext(
        &[
            "Event/System/EventID",
            "Event/EventData/Data[@Name='NoSuch']",
        ],
        EvtRenderContextValues,
    );
    assert_ne!(values, 0);
    assert_eq!(
        EvtRender(
            values,
            event[0],
            EvtRenderEventValues,
            &mut buffer,
            &mut used,
            &mut count
        ),
        TRUE
    );
    assert_eq!((count, used), (2, 32));
    assert_eq!(ty(&buffer, 1), 0, "a missing value is Null");
    assert_eq!(
        EvtCreateRenderContext(&["Event/System/EventID"], EvtRenderContextSystem),
        0
    );
    assert_eq!(GetLastError(), 87);
    assert_eq!(EvtCreateRenderContext(&["Event/System[EventID=1 or"], 0), 0);
    assert_eq!(GetLastError(), 15001);
    for h in [system, values, query] {
        assert_eq!(EvtClose(h), TRUE);
    }
}

/// Bookmarks and EvtSeek: a bookmark updated to the last event read, rendered, parsed again, and
/// the resume idiom EvtSeek(1, bookmark, RelativeToBookmark) continues after it.
#[test]
fn bookmark_render_parse_and_resume() {
    let _s = service(20);
    let query = EvtQuery(0, Some("Security"), None, 0);
    let (mut events, mut returned) = ([0; 5], 0);
    assert_eq!(
        EvtNext(query, &mut events, INFINITE, 0, &mut returned),
        TRUE
    );
    let bookmark = EvtCreateBookmark(None);
    assert_eq!(EvtUpdateBookmark(bookmark, events[4]), TRUE);
    let (mut used, mut count) = (0, 0);
    let mut buffer = vec![0u8; 4096];
    assert_eq!(
        EvtRender(
            0,
            bookmark,
            EvtRenderBookmark,
            &mut buffer,
            &mut used,
            &mut count
        ),
        TRUE
    );
    let xml = utf16_bytes_to_string(&buffer[..used as usize]);
    assert!(xml.contains("RecordId='5'"), "{xml}");
    assert_eq!(EvtClose(query), TRUE);
    assert_eq!(EvtClose(bookmark), TRUE);
    let saved = EvtCreateBookmark(Some(&xml));
    assert_ne!(saved, 0);
    let query = EvtQuery(0, Some("Security"), None, 0);
    assert_eq!(EvtSeek(query, 1, saved, 0, EvtSeekRelativeToBookmark), TRUE);
    assert_eq!(
        EvtNext(query, &mut events[..1], INFINITE, 0, &mut returned),
        TRUE
    );
    assert!(render_xml(events[0]).contains("<EventRecordID>6</EventRecordID>"));
    assert_eq!(EvtSeek(query, 1, saved, 0, EvtSeekRelativeToFirst), FALSE);
    assert_eq!(
        GetLastError(),
        87,
        "a bookmark only with RelativeToBookmark"
    );
    assert_eq!(EvtCreateBookmark(Some("<BookmarkList>")), 0);
    assert_eq!(GetLastError(), 15008);
    assert_eq!(EvtClose(query), TRUE);
    assert_eq!(EvtClose(saved), TRUE);
}

/// EvtCancel: the documented cancel procedure: thread A blocked in EvtNext, thread B calls
/// EvtCancel, A returns ERROR_CANCELLED, then the handle is closed; a session cancel
/// (NULL: the local session) reaches it too.
#[test]
fn cancel_procedure() {
    let _s = service(3000);
    for cancel_session in [false, true] {
        let engine = controls::engine();
        let pause = engine.pause_at(CallKind::Next, 2);
        let query = EvtQuery(0, Some("Security"), None, 0);
        let reader = std::thread::spawn(move || {
            let (mut events, mut returned) = (vec![0; 1024], 0);
            let ok = EvtNext(query, &mut events, INFINITE, 0, &mut returned);
            (ok, GetLastError(), returned)
        });
        pause.wait_stopped(1);
        assert_eq!(EvtCancel(if cancel_session { 0 } else { query }), TRUE);
        pause.release();
        assert_eq!(reader.join().unwrap(), (FALSE, 1223, 0));
        assert_eq!(EvtClose(query), TRUE);
    }
}

/// EvtOpenChannelEnum/EvtNextChannelPath: channel names sorted, the same name again after a
/// too-small buffer, then ERROR_NO_MORE_ITEMS.
#[test]
fn channel_enum_retries_the_same_name() {
    let _s = service(0);
    controls::engine()
        .create_channel(ChannelConfig::new(
            "Microsoft-Windows-Test/Operational",
            ChannelType::Operational,
        ))
        .unwrap();
    let e = EvtOpenChannelEnum(0, 0);
    assert_ne!(e, 0);
    let mut names = Vec::new();
    let mut used = 0;
    loop {
        if EvtNextChannelPath(e, &mut [0; 3], &mut used) == TRUE {
            panic!("a 3-character buffer holds no channel name");
        }
        match GetLastError() {
            259 => break,
            122 => {}
            other => panic!("{other}"),
        }
        let mut buffer = vec![0u16; used as usize];
        assert_eq!(EvtNextChannelPath(e, &mut buffer, &mut used), TRUE);
        names.push(String::from_utf16(&buffer[..used as usize - 1]).unwrap());
    }
    assert_eq!(
        names,
        [
            "Application",
            "ForwardedEvents",
            // Defined by the default Sysmon publisher's manifest.
            "Microsoft-Windows-Sysmon/Operational",
            "Microsoft-Windows-Test/Operational",
            "Security",
            "Setup",
            "System"
        ]
    );
    assert_eq!(EvtOpenChannelEnum(0, 1), 0);
    assert_eq!(GetLastError(), 87);
    assert_eq!(EvtClose(e), TRUE);
}

/// EvtGetQueryInfo/EvtGetEventInfo: query names and statuses are parallel arrays; an event's path
/// is its channel.
#[test]
fn query_and_event_info() {
    let _s = service(1);
    let structured = "<QueryList><Query Id='0'><Select Path='Security'>*</Select>\
                      <Select Path='Missing'>*</Select></Query></QueryList>";
    let query = EvtQuery(0, None, Some(structured), EvtQueryTolerateQueryErrors);
    assert_ne!(query, 0, "{}", GetLastError());
    let (mut used, mut buffer) = (0, vec![0u8; 1024]);
    assert_eq!(
        EvtGetQueryInfo(query, EvtQueryStatuses, &mut buffer, &mut used),
        TRUE
    );
    let count = u32::from_le_bytes(buffer[8..12].try_into().unwrap());
    let ty = u32::from_le_bytes(buffer[12..16].try_into().unwrap());
    assert_eq!((count, ty), (2, 0x80 | 8));
    assert_eq!(
        EvtGetQueryInfo(query, EvtQueryNames, &mut buffer, &mut used),
        TRUE
    );
    assert_eq!(u32::from_le_bytes(buffer[12..16].try_into().unwrap()), 0x81);
    let (mut event, mut returned) = ([0; 1], 0);
    assert_eq!(EvtNext(query, &mut event, INFINITE, 0, &mut returned), TRUE);
    assert_eq!(
        EvtGetEventInfo(event[0], EvtEventPath, &mut buffer, &mut used),
        TRUE
    );
    let at =
        u64::from_le_bytes(buffer[..8].try_into().unwrap()) as usize - buffer.as_ptr() as usize;
    assert_eq!(utf16_bytes_to_string(&buffer[at..]), "Security");
    assert_eq!(EvtGetEventInfo(event[0], 7, &mut buffer, &mut used), FALSE);
    assert_eq!(GetLastError(), 87);
    assert_eq!(EvtClose(query), TRUE);
}

/// The engine controls: reset closes every handle and empties the channels; the virtual
/// clock stamps written events.
#[test]
fn controls_reset_and_virtual_clock() {
    let _s = service(5);
    let query = EvtQuery(0, Some("Security"), None, 0);
    controls::reset();
    assert_eq!(EvtClose(query), FALSE, "reset closed it");
    assert_eq!(
        controls::engine()
            .channel("Security")
            .unwrap()
            .record_count(),
        0
    );
    assert_eq!(
        controls::advance_clock(1),
        FALSE,
        "the wall clock does not advance"
    );
    assert_eq!(GetLastError(), 4317);
    controls::use_virtual_clock(133_000_000_000_000_000);
    assert_eq!(controls::advance_clock(1_000), TRUE);
    let engine = controls::engine();
    assert_eq!(
        engine.clock().now().0,
        133_000_000_000_000_000 + 1_000 * 10_000
    );
    assert_eq!(controls::generate("Security", 3, 9), TRUE);
    assert_eq!(controls::create_channel("Test/Log"), TRUE);
    assert_eq!(controls::create_channel("Test/Log"), FALSE);
    assert_eq!(GetLastError(), 87, "it exists");
    let xml = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>\
               <System><Provider Name='T'/><EventID>7</EventID></System></Event>";
    assert_eq!(controls::write_event_xml("Test/Log", xml), TRUE);
    assert_eq!(controls::write_event_xml("Test/Log", "<Event>"), FALSE);
    assert_eq!(GetLastError(), 15008);
    assert_eq!(controls::write_event_xml("Nowhere", xml), FALSE);
    assert_eq!(GetLastError(), 15007);
    let test_log = engine.channel("Test/Log").unwrap().snapshot();
    let written = &test_log.iter().next().unwrap().system;
    assert_eq!(written.event_record_id, Some(1));
    assert_eq!(written.channel.as_deref(), Some("Test/Log"));
    assert_eq!(
        written.time_created.unwrap().0,
        133_000_000_000_000_000 + 1_000 * 10_000,
        "the virtual clock stamps it"
    );
    let security = engine.channel("Security").unwrap().snapshot();
    assert_eq!(security.iter().count(), 3);
    assert!(security
        .iter()
        .all(|e| e.system.channel.as_deref() == Some("Security")));
    controls::reset();
}

/// The record id of an event handle, through the System render context.
fn record_id(event: EVT_HANDLE) -> u64 {
    let system = EvtCreateRenderContext(&[], EvtRenderContextSystem);
    let (mut used, mut count) = (0, 0);
    let mut buffer = vec![0u8; 4096];
    assert_eq!(
        EvtRender(
            system,
            event,
            EvtRenderEventValues,
            &mut buffer,
            &mut used,
            &mut count
        ),
        TRUE
    );
    EvtClose(system);
    u64::from_le_bytes(buffer[9 * 16..9 * 16 + 8].try_into().unwrap())
}

/// EvtSubscribe: a push subscription's callback gets each event's handle, valid only during the
/// call; closing the subscription stops delivery.
#[test]
fn push_subscription_delivers_then_stops_on_close() {
    let _s = service(3);
    let (tx, rx) = std::sync::mpsc::channel();
    let callback: SubscribeCallback = Box::new(move |action, event| {
        assert_eq!(action, EvtSubscribeActionDeliver);
        tx.send((event, record_id(event))).unwrap();
    });
    let sub = EvtSubscribe(
        0,
        0,
        Some("Security"),
        None,
        0,
        Some(callback),
        EvtSubscribeStartAtOldestRecord,
    );
    assert_ne!(sub, 0, "{}", GetLastError());
    let first: Vec<(EVT_HANDLE, u64)> = (0..3)
        .map(|_| rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap())
        .collect();
    assert_eq!(first.iter().map(|e| e.1).collect::<Vec<_>>(), [1, 2, 3]);
    assert_eq!(
        EvtClose(first[0].0),
        FALSE,
        "closed when the callback returned"
    );
    assert_eq!(GetLastError(), 6);
    let engine = controls::engine();
    engine
        .write("Security", Generator::new(1).next_event(Profile::Security))
        .unwrap();
    let (_, id) = rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
    assert_eq!(id, 4, "a future event");
    assert_eq!(EvtClose(sub), TRUE);
    engine
        .write("Security", Generator::new(2).next_event(Profile::Security))
        .unwrap();
    assert!(rx
        .recv_timeout(std::time::Duration::from_millis(200))
        .is_err());
    // Both or neither of SignalEvent and Callback: 87.
    assert_eq!(EvtSubscribe(0, 0, Some("Security"), None, 0, None, 1), 0);
    assert_eq!(GetLastError(), 87);
}

/// EvtSubscribe and EvtNext: the pull model with a manual-reset signal and a bookmark: the
/// documented wait / drain / reset loop, resume after the bookmark, and the fresh future-events
/// subscription's ERROR_INVALID_OPERATION.
#[test]
fn pull_subscription_with_signal_and_bookmark() {
    let _s = service(5);
    let signal = CreateEvent(true, true);
    let sub = EvtSubscribe(
        0,
        signal,
        Some("Security"),
        None,
        0,
        None,
        EvtSubscribeStartAtOldestRecord,
    );
    assert_ne!(sub, 0, "{}", GetLastError());
    assert_eq!(WaitForSingleObject(signal, INFINITE), WAIT_OBJECT_0);
    let bookmark = EvtCreateBookmark(None);
    let (mut events, mut returned, mut seen) = ([0; 2], 0, Vec::new());
    while EvtNext(sub, &mut events, 0, 0, &mut returned) == TRUE {
        for &e in &events[..returned as usize] {
            seen.push(record_id(e));
            assert_eq!(EvtUpdateBookmark(bookmark, e), TRUE);
            EvtClose(e);
        }
    }
    assert_eq!(GetLastError(), 259);
    assert_eq!(seen, [1, 2, 3, 4, 5]);
    assert_eq!(ResetEvent(signal), TRUE);
    assert_eq!(WaitForSingleObject(signal, 0), WAIT_TIMEOUT);
    assert_eq!(EvtClose(sub), TRUE);
    // New events while nobody listens; resume after the bookmark.
    let engine = controls::engine();
    for seed in 0..2 {
        engine
            .write(
                "Security",
                Generator::new(seed).next_event(Profile::Security),
            )
            .unwrap();
    }
    let resumed = EvtSubscribe(
        0,
        signal,
        Some("Security"),
        None,
        bookmark,
        None,
        EvtSubscribeStartAfterBookmark,
    );
    assert_ne!(resumed, 0, "{}", GetLastError());
    let mut ids = Vec::new();
    while EvtNext(resumed, &mut events, 0, 0, &mut returned) == TRUE {
        ids.extend(events[..returned as usize].iter().map(|&e| record_id(e)));
    }
    assert_eq!(ids, [6, 7]);
    assert_eq!(EvtClose(resumed), TRUE);
    // A fresh future-events subscription with nothing yet: 4317, as observed on Windows;
    // the signal may be closed at once (as OTEL does).
    let auto = CreateEvent(false, false);
    let future = EvtSubscribe(
        0,
        auto,
        Some("Security"),
        None,
        0,
        None,
        EvtSubscribeToFutureEvents,
    );
    assert_eq!(CloseHandle(auto), TRUE);
    assert_eq!(EvtNext(future, &mut events, 0, 0, &mut returned), FALSE);
    assert_eq!(GetLastError(), 4317);
    engine
        .write("Security", Generator::new(9).next_event(Profile::Security))
        .unwrap();
    assert_eq!(EvtNext(future, &mut events, 0, 0, &mut returned), TRUE);
    assert_eq!(returned, 1);
    assert_eq!(EvtNext(future, &mut events, 0, 0, &mut returned), FALSE);
    assert_eq!(
        GetLastError(),
        259,
        "after a delivery, the end is ERROR_NO_MORE_ITEMS"
    );
    assert_eq!(EvtClose(future), TRUE);
    assert_eq!(
        EvtClose(signal),
        FALSE,
        "an event object closes with CloseHandle"
    );
    assert_eq!(CloseHandle(signal), TRUE);
    assert_eq!(WaitForSingleObject(signal, 0), WAIT_FAILED);
    assert_eq!(EvtClose(bookmark), TRUE);
}

/// One log property as (type, union bits).
fn log_info(log: EVT_HANDLE, id: u32) -> (u32, u64) {
    let (mut used, mut buffer) = (0, vec![0u8; 64]);
    assert_eq!(
        EvtGetLogInfo(log, id, &mut buffer, &mut used),
        TRUE,
        "{}",
        GetLastError()
    );
    (
        u32::from_le_bytes(buffer[12..16].try_into().unwrap()),
        u64::from_le_bytes(buffer[..8].try_into().unwrap()),
    )
}

/// EvtExportLog, EvtClearLog, EvtOpenLog, EvtArchiveExportedLog: export and clear with a backup,
/// then EvtOpenLog and EvtGetLogInfo on the channel and on the files; EvtArchiveExportedLog writes
/// its side-car.
#[test]
fn export_clear_open_log_and_log_info() {
    let _s = service(40);
    let dir = std::env::temp_dir().join(format!("evtlog-winevt-logs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let exported = dir.join("exported.evtx").to_str().unwrap().to_owned();
    let backup = dir.join("backup.evtx").to_str().unwrap().to_owned();
    assert_eq!(
        EvtExportLog(
            0,
            Some("Security"),
            Some("*[System[EventRecordID>10]]"),
            Some(&exported),
            1
        ),
        TRUE
    );
    assert_eq!(
        EvtExportLog(0, Some("Security"), None, Some(&exported), 1),
        FALSE
    );
    assert_eq!(GetLastError(), 80, "it exists");
    let channel = EvtOpenLog(0, Some("Security"), EvtOpenChannelPath);
    assert_ne!(channel, 0);
    assert_eq!(log_info(channel, EvtLogNumberOfLogRecords), (10, 40));
    assert_eq!(log_info(channel, EvtLogOldestRecordNumber), (10, 1));
    assert_eq!(log_info(channel, EvtLogFull), (13, 0));
    assert_eq!(log_info(channel, EvtLogFileSize).0, 10);
    assert_eq!(EvtClearLog(0, Some("Security"), Some(&backup), 0), TRUE);
    assert_eq!(log_info(channel, EvtLogNumberOfLogRecords), (10, 0));
    let file = EvtOpenLog(0, Some(&exported), EvtOpenFilePath);
    assert_ne!(file, 0, "{}", GetLastError());
    assert_eq!(log_info(file, EvtLogNumberOfLogRecords), (10, 30));
    assert_eq!(log_info(file, EvtLogOldestRecordNumber), (10, 11));
    let size = std::fs::metadata(&exported).unwrap().len();
    assert_eq!(log_info(file, EvtLogFileSize), (10, size));
    assert_eq!(log_info(file, EvtLogLastWriteTime).0, 17, "a FILETIME");
    let backup_log = EvtOpenLog(0, Some(&backup), EvtOpenFilePath);
    assert_eq!(log_info(backup_log, EvtLogNumberOfLogRecords), (10, 40));
    assert_eq!(EvtArchiveExportedLog(0, Some(&exported), 0, 0), TRUE);
    assert_eq!(EvtArchiveExportedLog(0, Some("relative.evtx"), 0, 0), FALSE);
    assert_eq!(GetLastError(), 87);
    assert_eq!(EvtOpenLog(0, Some("/no/such.evtx"), EvtOpenFilePath), 0);
    assert_eq!(GetLastError(), 2);
    assert_eq!(EvtOpenLog(0, Some("NoSuchLog"), EvtOpenChannelPath), 0);
    assert_eq!(GetLastError(), 15007);
    assert_eq!(EvtOpenLog(0, Some("Security"), 3), 0);
    assert_eq!(GetLastError(), 87);
    // A sequential channel that refused an event is full (EvtLogFull), until cleared.
    let engine = controls::engine();
    engine
        .create_channel(
            ChannelConfig::new("Seq/Log", ChannelType::Operational)
                .with_max_size(ChannelConfig::MIN_MAX_SIZE)
                .with_retention(evtlog::Retention::DoNotOverwrite),
        )
        .unwrap();
    let sequential = EvtOpenLog(0, Some("Seq/Log"), EvtOpenChannelPath);
    let mut generator = Generator::new(4);
    while engine
        .write("Seq/Log", generator.next_event(Profile::Security))
        .is_ok()
    {}
    assert_eq!(log_info(sequential, EvtLogFull), (13, 1));
    assert_eq!(EvtClearLog(0, Some("Seq/Log"), None, 0), TRUE);
    assert_eq!(log_info(sequential, EvtLogFull), (13, 0));
    assert_eq!(EvtClose(sequential), TRUE);
    let mut buffer = [0u8; 8];
    let mut used = 0;
    assert_eq!(
        EvtGetLogInfo(channel, EvtLogFull, &mut buffer, &mut used),
        FALSE
    );
    assert_eq!((GetLastError(), used), (122, 16));
    assert_eq!(EvtGetLogInfo(channel, 8, &mut [0; 16], &mut used), FALSE);
    assert_eq!(GetLastError(), 87);
    for h in [channel, file, backup_log] {
        assert_eq!(EvtClose(h), TRUE);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Channel configuration (EvtOpenChannelConfig and its Get/Set/Save): the copy behind the handle,
/// the size protocol, Set's rules, Save applying to the channel, the handle closed with its
/// session.
#[test]
fn channel_config_get_set_save() {
    use evtlog::Value;
    let _service = service(0);
    assert_eq!(EvtOpenChannelConfig(0, Some("No-Such"), 0), 0);
    assert_eq!(GetLastError(), 15007);
    assert_eq!(EvtOpenChannelConfig(0, Some("System"), 1), 0);
    assert_eq!(GetLastError(), 87);
    let session = EvtOpenSession(EvtRpcLogin, Some(&EvtRpcLoginInfo::default()), 0, 0);
    let config = EvtOpenChannelConfig(session, Some("Setup"), 0);
    assert_ne!(config, 0);

    let mut used = 0;
    assert_eq!(
        EvtGetChannelConfigProperty(
            config,
            EvtChannelLoggingConfigLogFilePath,
            0,
            &mut [],
            &mut used
        ),
        FALSE
    );
    assert_eq!(GetLastError(), 122);
    let path = r"%SystemRoot%\System32\Winevt\Logs\Setup.evtx";
    assert_eq!(used as usize, EVT_VARIANT_SIZE + 2 * (path.len() + 1));
    let mut buffer = vec![0u8; used as usize];
    assert_eq!(
        EvtGetChannelConfigProperty(
            config,
            EvtChannelLoggingConfigLogFilePath,
            0,
            &mut buffer,
            &mut used
        ),
        TRUE
    );
    assert_eq!(
        u32::from_le_bytes(buffer[12..16].try_into().unwrap()),
        1,
        "EvtVarTypeString"
    );
    assert_eq!(utf16_bytes_to_string(&buffer[EVT_VARIANT_SIZE..]), path);
    let mut one = [0u8; 16];
    for id in 0..EvtChannelConfigPropertyIdEND {
        let mut big = vec![0u8; 4096];
        assert_eq!(
            EvtGetChannelConfigProperty(config, id, 0, &mut big, &mut used),
            TRUE,
            "{id}"
        );
    }
    assert_eq!(
        EvtGetChannelConfigProperty(
            config,
            EvtChannelConfigPropertyIdEND,
            0,
            &mut one,
            &mut used
        ),
        FALSE
    );
    assert_eq!(GetLastError(), 87);

    let set = |id, v: &Value| EvtSetChannelConfigProperty(config, id, 0, Some(v));
    assert_eq!(set(EvtChannelConfigType, &Value::UInt32(0)), FALSE);
    assert_eq!(GetLastError(), 15023);
    assert_eq!(
        set(EvtChannelLoggingConfigMaxSize, &Value::UInt32(1 << 22)),
        FALSE
    );
    assert_eq!(GetLastError(), 15023, "MaxSize takes a UInt64");
    assert_eq!(
        EvtSetChannelConfigProperty(config, EvtChannelConfigEnabled, 0, None),
        FALSE
    );
    assert_eq!(GetLastError(), 87);
    assert_eq!(
        set(EvtChannelLoggingConfigMaxSize, &Value::UInt64(1 << 22)),
        TRUE
    );
    // The copy changed; the channel not until Save.
    assert_eq!(
        controls::engine()
            .channel("Setup")
            .unwrap()
            .config()
            .max_size,
        1 << 20
    );
    assert_eq!(EvtSaveChannelConfig(config, 1), FALSE);
    assert_eq!(GetLastError(), 87);
    assert_eq!(EvtSaveChannelConfig(config, 0), TRUE);
    assert_eq!(
        controls::engine()
            .channel("Setup")
            .unwrap()
            .config()
            .max_size,
        1 << 22
    );

    // A query handle is not a configuration; closing the session closes the configuration.
    assert_eq!(EvtSaveChannelConfig(session, 0), FALSE);
    assert_eq!(GetLastError(), 6);
    assert_eq!(EvtClose(session), TRUE);
    assert_eq!(EvtSaveChannelConfig(config, 0), FALSE);
    assert_eq!(GetLastError(), 6);
}
