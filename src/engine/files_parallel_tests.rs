//! Parallel file query tests: the same events, in the same order, as a result set of the
//! same query, for any thread count, both directions, with and without filters; bounded
//! memory; cancel; errors in order.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use super::AHEAD_PER_WORKER;
use crate::engine::{Engine, EventRef, Next, QueryFlags};
use crate::error::ErrorKind;
use crate::evtx::{CHUNK_SIZE, FILE_HEADER_BLOCK_SIZE};
use crate::test_support::{evtx, samples::samples, temp::TempFile};

/// Writes down the calls a visit makes.
struct Calls(Vec<String>);

impl crate::evtx::EventVisitor for Calls {
    fn usual(
        &mut self,
        system: &crate::evtx::SystemRef<'_>,
        data: Option<&crate::evtx::DataItems<'_>>,
    ) {
        self.0.push(format!("usual {system:?} {data:?}"));
    }
    fn event(&mut self, event: &crate::event::Event) {
        self.0.push(format!("event {event:?}"));
    }
}

/// A file query's flags, in the reverse direction if `reverse`.
fn file_flags(reverse: bool) -> QueryFlags {
    if reverse {
        QueryFlags::FILE_PATH | QueryFlags::REVERSE_DIRECTION
    } else {
        QueryFlags::FILE_PATH
    }
}

/// The XML of every event a result set hands out for `query` over `path`.
fn sequential(engine: &Engine, path: &str, query: Option<&str>, reverse: bool) -> Vec<String> {
    let flags = file_flags(reverse);
    let rs = engine
        .default_session()
        .query(Some(path), query, flags)
        .unwrap();
    let mut out = Vec::new();
    while let Next::Events(batch) = rs.next(1024, None).unwrap() {
        out.extend(batch.iter().map(EventRef::to_xml));
    }
    out
}

/// The same through a parallel query on `threads` threads, rendered on the workers.
fn parallel(
    engine: &Engine,
    path: &str,
    query: Option<&str>,
    reverse: bool,
    threads: usize,
) -> Vec<String> {
    let flags = file_flags(reverse);
    let chunks = engine
        .default_session()
        .query_file_parallel(path, query, flags, threads)
        .unwrap()
        .map_chunks(|batch| batch.iter().map(EventRef::to_xml).collect::<Vec<_>>())
        .unwrap();
    chunks.into_iter().flat_map(Result::unwrap).collect()
}

const FILTERS: [Option<&str>; 4] = [
    None,
    // System only: applied while decoding (deferred events).
    Some("*[System[(EventID=4624 or EventID=7036) and Level<=4]]"),
    // Beyond System: evaluated on each decoded event.
    Some("*[EventData[Data[@Name='LogonType']='3'] or UserData]"),
    // Matches nothing.
    Some("*[System[EventID=65000]]"),
];

#[test]
fn a_written_log_reads_alike_on_any_thread_count_both_ways() {
    let (file, events) = evtx::security_log("parallel-same");
    let engine = Engine::new();
    for query in FILTERS {
        for reverse in [false, true] {
            let expected = sequential(&engine, file.path(), query, reverse);
            if query.is_none() {
                assert_eq!(expected.len(), events.len());
            }
            for threads in [1, 2, 3, 8] {
                let got = parallel(&engine, file.path(), query, reverse, threads);
                assert!(
                    got == expected,
                    "{query:?} reverse={reverse} threads={threads}: {} events, expected {}",
                    got.len(),
                    expected.len()
                );
            }
        }
    }
}

#[test]
fn the_real_samples_read_alike_on_any_thread_count_both_ways() {
    let Some(samples) = samples() else { return };
    let engine = Engine::new();
    for name in [
        "evtx-crate/security.evtx",
        "evtx-crate/sample_with_a_bad_chunk_magic.evtx",
        "evtx-crate/sysmon.evtx",
        "evtx-crate/Microsoft-Windows-WorkFolders%4WHC.evtx",
        "plaso/System.evtx",
    ] {
        let path = samples.str(name);
        for query in [FILTERS[0], FILTERS[1], FILTERS[2]] {
            for reverse in [false, true] {
                let expected = sequential(&engine, &path, query, reverse);
                for threads in [1, 3] {
                    let got = parallel(&engine, &path, query, reverse, threads);
                    assert!(
                        got == expected,
                        "{name} {query:?} reverse={reverse} threads={threads}"
                    );
                }
            }
        }
    }
}

/// The written log's chunks repeated to `slots` chunks.
fn large_file(tag: &str, slots: usize) -> TempFile {
    let bytes = std::fs::read(evtx::security_log(tag).0.path()).unwrap();
    let chunks: Vec<&[u8]> = bytes[FILE_HEADER_BLOCK_SIZE..]
        .chunks_exact(CHUNK_SIZE)
        .collect();
    let mut out = bytes[..FILE_HEADER_BLOCK_SIZE].to_vec();
    for chunk in chunks.iter().cycle().take(slots) {
        out.extend_from_slice(chunk);
    }
    TempFile::new(tag, &out)
}

/// Invariant 2: batches held by the caller and queued keep their chunks, and no more than
/// the queues allow are decoded ahead of a slow reader.
#[test]
fn a_slow_reader_bounds_the_chunks_decoded_ahead() {
    let file = large_file("parallel-bounded", 120);
    let engine = Engine::new();
    for threads in [1, 2, 4] {
        let query = engine
            .default_session()
            .query_file_parallel(file.path(), None, QueryFlags::FILE_PATH, threads)
            .unwrap();
        let live = query.live_chunks();
        let mut batches = 0;
        for batch in query {
            let batch = batch.unwrap();
            assert!(!batch.is_empty());
            batches += 1;
            // Let the workers fill their queues.
            std::thread::sleep(std::time::Duration::from_micros(300));
            let bound = threads * (AHEAD_PER_WORKER + 1) + 1;
            assert!(live.now() <= bound, "{} alive, bound {bound}", live.now());
        }
        assert_eq!(batches, 120);
        let bound = threads * (AHEAD_PER_WORKER + 1) + 1;
        assert!(live.peak() <= bound, "peak {} > {bound}", live.peak());
        if threads > 1 {
            assert!(live.peak() > 1, "nothing was decoded ahead");
        }
        assert_eq!(live.now(), 0, "the batches dropped, nothing is alive");
    }
}

/// Invariant 3: a session cancel reaches the workers; the reader gets Cancelled once, then
/// the end, and far fewer chunks were mapped than the file holds.
#[test]
fn a_session_cancel_stops_the_workers_within_a_chunk() {
    let file = large_file("parallel-cancel", 200);
    let engine = Engine::new();
    for threads in [1, 2, 3] {
        let session = engine.open_session();
        let mapped = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&mapped);
        let mut chunks = session
            .query_file_parallel(file.path(), None, QueryFlags::FILE_PATH, threads)
            .unwrap()
            .map_chunks(move |batch| {
                counter.fetch_add(1, Ordering::Relaxed);
                batch.len()
            })
            .unwrap();
        assert!(chunks.next().unwrap().unwrap() > 0);
        session.cancel();
        let rest: Vec<_> = chunks.by_ref().collect();
        let last = rest.last().expect("a cancel is reported");
        assert_eq!(last.as_ref().unwrap_err().kind(), ErrorKind::Cancelled);
        assert!(rest[..rest.len() - 1].iter().all(|r| r.is_ok()));
        assert!(chunks.next().is_none(), "the map ends after the cancel");
        drop(chunks);
        // Each worker maps at most its queue and the chunk in hand after the cancel.
        let bound = 1 + threads * (AHEAD_PER_WORKER + 2);
        let mapped = mapped.load(Ordering::Relaxed);
        assert!(mapped <= bound, "{mapped} chunks mapped, bound {bound}");
        // Its own cancel too, before reading.
        let query = session
            .query_file_parallel(file.path(), None, QueryFlags::FILE_PATH, threads)
            .unwrap();
        query.canceller().cancel();
        let items: Vec<_> = query.into_iter().collect();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].as_ref().unwrap_err().kind(), ErrorKind::Cancelled);
    }
}

/// Invariant 4: a chunk that cannot be read (the file shrank under the query) is the error
/// at its place, after every chunk before it.
#[test]
fn a_read_error_comes_in_order_after_the_chunks_before_it() {
    let file = large_file("parallel-error", 40);
    let engine = Engine::new();
    let expected = sequential(&engine, file.path(), None, false);
    for threads in [1, 2, 3] {
        let copy = TempFile::new("parallel-error-copy", &std::fs::read(file.path()).unwrap());
        let query = engine
            .default_session()
            .query_file_parallel(copy.path(), None, QueryFlags::FILE_PATH, threads)
            .unwrap();
        // Cut the file inside chunk 25 once the query has counted its slots.
        let cut = (FILE_HEADER_BLOCK_SIZE + 25 * CHUNK_SIZE + 100) as u64;
        std::fs::OpenOptions::new()
            .write(true)
            .open(copy.path())
            .unwrap()
            .set_len(cut)
            .unwrap();
        let mut got = Vec::new();
        let mut error = None;
        for item in query
            .map_chunks(|b| b.iter().map(EventRef::to_xml).collect::<Vec<_>>())
            .unwrap()
        {
            match item {
                Ok(xml) => {
                    assert!(error.is_none(), "a result after the error");
                    got.extend(xml);
                }
                Err(e) => error = Some(e),
            }
        }
        let error = error.expect("the cut chunk fails");
        assert_ne!(error.kind(), ErrorKind::Cancelled, "{error}");
        // The chunks before the cut, in order.
        let per_chunk = expected.len() / 40;
        assert!(
            got.len() >= 24 * per_chunk / 2,
            "{} events before the error",
            got.len()
        );
        let differ = got.iter().zip(&expected).position(|(a, b)| a != b);
        assert!(
            differ.is_none(),
            "threads={threads}: {} events, {} expected, first difference at {differ:?}",
            got.len(),
            expected.len(),
        );
    }
}

/// Bad arguments: a <QueryList>, a relative path, a missing file, other flags.
#[test]
fn bad_arguments_are_refused() {
    let (file, _) = evtx::security_log("parallel-args");
    let session = Engine::new().default_session();
    // A <QueryList> names its own files.
    let list = "<QueryList><Query><Select Path='/other.evtx'>*</Select></Query></QueryList>";
    let kind = |r: crate::Result<super::ParallelFileQuery>| r.unwrap_err().kind();
    assert_eq!(
        kind(session.query_file_parallel(file.path(), Some(list), QueryFlags::FILE_PATH, 2)),
        ErrorKind::InvalidParameter
    );
    assert_eq!(
        kind(session.query_file_parallel("rel.evtx", None, QueryFlags::FILE_PATH, 2)),
        ErrorKind::InvalidParameter
    );
    assert_eq!(
        kind(session.query_file_parallel("/nonexistent/x.evtx", None, QueryFlags::FILE_PATH, 2)),
        ErrorKind::FileNotFound
    );
    let flags = QueryFlags::FILE_PATH | QueryFlags::TOLERATE_QUERY_ERRORS;
    assert_eq!(
        kind(session.query_file_parallel(file.path(), None, flags, 2)),
        ErrorKind::InvalidParameter
    );
    assert_eq!(
        kind(session.query_file_parallel(file.path(), Some("*[System["), QueryFlags::FILE_PATH, 2)),
        session
            .query(Some(file.path()), Some("*[System["), QueryFlags::FILE_PATH)
            .unwrap_err()
            .kind()
    );
}

/// A panic in the closure on a worker goes on on the reader's thread, as a scoped thread's.
#[test]
fn a_panic_on_a_worker_reaches_the_reader() {
    let file = large_file("parallel-panic", 12);
    let engine = Engine::new();
    let query = engine
        .default_session()
        .query_file_parallel(file.path(), None, QueryFlags::FILE_PATH, 3)
        .unwrap();
    let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        let chunks = query
            .map_chunks(|batch| {
                assert!(batch[0].record_id() < 200, "a chunk past the first ones");
                batch.len()
            })
            .unwrap();
        chunks.count()
    }));
    let payload = caught.expect_err("the worker's panic");
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    assert!(message.contains("a chunk past the first ones"), "{message}");
}

/// `EventRef::visit` (straight from the record where it can) makes the call `visit_event`
/// makes for the ref's event, on every event of the samples' parallel queries, with and
/// without a filter applied while decoding.
#[test]
fn visits_of_refs_equal_visits_of_their_events() {
    use crate::evtx::visit_event;
    let Some(samples) = samples() else { return };
    let engine = Engine::new();
    let mut compared = 0;
    for name in [
        "evtx-crate/security.evtx",
        "evtx-crate/E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx",
        "evtx-crate/sysmon.evtx",
        "plaso/System.evtx",
    ] {
        let path = samples.str(name);
        for query in [FILTERS[0], FILTERS[1]] {
            let chunks = engine
                .default_session()
                .query_file_parallel(&path, query, QueryFlags::FILE_PATH, 2)
                .unwrap()
                .map_chunks(|batch| {
                    batch
                        .iter()
                        .map(|r| {
                            // Visited first: `event()` would make and keep the event.
                            let mut got = Calls(Vec::new());
                            r.visit(&mut got);
                            let mut expected = Calls(Vec::new());
                            visit_event(r.event(), &mut expected);
                            (got.0, expected.0)
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap();
            for chunk in chunks {
                for (got, expected) in chunk.unwrap() {
                    assert_eq!(got.len(), 1, "{name} {query:?}");
                    assert_eq!(got, expected, "{name} {query:?}");
                    compared += 1;
                }
            }
        }
    }
    assert!(compared > 1000, "only {compared} events");
}

/// Every .evtx file under the samples' directory, by its name there.
fn every_sample(dir: &std::path::Path) -> Vec<String> {
    let mut names = Vec::new();
    for sub in std::fs::read_dir(dir).unwrap() {
        let sub = sub.unwrap().path();
        let Ok(files) = std::fs::read_dir(&sub) else {
            continue;
        };
        for file in files {
            let file = file.unwrap().path();
            if file.extension().is_some_and(|e| e == "evtx") {
                names.push(
                    file.strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    names.sort();
    names
}

/// The XML of every event through `map_records` on `threads` threads, rendered on the
/// workers straight from the chunks.
fn parallel_records(
    engine: &Engine,
    path: &str,
    query: Option<&str>,
    reverse: bool,
    threads: usize,
) -> Vec<String> {
    let flags = file_flags(reverse);
    let chunks = engine
        .default_session()
        .query_file_parallel(path, query, flags, threads)
        .unwrap()
        .map_records(|records| {
            let mut xml = Vec::new();
            let mut out = String::from("left as it was");
            let at_most = records.remaining();
            while records.next_xml(&mut out) {
                xml.push(out.split_off("left as it was".len()));
            }
            assert_eq!(out, "left as it was", "the end appends nothing");
            assert!(xml.len() <= at_most, "{} > {at_most}", xml.len());
            assert_eq!(records.remaining(), 0);
            xml
        })
        .unwrap();
    chunks.into_iter().flat_map(Result::unwrap).collect()
}

/// Filters for `map_records`: each way it applies one (none, asked once per chunk, probed
/// per record, on decoded events), and one that matches nothing.
const RECORD_FILTERS: [Option<&str>; 7] = [
    None,
    Some("*"),
    Some("*[System]"),
    FILTERS[1],
    Some("*[System[Level=0 or Level=4]]"),
    FILTERS[2],
    FILTERS[3],
];

#[test]
fn records_rendered_straight_equal_the_result_sets_events_on_every_sample() {
    let Some(samples) = samples() else { return };
    let engine = Engine::new();
    let names = every_sample(samples.dir());
    assert!(names.len() >= 15, "{names:?}");
    for name in names {
        let path = samples.str(&name);
        for query in RECORD_FILTERS {
            for reverse in [false, true] {
                let expected = sequential(&engine, &path, query, reverse);
                for threads in [1, 2] {
                    let got = parallel_records(&engine, &path, query, reverse, threads);
                    assert!(
                        got == expected,
                        "{name} {query:?} reverse={reverse} threads={threads}: {} against {}",
                        got.len(),
                        expected.len()
                    );
                }
            }
        }
    }
}

#[test]
fn a_written_log_renders_straight_alike_both_ways() {
    let (file, events) = evtx::security_log("parallel-records");
    let engine = Engine::new();
    for query in RECORD_FILTERS {
        for reverse in [false, true] {
            let expected = sequential(&engine, file.path(), query, reverse);
            if query.is_none() {
                assert_eq!(expected.len(), events.len());
            }
            for threads in [1, 3] {
                let got = parallel_records(&engine, file.path(), query, reverse, threads);
                assert!(
                    got == expected,
                    "{query:?} reverse={reverse} threads={threads}"
                );
            }
        }
    }
}

/// `ChunkRecords::next_visit` (each record visited straight from its chunk where it can)
/// makes, record by record, the calls `visit_event` makes for the result set's events, on
/// every sample, under every kind of filter.
#[test]
fn records_visited_straight_equal_visits_of_the_result_sets_events_on_every_sample() {
    use crate::evtx::visit_event;
    let Some(samples) = samples() else { return };
    let engine = Engine::new();
    let names = every_sample(samples.dir());
    assert!(names.len() >= 15, "{names:?}");
    let mut compared = 0;
    for name in names {
        let path = samples.str(&name);
        for query in RECORD_FILTERS {
            let rs = engine
                .default_session()
                .query(Some(&path), query, QueryFlags::FILE_PATH)
                .unwrap();
            let mut expected = Calls(Vec::new());
            while let Next::Events(batch) = rs.next(1024, None).unwrap() {
                for event in &batch {
                    visit_event(event.event(), &mut expected);
                }
            }
            let chunks = engine
                .default_session()
                .query_file_parallel(&path, query, QueryFlags::FILE_PATH, 2)
                .unwrap()
                .map_records(|records| {
                    let mut calls = Calls(Vec::new());
                    let mut found = 0;
                    while records.next_visit(&mut calls) {
                        found += 1;
                        assert_eq!(calls.0.len(), found, "one call a record");
                    }
                    calls.0
                })
                .unwrap();
            let got: Vec<String> = chunks.into_iter().flat_map(Result::unwrap).collect();
            compared += got.len();
            assert!(
                got == expected.0,
                "{name} {query:?}: {} against {}",
                got.len(),
                expected.0.len()
            );
        }
    }
    assert!(compared > 10_000, "only {compared} records");
}
