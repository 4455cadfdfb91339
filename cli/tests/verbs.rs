//! The verbs and options beyond the query core, as a user runs them: `gli`, wevtutil's
//! global options (`/r /u /p /a /uni`), `eventcreate`, `write`, `completions`, `man` and
//! per-verb usage, each with its error cases (wevtutil's and eventcreate's messages, the
//! Windows code, the exit status).

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use evtlog::{Event, Profile};

#[path = "../../tests/support/evtx.rs"]
mod evtx;
#[path = "../../tests/support/temp.rs"]
mod temp;

use temp::TempDir;

/// evtutil with `args`, no EVTLOG_STORE or EVTLOG_COMPUTERS from outside, and `env` set.
fn run(args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_evtutil"));
    command
        .args(args)
        .env_remove("EVTLOG_STORE")
        .env_remove("EVTLOG_COMPUTERS")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().expect("evtutil runs");
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn evtutil(args: &[&str]) -> Output {
    run(args, &[], None)
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 output")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// An operation error: exit status 1 and a stderr line holding `message` and `(code)`.
fn assert_fails(o: &Output, message: &str, code: u32) {
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    let err = stderr(o);
    assert!(err.contains(message), "{err}");
    assert!(err.contains(&format!("({code})")), "{err}");
    assert!(o.stdout.is_empty(), "{o:?}");
}

/// The value of gli's `name:` line.
fn gli_value(text: &str, name: &str) -> String {
    text.lines()
        .find_map(|l| {
            l.strip_prefix(&format!("{name}: "))
                .or_else(|| (l == format!("{name}:")).then_some(""))
        })
        .unwrap_or_else(|| panic!("no {name} in {text}"))
        .to_owned()
}

/// Whether `event` was stamped within the last ten minutes.
fn is_recent(event: &Event) -> bool {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as i128;
    let at = event.system.time_created.unwrap().to_unix_nanos();
    (now - at).abs() < 600 * 1_000_000_000
}

fn record_ids(xml: &str) -> Vec<u64> {
    xml.lines()
        .map(|l| Event::from_xml(l).unwrap().system.event_record_id.unwrap())
        .collect()
}

#[test]
fn gli_prints_wevtutils_seven_lines_for_a_channel() {
    let o = evtutil(&["--memory", "gli", "Security"]);
    assert!(o.status.success(), "{o:?}");
    let text = stdout(&o);
    let names: Vec<&str> = text.lines().map(|l| l.split(':').next().unwrap()).collect();
    assert_eq!(
        names,
        [
            "creationTime",
            "lastAccessTime",
            "lastWriteTime",
            "fileSize",
            "attributes",
            "numberOfLogRecords",
            "oldestRecordNumber"
        ]
    );
    assert_eq!(gli_value(&text, "numberOfLogRecords"), "6000");
    assert_eq!(gli_value(&text, "oldestRecordNumber"), "1");
    assert_eq!(gli_value(&text, "attributes"), "32");
    assert_eq!(
        stdout(&evtutil(&["--memory", "get-loginfo", "security"])),
        text,
        "long name, any case"
    );
    // A persistent store's channel has its file's times, UTC to the millisecond.
    let dir = TempDir::new("gli-store");
    let store = dir.file("store");
    let o = evtutil(&["--store", &store, "gli", "Setup"]);
    let text = stdout(&o);
    let created = gli_value(&text, "lastWriteTime");
    assert_eq!(created.len(), "2016-11-28T06:01:37.986Z".len(), "{text}");
    assert!(
        created.ends_with('Z') && created.as_bytes()[10] == b'T',
        "{text}"
    );
    let size: u64 = gli_value(&text, "fileSize").parse().unwrap();
    let file = Path::new(&store).join("Setup.evtx");
    assert_eq!(size, std::fs::metadata(file).unwrap().len());
}

#[test]
fn gli_errors_are_wevtutils() {
    assert_fails(
        &evtutil(&["--memory", "gli", "NoSuchLog"]),
        "The specified channel could not be found.",
        15007,
    );
    let missing = evtutil(&["--memory", "gli", "/tmp/evtutil-no-such.evtx", "/lf:true"]);
    assert_fails(&missing, "The system cannot find the file specified.", 2);
    let usage = evtutil(&["--memory", "gli"]);
    assert_eq!(usage.status.code(), Some(2), "{usage:?}");
    assert!(stderr(&usage).contains("gli takes one channel name"));
}

/// `gli FILE /lf:true` reads the file's chunk headers and opens no store.
#[test]
fn gli_of_a_log_file_opens_no_store() {
    let events = evtx::generated(7, Profile::System, 300);
    let file = evtx::write("gli-file", &events);
    let dir = TempDir::new("gli-nostore");
    let store = dir.file("never");
    let o = evtutil(&["--store", &store, "gli", file.path(), "/lf:true"]);
    assert!(o.status.success(), "{o:?}");
    let text = stdout(&o);
    assert_eq!(gli_value(&text, "numberOfLogRecords"), "300");
    assert_eq!(gli_value(&text, "oldestRecordNumber"), "1");
    assert_eq!(
        gli_value(&text, "fileSize"),
        std::fs::metadata(file.path()).unwrap().len().to_string()
    );
    assert!(
        !Path::new(&store).exists(),
        "no store is made for a log file"
    );
    // A relative path is the current directory's, as for qe.
    let parent = file.0.parent().unwrap();
    let name = file.0.file_name().unwrap().to_str().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_evtutil"))
        .args(["gli", name, "/logfile:true"])
        .current_dir(parent)
        .env("EVTLOG_STORE", &store)
        .output()
        .unwrap();
    // The same file (its last access time moves as it is read).
    let without_access = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.starts_with("lastAccessTime"))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(without_access(&stdout(&o)), without_access(&text));
    assert!(!Path::new(&store).exists());
}

#[test]
fn unicode_output_is_utf16le() {
    for args in [
        vec!["--memory", "qe", "System", "/c:2", "/f:text"],
        vec!["--memory", "gli", "System"],
    ] {
        let plain = evtutil(&args);
        let mut wide_args = args.clone();
        wide_args.push("/uni:true");
        let wide = evtutil(&wide_args);
        assert!(wide.status.success(), "{wide:?}");
        let want: Vec<u8> = stdout(&plain)
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(wide.stdout, want);
        let mut off = args.clone();
        off.push("/unicode:false");
        assert_eq!(evtutil(&off).stdout, plain.stdout);
    }
    let bad = evtutil(&["--memory", "el", "/uni:maybe"]);
    assert_eq!(bad.status.code(), Some(2), "{bad:?}");
}

/// `/r:NAME` reaches a computer EVTLOG_COMPUTERS registers; the verb runs there and the
/// local store is never opened.
#[test]
fn remote_verbs_run_on_the_registered_computer() {
    let dir = TempDir::new("remote");
    let computers = format!("DC1={}", dir.file("dc1"));
    let local = dir.file("local");
    let env = [("EVTLOG_COMPUTERS", computers.as_str())];
    let remote = |args: &[&str]| {
        let mut all = vec!["--store", local.as_str()];
        all.extend_from_slice(args);
        run(&all, &env, None)
    };
    let el = remote(&["el", "/r:dc1"]);
    assert!(el.status.success(), "{el:?}");
    assert!(stdout(&el).lines().any(|l| l == "Application"));
    // The computer's store starts empty: its own channels, not the local default events.
    let gli = remote(&["gli", "Application", "/remote:\\\\DC1"]);
    assert_eq!(
        gli_value(&stdout(&gli), "numberOfLogRecords"),
        "0",
        "{gli:?}"
    );
    let created = remote(&[
        "eventcreate",
        "/s",
        "DC1",
        "/t",
        "INFORMATION",
        "/id",
        "7",
        "/d",
        "on the DC",
    ]);
    assert!(created.status.success(), "{created:?}");
    let qe = remote(&["qe", "Application", "/r:DC1", "/a:Negotiate"]);
    let xml = stdout(&qe);
    assert_eq!(xml.lines().count(), 1, "{qe:?}");
    assert!(xml.contains("<Data>on the DC</Data>"), "{xml}");
    let auth = remote(&[
        "qe",
        "Application",
        "/r:DC1",
        "/authentication:kerberos",
        "/u:CORP\\bob",
        "/p:pw",
    ]);
    assert_eq!(
        auth.stdout, qe.stdout,
        "any login is accepted by a computer without credentials"
    );
    // Kept in the computer's store, and the local store was never made.
    assert_eq!(stdout(&remote(&["qe", "Application", "/r:DC1"])), xml);
    assert!(
        !Path::new(&local).exists(),
        "the local store is not opened with /r"
    );
}

#[test]
fn remote_errors_are_windows() {
    let dir = TempDir::new("remote-errors");
    let local = dir.file("local");
    let unknown = evtutil(&["--store", &local, "el", "/r:NOWHERE"]);
    assert_fails(&unknown, "The RPC server is unavailable.", 1722);
    let eventcreate = evtutil(&[
        "eventcreate",
        "/s",
        "NOWHERE",
        "/t",
        "ERROR",
        "/id",
        "1",
        "/d",
        "x",
    ]);
    assert_fails(&eventcreate, "The RPC server is unavailable.", 1722);
    for args in [
        vec!["--memory", "el", "/u:bob"],
        vec!["--memory", "el", "/r:X", "/p:pw"],
        vec!["--memory", "el", "/r:X", "/a:Digest"],
        vec!["--memory", "el", "/r:"],
    ] {
        assert_fails(&evtutil(&args), "The parameter is incorrect.", 87);
    }
    let malformed = run(&["el", "/r:DC1"], &[("EVTLOG_COMPUTERS", "DC1")], None);
    assert_eq!(malformed.status.code(), Some(1));
    assert!(
        stderr(&malformed).contains("EVTLOG_COMPUTERS: item 1"),
        "{malformed:?}"
    );
    assert!(!Path::new(&local).exists());
    // eventcreate has no /r, trace no global options.
    let o = evtutil(&["--memory", "eventcreate", "/r:X"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert!(stderr(&o).starts_with("ERROR: Invalid argument/option - '/r:X'."));
    assert_eq!(evtutil(&["trace", "f", "/uni:true"]).status.code(), Some(2));
}

#[test]
fn eventcreate_writes_a_classic_event_and_says_so() {
    let dir = TempDir::new("eventcreate");
    let store = dir.file("store");
    let before = record_ids(&stdout(&evtutil(&[
        "--store",
        &store,
        "qe",
        "Application",
        "/rd:true",
        "/c:1",
    ])));
    let o = evtutil(&[
        "--store",
        &store,
        "eventcreate",
        "/t",
        "ERROR",
        "/id",
        "100",
        "/l",
        "application",
        "/d",
        "Create event in application log",
    ]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(
        stdout(&o),
        "SUCCESS: An event of type 'ERROR' was created in the 'Application' log with 'EventCreate' as the source.\n"
    );
    // The colon form, another type and source, the System log.
    let o = evtutil(&[
        "--store",
        &store,
        "eventcreate",
        "/T:warning",
        "/ID:7",
        "/SO:winword",
        "/L:SYSTEM",
        "/D:New src Winword",
    ]);
    assert_eq!(
        stdout(&o),
        "SUCCESS: An event of type 'WARNING' was created in the 'System' log with 'winword' as the source.\n",
        "{o:?}"
    );
    // Kept by the store, in Windows' classic shape.
    let newest = stdout(&evtutil(&[
        "--store",
        &store,
        "qe",
        "Application",
        "/rd:true",
        "/c:1",
    ]));
    let event = Event::from_xml(newest.trim()).unwrap();
    assert_eq!(event.system.event_record_id, Some(before[0] + 1));
    assert_eq!(event.system.provider.name.as_deref(), Some("EventCreate"));
    assert_eq!(event.system.provider.guid, None);
    assert_eq!(
        (event.system.event_id, event.system.qualifiers),
        (100, Some(0))
    );
    assert_eq!(event.system.level, Some(2));
    assert_eq!(event.system.keywords, Some(0x0080_0000_0000_0000));
    assert!(
        newest.contains("<EventData><Data>Create event in application log</Data></EventData>"),
        "{newest}"
    );
    let system = stdout(&evtutil(&[
        "--store", &store, "qe", "System", "/rd:true", "/c:1", "/f:text",
    ]));
    assert!(
        system.contains("Source: winword") && system.contains("Level: Warning"),
        "{system}"
    );
    let success = evtutil(&[
        "--memory",
        "eventcreate",
        "/t",
        "success",
        "/id",
        "1000",
        "/d",
        "ok",
    ]);
    assert!(
        stdout(&success).starts_with("SUCCESS: An event of type 'SUCCESS'"),
        "{success:?}"
    );
}

#[test]
fn eventcreate_errors_are_eventcreates_and_write_nothing() {
    let dir = TempDir::new("eventcreate-errors");
    let store = dir.file("store");
    let count = |store: &str| {
        gli_value(
            &stdout(&evtutil(&["--store", store, "gli", "Application"])),
            "numberOfLogRecords",
        )
    };
    let start = count(&store);
    let cases: &[(&[&str], &str)] = &[
        (&["/id", "1", "/d", "x"], "ERROR: Invalid Syntax. Mandatory option '/t' is missing."),
        (&["/t", "ERROR", "/d", "x"], "ERROR: Invalid Syntax. Mandatory option '/id' is missing."),
        (&["/t", "ERROR", "/id", "1"], "ERROR: Invalid Syntax. Mandatory option '/d' is missing."),
        (&["/t", "ERROR", "/id", "0", "/d", "x"], "ERROR: Invalid event ID '0'. Valid IDs are 1 to 1000."),
        (&["/t", "ERROR", "/id", "1001", "/d", "x"], "ERROR: Invalid event ID '1001'."),
        (&["/t", "FATAL", "/id", "1", "/d", "x"], "ERROR: Invalid value 'FATAL' for '/t'."),
        (&["/t", "ERROR", "/id", "1", "/d", "x", "/l", "Security"], "ERROR: Access is denied."),
        (&["/t", "ERROR", "/id", "1", "/d", "x", "/l", "NoSuchLog"], "ERROR: The log 'NoSuchLog' does not exist."),
        (
            &["/t", "ERROR", "/id", "1", "/d", "x", "/so", "Microsoft-Windows-Security-Auditing"],
            "ERROR: Source parameter is used to identify custom applications/scripts only (not installed applications).",
        ),
        (&["/t", "ERROR", "/id", "1", "/d", "x", "/u", "bob"], "ERROR: Invalid Syntax. /U can be specified only when /S is specified."),
        (&["/t", "ERROR", "/id", "1", "/d", "x", "/s", "X", "/p", "pw"], "ERROR: Invalid Syntax. /P can be specified only when /U is specified."),
        (&["/t", "ERROR", "/id", "1", "/d", "x", "extra"], "ERROR: Invalid Syntax. Invalid argument 'extra'."),
    ];
    for (args, message) in cases {
        let mut all = vec!["--store", store.as_str(), "eventcreate"];
        all.extend_from_slice(args);
        let o = evtutil(&all);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {o:?}");
        assert!(stderr(&o).starts_with(message), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty());
    }
    assert_eq!(count(&store), start, "nothing written");
    // A value missing at the end of the line: eventcreate's wording and status.
    let o = evtutil(&["--memory", "eventcreate", "/t", "ERROR", "/id", "1", "/d"]);
    assert_eq!(o.status.code(), Some(1), "{o:?}");
    assert_eq!(
        stderr(&o),
        "ERROR: Invalid Syntax. Value expected for '/d'.\nType \"EVTUTIL EVENTCREATE /?\" for usage.\n"
    );
}

#[test]
fn write_puts_event_xml_into_a_channel() {
    let dir = TempDir::new("write");
    let store = dir.file("store");
    let security = stdout(&evtutil(&["--memory", "qe", "Security", "/c:3"]));
    let file = dir.file("events.xml");
    std::fs::write(&file, &security).unwrap();
    let o = evtutil(&["--store", &store, "write", "Setup", &file]);
    assert!(o.status.success(), "{o:?}");
    assert!(o.stdout.is_empty());
    let setup = stdout(&evtutil(&[
        "--store", &store, "qe", "Setup", "/rd:true", "/c:3",
    ]));
    let written: Vec<Event> = setup
        .lines()
        .rev()
        .map(|l| Event::from_xml(l).unwrap())
        .collect();
    let source: Vec<Event> = security
        .lines()
        .map(|l| Event::from_xml(l).unwrap())
        .collect();
    assert_eq!(written.len(), 3);
    for (w, s) in written.iter().zip(&source) {
        assert_eq!(w.system.channel.as_deref(), Some("Setup"));
        assert_eq!(w.system.time_created, s.system.time_created);
        assert_eq!(w.body, s.body);
    }
    assert_eq!(
        written[0].system.event_record_id.unwrap() + 2,
        written[2].system.event_record_id.unwrap()
    );
    // From stdin: a sequence inside a wrapper (qe /e:Events), across lines.
    let wrapped = stdout(&evtutil(&["--memory", "qe", "System", "/c:2", "/e:Events"]));
    let o = run(
        &["--store", &store, "write", "Application", "-"],
        &[],
        Some(&wrapped),
    );
    assert!(o.status.success(), "{o:?}");
    let o = run(
        &["--store", &store, "write", "Application"],
        &[],
        Some("\n<Event><System><Provider Name='p'/><EventID>1</EventID></System></Event>\n"),
    );
    assert!(o.status.success(), "{o:?}");
    let plain = stdout(&evtutil(&[
        "--store",
        &store,
        "qe",
        "Application",
        "/rd:true",
        "/c:1",
    ]));
    assert!(
        is_recent(&Event::from_xml(plain.trim()).unwrap()),
        "no time: the present"
    );
    let last = stdout(&evtutil(&[
        "--store",
        &store,
        "qe",
        "Application",
        "/rd:true",
        "/c:3",
        "/f:text",
    ]));
    assert_eq!(last.matches("Log Name: Application").count(), 3, "{last}");
    assert!(last.contains("Source: p"));
}

#[test]
fn write_errors_give_the_position_and_write_nothing() {
    let dir = TempDir::new("write-errors");
    let store = dir.file("store");
    let count = || {
        gli_value(
            &stdout(&evtutil(&["--store", &store, "gli", "Application"])),
            "numberOfLogRecords",
        )
    };
    let start = count();
    let good = "<Event><System><Provider Name='p'/><EventID>1</EventID></System></Event>";
    let bad_value = format!(
        "{good}\n  <Event><System><Provider Name='p'/>\n<EventID>x</EventID></System></Event>\n"
    );
    let o = run(
        &["--store", &store, "write", "Application"],
        &[],
        Some(&bad_value),
    );
    assert_fails(&o, "stdin: event 2:", 15008);
    assert!(stderr(&o).contains("(line 3, column 1)"), "{}", stderr(&o));
    let junk = format!("{good}\nnot xml\n");
    let o = run(
        &["--store", &store, "write", "Application"],
        &[],
        Some(&junk),
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("stdin: line 2, column 1: text outside an <Event> element"),
        "{o:?}"
    );
    let open = format!("{good}\n<Event><System>");
    let o = run(
        &["--store", &store, "write", "Application"],
        &[],
        Some(&open),
    );
    assert!(
        stderr(&o).contains("line 2, column 1: this <Event> element is not closed"),
        "{o:?}"
    );
    assert_eq!(count(), start, "nothing written");
    let file = dir.file("events.xml");
    std::fs::write(&file, good).unwrap();
    assert_fails(
        &evtutil(&["--store", &store, "write", "NoSuchLog", &file]),
        "The specified channel could not be found.",
        15007,
    );
    let missing = evtutil(&[
        "--store",
        &store,
        "write",
        "Application",
        &dir.file("none.xml"),
    ]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(stderr(&missing).contains("none.xml"));
    assert_eq!(
        evtutil(&["--store", &store, "write"]).status.code(),
        Some(2)
    );
}

#[test]
fn help_is_per_verb_and_lists_every_verb() {
    let all = stdout(&evtutil(&["/?"]));
    for verb in [
        "el",
        "gl",
        "sl",
        "ep",
        "gp",
        "im",
        "um",
        "qe",
        "gli",
        "epl",
        "al",
        "cl",
        "eventcreate",
        "write",
        "trace",
        "completions",
        "man",
    ] {
        assert!(
            all.lines()
                .any(|l| l.starts_with(&format!("  {verb} ")) || l == format!("  {verb}")),
            "{verb} missing from the usage"
        );
    }
    let qe = evtutil(&["qe", "/?"]);
    assert!(qe.status.success());
    let qe = stdout(&qe);
    assert!(qe.starts_with("Usage: evtutil qe"));
    assert!(qe.contains("/sbm:FILE (/savebookmark)") && qe.contains("/uni:true|false (/unicode)"));
    assert!(!qe.contains("eventcreate"));
    assert_eq!(
        stdout(&evtutil(&["get-loginfo", "-?"])),
        stdout(&evtutil(&["gli", "--help"]))
    );
    let unknown = evtutil(&["--memory", "qe", "System", "/zz:1"]);
    assert_eq!(unknown.status.code(), Some(2));
    let err = stderr(&unknown);
    assert!(err.starts_with("evtutil: unknown option '/zz:1' for 'qe'\n\nUsage: evtutil qe"));
    assert!(
        !err.contains("clear-log"),
        "a usage error shows its verb's usage only"
    );
    assert_eq!(evtutil(&["--frob"]).status.code(), Some(2));
}

#[test]
fn completions_are_valid_scripts() {
    for shell in ["bash", "zsh", "fish"] {
        let o = evtutil(&["completions", shell]);
        assert!(o.status.success(), "{o:?}");
        let script = stdout(&o);
        for word in [
            "gli",
            "get-loginfo",
            "eventcreate",
            "/structuredquery:",
            "/sbm:",
            "/so",
            "store",
        ] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
        // Where the shell is installed, its parser accepts the script.
        let dir = TempDir::new("completions");
        let file = dir.file("script");
        std::fs::write(&file, &script).unwrap();
        if let Ok(check) = Command::new(shell).arg("-n").arg(&file).output() {
            assert!(check.status.success(), "{shell} -n: {check:?}");
        }
    }
    let bad = evtutil(&["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("bash, zsh or fish"));
}

/// bash completes verbs and a verb's options through the generated function.
#[test]
fn bash_completion_completes() {
    let script = stdout(&evtutil(&["completions", "bash"]));
    let complete = |line: &str| -> String {
        let words: Vec<&str> = line.split(' ').collect();
        let program = format!(
            "{script}\nCOMP_WORDS=({}); COMP_CWORD={}; _evtutil; printf '%s\\n' \"${{COMPREPLY[@]}}\"",
            words.iter().map(|w| format!("'{w}'")).collect::<Vec<_>>().join(" "),
            words.len() - 1
        );
        let o = Command::new("bash")
            .arg("-c")
            .arg(&program)
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    if Command::new("bash").arg("--version").output().is_err() {
        eprintln!("bash is not installed: its completion is not run");
        return;
    }
    assert!(complete("evtutil gl").lines().any(|l| l == "gli"));
    assert!(complete("evtutil qe System /sa")
        .lines()
        .any(|l| l == "/savebookmark:"));
}

#[test]
fn man_page_is_roff_with_every_verb() {
    let o = evtutil(&["man"]);
    assert!(o.status.success());
    let page = stdout(&o);
    assert!(page.starts_with(".TH EVTUTIL 1"));
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH COMMANDS",
        ".SH GLOBAL OPTIONS",
        ".SH EXIT STATUS",
    ] {
        assert!(page.contains(section), "{section}");
    }
    assert!(page.contains("\\fBgli\\fR (\\fBget\\-loginfo\\fR)"));
    // Where groff is installed, the page formats without a warning.
    let dir = TempDir::new("man");
    let file = dir.file("evtutil.1");
    std::fs::write(&file, &page).unwrap();
    if let Ok(out) = Command::new("groff")
        .args(["-man", "-Tutf8", "-ww", "-z"])
        .arg(&file)
        .output()
    {
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// fish, where it is installed, completes verbs and options with their descriptions.
#[test]
fn fish_completion_completes() {
    if Command::new("fish").arg("--version").output().is_err() {
        eprintln!("fish is not installed: its completion is not run");
        return;
    }
    let dir = TempDir::new("fish");
    let file = dir.file("evtutil.fish");
    std::fs::write(&file, stdout(&evtutil(&["completions", "fish"]))).unwrap();
    let complete = |line: &str| {
        let o = Command::new("fish")
            .arg("-c")
            .arg(format!("source '{file}'; complete -C '{line}'"))
            .output()
            .unwrap();
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    assert!(complete("evtutil gl").contains("gli\tPrints a channel's log information"));
    assert!(complete("evtutil qe System /sb").contains("/sbm:\tsave a bookmark"));
    assert!(complete("evtutil eventcreate /s").contains("/so\tthe event's source"));
}

/// Each option's long name does what its short name does, verb by verb: the same output,
/// and for the verbs that change a store, the same store afterwards. (The parser's own
/// test checks that every row is accepted by each name; this runs them.)
#[test]
fn long_names_do_what_short_names_do() {
    let dir = TempDir::new("long-names");
    let same = |short: &[&str], long: &[&str]| {
        let (a, b) = (evtutil(short), evtutil(long));
        assert!(a.status.success(), "{short:?}: {a:?}");
        assert_eq!(stdout(&a), stdout(&b), "{short:?} against {long:?}");
        assert_eq!(a.status.code(), b.status.code());
    };
    let query = "*[System[EventID=7036]]";
    same(
        &[
            "--memory",
            "qe",
            "System",
            &format!("/q:{query}"),
            "/c:2",
            "/rd:true",
            "/f:xml",
            "/e:Events",
        ],
        &[
            "--memory",
            "query-events",
            "System",
            &format!("/query:{query}"),
            "/count:2",
            "/reversedirection:true",
            "/format:xml",
            "/element:Events",
        ],
    );
    same(
        &[
            "--memory",
            "qe",
            "Security",
            "/c:1",
            "/f:RenderedXml",
            "/l:en-US",
        ],
        &[
            "--memory",
            "qe",
            "Security",
            "/count:1",
            "/FORMAT:RenderedXml",
            "/Locale:en-US",
        ],
    );
    // Bookmarks: saved by one name, read by the other.
    let (bm1, bm2) = (dir.file("bm1.xml"), dir.file("bm2.xml"));
    same(
        &["--memory", "qe", "Setup", "/c:3", &format!("/sbm:{bm1}")],
        &[
            "--memory",
            "qe",
            "Setup",
            "/c:3",
            &format!("/savebookmark:{bm2}"),
        ],
    );
    same(
        &["--memory", "qe", "Setup", "/c:2", &format!("/bm:{bm2}")],
        &[
            "--memory",
            "qe",
            "Setup",
            "/c:2",
            &format!("/bookmark:{bm1}"),
        ],
    );
    // A log file and a structured query, by each name.
    let exported = dir.file("setup.evtx");
    same(
        &["--memory", "epl", "Setup", &exported, "/ow:true"],
        &[
            "--memory",
            "export-log",
            "Setup",
            &exported,
            "/overwrite:true",
        ],
    );
    same(
        &["qe", &exported, "/lf:true", "/c:2"],
        &["qe", &exported, "/logfile:true", "/c:2"],
    );
    let list = dir.file("query.xml");
    std::fs::write(
        &list,
        "<QueryList><Query Id='0' Path='Setup'><Select Path='Setup'>*</Select></Query></QueryList>",
    )
    .unwrap();
    same(
        &["--memory", "qe", &list, "/sq:true", "/c:2"],
        &["--memory", "qe", &list, "/structuredquery:true", "/c:2"],
    );
    same(
        &["--memory", "gli", &exported, "/lf:true"],
        &["--memory", "gli", &exported, "/logfile:true"],
    );
    same(
        &[
            "--memory",
            "gp",
            "Microsoft-Windows-Eventlog",
            "/ge:true",
            "/gm:true",
            "/f:xml",
        ],
        &[
            "--memory",
            "get-publisher",
            "Microsoft-Windows-Eventlog",
            "/getevents:true",
            "/getmessage:true",
            "/format:xml",
        ],
    );
    same(
        &["--memory", "gl", "System", "/f:xml"],
        &["--memory", "get-log", "System", "/format:xml"],
    );
    same(
        &["--memory", "al", &exported, "/l:en-US"],
        &["--memory", "archive-log", &exported, "/locale:en-US"],
    );
    // The verbs that change a store: two stores, one changed by short names, one by long
    // names, compared through what they print afterwards.
    let stores = [dir.file("short"), dir.file("long")];
    let in_store = |i: usize, args: &[&str]| {
        let mut all = vec!["--store", stores[i].as_str()];
        all.extend_from_slice(args);
        let o = evtutil(&all);
        assert!(o.status.success(), "{all:?}: {o:?}");
        o
    };
    let config = dir.file("setup-config.xml");
    let moved = [dir.file("short-setup.evtx"), dir.file("long-setup.evtx")];
    in_store(
        0,
        &[
            "sl",
            "Setup",
            "/e:true",
            "/i:application",
            "/rt:true",
            "/ab:true",
            "/ms:2097152",
            "/l:4",
            "/k:0x20",
            "/ca:O:BAG:SYD:(A;;0x1;;;WD)",
            &format!("/lfn:{}", moved[0]),
        ],
    );
    in_store(
        1,
        &[
            "set-log",
            "Setup",
            "/enabled:true",
            "/isolation:application",
            "/retention:true",
            "/autobackup:true",
            "/maxsize:2097152",
            "/level:4",
            "/keywords:0x20",
            "/channelaccess:O:BAG:SYD:(A;;0x1;;;WD)",
            &format!("/logfilename:{}", moved[1]),
        ],
    );
    let gl = |i: usize| stdout(&in_store(i, &["gl", "Setup"])).replace(&moved[i], "MOVED");
    assert_eq!(gl(0), gl(1));
    assert!(gl(0).contains("maxSize: 2097152"), "{}", gl(0));
    std::fs::write(
        &config,
        stdout(&in_store(0, &["gl", "Application", "/f:xml"]))
            .replace("<maxSize>20971520</maxSize>", "<maxSize>3145728</maxSize>"),
    )
    .unwrap();
    in_store(0, &["sl", &format!("/c:{config}")]);
    in_store(1, &["sl", &format!("/config:{config}")]);
    assert_eq!(
        stdout(&in_store(0, &["gl", "Application"])),
        stdout(&in_store(1, &["gl", "Application"]))
    );
    let backups = [dir.file("short-bu.evtx"), dir.file("long-bu.evtx")];
    in_store(0, &["cl", "System", &format!("/bu:{}", backups[0])]);
    in_store(
        1,
        &["clear-log", "System", &format!("/backup:{}", backups[1])],
    );
    assert_eq!(
        stdout(&evtutil(&["qe", &backups[0], "/lf:true"])),
        stdout(&evtutil(&["qe", &backups[1], "/lf:true"]))
    );
    let manifest = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/manifests/evtlog-test.man"
    );
    in_store(
        0,
        &[
            "im",
            manifest,
            "/rf:/opt/r.dll",
            "/mf:/opt/m.dll",
            "/pf:/opt/p.dll",
        ],
    );
    in_store(
        1,
        &[
            "install-manifest",
            manifest,
            "/resourceFilePath:/opt/r.dll",
            "/messageFilePath:/opt/m.dll",
            "/parameterFilePath:/opt/p.dll",
        ],
    );
    let gp = |i: usize| stdout(&in_store(i, &["gp", "Evtlog-Test-Provider"]));
    assert_eq!(gp(0), gp(1));
    assert!(gp(0).contains("/opt/m.dll"), "{}", gp(0));
    // eventcreate has one name per option; the global options by each name.
    let computers = format!("DC1={}", dir.file("dc1"));
    let env = [("EVTLOG_COMPUTERS", computers.as_str())];
    let a = run(
        &[
            "el",
            "/r:DC1",
            "/u:bob",
            "/p:pw",
            "/a:Kerberos",
            "/uni:true",
        ],
        &env,
        None,
    );
    let b = run(
        &[
            "enum-logs",
            "/remote:DC1",
            "/username:bob",
            "/password:pw",
            "/authentication:Kerberos",
            "/unicode:true",
        ],
        &env,
        None,
    );
    assert!(a.status.success(), "{a:?}");
    assert_eq!(a.stdout, b.stdout);
}
