//! What the token reader parses a fragment or template definition into ([`TNode`],
//! [`TElement`]), before substitution, and what a substitution takes on the general path
//! ([`Sub`]); with the two name rules every layer above shares.
//!
//! Owns no behaviour beyond those rules: the parsing is `general`'s, the expansion
//! `expand`'s, the plans made of definitions `plan`'s.

use std::sync::Arc;

use crate::event::{Node, Value};

/// A node of a parsed fragment or template definition, before substitution.
#[derive(Debug)]
pub(super) enum TNode {
    Element(TElement),
    Text(String),
    Value(Value),
    /// A substitution; both kinds omit a Null value, an optional one in an attribute also
    /// omits an empty one.
    Subst {
        index: u16,
        optional: bool,
    },
    CData(String),
    Pi {
        target: String,
        data: String,
    },
    /// An already expanded template instance (or nested fragment).
    Nodes(Vec<Node>),
}

#[derive(Debug)]
pub(super) struct TElement {
    /// Shared with the other elements of that name in the chunk (`tokens::Decoder::name`).
    pub(super) name: Arc<str>,
    pub(super) dep_id: Option<u16>,
    pub(super) attributes: Vec<(Arc<str>, Vec<TNode>)>,
    pub(super) children: Vec<TNode>,
    /// Closed by CloseEmptyElement (`<x/>`) rather than by content and EndElement.
    pub(super) empty_tag: bool,
}

/// A substitution value: a typed value or a decoded nested BinXml fragment.
#[derive(Clone, Debug)]
pub(super) enum Sub {
    Plain(Value),
    Xml(Vec<Node>),
    /// A non-Null value already moved into the output (only in templates whose
    /// substitution indices are all distinct, so it is never read again as content).
    Taken,
}

impl Sub {
    pub(super) fn is_null(&self) -> bool {
        matches!(self, Sub::Plain(Value::Null))
    }
}

/// True if a `<System>` element among `children` comes before anything (a substitution,
/// an expanded instance) that could expand into another `<System>`.
pub(super) fn first_system_is_first(children: &[TNode]) -> bool {
    for c in children {
        match c {
            TNode::Element(e) if local(&e.name) == "System" => return true,
            TNode::Element(_) => {}
            _ => return false,
        }
    }
    false
}

/// A name without its namespace prefix.
pub(super) fn local(name: &str) -> &str {
    name.rsplit_once(':').map_or(name, |(_, l)| l)
}
