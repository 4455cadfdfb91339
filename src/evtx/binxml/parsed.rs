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
    Text(Text),
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
    /// An attribute's name: only in an element's attribute part (see [`TElement`]), where
    /// the tokens after it, up to the next name, are its value.
    Attr(Arc<str>),
}

#[derive(Debug)]
pub(super) struct TElement {
    /// Shared with the other elements of that name in the chunk (`tokens::Decoder::name`).
    pub(super) name: Arc<str>,
    pub(super) dep_id: Option<u16>,
    /// The attributes (each a [`TNode::Attr`] then its value's tokens), then the children:
    /// one list per element, where a list per attribute, per attribute value and per
    /// element's children made a small definition's parse and drop mostly allocator work.
    /// Invariant: `items[..split]` is empty or starts with a `TNode::Attr` and holds
    /// `attr_count` of them; `items[split..]` holds none.
    items: Vec<TNode>,
    split: usize,
    attr_count: usize,
    /// Closed by CloseEmptyElement (`<x/>`) rather than by content and EndElement.
    pub(super) empty_tag: bool,
}

impl TElement {
    /// An element of these attributes (name, value tokens) and children.
    #[cfg(test)]
    pub(super) fn new(
        name: Arc<str>,
        dep_id: Option<u16>,
        attributes: Vec<(Arc<str>, Vec<TNode>)>,
        children: Vec<TNode>,
        empty_tag: bool,
    ) -> TElement {
        let mut stack = Vec::new();
        let mut b = ElementBuilder::new(&stack);
        for (attr, value) in attributes {
            b.attribute(&mut stack, attr);
            stack.extend(value);
        }
        b.end_attributes(&stack);
        stack.extend(children);
        b.finish(&mut stack, name, dep_id, empty_tag)
    }

    /// The children, after the attributes.
    pub(super) fn children(&self) -> &[TNode] {
        self.items.get(self.split..).unwrap_or_default()
    }

    /// The attributes in order: each name and its value's tokens.
    pub(super) fn attributes(&self) -> Attributes<'_> {
        Attributes {
            rest: self.items.get(..self.split).unwrap_or_default(),
            left: self.attr_count,
        }
    }

    pub(super) fn attribute_count(&self) -> usize {
        self.attr_count
    }

    pub(super) fn has_attributes(&self) -> bool {
        self.attr_count != 0
    }

    /// The element's list, moved out, and where its children start in it (the attributes
    /// before, as [`TElement::attributes`] reads them).
    pub(super) fn into_items(self) -> (Vec<TNode>, usize) {
        (self.items, self.split)
    }
}

/// Builds a [`TElement`]'s one list on the parser's pending stack: attributes (a name,
/// then its value's tokens pushed on the stack), [`ElementBuilder::end_attributes`], then
/// the children pushed on the stack; [`ElementBuilder::finish`] moves everything above the
/// element's start out in one list of exactly its length (nested elements, parsed in
/// between, have moved theirs out already and left one node each).
pub(super) struct ElementBuilder {
    /// Where the element's items start on the stack.
    base: usize,
    split: usize,
    attr_count: usize,
}

impl ElementBuilder {
    /// An element whose items will be pushed on `stack` from its present length.
    pub(super) fn new(stack: &[TNode]) -> ElementBuilder {
        ElementBuilder {
            base: stack.len(),
            split: 0,
            attr_count: 0,
        }
    }

    /// Starts an attribute: the tokens pushed next are its value.
    pub(super) fn attribute(&mut self, stack: &mut Vec<TNode>, name: Arc<str>) {
        stack.push(TNode::Attr(name));
        self.attr_count += 1;
    }

    /// Ends the attributes: the nodes pushed next are children.
    pub(super) fn end_attributes(&mut self, stack: &[TNode]) {
        self.split = stack.len().saturating_sub(self.base);
    }

    /// The element, its items moved off `stack`.
    pub(super) fn finish(
        self,
        stack: &mut Vec<TNode>,
        name: Arc<str>,
        dep_id: Option<u16>,
        empty_tag: bool,
    ) -> TElement {
        TElement {
            name,
            dep_id,
            items: take_above(stack, self.base),
            split: self.split,
            attr_count: self.attr_count,
            empty_tag,
        }
    }
}

/// The nodes on `stack` from `base` on, moved off in a list of exactly their number (one
/// copy of their bytes; `stack` keeps its room for the next).
pub(super) fn take_above(stack: &mut Vec<TNode>, base: usize) -> Vec<TNode> {
    stack.split_off(base.min(stack.len()))
}

/// An element's attributes, in order: each name and its value's tokens.
#[derive(Clone, Debug)]
pub(super) struct Attributes<'a> {
    rest: &'a [TNode],
    left: usize,
}

impl<'a> Iterator for Attributes<'a> {
    type Item = (&'a Arc<str>, &'a [TNode]);

    fn next(&mut self) -> Option<Self::Item> {
        let (TNode::Attr(name), rest) = self.rest.split_first()? else {
            return None;
        };
        let end = rest
            .iter()
            .position(|t| matches!(t, TNode::Attr(_)))
            .unwrap_or(rest.len());
        let (value, rest) = rest.split_at(end);
        self.rest = rest;
        self.left = self.left.saturating_sub(1);
        Some((name, value))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for Attributes<'_> {}

/// A literal text of a parsed fragment: owned in a record's own fragment (its expansion
/// moves it into the event), shared in a template definition (whose plan shares it: a
/// `<Data>` element's name, one allocation where a copy was a second).
#[derive(Debug)]
pub(super) enum Text {
    Owned(String),
    Shared(Arc<str>),
}

impl Text {
    /// The text as a `String`, moved out if owned (an empty one left behind).
    pub(super) fn take(&mut self) -> String {
        match self {
            Text::Owned(s) => std::mem::take(s),
            Text::Shared(s) => s.to_string(),
        }
    }

    /// The text as an `Arc<str>`, shared if it already is one.
    pub(super) fn shared(&self) -> Arc<str> {
        match self {
            Text::Owned(s) => Arc::from(s.as_str()),
            Text::Shared(s) => Arc::clone(s),
        }
    }
}

impl std::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        match self {
            Text::Owned(s) => s,
            Text::Shared(s) => s,
        }
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text::Owned(s.to_owned())
    }
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

/// A name without its namespace prefix (one definition, the leaf `map`'s).
pub(super) use super::map::local;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_equals_rsplit_once() {
        let pieces = [
            "",
            ":",
            "a",
            "Data",
            "é",
            "\u{1F600}",
            "x:y",
            "::",
            "ns:",
            ":Data",
        ];
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let name = format!("{a}{b}{c}");
                    let old = name.rsplit_once(':').map_or(name.as_str(), |(_, l)| l);
                    assert_eq!(local(&name), old, "{name:?}");
                }
            }
        }
    }

    /// The one list gives back the attributes and children it was made of, attributes of
    /// no token and of several among them.
    #[test]
    fn an_elements_list_reads_back_its_attributes_and_children() {
        let subst = |index| TNode::Subst {
            index,
            optional: false,
        };
        type Attributes = Vec<(&'static str, Vec<TNode>)>;
        let shapes: Vec<(Attributes, Vec<TNode>)> = vec![
            (vec![], vec![]),
            (vec![], vec![subst(0), TNode::Text("t".into())]),
            (vec![("a", vec![])], vec![]),
            (vec![("a", vec![]), ("b", vec![])], vec![subst(1)]),
            (
                vec![
                    ("a", vec![TNode::Text("x".into()), subst(2)]),
                    ("b", vec![]),
                    ("c", vec![TNode::Value(Value::UInt16(3))]),
                ],
                vec![TNode::CData("c".into())],
            ),
        ];
        for (attributes, children) in shapes {
            let want_attrs = format!("{attributes:?}");
            let want_children = format!("{children:?}");
            let count = attributes.len();
            let e = TElement::new(
                Arc::from("e"),
                None,
                attributes
                    .into_iter()
                    .map(|(n, v)| (Arc::from(n), v))
                    .collect(),
                children,
                false,
            );
            let got: Vec<(&str, Vec<&TNode>)> = e
                .attributes()
                .map(|(n, v)| (&**n, v.iter().collect()))
                .collect();
            assert_eq!(format!("{got:?}"), want_attrs);
            assert_eq!(format!("{:?}", e.children()), want_children);
            assert_eq!(e.attribute_count(), count);
            assert_eq!(e.attributes().len(), count);
            assert_eq!(e.has_attributes(), count > 0);
        }
    }

    /// Owned or shared, a text reads, takes and shares as the same string; sharing a
    /// shared one is the same allocation.
    #[test]
    fn a_text_is_the_same_string_owned_or_shared() {
        for s in ["", "Name", "Ünïcödé"] {
            let shared = Arc::<str>::from(s);
            for mut t in [Text::Owned(s.to_owned()), Text::Shared(Arc::clone(&shared))] {
                assert_eq!(&*t, s);
                assert_eq!(&*t.shared(), s);
                assert_eq!(t.take(), s);
            }
            assert!(Arc::ptr_eq(
                &Text::Shared(Arc::clone(&shared)).shared(),
                &shared
            ));
        }
    }
}
