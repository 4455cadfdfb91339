//! Formatting tests against a hand-built provider ([`sample_publisher`]) with hand-written
//! expected strings, and property tests of expansion.

use std::sync::Arc;

use proptest::prelude::*;

use super::expand::{resolve_parameters, Compiled, Inserts, Warnings};
use super::printf::Spec;
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

struct List(Vec<&'static str>);

impl Inserts for List {
    fn write(&mut self, n: usize, spec: Option<&Spec>, out: &mut String) -> bool {
        match self.0.get(n.wrapping_sub(1)) {
            Some(s) => {
                match spec {
                    Some(spec) => spec.write(s, s.parse().ok(), &[], out),
                    None => out.push_str(s),
                }
                true
            }
            None => false,
        }
    }
}

fn expand(source: &str, inserts: &[&'static str]) -> (String, Warnings) {
    let c = Compiled::new(source).unwrap();
    let mut out = String::new();
    let mut w = Warnings::default();
    c.expand(&mut List(inserts.to_vec()), &mut out, &mut w);
    (out, w)
}

#[test]
fn every_escape_expands_as_format_message_does() {
    let cases = [
        ("a%nb", "a\r\nb"),
        ("a%rb", "a\rb"),
        ("a%tb", "a\tb"),
        ("a%bb", "a b"),
        ("a% b", "a b"),
        ("a%.b", "a.b"),
        ("a%!b", "a!b"),
        ("100%%", "100%"),
        ("%%%%", "%%"),
        ("test%0test", "test"),
        ("a%qb", "aqb"),
        ("a%éb", "aéb"),
        ("a\nb", "a\r\nb"),
        ("a\rb", "a\r\nb"),
        ("a\r\nb", "a\r\nb"),
        ("a\r\r\nb", "a\r\n\r\nb"),
        ("%1 and %2", "x and y"),
        ("%1!5s!|%2!-3s!|", "    x|y  |"),
        ("%10", "ten"),
        ("%1%2", "xy"),
        ("%%12 stays", "%%12 stays"),
    ];
    let inserts = ["x", "y", "3", "4", "5", "6", "7", "8", "9", "ten"];
    for (source, want) in cases {
        let (got, w) = expand(source, &inserts);
        assert_eq!(got, want, "{source:?}");
        assert_eq!(w, Warnings::default(), "{source:?}");
    }
    // Two digits at most: %100 is insert 10, then "0".
    assert_eq!(expand("%100", &inserts).0, "ten0");
    assert!(Compiled::new("%%12").unwrap().has_parameters());
}

#[test]
fn a_lone_trailing_percent_is_invalid() {
    let e = Compiled::new("50%").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidParameter);
    assert!(e.to_string().contains("offset 2"), "{e}");
}

#[test]
fn missing_inserts_stay_verbatim_with_15029() {
    let (got, w) = expand("a %1 b %3!x! c %2", &["x", "y"]);
    assert_eq!(got, "a x b %3!x! c y");
    assert_eq!(w.missing_insert, Some(3));
    let e = w.to_error(|| "m".into()).unwrap();
    assert_eq!(e.kind(), ErrorKind::UnresolvedValueInsert);
    // An unterminated `!spec` is a plain insert followed by its text.
    assert_eq!(expand("%1!x", &["v"]).0, "v!x");
}

#[test]
fn parameters_resolve_recursively_and_report_what_is_left() {
    let table = |n: u64| match n {
        1 => Some("one"),
        2 => Some("%%1 and two\r\n"),
        3 => Some("%%3"),
        _ => None,
    };
    let run = |text: &str| {
        let mut t = text.to_owned();
        let mut w = Warnings::default();
        resolve_parameters(&mut t, &mut String::new(), table, &mut w);
        (t, w)
    };
    assert_eq!(run("x %%2 y").0, "x one and two y");
    let (t, w) = run("x %%9 %%1");
    assert_eq!(t, "x %%9 one");
    assert_eq!(w.unresolved_parameter, Some(9));
    assert_eq!(
        w.to_error(String::new).unwrap().kind(),
        ErrorKind::UnresolvedParameterInsert
    );
    // A self-reference hits the cap: 15031, the string still returned.
    let (t, w) = run("loop %%3");
    assert_eq!(t, "loop %%3");
    assert!(w.max_rounds);
    assert_eq!(
        w.to_error(String::new).unwrap().kind(),
        ErrorKind::MaxInsertsReached
    );
    // References that multiply stop at the output limit, the rest left as written.
    let big = "%%4".repeat(1000);
    let mut t = "%%4 ".repeat(1000);
    let mut w = Warnings::default();
    resolve_parameters(
        &mut t,
        &mut String::new(),
        |n| (n == 4).then_some(big.as_str()),
        &mut w,
    );
    assert!(w.max_rounds);
    assert!(
        t.len() < 2 * super::expand::MAX_OUTPUT + big.len(),
        "{}",
        t.len()
    );
    // Too large for an id: unresolved.
    let (t, w) = run("%%99999999999999999999999");
    assert_eq!(t, "%%99999999999999999999999");
    assert_eq!(w.unresolved_parameter, Some(u64::MAX));
}

#[test]
fn event_message_uses_template_types_maps_and_strips_the_trailing_newline() {
    let p = sample();
    let e = sample_event();
    assert_eq!(
        fmt(&p, 0, &e, FormatWhat::Event).unwrap(),
        "User alice <admin> connected 3 times.\r\n\tHandle:\t0x3E7\r\r\nMode: Offline (S-1-5-18)"
    );
    assert_eq!(
        fmt(&p, 0x040c, &e, FormatWhat::Event).unwrap(),
        "L'utilisateur alice <admin> s'est connecté 3 fois.\r\n\tHandle :\t0x3E7\r\r\nMode : Hors ligne (S-1-5-18)"
    );
    let mut v1 = e.clone();
    v1.system.version = Some(1);
    assert_eq!(
        fmt(&p, 0, &v1, FormatWhat::Event).unwrap(),
        "Version 1: alice <admin>"
    );
}

#[test]
fn event_message_errors_and_warnings() {
    let p = sample();
    let mut e = sample_event();
    e.system.event_id = 101;
    assert_eq!(
        kind(fmt(&p, 0, &e, FormatWhat::Event)),
        ErrorKind::MessageNotFound
    );
    e.system.event_id = 102;
    assert_eq!(
        kind(fmt(&p, 0, &e, FormatWhat::Event)),
        ErrorKind::MessageIdNotFound
    );
    e.system.event_id = 999;
    assert_eq!(
        kind(fmt(&p, 0, &e, FormatWhat::Event)),
        ErrorKind::MessageNotFound
    );
    // Fewer data items than inserts: the text with %n left, and 15029.
    let short = Event::builder(SAMPLE)
        .event_id(100)
        .data("UserName", "bob")
        .build();
    let f = format_event(Some(&p), 0, &short, FormatWhat::Event, &[]).unwrap();
    assert_eq!(
        f.text(),
        "User bob connected %2 times.\r\n\tHandle:\t%3\r\r\nMode: %4 (%5)"
    );
    assert_eq!(
        f.warning().unwrap().kind(),
        ErrorKind::UnresolvedValueInsert
    );
    // Parameter strings, from the insert value and from the message, in the locale.
    let param = Event::builder(SAMPLE)
        .event_id(200)
        .data("What", "%%7001 at %%7002")
        .build();
    let f = format_event(Some(&p), 0, &param, FormatWhat::Event, &[]).unwrap();
    assert_eq!(
        f.text(),
        "Access granted for granted at %%7002; granted twice."
    );
    assert_eq!(
        f.warning().unwrap().kind(),
        ErrorKind::UnresolvedParameterInsert
    );
    let f = format_event(Some(&p), 0x040c, &param, FormatWhat::Event, &[]).unwrap();
    assert_eq!(
        f.text(),
        "Accès accordé pour accordé at %%7002 ; accordé deux fois."
    );
    // System messages when the provider has none of that id.
    let sys = Event::builder(SAMPLE)
        .event_id(200)
        .data("What", "%%1833/%%1843/%%5")
        .build();
    let f = format_event(Some(&p), 0, &sys, FormatWhat::Event, &[]).unwrap();
    assert_eq!(
        f.text(),
        "Access granted for Impersonation/No/Access is denied.; granted twice."
    );
    assert!(f.warning().is_none());
}

#[test]
fn locale_is_strict_for_a_non_zero_lcid() {
    let p = sample();
    let e = sample_event();
    assert_eq!(
        kind(fmt(&p, 0x0407, &e, FormatWhat::Event)),
        ErrorKind::MessageLocaleNotFound
    );
    assert_eq!(
        kind(fmt(&p, 0x1234, &e, FormatWhat::Level)),
        ErrorKind::MessageLocaleNotFound
    );
    assert_eq!(fmt(&p, 0x0409, &e, FormatWhat::Task).unwrap(), "Connection");
    // LCID 0 falls back to any culture when en-US is missing.
    let mut fr_only = sample_publisher();
    fr_only.messages.by_culture.remove("en-US");
    let fr_only = Arc::new(fr_only);
    assert_eq!(fmt(&fr_only, 0, &e, FormatWhat::Task).unwrap(), "Connexion");
    let x = fmt(&fr_only, 0, &e, FormatWhat::Xml).unwrap();
    assert!(x.contains("<RenderingInfo Culture='fr-FR'>"), "{x}");
}

#[test]
fn level_task_opcode_channel_provider() {
    let p = sample();
    let mut e = sample_event();
    let s = |e: &Event, w| fmt(&p, 0, e, w);
    assert_eq!(s(&e, FormatWhat::Level).unwrap(), "Information");
    assert_eq!(s(&e, FormatWhat::Task).unwrap(), "Connection");
    assert_eq!(s(&e, FormatWhat::Opcode).unwrap(), "Handshake");
    assert_eq!(
        s(&e, FormatWhat::Channel).unwrap(),
        "Contoso Demo Agent Operational"
    );
    assert_eq!(s(&e, FormatWhat::Provider).unwrap(), "Contoso Demo Agent");
    assert_eq!(
        fmt(&p, 0x040c, &e, FormatWhat::Level).unwrap(),
        "Information"
    );
    e.system.level = Some(16);
    assert_eq!(s(&e, FormatWhat::Level).unwrap(), "Notice");
    e.system.level = Some(17);
    assert_eq!(kind(s(&e, FormatWhat::Level)), ErrorKind::MessageNotFound);
    e.system.level = Some(0);
    assert_eq!(s(&e, FormatWhat::Level).unwrap(), "Information");
    e.system.level = Some(2);
    assert_eq!(s(&e, FormatWhat::Level).unwrap(), "Error");
    e.system.level = Some(99);
    assert_eq!(kind(s(&e, FormatWhat::Level)), ErrorKind::MessageNotFound);
    // Opcode 11 outside task 1 is the global one; Winmeta's for reserved values.
    e.system.task = Some(2);
    assert_eq!(s(&e, FormatWhat::Opcode).unwrap(), "Other");
    assert_eq!(kind(s(&e, FormatWhat::Task)), ErrorKind::MessageNotFound);
    e.system.opcode = Some(0);
    assert_eq!(s(&e, FormatWhat::Opcode).unwrap(), "Info");
    e.system.opcode = Some(240);
    assert_eq!(s(&e, FormatWhat::Opcode).unwrap(), "Receive");
    e.system.opcode = Some(200);
    assert_eq!(kind(s(&e, FormatWhat::Opcode)), ErrorKind::MessageNotFound);
    e.system.task = Some(0);
    assert_eq!(s(&e, FormatWhat::Task).unwrap(), "None");
    // Channels: the definition's; an imported legacy one by its Winmeta name; a defined one
    // without a message by its name.
    e.system.event_id = 200;
    assert_eq!(s(&e, FormatWhat::Channel).unwrap(), "Application");
    e.system.event_id = 300;
    assert_eq!(
        s(&e, FormatWhat::Channel).unwrap(),
        "Contoso-Demo-Agent/Debug"
    );
    e.system.event_id = 999;
    e.system.channel = Some("Elsewhere".into());
    assert_eq!(kind(s(&e, FormatWhat::Channel)), ErrorKind::MessageNotFound);
    let mut anonymous = sample_publisher();
    anonymous.message_id = None;
    assert_eq!(
        kind(fmt(&Arc::new(anonymous), 0, &e, FormatWhat::Provider)),
        ErrorKind::MessageNotFound
    );
}

#[test]
fn classic_events_use_qualifiers_categories_and_no_opcode() {
    let mut p = sample_publisher();
    p.messages.insert(
        "en-US",
        0x4000_1B7C,
        "The %1 service entered the %2 state.\r\n",
    );
    p.messages.insert("en-US", 3, "Category Three\r\n");
    let p = Arc::new(p);
    let e = Event::builder(SAMPLE)
        .event_id(7036)
        .qualifiers(16384)
        .task(3)
        .unnamed_data("Windows Event Log")
        .unnamed_data("running")
        .build();
    assert_eq!(
        fmt(&p, 0, &e, FormatWhat::Event).unwrap(),
        "The Windows Event Log service entered the running state."
    );
    assert_eq!(fmt(&p, 0, &e, FormatWhat::Task).unwrap(), "Category Three");
    assert_eq!(
        kind(fmt(&p, 0, &e, FormatWhat::Opcode)),
        ErrorKind::MessageNotFound
    );
    let mut c = e.clone();
    c.system.task = Some(0);
    assert_eq!(
        kind(fmt(&p, 0, &c, FormatWhat::Task)),
        ErrorKind::MessageNotFound
    );
    c.system.event_id = 7037;
    assert_eq!(
        kind(fmt(&p, 0, &c, FormatWhat::Event)),
        ErrorKind::MessageIdNotFound
    );
}

#[test]
fn keywords_lowest_bit_first_named_only() {
    let p = sample();
    let mut e = sample_event();
    e.system.keywords = Some(0x8020_0000_0000_0007);
    let f = format_event(Some(&p), 0, &e, FormatWhat::Keyword, &[]).unwrap();
    assert_eq!(f.text(), "Network\0Disk\0Audit Success\0");
    assert_eq!(
        f.strings().collect::<Vec<_>>(),
        ["Network", "Disk", "Audit Success"]
    );
    e.system.keywords = Some(0xC000_0000_0000_0004);
    let f = format_event(Some(&p), 0, &e, FormatWhat::Keyword, &[]).unwrap();
    assert_eq!(f.text(), "");
    assert_eq!(f.strings().count(), 0);
}

#[test]
fn xml_appends_rendering_info_in_windows_order() {
    let p = sample();
    let e = sample_event();
    let x = fmt(&p, 0, &e, FormatWhat::Xml).unwrap();
    let plain = e.to_xml();
    let head = &plain[..plain.len() - "</Event>".len()];
    assert_eq!(
        x,
        format!(
            "{head}<RenderingInfo Culture='en-US'><Message>User alice &lt;admin&gt; connected 3 times.&#13;&#10;\tHandle:\t0x3E7&#13;&#13;&#10;Mode: Offline (S-1-5-18)</Message><Level>Information</Level><Task>Connection</Task><Opcode>Handshake</Opcode><Channel>Contoso Demo Agent Operational</Channel><Provider>Contoso Demo Agent</Provider><Keywords><Keyword>Network</Keyword><Keyword>Disk</Keyword></Keywords></RenderingInfo></Event>"
        )
    );
    // The result parses back, its RenderingInfo intact.
    let back = Event::from_xml(&x).unwrap();
    assert_eq!(back.system, e.system);
    assert!(back.rendering_info.is_some());
    // Missing parts are empty elements; a forwarded RenderingInfo is replaced.
    let mut other = Event::builder(SAMPLE)
        .event_id(101)
        .level(17)
        .task(2)
        .build();
    other.rendering_info = Some(Element::new("RenderingInfo").attr("Culture", "de-DE"));
    let x = fmt(&p, 0x040c, &other, FormatWhat::Xml).unwrap();
    assert!(x.ends_with("<RenderingInfo Culture='fr-FR'><Message></Message><Level></Level><Task></Task><Opcode>Info</Opcode><Channel>Agent Contoso opérationnel</Channel><Provider>Agent de démonstration Contoso</Provider><Keywords></Keywords></RenderingInfo></Event>"), "{x}");
    assert_eq!(x.matches("RenderingInfo Culture").count(), 1);
}

#[test]
fn values_override_inserts() {
    let p = sample();
    let e = sample_event();
    let values = [
        Value::String("carol".into()),
        Value::String("7".into()),
        Value::String("not a number".into()),
        Value::UInt32(1),
        Value::String("S-1-1-0".into()),
    ];
    let f = format_event(Some(&p), 0, &e, FormatWhat::Event, &values).unwrap();
    assert_eq!(
        f.text(),
        "User carol connected 7 times.\r\n\tHandle:\t0x0\r\r\nMode: Online (S-1-1-0)"
    );
    let x = format_event(Some(&p), 0, &e, FormatWhat::Xml, &values)
        .unwrap()
        .into_text();
    assert!(x.contains("<Message>User carol connected 7"), "{x}");
    assert!(
        x.contains("<Data Name='UserName'>alice &lt;admin&gt;</Data>"),
        "{x}"
    );
    assert_eq!(
        kind(format_event(Some(&p), 0, &e, FormatWhat::Level, &values)),
        ErrorKind::InvalidParameter
    );
}

#[test]
fn format_id_returns_templates_or_substitutes_plainly() {
    let p = sample();
    let f = format_id(Some(&p), 0, 0xB000_0064, &[]).unwrap();
    assert_eq!(
        f.text(),
        "User %1 connected %2 times.\r\n\tHandle:\t%3\r\r\nMode: %4 (%5)"
    );
    assert_eq!(
        f.warning().unwrap().kind(),
        ErrorKind::UnresolvedValueInsert
    );
    let values = [
        Value::String("dave".into()),
        Value::UInt32(2),
        Value::String("0x1f".into()),
        Value::UInt32(1),
        Value::String("x".into()),
    ];
    let f = format_id(Some(&p), 0, 0xB000_0064, &values).unwrap();
    assert_eq!(
        f.text(),
        "User dave connected 2 times.\r\n\tHandle:\t0x1f\r\r\nMode: 1 (x)"
    );
    assert!(f.warning().is_none());
    assert_eq!(
        format_id(Some(&p), 0x040c, 0x9000_0004, &[])
            .unwrap()
            .text(),
        "Connexion"
    );
    assert_eq!(
        kind(format_id(Some(&p), 0, 0x1234, &[])),
        ErrorKind::MessageIdNotFound
    );
    assert_eq!(
        kind(format_id(Some(&p), 0x0407, 0x9000_0004, &[])),
        ErrorKind::MessageLocaleNotFound
    );
    // The default publisher: Winmeta's strings by message id.
    assert_eq!(
        format_id(None, 0, 0x5000_0004, &[]).unwrap().text(),
        "Information"
    );
    assert_eq!(
        format_id(None, 0, 0x1000_0036, &[]).unwrap().text(),
        "Audit Success"
    );
    assert_eq!(
        kind(format_id(None, 0, 0xB000_0064, &[])),
        ErrorKind::MessageIdNotFound
    );
}

#[test]
fn default_publisher_uses_winmeta_or_the_events_rendering_info() {
    let e = Event::builder("Anything")
        .level(2)
        .opcode(1)
        .keywords(0x8010_0000_0000_0000)
        .build();
    let d = |e: &Event, w| format_event(None, 0, e, w, &[]).map(|f| f.into_text());
    assert_eq!(d(&e, FormatWhat::Level).unwrap(), "Error");
    assert_eq!(d(&e, FormatWhat::Opcode).unwrap(), "Start");
    assert_eq!(d(&e, FormatWhat::Task).unwrap(), "None");
    assert_eq!(d(&e, FormatWhat::Keyword).unwrap(), "Audit Failure\0");
    assert_eq!(kind(d(&e, FormatWhat::Event)), ErrorKind::MessageNotFound);
    for w in [FormatWhat::Channel, FormatWhat::Provider, FormatWhat::Xml] {
        assert_eq!(kind(d(&e, w)), ErrorKind::InvalidParameter);
    }
    assert_eq!(
        kind(format_event(None, 0x040c, &e, FormatWhat::Level, &[])),
        ErrorKind::MessageLocaleNotFound
    );
    // A forwarded event's own strings.
    let info = Element::new("RenderingInfo")
        .attr("Culture", "en-US")
        .child(Element::new("Message").text("An account was logged on."))
        .child(Element::new("Level").text("Information"))
        .child(Element::new("Task").text("Logon"))
        .child(Element::new("Opcode").text("Info"))
        .child(Element::new("Channel").text("Security"))
        .child(Element::new("Provider").text("Microsoft Windows security auditing."))
        .child(
            Element::new("Keywords")
                .child(Element::new("Keyword").text("Audit Success"))
                .child(Element::new("Keyword").text("Classic")),
        );
    let mut f = e.clone();
    f.rendering_info = Some(info);
    assert_eq!(
        d(&f, FormatWhat::Event).unwrap(),
        "An account was logged on."
    );
    assert_eq!(d(&f, FormatWhat::Task).unwrap(), "Logon");
    assert_eq!(d(&f, FormatWhat::Channel).unwrap(), "Security");
    assert_eq!(
        d(&f, FormatWhat::Keyword).unwrap(),
        "Audit Success\0Classic\0"
    );
    assert_eq!(d(&f, FormatWhat::Xml).unwrap(), f.to_xml());
    let mut partial = f.clone();
    partial.rendering_info = Some(Element::new("RenderingInfo").attr("Culture", "en-US"));
    assert_eq!(
        kind(d(&partial, FormatWhat::Event)),
        ErrorKind::MessageNotFound
    );
}

#[test]
fn user_data_leaves_are_inserts_in_document_order() {
    let p = sample();
    let e = Event::builder(SAMPLE)
        .event_id(100)
        .version(1)
        .user_data(
            Element::new("Agent")
                .attr("xmlns", "urn:contoso")
                .child(Element::new("Who").child(Element::new("Name").text("erin")))
                .child(Element::new("Count").text("4")),
        )
        .build();
    assert_eq!(
        fmt(&p, 0, &e, FormatWhat::Event).unwrap(),
        "Version 1: erin"
    );
}

fn plain_text() -> impl Strategy<Value = String> {
    // Text without `%`, CR or LF (those are escapes or line ends).
    proptest::string::string_regex("[^%\r\n]{0,80}").unwrap()
}

proptest! {
    #[test]
    fn text_without_escapes_is_itself(text in plain_text()) {
        let (got, w) = expand(&text, &[]);
        prop_assert_eq!(got, text);
        prop_assert_eq!(w, Warnings::default());
    }

    #[test]
    fn inserted_strings_come_out_verbatim(
        a in "[^\u{0}]{0,40}",
        b in "[^\u{0}]{0,40}",
        pre in plain_text(),
    ) {
        let c = Compiled::new(&format!("{pre}[%1|%2]")).unwrap();
        let mut out = String::new();
        let mut w = Warnings::default();
        let leaked: Vec<&'static str> = vec![
            Box::leak(a.clone().into_boxed_str()),
            Box::leak(b.clone().into_boxed_str()),
        ];
        c.expand(&mut List(leaked), &mut out, &mut w);
        prop_assert_eq!(out, format!("{pre}[{a}|{b}]"));
        prop_assert_eq!(w, Warnings::default());
    }
}

/// A Winmeta level or keyword whose string the provider's table holds (a manifest's
/// `level.Error`, `keyword.AuditSuccess`) shows that string in its culture; Winmeta's own
/// string where the table lacks it.
#[test]
fn a_providers_strings_for_winmeta_levels_and_keywords_win_in_their_culture() {
    let mut p = sample_publisher();
    p.messages.insert("fr-FR", 0x5000_0004, "Informations\r\n");
    p.messages
        .insert("fr-FR", 0x1000_0036, "Succès de l'audit\r\n");
    let p = Arc::new(p);
    let mut e = sample_event();
    e.system.keywords = Some(0x8020_0000_0000_0001);
    assert_eq!(
        fmt(&p, 0x040c, &e, FormatWhat::Level).unwrap(),
        "Informations"
    );
    assert_eq!(
        fmt(&p, 0x040c, &e, FormatWhat::Keyword).unwrap(),
        "Réseau\0Succès de l'audit\0"
    );
    assert_eq!(
        fmt(&p, 0x0409, &e, FormatWhat::Level).unwrap(),
        "Information"
    );
    assert_eq!(
        fmt(&p, 0x0409, &e, FormatWhat::Keyword).unwrap(),
        "Network\0Audit Success\0"
    );
    e.system.level = Some(2);
    assert_eq!(fmt(&p, 0x040c, &e, FormatWhat::Level).unwrap(), "Error");
}

/// A decoded .evtx record repeats `<Data Name='x'>` for each element of an array item;
/// those elements are one insert, as the one array value of a freshly written event is.
#[test]
fn repeated_data_elements_of_one_name_are_one_insert() {
    let p = sample();
    let repeated = Event::builder(SAMPLE)
        .event_id(100)
        .version(1)
        .channel("Contoso-Demo-Agent/Operational")
        .data("UserName", "alice")
        .data("UserName", "bob")
        .data("Count", 3u32)
        .build();
    assert_eq!(
        fmt(&p, 0, &repeated, FormatWhat::Event).unwrap(),
        "Version 1: alice,bob"
    );
    let mut p2 = sample_publisher();
    p2.messages.insert("en-US", 0xB001_0064, "%1 then %2");
    let p2 = Arc::new(p2);
    assert_eq!(
        fmt(&p2, 0, &repeated, FormatWhat::Event).unwrap(),
        "alice,bob then 3"
    );
}
