//! An event as a template and its values: [`Shape`] walks an [`Event`] as the renderer does
//! and writes its structure as a *key* (a chunk-independent token stream: elements, literal
//! text, and substitutions with their types) and its values as substitution values. Events
//! of one structure have one key, and so share one template.
//!
//! The key is what a chunk encodes as the template definition's body
//! (`chunk::ChunkBuilder`), with names resolved there; it holds only what this module
//! wrote, so reading it back cannot fail on a well-formed key, and is bounds-checked anyway.
//!
//! Invariant: reading the written record back (`binxml`) gives the event again: the System
//! children in the renderer's order with the types its typed setters read, EventData items
//! with their names as literal text, generic trees with every value a substitution.

use super::values::{encode, MAX_VALUE_BYTES};
use crate::error::{Error, ErrorKind, Result};
use crate::event::xml::EVENT_NS;
use crate::event::{Body, DataItem, Element, Event, Node, System, Value};

/// Key tokens (this module's own format, never written to a file).
pub(super) mod key {
    /// An element's start: u16 length, UTF-8 name.
    pub const OPEN: u8 = 1;
    /// An attribute of the element just opened: u16 length, UTF-8 name; one TEXT or SUBST.
    pub const ATTRIBUTE: u8 = 2;
    /// The start tag ends; children follow, up to END.
    pub const CHILDREN: u8 = 3;
    pub const END: u8 = 4;
    /// The start tag ends the element (no children).
    pub const EMPTY: u8 = 5;
    /// Literal text: u32 length, UTF-8.
    pub const TEXT: u8 = 6;
    /// A substitution: u16 index, u8 value type.
    pub const SUBST: u8 = 7;
    /// A CDATA section: u32 length, UTF-8.
    pub const CDATA: u8 = 8;
    /// A processing instruction: u16 length and UTF-8 target, u32 length and UTF-8 data.
    pub const PI: u8 = 9;
}

/// Deepest generic element tree written (readers stop at 96 levels of elements and
/// templates).
const MAX_DEPTH: usize = 64;

/// Most substitution values one record can have (descriptors are counted by a u32, but a
/// record is at most 64 KiB).
const MAX_VALUES: usize = 8192;

/// The template key and the values of one event, built into reused buffers.
#[derive(Debug, Default)]
pub(super) struct Shape {
    pub(super) key: Vec<u8>,
    /// Each value's (size, type byte), in substitution order.
    pub(super) descriptors: Vec<(u16, u8)>,
    /// The values' bytes, back to back.
    pub(super) values: Vec<u8>,
}

fn unwritable(what: impl Into<String>) -> Error {
    Error::with_message(ErrorKind::InvalidParameter, what.into())
}

impl Shape {
    /// Makes this shape `event`'s (the buffers are cleared first).
    pub(super) fn of_event(&mut self, event: &Event) -> Result<()> {
        self.key.clear();
        self.descriptors.clear();
        self.values.clear();
        self.open("Event")?;
        self.attribute_text("xmlns", EVENT_NS)?;
        self.children();
        self.system(&event.system)?;
        match &event.body {
            Body::None => {}
            Body::EventData(data) => {
                self.open("EventData")?;
                if let Some(name) = &data.name {
                    self.attribute_text("Name", name)?;
                }
                self.children();
                for item in &data.items {
                    match item {
                        DataItem::Data { name, value } => {
                            self.open("Data")?;
                            if let Some(name) = name {
                                self.attribute_text("Name", name)?;
                            }
                            self.children();
                            self.subst(value)?;
                            self.end();
                        }
                        DataItem::Binary(bytes) => {
                            self.content("Binary", &Value::Binary(bytes.clone()))?;
                        }
                        DataItem::Element(e) => self.element(e, &e.name, 0)?,
                    }
                }
                self.end();
            }
            Body::UserData(nodes) => {
                self.open("UserData")?;
                self.children();
                for node in nodes {
                    self.node(node, 1)?;
                }
                self.end();
            }
            Body::Other(e) => self.element(e, &e.name, 0)?,
        }
        if let Some(info) = &event.rendering_info {
            self.element(info, "RenderingInfo", 0)?;
        }
        self.end();
        Ok(())
    }

    fn system(&mut self, s: &System) -> Result<()> {
        self.open("System")?;
        self.children();
        let p = &s.provider;
        self.open("Provider")?;
        if let Some(name) = &p.name {
            self.attribute("Name", &Value::String(name.clone()))?;
        }
        if let Some(guid) = p.guid {
            self.attribute("Guid", &Value::Guid(guid))?;
        }
        if let Some(source) = &p.event_source_name {
            self.attribute("EventSourceName", &Value::String(source.clone()))?;
        }
        self.empty();
        self.open("EventID")?;
        if let Some(q) = s.qualifiers {
            self.attribute("Qualifiers", &Value::UInt16(q))?;
        }
        self.children();
        self.subst(&Value::UInt16(s.event_id))?;
        self.end();
        if let Some(v) = s.version {
            self.content("Version", &Value::Byte(v))?;
        }
        if let Some(v) = s.level {
            self.content("Level", &Value::Byte(v))?;
        }
        if let Some(v) = s.task {
            self.content("Task", &Value::UInt16(v))?;
        }
        if let Some(v) = s.opcode {
            self.content("Opcode", &Value::Byte(v))?;
        }
        if let Some(v) = s.keywords {
            self.content("Keywords", &Value::HexInt64(v))?;
        }
        if let Some(t) = s.time_created {
            self.open("TimeCreated")?;
            self.attribute("SystemTime", &Value::FileTime(t))?;
            self.empty();
        }
        if let Some(id) = s.event_record_id {
            self.content("EventRecordID", &Value::UInt64(id))?;
        }
        if let Some(c) = &s.correlation {
            self.open("Correlation")?;
            if let Some(g) = c.activity_id {
                self.attribute("ActivityID", &Value::Guid(g))?;
            }
            if let Some(g) = c.related_activity_id {
                self.attribute("RelatedActivityID", &Value::Guid(g))?;
            }
            self.empty();
        }
        if let Some(e) = &s.execution {
            self.open("Execution")?;
            self.attribute("ProcessID", &Value::UInt32(e.process_id))?;
            self.attribute("ThreadID", &Value::UInt32(e.thread_id))?;
            if let Some(v) = e.processor_id {
                self.attribute("ProcessorID", &Value::Byte(v))?;
            }
            if let Some(v) = e.session_id {
                self.attribute("SessionID", &Value::UInt32(v))?;
            }
            if let Some(v) = e.kernel_time {
                self.attribute("KernelTime", &Value::UInt32(v))?;
            }
            if let Some(v) = e.user_time {
                self.attribute("UserTime", &Value::UInt32(v))?;
            }
            if let Some(v) = e.processor_time {
                self.attribute("ProcessorTime", &Value::UInt64(v))?;
            }
            self.empty();
        }
        if let Some(c) = &s.channel {
            self.content("Channel", &Value::String(c.clone()))?;
        }
        if let Some(c) = &s.computer {
            self.content("Computer", &Value::String(c.clone()))?;
        }
        if let Some(sec) = &s.security {
            self.open("Security")?;
            if let Some(sid) = &sec.user_id {
                self.attribute("UserID", &Value::Sid(sid.clone()))?;
            }
            self.empty();
        }
        self.end();
        Ok(())
    }

    /// A generic element, under `name` (the renderer renames `<RenderingInfo>`).
    fn element(&mut self, e: &Element, name: &str, depth: usize) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(unwritable("an element tree nested too deep to write"));
        }
        self.open(name)?;
        for a in &e.attributes {
            self.attribute(&a.name, &a.value)?;
        }
        if e.children.is_empty() {
            self.empty();
            return Ok(());
        }
        self.children();
        for child in &e.children {
            self.node(child, depth + 1)?;
        }
        self.end();
        Ok(())
    }

    fn node(&mut self, node: &Node, depth: usize) -> Result<()> {
        match node {
            Node::Element(e) => self.element(e, &e.name, depth),
            Node::Value(v) => self.subst(v),
            Node::CData(text) => {
                self.key.push(key::CDATA);
                self.push_long(text)
            }
            Node::ProcessingInstruction { target, data } => {
                self.key.push(key::PI);
                self.push_name(target)?;
                self.push_long(data)
            }
        }
    }

    /// `<name>value</name>`.
    fn content(&mut self, name: &str, value: &Value) -> Result<()> {
        self.open(name)?;
        self.children();
        self.subst(value)?;
        self.end();
        Ok(())
    }

    fn open(&mut self, name: &str) -> Result<()> {
        self.key.push(key::OPEN);
        self.push_name(name)
    }

    fn attribute(&mut self, name: &str, value: &Value) -> Result<()> {
        self.key.push(key::ATTRIBUTE);
        self.push_name(name)?;
        self.subst(value)
    }

    fn attribute_text(&mut self, name: &str, text: &str) -> Result<()> {
        self.key.push(key::ATTRIBUTE);
        self.push_name(name)?;
        self.key.push(key::TEXT);
        self.push_long(text)
    }

    fn children(&mut self) {
        self.key.push(key::CHILDREN);
    }

    fn end(&mut self) {
        self.key.push(key::END);
    }

    fn empty(&mut self) {
        self.key.push(key::EMPTY);
    }

    /// A substitution of `value`, the next one.
    fn subst(&mut self, value: &Value) -> Result<()> {
        let index = self.descriptors.len();
        if index >= MAX_VALUES {
            return Err(unwritable(format!(
                "an event with more than {MAX_VALUES} values cannot be written"
            )));
        }
        let start = self.values.len();
        let ty = encode(&mut self.values, value)?;
        let size = self.values.len() - start;
        // `encode` refuses anything longer.
        let size = u16::try_from(size.min(MAX_VALUE_BYTES)).unwrap_or(u16::MAX);
        self.descriptors.push((size, ty));
        self.key.push(key::SUBST);
        self.key.extend_from_slice(&(index as u16).to_le_bytes());
        self.key.push(ty);
        Ok(())
    }

    /// An element, attribute or PI target name: non-empty, starting with a letter or `_`
    /// (python-evtx refuses any other), at most 255 UTF-16 units.
    fn push_name(&mut self, name: &str) -> Result<()> {
        let valid = name
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && name.encode_utf16().count() <= 255;
        if !valid {
            return Err(unwritable(format!(
                "the name {name:?} cannot be written (a name starts with a letter or `_`, \
                 and has at most 255 characters)"
            )));
        }
        self.key
            .extend_from_slice(&(name.len() as u16).to_le_bytes());
        self.key.extend_from_slice(name.as_bytes());
        Ok(())
    }

    /// Literal text, CDATA or PI data: at most 65,535 UTF-16 units (a u16 count).
    fn push_long(&mut self, text: &str) -> Result<()> {
        if text.encode_utf16().count() > usize::from(u16::MAX) {
            return Err(unwritable(
                "a text of more than 65,535 characters cannot be written",
            ));
        }
        self.key
            .extend_from_slice(&(text.len() as u32).to_le_bytes());
        self.key.extend_from_slice(text.as_bytes());
        Ok(())
    }
}

/// A template's identity in a file: a GUID made from its key (distinct keys get distinct
/// GUIDs, as readers that cache templates across chunks by GUID expect), and its id.
pub(super) fn template_guid(key: &[u8]) -> [u8; 16] {
    // Two FNV-1a 64-bit hashes with different offsets.
    let fnv = |offset: u64| {
        key.iter().fold(offset, |h, &b| {
            (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01B3)
        })
    };
    let mut guid = [0u8; 16];
    guid[..8].copy_from_slice(&fnv(0xCBF2_9CE4_8422_2325).to_le_bytes());
    guid[8..].copy_from_slice(&fnv(0x8422_2325_CBF2_9CE4).to_le_bytes());
    guid
}
