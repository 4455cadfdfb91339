//! The BinXml token reader: the chunk's bytes, names, template
//! instance headers and the chunk's parsed template definitions. Parsing fragments into
//! [`TNode`]s and expanding them is the general path's (`general`, `expand`), which gives
//! [`Decoder::instance_definition`] the parser for a definition it has not met.
//!
//! Owns [`Decoder`], the reader's per-chunk state and nothing else: the chunk bytes, its
//! file offset, the names read so far (by chunk offset, shared as `Arc<str>`: a chunk's
//! definitions name the same elements again and again), and the cache of parsed template
//! definitions (keyed by chunk offset, and shared across chunks through a `TemplateCache`
//! when given one). Each decoding path keeps its own scratch (see the module docs of
//! `binxml`).
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
use std::sync::Arc;

use super::cache::{identity, ChunkHash, Template, TemplateCache};
use super::parsed::TNode;
use super::value::{utf16, utf16_shared};
use crate::error::{Error, ErrorKind, Result};
use crate::evtx::bytes::{u32_at, Reader};

/// Deepest nesting of elements, nested BinXml values and template instances.
pub(super) const MAX_DEPTH: usize = 96;
/// Most elements one record may expand to.
pub(super) const MAX_NODES: usize = 200_000;

/// A template instance's value descriptors (size, type), after its definition.
pub(super) fn value_descriptors(r: &mut Reader<'_>) -> Result<Vec<(usize, u8)>> {
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

/// Reads the BinXml of one chunk's records; holds that chunk's parsed template definitions.
#[derive(Debug)]
pub(super) struct Decoder<'c> {
    pub(super) chunk: &'c [u8],
    pub(super) base: u64,
    /// Parsed definitions by chunk offset (the fast path's probe borrows from it).
    pub(super) templates: HashMap<usize, Arc<Template>, ChunkHash>,
    /// Definitions shared with other chunks, if the caller keeps them.
    shared: Option<&'c mut TemplateCache>,
    /// Names read so far, by chunk offset, with their length in bytes: a chunk's templates
    /// name the same few elements again and again, and share one copy of each.
    names: HashMap<usize, (Arc<str>, usize), ChunkHash>,
    /// Where a name or a definition's text is decoded before it is shared (`utf16_shared`).
    scratch: String,
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
#[inline]
pub(super) fn peek(r: &mut Reader<'_>) -> Option<u8> {
    let save = r.pos();
    let t = r.u8("token").ok();
    let _ = r.seek(save, "token");
    t
}

impl<'c> Decoder<'c> {
    /// A decoder for `chunk` (its 64 KiB), which starts at file offset `base`.
    pub(super) fn new(chunk: &'c [u8], base: u64) -> Decoder<'c> {
        // Sized for a chunk's usual few templates and their few dozen names: one
        // allocation each rather than a run of growths and rehashes.
        Decoder {
            chunk,
            base,
            templates: HashMap::with_capacity_and_hasher(8, ChunkHash),
            shared: None,
            names: HashMap::with_capacity_and_hasher(48, ChunkHash),
            scratch: String::new(),
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

    /// A name reference: a chunk offset of a NameString, defined inline if it points right
    /// after itself. Read once per chunk offset, then shared.
    pub(super) fn name(&mut self, r: &mut Reader<'c>) -> Result<Arc<str>> {
        let at = r.file_offset();
        let off = r.u32("name offset")? as usize;
        let (name, len) = match self.names.get(&off) {
            Some((name, len)) => (Arc::clone(name), *len),
            None => {
                let (chars, len) = self.name_chars(off, at)?;
                let name = utf16_shared(chars, &mut self.scratch);
                self.names.insert(off, (Arc::clone(&name), len));
                (name, len)
            }
        };
        if off == r.pos() {
            r.skip(len, "inline name")?;
        }
        Ok(name)
    }

    /// UTF-16 `chars` as a shared string, decoded through the decoder's scratch.
    pub(super) fn shared_text(&mut self, chars: &[u8]) -> Arc<str> {
        utf16_shared(chars, &mut self.scratch)
    }

    /// The NameString at chunk offset `off` and its length in bytes.
    pub(super) fn name_at(&self, off: usize, at: u64) -> Result<(String, usize)> {
        let (chars, len) = self.name_chars(off, at)?;
        Ok((utf16(chars), len))
    }

    /// The UTF-16 characters of the NameString at chunk offset `off`, and its length in
    /// bytes.
    pub(super) fn name_chars(&self, off: usize, at: u64) -> Result<(&'c [u8], usize)> {
        let mut r = Reader::new(self.chunk, self.base);
        r.seek(off, "name")
            .map_err(|_| corrupt(at, format!("name offset {off:#x} lies outside the chunk")))?;
        r.skip(6, "name header")?;
        let n = usize::from(r.u16("name length")?);
        let chars = r.bytes(n * 2, "name characters")?;
        Ok((chars, 10 + 2 * n))
    }

    /// A TemplateInstance's header after its token byte, up to its value count: its
    /// definition, from the cache or parsed now by `parse` (given a reader over the
    /// definition's body); `r` is left at the value count.
    pub(super) fn instance_definition(
        &mut self,
        r: &mut Reader<'c>,
        depth: usize,
        parse: impl FnOnce(&mut Decoder<'c>, &mut Reader<'c>) -> Result<Vec<TNode>>,
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
        let body = self.template_def(def, at, parse)?;
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
    fn template_def(
        &mut self,
        def: usize,
        at: u64,
        parse: impl FnOnce(&mut Decoder<'c>, &mut Reader<'c>) -> Result<Vec<TNode>>,
    ) -> Result<Arc<Template>> {
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
        let mut pending = None;
        if let Some(cache) = &mut self.shared {
            if let Some(t) = cache.recognise(self.chunk, def) {
                self.templates.insert(def, Arc::clone(&t));
                return Ok(t);
            }
            let mut scratch = cache.take_scratch();
            if identity(self.chunk, start, end, &mut scratch).is_some() {
                if let Some(t) = cache.get(&scratch.identity) {
                    cache.remember(self.chunk, def, &scratch, &t);
                    cache.put_scratch(scratch);
                    self.templates.insert(def, Arc::clone(&t));
                    return Ok(t);
                }
                pending = Some(scratch);
            } else {
                cache.put_scratch(scratch);
            }
        }
        let mut r = self.reader(start, end, "template definition")?;
        let body = Arc::new(Template::new(parse(self, &mut r)?));
        if let (Some(cache), Some(scratch)) = (&mut self.shared, pending) {
            // Its layout is remembered only when a later chunk defines it again (above): a
            // definition met once, as on a file of one chunk, costs no layout.
            cache.insert(&scratch.identity, Arc::clone(&body));
            cache.put_scratch(scratch);
        }
        self.templates.insert(def, Arc::clone(&body));
        Ok(body)
    }
}
