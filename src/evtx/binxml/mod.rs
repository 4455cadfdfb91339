//! BinXml decoding: a record's BinXml document into an [`Event`]
//! (reference/evtx-format.md §3.2–§3.4, §5–§7).
//!
//! Owns the public decoding API: [`ChunkDecoder`] (one per chunk; caches that chunk's parsed
//! template definitions by chunk offset) and [`EvtxRecord::event`] (one record, no cache
//! kept). Submodules: `tokens` (the token reader and template expansion into a generic
//! element tree), `text` (merging adjacent values into text), `value` (value types), `map`
//! (tree onto the typed model), `direct` (a template's `<System>` straight onto [`System`]
//! without its tree, used by [`ChunkDecoder::decode`] where the shape allows; the mapper
//! then takes it in place of a placeholder element). [`ChunkDecoder::decode_tree`] always
//! builds the full tree.
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

mod direct;
mod map;
mod text;
mod tokens;
mod value;

use crate::error::{Error, ErrorKind, Result};
use crate::event::{Event, Node};
use crate::evtx::{EvtxChunk, EvtxRecord};

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

    /// The record's event.
    pub fn decode(&mut self, record: &EvtxRecord<'_>) -> Result<Event> {
        let (start, end) = self.span(record)?;
        let (nodes, system) = self.decoder.document_system(start, end)?;
        map::event(nodes, system, record.offset())
    }
}

impl EvtxRecord<'_> {
    /// Decodes this record's BinXml into an [`Event`]. To decode many records of a chunk,
    /// [`ChunkDecoder`] avoids re-parsing shared template definitions.
    pub fn event(&self) -> Result<Event> {
        ChunkDecoder::new(self.chunk()).decode(self)
    }
}
