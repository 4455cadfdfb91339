//! [`MemoryStore`]: the in-memory, append-only, chunked record store of one channel: record
//! ids, retention (overwrite / do-not-overwrite), max size, clear, generation, snapshots.
//!
//! Invariants: 1–8 in `store/mod.rs`; this file upholds 1, 2, 3, 6 and 7.

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use super::chunk::{slot_capacity_for, Chunk, StoredEvent};
use super::compactor;
use super::snapshot::Snapshot;
use super::{Retention, MIN_MAX_SIZE};
use crate::error::{Error, ErrorKind, Result};
use crate::event::Event;

/// The in-memory record store of one channel. All methods take `&self`; share it by `Arc`
/// (a [`Channel`](crate::Channel) owns one).
pub struct MemoryStore {
    /// Shared with the compactor's jobs, which hold it weakly (compactor.rs).
    inner: Arc<Mutex<Inner>>,
    /// Written only under `inner`'s lock; read lock-free by [`Snapshot::is_stale`].
    generation: Arc<AtomicU64>,
}

struct Inner {
    /// Oldest first. Every chunk but the last is sealed; no chunk is empty (invariants 2, 3).
    chunks: VecDeque<Arc<Chunk>>,
    next_record_id: u64,
    record_count: u64,
    total_bytes: u64,
    /// The limit appends are held to: the configured max size, or the records' size when
    /// a save lowered the max size below it (until the next clear, as Windows keeps a log
    /// whose max size was lowered at its size until it is cleared).
    limit: u64,
    /// The configured max size (at least 1 MiB).
    max_size: u64,
    retention: Retention,
    /// The estimated bytes of the chunks in the list held compact (store invariant 9).
    compact_bytes: u64,
    /// Chunks starting below this id were taken to be compacted (or passed over).
    claimed_to: u64,
    /// Chunks taken and not yet swapped, and their estimated bytes.
    in_flight: usize,
    in_flight_bytes: u64,
    /// A job of the compactor's thread is queued or running for this store.
    worker_busy: bool,
    /// Chunks are compacted once the records not yet compact pass this many estimated bytes.
    hot_window: u64,
}

impl MemoryStore {
    /// An empty store. `max_size` is in bytes of [`Event::approx_record_size`]; below
    /// [`MIN_MAX_SIZE`] (1 MiB, Windows' minimum) it is raised to it, and `u64::MAX` means
    /// unbounded ([`UNBOUNDED`](super::UNBOUNDED)).
    pub fn new(max_size: u64, retention: Retention) -> MemoryStore {
        MemoryStore {
            inner: Arc::new(Mutex::new(Inner {
                chunks: VecDeque::new(),
                next_record_id: 1,
                record_count: 0,
                total_bytes: 0,
                limit: effective_max_size(max_size),
                max_size: effective_max_size(max_size),
                retention,
                compact_bytes: 0,
                claimed_to: 0,
                in_flight: 0,
                in_flight_bytes: 0,
                worker_busy: false,
                hot_window: DEFAULT_HOT_WINDOW,
            })),
            generation: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Appends `event`, assigning it the next record id (written into
    /// `event.system.event_record_id`), and returns that id.
    ///
    /// Errors, after which the store is unchanged:
    /// - `LogFileFull` (1502): retention is [`DoNotOverwrite`](Retention::DoNotOverwrite) and
    ///   the record does not fit under the max size; or the record ids are exhausted.
    /// - `InvalidParameter` (87): retention is `Overwrite` and the record alone is larger than
    ///   the max size, so no amount of overwriting makes room.
    pub fn append(&self, mut event: Event) -> Result<u64> {
        let size = event.approx_record_size();
        // Chunks dropped by overwrite are freed after the lock is released: freeing a few
        // hundred events' strings is the slow part and readers may hold them anyway.
        let mut dropped: Vec<Arc<Chunk>> = Vec::new();
        let mut wake_worker = false;
        let mut lagging = None;
        let id = {
            let mut inner = self.inner.lock();
            let id = inner.next_record_id;
            let Some(next_id) = id.checked_add(1) else {
                return Err(Error::with_message(
                    ErrorKind::LogFileFull,
                    "the channel's record ids are exhausted",
                ));
            };
            if inner.total_bytes.saturating_add(size) > inner.limit {
                match inner.retention {
                    Retention::DoNotOverwrite | Retention::AutoBackup => {
                        return Err(Error::with_message(
                            ErrorKind::LogFileFull,
                            format!(
                                "a record of {size} bytes does not fit: {} of {} bytes used",
                                inner.total_bytes, inner.limit
                            ),
                        ));
                    }
                    Retention::Overwrite if size > inner.limit => {
                        return Err(Error::with_message(
                            ErrorKind::InvalidParameter,
                            format!(
                                "a record of {size} bytes is larger than the log's maximum \
                                 size of {} bytes",
                                inner.limit
                            ),
                        ));
                    }
                    Retention::Overwrite => inner.overwrite_for(size, &mut dropped),
                }
                if !dropped.is_empty() {
                    self.generation.fetch_add(1, Ordering::Release);
                }
            }
            event.system.event_record_id = Some(id);
            let tail = match inner.chunks.back() {
                Some(tail) if tail.has_room_for(size) => Arc::clone(tail),
                _ => inner.open_chunk(id, size),
            };
            if !tail.push(event, size) {
                // Unreachable: `has_room_for` / a fresh chunk guarantee a free slot. Report it
                // rather than panic; nothing was published.
                return Err(Error::with_message(
                    ErrorKind::InvalidOperation,
                    "internal error: the open chunk had no free slot",
                ));
            }
            inner.next_record_id = next_id;
            inner.record_count += 1;
            inner.total_bytes += size;
            if tail.len() == 1 {
                // A chunk was just sealed: the oldest records past the hot window go compact,
                // on the compactor's thread; a writer that outruns it compacts one itself.
                if !inner.worker_busy {
                    wake_worker = inner.hot_bytes() > inner.hot_window;
                    inner.worker_busy = wake_worker;
                } else if inner.hot_bytes() > inner.lag_limit() {
                    lagging = inner.take_cold_chunk();
                }
            }
            id
        };
        drop(dropped);
        if wake_worker {
            // The job takes its chunks when it runs, so none waits claimed in the queue.
            let store = Arc::downgrade(&self.inner);
            let job: compactor::Job = Box::new(move || {
                if let Some(store) = store.upgrade() {
                    run_worker(&store);
                }
            });
            if let Err(job) = compactor::submit(job) {
                job();
            }
        }
        if let Some(cold) = lagging {
            compact_cold(&self.inner, cold, false);
        }
        Ok(id)
    }

    /// Sets how many estimated bytes of the newest records stay held as events; older sealed
    /// chunks are held compact (invariant 9). `u64::MAX` keeps every record as an event.
    pub fn set_hot_window(&self, bytes: u64) {
        self.inner.lock().hot_window = bytes;
        // Compact here what is past the window, and wait for chunks the compactor's thread
        // holds, so that a caller lowering the window finds it applied on return.
        loop {
            let (next, in_flight) = {
                let mut inner = self.inner.lock();
                (inner.take_cold_chunk(), inner.in_flight)
            };
            match next {
                Some(cold) => compact_cold(&self.inner, cold, false),
                None if in_flight == 0 => break,
                None => std::thread::yield_now(),
            }
        }
    }

    /// How many estimated bytes of the newest records stay held as events.
    pub fn hot_window(&self) -> u64 {
        self.inner.lock().hot_window
    }

    /// Removes every record and bumps the generation (even if the store was empty: a clear
    /// always invalidates open result sets). Record ids continue from where they were, as on
    /// Windows.
    pub fn clear(&self) {
        let old = {
            let mut inner = self.inner.lock();
            if let Some(tail) = inner.chunks.back() {
                tail.seal();
            }
            inner.record_count = 0;
            inner.total_bytes = 0;
            inner.compact_bytes = 0;
            inner.limit = inner.max_size;
            self.generation.fetch_add(1, Ordering::Release);
            std::mem::take(&mut inner.chunks)
        };
        drop(old);
    }

    /// Removes every record whose id is below `end` (the records a snapshot with that
    /// [`end_record_id`](Snapshot::end_record_id) saw), keeps those appended since, and
    /// bumps the generation: a clear that loses nothing written while it ran (EvtClearLog
    /// with a backup of that snapshot). `end` at or past the next id is [`clear`](Self::clear).
    pub fn clear_before(&self, end: u64) {
        let old = {
            let mut inner = self.inner.lock();
            let mut old = inner.take_chunks_below(end);
            // A chunk holding both sides of `end`: its newer records move to a chunk of
            // their own (chunks are write-once), which stays open if it is the last.
            let straddles = inner
                .chunks
                .front()
                .is_some_and(|c| c.first_record_id() < end);
            if straddles {
                if let Some(front) = inner.chunks.pop_front() {
                    let kept: Vec<Event> = front
                        .iter()
                        .filter(|e| e.system.event_record_id.is_some_and(|id| id >= end))
                        .map(StoredEvent::into_owned)
                        .collect();
                    let removed = front.len() - kept.len();
                    let chunk = Chunk::new(end, kept.len().max(1));
                    let mut kept_bytes = 0;
                    for event in kept {
                        let size = event.approx_record_size();
                        kept_bytes += size;
                        // A fresh chunk with a slot per event takes them all.
                        let _ = chunk.push(event, size);
                    }
                    inner.record_count = inner.record_count.saturating_sub(removed as u64);
                    inner.total_bytes = inner
                        .total_bytes
                        .saturating_sub(front.approx_bytes())
                        .saturating_add(kept_bytes);
                    if front.is_compact() {
                        inner.compact_bytes =
                            inner.compact_bytes.saturating_sub(front.approx_bytes());
                    }
                    if !inner.chunks.is_empty() {
                        chunk.seal();
                    }
                    if !chunk.is_empty() {
                        inner.chunks.push_front(Arc::new(chunk));
                    }
                    old.push(front);
                }
            }
            if inner.chunks.is_empty() {
                inner.record_count = 0;
                inner.total_bytes = 0;
                inner.compact_bytes = 0;
            }
            inner.limit = inner.max_size.max(inner.total_bytes);
            self.generation.fetch_add(1, Ordering::Release);
            old
        };
        drop(old);
    }

    /// Lets go of every record whose id is below `end`, without making snapshots stale:
    /// the records moved elsewhere, unchanged (a persistent channel's file chunk was
    /// sealed, and readers read those records from the file now). The open chunk is sealed
    /// first, so the next record starts a chunk of its own; only whole chunks go, and the
    /// generation is not bumped (invariant 7: nothing was removed from the channel).
    pub(crate) fn retire_before(&self, end: u64) {
        let old = self.inner.lock().take_chunks_below(end);
        drop(old);
    }

    /// Makes `next` the id of the next record if it is above the current next id (restoring
    /// a store whose records start there, or continue past a gap): the open chunk is sealed,
    /// so the next record starts a chunk of its own (chunks stay runs of consecutive ids).
    pub(crate) fn skip_to(&self, next: u64) {
        let mut inner = self.inner.lock();
        if next > inner.next_record_id {
            if let Some(tail) = inner.chunks.back() {
                tail.seal();
            }
            inner.next_record_id = next;
        }
    }

    /// A reader's view of the store now: see [`Snapshot`].
    pub fn snapshot(&self) -> Snapshot {
        let inner = self.inner.lock();
        Snapshot::new(
            inner.chunks.iter().cloned().collect(),
            self.generation.load(Ordering::Acquire),
            inner.next_record_id,
            Arc::clone(&self.generation),
        )
    }

    /// A snapshot of only the chunks a reader at `record_id` still needs: the chunk holding
    /// it (or the last one starting before it) and every later chunk; all of them if
    /// `record_id` is older than the oldest record. The same as [`snapshot`](Self::snapshot)
    /// for every id from `record_id` on, at a cost of the chunks taken rather than all of
    /// them (a live reader that is caught up takes one or two).
    pub fn snapshot_from(&self, record_id: u64) -> Snapshot {
        let inner = self.inner.lock();
        let start = inner
            .chunks
            .partition_point(|c| c.first_record_id() <= record_id)
            .saturating_sub(1);
        Snapshot::new(
            inner.chunks.range(start..).cloned().collect(),
            self.generation.load(Ordering::Acquire),
            inner.next_record_id,
            Arc::clone(&self.generation),
        )
    }

    /// Bumped by every clear and by every append that overwrote records.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// The number of records in the store.
    pub fn record_count(&self) -> u64 {
        self.inner.lock().record_count
    }

    /// The id of the oldest record, if the store holds any.
    pub fn oldest_record_id(&self) -> Option<u64> {
        self.inner
            .lock()
            .chunks
            .front()
            .map(|c| c.first_record_id())
    }

    /// The id the next appended record will get.
    pub fn next_record_id(&self) -> u64 {
        self.inner.lock().next_record_id
    }

    /// The sum of the records' estimated sizes, in bytes.
    pub fn total_bytes(&self) -> u64 {
        self.inner.lock().total_bytes
    }

    /// The configured max size in bytes (at least 1 MiB; `u64::MAX` for unbounded).
    pub fn max_size(&self) -> u64 {
        self.inner.lock().max_size
    }

    /// Sets the max size and retention (a saved channel configuration). A raised max size
    /// lets the store grow at once; one lowered below the records' size keeps them all and
    /// holds the store at that size until the next clear, as Windows does (nothing is
    /// dropped by the change itself).
    pub fn set_limits(&self, max_size: u64, retention: Retention) {
        let mut inner = self.inner.lock();
        inner.max_size = effective_max_size(max_size);
        inner.limit = inner.max_size.max(inner.total_bytes);
        inner.retention = retention;
    }

    /// What happens when the store is full.
    pub fn retention(&self) -> Retention {
        self.inner.lock().retention
    }
}

/// Windows' floor: a max size below 1 MiB is raised to 1 MiB.
/// The compactor's job for one store: compacts its cold chunks until the records held as
/// events are within the hot window, then lets a writer wake it again.
fn run_worker(store: &Mutex<Inner>) {
    let first = {
        let mut inner = store.lock();
        let first = inner.take_cold_chunk();
        if first.is_none() {
            inner.worker_busy = false;
        }
        first
    };
    if let Some(cold) = first {
        compact_cold(store, cold, true);
    }
}

/// Replaces `cold`, taken by [`Inner::take_cold_chunk`], by its records held compact; as the
/// compactor's job (`worker`), then the next cold chunks while the store holds more than its
/// hot window (invariant 9). The encoding runs outside the lock (readers and writers go on),
/// and so does freeing the events it replaced.
fn compact_cold(store: &Mutex<Inner>, mut cold: Arc<Chunk>, worker: bool) {
    loop {
        let compact = cold.compacted();
        let next = {
            let mut inner = store.lock();
            inner.in_flight = inner.in_flight.saturating_sub(1);
            inner.in_flight_bytes = inner.in_flight_bytes.saturating_sub(cold.approx_bytes());
            if let Some(compact) = compact {
                let at = inner
                    .chunks
                    .partition_point(|c| c.first_record_id() < cold.first_record_id());
                // Cleared or overwritten meanwhile: nothing to replace.
                if let Some(slot) = inner.chunks.get_mut(at) {
                    if Arc::ptr_eq(slot, &cold) {
                        *slot = Arc::new(compact);
                        inner.compact_bytes += cold.approx_bytes();
                    }
                }
            }
            let next = if worker {
                inner.take_cold_chunk()
            } else {
                None
            };
            if worker && next.is_none() {
                inner.worker_busy = false;
            }
            next
        };
        // The last reference to the replaced events, unless a snapshot holds them.
        drop(std::mem::replace(
            &mut cold,
            match next {
                Some(next) => next,
                None => return,
            },
        ));
    }
}

/// How far past twice its hot window a store's records held as events may grow while the
/// compactor's thread catches up, before a writer compacts a chunk itself: a burst of this
/// size appends at full speed; a writer that keeps outrunning the compactor is slowed to its
/// pace, so memory stays bounded.
const LAG_SLACK: u64 = 256 << 20;

/// The newest records' estimated bytes a store keeps as events by default (invariant 9):
/// what subscribers and recent queries read stays as fast to read as it was written.
pub const DEFAULT_HOT_WINDOW: u64 = 8 << 20;

pub(super) fn effective_max_size(max_size: u64) -> u64 {
    max_size.max(MIN_MAX_SIZE)
}

impl Inner {
    /// Seals the open chunk and takes out the whole chunks whose records all have ids below
    /// `end`, oldest first, their records no longer counted.
    fn take_chunks_below(&mut self, end: u64) -> Vec<Arc<Chunk>> {
        if let Some(tail) = self.chunks.back() {
            tail.seal();
        }
        let mut old = Vec::new();
        while self
            .chunks
            .front()
            .is_some_and(|c| c.last_record_id().is_some_and(|last| last < end))
        {
            let Some(front) = self.chunks.pop_front() else {
                break;
            };
            self.forget(&front);
            old.push(front);
        }
        old
    }

    /// Drops whole chunks, oldest first, until a record of `size` bytes fits (invariant 6). The caller
    /// has checked `size <= limit`. The open chunk is dropped too if dropping only sealed
    /// ones is not enough; it is sealed first, so nothing appends to it again.
    fn overwrite_for(&mut self, size: u64, dropped: &mut Vec<Arc<Chunk>>) {
        while self.total_bytes.saturating_add(size) > self.limit {
            let Some(oldest) = self.chunks.pop_front() else {
                break;
            };
            oldest.seal();
            self.forget(&oldest);
            dropped.push(oldest);
        }
    }

    /// Stops counting a chunk that left the list.
    fn forget(&mut self, chunk: &Chunk) {
        self.record_count = self.record_count.saturating_sub(chunk.len() as u64);
        self.total_bytes = self.total_bytes.saturating_sub(chunk.approx_bytes());
        if chunk.is_compact() {
            self.compact_bytes = self.compact_bytes.saturating_sub(chunk.approx_bytes());
        }
    }

    /// The estimated bytes of the records held as events and not being compacted.
    fn hot_bytes(&self) -> u64 {
        self.total_bytes
            .saturating_sub(self.compact_bytes)
            .saturating_sub(self.in_flight_bytes)
    }

    /// Past this many hot bytes the compactor's thread is behind: a writer compacts too.
    fn lag_limit(&self) -> u64 {
        self.hot_window.saturating_mul(2).saturating_add(LAG_SLACK)
    }

    /// Takes the oldest sealed chunk not yet taken, if the records held as events pass the
    /// hot window (invariant 9); the caller compacts it. The open chunk is never taken.
    fn take_cold_chunk(&mut self) -> Option<Arc<Chunk>> {
        if self.hot_bytes() <= self.hot_window {
            return None;
        }
        let at = self
            .chunks
            .partition_point(|c| c.first_record_id() < self.claimed_to);
        let chunk = Arc::clone(self.chunks.get(at)?);
        if at + 1 >= self.chunks.len() || !chunk.is_sealed() {
            return None;
        }
        self.claimed_to = chunk
            .last_record_id()
            .map_or(self.claimed_to, |last| last + 1);
        self.in_flight += 1;
        self.in_flight_bytes += chunk.approx_bytes();
        Some(chunk)
    }

    /// Seals the open chunk and opens a new one whose first record is `first_record_id`.
    fn open_chunk(&mut self, first_record_id: u64, size: u64) -> Arc<Chunk> {
        let avg = match self.chunks.back() {
            Some(tail) => {
                tail.seal();
                tail.approx_bytes() / (tail.len().max(1) as u64)
            }
            None => size,
        };
        let chunk = Arc::new(Chunk::new(first_record_id, slot_capacity_for(avg)));
        self.chunks.push_back(Arc::clone(&chunk));
        chunk
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.inner.lock();
        f.debug_struct("MemoryStore")
            .field("chunks", &inner.chunks.len())
            .field("record_count", &inner.record_count)
            .field("next_record_id", &inner.next_record_id)
            .field("total_bytes", &inner.total_bytes)
            .field("limit", &inner.limit)
            .field("max_size", &inner.max_size)
            .field("retention", &inner.retention)
            .field("generation", &self.generation())
            .finish()
    }
}
