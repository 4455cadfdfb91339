//! Strings as JSON: quoted and escaped exactly as serde_json escapes them (`"` and `\\`
//! with a backslash, the control characters below 0x20 as `\b`, `\f`, `\n`, `\r`, `\t` or
//! `\u00XX`, lowercase hex), from UTF-8 text or straight from a record's UTF-16.
//!
//! Invariants: [`copy_escaped`] writes serde_json's bytes for every string (tested on every
//! ASCII byte at every place of a word, and byte pairs at every pair of places); a
//! [`copy_utf16_escaped`] of UTF-16 units is [`copy_escaped`] of their text as the library
//! decodes it (`Utf16::to_text`; tested on generated units: ASCII, escapes, NULs,
//! non-ASCII, surrogates paired and not).

/// Appends `s` to `out` quoted and escaped as serde_json escapes it: `"` and `\\` with a
/// backslash, the control characters below 0x20 as `\b`, `\f`, `\n`, `\r`, `\t` or
/// `\u00XX` (lowercase hex). Most strings need no escape: checked eight bytes at a time,
/// then copied whole; in the others (paths, `DOMAIN\\user`), the runs between the bytes
/// to escape are, found eight bytes at a time too. Most strings are short (names, account
/// names, numbers as text): up to 16 bytes, checked and copied in fixed-size pieces.
pub(super) fn copy_escaped(out: &mut Vec<u8>, s: &[u8]) {
    if let Some(quoted) = quoted_short(s) {
        let at = out.len();
        out.extend_from_slice(&quoted);
        out.truncate(at + s.len() + 2);
        return;
    }
    out.reserve(s.len() + 2);
    out.push(b'"');
    if needs_no_escape(s) {
        out.extend_from_slice(s);
    } else {
        // The runs between bytes to escape copied whole. A word's lowest flag is its first
        // byte to escape (the flags are exact up to it), so the scan jumps straight to it.
        let (mut run, mut i) = (0, 0);
        while let Some(w) = s.get(i..i + 8) {
            let flags = escape_flags(read_word(w));
            if flags == 0 {
                i += 8;
                continue;
            }
            let at = i + (flags.trailing_zeros() / 8) as usize;
            out.extend_from_slice(&s[run..at]);
            push_escaped_byte(out, s[at]);
            run = at + 1;
            i = at + 1;
        }
        for (at, &b) in s.iter().enumerate().skip(i) {
            if b < 0x20 || b == b'"' || b == b'\\' {
                out.extend_from_slice(&s[run..at]);
                push_escaped_byte(out, b);
                run = at + 1;
            }
        }
        out.extend_from_slice(&s[run..]);
    }
    out.push(b'"');
}

/// `s` quoted (`"s"`, then bytes of no meaning up to 18) when it is at most 16 bytes and
/// none needs an escape: its bytes read in two overlapping words (or halves), which are
/// both the escape check and the copy, with no call for a copy of variable length.
#[inline]
pub(super) fn quoted_short(s: &[u8]) -> Option<[u8; 18]> {
    let n = s.len();
    let mut buf = [0u8; 18];
    let flags = if n > 16 {
        return None;
    } else if n >= 8 {
        let (head, tail) = (read_word(&s[..8]), read_word(&s[n - 8..]));
        buf[1..9].copy_from_slice(&head.to_le_bytes());
        buf[n - 7..n + 1].copy_from_slice(&tail.to_le_bytes());
        escape_flags(head) | escape_flags(tail)
    } else if n >= 4 {
        let half = |h: &[u8]| u32::from_le_bytes([h[0], h[1], h[2], h[3]]);
        let (head, tail) = (half(&s[..4]), half(&s[n - 4..]));
        buf[1..5].copy_from_slice(&head.to_le_bytes());
        buf[n - 3..n + 1].copy_from_slice(&tail.to_le_bytes());
        // All eight bytes are the string's (the halves overlap, no padding to flag).
        escape_flags(u64::from(head) | u64::from(tail) << 32)
    } else {
        let mut flags = 0;
        for (k, &b) in s.iter().enumerate() {
            buf[k + 1] = b;
            flags |= u64::from(b < 0x20 || b == b'"' || b == b'\\');
        }
        flags
    };
    buf[0] = b'"';
    buf[n + 1] = b'"';
    (flags == 0).then_some(buf)
}

/// The high bit of each byte of `w` that needs an escape in JSON (a control character,
/// `"` or `\\`) set, and no other bit.
#[inline]
fn escape_flags(w: u64) -> u64 {
    below(w, 0x20)
        | below(w ^ (ONES * u64::from(b'"')), 1)
        | below(w ^ (ONES * u64::from(b'\\')), 1)
}

const ONES: u64 = 0x0101_0101_0101_0101;

/// The high bit of each byte of `w` below `n` (n ≤ 0x80) set, and no other bit (past the
/// first such byte, a flag may be false).
#[inline]
fn below(w: u64, n: u64) -> u64 {
    w.wrapping_sub(ONES * n) & !w & 0x8080_8080_8080_8080
}

#[inline]
fn read_word(w: &[u8]) -> u64 {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&w[..8]);
    u64::from_le_bytes(bytes)
}

/// Whether no byte of `s` needs an escape in JSON (a control character, `"` or `\\`):
/// eight bytes at a time, the tail within the last eight.
#[inline]
fn needs_no_escape(s: &[u8]) -> bool {
    let mut words = s.chunks_exact(8);
    let mut seen = 0;
    for w in &mut words {
        seen |= escape_flags(read_word(w));
    }
    let tail = words.remainder();
    if tail.is_empty() {
    } else if s.len() >= 8 {
        // The last eight bytes, which hold the tail (no copy of a variable length).
        seen |= escape_flags(read_word(&s[s.len() - 8..]));
    } else {
        for &b in tail {
            seen |= u64::from(b < 0x20 || b == b'"' || b == b'\\');
        }
    }
    seen == 0
}

/// One byte of a string, escaped as JSON needs it.
fn push_escaped_byte(out: &mut Vec<u8>, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match b {
        b'"' => out.extend_from_slice(b"\\\""),
        b'\\' => out.extend_from_slice(b"\\\\"),
        0x08 => out.extend_from_slice(b"\\b"),
        0x0C => out.extend_from_slice(b"\\f"),
        b'\n' => out.extend_from_slice(b"\\n"),
        b'\r' => out.extend_from_slice(b"\\r"),
        b'\t' => out.extend_from_slice(b"\\t"),
        0..=0x1F => out.extend_from_slice(&[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(b >> 4)],
            HEX[usize::from(b & 15)],
        ]),
        _ => out.push(b),
    }
}

/// Appends the text of `units` (UTF-16LE, trailing NULs already left out, as
/// `Utf16::units` gives them) quoted and escaped as [`copy_escaped`] writes it, in one pass:
/// up to 16 ASCII units none to escape in a fixed buffer ([`quoted_short_utf16`]), other
/// short ones as their low bytes through [`copy_escaped`]; longer, eight ASCII
/// units at a time packed to eight bytes (one word test for a unit past 0x7F, then the
/// escape test on the packed bytes), then ASCII units one by one, the rest decoded
/// character by character.
pub(super) fn copy_utf16_escaped(out: &mut Vec<u8>, units: &[u8]) {
    // Most strings are a few ASCII units: their low bytes are the text.
    if let Some(quoted) = quoted_short_utf16(units) {
        let at = out.len();
        out.extend_from_slice(&quoted);
        out.truncate(at + units.len() / 2 + 2);
        return;
    }
    if units.len() <= 32 {
        // Short, but with a unit to escape or past 0x7F: the ASCII ones' low bytes through
        // the escaper.
        let (mut text, mut wide) = ([0u8; 16], 0);
        for (t, u) in text.iter_mut().zip(units.chunks_exact(2)) {
            *t = u[0];
            wide |= u[1] | (u[0] & 0x80);
        }
        if wide == 0 {
            return copy_escaped(out, &text[..units.len() / 2]);
        }
    }
    let units = &units[..units.len() & !1];
    out.reserve(units.len() / 2 + 2);
    out.push(b'"');
    let mut i = 0;
    let mut ascii = true;
    while let Some(block) = units.get(i..i + 16) {
        let Some(bytes) = ascii_block(block) else {
            ascii = false;
            break;
        };
        match escape_flags(u64::from_le_bytes(bytes)) {
            0 => out.extend_from_slice(&bytes),
            flags => push_block(out, &bytes, flags, 0),
        }
        i += 16;
    }
    // Fewer than eight units left after whole ASCII blocks: the last eight units read
    // again (they overlap those written), and only the new ones written.
    if ascii && i < units.len() && units.len() >= 16 {
        if let Some(bytes) = ascii_block(&units[units.len() - 16..]) {
            let skip = 8 - (units.len() - i) / 2;
            let flags = escape_flags(u64::from_le_bytes(bytes)) & (u64::MAX << (8 * skip));
            push_block(out, &bytes, flags, skip);
            i = units.len();
        }
    }
    // The ASCII units after the blocks one by one, the rest decoded.
    let mut rest = units.get(i..).unwrap_or_default();
    while let [low, 0, after @ ..] = rest {
        if *low >= 0x80 {
            break;
        }
        push_escaped_byte(out, *low);
        rest = after;
    }
    let rest = rest
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]));
    for c in char::decode_utf16(rest) {
        match c.unwrap_or(char::REPLACEMENT_CHARACTER) {
            c if c.is_ascii() => push_escaped_byte(out, c as u8),
            c => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
    out.push(b'"');
}

/// [`quoted_short`] of the text of `units` (UTF-16LE), when they are at most 16, all ASCII,
/// none to escape: the units read in overlapping words (two blocks of eight, or two words
/// of four), which give both the checks and, packed to their low bytes, the copy.
#[inline]
pub(super) fn quoted_short_utf16(units: &[u8]) -> Option<[u8; 18]> {
    // A last odd byte is no unit (as `chunks_exact(2)` reads them).
    let n = units.len() / 2;
    let mut buf = [0u8; 18];
    let (wide, flags) = if n > 16 {
        return None;
    } else if n >= 8 {
        let block = |b: &[u8]| (read_word(&b[..8]), read_word(&b[8..16]));
        let ((a, b), (c, d)) = (block(&units[..16]), block(&units[2 * n - 16..2 * n]));
        let head = u64::from(pack4(a)) | u64::from(pack4(b)) << 32;
        let tail = u64::from(pack4(c)) | u64::from(pack4(d)) << 32;
        buf[1..9].copy_from_slice(&head.to_le_bytes());
        buf[n - 7..n + 1].copy_from_slice(&tail.to_le_bytes());
        (a | b | c | d, escape_flags(head) | escape_flags(tail))
    } else if n >= 4 {
        let (a, b) = (read_word(&units[..8]), read_word(&units[2 * n - 8..2 * n]));
        let (head, tail) = (pack4(a), pack4(b));
        buf[1..5].copy_from_slice(&head.to_le_bytes());
        buf[n - 3..n + 1].copy_from_slice(&tail.to_le_bytes());
        // All eight bytes are the text's (the words overlap, no padding to flag).
        (a | b, escape_flags(u64::from(head) | u64::from(tail) << 32))
    } else {
        let (mut wide, mut flags) = (0, 0);
        for (k, u) in units.chunks_exact(2).enumerate() {
            buf[k + 1] = u[0];
            wide |= u64::from(u[1]) << 8 | u64::from(u[0] & 0x80);
            flags |= u64::from(u[0] < 0x20 || u[0] == b'"' || u[0] == b'\\');
        }
        (wide, flags)
    };
    buf[0] = b'"';
    buf[n + 1] = b'"';
    (wide & 0xFF80_FF80_FF80_FF80 == 0 && flags == 0).then_some(buf)
}

/// The low bytes of eight UTF-16 units (16 bytes), if all are ASCII.
#[inline]
fn ascii_block(block: &[u8]) -> Option<[u8; 8]> {
    let (a, b) = (read_word(&block[..8]), read_word(&block[8..16]));
    ((a | b) & 0xFF80_FF80_FF80_FF80 == 0)
        .then(|| (u64::from(pack4(a)) | u64::from(pack4(b)) << 32).to_le_bytes())
}

/// Appends `bytes[from..]` escaped: `flags` has the high bit of each byte to escape at or
/// past `from` and none before (past the first, a flag may be false: the escaper writes
/// such a byte as it is); the runs between are copied whole.
fn push_block(out: &mut Vec<u8>, bytes: &[u8; 8], mut flags: u64, from: usize) {
    let mut run = from;
    while flags != 0 {
        let at = (flags.trailing_zeros() / 8) as usize;
        if at > run {
            out.extend_from_slice(bytes.get(run..at).unwrap_or_default());
        }
        // The usual escapes (paths, lists of lines) here, the rest by the escaper.
        match bytes[at] {
            b @ (b'"' | b'\\') => out.extend_from_slice(&[b'\\', b]),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b => push_escaped_byte(out, b),
        }
        run = at + 1;
        flags &= flags - 1;
    }
    out.extend_from_slice(bytes.get(run..).unwrap_or_default());
}

/// The low bytes of four UTF-16 units (each below 0x100), as four bytes.
#[inline]
fn pack4(w: u64) -> u32 {
    let x = w & 0x00FF_00FF_00FF_00FF;
    let x = (x | (x >> 8)) & 0x0000_FFFF_0000_FFFF;
    ((x | (x >> 16)) & 0xFFFF_FFFF) as u32
}
