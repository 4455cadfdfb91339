//! Remote computers, in process: EvtOpenSession with an EVT_RPC_LOGIN naming a registered
//! computer reaches that computer's engine; unknown (1722), offline (1722), rebooted (6),
//! slow (virtual delay) and wrong credentials (5); forwarding to ForwardedEvents with
//! RenderingInfo; `EVTLOG_COMPUTERS`'s grammar.

use std::sync::mpsc;
use std::sync::Arc;
use std::time::Duration;

use evtlog::winevt::*;
use evtlog::{
    Credentials, Engine, ErrorKind, Event, FormatWhat, Forwarder, Generator, Next, Profile,
    QueryFlags, RpcLogin, VirtualClock,
};

use crate::support::temp::TempDir;

fn engine() -> Engine {
    Engine::with_default_channels(Arc::new(VirtualClock::new(evtlog::FileTime(
        133_000_000_000_000_000,
    ))))
}

fn count(next: Next) -> usize {
    match next {
        Next::Events(events) => events.len(),
        _ => 0,
    }
}

#[test]
fn a_remote_session_reaches_the_computers_own_engine() {
    let local = engine();
    let remote = engine();
    remote
        .create_channel(evtlog::ChannelConfig::new(
            "Remote-Only/Operational",
            evtlog::ChannelType::Operational,
        ))
        .unwrap();
    for i in 0..3 {
        remote
            .write("Application", Event::builder("Remote").event_id(i).build())
            .unwrap();
    }
    local
        .write("Application", Event::builder("Local").build())
        .unwrap();
    let computer = local
        .register_computer(r"\\WEC-01", remote.clone())
        .unwrap();
    assert_eq!(computer.name(), "WEC-01");
    assert!(computer.engine().is_same(&remote));

    let session = local.open_remote_session(&RpcLogin::new("wec-01")).unwrap();
    assert!(session.engine().is_same(&remote));
    assert!(session.engine().has_channel("Remote-Only/Operational"));
    assert!(!local.has_channel("Remote-Only/Operational"));
    let results = session
        .query(Some("Application"), None, QueryFlags::CHANNEL_PATH)
        .unwrap();
    assert_eq!(count(results.next(10, None).unwrap()), 3);

    // Unknown: 1722; names are unique ignoring case; bad names and the engine itself: 87.
    let unknown = local
        .open_remote_session(&RpcLogin::new("NOPE"))
        .unwrap_err();
    assert_eq!(unknown.win32_code(), 1722);
    let code = |r: evtlog::Result<_>| r.map(|_| ()).unwrap_err().win32_code();
    assert_eq!(code(local.register_computer("wec-01", engine())), 87);
    assert_eq!(code(local.register_computer("", engine())), 87);
    assert_eq!(code(local.register_computer("a=b", engine())), 87);
    assert_eq!(code(local.register_computer("a;b", engine())), 87);
    assert_eq!(code(local.register_computer("LOOP", local.clone())), 87);
    assert_eq!(local.computers().len(), 1);
}

#[test]
fn credentials_no_credentials_accept_any_login_registered_ones_only_themselves() {
    let local = engine();
    let computer = local.register_computer("DC-01", engine()).unwrap();
    // None registered: any login, and the current user (NULL), is accepted.
    assert!(local.open_remote_session(&RpcLogin::new("DC-01")).is_ok());
    assert!(local
        .open_remote_session(&RpcLogin::new("DC-01").with_user("x", "y"))
        .is_ok());

    computer.set_credentials(Some(Credentials::new(r"CORP\svc-collector", "s3cret")));
    let denied = |login: RpcLogin| {
        local
            .open_remote_session(&login)
            .map(|_| ())
            .unwrap_err()
            .kind()
    };
    assert_eq!(denied(RpcLogin::new("DC-01")), ErrorKind::AccessDenied);
    assert_eq!(
        denied(RpcLogin::new("DC-01").with_user(r"CORP\svc-collector", "wrong")),
        ErrorKind::AccessDenied
    );
    assert_eq!(
        denied(RpcLogin::new("DC-01").with_user(r"OTHER\svc-collector", "s3cret")),
        ErrorKind::AccessDenied
    );
    assert_eq!(
        denied(RpcLogin::new("DC-01").with_user("svc-collector", "s3cret")),
        ErrorKind::AccessDenied,
        "the registered domain must be given"
    );
    assert!(local
        .open_remote_session(&RpcLogin::new("DC-01").with_user(r"corp\SVC-Collector", "s3cret"))
        .is_ok());
    let mut login = RpcLogin::new("dc-01").with_user("svc-collector", "s3cret");
    login.domain = Some("CORP".into());
    assert!(local.open_remote_session(&login).is_ok());
}

#[test]
fn offline_computers_fail_with_1722_and_come_back_with_their_handles_invalid() {
    let local = engine();
    let remote = engine();
    remote
        .write("System", Event::builder("Remote").build())
        .unwrap();
    let computer = local.register_computer("SRV", remote).unwrap();
    let session = local.open_remote_session(&RpcLogin::new("SRV")).unwrap();
    let results = session
        .query(Some("System"), None, QueryFlags::CHANNEL_PATH)
        .unwrap();
    computer.set_offline(true);
    assert!(computer.is_offline());
    assert_eq!(results.next(1, None).unwrap_err().win32_code(), 1722);
    assert_eq!(
        local
            .open_remote_session(&RpcLogin::new("SRV"))
            .unwrap_err()
            .win32_code(),
        1722
    );
    computer.set_offline(false);
    assert_eq!(results.next(1, None).unwrap_err().win32_code(), 6);
    let session = local.open_remote_session(&RpcLogin::new("SRV")).unwrap();
    let results = session
        .query(Some("System"), None, QueryFlags::CHANNEL_PATH)
        .unwrap();
    assert_eq!(count(results.next(5, None).unwrap()), 1);

    // A reboot: the same for the handles made before, and the records stay.
    computer.reboot();
    assert_eq!(results.next(1, None).unwrap_err().win32_code(), 6);
    assert_eq!(
        computer.engine().channel("System").unwrap().record_count(),
        1
    );
}

#[test]
fn forwarding_writes_to_forwarded_events_with_rendering_info_once_each() {
    let collector = engine();
    let source = engine();
    source.install_default_publishers().unwrap();
    for event in Generator::new(3).events(Profile::Security, 5) {
        source.write("Security", event).unwrap();
    }
    let forwarder = Forwarder::new(&source, &collector, "Security", None);
    assert_eq!(forwarder.pump().unwrap(), 5);
    assert_eq!(forwarder.pump().unwrap(), 0, "each record once");
    for event in Generator::new(4).events(Profile::Security, 2) {
        source.write("Security", event).unwrap();
    }
    // Across a restart of the source the forwarder queries again and goes on after the
    // last record it forwarded.
    source.restart_service();
    assert_eq!(forwarder.pump().unwrap(), 2);
    let forwarded = collector.channel("ForwardedEvents").unwrap();
    assert_eq!(forwarded.record_count(), 7);
    let results = collector
        .default_session()
        .query(Some("ForwardedEvents"), None, QueryFlags::CHANNEL_PATH)
        .unwrap();
    let Next::Events(events) = results.next(10, None).unwrap() else {
        panic!("no forwarded events");
    };
    let default_publisher = collector.open_publisher_metadata(None, 0).unwrap();
    for event in &events {
        let xml = event.to_xml();
        let info = event.rendering_info.as_ref().expect("RenderingInfo");
        assert!(
            xml.contains("<RenderingInfo Culture='en-US'><Message>"),
            "{xml}"
        );
        assert!(!info.children.is_empty());
        // The record keeps its own channel (Security), as a forwarded record does.
        assert!(xml.contains("<Channel>Security</Channel>"), "{xml}");
        // The collector has no such publisher: the default one formats from RenderingInfo.
        let message = default_publisher
            .format(event.event(), FormatWhat::Event)
            .unwrap();
        let first_line = message.text().lines().next().unwrap();
        assert!(!first_line.is_empty());
        assert!(xml.contains(&format!("<Message>{first_line}")), "{xml}");
    }
    // Stopped source: 1722.
    source.stop_service();
    assert_eq!(forwarder.pump().unwrap_err().win32_code(), 1722);
}

/// The facade, as Windows code calls it: EvtOpenSession(EvtRpcLogin) to a registered
/// computer, wrong credentials at first use (5), offline (1722 and an Error action), slow.
#[test]
fn the_facade_opens_sessions_on_registered_computers() {
    let _service = crate::winevt::service(2);
    let store = TempDir::new("computers-facade");
    assert_eq!(
        controls::register_computer("WEC1", Some(store.path())),
        TRUE
    );
    assert_eq!(controls::register_computer("wec1", None), FALSE);
    assert_eq!(GetLastError(), 87);
    let remote = controls::engine().computer("WEC1").unwrap();
    for i in 0..3 {
        remote
            .engine()
            .write("Application", Event::builder("Remote").event_id(i).build())
            .unwrap();
    }
    let login = |server: &str| EvtRpcLoginInfo {
        server: Some(server.into()),
        ..Default::default()
    };
    assert_eq!(
        EvtOpenSession(EvtRpcLogin, Some(&login("NOWHERE")), 0, 0),
        0
    );
    assert_eq!(GetLastError(), 1722);

    let session = EvtOpenSession(EvtRpcLogin, Some(&login("wec1")), 0, 0);
    assert_ne!(session, 0);
    let query = EvtQuery(session, Some("Application"), None, EvtQueryChannelPath);
    assert_ne!(query, 0, "{}", GetLastError());
    let mut events = [0; 8];
    let mut returned = 0;
    assert_eq!(EvtNext(query, &mut events, 0, 0, &mut returned), TRUE);
    assert_eq!(
        returned, 3,
        "the computer's records, not the local Security ones"
    );
    for h in &events[..returned as usize] {
        EvtClose(*h);
    }

    // Slow: a shorter timeout than the delay is ERROR_TIMEOUT and moves nothing.
    assert_eq!(controls::set_computer_delay("WEC1", 500), TRUE);
    let query = EvtQuery(session, Some("Application"), None, EvtQueryChannelPath);
    assert_eq!(
        EvtNext(query, &mut events[..1], 100, 0, &mut returned),
        FALSE
    );
    assert_eq!(GetLastError(), 1460);
    assert_eq!(EvtNext(query, &mut events, 1000, 0, &mut returned), TRUE);
    assert_eq!(returned, 3, "the timed-out call moved nothing");
    assert!(remote.engine().call_time_spent() >= Duration::from_millis(1500));
    assert_eq!(controls::set_computer_delay("WEC1", 0), TRUE);

    // Offline: the session's calls fail with 1722, a push subscription gets the Error action.
    let (tx, rx) = mpsc::channel();
    let callback: SubscribeCallback = Box::new(move |action, event| {
        let _ = tx.send((action, event));
    });
    let sub = EvtSubscribe(
        session,
        0,
        Some("Application"),
        None,
        0,
        Some(callback),
        EvtSubscribeToFutureEvents,
    );
    assert_ne!(sub, 0, "{}", GetLastError());
    assert_eq!(controls::set_computer_offline("WEC1", true), TRUE);
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(10)).unwrap(),
        (EvtSubscribeActionError, 1722)
    );
    assert_eq!(
        EvtQuery(session, Some("Application"), None, EvtQueryChannelPath),
        0
    );
    assert_eq!(GetLastError(), 1722);
    assert_eq!(controls::set_computer_offline("WEC1", false), TRUE);
    assert_eq!(
        EvtQuery(session, Some("Application"), None, EvtQueryChannelPath),
        0
    );
    assert_eq!(GetLastError(), 6, "the session of before is invalid");
    assert_eq!(EvtClose(sub), TRUE);
    assert_eq!(EvtClose(session), TRUE);

    // Credentials: checked at open, reported at first use (5); the handle closes.
    assert_eq!(
        controls::set_computer_credentials("WEC1", Some(r"CORP\collector"), Some("pw")),
        TRUE
    );
    let denied = EvtOpenSession(EvtRpcLogin, Some(&login("WEC1")), 0, 0);
    assert_ne!(denied, 0, "the open succeeds");
    assert_eq!(
        EvtQuery(denied, Some("Application"), None, EvtQueryChannelPath),
        0
    );
    assert_eq!(GetLastError(), 5);
    assert_eq!(EvtOpenChannelEnum(denied, 0), 0);
    assert_eq!(GetLastError(), 5);
    assert_eq!(EvtClose(denied), TRUE);
    let good = EvtRpcLoginInfo {
        user: Some("collector".into()),
        domain: Some("corp".into()),
        password: Some("pw".into()),
        ..login("WEC1")
    };
    let session = EvtOpenSession(EvtRpcLogin, Some(&good), 0, 0);
    let query = EvtQuery(session, Some("Application"), None, EvtQueryChannelPath);
    assert_ne!(query, 0, "{}", GetLastError());
    assert_eq!(EvtClose(session), TRUE);

    // Forwarding from the computer to this one's ForwardedEvents.
    assert_eq!(
        controls::forward_events(Some("WEC1"), None, "Application", None),
        TRUE
    );
    assert_eq!(
        controls::forward_events(Some("WEC1"), None, "Application", None),
        TRUE
    );
    assert_eq!(
        controls::engine()
            .channel("ForwardedEvents")
            .unwrap()
            .record_count(),
        3,
        "each record once"
    );
    assert_eq!(controls::reboot_computer("NOWHERE"), FALSE);
    assert_eq!(GetLastError(), 1722);
    controls::reset();
}

#[test]
fn evtlog_computers_grammar_and_all_or_nothing() {
    let ok = controls::parse_computers("A=/tmp/a; B = /tmp/b ;").unwrap();
    assert_eq!(ok.len(), 2);
    assert_eq!(ok[1].0, "B");
    assert!(controls::parse_computers("").unwrap().is_empty());
    for (text, what) in [
        ("A=/x;B", "item 2 \"B\""),
        ("=/x", "the computer name is empty"),
        ("A=", "the store directory is empty"),
        ("A=/x;a=/y", "named twice"),
    ] {
        let message = controls::parse_computers(text).unwrap_err();
        assert!(message.contains(what), "{text}: {message}");
        assert!(message.contains("EVTLOG_COMPUTERS"), "{message}");
    }

    let local = engine();
    let good = TempDir::new("computers-env-good");
    let blocker = TempDir::new("computers-env-bad");
    let not_a_dir = blocker.file("file");
    std::fs::write(&not_a_dir, b"x").unwrap();
    let text = format!("GOOD={};BAD={not_a_dir}", good.path().display());
    let message = controls::register_computers(&local, &text).unwrap_err();
    assert!(message.contains("item 2 (BAD="), "{message}");
    assert!(local.computers().is_empty(), "nothing applied");
    let message = controls::register_computers(&local, "bad\\name=/tmp/x").unwrap_err();
    assert!(message.contains("item 1"), "{message}");
    let text = format!("GOOD={}", good.path().display());
    assert_eq!(controls::register_computers(&local, &text), Ok(1));
    assert!(local
        .computer("good")
        .unwrap()
        .engine()
        .has_channel("Application"));
}
