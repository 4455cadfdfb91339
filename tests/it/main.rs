//! The one integration-test binary: each module tests one capability through the public API.

mod architecture;
mod archive;
mod bookmarks;
mod channel_config;
mod classic;
mod clear;
mod compact_store;
mod computers;
mod default_publishers;
mod dll_format;
mod evtx_container;
mod evtx_decode;
mod evtx_differential;
mod evtx_fuzz_regressions;
mod evtx_query;
mod evtx_write;
mod export;
mod facade_model;
mod faults;
mod hostile;
mod last_error;
mod layout;
mod manifests;
mod metadata;
mod paged_store;
mod pains;
mod persist;
mod producer;
mod progress;
mod query_cases;
mod quirks;
mod readme;
mod render;
mod resources;
mod results;
mod service;
mod store;
mod store_lock;
mod store_open;
mod store_scale;
mod subscribe;
mod text_fuzz;
mod traces;
mod winevt;
mod xml_golden;
mod xml_malformed;
mod xml_roundtrip;

#[path = "../support/mod.rs"]
mod support;

/// Reads a fixture file relative to the project root, without its trailing newline.
pub fn fixture(path: &str) -> String {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(path);
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()));
    text.trim_end_matches(['\r', '\n']).to_owned()
}

pub use support::samples::{samples, Samples};
pub use support::temp::{TempDir, TempFile};

/// Every event of the .evtx file at `path`, in record order, by evtlog's reader (every
/// record must decode).
pub fn read_evtx(path: impl AsRef<std::path::Path>) -> Vec<evtlog::Event> {
    let mut file = evtlog::EvtxFile::open(path).unwrap();
    let mut out = Vec::new();
    for chunk in file.chunks_in_record_order().unwrap() {
        let chunk = chunk.unwrap();
        let mut decoder = evtlog::ChunkDecoder::new(&chunk);
        for record in chunk.records() {
            out.push(decoder.decode(&record.unwrap()).unwrap());
        }
    }
    out
}
