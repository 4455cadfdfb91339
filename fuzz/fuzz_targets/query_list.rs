//! Structured queries (`<QueryList>`) and bare XPaths through `Query::parse` and
//! `Query::parse_tolerant`, as EvtQuery reads them. Errors are fine; a panic, a stack
//! overflow or super-linear time is a finding. Only the crate's public API.

#![no_main]

use evtlog::{Event, FileTime, Query};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let event = Event::builder("P").event_id(1).channel("System").build();
    if let Ok(query) = Query::parse(Some("System"), Some(&text)) {
        let _ = query.matches("System", &event, FileTime::default());
    }
    let _ = Query::parse_tolerant(Some("System"), Some(&text));
});
