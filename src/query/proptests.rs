//! Property tests: random queries of the whole subset on random events; the compiled filter,
//! the general evaluator and the naive oracle over the rendered XML must give one answer.
//!
//! Queries come from a grammar generator whose literals and names are drawn mostly from the
//! event at hand (its rendered texts, attribute values, element and `Data` names, times and
//! the time differences to `now`), so that comparisons hit, miss and land on boundaries.

use std::sync::{Arc, OnceLock};

use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};

use super::eval::{self, Scratch};
use super::naive::{self, Child, Elem};
use super::parser;
use super::value::{parse_number, Typed};
use super::XPathFilter;
use crate::event::{
    Array, Attribute, Body, Correlation, DataItem, Element, Event, EventData, Execution, FileTime,
    Guid, Node, Provider, Security, Sid, System, SystemTime, Value, VariantType,
};
use crate::gen::{Generator, Profile};

// ---------------------------------------------------------------------------------------------
// Events

/// Generated events of every profile, made once.
fn generated_pool() -> &'static [Event] {
    static POOL: OnceLock<Vec<Event>> = OnceLock::new();
    POOL.get_or_init(|| {
        let mut events = Vec::new();
        for seed in [1, 7, 42] {
            let mut g = Generator::new(seed);
            for i in 0..200 {
                events.push(g.next_event(Profile::ALL[i % Profile::ALL.len()]));
            }
        }
        events
    })
}

const GUIDS: [u128; 3] = [
    0x54849625_5478_4994_a5ba_3e3b0328c30d,
    0x00000000_0000_0000_0000_000000000000,
    0xffffffff_ffff_ffff_ffff_ffffffffffff,
];

fn guid() -> impl Strategy<Value = Guid> {
    prop_oneof![
        3 => select(GUIDS.to_vec()).prop_map(Guid::from_u128),
        1 => any::<u128>().prop_map(Guid::from_u128),
    ]
}

fn sid() -> impl Strategy<Value = Sid> {
    prop_oneof![
        2 => select(vec![(5u64, vec![18u32]), (5, vec![21, 1, 2, 3, 500]), (1, vec![0])]),
        1 => (0u64..(1 << 48), vec(any::<u32>(), 0..5)),
    ]
    .prop_map(|(a, subs)| Sid::new(a, &subs).unwrap())
}

fn file_time() -> impl Strategy<Value = FileTime> {
    const START: u64 = 133_485_408_000_000_000; // 2024-01-01T00:00:00Z
    prop_oneof![
        3 => (0u64..10_000_000_000).prop_map(|d| FileTime(START + d)),
        1 => (0u64..2_650_467_743_999_999_999).prop_map(FileTime),
    ]
}

/// Text that looks like every literal type, plus escapes, whitespace, NUL and non-ASCII.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-zA-Z0-9 _.-]{0,10}",
        2 => select(vec![
            "Bob", "bob", "BOB", "4624", " 42 ", "-7", "0x1F", "0X10", "1.5", "007", "", " ",
            "{54849625-5478-4994-A5BA-3E3B0328C30D}", "54849625-5478-4994-A5BA-3E3B0328C30D",
            "S-1-5-18", "s-1-5-18", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00.1234567Z",
            "2024-01-01 00:00:00", "true", "NaN", "ÉLAN", "élan", "Straße", "İ",
            "99999999999999999999999", "18446744073709551615", "-18446744073709551615",
        ])
        .prop_map(str::to_owned),
        // No NUL: a value holding NUL is compared as it is, a documented gap (value.rs).
        1 => "[&<>'\"\r\n\t a-cé✓]{0,8}",
    ]
}

fn scalar_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        text().prop_map(Value::String),
        text().prop_map(Value::String),
        text().prop_map(Value::String),
        text().prop_map(Value::AnsiString),
        any::<i8>().prop_map(Value::SByte),
        any::<u8>().prop_map(Value::Byte),
        any::<i16>().prop_map(Value::Int16),
        (0u16..10).prop_map(Value::UInt16),
        any::<i32>().prop_map(Value::Int32),
        any::<u32>().prop_map(Value::UInt32),
        any::<i64>().prop_map(Value::Int64),
        any::<u64>().prop_map(Value::UInt64),
        any::<f32>().prop_map(Value::Single),
        prop_oneof![Just(1.5), Just(-0.25), any::<f64>()].prop_map(Value::Double),
        any::<bool>().prop_map(Value::Boolean),
        vec(any::<u8>(), 0..6).prop_map(Value::Binary),
        guid().prop_map(Value::Guid),
        any::<u64>().prop_map(Value::SizeT),
        file_time().prop_map(Value::FileTime),
        file_time().prop_map(|t| Value::SysTime(SystemTime::from_file_time(t))),
        sid().prop_map(Value::Sid),
        (0u32..0x100).prop_map(Value::HexInt32),
        any::<u64>().prop_map(Value::HexInt64),
        // An XML fragment is written unescaped: plain text only, or it would change the tree.
        "[a-z0-9 ]{0,6}".prop_map(Value::Xml),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        8 => scalar_value(),
        1 => vec(0u16..5, 0..3).prop_map(|v| {
            Value::Array(Array::new(VariantType::UInt16, v.into_iter().map(Value::UInt16).collect()).unwrap())
        }),
        1 => vec(text(), 0..3).prop_map(|v| {
            Value::Array(Array::new(VariantType::String, v.into_iter().map(Value::String).collect()).unwrap())
        }),
    ]
}

const ELEMENT_NAMES: [&str; 8] = [
    "Name",
    "Value",
    "Item",
    "Data",
    "ns:Name",
    "auto-ns3:EventXML",
    "PrinterName",
    "Param",
];
const ATTRIBUTE_NAMES: [&str; 4] = ["Name", "Id", "ns:Id", "xmlns:ns"];

fn attributes() -> impl Strategy<Value = Vec<Attribute>> {
    vec((select(ATTRIBUTE_NAMES.to_vec()), scalar_value()), 0..3).prop_map(|attrs| {
        let mut seen = std::collections::HashSet::new();
        attrs
            .into_iter()
            .filter(|(n, v)| seen.insert(*n) && !matches!(v, Value::Xml(_)))
            .map(|(name, value)| Attribute {
                name: name.to_owned(),
                value,
            })
            .collect()
    })
}

fn element() -> impl Strategy<Value = Element> {
    let leaf = (
        select(ELEMENT_NAMES.to_vec()),
        attributes(),
        vec(value().prop_map(Node::Value), 0..2),
    )
        .prop_map(|(name, attributes, children)| Element {
            name: name.to_owned(),
            attributes,
            children,
        });
    leaf.prop_recursive(3, 16, 4, |inner| {
        let node = prop_oneof![
            4 => inner.prop_map(Node::Element),
            2 => value().prop_map(Node::Value),
            1 => "[a-z0-9\\]>\r\n ]{0,8}".prop_map(Node::CData),
            1 => Just(Node::ProcessingInstruction { target: "pi".into(), data: "x".into() }),
        ];
        (
            select(ELEMENT_NAMES.to_vec()),
            attributes(),
            vec(node, 0..4),
        )
            .prop_map(|(name, attributes, children)| Element {
                name: name.to_owned(),
                attributes,
                children,
            })
    })
}

fn system() -> impl Strategy<Value = System> {
    let provider = (
        of(select(vec![
            "Microsoft-Windows-Security-Auditing",
            "Service Control Manager",
            "App'1",
            "ÉLAN",
            "",
        ])
        .prop_map(str::to_owned)),
        of(guid()),
        of(select(vec!["Source", "4624"]).prop_map(str::to_owned)),
    )
        .prop_map(|(name, guid, event_source_name)| Provider {
            name,
            guid,
            event_source_name,
        });
    let small = || of(prop_oneof![0u8..5, any::<u8>()]);
    let ids = (
        prop_oneof![select(vec![0u16, 1, 4624, 7036]), any::<u16>()],
        of(prop_oneof![Just(0x8000u16), any::<u16>()]),
        small(),
        small(),
        of(prop_oneof![Just(12544u16), any::<u16>()]),
        small(),
        of(prop_oneof![
            select(vec![
                0u64,
                0x8020_0000_0000_0000,
                0x10,
                0x8000_0000_0000_0000
            ]),
            any::<u64>()
        ]),
    );
    let rest = (
        of(file_time()),
        of(prop_oneof![0u64..10, any::<u64>()]),
        of((of(guid()), of(guid())).prop_map(|(a, r)| Correlation {
            activity_id: a,
            related_activity_id: r,
        })),
        of(
            (0u32..5000, 0u32..5000, of(any::<u8>()), of(any::<u64>())).prop_map(
                |(p, t, cpu, pt)| Execution {
                    process_id: p,
                    thread_id: t,
                    processor_id: cpu,
                    processor_time: pt,
                    ..Execution::default()
                },
            ),
        ),
        of(select(vec!["Security", "System", "Application", "", "a<b"]).prop_map(str::to_owned)),
        of(select(vec!["DC01", "dc01.corp", "", "4624"]).prop_map(str::to_owned)),
        of(of(sid()).prop_map(|user_id| Security { user_id })),
    );
    (provider, ids, rest).prop_map(
        |(
            provider,
            (event_id, qualifiers, version, level, task, opcode, keywords),
            (time_created, event_record_id, correlation, execution, channel, computer, security),
        )| System {
            provider,
            event_id,
            qualifiers,
            version,
            level,
            task,
            opcode,
            keywords,
            time_created,
            event_record_id,
            correlation,
            execution,
            channel,
            computer,
            security,
        },
    )
}

fn data_item() -> impl Strategy<Value = DataItem> {
    let data_name = select(vec![
        "TargetUserName",
        "LogonType",
        "Image",
        "param1",
        "Name",
    ]);
    prop_oneof![
        6 => (of(data_name), value()).prop_map(|(name, value)| DataItem::Data { name: name.map(str::to_owned), value }),
        1 => vec(any::<u8>(), 0..6).prop_map(DataItem::Binary),
        1 => element().prop_map(DataItem::Element),
    ]
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        1 => Just(Body::None),
        4 => (of(Just("Template".to_owned())), vec(data_item(), 0..6))
            .prop_map(|(name, items)| Body::EventData(EventData { name, items })),
        3 => vec(prop_oneof![4 => element().prop_map(Node::Element), 1 => value().prop_map(Node::Value)], 0..3)
            .prop_map(Body::UserData),
        1 => (select(vec!["BinaryEventData", "DebugData"]), vec(value().prop_map(Node::Value), 0..2))
            .prop_map(|(name, children)| Body::Other(Element { name: name.to_owned(), attributes: Vec::new(), children })),
    ]
}

/// Events of odd shapes: absent optional fields, unnamed Data, typed values of every kind,
/// Binary, UserData trees, other sections and RenderingInfo.
fn built_event() -> impl Strategy<Value = Event> {
    (system(), body(), of(element())).prop_map(|(system, body, info)| Event {
        system,
        body,
        rendering_info: info.map(|e| Element {
            name: "RenderingInfo".to_owned(),
            ..e
        }),
    })
}

fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        1 => (0..generated_pool().len()).prop_map(|i| generated_pool()[i].clone()),
        1 => built_event(),
    ]
}

// ---------------------------------------------------------------------------------------------
// What the event offers to queries

/// Names and values harvested from one rendered event.
#[derive(Debug)]
struct Pool {
    /// Element texts and attribute values.
    strings: Vec<String>,
    /// Element local names (excluding Event and System).
    elements: Vec<String>,
    /// Attribute names, unprefixed.
    attributes: Vec<String>,
    /// `Name` attributes.
    data_names: Vec<String>,
    /// Integers the strings read as, with neighbours.
    ints: Vec<i128>,
    /// Times the strings read as.
    times: Vec<FileTime>,
    /// `now − t` in ms for those times, with neighbours.
    diffs: Vec<i128>,
    /// Strings that read as GUIDs, and as SIDs.
    guids: Vec<String>,
    sids: Vec<String>,
}

impl Pool {
    fn of(event: &Event, now: FileTime) -> Pool {
        fn walk(e: &Elem, p: &mut Pool) {
            if e.name != "Event" && e.name != "System" {
                p.elements.push(e.name.clone());
            }
            p.strings.push(e.text());
            for (k, v) in &e.attrs {
                if !k.contains(':') && k != "xmlns" {
                    p.attributes.push(k.clone());
                }
                if k == "Name" {
                    p.data_names.push(v.clone());
                }
                p.strings.push(v.clone());
            }
            for c in &e.children {
                if let Child::Elem(c) = c {
                    walk(c, p);
                }
            }
        }
        let mut p = Pool {
            strings: vec!["bob".into(), "4624".into(), "x".into()],
            elements: vec!["Name".into(), "Data".into()],
            attributes: vec!["Name".into()],
            data_names: vec!["TargetUserName".into(), "LogonType".into()],
            ints: vec![0, 1, 3, 4, 4624, -1],
            times: vec![FileTime(133_485_408_000_000_000)],
            diffs: vec![0, 1000, 3_600_000, 86_400_000],
            guids: vec!["{54849625-5478-4994-A5BA-3E3B0328C30D}".into()],
            sids: vec!["S-1-5-18".into()],
        };
        walk(&naive::dom(event), &mut p);
        p.strings.retain(|s| !s.is_empty());
        for s in &p.strings {
            if let Some(Typed::Int(v)) = parse_number(s) {
                p.ints.extend([v, v - 1, v + 1]);
            }
            if let Some(t) = FileTime::parse(s) {
                p.times.push(t);
            }
            match Typed::infer(s) {
                Typed::Guid(_) => p.guids.push(s.clone()),
                Typed::Sid(_) => p.sids.push(s.clone()),
                _ => {}
            }
        }
        for t in &p.times {
            let ms = (i128::from(now.0) - i128::from(t.0)) / 10_000;
            p.diffs.extend([ms, ms - 1, ms + 1, -ms]);
        }
        p.elements.dedup();
        p
    }
}

fn quote(s: &str, double: bool) -> String {
    if s.contains('\'') && s.contains('"') {
        "'x'".to_owned()
    } else if s.contains('\'') || (double && !s.contains('"')) {
        format!("\"{s}\"")
    } else {
        format!("'{s}'")
    }
}

fn number(v: i128, form: u8) -> String {
    match form {
        0 if v >= 0 => format!("0x{v:x}"),
        1 if v >= 0 => format!("0x{v:X}"),
        _ => v.to_string(),
    }
}

fn op() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        6 => Just("="),
        2 => Just("!="),
        1 => Just("<"),
        1 => Just("<="),
        1 => Just(" > "),
        1 => Just(">="),
    ]
}

/// A literal of any syntax, drawn mostly from the pool.
fn literal(p: &Arc<Pool>) -> BoxedStrategy<String> {
    let strings = select(p.strings.clone());
    let ints = select(p.ints.clone());
    let times = select(p.times.clone());
    prop_oneof![
        5 => (strings, any::<bool>(), 0..4u8).prop_map(|(s, double, case)| {
            let s = match case {
                0 => s.to_uppercase(),
                1 => s.to_lowercase(),
                _ => s,
            };
            quote(&s, double)
        }),
        3 => (ints.clone(), 0..4u8).prop_map(|(v, form)| number(v, form)),
        1 => (ints, any::<bool>()).prop_map(|(v, double)| quote(&v.to_string(), double)),
        1 => (times, 0..3u8).prop_map(|(t, form)| {
            let s = t.to_string();
            quote(match form {
                0 => &s,
                1 => &s[..19],
                _ => s.trim_end_matches('Z'),
            }, false)
        }),
        1 => select(vec![
            "1.5", "-0.5", "'1.5'", "''", "'{54849625-5478-4994-A5BA-3E3B0328C30D}'",
            "'S-1-5-18'", "'S-1-5-21-1-2-3-500'", "\"Bob\"", "'0x3e7'", "18446744073709551615",
            "-18446744073709551615", "'true'",
        ])
        .prop_map(str::to_owned),
    ]
    .boxed()
}

/// A literal of the type a typed attribute holds: mostly GUIDs (or SIDs) from the pool.
fn typed_literal(p: &Arc<Pool>, sid: bool) -> BoxedStrategy<String> {
    let values = select(if sid { p.sids.clone() } else { p.guids.clone() });
    prop_oneof![
        6 => (values, 0..3u8, any::<bool>()).prop_map(|(v, case, double)| {
            let v = match case {
                0 => v.to_lowercase(),
                1 => v.to_uppercase(),
                _ => v,
            };
            quote(&v, double)
        }),
        1 => literal(p),
    ]
    .boxed()
}

/// A numeric literal (for fields, positions and timediff).
fn num_literal(p: &Arc<Pool>, from_diffs: bool) -> BoxedStrategy<String> {
    let values = select(if from_diffs {
        p.diffs.clone()
    } else {
        // Unsigned fields reject negative literals; keep a few.
        let mut v: Vec<i128> = p.ints.iter().copied().filter(|&v| v >= 0).collect();
        v.push(-1);
        v
    });
    prop_oneof![
        6 => (values, 0..4u8).prop_map(|(v, form)| number(v, form)),
        1 => select(vec!["1.5", "'7'", "0"]).prop_map(str::to_owned),
    ]
    .boxed()
}

fn cmp<S: std::fmt::Display + std::fmt::Debug>(
    path: impl Strategy<Value = S> + 'static,
    lit: BoxedStrategy<String>,
) -> BoxedStrategy<String> {
    (path, op(), lit)
        .prop_map(|(p, o, l)| format!("{p}{o}{l}"))
        .boxed()
}

fn mask(p: &Arc<Pool>) -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..64).prop_map(|b| format!("0x{:x}", 1u64 << b)),
        select(p.ints.iter().map(|v| v.unsigned_abs()).collect::<Vec<_>>())
            .prop_map(|v| v.to_string()),
        Just("0x8020000000000000".to_owned()),
    ]
}

/// `and`, `or` and parentheses over `atom`.
fn combine(atom: BoxedStrategy<String>) -> BoxedStrategy<String> {
    atom.prop_recursive(2, 6, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} and {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} or {b}")),
            inner.prop_map(|a| format!("({a})")),
        ]
    })
    .boxed()
}

const INT_LEAVES: [&str; 7] = [
    "EventID",
    "Level",
    "Task",
    "Opcode",
    "Version",
    "Keywords",
    "EventRecordID",
];

/// A path and comparison that can follow `System/` (no predicate on the first step).
fn system_path_atom(p: &Arc<Pool>) -> BoxedStrategy<String> {
    let lit = literal(p);
    let n = num_literal(p, false);
    let time = select(p.times.clone()).prop_map(|t| format!("'{t}'"));
    prop_oneof![
        6 => cmp(select(INT_LEAVES.to_vec()), n.clone()),
        1 => cmp(select(INT_LEAVES.to_vec()), lit.clone()),
        2 => cmp(select(vec!["Channel", "Computer", "Provider/@Name", "Provider/@EventSourceName"]), lit.clone()),
        2 => cmp(select(vec!["Provider/@Guid", "Correlation/@ActivityID", "Correlation/@RelatedActivityID"]), typed_literal(p, false)),
        1 => cmp(Just("Security/@UserID"), typed_literal(p, true)),
        1 => cmp(select(vec!["Execution/@ProcessID", "Execution/@ThreadID", "Execution/@ProcessorID", "EventID/@Qualifiers"]), n.clone()),
        1 => cmp(Just("TimeCreated/@SystemTime"), time.boxed()),
        1 => cmp(select(vec!["Channel/text()", "Computer[1]", "Channel[2]", "Computer[position() > 1]"]), lit.clone()),
        1 => cmp(select(vec!["EventID/text()", "Keywords/text()", "EventID[1]", "Level[position()=1]", "EventID[position() > 1]"]), n.clone()),
        1 => select(vec!["Correlation", "Security", "Execution", "Provider/@Guid", "Security/@UserID", "TimeCreated", "Channel/text()", "Version", "Computer"]).prop_map(str::to_owned),
        1 => cmp(select(vec!["*", "*/@Name", "*/@SystemTime", "*/text()"]), lit),
    ]
    .boxed()
}

/// An atom inside `System[...]`.
fn system_atom(p: &Arc<Pool>) -> BoxedStrategy<String> {
    let lit = literal(p);
    let n = num_literal(p, false);
    let diff = num_literal(p, true);
    let time = select(p.times.clone())
        .prop_map(|t| format!("'{t}'"))
        .boxed();
    prop_oneof![
        6 => system_path_atom(p),
        1 => cmp(select(vec!["Provider[@Name", "Provider[@EventSourceName"]), lit.clone())
            .prop_map(|s| format!("{s}]")),
        1 => cmp(select(vec!["Provider[@Guid", "Correlation[@ActivityID"]), typed_literal(p, false))
            .prop_map(|s| format!("{s}]")),
        1 => cmp(Just("Security[@UserID"), typed_literal(p, true)).prop_map(|s| format!("{s}]")),
        1 => cmp(Just("Execution[@ProcessID"), n.clone()).prop_map(|s| format!("{s}]")),
        1 => cmp(Just("TimeCreated[@SystemTime"), time.clone()).prop_map(|s| format!("{s}]")),
        2 => cmp(Just("TimeCreated[timediff(@SystemTime)"), diff.clone()).prop_map(|s| format!("{s}]")),
        1 => cmp(Just("timediff(TimeCreated/@SystemTime)"), diff.clone()),
        1 => (time.clone(), op(), diff.clone(), any::<bool>()).prop_map(|(t, o, d, first)| if first {
            format!("timediff(TimeCreated/@SystemTime, {t}){o}{d}")
        } else {
            format!("timediff({t}, TimeCreated/@SystemTime){o}{d}")
        }),
        1 => cmp(Just("timediff(TimeCreated/@SystemTime, TimeCreated/@SystemTime)"), select(vec!["0".to_owned(), "1".to_owned()]).boxed()),
        2 => (select(vec!["Keywords", "EventID", "EventRecordID", "Channel", "*"]), mask(p)).prop_map(|(f, m)| format!("band({f}, {m})")),
        1 => cmp(select(vec!["EventID[@Qualifiers", "Level[text()", "EventID[position()"]), n).prop_map(|s| format!("{s}]")),
    ]
    .boxed()
}

/// A path and comparison that can follow `EventData/`.
fn event_data_path_atom(p: &Arc<Pool>) -> BoxedStrategy<String> {
    let lit = literal(p);
    let name = select(p.data_names.clone()).prop_flat_map(|n| {
        (Just(n), any::<bool>(), 0..4u8).prop_map(|(n, double, case)| {
            let n = if case == 0 { n.to_uppercase() } else { n };
            quote(&n, double)
        })
    });
    let named = name.prop_map(|n| format!("Data[@Name={n}]")).boxed();
    prop_oneof![
        6 => cmp(named.clone(), lit.clone()),
        1 => named.clone(),
        1 => cmp(named.clone().prop_map(|d| format!("{d}/text()")), lit.clone()),
        1 => cmp(named.clone().prop_map(|d| format!("{d}[1]")), lit.clone()),
        2 => cmp(Just("Data"), lit.clone()),
        2 => cmp((1u64..4).prop_map(|i| format!("Data[{i}]")), lit.clone()),
        2 => cmp((op(), 0i64..4).prop_map(|(o, i)| format!("Data[position(){o}{i}]")), lit.clone()),
        1 => cmp((1u64..3, named).prop_map(|(i, d)| format!("{d}[position()={i}]")), lit.clone()),
        1 => cmp(select(vec!["Data/text()", "Binary", "Data/@Name", "@Name", "*", "*/@Id", "*/*"]), lit),
        1 => select(vec!["Data", "Data[2]", "Binary", "Data[text()]", "ComplexData", "@Name"]).prop_map(str::to_owned),
    ]
    .boxed()
}

/// An atom inside `EventData[...]`.
fn event_data_atom(p: &Arc<Pool>) -> BoxedStrategy<String> {
    let diff = num_literal(p, true);
    let names = select(p.data_names.clone());
    prop_oneof![
        6 => event_data_path_atom(p),
        1 => (names.clone(), mask(p)).prop_map(|(n, m)| format!("band(Data[@Name={}], {m})", quote(&n, false))),
        1 => cmp(names.prop_map(|n| format!("timediff(Data[@Name={}])", quote(&n, false))), diff),
    ]
    .boxed()
}

/// An atom at the event (inside `*[...]`).
fn event_atom(p: &Arc<Pool>) -> BoxedStrategy<String> {
    let lit = literal(p);
    let name = select(p.elements.clone());
    let attr = select(p.attributes.clone());
    let user_path =
        (0..8u8, name.clone(), name, attr, 1u64..3).prop_map(|(form, a, b, at, i)| match form {
            0 => format!("UserData/*/{a}"),
            1 => format!("UserData/*/{a}/{b}"),
            2 => format!("UserData/*/@{at}"),
            3 => format!("UserData/*/{a}/@{at}"),
            4 => format!("UserData/*/{a}/text()"),
            5 => format!("UserData/*[{i}]/{a}"),
            6 => format!("RenderingInfo/{a}"),
            _ => format!("*/*/{a}[{i}]"),
        });
    let sys_inner = combine(system_atom(p));
    let ed_inner = combine(event_data_atom(p));
    prop_oneof![
        5 => sys_inner.prop_map(|s| format!("System[{s}]")),
        3 => system_path_atom(p).prop_map(|s| format!("System/{s}")),
        4 => ed_inner.prop_map(|s| format!("EventData[{s}]")),
        3 => event_data_path_atom(p).prop_map(|s| format!("EventData/{s}")),
        3 => cmp(user_path.clone(), lit.clone()),
        1 => user_path,
        1 => (select(vec!["*", "*/Data", "*/*"]), op(), lit.clone()).prop_map(|(a, o, l)| format!("UserData/{a}{o}{l}")),
        1 => select(vec!["UserData", "EventData", "RenderingInfo", "UserData/*", "*/text()", "UserData/text()"]).prop_map(str::to_owned),
        1 => cmp(select(vec!["UserData", "*", "System", "*/@Name", "DebugData", "BinaryEventData"]), lit),
        1 => mask(p).prop_map(|m| format!("band(System/Keywords, {m})")),
        1 => num_literal(p, true).prop_map(|d| format!("timediff(System/TimeCreated/@SystemTime) <= {d}")),
    ]
    .boxed()
}

/// A whole query.
fn query(p: &Arc<Pool>) -> BoxedStrategy<String> {
    let at_event = combine(event_atom(p));
    prop_oneof![
        1 => select(vec!["*", "Event", "*[System]", "Event[UserData]"]).prop_map(str::to_owned),
        8 => (select(vec!["*", "Event"]), at_event.clone()).prop_map(|(s, e)| format!("{s}[{e}]")),
        2 => system_path_atom(p).prop_map(|s| format!("Event/System/{s}")),
        2 => combine(system_atom(p)).prop_map(|s| format!("*[System[{s}]]")),
        1 => combine(system_atom(p)).prop_map(|s| format!("Event/System[{s}]")),
        1 => event_data_path_atom(p).prop_map(|s| format!("*/EventData/{s}")),
        1 => (at_event.clone(), at_event).prop_map(|(a, b)| format!("*[{a}] or Event[{b}]")),
    ]
    .boxed()
}

/// `now`: near the event's time (both sides, on millisecond boundaries) or anywhere.
fn now_for(event: &Event) -> BoxedStrategy<FileTime> {
    let t = event
        .system
        .time_created
        .unwrap_or(FileTime(133_485_408_000_000_000));
    prop_oneof![
        1 => Just(t),
        3 => prop_oneof![
            select(vec![-10_000i64, -9_999, -1, 1, 9_999, 10_000, 10_001, 36_000_000_000]),
            -100_000_000_000i64..100_000_000_000,
        ]
        .prop_map(move |d| FileTime(t.0.saturating_add_signed(d))),
        1 => (0u64..2_650_467_743_999_999_999).prop_map(FileTime),
    ]
    .boxed()
}

#[derive(Debug, Clone)]
struct Case {
    event: Event,
    now: FileTime,
    query: String,
}

fn case() -> impl Strategy<Value = Case> {
    event()
        .prop_flat_map(|event| {
            let now = now_for(&event);
            (Just(event), now)
        })
        .prop_flat_map(|(event, now)| {
            let pool = Arc::new(Pool::of(&event, now));
            (Just(event), Just(now), query(&pool))
        })
        .prop_map(|(event, now, query)| Case { event, now, query })
}

// ---------------------------------------------------------------------------------------------
// Properties

fn answers(filter: &XPathFilter, c: &Case) -> (bool, bool, bool) {
    let compiled = filter.matches(&c.event, c.now);
    let general = eval::matches(&filter.expr, &c.event, &mut Scratch::new(c.now));
    let oracle = naive::matches(&filter.expr, &c.event, c.now);
    (compiled, general, oracle)
}

proptest! {
    #![proptest_config(Config {
        cases: 4000,
        max_global_rejects: 100_000,
        ..Config::default()
    })]

    /// Compiled filter == general evaluator == naive oracle on the rendered XML.
    #[test]
    fn evaluators_agree_with_the_naive_oracle(c in case()) {
        let filter = XPathFilter::compile(&c.query);
        prop_assume!(filter.is_ok());
        let filter = filter.unwrap();
        let (compiled, general, oracle) = answers(&filter, &c);
        prop_assert!(
            compiled == oracle && general == oracle,
            "query {}\nparsed {}\nnow {}\ncompiled {compiled}, general {general}, naive {oracle}\n{}",
            c.query, filter.expr, c.now, c.event.to_xml()
        );
    }

    /// Display writes back XPath that parses to the same expression.
    #[test]
    fn display_round_trips(c in case()) {
        let Ok(expr) = parser::parse(&c.query) else { return Ok(()); };
        let text = expr.to_string();
        let again = parser::parse(&text)
            .map_err(|e| TestCaseError::fail(format!("{} -> {text}: {e}", c.query)))?;
        prop_assert_eq!(again.to_string(), text);
    }
}

/// The generator is worth running: most queries compile, and they both match and miss.
#[test]
fn generated_queries_mostly_compile_and_sometimes_match() {
    let mut runner = TestRunner::deterministic();
    let strategy = case();
    let (mut compiled, mut matched) = (0, 0);
    let total = 1000;
    for _ in 0..total {
        let c = strategy.new_tree(&mut runner).unwrap().current();
        if let Ok(filter) = XPathFilter::compile(&c.query) {
            compiled += 1;
            matched += usize::from(answers(&filter, &c).2);
        }
    }
    assert!(
        compiled * 100 >= total * 80,
        "{compiled} of {total} compiled"
    );
    assert!(
        matched * 100 >= compiled * 15,
        "{matched} of {compiled} matched"
    );
    assert!(
        matched * 100 <= compiled * 85,
        "{matched} of {compiled} matched"
    );
}
