//! The direct mapping of a template's `<System>` element onto [`System`], without building
//! its generic element tree (the costliest part of decoding: a dozen elements and their
//! attribute names per record, built only to be dropped by the mapper).
//!
//! Owns the shapes it accepts: a `<System>` without attributes, every child of `<System>` an element whose attributes are
//! each one substitution, text or value, and whose content is empty or one such item, with
//! no array or nested BinXml substitution in reach. Anything else is `None`, and the caller
//! expands the element the general way, so the output never depends on which path ran.
//!
//! Invariants:
//! - The result equals what `map::Mapper::system` makes of the generically expanded element:
//!   the same omission rules (dependency ids, Null and optional-empty attributes) and the
//!   same per-child mapping (`Mapper::system_child`); a mapping error is `None` too, so the
//!   general path reports it.
//! - Values are cloned, not moved: a `None` leaves `values` untouched for the general path.

use super::map::Mapper;
use super::parsed::{Sub, TElement, TNode};
use crate::event::{System, Value};

/// `<System>` element `e` with `values` mapped onto a [`System`], and the number of elements
/// the general expansion would have counted; `None` if `e` has a shape this path leaves to
/// the general one.
pub(super) fn system(e: &TElement, values: &[Sub]) -> Option<(System, usize)> {
    if dropped(e, values) || e.has_attributes() {
        return None;
    }
    let m = Mapper { at: 0 };
    let mut s = System::default();
    let mut saw_event_id = false;
    let mut spent = 1;
    let mut attrs: Vec<(&str, Value)> = Vec::new();
    for child in e.children() {
        let c = match child {
            TNode::Element(c) => c,
            TNode::Text(_) | TNode::Value(_) | TNode::CData(_) | TNode::Pi { .. } => continue,
            TNode::Subst { .. } | TNode::Nodes(_) | TNode::Attr(_) => return None,
        };
        spent += 1;
        if dropped(c, values) {
            continue;
        }
        let content = content(c.children(), values)?;
        attrs.clear();
        for (name, tokens) in c.attributes() {
            if let Some(v) = attribute(tokens, values)? {
                attrs.push((&**name, v));
            }
        }
        let it = attrs.iter_mut().map(|(n, v)| (*n, v));
        m.system_child(&mut s, &mut saw_event_id, &c.name, it, Some(content))
            .ok()?;
    }
    saw_event_id.then_some((s, spent))
}

/// True if `e` is omitted because its dependency id names a Null value.
fn dropped(e: &TElement, values: &[Sub]) -> bool {
    e.dep_id
        .is_some_and(|d| values.get(usize::from(d)).is_some_and(Sub::is_null))
}

/// The text content of an element with these `children`, as the mapper would see it.
fn content(children: &[TNode], values: &[Sub]) -> Option<Value> {
    Some(match children {
        [] => Value::String(String::new().into()),
        [TNode::Text(t)] => Value::String(t.to_string().into()),
        [TNode::Value(v)] => v.clone(),
        [TNode::Subst { index, .. }] => match values.get(usize::from(*index)) {
            None | Some(Sub::Plain(Value::Null)) => Value::String(String::new().into()),
            Some(Sub::Plain(Value::Array(_))) => return None,
            Some(Sub::Plain(v)) => v.clone(),
            Some(Sub::Xml(_) | Sub::Taken) => return None,
        },
        _ => return None,
    })
}

/// An attribute's value; `Some(None)` if the attribute is omitted.
fn attribute(tokens: &[TNode], values: &[Sub]) -> Option<Option<Value>> {
    Some(match tokens {
        [TNode::Subst { index, optional }] => match values.get(usize::from(*index)) {
            None | Some(Sub::Plain(Value::Null)) => None,
            Some(Sub::Plain(v)) if *optional && v.is_empty_text() => None,
            Some(Sub::Plain(v)) => Some(v.clone()),
            Some(Sub::Xml(_) | Sub::Taken) => return None,
        },
        [TNode::Text(t)] => Some(Value::String(t.to_string().into())),
        [TNode::Value(v)] => Some(v.clone()),
        _ => return None,
    })
}
