//! A `<UserData>` tree written from its tokens ([`UserDataTree`]) as the general rules
//! write the decoded event's nodes (`Json::element_value` and the methods it calls), for
//! the trees those rules write without their data-container cases: a tree with an
//! element named `Data` is declined when it is met (false, the caller drops what was
//! written), and goes the decoded way.
//!
//! An element is its token range: its attributes, then its content (child elements and
//! values, never two values side by side, as the library hands them).
//!
//! Invariant: the bytes are those of the decoded event (tested on every sample record,
//! and on crafted trees: nested and repeated names, attributes, empty elements, values
//! that are numbers, texts around child elements).

use std::borrow::Cow;

use evtlog::{UserDataTree, ValueRef, XmlToken};

use super::text::write_text;
use super::Json;

/// One element's tokens: attributes at `[attrs, content)`, content at `[content, end)`.
#[derive(Clone, Copy)]
struct Range {
    attrs: usize,
    content: usize,
    end: usize,
}

fn is_empty_text(v: ValueRef<'_>) -> bool {
    match v {
        ValueRef::Text(s) => s.is_empty(),
        ValueRef::Utf16(u) => u.is_empty(),
        ValueRef::Scalar(_) | ValueRef::Sid(_) | ValueRef::Guid(_) => false,
        ValueRef::Value(v) => v.is_empty_text(),
    }
}

impl<'e> Json<'_, '_, 'e> {
    /// `<UserData>`'s value: its children as the content of a container without
    /// attributes. False, part written, at an element named `Data` (whose rules in a
    /// container differ).
    pub(super) fn tree_user_data(&mut self, tree: &UserDataTree<'e>) -> bool {
        let len = tree.len();
        let range = Range {
            attrs: 0,
            content: 0,
            end: len,
        };
        self.tree_value(tree, range)
    }

    /// The element at token `start` (a `Start`): its range, past its attributes.
    fn tree_range(tree: &UserDataTree<'e>, start: usize, end: usize) -> Range {
        let mut content = start + 1;
        while content < end && matches!(tree.get(content), Some(XmlToken::Attribute { .. })) {
            content += 1;
        }
        Range {
            attrs: start + 1,
            content,
            end,
        }
    }

    /// `element_value` of an element's range (a container or not: without `Data`, the
    /// same rules).
    fn tree_value(&mut self, tree: &UserDataTree<'e>, r: Range) -> bool {
        let attrs_none = r.attrs == r.content;
        if attrs_none && r.end == r.content + 1 {
            if let Some(XmlToken::Value(v)) = tree.get(r.content) {
                self.leaf_value(v, false);
                return true;
            }
        }
        let (mut has_text, mut has_element) = (false, false);
        let mut i = r.content;
        while i < r.end {
            match tree.get(i) {
                Some(XmlToken::Start { end, .. }) => {
                    has_element = true;
                    i = end;
                }
                Some(XmlToken::Value(v)) => has_text |= !is_empty_text(v),
                _ => {}
            }
            i += 1;
        }
        let attrs_text = self.tree_attrs(tree, r).any(|(_, v)| !is_empty_text(v));
        if !has_element && !has_text && !attrs_text {
            self.raw(b"null");
        } else if !has_element && !attrs_text {
            self.tree_content(tree, r);
        } else {
            return self.tree_body(tree, r, has_text);
        }
        true
    }

    fn tree_attrs<'t>(
        &self,
        tree: &'t UserDataTree<'e>,
        r: Range,
    ) -> impl Iterator<Item = (&'e str, ValueRef<'e>)> + 't {
        (r.attrs..r.content).filter_map(|i| match tree.get(i) {
            Some(XmlToken::Attribute { name, value }) => Some((name, value)),
            _ => None,
        })
    }

    /// `content`: the text of the range's values (child elements passed over), a number
    /// when it is one integer value.
    fn tree_content(&mut self, tree: &UserDataTree<'e>, r: Range) {
        // The values with text, and the one value that could be a number.
        let mut pieces = 0;
        let mut one = None;
        let mut i = r.content;
        while i < r.end {
            match tree.get(i) {
                Some(XmlToken::Start { end, .. }) => i = end,
                Some(XmlToken::Value(v)) if !is_empty_text(v) => {
                    pieces += 1;
                    one = Some(v);
                }
                _ => {}
            }
            i += 1;
        }
        match (pieces, one) {
            (0, _) | (_, None) => self.raw(b"\"\""),
            (1, Some(v)) => self.text_value(v),
            _ => {
                let mut text = String::new();
                let mut i = r.content;
                while i < r.end {
                    match tree.get(i) {
                        Some(XmlToken::Start { end, .. }) => i = end,
                        Some(XmlToken::Value(ValueRef::Text(s))) => text.push_str(s),
                        Some(XmlToken::Value(ValueRef::Utf16(u))) => text.push_str(&u.to_text()),
                        Some(XmlToken::Value(ValueRef::Scalar(s))) => {
                            write_text(&mut text, &s.to_value())
                        }
                        Some(XmlToken::Value(ValueRef::Sid(s))) => s.to_sid().write_to(&mut text),
                        Some(XmlToken::Value(ValueRef::Guid(g))) => g.write_to(&mut text),
                        Some(XmlToken::Value(ValueRef::Value(v))) => write_text(&mut text, v),
                        _ => {}
                    }
                    i += 1;
                }
                self.string(&text);
            }
        }
    }

    /// A lone text value: a number if it is an integer, else its text quoted.
    fn text_value(&mut self, v: ValueRef<'_>) {
        match v {
            ValueRef::Value(v) => {
                if !self.number(v) {
                    self.quoted_text(v);
                }
            }
            v => self.leaf_value(v, true),
        }
    }

    /// `body`: the element's object.
    fn tree_body(&mut self, tree: &UserDataTree<'e>, r: Range, has_text: bool) -> bool {
        self.raw(b"{");
        let mut wrote_any = false;
        if self.tree_attrs(tree, r).any(|(_, v)| !is_empty_text(v)) {
            self.raw(b"\"#attributes\":{");
            let mut first = true;
            for (name, value) in self.tree_attrs(tree, r) {
                if is_empty_text(value) {
                    continue;
                }
                self.attr_key(&mut first, name);
                self.text_value(value);
            }
            self.raw(b"}");
            wrote_any = true;
        }
        if has_text {
            self.text_member(&mut wrote_any);
            self.tree_content(tree, r);
        }
        // `children`, for content without `Data`: a member per child element, a name met
        // again numbered.
        let mut scope = self.names.open();
        let mut i = r.content;
        while i < r.end {
            if let Some(XmlToken::Start { name, end }) = tree.get(i) {
                if name == "Data" {
                    return false;
                }
                if wrote_any {
                    self.raw(b",");
                }
                wrote_any = true;
                let suffix = self
                    .names
                    .next_suffix(&mut scope, false, Cow::Borrowed(name));
                self.key(name, suffix);
                let child = Self::tree_range(tree, i, end);
                if !self.tree_value(tree, child) {
                    return false;
                }
                i = end;
            }
            i += 1;
        }
        self.names.close(scope);
        self.raw(b"}");
        true
    }
}
