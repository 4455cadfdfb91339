//! `EVTLOG_FAULTS`: an unmodified program meets the plan the environment names, with no engine
//! control called; a malformed plan is reported on stderr and not applied. The service reads
//! the variable once per process, so each case runs in a child process: this test binary
//! again (`child`, driven by `EVTLOG_FAULTS_TEST_ROLE`).

use std::process::{Command, Output};

use wevtapi::*;

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain([0]).collect()
}

/// Writes `n` classic events to Application through ReportEventW (Windows' own API).
fn report(n: usize) {
    // SAFETY: every pointer is a live NUL-terminated string or NULL.
    unsafe {
        let source = RegisterEventSourceW(std::ptr::null(), wide("FaultsTest").as_ptr());
        assert!(
            !source.is_null(),
            "RegisterEventSourceW: {}",
            GetLastError()
        );
        for _ in 0..n {
            let text = wide("an event");
            let strings = [text.as_ptr()];
            assert_ne!(
                ReportEventW(
                    source,
                    EVENTLOG_INFORMATION_TYPE,
                    0,
                    1000,
                    std::ptr::null_mut(),
                    1,
                    0,
                    strings.as_ptr(),
                    std::ptr::null_mut(),
                ),
                0
            );
        }
        DeregisterEventSource(source);
    }
}

/// EvtNext results of batches of 4 over Application: Ok(count) or Err(last error).
fn batches(calls: usize) -> Vec<Result<u32, u32>> {
    // SAFETY: every pointer is a live NUL-terminated string or a buffer of the size given.
    unsafe {
        let query = EvtQuery(
            0,
            wide("Application").as_ptr(),
            std::ptr::null(),
            EvtQueryChannelPath,
        );
        assert_ne!(query, 0, "EvtQuery: {}", GetLastError());
        let mut out = Vec::new();
        for _ in 0..calls {
            let mut events = [0 as EVT_HANDLE; 4];
            let mut returned = 0;
            if EvtNext(query, 4, events.as_mut_ptr(), 0, 0, &mut returned) == FALSE {
                out.push(Err(GetLastError()));
            } else {
                for &e in &events[..returned as usize] {
                    EvtClose(e);
                }
                out.push(Ok(returned));
            }
        }
        EvtClose(query);
        out
    }
}

#[test]
fn child() {
    let Ok(role) = std::env::var("EVTLOG_FAULTS_TEST_ROLE") else {
        return;
    };
    report(10);
    let got = batches(4);
    match role.as_str() {
        // EvtNext@2:1734: the third call fails and moves nothing; the fourth reads its events.
        "armed" => assert_eq!(got, [Ok(4), Ok(4), Err(1734), Ok(2)]),
        // A malformed plan arms nothing.
        "malformed" => assert_eq!(got, [Ok(4), Ok(4), Ok(2), Err(259)]),
        other => panic!("unknown role {other}"),
    }
}

fn run(plan: &str, role: &str) -> Output {
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["child", "--exact", "--nocapture", "--test-threads=1"])
        .env("EVTLOG_FAULTS", plan)
        .env("EVTLOG_FAULTS_TEST_ROLE", role)
        .env_remove("EVTLOG_STORE")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "child {role} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[test]
fn the_environments_plan_is_met_by_an_unmodified_program() {
    let output = run("EvtNext@2:1734", "armed");
    assert!(!String::from_utf8_lossy(&output.stderr).contains("EVTLOG_FAULTS"));
}

#[test]
fn a_malformed_plan_is_reported_with_its_item_and_offset_and_not_applied() {
    let output = run("EvtNext@2:1734;EvtNxt:5", "malformed");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("EVTLOG_FAULTS")
            && stderr.contains("item 2")
            && stderr.contains("offset 15")
            && stderr.contains("EvtNxt")
            && stderr.contains("not applied"),
        "{stderr}"
    );
}

/// The controls beside the other evtlog_* ones, in this process's own service.
#[test]
fn the_c_controls_arm_and_clear_faults() {
    if std::env::var_os("EVTLOG_FAULTS_TEST_ROLE").is_some() {
        return;
    }
    // SAFETY: every pointer is a live NUL-terminated string or a buffer of the size given.
    unsafe {
        assert_eq!(evtlog_reset(), TRUE);
        report(3);
        let name = wide("EvtQuery");
        assert_eq!(evtlog_inject_fault(name.as_ptr(), 0, 0, 1722), TRUE);
        let query = || {
            EvtQuery(
                0,
                wide("Application").as_ptr(),
                std::ptr::null(),
                EvtQueryChannelPath,
            )
        };
        for _ in 0..2 {
            assert_eq!(query(), 0);
            assert_eq!(GetLastError(), 1722);
        }
        assert_eq!(evtlog_clear_faults(), TRUE);
        let q = query();
        assert_ne!(q, 0);
        EvtClose(q);
        assert_eq!(
            evtlog_inject_fault(wide("EvtBogus").as_ptr(), 0, 1, 5),
            FALSE
        );
        assert_eq!(GetLastError(), 87);
        assert_eq!(evtlog_inject_fault(std::ptr::null(), 0, 1, 5), FALSE);
        assert_eq!(evtlog_inject_plan(wide("EvtQuery:5x2").as_ptr()), TRUE);
        assert_eq!(query(), 0);
        assert_eq!(GetLastError(), 5);
        assert_eq!(evtlog_deny_channel_access(wide("System").as_ptr()), TRUE);
        assert_eq!(evtlog_fill_channel(wide("Setup").as_ptr()), TRUE);
        assert_eq!(evtlog_remove_publisher(wide("FaultsTest").as_ptr()), TRUE);
        assert_eq!(
            evtlog_fail_messages(wide("FaultsTest").as_ptr(), 15027),
            TRUE
        );
        assert_eq!(
            evtlog_fail_messages(wide("FaultsTest").as_ptr(), 15029),
            FALSE
        );
        assert_eq!(evtlog_inject_delay(wide("EvtNext").as_ptr(), 0, 1, 1), TRUE);
        assert_eq!(evtlog_reset(), TRUE);
    }
}
