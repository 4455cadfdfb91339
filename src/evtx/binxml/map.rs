//! Maps a decoded BinXml element tree onto the [`Event`] model, as
//! `src/event/xml/parse.rs`'s `Mapper` maps parsed XML: `Event/System/*` onto typed
//! [`System`] fields, `EventData` onto [`DataItem`]s, `UserData` and other sections kept as
//! trees, `RenderingInfo` kept as a tree.
//!
//! Values keep their BinXml type where the model has room for it (EventData items, generic
//! elements); System fields accept the typed value Windows writes or its text form.
//!
//! Invariant: a System value that cannot be mapped (wrong type, out of range, unknown child)
//! is a `FileCorrupt` error at the record's offset, never a panic.

use crate::error::{Error, ErrorKind, Result};
use crate::event::{
    parse_hex_bytes, parse_u64_auto, Body, Correlation, DataItem, Element, Event, EventData,
    Execution, FileTime, Guid, Node, Security, Sid, System, SystemChild, Value,
};

/// Maps the record's top-level nodes onto an [`Event`]; `at` is the record's file offset.
///
/// `system`, if given, is the already mapped `<System>` of the root element (see
/// `direct`); it replaces that root's first `<System>` child, which is then a placeholder.
pub(super) fn event(nodes: Vec<Node>, system: Option<System>, at: u64) -> Result<Event> {
    let m = Mapper { at };
    let mut roots = nodes.into_iter().filter_map(|n| match n {
        Node::Element(e) => Some(e),
        _ => None,
    });
    let root = roots
        .next()
        .ok_or_else(|| m.err("the record's BinXml has no root element"))?;
    if roots.next().is_some() {
        return Err(m.err("the record's BinXml has more than one root element"));
    }
    m.event(root, system)
}

pub(super) struct Mapper {
    pub(super) at: u64,
}

/// A name without its namespace prefix: what follows its last `:`.
pub(super) fn local(name: &str) -> &str {
    // A byte search: `:` is ASCII, so its byte is never part of another character, and the
    // position after it is a character boundary. For names of a few bytes this is a
    // fraction of `rsplit_once`'s searcher (`local_equals_rsplit_once` tests it).
    match name.bytes().rposition(|b| b == b':') {
        Some(i) => name.get(i + 1..).unwrap_or_default(),
        None => name,
    }
}

/// The single value of a text-only element's content (`""` if empty); `None` if the element
/// has child elements or other nodes.
fn content(e: &Element) -> Option<Value> {
    match e.children.as_slice() {
        [] => Some(Value::String(String::new().into())),
        [Node::Value(v)] => Some(v.clone()),
        nodes => {
            let mut s = String::new();
            for n in nodes {
                match n {
                    Node::Value(v) => v.write_text(&mut s),
                    _ => return None,
                }
            }
            Some(Value::String(s.into()))
        }
    }
}

/// [`content`], moving a lone value out of `e` rather than cloning it.
fn take_content(e: &mut Element) -> Option<Value> {
    match e.children.as_mut_slice() {
        [Node::Value(v)] => Some(std::mem::replace(v, Value::Null)),
        _ => content(e),
    }
}

/// The text form of `v`, reusing its string if it is one.
fn into_text(v: Value) -> String {
    match v {
        Value::String(s) => s.into(),
        other => other.to_text(),
    }
}

/// The text form of `v`, moved out of it (`v` is left Null).
fn take_text(v: &mut Value) -> String {
    into_text(std::mem::replace(v, Value::Null))
}

/// `v` as a number of type `T`: an unsigned integer value or decimal digits.
fn parse_num<T: TryFrom<u64>>(v: &Value) -> Option<T> {
    let n = match v {
        Value::String(s) | Value::AnsiString(s) => {
            let t = s.trim();
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
                None
            } else {
                t.parse::<u64>().ok()
            }
        }
        other => other.as_u64(),
    };
    n.and_then(|n| T::try_from(n).ok())
}

impl Mapper {
    fn err(&self, message: impl Into<String>) -> Error {
        Error::at_offset(ErrorKind::FileCorrupt, self.at, message.into())
    }

    fn event(&self, root: Element, mut system: Option<System>) -> Result<Event> {
        if local(&root.name) != "Event" {
            return Err(self.err(format!("the root element is <{}>, not <Event>", root.name)));
        }
        let mut event = Event::default();
        let mut saw_system = false;
        let mut saw_body = false;
        for child in root.children {
            let child = match child {
                Node::Element(e) => e,
                Node::Value(v) if v.is_empty_text() => continue,
                Node::ProcessingInstruction { .. } => continue,
                _ => return Err(self.err("unexpected text in <Event>")),
            };
            match local(&child.name) {
                "System" if !saw_system => {
                    event.system = match system.take() {
                        Some(s) => s,
                        None => self.system(child)?,
                    };
                    saw_system = true;
                }
                "RenderingInfo" if event.rendering_info.is_none() => {
                    event.rendering_info = Some(child);
                }
                name if !saw_body && name != "System" && name != "RenderingInfo" => {
                    event.body = match name {
                        "EventData" => Body::EventData(self.event_data(child)?),
                        "UserData" => Body::UserData(child.children),
                        _ => Body::Other(child),
                    };
                    saw_body = true;
                }
                _ => return Err(self.err(format!("unexpected <{}> in <Event>", child.name))),
            }
        }
        if !saw_system {
            return Err(self.err("<Event> has no <System>"));
        }
        Ok(event)
    }

    fn num<T: TryFrom<u64>>(&self, v: &Value, what: &str) -> Result<T> {
        parse_num(v).ok_or_else(|| self.err(format!("{what} holds {v:?}, not a number in range")))
    }

    fn text_num<T: TryFrom<u64>>(&self, name: &str, content: Option<Value>) -> Result<T> {
        let v = content.ok_or_else(|| self.err(format!("<{name}> must hold text")))?;
        parse_num(&v)
            .ok_or_else(|| self.err(format!("<{name}> holds {v:?}, not a number in range")))
    }

    fn guid(&self, v: &Value, what: &str) -> Result<Option<Guid>> {
        match v {
            Value::Guid(g) => Ok(Some(*g)),
            Value::String(s) if s.is_empty() => Ok(None),
            Value::String(s) => Guid::parse(s)
                .map(Some)
                .ok_or_else(|| self.err(format!("{what}='{s}' is not a GUID"))),
            other => Err(self.err(format!("{what} holds {other:?}, not a GUID"))),
        }
    }

    fn text(&self, name: &str, content: Option<Value>) -> Result<String> {
        content
            .map(into_text)
            .ok_or_else(|| self.err(format!("<{name}> must hold text")))
    }

    fn system(&self, system: Element) -> Result<System> {
        let mut s = System::default();
        let mut saw_event_id = false;
        let children = system.children.into_iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            _ => None,
        });
        for mut child in children {
            let content = take_content(&mut child);
            let attrs = child
                .attributes
                .iter_mut()
                .map(|a| (a.name.as_str(), &mut a.value));
            self.system_child(&mut s, &mut saw_event_id, &child.name, attrs, content)?;
        }
        if !saw_event_id {
            return Err(self.err("<System> has no <EventID>"));
        }
        Ok(s)
    }

    /// Maps one child of `<System>`, given its name, attributes and text content (`None` if
    /// it holds anything but text), onto `s`.
    pub(super) fn system_child<'a>(
        &self,
        s: &mut System,
        saw_event_id: &mut bool,
        name: &str,
        attrs: impl Iterator<Item = (&'a str, &'a mut Value)>,
        content: Option<Value>,
    ) -> Result<()> {
        {
            match SystemChild::from_name(local(name)) {
                Some(SystemChild::Provider) => {
                    for (key, v) in attrs {
                        match key {
                            "Name" => s.provider.name = Some(take_text(v).into()),
                            "Guid" => s.provider.guid = self.guid(v, "Provider/@Guid")?,
                            "EventSourceName" => s.provider.event_source_name = Some(take_text(v)),
                            _ => return Err(self.err(format!("unexpected {key} on <Provider>"))),
                        }
                    }
                }
                Some(SystemChild::EventId) => {
                    for (key, v) in attrs {
                        match key {
                            "Qualifiers" if v.is_empty_text() => {}
                            "Qualifiers" => s.qualifiers = Some(self.num(v, "Qualifiers")?),
                            _ => return Err(self.err(format!("unexpected {key} on <EventID>"))),
                        }
                    }
                    s.event_id = self.text_num(name, content)?;
                    *saw_event_id = true;
                }
                Some(SystemChild::Version) => s.version = Some(self.text_num(name, content)?),
                Some(SystemChild::Level) => s.level = Some(self.text_num(name, content)?),
                Some(SystemChild::Task) => s.task = Some(self.text_num(name, content)?),
                Some(SystemChild::Opcode) => s.opcode = Some(self.text_num(name, content)?),
                Some(SystemChild::Keywords) => {
                    let v = content.ok_or_else(|| self.err("<Keywords> must hold text"))?;
                    let k = match &v {
                        Value::String(t) => parse_u64_auto(t),
                        other => other.as_u64(),
                    };
                    s.keywords = Some(k.ok_or_else(|| {
                        self.err(format!("<Keywords> holds {v:?}, not a 64-bit number"))
                    })?);
                }
                Some(SystemChild::TimeCreated) => {
                    for (key, v) in attrs {
                        let t = match (key, &*v) {
                            ("SystemTime", Value::FileTime(t)) => *t,
                            ("SystemTime", Value::SysTime(t)) => {
                                t.to_file_time().ok_or_else(|| {
                                    self.err(format!("SystemTime {t:?} is not a valid time"))
                                })?
                            }
                            ("SystemTime", Value::String(t)) => {
                                FileTime::parse(t).ok_or_else(|| {
                                    self.err(format!("SystemTime '{t}' is not a time"))
                                })?
                            }
                            ("RawTime", v) => FileTime(self.num(v, "RawTime")?),
                            _ => {
                                return Err(
                                    self.err(format!("unexpected {key}={v:?} on <TimeCreated>"))
                                )
                            }
                        };
                        if key == "SystemTime" || s.time_created.is_none() {
                            s.time_created = Some(t);
                        }
                    }
                }
                Some(SystemChild::EventRecordId) => {
                    s.event_record_id = Some(self.text_num(name, content)?)
                }
                Some(SystemChild::Correlation) => {
                    let mut c = Correlation::default();
                    for (key, v) in attrs {
                        match key {
                            "ActivityID" => c.activity_id = self.guid(v, key)?,
                            "RelatedActivityID" => c.related_activity_id = self.guid(v, key)?,
                            _ => return Err(self.err(format!("unexpected {key} on <Correlation>"))),
                        }
                    }
                    s.correlation = Some(c);
                }
                Some(SystemChild::Execution) => {
                    let mut e = Execution::default();
                    for (key, v) in attrs {
                        match key {
                            "ProcessID" => e.process_id = self.num(v, key)?,
                            "ThreadID" => e.thread_id = self.num(v, key)?,
                            "ProcessorID" => e.processor_id = Some(self.num(v, key)?),
                            "SessionID" => e.session_id = Some(self.num(v, key)?),
                            "KernelTime" => e.kernel_time = Some(self.num(v, key)?),
                            "UserTime" => e.user_time = Some(self.num(v, key)?),
                            "ProcessorTime" => e.processor_time = Some(self.num(v, key)?),
                            _ => return Err(self.err(format!("unexpected {key} on <Execution>"))),
                        }
                    }
                    s.execution = Some(e);
                }
                Some(SystemChild::Channel) => s.channel = Some(self.text(name, content)?.into()),
                Some(SystemChild::Computer) => s.computer = Some(self.text(name, content)?.into()),
                Some(SystemChild::Security) => {
                    let mut sec = Security::default();
                    for (key, v) in attrs {
                        sec.user_id = match (key, &*v) {
                            ("UserID", Value::Sid(sid)) => Some(sid.clone()),
                            ("UserID", Value::String(t)) if t.is_empty() => None,
                            ("UserID", Value::String(t)) => {
                                Some(Sid::parse(t).ok_or_else(|| {
                                    self.err(format!("UserID '{t}' is not a SID"))
                                })?)
                            }
                            _ => {
                                return Err(
                                    self.err(format!("unexpected {key}={v:?} on <Security>"))
                                )
                            }
                        };
                    }
                    s.security = Some(sec);
                }
                None => return Err(self.err(format!("unexpected <{name}> in <System>"))),
            }
        }
        Ok(())
    }

    fn event_data(&self, data: Element) -> Result<EventData> {
        let mut out = EventData::default();
        for a in &data.attributes {
            match a.name.as_str() {
                "Name" => out.name = Some(a.value.to_text()),
                other => return Err(self.err(format!("unexpected {other} on <EventData>"))),
            }
        }
        for child in data.children {
            let child = match child {
                Node::Element(e) => e,
                Node::Value(v) if v.is_empty_text() => continue,
                Node::ProcessingInstruction { .. } => continue,
                _ => return Err(self.err("unexpected text in <EventData>")),
            };
            let item = match local(&child.name) {
                "Data" if child.attributes.iter().all(|a| a.name == "Name") => {
                    let mut child = child;
                    match take_content(&mut child) {
                        Some(value) => DataItem::Data {
                            name: child
                                .attributes
                                .into_iter()
                                .next()
                                .map(|a| into_text(a.value).into()),
                            value,
                        },
                        None => DataItem::Element(child),
                    }
                }
                "Binary" if child.attributes.is_empty() => match content(&child) {
                    Some(Value::Binary(b)) => DataItem::Binary(b),
                    Some(Value::String(t)) => match parse_hex_bytes(t.trim()) {
                        Some(b) if !t.is_empty() => DataItem::Binary(b),
                        _ => DataItem::Element(child),
                    },
                    _ => DataItem::Element(child),
                },
                _ => DataItem::Element(child),
            };
            out.items.push(item);
        }
        Ok(out)
    }
}
