//! Call traces (issue 21): every Evt* call through the facade as one JSON line — its
//! function, arguments, result, last error and durations — deterministic under a virtual
//! clock, whole lines under concurrent callers, and a file that cannot be made leaves the
//! program running untraced. The lines are read back with the small JSON reader below.

use std::collections::BTreeMap;
use std::process::Command;

use crate::TempDir;
use evtlog::winevt::*;

/// A JSON value, as much as a trace line holds.
#[derive(Clone, Debug, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Number(i128),
    String(String),
    Array(Vec<Json>),
    Object(BTreeMap<String, Json>),
}

impl Json {
    fn get(&self, key: &str) -> &Json {
        match self {
            Json::Object(members) => members.get(key).unwrap_or(&Json::Null),
            _ => &Json::Null,
        }
    }

    fn num(&self) -> i128 {
        match self {
            Json::Number(n) => *n,
            other => panic!("not a number: {other:?}"),
        }
    }

    fn str(&self) -> &str {
        match self {
            Json::String(s) => s,
            other => panic!("not a string: {other:?}"),
        }
    }
}

/// Parses one JSON text (integers only: a trace holds no fractions).
fn parse(text: &str) -> Result<Json, String> {
    let mut p = Parser {
        chars: text.chars().collect(),
        at: 0,
    };
    let value = p.value()?;
    p.space();
    if p.at != p.chars.len() {
        return Err(format!("trailing text at {}", p.at));
    }
    Ok(value)
}

struct Parser {
    chars: Vec<char>,
    at: usize,
}

impl Parser {
    fn space(&mut self) {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
    }

    fn next(&mut self) -> Result<char, String> {
        let c = *self.chars.get(self.at).ok_or("unexpected end")?;
        self.at += 1;
        Ok(c)
    }

    fn expect(&mut self, word: &str) -> Result<(), String> {
        for w in word.chars() {
            if self.next()? != w {
                return Err(format!("expected {word} at {}", self.at));
            }
        }
        Ok(())
    }

    fn value(&mut self) -> Result<Json, String> {
        self.space();
        match self.chars.get(self.at).copied().ok_or("unexpected end")? {
            '{' => {
                self.at += 1;
                let mut members = BTreeMap::new();
                self.space();
                if self.chars.get(self.at) == Some(&'}') {
                    self.at += 1;
                    return Ok(Json::Object(members));
                }
                loop {
                    self.space();
                    let Json::String(key) = self.value()? else {
                        return Err(format!("a key expected at {}", self.at));
                    };
                    self.space();
                    self.expect(":")?;
                    let value = self.value()?;
                    if members.insert(key.clone(), value).is_some() {
                        return Err(format!("duplicate key {key}"));
                    }
                    self.space();
                    match self.next()? {
                        ',' => continue,
                        '}' => return Ok(Json::Object(members)),
                        c => return Err(format!("{c:?} at {}", self.at)),
                    }
                }
            }
            '[' => {
                self.at += 1;
                let mut items = Vec::new();
                self.space();
                if self.chars.get(self.at) == Some(&']') {
                    self.at += 1;
                    return Ok(Json::Array(items));
                }
                loop {
                    items.push(self.value()?);
                    self.space();
                    match self.next()? {
                        ',' => continue,
                        ']' => return Ok(Json::Array(items)),
                        c => return Err(format!("{c:?} at {}", self.at)),
                    }
                }
            }
            '"' => {
                self.at += 1;
                let mut s = String::new();
                loop {
                    match self.next()? {
                        '"' => return Ok(Json::String(s)),
                        '\\' => match self.next()? {
                            '"' => s.push('"'),
                            '\\' => s.push('\\'),
                            '/' => s.push('/'),
                            'n' => s.push('\n'),
                            'r' => s.push('\r'),
                            't' => s.push('\t'),
                            'b' => s.push('\u{8}'),
                            'f' => s.push('\u{c}'),
                            'u' => {
                                let hex: String =
                                    (0..4).map(|_| self.next()).collect::<Result<_, _>>()?;
                                let code =
                                    u32::from_str_radix(&hex, 16).map_err(|e| e.to_string())?;
                                s.push(char::from_u32(code).ok_or("a surrogate escape")?);
                            }
                            c => return Err(format!("bad escape {c:?}")),
                        },
                        c if (c as u32) < 0x20 => return Err("a raw control character".into()),
                        c => s.push(c),
                    }
                }
            }
            't' => self.expect("true").map(|()| Json::Bool(true)),
            'f' => self.expect("false").map(|()| Json::Bool(false)),
            'n' => self.expect("null").map(|()| Json::Null),
            _ => {
                let start = self.at;
                while self
                    .chars
                    .get(self.at)
                    .is_some_and(|c| *c == '-' || c.is_ascii_digit())
                {
                    self.at += 1;
                }
                let digits: String = self.chars[start..self.at].iter().collect();
                digits
                    .parse()
                    .map(Json::Number)
                    .map_err(|_| format!("bad number at {start}"))
            }
        }
    }
}

/// The trace file's lines, parsed.
fn lines(path: &str) -> Vec<Json> {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.is_empty() || text.ends_with('\n'), "a torn last line");
    text.lines()
        .map(|l| parse(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// The function, result and last error of each line.
fn calls(lines: &[Json]) -> Vec<(String, i128, i128)> {
    lines
        .iter()
        .map(|l| {
            (
                l.get("function").str().to_owned(),
                l.get("result").num(),
                l.get("error").num(),
            )
        })
        .collect()
}

/// A small consumer: query Security, read it in batches of 2, render each event's XML
/// (size probe first), close everything, and make a few mistakes a consumer makes.
fn consumer() {
    let query = EvtQuery(0, Some("Security"), None, EvtQueryChannelPath);
    assert_ne!(query, 0);
    loop {
        let mut events = [0; 2];
        let mut returned = 0;
        if EvtNext(query, &mut events, 0, 0, &mut returned) == FALSE {
            assert_eq!(GetLastError(), 259);
            break;
        }
        for &event in &events[..returned as usize] {
            let (mut used, mut count) = (0, 0);
            assert_eq!(
                EvtRender(0, event, EvtRenderEventXml, &mut [], &mut used, &mut count),
                FALSE
            );
            let mut buffer = vec![0u8; used as usize];
            assert_eq!(
                EvtRender(
                    0,
                    event,
                    EvtRenderEventXml,
                    &mut buffer,
                    &mut used,
                    &mut count
                ),
                TRUE
            );
            assert_eq!(EvtClose(event), TRUE);
        }
    }
    assert_eq!(EvtClose(query), TRUE);
    assert_eq!(EvtClose(query), FALSE);
}

#[test]
fn each_call_is_one_line_with_its_arguments_result_and_last_error() {
    let _service = crate::winevt::service(3);
    assert_eq!(controls::use_virtual_clock(133_000_000_000_000_000), TRUE);
    let dir = TempDir::new("trace-lines");
    let path = dir.file("calls.jsonl");
    assert_eq!(controls::trace_to(Some(path.as_ref())), TRUE);
    consumer();
    // A query with a quote, a backslash, a tab and a control character: escaped.
    assert_eq!(
        EvtQuery(
            0,
            Some("No\"Such\\Log\t\u{1}"),
            Some("*"),
            EvtQueryChannelPath
        ),
        0
    );
    let code = GetLastError();
    // An injected failure and a delay of the virtual clock's time.
    assert_eq!(controls::inject_fault("EvtNext", 0, 1, 1734), TRUE);
    assert_eq!(controls::inject_delay("EvtCreateBookmark", 0, 1, 5), TRUE);
    let mut none = [0; 1];
    let mut returned = 0;
    assert_eq!(EvtNext(12345, &mut none, 7, 0, &mut returned), FALSE);
    let bookmark = EvtCreateBookmark(None);
    assert_ne!(bookmark, 0);
    assert_eq!(EvtClose(bookmark), TRUE);
    assert_eq!(controls::clear_faults(), TRUE);
    assert_eq!(controls::trace_to(None), TRUE);
    // Not traced any more.
    assert_eq!(EvtClose(0), FALSE);

    let lines = lines(&path);
    let mut expected = vec![("EvtQuery".to_owned(), -1, 0)];
    for batch in [2, 1] {
        expected.push(("EvtNext".into(), 1, 0));
        for _ in 0..batch {
            expected.push(("EvtRender".into(), 0, 122));
            expected.push(("EvtRender".into(), 1, 0));
            expected.push(("EvtClose".into(), 1, 0));
        }
    }
    expected.push(("EvtNext".into(), 0, 259));
    expected.push(("EvtClose".into(), 1, 0));
    expected.push(("EvtClose".into(), 0, 6));
    expected.push(("EvtQuery".into(), 0, i128::from(code)));
    expected.push(("EvtNext".into(), 0, 1734));
    expected.push(("EvtCreateBookmark".into(), -1, 0));
    expected.push(("EvtClose".into(), 1, 0));
    let mut got = calls(&lines);
    // Handles are numbers the test cannot know: non-zero is what it can say.
    for (line, want) in got.iter_mut().zip(&expected) {
        if want.1 == -1 {
            assert_ne!(line.1, 0, "{line:?}");
            line.1 = -1;
        }
    }
    assert_eq!(got, expected);

    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line.get("seq").num(), i as i128 + 1);
        assert_eq!(line.get("thread"), lines[0].get("thread"));
        assert!(line.get("wall_ns").num() >= 0);
    }
    let query = lines[0].get("result").num();
    assert_eq!(
        lines[0].get("args"),
        &parse(r#"{"Session":0,"Path":"Security","Query":null,"Flags":1}"#).unwrap()
    );
    assert_eq!(
        lines[1].get("args"),
        &parse(&format!(
            r#"{{"ResultSet":{query},"EventsSize":2,"Timeout":0,"Flags":0}}"#
        ))
        .unwrap()
    );
    assert_eq!(lines[2].get("args").get("BufferSize").num(), 0);
    assert!(lines[3].get("args").get("BufferSize").num() > 0);
    let bad_query = &lines[lines.len() - 4];
    assert_eq!(
        bad_query.get("args").get("Path").str(),
        "No\"Such\\Log\t\u{1}"
    );
    let faulted = &lines[lines.len() - 3];
    assert_eq!(faulted.get("args").get("ResultSet").num(), 12345);
    assert_eq!(faulted.get("args").get("Timeout").num(), 7);
    // The virtual clock stands still but for the injected delay: 5 ms = 50,000 ticks.
    let ticks: Vec<i128> = lines.iter().map(|l| l.get("ticks").num()).collect();
    let mut want_ticks = vec![0; lines.len()];
    want_ticks[lines.len() - 2] = 50_000;
    assert_eq!(ticks, want_ticks);
}

/// Runs [`consumer`] in a child process (a fresh handle table and service) traced to `path`.
fn traced_child(path: &str) {
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "traces::child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("EVTLOG_TRACES_TEST_FILE", path)
        .env_remove("EVTLOG_TRACE")
        .env_remove("EVTLOG_STORE")
        .env_remove("EVTLOG_FAULTS")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The child of [`two_runs_of_a_consumer_give_the_same_trace_but_for_wall_time`].
#[test]
fn child() {
    let Ok(path) = std::env::var("EVTLOG_TRACES_TEST_FILE") else {
        return;
    };
    let _service = crate::winevt::service(0);
    assert_eq!(controls::use_virtual_clock(133_000_000_000_000_000), TRUE);
    assert_eq!(controls::generate("Security", 7, 42), TRUE);
    assert_eq!(controls::trace_to(Some(path.as_ref())), TRUE);
    consumer();
    assert_eq!(controls::advance_clock(3), TRUE);
    consumer();
    assert_eq!(controls::trace_to(None), TRUE);
}

#[test]
fn two_runs_of_a_consumer_give_the_same_trace_but_for_wall_time() {
    let dir = TempDir::new("trace-determinism");
    let runs: Vec<Vec<Json>> = ["one", "two"]
        .iter()
        .map(|name| {
            let path = dir.file(name);
            traced_child(&path);
            lines(&path)
                .into_iter()
                .map(|line| {
                    let Json::Object(mut members) = line else {
                        panic!("not an object")
                    };
                    assert!(members.remove("wall_ns").is_some());
                    Json::Object(members)
                })
                .collect()
        })
        .collect();
    // 1 query, 4 batches and the end, 7 × (2 renders, 1 close), 2 closes: twice.
    assert_eq!(runs[0].len(), 2 * (1 + 5 + 7 * 3 + 2));
    assert_eq!(runs[0], runs[1]);
}

#[test]
fn concurrent_callers_write_whole_lines_in_sequence() {
    const THREADS: usize = 4;
    const CALLS: usize = 150;
    let _service = crate::winevt::service(0);
    let dir = TempDir::new("trace-threads");
    let path = dir.file("calls.jsonl");
    assert_eq!(controls::trace_to(Some(path.as_ref())), TRUE);
    std::thread::scope(|s| {
        for t in 0..THREADS {
            s.spawn(move || {
                // A long argument makes a torn or interleaved line likely if writes split.
                let xml = format!("<BookmarkList>{}</BookmarkList>", " ".repeat(500 + t));
                for _ in 0..CALLS {
                    let bookmark = EvtCreateBookmark(Some(&xml));
                    assert_ne!(bookmark, 0, "{}", GetLastError());
                    assert_eq!(EvtClose(bookmark), TRUE);
                }
            });
        }
    });
    assert_eq!(controls::trace_to(None), TRUE);
    let lines = lines(&path);
    assert_eq!(lines.len(), THREADS * CALLS * 2);
    let mut per_thread = BTreeMap::new();
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line.get("seq").num(), i as i128 + 1);
        *per_thread.entry(line.get("thread").num()).or_insert(0) += 1;
    }
    assert_eq!(per_thread.len(), THREADS);
    assert!(per_thread.values().all(|&n| n == CALLS * 2));
}

#[test]
fn a_trace_file_that_cannot_be_made_fails_and_leaves_tracing_off() {
    let _service = crate::winevt::service(1);
    let dir = TempDir::new("trace-missing");
    let path = dir.path().join("no-such-dir").join("calls.jsonl");
    assert_eq!(controls::trace_to(Some(&path)), FALSE);
    assert_eq!(
        GetLastError(),
        2,
        "ERROR_FILE_NOT_FOUND, as every missing path in evtlog"
    );
    let query = EvtQuery(0, Some("Security"), None, EvtQueryChannelPath);
    assert_ne!(query, 0);
    assert_eq!(EvtClose(query), TRUE);
    assert!(!path.exists());
}
