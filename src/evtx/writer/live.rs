//! [`LiveFile`]: a channel's .evtx file kept current as events are appended (a persistent
//! channel's store; `engine/persist.rs`).
//!
//! Flush policy: every append is written through before it returns. The record's bytes go
//! first, then its chunk's 512-byte header (free-space offset, last record, both CRCs), each
//! one `pwrite` at its place; a new chunk is written whole (64 KiB, so a reused slot keeps
//! no stale records), then the file header. Nothing is synced: a process killed at any point
//! leaves every returned append in the page cache, and so in the file; a machine that loses
//! power may lose the tail since the last sync (`sync`).
//!
//! Invariants:
//! 1. A record is in the file, readable by any reader, once `append` returned. A process
//!    killed during an append leaves the file as before it, or with that one record; never
//!    anything unreadable, because the chunk header that makes a record visible is written
//!    after the record.
//! 2. Slots: the file grows a chunk at a time up to its maximum; then, overwriting, the next
//!    chunk reuses the oldest slot (a ring, wrapped as Windows wraps logs, which the readers
//!    follow from the header's oldest chunk); refusing, an append that needs a new chunk
//!    fails with 1502; archiving, the full file is closed cleanly and renamed
//!    `Archive-<name>-<time>.evtx` beside itself, and a fresh file takes its name.
//! 3. Record ids increase by one per append; a reopened file goes on after its newest record,
//!    in a new chunk.
//! 4. Opening reads the file header and at most three chunk headers (the oldest, the newest,
//!    and the slot after the newest, which holds a chunk the header does not name yet if a
//!    process was killed between writing the chunk and the header): never a record, so
//!    opening costs the same for any size. Opening writes nothing. A file that cannot be opened for writing (a read-only medium or
//!    file) opens read-only: it reads back, and every append fails with ERROR_ACCESS_DENIED
//!    before anything is written.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use super::chunk::ChunkBuilder;
use super::{file_header_with, Encoder};
use crate::error::{Error, ErrorKind, Result};
use crate::event::Event;
use crate::evtx::positioned::{read_chunk_range, read_exact_at};
use crate::evtx::{FileHeader, CHUNK_SIZE, FILE_HEADER_BLOCK_SIZE};

/// The most chunk slots a live file may have: 2^24 (1 TiB). The file header's 16-bit chunk
/// count saturates past 65,535; readers count slots by the file's size.
pub(crate) const LIVE_MAX_CHUNKS: u64 = 1 << 24;

/// Where an append went.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Placed {
    /// Into the file; no record was lost.
    Appended,
    /// Into a reused slot: the records with ids below `kept_from` were overwritten.
    Overwrote { kept_from: u64 },
    /// Into a fresh file: the full one was renamed to `archive` with every earlier record.
    Archived { archive: PathBuf },
}

/// What a full file does when a new chunk is needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum WhenFull {
    /// Reuse the oldest chunk's slot.
    Overwrite,
    /// Refuse the append (1502).
    Refuse,
    /// Rename the file to an archive beside it and start a fresh one.
    Archive,
}

/// A live .evtx file.
pub(crate) struct LiveFile {
    path: PathBuf,
    file: File,
    max_chunks: u64,
    /// Chunk slots in the file.
    slots: u64,
    /// The oldest chunk's slot (where a wrapped ring starts).
    oldest: u64,
    /// The open chunk's slot, if it has one (a reopened file's next chunk has none yet).
    current: Option<u64>,
    chunk: ChunkBuilder,
    /// The first record id of the open chunk, once it holds a record.
    current_first: Option<u64>,
    /// The oldest record's id (the next id while the file holds none).
    first_id: u64,
    next_id: u64,
    encoder: Encoder,
    /// Opened read-only (invariant 4).
    read_only: bool,
    /// Written since it was opened: only then does closing rewrite its header.
    wrote: bool,
}

impl std::fmt::Debug for LiveFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveFile")
            .field("path", &self.path)
            .field("slots", &self.slots)
            .field("oldest", &self.oldest)
            .field("next_id", &self.next_id)
            .finish_non_exhaustive()
    }
}

fn slot_offset(slot: u64) -> u64 {
    FILE_HEADER_BLOCK_SIZE as u64 + slot * CHUNK_SIZE as u64
}

impl LiveFile {
    /// Creates the file at `path` (replacing any), empty, holding at most `max_chunks`
    /// chunks (at least 1); its first record will have id `next_id`.
    pub(crate) fn create(path: &Path, max_chunks: u64, next_id: u64) -> Result<LiveFile> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(path)?;
        let mut live = LiveFile {
            path: path.to_owned(),
            file,
            max_chunks: max_chunks.clamp(1, LIVE_MAX_CHUNKS),
            slots: 1,
            oldest: 0,
            current: Some(0),
            chunk: ChunkBuilder::new(),
            current_first: None,
            first_id: next_id.max(1),
            next_id: next_id.max(1),
            encoder: Encoder::default(),
            read_only: false,
            wrote: true,
        };
        write_at(&mut live.file, &[0; FILE_HEADER_BLOCK_SIZE], 0)?;
        live.write_chunk_whole(0)?;
        live.write_file_header()?;
        Ok(live)
    }

    /// Opens the file at `path` (invariant 4: headers only); appends go on in a new chunk
    /// after its newest record. A file that cannot be opened for writing, or any file when
    /// `read_only`, opens read-only.
    pub(crate) fn open(path: &Path, max_chunks: u64, read_only: bool) -> Result<LiveFile> {
        // Whatever keeps the file from being written (a read-only mount, its permissions),
        // it opens read-only (invariant 4).
        let (file, read_only) = if read_only {
            (File::open(path)?, true)
        } else {
            match OpenOptions::new().read(true).write(true).open(path) {
                Ok(file) => (file, false),
                Err(_) => (File::open(path)?, true),
            }
        };
        let len = file.metadata()?.len();
        let mut block = [0u8; 128];
        read_exact_at(&file, &mut block, 0)?;
        let header = FileHeader::parse(&block)?;
        let slots = (len.saturating_sub(FILE_HEADER_BLOCK_SIZE as u64) / CHUNK_SIZE as u64).max(1);
        let range = |slot: u64| read_chunk_range(&file, slot);
        let (mut oldest, mut newest) = (header.first_chunk_number, header.last_chunk_number);
        if oldest >= slots || newest >= slots {
            // A header that names no slot of the file: the ring from slot 0.
            (oldest, newest) = (0, slots - 1);
        }
        let mut newest_range = range(newest)?;
        // A chunk written after the header was last written: the slot after the newest,
        // holding the records that follow (invariant 4).
        let after = (newest + 1) % slots;
        if after != newest {
            if let (Some(n), Some(a)) = (newest_range, range(after)?) {
                if a.first == n.last.saturating_add(1) {
                    if after == oldest {
                        oldest = (after + 1) % slots;
                    }
                    newest_range = Some(a);
                }
            }
        }
        let next_id = newest_range
            .map_or(1, |r| r.last.saturating_add(1))
            .max(header.next_record_id)
            .max(1);
        let first_id = match range(oldest)? {
            Some(r) if newest_range.is_some() => r.first,
            _ => next_id,
        };
        // An empty file's one chunk takes the next records; otherwise a new chunk does.
        let empty = newest_range.is_none() && slots == 1;
        Ok(LiveFile {
            path: path.to_owned(),
            file,
            max_chunks: max_chunks.clamp(1, LIVE_MAX_CHUNKS).max(slots),
            slots,
            oldest: if empty { 0 } else { oldest },
            current: empty.then_some(0),
            chunk: ChunkBuilder::new(),
            current_first: None,
            first_id,
            next_id,
            encoder: Encoder::default(),
            read_only,
            wrote: false,
        })
    }

    /// The slot where the record order starts (the oldest chunk).
    pub(crate) fn oldest_slot(&self) -> u64 {
        self.oldest
    }

    /// Chunk slots in the file.
    pub(crate) fn slots(&self) -> u64 {
        self.slots
    }

    /// The chunks no record will be appended to, in record order from the oldest slot:
    /// every chunk but the open one.
    pub(crate) fn sealed_chunks(&self) -> u64 {
        match self.current {
            Some(_) => self.slots - 1,
            None => self.slots,
        }
    }

    /// The oldest record's id (the next id while the file holds none).
    pub(crate) fn first_id(&self) -> u64 {
        self.first_id
    }

    /// The first id of the open chunk's records: records from it on are in the open chunk,
    /// those before it in sealed ones. The next id while the open chunk holds none.
    pub(crate) fn open_chunk_first_id(&self) -> u64 {
        self.current_first.unwrap_or(self.next_id)
    }

    /// Closes the open chunk: the next append starts a new one (the records written so far
    /// are then all in sealed chunks).
    pub(crate) fn seal_open_chunk(&mut self) {
        if self.current_first.is_some() {
            self.current = None;
            self.current_first = None;
        }
    }

    /// True if the file was opened read-only (invariant 4).
    pub(crate) fn is_read_only(&self) -> bool {
        self.read_only
    }

    /// The id the next record gets.
    pub(crate) fn next_id(&self) -> u64 {
        self.next_id
    }

    /// Sets the most chunks the file may hold; never fewer than it has (a lowered maximum
    /// keeps every chunk until the file is recreated by a clear).
    pub(crate) fn set_max_chunks(&mut self, max_chunks: u64) {
        self.max_chunks = max_chunks.clamp(1, LIVE_MAX_CHUNKS).max(self.slots);
    }

    /// The file now has the name `path` (renamed into place).
    pub(crate) fn renamed(&mut self, path: &Path) {
        self.path = path.to_owned();
    }

    /// Appends `event` as record [`next_id`](Self::next_id) (its EventRecordID should be
    /// that id). Errors: an event that cannot be written (nothing written); `LogFileFull`
    /// (1502) when a new chunk is needed and the file is at its maximum without `overwrite`
    /// (nothing written); an I/O error (the record may be in the file, but is not reported
    /// as appended).
    pub(crate) fn append(&mut self, event: &Event, when_full: WhenFull) -> Result<Placed> {
        if self.read_only {
            return Err(Error::with_message(
                ErrorKind::AccessDenied,
                format!(
                    "{}: the file was opened read-only (it cannot be written)",
                    self.path.display()
                ),
            ));
        }
        let id = self.next_id;
        if id.checked_add(1).is_none() {
            return Err(Error::with_message(
                ErrorKind::LogFileFull,
                format!(
                    "{}: the log's record ids are exhausted",
                    self.path.display()
                ),
            ));
        }
        self.wrote = true;
        let template = self.encoder.encode(event)?;
        let written = event.system.time_created.map_or(0, |t| t.0);
        let record = self.encoder.record(id, written, template);
        if let Some(slot) = self.current {
            let start = self.chunk.end();
            if self.chunk.add(&record) {
                let end = self.chunk.end();
                let at = slot_offset(slot);
                let chunk = self.chunk.finish();
                // The record, then the header that makes it visible (invariant 1).
                write_at(&mut self.file, &chunk[start..end], at + start as u64)?;
                write_at(&mut self.file, &chunk[..512], at)?;
                self.current_first.get_or_insert(id);
                if self.first_id >= id {
                    self.first_id = id;
                }
                self.next_id = id + 1;
                return Ok(Placed::Appended);
            }
            if self.chunk.is_empty() {
                return Err(too_large());
            }
        }
        // A new chunk: a new slot while the file may grow, else the oldest one's.
        let (slot, placed) = if self.slots < self.max_chunks {
            (self.slots, Placed::Appended)
        } else if when_full == WhenFull::Archive {
            return self.archive_and_append(event);
        } else if when_full == WhenFull::Overwrite {
            let slot = self.oldest;
            let next_oldest = (slot + 1) % self.slots;
            let kept_from = if self.slots == 1 {
                id
            } else {
                read_chunk_range(&self.file, next_oldest)?.map_or(id, |r| r.first)
            };
            (slot, Placed::Overwrote { kept_from })
        } else {
            return Err(Error::with_message(
                ErrorKind::LogFileFull,
                format!(
                    "{}: the log is full ({} chunks) and does not overwrite",
                    self.path.display(),
                    self.max_chunks
                ),
            ));
        };
        let mut chunk = ChunkBuilder::new();
        if !chunk.add(&record) {
            return Err(too_large());
        }
        self.chunk = chunk;
        if slot == self.slots {
            self.slots += 1;
        } else if self.slots > 1 {
            self.oldest = (slot + 1) % self.slots;
        }
        if let Placed::Overwrote { kept_from } = placed {
            self.first_id = kept_from;
        } else if self.first_id >= id {
            self.first_id = id;
        }
        self.current = Some(slot);
        self.current_first = Some(id);
        self.next_id = id + 1;
        self.write_chunk_whole(slot)?;
        self.write_file_header()?;
        Ok(placed)
    }

    /// The full file renamed `Archive-<name>-<time>.evtx` beside it (cleanly closed),
    /// and `event` appended to a fresh file in its place.
    fn archive_and_append(&mut self, event: &Event) -> Result<Placed> {
        let stem = self
            .path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        // The time of the append that filled it (the engine's clock), as Windows names
        // archives: YYYY-MM-DD-HH-MM-SS-mmm.
        let mut iso = String::new();
        event
            .system
            .time_created
            .unwrap_or_default()
            .write_to(&mut iso);
        let digits: String = iso.chars().filter(char::is_ascii_digit).collect();
        let part = |a: usize, b: usize| digits.get(a..b).unwrap_or("00");
        let now = format!(
            "{}-{}-{}-{}-{}-{}-{}",
            part(0, 4),
            part(4, 6),
            part(6, 8),
            part(8, 10),
            part(10, 12),
            part(12, 14),
            part(14, 17)
        );
        let mut archive = self
            .path
            .with_file_name(format!("Archive-{stem}-{now}.evtx"));
        let mut n = 1;
        while archive.exists() {
            archive = self
                .path
                .with_file_name(format!("Archive-{stem}-{now}-{n}.evtx"));
            n += 1;
        }
        let mut fresh_name = self.path.file_name().unwrap_or_default().to_os_string();
        fresh_name.push(".fresh");
        let fresh_path = self.path.with_file_name(fresh_name);
        let mut fresh = LiveFile::create(&fresh_path, self.max_chunks, self.next_id)?;
        // Closed cleanly first (the header without the dirty flag), then moved aside; on a
        // failure the full file stays (or goes back) where it was.
        let newest = self.current.unwrap_or(self.slots - 1);
        let header = file_header_with(self.oldest, newest, self.slots, self.next_id, 0);
        let moved = write_at(&mut self.file, &header, 0)
            .and_then(|()| self.file.sync_data())
            .and_then(|()| std::fs::rename(&self.path, &archive));
        if let Err(e) = moved {
            let _ = std::fs::remove_file(&fresh_path);
            return Err(e.into());
        }
        if let Err(e) = std::fs::rename(&fresh_path, &self.path) {
            let _ = std::fs::rename(&archive, &self.path);
            let _ = std::fs::remove_file(&fresh_path);
            return Err(e.into());
        }
        fresh.path = self.path.clone();
        fresh.append(event, WhenFull::Refuse)?;
        *self = fresh;
        Ok(Placed::Archived { archive })
    }

    /// Writes the open chunk whole at `slot`.
    fn write_chunk_whole(&mut self, slot: u64) -> Result<()> {
        let chunk = self.chunk.finish();
        write_at(&mut self.file, chunk, slot_offset(slot))?;
        Ok(())
    }

    /// The file header: the ring's oldest and newest slots, the slot count, the next id;
    /// marked dirty while open, as Windows marks a log in use.
    fn write_file_header(&mut self) -> Result<()> {
        let newest = self.current.unwrap_or(self.slots - 1);
        let header = file_header_with(self.oldest, newest, self.slots, self.next_id, 0x1);
        write_at(&mut self.file, &header, 0)?;
        Ok(())
    }

    /// Syncs the file to the disk.
    pub(crate) fn sync(&self) -> Result<()> {
        self.file.sync_data()?;
        Ok(())
    }
}

impl Drop for LiveFile {
    /// A clean close: the header without the dirty flag. A file opened and never written is
    /// left as it was (invariant 4).
    fn drop(&mut self) {
        if !self.wrote {
            return;
        }
        let newest = self.current.unwrap_or(self.slots - 1);
        let header = file_header_with(self.oldest, newest, self.slots, self.next_id, 0);
        let _ = write_at(&mut self.file, &header, 0);
    }
}

/// Writes `bytes` at `offset` of `file` (one `pwrite` on Unix).
fn write_at(file: &mut File, bytes: &[u8], offset: u64) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        file.write_all_at(bytes, offset)
    }
    #[cfg(not(unix))]
    {
        use std::io::{Seek, SeekFrom, Write};
        file.seek(SeekFrom::Start(offset))?;
        file.write_all(bytes)
    }
}

fn too_large() -> Error {
    Error::with_message(
        ErrorKind::InvalidParameter,
        "the event is too large for one EVTX record (a chunk holds 65,024 bytes of records)",
    )
}
