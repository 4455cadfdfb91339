//! The scan: one call's walk over a result set's sources ([`Scan`], the per-call context),
//! batch by batch with the pause point, the cancel poll and the timeout at each batch
//! boundary (results invariant 2), and the merge of several sources by time ([`step`]).
//! [`live_batch`] is a subscription's scan over the same machinery.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::cursor::{Cursor, SourceCursor, SourceKind};
use super::COLUMN_ENTRIES_PER_RECORD;
use crate::cancel::CancelToken;
use crate::engine::event_ref::EventRef;
use crate::engine::faults::CallKind;
use crate::engine::paged::Located;
use crate::engine::Engine;
use crate::error::{Error, ErrorKind, Result};
use crate::event::{FileTime, SystemFields};
use crate::query::EvalScratch;
use crate::query::QuerySource;
use crate::store::{Chunk, DataNames, Probe, Reads};

/// Why a scan stopped early.
pub(super) enum Stop {
    TimeUp,
}

/// The per-call context of a scan: cancellation, pause points, timeout, scratch.
pub(super) struct Scan<'a> {
    engine: &'a Engine,
    pub(super) call: CancelToken,
    kind: CallKind,
    batch: u64,
    scanned: u64,
    start: FileTime,
    /// In 100-ns ticks; `None` is infinite.
    timeout: Option<u64>,
    scan_cost: u64,
    pub(super) poll_interval: usize,
    scratch: EvalScratch,
    /// The event a compact chunk's record is read into to be filtered (store chunk C7).
    probe: Probe,
    /// The filter `probe_reads` was worked out for (an address; 0: none), and what that
    /// filter reads beyond `<System>`: nothing (`Some` of no names), only `<Data>` of
    /// these names, or anything (`None`).
    probe_filter: usize,
    probe_reads: Option<Vec<String>>,
    probe_system_only: bool,
    /// The `<System>` children that filter reads.
    probe_fields: SystemFields,
    /// Batches scanned before the timeout is first checked (1 for a subscription's scan, so
    /// that a zero timeout still returns the events at hand).
    untimed_batches: u64,
    /// Records examined before the timeout is first checked (a query's `next` reads one
    /// poll interval's worth whatever its timeout, so a zero timeout is a poll).
    pub(super) untimed_records: u64,
    /// Chunks passed whole on their EventID summary since the last poll for them.
    passed_chunks: u32,
    /// A column entry's weight in a batch, and the passed chunks that make one: lighter
    /// than a record for an untimed call; a timed call's batches stay in records and a
    /// passed chunk is a batch, so its timeout is checked where it always was.
    entry_weight: usize,
    passed_per_batch: u32,
}

impl<'a> Scan<'a> {
    pub(super) fn new(
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
            probe: Probe::default(),
            probe_filter: 0,
            probe_reads: None,
            probe_system_only: false,
            probe_fields: SystemFields::ALL,
            untimed_batches: 0,
            untimed_records: 0,
            passed_chunks: 0,
            entry_weight: if timeout.is_some() {
                COLUMN_ENTRIES_PER_RECORD
            } else {
                1
            },
            passed_per_batch: if timeout.is_some() {
                1
            } else {
                PASSED_CHUNKS_PER_BATCH
            },
        }
    }

    /// The call's cancel node, the rest of the scan dropped (a cancelled `next` keeps the
    /// node for later: results invariant 10).
    pub(super) fn into_call(self) -> CancelToken {
        self.call
    }

    /// Before each batch: the pause point, the cancel poll, the timeout. The common case, a
    /// running engine with no pause point armed and no timeout, is inlined: two tests, then
    /// the cancel poll, whose way out stays in the scan's own code and allocates nothing
    /// (code and allocator lines reached only on the way out are cold after a long walk).
    /// Anything else takes [`batch_boundary_full`](Self::batch_boundary_full), which this
    /// equals (tested case by case: `the_fast_boundary_equals_the_full_one`).
    #[inline(always)]
    fn batch_boundary(&mut self) -> Result<Option<Stop>> {
        if self.timeout.is_none() && self.engine.is_quiet() {
            self.batch += 1;
            if self.call.is_cancelled() {
                return Err(Error::new(ErrorKind::Cancelled));
            }
            return Ok(None);
        }
        self.batch_boundary_full()
    }

    /// Every step of a batch boundary in turn: the pause point, the cancel poll, the timeout.
    #[inline(never)]
    fn batch_boundary_full(&mut self) -> Result<Option<Stop>> {
        self.engine.checkpoint(self.kind, self.batch, &self.call)?;
        self.batch += 1;
        if self.call.is_cancelled() {
            return Err(Error::new(ErrorKind::Cancelled));
        }
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
        // A file's chunk, or a persistent channel's page, is decoded when the cursor enters
        // it, the call polled first.
        let located = match &mut source.kind {
            SourceKind::Channel {
                snapshot, pages, ..
            } => snapshot.locate(&mut source.next_id, reverse, pages, &scan.call)?,
            SourceKind::File(file) => file.locate(&mut source.next_id, reverse, &scan.call)?,
        };
        let (chunk, slot) = match located {
            Located::At(chunk, index) => (chunk, index),
            Located::Skipped { records } => {
                // A chunk the prefilter emptied: a batch of its records.
                scan.scanned += records;
                if let Some(stop) = scan.batch_boundary()? {
                    return Ok(Some(stop));
                }
                continue;
            }
            Located::End => {
                if let SourceKind::Channel {
                    channel, snapshot, ..
                } = &mut source.kind
                {
                    if !reverse && source.next_id >= snapshot.end_record_id() {
                        // Live: look for events appended since the snapshot (only the
                        // chunks from the cursor on).
                        let fresh = channel.view_from(source.next_id);
                        if fresh.end_record_id() > snapshot.end_record_id() {
                            *snapshot = Arc::new(fresh);
                            continue;
                        }
                    }
                }
                return Ok(None);
            }
        };
        let first = chunk.first_record_id();
        // A store chunk whose EventID summary the filter's bound misses (chunk C9) holds no
        // match: passed whole, its records counted as scanned (timeout, scan cost). Its
        // length is loaded before its summary, which covers those records.
        if let (Some(ids), Some(hull)) = (source.event_ids.as_deref(), source.id_hull.as_ref()) {
            let len = chunk.len();
            if let Some(summary) = chunk.event_id_summary() {
                if !ids.may_meet(hull, summary.min, summary.max, summary.residues) {
                    let (records, next) = if reverse {
                        (slot + 1, first)
                    } else {
                        (len.saturating_sub(slot), first + len as u64)
                    };
                    scan.scanned += records as u64;
                    source.next_id = next;
                    // A run of passes reads chunk headers in turn, each a miss in a large
                    // log: start loading a later one's.
                    if let SourceKind::Channel {
                        snapshot, pages, ..
                    } = &source.kind
                    {
                        let ahead = if reverse {
                            pages.tail_chunk.checked_sub(PASS_AHEAD)
                        } else {
                            pages.tail_chunk.checked_add(PASS_AHEAD)
                        };
                        if let Some(chunk) = ahead.and_then(|c| snapshot.tail.chunks().get(c)) {
                            crate::prefetch::prefetch(&**chunk);
                        }
                    }
                    // A run of passed chunks polls once per batch's work of them.
                    scan.passed_chunks += 1;
                    if scan.passed_chunks >= scan.passed_per_batch {
                        scan.passed_chunks = 0;
                        if let Some(stop) = scan.batch_boundary()? {
                            return Ok(Some(stop));
                        }
                    }
                    continue;
                }
            }
        }
        if let Some(stop) = scan.batch_boundary()? {
            return Ok(Some(stop));
        }
        // Batches of at most one poll interval's work (`first_match`): the first one's
        // boundary was passed above.
        if reverse {
            let mut end = slot + 1;
            loop {
                let (found, examined) = first_match(&chunk, (0..end).rev(), source, scan);
                scan.scanned += examined as u64;
                if let Some(i) = found {
                    source.head = Some(head(&chunk, i, source));
                    source.next_id = first + i as u64;
                    return Ok(None);
                }
                end -= examined;
                source.next_id = first + end as u64;
                if end == 0 {
                    break;
                }
                if let Some(stop) = scan.batch_boundary()? {
                    return Ok(Some(stop));
                }
            }
        } else {
            let len = chunk.len();
            let mut start = slot;
            while start < len {
                let (found, examined) = first_match(&chunk, start..len, source, scan);
                scan.scanned += examined as u64;
                if let Some(i) = found {
                    // A forward reader takes the records in turn: start loading a later one.
                    chunk.prefetch(i.saturating_add(PREFETCH_AHEAD));
                    source.head = Some(head(&chunk, i, source));
                    source.next_id = first + i as u64 + 1;
                    return Ok(None);
                }
                start += examined;
                source.next_id = first + start as u64;
                if start < len {
                    if let Some(stop) = scan.batch_boundary()? {
                        return Ok(Some(stop));
                    }
                }
            }
        }
    }
}

/// The first of `indices` (records below a `len()` the caller loaded, in the order given)
/// whose record matches the source's filter, within one batch's work, and how many indices
/// it examined (at least one; the match included). A batch is `poll_interval` records
/// evaluated, a column entry passed over weighing 1/[`COLUMN_ENTRIES_PER_RECORD`] of one.
/// Where the filter bounds the EventID and the chunk keeps an EventID column (chunk C8), a
/// record whose id is out of bounds is passed over on its column entry, without reading it.
#[inline]
fn first_match(
    chunk: &Chunk,
    indices: impl Iterator<Item = usize>,
    source: &SourceCursor,
    scan: &mut Scan<'_>,
) -> (Option<usize>, usize) {
    let budget = scan.poll_interval.saturating_mul(COLUMN_ENTRIES_PER_RECORD);
    let mut work = 0usize;
    let mut examined = 0usize;
    if let (Some(ids), Some(column)) = (source.event_ids.as_deref(), chunk.event_id_column()) {
        for i in indices {
            examined += 1;
            let passed = column
                .get(i)
                .is_some_and(|id| !ids.contains(id.load(Ordering::Relaxed)));
            if passed {
                work += scan.entry_weight;
            } else {
                if record_matches(chunk, i, source, scan) {
                    return (Some(i), examined);
                }
                work += COLUMN_ENTRIES_PER_RECORD;
            }
            if work >= budget {
                break;
            }
        }
        return (None, examined);
    }
    for i in indices {
        examined += 1;
        if record_matches(chunk, i, source, scan) {
            return (Some(i), examined);
        }
        if examined >= scan.poll_interval {
            break;
        }
    }
    (None, examined)
}

/// True if record `i` of `chunk` matches the source's filter. `i` is below a `len()` the
/// caller loaded, so the slot is published.
#[inline]
fn record_matches(chunk: &Chunk, i: usize, source: &SourceCursor, scan: &mut Scan<'_>) -> bool {
    // A file chunk decoded for this query holds only its matches (files.rs invariant 7).
    if chunk.all_match() {
        // A persistent channel's page may lack records (filtered out while decoding).
        return chunk.has_record_at(i);
    }
    if let Some(records) = chunk.compact() {
        // A compact record is read into the probe: its System columns, and the rest only
        // for a filter that reads beyond `<System>` (compact.rs K2).
        let filter = Arc::as_ptr(&source.filter) as usize;
        if scan.probe_filter != filter {
            scan.probe_filter = filter;
            scan.probe_system_only = source.filter.reads_system_only();
            let data = source.filter.data_reads();
            scan.probe_fields = match &data {
                Some((_, fields)) if !scan.probe_system_only => *fields,
                _ => source.filter.system_fields(),
            };
            scan.probe_reads = data.map(|(names, _)| names);
        }
        let reads = match &scan.probe_reads {
            _ if scan.probe_system_only => Reads::System,
            Some(names) => Reads::Data(DataNames {
                names,
                matches: QuerySource::data_name_matches,
            }),
            None => Reads::All,
        };
        return records
            .fill(i, reads, scan.probe_fields, &mut scan.probe)
            .is_some_and(|event| source.filter.matches_with(event, &mut scan.scratch));
    }
    chunk
        .get_below_len(i)
        .is_some_and(|event| source.filter.matches_with(event, &mut scan.scratch))
}

/// The head entry for record `i` of `chunk`.
fn head(chunk: &Arc<Chunk>, i: usize, source: &SourceCursor) -> EventRef {
    EventRef::new(Arc::clone(chunk), i, Arc::clone(&source.path))
}

/// How many chunks passed whole on their EventID summary (chunk C9) weigh one batch. A
/// pass reads two chunk headers and the summary (~10-20 ns, more when cold), so eight make
/// a batch of about the time of one on the column path (~0.1-0.3 µs).
const PASSED_CHUNKS_PER_BATCH: u32 = 8;

/// How many chunks ahead of the one passed a run of passes hints the cache.
const PASS_AHEAD: usize = 4;

/// How many records ahead of the one it hands out a forward scan hints the cache.
const PREFETCH_AHEAD: usize = 4;

/// Takes the next event of the merged sequence; `Ok(Err(TimeUp))` if the timeout came first.
pub(super) fn step(
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
        let best_time = *best.2.get_or_insert_with(|| best.1.merge_time());
        let time = event.merge_time();
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

/// The number of events in the whole sequence.
pub(super) fn count_all(initial: &Cursor, reverse: bool, scan: &mut Scan<'_>) -> Result<u64> {
    let mut cursor = initial.clone();
    loop {
        match step(&mut cursor, reverse, scan)? {
            Ok(Some(_)) => {}
            Ok(None) => return Ok(cursor.position),
            Err(Stop::TimeUp) => return Err(Error::new(ErrorKind::InvalidOperation)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cancel::NodeKind;

    /// A query of channel `name` in a new session, oldest or newest first.
    fn query_of(
        engine: &Engine,
        name: &str,
        xpath: &str,
        reverse: bool,
    ) -> crate::engine::ResultSet {
        let flags = if reverse {
            crate::engine::QueryFlags::REVERSE_DIRECTION
        } else {
            crate::engine::QueryFlags::default()
        };
        engine
            .open_session()
            .query(Some(name), Some(xpath), flags)
            .expect("query")
    }

    /// What a batch boundary did, to compare two paths by: its outcome and the batch count.
    fn outcome(scan: &Scan<'_>, result: Result<Option<Stop>>) -> (String, u64) {
        let outcome = match result {
            Ok(None) => "on".to_owned(),
            Ok(Some(Stop::TimeUp)) => "time up".to_owned(),
            Err(e) => format!("{:?}", e.kind()),
        };
        (outcome, scan.batch)
    }

    /// The inlined boundary equals the full one in every state it tests: service running or
    /// stopped, a pause point armed for another call, the call or its scope cancelled or
    /// not, no timeout, a zero or a long one, timed from the start or not, at each of the
    /// first batches.
    #[test]
    fn the_fast_boundary_equals_the_full_one() {
        let timeouts = [None, Some(Duration::ZERO), Some(Duration::from_secs(1000))];
        for stopped in [false, true] {
            for armed_elsewhere in [false, true] {
                let engine = Engine::new();
                if stopped {
                    engine.stop_service();
                }
                let _pause = armed_elsewhere.then(|| engine.pause_at(CallKind::Clear, 0));
                for cancelled in ["none", "call", "scope"] {
                    for timeout in timeouts {
                        for untimed_records in [0, u64::MAX] {
                            let scope = CancelToken::root().child(NodeKind::Scope);
                            let mut fast = Scan::new(
                                &engine,
                                scope.child(NodeKind::Call),
                                CallKind::Next,
                                timeout,
                            );
                            let mut full = Scan::new(
                                &engine,
                                scope.child(NodeKind::Call),
                                CallKind::Next,
                                timeout,
                            );
                            for scan in [&mut fast, &mut full] {
                                scan.untimed_records = untimed_records;
                                if cancelled == "call" {
                                    scan.call.cancel();
                                }
                            }
                            if cancelled == "scope" {
                                scope.cancel();
                            }
                            for batch in 0..4 {
                                let a = fast.batch_boundary();
                                let a = outcome(&fast, a);
                                let b = full.batch_boundary_full();
                                let b = outcome(&full, b);
                                assert_eq!(
                                    a, b,
                                    "stopped {stopped}, armed elsewhere {armed_elsewhere}, \
                                     cancelled {cancelled}, timeout {timeout:?}, untimed \
                                     {untimed_records}, batch {batch}"
                                );
                                fast.scanned += 64;
                                full.scanned += 64;
                            }
                        }
                    }
                }
            }
        }
    }

    /// An unbounded channel `name` of events with these ids (and `level`), held as events.
    fn channel_of(engine: &Engine, name: &str, ids: impl Iterator<Item = u16>, level: u8) {
        use crate::engine::{ChannelConfig, ChannelType};
        let config = ChannelConfig::new(name, ChannelType::Operational)
            .with_max_size(ChannelConfig::UNBOUNDED);
        let channel = engine.create_channel(config).expect("channel");
        channel.set_hot_window(u64::MAX);
        for id in ids {
            let event = crate::event::Event::builder("P")
                .event_id(id)
                .level(level)
                .build();
            channel.append(event).expect("append");
        }
    }

    /// One `fill_head` of a query on `name`: the batch boundaries it passed, the records it
    /// counted, the head's record id, and the chunks' lengths.
    fn one_fill(
        engine: &Engine,
        name: &str,
        xpath: &str,
        reverse: bool,
        timeout: Option<Duration>,
    ) -> (u64, u64, Option<u64>, Vec<usize>) {
        let rs = query_of(engine, name, xpath, reverse);
        let mut cursor = rs.inner.state.lock().cursor.clone();
        let call = CancelToken::root().child(NodeKind::Call);
        let mut scan = Scan::new(engine, call, CallKind::Next, timeout);
        let source = &mut cursor.sources[0];
        assert!(matches!(fill_head(source, reverse, &mut scan), Ok(None)));
        let lens = engine
            .channel(name)
            .expect("channel")
            .snapshot()
            .chunks()
            .iter()
            .map(|c| c.len())
            .collect();
        let head = source.head.as_ref().map(EventRef::record_id);
        (scan.batch, scan.scanned, head, lens)
    }

    /// A batch is `poll_interval` records evaluated or four times as many column entries
    /// passed over; a timed call's batches stay in records. Ids 0..128 without 5 (69 keeps
    /// residue 5 in every chunk's summary), so `EventID=5` walks every column.
    #[test]
    fn column_entries_weigh_a_quarter_of_a_record() {
        let engine = Engine::new();
        engine.set_poll_interval(16);
        let ids = (0..1000u16).map(|i| if i % 128 == 5 { 6 } else { i % 128 });
        channel_of(&engine, "Walk", ids, 4);
        let batches = |lens: &[usize], per: usize| -> u64 {
            lens.iter().map(|l| l.div_ceil(per) as u64).sum()
        };
        for reverse in [false, true] {
            let (n, scanned, head, lens) =
                one_fill(&engine, "Walk", "*[System[EventID=5]]", reverse, None);
            assert!(lens.len() > 1, "{lens:?}");
            assert_eq!((scanned, head), (1000, None));
            assert_eq!(n, batches(&lens, 64), "column walk, reverse {reverse}");
            let timed = Some(Duration::from_secs(1000));
            let (n, ..) = one_fill(&engine, "Walk", "*[System[EventID=5]]", reverse, timed);
            assert_eq!(
                n,
                batches(&lens, 16),
                "timed column walk, reverse {reverse}"
            );
            let every = "*[System[EventID>=0 and Level=9]]";
            let (n, scanned, head, _) = one_fill(&engine, "Walk", every, reverse, None);
            assert_eq!((scanned, head), (1000, None));
            assert_eq!(
                n,
                batches(&lens, 16),
                "records evaluated, reverse {reverse}"
            );
        }
    }

    /// Chunks whose summary misses the bound are passed whole, polled once per eight
    /// (once each in a timed call), their records counted; a chunk that holds the match is
    /// entered and the match found.
    #[test]
    fn chunks_are_passed_on_their_summary() {
        let engine = Engine::new();
        let ids = (0..3000u16).map(|i| if i == 2500 { 2 } else { 1 });
        channel_of(&engine, "Pass", ids, 4);
        for reverse in [false, true] {
            let (n, scanned, head, lens) =
                one_fill(&engine, "Pass", "*[System[EventID=3]]", reverse, None);
            assert!(lens.len() >= 8, "{lens:?}");
            assert_eq!((scanned, head), (3000, None));
            assert_eq!(n, lens.len() as u64 / 8, "reverse {reverse}");
            let timed = Some(Duration::from_secs(1000));
            let (n, ..) = one_fill(&engine, "Pass", "*[System[EventID=3]]", reverse, timed);
            assert_eq!(n, lens.len() as u64, "timed, reverse {reverse}");
            let (_, _, head, _) = one_fill(&engine, "Pass", "*[System[EventID=2]]", reverse, None);
            assert_eq!(head, Some(2501), "reverse {reverse}");
        }
        // Matches at the first and last record of chunks beside passed ones: a pass must
        // stop exactly at its chunk's ends.
        let lens = one_fill(&engine, "Pass", "*[System[EventID=3]]", false, None).3;
        let mut ends = Vec::new();
        let mut first = 1u64;
        for (c, len) in lens.iter().enumerate() {
            if c % 3 == 1 {
                ends.push(first);
            }
            if c % 3 == 2 {
                ends.push(first + *len as u64 - 1);
            }
            first += *len as u64;
        }
        let ids = (1..=3000u64).map(|id| if ends.contains(&id) { 2 } else { 1 });
        channel_of(&engine, "Ends", ids, 4);
        for reverse in [false, true] {
            let rs = query_of(&engine, "Ends", "*[System[EventID=2]]", reverse);
            let mut got = Vec::new();
            while let Ok(super::super::Next::Events(events)) = rs.next(1, None) {
                got.extend(events.iter().map(EventRef::record_id));
            }
            if reverse {
                got.reverse();
            }
            assert_eq!(got, ends, "reverse {reverse}");
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

        /// A query's matches, forward and reverse, whatever chunks its summaries pass and
        /// batches its column walk makes, are those of evaluating every record. Runs of
        /// ids (so that chunks' summaries differ), events held or compact, any interval.
        #[test]
        fn passing_chunks_finds_what_evaluating_every_record_finds(
            runs in proptest::collection::vec((0u16..300, 1usize..400), 1..12),
            filter in proptest::sample::select(vec![
                "*[System[EventID=5]]",
                "*[System[EventID=69 or EventID=200]]",
                "*[System[EventID>=120 and EventID<=140]]",
                "*[System[EventID!=5 and Level=4]]",
                "*[System[EventID=64 or (EventID=128 and Level=4)]]",
                "*[System[EventID>250]]",
                "*[System[EventID=299 or EventID=0]]",
            ]),
            interval in 1usize..100,
            compact in proptest::bool::ANY,
        ) {
            use crate::query::XPathFilter;
            let engine = Engine::new();
            engine.set_poll_interval(interval);
            let ids = runs.iter().flat_map(|&(id, n)| std::iter::repeat_n(id, n));
            channel_of(&engine, "Runs", ids, 4);
            let channel = engine.channel("Runs").expect("channel");
            if compact {
                channel.set_hot_window(0);
            }
            let compiled = XPathFilter::compile(filter).expect("compiles");
            let naive: Vec<u64> = channel
                .snapshot()
                .iter()
                .filter(|e| compiled.matches(e, FileTime(0)))
                .filter_map(|e| e.system.event_record_id)
                .collect();
            for reverse in [false, true] {
                let rs = query_of(&engine, "Runs", filter, reverse);
                let mut got = Vec::new();
                while let Ok(super::super::Next::Events(events)) = rs.next(100, None) {
                    got.extend(events.iter().map(EventRef::record_id));
                }
                if reverse {
                    got.reverse();
                }
                proptest::prop_assert_eq!(&got, &naive, "reverse {}", reverse);
            }
        }
    }

    /// A pause point armed for the call's batch stops the inlined boundary too.
    #[test]
    fn the_fast_boundary_stops_at_an_armed_pause_point() {
        let engine = Engine::new();
        let pause = engine.pause_at(CallKind::Next, 2);
        let scope = CancelToken::root().child(NodeKind::Scope);
        let mut scan = Scan::new(&engine, scope.child(NodeKind::Call), CallKind::Next, None);
        std::thread::scope(|s| {
            let worker = s.spawn(move || {
                (0..4)
                    .map(|_| matches!(scan.batch_boundary(), Ok(None)))
                    .collect::<Vec<bool>>()
            });
            let stopped = pause.wait_stopped_timeout(1, Duration::from_secs(10));
            pause.release();
            let passed = worker.join().expect("worker");
            assert!(stopped, "the call did not stop at batch 2");
            assert_eq!(passed, [true; 4]);
        });
    }
}
