//! Subscriptions, push and pull (EvtSubscribe's flags, callback and errors, EvtNext on a
//! subscription, EvtCancel and EvtClose; and the pains shippers report: stale results after a
//! clear, bookmark resume, lost wakeups, missed events under load). Everything is deterministic: a
//! push test waits for a sentinel event (per-channel order means everything before it was
//! delivered) or closes the subscription (close joins the delivery thread), never for a time.
//! `recv` timeouts only turn a hang into a failure.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Barrier, Mutex};
use std::time::Duration;

use crate::support::backend::{engine_with_clock, TestEngine};
use evtlog::{
    CallKind, ChannelConfig, ChannelType, Delivery, Engine, Event, Next, Retention, Session,
    SignalEvent, SubscribeAction, SubscribeFlags, SubscribePosition, Subscription, VirtualClock,
};

const FUTURE: SubscribeFlags = SubscribeFlags::TO_FUTURE_EVENTS;
const OLDEST: SubscribeFlags = SubscribeFlags::START_AT_OLDEST_RECORD;
const AFTER: SubscribeFlags = SubscribeFlags::START_AFTER_BOOKMARK;
const STRICT: SubscribeFlags = SubscribeFlags::STRICT;
const SENTINEL: u16 = 9999;
const GUARD: Duration = Duration::from_secs(60);

/// Channels `Log` and `Other` (Operational, unbounded), `Ring` (1 MiB, circular), `Dbg`
/// (Debug) and `Ana` (Analytic), on a virtual clock.
fn engine() -> (TestEngine, Arc<VirtualClock>) {
    let clock = Arc::new(VirtualClock::default());
    let engine = engine_with_clock(clock.clone());
    for (name, kind) in [
        ("Log", ChannelType::Operational),
        ("Other", ChannelType::Admin),
    ] {
        engine
            .create_channel(ChannelConfig::new(name, kind).with_max_size(ChannelConfig::UNBOUNDED))
            .unwrap();
    }
    engine
        .create_channel(
            ChannelConfig::new("Ring", ChannelType::Operational)
                .with_retention(Retention::Overwrite),
        )
        .unwrap();
    engine
        .create_channel(ChannelConfig::new("Dbg", ChannelType::Debug).with_enabled(true))
        .unwrap();
    engine
        .create_channel(ChannelConfig::new("Ana", ChannelType::Analytic))
        .unwrap();
    (engine, clock)
}

fn ev(id: u16) -> Event {
    Event::builder("P").event_id(id).build()
}

fn big() -> Event {
    Event::builder("P")
        .event_id(1)
        .data("Payload", "x".repeat(1000))
        .build()
}

/// What a push callback got, as plain values.
#[derive(Debug, PartialEq, Eq)]
enum Got {
    /// Channel, record id, EventID.
    Event(String, u64, u16),
    Error(u32),
}

/// A push subscription whose first callback stops until the test has seen it start
/// (`entered`) and lets it go (`release`); every action is sent to `rx`.
struct Held {
    sub: Subscription,
    rx: Receiver<Got>,
    entered: Arc<Barrier>,
    release: Arc<Barrier>,
}

fn held_at_first_callback(engine: &Engine, channel: &str, flags: SubscribeFlags) -> Held {
    let entered = Arc::new(Barrier::new(2));
    let release = Arc::new(Barrier::new(2));
    let (tx, rx) = mpsc::channel();
    let sub = engine
        .default_session()
        .subscribe(Some(channel), None, None, flags, {
            let (entered, release) = (entered.clone(), release.clone());
            let mut first = true;
            Delivery::push(move |a| {
                if first {
                    first = false;
                    entered.wait();
                    release.wait();
                }
                let _ = tx.send(got(a));
            })
        })
        .unwrap();
    Held {
        sub,
        rx,
        entered,
        release,
    }
}

fn got(action: SubscribeAction) -> Got {
    match action {
        SubscribeAction::Deliver(e) => {
            Got::Event(e.path().to_owned(), e.record_id(), e.system.event_id)
        }
        SubscribeAction::Error(e) => Got::Error(e.win32_code()),
    }
}

/// A push subscription whose actions are sent to the returned receiver.
fn push(
    session: &Session,
    path: Option<&str>,
    query: Option<&str>,
    bookmark: Option<&SubscribePosition>,
    flags: SubscribeFlags,
) -> evtlog::Result<(Subscription, Receiver<Got>)> {
    let (tx, rx) = mpsc::channel();
    let sub = session.subscribe(
        path,
        query,
        bookmark,
        flags,
        Delivery::push(move |action| {
            let _ = tx.send(got(action));
        }),
    )?;
    Ok((sub, rx))
}

/// Writes a sentinel to `channel` and collects everything up to it.
fn until_sentinel(engine: &Engine, channel: &str, rx: &Receiver<Got>) -> Vec<Got> {
    engine.write(channel, ev(SENTINEL)).unwrap();
    let mut out = Vec::new();
    loop {
        let g = rx.recv_timeout(GUARD).expect("delivery");
        if matches!(&g, Got::Event(c, _, SENTINEL) if c == channel) {
            return out;
        }
        out.push(g);
    }
}

fn event_ids(got: &[Got]) -> Vec<u16> {
    got.iter()
        .map(|g| match g {
            Got::Event(_, _, id) => *id,
            Got::Error(code) => panic!("error {code}"),
        })
        .collect()
}

fn pull_ids(next: Next) -> Vec<u64> {
    match next {
        Next::Events(events) => events.iter().map(|e| e.record_id()).collect(),
        Next::End => vec![],
        Next::TimedOut => panic!("timed out"),
    }
}

fn pull(
    session: &Session,
    path: &str,
    bookmark: Option<&SubscribePosition>,
    flags: SubscribeFlags,
) -> Subscription {
    session
        .subscribe(
            Some(path),
            None,
            bookmark,
            flags,
            Delivery::pull(SignalEvent::new(false)),
        )
        .unwrap()
}

/// EvtSubscribe: ToFutureEvents gives only events appended after the subscription.
#[test]
fn future_events_only() {
    let (engine, _) = engine();
    for i in 1..=3 {
        engine.write("Log", ev(i)).unwrap();
    }
    let (sub, rx) = push(&engine.default_session(), Some("Log"), None, None, FUTURE).unwrap();
    for i in 4..=6 {
        engine.write("Log", ev(i)).unwrap();
    }
    assert_eq!(event_ids(&until_sentinel(&engine, "Log", &rx)), [4, 5, 6]);
    sub.close();
}

/// EvtSubscribe: StartAtOldestRecord gives every existing event, then future ones; the query
/// filters both (a Query of NULL or "*" is every event).
#[test]
fn oldest_record_then_future_with_a_filter() {
    let (engine, _) = engine();
    for i in 1..=4 {
        engine.write("Log", ev(i)).unwrap();
    }
    let query = "*[System[EventID!=2 and EventID!=6]]";
    let (sub, rx) = push(
        &engine.default_session(),
        Some("Log"),
        Some(query),
        None,
        OLDEST,
    )
    .unwrap();
    for i in 5..=7 {
        engine.write("Log", ev(i)).unwrap();
    }
    assert_eq!(
        event_ids(&until_sentinel(&engine, "Log", &rx)),
        [1, 3, 4, 5, 7]
    );
    sub.close();
}

/// EvtSubscribe: StartAfterBookmark gives the events after the bookmarked one.
#[test]
fn after_bookmark_present() {
    let (engine, _) = engine();
    for i in 1..=5 {
        engine.write("Log", ev(i)).unwrap();
    }
    let bookmark = SubscribePosition::new("log", 3); // channel names ignore case
    for flags in [AFTER, AFTER | STRICT] {
        let (sub, rx) = push(
            &engine.default_session(),
            Some("Log"),
            None,
            Some(&bookmark),
            flags,
        )
        .unwrap();
        let got = until_sentinel(&engine, "Log", &rx);
        let ids = event_ids(&got);
        assert_eq!(&ids[..2], [4, 5], "{flags:?}");
        sub.close();
    }
}

/// EvtSubscribe: with Strict, a bookmarked record that is gone fails the subscribe with
/// ERROR_NOT_FOUND (1168); the callback gets nothing (a resume pain shippers hit: vector#26120,
/// beats#29793).
#[test]
fn after_bookmark_gone_with_strict_is_1168() {
    let (engine, _) = engine();
    for i in 1..=5 {
        engine.write("Log", ev(i)).unwrap();
    }
    engine.channel("Log").unwrap().clear().unwrap();
    engine.write("Log", ev(6)).unwrap();
    let session = engine.default_session();
    for bookmark in [
        SubscribePosition::new("Log", 3),   // cleared
        SubscribePosition::new("Log", 100), // never written
        SubscribePosition::new("Other", 1), // no position in Log
        SubscribePosition::empty(),         // an empty bookmark
    ] {
        let err = push(&session, Some("Log"), None, Some(&bookmark), AFTER | STRICT).unwrap_err();
        assert_eq!(err.win32_code(), 1168, "{bookmark:?}");
    }
}

/// EvtSubscribe: without Strict, a missing bookmarked record starts the subscription after the
/// record closest to it (MS-EVEN6 seeks to the nearest lower id).
#[test]
fn after_bookmark_gone_without_strict_starts_after_the_closest() {
    let (engine, _) = engine();
    let channel = engine.channel("Log").unwrap();
    for i in 1..=4 {
        channel.append(ev(i)).unwrap();
    }
    channel.clear().unwrap();
    for i in 5..=7 {
        channel.append(ev(i)).unwrap(); // ids 5, 6, 7
    }
    let session = engine.default_session();
    // Older than every record: the closest is the oldest (5); start after it.
    let (sub, rx) = push(
        &session,
        Some("Log"),
        None,
        Some(&SubscribePosition::new("Log", 2)),
        AFTER,
    )
    .unwrap();
    assert_eq!(event_ids(&until_sentinel(&engine, "Log", &rx)), [6, 7]);
    sub.close();
    // Beyond the newest: the closest is the newest; only future events.
    let (sub, rx) = push(
        &session,
        Some("Log"),
        None,
        Some(&SubscribePosition::new("Log", 1000)),
        AFTER,
    )
    .unwrap();
    engine.write("Log", ev(8)).unwrap();
    assert_eq!(event_ids(&until_sentinel(&engine, "Log", &rx)), [8]);
    sub.close();
    // A bookmark naming another channel only: this one starts at its oldest record.
    let sub = pull(
        &session,
        "Log",
        Some(&SubscribePosition::new("Other", 1)),
        AFTER,
    );
    assert_eq!(pull_ids(sub.next(3, None).unwrap()), [5, 6, 7]);
}

/// EvtSubscribe's documented quirk: "pass an empty bookmark and the subscription will begin with
/// the second event that matches the query criteria".
#[test]
fn empty_bookmark_begins_with_the_second_match() {
    let (engine, _) = engine();
    for i in 1..=4 {
        engine.write("Log", ev(i)).unwrap();
    }
    let session = engine.default_session();
    let empty = SubscribePosition::empty();
    let query = "*[System[EventID>=2]]";
    let (sub, rx) = push(&session, Some("Log"), Some(query), Some(&empty), AFTER).unwrap();
    assert_eq!(event_ids(&until_sentinel(&engine, "Log", &rx)), [3, 4]);
    sub.close();
    let sub = session
        .subscribe(
            Some("Log"),
            Some(query),
            Some(&empty),
            AFTER,
            Delivery::pull(SignalEvent::new(false)),
        )
        .unwrap();
    let ids = pull_ids(sub.next(2, None).unwrap());
    assert_eq!(ids, [3, 4]);
}

/// EVT_SUBSCRIBE_FLAGS and EvtSubscribe: the origin is a value (flags & 3); a bookmark is required
/// with StartAfterBookmark and must be NULL otherwise; bad flags are ERROR_INVALID_PARAMETER (87).
#[test]
fn flags_and_bookmark_are_checked() {
    let (engine, _) = engine();
    let session = engine.default_session();
    let bookmark = SubscribePosition::new("Log", 1);
    let code = |bookmark: Option<&SubscribePosition>, bits: u32| {
        let flags = SubscribeFlags::from_bits(bits).unwrap_or(FUTURE);
        if SubscribeFlags::from_bits(bits).is_err() {
            return 87;
        }
        push(&session, Some("Log"), None, bookmark, flags)
            .map(|_| 0)
            .unwrap_or_else(|e| e.win32_code())
    };
    assert_eq!(code(None, 0x3), 87); // StartAfterBookmark without a bookmark
    assert_eq!(code(Some(&bookmark), 0x1), 87); // a bookmark with ToFutureEvents
    assert_eq!(code(Some(&bookmark), 0x2), 87);
    assert_eq!(code(None, 0x0), 87); // no origin
    assert_eq!(code(None, 0x20001), 87); // unknown bit
    assert_eq!(code(None, 0x11001), 0); // ToFutureEvents | Tolerate | Strict
    assert_eq!(code(Some(&bookmark), 0x3), 0);
}

/// EvtSubscribe: Analytic and Debug channels cannot be subscribed (15009, which shippers
/// meet); a missing channel is 15007 and an invalid query 15001; TolerateQueryErrors behaves
/// as for EvtQuery.
#[test]
fn setup_errors_and_tolerate_query_errors() {
    let (engine, _) = engine();
    let session = engine.default_session();
    let code = |path: Option<&str>, query: Option<&str>, flags| {
        push(&session, path, query, None, flags)
            .map(|_| 0)
            .unwrap_or_else(|e| e.win32_code())
    };
    assert_eq!(code(Some("Dbg"), None, FUTURE), 15009);
    assert_eq!(code(Some("Ana"), None, OLDEST), 15009);
    assert_eq!(code(Some("NoSuch"), None, FUTURE), 15007);
    assert_eq!(
        code(Some("Log"), Some("*[System[EventID=]]"), FUTURE),
        15001
    );
    assert_eq!(code(Some("Log"), Some("<QueryList><Query>"), FUTURE), 15008);
    assert_eq!(code(None, Some("*"), FUTURE), 87); // a bare XPath needs a channel path

    let tolerate = FUTURE | SubscribeFlags::TOLERATE_QUERY_ERRORS;
    // The leftmost valid expressions are kept.
    let (sub, rx) = push(
        &session,
        Some("Log"),
        Some("*[System[EventID=1]] or *[System[EventID=]]"),
        None,
        tolerate,
    )
    .unwrap();
    engine.write("Log", ev(2)).unwrap();
    engine.write("Log", ev(1)).unwrap();
    engine.write("Log", ev(1)).unwrap();
    let first = rx.recv_timeout(GUARD).unwrap();
    assert!(matches!(first, Got::Event(_, 2, 1)), "{first:?}");
    sub.close();
    // A structured query: missing and direct channels are skipped and reported.
    let list = "<QueryList><Query Id='0'><Select Path='Log'>*</Select>\
                <Select Path='NoSuch'>*</Select><Select Path='Dbg'>*</Select></Query></QueryList>";
    let (sub, _rx) = push(&session, None, Some(list), None, tolerate).unwrap();
    assert_eq!(
        sub.statuses(),
        [
            ("Log".to_owned(), 0),
            ("NoSuch".to_owned(), 15007),
            ("Dbg".to_owned(), 15009)
        ]
    );
    assert_eq!(code(None, Some(list), FUTURE), 15007);
    let only_missing =
        "<QueryList><Query Id='0'><Select Path='NoSuch'>*</Select></Query></QueryList>";
    assert_eq!(code(None, Some(only_missing), tolerate), 15007);
}

/// EvtSubscribe with a structured query (QueryList) over two channels (ChannelPath ignored); each
/// channel's events come in order.
#[test]
fn structured_query_over_two_channels() {
    let (engine, clock) = engine();
    let list = "<QueryList><Query Id='0' Path='Log'><Select>*[System[EventID!=3]]</Select>\
                <Select Path='Other'>*</Select></Query></QueryList>";
    let (sub, rx) = push(
        &engine.default_session(),
        Some("Ignored"),
        Some(list),
        None,
        FUTURE,
    )
    .unwrap();
    for i in 1..=5 {
        engine.write("Log", ev(i)).unwrap();
        engine.write("Other", ev(100 + i)).unwrap();
        clock.advance_ms(10);
    }
    engine.write("Other", ev(SENTINEL)).unwrap();
    engine.write("Log", ev(SENTINEL)).unwrap();
    let mut all = Vec::new();
    let mut sentinels = 0;
    while sentinels < 2 {
        let g = rx.recv_timeout(GUARD).expect("delivery");
        sentinels += usize::from(matches!(g, Got::Event(_, _, SENTINEL)));
        all.push(g);
    }
    sub.close();
    let of = |channel: &str| -> Vec<u16> {
        all.iter()
            .filter_map(|g| match g {
                Got::Event(c, _, id) if c == channel && *id != SENTINEL => Some(*id),
                _ => None,
            })
            .collect()
    };
    assert_eq!(of("Log"), [1, 2, 4, 5]);
    assert_eq!(of("Other"), [101, 102, 103, 104, 105]);
}

/// EvtSubscribe's documentation: "the callback … will block other events from being delivered": one
/// at a time, on one delivery thread, even with several writers.
#[test]
fn push_delivery_is_serialised() {
    let (engine, _) = engine();
    let inside = Arc::new(AtomicBool::new(false));
    let overlaps = Arc::new(AtomicUsize::new(0));
    let threads = Arc::new(Mutex::new(std::collections::HashSet::new()));
    let (tx, rx) = mpsc::channel();
    let sub = engine
        .default_session()
        .subscribe(Some("Log"), None, None, FUTURE, {
            let (inside, overlaps, threads) = (inside.clone(), overlaps.clone(), threads.clone());
            Delivery::push(move |action| {
                if inside.swap(true, Ordering::SeqCst) {
                    overlaps.fetch_add(1, Ordering::SeqCst);
                }
                threads.lock().unwrap().insert(std::thread::current().id());
                std::thread::yield_now();
                inside.store(false, Ordering::SeqCst);
                let _ = tx.send(got(action));
            })
        })
        .unwrap();
    let writers: Vec<_> = (0..3)
        .map(|_| {
            let engine = engine.clone();
            std::thread::spawn(move || {
                for i in 0..200 {
                    engine.write("Log", ev(i)).unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let got = until_sentinel(&engine, "Log", &rx);
    assert_eq!(got.len(), 600);
    assert_eq!(overlaps.load(Ordering::SeqCst), 0);
    assert_eq!(threads.lock().unwrap().len(), 1);
    assert!(!threads
        .lock()
        .unwrap()
        .contains(&std::thread::current().id()));
    sub.close();
}

/// EvtClose: closing a push subscription from inside its callback returns at once
/// (no deadlock) and no further callback runs.
#[test]
fn close_from_inside_the_callback() {
    let (engine, _) = engine();
    let slot: Arc<Mutex<Option<Subscription>>> = Arc::new(Mutex::new(None));
    let calls = Arc::new(AtomicUsize::new(0));
    let (done_tx, done_rx) = mpsc::channel();
    let sub = engine
        .default_session()
        .subscribe(Some("Log"), None, None, FUTURE, {
            let (slot, calls) = (slot.clone(), calls.clone());
            Delivery::push(move |_| {
                calls.fetch_add(1, Ordering::SeqCst);
                let me = slot.lock().unwrap().take();
                if let Some(me) = me {
                    me.close(); // from the delivery thread: must not wait for itself
                    let _ = done_tx.send(me.is_closed());
                }
            })
        })
        .unwrap();
    *slot.lock().unwrap() = Some(sub.clone());
    for i in 0..10 {
        engine.write("Log", ev(i)).unwrap();
    }
    assert!(done_rx.recv_timeout(GUARD).unwrap());
    sub.close(); // joins the (ended) delivery thread
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(sub.next(1, None).unwrap_err().win32_code(), 6);
}

/// EvtClose: closing from another thread returns only after the running callback has
/// returned; no callback runs after close returns.
#[test]
fn close_waits_for_the_running_callback() {
    let (engine, _) = engine();
    let entered = Arc::new(Barrier::new(2));
    let release = Arc::new(Barrier::new(2));
    let finished = Arc::new(AtomicBool::new(false));
    let after_close = Arc::new(AtomicUsize::new(0));
    let closed = Arc::new(AtomicBool::new(false));
    let sub = engine
        .default_session()
        .subscribe(Some("Log"), None, None, FUTURE, {
            let (entered, release, finished) = (entered.clone(), release.clone(), finished.clone());
            let (after_close, closed) = (after_close.clone(), closed.clone());
            let mut first = true;
            Delivery::push(move |_| {
                if closed.load(Ordering::SeqCst) {
                    after_close.fetch_add(1, Ordering::SeqCst);
                }
                if first {
                    first = false;
                    entered.wait();
                    release.wait();
                    finished.store(true, Ordering::SeqCst);
                }
            })
        })
        .unwrap();
    engine.write("Log", ev(1)).unwrap();
    engine.write("Log", ev(2)).unwrap();
    entered.wait(); // the callback is running
    let closer = std::thread::spawn({
        let (sub, finished, closed) = (sub.clone(), finished.clone(), closed.clone());
        move || {
            sub.close();
            closed.store(true, Ordering::SeqCst);
            finished.load(Ordering::SeqCst)
        }
    });
    // Give the closer a chance to block in close (not needed for the assertion to hold).
    std::thread::sleep(Duration::from_millis(20));
    release.wait();
    assert!(
        closer.join().unwrap(),
        "close returned before the callback did"
    );
    for i in 3..10 {
        let _ = engine.write("Log", ev(i));
    }
    assert_eq!(after_close.load(Ordering::SeqCst), 0);
    assert!(sub.is_closed());
}

/// Dropping the last clone closes the subscription: the callback is dropped with its
/// thread, and writers are not slowed by a dead watcher.
#[test]
fn dropping_the_last_handle_closes() {
    let (engine, _) = engine();
    let (tx, rx) = mpsc::channel::<Got>();
    let sub = engine
        .default_session()
        .subscribe(
            Some("Log"),
            None,
            None,
            FUTURE,
            Delivery::push(move |a| {
                let _ = tx.send(got(a));
            }),
        )
        .unwrap();
    let clone = sub.clone();
    drop(sub);
    engine.write("Log", ev(1)).unwrap();
    assert!(matches!(
        rx.recv_timeout(GUARD).unwrap(),
        Got::Event(_, 1, 1)
    ));
    drop(clone); // closes and joins: the callback, and its sender, are dropped
    assert!(rx.recv_timeout(GUARD).is_err());
}

/// A panicking callback ends delivery; nothing is poisoned and close still works.
#[test]
fn a_panicking_callback_ends_delivery() {
    let (engine, _) = engine();
    let calls = Arc::new(AtomicUsize::new(0));
    let sub = engine
        .default_session()
        .subscribe(Some("Log"), None, None, FUTURE, {
            let calls = calls.clone();
            Delivery::push(move |_| {
                calls.fetch_add(1, Ordering::SeqCst);
                panic!("callback panics (expected by the test)");
            })
        })
        .unwrap();
    engine.write("Log", ev(1)).unwrap();
    engine.write("Log", ev(2)).unwrap();
    sub.close();
    assert!(calls.load(Ordering::SeqCst) <= 1);
    assert!(engine.write("Log", ev(3)).is_ok());
}

/// EvtSubscribe's pull model: the signal is set when events are available and stays set until reset
/// (manual reset); `next` drains and gives `End` at once when nothing is left (EvtNext's
/// ERROR_NO_MORE_ITEMS).
#[test]
fn pull_signal_is_manual_reset_and_next_drains() {
    let (engine, _) = engine();
    let signal = SignalEvent::new(false);
    let sub = engine
        .default_session()
        .subscribe(
            Some("Log"),
            None,
            None,
            FUTURE,
            Delivery::pull(signal.clone()),
        )
        .unwrap();
    assert!(!signal.is_set());
    assert!(!sub.wait(Some(Duration::ZERO)).unwrap());
    assert!(matches!(sub.next(10, None).unwrap(), Next::End));
    for i in 1..=3 {
        engine.write("Log", ev(i)).unwrap();
    }
    assert!(signal.is_set());
    assert!(sub.wait(None).unwrap());
    assert!(sub.wait(None).unwrap(), "manual reset: still set");
    signal.reset();
    assert_eq!(pull_ids(sub.next(2, None).unwrap()), [1, 2]);
    assert_eq!(pull_ids(sub.next(2, Some(Duration::ZERO)).unwrap()), [3]);
    assert!(matches!(sub.next(2, None).unwrap(), Next::End));
    assert!(!signal.is_set());
    // StartAtOldestRecord over a backlog: signalled at once.
    let sub = pull(&engine.default_session(), "Log", None, OLDEST);
    assert!(sub.signal().unwrap().is_set());
    assert_eq!(pull_ids(sub.next(10, None).unwrap()), [1, 2, 3]);
    assert_eq!(sub.statuses(), [("Log".to_owned(), 0)]);
}

/// A lost wakeup shippers hit (vector#25194): with manual-reset semantics, a consumer that resets
/// *before* draining never misses an event; one that drains and *then* resets swallows the set of
/// an event appended in between, and waits although an event is there. Both are reproduced exactly.
#[test]
fn pull_lost_wakeup_depends_on_the_reset_order() {
    let (engine, _) = engine();
    let sub = pull(&engine.default_session(), "Log", None, FUTURE);
    let signal = sub.signal().unwrap().clone();
    engine.write("Log", ev(1)).unwrap();

    // Right: reset, then drain. An append during the drain leaves the signal set.
    assert!(sub.wait(None).unwrap());
    signal.reset();
    assert_eq!(pull_ids(sub.next(10, None).unwrap()), [1]);
    engine.write("Log", ev(2)).unwrap(); // arrives after the drain
    assert!(sub.wait(Some(Duration::ZERO)).unwrap(), "woken for event 2");
    signal.reset();
    assert_eq!(pull_ids(sub.next(10, None).unwrap()), [2]);

    // Wrong: drain, then reset. The set for event 3 is swallowed.
    engine.write("Log", ev(3)).unwrap();
    assert!(sub.wait(None).unwrap());
    assert!(matches!(sub.next(10, None).unwrap(), Next::Events(_)));
    engine.write("Log", ev(4)).unwrap(); // between the drain and the reset
    signal.reset();
    assert!(
        !sub.wait(Some(Duration::ZERO)).unwrap(),
        "the wake-up was lost"
    );
    assert_eq!(
        pull_ids(sub.next(10, None).unwrap()),
        [4],
        "yet event 4 is there"
    );
}

/// EvtNext on a push subscription is not the way to read it.
#[test]
fn push_subscriptions_have_no_next_or_wait() {
    let (engine, _) = engine();
    let (sub, _rx) = push(&engine.default_session(), Some("Log"), None, None, FUTURE).unwrap();
    assert!(sub.is_push() && sub.signal().is_none());
    assert_eq!(sub.next(1, None).unwrap_err().win32_code(), 4317);
    assert_eq!(sub.wait(None).unwrap_err().win32_code(), 4317);
    let p = pull(&engine.default_session(), "Log", None, FUTURE);
    assert_eq!(p.next(0, None).unwrap_err().win32_code(), 87);
    assert_eq!(p.next(1025, None).unwrap_err().win32_code(), 87);
}

/// EvtSubscribe: with Strict, records lost before delivery (a clear under a subscription that is
/// behind) give an Error action with ERROR_EVT_QUERY_RESULT_STALE (15011); delivery then goes
/// on with the next records.
#[test]
fn clear_under_a_strict_push_subscription_is_an_error_action() {
    let (engine, _) = engine();
    let Held {
        sub,
        rx,
        entered,
        release,
    } = held_at_first_callback(&engine, "Log", FUTURE | STRICT);
    engine.write("Log", ev(1)).unwrap();
    entered.wait(); // event 1 is being delivered
    engine.write("Log", ev(2)).unwrap();
    engine.write("Log", ev(3)).unwrap();
    engine.channel("Log").unwrap().clear().unwrap(); // 2 and 3 are lost
    engine.write("Log", ev(4)).unwrap();
    release.wait();
    let got = until_sentinel(&engine, "Log", &rx);
    assert_eq!(
        got,
        [
            Got::Event("Log".into(), 1, 1),
            Got::Error(15011),
            Got::Event("Log".into(), 4, 4)
        ]
    );
    sub.close();
}

/// Events missed under load, as shippers report: without Strict, records overwritten before
/// delivery are skipped silently; the rest arrive in order, none twice. A clear that removes only
/// delivered records changes nothing.
#[test]
fn overwrite_under_a_push_subscription_without_strict_skips() {
    let (engine, _) = engine();
    let Held {
        sub,
        rx,
        entered,
        release,
    } = held_at_first_callback(&engine, "Ring", FUTURE);
    let ring = engine.channel("Ring").unwrap();
    ring.append(big()).unwrap();
    entered.wait();
    let generation = ring.generation();
    while ring.generation() == generation {
        ring.append(big()).unwrap();
    }
    let oldest = ring.oldest_record_id().unwrap();
    let newest = ring.next_record_id() - 1;
    release.wait();
    let got = until_sentinel(&engine, "Ring", &rx);
    let ids: Vec<u64> = got
        .iter()
        .map(|g| match g {
            Got::Event(_, id, _) => *id,
            Got::Error(code) => panic!("error {code} without Strict"),
        })
        .collect();
    assert!(oldest > 2);
    let expected: Vec<u64> = std::iter::once(1).chain(oldest..=newest).collect();
    assert_eq!(ids, expected);
    // Caught up: a clear loses nothing undelivered, so nothing is reported even with
    // Strict.
    sub.close();
    let (strict, rx) = push(
        &engine.default_session(),
        Some("Log"),
        None,
        None,
        FUTURE | STRICT,
    )
    .unwrap();
    engine.write("Log", ev(1)).unwrap();
    assert_eq!(event_ids(&until_sentinel(&engine, "Log", &rx)), [1]);
    engine.channel("Log").unwrap().clear().unwrap();
    engine.write("Log", ev(2)).unwrap();
    assert_eq!(event_ids(&until_sentinel(&engine, "Log", &rx)), [2]);
    strict.close();
}

/// EvtNext on a subscription (the stale-result pain shippers report): in the pull model, records
/// lost before delivery make `next` fail with ERROR_EVT_QUERY_RESULT_STALE (15011), for good
/// (vector#26115's stuck loop), after the events before the gap.
#[test]
fn overwrite_under_a_pull_subscription_is_stale_for_good() {
    let (engine, _) = engine();
    let ring = engine.channel("Ring").unwrap();
    let sub = pull(&engine.default_session(), "Ring", None, FUTURE);
    ring.append(big()).unwrap();
    assert_eq!(pull_ids(sub.next(1, None).unwrap()), [1]);
    // Caught up: a clear loses nothing.
    ring.clear().unwrap();
    ring.append(big()).unwrap();
    assert_eq!(pull_ids(sub.next(1, None).unwrap()), [2]);
    // Behind: an overwrite loses records 3.. .
    let generation = ring.generation();
    while ring.generation() == generation {
        ring.append(big()).unwrap();
    }
    assert_eq!(sub.next(10, None).unwrap_err().win32_code(), 15011);
    assert_eq!(sub.next(10, None).unwrap_err().win32_code(), 15011);
    // The events before a gap are returned first.
    let sub = pull(&engine.default_session(), "Log", None, FUTURE);
    engine.write("Log", ev(1)).unwrap();
    engine.channel("Log").unwrap().clear().unwrap();
    assert_eq!(sub.next(10, None).unwrap_err().win32_code(), 15011);
}

/// EvtCancel: a subscription cancel is sticky and stops delivery: a pull `next`/`wait` fails with
/// ERROR_CANCELLED (1223) until close, then ERROR_INVALID_HANDLE (6); a push subscription
/// stops delivering.
#[test]
fn subscription_cancel_is_sticky() {
    let (engine, _) = engine();
    let sub = pull(&engine.default_session(), "Log", None, FUTURE);
    engine.write("Log", ev(1)).unwrap();
    sub.cancel();
    sub.cancel(); // idempotent
    for _ in 0..2 {
        assert_eq!(sub.next(1, None).unwrap_err().win32_code(), 1223);
        assert_eq!(sub.wait(None).unwrap_err().win32_code(), 1223);
    }
    sub.close();
    assert_eq!(sub.next(1, None).unwrap_err().win32_code(), 6);
    assert_eq!(sub.wait(None).unwrap_err().win32_code(), 6);

    let calls = Arc::new(AtomicUsize::new(0));
    let sub = engine
        .default_session()
        .subscribe(Some("Log"), None, None, FUTURE, {
            let calls = calls.clone();
            Delivery::push(move |_| {
                calls.fetch_add(1, Ordering::SeqCst);
            })
        })
        .unwrap();
    sub.cancel();
    engine.write("Log", ev(2)).unwrap();
    sub.close(); // joins the delivery thread, which saw the cancel
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

/// EvtCancel on a session (ARCHITECTURE.md, Cancellation): a session cancel wakes a blocked pull
/// wait (ERROR_CANCELLED) and marks nothing: the next wait runs normally.
#[test]
fn session_cancel_wakes_a_blocked_wait() {
    let (engine, _) = engine();
    let session = engine.open_session();
    let sub = pull(&session, "Log", None, FUTURE);
    let pause = Arc::new(AtomicBool::new(false));
    let waiter = std::thread::spawn({
        let (sub, pause) = (sub.clone(), pause.clone());
        move || {
            pause.store(true, Ordering::SeqCst);
            sub.wait(None)
        }
    });
    // Cancel until the waiter has returned: a cancel before it registered cancels nothing
    // (calls started afterwards run normally), so repeat; no timing is asserted.
    while !waiter.is_finished() {
        if pause.load(Ordering::SeqCst) {
            session.cancel();
        }
        std::thread::yield_now();
    }
    assert_eq!(waiter.join().unwrap().unwrap_err().win32_code(), 1223);
    engine.write("Log", ev(1)).unwrap();
    assert!(sub.wait(None).unwrap());
    assert_eq!(pull_ids(sub.next(5, None).unwrap()), [1]);
}

/// Closing a subscription wakes its blocked wait, which returns Cancelled.
#[test]
fn close_wakes_a_blocked_wait() {
    let (engine, _) = engine();
    let sub = pull(&engine.default_session(), "Log", None, FUTURE);
    let waiter = std::thread::spawn({
        let sub = sub.clone();
        move || sub.wait(None)
    });
    while !waiter.is_finished() {
        sub.close();
        std::thread::yield_now();
    }
    let code = waiter.join().unwrap().unwrap_err().win32_code();
    assert!(code == 1223 || code == 6, "{code}");
}

/// EvtCancel on a session: a session cancel stops an EvtSubscribe in progress (ERROR_CANCELLED);
/// the callback gets nothing; later subscribes run normally.
#[test]
fn session_cancel_stops_subscribe_setup() {
    let (engine, _) = engine();
    let session = engine.open_session();
    let pause = engine.pause_at(CallKind::Subscribe, 0);
    let call = std::thread::spawn({
        let session = session.clone();
        move || push(&session, Some("Log"), None, None, OLDEST).map(|_| ())
    });
    pause.wait_stopped(1);
    session.cancel();
    assert_eq!(call.join().unwrap().unwrap_err().win32_code(), 1223);
    drop(pause);
    assert_eq!(engine.channel("Log").unwrap().record_count(), 0);
    assert!(push(&session, Some("Log"), None, None, OLDEST).is_ok());
}

/// EvtClose on a session: closing the session closes its subscriptions; the session then refuses
/// new ones with ERROR_INVALID_HANDLE.
#[test]
fn session_close_closes_its_subscriptions() {
    let (engine, _) = engine();
    let session = engine.open_session();
    let p = pull(&session, "Log", None, FUTURE);
    let calls = Arc::new(AtomicUsize::new(0));
    let s = session
        .subscribe(Some("Log"), None, None, FUTURE, {
            let calls = calls.clone();
            Delivery::push(move |_| {
                calls.fetch_add(1, Ordering::SeqCst);
            })
        })
        .unwrap();
    session.close().unwrap();
    assert!(p.is_closed() && s.is_closed());
    engine.write("Log", ev(1)).unwrap();
    assert_eq!(p.next(1, None).unwrap_err().win32_code(), 6);
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    assert_eq!(
        push(&session, Some("Log"), None, None, FUTURE)
            .unwrap_err()
            .win32_code(),
        6
    );
}

/// Invariant 1 of subscription.rs, under load: writers × events on two channels, three
/// subscribers (two push, one pull, one of them filtered): every event appended after the
/// subscriptions started arrives exactly once, in record-id order per channel.
fn stress(writers: usize, per_writer: usize) {
    let (engine, _) = engine();
    let session = engine.open_session();
    let channels = ["Log", "Other"];
    let list = "<QueryList><Query Id='0'><Select Path='Log'>*</Select>\
                <Select Path='Other'>*</Select></Query></QueryList>";
    let filtered = "<QueryList><Query Id='0'><Select Path='Log'>*[System[EventID=1]]</Select>\
                    <Select Path='Other'>*[System[EventID=1]]</Select></Query></QueryList>";
    type Seen = Arc<Mutex<Vec<(String, u64)>>>;
    let push_sub = |query: &'static str| -> (Subscription, Seen) {
        let seen: Seen = Arc::new(Mutex::new(Vec::new()));
        let sub = session
            .subscribe(None, Some(query), None, FUTURE, {
                let seen = seen.clone();
                Delivery::push(move |action| {
                    if let SubscribeAction::Deliver(e) = action {
                        seen.lock()
                            .unwrap()
                            .push((e.path().to_owned(), e.record_id()));
                    }
                })
            })
            .unwrap();
        (sub, seen)
    };
    let (all_push, all_seen) = push_sub(list);
    let (ones_push, ones_seen) = push_sub(filtered);
    let pulled = session
        .subscribe(
            None,
            Some(list),
            None,
            FUTURE,
            Delivery::pull(SignalEvent::new(false)),
        )
        .unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let puller = std::thread::spawn({
        let (pulled, done) = (pulled.clone(), done.clone());
        move || {
            let mut seen = Vec::new();
            let signal = pulled.signal().unwrap().clone();
            loop {
                let finished = done.load(Ordering::SeqCst);
                signal.reset();
                while let Next::Events(batch) = pulled.next(512, None).unwrap() {
                    seen.extend(batch.iter().map(|e| (e.path().to_owned(), e.record_id())));
                }
                if finished {
                    return seen;
                }
                pulled.wait(Some(Duration::from_millis(50))).unwrap();
            }
        }
    });
    let threads: Vec<_> = (0..writers)
        .map(|w| {
            let engine = engine.clone();
            std::thread::spawn(move || {
                for i in 0..per_writer {
                    let channel = channels[(w + i) % 2];
                    engine.write(channel, ev((i % 3) as u16)).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    done.store(true, Ordering::SeqCst);
    let pull_seen = puller.join().unwrap();
    // Every event is in; wait for both push subscribers to have them (sentinels would
    // change the counts, so wait on the counts, which only grow).
    let counts: Vec<u64> = channels
        .iter()
        .map(|c| engine.channel(c).unwrap().next_record_id() - 1)
        .collect();
    let total = counts.iter().sum::<u64>() as usize;
    let ones: usize = channels
        .iter()
        .map(|c| {
            engine
                .channel(c)
                .unwrap()
                .snapshot()
                .iter()
                .filter(|e| e.system.event_id == 1)
                .count()
        })
        .sum();
    assert_eq!(total, writers * per_writer);
    let deadline = std::time::Instant::now() + GUARD;
    while (all_seen.lock().unwrap().len() < total || ones_seen.lock().unwrap().len() < ones)
        && std::time::Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(1));
    }
    all_push.close();
    ones_push.close();
    let check = |seen: &[(String, u64)], expected: &dyn Fn(&str) -> Vec<u64>| {
        for channel in channels {
            let ids: Vec<u64> = seen
                .iter()
                .filter(|(c, _)| c == channel)
                .map(|(_, id)| *id)
                .collect();
            assert_eq!(ids, expected(channel), "{channel}");
        }
    };
    let every = |c: &str| (1..=engine.channel(c).unwrap().next_record_id() - 1).collect();
    check(&all_seen.lock().unwrap(), &every);
    check(&pull_seen, &every);
    let only_ones = |c: &str| {
        engine
            .channel(c)
            .unwrap()
            .snapshot()
            .iter()
            .filter(|e| e.system.event_id == 1)
            .map(|e| e.system.event_record_id.unwrap_or(0))
            .collect()
    };
    check(&ones_seen.lock().unwrap(), &only_ones);
}

/// Issue 6's size: 4 writers × 100,000 events (about 2 s in a debug build).
#[test]
fn stress_concurrent_writers_and_mixed_subscribers() {
    stress(4, 100_000);
}

/// EvtSubscribe and bookmarks: the bookmark a consumer saved (rendered and parsed back, as shippers
/// persist it) is what StartAfterBookmark starts after.
#[test]
fn a_saved_bookmark_resumes_a_subscription() {
    let (engine, _) = engine();
    for i in 1..=5 {
        engine.write("Log", ev(i)).unwrap();
    }
    let results = engine
        .default_session()
        .query(Some("Log"), None, evtlog::QueryFlags::CHANNEL_PATH)
        .unwrap();
    let evtlog::Next::Events(events) = results.next(3, None).unwrap() else {
        panic!("no events");
    };
    let mut bookmark = evtlog::Bookmark::new();
    bookmark.update(events.last().unwrap());
    let saved = evtlog::Bookmark::from_xml(&bookmark.to_xml()).unwrap();
    let position = SubscribePosition::from(&saved);
    assert_eq!(position.record_id("Log"), Some(3));
    let (sub, rx) = push(
        &engine.default_session(),
        Some("Log"),
        None,
        Some(&position),
        AFTER | STRICT,
    )
    .unwrap();
    let got = until_sentinel(&engine, "Log", &rx);
    assert_eq!(&event_ids(&got)[..2], [4, 5]);
    sub.close();
}
