//! The classic read API (advapi32's OpenEventLog, ReadEventLog, GetNumberOfEventLogRecords,
//! GetOldestEventLogRecord, ClearEventLog, BackupEventLog, OpenBackupEventLog,
//! GetEventLogInformation, NotifyChangeEventLog) over the engine's channels: a
//! [`ClassicLog`] is one open log and its read position.
//!
//! Invariants:
//! 1. A sequential read continues from the record after (forwards) or before (backwards)
//!    the last one returned, and a change of direction starts at that last record again
//!    (forwards 1, 2 then backwards gives 2, 1: Wine's tests, run on Windows); the first
//!    read starts at the oldest (forwards) or newest (backwards) record. A seek read
//!    starts at the record asked for (87 if it is not in the log) and sets the position
//!    as a sequential read does; a sequential read ignores the record number.
//! 2. A read returns as many whole records as fit in the buffer; if not even the first
//!    fits, nothing is returned, the position does not move, and the size of that record
//!    is reported (ERROR_INSUFFICIENT_BUFFER 122). With no record left: ERROR_HANDLE_EOF.
//! 3. A log opened from a backup file holds that file's events, read when it is opened;
//!    it cannot be cleared or watched (ERROR_INVALID_HANDLE, as a backup handle on
//!    Windows is not a live log).
//! 4. NotifyChangeEventLog's signals are set by every append to the log until the handle
//!    closes ([`ClassicLog::close`] removes them from the channel's notifier).

use std::path::Path;
use std::sync::Arc;

use parking_lot::Mutex;

use super::event_ref::EventRef;
use super::eventlogrecord::eventlog_record;
use super::notify::Watch;
use super::paged::{ChannelView, Located, Pages};
use super::{Channel, Engine, ExportFlags, Next, QueryFlags, SignalEvent};
use crate::cancel::CancelToken;
use crate::error::{Error, ErrorKind, Result};
use crate::event::Event;

/// READ_EVENT_LOG_READ_FLAGS and the direction flags.
pub const EVENTLOG_SEQUENTIAL_READ: u32 = 0x1;
pub const EVENTLOG_SEEK_READ: u32 = 0x2;
pub const EVENTLOG_FORWARDS_READ: u32 = 0x4;
pub const EVENTLOG_BACKWARDS_READ: u32 = 0x8;
/// The largest buffer ReadEventLog takes (0x7FFFF bytes, as documented).
pub const MAX_READ_BUFFER: usize = 0x7_ffff;

/// What one ReadEventLog call gives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadOutcome {
    /// Whole EVENTLOGRECORDs, one after the other.
    Records(Vec<u8>),
    /// The next record needs `needed` bytes, more than the buffer has (122).
    TooSmall { needed: u32 },
    /// No record is left in that direction (ERROR_HANDLE_EOF, 38).
    End,
}

/// An open classic log: a channel, or the events of a backup file.
#[derive(Debug)]
pub struct ClassicLog {
    engine: Engine,
    /// The name it was opened with (a log or source name, or a backup's path).
    name: String,
    source: Source,
    /// The record number of the last record read and whether it was read forwards
    /// (invariant 1).
    position: Mutex<Option<(u64, bool)>>,
    /// The channel notifier ids NotifyChangeEventLog added (invariant 4).
    watches: Mutex<Vec<u64>>,
}

#[derive(Debug)]
enum Source {
    Channel(Arc<Channel>),
    Backup(Vec<Event>),
}

/// The records a read walks: a view of a channel, or a backup's events.
enum View<'a> {
    Channel {
        view: ChannelView,
        pages: Pages,
        name: Arc<str>,
    },
    Events(&'a [Event]),
}

/// A record a read found: held by its chunk, or a backup's.
enum Held<'a> {
    Ref(EventRef),
    Borrowed(&'a Event),
}

impl std::ops::Deref for Held<'_> {
    type Target = Event;
    fn deref(&self) -> &Event {
        match self {
            Held::Ref(event) => event.event(),
            Held::Borrowed(event) => event,
        }
    }
}

fn record_id(event: &Event) -> u64 {
    event.system.event_record_id.unwrap_or(0)
}

impl<'a> View<'a> {
    /// The record `id`, or else the nearest one after it (before it, in `reverse`).
    fn near(&mut self, id: u64, reverse: bool) -> Result<Option<Held<'a>>> {
        let View::Channel { view, pages, name } = self else {
            return Ok(None);
        };
        let call = CancelToken::root();
        // The cursor's place: forward the record examined, in reverse the one above it.
        let mut next = if reverse { id.saturating_add(1) } else { id };
        loop {
            let (chunk, mut i) = match view.locate(&mut next, reverse, pages, &call)? {
                Located::At(chunk, i) => (chunk, i),
                Located::Skipped { .. } => continue,
                Located::End => return Ok(None),
            };
            let present = |i: usize| chunk.has_record_at(i) && chunk.get(i).is_some();
            if reverse {
                loop {
                    if present(i) {
                        return Ok(Some(Held::Ref(EventRef::new(chunk, i, Arc::clone(name)))));
                    }
                    let Some(below) = i.checked_sub(1) else { break };
                    i = below;
                }
                next = chunk.first_record_id();
            } else {
                while i < chunk.len() {
                    if present(i) {
                        return Ok(Some(Held::Ref(EventRef::new(chunk, i, Arc::clone(name)))));
                    }
                    i += 1;
                }
                next = chunk.first_record_id() + chunk.len() as u64;
            }
        }
    }

    fn get(&mut self, id: u64) -> Result<Option<Held<'a>>> {
        match self {
            View::Channel { .. } => Ok(self
                .near(id, false)?
                .filter(|e| e.system.event_record_id == Some(id))),
            View::Events(events) => Ok(events
                .binary_search_by_key(&id, record_id)
                .ok()
                .map(|i| Held::Borrowed(&events[i]))),
        }
    }

    /// The first record after `id` (None: the oldest).
    fn after(&mut self, id: Option<u64>) -> Result<Option<Held<'a>>> {
        match self {
            View::Channel { view, .. } => {
                let Some(first) = view.first_record_id() else {
                    return Ok(None);
                };
                let from = id.map_or(first, |id| (id + 1).max(first));
                self.near(from, false)
            }
            View::Events(events) => {
                let i = id.map_or(0, |id| events.partition_point(|e| record_id(e) <= id));
                Ok(events.get(i).map(Held::Borrowed))
            }
        }
    }

    /// The last record before `id` (None: the newest).
    fn before(&mut self, id: Option<u64>) -> Result<Option<Held<'a>>> {
        match self {
            View::Channel { view, .. } => {
                let Some(first) = view.first_record_id() else {
                    return Ok(None);
                };
                let end = view.end_record_id();
                let below = match id {
                    None => end.checked_sub(1),
                    Some(id) => id.min(end).checked_sub(1),
                };
                match below.filter(|&id| id >= first) {
                    Some(id) => self.near(id, true),
                    None => Ok(None),
                }
            }
            View::Events(events) => {
                let i = id.map_or(events.len(), |id| {
                    events.partition_point(|e| record_id(e) < id)
                });
                Ok(i.checked_sub(1)
                    .and_then(|i| events.get(i))
                    .map(Held::Borrowed))
            }
        }
    }
}

impl Engine {
    /// OpenEventLog: the log `name`; for the name of a registered classic source, that
    /// source's log; for any other name Application, as on Windows ("if you specify a
    /// custom log and it cannot be found, the event logging service opens the Application
    /// log"). `ChannelNotFound` if the log chosen does not exist. ReportEvent may write
    /// through the handle as the source `name` ([`ClassicLog::name`]).
    pub fn open_event_log(&self, name: &str) -> Result<ClassicLog> {
        let channel = self.channel(&self.event_source_log(name))?;
        Ok(self.classic_log(name, Source::Channel(channel)))
    }

    /// OpenBackupEventLog: the events of the .evtx file `path` (absolute), read now.
    ///
    /// Errors: FileNotFound (2) or PathNotFound (3) for a missing file, InvalidParameter
    /// (87) for a relative path, FileCorrupt for a file that is not an event log.
    pub fn open_backup_event_log(&self, path: &str) -> Result<ClassicLog> {
        let flags = QueryFlags::from_bits(
            QueryFlags::FILE_PATH.bits() | QueryFlags::FORWARD_DIRECTION.bits(),
        )?;
        // The classic API's own reading: no EvtQuery or EvtNext call (fault_plan.rs).
        let _quiet = self.fault_plan().quiet();
        let results = self.default_session().query(Some(path), None, flags)?;
        let mut events = Vec::new();
        while let Next::Events(batch) = results.next(super::MAX_NEXT_COUNT, None)? {
            events.extend(batch.iter().map(|e| e.event().clone()));
        }
        results.close();
        events.sort_by_key(record_id);
        Ok(self.classic_log(path, Source::Backup(events)))
    }

    fn classic_log(&self, name: &str, source: Source) -> ClassicLog {
        ClassicLog {
            engine: self.clone(),
            name: name.to_owned(),
            source,
            position: Mutex::new(None),
            watches: Mutex::new(Vec::new()),
        }
    }
}

impl ClassicLog {
    /// The name given to OpenEventLog (the source ReportEvent writes as through this
    /// handle), or the backup file's path.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether it was opened from a backup file.
    pub fn is_backup(&self) -> bool {
        matches!(self.source, Source::Backup(_))
    }

    /// The channel's name, or `None` for a backup.
    pub fn log_name(&self) -> Option<&str> {
        match &self.source {
            Source::Channel(c) => Some(c.name()),
            Source::Backup(_) => None,
        }
    }

    fn view(&self) -> View<'_> {
        match &self.source {
            Source::Channel(c) => View::Channel {
                view: c.view(),
                pages: Pages::new(Some(&self.engine), None),
                name: Arc::from(c.name()),
            },
            Source::Backup(events) => View::Events(events),
        }
    }

    fn channel(&self) -> Result<&Arc<Channel>> {
        match &self.source {
            Source::Channel(c) => Ok(c),
            Source::Backup(_) => Err(Error::with_message(
                ErrorKind::InvalidHandle,
                "a log opened from a backup file is read-only",
            )),
        }
    }

    /// ReadEventLog (invariants 1 and 2): `flags` one of SEQUENTIAL/SEEK with one of
    /// FORWARDS/BACKWARDS, `record` the record number of a seek read, `buffer_size` the
    /// caller's buffer (at most [`MAX_READ_BUFFER`]), `wide` for the W function's UTF-16.
    ///
    /// Errors: `InvalidParameter` (87) for bad flags, a buffer over the maximum, or a seek
    /// to a record that is not in the log.
    pub fn read(
        &self,
        flags: u32,
        record: u32,
        buffer_size: usize,
        wide: bool,
    ) -> Result<ReadOutcome> {
        let mode = flags & (EVENTLOG_SEQUENTIAL_READ | EVENTLOG_SEEK_READ);
        let direction = flags & (EVENTLOG_FORWARDS_READ | EVENTLOG_BACKWARDS_READ);
        let known = EVENTLOG_SEQUENTIAL_READ
            | EVENTLOG_SEEK_READ
            | EVENTLOG_FORWARDS_READ
            | EVENTLOG_BACKWARDS_READ;
        let single = |v: u32| v != 0 && v & (v - 1) == 0;
        if flags & !known != 0 || !single(mode) || !single(direction) {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                format!(
                    "read flags {flags:#x}: one of SEQUENTIAL (1) and SEEK (2) with one of FORWARDS (4) and BACKWARDS (8)"
                ),
            ));
        }
        if buffer_size > MAX_READ_BUFFER {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                format!("buffer of {buffer_size} bytes; ReadEventLog takes at most {MAX_READ_BUFFER:#x}"),
            ));
        }
        let forwards = direction == EVENTLOG_FORWARDS_READ;
        let mut view = self.view();
        let mut position = self.position.lock();
        let first = if mode == EVENTLOG_SEEK_READ {
            match view.get(u64::from(record))? {
                Some(e) => Some(e),
                None => {
                    return Err(Error::with_message(
                        ErrorKind::InvalidParameter,
                        format!("record {record} is not in the log"),
                    ))
                }
            }
        } else {
            match *position {
                None if forwards => view.after(None)?,
                None => view.before(None)?,
                // The same direction moves on; a change of direction starts at the last.
                Some((last, was_forwards)) => match (forwards, was_forwards) {
                    (true, true) => view.after(Some(last))?,
                    (false, false) => view.before(Some(last))?,
                    (true, false) => view.after(last.checked_sub(1))?,
                    (false, true) => view.before(Some(last + 1))?,
                },
            }
        };
        let Some(mut event) = first else {
            return Ok(ReadOutcome::End);
        };
        let mut out = Vec::new();
        loop {
            let bytes = eventlog_record(&event, wide);
            if out.len() + bytes.len() > buffer_size {
                if out.is_empty() {
                    return Ok(ReadOutcome::TooSmall {
                        needed: bytes.len() as u32,
                    });
                }
                break;
            }
            out.extend_from_slice(&bytes);
            let id = record_id(&event);
            *position = Some((id, forwards));
            let next = if forwards {
                view.after(Some(id))?
            } else {
                view.before(Some(id))?
            };
            match next {
                Some(e) => event = e,
                None => break,
            }
        }
        Ok(ReadOutcome::Records(out))
    }

    /// GetNumberOfEventLogRecords.
    pub fn number_of_records(&self) -> u32 {
        let n = match &self.source {
            Source::Channel(c) => c.record_count(),
            Source::Backup(events) => events.len() as u64,
        };
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// GetOldestEventLogRecord: the oldest record's number (0 for an empty log).
    pub fn oldest_record(&self) -> u32 {
        let oldest = match &self.source {
            Source::Channel(c) => c.oldest_record_id(),
            Source::Backup(events) => events.first().map(record_id),
        };
        oldest.map_or(0, |id| u32::try_from(id).unwrap_or(u32::MAX))
    }

    /// GetEventLogInformation(EVENTLOG_FULL_INFO): whether the log is full.
    pub fn is_full(&self) -> bool {
        match &self.source {
            Source::Channel(c) => c.is_full(),
            Source::Backup(_) => false,
        }
    }

    /// ClearEventLog: backs the records up to `backup` first if given (it must not exist:
    /// `FileExists`, which the facade reports as ERROR_ALREADY_EXISTS 183), then removes
    /// them. The read position starts again.
    pub fn clear(&self, backup: Option<&str>) -> Result<()> {
        let channel = self.channel()?;
        let _quiet = self.engine.fault_plan().quiet();
        self.engine
            .default_session()
            .clear_log(channel.name(), backup)?;
        *self.position.lock() = None;
        Ok(())
    }

    /// BackupEventLog: the log's records to the .evtx file `path` (it must not exist).
    pub fn backup(&self, path: &str) -> Result<()> {
        match &self.source {
            Source::Channel(c) => {
                let _quiet = self.engine.fault_plan().quiet();
                self.engine.default_session().export_log(
                    Some(c.name()),
                    None,
                    path,
                    ExportFlags::CHANNEL_PATH,
                )?;
            }
            Source::Backup(events) => {
                super::export::check_target(Path::new(path), false)?;
                // A call of the default session, as the channel's backup is.
                let session = self.engine.default_session();
                let call = session.inner.token.child(crate::cancel::NodeKind::Call);
                super::export::write_evtx(
                    Path::new(path),
                    false,
                    |writer| {
                        for event in events {
                            writer.write(event)?;
                        }
                        Ok(events.len() as u64)
                    },
                    &call,
                )?;
            }
        }
        Ok(())
    }

    /// NotifyChangeEventLog: `signal` is set by every append to the log from now on
    /// (invariant 4).
    pub fn notify_change(&self, signal: SignalEvent) -> Result<()> {
        let channel = self.channel()?;
        let id = channel.notifier().add(Watch::Pull(signal));
        self.watches.lock().push(id);
        Ok(())
    }

    /// Ends the log's notifications (CloseEventLog).
    pub fn close(&self) {
        if let Source::Channel(c) = &self.source {
            for id in self.watches.lock().drain(..) {
                c.notifier().remove(id);
            }
        }
    }
}

impl Drop for ClassicLog {
    fn drop(&mut self) {
        self.close();
    }
}
