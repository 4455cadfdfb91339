//! The test provider's manifest against values derived by hand from the manifest schema and
//! mc.exe's id rules; one malformed manifest per validation rule (kind and position) in `rules`.

mod rules;

use super::*;
use crate::error::ErrorKind;
use crate::event::Guid;
use crate::publisher::model::*;

const FIXTURE: &str = include_str!("../../../../fixtures/manifests/evtlog-test.man");

fn fixture() -> Publisher {
    let mut all = parse_manifest(FIXTURE).unwrap();
    assert_eq!(all.len(), 1);
    all.remove(0)
}

#[test]
fn provider_attributes_and_channels() {
    let p = fixture();
    assert_eq!(p.name, "Evtlog-Test-Provider");
    assert_eq!(
        p.guid,
        Guid::parse("{6e0b6c3a-2f54-4c1b-9d7e-1a2b3c4d5e6f}").unwrap()
    );
    assert_eq!(p.symbol.as_deref(), Some("EVTLOG_TEST_PROVIDER"));
    assert_eq!(
        p.resource_file.as_deref(),
        Some(r"%ProgramFiles%\Evtlog\evtlog-test.dll")
    );
    assert_eq!(
        p.parameter_file.as_deref(),
        Some(r"%SystemRoot%\System32\MsObjs.dll")
    );
    assert_eq!(p.message_id, Some(0x9000_0001));
    assert!(p.parameters.is_empty());
    assert!(p.classic.is_none());
    let channels: Vec<_> = p
        .channels
        .iter()
        .map(|c| {
            (
                c.chid.as_str(),
                c.name.as_str(),
                c.value,
                c.imported,
                c.message_id,
            )
        })
        .collect();
    assert_eq!(
        channels,
        [
            ("app", "Application", 9, true, None),
            (
                "op",
                "Evtlog-Test-Provider/Operational",
                0x10,
                false,
                Some(0x9000_0002)
            ),
            (
                "admin",
                "Evtlog-Test-Provider/Admin",
                0x11,
                false,
                Some(0x9000_0003)
            ),
        ]
    );
    assert_eq!(p.channels[0].definition, None);
    let op = p.channels[1].definition.as_ref().unwrap();
    assert_eq!((op.channel_type, op.enabled, op.isolation), (1, true, 0));
    assert_eq!((op.max_size, op.retention), (None, None));
    let admin = p.channels[2].definition.as_ref().unwrap();
    assert_eq!(admin.channel_type, 0);
    assert_eq!(
        (admin.max_size, admin.retention, admin.auto_backup),
        (Some(2_097_152), Some(true), None)
    );
}

#[test]
fn levels_tasks_opcodes_keywords_and_maps() {
    let p = fixture();
    let levels: Vec<_> = p
        .levels
        .iter()
        .map(|l| (l.name.as_str(), l.value, l.message_id))
        .collect();
    // The provider's levels, then the Winmeta ones its events use, in order of first use.
    assert_eq!(
        levels,
        [
            ("Notice", 16, Some(0x5000_0010)),
            ("Trace", 17, None),
            ("win:Informational", 4, Some(0x5000_0004)),
            ("win:Error", 2, Some(0x5000_0002)),
            ("win:Warning", 3, Some(0x5000_0003)),
            ("win:Critical", 1, Some(0x5000_0001)),
        ]
    );
    let tasks: Vec<_> = p
        .tasks
        .iter()
        .map(|t| (t.name.as_str(), t.value, t.message_id))
        .collect();
    assert_eq!(
        tasks,
        [
            ("Connect", 1, Some(0x7000_0001)),
            ("Transfer", 2, Some(0x7000_0002)),
            ("win:None", 0, Some(0x7000_0000)),
        ]
    );
    assert_eq!(
        p.tasks[0].event_guid,
        Guid::parse("11111111-2222-3333-4444-555555555555").unwrap()
    );
    assert_eq!(p.tasks[1].event_guid, Guid::default());
    let opcodes: Vec<_> = p
        .opcodes
        .iter()
        .map(|o| (o.name.as_str(), o.metadata_value(), o.message_id))
        .collect();
    assert_eq!(
        opcodes,
        [
            ("Retry", 0x000A_0001, Some(0x300A_0001)),
            ("Flush", 0x000B_0000, Some(0x300B_0000)),
            ("win:Start", 0x0001_0000, Some(0x3001_0000)),
            ("win:Stop", 0x0002_0000, Some(0x3002_0000)),
        ]
    );
    let keywords: Vec<_> = p
        .keywords
        .iter()
        .map(|k| (k.name.as_str(), k.mask, k.message_id))
        .collect();
    assert_eq!(
        keywords,
        [
            ("Network", 0x1, Some(0x1000_0001)),
            ("Storage", 0x4, Some(0x1000_0003)),
            ("Secure", 0x8000_0000_0000, Some(0x1000_0030)),
        ]
    );
    assert_eq!(
        p.maps,
        [
            Map {
                name: "Mode".into(),
                kind: MapKind::Value,
                entries: vec![(1, Some(0xD000_0001)), (2, Some(0xD000_0002))],
            },
            Map {
                name: "Flags".into(),
                kind: MapKind::Bit,
                entries: vec![(1, Some(0xF000_0001)), (4, Some(0xF000_0002))],
            },
        ]
    );
}

#[test]
fn templates_fill_default_out_types() {
    let p = fixture();
    let shape = |t: &Template| -> Vec<(String, String, String)> {
        t.items
            .iter()
            .map(|i| (i.name.clone(), i.in_type.clone(), i.out_type.clone()))
            .collect()
    };
    let owned = |v: &[(&str, &str, &str)]| -> Vec<(String, String, String)> {
        v.iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect()
    };
    assert_eq!(p.templates.len(), 3);
    assert_eq!(p.templates[0].tid, "tConnect");
    assert_eq!(
        shape(&p.templates[0]),
        owned(&[
            ("Peer", "win:UnicodeString", "xs:string"),
            ("Port", "win:UInt16", "win:Port"),
            ("Mode", "win:UInt32", "xs:unsignedInt"),
        ])
    );
    assert_eq!(p.templates[0].items[2].map.as_deref(), Some("Mode"));
    assert_eq!(
        shape(&p.templates[1]),
        owned(&[
            ("Bytes", "win:UInt64", "xs:unsignedLong"),
            ("Flags", "win:UInt32", "win:HexInt32"),
            ("Started", "win:FILETIME", "xs:dateTime"),
            ("Count", "win:UInt16", "xs:unsignedShort"),
            ("Names", "win:UnicodeString", "xs:string"),
            ("Digest", "win:Binary", "xs:hexBinary"),
        ])
    );
    assert_eq!(p.templates[1].items[4].count.as_deref(), Some("Count"));
    assert_eq!(p.templates[1].items[5].length.as_deref(), Some("16"));
    assert_eq!(
        shape(&p.templates[2]),
        owned(&[
            ("Status", "win:HexInt32", "win:HexInt32"),
            ("Process", "win:Pointer", "win:HexInt64"),
            ("User", "win:SID", "xs:string"),
            ("Session", "win:GUID", "xs:GUID"),
        ])
    );
    assert_eq!(
        p.templates[2].user_data.as_deref(),
        Some(r#"<Failure xmlns="urn:evtlog:test"><Status>%1</Status><User>%3</User></Failure>"#)
    );
    assert_eq!(p.templates[0].user_data, None);
}

#[test]
fn events_resolve_names_channel_bits_and_message_ids() {
    let p = fixture();
    let events: Vec<_> = p
        .events
        .iter()
        .map(|e| {
            (
                e.value,
                e.version,
                e.channel,
                e.level,
                e.task,
                e.opcode,
                e.keywords,
                e.template,
                e.message_id,
            )
        })
        .collect();
    assert_eq!(
        events,
        [
            // op is channel index 1: bit 62.
            (
                100,
                0,
                0x10,
                4,
                1,
                1,
                0x4000_0000_0000_0001,
                Some(0),
                Some(0xB000_0064)
            ),
            (
                100,
                1,
                0x10,
                16,
                1,
                10,
                0x4000_0000_0000_0005,
                Some(0),
                Some(0xB001_0064)
            ),
            // admin is index 2: bit 61.
            (
                200,
                0,
                0x11,
                2,
                2,
                11,
                0x2000_0000_0000_0004,
                Some(1),
                Some(0xB000_00C8)
            ),
            // Application (index 0, bit 63), Secure (bit 47), win:AuditFailure (bit 52);
            // a legacy channel's event keeps its value as message id.
            (
                300,
                0,
                9,
                3,
                0,
                0,
                0x8010_8000_0000_0000,
                Some(2),
                Some(0x12C)
            ),
            // The messageTable's explicit id wins.
            (
                301,
                1,
                9,
                1,
                0,
                0,
                0x8000_0000_0000_0000,
                Some(2),
                Some(0x2000_0002)
            ),
            (400, 0, 0, 17, 0, 2, 0, None, None),
        ]
    );
    assert_eq!(p.events[0].symbol.as_deref(), Some("EV_CONNECT"));
}

#[test]
fn strings_per_culture_under_their_ids() {
    let p = fixture();
    assert_eq!(
        p.messages.cultures().collect::<Vec<_>>(),
        ["en-US", "fr-FR"]
    );
    let en = p.messages.culture("en-us").unwrap();
    let fr = p.messages.culture("fr-FR").unwrap();
    let expected_en: &[(u32, &str)] = &[
        (0x0000_0100, "Application"),
        (
            0x0000_012C,
            "Access failed with %1 in process %2 for %3: %%1833.",
        ),
        (0x1000_0001, "Network"),
        (0x1000_0003, "Storage"),
        (0x1000_0030, "Secure"),
        (0x1000_0035, "Audit Failure"),
        (0x2000_0001, "A message of its own."),
        (0x2000_0002, "Critical failure (%1) for %3."),
        (0x3001_0000, "Start"),
        (0x300A_0001, "Retry"),
        (0x300B_0000, "Flush"),
        (0x5000_0002, "Error"),
        (0x5000_0004, "Information"),
        (0x5000_0010, "Notice"),
        (0x7000_0001, "Connect"),
        (0x7000_0002, "Transfer"),
        (0x9000_0001, "Evtlog Test Provider"),
        (0x9000_0002, "Evtlog Test Operational"),
        (0x9000_0003, "Evtlog Test Admin"),
        (0xB000_0064, "Connected to %1 on port %2 (mode %3)."),
        (
            0xB000_00C8,
            "Transferred %1 bytes (flags %2) at %3.%n%%1833: %5",
        ),
        (0xB001_0064, "Retrying %1:%2.%nMode:%t%3"),
        (0xD000_0001, "Fast"),
        (0xD000_0002, "Safe"),
        (0xF000_0001, "Flag A"),
        (0xF000_0002, "Flag C"),
    ];
    let got: Vec<(u32, &str)> = en.iter().map(|(id, s)| (*id, s.as_str())).collect();
    assert_eq!(got, expected_en);
    // fr-FR lacks event.301, standalone, channel.Application and keyword.AuditFailure.
    assert_eq!(fr.len(), expected_en.len() - 4);
    assert_eq!(fr[&0x9000_0001], "Fournisseur de test Evtlog");
    assert_eq!(fr[&0x5000_0002], "Erreur");
    assert_eq!(fr[&0x3001_0000], "Démarrer");
    assert_eq!(fr[&0xB001_0064], "Nouvel essai %1:%2.%nMode :%t%3");
    assert!(!fr.contains_key(&0x2000_0002) && !fr.contains_key(&0x100));
}

/// The manifest schema's worked example gives the ids it lists.
#[test]
fn the_reference_example_gives_its_listed_ids() {
    let text = r#"<instrumentationManifest xmlns="http://schemas.microsoft.com/win/2004/08/events"
    xmlns:win="http://manifests.microsoft.com/win/2004/08/windows/events">
  <instrumentation><events>
    <provider name="Contoso-Demo-Agent" guid="{0A1B2C3D-4E5F-4A6B-8C9D-0E1F2A3B4C5D}"
        symbol="S" resourceFileName="a.dll" messageFileName="a.dll" message="$(string.prov)">
      <channels>
        <importChannel chid="app" name="Application"/>
        <channel chid="op" name="Contoso-Demo-Agent/Operational" type="Operational" enabled="true"
                 message="$(string.chan.op)"/>
      </channels>
      <levels><level name="Notice" value="16" message="$(string.lvl.notice)"/></levels>
      <tasks>
        <task name="Sync" value="1" message="$(string.task.sync)">
          <opcodes><opcode name="Retry" value="10" message="$(string.op.retry)"/></opcodes>
        </task>
      </tasks>
      <opcodes><opcode name="Flush" value="11" message="$(string.op.flush)"/></opcodes>
      <keywords><keyword name="Net" mask="0x1" message="$(string.kw.net)"/></keywords>
      <events>
        <event value="100" version="0" channel="op" level="win:Informational" task="Sync"
               opcode="win:Start" keywords="Net" message="$(string.ev.100)"/>
        <event value="101" version="1" channel="op" level="Notice" task="Sync" opcode="Retry"
               message="$(string.ev.101)"/>
        <event value="200" channel="app" level="win:Error" message="$(string.ev.200)"/>
      </events>
    </provider>
  </events></instrumentation>
  <localization><resources culture="en-US"><stringTable>
    <string id="prov" value="P"/><string id="chan.op" value="O"/><string id="lvl.notice" value="N"/>
    <string id="task.sync" value="S"/><string id="op.retry" value="R"/><string id="op.flush" value="F"/>
    <string id="kw.net" value="K"/><string id="ev.100" value="a"/><string id="ev.101" value="b"/>
    <string id="ev.200" value="c"/>
  </stringTable></resources></localization>
</instrumentationManifest>"#;
    let p = &parse_manifest(text).unwrap()[0];
    let ids: Vec<u32> = p
        .messages
        .culture("en-US")
        .unwrap()
        .keys()
        .copied()
        .collect();
    assert_eq!(
        ids,
        [
            0xC8,
            0x1000_0001,
            0x300A_0001,
            0x300B_0000,
            0x5000_0010,
            0x7000_0001,
            0x9000_0001,
            0x9000_0002,
            0xB000_0064,
            0xB001_0065
        ]
    );
    assert_eq!(p.events[0].keywords, 0x4000_0000_0000_0001);
    assert_eq!((p.channels[0].value, p.channels[1].value), (9, 0x10));
}
