//! `read_tree` against the general path on crafted `<UserData>` fragments: where it reads
//! a fragment, its nodes are the general path's; where a fragment needs the general
//! path's merging or substitutions, it declines.

use super::expand::Expansion;
use super::general::General;
use super::text::merge;
use super::tokens::Decoder;
use super::user_data::{read_tree, TreeScratch};
use super::{ValueRef, XmlToken};
use crate::event::{Node, Value};

/// A fragment's bytes, names written inline.
#[derive(Default)]
struct Frag(Vec<u8>);

impl Frag {
    fn u16(&mut self, v: u16) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn u32(&mut self, v: u32) -> &mut Self {
        self.0.extend_from_slice(&v.to_le_bytes());
        self
    }
    fn byte(&mut self, b: u8) -> &mut Self {
        self.0.push(b);
        self
    }
    /// An inline NameString: its offset (the next byte), header, characters, NUL.
    fn name(&mut self, name: &str) -> &mut Self {
        let at = self.0.len() as u32 + 4;
        self.u32(at).u32(0).u16(0).u16(name.len() as u16);
        for c in name.encode_utf16() {
            self.u16(c);
        }
        self.u16(0)
    }
    /// `<name` with or without attributes (then call `attr`s and `open`/`close_empty`).
    fn start(&mut self, name: &str, attrs: bool) -> &mut Self {
        self.byte(if attrs { 0x41 } else { 0x01 }).u32(0).name(name);
        if attrs {
            self.u32(0);
        }
        self
    }
    fn attr(&mut self, name: &str) -> &mut Self {
        self.byte(0x06).name(name)
    }
    /// An inline String value token.
    fn text(&mut self, s: &str) -> &mut Self {
        let units: Vec<u16> = s.encode_utf16().collect();
        self.byte(0x05).byte(0x01).u16(units.len() as u16);
        for u in units {
            self.u16(u);
        }
        self
    }
    /// An inline UInt32 value token.
    fn number(&mut self, n: u32) -> &mut Self {
        self.byte(0x05).byte(0x08).u32(n)
    }
    fn open(&mut self) -> &mut Self {
        self.byte(0x02)
    }
    fn end(&mut self) -> &mut Self {
        self.byte(0x04)
    }
    fn close_empty(&mut self) -> &mut Self {
        self.byte(0x03)
    }
}

/// The `Body::UserData` nodes the general path makes of `bytes` (as `Fast::event_of`).
fn general_nodes(bytes: &[u8], empty_tag: bool) -> Option<Vec<Node>> {
    let mut tokens = Decoder::new(bytes, 0);
    let mut expansion = Expansion::new(0);
    let nodes = General::new(&mut tokens, &mut expansion)
        .nested(0, bytes.len(), 2)
        .ok()?;
    let mut children = merge(nodes);
    if children.is_empty() && !empty_tag {
        children.push(Node::Value(Value::String(String::new().into())));
    }
    Some(children)
}

fn tree_nodes(bytes: &[u8], empty_tag: bool, utf16: bool) -> Option<Vec<Node>> {
    let mut tokens = Decoder::new(bytes, 0);
    let mut scratch = TreeScratch::default();
    read_tree(&mut tokens, 0, bytes.len(), empty_tag, utf16, &mut scratch)?;
    let tree = scratch.tree(bytes);
    // Strings as UTF-16 only when asked for.
    let as_utf16 = tree.iter().any(|t| {
        matches!(
            t,
            XmlToken::Value(ValueRef::Utf16(_))
                | XmlToken::Attribute {
                    value: ValueRef::Utf16(_),
                    ..
                }
        )
    });
    assert!(utf16 || !as_utf16);
    // Each `Start` names its `End`.
    for (i, t) in tree.iter().enumerate() {
        if let XmlToken::Start { end, .. } = t {
            assert!(end > i && matches!(tree.get(end), Some(XmlToken::End)));
        }
    }
    Some(tree.to_nodes())
}

/// Checks `f` both ways; `read`: whether `read_tree` is to take it.
fn check(what: &str, f: &Frag, read: bool) {
    for (empty_tag, utf16) in [(false, false), (true, false), (false, true), (true, true)] {
        let general = general_nodes(&f.0, empty_tag).expect(what);
        match tree_nodes(&f.0, empty_tag, utf16) {
            Some(nodes) => {
                assert!(read, "{what}: read, but the general path is needed");
                assert_eq!(nodes, general, "{what}");
            }
            None => assert!(!read, "{what}: declined"),
        }
    }
}

#[test]
fn trees_read_are_the_general_paths_nodes() {
    let mut f = Frag::default();
    f.start("A", true)
        .attr("s")
        .text("x")
        .attr("n")
        .number(7)
        .attr("e")
        .text("")
        .open();
    f.start("B", false).open().text("one").end();
    f.start("B", false).close_empty();
    f.start("C", false).open().end();
    f.start("D", true).attr("k").text("v").close_empty();
    f.start("E", true).attr("k").text("v").open().end();
    f.text("between");
    f.start("F", false).open().number(3).end();
    f.end();
    f.start("G", false).open().end();
    check("nested, attributes, empty and repeated elements", &f, true);

    // Texts with NULs at their end (kept by the general path, left out of a `Utf16`'s
    // text), inside and at the end.
    let mut f = Frag::default();
    f.start("A", true)
        .attr("k")
        .text("v\0")
        .open()
        .text("t\0\0")
        .end();
    f.start("B", false).open().text("a\0b").end();
    check("texts ending in NUL", &f, true);

    // An attribute without a value token: an empty text.
    let mut f = Frag::default();
    f.start("A", true).attr("k").close_empty();
    check("an attribute without value", &f, true);

    // Nothing at all: an empty text unless `<UserData/>`.
    check("no children", &Frag::default(), true);
    let mut f = Frag::default();
    f.byte(0x0F).byte(1).byte(1).byte(0);
    f.start("A", false).close_empty().byte(0x00);
    check("a fragment header and EOF", &f, true);

    // Text, an element, text: three nodes, not merged.
    let mut f = Frag::default();
    f.start("A", false).open().text("a");
    f.start("B", false).close_empty();
    f.text("b").end();
    check("texts around an element", &f, true);
}

#[test]
fn fragments_the_general_path_merges_or_substitutes_are_declined() {
    // Two values side by side in an element: one text to the general path.
    let mut f = Frag::default();
    f.start("A", false).open().text("a").number(1).end();
    check("two values in an element", &f, false);
    // The same at the top.
    let mut f = Frag::default();
    f.text("a").text("b");
    check("two values at the top", &f, false);
    // An attribute of two values.
    let mut f = Frag::default();
    f.start("A", true)
        .attr("k")
        .text("a")
        .number(1)
        .close_empty();
    check("an attribute of two values", &f, false);
    // A character reference in content.
    let mut f = Frag::default();
    f.start("A", false).open().byte(0x08).u16(0x41).end();
    check("a character reference", &f, false);
    // An optional substitution in an attribute (omitted by the general path).
    let mut f = Frag::default();
    f.start("A", true)
        .attr("k")
        .byte(0x0E)
        .u16(0)
        .byte(0x01)
        .close_empty();
    check("a substitution", &f, false);
}

/// A fragment nested past the general path's depth bound is its error, not a tree; the
/// deepest it reads is a tree. Nodes nested as deep make no tokens either.
#[test]
fn trees_past_the_depth_bound_are_declined() {
    use super::tokens::MAX_DEPTH;
    use super::UserDataTokens;
    let nested = |levels: usize| {
        let mut f = Frag::default();
        for _ in 0..levels {
            f.start("A", false).open();
        }
        for _ in 0..levels {
            f.end();
        }
        f
    };
    // Elements at nesting `level` sit at the general path's depth `level + 2`.
    let deepest = MAX_DEPTH - 2;
    check("the deepest nesting", &nested(deepest), true);
    let f = nested(deepest + 1);
    assert!(
        general_nodes(&f.0, false).is_none(),
        "the general path's error"
    );
    assert!(
        tree_nodes(&f.0, false, false).is_none(),
        "no tree past the bound"
    );
    let nodes = general_nodes(&nested(deepest).0, false).unwrap();
    assert!(UserDataTokens::from_nodes(&nodes).is_some());
    let deeper = vec![Node::Element(crate::event::Element {
        name: "B".into(),
        attributes: Vec::new(),
        children: nodes,
    })];
    assert!(UserDataTokens::from_nodes(&deeper).is_none());
}
