//! BinXml decoding: a record's BinXml document into an [`Event`] (tokens, names, templates
//! and value types, through the chunk's string and template tables).
//!
//! Owns the public decoding API: [`ChunkDecoder`] (one per chunk; caches that chunk's parsed
//! template definitions by chunk offset, and with [`ChunkDecoder::with_cache`] shares them
//! across chunks through a [`TemplateCache`]) and [`EvtxRecord::event`] (one record, no cache
//! kept). Submodules: `tokens` (the token reader and template expansion into a generic
//! element tree), `text` (merging adjacent values into text), `value` (value types), `map`
//! (tree onto the typed model), `direct` (a template's `<System>` straight onto [`System`]
//! without its tree, on the general path), `fast` (records in Windows' usual shape straight
//! into an [`Event`], from a plan made once per template (`plan`); [`ChunkDecoder::decode`]
//! tries it first and falls back to the general path), `fast_xml` (the fast path's records
//! written as XML straight from their values, for [`ChunkDecoder::write_xml`]), with
//! `system_xml` and `tree_xml` (their `<System>` and `<UserData>` parts), `deferred`
//! (proving that a record decodes on the fast path without decoding it, so a file query
//! can make its events when they are first read), `cache` (template identity across chunks
//! and files).
//! [`ChunkDecoder::decode_tree`] always builds the full tree.
//!
//! [`System`]: crate::event::System
//!
//! Invariants:
//! - Decoding never panics and never loops forever on any bytes: reads are bounds-checked,
//!   recursion and expansion are bounded (`tokens::MAX_DEPTH`, `tokens::MAX_NODES`).
//! - Every error is `FileCorrupt` (1392) with an absolute file offset; an error affects one
//!   record only (the template cache keeps only definitions that parsed).
//! - Names are read at their chunk offset (the string table is not needed), templates at the
//!   offset in the TemplateInstance (the template table is not needed).

mod cache;
mod deferred;
mod direct;
mod expand;
mod fast;
mod fast_xml;
mod map;
mod plan;
mod system_xml;
mod text;
mod tokens;
mod tree_xml;
mod value;

pub use cache::TemplateCache;
pub(crate) use deferred::{DeferredChunk, Proof, ProvedSpans};

use crate::error::{Error, ErrorKind, Result};
use crate::event::{Event, Node, System};
use crate::evtx::{EvtxChunk, EvtxRecord};
use crate::query::SystemFields;

/// Decodes the records of one chunk, sharing parsed template definitions between them.
#[derive(Debug)]
pub struct ChunkDecoder<'c> {
    chunk: &'c EvtxChunk,
    decoder: tokens::Decoder<'c>,
}

impl<'c> ChunkDecoder<'c> {
    /// A decoder for the records of `chunk`.
    pub fn new(chunk: &'c EvtxChunk) -> ChunkDecoder<'c> {
        ChunkDecoder {
            chunk,
            decoder: tokens::Decoder::new(chunk.data(), chunk.offset()),
        }
    }

    /// A decoder for the records of `chunk` that shares parsed template definitions with
    /// the other chunks given the same `cache` (Windows re-defines each template in every
    /// chunk; see [`TemplateCache`]).
    pub fn with_cache(chunk: &'c EvtxChunk, cache: &'c mut TemplateCache) -> ChunkDecoder<'c> {
        let mut decoder = ChunkDecoder::new(chunk);
        decoder.decoder.share(cache);
        decoder
    }

    /// Where the record's BinXml lies in the chunk; the record must be of this decoder's chunk.
    fn span(&self, record: &EvtxRecord<'_>) -> Result<(usize, usize)> {
        if !std::ptr::eq(record.chunk(), self.chunk) {
            return Err(Error::at_offset(
                ErrorKind::InvalidParameter,
                record.offset(),
                "the record belongs to another chunk than this decoder's",
            ));
        }
        let start = record.binxml_chunk_offset();
        Ok((start, start.saturating_add(record.binxml().len())))
    }

    /// The record's BinXml as generic nodes (normally one `<Event>` element).
    pub fn decode_tree(&mut self, record: &EvtxRecord<'_>) -> Result<Vec<Node>> {
        let (start, end) = self.span(record)?;
        self.decoder.document(start, end)
    }

    /// The record's event: on the fast path where the record's shape allows (`fast`),
    /// otherwise through the generic element tree.
    pub fn decode(&mut self, record: &EvtxRecord<'_>) -> Result<Event> {
        let (start, end) = self.span(record)?;
        if let Some(event) = self.decoder.fast_event(start, end) {
            return Ok(event);
        }
        self.decode_general(start, end, record.offset())
    }

    /// Appends the record's XML to `out`: the bytes `decode(record)?.to_xml()` gives, and the
    /// same error. Where the fast path takes the record it renders straight from the
    /// record's values, without building the `Event`; on an error `out` is as it was.
    pub fn write_xml(&mut self, record: &EvtxRecord<'_>, out: &mut String) -> Result<()> {
        let (start, end) = self.span(record)?;
        if self.decoder.fast_xml(start, end, out).is_some() {
            return Ok(());
        }
        self.decode(record)?.write_xml(out);
        Ok(())
    }

    /// Only the children `fields` of the record's `<System>`, where the fast path can read
    /// them without the rest: equal, in those children, to the System of
    /// [`decode`](Self::decode)'s event whenever that succeeds. For filters that read
    /// nothing else, to decode the whole record only when it matches.
    /// False where it cannot (then `system` holds nothing meaningful).
    pub(crate) fn decode_system(
        &mut self,
        record: &EvtxRecord<'_>,
        fields: SystemFields,
        system: &mut System,
    ) -> bool {
        let Ok((start, end)) = self.span(record) else {
            return false;
        };
        self.decoder.fast_system(start, end, fields, system)
    }

    /// The record at chunk offsets `[start, end)` through the generic element tree.
    fn decode_general(&mut self, start: usize, end: usize, at: u64) -> Result<Event> {
        let (nodes, system) = self.decoder.document_system(start, end)?;
        map::event(nodes, system, at)
    }
}

impl EvtxRecord<'_> {
    /// Decodes this record's BinXml into an [`Event`]. To decode many records of a chunk,
    /// [`ChunkDecoder`] avoids re-parsing shared template definitions.
    pub fn event(&self) -> Result<Event> {
        ChunkDecoder::new(self.chunk()).decode(self)
    }
}

#[cfg(test)]
#[path = "fast_tests.rs"]
mod fast_tests;
