//! The fuzz input as an .evtx file (a whole file, or one chunk's leading bytes: see
//! `evtx_input.rs`) queried through a session (EvtQueryFilePath): the file
//! streamed chunk by chunk, with no filter and with a System-only one (applied while
//! decoding), every event rendered.
//! Only the crate's public API.

#![no_main]

use std::io::Write;

use evtlog::{Engine, Next, QueryFlags};
use libfuzzer_sys::fuzz_target;

#[path = "evtx_input.rs"]
mod evtx_input;

fuzz_target!(|data: &[u8]| {
    // One file per process, rewritten per input: the query takes an absolute path.
    let path = std::env::temp_dir().join(format!("evtlog-fuzz-{}.evtx", std::process::id()));
    {
        let mut f = std::fs::File::create(&path).expect("temp file");
        f.write_all(&evtx_input::evtx_bytes(data)).expect("temp file write");
    }
    let path = path.to_str().expect("utf-8 temp path").to_owned();
    let engine = Engine::new();
    let session = engine.default_session();
    for query in [
        None,
        Some("*[System[(Level=2 or Level=4) and EventID>=1000]]"),
    ] {
        let Ok(rs) = session.query(Some(&path), query, QueryFlags::FILE_PATH) else {
            return;
        };
        let mut xml = String::new();
        while let Ok(Next::Events(batch)) = rs.next(256, None) {
            for e in batch {
                xml.clear();
                e.event().write_xml(&mut xml);
            }
        }
    }
});
