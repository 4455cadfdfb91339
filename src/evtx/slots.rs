//! [`EvtxFile`]'s reads of one chunk slot: random access to a slot
//! ([`EvtxFile::chunk_at`], [`EvtxFile::chunk_with_magic_at`]), positioned reads that seek
//! only when the source is elsewhere, and the chunk buffer handed from read to read
//! ([`EvtxFile::recycle`]). A child of `file.rs`, which owns the walks.
//!
//! Invariants:
//! - A chunk is read with one read call (`read_exact`, which the OS serves in one go from a
//!   file): into the buffer given back to this file ([`EvtxFile::recycle`]), else the one a
//!   chunk dropped on this thread left ([`keep_buffer`]: one per thread, so reading file
//!   after file allocates no 64 KiB buffer), else a new zeroed one (zeroing fresh memory
//!   is nearly free; a read in steps to skip it costs a system call each).
//! - A failed read leaves the position unknown (the next read seeks).
//! - A slot the file header counts as used is read whole at once; a slot past that count
//!   (preallocated space, usually unused) has its magic read first, so that skipping it
//!   costs 8 bytes, not 64 KiB. Either way the chunk and the walk are the same.

use std::cell::Cell;
use std::io::{Read, Seek, SeekFrom};

use super::bytes::all_zero;
use super::file::{slot_offset, EvtxChunk, EvtxFile};
use super::header::{ChunkHeader, CHUNK_SIZE};
use crate::error::Result;

thread_local! {
    /// A 64 KiB buffer a chunk dropped on this thread left, for the next chunk read here.
    static SPARE: Cell<Option<Vec<u8>>> = const { Cell::new(None) };
}

impl Drop for EvtxChunk {
    /// Leaves the buffer for the next chunk read on this thread.
    fn drop(&mut self) {
        keep_buffer(self.take_data());
    }
}

/// Keeps a dropped chunk's buffer for the next chunk read on this thread (one at most; a
/// buffer of another size is dropped).
fn keep_buffer(data: Vec<u8>) {
    if data.len() == CHUNK_SIZE {
        // During thread teardown there is nowhere to keep it: it is freed.
        let _ = SPARE.try_with(|spare| spare.set(Some(data)));
    }
}

/// The buffer a dropped chunk left on this thread, if any.
fn thread_buffer() -> Option<Vec<u8>> {
    SPARE.try_with(Cell::take).ok().flatten()
}

impl<R: Read + Seek> EvtxFile<R> {
    /// Fills `buf` from file offset `offset`, seeking only if the source is elsewhere. A
    /// failed read leaves the position unknown.
    pub(super) fn read_exact_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<()> {
        let at = self.at.take();
        if at != Some(offset) {
            self.source.seek(SeekFrom::Start(offset))?;
        }
        self.source.read_exact(buf)?;
        self.at = Some(offset + buf.len() as u64);
        Ok(())
    }

    /// Gives `chunk`'s 64 KiB buffer back, so that the next chunk read reuses it instead
    /// of allocating (a file walk then allocates one buffer in all).
    pub fn recycle(&mut self, mut chunk: EvtxChunk) {
        let data = chunk.take_data();
        if data.len() == CHUNK_SIZE {
            self.spare = Some(data);
        }
    }

    /// Takes a 64 KiB buffer from elsewhere (one a dropped file's walk used) for the next
    /// chunk read; a buffer of another size is dropped.
    pub(crate) fn give_buffer(&mut self, buffer: Vec<u8>) {
        if buffer.len() == CHUNK_SIZE {
            self.spare = Some(buffer);
        }
    }

    /// The recycled buffer, to keep for another file.
    pub(crate) fn take_buffer(&mut self) -> Option<Vec<u8>> {
        self.spare.take()
    }

    /// Whether the next chunk read has a recycled buffer to read into.
    pub(crate) fn has_buffer(&self) -> bool {
        self.spare.is_some()
    }

    /// The 64 KiB chunk at file offset `offset` whose first `head.len()` bytes, already
    /// read, are `head` (the rest is read now, in one read call): into the recycled buffer,
    /// else the thread's, else a new one.
    fn read_chunk_at(&mut self, offset: u64, head: &[u8]) -> Result<Vec<u8>> {
        let from = offset + head.len() as u64;
        if self.at.take() != Some(from) {
            self.source.seek(SeekFrom::Start(from))?;
        }
        let mut data = self
            .spare
            .take()
            .or_else(thread_buffer)
            .unwrap_or_else(|| vec![0; CHUNK_SIZE]);
        data[..head.len()].copy_from_slice(head);
        self.source.read_exact(&mut data[head.len()..])?;
        self.at = Some(offset + CHUNK_SIZE as u64);
        Ok(data)
    }

    /// The chunk in slot `slot` (random access, one 64 KiB read). `Ok(None)` for an unused
    /// (all-zero) slot or a slot past the file's last whole chunk; `Ok(Some(Err(_)))` for a
    /// chunk whose header does not parse (bad magic), which a walk skips; `Err` for an I/O
    /// error.
    pub fn chunk_at(&mut self, slot: u64) -> Result<Option<Result<EvtxChunk>>> {
        if slot >= self.chunk_slots() {
            return Ok(None);
        }
        let offset = slot_offset(slot);
        // The walk's only allocation: one chunk buffer (none if the caller recycles).
        let data = self.read_chunk_at(offset, &[])?;
        Ok(Self::parse_chunk(slot, offset, data))
    }

    /// The chunk of slot `slot` (at `offset`) from its 64 KiB `data`.
    fn parse_chunk(slot: u64, offset: u64, data: Vec<u8>) -> Option<Result<EvtxChunk>> {
        // A chunk magic says at once that the slot is in use.
        if !data.starts_with(b"ElfChnk\0") && all_zero(&data) {
            return None;
        }
        Some(ChunkHeader::parse(&data, offset).map(|header| EvtxChunk {
            index: slot,
            offset,
            data,
            header,
        }))
    }

    /// The chunk in slot `slot` if its header starts with the chunk magic: like
    /// [`chunk_at`](Self::chunk_at), but a slot without the magic (unused, or a bad magic:
    /// both are skipped by a walk) is `Ok(None)`; past the header's chunk count, after
    /// reading only its magic (see the module invariants).
    pub fn chunk_with_magic_at(&mut self, slot: u64) -> Result<Option<EvtxChunk>> {
        if slot >= self.chunk_slots() {
            return Ok(None);
        }
        let offset = slot_offset(slot);
        let data = if slot < u64::from(self.header().chunk_count) {
            let data = self.read_chunk_at(offset, &[])?;
            if !data.starts_with(b"ElfChnk\0") {
                self.spare = Some(data);
                return Ok(None);
            }
            data
        } else {
            let mut magic = [0u8; 8];
            self.read_exact_at(offset, &mut magic)?;
            if magic != *b"ElfChnk\0" {
                return Ok(None);
            }
            self.read_chunk_at(offset, &magic)?
        };
        Ok(Self::parse_chunk(slot, offset, data).and_then(|chunk| chunk.ok()))
    }
}
