//! Shortcuts of the event XML parser for markup in exactly the shape Windows renders:
//! `<Data Name='n'>text</Data>` and System children such as `<Level>4</Level>` or
//! `<Execution ProcessID='4' ThreadID='8'/>`, each read in one step instead of token by token
//! (System children through the memo of [`segments`](super::segments) where a run of them was
//! met before); Windows' head `<Event xmlns='…'><System>`, the seam `</System><EventData>`
//! and the tail `</EventData></Event>`, opened and closed as the general path does it; and the
//! thread's memo of `<Data>` names.
//!
//! Invariant: a shortcut reads only markup whose general reading it repeats exactly (no
//! reference but in a `<Data>` text, resolved by the general path's own function; no
//! whitespace that is formatting, no repeated attribute, letters-only names, single quotes,
//! the matching end tag right after the text), and otherwise reads nothing and leaves the
//! input to the general path. The parser's tests compare the whole parser,
//! shortcuts included, with the oracle.

use std::borrow::Cow;
use std::sync::Arc;

use super::segments::{segment_at, Segments};
use super::{same, same_bytes, system, Open, Parser, Role};
use crate::event::xml::lexer::{find2, unescape};
use crate::event::xml::memo::{bytes_same, spread};
use crate::event::{
    Body, Correlation, DataItem, EventData, Execution, System, SystemChild, Text, Value,
};

impl<'a> Parser<'a> {
    /// `<Data Name='n'>text</Data>` or `<Data>text</Data>` in `<EventData>`, read in one step:
    /// the general path gives the same item (the tests hold them equal). False, having read
    /// nothing, for any other markup. The name is first compared with the one the template's
    /// last event had at this position (kept by the [`segments`](super::segments) memo),
    /// and only where that differs found by a scan and the memo of names.
    pub(super) fn data_shortcut(&mut self) -> bool {
        let (s, p) = self.lexer.at();
        let b = s.as_bytes();
        let rest = &b[p..];
        if rest.first() == Some(&b'<') && rest.get(1) == Some(&b'/') {
            return self.tail_shortcut(rest);
        }
        let (name, text_start) = if rest.starts_with(b"<Data Name='") {
            let from = p + 12;
            let at = self.lists.items.len();
            // The name the template's last event had here, if the text holds it: found
            // where the scan below would find it, as it holds no `'` or `&`.
            let expected = self
                .template
                .and_then(|t| self.lists.segments.name_at(t, at));
            let (name, quote) = match expected {
                Some(name)
                    if b.get(from + name.len()) == Some(&b'\'')
                        && bytes_same(name.as_bytes(), &b[from..from + name.len()]) =>
                {
                    (Arc::clone(name), from + name.len())
                }
                _ => {
                    let Some(quote) = find2(b, from, b'\'', b'&') else {
                        return false;
                    };
                    if b[quote] != b'\'' {
                        return false;
                    }
                    let name = self.lists.names.shared(&s[from..quote]);
                    if let Some(t) = self.template {
                        self.lists.segments.set_name(t, at, &name);
                    }
                    (name, quote)
                }
            };
            if b.get(quote + 1) != Some(&b'>') {
                return false;
            }
            (Some(name), quote + 2)
        } else if rest.starts_with(b"<Data>") {
            (None, p + 6)
        } else {
            return false;
        };
        let Some((end, after, amp)) = data_text(b, text_start) else {
            return false;
        };
        let raw = &s[text_start..end];
        let value = if amp {
            // As the general path reads the text: references resolved, and a bad one
            // left to it to report.
            match unescape(raw) {
                Ok(text) => Text::from(text),
                Err(_) => return false,
            }
        } else {
            Text::from(raw)
        };
        self.lexer.skip_to(after);
        let item = DataItem::Data {
            name,
            value: Value::String(value),
        };
        self.push_item(item);
        true
    }

    /// `<Event xmlns='…'><System>` as Windows writes it, at the start: the root and System
    /// opened as the general path opens them (no attribute but the event namespace).
    pub(super) fn head_shortcut(&mut self) -> bool {
        const HEAD: &str = concat!(
            "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>",
            "<System>"
        );
        let (s, p) = self.lexer.at();
        if !s[p..].starts_with(HEAD) {
            return false;
        }
        let system = p + HEAD.len() - "<System>".len();
        self.root_seen = true;
        self.lists.open.push(Open {
            name: &s[p + 1..p + 6],
            offset: p,
            role: Role::Root,
        });
        self.saw_system = true;
        self.lists.open.push(Open {
            name: &s[system + 1..system + 7],
            offset: system,
            role: Role::System,
        });
        self.lexer.skip_to(p + HEAD.len());
        true
    }

    /// `</EventData></Event>` closing the EventData and root the general path opened
    /// (named exactly so), as the general path closes them.
    fn tail_shortcut(&mut self, rest: &[u8]) -> bool {
        const TAIL: &[u8] = b"</EventData></Event>";
        let n = self.lists.open.len();
        if !rest.starts_with(TAIL)
            || n != 2
            || !same(self.lists.open[1].name, "EventData")
            || !same(self.lists.open[0].name, "Event")
        {
            return false;
        }
        let (_, p) = self.lexer.at();
        self.close(false);
        self.close(false);
        self.lexer.skip_to(p + TAIL.len());
        true
    }

    /// `</System><EventData>` where System holds an EventID and no body came before: System
    /// closed and EventData opened as the general path does it.
    fn system_to_data_shortcut(&mut self, p: usize) -> bool {
        const SEAM: &str = "</System><EventData>";
        let (s, _) = self.lexer.at();
        if !s[p..].starts_with(SEAM)
            || !self.saw_event_id
            || self.saw_body
            || self.lists.open.len() != 2
            || !same(self.lists.open[1].name, "System")
        {
            return false;
        }
        self.close(false);
        self.saw_body = true;
        self.event.body = Body::EventData(EventData::default());
        let data = p + "</System>".len();
        self.lists.open.push(Open {
            name: &s[data + 1..data + 10],
            offset: data,
            role: Role::EventData,
        });
        self.lexer.skip_to(p + SEAM.len());
        true
    }

    /// A System child as Windows writes it, `<Name key='value'…/>` or
    /// `<Name key='value'…>text</Name>` (no reference, no other markup inside), read in one
    /// step as [`data_shortcut`](Self::data_shortcut) reads Data.
    ///
    /// A segment of children read before (see [`segments`](super::segments)) is not read
    /// again: its fields are copied; one read whole here is stored for the next event.
    pub(super) fn system_shortcut(&mut self) -> bool {
        let (s, p) = self.lexer.at();
        let b = s.as_bytes();
        if b.get(p + 1) == Some(&b'/') {
            self.recording = None;
            return self.system_to_data_shortcut(p);
        }
        if self.recording.is_none() {
            if let Some((child, after)) = per_event_child(s, p, &mut self.event.system) {
                self.seen |= child.bit();
                self.lexer.skip_to(after);
                return true;
            }
            if let Some((end, slot)) = segment_at(b, p) {
                let system = &mut self.event.system;
                if let Some(mask) = self
                    .lists
                    .segments
                    .apply(b, p, end, slot, self.seen, system)
                {
                    if mask & SystemChild::Provider.bit() != 0 {
                        self.template = Some(slot);
                    }
                    self.seen |= mask;
                    if mask & SystemChild::EventId.bit() != 0 {
                        self.saw_event_id = true;
                    }
                    self.lexer.skip_to(end);
                    return true;
                }
                self.recording = Some(Segments::record(p, end, slot));
            }
        }
        let mut attrs = std::mem::take(&mut self.lists.attrs);
        attrs.clear();
        let read = system_markup(s, p, &mut attrs);
        let done = match read {
            Some((child, name, text, after)) => {
                self.lexer.skip_to(after);
                let content = system::Content {
                    text: Cow::Borrowed(text),
                    nonleaf: false,
                    any: !text.is_empty(),
                };
                let system = &mut self.event.system;
                let result = system::attributes(child, name, &attrs, system)
                    .and_then(|()| system::content(child, name, content, system));
                let seen = self.seen;
                self.seen |= child.bit();
                match result {
                    Ok(()) => {
                        if child == SystemChild::EventId {
                            self.saw_event_id = true;
                        }
                        if let Some(rec) = &mut self.recording {
                            match rec.add(child, after, seen) {
                                Some(true) => {
                                    let rec = *rec;
                                    self.recording = None;
                                    self.lists.segments.store(b, &rec, &self.event.system);
                                }
                                Some(false) => {}
                                None => self.recording = None,
                            }
                        }
                    }
                    Err(message) => {
                        self.recording = None;
                        self.defer(p, message);
                    }
                }
                true
            }
            None => {
                self.recording = None;
                false
            }
        };
        self.lists.attrs = attrs;
        done
    }
}

/// The System children that change from event to event, in exactly Windows' commonest
/// shapes: `<TimeCreated SystemTime='t'/>`, `<EventRecordID>n</EventRecordID>`,
/// `<Execution ProcessID='p' ThreadID='t'/>` and `<Correlation/>`, matched as whole
/// literals (no name scan, no attribute list, no dispatch on the key) and set as
/// [`system::attributes`] and [`system::content`] set them. Gives the child and the offset
/// after it; `None`, having set nothing, where anything differs (another attribute, a
/// reference, a value those functions refuse): [`system_markup`] and the general path read
/// it and report any error.
#[inline]
fn per_event_child(s: &str, p: usize, system: &mut System) -> Option<(SystemChild, usize)> {
    const TIME: &[u8] = b"<TimeCreated SystemTime='";
    const RECORD: &[u8] = b"<EventRecordID>";
    const EXECUTION: &[u8] = b"<Execution ProcessID='";
    const THREAD: &[u8] = b"' ThreadID='";
    const CORRELATION: &[u8] = b"<Correlation/>";
    let b = s.as_bytes();
    let rest = &b[p..];
    // An attribute value: up to the next `'`, refused where a reference comes first.
    let value = |from: usize| -> Option<usize> {
        let quote = find2(b, from, b'\'', b'&')?;
        (b[quote] == b'\'').then_some(quote)
    };
    if rest.starts_with(TIME) {
        let from = p + TIME.len();
        let quote = value(from)?;
        if b.get(quote + 1..quote + 3) != Some(b"/>".as_slice()) {
            return None;
        }
        system.time_created = Some(system::system_time(&s[from..quote])?);
        Some((SystemChild::TimeCreated, quote + 3))
    } else if rest.starts_with(RECORD) {
        let from = p + RECORD.len();
        let (end, after) = simple_text(b, from, b"EventRecordID")?;
        // `content` trims the text before reading its digits.
        system.event_record_id = Some(system::digits(s[from..end].trim())?);
        Some((SystemChild::EventRecordId, after))
    } else if rest.starts_with(EXECUTION) {
        let from = p + EXECUTION.len();
        let quote = value(from)?;
        if b.get(quote..quote + THREAD.len()) != Some(THREAD) {
            return None;
        }
        let thread = quote + THREAD.len();
        let end = value(thread)?;
        if b.get(end + 1..end + 3) != Some(b"/>".as_slice()) {
            return None;
        }
        let process_id = system::digits(&s[from..quote])?;
        let thread_id = system::digits(&s[thread..end])?;
        system.execution = Some(Execution {
            process_id,
            thread_id,
            ..Execution::default()
        });
        Some((SystemChild::Execution, end + 3))
    } else if rest.starts_with(CORRELATION) {
        system.correlation = Some(Correlation::default());
        Some((SystemChild::Correlation, p + CORRELATION.len()))
    } else {
        None
    }
}

/// The text of a whole `<X>text</X>` at the lexer, X being `name`: the text, and the
/// offset after `</X>`. `None` where anything else is there (an attribute, a reference, a
/// child, whitespace that is formatting, another end tag): the general path reads it.
#[inline]
fn simple_text(b: &[u8], from: usize, name: &[u8]) -> Option<(usize, usize)> {
    let end = find2(b, from, b'<', b'&')?;
    let close = end + 3 + name.len();
    if b[end] != b'<'
        || b.len() < close
        || b[end + 1] != b'/'
        || !same_bytes(&b[end + 2..close - 1], name)
        || b[close - 1] != b'>'
    {
        return None;
    }
    if formatting(&b[from..end]) {
        return None;
    }
    Some((end, close))
}

/// [`simple_text`] of `<Data>`: the end tag compared whole, a fixed-size comparison the
/// compiler makes two loads (the general one compares the name byte by byte). A text
/// holding a reference is taken too (the third value says so: the caller resolves it).
#[inline]
fn data_text(b: &[u8], from: usize) -> Option<(usize, usize, bool)> {
    let mut end = find2(b, from, b'<', b'&')?;
    let amp = b[end] == b'&';
    if amp {
        end = find2(b, end, b'<', b'<')?;
    }
    let close = end + b"</Data>".len();
    if b.get(end..close) != Some(b"</Data>".as_slice()) || formatting(&b[from..end]) {
        return None;
    }
    Some((end, close, amp))
}

/// Whitespace-only text with a line break: formatting, which the general path drops.
#[inline]
fn formatting(text: &[u8]) -> bool {
    !text.is_empty()
        && text.iter().all(u8::is_ascii_whitespace)
        && text.iter().any(|&c| c == b'\n' || c == b'\r')
}

/// The end of the run of ASCII letters from `i`.
#[inline]
fn letters(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_alphabetic() {
        i += 1;
    }
    i
}

/// A System child at `p` in Windows' shape: `<Name` in letters, then ` key='value'` pairs
/// (letters, single quotes, no reference, no repeated key) into `attrs`, then `/>` or
/// `>text</Name>` with text as [`simple_text`] takes it. Gives the child, its name, its
/// text and the offset after it; `None` for anything else (the general path reads it).
fn system_markup<'a>(
    s: &'a str,
    p: usize,
    attrs: &mut Vec<(&'a str, Cow<'a, str>)>,
) -> Option<(SystemChild, &'a str, &'a str, usize)> {
    let b = s.as_bytes();
    if b.get(p) != Some(&b'<') {
        return None;
    }
    let name_end = letters(b, p + 1);
    let name = &s[p + 1..name_end];
    let child = SystemChild::from_name(name)?;
    let mut i = name_end;
    while b.get(i) == Some(&b' ') {
        let key_end = letters(b, i + 1);
        if key_end == i + 1 || b.get(key_end) != Some(&b'=') || b.get(key_end + 1) != Some(&b'\'') {
            return None;
        }
        let from = key_end + 2;
        let quote = find2(b, from, b'\'', b'&')?;
        let key = &s[i + 1..key_end];
        if b[quote] != b'\'' || attrs.iter().any(|(k, _)| same(k, key)) {
            return None;
        }
        attrs.push((key, Cow::Borrowed(&s[from..quote])));
        i = quote + 1;
    }
    match b.get(i) {
        Some(b'/') if b.get(i + 1) == Some(&b'>') => Some((child, name, "", i + 2)),
        Some(b'>') => {
            let (end, after) = simple_text(b, i + 1, name.as_bytes())?;
            Some((child, name, &s[i + 1..end], after))
        }
        _ => None,
    }
}

/// The thread's memo of `<Data>` names: slots (enough for the names of a few dozen
/// templates) holding the names last seen, so the names of one template are allocated once,
/// not once per event. The parser takes it from the thread for the
/// event with its other lists and gives it back (one thread-local access per event).
#[derive(Default)]
pub(super) struct Names(Vec<Option<Arc<str>>>);

impl Names {
    const SLOT_BITS: u32 = 9;
    const SLOTS: usize = 1 << Self::SLOT_BITS;

    pub(super) const fn new() -> Names {
        Names(Vec::new())
    }

    /// `name`, shared with the events before it.
    pub(super) fn shared(&mut self, name: &str) -> Arc<str> {
        if self.0.is_empty() {
            self.0 = vec![None; Self::SLOTS];
        }
        // The length and eight bytes from each end (fixed-size loads; shorter names fold
        // byte by byte) pick the slot; the slot never decides equality, the full comparison
        // does.
        let b = name.as_bytes();
        let n = b.len();
        let mixed = if n >= 8 {
            let head = u64::from_le_bytes(b[..8].try_into().unwrap_or_default());
            let tail = u64::from_le_bytes(b[n - 8..].try_into().unwrap_or_default());
            head ^ tail.rotate_left(29)
        } else {
            b.iter().fold(0u64, |h, &c| (h << 8) | u64::from(c))
        };
        let slot = &mut self.0[spread(mixed.wrapping_add(n as u64), Self::SLOT_BITS)];
        match slot {
            Some(shared) if bytes_same(shared.as_bytes(), b) => Arc::clone(shared),
            _ => {
                let shared: Arc<str> = Arc::from(name);
                *slot = Some(Arc::clone(&shared));
                shared
            }
        }
    }
}
