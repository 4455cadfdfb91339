//! The EVTX targets' input, in one of two shapes:
//! - a whole file (it starts with the file magic `ElfFile\0`), read as it is;
//! - otherwise the leading bytes of one chunk (its 512-byte header and a few records), put
//!   behind a valid file header and padded with zeros to the 64 KiB chunk.
//!
//! The second shape is the fast one: a seed of a chunk header and four records is ~3 KB, so
//! every mutation lands in bytes the reader decodes, and a run decodes four records rather
//! than a full chunk's hundred or more (~50x the runs per second).

/// The file header block and the chunk size of the format.
const HEADER_BLOCK: usize = 4096;
const CHUNK: usize = 65536;

/// The bytes of the .evtx file the input stands for.
pub fn evtx_bytes(data: &[u8]) -> Vec<u8> {
    if data.starts_with(b"ElfFile\0") {
        return data.to_vec();
    }
    let mut file = vec![0u8; HEADER_BLOCK + CHUNK];
    file[..8].copy_from_slice(b"ElfFile\0");
    // first and last chunk 0, next record id 1, header size 128, version 3.1, one chunk.
    file[24..32].copy_from_slice(&1u64.to_le_bytes());
    file[32..36].copy_from_slice(&128u32.to_le_bytes());
    file[36..38].copy_from_slice(&1u16.to_le_bytes());
    file[38..40].copy_from_slice(&3u16.to_le_bytes());
    file[40..42].copy_from_slice(&(HEADER_BLOCK as u16).to_le_bytes());
    file[42..44].copy_from_slice(&1u16.to_le_bytes());
    let checksum = crc32(&file[..120]);
    file[124..128].copy_from_slice(&checksum.to_le_bytes());
    let used = data.len().min(CHUNK);
    file[HEADER_BLOCK..HEADER_BLOCK + used].copy_from_slice(&data[..used]);
    file
}

/// CRC-32 (IEEE), bit by bit: 120 bytes per run do not need a table.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}
