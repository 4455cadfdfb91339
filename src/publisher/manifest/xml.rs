//! The manifest's XML read into a small positioned tree, iteratively and bounded.
//!
//! Invariants:
//! - Reading is a loop over quick-xml's events with an explicit stack: no recursion, and
//!   the tree is never deeper than [`MAX_DEPTH`] (a deeper document is rejected while it is
//!   read), so walking and dropping it recurse at most that deep.
//! - The input is at most [`MAX_MANIFEST_BYTES`]; the tree holds at most
//!   [`MAX_ELEMENTS`] elements.
//! - Every node keeps its byte offset (for line/column errors) and the byte span of its
//!   content (a template's `UserData` fragment is kept as written).
//! - XML syntax errors are MalformedXml (15008) at their position; limits are
//!   ConfigurationError (15010).

use quick_xml::events::{BytesStart, Event as XmlEvent};
use quick_xml::Reader;

use crate::error::{Error, ErrorKind, Result};
use crate::event::xml::{line_column, malformed, next_event};

/// The deepest element nesting a manifest may have (the schema needs 8; UserData
/// fragments add their own).
pub const MAX_DEPTH: usize = 64;
/// The largest manifest accepted, in bytes.
pub const MAX_MANIFEST_BYTES: usize = 16 * 1024 * 1024;
/// The most elements a manifest may hold.
pub const MAX_ELEMENTS: usize = 1_000_000;

/// One element: its name split into prefix and local name, its attributes, its text (the
/// concatenated, unescaped character data directly inside it) and its children.
#[derive(Debug)]
pub(super) struct Node {
    pub prefix: String,
    pub local: String,
    /// Byte offset of the `<`.
    pub offset: usize,
    /// Byte span of the content (between the start and end tags; empty when self-closed).
    pub content: std::ops::Range<usize>,
    pub attributes: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<Node>,
}

impl Node {
    /// The attribute `name` (exact, unprefixed).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The children with local name `local`.
    pub fn children_named<'a>(&'a self, local: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.local == local)
    }
}

/// A ConfigurationError (15010) at byte `offset` of `text`.
pub(super) fn config_error(text: &str, offset: usize, message: impl Into<String>) -> Error {
    let (line, column) = line_column(text, offset);
    Error::at_text(ErrorKind::ConfigurationError, line, column, message)
}

/// Reads `text` into its root element.
pub(super) fn read(text: &str) -> Result<Node> {
    if text.len() > MAX_MANIFEST_BYTES {
        return Err(config_error(
            text,
            MAX_MANIFEST_BYTES,
            format!(
                "the manifest is {} bytes; at most {MAX_MANIFEST_BYTES} are accepted",
                text.len()
            ),
        ));
    }
    let mut reader = Reader::from_str(text);
    let config = reader.config_mut();
    config.trim_text(false);
    config.check_end_names = true;
    config.expand_empty_elements = false;

    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    let mut elements = 0usize;
    loop {
        let (start, event) = next_event(&mut reader, text)?;
        let here = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        match event {
            XmlEvent::Start(_) | XmlEvent::Empty(_) if root.is_some() => {
                return Err(malformed(text, start, "more than one root element"));
            }
            XmlEvent::Start(ref e) | XmlEvent::Empty(ref e) => {
                elements += 1;
                if elements > MAX_ELEMENTS {
                    return Err(config_error(
                        text,
                        start,
                        format!("more than {MAX_ELEMENTS} elements"),
                    ));
                }
                if stack.len() >= MAX_DEPTH {
                    return Err(config_error(
                        text,
                        start,
                        format!("elements nested deeper than {MAX_DEPTH} levels"),
                    ));
                }
                let self_closed = matches!(event, XmlEvent::Empty(_));
                let node = open(text, start, here, e)?;
                if self_closed {
                    attach(&mut stack, &mut root, node);
                } else {
                    stack.push(node);
                }
            }
            XmlEvent::End(_) => {
                if let Some(mut node) = stack.pop() {
                    node.content.end = start;
                    attach(&mut stack, &mut root, node);
                }
            }
            XmlEvent::Text(t) => {
                let value = t.unescape().map_err(|e| {
                    malformed(
                        text,
                        start,
                        format!("bad character or entity reference: {e}"),
                    )
                })?;
                match stack.last_mut() {
                    Some(parent) => parent.text.push_str(&value),
                    None if value.trim().is_empty() => {}
                    None => return Err(malformed(text, start, "text outside the root element")),
                }
            }
            XmlEvent::CData(c) => match stack.last_mut() {
                Some(parent) => parent.text.push_str(&String::from_utf8_lossy(&c)),
                None => return Err(malformed(text, start, "CDATA outside the root element")),
            },
            XmlEvent::PI(_) | XmlEvent::Comment(_) | XmlEvent::Decl(_) | XmlEvent::DocType(_) => {}
            XmlEvent::Eof => break,
        }
    }
    if let Some(open) = stack.last() {
        return Err(malformed(
            text,
            text.len(),
            format!("unexpected end of input: <{}> is not closed", open.local),
        ));
    }
    root.ok_or_else(|| malformed(text, text.len(), "no root element"))
}

fn attach(stack: &mut [Node], root: &mut Option<Node>, node: Node) {
    match stack.last_mut() {
        Some(parent) => parent.children.push(node),
        None => *root = Some(node),
    }
}

fn open(text: &str, offset: usize, content_start: usize, e: &BytesStart<'_>) -> Result<Node> {
    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    let (prefix, local) = match name.split_once(':') {
        Some((p, l)) => (p.to_owned(), l.to_owned()),
        None => (String::new(), name.clone()),
    };
    let mut attributes = Vec::new();
    for attr in e.attributes() {
        let attr = attr
            .map_err(|err| malformed(text, offset, format!("bad attribute in <{name}>: {err}")))?;
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        let value = attr.unescape_value().map_err(|err| {
            malformed(
                text,
                offset,
                format!("bad value of {key} in <{name}>: {err}"),
            )
        })?;
        if attributes.iter().any(|(k, _)| *k == key) {
            return Err(malformed(
                text,
                offset,
                format!("attribute {key} given twice in <{name}>"),
            ));
        }
        attributes.push((key, value.into_owned()));
    }
    Ok(Node {
        prefix,
        local,
        offset,
        content: content_start..content_start,
        attributes,
        text: String::new(),
        children: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_tree_with_positions_and_content_spans() {
        let text = "<a x='1'>\n  <b:c>t&amp;u</b:c><d/>\n</a>";
        let root = read(text).unwrap();
        assert_eq!((root.local.as_str(), root.attr("x")), ("a", Some("1")));
        let c = &root.children[0];
        assert_eq!((c.prefix.as_str(), c.local.as_str()), ("b", "c"));
        assert_eq!(c.text, "t&u");
        assert_eq!(&text[c.content.clone()], "t&amp;u");
        assert_eq!(line_column(text, c.offset), (2, 3));
        assert!(root.children[1].content.is_empty());
    }

    #[test]
    fn depth_beyond_the_limit_is_a_configuration_error_not_a_stack_overflow() {
        let deep = "<a>".repeat(100_000);
        let e = read(&deep).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ConfigurationError);
        assert_eq!(e.position(), Some((1, 3 * MAX_DEPTH as u32 + 1)));
        let ok = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(read(&ok).is_ok());
    }

    #[test]
    fn syntax_errors_are_malformed_xml_with_a_position() {
        let e = read("<a>\n<b></c></a>").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MalformedXml);
        assert_eq!(e.position().map(|p| p.0), Some(2));
        assert_eq!(read("").unwrap_err().kind(), ErrorKind::MalformedXml);
        assert_eq!(
            read("<a x='1' x='2'/>").unwrap_err().kind(),
            ErrorKind::MalformedXml
        );
    }
}
