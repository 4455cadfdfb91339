//! An .evtx file's record count from its chunk headers alone ([`EvtxFile::count_records`]):
//! what EvtGetLogInfo reports of a log file, and the total an export's progress gives.
//!
//! Invariant: one 128-byte read per 64 KiB chunk slot; no chunk is read whole or decoded.

use std::io::{Read, Seek};

use super::bytes::u64_at;
use super::file::{slot_offset, EvtxFile};
use crate::error::Result;

impl<R: Read + Seek> EvtxFile<R> {
    /// How many records the file's chunks hold, and the oldest record id (0 when none), by
    /// their 128-byte headers alone (one read per slot, no chunk decoded): the numbers of
    /// EvtGetLogInfo, and the total an export of the whole file reports as progress. A slot
    /// without the chunk magic, or whose id range is reversed or unset, counts nothing.
    pub(crate) fn count_records(&mut self) -> Result<(u64, u64)> {
        let (mut count, mut oldest) = (0u64, u64::MAX);
        let mut header = [0u8; 128];
        for slot in 0..self.chunk_slots() {
            self.read_exact_at(slot_offset(slot), &mut header)?;
            if header[..8] != *b"ElfChnk\0" {
                continue;
            }
            let (Some(first_number), Some(last_number), Some(first), Some(last)) = (
                u64_at(&header, 8),
                u64_at(&header, 16),
                u64_at(&header, 24),
                u64_at(&header, 32),
            ) else {
                continue;
            };
            if last == u64::MAX || first > last {
                continue;
            }
            count += last_number.saturating_sub(first_number) + 1;
            oldest = oldest.min(first);
        }
        Ok((count, if count == 0 { 0 } else { oldest }))
    }
}
