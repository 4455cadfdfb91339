//! An unmodified program reaches the remote computers `EVTLOG_COMPUTERS` names, with no
//! engine control called; a malformed value is reported on stderr, naming the item, and
//! registers nothing. (Its own test binary: the service reads the variable once per
//! process; the malformed case runs in a child process.)

use std::process::Command;

use evtlog::{Engine, Event};
use wevtapi::*;

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain([0]).collect()
}

/// EvtOpenSession to `server` as the current user.
///
/// # Safety
/// None beyond the exports'.
unsafe fn open_session(server: &str) -> EVT_HANDLE {
    let server = wide(server);
    let login = EVT_RPC_LOGIN {
        Server: server.as_ptr() as *mut u16,
        User: std::ptr::null_mut(),
        Domain: std::ptr::null_mut(),
        Password: std::ptr::null_mut(),
        Flags: 0,
    };
    // SAFETY: `login` and its string live across the call.
    unsafe { EvtOpenSession(EvtRpcLogin, (&login as *const EVT_RPC_LOGIN).cast(), 0, 0) }
}

const CHILD: &str = "EVTLOG_TEST_COMPUTERS_CHILD";

#[test]
fn evtlog_computers_registers_the_stores_it_names() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("evtlog-env-computers-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    {
        let store = Engine::open_store_dir(&dir).unwrap();
        store.create_default_channels();
        for id in [7001, 7002] {
            let event = Event::builder("Env-Computers-Test").event_id(id).build();
            store.write("System", event).unwrap();
        }
    }
    std::env::set_var(
        "EVTLOG_COMPUTERS",
        format!("COLLECTOR-7={};", dir.display()),
    );

    // SAFETY: every pointer is a live NUL-terminated string or a buffer of the size given.
    unsafe {
        let session = open_session("collector-7");
        assert_ne!(session, 0, "EvtOpenSession: {}", GetLastError());
        let query = EvtQuery(
            session,
            wide("System").as_ptr(),
            wide("*[System[Provider[@Name='Env-Computers-Test']]]").as_ptr(),
            EvtQueryChannelPath,
        );
        assert_ne!(query, 0, "EvtQuery: {}", GetLastError());
        let mut events = [0 as EVT_HANDLE; 4];
        let mut returned = 0;
        assert_eq!(
            EvtNext(query, 4, events.as_mut_ptr(), 1000, 0, &mut returned),
            TRUE
        );
        assert_eq!(returned, 2, "the computer's two events");
        // The local service has none of them.
        let local = EvtQuery(
            0,
            wide("System").as_ptr(),
            wide("*[System[Provider[@Name='Env-Computers-Test']]]").as_ptr(),
            EvtQueryChannelPath,
        );
        assert_ne!(local, 0);
        assert_eq!(
            EvtNext(local, 4, events.as_mut_ptr(), 0, 0, &mut returned),
            FALSE
        );
        assert_eq!(GetLastError(), 259);
        assert_eq!(open_session("NOT-REGISTERED"), 0);
        assert_eq!(GetLastError(), 1722);
        EvtClose(session);
        EvtClose(local);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_malformed_evtlog_computers_is_reported_and_registers_nothing() {
    if std::env::var_os(CHILD).is_some() {
        // The child: the variable is malformed, so no computer is reachable.
        // SAFETY: no pointer but the login's, which `open_session` keeps alive.
        unsafe {
            assert_eq!(open_session("GOOD"), 0);
            assert_eq!(GetLastError(), 1722);
        }
        return;
    }
    let dir = std::env::temp_dir().join(format!("evtlog-env-computers-bad-{}", std::process::id()));
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_malformed_evtlog_computers_is_reported_and_registers_nothing",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .env("EVTLOG_COMPUTERS", format!("GOOD={};BROKEN", dir.display()))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stderr.contains("EVTLOG_COMPUTERS: item 2 \"BROKEN\"") && stderr.contains("no '='"),
        "{stderr}"
    );
    assert!(stderr.contains("no computer registered"), "{stderr}");
    assert!(
        !dir.exists(),
        "nothing applied: the good item's store was not even created"
    );
}
