//! `qe /f:json` and `/f:jsonl` against the evtx crate's JSON: its `evtx_dump` 0.15.1 on every
//! real sample (content equal, record by record), its own snapshot files, and the framing.
//!
//! `evtx_dump` is `$EVTLOG_EVTX_DUMP` (an absolute path), else `target/tools/bin/evtx_dump` in
//! the workspace (CI builds it there). Without it the comparisons are skipped, each saying so on stderr, unless
//! `EVTLOG_REQUIRE_EVTX_DUMP=1`, when they fail.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

#[path = "../../tests/support/samples.rs"]
mod samples;
#[path = "../../tests/support/temp.rs"]
mod temp;

const EVTX_DUMP_ENV: &str = "EVTLOG_EVTX_DUMP";
const REQUIRE_EVTX_DUMP_ENV: &str = "EVTLOG_REQUIRE_EVTX_DUMP";

fn evtutil(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evtutil"))
        .args(args)
        .env_remove("EVTLOG_STORE")
        .output()
        .expect("evtutil runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("UTF-8 output")
}

/// The evtx crate's `evtx_dump`, or `None` (the test is skipped, and says so).
fn evtx_dump() -> Option<PathBuf> {
    let path = match std::env::var_os(EVTX_DUMP_ENV) {
        Some(path) => PathBuf::from(path),
        None => {
            let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
            let root = manifest
                .ancestors()
                .find(|d| d.join("Cargo.lock").is_file())
                .unwrap_or(manifest);
            root.join("target/tools/bin/evtx_dump")
        }
    };
    if path.is_file() {
        return Some(path);
    }
    let required = std::env::var_os(REQUIRE_EVTX_DUMP_ENV).is_some_and(|v| v == "1");
    assert!(
        !required,
        "evtx_dump is not at {} ({REQUIRE_EVTX_DUMP_ENV}=1): build it with `cargo install evtx \
         --locked --version 0.15.1 --root target/tools` or set {EVTX_DUMP_ENV}",
        path.display()
    );
    // Straight to the stream: the harness shows captured output only for failures.
    let _ = writeln!(
        std::io::stderr(),
        "skipped: needs the evtx crate's evtx_dump 0.15.1, not found at {} (set {EVTX_DUMP_ENV})",
        path.display()
    );
    None
}

/// `evtx_dump -o jsonl FILE`, one thread, parsed line by line.
fn evtx_dump_jsonl(dump: &Path, file: &Path) -> Vec<Value> {
    let output = Command::new(dump)
        .args(["-t", "1", "-o", "jsonl"])
        .arg(file)
        .output()
        .expect("evtx_dump runs");
    assert!(
        output.status.success(),
        "evtx_dump {}: {output:?}",
        file.display()
    );
    lines(&stdout(&output), "evtx_dump")
}

/// `evtutil qe FILE /lf:true /f:jsonl`, parsed line by line.
fn evtutil_jsonl(file: &Path) -> Vec<Value> {
    let file = file.to_str().unwrap();
    let output = evtutil(&["qe", file, "/lf:true", "/f:jsonl"]);
    assert!(output.status.success(), "evtutil qe {file}: {output:?}");
    lines(&stdout(&output), "evtutil")
}

fn lines(text: &str, who: &str) -> Vec<Value> {
    text.lines()
        .enumerate()
        .map(|(i, line)| {
            serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("{who}'s line {} is not JSON: {e}: {line}", i + 1))
        })
        .collect()
}

/// GUIDs in braces lowercased, wherever they are in `v` (a System): evtlog's System holds GUIDs, which it
/// writes lowercase (docs fidelity table, "GUID case"), where the evtx crate keeps the case
/// of a Provider/@Guid that a template holds as text (classic events' templates do).
fn lowercase_guids(v: &mut Value) -> bool {
    match v {
        Value::String(s) => {
            let is_guid = s.len() == 38
                && s.starts_with('{')
                && s.ends_with('}')
                && s[1..37].bytes().all(|b| b.is_ascii_hexdigit() || b == b'-');
            if is_guid && s.bytes().any(|b| b.is_ascii_uppercase()) {
                *s = s.to_ascii_lowercase();
                return true;
            }
            false
        }
        Value::Array(items) => items.iter_mut().fold(false, |c, v| lowercase_guids(v) | c),
        Value::Object(map) => map.values_mut().fold(false, |c, v| lowercase_guids(v) | c),
        _ => false,
    }
}

fn system(event: &mut Value) -> &mut serde_json::Map<String, Value> {
    event["Event"]["System"]
        .as_object_mut()
        .expect("Event.System is an object")
}

/// A record the two outputs differ on, for a reason evtlog's model explains, and how to
/// compare it all the same. Both are records out of the ordinary: evtx_dump writes no
/// EventRecordID for them, or one as text.
struct Exception {
    file: &'static str,
    why: &'static str,
    /// Makes the two equal where the reason says they differ, asserting that they do.
    fix: fn(evtx: &mut Value, ours: &mut Value),
}

const EXCEPTIONS: &[Exception] = &[
    Exception {
        file: "evtx-crate/MSExchange_Management_wec.evtx",
        why: "a forwarded record without templates holds its System values as text: the evtx \
              crate writes them as strings and TimeCreated with the record's 9 fractional \
              digits; evtlog's System is typed (numbers, its own 7-digit FILETIME)",
        fix: |evtx, ours| {
            let stringify = |v: &mut Value| {
                if let Value::Number(n) = v {
                    *v = Value::String(n.to_string());
                }
            };
            for sys in [system(evtx), system(ours)] {
                for (_, v) in sys.iter_mut() {
                    stringify(v);
                    if let Some(attrs) = v.get_mut("#attributes").and_then(Value::as_object_mut) {
                        attrs.values_mut().for_each(stringify);
                    }
                    if let Some(text) = v.get_mut("#text") {
                        stringify(text);
                    }
                }
            }
            let time = &mut system(evtx)["TimeCreated"]["#attributes"]["SystemTime"];
            let text = time.as_str().expect("SystemTime text").to_owned();
            assert_eq!(text.len(), 30, "9 fractional digits: {text}");
            *time = Value::String(format!("{}Z", &text[..27]));
        },
    },
    Exception {
        file: "evtx-crate/sample_with_a_bad_chunk_magic.evtx",
        why: "a damaged record (no EventRecordID) whose <TimeCreated/> and <Execution/> are \
              empty: the evtx crate writes null for them; evtlog's typed System holds no \
              TimeCreated and an Execution of 0 and 0",
        fix: |evtx, ours| {
            assert_eq!(system(evtx).remove("TimeCreated"), Some(Value::Null));
            assert_eq!(system(evtx).remove("Execution"), Some(Value::Null));
            assert_eq!(system(ours).remove("TimeCreated"), None);
            system(ours).remove("Execution");
        },
    },
];

/// Every real sample: `evtutil qe FILE /lf:true /f:jsonl` and `evtx_dump -o jsonl FILE` hold
/// the same records in the same order, equal as JSON values, but for GUID case and the
/// records of [`EXCEPTIONS`], each met exactly once.
#[test]
fn jsonl_equals_evtx_dump_on_every_real_sample() {
    let Some(samples) = samples::samples() else {
        return;
    };
    let Some(dump) = evtx_dump() else {
        return;
    };
    let mut files: Vec<PathBuf> = ["evtx-crate", "python-evtx", "plaso"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(samples.dir().join(dir)).expect("sample folder"))
        .map(|entry| entry.expect("folder entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "evtx"))
        .collect();
    files.sort();
    assert!(files.len() >= 17, "the samples INDEX.md lists: {files:?}");
    let mut met = vec![0; EXCEPTIONS.len()];
    let mut report = String::new();
    for file in &files {
        let name = file
            .strip_prefix(samples.dir())
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let theirs = evtx_dump_jsonl(&dump, file);
        let ours = evtutil_jsonl(file);
        assert_eq!(
            ours.len(),
            theirs.len(),
            "{name}: evtutil printed {} records, evtx_dump {}",
            ours.len(),
            theirs.len()
        );
        let mut guid_case = 0;
        for (i, (mut evtx, mut mine)) in theirs.into_iter().zip(ours).enumerate() {
            if evtx == mine {
                continue;
            }
            let unusual = evtx["Event"]["System"]
                .get("EventRecordID")
                .is_none_or(Value::is_string);
            let exception = EXCEPTIONS.iter().position(|x| x.file == name && unusual);
            if let Some(at) = exception {
                met[at] += 1;
                (EXCEPTIONS[at].fix)(&mut evtx, &mut mine);
            }
            let system_guids = |e: &mut Value| lowercase_guids(&mut e["Event"]["System"]);
            if system_guids(&mut evtx) | system_guids(&mut mine) {
                guid_case += 1;
            }
            assert_eq!(
                mine,
                evtx,
                "{name}, record {} (EventRecordID {}): evtutil's JSON (left) differs from \
                 evtx_dump's (right)",
                i + 1,
                evtx["Event"]["System"]["EventRecordID"]
            );
        }
        report.push_str(&format!(
            "{name}: equal; {guid_case} records differ only in the case of System's GUIDs\n"
        ));
    }
    for (x, n) in EXCEPTIONS.iter().zip(&met) {
        assert_eq!(
            *n, 1,
            "the exception for {} ({}) was met {n} times, not once",
            x.file, x.why
        );
    }
    let _ = write!(std::io::stderr(), "{report}");
}

/// The evtx crate's own expected JSON (its snapshot tests, shipped in its package) for
/// records of the samples: evtutil writes the same values.
#[test]
fn json_matches_the_evtx_crates_snapshots() {
    let Some(samples) = samples::samples() else {
        return;
    };
    let cases = [
        (
            "test_record_samples__event_json_sample.snap",
            "evtx-crate/security.evtx",
        ),
        (
            "test_record_samples__event_json_sample_with_event_data_with_attributes_and_text.snap",
            "evtx-crate/system.evtx",
        ),
        (
            "test_record_samples__event_json_with_multiple_nodes_same_name.snap",
            "evtx-crate/E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx",
        ),
    ];
    for (snap, file) in cases {
        let text =
            std::fs::read_to_string(samples.path(&format!("expected/evtx-0.15.1/{snap}"))).unwrap();
        // An insta snapshot: a `---` header, then the value.
        let body = text.splitn(3, "---\n").nth(2).expect("snapshot header");
        let mut expected: Value = serde_json::from_str(body).expect("snapshot JSON");
        let id = expected["Event"]["System"]["EventRecordID"].clone();
        let mut ours = evtutil_jsonl(&samples.path(file))
            .into_iter()
            .find(|e| e["Event"]["System"]["EventRecordID"] == id)
            .unwrap_or_else(|| panic!("{file} has no record {id}"));
        lowercase_guids(&mut expected["Event"]["System"]);
        lowercase_guids(&mut ours["Event"]["System"]);
        assert_eq!(ours, expected, "{file} record {id} against {snap}");
    }
}

/// A channel's events (of the embedded default store) as JSON equal the JSON of the same
/// events exported to a log file, read by evtutil and by evtx_dump; a query and a count
/// select the same objects.
#[test]
fn channel_json_equals_the_json_of_its_export() {
    let file = temp::TempFile::reserve("json-export");
    let exported = evtutil(&["--memory", "epl", "Security", file.path()]);
    assert!(exported.status.success(), "{exported:?}");
    let channel = evtutil(&["--memory", "qe", "Security", "/f:jsonl"]);
    assert!(channel.status.success(), "{channel:?}");
    let channel = lines(&stdout(&channel), "evtutil");
    assert!(channel.len() > 10, "the default Security events");
    let from_file = evtutil_jsonl(Path::new(file.path()));
    assert_eq!(channel, from_file);
    if let Some(dump) = evtx_dump() {
        assert_eq!(channel, evtx_dump_jsonl(&dump, Path::new(file.path())));
    }

    let query = "*[System[EventID=4624]]";
    let selected = evtutil(&[
        "--memory",
        "qe",
        "Security",
        &format!("/q:{query}"),
        "/c:2",
        "/f:jsonl",
    ]);
    assert!(selected.status.success(), "{selected:?}");
    let selected = lines(&stdout(&selected), "evtutil");
    let expected: Vec<&Value> = channel
        .iter()
        .filter(|e| e["Event"]["System"]["EventID"] == 4624)
        .take(2)
        .collect();
    assert_eq!(expected.len(), 2, "the default events hold logons");
    assert_eq!(selected.iter().collect::<Vec<_>>(), expected);

    // The same through a structured query file.
    let query_file = temp::TempFile::reserve("json-query");
    std::fs::write(
        query_file.path(),
        format!(
            "<QueryList><Query Id='0'><Select Path='Security'>{query}</Select></Query></QueryList>"
        ),
    )
    .unwrap();
    let structured = evtutil(&[
        "--memory",
        "qe",
        query_file.path(),
        "/sq:true",
        "/c:2",
        "/f:jsonl",
    ]);
    assert!(structured.status.success(), "{structured:?}");
    assert_eq!(lines(&stdout(&structured), "evtutil"), selected);
}

/// `/f:json` is one JSON array of the objects `/f:jsonl` prints, one a line; no events make
/// `[]`; `/e` (an XML root element) is refused with it.
#[test]
fn json_is_one_array_of_the_jsonl_objects() {
    let jsonl = evtutil(&["--memory", "qe", "System", "/c:5", "/f:jsonl"]);
    let json = evtutil(&["--memory", "qe", "System", "/c:5", "/f:JSON"]);
    assert!(json.status.success(), "{json:?}");
    let text = stdout(&json);
    let array: Value = serde_json::from_str(&text).expect("one JSON document");
    let objects = lines(&stdout(&jsonl), "evtutil");
    assert_eq!(objects.len(), 5);
    assert_eq!(array, Value::Array(objects.clone()));
    // An event per line, between the brackets.
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 7, "{text}");
    assert_eq!((rows[0], rows[6]), ("[", "]"));
    for (row, object) in rows[1..6].iter().zip(&objects) {
        let row = row.strip_suffix(',').unwrap_or(row);
        assert_eq!(serde_json::from_str::<Value>(row).unwrap(), *object);
    }

    let none = evtutil(&[
        "--memory",
        "qe",
        "System",
        "/q:*[System[EventID=65535]]",
        "/f:json",
    ]);
    assert!(none.status.success(), "{none:?}");
    assert_eq!(stdout(&none), "[]\n");
    let none = evtutil(&[
        "--memory",
        "qe",
        "System",
        "/q:*[System[EventID=65535]]",
        "/f:jsonl",
    ]);
    assert_eq!(stdout(&none), "");

    let wrapped = evtutil(&["--memory", "qe", "System", "/f:json", "/e:Events"]);
    assert_eq!(wrapped.status.code(), Some(2), "{wrapped:?}");
    let err = String::from_utf8_lossy(&wrapped.stderr);
    assert!(err.contains("/e wraps XML output"), "{err}");
    let bad = evtutil(&["--memory", "qe", "System", "/f:yaml"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("json or jsonl"));
}
