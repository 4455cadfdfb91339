//! A bounds-checked little-endian reader over a byte slice of an EVTX file.
//!
//! Owns: [`Reader`], the only way `src/evtx/` reads integers, GUIDs and byte runs out of
//! untrusted data, and the wording of its truncation errors.
//!
//! Invariants:
//! - Nothing here can panic on any input: every access goes through `slice::get`, and
//!   position arithmetic uses `checked_add`.
//! - A failed read does not move the position.
//! - Every error is `FileCorrupt` (1392) at the **absolute file offset** of the read
//!   (`base_offset + pos`), and its message names the field (what), the bytes needed (need)
//!   and the bytes left (have): "`record size`: need 4 bytes, have 2".
//! - Little-endian only (`from_le_bytes`), as the format is.

use crate::error::{Error, ErrorKind, Result};
use crate::event::Guid;

/// True if every byte of `bytes` is zero; 64 bytes at a time, which the compiler vectorises
/// (unused chunks are 64 KiB of zeros, and a walk tests each one).
pub(crate) fn all_zero(bytes: &[u8]) -> bool {
    let mut blocks = bytes.chunks_exact(64);
    blocks
        .by_ref()
        .all(|block| block.iter().fold(0u8, |acc, &b| acc | b) == 0)
        && blocks.remainder().iter().all(|&b| b == 0)
}

/// A cursor over `data`, whose byte 0 sits at file offset `base_offset`.
#[derive(Clone, Debug)]
pub(crate) struct Reader<'a> {
    data: &'a [u8],
    pos: usize,
    base_offset: u64,
}

impl<'a> Reader<'a> {
    /// A reader at position 0 of `data`, which starts at file offset `base_offset`.
    pub(crate) fn new(data: &'a [u8], base_offset: u64) -> Reader<'a> {
        Reader {
            data,
            pos: 0,
            base_offset,
        }
    }

    /// All the data read (not only what is left).
    #[inline]
    pub(crate) fn data(&self) -> &'a [u8] {
        self.data
    }

    /// The position, relative to the start of `data`.
    #[inline]
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// The absolute file offset of the position.
    #[inline]
    pub(crate) fn file_offset(&self) -> u64 {
        self.base_offset.saturating_add(self.pos as u64)
    }

    /// Bytes left after the position.
    #[inline]
    pub(crate) fn remaining(&self) -> usize {
        self.data.len().saturating_sub(self.pos)
    }

    /// The error for a read of `need` bytes of `what` at the position. Cold: the readers
    /// stay small enough to inline into the decoder's loops.
    #[cold]
    #[inline(never)]
    fn truncated(&self, what: &str, need: usize) -> Error {
        Error::at_offset(
            ErrorKind::FileCorrupt,
            self.file_offset(),
            format!("`{what}`: need {need} bytes, have {}", self.remaining()),
        )
    }

    /// The next `n` bytes, advancing past them.
    #[inline]
    pub(crate) fn bytes(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        let end = self
            .pos
            .checked_add(n)
            .ok_or_else(|| self.truncated(what, n))?;
        let slice = self
            .data
            .get(self.pos..end)
            .ok_or_else(|| self.truncated(what, n))?;
        self.pos = end;
        Ok(slice)
    }

    /// The next `N` bytes as an array.
    #[inline]
    fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N]> {
        let slice = self.bytes(N, what)?;
        let mut out = [0u8; N];
        out.copy_from_slice(slice);
        Ok(out)
    }

    #[inline]
    pub(crate) fn u8(&mut self, what: &str) -> Result<u8> {
        self.array::<1>(what).map(|[b]| b)
    }

    #[inline]
    pub(crate) fn u16(&mut self, what: &str) -> Result<u16> {
        self.array(what).map(u16::from_le_bytes)
    }

    #[inline]
    pub(crate) fn u32(&mut self, what: &str) -> Result<u32> {
        self.array(what).map(u32::from_le_bytes)
    }

    #[inline]
    pub(crate) fn u64(&mut self, what: &str) -> Result<u64> {
        self.array(what).map(u64::from_le_bytes)
    }

    /// A GUID in its 16-byte on-disk form.
    #[allow(dead_code)] // the BinXml decoder reads GUID values through `value.rs`
    pub(crate) fn guid(&mut self, what: &str) -> Result<Guid> {
        self.array(what).map(Guid::from_bytes_le)
    }

    /// Advances `n` bytes (which must exist).
    #[inline]
    pub(crate) fn skip(&mut self, n: usize, what: &str) -> Result<()> {
        self.bytes(n, what).map(|_| ())
    }

    /// Moves to `pos` (relative to `data`); `pos == data.len()` is allowed (end).
    #[inline]
    pub(crate) fn seek(&mut self, pos: usize, what: &str) -> Result<()> {
        if pos > self.data.len() {
            return Err(self.past_end(pos, what));
        }
        self.pos = pos;
        Ok(())
    }

    #[cold]
    #[inline(never)]
    fn past_end(&self, pos: usize, what: &str) -> Error {
        Error::at_offset(
            ErrorKind::FileCorrupt,
            self.base_offset.saturating_add(pos as u64),
            format!(
                "`{what}`: seek to {pos} past the end of {} bytes",
                self.data.len()
            ),
        )
    }
}

/// The little-endian u32 at `pos` of `data`, if all four bytes are there.
pub(crate) fn u32_at(data: &[u8], pos: usize) -> Option<u32> {
    let end = pos.checked_add(4)?;
    let b: [u8; 4] = data.get(pos..end)?.try_into().ok()?;
    Some(u32::from_le_bytes(b))
}

/// The little-endian u64 at `pos` of `data`, if all eight bytes are there.
pub(crate) fn u64_at(data: &[u8], pos: usize) -> Option<u64> {
    let end = pos.checked_add(8)?;
    let b: [u8; 8] = data.get(pos..end)?.try_into().ok()?;
    Some(u64::from_le_bytes(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_zero_sees_every_byte() {
        let mut b = vec![0u8; 200];
        assert!(all_zero(&b) && all_zero(&[]));
        for i in [0, 63, 64, 150, 199] {
            b[i] = 1;
            assert!(!all_zero(&b), "{i}");
            b[i] = 0;
        }
    }

    #[test]
    fn reads_little_endian() {
        let data = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
        let mut r = Reader::new(&data, 0);
        assert_eq!(r.u8("a").ok(), Some(1));
        assert_eq!(r.u16("b").ok(), Some(0x0302));
        assert_eq!(r.u32("c").ok(), Some(0x0706_0504));
        assert_eq!(r.u64("d").ok(), Some(0x0f0e_0d0c_0b0a_0908));
        assert_eq!(r.remaining(), 0);
        assert_eq!(r.pos(), 15);
    }

    #[test]
    fn truncation_says_what_where_need_have() {
        let data = [0u8; 6];
        let mut r = Reader::new(&data, 0x1000);
        r.skip(4, "head").unwrap();
        let err = r.u32("record size").unwrap_err();
        assert_eq!(err.win32_code(), 1392);
        assert_eq!(err.kind(), ErrorKind::FileCorrupt);
        assert_eq!(err.offset(), Some(0x1004));
        let text = err.to_string();
        assert!(text.contains("`record size`"), "{text}");
        assert!(text.contains("need 4 bytes, have 2"), "{text}");
        assert!(text.contains("offset 0x1004"), "{text}");
        // A failed read does not move the position.
        assert_eq!(r.pos(), 4);
        assert_eq!(r.u16("tail").ok(), Some(0));
    }

    #[test]
    fn huge_reads_and_seeks_fail_cleanly() {
        let data = [0u8; 8];
        let mut r = Reader::new(&data, u64::MAX - 2);
        r.skip(3, "x").unwrap();
        let err = r.bytes(usize::MAX, "blob").unwrap_err();
        assert!(err.to_string().contains("need"), "{err}");
        assert_eq!(err.offset(), Some(u64::MAX));
        assert!(r.seek(9, "somewhere").is_err());
        assert!(r.seek(8, "end").is_ok());
        assert_eq!(r.remaining(), 0);
        assert!(r.u8("past end").is_err());
        assert!(r.guid("guid").is_err());
    }

    #[test]
    fn guid_is_read_in_on_disk_form() {
        let bytes: [u8; 16] = [
            0x78, 0x56, 0x34, 0x12, 0x34, 0x12, 0x78, 0x56, 1, 2, 3, 4, 5, 6, 7, 8,
        ];
        let mut r = Reader::new(&bytes, 0);
        let g = r.guid("provider guid").unwrap();
        assert_eq!(g.data1, 0x1234_5678);
        assert_eq!(g.data2, 0x1234);
        assert_eq!(g.data3, 0x5678);
        assert_eq!(g.data4, [1, 2, 3, 4, 5, 6, 7, 8]);
    }

    #[test]
    fn at_helpers_are_checked() {
        let data = [1, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(u32_at(&data, 0), Some(1));
        assert_eq!(u32_at(&data, 5), None);
        assert_eq!(u32_at(&data, usize::MAX), None);
        assert_eq!(u64_at(&data, 0), Some(1));
        assert_eq!(u64_at(&data, 1), None);
    }
}
