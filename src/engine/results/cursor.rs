//! A result set's position: one [`SourceCursor`] per source (a channel through its
//! snapshot, or an .evtx file streamed one decoded chunk at a time) and the [`Cursor`] a
//! call works on (results invariants 3 to 9).

use std::sync::Arc;

use crate::engine::event_ref::EventRef;
use crate::engine::files::{self, FileCursor, FileSource};
use crate::engine::flags::QueryFlags;
use crate::engine::paged::{ChannelView, Pages};
use crate::engine::{Channel, Engine};
use crate::error::{codes, Error, ErrorKind, Result};
use crate::query::{EventIds, Hull, Query, QuerySource};

/// One source's cursor.
#[derive(Clone)]
pub(crate) struct SourceCursor {
    pub(crate) path: Arc<str>,
    pub(crate) filter: Arc<QuerySource>,
    /// The EventIDs the filter's matches can have, if it bounds them: a store chunk's
    /// EventID column is tested against them before a record is read (chunk C8).
    pub(super) event_ids: Option<Arc<EventIds>>,
    /// That set's hull, to pass a store chunk on its EventID summary (chunk C9).
    pub(super) id_hull: Option<Hull>,
    pub(super) kind: SourceKind,
    /// Forward: the next record id (a file's: position) to examine. Reverse: examine ids
    /// below it.
    pub(crate) next_id: u64,
    /// The next match, found and not yet returned, with its time.
    pub(super) head: Option<EventRef>,
    /// A subscription's source: resynchronises after a clear or overwrite (invariant 9).
    pub(super) resync: bool,
}

/// What a source cursor reads.
#[derive(Clone)]
pub(super) enum SourceKind {
    /// A channel, through its view (renewed at the end of a forward scan: live); a
    /// persistent channel's file chunks read through `pages` (paged.rs).
    Channel {
        channel: Arc<Channel>,
        /// The channel's generation at query time.
        generation: u64,
        snapshot: Arc<ChannelView>,
        pages: Pages,
    },
    /// An .evtx file, streamed one decoded chunk at a time (files.rs); never stale, never
    /// growing.
    File(FileCursor),
}

impl SourceCursor {
    /// A cursor over a channel, from its view now; a persistent channel's pages decoded
    /// with `engine`'s caches, under the filter where it allows (files.rs invariant 7),
    /// read with their time if the query `merged` several sources.
    pub(crate) fn new(
        path: Arc<str>,
        channel: Arc<Channel>,
        filter: Arc<QuerySource>,
        reverse: bool,
        (engine, merged): (&Engine, bool),
    ) -> SourceCursor {
        let snapshot = Arc::new(channel.view());
        let pages = Pages::new(Some(engine), Some(Arc::clone(&filter))).merged(merged);
        let generation = snapshot.generation();
        let next_id = if reverse {
            snapshot.end_record_id()
        } else {
            snapshot
                .first_record_id()
                .unwrap_or(snapshot.end_record_id())
        };
        let event_ids = filter.event_ids();
        SourceCursor {
            path,
            id_hull: event_ids.as_deref().map(EventIds::hull),
            event_ids,
            filter,
            kind: SourceKind::Channel {
                channel,
                generation,
                snapshot,
                pages,
            },
            next_id,
            head: None,
            resync: false,
        }
    }

    /// A subscription's cursor over a channel (invariant 9), from record id `start` on.
    pub(crate) fn subscription(
        path: Arc<str>,
        channel: Arc<Channel>,
        filter: Arc<QuerySource>,
        start: u64,
        engine: (&Engine, bool),
    ) -> SourceCursor {
        let mut cursor = SourceCursor::new(path, channel, filter, false, engine);
        cursor.next_id = start;
        cursor.resync = true;
        cursor
    }

    /// After a clear or overwrite: a fresh snapshot from the cursor on. `Err(QueryResultStale)`
    /// if records the cursor had not reached are gone; it then stands at the oldest record
    /// left (or the next one to come).
    pub(super) fn resync(&mut self) -> Result<()> {
        let SourceKind::Channel {
            channel,
            generation,
            snapshot,
            ..
        } = &mut self.kind
        else {
            return Ok(());
        };
        let fresh = channel.view_from(self.next_id);
        let oldest = fresh.first_record_id().unwrap_or(fresh.end_record_id());
        *generation = fresh.generation();
        *snapshot = Arc::new(fresh);
        if self.next_id < oldest {
            let lost = oldest - self.next_id;
            self.next_id = oldest;
            return Err(Error::with_message(
                ErrorKind::QueryResultStale,
                format!(
                    "{lost} records of {} were cleared or overwritten before delivery",
                    self.path
                ),
            ));
        }
        Ok(())
    }

    /// A cursor over an .evtx file (`path` its absolute path), holding no decoded chunk yet.
    pub(crate) fn file(
        path: Arc<str>,
        source: Arc<FileSource>,
        filter: Arc<QuerySource>,
        reverse: bool,
    ) -> SourceCursor {
        let file = FileCursor::new(source);
        SourceCursor {
            path,
            event_ids: None,
            id_hull: None,
            filter,
            next_id: file.start(reverse),
            kind: SourceKind::File(file),
            head: None,
            resync: false,
        }
    }

    pub(super) fn is_stale(&self) -> bool {
        match &self.kind {
            SourceKind::Channel {
                channel,
                generation,
                snapshot,
                ..
            } => channel.generation() != *generation || snapshot.is_stale(),
            SourceKind::File(_) => false,
        }
    }

    /// The file source read, if this cursor reads a file.
    #[cfg(test)]
    pub(crate) fn file_source(&self) -> Option<&Arc<FileSource>> {
        match &self.kind {
            SourceKind::File(file) => Some(file.source()),
            SourceKind::Channel { .. } => None,
        }
    }
}

/// The state a call works on (a copy, committed on success).
#[derive(Clone)]
pub(crate) struct Cursor {
    pub(crate) sources: Vec<SourceCursor>,
    /// Events returned (or seeked over) from the start: the index of the next one.
    pub(super) position: u64,
}

impl Cursor {
    pub(crate) fn new(sources: Vec<SourceCursor>) -> Cursor {
        Cursor {
            sources,
            position: 0,
        }
    }

    /// EvtQuery's sources: every path of `parsed` opened in the direction `flags` say, as a
    /// channel or (with `QueryFlags::FILE_PATH`) an .evtx file; with, per path, the Win32
    /// status of opening it. Errors as `Session::query` says.
    pub(super) fn open(
        engine: &Engine,
        parsed: &Query,
        flags: QueryFlags,
    ) -> Result<(Cursor, Vec<(String, u32)>)> {
        let files = flags.contains(QueryFlags::FILE_PATH);
        let reverse = flags.contains(QueryFlags::REVERSE_DIRECTION);
        let tolerate = flags.contains(QueryFlags::TOLERATE_QUERY_ERRORS);
        let mut sources = Vec::new();
        let mut statuses = Vec::new();
        let mut first_missing = None;
        for source in parsed.sources() {
            if files {
                // EvtQueryFilePath: the path is an .evtx file, streamed chunk by chunk by
                // the result set (files.rs); opening it decodes nothing.
                let filter = Arc::new(source.clone());
                let opened = files::absolute_path(source.path()).and_then(|full| {
                    engine.open_file_source(&full).map(|file| {
                        let file = file
                            .with_prefilter(Arc::clone(&filter))
                            .merged(parsed.sources().len() > 1);
                        (full, file)
                    })
                });
                match opened {
                    Ok((full, file)) => {
                        statuses.push((source.path().to_owned(), codes::ERROR_SUCCESS));
                        sources.push(SourceCursor::file(
                            Arc::from(full.as_str()),
                            Arc::new(file),
                            filter,
                            reverse,
                        ));
                    }
                    Err(e) if e.kind() == ErrorKind::Cancelled => return Err(e),
                    Err(e) if tolerate => {
                        statuses.push((source.path().to_owned(), e.win32_code()));
                        first_missing.get_or_insert(e);
                    }
                    Err(e) => return Err(e),
                }
                continue;
            }
            match engine.channel(source.path()) {
                Ok(channel) => {
                    if reverse && channel.channel_type().is_direct() {
                        return Err(Error::with_message(
                            ErrorKind::InvalidParameter,
                            format!(
                                "{} is an Analytic or Debug channel: only forward queries",
                                channel.name()
                            ),
                        ));
                    }
                    statuses.push((source.path().to_owned(), codes::ERROR_SUCCESS));
                    sources.push(SourceCursor::new(
                        Arc::from(channel.name()),
                        channel,
                        Arc::new(source.clone()),
                        reverse,
                        (engine, parsed.sources().len() > 1),
                    ));
                }
                Err(e) if tolerate => {
                    statuses.push((source.path().to_owned(), e.win32_code()));
                    first_missing.get_or_insert(e);
                }
                Err(e) => return Err(e),
            }
        }
        if sources.is_empty() {
            return Err(first_missing.unwrap_or_else(|| Error::new(ErrorKind::ChannelNotFound)));
        }
        Ok((Cursor::new(sources), statuses))
    }
}
