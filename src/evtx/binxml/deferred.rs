//! Deferred decoding: proving, without allocating, that a record decodes on the fast path,
//! so that its [`Event`] can be built when it is first read. Windows works the same way:
//! EvtNext hands out handles, and EvtRender decodes.
//!
//! A proof ([`prove`]) holds when all of these do:
//! - the record's template instance, and its nested `<EventData>` instance if it has one,
//!   frame as the fast path reads them;
//! - every value decodes ([`value_decodes`], which equals `decode_sized(..).is_ok()`);
//! - each instance's value types, its *shape*, are a shape with which the fast path already
//!   succeeded on that template (`span::Shapes`, recorded by the fast path's decoding).
//!
//! Why that is enough: with a given template, every choice the fast path makes depends on
//! the values' types and on whether each value decodes. The one exception is a System child
//! that falls back to the general mapping, which reads content; a record that takes that
//! route records no shape. An instance's part of the decoding depends only on its own
//! template and values, so the outer and the nested shapes are recorded and checked apart.
//!
//! Invariants:
//! - `prove` true implies that the fast path (`FastScratch::event`) returns `Some` for the
//!   same record. This is tested on every sample, and on mutated chunks whose shapes were
//!   learnt from the unmutated ones.
//! - A template keeps at most `span::MAX_SHAPES` shapes, each at most `span::MAX_SHAPE_LEN`
//!   values long. Past that, records are decoded at once, as before.
//! - [`DeferredChunk`] decodes only records proved against its own chunk's templates. Its
//!   decoding cannot fail; if it ever did, the result would be the general path's, else an
//!   empty event (there is a debug assertion).

use std::fmt;
use std::sync::Arc;

use parking_lot::Mutex;

use super::cache::Template;
use super::expand::Expansion;
use super::fast::{whole_instance, Fast, FastScratch, Instance};
use super::fast_xml::{Render, RenderScratch};
use super::general::General;
use super::plan::{BodyPlan, Plan};
use super::span::Span;
use super::tokens::Decoder;
use super::tree_xml::TreeScratch;
use super::value::{decode_sized, fixed_size, sid_fits, BINXML_TYPE};
use super::visit::{visit_event, EventVisitor, Visit, VisitScratch};
use crate::error::Result;
use crate::event::Event;
use crate::evtx::EvtxChunk;

/// Whether a value of type `ty` decodes: `decode_sized(ty, bytes, spill).is_ok()`, without
/// building the value (but for arrays, which are rare).
pub(super) fn value_decodes(ty: u8, bytes: &[u8], spill: &[u8]) -> bool {
    match ty {
        // Strings and binary always decode.
        0x00 | 0x01 | 0x02 | 0x0E => true,
        0x10 => matches!(bytes.len(), 4 | 8),
        0x13 => sid_fits(bytes) || sid_fits(spill),
        _ if ty & 0x80 != 0 => decode_sized(ty, bytes, spill).is_ok(),
        _ => fixed_size(ty).is_some_and(|n| bytes.len() >= n),
    }
}

/// Every value of `spans` lies in the chunk and, unless it is nested BinXml, decodes
/// (nested values are the shape's business: the fast path takes one only where its plan
/// reads a body).
fn values_decode(chunk: &[u8], spans: &[Span]) -> bool {
    spans.iter().all(|s| match (s.ty, s.bytes(chunk)) {
        (_, None) => false,
        (0x00 | 0x01 | 0x02 | 0x0E | BINXML_TYPE, Some(_)) => true,
        (ty, Some(bytes)) => value_decodes(ty, bytes, chunk.get(s.start()..).unwrap_or_default()),
    })
}

/// The value spans of a chunk's proved records, kept for their decoding
/// ([`ChunkDecoder::prove_fast`](super::ChunkDecoder::prove_fast)).
#[derive(Debug, Default)]
pub(crate) struct ProvedSpans(Vec<Span>);

/// What a proof found of one record, so its decoding need not read the instances again:
/// its template, its body's template, and where its values' spans are kept.
#[derive(Debug)]
pub(crate) struct Proof {
    template: Arc<Template>,
    body: Option<Arc<Template>>,
    /// The instance's spans start here in [`ProvedSpans`], and the body's follow them.
    at: usize,
    outer: usize,
    nested: usize,
}

impl Proof {
    /// The record's kept spans copied into `spans` (a decoding marks them used), as the
    /// instance's values and its body's instance.
    fn instance<'s>(
        &'s self,
        kept: &ProvedSpans,
        spans: &'s mut Vec<Span>,
    ) -> Option<(&'s mut [Span], Instance<'s>)> {
        spans.clear();
        spans.extend_from_slice(kept.0.get(self.at..self.at + self.outer + self.nested)?);
        let (outer, nested) = spans.split_at_mut(self.outer);
        let body = self.body.as_deref().map(|t| (t, nested));
        Some((outer, Instance::Proved(body)))
    }
}

/// `Some` if the fast path's event of the record at chunk offsets `[start, end)` is certain
/// to be `Some` (see the module docs), with the record's value spans appended to `kept`;
/// `None` says nothing (and appends nothing). `fast` is the fast path's scratch.
pub(super) fn prove(
    mut general: General<'_, '_>,
    fast: &mut FastScratch,
    start: usize,
    end: usize,
    kept: &mut ProvedSpans,
) -> Option<Proof> {
    let (template, body) = prove_with(&mut general, fast, start, end)?;
    let (spans, nested) = (&fast.spans, &fast.nested);
    let at = kept.0.len();
    kept.0.extend_from_slice(spans);
    let nested = match body {
        Some(_) => {
            kept.0.extend_from_slice(nested);
            nested.len()
        }
        None => 0,
    };
    Some(Proof {
        template,
        body,
        at,
        outer: spans.len(),
        nested,
    })
}

fn prove_with(
    general: &mut General<'_, '_>,
    fast: &mut FastScratch,
    start: usize,
    end: usize,
) -> Option<(Arc<Template>, Option<Arc<Template>>)> {
    general.expansion.reset_budget();
    let chunk = general.tokens.chunk;
    let spans = &mut fast.spans;
    let template = whole_instance(general, start, end, 1, spans)?;
    let Some(Plan::Event { body, .. }) = template.made_plan() else {
        return None;
    };
    if !(template.shapes.contains(spans) && values_decode(chunk, spans)) {
        return None;
    }
    let body = match body {
        BodyPlan::None | BodyPlan::Inline(_) => None,
        // `<UserData>` trees go through the general nested decoding: not proved here.
        BodyPlan::UserData { .. } => return None,
        BodyPlan::Subst(index) => {
            let span = spans.get(usize::from(*index))?;
            match span.ty {
                // Null: no body.
                0x00 => None,
                BINXML_TYPE => {
                    let nested = &mut fast.nested;
                    let inner = whole_instance(general, span.start(), span.end(), 2, nested)?;
                    let Some(Plan::Data(_)) = inner.made_plan() else {
                        return None;
                    };
                    if !(inner.shapes.contains(nested) && values_decode(chunk, nested)) {
                        return None;
                    }
                    Some(inner)
                }
                // The fast path fails on any other type.
                _ => return None,
            }
        }
    };
    Some((template, body))
}

/// The event of a record of `chunk` proved by `proof`, from the spans it kept in `kept`:
/// what the fast path's event is, without reading the instances again. `spans` is scratch.
pub(super) fn decode_proved(
    chunk: &EvtxChunk,
    proof: &Proof,
    kept: &ProvedSpans,
    spans: &mut Vec<Span>,
) -> Option<Event> {
    let mut tokens = Decoder::new(chunk.data(), chunk.offset());
    let mut expansion = Expansion::new(chunk.offset());
    let (mut nested, mut attrs) = (Vec::new(), Vec::new());
    let (outer, body) = proof.instance(kept, spans)?;
    Fast::new(
        General::new(&mut tokens, &mut expansion),
        &mut nested,
        &mut attrs,
    )
    .event_of(&proof.template, outer, body)
}

/// The XML of a record of `chunk` proved by `proof`, appended to `out`: what direct
/// rendering writes (which is the bytes of the fast path's event's XML), without reading
/// the instances again; `None` (and `out` as it was) where direct rendering does not take
/// it.
pub(super) fn write_proved_xml(
    chunk: &EvtxChunk,
    proof: &Proof,
    kept: &ProvedSpans,
    scratch: &mut XmlScratch,
    out: &mut String,
) -> Option<()> {
    let mut tokens = Decoder::new(chunk.data(), chunk.offset());
    let mut expansion = Expansion::new(chunk.offset());
    let mut tree = TreeScratch::default();
    let mark = out.len();
    let (outer, body) = proof.instance(kept, &mut scratch.spans)?;
    let done = Render::new(
        General::new(&mut tokens, &mut expansion),
        &mut scratch.unused,
        &mut scratch.render,
        &mut tree,
    )
    .xml_of(&proof.template, outer, body, out);
    if done.is_none() {
        out.truncate(mark);
    }
    done
}

/// A record of `chunk` proved by `proof` handed to `visitor` straight from the spans it
/// kept in `kept`: the call [`visit_event`] makes for the fast path's event. `None` (and no
/// call) where direct visiting does not take it.
pub(super) fn visit_proved<V: EventVisitor + ?Sized>(
    chunk: &EvtxChunk,
    proof: &Proof,
    kept: &ProvedSpans,
    scratch: &mut XmlScratch,
    visitor: &mut V,
) -> Option<()> {
    let mut tokens = Decoder::new(chunk.data(), chunk.offset());
    let mut expansion = Expansion::new(chunk.offset());
    let XmlScratch {
        spans,
        unused,
        visit,
        ..
    } = scratch;
    let (outer, body) = proof.instance(kept, spans)?;
    Visit::new(General::new(&mut tokens, &mut expansion), unused, visit).visit_of(
        &proof.template,
        outer,
        body,
        visitor,
    )
}

/// A chunk kept whole, with the spans of its proved records, so that those records
/// ([`ChunkDecoder::prove_fast`](super::ChunkDecoder::prove_fast)) can be decoded, or
/// rendered as XML, when they are first read. One decoding runs at a time per chunk.
pub(crate) struct DeferredChunk {
    chunk: EvtxChunk,
    kept: ProvedSpans,
    scratch: Mutex<XmlScratch>,
}

/// What decoding and rendering a proved record reuse.
#[derive(Debug, Default)]
pub(super) struct XmlScratch {
    spans: Vec<Span>,
    /// Direct rendering's scratch for a body it reads itself (never, for a proved record).
    unused: Vec<Span>,
    render: RenderScratch,
    visit: VisitScratch,
}

impl fmt::Debug for DeferredChunk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DeferredChunk")
            .field("offset", &self.chunk.offset())
            .finish_non_exhaustive()
    }
}

impl DeferredChunk {
    /// `chunk` with the spans its proofs kept.
    pub(crate) fn new(chunk: EvtxChunk, kept: ProvedSpans) -> DeferredChunk {
        DeferredChunk {
            chunk,
            kept,
            scratch: Mutex::new(XmlScratch::default()),
        }
    }

    /// The chunk's buffer, to read another chunk into once the last of its events is
    /// gone; nothing can be decoded after.
    pub(crate) fn take_buffer(&mut self) -> Vec<u8> {
        self.chunk.take_data()
    }

    /// The event of the record at chunk offsets `[start, end)` (file offset `at`) that
    /// `proof` proved.
    pub(crate) fn decode(&self, proof: &Proof, start: usize, end: usize, at: u64) -> Event {
        let event = decode_proved(
            &self.chunk,
            proof,
            &self.kept,
            &mut self.scratch.lock().spans,
        );
        debug_assert!(event.is_some(), "a proved record failed the fast path");
        event
            .map_or_else(|| general(&self.chunk, start, end, at), Ok)
            .unwrap_or_default()
    }

    /// Appends the XML of the record at chunk offsets `[start, end)` (file offset `at`) that
    /// `proof` proved: `decode(..).to_xml()`, rendered straight from its values where the
    /// fast path's direct rendering takes it.
    pub(crate) fn write_xml(
        &self,
        proof: &Proof,
        start: usize,
        end: usize,
        at: u64,
        out: &mut String,
    ) {
        let done = write_proved_xml(
            &self.chunk,
            proof,
            &self.kept,
            &mut self.scratch.lock(),
            out,
        );
        if done.is_none() {
            self.decode(proof, start, end, at).write_xml(out);
        }
    }
}

impl DeferredChunk {
    /// Hands the record at chunk offsets `[start, end)` (file offset `at`) that `proof`
    /// proved to `visitor`: `visit_event(&decode(..))`, straight from its values where
    /// direct visiting takes it.
    pub(crate) fn visit(
        &self,
        proof: &Proof,
        start: usize,
        end: usize,
        at: u64,
        visitor: &mut dyn EventVisitor,
    ) {
        let done = visit_proved(
            &self.chunk,
            proof,
            &self.kept,
            &mut self.scratch.lock(),
            visitor,
        );
        if done.is_none() {
            visit_event(&self.decode(proof, start, end, at), visitor);
        }
    }
}

/// The general path's event, for a proof that did not hold (a bug: see the module docs).
fn general(chunk: &EvtxChunk, start: usize, end: usize, at: u64) -> Result<Event> {
    let mut tokens = Decoder::new(chunk.data(), chunk.offset());
    let mut expansion = Expansion::new(chunk.offset());
    let (nodes, system) = General::new(&mut tokens, &mut expansion).document_system(start, end)?;
    super::map::event(nodes, system, at)
}
