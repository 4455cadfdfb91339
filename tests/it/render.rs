//! Value rendering through the public API: EvtCreateRenderContext and EvtRender with
//! EvtRenderEventValues.

use evtlog::{
    render_values, Correlation, DataItem, Element, Engine, Event, Execution, FileTime, Generator,
    Guid, Next, Profile, QueryFlags, RenderContext, Security, Sid, SystemProperty, Value,
    VariantType,
};

/// EVT_SYSTEM_PROPERTY_ID's table, written out independently of the code: (id, XML source, type).
const SYSTEM: [(u32, &str, VariantType); 18] = [
    (0, "Event/System/Provider/@Name", VariantType::String),
    (1, "Event/System/Provider/@Guid", VariantType::Guid),
    (2, "Event/System/EventID", VariantType::UInt16),
    (3, "Event/System/EventID/@Qualifiers", VariantType::UInt16),
    (4, "Event/System/Level", VariantType::Byte),
    (5, "Event/System/Task", VariantType::UInt16),
    (6, "Event/System/Opcode", VariantType::Byte),
    (7, "Event/System/Keywords", VariantType::HexInt64),
    (
        8,
        "Event/System/TimeCreated/@SystemTime",
        VariantType::FileTime,
    ),
    (9, "Event/System/EventRecordID", VariantType::UInt64),
    (
        10,
        "Event/System/Correlation/@ActivityID",
        VariantType::Guid,
    ),
    (
        11,
        "Event/System/Correlation/@RelatedActivityID",
        VariantType::Guid,
    ),
    (12, "Event/System/Execution/@ProcessID", VariantType::UInt32),
    (13, "Event/System/Execution/@ThreadID", VariantType::UInt32),
    (14, "Event/System/Channel", VariantType::String),
    (15, "Event/System/Computer", VariantType::String),
    (16, "Event/System/Security/@UserID", VariantType::Sid),
    (17, "Event/System/Version", VariantType::Byte),
];

fn full_event() -> Event {
    let mut event = Event::builder("Microsoft-Windows-Security-Auditing")
        .event_id(4624)
        .level(0)
        .task(12544)
        .opcode(0)
        .keywords(0x8020_0000_0000_0000)
        .data("TargetUserName", "alice")
        .data("LogonType", 3u32)
        .build();
    let s = &mut event.system;
    s.provider.guid = Guid::parse("{54849625-5478-4994-a5ba-3e3b0328c30d}");
    s.qualifiers = Some(16384);
    s.version = Some(2);
    s.time_created = FileTime::parse("2024-01-01T00:00:01.5Z");
    s.event_record_id = Some(42);
    s.correlation = Some(Correlation {
        activity_id: Guid::parse("{00000000-0000-0000-0000-000000000001}"),
        related_activity_id: Guid::parse("{00000000-0000-0000-0000-000000000002}"),
    });
    s.execution = Some(Execution {
        process_id: 4,
        thread_id: 8,
        ..Execution::default()
    });
    s.channel = Some("Security".into());
    s.computer = Some("dc1.corp.example".into());
    s.security = Some(Security {
        user_id: Sid::parse("S-1-5-18"),
    });
    event
}

/// EVT_SYSTEM_PROPERTY_ID: exactly the 18 properties, in EVT_SYSTEM_PROPERTY_ID order, each of its
/// type.
#[test]
fn system_context_is_the_18_properties_in_order_with_their_types_1_9() {
    let values = render_values(&RenderContext::system(), &full_event());
    assert_eq!(values.len(), SystemProperty::COUNT);
    for (id, path, ty) in SYSTEM {
        assert_eq!(values[id as usize].variant_type(), ty, "{id} {path}");
    }
    assert_eq!(
        values[SystemProperty::ProviderName as usize],
        Value::String("Microsoft-Windows-Security-Auditing".into())
    );
    assert_eq!(
        values[SystemProperty::EventId as usize],
        Value::UInt16(4624)
    );
    assert_eq!(
        values[SystemProperty::Qualifiers as usize],
        Value::UInt16(16384)
    );
    assert_eq!(
        values[SystemProperty::Keywords as usize],
        Value::HexInt64(0x8020_0000_0000_0000)
    );
    assert_eq!(
        values[SystemProperty::EventRecordId as usize],
        Value::UInt64(42)
    );
    assert_eq!(values[SystemProperty::ThreadId as usize], Value::UInt32(8));
    assert_eq!(values[SystemProperty::Version as usize], Value::Byte(2));
    assert_eq!(SystemProperty::Version as u32, 17);
}

/// "Absent properties come back as EvtVarTypeNull".
#[test]
fn absent_system_properties_are_null_1_9() {
    let mut bare = Event::default();
    bare.system.provider.name = Some("P".into());
    let values = render_values(&RenderContext::system(), &bare);
    assert_eq!(values.len(), 18);
    for (i, v) in values.iter().enumerate() {
        let present = [
            SystemProperty::ProviderName as usize,
            SystemProperty::EventId as usize,
        ];
        if present.contains(&i) {
            assert_ne!(*v, Value::Null, "{i}");
        } else {
            assert_eq!(*v, Value::Null, "{i}");
        }
    }
}

/// The System context agrees with value paths over the XML sources of EVT_SYSTEM_PROPERTY_ID, on
/// every generated profile.
#[test]
fn system_context_equals_the_value_paths_of_its_sources_1_9_2_10() {
    let paths: Vec<&str> = SYSTEM.iter().map(|(_, p, _)| *p).collect();
    let values = RenderContext::values(&paths).unwrap();
    let mut generator = Generator::new(7);
    for profile in [
        Profile::Security,
        Profile::System,
        Profile::Application,
        Profile::Setup,
        Profile::Sysmon,
    ] {
        for event in generator.events(profile, 200) {
            let system = render_values(&RenderContext::system(), &event);
            assert_eq!(system, render_values(&values, &event), "{}", event.to_xml());
        }
    }
}

/// EvtCreateRenderContext: the User context gives EventData's values in template order.
#[test]
fn user_context_is_eventdata_in_order_2_9() {
    let mut event = Event::builder("P")
        .data("A", "x")
        .data("B", 5u32)
        .data("C", Value::HexInt64(0x10))
        .build();
    if let evtlog::Body::EventData(d) = &mut event.body {
        d.items.push(DataItem::unnamed("tail"));
        d.items.push(DataItem::Binary(vec![1, 2]));
    }
    assert_eq!(
        render_values(&RenderContext::user(), &event),
        [
            Value::String("x".into()),
            Value::UInt32(5),
            Value::HexInt64(0x10),
            Value::String("tail".into()),
            Value::Binary(vec![1, 2]),
        ]
    );
    assert!(render_values(&RenderContext::user(), &Event::builder("P").build()).is_empty());
}

/// EvtCreateRenderContext: with UserData, the User context renders its leaf values in document
/// order.
#[test]
fn user_context_is_userdata_leaves_when_present_2_9() {
    let xml = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='P'/><EventID>1</EventID></System><UserData><LogFileCleared xmlns='http://manifests.microsoft.com/win/2004/08/windows/eventlog'><SubjectUserName>admin</SubjectUserName><Nested><Inner>1</Inner></Nested><Empty></Empty></LogFileCleared></UserData></Event>";
    let event = Event::from_xml(xml).unwrap();
    assert_eq!(
        render_values(&RenderContext::user(), &event),
        [
            Value::String("admin".into()),
            Value::String("1".into()),
            Value::String(String::new().into()), // `<Empty></Empty>` holds an empty text
        ]
    );
    let ctx = RenderContext::values(&["Event/UserData/*/SubjectUserName"]).unwrap();
    assert_eq!(render_values(&ctx, &event), [Value::String("admin".into())]);
}

/// EvtRender with a Values context: 1:1 with the paths, in order; Null when missing; the first of
/// several matches.
#[test]
fn values_context_is_one_per_path_first_match_or_null_2_10() {
    let mut event = full_event();
    if let evtlog::Body::EventData(d) = &mut event.body {
        d.items
            .push(DataItem::Element(Element::new("ComplexData").text("z")));
    }
    let ctx = RenderContext::values(&[
        "Event/EventData/Data[@Name='LogonType']",
        "Event/System/Provider/@Name",
        "Event/EventData/Data[@Name='Missing']",
        "Event/EventData/Data",
        "Event/System/TimeCreated/@SystemTime",
        "*/System/Security/@UserID",
        "Event/EventData/Data[2]",
        "Event/EventData/Data[@Name='TargetUserName']/text()",
        "Event/System/Correlation",
        "Event/EventData/Data/@Name",
        "Event/System[Level=0]/Task",
        "Event/System[Level=1]/Task",
        "Event/EventData/ComplexData",
    ])
    .unwrap();
    assert_eq!(ctx.paths().len(), 13);
    assert_eq!(
        render_values(&ctx, &event),
        [
            Value::UInt32(3),
            Value::String("Microsoft-Windows-Security-Auditing".into()),
            Value::Null,
            Value::String("alice".into()),
            Value::FileTime(FileTime::parse("2024-01-01T00:00:01.5Z").unwrap()),
            Value::Sid(Sid::parse("S-1-5-18").unwrap()),
            Value::UInt32(3),
            Value::String("alice".into()),
            Value::Null,
            Value::String("TargetUserName".into()),
            Value::UInt16(12544),
            Value::Null,
            Value::String("z".into()),
        ]
    );
}

/// EvtCreateRenderContext: bad value paths fail at creation: 15001 at the column, with the filter
/// code.
#[test]
fn bad_value_paths_fail_at_creation_2_9() {
    let cases: &[(&str, u32, u32)] = &[
        ("Event/System/Level and Event/System/Task", 15020, 1),
        ("Event/System[Level=1 or Level=2]/Task", 15020, 14),
        ("Event/System/Level=4", 15017, 1),
        ("System/Level", 15015, 1),
        ("Event/System/Provider/@Name ", 15019, 28),
        ("Event//Level", 15020, 6),
        ("Event/System/Level[", 15021, 20),
        ("Event/@Name/x", 15017, 1),
        ("", 15021, 1),
        ("band(Event/System/Keywords, 1)", 15017, 1),
    ];
    for (path, filter_code, column) in cases {
        let e = RenderContext::values(&["Event/System/Level", path]).unwrap_err();
        assert_eq!(e.win32_code(), 15001, "{path}: {e}");
        assert_eq!(e.filter_code(), Some(*filter_code), "{path}: {e}");
        assert_eq!(e.position(), Some((1, *column)), "{path}: {e}");
        assert!(e.to_string().contains("value path 1"), "{path}: {e}");
    }
    let e = RenderContext::values::<&str>(&[]).unwrap_err();
    assert_eq!(e.win32_code(), 87);
    // Inside a string literal a space after a name is content, not an attribute's.
    assert!(RenderContext::values(&["Event/EventData/Data[@Name='a @b c']"]).is_ok());
}

/// EvtRender takes the event handles EvtNext returns: `&EventRef` renders as its event.
#[test]
fn renders_events_from_a_result_set_2_10() {
    let engine =
        Engine::with_default_channels(std::sync::Arc::new(evtlog::VirtualClock::default()));
    engine.write("Security", full_event()).unwrap();
    let rs = engine
        .default_session()
        .query(Some("Security"), None, QueryFlags::default())
        .unwrap();
    let Next::Events(batch) = rs.next(1, None).unwrap() else {
        panic!("no event")
    };
    let system = render_values(&RenderContext::system(), &batch[0]);
    assert_eq!(
        system[SystemProperty::EventRecordId as usize],
        Value::UInt64(1)
    );
    assert_eq!(
        system[SystemProperty::Channel as usize],
        Value::String("Security".into())
    );
}
