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
use crate::event::{Body, DataItem, Element, Event, Node, System, SystemChild, Value};

/// Key tokens (this module's own format, never written to a file). Names and texts the walk
/// itself writes (the System element names, `xmlns` and its value) are one-byte ids into
/// [`STATICS`]; an event's own names and texts are written out.
pub(super) mod key {
    /// An element's start: u16 length, UTF-8 name.
    pub const OPEN: u8 = 1;
    /// An element's start: u8 id of its name in `STATICS`.
    pub const OPEN_STATIC: u8 = 2;
    /// An attribute of the element just opened: u16 length, UTF-8 name; one TEXT,
    /// TEXT_STATIC or SUBST.
    pub const ATTRIBUTE: u8 = 3;
    /// An attribute of the element just opened: u8 id of its name; its value follows.
    pub const ATTRIBUTE_STATIC: u8 = 4;
    /// The start tag ends; children follow, up to END.
    pub const CHILDREN: u8 = 5;
    pub const END: u8 = 6;
    /// The start tag ends the element (no children).
    pub const EMPTY: u8 = 7;
    /// Literal text: u32 length, UTF-8.
    pub const TEXT: u8 = 8;
    /// Literal text: u8 id in `STATICS`.
    pub const TEXT_STATIC: u8 = 9;
    /// The next substitution (indices count up from 0 in key order): u8 value type.
    pub const SUBST: u8 = 10;
    /// A CDATA section: u32 length, UTF-8.
    pub const CDATA: u8 = 11;
    /// A processing instruction: u16 length and UTF-8 target, u32 length and UTF-8 data.
    pub const PI: u8 = 12;
    /// `<Data Name="…">` and its one substitution, `</Data>`: u32 length and UTF-8 name,
    /// u8 value type. The EventData item, most of a key.
    pub const NAMED_DATA: u8 = 13;
}

macro_rules! statics {
    ($($id:ident => $text:expr,)*) => {
        /// Ids of the strings in [`STATICS`].
        #[derive(Clone, Copy)]
        #[repr(u8)]
        pub(super) enum S { $($id,)* }
        /// The names and texts a key writes as one-byte ids.
        pub(super) const STATICS: &[&str] = &[$($text,)*];
    };
}

statics! {
    Event => "Event", Xmlns => "xmlns", EventNs => EVENT_NS, System => "System",
    Provider => SystemChild::Provider.name(), Name => "Name", Guid => "Guid",
    EventSourceName => "EventSourceName", EventId => SystemChild::EventId.name(), Qualifiers => "Qualifiers",
    Version => SystemChild::Version.name(), Level => SystemChild::Level.name(), Task => SystemChild::Task.name(), Opcode => SystemChild::Opcode.name(),
    Keywords => SystemChild::Keywords.name(), TimeCreated => SystemChild::TimeCreated.name(), SystemTime => "SystemTime",
    EventRecordId => SystemChild::EventRecordId.name(), Correlation => SystemChild::Correlation.name(),
    ActivityId => "ActivityID", RelatedActivityId => "RelatedActivityID",
    Execution => SystemChild::Execution.name(), ProcessId => "ProcessID", ThreadId => "ThreadID",
    ProcessorId => "ProcessorID", SessionId => "SessionID", KernelTime => "KernelTime",
    UserTime => "UserTime", ProcessorTime => "ProcessorTime", Channel => SystemChild::Channel.name(),
    Computer => SystemChild::Computer.name(), Security => SystemChild::Security.name(), UserId => "UserID",
    EventData => "EventData", Data => "Data", Binary => "Binary", UserData => "UserData",
    RenderingInfo => "RenderingInfo",
}

/// An element's name: one of the walk's own, or the event's.
#[derive(Clone, Copy)]
enum ElementName<'a> {
    Static(S),
    Own(&'a str),
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
        self.open(S::Event);
        self.key
            .extend_from_slice(&[key::ATTRIBUTE_STATIC, S::Xmlns as u8, key::TEXT_STATIC]);
        self.key
            .extend_from_slice(&[S::EventNs as u8, key::CHILDREN]);
        self.system(&event.system)?;
        match &event.body {
            Body::None => {}
            Body::EventData(data) => {
                self.open(S::EventData);
                if let Some(name) = &data.name {
                    self.attribute_text(S::Name, name);
                }
                self.children();
                for item in &data.items {
                    match item {
                        DataItem::Data {
                            name: Some(name),
                            value,
                        } => {
                            let start = self.values.len();
                            let ty = encode(&mut self.values, value)?;
                            self.key.push(key::NAMED_DATA);
                            self.push_long(name);
                            self.push_subst(ty, start)?;
                        }
                        DataItem::Data { name: None, value } => {
                            self.open(S::Data);
                            self.children();
                            self.subst(value)?;
                            self.end();
                        }
                        DataItem::Binary(bytes) => {
                            self.open(S::Binary);
                            self.children();
                            let start = self.values.len();
                            self.values.extend_from_slice(bytes);
                            self.key.push(key::SUBST);
                            self.push_subst(0x0E, start)?;
                            self.end();
                        }
                        DataItem::Element(e) => self.element(e, ElementName::Own(&e.name), 0)?,
                    }
                }
                self.end();
            }
            Body::UserData(nodes) => {
                self.open(S::UserData);
                self.children();
                for node in nodes {
                    self.node(node, 1)?;
                }
                self.end();
            }
            Body::Other(e) => self.element(e, ElementName::Own(&e.name), 0)?,
        }
        if let Some(info) = &event.rendering_info {
            self.element(info, ElementName::Static(S::RenderingInfo), 0)?;
        }
        self.end();
        Ok(())
    }

    fn system(&mut self, s: &System) -> Result<()> {
        self.open(S::System);
        self.children();
        let p = &s.provider;
        self.open(S::Provider);
        if let Some(name) = &p.name {
            self.attribute_name(S::Name);
            self.subst_str(name)?;
        }
        if let Some(guid) = p.guid {
            self.attribute_fixed(S::Guid, 0x0F, &guid.to_bytes_le());
        }
        if let Some(source) = &p.event_source_name {
            self.attribute_name(S::EventSourceName);
            self.subst_str(source)?;
        }
        self.empty();
        self.open(S::EventId);
        if let Some(q) = s.qualifiers {
            self.attribute_fixed(S::Qualifiers, 0x06, &q.to_le_bytes());
        }
        self.children();
        self.subst_fixed(0x06, &s.event_id.to_le_bytes());
        self.end();
        if let Some(v) = s.version {
            self.content_fixed(S::Version, 0x04, &[v]);
        }
        if let Some(v) = s.level {
            self.content_fixed(S::Level, 0x04, &[v]);
        }
        if let Some(v) = s.task {
            self.content_fixed(S::Task, 0x06, &v.to_le_bytes());
        }
        if let Some(v) = s.opcode {
            self.content_fixed(S::Opcode, 0x04, &[v]);
        }
        if let Some(v) = s.keywords {
            self.content_fixed(S::Keywords, 0x15, &v.to_le_bytes());
        }
        if let Some(t) = s.time_created {
            self.open(S::TimeCreated);
            self.attribute_fixed(S::SystemTime, 0x11, &t.0.to_le_bytes());
            self.empty();
        }
        if let Some(id) = s.event_record_id {
            self.content_fixed(S::EventRecordId, 0x0A, &id.to_le_bytes());
        }
        if let Some(c) = &s.correlation {
            self.open(S::Correlation);
            if let Some(g) = c.activity_id {
                self.attribute_fixed(S::ActivityId, 0x0F, &g.to_bytes_le());
            }
            if let Some(g) = c.related_activity_id {
                self.attribute_fixed(S::RelatedActivityId, 0x0F, &g.to_bytes_le());
            }
            self.empty();
        }
        if let Some(e) = &s.execution {
            self.open(S::Execution);
            self.attribute_fixed(S::ProcessId, 0x08, &e.process_id.to_le_bytes());
            self.attribute_fixed(S::ThreadId, 0x08, &e.thread_id.to_le_bytes());
            if let Some(v) = e.processor_id {
                self.attribute_fixed(S::ProcessorId, 0x04, &[v]);
            }
            for (name, v) in [
                (S::SessionId, e.session_id),
                (S::KernelTime, e.kernel_time),
                (S::UserTime, e.user_time),
            ] {
                if let Some(v) = v {
                    self.attribute_fixed(name, 0x08, &v.to_le_bytes());
                }
            }
            if let Some(v) = e.processor_time {
                self.attribute_fixed(S::ProcessorTime, 0x0A, &v.to_le_bytes());
            }
            self.empty();
        }
        if let Some(c) = &s.channel {
            self.content_str(S::Channel, c)?;
        }
        if let Some(c) = &s.computer {
            self.content_str(S::Computer, c)?;
        }
        if let Some(sec) = &s.security {
            self.open(S::Security);
            if let Some(sid) = &sec.user_id {
                self.attribute_name(S::UserId);
                let start = self.values.len();
                sid.push_bytes(&mut self.values);
                self.key.push(key::SUBST);
                self.push_subst(0x13, start)?;
            }
            self.empty();
        }
        self.end();
        Ok(())
    }

    /// A generic element, under `name` (the renderer renames `<RenderingInfo>`).
    fn element(&mut self, e: &Element, name: ElementName<'_>, depth: usize) -> Result<()> {
        if depth > MAX_DEPTH {
            return Err(unwritable("an element tree nested too deep to write"));
        }
        match name {
            ElementName::Static(s) => self.open(s),
            ElementName::Own(name) => {
                self.key.push(key::OPEN);
                self.push_name(name);
            }
        }
        for a in &e.attributes {
            self.key.push(key::ATTRIBUTE);
            self.push_name(&a.name);
            self.subst(&a.value)?;
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
            Node::Element(e) => self.element(e, ElementName::Own(&e.name), depth),
            Node::Value(v) => self.subst(v),
            Node::CData(text) => {
                self.key.push(key::CDATA);
                self.push_long(text);
                Ok(())
            }
            Node::ProcessingInstruction { target, data } => {
                self.key.push(key::PI);
                self.push_name(target);
                self.push_long(data);
                Ok(())
            }
        }
    }

    /// `<name>text</name>`.
    fn content_str(&mut self, name: S, text: &str) -> Result<()> {
        self.open(name);
        self.children();
        self.subst_str(text)?;
        self.end();
        Ok(())
    }

    /// An attribute of a fixed-size value.
    fn attribute_fixed(&mut self, name: S, ty: u8, bytes: &[u8]) {
        self.attribute_name(name);
        self.subst_fixed(ty, bytes);
    }

    /// `<name>value</name>` of a fixed-size value.
    fn content_fixed(&mut self, name: S, ty: u8, bytes: &[u8]) {
        self.key
            .extend_from_slice(&[key::OPEN_STATIC, name as u8, key::CHILDREN]);
        self.subst_fixed(ty, bytes);
        self.end();
    }

    fn open(&mut self, name: S) {
        self.key.extend_from_slice(&[key::OPEN_STATIC, name as u8]);
    }

    /// An attribute; its value (one substitution or text) follows.
    fn attribute_name(&mut self, name: S) {
        self.key
            .extend_from_slice(&[key::ATTRIBUTE_STATIC, name as u8]);
    }

    fn attribute_text(&mut self, name: S, text: &str) {
        self.attribute_name(name);
        self.key.push(key::TEXT);
        self.push_long(text);
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
        let start = self.values.len();
        let ty = encode(&mut self.values, value)?;
        self.key.push(key::SUBST);
        self.push_subst(ty, start)
    }

    /// A String substitution.
    fn subst_str(&mut self, s: &str) -> Result<()> {
        let start = self.values.len();
        crate::utf16::push(&mut self.values, s);
        self.key.push(key::SUBST);
        self.push_subst(0x01, start)
    }

    /// A substitution of a fixed-size value (at most 16 bytes).
    fn subst_fixed(&mut self, ty: u8, bytes: &[u8]) {
        let start = self.values.len();
        self.values.extend_from_slice(bytes);
        self.key.push(key::SUBST);
        // Fixed sizes fit; the only error is the value count, which the next call reports.
        let _ = self.push_subst(ty, start);
    }

    /// The value of type `ty` that `values[start..]` holds, as the next substitution: its
    /// descriptor, and its type in the key (after the caller's SUBST or NAMED_DATA).
    fn push_subst(&mut self, ty: u8, start: usize) -> Result<()> {
        let size = self.values.len() - start;
        if size > MAX_VALUE_BYTES {
            return Err(unwritable(format!(
                "a value of {size} bytes is longer than a record can size ({MAX_VALUE_BYTES})"
            )));
        }
        if self.descriptors.len() >= MAX_VALUES {
            return Err(unwritable(format!(
                "an event with more than {MAX_VALUES} values cannot be written"
            )));
        }
        self.descriptors.push((size as u16, ty));
        self.key.push(ty);
        Ok(())
    }

    /// A name, as it is: `compile` checks it when its template is new.
    fn push_name(&mut self, name: &str) {
        let len = u16::try_from(name.len()).unwrap_or(u16::MAX);
        self.key.extend_from_slice(&len.to_le_bytes());
        self.key
            .extend_from_slice(&name.as_bytes()[..usize::from(len)]);
    }

    /// Literal text, CDATA or PI data, as it is: `compile` checks its length.
    fn push_long(&mut self, text: &str) {
        let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
        self.key.extend_from_slice(&len.to_le_bytes());
        self.key.extend_from_slice(&text.as_bytes()[..len as usize]);
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
