//! EvtFormatMessage: an event's message,
//! level, task, opcode, keyword, channel, provider and XML-with-RenderingInfo strings, or a
//! message by id, into a caller's WCHAR buffer.
//!
//! Invariants:
//! - Sizes are characters and include the terminator; a keyword list's strings each end
//!   with a NUL and the list with one more.
//! - Too small (a NULL buffer included) is ERROR_INSUFFICIENT_BUFFER (122) with
//!   `*BufferUsed` the characters needed, and the buffer untouched; an empty result is TRUE
//!   with `*BufferUsed` 1, its NUL written only where the buffer has room.
//! - ERROR_EVT_UNRESOLVED_VALUE_INSERT, ..._PARAMETER_INSERT and ERROR_EVT_MAX_INSERTS_REACHED
//!   (15029–15031) return FALSE with the complete string in the buffer and `*BufferUsed`
//!   valid (NET and BEATS read it).

use super::faults;
use super::handles::EVT_HANDLE;
use super::lookup::object;
use super::object::Object;
use super::service;
use super::status::{self, invalid_handle, invalid_parameter, Fail, Outcome, BOOL};
use crate::engine::{PublisherMetadata, Quirk, Quirks};
use crate::error::codes::{ERROR_INSUFFICIENT_BUFFER, ERROR_MR_MID_NOT_FOUND};
use crate::error::ErrorKind;
use crate::event::Value;
use crate::publisher::{FormatWhat, Formatted};

/// EVT_FORMAT_MESSAGE_FLAGS.
pub const EvtFormatMessageEvent: u32 = 1;
pub const EvtFormatMessageLevel: u32 = 2;
pub const EvtFormatMessageTask: u32 = 3;
pub const EvtFormatMessageOpcode: u32 = 4;
pub const EvtFormatMessageKeyword: u32 = 5;
pub const EvtFormatMessageChannel: u32 = 6;
pub const EvtFormatMessageProvider: u32 = 7;
pub const EvtFormatMessageId: u32 = 8;
pub const EvtFormatMessageXml: u32 = 9;

/// EvtFormatMessage: formats `flags`' string for `event` (NULL with EvtFormatMessageId,
/// which formats `message_id`) from `publisher_metadata` (NULL: the default publisher,
/// or a forwarded event's own RenderingInfo). `values`, if not empty, replace the insert
/// values (Event, Xml and Id only). `buffer`'s length is BufferSize in characters.
pub fn EvtFormatMessage(
    publisher_metadata: EVT_HANDLE,
    event: EVT_HANDLE,
    message_id: u32,
    values: &[Value],
    flags: u32,
    buffer: &mut [u16],
    used: &mut u32,
) -> BOOL {
    status::boolean((|| -> Outcome {
        let _fault = faults::enter("EvtFormatMessage", |a| {
            a.handle("PublisherMetadata", publisher_metadata)
                .handle("Event", event)
                .u32("MessageId", message_id)
                .size("ValueCount", values.len())
                .u32("Flags", flags)
                .size("BufferSize", buffer.len());
        })?;
        let quirks = service::engine().quirks();
        let formatted = match format(publisher_metadata, event, message_id, values, flags, quirks) {
            // Windows 11's code for a message it cannot find (the mid-not-found-317 quirk).
            Err(Fail::Error(e))
                if e.kind() == ErrorKind::MessageNotFound
                    && quirks.contains(Quirk::MidNotFound317) =>
            {
                return Err(Fail::Code(ERROR_MR_MID_NOT_FOUND));
            }
            formatted => formatted?,
        };
        put(
            &formatted,
            buffer,
            used,
            quirks.contains(Quirk::FormatExtraNul),
        )?;
        match formatted.warning() {
            // The string is in the buffer; the call still reports the warning.
            Some(w) => Err(Fail::Error(crate::Error::with_message(
                w.kind(),
                w.to_string(),
            ))),
            None => Ok(()),
        }
    })())
}

fn format(
    metadata: EVT_HANDLE,
    event: EVT_HANDLE,
    message_id: u32,
    values: &[Value],
    flags: u32,
    quirks: Quirks,
) -> Outcome<Formatted> {
    let what = match flags {
        EvtFormatMessageId => None,
        f => Some(FormatWhat::from_flag(f).ok_or_else(|| {
            invalid_parameter(format!("{f} is not an EVT_FORMAT_MESSAGE_FLAGS value"))
        })?),
    };
    let metadata_object;
    let default;
    let metadata: &PublisherMetadata = if metadata == 0 {
        default = service::engine().open_publisher_metadata(None, 0)?;
        &default
    } else {
        metadata_object = object(metadata)?;
        match &*metadata_object {
            Object::PublisherMetadata(m) => m,
            other => {
                return Err(invalid_handle(&format!(
                    "a publisher metadata handle was expected, not {}",
                    other.kind()
                )))
            }
        }
    };
    let Some(what) = what else {
        if event != 0 {
            return Err(invalid_parameter(
                "the event handle must be NULL with EvtFormatMessageId",
            ));
        }
        return Ok(metadata.format_id(message_id, values)?);
    };
    if event == 0 {
        return Err(invalid_handle(
            "an event handle is needed to format its strings",
        ));
    }
    let event_object = object(event)?;
    let Object::Event(event) = &*event_object else {
        return Err(invalid_handle(&format!(
            "an event handle was expected, not {}",
            event_object.kind()
        )));
    };
    // Windows 11 22H2 leaves the inserts of events read from channels, not from files
    // (the unreplaced-inserts quirk).
    if quirks.contains(Quirk::UnreplacedInserts)
        && values.is_empty()
        && matches!(what, FormatWhat::Event | FormatWhat::Xml)
        && !std::path::Path::new(event.path()).is_absolute()
    {
        return Ok(metadata.format_unreplaced(event.event(), what)?);
    }
    Ok(metadata.format_with_values(event.event(), what, values)?)
}

/// The text and its final NUL into `buffer` (characters). With `extra_nul` (the
/// format-extra-nul quirk), a second NUL after it, as Windows' `(BufferUsed*2)+2`-byte copy
/// writes, but only inside the buffer (quirks.rs invariant 2).
fn put(formatted: &Formatted, buffer: &mut [u16], used: &mut u32, extra_nul: bool) -> Outcome {
    let text = formatted.text();
    if text.is_empty() {
        *used = 1;
        let nuls = if extra_nul { 2 } else { 1 };
        for slot in buffer.iter_mut().take(nuls) {
            *slot = 0;
        }
        return Ok(());
    }
    // UTF-16 never has more units than UTF-8 has bytes: count only when it may not fit.
    if buffer.len() <= text.len() {
        let needed = text.encode_utf16().count() + 1;
        if buffer.len() < needed {
            *used = u32::try_from(needed).unwrap_or(u32::MAX);
            return Err(Fail::Code(ERROR_INSUFFICIENT_BUFFER));
        }
    }
    let mut n = 0;
    for (slot, unit) in buffer.iter_mut().zip(text.encode_utf16()) {
        *slot = unit;
        n += 1;
    }
    buffer[n] = 0;
    if let Some(extra) = buffer.get_mut(n + 1).filter(|_| extra_nul) {
        *extra = 0;
    }
    *used = u32::try_from(n + 1).unwrap_or(u32::MAX);
    Ok(())
}

/// A publisher metadata handle for `name` (as EvtOpenPublisherMetadata makes one), for
/// tests until that function is exported.
#[cfg(test)]
pub(crate) fn open_metadata_handle(name: Option<&str>, lcid: u32) -> crate::Result<EVT_HANDLE> {
    let m = service::engine().open_publisher_metadata(name, lcid)?;
    Ok(super::handles::insert(Object::PublisherMetadata(m), 0))
}

#[cfg(test)]
mod tests;
