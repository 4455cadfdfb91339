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
