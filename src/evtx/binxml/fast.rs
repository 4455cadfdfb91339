//! The fast path: a record in Windows' usual shape decoded straight into an [`Event`],
//! without building its generic element tree.
//!
//! Windows writes almost every record as one template instance whose root is `<Event>`: a
//! `<System>` of substitutions (mapped by `direct`), then the body as a nested BinXml value
//! (a second template instance whose root is `<EventData>` with `<Data Name='…'>%n</Data>`
//! children, or a `<UserData>` tree), or an `<EventData>` written inline. For such templates
//! a [`Plan`] is made once, on first use, and kept with the parsed definition; a record is
//! then its value descriptors, the System mapping, and one [`DataItem`] per `<Data>`.
//!
//! Owns the run-time half: decoding values where a plan reads them ([`Values`]), the typed
//! System setters, EventData items; and its state, [`FastScratch`] (value spans, System
//! attributes), lent with the reader and the general path's state as a [`Fast`].
//!
//! The shapes accepted are `plan`'s. Anything else (a template of another shape, an array
//! or an unexpected value type where a `<Data>` holds it, a nested value left unused,
//! trailing tokens, any read error) makes [`FastScratch::event`] return `None`, and the
//! caller decodes the record the general way, which also reports errors. So the output never depends on which path ran. Each success
//! records its values' types as a shape of its template (`deferred`), unless a System child
//! took the general mapping.
//!
//! Invariants:
//! - For every record where it returns `Some`, the event equals the general path's
//!   (`general` parsing and expansion, then `map`): tested record by record on every
//!   sample.
//! - Bounded work: one pass over the instance's descriptors and values and, for a nested
//!   body, over the nested instance's; `<UserData>` trees go through the general `nested`
//!   decoding, under its depth and node budgets.

use std::sync::Arc;

use super::cache::Template;
use super::general::General;
use super::map::Mapper;
use super::plan::{
    BodyPlan, ByteField, ChildPlan, Content, DirectField, DirectRead, ItemPlan, Plan, Source,
    SystemPlan, TextField, Typed,
};
use super::span::{read_spans, spans_at, Span};
use super::text::merge;
use super::tokens::peek;
use super::value::{decode_sized, BINXML_TYPE};
use crate::event::{
    Body, Correlation, DataItem, Event, EventData, Execution, FileTime, Guid, Node, Security,
    System, SystemFields, Value,
};
use crate::evtx::bytes::{u32_at, Reader};

/// How [`Fast::event_of`] came by an instance's values.
pub(super) enum Instance<'s> {
    /// Read just now: the body's instance is read when the plan reaches it, and the shapes
    /// are learnt (`deferred`).
    Read,
    /// Proved (`deferred`): the body's instance, if there is one, was read by the proof, and
    /// the shapes are known.
    Proved(Option<(&'s Template, &'s mut [Span])>),
}

/// A template instance's values, decoded only where the plan reads them.
pub(super) struct Values<'a> {
    pub(super) chunk: &'a [u8],
    pub(super) spans: &'a mut [Span],
    /// A System child went through the general mapping, which reads content: the
    /// record's shape alone does not decide its decoding (`deferred`).
    pub(super) mapped_generally: bool,
}

impl<'a> Values<'a> {
    pub(super) fn new(chunk: &'a [u8], spans: &'a mut [Span]) -> Values<'a> {
        Values {
            chunk,
            spans,
            mapped_generally: false,
        }
    }
    /// Value `index`'s bytes if it has type `ty`, marked used.
    pub(super) fn raw<const N: usize>(&mut self, index: u16, ty: u8) -> Option<[u8; N]> {
        let span = self.spans.get_mut(usize::from(index))?;
        if span.ty != ty || span.size() < N {
            return None;
        }
        let bytes = self
            .chunk
            .get(span.start()..span.start() + N)?
            .try_into()
            .ok()?;
        span.used = true;
        Some(bytes)
    }

    /// Sets a System child of a usual shape straight from its values; false (nothing set)
    /// if a value is not of the type Windows writes there.
    pub(super) fn set_typed(
        &mut self,
        child: &ChildPlan,
        s: &mut System,
        saw_event_id: &mut bool,
    ) -> bool {
        match child.typed {
            Typed::EventId { value, qualifiers } => {
                let q = match qualifiers {
                    None => None,
                    Some(q) if self.is_null(q) => None,
                    Some(q) => match self.raw::<2>(q, 0x06) {
                        Some(b) => Some(u16::from_le_bytes(b)),
                        None => return false,
                    },
                };
                let Some(v) = self.raw::<2>(value, 0x06) else {
                    return false;
                };
                s.event_id = u16::from_le_bytes(v);
                if q.is_some() {
                    s.qualifiers = q;
                }
                *saw_event_id = true;
            }
            Typed::Byte(field, i) => {
                let Some([b]) = self.raw::<1>(i, 0x04) else {
                    return false;
                };
                match field {
                    ByteField::Version => s.version = Some(b),
                    ByteField::Level => s.level = Some(b),
                    ByteField::Opcode => s.opcode = Some(b),
                }
            }
            Typed::Task(i) => match self.raw::<2>(i, 0x06) {
                Some(b) => s.task = Some(u16::from_le_bytes(b)),
                None => return false,
            },
            Typed::Keywords(i) => match self.raw::<8>(i, 0x15) {
                Some(b) => s.keywords = Some(u64::from_le_bytes(b)),
                None => return false,
            },
            Typed::RecordId(i) => match self.raw::<8>(i, 0x0A) {
                Some(b) => s.event_record_id = Some(u64::from_le_bytes(b)),
                None => return false,
            },
            Typed::TimeCreated(i) => match self.raw::<8>(i, 0x11) {
                Some(b) => s.time_created = Some(FileTime(u64::from_le_bytes(b))),
                None => return false,
            },
            Typed::Execution { process, thread } => {
                let (Some(p), Some(t)) =
                    (self.raw::<4>(process, 0x08), self.raw::<4>(thread, 0x08))
                else {
                    return false;
                };
                s.execution = Some(Execution {
                    process_id: u32::from_le_bytes(p),
                    thread_id: u32::from_le_bytes(t),
                    ..Execution::default()
                });
            }
            Typed::Provider { name, guid, source } => {
                let (Some(name), Some(source)) =
                    (self.text_attribute(name), self.text_attribute(source))
                else {
                    return false;
                };
                let Some(guid) = self.guid(guid) else {
                    return false;
                };
                // Attributes are mapped in the template's order; an omitted one sets nothing.
                if let Some(name) = name {
                    s.provider.name = Some(name.into());
                }
                s.provider.guid = guid.or(s.provider.guid);
                if source.is_some() {
                    s.provider.event_source_name = source;
                }
            }
            Typed::ConstProvider => {
                let Some(c) = &child.provider else {
                    return false;
                };
                if let Some(name) = &c.name {
                    s.provider.name = Some(Arc::clone(name));
                }
                if let Some(guid) = c.guid {
                    s.provider.guid = guid;
                }
                if let Some(source) = &c.source {
                    s.provider.event_source_name = Some(source.clone());
                }
            }
            Typed::Text(field) => {
                let text = match &child.content {
                    Source::Empty => String::new(),
                    Source::Text(t) => t.to_string(),
                    Source::Subst { index, .. } => match self.decode(*index) {
                        Some(None | Some(Value::Null)) => String::new(),
                        Some(Some(Value::String(t))) => t.into(),
                        _ => return false,
                    },
                    Source::Value(_) => return false,
                };
                match field {
                    TextField::Channel => s.channel = Some(text.into()),
                    TextField::Computer => s.computer = Some(text.into()),
                }
            }
            Typed::Security(index) => {
                let user_id = match index.map(|i| self.decode(i)) {
                    None | Some(Some(None | Some(Value::Null))) => None,
                    Some(Some(Some(Value::Sid(sid)))) => Some(sid),
                    _ => return false,
                };
                s.security = Some(Security { user_id });
            }
            Typed::Correlation { activity, related } => {
                let (Some(activity_id), Some(related_activity_id)) =
                    (self.guid(activity), self.guid(related))
                else {
                    return false;
                };
                s.correlation = Some(Correlation {
                    activity_id,
                    related_activity_id,
                });
            }
            Typed::None => return false,
        }
        true
    }

    /// A String attribute's value: `Some(None)` if it is omitted (absent, Null, or empty and
    /// optional), `None` if it is not a String.
    fn text_attribute(&mut self, attr: Option<(u16, bool)>) -> Option<Option<String>> {
        let Some((i, optional)) = attr else {
            return Some(None);
        };
        match self.decode(i)? {
            None | Some(Value::Null) => Some(None),
            Some(Value::String(t)) if optional && t.is_empty() => Some(None),
            Some(Value::String(t)) => Some(Some(t.into())),
            Some(_) => None,
        }
    }

    /// An optional GUID attribute's value: `Some(None)` if it is omitted (absent or Null),
    /// `None` if it is not a GUID.
    pub(super) fn guid(&mut self, index: Option<u16>) -> Option<Option<Guid>> {
        match index.map(|i| self.decode(i)) {
            None | Some(Some(None | Some(Value::Null))) => Some(None),
            Some(Some(Some(Value::Guid(g)))) => Some(Some(g)),
            _ => None,
        }
    }

    pub(super) fn is_null(&self, index: u16) -> bool {
        self.spans
            .get(usize::from(index))
            .is_some_and(|s| s.ty == 0x00)
    }

    /// True if the element with dependency id `dep` is dropped.
    pub(super) fn dropped(&self, dep: Option<u16>) -> bool {
        dep.is_some_and(|d| self.is_null(d))
    }

    /// Value `index` decoded; `Some(None)` if there is no such value; `None` if it is nested
    /// BinXml or does not decode.
    pub(super) fn decode(&mut self, index: u16) -> Option<Option<Value>> {
        let Some(span) = self.spans.get_mut(usize::from(index)) else {
            return Some(None);
        };
        if span.ty == BINXML_TYPE {
            return None;
        }
        span.used = true;
        let bytes = span.bytes(self.chunk)?;
        let spill = self.chunk.get(span.start()..).unwrap_or_default();
        decode_sized(span.ty, bytes, spill).ok().map(Some)
    }

    /// Value `index` as a nested body: `Some(None)` if it is Null or absent (no body),
    /// `Some(span)` if it is nested BinXml, `None` for anything else.
    pub(super) fn nested(&mut self, index: u16) -> Option<Option<(usize, usize)>> {
        let Some(span) = self.spans.get_mut(usize::from(index)) else {
            return Some(None);
        };
        match span.ty {
            0x00 => Some(None),
            BINXML_TYPE => {
                span.used = true;
                Some(Some((span.start(), span.end())))
            }
            _ => None,
        }
    }

    /// Every value the plan did not read still decodes (on the general path, one that does
    /// not fails the record), and none of them is nested BinXml.
    pub(super) fn rest_decode(&self) -> bool {
        self.spans.iter().filter(|s| !s.used).all(|s| {
            s.ty != BINXML_TYPE
                && self.chunk.get(s.start()..s.end()).is_some_and(|bytes| {
                    let spill = self.chunk.get(s.start()..).unwrap_or_default();
                    decode_sized(s.ty, bytes, spill).is_ok()
                })
        })
    }

    /// A System child's content, as `direct::content` reads it.
    fn content(&mut self, source: &Source) -> Option<Value> {
        Some(match source {
            Source::Empty => Value::String(String::new().into()),
            Source::Text(t) => Value::String(t.to_string().into()),
            Source::Value(v) => v.clone(),
            Source::Subst { index, .. } => match self.decode(*index)? {
                None | Some(Value::Null) => Value::String(String::new().into()),
                Some(Value::Array(_)) => return None,
                Some(v) => v,
            },
        })
    }

    /// A System child's attribute, as `direct::attribute` reads it: `Some(None)` if it is
    /// omitted.
    fn attribute(&mut self, source: &Source) -> Option<Option<Value>> {
        Some(match source {
            Source::Empty => None,
            Source::Text(t) => Some(Value::String(t.to_string().into())),
            Source::Value(v) => Some(v.clone()),
            Source::Subst { index, optional } => match self.decode(*index)? {
                None | Some(Value::Null) => None,
                Some(v) if *optional && v.is_empty_text() => None,
                Some(v) => Some(v),
            },
        })
    }

    /// The `<System>` of `plan` into `s` (reset first), as `direct::system` maps it; only
    /// the children in `fields` (the others are left as in `System::default()`). `attrs` is
    /// scratch. False where the fast path cannot map it.
    pub(super) fn system_into(
        &mut self,
        plan: &SystemPlan,
        fields: SystemFields,
        s: &mut System,
        attrs: &mut Vec<(usize, Value)>,
    ) -> bool {
        self.system_into_inner(plan, fields, s, attrs).is_some()
    }

    fn system_into_inner(
        &mut self,
        plan: &SystemPlan,
        fields: SystemFields,
        s: &mut System,
        attrs: &mut Vec<(usize, Value)>,
    ) -> Option<()> {
        if self.dropped(plan.dep) {
            return None;
        }
        let m = Mapper { at: 0 };
        *s = System::default();
        let mut saw_event_id = false;
        match plan.selection(fields) {
            Some(selection) => {
                for &i in selection.children.iter() {
                    let child = plan.children.get(i)?;
                    self.system_child_into(plan, child, s, &mut saw_event_id, attrs, &m)?;
                }
            }
            None => {
                for child in plan.children.iter().filter(|c| fields.reads(c.bit)) {
                    self.system_child_into(plan, child, s, &mut saw_event_id, attrs, &m)?;
                }
            }
        }
        saw_event_id.then_some(())
    }

    /// One child of `<System>` (of `plan`) into `s`, unless it is dropped.
    fn system_child_into(
        &mut self,
        plan: &SystemPlan,
        child: &ChildPlan,
        s: &mut System,
        saw_event_id: &mut bool,
        attrs: &mut Vec<(usize, Value)>,
        m: &Mapper,
    ) -> Option<()> {
        if self.dropped(child.dep) || self.set_typed(child, s, saw_event_id) {
            return Some(());
        }
        self.mapped_generally = true;
        let content = self.content(&child.content)?;
        attrs.clear();
        let names = plan.attributes(child);
        for (i, (_, source)) in names.iter().enumerate() {
            if let Some(v) = self.attribute(source)? {
                attrs.push((i, v));
            }
        }
        let it = attrs
            .iter_mut()
            .map(|(i, v)| (names.get(*i).map_or("", |(n, _)| &**n), v));
        m.system_child(s, saw_event_id, &child.name, it, Some(content))
            .ok()
    }

    /// The EventData items of `items`, as the general path maps them.
    fn data_items(&mut self, items: &[ItemPlan]) -> Option<Vec<DataItem>> {
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item {
                ItemPlan::Data {
                    name, dep, content, ..
                } => {
                    if self.dropped(*dep) {
                        continue;
                    }
                    let value = match content {
                        Content::Empty => Value::String(String::new().into()),
                        Content::Text(t) => Value::String(t.clone().into()),
                        Content::Subst(i) => match self.decode(*i)? {
                            None | Some(Value::Null) => Value::String(String::new().into()),
                            Some(Value::Array(array)) => {
                                // The element repeats once per item; an empty array leaves
                                // it once, empty (the general path's `expand_element`).
                                let items = array.into_items();
                                if items.is_empty() {
                                    out.push(DataItem::Data {
                                        name: name.clone(),
                                        value: Value::String(String::new().into()),
                                    });
                                }
                                for item in items {
                                    out.push(DataItem::Data {
                                        name: name.clone(),
                                        value: item_value(item),
                                    });
                                }
                                continue;
                            }
                            Some(v) => v,
                        },
                    };
                    out.push(DataItem::Data {
                        name: name.clone(),
                        value,
                    });
                }
                ItemPlan::Binary { dep, index } => {
                    if self.dropped(*dep) {
                        continue;
                    }
                    match self.decode(*index)? {
                        Some(Value::Binary(b)) => out.push(DataItem::Binary(b)),
                        _ => return None,
                    }
                }
            }
        }
        Some(out)
    }
}

/// The probe's reads of `direct` from the instance values at `pos` of `data` into `s`
/// (reset first), exactly as `set_typed` sets them from spans; `None` (and `s` meaningless)
/// if a value is missing or of another type or size, which `set_typed` would not take.
fn direct_reads(data: &[u8], pos: usize, direct: &[DirectRead], s: &mut System) -> Option<()> {
    let n = u32_at(data, pos)? as usize;
    let first = pos + 4;
    // The whole descriptor table must be there, as `spans_at` requires.
    let descriptors = data.get(first..first.checked_add(n.checked_mul(4)?)?)?;
    let values = first + descriptors.len();
    // Where value `next` starts, carried from one read to the next (reads are in value
    // order, `Selection::direct_reads`).
    let (mut next, mut next_start) = (0usize, values);
    // A value of type `ty`: its bytes (as `Values::raw`, which then takes the first few);
    // `None` if missing, of another type, or past the data.
    let mut raw = |index: u16, ty: u8| -> Option<&[u8]> {
        let index = usize::from(index);
        let d = descriptors.get(4 * index..4 * index + 4)?;
        if index < next {
            (next, next_start) = (0, values);
        }
        next_start += descriptors
            .get(4 * next..4 * index)?
            .chunks_exact(4)
            .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])))
            .sum::<usize>();
        next = index;
        if d[2] != ty {
            return None;
        }
        data.get(next_start..next_start + usize::from(u16::from_le_bytes([d[0], d[1]])))
    };
    let u8_of = |b: &[u8]| b.first().copied();
    let u16_of = |b: &[u8]| Some(u16::from_le_bytes(b.get(..2)?.try_into().ok()?));
    let u64_of = |b: &[u8]| Some(u64::from_le_bytes(b.get(..8)?.try_into().ok()?));
    // Whether value `index` is Null (the element depending on it is dropped); a missing
    // value is not, as `Values::is_null` has it.
    let is_null = |index: u16| descriptors.get(4 * usize::from(index) + 2) == Some(&0x00);
    *s = System::default();
    for read in direct {
        if read.dep.is_some_and(is_null) {
            if read.field == DirectField::EventId {
                // No EventID: the System does not map (`system_into` fails).
                return None;
            }
            continue;
        }
        let i = read.index;
        match read.field {
            DirectField::Qualifiers if is_null(i) => {}
            DirectField::Qualifiers => s.qualifiers = Some(u16_of(raw(i, 0x06)?)?),
            DirectField::EventId => s.event_id = u16_of(raw(i, 0x06)?)?,
            DirectField::Version => s.version = Some(u8_of(raw(i, 0x04)?)?),
            DirectField::Level => s.level = Some(u8_of(raw(i, 0x04)?)?),
            DirectField::Opcode => s.opcode = Some(u8_of(raw(i, 0x04)?)?),
            DirectField::Task => s.task = Some(u16_of(raw(i, 0x06)?)?),
            DirectField::Keywords => s.keywords = Some(u64_of(raw(i, 0x15)?)?),
            DirectField::RecordId => s.event_record_id = Some(u64_of(raw(i, 0x0A)?)?),
            DirectField::TimeCreated => {
                s.time_created = Some(FileTime(u64_of(raw(i, 0x11)?)?));
            }
        }
    }
    Some(())
}

/// True if the data from `r` on is empty or starts with EndOfStream.
fn at_end(r: &mut Reader<'_>) -> bool {
    r.remaining() == 0 || peek(r) == Some(0x00)
}

/// The fast path's scratch, kept from record to record to reuse its allocations.
#[derive(Debug, Default)]
pub(super) struct FastScratch {
    /// The value spans of a record's instance.
    pub(super) spans: Vec<Span>,
    /// The value spans of its nested body's instance.
    pub(super) nested: Vec<Span>,
    /// A System child's attributes.
    attrs: Vec<(usize, Value)>,
}

impl FastScratch {
    /// The record at chunk offsets `[start, end)` decoded on the fast path, or `None` if it
    /// is not of a shape the fast path takes (see the module docs).
    pub(super) fn event(
        &mut self,
        mut general: General<'_, '_>,
        start: usize,
        end: usize,
    ) -> Option<Event> {
        general.expansion.reset_budget();
        let template = whole_instance(&mut general, start, end, 1, &mut self.spans)?;
        let FastScratch {
            spans,
            nested,
            attrs,
        } = self;
        Fast::new(general, nested, attrs).event_of(&template, spans, Instance::Read)
    }

    /// Only the children `fields` of the `<System>` of the record at chunk offsets
    /// `[start, end)`, on the fast path, into `system`; false where [`FastScratch::event`]
    /// could not take the record's template. Equal, in those children, to the System of
    /// the whole record's event whenever that decodes.
    pub(super) fn system(
        &mut self,
        general: General<'_, '_>,
        start: usize,
        end: usize,
        fields: SystemFields,
        system: &mut System,
    ) -> bool {
        self.system_with(general, start, end, fields, system)
            .is_some()
    }

    /// The probe of every record of a prefiltered scan, so it reads the instance header
    /// and value descriptors straight from the chunk and borrows the template (no reader,
    /// no reference count); a template this chunk has not met yet is parsed first, through
    /// `instance_template`, exactly as a whole decoding would.
    fn system_with(
        &mut self,
        mut general: General<'_, '_>,
        start: usize,
        end: usize,
        fields: SystemFields,
        system: &mut System,
    ) -> Option<()> {
        let chunk = general.tokens.chunk;
        let data = chunk.get(..end)?;
        let header = start + if data.get(start) == Some(&0x0F) { 4 } else { 0 };
        if *data.get(header)? != 0x0C {
            return None;
        }
        let def = u32_at(data, header + 6)? as usize;
        let mut values_at = header + 10;
        if def == values_at {
            // Resident: the instance data follows the definition (as `instance_definition`).
            let size = u32_at(chunk, def + 20).unwrap_or(0) as usize;
            values_at = def.saturating_add(24).saturating_add(size);
        }
        // One lookup where the chunk knows the template; else parsed first, as a whole
        // decoding would.
        let template = match general.tokens.templates.get(&def) {
            Some(t) => t,
            None => {
                let mut r = general.tokens.reader(start, end, "record BinXml").ok()?;
                instance_template(&mut general, &mut r, 1)?;
                general.tokens.templates.get(&def)?
            }
        };
        let Plan::Event { system: plan, .. } = template.plan() else {
            return None;
        };
        let selection = plan.selection(fields);
        if let Some(direct) = selection.and_then(|s| s.direct.as_deref()) {
            if direct_reads(data, values_at, direct, system).is_some() {
                return Some(());
            }
            // A value of another type or size: the general mapping decides.
        }
        // Spans only for the values the children asked for read (a record whose values
        // do not fit fails to decode whole anyway, so only those are checked).
        let limit = selection.map_or(usize::MAX, |s| s.values);
        spans_at(data, values_at, &mut self.spans, limit)?;
        let mut values = Values::new(chunk, &mut self.spans);
        values
            .system_into(plan, fields, system, &mut self.attrs)
            .then_some(())
    }
}

/// The fast path's decoding of one record: the reader and the general path's state (for
/// definitions met for the first time and `<UserData>` trees), with the fast path's
/// scratch.
pub(super) struct Fast<'a, 'c> {
    general: General<'a, 'c>,
    /// The value spans of a nested body's instance.
    nested: &'a mut Vec<Span>,
    /// A System child's attributes.
    attrs: &'a mut Vec<(usize, Value)>,
}

impl<'a, 'c> Fast<'a, 'c> {
    pub(super) fn new(
        general: General<'a, 'c>,
        nested: &'a mut Vec<Span>,
        attrs: &'a mut Vec<(usize, Value)>,
    ) -> Self {
        Fast {
            general,
            nested,
            attrs,
        }
    }

    /// The event of an instance of `template` whose values are `spans`.
    pub(super) fn event_of(
        &mut self,
        template: &Template,
        spans: &mut [Span],
        mut instance: Instance<'_>,
    ) -> Option<Event> {
        let Plan::Event { system, body } = template.plan() else {
            return None;
        };
        let mut values = Values::new(self.general.tokens.chunk, spans);
        // Built in place: an Event is ~460 bytes, and each move of one is a copy.
        let mut event = Event::default();
        if !values.system_into(system, SystemFields::ALL, &mut event.system, self.attrs) {
            return None;
        }
        event.body = match body {
            BodyPlan::None => Body::None,
            BodyPlan::Subst(index) => match (values.nested(*index)?, &mut instance) {
                (None, _) => Body::None,
                (Some(_), Instance::Proved(Some((template, spans)))) => {
                    Body::EventData(event_data_of(self.general.tokens.chunk, template, spans)?)
                }
                (Some((from, to)), _) => Body::EventData(self.nested_event_data(from, to)?),
            },
            BodyPlan::UserData {
                dep,
                index,
                empty_tag,
            } => {
                if values.dropped(*dep) {
                    Body::None
                } else {
                    let (from, to) = values.nested(*index)??;
                    let nodes = self.general.nested(from, to - from, 2).ok()?;
                    let mut children = merge(nodes);
                    if children.is_empty() && !empty_tag {
                        children.push(Node::Value(Value::String(String::new().into())));
                    }
                    Body::UserData(children)
                }
            }
            BodyPlan::Inline(plan) => Body::EventData(EventData {
                name: plan.name.clone(),
                items: values.data_items(&plan.items)?,
            }),
        };
        if !values.rest_decode() {
            return None;
        }
        if !values.mapped_generally && matches!(instance, Instance::Read) {
            // Decided by the values' types alone: records of this shape can be proved.
            template.shapes.record(spans);
        }
        Some(event)
    }

    /// A nested body at chunk offsets `[from, to)` whose template is an `<EventData>` plan.
    fn nested_event_data(&mut self, from: usize, to: usize) -> Option<EventData> {
        let template = whole_instance(&mut self.general, from, to, 2, self.nested)?;
        event_data_of(self.general.tokens.chunk, &template, self.nested)
    }
}

/// The `<EventData>` of an instance of `template` whose values are `spans` in `chunk`.
fn event_data_of(chunk: &[u8], template: &Template, spans: &mut [Span]) -> Option<EventData> {
    let Plan::Data(plan) = template.plan() else {
        return None;
    };
    let mut values = Values::new(chunk, spans);
    let items = values.data_items(&plan.items)?;
    if !values.rest_decode() {
        return None;
    }
    template.shapes.record(spans);
    Some(EventData {
        name: plan.name.clone(),
        items,
    })
}

/// The template instance that makes up the whole BinXml at chunk offsets `[from, to)`
/// (after an optional fragment header, and before EndOfStream or the end): its template,
/// with its values' spans in `spans`.
pub(super) fn whole_instance(
    general: &mut General<'_, '_>,
    from: usize,
    to: usize,
    depth: usize,
    spans: &mut Vec<Span>,
) -> Option<Arc<Template>> {
    let mut r = general.tokens.reader(from, to, "BinXml").ok()?;
    let template = instance_template(general, &mut r, depth)?;
    read_spans(&mut r, spans, usize::MAX)?;
    at_end(&mut r).then_some(template)
}

/// The template of the instance at `r` (after an optional fragment header); `r` is left
/// at its value count.
fn instance_template<'c>(
    general: &mut General<'_, 'c>,
    r: &mut Reader<'c>,
    depth: usize,
) -> Option<Arc<Template>> {
    if peek(r) == Some(0x0F) {
        r.skip(4, "fragment header").ok()?;
    }
    if r.u8("token").ok()? != 0x0C {
        return None;
    }
    general.instance_definition(r, depth).ok()
}

/// A template instance at `r`, after its token byte: its template, with its values' spans
/// in `spans`; `r` is left after the values.
pub(super) fn instance_spans<'c>(
    general: &mut General<'_, 'c>,
    r: &mut Reader<'c>,
    depth: usize,
    spans: &mut Vec<Span>,
) -> Option<Arc<Template>> {
    let template = general.instance_definition(r, depth).ok()?;
    read_spans(r, spans, usize::MAX)?;
    Some(template)
}

/// An array item as a `<Data>` value: Null (no content) maps as empty text.
fn item_value(item: Value) -> Value {
    match item {
        Value::Null => Value::String(String::new().into()),
        v => v,
    }
}
