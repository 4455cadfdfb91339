//! Property test: for any event of the model, render -> parse -> render is the identity
//! (the parser reads back everything the renderer writes, and the renderer is a function of
//! the text forms only).

use evtlog::{
    Array, Attribute, Body, Correlation, DataItem, Element, Event, EventData, Execution, FileTime,
    Guid, Node, Provider, Security, Sid, System, SystemTime, Value, VariantType,
};
use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;

/// Text with the characters that stress escaping, control characters, NUL and non-ASCII.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 _.-]{0,12}",
        "[&<>'\"\r\n\t \u{0}\u{1}\u{1f}a-cé✓\u{10348}]{0,12}",
        "\\PC{0,16}",
    ]
}

fn xml_name() -> impl Strategy<Value = String> {
    ("[A-Za-z_][A-Za-z0-9_.-]{0,8}", of("[a-z][a-z0-9]{0,3}"))
        .prop_map(|(local, prefix)| match prefix {
            Some(p) => format!("{p}:{local}"),
            None => local,
        })
        .prop_filter("xml-prefixed names are reserved", |n| {
            !n.to_ascii_lowercase().starts_with("xml")
        })
}

fn guid() -> impl Strategy<Value = Guid> {
    any::<u128>().prop_map(Guid::from_u128)
}

fn sid() -> impl Strategy<Value = Sid> {
    (0u64..(1 << 48), vec(any::<u32>(), 0..=15)).prop_map(|(a, subs)| Sid::new(a, &subs).unwrap())
}

fn file_time() -> impl Strategy<Value = FileTime> {
    // Up to the year 9999.
    (0u64..2_650_467_743_999_999_999).prop_map(FileTime)
}

fn scalar_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        text().prop_map(Value::String),
        text().prop_map(Value::AnsiString),
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
        guid().prop_map(Value::Guid),
        any::<u64>().prop_map(Value::SizeT),
        file_time().prop_map(Value::FileTime),
        file_time().prop_map(|t| Value::SysTime(SystemTime::from_file_time(t))),
        sid().prop_map(Value::Sid),
        any::<u32>().prop_map(Value::HexInt32),
        any::<u64>().prop_map(Value::HexInt64),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        8 => scalar_value(),
        1 => vec(any::<u16>(), 0..4).prop_map(|v| {
            Value::Array(Array::new(VariantType::UInt16, v.into_iter().map(Value::UInt16).collect()).unwrap())
        }),
        1 => vec(text(), 0..3).prop_map(|v| {
            Value::Array(Array::new(VariantType::String, v.into_iter().map(Value::String).collect()).unwrap())
        }),
    ]
}

fn attributes() -> impl Strategy<Value = Vec<Attribute>> {
    vec((xml_name(), value()), 0..3).prop_map(|attrs| {
        let mut seen = std::collections::HashSet::new();
        attrs
            .into_iter()
            .filter(|(n, _)| seen.insert(n.clone()))
            .map(|(name, value)| Attribute { name, value })
            .collect()
    })
}

fn element() -> impl Strategy<Value = Element> {
    let leaf = (
        xml_name(),
        attributes(),
        vec(value().prop_map(Node::Value), 0..2),
    )
        .prop_map(|(name, attributes, children)| Element {
            name,
            attributes,
            children,
        });
    leaf.prop_recursive(3, 24, 4, |inner| {
        let node = prop_oneof![
            4 => inner.prop_map(Node::Element),
            2 => value().prop_map(Node::Value),
            1 => "[^\u{0}]{0,8}".prop_map(Node::CData),
            1 => ("[a-wyzA-WYZ][a-z0-9]{0,4}", "[a-z0-9=?> ]{0,6}")
                .prop_map(|(target, data)| Node::ProcessingInstruction { target, data: data.trim_start().to_owned() }),
        ];
        (xml_name(), attributes(), vec(node, 0..4))
            .prop_map(|(name, attributes, children)| Element { name, attributes, children })
    })
}

fn system() -> impl Strategy<Value = System> {
    let provider =
        (of(text()), of(guid()), of(text())).prop_map(|(name, guid, event_source_name)| Provider {
            name,
            guid,
            event_source_name,
        });
    let correlation = of((of(guid()), of(guid())).prop_map(|(a, r)| Correlation {
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
    let security = of(of(sid()).prop_map(|user_id| Security { user_id }));
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
            of(file_time()),
            of(any::<u64>()),
            correlation,
            execution,
            of(text()),
            of(text()),
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
                channel,
                computer,
                security,
            },
        )
}

fn data_item() -> impl Strategy<Value = DataItem> {
    prop_oneof![
        6 => (of(text()), value()).prop_map(|(name, value)| DataItem::Data { name: name.map(Into::into), value }),
        1 => vec(any::<u8>(), 0..16).prop_map(DataItem::Binary),
        1 => element().prop_map(DataItem::Element),
    ]
}

fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        1 => Just(Body::None),
        4 => (of(text()), vec(data_item(), 0..8)).prop_map(|(name, items)| Body::EventData(EventData { name, items })),
        2 => vec(prop_oneof![3 => element().prop_map(Node::Element), 1 => value().prop_map(Node::Value)], 0..3).prop_map(Body::UserData),
        1 => (prop_oneof![Just("BinaryEventData"), Just("ProcessingErrorData"), Just("DebugData")], attributes(), vec(value().prop_map(Node::Value), 0..2))
            .prop_map(|(name, attributes, children)| Body::Other(Element { name: name.to_owned(), attributes, children })),
    ]
}

fn event() -> impl Strategy<Value = Event> {
    (system(), body(), of(element())).prop_map(|(system, body, info)| Event {
        system,
        body,
        rendering_info: info.map(|e| Element {
            name: "RenderingInfo".to_owned(),
            ..e
        }),
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn render_parse_render_is_identity(event in event()) {
        let xml = event.to_xml();
        prop_assert!(!xml.contains('\n') && !xml.contains('\r'), "rendering must be one line: {}", xml);
        let parsed = Event::from_xml(&xml).map_err(|e| TestCaseError::fail(format!("{e}\n{xml}")))?;
        prop_assert_eq!(parsed.to_xml(), xml);
    }

    /// Typed System fields survive the trip exactly (not just their text).
    #[test]
    fn system_fields_survive_exactly(system in system()) {
        let event = Event { system, ..Event::default() };
        let parsed = Event::from_xml(&event.to_xml()).unwrap();
        let mut expected = event.system.clone();
        // NUL cannot be written in XML; the renderer drops it.
        for s in [&mut expected.provider.name, &mut expected.provider.event_source_name, &mut expected.channel, &mut expected.computer].into_iter().flatten() {
            s.retain(|c| c != '\0');
        }
        prop_assert_eq!(parsed.system, expected);
    }
}
