//! Rendering, bookmarks and channel enumeration: EvtCreateRenderContext, EvtRender,
//! EvtCreateBookmark, EvtUpdateBookmark, EvtOpenChannelEnum and EvtNextChannelPath
//! (as Windows documents them).

use std::cell::RefCell;

use parking_lot::Mutex;

use super::faults;
use super::handles::{self, EVT_HANDLE};
use super::lookup::{object, session};
use super::object::{NameEnum, Object};
use super::status::{self, invalid_handle, invalid_parameter, Fail, Outcome, BOOL};
use super::variant::put_variants;
use crate::engine::{render_values, Bookmark, RenderContext};
use crate::error::codes::*;
use crate::utf16;

/// EVT_RENDER_CONTEXT_FLAGS.
pub const EvtRenderContextValues: u32 = 0;
pub const EvtRenderContextSystem: u32 = 1;
pub const EvtRenderContextUser: u32 = 2;
/// EVT_RENDER_FLAGS.
pub const EvtRenderEventValues: u32 = 0;
pub const EvtRenderEventXml: u32 = 1;
pub const EvtRenderBookmark: u32 = 2;

thread_local! {
    /// The XML of the event being rendered (kept between calls to save allocations).
    static XML: RefCell<String> = const { RefCell::new(String::new()) };
}

/// EvtCreateRenderContext: System (flags 1) or User (2) with no paths, or Values (0) with
/// one XPath value path per value.
pub fn EvtCreateRenderContext(value_paths: &[&str], flags: u32) -> EVT_HANDLE {
    status::handle((|| -> Outcome<EVT_HANDLE> {
        let _fault = faults::enter("EvtCreateRenderContext", |a| {
            a.strs("ValuePaths", value_paths).u32("Flags", flags);
        })?;
        let context = match flags {
            EvtRenderContextValues => RenderContext::values(value_paths)?,
            EvtRenderContextSystem | EvtRenderContextUser if !value_paths.is_empty() => {
                return Err(invalid_parameter(
                    "value paths are given only with EvtRenderContextValues",
                ))
            }
            EvtRenderContextSystem => RenderContext::system(),
            EvtRenderContextUser => RenderContext::user(),
            _ => return Err(invalid_parameter("an unknown EVT_RENDER_CONTEXT_FLAGS")),
        };
        Ok(handles::insert(Object::RenderContext(context), 0))
    })())
}

/// `text` as UTF-16 with its NUL into `buffer` (byte counts; too small is
/// ERROR_INSUFFICIENT_BUFFER with `*used` the bytes needed, and nothing written).
fn put_text(text: &str, buffer: &mut [u8], used: &mut u32) -> Result<(), Fail> {
    // A buffer of two bytes per UTF-8 byte always fits: encode without counting first.
    let fits_any = buffer.len() >= 2 * text.len() + 2;
    if !fits_any {
        let needed = 2 * (utf16::units(text) + 1);
        if buffer.len() < needed {
            *used = u32::try_from(needed).unwrap_or(u32::MAX);
            return Err(Fail::Code(ERROR_INSUFFICIENT_BUFFER));
        }
    }
    let written = utf16::encode_into(text, buffer);
    buffer[written..written + 2].fill(0);
    *used = u32::try_from(written + 2).unwrap_or(u32::MAX);
    Ok(())
}

/// EvtRender: an event as XML (`context` NULL), a bookmark as XML (`context` NULL), or an
/// event's values through a render context, as EVT_VARIANTs with their payloads. Buffer
/// sizes are bytes; `*property_count` is the number of values (0 for XML).
pub fn EvtRender(
    context: EVT_HANDLE,
    fragment: EVT_HANDLE,
    flags: u32,
    buffer: &mut [u8],
    used: &mut u32,
    property_count: &mut u32,
) -> BOOL {
    status::boolean((|| -> Outcome {
        let _fault = faults::enter("EvtRender", |a| {
            a.handle("Context", context)
                .handle("Fragment", fragment)
                .u32("Flags", flags)
                .size("BufferSize", buffer.len());
        })?;
        let fragment = object(fragment)?;
        match flags {
            EvtRenderEventXml | EvtRenderBookmark if context != 0 => {
                Err(invalid_parameter("the context is NULL when rendering XML"))
            }
            EvtRenderEventXml => {
                let Object::Event(event) = &*fragment else {
                    return Err(invalid_handle("an event handle was expected"));
                };
                *property_count = 0;
                XML.with(|xml| {
                    let mut xml = xml.borrow_mut();
                    xml.clear();
                    event.write_xml(&mut xml);
                    put_text(&xml, buffer, used)
                })
            }
            EvtRenderBookmark => {
                let Object::Bookmark(bookmark) = &*fragment else {
                    return Err(invalid_handle("a bookmark handle was expected"));
                };
                *property_count = 0;
                let xml = bookmark.lock().to_xml();
                put_text(&xml, buffer, used)
            }
            EvtRenderEventValues => {
                let context = object(context)?;
                let Object::RenderContext(context) = &*context else {
                    return Err(invalid_handle("a render context handle was expected"));
                };
                let Object::Event(event) = &*fragment else {
                    return Err(invalid_handle("an event handle was expected"));
                };
                let values = render_values(context, event);
                *property_count = values.len() as u32;
                put_variants(&values, buffer, used)
            }
            _ => Err(invalid_parameter("an unknown EVT_RENDER_FLAGS")),
        }
    })())
}

/// EvtCreateBookmark: an empty bookmark (`None`), or one parsed from its XML
/// (ERROR_EVT_MALFORMED_XML_TEXT, 15008, with the position, if it is not one).
pub fn EvtCreateBookmark(bookmark_xml: Option<&str>) -> EVT_HANDLE {
    status::handle((|| -> Outcome<EVT_HANDLE> {
        let _fault = faults::enter("EvtCreateBookmark", |a| {
            a.str("BookmarkXml", bookmark_xml);
        })?;
        let bookmark = match bookmark_xml {
            None => Bookmark::new(),
            Some(xml) => Bookmark::from_xml(xml)?,
        };
        Ok(handles::insert(Object::Bookmark(Mutex::new(bookmark)), 0))
    })())
}

/// EvtUpdateBookmark: points the bookmark at the event (in the event's channel).
pub fn EvtUpdateBookmark(bookmark: EVT_HANDLE, event: EVT_HANDLE) -> BOOL {
    status::boolean((|| -> Outcome {
        let _fault = faults::enter("EvtUpdateBookmark", |a| {
            a.handle("Bookmark", bookmark).handle("Event", event);
        })?;
        let bookmark = object(bookmark)?;
        let event = object(event)?;
        let (Object::Bookmark(bookmark), Object::Event(event)) = (&*bookmark, &*event) else {
            return Err(invalid_handle(
                "a bookmark and an event handle were expected",
            ));
        };
        bookmark.lock().update(event);
        Ok(())
    })())
}

/// EvtOpenChannelEnum: the session's channel names, sorted as Windows sorts them.
pub fn EvtOpenChannelEnum(session: EVT_HANDLE, flags: u32) -> EVT_HANDLE {
    status::handle((|| -> Outcome<EVT_HANDLE> {
        let _fault = faults::enter("EvtOpenChannelEnum", |a| {
            a.handle("Session", session).u32("Flags", flags);
        })?;
        let engine = self::session(session)?.engine().clone();
        if flags != 0 {
            return Err(invalid_parameter(
                "EvtOpenChannelEnum's Flags are reserved (0)",
            ));
        }
        let names = engine.channel_names();
        Ok(handles::insert(
            Object::ChannelEnum(NameEnum::new(names)),
            session,
        ))
    })())
}

/// EvtNextChannelPath: the next channel name as UTF-16 with its NUL (sizes in characters).
/// Too small is ERROR_INSUFFICIENT_BUFFER with `*used` the characters needed, and the same
/// name comes again on the retry; the end is ERROR_NO_MORE_ITEMS (259).
pub fn EvtNextChannelPath(channel_enum: EVT_HANDLE, buffer: &mut [u16], used: &mut u32) -> BOOL {
    status::boolean((|| -> Outcome {
        let _fault = faults::enter("EvtNextChannelPath", |a| {
            a.handle("ChannelEnum", channel_enum)
                .size("ChannelPathBufferSize", buffer.len());
        })?;
        let object = object(channel_enum)?;
        let Object::ChannelEnum(state) = &*object else {
            return Err(invalid_handle("a channel enumerator handle was expected"));
        };
        state.next_into(buffer, used).map_err(Fail::Code)
    })())
}
