//! [`Guid`]: Windows' GUID layout, its 16-byte on-disk form, and its braced lowercase text.

use std::fmt;

use super::digits::{hex_pair, push_ascii, HEX_VALUES, NOT_HEX};

/// A GUID, stored as Windows lays it out (`Data1` to `Data4`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Guid {
    pub data1: u32,
    pub data2: u16,
    pub data3: u16,
    pub data4: [u8; 8],
}

impl Guid {
    /// The all-zero GUID.
    pub const NIL: Guid = Guid {
        data1: 0,
        data2: 0,
        data3: 0,
        data4: [0; 8],
    };

    /// The GUID from its 16-byte on-disk form (Data1..3 little-endian, Data4 as is).
    pub fn from_bytes_le(b: [u8; 16]) -> Guid {
        Guid {
            data1: u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            data2: u16::from_le_bytes([b[4], b[5]]),
            data3: u16::from_le_bytes([b[6], b[7]]),
            data4: [b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]],
        }
    }

    /// The 16-byte on-disk form.
    pub fn to_bytes_le(self) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[0..4].copy_from_slice(&self.data1.to_le_bytes());
        b[4..6].copy_from_slice(&self.data2.to_le_bytes());
        b[6..8].copy_from_slice(&self.data3.to_le_bytes());
        b[8..16].copy_from_slice(&self.data4);
        b
    }

    /// The GUID from a 128-bit number read as the canonical hex digits, left to right.
    pub fn from_u128(v: u128) -> Guid {
        let b = v.to_be_bytes();
        Guid {
            data1: u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
            data2: u16::from_be_bytes([b[4], b[5]]),
            data3: u16::from_be_bytes([b[6], b[7]]),
            data4: [b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]],
        }
    }

    /// Parses `{xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}`, with or without braces, any case.
    pub fn parse(s: &str) -> Option<Guid> {
        let s = s.trim();
        let s = match s.strip_prefix('{') {
            Some(rest) => rest.strip_suffix('}')?,
            None => s,
        };
        let b = s.as_bytes();
        if b.len() != 36 || b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
            return None;
        }
        // The 32 digits in two 64-bit halves (a 128-bit shift per digit cost ~900
        // instructions a GUID), their values or-ed together so one test finds a non-digit.
        let mut digits = [0u8; 32];
        digits[..8].copy_from_slice(&b[..8]);
        digits[8..12].copy_from_slice(&b[9..13]);
        digits[12..16].copy_from_slice(&b[14..18]);
        digits[16..20].copy_from_slice(&b[19..23]);
        digits[20..].copy_from_slice(&b[24..]);
        let mut seen = 0u8;
        let mut half = |digits: &[u8]| {
            digits.iter().fold(0u64, |acc, &c| {
                let v = HEX_VALUES[usize::from(c)];
                seen |= v;
                (acc << 4) | u64::from(v)
            })
        };
        let (high, low) = (half(&digits[..16]), half(&digits[16..]));
        if seen & NOT_HEX != 0 {
            return None;
        }
        Some(Guid::from_u128(u128::from(high) << 64 | u128::from(low)))
    }

    /// Appends the braced lowercase form.
    pub fn write_to(&self, out: &mut String) {
        push_ascii(out, &self.text());
    }

    /// Appends the bytes of [`write_to`](Self::write_to)'s text (ASCII): for writers of
    /// byte buffers, with no UTF-8 check to pass.
    pub fn write_ascii(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.text());
    }

    fn text(&self) -> [u8; 38] {
        let mut canonical = [0u8; 16];
        canonical[0..4].copy_from_slice(&self.data1.to_be_bytes());
        canonical[4..6].copy_from_slice(&self.data2.to_be_bytes());
        canonical[6..8].copy_from_slice(&self.data3.to_be_bytes());
        canonical[8..].copy_from_slice(&self.data4);
        let mut text = *b"{00000000-0000-0000-0000-000000000000}";
        let mut at = 1;
        for (i, &byte) in canonical.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                at += 1;
            }
            text[at..at + 2].copy_from_slice(&hex_pair(byte));
            at += 2;
        }
        text
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(38);
        self.write_to(&mut s);
        f.write_str(&s)
    }
}

impl fmt::Debug for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The parse this one replaced: one 128-bit shift per digit.
    fn reference(s: &str) -> Option<Guid> {
        let s = s.trim();
        let s = match s.strip_prefix('{') {
            Some(rest) => rest.strip_suffix('}')?,
            None => s,
        };
        let b = s.as_bytes();
        if b.len() != 36 || b[8] != b'-' || b[13] != b'-' || b[18] != b'-' || b[23] != b'-' {
            return None;
        }
        let mut v: u128 = 0;
        for (i, &c) in b.iter().enumerate() {
            if matches!(i, 8 | 13 | 18 | 23) {
                continue;
            }
            let d = match c {
                b'0'..=b'9' => c - b'0',
                b'a'..=b'f' => c - b'a' + 10,
                b'A'..=b'F' => c - b'A' + 10,
                _ => return None,
            };
            v = (v << 4) | u128::from(d);
        }
        Some(Guid::from_u128(v))
    }

    /// Every byte at every position of a braced and a bare GUID: a digit the fast parse
    /// skipped, or a non-digit it let through, differs here.
    #[test]
    fn parse_agrees_with_the_reference_byte_by_byte() {
        let braced = "{0123abcd-4567-89ef-ABCD-EF0123456789}";
        for text in [braced, &braced[1..37]] {
            assert!(Guid::parse(text).is_some());
            for at in 0..text.len() {
                for byte in 0..=127u8 {
                    let mut bytes = text.as_bytes().to_vec();
                    bytes[at] = byte;
                    let changed = String::from_utf8(bytes).unwrap_or_default();
                    assert_eq!(Guid::parse(&changed), reference(&changed), "{changed:?}");
                }
                let mut changed = text.to_owned();
                changed.replace_range(at..at + 1, "é");
                assert_eq!(Guid::parse(&changed), reference(&changed), "{changed:?}");
            }
        }
    }
}
