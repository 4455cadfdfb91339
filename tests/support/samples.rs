//! The real .evtx samples, for the tests that need real Windows logs (the oracle comparisons,
//! damaged files, real templates). A clone of the repository alone has none: those tests are
//! then skipped, each saying so on stderr (uncaptured, so `cargo test` shows it), unless
//! `EVTLOG_REQUIRE_SAMPLES=1`, when a missing folder fails them (CI sets it).
//!
//! The folder is `$EVTLOG_SAMPLES`, or `../shared/evtx-samples` beside the workspace root. It
//! holds `INDEX.md` (what each file exercises and what the `evtx` crate 0.15.1 reads from
//! it), `evtx-crate/*.evtx` (the evtx crate's `samples/`), `python-evtx/*.evtx` (python-evtx's
//! `tests/data/`), `plaso/System.evtx` (plaso's `test_data/evtx/`) and `expected/` (those
//! projects' expected renderings).
//!
//! Tests that only need *an* EVTX file do not come here: they write one (`evtx.rs`).
//! Included by `#[path]` into every test crate that reads samples; each uses a part of it.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

/// The variable naming the samples folder.
pub const SAMPLES_ENV: &str = "EVTLOG_SAMPLES";
/// Set to `1`, a missing samples folder fails the tests that need it instead of skipping them.
pub const REQUIRE_ENV: &str = "EVTLOG_REQUIRE_SAMPLES";

/// The samples folder, found: every path in it is checked to exist.
#[derive(Debug, Clone)]
pub struct Samples(PathBuf);

impl Samples {
    /// The folder itself (absolute).
    pub fn dir(&self) -> &Path {
        &self.0
    }

    /// The absolute path of the sample `name` (as `evtx-crate/security.evtx`); a file the
    /// folder lacks fails the test (the folder is there, so the file must be).
    pub fn path(&self, name: &str) -> PathBuf {
        let path = self.0.join(name);
        assert!(
            path.exists(),
            "{} is missing from the samples folder {} (see its INDEX.md)",
            name,
            self.0.display()
        );
        path
    }

    /// [`Samples::path`] as a string, for the APIs that take one.
    pub fn str(&self, name: &str) -> String {
        self.path(name).to_string_lossy().into_owned()
    }
}

/// Where the samples are looked for: `$EVTLOG_SAMPLES`, or `../shared/evtx-samples` beside
/// the workspace root (the directory holding `Cargo.lock`).
pub fn location() -> PathBuf {
    if let Some(dir) = std::env::var_os(SAMPLES_ENV) {
        return PathBuf::from(dir);
    }
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest
        .ancestors()
        .find(|d| d.join("Cargo.lock").is_file())
        .unwrap_or(manifest);
    root.join("../shared/evtx-samples")
}

/// The samples folder, or `None` when it is missing: the calling test is then skipped (it
/// returns at once) and a line on stderr says so, with once per process how to get the
/// samples. With `EVTLOG_REQUIRE_SAMPLES=1`, a missing folder panics instead.
pub fn samples() -> Option<Samples> {
    let dir = location();
    if dir.join("INDEX.md").is_file() {
        return Some(Samples(std::fs::canonicalize(&dir).unwrap_or(dir)));
    }
    let required = std::env::var_os(REQUIRE_ENV).is_some_and(|v| v == "1");
    assert!(
        !required,
        "the EVTX samples folder {} is missing ({REQUIRE_ENV}=1): {}",
        dir.display(),
        how_to()
    );
    skipped(&dir);
    None
}

/// How to get the samples, for the skip and failure messages.
fn how_to() -> String {
    format!(
        "set {SAMPLES_ENV} to a folder holding INDEX.md, evtx-crate/*.evtx (the evtx crate's \
         samples/), python-evtx/*.evtx (python-evtx's tests/data/), plaso/System.evtx \
         (plaso's test_data/evtx/) and expected/ (their expected renderings), or put that \
         folder at ../shared/evtx-samples beside the project; {REQUIRE_ENV}=1 makes a missing \
         folder fail instead of skip"
    )
}

/// Says on stderr that the current test is skipped. Written to the stream itself, not by
/// `eprintln!`, which the test harness captures and shows only for failures.
fn skipped(dir: &Path) {
    static EXPLAINED: AtomicBool = AtomicBool::new(false);
    static SAID: Mutex<Vec<String>> = Mutex::new(Vec::new());
    let test = std::thread::current()
        .name()
        .filter(|n| *n != "main")
        .map_or_else(String::new, |n| format!(" {n}"));
    // Once per test, however often it asks.
    let mut said = SAID.lock().unwrap_or_else(|e| e.into_inner());
    if said.contains(&test) {
        return;
    }
    said.push(test.clone());
    drop(said);
    let mut err = std::io::stderr().lock();
    let _ = writeln!(
        err,
        "skipped{test}: needs the real EVTX samples, not found at {}",
        dir.display()
    );
    if !EXPLAINED.swap(true, Ordering::Relaxed) {
        let _ = writeln!(err, "  to run the sample tests, {}", how_to());
    }
}
