//! The record model: [`Event`] with typed [`System`] fields, an [`EventData`] / UserData body,
//! and [`Value`]s of every EVT_VARIANT_TYPE; Windows-exact XML rendering and XML parsing.
//!
//! Owns the shape of an event as the Windows event schema defines it
//! (the XML EvtRender writes). Everything else (stores, queries, EVTX) reads and writes this
//! model; nothing materialises XML except the `xml` submodule.
//!
//! Invariants:
//! - `None` means "the element or attribute is absent" and is never rendered; an empty but
//!   present element (`<Correlation/>`, `<Security/>`) is `Some` of an empty struct.
//! - The model holds what the XML can say and no more: render -> parse -> render is the
//!   identity (tested by property test in `tests/`).

use std::sync::Arc;

mod builder;
pub(crate) mod items;
mod system_children;
mod value;
pub(crate) mod xml;

pub use builder::EventBuilder;
pub(crate) use system_children::{SystemChild, SystemFields, SystemValue};
#[cfg(test)]
pub(crate) use value::spare_count;
pub(crate) use value::{
    parse_hex_bytes, parse_u64_auto, push_hex_lower, write_hex_lower, write_hex_upper,
};
pub use value::{
    Array, FileTime, FileTimeWriter, Guid, Sid, SidBytes, SidWriter, SystemTime, Text, Value,
    VariantType,
};
pub use xml::MAX_XML_DEPTH;

/// One event record.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Event {
    /// The `<System>` section.
    pub system: System,
    /// What follows `<System>`: EventData, UserData, another section, or nothing.
    pub body: Body,
    /// `<RenderingInfo>` as forwarded events carry it (an element tree), if present.
    pub rendering_info: Option<Element>,
}

/// The `<System>` section, field by field, in Windows' element order.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct System {
    pub provider: Provider,
    pub event_id: u16,
    /// `EventID/@Qualifiers`: the high 16 bits of a classic 32-bit event id.
    pub qualifiers: Option<u16>,
    pub version: Option<u8>,
    pub level: Option<u8>,
    pub task: Option<u16>,
    pub opcode: Option<u8>,
    pub keywords: Option<u64>,
    /// `TimeCreated/@SystemTime`. `None` renders no TimeCreated element.
    pub time_created: Option<FileTime>,
    pub event_record_id: Option<u64>,
    pub correlation: Option<Correlation>,
    pub execution: Option<Execution>,
    /// Shared, like the provider's name: the events of one channel (or computer) can hold
    /// one text, and a copy of the event takes a count instead of allocating.
    pub channel: Option<Arc<str>>,
    pub computer: Option<Arc<str>>,
    pub security: Option<Security>,
}

/// `<Provider Name Guid EventSourceName/>`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Provider {
    /// Shared: the events of one provider can hold one text (the XML parser's segment memo
    /// and the compact store hand out counts on theirs).
    pub name: Option<Arc<str>>,
    pub guid: Option<Guid>,
    /// Set by classic (pre-Vista style) event sources.
    pub event_source_name: Option<String>,
}

/// `<Correlation ActivityID RelatedActivityID/>`.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Correlation {
    pub activity_id: Option<Guid>,
    pub related_activity_id: Option<Guid>,
}

/// `<Execution ProcessID ThreadID …/>`. The last five attributes appear only in ETL logs.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Execution {
    pub process_id: u32,
    pub thread_id: u32,
    pub processor_id: Option<u8>,
    pub session_id: Option<u32>,
    pub kernel_time: Option<u32>,
    pub user_time: Option<u32>,
    pub processor_time: Option<u64>,
}

/// `<Security UserID/>`.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Security {
    pub user_id: Option<Sid>,
}

/// The section after `<System>`.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Body {
    /// No section at all.
    #[default]
    None,
    /// `<EventData>`: named or unnamed `<Data>`, `<Binary>`, and other items.
    EventData(EventData),
    /// `<UserData>`: an arbitrary element tree (normally one element in the provider's
    /// namespace). These are the children of `<UserData>`.
    UserData(Vec<Node>),
    /// Any other section (`<BinaryEventData>`, `<ProcessingErrorData>`, `<DebugData>`), kept as
    /// an element tree.
    Other(Element),
}

/// `<EventData [Name]>` and its items, in order.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct EventData {
    /// `EventData/@Name` (the template name), rarely present.
    pub name: Option<String>,
    pub items: Vec<DataItem>,
}

/// The items' list goes to the dropping thread's spares (at most four lists each of room for
/// 8, 16 or 32 items), for the next parsed event.
impl Drop for EventData {
    fn drop(&mut self) {
        items::give(std::mem::take(&mut self.items));
    }
}

impl EventData {
    /// The value of the first `<Data Name='name'>`; names compare exactly, as XPath does.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.items.iter().find_map(|item| match item {
            DataItem::Data {
                name: Some(n),
                value,
            } if **n == *name => Some(value),
            _ => None,
        })
    }

    /// The values of every `<Data>`, named or not, in order.
    pub fn values(&self) -> impl Iterator<Item = &Value> {
        self.items.iter().filter_map(|item| match item {
            DataItem::Data { value, .. } => Some(value),
            _ => None,
        })
    }
}

/// One child of `<EventData>`.
#[derive(Clone, Debug, PartialEq)]
pub enum DataItem {
    /// `<Data [Name='n']>value</Data>`. Names are shared: every event of one template holds
    /// the same few, and a decoded EVTX record's names are its template's.
    Data {
        name: Option<Arc<str>>,
        value: Value,
    },
    /// `<Binary>HEX</Binary>`: the raw data of a classic event.
    Binary(Vec<u8>),
    /// Anything else (`<ComplexData>`, unexpected elements), kept as a tree.
    Element(Element),
}

impl DataItem {
    /// A named `<Data>` item.
    pub fn named(name: impl Into<Arc<str>>, value: impl Into<Value>) -> DataItem {
        DataItem::Data {
            name: Some(name.into()),
            value: value.into(),
        }
    }

    /// An unnamed `<Data>` item.
    pub fn unnamed(value: impl Into<Value>) -> DataItem {
        DataItem::Data {
            name: None,
            value: value.into(),
        }
    }
}

/// A generic XML element: name (with any prefix kept as written), attributes in order, and
/// children.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Element {
    pub name: String,
    pub attributes: Vec<Attribute>,
    pub children: Vec<Node>,
}

impl Element {
    /// An element with no attributes or children.
    pub fn new(name: impl Into<String>) -> Element {
        Element {
            name: name.into(),
            attributes: Vec::new(),
            children: Vec::new(),
        }
    }

    /// Adds an attribute (builder style).
    pub fn attr(mut self, name: impl Into<String>, value: impl Into<Value>) -> Element {
        self.attributes.push(Attribute {
            name: name.into(),
            value: value.into(),
        });
        self
    }

    /// Adds a child element (builder style).
    pub fn child(mut self, child: Element) -> Element {
        self.children.push(Node::Element(child));
        self
    }

    /// Adds a text or typed value child (builder style).
    pub fn text(mut self, value: impl Into<Value>) -> Element {
        self.children.push(Node::Value(value.into()));
        self
    }

    /// The value of the attribute `name`, if present.
    pub fn attribute(&self, name: &str) -> Option<&Value> {
        self.attributes
            .iter()
            .find(|a| a.name == name)
            .map(|a| &a.value)
    }

    /// The child elements, in order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            _ => None,
        })
    }
}

/// An attribute of a generic element.
#[derive(Clone, Debug, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub value: Value,
}

/// A child node of a generic element.
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    Element(Element),
    /// Character data: text (`Value::String`) or a typed value written in its text form.
    Value(Value),
    /// A CDATA section.
    CData(String),
    /// A processing instruction `<?target data?>`.
    ProcessingInstruction {
        target: String,
        data: String,
    },
}

impl Event {
    /// Starts building an event from its provider name.
    pub fn builder(provider: impl Into<String>) -> EventBuilder {
        EventBuilder::new(provider)
    }

    /// The EventData section, if the body is one.
    pub fn event_data(&self) -> Option<&EventData> {
        match &self.body {
            Body::EventData(d) => Some(d),
            _ => None,
        }
    }

    /// Renders the event as EvtRender(EvtRenderEventXml) does: one line, Windows' shape.
    pub fn to_xml(&self) -> String {
        let mut out = String::with_capacity(1024);
        xml::write_event(&mut out, self);
        out
    }

    /// Appends the Windows XML rendering to `out` (no allocation beyond `out`'s growth).
    pub fn write_xml(&self, out: &mut String) {
        xml::write_event(out, self);
    }

    /// Parses one event from XML: Windows' rendering, or any well-formed equivalent (double
    /// quotes, indentation, an XML declaration, either GUID case). Errors are of kind
    /// [`MalformedXml`](crate::ErrorKind::MalformedXml) with line and column.
    pub fn from_xml(text: &str) -> crate::Result<Event> {
        xml::parse_event(text)
    }

    /// A rough size of the event as an EVTX record, in bytes; stores use it for max-size
    /// accounting. Counts strings as UTF-16 and adds the fixed BinXml overhead.
    pub fn approx_record_size(&self) -> u64 {
        fn str_len(s: &str) -> u64 {
            2 * s.len() as u64
        }
        fn value_len(v: &Value) -> u64 {
            match v {
                Value::String(s) | Value::AnsiString(s) | Value::Xml(s) => str_len(s),
                Value::Binary(b) => b.len() as u64,
                Value::Sid(s) => 8 + 4 * s.sub_authorities().len() as u64,
                Value::Guid(_) | Value::SysTime(_) => 16,
                Value::Array(a) => a.items().iter().map(value_len).sum(),
                _ => 8,
            }
        }
        fn element_len(e: &Element) -> u64 {
            let attrs: u64 = e
                .attributes
                .iter()
                .map(|a| 16 + str_len(&a.name) + value_len(&a.value))
                .sum();
            let children: u64 = e
                .children
                .iter()
                .map(|n| match n {
                    Node::Element(c) => element_len(c),
                    Node::Value(v) => 4 + value_len(v),
                    Node::CData(s) => 4 + str_len(s),
                    Node::ProcessingInstruction { target, data } => {
                        8 + str_len(target) + str_len(data)
                    }
                })
                .sum();
            24 + str_len(&e.name) + attrs + children
        }
        // Record header, System template instance and substitution array.
        let s = &self.system;
        let mut size = 280u64;
        size += s.provider.name.as_deref().map_or(0, str_len);
        size += s.provider.event_source_name.as_deref().map_or(0, str_len);
        size += s.channel.as_deref().map_or(0, str_len);
        size += s.computer.as_deref().map_or(0, str_len);
        size += s
            .security
            .as_ref()
            .and_then(|x| x.user_id.as_ref())
            .map_or(0, |sid| 8 + 4 * sid.sub_authorities().len() as u64);
        size += match &self.body {
            Body::None => 0,
            Body::EventData(d) => {
                d.items
                    .iter()
                    .map(|item| match item {
                        DataItem::Data { name, value } => {
                            12 + name.as_deref().map_or(0, |_| 8) + value_len(value)
                        }
                        DataItem::Binary(b) => 12 + b.len() as u64,
                        DataItem::Element(e) => element_len(e),
                    })
                    .sum::<u64>()
                    + 16
            }
            Body::UserData(nodes) => {
                16 + nodes
                    .iter()
                    .map(|n| match n {
                        Node::Element(e) => element_len(e),
                        Node::Value(v) => value_len(v),
                        Node::CData(s) => str_len(s),
                        Node::ProcessingInstruction { target, data } => {
                            str_len(target) + str_len(data)
                        }
                    })
                    .sum::<u64>()
            }
            Body::Other(e) => element_len(e),
        };
        size += self.rendering_info.as_ref().map_or(0, element_len);
        // EVTX records are 8-byte aligned.
        (size + 7) & !7
    }
}
