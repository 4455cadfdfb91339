//! How `qe` frames the JSON events it writes: one array, or one event per line.

use evtlog::Event;

use super::{write_event, JsonState};

/// How `qe` frames the events: `/f:json` one JSON array (an event per line inside it),
/// `/f:jsonl` one event per line (`evtx_dump -o jsonl`'s framing).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Framing {
    Array,
    Lines,
}

impl Framing {
    /// What comes before the first event.
    pub fn begin(self, out: &mut Vec<u8>) {
        if self == Framing::Array {
            out.push(b'[');
        }
    }

    /// Appends event number `index` (from 0), framed, keeping what is kept from event to
    /// event in `state`.
    pub fn write(self, out: &mut Vec<u8>, state: &mut JsonState, index: u64, event: &Event) {
        if self == Framing::Array {
            out.extend_from_slice(if index == 0 { b"\n" } else { b",\n" });
        }
        write_event(out, state, event);
        if self == Framing::Lines {
            out.push(b'\n');
        }
    }

    /// What comes after the last event, `count` events in all.
    pub fn end(self, out: &mut Vec<u8>, count: u64) {
        if self == Framing::Array {
            out.extend_from_slice(if count == 0 { b"]\n" } else { b"\n]\n" });
        }
    }
}
