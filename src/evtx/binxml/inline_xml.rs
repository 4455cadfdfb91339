//! Direct XML of inline documents: a record whose BinXml is its own elements, with no
//! template instance (the shape of forwarded events), written from its tokens without the
//! general path's tree, expansion and `Event`.
//!
//! Owns [`Inline`], the reader borrowed for one record. The shapes it takes: an optional
//! fragment header, then `<Event>` (any text attributes) holding `<System>` first (any text
//! attributes; children that are elements of text attributes and text content), then
//! optionally `<EventData>` (no attributes) whose children are `<Data>` elements of text
//! content and at most one attribute, `Name`; then the end of the document. Every value is
//! a UTF-16 string value token. Anything else — another value type, a substitution, a
//! reference, CDATA, a PI, text between elements, `<RenderingInfo>`, `<UserData>`, a read
//! error, a System child the model refuses — returns `None`, and the caller takes the
//! general path, which renders or reports it.
//!
//! Why equal: each `<System>` child goes through the same mapping as the general path's
//! (`map::Mapper::system_child`, given the attribute values and text content the expansion
//! would make: the concatenated texts), and is written by the same `write_system`; a
//! `<Data>`'s name and value are the concatenation of their UTF-16 parts, written escaped
//! part by part (`push_utf16_escaped` of a part equals escaping its decoded text, and
//! escaping is per character). Invariant: where it returns `Some`, the bytes equal
//! `decode(record)?.to_xml()` (tested on every sample and on mutated chunks). The work is
//! bounded: no recursion (four levels at most) and each step reads bytes of the record.

use std::sync::Arc;

use super::map::Mapper;
use super::parsed::local;
use super::tokens::{peek, Decoder};
use super::value::{inline_extent, push_utf16_escaped, utf16};
use crate::event::xml;
use crate::event::{System, Value};
use crate::evtx::bytes::Reader;

/// An inline document's reader: the chunk's token reader, and where a value's parts and
/// non-ASCII text are kept while one record is written.
pub(super) struct Inline<'a, 'c> {
    tokens: &'a mut Decoder<'c>,
    /// The UTF-16 parts of the attribute value or text content being read.
    parts: Vec<&'c [u8]>,
    /// `push_utf16_escaped`'s scratch.
    text: &'a mut String,
}

/// An element's start tag, read: its name, its attributes' names and UTF-16 parts, and
/// whether content follows (false: closed empty).
struct Start<'c> {
    name: Arc<str>,
    attributes: Vec<(Arc<str>, Vec<&'c [u8]>)>,
    content: bool,
}

/// The concatenated text of UTF-16 `parts`, as the expansion merges adjacent texts.
fn joined(parts: &[&[u8]]) -> String {
    match parts {
        [one] => utf16(one),
        parts => parts.iter().map(|p| utf16(p)).collect(),
    }
}

impl<'a, 'c> Inline<'a, 'c> {
    pub(super) fn new(tokens: &'a mut Decoder<'c>, text: &'a mut String) -> Self {
        Inline {
            tokens,
            parts: Vec::new(),
            text,
        }
    }

    /// Appends the XML of the inline document at chunk offsets `[start, end)`; `None`
    /// (and `out` as it was) where the document is not of the shapes above.
    pub(super) fn record(&mut self, start: usize, end: usize, out: &mut String) -> Option<()> {
        let mark = out.len();
        let done = self.document(start, end, out);
        if done.is_none() {
            out.truncate(mark);
        }
        done
    }

    fn document(&mut self, start: usize, end: usize, out: &mut String) -> Option<()> {
        let mut r = self.tokens.reader(start, end, "record BinXml").ok()?;
        let mut tok = r.u8("token").ok()?;
        if tok == 0x0F {
            r.skip(3, "fragment header").ok()?;
            tok = r.u8("token").ok()?;
        }
        let root = self.start(tok, &mut r)?;
        if local(&root.name) != "Event" || !root.content {
            return None;
        }
        let tok = r.u8("token").ok()?;
        let system = self.start(tok, &mut r)?;
        if local(&system.name) != "System" || !system.content {
            return None;
        }
        let system = self.system(&mut r)?;
        xml::write_event_open(out);
        xml::write_system(out, &system);
        match r.u8("token").ok()? {
            0x04 => {}
            tok => {
                let data = self.start(tok, &mut r)?;
                if local(&data.name) != "EventData" || !data.attributes.is_empty() {
                    return None;
                }
                xml::write_event_data_open(out, None);
                if data.content {
                    self.event_data(&mut r, out)?;
                }
                xml::write_event_data_close(out);
                if r.u8("token").ok()? != 0x04 {
                    return None;
                }
            }
        }
        // The document ends here, as the general path reads it: at its end or an EOF token.
        if r.remaining() > 0 && r.u8("token").ok()? != 0x00 {
            return None;
        }
        xml::write_event_close(out);
        Some(())
    }

    /// `<System>`'s children up to its end, mapped as the general path maps them.
    fn system(&mut self, r: &mut Reader<'c>) -> Option<System> {
        let mapper = Mapper { at: 0 };
        let mut system = System::default();
        let mut saw_event_id = false;
        loop {
            let tok = r.u8("token").ok()?;
            if tok == 0x04 {
                break;
            }
            let child = self.start(tok, r)?;
            let text = if child.content {
                self.content(r)?;
                joined(&self.parts)
            } else {
                String::new()
            };
            let mut attributes: Vec<(Arc<str>, Value)> = child
                .attributes
                .iter()
                .map(|(name, parts)| (Arc::clone(name), Value::String(joined(parts))))
                .collect();
            let attrs = attributes.iter_mut().map(|(n, v)| (&**n, v));
            mapper
                .system_child(
                    &mut system,
                    &mut saw_event_id,
                    &child.name,
                    attrs,
                    Some(Value::String(text)),
                )
                .ok()?;
        }
        saw_event_id.then_some(system)
    }

    /// `<EventData>`'s `<Data>` children up to its end, written.
    fn event_data(&mut self, r: &mut Reader<'c>, out: &mut String) -> Option<()> {
        loop {
            let tok = r.u8("token").ok()?;
            if tok == 0x04 {
                return Some(());
            }
            let data = self.start(tok, r)?;
            if local(&data.name) != "Data" {
                return None;
            }
            match data.attributes.as_slice() {
                [] => out.push_str("<Data>"),
                [(name, parts)] if &**name == "Name" => {
                    out.push_str("<Data Name='");
                    for part in parts {
                        push_utf16_escaped(part, out, self.text);
                    }
                    out.push_str("'>");
                }
                _ => return None,
            }
            if data.content {
                self.content(r)?;
                for part in &self.parts {
                    push_utf16_escaped(part, out, self.text);
                }
            }
            out.push_str("</Data>");
        }
    }

    /// An element's start tag after its token byte `tok`, up to and with its close.
    fn start(&mut self, tok: u8, r: &mut Reader<'c>) -> Option<Start<'c>> {
        if !matches!(tok, 0x01 | 0x41) {
            return None;
        }
        r.skip(4, "element data size").ok()?;
        let name = self.tokens.name(r).ok()?;
        let mut attributes = Vec::new();
        if tok & 0x40 != 0 {
            r.skip(4, "attribute list size").ok()?;
            while peek(r).is_some_and(|t| t & 0x0F == 0x06) {
                r.skip(1, "attribute token").ok()?;
                let attr = self.tokens.name(r).ok()?;
                let mut parts = Vec::new();
                while matches!(peek(r), Some(0x05 | 0x45)) {
                    r.skip(1, "attribute value token").ok()?;
                    parts.push(self.string(r)?);
                }
                attributes.push((attr, parts));
            }
        }
        let content = match r.u8("close of start element").ok()? {
            0x02 => true,
            0x03 => false,
            _ => return None,
        };
        Some(Start {
            name,
            attributes,
            content,
        })
    }

    /// An element's content of string values into `parts`, up to and with its end.
    fn content(&mut self, r: &mut Reader<'c>) -> Option<()> {
        self.parts.clear();
        loop {
            match r.u8("element content token").ok()? {
                0x04 => return Some(()),
                0x05 | 0x45 => {
                    let part = self.string(r)?;
                    self.parts.push(part);
                }
                _ => return None,
            }
        }
    }

    /// A value token's value after its token byte, if it is a UTF-16 string.
    fn string(&mut self, r: &mut Reader<'c>) -> Option<&'c [u8]> {
        let ty = r.u8("value type").ok()?;
        if ty != 0x01 {
            return None;
        }
        let rest = self.tokens.chunk.get(r.pos()..).unwrap_or_default();
        let (prefix, len) = inline_extent(ty, rest).ok()?;
        r.skip(prefix, "value length").ok()?;
        r.bytes(len, "value").ok()
    }
}
