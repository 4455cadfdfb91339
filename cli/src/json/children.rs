//! The child elements of a JSON object, whichever model holds them (a generic element's
//! nodes, an `EventData`'s items), and the numbering of names that repeat in one object.

use std::borrow::Cow;
use std::collections::HashMap;

use evtlog::{DataItem, Element, Node, Value};

use super::text::write_text;

/// One child element of an object, whichever model holds it.
#[derive(Clone, Copy)]
pub(super) enum Child<'a> {
    /// `<Data [Name]>value</Data>` of an `EventData`.
    Data {
        name: Option<&'a str>,
        value: &'a Value,
    },
    /// `<Binary>` of an `EventData`.
    Binary(&'a [u8]),
    Element(&'a Element),
}

impl<'a> Child<'a> {
    pub(super) fn name(&self) -> &'a str {
        match self {
            Child::Data { .. } => "Data",
            Child::Binary(_) => "Binary",
            Child::Element(e) => &e.name,
        }
    }

    /// How many `Data` elements this child stands for: an array value of several items
    /// repeats its element (as the decoder of a log file does).
    pub(super) fn data_count(&self) -> usize {
        match self {
            Child::Data {
                value: Value::Array(a),
                ..
            } => a.items().len().max(1),
            _ => 1,
        }
    }

    pub(super) fn is_data(&self) -> bool {
        self.name() == "Data"
    }

    /// The text of a `Data` element's `Name` attribute.
    pub(super) fn data_name(&self) -> Option<Cow<'a, str>> {
        match self {
            Child::Data { name, .. } => name.map(Cow::Borrowed),
            Child::Binary(_) => None,
            Child::Element(e) if e.name == "Data" => e
                .attributes
                .iter()
                .find(|a| a.name == "Name")
                .map(|a| match &a.value {
                    Value::String(s) => Cow::Borrowed(s.as_str()),
                    other => {
                        let mut text = String::new();
                        write_text(&mut text, other);
                        Cow::Owned(text)
                    }
                }),
            Child::Element(_) => None,
        }
    }
}

/// The children of an element or of an `EventData`, by index; `None` for a node that is
/// not an element.
pub(super) trait ChildList {
    fn len(&self) -> usize;
    fn child(&self, i: usize) -> Option<Child<'_>>;
}

impl ChildList for [Node] {
    fn len(&self) -> usize {
        <[Node]>::len(self)
    }
    fn child(&self, i: usize) -> Option<Child<'_>> {
        match self.get(i)? {
            Node::Element(e) => Some(Child::Element(e)),
            _ => None,
        }
    }
}

impl ChildList for [DataItem] {
    fn len(&self) -> usize {
        <[DataItem]>::len(self)
    }
    fn child(&self, i: usize) -> Option<Child<'_>> {
        Some(match self.get(i)? {
            DataItem::Data { name, value } => Child::Data {
                name: name.as_deref(),
                value,
            },
            DataItem::Binary(bytes) => Child::Binary(bytes),
            DataItem::Element(e) => Child::Element(e),
        })
    }
}

/// How often each name has been met in one object, for the `_N` suffix: the first names
/// in a list (an element has few), the rest in a map (a crafted one may have thousands).
pub(super) struct NameCounts<'a> {
    list: [(&'a str, u32); NameCounts::LIST_LEN],
    len: usize,
    map: Option<HashMap<String, u32>>,
}

impl<'a> NameCounts<'a> {
    pub(super) const LIST_LEN: usize = 32;

    pub(super) fn new() -> Self {
        NameCounts {
            list: [("", 0); NameCounts::LIST_LEN],
            len: 0,
            map: None,
        }
    }

    /// 0 the first time `name` is met, then 1, 2, …
    pub(super) fn next_suffix(&mut self, name: &'a str) -> u32 {
        if let Some(n) = self.bump(name) {
            return n;
        }
        if self.len < Self::LIST_LEN {
            self.list[self.len] = (name, 1);
            self.len += 1;
            return 0;
        }
        self.insert(name)
    }

    /// As [`next_suffix`](Self::next_suffix) for a name that may be owned by the caller.
    pub(super) fn next_suffix_owned(&mut self, name: Cow<'a, str>) -> u32 {
        match name {
            Cow::Borrowed(name) => self.next_suffix(name),
            Cow::Owned(name) => self.bump(&name).unwrap_or_else(|| self.insert(&name)),
        }
    }

    /// Counts `name` again if it was met: how often it was before.
    fn bump(&mut self, name: &str) -> Option<u32> {
        let count = match self.list[..self.len].iter_mut().find(|(n, _)| *n == name) {
            Some((_, count)) => count,
            None => self.map.as_mut()?.get_mut(name)?,
        };
        *count += 1;
        Some(*count - 1)
    }

    /// Counts a name met for the first time, in the map.
    fn insert(&mut self, name: &str) -> u32 {
        self.map
            .get_or_insert_with(HashMap::new)
            .insert(name.to_owned(), 1);
        0
    }
}
