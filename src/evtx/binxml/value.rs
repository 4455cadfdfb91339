//! BinXml value decoding (value tokens and substitution value types): the bytes of one substitution
//! value or inline Value token into a [`Value`] of the event model.
//!
//! Owns the byte layout of every value type and of arrays (type | 0x80). Nested BinXml (0x21)
//! is not decoded here: the caller recognises it before calling [`decode_sized`]. Also owns
//! the shortcut renderers take for a String value: [`push_utf16_escaped`], the value's text
//! XML-escaped straight into the output (an ASCII run that needs no escape converted eight
//! units a word), property-tested equal to decoding then escaping.
//!
//! Invariants:
//! - No panics: every read is bounds-checked (`get`, `chunks_exact`), and no size field sizes
//!   an allocation beyond the bytes actually present.
//! - Strings are UTF-16LE with trailing NULs trimmed (unpaired surrogates become U+FFFD);
//!   ANSI strings are read as Windows-1252.
//! - A value that does not fit its type is an `Err(String)` naming the problem; the caller
//!   turns it into `FileCorrupt` at the value's file offset.

use std::sync::Arc;

use crate::event::{Array, FileTime, Guid, Sid, SystemTime, Value, VariantType};

/// The BinXml type code of a nested BinXml fragment.
pub(super) const BINXML_TYPE: u8 = 0x21;

/// UTF-16LE `bytes` with trailing NULs removed, as a String value's text, into `out`
/// (cleared first; its allocation is reused).
pub(super) fn utf16_trimmed_into(bytes: &[u8], out: &mut String) {
    utf16_into(without_trailing_nuls(bytes), out);
}

/// [`utf16`] into `out` (cleared first; its allocation is reused).
fn utf16_into(body: &[u8], out: &mut String) {
    out.clear();
    if is_ascii_utf16(body) {
        let mut ascii = std::mem::take(out).into_bytes();
        ascii.extend(body.chunks_exact(2).map(|c| c[0]));
        // Every byte is below 0x80: valid UTF-8, so this cannot fail.
        *out = String::from_utf8(ascii).unwrap_or_default();
    } else {
        decode_utf16_into(body, out);
    }
}

/// As [`utf16_trimmed_into`], appended to `out` as UTF-8 (the bytes appended are valid
/// UTF-8 on their own).
pub(super) fn utf16_trimmed_append(bytes: &[u8], out: &mut Vec<u8>) {
    let body = without_trailing_nuls(bytes);
    if is_ascii_utf16(body) {
        // A plain loop over the low bytes, which the compiler vectorizes.
        out.extend(body.chunks_exact(2).map(|c| c[0]));
    } else {
        for c in decode_utf16_lossy(body) {
            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
        }
    }
}

/// UTF-16LE `bytes` with trailing NULs removed, XML-escaped as
/// [`push_escaped`](crate::event::xml::push_escaped) escapes the String value's text,
/// appended to `out`: the ASCII run that needs no escape (almost every string, whole) is
/// converted eight units at a time straight into `out`; the rest goes through `text`
/// (scratch) and the escaper.
pub(super) fn push_utf16_escaped(bytes: &[u8], out: &mut String, text: &mut String) {
    let body = without_trailing_nuls(bytes);
    let done = ascii_prefix(body, |piece| push_ascii(out, piece));
    if done < body.len() {
        // The prefix is whole ASCII units: decoding and escaping the rest alone equals
        // doing the whole (both work character by character).
        utf16_trimmed_into(&body[done..], text);
        crate::event::xml::push_escaped(out, text);
    }
}

/// The items of a UTF-16 string array (type 0x81) packed in `bytes`, split as
/// [`decode_sized`] splits them (the whole decoded, one trailing NUL dropped, then split at
/// every NUL; none for an empty array), decoded through `text` (scratch): one pass, no
/// `String` an item.
pub(super) fn string_array_items<'t>(
    bytes: &[u8],
    text: &'t mut String,
) -> impl Iterator<Item = &'t str> {
    utf16_into(bytes, text);
    let body = text.strip_suffix('\0').unwrap_or(text);
    (!body.is_empty())
        .then(|| body.split('\0'))
        .into_iter()
        .flatten()
}

/// Appends `piece`, ASCII bytes, to `out`: up to eight a byte at a time (cheaper than a
/// check and a copy for the short strings most values are), more through the UTF-8 check
/// (it cannot fail, and is one quick pass over whole words).
#[inline]
fn push_ascii(out: &mut String, piece: &[u8]) {
    if piece.len() <= 8 {
        out.reserve(8);
        // The mask changes no ASCII byte; it tells the compiler each is one UTF-8 byte.
        for &b in piece {
            out.push(char::from(b & 0x7F));
        }
        return;
    }
    out.push_str(std::str::from_utf8(piece).unwrap_or_default());
}

fn decode_utf16_lossy(bytes: &[u8]) -> impl Iterator<Item = char> + '_ {
    let units = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]));
    char::decode_utf16(units).map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
}

/// [`decode_utf16_lossy`] appended to `out`: runs of ASCII units copied as bytes (most of
/// a string with an accent or two in it), the stretches between decoded. Splitting before
/// ASCII units changes nothing: an ASCII unit is never half of a surrogate pair.
fn decode_utf16_into(bytes: &[u8], out: &mut String) {
    out.reserve(bytes.len() / 2);
    let mut buf = [0u8; 64];
    let mut i = 0;
    loop {
        let mut n = 0;
        while let Some(&[low @ 0..=0x7F, 0]) = bytes.get(i..i + 2) {
            if n == buf.len() {
                push_ascii(out, &buf);
                n = 0;
            }
            buf[n] = low;
            n += 1;
            i += 2;
        }
        push_ascii(out, &buf[..n]);
        let start = i;
        while let Some(&[low, high]) = bytes.get(i..i + 2) {
            if high == 0 && low < 0x80 {
                break;
            }
            i += 2;
        }
        if i == start {
            return;
        }
        out.extend(decode_utf16_lossy(bytes.get(start..i).unwrap_or_default()));
    }
}

/// The leading ASCII units of UTF-16LE `units`, up to the first that XML escaping would
/// change (or a TAB), handed to `sink` as bytes, in pieces of up to 64;
/// returns how many bytes of `units` they took. Eight units at a time: both their words
/// tested for a high byte or a unit past 0x7F at once, then packed to eight bytes, which
/// the escaper's word test checks; the last units one by one.
#[inline]
fn ascii_prefix(units: &[u8], mut sink: impl FnMut(&[u8])) -> usize {
    const NOT_ASCII: u64 = 0xFF80_FF80_FF80_FF80;
    let mut buf = [0u8; 64];
    let mut n = 0;
    let mut i = 0;
    while let Some(block) = units.get(i..i + 16) {
        let (lo, hi) = (read_u64(&block[..8]), read_u64(&block[8..]));
        if (lo | hi) & NOT_ASCII != 0 {
            break;
        }
        let word = u64::from(pack4(lo)) | u64::from(pack4(hi)) << 32;
        if crate::event::xml::word_needs_escape(word) {
            break;
        }
        if n == buf.len() {
            sink(&buf);
            n = 0;
        }
        buf[n..n + 8].copy_from_slice(&word.to_le_bytes());
        n += 8;
        i += 16;
    }
    // At most seven units left here unless a block stopped above; either way one by one,
    // each looked up in the escaper's table (a TAB stops the run, as in a block).
    while let Some(&[low, 0]) = units.get(i..i + 2) {
        if low >= 0x80 || low == b'\t' || crate::event::xml::needs_escape(low) {
            break;
        }
        if n == buf.len() {
            sink(&buf);
            n = 0;
        }
        buf[n] = low;
        n += 1;
        i += 2;
    }
    if n > 0 {
        sink(&buf[..n]);
    }
    i
}

/// Four UTF-16LE units, each below 0x100, as the little-endian word of their low bytes.
#[inline]
fn pack4(w: u64) -> u32 {
    // a | b<<16 | c<<32 | d<<48  ->  a | b<<8 | c<<32 | d<<40  ->  a | b<<8 | c<<16 | d<<24
    let x = (w | (w >> 8)) & 0x0000_FFFF_0000_FFFF;
    ((x | (x >> 16)) & 0xFFFF_FFFF) as u32
}

#[inline]
fn read_u64(b: &[u8]) -> u64 {
    let mut word = [0u8; 8];
    word.copy_from_slice(&b[..8]);
    u64::from_le_bytes(word)
}

/// UTF-16LE `bytes` (an odd trailing byte is ignored) as a string.
pub(super) fn utf16(bytes: &[u8]) -> String {
    if is_ascii_utf16(bytes) {
        // ASCII, the usual case: one exact allocation. Every byte is below 0x80, so this
        // is valid UTF-8 and cannot fail.
        String::from_utf8(bytes.chunks_exact(2).map(|c| c[0]).collect()).unwrap_or_default()
    } else {
        let mut s = String::new();
        decode_utf16_into(bytes, &mut s);
        s
    }
}

/// [`utf16`] appended to `out`, without a `String` of its own.
pub(super) fn utf16_append(bytes: &[u8], out: &mut String) {
    decode_utf16_into(bytes, out);
}

/// [`utf16`] as a shared string, decoded through `scratch` (its allocation reused): one
/// allocation, where a `String` made into an `Arc<str>` is two.
pub(super) fn utf16_shared(bytes: &[u8], scratch: &mut String) -> Arc<str> {
    // A short ASCII text, the usual name: its low bytes on the stack, copied once.
    let mut ascii = [0u8; 64];
    if bytes.len() <= 2 * ascii.len() && is_ascii_utf16(bytes) {
        let n = bytes.len() / 2;
        for (b, unit) in ascii.iter_mut().zip(bytes.chunks_exact(2)) {
            *b = unit[0];
        }
        // Every byte is below 0x80: valid UTF-8, so this cannot fail.
        return Arc::from(std::str::from_utf8(&ascii[..n]).unwrap_or_default());
    }
    scratch.clear();
    decode_utf16_into(bytes, scratch);
    Arc::from(scratch.as_str())
}

/// True if every whole UTF-16LE unit of `bytes` is ASCII; four units at a time.
fn is_ascii_utf16(bytes: &[u8]) -> bool {
    let mut words = bytes.chunks_exact(8);
    words
        .by_ref()
        .all(|w| read_u64(w) & 0xFF80_FF80_FF80_FF80 == 0)
        && words
            .remainder()
            .chunks_exact(2)
            .all(|c| c[1] == 0 && c[0] < 0x80)
}

/// `bytes` up to its last whole UTF-16 unit that is not NUL. Trimming units before decoding
/// equals trimming NUL characters after: a NUL unit decodes to NUL on its own.
#[inline]
pub(super) fn without_trailing_nuls(bytes: &[u8]) -> &[u8] {
    let mut end = bytes.len() & !1;
    while end >= 2 && bytes[end - 2] == 0 && bytes[end - 1] == 0 {
        end -= 2;
    }
    &bytes[..end]
}

/// The plain decoder, which the block-wise conversion is tested against.
#[cfg(test)]
fn utf16_general(bytes: &[u8]) -> String {
    let units = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]));
    char::decode_utf16(units)
        .map(|r| r.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// A UTF-16 string value with its trailing NULs removed.
fn utf16_trimmed(bytes: &[u8]) -> String {
    utf16(without_trailing_nuls(bytes))
}

/// Windows-1252 decoding of `bytes`, trailing NULs removed.
fn ansi(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    bytes
        .get(..end)
        .unwrap_or_default()
        .iter()
        .map(|&b| match b {
            0x80..=0x9f => HIGH.get(usize::from(b - 0x80)).copied().unwrap_or('?'),
            _ => char::from(b),
        })
        .collect()
}

fn fixed<const N: usize>(bytes: &[u8], what: &str) -> Result<[u8; N], String> {
    bytes
        .get(..N)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| format!("{what} value: need {N} bytes, have {}", bytes.len()))
}

/// The size of one element of a fixed-size scalar type, if the type is one.
pub(super) fn fixed_size(ty: u8) -> Option<usize> {
    Some(match ty {
        0x03 | 0x04 => 1,
        0x05 | 0x06 => 2,
        0x07 | 0x08 | 0x0B | 0x0D | 0x14 => 4,
        0x09 | 0x0A | 0x0C | 0x11 | 0x15 => 8,
        0x0F | 0x12 => 16,
        _ => return None,
    })
}

/// A fixed-size scalar of type `ty` from the start of `bytes`.
#[inline]
fn scalar(ty: u8, b: &[u8]) -> Result<Value, String> {
    Ok(match ty {
        0x03 => Value::SByte(i8::from_le_bytes(fixed(b, "Int8")?)),
        0x04 => Value::Byte(u8::from_le_bytes(fixed(b, "UInt8")?)),
        0x05 => Value::Int16(i16::from_le_bytes(fixed(b, "Int16")?)),
        0x06 => Value::UInt16(u16::from_le_bytes(fixed(b, "UInt16")?)),
        0x07 => Value::Int32(i32::from_le_bytes(fixed(b, "Int32")?)),
        0x08 => Value::UInt32(u32::from_le_bytes(fixed(b, "UInt32")?)),
        0x09 => Value::Int64(i64::from_le_bytes(fixed(b, "Int64")?)),
        0x0A => Value::UInt64(u64::from_le_bytes(fixed(b, "UInt64")?)),
        0x0B => Value::Single(f32::from_le_bytes(fixed(b, "Real32")?)),
        0x0C => Value::Double(f64::from_le_bytes(fixed(b, "Real64")?)),
        0x0D => Value::Boolean(i32::from_le_bytes(fixed(b, "Bool")?) != 0),
        0x0F => Value::Guid(Guid::from_bytes_le(fixed(b, "GUID")?)),
        0x11 => Value::FileTime(FileTime(u64::from_le_bytes(fixed(b, "FILETIME")?))),
        0x12 => {
            let raw: [u8; 16] = fixed(b, "SYSTEMTIME")?;
            let f = |i: usize| u16::from_le_bytes([raw[2 * i], raw[2 * i + 1]]);
            Value::SysTime(SystemTime {
                year: f(0),
                month: f(1),
                day_of_week: f(2),
                day: f(3),
                hour: f(4),
                minute: f(5),
                second: f(6),
                milliseconds: f(7),
            })
        }
        0x14 => Value::HexInt32(u32::from_le_bytes(fixed(b, "HexInt32")?)),
        0x15 => Value::HexInt64(u64::from_le_bytes(fixed(b, "HexInt64")?)),
        _ => return Err(format!("value type {ty:#04x} is not a fixed-size scalar")),
    })
}

/// The model's element type for a BinXml scalar type code.
fn variant(ty: u8) -> Option<VariantType> {
    VariantType::from_raw(u32::from(ty))
}

/// Whether a SID value starts `b` (`sid(b)` succeeds), without building it.
pub(super) fn sid_fits(b: &[u8]) -> bool {
    // `Sid::from_bytes`'s conditions.
    b.get(1).is_some_and(|&count| {
        let count = usize::from(count);
        count <= Sid::MAX_SUB_AUTHORITIES && b.len() >= 8 + 4 * count
    })
}

/// A SID at the start of `b`, and its length.
fn sid(b: &[u8]) -> Result<(Sid, usize), String> {
    let count = usize::from(*b.get(1).ok_or("SID value: need 8 bytes")?);
    let len = 8 + 4 * count;
    let sid = Sid::from_bytes(b).ok_or_else(|| {
        format!(
            "SID value: need {len} bytes for {count} sub-authorities, have {}",
            b.len()
        )
    })?;
    Ok((sid, len))
}

/// Decodes a value of type `ty` sized by its descriptor (`bytes` is exactly the value).
/// `spill` is `bytes` followed by whatever the chunk holds after it, for the one case where
/// Windows writes a value longer than its size (a SID whose size is short).
#[inline]
pub(super) fn decode_sized(ty: u8, bytes: &[u8], spill: &[u8]) -> Result<Value, String> {
    if ty & 0x80 != 0 {
        return array(ty & 0x7f, bytes);
    }
    Ok(match ty {
        0x00 => Value::Null,
        0x01 => Value::String(utf16_trimmed(bytes).into()),
        0x02 => Value::AnsiString(ansi(bytes).into()),
        0x0E => Value::Binary(bytes.to_vec()),
        0x10 => match bytes.len() {
            4 => Value::SizeT(u32::from_le_bytes(fixed(bytes, "SizeT")?).into()),
            8 => Value::SizeT(u64::from_le_bytes(fixed(bytes, "SizeT")?)),
            n => return Err(format!("SizeT value of {n} bytes (4 or 8 expected)")),
        },
        0x13 => match sid(bytes) {
            Ok((s, _)) => Value::Sid(s),
            Err(_) => Value::Sid(sid(spill)?.0),
        },
        _ => scalar(ty, bytes)?,
    })
}

/// An array of element type `ty` packed in `bytes`.
fn array(ty: u8, bytes: &[u8]) -> Result<Value, String> {
    let element_type = variant(ty).ok_or_else(|| format!("array of unknown type {ty:#04x}"))?;
    let mut items = Vec::new();
    match ty {
        0x01 => {
            let s = utf16(bytes);
            let s = s.strip_suffix('\0').unwrap_or(&s);
            if !s.is_empty() {
                items.extend(s.split('\0').map(|p| Value::String(p.to_owned().into())));
            }
        }
        0x02 => {
            let b = bytes.strip_suffix(&[0]).unwrap_or(bytes);
            if !b.is_empty() {
                items.extend(
                    b.split(|&c| c == 0)
                        .map(|p| Value::AnsiString(ansi(p).into())),
                );
            }
        }
        0x13 => {
            let mut rest = bytes;
            while !rest.is_empty() {
                let (s, len) = sid(rest)?;
                items.push(Value::Sid(s));
                rest = rest.get(len..).unwrap_or_default();
            }
        }
        0x10 => {
            for c in bytes.chunks_exact(8) {
                items.push(Value::SizeT(u64::from_le_bytes(fixed(c, "SizeT")?)));
            }
        }
        _ => {
            let size = fixed_size(ty).ok_or_else(|| format!("array of type {ty:#04x}"))?;
            if !bytes.len().is_multiple_of(size) {
                return Err(format!(
                    "array of type {ty:#04x}: {} bytes is not a multiple of {size}",
                    bytes.len()
                ));
            }
            for c in bytes.chunks_exact(size) {
                items.push(scalar(ty, c)?);
            }
        }
    }
    Array::new(element_type, items)
        .map(Value::Array)
        .ok_or_else(|| format!("array of type {ty:#04x} has mixed items"))
}

/// The byte length of an inline Value token's data of type `ty` at the start of `b`, for the
/// types that may stand inline (string with a u16 count prefix, fixed-size scalars, SID,
/// and BinXml with a u16 length prefix). The returned range is the value's own bytes.
pub(super) fn inline_extent(ty: u8, b: &[u8]) -> Result<(usize, usize), String> {
    let prefix = |unit: usize| -> Result<(usize, usize), String> {
        let n: [u8; 2] = fixed(b, "inline value length")?;
        Ok((2, usize::from(u16::from_le_bytes(n)) * unit))
    };
    match ty {
        0x01 => prefix(2),
        BINXML_TYPE => prefix(1),
        0x00 => Ok((0, 0)),
        0x13 => sid(b).map(|(_, len)| (0, len)),
        _ => fixed_size(ty)
            .map(|n| (0, n))
            .ok_or_else(|| format!("value type {ty:#04x} cannot stand inline")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_arrays() {
        let b: Vec<u8> = "ab\0\0"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert_eq!(decode_sized(1, &b, &b), Ok(Value::String("ab".into())));
        let arr: Vec<u8> = "x\0yz\0"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        let v = decode_sized(0x81, &arr, &arr).unwrap();
        let Value::Array(a) = v else { panic!() };
        assert_eq!(a.items().len(), 2);
        assert_eq!(decode_sized(0x88, &[1, 0, 0, 0, 2], &[]).ok(), None);
        assert_eq!(ansi(&[0x41, 0x80, 0]), "A€");
    }

    #[test]
    fn utf16_ascii_and_general_agree() {
        let cases = [
            "",
            "a",
            "abc",
            "abcd",
            "abcdefghi",
            "Ünïcödé and ASCII",
            "x\u{1F600}y",
            "tab\there",
            "a run of ASCII longer than the 64 bytes a buffer holds, then an accent: é, \
             then another run as long as that one, and the end",
            "Afficher la forêt entière : 'False', Portée par défaut : « ave.local », \
             Configuration du contrôleur de domaine : « DC.ave.local » \u{1F600}\u{1F600}!",
        ];
        let mut scratch = String::from("left over");
        for text in cases {
            let b: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
            assert_eq!(utf16(&b), text);
            assert_eq!(utf16_general(&b), text);
            assert_eq!(&*utf16_shared(&b, &mut scratch), text);
        }
        // An unpaired surrogate and an odd trailing byte.
        assert_eq!(utf16(&[0x41, 0, 0x00, 0xD8, 0x42]), "A\u{FFFD}");
    }

    #[test]
    fn utf16_trimmed_equals_decoding_then_trimming_nul_characters() {
        // Naive oracle: the general decoder, then trailing NUL characters removed.
        let oracle = |b: &[u8]| utf16_general(b).trim_end_matches('\0').to_owned();
        let units = [
            0x0000u16, 0x0041, 0x007F, 0x0080, 0x00E9, 0xD800, 0xDC00, 0xD83D, 0xDE00,
        ];
        let mut seed = 0x2545_F491_4F6C_DD1Du64;
        for _ in 0..4000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 12) as usize;
            let mut b: Vec<u8> = (0..len)
                .flat_map(|i| units[((seed >> (i * 4)) % 9) as usize].to_le_bytes())
                .collect();
            if seed & 1 == 1 {
                b.push(0x41); // an odd trailing byte
            }
            assert_eq!(utf16_trimmed(&b), oracle(&b), "{b:?}");
            let mut out = String::from("left over");
            utf16_trimmed_into(&b, &mut out);
            assert_eq!(out, oracle(&b), "{b:?}");
            assert_eq!(&*utf16_shared(&b, &mut out), utf16_general(&b), "{b:?}");
        }
    }

    #[test]
    fn utf16_trimmed_into_equals_the_string_value() {
        let mut out = String::from("left over");
        for text in [
            "",
            "abc\0\0",
            "abcdefgh",
            "Ünïcödé\0",
            "x\u{1F600}y",
            "1234567\0",
        ] {
            let b: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
            utf16_trimmed_into(&b, &mut out);
            assert_eq!(
                Value::String(out.clone().into()),
                decode_sized(1, &b, &b).unwrap()
            );
        }
    }

    /// UTF-16LE of units drawn mostly from ASCII (long runs, so the eight-unit blocks
    /// are taken), with what stops them: the five escaped characters, controls, TAB, NUL,
    /// non-ASCII, surrogates (paired or not), and an odd trailing byte.
    fn units() -> impl proptest::strategy::Strategy<Value = Vec<u8>> {
        use proptest::prelude::*;
        let unit = prop_oneof![
            8 => 0x20u16..0x7F,
            1 => prop::sample::select(vec![
                0u16, 0x09, 0x0A, 0x0D, 0x01, 0x1F, 0x26, 0x3C, 0x3E, 0x22, 0x27, 0x7F,
                0x80, 0xE9, 0x100, 0x3C00, 0xD83D, 0xDE00, 0xD800, 0xDC00, 0xFFFF,
            ]),
        ];
        (prop::collection::vec(unit, 0..80), any::<bool>()).prop_map(|(units, odd)| {
            let mut b: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
            if odd {
                b.push(0x41);
            }
            b
        })
    }

    /// A string array's items written one by one from their units equal its decoded
    /// items written as values (`write_items`' old way); `None` both ways for no item.
    fn array_items_both_ways(b: &[u8]) -> (Vec<String>, Vec<String>) {
        let mut text = String::from("left over");
        let fast: Vec<String> = string_array_items(b, &mut text)
            .map(|item| {
                let mut out = String::new();
                crate::event::xml::push_escaped(&mut out, item);
                out
            })
            .collect();
        let Ok(Value::Array(array)) = decode_sized(0x81, b, b) else {
            panic!("a string array always decodes");
        };
        let old: Vec<String> = array
            .items()
            .iter()
            .map(|v| {
                let mut out = String::new();
                crate::event::xml::write_value(&mut out, v);
                out
            })
            .collect();
        (fast, old)
    }

    #[test]
    fn string_array_items_are_the_decoded_items() {
        let cases: [(&[u16], bool, &[&str]); 10] = [
            (&[], false, &[]),
            (&[], true, &[]),
            (&[0], false, &[]),
            (&[0, 0], false, &["", ""]),
            (&[0x61], false, &["a"]),
            (&[0x61, 0], false, &["a"]),
            (&[0x61, 0, 0], false, &["a", ""]),
            (&[0, 0x61, 0], true, &["", "a"]),
            (&[0x61, 0, 0x3C, 0x62, 0], false, &["a", "&lt;b"]),
            (
                &[0xD83D, 0, 0xD83D, 0xDE00],
                false,
                &["\u{FFFD}", "\u{1F600}"],
            ),
        ];
        for (units, odd, want) in cases {
            let mut b: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
            if odd {
                b.push(0x41);
            }
            let (fast, old) = array_items_both_ways(&b);
            assert_eq!(fast, want, "{units:?} {odd}");
            assert_eq!(fast, old, "{units:?} {odd}");
        }
    }

    proptest::proptest! {
        #[test]
        fn push_utf16_escaped_is_decoding_then_escaping(b in units()) {
            let mut plain = String::from("<x>");
            crate::event::xml::push_escaped(&mut plain, &utf16_general(without_trailing_nuls(&b)));
            let mut fast = String::from("<x>");
            let mut text = String::from("left over");
            push_utf16_escaped(&b, &mut fast, &mut text);
            proptest::prop_assert_eq!(fast, plain);
        }

        #[test]
        fn string_array_items_written_equal_the_decoded_items(b in units()) {
            let (fast, old) = array_items_both_ways(&b);
            proptest::prop_assert_eq!(fast, old);
        }

        #[test]
        fn block_conversions_are_the_plain_decoder(b in units()) {
            let oracle = utf16_general(&b);
            proptest::prop_assert_eq!(utf16(&b), oracle.clone());
            let trimmed = oracle.trim_end_matches('\0');
            let mut into = String::from("left over");
            utf16_trimmed_into(&b, &mut into);
            proptest::prop_assert_eq!(into.as_str(), trimmed);
            let mut append = b"left over".to_vec();
            utf16_trimmed_append(&b, &mut append);
            proptest::prop_assert_eq!(&append[9..], trimmed.as_bytes());
        }
    }

    /// Every unit that stops an ASCII run (the escaped five, controls, TAB, NUL, DEL, units
    /// past ASCII, surrogates paired or not) at every position of strings of 0 to 40 units
    /// (so in a block, in the one-by-one tail, and in pieces on both sides of the eight
    /// bytes `push_ascii` copies one by one), with and without trailing NULs and an odd
    /// byte: the text decoding then escaping gives.
    #[test]
    fn push_utf16_escaped_at_every_position_is_decoding_then_escaping() {
        let stops: [&[u16]; 16] = [
            &[0x26],
            &[0x3C],
            &[0x3E],
            &[0x22],
            &[0x27],
            &[0x0A],
            &[0x0D],
            &[0x01],
            &[0x09],
            &[0x00],
            &[0x7F],
            &[0xE9],
            &[0x100],
            &[0xD83D, 0xDE00],
            &[0xD800],
            &[0xDC00, 0xD800],
        ];
        let mut text = String::from("left over");
        let mut check = |units: &[u16], tail: &[u8]| {
            let mut b: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
            b.extend_from_slice(tail);
            let mut plain = String::from("<x>");
            let decoded = utf16_general(without_trailing_nuls(&b));
            crate::event::xml::push_escaped(&mut plain, &decoded);
            let mut fast = String::from("<x>");
            push_utf16_escaped(&b, &mut fast, &mut text);
            assert_eq!(fast, plain, "{units:x?} then {tail:?}");
        };
        for len in 0..=40usize {
            // Distinct letters, so a unit copied from the wrong place shows.
            let clean: Vec<u16> = (0..len)
                .map(|k| u16::from(b'a') + (k % 26) as u16)
                .collect();
            for tail in [&[][..], &[0, 0], &[0x41], &[0, 0, 0, 0, 0x41]] {
                check(&clean, tail);
                for stop in stops {
                    for at in 0..=len {
                        let mut units = clean.clone();
                        units.splice(at..at, stop.iter().copied());
                        check(&units, tail);
                    }
                }
            }
        }
    }

    #[test]
    fn pack4_takes_each_units_low_byte() {
        let w = u64::from_le_bytes([0x41, 0, 0x7F, 0, 0x20, 0, 0x09, 0]);
        assert_eq!(pack4(w).to_le_bytes(), [0x41, 0x7F, 0x20, 0x09]);
    }

    #[test]
    fn short_values_are_errors() {
        for ty in 3..=0x15u8 {
            let _ = decode_sized(ty, &[1], &[1]);
            let _ = decode_sized(ty | 0x80, &[1, 2, 3], &[]);
        }
        assert!(decode_sized(0x08, &[1, 2], &[]).is_err());
        assert!(decode_sized(0x13, &[1, 5, 0], &[1, 5, 0]).is_err());
    }
}
