//! A `<UserData>` tree handed to a visitor as its tokens ([`UserDataTree`], [`XmlToken`]),
//! read straight from the record's nested BinXml into scratch reused from record to
//! record: no [`Node`] tree is built for a visitor that writes the tree once (JSON).
//!
//! Owns the public tree types and [`read_tree`], which reads the simple fragments only:
//! elements, attributes of at most one inline value, and inline values as content, never
//! two values side by side (which the general path merges into one text). Anything else
//! (a template instance, a substitution, CDATA, a reference, a nested fragment, a tree
//! near the depth bound) is `None`, and the record goes the general way.
//!
//! Invariant: the tree's nodes ([`UserDataTree::to_nodes`]) are the `Body::UserData`
//! nodes the general path decodes for the record (tested record by record on every
//! sample, and on crafted fragments).

use std::sync::Arc;

use super::tokens::{Decoder, MAX_DEPTH, MAX_NODES};
use super::value::{decode_sized, inline_extent, utf16_append, without_trailing_nuls, BINXML_TYPE};
use super::value_ref::{Utf16, ValueRef};
use crate::event::{Attribute, Element, Node, Value};
use crate::evtx::bytes::Reader;

/// One token of a [`UserDataTree`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum XmlToken<'a> {
    /// An element's start: its attributes follow as [`Attribute`](XmlToken::Attribute)
    /// tokens, then its content; `end` is the index of its [`End`](XmlToken::End).
    Start { name: &'a str, end: usize },
    /// An attribute of the element started just before, and its value.
    Attribute { name: &'a str, value: ValueRef<'a> },
    /// A text or value node (never two side by side); an element written as
    /// `<a></a>` holds an empty text, `<a/>` nothing.
    Value(ValueRef<'a>),
    /// The end of the element whose `Start` names this index.
    End,
}

/// The children of a `<UserData>` as tokens, borrowed for one visit: elements open and
/// close around their attributes and content, in document order.
#[derive(Clone, Copy)]
pub struct UserDataTree<'a> {
    toks: &'a [Tok],
    chunk: &'a [u8],
    names: &'a [Arc<str>],
    text: &'a str,
    values: &'a [Value],
}

impl<'a> UserDataTree<'a> {
    /// How many tokens.
    #[inline]
    pub fn len(&self) -> usize {
        self.toks.len()
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.toks.is_empty()
    }

    /// Token `i`.
    #[inline]
    pub fn get(&self, i: usize) -> Option<XmlToken<'a>> {
        Some(match *self.toks.get(i)? {
            Tok::Start { name, end } => XmlToken::Start {
                name: self.names.get(name as usize)?,
                end: end as usize,
            },
            Tok::Attribute { name, value } => XmlToken::Attribute {
                name: self.names.get(name as usize)?,
                value: self.value(value)?,
            },
            Tok::Value(v) => XmlToken::Value(self.value(v)?),
            Tok::End => XmlToken::End,
        })
    }

    /// The tokens in order.
    pub fn iter(&self) -> impl Iterator<Item = XmlToken<'a>> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// The nodes the tokens stand for: the decoded event's `Body::UserData`.
    pub fn to_nodes(&self) -> Vec<Node> {
        let mut at = 0;
        self.nodes_until(&mut at, self.len())
    }

    fn nodes_until(&self, at: &mut usize, end: usize) -> Vec<Node> {
        let mut out = Vec::new();
        while *at < end {
            let i = *at;
            *at += 1;
            match self.get(i) {
                Some(XmlToken::Start { name, end: close }) => {
                    let mut element = Element::new(name);
                    while let Some(XmlToken::Attribute { name, value }) = self.get(*at) {
                        element.attributes.push(Attribute {
                            name: name.to_string(),
                            value: owned(value),
                        });
                        *at += 1;
                    }
                    element.children = self.nodes_until(at, close);
                    *at = close + 1;
                    out.push(Node::Element(element));
                }
                Some(XmlToken::Value(v)) => out.push(Node::Value(owned(v))),
                _ => {}
            }
        }
        out
    }

    fn value(&self, v: V) -> Option<ValueRef<'a>> {
        Some(match v {
            V::Text { from, to } => ValueRef::Text(self.text.get(from as usize..to as usize)?),
            V::Value(at) => ValueRef::Value(self.values.get(at as usize)?),
            V::Utf16 { from, to } => {
                ValueRef::Utf16(Utf16::new(self.chunk.get(from as usize..to as usize)?))
            }
        })
    }
}

impl std::fmt::Debug for UserDataTree<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

fn owned(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Text(s) => Value::String(s.into()),
        ValueRef::Utf16(u) => Value::String(u.to_text().into()),
        ValueRef::Scalar(s) => s.to_value(),
        ValueRef::Sid(s) => Value::Sid(s.to_sid()),
        ValueRef::Guid(g) => Value::Guid(g),
        ValueRef::Value(v) => v.clone(),
    }
}

/// A token as the scratch holds it: names by index, texts and values by place.
#[derive(Clone, Copy, Debug)]
enum Tok {
    Start { name: u32, end: u32 },
    Attribute { name: u32, value: V },
    Value(V),
    End,
}

#[derive(Clone, Copy, Debug)]
enum V {
    /// In the scratch text.
    Text {
        from: u32,
        to: u32,
    },
    /// A String's UTF-16 at these chunk offsets (for a visitor that wants it so).
    Utf16 {
        from: u32,
        to: u32,
    },
    Value(u32),
}

/// What [`read_tree`] reuses from record to record.
#[derive(Debug, Default)]
pub(super) struct TreeScratch {
    toks: Vec<Tok>,
    names: Vec<Arc<str>>,
    text: String,
    values: Vec<Value>,
}

impl TreeScratch {
    /// The tree last read from `chunk`.
    pub(super) fn tree<'a>(&'a self, chunk: &'a [u8]) -> UserDataTree<'a> {
        UserDataTree {
            toks: &self.toks,
            chunk,
            names: &self.names,
            text: &self.text,
            values: &self.values,
        }
    }
}

/// A tree of tokens of one's own, made from nodes: what a visit hands over for a
/// `<UserData>` of those children (to check a visitor on trees a record would not hold).
#[derive(Debug, Default)]
pub struct UserDataTokens(TreeScratch);

impl UserDataTokens {
    /// The tokens of `nodes`; `None` for nodes no visit hands over as tokens (a CDATA
    /// section, a processing instruction, two values side by side, elements nested deeper
    /// than a record may nest them).
    pub fn from_nodes(nodes: &[Node]) -> Option<UserDataTokens> {
        let mut tokens = UserDataTokens::default();
        tokens.0.push_nodes(nodes, 1)?;
        Some(tokens)
    }

    /// The tree.
    pub fn tree(&self) -> UserDataTree<'_> {
        self.0.tree(&[])
    }
}

impl TreeScratch {
    fn push_nodes(&mut self, nodes: &[Node], level: usize) -> Option<()> {
        let mut last_value = false;
        for node in nodes {
            match node {
                Node::Element(e) => {
                    if level + 2 > MAX_DEPTH {
                        return None;
                    }
                    last_value = false;
                    let start = self.toks.len();
                    let name = self.name(&e.name)?;
                    self.toks.push(Tok::Start { name, end: 0 });
                    for a in &e.attributes {
                        let name = self.name(&a.name)?;
                        let value = self.value(&a.value)?;
                        self.toks.push(Tok::Attribute { name, value });
                    }
                    self.push_nodes(&e.children, level + 1)?;
                    let end = u32::try_from(self.toks.len()).ok()?;
                    self.toks.push(Tok::End);
                    if let Some(Tok::Start { end: e, .. }) = self.toks.get_mut(start) {
                        *e = end;
                    }
                }
                Node::Value(v) if !last_value => {
                    last_value = true;
                    let v = self.value(v)?;
                    self.toks.push(Tok::Value(v));
                }
                _ => return None,
            }
        }
        Some(())
    }

    fn name(&mut self, name: &str) -> Option<u32> {
        let at = u32::try_from(self.names.len()).ok()?;
        self.names.push(Arc::from(name));
        Some(at)
    }

    fn value(&mut self, v: &Value) -> Option<V> {
        match v {
            Value::String(t) => {
                let from = u32::try_from(self.text.len()).ok()?;
                self.text.push_str(t);
                let to = u32::try_from(self.text.len()).ok()?;
                Some(V::Text { from, to })
            }
            v => {
                let at = u32::try_from(self.values.len()).ok()?;
                self.values.push(v.clone());
                Some(V::Value(at))
            }
        }
    }
}

/// Reads the nested BinXml at chunk offsets `[from, to)`, the content of a `<UserData>`
/// (`empty_tag`: written `<UserData/>`), into `scratch`; `None` where it is not a simple
/// fragment (see the module docs) or does not read. `utf16`: a String whose text is its
/// units' ([`Utf16`]: none of its trailing units NUL) is kept as its units.
pub(super) fn read_tree(
    tokens: &mut Decoder<'_>,
    from: usize,
    to: usize,
    empty_tag: bool,
    utf16: bool,
    scratch: &mut TreeScratch,
) -> Option<()> {
    scratch.toks.clear();
    scratch.names.clear();
    scratch.text.clear();
    scratch.values.clear();
    let mut r = tokens.reader(from, to, "nested BinXml").ok()?;
    let mut reader = TreeReader {
        tokens,
        scratch,
        utf16,
    };
    let mut last_value = false;
    while r.remaining() > 0 {
        match r.u8("token").ok()? {
            0x00 => break,
            0x0F => {
                r.skip(3, "fragment header").ok()?;
                continue;
            }
            tok => reader.content(tok, &mut r, 1, &mut last_value)?,
        }
    }
    if reader.scratch.toks.is_empty() && !empty_tag {
        reader.push_empty_text()?;
    }
    Some(())
}

struct TreeReader<'s, 'd, 'c> {
    tokens: &'d mut Decoder<'c>,
    scratch: &'s mut TreeScratch,
    utf16: bool,
}

impl<'c> TreeReader<'_, '_, 'c> {
    /// One content token at nesting `level` (1: a child of `<UserData>`); `last_value`:
    /// the token before it in the same content was a value.
    fn content(
        &mut self,
        tok: u8,
        r: &mut Reader<'c>,
        level: usize,
        last_value: &mut bool,
    ) -> Option<()> {
        match tok {
            0x01 | 0x41 => {
                *last_value = false;
                self.element(tok, r, level)
            }
            // Two values side by side are one text to the general path.
            0x05 | 0x45 if !*last_value => {
                *last_value = true;
                let v = self.value(r)?;
                self.scratch.toks.push(Tok::Value(v));
                Some(())
            }
            _ => None,
        }
    }

    fn element(&mut self, tok: u8, r: &mut Reader<'c>, level: usize) -> Option<()> {
        // The general path's depth (the fragment's own two levels above its elements), and
        // room under its node budget: beyond either, its error is the record's outcome.
        if level + 2 > MAX_DEPTH || self.scratch.toks.len() >= MAX_NODES / 4 {
            return None;
        }
        r.skip(4, "element data size").ok()?;
        let name = self.name(r)?;
        let start = self.scratch.toks.len();
        self.scratch.toks.push(Tok::Start { name, end: 0 });
        if tok & 0x40 != 0 {
            r.skip(4, "attribute list size").ok()?;
            while peek(r).is_some_and(|t| t & 0x0F == 0x06) {
                r.skip(1, "attribute token").ok()?;
                let name = self.name(r)?;
                // One value or none (an empty text); a reference, a substitution or a
                // second value left unread is no attribute's nor the close's token, and
                // ends the reading below.
                let value = match peek(r) {
                    Some(0x05 | 0x45) => {
                        r.skip(1, "attribute value token").ok()?;
                        self.value(r)?
                    }
                    _ => self.text("")?,
                };
                self.scratch.toks.push(Tok::Attribute { name, value });
            }
        }
        match r.u8("close of start element").ok()? {
            0x03 => {}
            0x02 => {
                let mut last_value = false;
                let first = self.scratch.toks.len();
                loop {
                    match r.u8("element content token").ok()? {
                        0x04 => break,
                        t => self.content(t, r, level + 1, &mut last_value)?,
                    }
                }
                // Attributes only: `<a></a>` holds an empty text.
                if self.scratch.toks[first..].is_empty() {
                    self.push_empty_text()?;
                }
            }
            _ => return None,
        }
        let end = u32::try_from(self.scratch.toks.len()).ok()?;
        self.scratch.toks.push(Tok::End);
        if let Some(Tok::Start { end: e, .. }) = self.scratch.toks.get_mut(start) {
            *e = end;
        }
        Some(())
    }

    fn name(&mut self, r: &mut Reader<'c>) -> Option<u32> {
        let name = self.tokens.name(r).ok()?;
        let at = u32::try_from(self.scratch.names.len()).ok()?;
        self.scratch.names.push(name);
        Some(at)
    }

    /// An inline value after its token byte, as the general path's `value_token` reads it
    /// outside a definition (a String not trimmed of NULs); a nested fragment is `None`.
    fn value(&mut self, r: &mut Reader<'c>) -> Option<V> {
        let ty = r.u8("value type").ok()?;
        let rest = self.tokens.chunk.get(r.pos()..).unwrap_or_default();
        let (prefix, len) = inline_extent(ty, rest).ok()?;
        r.skip(prefix, "value length").ok()?;
        let bytes = r.bytes(len, "value").ok()?;
        match ty {
            // `Utf16`'s text leaves trailing NULs out, the general path's keeps them.
            0x01 if self.utf16 && without_trailing_nuls(bytes).len() == bytes.len() => {
                let from = u32::try_from(r.pos() - bytes.len()).ok()?;
                let to = u32::try_from(r.pos()).ok()?;
                Some(V::Utf16 { from, to })
            }
            0x01 => {
                let from = u32::try_from(self.scratch.text.len()).ok()?;
                utf16_append(bytes, &mut self.scratch.text);
                let to = u32::try_from(self.scratch.text.len()).ok()?;
                Some(V::Text { from, to })
            }
            BINXML_TYPE => None,
            _ => {
                let v = decode_sized(ty, bytes, bytes).ok()?;
                let at = u32::try_from(self.scratch.values.len()).ok()?;
                self.scratch.values.push(v);
                Some(V::Value(at))
            }
        }
    }

    fn text(&mut self, s: &str) -> Option<V> {
        let from = u32::try_from(self.scratch.text.len()).ok()?;
        self.scratch.text.push_str(s);
        let to = u32::try_from(self.scratch.text.len()).ok()?;
        Some(V::Text { from, to })
    }

    fn push_empty_text(&mut self) -> Option<()> {
        let v = self.text("")?;
        self.scratch.toks.push(Tok::Value(v));
        Some(())
    }
}

fn peek(r: &mut Reader<'_>) -> Option<u8> {
    super::tokens::peek(r)
}
