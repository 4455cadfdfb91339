//! A `<System>` borrowed for one visit ([`SystemRef`]): what an [`EventVisitor`] is handed,
//! made from a decoded [`System`] ([`SystemRef::of`]) or straight from a template's values
//! ([`Values::system_parts`]) with the texts (provider name and source, Channel, Computer)
//! decoded into scratch reused from record to record instead of a `String` each.
//!
//! The String values' texts decoded last are kept with their UTF-16 ([`KEPT_TEXTS`] of
//! them) and copied when a record's bytes are the same: a log's provider names, channels
//! and computers repeat from record to record.
//!
//! Invariant: where [`Values::system_parts`] returns `Some`, its [`SystemParts::view`]
//! equals `SystemRef::of` of the System that `Values::system_into` maps (the typed
//! children other than the texts go through the same setter, `set_typed`); where a text is
//! not of the type that setter takes, it returns `None` and the caller maps the System the
//! typed way (tested record by record on every sample and on mutated chunks, through the
//! visit tests).
//!
//! [`EventVisitor`]: super::visit::EventVisitor

use super::fast::Values;
use super::plan::{Source, SystemPlan, TextField, Typed};
use super::value::utf16_trimmed_into;
use crate::event::{Correlation, Execution, FileTime, Guid, Security, System};

/// A `<System>` borrowed for one visit: the fields of [`System`], its texts as `&str`.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct SystemRef<'a> {
    /// `Provider/@Name`.
    pub provider_name: Option<&'a str>,
    /// `Provider/@Guid`.
    pub provider_guid: Option<Guid>,
    /// `Provider/@EventSourceName`.
    pub event_source_name: Option<&'a str>,
    pub event_id: u16,
    pub qualifiers: Option<u16>,
    pub version: Option<u8>,
    pub level: Option<u8>,
    pub task: Option<u16>,
    pub opcode: Option<u8>,
    pub keywords: Option<u64>,
    pub time_created: Option<FileTime>,
    pub event_record_id: Option<u64>,
    pub correlation: Option<Correlation>,
    pub execution: Option<Execution>,
    pub channel: Option<&'a str>,
    pub computer: Option<&'a str>,
    pub security: Option<&'a Security>,
}

impl<'a> SystemRef<'a> {
    /// `s`, borrowed.
    pub fn of(s: &'a System) -> SystemRef<'a> {
        SystemRef {
            provider_name: s.provider.name.as_deref(),
            provider_guid: s.provider.guid,
            event_source_name: s.provider.event_source_name.as_deref(),
            event_id: s.event_id,
            qualifiers: s.qualifiers,
            version: s.version,
            level: s.level,
            task: s.task,
            opcode: s.opcode,
            keywords: s.keywords,
            time_created: s.time_created,
            event_record_id: s.event_record_id,
            correlation: s.correlation,
            execution: s.execution,
            channel: s.channel.as_deref(),
            computer: s.computer.as_deref(),
            security: s.security.as_ref(),
        }
    }
}

/// Where a text of [`SystemParts`] is: bytes `[from, to)` of its text.
type At = Option<(u32, u32)>;

/// How many decoded String values [`SystemParts`] keeps with their UTF-16.
const KEPT_TEXTS: usize = 4;

/// A System read straight from a template's values, reused from record to record: its
/// texts in one buffer, the rest in a [`System`] whose texts stay `None`.
#[derive(Debug, Default)]
pub(super) struct SystemParts {
    system: System,
    /// The texts, one after another.
    text: String,
    name: At,
    source: At,
    channel: At,
    computer: At,
    /// String values decoded before, those found often first: their UTF-16 as the
    /// record holds it, and their text (`utf16_trimmed_into`'s).
    kept: Vec<(Vec<u8>, String)>,
}

impl SystemParts {
    fn reset(&mut self) {
        self.system = System::default();
        self.text.clear();
        (self.name, self.source, self.channel, self.computer) = (None, None, None, None);
    }

    /// Appends the text of a String value's UTF-16 `bytes` (`utf16_trimmed_into`'s):
    /// copied if kept, else decoded and kept in place of the last. A text found moves one
    /// place up, so that the texts of every record (its provider, channel, computer) stay
    /// ahead while rarer ones come and go in the last place (replacing in turns missed 14 %
    /// of the large file's texts, whose records name ten computers).
    fn push_utf16(&mut self, bytes: &[u8]) {
        if let Some(at) = self
            .kept
            .iter()
            .position(|(raw, _)| raw.as_slice() == bytes)
        {
            if let Some((_, text)) = self.kept.get(at) {
                self.text.push_str(text);
            }
            if at > 0 {
                self.kept.swap(at - 1, at);
            }
            return;
        }
        if self.kept.len() < KEPT_TEXTS {
            self.kept.push(Default::default());
        }
        if let Some((raw, text)) = self.kept.last_mut() {
            raw.clear();
            raw.extend_from_slice(bytes);
            utf16_trimmed_into(bytes, text);
            self.text.push_str(text);
        }
    }

    /// Appends `t`; where it is.
    fn push(&mut self, t: &str) -> At {
        let from = u32::try_from(self.text.len()).ok()?;
        self.text.push_str(t);
        Some((from, u32::try_from(self.text.len()).ok()?))
    }

    /// The System read; `None` if a text is not where it was put (it always is).
    pub(super) fn view(&self) -> Option<SystemRef<'_>> {
        let all = self.text.as_str();
        let text = |at: At| -> Option<Option<&str>> {
            match at {
                None => Some(None),
                Some((from, to)) => all.get(from as usize..to as usize).map(Some),
            }
        };
        Some(SystemRef {
            provider_name: text(self.name)?,
            event_source_name: text(self.source)?,
            channel: text(self.channel)?,
            computer: text(self.computer)?,
            ..SystemRef::of(&self.system)
        })
    }
}

impl Values<'_> {
    /// The `<System>` of `plan` into `parts` (reset first), as `system_into` maps every
    /// child; `None` where a child is not of the typed shapes (the caller then maps it the
    /// typed way).
    pub(super) fn system_parts(
        &mut self,
        plan: &SystemPlan,
        parts: &mut SystemParts,
    ) -> Option<()> {
        if self.dropped(plan.dep) {
            return None;
        }
        parts.reset();
        let mut saw_event_id = false;
        for child in &plan.children {
            if self.dropped(child.dep) {
                continue;
            }
            match child.typed {
                Typed::Provider { name, guid, source } => {
                    let name = self.text_attribute_at(name, parts)?;
                    let source = self.text_attribute_at(source, parts)?;
                    let guid = self.guid(guid)?;
                    // As `set_typed`: in the template's order; an omitted one sets nothing.
                    if name.is_some() {
                        parts.name = name;
                    }
                    parts.system.provider.guid = guid.or(parts.system.provider.guid);
                    if source.is_some() {
                        parts.source = source;
                    }
                }
                Typed::ConstProvider => {
                    let c = child.provider.as_deref()?;
                    if let Some(name) = &c.name {
                        parts.name = Some(parts.push(name)?);
                    }
                    if let Some(guid) = c.guid {
                        parts.system.provider.guid = guid;
                    }
                    if let Some(source) = &c.source {
                        parts.source = Some(parts.push(source)?);
                    }
                }
                Typed::Text(field) => {
                    let at = match &child.content {
                        Source::Empty => parts.push("")?,
                        Source::Text(t) => parts.push(t)?,
                        Source::Subst { index, .. } => match self.string_at(*index, parts)? {
                            Some(at) => at,
                            None => parts.push("")?,
                        },
                        Source::Value(_) => return None,
                    };
                    match field {
                        TextField::Channel => parts.channel = Some(at),
                        TextField::Computer => parts.computer = Some(at),
                    }
                }
                _ => {
                    if !self.set_typed(child, &mut parts.system, &mut saw_event_id) {
                        return None;
                    }
                }
            }
        }
        saw_event_id.then_some(())
    }

    /// A String attribute as `text_attribute` reads it, appended to the parts' text:
    /// `Some(None)` if it is omitted (absent, Null, or empty and optional), `None` if it is
    /// not a String.
    fn text_attribute_at(
        &mut self,
        attr: Option<(u16, bool)>,
        parts: &mut SystemParts,
    ) -> Option<At> {
        let Some((index, optional)) = attr else {
            return Some(None);
        };
        Some(
            self.string_at(index, parts)?
                .filter(|(from, to)| !(optional && from == to)),
        )
    }

    /// Value `index` read as a String substitution (as `decode` reads it), appended to
    /// the parts' text: `Some(None)` if it is absent or Null, `None` if it is of another
    /// type.
    fn string_at(&mut self, index: u16, parts: &mut SystemParts) -> Option<At> {
        let Some(span) = self.spans.get_mut(usize::from(index)) else {
            return Some(None);
        };
        match span.ty {
            0x00 => Some(None),
            0x01 => {
                span.used = true;
                let bytes = span.bytes(self.chunk)?;
                let from = u32::try_from(parts.text.len()).ok()?;
                parts.push_utf16(bytes);
                Some(Some((from, u32::try_from(parts.text.len()).ok()?)))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::value::utf16_trimmed_append;
    use super::*;

    /// Kept texts never show: more distinct String values than are kept, in turns and again
    /// (ASCII, wide, with trailing NULs, empty, one a prefix of another), each appended as
    /// `utf16_trimmed_append` appends it.
    #[test]
    fn kept_texts_are_the_decoded_texts() {
        let values: Vec<Vec<u8>> = [
            "Security",
            "Microsoft-Windows-Security-Auditing",
            "SQL-PROD02.woodgrove.bank",
            "Sécurité 中文",
            "Security\0\0",
            "",
            "Secur",
            "Securitx",
            "DESKTOP-7H3K9QZ",
        ]
        .iter()
        .map(|t| t.encode_utf16().flat_map(u16::to_le_bytes).collect())
        .collect();
        let mut parts = SystemParts::default();
        for round in 0..3 {
            for i in 0..values.len() {
                let v = &values[(i * 3 + round) % values.len()];
                parts.text.clear();
                parts.text.push_str("before");
                parts.push_utf16(v);
                let mut want = b"before".to_vec();
                utf16_trimmed_append(v, &mut want);
                assert_eq!(parts.text.as_bytes(), want, "round {round} value {i}");
            }
        }
        assert_eq!(parts.kept.len(), KEPT_TEXTS);
    }
}
