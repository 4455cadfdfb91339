//! The instrumentation-manifest parser on arbitrary text (evtlog's `parse_manifest`, as
//! `Engine::install_manifest` and `evtutil im` run it): no panic, no hang, no unbounded
//! allocation or recursion; every error is MalformedXml (15008) or ConfigurationError
//! (15010) with a line and column; a manifest that parses installs into a fresh engine.
//!
//! Run: see fuzz/README.md (seed it with fixtures/manifests/*.man).

#![no_main]

use evtlog::{parse_manifest, Engine, ErrorKind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match parse_manifest(&text) {
        Ok(publishers) => {
            let engine = Engine::new();
            for p in publishers {
                // Channel names the engine refuses are errors, not panics.
                let _ = engine.install_publisher(p);
            }
        }
        Err(e) => {
            assert!(matches!(
                e.kind(),
                ErrorKind::MalformedXml | ErrorKind::ConfigurationError
            ));
            assert!(e.position().is_some(), "no position: {e}");
        }
    }
});
