//! [`Progress`]: how far a long call has gone (an export, a clear's backup), reported to an
//! observer the caller passes (`Session::export_log_with_progress`,
//! `Session::clear_log_with_progress`).
//!
//! Invariants:
//! 1. The observer runs on the calling thread, once after each batch of events written
//!    (at most `MAX_NEXT_COUNT` events, or one chunk of a backup), never under a lock of
//!    the engine, a result set or the cancel tree. (A clear holds its channel's clearing
//!    turn meanwhile, so an observer must not clear the same channel: it would wait for
//!    itself.)
//! 2. `records` and `bytes` only grow; the last report carries the call's totals, before
//!    the file is synced and put in place (so a cancel can still come after it).
//! 3. `total` is how many records the source held when the call began, when that is known
//!    without reading them: a channel's record count, a file's from its chunk headers. It
//!    is an upper bound when a query filters (an export's), `None` when several sources
//!    are read.

use super::flags::QueryFlags;
use super::session::Session;
use super::Engine;
use crate::evtx::EvtxFile;
use crate::query::Query;

/// How far an export or a clear's backup has gone: events and bytes written so far, and
/// the source's record count when known. See [`Session::export_log_with_progress`].
///
/// [`Session::export_log_with_progress`]: super::Session::export_log_with_progress
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Events written to the target so far.
    pub records: u64,
    /// Bytes of the target file written so far (its header and each completed chunk).
    pub bytes: u64,
    /// Records the source held when the call began, if known (an upper bound of
    /// `records` when a query filters).
    pub total: Option<u64>,
}

impl Progress {
    pub(super) fn new(total: Option<u64>) -> Progress {
        Progress {
            records: 0,
            bytes: 0,
            total,
        }
    }
}

/// The record count of the one source `path`/`query` reads (invariant 3), without reading
/// its records: `None` for several sources or when it cannot be had cheaply (the call
/// itself then reports the error, if any).
pub(super) fn source_total(
    engine: &Engine,
    path: Option<&str>,
    query: Option<&str>,
    flags: QueryFlags,
) -> Option<u64> {
    let parsed = Query::parse(path, query).ok()?;
    let [source] = parsed.sources() else {
        return None;
    };
    if flags.contains(QueryFlags::FILE_PATH) {
        let (count, _) = EvtxFile::open(source.path()).ok()?.count_records().ok()?;
        Some(count)
    } else {
        Some(engine.channel(source.path()).ok()?.record_count())
    }
}

impl Session {
    /// How many records the one source of a query over `path`/`query` holds now, without
    /// reading them (a channel's record count, a file's from its chunk headers): a total
    /// for a progress display. `None` when the query names several sources, or the source
    /// cannot be opened (the query itself then reports why). Not an access check.
    pub fn source_record_count(
        &self,
        path: Option<&str>,
        query: Option<&str>,
        flags: QueryFlags,
    ) -> Option<u64> {
        source_total(&self.engine, path, query, flags)
    }
}
