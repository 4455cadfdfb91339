//! The thread's memo of `<System>` segments: runs of System children that repeat from event
//! to event, as Windows writes them. A segment starts at `<Provider` and runs to the first
//! `<TimeCreated` or `</System>` (Provider, EventID, Version, Level, Task, Opcode, Keywords:
//! what one template of one provider repeats), at `<Channel` up to `<Security` or
//! `</System>` (Channel and Computer), or at `<Security` up to `</System>` (the user). A
//! segment read before is not read again: the fields its children set are copied from the
//! memo. The table is allocated on first use, 512 slots of boxed entries, each segment at
//! most [`MAX_SEGMENT`] bytes of text (a Windows header is ~300), so a thread keeps at most
//! ~2 MB whatever it parses (~150 KB for real logs). A Provider segment is a template's
//! header: its entry also keeps the `<Data>` names of the last event read after it (at most
//! 64, shared with the events), which the Data shortcut expects at the same positions.
//!
//! Invariants:
//! 1. An entry's key is the exact text of its segment (compared in full; the hash only picks
//!    the slot), and its fields are what the parser's shortcuts set from that text: every
//!    child of the segment read by a shortcut, none twice, none with an error.
//! 2. An entry is used only where none of its children was read before in the event (each
//!    System field belongs to one child, so the fields it copies are exactly those the
//!    shortcuts would set, starting from absent).
//! 3. Segment ends are found by scanning for `<`: a segment is the text up to the end
//!    marker, however its children turn out to be read; one that does not read as whole
//!    children by the shortcuts is never stored.

use std::sync::Arc;

use crate::event::xml::lexer::find2;
use crate::event::xml::memo::spread;
use crate::event::{System, SystemChild};

/// One memo entry.
struct Entry {
    /// The segment's text (the key).
    text: Vec<u8>,
    /// The children the segment holds (their [`SystemChild::bit`]s).
    mask: u16,
    /// The fields those children set; the others are unused.
    fields: System,
    /// For a Provider segment (a template's header): the `<Data>` names of the last event
    /// read after it, by item position, each read by the shortcut (so holding no `'` or
    /// `&`); `None` where unknown. A guess only: a name is used after comparing it in full
    /// with the text.
    names: Vec<Option<Arc<str>>>,
}

/// A segment being read by the shortcuts, to be stored when it is read whole.
#[derive(Clone, Copy)]
pub(super) struct Recording {
    start: usize,
    end: usize,
    slot: usize,
    mask: u16,
}

/// The memo: a few direct-mapped slots (a collision costs a read, never a wrong field).
#[derive(Default)]
pub(super) struct Segments(Vec<Option<Box<Entry>>>);

/// Slots enough for the segments of a busy machine's logs (the generator's mix has about
/// 60 headers, 10 channel and computer pairs and a few dozen users).
const SLOT_BITS: u32 = 9;

/// The longest segment kept, in bytes: a longer run of children is read, not remembered, and
/// its end is not looked for past this (so neither the memo's memory nor the look-ahead grow
/// with a hostile event's size).
pub(super) const MAX_SEGMENT: usize = 1024;

/// Which markers end a segment: after `<`, `TimeCreated `, `Security`, `/System>`.
const TO_TIME: u8 = 1;
const TO_SECURITY: u8 = 2;

/// The segment starting at `p`, if a segment starts there: its end (exclusive) and its slot.
#[inline]
pub(super) fn segment_at(b: &[u8], p: usize) -> Option<(usize, usize)> {
    let rest = &b[p..];
    let ends = if begins(rest, b"<Provider ") {
        TO_TIME
    } else if begins(rest, b"<Channel>") {
        TO_SECURITY
    } else if begins(rest, b"<Security") {
        0
    } else {
        return None;
    };
    let mut at = p + 1;
    // The end must lie within MAX_SEGMENT bytes (the marker's first byte included).
    let window = &b[..b.len().min(p + MAX_SEGMENT + 1)];
    let end = loop {
        let i = find2(window, at, b'<', b'<')?;
        let tail = &b[i + 1..];
        let is_end = match tail.first() {
            Some(b'/') => begins(tail, b"/System>"),
            Some(b'T') => ends & TO_TIME != 0 && begins(tail, b"TimeCreated "),
            Some(b'S') => ends & TO_SECURITY != 0 && begins(tail, b"Security"),
            _ => false,
        };
        if is_end {
            break i;
        }
        at = i + 1;
    };
    Some((end, spread(hash(&b[p..end]), SLOT_BITS)))
}

/// `text` starts with `prefix` (short: an inline loop, no call).
#[inline]
fn begins(text: &[u8], prefix: &[u8]) -> bool {
    text.len() >= prefix.len() && text.iter().zip(prefix).all(|(a, b)| a == b)
}

/// A hash of `text`, sixteen bytes at a time in two independent lanes.
#[inline]
fn hash(text: &[u8]) -> u64 {
    const K: u64 = 0x9E37_79B9_7F4A_7C15;
    let word = |w: &[u8]| {
        let mut x = [0u8; 8];
        x.copy_from_slice(w);
        u64::from_le_bytes(x)
    };
    let (mut a, mut b) = (text.len() as u64, K);
    let mut pairs = text.chunks_exact(16);
    for w in &mut pairs {
        a = (a ^ word(&w[..8])).wrapping_mul(K).rotate_left(23);
        b = (b ^ word(&w[8..])).wrapping_mul(K).rotate_left(29);
    }
    // The last eight bytes (overlapping what came before) close it.
    let rest = pairs.remainder();
    if !rest.is_empty() && text.len() >= 8 {
        a = (a ^ word(&text[text.len() - 8..])).wrapping_mul(K);
    } else {
        for &c in rest {
            a = (a ^ u64::from(c)).wrapping_mul(K);
        }
    }
    a ^ b.rotate_left(32)
}

impl Segments {
    pub(super) const fn new() -> Segments {
        Segments(Vec::new())
    }

    /// Copies the fields of the segment `b[p..end]` into `system` if slot `slot` holds it
    /// and none of its children is in `seen`: the children it set (invariant 2), or `None`.
    #[inline]
    pub(super) fn apply(
        &self,
        b: &[u8],
        p: usize,
        end: usize,
        slot: usize,
        seen: u16,
        system: &mut System,
    ) -> Option<u16> {
        let entry = self.0.get(slot)?.as_ref()?;
        if entry.mask & seen != 0 || entry.text.as_slice() != &b[p..end] {
            return None;
        }
        for child in CHILDREN {
            if entry.mask & child.bit() != 0 {
                copy_child(child, &entry.fields, system);
            }
        }
        Some(entry.mask)
    }

    /// Starts recording the segment `b[p..end]` for slot `slot`.
    pub(super) fn record(p: usize, end: usize, slot: usize) -> Recording {
        Recording {
            start: p,
            end,
            slot,
            mask: 0,
        }
    }

    /// Stores a recording read whole (`mask` its children) with the fields they set.
    pub(super) fn store(&mut self, b: &[u8], rec: &Recording, system: &System) {
        if self.0.is_empty() {
            self.0.resize_with(1 << SLOT_BITS, || None);
        }
        let mut fields = System::default();
        for child in CHILDREN {
            if rec.mask & child.bit() != 0 {
                copy_child(child, system, &mut fields);
            }
        }
        let text = &b[rec.start..rec.end];
        match &mut self.0[rec.slot] {
            Some(entry) => {
                entry.text.clear();
                entry.text.extend_from_slice(text);
                entry.mask = rec.mask;
                entry.fields = fields;
                entry.names.clear();
            }
            slot @ None => {
                *slot = Some(Box::new(Entry {
                    text: text.to_vec(),
                    mask: rec.mask,
                    fields,
                    names: Vec::new(),
                }))
            }
        }
    }

    /// The `<Data>` name kept at position `at` by the entry in `slot`.
    #[inline]
    pub(super) fn name_at(&self, slot: usize, at: usize) -> Option<&Arc<str>> {
        self.0.get(slot)?.as_ref()?.names.get(at)?.as_ref()
    }

    /// Keeps `name` (read by the shortcut) at position `at` of the entry in `slot`.
    pub(super) fn set_name(&mut self, slot: usize, at: usize, name: &Arc<str>) {
        // A hostile event's thousands of items are not kept.
        const MAX_NAMES: usize = 64;
        let Some(Some(entry)) = self.0.get_mut(slot) else {
            return;
        };
        if at < MAX_NAMES {
            if entry.names.len() <= at {
                entry.names.resize(at + 1, None);
            }
            entry.names[at] = Some(Arc::clone(name));
        }
    }
}

impl Recording {
    /// Adds the child `child`, read by a shortcut from `p` to `after`, given the children
    /// `seen` before it. `Some(true)` when the segment is now read whole, `Some(false)` while
    /// it goes on, `None` when it cannot be stored (the recording ends).
    #[inline]
    pub(super) fn add(&mut self, child: SystemChild, after: usize, seen: u16) -> Option<bool> {
        if after > self.end || seen & child.bit() != 0 {
            return None;
        }
        self.mask |= child.bit();
        Some(after == self.end)
    }
}

/// The children, in table order.
const CHILDREN: [SystemChild; 14] = [
    SystemChild::Provider,
    SystemChild::EventId,
    SystemChild::Version,
    SystemChild::Level,
    SystemChild::Task,
    SystemChild::Opcode,
    SystemChild::Keywords,
    SystemChild::TimeCreated,
    SystemChild::EventRecordId,
    SystemChild::Correlation,
    SystemChild::Execution,
    SystemChild::Channel,
    SystemChild::Computer,
    SystemChild::Security,
];

/// Copies the fields `child` sets (each System field belongs to one child).
fn copy_child(child: SystemChild, from: &System, to: &mut System) {
    match child {
        SystemChild::Provider => to.provider.clone_from(&from.provider),
        SystemChild::EventId => {
            to.event_id = from.event_id;
            to.qualifiers = from.qualifiers;
        }
        SystemChild::Version => to.version = from.version,
        SystemChild::Level => to.level = from.level,
        SystemChild::Task => to.task = from.task,
        SystemChild::Opcode => to.opcode = from.opcode,
        SystemChild::Keywords => to.keywords = from.keywords,
        SystemChild::TimeCreated => to.time_created = from.time_created,
        SystemChild::EventRecordId => to.event_record_id = from.event_record_id,
        SystemChild::Correlation => to.correlation = from.correlation,
        SystemChild::Execution => to.execution = from.execution,
        SystemChild::Channel => to.channel.clone_from(&from.channel),
        SystemChild::Computer => to.computer.clone_from(&from.computer),
        SystemChild::Security => to.security.clone_from(&from.security),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_are_the_tables() {
        assert_eq!(CHILDREN, SystemChild::ALL);
    }

    /// A segment is found only when its end lies within `MAX_SEGMENT` bytes, so a long one is
    /// read every time instead of being kept (the memo's memory stays bounded).
    #[test]
    fn a_segment_longer_than_the_bound_is_not_found() {
        let doc = |name_len: usize| {
            format!(
                "<Provider Name='{}'/><EventID>1</EventID><TimeCreated SystemTime='{}'/>",
                "p".repeat(name_len),
                "2024-01-01T00:00:00.0000000Z"
            )
        };
        let end_of = |text: &str| text.find("<TimeCreated").unwrap();
        // The name length whose segment ends exactly at the bound.
        let exact_len = MAX_SEGMENT - end_of(&doc(0));
        let exact = doc(exact_len);
        assert_eq!(end_of(&exact), MAX_SEGMENT);
        assert_eq!(
            segment_at(exact.as_bytes(), 0).map(|(end, _)| end),
            Some(MAX_SEGMENT)
        );
        let long = doc(exact_len + 1);
        assert_eq!(segment_at(long.as_bytes(), 0), None);
        // Both are still read in full, twice (a second read would meet a kept segment).
        for (text, len) in [(&exact, exact_len), (&long, exact_len + 1)] {
            let event = format!(
                "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>{text}</System></Event>"
            );
            for _ in 0..2 {
                let parsed = crate::Event::from_xml(&event).expect("parses");
                assert_eq!(
                    parsed.system.provider.name.as_deref().map(str::len),
                    Some(len)
                );
                assert_eq!(parsed.system.event_id, 1);
            }
        }
    }
}
