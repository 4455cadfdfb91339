//! EvtQueryFilePath: .evtx files as query sources, through sessions and result sets
//! (events read from a file report its absolute path, as EvtQuery and bookmarks do).
//! Files are streamed chunk by chunk: forward and reverse give exactly the records of a
//! whole-file decode in record order, seeks work as on channels (EvtSeek), a cancel mid-file
//! moves nothing, and an I/O error mid-file is the call's error. The rules that need a large
//! file read one evtlog wrote; the comparisons with real logs read the samples (skipped
//! without them).

use evtlog::{
    CallKind, Engine, EventRef, FileTime, Next, QueryFlags, ResultSet, SeekFlags, XPathFilter,
};

use crate::evtx_decode::{decode, ORACLE};
use crate::{samples, Samples, TempFile};

const FILE: QueryFlags = QueryFlags::FILE_PATH;

fn reverse() -> QueryFlags {
    QueryFlags::FILE_PATH | QueryFlags::REVERSE_DIRECTION
}

fn ids(events: &[EventRef]) -> Vec<u64> {
    events.iter().map(EventRef::record_id).collect()
}

fn next_ids(rs: &ResultSet, count: usize) -> Vec<u64> {
    match rs.next(count, None).unwrap() {
        Next::Events(events) => ids(&events),
        other => panic!("{other:?}"),
    }
}

/// The absolute path of a real sample, as the query APIs take it.
fn sample(s: &Samples, name: &str) -> String {
    s.str(name)
}

/// A Security log evtlog wrote (2,500 events over many chunks), for the tests that need a
/// large file but no real one.
fn written_log(tag: &str) -> TempFile {
    crate::support::evtx::security_log(tag).0
}

fn all(rs: &evtlog::ResultSet) -> Vec<evtlog::EventRef> {
    let mut out = Vec::new();
    while let Next::Events(batch) = rs.next(1024, None).unwrap() {
        out.extend(batch);
    }
    out
}

#[test]
fn a_file_query_reads_every_record_with_its_ids_and_path() {
    let Some(s) = samples() else {
        return;
    };
    let path = sample(&s, "evtx-crate/Application_no_crc32.evtx");
    let engine = Engine::new();
    let rs = engine
        .default_session()
        .query(Some(&path), None, QueryFlags::FILE_PATH)
        .unwrap();
    let events = all(&rs);
    let ids: Vec<u64> = events.iter().map(|e| e.record_id()).collect();
    assert_eq!(
        ids,
        (426..=442).collect::<Vec<_>>(),
        "INDEX.md: EventRecordIDs 426-442"
    );
    assert!(events.iter().all(|e| e.path() == path));
    let rs = engine
        .default_session()
        .query(
            Some(&path),
            None,
            QueryFlags::FILE_PATH | QueryFlags::REVERSE_DIRECTION,
        )
        .unwrap();
    let reversed: Vec<u64> = all(&rs).iter().map(|e| e.record_id()).collect();
    assert_eq!(reversed, (426..=442).rev().collect::<Vec<_>>());
}

/// Queries run on files exactly as on channels: the result set's answer equals the filter
/// applied to every event of the file.
#[test]
fn queries_on_files_match_the_filter() {
    let Some(s) = samples() else {
        return;
    };
    let path = sample(&s, "evtx-crate/security.evtx");
    let engine = Engine::new();
    let session = engine.default_session();
    let everything = all(&session
        .query(Some(&path), None, QueryFlags::FILE_PATH)
        .unwrap());
    assert!(
        everything.len() >= 2000,
        "{} events decoded",
        everything.len()
    );
    for q in [
        "*[System[EventID=4624]]",
        "*[System[(Level=0 or Level=4)] and EventData[Data[@Name='LogonType']=5]]",
        "*[UserData]",
    ] {
        let filter = XPathFilter::compile(q).unwrap();
        let want: Vec<u64> = everything
            .iter()
            .filter(|e| filter.matches(e, engine.clock().now()))
            .map(|e| e.record_id())
            .collect();
        let got: Vec<u64> = all(&session
            .query(Some(&path), Some(q), QueryFlags::FILE_PATH)
            .unwrap())
        .iter()
        .map(|e| e.record_id())
        .collect();
        assert_eq!(got, want, "{q}");
    }
    let rs = session
        .query(
            Some(&path),
            Some("*[System[EventID=4624]]"),
            QueryFlags::FILE_PATH,
        )
        .unwrap();
    rs.seek(0, SeekFlags::RELATIVE_TO_LAST).unwrap();
    let Next::Events(last) = rs.next(5, None).unwrap() else {
        panic!("no 4624 in security.evtx")
    };
    assert_eq!(last.len(), 1);
}

#[test]
fn file_paths_must_exist_and_be_absolute() {
    let engine = Engine::new();
    let session = engine.default_session();
    assert_eq!(
        session
            .query(Some("relative.evtx"), None, QueryFlags::FILE_PATH)
            .unwrap_err()
            .win32_code(),
        87
    );
    let missing = std::env::temp_dir().join("evtlog-no-such-file.evtx");
    assert_eq!(
        session
            .query(Some(missing.to_str().unwrap()), None, QueryFlags::FILE_PATH)
            .unwrap_err()
            .win32_code(),
        2
    );
}

/// EvtQuery (EvtQueryFilePath, EvtQueryReverseDirection) on every sample: a forward query gives
/// exactly the records of a whole-file decode in record order (oldest chunk first, wrapping
/// around), and a reverse one their exact reverse, each with its EventRecordID and the
/// file's absolute path (as a bookmark names it).
#[test]
fn forward_and_reverse_over_every_sample_give_the_whole_file_decode_2_5() {
    let Some(s) = samples() else {
        return;
    };
    let engine = Engine::new();
    let session = engine.default_session();
    for &(name, ok, _) in ORACLE {
        let path = sample(&s, name);
        let decoded = decode(&s, name).events;
        assert_eq!(decoded.len(), ok, "{name}: INDEX.md count");
        // A query reports the event's own EventRecordID: a forwarded (WEC) event keeps the
        // source log's (MSExchange_Management_wec: 3229 in a record framed as 1); an event
        // without one (sample_with_a_bad_chunk_magic #46741) reports its record header's.
        let want: Vec<u64> = decoded
            .iter()
            .map(|(id, e)| e.system.event_record_id.unwrap_or(*id))
            .collect();
        let forward = all(&session.query(Some(&path), None, FILE).unwrap());
        assert_eq!(ids(&forward), want, "{name} forward");
        assert!(
            forward
                .iter()
                .zip(&decoded)
                .all(|(a, (_, b))| a.event() == b),
            "{name}: the same events"
        );
        assert!(forward.iter().all(|e| e.path() == path), "{name}: path");
        drop(forward);
        let mut backward = ids(&all(&session.query(Some(&path), None, reverse()).unwrap()));
        backward.reverse();
        assert_eq!(backward, want, "{name} reverse");
    }
}

/// A log that has wrapped around: its oldest chunk is in the middle of the file. The query
/// starts there and wraps to the first slot (the evtx crate's and Windows' order).
#[test]
fn a_wrapped_log_is_read_from_its_oldest_chunk() {
    let log = written_log("unwrapped");
    let bytes = std::fs::read(log.path()).unwrap();
    let want = ids(&all(&Engine::new()
        .default_session()
        .query(Some(log.path()), None, FILE)
        .unwrap()));
    let chunks: Vec<&[u8]> = bytes[4096..].chunks_exact(65536).collect();
    let mut rotated = bytes[..4096].to_vec();
    for chunk in chunks[10..].iter().chain(&chunks[..10]) {
        rotated.extend_from_slice(chunk);
    }
    let file = TempFile::new("wrapped", &rotated);
    let engine = Engine::new();
    let session = engine.default_session();
    let got = ids(&all(&session.query(Some(file.path()), None, FILE).unwrap()));
    assert_eq!(got, want);
    let mut back = ids(&all(&session
        .query(Some(file.path()), None, reverse())
        .unwrap()));
    back.reverse();
    assert_eq!(back, want);
    // Seeks cross the wrap point (slot 0 of the file comes after slots 10 and up).
    let rs = session.query(Some(file.path()), None, FILE).unwrap();
    rs.seek(2000, SeekFlags::RELATIVE_TO_FIRST).unwrap();
    assert_eq!(next_ids(&rs, 1), [want[2000]]);
}

/// EvtSeek on a file query: RelativeToFirst, RelativeToLast and RelativeToCurrent count as on
/// channels, forward and reverse, with and without a filter; Strict fails with 15012 and
/// moves nothing; offsets past the ends clamp.
#[test]
fn seek_on_a_file_query_works_as_on_channels_2_7() {
    let log = written_log("seek");
    let path = log.path().to_owned();
    let engine = Engine::new();
    let session = engine.default_session();
    let every = ids(&all(&session.query(Some(&path), None, FILE).unwrap()));
    let n = every.len();
    let strict = SeekFlags::STRICT;

    let rs = session.query(Some(&path), None, FILE).unwrap();
    rs.seek(0, SeekFlags::RELATIVE_TO_LAST).unwrap();
    assert_eq!(next_ids(&rs, 5), [every[n - 1]]);
    rs.seek(5, SeekFlags::RELATIVE_TO_FIRST).unwrap();
    assert_eq!(next_ids(&rs, 1), [every[5]]);
    rs.seek(-2, SeekFlags::RELATIVE_TO_CURRENT).unwrap();
    assert_eq!(next_ids(&rs, 1), [every[4]]);
    rs.seek(300, SeekFlags::RELATIVE_TO_CURRENT).unwrap();
    assert_eq!(next_ids(&rs, 2), [every[305], every[306]]);
    rs.seek(-10, SeekFlags::RELATIVE_TO_LAST).unwrap();
    assert_eq!(next_ids(&rs, 1), [every[n - 11]]);
    let e = rs
        .seek(n as i64, SeekFlags::RELATIVE_TO_FIRST | strict)
        .unwrap_err();
    assert_eq!(e.win32_code(), 15012);
    assert_eq!(
        next_ids(&rs, 1),
        [every[n - 10]],
        "a failed seek moves nothing"
    );
    assert_eq!(
        rs.seek(-(n as i64), SeekFlags::RELATIVE_TO_CURRENT | strict)
            .unwrap_err()
            .win32_code(),
        15012
    );
    rs.seek(n as i64 + 5, SeekFlags::RELATIVE_TO_FIRST).unwrap();
    assert_eq!(
        next_ids(&rs, 3),
        [every[n - 1]],
        "clamped to the last event"
    );
    rs.seek(-(n as i64) - 5, SeekFlags::RELATIVE_TO_CURRENT)
        .unwrap();
    assert_eq!(next_ids(&rs, 1), [every[0]], "clamped to the first event");
    rs.seek(0, SeekFlags::RELATIVE_TO_LAST | strict).unwrap();
    assert_eq!(next_ids(&rs, 1), [every[n - 1]]);

    // Reverse results count in their own direction.
    let rs = session.query(Some(&path), None, reverse()).unwrap();
    rs.seek(1, SeekFlags::RELATIVE_TO_FIRST).unwrap();
    assert_eq!(next_ids(&rs, 2), [every[n - 2], every[n - 3]]);
    rs.seek(0, SeekFlags::RELATIVE_TO_LAST).unwrap();
    assert_eq!(next_ids(&rs, 2), [every[0]]);
    rs.seek(-1000, SeekFlags::RELATIVE_TO_LAST).unwrap();
    assert_eq!(next_ids(&rs, 1), [every[1000]]);
    rs.seek(-500, SeekFlags::RELATIVE_TO_CURRENT).unwrap();
    assert_eq!(next_ids(&rs, 1), [every[1000 + 499]]);
    assert_eq!(
        rs.seek(1, SeekFlags::RELATIVE_TO_LAST | strict)
            .unwrap_err()
            .win32_code(),
        15012
    );

    // With a filter: positions count matching events only.
    let q = "*[System[EventID=4624]]";
    let filtered = ids(&all(&session.query(Some(&path), Some(q), FILE).unwrap()));
    assert!(filtered.len() > 10, "{} 4624s", filtered.len());
    let rs = session.query(Some(&path), Some(q), FILE).unwrap();
    rs.seek(7, SeekFlags::RELATIVE_TO_FIRST).unwrap();
    assert_eq!(next_ids(&rs, 1), [filtered[7]]);
    rs.seek(-1, SeekFlags::RELATIVE_TO_LAST).unwrap();
    assert_eq!(next_ids(&rs, 2), filtered[filtered.len() - 2..]);
    let rs = session.query(Some(&path), Some(q), reverse()).unwrap();
    rs.seek(3, SeekFlags::RELATIVE_TO_FIRST).unwrap();
    assert_eq!(next_ids(&rs, 1), [filtered[filtered.len() - 4]]);
}

/// Each file's events in its own order (forward, or reversed), with their times.
fn timed(session: &evtlog::Session, path: &str, flags: QueryFlags) -> Vec<(String, u64, FileTime)> {
    all(&session.query(Some(path), None, flags).unwrap())
        .iter()
        .map(|e| {
            (
                e.path().to_owned(),
                e.record_id(),
                e.system.time_created.unwrap_or_default(),
            )
        })
        .collect()
}

/// EvtQuery with a structured query naming several .evtx files: the files' events merged by
/// TimeCreated, each file keeping its own order, ties to the file named first; in reverse,
/// newest first. Seeks count over the merged sequence.
#[test]
fn a_query_list_over_several_files_merges_them_by_time_2_5() {
    let Some(s) = samples() else {
        return;
    };
    let a = sample(&s, "evtx-crate/system.evtx");
    let b = sample(&s, "python-evtx/system.evtx");
    let engine = Engine::new();
    let session = engine.default_session();
    let q = format!(
        "<QueryList><Query Id='0'><Select Path='{a}'>*</Select><Select Path='{b}'>*</Select></Query></QueryList>"
    );
    for rev in [false, true] {
        let flags = if rev { reverse() } else { FILE };
        let (xs, ys) = (timed(&session, &a, flags), timed(&session, &b, flags));
        let mut want = Vec::new();
        let (mut i, mut j) = (0, 0);
        while i < xs.len() || j < ys.len() {
            let take_x = match (xs.get(i), ys.get(j)) {
                (Some(x), Some(y)) if rev => x.2 >= y.2,
                (Some(x), Some(y)) => x.2 <= y.2,
                (x, _) => x.is_some(),
            };
            if take_x {
                want.push((xs[i].0.clone(), xs[i].1));
                i += 1;
            } else {
                want.push((ys[j].0.clone(), ys[j].1));
                j += 1;
            }
        }
        let rs = session.query(None, Some(&q), flags).unwrap();
        let got: Vec<(String, u64)> = all(&rs)
            .iter()
            .map(|e| (e.path().to_owned(), e.record_id()))
            .collect();
        assert_eq!(got.len(), 1881 + 1601);
        assert_eq!(got, want, "reverse={rev}");
        let rs = session.query(None, Some(&q), flags).unwrap();
        rs.seek(2500, SeekFlags::RELATIVE_TO_FIRST).unwrap();
        let Next::Events(at) = rs.next(1, None).unwrap() else {
            panic!()
        };
        assert_eq!((at[0].path().to_owned(), at[0].record_id()), want[2500]);
    }
}

/// Cancellation mid-file (ARCHITECTURE.md, Cancellation rule 6): a `next` or `seek` stopped at a pause
/// point several chunks into the file and then cancelled returns Cancelled (1223) and moves
/// nothing.
#[test]
fn a_cancel_mid_file_returns_cancelled_and_moves_nothing() {
    let log = written_log("cancel");
    let path = log.path().to_owned();
    let engine = Engine::new();
    let session = engine.open_session();
    let every = ids(&all(&session.query(Some(&path), None, FILE).unwrap()));
    for rev in [false, true] {
        let flags = if rev { reverse() } else { FILE };
        let rs = session.query(Some(&path), None, flags).unwrap();
        assert_eq!(next_ids(&rs, 2).len(), 2);
        // Batch 12 of 64 records: past the 700th record, ten chunks in.
        let pause = engine.pause_at(CallKind::Next, 12);
        let call = std::thread::spawn({
            let rs = rs.clone();
            move || rs.next(1024, None)
        });
        pause.wait_stopped(1);
        session.cancel();
        assert_eq!(call.join().unwrap().unwrap_err().win32_code(), 1223);
        drop(pause);
        let third = if rev {
            every[every.len() - 3]
        } else {
            every[2]
        };
        assert_eq!(
            next_ids(&rs, 1),
            [third],
            "the cancelled next moved nothing"
        );

        let pause = engine.pause_at(CallKind::Seek, 20);
        let call = std::thread::spawn({
            let rs = rs.clone();
            move || rs.seek(0, SeekFlags::RELATIVE_TO_LAST)
        });
        pause.wait_stopped(1);
        session.cancel();
        assert_eq!(call.join().unwrap().unwrap_err().win32_code(), 1223);
        drop(pause);
        let fourth = if rev {
            every[every.len() - 4]
        } else {
            every[3]
        };
        assert_eq!(
            next_ids(&rs, 1),
            [fourth],
            "the cancelled seek moved nothing"
        );
    }
    // A cancelled result set's calls fail before decoding anything, and keep failing.
    let rs = session.query(Some(&path), None, FILE).unwrap();
    rs.cancel();
    assert_eq!(rs.next(1, None).unwrap_err().win32_code(), 1223);
}

/// An I/O error while streaming (here: the file shrank under the query) is the error of the
/// call that meets it; the cursor, a copy, is not committed.
#[test]
fn an_io_error_mid_file_is_the_calls_error() {
    let file = written_log("shrinks");
    let engine = Engine::new();
    let rs = engine
        .default_session()
        .query(Some(file.path()), None, FILE)
        .unwrap();
    let first = next_ids(&rs, 1);
    std::fs::OpenOptions::new()
        .write(true)
        .open(file.path())
        .unwrap()
        .set_len(4096 + 2 * 65536)
        .unwrap();
    let e = rs.next(1024, None).unwrap_err();
    assert_eq!(e.win32_code(), 13, "{e}");
    // The committed cursor still holds its decoded chunk: the next record is there.
    assert_eq!(next_ids(&rs, 1), [first[0] + 1]);
}

/// A timeout elapses over chunks the filter empties as over any records (a `next` for a rare
/// match does not read the whole file first): with a virtual cost of 1 ms a record, a 100 ms
/// timeout stops the scan long before the one match at the end; without a timeout it is found.
#[test]
fn a_timeout_elapses_over_chunks_the_filter_empties() {
    let (log, events) = crate::support::evtx::security_log("timeout-empty");
    let last = events.len() as u64;
    let path = log.path().to_owned();
    let engine = Engine::new();
    engine.set_scan_cost(std::time::Duration::from_millis(1));
    let session = engine.default_session();
    let query = format!("*[System[EventRecordID={last}]]");
    for flags in [FILE, reverse()] {
        let rs = session.query(Some(&path), Some(&query), flags).unwrap();
        match rs
            .next(1, Some(std::time::Duration::from_millis(100)))
            .unwrap()
        {
            Next::TimedOut => {}
            Next::Events(found) if flags == reverse() => {
                // Reverse, the match is the first record examined.
                assert_eq!(found[0].record_id(), last);
                continue;
            }
            other => panic!("{flags:?}: {other:?}, not TimedOut"),
        }
        assert_eq!(next_ids(&rs, 1), [last], "no timeout: the match is found");
    }
}
