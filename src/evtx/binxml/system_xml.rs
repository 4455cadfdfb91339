//! A template's `<System>` written as XML straight from its values, where its plan is in
//! render order (`SystemPlan::in_render_order`): the bytes `write_system` writes of the
//! System that `Values::system_into` maps, without building it.
//!
//! Invariant: where [`Values::write_system`] returns `Some`, its bytes equal
//! `write_system(system_into(..))` (tested on every sample and on mutated chunks); where a
//! value is not of the type the typed setter takes, it returns `None` with `out` as it was,
//! and the caller maps the System the typed way.
//!
//! Owns [`SystemMemo`]: the last Provider Name converted from a String value, reused while
//! the next record's value has the same bytes, and the last TimeCreated's date.

use super::fast::Values;
use super::plan::{ByteField, Source, SystemPlan, TextField, Typed};
use crate::event::xml::{attr_guid, attr_num, attr_str, push_escaped, text_num, write_event_id};
use crate::event::{write_hex_lower, FileTime, FileTimeWriter, Value};

/// What a `<System>` keeps from the record before: the last Provider Name written from a
/// String value, its bytes and their escaped text (a file's records mostly share a few
/// providers, so each run of one is converted once), and the last TimeCreated's date.
#[derive(Debug, Default)]
pub(super) struct SystemMemo {
    bytes: Vec<u8>,
    xml: String,
    time: FileTimeWriter,
}

impl Values<'_> {
    /// Appends `<System>…</System>` of `plan`; `text` is scratch. `None` (and `out` as it
    /// was) where the plan or a value is not of the shapes written here.
    // Always inlined into `xml_of`: left out of line by the inliner once the string-array
    // writer was added there, the XML of Security records cost +0.75 %.
    #[inline(always)]
    pub(super) fn write_system(
        &mut self,
        plan: &SystemPlan,
        out: &mut String,
        text: &mut String,
        name: &mut SystemMemo,
    ) -> Option<()> {
        if !plan.in_render_order || self.dropped(plan.dep) {
            return None;
        }
        let mark = out.len();
        let done = self.write_system_children(plan, out, text, name);
        if done.is_none() {
            out.truncate(mark);
        }
        done
    }

    fn write_system_children(
        &mut self,
        plan: &SystemPlan,
        out: &mut String,
        text: &mut String,
        memo: &mut SystemMemo,
    ) -> Option<()> {
        let mut num = itoa::Buffer::new();
        out.push_str("<System>");
        let mut provider = false;
        let mut event_id = false;
        for child in &plan.children {
            if self.dropped(child.dep) {
                continue;
            }
            if !provider {
                provider = true;
                if let (Typed::ConstProvider, Some(c)) = (child.typed, &child.provider) {
                    out.push_str(&c.xml);
                    continue;
                }
                if let Typed::Provider { name, guid, source } = child.typed {
                    out.push_str("<Provider");
                    self.text_attribute_xml(name, " Name='", out, text, Some(memo))?;
                    if let Some(g) = self.guid(guid)? {
                        attr_guid(out, " Guid='", &g);
                    }
                    self.text_attribute_xml(source, " EventSourceName='", out, text, None)?;
                    out.push_str("/>");
                    continue;
                }
                out.push_str("<Provider/>");
            }
            match child.typed {
                Typed::EventId { value, qualifiers } => {
                    let q = match qualifiers {
                        Some(q) if !self.is_null(q) => Some(u16::from_le_bytes(self.raw(q, 0x06)?)),
                        _ => None,
                    };
                    let v = u16::from_le_bytes(self.raw(value, 0x06)?);
                    write_event_id(out, v, q);
                    event_id = true;
                }
                Typed::Byte(field, i) => {
                    let [b] = self.raw::<1>(i, 0x04)?;
                    let (open, close) = match field {
                        ByteField::Version => ("<Version>", "</Version>"),
                        ByteField::Level => ("<Level>", "</Level>"),
                        ByteField::Opcode => ("<Opcode>", "</Opcode>"),
                    };
                    text_num(out, open, num.format(b), close);
                }
                Typed::Task(i) => {
                    let v = u16::from_le_bytes(self.raw(i, 0x06)?);
                    text_num(out, "<Task>", num.format(v), "</Task>");
                }
                Typed::Keywords(i) => {
                    let k = u64::from_le_bytes(self.raw(i, 0x15)?);
                    out.push_str("<Keywords>");
                    write_hex_lower(out, k);
                    out.push_str("</Keywords>");
                }
                Typed::TimeCreated(i) => {
                    let t = FileTime(u64::from_le_bytes(self.raw(i, 0x11)?));
                    out.push_str("<TimeCreated SystemTime='");
                    memo.time.write_to(t, out);
                    out.push_str("'/>");
                }
                Typed::RecordId(i) => {
                    let id = u64::from_le_bytes(self.raw(i, 0x0A)?);
                    text_num(out, "<EventRecordID>", num.format(id), "</EventRecordID>");
                }
                Typed::Correlation { activity, related } => {
                    let (activity, related) = (self.guid(activity)?, self.guid(related)?);
                    out.push_str("<Correlation");
                    if let Some(g) = activity {
                        attr_guid(out, " ActivityID='", &g);
                    }
                    if let Some(g) = related {
                        attr_guid(out, " RelatedActivityID='", &g);
                    }
                    out.push_str("/>");
                }
                Typed::Execution { process, thread } => {
                    let p = u32::from_le_bytes(self.raw(process, 0x08)?);
                    let t = u32::from_le_bytes(self.raw(thread, 0x08)?);
                    attr_num(out, "<Execution ProcessID='", num.format(p));
                    attr_num(out, " ThreadID='", num.format(t));
                    out.push_str("/>");
                }
                Typed::Text(field) => {
                    let (open, close) = match field {
                        TextField::Channel => ("<Channel>", "</Channel>"),
                        TextField::Computer => ("<Computer>", "</Computer>"),
                    };
                    out.push_str(open);
                    self.text_content_xml(&child.content, out, text)?;
                    out.push_str(close);
                }
                Typed::Security(index) => {
                    out.push_str("<Security");
                    match index.map(|i| self.decode(i)) {
                        None | Some(Some(None | Some(Value::Null))) => {}
                        Some(Some(Some(Value::Sid(sid)))) => {
                            out.push_str(" UserID='");
                            sid.write_to(out);
                            out.push('\'');
                        }
                        _ => return None,
                    }
                    out.push_str("/>");
                }
                // Ranked first, so handled above; any other is not in render order.
                Typed::Provider { .. } | Typed::ConstProvider | Typed::None => return None,
            }
        }
        if !event_id {
            return None;
        }
        out.push_str("</System>");
        Some(())
    }

    /// A String attribute as `text_attribute` reads it: nothing if it is omitted (absent,
    /// Null, or empty and optional); `None` if it is not a String.
    fn text_attribute_xml(
        &mut self,
        attr: Option<(u16, bool)>,
        prefix: &str,
        out: &mut String,
        text: &mut String,
        memo: Option<&mut SystemMemo>,
    ) -> Option<()> {
        let Some((index, optional)) = attr else {
            return Some(());
        };
        // A String, the usual case: converted and escaped in one pass (its text is empty
        // exactly when no unit is left once trailing NULs are trimmed).
        if let Some(span) = self
            .spans
            .get_mut(usize::from(index))
            .filter(|s| s.ty == 0x01)
        {
            span.used = true;
            let bytes = span.bytes(self.chunk)?;
            if !(optional && super::value::without_trailing_nuls(bytes).is_empty()) {
                out.push_str(prefix);
                match memo {
                    Some(memo) if memo.bytes == bytes => out.push_str(&memo.xml),
                    Some(memo) => {
                        let mark = out.len();
                        super::value::push_utf16_escaped(bytes, out, text);
                        memo.bytes.clear();
                        memo.bytes.extend_from_slice(bytes);
                        memo.xml.clear();
                        memo.xml.push_str(&out[mark..]);
                    }
                    None => super::value::push_utf16_escaped(bytes, out, text),
                }
                out.push('\'');
            }
            return Some(());
        }
        if self.string_into(index, text)? && !(optional && text.is_empty()) {
            attr_str(out, prefix, text);
        }
        Some(())
    }

    /// Value `index` read as a String substitution, into `text`: false if it is absent or
    /// Null, `None` if it is of another type.
    fn string_into(&mut self, index: u16, text: &mut String) -> Option<bool> {
        let Some(span) = self.spans.get_mut(usize::from(index)) else {
            return Some(false);
        };
        match span.ty {
            0x00 => Some(false),
            0x01 => {
                span.used = true;
                let bytes = span.bytes(self.chunk)?;
                super::value::utf16_trimmed_into(bytes, text);
                Some(true)
            }
            _ => None,
        }
    }

    /// `<Channel>` or `<Computer>` content as the typed setter reads it: literal text,
    /// nothing, or a String or Null substitution.
    fn text_content_xml(
        &mut self,
        content: &Source,
        out: &mut String,
        text: &mut String,
    ) -> Option<()> {
        match content {
            Source::Empty => {}
            Source::Text(t) => push_escaped(out, t),
            Source::Subst { index, .. } => match self.spans.get_mut(usize::from(*index)) {
                // As `string_into` reads it, converted and escaped in one pass.
                Some(span) if span.ty == 0x01 => {
                    span.used = true;
                    let bytes = span.bytes(self.chunk)?;
                    super::value::push_utf16_escaped(bytes, out, text);
                }
                Some(span) if span.ty != 0x00 => return None,
                _ => {}
            },
            Source::Value(_) => return None,
        }
        Some(())
    }
}
