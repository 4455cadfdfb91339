//! Query result sets: [`ResultSet`] (EvtQuery's handle), [`Next`] and [`EventRef`]s. The
//! handle is here; its position (per-source cursors) is `cursor.rs`, the walk (batches,
//! cancel polls, the merge) `scan.rs`, and the events it hands out `event_ref.rs`.
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
//!    records already scanned are not scanned again: none of them matched. Under the
//!    `evtnext-1734` quirk a batch over the data cap commits, then fails 1734, as Windows
//!    consumes it: quirks.rs invariant 3.)
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
//! 10. A cancelled call does the same work at any log size, but not at the same speed: a
//!     walk over 10^7 records streams gigabytes through the caches and the TLB, so every
//!     line its way out touches is a miss (~0.3 µs each in this VM). The way out is kept
//!     short: the poll is one load of the call's own flag, the Cancelled error allocates
//!     nothing (error.rs), the event vector is allocated at the first match, the
//!     next chunk is found from the current one (paged.rs invariant 5), and a cancelled
//!     `next` sets its cursor copy (3) and its cancelled call node aside in the state's
//!     `spent` slot, under the state lock it already holds (no second lock on the way out),
//!     instead of dropping them (~5 µs at 10^7 records): the next call on the result set
//!     drops them, or the result set's own drop. Until then they hold what they held (a
//!     snapshot, at most one). The call's poll also reads the result set's own flag (cancel
//!     invariant 8), so EvtCancel stops it as soon as that flag is stored, before the
//!     cancel's walk reaches the call. See docs/src/performance.md, "Cancel latency at
//!     every log size" and "Cancel latency, session 7".

mod cursor;
mod scan;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;

pub(crate) use cursor::{Cursor, SourceCursor};
pub(crate) use scan::live_batch;

use super::bookmark::{same_channel, Bookmark};
use super::event_ref::EventRef;
use super::faults::CallKind;
#[cfg(test)]
use super::files::FileSource;
use super::flags::{QueryFlags, SeekFlags, SeekOrigin};
use super::quirks::{BatchGuard, Quirk};
use super::Engine;
use crate::cancel::{CancelFlag, CancelToken, NodeKind};
use crate::error::{Error, ErrorKind, Result};
use crate::query::Query;
use scan::{count_all, step, Scan, Stop};

/// The most events one `next` may ask for (MAX_RPC_RECORD_COUNT, EvtNext's documented limit).
pub const MAX_NEXT_COUNT: usize = 1024;

/// The default batch a scan polls cancellation on: at most this many records evaluated
/// (or [`COLUMN_ENTRIES_PER_RECORD`] times as many EventID column entries), within one
/// chunk. A chunk (64 KiB, ~100 to 256 records) can take ~20 µs to scan when it is not in
/// cache; 64 keeps the wait for a cancel short at the cost of one atomic load per batch.
pub const DEFAULT_POLL_INTERVAL: usize = 64;

/// How many EventID column entries weigh as much, in a batch, as one record read and
/// evaluated: a batch is `poll_interval` records evaluated, or four times as many entries
/// passed over on the column (~0.3 ns against ~1.2 ns a record on the column path, so a
/// batch takes about as long either way and the boundary's ~4 ns stays a small share).
pub const COLUMN_ENTRIES_PER_RECORD: usize = 4;

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

/// A query's result set: EvtQuery's handle. Clone it to use it from several threads (one
/// call runs at a time; `cancel` and `close` work while a call is in flight).
#[derive(Clone)]
pub struct ResultSet {
    pub(crate) inner: Arc<ResultSetInner>,
    /// `inner.token`'s cancel, kept in the handle: EvtCancel's store is one load away from
    /// the caller's handle, not two (after a long walk either line may be cold).
    flag: CancelFlag,
}

pub(crate) struct ResultSetInner {
    engine: Engine,
    token: CancelToken,
    closed: AtomicBool,
    stale: AtomicBool,
    reverse: bool,
    /// The cursor at query time, from which seeks count.
    initial: Cursor,
    state: Mutex<State>,
    /// Per path: the Win32 status of resolving it (0, or 15007 under TolerateQueryErrors).
    pub(crate) statuses: Vec<(String, u32)>,
}

impl ResultSet {
    /// EvtQuery's result set once the query is parsed: its sources opened on `engine` in
    /// the direction `flags` say (`Session::query` documents the errors), then, unless
    /// `call` was cancelled meanwhile, a result set whose cancel scope is a child of
    /// `scope` (its session's).
    pub(crate) fn open(
        engine: &Engine,
        parsed: &Query,
        flags: QueryFlags,
        call: &CancelToken,
        scope: &CancelToken,
    ) -> Result<ResultSet> {
        let (cursor, statuses) = Cursor::open(engine, parsed, flags)?;
        call.check()?;
        Ok(ResultSet::new(
            engine.clone(),
            scope.child(NodeKind::Scope),
            flags.contains(QueryFlags::REVERSE_DIRECTION),
            cursor,
            statuses,
        ))
    }

    fn new(
        engine: Engine,
        token: CancelToken,
        reverse: bool,
        cursor: Cursor,
        statuses: Vec<(String, u32)>,
    ) -> ResultSet {
        ResultSet::from_inner(Arc::new(ResultSetInner {
            engine,
            token,
            closed: AtomicBool::new(false),
            stale: AtomicBool::new(false),
            reverse,
            initial: cursor.clone(),
            state: Mutex::new(State {
                cursor,
                spent: None,
            }),
            statuses,
        }))
    }

    /// A handle on a result set.
    pub(crate) fn from_inner(inner: Arc<ResultSetInner>) -> ResultSet {
        let flag = inner.token.flag();
        ResultSet { inner, flag }
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
        let _fault = self.inner.engine.enter_fault("EvtNext")?;
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
        let quirks = inner.engine.quirks();
        scan.untimed_records = if quirks.contains(Quirk::UntimedQueryScan) {
            u64::MAX
        } else {
            scan.poll_interval as u64
        };
        let mut batch = BatchGuard::new(quirks);
        let mut cursor = state.cursor.clone();
        // Allocated at the first match: a call cancelled before any frees nothing on its
        // way out (after a long walk the allocator's lines are cold: results invariant 10).
        let mut events = Vec::new();
        let mut timed_out = false;
        while events.len() < count {
            batch.mark(&cursor);
            let stepped = match self.guard(step(&mut cursor, inner.reverse, &mut scan)) {
                Ok(stepped) => stepped,
                Err(e) => return Err(set_aside(&mut state, e, cursor, scan)),
            };
            match stepped {
                Ok(Some(event)) => {
                    let size = || event.event().approx_record_size();
                    if !batch.admit(size, events.len(), &mut cursor) {
                        break;
                    }
                    if events.capacity() == 0 {
                        events.reserve(count.min(64));
                    }
                    events.push(event)
                }
                Ok(None) => break,
                Err(Stop::TimeUp) => {
                    timed_out = true;
                    break;
                }
            }
        }
        // A cancel that arrived after the last batch still cancels the call.
        if let Err(e) = scan.call.check() {
            return Err(set_aside(&mut state, e, cursor, scan));
        }
        state.cursor = cursor;
        batch.check(events.len())?;
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
        let _fault = self.inner.engine.enter_fault("EvtSeek")?;
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
            SeekOrigin::Current => i128::from(state.cursor.position) + i128::from(offset),
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
        state.cursor = cursor;
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
        let _fault = self.inner.engine.enter_fault("EvtSeek")?;
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
            .filter(|(channel, _)| {
                state
                    .cursor
                    .sources
                    .iter()
                    .any(|s| same_channel(&s.path, channel))
            })
            .or_else(|| {
                state.cursor.sources.iter().find_map(|s| {
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
        state.cursor = cursor;
        Ok(())
    }

    /// EvtCancel on the result set: the call in flight returns `Cancelled`, and so does every
    /// later call, until the result set is closed. Idempotent. Inlined: the caller's first
    /// steps are the load of the flag's node from this handle, and the flag's store.
    #[inline]
    pub fn cancel(&self) {
        self.flag.cancel();
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

    /// The engine (the computer's service) the result set reads.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
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

    /// Starts a call of `kind`: checks the handle is usable, locks the state, drops what a
    /// cancelled call before it set aside, and registers the call's cancel node under the
    /// result set (born cancelled if the result set is).
    fn begin(
        &self,
        kind: CallKind,
        timeout: Option<Duration>,
    ) -> Result<(parking_lot::MutexGuard<'_, State>, Scan<'_>)> {
        let mut state = self.lock_state()?;
        let inner = &*self.inner;
        drop(state.spent.take());
        // A stopped service fails the call even where the scan reaches no batch (lifecycle.rs).
        inner.engine.check_service()?;
        let scan = Scan::new(
            &inner.engine,
            inner.token.child(NodeKind::Call),
            kind,
            timeout,
        );
        // A cancelled result set fails every later call with Cancelled, before any check of
        // the arguments against the results (a strict seek out of range, an empty source
        // that a walk never polls).
        scan.call.check()?;
        Ok((state, scan))
    }

    /// Locks the state after checking the handle is usable.
    fn lock_state(&self) -> Result<parking_lot::MutexGuard<'_, State>> {
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
        // A cancel is sticky until close, stale or not: checked first.
        inner.token.check()?;
        let stale = state.cursor.sources.iter().any(SourceCursor::is_stale);
        if inner.stale.load(Ordering::Acquire) || stale {
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

/// A result set's committed position, and what a cancelled `next` set aside: both under
/// the one state lock, so that the way out of a cancelled call writes where it unlocks
/// (invariant 10).
struct State {
    cursor: Cursor,
    /// A cancelled `next`'s cursor copy and cancel node (a cancelled node, out of the tree),
    /// dropped by the next call or with the result set (invariant 10).
    spent: Option<(Cursor, CancelToken)>,
}

/// On a `next` failing with `e`: if its call was cancelled, keeps the call's cursor copy and
/// cancel node in `state.spent` rather than dropping them on the way out (invariant 10).
/// Returns `e`.
fn set_aside(state: &mut State, e: Error, cursor: Cursor, scan: Scan<'_>) -> Error {
    if scan.call.is_cancelled() {
        state.spent = Some((cursor, scan.into_call()));
    }
    e
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

impl fmt::Debug for ResultSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResultSet")
            .field("reverse", &self.inner.reverse)
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}
