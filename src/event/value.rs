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

use std::fmt;

/// EVT_VARIANT_TYPE, with Windows' values (reference/wevtapi.md §1.3).
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
        let mut v: u128 = 0;
        for (i, &c) in b.iter().enumerate() {
            if matches!(i, 8 | 13 | 18 | 23) {
                continue;
            }
            v = (v << 4) | u128::from(hex_digit(c)?);
        }
        Some(Guid::from_u128(v))
    }

    /// Appends the braced lowercase form.
    pub fn write_to(&self, out: &mut String) {
        let mut canonical = [0u8; 16];
        canonical[0..4].copy_from_slice(&self.data1.to_be_bytes());
        canonical[4..6].copy_from_slice(&self.data2.to_be_bytes());
        canonical[6..8].copy_from_slice(&self.data3.to_be_bytes());
        canonical[8..].copy_from_slice(&self.data4);
        out.reserve(38);
        out.push('{');
        for (i, &byte) in canonical.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                out.push('-');
            }
            out.push_str(hex_pair(byte));
        }
        out.push('}');
    }
}

/// `"00"` to `"ff"`, so that a byte's two hex digits are one push of a `&str`.
const HEX_PAIRS: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\
202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f\
404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f\
606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f\
808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f\
a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf\
c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf\
e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

fn hex_pair(byte: u8) -> &'static str {
    let i = usize::from(byte) * 2;
    HEX_PAIRS.get(i..i + 2).unwrap_or("00")
}

/// `"00"` to `"99"`.
const DEC_PAIRS: &str = "00010203040506070809101112131415161718192021222324252627282930313233\
343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778\
798081828384858687888990919293949596979899";

fn dec_pair(v: u32) -> &'static str {
    let i = (v % 100) as usize * 2;
    DEC_PAIRS.get(i..i + 2).unwrap_or("00")
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

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// A security identifier, `S-R-I-S-S…`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sid {
    revision: u8,
    authority: u64,
    sub_authorities: Vec<u32>,
}

impl Sid {
    /// The most sub-authorities a SID may have (`SID_MAX_SUB_AUTHORITIES`).
    pub const MAX_SUB_AUTHORITIES: usize = 15;

    /// A SID of revision 1 from its identifier authority (48 bits) and sub-authorities.
    pub fn new(authority: u64, sub_authorities: &[u32]) -> Option<Sid> {
        if authority >= 1 << 48 || sub_authorities.len() > Self::MAX_SUB_AUTHORITIES {
            return None;
        }
        Some(Sid {
            revision: 1,
            authority,
            sub_authorities: sub_authorities.to_vec(),
        })
    }

    /// Parses the string form, `S-1-5-21-…`.
    pub fn parse(s: &str) -> Option<Sid> {
        let mut parts = s
            .strip_prefix("S-")
            .or_else(|| s.strip_prefix("s-"))?
            .split('-');
        let revision: u8 = parse_dec(parts.next()?)?;
        let auth_text = parts.next()?;
        let authority = match auth_text
            .strip_prefix("0x")
            .or_else(|| auth_text.strip_prefix("0X"))
        {
            Some(hex) => u64::from_str_radix(hex, 16).ok()?,
            None => parse_dec(auth_text)?,
        };
        if authority >= 1 << 48 {
            return None;
        }
        let mut sub_authorities = Vec::new();
        for part in parts {
            sub_authorities.push(parse_dec::<u32>(part)?);
        }
        if sub_authorities.len() > Self::MAX_SUB_AUTHORITIES {
            return None;
        }
        Some(Sid {
            revision,
            authority,
            sub_authorities,
        })
    }

    /// The binary form (`SID` structure): revision, count, 6-byte big-endian authority,
    /// little-endian sub-authorities.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(8 + 4 * self.sub_authorities.len());
        b.push(self.revision);
        // Construction limits the count to 15.
        b.push(self.sub_authorities.len() as u8);
        b.extend_from_slice(&self.authority.to_be_bytes()[2..]);
        for s in &self.sub_authorities {
            b.extend_from_slice(&s.to_le_bytes());
        }
        b
    }

    /// Reads the binary form; `None` if it is truncated or has too many sub-authorities.
    pub fn from_bytes(b: &[u8]) -> Option<Sid> {
        let (&revision, rest) = b.split_first()?;
        let (&count, rest) = rest.split_first()?;
        let count = usize::from(count);
        if count > Self::MAX_SUB_AUTHORITIES || rest.len() < 6 + 4 * count {
            return None;
        }
        let mut auth = [0u8; 8];
        auth[2..].copy_from_slice(&rest[..6]);
        let sub_authorities = rest[6..6 + 4 * count]
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Some(Sid {
            revision,
            authority: u64::from_be_bytes(auth),
            sub_authorities,
        })
    }

    /// The identifier authority.
    pub fn authority(&self) -> u64 {
        self.authority
    }

    /// The sub-authorities, left to right.
    pub fn sub_authorities(&self) -> &[u32] {
        &self.sub_authorities
    }

    /// Appends the string form.
    pub fn write_to(&self, out: &mut String) {
        let mut buf = itoa::Buffer::new();
        out.push_str("S-");
        out.push_str(buf.format(self.revision));
        out.push('-');
        if self.authority >= 1 << 32 {
            // Windows writes large authorities in hex.
            use std::fmt::Write;
            let _ = write!(out, "0x{:012X}", self.authority);
        } else {
            out.push_str(buf.format(self.authority));
        }
        for s in &self.sub_authorities {
            out.push('-');
            out.push_str(buf.format(*s));
        }
    }
}

impl fmt::Display for Sid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write_to(&mut s);
        f.write_str(&s)
    }
}

impl fmt::Debug for Sid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

fn parse_dec<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A FILETIME: 100-nanosecond intervals since 1601-01-01 00:00:00 UTC.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileTime(pub u64);

/// FILETIME ticks between 1601-01-01 and 1970-01-01.
const UNIX_EPOCH_TICKS: u64 = 116_444_736_000_000_000;
const TICKS_PER_SECOND: u64 = 10_000_000;
const TICKS_PER_DAY: u64 = 86_400 * TICKS_PER_SECOND;

impl FileTime {
    /// The FILETIME of a Unix time in nanoseconds (truncated to 100 ns); `None` before 1601.
    pub fn from_unix_nanos(nanos: i128) -> Option<FileTime> {
        let ticks = nanos.div_euclid(100) + i128::from(UNIX_EPOCH_TICKS);
        u64::try_from(ticks).ok().map(FileTime)
    }

    /// The Unix time in nanoseconds.
    pub fn to_unix_nanos(self) -> i128 {
        (i128::from(self.0) - i128::from(UNIX_EPOCH_TICKS)) * 100
    }

    /// The FILETIME of a calendar instant in UTC; `None` if it is not a valid date or is
    /// before 1601.
    pub fn from_utc(
        year: i32,
        month: u32,
        day: u32,
        hour: u32,
        minute: u32,
        second: u32,
        ticks: u32,
    ) -> Option<FileTime> {
        if !(1..=12).contains(&month)
            || day == 0
            || day > days_in_month(year, month)
            || hour > 23
            || minute > 59
            || second > 59
            || ticks >= TICKS_PER_SECOND as u32
            || year < 1601
        {
            return None;
        }
        let days = days_from_civil(year, month, day) - days_from_civil(1601, 1, 1);
        let secs = days as u64 * 86_400 + u64::from(hour) * 3600 + u64::from(minute) * 60;
        let secs = secs + u64::from(second);
        secs.checked_mul(TICKS_PER_SECOND)?
            .checked_add(u64::from(ticks))
            .map(FileTime)
    }

    /// The calendar fields in UTC: (year, month, day, hour, minute, second, 100-ns ticks).
    pub fn to_utc(self) -> (i32, u32, u32, u32, u32, u32, u32) {
        let days = self.0 / TICKS_PER_DAY;
        let rem = self.0 % TICKS_PER_DAY;
        let (y, m, d) = civil_from_days(days as i64 + days_from_civil(1601, 1, 1));
        let secs = rem / TICKS_PER_SECOND;
        let ticks = (rem % TICKS_PER_SECOND) as u32;
        (
            y,
            m,
            d,
            (secs / 3600) as u32,
            (secs / 60 % 60) as u32,
            (secs % 60) as u32,
            ticks,
        )
    }

    /// Appends `YYYY-MM-DDTHH:MM:SS.fffffffZ`, the form of TimeCreated/@SystemTime.
    pub fn write_to(self, out: &mut String) {
        let (y, mo, d, h, mi, s, t) = self.to_utc();
        let y = y.max(0) as u32;
        out.reserve(28);
        out.push_str(dec_pair(y / 100));
        out.push_str(dec_pair(y));
        out.push('-');
        out.push_str(dec_pair(mo));
        out.push('-');
        out.push_str(dec_pair(d));
        out.push('T');
        out.push_str(dec_pair(h));
        out.push(':');
        out.push_str(dec_pair(mi));
        out.push(':');
        out.push_str(dec_pair(s));
        out.push('.');
        // Seven digits: 100-ns ticks within the second.
        out.push_str(dec_pair(t / 100_000));
        out.push_str(dec_pair(t / 1_000));
        out.push_str(dec_pair(t / 10));
        out.push(char::from(b'0' + (t % 10) as u8));
        out.push('Z');
    }

    /// Parses an ISO 8601 UTC time: `YYYY-MM-DDTHH:MM:SS[.f{1,9}]Z` (a space for `T` and
    /// a missing `Z` are accepted too). Digits beyond 100 ns are truncated.
    pub fn parse(s: &str) -> Option<FileTime> {
        let b = s.trim().as_bytes();
        if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b' ') {
            return None;
        }
        if b[13] != b':' || b[16] != b':' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            b[r].iter().try_fold(0u32, |acc, &c| {
                c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
            })
        };
        let year = num(0..4)? as i32;
        let (month, day) = (num(5..7)?, num(8..10)?);
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
        let mut rest = &b[19..];
        let mut ticks = 0u32;
        if let Some((b'.', frac)) = rest.split_first() {
            let digits = frac.iter().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 || digits > 9 {
                return None;
            }
            for i in 0..7 {
                ticks = ticks * 10
                    + frac
                        .get(i)
                        .filter(|_| i < digits)
                        .map_or(0, |c| u32::from(c - b'0'));
            }
            rest = &frac[digits..];
        }
        if !(rest.is_empty() || rest == b"Z") {
            return None;
        }
        FileTime::from_utc(year, month, day, hour, minute, second, ticks)
    }
}

impl fmt::Display for FileTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(28);
        self.write_to(&mut s);
        f.write_str(&s)
    }
}

impl fmt::Debug for FileTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FileTime({self})")
    }
}

/// Writes `v` as exactly `buf.len()` decimal digits, zero-padded (high digits dropped).
fn put_digits(buf: &mut [u8], mut v: u32) {
    for slot in buf.iter_mut().rev() {
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01 (inverse of `days_from_civil`).
fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((y + i64::from(m <= 2)) as i32, m, d)
}

/// A SYSTEMTIME (millisecond resolution, UTC).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct SystemTime {
    pub year: u16,
    pub month: u16,
    pub day_of_week: u16,
    pub day: u16,
    pub hour: u16,
    pub minute: u16,
    pub second: u16,
    pub milliseconds: u16,
}

impl SystemTime {
    /// The SYSTEMTIME of a FILETIME (sub-millisecond digits dropped).
    pub fn from_file_time(ft: FileTime) -> SystemTime {
        let (y, mo, d, h, mi, s, t) = ft.to_utc();
        let days = ft.0 / TICKS_PER_DAY;
        // 1601-01-01 was a Monday (day_of_week 1, Sunday = 0).
        let day_of_week = ((days + 1) % 7) as u16;
        SystemTime {
            year: y as u16,
            month: mo as u16,
            day_of_week,
            day: d as u16,
            hour: h as u16,
            minute: mi as u16,
            second: s as u16,
            milliseconds: (t / 10_000) as u16,
        }
    }

    /// The FILETIME of this SYSTEMTIME, or `None` if a field is out of range.
    pub fn to_file_time(self) -> Option<FileTime> {
        if self.milliseconds > 999 {
            return None;
        }
        FileTime::from_utc(
            i32::from(self.year),
            u32::from(self.month),
            u32::from(self.day),
            u32::from(self.hour),
            u32::from(self.minute),
            u32::from(self.second),
            u32::from(self.milliseconds) * 10_000,
        )
    }

    /// Appends `YYYY-MM-DDTHH:MM:SS.mmmZ`.
    pub fn write_to(self, out: &mut String) {
        let mut buf = [0u8; 24];
        put_digits(&mut buf[0..4], u32::from(self.year));
        buf[4] = b'-';
        put_digits(&mut buf[5..7], u32::from(self.month));
        buf[7] = b'-';
        put_digits(&mut buf[8..10], u32::from(self.day));
        buf[10] = b'T';
        put_digits(&mut buf[11..13], u32::from(self.hour));
        buf[13] = b':';
        put_digits(&mut buf[14..16], u32::from(self.minute));
        buf[16] = b':';
        put_digits(&mut buf[17..19], u32::from(self.second));
        buf[19] = b'.';
        put_digits(&mut buf[20..23], u32::from(self.milliseconds));
        buf[23] = b'Z';
        out.push_str(std::str::from_utf8(&buf).unwrap_or_default());
    }
}

impl fmt::Debug for SystemTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write_to(&mut s);
        write!(f, "SystemTime({s})")
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
}

/// A typed value: one EVT_VARIANT.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    String(String),
    AnsiString(String),
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
    Xml(String),
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

/// Appends `0x` and the lowercase hex digits of `v`, without padding.
pub(crate) fn write_hex_lower(out: &mut String, v: u64) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut buf = [0u8; 18];
    let mut i = buf.len();
    let mut v = v;
    loop {
        i -= 1;
        buf[i] = HEX[(v & 15) as usize];
        v >>= 4;
        if v == 0 {
            break;
        }
    }
    i -= 2;
    buf[i] = b'0';
    buf[i + 1] = b'x';
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

/// Appends `bytes` as uppercase hex without separators.
pub(crate) fn write_hex_upper(out: &mut String, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.reserve(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(HEX[usize::from(b >> 4)]));
        out.push(char::from(HEX[usize::from(b & 15)]));
    }
}

/// Parses hex digits (no prefix, any case, even count) into bytes.
pub(crate) fn parse_hex_bytes(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if b.len() % 2 != 0 {
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
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
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
    use super::*;

    #[test]
    fn digit_tables_are_exact() {
        assert_eq!(HEX_PAIRS.len(), 512);
        assert_eq!(DEC_PAIRS.len(), 200);
        for b in 0..=255u8 {
            assert_eq!(hex_pair(b), format!("{b:02x}"));
        }
        for v in 0..100 {
            assert_eq!(dec_pair(v), format!("{v:02}"));
            assert_eq!(dec_pair(v + 1200), format!("{v:02}"));
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
