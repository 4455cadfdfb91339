//! `qe /f:json` and `/f:jsonl`: events as JSON in the shape of the evtx crate's
//! (`evtx_dump -o json`, version 0.15.1), so that tools reading its output read ours.
//!
//! The shape, element by element (the evtx crate's rules, written again over evtlog's
//! [`Event`] model):
//! - An element is a member named after it. Its value is `null` when it has nothing (no
//!   text, no child elements, no attribute with text), its text when it has only text, and
//!   otherwise an object: `"#attributes"` (the attributes that have text), `"#text"` (its
//!   text, when it also has children or attributes), then one member per child element.
//!   A child name met again in the same object is numbered: `Name`, `Name_1`, `Name_2`…
//! - Text is a JSON number when it is one integer or boolean value (the BinXml types
//!   Int8 to UInt64 and Bool); every other value is a string in the text form the evtx crate
//!   writes: hex integers `0x…` lowercase, GUIDs lowercase in braces, binary uppercase hex,
//!   FILETIME and SYSTEMTIME as UTC with seven fractional digits and `Z`, floats in their
//!   shortest form, arrays joined with `,` (but see below).
//! - In `EventData` and `UserData` (the data containers), the `Data` children become
//!   members named by their `Name` attribute, with their text as the value (`""` when
//!   empty) and their other attributes left out. A run of adjacent `Data` of one name (an
//!   array value of several items is as many `Data`, as Windows repeats the element) is one
//!   member whose value is an array; a name met again after another is numbered as
//!   element names are. A container whose `Data` have no names holds them as
//!   `"Data":{"#text":…}`, their values in an array if more than one.
//!
//! Two ways in, one output: [`JsonWriter`] is an [`EventVisitor`], so a file query's events
//! are written straight from their records' values (`EventRef::visit`: System and
//! EventData items borrowed, no `Event` built; String values escaped from their UTF-16,
//! keys copied from their template's, made once by `keys`), and [`write_event`] visits a
//! decoded event with it (`visit_event`). The library makes the same calls either way
//! (a String as UTF-16 or as text, the same text), so the bytes do not depend on the way
//! in (tested record by record on every sample).
//!
//! Invariants:
//! - [`write_event`] and [`JsonWriter`] write one complete JSON object per event and
//!   nothing else (no newline); they never fail, and allocate nothing beyond `out`'s
//!   growth except for text made of several pieces, the names of one event's objects (one
//!   list, not for an EventData of distinct names), objects of more than
//!   [`NameCounts::LIST_LEN`] names (a map), and what a [`JsonState`] keeps (each
//!   template's keys, the System heads met, the last channel), once per state.
//! - What a [`JsonState`] keeps never shows in the bytes: an event is written the same
//!   through a state that wrote others before it as through a new one (tested on every
//!   sample record, and on events made to share each memo's slots).
//! - Keys and strings are escaped exactly as serde_json escapes them (`escape`'s
//!   invariants); numbers are written by its formatter.
//! - Recursion follows the event's element tree, whose depth the decoder bounds
//!   (`evtlog::MAX_XML_DEPTH`).

mod children;
mod escape;
mod framing;
mod keys;
mod system;
mod text;
mod tree;

use std::borrow::Cow;
#[cfg(test)]
use std::cell::Cell;

use evtlog::{
    visit_event, Attribute, Body, DataItems, DataRef, Event, EventVisitor, FileTimeWriter, Node,
    Scalar, SidWriter, SystemRef, UserDataTree, Value, ValueRef,
};
use serde_json::ser::{CompactFormatter, Formatter};

pub use framing::Framing;

use children::{Child, ChildList, NameCounts};
use escape::{copy_escaped, copy_utf16_escaped};
use text::{is_container, layout, node_has_text, single_value, write_text, SmallPieces};

/// The namespace every rendered event declares (`Event/@xmlns`).
const EVENT_NS: &str = "http://schemas.microsoft.com/win/2004/08/events/event";

#[cfg(test)]
thread_local! {
    /// `EventData`s written with their template's keys (what the tests check is taken).
    static KEYED: Cell<usize> = const { Cell::new(0) };
}

/// Appends `event` as one JSON object (`{"Event":{…}}`) to `out`: the bytes
/// [`JsonWriter`] writes for it, whichever way the event is visited (`state`: what is
/// kept from event to event).
pub fn write_event(out: &mut Vec<u8>, state: &mut JsonState, event: &Event) {
    visit_event(event, &mut JsonWriter::new(out, state));
}

/// What a writer keeps from one event to the next, for the work that is the same for many
/// (the keys of a template's names, the JSON of a System's first members): one per
/// thread that writes, handed to each [`JsonWriter`] (no thread-local on the way).
#[derive(Default)]
pub struct JsonState {
    /// For the text of values that need no escape (numbers, GUIDs, SIDs, times).
    scratch: String,
    /// The System heads met (`system`).
    heads: system::Heads,
    /// Each template's keys (`keys`).
    keys: keys::KeyCache,
    /// `TimeCreated`'s text, the date of the last kept.
    times: FileTimeWriter,
    /// SIDs' texts, the heads of the last met.
    sids: SidWriter,
    /// The last `Channel` written and its JSON (`system`).
    channel: system::KeptText,
}

/// Bytes reserved in the output before a usual record (a Security record's line is 700 to
/// 1,500 bytes, its System about 500).
const RECORD_ROOM: usize = 2048;

/// An [`EventVisitor`] that appends each event it visits to its buffer as one JSON object
/// (nothing else, no newline).
pub struct JsonWriter<'o> {
    out: &'o mut Vec<u8>,
    state: &'o mut JsonState,
}

impl<'o> JsonWriter<'o> {
    /// A writer to `out`, keeping what it keeps from event to event in `state`.
    pub fn new(out: &'o mut Vec<u8>, state: &'o mut JsonState) -> Self {
        JsonWriter { out, state }
    }
}

impl EventVisitor for JsonWriter<'_> {
    fn usual(&mut self, system: &SystemRef<'_>, data: Option<&DataItems<'_>>) {
        // Room for a usual record's System and some data at once, rather than growth
        // checks that reallocate mid-record.
        self.out.reserve(RECORD_ROOM);
        let mut names = NameCounts::new();
        let mut w = Json {
            out: self.out,
            names: &mut names,
            st: self.state,
        };
        w.open_event(system);
        // `System` and `EventData`: no name to count.
        if let Some(data) = data {
            w.raw(b",\"EventData\":");
            w.event_data(data.name().filter(|n| !n.is_empty()), data);
        }
        w.raw(b"}}");
    }

    fn event(&mut self, event: &Event) {
        write_whole(self.out, self.state, event);
    }

    /// Strings escaped straight from their UTF-16, never decoded to text first.
    fn wants_utf16(&self) -> bool {
        true
    }

    /// Integers written from their bits, SIDs and GUIDs from their bytes: no `Value` built
    /// and kept for them.
    fn wants_scalars(&self) -> bool {
        true
    }

    /// `<UserData>` trees written from their tokens, no `Event` built (`tree`).
    fn wants_user_data(&self) -> bool {
        true
    }

    fn user_data(&mut self, system: &SystemRef<'_>, tree: &UserDataTree<'_>) -> bool {
        let mark = self.out.len();
        self.out.reserve(RECORD_ROOM);
        let mut names = NameCounts::new();
        let mut w = Json {
            out: self.out,
            names: &mut names,
            st: self.state,
        };
        // As `write_whole` writes a `Body::UserData` (no name to count beside `System`).
        w.open_event(system);
        w.raw(b",\"UserData\":");
        if !w.tree_user_data(tree) {
            self.out.truncate(mark);
            return false;
        }
        w.raw(b"}}");
        true
    }
}

/// Any event, by the general rules.
fn write_whole(out: &mut Vec<u8>, st: &mut JsonState, event: &Event) {
    let mut names = NameCounts::new();
    let mut w = Json {
        out,
        names: &mut names,
        st,
    };
    w.open_event(&SystemRef::of(&event.system));
    let mut scope = w.names.open();
    w.names
        .next_suffix(&mut scope, false, Cow::Borrowed("System"));
    match &event.body {
        Body::None => {}
        Body::EventData(data) => {
            w.raw(b",\"EventData\":");
            let attrs = data.name.as_deref().filter(|n| !n.is_empty());
            w.event_data(attrs, data.items.as_slice());
            w.names
                .next_suffix(&mut scope, false, Cow::Borrowed("EventData"));
        }
        Body::UserData(nodes) => {
            w.raw(b",\"UserData\":");
            w.element_value(&[], nodes, true);
            w.names
                .next_suffix(&mut scope, false, Cow::Borrowed("UserData"));
        }
        Body::Other(e) => {
            w.raw(b",");
            let suffix = w
                .names
                .next_suffix(&mut scope, false, Cow::Borrowed(&e.name));
            w.key(&e.name, suffix);
            w.element_value(&e.attributes, &e.children, is_container(&e.name));
        }
    }
    if let Some(info) = &event.rendering_info {
        // Under that name whatever the element was called, as the XML renders it.
        w.raw(b",");
        let suffix = w
            .names
            .next_suffix(&mut scope, false, Cow::Borrowed("RenderingInfo"));
        w.key("RenderingInfo", suffix);
        w.element_value(&info.attributes, &info.children, false);
    }
    w.names.close(scope);
    w.raw(b"}}");
}

/// The writer: `out` and the small pieces every member is made of.
struct Json<'o, 'n, 'e> {
    out: &'o mut Vec<u8>,
    /// The names met in the objects being written.
    names: &'n mut NameCounts<'e>,
    /// What is kept from event to event.
    st: &'o mut JsonState,
}

impl<'e> Json<'_, '_, 'e> {
    fn raw(&mut self, bytes: &[u8]) {
        self.out.extend_from_slice(bytes);
    }

    /// `"#text":` as the next member of an open object (a comma first if `wrote_any`).
    fn text_member(&mut self, wrote_any: &mut bool) {
        if std::mem::replace(wrote_any, true) {
            self.raw(b",");
        }
        self.raw(b"\"#text\":");
    }

    /// `{"Event":{"#attributes":…,"System":{…}`.
    fn open_event(&mut self, system: &SystemRef<'_>) {
        self.system(system);
    }

    /// What [`open_event`](Self::open_event) writes before the System's members.
    fn event_prefix(&mut self) {
        self.raw(b"{\"Event\":{\"#attributes\":{\"xmlns\":\"");
        self.raw(EVENT_NS.as_bytes());
        self.raw(b"\"},\"System\":");
    }

    /// A quoted, escaped string.
    fn string(&mut self, s: &str) {
        copy_escaped(self.out, s.as_bytes());
    }

    fn u64(&mut self, v: u64) {
        let _ = CompactFormatter.write_u64(self.out, v);
    }

    fn i64(&mut self, v: i64) {
        let _ = CompactFormatter.write_i64(self.out, v);
    }

    /// `"name":`, or `"name_N":` for the name's N+1th member of one object.
    fn key(&mut self, name: &str, suffix: u32) {
        if suffix == 0 {
            self.string(name);
        } else {
            let mut numbered = String::with_capacity(name.len() + 4);
            numbered.push_str(name);
            numbered.push('_');
            numbered.push_str(&suffix.to_string());
            self.string(&numbered);
        }
        self.out.push(b':');
    }

    /// The comma (unless `first`) and key of an `#attributes` member.
    fn attr_key(&mut self, first: &mut bool, name: &str) {
        if !*first {
            self.out.push(b',');
        }
        *first = false;
        self.key(name, 0);
    }

    /// `<EventData [Name]>` and its items: a data container.
    fn event_data<L: ChildList + ?Sized>(&mut self, name: Option<&str>, items: &'e L) {
        if items.len() == 0 {
            match name {
                Some(name) => {
                    self.raw(b"{\"#attributes\":{\"Name\":");
                    self.string(name);
                    self.raw(b"}}");
                }
                None => self.raw(b"null"),
            }
            return;
        }
        self.raw(b"{");
        let mut wrote_any = false;
        if let Some(name) = name {
            self.raw(b"\"#attributes\":{\"Name\":");
            self.string(name);
            self.raw(b"}");
            wrote_any = true;
        }
        let keyed = items
            .data_items()
            .is_some_and(|d| self.keyed_members(d, wrote_any));
        if !keyed && !self.distinct_members(items, wrote_any) {
            self.children(items, true, wrote_any);
        }
        self.raw(b"}");
    }

    /// The members of the common `EventData`: `Data` items, each with a non-empty name
    /// met once and a value that is not an array, and `Binary` items. Its object is then
    /// one member per item, `"Name":value`, in order: no runs, no numbering but the
    /// `Binary`s' among themselves (the general rules give exactly that), so it is written
    /// without them, in one pass that checks as it goes.
    /// False, with `out` as it was, at the first item that is not so (or past
    /// [`DISTINCT_MAX`] items).
    fn distinct_members<L: ChildList + ?Sized>(&mut self, items: &L, mut wrote_any: bool) -> bool {
        let mark = self.out.len();
        let mut names = DistinctNames::new();
        let mut binaries = 0;
        for i in 0..items.len() {
            let distinct = match items.child(i) {
                Some(Child::Binary(bytes)) => {
                    if std::mem::replace(&mut wrote_any, true) {
                        self.out.push(b',');
                    }
                    self.binary_member(&mut binaries, bytes);
                    true
                }
                Some(Child::Data {
                    name: Some(name),
                    value,
                }) if !name.is_empty()
                    && !matches!(value, ValueRef::Value(Value::Array(_)))
                    && names.insert(name) =>
                {
                    if std::mem::replace(&mut wrote_any, true) {
                        self.out.push(b',');
                    }
                    self.key(name, 0);
                    self.leaf_value(value, true);
                    true
                }
                _ => false,
            };
            if !distinct {
                self.out.truncate(mark);
                return false;
            }
        }
        true
    }

    /// The members [`distinct_members`](Self::distinct_members) writes, for items that
    /// name their template's names: each key copied from the template's keys (made once,
    /// `keys`), and the names told distinct by their slots (each slot's name is its own,
    /// and an item of a slot already met is an array's next item, which the general rules
    /// make an array). False, with `out` as it was, where the items name no template or an
    /// item is not so.
    fn keyed_members(&mut self, items: &DataItems<'_>, mut wrote_any: bool) -> bool {
        let Some(names) = items.names() else {
            return false;
        };
        // Out of the state while the members are written (which borrow the writer).
        let mut cache = std::mem::take(&mut self.st.keys);
        let keyed = cache.with_keys(&names, |keys| {
            let mark = self.out.len();
            // The least slot the next item may have.
            let mut next = 0;
            let mut binaries = 0;
            for i in 0..items.len() {
                let member = match (items.get(i), items.slot(i)) {
                    (Some(DataRef::Data { value, .. }), Some(slot))
                        if slot >= next && !matches!(value, ValueRef::Value(Value::Array(_))) =>
                    {
                        keys.key(slot).map(|key| (key, value, slot))
                    }
                    _ => None,
                };
                let Some((key, value, slot)) = member else {
                    // A `Binary` (no slot) asked for here, off the usual items' way.
                    if let Some(DataRef::Binary(bytes)) = items.get(i) {
                        if std::mem::replace(&mut wrote_any, true) {
                            self.out.push(b',');
                        }
                        self.binary_member(&mut binaries, bytes);
                        continue;
                    }
                    self.out.truncate(mark);
                    return false;
                };
                next = slot + 1;
                if std::mem::replace(&mut wrote_any, true) {
                    self.out.push(b',');
                }
                keys.write_key(key, self.out);
                self.leaf_value(value, true);
            }
            #[cfg(test)]
            KEYED.set(KEYED.get() + 1);
            true
        });
        self.st.keys = cache;
        keyed
    }

    /// An element's value, from its attributes and children; `container`: it is
    /// `EventData` or `UserData`.
    fn element_value(&mut self, attrs: &'e [Attribute], children: &'e [Node], container: bool) {
        if attrs.is_empty() && self.leaf(children, false) {
            return;
        }
        let (has_text, has_element) = layout(children);
        let attrs_text = attrs.iter().any(|a| !a.value.is_empty_text());
        if !has_element && !has_text && !attrs_text {
            self.raw(b"null");
        } else if !has_element && !attrs_text {
            self.content(children, false);
        } else {
            self.body(attrs, children, container, false, has_text);
        }
    }

    /// The value of a `Data` element in a container: as [`element_value`](Self::element_value)
    /// but `""` when empty and without its attributes.
    fn data_value(&mut self, child: Child<'e>) {
        match child {
            Child::Data { value, .. } => self.leaf_value(value, true),
            Child::Binary(bytes) => self.binary(bytes, true),
            Child::Element(e) => {
                if self.leaf(&e.children, true) {
                    return;
                }
                match layout(&e.children) {
                    (false, false) => self.raw(b"\"\""),
                    (has_text, true) => self.body(&[], &e.children, false, true, has_text),
                    (true, false) => self.content(&e.children, false),
                }
            }
        }
    }

    /// The values of a `Data` in an array of them, each after a comma unless `first`: an
    /// array value of several items is as many `Data` (Windows repeats the element).
    fn data_values(&mut self, child: Child<'e>, first: &mut bool) {
        match child {
            Child::Data {
                value: ValueRef::Value(Value::Array(a)),
                ..
            } if a.items().len() > 1 => {
                for item in a.items() {
                    if !std::mem::take(first) {
                        self.raw(b",");
                    }
                    self.leaf_value(ValueRef::of(item), true);
                }
            }
            _ => {
                if !std::mem::take(first) {
                    self.raw(b",");
                }
                self.data_value(child);
            }
        }
    }

    /// Writes the value of content that is one text or value node; false (and nothing
    /// written) for any other content.
    fn leaf(&mut self, children: &[Node], empty_as_string: bool) -> bool {
        match children {
            [Node::Value(v)] => {
                self.leaf_value(ValueRef::of(v), empty_as_string);
                true
            }
            _ => false,
        }
    }

    fn leaf_value(&mut self, v: ValueRef<'_>, empty_as_string: bool) {
        match v {
            ValueRef::Text("") => self.raw(if empty_as_string { b"\"\"" } else { b"null" }),
            ValueRef::Text(s) => self.string(s),
            ValueRef::Utf16(u) => match u.units() {
                [] => self.raw(if empty_as_string { b"\"\"" } else { b"null" }),
                units => copy_utf16_escaped(self.out, units),
            },
            ValueRef::Scalar(s) => self.scalar(s),
            ValueRef::Guid(_) | ValueRef::Sid(_) => self.quoted_raw(v),
            ValueRef::Value(v) if v.is_empty_text() => {
                self.raw(if empty_as_string { b"\"\"" } else { b"null" })
            }
            ValueRef::Value(v) => {
                if !self.number(v) {
                    self.quoted_text(v);
                }
            }
        }
    }

    /// An integer read from the record, as `number` then `quoted_text` write its value (a
    /// number is never empty). Out of line: inlined into `leaf_value`, it made every value's
    /// call dearer (+0.4 % on logs of few integers).
    #[inline(never)]
    fn scalar(&mut self, s: Scalar) {
        if let Some(n) = s.signed() {
            self.i64(n);
        } else if let Some(n) = s.unsigned() {
            self.u64(n);
        } else {
            let at = self.out.len();
            self.out.push(b'"');
            if s.write_ascii_text(self.out) {
                self.out.push(b'"');
            } else {
                self.out.truncate(at);
                self.quoted_text(&s.to_value());
            }
        }
    }

    /// A GUID or a SID read from the record, as `quoted_text` writes its value. Out of line,
    /// as `scalar` is.
    #[inline(never)]
    fn quoted_raw(&mut self, v: ValueRef<'_>) {
        self.out.push(b'"');
        match v {
            ValueRef::Guid(g) => g.write_ascii(self.out),
            ValueRef::Sid(sid) => self.st.sids.write_bytes(sid, self.out),
            _ => {}
        }
        self.out.push(b'"');
    }

    /// `<Binary>`'s value: its bytes in uppercase hex (empty: `null`, or `""`).
    fn binary(&mut self, bytes: &[u8], empty_as_string: bool) {
        if bytes.is_empty() {
            self.raw(if empty_as_string { b"\"\"" } else { b"null" });
            return;
        }
        // The quotes and room for the digits in one resize, then each byte's pair stored
        // in place (a push per digit checked the capacity each time).
        let at = self.out.len();
        self.out.resize(at + bytes.len() * 2 + 2, b'"');
        if let Some(digits) = self.out.get_mut(at + 1..at + 1 + bytes.len() * 2) {
            for (pair, &b) in digits.chunks_exact_mut(2).zip(bytes) {
                pair.copy_from_slice(&HEX_PAIRS[usize::from(b)]);
            }
        }
    }

    /// A `<Binary>` among a container's `Data`, as the general rules write it (`children`):
    /// a member named `Binary`, numbered among the container's other `Binary` (`met` so
    /// far; element names are counted apart from `Data` names), empty bytes `null`.
    fn binary_member(&mut self, met: &mut u32, bytes: &[u8]) {
        match *met {
            0 => self.raw(b"\"Binary\":"),
            n => self.key("Binary", n),
        }
        *met += 1;
        self.binary(bytes, false);
    }

    /// Writes `v` bare if it is an integer or boolean; false (nothing written) otherwise.
    fn number(&mut self, v: &Value) -> bool {
        match *v {
            Value::SByte(n) => self.i64(n.into()),
            Value::Int16(n) => self.i64(n.into()),
            Value::Int32(n) => self.i64(n.into()),
            Value::Int64(n) => self.i64(n),
            Value::Byte(n) => self.u64(n.into()),
            Value::UInt16(n) => self.u64(n.into()),
            Value::UInt32(n) => self.u64(n.into()),
            Value::UInt64(n) => self.u64(n),
            Value::Boolean(b) => self.raw(if b { b"true" } else { b"false" }),
            _ => return false,
        }
        true
    }

    /// Text content as a value: a number if it is one integer value, else a string.
    /// `skip_elements`: the content also holds child elements (written as members).
    fn content(&mut self, children: &[Node], skip_elements: bool) {
        if let Some(v) = single_value(children, skip_elements) {
            if self.number(v) {
                return;
            }
        }
        match children
            .iter()
            .filter(|n| node_has_text(n))
            .collect::<SmallPieces>()
        {
            SmallPieces::None => self.raw(b"\"\""),
            SmallPieces::One(Node::Value(v)) => self.quoted_text(v),
            SmallPieces::One(Node::CData(text)) => self.string(text),
            SmallPieces::One(_) | SmallPieces::Many => {
                let mut text = String::new();
                for node in children {
                    match node {
                        Node::Value(v) => write_text(&mut text, v),
                        Node::CData(t) => text.push_str(t),
                        Node::Element(_) | Node::ProcessingInstruction { .. } => {}
                    }
                }
                self.string(&text);
            }
        }
    }

    /// A value's text form, quoted: strings escaped, other types straight (their text
    /// needs no escape).
    fn quoted_text(&mut self, v: &Value) {
        match v {
            Value::String(s) | Value::AnsiString(s) | Value::Xml(s) => self.string(s),
            Value::Sid(sid) => {
                self.out.push(b'"');
                self.st.sids.write_ascii(sid, self.out);
                self.out.push(b'"');
            }
            Value::Array(_) | Value::Single(_) | Value::Double(_) => {
                let mut text = String::new();
                write_text(&mut text, v);
                self.string(&text);
            }
            other => {
                // Most: written straight into the output, the text needing no escape.
                let at = self.out.len();
                self.out.push(b'"');
                if other.write_ascii_text(self.out) {
                    self.out.push(b'"');
                    return;
                }
                self.out.truncate(at);
                self.st.scratch.clear();
                write_text(&mut self.st.scratch, other);
                self.out.push(b'"');
                self.out.extend_from_slice(self.st.scratch.as_bytes());
                self.out.push(b'"');
            }
        }
    }

    /// An element's object: attributes (unless `omit_attrs`), text, then its children.
    fn body(
        &mut self,
        attrs: &'e [Attribute],
        children: &'e [Node],
        container: bool,
        omit_attrs: bool,
        has_text: bool,
    ) {
        self.raw(b"{");
        let mut wrote_any = false;
        if !omit_attrs && attrs.iter().any(|a| !a.value.is_empty_text()) {
            self.raw(b"\"#attributes\":{");
            let mut first = true;
            for a in attrs.iter().filter(|a| !a.value.is_empty_text()) {
                self.attr_key(&mut first, &a.name);
                if !self.number(&a.value) {
                    self.quoted_text(&a.value);
                }
            }
            self.raw(b"}");
            wrote_any = true;
        }
        if has_text {
            self.text_member(&mut wrote_any);
            self.content(children, true);
        }
        self.children(children, container, wrote_any);
        self.raw(b"}");
    }

    /// The members of an object for `list`'s child elements (see the module's rules).
    fn children<L: ChildList + ?Sized>(
        &mut self,
        list: &'e L,
        container: bool,
        mut wrote_any: bool,
    ) {
        let len = list.len();
        // The named form: one `Data` with a non-empty name.
        let named = container
            && (0..len).any(|i| {
                list.child(i)
                    .and_then(|c| c.data_name())
                    .is_some_and(|n| !n.is_empty())
            });
        let positional = if container && !named {
            (0..len)
                .filter_map(|i| list.child(i).filter(|c| c.is_data()))
                .map(|c| c.data_count())
                .sum()
        } else {
            0
        };
        let mut positional_done = false;
        let mut scope = self.names.open();
        let mut i = 0;
        while i < len {
            let Some(child) = list.child(i) else {
                i += 1;
                continue;
            };
            i += 1;
            if container && child.is_data() {
                if named {
                    let Some(name) = child.data_name().filter(|n| !n.is_empty()) else {
                        continue;
                    };
                    // The run of elements right after it that are `Data` of the same name.
                    let mut run_end = i;
                    let mut run = child.data_count();
                    while run_end < len {
                        match list.child(run_end) {
                            None => run_end += 1,
                            Some(next)
                                if next.is_data() && next.data_name() == Some(name.clone()) =>
                            {
                                run += next.data_count();
                                run_end += 1;
                            }
                            Some(_) => break,
                        }
                    }
                    if wrote_any {
                        self.raw(b",");
                    }
                    wrote_any = true;
                    let suffix = self.names.next_suffix(&mut scope, true, name.clone());
                    self.key(&name, suffix);
                    if run == 1 {
                        self.data_value(child);
                    } else {
                        self.raw(b"[");
                        let mut first = true;
                        for at in i - 1..run_end {
                            if let Some(next) = list.child(at) {
                                self.data_values(next, &mut first);
                            }
                        }
                        self.raw(b"]");
                    }
                    i = run_end;
                } else if !positional_done {
                    positional_done = true;
                    if wrote_any {
                        self.raw(b",");
                    }
                    wrote_any = true;
                    self.raw(b"\"Data\":{\"#text\":");
                    if positional == 1 {
                        self.data_value(child);
                    } else {
                        self.raw(b"[");
                        let mut first = true;
                        for at in i - 1..len {
                            if let Some(next) = list.child(at).filter(|c| c.is_data()) {
                                self.data_values(next, &mut first);
                            }
                        }
                        self.raw(b"]");
                    }
                    self.raw(b"}");
                }
                continue;
            }
            if wrote_any {
                self.raw(b",");
            }
            wrote_any = true;
            let name = child.name();
            let suffix = self
                .names
                .next_suffix(&mut scope, false, Cow::Borrowed(name));
            self.key(name, suffix);
            match child {
                Child::Element(e) => {
                    self.element_value(&e.attributes, &e.children, is_container(&e.name))
                }
                Child::Binary(bytes) => self.binary(bytes, false),
                // Only containers hold `DataItem::Data`, handled above.
                Child::Data { value, .. } => self.leaf_value(value, false),
            }
        }
        self.names.close(scope);
    }
}

/// Each byte's two uppercase hex digits, by its value.
const HEX_PAIRS: [[u8; 2]; 256] = {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut pairs = [[0u8; 2]; 256];
    let mut b = 0;
    while b < 256 {
        pairs[b] = [HEX[b >> 4], HEX[b & 15]];
        b += 1;
    }
    pairs
};

/// At most this many items are checked for distinct names by
/// [`Json::distinct_members`]; more take the general rules.
const DISTINCT_MAX: usize = 48;

/// The names met so far in one `EventData`, to tell whether one is met again: a bit per
/// name (most names of an object are told apart by it) and the names themselves.
struct DistinctNames<'a> {
    bits: u64,
    names: [&'a str; DISTINCT_MAX],
    len: usize,
}

impl<'a> DistinctNames<'a> {
    fn new() -> Self {
        DistinctNames {
            bits: 0,
            names: [""; DISTINCT_MAX],
            len: 0,
        }
    }

    /// Adds `name`; false if it was met already, or there is no room left.
    fn insert(&mut self, name: &'a str) -> bool {
        let bit = children::name_bit(true, name);
        if self.bits & bit != 0 && self.names[..self.len].contains(&name) {
            return false;
        }
        let Some(slot) = self.names.get_mut(self.len) else {
            return false;
        };
        *slot = name;
        self.len += 1;
        self.bits |= bit;
        true
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tree_tests;
