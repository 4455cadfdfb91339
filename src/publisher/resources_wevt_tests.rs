//! Hand-built CRIM blobs: every table read into the model, and each error with its offset.

use super::*;

fn put(v: &mut [u8], at: usize, x: u32) {
    v[at..at + 4].copy_from_slice(&x.to_le_bytes());
}

fn u32s(v: &mut Vec<u8>, xs: &[u32]) {
    for x in xs {
        v.extend_from_slice(&x.to_le_bytes());
    }
}

pub(crate) const PROVIDER: &str = "{11223344-5566-7788-99aa-bbccddeeff00}";
pub(crate) const TEMPLATE: &str = "{0a0b0c0d-0e0f-1011-1213-141516171819}";

/// Offsets of interesting places of the built blob.
pub(crate) struct Built {
    pub(crate) blob: Vec<u8>,
    pub(crate) chan: usize,
    pub(crate) maps: usize,
    pub(crate) ttbl: usize,
    pub(crate) evnt: usize,
    pub(crate) names: usize,
}

/// One provider with two channels, a level, a task-specific opcode, a task, a keyword, a
/// value map, a template of three items and two events.
pub(crate) fn build() -> Built {
    let sigs = [
        b"MAPS", b"TTBL", b"CHAN", b"LEVL", b"OPCO", b"TASK", b"KEYW", b"EVNT",
    ];
    let mut b = Vec::new();
    b.extend_from_slice(b"CRIM");
    u32s(&mut b, &[0]); // size, patched
    b.extend_from_slice(&3u16.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    u32s(&mut b, &[1]);
    b.extend_from_slice(&Guid::parse(PROVIDER).unwrap().to_bytes_le());
    u32s(&mut b, &[36]);
    b.extend_from_slice(b"WEVT");
    u32s(&mut b, &[0, 0x9000_0001, sigs.len() as u32, 0]);
    let descriptors = b.len();
    b.resize(descriptors + 8 * sigs.len(), 0);
    // Names.
    let names = b.len();
    let name = |b: &mut Vec<u8>, s: &str| -> u32 {
        let at = b.len() as u32;
        let units: Vec<u16> = s.encode_utf16().chain([0]).collect();
        let mut size = 4 + 2 * units.len();
        size = size.div_ceil(8) * 8;
        u32s(b, &[size as u32]);
        b.extend(units.iter().flat_map(|u| u.to_le_bytes()));
        b.resize(at as usize + size, 0);
        at
    };
    let n_system = name(&mut b, "System");
    let n_oper = name(&mut b, "Contoso-Demo/Operational");
    let n_level = name(&mut b, "win:Error");
    let n_opcode = name(&mut b, "Connect");
    let n_task = name(&mut b, "Network");
    let n_keyword = name(&mut b, "Remote");
    let n_map = name(&mut b, "ReasonMap");
    let n_len = name(&mut b, "Len");
    let n_data = name(&mut b, "Data");
    let n_reason = name(&mut b, "Reason");
    let mut at = Vec::new();
    // MAPS with one VMAP.
    let maps = b.len();
    at.push(maps);
    b.extend_from_slice(b"MAPS");
    u32s(&mut b, &[16 + 4 + 36, 1, (maps + 16) as u32]);
    let vmap = b.len();
    b.extend_from_slice(b"VMAP");
    u32s(&mut b, &[36, n_map, 0, 2, 1, 0xd000_0001, 2, 0xffff_ffff]);
    // TTBL with one TEMP: header, 8 bytes of "BinXml", 3 items.
    let ttbl = b.len();
    at.push(ttbl);
    let temp = ttbl + 12;
    let temp_size = 40 + 8 + 3 * 20;
    b.extend_from_slice(b"TTBL");
    u32s(&mut b, &[12 + temp_size as u32, 1]);
    b.extend_from_slice(b"TEMP");
    u32s(&mut b, &[temp_size as u32, 3, 3, (temp + 48) as u32, 1]);
    b.extend_from_slice(&Guid::parse(TEMPLATE).unwrap().to_bytes_le());
    b.extend_from_slice(&[0x0f, 1, 1, 0, 0, 0, 0, 0]);
    // Len: UInt32, outType 0 (default). Data: Binary, length from item 0. Reason: UInt8 + map.
    for (flags, in_t, out_t, map, count, length, name) in [
        (0u32, 8u8, 0u8, 0u32, 0u16, 0u16, n_len),
        (4, 14, 15, 0, 0, 0, n_data),
        (0, 4, 4, vmap as u32, 0, 0, n_reason),
    ] {
        u32s(&mut b, &[flags]);
        b.extend_from_slice(&[in_t, out_t, 0, 0]);
        u32s(&mut b, &[map]);
        b.extend_from_slice(&count.to_le_bytes());
        b.extend_from_slice(&length.to_le_bytes());
        u32s(&mut b, &[name]);
    }
    let chan = b.len();
    at.push(chan);
    b.extend_from_slice(b"CHAN");
    u32s(
        &mut b,
        &[
            12 + 32,
            2,
            1,
            n_system,
            8,
            0x9000_0002,
            0,
            n_oper,
            16,
            0xffff_ffff,
        ],
    );
    at.push(b.len());
    b.extend_from_slice(b"LEVL");
    u32s(&mut b, &[0, 1, 2, 0x5000_0002, n_level]);
    at.push(b.len());
    b.extend_from_slice(b"OPCO");
    u32s(&mut b, &[24, 1, (10 << 16) | 7, 0x3000_000a, n_opcode]);
    at.push(b.len());
    b.extend_from_slice(b"TASK");
    u32s(&mut b, &[40, 1, 7, 0x7000_0007]);
    b.extend_from_slice(&Guid::parse(TEMPLATE).unwrap().to_bytes_le());
    u32s(&mut b, &[n_task]);
    at.push(b.len());
    b.extend_from_slice(b"KEYW");
    u32s(&mut b, &[28, 1]);
    b.extend_from_slice(&0x20u64.to_le_bytes());
    u32s(&mut b, &[0x1000_0005, n_keyword]);
    let evnt = b.len();
    at.push(evnt);
    b.extend_from_slice(b"EVNT");
    u32s(&mut b, &[16 + 96, 2, 0]);
    for (id, version, channel, level, opcode, task, keywords, message, template) in [
        (
            100u16,
            1u8,
            16u8,
            2u8,
            10u8,
            7u16,
            0x8000_0000_0000_0020u64,
            0xb000_0064u32,
            temp,
        ),
        (101, 0, 8, 4, 0, 0, 0x8000_0000_0000_0000, 0xffff_ffff, 0),
    ] {
        b.extend_from_slice(&id.to_le_bytes());
        b.extend_from_slice(&[version, channel, level, opcode]);
        b.extend_from_slice(&task.to_le_bytes());
        b.extend_from_slice(&keywords.to_le_bytes());
        u32s(&mut b, &[message, template as u32, 0, 0, 0, 0, 0, 0]);
    }
    for (i, off) in at.iter().enumerate() {
        put(&mut b, descriptors + 8 * i, *off as u32);
    }
    let size = b.len() as u32;
    put(&mut b, 4, size);
    put(&mut b, 40, size - 36);
    Built {
        blob: b,
        chan,
        maps,
        ttbl,
        evnt,
        names,
    }
}

#[test]
fn every_table_is_read_into_the_model() {
    let built = build();
    let ps = parse_crim(&built.blob, 0).unwrap();
    assert_eq!(ps.len(), 1);
    let p = &ps[0];
    assert_eq!(p.guid.to_string(), PROVIDER);
    assert_eq!(p.message_id, Some(0x9000_0001));
    assert_eq!(p.channels.len(), 2);
    let (system, oper) = (&p.channels[0], &p.channels[1]);
    assert_eq!(
        (system.name.as_str(), system.value, system.imported),
        ("System", 8, true)
    );
    assert_eq!(system.message_id, Some(0x9000_0002));
    assert!(system.definition.is_none());
    assert_eq!(
        (oper.value, oper.imported, oper.message_id),
        (16, false, None)
    );
    assert_eq!(oper.definition.as_ref().unwrap().channel_type, 1);
    assert_eq!(
        p.levels[0],
        Level {
            name: "win:Error".into(),
            value: 2,
            message_id: Some(0x5000_0002)
        }
    );
    let op = &p.opcodes[0];
    assert_eq!(
        (op.name.as_str(), op.opcode, op.task, op.metadata_value()),
        ("Connect", 10, 7, (10 << 16) | 7)
    );
    assert_eq!(p.tasks[0].name, "Network");
    assert_eq!(p.tasks[0].event_guid.to_string(), TEMPLATE);
    assert_eq!(
        p.keywords[0],
        Keyword {
            name: "Remote".into(),
            mask: 0x20,
            message_id: Some(0x1000_0005)
        }
    );
    assert_eq!(p.maps.len(), 1);
    assert_eq!(p.maps[0].name, "ReasonMap");
    assert_eq!(p.maps[0].kind, MapKind::Value);
    assert_eq!(p.maps[0].entries, [(1, Some(0xd000_0001)), (2, None)]);
    let t = &p.templates[0];
    assert_eq!(t.tid, TEMPLATE);
    let items: Vec<_> = t
        .items
        .iter()
        .map(|i| {
            (
                i.name.as_str(),
                i.in_type.as_str(),
                i.out_type.as_str(),
                i.length.as_deref(),
                i.map.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        items,
        [
            ("Len", "win:UInt32", "xs:unsignedInt", None, None),
            ("Data", "win:Binary", "xs:hexBinary", Some("Len"), None),
            (
                "Reason",
                "win:UInt8",
                "xs:unsignedByte",
                None,
                Some("ReasonMap")
            ),
        ]
    );
    let e = &p.events[0];
    assert_eq!(
        (e.value, e.version, e.channel, e.level, e.opcode, e.task),
        (100, 1, 16, 2, 10, 7)
    );
    assert_eq!(
        (e.keywords, e.message_id, e.template),
        (0x8000_0000_0000_0020, Some(0xb000_0064), Some(0))
    );
    assert_eq!((p.events[1].template, p.events[1].message_id), (None, None));
}

/// The error of parsing `blob` at file offset 0x1000: FileCorrupt, its offset, its text.
fn corrupt(blob: &[u8]) -> (u64, String) {
    let err = parse_crim(blob, 0x1000).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::FileCorrupt, "{err}");
    (err.offset().unwrap(), err.to_string())
}

#[test]
fn bad_blobs_say_what_and_where() {
    let built = build();
    let good = &built.blob;
    let mut b = good.clone();
    b[0] = b'X';
    assert_eq!(corrupt(&b).0, 0x1000);
    // CRIM size beyond the resource.
    let mut b = good.clone();
    put(&mut b, 4, good.len() as u32 + 1);
    assert_eq!(corrupt(&b).0, 0x1004);
    // Provider count beyond the blob.
    let mut b = good.clone();
    put(&mut b, 12, 0x1000_0000);
    let (at, text) = corrupt(&b);
    assert_eq!(at, 0x100c);
    assert!(
        text.contains("need 5368709120 bytes") || text.contains("need"),
        "{text}"
    );
    // A descriptor count the WEVT cannot hold.
    let mut b = good.clone();
    put(&mut b, 36 + 12, 0xffff_ffff);
    assert_eq!(corrupt(&b).0, 0x1000 + 48);
    // CHAN count too large for its size.
    let mut b = good.clone();
    put(&mut b, built.chan + 8, 3);
    let (at, text) = corrupt(&b);
    assert_eq!(at, 0x1000 + built.chan as u64 + 8);
    assert!(
        text.contains("`CHAN count`: need 48 bytes for 3 entries, have 32"),
        "{text}"
    );
    // A map of an unknown kind.
    let mut b = good.clone();
    b[built.maps + 16] = b'X';
    let (at, text) = corrupt(&b);
    assert_eq!(at, 0x1000 + built.maps as u64 + 16);
    assert!(text.contains("not VMAP or BMAP"), "{text}");
    // A TEMP smaller than its header.
    let mut b = good.clone();
    put(&mut b, built.ttbl + 12 + 4, 8);
    let (at, text) = corrupt(&b);
    assert_eq!(at, 0x1000 + built.ttbl as u64 + 16);
    assert!(text.contains("TEMP size"), "{text}");
    // Items that do not fit their template.
    let mut b = good.clone();
    put(&mut b, built.ttbl + 12 + 8, 1000);
    let (_, text) = corrupt(&b);
    assert!(text.contains("do not fit in the template"), "{text}");
    // An event naming a template that is not there.
    let mut b = good.clone();
    put(&mut b, built.evnt + 16 + 20, 4);
    let (at, text) = corrupt(&b);
    assert_eq!(at, 0x1000 + built.evnt as u64 + 36);
    assert!(text.contains("no TEMP at 0x4"), "{text}");
    // A name whose size is below its own field.
    let mut b = good.clone();
    put(&mut b, built.names, 2);
    let (at, text) = corrupt(&b);
    assert_eq!(at, 0x1000 + built.names as u64);
    assert!(text.contains("size 2 below 4"), "{text}");
    // Every truncation fails cleanly.
    for len in 0..good.len() {
        let mut b = good[..len].to_vec();
        if len >= 8 {
            put(&mut b, 4, len as u32);
        }
        assert!(parse_crim(&b, 0).is_err(), "{len}");
    }
}
