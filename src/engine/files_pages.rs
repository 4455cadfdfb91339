//! A persistent channel's pages, read through a [`FileSource`]: [`FileSource::load_page`]
//! decodes one chunk of the channel's file into a store chunk addressed by record id
//! (paged.rs). A child of files.rs: it shares the source's reader, template cache, prefilter
//! and buffers, and `decode_chunk`, the one place a file chunk is decoded (invariant 6).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::{ChunkEvent, FileChunkEvents, FileSource, Page, POSITIONS_PER_CHUNK};
use crate::error::{Error, ErrorKind, Result};
use crate::event::{Event, FileTime};
use crate::evtx::{DeferredChunk, EventVisitor};
use crate::store::{Chunk, DeferredEvents};

impl FileSource {
    /// A persistent channel's page: the chunk in slot `slot`, decoded (under the prefilter,
    /// if any: then it holds only matches, and is marked all-matching), addressed by record
    /// id: its position `i` is record `first + i` of the chunk's header range, and a record
    /// the chunk lacks (filtered out, damaged) is a position without an event. [`Page::Missing`]
    /// for a slot without a chunk or records, [`Page::Empty`] for one with none left after
    /// the prefilter (readers pass over it, as a file query does). `QueryResultStale` if its records do not start
    /// within `ids` (the slot was reused since the view was taken: the ring overwrote it);
    /// records past `ids` (appended since, by a writer in another process) are left out.
    pub(crate) fn load_page(&self, slot: u64, ids: std::ops::Range<u64>) -> Result<Page> {
        let raw = {
            let mut file = self.file.lock();
            if !file.has_buffer() {
                if let Some(buffer) = self.spare_buffers.as_ref().and_then(|s| s.lock().pop()) {
                    file.give_buffer(buffer);
                }
            }
            file.see_slots(slot.saturating_add(1));
            // A sealed chunk of the channel's is there: one read of the whole chunk (a
            // file query reads the magic first, to pass over unused slots cheaply).
            file.chunk_at(slot)?.and_then(|chunk| chunk.ok())
        };
        let Some(raw) = raw else {
            return Ok(Page::Missing);
        };
        let (first, last) = (raw.header().first_record_id, raw.header().last_record_id);
        if first > last || first == u64::MAX {
            self.file.lock().recycle(raw);
            return Ok(Page::Missing);
        }
        if first < ids.start || first >= ids.end {
            self.file.lock().recycle(raw);
            return Err(Error::with_message(
                ErrorKind::QueryResultStale,
                format!(
                    "chunk slot {slot} now holds records {first}..={last}: the log was \
                     overwritten after the query"
                ),
            ));
        }
        // Records written after the view (the open chunk of a writer in another process)
        // are not the view's: they are left out. An EVTX chunk holds fewer than 2^16
        // records: a wider range is damage, cut short.
        let last = last.min(ids.end - 1);
        let len = usize::try_from((last - first).min(POSITIONS_PER_CHUNK - 1) + 1).unwrap_or(1);
        // Nothing to hold (every record filtered out): readers go on to the next page.
        let Some((raw, decoded)) = self.decode(raw) else {
            return Ok(Page::Empty {
                first,
                last: first + len as u64 - 1,
            });
        };
        let mut index = vec![u32::MAX; len].into_boxed_slice();
        for (k, id) in decoded.ids.iter().enumerate() {
            let at = id.checked_sub(first).and_then(|p| usize::try_from(p).ok());
            if let Some(slot) = at.and_then(|p| index.get_mut(p)) {
                if *slot == u32::MAX {
                    *slot = k as u32;
                }
            }
        }
        let events: Box<dyn DeferredEvents> = match decoded.kept {
            None => {
                self.file.lock().recycle(raw);
                let events = decoded.events.into_iter().filter_map(|e| match e {
                    ChunkEvent::Ready(event) => Some(event),
                    ChunkEvent::Deferred { .. } => None,
                });
                Box::new(ByRecordId {
                    index,
                    events: ReadyEvents(events.collect()),
                })
            }
            Some(kept) => {
                let deferred = decoded.events.iter().filter(|e| e.is_deferred()).count();
                self.deferred
                    .deferred
                    .fetch_add(deferred, Ordering::Relaxed);
                Box::new(ByRecordId {
                    index,
                    events: FileChunkEvents {
                        chunk: DeferredChunk::new(raw, kept),
                        events: decoded.events.into_boxed_slice(),
                        spare_buffers: self.spare_buffers.clone(),
                        counts: Arc::clone(&self.deferred),
                    },
                })
            }
        };
        let live = Some(Arc::clone(&self.live));
        let chunk = Chunk::deferred(first, Vec::new(), events, live);
        Ok(Page::Loaded(Arc::new(if self.prefilter.is_some() {
            chunk.all_matching()
        } else {
            chunk
        })))
    }
}

/// Decoded events, all made.
struct ReadyEvents(Box<[Event]>);

impl DeferredEvents for ReadyEvents {
    fn len(&self) -> usize {
        self.0.len()
    }

    fn get(&self, index: usize) -> Option<&Event> {
        self.0.get(index)
    }

    fn time_created(&self, index: usize) -> Option<FileTime> {
        self.0.get(index)?.system.time_created
    }

    fn write_xml(&self, index: usize, out: &mut String) {
        if let Some(event) = self.0.get(index) {
            event.write_xml(out);
        }
    }
}

/// A page's events at their record ids' positions (`index[p]`: the event of record
/// `first + p`, `u32::MAX` where there is none).
struct ByRecordId<E> {
    index: Box<[u32]>,
    events: E,
}

impl<E: DeferredEvents> ByRecordId<E> {
    fn at(&self, position: usize) -> Option<usize> {
        let k = *self.index.get(position)?;
        (k != u32::MAX).then_some(k as usize)
    }
}

impl<E: DeferredEvents> DeferredEvents for ByRecordId<E> {
    fn len(&self) -> usize {
        self.index.len()
    }

    fn get(&self, index: usize) -> Option<&Event> {
        self.events.get(self.at(index)?)
    }

    fn time_created(&self, index: usize) -> Option<FileTime> {
        self.events.time_created(self.at(index)?)
    }

    fn write_xml(&self, index: usize, out: &mut String) {
        if let Some(k) = self.at(index) {
            self.events.write_xml(k, out);
        }
    }

    fn has(&self, index: usize) -> bool {
        self.at(index).is_some()
    }

    fn visit(&self, index: usize, visitor: &mut dyn EventVisitor) -> bool {
        self.at(index)
            .is_some_and(|k| self.events.visit(k, visitor))
    }
}
