//! A file query that decodes ahead on a pool of threads: [`ParallelFileQuery`]
//! (`Session::query_file_parallel`) and its ordered map, [`ChunkMap`].
//!
//! A caller that reads a whole .evtx file (evtutil's `qe … /lf:true`) spends most of its
//! time decoding and rendering. Here each worker thread decodes every `threads`-th chunk of
//! the record order with [`decode_chunk`] (through its own [`FileSource`], files.rs
//! invariant 6), applies the query's filter, and runs the caller's closure on the chunk's
//! matching events (rendering them, typically); the caller receives the closure's results
//! in record order.
//!
//! Invariants:
//! 1. Order: results come in the order a sequential [`ResultSet`](super::ResultSet) over the
//!    same file and query would hand out the events (files.rs invariant 1), one per chunk
//!    that holds a matching event, its events in that order (reversed under
//!    `REVERSE_DIRECTION`). Worker `k` of `n` takes places `k, k + n, k + 2n, …` of the
//!    (possibly reversed) record order, and the caller reads the workers' queues in turn.
//! 2. Bounded memory: each worker's queue holds at most [`AHEAD_PER_WORKER`] results, so at
//!    most `n * (AHEAD_PER_WORKER + 1)` chunks are decoded or mapped and not yet taken.
//!    Events handed to the closure are dropped on the worker once it returns (unless the
//!    closure keeps them).
//! 3. Cancel: every worker polls the query's cancel token (a Call node under the session,
//!    so `Session::cancel` reaches it, as does [`ParallelFileQuery::cancel`] or a
//!    [`FileQueryCanceller`]) before each chunk it decodes; the caller polls it before each
//!    result it takes. A cancel is seen within one chunk per worker, and the iterator then
//!    yields `Err(Cancelled)` once and ends.
//! 4. Errors come in order: a chunk that cannot be read is the error at its place, after
//!    the results before it; the iterator yields it and ends.
//! 5. One thread (`threads <= 1`) decodes on the caller's thread, as it iterates: no thread
//!    is started. Dropping a [`ChunkMap`] stops its workers and joins them.
//! 6. Filters: a System-only filter is applied while decoding (files.rs invariant 7); any
//!    other is evaluated on each decoded event, its `timediff()` measured from the engine's
//!    clock at the query's start, as a result set's scan measures it.
//! 7. Templates: each worker's source forks the engine's template definitions and gives
//!    back what it parsed when dropped (files.rs invariant 8).
//! 8. Two closures: [`ParallelFileQuery::map_chunks`] gets each chunk's events
//!    (`EventRef`s, decoded or deferred as a result set's), and
//!    [`ParallelFileQuery::map_records`] a [`ChunkRecords`] that renders each matching
//!    record once when asked. Under a prefilter (no filter, or a System-only one) that
//!    reads the chunk straight: no proof pass, no store chunk, no `Event` unless the record
//!    takes the general path (files_records.rs); the same records and bytes either way
//!    (tested on every sample, both directions, with each kind of filter).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

use super::{ChunkRecords, FileSource, Page};
use crate::cancel::CancelToken;
use crate::engine::event_ref::EventRef;
use crate::error::{Error, ErrorKind, Result};
use crate::event::FileTime;
use crate::query::{EvalScratch, QuerySource};

/// How many mapped chunks a worker may have waiting for the caller (invariant 2).
pub const AHEAD_PER_WORKER: usize = 2;

/// A file query ready to be read on a pool of threads (`Session::query_file_parallel`).
/// Nothing is decoded until it is read, with [`ParallelFileQuery::map_chunks`] or as an
/// iterator of per-chunk batches ([`IntoIterator`]).
pub struct ParallelFileQuery {
    /// The first worker's source; the others share its open file (`FileSource::sibling`).
    source: FileSource,
    path: Arc<str>,
    filter: Arc<QuerySource>,
    reverse: bool,
    threads: usize,
    token: CancelToken,
    now: FileTime,
}

/// Cancels a [`ParallelFileQuery`] (or the [`ChunkMap`] reading it) from another thread.
#[derive(Clone)]
pub struct FileQueryCanceller {
    token: CancelToken,
}

impl FileQueryCanceller {
    /// Cancels the query: its workers stop within one chunk each and the reader gets
    /// `Err(Cancelled)` (1223).
    pub fn cancel(&self) {
        self.token.cancel();
    }
}

impl ParallelFileQuery {
    pub(crate) fn new(
        source: FileSource,
        path: Arc<str>,
        filter: Arc<QuerySource>,
        reverse: bool,
        threads: usize,
        token: CancelToken,
        now: FileTime,
    ) -> ParallelFileQuery {
        ParallelFileQuery {
            source,
            path,
            filter,
            reverse,
            threads: threads.max(1),
            token,
            now,
        }
    }

    /// The file's absolute path, as its events report it.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// How many threads decode (1: the caller's own, invariant 5).
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Cancels the query (invariant 3).
    pub fn cancel(&self) {
        self.token.cancel();
    }

    /// A handle that cancels the query from another thread.
    pub fn canceller(&self) -> FileQueryCanceller {
        FileQueryCanceller {
            token: self.token.clone(),
        }
    }

    /// The query's decoded chunks alive now, and the most at once (all workers').
    #[cfg(test)]
    pub(crate) fn live_chunks(&self) -> Arc<crate::store::LiveGauge> {
        Arc::clone(&self.source.live)
    }

    /// Runs `map` on each chunk's matching events (in their order) on the worker threads,
    /// and yields its results in record order (invariant 1). Chunks with no matching event
    /// are not mapped.
    pub fn map_chunks<T, F>(self, map: F) -> Result<ChunkMap<T>>
    where
        T: Send + 'static,
        F: Fn(&[EventRef]) -> T + Send + Sync + 'static,
    {
        self.map_with(Map::Events(Arc::new(map)))
    }

    /// Runs `map` on each chunk's matching records (in their order) on the worker threads,
    /// and yields its results in record order (invariant 1), as [`map_chunks`](Self::map_chunks)
    /// does, for a closure that renders each record once: where the query's filter is
    /// applied while decoding (no filter, or one that reads only `<System>`), the records
    /// are rendered straight from the chunk in one pass and no event is made (invariant 8).
    /// A chunk may be mapped with no record left (every record failed to decode).
    pub fn map_records<T, F>(self, map: F) -> Result<ChunkMap<T>>
    where
        T: Send + 'static,
        F: Fn(&mut ChunkRecords<'_>) -> T + Send + Sync + 'static,
    {
        self.map_with(Map::Records(Arc::new(map)))
    }

    fn map_with<T: Send + 'static>(self, map: Map<T>) -> Result<ChunkMap<T>> {
        let ParallelFileQuery {
            source,
            path,
            filter,
            reverse,
            threads,
            token,
            now,
        } = self;
        let slots = source.slots;
        // No more workers than chunks: a thread costs more than a small file's reading.
        let threads = threads
            .min(usize::try_from(slots).unwrap_or(usize::MAX))
            .max(1);
        // The other workers' sources share the first one's open file.
        let mut sources = Vec::with_capacity(threads);
        for _ in 1..threads {
            sources.push(source.sibling()?);
        }
        sources.insert(0, source);
        let mut producers = sources.into_iter().map(|source| Producer {
            source,
            path: Arc::clone(&path),
            filter: Arc::clone(&filter),
            reverse,
            slots,
            scratch: EvalScratch::new(now),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let mode = if threads == 1 {
            match producers.next() {
                Some(producer) => Mode::Inline {
                    producer: Box::new(producer),
                    map,
                },
                None => Mode::Failed(None),
            }
        } else {
            let mut receivers = Vec::with_capacity(threads);
            let mut workers = Vec::with_capacity(threads);
            for (k, producer) in producers.enumerate() {
                let (tx, rx) = sync_channel(AHEAD_PER_WORKER);
                receivers.push(rx);
                let worker = Worker {
                    producer,
                    map: map.clone(),
                    token: token.clone(),
                    stop: Arc::clone(&stop),
                    first: k as u64,
                    step: threads as u64,
                    tx,
                };
                let spawned = std::thread::Builder::new()
                    .name(format!("evtlog-file-{k}"))
                    .spawn(move || worker.run());
                match spawned {
                    Ok(handle) => workers.push(handle),
                    Err(e) => {
                        let mut started = ChunkMap {
                            mode: Mode::Pool { receivers, workers },
                            token,
                            stop,
                            next: 0,
                            slots,
                            done: true,
                        };
                        started.shut_down();
                        return Err(Error::with_message(
                            ErrorKind::Io,
                            format!("cannot start a file query thread: {e}"),
                        ));
                    }
                }
            }
            Mode::Pool { receivers, workers }
        };
        Ok(ChunkMap {
            mode,
            token,
            stop,
            next: 0,
            slots,
            done: false,
        })
    }
}

impl IntoIterator for ParallelFileQuery {
    type Item = Result<Vec<EventRef>>;
    type IntoIter = ChunkMap<Vec<EventRef>>;

    /// The matching events, one batch per chunk, in record order. Each batch keeps its
    /// chunk alive while it is held. A failure to start the pool is the first item.
    fn into_iter(self) -> ChunkMap<Vec<EventRef>> {
        let token = self.token.clone();
        let slots = self.source.slots;
        self.map_chunks(|batch: &[EventRef]| batch.to_vec())
            .unwrap_or_else(|e| ChunkMap::failed(e, token, slots))
    }
}

type MapFn<T> = dyn Fn(&[EventRef]) -> T + Send + Sync;
type RecordsFn<T> = dyn Fn(&mut ChunkRecords<'_>) -> T + Send + Sync;

/// The caller's closure: over a chunk's events, or over its records.
enum Map<T> {
    Events(Arc<MapFn<T>>),
    Records(Arc<RecordsFn<T>>),
}

impl<T> Clone for Map<T> {
    fn clone(&self) -> Self {
        match self {
            Map::Events(f) => Map::Events(Arc::clone(f)),
            Map::Records(f) => Map::Records(Arc::clone(f)),
        }
    }
}

/// Decodes and filters the chunk at a place of the record order.
struct Producer {
    source: FileSource,
    path: Arc<str>,
    filter: Arc<QuerySource>,
    reverse: bool,
    slots: u64,
    scratch: EvalScratch,
}

impl Producer {
    /// The matching events of the chunk at place `place` of the query's order, mapped;
    /// `None` if none matches.
    fn produce<T>(&mut self, place: u64, map: &Map<T>) -> Result<Option<T>> {
        let ordinal = if self.reverse {
            self.slots - 1 - place
        } else {
            place
        };
        match map {
            Map::Records(map) if self.source.prefilter.is_some() => {
                self.source.render_raw(ordinal, self.reverse, &**map)
            }
            Map::Records(map) => {
                let refs = self.matching(ordinal)?;
                Ok((!refs.is_empty()).then(|| map(&mut ChunkRecords::events(&refs))))
            }
            Map::Events(map) => {
                let refs = self.matching(ordinal)?;
                Ok((!refs.is_empty()).then(|| map(&refs)))
            }
        }
    }

    /// The matching events of the chunk at place `ordinal` of the record order, in the
    /// query's order.
    fn matching(&mut self, ordinal: u64) -> Result<Vec<EventRef>> {
        let Page::Loaded(chunk) = self.source.load(ordinal)? else {
            return Ok(Vec::new());
        };
        let len = chunk.len();
        let mut refs = Vec::with_capacity(len);
        let mut push = |i: usize, refs: &mut Vec<EventRef>| {
            let matches = if chunk.all_match() {
                chunk.has_record_at(i)
            } else {
                chunk
                    .get_below_len(i)
                    .is_some_and(|event| self.filter.matches_with(event, &mut self.scratch))
            };
            if matches {
                refs.push(EventRef::new(Arc::clone(&chunk), i, Arc::clone(&self.path)));
            }
        };
        if self.reverse {
            for i in (0..len).rev() {
                push(i, &mut refs);
            }
        } else {
            for i in 0..len {
                push(i, &mut refs);
            }
        }
        Ok(refs)
    }
}

/// One pool thread: places `first`, `first + step`, … into its queue.
struct Worker<T> {
    producer: Producer,
    map: Map<T>,
    token: CancelToken,
    stop: Arc<AtomicBool>,
    first: u64,
    step: u64,
    tx: SyncSender<Result<Option<T>>>,
}

impl<T> Worker<T> {
    fn run(mut self) {
        let mut place = self.first;
        while place < self.producer.slots {
            if self.stop.load(Ordering::Acquire) {
                return;
            }
            let item = match self.token.check() {
                Ok(()) => self.producer.produce(place, &self.map),
                Err(e) => Err(e),
            };
            let failed = item.is_err();
            // The caller dropped its map: stop.
            if self.tx.send(item).is_err() || failed {
                return;
            }
            place += self.step;
        }
    }
}

enum Mode<T> {
    Inline {
        producer: Box<Producer>,
        map: Map<T>,
    },
    Pool {
        receivers: Vec<Receiver<Result<Option<T>>>>,
        workers: Vec<JoinHandle<()>>,
    },
    Failed(Option<Error>),
}

/// The results of [`ParallelFileQuery::map_chunks`], in record order: an iterator of
/// `Result<T>` that ends after the last chunk, a cancel or the first error.
pub struct ChunkMap<T> {
    mode: Mode<T>,
    token: CancelToken,
    stop: Arc<AtomicBool>,
    /// The next place of the record order to take.
    next: u64,
    slots: u64,
    done: bool,
}

impl<T> ChunkMap<T> {
    fn failed(error: Error, token: CancelToken, slots: u64) -> ChunkMap<T> {
        ChunkMap {
            mode: Mode::Failed(Some(error)),
            token,
            stop: Arc::new(AtomicBool::new(true)),
            next: 0,
            slots,
            done: false,
        }
    }

    /// Cancels the query (invariant 3).
    pub fn cancel(&self) {
        self.token.cancel();
    }

    /// A handle that cancels the query from another thread.
    pub fn canceller(&self) -> FileQueryCanceller {
        FileQueryCanceller {
            token: self.token.clone(),
        }
    }

    /// Stops the workers and waits for them; a worker's panic (the caller's closure's)
    /// resumes on this thread, unless this thread is already panicking.
    fn shut_down(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Mode::Pool { receivers, workers } = &mut self.mode {
            // Dropping the queues frees a worker blocked on a full one.
            receivers.clear();
            let mut panic = None;
            for handle in workers.drain(..) {
                if let Err(payload) = handle.join() {
                    panic.get_or_insert(payload);
                }
            }
            if let Some(payload) = panic.filter(|_| !std::thread::panicking()) {
                std::panic::resume_unwind(payload);
            }
        }
    }
}

impl<T> Iterator for ChunkMap<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        while !self.done && self.next < self.slots {
            let item = match (&mut self.mode, self.token.check()) {
                (Mode::Failed(error), _) => {
                    self.done = true;
                    return error.take().map(Err);
                }
                (_, Err(e)) => Err(e),
                (Mode::Inline { producer, map }, Ok(())) => producer.produce(self.next, map),
                (Mode::Pool { receivers, .. }, Ok(())) => {
                    let worker = (self.next % receivers.len() as u64) as usize;
                    match receivers[worker].recv() {
                        Ok(item) => item,
                        // A worker closes its queue early only after sending an error, when
                        // stopped by a cancel, or when the closure panicked: the panic goes
                        // on on this thread, as a scoped thread's would.
                        Err(_) => {
                            self.done = true;
                            self.shut_down();
                            Err(Error::new(ErrorKind::Cancelled))
                        }
                    }
                }
            };
            self.next += 1;
            match item {
                Ok(None) => continue,
                Ok(Some(value)) => return Some(Ok(value)),
                Err(e) => {
                    self.done = true;
                    self.shut_down();
                    return Some(Err(e));
                }
            }
        }
        if let Mode::Failed(error) = &mut self.mode {
            self.done = true;
            return error.take().map(Err);
        }
        self.done = true;
        self.shut_down();
        None
    }
}

impl<T> Drop for ChunkMap<T> {
    fn drop(&mut self) {
        self.shut_down();
    }
}

#[cfg(test)]
#[path = "files_parallel_tests.rs"]
mod tests;

impl std::fmt::Debug for ParallelFileQuery {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ParallelFileQuery")
            .field("path", &self.path)
            .field("reverse", &self.reverse)
            .field("threads", &self.threads)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for FileQueryCanceller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileQueryCanceller").finish_non_exhaustive()
    }
}

impl<T> std::fmt::Debug for ChunkMap<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkMap")
            .field("next", &self.next)
            .field("slots", &self.slots)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}
