//! `<RenderingInfo>`: EvtFormatMessageXml's output (the event's XML with RenderingInfo as
//! the last child of `<Event>`), and formatting with the
//! default publisher, where a forwarded event's own RenderingInfo supplies the strings.
//!
//! Invariants:
//! - Children in Windows' order: Message, Level, Task, Opcode, Channel, Provider, Keywords;
//!   a part without a string is an empty element (`<Task></Task>`), never omitted.
//! - Text is escaped as the event renderer escapes it (CR LF as `&#13;&#10;`, one line).

use std::cell::RefCell;
use std::sync::Arc;

use super::lookup::{self, Locale, Record};
use super::{message, part, FormatWhat, Formatted};
use crate::error::{Error, ErrorKind, Result};
use crate::event::xml::{push_escaped, write_event};
use crate::event::{Element, Event, Node};
use crate::publisher::Publisher;

thread_local! {
    /// The message being placed in RenderingInfo (kept between calls to save allocations).
    static MESSAGE: RefCell<String> = const { RefCell::new(String::new()) };
}

/// True for the errors that leave a part empty rather than fail the whole call.
fn missing(e: &Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::MessageNotFound | ErrorKind::MessageIdNotFound
    )
}

/// The event's XML without its own RenderingInfo, `</Event>` left off.
fn event_open(event: &Event, out: &mut String) {
    if event.rendering_info.is_some() {
        let mut plain = event.clone();
        plain.rendering_info = None;
        write_event(out, &plain);
    } else {
        write_event(out, event);
    }
    out.truncate(out.len() - "</Event>".len());
}

fn element(out: &mut String, name: &str, text: Result<&str>) -> Result<()> {
    out.push('<');
    out.push_str(name);
    out.push('>');
    match text {
        Ok(s) => push_escaped(out, s),
        Err(e) if missing(&e) => {}
        Err(e) => return Err(e),
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
    Ok(())
}

/// EvtFormatMessageXml with a publisher.
pub(super) fn xml(
    p: &Arc<Publisher>,
    loc: &Locale<'_>,
    record: &Record<'_>,
    values: &[crate::event::Value],
    unreplaced: bool,
) -> Result<Formatted> {
    let mut out = String::with_capacity(4096);
    event_open(record.event, &mut out);
    out.push_str("<RenderingInfo Culture='");
    push_escaped(&mut out, loc.culture);
    out.push_str("'><Message>");
    let warning = MESSAGE.with(|m| -> Result<Option<Error>> {
        let mut m = m.borrow_mut();
        m.clear();
        match message(p, loc, record, values, unreplaced, &mut m) {
            Ok(w) => {
                push_escaped(&mut out, &m);
                Ok(w)
            }
            Err(e) if missing(&e) => Ok(None),
            Err(e) => Err(e),
        }
    })?;
    out.push_str("</Message>");
    for (name, what) in [
        ("Level", FormatWhat::Level),
        ("Task", FormatWhat::Task),
        ("Opcode", FormatWhat::Opcode),
        ("Channel", FormatWhat::Channel),
        ("Provider", FormatWhat::Provider),
    ] {
        element(&mut out, name, part(p, loc, record, what))?;
    }
    out.push_str("<Keywords>");
    lookup::keywords(
        Some(p),
        loc,
        record.event.system.keywords.unwrap_or(0),
        |k| {
            out.push_str("<Keyword>");
            push_escaped(&mut out, k);
            out.push_str("</Keyword>");
        },
    );
    out.push_str("</Keywords></RenderingInfo></Event>");
    Ok(Formatted::new(out, warning))
}

/// The text of a RenderingInfo child (its text nodes, concatenated).
fn child_text(info: &Element, name: &str) -> Option<String> {
    let e = info.elements().find(|e| e.name == name)?;
    let mut text = String::new();
    for n in &e.children {
        if let Node::Value(v) = n {
            v.write_text(&mut text);
        }
    }
    (!text.is_empty()).then_some(text)
}

/// Formatting with the default publisher (NULL metadata): a forwarded event's RenderingInfo,
/// else Winmeta for Level, Task, Opcode and Keyword. Channel, Provider and Xml need a
/// publisher (the default-render call rejects them: ERROR_INVALID_PARAMETER).
pub(super) fn default_publisher(lcid: u32, event: &Event, what: FormatWhat) -> Result<Formatted> {
    let loc = lookup::locale(None, lcid)?;
    if let Some(info) = &event.rendering_info {
        let missing =
            |name: &str| lookup::not_found(format!("the event's RenderingInfo has no {name}"));
        let text = |name: &str| {
            child_text(info, name)
                .map(|t| Formatted::new(t, None))
                .ok_or_else(|| missing(name))
        };
        return match what {
            FormatWhat::Event => text("Message"),
            FormatWhat::Level => text("Level"),
            FormatWhat::Task => text("Task"),
            FormatWhat::Opcode => text("Opcode"),
            FormatWhat::Channel => text("Channel"),
            FormatWhat::Provider => text("Provider"),
            FormatWhat::Keyword => {
                let mut out = String::new();
                if let Some(k) = info.elements().find(|e| e.name == "Keywords") {
                    for kw in k.elements().filter(|e| e.name == "Keyword") {
                        for n in &kw.children {
                            if let Node::Value(v) = n {
                                v.write_text(&mut out);
                            }
                        }
                        out.push('\0');
                    }
                }
                Ok(Formatted::new(out, None))
            }
            FormatWhat::Xml => Ok(Formatted::new(event.to_xml(), None)),
        };
    }
    let record = Record::new(None, event);
    let sys = &event.system;
    let one = |s: Result<&str>| s.map(|s| Formatted::new(s.to_owned(), None));
    match what {
        FormatWhat::Level => match sys.level {
            Some(l) => one(lookup::level(None, &loc, l)),
            None => Err(lookup::not_found("the event has no level".into())),
        },
        FormatWhat::Task => one(lookup::task(None, &loc, record.classic, sys.task.unwrap_or(0))),
        FormatWhat::Opcode => match sys.opcode {
            Some(o) => one(lookup::opcode(None, &loc, record.classic, o, 0)),
            None => Err(lookup::not_found("the event has no opcode".into())),
        },
        FormatWhat::Keyword => {
            let mut out = String::new();
            lookup::keywords(None, &loc, sys.keywords.unwrap_or(0), |s| {
                out.push_str(s);
                out.push('\0');
            });
            Ok(Formatted::new(out, None))
        }
        FormatWhat::Event => Err(lookup::not_found(
            "the default publisher has no event messages (open the event's publisher)".into(),
        )),
        FormatWhat::Channel | FormatWhat::Provider | FormatWhat::Xml => Err(Error::with_message(
            ErrorKind::InvalidParameter,
            "the default publisher formats only Event, Level, Task, Opcode, Keyword and Id; open the event's publisher",
        )),
    }
}
