//! Provider resource files on arbitrary bytes: the PE headers and resource tree
//! (`ResourceFile::parse`), every language of the message table, the WEVT_TEMPLATE's
//! providers, and a lookup of one resource by type, name and language.
//! Only the crate's public API.
//!
//! Run: see fuzz/README.md. No panic, hang or unbounded allocation is allowed.

#![no_main]

use evtlog::{ResourceFile, ResourceId, RT_MESSAGETABLE, WEVT_TEMPLATE};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(file) = ResourceFile::parse(data.to_vec()) else {
        return;
    };
    if let Ok(messages) = file.message_table() {
        for culture in messages.cultures() {
            assert!(messages.culture(culture).is_some());
        }
    }
    if let Ok(providers) = file.wevt_template() {
        for p in &providers {
            // Events link templates by index: every link must be in range.
            for e in &p.events {
                if let Some(t) = e.template {
                    assert!(t < p.templates.len());
                }
            }
        }
    }
    let ty = ResourceId::from(WEVT_TEMPLATE);
    if let Ok(langs) = file.languages(&ty, &ResourceId::Id(1)) {
        for lang in langs {
            let _ = file.resource(&ty, &ResourceId::Id(1), lang);
        }
    }
    let _ = file.message_table_language(0x0409);
    let _ = file.resource(&ResourceId::Id(RT_MESSAGETABLE), &ResourceId::Id(1), 0);
});
