//! Record stores: [`MemoryStore`], the in-memory, append-only, chunked store of one channel,
//! and [`Chunk`], which also carries the sealed chunks decoded from an .evtx file (a file
//! query's, or a persistent channel's pages, addressed by record id). A persistent channel's
//! store is its .evtx file (`engine/persist.rs`, `engine/paged.rs`): its `MemoryStore` holds
//! only the records of the file's open chunk, and gives up the rest when the file seals it
//! (`MemoryStore::retire_before`).
//!
//! Owns: record-id assignment, chunking, max-size accounting and retention (overwrite vs.
//! do-not-overwrite), clear, the generation counter, and lock-free reading through
//! [`Snapshot`]s. Does not own: channel names and config (`engine/`), query filtering,
//! cancellation (result sets poll it once per batch of at most the engine's poll interval,
//! 64 records by default, within one chunk: `engine/results.rs` invariant 2).
//!
//! # Concurrency protocol
//!
//! One writer at a time (appends and clears are serialized by the store's mutex); any number
//! of readers, which never take a lock per record and never block a writer for longer than a
//! snapshot's `Vec` of `Arc` clones. No `unsafe`: a chunk's slots are `OnceLock<Event>`s and
//! its published length is an `AtomicUsize`.
//!
//! Invariants:
//! 1. **Ids.** Record ids start at 1 and increase by one per successful append, across
//!    clears and overwrites (as on Windows); a failed append consumes no id. The store writes
//!    the id into `event.system.event_record_id`.
//! 2. **Chunks.** The store's chunk list is oldest first; each chunk holds consecutive ids
//!    and the next chunk starts right after the previous one ends (no gaps, no empty chunk:
//!    a chunk is opened only to take a record at once).
//! 3. **One open chunk.** Only the last chunk of the list receives records. Before a new
//!    chunk is opened, or when a chunk leaves the list (overwrite, clear), it is sealed and
//!    never changes again.
//! 4. **Publication.** Within a chunk, a slot is set before the chunk's length is stored
//!    (`Release`); readers load the length (`Acquire`) and may then read every slot below it
//!    without further synchronisation. Lengths never decrease, slots are never reset.
//! 5. **Chunk limits.** A chunk seals when it holds [`Chunk::MAX_RECORDS`] (256) records, when
//!    the next record would take its estimated size past [`Chunk::MAX_BYTES`] (64 KiB, EVTX's
//!    chunk size; a larger record gets a chunk of its own), or when its pre-allocated slots
//!    run out (slots are sized from the previous chunk's average record size; see
//!    `chunk::slot_capacity_for`).
//! 6. **Max size.** `total_bytes` (the sum of `Event::approx_record_size`) never exceeds the
//!    max size after an append. Max sizes below 1 MiB are raised to 1 MiB, Windows' minimum
//!    and default; `u64::MAX` means unbounded. With [`Retention::Overwrite`] an append that
//!    would exceed it first drops whole chunks, oldest first (Windows' ring of chunks); with
//!    [`Retention::DoNotOverwrite`] it fails with `LogFileFull` (1502) and changes nothing.
//! 7. **Generation.** The generation increments on every clear and on every append that
//!    dropped records; nothing else changes it. A snapshot records it, under the same lock
//!    as its chunk list, so `Snapshot::is_stale` is exact.
//! 8. **Snapshots.** A snapshot is the chunk list at one moment (`Arc` clones): it keeps its
//!    chunks alive after they leave the store, sees later appends to its last chunk, and
//!    never sees chunks opened after it (see `snapshot.rs`).
//! 9. **Compact chunks.** Once the records not yet compact pass the store's hot window
//!    (estimated bytes, [`DEFAULT_HOT_WINDOW`] unless set), its oldest sealed chunk that is
//!    not compact is replaced in the list by the same records held compact (`compact/`,
//!    chunk.rs C7), one at a time, oldest first, by the compactor's thread (`compactor.rs`)
//!    or by `set_hot_window`. The swap is done under the mutex, only if the chunk is still
//!    there; ids, lengths, estimated sizes and the generation do not change, so snapshots
//!    holding either form read the same events. The open chunk is never compacted.

mod chunk;
mod compact;
mod compactor;
mod memory;
mod snapshot;
#[cfg(test)]
mod tests;

pub use chunk::{Chunk, ChunkIter, StoredEvent};
pub(crate) use chunk::{DeferredEvents, LiveGauge};
pub(crate) use compact::{DataNames, Probe, Reads};
pub use memory::MemoryStore;
pub use memory::DEFAULT_HOT_WINDOW;
pub use snapshot::{Snapshot, SnapshotIter};

/// Windows' minimum (and default) channel max size: 1 MiB. Smaller values are raised to it.
pub const MIN_MAX_SIZE: u64 = 1024 * 1024;

/// A max size that never fills (for benchmarks and bulk imports).
pub const UNBOUNDED: u64 = u64::MAX;

/// What a channel does when appending would pass its max size (EvtChannelLoggingConfigRetention).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Retention {
    /// Circular log (Windows `retention = false`, the default for Admin and Operational
    /// channels): the oldest chunks are dropped to make room.
    #[default]
    Overwrite,
    /// Sequential log (Windows `retention = true`, the default for Analytic and Debug
    /// channels): new records are rejected with `LogFileFull` (1502) once full.
    DoNotOverwrite,
    /// Windows `retention = true` with `autoBackup = true`: a full persistent channel's file
    /// is renamed `Archive-<channel>-<time>.evtx` beside it and a fresh one starts (its
    /// records leave the channel with it). A memory store has no file to archive: it is
    /// full as with `DoNotOverwrite`.
    AutoBackup,
}

impl Retention {
    /// From the Windows `retention` boolean (EvtChannelLoggingConfigRetention): true means
    /// do not overwrite.
    pub fn from_windows(retention: bool) -> Retention {
        if retention {
            Retention::DoNotOverwrite
        } else {
            Retention::Overwrite
        }
    }

    /// The Windows `retention` boolean.
    pub fn to_windows(self) -> bool {
        self != Retention::Overwrite
    }
}
