//! Direct XML of generic trees: a nested BinXml fragment (a `<UserData>` body) rendered
//! straight from its tokens, and the template instances in it straight from their parsed
//! definitions and value spans, with no element tree built.
//!
//! Owns [`TreeScratch`] (span vectors for nested instances, text, a node count, the
//! chunk's names), lent with the reader and the general path's state as a [`Tree`], and the
//! rendering half of the general path's rules (see `tokens`' module docs): an
//! attribute that is one substitution of a fragment without values is dropped; in a
//! template, an element whose dependency id names a Null value is dropped (never a
//! template's root), an attribute whose only value is a Null substitution, or an optional
//! substitution with an empty value, is dropped; an element closed by EndElement renders
//! `<x></x>`, one closed by CloseEmptyElement `<x/>`. Adjacent values need no merging:
//! escaping is per character, and no BinXml value renders unescaped.
//!
//! Invariant: where it returns `Some`, the bytes equal what `nested` expands and
//! `write_node` renders (tested on every sample and on mutated chunks). Anything else — an
//! array value, a BinXml value inside an attribute, nesting deeper than [`MAX_DIRECT_DEPTH`],
//! more than [`MAX_DIRECT_NODES`] nodes, an unused value that would not decode, any read
//! error — returns `None`, and the caller takes the general path, which reports errors.
//! The limits keep every record this path renders within the general path's budgets
//! (`MAX_NODES` is spent at most once per nesting level per node).

use std::collections::HashMap;

use super::cache::ChunkHash;
use super::fast::{instance_spans, Values};
use super::general::General;
use super::parsed::{TElement, TNode};
use super::span::Span;
use super::tokens::{char_reference, entity_text, peek, pi_data};
use super::value::{decode_sized, inline_extent, push_utf16_escaped, utf16, BINXML_TYPE};
use crate::event::xml;
use crate::event::Value;
use crate::evtx::bytes::Reader;

/// Deepest nesting (elements, nested values, template instances) rendered directly.
const MAX_DIRECT_DEPTH: usize = 32;
/// Most nodes one record renders directly; `MAX_DIRECT_DEPTH + 1` times this stays within
/// the general path's `MAX_NODES`.
const MAX_DIRECT_NODES: usize = 5_000;

/// What direct tree rendering reuses from record to record.
#[derive(Debug, Default)]
pub(super) struct TreeScratch {
    /// Value spans of nested template instances, one vector per instance being rendered.
    pool: Vec<Vec<Span>>,
    text: String,
    nodes: usize,
    /// Names read so far, by chunk offset, with their length in bytes (so the scratch
    /// serves one chunk).
    names: HashMap<usize, (Box<str>, usize), ChunkHash>,
}

impl TreeScratch {
    fn spend(&mut self, n: usize) -> Option<()> {
        self.nodes += n.max(1);
        (self.nodes <= MAX_DIRECT_NODES).then_some(())
    }

    /// One more node at nesting `depth`, within both limits.
    fn enter(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DIRECT_DEPTH {
            return None;
        }
        self.spend(1)
    }
}

/// True for the tokens that may stand in an attribute value.
fn attribute_value_token(t: u8) -> bool {
    matches!(t, 0x05 | 0x45 | 0x08 | 0x48 | 0x09 | 0x49 | 0x0D | 0x0E)
}

/// Writes a decoded value as `write_node` writes it; `None` for an array (the general path
/// may merge it with adjacent text, whose text form differs).
fn write_plain(out: &mut String, v: &Value) -> Option<()> {
    if matches!(v, Value::Array(_)) {
        return None;
    }
    xml::write_value(out, v);
    Some(())
}

/// One direct tree rendering: the reader and the general path's state (for definitions met
/// for the first time), with the tree writer's scratch.
pub(super) struct Tree<'a, 'c> {
    general: General<'a, 'c>,
    s: &'a mut TreeScratch,
}

impl<'a, 'c> Tree<'a, 'c> {
    pub(super) fn new(general: General<'a, 'c>, s: &'a mut TreeScratch) -> Self {
        Tree { general, s }
    }

    /// Appends the XML of the nested BinXml fragment at chunk offsets `[from, to)`, as
    /// `nested(from, to - from, depth)` expands it and `write_node` writes its nodes.
    pub(super) fn xml(
        &mut self,
        from: usize,
        to: usize,
        depth: usize,
        out: &mut String,
    ) -> Option<()> {
        self.s.nodes = 0;
        self.fragment_xml(from, to, depth, out)
    }

    fn fragment_xml(
        &mut self,
        from: usize,
        to: usize,
        depth: usize,
        out: &mut String,
    ) -> Option<()> {
        self.s.enter(depth)?;
        let mut r = self.general.tokens.reader(from, to, "nested BinXml").ok()?;
        while r.remaining() > 0 {
            match r.u8("token").ok()? {
                0x00 => break,
                tok => self.content_xml(tok, &mut r, false, depth, out)?,
            }
        }
        Some(())
    }

    /// One content token of a fragment without values (after its token byte).
    fn content_xml(
        &mut self,
        tok: u8,
        r: &mut Reader<'c>,
        in_attribute: bool,
        depth: usize,
        out: &mut String,
    ) -> Option<()> {
        match tok {
            0x01 | 0x41 if !in_attribute => self.element_xml(tok, r, depth + 1, out),
            0x05 | 0x45 => {
                let ty = r.u8("value type").ok()?;
                let rest = self.general.tokens.chunk.get(r.pos()..).unwrap_or_default();
                let (prefix, len) = inline_extent(ty, rest).ok()?;
                r.skip(prefix, "value length").ok()?;
                let start = r.pos();
                let bytes = r.bytes(len, "value").ok()?;
                self.s.spend(1)?;
                match ty {
                    0x01 => {
                        // Trailing NULs trimmed or not, the escaper drops NULs.
                        push_utf16_escaped(bytes, out, &mut self.s.text);
                        Some(())
                    }
                    BINXML_TYPE if in_attribute => None,
                    BINXML_TYPE => self.fragment_xml(start, start + len, depth + 1, out),
                    _ => write_plain(out, &decode_sized(ty, bytes, bytes).ok()?),
                }
            }
            0x07 | 0x47 if !in_attribute => {
                let n = usize::from(r.u16("CDATA length").ok()?);
                let bytes = r.bytes(n.saturating_mul(2), "CDATA text").ok()?;
                self.s.spend(1)?;
                xml::write_cdata(out, &utf16(bytes));
                Some(())
            }
            0x08 | 0x48 => {
                let c = char_reference(r.u16("character reference").ok()?);
                self.s.spend(1)?;
                xml::push_escaped(out, c.encode_utf8(&mut [0; 4]));
                Some(())
            }
            0x09 | 0x49 => {
                let name = self.name_string(r)?;
                self.s.spend(1)?;
                xml::push_escaped(out, &entity_text(&name));
                Some(())
            }
            0x0A if !in_attribute => {
                let target = self.name_string(r)?;
                let data = pi_data(r).ok()?;
                self.s.spend(1)?;
                xml::write_pi(out, &target, &data);
                Some(())
            }
            0x0C if !in_attribute => self.instance_xml(r, depth + 1, out),
            // A substitution in a fragment without values expands to nothing.
            0x0D | 0x0E => r.skip(3, "substitution").ok(),
            0x0F if !in_attribute => r.skip(3, "fragment header").ok(),
            _ => None,
        }
    }

    /// An element of a fragment without values, after its token byte.
    fn element_xml(
        &mut self,
        tok: u8,
        r: &mut Reader<'c>,
        depth: usize,
        out: &mut String,
    ) -> Option<()> {
        self.s.enter(depth)?;
        r.skip(4, "element data size").ok()?;
        out.push('<');
        let name = self.push_name(r, out)?;
        if tok & 0x40 != 0 {
            r.skip(4, "attribute list size").ok()?;
            while peek(r).is_some_and(|t| t & 0x0F == 0x06) {
                r.skip(1, "attribute token").ok()?;
                let mark = out.len();
                out.push(' ');
                self.push_name(r, out)?;
                if matches!(peek(r), Some(0x0D | 0x0E)) {
                    r.skip(4, "substitution").ok()?;
                    if !peek(r).is_some_and(attribute_value_token) {
                        // An attribute that is one substitution is omitted.
                        out.truncate(mark);
                        continue;
                    }
                }
                out.push_str("='");
                while let Some(v) = peek(r).filter(|&v| attribute_value_token(v)) {
                    r.skip(1, "attribute value token").ok()?;
                    self.content_xml(v, r, true, depth, out)?;
                }
                out.push('\'');
            }
        }
        match r.u8("close of start element").ok()? {
            0x03 => out.push_str("/>"),
            0x02 => {
                out.push('>');
                loop {
                    match r.u8("element content token").ok()? {
                        0x04 => break,
                        t => self.content_xml(t, r, false, depth, out)?,
                    }
                }
                out.push_str("</");
                self.push_name_at(name, out)?;
                out.push('>');
            }
            _ => return None,
        }
        Some(())
    }

    /// A template instance, after its token byte: its definition rendered with its values.
    fn instance_xml(&mut self, r: &mut Reader<'c>, depth: usize, out: &mut String) -> Option<()> {
        if depth > MAX_DIRECT_DEPTH {
            return None;
        }
        let mut spans = self.s.pool.pop().unwrap_or_default();
        let done = self.instance_xml_with(r, depth, out, &mut spans);
        self.s.pool.push(spans);
        done
    }

    fn instance_xml_with(
        &mut self,
        r: &mut Reader<'c>,
        depth: usize,
        out: &mut String,
        spans: &mut Vec<Span>,
    ) -> Option<()> {
        let template = instance_spans(&mut self.general, r, depth, spans)?;
        let mut values = Values::new(self.general.tokens.chunk, spans);
        self.s.spend(1)?;
        self.template_xml(&template.body, &mut values, true, depth, out)?;
        values.rest_decode().then_some(())
    }

    /// Template nodes with their values, as `expand` expands them (`root`: the template's
    /// own top level, whose elements are never dropped by a dependency id).
    fn template_xml(
        &mut self,
        nodes: &[TNode],
        values: &mut Values<'_>,
        root: bool,
        depth: usize,
        out: &mut String,
    ) -> Option<()> {
        for node in nodes {
            match node {
                TNode::Element(e) => self.template_element_xml(e, values, root, depth, out)?,
                TNode::Text(t) => {
                    self.s.spend(1)?;
                    xml::push_escaped(out, t);
                }
                TNode::Value(v) => {
                    self.s.spend(1)?;
                    write_plain(out, v)?;
                }
                TNode::Subst { index, .. } => self.subst_xml(*index, values, depth, out)?,
                TNode::CData(c) => {
                    self.s.spend(1)?;
                    xml::write_cdata(out, c);
                }
                TNode::Pi { target, data } => {
                    self.s.spend(1)?;
                    xml::write_pi(out, target, data);
                }
                TNode::Nodes(nodes) => {
                    self.s.spend(nodes.len())?;
                    for n in nodes {
                        xml::write_node(out, n);
                    }
                }
                TNode::Attr(_) => {}
            }
        }
        Some(())
    }

    /// A substitution in element content.
    fn subst_xml(
        &mut self,
        index: u16,
        values: &mut Values<'_>,
        depth: usize,
        out: &mut String,
    ) -> Option<()> {
        let Some(span) = values.spans.get_mut(usize::from(index)) else {
            return Some(());
        };
        match span.ty {
            0x00 => Some(()),
            BINXML_TYPE => {
                span.used = true;
                let (from, to) = (span.start(), span.end());
                self.fragment_xml(from, to, depth + 1, out)
            }
            0x01 => {
                span.used = true;
                let bytes = span.bytes(values.chunk)?;
                self.s.spend(1)?;
                push_utf16_escaped(bytes, out, &mut self.s.text);
                Some(())
            }
            _ => match values.decode(index)? {
                None | Some(Value::Null) => Some(()),
                Some(v) => {
                    self.s.spend(1)?;
                    write_plain(out, &v)
                }
            },
        }
    }

    fn template_element_xml(
        &mut self,
        e: &TElement,
        values: &mut Values<'_>,
        root: bool,
        depth: usize,
        out: &mut String,
    ) -> Option<()> {
        if depth > MAX_DIRECT_DEPTH {
            return None;
        }
        if !root && e.dep_id.is_some_and(|dep| values.is_null(dep)) {
            return Some(());
        }
        // An array substitution in the content repeats the element: the general path's.
        let array = e.children().iter().any(|c| match c {
            TNode::Subst { index, .. } => values
                .spans
                .get(usize::from(*index))
                .is_some_and(|span| span.ty & 0x80 != 0),
            _ => false,
        });
        if array {
            return None;
        }
        self.s.spend(1)?;
        out.push('<');
        out.push_str(&e.name);
        for (name, tokens) in e.attributes() {
            if let [TNode::Subst { index, optional }] = tokens {
                let Some(span) = values.spans.get(usize::from(*index)) else {
                    continue;
                };
                if span.ty == BINXML_TYPE {
                    return None;
                }
                match values.decode(*index)? {
                    None | Some(Value::Null) => continue,
                    Some(v) if *optional && v.is_empty_text() => continue,
                    Some(v) => {
                        out.push(' ');
                        out.push_str(name);
                        out.push_str("='");
                        write_plain(out, &v)?;
                        out.push('\'');
                        continue;
                    }
                }
            }
            out.push(' ');
            out.push_str(name);
            out.push_str("='");
            for t in tokens {
                match t {
                    TNode::Text(t) => xml::push_escaped(out, t),
                    TNode::Value(v) => write_plain(out, v)?,
                    TNode::Subst { index, .. } => {
                        if values
                            .spans
                            .get(usize::from(*index))
                            .is_some_and(|span| span.ty == BINXML_TYPE)
                        {
                            return None;
                        }
                        if let Some(v) = values.decode(*index)? {
                            write_plain(out, &v)?;
                        }
                    }
                    _ => return None,
                }
            }
            out.push('\'');
        }
        if e.empty_tag {
            out.push_str("/>");
            return Some(());
        }
        out.push('>');
        self.template_xml(e.children(), values, false, depth + 1, out)?;
        out.push_str("</");
        out.push_str(&e.name);
        out.push('>');
        Some(())
    }

    /// The name reference at `r`, as `name` reads it, pushed onto `out` from the chunk's
    /// name cache; its chunk offset, for [`Tree::push_name_at`].
    fn push_name(&mut self, r: &mut Reader<'c>, out: &mut String) -> Option<usize> {
        let at = r.file_offset();
        let off = r.u32("name offset").ok()? as usize;
        let inline = off == r.pos();
        let len = self.cached_name(off, at)?;
        if inline {
            r.skip(len, "inline name").ok()?;
        }
        self.push_name_at(off, out)?;
        Some(off)
    }

    /// Pushes the cached name at chunk offset `off`.
    fn push_name_at(&self, off: usize, out: &mut String) -> Option<()> {
        out.push_str(&self.s.names.get(&off)?.0);
        Some(())
    }

    /// The name reference at `r` as a string (entity and PI names: rare).
    fn name_string(&mut self, r: &mut Reader<'c>) -> Option<String> {
        let mut name = String::new();
        self.push_name(r, &mut name)?;
        Some(name)
    }

    /// Caches the NameString at chunk offset `off`; its length in bytes.
    fn cached_name(&mut self, off: usize, at: u64) -> Option<usize> {
        if let Some((_, len)) = self.s.names.get(&off) {
            return Some(*len);
        }
        let (name, len) = self.general.tokens.name_at(off, at).ok()?;
        self.s.names.insert(off, (name.into_boxed_str(), len));
        Some(len)
    }
}
