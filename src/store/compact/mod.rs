//! Compact records: how an in-memory store holds a sealed chunk once it leaves the store's hot
//! window (`memory.rs`): each record's `<System>` fields a filter reads as a fixed row of
//! columns, and the rest (the other System fields, the body, RenderingInfo) as bytes, with
//! the chunk's repeated strings, GUIDs and SIDs (provider, channel, computer, Data names,
//! element names, users) held once per chunk. A generated Security event takes ~2,700
//! bytes as an [`Event`] and ~850 as an EVTX record; compact, a few hundred.
//!
//! Owns the encoding ([`CompactRecords::encode`]), making an event back from it
//! ([`CompactRecords::make`]), and filling a scan's reusable probe event from it
//! ([`CompactRecords::fill`]), so that a scan evaluates filters without making events.
//!
//! Invariants:
//! - K1. Exact: making record `i` gives back the event that was encoded, field for field
//!   (floats by their bits). A record the encoding cannot hold (an element tree deeper than
//!   [`MAX_TREE_DEPTH`], a chunk whose tables would pass `u16` indices, a record id that is
//!   not its position) is kept as its event.
//! - K2. The probe a scan fills for record `i` equals the made event in every System child
//!   the filter reads (all of them when it may read anything of the body); its body equals
//!   the made event's when the filter may read anything of it, and holds the made event's
//!   EventData items a filter reading only `Data[@Name = n]` can read (those so named, and
//!   generic elements) when that is all it reads. The filter therefore answers on the probe
//!   as on the event.
//! - K3. The bytes are this module's own: decoding reads them with bounds checks and never
//!   panics; a record it could not decode (which K1 rules out) reads as the default event.

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use crate::event::{
    Body, Correlation, Event, Execution, FileTime, Guid, Security, Sid, System, SystemChild,
    SystemFields,
};

mod decode;
mod encode;

use decode::Reader;
use encode::Encoder;

/// Element trees deeper than this keep their record as an event (K1): encoding and making
/// them recurse once per level.
pub(crate) const MAX_TREE_DEPTH: usize = 64;

/// "No entry": an absent string, GUID or SID in a row.
pub(super) const NONE: u16 = u16::MAX;

// Row flags: which optional System fields are present.
const HAS_TIME: u16 = 1;
const HAS_KEYWORDS: u16 = 1 << 1;
const HAS_EXECUTION: u16 = 1 << 2;
const HAS_QUALIFIERS: u16 = 1 << 3;
const HAS_VERSION: u16 = 1 << 4;
const HAS_LEVEL: u16 = 1 << 5;
const HAS_TASK: u16 = 1 << 6;
const HAS_OPCODE: u16 = 1 << 7;
const HAS_RECORD_ID: u16 = 1 << 8;
const HAS_SECURITY: u16 = 1 << 9;
const HAS_CORRELATION: u16 = 1 << 10;
/// The rest holds the Execution attributes beyond ProcessID and ThreadID.
const HAS_EXECUTION_EXTRA: u16 = 1 << 11;
/// The record is kept as its event (K1): `kept` holds it.
const KEPT: u16 = 1 << 15;

/// One record's `<System>` columns (K2).
#[derive(Clone, Copy, Debug, Default)]
struct Row {
    time: u64,
    keywords: u64,
    process_id: u32,
    thread_id: u32,
    event_id: u16,
    qualifiers: u16,
    task: u16,
    flags: u16,
    provider_name: u16,
    provider_guid: u16,
    event_source_name: u16,
    channel: u16,
    computer: u16,
    user: u16,
    activity_id: u16,
    related_activity_id: u16,
    version: u8,
    level: u8,
    opcode: u8,
}

/// A probe's owner when its keys refer to no records.
const NO_OWNER: u64 = 0;

/// Serials of compact records, from 1 (a probe's keys name the records they refer to).
static SERIALS: AtomicU64 = AtomicU64::new(1);

/// A sealed chunk's records, compact.
pub(crate) struct CompactRecords {
    /// Unique in the process (see [`Probe`]).
    serial: u64,
    first_record_id: u64,
    rows: Box<[Row]>,
    /// Record `i`'s rest is `bytes[ends[i - 1]..ends[i]]` (from 0 for the first).
    ends: Box<[u32]>,
    bytes: Box<[u8]>,
    strings: Box<[Arc<str>]>,
    guids: Box<[Guid]>,
    sids: Box<[Sid]>,
    /// Records kept as events, by index (K1).
    kept: Box<[(u32, Event)]>,
}

impl CompactRecords {
    /// Encodes `events`, whose record ids are `first_record_id..` in order (a store chunk's,
    /// C3).
    pub(crate) fn encode<'a>(
        first_record_id: u64,
        events: impl ExactSizeIterator<Item = &'a Event>,
    ) -> CompactRecords {
        let mut encoder = Encoder::default();
        let mut rows = Vec::with_capacity(events.len());
        let mut ends = Vec::with_capacity(events.len());
        let mut kept = Vec::new();
        for (i, event) in events.enumerate() {
            let start = encoder.bytes.len();
            let id = first_record_id + i as u64;
            let row = encoder.record(event, id).unwrap_or_else(|| {
                encoder.bytes.truncate(start);
                kept.push((i as u32, event.clone()));
                Row {
                    flags: KEPT,
                    ..Row::default()
                }
            });
            rows.push(row);
            ends.push(u32::try_from(encoder.bytes.len()).unwrap_or(u32::MAX));
        }
        CompactRecords {
            serial: SERIALS.fetch_add(1, Ordering::Relaxed),
            first_record_id,
            rows: rows.into_boxed_slice(),
            ends: ends.into_boxed_slice(),
            bytes: encoder.bytes.into_boxed_slice(),
            strings: encoder.strings.items.into_boxed_slice(),
            guids: encoder.guids.items.into_boxed_slice(),
            sids: encoder.sids.items.into_boxed_slice(),
            kept: kept.into_boxed_slice(),
        }
    }

    /// The number of records.
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// Record `index`'s `TimeCreated`, from its row.
    pub(crate) fn time_created(&self, index: usize) -> Option<FileTime> {
        let row = self.rows.get(index)?;
        if row.flags & KEPT != 0 {
            return self.kept_event(index)?.system.time_created;
        }
        (row.flags & HAS_TIME != 0).then_some(FileTime(row.time))
    }

    fn kept_event(&self, index: usize) -> Option<&Event> {
        let at = self
            .kept
            .binary_search_by_key(&(index as u32), |k| k.0)
            .ok()?;
        self.kept.get(at).map(|k| &k.1)
    }

    fn rest(&self, index: usize) -> &[u8] {
        let start = index
            .checked_sub(1)
            .and_then(|i| self.ends.get(i))
            .map_or(0, |&e| e as usize);
        let end = self.ends.get(index).map_or(start, |&e| e as usize);
        self.bytes.get(start..end).unwrap_or_default()
    }

    /// Makes record `index`'s event (K1); `None` past the end.
    pub(crate) fn make(&self, index: usize) -> Option<Event> {
        let row = *self.rows.get(index)?;
        if row.flags & KEPT != 0 {
            return self.kept_event(index).cloned();
        }
        let mut event = Event::default();
        let mut keys = SystemKeys::default();
        self.fill_system(index, &row, SystemFields::ALL, &mut event.system, &mut keys);
        let mut reader = Reader::new(self.rest(index));
        if self
            .read_rest(&row, &mut event, &mut reader, None)
            .is_none()
        {
            return Some(Event::default());
        }
        Some(event)
    }

    /// Appends record `index`'s XML (`Event::write_xml` of the made event) to `out`, through
    /// the thread's reused probe: no event is made.
    pub(crate) fn write_xml(&self, index: usize, out: &mut String) {
        thread_local! {
            static RENDER: RefCell<Probe> = RefCell::new(Probe::default());
        }
        RENDER.with(|probe| match probe.try_borrow_mut() {
            Ok(mut probe) => {
                if let Some(event) = self.fill(index, Reads::All, SystemFields::ALL, &mut probe) {
                    event.write_xml(out);
                }
            }
            // Not reached (rendering calls back into no store); made, to be safe.
            Err(_) => {
                if let Some(event) = self.make(index) {
                    event.write_xml(out);
                }
            }
        });
    }

    /// Fills `probe` with record `index` for a filter: its System fields (the strings,
    /// GUIDs and SIDs among them only where `fields` names them, unless it reads anything of
    /// the body), and what `reads` says of its body (K2). Returns the event to evaluate: the probe, or a
    /// kept event as it is.
    pub(crate) fn fill<'a>(
        &'a self,
        index: usize,
        reads: Reads<'_>,
        fields: SystemFields,
        probe: &'a mut Probe,
    ) -> Option<&'a Event> {
        let row = *self.rows.get(index)?;
        if row.flags & KEPT != 0 {
            return self.kept_event(index);
        }
        if probe.owner != self.serial {
            probe.owner = self.serial;
            probe.keys = SystemKeys::default();
        }
        let fields = match reads {
            Reads::System | Reads::Data(_) => fields,
            Reads::All => SystemFields::ALL,
        };
        self.fill_system(
            index,
            &row,
            fields,
            &mut probe.event.system,
            &mut probe.keys,
        );
        let event = &mut probe.event;
        let read = match reads {
            Reads::All => {
                let mut reader = Reader::new(self.rest(index));
                self.read_rest(&row, event, &mut reader, Some(&mut probe.spare))
            }
            Reads::Data(names) => {
                let mut reader = Reader::new(self.rest(index));
                self.read_rest_system(&row, &mut event.system, &mut reader)
                    .and_then(|()| self.read_body(&mut event.body, &mut reader, Some(names)))
                    .map(|()| event.rendering_info = None)
            }
            Reads::System => {
                // The body is not read (K2).
                if !matches!(event.body, Body::None) {
                    event.body = Body::None;
                }
                event.rendering_info = None;
                if row.flags & HAS_EXECUTION_EXTRA != 0
                    && fields.reads(SystemChild::Execution.bit())
                {
                    let mut reader = Reader::new(self.rest(index));
                    self.read_rest_system(&row, &mut event.system, &mut reader)
                } else {
                    Some(())
                }
            }
        };
        if read.is_none() {
            *event = Event::default();
            probe.owner = NO_OWNER;
        }
        Some(&probe.event)
    }

    fn string(&self, index: u16) -> Option<&Arc<str>> {
        self.strings.get(usize::from(index))
    }

    /// The row's System fields into `system`, strings set only where `keys` says they differ.
    fn fill_system(
        &self,
        index: usize,
        row: &Row,
        fields: SystemFields,
        system: &mut System,
        keys: &mut SystemKeys,
    ) {
        let reads = |child: SystemChild| fields.reads(child.bit());
        let flag = |bit: u16| row.flags & bit != 0;
        system.event_id = row.event_id;
        // Each child only where the filter reads it: a run of System-only filters reads few.
        if reads(SystemChild::EventId) {
            system.qualifiers = flag(HAS_QUALIFIERS).then_some(row.qualifiers);
        }
        if reads(SystemChild::Version) {
            system.version = flag(HAS_VERSION).then_some(row.version);
        }
        if reads(SystemChild::Level) {
            system.level = flag(HAS_LEVEL).then_some(row.level);
        }
        if reads(SystemChild::Task) {
            system.task = flag(HAS_TASK).then_some(row.task);
        }
        if reads(SystemChild::Opcode) {
            system.opcode = flag(HAS_OPCODE).then_some(row.opcode);
        }
        if reads(SystemChild::Keywords) {
            system.keywords = flag(HAS_KEYWORDS).then_some(row.keywords);
        }
        if reads(SystemChild::TimeCreated) {
            system.time_created = flag(HAS_TIME).then_some(FileTime(row.time));
        }
        if reads(SystemChild::EventRecordId) {
            system.event_record_id =
                flag(HAS_RECORD_ID).then_some(self.first_record_id + index as u64);
        }
        if reads(SystemChild::Execution) {
            system.execution = flag(HAS_EXECUTION).then_some(Execution {
                process_id: row.process_id,
                thread_id: row.thread_id,
                ..Execution::default()
            });
        }
        let guid = |at: u16| self.guids.get(usize::from(at)).copied();
        if reads(SystemChild::Correlation) {
            system.correlation = flag(HAS_CORRELATION).then(|| Correlation {
                activity_id: guid(row.activity_id),
                related_activity_id: guid(row.related_activity_id),
            });
        }
        // A string is copied into the probe's own allocation only when it changes.
        let set_string = |key: &mut u16, new: u16, field: &mut Option<String>| {
            if *key != new || (new != NONE) != field.is_some() {
                *key = new;
                match (self.string(new), field.as_mut()) {
                    (Some(s), Some(f)) => {
                        f.clear();
                        f.push_str(s);
                    }
                    (s, _) => *field = s.map(|s| String::from(&**s)),
                }
            }
        };
        // A shared text is a count taken on the store's own copy.
        let set_shared = |key: &mut u16, new: u16, field: &mut Option<Arc<str>>| {
            if *key != new || (new != NONE) != field.is_some() {
                *key = new;
                *field = self.string(new).cloned();
            }
        };
        if reads(SystemChild::Provider) {
            set_shared(
                &mut keys.provider_name,
                row.provider_name,
                &mut system.provider.name,
            );
            set_string(
                &mut keys.event_source_name,
                row.event_source_name,
                &mut system.provider.event_source_name,
            );
            system.provider.guid = guid(row.provider_guid);
        }
        if reads(SystemChild::Channel) {
            set_shared(&mut keys.channel, row.channel, &mut system.channel);
        }
        if reads(SystemChild::Computer) {
            set_shared(&mut keys.computer, row.computer, &mut system.computer);
        }
        if !reads(SystemChild::Security) {
            return;
        }
        if flag(HAS_SECURITY) {
            let same = keys.user == row.user
                && matches!(&system.security, Some(s) if s.user_id.is_some() == (row.user != NONE));
            if !same {
                keys.user = row.user;
                system.security = Some(Security {
                    user_id: self.sids.get(usize::from(row.user)).cloned(),
                });
            }
        } else {
            system.security = None;
        }
    }
}

/// What a filter reads of a record beyond its System columns.
#[derive(Clone, Copy)]
pub(crate) enum Reads<'a> {
    /// Nothing: only `<System>`.
    System,
    /// Only `EventData/Data[@Name = n]` for these names.
    Data(DataNames<'a>),
    /// Anything.
    All,
}

/// The `<Data>` names a filter reads, and how it compares names.
#[derive(Clone, Copy)]
pub(crate) struct DataNames<'a> {
    pub(crate) names: &'a [String],
    pub(crate) matches: fn(&str, &str) -> bool,
}

impl DataNames<'_> {
    fn wants(&self, name: &str) -> bool {
        self.names.iter().any(|n| (self.matches)(name, n))
    }
}

/// A scan's reusable event for [`CompactRecords::fill`], and which table entries its
/// System strings hold (so that a run of records from one provider sets them once).
#[derive(Default)]
pub(crate) struct Probe {
    event: Event,
    /// The serial of the records the keys refer to ([`NO_OWNER`]: none). A serial, not an
    /// address: a chunk freed and another made at its address must not pass for it.
    owner: u64,
    keys: SystemKeys,
    /// Bodies of other shapes, for reuse (decode.rs `take_body_of_shape`).
    spare: Vec<Body>,
}

#[derive(Clone, Copy)]
struct SystemKeys {
    provider_name: u16,
    event_source_name: u16,
    channel: u16,
    computer: u16,
    user: u16,
}

impl Default for SystemKeys {
    /// Keys no row holds, so the first fill sets every string.
    fn default() -> SystemKeys {
        SystemKeys {
            provider_name: NONE - 1,
            event_source_name: NONE - 1,
            channel: NONE - 1,
            computer: NONE - 1,
            user: NONE - 1,
        }
    }
}

const BODY_NONE: u8 = 0;
const BODY_EVENT_DATA: u8 = 1;
const BODY_USER_DATA: u8 = 2;
const BODY_OTHER: u8 = 3;
const ITEM_DATA: u8 = 0;
const ITEM_BINARY: u8 = 1;
const ITEM_ELEMENT: u8 = 2;
const NODE_ELEMENT: u8 = 0;
const NODE_VALUE: u8 = 1;
const NODE_CDATA: u8 = 2;
const NODE_PI: u8 = 3;
/// A value's tag is its VariantType; an array's is this, then its element type.
const ARRAY_TAG: u8 = 0x80;
fn zigzag(n: i64) -> u64 {
    ((n << 1) ^ (n >> 63)) as u64
}

fn unzigzag(n: u64) -> i64 {
    ((n >> 1) as i64) ^ -((n & 1) as i64)
}
