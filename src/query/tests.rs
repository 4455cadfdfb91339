//! Query tests over the whole pipeline: parse, validate, compile, evaluate.

use super::*;
use crate::event::Value;
use crate::gen::{Generator, Profile};

fn logon() -> Event {
    Event::builder("Microsoft-Windows-Security-Auditing")
        .event_id(4624)
        .level(0)
        .task(12544)
        .keywords(0x8020_0000_0000_0000)
        .time_created(FileTime::parse("2024-01-01T00:00:00Z").unwrap())
        .channel("Security")
        .computer("DC01")
        .data("TargetUserName", "Bob")
        .data("LogonType", 3u32)
        .data("TargetLogonId", Value::HexInt64(0x3e7))
        .build()
}

fn now() -> FileTime {
    FileTime::parse("2024-01-01T01:00:00Z").unwrap()
}

fn check(query: &str, expected: bool) {
    let filter = XPathFilter::compile(query).unwrap_or_else(|e| panic!("{query}: {e}"));
    let event = logon();
    assert_eq!(
        filter.matches(&event, now()),
        expected,
        "{query} (compiled)"
    );
    let general = eval::matches(&filter.expr, &event, &mut Scratch::new(now()));
    assert_eq!(general, expected, "{query} (general)");
}

#[test]
fn documented_forms_match() {
    check("*", true);
    check("Event", true);
    check("*[System[EventID=4624]]", true);
    check("*[System/EventID=4625]", false);
    check("Event/System/EventID=4624", true);
    check("Event/System[EventID=4624]", true);
    check("*[System[(Level=0 or Level=4) and EventID=4624]]", true);
    check(
        "*[System[Provider[@Name='microsoft-windows-security-auditing']]]",
        true,
    );
    check("*[EventData[Data[@Name='TargetUserName']='bob']]", true);
    check("*[EventData/Data[@Name='TargetUserName']='alice']", false);
    check("*[EventData[Data[@Name='LogonType']=3]]", true);
    check("*[EventData[Data[@Name='TargetLogonId']=999]]", true);
    check("*[EventData/Data='Bob']", true);
    check("*[EventData/Data[1]='Bob']", true);
    check("*[EventData/Data[2]='Bob']", false);
    check(
        "*[System[TimeCreated[timediff(@SystemTime) <= 3600000]]]",
        true,
    );
    check(
        "*[System[TimeCreated[timediff(@SystemTime) < 3600000]]]",
        false,
    );
    check(
        "*[System[TimeCreated[@SystemTime>='2024-01-01T00:00:00.000Z']]]",
        true,
    );
    check("*[System[band(Keywords, 0x0020000000000000)]]", true);
    check("*[System[band(Keywords, 0x0010000000000000)]]", false);
    check(
        "*[System[Channel='security'] and System/Computer='DC01']",
        true,
    );
    check("*[UserData]", false);
}

#[test]
fn generated_events_agree_between_compiled_and_general() {
    let mut generator = Generator::new(5);
    let events: Vec<Event> = (0..500)
        .map(|i| generator.next_event(Profile::ALL[i % 5]))
        .collect();
    let queries = [
        "*[System[EventID=4624 or EventID=4634 or EventID=1]]",
        "*[System[Level<=3]]",
        "*[System[Provider[@Name='Microsoft-Windows-Sysmon']]]",
        "*[EventData[Data[@Name='LogonType']=3]]",
        "*[EventData[Data[@Name='Image']!='x']]",
        "*[System[band(Keywords,0x8000000000000000)]]",
        "*[System[Security[@UserID='S-1-5-18']]]",
        "*[UserData/*/SubjectUserName='admin']",
    ];
    for q in queries {
        let filter = XPathFilter::compile(q).unwrap();
        let mut hits = 0;
        for e in &events {
            let compiled = filter.matches(e, now());
            let general = eval::matches(&filter.expr, e, &mut Scratch::new(now()));
            assert_eq!(compiled, general, "{q} on {}", e.to_xml());
            hits += usize::from(compiled);
        }
        assert!(hits > 0 || q.contains("UserData"), "{q} matched nothing");
    }
}

#[test]
fn tolerant_keeps_the_prefix_before_a_lexical_error() {
    // Before: a lexical error anywhere failed the whole query, though its first term is valid.
    let (filter, err) = XPathFilter::compile_tolerant("*[System[EventID=4624]] or *[Data='x]")
        .expect("the first term is valid");
    assert!(filter.matches(&logon(), now()));
    let err = err.expect("the error is reported beside the filter");
    assert_eq!(err.filter_code(), Some(codes::ERROR_EVT_FILTER_PARSEERR));
    assert_eq!(err.position(), Some((1, 35)));
    assert!(XPathFilter::compile_tolerant("*[Data='x] or *").is_err());
}

#[test]
fn query_positions_count_the_text_as_passed() {
    // Before: Query::parse trimmed the query first, so positions lost the leading whitespace.
    let e = Query::parse(Some("Security"), Some("  *[System//EventID=1]")).unwrap_err();
    assert_eq!(e.position(), Some((1, 11)));
    let e = Query::parse(
        None,
        Some("\n <QueryList><Query Id='0' Path='X'><Select>*[1=x]</Select></Query></QueryList>"),
    )
    .unwrap_err();
    assert_eq!(e.position(), Some((2, 46)));
    assert!(Query::parse(Some("Security"), Some("  \n")).is_ok());
    assert!(Query::parse(Some("Security"), Some(" *[System/Level] ")).is_ok());
}

/// Checks all three evaluators (compiled, general, naive oracle) on `event`.
fn check_on(event: &Event, query: &str, expected: bool) {
    let filter = XPathFilter::compile(query).unwrap_or_else(|e| panic!("{query}: {e}"));
    let general = eval::matches(&filter.expr, event, &mut Scratch::new(now()));
    let oracle = naive::matches(&filter.expr, event, now());
    assert_eq!(
        (filter.matches(event, now()), general, oracle),
        (expected, expected, expected),
        "{query} (compiled, general, naive) on {}",
        event.to_xml()
    );
}

/// Found by the oracle property test: `timediff(a, b)` with two paths was always false.
#[test]
fn timediff_of_two_paths_is_existential_over_pairs() {
    let event = logon();
    let q = "*[System[timediff(TimeCreated/@SystemTime, TimeCreated/@SystemTime) = 0]]";
    check_on(&event, q, true);
    check_on(
        &event,
        "*[System[timediff(TimeCreated/@SystemTime, TimeCreated/@SystemTime) != 0]]",
        false,
    );
}

/// Found by the oracle property test: text directly in `<UserData>` was not its value.
#[test]
fn user_data_text_is_its_value() {
    let mut event = logon();
    event.body = crate::event::Body::UserData(vec![
        crate::event::Node::Value(Value::String("2".into())),
        crate::event::Node::Element(crate::event::Element::new("Name").text("x")),
    ]);
    check_on(&event, "*[UserData='2']", true);
    check_on(&event, "*[UserData/text()]", true);
    check_on(&event, "*[UserData > 1]", true);
    check_on(&event, "*[UserData/Name='x']", true);
}

/// Found by the oracle property test: `text()` follows what is rendered (an array of empty
/// strings writes no text).
#[test]
fn values_are_read_as_rendered() {
    let empty_strings = crate::event::Array::new(
        crate::event::VariantType::String,
        vec![Value::String(String::new().into())],
    )
    .unwrap();
    let event = Event::builder("P")
        .data("E", Value::Array(empty_strings))
        .data("A", "ab")
        .build();
    check_on(&event, "*[EventData/Data[@Name='E']/text()]", false);
    check_on(&event, "*[EventData/Data[@Name='A']/text()]", true);
    check_on(&event, "*[EventData[Data[@Name='A']='AB']]", true);
}
