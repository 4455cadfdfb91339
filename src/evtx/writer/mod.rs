//! [`EvtxWriter`]: events written as a valid EVTX 3.1 file (one the evtx crate and
//! python-evtx read):
//! a 4096-byte file header block, then 64 KiB chunks of records, each record one template
//! instance. Owns the file-level layout; `chunk` fills one chunk, `template` turns an event
//! into a template key and values, `values` encodes values.
//!
//! Invariants:
//! - Every event of one structure shares one template, defined once per chunk (at its first
//!   use there) under a GUID made from its structure.
//! - Record ids increase strictly across the file: an event's own EventRecordID is the
//!   record's id when it is above the last one written, else the last one plus 1 (the
//!   `<EventRecordID>` inside is the event's, unchanged).
//! - An event that cannot be written (a value or name no reader takes back, or too large
//!   for one chunk) is an error and writes nothing; the writer stays usable.
//! - Chunks are written whole as they fill; [`EvtxWriter::finish`] writes the last one and
//!   then the file header (chunk count, last chunk, next record id, CRC32). Until then the
//!   header block is zero, so a file cut short is not mistaken for a finished one. Callers
//!   that must not leave half-written files write beside the target and rename (as
//!   `export` does).

mod chunk;
mod compile;
mod live;
pub(crate) use live::{LiveFile, Placed, WhenFull, LIVE_MAX_CHUNKS};
mod spool;
pub(crate) use spool::Spooled;
mod template;
mod values;

use std::collections::HashMap;
use std::fs::File;
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::Path;

use self::chunk::{ChunkBuilder, RecordParts};
use self::compile::{compile, Names, Template};
use self::template::{template_guid, Shape};
use super::{CHUNK_SIZE, FILE_HEADER_BLOCK_SIZE};
use crate::error::{Error, ErrorKind, Result};
use crate::event::Event;

/// A hash of template keys (hundreds of bytes, hashed once per event): eight bytes at a
/// time, multiply and rotate. The keys are the writer's own, so no flooding to fear.
#[derive(Default)]
pub(super) struct KeyHasher(u64);

/// Maps keyed by template keys or names.
pub(super) type KeyMap<K, V> = HashMap<K, V, BuildHasherDefault<KeyHasher>>;

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in words.by_ref() {
            let w = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7C_C1_B7_27_22_0A_95);
        }
        for &b in words.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7C_C1_B7_27_22_0A_95);
        }
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Most chunks a written file holds: as many as a live file (2^24, 1 TiB). The header's
/// 16-bit count saturates past 65,535; readers count a file's chunks by its size.
const MAX_CHUNKS: u64 = LIVE_MAX_CHUNKS;

/// Writes events to an .evtx file, in order.
pub struct EvtxWriter<W: Write + Seek> {
    out: W,
    chunk: ChunkBuilder,
    chunks: u64,
    last_id: Option<u64>,
    encoder: Encoder,
}

/// An event as a record's parts: its shape, and its template compiled.
#[derive(Default)]
struct Encoder {
    shape: Shape,
    /// Each template key met, and its template's id (its index in `templates`).
    ids: KeyMap<Box<[u8]>, u32>,
    templates: Vec<Template>,
    names: Names,
}

impl Encoder {
    /// Makes `event` the current shape; returns its template's id (a new template is
    /// compiled, and so checked, first).
    fn encode(&mut self, event: &Event) -> Result<u32> {
        self.shape.of_event(event)?;
        if let Some(&id) = self.ids.get(self.shape.key.as_slice()) {
            return Ok(id);
        }
        let guid = template_guid(&self.shape.key);
        let template = compile(&self.shape.key, guid, &mut self.names)?;
        let id = self.templates.len() as u32;
        self.templates.push(template);
        self.ids
            .insert(self.shape.key.clone().into_boxed_slice(), id);
        Ok(id)
    }

    /// The current shape as record `id`, written at `written` (a FILETIME), of template
    /// `template_id`.
    fn record(&self, id: u64, written: u64, template_id: u32) -> RecordParts<'_> {
        RecordParts {
            id,
            written,
            template: &self.templates[template_id as usize],
            template_id,
            names: &self.names,
            descriptors: &self.shape.descriptors,
            values: &self.shape.values,
        }
    }

    fn templates(&self) -> usize {
        self.templates.len()
    }
}

impl<W: Write + Seek> std::fmt::Debug for EvtxWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EvtxWriter")
            .field("chunks_written", &self.chunks)
            .field("last_record_id", &self.last_id)
            .field("templates", &self.encoder.templates())
            .finish_non_exhaustive()
    }
}

impl EvtxWriter<BufWriter<File>> {
    /// Creates (or truncates) the file at `path`.
    pub fn create(path: impl AsRef<Path>) -> Result<Self> {
        EvtxWriter::new(BufWriter::new(File::create(path)?))
    }
}

impl<W: Write + Seek> EvtxWriter<W> {
    /// A writer onto `out`, at its start: reserves the header block.
    pub fn new(mut out: W) -> Result<Self> {
        out.seek(SeekFrom::Start(0))?;
        out.write_all(&[0; FILE_HEADER_BLOCK_SIZE])?;
        Ok(EvtxWriter {
            out,
            chunk: ChunkBuilder::new(),
            chunks: 0,
            last_id: None,
            encoder: Encoder::default(),
        })
    }

    /// The id the next record gets if its event has none (or one not above the last).
    pub fn next_record_id(&self) -> u64 {
        self.last_id.map_or(1, |id| id.saturating_add(1))
    }

    /// The bytes handed to the output so far: the header block and each chunk completed
    /// (the chunk being filled is not counted until it is complete). An export's progress.
    pub fn bytes_written(&self) -> u64 {
        FILE_HEADER_BLOCK_SIZE as u64 + self.chunks * CHUNK_SIZE as u64
    }

    /// Writes `event` as the next record; returns its record id.
    pub fn write(&mut self, event: &Event) -> Result<u64> {
        let template = self.encoder.encode(event)?;
        let id = match event.system.event_record_id {
            Some(id) if self.last_id.is_none_or(|last| id > last) => id,
            _ => self.next_record_id(),
        };
        let written = event.system.time_created.map_or(0, |t| t.0);
        let record = self.encoder.record(id, written, template);
        if !self.chunk.add(&record) {
            if self.chunk.is_empty() {
                return Err(Error::with_message(
                    ErrorKind::InvalidParameter,
                    "the event is too large for one EVTX record (a chunk holds 65,024 bytes of records)",
                ));
            }
            if self.chunks + 1 >= MAX_CHUNKS {
                return Err(Error::with_message(
                    ErrorKind::LogFileFull,
                    "an EVTX file written here holds at most 2^24 chunks (1 TiB)",
                ));
            }
            self.out.write_all(self.chunk.finish())?;
            self.chunks += 1;
            self.chunk = ChunkBuilder::new();
            if !self.chunk.add(&record) {
                return Err(Error::with_message(
                    ErrorKind::InvalidParameter,
                    "the event is too large for one EVTX record",
                ));
            }
        }
        self.last_id = Some(id);
        Ok(id)
    }

    /// Writes the last chunk (an empty one if no event was written, as Windows leaves an
    /// empty log) and the file header, flushes, and returns the output.
    pub fn finish(mut self) -> Result<W> {
        self.out.write_all(self.chunk.finish())?;
        self.chunks += 1;
        let header = file_header(self.chunks, self.next_record_id());
        self.out.seek(SeekFrom::Start(0))?;
        self.out.write_all(&header)?;
        self.out.seek(SeekFrom::Start(
            FILE_HEADER_BLOCK_SIZE as u64 + self.chunks * CHUNK_SIZE as u64,
        ))?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// The 128 meaningful bytes of a clean file header for `chunks` chunks, not wrapped.
fn file_header(chunks: u64, next_record_id: u64) -> [u8; 128] {
    file_header_with(0, chunks - 1, chunks, next_record_id, 0)
}

/// A file header: the oldest and newest chunk slots, the slot count, the next record id,
/// the flags (0x1 while a live file is open).
fn file_header_with(
    oldest: u64,
    newest: u64,
    chunks: u64,
    next_record_id: u64,
    flags: u32,
) -> [u8; 128] {
    let mut h = [0u8; 128];
    h[..8].copy_from_slice(b"ElfFile\0");
    h[8..16].copy_from_slice(&oldest.to_le_bytes());
    h[16..24].copy_from_slice(&newest.to_le_bytes());
    h[24..32].copy_from_slice(&next_record_id.to_le_bytes());
    h[32..36].copy_from_slice(&128u32.to_le_bytes());
    h[36..38].copy_from_slice(&1u16.to_le_bytes());
    h[38..40].copy_from_slice(&3u16.to_le_bytes());
    h[40..42].copy_from_slice(&(FILE_HEADER_BLOCK_SIZE as u16).to_le_bytes());
    // The 16-bit count saturates: readers count slots by the file's size.
    let count = u16::try_from(chunks).unwrap_or(u16::MAX);
    h[42..44].copy_from_slice(&count.to_le_bytes());
    h[120..124].copy_from_slice(&flags.to_le_bytes());
    let crc = crc32fast::hash(&h[..120]);
    h[124..128].copy_from_slice(&crc.to_le_bytes());
    h
}
