//! UTF-16LE from Rust strings, as bytes: what EvtRender hands out, what EVT_VARIANT payloads
//! hold, and what BinXml stores. One encoder for all of them, with an ASCII fast path (almost
//! every string the emulator writes is ASCII).
//!
//! Invariant: every function here produces exactly `str::encode_utf16`'s units, little-endian
//! (the property tests below hold them to it).

/// The number of UTF-16 units of `text`: one per character, two for those outside the BMP.
pub(crate) fn units(text: &str) -> usize {
    let bytes = text.as_bytes();
    if bytes.is_ascii() {
        return bytes.len();
    }
    // A character's first byte is not a continuation byte (0x80..=0xBF); a four-byte one's is
    // 0xF0 or above and makes a surrogate pair. Counted in u8 lanes the compiler vectorizes:
    // at most two per byte, so 127 bytes cannot overflow one.
    bytes
        .chunks(127)
        .map(|block| {
            let n = block.iter().fold(0u8, |n, &b| {
                n + u8::from((b as i8) >= -0x40) + u8::from(b >= 0xF0)
            });
            usize::from(n)
        })
        .sum()
}

/// Writes `text` as UTF-16LE at the start of `out` and returns the bytes written
/// (`2 * units(text)`). `out` must hold them: `2 * text.len()` bytes always do.
///
/// Each ASCII run is widened by one plain loop, which the compiler vectorizes (about five
/// times faster than spreading u64 words by hand); other characters go one by one.
pub(crate) fn encode_into(text: &str, out: &mut [u8]) -> usize {
    let bytes = text.as_bytes();
    if bytes.is_ascii() {
        widen_ascii(bytes, &mut out[..2 * bytes.len()]);
        return 2 * bytes.len();
    }
    let (mut i, mut o) = (0, 0);
    while i < bytes.len() {
        let run = ascii_run(&bytes[i..]);
        widen_ascii(&bytes[i..i + run], &mut out[o..o + 2 * run]);
        i += run;
        o += 2 * run;
        // `i` is at a character's first byte (or the end): a run ends before a lead byte.
        let Some(c) = text.get(i..).and_then(|rest| rest.chars().next()) else {
            break;
        };
        let mut units = [0u16; 2];
        for unit in c.encode_utf16(&mut units) {
            out[o..o + 2].copy_from_slice(&unit.to_le_bytes());
            o += 2;
        }
        i += c.len_utf8();
    }
    o
}

/// Appends `text` as UTF-16LE, without a NUL.
pub(crate) fn push(out: &mut Vec<u8>, text: &str) {
    if text.len() < 16 && text.is_ascii() {
        // Short ASCII (most BinXml names and values): four units per u64, no zero-fill.
        out.reserve(2 * text.len());
        let mut words = text.as_bytes().chunks_exact(4);
        for w in words.by_ref() {
            out.extend_from_slice(&spread([w[0], w[1], w[2], w[3]]).to_le_bytes());
        }
        for &b in words.remainder() {
            out.extend_from_slice(&[b, 0]);
        }
        return;
    }
    let start = out.len();
    out.resize(start + 2 * text.len(), 0);
    let written = encode_into(text, &mut out[start..]);
    out.truncate(start + written);
}

/// `text` as UTF-16LE followed by a NUL unit.
pub(crate) fn with_nul(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 * text.len() + 2);
    push(&mut out, text);
    out.extend_from_slice(&[0, 0]);
    out
}

/// How many bytes `bytes` starts with are ASCII: sixteen-byte blocks by `is_ascii` (words at
/// a time), then byte by byte in the block that ends the run.
fn ascii_run(bytes: &[u8]) -> usize {
    let whole = bytes
        .chunks(16)
        .take_while(|block| block.is_ascii())
        .count()
        * 16;
    let whole = whole.min(bytes.len());
    whole
        + bytes[whole..]
            .iter()
            .position(|&b| b >= 0x80)
            .unwrap_or(bytes.len() - whole)
}

/// ASCII bytes as UTF-16LE units into `out` (twice as long).
#[inline]
fn widen_ascii(ascii: &[u8], out: &mut [u8]) {
    for (unit, &byte) in out.chunks_exact_mut(2).zip(ascii) {
        unit[0] = byte;
        unit[1] = 0;
    }
}

/// Four ASCII bytes as the u64 of their four UTF-16LE units.
#[inline]
fn spread(b: [u8; 4]) -> u64 {
    let x = u64::from(u32::from_le_bytes(b));
    let x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF;
    (x | (x << 8)) & 0x00FF_00FF_00FF_00FF
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn oracle(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    /// ASCII, any text, a few letters with accents and astral characters, and long ASCII runs
    /// broken by a non-ASCII character (the runs cross sixteen-byte blocks).
    const TEXT: &str = "[ -~]{0,70}|\\PC{0,40}|[a-z\u{e9}\u{1F600}]{0,40}|([ -~]{0,40}[\u{eb}\u{2713}\u{1F600}]){0,4}[ -~]{0,40}";

    proptest! {
        #[test]
        fn units_is_the_standard_count(s in TEXT) {
            prop_assert_eq!(units(&s), s.encode_utf16().count());
        }

        #[test]
        fn encode_into_is_the_standard_encoding(s in TEXT) {
            let expected = oracle(&s);
            let mut out = vec![0xAAu8; 2 * s.len() + 3];
            prop_assert_eq!(encode_into(&s, &mut out), expected.len());
            prop_assert_eq!(&out[..expected.len()], &expected[..]);
            // Nothing past what it wrote.
            prop_assert!(out[expected.len()..].iter().all(|&b| b == 0xAA));
        }

        /// Into exactly the bytes it needs, as EvtRender's tight buffers give it.
        #[test]
        fn encode_into_fits_exactly(s in TEXT) {
            let mut out = vec![0u8; 2 * units(&s)];
            prop_assert_eq!(encode_into(&s, &mut out), out.len());
            prop_assert_eq!(out, oracle(&s));
        }

        /// After a prefix already in the buffer, at every length (both paths of `push`).
        #[test]
        fn push_and_with_nul_are_the_standard_encoding(
            prefix in proptest::collection::vec(any::<u8>(), 0..9),
            s in TEXT,
        ) {
            let mut out = prefix.clone();
            push(&mut out, &s);
            let mut expected = prefix;
            expected.extend(oracle(&s));
            prop_assert_eq!(out, expected);
            let mut nul = oracle(&s);
            nul.extend([0, 0]);
            prop_assert_eq!(with_nul(&s), nul);
        }
    }
}
