//! Parses event XML into an [`Event`].
//!
//! One pass: the [`lexer`](super::lexer) splits the text into tokens over the borrowed input
//! and each token goes straight into the typed model, by the role its element plays (the
//! root, `<System>`, one System child from the [`SystemChild`] table, `<EventData>`, a
//! `<Data>` or `<Binary>` item, a generic element tree for UserData, RenderingInfo and
//! other sections, or markup whose content the model does not keep). No tree is built
//! first; text and attribute values stay borrowed until a field owns them; the names of
//! `<Data>` come from a small per-thread memo of shared names. Every failure is an
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
use std::cell::RefCell;
use std::sync::Arc;

use quick_xml::events::Event as XmlEvent;
use quick_xml::Reader;

use super::lexer::{find2, unescape, Attributes, Lexer, Token};
use super::system;
use crate::error::{Error, ErrorKind, Result};
use crate::event::{
    parse_hex_bytes, write_hex_upper, Attribute, Body, DataItem, Element, Event, EventData, Node,
    SystemChild, Value,
};

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
    a.len() == b.len() && a.bytes().zip(b.bytes()).all(|(x, y)| x == y)
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

/// The text of the open System child, `<Data>` or `<Binary>`.
#[derive(Default)]
struct Leaf<'a> {
    /// The text pieces, joined.
    text: Cow<'a, str>,
    /// Where the second and later pieces start in `text` (pieces are separated by comments).
    breaks: Vec<usize>,
    has_text: bool,
    /// Holds an element, CDATA or a processing instruction.
    nonleaf: bool,
    /// `<Data>`'s Name.
    name: Option<Cow<'a, str>>,
}

impl<'a> Leaf<'a> {
    fn push(&mut self, piece: Cow<'a, str>) {
        if self.has_text {
            self.breaks.push(self.text.len());
            self.text.to_mut().push_str(&piece);
        } else {
            self.text = piece;
            self.has_text = true;
        }
    }

    /// The pieces as generic text nodes.
    fn nodes(&self) -> Vec<Node> {
        if !self.has_text {
            return Vec::new();
        }
        let mut at = 0;
        let mut out = Vec::with_capacity(self.breaks.len() + 1);
        for &b in self.breaks.iter().chain(std::iter::once(&self.text.len())) {
            out.push(Node::Value(Value::String(self.text[at..b].to_owned())));
            at = b;
        }
        out
    }
}

struct Frame {
    element: Element,
    self_closed: bool,
}

struct Parser<'a> {
    /// The whole input: error positions are computed on it.
    text: &'a str,
    lexer: Lexer<'a>,
    open: Vec<Open<'a>>,
    /// The attributes of the element being opened (reused).
    attrs: Vec<(&'a str, Cow<'a, str>)>,
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
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Parser<'a> {
        // A byte order mark is skipped, and offsets count from after it (as they always have).
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        Parser {
            text,
            lexer: Lexer::new(body),
            open: Vec::with_capacity(8),
            attrs: Vec::with_capacity(8),
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
        }
    }

    fn err(&self, offset: usize, message: impl Into<String>) -> Error {
        malformed(self.text, offset, message)
    }

    fn run(mut self) -> Result<Event> {
        loop {
            if self.deferred.is_none() && self.open.len() < MAX_XML_DEPTH {
                let shortcut = match self.open.last().map(|o| o.role) {
                    Some(Role::EventData) => self.data_shortcut(),
                    Some(Role::System) => self.system_shortcut(),
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
                Token::End(name) => match self.open.last() {
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
        if let Some(open) = self.open.last() {
            return Err(self.err(
                self.text.len(),
                format!("unexpected end of input: <{}> is not closed", open.name),
            ));
        }
        if !self.root_seen {
            return Err(self.err(self.text.len(), "no root element"));
        }
        match self.deferred {
            Some(e) => Err(e),
            None => Ok(self.event),
        }
    }

    /// The text of a whole `<X>text</X>` at the lexer, X being `name`: the text, and the
    /// offset after `</X>`. `None` where anything else is there (an attribute, a reference, a
    /// child, whitespace that is formatting, another end tag): the general path reads it.
    #[inline]
    fn simple_text(&self, b: &[u8], from: usize, name: &[u8]) -> Option<(usize, usize)> {
        let end = find2(b, from, b'<', b'&')?;
        let close = end + 3 + name.len();
        if b[end] != b'<'
            || b.len() < close
            || b[end + 1] != b'/'
            || &b[end + 2..close - 1] != name
            || b[close - 1] != b'>'
        {
            return None;
        }
        let text = &b[from..end];
        if !text.is_empty()
            && text.iter().all(u8::is_ascii_whitespace)
            && text.iter().any(|&c| c == b'\n' || c == b'\r')
        {
            return None;
        }
        Some((end, close))
    }

    /// `<Data Name='n'>text</Data>` or `<Data>text</Data>` in `<EventData>`, read in one step:
    /// the general path gives the same item (the tests hold them equal). False, having read
    /// nothing, for any other markup.
    fn data_shortcut(&mut self) -> bool {
        let (s, p) = self.lexer.at();
        let b = s.as_bytes();
        let rest = &b[p..];
        let (name, text_start) = if rest.starts_with(b"<Data Name='") {
            let from = p + 12;
            let Some(quote) = find2(b, from, b'\'', b'&') else {
                return false;
            };
            if b[quote] != b'\'' || b.get(quote + 1) != Some(&b'>') {
                return false;
            }
            (Some(&s[from..quote]), quote + 2)
        } else if rest.starts_with(b"<Data>") {
            (None, p + 6)
        } else {
            return false;
        };
        let Some((end, after)) = self.simple_text(b, text_start, b"Data") else {
            return false;
        };
        self.lexer.skip_to(after);
        let item = DataItem::Data {
            name: name.map(shared_name),
            value: Value::String(s[text_start..end].to_owned()),
        };
        self.push_item(item);
        true
    }

    /// A System child holding only text and no attributes (`<Level>4</Level>`), read in one
    /// step as [`data_shortcut`](Self::data_shortcut) reads Data.
    fn system_shortcut(&mut self) -> bool {
        let (s, p) = self.lexer.at();
        let b = s.as_bytes();
        let mut i = p + 1;
        if b.get(p) != Some(&b'<') {
            return false;
        }
        while i < b.len() && b[i].is_ascii_alphabetic() {
            i += 1;
        }
        if i == p + 1 || b.get(i) != Some(&b'>') {
            return false;
        }
        let name = &s[p + 1..i];
        let Some(child) = SystemChild::from_name(name) else {
            return false;
        };
        if matches!(
            child,
            SystemChild::Provider
                | SystemChild::TimeCreated
                | SystemChild::Correlation
                | SystemChild::Execution
                | SystemChild::Security
        ) {
            return false;
        }
        let Some((end, after)) = self.simple_text(b, i + 1, name.as_bytes()) else {
            return false;
        };
        self.lexer.skip_to(after);
        let text = &s[i + 1..end];
        let content = system::Content {
            text: Cow::Borrowed(text),
            nonleaf: false,
            any: !text.is_empty(),
        };
        match system::content(child, name, content, &mut self.event.system) {
            Ok(()) if child == SystemChild::EventId => self.saw_event_id = true,
            Ok(()) => {}
            Err(message) => self.defer(p, message),
        }
        true
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
        let Some(top) = self.open.last() else { return };
        let e = self.err(top.offset, format!("unexpected text in <{}>", top.name));
        self.deferred = Some(e);
    }

    fn text(&mut self, start: usize, raw: &'a str, amp: bool) -> Result<()> {
        let Some(top) = self.open.last() else {
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
            Role::Generic => self.push_node(Node::Value(Value::String(value.into_owned()))),
            _ => {}
        }
        Ok(())
    }

    fn cdata(&mut self, start: usize, data: &'a str) -> Result<()> {
        let Some(top) = self.open.last() else {
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
        let Some(top) = self.open.last() else { return };
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
        if self.root_seen && self.open.is_empty() {
            return Err(self.err(offset, "more than one root element"));
        }
        if self.open.len() >= MAX_XML_DEPTH {
            return Err(self.err(
                offset,
                format!("elements nested deeper than {MAX_XML_DEPTH} levels"),
            ));
        }
        let name = &content[..name_len];
        if !is_xml_name(name) {
            return Err(self.err(offset, format!("<{name}> has no valid element name")));
        }
        let mut attrs = std::mem::take(&mut self.attrs);
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
        let role = match self.open.last().map(|o| o.role) {
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
        self.attrs = attrs;
        self.open.push(Open { name, offset, role });
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

    /// Starts a generic element: a child of the tree being built, or a new tree for `dest`.
    fn push_frame(&mut self, name: &str, attrs: &[(&str, Cow<'_, str>)], empty: bool, dest: Dest) {
        if self.frames.is_empty() {
            self.dest = dest;
        }
        let mut element = Element::new(name);
        element.attributes = attrs
            .iter()
            .map(|(k, v)| Attribute {
                name: (*k).to_owned(),
                value: Value::String(v.to_string()),
            })
            .collect();
        self.frames.push(Frame {
            element,
            self_closed: empty,
        });
    }

    fn push_node(&mut self, node: Node) {
        if let Some(frame) = self.frames.last_mut() {
            frame.element.children.push(node);
        }
    }

    /// The open `<Data>` or `<Binary>` holds more than text: it becomes a generic element,
    /// its text pieces its first children.
    fn leaf_to_generic(&mut self) {
        let Some(top) = self.open.last_mut() else {
            return;
        };
        if !matches!(top.role, Role::Data | Role::Binary) {
            return;
        }
        top.role = Role::Generic;
        let mut element = Element::new(top.name);
        if let Some(name) = self.leaf.name.take() {
            element.attributes.push(Attribute {
                name: "Name".to_owned(),
                value: Value::String(name.into_owned()),
            });
        }
        element.children = self.leaf.nodes();
        self.dest = Dest::Item;
        self.frames.push(Frame {
            element,
            self_closed: false,
        });
    }

    /// Closes the innermost open element.
    fn close(&mut self, self_closed: bool) {
        let Some(open) = self.open.pop() else { return };
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
                    name: leaf.name.as_deref().map(shared_name),
                    value: Value::String(leaf.text.into_owned()),
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
                            .push(Node::Value(Value::String(String::new())));
                    }
                    parent.element.children.push(Node::Element(element));
                    return;
                }
                if element.children.is_empty() && !self_closed {
                    element
                        .children
                        .push(Node::Value(Value::String(String::new())));
                }
                match self.dest {
                    Dest::RenderingInfo => self.event.rendering_info = Some(element),
                    Dest::UserData => self.event.body = Body::UserData(element.children),
                    Dest::Other => self.event.body = Body::Other(element),
                    Dest::Item => self.push_item(DataItem::Element(element)),
                }
            }
            Role::EventData | Role::Skip => {}
        }
    }

    fn push_item(&mut self, item: DataItem) {
        if let Body::EventData(data) = &mut self.event.body {
            data.items.push(item);
        }
    }

    fn binary(&mut self, open: &Open<'a>, leaf: Leaf<'a>, self_closed: bool) {
        let text = &leaf.text;
        let Some(bytes) = parse_hex_bytes(text.trim()) else {
            self.defer(
                open.offset,
                "<Binary> holds something other than hex digits",
            );
            return;
        };
        let canonical = text.len() == 2 * bytes.len() && {
            let mut upper = String::with_capacity(text.len());
            write_hex_upper(&mut upper, &bytes);
            upper == **text
        };
        if canonical {
            self.push_item(DataItem::Binary(bytes));
            return;
        }
        // Lowercase or spaced hex: keep the text as written.
        let mut element = Element::new(open.name);
        element.children = leaf.nodes();
        if element.children.is_empty() && !self_closed {
            element
                .children
                .push(Node::Value(Value::String(String::new())));
        }
        self.push_item(DataItem::Element(element));
    }
}

/// A `<Data>` name, shared with the events before it: a few slots per thread hold the names
/// last seen, so the names of one template are allocated once, not once per event.
fn shared_name(name: &str) -> Arc<str> {
    const SLOTS: usize = 64;
    thread_local! {
        static NAMES: RefCell<Vec<Option<Arc<str>>>> = RefCell::new(vec![None; SLOTS]);
    }
    // The length and up to eight bytes from each end pick the slot; the slot never decides
    // equality, the full comparison does.
    let b = name.as_bytes();
    let word = |part: &[u8]| {
        let mut w = [0u8; 8];
        w[..part.len()].copy_from_slice(part);
        u64::from_le_bytes(w)
    };
    let n = b.len();
    let hash = (word(&b[..n.min(8)]) ^ word(&b[n.saturating_sub(8)..]).rotate_left(29))
        .wrapping_add(n as u64)
        .wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let slot = (hash >> 58) as usize % SLOTS;
    NAMES
        .try_with(|names| {
            let Ok(mut names) = names.try_borrow_mut() else {
                return Arc::from(name);
            };
            match &names[slot] {
                Some(shared) if **shared == *name => Arc::clone(shared),
                _ => {
                    let shared: Arc<str> = Arc::from(name);
                    names[slot] = Some(Arc::clone(&shared));
                    shared
                }
            }
        })
        .unwrap_or_else(|_| Arc::from(name))
}
