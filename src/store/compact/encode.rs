//! Encoding a store chunk's events compact: each record's System columns ([`Row`]) and its
//! rest, the chunk's repeated strings, GUIDs and SIDs interned in tables (K1).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use super::*;
use crate::event::{DataItem, Element, Node, Value};

/// FNV-1a: the tables hash short keys (names, GUIDs, SIDs) a few dozen times a record, where
/// the standard hasher's resistance to chosen keys costs more than the encoding itself; the
/// keys are the process's own events, and a collision costs time, never correctness.
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

/// A table of one chunk's distinct entries, each held once.
pub(super) struct Table<T> {
    pub(super) items: Vec<T>,
    index: FnvMap<T, u16>,
}

impl<T> Default for Table<T> {
    fn default() -> Table<T> {
        Table {
            items: Vec::new(),
            index: FnvMap::default(),
        }
    }
}

impl<T: Clone + Eq + std::hash::Hash> Table<T> {
    /// The entry's index; `None` once the table is full (K1: the record is kept).
    fn intern(&mut self, item: &T) -> Option<u16> {
        if let Some(&i) = self.index.get(item) {
            return Some(i);
        }
        let i = u16::try_from(self.items.len())
            .ok()
            .filter(|&i| i < NONE - 1)?;
        self.items.push(item.clone());
        self.index.insert(item.clone(), i);
        Some(i)
    }
}

pub(super) struct Encoder {
    pub(super) bytes: Vec<u8>,
    pub(super) strings: Table<Arc<str>>,
    pub(super) guids: Table<Guid>,
    pub(super) sids: Table<Sid>,
    /// Shared names (a template's Data names) by address: the events being encoded hold
    /// them, so an address stands for one string while the encoder lives.
    shared: FnvMap<usize, u16>,
    /// The last index given for each System string field: consecutive records mostly
    /// repeat their provider, channel and computer.
    recent: [u16; 4],
}

impl Default for Encoder {
    fn default() -> Encoder {
        Encoder {
            bytes: Vec::new(),
            strings: Table::default(),
            guids: Table::default(),
            sids: Table::default(),
            shared: FnvMap::default(),
            recent: [NONE; 4],
        }
    }
}

impl Encoder {
    fn string(&mut self, s: &str) -> Option<u16> {
        if let Some(&i) = self.strings.index.get(s) {
            return Some(i);
        }
        self.strings.intern(&Arc::from(s))
    }

    /// A System string field's index (`field` names the field's slot in `recent`).
    fn system_string(&mut self, s: Option<&str>, field: usize) -> Option<u16> {
        let Some(s) = s else { return Some(NONE) };
        let last = self.recent.get(field).copied().unwrap_or(NONE);
        if self
            .strings
            .items
            .get(usize::from(last))
            .is_some_and(|l| **l == *s)
        {
            return Some(last);
        }
        let i = self.string(s)?;
        if let Some(slot) = self.recent.get_mut(field) {
            *slot = i;
        }
        Some(i)
    }

    fn shared(&mut self, s: &Arc<str>) -> Option<u16> {
        let at = Arc::as_ptr(s).cast::<u8>() as usize;
        if let Some(&i) = self.shared.get(&at) {
            return Some(i);
        }
        let i = self.strings.intern(s)?;
        self.shared.insert(at, i);
        Some(i)
    }

    /// `event`'s row, its rest appended to `bytes`; `None` if it must be kept (K1).
    pub(super) fn record(&mut self, event: &Event, id: u64) -> Option<Row> {
        let s = &event.system;
        let mut flags = 0;
        let mut set = |bit: u16, present: bool| {
            if present {
                flags |= bit;
            }
        };
        set(HAS_TIME, s.time_created.is_some());
        set(HAS_KEYWORDS, s.keywords.is_some());
        set(HAS_EXECUTION, s.execution.is_some());
        set(HAS_QUALIFIERS, s.qualifiers.is_some());
        set(HAS_VERSION, s.version.is_some());
        set(HAS_LEVEL, s.level.is_some());
        set(HAS_TASK, s.task.is_some());
        set(HAS_OPCODE, s.opcode.is_some());
        set(HAS_SECURITY, s.security.is_some());
        set(HAS_CORRELATION, s.correlation.is_some());
        match s.event_record_id {
            Some(own) if own == id => flags |= HAS_RECORD_ID,
            Some(_) => return None,
            None => {}
        }
        let execution = s.execution.unwrap_or_default();
        let extra = [
            execution.processor_id.is_some(),
            execution.session_id.is_some(),
            execution.kernel_time.is_some(),
            execution.user_time.is_some(),
            execution.processor_time.is_some(),
        ];
        if extra.iter().any(|&b| b) {
            flags |= HAS_EXECUTION_EXTRA;
        }
        let row = Row {
            time: s.time_created.map_or(0, |t| t.0),
            keywords: s.keywords.unwrap_or(0),
            process_id: execution.process_id,
            thread_id: execution.thread_id,
            event_id: s.event_id,
            qualifiers: s.qualifiers.unwrap_or(0),
            task: s.task.unwrap_or(0),
            flags,
            provider_name: self.system_string(s.provider.name.as_deref(), 0)?,
            provider_guid: self.opt_guid(s.provider.guid)?,
            event_source_name: self.system_string(s.provider.event_source_name.as_deref(), 1)?,
            channel: self.system_string(s.channel.as_deref(), 2)?,
            computer: self.system_string(s.computer.as_deref(), 3)?,
            user: match s.security.as_ref().and_then(|sec| sec.user_id.as_ref()) {
                Some(sid) => self.sids.intern(sid)?,
                None => NONE,
            },
            activity_id: self.opt_guid(s.correlation.and_then(|c| c.activity_id))?,
            related_activity_id: self
                .opt_guid(s.correlation.and_then(|c| c.related_activity_id))?,
            version: s.version.unwrap_or(0),
            level: s.level.unwrap_or(0),
            opcode: s.opcode.unwrap_or(0),
        };
        if flags & HAS_EXECUTION_EXTRA != 0 {
            let present = extra
                .iter()
                .enumerate()
                .fold(0u8, |acc, (i, &b)| acc | (u8::from(b) << i));
            self.bytes.push(present);
            if let Some(p) = execution.processor_id {
                self.bytes.push(p);
            }
            for v in [
                execution.session_id,
                execution.kernel_time,
                execution.user_time,
            ]
            .into_iter()
            .flatten()
            {
                self.var(u64::from(v));
            }
            if let Some(t) = execution.processor_time {
                self.var(t);
            }
        }
        self.body(&event.body)?;
        match &event.rendering_info {
            None => self.bytes.push(0),
            Some(info) => {
                self.bytes.push(1);
                self.element(info, 0)?;
            }
        }
        Some(row)
    }

    fn opt_guid(&mut self, g: Option<Guid>) -> Option<u16> {
        g.map_or(Some(NONE), |g| self.guids.intern(&g))
    }

    fn body(&mut self, body: &Body) -> Option<()> {
        match body {
            Body::None => self.bytes.push(BODY_NONE),
            Body::EventData(data) => {
                self.bytes.push(BODY_EVENT_DATA);
                self.name_ref(data.name.as_deref())?;
                self.var(data.items.len() as u64);
                for item in &data.items {
                    match item {
                        DataItem::Data { name, value } => {
                            self.bytes.push(ITEM_DATA);
                            match name {
                                None => self.var(0),
                                Some(n) => {
                                    let i = self.shared(n)?;
                                    self.var(u64::from(i) + 1);
                                }
                            }
                            self.value(value)?;
                        }
                        DataItem::Binary(b) => {
                            self.bytes.push(ITEM_BINARY);
                            self.blob(b);
                        }
                        DataItem::Element(e) => {
                            self.bytes.push(ITEM_ELEMENT);
                            self.element(e, 0)?;
                        }
                    }
                }
            }
            Body::UserData(nodes) => {
                self.bytes.push(BODY_USER_DATA);
                self.var(nodes.len() as u64);
                for node in nodes {
                    self.node(node, 0)?;
                }
            }
            Body::Other(e) => {
                self.bytes.push(BODY_OTHER);
                self.element(e, 0)?;
            }
        }
        Some(())
    }

    /// A string by its table index plus one (0: none).
    fn name_ref(&mut self, s: Option<&str>) -> Option<()> {
        match s {
            None => self.var(0),
            Some(s) => {
                let i = self.string(s)?;
                self.var(u64::from(i) + 1);
            }
        }
        Some(())
    }

    fn element(&mut self, e: &Element, depth: usize) -> Option<()> {
        if depth > MAX_TREE_DEPTH {
            return None;
        }
        self.name_ref(Some(&e.name))?;
        self.var(e.attributes.len() as u64);
        for a in &e.attributes {
            self.name_ref(Some(&a.name))?;
            self.value(&a.value)?;
        }
        self.var(e.children.len() as u64);
        for child in &e.children {
            self.node(child, depth + 1)?;
        }
        Some(())
    }

    fn node(&mut self, node: &Node, depth: usize) -> Option<()> {
        match node {
            Node::Element(e) => {
                self.bytes.push(NODE_ELEMENT);
                self.element(e, depth)?;
            }
            Node::Value(v) => {
                self.bytes.push(NODE_VALUE);
                self.value(v)?;
            }
            Node::CData(s) => {
                self.bytes.push(NODE_CDATA);
                self.blob(s.as_bytes());
            }
            Node::ProcessingInstruction { target, data } => {
                self.bytes.push(NODE_PI);
                self.blob(target.as_bytes());
                self.blob(data.as_bytes());
            }
        }
        Some(())
    }

    fn value(&mut self, v: &Value) -> Option<()> {
        if let Value::Array(a) = v {
            self.bytes.push(ARRAY_TAG);
            self.bytes.push(a.element_type() as u8);
            self.var(a.items().len() as u64);
            for item in a.items() {
                self.value(item)?;
            }
            return Some(());
        }
        self.bytes.push(v.variant_type() as u8);
        match v {
            Value::Null => {}
            Value::String(s) | Value::AnsiString(s) | Value::Xml(s) => self.blob(s.as_bytes()),
            Value::SByte(n) => self.bytes.push(*n as u8),
            Value::Byte(n) => self.bytes.push(*n),
            Value::Boolean(b) => self.bytes.push(u8::from(*b)),
            Value::Int16(n) => self.var(zigzag(i64::from(*n))),
            Value::UInt16(n) => self.var(u64::from(*n)),
            Value::Int32(n) => self.var(zigzag(i64::from(*n))),
            Value::UInt32(n) | Value::HexInt32(n) => self.var(u64::from(*n)),
            Value::Int64(n) => self.var(zigzag(*n)),
            Value::UInt64(n) | Value::SizeT(n) | Value::HexInt64(n) => self.var(*n),
            Value::Single(f) => self.bytes.extend_from_slice(&f.to_bits().to_le_bytes()),
            Value::Double(f) => self.bytes.extend_from_slice(&f.to_bits().to_le_bytes()),
            Value::FileTime(t) => self.bytes.extend_from_slice(&t.0.to_le_bytes()),
            Value::Binary(b) => self.blob(b),
            Value::Guid(g) => {
                let i = self.guids.intern(g)?;
                self.var(u64::from(i));
            }
            Value::Sid(s) => {
                let i = self.sids.intern(s)?;
                self.var(u64::from(i));
            }
            Value::SysTime(t) => {
                for w in [
                    t.year,
                    t.month,
                    t.day_of_week,
                    t.day,
                    t.hour,
                    t.minute,
                    t.second,
                    t.milliseconds,
                ] {
                    self.var(u64::from(w));
                }
            }
            Value::Array(_) => return None,
        }
        Some(())
    }

    fn blob(&mut self, b: &[u8]) {
        self.var(b.len() as u64);
        self.bytes.extend_from_slice(b);
    }

    fn var(&mut self, mut n: u64) {
        while n >= 0x80 {
            self.bytes.push((n as u8) | 0x80);
            n >>= 7;
        }
        self.bytes.push(n as u8);
    }
}
