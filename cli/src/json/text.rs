//! The text side of the JSON: which content is text, which value can be a number, and the
//! text form the evtx crate writes for each value type.

use std::fmt::Write as _;

use evtlog::{Node, Value};
use serde_json::ser::{CompactFormatter, Formatter};

/// `EventData` and `UserData`: their `Data` children are members by name.
pub(super) fn is_container(name: &str) -> bool {
    name == "EventData" || name == "UserData"
}

/// `(has_text, has_element)` of an element's content.
pub(super) fn layout(children: &[Node]) -> (bool, bool) {
    let mut has_text = false;
    let mut has_element = false;
    for n in children {
        match n {
            Node::Element(_) => has_element = true,
            other => has_text |= node_has_text(other),
        }
    }
    (has_text, has_element)
}

/// Whether a node is non-empty text.
pub(super) fn node_has_text(node: &Node) -> bool {
    match node {
        Node::Value(v) => !v.is_empty_text(),
        Node::CData(t) => !t.is_empty(),
        Node::Element(_) | Node::ProcessingInstruction { .. } => false,
    }
}

/// The one value of `children` that could be written as a number: the evtx crate's rule
/// (with `skip_elements`, elements and empty values are passed over; without, every node
/// counts, and any text other than that one value makes it a string).
pub(super) fn single_value(children: &[Node], skip_elements: bool) -> Option<&Value> {
    let mut single = None;
    for node in children {
        match node {
            Node::Element(_) if skip_elements => {}
            Node::Value(v) if skip_elements && v.is_empty_text() => {}
            Node::Value(v) if single.is_none() => single = Some(v),
            Node::ProcessingInstruction { .. } if skip_elements => {}
            Node::CData(t) if skip_elements && t.is_empty() => {}
            _ => return None,
        }
    }
    single
}

/// How many pieces a text is made of (without allocating to find out).
pub(super) enum SmallPieces<'a> {
    None,
    One(&'a Node),
    Many,
}

impl<'a> FromIterator<&'a Node> for SmallPieces<'a> {
    fn from_iter<I: IntoIterator<Item = &'a Node>>(iter: I) -> Self {
        let mut iter = iter.into_iter();
        match (iter.next(), iter.next()) {
            (None, _) => SmallPieces::None,
            (Some(one), None) => SmallPieces::One(one),
            (Some(_), Some(_)) => SmallPieces::Many,
        }
    }
}

/// The text form the evtx crate writes for `v` (unescaped).
pub(super) fn write_text(out: &mut String, v: &Value) {
    match v {
        Value::SysTime(t) => {
            // Seven fractional digits, as for a FILETIME.
            let _ = write!(
                out,
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}0000Z",
                t.year, t.month, t.day, t.hour, t.minute, t.second, t.milliseconds
            );
        }
        Value::Single(f) => push_float(out, f64::from(*f), Some(*f)),
        Value::Double(f) => push_float(out, *f, None),
        Value::Array(a) => {
            for (i, item) in a.items().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_text(out, item);
            }
        }
        other => other.write_text(out),
    }
}

/// A float in its shortest form (serde_json's formatter, the evtx crate's digits); `single`
/// is the value as an f32 when it is one, whose shortest form is shorter.
fn push_float(out: &mut String, f: f64, single: Option<f32>) {
    if f.is_nan() {
        out.push_str("NaN");
    } else if f.is_infinite() {
        out.push_str(if f > 0.0 { "inf" } else { "-inf" });
    } else {
        let mut bytes = Vec::with_capacity(24);
        let _ = match single {
            Some(s) => CompactFormatter.write_f32(&mut bytes, s),
            None => CompactFormatter.write_f64(&mut bytes, f),
        };
        out.push_str(&String::from_utf8_lossy(&bytes));
    }
}
