//! Template expansion: a parsed fragment or template definition with its substitution
//! values into the generic element tree of the event model ([`Element`], [`Node`]), with
//! Windows' omission rules (see `tokens`' module docs, which list them).
//!
//! Owns [`Expansion`], the general path's per-record state: the node budget, and the
//! direct mapping of the record's `<System>` (`direct`) with what it mapped. Owns too the
//! moves that avoid copies: a record's expanded template instance moves into its fragment,
//! the values of a template whose substitution indices are all distinct move into the tree,
//! and a fragment without values (inline elements) moves its names and text.
//!
//! Invariant: nesting is bounded (`MAX_DEPTH * 2` levels of elements) and so is the number
//! of nodes one record expands to (`MAX_NODES`): errors, never unbounded work.

use super::direct;
use super::parsed::{first_system_is_first, local, Sub, TElement, TNode};
use super::text::{attribute_value, merge};
use super::tokens::{corrupt, MAX_DEPTH, MAX_NODES};
use crate::error::Result;
use crate::event::{Attribute, Element, Node, System, Value};

/// The general path's state while it decodes one record (kept to reuse it).
#[derive(Debug)]
pub(super) struct Expansion {
    /// The chunk's file offset, where budget errors are reported.
    base: u64,
    /// Nodes spent by the record so far.
    nodes: usize,
    /// Map the record's `<System>` directly (`direct`) where its shape allows.
    pub(super) direct_system: bool,
    /// The record's first `<System>` under a template's root `<Event>` was seen.
    pub(super) saw_system: bool,
    /// That `<System>`, mapped directly; a placeholder element stands in the tree.
    pub(super) system: Option<System>,
    /// The parser's pending nodes (`general`): each open element's and fragment's items
    /// above its own start, moved out in one exactly sized list when it closes.
    pub(super) pending: Vec<TNode>,
}

impl Expansion {
    /// The state for the records of the chunk at file offset `base`.
    pub(super) fn new(base: u64) -> Expansion {
        Expansion {
            base,
            nodes: 0,
            direct_system: false,
            saw_system: false,
            system: None,
            pending: Vec::new(),
        }
    }
}

impl Expansion {
    /// Appends the expansion of a fragment's `nodes` (no values) to `out`, moving already
    /// expanded template instances and nested fragments rather than cloning them.
    pub(super) fn expand_owned(
        &mut self,
        nodes: Vec<TNode>,
        out: &mut Vec<Node>,
        depth: usize,
    ) -> Result<()> {
        for node in nodes {
            self.expand_moved(node, out, depth)?;
        }
        Ok(())
    }

    /// Appends the expansion of one owned node of a fragment without values to `out`,
    /// moving its names and text: what `expand` makes of it with no values (a substitution
    /// expands to nothing, an attribute that is one is omitted), without the copies.
    fn expand_moved(&mut self, node: TNode, out: &mut Vec<Node>, depth: usize) -> Result<()> {
        match node {
            TNode::Element(e) => {
                if depth > MAX_DEPTH * 2 {
                    return Err(corrupt(self.base, "element expansion nested too deep"));
                }
                self.spend(1)?;
                let mut element = Element::new(&*e.name);
                element.attributes.reserve_exact(e.attribute_count());
                let empty_tag = e.empty_tag;
                let (mut items, split) = e.into_items();
                // Each attribute's value tokens are taken out of the list by index (a
                // placeholder left behind), so they move rather than clone.
                let mut i = 0;
                while i < split {
                    let Some(TNode::Attr(attr)) = items.get_mut(i).map(take_node) else {
                        return Err(corrupt(self.base, "an attribute list misread"));
                    };
                    let end = items
                        .get(i + 1..split)
                        .and_then(|v| v.iter().position(|t| matches!(t, TNode::Attr(_))))
                        .map_or(split, |p| i + 1 + p);
                    let value = match items.get_mut(i + 1..end).unwrap_or_default() {
                        [TNode::Subst { .. }] => None,
                        // One literal, the usual attribute: its value as the list of it
                        // would make, without the list.
                        [TNode::Text(t)] => Some(Value::String(t.take().into())),
                        [TNode::Value(v)] => Some(std::mem::replace(v, Value::Null)),
                        tokens => {
                            let mut parts = Vec::new();
                            for t in tokens {
                                self.expand_moved(take_node(t), &mut parts, depth + 1)?;
                            }
                            Some(attribute_value(parts))
                        }
                    };
                    if let Some(value) = value {
                        element.attributes.push(Attribute {
                            // Not `to_string`, which goes through the formatter.
                            name: String::from(&*attr),
                            value,
                        });
                    }
                    i = end;
                }
                let mut children = Vec::with_capacity(items.len().saturating_sub(split));
                for c in items.into_iter().skip(split) {
                    self.expand_moved(c, &mut children, depth + 1)?;
                }
                set_children(&mut element, children, empty_tag);
                out.push(Node::Element(element));
            }
            TNode::Text(mut t) => out.push(Node::Value(Value::String(t.take().into()))),
            TNode::Value(v) => out.push(Node::Value(v)),
            TNode::Subst { .. } => {}
            TNode::CData(c) => out.push(Node::CData(c)),
            TNode::Pi { target, data } => out.push(Node::ProcessingInstruction { target, data }),
            TNode::Nodes(nodes) => {
                self.spend(nodes.len())?;
                out.extend(nodes);
            }
            TNode::Attr(_) => {}
        }
        Ok(())
    }

    /// Appends the expansion of `nodes` with `values` to `out`; with `take`, substituted
    /// values are moved out of `values` (left `Sub::Taken`) rather than cloned.
    pub(super) fn expand(
        &mut self,
        nodes: &[TNode],
        values: &mut [Sub],
        take: bool,
        out: &mut Vec<Node>,
        root: bool,
        depth: usize,
    ) -> Result<()> {
        for node in nodes {
            match node {
                TNode::Element(e) => self.expand_element(e, values, take, out, root, depth)?,
                TNode::Text(t) => out.push(Node::Value(Value::String(t.to_string().into()))),
                TNode::Value(v) => out.push(Node::Value(v.clone())),
                TNode::Subst { index, .. } => match values.get_mut(usize::from(*index)) {
                    None | Some(Sub::Plain(Value::Null) | Sub::Taken) => {}
                    Some(slot) if take => match std::mem::replace(slot, Sub::Taken) {
                        Sub::Plain(v) => out.push(Node::Value(v)),
                        Sub::Xml(nodes) => {
                            self.spend(nodes.len())?;
                            out.extend(nodes);
                        }
                        Sub::Taken => {}
                    },
                    Some(Sub::Plain(v)) => out.push(Node::Value(v.clone())),
                    Some(Sub::Xml(nodes)) => {
                        self.spend(nodes.len())?;
                        out.extend(nodes.iter().cloned());
                    }
                },
                TNode::CData(c) => out.push(Node::CData(c.clone())),
                TNode::Pi { target, data } => out.push(Node::ProcessingInstruction {
                    target: target.clone(),
                    data: data.clone(),
                }),
                TNode::Nodes(nodes) => {
                    self.spend(nodes.len())?;
                    out.extend(nodes.iter().cloned());
                }
                TNode::Attr(_) => {}
            }
        }
        Ok(())
    }

    /// Starts a record's node budget afresh.
    pub(super) fn reset_budget(&mut self) {
        self.nodes = 0;
    }

    fn spend(&mut self, n: usize) -> Result<()> {
        self.nodes = self.nodes.saturating_add(n.max(1));
        if self.nodes > MAX_NODES {
            return Err(corrupt(
                self.base,
                format!("record expands to more than {MAX_NODES} nodes"),
            ));
        }
        Ok(())
    }

    fn expand_element(
        &mut self,
        e: &TElement,
        values: &mut [Sub],
        take: bool,
        out: &mut Vec<Node>,
        root: bool,
        depth: usize,
    ) -> Result<()> {
        if depth > MAX_DEPTH * 2 {
            return Err(corrupt(self.base, "element expansion nested too deep"));
        }
        self.spend(1)?;
        if let Some(dep) = e.dep_id {
            if !root && values.get(usize::from(dep)).is_some_and(Sub::is_null) {
                return Ok(());
            }
        }
        // An array substitution in the content repeats the element once per item.
        let array = e.children().iter().find_map(|c| match c {
            TNode::Subst { index, .. } => match values.get(usize::from(*index)) {
                Some(Sub::Plain(Value::Array(a))) => Some((usize::from(*index), a.clone())),
                _ => None,
            },
            _ => None,
        });
        if let Some((index, array)) = array {
            let mut vals = values.to_vec();
            if array.items().is_empty() {
                // An empty array still renders its element once, empty.
                if let Some(slot) = vals.get_mut(index) {
                    *slot = Sub::Plain(Value::Null);
                }
                return self.expand_one(e, &mut vals, false, false, out, depth);
            }
            for item in array.items() {
                if let Some(slot) = vals.get_mut(index) {
                    *slot = Sub::Plain(item.clone());
                }
                self.expand_one(e, &mut vals, false, false, out, depth)?;
            }
            return Ok(());
        }
        // The root `<Event>` of the record's own template instance.
        let event_root = root
            && depth == 1
            && self.direct_system
            && local(&e.name) == "Event"
            && first_system_is_first(e.children());
        self.expand_one(e, values, take, event_root, out, depth)
    }

    fn expand_one(
        &mut self,
        e: &TElement,
        values: &mut [Sub],
        take: bool,
        event_root: bool,
        out: &mut Vec<Node>,
        depth: usize,
    ) -> Result<()> {
        let mut element = Element::new(&*e.name);
        element.attributes.reserve_exact(e.attribute_count());
        for (name, tokens) in e.attributes() {
            if let [TNode::Subst { index, optional }] = tokens {
                let value = values.get(usize::from(*index));
                let empty = match value {
                    Some(Sub::Plain(v)) => *optional && v.is_empty_text(),
                    _ => false,
                };
                if empty || value.is_none_or(Sub::is_null) {
                    continue;
                }
            }
            let mut parts = Vec::new();
            self.expand(tokens, values, take, &mut parts, false, depth + 1)?;
            let value = attribute_value(parts);
            element.attributes.push(Attribute {
                // Not `to_string`, which goes through the formatter.
                name: String::from(&**name),
                value,
            });
        }
        let mut children = Vec::with_capacity(e.children().len());
        for c in e.children() {
            if let TNode::Element(system) = c {
                if event_root && !self.saw_system && local(&system.name) == "System" {
                    self.saw_system = true;
                    if let Some((mapped, spent)) = direct::system(system, values) {
                        self.spend(spent)?;
                        self.system = Some(mapped);
                        children.push(Node::Element(Element::new(&*system.name)));
                        continue;
                    }
                }
            }
            self.expand(
                std::slice::from_ref(c),
                values,
                take,
                &mut children,
                false,
                depth + 1,
            )?;
        }
        set_children(&mut element, children, e.empty_tag);
        out.push(Node::Element(element));
        Ok(())
    }
}

/// Moves `node` out of its list, a valueless placeholder left behind.
fn take_node(node: &mut TNode) -> TNode {
    std::mem::replace(
        node,
        TNode::Subst {
            index: 0,
            optional: false,
        },
    )
}

/// Sets `element`'s expanded `children`, adjacent values merged. An element written as start
/// tag and EndElement with no content (not `empty_tag`) keeps an empty text child, so it
/// renders `<x></x>` as written, not `<x/>` (the XML parser's convention too).
fn set_children(element: &mut Element, children: Vec<Node>, empty_tag: bool) {
    element.children = merge(children);
    if element.children.is_empty() && !empty_tag {
        element
            .children
            .push(Node::Value(Value::String(String::new().into())));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn element(attributes: Vec<(&str, Vec<TNode>)>) -> TNode {
        TNode::Element(TElement::new(
            Arc::from("E"),
            None,
            attributes
                .into_iter()
                .map(|(n, v)| (Arc::from(n), v))
                .collect(),
            vec![TNode::Text("x".into())],
            false,
        ))
    }

    fn tree() -> Vec<TNode> {
        vec![element(vec![
            ("text", vec![TNode::Text("a".into())]),
            ("typed", vec![TNode::Value(Value::UInt32(7))]),
            ("empty_text", vec![TNode::Text("".into())]),
            ("none", vec![]),
            (
                "run",
                vec![TNode::Text("a".into()), TNode::Value(Value::UInt16(5))],
            ),
            (
                "subst",
                vec![TNode::Subst {
                    index: 0,
                    optional: false,
                }],
            ),
            (
                "subst_and_text",
                vec![
                    TNode::Subst {
                        index: 1,
                        optional: true,
                    },
                    TNode::Text("b".into()),
                ],
            ),
            ("cdata", vec![TNode::CData("c".into())]),
        ])]
    }

    /// The moves of a fragment without values, the one-literal attribute shortcut among
    /// them, make what the general expansion makes of the same nodes with no values.
    #[test]
    fn moved_expansion_equals_the_expansion_without_values() {
        let mut by_ref = Vec::new();
        Expansion::new(0)
            .expand(&tree(), &mut [], false, &mut by_ref, false, 0)
            .unwrap();
        let mut moved = Vec::new();
        Expansion::new(0)
            .expand_owned(tree(), &mut moved, 0)
            .unwrap();
        assert_eq!(moved, by_ref);
        let Node::Element(e) = &moved[0] else {
            panic!("not an element: {moved:?}");
        };
        assert_eq!(e.attributes[0].value, Value::String("a".into()));
        assert_eq!(e.attributes[1].value, Value::UInt32(7));
    }
}
