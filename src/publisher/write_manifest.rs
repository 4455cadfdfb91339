//! Publishers written back as an instrumentation manifest: what an archived log carries so
//! that its events can be formatted where their providers are not installed
//! (EvtArchiveExportedLog), in the one format evtlog already reads.
//!
//! Invariants:
//! - Every message id is written explicitly (a `messageTable` entry per string), so reading
//!   the manifest back gives each item the id it had, whatever the id rules of its source
//!   (mc's, a resource's, a classic source's).
//! - Only the strings of one culture are written; parameter strings go into the same table
//!   (an archive has no other files), so a reader takes a provider's messages as its
//!   parameters when it names a parameter file. A parameter id that a message also uses
//!   keeps the message's text (the events need it).
//! - Every item is written in the source's order. Winmeta items (`win:` names) are listed
//!   by name only (the parser's listed form), never redefined; events reference them.
//! - Each provider has its own `events` element and messageTable (two providers may use one
//!   id for different strings) and its own string ids (`p<index>_<id>`).
//! - What the manifest form cannot say directly uses the parser's archive forms (numbers
//!   for unnamed values, `<tid>#<n>` for a repeated tid); [`read_archive`] undoes the rest.
//!   A classic source (32-bit event ids) is not representable: callers do not write one.

use std::collections::BTreeMap;

use crate::event::xml::push_escaped;
use crate::publisher::{winmeta, Publisher, TemplateItem};

const EVENTS_NS: &str = "http://schemas.microsoft.com/win/2004/08/events";
const WIN_NS: &str = "http://manifests.microsoft.com/win/2004/08/windows/events";
const XS_NS: &str = "http://www.w3.org/2001/XMLSchema";

/// An attribute ` name="value"`, escaped.
fn attr(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    push_escaped(out, value);
    out.push('"');
}

/// ` message="$(string.p<ns>_<id>)"` for an item that has a message.
fn message_attr(out: &mut String, ns: usize, id: Option<u32>) {
    if let Some(id) = id {
        attr(out, "message", &format!("$(string.{})", string_id(ns, id)));
    }
}

/// The manifest of `publishers` with their strings in `culture` (case-insensitive). A
/// message id an item uses but the culture has no string for is written as an empty
/// string (so a publisher the culture lacks gives empty strings, as EvtArchiveExportedLog
/// documents).
pub fn manifest_xml(publishers: &[&Publisher], culture: &str) -> String {
    let mut out = String::new();
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<instrumentationManifest");
    attr(&mut out, "xmlns", EVENTS_NS);
    attr(&mut out, "xmlns:win", WIN_NS);
    attr(&mut out, "xmlns:xs", XS_NS);
    out.push_str(">\r\n<instrumentation>\r\n");
    let tables: Vec<BTreeMap<u32, &str>> = publishers.iter().map(|p| strings(p, culture)).collect();
    // One `events` element per provider: a messageTable belongs to its `events` element,
    // and two providers may use the same message id for different strings.
    for (ns, (publisher, table)) in publishers.iter().zip(&tables).enumerate() {
        out.push_str("<events>\r\n");
        write_provider(&mut out, publisher, ns);
        write_message_table(&mut out, table, ns);
        out.push_str("</events>\r\n");
    }
    out.push_str("</instrumentation>\r\n<localization><resources");
    attr(&mut out, "culture", culture);
    out.push_str("><stringTable>\r\n");
    for (ns, table) in tables.iter().enumerate() {
        for (id, text) in table {
            out.push_str("<string");
            attr(&mut out, "id", &string_id(ns, *id));
            attr(&mut out, "value", text);
            out.push_str("/>\r\n");
        }
    }
    out.push_str("</stringTable></resources></localization>\r\n</instrumentationManifest>\r\n");
    out
}

/// The string id of provider `ns`'s message `id` (unique across the manifest).
fn string_id(ns: usize, id: u32) -> String {
    format!("p{ns}_{id:08x}")
}

/// The strings a publisher's manifest carries: its messages, parameter strings whose ids
/// its messages do not use, and an empty string for every other id a written item uses.
fn strings<'a>(p: &'a Publisher, culture: &str) -> BTreeMap<u32, &'a str> {
    let mut all: BTreeMap<u32, &str> = BTreeMap::new();
    for table in [p.parameters.culture(culture), p.messages.culture(culture)]
        .into_iter()
        .flatten()
    {
        all.extend(table.iter().map(|(id, s)| (*id, s.as_str())));
    }
    for id in used_ids(p) {
        all.entry(id).or_insert("");
    }
    all
}

fn write_provider(out: &mut String, p: &Publisher, ns: usize) {
    out.push_str("<provider");
    attr(out, "name", &p.name);
    attr(out, "guid", &p.guid.to_string());
    if let Some(symbol) = &p.symbol {
        attr(out, "symbol", symbol);
    }
    // The files as the source names them: an archive does not read them, but they are
    // properties (EvtPublisherMetadataResourceFilePath…) the archived publisher keeps.
    for (name, value) in [
        ("resourceFileName", &p.resource_file),
        ("messageFileName", &p.message_file),
        ("parameterFileName", &p.parameter_file),
    ] {
        if let Some(value) = value {
            attr(out, name, value);
        }
    }
    if let Some(link) = &p.help_link {
        attr(out, "helpLink", link);
    }
    message_attr(out, ns, p.message_id);
    out.push_str(">\r\n");

    out.push_str("<channels>\r\n");
    for c in &p.channels {
        match &c.definition {
            None => {
                out.push_str("<importChannel");
                attr(out, "chid", &c.chid);
                attr(out, "name", &c.name);
                message_attr(out, ns, c.message_id);
            }
            Some(d) => {
                out.push_str("<channel");
                attr(out, "chid", &c.chid);
                attr(out, "name", &c.name);
                let kind = ["Admin", "Operational", "Analytic", "Debug"];
                attr(
                    out,
                    "type",
                    kind.get(d.channel_type as usize).unwrap_or(&"Operational"),
                );
                attr(out, "value", &c.value.to_string());
                attr(out, "enabled", if d.enabled { "true" } else { "false" });
                let isolation = ["Application", "System", "Custom"];
                attr(
                    out,
                    "isolation",
                    isolation
                        .get(d.isolation as usize)
                        .unwrap_or(&"Application"),
                );
                if let Some(access) = &d.access {
                    attr(out, "access", access);
                }
                message_attr(out, ns, c.message_id);
                out.push('>');
                write_channel_settings(out, d);
                out.push_str("</channel>\r\n");
                continue;
            }
        }
        out.push_str("/>\r\n");
    }
    out.push_str("</channels>\r\n");

    // Every item in the source's order; a Winmeta one by name only (manifest parser's
    // listed form), with its message when it is not Winmeta's.
    if !p.levels.is_empty() {
        out.push_str("<levels>\r\n");
        for l in &p.levels {
            out.push_str("<level");
            attr(out, "name", &l.name);
            if winmeta::by_name(winmeta::LEVELS, &l.name).is_none() {
                attr(out, "value", &l.value.to_string());
            }
            message_attr(
                out,
                ns,
                written_message(winmeta::LEVELS, &l.name, l.message_id),
            );
            out.push_str("/>\r\n");
        }
        out.push_str("</levels>\r\n");
    }
    if !p.tasks.is_empty() {
        out.push_str("<tasks>\r\n");
        for t in &p.tasks {
            out.push_str("<task");
            attr(out, "name", &t.name);
            let listed = winmeta::by_name(winmeta::TASKS, &t.name).is_some();
            if !listed {
                attr(out, "value", &t.value.to_string());
            }
            if t.event_guid != crate::event::Guid::default() {
                attr(out, "eventGUID", &t.event_guid.to_string());
            }
            message_attr(
                out,
                ns,
                written_message(winmeta::TASKS, &t.name, t.message_id),
            );
            let local: Vec<_> = p
                .opcodes
                .iter()
                .filter(|o| o.task != 0 && u32::from(o.task) == t.value)
                .collect();
            if local.is_empty() || listed {
                out.push_str("/>\r\n");
                continue;
            }
            out.push_str("><opcodes>\r\n");
            for o in local {
                write_opcode(out, ns, &o.name, o.opcode, o.message_id);
            }
            out.push_str("</opcodes></task>\r\n");
        }
        out.push_str("</tasks>\r\n");
    }
    if p.opcodes.iter().any(|o| o.task == 0) {
        out.push_str("<opcodes>\r\n");
        for o in p.opcodes.iter().filter(|o| o.task == 0) {
            if winmeta::by_name(winmeta::OPCODES, &o.name).is_some() {
                out.push_str("<opcode");
                attr(out, "name", &o.name);
                message_attr(
                    out,
                    ns,
                    written_message(winmeta::OPCODES, &o.name, o.message_id),
                );
                out.push_str("/>\r\n");
            } else {
                write_opcode(out, ns, &o.name, o.opcode, o.message_id);
            }
        }
        out.push_str("</opcodes>\r\n");
    }
    if !p.keywords.is_empty() {
        out.push_str("<keywords>\r\n");
        for k in &p.keywords {
            out.push_str("<keyword");
            attr(out, "name", &k.name);
            if winmeta::by_name(winmeta::KEYWORDS, &k.name).is_none() {
                attr(out, "mask", &format!("0x{:x}", k.mask));
            }
            message_attr(
                out,
                ns,
                written_message(winmeta::KEYWORDS, &k.name, k.message_id),
            );
            out.push_str("/>\r\n");
        }
        out.push_str("</keywords>\r\n");
    }
    if !p.maps.is_empty() {
        out.push_str("<maps>\r\n");
        for m in &p.maps {
            let (tag, bits) = match m.kind {
                crate::publisher::MapKind::Value => ("valueMap", false),
                crate::publisher::MapKind::Bit => ("bitMap", true),
            };
            out.push('<');
            out.push_str(tag);
            attr(out, "name", &m.name);
            out.push_str(">\r\n");
            for (value, message) in &m.entries {
                out.push_str("<map");
                let value = if bits {
                    format!("0x{value:x}")
                } else {
                    value.to_string()
                };
                attr(out, "value", &value);
                message_attr(out, ns, *message);
                out.push_str("/>\r\n");
            }
            out.push_str("</");
            out.push_str(tag);
            out.push_str(">\r\n");
        }
        out.push_str("</maps>\r\n");
    }
    if !p.templates.is_empty() {
        out.push_str("<templates>\r\n");
        for (i, t) in p.templates.iter().enumerate() {
            out.push_str("<template");
            attr(out, "tid", &written_tid(p, i));
            out.push_str(">\r\n");
            for item in &t.items {
                write_item(out, item);
            }
            if let Some(user_data) = &t.user_data {
                // As written in the source: a fragment of XML.
                out.push_str("<UserData>");
                out.push_str(user_data);
                out.push_str("</UserData>\r\n");
            }
            out.push_str("</template>\r\n");
        }
        out.push_str("</templates>\r\n");
    }
    write_events(out, p, ns);
    out.push_str("</provider>\r\n");
}

/// A defined channel's `logging` and `publishing` settings, those set.
fn write_channel_settings(out: &mut String, d: &crate::publisher::ChannelDefinition) {
    let flag = |b: bool| if b { "true" } else { "false" }.to_string();
    let logging = [
        ("maxSize", d.max_size.map(|v| v.to_string())),
        ("retention", d.retention.map(flag)),
        ("autoBackup", d.auto_backup.map(flag)),
    ];
    let publishing = [
        ("level", d.level.map(|v| v.to_string())),
        ("keywords", d.keywords.map(|v| format!("0x{v:x}"))),
    ];
    for (section, settings) in [("logging", &logging[..]), ("publishing", &publishing[..])] {
        if settings.iter().all(|(_, v)| v.is_none()) {
            continue;
        }
        out.push_str(&format!("<{section}>"));
        for (name, value) in settings {
            if let Some(value) = value {
                out.push_str(&format!("<{name}>{value}</{name}>"));
            }
        }
        out.push_str(&format!("</{section}>"));
    }
}

/// Template `i`'s tid as written: a tid that an earlier template of the provider already
/// has (resource files repeat content-derived GUIDs) gets `#<i>` (the schema wants unique
/// tids; [`read_archive`] takes the suffix off again).
fn written_tid(p: &Publisher, i: usize) -> String {
    let tid = &p.templates[i].tid;
    if p.templates[..i].iter().any(|t| t.tid == *tid) {
        format!("{tid}{TID_SUFFIX}{i}")
    } else {
        tid.clone()
    }
}

/// What marks a repeated tid (a character no GUID or mc tid holds).
const TID_SUFFIX: char = '#';

/// Reads an archive's manifest back into the publishers [`manifest_xml`] wrote: the
/// manifest parsed, each repeated tid restored, and a provider that names a parameter file
/// given its messages as its parameter strings (the archive folds both into one table).
pub fn read_archive(text: &str) -> crate::error::Result<Vec<Publisher>> {
    let mut publishers = crate::publisher::parse_manifest(text)?;
    for p in &mut publishers {
        for t in &mut p.templates {
            if let Some((tid, index)) = t.tid.rsplit_once(TID_SUFFIX) {
                if !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit()) {
                    t.tid = tid.to_owned();
                }
            }
        }
        if p.parameter_file.is_some() {
            p.parameters = p.messages.clone();
        }
    }
    Ok(publishers)
}

fn write_opcode(out: &mut String, ns: usize, name: &str, value: u8, message: Option<u32>) {
    out.push_str("<opcode");
    attr(out, "name", name);
    attr(out, "value", &value.to_string());
    message_attr(out, ns, message);
    out.push_str("/>\r\n");
}

fn write_item(out: &mut String, item: &TemplateItem) {
    if !item.members.is_empty() {
        out.push_str("<struct");
        attr(out, "name", &item.name);
        if let Some(count) = &item.count {
            attr(out, "count", count);
        }
        out.push_str(">\r\n");
        for member in &item.members {
            write_item(out, member);
        }
        out.push_str("</struct>\r\n");
        return;
    }
    out.push_str("<data");
    attr(out, "name", &item.name);
    attr(out, "inType", &item.in_type);
    attr(out, "outType", &item.out_type);
    for (name, value) in [
        ("map", &item.map),
        ("length", &item.length),
        ("count", &item.count),
    ] {
        if let Some(value) = value {
            attr(out, name, value);
        }
    }
    out.push_str("/>\r\n");
}

fn write_events(out: &mut String, p: &Publisher, ns: usize) {
    if p.events.is_empty() {
        return;
    }
    out.push_str("<events>\r\n");
    for e in &p.events {
        out.push_str("<event");
        attr(out, "value", &e.value.to_string());
        attr(out, "version", &e.version.to_string());
        let channel = p
            .channels
            .iter()
            .position(|c| c.value == e.channel && e.channel != 0);
        if let Some(i) = channel {
            attr(out, "channel", &p.channels[i].chid);
        }
        // A value with no name is written as its number (the parser's numeric form).
        for (what, name, value) in [
            ("level", level_name(p, e.level), e.level),
            ("task", task_name(p, e.task), e.task),
            ("opcode", opcode_name(p, e.opcode, e.task), e.opcode),
        ] {
            match name {
                Some(name) => attr(out, what, name),
                None if value != 0 => attr(out, what, &value.to_string()),
                None => {}
            }
        }
        let names = keyword_names(p, e.keywords);
        if !names.is_empty() {
            attr(out, "keywords", &names.join(" "));
        }
        if let Some(i) = e.template.filter(|i| *i < p.templates.len()) {
            attr(out, "template", &written_tid(p, i));
        }
        if let Some(symbol) = &e.symbol {
            attr(out, "symbol", symbol);
        }
        message_attr(out, ns, e.message_id);
        out.push_str("/>\r\n");
    }
    out.push_str("</events>\r\n");
}

/// The message an item's element carries: its own, except that a Winmeta item with
/// Winmeta's own id carries none (the reader gives it that id, and its string falls back
/// to Winmeta's when the source's table has none).
fn written_message(
    table: &'static [winmeta::WinmetaItem],
    name: &str,
    id: Option<u32>,
) -> Option<u32> {
    match winmeta::by_name(table, name) {
        Some(item) if id == Some(item.message_id) => None,
        _ => id,
    }
}

/// The message ids of the elements the manifest writes.
fn used_ids(p: &Publisher) -> Vec<u32> {
    let mut ids: Vec<u32> = p.message_id.into_iter().collect();
    ids.extend(p.channels.iter().filter_map(|c| c.message_id));
    let items = p
        .levels
        .iter()
        .map(|l| written_message(winmeta::LEVELS, &l.name, l.message_id))
        .chain(
            p.tasks
                .iter()
                .map(|t| written_message(winmeta::TASKS, &t.name, t.message_id)),
        )
        .chain(
            p.opcodes
                .iter()
                .map(|o| written_message(winmeta::OPCODES, &o.name, o.message_id)),
        )
        .chain(
            p.keywords
                .iter()
                .map(|k| written_message(winmeta::KEYWORDS, &k.name, k.message_id)),
        );
    ids.extend(items.flatten());
    ids.extend(
        p.maps
            .iter()
            .flat_map(|m| m.entries.iter().filter_map(|(_, id)| *id)),
    );
    ids.extend(p.events.iter().filter_map(|e| e.message_id));
    ids
}

/// Every string of the provider pinned to its id (invariant 1).
fn write_message_table(out: &mut String, table: &BTreeMap<u32, &str>, ns: usize) {
    if table.is_empty() {
        return;
    }
    out.push_str("<messageTable>\r\n");
    for id in table.keys() {
        out.push_str("<message");
        attr(out, "value", &format!("0x{id:x}"));
        attr(out, "message", &format!("$(string.{})", string_id(ns, *id)));
        out.push_str("/>\r\n");
    }
    out.push_str("</messageTable>\r\n");
}

fn level_name(p: &Publisher, value: u32) -> Option<&str> {
    p.levels
        .iter()
        .find(|l| l.value == value)
        .map(|l| l.name.as_str())
        .or_else(|| winmeta::by_value(winmeta::LEVELS, value.into()).map(|i| i.name))
        .filter(|_| value != 0 || p.levels.iter().any(|l| l.value == 0))
}

/// Value 0 is named only when the source named it (then `win:None` is in the list).
fn task_name(p: &Publisher, value: u32) -> Option<&str> {
    p.tasks
        .iter()
        .find(|t| t.value == value)
        .map(|t| t.name.as_str())
}

fn opcode_name(p: &Publisher, opcode: u32, task: u32) -> Option<&str> {
    let by_task = |t: u32| {
        p.opcodes
            .iter()
            .find(|o| u32::from(o.opcode) == opcode && u32::from(o.task) == t)
            .map(|o| o.name.as_str())
    };
    by_task(task)
        .or_else(|| by_task(0))
        .or_else(|| winmeta::by_value(winmeta::OPCODES, opcode.into()).map(|i| i.name))
        // Opcode 0 is named only when the source named it (then `win:Info` is listed).
        .filter(|_| opcode != 0 || p.opcodes.iter().any(|o| o.opcode == 0))
}

/// The names of the keyword bits of `mask`; an unnamed bit as its mask in hex (the
/// parser's numeric form; a channel bit the reader derives again is harmless to repeat).
fn keyword_names(p: &Publisher, mask: u64) -> Vec<std::borrow::Cow<'_, str>> {
    let mut names = Vec::new();
    for bit in 0..64 {
        let m = 1u64 << bit;
        if mask & m == 0 {
            continue;
        }
        if let Some(k) = p.keywords.iter().find(|k| k.mask == m) {
            names.push(k.name.as_str().into());
        } else if let Some(k) = winmeta::by_value(winmeta::KEYWORDS, m) {
            names.push(k.name.into());
        } else {
            names.push(format!("0x{m:x}").into());
        }
    }
    names
}

#[cfg(test)]
#[path = "write_manifest_tests.rs"]
mod tests;
