//! evtutil as a user runs it: the built binary, its stdout, stderr and exit status.

use std::path::PathBuf;
use std::process::{Command, Output};

use evtlog::Event;

// EVTX files evtlog writes, shared with the library's tests.
#[path = "../../tests/support/evtx.rs"]
mod evtx;
#[path = "../../tests/support/temp.rs"]
mod temp;

/// evtutil on the embedded default events in memory (`--memory`), or on the `--store` given.
fn evtutil(args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_evtutil"));
    if !args.iter().any(|a| a.starts_with("--store")) {
        command.arg("--memory");
    }
    command
        .args(args)
        .env_remove("EVTLOG_STORE")
        .output()
        .expect("evtutil runs")
}

/// evtutil as a user runs it: no store option, the data directory `data`.
fn evtutil_at_home(data: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evtutil"))
        .args(args)
        .env_remove("EVTLOG_STORE")
        .env("XDG_DATA_HOME", data)
        .output()
        .expect("evtutil runs")
}

/// The default store is persistent (issue 7): created in the data directory and filled
/// with the embedded default events on first use (so the main job prints what `--memory`
/// prints), and a clear is still there on the next run.
#[test]
fn the_default_store_is_persistent() {
    let data = temp_dir("home");
    let main_job = ["qe", "Security", "/c:3", "/rd:true", "/f:xml"];
    let first = evtutil_at_home(&data, &main_job);
    assert!(first.status.success(), "{first:?}");
    assert_eq!(stdout(&first), stdout(&evtutil(&main_job)));
    let store = data.join("evtlog").join("store");
    assert!(store.join("Security.evtx").is_file());
    assert!(store
        .join("Microsoft-Windows-Sysmon%4Operational.evtx")
        .is_file());
    let again = evtutil_at_home(&data, &main_job);
    assert_eq!(
        stdout(&again),
        stdout(&first),
        "the second run reads the files"
    );
    let cleared = evtutil_at_home(&data, &["cl", "Setup"]);
    assert!(cleared.status.success(), "{cleared:?}");
    assert_eq!(stdout(&evtutil_at_home(&data, &["qe", "Setup"])), "");
    assert!(!stdout(&evtutil(&["qe", "Setup", "/c:1"])).is_empty());
    let no_home = Command::new(env!("CARGO_BIN_EXE_evtutil"))
        .args(["qe", "Setup"])
        .env_remove("EVTLOG_STORE")
        .env_remove("XDG_DATA_HOME")
        .env_remove("HOME")
        .output()
        .unwrap();
    assert_eq!(no_home.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&no_home.stderr).contains("--memory"));
    let both = evtutil(&["--store", "/tmp/x", "--memory", "qe", "Setup"]);
    assert_eq!(both.status.code(), Some(2), "{both:?}");
    let _ = std::fs::remove_dir_all(&data);
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 output")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("evtutil-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The README's main command: three newest Security events, one XML event per line.
#[test]
fn qe_security_newest_three_as_xml() {
    let o = evtutil(&["qe", "Security", "/c:3", "/rd:true", "/f:xml"]);
    assert!(o.status.success(), "{o:?}");
    let text = stdout(&o);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3);
    let ids: Vec<u64> = lines
        .iter()
        .map(|l| Event::from_xml(l).unwrap().system.event_record_id.unwrap())
        .collect();
    assert_eq!(ids, [6000, 5999, 5998]);
    for line in lines {
        assert!(line.starts_with("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Security-Auditing'"));
        assert!(line.ends_with("</Event>"));
        assert!(line.contains("<Channel>Security</Channel>"));
    }
}

#[test]
fn qe_is_deterministic_and_forward_by_default() {
    let a = stdout(&evtutil(&["qe", "System", "/c:5"]));
    let b = stdout(&evtutil(&["qe", "system", "-count:5"]));
    assert_eq!(
        a, b,
        "same store on every run; channel names are case-insensitive"
    );
    let ids: Vec<u64> = a
        .lines()
        .map(|l| Event::from_xml(l).unwrap().system.event_record_id.unwrap())
        .collect();
    assert_eq!(ids, [1, 2, 3, 4, 5]);
}

#[test]
fn qe_text_layout() {
    let o = evtutil(&["qe", "Security", "/c:2", "/f:text"]);
    assert!(o.status.success());
    let text = stdout(&o);
    assert!(text.starts_with("Event[0]:\n  Log Name: Security\n  Source: Microsoft-Windows-Security-Auditing\n  Date: 2024-01-"), "{text}");
    assert!(text.contains("\nEvent[1]:\n"));
    for field in [
        "Event ID: ",
        "Task: ",
        "Level: ",
        "Opcode: ",
        "Keyword: Audit",
        "User: ",
        "User Name: ",
        "Computer: ",
        "Description: ",
    ] {
        assert!(text.contains(&format!("  {field}")), "missing {field}");
    }
}

#[test]
fn qe_element_wraps_output() {
    let text = stdout(&evtutil(&["qe", "Setup", "/c:2", "/e:Events"]));
    assert!(text.starts_with("<Events><Event "));
    assert!(text.trim_end().ends_with("</Event></Events>"));
}

#[test]
fn el_lists_channels_sorted() {
    let text = stdout(&evtutil(&["el"]));
    assert_eq!(
        text.lines().collect::<Vec<_>>(),
        [
            "Application",
            "ForwardedEvents",
            "Microsoft-Windows-Sysmon/Operational",
            "Security",
            "Setup",
            "System"
        ]
    );
}

#[test]
fn unknown_channel_fails_with_windows_message() {
    let o = evtutil(&["qe", "NoSuchLog"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("Failed to read events. The specified channel could not be found."),
        "{err}"
    );
    assert!(err.contains("15007"));
}

#[test]
fn usage_errors_exit_2_with_usage() {
    for args in [
        &["qe", "Security", "/c:0"][..],
        &["qe", "Security", "/bogus:1"],
        &["qe"],
        &["frob"],
        &["qe", "Security", "/f:yaml"],
    ] {
        let o = evtutil(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("Usage: evtutil"),
            "{args:?}"
        );
    }
    let o = evtutil(&["/?"]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("qe (query-events)"));
}

#[test]
fn directory_store_is_created_on_first_use_and_reloaded() {
    let dir = temp_dir("store");
    let dir_s = dir.to_str().unwrap();
    let first = evtutil(&[
        "--store",
        dir_s,
        "qe",
        "Microsoft-Windows-Sysmon/Operational",
        "/c:4",
        "/rd:true",
    ]);
    assert!(first.status.success(), "{first:?}");
    assert!(dir
        .join("Microsoft-Windows-Sysmon%4Operational.evtx")
        .is_file());
    assert!(dir.join("Security.evtx").is_file());
    let embedded = evtutil(&[
        "qe",
        "Microsoft-Windows-Sysmon/Operational",
        "/c:4",
        "/rd:true",
    ]);
    assert_eq!(
        stdout(&first),
        stdout(&embedded),
        "a fresh store holds the default channels"
    );
    // Second use loads the files, through the environment variable this time.
    let second = Command::new(env!("CARGO_BIN_EXE_evtutil"))
        .args([
            "qe",
            "Microsoft-Windows-Sysmon/Operational",
            "/c:4",
            "/rd:true",
        ])
        .env("EVTLOG_STORE", dir_s)
        .output()
        .unwrap();
    assert_eq!(stdout(&second), stdout(&embedded));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_store_file_with_a_bad_line_names_file_line_and_column() {
    let dir = temp_dir("bad");
    std::fs::create_dir_all(&dir).unwrap();
    let good = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='App'/><EventID>1</EventID></System></Event>";
    std::fs::write(
        dir.join("MyApp%4Admin.xml"),
        format!("{good}\n\n{good}\n<Event><System><EventID>x</EventID></System></Event>\n"),
    )
    .unwrap();
    let o = evtutil(&["--store", dir.to_str().unwrap(), "qe", "MyApp/Admin"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("MyApp%4Admin.xml:4:16:"), "{err}");
    assert!(
        err.contains("not well-formed") || err.contains("not a number"),
        "{err}"
    );
    std::fs::write(dir.join("MyApp%4Admin.xml"), format!("{good}\n{good}\n")).unwrap();
    let o = evtutil(&[
        "--store",
        dir.to_str().unwrap(),
        "qe",
        "myapp/admin",
        "/f:xml",
    ]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o).lines().count(), 2);
    assert!(stdout(&o).contains("<EventRecordID>2</EventRecordID><Channel>MyApp/Admin</Channel>"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn closed_pipe_is_not_an_error() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_evtutil"))
        .args(["--memory", "qe", "Security"])
        .env_remove("EVTLOG_STORE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap(); // then drop: closes the pipe
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(status.success(), "{status:?} {err}");
    assert!(err.is_empty(), "{err}");
}

fn events_of(o: &Output) -> Vec<Event> {
    stdout(o)
        .lines()
        .map(|l| Event::from_xml(l).unwrap())
        .collect()
}

/// `/q` keeps exactly the events the filter selects, in channel order.
#[test]
fn qe_with_xpath_query() {
    let all = events_of(&evtutil(&["qe", "Security"]));
    let query =
        "*[System[(EventID=4624 or EventID=4625)] and EventData[Data[@Name='LogonType']=3]]";
    let filter = evtlog::XPathFilter::compile(query).unwrap();
    let expected: Vec<u64> = all
        .iter()
        .filter(|e| filter.matches(e, evtlog::FileTime::default()))
        .map(|e| e.system.event_record_id.unwrap())
        .collect();
    assert!(expected.len() > 10, "the default store has network logons");
    let o = evtutil(&["qe", "Security", &format!("/q:{query}")]);
    assert!(o.status.success(), "{o:?}");
    let got: Vec<u64> = events_of(&o)
        .iter()
        .map(|e| e.system.event_record_id.unwrap())
        .collect();
    assert_eq!(got, expected);
}

#[test]
fn qe_with_an_invalid_query_names_the_position() {
    let o = evtutil(&["qe", "Security", "/q:*[System[EventID=]]"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("Failed to read events. The specified query is invalid."),
        "{err}"
    );
    assert!(
        err.contains("position 18") && err.contains("15021") && err.contains("(15001)"),
        "{err}"
    );
}

/// `/sq:true`: a QueryList over two channels, with a Suppress, merged by time.
#[test]
fn qe_with_structured_query_merges_channels_by_time() {
    let dir = temp_dir("sq");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("query.xml");
    std::fs::write(
        &file,
        r#"<QueryList>
  <Query Id="0" Path="Security">
    <Select>*[System[EventID=4624]]</Select>
    <Suppress>*[EventData[Data[@Name='LogonType']=5]]</Suppress>
    <Select Path="System">*[System[Provider[@Name='Service Control Manager']]]</Select>
  </Query>
</QueryList>"#,
    )
    .unwrap();
    for reverse in ["false", "true"] {
        let o = evtutil(&[
            "qe",
            file.to_str().unwrap(),
            "/sq:true",
            "/c:200",
            &format!("/rd:{reverse}"),
        ]);
        assert!(o.status.success(), "{o:?}");
        let events = events_of(&o);
        assert_eq!(events.len(), 200);
        let channels: std::collections::BTreeSet<_> = events
            .iter()
            .map(|e| e.system.channel.clone().unwrap())
            .collect();
        assert_eq!(channels.len(), 2, "both channels appear");
        for e in &events {
            match e.system.channel.as_deref() {
                Some("Security") => {
                    assert_eq!(e.system.event_id, 4624);
                    let logon_type = e.event_data().unwrap().get("LogonType").unwrap().to_text();
                    assert_ne!(logon_type, "5", "suppressed");
                }
                _ => assert_eq!(
                    e.system.provider.name.as_deref(),
                    Some("Service Control Manager")
                ),
            }
        }
        let times: Vec<_> = events
            .iter()
            .map(|e| e.system.time_created.unwrap())
            .collect();
        let mut sorted = times.clone();
        sorted.sort();
        if reverse == "true" {
            sorted.reverse();
        }
        assert_eq!(times, sorted, "merged in time order (reverse: {reverse})");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn structured_query_errors_are_reported() {
    let dir = temp_dir("sqbad");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.xml");
    std::fs::write(&file, "<QueryList>\n  <Query Id='0' Path='Security'>\n    <Select>*[System[EventID=]]</Select>\n  </Query>\n</QueryList>").unwrap();
    let o = evtutil(&["qe", file.to_str().unwrap(), "/sq:true"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("line 3, column 30"), "{err}"); // 12 characters before the XPath, then its 18th
    let o = evtutil(&["qe", "Security", "/sq:true"]);
    assert_eq!(o.status.code(), Some(1), "Security is not a file");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `qe FILE.evtx /lf:true`: a real log file as the source, with /q, /c and /rd as for channels.
#[test]
fn qe_reads_an_evtx_file() {
    // An Application log evtlog writes, its record ids 426-442.
    let mut events = evtx::generated(17, evtlog::Profile::Application, 17);
    for (id, e) in (426..).zip(&mut events) {
        e.system.event_record_id = Some(id);
    }
    let file = evtx::write("cli-qe", &events);
    let file = file.path();
    let o = evtutil(&["qe", file, "/lf:true"]);
    assert!(o.status.success(), "{o:?}");
    let ids: Vec<u64> = events_of(&o)
        .iter()
        .map(|e| e.system.event_record_id.unwrap())
        .collect();
    assert_eq!(ids, (426..=442).collect::<Vec<_>>());
    let o = evtutil(&["qe", file, "/lf:true", "/c:2", "/rd:true"]);
    let ids: Vec<u64> = events_of(&o)
        .iter()
        .map(|e| e.system.event_record_id.unwrap())
        .collect();
    assert_eq!(ids, [442, 441]);
    let o = evtutil(&["qe", file, "/lf", "/q:*[System[EventID=99999]]"]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "EventID is 16-bit: 15038 behind 15001"
    );
    let o = evtutil(&["qe", "/no/such/file.evtx", "/lf:true"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("(2)"));
}

/// A log file's query or export needs no store: with the store a directory that does not
/// exist (`--store`, `EVTLOG_STORE`), an empty data directory, or none at all, it runs and
/// creates nothing; a verb on channels then creates the store (so the check can fail).
#[test]
fn a_log_file_needs_no_store() {
    let events = evtx::generated(23, evtlog::Profile::System, 5);
    let file = evtx::write("cli-no-store", &events);
    let file = file.path();
    let out = temp::TempDir::new("cli-no-store-out");
    let store = temp_dir("unused-store");
    let store_s = store.to_str().unwrap();
    let home = temp::TempDir::new("cli-no-store-home");
    let epl = ["epl", file, &out.file("copy.evtx"), "/lf:true", "/ow:true"];
    let queries: [&[&str]; 4] = [
        &["qe", file, "/lf:true"],
        &["qe", file, "/lf:true", "/f:text", "/c:1"],
        &["qe", file, "/lf", "/rd:true", "/q:*[System[EventID>0]]"],
        &epl,
    ];
    let run = |args: &[&str], store: Option<&str>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_evtutil"));
        command
            .args(args)
            .env_remove("EVTLOG_STORE")
            .env_remove("XDG_DATA_HOME")
            .env("HOME", home.path());
        if let Some(store) = store {
            command.env("EVTLOG_STORE", store);
        }
        command.output().expect("evtutil runs")
    };
    for args in queries {
        let with_option = [&["--store", store_s][..], args].concat();
        for o in [
            run(&with_option, None),
            run(args, Some(store_s)),
            run(args, None),
        ] {
            assert!(o.status.success(), "{args:?}: {o:?}");
            if args[0] == "qe" {
                assert!(!o.stdout.is_empty(), "{args:?}");
            }
        }
        assert!(!store.exists(), "{args:?} made the store");
        assert!(home.names().is_empty(), "{args:?} wrote {:?}", home.names());
    }
    let no_home = Command::new(env!("CARGO_BIN_EXE_evtutil"))
        .args(["qe", file, "/lf:true"])
        .env_remove("EVTLOG_STORE")
        .env_remove("XDG_DATA_HOME")
        .env_remove("HOME")
        .output()
        .unwrap();
    assert!(no_home.status.success(), "{no_home:?}");
    assert_eq!(events_of(&no_home).len(), 5);
    let el = run(&["el"], Some(store_s));
    assert!(el.status.success(), "{el:?}");
    assert!(store.join("Security.evtx").is_file());
    let _ = std::fs::remove_dir_all(&store);
}

/// A log file's `timediff()` measures from the present, as on Windows (no store's clock).
#[test]
fn timediff_over_a_log_file_measures_from_now() {
    use evtlog::Clock;
    let now = evtlog::SystemClock.now().0;
    let mut events = evtx::generated(29, evtlog::Profile::Application, 3);
    // Ten days ago, two hours ago, a minute ago.
    for (e, ago_ms) in events.iter_mut().zip([864_000_000u64, 7_200_000, 60_000]) {
        e.system.time_created = Some(evtlog::FileTime(now - ago_ms * 10_000));
    }
    let file = evtx::write("cli-timediff", &events);
    let within = |ms: u64| {
        let query = format!("/q:*[System[TimeCreated[timediff(@SystemTime) <= {ms}]]]");
        let o = evtutil(&["qe", file.path(), "/lf:true", &query]);
        assert!(o.status.success(), "{o:?}");
        events_of(&o)
            .iter()
            .map(|e| e.system.event_record_id.unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(within(3_600_000), [3], "the last hour");
    assert_eq!(within(86_400_000), [2, 3], "the last day");
    assert_eq!(within(30 * 86_400_000), [1, 2, 3], "the last month");
}

/// A store's `timediff()` measures from its newest event (the latest of each channel's last
/// record), in memory and in a directory store alike, so a query answers the same on every run.
#[test]
fn timediff_over_a_store_measures_from_its_newest_event() {
    let dir = temp_dir("timediff-store");
    let store = dir.to_string_lossy().into_owned();
    let channels = stdout(&evtutil(&["el"]));
    let newest = channels
        .lines()
        .filter_map(|c| {
            let last = events_of(&evtutil(&["qe", c, "/rd:true", "/c:1"]));
            Some((last.first()?.system.time_created?, c.to_owned()))
        })
        .max()
        .expect("the default store has events");
    let query = "/q:*[System[TimeCreated[timediff(@SystemTime) <= 0]]]";
    for store in [None, Some(store.as_str())] {
        let mut args = vec!["qe", newest.1.as_str(), query];
        if let Some(store) = store {
            args.splice(0..0, ["--store", store]);
        }
        let o = evtutil(&args);
        assert!(o.status.success(), "{o:?}");
        let times: Vec<_> = events_of(&o)
            .iter()
            .map(|e| e.system.time_created.unwrap())
            .collect();
        assert!(
            !times.is_empty() && times.iter().all(|t| *t == newest.0),
            "{times:?}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `/sbm` saves the bookmark of the last event printed (EvtRender(EvtRenderBookmark));
/// `/bm` starts after it (EvtSeek(1, bookmark)), so two runs read
/// on without a gap or a repeat.
#[test]
fn qe_saves_a_bookmark_and_resumes_after_it() {
    let dir = temp_dir("bookmark");
    std::fs::create_dir_all(&dir).unwrap();
    let bm = dir.join("bm.xml");
    let bm = bm.to_str().unwrap();
    let o = evtutil(&["qe", "System", "/c:3", &format!("/sbm:{bm}")]);
    assert!(o.status.success(), "{o:?}");
    let ids: Vec<u64> = events_of(&o)
        .iter()
        .map(|e| e.system.event_record_id.unwrap())
        .collect();
    assert_eq!(ids, [1, 2, 3]);
    assert_eq!(
        std::fs::read_to_string(bm).unwrap(),
        "<BookmarkList>\r\n  <Bookmark Channel='System' RecordId='3' IsCurrent='true'/>\r\n</BookmarkList>"
    );
    // Resume, and move the bookmark on in the same file.
    let o = evtutil(&[
        "qe",
        "System",
        "/c:2",
        &format!("/bm:{bm}"),
        &format!("/sbm:{bm}"),
    ]);
    assert!(o.status.success(), "{o:?}");
    let ids: Vec<u64> = events_of(&o)
        .iter()
        .map(|e| e.system.event_record_id.unwrap())
        .collect();
    assert_eq!(ids, [4, 5]);
    assert!(std::fs::read_to_string(bm)
        .unwrap()
        .contains("RecordId='5' IsCurrent='true'"));
    // Newest first: after the bookmark is older.
    let o = evtutil(&["qe", "System", "/c:2", "/rd:true", &format!("/bm:{bm}")]);
    let ids: Vec<u64> = events_of(&o)
        .iter()
        .map(|e| e.system.event_record_id.unwrap())
        .collect();
    assert_eq!(ids, [4, 3]);
    // A bookmark on the newest event: nothing more to print, and the bookmark stays.
    std::fs::write(
        bm,
        "<BookmarkList><Bookmark Channel=\"system\" RecordId=\"1500\" IsCurrent=\"True\"/></BookmarkList>",
    )
    .unwrap();
    let o = evtutil(&["qe", "System", &format!("/bm:{bm}"), &format!("/sbm:{bm}")]);
    assert!(o.status.success(), "{o:?}");
    assert!(o.stdout.is_empty());
    assert!(std::fs::read_to_string(bm)
        .unwrap()
        .contains("<Bookmark Channel='system' RecordId='1500' IsCurrent='true'/>"));
    // A bookmark on an event that is gone resumes at the nearest one after it.
    std::fs::write(
        bm,
        "<BookmarkList><Bookmark Channel='System' RecordId='0'/></BookmarkList>",
    )
    .unwrap();
    let o = evtutil(&["qe", "System", "/c:1", &format!("/bm:{bm}")]);
    assert_eq!(events_of(&o)[0].system.event_record_id, Some(1));
    // An empty bookmark (never updated) starts at the beginning.
    std::fs::write(bm, "<BookmarkList>\r\n</BookmarkList>").unwrap();
    let o = evtutil(&["qe", "System", "/c:1", &format!("/bm:{bm}")]);
    assert_eq!(events_of(&o)[0].system.event_record_id, Some(1));
    for empty in ["/sbm:", "/bm:"] {
        assert_eq!(
            evtutil(&["qe", "Setup", empty]).status.code(),
            Some(2),
            "{empty}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Bad bookmark XML is 15008 with its line and column; a missing file fails
/// with the OS error; both before anything is printed.
#[test]
fn qe_with_a_bad_bookmark_names_the_position() {
    let dir = temp_dir("bad-bookmark");
    std::fs::create_dir_all(&dir).unwrap();
    let bm = dir.join("bm.xml");
    std::fs::write(
        &bm,
        "<BookmarkList>\r\n  <Bookmark Channel='System' RecordId='12x'/>\r\n</BookmarkList>",
    )
    .unwrap();
    let o = evtutil(&["qe", "System", &format!("/bm:{}", bm.display())]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.starts_with("Failed to read the bookmark file"), "{err}");
    assert!(
        err.contains("RecordId='12x' is not a record number"),
        "{err}"
    );
    assert!(err.contains("(line 2, column 3) (15008)"), "{err}");
    let o = evtutil(&[
        "qe",
        "System",
        &format!("/bm:{}", dir.join("none.xml").display()),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Failed to read the bookmark file"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A bookmark of an .evtx query names the file's absolute path (as JNA observes) and resumes it.
#[test]
fn qe_bookmarks_an_evtx_file_by_absolute_path() {
    let (log, _) = evtx::security_log("cli-bookmark");
    let file = &log.0;
    let dir = temp_dir("evtx-bookmark");
    std::fs::create_dir_all(&dir).unwrap();
    let bm = dir.join("bm.xml");
    let first = evtutil(&[
        "qe",
        file.to_str().unwrap(),
        "/lf:true",
        "/c:4",
        &format!("/sbm:{}", bm.display()),
    ]);
    assert!(first.status.success(), "{first:?}");
    let saved = std::fs::read_to_string(&bm).unwrap();
    assert!(
        saved.contains(&format!("Channel='{}'", file.display())),
        "{saved}"
    );
    let both = evtutil(&["qe", file.to_str().unwrap(), "/lf:true", "/c:6"]);
    let resumed = evtutil(&[
        "qe",
        file.to_str().unwrap(),
        "/lf:true",
        "/c:2",
        &format!("/bm:{}", bm.display()),
    ]);
    let ids = |o: &Output| -> Vec<u64> {
        events_of(o)
            .iter()
            .map(|e| e.system.event_record_id.unwrap())
            .collect()
    };
    assert_eq!([ids(&first), ids(&resumed)].concat(), ids(&both));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `epl`: a channel of the embedded store exported, then read back with `qe /lf:true` as
/// the same events; an existing target needs `/ow:true` (80 without).
#[test]
fn epl_exports_a_channel_that_qe_reads_back() {
    let dir = temp_dir("epl");
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("security.evtx");
    let target = target.to_str().unwrap();
    let query = "/q:*[System[EventID=4624]]";
    let o = evtutil(&["epl", "Security", target, query]);
    assert!(o.status.success(), "{o:?}");
    let exported = evtutil(&["qe", target, "/lf:true"]);
    let direct = evtutil(&["qe", "Security", query]);
    assert!(exported.status.success() && direct.status.success());
    assert!(!stdout(&direct).is_empty());
    assert_eq!(stdout(&exported), stdout(&direct));
    // Again: the target exists.
    let again = evtutil(&["epl", "Security", target]);
    assert!(!again.status.success());
    let message = String::from_utf8_lossy(&again.stderr).into_owned();
    assert!(
        message.starts_with("Failed to export the log.") && message.contains("(80)"),
        "{message}"
    );
    let o = evtutil(&["epl", "Security", target, "/ow:true"]);
    assert!(o.status.success(), "{o:?}");
    // A log file exported again: the same events.
    let copy = dir.join("copy.evtx");
    let copy = copy.to_str().unwrap();
    let o = evtutil(&["epl", target, copy, "/lf:true"]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(
        stdout(&evtutil(&["qe", copy, "/lf:true"])),
        stdout(&evtutil(&["qe", target, "/lf:true"]))
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// `cl /bu:FILE`: a directory store's channel backed up to an .evtx file, then cleared and
/// saved; `qe` of the backup gives the events the channel had.
#[test]
fn cl_backs_up_then_clears_a_directory_store_channel() {
    let dir = temp_dir("cl");
    let store = dir.join("store");
    let store = store.to_str().unwrap();
    let backup = dir.join("setup-backup.evtx");
    let backup = backup.to_str().unwrap();
    let before = evtutil(&["--store", store, "qe", "Setup"]);
    assert!(
        before.status.success() && !stdout(&before).is_empty(),
        "{before:?}"
    );
    let o = evtutil(&["--store", store, "cl", "Setup", &format!("/bu:{backup}")]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(
        stdout(&evtutil(&["qe", backup, "/lf:true"])),
        stdout(&before)
    );
    let after = evtutil(&["--store", store, "qe", "Setup"]);
    assert!(
        after.status.success() && stdout(&after).is_empty(),
        "{after:?}"
    );
    // The backup exists now: a second clear with it fails (80) and clears nothing.
    let again = evtutil(&["--store", store, "cl", "Security", &format!("/bu:{backup}")]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("(80)"));
    assert!(!stdout(&evtutil(&["--store", store, "qe", "Security", "/c:1"])).is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

/// `ep` lists the installed publishers (a store has the default ones, in installation
/// order) and `gp` reads one; an unknown name fails as wevtutil fails, with the Windows
/// error.
#[test]
fn ep_and_gp() {
    let listed = evtutil(&["ep"]);
    assert!(listed.status.success(), "{listed:?}");
    assert_eq!(
        stdout(&listed),
        "Microsoft-Windows-Security-Auditing\nMicrosoft-Windows-Eventlog\n\
         Service Control Manager\nMicrosoft-Windows-Kernel-General\n\
         Microsoft-Windows-Kernel-Power\nMicrosoft-Windows-Time-Service\n\
         Microsoft-Windows-WindowsUpdateClient\nMicrosoft-Windows-DistributedCOM\n\
         Microsoft-Windows-RestartManager\nMicrosoft-Windows-Servicing\n\
         Microsoft-Windows-WUSA\nMicrosoft-Windows-Sysmon\n"
    );
    let scm = evtutil(&["gp", "Service Control Manager"]);
    assert!(scm.status.success(), "{scm:?}");
    assert!(
        stdout(&scm).starts_with("name: Service Control Manager\n"),
        "{scm:?}"
    );
    let missing = evtutil(&["gp", "No-Such-Publisher", "/ge:true", "/gm:true"]);
    assert_eq!(missing.status.code(), Some(1));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(
        err.starts_with("Failed to read publisher metadata for No-Such-Publisher.")
            && err.contains("(15002)"),
        "{err}"
    );
    assert_eq!(evtutil(&["gp"]).status.code(), Some(2));
    assert_eq!(evtutil(&["gp", "X", "/f:json"]).status.code(), Some(2));
    assert_eq!(evtutil(&["ep", "extra"]).status.code(), Some(2));
}

/// `gl`: wevtutil's text layout and its XML, for the classic logs as Windows prints them.
#[test]
fn gl_prints_the_configuration_as_wevtutil_does() {
    let o = evtutil(&["gl", "System"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        stdout(&o),
        "name: System\nenabled: true\ntype: Admin\nowningPublisher: \nisolation: System\n\
         channelAccess: O:BAG:SYD:(A;;0xf0007;;;SY)(A;;0x7;;;BA)(A;;0x3;;;BO)(A;;0x5;;;SO)\
         (A;;0x1;;;IU)(A;;0x3;;;SU)(A;;0x1;;;S-1-5-3)(A;;0x2;;;S-1-5-33)(A;;0x1;;;S-1-5-32-573)\n\
         logging:\n  logFileName: %SystemRoot%\\System32\\Winevt\\Logs\\System.evtx\n\
         \x20 retention: false\n  autoBackup: false\n  maxSize: 20971520\n\
         publishing:\n  fileMax: 1\n"
    );
    let o = evtutil(&["get-log", "security", "/f:xml"]);
    assert_eq!(
        stdout(&o),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<channel name=\"security\" enabled=\"true\" \
         type=\"Admin\" owningPublisher=\"\" isolation=\"Custom\" channelAccess=\"O:BAG:SYD:\
         (A;;0xf0005;;;SY)(A;;0x5;;;BA)(A;;0x1;;;S-1-5-32-573)\" \
         xmlns=\"http://schemas.microsoft.com/win/2004/08/events\">\n<logging>\n\
         <logFileName>%SystemRoot%\\System32\\Winevt\\Logs\\Security.evtx</logFileName>\n\
         <retention>false</retention>\n<autoBackup>false</autoBackup>\n\
         <maxSize>20971520</maxSize>\n</logging>\n<publishing>\n<fileMax>1</fileMax>\n\
         </publishing>\n</channel>\n"
    );
    let o = evtutil(&["gl", "NoSuchLog"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with(
            "Failed to read configuration for log NoSuchLog. The specified channel could not be found."
        ),
        "{err}"
    );
    assert!(err.trim_end().ends_with("(15007)"), "{err}");
}

/// `sl` changes what the next run sees; a bad value fails as wevtutil fails, changing nothing.
#[test]
fn sl_persists_to_the_next_run() {
    let dir = temp_dir("sl-store");
    let store = dir.to_str().unwrap();
    let sl = |args: &[&str]| {
        let mut all = vec!["--store", store, "sl"];
        all.extend_from_slice(args);
        evtutil(&all)
    };
    let gl = |name: &str| stdout(&evtutil(&["--store", store, "gl", name]));
    let o = sl(&[
        "Setup",
        "/ms:5000000",
        "/rt:true",
        "/ab:true",
        "/l:3",
        "/k:0x10",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let text = gl("Setup");
    for line in [
        "  retention: true\n",
        "  autoBackup: true\n",
        "  maxSize: 5046272\n",
        "publishing:\n  level: 3\n  keywords: 0x10\n  fileMax: 1\n",
    ] {
        assert!(text.contains(line), "{line:?} in {text}");
    }
    // A moved file: the next run reads its events there.
    let moved = dir.join("elsewhere");
    std::fs::create_dir_all(&moved).unwrap();
    let file = moved.join("setup.evtx");
    let lfn = format!("/lfn:{}", file.display());
    assert_eq!(sl(&["Setup", &lfn]).status.code(), Some(0));
    assert!(file.is_file() && !dir.join("Setup.evtx").exists());
    assert!(gl("Setup").contains(&format!("  logFileName: {}\n", file.display())));
    let events = evtutil(&["--store", store, "qe", "Setup"]);
    assert_eq!(
        stdout(&events).lines().count(),
        100,
        "every Setup event moved with it"
    );

    // Windows' errors: Enabled of System is fixed (15023); 15007 for no such channel.
    let o = sl(&["System", "/e:false"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("Failed to save configuration or activate log System. Channel property contains an invalid value."),
        "{err}"
    );
    assert!(err.trim_end().ends_with("(15023)"), "{err}");
    assert!(gl("System").contains("enabled: true\n"));
    let o = sl(&["Nope", "/ms:2000000"]);
    assert!(String::from_utf8_lossy(&o.stderr)
        .trim_end()
        .ends_with("(15007)"));
    assert_eq!(
        sl(&["Setup", "/ms:lots"]).status.code(),
        Some(2),
        "a usage error"
    );

    // /c: the document gl /f:xml prints, edited, read back.
    let xml = stdout(&evtutil(&["--store", store, "gl", "Application", "/f:xml"]))
        .replace("<maxSize>20971520</maxSize>", "<maxSize>33554432</maxSize>");
    // Outside the store: a directory holding .xml files is read as a store of XML channels.
    let config = std::env::temp_dir().join(format!("evtutil-sl-config-{}.xml", std::process::id()));
    std::fs::write(&config, xml).unwrap();
    let c = format!("/c:{}", config.display());
    let o = sl(&[&c]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(gl("Application").contains("  maxSize: 33554432\n"));
    assert_eq!(
        sl(&["Application", &c]).status.code(),
        Some(2),
        "/c names the log"
    );
    let _ = std::fs::remove_file(&config);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The test provider's manifest (fixtures/manifests).
fn test_manifest() -> String {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../fixtures/manifests/evtlog-test.man"
    )
    .to_owned()
}

/// `im` installs into the store: the next run lists the provider's channels, the store
/// keeps the manifest (with /rf's path), and `um` removes it but keeps the channels.
#[test]
fn im_installs_a_manifest_that_the_next_run_sees_and_um_removes_it() {
    let dir = temp_dir("im");
    let store = dir.to_string_lossy().into_owned();
    let manifest = test_manifest();
    let installed = evtutil(&[
        "--store",
        &store,
        "im",
        &manifest,
        "/rf:/opt/evtlog/res.dll",
    ]);
    assert!(installed.status.success(), "{installed:?}");
    assert_eq!(stdout(&installed), "");
    let listed = stdout(&evtutil(&["--store", &store, "el"]));
    assert!(
        listed.lines().any(|l| l == "Evtlog-Test-Provider/Admin"),
        "{listed}"
    );
    assert!(listed
        .lines()
        .any(|l| l == "Evtlog-Test-Provider/Operational"));
    // After the twelve default publishers the store installed on its first fill.
    let kept = dir.join("providers/00000013-evtlog-test-provider.man");
    assert_eq!(
        std::fs::read_to_string(&kept).unwrap(),
        std::fs::read_to_string(&manifest).unwrap()
    );
    assert_eq!(
        std::fs::read_to_string(kept.with_extension("files")).unwrap(),
        "resourceFileName=/opt/evtlog/res.dll\n"
    );
    let removed = evtutil(&["--store", &store, "uninstall-manifest", &manifest]);
    assert!(removed.status.success(), "{removed:?}");
    assert!(!kept.exists() && !kept.with_extension("files").exists());
    let listed = stdout(&evtutil(&["--store", &store, "el"]));
    assert!(listed.lines().any(|l| l == "Evtlog-Test-Provider/Admin"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn im_reports_a_manifest_error_with_file_line_and_column() {
    let dir = temp_dir("im-bad");
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.man");
    let text = std::fs::read_to_string(test_manifest())
        .unwrap()
        .replace(r#"value="16" symbol"#, r#"value="7" symbol"#);
    std::fs::write(&bad, text).unwrap();
    let bad = bad.to_string_lossy().into_owned();
    let out = evtutil(&["im", &bad]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.starts_with("Failed to install the manifest."), "{err}");
    assert!(err.contains(&format!("{bad}:")), "{err}");
    assert!(err.contains("(line 29, column 11)"), "{err}");
    assert!(err.contains("(15010)"), "{err}");
    let missing = evtutil(&["im", "/nonexistent/x.man"]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(evtutil(&["im"]).status.code(), Some(2));
    assert_eq!(evtutil(&["im", &bad, "/zz:1"]).status.code(), Some(2));
    // A store of XML channel files keeps no providers: im refuses it.
    std::fs::write(dir.join("Application.xml"), "").unwrap();
    let store = dir.to_string_lossy().into_owned();
    let xml_store = evtutil(&["--store", &store, "im", &test_manifest()]);
    assert_eq!(xml_store.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&xml_store.stderr).contains("XML channel files"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// `/f:RenderedXml` of a classic source with no publisher installed (MsiInstaller): each
/// event as its plain XML (as consumers fall back when the metadata cannot be opened); `/l`
/// takes culture names; a log file is refused with 87, as wevtutil refuses an archived log.
#[test]
fn qe_rendered_xml_without_publishers_and_locale_option() {
    let msi = "/q:*[System[Provider[@Name='MsiInstaller']]]";
    let plain = evtutil(&["qe", "Application", msi, "/c:2", "/f:xml"]);
    assert_eq!(stdout(&plain).lines().count(), 2, "{plain:?}");
    let rendered = evtutil(&[
        "qe",
        "Application",
        msi,
        "/c:2",
        "/f:RenderedXml",
        "/l:fr-FR",
    ]);
    assert!(rendered.status.success(), "{rendered:?}");
    assert_eq!(stdout(&rendered), stdout(&plain));
    let o = evtutil(&["qe", "Security", "/f:renderedxml", "/l:xx-YY"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/l takes a culture name"));
    let o = evtutil(&["qe", "/tmp/none.evtx", "/lf:true", "/f:RenderedXml"]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.starts_with("Failed to read events. The parameter is incorrect."),
        "{err}"
    );
    assert!(err.contains("(87)"), "{err}");
}

/// `al` archives a log file's installed publishers beside it (`/l` a culture name), in the
/// side-car evtlog's EvtOpenPublisherMetadata reads; errors as wevtutil words them.
#[test]
fn al_archives_the_publishers_of_a_log_file() {
    let dir = temp_dir("al");
    std::fs::create_dir_all(&dir).unwrap();
    let store = dir.join("store").to_string_lossy().into_owned();
    let installed = evtutil(&["--store", &store, "im", &test_manifest()]);
    assert!(installed.status.success(), "{installed:?}");
    // A log file of the provider's events, exported by the library.
    let engine = evtlog::Engine::new();
    engine
        .create_channel(evtlog::ChannelConfig::new(
            "Log",
            evtlog::ChannelType::Operational,
        ))
        .unwrap();
    engine
        .write(
            "Log",
            Event::builder("Evtlog-Test-Provider").event_id(400).build(),
        )
        .unwrap();
    let file = dir.join("app.evtx").to_string_lossy().into_owned();
    engine
        .default_session()
        .export_log(Some("Log"), None, &file, evtlog::ExportFlags::default())
        .unwrap();
    let o = evtutil(&["--store", &store, "al", &file, "/l:fr-FR"]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(stdout(&o), "");
    let side_car = dir.join("LocaleMetaData/app_1036.MTA");
    let archived = evtlog::parse_manifest(&std::fs::read_to_string(&side_car).unwrap()).unwrap();
    assert_eq!(archived[0].name, "Evtlog-Test-Provider");
    assert!(archived[0].messages.culture("fr-FR").is_some());
    let o = evtutil(&["--store", &store, "archive-log", &file]);
    assert!(o.status.success(), "{o:?}");
    assert!(dir.join("LocaleMetaData/app_1033.MTA").is_file());

    let missing = dir.join("none.evtx").to_string_lossy().into_owned();
    let o = evtutil(&["al", &missing]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.starts_with("Failed to archive the log."), "{err}");
    assert!(err.contains("(2)"), "{err}");
    assert_eq!(evtutil(&["al"]).status.code(), Some(2));
    assert_eq!(evtutil(&["al", &file, "/l:xx-YY"]).status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The `evtx` crate's sample `samples/dlls/<name>` (a real Windows binary), found through
/// `cargo metadata`; None (the test skips with a notice) where it is not available.
fn sample_dll(name: &str) -> Option<PathBuf> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .ok()?;
    let json = String::from_utf8(out.stdout).ok()?;
    let found = json
        .split("\"manifest_path\":\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter_map(|p| {
            PathBuf::from(p)
                .parent()
                .map(|d| d.join("samples/dlls").join(name))
        })
        .find(|p| {
            p.is_file()
                && p.ancestors()
                    .nth(3)
                    .and_then(|d| d.file_name())
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("evtx-0."))
        });
    if found.is_none() {
        eprintln!("skipped: the evtx crate's samples/dlls/{name} is not available");
    }
    found
}

/// `im /pn /rf` registers a real Windows binary found under EVTLOG_WINDIR; the store keeps
/// it, and the next run formats its events with the binary's strings.
#[test]
fn im_installs_a_provider_from_a_windows_binary_under_evtlog_windir() {
    let Some(dll) = sample_dll("adtschema.dll") else {
        return;
    };
    let dir = temp_dir("im-dll");
    let windows = dir.join("windows");
    std::fs::create_dir_all(windows.join("System32")).unwrap();
    std::fs::copy(&dll, windows.join("System32/adtschema.dll")).unwrap();
    let store = dir.join("store").to_string_lossy().into_owned();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_evtutil"))
            .arg("--store")
            .arg(&store)
            .args(args)
            .env_remove("EVTLOG_STORE")
            .env("EVTLOG_WINDIR", &windows)
            .output()
            .expect("evtutil runs")
    };
    let installed = run(&[
        "im",
        "/pn:Microsoft-Windows-Security-Auditing",
        r"/rf:%SystemRoot%\System32\adtschema.dll",
        "/pg:{54849625-5478-4994-a5ba-3e3b0328c30d}",
    ]);
    assert!(installed.status.success(), "{installed:?}");
    let listed = stdout(&run(&["ep"]));
    assert!(
        listed
            .lines()
            .any(|l| l == "Microsoft-Windows-Security-Auditing"),
        "{listed}"
    );
    let rendered = stdout(&run(&["qe", "Security", "/c:1", "/f:RenderedXml"]));
    assert!(
        rendered.contains("<EventID>4624</EventID>")
            && rendered.contains("<Message>An account was successfully logged on.&#13;&#10;"),
        "{rendered}"
    );
    assert!(rendered.contains("<Task>Logon</Task>"), "{rendered}");
    // Usage: a manifest and /pn do not go together; /pn needs /rf; /pg takes a GUID.
    for args in [
        &["im", "x.man", "/pn:P", "/rf:a.dll"][..],
        &["im", "/pn:P"],
        &["im", "/pn:P", "/rf:a.dll", "/pg:nope"],
    ] {
        assert_eq!(run(args).status.code(), Some(2), "{args:?}");
    }
    // A binary that is not there: the engine's 15100.
    let missing = run(&["im", "/pn:P", r"/rf:%SystemRoot%\System32\none.dll"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("(15100)"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every store has the default publishers: `/f:RenderedXml` formats a generated event with
/// its message, level, task, opcode and keywords from its provider's manifest.
#[test]
fn qe_rendered_xml_formats_events_of_the_default_publishers() {
    let o = evtutil(&["qe", "Security", "/c:1", "/f:RenderedXml"]);
    assert!(o.status.success(), "{o:?}");
    let text = stdout(&o);
    let plain = stdout(&evtutil(&["qe", "Security", "/c:1", "/f:xml"]));
    let (before, rendering) = text.split_once("<RenderingInfo").expect("RenderingInfo");
    assert_eq!(before, plain.trim_end().trim_end_matches("</Event>"));
    assert!(
        rendering.starts_with(
            " Culture='en-US'><Message>An account logged on.&#13;&#10;&#13;&#10;Subject: -\\- (S-1-0-0)"
        ),
        "{rendering}"
    );
    assert!(
        rendering.contains("Impersonation level: Impersonation."),
        "{rendering}"
    );
    assert!(rendering.ends_with(
        "<Level>Information</Level><Task>Logon</Task><Opcode>Info</Opcode>\
         <Channel>Security</Channel><Provider>Security auditing events, as evtlog emulates them.</Provider>\
         <Keywords><Keyword>Audit Success</Keyword></Keywords></RenderingInfo></Event>\n"
    ));
}

/// Every file of `dir` (recursively) and its bytes.
fn files_of(dir: &std::path::Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    let mut files = std::collections::BTreeMap::new();
    let mut left = vec![dir.to_owned()];
    while let Some(dir) = left.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                left.push(path);
            } else {
                let bytes = std::fs::read(&path).unwrap();
                files.insert(path, bytes);
            }
        }
    }
    files
}

/// An existing store opens as it is: `el`, `gl` and a query generate no events and write
/// nothing (byte for byte); a store made before the default publishers gets them only from
/// a verb that reads publishers (`ep`), not from `el` or a query.
#[test]
fn an_existing_store_opens_without_writing() {
    let dir = temp_dir("existing-store");
    let store = dir.to_string_lossy().into_owned();
    let first = evtutil(&["--store", &store, "el"]);
    assert!(first.status.success(), "{first:?}");
    assert_eq!(
        stdout(&first),
        stdout(&evtutil(&["el"])),
        "made on first use"
    );
    let made = files_of(&dir);
    assert!(made.contains_key(&dir.join("Security.evtx")));
    let security = stdout(&evtutil(&["qe", "Security", "/c:2", "/rd:true"]));
    let reading: [&[&str]; 4] = [
        &["el"],
        &["gl", "Security"],
        &["qe", "Security", "/c:2", "/rd:true"],
        &["ep"],
    ];
    for args in reading {
        let o = evtutil(&[&["--store", store.as_str()][..], args].concat());
        assert!(o.status.success(), "{args:?}: {o:?}");
        if args[0] == "qe" {
            assert_eq!(stdout(&o), security);
        }
        assert!(files_of(&dir) == made, "{args:?} changed the store");
    }
    // Made older: no providers/.
    std::fs::remove_dir_all(dir.join("providers")).unwrap();
    let older = files_of(&dir);
    for args in &reading[..3] {
        let o = evtutil(&[&["--store", store.as_str()][..], args].concat());
        assert!(o.status.success(), "{args:?}: {o:?}");
        let gl = args[0] == "gl";
        // gl prints the channel's owning publisher: it reads publishers.
        assert_eq!(files_of(&dir) == older, !gl, "{args:?}");
        if gl {
            std::fs::remove_dir_all(dir.join("providers")).unwrap();
        }
    }
    let ep = evtutil(&["--store", &store, "ep"]);
    assert_eq!(stdout(&ep).lines().count(), 12, "{ep:?}");
    assert_eq!(
        files_of(&dir),
        made,
        "ep installs them as the first use did"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A store made before the default publishers existed (no `providers/`) gets them on open,
/// once; a default publisher uninstalled with `um` then stays uninstalled.
#[test]
fn an_older_store_gets_the_default_publishers_once() {
    let dir = temp_dir("older-store");
    let store = dir.to_string_lossy().into_owned();
    assert!(evtutil(&["--store", &store, "qe", "Setup", "/c:1"])
        .status
        .success());
    let providers = dir.join("providers");
    assert_eq!(std::fs::read_dir(&providers).unwrap().count(), 12);
    std::fs::remove_dir_all(&providers).unwrap();
    let listed = stdout(&evtutil(&["--store", &store, "ep"]));
    assert_eq!(listed.lines().count(), 12, "{listed}");
    assert_eq!(std::fs::read_dir(&providers).unwrap().count(), 12);
    let wusa = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../src/gen/manifests/Microsoft-Windows-WUSA.man");
    let removed = evtutil(&["--store", &store, "um", &wusa.to_string_lossy()]);
    assert!(removed.status.success(), "{removed:?}");
    let listed = stdout(&evtutil(&["--store", &store, "ep"]));
    assert_eq!(listed.lines().count(), 11, "{listed}");
    assert!(!listed.lines().any(|l| l == "Microsoft-Windows-WUSA"));
    let _ = std::fs::remove_dir_all(&dir);
}
