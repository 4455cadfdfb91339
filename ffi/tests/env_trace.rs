//! `EVTLOG_TRACE`: an unmodified program's Evt* calls through the C ABI land in the file the
//! environment names, one JSON line each, with no engine control called; a file that cannot
//! be made is reported on stderr and the program runs on untraced. The service reads the
//! variable once per process, so each case runs in a child process: this test binary again
//! (`child`, driven by `EVTLOG_TRACE_TEST_ROLE`).

use std::process::{Command, Output};
use std::ptr::{null, null_mut};

use wevtapi::*;

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain([0]).collect()
}

/// A consumer: writes 3 classic events (ReportEventW, not an Evt* call), reads Application
/// in batches of 2, closes what it opened, and closes one handle twice.
fn consume() {
    // SAFETY: every pointer is a live NUL-terminated string, a buffer of the size given, or NULL.
    unsafe {
        let source = RegisterEventSourceW(null(), wide("TraceTest").as_ptr());
        assert!(!source.is_null());
        let text = wide("an event");
        let strings = [text.as_ptr()];
        for _ in 0..3 {
            let written = ReportEventW(
                source,
                EVENTLOG_INFORMATION_TYPE,
                0,
                1000,
                null_mut(),
                1,
                0,
                strings.as_ptr(),
                null_mut(),
            );
            assert_ne!(written, 0);
        }
        DeregisterEventSource(source);
        let query = EvtQuery(0, wide("Application").as_ptr(), null(), EvtQueryChannelPath);
        assert_ne!(query, 0, "EvtQuery: {}", GetLastError());
        loop {
            let mut events = [0 as EVT_HANDLE; 2];
            let mut returned = 0;
            if EvtNext(query, 2, events.as_mut_ptr(), 0, 0, &mut returned) == FALSE {
                assert_eq!(GetLastError(), 259);
                break;
            }
            for &e in &events[..returned as usize] {
                EvtClose(e);
            }
        }
        assert_eq!(EvtClose(query), TRUE);
        assert_eq!(EvtClose(query), FALSE);
    }
}

#[test]
fn child() {
    if std::env::var_os("EVTLOG_TRACE_TEST_ROLE").is_some() {
        consume();
    }
}

fn run(trace: &str) -> Output {
    let output = Command::new(std::env::current_exe().unwrap())
        .args(["child", "--exact", "--nocapture", "--test-threads=1"])
        .env("EVTLOG_TRACE", trace)
        .env("EVTLOG_TRACE_TEST_ROLE", "1")
        .env_remove("EVTLOG_STORE")
        .env_remove("EVTLOG_FAULTS")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "child failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The value of `"key":` in a trace line (a number, or a string with its quotes).
fn field<'a>(line: &'a str, key: &str) -> &'a str {
    let start = line
        .find(&format!("\"{key}\":"))
        .unwrap_or_else(|| panic!("{key} in {line}"))
        + key.len()
        + 3;
    let rest = &line[start..];
    let end = if let Some(quoted) = rest.strip_prefix('"') {
        quoted.find('"').unwrap() + 2
    } else {
        rest.find([',', '}']).unwrap()
    };
    &rest[..end]
}

#[test]
fn an_unmodified_programs_calls_are_traced_to_the_file_the_environment_names() {
    let dir = std::env::temp_dir().join(format!("evtlog-env-trace-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("calls.jsonl");
    let output = run(path.to_str().unwrap());
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains("EVTLOG_TRACE"),
        "{output:?}"
    );
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let calls: Vec<(&str, &str, &str)> = lines
        .iter()
        .map(|l| (field(l, "function"), field(l, "result"), field(l, "error")))
        .collect();
    // The classic API (ReportEventW) is not traced; every Evt* call is, in order.
    let names: Vec<&str> = calls.iter().map(|c| c.0).collect();
    assert_eq!(
        names,
        [
            "\"EvtQuery\"",
            "\"EvtNext\"",
            "\"EvtClose\"",
            "\"EvtClose\"",
            "\"EvtNext\"",
            "\"EvtClose\"",
            "\"EvtNext\"",
            "\"EvtClose\"",
            "\"EvtClose\"",
        ]
    );
    assert_eq!(field(lines[0], "Path"), "\"Application\"");
    assert_eq!(field(lines[0], "Flags"), "1");
    assert_eq!(field(lines[1], "EventsSize"), "2");
    assert_eq!(field(lines[1], "ResultSet"), field(lines[0], "result"));
    assert_eq!((calls[6].1, calls[6].2), ("0", "259"));
    assert_eq!((calls[8].1, calls[8].2), ("0", "6"));
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(field(line, "seq"), (i + 1).to_string());
        assert!(field(line, "wall_ns").parse::<u64>().is_ok(), "{line}");
    }
}

#[test]
fn a_trace_file_that_cannot_be_made_is_reported_and_the_program_runs_on() {
    let output = run("/nonexistent-evtlog-dir/calls.jsonl");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("EVTLOG_TRACE")
            && stderr.contains("/nonexistent-evtlog-dir/calls.jsonl")
            && stderr.contains("not traced"),
        "{stderr}"
    );
}
