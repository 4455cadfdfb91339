//! Random events for the query property tests: the generator's events of every profile, and
//! built events of odd shapes.

use std::sync::OnceLock;

use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;
use proptest::sample::select;

use crate::event::{
    Array, Attribute, Body, Correlation, DataItem, Element, Event, EventData, Execution, FileTime,
    Guid, Node, Provider, Security, Sid, System, SystemTime, Value, VariantType,
};
use crate::gen::{Generator, Profile};

// ---------------------------------------------------------------------------------------------
// Events

/// Generated events of every profile, made once.
pub(super) fn generated_pool() -> &'static [Event] {
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

pub(super) const GUIDS: [u128; 3] = [
    0x54849625_5478_4994_a5ba_3e3b0328c30d,
    0x00000000_0000_0000_0000_000000000000,
    0xffffffff_ffff_ffff_ffff_ffffffffffff,
];

pub(super) fn guid() -> impl Strategy<Value = Guid> {
    prop_oneof![
        3 => select(GUIDS.to_vec()).prop_map(Guid::from_u128),
        1 => any::<u128>().prop_map(Guid::from_u128),
    ]
}

pub(super) fn sid() -> impl Strategy<Value = Sid> {
    prop_oneof![
        2 => select(vec![(5u64, vec![18u32]), (5, vec![21, 1, 2, 3, 500]), (1, vec![0])]),
        1 => (0u64..(1 << 48), vec(any::<u32>(), 0..5)),
    ]
    .prop_map(|(a, subs)| Sid::new(a, &subs).unwrap())
}

pub(super) fn file_time() -> impl Strategy<Value = FileTime> {
    const START: u64 = 133_485_408_000_000_000; // 2024-01-01T00:00:00Z
    prop_oneof![
        3 => (0u64..10_000_000_000).prop_map(|d| FileTime(START + d)),
        1 => (0u64..2_650_467_743_999_999_999).prop_map(FileTime),
    ]
}

/// Text that looks like every literal type, plus escapes, whitespace, NUL and non-ASCII.
pub(super) fn text() -> impl Strategy<Value = String> {
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

pub(super) fn scalar_value() -> impl Strategy<Value = Value> {
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

pub(super) fn value() -> impl Strategy<Value = Value> {
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

pub(super) const ELEMENT_NAMES: [&str; 8] = [
    "Name",
    "Value",
    "Item",
    "Data",
    "ns:Name",
    "auto-ns3:EventXML",
    "PrinterName",
    "Param",
];
pub(super) const ATTRIBUTE_NAMES: [&str; 4] = ["Name", "Id", "ns:Id", "xmlns:ns"];

pub(super) fn attributes() -> impl Strategy<Value = Vec<Attribute>> {
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

pub(super) fn element() -> impl Strategy<Value = Element> {
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

pub(super) fn system() -> impl Strategy<Value = System> {
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

pub(super) fn data_item() -> impl Strategy<Value = DataItem> {
    let data_name = select(vec![
        "TargetUserName",
        "LogonType",
        "Image",
        "param1",
        "Name",
    ]);
    prop_oneof![
        6 => (of(data_name), value()).prop_map(|(name, value)| DataItem::Data { name: name.map(Into::into), value }),
        1 => vec(any::<u8>(), 0..6).prop_map(DataItem::Binary),
        1 => element().prop_map(DataItem::Element),
    ]
}

pub(super) fn body() -> impl Strategy<Value = Body> {
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
pub(super) fn built_event() -> impl Strategy<Value = Event> {
    (system(), body(), of(element())).prop_map(|(system, body, info)| Event {
        system,
        body,
        rendering_info: info.map(|e| Element {
            name: "RenderingInfo".to_owned(),
            ..e
        }),
    })
}

pub(super) fn event() -> impl Strategy<Value = Event> {
    prop_oneof![
        1 => (0..generated_pool().len()).prop_map(|i| generated_pool()[i].clone()),
        1 => built_event(),
    ]
}
