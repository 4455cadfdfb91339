//! Value rendering: EvtCreateRenderContext ([`RenderContext`]) and EvtRender with
//! EvtRenderEventValues ([`render_values`]) or EvtRenderBookmark ([`render_bookmark`])
//! (EVT_SYSTEM_PROPERTY_ID's order and types, as Windows documents them).
//!
//! Owns which values a context yields, in which order and of which EVT_VARIANT_TYPE.
//! Event XML rendering is `Event::to_xml` (event/xml); value paths are parsed and walked by
//! the query module (query/value_path.rs), over the typed event, without XML.
//!
//! Invariants:
//! 1. The System context yields exactly the 18 EVT_SYSTEM_PROPERTY_ID values, in id order,
//!    each of its documented type (Keywords as HexInt64, as Windows returns it) or
//!    `Value::Null` when absent.
//! 2. The User context yields the body's values in template order: EventData's items, or
//!    UserData's leaf elements in document order; nothing for an event with neither.
//! 3. A Values context yields one value per path, in the order given: the first node the
//!    path reaches, or `Value::Null`.
//! 4. Rendering never fails and never panics; creating a context validates every path.

use super::bookmark::Bookmark;
use crate::error::{Error, ErrorKind, Result};
use crate::event::{Body, DataItem, Element, Event, Node, Value};
use crate::query::ValuePath;

/// EVT_SYSTEM_PROPERTY_ID: the index of each value [`RenderContext::system`] renders
/// (EVT_SYSTEM_PROPERTY_ID's order). `values[SystemProperty::EventId as usize]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum SystemProperty {
    /// `Provider/@Name`: String.
    ProviderName = 0,
    /// `Provider/@Guid`: Guid.
    ProviderGuid = 1,
    /// `EventID`: UInt16.
    EventId = 2,
    /// `EventID/@Qualifiers`: UInt16.
    Qualifiers = 3,
    /// `Level`: Byte.
    Level = 4,
    /// `Task`: UInt16.
    Task = 5,
    /// `Opcode`: Byte.
    Opcode = 6,
    /// `Keywords`: HexInt64 (documented Int64; Windows returns HexInt64).
    Keywords = 7,
    /// `TimeCreated/@SystemTime`: FileTime.
    TimeCreated = 8,
    /// `EventRecordID`: UInt64.
    EventRecordId = 9,
    /// `Correlation/@ActivityID`: Guid.
    ActivityId = 10,
    /// `Correlation/@RelatedActivityID`: Guid.
    RelatedActivityId = 11,
    /// `Execution/@ProcessID`: UInt32.
    ProcessId = 12,
    /// `Execution/@ThreadID`: UInt32.
    ThreadId = 13,
    /// `Channel`: String.
    Channel = 14,
    /// `Computer`: String.
    Computer = 15,
    /// `Security/@UserID`: Sid.
    UserId = 16,
    /// `Version`: Byte.
    Version = 17,
}

impl SystemProperty {
    /// `EvtSystemPropertyIdEND`: the number of system properties.
    pub const COUNT: usize = 18;
}

/// A render context: EvtCreateRenderContext's handle, as a value.
///
/// ```
/// use evtlog::{render_values, Event, RenderContext, SystemProperty, Value};
///
/// let event = Event::builder("MyApp").event_id(7).data("User", "alice").build();
/// let system = render_values(&RenderContext::system(), &event);
/// assert_eq!(system[SystemProperty::EventId as usize], Value::UInt16(7));
/// let user = render_values(&RenderContext::user(), &event);
/// assert_eq!(user, [Value::String("alice".into())]);
/// let ctx = RenderContext::values(&["Event/EventData/Data[@Name='User']", "Event/System/Correlation/@ActivityID"])?;
/// assert_eq!(render_values(&ctx, &event), [Value::String("alice".into()), Value::Null]);
/// # Ok::<(), evtlog::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct RenderContext {
    kind: Kind,
}

#[derive(Clone, Debug)]
enum Kind {
    System,
    User,
    Values(Vec<ValuePath>),
}

impl RenderContext {
    /// EvtRenderContextSystem: the 18 System properties in EVT_SYSTEM_PROPERTY_ID order.
    pub fn system() -> RenderContext {
        RenderContext { kind: Kind::System }
    }

    /// EvtRenderContextUser: the UserData values if the event has UserData, otherwise the
    /// EventData values, in template order.
    pub fn user() -> RenderContext {
        RenderContext { kind: Kind::User }
    }

    /// EvtRenderContextValues: one value per XPath value path (`Event/System/Provider/@Name`,
    /// `Event/EventData/Data[@Name='x']`, …), in the order given.
    ///
    /// Errors: `InvalidParameter` (87) for an empty list; for a bad path,
    /// `InvalidQuery` (15001) at the path's column with the filter engine's code
    /// (`filter_code()`): a syntax error as for filters, `and`/`or` (15020), a test rather
    /// than a path (15017), a path not from `Event` (15015), a space after an attribute
    /// name (15019). The message names the path's index.
    pub fn values<S: AsRef<str>>(paths: &[S]) -> Result<RenderContext> {
        if paths.is_empty() {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                "EvtRenderContextValues needs at least one value path",
            ));
        }
        let parsed = paths
            .iter()
            .enumerate()
            .map(|(i, p)| {
                ValuePath::parse(p.as_ref())
                    .map_err(|e| e.prefixed(&format!("value path {i} ({}):", p.as_ref())))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(RenderContext {
            kind: Kind::Values(parsed),
        })
    }

    /// The value paths of a Values context, as written (empty for System and User).
    pub fn paths(&self) -> Vec<&str> {
        match &self.kind {
            Kind::Values(paths) => paths.iter().map(ValuePath::text).collect(),
            Kind::System | Kind::User => Vec::new(),
        }
    }
}

/// EvtRender(context, event, EvtRenderEventValues): the values `ctx` selects from `event`
/// (an `&EventRef` works too: it dereferences to its event). The length is the
/// PropertyCount: 18 for System, the body's value count for User, the path count for
/// Values.
pub fn render_values(ctx: &RenderContext, event: &Event) -> Vec<Value> {
    match &ctx.kind {
        Kind::System => system_values(event),
        Kind::User => user_values(event),
        Kind::Values(paths) => paths.iter().map(|p| p.select(event)).collect(),
    }
}

/// EvtRender(NULL, bookmark, EvtRenderBookmark): the bookmark's XML
/// ([`Bookmark::to_xml`]).
pub fn render_bookmark(bookmark: &Bookmark) -> String {
    bookmark.to_xml()
}

fn system_values(event: &Event) -> Vec<Value> {
    let s = &event.system;
    let opt = |v: Option<Value>| v.unwrap_or(Value::Null);
    let correlation = s.correlation.as_ref();
    let execution = s.execution.as_ref();
    vec![
        opt(s.provider.name.as_deref().map(|t| Value::String(t.into()))),
        opt(s.provider.guid.map(Value::Guid)),
        Value::UInt16(s.event_id),
        opt(s.qualifiers.map(Value::UInt16)),
        opt(s.level.map(Value::Byte)),
        opt(s.task.map(Value::UInt16)),
        opt(s.opcode.map(Value::Byte)),
        opt(s.keywords.map(Value::HexInt64)),
        opt(s.time_created.map(Value::FileTime)),
        opt(s.event_record_id.map(Value::UInt64)),
        opt(correlation.and_then(|c| c.activity_id).map(Value::Guid)),
        opt(correlation
            .and_then(|c| c.related_activity_id)
            .map(Value::Guid)),
        opt(execution.map(|e| Value::UInt32(e.process_id))),
        opt(execution.map(|e| Value::UInt32(e.thread_id))),
        opt(s.channel.as_deref().map(|t| Value::String(t.into()))),
        opt(s.computer.as_deref().map(|t| Value::String(t.into()))),
        opt(s
            .security
            .as_ref()
            .and_then(|x| x.user_id.clone())
            .map(Value::Sid)),
        opt(s.version.map(Value::Byte)),
    ]
}

fn user_values(event: &Event) -> Vec<Value> {
    match &event.body {
        Body::EventData(data) => data
            .items
            .iter()
            .map(|item| match item {
                DataItem::Data { value, .. } => value.clone(),
                DataItem::Binary(b) => Value::Binary(b.clone()),
                DataItem::Element(el) => element_xml(el),
            })
            .collect(),
        Body::UserData(nodes) => {
            let mut out = Vec::new();
            for node in nodes {
                if let Node::Element(el) = node {
                    // The provider's one element: its leaves are the template's values.
                    for child in el.elements() {
                        leaves(child, &mut out);
                    }
                }
            }
            out
        }
        Body::None | Body::Other(_) => Vec::new(),
    }
}

/// The values of the leaf elements under `el` (itself, if it is one), in document order.
fn leaves(el: &Element, out: &mut Vec<Value>) {
    if el.elements().next().is_some() {
        for child in el.elements() {
            leaves(child, out);
        }
        return;
    }
    let values: Vec<&Node> = el
        .children
        .iter()
        .filter(|n| matches!(n, Node::Value(_) | Node::CData(_)))
        .collect();
    out.push(match values.as_slice() {
        [] => Value::Null,
        [Node::Value(v)] => v.clone(),
        _ => {
            let mut text = String::new();
            for n in values {
                match n {
                    Node::Value(v) => v.write_text(&mut text),
                    Node::CData(t) => text.push_str(t),
                    _ => {}
                }
            }
            Value::String(text.into())
        }
    });
}

/// A structured EventData item (`<ComplexData>`, …) as its XML fragment. Windows renders
/// these as binary blobs (EvtCreateRenderContext's documentation); evtlog keeps no binary form of them.
fn element_xml(el: &Element) -> Value {
    let mut out = String::new();
    crate::event::xml::write_element(&mut out, el);
    Value::Xml(out.into())
}
