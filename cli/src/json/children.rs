//! The child elements of a JSON object, whichever model holds them (a generic element's
//! nodes, an `EventData`'s items, or a visited event's [`DataItems`]), and the numbering of
//! names that repeat in one object.

use std::borrow::Cow;
use std::collections::HashMap;

use evtlog::{DataItem, DataItems, DataRef, Element, Node, Value, ValueRef};

use super::text::write_text;

/// One child element of an object, whichever model holds it.
#[derive(Clone, Copy)]
pub(super) enum Child<'a> {
    /// `<Data [Name]>value</Data>` of an `EventData`.
    Data {
        name: Option<&'a str>,
        value: ValueRef<'a>,
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
                value: ValueRef::Value(Value::Array(a)),
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
    /// The list as a visit's items (which may name their template's names).
    fn data_items(&self) -> Option<&DataItems<'_>> {
        None
    }
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
                value: ValueRef::of(value),
            },
            DataItem::Binary(bytes) => Child::Binary(bytes),
            DataItem::Element(e) => Child::Element(e),
        })
    }
}

impl ChildList for DataItems<'_> {
    fn len(&self) -> usize {
        DataItems::len(self)
    }
    fn child(&self, i: usize) -> Option<Child<'_>> {
        Some(match self.get(i)? {
            DataRef::Data { name, value } => Child::Data { name, value },
            DataRef::Binary(bytes) => Child::Binary(bytes),
        })
    }
    fn data_items(&self) -> Option<&DataItems<'_>> {
        Some(self)
    }
}

/// How often each name has been met in each object being written, for the `_N` suffix:
/// one list for the whole event, used as a stack (an object's names sit above its
/// parent's, and are taken off when it closes), so that no object makes room of its own;
/// an object of more than [`LIST_LEN`](Self::LIST_LEN) names (a crafted one may have
/// thousands) moves them to a map of its own.
pub(super) struct NameCounts<'e> {
    /// `(a Data name, rather than an element name; the name; times met)`.
    seen: Vec<(bool, Cow<'e, str>, u32)>,
}

/// One object's part of [`NameCounts`].
pub(super) struct Scope<'e> {
    base: usize,
    /// A bit per name met in this object, by [`name_bit`]: a name whose bit is clear is
    /// met for the first time, without searching the list (most names of an object are).
    bits: u64,
    map: Option<HashMap<(bool, Cow<'e, str>), u32>>,
}

impl<'e> NameCounts<'e> {
    pub(super) const LIST_LEN: usize = 64;

    pub(super) fn new() -> Self {
        NameCounts { seen: Vec::new() }
    }

    /// The names of an object being opened.
    pub(super) fn open(&self) -> Scope<'e> {
        Scope {
            base: self.seen.len(),
            bits: 0,
            map: None,
        }
    }

    /// Forgets the names of a closed object (its children's are gone already).
    pub(super) fn close(&mut self, scope: Scope<'e>) {
        self.seen.truncate(scope.base);
    }

    /// 0 the first time `name` is met in `scope`'s object, then 1, 2, … Element names and
    /// the names of `Data` (`data`) are counted apart.
    pub(super) fn next_suffix(
        &mut self,
        scope: &mut Scope<'e>,
        data: bool,
        name: Cow<'e, str>,
    ) -> u32 {
        if let Some(map) = &mut scope.map {
            let count = map.entry((data, name)).or_insert(0);
            *count += 1;
            return *count - 1;
        }
        let bit = name_bit(data, &name);
        let mine = &mut self.seen[scope.base..];
        if scope.bits & bit != 0 {
            if let Some((_, _, count)) = mine.iter_mut().find(|(d, n, _)| *d == data && *n == name)
            {
                *count += 1;
                return *count - 1;
            }
        }
        scope.bits |= bit;
        if mine.len() < Self::LIST_LEN {
            self.seen.push((data, name, 1));
            return 0;
        }
        let mut map: HashMap<_, _> = self
            .seen
            .drain(scope.base..)
            .map(|(d, n, count)| ((d, n), count))
            .collect();
        map.insert((data, name), 1);
        scope.map = Some(map);
        0
    }
}

/// One of 64 bits for a name, from its length and three of its bytes (cheap, and enough to
/// tell most names of one object apart).
pub(super) fn name_bit(data: bool, name: &str) -> u64 {
    let b = name.as_bytes();
    let pick = |i: usize| b.get(i).map_or(0, |&x| u32::from(x));
    let mixed = (b.len() as u32)
        .wrapping_mul(31)
        .wrapping_add(pick(0).wrapping_mul(7))
        .wrapping_add(pick(b.len() / 2).wrapping_mul(13))
        .wrapping_add(pick(b.len().wrapping_sub(1)))
        .wrapping_add(u32::from(data) * 17);
    1 << (mixed % 64)
}
