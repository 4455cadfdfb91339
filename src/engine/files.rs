//! .evtx files as query sources (EvtQueryFilePath; their events' bookmarks name the file): a
//! [`FileSource`] per file of the query, and a [`FileCursor`] that streams it, decoding one
//! file chunk at a time when the scan reaches it.
//!
//! Invariants:
//! 1. Chunks are taken in record order, as the evtx crate 0.15.1 takes them
//!    ([`EvtxFile::chunks_in_record_order`]: from the oldest chunk to the end of the file,
//!    then wrapping to the first slot); records in file order within a chunk. A reverse query
//!    is the exact reverse: chunks in reverse record order, records reversed within each. A
//!    chunk with a bad magic, an unused chunk, and a record that does not frame or decode are
//!    skipped, as the reader reports them.
//! 2. A record's position is `ordinal * 65536 + index`: `ordinal` its chunk's place in the
//!    record order (unused and damaged slots counted), `index` its place among the chunk's
//!    decoded events (an EVTX chunk holds fewer than 65536 records). Decoded chunks are
//!    sealed store chunks whose ids are these positions, so the result set's id-based cursor
//!    logic works unchanged. Events keep their own EventRecordID (`EventRef::record_id`: the
//!    System one, else the record header's, which the chunk keeps beside each event) and the
//!    file's absolute path.
//! 3. Bounded memory: a cursor holds at most its current decoded chunk, and drops it before
//!    decoding the next. Nothing else pins decoded chunks but the `EventRef`s already
//!    returned (each keeps its own chunk alive, with its 64 KiB of bytes if it holds deferred
//!    events: invariant 9). A source holds the path, an open file, one 64 KiB read buffer
//!    and two numbers (the oldest slot, the slot count): nothing per chunk. Read buffers go
//!    back to the engine (which keeps at most [`MAX_SPARE_BUFFERS`]) when their source, or
//!    their chunk of deferred events, is dropped. A gauge counts the source's decoded chunks
//!    alive, and the most at once (tests assert it).
//! 4. A call polls its cancel token before decoding each file chunk, so a cancel is seen
//!    within one file chunk (and within one batch, results.rs invariant 2, while scanning).
//! 5. An I/O error while streaming is the call's error (`next`/`seek` return it; the cursor,
//!    a copy, is not committed).
//! 6. Decoding one file chunk into events is [`decode_chunk`], and nothing else decodes.
//!    Template definitions are shared across a file's chunks (`TemplateCache`). The one
//!    other reading of a chunk's records, rendering each once straight from the chunk for
//!    a parallel query's `map_records` (files_records.rs), keeps the same records under the
//!    same prefilter rules and writes each as its decoded event's XML (tested against it).
//! 7. A query whose filter reads only `<System>` and does not depend on the time (a query
//!    with no filter too) is applied while decoding: a record is decoded whole only if its
//!    System matches (one whose System cannot be read alone is decoded and matched whole),
//!    and a decoded chunk holds only matching events, so it is marked all-matching and the
//!    scan passes its events without evaluating the filter (store chunk C6). A filter that
//!    reads no System child (`*`, `*[System]`) answers the same for every record: it is
//!    asked once per chunk, and no record's System is probed for it (the EventID a probe
//!    reads to know the record maps does not count: such a record fails to decode either
//!    way). Positions stay
//!    stable: the same chunk always decodes to the same events. Other filters run in the
//!    scan only. A chunk left with no event is passed over as one batch of the scan
//!    (`Located::Skipped`: its records count for the timeout and the scan cost, and it is a
//!    pause point), so a `next` for a rare match times out as it would over the records.
//! 8. Template definitions are content-addressed (`TemplateCache`), so a file's cache starts
//!    as a fork of its engine's and gives back what it parsed when the source is dropped:
//!    re-reading a file, or files of the same providers, parses no definition twice. The
//!    engine's lock is held only for the fork and the give-back, never while decoding.
//! 9. Deferred events (as EvtNext hands out handles and EvtRender decodes): under a
//!    prefilter, a match that `ChunkDecoder::prove_fast` proves to decode on the fast path is
//!    not decoded while scanning. Its chunk keeps the chunk's bytes and the proof's value
//!    spans, and makes the event on first access (`EventRef::event`, once, under a per-chunk
//!    lock), or renders its XML straight from the record without making it
//!    (`EventRef::write_xml`), or hands its System and items to a visitor straight from the
//!    record (`EventRef::visit`), or decodes it for one read and keeps nothing
//!    (`EventRef::with_event`, for writers that read each event once). Made, decoded,
//!    rendered or visited, it is what decoding at once gives (tested
//!    against it on every sample). The scan reads a deferred event's `TimeCreated` while
//!    probing only where its query merges several sources by time (results.rs `step`);
//!    elsewhere nothing needs it before the event is made.
//! 10. A parallel file query (`files_parallel.rs`, `Session::query_file_parallel`) gives
//!     each worker thread its own source ([`FileSource::sibling`]: the same open file,
//!     record order and prefilter, its own template fork and read buffer) and decodes
//!     through `load` and so [`decode_chunk`] (invariant 6); worker `k` of `n` takes places
//!     `k, k + n, …` of the record order, and the reader takes them back in order, each
//!     worker at most a bounded queue ahead. Cancel, errors and memory are as invariants 3
//!     to 5 say, per worker. Its `map_records` reads a chunk under a prefilter without
//!     decoding it into a store chunk: each record is rendered once, straight from the
//!     chunk, and the chunk's buffer goes back to the reader when the closure returns.

use std::borrow::Cow;
use std::fs::File;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use parking_lot::Mutex;

use crate::cancel::CancelToken;
use crate::error::{Error, ErrorKind, Result};
use crate::event::{Event, FileTime};
use crate::evtx::{
    visit_event, ChunkDecoder, DeferredChunk, EventVisitor, EvtxChunk, EvtxFile, Proof,
    ProvedSpans, SharedFile, TemplateCache,
};
use crate::query::{EvalScratch, QuerySource, SystemFields};
use crate::store::{Chunk, DeferredEvents, LiveGauge};

/// Chunk buffers an engine keeps for its file queries (`FileSource::with_spare_buffers`):
/// 2 MiB at most. Deferred events keep their chunk's buffer (invariant 9), so a batch of
/// them holds a buffer per chunk it spans, and hands them all back when it is dropped.
const MAX_SPARE_BUFFERS: usize = 32;

/// Positions of one chunk's records span this many ids (invariant 2).
const POSITIONS_PER_CHUNK: u64 = 1 << 16;

/// The absolute path of `path`, as events read from it report it (bookmarks name a file by
/// its absolute path). Relative paths are not allowed, as on Windows.
pub(crate) fn absolute_path(path: &str) -> Result<String> {
    if !Path::new(path).is_absolute() {
        return Err(Error::with_message(
            ErrorKind::InvalidParameter,
            format!("{path}: a log file path must be absolute (relative paths are not allowed)"),
        ));
    }
    let full = std::fs::canonicalize(path)?;
    Ok(full.to_string_lossy().into_owned())
}

/// Where a scan goes next (`FileCursor::locate`, and a channel view's locate).
#[derive(Debug)]
pub(crate) enum Located {
    /// Record `index` of the chunk is the one to examine.
    At(Arc<Chunk>, usize),
    /// A chunk of `records` records was passed over: none is left after the query's
    /// prefilter. The scan counts it as a batch (its timeout, scan cost and pause point).
    Skipped { records: u64 },
    /// Nothing is left in that direction.
    End,
}

/// A chunk of a file, or a persistent channel's page, as [`FileSource::load_page`] (and a
/// file query's load) reads it.
pub(crate) enum Page {
    /// Decoded: a page's records at their ids' positions, a file query's at its positions.
    Loaded(Arc<Chunk>),
    /// The chunk holding ids `first..=last` has no record left after the prefilter.
    Empty { first: u64, last: u64 },
    /// No chunk, or no record, in the slot.
    Missing,
}

/// One file chunk's events in record order, as [`decode_chunk`] makes them.
pub(crate) struct DecodedChunk {
    /// Each event's record header EventRecordID.
    pub(crate) ids: Vec<u64>,
    pub(crate) events: Vec<ChunkEvent>,
    /// The value spans the proofs of deferred events kept, if an event is deferred.
    kept: Option<ProvedSpans>,
}

/// One event of a [`DecodedChunk`]: decoded, or proved to decode and made when first read
/// (invariant 9).
pub(crate) enum ChunkEvent {
    Ready(Event),
    Deferred {
        /// The record's BinXml, at chunk offsets (a chunk is 64 KiB).
        start: u32,
        end: u32,
        /// The record's file offset, for the message of an error that cannot occur.
        offset: u64,
        /// Its `TimeCreated`, read by the probe where sources are merged by time; `None`
        /// where it was not read (then it is the made event's).
        time: Option<Option<FileTime>>,
        proof: Proof,
        event: OnceLock<Event>,
    },
}

impl ChunkEvent {
    fn is_deferred(&self) -> bool {
        matches!(self, ChunkEvent::Deferred { .. })
    }
}

/// A chunk event as it is now: made (ready, or deferred and made since), or still its
/// record, to decode, render or visit from its proof without making it.
enum Held<'a> {
    Made(&'a Event),
    /// The proof, the record's BinXml span in the chunk, and its file offset.
    Record(&'a Proof, usize, usize, u64),
}

/// The events of one file chunk in record order, and beside them each one's record
/// header's EventRecordID: every record that frames and decodes (damaged ones are skipped)
/// and, with a `prefilter`, matches it. The one place a file chunk is decoded (invariant 6).
///
/// `cache` shares template definitions across the file's chunks. A `prefilter` must read
/// nothing outside `<System>` and not depend on the time (invariant 7): a record whose
/// System can be read alone is decoded only if its System matches, and then only later if
/// it is proved to decode (invariant 9).
pub(crate) fn decode_chunk(
    chunk: &EvtxChunk,
    cache: &mut TemplateCache,
    prefilter: Option<&QuerySource>,
    read_time: bool,
) -> DecodedChunk {
    let mut decoder = ChunkDecoder::with_cache(chunk, cache);
    let mut scratch = EvalScratch::new(FileTime::default());
    let mut probe = Event::default();
    // The records to decode first, then their events into vectors of the exact size: a
    // growing vector of events reallocates, and every large allocation makes the allocator
    // consolidate the small blocks the events free and take.
    let fields = prefilter_fields(prefilter, read_time);
    let constant = constant_answer(prefilter, read_time);
    if constant == Some(false) {
        return DecodedChunk {
            ids: Vec::new(),
            events: Vec::new(),
            kept: None,
        };
    }
    let mut wanted = Vec::new();
    let mut kept = ProvedSpans::default();
    for record in chunk.records() {
        let Ok(record) = record else { continue };
        let mut proved = None;
        if constant == Some(true) {
            proved = decoder
                .prove_fast(&record, &mut kept)
                .map(|proof| (proof, None));
        } else if let Some(filter) = prefilter {
            if decoder.decode_system(&record, fields, &mut probe.system) {
                if !filter.matches_with(&probe, &mut scratch) {
                    continue;
                }
                proved = decoder
                    .prove_fast(&record, &mut kept)
                    .map(|proof| (proof, read_time.then_some(probe.system.time_created)));
            }
        }
        wanted.push((record, proved));
    }
    let mut ids = Vec::with_capacity(wanted.len());
    let mut events = Vec::with_capacity(wanted.len());
    let mut deferred = false;
    for (record, proved) in wanted {
        let event = match proved {
            Some((proof, time)) => {
                deferred = true;
                let start = record.binxml_chunk_offset();
                ChunkEvent::Deferred {
                    start: start as u32,
                    end: (start + record.binxml().len()) as u32,
                    offset: record.offset(),
                    time,
                    proof,
                    event: OnceLock::new(),
                }
            }
            None => match decoder.decode(&record) {
                // A record the probe could not read is matched whole, so that the chunk
                // holds only matches (invariant 7).
                Ok(event) if prefilter.is_none_or(|f| f.matches_with(&event, &mut scratch)) => {
                    ChunkEvent::Ready(event)
                }
                _ => continue,
            },
        };
        ids.push(record.record_id());
        events.push(event);
    }
    DecodedChunk {
        ids,
        events,
        kept: deferred.then_some(kept),
    }
}

/// The System children a record's probe reads for `prefilter` (and `TimeCreated` if
/// `read_time`): all of them without a prefilter.
fn prefilter_fields(prefilter: Option<&QuerySource>, read_time: bool) -> SystemFields {
    let time_field = if read_time {
        SystemFields::TIME_CREATED
    } else {
        SystemFields::NONE
    };
    prefilter.map_or(SystemFields::ALL, |f| f.system_fields().union(time_field))
}

/// A prefilter's answer for every record of a chunk where it reads no System child (`*`)
/// and the probe need not read the time: asked once, so that no record's System is probed
/// for it (invariant 7). `None` where it must be asked per record, or there is no
/// prefilter. (The probe also reads each record's EventID, without which a record does not
/// map; such a record fails to decode or render either way.)
fn constant_answer(prefilter: Option<&QuerySource>, read_time: bool) -> Option<bool> {
    prefilter
        .filter(|f| !read_time && f.reads_no_system_child())
        .map(|f| {
            f.matches_with(
                &Event::default(),
                &mut EvalScratch::new(FileTime::default()),
            )
        })
}

/// A file chunk's events where some are deferred: the chunk and its templates are kept to
/// make them (invariant 9).
struct FileChunkEvents {
    chunk: DeferredChunk,
    events: Box<[ChunkEvent]>,
    /// Where the chunk's buffer goes when the last event is dropped.
    spare_buffers: Option<Arc<Mutex<Vec<Vec<u8>>>>>,
    counts: Arc<DeferredCounts>,
}

impl FileChunkEvents {
    fn held(&self, index: usize) -> Option<Held<'_>> {
        Some(match self.events.get(index)? {
            ChunkEvent::Ready(event) => Held::Made(event),
            ChunkEvent::Deferred {
                start,
                end,
                offset,
                proof,
                event,
                ..
            } => match event.get() {
                Some(event) => Held::Made(event),
                None => Held::Record(proof, *start as usize, *end as usize, *offset),
            },
        })
    }
}

impl DeferredEvents for FileChunkEvents {
    fn len(&self) -> usize {
        self.events.len()
    }

    fn get(&self, index: usize) -> Option<&Event> {
        Some(match self.events.get(index)? {
            ChunkEvent::Ready(event) => event,
            ChunkEvent::Deferred {
                start,
                end,
                offset,
                proof,
                event,
                ..
            } => event.get_or_init(|| {
                self.counts.made.fetch_add(1, Ordering::Relaxed);
                self.chunk
                    .decode(proof, *start as usize, *end as usize, *offset)
            }),
        })
    }

    fn time_created(&self, index: usize) -> Option<FileTime> {
        match self.events.get(index)? {
            ChunkEvent::Ready(event) => event.system.time_created,
            ChunkEvent::Deferred { time: Some(t), .. } => *t,
            ChunkEvent::Deferred { time: None, .. } => self.get(index)?.system.time_created,
        }
    }

    fn transient(&self, index: usize) -> Option<Cow<'_, Event>> {
        Some(match self.held(index)? {
            Held::Made(event) => Cow::Borrowed(event),
            // Not kept: kept, it would live as long as the chunk.
            Held::Record(proof, start, end, offset) => {
                Cow::Owned(self.chunk.decode(proof, start, end, offset))
            }
        })
    }

    fn write_xml(&self, index: usize, out: &mut String) {
        match self.held(index) {
            None => {}
            Some(Held::Made(event)) => event.write_xml(out),
            Some(Held::Record(proof, start, end, offset)) => {
                self.chunk.write_xml(proof, start, end, offset, out)
            }
        }
    }

    fn visit(&self, index: usize, visitor: &mut dyn EventVisitor) -> bool {
        match self.held(index) {
            None => return false,
            Some(Held::Made(event)) => visit_event(event, visitor),
            Some(Held::Record(proof, start, end, offset)) => {
                self.chunk.visit(proof, start, end, offset, visitor)
            }
        }
        true
    }
}

impl Drop for FileChunkEvents {
    fn drop(&mut self) {
        if let Some(spares) = &self.spare_buffers {
            give_spare(spares, self.chunk.take_buffer());
        }
    }
}

/// Keeps `buffer` among an engine's spare chunk buffers, if there is room.
fn give_spare(spares: &Mutex<Vec<Vec<u8>>>, buffer: Vec<u8>) {
    let mut spares = spares.lock();
    if spares.len() < MAX_SPARE_BUFFERS && !buffer.is_empty() {
        spares.push(buffer);
    }
}

/// One .evtx file of a query, shared by the cursors over it (a result set's state, its
/// initial cursor for seeks, the copies calls work on).
pub(crate) struct FileSource {
    file: Mutex<EvtxFile<SharedFile>>,
    /// The open file read (a persistent channel's pages are read from the file its view
    /// names: the same file after a rename).
    shared: Arc<File>,
    /// The slot the record order starts at.
    oldest: u64,
    /// Chunk slots in the file: places in the record order.
    slots: u64,
    /// Decoded chunks of this source alive now, and the most at once (invariant 3).
    live: Arc<LiveGauge>,
    /// Template definitions shared by the file's chunks, forked from the engine's.
    templates: Mutex<TemplateCache>,
    /// The engine's definitions, which take back this file's on drop (invariant 8).
    engine_templates: Option<Arc<Mutex<TemplateCache>>>,
    /// The query's filter, applied while decoding where it allows (invariant 7).
    prefilter: Option<Arc<QuerySource>>,
    /// Where its chunk buffer goes when it is dropped (`with_spare_buffers`).
    spare_buffers: Option<Arc<Mutex<Vec<Vec<u8>>>>>,
    /// Events deferred, and made since (invariant 9).
    deferred: Arc<DeferredCounts>,
    /// The query merges this source with others by time: the scan reads each deferred
    /// event's `TimeCreated`.
    merged: bool,
}

/// How many of a source's events were deferred, and how many of those were made since.
#[derive(Debug, Default)]
pub(crate) struct DeferredCounts {
    deferred: AtomicUsize,
    made: AtomicUsize,
}

impl DeferredCounts {
    #[cfg(test)]
    pub(crate) fn deferred(&self) -> usize {
        self.deferred.load(Ordering::Relaxed)
    }

    #[cfg(test)]
    pub(crate) fn made(&self) -> usize {
        self.made.load(Ordering::Relaxed)
    }
}

impl FileSource {
    /// Opens the file at `path` (absolute) and finds its oldest chunk (one 128-byte header
    /// read per chunk slot); decodes nothing.
    pub(crate) fn open(path: &str) -> Result<FileSource> {
        let mut source = FileSource::of(Arc::new(File::open(path)?))?;
        let file = source.file.get_mut();
        source.oldest = file.oldest_chunk()?;
        source.slots = file.chunk_slots();
        Ok(source)
    }

    /// A source reading the open `file`, which it does not walk: a persistent channel's
    /// pages ([`FileSource::load_page`]), whose slots the channel's view gives.
    pub(crate) fn of(shared: Arc<File>) -> Result<FileSource> {
        let file = EvtxFile::from_reader(SharedFile::new(Arc::clone(&shared)))?;
        Ok(FileSource {
            file: Mutex::new(file),
            shared,
            oldest: 0,
            slots: 0,
            live: Arc::new(LiveGauge::default()),
            templates: Mutex::new(TemplateCache::new()),
            engine_templates: None,
            prefilter: None,
            spare_buffers: None,
            deferred: Arc::default(),
            merged: false,
        })
    }

    /// Another source over the same open file and record order, with the same filter,
    /// engine caches and merge setting, and a template cache and read buffer of its own:
    /// one per worker of a parallel file query (files_parallel.rs). Walks no chunk header.
    pub(crate) fn sibling(&self) -> Result<FileSource> {
        let mut sibling = FileSource::of(Arc::clone(&self.shared))?;
        // The same slots, so the same record order, even if the file changed size since.
        let len = self.file.lock().len();
        sibling.file.get_mut().assume_len(len);
        sibling.oldest = self.oldest;
        sibling.slots = self.slots;
        // One gauge for the query's decoded chunks, whichever worker decoded them.
        sibling.live = Arc::clone(&self.live);
        if let Some(engine) = &self.engine_templates {
            sibling = sibling.with_engine_templates(Arc::clone(engine));
        }
        if let Some(spares) = &self.spare_buffers {
            sibling = sibling.with_spare_buffers(Arc::clone(spares));
        }
        sibling.prefilter = self.prefilter.clone();
        sibling.merged = self.merged;
        Ok(sibling)
    }

    /// Whether this source reads the open file `file`.
    pub(crate) fn reads(&self, file: &Arc<File>) -> bool {
        Arc::ptr_eq(&self.shared, file)
    }

    /// Starts from the engine's template definitions, and gives back the ones this file
    /// parses when it is dropped (invariant 8).
    pub(crate) fn with_engine_templates(mut self, engine: Arc<Mutex<TemplateCache>>) -> Self {
        self.templates = Mutex::new(engine.lock().fork());
        self.engine_templates = Some(engine);
        self
    }

    /// Reads its chunks into a buffer of `spares` (an engine's, shared by its file queries)
    /// and gives its buffer back there when dropped: a query after the first allocates no
    /// chunk buffer, and the heap does not grow and shrink by 64 KiB a file.
    pub(crate) fn with_spare_buffers(mut self, spares: Arc<Mutex<Vec<Vec<u8>>>>) -> Self {
        if let Some(buffer) = spares.lock().pop() {
            self.file.get_mut().give_buffer(buffer);
        }
        self.spare_buffers = Some(spares);
        self
    }

    /// Applies `filter` while decoding, if it reads nothing outside `<System>` and does not
    /// depend on the time: then a decoded chunk holds only the events that match it, always
    /// the same ones (invariant 7).
    pub(crate) fn with_prefilter(mut self, filter: Arc<QuerySource>) -> FileSource {
        if filter.reads_system_only() && !filter.uses_now() {
            self.prefilter = Some(filter);
        }
        self
    }

    /// Whether its query merges it with other sources by time (see `merged`).
    pub(crate) fn merged(mut self, merged: bool) -> FileSource {
        self.merged = merged;
        self
    }

    /// This source's decoded chunks: how many are alive now, wherever they are held, and
    /// the most that were alive at once.
    #[cfg(test)]
    pub(crate) fn live_chunks(&self) -> &LiveGauge {
        &self.live
    }

    /// How many of its events were deferred, and made since.
    #[cfg(test)]
    pub(crate) fn deferred_counts(&self) -> &DeferredCounts {
        &self.deferred
    }

    /// `raw` decoded under the source's prefilter (invariant 6); `None`, its buffer kept for
    /// the next chunk read, if no event is left.
    fn decode(&self, raw: EvtxChunk) -> Option<(EvtxChunk, DecodedChunk)> {
        let decoded = decode_chunk(
            &raw,
            &mut self.templates.lock(),
            self.prefilter.as_deref(),
            self.merged,
        );
        if decoded.events.is_empty() {
            self.file.lock().recycle(raw);
            return None;
        }
        Some((raw, decoded))
    }

    /// The chunk at place `ordinal` of the record order, read but not decoded; `None` for an
    /// unused or bad-magic slot. It goes back to the reader with `recycle` (or is kept by
    /// deferred events).
    fn read_raw(&self, ordinal: u64) -> Result<Option<EvtxChunk>> {
        let mut file = self.file.lock();
        // The buffer last read into is kept by deferred events: take a spare one.
        if !file.has_buffer() {
            if let Some(buffer) = self.spare_buffers.as_ref().and_then(|s| s.lock().pop()) {
                file.give_buffer(buffer);
            }
        }
        let slot = file.slot_in_record_order(self.oldest, ordinal);
        // Unused and bad-magic slots are skipped either way: read only their magic.
        file.chunk_with_magic_at(slot)
    }

    /// Runs `render` on the records of the chunk at place `ordinal` of the record order that
    /// match the prefilter, read straight from the chunk in the query's order
    /// (files_records.rs); `None` for an unused or bad-magic slot, or where the prefilter
    /// matches no record. The source must have a prefilter (else records need decoding to
    /// be matched: `load`).
    fn render_raw<T>(
        &self,
        ordinal: u64,
        reverse: bool,
        render: impl FnOnce(&mut ChunkRecords<'_>) -> T,
    ) -> Result<Option<T>> {
        let Some(raw) = self.read_raw(ordinal)? else {
            return Ok(None);
        };
        let done = {
            let mut templates = self.templates.lock();
            let decoder = ChunkDecoder::with_cache(&raw, &mut templates);
            let records = raw.records().filter_map(|r| r.ok());
            ChunkRecords::direct(decoder, records, self.prefilter.as_deref(), reverse)
                .map(|mut records| render(&mut records))
        };
        self.file.lock().recycle(raw);
        Ok(done)
    }

    /// The chunk at place `ordinal` of the record order, decoded, at its positions; `None`
    /// if it holds no event (unused, bad magic, or nothing decodes).
    fn load(&self, ordinal: u64) -> Result<Page> {
        let Some(raw) = self.read_raw(ordinal)? else {
            return Ok(Page::Missing);
        };
        let (first_id, last_id) = (raw.header().first_record_id, raw.header().last_record_id);
        let Some((raw, decoded)) = self.decode(raw) else {
            // Its header's ids, for the scan's count of the records passed over.
            let last_id = if first_id <= last_id {
                last_id
            } else {
                first_id
            };
            return Ok(Page::Empty {
                first: first_id,
                last: last_id.min(first_id.saturating_add(POSITIONS_PER_CHUNK - 1)),
            });
        };
        let first = ordinal * POSITIONS_PER_CHUNK;
        let live = Some(Arc::clone(&self.live));
        let chunk = match decoded.kept {
            None => {
                self.file.lock().recycle(raw);
                let events = decoded.events.into_iter().filter_map(|e| match e {
                    ChunkEvent::Ready(event) => Some(event),
                    ChunkEvent::Deferred { .. } => None,
                });
                Chunk::sealed(first, decoded.ids, events.collect(), live)
            }
            Some(kept) => {
                let deferred = decoded.events.iter().filter(|e| e.is_deferred()).count();
                self.deferred
                    .deferred
                    .fetch_add(deferred, Ordering::Relaxed);
                let events = FileChunkEvents {
                    chunk: DeferredChunk::new(raw, kept),
                    events: decoded.events.into_boxed_slice(),
                    spare_buffers: self.spare_buffers.clone(),
                    counts: Arc::clone(&self.deferred),
                };
                Chunk::deferred(first, decoded.ids, Box::new(events), live)
            }
        };
        Ok(Page::Loaded(Arc::new(if self.prefilter.is_some() {
            chunk.all_matching()
        } else {
            chunk
        })))
    }
}

/// A cursor's view of a [`FileSource`]: the source and the decoded chunk it is in. Cloning
/// is cheap (two `Arc`s); a new cursor holds no chunk.
#[derive(Clone)]
pub(crate) struct FileCursor {
    source: Arc<FileSource>,
    /// The chunk last decoded, with its ordinal.
    current: Option<(u64, Arc<Chunk>)>,
}

impl FileCursor {
    pub(crate) fn new(source: Arc<FileSource>) -> FileCursor {
        FileCursor {
            source,
            current: None,
        }
    }

    /// The source.
    #[cfg(test)]
    pub(crate) fn source(&self) -> &Arc<FileSource> {
        &self.source
    }

    /// The cursor position a scan starts at: before the first record forward, past the last
    /// one in reverse (reverse examines the positions below it).
    pub(crate) fn start(&self, reverse: bool) -> u64 {
        if reverse {
            self.source.slots * POSITIONS_PER_CHUNK
        } else {
            0
        }
    }

    /// The record to examine next for a cursor at `next` (see `start`): its chunk and index.
    /// Moves `next` over chunks that hold no event and to the next chunk at a chunk's end,
    /// decoding each chunk it enters (polling `call` first); `None` at the end of the file.
    pub(crate) fn locate(
        &mut self,
        next: &mut u64,
        reverse: bool,
        call: &CancelToken,
    ) -> Result<Located> {
        loop {
            let target = if reverse {
                match next.checked_sub(1) {
                    Some(p) => p,
                    None => return Ok(Located::End),
                }
            } else {
                *next
            };
            let ordinal = target / POSITIONS_PER_CHUNK;
            if ordinal >= self.source.slots {
                return Ok(Located::End);
            }
            let page = match &self.current {
                Some((o, chunk)) if *o == ordinal => Page::Loaded(Arc::clone(chunk)),
                _ => {
                    // Hold one decoded chunk at most (invariant 3), and see a cancel within
                    // one file chunk (invariant 4).
                    self.current = None;
                    call.check()?;
                    let page = self.source.load(ordinal)?;
                    if let Page::Loaded(chunk) = &page {
                        self.current = Some((ordinal, Arc::clone(chunk)));
                    }
                    page
                }
            };
            let index = usize::try_from(target % POSITIONS_PER_CHUNK).unwrap_or(usize::MAX);
            // The next chunk's place: forward the one after, in reverse the one before.
            let past = if reverse {
                ordinal * POSITIONS_PER_CHUNK
            } else {
                (ordinal + 1) * POSITIONS_PER_CHUNK
            };
            match page {
                Page::Loaded(chunk) if reverse => {
                    let last = chunk.len() - 1;
                    return Ok(Located::At(chunk, index.min(last)));
                }
                Page::Loaded(chunk) if index < chunk.len() => {
                    return Ok(Located::At(chunk, index));
                }
                // Forward past the chunk's last record, or an unused or damaged slot: on.
                Page::Loaded(_) | Page::Missing => *next = past,
                // A chunk the prefilter emptied: a batch of the scan (timeout, scan cost).
                Page::Empty { first, last } => {
                    *next = past;
                    return Ok(Located::Skipped {
                        records: last - first + 1,
                    });
                }
            }
        }
    }
}

impl Drop for FileSource {
    fn drop(&mut self) {
        if let Some(engine) = &self.engine_templates {
            engine.lock().absorb(&self.templates.lock());
        }
        if let (Some(spares), Some(buffer)) =
            (&self.spare_buffers, self.file.get_mut().take_buffer())
        {
            give_spare(spares, buffer);
        }
    }
}

#[path = "files_pages.rs"]
mod pages;

#[path = "files_parallel.rs"]
mod parallel;

#[path = "files_records.rs"]
mod records;

pub use parallel::{ChunkMap, FileQueryCanceller, ParallelFileQuery, AHEAD_PER_WORKER};
pub use records::ChunkRecords;

#[cfg(test)]
#[path = "files_tests.rs"]
mod tests;
