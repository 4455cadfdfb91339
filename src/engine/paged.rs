//! A channel's records as a reader sees them: [`ChannelView`], the records in memory (a
//! [`Snapshot`]) and, for a persistent channel, the sealed chunks of its file
//! ([`PagedView`]), read on demand a chunk at a time ([`Pages`]).
//!
//! Invariants:
//! 1. A view is taken under the channel file's lock, so its two parts meet exactly: the
//!    file's sealed chunks hold the ids `[first_id, end_id)` of the paged part, and the
//!    memory snapshot holds the ids from `end_id` on (the file's open chunk). Nothing is
//!    in both, nothing between.
//! 2. A paged view names the open file it was taken on (an `Arc<File>`): after a clear or a
//!    save renames a new file into place, the view goes on reading the old one, as a
//!    snapshot goes on reading chunks the store dropped. Within one file, the ring can
//!    reuse a slot the view names: its records are then outside the view's ids, which a
//!    load detects (`QueryResultStale`), and the channel's generation has moved, which
//!    every scan checks first.
//! 3. Finding a record id reads chunk headers only (a binary search over the view's chunks
//!    in record order, 40 bytes each); a reader moving forward or back goes chunk to chunk
//!    without searching. A reader holds at most one decoded page (`Pages`), besides the
//!    events it returned.
//! 4. Loading a page polls the call's cancel token first, so a cancel is seen within one
//!    file chunk.
//! 5. So do the records in memory: a reader's `Pages` keeps the index of the in-memory
//!    chunk it was last in, and the next record is looked up there and in the chunk after
//!    it before any binary search (`Snapshot::locate_near`, the same answer as
//!    `Snapshot::locate`). In a log of 10^7 records that search took ~16 chunk headers,
//!    each a cache miss, at every chunk boundary of a scan.

use std::fs::File;
use std::ops::Range;
use std::sync::Arc;

use parking_lot::Mutex;

use crate::cancel::CancelToken;
pub(crate) use crate::engine::files::Located;
use crate::engine::files::{FileSource, Page};
use crate::engine::Engine;
use crate::error::Result;
use crate::evtx::{read_chunk_range, ChunkRange, TemplateCache};
use crate::query::QuerySource;
use crate::store::{Chunk, Snapshot};

/// The sealed chunks of a persistent channel's file at one moment.
#[derive(Clone, Debug)]
pub(crate) struct PagedView {
    /// The open file (invariant 2).
    pub(crate) file: Arc<File>,
    /// The slot of the oldest chunk: where the record order starts.
    pub(crate) oldest: u64,
    /// The file's chunk slots.
    pub(crate) slots: u64,
    /// How many chunks, in record order from `oldest`, are sealed.
    pub(crate) chunks: u64,
    /// The ids the sealed chunks hold: `[first_id, end_id)`.
    pub(crate) first_id: u64,
    pub(crate) end_id: u64,
}

impl PagedView {
    /// The ids of the view's records.
    pub(crate) fn ids(&self) -> Range<u64> {
        self.first_id..self.end_id
    }

    fn slot(&self, ordinal: u64) -> u64 {
        (self.oldest % self.slots.max(1) + ordinal) % self.slots.max(1)
    }

    fn range(&self, ordinal: u64) -> Result<Option<ChunkRange>> {
        read_chunk_range(&self.file, self.slot(ordinal))
    }

    /// The place in the record order of the chunk to read for record `id` (invariant 3):
    /// the chunk holding it; else, forward, the first chunk after it, and in reverse, the
    /// last one before it. `None` if there is no such chunk.
    fn find(&self, id: u64, reverse: bool) -> Result<Option<u64>> {
        if self.chunks == 0 {
            return Ok(None);
        }
        // The number of chunks whose first id is at most `id`.
        let (mut lo, mut hi) = (0, self.chunks);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self.range(mid)? {
                Some(r) if r.first <= id => lo = mid + 1,
                Some(_) => hi = mid,
                // A slot without records among the sealed ones (damage): walk instead.
                None => return self.find_by_walking(id, reverse),
            }
        }
        let Some(at) = lo.checked_sub(1) else {
            return Ok((!reverse).then_some(0));
        };
        let holds = self.range(at)?.is_some_and(|r| id <= r.last);
        Ok(if holds || reverse {
            Some(at)
        } else {
            (at + 1 < self.chunks).then_some(at + 1)
        })
    }

    fn find_by_walking(&self, id: u64, reverse: bool) -> Result<Option<u64>> {
        let mut found = None;
        for ordinal in 0..self.chunks {
            let Some(r) = self.range(ordinal)? else {
                continue;
            };
            if r.first <= id && id <= r.last {
                return Ok(Some(ordinal));
            }
            if !reverse && r.first > id {
                return Ok(Some(ordinal));
            }
            if reverse && r.last < id {
                found = Some(ordinal);
            }
        }
        Ok(found)
    }
}

/// What [`Pages::locate`] found.
enum PageFound {
    At(Arc<Chunk>, usize),
    /// The page holding ids `first..=last` has no record left after the prefilter.
    Empty {
        first: u64,
        last: u64,
    },
    End,
}

/// A channel's records as one reader sees them (invariant 1).
#[derive(Debug)]
pub(crate) struct ChannelView {
    /// The records in memory: all of an in-memory channel's; a persistent channel's open
    /// file chunk.
    pub(crate) tail: Snapshot,
    /// A persistent channel's sealed file chunks.
    pub(crate) paged: Option<PagedView>,
}

impl ChannelView {
    /// The paged part, if it holds any record.
    fn pages(&self) -> Option<&PagedView> {
        self.paged.as_ref().filter(|p| p.first_id < p.end_id)
    }

    /// The id of the oldest record, if there is one.
    pub(crate) fn first_record_id(&self) -> Option<u64> {
        match self.pages() {
            Some(p) => Some(p.first_id),
            None => self.tail.first_record_id(),
        }
    }

    /// The channel's next record id when the view was taken.
    pub(crate) fn end_record_id(&self) -> u64 {
        self.tail.end_record_id()
    }

    /// The store's generation when the view was taken.
    pub(crate) fn generation(&self) -> u64 {
        self.tail.generation()
    }

    /// Whether the channel was cleared or overwritten since.
    pub(crate) fn is_stale(&self) -> bool {
        self.tail.is_stale()
    }

    /// Whether record `id` is in the view (a persistent channel's file holds its ids
    /// without gaps).
    pub(crate) fn contains(&self, id: u64) -> bool {
        self.pages().is_some_and(|p| p.ids().contains(&id)) || self.tail.get(id).is_some()
    }

    /// The record to examine for a cursor at `next` (forward: record `next`; reverse: the
    /// one below it), as [`Located::At`] a chunk and index: in memory, or in the page
    /// `pages` loads. Forward, a record the view lacks is passed over to the next one it
    /// has. A page left with no record after the query's prefilter is [`Located::Skipped`]:
    /// `next` moves past it, and the scan takes that as a batch of its records (timeout,
    /// scan cost, pause point) before it goes on. Forward past the file's pages, the scan
    /// goes on in memory.
    pub(crate) fn locate(
        &self,
        next: &mut u64,
        reverse: bool,
        pages: &mut Pages,
        call: &CancelToken,
    ) -> Result<Located> {
        // From the in-memory chunk this reader was last in (invariant 5).
        let in_memory =
            |id: u64, tail_chunk: &mut usize| match self.tail.locate_near(id, *tail_chunk) {
                Some((c, i)) => {
                    *tail_chunk = c;
                    Located::At(Arc::clone(&self.tail.chunks()[c]), i)
                }
                None => Located::End,
            };
        let id = match (reverse, next.checked_sub(1)) {
            (false, _) => *next,
            (true, Some(id)) => id,
            (true, None) => return Ok(Located::End),
        };
        let Some(paged) = self.pages() else {
            return Ok(in_memory(id, &mut pages.tail_chunk));
        };
        if id >= paged.end_id {
            return Ok(in_memory(id, &mut pages.tail_chunk));
        }
        if id < paged.first_id && reverse {
            return Ok(Located::End);
        }
        match pages.locate(paged, id.max(paged.first_id), reverse, call)? {
            PageFound::At(chunk, index) => Ok(Located::At(chunk, index)),
            PageFound::Empty { first, last } => {
                *next = if reverse {
                    first
                } else {
                    last.saturating_add(1).min(paged.end_id)
                };
                Ok(Located::Skipped {
                    records: last.saturating_sub(first) + 1,
                })
            }
            PageFound::End if reverse => Ok(Located::End),
            // Past the file's last page: on to the records in memory.
            PageFound::End => {
                *next = paged.end_id;
                Ok(in_memory(paged.end_id, &mut pages.tail_chunk))
            }
        }
    }

    /// Calls `f` with every chunk of the view that holds ids from `from` on, in record
    /// order, the file's pages decoded whole one at a time (polling `call` before each);
    /// stops at `f`'s first error. (A chunk may hold ids below `from` too.)
    pub(crate) fn for_each_chunk(
        &self,
        engine: Option<&Engine>,
        call: &CancelToken,
        from: u64,
        mut f: impl FnMut(&Arc<Chunk>) -> Result<()>,
    ) -> Result<()> {
        self.for_each_page(engine, call, from, &mut f)?;
        for chunk in self.tail.chunks() {
            if chunk.last_record_id().is_some_and(|last| last >= from) {
                f(chunk)?;
            }
        }
        Ok(())
    }

    /// Like [`for_each_chunk`](Self::for_each_chunk), the file's pages only.
    pub(crate) fn for_each_page(
        &self,
        engine: Option<&Engine>,
        call: &CancelToken,
        from: u64,
        mut f: impl FnMut(&Arc<Chunk>) -> Result<()>,
    ) -> Result<()> {
        if let Some(paged) = self.pages().filter(|p| from < p.end_id) {
            let mut pages = Pages::new(engine, None);
            let start = match from <= paged.first_id {
                true => 0,
                false => paged.find(from, false)?.unwrap_or(paged.chunks),
            };
            for ordinal in start..paged.chunks {
                call.check()?;
                if let Page::Loaded(chunk) = pages.load(paged, ordinal)? {
                    f(&chunk)?;
                }
            }
        }
        Ok(())
    }
}

/// A reader's page.
#[derive(Clone)]
struct Current {
    ordinal: u64,
    ids: Range<u64>,
    chunk: Option<Arc<Chunk>>,
}

/// An engine's template cache and spare chunk buffers.
type EngineCaches = (Arc<Mutex<TemplateCache>>, Arc<Mutex<Vec<Vec<u8>>>>);

/// One reader's access to a persistent channel's pages: the file source that decodes them
/// (its template cache, its prefilter) and the page it is in (invariant 3).
#[derive(Clone, Default)]
pub(crate) struct Pages {
    source: Option<Arc<FileSource>>,
    /// The page last loaded: its place in the record order, its ids and its chunk (none
    /// when the prefilter left it empty).
    current: Option<Current>,
    /// For a query's pages: the engine's template cache and chunk buffers (not the engine:
    /// a result set holds no engine), and the filter applied while decoding.
    caches: Option<EngineCaches>,
    prefilter: Option<Arc<QuerySource>>,
    merged: bool,
    /// The index of the in-memory chunk this reader last located a record in: where
    /// [`ChannelView::locate`] looks first (invariant 5).
    pub(crate) tail_chunk: usize,
}

impl Pages {
    /// Pages decoded with `engine`'s template cache and chunk buffers (if given), under
    /// `prefilter` (if it reads only `<System>` and not the time: files.rs invariant 7).
    pub(crate) fn new(engine: Option<&Engine>, prefilter: Option<Arc<QuerySource>>) -> Pages {
        Pages {
            caches: engine.map(|e| {
                (
                    Arc::clone(&e.inner.templates),
                    Arc::clone(&e.inner.chunk_buffers),
                )
            }),
            prefilter,
            ..Pages::default()
        }
    }

    /// The query merges several sources by time (files.rs `merged`).
    pub(crate) fn merged(mut self, merged: bool) -> Pages {
        self.merged = merged;
        self
    }

    /// The file source for `paged`'s file, made on first use (and again for a new file).
    fn source(&mut self, paged: &PagedView) -> Result<Arc<FileSource>> {
        if let Some(source) = self.source.as_ref().filter(|s| s.reads(&paged.file)) {
            return Ok(Arc::clone(source));
        }
        self.current = None;
        let mut source = FileSource::of(Arc::clone(&paged.file))?;
        if let Some((templates, buffers)) = &self.caches {
            source = source
                .with_engine_templates(Arc::clone(templates))
                .with_spare_buffers(Arc::clone(buffers));
        }
        if let Some(filter) = &self.prefilter {
            source = source.with_prefilter(Arc::clone(filter));
        }
        let source = Arc::new(source.merged(self.merged));
        self.source = Some(Arc::clone(&source));
        Ok(source)
    }

    /// The page at `ordinal` of `paged`'s record order, decoded.
    fn load(&mut self, paged: &PagedView, ordinal: u64) -> Result<Page> {
        let source = self.source(paged)?;
        source.load_page(paged.slot(ordinal), paged.ids())
    }

    /// See [`ChannelView::locate`]; `id` is within `paged`'s ids.
    fn locate(
        &mut self,
        paged: &PagedView,
        id: u64,
        reverse: bool,
        call: &CancelToken,
    ) -> Result<PageFound> {
        let same_file = self.source.as_ref().is_some_and(|s| s.reads(&paged.file));
        let mut ordinal = match self.current.as_ref().filter(|_| same_file) {
            Some(current) => {
                if current.ids.contains(&id) {
                    if let Some(chunk) = &current.chunk {
                        let index = (id - current.ids.start) as usize;
                        return Ok(PageFound::At(Arc::clone(chunk), index));
                    }
                }
                if !reverse && id == current.ids.end {
                    Some(current.ordinal + 1)
                } else if reverse && id + 1 == current.ids.start {
                    current.ordinal.checked_sub(1)
                } else {
                    paged.find(id, reverse)?
                }
            }
            None => paged.find(id, reverse)?,
        };
        while let Some(at) = ordinal.filter(|&o| o < paged.chunks) {
            // At most one decoded page held (invariant 3); a cancel seen first (invariant 4).
            self.current = None;
            call.check()?;
            let (first, last, chunk) = match self.load(paged, at)? {
                Page::Loaded(chunk) => {
                    let first = chunk.first_record_id();
                    (first, first + chunk.len() as u64 - 1, Some(chunk))
                }
                Page::Empty { first, last } => (first, last, None),
                // No chunk there (damage): the next one.
                Page::Missing => {
                    ordinal = if reverse {
                        at.checked_sub(1)
                    } else {
                        Some(at + 1)
                    };
                    continue;
                }
            };
            // The page is past the record (reverse) or before it (forward): the next one.
            if (reverse && id < first) || (!reverse && id > last) {
                ordinal = if reverse {
                    at.checked_sub(1)
                } else {
                    Some(at + 1)
                };
                continue;
            }
            self.current = Some(Current {
                ordinal: at,
                ids: first..last + 1,
                chunk: chunk.clone(),
            });
            let Some(chunk) = chunk else {
                return Ok(PageFound::Empty { first, last });
            };
            let index = if id < first {
                0
            } else if id > last {
                chunk.len() - 1
            } else {
                (id - first) as usize
            };
            return Ok(PageFound::At(chunk, index));
        }
        Ok(PageFound::End)
    }
}
