//! The generic trees of the event XML parser (UserData, RenderingInfo, other sections, and
//! EventData items that are not plain `<Data>`/`<Binary>`), and the text of the open leaf
//! (a System child, `<Data>` or `<Binary>`) with the switch of a leaf that turns out to hold
//! markup into a generic element.
//!
//! Invariant: a generic element keeps every node the old tree kept (text pieces separately,
//! CDATA, processing instructions), and `<x></x>` keeps an empty text child so that it
//! renders back as written.

use std::borrow::Cow;

use super::{Dest, Open, Parser, Role};
use crate::event::{Attribute, DataItem, Element, Node, Text, Value};

/// The text of the open System child, `<Data>` or `<Binary>`.
#[derive(Default)]
pub(super) struct Leaf<'a> {
    /// The text pieces, joined.
    pub(super) text: Cow<'a, str>,
    /// Where the second and later pieces start in `text` (pieces are separated by comments).
    pub(super) breaks: Vec<usize>,
    pub(super) has_text: bool,
    /// Holds an element, CDATA or a processing instruction.
    pub(super) nonleaf: bool,
    /// `<Data>`'s Name.
    pub(super) name: Option<Cow<'a, str>>,
}

impl<'a> Leaf<'a> {
    pub(super) fn push(&mut self, piece: Cow<'a, str>) {
        if self.has_text {
            self.breaks.push(self.text.len());
            self.text.to_mut().push_str(&piece);
        } else {
            self.text = piece;
            self.has_text = true;
        }
    }

    /// The pieces as generic text nodes.
    pub(super) fn nodes(&self) -> Vec<Node> {
        if !self.has_text {
            return Vec::new();
        }
        let mut at = 0;
        let mut out = Vec::with_capacity(self.breaks.len() + 1);
        for &b in self.breaks.iter().chain(std::iter::once(&self.text.len())) {
            out.push(Node::Value(Value::String(Text::from(&self.text[at..b]))));
            at = b;
        }
        out
    }
}

pub(super) struct Frame {
    pub(super) element: Element,
    pub(super) self_closed: bool,
}

impl<'a> Parser<'a> {
    /// Starts a generic element: a child of the tree being built, or a new tree for `dest`.
    pub(super) fn push_frame(
        &mut self,
        name: &str,
        attrs: &[(&str, Cow<'_, str>)],
        empty: bool,
        dest: Dest,
    ) {
        if self.frames.is_empty() {
            self.dest = dest;
        }
        let mut element = Element::new(name);
        element.attributes = attrs
            .iter()
            .map(|(k, v)| Attribute {
                name: (*k).to_owned(),
                value: Value::String(Text::from(&**v)),
            })
            .collect();
        self.frames.push(Frame {
            element,
            self_closed: empty,
        });
    }

    pub(super) fn push_node(&mut self, node: Node) {
        if let Some(frame) = self.frames.last_mut() {
            frame.element.children.push(node);
        }
    }

    /// The open `<Data>` or `<Binary>` holds more than text: it becomes a generic element,
    /// its text pieces its first children.
    pub(super) fn leaf_to_generic(&mut self) {
        let Some(top) = self.lists.open.last_mut() else {
            return;
        };
        if !matches!(top.role, Role::Data | Role::Binary) {
            return;
        }
        top.role = Role::Generic;
        let mut element = Element::new(top.name);
        if let Some(name) = self.leaf.name.take() {
            element.attributes.push(Attribute {
                name: "Name".to_owned(),
                value: Value::String(name.into()),
            });
        }
        element.children = self.leaf.nodes();
        self.dest = Dest::Item;
        self.frames.push(Frame {
            element,
            self_closed: false,
        });
    }

    pub(super) fn binary(&mut self, open: &Open<'a>, leaf: Leaf<'a>, self_closed: bool) {
        let text = &leaf.text;
        let Some(bytes) = hex_bytes(text.trim()) else {
            self.defer(
                open.offset,
                "<Binary> holds something other than hex digits",
            );
            return;
        };
        // Exactly the digits, none lowercase: what the renderer writes back.
        let canonical =
            text.len() == 2 * bytes.len() && !text.bytes().any(|c| c.is_ascii_lowercase());
        if canonical {
            self.push_item(DataItem::Binary(bytes));
            return;
        }
        // Lowercase or spaced hex: keep the text as written.
        let mut element = Element::new(open.name);
        element.children = leaf.nodes();
        if element.children.is_empty() && !self_closed {
            element
                .children
                .push(Node::Value(Value::String(Text::new())));
        }
        self.push_item(DataItem::Element(element));
    }
}

/// Hex digits (any case, an even count) as bytes, sized once: what `parse_hex_bytes` reads.
fn hex_bytes(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    };
    let mut out = Vec::with_capacity(b.len() / 2);
    for pair in b.chunks_exact(2) {
        out.push(digit(pair[0])? << 4 | digit(pair[1])?);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use crate::event::parse_hex_bytes;

    #[test]
    fn hex_bytes_reads_what_parse_hex_bytes_reads() {
        for text in [
            "", "0a", "0A", "ff00", "FfEe", "0", "0g", "g0", " 0a", "0a ", "é0", "123",
        ] {
            assert_eq!(super::hex_bytes(text), parse_hex_bytes(text), "{text}");
        }
    }
}
