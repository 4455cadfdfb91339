//! Sessions and query result sets: next, seek, staleness, flags, and cancellation
//! (EvtCancel, EvtQuery, EvtNext, EvtSeek; ARCHITECTURE.md, Cancellation). Blocking is arranged
//! with pause points, never with sleeps.

use std::sync::Arc;
use std::time::Duration;

use crate::support::backend::{engine_with_clock, engine_with_default_channels, TestEngine};
use evtlog::{
    CallKind, ChannelConfig, ChannelType, ErrorKind, Event, FileTime, Next, QueryFlags, Retention,
    SeekFlags, VirtualClock,
};

/// An engine on a virtual clock with channel `Log` holding `n` events: EventID = record id
/// (1, 2, …), TimeCreated one second apart.
fn engine_with(n: u64) -> (TestEngine, Arc<VirtualClock>) {
    let clock = Arc::new(VirtualClock::default());
    let engine = engine_with_clock(clock.clone());
    engine
        .create_channel(
            ChannelConfig::new("Log", ChannelType::Operational)
                .with_max_size(ChannelConfig::UNBOUNDED),
        )
        .unwrap();
    for i in 1..=n {
        engine
            .write("Log", Event::builder("P").event_id(i as u16).build())
            .unwrap();
        clock.advance_ms(1000);
    }
    (engine, clock)
}

fn ids(next: Next) -> Vec<u64> {
    match next {
        Next::Events(events) => events.iter().map(|e| e.record_id()).collect(),
        Next::End => vec![],
        Next::TimedOut => panic!("timed out"),
    }
}

const FWD: QueryFlags = QueryFlags::CHANNEL_PATH;

#[test]
fn next_returns_batches_then_end() {
    let (engine, _) = engine_with(10);
    let rs = engine
        .default_session()
        .query(Some("Log"), None, FWD)
        .unwrap();
    assert_eq!(ids(rs.next(4, None).unwrap()), [1, 2, 3, 4]);
    assert_eq!(ids(rs.next(4, None).unwrap()), [5, 6, 7, 8]);
    // A short batch is a success (EvtNext returns what it has).
    assert_eq!(ids(rs.next(4, None).unwrap()), [9, 10]);
    assert!(matches!(rs.next(4, None).unwrap(), Next::End));
    assert!(matches!(rs.next(4, None).unwrap(), Next::End));
}

/// EvtNext and MS-EVEN6: 1 to 1024 events per call.
#[test]
fn next_count_must_be_1_to_1024() {
    let (engine, _) = engine_with(1);
    let rs = engine
        .default_session()
        .query(Some("Log"), None, FWD)
        .unwrap();
    assert_eq!(rs.next(0, None).unwrap_err().win32_code(), 87);
    assert_eq!(rs.next(1025, None).unwrap_err().win32_code(), 87);
    assert_eq!(ids(rs.next(1024, None).unwrap()), [1]);
}

#[test]
fn reverse_direction_and_filters() {
    let (engine, _) = engine_with(10);
    let session = engine.default_session();
    let rs = session
        .query(
            Some("Log"),
            Some("*[System[EventID>=6]]"),
            FWD | QueryFlags::REVERSE_DIRECTION,
        )
        .unwrap();
    assert_eq!(ids(rs.next(3, None).unwrap()), [10, 9, 8]);
    assert_eq!(ids(rs.next(10, None).unwrap()), [7, 6]);
    assert!(matches!(rs.next(1, None).unwrap(), Next::End));
}

/// EVT_QUERY_FLAGS: exclusive flags and unknown bits are ERROR_INVALID_PARAMETER.
#[test]
fn query_flags_are_checked() {
    let (engine, _) = engine_with(1);
    let session = engine.default_session();
    let both = QueryFlags::FORWARD_DIRECTION | QueryFlags::REVERSE_DIRECTION;
    assert_eq!(
        session
            .query(Some("Log"), None, both)
            .unwrap_err()
            .win32_code(),
        87
    );
    let both = QueryFlags::CHANNEL_PATH | QueryFlags::FILE_PATH;
    assert_eq!(
        session
            .query(Some("Log"), None, both)
            .unwrap_err()
            .win32_code(),
        87
    );
    assert_eq!(
        session
            .query(Some("Nope"), None, FWD)
            .unwrap_err()
            .win32_code(),
        15007
    );
    assert_eq!(
        session
            .query(Some("Log"), Some("*[System[EventID=]]"), FWD)
            .unwrap_err()
            .win32_code(),
        15001
    );
}

/// EvtQuery: several sources come merged in time order.
#[test]
fn structured_query_merges_channels_by_time() {
    let clock = Arc::new(VirtualClock::default());
    let engine = engine_with_default_channels(clock.clone());
    for i in 0..6u16 {
        let channel = if i % 3 == 0 { "System" } else { "Application" };
        engine
            .write(channel, Event::builder("P").event_id(i).build())
            .unwrap();
        clock.advance_ms(10);
    }
    let q = "<QueryList><Query Id='0' Path='Application'><Select>*</Select><Select Path='System'>*</Select></Query></QueryList>";
    let rs = engine
        .default_session()
        .query(None, Some(q), QueryFlags::default())
        .unwrap();
    let Next::Events(events) = rs.next(10, None).unwrap() else {
        panic!()
    };
    let got: Vec<(String, u16)> = events
        .iter()
        .map(|e| (e.path().to_owned(), e.system.event_id))
        .collect();
    let want: Vec<(String, u16)> = (0..6u16)
        .map(|i| {
            (
                (if i % 3 == 0 { "System" } else { "Application" }).to_owned(),
                i,
            )
        })
        .collect();
    assert_eq!(got, want);
    let rs = engine
        .default_session()
        .query(None, Some(q), QueryFlags::REVERSE_DIRECTION)
        .unwrap();
    let Next::Events(events) = rs.next(10, None).unwrap() else {
        panic!()
    };
    assert_eq!(
        events.iter().map(|e| e.system.event_id).collect::<Vec<_>>(),
        [5, 4, 3, 2, 1, 0]
    );
}

/// EvtQuery: with TolerateQueryErrors, a missing channel is skipped and reported.
#[test]
fn tolerate_query_errors_skips_missing_channels() {
    let (engine, _) = engine_with(2);
    let q = "<QueryList><Query Id='0' Path='Log'><Select>*</Select><Select Path='Missing'>*</Select></Query></QueryList>";
    let session = engine.default_session();
    assert_eq!(
        session.query(None, Some(q), FWD).unwrap_err().win32_code(),
        15007
    );
    let rs = session
        .query(None, Some(q), FWD | QueryFlags::TOLERATE_QUERY_ERRORS)
        .unwrap();
    assert_eq!(
        rs.statuses(),
        [("Log".to_owned(), 0), ("Missing".to_owned(), 15007)]
    );
    assert_eq!(ids(rs.next(10, None).unwrap()), [1, 2]);
    let rs = session
        .query(
            Some("Log"),
            Some("*[System[EventID=2]] or *[System[EventID=]]"),
            FWD | QueryFlags::TOLERATE_QUERY_ERRORS,
        )
        .unwrap();
    assert_eq!(ids(rs.next(10, None).unwrap()), [2]);
}

/// EvtQuery: a forward result set is live: events written while enumerating appear.
#[test]
fn forward_results_are_live() {
    let (engine, _) = engine_with(300);
    let rs = engine
        .default_session()
        .query(Some("Log"), None, FWD)
        .unwrap();
    assert_eq!(ids(rs.next(1024, None).unwrap()).len(), 300);
    assert!(matches!(rs.next(10, None).unwrap(), Next::End));
    for _ in 0..3 {
        engine.write("Log", Event::builder("P").build()).unwrap();
    }
    assert_eq!(ids(rs.next(10, None).unwrap()), [301, 302, 303]);
}

/// EvtNext: a timeout that elapses before any event is found is TimedOut; deterministic under a
/// virtual clock through the per-record scan cost. Scanned records are not scanned again.
#[test]
fn timeouts_are_deterministic_with_a_scan_cost() {
    let (engine, _) = engine_with(1000);
    engine.set_scan_cost(Duration::from_millis(1));
    let session = engine.default_session();
    // Only the last event matches; each batch of up to 64 records costs up to 64 ms.
    let rs = session
        .query(Some("Log"), Some("*[System[EventID=1000]]"), FWD)
        .unwrap();
    assert!(matches!(
        rs.next(1, Some(Duration::from_millis(100))).unwrap(),
        Next::TimedOut
    ));
    let mut timeouts = 1;
    let found = loop {
        match rs.next(1, Some(Duration::from_millis(300))).unwrap() {
            Next::TimedOut => timeouts += 1,
            other => break ids(other),
        }
        assert!(timeouts < 10, "no progress");
    };
    assert_eq!(found, [1000]);
    // Events found before the time is up come back as a short batch (a success).
    let rs = session
        .query(
            Some("Log"),
            Some("*[System[EventID<=2 or EventID=1000]]"),
            FWD,
        )
        .unwrap();
    assert_eq!(
        ids(rs.next(10, Some(Duration::from_millis(300))).unwrap()),
        [1, 2]
    );
    // Without a timeout nothing times out.
    engine.set_scan_cost(Duration::ZERO);
    let rs = session
        .query(Some("Log"), Some("*[System[EventID=1000]]"), FWD)
        .unwrap();
    assert_eq!(ids(rs.next(1, None).unwrap()), [1000]);
    // A zero timeout is a poll: the first batch is always read (as .NET and OTEL poll
    // EvtNext).
    let (engine, _) = engine_with(10);
    let rs = engine
        .default_session()
        .query(Some("Log"), None, FWD)
        .unwrap();
    assert_eq!(ids(rs.next(3, Some(Duration::ZERO)).unwrap()), [1, 2, 3]);
}

/// EvtNext forward: a filter finds its matches wherever they are, the oldest record, the
/// newest, and none between (a persistent channel: its file's first sealed chunk, then
/// sealed chunks without a match, then the open chunk).
#[test]
fn a_filtered_forward_query_reaches_the_newest_record() {
    let (engine, _) = engine_with(2000);
    let session = engine.default_session();
    for (query, want) in [
        ("*[System[EventID=2000]]", vec![2000]),
        ("*[System[EventID=1 or EventID=2000]]", vec![1, 2000]),
    ] {
        let rs = session.query(Some("Log"), Some(query), FWD).unwrap();
        assert_eq!(ids(rs.next(10, None).unwrap()), want, "{query}");
        let rs = session
            .query(Some("Log"), Some(query), QueryFlags::REVERSE_DIRECTION)
            .unwrap();
        let mut reversed = want.clone();
        reversed.reverse();
        assert_eq!(
            ids(rs.next(10, None).unwrap()),
            reversed,
            "{query} reversed"
        );
    }
}

/// EvtSeek: the origins, clamping without Strict, and 15012 with Strict.
#[test]
fn seek_origins_clamp_and_strict() {
    let (engine, _) = engine_with(10);
    let rs = engine
        .default_session()
        .query(Some("Log"), Some("*[System[EventID>3]]"), FWD)
        .unwrap(); // 4..=10
    let strict = SeekFlags::STRICT;
    rs.seek(0, SeekFlags::RELATIVE_TO_LAST).unwrap();
    assert_eq!(ids(rs.next(5, None).unwrap()), [10]);
    rs.seek(2, SeekFlags::RELATIVE_TO_FIRST).unwrap();
    assert_eq!(ids(rs.next(1, None).unwrap()), [6]);
    rs.seek(-2, SeekFlags::RELATIVE_TO_CURRENT).unwrap();
    assert_eq!(ids(rs.next(1, None).unwrap()), [5]);
    rs.seek(1, SeekFlags::RELATIVE_TO_CURRENT).unwrap();
    assert_eq!(ids(rs.next(1, None).unwrap()), [7]);
    rs.seek(-1, SeekFlags::RELATIVE_TO_LAST).unwrap();
    assert_eq!(ids(rs.next(1, None).unwrap()), [9]);
    // Past the end: the last record within the boundary; with Strict, 15012 and no move.
    rs.seek(100, SeekFlags::RELATIVE_TO_FIRST).unwrap();
    assert_eq!(ids(rs.next(1, None).unwrap()), [10]);
    rs.seek(1, SeekFlags::RELATIVE_TO_FIRST).unwrap();
    let e = rs
        .seek(100, SeekFlags::RELATIVE_TO_FIRST | strict)
        .unwrap_err();
    assert_eq!(e.win32_code(), 15012);
    assert_eq!(
        ids(rs.next(1, None).unwrap()),
        [5],
        "a failed seek moves nothing"
    );
    assert_eq!(
        rs.seek(-100, SeekFlags::RELATIVE_TO_CURRENT | strict)
            .unwrap_err()
            .win32_code(),
        15012
    );
    rs.seek(-100, SeekFlags::RELATIVE_TO_CURRENT).unwrap();
    assert_eq!(ids(rs.next(1, None).unwrap()), [4]);
    // Offsets of the wrong sign for First/Last clamp, or fail with Strict.
    assert_eq!(
        rs.seek(-1, SeekFlags::RELATIVE_TO_FIRST | strict)
            .unwrap_err()
            .win32_code(),
        15012
    );
    assert_eq!(
        rs.seek(1, SeekFlags::RELATIVE_TO_LAST | strict)
            .unwrap_err()
            .win32_code(),
        15012
    );
    rs.seek(1, SeekFlags::RELATIVE_TO_LAST).unwrap();
    assert_eq!(ids(rs.next(1, None).unwrap()), [10]);
    rs.seek(0, SeekFlags::RELATIVE_TO_LAST | strict).unwrap();
    assert_eq!(ids(rs.next(1, None).unwrap()), [10]);
    // Reverse results count in their own direction.
    let rs = engine
        .default_session()
        .query(Some("Log"), None, QueryFlags::REVERSE_DIRECTION)
        .unwrap();
    rs.seek(1, SeekFlags::RELATIVE_TO_FIRST).unwrap();
    assert_eq!(ids(rs.next(2, None).unwrap()), [9, 8]);
    rs.seek(0, SeekFlags::RELATIVE_TO_LAST).unwrap();
    assert_eq!(ids(rs.next(2, None).unwrap()), [1]);
    // Empty results: clamp to the (empty) start, or 15012.
    let rs = engine
        .default_session()
        .query(Some("Log"), Some("*[System[EventID=999]]"), FWD)
        .unwrap();
    rs.seek(0, SeekFlags::RELATIVE_TO_LAST).unwrap();
    assert!(matches!(rs.next(1, None).unwrap(), Next::End));
    assert_eq!(
        rs.seek(0, SeekFlags::RELATIVE_TO_FIRST | strict)
            .unwrap_err()
            .win32_code(),
        15012
    );
    assert_eq!(SeekFlags::from_bits(0).unwrap_err().win32_code(), 87);
}

/// EvtNext: a clear under a result set makes it stale until closed (15011).
#[test]
fn stale_after_clear() {
    let (engine, _) = engine_with(10);
    let rs = engine
        .default_session()
        .query(Some("Log"), None, FWD)
        .unwrap();
    assert_eq!(ids(rs.next(3, None).unwrap()), [1, 2, 3]);
    engine.channel("Log").unwrap().clear().unwrap();
    engine.write("Log", Event::builder("P").build()).unwrap();
    for _ in 0..2 {
        assert_eq!(rs.next(3, None).unwrap_err().win32_code(), 15011);
        assert_eq!(
            rs.seek(0, SeekFlags::RELATIVE_TO_FIRST)
                .unwrap_err()
                .win32_code(),
            15011
        );
    }
    rs.close();
    assert_eq!(
        rs.next(3, None).unwrap_err().kind(),
        ErrorKind::InvalidHandle
    );
    // A new query sees the new record.
    let rs = engine
        .default_session()
        .query(Some("Log"), None, FWD)
        .unwrap();
    assert_eq!(ids(rs.next(3, None).unwrap()), [11]);
}

/// EvtNext (the stale-result pain shippers report): an overwrite (rollover) under a result set
/// makes it stale.
#[test]
fn stale_after_overwrite() {
    let engine = engine_with_clock(Arc::new(VirtualClock::default()));
    let channel = engine
        .create_channel(
            ChannelConfig::new("Ring", ChannelType::Operational)
                .with_retention(Retention::Overwrite),
        )
        .unwrap();
    let big = || {
        Event::builder("P")
            .data("Payload", "x".repeat(1000))
            .build()
    };
    channel.append(big()).unwrap();
    let rs = engine
        .default_session()
        .query(Some("Ring"), None, FWD)
        .unwrap();
    assert_eq!(ids(rs.next(1, None).unwrap()), [1]);
    let generation = channel.generation();
    while channel.generation() == generation {
        channel.append(big()).unwrap();
    }
    assert_eq!(rs.next(1, None).unwrap_err().win32_code(), 15011);
    assert_eq!(rs.next(1, None).unwrap_err().win32_code(), 15011);
}

/// EvtCancel: a handle cancel is sticky until close; cancel is idempotent.
#[test]
fn handle_cancel_is_sticky() {
    let (engine, _) = engine_with(10);
    let session = engine.default_session();
    let rs = session.query(Some("Log"), None, FWD).unwrap();
    rs.cancel();
    rs.cancel();
    for _ in 0..3 {
        assert_eq!(rs.next(1, None).unwrap_err().win32_code(), 1223);
        assert_eq!(
            rs.seek(0, SeekFlags::RELATIVE_TO_FIRST)
                .unwrap_err()
                .win32_code(),
            1223
        );
    }
    // Other result sets of the session are not affected.
    let other = session.query(Some("Log"), None, FWD).unwrap();
    assert_eq!(ids(other.next(1, None).unwrap()), [1]);
    rs.close();
    assert_eq!(rs.next(1, None).unwrap_err().win32_code(), 6);
}

/// A cancel during a call stops it at the next batch; a session cancel consumes nothing and
/// later calls run normally.
#[test]
fn session_cancel_during_next_consumes_nothing() {
    let (engine, _) = engine_with(1000);
    let session = engine.open_session();
    let rs = session.query(Some("Log"), None, FWD).unwrap();
    let pause = engine.pause_at(CallKind::Next, 1);
    let call = std::thread::spawn({
        let rs = rs.clone();
        move || rs.next(1024, None)
    });
    pause.wait_stopped(1);
    session.cancel();
    assert_eq!(call.join().unwrap().unwrap_err().win32_code(), 1223);
    pause.release();
    assert_eq!(
        ids(rs.next(3, None).unwrap()),
        [1, 2, 3],
        "the cancelled call moved nothing"
    );
}

/// The heart of the cancellation rule (ARCHITECTURE.md, Cancellation): 16 threads in next() on
/// result sets of one session, one session cancel, all return Cancelled, and the session works
/// afterwards.
#[test]
fn session_cancel_fans_out_to_16_blocked_calls() {
    let (engine, _) = engine_with(600);
    let session = engine.open_session();
    let pause_next = engine.pause_at(CallKind::Next, 1);
    let pause_seek = engine.pause_at(CallKind::Seek, 1);
    let calls: Vec<_> = (0..16)
        .map(|i| {
            let rs = session.query(Some("Log"), None, FWD).unwrap();
            std::thread::spawn(move || {
                let r = if i % 2 == 0 {
                    rs.next(600, None).map(|_| ())
                } else {
                    rs.seek(0, SeekFlags::RELATIVE_TO_LAST)
                };
                (r, rs)
            })
        })
        .collect();
    pause_next.wait_stopped(8);
    pause_seek.wait_stopped(8);
    session.cancel();
    let result_sets: Vec<_> = calls
        .into_iter()
        .map(|c| {
            let (r, rs) = c.join().unwrap();
            assert_eq!(r.unwrap_err().win32_code(), 1223);
            rs
        })
        .collect();
    pause_next.release();
    pause_seek.release();
    // Not sticky: the same result sets and new queries work.
    for rs in &result_sets {
        assert_eq!(ids(rs.next(2, None).unwrap()), [1, 2]);
    }
    let rs = session.query(Some("Log"), None, FWD).unwrap();
    assert_eq!(ids(rs.next(1, None).unwrap()), [1]);
}

/// Cancel before and after a call: before makes it fail (sticky handle cancel); after has no
/// effect on the finished call; a session cancel with nothing in flight changes nothing.
#[test]
fn cancel_before_and_after_a_call() {
    let (engine, _) = engine_with(5);
    let session = engine.open_session();
    let rs = session.query(Some("Log"), None, FWD).unwrap();
    session.cancel();
    assert_eq!(
        ids(rs.next(2, None).unwrap()),
        [1, 2],
        "nothing was in flight"
    );
    let done = rs.next(2, None).unwrap();
    rs.cancel();
    assert_eq!(ids(done), [3, 4], "a finished call keeps its events");
    assert_eq!(rs.next(1, None).unwrap_err().win32_code(), 1223);
}

/// Query setup is a call of the session: a session cancel stops it.
#[test]
fn session_cancel_stops_query_setup() {
    let (engine, _) = engine_with(5);
    let session = engine.open_session();
    let pause = engine.pause_at(CallKind::Query, 0);
    let call = std::thread::spawn({
        let session = session.clone();
        move || session.query(Some("Log"), None, FWD).map(|_| ())
    });
    pause.wait_stopped(1);
    session.cancel();
    assert_eq!(call.join().unwrap().unwrap_err().win32_code(), 1223);
    drop(pause);
    assert!(session.query(Some("Log"), None, FWD).is_ok());
}

/// EvtClose racing EvtNext: the call returns Cancelled, later calls InvalidHandle, and events
/// already returned stay readable (nothing is freed under a call).
#[test]
fn close_racing_next() {
    let (engine, _) = engine_with(1000);
    let rs = engine
        .default_session()
        .query(Some("Log"), None, FWD)
        .unwrap();
    let Next::Events(kept) = rs.next(2, None).unwrap() else {
        panic!()
    };
    let pause = engine.pause_at(CallKind::Next, 1);
    let call = std::thread::spawn({
        let rs = rs.clone();
        move || rs.next(1024, None).map(|_| ())
    });
    pause.wait_stopped(1);
    rs.close();
    assert_eq!(call.join().unwrap().unwrap_err().win32_code(), 1223);
    assert_eq!(rs.next(1, None).unwrap_err().win32_code(), 6);
    assert_eq!(kept[1].system.event_id, 2);
}

/// EvtOpenSession/EvtClose: closing a session closes every handle made in it; the default session
/// cannot be closed.
#[test]
fn session_close_closes_its_result_sets() {
    let (engine, _) = engine_with(5);
    let session = engine.open_session();
    let a = session.query(Some("Log"), None, FWD).unwrap();
    let b = session
        .query(Some("Log"), None, QueryFlags::REVERSE_DIRECTION)
        .unwrap();
    session.close().unwrap();
    assert_eq!(a.next(1, None).unwrap_err().win32_code(), 6);
    assert_eq!(
        b.seek(0, SeekFlags::RELATIVE_TO_FIRST)
            .unwrap_err()
            .win32_code(),
        6
    );
    assert_eq!(
        session
            .query(Some("Log"), None, FWD)
            .unwrap_err()
            .win32_code(),
        6
    );
    assert!(engine.default_session().close().is_err());
    let rs = engine
        .default_session()
        .query(Some("Log"), None, FWD)
        .unwrap();
    assert_eq!(ids(rs.next(1, None).unwrap()), [1]);
}

/// Close while a call waits at a pause point in another session does not touch it.
#[test]
fn sessions_are_independent() {
    let (engine, _) = engine_with(600);
    let (one, two) = (engine.open_session(), engine.open_session());
    let rs_one = one.query(Some("Log"), None, FWD).unwrap();
    let rs_two = two.query(Some("Log"), None, FWD).unwrap();
    let pause = engine.pause_at(CallKind::Next, 1);
    let a = std::thread::spawn(move || rs_one.next(600, None).map(|_| ()));
    let b = std::thread::spawn(move || {
        rs_two
            .next(600, None)
            .map(|n| matches!(n, Next::Events(ref e) if e.len() == 600))
    });
    pause.wait_stopped(2);
    one.cancel();
    assert_eq!(a.join().unwrap().unwrap_err().win32_code(), 1223);
    assert_eq!(
        pause.stopped(),
        1,
        "the other session's call is still stopped"
    );
    pause.release();
    assert!(b.join().unwrap().unwrap());
}

#[test]
fn event_refs_outlive_their_result_set() {
    let (engine, _) = engine_with(3);
    let rs = engine
        .default_session()
        .query(Some("Log"), None, FWD)
        .unwrap();
    let Next::Events(events) = rs.next(3, None).unwrap() else {
        panic!()
    };
    drop(rs);
    engine.channel("Log").unwrap().clear().unwrap();
    assert_eq!(
        events.iter().map(|e| e.system.event_id).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(events[0].path(), "Log");
    assert!(events[0].system.time_created.unwrap() >= FileTime::default());
}

/// The poll interval is a setting: with a poll on every record, batch N is record N, and a
/// cancel there still moves nothing; out-of-range settings clamp.
#[test]
fn poll_interval_sets_the_batch() {
    let (engine, _) = engine_with(100);
    engine.set_poll_interval(1);
    let session = engine.open_session();
    let rs = session
        .query(Some("Log"), Some("*[System[EventID=100]]"), FWD)
        .unwrap();
    let pause = engine.pause_at(CallKind::Next, 10);
    let call = std::thread::spawn({
        let rs = rs.clone();
        move || rs.next(1, None)
    });
    pause.wait_stopped(1);
    session.cancel();
    assert_eq!(call.join().unwrap().unwrap_err().win32_code(), 1223);
    drop(pause);
    assert_eq!(ids(rs.next(1, None).unwrap()), [100]);
    engine.set_poll_interval(0);
    engine.set_poll_interval(usize::MAX);
    assert_eq!(
        ids(engine
            .default_session()
            .query(Some("Log"), None, FWD)
            .unwrap()
            .next(3, None)
            .unwrap()),
        [1, 2, 3]
    );
}
