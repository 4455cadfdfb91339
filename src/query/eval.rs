//! The general evaluator: any filter expression over a typed *view* of an event as the tree
//! Windows renders, without building XML.
//!
//! The compiled fast paths (`compile.rs`) cover the common shapes; everything else runs here.
//! Both follow the semantics in `value.rs`; the naive oracle in `naive.rs` (tests only) checks
//! them against the rendered XML.
//!
//! Invariants:
//! - The view has exactly the elements and attributes the renderer writes, in the same order,
//!   with the same local names; an element's value is the text the renderer writes as its
//!   direct content.
//! - Evaluation allocates only when a comparison must read a value as text (`Scratch`).

use std::cmp::Ordering;

use super::ast::{CmpOp, Expr, ExprKind, Literal, Operand, Predicate, Step, TimeArg};
use super::value::{compare_int, compare_text, compare_value, parse_number, Typed};
use crate::event::{
    Body, DataItem, Element, Event, EventData, FileTime, Guid, Node, Sid, System, SystemChild,
    SystemValue, Value,
};

/// Per-evaluation state: the time `timediff()` measures from, and text scratch space.
pub(crate) struct Scratch {
    pub(crate) now: FileTime,
    text: String,
}

impl Scratch {
    pub(crate) fn new(now: FileTime) -> Scratch {
        Scratch {
            now,
            text: String::new(),
        }
    }
}

/// A System child that is an element with a single text value (the table's `UInt`, `Hex`
/// and `Text` children): the nine the view reads as leaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SysLeaf(SystemChild);

impl SysLeaf {
    /// `<EventID>`, the one leaf with an attribute (`Qualifiers`).
    pub(crate) const EVENT_ID: SysLeaf = SysLeaf(SystemChild::EventId);

    /// Its entry in the table of System children (name, value type).
    pub(crate) fn child(self) -> SystemChild {
        self.0
    }

    /// The leaf that `child` is, if it is one (its value is not attributes only).
    pub(crate) fn of(child: SystemChild) -> Option<SysLeaf> {
        (child.value() != SystemValue::Attributes).then_some(SysLeaf(child))
    }
}

/// A node of the event view.
#[derive(Clone, Copy)]
pub(crate) enum View<'a> {
    /// The virtual document root; its only child is the event.
    Root(&'a Event),
    Event(&'a Event),
    System(&'a System),
    Provider(&'a System),
    Leaf(&'a System, SysLeaf),
    TimeCreated(FileTime),
    Correlation(&'a System),
    Execution(&'a System),
    Security(&'a System),
    EventData(&'a EventData),
    Data(Option<&'a str>, &'a Value),
    Binary(&'a [u8]),
    UserData(&'a [Node]),
    /// A generic element (UserData content, other sections, RenderingInfo, ComplexData),
    /// under the name it is rendered with.
    Element(&'a str, &'a Element),
}

/// A scalar value of a node, compared without building text where possible.
pub(crate) enum Scalar<'a> {
    Int(i128),
    /// Written in hex (`0x…`), such as Keywords.
    Hex(u64),
    Str(&'a str),
    Time(FileTime),
    Guid(Guid),
    Sid(&'a Sid),
    Value(&'a Value),
    /// Text that had to be built (generic element content, Binary).
    Built,
}

impl<'a> View<'a> {
    /// The local name the element is rendered with.
    fn name(&self) -> &'a str {
        match self {
            View::Root(_) => "",
            View::Event(_) => "Event",
            View::System(_) => "System",
            View::Provider(_) => "Provider",
            View::Leaf(_, leaf) => leaf.child().name(),
            View::TimeCreated(_) => "TimeCreated",
            View::Correlation(_) => "Correlation",
            View::Execution(_) => "Execution",
            View::Security(_) => "Security",
            View::EventData(_) => "EventData",
            View::Data(..) => "Data",
            View::Binary(_) => "Binary",
            View::UserData(_) => "UserData",
            View::Element(name, _) => local_name(name),
        }
    }

    /// Calls `f` on each child element in document order until it returns true.
    fn any_child(&self, f: &mut dyn FnMut(View<'a>) -> bool) -> bool {
        match *self {
            View::Root(e) => f(View::Event(e)),
            View::Event(e) => {
                if f(View::System(&e.system)) {
                    return true;
                }
                let body = match &e.body {
                    Body::None => None,
                    Body::EventData(d) => Some(View::EventData(d)),
                    Body::UserData(nodes) => Some(View::UserData(nodes)),
                    Body::Other(el) => Some(View::Element(&el.name, el)),
                };
                if body.is_some_and(&mut *f) {
                    return true;
                }
                e.rendering_info
                    .as_ref()
                    .is_some_and(|info| f(View::Element("RenderingInfo", info)))
            }
            View::System(s) => {
                // The table of System children (`SystemChild`) in its order, spelt out: each
                // child's presence is its own field, and this walk is on the general path.
                let leaf = |c| View::Leaf(s, SysLeaf(c));
                f(View::Provider(s))
                    || f(leaf(SystemChild::EventId))
                    || (s.version.is_some() && f(leaf(SystemChild::Version)))
                    || (s.level.is_some() && f(leaf(SystemChild::Level)))
                    || (s.task.is_some() && f(leaf(SystemChild::Task)))
                    || (s.opcode.is_some() && f(leaf(SystemChild::Opcode)))
                    || (s.keywords.is_some() && f(leaf(SystemChild::Keywords)))
                    || s.time_created.is_some_and(|t| f(View::TimeCreated(t)))
                    || (s.event_record_id.is_some() && f(leaf(SystemChild::EventRecordId)))
                    || (s.correlation.is_some() && f(View::Correlation(s)))
                    || (s.execution.is_some() && f(View::Execution(s)))
                    || (s.channel.is_some() && f(leaf(SystemChild::Channel)))
                    || (s.computer.is_some() && f(leaf(SystemChild::Computer)))
                    || (s.security.is_some() && f(View::Security(s)))
            }
            View::EventData(d) => d.items.iter().any(|item| {
                f(match item {
                    DataItem::Data { name, value } => View::Data(name.as_deref(), value),
                    DataItem::Binary(b) => View::Binary(b),
                    DataItem::Element(el) => View::Element(&el.name, el),
                })
            }),
            View::UserData(nodes) => elements(nodes).any(|el| f(View::Element(&el.name, el))),
            View::Element(_, el) => elements(&el.children).any(|c| f(View::Element(&c.name, c))),
            _ => false,
        }
    }

    /// The value of attribute `name`, if the element has it.
    fn attribute(&self, name: &str) -> Option<Scalar<'a>> {
        let opt_guid = |g: Option<Guid>| g.map(Scalar::Guid);
        let int = |v: Option<u64>| v.map(|v| Scalar::Int(i128::from(v)));
        match *self {
            View::Event(_) if name == "xmlns" => Some(Scalar::Str(crate::event::xml::EVENT_NS)),
            View::Provider(s) => match name {
                "Name" => s.provider.name.as_deref().map(Scalar::Str),
                "Guid" => opt_guid(s.provider.guid),
                "EventSourceName" => s.provider.event_source_name.as_deref().map(Scalar::Str),
                _ => None,
            },
            View::Leaf(s, SysLeaf::EVENT_ID) if name == "Qualifiers" => {
                int(s.qualifiers.map(u64::from))
            }
            View::TimeCreated(t) if name == "SystemTime" => Some(Scalar::Time(t)),
            View::Correlation(s) => {
                let c = s.correlation.as_ref()?;
                match name {
                    "ActivityID" => opt_guid(c.activity_id),
                    "RelatedActivityID" => opt_guid(c.related_activity_id),
                    _ => None,
                }
            }
            View::Execution(s) => {
                let e = s.execution.as_ref()?;
                match name {
                    "ProcessID" => int(Some(u64::from(e.process_id))),
                    "ThreadID" => int(Some(u64::from(e.thread_id))),
                    "ProcessorID" => int(e.processor_id.map(u64::from)),
                    "SessionID" => int(e.session_id.map(u64::from)),
                    "KernelTime" => int(e.kernel_time.map(u64::from)),
                    "UserTime" => int(e.user_time.map(u64::from)),
                    "ProcessorTime" => int(e.processor_time),
                    _ => None,
                }
            }
            View::Security(s) if name == "UserID" => {
                s.security.as_ref()?.user_id.as_ref().map(Scalar::Sid)
            }
            View::EventData(d) if name == "Name" => d.name.as_deref().map(Scalar::Str),
            View::Data(Some(n), _) if name == "Name" => Some(Scalar::Str(n)),
            View::Element(_, el) => el
                .attributes
                .iter()
                .find(|a| a.name == name)
                .map(|a| Scalar::Value(&a.value)),
            _ => None,
        }
    }

    /// The element's text content as a scalar (building it into `scratch` if needed).
    fn value(&self, scratch: &mut String) -> Scalar<'a> {
        match *self {
            View::Leaf(s, leaf) => {
                let child = leaf.child();
                match child.value() {
                    SystemValue::UInt { .. } => Scalar::Int(child.integer(s).map_or(0, i128::from)),
                    SystemValue::Hex => Scalar::Hex(child.integer(s).unwrap_or(0)),
                    SystemValue::Text | SystemValue::Attributes => {
                        Scalar::Str(child.text(s).unwrap_or(""))
                    }
                }
            }
            View::Data(_, v) => Scalar::Value(v),
            View::Binary(b) => {
                scratch.clear();
                crate::event::write_hex_upper(scratch, b);
                Scalar::Built
            }
            View::Element(_, el) => {
                scratch.clear();
                write_direct_text(el, scratch);
                Scalar::Built
            }
            // UserData may hold text beside (or instead of) its element.
            View::UserData(nodes) => {
                scratch.clear();
                write_text_nodes(nodes, scratch);
                Scalar::Built
            }
            _ => Scalar::Str(""),
        }
    }

    /// True if the element has a text node: it is rendered with non-empty direct text.
    fn has_text(&self, scratch: &mut String) -> bool {
        match self.value(scratch) {
            _ if !matches!(
                self,
                View::Leaf(..)
                    | View::Data(..)
                    | View::Binary(_)
                    | View::UserData(_)
                    | View::Element(..)
            ) =>
            {
                false
            }
            // As rendered: an array of empty strings writes nothing.
            Scalar::Str(s) => !s.is_empty(),
            Scalar::Value(v) => {
                scratch.clear();
                v.write_text(scratch);
                !scratch.is_empty()
            }
            Scalar::Built => !scratch.is_empty(),
            _ => true,
        }
    }
}

fn elements(nodes: &[Node]) -> impl Iterator<Item = &Element> {
    nodes.iter().filter_map(|n| match n {
        Node::Element(e) => Some(e),
        _ => None,
    })
}

/// The local part of a possibly prefixed name.
pub(crate) fn local_name(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}

/// The direct text content of a generic element as the renderer writes it (values and
/// CDATA, in order).
pub(crate) fn write_direct_text(el: &Element, out: &mut String) {
    write_text_nodes(&el.children, out);
}

/// The text of `nodes` (values and CDATA, in order), skipping elements.
fn write_text_nodes(nodes: &[Node], out: &mut String) {
    for node in nodes {
        match node {
            Node::Value(v) => v.write_text(out),
            Node::CData(t) => out.push_str(t),
            Node::Element(_) | Node::ProcessingInstruction { .. } => {}
        }
    }
}

/// Compares a scalar with a literal under the rules of `value.rs`.
fn compare_scalar(s: &Scalar<'_>, literal: &Typed, scratch: &mut String) -> Option<Ordering> {
    match s {
        Scalar::Int(i) => compare_int(*i, literal),
        Scalar::Hex(v) => match literal {
            Typed::Str(_) => {
                scratch.clear();
                crate::event::write_hex_lower(scratch, *v);
                compare_text(scratch, literal)
            }
            _ => compare_int(i128::from(*v), literal),
        },
        Scalar::Str(t) => compare_text(t, literal),
        Scalar::Time(t) => match literal {
            Typed::Time(l) => Some(t.cmp(l)),
            _ => {
                scratch.clear();
                t.write_to(scratch);
                compare_text(scratch, literal)
            }
        },
        Scalar::Guid(g) => match literal {
            Typed::Guid(l) => Some(g.cmp(l)),
            _ => {
                scratch.clear();
                g.write_to(scratch);
                compare_text(scratch, literal)
            }
        },
        Scalar::Sid(sid) => match literal {
            Typed::Sid(l) => Some((*sid).cmp(l)),
            _ => {
                scratch.clear();
                sid.write_to(scratch);
                compare_text(scratch, literal)
            }
        },
        Scalar::Value(v) => compare_value(v, literal, scratch),
        Scalar::Built => {
            let text = std::mem::take(scratch);
            let r = compare_text(&text, literal);
            *scratch = text;
            r
        }
    }
}

/// The scalar as a time, for `timediff()`.
fn scalar_time(s: &Scalar<'_>, scratch: &mut String) -> Option<FileTime> {
    match s {
        Scalar::Time(t) => Some(*t),
        Scalar::Value(Value::FileTime(t)) => Some(*t),
        Scalar::Str(t) => FileTime::parse(t),
        Scalar::Value(v) => {
            scratch.clear();
            v.write_text(scratch);
            FileTime::parse(scratch)
        }
        Scalar::Built => FileTime::parse(scratch),
        Scalar::Int(_) | Scalar::Hex(_) | Scalar::Guid(_) | Scalar::Sid(_) => None,
    }
}

/// The scalar as an unsigned 64-bit number, for `band()`.
fn scalar_u64(s: &Scalar<'_>, scratch: &mut String) -> Option<u64> {
    let typed = match s {
        Scalar::Int(i) => return u64::try_from(*i).ok(),
        Scalar::Hex(v) => return Some(*v),
        Scalar::Value(v) => {
            scratch.clear();
            v.write_text(scratch);
            parse_number(scratch)
        }
        Scalar::Str(t) => parse_number(t),
        Scalar::Built => parse_number(scratch),
        Scalar::Time(_) | Scalar::Guid(_) | Scalar::Sid(_) => None,
    };
    typed.and_then(|t| t.as_u64())
}

/// Evaluates `expr` with `context` as the context node at `position`.
pub(crate) fn eval(expr: &Expr, context: View<'_>, position: u64, scratch: &mut Scratch) -> bool {
    match &expr.kind {
        ExprKind::Or(a, b) => {
            eval(a, context, position, scratch) || eval(b, context, position, scratch)
        }
        ExprKind::And(a, b) => {
            eval(a, context, position, scratch) && eval(b, context, position, scratch)
        }
        ExprKind::Exists(path) => any_node(context, &path.steps, scratch, &mut |_, _| true),
        ExprKind::Band { path, mask } => any_node(context, &path.steps, scratch, &mut |node, s| {
            let v = node_scalar(node, &mut s.text);
            scalar_u64(&v, &mut s.text).is_some_and(|v| v & mask != 0)
        }),
        ExprKind::Compare { left, op, right } => {
            compare(left, *op, right, context, position, scratch)
        }
    }
}

fn compare(
    left: &Operand,
    op: CmpOp,
    right: &Literal,
    context: View<'_>,
    position: u64,
    scratch: &mut Scratch,
) -> bool {
    match left {
        Operand::Path(path) => any_node(context, &path.steps, scratch, &mut |node, s| {
            let v = node_scalar(node, &mut s.text);
            compare_scalar(&v, &right.value, &mut s.text).is_some_and(|o| op.holds(o))
        }),
        Operand::Position => {
            compare_int(i128::from(position), &right.value).is_some_and(|o| op.holds(o))
        }
        Operand::TimeDiff { from, to } => {
            let now = scratch.now;
            let holds = |t1: FileTime, t2: FileTime| {
                let ms = (i128::from(t2.0) - i128::from(t1.0)) / 10_000;
                compare_int(ms, &right.value).is_some_and(|o| op.holds(o))
            };
            match (from, to) {
                // Two paths: existential over pairs (some `a` and some `b` with `b − a op n`).
                (TimeArg::Path(a), TimeArg::Path(b)) => {
                    let mut starts = Vec::new();
                    any_node(context, &a.steps, scratch, &mut |node, s| {
                        let v = node_scalar(node, &mut s.text);
                        starts.extend(scalar_time(&v, &mut s.text));
                        false
                    });
                    !starts.is_empty()
                        && any_node(context, &b.steps, scratch, &mut |node, s| {
                            let v = node_scalar(node, &mut s.text);
                            scalar_time(&v, &mut s.text)
                                .is_some_and(|t| starts.iter().any(|&t0| holds(t0, t)))
                        })
                }
                (TimeArg::Path(p), other) | (other, TimeArg::Path(p)) => {
                    let path_is_from = matches!(from, TimeArg::Path(q) if std::ptr::eq(q, p));
                    let fixed = match other {
                        TimeArg::Now => now,
                        TimeArg::Literal(t) => *t,
                        // Two paths are handled by the arm above.
                        TimeArg::Path(_) => return false,
                    };
                    any_node(context, &p.steps, scratch, &mut |node, s| {
                        let v = node_scalar(node, &mut s.text);
                        scalar_time(&v, &mut s.text).is_some_and(|t| {
                            if path_is_from {
                                holds(t, fixed)
                            } else {
                                holds(fixed, t)
                            }
                        })
                    })
                }
                _ => false,
            }
        }
    }
}

/// A node of a path's result: an element, the text node of an element, or an attribute.
pub(super) enum Found<'a> {
    Element(View<'a>),
    Text(View<'a>),
    Attribute(Scalar<'a>),
}

fn node_scalar<'a>(found: Found<'a>, scratch: &mut String) -> Scalar<'a> {
    match found {
        Found::Element(v) | Found::Text(v) => v.value(scratch),
        Found::Attribute(value) => value,
    }
}

/// Walks `steps` from `context`; calls `f` on every node reached until it returns true.
pub(super) fn any_node<'a>(
    context: View<'a>,
    steps: &[Step],
    scratch: &mut Scratch,
    f: &mut dyn FnMut(Found<'a>, &mut Scratch) -> bool,
) -> bool {
    let Some((step, rest)) = steps.split_first() else {
        return f(Found::Element(context), scratch);
    };
    match step {
        Step::Attribute(name) => match (rest.is_empty(), context.attribute(name)) {
            (true, Some(value)) => f(Found::Attribute(value), scratch),
            _ => false,
        },
        Step::Text => {
            rest.is_empty()
                && context.has_text(&mut scratch.text)
                && f(Found::Text(context), scratch)
        }
        Step::Element { name, predicates } => {
            let matches_name = |v: &View<'_>| name.as_deref().is_none_or(|n| v.name() == n);
            if predicates
                .iter()
                .all(|p| matches!(p, Predicate::Expr(e) if !uses_position(e)))
            {
                // No positions: filter each candidate on its own.
                return context.any_child(&mut |child| {
                    matches_name(&child)
                        && predicates.iter().all(|p| match p {
                            Predicate::Expr(e) => eval(e, child, 1, scratch),
                            Predicate::Position(_) => false,
                        })
                        && any_node(child, rest, scratch, f)
                });
            }
            // Positions: apply the predicates in turn to the surviving candidates.
            let mut candidates = Vec::new();
            context.any_child(&mut |child| {
                if matches_name(&child) {
                    candidates.push(child);
                }
                false
            });
            for p in predicates {
                let mut kept = Vec::with_capacity(candidates.len());
                for (i, c) in candidates.iter().enumerate() {
                    let pos = i as u64 + 1;
                    let keep = match p {
                        Predicate::Position(n) => pos == *n,
                        Predicate::Expr(e) => eval(e, *c, pos, scratch),
                    };
                    if keep {
                        kept.push(*c);
                    }
                }
                candidates = kept;
            }
            candidates
                .into_iter()
                .any(|c| any_node(c, rest, scratch, f))
        }
    }
}

/// True if `e` refers to `position()` at its own level (not inside a nested predicate).
pub(crate) fn uses_position(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Or(a, b) | ExprKind::And(a, b) => uses_position(a) || uses_position(b),
        ExprKind::Compare {
            left: Operand::Position,
            ..
        } => true,
        _ => false,
    }
}

/// Evaluates a top-level filter against an event.
pub(crate) fn matches(expr: &Expr, event: &Event, scratch: &mut Scratch) -> bool {
    eval(expr, View::Root(event), 1, scratch)
}

/// Evaluates `expr` with the event itself as the context node (a predicate of `*`).
pub(crate) fn matches_at_event(expr: &Expr, event: &Event, scratch: &mut Scratch) -> bool {
    eval(expr, View::Event(event), 1, scratch)
}

/// Evaluates `expr` with the event's System element as the context node.
pub(crate) fn matches_at_system(expr: &Expr, event: &Event, scratch: &mut Scratch) -> bool {
    eval(expr, View::System(&event.system), 1, scratch)
}
