//! [`FileTime`] and [`SystemTime`]: Windows' two time types, the calendar arithmetic between
//! them, and their ISO 8601 text forms (7 fractional digits for FILETIME, milliseconds for
//! SYSTEMTIME).

use std::fmt;

use super::digits::{dec_pair, push_ascii};

/// A FILETIME: 100-nanosecond intervals since 1601-01-01 00:00:00 UTC.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct FileTime(pub u64);

/// FILETIME ticks between 1601-01-01 and 1970-01-01.
pub(super) const UNIX_EPOCH_TICKS: u64 = 116_444_736_000_000_000;
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
        push_ascii(out, &self.text());
    }

    /// Appends the bytes of [`write_to`](Self::write_to)'s text (ASCII): for writers of
    /// byte buffers, with no UTF-8 check to pass.
    pub fn write_ascii(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.text());
    }

    fn text(self) -> [u8; 28] {
        text_on(&date_text(self.0 / TICKS_PER_DAY), self.0 % TICKS_PER_DAY)
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

/// `YYYY-MM-DD` of the day `days` after 1601-01-01 (the year's last four digits).
fn date_text(days: u64) -> [u8; 10] {
    let (y, mo, d) = civil_from_days(days as i64 + days_from_civil(1601, 1, 1));
    let y = y.max(0) as u32;
    let mut text = *b"0000-00-00";
    for (at, v) in [0, 2, 5, 8].into_iter().zip([y / 100, y, mo, d]) {
        text[at..at + 2].copy_from_slice(&dec_pair(v));
    }
    text
}

/// The whole text of the time `rem` ticks into the day of `date`.
fn text_on(date: &[u8; 10], rem: u64) -> [u8; 28] {
    let secs = (rem / TICKS_PER_SECOND) as u32;
    let t = (rem % TICKS_PER_SECOND) as u32;
    let mut text = *b"0000-00-00T00:00:00.0000000Z";
    text[..10].copy_from_slice(date);
    let pairs = [
        secs / 3600,
        secs / 60 % 60,
        secs % 60,
        t / 100_000,
        t / 1_000,
        t / 10,
    ];
    for (at, v) in [11, 14, 17, 20, 22, 24].into_iter().zip(pairs) {
        text[at..at + 2].copy_from_slice(&dec_pair(v));
    }
    // Seven digits of 100-ns ticks within the second: three pairs, then the last.
    text[26] = b'0' + (t % 10) as u8;
    text
}

/// Writes FILETIME texts ([`FileTime::write_ascii`]'s bytes) one after another, keeping the
/// date of the last: a log's records mostly fall on the day of the record before, and the
/// calendar arithmetic is then skipped. What it keeps never shows in the bytes.
#[derive(Clone, Debug, Default)]
pub struct FileTimeWriter {
    /// The day (since 1601-01-01) of `date`, `None` before the first time.
    day: Option<u64>,
    date: [u8; 10],
}

impl FileTimeWriter {
    /// Appends `t`'s text, as [`FileTime::write_ascii`] does.
    pub fn write_ascii(&mut self, t: FileTime, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.text(t));
    }

    /// Appends `t`'s text, as [`FileTime::write_to`] does.
    pub fn write_to(&mut self, t: FileTime, out: &mut String) {
        push_ascii(out, &self.text(t));
    }

    #[inline]
    fn text(&mut self, t: FileTime) -> [u8; 28] {
        let day = t.0 / TICKS_PER_DAY;
        if self.day != Some(day) {
            self.date = date_text(day);
            self.day = Some(day);
        }
        text_on(&self.date, t.0 % TICKS_PER_DAY)
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
    /// The 16 bytes of the SYSTEMTIME structure: its eight WORDs, little-endian, in field
    /// order (as BinXml and EVT_VARIANT payloads hold it).
    pub fn to_bytes_le(&self) -> [u8; 16] {
        let fields = [
            self.year,
            self.month,
            self.day_of_week,
            self.day,
            self.hour,
            self.minute,
            self.second,
            self.milliseconds,
        ];
        let mut out = [0u8; 16];
        for (pair, field) in out.chunks_exact_mut(2).zip(fields) {
            pair.copy_from_slice(&field.to_le_bytes());
        }
        out
    }

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
        push_ascii(out, &buf);
    }
}

impl fmt::Debug for SystemTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write_to(&mut s);
        write!(f, "SystemTime({s})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text from the calendar fields, `format!`'s (years below 10,000).
    fn naive(t: FileTime) -> String {
        let (y, mo, d, h, mi, s, ticks) = t.to_utc();
        format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ticks:07}Z")
    }

    /// Times on either side of midnight at day, month, year and leap-day boundaries (2024's
    /// Feb 29, 2100's Feb 28 without one, 2000's with one), in turns and back, through one
    /// writer: each the naive text, as if written alone. Fails if the kept date is used for
    /// another day.
    #[test]
    fn kept_dates_write_each_time_as_alone() {
        let midnights = [
            (1601, 1, 2),
            (1999, 3, 1),
            (2000, 2, 29),
            (2000, 3, 1),
            (2023, 2, 1),
            (2024, 1, 1),
            (2024, 1, 2),
            (2024, 2, 29),
            (2024, 3, 1),
            (2024, 12, 31),
            (2025, 1, 1),
            (2100, 3, 1),
            (9999, 12, 31),
        ];
        let mut times = vec![FileTime(0), FileTime(1)];
        for (y, m, d) in midnights {
            let t = FileTime::from_utc(y, m, d, 0, 0, 0, 0).expect("date");
            times.extend([t.0 - 1, t.0, t.0 + 1, t.0 + TICKS_PER_DAY - 1].map(FileTime));
        }
        let mut writer = FileTimeWriter::default();
        for round in 0..3 {
            for i in 0..times.len() {
                let t = times[(i * (round + 1)) % times.len()];
                let mut out = b"x".to_vec();
                writer.write_ascii(t, &mut out);
                assert_eq!(out, format!("x{}", naive(t)).into_bytes(), "{}", t.0);
                let mut text = "y".to_owned();
                writer.write_to(t, &mut text);
                assert_eq!(text, format!("y{}", naive(t)), "{}", t.0);
                let mut alone = String::new();
                t.write_to(&mut alone);
                assert_eq!(alone, naive(t));
            }
        }
        let mut out = Vec::new();
        writer.write_ascii(FileTime(u64::MAX), &mut out);
        assert_eq!(out, FileTime(u64::MAX).to_string().into_bytes());
    }
}
