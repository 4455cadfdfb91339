//! Random events for property tests, in two flavours over one structure (System, EventData,
//! UserData, other sections, RenderingInfo, nested elements, every value type):
//! - [`Flavor::Query`]: names and texts drawn mostly from short lists that look like every
//!   literal type (so that random queries hit, miss and land on boundaries), mixed half and
//!   half with the generator's events of every profile; no NUL (a value holding NUL is
//!   compared as it is, a documented gap of the query values).
//! - [`Flavor::RoundTrip`]: any name, any text (escapes, control characters, NUL, non-ASCII),
//!   any number, for render → parse → render.
#![allow(dead_code)]

use std::sync::OnceLock;

use evtlog::{
    Array, Attribute, Body, Correlation, DataItem, Element, Event, EventData, Execution, FileTime,
    Generator, Guid, Node, Profile, Provider, Security, Sid, System, SystemTime, Value,
    VariantType,
};
use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;
use proptest::sample::select;

/// Which events: see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Query,
    RoundTrip,
}

use Flavor::{Query, RoundTrip};

/// Generated events of every profile, made once.
pub fn generated_pool() -> &'static [Event] {
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

pub const GUIDS: [u128; 3] = [
    0x54849625_5478_4994_a5ba_3e3b0328c30d,
    0x00000000_0000_0000_0000_000000000000,
    0xffffffff_ffff_ffff_ffff_ffffffffffff,
];

pub const ELEMENT_NAMES: [&str; 8] = [
    "Name",
    "Value",
    "Item",
    "Data",
    "ns:Name",
    "auto-ns3:EventXML",
    "PrinterName",
    "Param",
];
pub const ATTRIBUTE_NAMES: [&str; 4] = ["Name", "Id", "ns:Id", "xmlns:ns"];

pub fn guid(f: Flavor) -> BoxedStrategy<Guid> {
    match f {
        Query => prop_oneof![
            3 => select(GUIDS.to_vec()).prop_map(Guid::from_u128),
            1 => any::<u128>().prop_map(Guid::from_u128),
        ]
        .boxed(),
        RoundTrip => any::<u128>().prop_map(Guid::from_u128).boxed(),
    }
}

pub fn sid(f: Flavor) -> BoxedStrategy<Sid> {
    let parts = match f {
        Query => prop_oneof![
            2 => select(vec![(5u64, vec![18u32]), (5, vec![21, 1, 2, 3, 500]), (1, vec![0])]),
            1 => (0u64..(1 << 48), vec(any::<u32>(), 0..5)),
        ]
        .boxed(),
        RoundTrip => (0u64..(1 << 48), vec(any::<u32>(), 0..=15)).boxed(),
    };
    parts
        .prop_map(|(a, subs)| Sid::new(a, &subs).unwrap())
        .boxed()
}

pub fn file_time(f: Flavor) -> BoxedStrategy<FileTime> {
    const START: u64 = 133_485_408_000_000_000; // 2024-01-01T00:00:00Z
                                                // Up to the year 9999.
    let any_time = (0u64..2_650_467_743_999_999_999).prop_map(FileTime);
    match f {
        Query => prop_oneof![
            3 => (0u64..10_000_000_000).prop_map(|d| FileTime(START + d)),
            1 => any_time,
        ]
        .boxed(),
        RoundTrip => any_time.boxed(),
    }
}

/// Query: text that looks like every literal type, plus escapes, whitespace and non-ASCII.
/// RoundTrip: the characters that stress escaping, control characters, NUL and non-ASCII.
pub fn text(f: Flavor) -> BoxedStrategy<String> {
    match f {
        Query => prop_oneof![
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
        .boxed(),
        RoundTrip => prop_oneof![
            "[a-zA-Z0-9 _.-]{0,12}",
            "[&<>'\"\r\n\t \u{0}\u{1}\u{1f}a-cé✓\u{10348}]{0,12}",
            "\\PC{0,16}",
        ]
        .boxed(),
    }
}

/// Any XML name, with or without a prefix (RoundTrip's names).
fn xml_name() -> BoxedStrategy<String> {
    ("[A-Za-z_][A-Za-z0-9_.-]{0,8}", of("[a-z][a-z0-9]{0,3}"))
        .prop_map(|(local, prefix)| match prefix {
            Some(p) => format!("{p}:{local}"),
            None => local,
        })
        .prop_filter("xml-prefixed names are reserved", |n| {
            !n.to_ascii_lowercase().starts_with("xml")
        })
        .boxed()
}

fn element_name(f: Flavor) -> BoxedStrategy<String> {
    match f {
        Query => select(ELEMENT_NAMES.to_vec())
            .prop_map(str::to_owned)
            .boxed(),
        RoundTrip => xml_name(),
    }
}

pub fn scalar_value(f: Flavor) -> BoxedStrategy<Value> {
    let t = || text(f);
    match f {
        Query => prop_oneof![
            Just(Value::Null),
            t().prop_map(|s| Value::String(s.into())),
            t().prop_map(|s| Value::String(s.into())),
            t().prop_map(|s| Value::String(s.into())),
            t().prop_map(|s| Value::AnsiString(s.into())),
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
            guid(f).prop_map(Value::Guid),
            any::<u64>().prop_map(Value::SizeT),
            file_time(f).prop_map(Value::FileTime),
            file_time(f).prop_map(|t| Value::SysTime(SystemTime::from_file_time(t))),
            sid(f).prop_map(Value::Sid),
            (0u32..0x100).prop_map(Value::HexInt32),
            any::<u64>().prop_map(Value::HexInt64),
            // An XML fragment is written unescaped: plain text only, or it would change the tree.
            "[a-z0-9 ]{0,6}".prop_map(|s| Value::Xml(s.into())),
        ]
        .boxed(),
        RoundTrip => prop_oneof![
            Just(Value::Null),
            t().prop_map(|s| Value::String(s.into())),
            t().prop_map(|s| Value::AnsiString(s.into())),
            any::<i8>().prop_map(Value::SByte),
            any::<u8>().prop_map(Value::Byte),
            any::<i16>().prop_map(Value::Int16),
            any::<u16>().prop_map(Value::UInt16),
            any::<i32>().prop_map(Value::Int32),
            any::<u32>().prop_map(Value::UInt32),
            any::<i64>().prop_map(Value::Int64),
            any::<u64>().prop_map(Value::UInt64),
            any::<f32>().prop_map(Value::Single),
            any::<f64>().prop_map(Value::Double),
            any::<bool>().prop_map(Value::Boolean),
            vec(any::<u8>(), 0..12).prop_map(Value::Binary),
            guid(f).prop_map(Value::Guid),
            any::<u64>().prop_map(Value::SizeT),
            file_time(f).prop_map(Value::FileTime),
            file_time(f).prop_map(|t| Value::SysTime(SystemTime::from_file_time(t))),
            sid(f).prop_map(Value::Sid),
            any::<u32>().prop_map(Value::HexInt32),
            any::<u64>().prop_map(Value::HexInt64),
        ]
        .boxed(),
    }
}

pub fn value(f: Flavor) -> BoxedStrategy<Value> {
    let (numbers, count) = match f {
        Query => ((0u16..5).boxed(), 0..3),
        RoundTrip => (any::<u16>().boxed(), 0..4),
    };
    prop_oneof![
        8 => scalar_value(f),
        1 => vec(numbers, count).prop_map(|v| {
            Value::Array(Array::new(VariantType::UInt16, v.into_iter().map(Value::UInt16).collect()).unwrap())
        }),
        1 => vec(text(f), 0..3).prop_map(|v| {
            Value::Array(Array::new(VariantType::String, v.into_iter().map(Value::from).collect()).unwrap())
        }),
    ]
    .boxed()
}

/// Up to two attributes of distinct names. Query: names from [`ATTRIBUTE_NAMES`], scalar
/// values but XML fragments; RoundTrip: any name, any value.
pub fn attributes(f: Flavor) -> BoxedStrategy<Vec<Attribute>> {
    let (name, value) = match f {
        Query => (
            select(ATTRIBUTE_NAMES.to_vec())
                .prop_map(str::to_owned)
                .boxed(),
            scalar_value(f),
        ),
        RoundTrip => (xml_name(), value(f)),
    };
    vec((name, value), 0..3)
        .prop_map(|attrs| {
            let mut seen = std::collections::HashSet::new();
            attrs
                .into_iter()
                .filter(|(n, v)| seen.insert(n.clone()) && !matches!(v, Value::Xml(_)))
                .map(|(name, value)| Attribute { name, value })
                .collect()
        })
        .boxed()
}

pub fn element(f: Flavor) -> BoxedStrategy<Element> {
    let leaf = (
        element_name(f),
        attributes(f),
        vec(value(f).prop_map(Node::Value), 0..2),
    )
        .prop_map(|(name, attributes, children)| Element {
            name,
            attributes,
            children,
        });
    let size = match f {
        Query => 16,
        RoundTrip => 24,
    };
    leaf.prop_recursive(3, size, 4, move |inner| {
        let (cdata, pi) = match f {
            Query => (
                "[a-z0-9\\]>\r\n ]{0,8}".boxed(),
                Just(Node::ProcessingInstruction {
                    target: "pi".into(),
                    data: "x".into(),
                })
                .boxed(),
            ),
            RoundTrip => (
                "[^\u{0}]{0,8}".boxed(),
                ("[a-wyzA-WYZ][a-z0-9]{0,4}", "[a-z0-9=?> ]{0,6}")
                    .prop_map(|(target, data)| Node::ProcessingInstruction {
                        target,
                        data: data.trim_start().to_owned(),
                    })
                    .boxed(),
            ),
        };
        let node = prop_oneof![
            4 => inner.prop_map(Node::Element),
            2 => value(f).prop_map(Node::Value),
            1 => cdata.prop_map(Node::CData),
            1 => pi,
        ];
        (element_name(f), attributes(f), vec(node, 0..4)).prop_map(
            |(name, attributes, children)| Element {
                name,
                attributes,
                children,
            },
        )
    })
    .boxed()
}

pub fn system(f: Flavor) -> BoxedStrategy<System> {
    match f {
        Query => query_system(),
        RoundTrip => round_trip_system(),
    }
}

fn query_system() -> BoxedStrategy<System> {
    let f = Query;
    let provider = (
        of(select(vec![
            "Microsoft-Windows-Security-Auditing",
            "Service Control Manager",
            "App'1",
            "ÉLAN",
            "",
        ])
        .prop_map(str::to_owned)),
        of(guid(f)),
        of(select(vec!["Source", "4624"]).prop_map(str::to_owned)),
    )
        .prop_map(|(name, guid, event_source_name)| Provider {
            name: name.map(Into::into),
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
        of(file_time(f)),
        of(prop_oneof![0u64..10, any::<u64>()]),
        of((of(guid(f)), of(guid(f))).prop_map(|(a, r)| Correlation {
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
        of(of(sid(f)).prop_map(|user_id| Security { user_id })),
    );
    (provider, ids, rest)
        .prop_map(
            |(
                provider,
                (event_id, qualifiers, version, level, task, opcode, keywords),
                (
                    time_created,
                    event_record_id,
                    correlation,
                    execution,
                    channel,
                    computer,
                    security,
                ),
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
                channel: channel.map(Into::into),
                computer: computer.map(Into::into),
                security,
            },
        )
        .boxed()
}

fn round_trip_system() -> BoxedStrategy<System> {
    let f = RoundTrip;
    let provider =
        (of(text(f)), of(guid(f)), of(text(f))).prop_map(|(name, guid, event_source_name)| {
            Provider {
                name: name.map(Into::into),
                guid,
                event_source_name,
            }
        });
    let correlation = of((of(guid(f)), of(guid(f))).prop_map(|(a, r)| Correlation {
        activity_id: a,
        related_activity_id: r,
    }));
    let execution = of((
        any::<u32>(),
        any::<u32>(),
        of(any::<u8>()),
        of(any::<u32>()),
        of(any::<u32>()),
        of(any::<u32>()),
        of(any::<u64>()),
    )
        .prop_map(|(p, t, cpu, s, k, u, pt)| Execution {
            process_id: p,
            thread_id: t,
            processor_id: cpu,
            session_id: s,
            kernel_time: k,
            user_time: u,
            processor_time: pt,
        }));
    let security = of(of(sid(f)).prop_map(|user_id| Security { user_id }));
    (
        (
            provider,
            any::<u16>(),
            of(any::<u16>()),
            of(any::<u8>()),
            of(any::<u8>()),
            of(any::<u16>()),
            of(any::<u8>()),
        ),
        (
            of(any::<u64>()),
            of(file_time(f)),
            of(any::<u64>()),
            correlation,
            execution,
            of(text(f)),
            of(text(f)),
            security,
        ),
    )
        .prop_map(
            |(
                (provider, event_id, qualifiers, version, level, task, opcode),
                (
                    keywords,
                    time_created,
                    event_record_id,
                    correlation,
                    execution,
                    channel,
                    computer,
                    security,
                ),
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
                channel: channel.map(Into::into),
                computer: computer.map(Into::into),
                security,
            },
        )
        .boxed()
}

pub fn data_item(f: Flavor) -> BoxedStrategy<DataItem> {
    let (name, binary) = match f {
        Query => (
            select(vec![
                "TargetUserName",
                "LogonType",
                "Image",
                "param1",
                "Name",
            ])
            .prop_map(str::to_owned)
            .boxed(),
            0..6,
        ),
        RoundTrip => (text(f), 0..16),
    };
    prop_oneof![
        6 => (of(name), value(f)).prop_map(|(name, value)| DataItem::Data { name: name.map(Into::into), value }),
        1 => vec(any::<u8>(), binary).prop_map(DataItem::Binary),
        1 => element(f).prop_map(DataItem::Element),
    ]
    .boxed()
}

pub fn body(f: Flavor) -> BoxedStrategy<Body> {
    let nodes = |element_weight| {
        vec(
            prop_oneof![element_weight => element(f).prop_map(Node::Element), 1 => value(f).prop_map(Node::Value)],
            0..3,
        )
    };
    match f {
        Query => prop_oneof![
            1 => Just(Body::None),
            4 => (of(Just("Template".to_owned())), vec(data_item(f), 0..6))
                .prop_map(|(name, items)| Body::EventData(EventData { name, items })),
            3 => nodes(4).prop_map(Body::UserData),
            1 => (select(vec!["BinaryEventData", "DebugData"]), vec(value(f).prop_map(Node::Value), 0..2))
                .prop_map(|(name, children)| Body::Other(Element { name: name.to_owned(), attributes: Vec::new(), children })),
        ]
        .boxed(),
        RoundTrip => prop_oneof![
            1 => Just(Body::None),
            4 => (of(text(f)), vec(data_item(f), 0..8)).prop_map(|(name, items)| Body::EventData(EventData { name, items })),
            2 => nodes(3).prop_map(Body::UserData),
            1 => (select(vec!["BinaryEventData", "ProcessingErrorData", "DebugData"]), attributes(f), vec(value(f).prop_map(Node::Value), 0..2))
                .prop_map(|(name, attributes, children)| Body::Other(Element { name: name.to_owned(), attributes, children })),
        ]
        .boxed(),
    }
}

/// Events built from parts, of odd shapes: absent optional fields, unnamed Data, typed
/// values of every kind, Binary, UserData trees, other sections and RenderingInfo.
pub fn built_event(f: Flavor) -> BoxedStrategy<Event> {
    (system(f), body(f), of(element(f)))
        .prop_map(|(system, body, info)| Event {
            system,
            body,
            rendering_info: info.map(|e| Element {
                name: "RenderingInfo".to_owned(),
                ..e
            }),
        })
        .boxed()
}

/// Query: half the generator's events, half built ones; RoundTrip: built ones.
pub fn event(f: Flavor) -> BoxedStrategy<Event> {
    match f {
        Query => prop_oneof![
            1 => (0..generated_pool().len()).prop_map(|i| generated_pool()[i].clone()),
            1 => built_event(f),
        ]
        .boxed(),
        RoundTrip => built_event(f),
    }
}
