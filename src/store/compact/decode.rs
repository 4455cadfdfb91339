//! Reading a compact record back: the rest of its System fields, its body and its
//! RenderingInfo, through a bounds-checked [`Reader`] (K3), reusing a probe's allocations
//! where the record has the probe's shape.

use std::sync::Arc;

use super::*;
use crate::event::{
    Array, Attribute, Body, DataItem, Element, EventData, Node, SystemTime, Value, VariantType,
};

/// The most bodies of other shapes a probe keeps for reuse.
const SPARE_BODIES: usize = 16;

impl CompactRecords {
    /// The System fields the rest holds (Execution's extras), leaving the
    /// reader at the body.
    pub(super) fn read_rest_system(
        &self,
        row: &Row,
        system: &mut System,
        r: &mut Reader<'_>,
    ) -> Option<()> {
        if row.flags & HAS_EXECUTION_EXTRA != 0 {
            let execution = system.execution.get_or_insert_with(Execution::default);
            let present = r.u8()?;
            let field = |bit: u8| present & bit != 0;
            execution.processor_id = if field(1) { Some(r.u8()?) } else { None };
            execution.session_id = if field(2) { Some(r.var_u32()?) } else { None };
            execution.kernel_time = if field(4) { Some(r.var_u32()?) } else { None };
            execution.user_time = if field(8) { Some(r.var_u32()?) } else { None };
            execution.processor_time = if field(16) { Some(r.var()?) } else { None };
        }
        Some(())
    }

    /// The rest into `event`; with `spare`, bodies of other shapes kept for reuse (a probe's).
    pub(super) fn read_rest(
        &self,
        row: &Row,
        event: &mut Event,
        r: &mut Reader<'_>,
        spare: Option<&mut Vec<Body>>,
    ) -> Option<()> {
        self.read_rest_system(row, &mut event.system, r)?;
        if let Some(spare) = spare {
            self.take_body_of_shape(&mut event.body, r, spare)?;
        }
        self.read_body(&mut event.body, r, None)?;
        event.rendering_info = match r.u8()? {
            0 => None,
            _ => Some(self.read_element(r, 0)?),
        };
        Some(())
    }

    /// Puts in `body` the spare body of the record's shape (its EventData's item count and
    /// first Data name), keeping the one there among the spares, so that a scan over
    /// interleaved templates reuses each one's allocations. Reads nothing from `r`.
    fn take_body_of_shape(
        &self,
        body: &mut Body,
        r: &Reader<'_>,
        spare: &mut Vec<Body>,
    ) -> Option<()> {
        let mut peek = r.clone();
        if peek.u8()? != BODY_EVENT_DATA {
            return Some(());
        }
        self.opt_string(&mut peek)?;
        let count = peek.var_usize()?;
        let first = match count > 0 && peek.u8()? == ITEM_DATA {
            true => self.opt_string(&mut peek)?.map(|s| &**s),
            false => None,
        };
        let fits = |b: &Body| match b {
            Body::EventData(data) => {
                data.items.len() == count
                    && match data.items.first() {
                        Some(DataItem::Data { name, .. }) => name.as_deref() == first,
                        _ => first.is_none(),
                    }
            }
            _ => false,
        };
        if !fits(body) {
            match spare.iter().position(fits) {
                Some(at) => std::mem::swap(body, &mut spare[at]),
                None if spare.len() < SPARE_BODIES => spare.push(std::mem::take(body)),
                None => {}
            }
        }
        Some(())
    }

    /// The body into `body`, reusing its allocations where the record has the same shape
    /// (the common case in a scan: every record of a template has the same Data names).
    /// With `only`, just the EventData items a filter naming those `<Data>` names can read
    /// (`Reads::Data`), and no other kind of body.
    pub(super) fn read_body(
        &self,
        body: &mut Body,
        r: &mut Reader<'_>,
        only: Option<DataNames<'_>>,
    ) -> Option<()> {
        match r.u8()? {
            BODY_NONE => *body = Body::None,
            BODY_EVENT_DATA => {
                if !matches!(body, Body::EventData(_)) {
                    *body = Body::EventData(EventData::default());
                }
                let Body::EventData(data) = body else {
                    return None;
                };
                data.name = self.opt_string(r)?.map(|s| String::from(&**s));
                let count = r.var_usize()?;
                if only.is_none() {
                    data.items.truncate(count);
                }
                let mut at = 0;
                for _ in 0..count {
                    let tag = r.u8()?;
                    if let Some(only) = only {
                        // Binary items and Data items of other names are passed over; a
                        // generic element may be a `<Data>` and is kept.
                        match tag {
                            ITEM_DATA => {
                                let before = r.clone();
                                let name = self.opt_string(r)?;
                                if !name.is_some_and(|n| only.wants(n)) {
                                    skip_value(r)?;
                                    continue;
                                }
                                *r = before;
                            }
                            ITEM_BINARY => {
                                r.bytes()?;
                                continue;
                            }
                            _ => {}
                        }
                    }
                    if let Some(DataItem::Data { name, value }) = data.items.get_mut(at) {
                        if tag == ITEM_DATA {
                            let new = self.opt_string(r)?;
                            let same = match (&new, &*name) {
                                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                                (None, None) => true,
                                _ => false,
                            };
                            if !same {
                                *name = new.cloned();
                            }
                            self.read_value_into(r, value)?;
                            at += 1;
                            continue;
                        }
                    }
                    let item = self.read_item(tag, r)?;
                    match data.items.get_mut(at) {
                        Some(slot) => *slot = item,
                        None => data.items.push(item),
                    }
                    at += 1;
                }
                data.items.truncate(at);
            }
            // A filter reading only named `<Data>` finds none in another body.
            _ if only.is_some() => *body = Body::None,
            BODY_USER_DATA => {
                let count = r.var_usize()?;
                let mut nodes = Vec::with_capacity(count.min(r.remaining()));
                for _ in 0..count {
                    nodes.push(self.read_node(r, 0)?);
                }
                *body = Body::UserData(nodes);
            }
            BODY_OTHER => *body = Body::Other(self.read_element(r, 0)?),
            _ => return None,
        }
        Some(())
    }

    fn read_item(&self, tag: u8, r: &mut Reader<'_>) -> Option<DataItem> {
        Some(match tag {
            ITEM_DATA => DataItem::Data {
                name: self.opt_string(r)?.cloned(),
                value: self.read_value(r)?,
            },
            ITEM_BINARY => DataItem::Binary(r.bytes()?.to_vec()),
            ITEM_ELEMENT => DataItem::Element(self.read_element(r, 0)?),
            _ => return None,
        })
    }

    fn opt_string(&self, r: &mut Reader<'_>) -> Option<Option<&Arc<str>>> {
        match r.var_u32()? {
            0 => Some(None),
            n => self.strings.get((n - 1) as usize).map(Some),
        }
    }

    fn read_element(&self, r: &mut Reader<'_>, depth: usize) -> Option<Element> {
        if depth > MAX_TREE_DEPTH {
            return None;
        }
        let name = String::from(&**self.opt_string(r)??);
        let attributes = (0..r.var_usize()?)
            .map(|_| {
                Some(Attribute {
                    name: String::from(&**self.opt_string(r)??),
                    value: self.read_value(r)?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        let children = (0..r.var_usize()?)
            .map(|_| self.read_node(r, depth + 1))
            .collect::<Option<Vec<_>>>()?;
        Some(Element {
            name,
            attributes,
            children,
        })
    }

    fn read_node(&self, r: &mut Reader<'_>, depth: usize) -> Option<Node> {
        Some(match r.u8()? {
            NODE_ELEMENT => Node::Element(self.read_element(r, depth)?),
            NODE_VALUE => Node::Value(self.read_value(r)?),
            NODE_CDATA => Node::CData(r.str()?.to_owned()),
            NODE_PI => Node::ProcessingInstruction {
                target: r.str()?.to_owned(),
                data: r.str()?.to_owned(),
            },
            _ => return None,
        })
    }

    /// A value into `value`, reusing a string's allocation when both are strings.
    fn read_value_into(&self, r: &mut Reader<'_>, value: &mut Value) -> Option<()> {
        if let Value::String(s) = value {
            if r.peek()? == VariantType::String as u8 {
                r.u8()?;
                s.set(r.str()?);
                return Some(());
            }
        }
        *value = self.read_value(r)?;
        Some(())
    }

    fn read_value(&self, r: &mut Reader<'_>) -> Option<Value> {
        let tag = r.u8()?;
        if tag == ARRAY_TAG {
            let element_type = VariantType::from_raw(u32::from(r.u8()?))?;
            let items = (0..r.var_usize()?)
                .map(|_| self.read_value(r))
                .collect::<Option<Vec<_>>>()?;
            return Array::new(element_type, items).map(Value::Array);
        }
        let ty = VariantType::from_raw(u32::from(tag))?;
        Some(match ty {
            VariantType::Null => Value::Null,
            VariantType::String => Value::String(r.str()?.into()),
            VariantType::AnsiString => Value::AnsiString(r.str()?.into()),
            VariantType::EvtXml => Value::Xml(r.str()?.into()),
            VariantType::SByte => Value::SByte(r.u8()? as i8),
            VariantType::Byte => Value::Byte(r.u8()?),
            VariantType::Boolean => Value::Boolean(r.u8()? != 0),
            VariantType::Int16 => Value::Int16(unzigzag(r.var()?) as i16),
            VariantType::UInt16 => Value::UInt16(r.var()? as u16),
            VariantType::Int32 => Value::Int32(unzigzag(r.var()?) as i32),
            VariantType::UInt32 => Value::UInt32(r.var_u32()?),
            VariantType::HexInt32 => Value::HexInt32(r.var_u32()?),
            VariantType::Int64 => Value::Int64(unzigzag(r.var()?)),
            VariantType::UInt64 => Value::UInt64(r.var()?),
            VariantType::SizeT => Value::SizeT(r.var()?),
            VariantType::HexInt64 => Value::HexInt64(r.var()?),
            VariantType::Single => Value::Single(f32::from_bits(r.u32_le()?)),
            VariantType::Double => Value::Double(f64::from_bits(r.u64_le()?)),
            VariantType::FileTime => Value::FileTime(FileTime(r.u64_le()?)),
            VariantType::Binary => Value::Binary(r.bytes()?.to_vec()),
            VariantType::Guid => Value::Guid(*self.guids.get(r.var_usize()?)?),
            VariantType::Sid => Value::Sid(self.sids.get(r.var_usize()?)?.clone()),
            VariantType::SysTime => {
                let mut f = [0u16; 8];
                for w in &mut f {
                    *w = r.var()? as u16;
                }
                Value::SysTime(SystemTime {
                    year: f[0],
                    month: f[1],
                    day_of_week: f[2],
                    day: f[3],
                    hour: f[4],
                    minute: f[5],
                    second: f[6],
                    milliseconds: f[7],
                })
            }
            VariantType::EvtHandle => return None,
        })
    }
}

/// Passes over one value (as `read_value` reads it) without making it.
fn skip_value(r: &mut Reader<'_>) -> Option<()> {
    let tag = r.u8()?;
    if tag == ARRAY_TAG {
        r.u8()?;
        for _ in 0..r.var_usize()? {
            skip_value(r)?;
        }
        return Some(());
    }
    match VariantType::from_raw(u32::from(tag))? {
        VariantType::Null => {}
        VariantType::String
        | VariantType::AnsiString
        | VariantType::EvtXml
        | VariantType::Binary => {
            r.bytes()?;
        }
        VariantType::SByte | VariantType::Byte | VariantType::Boolean => {
            r.u8()?;
        }
        VariantType::Single => {
            r.u32_le()?;
        }
        VariantType::Double | VariantType::FileTime => {
            r.u64_le()?;
        }
        VariantType::SysTime => {
            for _ in 0..8 {
                r.var()?;
            }
        }
        VariantType::Int16
        | VariantType::UInt16
        | VariantType::Int32
        | VariantType::UInt32
        | VariantType::HexInt32
        | VariantType::Int64
        | VariantType::UInt64
        | VariantType::SizeT
        | VariantType::HexInt64
        | VariantType::Guid
        | VariantType::Sid => {
            r.var()?;
        }
        VariantType::EvtHandle => return None,
    }
    Some(())
}

/// A bounds-checked reader of a record's rest (K3).
#[derive(Clone)]
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { bytes, pos: 0 }
    }

    fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let out = self.bytes.get(self.pos..end)?;
        self.pos = end;
        Some(out)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn u8(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    fn u32_le(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }

    fn u64_le(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    fn var(&mut self) -> Option<u64> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.u8()?;
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(n);
            }
        }
        None
    }

    fn var_u32(&mut self) -> Option<u32> {
        u32::try_from(self.var()?).ok()
    }

    fn var_usize(&mut self) -> Option<usize> {
        usize::try_from(self.var()?).ok()
    }

    fn bytes(&mut self) -> Option<&'a [u8]> {
        let n = self.var_usize()?;
        self.take(n)
    }

    fn str(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.bytes()?).ok()
    }
}
