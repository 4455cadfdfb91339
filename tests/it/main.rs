//! The one integration-test binary: each module tests one capability through the public API.

mod bookmarks;
mod clear;
mod evtx_container;
mod evtx_decode;
mod evtx_differential;
mod evtx_fuzz_regressions;
mod evtx_query;
mod evtx_write;
mod export;
mod persist;
mod query_cases;
mod readme;
mod render;
mod results;
mod store;
mod subscribe;
mod xml_golden;
mod xml_malformed;
mod xml_roundtrip;

/// Reads a fixture file relative to the project root, without its trailing newline.
pub fn fixture(path: &str) -> String {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(path);
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()));
    text.trim_end_matches(['\r', '\n']).to_owned()
}

/// The real .evtx samples: `EVTLOG_SAMPLES`, or `../shared/evtx-samples` beside the project.
/// A missing folder fails the test: the samples are part of CI, not optional.
pub fn samples_dir() -> std::path::PathBuf {
    let dir = match std::env::var_os("EVTLOG_SAMPLES") {
        Some(d) => std::path::PathBuf::from(d),
        None => std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/evtx-samples"),
    };
    assert!(
        dir.join("INDEX.md").is_file(),
        "EVTX samples not found at {} (set EVTLOG_SAMPLES to the evtx-samples folder)",
        dir.display()
    );
    dir
}
