//! Bookmarks through the public API: EvtCreateBookmark / EvtUpdateBookmark /
//! EvtRender(EvtRenderBookmark) and EvtSeek(RelativeToBookmark), on channels and on .evtx
//! files, and the resume that shippers get wrong (lost or duplicated events).

use std::sync::Arc;

use crate::support::backend::{engine, engine_with_clock, TestEngine};
use evtlog::{
    render_bookmark, Bookmark, ChannelConfig, ChannelType, Engine, ErrorKind, Event, EventRef,
    Next, QueryFlags, ResultSet, SeekFlags, VirtualClock,
};

const FWD: QueryFlags = QueryFlags::CHANNEL_PATH;
const REV: QueryFlags = QueryFlags::REVERSE_DIRECTION;
const BM: SeekFlags = SeekFlags::RELATIVE_TO_BOOKMARK;

/// An engine with channel `Log` holding `n` events (EventID 1 if `keep(record id)`, else 2),
/// one second apart, and a channel `Other` of `n` events interleaved half a second later.
fn engine_with(n: u64, keep: impl Fn(u64) -> bool) -> TestEngine {
    let clock = Arc::new(VirtualClock::default());
    let engine = engine_with_clock(clock.clone());
    for name in ["Log", "Other"] {
        engine
            .create_channel(
                ChannelConfig::new(name, ChannelType::Operational)
                    .with_max_size(ChannelConfig::UNBOUNDED),
            )
            .unwrap();
    }
    for i in 1..=n {
        let id = if keep(i) { 1 } else { 2 };
        engine
            .write("Log", Event::builder("P").event_id(id).build())
            .unwrap();
        clock.advance_ms(500);
        engine
            .write("Other", Event::builder("Q").event_id(id).build())
            .unwrap();
        clock.advance_ms(500);
    }
    engine
}

fn query(engine: &Engine, path: &str, xpath: Option<&str>, flags: QueryFlags) -> ResultSet {
    engine
        .default_session()
        .query(Some(path), xpath, flags)
        .unwrap()
}

fn events(next: Next) -> Vec<EventRef> {
    match next {
        Next::Events(events) => events,
        Next::End => vec![],
        Next::TimedOut => panic!("timed out"),
    }
}

fn ids(rs: &ResultSet, n: usize) -> Vec<u64> {
    events(rs.next(n, None).unwrap())
        .iter()
        .map(EventRef::record_id)
        .collect()
}

fn at(channel: &str, id: u64) -> Bookmark {
    Bookmark::from_xml(&format!(
        "<BookmarkList><Bookmark Channel='{channel}' RecordId='{id}' IsCurrent='true'/></BookmarkList>"
    ))
    .unwrap()
}

/// EvtUpdateBookmark points at the event's channel and record id; EvtRender renders it as
/// Windows writes a bookmark.
#[test]
fn update_from_an_event_ref_2_19_and_render_4_2() {
    let engine = engine_with(5, |_| true);
    let rs = query(&engine, "log", None, FWD);
    let batch = events(rs.next(3, None).unwrap());
    let mut bookmark = Bookmark::new();
    assert_eq!(
        render_bookmark(&bookmark),
        "<BookmarkList>\r\n</BookmarkList>"
    );
    for event in &batch {
        bookmark.update(event);
    }
    // The channel as the engine names it, whatever case the query used.
    assert_eq!(bookmark.current(), Some(("Log", 3)));
    assert_eq!(
        render_bookmark(&bookmark),
        "<BookmarkList>\r\n  <Bookmark Channel='Log' RecordId='3' IsCurrent='true'/>\r\n</BookmarkList>"
    );
    // A second channel: one Bookmark per channel, the last updated current.
    let other = events(query(&engine, "Other", None, FWD).next(1, None).unwrap());
    bookmark.update(&other[0]);
    assert_eq!(
        bookmark.to_xml(),
        "<BookmarkList>\r\n  <Bookmark Channel='Log' RecordId='3'/>\r\n  <Bookmark Channel='Other' RecordId='1' IsCurrent='true'/>\r\n</BookmarkList>"
    );
    assert_eq!(Bookmark::from_xml(&bookmark.to_xml()).unwrap(), bookmark);
}

/// EvtSeek and Windows' "Bookmarking events" page: the resume idiom, seek(1, bookmark) continues
/// after the bookmarked event, forward and reverse.
#[test]
fn seek_one_after_the_bookmark_resumes_2_7() {
    let engine = engine_with(10, |_| true);
    let rs = query(&engine, "Log", None, FWD);
    let mut bookmark = Bookmark::new();
    for event in events(rs.next(4, None).unwrap()) {
        bookmark.update(&event);
    }
    let again = query(&engine, "Log", None, FWD);
    again.seek_bookmark(&bookmark, 1, BM).unwrap();
    assert_eq!(ids(&again, 3), [5, 6, 7]);
    again
        .seek_bookmark(&bookmark, 0, BM | SeekFlags::STRICT)
        .unwrap();
    assert_eq!(ids(&again, 1), [4]);
    again
        .seek_bookmark(&bookmark, -2, SeekFlags::STRICT)
        .unwrap();
    assert_eq!(ids(&again, 1), [2]);

    // Reverse: offsets count in the query's direction.
    let rev = query(&engine, "Log", None, REV);
    rev.seek_bookmark(&bookmark, 1, BM).unwrap();
    assert_eq!(ids(&rev, 2), [3, 2]);
    rev.seek_bookmark(&bookmark, -1, BM).unwrap();
    assert_eq!(ids(&rev, 1), [5]);
}

/// The example in EvtSeek's documentation, verbatim: a reverse result set 3995, 3991, 3987, 3983,
/// 3979, 3975, 3971, 3968, 3959, 3955 and a bookmark at 3989 (in range, not in the results):
/// offsets -2..=8 give 3995, 3991, 3987, 3987, 3983, 3979, 3975, 3971, 3968, 3959, 3955.
#[test]
fn bookmark_in_a_gap_follows_the_documented_example_2_7() {
    let kept = [3995, 3991, 3987, 3983, 3979, 3975, 3971, 3968, 3959, 3955];
    let engine = engine_with(4000, |id| kept.contains(&id));
    let rs = query(&engine, "Log", Some("*[System[EventID=1]]"), REV);
    assert_eq!(ids(&rs, 20), kept);
    let bookmark = at("Log", 3989);
    let expected = [
        3995, 3991, 3987, 3987, 3983, 3979, 3975, 3971, 3968, 3959, 3955,
    ];
    for (offset, want) in (-2i64..=8).zip(expected) {
        rs.seek_bookmark(&bookmark, offset, BM).unwrap();
        assert_eq!(ids(&rs, 1), [want], "offset {offset}");
    }
    // Past the end clamps to the last record (the boundary rule); Strict fails instead.
    rs.seek_bookmark(&bookmark, 50, BM).unwrap();
    assert_eq!(ids(&rs, 1), [3955]);
    rs.seek_bookmark(&bookmark, -50, BM).unwrap();
    assert_eq!(ids(&rs, 1), [3995]);
    // Forward, the same gap: the nearest record after 3989 is 3991.
    let fwd = query(&engine, "Log", Some("*[System[EventID=1]]"), FWD);
    fwd.seek_bookmark(&bookmark, 1, BM).unwrap();
    assert_eq!(ids(&fwd, 2), [3991, 3995]);
    fwd.seek_bookmark(&bookmark, -1, BM).unwrap();
    assert_eq!(ids(&fwd, 1), [3987]);
}

/// EvtSeek (our choice where Windows' answer is undocumented): with Strict, a bookmarked record
/// that is not in the results is ERROR_NOT_FOUND (1168), a target outside them 15012; either way
/// the cursor stays.
#[test]
fn strict_fails_with_1168_or_15012_and_moves_nothing_2_7() {
    let engine = engine_with(10, |id| id % 2 == 0);
    let rs = query(&engine, "Log", Some("*[System[EventID=1]]"), FWD);
    assert_eq!(ids(&rs, 1), [2]);
    for (bookmark, offset) in [
        (at("Log", 3), 1),    // filtered out
        (at("Log", 99), 0),   // never written
        (at("Log", 0), 1),    // before the first record
        (at("Other", 4), 0),  // a channel the query does not read
        (Bookmark::new(), 1), // empty
    ] {
        let e = rs
            .seek_bookmark(&bookmark, offset, BM | SeekFlags::STRICT)
            .unwrap_err();
        assert_eq!(
            (e.kind(), e.win32_code()),
            (ErrorKind::NotFound, 1168),
            "{bookmark:?}"
        );
    }
    for offset in [-2, 4, 100] {
        let e = rs
            .seek_bookmark(&at("Log", 4), offset, SeekFlags::STRICT)
            .unwrap_err();
        assert_eq!(e.win32_code(), 15012, "offset {offset}");
    }
    assert_eq!(ids(&rs, 1), [4], "failed seeks moved nothing");
    rs.seek_bookmark(&at("Log", 4), 3, SeekFlags::STRICT)
        .unwrap();
    assert_eq!(ids(&rs, 5), [10]);
}

/// Bookmark resume, per MS-EVEN6 3.1.4.14 (non-strict): a bookmark past the newest record lands on
/// the last record (1000 -> 999); one older than the oldest (cleared, overwritten) on the first. An
/// empty bookmark, or one naming none of the query's channels, counts from before the first event.
#[test]
fn non_strict_goes_to_the_nearest_record_p5() {
    let engine = engine_with(999, |_| true);
    let rs = query(&engine, "Log", None, FWD);
    rs.seek_bookmark(&at("Log", 1000), 0, BM).unwrap();
    assert_eq!(ids(&rs, 2), [999]);
    rs.seek_bookmark(&at("Log", 1000), 1, BM).unwrap();
    assert_eq!(ids(&rs, 1), [999], "past the end clamps to the last record");
    let rev = query(&engine, "Log", None, REV);
    rev.seek_bookmark(&at("Log", 1000), 1, BM).unwrap();
    assert_eq!(ids(&rev, 1), [999]);

    let engine = engine_with(5, |_| true);
    engine.channel("Log").unwrap().clear().unwrap();
    for _ in 0..3 {
        engine.write("Log", Event::builder("P").build()).unwrap();
    }
    let rs = query(&engine, "Log", None, FWD);
    rs.seek_bookmark(&at("Log", 2), 1, BM).unwrap();
    assert_eq!(ids(&rs, 5), [6, 7, 8]);

    for bookmark in [Bookmark::new(), at("Elsewhere", 3)] {
        rs.seek_bookmark(&bookmark, 1, BM).unwrap();
        assert_eq!(ids(&rs, 1), [6], "{bookmark:?}");
        rs.seek_bookmark(&bookmark, 2, BM).unwrap();
        assert_eq!(ids(&rs, 1), [7], "{bookmark:?}");
    }
}

/// Bookmarks over a multi-channel query: the bookmark's current channel is the origin, and
/// offsets count in the merged sequence.
#[test]
fn several_channels_seek_from_the_current_entry_2_19() {
    let engine = engine_with(5, |_| true);
    let xml = "<QueryList><Query Id='0'><Select Path='Log'>*</Select><Select Path='Other'>*</Select></Query></QueryList>";
    let rs = engine
        .default_session()
        .query(None, Some(xml), FWD)
        .unwrap();
    let mut bookmark = Bookmark::new();
    let batch = events(rs.next(5, None).unwrap());
    let order: Vec<(String, u64)> = batch
        .iter()
        .map(|e| (e.path().to_owned(), e.record_id()))
        .collect();
    assert_eq!(
        order,
        [
            ("Log", 1),
            ("Other", 1),
            ("Log", 2),
            ("Other", 2),
            ("Log", 3)
        ]
        .map(|(c, i)| (c.to_owned(), i))
    );
    for event in &batch {
        bookmark.update(event);
    }
    assert_eq!(bookmark.current(), Some(("Log", 3)));
    assert_eq!(bookmark.record_id("Other"), Some(2));
    let again = engine
        .default_session()
        .query(None, Some(xml), FWD)
        .unwrap();
    again.seek_bookmark(&bookmark, 1, BM).unwrap();
    let next: Vec<(String, u64)> = events(again.next(2, None).unwrap())
        .iter()
        .map(|e| (e.path().to_owned(), e.record_id()))
        .collect();
    assert_eq!(next, [("Other".to_owned(), 3), ("Log".to_owned(), 4)]);
    // A query over Other alone uses the bookmark's Other entry.
    let other = query(&engine, "Other", None, FWD);
    other
        .seek_bookmark(&bookmark, 1, SeekFlags::STRICT)
        .unwrap();
    assert_eq!(ids(&other, 1), [3]);
}

/// EvtSeek: the flags are RelativeToBookmark (and Strict); `seek` itself refuses the bookmark
/// origin; a closed result set is 6, a stale one 15011.
#[test]
fn flags_handles_and_staleness_2_7() {
    let engine = engine_with(3, |_| true);
    let rs = query(&engine, "Log", None, FWD);
    let b = at("Log", 2);
    for flags in [
        SeekFlags::RELATIVE_TO_FIRST,
        SeekFlags::RELATIVE_TO_CURRENT | SeekFlags::STRICT,
        SeekFlags::RELATIVE_TO_LAST,
    ] {
        assert_eq!(rs.seek_bookmark(&b, 0, flags).unwrap_err().win32_code(), 87);
    }
    assert_eq!(rs.seek(1, BM).unwrap_err().win32_code(), 87);
    engine.channel("Log").unwrap().clear().unwrap();
    assert_eq!(rs.seek_bookmark(&b, 1, BM).unwrap_err().win32_code(), 15011);
    rs.close();
    assert_eq!(rs.seek_bookmark(&b, 1, BM).unwrap_err().win32_code(), 6);
}

/// JNA's observation: a bookmark from an .evtx query names the file's
/// absolute path, and seeking to it works on file queries as on channels.
#[test]
fn file_queries_bookmark_by_absolute_path_2_19() {
    let (file, _) = crate::support::evtx::security_log("bookmark-file");
    let path = file.path();
    let engine = engine();
    let rs = query(&engine, path, None, QueryFlags::FILE_PATH);
    let mut bookmark = Bookmark::new();
    let first = events(rs.next(300, None).unwrap());
    for event in &first {
        bookmark.update(event);
    }
    let last = first.last().unwrap().record_id();
    assert_eq!(bookmark.current(), Some((path, last)));
    assert_eq!(
        bookmark.to_xml(),
        format!("<BookmarkList>\r\n  <Bookmark Channel='{path}' RecordId='{last}' IsCurrent='true'/>\r\n</BookmarkList>")
    );
    let expected: Vec<u64> = events(rs.next(5, None).unwrap())
        .iter()
        .map(EventRef::record_id)
        .collect();
    let bookmark = Bookmark::from_xml(&bookmark.to_xml()).unwrap();
    let again = query(&engine, path, None, QueryFlags::FILE_PATH);
    again
        .seek_bookmark(&bookmark, 1, BM | SeekFlags::STRICT)
        .unwrap();
    assert_eq!(ids(&again, 5), expected);
    // Reverse over the file: one after the bookmark is the record before it.
    let rev = query(&engine, path, None, QueryFlags::FILE_PATH | REV);
    rev.seek_bookmark(&bookmark, 1, BM | SeekFlags::STRICT)
        .unwrap();
    assert_eq!(ids(&rev, 1), [first[first.len() - 2].record_id()]);
}
