//! `Bookmark::from_xml` on arbitrary text; what parses must render and parse back to the
//! same rendering. Only the crate's public API.

#![no_main]

use evtlog::Bookmark;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(bookmark) = Bookmark::from_xml(&text) else {
        return;
    };
    let xml = bookmark.to_xml();
    let again = Bookmark::from_xml(&xml).expect("a rendered bookmark parses");
    assert_eq!(again.to_xml(), xml, "render -> parse -> render");
});
