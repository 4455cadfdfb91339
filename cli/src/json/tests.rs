//! The shape rules of `json.rs` on small events, against the JSON the evtx crate's rules
//! give for the same XML (worked out by hand from its `JsonCompiler`'s materialized walk).

use evtlog::{
    Array, Attribute, Body, Correlation, DataItem, Element, Event, EventData, FileTime, Guid, Node,
    Security, SystemTime, Value, VariantType,
};
use serde_json::{json, Value as Json};

use super::{Framing, JsonState};

/// `super::write_event` through a new state: the bytes of `event` alone.
fn write_event(out: &mut Vec<u8>, event: &Event) {
    super::write_event(out, &mut JsonState::default(), event);
}

/// The JSON the visitor writes from `record` is byte for byte what `write_event` writes for
/// its decoded `event`.
fn assert_visit_writes_the_decoded_event(
    decoder: &mut evtlog::ChunkDecoder<'_>,
    record: &evtlog::EvtxRecord<'_>,
    event: &Event,
    state: &mut JsonState,
    label: &str,
) {
    let mut expected = Vec::new();
    write_event(&mut expected, event);
    let mut got = Vec::new();
    decoder
        .visit(record, &mut super::JsonWriter::new(&mut got, state))
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(&expected),
        "{label}"
    );
}

fn render(event: &Event) -> Json {
    let mut out = Vec::new();
    write_event(&mut out, event);
    serde_json::from_slice(&out).expect("one JSON object")
}

fn with_body(body: Body) -> Event {
    let mut event = Event::default();
    event.system.event_id = 7;
    event.body = body;
    event
}

fn data(items: Vec<DataItem>) -> Json {
    let event = with_body(Body::EventData(EventData { name: None, items }));
    render(&event)["Event"]["EventData"].clone()
}

fn user_data(nodes: Vec<Node>) -> Json {
    render(&with_body(Body::UserData(nodes)))["Event"]["UserData"].clone()
}

fn attr(name: &str, value: impl Into<Value>) -> Attribute {
    Attribute {
        name: name.into(),
        value: value.into(),
    }
}

/// `<Data Name='A'>` met again right after makes an array; met again after another name,
/// `A_1`; unnamed `Data` are left out of the named form; `<Binary>` is a member as any
/// element is.
#[test]
fn repeated_data_names_are_arrays_in_a_run_and_numbered_after() {
    let items = vec![
        DataItem::named("A", "1"),
        DataItem::named("A", "2"),
        DataItem::named("B", 3u32),
        DataItem::named("A", "4"),
        DataItem::named("A", ""),
        DataItem::unnamed("left out"),
        DataItem::named("C", ""),
        DataItem::Binary(vec![0xab, 0x01]),
        DataItem::named("B", Value::HexInt32(0x1f)),
    ];
    assert_eq!(
        data(items),
        json!({"A": ["1", "2"], "B": 3, "A_1": ["4", ""], "C": "", "Binary": "AB01", "B_1": "0x1f"})
    );
}

/// An array value of several items is as many `Data` of its name (Windows repeats the
/// element); of one item, its text.
#[test]
fn array_values_repeat_their_data() {
    let array = |items: Vec<Value>| Value::Array(Array::new(VariantType::UInt32, items).unwrap());
    let items = vec![
        DataItem::named("N", array(vec![1u32.into(), 2u32.into()])),
        DataItem::named("N", 3u32),
        DataItem::named("One", array(vec![5u32.into()])),
        DataItem::named("None", array(vec![])),
    ];
    assert_eq!(data(items), json!({"N": [1, 2, 3], "One": "5", "None": ""}));
}

/// Without names, the `Data` are `"Data":{"#text":…}`: one value, or all in an array.
#[test]
fn unnamed_data_are_one_text_member() {
    assert_eq!(
        data(vec![DataItem::unnamed("a")]),
        json!({"Data": {"#text": "a"}})
    );
    assert_eq!(
        data(vec![
            DataItem::unnamed("a"),
            DataItem::unnamed(""),
            DataItem::Binary(vec![]),
            DataItem::unnamed(4u16),
        ]),
        json!({"Data": {"#text": ["a", "", 4]}, "Binary": null})
    );
}

/// An empty `<EventData/>` is null; with only its Name, its attributes.
#[test]
fn empty_event_data() {
    assert_eq!(data(vec![]), Json::Null);
    let event = with_body(Body::EventData(EventData {
        name: Some("Template".into()),
        items: vec![],
    }));
    assert_eq!(
        render(&event)["Event"]["EventData"],
        json!({"#attributes": {"Name": "Template"}})
    );
}

/// UserData: attributes with text under `#attributes` (empty ones left out), elements with
/// nothing null, repeated names numbered, text beside attributes or children as `#text`,
/// typed values as numbers or their text.
#[test]
fn user_data_trees() {
    let info = Element {
        name: "Info".into(),
        attributes: vec![attr("xmlns", "urn:x"), attr("Empty", "")],
        children: vec![
            Node::Element(Element::new("Item").text(1u32)),
            Node::Element(Element::new("Item")),
            Node::Element(Element::new("Item").attr("a", 2u32)),
            Node::Element(Element::new("Flag").text(true)),
            Node::Element(Element::new("Id").text(Value::Guid(
                Guid::parse("{00112233-4455-6677-8899-AABBCCDDEEFF}").unwrap(),
            ))),
            Node::Element(
                Element::new("Mixed")
                    .attr("k", "v")
                    .text("text")
                    .child(Element::new("Sub")),
            ),
            Node::Element(Element::new("Only").attr("x", "")),
            Node::Element(Element::new("Text").text("a & \"b\"\n")),
            Node::Element(Element::new("Pieces").text("a").text(7u32)),
        ],
    };
    assert_eq!(
        user_data(vec![Node::Element(info)]),
        json!({"Info": {
            "#attributes": {"xmlns": "urn:x"},
            "Item": 1,
            "Item_1": null,
            "Item_2": {"#attributes": {"a": 2}},
            "Flag": true,
            "Id": "{00112233-4455-6677-8899-aabbccddeeff}",
            "Mixed": {"#attributes": {"k": "v"}, "#text": "text", "Sub": null},
            "Only": null,
            "Text": "a & \"b\"\n",
            "Pieces": "a7",
        }})
    );
    // `Data` in UserData follow the data container's rules too.
    assert_eq!(
        user_data(vec![
            Node::Element(Element::new("Data").attr("Name", "x").text("1")),
            Node::Element(Element::new("Data").attr("Name", "x").text("2")),
        ]),
        json!({"x": ["1", "2"]})
    );
    assert_eq!(user_data(vec![]), Json::Null);
}

/// System: typed numbers, Keywords in hex, EventID with its Qualifiers, empty elements null.
#[test]
fn system_fields() {
    let mut event = with_body(Body::None);
    let s = &mut event.system;
    s.provider.name = Some("P".into());
    s.qualifiers = Some(16384);
    s.level = Some(4);
    s.keywords = Some(0x8000_0000_0000_0000);
    s.time_created = Some(FileTime(132_000_000_000_000_001));
    s.correlation = Some(Correlation::default());
    s.channel = Some("".into());
    s.security = Some(Security::default());
    assert_eq!(
        render(&event),
        json!({"Event": {
            "#attributes": {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"},
            "System": {
                "Provider": {"#attributes": {"Name": "P"}},
                "EventID": {"#attributes": {"Qualifiers": 16384}, "#text": 7},
                "Level": 4,
                "Keywords": "0x8000000000000000",
                "TimeCreated": {"#attributes": {"SystemTime": "2019-04-17T18:40:00.0000001Z"}},
                "Correlation": null,
                "Channel": null,
                "Security": null,
            },
        }})
    );
}

/// Value text forms the evtx crate writes: SYSTEMTIME with seven digits, floats shortest.
#[test]
fn value_text_forms() {
    let time = SystemTime {
        year: 2024,
        month: 2,
        day_of_week: 0,
        day: 9,
        hour: 8,
        minute: 7,
        second: 6,
        milliseconds: 5,
    };
    assert_eq!(
        data(vec![
            DataItem::named("T", Value::SysTime(time)),
            DataItem::named("F", Value::Double(1.5)),
            DataItem::named("G", Value::Single(0.1)),
            DataItem::named("W", Value::Double(2.0)),
            DataItem::named("S", Value::SizeT(16)),
            DataItem::named("I", Value::Int64(-3)),
        ]),
        json!({"T": "2024-02-09T08:07:06.0050000Z", "F": "1.5", "G": "0.1", "W": "2.0",
               "S": "0x10", "I": -3})
    );
}

/// Framing: `/f:json` an array with an event per line, `/f:jsonl` a line per event.
#[test]
fn framings() {
    let event = with_body(Body::None);
    let mut state = JsonState::default();
    let mut out = Vec::new();
    Framing::Array.begin(&mut out);
    Framing::Array.end(&mut out, 0);
    assert_eq!(out, b"[]\n");
    out.clear();
    Framing::Array.begin(&mut out);
    Framing::Array.write(&mut out, &mut state, 0, &event);
    Framing::Array.write(&mut out, &mut state, 1, &event);
    Framing::Array.end(&mut out, 2);
    let text = String::from_utf8(out).unwrap();
    assert_eq!(text.lines().count(), 4, "{text}");
    let parsed: Json = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed.as_array().map(Vec::len), Some(2));
    let mut out = Vec::new();
    Framing::Lines.write(&mut out, &mut state, 0, &event);
    Framing::Lines.write(&mut out, &mut state, 1, &event);
    assert_eq!(String::from_utf8(out).unwrap().lines().count(), 2);
}

/// Names are counted per object: a child's own children do not number its siblings, and an
/// object of more names than the list holds counts them in a map all the same.
#[test]
fn names_are_counted_per_object_however_many() {
    let nested = Element::new("A").child(Element::new("A").text("inner"));
    assert_eq!(
        user_data(vec![
            Node::Element(nested),
            Node::Element(Element::new("A").text("2")),
        ]),
        json!({"A": {"A": "inner"}, "A_1": "2"})
    );
    let mut many: Vec<DataItem> = (0..100)
        .map(|i| DataItem::named(format!("N{i}"), "x"))
        .collect();
    many.push(DataItem::named("B", "1"));
    many.push(DataItem::named("N5", "again"));
    many.push(DataItem::named("N99", "again"));
    let mut expected = serde_json::Map::new();
    for i in 0..100 {
        expected.insert(format!("N{i}"), json!("x"));
    }
    expected.insert("B".into(), json!("1"));
    expected.insert("N5_1".into(), json!("again"));
    expected.insert("N99_1".into(), json!("again"));
    assert_eq!(data(many), Json::Object(expected));
}

/// Distinct names (the common `EventData`) take the short way, which must write what the
/// general rules write: many names, so that some share a bit of the quick test; one
/// repeat far from the first, or an empty value, or an array, and the general rules apply.
#[test]
fn distinct_data_names_take_the_short_way_with_the_same_output() {
    // Whether the one-pass writer takes `items`, leaving nothing behind when it does not.
    let distinct_named = |items: &Vec<DataItem>| {
        let mut out = b"before".to_vec();
        let took = with_json(&mut out, |w| w.distinct_members(items.as_slice(), false));
        assert!(
            took || out == b"before",
            "{}",
            String::from_utf8_lossy(&out)
        );
        took
    };
    // As many names as the one pass checks, and more (the general rules: the same bytes).
    for count in [super::DISTINCT_MAX, super::DISTINCT_MAX + 1, 100] {
        let (names, items) = distinct_items(count);
        assert_eq!(distinct_named(&items), count <= super::DISTINCT_MAX);
        check_distinct_output(&names, &items);
    }
    let (_, items) = distinct_items(super::DISTINCT_MAX);
    let mut repeated = items.clone();
    repeated.push(DataItem::named("Field0", "again"));
    assert!(!distinct_named(&repeated));
    assert_eq!(data(repeated)["Field0_1"], json!("again"));
    let mut with_array = items.clone();
    with_array.push(DataItem::named(
        "List",
        Value::Array(Array::new(VariantType::UInt32, vec![Value::from(1u32)]).unwrap()),
    ));
    assert!(!distinct_named(&with_array));
    let mut unnamed = items;
    unnamed.push(DataItem::unnamed("x"));
    assert!(!distinct_named(&unnamed));
}

/// Strings are serde_json's, whether a byte to escape falls in a whole word of eight or in
/// the tail, or there is none (copied as they are checked).
#[test]
fn strings_are_escaped_as_serde_json_escapes_them() {
    let cases = [
        "",
        "plain",
        "exactly8",
        "sixteen bytes ok",
        "é and ü, 漢字",
        "\"",
        "tab\there",
        "in the tail\n",
        "1234567\\",
        "12345678\u{1}",
        "\u{1f}",
        "C:\\Windows\\System32\\winlogon.exe",
        "NT AUTHORITY\\SYSTEM and a long run after it, then \"quotes\"\r\n and\\",
        "\\\\server\\share\\a folder with a long name\\file.txt\u{0}",
        "\"quoted\" and \u{7f} and \u{8}\u{c}\r",
    ];
    // Every ASCII byte, at each place of a word and in the tail.
    let bytes: Vec<String> = (0u8..0x80)
        .flat_map(|b| (0..10).map(move |at| format!("{}{}{}", "a".repeat(at), b as char, "z")))
        .collect();
    // Two bytes to escape at every pair of places in strings of 0 to 24 characters, among
    // bytes past 0x7F (the flags must be exact up to the first, and the second found after
    // it, in a word or in the tail).
    let mut pairs = Vec::new();
    for len in 0..24 {
        for i in 0..len {
            for j in i + 1..len {
                for (a, b) in [('\\', '"'), ('\n', '\\'), ('"', '\u{1}')] {
                    let s: String = (0..len)
                        .map(|k| match k {
                            _ if k == i => a,
                            _ if k == j => b,
                            _ if k % 3 == 0 => 'é',
                            _ => 'x',
                        })
                        .collect();
                    pairs.push(s);
                }
            }
        }
    }
    for s in cases
        .iter()
        .copied()
        .chain(bytes.iter().map(String::as_str))
        .chain(pairs.iter().map(String::as_str))
    {
        let mut out = Vec::new();
        with_json(&mut out, |w| w.string(s));
        assert_eq!(out, serde_json::to_vec(s).unwrap(), "{s:?}");
    }
}

/// On every record of every sample: the JSON of the record visited straight from its values
/// (what `qe` of a file writes) is the JSON of its decoded event, byte for byte.
#[test]
fn visited_records_write_the_json_of_their_events_on_every_sample() {
    use evtlog::{ChunkDecoder, EvtxFile, TemplateCache};
    let Some(root) = std::env::var_os("EVTLOG_SAMPLES") else {
        eprintln!("EVTLOG_SAMPLES is not set: skipped");
        return;
    };
    let mut files = Vec::new();
    for dir in ["evtx-crate", "python-evtx", "plaso"] {
        if let Ok(entries) = std::fs::read_dir(std::path::Path::new(&root).join(dir)) {
            files.extend(
                entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.extension().is_some_and(|x| x == "evtx")),
            );
        }
    }
    assert!(!files.is_empty(), "no sample under {root:?}");
    let mut total = 0;
    // One state for every file: its memos met by records of many providers and templates.
    let mut state = JsonState::default();
    for path in &files {
        let mut file = EvtxFile::open(path).unwrap();
        let mut cache = TemplateCache::new();
        for chunk in file.chunks().flatten() {
            let mut decoder = ChunkDecoder::with_cache(&chunk, &mut cache);
            let mut general = ChunkDecoder::new(&chunk);
            for record in chunk.records().flatten() {
                let Ok(event) = general.decode(&record) else {
                    continue;
                };
                total += 1;
                let label = format!("{} record {}", path.display(), record.record_id());
                assert_visit_writes_the_decoded_event(
                    &mut decoder,
                    &record,
                    &event,
                    &mut state,
                    &label,
                );
            }
        }
    }
    assert!(total > 1000, "only {total} records");
}

/// `count` distinct names, every third value empty.
fn distinct_items(count: usize) -> (Vec<String>, Vec<DataItem>) {
    let names: Vec<String> = (0..count).map(|i| format!("Field{i}")).collect();
    let items: Vec<DataItem> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            DataItem::named(
                n.as_str(),
                if i % 3 == 0 {
                    Value::from("")
                } else {
                    Value::from(i as u32)
                },
            )
        })
        .collect();
    (names, items)
}

/// The short way's output of `items`: one member per item, in order.
fn check_distinct_output(names: &[String], items: &[DataItem]) {
    let mut out = Vec::new();
    write_event(
        &mut out,
        &with_body(Body::EventData(EventData {
            name: None,
            items: items.to_vec(),
        })),
    );
    let text = String::from_utf8(out).unwrap();
    let mut expected = String::from("\"EventData\":{");
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            expected.push(',');
        }
        let value = if i % 3 == 0 {
            "\"\"".to_string()
        } else {
            i.to_string()
        };
        expected.push_str(&format!("\"{n}\":{value}"));
    }
    expected.push_str("}}}");
    assert!(text.ends_with(&expected), "{text}");
}

/// Short strings that need no escape are quoted in a fixed buffer: exactly `"s"` for every
/// length up to 16 after any length already written, and none for longer ones or one byte
/// to escape at any place.
#[test]
fn short_strings_are_quoted_as_given() {
    // Letters, digits, punctuation and bytes past 0x7F: none needs an escape.
    let source: Vec<u8> = b"aZ09 -.%{}\xC3\xA9\xFF/:@bYcXdWeVfUgThSiRjQkPlOmN".to_vec();
    assert!(source.len() >= 40);
    for before in 0..20 {
        for n in 0..=source.len() {
            let mut out: Vec<u8> = (0..before as u8).collect();
            let mut want = out.clone();
            super::copy_escaped(&mut out, &source[..n]);
            want.push(b'"');
            want.extend_from_slice(&source[..n]);
            want.push(b'"');
            assert_eq!(out, want, "{before} then {n}");
            let quoted = super::escape::quoted_short(&source[..n]);
            assert_eq!(quoted.is_some(), n <= 16, "{n}");
            if let Some(q) = quoted {
                assert_eq!(&q[..n + 2], &want[before..], "{n}");
            }
            for at in 0..n {
                let mut escaped = source[..n].to_vec();
                escaped[at] = b'\n';
                assert!(super::escape::quoted_short(&escaped).is_none(), "{n} {at}");
            }
        }
    }
}

/// Records written to a log and visited straight from their values take the template's
/// keys (`keyed_members`) where their names allow, and write what their decoded events
/// write: names met twice in one template (the second is `A_1`), an empty name (left
/// out), an array value (one member, an array), names to escape, `Binary` and unnamed
/// items, and the same template again with other values (its keys kept).
#[test]
fn template_keys_write_what_the_general_rules_write() {
    use evtlog::{Array, ChunkDecoder, VariantType};
    let array = |items: Vec<Value>| Value::Array(Array::new(VariantType::UInt32, items).unwrap());
    let bodies: Vec<Vec<DataItem>> = vec![
        vec![DataItem::named("A", "1"), DataItem::named("B", 2u32)],
        vec![DataItem::named("A", "3"), DataItem::named("B", 4u32)],
        vec![
            DataItem::named("A", "1"),
            DataItem::named("B", 2u32),
            DataItem::named("A", "x"),
        ],
        vec![DataItem::named("", "e"), DataItem::named("C", 5u32)],
        vec![
            DataItem::named("N", array(vec![1u32.into(), 2u32.into()])),
            DataItem::named("M", 6u32),
        ],
        vec![
            DataItem::named("q\"uote", "a"),
            DataItem::named("back\\slash", "b"),
            DataItem::named("tab\t", "c"),
        ],
        vec![
            DataItem::named("A", "1"),
            DataItem::Binary(vec![1, 2]),
            DataItem::named("B", 2u32),
        ],
        vec![DataItem::unnamed("u"), DataItem::named("A", "1")],
        // Keys (`"name":`) of 32 bytes and 33, kept in a buffer of their own or not.
        vec![
            DataItem::named("N".repeat(29).as_str(), "a"),
            DataItem::named("M".repeat(30).as_str(), "b"),
            DataItem::named("L".repeat(90).as_str(), "c"),
            DataItem::named("x\"".repeat(14).as_str(), "d"),
        ],
    ];
    let mut file = evtx_of_bodies(&bodies);
    let keyed_before = super::KEYED.get();
    let mut state = JsonState::default();
    let mut count = 0;
    for chunk in file.chunks().flatten() {
        let mut decoder = ChunkDecoder::new(&chunk);
        let mut general = ChunkDecoder::new(&chunk);
        for record in chunk.records().flatten() {
            count += 1;
            let event = general.decode(&record).unwrap();
            let label = format!("record {}", record.record_id());
            assert_visit_writes_the_decoded_event(
                &mut decoder,
                &record,
                &event,
                &mut state,
                &label,
            );
        }
    }
    assert_eq!(count, bodies.len());
    // The first two, and the escaped names, at least.
    assert!(
        super::KEYED.get() - keyed_before >= 3,
        "the keys were not taken"
    );
}

/// A String's UTF-16 escaped in one pass is its decoded text escaped, on generated units:
/// ASCII letters and the bytes to escape, NUL (inside and trailing), non-ASCII, paired and
/// unpaired surrogates, in runs that fill whole blocks of eight or not, odd byte counts.
#[test]
fn utf16_strings_are_escaped_as_their_text() {
    use evtlog::Utf16;
    const UNITS: [u16; 17] = [
        0x61, 0x5A, 0x20, 0x22, 0x5C, 0x0A, 0x01, 0x1F, 0x7F, 0x80, 0xE9, 0x4E2D, 0xD83D, 0xDE00,
        0x0000, 0xFFFF, 0x2F,
    ];
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for case in 0..20_000 {
        let len = next(40);
        // Mostly plain letters (whole ASCII blocks), else any unit.
        let plain = case % 3 == 0;
        let mut bytes: Vec<u8> = (0..len)
            .flat_map(|_| {
                let u = if plain && next(8) != 0 {
                    0x61 + next(26) as u16
                } else {
                    UNITS[next(UNITS.len())]
                };
                u.to_le_bytes()
            })
            .collect();
        if case % 7 == 0 {
            bytes.push(0x41);
        }
        let u = Utf16::new(&bytes);
        let mut got = b"x".to_vec();
        super::copy_utf16_escaped(&mut got, u.units());
        let mut want = b"x".to_vec();
        super::copy_escaped(&mut want, u.to_text().as_bytes());
        assert_eq!(
            String::from_utf8_lossy(&got),
            String::from_utf8_lossy(&want),
            "{bytes:02x?}"
        );
    }
}

/// UTF-16 strings are escaped as serde_json escapes their text, and only those of at most
/// 16 ASCII units none to escape are quoted in a fixed buffer (`quoted_short_utf16`):
/// every ASCII unit, and units past 0x7F (Latin-1, wide, surrogates), at every place of
/// every length up to 40 (short ones, whole blocks of eight and the overlapping last
/// block), after any length already written.
#[test]
fn short_utf16_strings_are_quoted_as_their_text() {
    let mut specials: Vec<u16> = (0..0x80).collect();
    specials.extend([
        0x80, 0xE9, 0xFF, 0x100, 0x17F, 0x4E2D, 0x7F00, 0xD800, 0xDC00, 0xFFFF,
    ]);
    for n in 0..=40usize {
        for at in 0..n {
            for &special in &specials {
                let units: Vec<u16> = (0..n)
                    .map(|k| {
                        if k == at {
                            special
                        } else {
                            0x41 + (k % 26) as u16
                        }
                    })
                    .collect();
                let bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
                let text = String::from_utf16_lossy(&units);
                let want = serde_json::to_string(&text).unwrap();
                for before in [0usize, 3] {
                    let mut got: Vec<u8> = vec![b'x'; before];
                    super::copy_utf16_escaped(&mut got, &bytes);
                    assert_eq!(&got[..before], &vec![b'x'; before][..]);
                    assert_eq!(
                        String::from_utf8_lossy(&got[before..]),
                        want,
                        "{n} {at} {special:#x}"
                    );
                }
                let plain = (0x20..0x80).contains(&special) && special != 0x22 && special != 0x5C;
                let short = super::escape::quoted_short_utf16(&bytes);
                assert_eq!(short.is_some(), n <= 16 && plain, "{n} {at} {special:#x}");
                if let Some(q) = short {
                    assert_eq!(&q[..n + 2], want.as_bytes(), "{n} {at} {special:#x}");
                }
                // A last odd byte is no unit.
                let mut odd = bytes.clone();
                odd.push(0x41);
                assert_eq!(
                    super::escape::quoted_short_utf16(&odd).map(|q| q[..n + 2].to_vec()),
                    short.map(|q| q[..n + 2].to_vec())
                );
            }
        }
    }
}

/// The System heads a state keeps (`system::Heads`) never show: events that differ in one
/// field of the head each (provider name, GUID or source, EventID, qualifiers, version,
/// level, task, opcode, keywords, an empty name), or only past it, written in turns
/// through one state (so that they share and evict slots) are each written as through a
/// new state.
#[test]
fn kept_system_heads_write_what_a_new_state_writes() {
    let base = {
        let mut e = with_body(Body::None);
        e.system.provider.name = Some("P".into());
        e.system.event_id = 4624;
        e.system.version = Some(0);
        e.system.level = Some(0);
        e.system.task = Some(12544);
        e.system.opcode = Some(0);
        e.system.keywords = Some(0x8020_0000_0000_0000);
        e.system.event_record_id = Some(1);
        e
    };
    type Change = Box<dyn Fn(&mut Event)>;
    let variants: Vec<Change> = vec![
        Box::new(|_| {}),
        Box::new(|e| e.system.provider.name = Some("Q".into())),
        Box::new(|e| e.system.provider.name = Some("".into())),
        Box::new(|e| e.system.provider.name = None),
        Box::new(|e| e.system.provider.guid = Some(Guid::from_u128(7))),
        Box::new(|e| e.system.provider.event_source_name = Some("S".into())),
        Box::new(|e| e.system.event_id = 4625),
        Box::new(|e| e.system.qualifiers = Some(16384)),
        Box::new(|e| e.system.version = Some(1)),
        Box::new(|e| e.system.level = None),
        Box::new(|e| e.system.task = Some(12545)),
        Box::new(|e| e.system.opcode = Some(1)),
        Box::new(|e| e.system.keywords = Some(0x8010_0000_0000_0000)),
        Box::new(|e| e.system.keywords = None),
        Box::new(|e| e.system.event_record_id = Some(2)),
        // A field present as 0 against absent, for each field that may be absent.
        Box::new(|e| e.system.provider.guid = Some(Guid::from_u128(0))),
        Box::new(|e| e.system.qualifiers = Some(0)),
        Box::new(|e| e.system.version = None),
        Box::new(|e| e.system.task = None),
        Box::new(|e| e.system.task = Some(0)),
        Box::new(|e| e.system.opcode = None),
        Box::new(|e| e.system.keywords = Some(0)),
    ];
    let mut state = JsonState::default();
    for round in 0..3u16 {
        for (i, change) in variants.iter().enumerate() {
            // Many EventIDs too, to fill every pair of slots.
            for id_shift in [0u16, 64, 256 * (round + 1)] {
                let mut event = base.clone();
                change(&mut event);
                event.system.event_id = event.system.event_id.wrapping_add(id_shift);
                let mut got = Vec::new();
                super::write_event(&mut got, &mut state, &event);
                let mut want = Vec::new();
                write_event(&mut want, &event);
                assert_eq!(
                    String::from_utf8_lossy(&got),
                    String::from_utf8_lossy(&want),
                    "round {round} variant {i} shift {id_shift}"
                );
            }
        }
    }
}

/// `<Binary>` is its bytes in uppercase hex, quoted (empty: `null`, or `""` where a `Data`
/// would be): every byte value, at every length up to 40, after any length already written.
#[test]
fn binary_is_its_bytes_in_uppercase_hex() {
    let all: Vec<u8> = (0..=255).collect();
    let check = |before: usize, bytes: &[u8], empty_as_string: bool| {
        let mut out: Vec<u8> = vec![b'x'; before];
        with_json(&mut out, |w| w.binary(bytes, empty_as_string));
        let mut want = "x".repeat(before);
        if bytes.is_empty() {
            want.push_str(if empty_as_string { "\"\"" } else { "null" });
        } else {
            want.push('"');
            for b in bytes {
                want.push_str(&format!("{b:02X}"));
            }
            want.push('"');
        }
        assert_eq!(String::from_utf8(out).unwrap(), want, "{before} {bytes:?}");
    };
    check(0, &all, false);
    check(3, &all, true);
    for n in 0..=40 {
        for before in [0, 1, 7] {
            let bytes: Vec<u8> = all.iter().rev().skip(n * 5).take(n).copied().collect();
            check(before, &bytes, false);
            check(before, &bytes, true);
        }
    }
}

/// `EventData` items with `<Binary>` among them, for the short ways.
fn binary_bodies() -> Vec<Vec<DataItem>> {
    vec![
        // Service Control Manager's shape.
        vec![
            DataItem::named("param1", "Netlogon"),
            DataItem::named("param2", "stopped"),
            DataItem::Binary(vec![0x4e, 0x00, 0xff]),
        ],
        vec![DataItem::Binary(vec![1])],
        vec![DataItem::Binary(vec![])],
        // The second and third `Binary` are numbered, an empty one is `null`.
        vec![
            DataItem::Binary(vec![1, 2]),
            DataItem::named("A", "a"),
            DataItem::Binary(vec![]),
            DataItem::Binary(vec![0xab]),
        ],
        // A `Data` named `Binary` is counted apart from the element.
        vec![
            DataItem::named("Binary", "text"),
            DataItem::Binary(vec![7]),
            DataItem::named("B", 2u32),
        ],
    ]
}

/// Runs `write` on a JSON writer into `out` with fresh name counts and state.
fn with_json<'e, R>(out: &mut Vec<u8>, write: impl FnOnce(&mut super::Json<'_, '_, 'e>) -> R) -> R {
    let mut names = super::children::NameCounts::new();
    let mut st = JsonState::default();
    write(&mut super::Json {
        out,
        names: &mut names,
        st: &mut st,
    })
}

/// The general rules' `EventData` object of `items` (`children`, no short way).
fn general_event_data(items: &[DataItem]) -> String {
    let mut out = Vec::new();
    with_json(&mut out, |w| {
        w.raw(b"{");
        w.children(items, true, false);
        w.raw(b"}");
    });
    String::from_utf8(out).unwrap()
}

/// Items with `<Binary>` take the one-pass writer (`distinct_members`) and write what the
/// general rules write; a `Data` name met again after a `Binary` still does not.
#[test]
fn binary_items_take_the_distinct_way_with_the_same_output() {
    for items in binary_bodies() {
        let mut out = b"{".to_vec();
        with_json(&mut out, |w| {
            assert!(w.distinct_members(items.as_slice(), false), "{items:?}");
            w.raw(b"}");
        });
        assert_eq!(
            String::from_utf8(out).unwrap(),
            general_event_data(&items),
            "{items:?}"
        );
    }
    let repeated = vec![
        DataItem::named("A", "1"),
        DataItem::Binary(vec![1]),
        DataItem::named("A", "2"),
    ];
    let mut out = Vec::new();
    assert!(!with_json(&mut out, |w| w.distinct_members(repeated.as_slice(), false)));
    assert!(out.is_empty());
    assert_eq!(
        general_event_data(&repeated),
        r#"{"A":"1","Binary":"01","A_1":"2"}"#
    );
}

/// An EVTX file of one event of provider `P` a body, each an `EventData` of those items.
fn evtx_of_bodies(bodies: &[Vec<DataItem>]) -> evtlog::EvtxFile<std::io::Cursor<Vec<u8>>> {
    let mut writer = evtlog::EvtxWriter::new(std::io::Cursor::new(Vec::new())).unwrap();
    for items in bodies {
        let mut event = with_body(Body::EventData(EventData {
            name: None,
            items: items.clone(),
        }));
        event.system.provider.name = Some("P".into());
        writer.write(&event).unwrap();
    }
    evtlog::EvtxFile::from_bytes(writer.finish().unwrap().into_inner()).unwrap()
}

/// Records with `<Binary>` visited straight from their values take their template's keys
/// (`keyed_members`) and write the general rules' `EventData`.
#[test]
fn binary_items_take_the_template_keys_with_the_same_output() {
    use evtlog::ChunkDecoder;
    let bodies = binary_bodies();
    let mut file = evtx_of_bodies(&bodies);
    let mut state = JsonState::default();
    let mut count = 0;
    for chunk in file.chunks().flatten() {
        let mut decoder = ChunkDecoder::new(&chunk);
        for record in chunk.records().flatten() {
            let items = &bodies[count];
            count += 1;
            let keyed_before = super::KEYED.get();
            let mut got = Vec::new();
            decoder
                .visit(&record, &mut super::JsonWriter::new(&mut got, &mut state))
                .unwrap();
            assert_eq!(super::KEYED.get(), keyed_before + 1, "{items:?}");
            let got = String::from_utf8(got).unwrap();
            let data = got
                .split_once(",\"EventData\":")
                .and_then(|(_, data)| data.strip_suffix("}}"))
                .unwrap_or_else(|| panic!("{got}"));
            assert_eq!(data, general_event_data(items), "{items:?}");
        }
    }
    assert_eq!(count, bodies.len());
}

/// The last `Channel` kept never shows: channels one after another (the same, another of
/// the same length, a prefix, a longer one, empty, absent, one to escape) through one state
/// write what a new state writes for each.
#[test]
fn kept_channels_write_what_a_new_state_writes() {
    let channels = [
        Some("System"),
        Some("System"),
        Some("Systen"),
        Some("System"),
        Some("Syste"),
        Some("Systems"),
        Some(""),
        Some("System"),
        None,
        Some("System"),
        Some("Sys\"tem"),
        Some("Sys\"tem"),
        Some("Sys\\tem"),
        Some("System"),
    ];
    let mut state = JsonState::default();
    for (i, channel) in channels.into_iter().enumerate() {
        let mut event = with_body(Body::None);
        event.system.channel = channel.map(Into::into);
        let mut got = Vec::new();
        super::write_event(&mut got, &mut state, &event);
        let mut want = Vec::new();
        write_event(&mut want, &event);
        let got = String::from_utf8(got).unwrap();
        assert_eq!(got, String::from_utf8(want).unwrap(), "{i}: {channel:?}");
        let member = match channel {
            None => None,
            Some("") => Some(json!(null)),
            Some(text) => Some(json!(text)),
        };
        let parsed: Json = serde_json::from_str(&got).unwrap();
        assert_eq!(
            parsed["Event"]["System"].get("Channel").cloned(),
            member,
            "{i}"
        );
    }
}
