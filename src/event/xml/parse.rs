//! Parses event XML into an [`Event`].
//!
//! One pass: the [`lexer`](super::lexer) splits the text into tokens over the borrowed input
//! and each token goes straight into the typed model, by the role its element plays (the
//! root, `<System>`, one System child from the [`SystemChild`] table, `<EventData>`, a
//! `<Data>` or `<Binary>` item, a generic element tree for UserData, RenderingInfo and
//! other sections, or markup whose content the model does not keep). No tree is built
//! first; text and attribute values stay borrowed until a field owns them; the names of
//! `<Data>` come from a small per-thread memo of shared names, and EventData's items gather
//! in a per-thread scratch list that moves into a recycled list of the event (see
//! [`items`](crate::event::items)). Markup in exactly
//! Windows' shape (`<Data Name='n'>text</Data>`, System children) takes the shortcuts of
//! [`shortcuts`], which give what the general path gives, and runs of System children met
//! before (a provider's header, the channel and computer, the user) are copied from the
//! thread's memo of [`segments`]; generic trees and the text of
//! leaves are [`tree`]'s. Every failure is an
//! [`ErrorKind::MalformedXml`] error (ERROR_EVT_MALFORMED_XML_TEXT, 15008) with the 1-based
//! line and column of the offending markup.
//!
//! Accepted beyond Windows' exact rendering: an XML declaration, comments, double-quoted
//! attributes, indentation (whitespace-only text containing a line break is formatting, not
//! content), either GUID case, 0 to 9 fractional second digits, empty attribute values where
//! a value is optional (`Qualifiers=''`, as python-evtx writes).
//!
//! Which error wins where an input has several: any error of the markup (well-formedness,
//! names, attributes, references, depth) anywhere in the input, first in the text, before
//! any error of the model. Errors of the model are kept until the end and reported in the
//! order the model is read: an element before its children, and unexpected text directly in
//! `<Event>`, `<System>` or `<EventData>` before anything inside that element's children.
//! This is the order of the parser this one replaced (a tree first, then a mapping of it),
//! which the tests keep as an oracle and compare on generated, mutated and hostile inputs.
//!
//! Bounded depth: elements nest at most [`MAX_XML_DEPTH`] deep (deeper fails with 15008 at
//! the element that goes over). Open elements are on a heap stack; every later walk of an
//! event (rendering, queries, drop) recurses once per level, which the limit bounds.

use std::borrow::Cow;
use std::cell::Cell;

use quick_xml::events::Event as XmlEvent;
use quick_xml::Reader;

use super::lexer::{unescape, Attributes, Lexer, Token};
use super::system;
use segments::{Recording, Segments};
use shortcuts::Names;
use tree::{Frame, Leaf};

mod segments;
mod shortcuts;
mod tree;
use crate::error::{Error, ErrorKind, Result};
use crate::event::{Body, DataItem, Event, EventData, Node, SystemChild, Text, Value};

/// The deepest nesting of elements event XML may have: the `<Event>` root is level 1.
/// Windows' events nest a handful of levels (`<Event><UserData><X xmlns=…><Field>` is four;
/// none of the reference samples passes ten), so this is far above what Windows writes, and
/// it keeps every walk of a parsed event within a small thread stack. (A corrupt EVTX record
/// may expand deeper, up to the BinXml reader's own limit.)
pub const MAX_XML_DEPTH: usize = 128;

/// Parses one event from `text`.
pub(crate) fn parse_event(text: &str) -> Result<Event> {
    Parser::new(text).run()
}

/// Turns a byte offset into a 1-based (line, column), column counted in characters.
pub(crate) fn line_column(text: &str, offset: usize) -> (u32, u32) {
    let offset = offset.min(text.len());
    // Step back to a char boundary so slicing cannot fail.
    let offset = (0..=offset)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (saturate(line), saturate(column))
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// A MalformedXml error at byte `offset` of `text`.
pub(crate) fn malformed(text: &str, offset: usize, message: impl Into<String>) -> Error {
    let (line, column) = line_column(text, offset);
    Error::at_text(ErrorKind::MalformedXml, line, column, message)
}

/// The next event of `reader` over `text` and the byte offset where it starts; a parse
/// error is MalformedXml at its position. The one way evtlog's quick-xml readers (bookmarks,
/// structured queries) step.
pub(crate) fn next_event<'a>(
    reader: &mut Reader<&'a [u8]>,
    text: &str,
) -> Result<(usize, XmlEvent<'a>)> {
    let start = pos(reader.buffer_position());
    let event = reader.read_event().map_err(|e| {
        malformed(
            text,
            pos(reader.error_position()),
            format!("not well-formed XML: {e}"),
        )
    })?;
    Ok((start, event))
}

pub(super) fn pos(p: u64) -> usize {
    usize::try_from(p).unwrap_or(usize::MAX)
}

/// An XML 1.0 Name, loosely: a letter, `_` or `:` (or any non-ASCII character) first, then
/// also digits, `-` and `.`. Markup such as `<\n/>` reads as an element named "", and a name
/// let through must render to XML that reads back.
pub(super) fn is_xml_name(name: &str) -> bool {
    let b = name.as_bytes();
    b.first()
        .is_some_and(|&c| c.is_ascii_alphabetic() || c == b'_' || c == b':' || c >= 0x80)
        && b[1..].iter().all(|&c| {
            c.is_ascii_alphanumeric() || matches!(c, b'_' | b':' | b'-' | b'.') || c >= 0x80
        })
}

/// The local part of a possibly prefixed name.
#[inline]
pub(super) fn local(name: &str) -> &str {
    // Names are short: a plain loop beats a call to a searcher.
    match name.bytes().rposition(|b| b == b':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// `a == b`, inline: names are short, where a call to `memcmp` costs more than the loop.
#[inline]
fn same(a: &str, b: &str) -> bool {
    same_bytes(a.as_bytes(), b.as_bytes())
}

#[inline]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

/// What an open element is to the model.
#[derive(Clone, Copy)]
enum Role {
    /// `<Event>`.
    Root,
    System,
    /// A child of `<System>`: its attributes are read at the start, its text at the end.
    Child(SystemChild),
    EventData,
    /// A `<Data [Name]>` child of EventData, while it holds only text.
    Data,
    /// A `<Binary>` child of EventData, while it holds only text.
    Binary,
    /// An element of a generic tree (the top of `frames`).
    Generic,
    /// Markup the model does not keep (still read and checked).
    Skip,
}

struct Open<'a> {
    name: &'a str,
    offset: usize,
    role: Role,
}

/// Where the generic tree being built goes.
#[derive(Clone, Copy)]
enum Dest {
    RenderingInfo,
    UserData,
    Other,
    Item,
}

struct Parser<'a> {
    /// The whole input: error positions are computed on it.
    text: &'a str,
    lexer: Lexer<'a>,
    /// The thread's lists and memos, given back when the parser is dropped.
    lists: Lists<'a>,
    leaf: Leaf<'a>,
    frames: Vec<Frame>,
    dest: Dest,
    event: Event,
    root_seen: bool,
    saw_system: bool,
    saw_rendering_info: bool,
    saw_body: bool,
    saw_event_id: bool,
    /// The first model error (in the order the model is read).
    deferred: Option<Error>,
    /// The System children read so far (their [`SystemChild::bit`]s).
    seen: u16,
    /// The System segment the shortcuts are reading, to be stored when read whole.
    recording: Option<Recording>,
    /// The memo slot of this event's Provider segment, when it was copied from the memo:
    /// its entry keeps the `<Data>` names of the template's last event.
    template: Option<usize>,
}

/// A parser's lists and memos, taken from the thread's [`Scratch`] and given back when
/// dropped (the parser itself has no drop, so that its event moves out whole).
struct Lists<'a> {
    open: Vec<Open<'a>>,
    /// The attributes of the element being opened (reused).
    attrs: Vec<(&'a str, Cow<'a, str>)>,
    /// The `<Data>` names memo.
    names: Names,
    /// The items of the open EventData.
    items: Vec<DataItem>,
    /// The memo of System segments.
    segments: Segments,
}

/// What the thread keeps between events, taken by a parser for one event and given back
/// (one thread-local access each way): the lists, so that parsing one allocates none of them
/// (EventData's items, the open elements, the attributes of a tag), and the memos of Data
/// names and System segments.
#[derive(Default)]
struct Scratch {
    items: Vec<DataItem>,
    open: Vec<Open<'static>>,
    attrs: Vec<(&'static str, Cow<'static, str>)>,
    names: Names,
    segments: Segments,
}

thread_local! {
    static SCRATCH: Cell<Scratch> = const {
        Cell::new(Scratch {
            items: Vec::new(),
            open: Vec::new(),
            attrs: Vec::new(),
            names: Names::new(),
            segments: Segments::new(),
        })
    };
}

/// `list` emptied, its allocation kept for the same type borrowing for another lifetime
/// (collecting a `vec::IntoIter` that yields nothing reuses its buffer when the layouts
/// match, as they do here).
fn recycle<T, U>(list: Vec<T>) -> Vec<U> {
    list.into_iter().filter_map(|_| None).collect()
}

impl Drop for Lists<'_> {
    fn drop(&mut self) {
        let mut items = std::mem::take(&mut self.items);
        items.clear();
        let scratch = Scratch {
            // Lists grown by a huge event are not kept.
            items: if items.capacity() <= 4096 {
                items
            } else {
                Vec::new()
            },
            open: recycle(std::mem::take(&mut self.open)),
            attrs: if self.attrs.capacity() <= 64 {
                recycle(std::mem::take(&mut self.attrs))
            } else {
                Vec::new()
            },
            names: std::mem::take(&mut self.names),
            segments: std::mem::take(&mut self.segments),
        };
        let _ = SCRATCH.try_with(|s| s.set(scratch));
    }
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Parser<'a> {
        // A byte order mark is skipped, and offsets count from after it (as they always have).
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        let scratch = SCRATCH.try_with(Cell::take).unwrap_or_default();
        Parser {
            text,
            lexer: Lexer::new(body),
            lists: Lists {
                open: recycle(scratch.open),
                attrs: recycle(scratch.attrs),
                names: scratch.names,
                items: scratch.items,
                segments: scratch.segments,
            },
            leaf: Leaf::default(),
            frames: Vec::new(),
            dest: Dest::Item,
            event: Event::default(),
            root_seen: false,
            saw_system: false,
            saw_rendering_info: false,
            saw_body: false,
            saw_event_id: false,
            deferred: None,
            seen: 0,
            recording: None,
            template: None,
        }
    }

    fn err(&self, offset: usize, message: impl Into<String>) -> Error {
        malformed(self.text, offset, message)
    }

    fn run(mut self) -> Result<Event> {
        loop {
            if self.deferred.is_none() && self.lists.open.len() < MAX_XML_DEPTH {
                let shortcut = match self.lists.open.last().map(|o| o.role) {
                    Some(Role::EventData) => self.data_shortcut(),
                    Some(Role::System) => self.system_shortcut(),
                    None if !self.root_seen => self.head_shortcut(),
                    _ => false,
                };
                if shortcut {
                    continue;
                }
            }
            let (start, token) = self
                .lexer
                .next()
                .map_err(|e| self.err(e.at, format!("not well-formed XML: {}", e.message)))?;
            match token {
                Token::Text { raw, amp } => self.text(start, raw, amp)?,
                Token::Start { content, name_len } => {
                    self.start(start, content, name_len, false)?
                }
                Token::Empty { content, name_len } => {
                    self.start(start, content, name_len, true)?;
                    self.close(true);
                }
                Token::End(name) => match self.lists.open.last() {
                    Some(top) if same(top.name, name) => self.close(false),
                    Some(top) => {
                        let message = format!(
                            "not well-formed XML: expected </{}>, found </{name}>",
                            top.name
                        );
                        return Err(self.err(start, message));
                    }
                    None => {
                        let message = format!("not well-formed XML: </{name}> closes nothing");
                        return Err(self.err(start, message));
                    }
                },
                Token::CData(data) => self.cdata(start, data)?,
                Token::Pi { target, content } => self.pi(target, content),
                Token::Skip => {}
                Token::Eof => break,
            }
        }
        if let Some(open) = self.lists.open.last() {
            return Err(self.err(
                self.text.len(),
                format!("unexpected end of input: <{}> is not closed", open.name),
            ));
        }
        if !self.root_seen {
            return Err(self.err(self.text.len(), "no root element"));
        }
        match self.deferred.take() {
            Some(e) => Err(e),
            None => Ok(self.event),
        }
    }

    /// Keeps the first model error.
    fn defer(&mut self, offset: usize, message: impl Into<String>) {
        if self.deferred.is_none() {
            self.deferred = Some(self.err(offset, message));
        }
    }

    /// Unexpected text or CDATA directly in `<Event>`, `<System>` or `<EventData>`: it comes
    /// before any error among the container's children, and a container has its role only
    /// while no model error is pending, so a pending one was found among its children.
    fn unexpected_text(&mut self) {
        let Some(top) = self.lists.open.last() else {
            return;
        };
        let e = self.err(top.offset, format!("unexpected text in <{}>", top.name));
        self.deferred = Some(e);
    }

    fn text(&mut self, start: usize, raw: &'a str, amp: bool) -> Result<()> {
        let Some(top) = self.lists.open.last() else {
            if raw.trim().is_empty() {
                return Ok(());
            }
            return Err(self.err(start, "text outside the root element"));
        };
        let b = raw.as_bytes();
        if b.iter().all(u8::is_ascii_whitespace) && b.iter().any(|&c| c == b'\n' || c == b'\r') {
            // Formatting.
            return Ok(());
        }
        let value = if amp {
            unescape(raw)
                .map_err(|e| self.err(start, format!("bad character or entity reference: {e}")))?
        } else {
            Cow::Borrowed(raw)
        };
        match top.role {
            Role::Root if !value.trim().is_empty() => self.unexpected_text(),
            Role::System if !value.trim().is_empty() => self.unexpected_text(),
            Role::EventData if !value.trim().is_empty() => self.unexpected_text(),
            Role::Child(_) | Role::Data | Role::Binary => self.leaf.push(value),
            Role::Generic => self.push_node(Node::Value(Value::String(value.into()))),
            _ => {}
        }
        Ok(())
    }

    fn cdata(&mut self, start: usize, data: &'a str) -> Result<()> {
        let Some(top) = self.lists.open.last() else {
            return Err(self.err(start, "CDATA outside the root element"));
        };
        match top.role {
            Role::Root => self.unexpected_text(),
            Role::System => self.unexpected_text(),
            Role::EventData => self.unexpected_text(),
            Role::Child(_) => self.leaf.nonleaf = true,
            Role::Data | Role::Binary | Role::Generic => {
                self.leaf_to_generic();
                self.push_node(Node::CData(data.to_owned()));
            }
            Role::Skip => {}
        }
        Ok(())
    }

    fn pi(&mut self, target: &'a str, content: &'a str) {
        let Some(top) = self.lists.open.last() else {
            return;
        };
        match top.role {
            Role::Child(_) => self.leaf.nonleaf = true,
            Role::Data | Role::Binary | Role::Generic => {
                self.leaf_to_generic();
                self.push_node(Node::ProcessingInstruction {
                    target: target.to_owned(),
                    data: content.trim_start().to_owned(),
                });
            }
            _ => {}
        }
    }

    /// A start or empty tag: checks its markup, then gives it its role.
    fn start(
        &mut self,
        offset: usize,
        content: &'a str,
        name_len: usize,
        empty: bool,
    ) -> Result<()> {
        if self.root_seen && self.lists.open.is_empty() {
            return Err(self.err(offset, "more than one root element"));
        }
        if self.lists.open.len() >= MAX_XML_DEPTH {
            return Err(self.err(
                offset,
                format!("elements nested deeper than {MAX_XML_DEPTH} levels"),
            ));
        }
        let name = &content[..name_len];
        if !is_xml_name(name) {
            return Err(self.err(offset, format!("<{name}> has no valid element name")));
        }
        let mut attrs = std::mem::take(&mut self.lists.attrs);
        attrs.clear();
        for attr in Attributes::new(content, name_len) {
            let bad = |what: &str| self.err(offset, format!("bad attribute in <{name}>: {what}"));
            let Ok((key, raw)) = attr else {
                return Err(bad("not `key='value'`"));
            };
            if attrs.iter().any(|(k, _)| same(k, key)) {
                return Err(bad(&format!("{key} is repeated")));
            }
            if !is_xml_name(key) {
                return Err(self.err(
                    offset,
                    format!("attribute `{key}` of <{name}> has no valid name"),
                ));
            }
            let value = if raw.as_bytes().contains(&b'&') {
                unescape(raw)
                    .map_err(|e| self.err(offset, format!("bad value of {key} in <{name}>: {e}")))?
            } else {
                Cow::Borrowed(raw)
            };
            attrs.push((key, value));
        }
        let role = match self.lists.open.last().map(|o| o.role) {
            None => {
                self.root_seen = true;
                self.root(offset, name, &attrs)
            }
            Some(Role::Root) if self.deferred.is_none() => {
                self.event_child(offset, name, &attrs, empty)
            }
            Some(Role::System) if self.deferred.is_none() => {
                self.system_child(offset, name, &attrs)
            }
            Some(Role::Child(_)) => {
                self.leaf.nonleaf = true;
                Role::Skip
            }
            Some(Role::EventData) if self.deferred.is_none() => self.data_item(name, &attrs, empty),
            Some(Role::Data | Role::Binary | Role::Generic) => {
                self.leaf_to_generic();
                self.push_frame(name, &attrs, empty, Dest::Item);
                Role::Generic
            }
            _ => Role::Skip,
        };
        self.lists.attrs = attrs;
        self.lists.open.push(Open { name, offset, role });
        Ok(())
    }

    fn root(&mut self, offset: usize, name: &str, attrs: &[(&str, Cow<'_, str>)]) -> Role {
        if local(name) != "Event" {
            self.defer(offset, format!("the root element is <{name}>, not <Event>"));
            return Role::Skip;
        }
        for (key, _) in attrs {
            if *key != "xmlns" && !key.starts_with("xmlns:") {
                self.defer(offset, format!("unexpected attribute {key} on <Event>"));
                return Role::Skip;
            }
        }
        Role::Root
    }

    fn event_child(
        &mut self,
        offset: usize,
        name: &str,
        attrs: &[(&'a str, Cow<'a, str>)],
        empty: bool,
    ) -> Role {
        match local(name) {
            "System" if !self.saw_system => {
                self.saw_system = true;
                Role::System
            }
            "RenderingInfo" if !self.saw_rendering_info => {
                self.saw_rendering_info = true;
                self.push_frame(name, attrs, empty, Dest::RenderingInfo);
                Role::Generic
            }
            local if !self.saw_body && local != "System" && local != "RenderingInfo" => {
                self.saw_body = true;
                match local {
                    "EventData" => self.event_data(offset, attrs),
                    "UserData" => {
                        // Only the children are kept.
                        self.push_frame(name, &[], true, Dest::UserData);
                        Role::Generic
                    }
                    _ => {
                        self.push_frame(name, attrs, empty, Dest::Other);
                        Role::Generic
                    }
                }
            }
            _ => {
                self.defer(offset, format!("unexpected <{name}> in <Event>"));
                Role::Skip
            }
        }
    }

    fn system_child(
        &mut self,
        offset: usize,
        name: &str,
        attrs: &[(&'a str, Cow<'a, str>)],
    ) -> Role {
        let Some(child) = SystemChild::from_name(local(name)) else {
            self.defer(offset, format!("unexpected <{name}> in <System>"));
            return Role::Skip;
        };
        self.seen |= child.bit();
        if let Err(message) = system::attributes(child, name, attrs, &mut self.event.system) {
            self.defer(offset, message);
        }
        self.leaf = Leaf::default();
        Role::Child(child)
    }

    fn system_text(&mut self, child: SystemChild, open: &Open<'a>, leaf: Leaf<'a>) {
        let content = system::Content {
            any: leaf.has_text || leaf.nonleaf,
            nonleaf: leaf.nonleaf,
            text: leaf.text,
        };
        match system::content(child, open.name, content, &mut self.event.system) {
            Ok(()) if child == SystemChild::EventId => self.saw_event_id = true,
            Ok(()) => {}
            Err(message) => self.defer(open.offset, message),
        }
    }

    fn event_data(&mut self, offset: usize, attrs: &[(&'a str, Cow<'a, str>)]) -> Role {
        let mut data = EventData::default();
        for (key, value) in attrs {
            match *key {
                "Name" => data.name = Some(value.to_string()),
                _ => {
                    self.defer(offset, format!("unexpected attribute {key} on <EventData>"));
                    return Role::Skip;
                }
            }
        }
        self.event.body = Body::EventData(data);
        Role::EventData
    }

    fn data_item(&mut self, name: &str, attrs: &[(&'a str, Cow<'a, str>)], empty: bool) -> Role {
        match local(name) {
            // A self-closed <Data/> stays a generic element so that it renders back as
            // written.
            "Data" if !empty && attrs.iter().all(|(k, _)| *k == "Name") => {
                self.leaf = Leaf {
                    name: attrs.first().map(|(_, v)| v.clone()),
                    ..Leaf::default()
                };
                Role::Data
            }
            "Binary" if attrs.is_empty() => {
                self.leaf = Leaf::default();
                Role::Binary
            }
            _ => {
                self.push_frame(name, attrs, empty, Dest::Item);
                Role::Generic
            }
        }
    }

    /// Closes the innermost open element.
    fn close(&mut self, self_closed: bool) {
        let Some(open) = self.lists.open.pop() else {
            return;
        };
        match open.role {
            Role::Root => {
                if !self.saw_system {
                    self.defer(open.offset, "<Event> has no <System>");
                }
            }
            Role::System => {
                if !self.saw_event_id {
                    self.defer(open.offset, "<System> has no <EventID>");
                }
            }
            Role::Child(child) => {
                let leaf = std::mem::take(&mut self.leaf);
                if self.deferred.is_none() {
                    self.system_text(child, &open, leaf);
                }
            }
            Role::Data => {
                let leaf = std::mem::take(&mut self.leaf);
                let item = DataItem::Data {
                    name: leaf.name.as_deref().map(|n| self.lists.names.shared(n)),
                    value: Value::String(leaf.text.into()),
                };
                self.push_item(item);
            }
            Role::Binary => {
                let leaf = std::mem::take(&mut self.leaf);
                self.binary(&open, leaf, self_closed);
            }
            Role::Generic => {
                let Some(Frame {
                    mut element,
                    self_closed,
                }) = self.frames.pop()
                else {
                    return;
                };
                if let Some(parent) = self.frames.last_mut() {
                    if element.children.is_empty() && !self_closed {
                        // `<x></x>` keeps an empty text so that it renders back as written.
                        element
                            .children
                            .push(Node::Value(Value::String(Text::new())));
                    }
                    parent.element.children.push(Node::Element(element));
                    return;
                }
                if element.children.is_empty() && !self_closed {
                    element
                        .children
                        .push(Node::Value(Value::String(Text::new())));
                }
                match self.dest {
                    Dest::RenderingInfo => self.event.rendering_info = Some(element),
                    Dest::UserData => self.event.body = Body::UserData(element.children),
                    Dest::Other => self.event.body = Body::Other(element),
                    Dest::Item => self.push_item(DataItem::Element(element)),
                }
            }
            Role::EventData => {
                if let Body::EventData(data) = &mut self.event.body {
                    // A recycled list and one block copy (a drain collected item by item
                    // cost twice as much).
                    let mut items = crate::event::items::take(self.lists.items.len());
                    items.append(&mut self.lists.items);
                    data.items = items;
                }
            }
            Role::Skip => {}
        }
    }

    /// Items gather in the thread's scratch list and move into the EventData's recycled list,
    /// when it closes (growing the event's own list item by item cost more than the copy).
    fn push_item(&mut self, item: DataItem) {
        self.lists.items.push(item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recycled_lists_keep_their_buffers() {
        let text = String::from("<a>");
        let mut open = Vec::with_capacity(8);
        open.push(Open {
            name: &text[1..2],
            offset: 0,
            role: Role::Skip,
        });
        let at = open.as_ptr() as usize;
        let kept: Vec<Open<'static>> = recycle(open);
        assert_eq!((kept.len(), kept.capacity()), (0, 8));
        assert_eq!(kept.as_ptr() as usize, at);
    }

    fn data_event(values: &[&str]) -> String {
        let items: String = values
            .iter()
            .map(|v| format!("<Data Name='n'>{v}</Data>"))
            .collect();
        format!(
            "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>\
             <EventID>1</EventID></System><EventData>{items}</EventData></Event>"
        )
    }

    fn items_of(event: &Event) -> &[DataItem] {
        match &event.body {
            Body::EventData(data) => &data.items,
            _ => &[],
        }
    }

    #[test]
    fn a_parse_gives_its_lists_back_to_the_thread() {
        let _ = SCRATCH.with(Cell::take);
        parse_event(&data_event(&["a"])).unwrap();
        let scratch = SCRATCH.with(Cell::take);
        // Fails if the lists are not given back when the parser is dropped.
        assert!(scratch.items.capacity() > 0);
        assert!(scratch.open.capacity() > 0);
        assert!(scratch.items.is_empty() && scratch.open.is_empty());
    }

    #[test]
    fn a_parsed_event_takes_the_items_list_the_last_drop_left() {
        let first = parse_event(&data_event(&["a", "b", "c"])).unwrap();
        let at = items_of(&first).as_ptr() as usize;
        drop(first);
        let second = parse_event(&data_event(&["x", "y"])).unwrap();
        assert_eq!(items_of(&second).as_ptr() as usize, at);
        let values: Vec<String> = items_of(&second)
            .iter()
            .map(|item| match item {
                DataItem::Data {
                    value: Value::String(text),
                    ..
                } => text.to_string(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(values, ["x", "y"]);
    }
}
