//! The EVTX reader on arbitrary bytes (a whole file, or one chunk's leading bytes: see
//! `evtx_input.rs`): header, findings, every chunk, every record, each
//! record decoded (one `ChunkDecoder` per chunk) and rendered, rendered directly
//! (`write_xml`, which must write the same bytes), and its generic tree.
//! Only the crate's public API: the decoder internals are free to change.
//!
//! Run: see fuzz/README.md. No panic, hang or unbounded allocation is allowed
//! (libFuzzer's -timeout, -rss_limit_mb and -malloc_limit_mb turn the last two into crashes).

#![no_main]

use evtlog::{ChunkDecoder, EvtxFile};
use libfuzzer_sys::fuzz_target;

#[path = "evtx_input.rs"]
mod evtx_input;

fuzz_target!(|data: &[u8]| {
    let Ok(mut file) = EvtxFile::from_bytes(evtx_input::evtx_bytes(data)) else {
        return;
    };
    let _ = file.header();
    let _ = file.findings();
    let _ = (file.len(), file.chunk_slots(), file.is_empty());
    let mut xml = String::new();
    for chunk in file.chunks() {
        let Ok(chunk) = chunk else { continue };
        let _ = chunk.findings();
        let mut decoder = ChunkDecoder::new(&chunk);
        for record in chunk.records() {
            let Ok(record) = record else { continue };
            let _ = (record.record_id(), record.time_created(), record.binxml());
            // Direct rendering must write what the decoded event renders, or its error.
            let mut direct = String::new();
            let written = decoder.write_xml(&record, &mut direct);
            match decoder.decode(&record) {
                Ok(event) => {
                    xml.clear();
                    event.write_xml(&mut xml);
                    assert!(written.is_ok() && direct == xml, "write_xml differs");
                }
                Err(_) => assert!(written.is_err() && direct.is_empty(), "write_xml wrote"),
            }
            let _ = decoder.decode_tree(&record);
        }
    }
});
