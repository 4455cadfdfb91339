//! `evtutil trace FILE` on a trace the library wrote (the facade traced to a file), with a
//! malformed line added: the summary of the calls, and the bad line reported and skipped.

use std::process::Command;

use evtlog::winevt::*;

#[path = "../../tests/support/temp.rs"]
mod temp;

#[test]
fn a_trace_is_summarized_and_a_bad_line_is_reported_with_its_number() {
    let dir = temp::TempDir::new("cli-trace");
    let path = dir.file("calls.jsonl");
    assert_eq!(controls::reset(), TRUE);
    assert_eq!(controls::use_virtual_clock(133_000_000_000_000_000), TRUE);
    assert_eq!(controls::generate("System", 3, 9), TRUE);
    assert_eq!(controls::trace_to(Some(path.as_ref())), TRUE);
    let query = EvtQuery(0, Some("System"), None, EvtQueryChannelPath);
    assert_ne!(query, 0);
    let mut events = [0; 10];
    let mut returned = 0;
    assert_eq!(EvtNext(query, &mut events, 0, 0, &mut returned), TRUE);
    assert_eq!(returned, 3);
    assert_eq!(EvtNext(query, &mut events, 0, 0, &mut returned), FALSE);
    assert_eq!(controls::inject_delay("EvtSeek", 0, 1, 7), TRUE);
    assert_eq!(EvtSeek(query, 1, 0, 0, EvtSeekRelativeToFirst), TRUE);
    assert_eq!(EvtClose(query), TRUE);
    assert_eq!(EvtClose(query), FALSE);
    assert_eq!(controls::trace_to(None), TRUE);
    let mut text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 6);
    text.push_str("{\"seq\":7,\"function\":\"EvtNext\"\n");
    std::fs::write(&path, text).unwrap();

    let output = Command::new(env!("CARGO_BIN_EXE_evtutil"))
        .args(["trace", &path, "/c:2"])
        .env_remove("EVTLOG_STORE")
        .env_remove("EVTLOG_TRACE")
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr.trim_end(),
        format!("evtutil: {path} line 7: not JSON: EOF while parsing an object at line 1 column 29; skipped")
    );
    // Wall times vary; everything else is fixed under the virtual clock.
    let fixed: Vec<&str> = stdout
        .lines()
        .take_while(|l| *l != "slowestWall:")
        .collect();
    assert_eq!(
        fixed,
        [
            format!("file: {path}").as_str(),
            "calls: 6",
            "failedCalls: 2",
            "skippedLines: 1",
            "functions:",
            "  EvtClose: calls 2, failed 1",
            "  EvtNext: calls 2, failed 1",
            "  EvtQuery: calls 1, failed 0",
            "  EvtSeek: calls 1, failed 0",
            "errors:",
            "  EvtClose: 6 x1: The handle is invalid.",
            "  EvtNext: 259 x1: No more data is available.",
            "slowestVirtual:",
            "  EvtSeek: 70000 ticks (7.000 ms), seq 4, line 4, error 0",
            "  EvtQuery: 0 ticks (0.000 ms), seq 1, line 1, error 0",
        ]
    );
    let wall: Vec<&str> = stdout
        .lines()
        .skip_while(|l| *l != "slowestWall:")
        .collect();
    assert_eq!(wall.len(), 3, "{stdout}");
}

#[test]
fn a_missing_trace_file_is_an_error() {
    let output = Command::new(env!("CARGO_BIN_EXE_evtutil"))
        .args(["trace", "/nonexistent-evtlog/calls.jsonl"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.starts_with("Failed to read trace /nonexistent-evtlog/calls.jsonl."),
        "{stderr}"
    );
}
