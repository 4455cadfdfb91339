//! Query result sets: [`ResultSet`] (EvtQuery's handle), [`Next`] and [`EventRef`].
//!
//! A result set holds one cursor per source and walks each source chunk by chunk: a
//! channel's snapshot, or an .evtx file streamed one decoded chunk at a time (files.rs).
//! Several sources are merged by TimeCreated (each keeping its own order; ties go to the
//! source named first), in the query's direction; times are read only while several
//! sources have an event waiting (a file's deferred events are then not made for it:
//! files.rs invariant 9).
//!
//! Invariants:
//! 1. Calls on one result set are serialized by its state mutex; `cancel` and `close` never
//!    take it, so they work while a call is in flight.
//! 2. Each call registers a Call node under the result set's cancel scope and polls it once
//!    per batch (at most the engine's poll interval of records, 64 by default, never spanning
//!    chunks), right after the
//!    pause-point checkpoint and before the timeout check. A cancelled result set's calls are
//!    born cancelled (sticky).
//! 3. A call works on a copy of the cursor and commits it only when it returns `Ok`: a
//!    cancelled or failed `next` or `seek` moves nothing. (`Next::TimedOut` commits, so that
//!    records already scanned are not scanned again: none of them matched.)
//! 4. A source whose channel was cleared or overwritten since the query (its generation
//!    changed) makes the result set stale for good: every later `next`/`seek` fails with
//!    ERROR_EVT_QUERY_RESULT_STALE (15011) until it is closed.
//! 5. A forward result set is live: at the end of its snapshot it takes a new one, and so
//!    sees events appended since the query. A reverse one starts at the newest event at query
//!    time.
//! 6. Nothing is freed under a call: events are reached through `Arc<Chunk>`s held by the
//!    cursor and by every `EventRef`.
//! 7. A file source is never stale and never grows. Its cursor decodes a file chunk when
//!    the scan enters it, polling the call's token first (a cancel is seen within one file
//!    chunk), and holds only that chunk; the initial cursor seeks count from holds none.
//!    Forward and reverse, merge and seek work on its positions as on a channel's ids.
//! 8. Every seek, to a bookmark too, is an index into the merged sequence, walked from the
//!    initial cursor: a bookmark's origin is its record's index, or the gap before the
//!    nearest record of its channel after it (`seek_bookmark`).
//! 9. A subscription's sources (`SourceCursor::subscription`, read by [`live_batch`]) are
//!    never stale: on a clear or overwrite they take a fresh snapshot and go on, and only if
//!    records they had not reached are gone do they skip to the oldest record left and
//!    report the gap (`QueryResultStale` from that scan, the cursor already past the gap).

use std::fmt;
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Duration;

use parking_lot::Mutex;

use super::bookmark::{same_channel, Bookmark};
use super::faults::CallKind;
use super::files::{FileCursor, FileSource};
use super::flags::{SeekFlags, SeekOrigin};
use super::{Channel, Engine};
use crate::cancel::{CancelToken, NodeKind};
use crate::error::{Error, ErrorKind, Result};
use crate::event::{Event, FileTime};
use crate::query::{EvalScratch, QuerySource};

use crate::store::{Chunk, Snapshot};

/// The most events one `next` may ask for (MAX_RPC_RECORD_COUNT, EvtNext's documented limit).
pub const MAX_NEXT_COUNT: usize = 1024;

/// The default batch a scan polls cancellation on: at most this many records, within one
/// chunk. A chunk (64 KiB, ~100 to 256 records) can take ~20 µs to scan when it is not in
/// cache; 64 keeps the wait for a cancel short at the cost of one atomic load per batch.
pub const DEFAULT_POLL_INTERVAL: usize = 64;

/// What `ResultSet::next` returns.
#[derive(Debug)]
pub enum Next {
    /// One to `count` events; fewer than asked is a success (a short batch).
    Events(Vec<EventRef>),
    /// Nothing remains (ERROR_NO_MORE_ITEMS, 259, at the wevtapi facade).
    End,
    /// The timeout elapsed before any event was found (ERROR_TIMEOUT, 1460).
    TimedOut,
}

/// An event in a result set: a cheap, clonable reference that keeps its chunk alive.
#[derive(Clone)]
pub struct EventRef {
    chunk: Arc<Chunk>,
    index: usize,
    path: Arc<str>,
}

/// What an `EventRef` shows if its slot were ever empty (it cannot be: refs are made only to
/// published records, and published slots are never reset).
static NO_EVENT: LazyLock<Event> = LazyLock::new(Event::default);

impl EventRef {
    /// The event.
    pub fn event(&self) -> &Event {
        self.chunk.get(self.index).unwrap_or(&NO_EVENT)
    }

    /// Appends the event's XML to `out`: the bytes of `event().write_xml(out)`. An event of a
    /// file query that was not read yet is rendered straight from its record, without
    /// making it (files.rs invariant 9), as EvtRender renders a handle's event.
    pub fn write_xml(&self, out: &mut String) {
        self.chunk.write_xml_at(self.index, out);
    }

    /// The event's XML (see [`write_xml`](Self::write_xml)).
    pub fn to_xml(&self) -> String {
        let mut out = String::new();
        self.write_xml(&mut out);
        out
    }

    /// The channel, or the absolute path of the .evtx file, the event was read from.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The event's record id: its System EventRecordID, or else its record's id in its
    /// channel or file (an event read from a file whose BinXml has no EventRecordID reports
    /// its record header's).
    pub fn record_id(&self) -> u64 {
        self.event()
            .system
            .event_record_id
            .unwrap_or_else(|| self.chunk.record_id_at(self.index))
    }
}

impl Deref for EventRef {
    type Target = Event;
    fn deref(&self) -> &Event {
        self.event()
    }
}

impl fmt::Debug for EventRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EventRef({}#{})", self.path, self.record_id())
    }
}

/// One source's cursor.
#[derive(Clone)]
pub(crate) struct SourceCursor {
    pub(crate) path: Arc<str>,
    pub(crate) filter: Arc<QuerySource>,
    kind: SourceKind,
    /// Forward: the next record id (a file's: position) to examine. Reverse: examine ids
    /// below it.
    pub(crate) next_id: u64,
    /// The next match, found and not yet returned, with its time.
    head: Option<EventRef>,
    /// A subscription's source: resynchronises after a clear or overwrite (invariant 9).
    resync: bool,
}

/// What a source cursor reads.
#[derive(Clone)]
enum SourceKind {
    /// A channel, through its snapshot (renewed at the end of a forward scan: live).
    Channel {
        channel: Arc<Channel>,
        /// The channel's generation at query time.
        generation: u64,
        snapshot: Arc<Snapshot>,
    },
    /// An .evtx file, streamed one decoded chunk at a time (files.rs); never stale, never
    /// growing.
    File(FileCursor),
}

impl SourceCursor {
    /// A cursor over a channel, from its snapshot now.
    pub(crate) fn new(
        path: Arc<str>,
        channel: Arc<Channel>,
        filter: Arc<QuerySource>,
        reverse: bool,
    ) -> SourceCursor {
        let snapshot = Arc::new(channel.snapshot());
        let generation = snapshot.generation();
        let next_id = if reverse {
            snapshot.end_record_id()
        } else {
            snapshot
                .first_record_id()
                .unwrap_or(snapshot.end_record_id())
        };
        SourceCursor {
            path,
            filter,
            kind: SourceKind::Channel {
                channel,
                generation,
                snapshot,
            },
            next_id,
            head: None,
            resync: false,
        }
    }

    /// A subscription's cursor over a channel (invariant 9), from record id `start` on.
    pub(crate) fn subscription(
        path: Arc<str>,
        channel: Arc<Channel>,
        filter: Arc<QuerySource>,
        start: u64,
    ) -> SourceCursor {
        let mut cursor = SourceCursor::new(path, channel, filter, false);
        cursor.next_id = start;
        cursor.resync = true;
        cursor
    }

    /// After a clear or overwrite: a fresh snapshot from the cursor on. `Err(QueryResultStale)`
    /// if records the cursor had not reached are gone; it then stands at the oldest record
    /// left (or the next one to come).
    fn resync(&mut self) -> Result<()> {
        let SourceKind::Channel {
            channel,
            generation,
            snapshot,
        } = &mut self.kind
        else {
            return Ok(());
        };
        let fresh = channel.snapshot_from(self.next_id);
        let oldest = fresh.first_record_id().unwrap_or(fresh.end_record_id());
        *generation = fresh.generation();
        *snapshot = Arc::new(fresh);
        if self.next_id < oldest {
            let lost = oldest - self.next_id;
            self.next_id = oldest;
            return Err(Error::with_message(
                ErrorKind::QueryResultStale,
                format!(
                    "{lost} records of {} were cleared or overwritten before delivery",
                    self.path
                ),
            ));
        }
        Ok(())
    }

    /// A cursor over an .evtx file (`path` its absolute path), holding no decoded chunk yet.
    pub(crate) fn file(
        path: Arc<str>,
        source: Arc<FileSource>,
        filter: Arc<QuerySource>,
        reverse: bool,
    ) -> SourceCursor {
        let file = FileCursor::new(source);
        SourceCursor {
            path,
            filter,
            next_id: file.start(reverse),
            kind: SourceKind::File(file),
            head: None,
            resync: false,
        }
    }

    fn is_stale(&self) -> bool {
        match &self.kind {
            SourceKind::Channel {
                channel,
                generation,
                snapshot,
            } => channel.generation() != *generation || snapshot.is_stale(),
            SourceKind::File(_) => false,
        }
    }

    /// The file source read, if this cursor reads a file.
    #[cfg(test)]
    pub(crate) fn file_source(&self) -> Option<&Arc<FileSource>> {
        match &self.kind {
            SourceKind::File(file) => Some(file.source()),
            SourceKind::Channel { .. } => None,
        }
    }
}

/// The state a call works on (a copy, committed on success).
#[derive(Clone)]
pub(crate) struct Cursor {
    pub(crate) sources: Vec<SourceCursor>,
    /// Events returned (or seeked over) from the start: the index of the next one.
    position: u64,
}

impl Cursor {
    pub(crate) fn new(sources: Vec<SourceCursor>) -> Cursor {
        Cursor {
            sources,
            position: 0,
        }
    }
}

/// Why a scan stopped early.
enum Stop {
    TimeUp,
}

/// The per-call context of a scan: cancellation, pause points, timeout, scratch.
struct Scan<'a> {
    engine: &'a Engine,
    call: CancelToken,
    kind: CallKind,
    batch: u64,
    scanned: u64,
    start: FileTime,
    /// In 100-ns ticks; `None` is infinite.
    timeout: Option<u64>,
    scan_cost: u64,
    poll_interval: usize,
    scratch: EvalScratch,
    /// Batches scanned before the timeout is first checked (1 for a subscription's scan, so
    /// that a zero timeout still returns the events at hand).
    untimed_batches: u64,
    /// Records examined before the timeout is first checked (a query's `next` reads one
    /// poll interval's worth whatever its timeout, so a zero timeout is a poll).
    untimed_records: u64,
}

impl<'a> Scan<'a> {
    fn new(
        engine: &'a Engine,
        call: CancelToken,
        kind: CallKind,
        timeout: Option<Duration>,
    ) -> Scan<'a> {
        let now = engine.inner.clock.now();
        Scan {
            engine,
            call,
            kind,
            batch: 0,
            scanned: 0,
            start: now,
            timeout: timeout.map(|d| u64::try_from(d.as_nanos() / 100).unwrap_or(u64::MAX)),
            scan_cost: engine.inner.scan_cost_ticks(),
            poll_interval: engine.inner.poll_interval(),
            scratch: EvalScratch::new(now),
            untimed_batches: 0,
            untimed_records: 0,
        }
    }

    /// Before each batch: the pause point, the cancel poll, the timeout.
    #[inline]
    fn batch_boundary(&mut self) -> Result<Option<Stop>> {
        self.engine
            .inner
            .faults
            .checkpoint(self.kind, self.batch, &self.call)?;
        self.batch += 1;
        self.call.check()?;
        let timed = self.batch > self.untimed_batches && self.scanned >= self.untimed_records;
        if let Some(timeout) = self.timeout.filter(|_| timed) {
            let elapsed = self.engine.inner.clock.now().0.saturating_sub(self.start.0);
            let virtual_cost = self.scanned.saturating_mul(self.scan_cost);
            if elapsed.saturating_add(virtual_cost) >= timeout {
                return Ok(Some(Stop::TimeUp));
            }
        }
        Ok(None)
    }
}

/// Fills `source.head` with its next match, if there is one. `Ok(Some(TimeUp))` if the
/// timeout came first.
fn fill_head(
    source: &mut SourceCursor,
    reverse: bool,
    scan: &mut Scan<'_>,
) -> Result<Option<Stop>> {
    if source.head.is_some() {
        return Ok(None);
    }
    loop {
        if source.is_stale() {
            if source.resync {
                source.resync()?;
                continue;
            }
            return Err(Error::with_message(
                ErrorKind::QueryResultStale,
                format!(
                    "the channel {} was cleared or overwritten after the query",
                    source.path
                ),
            ));
        }
        let (chunk, slot) = match &mut source.kind {
            SourceKind::Channel {
                channel, snapshot, ..
            } => {
                let located = if reverse {
                    match source.next_id.checked_sub(1) {
                        Some(id) => snapshot.locate(id),
                        None => None,
                    }
                } else {
                    snapshot.locate(source.next_id)
                };
                let Some((chunk_index, slot)) = located else {
                    if !reverse && source.next_id >= snapshot.end_record_id() {
                        // Live: look for events appended since the snapshot (only the
                        // chunks from the cursor on).
                        let fresh = channel.snapshot_from(source.next_id);
                        if fresh.end_record_id() > snapshot.end_record_id() {
                            *snapshot = Arc::new(fresh);
                            continue;
                        }
                    }
                    return Ok(None);
                };
                (Arc::clone(&snapshot.chunks()[chunk_index]), slot)
            }
            // Decodes the chunk if the cursor enters one, polling the call first.
            SourceKind::File(file) => {
                match file.locate(&mut source.next_id, reverse, &scan.call)? {
                    Some(found) => found,
                    None => return Ok(None),
                }
            }
        };
        if let Some(stop) = scan.batch_boundary()? {
            return Ok(Some(stop));
        }
        let first = chunk.first_record_id();
        // Batches of at most `poll_interval` records: the first one's boundary was passed above.
        if reverse {
            let mut end = slot + 1;
            loop {
                let start = end.saturating_sub(scan.poll_interval);
                if let Some(i) = (start..end)
                    .rev()
                    .find(|&i| record_matches(&chunk, i, source, scan))
                {
                    scan.scanned += (end - i) as u64;
                    source.head = Some(head(&chunk, i, source));
                    source.next_id = first + i as u64;
                    return Ok(None);
                }
                scan.scanned += (end - start) as u64;
                source.next_id = first + start as u64;
                if start == 0 {
                    break;
                }
                end = start;
                if let Some(stop) = scan.batch_boundary()? {
                    return Ok(Some(stop));
                }
            }
        } else {
            let len = chunk.len();
            let mut start = slot;
            while start < len {
                let end = (start + scan.poll_interval).min(len);
                if let Some(i) = (start..end).find(|&i| record_matches(&chunk, i, source, scan)) {
                    scan.scanned += (i - start + 1) as u64;
                    // A forward reader takes the records in turn: start loading a later one.
                    chunk.prefetch(i.saturating_add(PREFETCH_AHEAD));
                    source.head = Some(head(&chunk, i, source));
                    source.next_id = first + i as u64 + 1;
                    return Ok(None);
                }
                scan.scanned += (end - start) as u64;
                source.next_id = first + end as u64;
                start = end;
                if start < len {
                    if let Some(stop) = scan.batch_boundary()? {
                        return Ok(Some(stop));
                    }
                }
            }
        }
    }
}

/// True if record `i` of `chunk` matches the source's filter. `i` is below a `len()` the
/// caller loaded, so the slot is published.
#[inline]
fn record_matches(chunk: &Chunk, i: usize, source: &SourceCursor, scan: &mut Scan<'_>) -> bool {
    // A file chunk decoded for this query holds only its matches (files.rs invariant 7).
    chunk.all_match()
        || chunk
            .get_below_len(i)
            .is_some_and(|event| source.filter.matches_with(event, &mut scan.scratch))
}

/// The head entry for record `i` of `chunk`.
fn head(chunk: &Arc<Chunk>, i: usize, source: &SourceCursor) -> EventRef {
    EventRef {
        chunk: Arc::clone(chunk),
        index: i,
        path: Arc::clone(&source.path),
    }
}

/// The time sources are merged by: read without making a deferred event where the file
/// source read it while scanning (files.rs invariant 9).
fn merge_time(event: &EventRef) -> FileTime {
    event.chunk.time_created_at(event.index).unwrap_or_default()
}

/// How many records ahead of the one it hands out a forward scan hints the cache.
const PREFETCH_AHEAD: usize = 4;

/// Takes the next event of the merged sequence; `Ok(Err(TimeUp))` if the timeout came first.
fn step(
    cursor: &mut Cursor,
    reverse: bool,
    scan: &mut Scan<'_>,
) -> Result<std::result::Result<Option<EventRef>, Stop>> {
    for source in &mut cursor.sources {
        if let Some(stop) = fill_head(source, reverse, scan)? {
            return Ok(Err(stop));
        }
    }
    // Merged by time only where several sources have a head: one alone is next anyway.
    let mut heads = cursor
        .sources
        .iter()
        .enumerate()
        .filter_map(|(i, s)| s.head.as_ref().map(|e| (i, e)));
    let Some((index, event)) = heads.next() else {
        return Ok(Ok(None));
    };
    // The best so far, and its time once one was needed.
    let mut best = (index, event, None);
    for (i, event) in heads {
        let best_time = *best.2.get_or_insert_with(|| merge_time(best.1));
        let time = merge_time(event);
        if (reverse && time > best_time) || (!reverse && time < best_time) {
            best = (i, event, Some(time));
        }
    }
    let index = best.0;
    cursor.position += 1;
    Ok(Ok(cursor.sources[index].head.take()))
}

/// What one [`live_batch`] found.
pub(crate) struct LiveBatch {
    pub(crate) events: Vec<EventRef>,
    /// The timeout elapsed before `count` events were found.
    pub(crate) timed_out: bool,
    /// The batch stopped at a gap: records a source had not reached were cleared or
    /// overwritten; the cursor is past it (invariant 9).
    pub(crate) gap: bool,
}

/// A subscription's scan: up to `count` events from `cursor`, forward, merged by time, polling
/// `call` once per batch of records (pause points of `CallKind::Next`). Moves `cursor` in
/// place: the caller works on a copy if it must not move on failure. Stops early at a gap.
/// The first batch is always scanned, whatever the timeout: a drain with a zero timeout (as
/// .NET and OTEL poll) gets the events at hand.
pub(crate) fn live_batch(
    engine: &Engine,
    call: CancelToken,
    cursor: &mut Cursor,
    count: usize,
    timeout: Option<Duration>,
) -> Result<LiveBatch> {
    let mut scan = Scan::new(engine, call, CallKind::Next, timeout);
    scan.untimed_batches = 1;
    let mut batch = LiveBatch {
        events: Vec::new(),
        timed_out: false,
        gap: false,
    };
    while batch.events.len() < count {
        match step(cursor, false, &mut scan) {
            Ok(Ok(Some(event))) => batch.events.push(event),
            Ok(Ok(None)) => break,
            Ok(Err(Stop::TimeUp)) => {
                batch.timed_out = true;
                break;
            }
            // Only a resynchronising source's gap is stale here (invariant 9).
            Err(e) if e.kind() == ErrorKind::QueryResultStale => {
                batch.gap = true;
                break;
            }
            Err(e) => return Err(e),
        }
    }
    scan.call.check()?;
    Ok(batch)
}

/// A query's result set: EvtQuery's handle. Clone it to use it from several threads (one
/// call runs at a time; `cancel` and `close` work while a call is in flight).
#[derive(Clone)]
pub struct ResultSet {
    pub(crate) inner: Arc<ResultSetInner>,
}

pub(crate) struct ResultSetInner {
    pub(crate) engine: Engine,
    pub(crate) token: CancelToken,
    pub(crate) closed: AtomicBool,
    stale: AtomicBool,
    pub(crate) reverse: bool,
    /// The cursor at query time, from which seeks count.
    initial: Cursor,
    state: Mutex<Cursor>,
    /// Per path: the Win32 status of resolving it (0, or 15007 under TolerateQueryErrors).
    pub(crate) statuses: Vec<(String, u32)>,
}

impl ResultSet {
    pub(crate) fn new(
        engine: Engine,
        token: CancelToken,
        reverse: bool,
        cursor: Cursor,
        statuses: Vec<(String, u32)>,
    ) -> ResultSet {
        ResultSet {
            inner: Arc::new(ResultSetInner {
                engine,
                token,
                closed: AtomicBool::new(false),
                stale: AtomicBool::new(false),
                reverse,
                initial: cursor.clone(),
                state: Mutex::new(cursor),
                statuses,
            }),
        }
    }

    /// Up to `count` events (1 to [`MAX_NEXT_COUNT`]) from the cursor, in the query's
    /// direction. `timeout` (`None` = infinite) bounds the time spent looking: the engine's
    /// clock plus the virtual scan cost ([`Engine::set_scan_cost`]).
    ///
    /// Errors: `InvalidParameter` for a bad count; `InvalidHandle` after close; `Cancelled`
    /// (1223) if the result set or its session is cancelled meanwhile; `QueryResultStale`
    /// (15011) once a source channel was cleared or overwritten.
    ///
    /// [`Engine::set_scan_cost`]: super::Engine::set_scan_cost
    pub fn next(&self, count: usize, timeout: Option<Duration>) -> Result<Next> {
        if count == 0 || count > MAX_NEXT_COUNT {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                format!("count must be 1 to {MAX_NEXT_COUNT}, not {count}"),
            ));
        }
        let inner = &*self.inner;
        let (mut state, mut scan) = self.begin(CallKind::Next, timeout)?;
        // As for subscriptions: the first poll interval's records are always read, so a
        // zero timeout (a poll) gets the events at hand rather than ERROR_TIMEOUT.
        scan.untimed_records = scan.poll_interval as u64;
        let mut cursor = state.clone();
        let mut events = Vec::with_capacity(count.min(64));
        let mut timed_out = false;
        while events.len() < count {
            match self.guard(step(&mut cursor, inner.reverse, &mut scan))? {
                Ok(Some(event)) => events.push(event),
                Ok(None) => break,
                Err(Stop::TimeUp) => {
                    timed_out = true;
                    break;
                }
            }
        }
        // A cancel that arrived after the last batch still cancels the call.
        scan.call.check()?;
        *state = cursor;
        Ok(match (events.is_empty(), timed_out) {
            (false, _) => Next::Events(events),
            (true, true) => Next::TimedOut,
            (true, false) => Next::End,
        })
    }

    /// Moves the cursor (EvtSeek without a bookmark): `offset` from the origin in `flags`,
    /// counted in the query's direction. Offsets past either end clamp to the first or last
    /// event, or with Strict fail with ERROR_EVT_QUERY_RESULT_INVALID_POSITION (15012) and
    /// move nothing. RelativeToFirst takes offsets >= 0, RelativeToLast offsets <= 0.
    /// RelativeToBookmark is [`seek_bookmark`](ResultSet::seek_bookmark).
    pub fn seek(&self, offset: i64, flags: SeekFlags) -> Result<()> {
        let origin = flags.origin().ok_or_else(|| {
            Error::with_message(ErrorKind::InvalidParameter, "seek needs an origin")
        })?;
        if origin == SeekOrigin::Bookmark {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                "seeking to a bookmark needs a bookmark: use seek_bookmark",
            ));
        }
        let inner = &*self.inner;
        let (mut state, mut scan) = self.begin(CallKind::Seek, None)?;
        let strict = flags.is_strict();
        let out_of_range = || {
            Error::with_message(
                ErrorKind::InvalidPosition,
                format!("offset {offset} from {origin:?} is outside the results"),
            )
        };
        let target: i128 = match origin {
            SeekOrigin::First => i128::from(offset),
            SeekOrigin::Current => i128::from(state.position) + i128::from(offset),
            SeekOrigin::Last => {
                let total = self.guard(count_all(&inner.initial, inner.reverse, &mut scan))?;
                i128::from(total) - 1 + i128::from(offset)
            }
            SeekOrigin::Bookmark => return Err(out_of_range()),
        };
        let bad_sign = matches!(
            (origin, offset.signum()),
            (SeekOrigin::First, -1) | (SeekOrigin::Last, 1)
        );
        if strict && (target < 0 || bad_sign) {
            return Err(out_of_range());
        }
        let target = u64::try_from(target.max(0)).unwrap_or(u64::MAX);
        let cursor = self.walk_to(target, strict, &mut scan, out_of_range)?;
        scan.call.check()?;
        *state = cursor;
        Ok(())
    }

    /// EvtSeek(…, Bookmark, EvtSeekRelativeToBookmark): moves the cursor to the bookmarked
    /// record, then `offset` events from it in the query's direction (as EvtSeek does). So
    /// `seek_bookmark(&b, 1, …)` resumes after the bookmarked event, the standard idiom.
    /// `flags` is `SeekFlags::RELATIVE_TO_BOOKMARK`, optionally `| SeekFlags::STRICT`
    /// (Strict alone means the same).
    ///
    /// The bookmarked record is the bookmark's current entry if the query reads its channel
    /// (an .evtx file's channel is its absolute path), else the entry of the first source of
    /// the query that has one. When that record is not in the results (filtered out,
    /// cleared, overwritten, or never written), the cursor counts from the gap before the
    /// nearest record of that channel after it, in the query's direction: offsets 0 and 1
    /// both land on that record, -1 on the one before the gap (EvtSeek's documented
    /// example). A bookmark with no entry for the query's sources counts from before the first
    /// event. Past either end the cursor clamps to the first or last event.
    ///
    /// With Strict: `NotFound` (ERROR_NOT_FOUND, 1168) if the bookmarked record is not in
    /// the results (also for an empty bookmark), and
    /// `InvalidPosition` (15012) if the target is outside the results; either way nothing
    /// moves. Other errors as [`seek`](ResultSet::seek).
    pub fn seek_bookmark(&self, bookmark: &Bookmark, offset: i64, flags: SeekFlags) -> Result<()> {
        if !matches!(flags.origin(), None | Some(SeekOrigin::Bookmark))
            || SeekFlags::from_bits(flags.bits() | SeekFlags::RELATIVE_TO_BOOKMARK.bits()).is_err()
        {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                format!("seek_bookmark takes RelativeToBookmark and Strict, not {flags:?}"),
            ));
        }
        let inner = &*self.inner;
        let (mut state, mut scan) = self.begin(CallKind::Seek, None)?;
        let strict = flags.is_strict();
        let entry = bookmark
            .current()
            .filter(|(channel, _)| state.sources.iter().any(|s| same_channel(&s.path, channel)))
            .or_else(|| {
                state.sources.iter().find_map(|s| {
                    bookmark
                        .entries()
                        .find(|(channel, _)| same_channel(&s.path, channel))
                })
            });
        // Where the bookmarked record stands: Ok(its index), or Err(the index of the first
        // event of its channel after it, which is the sequence's length if none is).
        let anchor: std::result::Result<u64, u64> = match entry {
            None => Err(0),
            Some((channel, id)) => {
                let mut cursor = inner.initial.clone();
                loop {
                    let index = cursor.position;
                    match self.guard(step(&mut cursor, inner.reverse, &mut scan))? {
                        Ok(Some(event)) if same_channel(event.path(), channel) => {
                            let rid = event.record_id();
                            if rid == id {
                                break Ok(index);
                            }
                            if (rid > id) != inner.reverse {
                                break Err(index);
                            }
                        }
                        Ok(Some(_)) => {}
                        Ok(None) => break Err(index),
                        Err(Stop::TimeUp) => return Err(Error::new(ErrorKind::InvalidOperation)),
                    }
                }
            }
        };
        if strict && anchor.is_err() {
            let what = entry.map_or_else(
                || "the bookmark names none of the query's channels".to_owned(),
                |(channel, id)| format!("record {id} of {channel} is not in the results"),
            );
            return Err(Error::with_message(ErrorKind::NotFound, what));
        }
        let target: i128 = match anchor {
            Ok(index) => i128::from(index) + i128::from(offset),
            Err(gap) if offset > 0 => i128::from(gap) + i128::from(offset) - 1,
            Err(gap) => i128::from(gap) + i128::from(offset),
        };
        let out_of_range = || {
            Error::with_message(
                ErrorKind::InvalidPosition,
                format!("offset {offset} from the bookmark is outside the results"),
            )
        };
        if strict && target < 0 {
            return Err(out_of_range());
        }
        let target = u64::try_from(target.max(0)).unwrap_or(u64::MAX);
        let cursor = self.walk_to(target, strict, &mut scan, out_of_range)?;
        scan.call.check()?;
        *state = cursor;
        Ok(())
    }

    /// EvtCancel on the result set: the call in flight returns `Cancelled`, and so does every
    /// later call, until the result set is closed. Idempotent.
    pub fn cancel(&self) {
        self.inner.token.cancel();
    }

    /// EvtClose: later calls fail with `InvalidHandle`; a call in flight returns `Cancelled`.
    /// Events already returned stay readable. Idempotent.
    pub fn close(&self) {
        self.inner.closed.store(true, Ordering::Release);
        self.inner.token.cancel();
    }

    /// True once closed (directly or with its session).
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::Acquire)
    }

    /// For each path the query named: the Win32 status of opening it (0 if it opened; with
    /// TolerateQueryErrors, 15007 for a channel that does not exist). EvtGetQueryInfo's data.
    pub fn statuses(&self) -> &[(String, u32)] {
        &self.inner.statuses
    }

    /// Walks from the start to event `target` of the sequence (0-based). Valid positions
    /// are those of events (0 to M - 1); a target at or past the end clamps to the last
    /// event, or with `strict` fails with `out_of_range()`.
    fn walk_to(
        &self,
        target: u64,
        strict: bool,
        scan: &mut Scan<'_>,
        out_of_range: impl Fn() -> Error,
    ) -> Result<Cursor> {
        let inner = &*self.inner;
        let mut cursor = inner.initial.clone();
        let mut at_last: Option<Cursor> = None;
        let mut at_end = false;
        while cursor.position < target {
            let before = cursor.clone();
            match self.guard(step(&mut cursor, inner.reverse, scan))? {
                Ok(Some(_)) => at_last = Some(before),
                Ok(None) => {
                    at_end = true;
                    break;
                }
                Err(Stop::TimeUp) => return Err(Error::new(ErrorKind::InvalidOperation)),
            }
        }
        if !at_end {
            let mut probe = cursor.clone();
            at_end = matches!(self.guard(step(&mut probe, inner.reverse, scan))?, Ok(None));
        }
        if at_end {
            if strict {
                return Err(out_of_range());
            }
            cursor = at_last.unwrap_or_else(|| inner.initial.clone());
        }
        Ok(cursor)
    }

    /// Starts a call of `kind`: checks the handle is usable, locks the state, and registers
    /// the call's cancel node under the result set (born cancelled if the result set is).
    fn begin(
        &self,
        kind: CallKind,
        timeout: Option<Duration>,
    ) -> Result<(parking_lot::MutexGuard<'_, Cursor>, Scan<'_>)> {
        let state = self.lock_state()?;
        let inner = &*self.inner;
        let scan = Scan::new(
            &inner.engine,
            inner.token.child(NodeKind::Call),
            kind,
            timeout,
        );
        Ok((state, scan))
    }

    /// Locks the state after checking the handle is usable.
    fn lock_state(&self) -> Result<parking_lot::MutexGuard<'_, Cursor>> {
        let inner = &*self.inner;
        if inner.closed.load(Ordering::Acquire) {
            return Err(Error::with_message(
                ErrorKind::InvalidHandle,
                "the result set is closed",
            ));
        }
        let state = inner.state.lock();
        if inner.closed.load(Ordering::Acquire) {
            return Err(Error::with_message(
                ErrorKind::InvalidHandle,
                "the result set is closed",
            ));
        }
        if inner.stale.load(Ordering::Acquire) || state.sources.iter().any(SourceCursor::is_stale) {
            inner.stale.store(true, Ordering::Release);
            return Err(Error::with_message(
                ErrorKind::QueryResultStale,
                "a channel of the query was cleared or overwritten",
            ));
        }
        Ok(state)
    }

    /// Marks the result set stale when a call finds it so (invariant 4).
    fn guard<T>(&self, r: Result<T>) -> Result<T> {
        if let Err(e) = &r {
            if e.kind() == ErrorKind::QueryResultStale {
                self.inner.stale.store(true, Ordering::Release);
            }
        }
        r
    }
}

#[cfg(test)]
impl ResultSet {
    /// The file sources of the query (shared by its state and initial cursors).
    pub(crate) fn file_sources(&self) -> Vec<Arc<FileSource>> {
        self.inner
            .initial
            .sources
            .iter()
            .filter_map(|s| s.file_source().cloned())
            .collect()
    }
}

/// The number of events in the whole sequence.
fn count_all(initial: &Cursor, reverse: bool, scan: &mut Scan<'_>) -> Result<u64> {
    let mut cursor = initial.clone();
    loop {
        match step(&mut cursor, reverse, scan)? {
            Ok(Some(_)) => {}
            Ok(None) => return Ok(cursor.position),
            Err(Stop::TimeUp) => return Err(Error::new(ErrorKind::InvalidOperation)),
        }
    }
}

impl fmt::Debug for ResultSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResultSet")
            .field("reverse", &self.inner.reverse)
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}
