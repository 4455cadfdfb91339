//! An EVTX file as a sequence of chunks, each a sequence of event records whose BinXml is
//! returned as bytes, not decoded.
//!
//! Owns: the chunk walks ([`EvtxFile::chunks`] in file order,
//! [`EvtxFile::chunks_in_record_order`] oldest first; each chunk read by `slots.rs`, which
//! owns random access to one chunk slot, [`EvtxFile::chunk_at`]), the record walk ([`EvtxChunk::records`]) with
//! its resynchronisation after damaged records, and the [`Finding`]s for CRC mismatches.
//!
//! Invariants:
//! - **Bounded memory.** The file is read through `Read + Seek`, one 64 KiB chunk at a time;
//!   no size field read from the file ever sizes an allocation.
//! - **Chunks by file size.** The walk covers `(file length - 4096) / 65536` chunk slots, not
//!   the header's chunk count (dirty files use more); a trailing partial chunk ends the walk.
//!   All-zero (unused) chunks are skipped silently; a chunk with a bad magic is yielded as an
//!   `Err` and the walk goes on. An I/O error is yielded once and ends the walk.
//! - **Two chunk orders.** [`EvtxFile::chunks`] walks the slots in file order.
//!   [`EvtxFile::chunks_in_record_order`] walks them as the evtx crate 0.15.1 and Windows
//!   read a log that has wrapped around: from the oldest chunk ([`EvtxFile::oldest_chunk`]:
//!   the slot whose header has the magic, `first_record_id <= last_record_id` and the lowest
//!   `first_record_id`, the first such on a tie, slot 0 if none) to the end of the file, then
//!   from slot 0 up to (not including) the oldest. The record order is a rotation of the file
//!   order, so the slot at each place in it is arithmetic ([`EvtxFile::slot_in_record_order`]);
//!   finding the oldest reads only each slot's 128-byte header.
//! - **Records.** A record walk starts at chunk offset 512 and ends at the free space offset
//!   (clamped to the chunk), or after the record whose id is the header's last record id.
//!   A damaged record (bad magic, size below 28 or past the chunk, or a size copy mismatch
//!   that nothing else corroborates) is yielded as an `Err` at its file offset; the walk then
//!   scans forward, byte by byte, for the next `**\0\0` that starts a sound record (size copy
//!   included) with an id in the chunk's id range, and resumes there (or ends). The position
//!   only moves forward, so the walk terminates.
//! - **Zeroed size copies.** Windows leaves some records with a trailing size copy of 0
//!   (HelloForBusiness, LanguagePackSetup, sample_with_a_bad_chunk_magic); the evtx crate
//!   reads them. Such a record is yielded, with [`EvtxRecord::size_copy_ok`] false, when its
//!   size is corroborated by what follows it: the end of the walk, another record magic, or
//!   unwritten space (8 zero bytes). This is what the evtx crate accepts, record for record.
//! - **Zero tails.** When everything from the walk position to its end is zero, the walk ends
//!   quietly: Windows' free space offset can run ahead of the last record written.
//! - CRC mismatches are never fatal: they are [`Finding`]s beside the data.

use std::fs::File;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::path::Path;

use super::bytes::{all_zero, u32_at, u64_at};
use super::header::{
    ChunkHeader, FileHeader, CHUNK_HEADER_SIZE, CHUNK_SIZE, FILE_HEADER_BLOCK_SIZE,
};
use crate::error::{Error, ErrorKind, Result};
use crate::event::FileTime;

/// Record magic `**\0\0`.
const RECORD_MAGIC: u32 = 0x0000_2a2a;
/// Record header (magic, size, id, time) plus the trailing size copy.
const MIN_RECORD_SIZE: u32 = 28;

/// What kind of damage a [`Finding`] reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FindingKind {
    /// The file header's CRC32 does not match.
    FileHeaderChecksum,
    /// A chunk header's CRC32 does not match.
    ChunkHeaderChecksum,
    /// A chunk's event-records CRC32 does not match (or cannot be computed).
    RecordsChecksum,
}

/// A damage report that did not stop reading: what, and at which file offset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub kind: FindingKind,
    /// File offset of the structure concerned (0 for the file header, the chunk's offset).
    pub offset: u64,
    pub message: String,
}

/// An EVTX file open for reading: its header and a source of chunks.
#[derive(Debug)]
pub struct EvtxFile<R> {
    pub(super) source: R,
    header: FileHeader,
    len: u64,
    /// Where `source` is positioned, if known: a read that starts there needs no seek
    /// (a walk reads its chunks back to back).
    pub(super) at: Option<u64>,
    /// A chunk buffer given back with [`EvtxFile::recycle`], for the next chunk read.
    pub(super) spare: Option<Vec<u8>>,
}

impl EvtxFile<File> {
    /// Opens the file at `path` and reads its header.
    pub fn open(path: impl AsRef<Path>) -> Result<EvtxFile<File>> {
        // A file just opened reads from its start: no seek before the header.
        EvtxFile::from_start(File::open(path)?)
    }
}

impl EvtxFile<Cursor<Vec<u8>>> {
    /// An EVTX file held in memory.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<EvtxFile<Cursor<Vec<u8>>>> {
        EvtxFile::from_reader(Cursor::new(bytes))
    }
}

impl<R: Read + Seek> EvtxFile<R> {
    /// Reads the header from `source`. Fails on an I/O error, a file shorter than the
    /// 128-byte header, or a wrong file magic; a CRC mismatch is only a finding.
    pub fn from_reader(mut source: R) -> Result<EvtxFile<R>> {
        source.seek(SeekFrom::Start(0))?;
        EvtxFile::from_start(source)
    }

    /// [`from_reader`](Self::from_reader) for a source positioned at its start: the header
    /// is read first, then the length is found (leaving the source at its end).
    fn from_start(mut source: R) -> Result<EvtxFile<R>> {
        let mut block = Vec::with_capacity(128);
        source.by_ref().take(128).read_to_end(&mut block)?;
        let header = FileHeader::parse(&block)?;
        let len = source.seek(SeekFrom::End(0))?;
        Ok(EvtxFile {
            source,
            header,
            len,
            at: Some(len),
            spare: None,
        })
    }

    /// The file header.
    pub fn header(&self) -> &FileHeader {
        &self.header
    }

    /// The file's length in bytes.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether the file has no chunk slot at all.
    pub fn is_empty(&self) -> bool {
        self.chunk_slots() == 0
    }

    /// Takes the file to have at least `slots` chunk slots (a live file that grew since it
    /// was opened for reading).
    pub(crate) fn see_slots(&mut self, slots: u64) {
        let len =
            (FILE_HEADER_BLOCK_SIZE as u64).saturating_add(slots.saturating_mul(CHUNK_SIZE as u64));
        self.len = self.len.max(len);
    }

    /// Takes the file to be `len` bytes long, as another reader of it found it: readers
    /// that share a record order see the same slots whatever the file did since.
    pub(crate) fn assume_len(&mut self, len: u64) {
        self.len = len;
    }

    /// Whole chunk slots in the file, by its size (the walk's extent).
    pub fn chunk_slots(&self) -> u64 {
        self.len.saturating_sub(FILE_HEADER_BLOCK_SIZE as u64) / CHUNK_SIZE as u64
    }

    /// File-level findings (today: the header CRC).
    pub fn findings(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        if !self.header.checksum_ok() {
            out.push(Finding {
                kind: FindingKind::FileHeaderChecksum,
                offset: 0,
                message: format!(
                    "file header CRC32 is {:#010x}, computed {:#010x}",
                    self.header.checksum, self.header.computed_checksum
                ),
            });
        }
        out
    }

    /// The chunks in file order, skipping unused (all-zero) ones.
    pub fn chunks(&mut self) -> Chunks<'_, R> {
        self.chunks_from(0)
    }

    /// The chunks in record order (see the module invariants): from the oldest chunk to the
    /// end of the file, then from the first slot up to the oldest, skipping unused ones. This
    /// is the order of the evtx crate 0.15.1's `EvtxParser::chunks`. Fails only if reading a
    /// chunk header to find the oldest fails.
    pub fn chunks_in_record_order(&mut self) -> Result<Chunks<'_, R>> {
        let oldest = self.oldest_chunk()?;
        Ok(self.chunks_from(oldest))
    }

    /// The walk over every slot, starting at slot `first` and wrapping around.
    fn chunks_from(&mut self, first: u64) -> Chunks<'_, R> {
        Chunks {
            slots: self.chunk_slots(),
            file: self,
            first,
            walked: 0,
            done: false,
        }
    }

    /// The slot of the chunk holding the oldest records, where the record order starts: the
    /// lowest `first_record_id` among the slots whose 128-byte header has the chunk magic and
    /// a range that is not reversed (`first_record_id <= last_record_id`); the first such slot
    /// on a tie; slot 0 if there is none. Reads each slot's header only (128 bytes at a time),
    /// and nothing when the file has one slot or none (slot 0 either way).
    pub fn oldest_chunk(&mut self) -> Result<u64> {
        if self.chunk_slots() <= 1 {
            // Slot 0 whichever way its header reads.
            return Ok(0);
        }
        let mut oldest = (u64::MAX, 0);
        let mut header = [0u8; 128];
        for slot in 0..self.chunk_slots() {
            self.read_exact_at(slot_offset(slot), &mut header)?;
            if header[..8] != *b"ElfChnk\0" {
                continue;
            }
            let (Some(first), Some(last)) = (u64_at(&header, 24), u64_at(&header, 32)) else {
                continue;
            };
            if first <= last && first < oldest.0 {
                oldest = (first, slot);
            }
        }
        Ok(oldest.1)
    }

    /// The slot at index `ordinal` of the record order that starts at slot `oldest` (unused
    /// slots counted): `(oldest + ordinal) mod chunk_slots`.
    pub fn slot_in_record_order(&self, oldest: u64, ordinal: u64) -> u64 {
        let slots = self.chunk_slots().max(1);
        (oldest % slots + ordinal % slots) % slots
    }
}

/// The file offset of chunk slot `slot`.
pub(crate) fn slot_offset(slot: u64) -> u64 {
    FILE_HEADER_BLOCK_SIZE as u64 + slot * CHUNK_SIZE as u64
}

/// Iterator over the chunks of an [`EvtxFile`], in file order or in record order; see the
/// module invariants.
#[derive(Debug)]
pub struct Chunks<'f, R> {
    file: &'f mut EvtxFile<R>,
    slots: u64,
    /// The slot the walk starts at (0 in file order, the oldest chunk in record order).
    first: u64,
    /// Slots looked at so far.
    walked: u64,
    done: bool,
}

impl<R: Read + Seek> Iterator for Chunks<'_, R> {
    type Item = Result<EvtxChunk>;

    fn next(&mut self) -> Option<Result<EvtxChunk>> {
        while !self.done && self.walked < self.slots {
            let slot = self.file.slot_in_record_order(self.first, self.walked);
            self.walked += 1;
            match self.file.chunk_at(slot) {
                Ok(None) => continue,
                Ok(Some(chunk)) => return Some(chunk),
                Err(e) => {
                    self.done = true;
                    return Some(Err(e));
                }
            }
        }
        None
    }
}

/// One 64 KiB chunk, owned: its header and its bytes. Dropped, it leaves its buffer for
/// the next chunk read on its thread (`slots.rs`).
#[derive(Clone, Debug)]
pub struct EvtxChunk {
    pub(super) index: u64,
    pub(super) offset: u64,
    pub(super) data: Vec<u8>,
    pub(super) header: ChunkHeader,
}

impl EvtxChunk {
    /// The chunk's slot number in the file (0 for the chunk at offset 4096).
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The chunk's file offset.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    pub fn header(&self) -> &ChunkHeader {
        &self.header
    }

    /// The chunk's 65536 bytes (BinXml names and templates are chunk offsets into these).
    pub fn data(&self) -> &[u8] {
        &self.data
    }

    /// Takes the chunk's buffer (to read another chunk into), leaving it empty.
    pub(crate) fn take_data(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.data)
    }

    /// The CRC32 of the record bytes `[512, free_space_offset)` as read; `None` when the
    /// free space offset lies outside `[512, 65536]`. Computed on each call: reading
    /// records does not need it.
    pub fn computed_records_checksum(&self) -> Option<u32> {
        usize::try_from(self.header.free_space_offset)
            .ok()
            .and_then(|end| self.data.get(CHUNK_HEADER_SIZE..end))
            .map(crc32fast::hash)
    }

    /// Whether the stored records CRC32 matches (always true under NO_CRC32; false when the
    /// free space offset is out of range).
    pub fn records_checksum_ok(&self) -> bool {
        self.header
            .records_checksum_matches(self.computed_records_checksum())
    }

    /// CRC mismatches of this chunk.
    pub fn findings(&self) -> Vec<Finding> {
        let h = &self.header;
        let mut out = Vec::new();
        if !h.header_checksum_ok() {
            out.push(Finding {
                kind: FindingKind::ChunkHeaderChecksum,
                offset: self.offset,
                message: format!(
                    "chunk {} header CRC32 is {:#010x}, computed {:#010x}",
                    self.index, h.header_checksum, h.computed_header_checksum
                ),
            });
        }
        let records = self.computed_records_checksum();
        if !h.records_checksum_matches(records) {
            let computed = match records {
                Some(c) => format!("computed {c:#010x}"),
                None => format!("free space offset {} out of range", h.free_space_offset),
            };
            out.push(Finding {
                kind: FindingKind::RecordsChecksum,
                offset: self.offset,
                message: format!(
                    "chunk {} records CRC32 is {:#010x}, {computed}",
                    self.index, h.records_checksum
                ),
            });
        }
        out
    }

    /// The chunk's event records; see the module invariants.
    pub fn records(&self) -> Records<'_> {
        let free = self.header.free_space_offset as usize;
        Records {
            chunk: self,
            pos: CHUNK_HEADER_SIZE,
            end: free.clamp(CHUNK_HEADER_SIZE, self.data.len()),
            done: false,
        }
    }

    /// Whether the chunk bytes `[from, to)` are all zero (an interrupted write's tail).
    fn zeros(&self, from: usize, to: usize) -> bool {
        self.data.get(from..to).is_some_and(all_zero)
    }

    /// The record at chunk offset `pos`, or why there is none. With `walk_end`, a size copy
    /// mismatch is accepted when the record ends at or past `walk_end`, right before a record
    /// magic or right before 8 zero bytes; without it (resynchronising), the copy must match.
    fn record_at(
        &self,
        pos: usize,
        walk_end: Option<usize>,
    ) -> std::result::Result<EvtxRecord<'_>, String> {
        let data = self.data.as_slice();
        let magic = u32_at(data, pos).ok_or("record magic past the chunk end")?;
        if magic != RECORD_MAGIC {
            return Err(format!("record magic is {magic:#010x}, not 0x00002a2a"));
        }
        // No overflow below: `u32_at` succeeded, so `pos + 4 <= data.len()`, and the size
        // check keeps `pos + size` within the chunk and `size >= 28`.
        let have = data.len() - pos;
        let size = u32_at(data, pos + 4).ok_or_else(|| {
            format!(
                "`record size` at offset {:#x}: need 4 bytes, have {}",
                self.offset + pos as u64 + 4,
                have - 4
            )
        })?;
        if size < MIN_RECORD_SIZE || size as usize > have {
            return Err(format!(
                "record size {size} out of range (need {MIN_RECORD_SIZE}..={have})"
            ));
        }
        let end = pos + size as usize;
        let copy = u32_at(data, end - 4).ok_or("record size copy past the chunk end")?;
        let corroborated = || {
            walk_end.is_some_and(|walk_end| {
                end >= walk_end
                    || u32_at(data, end) == Some(RECORD_MAGIC)
                    || u64_at(data, end) == Some(0)
            })
        };
        if copy != size && !corroborated() {
            return Err(format!(
                "record size {size} but its trailing copy is {copy}"
            ));
        }
        let record_id = u64_at(data, pos + 8).ok_or("record id past the chunk end")?;
        let time = u64_at(data, pos + 16).ok_or("record time past the chunk end")?;
        let binxml = data
            .get(pos + 24..end - 4)
            .ok_or("record BinXml past the chunk end")?;
        Ok(EvtxRecord {
            chunk: self,
            chunk_offset: pos,
            size,
            size_copy: copy,
            record_id,
            time_created: FileTime(time),
            binxml,
        })
    }
}

/// Iterator over a chunk's records; see the module invariants.
#[derive(Debug)]
pub struct Records<'c> {
    chunk: &'c EvtxChunk,
    pos: usize,
    end: usize,
    done: bool,
}

impl<'c> Records<'c> {
    /// The next position at or after `from` where a sound record with an id in the chunk's
    /// range starts.
    fn resync(&self, from: usize) -> Option<usize> {
        let h = &self.chunk.header;
        let in_range = |id: u64| {
            h.first_record_id > h.last_record_id
                || (h.first_record_id..=h.last_record_id).contains(&id)
        };
        let window = self.chunk.data.get(from..self.end)?;
        window
            .windows(4)
            .enumerate()
            .filter(|(_, w)| *w == RECORD_MAGIC.to_le_bytes())
            .map(|(i, _)| from + i)
            .find(|&p| {
                self.chunk
                    .record_at(p, None)
                    .is_ok_and(|rec| in_range(rec.record_id))
            })
    }
}

impl<'c> Iterator for Records<'c> {
    type Item = Result<EvtxRecord<'c>>;

    fn next(&mut self) -> Option<Result<EvtxRecord<'c>>> {
        if self.done || self.pos >= self.end {
            return None;
        }
        let chunk = self.chunk;
        // A record magic says at once that something was written here.
        if u32_at(&chunk.data, self.pos) != Some(RECORD_MAGIC) && chunk.zeros(self.pos, self.end) {
            // Nothing was written past here: the free space offset ran ahead of the records.
            self.done = true;
            return None;
        }
        match chunk.record_at(self.pos, Some(self.end)) {
            Ok(record) => {
                self.pos += record.size as usize;
                if record.record_id == chunk.header.last_record_id {
                    self.done = true;
                }
                Some(Ok(record))
            }
            Err(why) => {
                let offset = chunk.offset + self.pos as u64;
                match self.resync(self.pos + 1) {
                    Some(p) => self.pos = p,
                    None => self.done = true,
                }
                Some(Err(Error::at_offset(
                    ErrorKind::FileCorrupt,
                    offset,
                    format!("damaged event record in chunk {}: {why}", chunk.index),
                )))
            }
        }
    }
}

/// One event record: its framing fields and its BinXml bytes (not decoded).
#[derive(Clone, Copy, Debug)]
pub struct EvtxRecord<'c> {
    chunk: &'c EvtxChunk,
    chunk_offset: usize,
    size: u32,
    size_copy: u32,
    record_id: u64,
    time_created: FileTime,
    binxml: &'c [u8],
}

impl<'c> EvtxRecord<'c> {
    /// The EventRecordID.
    pub fn record_id(&self) -> u64 {
        self.record_id
    }

    /// The time the record was written (UTC FILETIME).
    pub fn time_created(&self) -> FileTime {
        self.time_created
    }

    /// The BinXml document and its padding: the record's bytes between header and size copy.
    pub fn binxml(&self) -> &'c [u8] {
        self.binxml
    }

    /// The record's file offset (of its magic).
    pub fn offset(&self) -> u64 {
        self.chunk.offset + self.chunk_offset as u64
    }

    /// The record's offset in its chunk.
    pub fn chunk_offset(&self) -> usize {
        self.chunk_offset
    }

    /// The chunk offset of the BinXml (its names and templates are chunk offsets too).
    pub fn binxml_chunk_offset(&self) -> usize {
        self.chunk_offset + 24
    }

    /// The record's size, framing included.
    pub fn size(&self) -> u32 {
        self.size
    }

    /// Whether the trailing copy of the size matches the size (Windows sometimes leaves 0).
    pub fn size_copy_ok(&self) -> bool {
        self.size == self.size_copy
    }

    /// The chunk the record lies in.
    pub fn chunk(&self) -> &'c EvtxChunk {
        self.chunk
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record of `size` bytes (a multiple of 8, at least 32) with id `id`.
    fn record(id: u64, size: u32) -> Vec<u8> {
        let mut r = vec![0xAB; size as usize];
        r[..4].copy_from_slice(&RECORD_MAGIC.to_le_bytes());
        r[4..8].copy_from_slice(&size.to_le_bytes());
        r[8..16].copy_from_slice(&id.to_le_bytes());
        r[16..24].copy_from_slice(&(id * 1000).to_le_bytes());
        let n = r.len();
        r[n - 4..].copy_from_slice(&size.to_le_bytes());
        r
    }

    /// A file with one chunk per entry of `chunks`, each holding records with those ids.
    fn file(chunks: &[&[u64]]) -> Vec<u8> {
        let mut f = vec![0u8; FILE_HEADER_BLOCK_SIZE];
        f[..8].copy_from_slice(b"ElfFile\0");
        f[32] = 128;
        f[36] = 1;
        f[38] = 3;
        f[40..42].copy_from_slice(&4096u16.to_le_bytes());
        f[42] = chunks.len() as u8;
        for ids in chunks {
            let mut c = vec![0u8; CHUNK_SIZE];
            c[..8].copy_from_slice(b"ElfChnk\0");
            let (first, last) = (ids.first().copied(), ids.last().copied());
            c[24..32].copy_from_slice(&first.unwrap_or(u64::MAX).to_le_bytes());
            c[32..40].copy_from_slice(&last.unwrap_or(u64::MAX).to_le_bytes());
            let mut pos = CHUNK_HEADER_SIZE;
            for &id in *ids {
                let r = record(id, 64);
                c[pos..pos + r.len()].copy_from_slice(&r);
                pos += r.len();
            }
            c[48..52].copy_from_slice(&(pos as u32).to_le_bytes());
            f.extend_from_slice(&c);
        }
        f
    }

    /// Walks `bytes`: (ids of good records, offsets of errors).
    fn walk(bytes: Vec<u8>) -> (Vec<u64>, Vec<u64>) {
        let mut ids = Vec::new();
        let mut errors = Vec::new();
        let mut f = EvtxFile::from_bytes(bytes).unwrap();
        for chunk in f.chunks() {
            match chunk {
                Ok(c) => {
                    for r in c.records() {
                        match r {
                            Ok(r) => ids.push(r.record_id()),
                            Err(e) => errors.push(e.offset().unwrap()),
                        }
                    }
                }
                Err(e) => errors.push(e.offset().unwrap()),
            }
        }
        (ids, errors)
    }

    const REC: usize = 4096 + 512;

    #[test]
    fn walks_records_and_fields() {
        let bytes = file(&[&[1, 2, 3], &[4, 5]]);
        let mut f = EvtxFile::from_bytes(bytes).unwrap();
        assert_eq!(f.chunk_slots(), 2);
        assert!(f.findings().len() == 1, "header CRC left 0 on purpose");
        let chunk = f.chunks().next().unwrap().unwrap();
        let recs: Vec<_> = chunk.records().map(|r| r.unwrap()).collect();
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[1].record_id(), 2);
        assert_eq!(recs[1].time_created(), FileTime(2000));
        assert_eq!(recs[1].offset(), (REC + 64) as u64);
        assert_eq!(recs[1].binxml().len(), 64 - 28);
        assert_eq!(recs[1].binxml_chunk_offset(), 512 + 64 + 24);
        assert!(recs[1].size_copy_ok());
        assert_eq!(chunk.findings().len(), 2, "both chunk CRCs left 0");
    }

    #[test]
    fn zero_size_resynchronises() {
        let mut bytes = file(&[&[1, 2, 3, 4]]);
        bytes[REC + 64 + 4..REC + 64 + 8].fill(0);
        let (ids, errors) = walk(bytes);
        assert_eq!(ids, [1, 3, 4]);
        assert_eq!(errors, [(REC + 64) as u64]);
    }

    #[test]
    fn bad_magic_and_huge_size_resynchronise() {
        let mut bytes = file(&[&[1, 2, 3, 4]]);
        bytes[REC + 64] = b'#';
        bytes[REC + 128 + 4..REC + 128 + 8].copy_from_slice(&u32::MAX.to_le_bytes());
        let (ids, errors) = walk(bytes);
        assert_eq!(ids, [1, 4]);
        assert_eq!(errors, [(REC + 64) as u64]);
    }

    #[test]
    fn size_copy_mismatch_before_garbage_is_damage() {
        let mut bytes = file(&[&[1, 2, 3]]);
        // Record 1's copy is wrong and record 2's magic is gone: nothing corroborates it.
        bytes[REC + 60] = 9;
        bytes[REC + 64] = b'#';
        let (ids, errors) = walk(bytes.clone());
        assert_eq!(ids, [3]);
        assert_eq!(errors, [REC as u64]);
        // With record 2 intact the size is corroborated: read, flagged.
        bytes[REC + 64] = b'*';
        let mut f = EvtxFile::from_bytes(bytes).unwrap();
        let chunk = f.chunks().next().unwrap().unwrap();
        let first = chunk.records().next().unwrap().unwrap();
        assert!(!first.size_copy_ok());
        assert_eq!(chunk.records().count(), 3);
    }

    #[test]
    fn chunks_zero_bad_and_partial() {
        let mut bytes = file(&[&[1, 2], &[3], &[4]]);
        // Chunk 1 unused (all zero), chunk 2 bad magic, then half a chunk.
        bytes[4096 + CHUNK_SIZE..4096 + 2 * CHUNK_SIZE].fill(0);
        bytes[4096 + 2 * CHUNK_SIZE] = b'X';
        bytes.extend_from_slice(&[1u8; CHUNK_SIZE / 2]);
        let (ids, errors) = walk(bytes);
        assert_eq!(ids, [1, 2]);
        assert_eq!(errors, [(4096 + 2 * CHUNK_SIZE) as u64]);
    }

    #[test]
    fn stops_at_last_record_id_and_zero_tail() {
        let mut bytes = file(&[&[1, 2, 3]]);
        bytes[4096 + 32..4096 + 40].copy_from_slice(&2u64.to_le_bytes());
        assert_eq!(walk(bytes).0, [1, 2]);
        let mut bytes = file(&[&[1, 2, 3]]);
        bytes[4096 + 48..4096 + 52].copy_from_slice(&60000u32.to_le_bytes());
        assert_eq!(walk(bytes), (vec![1, 2, 3], vec![]));
    }

    #[test]
    fn short_files() {
        let bytes = file(&[&[1]]);
        for cut in [0, 10, 127] {
            let err = EvtxFile::from_bytes(bytes[..cut].to_vec()).unwrap_err();
            assert_eq!(err.win32_code(), 1392);
        }
        let mut f = EvtxFile::from_bytes(bytes[..4096 + 100].to_vec()).unwrap();
        assert!(f.is_empty());
        assert_eq!(f.chunks().count(), 0);
    }

    /// The ids of the good records, walking the chunks in record order.
    fn ids_in_record_order(bytes: Vec<u8>) -> Vec<u64> {
        let mut f = EvtxFile::from_bytes(bytes).unwrap();
        let chunks: Vec<_> = f.chunks_in_record_order().unwrap().collect();
        chunks
            .into_iter()
            .filter_map(|c| c.ok())
            .flat_map(|c| {
                c.records()
                    .filter_map(|r| r.ok().map(|r| r.record_id()))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// The offset of chunk slot `slot` in a `file(...)`.
    fn slot(slot: usize) -> usize {
        4096 + slot * CHUNK_SIZE
    }

    #[test]
    fn record_order_starts_at_the_oldest_chunk_and_wraps() {
        // A log that wrapped: slot 2 holds the oldest records.
        let bytes = file(&[&[7, 8], &[9], &[3, 4], &[5, 6]]);
        let mut f = EvtxFile::from_bytes(bytes.clone()).unwrap();
        assert_eq!(f.oldest_chunk().unwrap(), 2);
        let slots: Vec<u64> = f
            .chunks_in_record_order()
            .unwrap()
            .map(|c| c.unwrap().index())
            .collect();
        assert_eq!(slots, [2, 3, 0, 1]);
        assert_eq!(ids_in_record_order(bytes.clone()), [3, 4, 5, 6, 7, 8, 9]);
        let file_order: Vec<u64> = f.chunks().map(|c| c.unwrap().index()).collect();
        assert_eq!(file_order, [0, 1, 2, 3], "chunks() stays in file order");
        assert_eq!(f.slot_in_record_order(2, 0), 2);
        assert_eq!(f.slot_in_record_order(2, 2), 0);
        assert_eq!(f.slot_in_record_order(2, 3), 1);
        // Not wrapped: record order is file order.
        let plain = file(&[&[1, 2], &[3], &[4]]);
        assert_eq!(
            EvtxFile::from_bytes(plain.clone())
                .unwrap()
                .oldest_chunk()
                .unwrap(),
            0
        );
        assert_eq!(ids_in_record_order(plain), [1, 2, 3, 4]);
    }

    #[test]
    fn oldest_chunk_ignores_bad_magic_reversed_ranges_and_unused_slots() {
        let mut bytes = file(&[&[20, 21], &[1, 2], &[5, 6], &[10, 11], &[15]]);
        // Slot 1 (lowest ids) has a bad magic; slot 2's header range is reversed.
        bytes[slot(1)] = b'X';
        bytes[slot(2) + 24..slot(2) + 32].copy_from_slice(&7u64.to_le_bytes());
        bytes[slot(2) + 32..slot(2) + 40].copy_from_slice(&6u64.to_le_bytes());
        let mut f = EvtxFile::from_bytes(bytes.clone()).unwrap();
        assert_eq!(
            f.oldest_chunk().unwrap(),
            3,
            "first <= last and lowest first id"
        );
        let order: Vec<std::result::Result<u64, u64>> = f
            .chunks_in_record_order()
            .unwrap()
            .map(|c| c.map(|c| c.index()).map_err(|e| e.offset().unwrap()))
            .collect();
        assert_eq!(
            order,
            [Ok(3), Ok(4), Ok(0), Err(slot(1) as u64), Ok(2)],
            "the bad chunk keeps its place in the walk, as an Err"
        );
        // An unused (all-zero) slot is skipped in record order too.
        let mut bytes = file(&[&[9], &[], &[3], &[5]]);
        bytes[slot(1)..slot(2)].fill(0);
        assert_eq!(ids_in_record_order(bytes), [3, 5, 9]);
    }

    #[test]
    fn oldest_chunk_defaults_to_slot_0_and_takes_the_first_on_a_tie() {
        // Every header range reversed.
        let mut bytes = file(&[&[4], &[2]]);
        for s in [0, 1] {
            bytes[slot(s) + 24..slot(s) + 32].copy_from_slice(&9u64.to_le_bytes());
            bytes[slot(s) + 32..slot(s) + 40].copy_from_slice(&1u64.to_le_bytes());
        }
        assert_eq!(
            EvtxFile::from_bytes(bytes).unwrap().oldest_chunk().unwrap(),
            0
        );
        let bytes = file(&[&[8], &[3], &[3]]);
        assert_eq!(
            EvtxFile::from_bytes(bytes).unwrap().oldest_chunk().unwrap(),
            1
        );
        // No chunk at all.
        let bytes = file(&[&[1]]);
        let mut f = EvtxFile::from_bytes(bytes[..4096].to_vec()).unwrap();
        assert_eq!(f.oldest_chunk().unwrap(), 0);
        assert_eq!(f.chunks_in_record_order().unwrap().count(), 0);
    }

    #[test]
    fn chunk_with_magic_at_is_chunk_at_without_the_skipped_slots() {
        // Used, unused, bad magic and used slots, with the header's chunk count saying 0, 2
        // and 4 in turn: slots below it are read whole, the others magic first.
        let mut bytes = file(&[&[1], &[2], &[3], &[4]]);
        bytes[slot(1)..slot(2)].fill(0);
        bytes[slot(2)] = b'X';
        for count in [0u8, 2, 4] {
            bytes[42] = count;
            let mut f = EvtxFile::from_bytes(bytes.clone()).unwrap();
            let mut g = EvtxFile::from_bytes(bytes.clone()).unwrap();
            for s in 0..5 {
                let whole = f.chunk_at(s).unwrap().and_then(|c| c.ok());
                let magic = g.chunk_with_magic_at(s).unwrap();
                assert_eq!(
                    whole.as_ref().map(|c| (c.index(), c.data().to_vec())),
                    magic.as_ref().map(|c| (c.index(), c.data().to_vec())),
                    "slot {s}, chunk count {count}"
                );
            }
        }
    }

    #[test]
    fn a_dropped_chunk_leaves_its_buffer_for_the_next_read() {
        let bytes = file(&[&[1], &[2]]);
        let mut f = EvtxFile::from_bytes(bytes.clone()).unwrap();
        let first = f.chunk_at(0).unwrap().unwrap().unwrap();
        let at = first.data().as_ptr();
        drop(first);
        // Another file on the same thread reads into the same buffer, and reads it right.
        let mut g = EvtxFile::from_bytes(bytes).unwrap();
        let second = g.chunk_at(1).unwrap().unwrap().unwrap();
        assert_eq!(second.data().as_ptr(), at);
        assert_eq!(second.records().next().unwrap().unwrap().record_id(), 2);
    }

    #[test]
    fn chunk_at_reads_one_slot() {
        let mut bytes = file(&[&[1], &[2], &[3]]);
        bytes[slot(1)..slot(2)].fill(0);
        bytes[slot(2)] = b'X';
        let mut f = EvtxFile::from_bytes(bytes).unwrap();
        let c = f.chunk_at(0).unwrap().unwrap().unwrap();
        assert_eq!((c.index(), c.offset()), (0, 4096));
        assert!(f.chunk_at(1).unwrap().is_none(), "unused");
        assert!(f.chunk_at(2).unwrap().unwrap().is_err(), "bad magic");
        assert!(f.chunk_at(3).unwrap().is_none(), "past the end");
    }
}
