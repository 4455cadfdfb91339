//! The naive oracle (tests only): evaluates a filter's syntax tree on the event's *rendered
//! XML*, parsed into a tiny DOM, by the letter of the semantics in `value.rs` and `eval.rs`.
//!
//! It shares nothing with the evaluators it checks except the comparison definitions of
//! `value.rs` (which ARE the definition): no typed view, no compiled program. It is written to
//! be obviously right, not fast: every step materialises its node set as a `Vec`.
//!
//! - Context: a virtual root whose only child is the `<Event>` element.
//! - Child and attribute axes only; elements by local name, attributes by their name as
//!   written (a query cannot name a prefixed attribute), both case-sensitive.
//! - An element's value (and its `text()` node's) is the concatenation of its direct text and
//!   CDATA children; `text()` exists only when that is non-empty. An attribute's value is its
//!   text.
//! - Comparisons are existential over node sets; `timediff()` over two node sets is
//!   existential over pairs.

use quick_xml::events::Event as XmlEvent;
use quick_xml::Reader;

use super::ast::{CmpOp, Expr, ExprKind, Literal, Operand, Path, Predicate, Step, TimeArg};
use super::value::{compare_int, compare_text, parse_number};
use crate::event::{Event, FileTime};

/// An element of the rendered event.
#[derive(Debug)]
pub(crate) struct Elem {
    /// The local name (prefix stripped).
    pub(crate) name: String,
    /// Attributes as written (name, unescaped value).
    pub(crate) attrs: Vec<(String, String)>,
    pub(crate) children: Vec<Child>,
}

#[derive(Debug)]
pub(crate) enum Child {
    Elem(Elem),
    /// Text or CDATA content, unescaped.
    Text(String),
}

impl Elem {
    /// The direct text content: text and CDATA children, in order.
    pub(crate) fn text(&self) -> String {
        let mut s = String::new();
        for c in &self.children {
            if let Child::Text(t) = c {
                s.push_str(t);
            }
        }
        s
    }

    fn elements(&self) -> impl Iterator<Item = &Elem> {
        self.children.iter().filter_map(|c| match c {
            Child::Elem(e) => Some(e),
            Child::Text(_) => None,
        })
    }
}

/// Renders `event` and parses the XML into the DOM; returns the `<Event>` element.
pub(crate) fn dom(event: &Event) -> Elem {
    let xml = event.to_xml();
    let mut reader = Reader::from_str(&xml);
    reader.config_mut().trim_text(false);
    let mut stack: Vec<Elem> = Vec::new();
    let mut root = None;
    let open = |e: &quick_xml::events::BytesStart<'_>| Elem {
        name: String::from_utf8(e.local_name().as_ref().to_vec()).unwrap(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.unwrap();
                let key = String::from_utf8(a.key.as_ref().to_vec()).unwrap();
                (key, a.unescape_value().unwrap().into_owned())
            })
            .collect(),
        children: Vec::new(),
    };
    let mut close = |el: Elem, stack: &mut Vec<Elem>| match stack.last_mut() {
        Some(parent) => parent.children.push(Child::Elem(el)),
        None => root = Some(el),
    };
    loop {
        match reader.read_event().unwrap_or_else(|e| panic!("{e}: {xml}")) {
            XmlEvent::Start(e) => stack.push(open(&e)),
            XmlEvent::Empty(e) => {
                let el = open(&e);
                close(el, &mut stack);
            }
            XmlEvent::End(_) => {
                let el = stack.pop().unwrap();
                close(el, &mut stack);
            }
            XmlEvent::Text(t) => {
                let text = t.unescape().unwrap().into_owned();
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(Child::Text(text));
                }
            }
            XmlEvent::CData(c) => {
                let text = String::from_utf8(c.into_inner().into_owned()).unwrap();
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(Child::Text(text));
                }
            }
            XmlEvent::Eof => break,
            _ => {}
        }
    }
    root.expect("the rendering has an Event element")
}

/// A node of a node set.
#[derive(Clone, Copy)]
enum N<'a> {
    /// The virtual root; its only child is the event.
    Root(&'a Elem),
    Elem(&'a Elem),
    /// The text node of an element.
    Text(&'a Elem),
    /// An attribute's value.
    Attr(&'a str),
}

impl<'a> N<'a> {
    fn children(self) -> Vec<&'a Elem> {
        match self {
            N::Root(event) => vec![event],
            N::Elem(e) => e.elements().collect(),
            N::Text(_) | N::Attr(_) => Vec::new(),
        }
    }

    fn value(self) -> String {
        match self {
            N::Root(_) => String::new(),
            N::Elem(e) | N::Text(e) => e.text(),
            N::Attr(v) => v.to_owned(),
        }
    }
}

/// True if `expr`, on `event` rendered, holds (`now` for `timediff()`).
pub(crate) fn matches(expr: &Expr, event: &Event, now: FileTime) -> bool {
    let dom = dom(event);
    eval(expr, N::Root(&dom), 1, now)
}

fn eval(expr: &Expr, ctx: N<'_>, position: u64, now: FileTime) -> bool {
    match &expr.kind {
        ExprKind::Or(a, b) => eval(a, ctx, position, now) || eval(b, ctx, position, now),
        ExprKind::And(a, b) => eval(a, ctx, position, now) && eval(b, ctx, position, now),
        ExprKind::Exists(path) => !select(ctx, path, now).is_empty(),
        ExprKind::Band { path, mask } => select(ctx, path, now).iter().any(|n| {
            parse_number(&n.value())
                .and_then(|t| t.as_u64())
                .is_some_and(|v| v & mask != 0)
        }),
        ExprKind::Compare { left, op, right } => compare(left, *op, right, ctx, position, now),
    }
}

fn compare(
    left: &Operand,
    op: CmpOp,
    right: &Literal,
    ctx: N<'_>,
    position: u64,
    now: FileTime,
) -> bool {
    match left {
        Operand::Path(path) => select(ctx, path, now)
            .iter()
            .any(|n| compare_text(&n.value(), &right.value).is_some_and(|o| op.holds(o))),
        Operand::Position => {
            compare_int(i128::from(position), &right.value).is_some_and(|o| op.holds(o))
        }
        Operand::TimeDiff { from, to } => {
            let times = |arg: &TimeArg| -> Vec<FileTime> {
                match arg {
                    TimeArg::Now => vec![now],
                    TimeArg::Literal(t) => vec![*t],
                    TimeArg::Path(p) => select(ctx, p, now)
                        .iter()
                        .filter_map(|n| FileTime::parse(&n.value()))
                        .collect(),
                }
            };
            let (starts, ends) = (times(from), times(to));
            starts.iter().any(|a| {
                ends.iter().any(|b| {
                    let ms = (i128::from(b.0) - i128::from(a.0)) / 10_000;
                    compare_int(ms, &right.value).is_some_and(|o| op.holds(o))
                })
            })
        }
    }
}

/// The node set `path` selects from `ctx`.
fn select<'a>(ctx: N<'a>, path: &Path, now: FileTime) -> Vec<N<'a>> {
    let mut set = vec![ctx];
    for step in &path.steps {
        let mut next = Vec::new();
        for node in set {
            match step {
                Step::Element { name, predicates } => {
                    let mut selected: Vec<N<'a>> = node
                        .children()
                        .into_iter()
                        .filter(|e| name.as_deref().is_none_or(|n| e.name == n))
                        .map(N::Elem)
                        .collect();
                    for p in predicates {
                        selected = selected
                            .iter()
                            .enumerate()
                            .filter(|(i, n)| {
                                let pos = *i as u64 + 1;
                                match p {
                                    Predicate::Position(k) => pos == *k,
                                    Predicate::Expr(e) => eval(e, **n, pos, now),
                                }
                            })
                            .map(|(_, n)| *n)
                            .collect();
                    }
                    next.extend(selected);
                }
                Step::Attribute(name) => {
                    if let N::Elem(e) = node {
                        next.extend(
                            e.attrs
                                .iter()
                                .filter(|(k, _)| k == name)
                                .map(|(_, v)| N::Attr(v.as_str())),
                        );
                    }
                }
                Step::Text => {
                    if let N::Elem(e) = node {
                        if !e.text().is_empty() {
                            next.push(N::Text(e));
                        }
                    }
                }
            }
        }
        set = next;
    }
    set
}
