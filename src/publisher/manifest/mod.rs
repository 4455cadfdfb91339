//! Instrumentation manifests (.man): the XML a provider's author writes and mc.exe compiles,
//! parsed and validated into [`Publisher`]s (the documented schema and mc.exe's id rules).
//!
//! Owns: reading (`xml`: a bounded, positioned tree), the provider's items (`provider`:
//! channels, levels, tasks, opcodes, keywords, maps), templates (`templates`), events
//! (`events`), message-id assignment (`ids`, mc's rules) and the localized strings (here).
//!
//! Invariants:
//! 1. A manifest is untrusted input: it is read without recursion into a tree at most
//!    [`MAX_DEPTH`] deep and [`MAX_MANIFEST_BYTES`] long; nothing panics on any input.
//! 2. Every error has a position (line and column of the element at fault): MalformedXml
//!    (15008) for XML syntax, ConfigurationError (15010) for everything the schema or mc
//!    would reject (unknown references, duplicates, values out of range, missing strings).
//! 3. Message ids follow `ids` unless the manifest's `messageTable` names the same string
//!    (`$(string.x)`) with an explicit id, which then wins everywhere that string is used.
//!    No two strings share an id (a clash is an error).
//! 4. `Publisher::messages` holds, per culture, the string of every id a provider item
//!    uses (what mc writes into the MESSAGETABLE), plus the Winmeta items' strings the
//!    manifest supplies (`level.Informational`, `opcode.Start`, …) under Winmeta's ids;
//!    `parameters` stays empty (`%%n` strings live in the parameter files, not here).
//! 5. The Winmeta levels, tasks and opcodes the events reference are appended, once each
//!    in order of first use, after the provider's own (as Windows' object arrays list them).

mod events;
mod ids;
mod provider;
mod templates;
#[cfg(test)]
mod tests;
mod xml;

use std::collections::{BTreeMap, HashMap};

pub use xml::{MAX_DEPTH, MAX_MANIFEST_BYTES};

use super::model::Publisher;
use crate::error::Result;
use xml::{config_error, Node};

/// The manifest schema's namespace.
pub const EVENTS_NS: &str = "http://schemas.microsoft.com/win/2004/08/events";
/// Winmeta's namespace, which the `win:` prefix is bound to.
pub const WINMETA_NS: &str = "http://manifests.microsoft.com/win/2004/08/windows/events";

/// Parses and validates an instrumentation manifest: one [`Publisher`] per `provider`, in
/// document order, with message ids assigned as mc assigns them and the strings of every
/// culture the manifest localizes.
pub fn parse_manifest(text: &str) -> Result<Vec<Publisher>> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let root = xml::read(text)?;
    let doc = Document::new(text, &root)?;
    let mut counters = ids::Counters::default();
    let mut publishers: Vec<Publisher> = Vec::new();
    for instrumentation in root.children_named("instrumentation") {
        for events in instrumentation.children_named("events") {
            let table = doc.message_table(events)?;
            for node in events.children_named("provider") {
                let mut built =
                    provider::Builder::new(&doc, node, &table, &mut counters)?.build()?;
                if let Some(other) = publishers.iter().find(|p| {
                    p.name.eq_ignore_ascii_case(&built.publisher.name)
                        || p.guid == built.publisher.guid
                }) {
                    return Err(doc.error(
                        node,
                        format!(
                            "provider {} repeats the name or GUID of provider {}",
                            built.publisher.name, other.name
                        ),
                    ));
                }
                doc.localize(&mut built, &table)?;
                publishers.push(built.publisher);
            }
        }
    }
    Ok(publishers)
}

/// What every part of the parse reads: the text (for positions), the Winmeta prefixes and
/// the string tables.
struct Document<'t> {
    text: &'t str,
    /// Prefixes bound to Winmeta's namespace on the root (`win` always counts).
    winmeta_prefixes: Vec<String>,
    /// Culture → string id → text, cultures in document order.
    strings: Vec<(String, HashMap<String, String>)>,
}

/// A provider being built and the strings its ids stand for.
struct Built {
    pub publisher: Publisher,
    /// (message id, string id, offset of the element that uses it).
    pub uses: Vec<(u32, String, usize)>,
    /// (Winmeta message id, the string ids a manifest may supply for it).
    pub winmeta_uses: Vec<(u32, Vec<String>)>,
}

/// `messageTable` entries: string id → (explicit message id, offset).
type MessageTable = BTreeMap<String, (u32, usize)>;

impl<'t> Document<'t> {
    fn new(text: &'t str, root: &Node) -> Result<Document<'t>> {
        let namespace_of = |prefix: &str| {
            let key = if prefix.is_empty() {
                "xmlns".to_owned()
            } else {
                format!("xmlns:{prefix}")
            };
            root.attr(&key).map(str::to_owned)
        };
        if root.local != "instrumentationManifest" {
            return Err(config_error(
                text,
                root.offset,
                format!(
                    "the root element is <{}>, not <instrumentationManifest>",
                    root.local
                ),
            ));
        }
        match namespace_of(&root.prefix) {
            Some(ns) if ns == EVENTS_NS => {}
            other => {
                return Err(config_error(
                    text,
                    root.offset,
                    format!(
                        "<instrumentationManifest> is in namespace '{}', not {EVENTS_NS}",
                        other.unwrap_or_default()
                    ),
                ))
            }
        }
        let mut winmeta_prefixes = vec!["win".to_owned()];
        for (key, value) in &root.attributes {
            if let Some(prefix) = key.strip_prefix("xmlns:") {
                if value == WINMETA_NS && prefix != "win" {
                    winmeta_prefixes.push(prefix.to_owned());
                }
            }
        }
        let mut doc = Document {
            text,
            winmeta_prefixes,
            strings: Vec::new(),
        };
        doc.read_strings(root)?;
        Ok(doc)
    }

    /// A ConfigurationError at `node`.
    pub fn error(&self, node: &Node, message: impl Into<String>) -> crate::error::Error {
        config_error(self.text, node.offset, message)
    }

    pub fn text(&self) -> &'t str {
        self.text
    }

    /// `win:Name` for a QName whose prefix is bound to Winmeta, else `None`.
    pub fn winmeta_name(&self, qname: &str) -> Option<String> {
        let (prefix, local) = qname.split_once(':')?;
        self.winmeta_prefixes
            .iter()
            .any(|p| p == prefix)
            .then(|| format!("win:{local}"))
    }

    /// `localization/resources[@culture]/stringTable/string[@id,@value]`.
    fn read_strings(&mut self, root: &Node) -> Result<()> {
        for localization in root.children_named("localization") {
            for resources in localization.children_named("resources") {
                let culture = resources
                    .attr("culture")
                    .filter(|c| !c.trim().is_empty())
                    .ok_or_else(|| self.error(resources, "<resources> has no culture"))?;
                if self
                    .strings
                    .iter()
                    .any(|(c, _)| c.eq_ignore_ascii_case(culture))
                {
                    return Err(
                        self.error(resources, format!("culture {culture} is localized twice"))
                    );
                }
                let mut table = HashMap::new();
                for string_table in resources.children_named("stringTable") {
                    for string in string_table.children_named("string") {
                        let (Some(id), Some(value)) = (string.attr("id"), string.attr("value"))
                        else {
                            return Err(self.error(string, "<string> needs id and value"));
                        };
                        if table.insert(id.to_owned(), value.to_owned()).is_some() {
                            return Err(self.error(
                                string,
                                format!("string {id} is defined twice in culture {culture}"),
                            ));
                        }
                    }
                }
                self.strings.push((culture.to_owned(), table));
            }
        }
        Ok(())
    }

    /// The string id of a `$(string.id)` reference in attribute `attr` of `node`, if set;
    /// the id must be defined in at least one culture.
    pub fn string_ref(&self, node: &Node, attr: &str) -> Result<Option<String>> {
        let Some(value) = node.attr(attr) else {
            return Ok(None);
        };
        let id = value
            .trim()
            .strip_prefix("$(string.")
            .and_then(|rest| rest.strip_suffix(')'))
            .filter(|id| !id.is_empty())
            .ok_or_else(|| {
                self.error(
                    node,
                    format!("{attr}=\"{value}\" is not a $(string.id) reference"),
                )
            })?;
        if !self.strings.iter().any(|(_, t)| t.contains_key(id)) {
            return Err(self.error(
                node,
                format!("{attr} refers to string {id}, which no culture defines"),
            ));
        }
        Ok(Some(id.to_owned()))
    }

    /// `messageTable/message[@value,@message]` of one `events` element.
    fn message_table(&self, events: &Node) -> Result<MessageTable> {
        let mut table = MessageTable::new();
        for message_table in events.children_named("messageTable") {
            for message in message_table.children_named("message") {
                let value = message
                    .attr("value")
                    .and_then(crate::event::parse_u64_auto)
                    .and_then(|v| u32::try_from(v).ok())
                    .ok_or_else(|| {
                        self.error(message, "<message> needs a value (a 32-bit message id)")
                    })?;
                let id = self
                    .string_ref(message, "message")?
                    .ok_or_else(|| self.error(message, "<message> needs a message"))?;
                if table.values().any(|(v, _)| *v == value) || table.contains_key(&id) {
                    return Err(self.error(
                        message,
                        format!("messageTable repeats message id {value:#x} or string {id}"),
                    ));
                }
                table.insert(id, (value, message.offset));
            }
        }
        Ok(table)
    }

    /// Checks that no two strings share an id and fills the publisher's messages per
    /// culture (invariants 3 and 4).
    fn localize(&self, built: &mut Built, table: &MessageTable) -> Result<()> {
        let mut by_id: BTreeMap<u32, &str> = BTreeMap::new();
        let explicit = table.iter().map(|(s, (id, at))| (*id, s.as_str(), *at));
        let used = built.uses.iter().map(|(id, s, at)| (*id, s.as_str(), *at));
        for (id, string, offset) in used.chain(explicit) {
            match by_id.insert(id, string) {
                Some(other) if other != string => {
                    return Err(config_error(
                        self.text,
                        offset,
                        format!(
                            "message id {id:#010x} is given to both string {other} and {string}"
                        ),
                    ))
                }
                _ => {}
            }
        }
        let messages = &mut built.publisher.messages;
        for (culture, strings) in &self.strings {
            for (&id, string) in &by_id {
                if let Some(text) = strings.get(*string) {
                    messages.insert(culture, id, text.clone());
                }
            }
            for (id, candidates) in &built.winmeta_uses {
                if let Some(text) = candidates.iter().find_map(|c| strings.get(c)) {
                    messages.insert(culture, *id, text.clone());
                }
            }
        }
        Ok(())
    }
}
