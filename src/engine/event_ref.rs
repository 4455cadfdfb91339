//! [`EventRef`]: an event a query or subscription found, held by its chunk (the unit every
//! reader of events shares: result sets, subscriptions, bookmarks, rendering).
//!
//! Invariant: a ref is made only to a published record of its chunk, and holds the chunk
//! (`Arc<Chunk>`), so the event stays readable as long as the ref lives, whatever the
//! channel does meanwhile (results.rs invariant 6).

use std::fmt;
use std::ops::Deref;
use std::sync::{Arc, OnceLock};

use crate::event::{Event, FileTime};
use crate::evtx::{visit_event, EventVisitor};
use crate::store::Chunk;

/// An event in a result set: a cheap, clonable reference that keeps its chunk alive.
#[derive(Clone)]
pub struct EventRef {
    chunk: Arc<Chunk>,
    index: usize,
    path: Arc<str>,
    /// The event made for this ref (and its clones) where the chunk holds it compact:
    /// made once, when first read, and dropped with the last clone (store chunk C7).
    made: OnceLock<Arc<Event>>,
}

impl EventRef {
    /// Record `index` of `chunk`, read from `path` (a channel's name or a file's path).
    pub(crate) fn new(chunk: Arc<Chunk>, index: usize, path: Arc<str>) -> EventRef {
        EventRef {
            chunk,
            index,
            path,
            made: OnceLock::new(),
        }
    }

    /// The time sources are merged by: read without making a deferred event where the file
    /// source read it while scanning (files.rs invariant 9).
    pub(crate) fn merge_time(&self) -> FileTime {
        self.chunk.time_created_at(self.index).unwrap_or_default()
    }

    /// The event.
    pub fn event(&self) -> &Event {
        if let Some(event) = self.chunk.get_below_len(self.index) {
            return event;
        }
        self.made
            .get_or_init(|| Arc::new(self.chunk.make_at(self.index).unwrap_or_default()))
            .as_ref()
    }

    /// Calls `f` with the event and returns what it returns: [`event`](Self::event)'s, but
    /// an event of a file query that was not read yet (or a compact record) is decoded for
    /// this call alone and dropped after it rather than kept with the ref or its chunk, so
    /// that a reader who reads each event once (a writer of JSON) makes and frees one
    /// event at a time.
    pub fn with_event<R>(&self, f: impl FnOnce(&Event) -> R) -> R {
        if let Some(event) = self.made.get() {
            return f(event);
        }
        match self.chunk.transient_at(self.index) {
            Some(event) => f(&event),
            // No such record: `event()`'s empty event.
            None => f(&Event::default()),
        }
    }

    /// Hands the event to `visitor`: the call `visit_event(event(), visitor)` makes. An event
    /// of a file query that was not read yet is visited straight from its record where it
    /// can (its System and items borrowed from scratch, files.rs invariant 9), else decoded
    /// for this call alone, as [`with_event`](Self::with_event) does. The visitor must not
    /// read this ref's chunk (its events' decoding is locked while it runs).
    pub fn visit(&self, visitor: &mut dyn EventVisitor) {
        match self.made.get() {
            Some(event) => visit_event(event, visitor),
            None => {
                if !self.chunk.visit_at(self.index, visitor) {
                    // No such record: `event()`'s empty event.
                    visit_event(&Event::default(), visitor);
                }
            }
        }
    }

    /// Appends the event's XML to `out`: the bytes of `event().write_xml(out)`. An event of a
    /// file query that was not read yet is rendered straight from its record, without
    /// making it (files.rs invariant 9), as EvtRender renders a handle's event.
    pub fn write_xml(&self, out: &mut String) {
        match self.made.get() {
            Some(event) => event.write_xml(out),
            // A compact record is rendered through a reused event, not made (chunk.rs C7).
            None => self.chunk.write_xml_at(self.index, out),
        }
    }

    /// The event's XML (see [`write_xml`](Self::write_xml)).
    pub fn to_xml(&self) -> String {
        let mut out = String::new();
        self.write_xml(&mut out);
        out
    }

    /// The channel, or the absolute path of the .evtx file, the event was read from.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The event's record id: its System EventRecordID, or else its record's id in its
    /// channel or file (an event read from a file whose BinXml has no EventRecordID reports
    /// its record header's).
    pub fn record_id(&self) -> u64 {
        self.event()
            .system
            .event_record_id
            .unwrap_or_else(|| self.chunk.record_id_at(self.index))
    }
}

impl Deref for EventRef {
    type Target = Event;
    fn deref(&self) -> &Event {
        self.event()
    }
}

impl fmt::Debug for EventRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EventRef({}#{})", self.path, self.record_id())
    }
}
