//! EvtFormatMessage's work: an event's message, level, task, opcode, keyword, channel and
//! provider strings, a message by id, and the event's XML with `<RenderingInfo>`
//! (EvtFormatMessage as Windows documents it).
//!
//! Owns: message expansion (`expand`, `printf`), insert values (`inserts`), where each
//! string comes from (`lookup`), the system messages `%%n` falls back to (`system`), and
//! RenderingInfo (`rendering`). The engine's `PublisherMetadata` calls [`format_event`] and
//! [`format_id`] with its publisher (`None`: the default publisher) and LCID.
//!
//! Invariants:
//! - A [`Formatted`] is the text that goes in the caller's buffer before the final NUL; for
//!   keywords each string is followed by its own NUL (the buffer's terminator makes the
//!   final double NUL).
//! - Warnings (15029, 15030, 15031) never lose the text: it is returned with them.
//! - Locale errors (15033) are checked before anything is looked up.

mod expand;
mod inserts;
mod lookup;
mod printf;
mod rendering;
mod system;
#[cfg(test)]
pub(crate) mod tests;

use std::cell::RefCell;
use std::sync::Arc;

use crate::error::{Error, ErrorKind, Result};
use crate::event::{Event, Value};
use crate::publisher::Publisher;
use expand::{Compiled, Warnings};
use inserts::{Mode, ValueInserts};
use lookup::{Locale, Record};

thread_local! {
    /// Parameter resolution's two strings (kept between calls to save allocations).
    static PARAMETERS: RefCell<(String, String)> = const { RefCell::new((String::new(), String::new())) };
}

/// What to format (EVT_FORMAT_MESSAGE_FLAGS, except Id, which has its own function).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FormatWhat {
    /// EvtFormatMessageEvent (1): the event's message with its inserts.
    Event,
    /// EvtFormatMessageLevel (2).
    Level,
    /// EvtFormatMessageTask (3).
    Task,
    /// EvtFormatMessageOpcode (4).
    Opcode,
    /// EvtFormatMessageKeyword (5): one string per named keyword bit, lowest bit first.
    Keyword,
    /// EvtFormatMessageChannel (6).
    Channel,
    /// EvtFormatMessageProvider (7).
    Provider,
    /// EvtFormatMessageXml (9): the event's XML with `<RenderingInfo>`.
    Xml,
}

impl FormatWhat {
    /// The flag's value.
    pub fn flag(self) -> u32 {
        match self {
            FormatWhat::Event => 1,
            FormatWhat::Level => 2,
            FormatWhat::Task => 3,
            FormatWhat::Opcode => 4,
            FormatWhat::Keyword => 5,
            FormatWhat::Channel => 6,
            FormatWhat::Provider => 7,
            FormatWhat::Xml => 9,
        }
    }

    /// The kind of an EVT_FORMAT_MESSAGE_FLAGS value (`None` for Id (8) and unknown values).
    pub fn from_flag(flag: u32) -> Option<FormatWhat> {
        Some(match flag {
            1 => FormatWhat::Event,
            2 => FormatWhat::Level,
            3 => FormatWhat::Task,
            4 => FormatWhat::Opcode,
            5 => FormatWhat::Keyword,
            6 => FormatWhat::Channel,
            7 => FormatWhat::Provider,
            9 => FormatWhat::Xml,
            _ => return None,
        })
    }
}

/// A formatted string and the non-fatal warning that came with it, if any.
#[derive(Debug)]
pub struct Formatted {
    text: String,
    warning: Option<Error>,
}

impl Formatted {
    fn new(text: String, warning: Option<Error>) -> Formatted {
        Formatted { text, warning }
    }

    /// The text. For [`FormatWhat::Keyword`], each keyword string followed by a NUL.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text, owned.
    pub fn into_text(self) -> String {
        self.text
    }

    /// ERROR_EVT_UNRESOLVED_VALUE_INSERT (15029), ERROR_EVT_UNRESOLVED_PARAMETER_INSERT
    /// (15030) or ERROR_EVT_MAX_INSERTS_REACHED (15031): the text is complete but holds
    /// inserts or references left as written.
    pub fn warning(&self) -> Option<&Error> {
        self.warning.as_ref()
    }

    /// The strings of a keyword list (the text split at its NULs); one string otherwise.
    pub fn strings(&self) -> impl Iterator<Item = &str> {
        let text = self.text.strip_suffix('\0').unwrap_or(&self.text);
        text.split('\0').filter(|_| !self.text.is_empty())
    }
}

/// Formats `what` for `event` from `publisher` (`None`: the default publisher) in `lcid` (0:
/// the fallback chain). `values`, if not empty, replace the event's insert values (Event
/// and Xml only).
pub(crate) fn format_event(
    publisher: Option<&Arc<Publisher>>,
    lcid: u32,
    event: &Event,
    what: FormatWhat,
    values: &[Value],
) -> Result<Formatted> {
    format_event_with(publisher, lcid, event, what, values, false)
}

/// Like [`format_event`] with no values, as Windows 11 22H2 formats events read from a
/// channel (the `unreplaced-inserts` quirk): the message's `%n` inserts stay as written
/// and no 15029 warning is reported (Event and Xml; the other flags are unchanged).
pub(crate) fn format_event_unreplaced(
    publisher: Option<&Arc<Publisher>>,
    lcid: u32,
    event: &Event,
    what: FormatWhat,
) -> Result<Formatted> {
    let mut formatted = format_event_with(publisher, lcid, event, what, &[], true)?;
    if formatted
        .warning
        .as_ref()
        .is_some_and(|w| w.kind() == ErrorKind::UnresolvedValueInsert)
    {
        formatted.warning = None;
    }
    Ok(formatted)
}

fn format_event_with(
    publisher: Option<&Arc<Publisher>>,
    lcid: u32,
    event: &Event,
    what: FormatWhat,
    values: &[Value],
    unreplaced: bool,
) -> Result<Formatted> {
    if !values.is_empty() && !matches!(what, FormatWhat::Event | FormatWhat::Xml) {
        return Err(Error::with_message(
            ErrorKind::InvalidParameter,
            "Values are allowed only with EvtFormatMessageEvent, Xml and Id",
        ));
    }
    let Some(p) = publisher else {
        return rendering::default_publisher(lcid, event, what);
    };
    let loc = lookup::locale(Some(p), lcid)?;
    let record = Record::new(Some(p), event);
    match what {
        FormatWhat::Event => {
            let mut text = String::new();
            let warning = message(p, &loc, &record, values, unreplaced, &mut text)?;
            Ok(Formatted::new(text, warning))
        }
        FormatWhat::Keyword => {
            let mut text = String::new();
            lookup::keywords(Some(p), &loc, event.system.keywords.unwrap_or(0), |s| {
                text.push_str(s);
                text.push('\0');
            });
            Ok(Formatted::new(text, None))
        }
        FormatWhat::Xml => rendering::xml(p, &loc, &record, values, unreplaced),
        single => one(part(p, &loc, &record, single)),
    }
}

/// Level, Task, Opcode, Channel or Provider: one display string.
fn part<'a>(
    p: &'a Arc<Publisher>,
    loc: &'a Locale<'_>,
    record: &Record<'_>,
    what: FormatWhat,
) -> Result<&'a str> {
    let sys = &record.event.system;
    let pub_ref = Some(&**p);
    match what {
        FormatWhat::Level => {
            let value = sys.level.or(record.definition(p).map(|d| d.level as u8));
            let value = value.ok_or_else(|| lookup::not_found("the event has no level".into()))?;
            lookup::level(pub_ref, loc, value)
        }
        FormatWhat::Task => lookup::task(pub_ref, loc, record.classic, sys.task.unwrap_or(0)),
        FormatWhat::Opcode => match sys.opcode {
            Some(o) => lookup::opcode(pub_ref, loc, record.classic, o, sys.task.unwrap_or(0)),
            None => Err(lookup::not_found("the event has no opcode".into())),
        },
        FormatWhat::Channel => lookup::channel(p, loc, record),
        FormatWhat::Provider => {
            loc.item_string(p.message_id, || format!("the publisher '{}'", p.name))
        }
        FormatWhat::Event | FormatWhat::Keyword | FormatWhat::Xml => Err(Error::with_message(
            ErrorKind::InvalidParameter,
            "not a single-string flag",
        )),
    }
}

fn one(s: Result<&str>) -> Result<Formatted> {
    s.map(|s| Formatted::new(s.to_owned(), None))
}

/// EvtFormatMessageId: message `id` of `publisher` (`None`: the default publisher's Winmeta
/// strings), with `values` substituted as they are (none: the raw template, 15029 when it
/// has inserts).
pub(crate) fn format_id(
    publisher: Option<&Arc<Publisher>>,
    lcid: u32,
    id: u32,
    values: &[Value],
) -> Result<Formatted> {
    let loc = lookup::locale(publisher.map(|p| &**p), lcid)?;
    let source = match publisher {
        None => lookup::winmeta_message(id).ok_or_else(|| {
            Error::with_message(
                ErrorKind::MessageIdNotFound,
                format!("the default publisher has no message {id:#010x}"),
            )
        })?,
        Some(_) => loc.message(id)?,
    };
    let compiled = lookup::compiled(publisher, source)?;
    let refs: Vec<&Value> = values.iter().collect();
    let mut text = String::with_capacity(source.len() + 64);
    let warning = expand_into(
        publisher,
        &loc,
        &compiled,
        inserts::Source::Refs(&refs),
        None,
        Mode::Plain,
        false,
        || format!("message {id:#010x}"),
        &mut text,
    );
    Ok(Formatted::new(text, warning))
}

/// The event's message into `out`; returns its warning.
fn message(
    p: &Arc<Publisher>,
    loc: &Locale<'_>,
    record: &Record<'_>,
    values: &[Value],
    unreplaced: bool,
    out: &mut String,
) -> Result<Option<Error>> {
    let plan = lookup::plan(p, loc, record)?;
    let template = plan.template.and_then(|t| p.templates.get(t));
    out.reserve(plan.compiled.len_hint());
    let override_values: Vec<&Value>;
    let source = if unreplaced {
        inserts::Source::Refs(&[])
    } else if values.is_empty() {
        inserts::Source::of_event(record.event)
    } else {
        override_values = values.iter().collect();
        inserts::Source::Refs(&override_values)
    };
    Ok(expand_into(
        Some(p),
        loc,
        &plan.compiled,
        source,
        template,
        Mode::Typed,
        !values.is_empty(),
        || "the event's message".to_owned(),
        out,
    ))
}

#[allow(clippy::too_many_arguments)]
fn expand_into(
    publisher: Option<&Arc<Publisher>>,
    loc: &Locale<'_>,
    compiled: &Compiled,
    values: inserts::Source<'_>,
    template: Option<&crate::publisher::Template>,
    mode: Mode,
    override_values: bool,
    what: impl FnOnce() -> String,
    out: &mut String,
) -> Option<Error> {
    let start = out.len();
    let mut warnings = Warnings::default();
    let mut inserts = ValueInserts {
        values,
        template,
        publisher: publisher.map(|p| &**p),
        locale: loc,
        mode,
        override_values,
    };
    compiled.expand(&mut inserts, out, &mut warnings);
    if expand::has_reference(&out[start..]) {
        PARAMETERS.with(|scratch| {
            let (text, spare) = &mut *scratch.borrow_mut();
            text.clear();
            text.push_str(&out[start..]);
            expand::resolve_parameters(
                text,
                spare,
                |n| {
                    u32::try_from(n)
                        .ok()
                        .and_then(|n| loc.parameters.and_then(|t| t.get(&n)))
                        .map(String::as_str)
                        .or_else(|| system::message(n))
                },
                &mut warnings,
            );
            out.truncate(start);
            out.push_str(text);
        });
    }
    let len = start + expand::trim_line_end(&out[start..]).len();
    out.truncate(len);
    warnings.to_error(what)
}
