//! The producer side through the Rust API: EventWrite's payload decoded by hand-built
//! templates (every inType, arrays, lengths, structs, mismatches), the channel routing of
//! the descriptor's Channel, and the event XML against hand-written goldens.

use std::sync::Arc;

use evtlog::{
    decode_payload, ChannelConfig, ChannelRef, ChannelType, Engine, ErrorKind, EventDefinition,
    EventDescriptor, FileTime, Guid, Publisher, Sid, Template, TemplateItem, Value, VirtualClock,
    MAX_PAYLOAD,
};

pub(crate) const PROVIDER: Guid = Guid {
    data1: 0x1db2_8f2e,
    data2: 0x8f80,
    data3: 0x4027,
    data4: [0x8c, 0x5a, 0xa1, 0x1f, 0x7f, 0x10, 0xf6, 0x2d],
};
pub(crate) const OPERATIONAL: &str = "Contoso-Demo/Operational";

pub(crate) fn item(name: &str, in_type: &str) -> TemplateItem {
    TemplateItem {
        name: name.into(),
        in_type: format!("win:{in_type}"),
        out_type: String::new(),
        map: None,
        length: None,
        count: None,
        members: Vec::new(),
    }
}

fn template(tid: &str, items: Vec<TemplateItem>) -> Template {
    Template {
        tid: tid.into(),
        items,
        user_data: None,
    }
}

fn event(value: u32, channel: u32, template: Option<usize>) -> EventDefinition {
    EventDefinition {
        value,
        version: 0,
        channel,
        level: 4,
        task: 0,
        opcode: 0,
        keywords: 0x8000_0000_0000_0000,
        template,
        message_id: None,
        symbol: None,
    }
}

fn channel_ref(name: &str, value: u32, imported: bool) -> ChannelRef {
    ChannelRef {
        name: name.into(),
        chid: name.into(),
        value,
        imported,
        message_id: None,
        definition: None,
    }
}

/// A provider whose events 1–6 use templates of every shape, to its Operational channel
/// (0x10) and the imported Application (9).
pub(crate) fn publisher() -> Publisher {
    let scalars = [
        "UnicodeString",
        "AnsiString",
        "Int8",
        "UInt8",
        "Int16",
        "UInt16",
        "Int32",
        "UInt32",
        "Int64",
        "UInt64",
        "Float",
        "Double",
        "Boolean",
        "GUID",
        "Pointer",
        "FILETIME",
        "SYSTEMTIME",
        "SID",
        "HexInt32",
        "HexInt64",
    ];
    let every = scalars.iter().map(|t| item(t, t)).collect();
    let mut arrays = vec![
        item("Count", "UInt16"),
        item("Ids", "UInt32"),
        item("Names", "UnicodeString"),
        item("Size", "UInt32"),
        item("Blob", "Binary"),
        item("Fixed", "Binary"),
        item("Code", "UnicodeString"),
    ];
    arrays[1].count = Some("Count".into());
    arrays[2].count = Some("2".into());
    arrays[4].length = Some("Size".into());
    arrays[5].length = Some("3".into());
    arrays[6].length = Some("4".into());
    let mut point = item("Points", "");
    point.count = Some("2".into());
    point.members = vec![item("X", "Int32"), item("Y", "Int32")];
    let mut hex = item("Flags", "UInt32");
    hex.out_type = "win:HexInt32".into();
    Publisher {
        name: "Contoso-Demo".into(),
        guid: PROVIDER,
        channels: vec![
            channel_ref(OPERATIONAL, 0x10, false),
            channel_ref("Application", 9, true),
        ],
        templates: vec![
            template("every", every),
            template("arrays", arrays),
            template("structs", vec![item("Name", "UnicodeString"), point, hex]),
            template("one", vec![item("Message", "UnicodeString")]),
        ],
        events: vec![
            event(1, 0x10, Some(0)),
            event(2, 0x10, Some(1)),
            event(3, 0x10, Some(2)),
            event(4, 9, Some(3)),
            event(5, 0x10, None),
        ],
        ..Publisher::default()
    }
}

pub(crate) fn at() -> FileTime {
    FileTime::parse("2026-01-02T03:04:05.0000000Z").unwrap()
}

/// An engine with the provider installed and its Operational channel, on a virtual clock.
pub(crate) fn engine() -> Engine {
    let engine = Engine::with_default_channels(Arc::new(VirtualClock::new(at())));
    engine
        .create_channel(ChannelConfig::new(OPERATIONAL, ChannelType::Operational))
        .unwrap();
    engine.publishers().install(publisher());
    engine
}

fn descriptor(id: u16, channel: u8) -> EventDescriptor {
    EventDescriptor {
        id,
        version: 0,
        channel,
        level: 4,
        opcode: 0,
        task: 0,
        keyword: 0x8000_0000_0000_0000,
    }
}

fn utf16z(s: &str) -> Vec<u8> {
    s.encode_utf16()
        .chain([0])
        .flat_map(|u| u.to_le_bytes())
        .collect()
}

fn last(engine: &Engine, channel: &str) -> evtlog::Event {
    let snapshot = engine.channel(channel).unwrap().snapshot();
    snapshot.iter().last().expect("an event").clone()
}

/// The `<System>` of an event the provider wrote, as Windows renders it.
fn system(engine: &Engine, id: u16, record: u64, correlation: &str) -> String {
    let event = last(engine, OPERATIONAL);
    let computer = event.system.computer.clone().unwrap();
    let execution = event.system.execution.unwrap();
    assert_eq!(execution.process_id, std::process::id());
    assert_ne!(execution.thread_id, 0);
    format!(
        "<System><Provider Name='Contoso-Demo' Guid='{{1db28f2e-8f80-4027-8c5a-a11f7f10f62d}}'/>\
<EventID>{id}</EventID><Version>0</Version><Level>4</Level><Task>0</Task><Opcode>0</Opcode>\
<Keywords>0x8000000000000000</Keywords><TimeCreated SystemTime='2026-01-02T03:04:05.0000000Z'/>\
<EventRecordID>{record}</EventRecordID>{correlation}<Execution ProcessID='{}' ThreadID='{}'/>\
<Channel>{OPERATIONAL}</Channel><Computer>{computer}</Computer><Security/></System>",
        execution.process_id, execution.thread_id
    )
}

const NS: &str = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>";

#[test]
fn every_in_type_decodes_and_renders_as_windows_does() {
    let engine = engine();
    let provider = engine.register_provider(PROVIDER);
    let guid = Guid::parse("{01234567-89ab-cdef-0123-456789abcdef}").unwrap();
    let sid = Sid::parse("S-1-5-21-1-2-3-1001").unwrap();
    let systime: [u8; 16] = [0xea, 0x07, 1, 0, 5, 0, 2, 0, 3, 0, 4, 0, 5, 0, 0x7b, 0];
    let blocks: Vec<Vec<u8>> = vec![
        utf16z("héllo <w>"),
        b"ansi\0".to_vec(),
        (-5i8).to_le_bytes().to_vec(),
        vec![200],
        (-300i16).to_le_bytes().to_vec(),
        60000u16.to_le_bytes().to_vec(),
        (-70000i32).to_le_bytes().to_vec(),
        4_000_000_000u32.to_le_bytes().to_vec(),
        (-5_000_000_000i64).to_le_bytes().to_vec(),
        18_000_000_000_000_000_000u64.to_le_bytes().to_vec(),
        1.5f32.to_le_bytes().to_vec(),
        (-2.25f64).to_le_bytes().to_vec(),
        1u32.to_le_bytes().to_vec(),
        guid.to_bytes_le().to_vec(),
        0x7ff6_1234_5678u64.to_le_bytes().to_vec(),
        at().0.to_le_bytes().to_vec(),
        systime.to_vec(),
        sid.to_bytes(),
        0x3e7u32.to_le_bytes().to_vec(),
        0xdead_beef_u64.to_le_bytes().to_vec(),
    ];
    let slices: Vec<&[u8]> = blocks.iter().map(Vec::as_slice).collect();
    let id = provider.write(&descriptor(1, 0x10), &slices).unwrap();
    assert_eq!(id, Some(1));
    let xml = last(&engine, OPERATIONAL).to_xml();
    let expected = format!(
        "{NS}{}<EventData><Data Name='UnicodeString'>héllo &lt;w&gt;</Data>\
<Data Name='AnsiString'>ansi</Data><Data Name='Int8'>-5</Data><Data Name='UInt8'>200</Data>\
<Data Name='Int16'>-300</Data><Data Name='UInt16'>60000</Data><Data Name='Int32'>-70000</Data>\
<Data Name='UInt32'>4000000000</Data><Data Name='Int64'>-5000000000</Data>\
<Data Name='UInt64'>18000000000000000000</Data><Data Name='Float'>1.5</Data>\
<Data Name='Double'>-2.25</Data><Data Name='Boolean'>true</Data>\
<Data Name='GUID'>{{01234567-89ab-cdef-0123-456789abcdef}}</Data>\
<Data Name='Pointer'>0x7ff612345678</Data>\
<Data Name='FILETIME'>2026-01-02T03:04:05.0000000Z</Data>\
<Data Name='SYSTEMTIME'>2026-01-02T03:04:05.123Z</Data>\
<Data Name='SID'>S-1-5-21-1-2-3-1001</Data><Data Name='HexInt32'>0x3e7</Data>\
<Data Name='HexInt64'>0xdeadbeef</Data></EventData></Event>",
        system(&engine, 1, 1, "<Correlation/>")
    );
    assert_eq!(xml, expected);
}

#[test]
fn typed_values_lay_out_as_a_c_provider_passes_them() {
    let engine = engine();
    let provider = engine.register_provider(PROVIDER);
    provider
        .write_values(&descriptor(4, 9), &[Value::String("hello".into())])
        .unwrap();
    let event = last(&engine, "Application");
    assert_eq!(
        event.event_data().unwrap().get("Message"),
        Some(&Value::String("hello".into()))
    );
    assert_eq!(event.system.channel.as_deref(), Some("Application"));
}

#[test]
fn arrays_lengths_and_structs() {
    // Arrays are one typed array value (EvtRender gives EVT_VARIANT arrays), which the
    // XML renderer writes comma-separated as it does for arrays read from .evtx files.
    let engine = engine();
    let provider = engine.register_provider(PROVIDER);
    let mut payload = Vec::new();
    payload.extend(3u16.to_le_bytes());
    for id in [7u32, 8, 9] {
        payload.extend(id.to_le_bytes());
    }
    payload.extend(utf16z("a"));
    payload.extend(utf16z("bc"));
    payload.extend(2u32.to_le_bytes());
    payload.extend([0xab, 0xcd]);
    payload.extend([1, 2, 3]);
    // A fixed 4-character string: "ok", its NUL, padding.
    payload.extend(utf16z("ok"));
    payload.extend([0, 0]);
    provider.write(&descriptor(2, 0x10), &[&payload]).unwrap();
    let xml = last(&engine, OPERATIONAL).to_xml();
    assert!(
        xml.ends_with(
            "<EventData><Data Name='Count'>3</Data><Data Name='Ids'>7,8,9</Data>\
<Data Name='Names'>a,bc</Data><Data Name='Size'>2</Data><Data Name='Blob'>ABCD</Data>\
<Data Name='Fixed'>010203</Data><Data Name='Code'>ok</Data></EventData></Event>"
        ),
        "{xml}"
    );

    let mut payload = utf16z("p");
    for v in [1i32, -2, 3, -4] {
        payload.extend(v.to_le_bytes());
    }
    payload.extend(0x11u32.to_le_bytes());
    // Blocks split anywhere: ETW concatenates them.
    let (a, b) = payload.split_at(5);
    provider.write(&descriptor(3, 0x10), &[a, b]).unwrap();
    let xml = last(&engine, OPERATIONAL).to_xml();
    assert!(
        xml.ends_with(
            "<EventData><Data Name='Name'>p</Data><ComplexData Name='Points'>\
<Data Name='X'>1</Data><Data Name='Y'>-2</Data></ComplexData><ComplexData Name='Points'>\
<Data Name='X'>3</Data><Data Name='Y'>-4</Data></ComplexData>\
<Data Name='Flags'>0x11</Data></EventData></Event>"
        ),
        "{xml}"
    );
}

#[test]
fn data_that_does_not_fit_is_logged_as_processing_error_data() {
    let engine = engine();
    let provider = engine.register_provider(PROVIDER);
    let one = &publisher().templates[3];
    // No NUL: the string runs off the end.
    let payload = [0x41, 0x00, 0x42];
    let err = decode_payload(one, &payload).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidEventData);
    assert_eq!(err.win32_code(), 15005);
    let text = err.to_string();
    assert!(
        text.contains("\"Message\"") && text.contains("no terminating NUL"),
        "{text}"
    );
    // Bytes left over.
    let err = decode_payload(one, &[0x41, 0, 0, 0, 7]).unwrap_err();
    assert!(err.to_string().contains("1 bytes are left"), "{err}");
    // A short fixed-size item names what it needs and has.
    let every = &publisher().templates[0];
    let mut short = utf16z("x");
    short.extend(b"a\0");
    let err = decode_payload(every, &short).unwrap_err();
    assert!(
        err.to_string()
            .contains("win:Int8 needs 1 bytes, 0 are left"),
        "{err}"
    );
    // A count over the limit is refused before anything is allocated.
    let mut counted = item("Many", "UInt8");
    counted.count = Some("4294967295".into());
    let t = Template {
        tid: "t".into(),
        items: vec![counted],
        user_data: None,
    };
    assert!(decode_payload(&t, &[1])
        .unwrap_err()
        .to_string()
        .contains("over 65536"));

    // EventWrite still succeeds and the service logs the mismatch, as Windows' does.
    assert_eq!(
        provider.write(&descriptor(4, 9), &[&payload]).unwrap(),
        Some(1)
    );
    let xml = last(&engine, "Application").to_xml();
    assert!(
        xml.ends_with(
            "<ProcessingErrorData><ErrorCode>15005</ErrorCode><DataItemName>Message</DataItemName>\
<EventPayload>410042</EventPayload></ProcessingErrorData></Event>"
        ),
        "{xml}"
    );
    // An event without a template: no body with no data, ProcessingErrorData with some.
    provider.write(&descriptor(5, 0x10), &[]).unwrap();
    let xml = last(&engine, OPERATIONAL).to_xml();
    assert!(xml.ends_with("<Security/></System></Event>"), "{xml}");
}

#[test]
fn the_descriptor_channel_routes_the_event() {
    let engine = engine();
    let provider = engine.register_provider(PROVIDER);
    let message = utf16z("m");
    let count = |name: &str| engine.channel(name).unwrap().record_count();
    assert_eq!(
        provider.write(&descriptor(4, 9), &[&message]).unwrap(),
        Some(1)
    );
    assert_eq!((count("Application"), count(OPERATIONAL)), (1, 0));
    // Channel 0, or one the provider does not declare: ETW only.
    assert_eq!(
        provider.write(&descriptor(4, 0), &[&message]).unwrap(),
        None
    );
    assert_eq!(
        provider.write(&descriptor(4, 0x11), &[&message]).unwrap(),
        None
    );
    // The descriptor decides, not the event definition: event 4 into Operational.
    assert_eq!(
        provider.write(&descriptor(4, 0x10), &[&message]).unwrap(),
        Some(1)
    );
    assert_eq!((count("Application"), count(OPERATIONAL)), (1, 1));
    // A disabled channel drops it; EventEnabled says so.
    assert!(provider.is_enabled(&descriptor(4, 0x10)));
    engine.channel(OPERATIONAL).unwrap().set_enabled(false);
    assert!(!provider.is_enabled(&descriptor(4, 0x10)));
    assert_eq!(
        provider.write(&descriptor(4, 0x10), &[&message]).unwrap(),
        None
    );
    assert_eq!(count(OPERATIONAL), 1);
    // Only Application (index 1) is enabled now: bit 62.
    let enablement = provider.enablement().unwrap();
    assert_eq!(enablement.match_any_keyword, 1 << 62);
    assert!(provider.is_provider_enabled(4, 1 << 62));
    assert!(!provider.is_provider_enabled(4, 1 << 63));
    // A provider that is not installed logs nothing and succeeds.
    let other = engine.register_provider(Guid::from_u128(7));
    assert_eq!(other.write(&descriptor(4, 9), &[&message]).unwrap(), None);
    assert!(other.enablement().is_none());
}

#[test]
fn transfer_ids_string_events_limits_and_unregister() {
    let engine = engine();
    let provider = engine.register_provider(PROVIDER);
    let activity = Guid::from_u128(0x1111);
    let related = Guid::from_u128(0x2222);
    provider
        .write_transfer(
            &descriptor(4, 0x10),
            Some(activity),
            Some(related),
            &[&utf16z("t")],
        )
        .unwrap();
    let xml = last(&engine, OPERATIONAL).to_xml();
    let correlation = "<Correlation ActivityID='{00000000-0000-0000-0000-000000001111}' \
RelatedActivityID='{00000000-0000-0000-0000-000000002222}'/>";
    assert_eq!(
        xml,
        format!(
            "{NS}{}<EventData><Data Name='Message'>t</Data></EventData></Event>",
            system(&engine, 4, 1, correlation)
        )
    );
    // EventWriteString is ETW-only.
    assert_eq!(provider.write_string(4, 0, "hi").unwrap(), None);
    let total: u64 = engine.channels().iter().map(|c| c.record_count()).sum();
    assert_eq!(total, 1);
    // 129 blocks, a payload over the maximum.
    let blocks = vec![&[][..]; 129];
    let err = provider.write(&descriptor(4, 9), &blocks).unwrap_err();
    assert_eq!(err.win32_code(), 87);
    let big = vec![0u8; MAX_PAYLOAD + 1];
    let err = provider.write(&descriptor(4, 9), &[&big]).unwrap_err();
    assert_eq!(err.win32_code(), 534);
    let err = provider
        .write_string(4, 0, &"x".repeat(MAX_PAYLOAD))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ArithmeticOverflow);
    provider.unregister().unwrap();
    assert_eq!(provider.unregister().unwrap_err().win32_code(), 6);
    let err = provider.write(&descriptor(4, 9), &[]).unwrap_err();
    assert_eq!(err.win32_code(), 6);
}

#[test]
fn writes_carry_the_threads_activity_id() {
    use evtlog::activity_id_control;
    let engine = engine();
    let provider = engine.register_provider(PROVIDER);
    let message = utf16z("a");
    // None yet: an empty <Correlation/>.
    let mut id = Guid::default();
    activity_id_control(1, &mut id).unwrap();
    assert_eq!(id, Guid::default());
    // CREATE_SET: a new id for the thread, the old one back.
    activity_id_control(5, &mut id).unwrap();
    assert_eq!(id, Guid::default());
    let mut current = Guid::default();
    activity_id_control(1, &mut current).unwrap();
    assert_ne!(current, Guid::default());
    let text = {
        let mut s = String::new();
        current.write_to(&mut s);
        s
    };
    assert_eq!(&text[15..16], "4", "a version-4 GUID: {text}");
    provider.write(&descriptor(4, 9), &[&message]).unwrap();
    let event = last(&engine, "Application");
    assert_eq!(event.system.correlation.unwrap().activity_id, Some(current));
    // An explicit id wins; another thread has its own (none).
    let explicit = Guid::from_u128(3);
    provider
        .write_transfer(&descriptor(4, 9), Some(explicit), None, &[&message])
        .unwrap();
    assert_eq!(
        last(&engine, "Application")
            .system
            .correlation
            .unwrap()
            .activity_id,
        Some(explicit)
    );
    let engine2 = engine.clone();
    std::thread::spawn(move || {
        let provider = engine2.register_provider(PROVIDER);
        provider.write(&descriptor(4, 9), &[&utf16z("b")]).unwrap();
        let event = last(&engine2, "Application");
        assert_eq!(event.system.correlation.unwrap().activity_id, None);
    })
    .join()
    .unwrap();
    // GET_SET swaps; SET sets; CREATE leaves the thread's alone; other codes are 87.
    let mut swap = Guid::from_u128(9);
    activity_id_control(4, &mut swap).unwrap();
    assert_eq!(swap, current);
    let mut now = Guid::default();
    activity_id_control(1, &mut now).unwrap();
    assert_eq!(now, Guid::from_u128(9));
    let mut created = Guid::default();
    activity_id_control(3, &mut created).unwrap();
    assert_ne!(created, Guid::from_u128(9));
    activity_id_control(1, &mut now).unwrap();
    assert_eq!(now, Guid::from_u128(9));
    let mut zero = Guid::default();
    activity_id_control(2, &mut zero).unwrap();
    assert_eq!(
        activity_id_control(6, &mut zero).unwrap_err().win32_code(),
        87
    );
}
