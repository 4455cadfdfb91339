//! Reading every event a query gives, as (record id, XML): what the oracle tests compare
//! between two ways of holding the same records (compact and whole, file and memory).
#![allow(dead_code)]

use evtlog::{Engine, Next, QueryFlags};

/// Every event `query` gives over `path`, as (record id, XML), read in batches of `batch`.
pub fn drain(
    engine: &Engine,
    path: &str,
    query: &str,
    flags: QueryFlags,
    batch: usize,
) -> Vec<(u64, String)> {
    let results = engine
        .default_session()
        .query(Some(path), Some(query), flags)
        .unwrap();
    let mut out = Vec::new();
    while let Next::Events(events) = results.next(batch, None).unwrap() {
        out.extend(events.iter().map(|e| (e.record_id(), e.to_xml())));
    }
    out
}

/// Query flags from their bits (EvtQuery's values).
pub fn flags(bits: u32) -> QueryFlags {
    QueryFlags::from_bits(bits).unwrap()
}

/// The event after record `id` of `path`, reached as a consumer resumes: a forward query
/// seeked to the record, a bookmark made from it, and a new query seeked one past the
/// bookmark.
pub fn after_bookmark(engine: &Engine, path: &str, id: u64) -> evtlog::EventRef {
    let session = engine.default_session();
    let forward = flags(QueryFlags::CHANNEL_PATH.bits() | QueryFlags::FORWARD_DIRECTION.bits());
    let results = session.query(Some(path), Some("*"), forward).unwrap();
    results
        .seek(id as i64 - 1, evtlog::SeekFlags::RELATIVE_TO_FIRST)
        .unwrap();
    let Next::Events(events) = results.next(1, None).unwrap() else {
        panic!("record {id}")
    };
    let mut bookmark = evtlog::Bookmark::new();
    bookmark.update(&events[0]);
    let again = session.query(Some(path), Some("*"), forward).unwrap();
    again
        .seek_bookmark(&bookmark, 1, evtlog::SeekFlags::RELATIVE_TO_BOOKMARK)
        .unwrap();
    let Next::Events(events) = again.next(1, None).unwrap() else {
        panic!("after {id}")
    };
    events.into_iter().next().unwrap()
}
