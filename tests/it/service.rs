//! The event-log service's lifecycle (`Engine::stop_service`, `start_service`; C:
//! `evtlog_stop_service`, `evtlog_start_service`): while stopped every call fails with
//! RPC_S_SERVER_UNAVAILABLE (1722); calls held in flight return; push subscriptions get an
//! Error action with 1722; after the start every handle opened before fails with
//! ERROR_INVALID_HANDLE (6), and a subscription from a bookmark goes on with no loss and no
//! duplicate.

use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use evtlog::winevt::*;
use evtlog::{
    Bookmark, CallKind, Delivery, Engine, ErrorKind, Event, Next, QueryFlags, SignalEvent,
    SubscribeAction, SubscribeFlags, SubscribePosition, VirtualClock,
};

use crate::support::temp::TempDir;

fn engine() -> Engine {
    Engine::with_default_channels(Arc::new(VirtualClock::new(evtlog::FileTime(
        133_000_000_000_000_000,
    ))))
}

fn write(engine: &Engine, n: u32) {
    for i in 0..n {
        let e = Event::builder("Service-Test").event_id(i as u16).build();
        engine.write("Application", e).unwrap();
    }
}

fn ids(next: Next) -> Vec<u64> {
    match next {
        Next::Events(events) => events.iter().map(|e| e.record_id()).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn stopped_every_call_fails_with_1722_and_after_the_start_old_handles_with_6() {
    let engine = engine();
    write(&engine, 5);
    let session = engine.open_session();
    let results = session
        .query(Some("Application"), None, QueryFlags::CHANNEL_PATH)
        .unwrap();
    assert_eq!(ids(results.next(2, None).unwrap()), [1, 2]);

    assert!(engine.stop_service());
    assert!(!engine.stop_service(), "a second stop does nothing");
    assert!(!engine.is_service_running());
    let code = |e: evtlog::Error| e.win32_code();
    assert_eq!(results.next(2, None).map_err(code).unwrap_err(), 1722);
    assert_eq!(
        engine
            .default_session()
            .query(Some("Application"), None, QueryFlags::CHANNEL_PATH)
            .map_err(code)
            .unwrap_err(),
        1722
    );
    assert_eq!(
        session
            .query(Some("Application"), None, QueryFlags::CHANNEL_PATH)
            .map_err(code)
            .unwrap_err(),
        1722
    );
    assert_eq!(
        engine
            .default_session()
            .clear_log("Application", None)
            .map_err(code)
            .unwrap_err(),
        1722,
        "a clear while stopped removes nothing"
    );
    // Writers are the service's own: events written meanwhile are kept.
    write(&engine, 2);

    assert!(engine.start_service());
    assert!(!engine.start_service(), "a second start does nothing");
    assert_eq!(
        results.next(2, None).unwrap_err().kind(),
        ErrorKind::InvalidHandle
    );
    assert!(
        session.is_closed(),
        "a session opened before the stop is closed"
    );
    assert_eq!(
        session
            .query(Some("Application"), None, QueryFlags::CHANNEL_PATH)
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidHandle
    );
    // The default session (NULL) works again, and every record is there.
    let again = engine
        .default_session()
        .query(Some("Application"), None, QueryFlags::CHANNEL_PATH)
        .unwrap();
    assert_eq!(ids(again.next(100, None).unwrap()), [1, 2, 3, 4, 5, 6, 7]);
    // A session opened now works.
    let fresh = engine.open_session();
    assert!(fresh
        .query(Some("Application"), None, QueryFlags::CHANNEL_PATH)
        .is_ok());
}

#[test]
fn a_call_held_in_flight_returns_1722_when_the_service_stops() {
    let engine = engine();
    write(&engine, 200);
    let results = engine
        .default_session()
        .query(Some("Application"), None, QueryFlags::CHANNEL_PATH)
        .unwrap();
    let pause = engine.pause_at(CallKind::Next, 1);
    let held = std::thread::spawn({
        let results = results.clone();
        move || results.next(100, None).map(ids).map_err(|e| e.win32_code())
    });
    assert!(pause.wait_stopped_timeout(1, Duration::from_secs(10)));
    engine.stop_service();
    assert_eq!(held.join().unwrap(), Err(1722));
    drop(pause);
    engine.start_service();
    assert_eq!(
        results.next(1, None).unwrap_err().kind(),
        ErrorKind::InvalidHandle
    );
}

#[test]
fn push_subscriptions_get_an_error_action_and_a_resubscription_from_a_bookmark_loses_nothing() {
    let engine = engine();
    write(&engine, 3);
    let (tx, rx) = mpsc::channel();
    let sub = engine
        .default_session()
        .subscribe(
            Some("Application"),
            None,
            None,
            SubscribeFlags::START_AT_OLDEST_RECORD,
            Delivery::push(move |a| {
                let _ = tx.send(match a {
                    SubscribeAction::Deliver(e) => Ok(e),
                    SubscribeAction::Error(e) => Err(e.win32_code()),
                });
            }),
        )
        .unwrap();
    let mut bookmark = Bookmark::new();
    for _ in 0..3 {
        let event = rx.recv_timeout(Duration::from_secs(10)).unwrap().unwrap();
        bookmark.update(&event);
    }
    engine.stop_service();
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(10))
            .unwrap()
            .unwrap_err(),
        1722,
        "the Error action carries RPC_S_SERVER_UNAVAILABLE"
    );
    // Events written while the consumer is cut off, then the restart.
    write(&engine, 2);
    engine.start_service();
    write(&engine, 1);
    assert!(
        sub.is_closed(),
        "the subscription made before the stop is closed"
    );
    assert!(
        rx.recv_timeout(Duration::from_millis(50)).is_err(),
        "nothing after the error"
    );
    let (tx, rx) = mpsc::channel();
    let _again = engine
        .default_session()
        .subscribe(
            Some("Application"),
            None,
            Some(&SubscribePosition::from(&bookmark)),
            SubscribeFlags::START_AFTER_BOOKMARK,
            Delivery::push(move |a| {
                if let SubscribeAction::Deliver(e) = a {
                    let _ = tx.send(e.record_id());
                }
            }),
        )
        .unwrap();
    let got: Vec<u64> = (0..3)
        .map(|_| rx.recv_timeout(Duration::from_secs(10)).unwrap())
        .collect();
    assert_eq!(got, [4, 5, 6], "no loss, no duplicate");
    assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
}

#[test]
fn a_pull_subscription_is_signalled_at_the_stop_then_fails_with_1722_then_6() {
    let engine = engine();
    let signal = SignalEvent::new(false);
    let sub = engine
        .default_session()
        .subscribe(
            Some("Application"),
            None,
            None,
            SubscribeFlags::TO_FUTURE_EVENTS,
            Delivery::pull(signal.clone()),
        )
        .unwrap();
    assert!(!signal.is_set());
    engine.stop_service();
    assert!(signal.is_set(), "the consumer wakes to see the failure");
    assert_eq!(sub.next(10, None).unwrap_err().win32_code(), 1722);
    engine.start_service();
    assert_eq!(sub.next(10, None).unwrap_err().win32_code(), 6);
}

#[test]
fn a_persistent_store_keeps_its_records_across_a_restart() {
    let dir = TempDir::new("service-restart");
    let engine = Engine::open_store_dir(dir.path()).unwrap();
    engine.create_default_channels();
    write(&engine, 4);
    engine.restart_service();
    write(&engine, 1);
    let results = engine
        .default_session()
        .query(Some("Application"), None, QueryFlags::CHANNEL_PATH)
        .unwrap();
    assert_eq!(ids(results.next(10, None).unwrap()), [1, 2, 3, 4, 5]);
    drop(results);
    drop(engine);
    let reopened = Engine::open_store_dir(dir.path()).unwrap();
    assert_eq!(reopened.channel("Application").unwrap().record_count(), 5);
}

/// The facade: EvtQuery, EvtNext and EvtSubscribe while stopped (1722), the push callback's
/// EvtSubscribeActionError, and 6 for the handles of before after the start.
#[test]
fn the_facade_reports_1722_while_stopped_and_6_after_the_start() {
    let _service = crate::winevt::service(5);
    let query = EvtQuery(0, Some("Security"), None, EvtQueryChannelPath);
    assert_ne!(query, 0);
    let (tx, rx) = mpsc::channel();
    let callback: SubscribeCallback = Box::new(move |action, event| {
        let _ = tx.send((action, event));
    });
    let sub = EvtSubscribe(
        0,
        0,
        Some("Security"),
        None,
        0,
        Some(callback),
        EvtSubscribeToFutureEvents,
    );
    assert_ne!(sub, 0, "{}", GetLastError());

    assert_eq!(controls::stop_service(), TRUE);
    assert_eq!(controls::stop_service(), FALSE);
    assert_eq!(GetLastError(), 1062, "ERROR_SERVICE_NOT_ACTIVE");
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(10)).unwrap(),
        (EvtSubscribeActionError, 1722)
    );
    let mut events = [0; 4];
    let mut returned = 0;
    assert_eq!(EvtNext(query, &mut events, 0, 0, &mut returned), FALSE);
    assert_eq!(GetLastError(), 1722);
    assert_eq!(EvtQuery(0, Some("Security"), None, EvtQueryChannelPath), 0);
    assert_eq!(GetLastError(), 1722);
    assert_eq!(EvtOpenChannelEnum(0, 0), 0);
    assert_eq!(GetLastError(), 1722);

    assert_eq!(controls::start_service(), TRUE);
    assert_eq!(controls::start_service(), FALSE);
    assert_eq!(GetLastError(), 1056, "ERROR_SERVICE_ALREADY_RUNNING");
    assert_eq!(EvtNext(query, &mut events, 0, 0, &mut returned), FALSE);
    assert_eq!(GetLastError(), 6, "the handle is invalid after the restart");
    // The consumer closes what it had (that succeeds) and queries again.
    assert_eq!(EvtClose(query), TRUE);
    assert_eq!(EvtClose(sub), TRUE);
    let query = EvtQuery(0, Some("Security"), None, EvtQueryChannelPath);
    assert_ne!(query, 0);
    assert_eq!(EvtNext(query, &mut events, 0, 0, &mut returned), TRUE);
    assert_eq!(returned, 4);
    for h in events.iter().copied().chain([query]) {
        EvtClose(h);
    }
}
