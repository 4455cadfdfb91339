//! Formatting tests against a hand-built provider ([`sample_publisher`]) with hand-written
//! expected strings (`messages`), and tests and property tests of expansion (`expansion`).
//! This file holds the provider and the helpers both use.

mod expansion;
mod messages;

use std::sync::Arc;

use super::{format_event, format_id, FormatWhat};
use crate::error::ErrorKind;
use crate::event::{Element, Event, Guid, Sid, Value};
use crate::publisher::{
    ChannelRef, EventDefinition, Keyword, Level, Map, MapKind, Opcode, Publisher, Task, Template,
    TemplateItem,
};

pub(crate) const SAMPLE: &str = "Contoso-Demo-Agent";

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

fn event_def(value: u32, version: u8, message_id: Option<u32>) -> EventDefinition {
    EventDefinition {
        value,
        version,
        channel: 0x10,
        level: 4,
        task: 1,
        opcode: 11,
        keywords: 0x8000_0000_0000_0001,
        template: Some(0),
        message_id,
        symbol: None,
    }
}

/// A realistic provider: a defined and an imported channel, Winmeta and own levels, tasks,
/// global and task-specific opcodes, keywords, a value map, a template, events, messages in
/// en-US and fr-FR, and parameter strings.
pub(crate) fn sample_publisher() -> Publisher {
    let mut p = Publisher {
        name: SAMPLE.into(),
        guid: Guid::parse("{1db28f2e-8f80-4027-8c5a-a11f7f10f62d}").unwrap(),
        message_id: Some(0x9000_0001),
        ..Publisher::default()
    };
    p.channels = vec![
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
            definition: None,
        },
        ChannelRef {
            name: "Contoso-Demo-Agent/Debug".into(),
            chid: "Debug".into(),
            value: 0x11,
            imported: false,
            message_id: None,
            definition: None,
        },
    ];
    p.levels = vec![
        Level {
            name: "win:Informational".into(),
            value: 4,
            message_id: Some(0x5000_0004),
        },
        Level {
            name: "Notice".into(),
            value: 16,
            message_id: Some(0x9000_0003),
        },
        Level {
            name: "Quiet".into(),
            value: 17,
            message_id: None,
        },
    ];
    p.tasks = vec![
        Task {
            name: "Connect".into(),
            value: 1,
            event_guid: Guid::default(),
            message_id: Some(0x9000_0004),
        },
        Task {
            name: "Sync".into(),
            value: 2,
            event_guid: Guid::default(),
            message_id: None,
        },
    ];
    p.opcodes = vec![
        Opcode {
            name: "Retry".into(),
            opcode: 10,
            task: 0,
            message_id: Some(0x9000_0005),
        },
        Opcode {
            name: "Handshake".into(),
            opcode: 11,
            task: 1,
            message_id: Some(0x9000_0006),
        },
        Opcode {
            name: "Other".into(),
            opcode: 11,
            task: 0,
            message_id: Some(0x9000_0007),
        },
    ];
    p.keywords = vec![
        Keyword {
            name: "Network".into(),
            mask: 1,
            message_id: Some(0x9000_0008),
        },
        Keyword {
            name: "Disk".into(),
            mask: 2,
            message_id: Some(0x9000_0009),
        },
        Keyword {
            name: "Unnamed".into(),
            mask: 4,
            message_id: None,
        },
    ];
    p.maps = vec![Map {
        name: "ModeMap".into(),
        kind: MapKind::Value,
        entries: vec![(1, Some(0x9000_000A)), (2, Some(0x9000_000B))],
    }];
    let mut mode = item("Mode", "win:UInt32", "xs:unsignedInt");
    mode.map = Some("ModeMap".into());
    p.templates = vec![Template {
        tid: "T_Connect".into(),
        items: vec![
            item("UserName", "win:UnicodeString", "xs:string"),
            item("Count", "win:UInt32", "xs:unsignedInt"),
            item("Handle", "win:UInt64", "win:HexInt64"),
            mode,
            item("UserSid", "win:SID", "xs:string"),
        ],
        user_data: None,
    }];
    p.events = vec![
        event_def(100, 0, Some(0xB000_0064)),
        event_def(100, 1, Some(0xB001_0064)),
        event_def(101, 0, None),
        event_def(102, 0, Some(0xB000_0066)),
        EventDefinition {
            template: None,
            channel: 9,
            ..event_def(200, 0, Some(0xB000_00C8))
        },
        EventDefinition {
            channel: 0x11,
            ..event_def(300, 0, Some(0xB000_012C))
        },
    ];
    for (culture, strings) in [
        (
            "en-US",
            [
                (0x9000_0001, "Contoso Demo Agent\r\n"),
                (0x9000_0002, "Contoso Demo Agent Operational\r\n"),
                (0x9000_0003, "Notice\r\n"),
                (0x9000_0004, "Connection\r\n"),
                (0x9000_0005, "Retry\r\n"),
                (0x9000_0006, "Handshake\r\n"),
                (0x9000_0007, "Other\r\n"),
                (0x9000_0008, "Network\r\n"),
                (0x9000_0009, "Disk\r\n"),
                (0x9000_000A, "Online\r\n"),
                (0x9000_000B, "Offline\r\n"),
                (
                    0xB000_0064,
                    "User %1 connected %2 times.%n%tHandle:%t%3%r%nMode: %4 (%5)\r\n",
                ),
                (0xB001_0064, "Version 1: %1\r\n"),
                (0xB000_00C8, "Access %%7001 for %1; %%7009.\r\n"),
                (0xB000_012C, "Debug %1\r\n"),
            ],
        ),
        (
            "fr-FR",
            [
                (0x9000_0001, "Agent de démonstration Contoso\r\n"),
                (0x9000_0002, "Agent Contoso opérationnel\r\n"),
                (0x9000_0003, "Avis\r\n"),
                (0x9000_0004, "Connexion\r\n"),
                (0x9000_0005, "Nouvel essai\r\n"),
                (0x9000_0006, "Négociation\r\n"),
                (0x9000_0007, "Autre\r\n"),
                (0x9000_0008, "Réseau\r\n"),
                (0x9000_0009, "Disque\r\n"),
                (0x9000_000A, "En ligne\r\n"),
                (0x9000_000B, "Hors ligne\r\n"),
                (
                    0xB000_0064,
                    "L'utilisateur %1 s'est connecté %2 fois.%n%tHandle :%t%3%r%nMode : %4 (%5)\r\n",
                ),
                (0xB001_0064, "Version 1 : %1\r\n"),
                (0xB000_00C8, "Accès %%7001 pour %1 ; %%7009.\r\n"),
                (0xB000_012C, "Débogage %1\r\n"),
            ],
        ),
    ] {
        for (id, text) in strings {
            p.messages.insert(culture, id, text);
        }
    }
    p.parameters.insert("en-US", 7001, "granted\r\n");
    p.parameters.insert("en-US", 7009, "%%7001 twice");
    p.parameters.insert("fr-FR", 7001, "accordé\r\n");
    p.parameters.insert("fr-FR", 7009, "%%7001 deux fois");
    p
}

/// Event 100 of the sample provider, as a record of it looks.
pub(crate) fn sample_event() -> Event {
    Event::builder(SAMPLE)
        .event_id(100)
        .level(4)
        .task(1)
        .opcode(11)
        .keywords(0x8000_0000_0000_0003)
        .channel("Contoso-Demo-Agent/Operational")
        .data("UserName", "alice <admin>")
        .data("Count", 3u32)
        .data("Handle", Value::HexInt64(0x3e7))
        .data("Mode", 2u32)
        .data("UserSid", Sid::parse("S-1-5-18").unwrap())
        .build()
}

fn sample() -> Arc<Publisher> {
    Arc::new(sample_publisher())
}

fn fmt(p: &Arc<Publisher>, lcid: u32, e: &Event, what: FormatWhat) -> crate::Result<String> {
    format_event(Some(p), lcid, e, what, &[]).map(|f| f.into_text())
}

fn kind(r: crate::Result<impl std::fmt::Debug>) -> ErrorKind {
    r.expect_err("an error").kind()
}
