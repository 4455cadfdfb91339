//! One malformed manifest per validation rule, with the error's kind and position; the
//! document's own errors; names shared across providers; long lists in linear time.

use super::*;

/// A manifest whose provider body is `body` (starting on line 6), with strings `a`, `b`.
fn with_body(body: &str) -> String {
    format!(
        "<instrumentationManifest xmlns=\"{EVENTS_NS}\"\n xmlns:win=\"{WINMETA_NS}\">\n\
         <instrumentation><events>\n\
         <provider name=\"P-Q\" guid=\"{{0A1B2C3D-4E5F-4A6B-8C9D-0E1F2A3B4C5D}}\" symbol=\"S\"\n\
           resourceFileName=\"a.dll\" messageFileName=\"a.dll\">\n\
         {body}\n\
         </provider></events></instrumentation>\n\
         <localization><resources culture=\"en-US\"><stringTable>\
         <string id=\"a\" value=\"A\"/><string id=\"b\" value=\"B\"/>\
         </stringTable></resources></localization></instrumentationManifest>"
    )
}

/// The error of `body` (one line): ConfigurationError on line 6 at the `nth` (0-based)
/// occurrence of `element` in `body`, with a word of its text.
#[track_caller]
fn rejects(body: &str, (element, nth): (&str, usize), says: &str) {
    let e = parse_manifest(&with_body(body)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConfigurationError, "{body}: {e}");
    assert_eq!(e.win32_code(), 15010);
    let at = body.match_indices(element).nth(nth).unwrap().0;
    assert_eq!(e.position(), Some((6, at as u32 + 1)), "{body}: {e}");
    assert!(e.to_string().contains(says), "{body}: {e}");
}

#[test]
fn the_base_of_the_error_cases_is_valid() {
    let p = parse_manifest(&with_body("")).unwrap();
    assert_eq!(p[0].name, "P-Q");
    assert!(p[0].messages.is_empty());
}

#[test]
fn unknown_references_are_configuration_errors_where_they_are_made() {
    rejects(
        r#"<events><event value="1" template="t"/></events>"#,
        ("<event ", 0),
        "template t",
    );
    rejects(
        r#"<events><event value="1" level="Loud"/></events>"#,
        ("<event ", 0),
        "level Loud",
    );
    rejects(
        r#"<events><event value="1" level="win:Loud"/></events>"#,
        ("<event ", 0),
        "level win:Loud",
    );
    rejects(
        r#"<events><event value="1" task="T"/></events>"#,
        ("<event ", 0),
        "task T",
    );
    rejects(
        r#"<events><event value="1" opcode="O"/></events>"#,
        ("<event ", 0),
        "opcode O",
    );
    rejects(
        r#"<events><event value="1" keywords="K"/></events>"#,
        ("<event ", 0),
        "keyword K",
    );
    rejects(
        r#"<events><event value="1" channel="c"/></events>"#,
        ("<event ", 0),
        "channel c",
    );
    rejects(
        r#"<events><event value="1" message="$(string.zz)"/></events>"#,
        ("<event ", 0),
        "string zz",
    );
    rejects(
        r#"<events><event value="1" message="plain"/></events>"#,
        ("<event ", 0),
        "$(string.id)",
    );
    rejects(
        r#"<templates><template tid="t"><data name="x" inType="win:UInt32" map="M"/></template></templates>"#,
        ("<data", 0),
        "map M",
    );
    rejects(
        r#"<templates><template tid="t"><data name="x" inType="win:Complex"/></template></templates>"#,
        ("<data", 0),
        "inType",
    );
    rejects(
        r#"<templates><template tid="t"><data name="x" inType="win:UnicodeString" count="n"/></template></templates>"#,
        ("<data", 0),
        "count",
    );
}

#[test]
fn duplicates_are_configuration_errors_at_the_second() {
    rejects(
        r#"<levels><level name="L" value="16"/><level name="L" value="17"/></levels>"#,
        ("<level ", 1),
        "repeats",
    );
    rejects(
        r#"<keywords><keyword name="A" mask="1"/><keyword name="B" mask="0x1"/></keywords>"#,
        ("<keyword ", 1),
        "repeats",
    );
    rejects(
        r#"<tasks><task name="T" value="1"/><task name="U" value="1"/></tasks>"#,
        ("<task ", 1),
        "repeats",
    );
    rejects(
        r#"<opcodes><opcode name="O" value="10"/><opcode name="O" value="11"/></opcodes>"#,
        ("<opcode ", 1),
        "repeats",
    );
    rejects(
        r#"<templates><template tid="t"><data name="x" inType="win:UInt8"/></template><template tid="t"><data name="y" inType="win:UInt8"/></template></templates>"#,
        ("<template ", 1),
        "twice",
    );
    rejects(
        r#"<events><event value="1"/><event value="1" version="0"/></events>"#,
        ("<event ", 1),
        "twice",
    );
    rejects(
        r#"<channels><importChannel name="Application"/><importChannel chid="x" name="application"/></channels>"#,
        ("<importChannel", 1),
        "repeats",
    );
}

#[test]
fn values_out_of_range_are_configuration_errors() {
    rejects(
        r#"<levels><level name="L" value="15"/></levels>"#,
        ("<level ", 0),
        "16-255",
    );
    rejects(
        r#"<levels><level name="L" value="256"/></levels>"#,
        ("<level ", 0),
        "16-255",
    );
    rejects(
        r#"<opcodes><opcode name="O" value="9"/></opcodes>"#,
        ("<opcode ", 0),
        "10-239",
    );
    rejects(
        r#"<opcodes><opcode name="O" value="240"/></opcodes>"#,
        ("<opcode ", 0),
        "10-239",
    );
    rejects(
        r#"<keywords><keyword name="K" mask="0x3"/></keywords>"#,
        ("<keyword ", 0),
        "one bit",
    );
    rejects(
        r#"<keywords><keyword name="K" mask="0x1000000000000"/></keywords>"#,
        ("<keyword ", 0),
        "one bit",
    );
    rejects(
        r#"<keywords><keyword name="K" mask="0"/></keywords>"#,
        ("<keyword ", 0),
        "one bit",
    );
    rejects(
        r#"<events><event value="65536"/></events>"#,
        ("<event ", 0),
        "0-65535",
    );
    rejects(
        r#"<tasks><task name="T" value="0"/></tasks>"#,
        ("<task ", 0),
        "1-65535",
    );
    rejects(
        r#"<channels><channel name="P-Q/A" type="Admin" value="3"/></channels>"#,
        ("<channel ", 0),
        "16-255",
    );
    rejects(
        r#"<channels><channel name="P-Q/A" type="Secret"/></channels>"#,
        ("<channel ", 0),
        "type",
    );
    let nine: String = (0..9)
        .map(|i| format!(r#"<channel name="P-Q/C{i}" type="Operational"/>"#))
        .collect();
    rejects(
        &format!("<channels>{nine}</channels>"),
        ("<channel ", 8),
        "at most 8",
    );
}

#[test]
fn admin_channels_need_a_message_and_a_winmeta_level() {
    let channel = r#"<channels><channel chid="a" name="P-Q/Admin" type="Admin"/></channels>"#;
    let levels = r#"<levels><level name="L" value="16"/></levels>"#;
    rejects(
        &format!(r#"{channel}<events><event value="1" channel="a" level="win:Error"/></events>"#),
        ("<event ", 0),
        "needs a message",
    );
    for level in ["L", "win:Verbose", "win:LogAlways"] {
        rejects(
            &format!(
                r#"{channel}{levels}<events><event value="1" channel="a" level="{level}" message="$(string.a)"/></events>"#
            ),
            ("<event ", 0),
            "level must be",
        );
    }
    let ok = format!(
        r#"{channel}<events><event value="1" channel="a" level="win:Critical" message="$(string.a)"/></events>"#
    );
    assert!(parse_manifest(&with_body(&ok)).is_ok());
}

#[test]
fn task_specific_opcodes_belong_to_their_task() {
    let tasks = r#"<tasks><task name="T" value="1"><opcodes><opcode name="Own" value="20"/></opcodes></task><task name="U" value="2"/></tasks><opcodes><opcode name="G" value="20"/></opcodes>"#;
    rejects(
        &format!(r#"{tasks}<events><event value="1" task="U" opcode="Own"/></events>"#),
        ("<event ", 0),
        "belongs to task T",
    );
    rejects(
        &format!(r#"{tasks}<events><event value="1" task="T" opcode="G"/></events>"#),
        ("<event ", 0),
        "shares value 20",
    );
    let ok = format!(
        r#"{tasks}<events><event value="1" task="T" opcode="Own"/><event value="2" task="U" opcode="G"/></events>"#
    );
    let p = &parse_manifest(&with_body(&ok)).unwrap()[0];
    assert_eq!((p.events[0].task, p.events[0].opcode), (1, 20));
    assert_eq!((p.events[1].task, p.events[1].opcode), (2, 20));
}

#[test]
fn grouped_events_take_their_group_task_and_opcode() {
    let body = r#"<tasks><task name="T" value="3"><opcodes><opcode name="Own" value="20"/></opcodes></task></tasks>
<events><task name="T"><event value="1"/><opcode name="Own"><event value="2"/></opcode></task><event value="3"/></events>"#;
    let p = &parse_manifest(&with_body(body)).unwrap()[0];
    let got: Vec<_> = p
        .events
        .iter()
        .map(|e| (e.value, e.task, e.opcode))
        .collect();
    assert_eq!(got, [(1, 3, 0), (2, 3, 20), (3, 0, 0)]);
}

#[test]
fn message_ids_may_not_clash() {
    let body = r#"<levels><level name="L" value="16" message="$(string.a)"/><level name="M" value="17" message="$(string.b)"/></levels>"#;
    let text = with_body(body).replace(
        "</events></instrumentation>",
        r#"<messageTable><message value="0x50000011" message="$(string.a)"/></messageTable></events></instrumentation>"#,
    );
    let e = parse_manifest(&text).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConfigurationError);
    assert!(e.to_string().contains("0x50000011"), "{e}");
}

#[test]
fn document_errors() {
    let e =
        parse_manifest("<instrumentationManifest><a></b></instrumentationManifest>").unwrap_err();
    assert_eq!(
        (e.kind(), e.position()),
        (ErrorKind::MalformedXml, Some((1, 29)))
    );
    let e = parse_manifest("<instrumentationManifest xmlns='urn:x'/>").unwrap_err();
    assert_eq!(
        (e.kind(), e.position()),
        (ErrorKind::ConfigurationError, Some((1, 1)))
    );
    let e = parse_manifest(&format!("<events xmlns='{EVENTS_NS}'/>")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConfigurationError);
    let two = with_body("").replace(
        "</provider>",
        "</provider><provider name=\"p-q\" guid=\"{00000000-0000-0000-0000-000000000001}\"/>",
    );
    let e = parse_manifest(&two).unwrap_err();
    assert!(e.to_string().contains("repeats"), "{e}");
    let missing = with_body("").replace(r#"name="P-Q" "#, "");
    let e = parse_manifest(&missing).unwrap_err();
    assert_eq!(e.position(), Some((4, 1)));
    let deep = with_body(&"<x>".repeat(200));
    assert_eq!(
        parse_manifest(&deep).unwrap_err().kind(),
        ErrorKind::ConfigurationError
    );
}

#[test]
fn several_providers_share_the_name_counter() {
    let second = r#"<provider name="P-R" guid="{00000000-0000-0000-0000-000000000002}" message="$(string.b)"/>"#;
    let text = with_body("").replace(
        r#"messageFileName="a.dll">"#,
        r#"messageFileName="a.dll" message="$(string.a)">"#,
    );
    let text = text.replace("</provider>", &format!("</provider>{second}"));
    let all = parse_manifest(&text).unwrap();
    assert_eq!(all[0].message_id, Some(0x9000_0001));
    assert_eq!(all[1].message_id, Some(0x9000_0002));
    assert_eq!(all[1].messages.culture("en-US").unwrap()[&0x9000_0002], "B");
}

#[test]
fn another_prefix_bound_to_winmeta_names_the_same_items() {
    let body = r#"<events><event value="1" level="w:Error" opcode="w:Start"/><event value="2" level="win:Error" opcode="win:Start"/></events>"#;
    let text = with_body(body).replace(
        "<instrumentationManifest ",
        &format!("<instrumentationManifest xmlns:w=\"{WINMETA_NS}\" "),
    );
    let p = &parse_manifest(&text).unwrap()[0];
    assert_eq!((p.events[0].level, p.events[0].opcode), (2, 1));
    assert_eq!(p.levels.len(), 1);
    assert_eq!(p.opcodes.len(), 1);
    assert_eq!(p.levels[0].name, "win:Error");
}

/// Long lists cost hash lookups, not scans: 20,000 tasks, templates and events (~2 s
/// unoptimized here); a scan per check would make each list quadratic.
#[test]
fn long_lists_parse_in_linear_time() {
    let n = 20_000;
    let mut body = String::from("<tasks>");
    for i in 1..=n {
        body.push_str(&format!(r#"<task name="T{i}" value="{i}"/>"#));
    }
    body.push_str("</tasks><templates>");
    for i in 1..=n {
        body.push_str(&format!(
            r#"<template tid="t{i}"><data name="a" inType="win:UInt32"/></template>"#
        ));
    }
    body.push_str("</templates><events>");
    for i in 1..=n {
        body.push_str(&format!(
            r#"<event value="{i}" task="T{i}" template="t{i}"/>"#
        ));
    }
    body.push_str("</events>");
    let start = std::time::Instant::now();
    let p = &parse_manifest(&with_body(&body)).unwrap()[0];
    assert_eq!(p.events.len(), n);
    assert_eq!(p.events[n - 1].template, Some(n - 1));
    assert!(
        start.elapsed() < std::time::Duration::from_secs(30),
        "{:?}",
        start.elapsed()
    );
}
