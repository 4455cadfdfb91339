//! The BinXml token reader: fragments, elements, attributes,
//! text, entity and character references, CDATA, processing instructions, template
//! instances and definitions, substitutions. Their expansion into a generic element tree of
//! the event model is `expand`'s (an `impl Decoder` there).
//!
//! Owns [`Decoder`], the per-chunk state: the chunk bytes, the cache of parsed template
//! definitions (keyed by chunk offset, and shared across chunks through a `TemplateCache`
//! when given one), the fast path's scratch, and the per-record node budget.
//!
//! With `Decoder::document_system`, the first `<System>` child of the record's own template
//! root `<Event>` (when no substitution before it could expand into another `<System>`) is
//! offered to `direct`; if it maps, a childless placeholder element takes its place in the
//! tree and the mapped value is returned beside it.
//!
//! Invariants:
//! - Every read goes through the bounds-checked `Reader` over a prefix of the chunk whose
//!   byte 0 is the chunk's byte 0, so reader positions are chunk offsets and errors carry the
//!   absolute file offset (`FileCorrupt`, 1392).
//! - Recursion (element nesting, nested BinXml values, template instances) is bounded by
//!   [`MAX_DEPTH`]; the number of nodes one record may expand to by [`MAX_NODES`]; counts read
//!   from the data never size an allocation beyond the bytes that are actually present.
//! - Template definitions may not contain template instances (Windows never writes them, and
//!   forbidding them keeps expansion linear in the record size).
//! - Windows' omission rules: an element whose dependency id names a Null value is dropped
//!   (never a template's root); an attribute whose only value is a Null substitution, or an
//!   optional substitution with an empty value, is dropped; an array substitution in element
//!   content repeats the enclosing element (an empty array renders it once, empty); an
//!   element written as start tag + EndElement with no content keeps an empty text child, so
//!   it renders `<x></x>` as written, not `<x/>`.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use super::cache::TemplateCache;
use super::value::{decode_sized, inline_extent, utf16, BINXML_TYPE};
use crate::error::{Error, ErrorKind, Result};
use crate::event::{Node, System, Value};
use crate::evtx::bytes::{u32_at, Reader};

/// Deepest nesting of elements, nested BinXml values and template instances.
pub(super) const MAX_DEPTH: usize = 96;
/// Most elements one record may expand to.
pub(super) const MAX_NODES: usize = 200_000;

/// A node of a parsed fragment or template definition, before substitution.
#[derive(Debug)]
pub(super) enum TNode {
    Element(TElement),
    Text(String),
    Value(Value),
    /// A substitution; both kinds omit a Null value, an optional one in an attribute also
    /// omits an empty one.
    Subst {
        index: u16,
        optional: bool,
    },
    CData(String),
    Pi {
        target: String,
        data: String,
    },
    /// An already expanded template instance (or nested fragment).
    Nodes(Vec<Node>),
}

#[derive(Debug)]
pub(super) struct TElement {
    pub(super) name: String,
    pub(super) dep_id: Option<u16>,
    pub(super) attributes: Vec<(String, Vec<TNode>)>,
    pub(super) children: Vec<TNode>,
    /// Closed by CloseEmptyElement (`<x/>`) rather than by content and EndElement.
    pub(super) empty_tag: bool,
}

/// A substitution value: a typed value or a decoded nested BinXml fragment.
#[derive(Clone, Debug)]
pub(super) enum Sub {
    Plain(Value),
    Xml(Vec<Node>),
    /// A non-Null value already moved into the output (only in templates whose
    /// substitution indices are all distinct, so it is never read again as content).
    Taken,
}

/// A parsed template definition.
#[derive(Debug)]
pub(super) struct Template {
    pub(super) body: Vec<TNode>,
    /// No substitution index occurs twice in `body`, so values can be moved out, not cloned.
    distinct: bool,
    /// The fast path's plan for this template, made on first use (`fast`).
    pub(super) plan: OnceLock<super::plan::Plan>,
    /// The value shapes the fast path succeeded with (`deferred`).
    pub(super) shapes: super::deferred::Shapes,
}

/// True if no substitution index occurs twice in `nodes` (counting into `seen`).
fn distinct_substs(nodes: &[TNode], seen: &mut Vec<bool>) -> bool {
    nodes.iter().all(|n| match n {
        TNode::Subst { index, .. } => {
            let i = usize::from(*index);
            if seen.len() <= i {
                seen.resize(i + 1, false);
            }
            !std::mem::replace(&mut seen[i], true)
        }
        TNode::Element(e) => {
            e.attributes.iter().all(|(_, v)| distinct_substs(v, seen))
                && distinct_substs(&e.children, seen)
        }
        _ => true,
    })
}

impl Sub {
    pub(super) fn is_null(&self) -> bool {
        matches!(self, Sub::Plain(Value::Null))
    }
}

/// Hashes a chunk's offsets with one multiplication, and template identities eight bytes
/// at a time. Keys come from the file: an adversary could make them collide, which costs
/// comparisons, never a wrong entry (maps compare keys).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct ChunkHash;

impl std::hash::BuildHasher for ChunkHash {
    type Hasher = ChunkHasher;
    fn build_hasher(&self) -> ChunkHasher {
        ChunkHasher(0)
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) struct ChunkHasher(u64);

impl ChunkHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(23) ^ word).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

impl std::hash::Hasher for ChunkHasher {
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in words.by_ref() {
            self.mix(u64::from_le_bytes([
                w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7],
            ]));
        }
        for &b in words.remainder() {
            self.mix(u64::from(b));
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }
}

/// A template instance's value descriptors (size, type), after its definition.
fn value_descriptors(r: &mut Reader<'_>) -> Result<Vec<(usize, u8)>> {
    let count_at = r.file_offset();
    let n = r.u32("template value count")? as usize;
    if n > r.remaining() / 4 {
        return Err(corrupt(
            count_at,
            format!(
                "`template value descriptors`: need {} bytes, have {}",
                n.saturating_mul(4),
                r.remaining()
            ),
        ));
    }
    let mut descriptors = Vec::with_capacity(n);
    for _ in 0..n {
        let size = usize::from(r.u16("value size")?);
        let ty = r.u8("value type")?;
        r.skip(1, "value descriptor padding")?;
        descriptors.push((size, ty));
    }
    Ok(descriptors)
}

/// Decodes the BinXml of one chunk's records; holds that chunk's template cache.
#[derive(Debug)]
pub(super) struct Decoder<'c> {
    pub(super) chunk: &'c [u8],
    pub(super) base: u64,
    /// Parsed definitions by chunk offset (the fast path's probe borrows from it).
    pub(super) templates: HashMap<usize, Arc<Template>, ChunkHash>,
    /// Definitions shared with other chunks, if the caller keeps them.
    shared: Option<&'c mut TemplateCache>,
    /// The fast path's value spans of a record's instance and of its nested body (kept to
    /// reuse their allocations).
    pub(super) spans: Vec<super::fast::Span>,
    pub(super) nested_spans: Vec<super::fast::Span>,
    /// The fast path's scratch for a System child's attributes.
    pub(super) attrs: Vec<(usize, Value)>,
    /// Direct rendering's scratch (`fast::Decoder::fast_xml`, `tree_xml`).
    pub(super) render_scratch: super::fast_xml::RenderScratch,
    pub(super) tree_scratch: super::tree_xml::TreeScratch,
    /// Names read by direct tree rendering, by chunk offset, with their length in bytes.
    pub(super) names: HashMap<usize, (Box<str>, usize), ChunkHash>,

    pub(super) nodes: usize,
    /// Map the record's `<System>` directly (`direct`) where its shape allows.
    pub(super) direct_system: bool,
    /// The record's first `<System>` under a template's root `<Event>` was seen.
    pub(super) saw_system: bool,
    /// That `<System>`, mapped directly; a placeholder element stands in the tree.
    pub(super) system: Option<System>,
}

pub(super) fn corrupt(at: u64, message: impl Into<String>) -> Error {
    Error::at_offset(ErrorKind::FileCorrupt, at, message)
}

/// The character a CharRef token's value stands for.
pub(super) fn char_reference(c: u16) -> char {
    char::from_u32(c.into()).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// The text an EntityRef named `name` stands for: the five predefined entities, else the
/// reference itself.
pub(super) fn entity_text(name: &str) -> std::borrow::Cow<'static, str> {
    match name {
        "amp" => "&".into(),
        "lt" => "<".into(),
        "gt" => ">".into(),
        "quot" => "\"".into(),
        "apos" => "'".into(),
        other => format!("&{other};").into(),
    }
}

/// A processing instruction's data after its target: a PIData token, or none.
pub(super) fn pi_data(r: &mut Reader<'_>) -> Result<String> {
    if peek(r) != Some(0x0B) {
        return Ok(String::new());
    }
    r.skip(1, "PI data token")?;
    let n = usize::from(r.u16("PI data length")?);
    Ok(utf16(r.bytes(n.saturating_mul(2), "PI data")?))
}

/// Reads the next byte without consuming it.
pub(super) fn peek(r: &mut Reader<'_>) -> Option<u8> {
    let save = r.pos();
    let t = r.u8("token").ok();
    let _ = r.seek(save, "token");
    t
}

impl<'c> Decoder<'c> {
    /// A decoder for `chunk` (its 64 KiB), which starts at file offset `base`.
    pub(super) fn new(chunk: &'c [u8], base: u64) -> Decoder<'c> {
        Decoder {
            chunk,
            base,
            templates: HashMap::default(),
            shared: None,
            spans: Vec::new(),
            nested_spans: Vec::new(),
            attrs: Vec::new(),
            render_scratch: Default::default(),
            tree_scratch: Default::default(),
            names: HashMap::default(),
            nodes: 0,
            direct_system: false,
            saw_system: false,
            system: None,
        }
    }

    /// Shares parsed definitions with other chunks through `cache`.
    pub(super) fn share(&mut self, cache: &'c mut TemplateCache) {
        self.shared = Some(cache);
    }

    pub(super) fn reader(&self, start: usize, end: usize, what: &str) -> Result<Reader<'c>> {
        let data = self.chunk.get(..end).ok_or_else(|| {
            corrupt(
                self.base.saturating_add(start as u64),
                format!("`{what}`: ends at chunk offset {end}, past the chunk"),
            )
        })?;
        let mut r = Reader::new(data, self.base);
        r.seek(start, what)?;
        Ok(r)
    }

    /// Decodes the document at chunk offsets `[start, end)` into its top-level nodes.
    pub(super) fn document(&mut self, start: usize, end: usize) -> Result<Vec<Node>> {
        self.direct_system = false;
        self.document_inner(start, end)
    }

    /// [`Decoder::document`], with the root `<Event>`'s `<System>` mapped directly where it
    /// can be: then it is returned too, and a childless placeholder stands in the tree.
    pub(super) fn document_system(
        &mut self,
        start: usize,
        end: usize,
    ) -> Result<(Vec<Node>, Option<System>)> {
        self.direct_system = true;
        let nodes = self.document_inner(start, end);
        self.direct_system = false;
        Ok((nodes?, self.system.take()))
    }

    fn document_inner(&mut self, start: usize, end: usize) -> Result<Vec<Node>> {
        self.reset_budget();
        self.saw_system = false;
        self.system = None;
        let mut r = self.reader(start, end, "record BinXml")?;
        let nodes = self.fragment(&mut r, false, 0)?;
        let mut out = Vec::new();
        self.expand_owned(nodes, &mut out, 0)?;
        Ok(out)
    }

    /// Tokens up to EOF (or the end of the data).
    fn fragment(&mut self, r: &mut Reader<'c>, dep: bool, depth: usize) -> Result<Vec<TNode>> {
        let mut out = Vec::new();
        while r.remaining() > 0 {
            let at = r.file_offset();
            let tok = r.u8("token")?;
            match tok {
                0x00 => break,
                _ if self.content(tok, r, dep, depth, &mut out)? => {}
                _ => return Err(corrupt(at, format!("unexpected BinXml token {tok:#04x}"))),
            }
        }
        Ok(out)
    }

    /// Handles one content token; `Ok(false)` if `tok` is not a content token.
    fn content(
        &mut self,
        tok: u8,
        r: &mut Reader<'c>,
        dep: bool,
        depth: usize,
        out: &mut Vec<TNode>,
    ) -> Result<bool> {
        let at = r.file_offset().saturating_sub(1);
        match tok {
            0x01 | 0x41 => out.push(TNode::Element(self.element(tok, r, dep, depth + 1)?)),
            0x05 | 0x45 => out.push(self.value_token(r, depth)?),
            0x07 | 0x47 => {
                let n = usize::from(r.u16("CDATA length")?);
                let bytes = r.bytes(n.saturating_mul(2), "CDATA text")?;
                out.push(TNode::CData(utf16(bytes)));
            }
            0x08 | 0x48 => {
                let c = char_reference(r.u16("character reference")?);
                out.push(TNode::Text(c.to_string()));
            }
            0x09 | 0x49 => {
                let name = self.name(r)?;
                out.push(TNode::Text(entity_text(&name).into_owned()));
            }
            0x0A => {
                let target = self.name(r)?;
                let data = pi_data(r)?;
                out.push(TNode::Pi { target, data });
            }
            0x0C if dep => {
                return Err(corrupt(
                    at,
                    "template instance inside a template definition",
                ));
            }
            0x0C => out.push(TNode::Nodes(self.template_instance(r, depth + 1)?)),
            0x0D | 0x0E => {
                let index = r.u16("substitution index")?;
                r.skip(1, "substitution type")?;
                out.push(TNode::Subst {
                    index,
                    optional: tok == 0x0E,
                });
            }
            0x0F => r.skip(3, "fragment header")?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn element(
        &mut self,
        tok: u8,
        r: &mut Reader<'c>,
        dep: bool,
        depth: usize,
    ) -> Result<TElement> {
        let at = r.file_offset().saturating_sub(1);
        if depth > MAX_DEPTH {
            return Err(corrupt(
                at,
                format!("BinXml nested deeper than {MAX_DEPTH}"),
            ));
        }
        let dep_id = if dep {
            Some(r.u16("dependency id")?).filter(|&d| d != 0xFFFF)
        } else {
            None
        };
        r.skip(4, "element data size")?;
        let name = self.name(r)?;
        let mut attributes = Vec::new();
        if tok & 0x40 != 0 {
            r.skip(4, "attribute list size")?;
            while let Some(t) = peek(r).filter(|t| t & 0x0F == 0x06) {
                let _ = t;
                r.skip(1, "attribute token")?;
                let attr_name = self.name(r)?;
                let mut value = Vec::new();
                while let Some(v) = peek(r)
                    .filter(|v| matches!(v, 0x05 | 0x45 | 0x08 | 0x48 | 0x09 | 0x49 | 0x0D | 0x0E))
                {
                    r.skip(1, "attribute value token")?;
                    self.content(v, r, dep, depth, &mut value)?;
                }
                attributes.push((attr_name, value));
            }
        }
        let close_at = r.file_offset();
        let mut children = Vec::new();
        let close = r.u8("close of start element")?;
        match close {
            0x03 => {}
            0x02 => loop {
                let t_at = r.file_offset();
                let t = r.u8("element content token")?;
                match t {
                    0x04 => break,
                    _ if self.content(t, r, dep, depth, &mut children)? => {}
                    _ => {
                        return Err(corrupt(
                            t_at,
                            format!("unexpected token {t:#04x} in <{name}>"),
                        ))
                    }
                }
            },
            t => {
                return Err(corrupt(
                    close_at,
                    format!("token {t:#04x} where <{name}> should close its start tag"),
                ))
            }
        }
        Ok(TElement {
            name,
            dep_id,
            attributes,
            children,
            empty_tag: close == 0x03,
        })
    }

    /// A name reference: a chunk offset of a NameString, defined inline if it points right
    /// after itself.
    fn name(&self, r: &mut Reader<'c>) -> Result<String> {
        let at = r.file_offset();
        let off = r.u32("name offset")? as usize;

        if off == r.pos() {
            let (name, len) = self.name_at(off, at)?;
            r.skip(len, "inline name")?;
            Ok(name)
        } else {
            Ok(self.name_at(off, at)?.0)
        }
    }

    /// The NameString at chunk offset `off` and its length in bytes.
    pub(super) fn name_at(&self, off: usize, at: u64) -> Result<(String, usize)> {
        let mut r = Reader::new(self.chunk, self.base);
        r.seek(off, "name")
            .map_err(|_| corrupt(at, format!("name offset {off:#x} lies outside the chunk")))?;
        r.skip(6, "name header")?;
        let n = usize::from(r.u16("name length")?);
        let chars = r.bytes(n * 2, "name characters")?;
        Ok((utf16(chars), 10 + 2 * n))
    }

    /// An inline Value token after its token byte.
    fn value_token(&mut self, r: &mut Reader<'c>, depth: usize) -> Result<TNode> {
        let at = r.file_offset();
        let ty = r.u8("value type")?;
        let rest = self.chunk.get(r.pos()..).unwrap_or_default();
        let (prefix, len) = inline_extent(ty, rest).map_err(|m| corrupt(at, m))?;
        r.skip(prefix, "value length")?;
        let start = r.pos();
        let bytes = r.bytes(len, "value")?;
        match ty {
            0x01 => Ok(TNode::Text(utf16(bytes))),
            BINXML_TYPE => Ok(TNode::Nodes(self.nested(start, len, depth + 1)?)),
            _ => decode_sized(ty, bytes, bytes)
                .map(TNode::Value)
                .map_err(|m| corrupt(at, m)),
        }
    }

    /// A nested BinXml fragment at chunk offsets `[start, start + len)`, expanded.
    pub(super) fn nested(&mut self, start: usize, len: usize, depth: usize) -> Result<Vec<Node>> {
        if depth > MAX_DEPTH {
            return Err(corrupt(
                self.base.saturating_add(start as u64),
                format!("BinXml nested deeper than {MAX_DEPTH}"),
            ));
        }
        let mut r = self.reader(start, start.saturating_add(len), "nested BinXml")?;
        let nodes = self.fragment(&mut r, false, depth)?;
        let mut out = Vec::new();
        self.expand_owned(nodes, &mut out, depth)?;
        Ok(out)
    }

    /// A TemplateInstance after its token byte: definition (inline or by offset), values,
    /// expansion.
    fn template_instance(&mut self, r: &mut Reader<'c>, depth: usize) -> Result<Vec<Node>> {
        let body = self.instance_definition(r, depth)?;
        let descriptors = value_descriptors(r)?;
        let mut values = Vec::with_capacity(descriptors.len());
        for (size, ty) in descriptors {
            let v_at = r.file_offset();
            let start = r.pos();
            let bytes = r.bytes(size, "substitution value")?;
            let value = if ty == BINXML_TYPE {
                Sub::Xml(self.nested(start, size, depth + 1)?)
            } else {
                let spill = self.chunk.get(start..).unwrap_or_default();
                Sub::Plain(decode_sized(ty, bytes, spill).map_err(|m| corrupt(v_at, m))?)
            };
            values.push(value);
        }
        let mut out = Vec::new();
        let take = body.distinct;
        self.expand(&body.body, &mut values, take, &mut out, true, depth)?;
        Ok(out)
    }

    /// A TemplateInstance's header after its token byte, up to its value count: its
    /// definition, parsed or from the cache; `r` is left at the value count.
    pub(super) fn instance_definition(
        &mut self,
        r: &mut Reader<'c>,
        depth: usize,
    ) -> Result<Arc<Template>> {
        let at = r.file_offset();
        if depth > MAX_DEPTH {
            return Err(corrupt(
                at,
                format!("templates nested deeper than {MAX_DEPTH}"),
            ));
        }
        r.skip(1, "template instance header")?;
        r.skip(4, "template id")?;
        let def = r.u32("template definition offset")? as usize;
        let body = self.template_def(def, at)?;
        if def == r.pos() {
            // Resident: the instance data follows the definition.
            let size = u32_at(self.chunk, def + 20).unwrap_or(0) as usize;
            r.seek(
                def.saturating_add(24).saturating_add(size),
                "template instance data",
            )?;
        }
        Ok(body)
    }

    /// The parsed body of the template definition at chunk offset `def`, from the cache or
    /// parsed now.
    fn template_def(&mut self, def: usize, at: u64) -> Result<Arc<Template>> {
        if let Some(t) = self.templates.get(&def) {
            return Ok(Arc::clone(t));
        }
        let size = u32_at(self.chunk, def.saturating_add(20)).ok_or_else(|| {
            corrupt(
                at,
                format!("template definition offset {def:#x} lies outside the chunk"),
            )
        })? as usize;
        let start = def + 24;
        let end = start.saturating_add(size);
        // The identity is built in the shared cache's scratch buffer, which outlives chunks.
        let mut identity = None;
        if let Some(cache) = &mut self.shared {
            let mut scratch = cache.take_scratch();
            if super::cache::identity(self.chunk, start, end, &mut scratch).is_some() {
                if let Some(t) = cache.get(&scratch) {
                    cache.put_scratch(scratch);
                    self.templates.insert(def, Arc::clone(&t));
                    return Ok(t);
                }
                identity = Some(scratch);
            } else {
                cache.put_scratch(scratch);
            }
        }
        let mut r = self.reader(start, end, "template definition")?;
        let body = self.fragment(&mut r, true, 0)?;
        let distinct = distinct_substs(&body, &mut Vec::new());
        let body = Arc::new(Template {
            body,
            distinct,
            plan: OnceLock::new(),
            shapes: Default::default(),
        });
        if let (Some(cache), Some(identity)) = (&mut self.shared, identity) {
            cache.insert(&identity, Arc::clone(&body));
            cache.put_scratch(identity);
        }
        self.templates.insert(def, Arc::clone(&body));
        Ok(body)
    }
}

#[cfg(test)]
#[path = "tokens_tests.rs"]
mod tests;
