//! .evtx files as query sources (EvtQueryFilePath): a file is read into a fixed snapshot of
//! sealed chunks that a result set walks like a channel's.
//!
//! Invariants:
//! 1. Chunks are taken oldest first (by their first record id, as the evtx crate orders a
//!    wrapped log), records in file order within a chunk; a chunk with a bad magic and a
//!    record that does not frame or decode are skipped, as the reader reports them.
//! 2. Events keep their EventRecordID; the snapshot's chunk ids are positions (0, 1, …), so
//!    that gaps in a file's ids do not disturb the cursor.
//! 3. Reading polls the call's cancel token once per file chunk.
//!
//! Known limit: the whole file is decoded when the query is made; streaming one chunk at a
//! time (bounded memory for a 1 GB file) is still to come.

use std::path::Path;
use std::sync::Arc;

use crate::cancel::CancelToken;
use crate::error::{Error, ErrorKind, Result};
use crate::event::Event;
use crate::evtx::{ChunkDecoder, EvtxFile};
use crate::store::{Chunk, Snapshot};

/// The absolute path of `path`, as events read from it report it (bookmarks name a file by
/// its absolute path). Relative paths are not allowed, as on Windows.
pub(crate) fn absolute_path(path: &str) -> Result<String> {
    if !Path::new(path).is_absolute() {
        return Err(Error::with_message(
            ErrorKind::InvalidParameter,
            format!("{path}: a log file path must be absolute (relative paths are not allowed)"),
        ));
    }
    let full = std::fs::canonicalize(path)?;
    Ok(full.to_string_lossy().into_owned())
}

/// Reads the file at `path` into a fixed snapshot, polling `call` once per chunk.
pub(crate) fn read_file(path: &str, call: &CancelToken) -> Result<Snapshot> {
    let mut file = EvtxFile::open(path)?;
    let mut decoded: Vec<(u64, Vec<Event>)> = Vec::new();
    for chunk in file.chunks() {
        call.check()?;
        let Ok(chunk) = chunk else { continue };
        // One decoder per chunk: it caches the chunk's templates.
        let mut decoder = ChunkDecoder::new(&chunk);
        let events: Vec<Event> = chunk
            .records()
            .filter_map(|record| record.ok().and_then(|r| decoder.decode(&r).ok()))
            .collect();
        if !events.is_empty() {
            decoded.push((chunk.header().first_record_id, events));
        }
    }
    decoded.sort_by_key(|(first, _)| *first);
    let mut chunks = Vec::new();
    let mut position = 0u64;
    for (_, events) in decoded {
        let count = events.len() as u64;
        chunks.extend(
            Chunk::sealed_runs(position, events)
                .into_iter()
                .map(Arc::new),
        );
        position += count;
    }
    Ok(Snapshot::fixed(chunks))
}
