//! Support shared by the tests of every crate of the workspace, kept once: the real samples
//! (`samples`), temporary files (`temp`), EVTX files evtlog writes (`evtx`), random events
//! for property tests (`events`), the engine backend a run tests (`backend`) and draining a
//! query into comparable (record id, XML) pairs (`drain`).
//!
//! One home by `#[path]`, not a dev-only crate: the library's own unit tests use it too, and
//! a crate depending on evtlog would hand them a second evtlog whose types are not theirs.
//! The crates without evtlog or proptest (cli, benches) include `samples.rs` alone.

pub mod backend;
pub mod drain;
pub mod events;
pub mod evtx;
pub mod samples;
pub mod temp;
