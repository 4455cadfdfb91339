//! Text runs of expanded content: adjacent value nodes merge into one text value, as the
//! XML parser reads adjacent text and references as one string (a lone value keeps its type).

use crate::event::{Node, Value};

/// The text of value nodes, concatenated.
pub(super) fn text_of(nodes: &[Node]) -> String {
    let mut s = String::new();
    for n in nodes {
        if let Node::Value(v) = n {
            v.write_text(&mut s);
        }
    }
    s
}

/// An attribute's value from its expanded parts: empty text for none, a lone value with its
/// type, else the parts' text.
pub(super) fn attribute_value(parts: Vec<Node>) -> Value {
    match merge(parts).as_mut_slice() {
        [] => Value::String(String::new().into()),
        [Node::Value(v)] => std::mem::replace(v, Value::Null),
        other => Value::String(text_of(other).into()),
    }
}

/// Merges runs of adjacent value nodes into one text value (a lone value keeps its type).
pub(super) fn merge(nodes: Vec<Node>) -> Vec<Node> {
    if !nodes
        .windows(2)
        .any(|w| matches!(w, [Node::Value(_), Node::Value(_)]))
    {
        return nodes;
    }
    let mut out: Vec<Node> = Vec::with_capacity(nodes.len());
    let mut run: Vec<Value> = Vec::new();
    let flush = |run: &mut Vec<Value>, out: &mut Vec<Node>| match run.len() {
        0 => {}
        1 => out.extend(run.pop().map(Node::Value)),
        _ => {
            let mut s = String::new();
            for v in run.drain(..) {
                v.write_text(&mut s);
            }
            out.push(Node::Value(Value::String(s.into())));
        }
    };
    for n in nodes {
        match n {
            Node::Value(v) => run.push(v),
            other => {
                flush(&mut run, &mut out);
                out.push(other);
            }
        }
    }
    flush(&mut run, &mut out);
    out
}
