//! The real side: error codes, the [`Answer`] a call gives, and the helpers that make
//! one call of the two-call protocol (EvtRender, EvtGetChannelConfigProperty) an answer.

use super::*;

pub(super) const ERROR_INVALID_HANDLE: u32 = 6;
pub(super) const ERROR_FILE_EXISTS: u32 = 80;
pub(super) const ERROR_INVALID_PARAMETER: u32 = 87;
pub(super) const ERROR_INSUFFICIENT_BUFFER: u32 = 122;
pub(super) const ERROR_NO_MORE_ITEMS: u32 = 259;
pub(super) const ERROR_NOT_FOUND: u32 = 1168;
pub(super) const ERROR_CANCELLED: u32 = 1223;
pub(super) const ERROR_INVALID_OPERATION: u32 = 4317;
pub(super) const ERROR_EVT_QUERY_RESULT_STALE: u32 = 15011;
pub(super) const ERROR_EVT_QUERY_RESULT_INVALID_POSITION: u32 = 15012;
pub(super) const ERROR_EVT_INVALID_CHANNEL_PROPERTY_VALUE: u32 = 15023;

/// The model's answer to a call: success with its data, or the last error.
#[derive(Debug, PartialEq)]
pub(super) enum Answer {
    Ok,
    Ids(Vec<u64>),
    Text(String),
    Value(Option<Value>),
    Err(u32),
}

/// The error a failed facade call left.
pub(super) fn last_error_after(ok: bool) -> Answer {
    if ok {
        assert_eq!(
            GetLastError(),
            0,
            "a success leaves ERROR_SUCCESS, as every wevtapi function does"
        );
        Answer::Ok
    } else {
        Answer::Err(GetLastError())
    }
}

/// The record id of the event `handle`, from its XML.
pub(super) fn record_id_of(handle: EVT_HANDLE) -> u64 {
    let (mut used, mut count) = (0, 0);
    // Room for the persistent run's large events (payloads of up to 13,000 characters).
    let mut buffer = vec![0u8; 1 << 17];
    assert_eq!(
        EvtRender(
            0,
            handle,
            EvtRenderEventXml,
            &mut buffer,
            &mut used,
            &mut count
        ),
        TRUE,
        "render {handle:#x}"
    );
    let xml = utf16_text(&buffer[..used as usize]);
    let start = xml.find("<EventRecordID>").expect("an EventRecordID") + "<EventRecordID>".len();
    let end = start + xml[start..].find('<').expect("its end");
    xml[start..end].parse().expect("a number")
}

pub(super) fn utf16_text(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let end = units.iter().position(|&u| u == 0).unwrap_or(units.len());
    String::from_utf16_lossy(&units[..end])
}

/// EvtRender(EvtRenderBookmark) with the two calls of the size protocol (probe, then fill).
pub(super) fn render_bookmark(handle: EVT_HANDLE) -> Answer {
    let (mut used, mut count) = (0, 0);
    if EvtRender(0, handle, EvtRenderBookmark, &mut [], &mut used, &mut count) == TRUE {
        return Answer::Text("(an empty buffer was enough)".into());
    }
    match GetLastError() {
        ERROR_INSUFFICIENT_BUFFER => {}
        e => return Answer::Err(e),
    }
    let mut buffer = vec![0u8; used as usize];
    match last_error_after(
        EvtRender(
            0,
            handle,
            EvtRenderBookmark,
            &mut buffer,
            &mut used,
            &mut count,
        ) == TRUE,
    ) {
        Answer::Ok => Answer::Text(utf16_text(&buffer)),
        e => e,
    }
}

/// EvtGetChannelConfigProperty as a value (an EVT_VARIANT: the union in bytes 0..8, the
/// type in bytes 12..16).
pub(super) fn get_config(handle: EVT_HANDLE, property: u32) -> Answer {
    let mut buffer = [0u8; 64];
    let mut used = 0;
    match last_error_after(
        EvtGetChannelConfigProperty(handle, property, 0, &mut buffer, &mut used) == TRUE,
    ) {
        Answer::Ok => {
            let union = u64::from_le_bytes(buffer[0..8].try_into().unwrap());
            let ty = u32::from_le_bytes(buffer[12..16].try_into().unwrap());
            Answer::Value(read_inline(ty, union))
        }
        e => e,
    }
}
