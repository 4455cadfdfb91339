//! [`Snapshot`]: a reader's view of a store — the chunk list at one moment, plus the store's
//! generation then — and [`SnapshotIter`] over its records.
//!
//! Invariants (S1–S2 refine invariant 8 of `store/mod.rs`):
//! - S1. The chunk list is fixed when the snapshot is taken, and its chunks' record ids are
//!   consecutive and gap-free from chunk to chunk. Only the last chunk may still grow (it
//!   may be the store's open chunk); records appended to it after the snapshot are visible.
//!   Records appended to chunks opened after the snapshot are not.
//! - S2. A snapshot keeps its chunks alive: clear and overwrite never invalidate what a
//!   snapshot can read, they only make [`Snapshot::is_stale`] true.

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::chunk::{Chunk, ChunkIter, StoredEvent};

/// A reader's view of a store: its chunk list at one moment and its generation then.
///
/// Taking one costs a short lock and one `Arc` clone per chunk (about 320 for a full 20 MiB
/// log); reading it takes no lock at all.
pub struct Snapshot {
    chunks: Vec<Arc<Chunk>>,
    generation: u64,
    end_record_id: u64,
    live_generation: Arc<AtomicU64>,
}

impl Snapshot {
    pub(super) fn new(
        chunks: Vec<Arc<Chunk>>,
        generation: u64,
        end_record_id: u64,
        live_generation: Arc<AtomicU64>,
    ) -> Snapshot {
        Snapshot {
            chunks,
            generation,
            end_record_id,
            live_generation,
        }
    }

    /// This snapshot with `front` (chunks of the records before its own, oldest first)
    /// ahead of its chunks: a persistent channel's records read from its file.
    pub(crate) fn with_front(mut self, mut front: Vec<Arc<Chunk>>) -> Snapshot {
        front.append(&mut self.chunks);
        self.chunks = front;
        self
    }

    /// The chunks, oldest first.
    pub fn chunks(&self) -> &[Arc<Chunk>] {
        &self.chunks
    }

    /// The store's generation when the snapshot was taken.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Whether the store has been cleared or overwritten since the snapshot was taken (one
    /// atomic load). Later query code turns this into ERROR_EVT_QUERY_RESULT_STALE.
    pub fn is_stale(&self) -> bool {
        self.live_generation.load(Ordering::Acquire) != self.generation
    }

    /// The id of the oldest record in the snapshot, if any.
    pub fn first_record_id(&self) -> Option<u64> {
        self.chunks.first().map(|c| c.first_record_id())
    }

    /// The store's next record id when the snapshot was taken: records with a smaller id
    /// existed then; a reader that wants exactly the records of that moment stops here.
    pub fn end_record_id(&self) -> u64 {
        self.end_record_id
    }

    /// The number of records visible now (those of the moment, plus later appends to the last
    /// chunk).
    pub fn len(&self) -> usize {
        self.chunks.iter().map(|c| c.len()).sum()
    }

    /// Whether the snapshot holds no record.
    pub fn is_empty(&self) -> bool {
        self.chunks.is_empty()
    }

    /// Where the record with id `record_id` is: `(chunk index, index in chunk)`, if the
    /// snapshot holds it and it is published. Binary search over the chunks.
    pub fn locate(&self, record_id: u64) -> Option<(usize, usize)> {
        let chunk_index = self
            .chunks
            .partition_point(|c| c.first_record_id() <= record_id)
            .checked_sub(1)?;
        let chunk = self.chunks.get(chunk_index)?;
        let index = usize::try_from(record_id - chunk.first_record_id()).ok()?;
        (index < chunk.len()).then_some((chunk_index, index))
    }

    /// [`locate`](Snapshot::locate), answered from chunk `hint` or the one after it when
    /// `record_id` is there (the same answer: checked against the next chunk's first id, as
    /// the binary search would), else by the binary search. A scan keeps the chunk it is in
    /// as the hint, so entering the next chunk costs two chunk headers rather than a search
    /// whose ~log2(chunks) probes each miss the cache in a large log.
    pub fn locate_near(&self, record_id: u64, hint: usize) -> Option<(usize, usize)> {
        for c in [hint, hint.saturating_add(1)] {
            let Some(chunk) = self.chunks.get(c) else {
                break;
            };
            let first = chunk.first_record_id();
            let below_next = self
                .chunks
                .get(c + 1)
                .is_none_or(|next| next.first_record_id() > record_id);
            if first <= record_id && below_next {
                let index = usize::try_from(record_id - first).ok()?;
                return (index < chunk.len()).then_some((c, index));
            }
        }
        self.locate(record_id)
    }

    /// The record with id `record_id`, if the snapshot holds it.
    pub fn get(&self, record_id: u64) -> Option<StoredEvent<'_>> {
        let (c, i) = self.locate(record_id)?;
        self.chunks.get(c)?.get(i)
    }

    /// Every visible record, oldest first.
    pub fn iter(&self) -> SnapshotIter<'_> {
        self.iter_from(0, 0)
    }

    /// The records from position `(chunk index, index in chunk)` on, as [`locate`] gives it.
    ///
    /// [`locate`]: Snapshot::locate
    pub fn iter_from(&self, chunk_index: usize, index: usize) -> SnapshotIter<'_> {
        let mut chunks = self.chunks.get(chunk_index..).unwrap_or(&[]).iter();
        let current = chunks.next().map(|c| c.iter_from(index));
        SnapshotIter { chunks, current }
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("chunks", &self.chunks.len())
            .field("first_record_id", &self.first_record_id())
            .field("end_record_id", &self.end_record_id)
            .field("generation", &self.generation)
            .finish()
    }
}

/// Iterator over a snapshot's records; see [`Snapshot::iter`].
#[derive(Debug, Clone)]
pub struct SnapshotIter<'a> {
    chunks: std::slice::Iter<'a, Arc<Chunk>>,
    current: Option<ChunkIter<'a>>,
}

impl<'a> Iterator for SnapshotIter<'a> {
    type Item = StoredEvent<'a>;

    fn next(&mut self) -> Option<StoredEvent<'a>> {
        loop {
            let current = self.current.as_mut()?;
            if let Some(event) = current.next() {
                return Some(event);
            }
            self.current = Some(self.chunks.next()?.iter());
        }
    }
}
