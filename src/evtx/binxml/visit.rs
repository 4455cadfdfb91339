//! Streaming an event to a visitor ([`EventVisitor`]) without building its [`Event`]: a
//! record in Windows' usual shape (a `<System>`, then nothing or an `<EventData>` of `Data`
//! and `Binary` items) is handed over as its System ([`SystemRef`]: its texts borrowed,
//! the same view whether made from a decoded System or straight from the record's values)
//! and its items borrowed from the record's values, decoded into scratch reused from
//! record to record, so that a writer that reads each event once (JSON) pays no
//! allocation per item. Any other event is handed over whole, decoded.
//!
//! Owns the public visitor types ([`EventVisitor`], [`DataItems`], [`DataRef`],
//! [`DataNames`]; the values they borrow are `value_ref`'s), [`visit_event`] (the calls for
//! a decoded event), and the fast path's direct visiting ([`Visit`], its scratch
//! [`VisitScratch`]), which follows `fast`'s `event_of` and `data_items` step by step.
//!
//! Invariants:
//! - Which path ran never shows: for every record, the calls the direct path makes are
//!   those [`visit_event`] makes for the record's decoded event (tested record by record
//!   on every sample). The direct path calls the visitor only once everything decoded, so
//!   a record it gives up on (`None`) has made no call, and is visited through its event.
//! - A string value is always [`ValueRef::Text`], whichever path read it (an array item
//!   too), except a String substitution read straight from a record by a visitor that
//!   [wants its UTF-16](EventVisitor::wants_utf16) ([`ValueRef::Utf16`], whose text is the
//!   same: tested on every sample record); an integer substitution read straight from a
//!   record by a visitor that [wants scalars](EventVisitor::wants_scalars) is
//!   [`ValueRef::Scalar`], a SID substitution [`ValueRef::Sid`] and a GUID one
//!   [`ValueRef::Guid`] (whose values are the same: tested on every sample record); every
//!   other value is [`ValueRef::Value`].
//! - A direct visit's items name their template's names ([`DataItems::names`]): item `i`'s
//!   name is the name of its slot, one [`DataNames::id`] always the same names (tested on
//!   every sample record).

use std::sync::Arc;

use super::cache::Template;
use super::fast::{whole_instance, Instance, Values};
use super::general::General;
use super::plan::{BodyPlan, Content, DataPlan, ItemPlan, Plan};
use super::span::Span;
use super::system_ref::{SystemParts, SystemRef};
use super::user_data::{read_tree, TreeScratch, UserDataTree};
use super::value::utf16_trimmed_append;
use super::value_ref::{guid_in, sid_in, Scalar, Utf16, ValueRef};
use crate::event::{Body, DataItem, Event, SidBytes, System, SystemFields, Value};

/// What reads events one at a time without keeping them (see the module docs): each
/// visit makes exactly one call.
pub trait EventVisitor {
    /// An event in Windows' usual shape: no `<RenderingInfo>`, and a body that is nothing
    /// (`data` is `None`) or an `<EventData>` whose items are all `Data` or `Binary`.
    fn usual(&mut self, system: &SystemRef<'_>, data: Option<&DataItems<'_>>);
    /// Any other event, whole.
    fn event(&mut self, event: &Event);
    /// Whether this visitor takes a String value read straight from a record as its UTF-16
    /// ([`ValueRef::Utf16`], no text decoded for it) rather than as text
    /// ([`ValueRef::Text`]). No by default.
    fn wants_utf16(&self) -> bool {
        false
    }
    /// Whether this visitor takes an integer value (a signed or unsigned integer, a
    /// `HexInt32`/`HexInt64`) read straight from a record as a [`ValueRef::Scalar`], and a
    /// SID as its checked bytes ([`ValueRef::Sid`]) and a GUID as a [`ValueRef::Guid`], no
    /// [`Value`] built for them, rather than as a [`ValueRef::Value`]. No by default.
    fn wants_scalars(&self) -> bool {
        false
    }
    /// Whether this visitor takes an event whose body is a `<UserData>` tree as that
    /// tree's tokens ([`user_data`](Self::user_data)) where the record allows. No by
    /// default.
    fn wants_user_data(&self) -> bool {
        false
    }
    /// An event like [`usual`](Self::usual)'s but whose body is a `<UserData>` (its
    /// children `tree`), read straight from the record, to a visitor that
    /// [wants it so](Self::wants_user_data). False: the visitor took nothing (and wrote
    /// nothing), and [`event`](Self::event) is called next with the decoded event; the
    /// visit is then that call alone.
    fn user_data(&mut self, _system: &SystemRef<'_>, _tree: &UserDataTree<'_>) -> bool {
        false
    }
}

/// The calls a visit of `event` makes: [`EventVisitor::usual`] where it is of the usual
/// shape, else [`EventVisitor::event`].
pub fn visit_event<V: EventVisitor + ?Sized>(event: &Event, visitor: &mut V) {
    if event.rendering_info.is_some() {
        return visitor.event(event);
    }
    match &event.body {
        Body::None => visitor.usual(&SystemRef::of(&event.system), None),
        Body::EventData(data)
            if data
                .items
                .iter()
                .all(|i| matches!(i, DataItem::Data { .. } | DataItem::Binary(_))) =>
        {
            let items = DataItems {
                name: data.name.as_deref(),
                plan_id: 0,
                repr: Repr::Event(&data.items),
            };
            visitor.usual(&SystemRef::of(&event.system), Some(&items))
        }
        _ => visitor.event(event),
    }
}

/// An `<EventData>`'s name and items, borrowed for one visit.
#[derive(Clone, Copy)]
pub struct DataItems<'a> {
    name: Option<&'a str>,
    /// The plan's id, for [`DataNames`] (0 and unused for a decoded event's items).
    plan_id: u64,
    repr: Repr<'a>,
}

#[derive(Clone, Copy)]
enum Repr<'a> {
    /// A decoded event's items (only `Data` and `Binary`).
    Event(&'a [DataItem]),
    /// The direct path's: each item's name is its plan's, its value in the scratch.
    Direct {
        plan: &'a [ItemPlan],
        items: &'a [Item],
        text: &'a str,
        values: &'a [Value],
        chunk: &'a [u8],
    },
}

/// One item of [`DataItems`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum DataRef<'a> {
    /// `<Data [Name='…']>value</Data>`; an empty or Null value is `Text("")`.
    Data {
        name: Option<&'a str>,
        value: ValueRef<'a>,
    },
    /// `<Binary>`: its bytes.
    Binary(&'a [u8]),
}

impl<'a> DataItems<'a> {
    /// `EventData/@Name`, if present.
    #[inline]
    pub fn name(&self) -> Option<&'a str> {
        self.name
    }

    #[inline]
    pub fn len(&self) -> usize {
        match self.repr {
            Repr::Event(items) => items.len(),
            Repr::Direct { items, .. } => items.len(),
        }
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Item `i`.
    // Always: a JSON writer's member loop calls it per item, and left to the inliner's
    // budget it was called out of line (+5 % instructions on JSON lines).
    #[inline(always)]
    pub fn get(&self, i: usize) -> Option<DataRef<'a>> {
        match self.repr {
            Repr::Event(items) => match items.get(i)? {
                DataItem::Data { name, value } => Some(DataRef::Data {
                    name: name.as_deref(),
                    value: ValueRef::of(value),
                }),
                DataItem::Binary(bytes) => Some(DataRef::Binary(bytes)),
                // `visit_event` hands such items over as the whole event.
                DataItem::Element(_) => None,
            },
            Repr::Direct {
                plan,
                items,
                text,
                values,
                chunk,
            } => Some(match *items.get(i)? {
                Item::Text { plan: k, from, to } => DataRef::Data {
                    name: plan_name(plan, k),
                    value: ValueRef::Text(text.get(from as usize..to as usize)?),
                },
                Item::Value { plan: k, at } => DataRef::Data {
                    name: plan_name(plan, k),
                    value: ValueRef::of(values.get(at as usize)?),
                },
                Item::Utf16 { plan: k, from, to } => DataRef::Data {
                    name: plan_name(plan, k),
                    value: ValueRef::Utf16(Utf16::new(chunk.get(from as usize..to as usize)?)),
                },
                Item::Scalar { plan: k, value } => DataRef::Data {
                    name: plan_name(plan, k),
                    value: ValueRef::Scalar(value),
                },
                Item::Guid { plan: k, at } => DataRef::Data {
                    name: plan_name(plan, k),
                    value: ValueRef::Guid(guid_in(chunk.get(at as usize..)?)?),
                },
                Item::Sid { plan: k, from, to } => DataRef::Data {
                    name: plan_name(plan, k),
                    value: ValueRef::Sid(SidBytes::prefix(chunk.get(from as usize..to as usize)?)?),
                },
                Item::Binary { from, to } => {
                    DataRef::Binary(chunk.get(from as usize..to as usize)?)
                }
            }),
        }
    }

    /// The items in order.
    pub fn iter(&self) -> impl Iterator<Item = DataRef<'a>> + '_ {
        (0..self.len()).filter_map(|i| self.get(i))
    }

    /// The names of the template the items come from, when they come straight from one
    /// (a record visited from its values; `None` for a decoded event's items): what a
    /// visitor derives from the names once per template (JSON keys escaped and quoted),
    /// it may keep under [`DataNames::id`] and reuse through [`slot`](Self::slot).
    #[inline]
    pub fn names(&self) -> Option<DataNames<'a>> {
        match self.repr {
            Repr::Event(_) => None,
            Repr::Direct { plan, .. } => Some(DataNames {
                id: self.plan_id,
                plan,
            }),
        }
    }

    /// Where item `i`'s name is in [`names`](Self::names): item `i`, a `Data`, has the name
    /// `names().name(slot)`. The items of one template slot are adjacent (an array value is
    /// as many items), and slots only grow from item to item (an item left out by its
    /// template skips its slot). `None` for a `Binary` item, past the end, or without
    /// names.
    #[inline]
    pub fn slot(&self, i: usize) -> Option<usize> {
        match self.repr {
            Repr::Event(_) => None,
            Repr::Direct { items, .. } => match *items.get(i)? {
                Item::Text { plan, .. }
                | Item::Value { plan, .. }
                | Item::Utf16 { plan, .. }
                | Item::Scalar { plan, .. }
                | Item::Sid { plan, .. }
                | Item::Guid { plan, .. } => Some(usize::from(plan)),
                Item::Binary { .. } => None,
            },
        }
    }
}

/// The `<Data>` names of one template's `<EventData>`, by slot (see [`DataItems::slot`]).
#[derive(Clone, Copy)]
pub struct DataNames<'a> {
    id: u64,
    plan: &'a [ItemPlan],
}

impl<'a> DataNames<'a> {
    /// A number that names these names: two `DataNames` with the same id, on any thread at
    /// any time in the process, hold the same names in the same slots (each template plan
    /// draws a new number when it is made, and numbers are never given again).
    #[inline]
    pub fn id(&self) -> u64 {
        self.id
    }

    /// How many slots.
    #[inline]
    pub fn len(&self) -> usize {
        self.plan.len()
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.plan.is_empty()
    }

    /// The name of slot `slot`: `None` for an unnamed `Data`, a `Binary` or past the end.
    #[inline]
    pub fn name(&self, slot: usize) -> Option<&'a str> {
        match self.plan.get(slot)? {
            ItemPlan::Data { name, .. } => name.as_deref(),
            ItemPlan::Binary { .. } => None,
        }
    }
}

impl std::fmt::Debug for DataNames<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataNames")
            .field("id", &self.id)
            .field(
                "names",
                &(0..self.len()).map(|k| self.name(k)).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl std::fmt::Debug for DataItems<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataItems")
            .field("name", &self.name)
            .field("items", &self.iter().collect::<Vec<_>>())
            .finish()
    }
}

/// The name of plan item `k`.
#[inline]
fn plan_name(plan: &[ItemPlan], k: u16) -> Option<&str> {
    match plan.get(usize::from(k))? {
        ItemPlan::Data { name, .. } => name.as_deref(),
        ItemPlan::Binary { .. } => None,
    }
}

/// One item the direct path decoded: where its name and value are.
#[derive(Clone, Copy, Debug)]
enum Item {
    /// Plan item `plan`, its text `[from, to)` in the scratch text.
    Text { plan: u16, from: u32, to: u32 },
    /// Plan item `plan`, a String value's UTF-16 at chunk offsets `[from, to)` (for a
    /// visitor that wants it so).
    Utf16 { plan: u16, from: u32, to: u32 },
    /// Plan item `plan`, its value number `at` of the scratch values.
    Value { plan: u16, at: u32 },
    /// Plan item `plan`, an integer value (for a visitor that wants it so).
    Scalar { plan: u16, value: Scalar },
    /// Plan item `plan`, a SID whose binary form is at chunk offsets `[from, to)` (for a
    /// visitor that wants scalars).
    Sid { plan: u16, from: u32, to: u32 },
    /// Plan item `plan`, a GUID at chunk offset `at` (for a visitor that wants scalars).
    Guid { plan: u16, at: u32 },
    /// A `<Binary>`: its bytes at chunk offsets `[from, to)`.
    Binary { from: u32, to: u32 },
}

/// What direct visiting reuses from record to record.
#[derive(Debug, Default)]
pub(super) struct VisitScratch {
    /// The System, where its texts are of the typed shapes.
    parts: SystemParts,
    /// The System mapped the typed way, where they are not.
    system: System,
    attrs: Vec<(usize, Value)>,
    items: Vec<Item>,
    /// The texts of the string items, one after another, as UTF-8.
    text: Vec<u8>,
    values: Vec<Value>,
    /// A `<UserData>` tree's tokens.
    tree: TreeScratch,
    /// Visits whose System came straight from the values (what the tests check is taken).
    #[cfg(test)]
    pub(super) from_parts: usize,
}

/// One direct visit: the reader and the general path's state (for definitions met for the
/// first time), with the scratch it decodes into.
pub(super) struct Visit<'a, 'c> {
    general: General<'a, 'c>,
    /// The value spans of a nested body's instance.
    nested: &'a mut Vec<Span>,
    scratch: &'a mut VisitScratch,
}

impl<'a, 'c> Visit<'a, 'c> {
    pub(super) fn new(
        general: General<'a, 'c>,
        nested: &'a mut Vec<Span>,
        scratch: &'a mut VisitScratch,
    ) -> Self {
        Visit {
            general,
            nested,
            scratch,
        }
    }

    /// The record at chunk offsets `[start, end)` handed to `visitor` straight from its
    /// values: the call [`visit_event`] makes for its event. `None` (and no call) where the
    /// fast path does not take it this way. `spans` is scratch for the instance's values.
    pub(super) fn record<V: EventVisitor + ?Sized>(
        &mut self,
        start: usize,
        end: usize,
        spans: &mut Vec<Span>,
        visitor: &mut V,
    ) -> Option<()> {
        self.general.expansion.reset_budget();
        let template = whole_instance(&mut self.general, start, end, 1, spans)?;
        self.visit_of(&template, spans, Instance::Read, visitor)
    }

    /// An instance of `template` whose values are `spans`, as `Fast::event_of` reads it.
    pub(super) fn visit_of<V: EventVisitor + ?Sized>(
        &mut self,
        template: &Template,
        spans: &mut [Span],
        mut instance: Instance<'_>,
        visitor: &mut V,
    ) -> Option<()> {
        let Plan::Event { system, body } = template.plan() else {
            return None;
        };
        let chunk = self.general.tokens.chunk;
        let scratch = &mut *self.scratch;
        let mut values = Values::new(chunk, spans);
        // Straight from the values where it can; a failed try marks no value the typed
        // mapping would not read, so the fallback sees the values as they were.
        let parts = values.system_parts(system, &mut scratch.parts).is_some();
        if !parts
            && !values.system_into(
                system,
                SystemFields::ALL,
                &mut scratch.system,
                &mut scratch.attrs,
            )
        {
            return None;
        }
        scratch.items.clear();
        scratch.text.clear();
        scratch.values.clear();
        let utf16 = visitor.wants_utf16();
        let scalars = visitor.wants_scalars();
        let mut tree = false;
        let read: Arc<Template>;
        let plan: Option<&DataPlan> = match body {
            BodyPlan::None => None,
            BodyPlan::Subst(index) => match values.nested(*index)? {
                None => None,
                Some((from, to)) => {
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
                    let mut inner = Values::new(chunk, nested);
                    collect(&mut inner, &plan.items, scratch, utf16, scalars)?;
                    if !inner.rest_decode() {
                        return None;
                    }
                    Some(plan)
                }
            },
            // A dropped `<UserData>` is no body; a tree is the decoded event's.
            BodyPlan::UserData { dep, .. } if values.dropped(*dep) => None,
            BodyPlan::UserData {
                index, empty_tag, ..
            } if visitor.wants_user_data() => {
                let (from, to) = values.nested(*index)??;
                let tokens = &mut *self.general.tokens;
                read_tree(tokens, from, to, *empty_tag, utf16, &mut scratch.tree)?;
                tree = true;
                None
            }
            BodyPlan::UserData { .. } => return None,
            BodyPlan::Inline(plan) => {
                collect(&mut values, &plan.items, scratch, utf16, scalars)?;
                Some(plan)
            }
        };
        if !values.rest_decode() {
            return None;
        }
        #[cfg(test)]
        {
            scratch.from_parts += usize::from(parts);
        }
        let system = match parts {
            true => scratch.parts.view()?,
            false => SystemRef::of(&scratch.system),
        };
        match plan {
            // A visitor that declines the tree sees the decoded event.
            None if tree => {
                let tree = scratch.tree.tree(chunk);
                return visitor.user_data(&system, &tree).then_some(());
            }
            None => visitor.usual(&system, None),
            Some(plan) => {
                // Valid UTF-8 piece by piece, so whole: checked once, in one pass.
                let text = std::str::from_utf8(&scratch.text).ok()?;
                let items = DataItems {
                    name: plan.name.as_deref(),
                    plan_id: plan.id,
                    repr: Repr::Direct {
                        plan: &plan.items,
                        items: &scratch.items,
                        text,
                        values: &scratch.values,
                        chunk,
                    },
                };
                visitor.usual(&system, Some(&items));
            }
        }
        Some(())
    }
}

/// The items of `plan` into `scratch`, as `Values::data_items` maps them; `None` where it
/// fails. `utf16`: a String substitution is kept as its units, not decoded; `scalars`: an
/// integer substitution is kept as a [`Scalar`], not decoded to a [`Value`].
fn collect(
    values: &mut Values<'_>,
    plan: &[ItemPlan],
    scratch: &mut VisitScratch,
    utf16: bool,
    scalars: bool,
) -> Option<()> {
    let VisitScratch {
        items,
        text,
        values: decoded,
        ..
    } = scratch;
    let push_text = |k: u16, s: &str, text: &mut Vec<u8>| -> Option<Item> {
        let from = u32::try_from(text.len()).ok()?;
        text.extend_from_slice(s.as_bytes());
        let to = u32::try_from(text.len()).ok()?;
        Some(Item::Text { plan: k, from, to })
    };
    for (k, item) in plan.iter().enumerate() {
        let k = u16::try_from(k).ok()?;
        match item {
            ItemPlan::Data { dep, content, .. } => {
                if values.dropped(*dep) {
                    continue;
                }
                let item = match content {
                    Content::Empty => push_text(k, "", text)?,
                    Content::Text(t) => push_text(k, t, text)?,
                    Content::Subst(i) => {
                        match values.spans.get_mut(usize::from(*i)) {
                            None => {
                                items.push(push_text(k, "", text)?);
                                continue;
                            }
                            Some(span) if span.ty == 0x01 => {
                                // A String, decoded as `decode` does, straight into `text`.
                                span.used = true;
                                let bytes = span.bytes(values.chunk)?;
                                if utf16 {
                                    items.push(Item::Utf16 {
                                        plan: k,
                                        from: u32::try_from(span.start()).ok()?,
                                        to: u32::try_from(span.start() + bytes.len()).ok()?,
                                    });
                                    continue;
                                }
                                let from = u32::try_from(text.len()).ok()?;
                                utf16_trimmed_append(bytes, text);
                                let to = u32::try_from(text.len()).ok()?;
                                items.push(Item::Text { plan: k, from, to });
                                continue;
                            }
                            Some(span) if scalars && span.ty == 0x13 => {
                                // Where `decode` finds it: in its bytes, else in the
                                // chunk from its start (a SID whose size is short).
                                let bytes = span.bytes(values.chunk)?;
                                let spill = values.chunk.get(span.start()..).unwrap_or_default();
                                if let Some(sid) = sid_in(bytes, spill) {
                                    span.used = true;
                                    let from = span.start();
                                    items.push(Item::Sid {
                                        plan: k,
                                        from: u32::try_from(from).ok()?,
                                        to: u32::try_from(from + sid.bytes().len()).ok()?,
                                    });
                                    continue;
                                }
                            }
                            Some(span) if scalars && span.ty == 0x0F => {
                                if guid_in(span.bytes(values.chunk)?).is_some() {
                                    span.used = true;
                                    let at = u32::try_from(span.start()).ok()?;
                                    items.push(Item::Guid { plan: k, at });
                                    continue;
                                }
                            }
                            Some(span) if scalars => {
                                // Read as `decode` reads it, when it is an integer.
                                let scalar = span
                                    .bytes(values.chunk)
                                    .and_then(|bytes| Scalar::read(span.ty, bytes));
                                if let Some(value) = scalar {
                                    span.used = true;
                                    items.push(Item::Scalar { plan: k, value });
                                    continue;
                                }
                            }
                            Some(_) => {}
                        }
                        match values.decode(*i)? {
                            None | Some(Value::Null) => push_text(k, "", text)?,
                            Some(Value::Array(array)) => {
                                // The element repeats once per item; an empty array leaves
                                // it once, empty.
                                let array = array.into_items();
                                if array.is_empty() {
                                    items.push(push_text(k, "", text)?);
                                }
                                for v in array {
                                    items.push(match v {
                                        Value::Null => push_text(k, "", text)?,
                                        Value::String(s) => push_text(k, &s, text)?,
                                        v => push_value(k, v, decoded)?,
                                    });
                                }
                                continue;
                            }
                            Some(Value::String(s)) => push_text(k, &s, text)?,
                            Some(v) => push_value(k, v, decoded)?,
                        }
                    }
                };
                items.push(item);
            }
            ItemPlan::Binary { dep, index } => {
                if values.dropped(*dep) {
                    continue;
                }
                let span = values.spans.get_mut(usize::from(*index))?;
                if span.ty != 0x0E {
                    return None;
                }
                span.used = true;
                let (from, to) = (span.start(), span.end());
                items.push(Item::Binary {
                    from: u32::try_from(from).ok()?,
                    to: u32::try_from(to).ok()?,
                });
            }
        }
    }
    Some(())
}

fn push_value(k: u16, v: Value, values: &mut Vec<Value>) -> Option<Item> {
    let at = u32::try_from(values.len()).ok()?;
    values.push(v);
    Some(Item::Value { plan: k, at })
}
