//! EVENTLOGRECORD: an event as ReadEventLog returns it, byte for byte as winnt.h lays it
//! out.
//!
//! Layout (all little-endian): the 56-byte header (Length, Reserved `LfLe`, RecordNumber,
//! TimeGenerated, TimeWritten, EventID, EventType, NumStrings, EventCategory,
//! ReservedFlags, ClosingRecordNumber, StringOffset, UserSidLength, UserSidOffset,
//! DataLength, DataOffset), then SourceName and Computername (NUL-terminated), padding
//! to a DWORD, the UserSid, the strings (each NUL-terminated), the data, padding to a DWORD
//! and Length again.
//!
//! Invariants:
//! 1. Length is a multiple of 4 and the first and last DWORDs both hold it.
//! 2. EventID is the full 32-bit id (`Qualifiers << 16 | EventID`); TimeGenerated and
//!    TimeWritten are TimeCreated in seconds since 1970 (clamped to 0..=u32::MAX).
//! 3. Strings are the values of the event's `<Data>` items in order, as text; data is its
//!    `<Binary>`; EventType comes from Level and Keywords ([`ReportType::of_record`]).

use super::classic::ReportType;
use crate::event::{Body, DataItem, Event};

/// `LfLe`, the Reserved field of every record.
pub const ELF_LOG_SIGNATURE: u32 = 0x654c_664c;
/// The size of the fixed part of an EVENTLOGRECORD.
pub const EVENTLOGRECORD_HEADER: usize = 56;

/// Seconds between 1601-01-01 and 1970-01-01 in FILETIME ticks.
const UNIX_EPOCH_TICKS: u64 = 116_444_736_000_000_000;

/// The EVENTLOGRECORD of `event`: strings UTF-16 (`wide`, the W functions) or as bytes of
/// the process's code page, UTF-8 (the A functions).
pub fn eventlog_record(event: &Event, wide: bool) -> Vec<u8> {
    let system = &event.system;
    let text = |s: &str, out: &mut Vec<u8>| {
        if wide {
            for unit in s.encode_utf16() {
                out.extend_from_slice(&unit.to_le_bytes());
            }
            out.extend_from_slice(&[0, 0]);
        } else {
            out.extend_from_slice(s.as_bytes());
            out.push(0);
        }
    };
    let mut strings: Vec<String> = Vec::new();
    let mut data: Vec<u8> = Vec::new();
    if let Body::EventData(event_data) = &event.body {
        for item in &event_data.items {
            match item {
                DataItem::Data { value, .. } => {
                    let mut s = String::new();
                    value.write_text(&mut s);
                    strings.push(s);
                }
                DataItem::Binary(b) => data.extend_from_slice(b),
                DataItem::Element(_) => {}
            }
        }
    }
    let seconds = system
        .time_created
        .map(|t| t.0.saturating_sub(UNIX_EPOCH_TICKS) / 10_000_000)
        .map_or(0, |s| u32::try_from(s).unwrap_or(u32::MAX));
    let source = system
        .provider
        .event_source_name
        .as_deref()
        .or(system.provider.name.as_deref())
        .unwrap_or("");
    let sid = system
        .security
        .as_ref()
        .and_then(|s| s.user_id.as_ref())
        .map(|s| s.to_bytes())
        .unwrap_or_default();

    let mut out = vec![0u8; EVENTLOGRECORD_HEADER];
    text(source, &mut out);
    text(system.computer.as_deref().unwrap_or(""), &mut out);
    pad(&mut out, 8);
    let sid_offset = out.len();
    out.extend_from_slice(&sid);
    let string_offset = out.len();
    for s in &strings {
        text(s, &mut out);
    }
    let data_offset = out.len();
    out.extend_from_slice(&data);
    pad(&mut out, 4);
    let length = out.len() + 4;
    out.extend_from_slice(&(length as u32).to_le_bytes());

    let event_type = ReportType::of_record(system.level, system.keywords).as_u16();
    let event_id = (u32::from(system.qualifiers.unwrap_or(0)) << 16) | u32::from(system.event_id);
    let record_number = system
        .event_record_id
        .map_or(0, |id| u32::try_from(id).unwrap_or(u32::MAX));
    let mut header = Vec::with_capacity(EVENTLOGRECORD_HEADER);
    for dword in [
        length as u32,
        ELF_LOG_SIGNATURE,
        record_number,
        seconds,
        seconds,
        event_id,
    ] {
        header.extend_from_slice(&dword.to_le_bytes());
    }
    for word in [
        event_type,
        u16::try_from(strings.len()).unwrap_or(u16::MAX),
        system.task.unwrap_or(0),
        0,
    ] {
        header.extend_from_slice(&word.to_le_bytes());
    }
    for dword in [
        0, // ClosingRecordNumber
        string_offset as u32,
        sid.len() as u32,
        sid_offset as u32,
        data.len() as u32,
        data_offset as u32,
    ] {
        header.extend_from_slice(&dword.to_le_bytes());
    }
    out[..EVENTLOGRECORD_HEADER].copy_from_slice(&header);
    out
}

fn pad(out: &mut Vec<u8>, to: usize) {
    while !out.len().is_multiple_of(to) {
        out.push(0);
    }
}
