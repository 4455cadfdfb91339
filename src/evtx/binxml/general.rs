//! The general path: a record's BinXml parsed token by token into [`TNode`]s and expanded
//! (`expand`) into the generic element tree of the event model. It takes every document
//! the format allows, and reports every error; the fast paths fall back to it.
//!
//! Owns [`General`], the reader (`tokens`) with the general path's state (`expand`'s
//! [`Expansion`]), and the parsing of fragments, elements, inline values, nested BinXml and
//! template instances; also the parser `tokens` is given for definitions it has not met.
//!
//! With [`General::document_system`], the first `<System>` child of the record's own
//! template root `<Event>` (when no substitution before it could expand into another
//! `<System>`) is offered to `direct`; if it maps, a childless placeholder element takes its
//! place in the tree and the mapped value is returned beside it.
//!
//! Invariants: `tokens`' (bounded depth and nodes, errors with file offsets).

use std::sync::Arc;

use super::cache::Template;
use super::expand::Expansion;
use super::parsed::{take_above, ElementBuilder, Sub, TElement, TNode, Text};
use super::tokens::{
    char_reference, corrupt, entity_text, peek, pi_data, value_descriptors, Decoder, MAX_DEPTH,
};
use super::value::{decode_sized, inline_extent, utf16, BINXML_TYPE};
use crate::error::Result;
use crate::event::{Node, System};
use crate::evtx::bytes::Reader;

/// The token reader and the general path's state, borrowed for one decoding.
#[derive(Debug)]
pub(super) struct General<'a, 'c> {
    pub(super) tokens: &'a mut Decoder<'c>,
    pub(super) expansion: &'a mut Expansion,
}

impl<'a, 'c> General<'a, 'c> {
    pub(super) fn new(tokens: &'a mut Decoder<'c>, expansion: &'a mut Expansion) -> Self {
        General { tokens, expansion }
    }

    /// The same borrow, for a shorter while.
    pub(super) fn reborrow(&mut self) -> General<'_, 'c> {
        General {
            tokens: &mut *self.tokens,
            expansion: &mut *self.expansion,
        }
    }

    /// Decodes the document at chunk offsets `[start, end)` into its top-level nodes.
    pub(super) fn document(&mut self, start: usize, end: usize) -> Result<Vec<Node>> {
        self.expansion.direct_system = false;
        self.document_inner(start, end)
    }

    /// [`General::document`], with the root `<Event>`'s `<System>` mapped directly where it
    /// can be: then it is returned too, and a childless placeholder stands in the tree.
    pub(super) fn document_system(
        &mut self,
        start: usize,
        end: usize,
    ) -> Result<(Vec<Node>, Option<System>)> {
        self.expansion.direct_system = true;
        let nodes = self.document_inner(start, end);
        self.expansion.direct_system = false;
        Ok((nodes?, self.expansion.system.take()))
    }

    fn document_inner(&mut self, start: usize, end: usize) -> Result<Vec<Node>> {
        self.expansion.reset_budget();
        self.expansion.saw_system = false;
        self.expansion.system = None;
        let mut r = self.tokens.reader(start, end, "record BinXml")?;
        let nodes = self.fragment(&mut r, false, 0)?;
        let mut out = Vec::new();
        self.expansion.expand_owned(nodes, &mut out, 0)?;
        Ok(out)
    }

    /// Tokens up to EOF (or the end of the data).
    fn fragment(&mut self, r: &mut Reader<'c>, dep: bool, depth: usize) -> Result<Vec<TNode>> {
        let base = self.expansion.pending.len();
        let parsed = self.fragment_pending(r, dep, depth);
        // On error too: what the failed parse left pending is dropped here.
        let nodes = take_above(&mut self.expansion.pending, base);
        parsed.map(|()| nodes)
    }

    /// [`General::fragment`]'s tokens, each node pushed on `pending`.
    fn fragment_pending(&mut self, r: &mut Reader<'c>, dep: bool, depth: usize) -> Result<()> {
        while r.remaining() > 0 {
            let at = r.file_offset();
            let tok = r.u8("token")?;
            match tok {
                0x00 => break,
                _ if self.content(tok, r, dep, depth)? => {}
                _ => return Err(corrupt(at, format!("unexpected BinXml token {tok:#04x}"))),
            }
        }
        Ok(())
    }

    /// Handles one content token, its node pushed on `pending`; `Ok(false)` if `tok` is not
    /// a content token.
    fn content(&mut self, tok: u8, r: &mut Reader<'c>, dep: bool, depth: usize) -> Result<bool> {
        let at = r.file_offset().saturating_sub(1);
        let node = match tok {
            0x01 | 0x41 => TNode::Element(self.element(tok, r, dep, depth + 1)?),
            0x05 | 0x45 => self.value_token(r, dep, depth)?,
            0x07 | 0x47 => {
                let n = usize::from(r.u16("CDATA length")?);
                let bytes = r.bytes(n.saturating_mul(2), "CDATA text")?;
                TNode::CData(utf16(bytes))
            }
            0x08 | 0x48 => {
                let c = char_reference(r.u16("character reference")?);
                TNode::Text(Text::Owned(c.to_string()))
            }
            0x09 | 0x49 => {
                let name = self.tokens.name(r)?;
                TNode::Text(Text::Owned(entity_text(&name).into_owned()))
            }
            0x0A => {
                let target = self.tokens.name(r)?;
                let data = pi_data(r)?;
                TNode::Pi {
                    target: target.to_string(),
                    data,
                }
            }
            0x0C if dep => {
                return Err(corrupt(
                    at,
                    "template instance inside a template definition",
                ));
            }
            0x0C => TNode::Nodes(self.template_instance(r, depth + 1)?),
            0x0D | 0x0E => {
                let index = r.u16("substitution index")?;
                r.skip(1, "substitution type")?;
                TNode::Subst {
                    index,
                    optional: tok == 0x0E,
                }
            }
            0x0F => {
                r.skip(3, "fragment header")?;
                return Ok(true);
            }
            _ => return Ok(false),
        };
        self.expansion.pending.push(node);
        Ok(true)
    }

    fn element(
        &mut self,
        tok: u8,
        r: &mut Reader<'c>,
        dep: bool,
        depth: usize,
    ) -> Result<TElement> {
        let at = r.file_offset().saturating_sub(1);
        if depth > MAX_DEPTH {
            return Err(corrupt(
                at,
                format!("BinXml nested deeper than {MAX_DEPTH}"),
            ));
        }
        let dep_id = if dep {
            Some(r.u16("dependency id")?).filter(|&d| d != 0xFFFF)
        } else {
            None
        };
        r.skip(4, "element data size")?;
        let name = self.tokens.name(r)?;
        // Attributes and children in one list (`TElement`), pushed on `pending` and moved
        // out exactly sized: one allocation per element, none for its growth.
        let mut b = ElementBuilder::new(&self.expansion.pending);
        if tok & 0x40 != 0 {
            r.skip(4, "attribute list size")?;
            while peek(r).is_some_and(|t| t & 0x0F == 0x06) {
                r.skip(1, "attribute token")?;
                let attr = self.tokens.name(r)?;
                b.attribute(&mut self.expansion.pending, attr);
                while let Some(v) = peek(r)
                    .filter(|v| matches!(v, 0x05 | 0x45 | 0x08 | 0x48 | 0x09 | 0x49 | 0x0D | 0x0E))
                {
                    r.skip(1, "attribute value token")?;
                    self.content(v, r, dep, depth)?;
                }
            }
        }
        b.end_attributes(&self.expansion.pending);
        let close_at = r.file_offset();
        let close = r.u8("close of start element")?;
        match close {
            0x03 => {}
            0x02 => loop {
                let t_at = r.file_offset();
                let t = r.u8("element content token")?;
                match t {
                    0x04 => break,
                    _ if self.content(t, r, dep, depth)? => {}
                    _ => {
                        return Err(corrupt(
                            t_at,
                            format!("unexpected token {t:#04x} in <{name}>"),
                        ))
                    }
                }
            },
            t => {
                return Err(corrupt(
                    close_at,
                    format!("token {t:#04x} where <{name}> should close its start tag"),
                ))
            }
        }
        Ok(b.finish(&mut self.expansion.pending, name, dep_id, close == 0x03))
    }

    /// An inline Value token after its token byte; a text in a definition (`dep`) is shared.
    fn value_token(&mut self, r: &mut Reader<'c>, dep: bool, depth: usize) -> Result<TNode> {
        let at = r.file_offset();
        let ty = r.u8("value type")?;
        let rest = self.tokens.chunk.get(r.pos()..).unwrap_or_default();
        let (prefix, len) = inline_extent(ty, rest).map_err(|m| corrupt(at, m))?;
        r.skip(prefix, "value length")?;
        let start = r.pos();
        let bytes = r.bytes(len, "value")?;
        match ty {
            0x01 if dep => Ok(TNode::Text(Text::Shared(self.tokens.shared_text(bytes)))),
            0x01 => Ok(TNode::Text(Text::Owned(utf16(bytes)))),
            BINXML_TYPE => Ok(TNode::Nodes(self.nested(start, len, depth + 1)?)),
            _ => decode_sized(ty, bytes, bytes)
                .map(TNode::Value)
                .map_err(|m| corrupt(at, m)),
        }
    }

    /// A nested BinXml fragment at chunk offsets `[start, start + len)`, expanded.
    pub(super) fn nested(&mut self, start: usize, len: usize, depth: usize) -> Result<Vec<Node>> {
        if depth > MAX_DEPTH {
            return Err(corrupt(
                self.tokens.base.saturating_add(start as u64),
                format!("BinXml nested deeper than {MAX_DEPTH}"),
            ));
        }
        let mut r = self
            .tokens
            .reader(start, start.saturating_add(len), "nested BinXml")?;
        let nodes = self.fragment(&mut r, false, depth)?;
        let mut out = Vec::new();
        self.expansion.expand_owned(nodes, &mut out, depth)?;
        Ok(out)
    }

    /// A TemplateInstance after its token byte: definition (inline or by offset), values,
    /// expansion.
    fn template_instance(&mut self, r: &mut Reader<'c>, depth: usize) -> Result<Vec<Node>> {
        let body = self.instance_definition(r, depth)?;
        let descriptors = value_descriptors(r)?;
        let mut values = Vec::with_capacity(descriptors.len());
        for (size, ty) in descriptors {
            let v_at = r.file_offset();
            let start = r.pos();
            let bytes = r.bytes(size, "substitution value")?;
            let value = if ty == BINXML_TYPE {
                Sub::Xml(self.nested(start, size, depth + 1)?)
            } else {
                let spill = self.tokens.chunk.get(start..).unwrap_or_default();
                Sub::Plain(decode_sized(ty, bytes, spill).map_err(|m| corrupt(v_at, m))?)
            };
            values.push(value);
        }
        let mut out = Vec::new();
        let take = body.distinct();
        self.expansion
            .expand(&body.body, &mut values, take, &mut out, true, depth)?;
        Ok(out)
    }

    /// A TemplateInstance's header after its token byte, up to its value count: its
    /// definition, from the chunk's cache or parsed now; `r` is left at the value count.
    pub(super) fn instance_definition(
        &mut self,
        r: &mut Reader<'c>,
        depth: usize,
    ) -> Result<Arc<Template>> {
        let expansion = &mut *self.expansion;
        self.tokens.instance_definition(r, depth, |tokens, r| {
            General::new(tokens, expansion).fragment(r, true, 0)
        })
    }
}

#[cfg(test)]
#[path = "general_tests.rs"]
mod tests;
