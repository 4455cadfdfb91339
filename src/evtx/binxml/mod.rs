//! BinXml decoding: a record's BinXml document into an [`Event`] (tokens, names, templates
//! and value types, through the chunk's string and template tables).
//!
//! Owns the public decoding API: [`ChunkDecoder`] (one per chunk; caches that chunk's parsed
//! template definitions by chunk offset, and with [`ChunkDecoder::with_cache`] shares them
//! across chunks through a [`TemplateCache`]) and [`EvtxRecord::event`] (one record, no cache
//! kept). [`ChunkDecoder::decode`] tries the fast path first and falls back to the general
//! path; [`ChunkDecoder::decode_tree`] always builds the full tree; [`ChunkDecoder::write_xml`]
//! and [`ChunkDecoder::visit`] (an [`EventVisitor`]) read the fast path's records straight
//! from their values, without building the event.
//!
//! Layers, each file importing only from those below it (a test checks the `use` lines):
//!
//! | layer | files | what it owns |
//! | --- | --- | --- |
//! | writers | `deferred` | proofs that a record decodes on the fast path; [`DeferredChunk`] |
//! | | `visit` | the fast path's records handed to an [`EventVisitor`] from their values |
//! | | `fast_xml` | the fast path's records written as XML straight from their values |
//! | | `system_xml`, `tree_xml` | their `<System>` and `<UserData>` parts |
//! | | `inline_xml` | inline documents (no template) written straight from their tokens |
//! | | `system_ref` | a visit's `<System>` ([`SystemRef`]), its texts borrowed from scratch |
//! | fast | `fast` | records in Windows' usual shape straight into an [`Event`] |
//! | general | `general` | the token parser: fragments into `TNode`s, instances expanded |
//! | | `expand` | template expansion into the generic element tree |
//! | | `direct` | a template's `<System>` onto [`System`] without its tree |
//! | reader | `tokens` | the token reader: chunk bytes, names, instance headers |
//! | definitions | `cache` | `Template` and the [`TemplateCache`] shared across chunks |
//! | | `layout` | the cache's definitions recognised by their bytes in another chunk |
//! | | `plan` | what a definition says, for the fast path (made once per template) |
//! | | `span` | where an instance's values lie; the shapes the fast path met |
//! | | `parsed` | `TNode`, `TElement`, `Sub` |
//! | leaves | `map`, `text`, `value` | tree onto the typed model; text runs; value types |
//!
//! A definition carries its plan and its shapes, and definitions are shared across chunks
//! through the cache, so `plan` and `span` sit below `cache`, and `cache` below the reader
//! that fills it. The reader gets the parser of definitions it has not met from the general
//! path (a definition may hold nested BinXml, which expands), as a function argument.
//!
//! State: the reader ([`tokens::Decoder`]) holds only the chunk and its definitions. Each
//! path's scratch is its own, owned by the [`ChunkDecoder`] and lent to that path for one
//! record:
//! - general: `expand::Expansion` (the node budget, the direct `<System>` and its flags);
//! - fast: `fast::FastScratch` (the instance's and the body's value spans, System
//!   attributes); the fast path also lends the general path's state, for definitions met
//!   for the first time and `<UserData>` trees;
//! - visitor: `visit::VisitScratch` (the System's parts and texts, a System for the typed
//!   fallback, the items' texts and values);
//! - XML: `fast_xml::RenderScratch` (a System, attributes, text) and `tree_xml::TreeScratch`
//!   (span vectors for nested instances, text, a node count, the chunk's names); an inline
//!   document's writer (`inline_xml::Inline`) borrows only a text buffer;
//! - deferred: `DeferredChunk` keeps its own spans and render scratch behind a lock, and a
//!   fresh reader and general state for each decoding.
//!
//! A path is a short-lived view of those borrows (`general::General`, `fast::Fast`,
//! `fast_xml::Render`, `tree_xml::Tree`), so no function takes them one by one.
//!
//! [`System`]: crate::event::System
//!
//! Invariants:
//! - Decoding never panics and never loops forever on any bytes: reads are bounds-checked,
//!   recursion and expansion are bounded (`tokens::MAX_DEPTH`, `tokens::MAX_NODES`).
//! - Every error is `FileCorrupt` (1392) with an absolute file offset; an error affects one
//!   record only (the template cache keeps only definitions that parsed).
//! - Names are read at their chunk offset (the string table is not needed), once per chunk
//!   (the reader shares each among the chunk's definitions), templates at the
//!   offset in the TemplateInstance (the template table is not needed).

mod cache;
mod deferred;
mod direct;
mod expand;
mod fast;
mod fast_xml;
mod general;
mod inline_xml;
mod layout;
mod map;
mod parsed;
mod plan;
mod span;
mod system_ref;
mod system_xml;
mod text;
mod tokens;
mod tree_xml;
mod user_data;
mod value;
mod value_ref;
mod visit;

pub use cache::TemplateCache;
pub(crate) use deferred::{DeferredChunk, Proof, ProvedSpans};
pub use system_ref::SystemRef;
pub use user_data::{UserDataTokens, UserDataTree, XmlToken};
pub use value_ref::{Scalar, Utf16, ValueRef};
pub use visit::{visit_event, DataItems, DataNames, DataRef, EventVisitor};

use crate::error::{Error, ErrorKind, Result};
use crate::event::{Event, Node, System, SystemFields};
use crate::evtx::{EvtxChunk, EvtxRecord};
use expand::Expansion;
use fast::FastScratch;
use fast_xml::{Render, RenderScratch};
use general::General;
use inline_xml::Inline;
use tree_xml::TreeScratch;
use visit::{Visit, VisitScratch};

/// Decodes the records of one chunk, sharing parsed template definitions between them.
#[derive(Debug)]
pub struct ChunkDecoder<'c> {
    chunk: &'c EvtxChunk,
    /// The token reader and the chunk's definitions.
    tokens: tokens::Decoder<'c>,
    /// The general path's state.
    expansion: Expansion,
    /// The fast path's scratch.
    fast: FastScratch,
    /// Direct rendering's scratch, and its tree writer's.
    render: RenderScratch,
    tree: TreeScratch,
    /// Inline documents' text scratch.
    inline: String,
    /// Direct visiting's scratch.
    visit: VisitScratch,
}

impl<'c> ChunkDecoder<'c> {
    /// A decoder for the records of `chunk`.
    pub fn new(chunk: &'c EvtxChunk) -> ChunkDecoder<'c> {
        ChunkDecoder {
            chunk,
            tokens: tokens::Decoder::new(chunk.data(), chunk.offset()),
            expansion: Expansion::new(chunk.offset()),
            fast: FastScratch::default(),
            render: RenderScratch::default(),
            tree: TreeScratch::default(),
            inline: String::new(),
            visit: VisitScratch::default(),
        }
    }

    /// A decoder for the records of `chunk` that shares parsed template definitions with
    /// the other chunks given the same `cache` (Windows re-defines each template in every
    /// chunk; see [`TemplateCache`]).
    pub fn with_cache(chunk: &'c EvtxChunk, cache: &'c mut TemplateCache) -> ChunkDecoder<'c> {
        let mut decoder = ChunkDecoder::new(chunk);
        decoder.tokens.share(cache);
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

    /// The reader with the general path's state.
    fn general(&mut self) -> General<'_, 'c> {
        General::new(&mut self.tokens, &mut self.expansion)
    }

    /// The record's BinXml as generic nodes (normally one `<Event>` element).
    pub fn decode_tree(&mut self, record: &EvtxRecord<'_>) -> Result<Vec<Node>> {
        let (start, end) = self.span(record)?;
        self.general().document(start, end)
    }

    /// The record's event: on the fast path where the record's shape allows (`fast`),
    /// otherwise through the generic element tree.
    pub fn decode(&mut self, record: &EvtxRecord<'_>) -> Result<Event> {
        let (start, end) = self.span(record)?;
        if let Some(event) = self.fast_event(start, end) {
            return Ok(event);
        }
        self.decode_general(start, end, record.offset())
    }

    /// Appends the record's XML to `out`: the bytes `decode(record)?.to_xml()` gives, and the
    /// same error. Where the fast path takes the record it renders straight from the
    /// record's values, and an inline document of the usual shape straight from its tokens
    /// (`inline_xml`), without building the `Event`; on an error `out` is as it was.
    pub fn write_xml(&mut self, record: &EvtxRecord<'_>, out: &mut String) -> Result<()> {
        let (start, end) = self.span(record)?;
        if self.fast_xml(start, end, out).is_some() || self.inline_xml(start, end, out).is_some() {
            return Ok(());
        }
        self.decode(record)?.write_xml(out);
        Ok(())
    }

    /// Hands the record's event to `visitor`: the call [`visit_event`] makes for
    /// `decode(record)?`, and the same error (with no call). Where the fast path takes the
    /// record, its System and items are read straight from its values (`visit`), without
    /// building the `Event`.
    pub fn visit<V: EventVisitor + ?Sized>(
        &mut self,
        record: &EvtxRecord<'_>,
        visitor: &mut V,
    ) -> Result<()> {
        let (start, end) = self.span(record)?;
        let general = General::new(&mut self.tokens, &mut self.expansion);
        let FastScratch { spans, nested, .. } = &mut self.fast;
        if Visit::new(general, nested, &mut self.visit)
            .record(start, end, spans, visitor)
            .is_some()
        {
            return Ok(());
        }
        visit_event(&self.decode(record)?, visitor);
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
        let general = General::new(&mut self.tokens, &mut self.expansion);
        self.fast.system(general, start, end, fields, system)
    }

    /// `Some` if [`decode`](Self::decode) is certain to succeed on the fast path for
    /// `record`, whose event a [`DeferredChunk`] of this chunk, given `kept`, can then
    /// build later. `None` says nothing: such records are decoded at once.
    pub(crate) fn prove_fast(
        &mut self,
        record: &EvtxRecord<'_>,
        kept: &mut ProvedSpans,
    ) -> Option<Proof> {
        let (start, end) = self.span(record).ok()?;
        let general = General::new(&mut self.tokens, &mut self.expansion);
        deferred::prove(general, &mut self.fast, start, end, kept)
    }

    /// The record at chunk offsets `[start, end)` on the fast path (`fast`), or `None`.
    fn fast_event(&mut self, start: usize, end: usize) -> Option<Event> {
        let general = General::new(&mut self.tokens, &mut self.expansion);
        self.fast.event(general, start, end)
    }

    /// The record at chunk offsets `[start, end)` rendered straight from its values
    /// (`fast_xml`), appended to `out`; `None` (and `out` as it was) where it is not.
    fn fast_xml(&mut self, start: usize, end: usize, out: &mut String) -> Option<()> {
        let general = General::new(&mut self.tokens, &mut self.expansion);
        let FastScratch { spans, nested, .. } = &mut self.fast;
        Render::new(general, nested, &mut self.render, &mut self.tree)
            .record(start, end, spans, out)
    }

    /// The inline document at chunk offsets `[start, end)` written straight from its tokens
    /// (`inline_xml`), appended to `out`; `None` (and `out` as it was) where it is not.
    fn inline_xml(&mut self, start: usize, end: usize, out: &mut String) -> Option<()> {
        Inline::new(&mut self.tokens, &mut self.inline).record(start, end, out)
    }

    /// The record at chunk offsets `[start, end)` through the generic element tree.
    fn decode_general(&mut self, start: usize, end: usize, at: u64) -> Result<Event> {
        let (nodes, system) = self.general().document_system(start, end)?;
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

#[cfg(test)]
#[path = "layers_tests.rs"]
mod layers_tests;

#[cfg(test)]
#[path = "visit_tests.rs"]
mod visit_tests;

#[cfg(test)]
#[path = "inline_xml_tests.rs"]
mod inline_xml_tests;

#[cfg(test)]
#[path = "user_data_tests.rs"]
mod user_data_tests;
