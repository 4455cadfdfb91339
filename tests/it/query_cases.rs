//! The query language, case by case: every `fixtures/queries/*.toml` case runs a query over
//! the events of `fixtures/queries/events.xml` and checks the exact set selected, or the
//! exact error (EvtQuery's XPath subset and structured queries).
//!
//! A case is a table `[[case]]` with:
//! - `name`, `query` (a bare XPath, or a `<QueryList>`);
//! - `path` (optional): for a bare XPath, the channel queried (only its events can match;
//!   without it, each event is queried in its own channel); for a structured query, the path
//!   passed beside it. `no_path = true` passes no path at all;
//! - `now` (optional, ISO 8601): what `timediff()` measures from; default [`DEFAULT_NOW`];
//! - `tolerant = true`: compile with `XPathFilter::compile_tolerant` (EvtQueryTolerateQueryErrors);
//! - then either `matches = [indices]` (0-based lines of events.xml), or the expected error:
//!   `code` (the top-level Win32 code), `filter_code` (absent = the error has none), and
//!   `line`/`column` (required when the error has a position). A tolerant case with both
//!   `matches` and `code` expects the prefix to match and the tolerated error to be `code`.
//!
//! Every failing case is reported at once, by name.

use std::collections::BTreeSet;

use evtlog::{Error, Event, FileTime, Query, XPathFilter};
use serde::Deserialize;

use crate::fixture;

/// The default evaluation time: just after the last event of the fixture day.
const DEFAULT_NOW: &str = "2024-11-09T00:00:00Z";

/// The least number of cases the table must hold (the query language's coverage floor).
const MIN_CASES: usize = 80;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    #[serde(default)]
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    query: String,
    path: Option<String>,
    #[serde(default)]
    no_path: bool,
    now: Option<String>,
    #[serde(default)]
    tolerant: bool,
    matches: Option<Vec<usize>>,
    code: Option<u32>,
    filter_code: Option<u32>,
    line: Option<u32>,
    column: Option<u32>,
}

fn events() -> Vec<Event> {
    fixture("queries/events.xml")
        .lines()
        .enumerate()
        .map(|(i, line)| {
            Event::from_xml(line).unwrap_or_else(|e| panic!("events.xml line {}: {e}", i + 1))
        })
        .collect()
}

fn channel(event: &Event) -> &str {
    event.system.channel.as_deref().unwrap_or("")
}

fn load_cases() -> Vec<(String, Case)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/queries");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let parsed: CaseFile =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
        cases.extend(parsed.case.into_iter().map(|c| (stem.clone(), c)));
    }
    cases
}

/// What a case produced: the set of events selected, and the error tolerated (if any).
enum Outcome {
    Selected(BTreeSet<usize>, Option<Error>),
    Failed(Error),
}

fn run(case: &Case, events: &[Event]) -> Outcome {
    let now = FileTime::parse(case.now.as_deref().unwrap_or(DEFAULT_NOW))
        .unwrap_or_else(|| panic!("{}: bad `now`", case.name));
    let in_path = |e: &Event| {
        case.path
            .as_deref()
            .is_none_or(|p| p.eq_ignore_ascii_case(channel(e)))
    };
    let select = |f: &dyn Fn(&Event) -> bool| -> BTreeSet<usize> {
        events
            .iter()
            .enumerate()
            .filter(|(_, e)| f(e))
            .map(|(i, _)| i)
            .collect()
    };
    if case.tolerant {
        return match XPathFilter::compile_tolerant(&case.query) {
            Ok((filter, tolerated)) => {
                Outcome::Selected(select(&|e| in_path(e) && filter.matches(e, now)), tolerated)
            }
            Err(e) => Outcome::Failed(e),
        };
    }
    let structured = case.query.trim_start().starts_with('<');
    let path = if case.no_path {
        None
    } else if structured || case.path.is_some() {
        case.path.as_deref()
    } else {
        // Each event is queried in its own channel; the query's errors do not depend on it.
        Some("Application")
    };
    let query = match Query::parse(path, Some(&case.query)) {
        Ok(q) => q,
        Err(e) => return Outcome::Failed(e),
    };
    if structured || case.path.is_some() {
        Outcome::Selected(select(&|e| query.matches(channel(e), e, now)), None)
    } else {
        let source = &query.sources()[0];
        Outcome::Selected(select(&|e| source.matches(e, now)), None)
    }
}

fn describe(e: &Error) -> String {
    let mut s = format!("code {}", e.win32_code());
    if let Some(f) = e.filter_code() {
        s += &format!(", filter_code {f}");
    }
    if let Some((l, c)) = e.position() {
        s += &format!(", line {l} column {c}");
    }
    format!("{s} ({e})")
}

/// Checks an error against the case's expectation; `None` if it agrees.
fn check_error(case: &Case, e: &Error) -> Option<String> {
    let pos = e.position();
    let agrees = Some(e.win32_code()) == case.code
        && e.filter_code() == case.filter_code
        && match pos {
            Some((l, c)) => case.line == Some(l) && case.column == Some(c),
            None => case.line.is_none() && case.column.is_none(),
        };
    (!agrees).then(|| {
        let mut want = format!("code {:?}", case.code);
        if let Some(f) = case.filter_code {
            want += &format!(", filter_code {f}");
        }
        if let (Some(l), Some(c)) = (case.line, case.column) {
            want += &format!(", line {l} column {c}");
        }
        format!("expected {want}; got {}", describe(e))
    })
}

fn check(case: &Case, events: &[Event]) -> Option<String> {
    if case.matches.is_none() && case.code.is_none() {
        return Some("the case gives neither `matches` nor `code`".to_owned());
    }
    if case.matches.is_some() && case.code.is_some() && !case.tolerant {
        return Some("only a tolerant case gives both `matches` and `code`".to_owned());
    }
    match (run(case, events), &case.matches) {
        (Outcome::Selected(got, tolerated), Some(want)) => {
            let want: BTreeSet<usize> = want.iter().copied().collect();
            if let Some(bad) = want.iter().find(|&&i| i >= events.len()) {
                return Some(format!("index {bad} is not an event of events.xml"));
            }
            if got != want {
                return Some(format!("expected matches {want:?}; got {got:?}"));
            }
            match (tolerated, case.code) {
                (None, None) => None,
                (Some(e), Some(_)) => check_error(case, &e),
                (Some(e), None) => Some(format!("unexpected tolerated error: {}", describe(&e))),
                (None, Some(_)) => Some("expected a tolerated error; got none".to_owned()),
            }
        }
        (Outcome::Selected(got, _), None) => Some(format!(
            "expected an error (code {:?}); the query compiled and matched {got:?}",
            case.code
        )),
        (Outcome::Failed(e), Some(want)) => Some(format!(
            "expected matches {want:?}; got the error {}",
            describe(&e)
        )),
        (Outcome::Failed(e), None) => check_error(case, &e),
    }
}

#[test]
fn every_case_holds() {
    let events = events();
    let cases = load_cases();
    assert!(
        cases.len() >= MIN_CASES,
        "fixtures/queries holds {} cases; at least {MIN_CASES} are required",
        cases.len()
    );
    let mut names = BTreeSet::new();
    let mut failures = Vec::new();
    for (file, case) in &cases {
        if !names.insert(case.name.clone()) {
            failures.push(format!("{file}.toml: {}: duplicate case name", case.name));
        }
        if let Some(problem) = check(case, &events) {
            failures.push(format!(
                "{file}.toml: {}\n    query: {}\n    {problem}",
                case.name, case.query
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} query cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

/// The fixture events are in Windows' exact rendered shape: each line parses and renders
/// back byte for byte.
#[test]
fn fixture_events_are_in_rendered_shape() {
    for (i, line) in fixture("queries/events.xml").lines().enumerate() {
        let event = Event::from_xml(line).unwrap_or_else(|e| panic!("line {}: {e}", i + 1));
        assert_eq!(
            event.to_xml(),
            line,
            "events.xml line {} (index {i})",
            i + 1
        );
    }
}
