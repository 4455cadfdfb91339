//! What the integration tests cannot see of a result set: what a cancelled `next` sets
//! aside (invariant 10) and when it is dropped.

use super::*;
use crate::engine::{ChannelConfig, ChannelType};
use crate::event::Event;

/// An engine with an operational channel `name` of 300 events.
fn engine_with_300_events(name: &str) -> Engine {
    let engine = Engine::new();
    let channel = engine
        .create_channel(ChannelConfig::new(name, ChannelType::Operational))
        .expect("channel");
    for _ in 0..300 {
        channel
            .append(Event::builder("P").event_id(1).build())
            .expect("append");
    }
    engine
}

#[test]
fn a_cancelled_next_sets_its_cursor_copy_and_call_aside_until_the_next_call() {
    let engine = engine_with_300_events("Aside");
    let session = engine.open_session();
    let rs = session
        .query(Some("Aside"), None, QueryFlags::default())
        .expect("query");
    // Stopped at its second batch, one event already in hand.
    let pause = engine.pause_at(CallKind::Next, 1);
    let worker = {
        let rs = rs.clone();
        std::thread::spawn(move || rs.next(10, None))
    };
    pause.wait_stopped(1);
    session.cancel();
    let outcome = worker.join().expect("worker");
    assert!(matches!(&outcome, Err(e) if e.kind() == ErrorKind::Cancelled));
    {
        let state = rs.inner.state.lock();
        let (cursor, call) = state.spent.as_ref().expect("set aside");
        assert!(call.is_cancelled());
        // The copy moved; the committed cursor did not (invariant 3).
        assert_eq!(cursor.position, 1);
        assert_eq!(state.cursor.position, 0);
    }
    drop(pause);
    // A session cancel is not sticky: the next call starts where the cancelled one did,
    // and drops what it set aside.
    match rs.next(10, None) {
        Ok(Next::Events(events)) => {
            let ids: Vec<u64> = events.iter().map(EventRef::record_id).collect();
            assert_eq!(ids, (1..=10).collect::<Vec<u64>>());
        }
        other => panic!("expected events, got {other:?}"),
    }
    assert!(rs.inner.state.lock().spent.is_none());
}

#[test]
fn a_call_that_is_not_cancelled_sets_nothing_aside() {
    let engine = Engine::new();
    let channel = engine
        .create_channel(ChannelConfig::new("Kept", ChannelType::Operational))
        .expect("channel");
    channel
        .append(Event::builder("P").event_id(1).build())
        .expect("append");
    let rs = engine
        .open_session()
        .query(Some("Kept"), None, QueryFlags::default())
        .expect("query");
    assert!(matches!(rs.next(5, None), Ok(Next::Events(e)) if e.len() == 1));
    assert!(matches!(rs.next(5, None), Ok(Next::End)));
    assert!(rs.inner.state.lock().spent.is_none());
}

/// EvtCancel through the handle's own copy of the flag's node (`ResultSet::flag`) reaches
/// the result set's node, as through its token: the call in flight stops, later calls fail,
/// another result set of the session runs on. A flag taken from the session's node or from
/// the call's fails this, as does one that is not a clone of the handle's.
#[test]
fn a_handle_cancels_its_own_result_set_and_no_other() {
    let engine = engine_with_300_events("Own");
    let session = engine.open_session();
    let query = || {
        session
            .query(Some("Own"), None, QueryFlags::default())
            .expect("query")
    };
    let (cancelled, other) = (query(), query());
    let pause = engine.pause_at(CallKind::Next, 1);
    let worker = {
        let rs = cancelled.clone();
        std::thread::spawn(move || rs.next(10, None))
    };
    pause.wait_stopped(1);
    // A handle made as the session's close path makes one, from the shared state.
    ResultSet::from_inner(Arc::clone(&cancelled.inner)).cancel();
    drop(pause);
    let outcome = worker.join().expect("worker");
    assert!(matches!(&outcome, Err(e) if e.kind() == ErrorKind::Cancelled));
    assert!(cancelled.inner.token.is_cancelled());
    assert!(matches!(cancelled.next(1, None), Err(e) if e.kind() == ErrorKind::Cancelled));
    match other.next(10, None) {
        Ok(Next::Events(events)) => assert_eq!(events.len(), 10),
        other => panic!("expected events, got {other:?}"),
    }
    assert!(matches!(query().next(1, None), Ok(Next::Events(_))));
}
