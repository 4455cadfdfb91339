//! `Event::from_xml` on arbitrary text; what parses must render and parse back to the same
//! event (render -> parse is the identity on the model). Deep nesting must fail with 15008,
//! not overflow the stack. Only the crate's public API.

#![no_main]

use evtlog::Event;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(event) = Event::from_xml(&text) else {
        return;
    };
    let xml = event.to_xml();
    let again = Event::from_xml(&xml).expect("a rendered event parses");
    assert_eq!(again.to_xml(), xml, "render -> parse -> render");
});
