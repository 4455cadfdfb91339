//! The event XML parser this crate shipped before the one-pass parser, kept as the tests'
//! oracle (never built outside tests): quick-xml reads the text into a small tree that
//! remembers where each element starts (`Tree`), then the tree is mapped onto the typed
//! model. [`parse_event`](super::parse::parse_event) must give the same event, or an error
//! at the same position, on every input (`parse_tests`).

use quick_xml::events::{BytesStart, Event as XmlEvent};
use quick_xml::Reader;

use super::parse::{malformed, next_event, MAX_XML_DEPTH};
use crate::error::{Error, Result};
use crate::event::{
    parse_hex_bytes, parse_u64_auto, Attribute, Body, Correlation, DataItem, Element, Event,
    EventData, Execution, FileTime, Guid, Node, Security, Sid, System, SystemChild, Value,
};

/// A parsed element that remembers its byte offset in the input.
struct Tree {
    name: String,
    offset: usize,
    attributes: Vec<(String, String)>,
    children: Vec<TreeNode>,
    /// Written as `<x/>` rather than `<x></x>` (they render differently).
    self_closed: bool,
}

enum TreeNode {
    Element(Tree),
    Text(String),
    CData(String),
    Pi { target: String, data: String },
}

/// Parses one event from `text`.
pub(super) fn parse_event(text: &str) -> Result<Event> {
    let root = read_tree(text)?;
    Mapper { text }.event(root)
}

fn read_tree(text: &str) -> Result<Tree> {
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.trim_text(false);
    config.check_end_names = true;
    config.expand_empty_elements = false;

    let mut stack: Vec<Tree> = Vec::new();
    let mut root: Option<Tree> = None;
    loop {
        let (start, event) = next_event(&mut reader, text)?;
        match event {
            XmlEvent::Start(_) | XmlEvent::Empty(_) if root.is_some() => {
                return Err(malformed(text, start, "more than one root element"));
            }
            XmlEvent::Start(_) | XmlEvent::Empty(_) if stack.len() >= MAX_XML_DEPTH => {
                return Err(malformed(
                    text,
                    start,
                    format!("elements nested deeper than {MAX_XML_DEPTH} levels"),
                ));
            }
            XmlEvent::Start(e) => stack.push(open(text, start, &e, false)?),
            XmlEvent::Empty(e) => {
                let element = open(text, start, &e, true)?;
                attach(&mut stack, &mut root, element);
            }
            XmlEvent::End(_) => {
                // check_end_names guarantees a matching open element.
                if let Some(element) = stack.pop() {
                    attach(&mut stack, &mut root, element);
                }
            }
            XmlEvent::Text(t) => {
                let raw = std::str::from_utf8(&t).unwrap_or_default();
                let formatting = raw.bytes().all(|b| b.is_ascii_whitespace())
                    && raw.bytes().any(|b| b == b'\n' || b == b'\r');
                match stack.last_mut() {
                    Some(parent) if !formatting => {
                        let value = t.unescape().map_err(|e| {
                            malformed(
                                text,
                                start,
                                format!("bad character or entity reference: {e}"),
                            )
                        })?;
                        parent.children.push(TreeNode::Text(value.into_owned()));
                    }
                    Some(_) => {}
                    None if raw.trim().is_empty() => {}
                    None => return Err(malformed(text, start, "text outside the root element")),
                }
            }
            XmlEvent::CData(c) => {
                let data = String::from_utf8_lossy(&c).into_owned();
                match stack.last_mut() {
                    Some(parent) => parent.children.push(TreeNode::CData(data)),
                    None => return Err(malformed(text, start, "CDATA outside the root element")),
                }
            }
            XmlEvent::PI(pi) => {
                let target = String::from_utf8_lossy(pi.target()).into_owned();
                let data = String::from_utf8_lossy(pi.content())
                    .trim_start()
                    .to_owned();
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(TreeNode::Pi { target, data });
                }
            }
            XmlEvent::Comment(_) | XmlEvent::Decl(_) | XmlEvent::DocType(_) => {}
            XmlEvent::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        return Err(malformed(
            text,
            text.len(),
            format!("unexpected end of input: <{}> is not closed", open.name),
        ));
    }
    root.ok_or_else(|| malformed(text, text.len(), "no root element"))
}

/// An XML 1.0 Name, loosely: a letter, `_` or `:` (or any non-ASCII character) first, then
/// also digits, `-` and `.`.
fn is_xml_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':' || !c.is_ascii())
        && chars.all(|c| {
            c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '-' | '.') || !c.is_ascii()
        })
}

/// The local part of a possibly prefixed name.
fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}

fn attach(stack: &mut [Tree], root: &mut Option<Tree>, element: Tree) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(TreeNode::Element(element)),
        None => *root = Some(element),
    }
}

fn open(text: &str, offset: usize, e: &BytesStart<'_>, self_closed: bool) -> Result<Tree> {
    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    if !is_xml_name(&name) {
        return Err(malformed(
            text,
            offset,
            format!("<{name}> has no valid element name"),
        ));
    }
    let mut attributes = Vec::new();
    for attr in e.attributes() {
        let attr = attr
            .map_err(|err| malformed(text, offset, format!("bad attribute in <{name}>: {err}")))?;
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        if !is_xml_name(&key) {
            return Err(malformed(
                text,
                offset,
                format!("attribute `{key}` of <{name}> has no valid name"),
            ));
        }
        let value = attr.unescape_value().map_err(|err| {
            malformed(
                text,
                offset,
                format!("bad value of {key} in <{name}>: {err}"),
            )
        })?;
        attributes.push((key, value.into_owned()));
    }
    Ok(Tree {
        name,
        offset,
        attributes,
        children: Vec::new(),
        self_closed,
    })
}

/// Maps a [`Tree`] onto the typed model; holds the input for error positions.
struct Mapper<'t> {
    text: &'t str,
}

impl Mapper<'_> {
    fn err(&self, at: &Tree, message: impl Into<String>) -> Error {
        malformed(self.text, at.offset, message)
    }

    fn event(&self, root: Tree) -> Result<Event> {
        if local(&root.name) != "Event" {
            return Err(self.err(
                &root,
                format!("the root element is <{}>, not <Event>", root.name),
            ));
        }
        for (key, _) in &root.attributes {
            if key != "xmlns" && !key.starts_with("xmlns:") {
                return Err(self.err(&root, format!("unexpected attribute {key} on <Event>")));
            }
        }
        let root_offset = root.offset;
        let mut event = Event::default();
        let mut saw_system = false;
        let mut saw_body = false;
        for child in self.take_children(root)? {
            match local(&child.name) {
                "System" if !saw_system => {
                    event.system = self.system(child)?;
                    saw_system = true;
                }
                "RenderingInfo" if event.rendering_info.is_none() => {
                    event.rendering_info = Some(generic(child));
                }
                name if !saw_body && name != "System" && name != "RenderingInfo" => {
                    event.body = match name {
                        "EventData" => Body::EventData(self.event_data(child)?),
                        "UserData" => Body::UserData(children(child)),
                        _ => Body::Other(generic(child)),
                    };
                    saw_body = true;
                }
                _ => {
                    return Err(self.err(&child, format!("unexpected <{}> in <Event>", child.name)));
                }
            }
        }
        if !saw_system {
            return Err(malformed(self.text, root_offset, "<Event> has no <System>"));
        }
        Ok(event)
    }

    fn system(&self, system: Tree) -> Result<System> {
        let system_offset = system.offset;
        let mut s = System::default();
        let mut saw_event_id = false;
        for child in self.take_children(system)? {
            match SystemChild::from_name(local(&child.name)) {
                Some(SystemChild::Provider) => {
                    for (key, value) in &child.attributes {
                        match key.as_str() {
                            "Name" => s.provider.name = Some(value.as_str().into()),
                            "Guid" => s.provider.guid = self.opt_guid(&child, key, value)?,
                            "EventSourceName" => s.provider.event_source_name = Some(value.clone()),
                            _ => return Err(self.unexpected_attr(&child, key)),
                        }
                    }
                    self.no_content(&child)?;
                }
                Some(SystemChild::EventId) => {
                    for (key, value) in &child.attributes {
                        match key.as_str() {
                            "Qualifiers" => s.qualifiers = self.opt_num(&child, key, value)?,
                            _ => return Err(self.unexpected_attr(&child, key)),
                        }
                    }
                    s.event_id = self.parse_num(&child, &self.text_content(&child)?)?;
                    saw_event_id = true;
                }
                Some(SystemChild::Version) => s.version = Some(self.num_text(&child)?),
                Some(SystemChild::Level) => s.level = Some(self.num_text(&child)?),
                Some(SystemChild::Task) => s.task = Some(self.num_text(&child)?),
                Some(SystemChild::Opcode) => s.opcode = Some(self.num_text(&child)?),
                Some(SystemChild::Keywords) => {
                    let text = self.leaf_text(&child)?;
                    let k = parse_u64_auto(&text).ok_or_else(|| {
                        self.err(
                            &child,
                            format!("Keywords '{text}' is not a 64-bit hex number"),
                        )
                    })?;
                    s.keywords = Some(k);
                }
                Some(SystemChild::TimeCreated) => {
                    for (key, value) in &child.attributes {
                        match key.as_str() {
                            "SystemTime" => {
                                let t = FileTime::parse(value).ok_or_else(|| {
                                    self.err(
                                        &child,
                                        format!("SystemTime '{value}' is not an ISO 8601 UTC time"),
                                    )
                                })?;
                                s.time_created = Some(t);
                            }
                            "RawTime" if s.time_created.is_none() => {
                                s.time_created = Some(FileTime(self.num(&child, key, value)?));
                            }
                            "RawTime" => {}
                            _ => return Err(self.unexpected_attr(&child, key)),
                        }
                    }
                    self.no_content(&child)?;
                }
                Some(SystemChild::EventRecordId) => {
                    s.event_record_id = Some(self.num_text(&child)?)
                }
                Some(SystemChild::Correlation) => {
                    let mut c = Correlation::default();
                    for (key, value) in &child.attributes {
                        match key.as_str() {
                            "ActivityID" => c.activity_id = self.opt_guid(&child, key, value)?,
                            "RelatedActivityID" => {
                                c.related_activity_id = self.opt_guid(&child, key, value)?
                            }
                            _ => return Err(self.unexpected_attr(&child, key)),
                        }
                    }
                    self.no_content(&child)?;
                    s.correlation = Some(c);
                }
                Some(SystemChild::Execution) => {
                    let mut e = Execution::default();
                    for (key, value) in &child.attributes {
                        match key.as_str() {
                            "ProcessID" => e.process_id = self.num(&child, key, value)?,
                            "ThreadID" => e.thread_id = self.num(&child, key, value)?,
                            "ProcessorID" => e.processor_id = self.opt_num(&child, key, value)?,
                            "SessionID" => e.session_id = self.opt_num(&child, key, value)?,
                            "KernelTime" => e.kernel_time = self.opt_num(&child, key, value)?,
                            "UserTime" => e.user_time = self.opt_num(&child, key, value)?,
                            "ProcessorTime" => {
                                e.processor_time = self.opt_num(&child, key, value)?
                            }
                            _ => return Err(self.unexpected_attr(&child, key)),
                        }
                    }
                    self.no_content(&child)?;
                    s.execution = Some(e);
                }
                Some(SystemChild::Channel) => s.channel = Some(self.leaf_text(&child)?.into()),
                Some(SystemChild::Computer) => s.computer = Some(self.leaf_text(&child)?.into()),
                Some(SystemChild::Security) => {
                    let mut sec = Security::default();
                    for (key, value) in &child.attributes {
                        match key.as_str() {
                            "UserID" if value.is_empty() => {}
                            "UserID" => {
                                let sid = Sid::parse(value).ok_or_else(|| {
                                    self.err(&child, format!("UserID '{value}' is not a SID"))
                                })?;
                                sec.user_id = Some(sid);
                            }
                            _ => return Err(self.unexpected_attr(&child, key)),
                        }
                    }
                    self.no_content(&child)?;
                    s.security = Some(sec);
                }
                None => {
                    return Err(self.err(&child, format!("unexpected <{}> in <System>", child.name)))
                }
            }
        }
        if !saw_event_id {
            return Err(malformed(
                self.text,
                system_offset,
                "<System> has no <EventID>",
            ));
        }
        Ok(s)
    }

    fn event_data(&self, data: Tree) -> Result<EventData> {
        let mut out = EventData::default();
        for (key, value) in &data.attributes {
            match key.as_str() {
                "Name" => out.name = Some(value.clone()),
                _ => return Err(self.unexpected_attr(&data, key)),
            }
        }
        for child in self.take_children(data)? {
            match local(&child.name) {
                // A self-closed <Data/> stays a generic element so that it renders back as
                // written.
                "Data"
                    if !child.self_closed
                        && child.attributes.iter().all(|(k, _)| k == "Name")
                        && is_leaf(&child) =>
                {
                    let name = child.attributes.first().map(|(_, v)| v.clone());
                    let value = Value::String(text_of(&child).into());
                    out.items.push(DataItem::Data {
                        name: name.map(Into::into),
                        value,
                    });
                }
                "Binary" if child.attributes.is_empty() && is_leaf(&child) => {
                    let text = text_of(&child);
                    let bytes = parse_hex_bytes(text.trim()).ok_or_else(|| {
                        self.err(&child, "<Binary> holds something other than hex digits")
                    })?;
                    let mut canonical = String::with_capacity(text.len());
                    crate::event::write_hex_upper(&mut canonical, &bytes);
                    if canonical == text {
                        out.items.push(DataItem::Binary(bytes));
                    } else {
                        // Lowercase or spaced hex: keep the text as written.
                        out.items.push(DataItem::Element(generic(child)));
                    }
                }
                _ => out.items.push(DataItem::Element(generic(child))),
            }
        }
        Ok(out)
    }

    /// Takes the element children of `parent`, rejecting non-whitespace text.
    fn take_children(&self, parent: Tree) -> Result<Vec<Tree>> {
        let mut out = Vec::with_capacity(parent.children.len());
        for node in parent.children {
            match node {
                TreeNode::Element(e) => out.push(e),
                TreeNode::Text(t) if t.trim().is_empty() => {}
                TreeNode::Pi { .. } => {}
                TreeNode::Text(_) | TreeNode::CData(_) => {
                    let message = format!("unexpected text in <{}>", parent.name);
                    return Err(malformed(self.text, parent.offset, message));
                }
            }
        }
        Ok(out)
    }

    /// The text of an element that may have no attributes and no child elements.
    fn leaf_text(&self, e: &Tree) -> Result<String> {
        if let Some((key, _)) = e.attributes.first() {
            return Err(self.unexpected_attr(e, key));
        }
        self.text_content(e)
    }

    /// The text of an element that may have no child elements (attributes checked elsewhere).
    fn text_content(&self, e: &Tree) -> Result<String> {
        if !is_leaf(e) {
            return Err(self.err(e, format!("<{}> must hold text only", e.name)));
        }
        Ok(text_of(e))
    }

    fn num_text<T: std::str::FromStr>(&self, e: &Tree) -> Result<T> {
        let text = self.leaf_text(e)?;
        self.parse_num(e, &text)
    }

    fn parse_num<T: std::str::FromStr>(&self, e: &Tree, text: &str) -> Result<T> {
        let trimmed = text.trim();
        match trimmed.parse::<T>() {
            Ok(v) if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit()) => Ok(v),
            _ => Err(self.err(
                e,
                format!("<{}> holds '{text}', not a number in range", e.name),
            )),
        }
    }

    fn num<T: std::str::FromStr>(&self, e: &Tree, key: &str, value: &str) -> Result<T> {
        match value.parse::<T>() {
            Ok(v) if value.bytes().all(|b| b.is_ascii_digit()) => Ok(v),
            _ => Err(self.err(
                e,
                format!("{key}='{value}' in <{}> is not a number in range", e.name),
            )),
        }
    }

    fn opt_num<T: std::str::FromStr>(&self, e: &Tree, key: &str, value: &str) -> Result<Option<T>> {
        if value.is_empty() {
            return Ok(None);
        }
        self.num(e, key, value).map(Some)
    }

    fn opt_guid(&self, e: &Tree, key: &str, value: &str) -> Result<Option<Guid>> {
        if value.is_empty() {
            return Ok(None);
        }
        Guid::parse(value)
            .map(Some)
            .ok_or_else(|| self.err(e, format!("{key}='{value}' in <{}> is not a GUID", e.name)))
    }

    fn no_content(&self, e: &Tree) -> Result<()> {
        let has_content = e.children.iter().any(|n| match n {
            TreeNode::Text(t) => !t.is_empty(),
            _ => true,
        });
        if has_content {
            return Err(self.err(e, format!("<{}> must be empty", e.name)));
        }
        Ok(())
    }

    fn unexpected_attr(&self, e: &Tree, key: &str) -> Error {
        self.err(e, format!("unexpected attribute {key} on <{}>", e.name))
    }
}

fn is_leaf(e: &Tree) -> bool {
    e.children.iter().all(|n| matches!(n, TreeNode::Text(_)))
}

fn text_of(e: &Tree) -> String {
    let mut out = String::new();
    for node in &e.children {
        if let TreeNode::Text(t) = node {
            out.push_str(t);
        }
    }
    out
}

/// The children of `tree`, mapped as by [`generic`] (no empty text for `<x></x>`).
fn children(mut tree: Tree) -> Vec<Node> {
    tree.self_closed = true;
    generic(tree).children
}

/// Maps a tree onto a generic [`Element`]. `<x></x>` keeps an empty text child so that it
/// renders back as `<x></x>` rather than `<x/>`. Iterative: the open elements are on a heap
/// stack, not the call stack.
fn generic(tree: Tree) -> Element {
    /// An element whose children are being mapped.
    struct Open {
        element: Element,
        self_closed: bool,
        pending: std::vec::IntoIter<TreeNode>,
    }
    fn open(tree: Tree) -> Open {
        let mut element = Element::new(tree.name);
        element.attributes = tree
            .attributes
            .into_iter()
            .map(|(name, value)| Attribute {
                name,
                value: Value::String(value.into()),
            })
            .collect();
        Open {
            element,
            self_closed: tree.self_closed,
            pending: tree.children.into_iter(),
        }
    }
    let mut stack = vec![open(tree)];
    let mut done = None;
    while let Some(top) = stack.last_mut() {
        match top.pending.next() {
            Some(TreeNode::Element(child)) => stack.push(open(child)),
            Some(TreeNode::Text(t)) => top
                .element
                .children
                .push(Node::Value(Value::String(t.into()))),
            Some(TreeNode::CData(c)) => top.element.children.push(Node::CData(c)),
            Some(TreeNode::Pi { target, data }) => top
                .element
                .children
                .push(Node::ProcessingInstruction { target, data }),
            None => {
                let Some(Open {
                    mut element,
                    self_closed,
                    ..
                }) = stack.pop()
                else {
                    break;
                };
                if element.children.is_empty() && !self_closed {
                    element
                        .children
                        .push(Node::Value(Value::String(String::new().into())));
                }
                match stack.last_mut() {
                    Some(parent) => parent.element.children.push(Node::Element(element)),
                    None => done = Some(element),
                }
            }
        }
    }
    // The root is finished when the stack empties, so `done` is always set here.
    done.unwrap_or_else(|| Element::new(String::new()))
}
