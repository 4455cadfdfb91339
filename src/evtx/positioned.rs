//! Positioned reads of a file readers share: [`SharedFile`] (a reader with a position of its
//! own over an `Arc<File>`), [`read_exact_at`], and [`read_chunk_range`] (a chunk's record
//! ids from its header, 40 bytes). A persistent channel's file is read this way by its
//! writer and by any number of queries at once, none moving another's place.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};

use super::bytes::u64_at;
use super::file::slot_offset;
use crate::error::Result;

/// A file shared by readers, each with a position of its own: reads are positioned reads
/// (`pread`), so readers of one open file (a persistent channel's, shared by its queries)
/// never move each other's place, and no reader moves its writer's.
#[derive(Debug, Clone)]
pub(crate) struct SharedFile {
    file: std::sync::Arc<File>,
    pos: u64,
}

impl SharedFile {
    /// A reader of `file` at its start.
    pub(crate) fn new(file: std::sync::Arc<File>) -> SharedFile {
        SharedFile { file, pos: 0 }
    }
}

impl Read for SharedFile {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        #[cfg(unix)]
        let n = std::os::unix::fs::FileExt::read_at(&*self.file, buf, self.pos)?;
        #[cfg(windows)]
        let n = std::os::windows::fs::FileExt::seek_read(&*self.file, buf, self.pos)?;
        #[cfg(not(any(unix, windows)))]
        let n = {
            let mut file = &*self.file;
            file.seek(SeekFrom::Start(self.pos))?;
            file.read(buf)?
        };
        self.pos += n as u64;
        Ok(n)
    }
}

impl Seek for SharedFile {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let base = match to {
            SeekFrom::Start(at) => {
                self.pos = at;
                return Ok(at);
            }
            SeekFrom::End(delta) => (self.file.metadata()?.len(), delta),
            SeekFrom::Current(delta) => (self.pos, delta),
        };
        self.pos = base.0.checked_add_signed(base.1).ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start")
        })?;
        Ok(self.pos)
    }
}

/// The record ids a chunk holds, from its header: `first..=last`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ChunkRange {
    pub(crate) first: u64,
    pub(crate) last: u64,
}

/// Fills `buf` from `file` at `offset` (a positioned read: no shared cursor moves on Unix).
pub(crate) fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        file.read_exact_at(buf, offset)
    }
    #[cfg(not(unix))]
    {
        let mut file = file;
        file.seek(SeekFrom::Start(offset))?;
        file.read_exact(buf)
    }
}

/// The record ids of the chunk in slot `slot` of `file`, from the first 40 bytes of its
/// header: `None` for a slot past the end, without the chunk magic, or holding no record
/// (an empty chunk's range is reversed).
pub(crate) fn read_chunk_range(file: &File, slot: u64) -> Result<Option<ChunkRange>> {
    let mut head = [0u8; 40];
    match read_exact_at(file, &mut head, slot_offset(slot)) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    if head[..8] != *b"ElfChnk\0" {
        return Ok(None);
    }
    let (Some(first), Some(last)) = (u64_at(&head, 24), u64_at(&head, 32)) else {
        return Ok(None);
    };
    // An empty chunk's header says u64::MAX for both (and readers take it as empty).
    Ok((first <= last && first != u64::MAX).then_some(ChunkRange { first, last }))
}
