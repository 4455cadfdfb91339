//! Digit tables and small text helpers shared by the value types: two-digit pairs (so a
//! byte's hex digits or a two-digit field are one push), hex and decimal digit parsing.

/// `"00"` to `"ff"`, so that a byte's two hex digits are one copy.
pub(super) const HEX_PAIRS: &str =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\
202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f\
404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f\
606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f\
808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f\
a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf\
c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf\
e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

pub(super) fn hex_pair(byte: u8) -> [u8; 2] {
    let pairs = HEX_PAIRS.as_bytes();
    let i = usize::from(byte) * 2;
    [pairs[i], pairs[i + 1]]
}

/// `"00"` to `"99"`.
pub(super) const DEC_PAIRS: &str =
    "00010203040506070809101112131415161718192021222324252627282930313233\
343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778\
798081828384858687888990919293949596979899";

/// A byte's two lowercase hex digits, as a slice of the table.
pub(super) fn hex_pair_str(byte: u8) -> &'static str {
    let i = usize::from(byte) * 2;
    HEX_PAIRS.get(i..i + 2).unwrap_or("00")
}

pub(super) fn dec_pair(v: u32) -> [u8; 2] {
    let pairs = DEC_PAIRS.as_bytes();
    let i = (v % 100) as usize * 2;
    [pairs[i], pairs[i + 1]]
}

/// `v` in decimal at `text[at..]`, two digits at a time from the pair table; the place
/// after it (nothing written where it would not fit).
pub(super) fn put_dec(text: &mut [u8], at: usize, v: u64) -> usize {
    let len = v.checked_ilog10().map_or(1, |l| l as usize + 1);
    let Some(digits) = text.get_mut(at..at + len) else {
        return at + len;
    };
    let (mut v, mut end) = (v, len);
    while end >= 2 {
        digits[end - 2..end].copy_from_slice(&dec_pair((v % 100) as u32));
        v /= 100;
        end -= 2;
    }
    if end == 1 {
        digits[0] = b'0' + v as u8;
    }
    at + len
}

/// Appends text a writer built in a byte buffer from ASCII digits and punctuation (so the
/// check is a formality: one word-at-a-time pass, and one push instead of one per digit).
pub(super) fn push_ascii(out: &mut String, ascii: &[u8]) {
    out.push_str(std::str::from_utf8(ascii).unwrap_or_default());
}

/// Each byte's value as a hex digit (either case), [`NOT_HEX`] for any other byte: one load
/// per digit, and a run of digits is checked once by or-ing the values together.
pub(super) const HEX_VALUES: [u8; 256] = {
    let mut table = [NOT_HEX; 256];
    let mut i = 0;
    while i < 10 {
        table[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        table[b'a' as usize + i] = 10 + i as u8;
        table[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    table
};

/// What [`HEX_VALUES`] holds for a byte that is not a hex digit (no digit has this bit).
pub(super) const NOT_HEX: u8 = 0x10;

pub(super) fn hex_digit(c: u8) -> Option<u8> {
    let v = HEX_VALUES[usize::from(c)];
    (v != NOT_HEX).then_some(v)
}

pub(super) fn parse_dec<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_values_are_the_hex_digits() {
        for c in 0..=255u8 {
            let want = (c as char).to_digit(16).map(|d| d as u8);
            assert_eq!(super::hex_digit(c), want, "{c}");
        }
    }

    /// Every digit count (odd and even: the last lone digit), each power of ten either side,
    /// and `u64::MAX`, written after other bytes: `to_string`'s digits, the place after them.
    #[test]
    fn put_dec_writes_the_decimal_digits() {
        let mut values = vec![0, u64::MAX, u64::MAX - 1];
        for p in 0..20 {
            let v = 10u64.pow(p);
            values.extend([v - 1, v, v + 1, v.saturating_mul(7)]);
        }
        for v in values {
            let mut text = [b'#'; 32];
            let end = put_dec(&mut text, 3, v);
            let want = v.to_string();
            assert_eq!(end, 3 + want.len(), "{v}");
            assert_eq!(&text[3..end], want.as_bytes(), "{v}");
            assert!(
                text[..3].iter().chain(&text[end..]).all(|&b| b == b'#'),
                "{v}"
            );
        }
        // No room: nothing written.
        let mut short = [b'#'; 4];
        assert_eq!(put_dec(&mut short, 2, 12_345), 7);
        assert_eq!(short, [b'#'; 4]);
    }
}
