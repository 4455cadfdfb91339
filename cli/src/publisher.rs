//! `ep` (enum-publishers) and `gp` (get-publisher): the installed publishers and one
//! publisher's metadata, read through `PublisherMetadata` as EvtGetPublisherMetadataProperty
//! reads them, printed as wevtutil prints them.
//!
//! `gp`'s text layout is wevtutil's (as its real output shows it): `name:`, `guid:`
//! (lowercase, no braces), `helpLink:`, then `resourceFileName:`, `messageFileName:` and
//! `parameterFileName:` only when set, `message:`, then `channels:`, `levels:`,
//! `opcodes:`, `tasks:`, `keywords:` with one indented block per element and, with
//! `/ge:true`, `events:`. A `message:` is the message id in decimal (empty when there is
//! none) or, with `/gm:true`, its string with the trailing line break removed. An opcode's
//! `value:` is the metadata value (`opcode << 16 | task`), split below it into `task:` and
//! `opcode:`; a keyword's `mask:` is hexadecimal without `0x`, an event's `keywords:` with
//! it. wevtutil shows no event templates in this layout, and neither does evtutil.
//!
//! `/f:xml` is evtlog's own layout (no wevtutil sample of it was found): the same fields as
//! attributes of `<provider>`, `<channel>`, `<level>`, `<opcode>`, `<task>`, `<keyword>`
//! and `<event>` elements, with an event's template as a child.

use std::io::Write;

use evtlog::{
    Engine, EventMetadata, EventProperty, MetadataArray, PublisherMetadata, PublisherProperty,
    Value,
};

/// What `gp` prints.
pub struct GpOptions {
    pub events: bool,
    pub messages: bool,
    pub xml: bool,
}

/// A property as the text shows it.
fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.to_string(),
        Value::Guid(g) => g.to_string().trim_matches(['{', '}']).to_owned(),
        Value::UInt32(x) => x.to_string(),
        Value::UInt64(x) => x.to_string(),
        other => format!("{other:?}"),
    }
}

fn u32_of(value: &Value) -> u32 {
    match value {
        Value::UInt32(x) => *x,
        _ => 0,
    }
}

fn u64_of(value: &Value) -> u64 {
    match value {
        Value::UInt64(x) => *x,
        _ => 0,
    }
}

/// One element or the publisher: its fields in print order, as (key, text, nested).
struct Block {
    tag: &'static str,
    fields: Vec<(&'static str, String)>,
    /// Fields printed two spaces deeper after the field named here (an opcode's task and
    /// opcode after its value).
    nested: Vec<(&'static str, String)>,
    template: Option<String>,
}

/// The `message:` text of a message id: the id, or its string with `/gm`.
fn message(
    m: &PublisherMetadata,
    id: &Value,
    options: &GpOptions,
) -> Result<String, evtlog::Error> {
    let id = u32_of(id);
    if id == u32::MAX {
        return Ok(String::new());
    }
    if !options.messages {
        return Ok(id.to_string());
    }
    Ok(m.message(id)?
        .map(|s| s.trim_end_matches(['\r', '\n']).to_owned())
        .unwrap_or_default())
}

fn blocks_of(
    m: &PublisherMetadata,
    kind: MetadataArray,
    options: &GpOptions,
) -> Result<Vec<Block>, evtlog::Error> {
    use PublisherProperty as P;
    let array = m.array(kind)?;
    let mut out = Vec::new();
    for i in 0..array.len() {
        let get = |p| array.property(p, i);
        let block = match kind {
            MetadataArray::ChannelReferences => Block {
                tag: "channel",
                fields: vec![
                    ("name", text(&get(P::ChannelReferencePath)?)),
                    ("id", text(&get(P::ChannelReferenceId)?)),
                    ("flags", text(&get(P::ChannelReferenceFlags)?)),
                    (
                        "message",
                        message(m, &get(P::ChannelReferenceMessageId)?, options)?,
                    ),
                ],
                nested: Vec::new(),
                template: None,
            },
            MetadataArray::Levels => Block {
                tag: "level",
                fields: vec![
                    ("name", text(&get(P::LevelName)?)),
                    ("value", text(&get(P::LevelValue)?)),
                    ("message", message(m, &get(P::LevelMessageId)?, options)?),
                ],
                nested: Vec::new(),
                template: None,
            },
            MetadataArray::Opcodes => {
                let value = u32_of(&get(P::OpcodeValue)?);
                Block {
                    tag: "opcode",
                    fields: vec![
                        ("name", text(&get(P::OpcodeName)?)),
                        ("value", value.to_string()),
                        ("message", message(m, &get(P::OpcodeMessageId)?, options)?),
                    ],
                    nested: vec![
                        ("task", (value & 0xFFFF).to_string()),
                        ("opcode", (value >> 16).to_string()),
                    ],
                    template: None,
                }
            }
            MetadataArray::Tasks => Block {
                tag: "task",
                fields: vec![
                    ("name", text(&get(P::TaskName)?)),
                    ("value", text(&get(P::TaskValue)?)),
                    ("eventGUID", text(&get(P::TaskEventGuid)?)),
                    ("message", message(m, &get(P::TaskMessageId)?, options)?),
                ],
                nested: Vec::new(),
                template: None,
            },
            MetadataArray::Keywords => Block {
                tag: "keyword",
                fields: vec![
                    ("name", text(&get(P::KeywordName)?)),
                    ("mask", format!("{:x}", u64_of(&get(P::KeywordValue)?))),
                    ("message", message(m, &get(P::KeywordMessageId)?, options)?),
                ],
                nested: Vec::new(),
                template: None,
            },
        };
        out.push(block);
    }
    Ok(out)
}

fn event_block(
    m: &PublisherMetadata,
    e: &EventMetadata,
    options: &GpOptions,
) -> Result<Block, evtlog::Error> {
    use EventProperty as E;
    let get = |p| e.property(p);
    let template = text(&get(E::Template)?);
    Ok(Block {
        tag: "event",
        fields: vec![
            ("value", text(&get(E::Id)?)),
            ("version", text(&get(E::Version)?)),
            ("opcode", text(&get(E::Opcode)?)),
            ("channel", text(&get(E::Channel)?)),
            ("level", text(&get(E::Level)?)),
            ("task", text(&get(E::Task)?)),
            ("keywords", format!("{:#x}", u64_of(&get(E::Keyword)?))),
            ("message", message(m, &get(E::MessageId)?, options)?),
        ],
        nested: Vec::new(),
        template: (!template.is_empty()).then_some(template),
    })
}

/// `ep`: one publisher name per line, in installation order (Windows' list is unsorted).
pub fn enum_publishers(engine: &Engine, out: &mut impl Write) -> std::io::Result<()> {
    for p in engine.publishers().list() {
        writeln!(out, "{}", p.name)?;
    }
    Ok(())
}

/// Everything `gp` prints, gathered first so that an error prints nothing.
struct Report {
    header: Vec<(&'static str, String)>,
    sections: Vec<(&'static str, Vec<Block>)>,
}

fn report(engine: &Engine, name: &str, options: &GpOptions) -> Result<Report, evtlog::Error> {
    let m = engine.open_publisher_metadata(Some(name), 0)?;
    use PublisherProperty as P;
    let real_name = m.publisher().map(|p| p.name.clone()).unwrap_or_default();
    let mut header = vec![
        ("name", real_name),
        ("guid", text(&m.property(P::PublisherGuid)?)),
        ("helpLink", text(&m.property(P::HelpLink)?)),
    ];
    for (key, p) in [
        ("resourceFileName", P::ResourceFilePath),
        ("messageFileName", P::MessageFilePath),
        ("parameterFileName", P::ParameterFilePath),
    ] {
        if let Value::String(path) = m.property(p)? {
            header.push((key, path.into_string()));
        }
    }
    header.push((
        "message",
        message(&m, &m.property(P::PublisherMessageId)?, options)?,
    ));
    let mut sections = Vec::new();
    for (key, kind) in [
        ("channels", MetadataArray::ChannelReferences),
        ("levels", MetadataArray::Levels),
        ("opcodes", MetadataArray::Opcodes),
        ("tasks", MetadataArray::Tasks),
        ("keywords", MetadataArray::Keywords),
    ] {
        sections.push((key, blocks_of(&m, kind, options)?));
    }
    if options.events {
        let events = m
            .events()?
            .iter()
            .map(|e| event_block(&m, e, options))
            .collect::<Result<Vec<_>, _>>()?;
        sections.push(("events", events));
    }
    Ok(Report { header, sections })
}

fn line(out: &mut impl Write, indent: usize, key: &str, value: &str) -> std::io::Result<()> {
    let pad = " ".repeat(indent);
    if value.is_empty() {
        writeln!(out, "{pad}{key}:")
    } else {
        writeln!(out, "{pad}{key}: {value}")
    }
}

fn xml_attrs(fields: &[(&'static str, String)]) -> String {
    let mut s = String::new();
    for (key, value) in fields {
        s.push_str(&format!(" {key}=\"{}\"", xml_escape(value)));
    }
    s
}

fn xml_escape(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `gp NAME [/ge:true] [/gm:true] [/f:text|xml]`. Fails (nothing printed) with the
/// metadata's error: 15002 for a publisher not installed.
pub fn get_publisher(
    engine: &Engine,
    name: &str,
    options: &GpOptions,
    out: &mut impl Write,
) -> Result<Result<(), std::io::Error>, evtlog::Error> {
    let report = report(engine, name, options)?;
    Ok(if options.xml {
        write_xml(&report, out)
    } else {
        write_text(&report, out)
    })
}

fn write_text(report: &Report, out: &mut impl Write) -> std::io::Result<()> {
    for (key, value) in &report.header {
        line(out, 0, key, value)?;
    }
    for (section, blocks) in &report.sections {
        line(out, 0, section, "")?;
        for block in blocks {
            line(out, 2, block.tag, "")?;
            for (key, value) in &block.fields {
                line(out, 4, key, value)?;
                if *key == "value" {
                    for (k, v) in &block.nested {
                        line(out, 6, k, v)?;
                    }
                }
            }
        }
    }
    Ok(())
}

fn write_xml(report: &Report, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    writeln!(out, "<provider{}>", xml_attrs(&report.header))?;
    for (section, blocks) in &report.sections {
        writeln!(out, "  <{section}>")?;
        for block in blocks {
            let mut fields = block.fields.clone();
            fields.extend(block.nested.iter().cloned());
            match &block.template {
                None => writeln!(out, "    <{}{}/>", block.tag, xml_attrs(&fields))?,
                Some(template) => {
                    writeln!(out, "    <{}{}>", block.tag, xml_attrs(&fields))?;
                    for l in template.lines() {
                        writeln!(out, "      {l}")?;
                    }
                    writeln!(out, "    </{}>", block.tag)?;
                }
            }
        }
        writeln!(out, "  </{section}>")?;
    }
    writeln!(out, "</provider>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use evtlog::{ChannelRef, EventDefinition, Guid, Keyword, Level, Opcode, Publisher, Task};

    /// A small publisher; every expected line below is read off it.
    fn engine() -> Engine {
        let engine = Engine::new();
        let mut p = Publisher {
            name: "Contoso-Demo-Agent".into(),
            guid: Guid::parse("{3F4C5A6B-1234-4CDE-8F00-AABBCCDDEEFF}").unwrap(),
            message_file: Some("C:\\Contoso\\agent.dll".into()),
            message_id: Some(0x9000_0001),
            channels: vec![ChannelRef {
                name: "Application".into(),
                chid: "Application".into(),
                value: 9,
                imported: true,
                message_id: None,
                definition: None,
            }],
            levels: vec![Level {
                name: "win:Informational".into(),
                value: 4,
                message_id: Some(0x5000_0004),
            }],
            tasks: vec![Task {
                name: "Connect".into(),
                value: 1,
                event_guid: Guid::default(),
                message_id: Some(0x7000_0001),
            }],
            opcodes: vec![Opcode {
                name: "Handshake".into(),
                opcode: 11,
                task: 1,
                message_id: Some(0x300B_0001),
            }],
            keywords: vec![Keyword {
                name: "Network".into(),
                mask: 0x10,
                message_id: None,
            }],
            events: vec![EventDefinition {
                value: 100,
                version: 1,
                channel: 9,
                level: 4,
                task: 1,
                opcode: 11,
                keywords: 0x8000_0000_0000_0010,
                template: None,
                message_id: Some(0xB000_0064),
                symbol: None,
            }],
            ..Publisher::default()
        };
        p.messages
            .insert("en-US", 0x9000_0001, "Contoso Demo Agent\r\n");
        p.messages.insert("en-US", 0x7000_0001, "Connect\r\n");
        p.messages
            .insert("en-US", 0xB000_0064, "Connected to %1.\r\n");
        engine.publishers().install(p);
        engine
    }

    fn gp(events: bool, messages: bool) -> String {
        let mut out = Vec::new();
        let options = GpOptions {
            events,
            messages,
            xml: false,
        };
        get_publisher(&engine(), "contoso-demo-agent", &options, &mut out)
            .unwrap()
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    const HEADER: &str = "name: Contoso-Demo-Agent
guid: 3f4c5a6b-1234-4cde-8f00-aabbccddeeff
helpLink:
messageFileName: C:\\Contoso\\agent.dll
";

    #[test]
    fn text_layout_with_message_ids() {
        let want = format!(
            "{HEADER}message: 2415919105
channels:
  channel:
    name: Application
    id: 9
    flags: 1
    message:
levels:
  level:
    name: win:Informational
    value: 4
    message: 1342177284
opcodes:
  opcode:
    name: Handshake
    value: 720897
      task: 1
      opcode: 11
    message: 806027265
tasks:
  task:
    name: Connect
    value: 1
    eventGUID: 00000000-0000-0000-0000-000000000000
    message: 1879048193
keywords:
  keyword:
    name: Network
    mask: 10
    message:
"
        );
        assert_eq!(gp(false, false), want);
    }

    #[test]
    fn events_and_messages() {
        let text = gp(true, true);
        assert!(text.starts_with(&format!("{HEADER}message: Contoso Demo Agent\n")));
        // Winmeta's own string for a level the publisher's table lacks.
        assert!(
            text.contains("    value: 4\n    message: Information\n"),
            "{text}"
        );
        assert!(text.contains(
            "    eventGUID: 00000000-0000-0000-0000-000000000000\n    message: Connect\n"
        ));
        assert!(text.ends_with(
            "events:
  event:
    value: 100
    version: 1
    opcode: 11
    channel: 9
    level: 4
    task: 1
    keywords: 0x8000000000000010
    message: Connected to %1.
"
        ));
        // An opcode message the publisher has no string for is empty.
        assert!(text.contains("      opcode: 11\n    message:\n"), "{text}");
    }

    #[test]
    fn ep_lists_in_installation_order_and_gp_fails_for_unknown() {
        let engine = engine();
        engine.publishers().install(Publisher {
            name: "Alpha".into(),
            ..Publisher::default()
        });
        let mut out = Vec::new();
        enum_publishers(&engine, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "Contoso-Demo-Agent\nAlpha\n"
        );
        let options = GpOptions {
            events: false,
            messages: false,
            xml: true,
        };
        let err = get_publisher(&engine, "Nope", &options, &mut Vec::new()).unwrap_err();
        assert_eq!(err.win32_code(), 15002);
        let mut out = Vec::new();
        get_publisher(&engine, "Alpha", &options, &mut out)
            .unwrap()
            .unwrap();
        let xml = String::from_utf8(out).unwrap();
        assert!(xml.contains("<provider name=\"Alpha\" guid=\"00000000-0000-0000-0000-000000000000\" helpLink=\"\" message=\"\">"), "{xml}");
        assert!(xml.ends_with("  <keywords>\n  </keywords>\n</provider>\n"));
    }
}
