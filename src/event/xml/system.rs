//! The `<System>` children of parsed event XML onto [`System`]'s fields: a child's
//! attributes when it opens, its text when it closes. Which child a name is comes from the
//! one table of them, [`SystemChild`]; the value each holds (number, hex, GUID, time, SID,
//! text) is parsed straight from the borrowed input. A SystemTime whose date is the last
//! one read on the thread has only its time of day read ([`system_time`]).
//!
//! Invariants: a child seen twice sets its fields again (the later wins, field by field for
//! Provider and EventID's Qualifiers, whole for Correlation, Execution and Security); an
//! error is a message, placed by the caller at the child's start.

use std::borrow::Cow;
use std::cell::Cell;
use std::sync::Arc;

use crate::event::{
    parse_u64_auto, Correlation, Execution, FileTime, Guid, Security, Sid, System, SystemChild,
};

type Attrs<'x, 'a> = &'x [(&'a str, Cow<'a, str>)];

/// Reads the attributes of `child` (named `name` as written) into `s`.
pub(super) fn attributes(
    child: SystemChild,
    name: &str,
    attrs: Attrs<'_, '_>,
    s: &mut System,
) -> Result<(), String> {
    let unexpected = |key: &str| Err(format!("unexpected attribute {key} on <{name}>"));
    match child {
        SystemChild::Provider => {
            for (key, value) in attrs {
                match *key {
                    "Name" => s.provider.name = Some(Arc::from(&**value)),
                    "Guid" => s.provider.guid = opt_guid(name, key, value)?,
                    "EventSourceName" => s.provider.event_source_name = Some(value.to_string()),
                    _ => return unexpected(key),
                }
            }
        }
        SystemChild::EventId => {
            for (key, value) in attrs {
                match *key {
                    "Qualifiers" => s.qualifiers = opt_num(name, key, value)?,
                    _ => return unexpected(key),
                }
            }
        }
        SystemChild::TimeCreated => {
            for (key, value) in attrs {
                match *key {
                    "SystemTime" => {
                        let t = system_time(value).ok_or_else(|| {
                            format!("SystemTime '{value}' is not an ISO 8601 UTC time")
                        })?;
                        s.time_created = Some(t);
                    }
                    "RawTime" if s.time_created.is_none() => {
                        s.time_created = Some(FileTime(num(name, key, value)?));
                    }
                    "RawTime" => {}
                    _ => return unexpected(key),
                }
            }
        }
        SystemChild::Correlation => {
            let mut c = Correlation::default();
            for (key, value) in attrs {
                match *key {
                    "ActivityID" => c.activity_id = opt_guid(name, key, value)?,
                    "RelatedActivityID" => c.related_activity_id = opt_guid(name, key, value)?,
                    _ => return unexpected(key),
                }
            }
            s.correlation = Some(c);
        }
        SystemChild::Execution => {
            let mut e = Execution::default();
            for (key, value) in attrs {
                match *key {
                    "ProcessID" => e.process_id = num(name, key, value)?,
                    "ThreadID" => e.thread_id = num(name, key, value)?,
                    "ProcessorID" => e.processor_id = opt_num(name, key, value)?,
                    "SessionID" => e.session_id = opt_num(name, key, value)?,
                    "KernelTime" => e.kernel_time = opt_num(name, key, value)?,
                    "UserTime" => e.user_time = opt_num(name, key, value)?,
                    "ProcessorTime" => e.processor_time = opt_num(name, key, value)?,
                    _ => return unexpected(key),
                }
            }
            s.execution = Some(e);
        }
        SystemChild::Security => {
            let mut sec = Security::default();
            for (key, value) in attrs {
                match *key {
                    "UserID" if value.is_empty() => {}
                    "UserID" => {
                        let sid = Sid::parse(value)
                            .ok_or_else(|| format!("UserID '{value}' is not a SID"))?;
                        sec.user_id = Some(sid);
                    }
                    _ => return unexpected(key),
                }
            }
            s.security = Some(sec);
        }
        // Text-only children take no attributes.
        _ => {
            if let Some((key, _)) = attrs.first() {
                return unexpected(key);
            }
        }
    }
    Ok(())
}

/// What one System child held: its text pieces joined, and whether it held anything else.
pub(super) struct Content<'a> {
    pub text: Cow<'a, str>,
    /// Held an element, CDATA or a processing instruction.
    pub nonleaf: bool,
    /// Held any node at all (text included).
    pub any: bool,
}

/// Reads the content of `child` into `s`.
pub(super) fn content(
    child: SystemChild,
    name: &str,
    c: Content<'_>,
    s: &mut System,
) -> Result<(), String> {
    let text_only = || {
        if c.nonleaf {
            Err(format!("<{name}> must hold text only"))
        } else {
            Ok(())
        }
    };
    match child {
        SystemChild::Provider
        | SystemChild::TimeCreated
        | SystemChild::Correlation
        | SystemChild::Execution
        | SystemChild::Security => {
            if c.any {
                return Err(format!("<{name}> must be empty"));
            }
        }
        SystemChild::EventId => {
            text_only()?;
            s.event_id = parse_num(name, &c.text)?;
        }
        SystemChild::Version => {
            text_only()?;
            s.version = Some(parse_num(name, &c.text)?);
        }
        SystemChild::Level => {
            text_only()?;
            s.level = Some(parse_num(name, &c.text)?);
        }
        SystemChild::Task => {
            text_only()?;
            s.task = Some(parse_num(name, &c.text)?);
        }
        SystemChild::Opcode => {
            text_only()?;
            s.opcode = Some(parse_num(name, &c.text)?);
        }
        SystemChild::EventRecordId => {
            text_only()?;
            s.event_record_id = Some(parse_num(name, &c.text)?);
        }
        SystemChild::Keywords => {
            text_only()?;
            let k = parse_u64_auto(&c.text)
                .ok_or_else(|| format!("Keywords '{}' is not a 64-bit hex number", c.text))?;
            s.keywords = Some(k);
        }
        SystemChild::Channel => {
            text_only()?;
            s.channel = Some(Arc::from(&*c.text));
        }
        SystemChild::Computer => {
            text_only()?;
            s.computer = Some(Arc::from(&*c.text));
        }
    }
    Ok(())
}

/// Decimal digits, surrounding whitespace allowed, in range of `T`.
fn parse_num<T: TryFrom<u64>>(name: &str, text: &str) -> Result<T, String> {
    digits(text.trim()).ok_or_else(|| format!("<{name}> holds '{text}', not a number in range"))
}

/// An attribute's decimal digits, in range of `T`.
fn num<T: TryFrom<u64>>(name: &str, key: &str, value: &str) -> Result<T, String> {
    digits(value).ok_or_else(|| format!("{key}='{value}' in <{name}> is not a number in range"))
}

/// One or more ASCII digits (leading zeros allowed) whose value is in range of `T`: what
/// `str::parse` of an unsigned type accepts once a sign is ruled out, read in one loop
/// (the standard parse and a check of the digits after it cost twice as much).
#[inline]
pub(super) fn digits<T: TryFrom<u64>>(text: &str) -> Option<T> {
    let b = text.as_bytes();
    if b.is_empty() {
        return None;
    }
    let mut v = 0u64;
    for &c in b {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    T::try_from(v).ok()
}

/// Like [`num`]; empty is absent.
fn opt_num<T: TryFrom<u64>>(name: &str, key: &str, value: &str) -> Result<Option<T>, String> {
    if value.is_empty() {
        return Ok(None);
    }
    num(name, key, value).map(Some)
}

/// A GUID in either case, braces optional; empty is absent.
fn opt_guid(name: &str, key: &str, value: &str) -> Result<Option<Guid>, String> {
    if value.is_empty() {
        return Ok(None);
    }
    Guid::parse(value)
        .map(Some)
        .ok_or_else(|| format!("{key}='{value}' in <{name}> is not a GUID"))
}

thread_local! {
    /// The date (`YYYY-MM-DDT`) of the last SystemTime read whole on this thread, and its
    /// midnight as a FILETIME.
    static DAY: Cell<Option<([u8; 11], u64)>> = const { Cell::new(None) };
}

/// A SystemTime as [`FileTime::parse`] reads it. Windows writes
/// `YYYY-MM-DDThh:mm:ss.fffffffZ`, and a log's events mostly share their date: where the
/// date is the last one met on this thread, only the time of day is read (digits, hours,
/// minutes and seconds in range) and added to that date's midnight, which `parse` computes
/// the same way (days, then seconds, then ticks). Anything else is read by `parse`.
pub(super) fn system_time(value: &str) -> Option<FileTime> {
    let b = value.as_bytes();
    let windows_shape =
        b.len() == 28 && b[13] == b':' && b[16] == b':' && b[19] == b'.' && b[27] == b'Z';
    if !windows_shape {
        return FileTime::parse(value);
    }
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u64, |acc, &c| {
            c.is_ascii_digit().then(|| acc * 10 + u64::from(c - b'0'))
        })
    };
    let time_of_day = || {
        let (h, m, s) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
        if h > 23 || m > 59 || s > 59 {
            return None;
        }
        Some(((h * 60 + m) * 60 + s) * 10_000_000 + digits(20..27)?)
    };
    let day = DAY.try_with(Cell::get).ok().flatten();
    if let Some((date, midnight)) = day {
        if b[..11] == date {
            if let Some(tod) = time_of_day() {
                return Some(FileTime(midnight + tod));
            }
        }
    }
    let t = FileTime::parse(value)?;
    if let Some(tod) = time_of_day() {
        let mut date = [0u8; 11];
        date.copy_from_slice(&b[..11]);
        let _ = DAY.try_with(|d| d.set(Some((date, t.0 - tod))));
    }
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Reads `value` twice (the second read meets the date the first one stored) and checks
    /// both against [`FileTime::parse`].
    fn agree(value: &str) {
        let want = FileTime::parse(value);
        assert_eq!(system_time(value), want, "{value:?}");
        assert_eq!(system_time(value), want, "{value:?} again");
    }

    #[test]
    fn same_date_times_agree_with_the_full_parse() {
        agree("2024-02-29T10:11:12.1234567Z");
        for value in [
            "2024-02-29T00:00:00.0000000Z",
            "2024-02-29T23:59:59.9999999Z",
            "2024-02-29T24:00:00.0000000Z",
            "2024-02-29T23:60:00.0000000Z",
            "2024-02-29T23:59:60.0000000Z",
            "2024-02-29T2x:00:00.0000000Z",
            "2024-02-29T10:11:12.123456xZ",
            "2024-02-29T10:11:12.12345678Z",
            "2024-02-29T10:11:12.123456Z",
            "2024-02-29T10:11:12.1234567 ",
            " 2024-02-29T10:11:12.123456Z",
            "2024-02-29 10:11:12.1234567Z",
            "2023-02-29T10:11:12.1234567Z",
            "2023-02-28T10:11:12.1234567Z",
            "2024-02-29T10:11:12Z",
        ] {
            agree(value);
        }
    }

    /// Numbers as `str::parse` reads them where only digits are allowed.
    fn parse_digits<T: std::str::FromStr>(text: &str) -> Option<T> {
        let all = !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit());
        text.parse().ok().filter(|_| all)
    }

    #[test]
    fn digits_agree_with_the_standard_parse_at_the_edges() {
        let max = u64::MAX.to_string();
        let over = "18446744073709551616";
        for text in [
            "",
            "0",
            "00",
            "7",
            "255",
            "256",
            "65535",
            "65536",
            "4294967295",
            "4294967296",
            &max,
            over,
            "000000000000000000000000255",
            "+1",
            "-0",
            " 1",
            "1 ",
            "1a",
            "a1",
            "١",
            "9/",
            ":0",
        ] {
            assert_eq!(digits::<u8>(text), parse_digits::<u8>(text), "{text:?}");
            assert_eq!(digits::<u16>(text), parse_digits::<u16>(text), "{text:?}");
            assert_eq!(digits::<u32>(text), parse_digits::<u32>(text), "{text:?}");
            assert_eq!(digits::<u64>(text), parse_digits::<u64>(text), "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn digits_agree_with_the_standard_parse(text in "[0-9/:+a]{0,22}") {
            prop_assert_eq!(digits::<u8>(&text), parse_digits::<u8>(&text));
            prop_assert_eq!(digits::<u32>(&text), parse_digits::<u32>(&text));
            prop_assert_eq!(digits::<u64>(&text), parse_digits::<u64>(&text));
        }

        /// Times of one date and its neighbours, some characters replaced, read in a row.
        #[test]
        fn times_agree_with_the_full_parse(
            times in proptest::collection::vec(
                (0u32..3, 0u32..26, 0u32..62, 0u32..62, 0u32..10_000_000,
                 proptest::option::of((0usize..28, proptest::sample::select(b"0 9:.TZx-".to_vec())))),
                1..12,
            ),
        ) {
            for (day, h, m, s, f, change) in times {
                let mut value = format!("1999-12-{:02}T{h:02}:{m:02}:{s:02}.{f:07}Z", 30 + day);
                if let Some((at, c)) = change {
                    let mut bytes = value.into_bytes();
                    bytes[at] = c;
                    value = String::from_utf8(bytes).unwrap_or_default();
                }
                prop_assert_eq!(system_time(&value), FileTime::parse(&value), "{:?}", value);
            }
        }
    }
}
