//! Events formatted against the sample provider: event messages, locales, level, task,
//! opcode, channel, provider and keyword strings, classic events, RenderingInfo, values,
//! format_id, the default publisher, UserData inserts.

use super::*;

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
