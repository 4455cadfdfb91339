//! A file chunk's matching records rendered (or visited) one at a time straight from the chunk:
//! [`ChunkRecords`], what [`ParallelFileQuery::map_records`](super::ParallelFileQuery::map_records)
//! hands its closure. A child of files.rs: it reads the chunk through the source's reader,
//! template cache and prefilter.
//!
//! Why: a caller that renders each event once (evtutil's `qe … /f:xml`) needs no event
//! kept. Decoding a chunk for a result set ([`decode_chunk`](super::decode_chunk)) proves
//! each record first and renders it later from the proof, which reads every record twice,
//! and it makes an `Event` of every record it cannot prove (a `<UserData>` body) before
//! writing its XML. Here each record is rendered by the chunk's decoder
//! (`ChunkDecoder::write_xml`: straight from its values where the fast path takes it,
//! `<UserData>` trees included, else through the general path), in one pass; or handed to
//! an [`EventVisitor`] the same way (`ChunkDecoder::visit`, evtutil's JSON).
//!
//! Invariants:
//! 1. The records, their order and their bytes are those of the sequential query: the
//!    events [`decode_chunk`](super::decode_chunk) keeps (under the same prefilter, the
//!    same records skipped: those that do not frame or decode), in the query's direction,
//!    each written as `EventRef::write_xml` writes it and visited as `EventRef::visit`
//!    visits it (both tested against the result set's events on every sample, with and
//!    without filters; XML both directions).
//! 2. The prefilter is applied as files.rs invariant 7 says: asked once per chunk where it
//!    reads no System child, else each record's System probed alone and the record rendered
//!    only if it matches (a record whose System cannot be read alone is decoded whole and
//!    matched). A query without a prefilter (its filter reads more than `<System>`) hands
//!    out the chunk's decoded, matching events instead ([`ChunkRecords`] over `EventRef`s).
//! 3. Nothing outlives the call: the chunk's buffer goes back to the source's reader once
//!    the closure returns.

use super::{constant_answer, prefilter_fields};
use crate::engine::event_ref::EventRef;
use crate::event::{Event, FileTime};
use crate::evtx::{visit_event, ChunkDecoder, EventVisitor, EvtxRecord};
use crate::query::{EvalScratch, QuerySource, SystemFields};

/// One chunk's matching records in the query's order, each rendered when asked for
/// ([`next_xml`](Self::next_xml)). See the module docs of `files_records.rs`.
pub struct ChunkRecords<'a> {
    inner: Inner<'a>,
}

enum Inner<'a> {
    /// Rendered straight from the chunk by its decoder.
    Direct(Box<Direct<'a>>),
    /// The chunk's decoded and matching events (a filter the decoding cannot apply).
    Events { refs: &'a [EventRef], next: usize },
}

struct Direct<'a> {
    decoder: ChunkDecoder<'a>,
    /// The chunk's records that frame, in the query's order.
    records: Vec<EvtxRecord<'a>>,
    next: usize,
    /// `None`: every record matches; else the filter and the System children it reads.
    probe: Option<(&'a QuerySource, SystemFields)>,
    event: Event,
    scratch: EvalScratch,
}

impl<'a> ChunkRecords<'a> {
    /// The records of a chunk read by `decoder`, in the query's order (reversed if
    /// `reverse`), under `prefilter`; `None` if the prefilter matches none of them.
    pub(super) fn direct(
        decoder: ChunkDecoder<'a>,
        records: impl Iterator<Item = EvtxRecord<'a>>,
        prefilter: Option<&'a QuerySource>,
        reverse: bool,
    ) -> Option<ChunkRecords<'a>> {
        let fields = prefilter_fields(prefilter, false);
        let probe = match constant_answer(prefilter, false) {
            Some(false) => return None,
            Some(true) => None,
            None => prefilter.map(|f| (f, fields)),
        };
        let mut records: Vec<_> = records.collect();
        if reverse {
            records.reverse();
        }
        Some(ChunkRecords {
            inner: Inner::Direct(Box::new(Direct {
                decoder,
                records,
                next: 0,
                probe,
                event: Event::default(),
                scratch: EvalScratch::new(FileTime::default()),
            })),
        })
    }

    /// A chunk's decoded events that match the query, in its order.
    pub(super) fn events(refs: &'a [EventRef]) -> ChunkRecords<'a> {
        ChunkRecords {
            inner: Inner::Events { refs, next: 0 },
        }
    }

    /// At most how many records are left to hand out (those the query's filter has not
    /// yet passed over): to size an output buffer by the chunk, not by a large chunk's.
    pub fn remaining(&self) -> usize {
        match &self.inner {
            Inner::Events { refs, next } => refs.len().saturating_sub(*next),
            Inner::Direct(direct) => direct.records.len().saturating_sub(direct.next),
        }
    }

    /// Appends the next matching record's XML to `out`, the bytes `EventRef::write_xml`
    /// writes of its event; false (and `out` as it was) when no record is left.
    pub fn next_xml(&mut self, out: &mut String) -> bool {
        match &mut self.inner {
            Inner::Events { refs, next } => {
                let Some(event) = refs.get(*next) else {
                    return false;
                };
                *next += 1;
                event.write_xml(out);
                true
            }
            Inner::Direct(direct) => direct.next_xml(out),
        }
    }

    /// Hands the next matching record's event to `visitor`: the calls `EventRef::visit`
    /// makes for it (straight from the record's values where it can); false (and no call)
    /// when no record is left.
    pub fn next_visit(&mut self, visitor: &mut dyn EventVisitor) -> bool {
        match &mut self.inner {
            Inner::Events { refs, next } => {
                let Some(event) = refs.get(*next) else {
                    return false;
                };
                *next += 1;
                event.visit(visitor);
                true
            }
            Inner::Direct(direct) => direct.next_visit(visitor),
        }
    }
}

/// A matching record as [`Direct::next_with`] finds it: still its bytes (rendered or visited
/// straight from them by the chunk's decoder), or an event the filter needed decoded whole.
enum Found<'r, 'a> {
    Record(&'r EvtxRecord<'a>),
    Decoded(&'r Event),
}

impl<'a> Direct<'a> {
    fn next_xml(&mut self, out: &mut String) -> bool {
        self.next_with(|decoder, found| match found {
            Found::Record(record) => decoder.write_xml(record, out).is_ok(),
            Found::Decoded(event) => {
                event.write_xml(out);
                true
            }
        })
    }

    fn next_visit(&mut self, visitor: &mut dyn EventVisitor) -> bool {
        self.next_with(|decoder, found| match found {
            Found::Record(record) => decoder.visit(record, visitor).is_ok(),
            Found::Decoded(event) => {
                visit_event(event, visitor);
                true
            }
        })
    }

    /// Finds the next matching record and hands it to `emit`, which says whether it wrote
    /// it (a record that does not decode is passed over, as `decode_chunk` drops it).
    fn next_with(
        &mut self,
        mut emit: impl FnMut(&mut ChunkDecoder<'a>, Found<'_, 'a>) -> bool,
    ) -> bool {
        while let Some(record) = self.records.get(self.next) {
            self.next += 1;
            let Some((filter, fields)) = self.probe else {
                // Every record matches: one pass, straight from its values where it can.
                if emit(&mut self.decoder, Found::Record(record)) {
                    return true;
                }
                continue;
            };
            if self
                .decoder
                .decode_system(record, fields, &mut self.event.system)
            {
                if filter.matches_with(&self.event, &mut self.scratch)
                    && emit(&mut self.decoder, Found::Record(record))
                {
                    return true;
                }
                continue;
            }
            // A System that cannot be read alone: the record decoded whole and matched, as
            // `decode_chunk` matches it.
            if let Ok(event) = self.decoder.decode(record) {
                if filter.matches_with(&event, &mut self.scratch) {
                    return emit(&mut self.decoder, Found::Decoded(&event));
                }
            }
        }
        false
    }
}

impl std::fmt::Debug for ChunkRecords<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkRecords").finish_non_exhaustive()
    }
}
