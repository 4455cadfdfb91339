//! XML escaping for rendered event text, with a fast path for strings that need none.
//!
//! Windows escapes `&`, `<`, `>`, `"` and `'` in both text and attribute values. evtlog also
//! writes CR, LF and the other C0 controls (except TAB) as character references so that an
//! event stays on one line, and drops NUL (Windows strings end at NUL).

/// For each byte: 0 = copy as is, 1 = needs an escape.
static NEEDS_ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        table[i] = 1;
        i += 1;
    }
    table[b'\t' as usize] = 0;
    table[b'&' as usize] = 1;
    table[b'<' as usize] = 1;
    table[b'>' as usize] = 1;
    table[b'"' as usize] = 1;
    table[b'\'' as usize] = 1;
    table
};

/// Whether [`push_escaped`] changes ASCII byte `b` (TAB: no).
#[inline]
pub(crate) fn needs_escape(b: u8) -> bool {
    NEEDS_ESCAPE[usize::from(b)] != 0
}

/// Appends `s` escaped for text content or a single-quoted attribute value.
#[inline]
pub(crate) fn push_escaped(out: &mut String, s: &str) {
    match first_needing_escape(s.as_bytes()) {
        None => out.push_str(s),
        Some(first) => push_escaped_from(out, s, first),
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// True if any byte of `word` is zero (exact; SWAR).
#[inline]
fn has_zero_byte(word: u64) -> bool {
    word.wrapping_sub(ONES) & !word & HIGHS != 0
}

/// True if any byte of `word` needs escaping: below 0x20 (TAB included: a false positive the
/// exact table sorts out) or one of `"&'<>`. Pairs share a test: `&` (0x26) and `'` (0x27)
/// are the bytes that OR 0x01 makes 0x27, `<` (0x3C) and `>` (0x3E) those that OR 0x02 makes
/// 0x3E.
#[inline]
pub(crate) fn word_needs_escape(word: u64) -> bool {
    // Bytes below 0x20: subtracting 0x20 borrows into the high bit only for them (bytes with
    // the high bit already set are masked out by `!word`).
    let below_space = word.wrapping_sub(ONES * 0x20) & !word & HIGHS != 0;
    below_space
        | has_zero_byte((word | ONES) ^ (ONES * 0x27))
        | has_zero_byte((word | (ONES * 0x02)) ^ (ONES * 0x3E))
        | has_zero_byte(word ^ (ONES * u64::from(b'"')))
}

/// The index of the first byte that needs escaping, if any. The clean path (almost every
/// string) reads whole words only: full words, then the last eight bytes again (overlapping),
/// or for 4 to 7 bytes two overlapping 4-byte halves, so no string pays a per-byte loop.
#[inline]
fn first_needing_escape(bytes: &[u8]) -> Option<usize> {
    if !any_needs_escape(bytes) {
        return None;
    }
    bytes
        .iter()
        .position(|&b| NEEDS_ESCAPE[usize::from(b)] != 0)
}

/// A quick test that may say yes for TAB alone (the exact table then finds nothing).
#[inline]
fn any_needs_escape(bytes: &[u8]) -> bool {
    let n = bytes.len();
    if n >= 8 {
        let mut words = bytes.chunks_exact(8);
        if words.by_ref().any(|w| word_needs_escape(read_u64(w))) {
            return true;
        }
        return !words.remainder().is_empty() && word_needs_escape(read_u64(&bytes[n - 8..]));
    }
    if n >= 4 {
        let low = u64::from(read_u32(&bytes[..4]));
        let high = u64::from(read_u32(&bytes[n - 4..]));
        return word_needs_escape(low | high << 32);
    }
    bytes.iter().any(|&b| NEEDS_ESCAPE[usize::from(b)] != 0)
}

#[inline]
fn read_u64(b: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&b[..8]);
    u64::from_le_bytes(word)
}

#[inline]
fn read_u32(b: &[u8]) -> u32 {
    let mut word = [0u8; 4];
    word.copy_from_slice(&b[..4]);
    u32::from_le_bytes(word)
}

/// The slow path: `s[..first]` needs no escape; escape from `first` on. Between escapes,
/// clean words are skipped eight bytes at a time.
fn push_escaped_from(out: &mut String, s: &str, first: usize) {
    let bytes = s.as_bytes();
    out.reserve(s.len() + 8);
    let (mut start, mut i) = (0, first);
    while i < bytes.len() {
        if let Some(word) = bytes.get(i..i + 8) {
            if !word_needs_escape(read_u64(word)) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        if NEEDS_ESCAPE[usize::from(b)] == 0 {
            i += 1;
            continue;
        }
        // Every byte that needs escaping is ASCII, so `i` is a char boundary.
        out.push_str(&s[start..i]);
        match b {
            b'&' => out.push_str("&amp;"),
            b'<' => out.push_str("&lt;"),
            b'>' => out.push_str("&gt;"),
            b'"' => out.push_str("&quot;"),
            b'\'' => out.push_str("&apos;"),
            b'\r' => out.push_str("&#13;"),
            b'\n' => out.push_str("&#10;"),
            0 => {}
            _ => {
                out.push_str("&#");
                out.push_str(itoa::Buffer::new().format(b));
                out.push(';');
            }
        }
        i += 1;
        start = i;
    }
    out.push_str(&s[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(s: &str) -> String {
        let mut out = String::new();
        push_escaped(&mut out, s);
        out
    }

    #[test]
    fn escapes_the_five_and_controls() {
        assert_eq!(esc("plain"), "plain");
        assert_eq!(esc(r#"a&b<c>d"e'f"#), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
        assert_eq!(esc("l1\r\nl2\tx"), "l1&#13;&#10;l2\tx");
        assert_eq!(esc("nul\0end\u{1}"), "nulend&#1;");
        assert_eq!(esc("ünïcødé ✓"), "ünïcødé ✓");
        assert_eq!(
            esc("a long clean prefix\tthen & more"),
            "a long clean prefix\tthen &amp; more"
        );
    }

    /// The word-at-a-time scan agrees with the byte table on every byte value, at every
    /// position of a word and in the tail.
    #[test]
    fn word_scan_agrees_with_table() {
        for b in 0..=255u8 {
            for len in [1usize, 7, 8, 9, 16, 23] {
                for pos in 0..len {
                    let mut bytes = vec![b'a'; len];
                    bytes[pos] = b;
                    let expected = bytes
                        .iter()
                        .position(|&x| NEEDS_ESCAPE[usize::from(x)] != 0);
                    assert_eq!(
                        first_needing_escape(&bytes),
                        expected,
                        "byte {b:#x} at {pos} of {len}"
                    );
                }
            }
        }
    }

    /// The naive escaper: one byte at a time, as the module doc says.
    fn oracle(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&apos;"),
                '\0' => {}
                '\t' => out.push('\t'),
                c if (c as u32) < 0x20 => out.push_str(&format!("&#{};", c as u32)),
                c => out.push(c),
            }
        }
        out
    }

    proptest::proptest! {
        /// Clean runs of every length between escapes, and text that is not ASCII.
        #[test]
        fn push_escaped_is_the_naive_escape(s in "([a-z0-9 ]{0,20}[&<>\"'\t\r\n\x00\x01\u{e9}\u{1F600}]?){0,6}") {
            proptest::prop_assert_eq!(esc(&s), oracle(&s));
        }
    }
}
