//! Store tests: ids, chunking, retention, clear, generation, snapshots under a concurrent
//! writer, and a property test against a naive `Vec` model.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use proptest::prelude::*;

use super::*;
use crate::event::Event;
use crate::ErrorKind;

/// An event whose `approx_record_size` grows with `payload` (2 bytes per char).
/// An event of `payload` bytes of data, its EventID spread by the payload (chunk C9's
/// summaries then differ from chunk to chunk).
fn event_with_payload(payload: usize) -> Event {
    Event::builder("Test-Provider")
        .event_id(u16::try_from(payload.wrapping_mul(2_654_435_761) % 65_536).unwrap_or(1))
        .data("Payload", "x".repeat(payload))
        .build()
}

fn small_event() -> Event {
    Event::builder("P").event_id(7).build()
}

fn ids(snapshot: &Snapshot) -> Vec<u64> {
    snapshot
        .iter()
        .map(|e| e.system.event_record_id.unwrap_or(0))
        .collect()
}

#[test]
fn ids_start_at_one_and_are_written_into_the_event() {
    let store = MemoryStore::new(UNBOUNDED, Retention::Overwrite);
    assert_eq!(store.next_record_id(), 1);
    assert_eq!(store.oldest_record_id(), None);
    for expected in 1..=1000u64 {
        let mut event = small_event();
        event.system.event_record_id = Some(999_999); // the store owns the sequence
        assert_eq!(store.append(event).ok(), Some(expected));
    }
    assert_eq!(store.record_count(), 1000);
    assert_eq!(store.oldest_record_id(), Some(1));
    assert_eq!(store.next_record_id(), 1001);
    let snap = store.snapshot();
    assert_eq!(ids(&snap), (1..=1000).collect::<Vec<_>>());
    assert_eq!(snap.end_record_id(), 1001);
    assert_eq!(snap.len(), 1000);
    assert_eq!(store.generation(), 0);
}

#[test]
fn chunks_hold_at_most_256_records_and_64_kib() {
    let store = MemoryStore::new(UNBOUNDED, Retention::Overwrite);
    for _ in 0..1000 {
        assert!(store.append(small_event()).is_ok());
    }
    for _ in 0..200 {
        assert!(store.append(event_with_payload(700)).is_ok());
    }
    let snap = store.snapshot();
    let mut next = 1;
    let chunks = snap.chunks();
    for (i, chunk) in chunks.iter().enumerate() {
        assert_eq!(chunk.first_record_id(), next, "chunks are contiguous");
        assert!(!chunk.is_empty() && chunk.len() <= Chunk::MAX_RECORDS);
        assert!(chunk.approx_bytes() <= Chunk::MAX_BYTES);
        assert_eq!(chunk.is_sealed(), i + 1 < chunks.len());
        next += chunk.len() as u64;
    }
    assert_eq!(next, 1201);
    // The smallest possible record is 288 bytes, so 64 KiB seals a chunk at 227 records,
    // before the 256-record limit.
    let small = small_event().approx_record_size();
    assert_eq!(small, 288);
    let per_chunk = (Chunk::MAX_BYTES / small) as usize;
    assert_eq!(chunks.first().map(|c| c.len()), Some(per_chunk));
    let total: u64 = chunks.iter().map(|c| c.approx_bytes()).sum();
    assert_eq!(total, store.total_bytes());
}

#[test]
fn snapshot_locates_and_gets_records() {
    let store = MemoryStore::new(UNBOUNDED, Retention::Overwrite);
    for _ in 0..600 {
        assert!(store.append(small_event()).is_ok());
    }
    let snap = store.snapshot();
    let per_chunk = snap.chunks().first().map_or(0, |c| c.len());
    assert!(per_chunk > 100);
    let second = 1 + per_chunk as u64;
    assert_eq!(snap.locate(0), None);
    assert_eq!(snap.locate(1), Some((0, 0)));
    assert_eq!(snap.locate(second - 1), Some((0, per_chunk - 1)));
    assert_eq!(snap.locate(second), Some((1, 0)));
    assert_eq!(snap.locate(600), Some((2, 600 - 1 - 2 * per_chunk)));
    assert_eq!(snap.locate(601), None);
    assert_eq!(
        snap.get(300).and_then(|e| e.system.event_record_id),
        Some(300)
    );
    let from: Vec<u64> = snap
        .iter_from(1, per_chunk - 2)
        .map(|e| e.system.event_record_id.unwrap_or(0))
        .take(4)
        .collect();
    let start = second + per_chunk as u64 - 2;
    assert_eq!(from, [start, start + 1, start + 2, start + 3]);
    assert_eq!(snap.iter_from(9, 0).count(), 0);
}

/// `locate_near` gives `locate`'s answer for every id and every hint, in range or not,
/// including in a snapshot whose first chunks were overwritten and whose last is open.
#[test]
fn locate_near_agrees_with_locate_for_every_hint() {
    let store = MemoryStore::new(MIN_MAX_SIZE, Retention::Overwrite);
    for i in 0..2_000 {
        assert!(store.append(event_with_payload((i % 90) * 10)).is_ok());
    }
    for snap in [
        store.snapshot(),
        MemoryStore::new(UNBOUNDED, Retention::Overwrite).snapshot(),
    ] {
        let end = snap.end_record_id();
        let chunks = snap.chunks().len();
        assert!(
            end == 1 || snap.first_record_id() > Some(1),
            "the test overwrites"
        );
        for id in 0..end + 3 {
            for hint in (0..chunks + 3).chain([usize::MAX - 1, usize::MAX]) {
                assert_eq!(
                    snap.locate_near(id, hint),
                    snap.locate(id),
                    "id {id} hint {hint}"
                );
            }
        }
    }
}

#[test]
fn snapshot_from_takes_only_the_chunks_from_an_id_on() {
    let store = MemoryStore::new(UNBOUNDED, Retention::Overwrite);
    for _ in 0..600 {
        assert!(store.append(small_event()).is_ok());
    }
    let all = store.snapshot();
    let chunks = all.chunks().len();
    assert!(chunks >= 3);
    let second = all.chunks()[1].first_record_id();
    for (id, taken) in [
        (0, chunks),
        (1, chunks),
        (second - 1, chunks),
        (second, chunks - 1),
    ] {
        let snap = store.snapshot_from(id);
        assert_eq!(snap.chunks().len(), taken, "from {id}");
        assert_eq!(snap.end_record_id(), 601);
        assert_eq!(snap.generation(), all.generation());
        // Every id from `id` on reads the same as from the whole snapshot.
        for probe in id.max(1)..=600 {
            assert_eq!(
                snap.get(probe).and_then(|e| e.system.event_record_id),
                Some(probe)
            );
        }
    }
    // Caught up: the last chunk only, which still sees later appends to it.
    let tail = store.snapshot_from(601);
    assert_eq!(tail.chunks().len(), 1);
    assert!(store.append(small_event()).is_ok());
    let same_chunk = store.snapshot().chunks().len() == chunks;
    assert_eq!(tail.get(601).is_some(), same_chunk);
    assert!(MemoryStore::new(UNBOUNDED, Retention::Overwrite)
        .snapshot_from(5)
        .is_empty());
}

#[test]
fn snapshot_sees_tail_appends_but_not_new_chunks() {
    let store = MemoryStore::new(UNBOUNDED, Retention::Overwrite);
    assert!(store.append(small_event()).is_ok());
    let snap = store.snapshot();
    assert_eq!(snap.end_record_id(), 2);
    for _ in 0..Chunk::MAX_RECORDS {
        assert!(store.append(small_event()).is_ok());
    }
    // The open chunk filled up; the records after it are in a chunk the snapshot does not
    // have.
    let per_chunk = store.snapshot().chunks().first().map_or(0, |c| c.len()) as u64;
    assert!(per_chunk > 1 && per_chunk < 1 + Chunk::MAX_RECORDS as u64);
    assert_eq!(ids(&snap), (1..=per_chunk).collect::<Vec<_>>());
    assert!(!snap.is_stale());
}

/// Retention false = circular: oldest events are overwritten; a rolled-over log makes open results stale (EvtNext's 15011): the generation is what later detects it.
#[test]
fn overwrite_drops_oldest_chunks_and_bumps_generation() {
    let store = MemoryStore::new(0, Retention::Overwrite);
    assert_eq!(
        store.max_size(),
        MIN_MAX_SIZE,
        "raised to Windows' 1 MiB minimum"
    );
    let before = store.snapshot();
    let mut generation_bumps = 0;
    for n in 1..=3000u64 {
        let generation = store.generation();
        assert_eq!(store.append(event_with_payload(700)).ok(), Some(n));
        if store.generation() != generation {
            generation_bumps += 1;
        }
        assert!(store.total_bytes() <= MIN_MAX_SIZE);
    }
    assert!(generation_bumps > 0);
    assert!(before.is_stale());
    let oldest = store.oldest_record_id().unwrap_or(0);
    assert!(oldest > 1);
    assert_eq!(store.record_count(), 3001 - oldest);
    let snap = store.snapshot();
    assert!(!snap.is_stale());
    assert_eq!(ids(&snap), (oldest..=3000).collect::<Vec<_>>());
    // The ring drops whole chunks only: the oldest record starts a chunk.
    assert_eq!(snap.first_record_id(), Some(oldest));
    // And it keeps close to max size: less than one chunk of slack.
    assert!(store.total_bytes() + Chunk::MAX_BYTES + 2000 > MIN_MAX_SIZE);
}

#[test]
fn overwrite_rejects_a_record_larger_than_the_log() {
    let store = MemoryStore::new(0, Retention::Overwrite);
    assert!(store.append(small_event()).is_ok());
    let err = store.append(event_with_payload(600_000)).err();
    assert_eq!(err.map(|e| e.kind()), Some(ErrorKind::InvalidParameter));
    assert_eq!(store.record_count(), 1);
    assert_eq!(store.next_record_id(), 2);
    assert_eq!(store.generation(), 0);
}

#[test]
fn overwrite_can_drop_the_open_chunk() {
    // Records of ~600 KB: each fills the 1 MiB log alone, so each append drops the previous
    // record's chunk even though it is the open one.
    let store = MemoryStore::new(0, Retention::Overwrite);
    let old = store.snapshot();
    for n in 1..=3 {
        assert_eq!(store.append(event_with_payload(300_000)).ok(), Some(n));
        assert_eq!(store.record_count(), 1);
        assert_eq!(store.oldest_record_id(), Some(n));
    }
    assert_eq!(store.generation(), 2);
    assert!(old.is_stale());
    assert_eq!(ids(&store.snapshot()), [3]);
}

/// Retention true = sequential, new events are rejected once the log is full (ERROR_LOG_FILE_FULL, 1502).
#[test]
fn do_not_overwrite_fails_with_1502_and_changes_nothing() {
    let store = MemoryStore::new(0, Retention::DoNotOverwrite);
    let mut appended = 0u64;
    let err = loop {
        match store.append(event_with_payload(700)) {
            Ok(id) => {
                appended += 1;
                assert_eq!(id, appended);
            }
            Err(err) => break err,
        }
    };
    assert_eq!(err.win32_code(), 1502);
    assert_eq!(err.kind(), ErrorKind::LogFileFull);
    let (count, bytes, next, generation) = (
        store.record_count(),
        store.total_bytes(),
        store.next_record_id(),
        store.generation(),
    );
    assert_eq!(count, appended);
    assert!(bytes <= MIN_MAX_SIZE);
    for _ in 0..3 {
        assert!(store.append(event_with_payload(700)).is_err());
    }
    assert_eq!(store.record_count(), count);
    assert_eq!(store.total_bytes(), bytes);
    assert_eq!(store.next_record_id(), next);
    assert_eq!(store.generation(), generation);
    assert_eq!(store.oldest_record_id(), Some(1));
    // A smaller record that still fits is accepted.
    if bytes + small_event().approx_record_size() <= MIN_MAX_SIZE {
        assert_eq!(store.append(small_event()).ok(), Some(next));
    }
}

/// EvtClearLog and EvtNext: a cleared log makes open results stale (ERROR_EVT_QUERY_RESULT_STALE).
#[test]
fn clear_bumps_generation_and_ids_continue() {
    let store = MemoryStore::new(UNBOUNDED, Retention::Overwrite);
    for _ in 0..300 {
        assert!(store.append(small_event()).is_ok());
    }
    let snap = store.snapshot();
    store.clear();
    assert_eq!(store.generation(), 1);
    assert!(snap.is_stale());
    assert_eq!(snap.len(), 300, "a snapshot keeps its chunks alive");
    assert_eq!(store.record_count(), 0);
    assert_eq!(store.total_bytes(), 0);
    assert_eq!(store.oldest_record_id(), None);
    assert!(store.snapshot().is_empty());
    assert_eq!(store.append(small_event()).ok(), Some(301));
    assert_eq!(store.oldest_record_id(), Some(301));
    store.clear();
    store.clear();
    assert_eq!(
        store.generation(),
        3,
        "every clear counts, even of an empty store"
    );
    // The snapshot's last chunk was sealed by the clear: later appends go elsewhere.
    assert_eq!(snap.len(), 300);
}

/// EvtChannelLoggingConfigRetention is a Boolean (true = do not overwrite).
#[test]
fn retention_maps_to_the_windows_boolean() {
    assert_eq!(Retention::from_windows(true), Retention::DoNotOverwrite);
    assert_eq!(Retention::from_windows(false), Retention::Overwrite);
    assert!(Retention::DoNotOverwrite.to_windows());
    assert_eq!(Retention::default(), Retention::Overwrite);
}

/// One writer appends 100k events while a reader snapshots and iterates again and again:
/// every snapshot must show increasing, gap-free ids, and neither side may stall the other.
fn concurrent_snapshots(max_size: u64) {
    const N: u64 = 100_000;
    let store = Arc::new(MemoryStore::new(max_size, Retention::Overwrite));
    let done = Arc::new(AtomicBool::new(false));
    let writer = {
        let store = Arc::clone(&store);
        let done = Arc::clone(&done);
        std::thread::spawn(move || {
            for n in 1..=N {
                if store.append(small_event()).ok() != Some(n) {
                    done.store(true, Ordering::Release);
                    return false;
                }
            }
            done.store(true, Ordering::Release);
            true
        })
    };
    let mut rounds = 0u32;
    let mut saw_growth = false;
    loop {
        let finished = done.load(Ordering::Acquire);
        let snap = store.snapshot();
        let mut expected = snap.first_record_id();
        let mut count = 0usize;
        for event in snap.iter() {
            let id = event.system.event_record_id;
            assert_eq!(id, expected, "ids are increasing and gap-free");
            expected = id.map(|i| i + 1);
            count += 1;
        }
        assert!(count as u64 + snap.first_record_id().unwrap_or(1) >= snap.end_record_id());
        saw_growth |= count as u64 + snap.first_record_id().unwrap_or(1) > snap.end_record_id();
        rounds += 1;
        if finished {
            break;
        }
    }
    assert!(
        writer.join().unwrap_or(false),
        "the writer got every id in order"
    );
    assert!(rounds > 1);
    let _ = saw_growth; // whether the reader caught the tail growing depends on scheduling
    assert_eq!(store.next_record_id(), N + 1);
}

#[test]
fn concurrent_writer_and_snapshots_unbounded() {
    concurrent_snapshots(UNBOUNDED);
}

#[test]
fn concurrent_writer_and_snapshots_with_overwrite() {
    concurrent_snapshots(0);
}

#[derive(Clone, Debug)]
enum Op {
    Append(usize),
    Clear,
    /// `clear_before(next_id - back)`: records appended since a snapshot `back` appends ago
    /// are kept.
    ClearBefore(u64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        12 => (0usize..40_000).prop_map(Op::Append),
        1 => Just(Op::Clear),
        1 => (0u64..300).prop_map(Op::ClearBefore),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Unbounded and do-not-overwrite stores behave exactly like a `Vec` that rejects what
    /// does not fit; overwrite stores hold a gap-free suffix of it under the max size.
    #[test]
    fn store_matches_a_naive_model(
        ops in proptest::collection::vec(op(), 1..300),
        retention in prop_oneof![
            Just(Retention::Overwrite),
            Just(Retention::DoNotOverwrite),
            Just(Retention::AutoBackup),
        ],
        bounded in any::<bool>(),
    ) {
        let max = if bounded { MIN_MAX_SIZE } else { UNBOUNDED };
        let store = MemoryStore::new(max, retention);
        let mut model: Vec<(u64, u64)> = Vec::new(); // (id, size) since the last clear
        let mut next_id = 1u64;
        let mut generation = 0u64;
        for op in ops {
            match op {
                Op::Clear => {
                    store.clear();
                    model.clear();
                    generation += 1;
                }
                Op::ClearBefore(back) => {
                    let end = next_id.saturating_sub(back);
                    store.clear_before(end);
                    model.retain(|r| r.0 >= end);
                    generation += 1;
                }
                Op::Append(payload) => {
                    let event = event_with_payload(payload);
                    let size = event.approx_record_size();
                    let used: u64 = model.iter().map(|r| r.1).sum();
                    let result = store.append(event);
                    let fits = used.saturating_add(size) <= max;
                    match (retention, fits) {
                        (_, true) | (Retention::Overwrite, false) => {
                            prop_assert_eq!(result.ok(), Some(next_id));
                            model.push((next_id, size));
                            next_id += 1;
                        }
                        // A memory store cannot archive: AutoBackup is full as DoNotOverwrite.
                        (Retention::DoNotOverwrite | Retention::AutoBackup, false) => {
                            prop_assert_eq!(result.err().map(|e| e.win32_code()), Some(1502));
                        }
                    }
                }
            }
            let snap = store.snapshot();
            let got = ids(&snap);
            if retention == Retention::Overwrite && bounded {
                // A suffix of the model, ending with the newest record, under max size.
                prop_assert!(got.len() <= model.len());
                let suffix: Vec<u64> = model[model.len() - got.len()..].iter().map(|r| r.0).collect();
                prop_assert_eq!(&got, &suffix);
                if let Some(last) = model.last() {
                    prop_assert_eq!(got.last(), Some(&last.0));
                }
                prop_assert!(store.total_bytes() <= max);
                let dropped = model.len() - got.len();
                if dropped > 0 {
                    generation += 1; // one append drops at most once
                }
                model.drain(..dropped);
            } else {
                prop_assert_eq!(&got, &model.iter().map(|r| r.0).collect::<Vec<_>>());
            }
            prop_assert_eq!(store.record_count(), model.len() as u64);
            prop_assert_eq!(store.oldest_record_id(), model.first().map(|r| r.0));
            prop_assert_eq!(store.next_record_id(), next_id);
            prop_assert_eq!(store.total_bytes(), model.iter().map(|r| r.1).sum::<u64>());
            prop_assert_eq!(store.generation(), generation);
            // C9: each chunk's EventID summary is that of its records (appends, clears,
            // overwrites, a straddling chunk's records moved, compaction behind).
            for chunk in snap.chunks() {
                let ids: Vec<u16> = chunk.iter().map(|e| e.system.event_id).collect();
                let naive = chunk::IdSummary {
                    min: ids.iter().copied().min().unwrap_or(u16::MAX),
                    max: ids.iter().copied().max().unwrap_or(0),
                    residues: ids.iter().fold(0, |m, id| m | 1 << (id % 64)),
                };
                prop_assert_eq!(chunk.event_id_summary(), Some(naive));
            }
        }
    }
}

#[test]
fn retiring_records_keeps_snapshots_fresh_and_readable() {
    let store = MemoryStore::new(UNBOUNDED, Retention::Overwrite);
    for _ in 0..600 {
        store.append(small_event()).unwrap();
    }
    let before = store.snapshot();
    let generation = store.generation();
    store.retire_before(401);
    assert_eq!(store.generation(), generation, "nothing left the channel");
    assert!(!before.is_stale());
    assert_eq!(
        ids(&before),
        (1..=600).collect::<Vec<_>>(),
        "an older snapshot reads on"
    );
    let after = store.snapshot();
    let first = after.first_record_id().unwrap();
    assert!(first <= 401, "only whole chunks go: {first}");
    assert!(
        after.chunks().iter().all(|c| c.is_sealed()),
        "the open chunk was sealed"
    );
    assert_eq!(store.record_count(), 601 - first);
    assert_eq!(store.append(small_event()).unwrap(), 601);
    let last = store.snapshot();
    let tail = last.chunks().last().unwrap();
    assert_eq!(
        tail.first_record_id(),
        601,
        "the next record starts a chunk"
    );
    store.retire_before(u64::MAX);
    assert_eq!(store.record_count(), 0);
    assert_eq!(store.snapshot().first_record_id(), None);
    assert_eq!(store.next_record_id(), 602);
}
