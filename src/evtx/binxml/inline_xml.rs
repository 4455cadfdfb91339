//! Direct XML of inline documents: a record whose BinXml is its own elements, with no
//! template instance (the shape of forwarded events), written from its tokens without the
//! general path's tree, expansion and `Event`.
//!
//! Owns [`Inline`], the reader borrowed for one record. The shapes it takes: an optional
//! fragment header, then `<Event>` (any text attributes) holding `<System>` first (any text
//! attributes; children that are elements of text attributes and text content, their names
//! and attribute names ASCII), then
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
//! escaping is per character). Names are compared as UTF-16 units with ASCII names, which
//! equals comparing the decoded names. Invariant: where it returns `Some`, the bytes equal
//! `decode(record)?.to_xml()` (tested on every sample and on mutated chunks). The work is
//! bounded: no recursion (four levels at most) and each step reads bytes of the record.

use std::ops::Range;

use super::map::Mapper;
use super::tokens::{peek, Decoder};
use super::value::{inline_extent, push_utf16_escaped, utf16};
use crate::event::xml;
use crate::event::{System, Value};
use crate::evtx::bytes::Reader;

/// An inline document's reader: the chunk's token reader, and where the parts of a start
/// tag and of a text are kept while one record is written (reused from element to element).
pub(super) struct Inline<'a, 'c> {
    tokens: &'a mut Decoder<'c>,
    /// The last start tag's attributes: each name's UTF-16 characters and its value's
    /// range of `attr_parts`.
    attrs: Vec<(&'c [u8], Range<usize>)>,
    /// The UTF-16 parts of those attributes' values.
    attr_parts: Vec<&'c [u8]>,
    /// The UTF-16 parts of the text content being read.
    parts: Vec<&'c [u8]>,
    /// `push_utf16_escaped`'s scratch.
    text: &'a mut String,
}

/// The concatenated text of UTF-16 `parts`, as the expansion merges adjacent texts.
fn joined(parts: &[&[u8]]) -> String {
    match parts {
        [one] => utf16(one),
        parts => parts.iter().map(|p| utf16(p)).collect(),
    }
}

/// True if the name of UTF-16 characters `chars` is `ascii`.
fn is(chars: &[u8], ascii: &str) -> bool {
    chars.len() == 2 * ascii.len()
        && chars
            .chunks_exact(2)
            .zip(ascii.bytes())
            .all(|(unit, b)| unit == [b, 0])
}

/// True if the local part of the name `chars` (after its last `:`, as `parsed::local`
/// splits the decoded name) is `ascii`.
fn local_is(chars: &[u8], ascii: &str) -> bool {
    let start = chars
        .chunks_exact(2)
        .rposition(|unit| unit == [b':', 0])
        .map_or(0, |i| 2 * (i + 1));
    is(&chars[start..], ascii)
}

/// Appends the name `chars` to `out` if it is all ASCII (the decoded name, then); false,
/// and `out` as it was, if not.
fn push_ascii_name(chars: &[u8], out: &mut String) -> bool {
    if !chars
        .chunks_exact(2)
        .all(|unit| unit[1] == 0 && unit[0] < 0x80)
    {
        return false;
    }
    let mut ascii = [0u8; 64];
    if chars.len() <= 2 * ascii.len() {
        // A short name, the usual: its low bytes on the stack, pushed at once.
        for (b, unit) in ascii.iter_mut().zip(chars.chunks_exact(2)) {
            *b = unit[0];
        }
        // Every byte is below 0x80: valid UTF-8, so this cannot fail.
        out.push_str(std::str::from_utf8(&ascii[..chars.len() / 2]).unwrap_or_default());
    } else {
        out.extend(chars.chunks_exact(2).map(|unit| char::from(unit[0])));
    }
    true
}

impl<'a, 'c> Inline<'a, 'c> {
    pub(super) fn new(tokens: &'a mut Decoder<'c>, text: &'a mut String) -> Self {
        Inline {
            tokens,
            attrs: Vec::new(),
            attr_parts: Vec::new(),
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
        // The root's and `<System>`'s own attributes: read, and unused by the model.
        let (root, content) = self.start(tok, &mut r)?;
        if !local_is(root, "Event") || !content {
            return None;
        }
        let tok = r.u8("token").ok()?;
        let (system, content) = self.start(tok, &mut r)?;
        if !local_is(system, "System") || !content {
            return None;
        }
        let system = self.system(&mut r)?;
        xml::write_event_open(out);
        xml::write_system(out, &system);
        match r.u8("token").ok()? {
            0x04 => {}
            tok => {
                let (data, content) = self.start(tok, &mut r)?;
                if !local_is(data, "EventData") || !self.attrs.is_empty() {
                    return None;
                }
                xml::write_event_data_open(out, None);
                if content {
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

    /// `<System>`'s children up to its end, mapped as the general path maps them (each
    /// child's name and attribute names ASCII, else `None`).
    fn system(&mut self, r: &mut Reader<'c>) -> Option<System> {
        let mapper = Mapper { at: 0 };
        let mut system = System::default();
        let mut saw_event_id = false;
        // The child's name, then its attributes' names, with where each ends.
        let mut names = String::new();
        let mut ends: Vec<usize> = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        loop {
            let tok = r.u8("token").ok()?;
            if tok == 0x04 {
                break;
            }
            let (name, content) = self.start(tok, r)?;
            names.clear();
            ends.clear();
            values.clear();
            if !push_ascii_name(name, &mut names) {
                return None;
            }
            let child_end = names.len();
            for (attr, range) in &self.attrs {
                if !push_ascii_name(attr, &mut names) {
                    return None;
                }
                ends.push(names.len());
                let parts = self.attr_parts.get(range.clone())?;
                values.push(Value::String(joined(parts).into()));
            }
            let text = if content {
                self.content(r)?;
                joined(&self.parts)
            } else {
                String::new()
            };
            let starts = std::iter::once(child_end).chain(ends.iter().copied());
            let attrs = starts
                .zip(ends.iter().copied())
                .map(|(from, to)| names.get(from..to).unwrap_or_default())
                .zip(values.iter_mut());
            mapper
                .system_child(
                    &mut system,
                    &mut saw_event_id,
                    &names[..child_end],
                    attrs,
                    Some(Value::String(text.into())),
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
            let (data, content) = self.start(tok, r)?;
            if !local_is(data, "Data") {
                return None;
            }
            match self.attrs.as_slice() {
                [] => out.push_str("<Data>"),
                [(name, range)] if is(name, "Name") => {
                    out.push_str("<Data Name='");
                    for part in self.attr_parts.get(range.clone())? {
                        push_utf16_escaped(part, out, self.text);
                    }
                    out.push_str("'>");
                }
                _ => return None,
            }
            if content {
                self.content(r)?;
                for part in &self.parts {
                    push_utf16_escaped(part, out, self.text);
                }
            }
            out.push_str("</Data>");
        }
    }

    /// A name reference at `r`: the NameString's UTF-16 characters (one defined inline,
    /// right after the reference, is passed over), as `tokens::Decoder::name` reads it.
    fn name(&mut self, r: &mut Reader<'c>) -> Option<&'c [u8]> {
        let at = r.file_offset();
        let off = r.u32("name offset").ok()? as usize;
        let (chars, len) = self.tokens.name_chars(off, at).ok()?;
        if off == r.pos() {
            r.skip(len, "inline name").ok()?;
        }
        Some(chars)
    }

    /// An element's start tag after its token byte `tok`, up to and with its close: its
    /// name's characters, and whether content follows (false: closed empty); its attributes
    /// are left in `attrs` and `attr_parts`.
    fn start(&mut self, tok: u8, r: &mut Reader<'c>) -> Option<(&'c [u8], bool)> {
        if !matches!(tok, 0x01 | 0x41) {
            return None;
        }
        r.skip(4, "element data size").ok()?;
        let name = self.name(r)?;
        self.attrs.clear();
        self.attr_parts.clear();
        if tok & 0x40 != 0 {
            r.skip(4, "attribute list size").ok()?;
            while peek(r).is_some_and(|t| t & 0x0F == 0x06) {
                r.skip(1, "attribute token").ok()?;
                let attr = self.name(r)?;
                let from = self.attr_parts.len();
                while matches!(peek(r), Some(0x05 | 0x45)) {
                    r.skip(1, "attribute value token").ok()?;
                    let part = self.string(r)?;
                    self.attr_parts.push(part);
                }
                self.attrs.push((attr, from..self.attr_parts.len()));
            }
        }
        let content = match r.u8("close of start element").ok()? {
            0x02 => true,
            0x03 => false,
            _ => return None,
        };
        Some((name, content))
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
