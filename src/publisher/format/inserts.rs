//! Insert values (`%1`…`%99`): an event's data in order, or the caller's Values
//! (EvtFormatMessage's Values override), in the text form messages show.
//!
//! Invariants:
//! - Event data: EventData `<Data>` values in order, or the UserData tree's leaf values in
//!   document order. Each keeps its own type's text, except that hex integers are written
//!   upper-case (`0x3E7`, as messages show them while the XML keeps `0x3e7`), and a value
//!   whose template item maps it (`valueMap`) shows the map's string.
//! - Values override: with EvtFormatMessageId each value is substituted as it is; with Event
//!   and Xml each is converted to its template item's type (a string into a string item;
//!   into a numeric item parsed as a number, 0 when it is not one).

use super::expand::{trim_line_end, Inserts};
use super::lookup::Locale;
use super::printf::Spec;
use crate::event::{Body, DataItem, Element, Event, Node, Value};
use crate::publisher::{MapKind, Publisher, Template, TemplateItem};

/// Insert values, in order.
pub(crate) enum Source<'a> {
    /// EventData whose items are all `<Data>`, no two neighbours of one name (the common
    /// case: the `i`-th item is the `i`-th insert, read in place).
    Data(&'a [DataItem]),
    /// EventData of `<Data>` items where a run of one name is one insert (an array as a
    /// decoded record repeats it).
    Runs(&'a [DataItem]),
    /// Collected values (UserData leaves, EventData with other items, the caller's).
    Refs(&'a [&'a Value]),
    Owned(Vec<&'a Value>),
}

impl<'a> Source<'a> {
    /// The event's insert values.
    pub(crate) fn of_event(event: &'a Event) -> Source<'a> {
        match &event.body {
            Body::EventData(d) if d.items.iter().all(|i| matches!(i, DataItem::Data { .. })) => {
                let runs = d.items.windows(2).any(|w| {
                    let first = data_name(&w[0]);
                    first.is_some() && first == data_name(&w[1])
                });
                if runs {
                    Source::Runs(&d.items)
                } else {
                    Source::Data(&d.items)
                }
            }
            Body::EventData(d) => Source::Owned(d.values().collect()),
            Body::UserData(nodes) => {
                let mut out = Vec::new();
                for n in nodes {
                    leaves(n, &mut out);
                }
                Source::Owned(out)
            }
            _ => Source::Refs(&[]),
        }
    }

    fn get(&self, i: usize) -> Option<&'a Value> {
        match self {
            Source::Data(items) => match items.get(i)? {
                DataItem::Data { value, .. } => Some(value),
                _ => None,
            },
            Source::Runs(items) => match group(items, i)?.first()? {
                DataItem::Data { value, .. } => Some(value),
                _ => None,
            },
            Source::Refs(r) => r.get(i).copied(),
            Source::Owned(v) => v.get(i).copied(),
        }
    }
}

/// The `i`-th insert of an EventData: a run of consecutive `<Data>` of one name is one
/// insert, an array item (a decoded .evtx record repeats `<Data Name='Names'>` per element,
/// where a freshly written event holds one array value), so both number alike.
fn group(items: &[DataItem], i: usize) -> Option<&[DataItem]> {
    let mut start = 0;
    for _ in 0..i {
        start += run(items.get(start..)?);
    }
    let rest = items.get(start..).filter(|r| !r.is_empty())?;
    Some(&rest[..run(rest)])
}

/// The length of the run of same-named `<Data>` that starts `items` (at least 1).
fn run(items: &[DataItem]) -> usize {
    let Some(first) = items.first().and_then(data_name) else {
        return 1;
    };
    1 + items[1..]
        .iter()
        .take_while(|item| data_name(item) == Some(first))
        .count()
}

/// A `<Data>` item's name.
fn data_name(item: &DataItem) -> Option<&str> {
    match item {
        DataItem::Data { name: Some(n), .. } => Some(n),
        _ => None,
    }
}

fn leaves<'a>(node: &'a Node, out: &mut Vec<&'a Value>) {
    match node {
        Node::Element(e) => element_leaves(e, out),
        Node::Value(v) => out.push(v),
        _ => {}
    }
}

fn element_leaves<'a>(e: &'a Element, out: &mut Vec<&'a Value>) {
    if e.elements().next().is_none() {
        // A leaf: its text (one value; a leaf with several text nodes gives the first).
        let text = e.children.iter().find_map(|n| match n {
            Node::Value(v) => Some(v),
            _ => None,
        });
        if let Some(v) = text {
            out.push(v);
        } else {
            static EMPTY: Value = Value::Null;
            out.push(&EMPTY);
        }
        return;
    }
    for child in e.elements() {
        element_leaves(child, out);
    }
}

/// How values are substituted.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// The event's own data, or Values with Event/Xml: typed by the template.
    Typed,
    /// Values with EvtFormatMessageId: as they are.
    Plain,
}

/// Inserts from a list of values.
pub(crate) struct ValueInserts<'a> {
    pub(crate) values: Source<'a>,
    pub(crate) template: Option<&'a Template>,
    pub(crate) publisher: Option<&'a Publisher>,
    pub(crate) locale: &'a Locale<'a>,
    pub(crate) mode: Mode,
    /// Values given by the caller (converted to the item's type) rather than the event's.
    pub(crate) override_values: bool,
}

impl Inserts for ValueInserts<'_> {
    fn write(&mut self, n: usize, spec: Option<&Spec>, out: &mut String) -> bool {
        let stars = spec.map_or(0, Spec::stars);
        let Some(at) = n.checked_sub(1) else {
            return false;
        };
        let Some(value) = self.values.get(at + stars) else {
            return false;
        };
        let item = self.template.and_then(|t| t.items.get(at + stars));
        if let Source::Runs(items) = &self.values {
            let run = group(items, at + stars).unwrap_or_default();
            if run.len() > 1 {
                // An array's elements, as one array value's text gives them.
                for (k, element) in run.iter().enumerate() {
                    if let DataItem::Data { value, .. } = element {
                        if k > 0 {
                            out.push(',');
                        }
                        self.text(value, item, out);
                    }
                }
                return true;
            }
        }
        match spec {
            None => {
                self.text(value, item, out);
            }
            Some(spec) => {
                let mut text = String::new();
                let number = self.text(value, item, &mut text);
                let widths: Vec<usize> = (at..at + stars)
                    .map(|i| {
                        self.values
                            .get(i)
                            .and_then(number_of)
                            .map_or(0, |n| n.clamp(0, 4096) as usize)
                    })
                    .collect();
                spec.write(&text, number, &widths, out);
            }
        }
        true
    }
}

impl ValueInserts<'_> {
    /// Writes the value's message text into `out`; returns its numeric value if it has one.
    fn text(&self, value: &Value, item: Option<&TemplateItem>, out: &mut String) -> Option<i128> {
        if self.mode == Mode::Plain {
            value.write_text(out);
            return number_of(value);
        }
        if self.override_values {
            if let Some(item) = item.filter(|i| is_numeric(&i.in_type)) {
                // A caller's value in a numeric item: its number, or 0.
                let n = number_of(value).unwrap_or(0);
                return self.numeric(n, item, out);
            }
            value.write_text(out);
            return number_of(value);
        }
        match value {
            // The common cases first, without looking at the template.
            Value::String(s) if item.is_none_or(|i| i.map.is_none() && !hex_type(&i.out_type)) => {
                out.push_str(s);
                return None;
            }
            Value::HexInt32(v) => {
                write_hex_upper(out, (*v).into());
                return Some((*v).into());
            }
            Value::HexInt64(v) => {
                write_hex_upper(out, *v);
                return Some((*v).into());
            }
            Value::Sid(sid) => {
                sid.write_to(out);
                return None;
            }
            _ => {}
        }
        let number = number_of(value);
        if let (Some(item), Some(n)) = (item, number) {
            if item.map.is_some() || hex_type(&item.out_type) {
                return self.numeric(n, item, out);
            }
        }
        match value {
            Value::String(s) if item.is_some_and(|i| hex_type(&i.out_type)) && is_hex(s) => {
                out.push_str("0x");
                out.extend(s[2..].chars().map(|c| c.to_ascii_uppercase()));
            }
            other => other.write_text(out),
        }
        number
    }

    /// A number in an item: its map's string, upper-case hex for a HexInt item, else decimal.
    fn numeric(&self, n: i128, item: &TemplateItem, out: &mut String) -> Option<i128> {
        if let Some(s) = self.mapped(n, item) {
            out.push_str(s);
        } else if hex_type(&item.out_type) || hex_type(&item.in_type) {
            write_hex_upper(out, n as u64);
        } else {
            out.push_str(itoa::Buffer::new().format(n));
        }
        Some(n)
    }

    fn mapped(&self, n: i128, item: &TemplateItem) -> Option<&str> {
        let name = item.map.as_deref()?;
        let map = self.publisher?.maps.iter().find(|m| m.name == name)?;
        if map.kind != MapKind::Value {
            return None;
        }
        let n = u32::try_from(n).ok()?;
        let (_, id) = map.entries.iter().find(|(v, _)| *v == n)?;
        self.locale.message((*id)?).ok().map(trim_line_end)
    }
}

/// `0x` and upper-case hex digits, no padding (`0x3E7`).
fn write_hex_upper(out: &mut String, n: u64) {
    const DIGITS: &[u8; 16] = b"0123456789ABCDEF";
    let mut buf = [0u8; 18];
    let mut i = buf.len();
    let mut v = n;
    loop {
        i -= 1;
        buf[i] = DIGITS[(v & 0xf) as usize];
        v >>= 4;
        if v == 0 {
            break;
        }
    }
    out.push_str("0x");
    // Only ASCII digits were written.
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or_default());
}

fn is_hex(s: &str) -> bool {
    s.len() > 2
        && (s.starts_with("0x") || s.starts_with("0X"))
        && s[2..].bytes().all(|b| b.is_ascii_hexdigit())
}

/// `win:HexInt32` or `win:HexInt64` (a suffix test: cheaper than a substring search).
fn hex_type(t: &str) -> bool {
    t.ends_with("HexInt64") || t.ends_with("HexInt32")
}

fn is_numeric(in_type: &str) -> bool {
    let t = in_type.strip_prefix("win:").unwrap_or(in_type);
    matches!(
        t,
        "Int8"
            | "UInt8"
            | "Int16"
            | "UInt16"
            | "Int32"
            | "UInt32"
            | "Int64"
            | "UInt64"
            | "HexInt32"
            | "HexInt64"
            | "Boolean"
            | "Pointer"
    )
}

/// The value as a number: integers as they are, strings parsed (decimal or `0x` hex).
pub(crate) fn number_of(value: &Value) -> Option<i128> {
    match value {
        Value::SByte(v) => Some((*v).into()),
        Value::Int16(v) => Some((*v).into()),
        Value::Int32(v) => Some((*v).into()),
        Value::Int64(v) => Some((*v).into()),
        Value::String(s) | Value::AnsiString(s) => {
            let s = s.trim();
            if is_hex(s) {
                u64::from_str_radix(&s[2..], 16).ok().map(i128::from)
            } else {
                s.parse::<i64>().ok().map(i128::from)
            }
        }
        other => other.as_u64().map(i128::from),
    }
}
