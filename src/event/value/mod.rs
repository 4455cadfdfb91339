//! Typed values: every EVT_VARIANT_TYPE, and the Windows scalar types behind them
//! ([`Guid`], [`Sid`], [`FileTime`], [`SystemTime`]).
//!
//! Owns the canonical *text form* of each value, the one Windows writes in rendered event XML
//! (`Value::write_text`); XML escaping is the renderer's job, not this module's.
//!
//! Invariants:
//! - Text forms are deterministic and locale-free: GUIDs lowercase in braces, hex values
//!   `0x` + lowercase digits without padding, FILETIME as UTC with 7 fractional digits and `Z`,
//!   binary as uppercase hex without separators.
//! - Parsing accepts every form the renderer writes, and the other forms seen in real output
//!   (uppercase GUIDs, 0 to 9 fractional digits).

mod digits;
mod guid;
mod sid;
mod text;
mod time;

use std::fmt;

use digits::{hex_digit, parse_dec};
pub use guid::Guid;
pub use sid::{Sid, SidBytes, SidWriter};
#[cfg(test)]
pub(crate) use text::spare_count;
pub use text::Text;
pub use time::{FileTime, FileTimeWriter, SystemTime};

/// EVT_VARIANT_TYPE, with Windows' values (winevt.h's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum VariantType {
    Null = 0,
    String = 1,
    AnsiString = 2,
    SByte = 3,
    Byte = 4,
    Int16 = 5,
    UInt16 = 6,
    Int32 = 7,
    UInt32 = 8,
    Int64 = 9,
    UInt64 = 10,
    Single = 11,
    Double = 12,
    Boolean = 13,
    Binary = 14,
    Guid = 15,
    SizeT = 16,
    FileTime = 17,
    SysTime = 18,
    Sid = 19,
    HexInt32 = 20,
    HexInt64 = 21,
    EvtHandle = 32,
    EvtXml = 35,
}

impl VariantType {
    /// `EVT_VARIANT_TYPE_ARRAY`: or-ed into the type of an array value.
    pub const ARRAY_FLAG: u32 = 0x80;
    /// `EVT_VARIANT_TYPE_MASK`.
    pub const MASK: u32 = 0x7f;

    /// The type for a raw `EVT_VARIANT_TYPE` value (without the array flag).
    pub fn from_raw(raw: u32) -> Option<VariantType> {
        use VariantType::*;
        Some(match raw {
            0 => Null,
            1 => String,
            2 => AnsiString,
            3 => SByte,
            4 => Byte,
            5 => Int16,
            6 => UInt16,
            7 => Int32,
            8 => UInt32,
            9 => Int64,
            10 => UInt64,
            11 => Single,
            12 => Double,
            13 => Boolean,
            14 => Binary,
            15 => Guid,
            16 => SizeT,
            17 => FileTime,
            18 => SysTime,
            19 => Sid,
            20 => HexInt32,
            21 => HexInt64,
            32 => EvtHandle,
            35 => EvtXml,
            _ => return None,
        })
    }
}

/// An array value: elements of one [`VariantType`].
#[derive(Clone, Debug, PartialEq)]
pub struct Array {
    element_type: VariantType,
    items: Vec<Value>,
}

impl Array {
    /// An array of `element_type`; `None` if an item is of another type or is itself an array.
    pub fn new(element_type: VariantType, items: Vec<Value>) -> Option<Array> {
        items
            .iter()
            .all(|v| v.variant_type() == element_type)
            .then_some(Array {
                element_type,
                items,
            })
    }

    /// The type of every element.
    pub fn element_type(&self) -> VariantType {
        self.element_type
    }

    /// The elements.
    pub fn items(&self) -> &[Value] {
        &self.items
    }

    /// The elements, moved out.
    pub fn into_items(self) -> Vec<Value> {
        self.items
    }
}

/// A typed value: one EVT_VARIANT.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    /// Text. The three text variants hold a [`Text`]: short texts inline, no allocation.
    String(Text),
    AnsiString(Text),
    SByte(i8),
    Byte(u8),
    Int16(i16),
    UInt16(u16),
    Int32(i32),
    UInt32(u32),
    Int64(i64),
    UInt64(u64),
    Single(f32),
    Double(f64),
    Boolean(bool),
    Binary(Vec<u8>),
    Guid(Guid),
    SizeT(u64),
    FileTime(FileTime),
    SysTime(SystemTime),
    Sid(Sid),
    HexInt32(u32),
    HexInt64(u64),
    /// A rendered XML fragment (`EvtVarTypeEvtXml`), written unescaped.
    Xml(Text),
    Array(Array),
}

impl Value {
    /// The EVT_VARIANT_TYPE of this value (for an array, the element type; see
    /// [`Value::is_array`]).
    pub fn variant_type(&self) -> VariantType {
        match self {
            Value::Null => VariantType::Null,
            Value::String(_) => VariantType::String,
            Value::AnsiString(_) => VariantType::AnsiString,
            Value::SByte(_) => VariantType::SByte,
            Value::Byte(_) => VariantType::Byte,
            Value::Int16(_) => VariantType::Int16,
            Value::UInt16(_) => VariantType::UInt16,
            Value::Int32(_) => VariantType::Int32,
            Value::UInt32(_) => VariantType::UInt32,
            Value::Int64(_) => VariantType::Int64,
            Value::UInt64(_) => VariantType::UInt64,
            Value::Single(_) => VariantType::Single,
            Value::Double(_) => VariantType::Double,
            Value::Boolean(_) => VariantType::Boolean,
            Value::Binary(_) => VariantType::Binary,
            Value::Guid(_) => VariantType::Guid,
            Value::SizeT(_) => VariantType::SizeT,
            Value::FileTime(_) => VariantType::FileTime,
            Value::SysTime(_) => VariantType::SysTime,
            Value::Sid(_) => VariantType::Sid,
            Value::HexInt32(_) => VariantType::HexInt32,
            Value::HexInt64(_) => VariantType::HexInt64,
            Value::Xml(_) => VariantType::EvtXml,
            Value::Array(a) => a.element_type,
        }
    }

    /// True for array values (`EVT_VARIANT_TYPE_ARRAY` set).
    pub fn is_array(&self) -> bool {
        matches!(self, Value::Array(_))
    }

    /// The raw EVT_VARIANT `Type` field, with the array flag where it applies.
    pub fn raw_type(&self) -> u32 {
        let base = self.variant_type() as u32;
        if self.is_array() {
            base | VariantType::ARRAY_FLAG
        } else {
            base
        }
    }

    /// The string, for the two string types.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) | Value::AnsiString(s) => Some(s),
            _ => None,
        }
    }

    /// The value as an unsigned integer where it is one (negative signed values give `None`).
    pub fn as_u64(&self) -> Option<u64> {
        match *self {
            Value::Byte(v) => Some(v.into()),
            Value::UInt16(v) => Some(v.into()),
            Value::UInt32(v) | Value::HexInt32(v) => Some(v.into()),
            Value::UInt64(v) | Value::HexInt64(v) | Value::SizeT(v) => Some(v),
            Value::SByte(v) => u64::try_from(v).ok(),
            Value::Int16(v) => u64::try_from(v).ok(),
            Value::Int32(v) => u64::try_from(v).ok(),
            Value::Int64(v) => u64::try_from(v).ok(),
            Value::Boolean(b) => Some(b.into()),
            Value::FileTime(t) => Some(t.0),
            _ => None,
        }
    }

    /// True if the text form is empty (Null, an empty string, empty binary, empty array).
    pub fn is_empty_text(&self) -> bool {
        match self {
            Value::Null => true,
            Value::String(s) | Value::AnsiString(s) | Value::Xml(s) => s.is_empty(),
            Value::Binary(b) => b.is_empty(),
            Value::Array(a) => a.items.is_empty(),
            _ => false,
        }
    }

    /// Appends the text form Windows writes for this value, unescaped. Array elements are
    /// joined with `,` (see README, fidelity table).
    pub fn write_text(&self, out: &mut String) {
        let mut buf = itoa::Buffer::new();
        match self {
            Value::Null => {}
            Value::String(s) | Value::AnsiString(s) | Value::Xml(s) => out.push_str(s),
            Value::SByte(v) => out.push_str(buf.format(*v)),
            Value::Byte(v) => out.push_str(buf.format(*v)),
            Value::Int16(v) => out.push_str(buf.format(*v)),
            Value::UInt16(v) => out.push_str(buf.format(*v)),
            Value::Int32(v) => out.push_str(buf.format(*v)),
            Value::UInt32(v) => out.push_str(buf.format(*v)),
            Value::Int64(v) => out.push_str(buf.format(*v)),
            Value::UInt64(v) => out.push_str(buf.format(*v)),
            Value::Single(v) => push_display(out, v),
            Value::Double(v) => push_display(out, v),
            Value::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Binary(bytes) => write_hex_upper(out, bytes),
            Value::Guid(g) => g.write_to(out),
            Value::SizeT(v) | Value::HexInt64(v) => write_hex_lower(out, *v),
            Value::HexInt32(v) => write_hex_lower(out, u64::from(*v)),
            Value::FileTime(t) => t.write_to(out),
            Value::SysTime(t) => t.write_to(out),
            Value::Sid(s) => s.write_to(out),
            Value::Array(a) => {
                for (i, item) in a.items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_text(out);
                }
            }
        }
    }

    /// Appends [`write_text`](Self::write_text)'s bytes for a value whose text is
    /// punctuation, digits and letters only, never escaped in XML or JSON: a GUID, a hex
    /// integer (`HexInt32`, `HexInt64`, `SizeT`), a FILETIME or a SID. For writers of byte
    /// buffers: no UTF-8 check, no text to copy again. False, and nothing written, for any
    /// other type.
    pub fn write_ascii_text(&self, out: &mut Vec<u8>) -> bool {
        match self {
            Value::Guid(g) => g.write_ascii(out),
            Value::SizeT(v) | Value::HexInt64(v) => push_hex_lower(out, *v),
            Value::HexInt32(v) => push_hex_lower(out, u64::from(*v)),
            Value::FileTime(t) => t.write_ascii(out),
            Value::Sid(s) => s.write_ascii(out),
            _ => return false,
        }
        true
    }

    /// The text form as a new string.
    pub fn to_text(&self) -> String {
        let mut s = String::new();
        self.write_text(&mut s);
        s
    }
}

fn push_display(out: &mut String, v: &dyn fmt::Display) {
    use std::fmt::Write;
    let _ = write!(out, "{v}");
}

/// Appends `0x` and the lowercase hex digits of `v`, without padding: the top byte's one or
/// two digits, then two per byte, each a slice of the pair table (no buffer to validate).
/// [`push_hex_lower`] writes the same bytes into a byte buffer.
pub(crate) fn write_hex_lower(out: &mut String, v: u64) {
    let bytes = v.to_be_bytes();
    let top = (v.leading_zeros() / 8).min(7) as usize;
    out.push_str("0x");
    let first = digits::hex_pair_str(bytes[top]);
    out.push_str(if bytes[top] < 0x10 {
        &first[1..]
    } else {
        first
    });
    for &byte in &bytes[top + 1..] {
        out.push_str(digits::hex_pair_str(byte));
    }
}

/// Appends `0x` and the lowercase hex digits of `v`, without padding: a hex value's text
/// ([`Value::write_ascii_text`]'s). The sixteen digits are made at once, a nibble to a byte
/// of a `u128`, the leading zeros shifted out, and written as one fixed-size piece then cut
/// to length (no copy of a variable length, no table).
#[inline]
pub(crate) fn push_hex_lower(out: &mut Vec<u8>, v: u64) {
    const ONES: u128 = u128::MAX / 0xFF;
    // Each nibble of `v` to the low half of its own byte, the top nibble the top byte.
    let mut x = u128::from(v);
    x = (x | x << 32) & 0x0000_0000_FFFF_FFFF_0000_0000_FFFF_FFFF;
    x = (x | x << 16) & 0x0000_FFFF_0000_FFFF_0000_FFFF_0000_FFFF;
    x = (x | x << 8) & 0x00FF_00FF_00FF_00FF_00FF_00FF_00FF_00FF;
    x = (x | x << 4) & (ONES * 0x0F);
    // '0' + d, and 'a' - '0' - 10 more where d > 9 (d + 0x76 reaches 0x80).
    let letters = ((x + ONES * 0x76) & (ONES * 0x80)) >> 7;
    let ascii = x + ONES * u128::from(b'0') + letters * 0x27;
    let digits = (16 - v.leading_zeros() / 4).max(1);
    let mut text = [0u8; 18];
    text[..2].copy_from_slice(b"0x");
    text[2..].copy_from_slice(&(ascii << (8 * (16 - digits))).to_be_bytes());
    let at = out.len();
    out.extend_from_slice(&text);
    out.truncate(at + 2 + digits as usize);
}

/// Appends `bytes` as uppercase hex without separators.
pub(crate) fn write_hex_upper(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.reserve(bytes.len() * 2);
    let mut text = [0u8; 64];
    for block in bytes.chunks(32) {
        for (pair, &b) in text.chunks_exact_mut(2).zip(block) {
            pair[0] = HEX[usize::from(b >> 4)];
            pair[1] = HEX[usize::from(b & 15)];
        }
        digits::push_ascii(out, &text[..2 * block.len()]);
    }
}

/// Parses hex digits (no prefix, any case, even count) into bytes.
pub(crate) fn parse_hex_bytes(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    b.chunks_exact(2)
        .map(|p| Some(hex_digit(p[0])? << 4 | hex_digit(p[1])?))
        .collect()
}

/// Parses `0x`-prefixed hex (any case) or decimal into a u64.
pub(crate) fn parse_u64_auto(s: &str) -> Option<u64> {
    let s = s.trim();
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) if !hex.is_empty() && hex.len() <= 16 => u64::from_str_radix(hex, 16).ok(),
        Some(_) => None,
        None => parse_dec(s),
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.into())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s.into())
    }
}

impl From<Text> for Value {
    fn from(s: Text) -> Value {
        Value::String(s)
    }
}

impl From<u32> for Value {
    fn from(v: u32) -> Value {
        Value::UInt32(v)
    }
}

impl From<u64> for Value {
    fn from(v: u64) -> Value {
        Value::UInt64(v)
    }
}

impl From<u16> for Value {
    fn from(v: u16) -> Value {
        Value::UInt16(v)
    }
}

impl From<i32> for Value {
    fn from(v: i32) -> Value {
        Value::Int32(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Boolean(v)
    }
}

impl From<Guid> for Value {
    fn from(v: Guid) -> Value {
        Value::Guid(v)
    }
}

impl From<Sid> for Value {
    fn from(v: Sid) -> Value {
        Value::Sid(v)
    }
}

impl From<FileTime> for Value {
    fn from(v: FileTime) -> Value {
        Value::FileTime(v)
    }
}

#[cfg(test)]
mod tests {
    use super::digits::{dec_pair, hex_pair, DEC_PAIRS, HEX_PAIRS};
    use super::time::UNIX_EPOCH_TICKS;
    use super::*;

    /// `write_ascii_text` writes `write_text`'s bytes for the types it takes (hex integers
    /// of every length of digits, odd and even, GUIDs, FILETIMEs, SIDs) and nothing,
    /// returning false, for every other type.
    #[test]
    fn ascii_text_is_the_text_form() {
        let mut values = vec![
            Value::Guid(Guid::parse("{54849625-5478-4994-a5ba-3e3b0328c30d}").expect("guid")),
            Value::Guid(Guid::default()),
            Value::FileTime(FileTime(0)),
            Value::FileTime(FileTime(133_485_408_000_194_653)),
            Value::FileTime(FileTime(u64::MAX)),
            Value::Sid(Sid::new(5, &[21, 1, u32::MAX, 1001]).expect("sid")),
        ];
        for shift in 0..64 {
            for v in [
                1u64 << shift,
                (1u64 << shift) - 1,
                (1u64 << shift) | 1,
                !0 >> shift,
            ] {
                values.push(Value::HexInt64(v));
                values.push(Value::SizeT(v));
                values.push(Value::HexInt32(v as u32));
            }
        }
        for v in &values {
            let mut text = String::new();
            v.write_text(&mut text);
            let mut ascii = b"x".to_vec();
            assert!(v.write_ascii_text(&mut ascii), "{v:?}");
            assert_eq!(ascii, format!("x{text}").into_bytes(), "{v:?}");
        }
        for v in [
            Value::Null,
            Value::String("a".into()),
            Value::UInt32(7),
            Value::Int64(-7),
            Value::Boolean(true),
            Value::Binary(vec![1, 2]),
            Value::Double(1.5),
            Value::SysTime(SystemTime::default()),
            Value::Array(Array::new(VariantType::UInt32, vec![Value::UInt32(1)]).expect("array")),
        ] {
            let mut ascii = b"x".to_vec();
            assert!(!v.write_ascii_text(&mut ascii), "{v:?}");
            assert_eq!(ascii, b"x");
        }
    }

    #[test]
    fn hex_lower_is_format_lower_hex() {
        let mut values = vec![0, 1, 9, 0xa, 0xf, 0x10, 0xff, 0x100, u64::MAX, 1 << 63];
        values
            .extend((0..64).flat_map(|b| [1u64 << b, (1u64 << b) - 1, 0x9e37_79b9_7f4a_7c15 >> b]));
        // Every digit at every place, next to a 9 and an a (the digit/letter edge).
        values.extend((0..16).flat_map(|d| (0..16).map(move |k| (d << (4 * k)) | 0xa9 << 56)));
        values.extend((0..16).flat_map(|d| (0..16).map(move |k| d << (4 * k))));
        for v in values {
            let mut out = String::new();
            write_hex_lower(&mut out, v);
            assert_eq!(out, format!("{v:#x}"));
            let mut bytes = b"<".to_vec();
            push_hex_lower(&mut bytes, v);
            assert_eq!(bytes, format!("<{v:#x}").as_bytes());
        }
    }

    #[test]
    fn digit_tables_are_exact() {
        assert_eq!(HEX_PAIRS.len(), 512);
        assert_eq!(DEC_PAIRS.len(), 200);
        for b in 0..=255u8 {
            assert_eq!(hex_pair(b), format!("{b:02x}").as_bytes());
        }
        for v in 0..100 {
            assert_eq!(dec_pair(v), format!("{v:02}").as_bytes());
            assert_eq!(dec_pair(v + 1200), format!("{v:02}").as_bytes());
        }
    }

    #[test]
    fn guid_round_trips_and_is_lowercase() {
        let g = Guid::parse("{54849625-5478-4994-A5BA-3E3B0328C30D}").unwrap();
        assert_eq!(g.to_string(), "{54849625-5478-4994-a5ba-3e3b0328c30d}");
        assert_eq!(Guid::parse(&g.to_string()), Some(g));
        assert_eq!(Guid::parse("54849625-5478-4994-a5ba-3e3b0328c30d"), Some(g));
        assert_eq!(Guid::from_bytes_le(g.to_bytes_le()), g);
        assert_eq!(g.to_bytes_le()[0], 0x25, "Data1 is little-endian on disk");
        assert!(Guid::parse("{54849625-5478-4994-a5ba-3e3b0328c30}").is_none());
        assert!(Guid::parse("{54849625x5478-4994-a5ba-3e3b0328c30d}").is_none());
    }

    #[test]
    fn sid_round_trips() {
        for text in [
            "S-1-5-18",
            "S-1-5-21-1223297778-3299746493-1462173606-500",
            "S-1-0-0",
        ] {
            let sid = Sid::parse(text).unwrap();
            assert_eq!(sid.to_string(), text);
            assert_eq!(Sid::from_bytes(&sid.to_bytes()), Some(sid));
        }
        assert!(Sid::parse("S-1-5-x").is_none());
        assert!(Sid::parse("X-1-5").is_none());
        assert!(Sid::from_bytes(&[1, 2, 0, 0, 0, 0, 0, 5, 1, 0, 0]).is_none());
    }

    #[test]
    fn filetime_formats_seven_digits() {
        let t = FileTime::parse("2013-08-22T14:51:44.205667300Z").unwrap();
        assert_eq!(t.to_string(), "2013-08-22T14:51:44.2056673Z");
        let t = FileTime::parse("2016-07-08T18:12:51.6816408Z").unwrap();
        assert_eq!(t.to_string(), "2016-07-08T18:12:51.6816408Z");
        assert_eq!(
            FileTime::parse("2016-07-08T18:12:51Z").unwrap().to_string(),
            "2016-07-08T18:12:51.0000000Z"
        );
        assert_eq!(
            FileTime::parse("1601-01-01T00:00:00.0000000Z"),
            Some(FileTime(0))
        );
        assert_eq!(
            FileTime::parse("1970-01-01T00:00:00Z"),
            Some(FileTime(UNIX_EPOCH_TICKS))
        );
        assert!(FileTime::parse("2016-02-30T00:00:00Z").is_none());
        assert!(FileTime::parse("2016-07-08T18:12:51.Z").is_none());
        assert!(FileTime::parse("2016-07-08T18:12:51.1234567890Z").is_none());
    }

    #[test]
    fn filetime_calendar_matches_chrono() {
        use chrono::{Datelike, TimeZone, Timelike};
        for secs in [
            0i64,
            951_782_400,
            1_700_000_000,
            4_102_444_800,
            -5_000_000_000,
        ] {
            let ft = FileTime::from_unix_nanos(i128::from(secs) * 1_000_000_000).unwrap();
            let dt = chrono::Utc.timestamp_opt(secs, 0).unwrap();
            let (y, mo, d, h, mi, s, t) = ft.to_utc();
            assert_eq!(
                (y, mo, d, h, mi, s, t),
                (
                    dt.year(),
                    dt.month(),
                    dt.day(),
                    dt.hour(),
                    dt.minute(),
                    dt.second(),
                    0
                )
            );
            assert_eq!(ft.to_unix_nanos(), i128::from(secs) * 1_000_000_000);
        }
    }

    #[test]
    fn systemtime_from_filetime() {
        let ft = FileTime::parse("2024-01-01T12:34:56.789Z").unwrap();
        let st = SystemTime::from_file_time(ft);
        assert_eq!(st.day_of_week, 1, "2024-01-01 was a Monday");
        let mut s = String::new();
        st.write_to(&mut s);
        assert_eq!(s, "2024-01-01T12:34:56.789Z");
        assert_eq!(st.to_file_time(), Some(ft));
    }

    #[test]
    fn value_text_forms() {
        assert_eq!(
            Value::HexInt64(0x8020000000000000).to_text(),
            "0x8020000000000000"
        );
        assert_eq!(Value::HexInt32(0x3e7).to_text(), "0x3e7");
        assert_eq!(Value::HexInt32(0).to_text(), "0x0");
        assert_eq!(Value::Binary(vec![0x41, 0, 0xfe]).to_text(), "4100FE");
        assert_eq!(Value::Boolean(true).to_text(), "true");
        assert_eq!(Value::Int32(-5).to_text(), "-5");
        let arr = Array::new(
            VariantType::UInt16,
            vec![Value::UInt16(1), Value::UInt16(2)],
        )
        .unwrap();
        assert_eq!(Value::Array(arr).to_text(), "1,2");
        assert!(Array::new(VariantType::UInt16, vec![Value::UInt32(1)]).is_none());
        assert_eq!(
            Value::Array(Array::new(VariantType::Sid, vec![]).unwrap()).raw_type(),
            0x93
        );
    }

    #[test]
    fn variant_types_round_trip_raw() {
        for raw in 0..64 {
            if let Some(t) = VariantType::from_raw(raw) {
                assert_eq!(t as u32, raw);
            }
        }
        assert_eq!(VariantType::HexInt64 as u32, 21);
        assert_eq!(VariantType::EvtXml as u32, 35);
    }

    #[test]
    fn hex_helpers() {
        assert_eq!(parse_hex_bytes("4100fe"), Some(vec![0x41, 0, 0xfe]));
        assert_eq!(parse_hex_bytes("410"), None);
        assert_eq!(
            parse_u64_auto("0x8020000000000000"),
            Some(0x8020000000000000)
        );
        assert_eq!(parse_u64_auto("42"), Some(42));
        assert_eq!(parse_u64_auto("0x"), None);
        assert_eq!(parse_u64_auto("-1"), None);
    }
}
