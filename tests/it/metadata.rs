//! Publisher and event metadata through the Rust API (`Engine::open_publisher_metadata`)
//! and the wevtapi facade (EvtOpenPublisherEnum … EvtGetEventMetadataProperty), against
//! one hand-built publisher whose every expected value below is read off its declaration,
//! not computed (the metadata properties and the winmeta defaults, the last-error rule).

use std::sync::MutexGuard;

use evtlog::winevt::*;
use evtlog::{
    ChannelDefinition, ChannelRef, Engine, ErrorKind, EventDefinition, EventProperty, Guid,
    Keyword, Level, MetadataArray, Opcode, Publisher, PublisherProperty, Task, Template,
    TemplateItem, Value,
};

const AGENT_GUID: &str = "{3f4c5a6b-1234-4cde-8f00-aabbccddeeff}";
const CONNECT_GUID: &str = "{0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0}";

fn item(name: &str, in_type: &str, out_type: &str) -> TemplateItem {
    TemplateItem {
        name: name.into(),
        in_type: in_type.into(),
        out_type: out_type.into(),
        map: None,
        length: None,
        count: None,
        members: Vec::new(),
    }
}

#[allow(clippy::too_many_arguments)]
fn event(
    value: u32,
    version: u8,
    channel: u32,
    level: u32,
    task: u32,
    opcode: u32,
    keywords: u64,
    template: Option<usize>,
    message_id: Option<u32>,
) -> EventDefinition {
    EventDefinition {
        value,
        version,
        channel,
        level,
        task,
        opcode,
        keywords,
        template,
        message_id,
        symbol: None,
    }
}

/// The test publisher: an imported channel and two defined ones, a level of its own and
/// two Winmeta levels it references, a task with an event GUID and one without, a global
/// opcode, a task-specific one and a Winmeta one, two keywords, one template with a map,
/// a count, a length and a struct, and three events.
fn agent() -> Publisher {
    let defined = |channel_type| ChannelDefinition {
        channel_type,
        enabled: true,
        isolation: 0,
        access: None,
        max_size: None,
        retention: None,
        auto_backup: None,
        level: None,
        keywords: None,
    };
    let mut names = item("Names", "win:UnicodeString", "xs:string");
    names.count = Some("Count".into());
    let mut status = item("Status", "win:UInt32", "win:HexInt32");
    status.map = Some("StatusMap".into());
    let mut label = item("Label", "win:AnsiString", "xs:string");
    label.length = Some("8".into());
    let mut peer = item("Peer", "", "");
    peer.count = Some("2".into());
    peer.members = vec![item("Address", "win:UInt32", "win:IPv4"), label];
    let mut p = Publisher {
        name: "Contoso-Demo-Agent".into(),
        guid: Guid::parse(AGENT_GUID).unwrap(),
        symbol: Some("CONTOSO_AGENT".into()),
        resource_file: Some("%ProgramFiles%\\Contoso\\agent.dll".into()),
        message_file: Some("%ProgramFiles%\\Contoso\\agent-messages.dll".into()),
        parameter_file: None,
        help_link: None,
        message_id: Some(0x9000_0001),
        channels: vec![
            ChannelRef {
                name: "Application".into(),
                chid: "Application".into(),
                value: 9,
                imported: true,
                message_id: None,
                definition: None,
            },
            ChannelRef {
                name: "Contoso-Demo-Agent/Operational".into(),
                chid: "Operational".into(),
                value: 0x10,
                imported: false,
                message_id: Some(0x9000_0002),
                definition: Some(defined(1)),
            },
            ChannelRef {
                name: "Contoso-Demo-Agent/Debug".into(),
                chid: "Debug".into(),
                value: 0x11,
                imported: false,
                message_id: None,
                definition: Some(defined(3)),
            },
        ],
        levels: vec![
            Level {
                name: "Notice".into(),
                value: 16,
                message_id: Some(0x5000_0010),
            },
            Level {
                name: "win:Error".into(),
                value: 2,
                message_id: Some(0x5000_0002),
            },
            Level {
                name: "win:Informational".into(),
                value: 4,
                message_id: Some(0x5000_0004),
            },
        ],
        tasks: vec![
            Task {
                name: "Connect".into(),
                value: 1,
                event_guid: Guid::parse(CONNECT_GUID).unwrap(),
                message_id: Some(0x7000_0001),
            },
            Task {
                name: "Disconnect".into(),
                value: 2,
                event_guid: Guid::default(),
                message_id: None,
            },
        ],
        opcodes: vec![
            Opcode {
                name: "Retry".into(),
                opcode: 10,
                task: 0,
                message_id: Some(0x300A_0000),
            },
            Opcode {
                name: "Handshake".into(),
                opcode: 11,
                task: 1,
                message_id: Some(0x300B_0001),
            },
            Opcode {
                name: "win:Start".into(),
                opcode: 1,
                task: 0,
                message_id: Some(0x3001_0000),
            },
        ],
        keywords: vec![
            Keyword {
                name: "Network".into(),
                mask: 0x1,
                message_id: Some(0x1000_0001),
            },
            Keyword {
                name: "Storage".into(),
                mask: 0x2,
                message_id: None,
            },
        ],
        templates: vec![Template {
            tid: "tConnect".into(),
            items: vec![
                item("Host", "win:UnicodeString", "xs:string"),
                item("Port", "win:UInt16", "xs:unsignedShort"),
                status,
                item("Count", "win:UInt32", "xs:unsignedInt"),
                names,
                peer,
            ],
            user_data: None,
        }],
        events: vec![
            event(
                100,
                0,
                0x10,
                4,
                1,
                1,
                0x8000_0000_0000_0001,
                Some(0),
                Some(0xB000_0064),
            ),
            event(101, 1, 9, 2, 2, 10, 0x2, None, None),
            event(200, 0, 0x11, 16, 1, 11, 0x1, Some(0), Some(0xB000_00C8)),
        ],
        ..Publisher::default()
    };
    p.messages
        .insert("en-US", 0x9000_0001, "Contoso Demo Agent\r\n");
    p.messages
        .insert("en-US", 0xB000_0064, "Connected to %1.\r\n");
    p
}

/// The template's XML as EventMetadataEventTemplate gives it (Windows' exact shape).
const TEMPLATE_XML: &str =
    "<template xmlns=\"http://schemas.microsoft.com/win/2004/08/events\">\r\n  \
<data name=\"Host\" inType=\"win:UnicodeString\" outType=\"xs:string\"/>\r\n  \
<data name=\"Port\" inType=\"win:UInt16\" outType=\"xs:unsignedShort\"/>\r\n  \
<data name=\"Status\" inType=\"win:UInt32\" outType=\"win:HexInt32\" map=\"StatusMap\"/>\r\n  \
<data name=\"Count\" inType=\"win:UInt32\" outType=\"xs:unsignedInt\"/>\r\n  \
<data name=\"Names\" inType=\"win:UnicodeString\" outType=\"xs:string\" count=\"Count\"/>\r\n  \
<struct name=\"Peer\" count=\"2\">\r\n    \
<data name=\"Address\" inType=\"win:UInt32\" outType=\"win:IPv4\"/>\r\n    \
<data name=\"Label\" inType=\"win:AnsiString\" outType=\"xs:string\" length=\"8\"/>\r\n  \
</struct>\r\n\
</template>\r\n";

/// The service to this test alone, reset, with the agent installed.
fn service() -> (MutexGuard<'static, ()>, Engine) {
    let guard = crate::winevt::SERVICE
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    controls::reset();
    let engine = controls::engine();
    engine.publishers().install(agent());
    (guard, engine)
}

fn guid(s: &str) -> Value {
    Value::Guid(Guid::parse(s).unwrap())
}

fn s(text: &str) -> Value {
    Value::String(text.into())
}

#[test]
fn rust_api_reads_every_publisher_property() {
    let (_guard, engine) = service();
    let m = engine
        .open_publisher_metadata(Some("contoso-demo-AGENT"), 0)
        .unwrap();
    use PublisherProperty as P;
    assert_eq!(m.property(P::PublisherGuid).unwrap(), guid(AGENT_GUID));
    assert_eq!(
        m.property(P::ResourceFilePath).unwrap(),
        s("%ProgramFiles%\\Contoso\\agent.dll")
    );
    assert_eq!(m.property(P::ParameterFilePath).unwrap(), Value::Null);
    assert_eq!(
        m.property(P::MessageFilePath).unwrap(),
        s("%ProgramFiles%\\Contoso\\agent-messages.dll")
    );
    assert_eq!(m.property(P::HelpLink).unwrap(), s(""));
    assert_eq!(
        m.property(P::PublisherMessageId).unwrap(),
        Value::UInt32(0x9000_0001)
    );
    // Array and element ids are not the publisher's own properties.
    for id in (6..=28).filter(|id| ![6, 12, 16, 21, 25].contains(id)) {
        let p = PublisherProperty::from_id(id).unwrap();
        assert!(p.element_of().is_some(), "{id}");
        assert_eq!(
            m.property(p).unwrap_err().kind(),
            ErrorKind::InvalidPublisherPropertyValue,
            "{id}"
        );
    }
    assert_eq!(PublisherProperty::from_id(29), None);
    assert_eq!(P::Tasks.array(), Some(MetadataArray::Tasks));
    assert_eq!(P::TaskEventGuid.element_of(), Some(MetadataArray::Tasks));
    assert_eq!(P::Keywords.element_of(), None);
}

/// Every element of every array, as (id, index) → value.
fn expected_elements() -> Vec<(u32, usize, Value)> {
    let u = Value::UInt32;
    let none = u(0xFFFF_FFFF);
    vec![
        (7, 0, s("Application")),
        (8, 0, u(0)),
        (9, 0, u(9)),
        (10, 0, u(1)),
        (11, 0, none.clone()),
        (7, 1, s("Contoso-Demo-Agent/Operational")),
        (8, 1, u(1)),
        (9, 1, u(16)),
        (10, 1, u(0)),
        (11, 1, u(0x9000_0002)),
        (7, 2, s("Contoso-Demo-Agent/Debug")),
        (8, 2, u(2)),
        (9, 2, u(17)),
        (10, 2, u(0)),
        (11, 2, none.clone()),
        (13, 0, s("Notice")),
        (14, 0, u(16)),
        (15, 0, u(0x5000_0010)),
        (13, 1, s("win:Error")),
        (14, 1, u(2)),
        (15, 1, u(0x5000_0002)),
        (13, 2, s("win:Informational")),
        (14, 2, u(4)),
        (15, 2, u(0x5000_0004)),
        (17, 0, s("Connect")),
        (18, 0, guid(CONNECT_GUID)),
        (19, 0, u(1)),
        (20, 0, u(0x7000_0001)),
        (17, 1, s("Disconnect")),
        (18, 1, guid("{00000000-0000-0000-0000-000000000000}")),
        (19, 1, u(2)),
        (20, 1, none.clone()),
        (22, 0, s("Retry")),
        (23, 0, u(0x000A_0000)),
        (24, 0, u(0x300A_0000)),
        (22, 1, s("Handshake")),
        (23, 1, u(0x000B_0001)),
        (24, 1, u(0x300B_0001)),
        (22, 2, s("win:Start")),
        (23, 2, u(0x0001_0000)),
        (24, 2, u(0x3001_0000)),
        (26, 0, s("Network")),
        (27, 0, Value::UInt64(1)),
        (28, 0, u(0x1000_0001)),
        (26, 1, s("Storage")),
        (27, 1, Value::UInt64(2)),
        (28, 1, none),
    ]
}

#[test]
fn rust_api_reads_every_array_element_and_event() {
    let (_guard, engine) = service();
    let m = engine
        .open_publisher_metadata(Some("Contoso-Demo-Agent"), 0)
        .unwrap();
    let sizes = [3, 3, 2, 3, 2];
    for (kind, size) in MetadataArray::ALL.into_iter().zip(sizes) {
        assert_eq!(m.array(kind).unwrap().len(), size, "{kind:?}");
    }
    for (id, index, want) in expected_elements() {
        let p = PublisherProperty::from_id(id).unwrap();
        let array = m.array(p.element_of().unwrap()).unwrap();
        assert_eq!(array.property(p, index).unwrap(), want, "{p:?}[{index}]");
        // Past the end, and the same id asked of another array.
        let past = array.property(p, array.len()).unwrap_err();
        assert_eq!(past.kind(), ErrorKind::InvalidParameter);
        let other = m.array(MetadataArray::Levels).unwrap();
        if p.element_of() != Some(MetadataArray::Levels) {
            let e = other.property(p, 0).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidPublisherPropertyValue);
        }
    }

    let events = m.events().unwrap();
    assert_eq!(events.len(), 3);
    use EventProperty as E;
    let row = |i: usize| -> Vec<Value> {
        E::ALL
            .iter()
            .map(|&p| events[i].property(p).unwrap())
            .collect()
    };
    let u = Value::UInt32;
    assert_eq!(
        row(0),
        [
            u(100),
            u(0),
            u(16),
            u(4),
            u(1),
            u(1),
            Value::UInt64(0x8000_0000_0000_0001),
            u(0xB000_0064),
            s(TEMPLATE_XML)
        ]
    );
    assert_eq!(
        row(1),
        [
            u(101),
            u(1),
            u(9),
            u(2),
            u(10),
            u(2),
            Value::UInt64(2),
            u(0xFFFF_FFFF),
            s("")
        ]
    );
    assert_eq!(row(2)[0], u(200));
    assert_eq!(row(2)[4], u(11), "the opcode is plain, not shifted");
    assert_eq!(row(2)[8], s(TEMPLATE_XML));
    assert_eq!(EventProperty::from_id(9), None);

    // A classic event source has no event metadata, whatever message ids it holds.
    let mut classic = agent();
    classic.name = "Classic-Source".into();
    classic.classic = Some(evtlog::ClassicSource {
        log: "Application".into(),
        ..Default::default()
    });
    engine.publishers().install(classic);
    let c = engine
        .open_publisher_metadata(Some("Classic-Source"), 0)
        .unwrap();
    assert!(c.events().unwrap().is_empty());
}

#[test]
fn rust_api_default_publisher_is_winmeta() {
    let (_guard, engine) = service();
    let m = engine.open_publisher_metadata(None, 0).unwrap();
    assert!(m.publisher().is_none());
    assert_eq!(
        m.property(PublisherProperty::PublisherGuid).unwrap(),
        guid("{00000000-0000-0000-0000-000000000000}")
    );
    assert_eq!(
        m.property(PublisherProperty::MessageFilePath).unwrap(),
        Value::Null
    );
    assert_eq!(
        m.property(PublisherProperty::PublisherMessageId).unwrap(),
        Value::UInt32(0xFFFF_FFFF)
    );
    let levels = m.array(MetadataArray::Levels).unwrap();
    assert_eq!(levels.len(), 6);
    assert_eq!(
        levels.property(PublisherProperty::LevelName, 4).unwrap(),
        s("win:Informational")
    );
    assert_eq!(
        levels
            .property(PublisherProperty::LevelMessageId, 4)
            .unwrap(),
        Value::UInt32(0x5000_0004)
    );
    let opcodes = m.array(MetadataArray::Opcodes).unwrap();
    assert_eq!(opcodes.len(), 11);
    assert_eq!(
        opcodes.property(PublisherProperty::OpcodeName, 10).unwrap(),
        s("win:Receive")
    );
    assert_eq!(
        opcodes
            .property(PublisherProperty::OpcodeValue, 10)
            .unwrap(),
        Value::UInt32(240 << 16)
    );
    let tasks = m.array(MetadataArray::Tasks).unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(
        tasks.property(PublisherProperty::TaskMessageId, 0).unwrap(),
        Value::UInt32(0x7000_0000)
    );
    let keywords = m.array(MetadataArray::Keywords).unwrap();
    assert_eq!(keywords.len(), 8);
    assert_eq!(
        keywords
            .property(PublisherProperty::KeywordValue, 7)
            .unwrap(),
        Value::UInt64(0x0080_0000_0000_0000)
    );
    let channels = m.array(MetadataArray::ChannelReferences).unwrap();
    let names: Vec<Value> = (0..channels.len())
        .map(|i| {
            channels
                .property(PublisherProperty::ChannelReferencePath, i)
                .unwrap()
        })
        .collect();
    assert_eq!(names, [s("Application"), s("Security"), s("System")]);
    assert_eq!(
        channels
            .property(PublisherProperty::ChannelReferenceId, 2)
            .unwrap(),
        Value::UInt32(8)
    );
    assert!(m.events().unwrap().is_empty());
}

#[test]
fn rust_api_locale_log_file_and_uninstall() {
    let (_guard, engine) = service();
    // A locale the publisher has no strings for opens; reading strings fails (15033).
    let fr = engine
        .open_publisher_metadata(Some("Contoso-Demo-Agent"), 0x040C)
        .unwrap();
    assert_eq!(
        fr.culture().unwrap_err().kind(),
        ErrorKind::MessageLocaleNotFound
    );
    let en = engine
        .open_publisher_metadata(Some("Contoso-Demo-Agent"), 0x0409)
        .unwrap();
    assert_eq!(en.culture().unwrap(), "en-US");
    let any = engine
        .open_publisher_metadata(Some("Contoso-Demo-Agent"), 0)
        .unwrap();
    assert_eq!(any.culture().unwrap(), "en-US");
    assert_eq!(
        engine
            .open_publisher_metadata(Some("No-Such-Publisher"), 0)
            .unwrap_err()
            .kind(),
        ErrorKind::PublisherMetadataNotFound
    );

    // LogFilePath: the file must exist; the installed publisher answers.
    let dir = std::env::temp_dir().join(format!("evtlog-meta-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("archived.evtx");
    std::fs::write(&file, b"ElfFile").unwrap();
    let path = file.to_str().unwrap();
    let m = engine
        .open_publisher_metadata_in_file(Some("Contoso-Demo-Agent"), path, 0)
        .unwrap();
    assert_eq!(
        m.property(PublisherProperty::PublisherGuid).unwrap(),
        guid(AGENT_GUID)
    );
    let missing = dir.join("missing.evtx");
    let err = engine
        .open_publisher_metadata_in_file(None, missing.to_str().unwrap(), 0)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::FileNotFound);
    let no_dir = dir.join("no-such-dir").join("a.evtx");
    let err = engine
        .open_publisher_metadata_in_file(None, no_dir.to_str().unwrap(), 0)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PathNotFound);
    let err = engine
        .open_publisher_metadata_in_file(None, "relative.evtx", 0)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidParameter);
    std::fs::remove_dir_all(&dir).unwrap();

    // Uninstalled (or upgraded) under an open metadata object: 15037 for every read.
    let array = m.array(MetadataArray::Levels).unwrap();
    let events = m.events().unwrap();
    engine.publishers().uninstall("Contoso-Demo-Agent").unwrap();
    let disabled = ErrorKind::PublisherDisabled;
    assert_eq!(
        m.property(PublisherProperty::PublisherGuid)
            .unwrap_err()
            .kind(),
        disabled
    );
    assert_eq!(m.array(MetadataArray::Tasks).unwrap_err().kind(), disabled);
    assert_eq!(m.events().unwrap_err().kind(), disabled);
    assert_eq!(
        array
            .property(PublisherProperty::LevelName, 0)
            .unwrap_err()
            .kind(),
        disabled
    );
    assert_eq!(
        events[0].property(EventProperty::Id).unwrap_err().kind(),
        disabled
    );
    engine.publishers().install(agent());
    assert_eq!(
        m.property(PublisherProperty::PublisherGuid)
            .unwrap_err()
            .kind(),
        disabled,
        "a reinstall is another publisher"
    );
}

// ---- the facade ----

/// A variant as the tests read it back.
#[derive(Debug, PartialEq)]
enum V {
    Null,
    Str(String),
    U32(u32),
    U64(u64),
    Guid(Guid),
    Handle(EVT_HANDLE),
}

fn decode(buf: &[u8]) -> V {
    let word = u64::from_le_bytes(buf[..8].try_into().unwrap());
    let ty = u32::from_le_bytes(buf[12..16].try_into().unwrap());
    let at = (word as usize).wrapping_sub(buf.as_ptr() as usize);
    match ty {
        0 => V::Null,
        1 => {
            let units: Vec<u16> = buf[at..]
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .take_while(|&u| u != 0)
                .collect();
            V::Str(String::from_utf16(&units).unwrap())
        }
        8 => V::U32(word as u32),
        10 => V::U64(word),
        15 => V::Guid(Guid::from_bytes_le(buf[at..at + 16].try_into().unwrap())),
        32 => V::Handle(word as EVT_HANDLE),
        other => panic!("unexpected variant type {other}"),
    }
}

/// The documented two calls: the size probe (FALSE, 122, the size), then the call.
fn two_calls(call: impl Fn(&mut [u8], &mut u32) -> BOOL) -> V {
    let mut used = 0;
    assert_eq!(call(&mut [], &mut used), FALSE);
    assert_eq!(GetLastError(), 122, "ERROR_INSUFFICIENT_BUFFER");
    let needed = used;
    let mut short = vec![0xAAu8; needed as usize - 1];
    assert_eq!(call(&mut short, &mut used), FALSE);
    assert!(
        short.iter().all(|&b| b == 0xAA),
        "a short buffer is untouched"
    );
    let mut buf = vec![0u8; needed as usize];
    assert_eq!(call(&mut buf, &mut used), TRUE, "error {}", GetLastError());
    assert_eq!(used, needed);
    decode(&buf)
}

fn publisher_property(h: EVT_HANDLE, id: u32) -> V {
    two_calls(|b, u| EvtGetPublisherMetadataProperty(h, id, 0, b, u))
}

fn array_property(h: EVT_HANDLE, id: u32, index: u32) -> V {
    two_calls(|b, u| EvtGetObjectArrayProperty(h, id, index, 0, b, u))
}

fn fails(result: BOOL, code: u32) {
    assert_eq!(result, FALSE);
    assert_eq!(GetLastError(), code);
}

fn as_v(value: Value) -> V {
    match value {
        Value::Null => V::Null,
        Value::String(s) => V::Str(s.into()),
        Value::UInt32(x) => V::U32(x),
        Value::UInt64(x) => V::U64(x),
        Value::Guid(g) => V::Guid(g),
        other => panic!("{other:?}"),
    }
}

#[test]
fn facade_reads_every_property_with_the_size_probe() {
    let (_guard, _engine) = service();
    let h = EvtOpenPublisherMetadata(0, Some("Contoso-Demo-Agent"), None, 0, 0);
    assert_ne!(h, 0, "error {}", GetLastError());
    assert_eq!(
        publisher_property(h, EvtPublisherMetadataPublisherGuid),
        V::Guid(Guid::parse(AGENT_GUID).unwrap())
    );
    assert_eq!(
        publisher_property(h, EvtPublisherMetadataResourceFilePath),
        V::Str("%ProgramFiles%\\Contoso\\agent.dll".into())
    );
    // A Null still takes one variant: the probe says 16.
    assert_eq!(
        publisher_property(h, EvtPublisherMetadataParameterFilePath),
        V::Null
    );
    assert_eq!(
        publisher_property(h, EvtPublisherMetadataPublisherMessageID),
        V::U32(0x9000_0001)
    );
    for id in [7, 8, 11, 13, 18, 24, 28] {
        let (mut buf, mut used) = ([0u8; 64], 0);
        fails(
            EvtGetPublisherMetadataProperty(h, id, 0, &mut buf, &mut used),
            15024,
        );
    }
    let (mut buf, mut used) = ([0u8; 64], 0);
    fails(
        EvtGetPublisherMetadataProperty(h, 29, 0, &mut buf, &mut used),
        87,
    );
    fails(
        EvtGetPublisherMetadataProperty(h, 0, 1, &mut buf, &mut used),
        87,
    );

    // Each array id gives a handle; every element reads as the Rust API reads it.
    let mut arrays = std::collections::HashMap::new();
    for id in [6u32, 12, 16, 21, 25] {
        let V::Handle(a) = publisher_property(h, id) else {
            panic!("array {id} is not a handle");
        };
        arrays.insert(id, a);
    }
    for (id, index, want) in expected_elements() {
        let array_id = [6u32, 12, 16, 21, 25]
            .into_iter()
            .rev()
            .find(|&a| a < id)
            .unwrap();
        let a = arrays[&array_id];
        assert_eq!(
            array_property(a, id, index as u32),
            as_v(want),
            "{id}[{index}]"
        );
    }
    let mut size = 0;
    assert_eq!(EvtGetObjectArraySize(arrays[&6], &mut size), TRUE);
    assert_eq!(size, 3);
    assert_eq!(EvtGetObjectArraySize(arrays[&25], &mut size), TRUE);
    assert_eq!(size, 2);
    fails(
        EvtGetObjectArrayProperty(arrays[&25], 26, 2, 0, &mut buf, &mut used),
        87,
    );
    fails(
        EvtGetObjectArrayProperty(arrays[&25], 13, 0, 0, &mut buf, &mut used),
        15024,
    );
    fails(
        EvtGetObjectArrayProperty(arrays[&25], 26, 0, 4, &mut buf, &mut used),
        87,
    );
    fails(EvtGetObjectArraySize(h, &mut size), 6);

    // Events, in table order, then NULL with ERROR_NO_MORE_ITEMS.
    let e = EvtOpenEventMetadataEnum(h, 0);
    assert_ne!(e, 0);
    let mut ids = Vec::new();
    let mut templates = Vec::new();
    loop {
        let ev = EvtNextEventMetadata(e, 0);
        if ev == 0 {
            assert_eq!(GetLastError(), 259);
            break;
        }
        let get = |id| two_calls(|b, u| EvtGetEventMetadataProperty(ev, id, 0, b, u));
        ids.push(get(EventMetadataEventID));
        templates.push(get(EventMetadataEventTemplate));
        if ids.len() == 1 {
            assert_eq!(
                get(EventMetadataEventKeyword),
                V::U64(0x8000_0000_0000_0001)
            );
            assert_eq!(get(EventMetadataEventChannel), V::U32(16));
            assert_eq!(get(EventMetadataEventMessageID), V::U32(0xB000_0064));
            fails(
                EvtGetEventMetadataProperty(ev, 9, 0, &mut buf, &mut used),
                87,
            );
        }
    }
    assert_eq!(ids, [V::U32(100), V::U32(101), V::U32(200)]);
    assert_eq!(templates[0], V::Str(TEMPLATE_XML.into()));
    assert_eq!(templates[1], V::Str(String::new()));
    assert_eq!(EvtNextEventMetadata(e, 0), 0);
    assert_eq!(GetLastError(), 259);
    // Reserved flags, and handles of the wrong kind.
    assert_eq!(EvtOpenEventMetadataEnum(h, 1), 0);
    assert_eq!(GetLastError(), 87);
    assert_eq!(EvtNextEventMetadata(e, 1), 0);
    assert_eq!(GetLastError(), 87);
    assert_eq!(EvtNextEventMetadata(h, 0), 0);
    assert_eq!(GetLastError(), 6);
    assert_eq!(EvtOpenEventMetadataEnum(e, 0), 0);
    assert_eq!(GetLastError(), 6);
    fails(EvtGetEventMetadataProperty(e, 0, 0, &mut buf, &mut used), 6);
    fails(
        EvtGetPublisherMetadataProperty(e, 0, 0, &mut buf, &mut used),
        6,
    );
    assert_eq!(EvtClose(h), TRUE);
}

#[test]
fn facade_closing_metadata_closes_its_arrays_and_enumerators() {
    let (_guard, engine) = service();
    let session = EvtOpenSession(
        EvtRpcLogin,
        Some(&EvtRpcLoginInfo {
            server: Some("localhost".into()),
            ..Default::default()
        }),
        0,
        0,
    );
    assert_ne!(session, 0);
    let h = EvtOpenPublisherMetadata(session, Some("Contoso-Demo-Agent"), None, 0, 0);
    assert_ne!(h, 0);
    let V::Handle(levels) = publisher_property(h, EvtPublisherMetadataLevels) else {
        panic!()
    };
    let e = EvtOpenEventMetadataEnum(h, 0);
    let ev = EvtNextEventMetadata(e, 0);
    assert_ne!(ev, 0);

    // Uninstalled under the open handles: 15037.
    engine.publishers().uninstall("Contoso-Demo-Agent");
    let (mut buf, mut used) = ([0u8; 64], 0);
    fails(
        EvtGetPublisherMetadataProperty(h, 0, 0, &mut buf, &mut used),
        15037,
    );
    fails(
        EvtGetObjectArrayProperty(levels, 13, 0, 0, &mut buf, &mut used),
        15037,
    );
    fails(
        EvtGetEventMetadataProperty(ev, 0, 0, &mut buf, &mut used),
        15037,
    );
    assert_eq!(EvtOpenEventMetadataEnum(h, 0), 0);
    assert_eq!(GetLastError(), 15037);

    // Closing the session closes the metadata, its array, its enumerator and its event.
    assert_eq!(EvtClose(session), TRUE);
    for handle in [h, levels, e, ev] {
        assert_eq!(EvtClose(handle), FALSE);
        assert_eq!(GetLastError(), 6);
    }
    engine.publishers().install(agent());
    let h = EvtOpenPublisherMetadata(0, Some("Contoso-Demo-Agent"), None, 0, 0);
    let V::Handle(tasks) = publisher_property(h, EvtPublisherMetadataTasks) else {
        panic!()
    };
    assert_eq!(EvtClose(h), TRUE);
    let mut size = 0;
    fails(EvtGetObjectArraySize(tasks, &mut size), 6);
}

#[test]
fn facade_enumerates_publishers_in_installation_order() {
    let (_guard, engine) = service();
    for name in ["Zeta-Provider", "Alpha-Provider"] {
        engine.publishers().install(Publisher {
            name: name.into(),
            ..Publisher::default()
        });
    }
    let e = EvtOpenPublisherEnum(0, 0);
    assert_ne!(e, 0);
    let mut names = Vec::new();
    loop {
        let mut used = 0;
        if EvtNextPublisherId(e, &mut [], &mut used) == TRUE {
            panic!("an empty buffer cannot succeed");
        }
        if GetLastError() == 259 {
            break;
        }
        assert_eq!(GetLastError(), 122);
        // One character short: 122 again and the same size (the enumerator stays).
        let mut short = vec![0u16; used as usize - 1];
        let mut again = 0;
        fails(EvtNextPublisherId(e, &mut short, &mut again), 122);
        assert_eq!(again, used);
        let mut buf = vec![0u16; used as usize];
        assert_eq!(EvtNextPublisherId(e, &mut buf, &mut used), TRUE);
        assert_eq!(buf[used as usize - 1], 0);
        names.push(String::from_utf16(&buf[..used as usize - 1]).unwrap());
    }
    // After a reset the service has the default publishers (installed first), then the
    // agent and these two, in installation order.
    let defaults = evtlog::DEFAULT_MANIFESTS.len();
    assert_eq!(names.len(), defaults + 3);
    assert_eq!(names[0], "Microsoft-Windows-Security-Auditing");
    assert_eq!(
        names[defaults..],
        ["Contoso-Demo-Agent", "Zeta-Provider", "Alpha-Provider"]
    );
    let mut used = 0;
    fails(EvtNextPublisherId(e, &mut [0; 64], &mut used), 259);
    assert_eq!(EvtOpenPublisherEnum(0, 1), 0);
    assert_eq!(GetLastError(), 87);
    assert_eq!(EvtClose(e), TRUE);
}

#[test]
fn facade_open_errors_and_the_default_publisher() {
    let (_guard, _engine) = service();
    assert_eq!(EvtOpenPublisherMetadata(0, Some("No-Such"), None, 0, 0), 0);
    assert_eq!(GetLastError(), 15002);
    assert_eq!(EvtOpenPublisherMetadata(0, None, None, 0, 1), 0);
    assert_eq!(GetLastError(), 87);
    assert_eq!(
        EvtOpenPublisherMetadata(0, None, Some("/no/such/dir/x.evtx"), 0, 0),
        0
    );
    assert_eq!(GetLastError(), 3);

    let h = EvtOpenPublisherMetadata(0, None, None, 0, 0);
    assert_ne!(h, 0);
    let V::Handle(levels) = publisher_property(h, EvtPublisherMetadataLevels) else {
        panic!()
    };
    let mut size = 0;
    assert_eq!(EvtGetObjectArraySize(levels, &mut size), TRUE);
    assert_eq!(size, 6);
    assert_eq!(
        array_property(levels, EvtPublisherMetadataLevelName, 1),
        V::Str("win:Critical".into())
    );
    let e = EvtOpenEventMetadataEnum(h, 0);
    assert_eq!(EvtNextEventMetadata(e, 0), 0);
    assert_eq!(GetLastError(), 259);
    assert_eq!(EvtClose(h), TRUE);
}
