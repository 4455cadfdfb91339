//! File-source unit tests: streaming keeps at most the current decoded chunk (plus the
//! chunks of events the caller still holds), the initial cursor pins nothing, and a cancel
//! is seen before a chunk is decoded.

use std::path::Path;
use std::sync::Arc;

use super::{FileCursor, FileSource, Located, POSITIONS_PER_CHUNK};
use crate::cancel::{CancelToken, NodeKind};
use crate::engine::{Engine, Next, QueryFlags, ResultSet, SeekFlags};
use crate::evtx::{CHUNK_SIZE, FILE_HEADER_BLOCK_SIZE};
use crate::store::Chunk;
use crate::test_support::{evtx, samples::samples, temp::TempFile};

/// A Security log evtlog wrote: 2,500 events over many chunks (the streaming rules need
/// a file, not a real one).
fn security_log(tag: &str) -> TempFile {
    evtx::security_log(tag).0
}

/// The written log's header and its chunks repeated to `slots` chunks: a ~20 MB log for 300.
fn large_file(tag: &str, slots: usize) -> (TempFile, usize) {
    let bytes = std::fs::read(security_log(tag).path()).unwrap();
    let chunks: Vec<&[u8]> = bytes[FILE_HEADER_BLOCK_SIZE..]
        .chunks_exact(CHUNK_SIZE)
        .collect();
    let mut out = bytes[..FILE_HEADER_BLOCK_SIZE].to_vec();
    for chunk in chunks.iter().cycle().take(slots) {
        out.extend_from_slice(chunk);
    }
    (TempFile::new(tag, &out), chunks.len())
}

fn query(engine: &Engine, path: &str, reverse: bool) -> ResultSet {
    let mut flags = QueryFlags::FILE_PATH;
    if reverse {
        flags = flags | QueryFlags::REVERSE_DIRECTION;
    }
    engine
        .default_session()
        .query(Some(path), None, flags)
        .unwrap()
}

fn source(rs: &ResultSet) -> Arc<FileSource> {
    rs.file_sources().pop().unwrap()
}

/// The rule: a query over a large file keeps memory bounded. Walking 300 chunks one
/// event at a time, dropping each, never has more than two decoded chunks alive (the
/// committed cursor's and the copy's that moves into the next chunk), forward or reverse.
#[test]
fn a_large_file_streams_with_at_most_two_decoded_chunks_alive() {
    let (file, _) = large_file("large", 300);
    let engine = Engine::new();
    let mut counts = Vec::new();
    for reverse in [false, true] {
        let rs = query(&engine, file.path(), reverse);
        let live = source(&rs);
        assert_eq!(live.live_chunks().now(), 0, "a query decodes nothing");
        let mut count = 0usize;
        while let Next::Events(batch) = rs.next(1, None).unwrap() {
            count += batch.len();
            assert!(live.live_chunks().now() <= 2);
        }
        assert_eq!(live.live_chunks().peak(), 2, "reverse={reverse}");
        counts.push(count);
        drop(rs);
        assert_eq!(
            live.live_chunks().now(),
            0,
            "nothing outlives the result set"
        );
    }
    assert_eq!(counts[0], counts[1]);
    assert!(counts[0] > 300 * 50, "{} events", counts[0]);
}

/// Events returned keep their own chunk alive, and only theirs; the cursor keeps one.
#[test]
fn returned_events_pin_their_own_chunks_only() {
    let (file, _) = large_file("pins", 40);
    let engine = Engine::new();
    let rs = query(&engine, file.path(), false);
    let live = source(&rs);
    let mut kept = Vec::new();
    while let Next::Events(batch) = rs.next(1024, None).unwrap() {
        kept.push(batch.into_iter().next().unwrap());
    }
    // Each 1024-event batch starts in a different chunk: those chunks stay, with the
    // cursor's last one.
    assert!(kept.len() >= 2, "{} batches", kept.len());
    let pinned = live.live_chunks().now();
    assert!(
        (kept.len()..=kept.len() + 1).contains(&pinned),
        "{pinned} chunks for {} events",
        kept.len()
    );
    drop(kept);
    assert_eq!(live.live_chunks().now(), 1, "the committed cursor's chunk");
}

/// Seeks count from the initial cursor, which holds no decoded chunk: after seeks the only
/// chunk alive is the committed cursor's.
#[test]
fn seeks_leave_only_the_cursor_chunk_alive() {
    let (file, _) = large_file("seek", 40);
    let engine = Engine::new();
    for reverse in [false, true] {
        let rs = query(&engine, file.path(), reverse);
        let live = source(&rs);
        rs.seek(0, SeekFlags::RELATIVE_TO_LAST).unwrap();
        assert_eq!(live.live_chunks().now(), 1);
        rs.seek(500, SeekFlags::RELATIVE_TO_FIRST).unwrap();
        rs.seek(-200, SeekFlags::RELATIVE_TO_CURRENT).unwrap();
        assert_eq!(live.live_chunks().now(), 1);
        assert!(
            live.live_chunks().peak() <= 3,
            "{}",
            live.live_chunks().peak()
        );
        let Next::Events(one) = rs.next(1, None).unwrap() else {
            panic!("no event at position 300")
        };
        drop(one);
        assert_eq!(live.live_chunks().now(), 1);
    }
}

/// Invariant 4: the call's token is polled before each chunk is decoded, so a cancelled
/// call decodes nothing and leaves the cursor where it was.
#[test]
fn a_cancelled_call_decodes_no_chunk() {
    let file = security_log("cancelled");
    let source = Arc::new(FileSource::open(file.path()).unwrap());
    let mut cursor = FileCursor::new(Arc::clone(&source));
    let root = CancelToken::root();
    let call = root.child(NodeKind::Call);
    let mut next = cursor.start(false);
    let (chunk, index) = at(cursor.locate(&mut next, false, &call).unwrap()).unwrap();
    assert_eq!((chunk.first_record_id(), index), (0, 0));
    drop(chunk);
    assert_eq!(source.live_chunks().now(), 1);
    call.cancel();
    // Within the chunk held: no decoding, no poll needed.
    assert!(at(cursor.locate(&mut next, false, &call).unwrap()).is_some());
    // The next chunk: the poll comes first.
    let mut past = POSITIONS_PER_CHUNK - 1;
    let err = cursor.locate(&mut past, false, &call).unwrap_err();
    assert_eq!(err.win32_code(), 1223);
    assert_eq!(
        source.live_chunks().peak(),
        1,
        "nothing decoded after the cancel"
    );
}

/// The record a cursor found, if any (an unfiltered source passes over no chunk).
fn at(located: Located) -> Option<(Arc<Chunk>, usize)> {
    match located {
        Located::At(chunk, index) => Some((chunk, index)),
        Located::End => None,
        Located::Skipped { records } => panic!("{records} records skipped with no filter"),
    }
}

/// Positions: forward moves past a chunk's end to the next one; reverse starts at the last
/// record of the last chunk and steps back over chunk starts.
#[test]
fn positions_walk_chunk_by_chunk_both_ways() {
    let Some(samples) = samples() else {
        return;
    };
    let path = samples.str("evtx-crate/sample_with_a_bad_chunk_magic.evtx");
    let source = Arc::new(FileSource::open(&path).unwrap());
    let call = CancelToken::root().child(NodeKind::Call);
    let mut cursor = FileCursor::new(Arc::clone(&source));
    let mut forward = Vec::new();
    let mut next = cursor.start(false);
    while let Some((chunk, index)) = at(cursor.locate(&mut next, false, &call).unwrap()) {
        forward.push(chunk.first_record_id() + index as u64);
        next = chunk.first_record_id() + index as u64 + 1;
    }
    let mut backward = Vec::new();
    let mut next = cursor.start(true);
    while let Some((chunk, index)) = at(cursor.locate(&mut next, true, &call).unwrap()) {
        backward.push(chunk.first_record_id() + index as u64);
        next = chunk.first_record_id() + index as u64;
    }
    backward.reverse();
    assert_eq!(forward, backward);
    assert_eq!(forward.len(), 301, "INDEX.md: 301 records decode");
    // Positions are ordinal * 65536 + index, and every ordinal's indexes start at 0.
    assert_eq!(forward[0] % POSITIONS_PER_CHUNK, 0);
    assert!(forward
        .windows(2)
        .all(|w| w[1] == w[0] + 1 || (w[1] % POSITIONS_PER_CHUNK == 0 && w[1] > w[0])));
}

/// Invariant 8: a file's template definitions go back to the engine when its source is
/// dropped, and a later query of the same file, starting from them, decodes the same events.
#[test]
fn template_definitions_outlive_the_query_and_change_nothing() {
    let (file, events) = evtx::security_log("templates");
    let path = file.path();
    let xml_of = |engine: &Engine| {
        let rs = query(engine, path, false);
        let mut xml = Vec::new();
        while let Ok(Next::Events(batch)) = rs.next(1024, None) {
            xml.extend(batch.iter().map(|e| e.event().to_xml()));
        }
        xml
    };
    let engine = Engine::new();
    assert!(engine.inner.templates.lock().is_empty());
    let first = xml_of(&engine);
    let learned = engine.inner.templates.lock().len();
    assert!(learned > 0, "the engine kept no definition");
    let second = xml_of(&engine);
    assert_eq!(
        engine.inner.templates.lock().len(),
        learned,
        "nothing new to learn"
    );
    assert_eq!(first.len(), events.len());
    assert!(
        first == second,
        "a query from the engine's definitions decoded differently"
    );
    // And the same as an engine that never saw the file.
    assert!(first == xml_of(&Engine::new()));
}

/// Every record of the file at `path` decoded at once, in file order (the general API).
fn decoded_at_once(path: &Path) -> Vec<crate::event::Event> {
    let mut file = crate::evtx::EvtxFile::open(path).unwrap();
    let mut events = Vec::new();
    for chunk in file.chunks_in_record_order().unwrap().flatten() {
        let mut decoder = crate::evtx::ChunkDecoder::new(&chunk);
        events.extend(
            chunk
                .records()
                .flatten()
                .filter_map(|r| decoder.decode(&r).ok()),
        );
    }
    events
}

fn all_events(rs: &ResultSet) -> Vec<crate::engine::EventRef> {
    let mut out = Vec::new();
    while let Next::Events(batch) = rs.next(1024, None).unwrap() {
        out.extend(batch);
    }
    out
}

/// Invariant 9: matches proved to decode are made when first read, once, and equal the
/// record decoded at once; a scan makes none of them.
#[test]
fn deferred_events_are_made_on_first_read_and_equal_decoding_at_once() {
    let file = security_log("deferred");
    let path = &file.0;
    let expected = decoded_at_once(path);
    type Wanted = fn(&crate::event::Event) -> bool;
    let cases: [(Option<&str>, Wanted); 3] = [
        (None, |_| true),
        (Some("*[System[EventID=4624]]"), |e| {
            e.system.event_id == 4624
        }),
        (Some("*[System[Level=0 and EventID!=4624]]"), |e| {
            e.system.level == Some(0) && e.system.event_id != 4624
        }),
    ];
    for (filter, wanted) in cases {
        let engine = Engine::new();
        let rs = engine
            .default_session()
            .query(path.to_str(), filter, QueryFlags::FILE_PATH)
            .unwrap();
        let source = source(&rs);
        let counts = source.deferred_counts();
        let events = all_events(&rs);
        assert!(counts.deferred() * 10 > events.len() * 9, "{filter:?}");
        assert_eq!(
            counts.made(),
            0,
            "{filter:?}: the scan made deferred events"
        );
        // XML is rendered straight from the records: still nothing made.
        let xml: Vec<String> = events.iter().map(|e| e.to_xml()).collect();
        assert_eq!(
            counts.made(),
            0,
            "{filter:?}: rendering made deferred events"
        );
        let expected: Vec<_> = expected.iter().filter(|e| wanted(e)).collect();
        assert_eq!(events.len(), expected.len(), "{filter:?}");
        // Read through `with_event`: the same events, decoded for the call and not kept.
        for (got, want) in events.iter().zip(&expected) {
            assert!(got.with_event(|e| e == *want), "{filter:?}");
        }
        assert_eq!(
            counts.made(),
            0,
            "{filter:?}: with_event kept deferred events"
        );
        for ((got, want), xml) in events.iter().zip(&expected).zip(&xml) {
            assert_eq!(*xml, want.to_xml(), "{filter:?}");
            assert_eq!(got.event(), *want, "{filter:?}");
            assert_eq!(got.to_xml(), *xml, "{filter:?}: made, then rendered");
        }
        assert_eq!(counts.made(), counts.deferred(), "{filter:?}");
        // Made once: reading again makes nothing.
        events.iter().for_each(|e| assert!(e.system.event_id > 0));
        assert_eq!(counts.made(), counts.deferred(), "{filter:?}");
        // Once made, `with_event` reads the kept event.
        for (got, want) in events.iter().zip(&expected) {
            assert!(got.with_event(|e| std::ptr::eq(e, got.event()) && e == *want));
        }
    }
}

/// Deferred events are read from any thread, after their result set and engine are gone.
#[test]
fn deferred_events_outlive_their_query_and_read_alike_from_many_threads() {
    let file = security_log("deferred-threads");
    let path = &file.0;
    let events = {
        let engine = Engine::new();
        let rs = engine
            .default_session()
            .query(
                path.to_str(),
                Some("*[System[EventID=4624]]"),
                QueryFlags::FILE_PATH,
            )
            .unwrap();
        all_events(&rs)
    };
    // Rendered straight from their records, made by none of the threads.
    let xml: Vec<Vec<String>> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..4)
            .map(|_| s.spawn(|| events.iter().map(|e| e.to_xml()).collect::<Vec<_>>()))
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert!(xml.iter().all(|x| *x == xml[0]));
    assert!(events
        .iter()
        .zip(&xml[0])
        .all(|(e, x)| e.event().to_xml() == *x));
    let expected: Vec<String> = decoded_at_once(path)
        .iter()
        .filter(|e| e.system.event_id == 4624)
        .map(|e| e.to_xml())
        .collect();
    assert_eq!(xml[0], expected);
}

/// Deferred events keep their chunk's buffer, and hand it back to the engine when the last
/// of them is dropped; the engine keeps a bounded number.
#[test]
fn deferred_events_give_their_chunk_buffers_back() {
    let (file, _) = large_file("buffers", 80);
    let engine = Engine::new();
    let rs = query(&engine, file.path(), false);
    let batch = match rs.next(1024, None).unwrap() {
        Next::Events(batch) => batch,
        other => panic!("{other:?}"),
    };
    let spares = || engine.inner.chunk_buffers.lock().len();
    let before = spares();
    let pinned = source(&rs).live_chunks().now();
    assert!(pinned > 2, "a batch of 1024 spans several chunks: {pinned}");
    drop(batch);
    assert!(spares() > before, "no buffer came back");
    drop(all_events(&rs));
    drop(rs);
    assert!(
        (1..=super::MAX_SPARE_BUFFERS).contains(&spares()),
        "{} spares",
        spares()
    );
}
