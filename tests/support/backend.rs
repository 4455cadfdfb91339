//! The engine a test runs on, in memory or on a store directory, chosen for the whole run by
//! `EVTLOG_TEST_BACKEND` (`memory`, the default, `compact` or `store`), so that the same
//! tests check every way a channel holds records: in memory as events, in memory compact
//! (every sealed chunk, a hot window of 0), and persistent, whose .evtx file is the store.
//!
//! Invariants: a store engine's directory is a fresh [`TempDir`] owned by the
//! [`TestEngine`] it was made for, removed when that is dropped (after the engine it holds:
//! the store's lock and files go first), so parallel tests never share a store and a run
//! leaves no directory behind. A clone of the engine kept past the `TestEngine` still works
//! on its open files, but a test must not create or clear channels with it then.
#![allow(dead_code)]

use std::sync::Arc;

use evtlog::{Clock, Engine};

use super::temp::TempDir;

/// Where a test's channels keep their records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// In memory (`Engine::with_clock`).
    Memory,
    /// In memory with every sealed chunk held compact (`Engine::set_hot_window(0)`).
    Compact,
    /// Live .evtx files in a store directory (`Engine::open_store_dir_with_clock`).
    Store,
}

impl Backend {
    /// The backend `EVTLOG_TEST_BACKEND` names; memory when unset. Any other value is a
    /// mistake in the run's set-up, not a silent fallback.
    pub fn from_env() -> Backend {
        match std::env::var("EVTLOG_TEST_BACKEND").as_deref() {
            Err(_) | Ok("") | Ok("memory") => Backend::Memory,
            Ok("compact") => Backend::Compact,
            Ok("store") => Backend::Store,
            Ok(other) => panic!(
                "EVTLOG_TEST_BACKEND={other:?}: expected \"memory\", \"compact\" or \"store\""
            ),
        }
    }

    /// True on the file-backed store.
    pub fn is_store() -> bool {
        Backend::from_env() == Backend::Store
    }
}

/// An engine for one test, and the store directory it lives in (none in memory). Derefs to
/// the engine; dropping it drops the engine, then removes the directory.
pub struct TestEngine {
    // Field order is drop order: the engine (its lock, its files) before its directory.
    engine: Engine,
    dir: Option<TempDir>,
}

impl TestEngine {
    /// The engine itself (a clone shares its channels).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The store directory, on the store backend.
    pub fn store_dir(&self) -> Option<&std::path::Path> {
        self.dir.as_ref().map(TempDir::path)
    }

    /// The names of the files in the store directory, sorted (none in memory): what a test
    /// compares before and after a call that must leave no file behind.
    pub fn store_files(&self) -> Vec<String> {
        self.dir.as_ref().map(TempDir::names).unwrap_or_default()
    }
}

impl std::ops::Deref for TestEngine {
    type Target = Engine;
    fn deref(&self) -> &Engine {
        &self.engine
    }
}

/// An engine with no channels on `clock`, on the run's backend.
pub fn engine_with_clock(clock: Arc<dyn Clock>) -> TestEngine {
    match Backend::from_env() {
        Backend::Memory => TestEngine {
            engine: Engine::with_clock(clock),
            dir: None,
        },
        Backend::Compact => {
            let engine = Engine::with_clock(clock);
            engine.set_hot_window(0);
            TestEngine { engine, dir: None }
        }
        Backend::Store => {
            let dir = TempDir::new("store-backend");
            let engine = Engine::open_store_dir_with_clock(dir.path(), clock)
                .unwrap_or_else(|e| panic!("opening the store {}: {e}", dir.path().display()));
            TestEngine {
                engine,
                dir: Some(dir),
            }
        }
    }
}

/// An engine on the wall clock, on the run's backend (`Engine::new` in memory).
pub fn engine() -> TestEngine {
    engine_with_clock(Arc::new(evtlog::SystemClock))
}

/// An engine with Windows' standard channels on `clock`, on the run's backend
/// (`Engine::with_default_channels` in memory).
pub fn engine_with_default_channels(clock: Arc<dyn Clock>) -> TestEngine {
    let engine = engine_with_clock(clock);
    engine.create_default_channels();
    engine
}

/// An engine on the run's backend with one unbounded Operational channel `name` holding `n`
/// events of `profile` from `Generator::new(seed)`, record ids 1..=n.
pub fn engine_with_generated(
    name: &str,
    profile: evtlog::Profile,
    seed: u64,
    n: usize,
) -> TestEngine {
    let engine = engine();
    engine
        .create_channel(
            evtlog::ChannelConfig::new(name, evtlog::ChannelType::Operational)
                .with_max_size(evtlog::ChannelConfig::UNBOUNDED),
        )
        .unwrap();
    for event in evtlog::Generator::new(seed).events(profile, n) {
        engine.write(name, event).unwrap();
    }
    engine
}
