//! Direct rendering on the fast path: a record in Windows' usual shape written as XML
//! straight from its values, without building its [`Event`](crate::event::Event): the same
//! bytes as the fast path's event's `to_xml()` (tested record by record on every sample and
//! on mutated chunks). Plans, value spans and the typed System setters are `fast`'s;
//! `system_xml` writes `<System>`, `tree_xml` `<UserData>` trees. String values are
//! converted and escaped in one pass (`value::push_utf16_escaped`), unsigned and hex
//! integers and SIDs written from their bytes (`write_integer`, tested equal to decoding
//! then writing).
//!
//! Owns [`RenderScratch`], what direct rendering reuses from record to record, and
//! [`Render`], one rendering's borrows: the reader and the general path's state, the fast
//! path's spans, and the scratch of this writer and of `tree_xml`'s.

use super::cache::Template;
use super::fast::{whole_instance, Instance, Values};
use super::general::General;
use super::plan::{BodyPlan, Content, ItemPlan, Plan};
use super::span::Span;
use super::system_xml::SystemMemo;
use super::tree_xml::{Tree, TreeScratch};
use super::value::{push_utf16_escaped, sid_fits, string_array_items};
use crate::event::xml;
use crate::event::{write_hex_lower, System, SystemFields, Value};

/// One direct rendering: the reader and the general path's state (for definitions met for
/// the first time), with the scratch it writes through.
pub(super) struct Render<'a, 'c> {
    general: General<'a, 'c>,
    /// The value spans of a nested body's instance.
    nested: &'a mut Vec<Span>,
    scratch: &'a mut RenderScratch,
    tree: &'a mut TreeScratch,
}

impl<'a, 'c> Render<'a, 'c> {
    pub(super) fn new(
        general: General<'a, 'c>,
        nested: &'a mut Vec<Span>,
        scratch: &'a mut RenderScratch,
        tree: &'a mut TreeScratch,
    ) -> Self {
        Render {
            general,
            nested,
            scratch,
            tree,
        }
    }

    /// The record at chunk offsets `[start, end)` rendered as XML straight from its values,
    /// appended to `out`: the same bytes as the fast path's event's `to_xml()`. `None` (and
    /// `out` as it was) where the fast path cannot render it directly: the template is not
    /// of its shapes, or the body is a `<UserData>` tree. `spans` is scratch for the
    /// instance's values.
    pub(super) fn record(
        &mut self,
        start: usize,
        end: usize,
        spans: &mut Vec<Span>,
        out: &mut String,
    ) -> Option<()> {
        self.general.expansion.reset_budget();
        let mark = out.len();
        let done = whole_instance(&mut self.general, start, end, 1, spans)
            .and_then(|template| self.xml_of(&template, spans, Instance::Read, out));
        if done.is_none() {
            out.truncate(mark);
        }
        done
    }

    /// The XML of an instance of `template` whose values are `spans`, appended to `out`
    /// (something may be appended when it fails).
    pub(super) fn xml_of(
        &mut self,
        template: &Template,
        spans: &mut [Span],
        mut instance: Instance<'_>,
        out: &mut String,
    ) -> Option<()> {
        let Plan::Event { system, body } = template.plan() else {
            return None;
        };
        let chunk = self.general.tokens.chunk;
        let mut values = Values::new(chunk, spans);
        xml::write_event_open(out);
        if values
            .write_system(
                system,
                out,
                &mut self.scratch.text,
                &mut self.scratch.system_memo,
            )
            .is_none()
        {
            // Not straight from the values: through the typed System.
            if !values.system_into(
                system,
                SystemFields::ALL,
                &mut self.scratch.system,
                &mut self.scratch.attrs,
            ) {
                return None;
            }
            xml::write_system(out, &self.scratch.system);
        }
        match body {
            BodyPlan::None => {}
            BodyPlan::Subst(index) => {
                if let Some((from, to)) = values.nested(*index)? {
                    let read;
                    let (template, nested): (&Template, &mut [Span]) = match &mut instance {
                        Instance::Proved(Some((template, spans))) => (template, spans),
                        _ => {
                            read = whole_instance(&mut self.general, from, to, 2, self.nested)?;
                            (&read, self.nested.as_mut_slice())
                        }
                    };
                    let Plan::Data(plan) = template.plan() else {
                        return None;
                    };
                    let mut values = Values::new(chunk, nested);
                    xml::write_event_data_open(out, plan.name.as_deref());
                    values.write_items(&plan.items, out, &mut self.scratch.text)?;
                    xml::write_event_data_close(out);
                    if !values.rest_decode() {
                        return None;
                    }
                }
            }
            BodyPlan::Inline(plan) => {
                xml::write_event_data_open(out, plan.name.as_deref());
                values.write_items(&plan.items, out, &mut self.scratch.text)?;
                xml::write_event_data_close(out);
            }
            BodyPlan::UserData { dep, index, .. } => {
                if !values.dropped(*dep) {
                    // A Null body is the general path's (it keeps no `<UserData>`).
                    let (from, to) = values.nested(*index)??;
                    out.push_str("<UserData>");
                    Tree::new(self.general.reborrow(), self.tree).xml(from, to, 2, out)?;
                    out.push_str("</UserData>");
                }
            }
        }
        let values = Values::new(chunk, spans);
        if !values.rest_decode() {
            return None;
        }
        xml::write_event_close(out);
        Some(())
    }
}

/// What direct rendering reuses from record to record.
#[derive(Debug, Default)]
pub(super) struct RenderScratch {
    system: System,
    attrs: Vec<(usize, Value)>,
    text: String,
    system_memo: SystemMemo,
}

impl Values<'_> {
    /// Renders the EventData items of `items` as `data_items` maps them and the renderer
    /// writes them; string values go through `text` rather than a new allocation each.
    fn write_items(
        &mut self,
        items: &[ItemPlan],
        out: &mut String,
        text: &mut String,
    ) -> Option<()> {
        // `write_data` and `write_data_text`, with the open tag rendered once per plan.
        let text_item = |out: &mut String, open: &str, text: &str| {
            out.push_str(open);
            xml::push_escaped(out, text);
            out.push_str("</Data>");
        };
        let value_item = |out: &mut String, open: &str, value: &Value| {
            out.push_str(open);
            xml::write_value(out, value);
            out.push_str("</Data>");
        };
        for item in items {
            match item {
                ItemPlan::Data {
                    open, dep, content, ..
                } => {
                    if self.dropped(*dep) {
                        continue;
                    }
                    match content {
                        Content::Empty => text_item(out, open, ""),
                        Content::Text(t) => text_item(out, open, t),
                        Content::Subst(i) => {
                            let Some(span) = self.spans.get_mut(usize::from(*i)) else {
                                text_item(out, open, "");
                                continue;
                            };
                            if span.ty == 0x01 {
                                span.used = true;
                                let bytes = span.bytes(self.chunk)?;
                                out.push_str(open);
                                push_utf16_escaped(bytes, out, text);
                                out.push_str("</Data>");
                                continue;
                            }
                            if span.ty == 0x81 {
                                // A string array, as the decoded array below writes it
                                // (one item a `<Data>`), without a `String` an item.
                                span.used = true;
                                let bytes = span.bytes(self.chunk)?;
                                write_string_array(open, bytes, out, text);
                                continue;
                            }
                            if let Some(bytes) = span.bytes(self.chunk) {
                                let mark = out.len();
                                out.push_str(open);
                                if write_integer(span.ty, bytes, out) {
                                    span.used = true;
                                    out.push_str("</Data>");
                                    continue;
                                }
                                out.truncate(mark);
                            }
                            match self.decode(*i)? {
                                None | Some(Value::Null) => text_item(out, open, ""),
                                Some(Value::Array(array)) => {
                                    // As `data_items` maps it: once per item, or once empty.
                                    if array.items().is_empty() {
                                        text_item(out, open, "");
                                    }
                                    for item in array.items() {
                                        match item {
                                            Value::Null => text_item(out, open, ""),
                                            v => value_item(out, open, v),
                                        }
                                    }
                                }
                                Some(v) => value_item(out, open, &v),
                            }
                        }
                    }
                }
                ItemPlan::Binary { dep, index } => {
                    if self.dropped(*dep) {
                        continue;
                    }
                    let span = self.spans.get_mut(usize::from(*index))?;
                    if span.ty != 0x0E {
                        return None;
                    }
                    span.used = true;
                    let bytes = span.bytes(self.chunk)?;
                    xml::write_binary(out, bytes);
                }
            }
        }
        Some(())
    }
}

/// An unsigned or hex integer or a SID of type `ty` written straight from its `bytes`, as
/// decoding it (`decode_sized`) and writing the value (`xml::write_value`) write it; false,
/// with nothing written, for any other type or too few bytes. These are most of the
/// EventData values that are not strings.
#[inline]
fn write_integer(ty: u8, bytes: &[u8], out: &mut String) -> bool {
    fn le<const N: usize>(bytes: &[u8]) -> Option<[u8; N]> {
        bytes.get(..N)?.try_into().ok()
    }
    let mut digits = itoa::Buffer::new();
    match ty {
        0x04 => match le::<1>(bytes) {
            Some(b) => out.push_str(digits.format(b[0])),
            None => return false,
        },
        0x06 => match le(bytes) {
            Some(b) => out.push_str(digits.format(u16::from_le_bytes(b))),
            None => return false,
        },
        0x08 => match le(bytes) {
            Some(b) => out.push_str(digits.format(u32::from_le_bytes(b))),
            None => return false,
        },
        0x0A => match le(bytes) {
            Some(b) => out.push_str(digits.format(u64::from_le_bytes(b))),
            None => return false,
        },
        0x14 => match le(bytes) {
            Some(b) => write_hex_lower(out, u32::from_le_bytes(b).into()),
            None => return false,
        },
        0x15 => match le(bytes) {
            Some(b) => write_hex_lower(out, u64::from_le_bytes(b)),
            None => return false,
        },
        // A SID whose sub-authorities fit in its size (else decoding reads past it) and
        // whose authority is written in decimal (below 2^32; else in hex, left to `Sid`).
        0x13 if sid_fits(bytes) && bytes[2..4] == [0, 0] => {
            let count = usize::from(bytes[1]);
            out.push_str("S-");
            out.push_str(digits.format(bytes[0]));
            out.push('-');
            let authority = u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]);
            out.push_str(digits.format(authority));
            for sub in bytes[8..8 + 4 * count].chunks_exact(4) {
                out.push('-');
                out.push_str(digits.format(u32::from_le_bytes([sub[0], sub[1], sub[2], sub[3]])));
            }
        }
        _ => return false,
    }
    true
}

/// A string array's `<Data>` items (`open` their tag), as `write_items` writes the decoded
/// array: one an item, or one empty for none; `text` is scratch. Out of line: inlined, it
/// grew `write_items` enough that `write_system` left `xml_of` (+0.8 % on files of no
/// string array).
#[inline(never)]
fn write_string_array(open: &str, bytes: &[u8], out: &mut String, text: &mut String) {
    let mut any = false;
    for item in string_array_items(bytes, text) {
        any = true;
        out.push_str(open);
        xml::push_escaped(out, item);
        out.push_str("</Data>");
    }
    if !any {
        out.push_str(open);
        out.push_str("</Data>");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evtx::binxml::value::decode_sized;

    /// SIDs of every sub-authority count around the limit, both authority forms, sizes
    /// short, exact and long: the text decoding then writing gives, or nothing.
    #[test]
    fn write_integer_writes_sids_as_decoding_then_writing() {
        for count in [0u8, 1, 2, 5, 15, 16] {
            for authority in [
                [0u8, 0, 0, 0, 0, 5],
                [0, 0, 0xFF, 0xFF, 0xFF, 0xFF],
                [0, 1, 0, 0, 0, 0],
            ] {
                let mut sid = vec![1, count];
                sid.extend_from_slice(&authority);
                for k in 0..u32::from(count) {
                    sid.extend_from_slice(
                        &(k.wrapping_mul(0x9E37_79B9) ^ 0xFFFF_FFF0).to_le_bytes(),
                    );
                }
                for len in [sid.len().saturating_sub(1), sid.len()] {
                    let mut long = sid[..len].to_vec();
                    long.extend_from_slice(&[7, 7, 7, 7]);
                    for bytes in [&sid[..len], &long[..]] {
                        let mut fast = String::from("<x>");
                        if !write_integer(0x13, bytes, &mut fast) {
                            assert_eq!(fast, "<x>");
                            continue;
                        }
                        let value = decode_sized(0x13, bytes, bytes).expect("decodes");
                        let mut plain = String::from("<x>");
                        xml::write_value(&mut plain, &value);
                        assert_eq!(fast, plain, "{bytes:?}");
                    }
                }
            }
        }
    }

    /// Every type `write_integer` takes, at every length around its size, with bytes that
    /// reach its extremes: the text `decode_sized` then `write_value` give, or nothing.
    #[test]
    fn write_integer_is_decoding_then_writing() {
        let patterns: [&[u8]; 4] = [
            &[0; 9],
            &[0xFF; 9],
            &[1, 2, 3, 4, 5, 6, 7, 8, 9],
            &[0x80; 9],
        ];
        for ty in 0..=0x20u8 {
            for pattern in patterns {
                for len in 0..=9 {
                    let bytes = &pattern[..len];
                    let mut fast = String::from("<x>");
                    let took = write_integer(ty, bytes, &mut fast);
                    if !took {
                        assert_eq!(fast, "<x>", "type {ty:#x}, {bytes:?}");
                        continue;
                    }
                    let value = decode_sized(ty, bytes, bytes).expect("decodes");
                    let mut plain = String::from("<x>");
                    xml::write_value(&mut plain, &value);
                    assert_eq!(fast, plain, "type {ty:#x}, {bytes:?}");
                }
            }
        }
    }

    /// String arrays of no item, empty items, NULs trailing and leading, escaped and
    /// astral text, an odd byte: written as the decoded array's items were written.
    #[test]
    fn string_arrays_are_written_as_their_decoded_items() {
        let cases: [&[u16]; 9] = [
            &[],
            &[0],
            &[0, 0],
            &[0x61],
            &[0x61, 0],
            &[0x61, 0, 0],
            &[0, 0x61, 0],
            &[0x26, 0x3C, 0, 0xE9, 0],
            &[0xD83D, 0xDE00, 0, 0xD800, 0],
        ];
        let open = "<Data Name=\"x\">";
        for units in cases {
            for odd in [false, true] {
                let mut bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
                if odd {
                    bytes.push(0x41);
                }
                let mut fast = String::from("<x>");
                write_string_array(open, &bytes, &mut fast, &mut String::from("left"));
                let Ok(Value::Array(array)) = decode_sized(0x81, &bytes, &bytes) else {
                    panic!("a string array always decodes");
                };
                let mut plain = String::from("<x>");
                if array.items().is_empty() {
                    plain.push_str(open);
                    plain.push_str("</Data>");
                }
                for item in array.items() {
                    plain.push_str(open);
                    xml::write_value(&mut plain, item);
                    plain.push_str("</Data>");
                }
                assert_eq!(fast, plain, "{units:?} {odd}");
            }
        }
    }
}
