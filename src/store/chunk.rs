//! [`Chunk`]: a fixed-capacity, append-only run of consecutive records that readers read
//! without locks while one writer (serialized by the store's mutex) appends to it.
//!
//! Invariants (C1–C4 refine invariants 3 and 4 of `store/mod.rs`, which states the whole
//! protocol):
//! - C1. `slots[i]` is set at most once, and only by the store while it holds its mutex, and
//!   only for `i == len` (the next free slot).
//! - C2. `len` is stored with `Release` *after* `slots[len]` is set; readers load it with
//!   `Acquire`, so every slot below a loaded `len` is set and its event fully visible.
//!   `len` never decreases.
//! - C3. Record `i` of the chunk has record id `first_record_id + i` (a file's chunk: its
//!   position). A chunk made whole may also carry each record's own id (a file record
//!   header's EventRecordID), which [`Chunk::record_id_at`] reports instead.
//! - C4. `sealed` goes from false to true once; after that `len` never changes again.
//! - C5. A store's chunks hold at most [`CHUNK_MAX_RECORDS`]; a chunk made whole and sealed
//!   ([`Chunk::sealed`], a decoded .evtx chunk) holds any number, and may count itself in a
//!   gauge of live chunks from creation to drop. Its events are held as they are, not in
//!   slots (C1 and C2 concern the slots of open chunks), or as events made when first read
//!   ([`Chunk::deferred`]).
//! - C6. A chunk marked [`Chunk::all_matching`] is made by a query's own source, from the
//!   records that match that query's filter: its scan passes each record without reading it.
//! - C7. A sealed store chunk may be replaced, in its store's list, by the same records held
//!   compact ([`Chunk::compacted`], `compact.rs`): same first id, length and estimated size,
//!   sealed. Its events are made for each read ([`Chunk::get`] gives a [`StoredEvent`]);
//!   none is kept by the chunk, so reading never grows it.
//! - C8. A store chunk (open, or compacted from one) keeps each record's EventID in a column
//!   beside its slots ([`Chunk::event_id_column`]): entry `i` is stored before record `i` is
//!   published (C2's `Release` covers it) and equals that record's `System/EventID`. A scan
//!   whose filter bounds the EventID reads two bytes a record there instead of the record,
//!   so a walk that matches nothing streams ~1/200 of the memory it would.
//! - C9. Such a chunk also keeps a summary of its column ([`Chunk::event_id_summary`]): the
//!   least and greatest EventID and a mask of their residues mod 64, updated with entry `i`
//!   before record `i` is published. It covers every record below a `len()` loaded first
//!   (it may cover more, of records not yet published); records never leave a chunk (a
//!   store drops chunks whole), so it is exact once the chunk is sealed. A scan whose
//!   EventID bound misses the summary passes the whole chunk without reading its column.

use std::borrow::Cow;
use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use super::compact::CompactRecords;
use crate::event::{Event, FileTime};
use crate::evtx::{visit_event, EventVisitor};

/// At most this many records in one chunk (the batch unit that long calls poll cancellation
/// on).
pub const CHUNK_MAX_RECORDS: usize = 256;

/// A chunk is sealed once its records' estimated size ([`Event::approx_record_size`]) would
/// pass this many bytes: EVTX's chunk size. A single record larger than this gets a chunk of
/// its own.
pub const CHUNK_MAX_BYTES: u64 = 64 * 1024;

/// The fewest slots a new chunk is given (see [`slot_capacity_for`]).
const MIN_SLOTS: usize = 16;

/// A run of consecutive records of one channel. Shared as `Arc<Chunk>` between the store and
/// any number of [`Snapshot`](super::Snapshot)s; a chunk dropped from the store (overwrite,
/// clear) stays readable for as long as a snapshot holds it.
pub struct Chunk {
    first_record_id: u64,
    slots: Slots,
    len: AtomicUsize,
    /// Sum of the records' `approx_record_size`; written only under the store's mutex.
    bytes: AtomicU64,
    sealed: AtomicBool,
    /// The gauge this chunk counts itself in, if any ([`Chunk::sealed`]).
    live: Option<Arc<LiveGauge>>,
    /// Each record's own id, when it is not its position (C3; [`Chunk::sealed`]).
    record_ids: Option<Box<[u64]>>,
    /// Every record matches the query the chunk was made for (C6).
    all_match: bool,
    /// Each record's EventID, for store chunks (C8).
    event_ids: Option<Box<[AtomicU16]>>,
    /// The column's summary (C9), meaningful where `event_ids` is kept.
    id_summary: SummaryCell,
}

/// A summary of a chunk's EventIDs (C9): every record's id is in `min..=max` and has its
/// residue mod 64 set in `residues`. Empty: `min > max` and no residue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct IdSummary {
    pub(crate) min: u16,
    pub(crate) max: u16,
    pub(crate) residues: u64,
}

impl IdSummary {
    /// The summary of no id.
    pub(crate) const EMPTY: IdSummary = IdSummary {
        min: u16::MAX,
        max: 0,
        residues: 0,
    };

    /// This summary with `id` added.
    #[must_use]
    pub(crate) fn with(self, id: u16) -> IdSummary {
        IdSummary {
            min: self.min.min(id),
            max: self.max.max(id),
            residues: self.residues | 1 << (id % 64),
        }
    }
}

/// An [`IdSummary`] readers load while the chunk's one writer (C1) adds to it.
struct SummaryCell {
    min: AtomicU16,
    max: AtomicU16,
    residues: AtomicU64,
}

impl SummaryCell {
    fn new(summary: IdSummary) -> SummaryCell {
        SummaryCell {
            min: AtomicU16::new(summary.min),
            max: AtomicU16::new(summary.max),
            residues: AtomicU64::new(summary.residues),
        }
    }

    /// Each field only widens, so a reader's three loads, even amid an update, cover every
    /// record published before its `len()`.
    #[inline]
    fn load(&self) -> IdSummary {
        IdSummary {
            min: self.min.load(Ordering::Relaxed),
            max: self.max.load(Ordering::Relaxed),
            residues: self.residues.load(Ordering::Relaxed),
        }
    }

    /// Adds `id`; only the writer (C1) calls it, so a load and a store suffice.
    fn add(&self, id: u16) {
        let summary = self.load().with(id);
        self.min.store(summary.min, Ordering::Relaxed);
        self.max.store(summary.max, Ordering::Relaxed);
        self.residues.store(summary.residues, Ordering::Relaxed);
    }
}

/// A chunk's records: slots a writer fills one at a time, or, for a chunk made whole
/// ([`Chunk::sealed`]), the events themselves (no per-event initialisation to pay), or
/// events made when first read ([`Chunk::deferred`]).
enum Slots {
    Open(Box<[OnceLock<Event>]>),
    Whole(Box<[Event]>),
    Deferred(Box<dyn DeferredEvents>),
    /// A sealed store chunk's records, compact (C7).
    Compact(Box<CompactRecords>),
}

/// An event read from a chunk: borrowed where the chunk holds it as an event, made for this
/// read where the chunk holds it compact (C7). Either way it derefs to the event.
pub struct StoredEvent<'a>(Stored<'a>);

enum Stored<'a> {
    Borrowed(&'a Event),
    Made(Box<Event>),
}

impl<'a> StoredEvent<'a> {
    /// The event, owned (a clone where it was borrowed).
    pub fn into_owned(self) -> Event {
        match self.0 {
            Stored::Borrowed(e) => e.clone(),
            Stored::Made(e) => *e,
        }
    }
}

impl std::ops::Deref for StoredEvent<'_> {
    type Target = Event;
    fn deref(&self) -> &Event {
        match &self.0 {
            Stored::Borrowed(e) => e,
            Stored::Made(e) => e,
        }
    }
}

impl AsRef<Event> for StoredEvent<'_> {
    fn as_ref(&self) -> &Event {
        self
    }
}

impl fmt::Debug for StoredEvent<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Event::fmt(self, f)
    }
}

impl PartialEq for StoredEvent<'_> {
    fn eq(&self, other: &StoredEvent<'_>) -> bool {
        **self == **other
    }
}

impl PartialEq<Event> for StoredEvent<'_> {
    fn eq(&self, other: &Event) -> bool {
        **self == *other
    }
}

/// The events of a chunk made whole whose events are made when first read: a file chunk's
/// records proved to decode (engine/files.rs). Making one never fails, and always gives the
/// same event.
pub(crate) trait DeferredEvents: Send + Sync {
    /// The number of events.
    fn len(&self) -> usize;
    /// Event `index`, made now if it was not yet.
    fn get(&self, index: usize) -> Option<&Event>;
    /// Event `index`'s `TimeCreated`, without making the event.
    fn time_created(&self, index: usize) -> Option<FileTime>;
    /// Appends event `index`'s XML (`Event::write_xml`) to `out`, without making the event
    /// where it can.
    fn write_xml(&self, index: usize, out: &mut String);
    /// Event `index`: the event made already, borrowed, or one decoded for this read alone
    /// where the event is not kept yet (not kept by this either).
    fn transient(&self, index: usize) -> Option<Cow<'_, Event>> {
        self.get(index).map(Cow::Borrowed)
    }
    /// Hands event `index` to `visitor` (`visit_event` of [`transient`](Self::transient)'s
    /// event), without making the event where it can; false (no call) if there is none.
    fn visit(&self, index: usize, visitor: &mut dyn EventVisitor) -> bool {
        match self.transient(index) {
            Some(event) => {
                visit_event(&event, visitor);
                true
            }
            None => false,
        }
    }
    /// Whether there is an event at `index` (a chunk addressed by record id may lack some:
    /// records filtered out while decoding, or damaged).
    fn has(&self, index: usize) -> bool {
        index < self.len()
    }
}

impl Slots {
    fn len(&self) -> usize {
        match self {
            Slots::Open(slots) => slots.len(),
            Slots::Whole(events) => events.len(),
            Slots::Deferred(events) => events.len(),
            Slots::Compact(records) => records.len(),
        }
    }

    /// Hints that slot `index` will be read soon (nothing if it is out of range or the
    /// records are not held as slots).
    #[inline]
    fn prefetch(&self, index: usize) {
        if let Slots::Open(slots) = self {
            if let Some(slot) = slots.get(index) {
                crate::prefetch::prefetch(slot);
            }
        }
    }

    /// Record `index`, if it is set and held as an event (not compact).
    #[inline]
    fn get(&self, index: usize) -> Option<&Event> {
        match self {
            Slots::Open(slots) => slots.get(index).and_then(OnceLock::get),
            Slots::Whole(events) => events.get(index),
            Slots::Deferred(events) => events.get(index),
            Slots::Compact(_) => None,
        }
    }

    /// Record `index`, borrowed or made.
    fn stored(&self, index: usize) -> Option<StoredEvent<'_>> {
        match self {
            Slots::Compact(records) => records
                .make(index)
                .map(|e| StoredEvent(Stored::Made(Box::new(e)))),
            slots => slots.get(index).map(|e| StoredEvent(Stored::Borrowed(e))),
        }
    }

    /// The open slot `index` (none in a whole chunk).
    fn open(&self, index: usize) -> Option<&OnceLock<Event>> {
        match self {
            Slots::Open(slots) => slots.get(index),
            Slots::Whole(_) | Slots::Deferred(_) | Slots::Compact(_) => None,
        }
    }
}

impl Drop for Chunk {
    fn drop(&mut self) {
        if let Some(live) = &self.live {
            live.leave();
        }
    }
}

/// A count of live chunks (made and not yet dropped) and the most there ever were at once:
/// how a file source shows that it keeps memory bounded.
#[derive(Debug, Default)]
pub(crate) struct LiveGauge {
    now: AtomicUsize,
    peak: AtomicUsize,
}

impl LiveGauge {
    fn enter(&self) {
        let now = self.now.fetch_add(1, Ordering::Relaxed) + 1;
        self.peak.fetch_max(now, Ordering::Relaxed);
    }

    fn leave(&self) {
        self.now.fetch_sub(1, Ordering::Relaxed);
    }

    /// Chunks alive now.
    #[cfg(test)]
    pub(crate) fn now(&self) -> usize {
        self.now.load(Ordering::Relaxed)
    }

    /// The most chunks alive at once so far.
    #[cfg(test)]
    pub(crate) fn peak(&self) -> usize {
        self.peak.load(Ordering::Relaxed)
    }
}

impl Chunk {
    /// At most this many records in one chunk.
    pub const MAX_RECORDS: usize = CHUNK_MAX_RECORDS;
    /// A chunk's estimated-size limit in bytes.
    pub const MAX_BYTES: u64 = CHUNK_MAX_BYTES;

    /// An empty, open chunk whose first record will have id `first_record_id`, with room for
    /// `capacity` records (clamped to `1..=CHUNK_MAX_RECORDS`).
    pub(super) fn new(first_record_id: u64, capacity: usize) -> Chunk {
        let capacity = capacity.clamp(1, CHUNK_MAX_RECORDS);
        Chunk {
            first_record_id,
            slots: Slots::Open((0..capacity).map(|_| OnceLock::new()).collect()),
            len: AtomicUsize::new(0),
            bytes: AtomicU64::new(0),
            sealed: AtomicBool::new(false),
            live: None,
            record_ids: None,
            all_match: false,
            event_ids: Some((0..capacity).map(|_| AtomicU16::new(0)).collect()),
            id_summary: SummaryCell::new(IdSummary::EMPTY),
        }
    }

    /// The record id of the chunk's first record (whether or not it is published yet).
    pub fn first_record_id(&self) -> u64 {
        self.first_record_id
    }

    /// The number of records published so far. For the open chunk this can grow between two
    /// calls; it never shrinks.
    pub fn len(&self) -> usize {
        self.len.load(Ordering::Acquire)
    }

    /// Whether no record is published yet (never true for a chunk in a store or snapshot).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The id of the last published record, if any.
    pub fn last_record_id(&self) -> Option<u64> {
        match self.len() {
            0 => None,
            n => Some(self.first_record_id + (n as u64 - 1)),
        }
    }

    /// The own id of record `index` (C3): the id its source gave it (a file record header's
    /// EventRecordID) if the chunk keeps one, else `first_record_id + index`.
    pub fn record_id_at(&self, index: usize) -> u64 {
        match self.record_ids.as_deref().and_then(|ids| ids.get(index)) {
            Some(&id) => id,
            None => self.first_record_id + index as u64,
        }
    }

    /// The most records this chunk can hold.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Whether the chunk is closed to appends (its `len` is final).
    pub fn is_sealed(&self) -> bool {
        self.sealed.load(Ordering::Acquire)
    }

    /// The estimated size of the published records, in bytes.
    pub fn approx_bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// The `index`-th record of the chunk, if it is published: borrowed, or made for this
    /// read from a compact chunk (C7).
    pub fn get(&self, index: usize) -> Option<StoredEvent<'_>> {
        if index < self.len() {
            self.slots.stored(index)
        } else {
            None
        }
    }

    /// The `index`-th record, if the chunk holds it as an event (not compact), for a reader
    /// that already loaded `len()` and keeps `index` below it: skips re-reading the
    /// published length for every record of a scan.
    #[inline]
    pub(crate) fn get_below_len(&self, index: usize) -> Option<&Event> {
        self.slots.get(index)
    }

    /// The chunk's compact records, if it holds them so (C7).
    #[inline]
    pub(crate) fn compact(&self) -> Option<&CompactRecords> {
        match &self.slots {
            Slots::Compact(records) => Some(records),
            _ => None,
        }
    }

    /// Whether the chunk holds its records compact (C7).
    pub fn is_compact(&self) -> bool {
        self.compact().is_some()
    }

    /// Record `index` made from a compact chunk (`None` for other chunks: borrow it with
    /// [`get_below_len`](Self::get_below_len)).
    pub(crate) fn make_at(&self, index: usize) -> Option<Event> {
        self.compact()?.make(index)
    }

    /// This sealed store chunk with its records compact (C7); `None` if it is not a sealed
    /// chunk of slots (open, made whole, or compact already).
    pub(crate) fn compacted(&self) -> Option<Chunk> {
        if !self.is_sealed() || self.record_ids.is_some() {
            return None;
        }
        let Slots::Open(slots) = &self.slots else {
            return None;
        };
        let len = self.len();
        let events = slots.get(..len)?;
        if events.iter().any(|s| s.get().is_none()) {
            return None;
        }
        let records = CompactRecords::encode(
            self.first_record_id,
            events
                .iter()
                .filter_map(OnceLock::get)
                .collect::<Vec<_>>()
                .into_iter(),
        );
        Some(Chunk {
            first_record_id: self.first_record_id,
            slots: Slots::Compact(Box::new(records)),
            len: AtomicUsize::new(len),
            bytes: AtomicU64::new(self.approx_bytes()),
            sealed: AtomicBool::new(true),
            live: None,
            record_ids: None,
            all_match: false,
            event_ids: self.event_ids.as_ref().map(|ids| {
                ids.iter()
                    .take(len)
                    .map(|id| AtomicU16::new(id.load(Ordering::Relaxed)))
                    .collect()
            }),
            // Recomputed from the records kept (the same ones: the chunk is sealed, C4).
            id_summary: SummaryCell::new(
                self.event_ids
                    .iter()
                    .flat_map(|ids| ids.iter().take(len))
                    .fold(IdSummary::EMPTY, |s, id| s.with(id.load(Ordering::Relaxed))),
            ),
        })
    }

    /// The records' EventIDs (C8), entry `i` for record `i` below a `len()` the caller
    /// loaded; `None` for a chunk made whole or deferred (a file's).
    #[inline]
    pub(crate) fn event_id_column(&self) -> Option<&[AtomicU16]> {
        self.event_ids.as_deref()
    }

    /// The summary of the EventID column (C9), covering every record below a `len()` the
    /// caller loaded before calling; `None` where there is no column.
    #[inline]
    pub(crate) fn event_id_summary(&self) -> Option<IdSummary> {
        self.event_ids.as_ref().map(|_| self.id_summary.load())
    }

    /// Hints that record `index` will be read soon (a scan calls it a few records ahead).
    #[inline]
    pub(crate) fn prefetch(&self, index: usize) {
        self.slots.prefetch(index);
    }

    /// The record with id `record_id`, if it is in this chunk and published.
    pub fn get_by_record_id(&self, record_id: u64) -> Option<StoredEvent<'_>> {
        let index = record_id.checked_sub(self.first_record_id)?;
        self.get(usize::try_from(index).ok()?)
    }

    /// The published records in order. The iterator re-reads `len` when it reaches the end it
    /// knew, so it also yields records appended while it runs.
    pub fn iter(&self) -> ChunkIter<'_> {
        self.iter_from(0)
    }

    /// Like [`iter`](Chunk::iter), starting at `index`.
    pub fn iter_from(&self, index: usize) -> ChunkIter<'_> {
        ChunkIter {
            chunk: self,
            next: index,
            known_len: self.len(),
        }
    }

    /// Whether a record of `size` bytes may go into this chunk (writer side, under the store's
    /// mutex).
    pub(super) fn has_room_for(&self, size: u64) -> bool {
        if self.sealed.load(Ordering::Relaxed) {
            return false;
        }
        let len = self.len.load(Ordering::Relaxed);
        len < self.slots.len()
            && (len == 0
                || self.bytes.load(Ordering::Relaxed).saturating_add(size) <= CHUNK_MAX_BYTES)
    }

    /// A sealed chunk holding `events`, with their own ids `record_ids`, at ids
    /// `first_record_id`, `first_record_id + 1`, …, of any length (a decoded .evtx chunk
    /// holds up to ~2,300 records; these ids are then positions, and each record's own id,
    /// its header's EventRecordID, is kept beside its event for [`Chunk::record_id_at`]).
    /// With `live`, the chunk counts itself in that gauge from now until it is dropped (a
    /// source's count of its decoded chunks still reachable, through its cursors or any
    /// `EventRef`).
    pub(crate) fn sealed(
        first_record_id: u64,
        record_ids: Vec<u64>,
        events: Vec<Event>,
        live: Option<Arc<LiveGauge>>,
    ) -> Chunk {
        // The events stay where they are.
        Chunk::made_whole(
            first_record_id,
            record_ids,
            Slots::Whole(events.into_boxed_slice()),
            live,
        )
    }

    /// Like [`Chunk::sealed`], with events made when first read.
    pub(crate) fn deferred(
        first_record_id: u64,
        record_ids: Vec<u64>,
        events: Box<dyn DeferredEvents>,
        live: Option<Arc<LiveGauge>>,
    ) -> Chunk {
        Chunk::made_whole(first_record_id, record_ids, Slots::Deferred(events), live)
    }

    fn made_whole(
        first_record_id: u64,
        record_ids: Vec<u64>,
        slots: Slots,
        live: Option<Arc<LiveGauge>>,
    ) -> Chunk {
        if let Some(live) = &live {
            live.enter();
        }
        // A chunk made whole is in no store, so no estimated size is kept (`approx_bytes`
        // is 0).
        Chunk {
            first_record_id,
            len: AtomicUsize::new(slots.len()),
            slots,
            bytes: AtomicU64::new(0),
            sealed: AtomicBool::new(true),
            live,
            record_ids: Some(record_ids.into_boxed_slice()),
            all_match: false,
            event_ids: None,
            id_summary: SummaryCell::new(IdSummary::EMPTY),
        }
    }

    /// Marks every record as matching the query the chunk was made for (C6), so that its
    /// scan does not evaluate the filter again, and does not make deferred events to do so.
    pub(crate) fn all_matching(mut self) -> Chunk {
        self.all_match = true;
        self
    }

    /// Whether every record matches the query the chunk was made for (C6).
    #[inline]
    pub(crate) fn all_match(&self) -> bool {
        self.all_match
    }

    /// Whether record `index` (below a `len()` the caller loaded) is there: always, but in a
    /// chunk of deferred events addressed by record id, which may lack some.
    #[inline]
    pub(crate) fn has_record_at(&self, index: usize) -> bool {
        match &self.slots {
            Slots::Deferred(events) => events.has(index),
            _ => true,
        }
    }

    /// Appends record `index`'s XML to `out` (nothing if there is no such record), for a
    /// reader that keeps `index` below a `len()` it loaded; a deferred event is rendered
    /// without making it where it can.
    pub(crate) fn write_xml_at(&self, index: usize, out: &mut String) {
        match &self.slots {
            Slots::Deferred(events) => events.write_xml(index, out),
            Slots::Compact(records) => records.write_xml(index, out),
            slots => {
                if let Some(event) = slots.get(index) {
                    event.write_xml(out);
                }
            }
        }
    }

    /// Record `index`, for a reader that keeps `index` below a `len()` it loaded: borrowed
    /// where the chunk holds it as an event, else (a deferred event not made yet, a compact
    /// record) decoded for this read and not kept.
    pub(crate) fn transient_at(&self, index: usize) -> Option<Cow<'_, Event>> {
        match &self.slots {
            Slots::Deferred(events) => events.transient(index),
            Slots::Compact(records) => records.make(index).map(Cow::Owned),
            slots => slots.get(index).map(Cow::Borrowed),
        }
    }

    /// Hands record `index` to `visitor` (`visit_event` of [`transient_at`](Self::transient_at)'s
    /// event), for a reader that keeps `index` below a `len()` it loaded; a deferred event is
    /// visited without making it where it can. False (no call) if there is no such record.
    pub(crate) fn visit_at(&self, index: usize, visitor: &mut dyn EventVisitor) -> bool {
        match &self.slots {
            Slots::Deferred(events) => events.visit(index, visitor),
            _ => match self.transient_at(index) {
                Some(event) => {
                    visit_event(&event, visitor);
                    true
                }
                None => false,
            },
        }
    }

    /// Record `index`'s `TimeCreated`, for a reader that keeps `index` below a `len()` it
    /// loaded; a deferred event is not made for it.
    pub(crate) fn time_created_at(&self, index: usize) -> Option<FileTime> {
        match &self.slots {
            Slots::Deferred(events) => events.time_created(index),
            Slots::Compact(records) => records.time_created(index),
            slots => slots.get(index).and_then(|e| e.system.time_created),
        }
    }

    /// Publishes `event` as the next record (writer side; the caller holds the store's mutex
    /// and has checked [`has_room_for`](Chunk::has_room_for)). Returns false, dropping the
    /// event and publishing nothing, if the chunk has no free slot, which the store's checks
    /// rule out.
    #[must_use]
    pub(super) fn push(&self, event: Event, size: u64) -> bool {
        let len = self.len.load(Ordering::Relaxed);
        let Some(slot) = self.slots.open(len) else {
            return false;
        };
        let event_id = event.system.event_id;
        if slot.set(event).is_err() {
            return false;
        }
        // C8: the column entry before the record is published.
        if let Some(entry) = self.event_ids.as_ref().and_then(|ids| ids.get(len)) {
            entry.store(event_id, Ordering::Relaxed);
            // C9: the summary too.
            self.id_summary.add(event_id);
        }
        self.bytes.fetch_add(size, Ordering::Relaxed);
        // C2: publish after the slot is set.
        self.len.store(len + 1, Ordering::Release);
        true
    }

    /// Closes the chunk to appends (C4).
    pub(super) fn seal(&self) {
        self.sealed.store(true, Ordering::Release);
    }
}

/// How many slots to give a new chunk, from the average record size seen (`avg_size`).
///
/// Slots are allocated up front (no `unsafe`, no reallocation under readers), and an `Event`
/// is a few hundred bytes, so 256 slots for a chunk that the 64 KiB limit seals at 40 records
/// would waste most of the allocation. A new chunk gets room for twice the records of the
/// average size that fit in 64 KiB, between 16 and 256. If records get much smaller, a chunk
/// may seal on its slot count before it reaches 64 KiB; the next one adapts.
pub(super) fn slot_capacity_for(avg_size: u64) -> usize {
    let fit = CHUNK_MAX_BYTES / avg_size.max(1);
    let wanted = usize::try_from(fit.saturating_mul(2)).unwrap_or(CHUNK_MAX_RECORDS);
    wanted.clamp(MIN_SLOTS, CHUNK_MAX_RECORDS)
}

impl fmt::Debug for Chunk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chunk")
            .field("first_record_id", &self.first_record_id)
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .field("approx_bytes", &self.approx_bytes())
            .field("sealed", &self.is_sealed())
            .finish()
    }
}

/// Iterator over a chunk's published records; see [`Chunk::iter`].
#[derive(Debug, Clone)]
pub struct ChunkIter<'a> {
    chunk: &'a Chunk,
    next: usize,
    known_len: usize,
}

impl<'a> Iterator for ChunkIter<'a> {
    type Item = StoredEvent<'a>;

    fn next(&mut self) -> Option<StoredEvent<'a>> {
        loop {
            if self.next >= self.known_len {
                self.known_len = self.chunk.len();
                if self.next >= self.known_len {
                    return None;
                }
            }
            let event = self.chunk.slots.stored(self.next);
            self.next += 1;
            // A chunk addressed by record id may lack some records: go past them.
            if event.is_some() {
                return event;
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let capacity = self.chunk.capacity().saturating_sub(self.next);
        (self.known_len.saturating_sub(self.next), Some(capacity))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(n: u16) -> Event {
        Event::builder("P").event_id(n).build()
    }

    /// C8: the EventID column holds each published record's id, also once compacted; chunks
    /// made whole have none.
    #[test]
    fn event_id_column_follows_the_records() {
        let chunk = Chunk::new(1, 8);
        let ids = [4624u16, 0, 65_535, 7];
        for id in ids {
            assert!(chunk.push(event(id), 10));
        }
        let column = |c: &Chunk| -> Vec<u16> {
            let len = c.len();
            c.event_id_column().expect("a store chunk has a column")[..len]
                .iter()
                .map(|id| id.load(Ordering::Relaxed))
                .collect()
        };
        assert_eq!(column(&chunk), ids);
        chunk.seal();
        let compact = chunk.compacted().expect("compacts");
        assert_eq!(column(&compact), ids);
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(compact.get(i).map(|e| e.system.event_id), Some(*id));
        }
        let whole = Chunk::sealed(1, vec![1], vec![event(3)], None);
        assert!(whole.event_id_column().is_none());
        assert!(whole.event_id_summary().is_none());
    }

    /// C9: the summary after each push is that of the ids pushed so far (residue 0 and 63,
    /// the ends of the range), and a compacted chunk's is the same.
    #[test]
    fn event_id_summary_follows_the_records() {
        let chunk = Chunk::new(1, 8);
        assert_eq!(chunk.event_id_summary(), Some(IdSummary::EMPTY));
        let ids = [4624u16, 64, 65_535, 7, 0];
        let mut expected = IdSummary::EMPTY;
        for id in ids {
            assert!(chunk.push(event(id), 10));
            expected = IdSummary {
                min: expected.min.min(id),
                max: expected.max.max(id),
                residues: expected.residues | 1 << (id % 64),
            };
            assert_eq!(chunk.event_id_summary(), Some(expected));
        }
        assert_eq!(expected.min, 0);
        assert_eq!(expected.residues, 1 | 1 << 7 | 1 << 16 | 1 << 63);
        chunk.seal();
        let compact = chunk.compacted().expect("compacts");
        assert_eq!(compact.event_id_summary(), Some(expected));
    }

    #[test]
    fn push_publishes_in_order_and_get_respects_len() {
        let chunk = Chunk::new(10, 4);
        assert!(chunk.is_empty());
        assert!(chunk.get(0).is_none());
        assert_eq!(chunk.last_record_id(), None);
        for n in 0..4 {
            assert!(chunk.has_room_for(100));
            assert!(chunk.push(event(n), 100));
        }
        assert!(!chunk.has_room_for(1), "all slots used");
        assert!(!chunk.push(event(9), 1));
        assert_eq!(chunk.len(), 4);
        assert_eq!(chunk.approx_bytes(), 400);
        assert_eq!(chunk.last_record_id(), Some(13));
        assert_eq!(chunk.get(2).map(|e| e.system.event_id), Some(2));
        assert_eq!(
            chunk.get_by_record_id(13).map(|e| e.system.event_id),
            Some(3)
        );
        assert!(chunk.get_by_record_id(9).is_none());
        assert!(chunk.get_by_record_id(14).is_none());
        let ids: Vec<u16> = chunk.iter().map(|e| e.system.event_id).collect();
        assert_eq!(ids, [0, 1, 2, 3]);
    }

    #[test]
    fn iterator_sees_records_pushed_after_it_was_made() {
        let chunk = Chunk::new(1, 8);
        assert!(chunk.push(event(0), 1));
        let mut it = chunk.iter();
        assert!(it.next().is_some());
        assert!(chunk.push(event(1), 1));
        assert_eq!(it.next().map(|e| e.system.event_id), Some(1));
        assert!(it.next().is_none());
    }

    #[test]
    fn byte_limit_seals_but_a_large_record_gets_a_chunk_of_its_own() {
        let chunk = Chunk::new(1, 8);
        assert!(
            chunk.has_room_for(CHUNK_MAX_BYTES * 2),
            "an empty chunk takes anything"
        );
        assert!(chunk.push(event(0), CHUNK_MAX_BYTES - 10));
        assert!(chunk.has_room_for(10));
        assert!(!chunk.has_room_for(11));
        chunk.seal();
        assert!(!chunk.has_room_for(1));
        assert!(chunk.is_sealed());
    }

    #[test]
    fn sealed_chunks_take_any_length_and_count_themselves_while_alive() {
        let live = Arc::new(LiveGauge::default());
        let ids: Vec<u64> = (0..1000u64).map(|n| 7 + n).collect();
        let events: Vec<Event> = (0..1000u16).map(event).collect();
        let chunk = Chunk::sealed(65536, ids, events, Some(Arc::clone(&live)));
        assert!(chunk.is_sealed());
        assert_eq!(chunk.len(), 1000);
        assert_eq!(chunk.get(999).map(|e| e.system.event_id), Some(999));
        assert_eq!(chunk.last_record_id(), Some(65536 + 999));
        assert_eq!(chunk.record_id_at(999), 7 + 999, "the record's own id");
        assert_eq!(
            Chunk::new(10, 4).record_id_at(3),
            13,
            "a store chunk's: its position"
        );
        let empty = Chunk::sealed(0, Vec::new(), Vec::new(), Some(Arc::clone(&live)));
        assert!(empty.is_empty());
        assert_eq!((live.now(), live.peak()), (2, 2));
        drop(chunk);
        assert_eq!(live.now(), 1);
        drop(empty);
        assert_eq!((live.now(), live.peak()), (0, 2));
    }

    #[test]
    fn slot_capacity_adapts_to_record_size() {
        assert_eq!(slot_capacity_for(0), CHUNK_MAX_RECORDS);
        assert_eq!(slot_capacity_for(100), CHUNK_MAX_RECORDS);
        assert_eq!(slot_capacity_for(1536), 84);
        assert_eq!(slot_capacity_for(1 << 20), MIN_SLOTS);
        assert_eq!(Chunk::new(1, 0).capacity(), 1);
        assert_eq!(Chunk::new(1, 10_000).capacity(), CHUNK_MAX_RECORDS);
    }
}
