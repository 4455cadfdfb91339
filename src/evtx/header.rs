//! The EVTX file header (the 4096-byte block at offset 0) and the chunk header (the first
//! 512 bytes of each 64 KiB chunk: 128 bytes of fields, then the string and template tables).
//!
//! Owns: the file and chunk header layouts, the magic checks, and the header and chunk
//! CRC32 computations.
//!
//! Invariants:
//! - A wrong magic is the only fatal header error (as in the evtx crate and libevtx): the
//!   bytes are then not a file header / chunk at all.
//! - CRC mismatches are **never** fatal: both the stored and the computed CRC are kept, and
//!   `*_checksum_ok()` reports the comparison. A NO_CRC32 flag (0x4) makes the check vacuous
//!   (`true`), as readers skip it.
//! - Parsing never panics and never allocates from a size field.

use super::bytes::Reader;
use crate::error::{Error, ErrorKind, Result};

/// Size of the file header block, and so the file offset of chunk 0.
pub const FILE_HEADER_BLOCK_SIZE: usize = 4096;
/// Size of one chunk.
pub const CHUNK_SIZE: usize = 65536;
/// Size of a chunk's header including its string and template tables: records start here.
pub const CHUNK_HEADER_SIZE: usize = 512;

const FILE_MAGIC: &[u8; 8] = b"ElfFile\0";
const CHUNK_MAGIC: &[u8; 8] = b"ElfChnk\0";

/// The bits of a file header's or chunk header's flags field (offset 120).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct HeaderFlags(pub u32);

impl HeaderFlags {
    /// The log is open or was not closed cleanly.
    pub const DIRTY: u32 = 0x1;
    /// The log reached its maximum size (file header only).
    pub const FULL: u32 = 0x2;
    /// No CRC32 is stored; readers skip the checks.
    pub const NO_CRC32: u32 = 0x4;

    /// The raw bits, including undefined ones (seen in real files).
    pub fn bits(self) -> u32 {
        self.0
    }

    pub fn is_dirty(self) -> bool {
        self.0 & Self::DIRTY != 0
    }

    pub fn is_full(self) -> bool {
        self.0 & Self::FULL != 0
    }

    pub fn no_crc32(self) -> bool {
        self.0 & Self::NO_CRC32 != 0
    }
}

impl std::fmt::Debug for HeaderFlags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "HeaderFlags({:#x}", self.0)?;
        for (bit, name) in [
            (Self::DIRTY, "DIRTY"),
            (Self::FULL, "FULL"),
            (Self::NO_CRC32, "NO_CRC32"),
        ] {
            if self.0 & bit != 0 {
                write!(f, " {name}")?;
            }
        }
        f.write_str(")")
    }
}

/// The file header: the first 128 bytes of the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileHeader {
    /// Number of the oldest chunk (not 0 once the log has wrapped).
    pub first_chunk_number: u64,
    /// Number of the current chunk.
    pub last_chunk_number: u64,
    /// The EventRecordID the next record would get (may lag in dirty files).
    pub next_record_id: u64,
    /// Size of the meaningful header (128).
    pub header_size: u32,
    pub minor_version: u16,
    pub major_version: u16,
    /// The header block size (4096); chunks are read at 4096 regardless, as the evtx crate does.
    pub header_block_size: u16,
    /// Chunks in use according to the header; readers go by file size instead.
    pub chunk_count: u16,
    pub flags: HeaderFlags,
    /// The stored CRC32 of bytes `[0, 120)`.
    pub checksum: u32,
    /// The CRC32 of bytes `[0, 120)` as read.
    pub computed_checksum: u32,
}

impl FileHeader {
    /// Parses the header from the start of the file; `data` needs at least 128 bytes.
    /// Fails only on a short buffer or a wrong magic.
    pub fn parse(data: &[u8]) -> Result<FileHeader> {
        let mut r = Reader::new(data, 0);
        let magic = r.bytes(8, "file header magic")?;
        if magic != FILE_MAGIC {
            return Err(Error::at_offset(
                ErrorKind::FileCorrupt,
                0,
                format!("file header magic is {magic:02x?}, not \"ElfFile\\0\""),
            ));
        }
        let first_chunk_number = r.u64("first chunk number")?;
        let last_chunk_number = r.u64("last chunk number")?;
        let next_record_id = r.u64("next record identifier")?;
        let header_size = r.u32("header size")?;
        let minor_version = r.u16("minor version")?;
        let major_version = r.u16("major version")?;
        let header_block_size = r.u16("header block size")?;
        let chunk_count = r.u16("number of chunks")?;
        r.seek(120, "file flags")?;
        let flags = HeaderFlags(r.u32("file flags")?);
        let checksum = r.u32("file header checksum")?;
        let covered = data.get(..120).unwrap_or_default();
        Ok(FileHeader {
            first_chunk_number,
            last_chunk_number,
            next_record_id,
            header_size,
            minor_version,
            major_version,
            header_block_size,
            chunk_count,
            flags,
            checksum,
            computed_checksum: crc32fast::hash(covered),
        })
    }

    /// Whether the stored CRC32 matches (always true under NO_CRC32).
    pub fn checksum_ok(&self) -> bool {
        self.flags.no_crc32() || self.checksum == self.computed_checksum
    }
}

/// A chunk header: the first 128 bytes of a chunk, with CRCs over the chunk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChunkHeader {
    pub first_record_number: u64,
    pub last_record_number: u64,
    /// EventRecordID of the first record; readers use the ids, not the numbers.
    pub first_record_id: u64,
    /// EventRecordID of the last record.
    pub last_record_id: u64,
    /// Header size (128).
    pub header_size: u32,
    /// Chunk offset of the last record.
    pub last_record_offset: u32,
    /// Chunk offset of the end of the last record (512 when empty).
    pub free_space_offset: u32,
    /// The stored CRC32 of the record bytes `[512, free_space_offset)`.
    pub records_checksum: u32,
    pub flags: HeaderFlags,
    /// The stored CRC32 of bytes `[0, 120)` ++ `[128, 512)`.
    pub header_checksum: u32,
    /// The CRC32 of bytes `[0, 120)` ++ `[128, 512)` as read. (The records' CRC32 is
    /// computed on demand: `EvtxChunk::computed_records_checksum`.)
    pub computed_header_checksum: u32,
}

impl ChunkHeader {
    /// Parses the header of the chunk `data` (at least its 512-byte header), which starts at
    /// file offset `file_offset`. Fails only on a short buffer or a wrong magic.
    pub fn parse(data: &[u8], file_offset: u64) -> Result<ChunkHeader> {
        let mut r = Reader::new(data, file_offset);
        let magic = r.bytes(8, "chunk magic")?;
        if magic != CHUNK_MAGIC {
            return Err(Error::at_offset(
                ErrorKind::FileCorrupt,
                file_offset,
                format!("chunk magic is {magic:02x?}, not \"ElfChnk\\0\""),
            ));
        }
        let first_record_number = r.u64("first event record number")?;
        let last_record_number = r.u64("last event record number")?;
        let first_record_id = r.u64("first event record identifier")?;
        let last_record_id = r.u64("last event record identifier")?;
        let header_size = r.u32("chunk header size")?;
        let last_record_offset = r.u32("last event record offset")?;
        let free_space_offset = r.u32("free space offset")?;
        let records_checksum = r.u32("event records checksum")?;
        r.seek(120, "chunk flags")?;
        let flags = HeaderFlags(r.u32("chunk flags")?);
        let header_checksum = r.u32("chunk header checksum")?;
        // The tables must be there for the header CRC: demand the whole 512-byte prefix.
        r.skip(CHUNK_HEADER_SIZE - 128, "chunk string and template tables")?;

        let mut hasher = crc32fast::Hasher::new();
        hasher.update(data.get(..120).unwrap_or_default());
        hasher.update(data.get(128..CHUNK_HEADER_SIZE).unwrap_or_default());
        Ok(ChunkHeader {
            first_record_number,
            last_record_number,
            first_record_id,
            last_record_id,
            header_size,
            last_record_offset,
            free_space_offset,
            records_checksum,
            flags,
            header_checksum,
            computed_header_checksum: hasher.finalize(),
        })
    }

    /// Whether the stored header CRC32 matches (always true under NO_CRC32).
    pub fn header_checksum_ok(&self) -> bool {
        self.flags.no_crc32() || self.header_checksum == self.computed_header_checksum
    }

    /// Whether `computed`, the records' CRC32 as read (`None` when the free space offset is
    /// out of range), matches the stored one (always true under NO_CRC32).
    pub fn records_checksum_matches(&self, computed: Option<u32>) -> bool {
        self.flags.no_crc32() || computed == Some(self.records_checksum)
    }

    /// Whether the chunk holds no records by its header (first id `u64::MAX` as Windows
    /// writes a fresh chunk, or free space at 512).
    pub fn is_empty(&self) -> bool {
        self.free_space_offset as usize <= CHUNK_HEADER_SIZE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_check_value() {
        assert_eq!(crc32fast::hash(b"123456789"), 0xCBF4_3926);
    }

    fn file_header_bytes() -> Vec<u8> {
        let mut b = vec![0u8; FILE_HEADER_BLOCK_SIZE];
        b[..8].copy_from_slice(FILE_MAGIC);
        b[16..24].copy_from_slice(&2u64.to_le_bytes());
        b[24..32].copy_from_slice(&77u64.to_le_bytes());
        b[32..36].copy_from_slice(&128u32.to_le_bytes());
        b[36..38].copy_from_slice(&1u16.to_le_bytes());
        b[38..40].copy_from_slice(&3u16.to_le_bytes());
        b[40..42].copy_from_slice(&4096u16.to_le_bytes());
        b[42..44].copy_from_slice(&3u16.to_le_bytes());
        b[120..124].copy_from_slice(&1u32.to_le_bytes());
        let crc = crc32fast::hash(&b[..120]);
        b[124..128].copy_from_slice(&crc.to_le_bytes());
        b
    }

    #[test]
    fn file_header_fields_and_crc() {
        let mut b = file_header_bytes();
        let h = FileHeader::parse(&b).unwrap();
        assert_eq!((h.major_version, h.minor_version), (3, 1));
        assert_eq!(h.last_chunk_number, 2);
        assert_eq!(h.next_record_id, 77);
        assert_eq!(h.chunk_count, 3);
        assert!(h.flags.is_dirty() && !h.flags.is_full() && !h.flags.no_crc32());
        assert!(h.checksum_ok());
        // Flags are not covered by the CRC; the next-record id is.
        b[120] = 0;
        assert!(FileHeader::parse(&b).unwrap().checksum_ok());
        b[24] = 78;
        let h = FileHeader::parse(&b).unwrap();
        assert!(!h.checksum_ok());
        b[120] = 4;
        assert!(FileHeader::parse(&b).unwrap().checksum_ok(), "NO_CRC32");
    }

    #[test]
    fn file_header_errors() {
        let b = file_header_bytes();
        let err = FileHeader::parse(&b[..50]).unwrap_err();
        assert_eq!(err.win32_code(), 1392);
        let mut bad = b.clone();
        bad[0] = b'X';
        let err = FileHeader::parse(&bad).unwrap_err();
        assert_eq!(err.offset(), Some(0));
        assert!(err.to_string().contains("magic"), "{err}");
    }

    #[test]
    fn chunk_header_crcs() {
        let mut c = vec![0u8; CHUNK_SIZE];
        c[..8].copy_from_slice(CHUNK_MAGIC);
        c[48..52].copy_from_slice(&520u32.to_le_bytes());
        c[512..520].copy_from_slice(b"abcdefgh");
        let records_crc = crc32fast::hash(&c[512..520]);
        c[52..56].copy_from_slice(&records_crc.to_le_bytes());
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&c[..120]);
        hasher.update(&c[128..512]);
        let header_crc = hasher.finalize();
        c[124..128].copy_from_slice(&header_crc.to_le_bytes());
        let h = ChunkHeader::parse(&c, 4096).unwrap();
        let records = |c: &[u8]| Some(crc32fast::hash(&c[512..520]));
        assert!(h.header_checksum_ok() && h.records_checksum_matches(records(&c)));
        assert!(!h.is_empty());
        c[515] = b'X';
        let h = ChunkHeader::parse(&c, 4096).unwrap();
        assert!(h.header_checksum_ok() && !h.records_checksum_matches(records(&c)));
        c[48..52].copy_from_slice(&u32::MAX.to_le_bytes());
        let h = ChunkHeader::parse(&c, 4096).unwrap();
        assert!(!h.header_checksum_ok() && !h.records_checksum_matches(None));
        c[0] = 0;
        let err = ChunkHeader::parse(&c, 4096).unwrap_err();
        assert_eq!(err.offset(), Some(4096));
        let err = ChunkHeader::parse(&c[..100], 4096).unwrap_err();
        assert_eq!(err.win32_code(), 1392);
    }
}
