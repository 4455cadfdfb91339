//! The XPath front end on arbitrary text, strict and tolerant (EvtQueryTolerateQueryErrors):
//! compile, and evaluate what compiles against a small event. Errors are fine; a panic, a
//! stack overflow (deep nesting) or super-linear time (libFuzzer's -timeout) is a finding.
//! Only the crate's public API.

#![no_main]

use evtlog::{Event, FileTime, XPathFilter};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let event = Event::builder("P")
        .event_id(7)
        .level(2)
        .data("Name", "x")
        .build();
    if let Ok(filter) = XPathFilter::compile(&text) {
        let _ = filter.matches(&event, FileTime::default());
        let _ = filter.expression_count();
    }
    if let Ok((filter, _)) = XPathFilter::compile_tolerant(&text) {
        let _ = filter.matches(&event, FileTime::default());
    }
});
