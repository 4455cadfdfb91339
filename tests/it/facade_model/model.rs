//! A reference model of the Evt* facade and an interpreter that drives the real facade
//! (`evtlog::winevt`) and the model side by side, shared by the `facade_model` fuzz target
//! and by `cargo test` (tests/it/facade_model/mod.rs).
//!
//! Input bytes decode to a sequence of operations ([`Op`]); after each one the real answer
//! (TRUE/FALSE or a handle, the last error, the record ids returned in order, the rendered
//! bookmark, a channel property's value) is compared with the model's, and a mismatch
//! panics with the op's index, the op and both answers.
//!
//! The model: per channel a list of (record id, event id) and its configuration; per
//! handle its kind and state (open, closed, cancelled, stale) and, for a query, its
//! sequence and position. Its rules cite the facade's documented behaviour (module and
//! function docs of `src/winevt/` and `src/engine/`) and the documented Windows behaviour.
//!
//! Determinism: the service runs on a virtual clock that never moves, EvtNext's timeout is INFINITE
//! or 1000 ms (which bounds the time spent looking and never waits for future events, as EvtNext's
//! documentation says) or 0 only on a query of fewer than 64 records (a query reads one poll
//! interval of 64 records untimed; a subscription only its first batch, which the model cannot
//! see), and no thread writes beside the interpreter. Every op is bounded (at most 8 events
//! written, batches of at most 6): an input costs ~1 ms of CPU in a release build, a service reset
//! ~50 times that (hence [`Model::restart`]).

#![allow(non_upper_case_globals)]

use std::fmt::Write as _;
use std::path::PathBuf;

use evtlog::winevt::*;
use evtlog::{Event, Value};

// Siblings by path: the fuzz target includes this file by its path too.
#[path = "calls.rs"]
mod calls;
#[path = "ops.rs"]
mod ops;
#[path = "rules.rs"]
mod rules;
#[path = "state.rs"]
mod state;

use calls::*;
use ops::*;
use state::*;

/// The model, and the interpreter that drives the facade beside it.
pub struct Model {
    dir: PathBuf,
    channels: Vec<ChannelModel>,
    files: Vec<Option<Vec<(u64, u16)>>>,
    slots: Vec<Slot>,
}

/// The directory the exports and backups of this process go to: in memory where the
/// system has a tmpfs (an export syncs its file: on a disk that is most of a run's time).
fn work_dir() -> PathBuf {
    let shm = std::path::Path::new("/dev/shm");
    let base = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    let dir = base.join(format!("evtlog-facade-model-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    std::fs::canonicalize(&dir).unwrap_or(dir)
}

impl Model {
    /// A model of a freshly reset service.
    pub fn new() -> Model {
        assert_eq!(controls::reset(), TRUE);
        Model::set_up()
    }

    /// A model of a service reset to the persistent store in `store` (its channels are
    /// files: every read of an older record goes through the file).
    #[allow(dead_code)]
    pub fn on_store(store: &std::path::Path) -> Model {
        assert_eq!(controls::reset_to_store(store), TRUE);
        Model::set_up()
    }

    fn set_up() -> Model {
        assert_eq!(controls::use_virtual_clock(133_000_000_000_000_000), TRUE);
        assert_eq!(controls::create_channel(CHANNELS[1]), TRUE);
        let mut model = Model {
            dir: work_dir(),
            channels: Vec::new(),
            files: vec![None; FILES],
            slots: Vec::new(),
        };
        model.restart();
        model
    }

    /// Starts over on the same service without resetting it (a reset reinstalls the
    /// default publishers: most of a run's time): closes every handle the last run left
    /// open, empties the channels, enables the Operational one, removes the files, and
    /// reads what the model cannot know (the next record ids, the configuration).
    pub fn restart(&mut self) {
        for i in 0..self.slots.len() {
            if self.slots[i].open {
                assert_eq!(
                    EvtClose(self.slots[i].handle),
                    TRUE,
                    "closing {:?}",
                    self.slots[i]
                );
                self.close(i);
            }
        }
        self.slots.clear();
        for i in 0..FILES {
            let _ = std::fs::remove_file(self.dir.join(format!("{i}.evtx")));
        }
        self.files = vec![None; FILES];
        let engine = controls::engine();
        for name in CHANNELS {
            let channel = engine.channel(name).expect("the model's channels exist");
            channel.clear().expect("a clear");
        }
        engine
            .channel(CHANNELS[1])
            .expect("the channel")
            .set_enabled(true);
        self.channels = CHANNELS
            .iter()
            .map(|name| {
                let channel = engine.channel(name).expect("the model's channels exist");
                let config = channel.config();
                ChannelModel {
                    records: Vec::new(),
                    next_id: channel.next_record_id(),
                    config: ConfigModel {
                        enabled: channel.is_enabled(),
                        retention: !matches!(config.retention, evtlog::Retention::Overwrite),
                        max_size: config.max_size,
                        channel_type: channel.channel_type().as_u32(),
                    },
                }
            })
            .collect();
    }

    /// Runs the ops `data` decodes to; panics on the first difference.
    pub fn run(&mut self, data: &[u8]) {
        let mut bytes = Bytes { data, pos: 0 };
        let mut index = 0;
        while !bytes.done() && index < MAX_OPS {
            let op = decode(&mut bytes);
            let (real, expected) = self.step(&op);
            if real != expected {
                panic!("op {index} {op:?}: the facade answered {real:?}, the model {expected:?}\nhandles: {:#?}", self.slots);
            }
            index += 1;
        }
    }

    fn file_path(&self, slot: usize) -> String {
        self.dir
            .join(format!("{slot}.evtx"))
            .to_string_lossy()
            .into_owned()
    }

    /// The slot `pick` names (None: the NULL handle), preferring slots `want` accepts.
    fn pick(&self, pick: Pick, want: impl Fn(&Kind) -> bool) -> Option<usize> {
        let preferred: Vec<usize> = (0..self.slots.len())
            .filter(|&i| want(&self.slots[i].kind))
            .collect();
        let b = usize::from(pick.0);
        if pick.0 & 0x80 != 0 || preferred.is_empty() {
            let n = self.slots.len() + 1;
            let i = (b & 0x7f) % n;
            return (i < self.slots.len()).then_some(i);
        }
        // Mostly the newest of the kind.
        let i = b % (preferred.len() + 1);
        Some(preferred[preferred.len() - 1 - i.min(preferred.len() - 1)])
    }

    fn handle(&self, slot: Option<usize>) -> EVT_HANDLE {
        slot.map_or(0, |i| self.slots[i].handle)
    }

    fn open(&self, slot: Option<usize>) -> Option<&Kind> {
        slot.and_then(|i| self.slots[i].open.then_some(&self.slots[i].kind))
    }

    /// The session check of the facade: NULL is the local session; else an open session.
    fn session_ok(&self, slot: Option<usize>) -> Result<(), u32> {
        match slot {
            None => Ok(()),
            Some(_) => match self.open(slot) {
                Some(Kind::Session) => Ok(()),
                _ => Err(ERROR_INVALID_HANDLE),
            },
        }
    }

    fn add(&mut self, handle: EVT_HANDLE, parent: Option<usize>, kind: Kind) {
        self.slots.push(Slot {
            handle,
            parent,
            open: true,
            kind,
        });
    }

    /// Closes `slot` and its descendants (EvtClose closes a parent's children).
    fn close(&mut self, slot: usize) {
        self.slots[slot].open = false;
        let children: Vec<usize> = (0..self.slots.len())
            .filter(|&i| self.slots[i].open && self.slots[i].parent == Some(slot))
            .collect();
        for c in children {
            self.close(c);
        }
    }

    fn channel_seq(&self, channel: usize, filter: Option<u16>) -> Vec<(u64, u16)> {
        self.channels[channel]
            .records
            .iter()
            .copied()
            .filter(|&(_, e)| matches(filter, e))
            .collect()
    }

    /// A query's sequence now.
    fn sequence(&self, q: &QueryModel) -> Vec<(u64, u16)> {
        match (&q.fixed, q.source) {
            (Some(seq), _) => seq.clone(),
            (None, Source::Channel(c)) => self.channel_seq(c, q.filter),
            (None, Source::File(_)) => unreachable!("file queries are fixed"),
        }
    }

    fn step(&mut self, op: &Op) -> (Answer, Answer) {
        match op.clone() {
            Op::Write { channel, ids } => {
                let engine = controls::engine();
                let mut real = Vec::new();
                let mut model = Vec::new();
                for id in ids {
                    if self.channels[channel].records.len() >= MAX_RECORDS {
                        break;
                    }
                    let event = Event::builder("Evtlog-Model").event_id(id).build();
                    real.push(
                        engine
                            .write(CHANNELS[channel], event)
                            .map_err(|e| e.win32_code()),
                    );
                    let c = &mut self.channels[channel];
                    if c.config.enabled {
                        let rid = c.next_id;
                        c.next_id += 1;
                        c.records.push((rid, id));
                        model.push(Ok(rid));
                    } else {
                        // A disabled channel drops what is written (Channel::append: 4317).
                        model.push(Err(ERROR_INVALID_OPERATION));
                    }
                }
                (
                    Answer::Text(format!("{real:?}")),
                    Answer::Text(format!("{model:?}")),
                )
            }
            Op::OpenSession => {
                let login = EvtRpcLoginInfo::default();
                let h = EvtOpenSession(EvtRpcLogin, Some(&login), 0, 0);
                let real = last_error_after(h != 0);
                if h != 0 {
                    self.add(h, None, Kind::Session);
                }
                (real, Answer::Ok)
            }
            Op::Query {
                session,
                source,
                reverse,
                filter,
            } => {
                let s = self.pick(session, |k| matches!(k, Kind::Session));
                let (path, fixed) = match source {
                    Source::Channel(c) => (
                        CHANNELS[c].to_owned(),
                        reverse.then(|| {
                            let mut seq = self.channel_seq(c, filter);
                            seq.reverse();
                            seq
                        }),
                    ),
                    Source::File(f) => (
                        self.file_path(f),
                        self.files[f].as_ref().map(|records| {
                            let mut seq: Vec<(u64, u16)> = records
                                .iter()
                                .copied()
                                .filter(|&(_, e)| matches(filter, e))
                                .collect();
                            if reverse {
                                seq.reverse();
                            }
                            seq
                        }),
                    ),
                };
                let flags = match source {
                    Source::Channel(_) => EvtQueryChannelPath,
                    Source::File(_) => EvtQueryFilePath,
                } | if reverse {
                    EvtQueryReverseDirection
                } else {
                    EvtQueryForwardDirection
                };
                let text = query_text(filter);
                let h = EvtQuery(self.handle(s), Some(&path), text.as_deref(), flags);
                let real = last_error_after(h != 0);
                let model = match self.session_ok(s) {
                    Err(e) => Answer::Err(e),
                    // A missing file: ERROR_FILE_NOT_FOUND, as EvtQuery gives for a missing .evtx
                    // file.
                    Ok(()) if matches!(source, Source::File(_)) && fixed.is_none() => {
                        Answer::Err(2)
                    }
                    Ok(()) => Answer::Ok,
                };
                if h != 0 && model == Answer::Ok {
                    let q = QueryModel {
                        source,
                        reverse,
                        filter,
                        fixed,
                        path,
                        position: 0,
                        cancelled: false,
                        stale: false,
                    };
                    self.add(h, s, Kind::Query(q));
                }
                (real, model)
            }
            Op::Next {
                handle,
                batch,
                timeout,
                flags,
            } => {
                let slot = self.pick(handle, |k| {
                    matches!(k, Kind::Query(_) | Kind::Subscription(_))
                });
                // A zero timeout only where fewer than 64 records can be examined.
                let timeout = if timeout == 0 && !self.few_records(slot) {
                    INFINITE
                } else {
                    timeout
                };
                let mut events = vec![0 as EVT_HANDLE; batch];
                let mut returned = 0u32;
                let ok = EvtNext(
                    self.handle(slot),
                    &mut events,
                    timeout,
                    flags,
                    &mut returned,
                );
                let real_err = last_error_after(ok == TRUE);
                let got: Vec<EVT_HANDLE> = if ok == TRUE {
                    events[..returned as usize].to_vec()
                } else {
                    Vec::new()
                };
                let real_ids: Vec<u64> = got.iter().map(|&h| record_id_of(h)).collect();
                let real = match real_err {
                    Answer::Ok => Answer::Ids(real_ids),
                    e => e,
                };
                let (model, path) = self.model_next(slot, batch, flags);
                if let (Answer::Ids(ids), Some(path)) = (&model, path) {
                    if real == model {
                        for (&h, &rid) in got.iter().zip(ids) {
                            self.add(
                                h,
                                slot,
                                Kind::Event {
                                    path: path.clone(),
                                    record_id: rid,
                                },
                            );
                        }
                    }
                }
                (real, model)
            }
            Op::Seek {
                handle,
                origin,
                offset,
                strict,
                bookmark,
            } => {
                let slot = self.pick(handle, |k| matches!(k, Kind::Query(_)));
                let b = bookmark.map(|p| self.pick(p, |k| matches!(k, Kind::Bookmark(_))));
                let flags = origin | if strict { EvtSeekStrict } else { 0 };
                let ok = EvtSeek(
                    self.handle(slot),
                    offset,
                    b.map_or(0, |b| self.handle(b)),
                    0,
                    flags,
                );
                let real = last_error_after(ok == TRUE);
                let model = self.model_seek(slot, origin, offset, strict, b);
                (real, model)
            }
            Op::Cancel { handle } => {
                let slot = self.pick(handle, |k| {
                    matches!(k, Kind::Query(_) | Kind::Subscription(_))
                });
                let ok = EvtCancel(self.handle(slot));
                let real = last_error_after(ok == TRUE);
                // EvtCancel on a query or subscription is sticky until the handle is closed
                // (ResultSet::cancel, Subscription invariant 6); on a session it cancels only the
                // calls in flight (Session::cancel), of which a single thread has none.
                let model = match slot {
                    None => Answer::Ok,
                    Some(i) if !self.slots[i].open => Answer::Err(ERROR_INVALID_HANDLE),
                    Some(i) => {
                        match &mut self.slots[i].kind {
                            Kind::Query(q) => q.cancelled = true,
                            Kind::Subscription(s) => s.cancelled = true,
                            _ => {}
                        }
                        Answer::Ok
                    }
                };
                (real, model)
            }
            Op::Close { handle } => {
                let slot = self.pick(handle, |_| true);
                let ok = EvtClose(self.handle(slot));
                let real = last_error_after(ok == TRUE);
                let model = match slot {
                    Some(i) if self.slots[i].open => {
                        self.close(i);
                        Answer::Ok
                    }
                    _ => Answer::Err(ERROR_INVALID_HANDLE),
                };
                (real, model)
            }
            Op::Subscribe {
                session,
                channel,
                origin,
                bookmark,
                filter,
                strict,
            } => {
                let s = self.pick(session, |k| matches!(k, Kind::Session));
                let b = bookmark.map(|p| self.pick(p, |k| matches!(k, Kind::Bookmark(_))));
                // The signal is closed right after EvtSubscribe, as OTEL does.
                let signal = CreateEvent(false, false);
                let flags = origin | if strict { EvtSubscribeStrict } else { 0 };
                let text = query_text(filter);
                let h = EvtSubscribe(
                    self.handle(s),
                    signal,
                    Some(CHANNELS[channel]),
                    text.as_deref(),
                    b.map_or(0, |b| self.handle(b)),
                    None,
                    flags,
                );
                let real = last_error_after(h != 0);
                assert_eq!(CloseHandle(signal), TRUE);
                let model = self.model_subscribe(s, channel, origin, b, filter, strict);
                match model {
                    Ok(sub) => {
                        if h != 0 {
                            self.add(h, s, Kind::Subscription(sub));
                        }
                        (real, Answer::Ok)
                    }
                    Err(e) => (real, Answer::Err(e)),
                }
            }
            Op::CreateBookmark => {
                let h = EvtCreateBookmark(None);
                let real = last_error_after(h != 0);
                if h != 0 {
                    self.add(h, None, Kind::Bookmark(BookmarkModel::default()));
                }
                (real, Answer::Ok)
            }
            Op::UpdateBookmark { bookmark, event } => {
                let b = self.pick(bookmark, |k| matches!(k, Kind::Bookmark(_)));
                let e = self.pick(event, |k| matches!(k, Kind::Event { .. }));
                let ok = EvtUpdateBookmark(self.handle(b), self.handle(e));
                let real = last_error_after(ok == TRUE);
                let target = match self.open(e) {
                    Some(Kind::Event { path, record_id }) => Some((path.clone(), *record_id)),
                    _ => None,
                };
                let model = match (self.open(b).is_some(), target) {
                    (true, Some((path, rid)))
                        if matches!(self.open(b), Some(Kind::Bookmark(_))) =>
                    {
                        if let Some(Kind::Bookmark(m)) = b.map(|i| &mut self.slots[i].kind) {
                            m.set(&path, rid);
                        }
                        Answer::Ok
                    }
                    _ => Answer::Err(ERROR_INVALID_HANDLE),
                };
                (real, model)
            }
            Op::RenderBookmark { bookmark } => {
                let b = self.pick(bookmark, |k| matches!(k, Kind::Bookmark(_)));
                let real = render_bookmark(self.handle(b));
                let model = match self.open(b) {
                    Some(Kind::Bookmark(m)) => Answer::Text(m.xml()),
                    _ => Answer::Err(ERROR_INVALID_HANDLE),
                };
                (real, model)
            }
            Op::BookmarkFromXml { bookmark } => {
                // A bookmark rendered earlier parses back to the same bookmark (EvtCreateBookmark
                // from its XML).
                let b = self.pick(bookmark, |k| matches!(k, Kind::Bookmark(_)));
                let Some(Kind::Bookmark(m)) = self.open(b).cloned() else {
                    return (Answer::Ok, Answer::Ok);
                };
                let h = EvtCreateBookmark(Some(&m.xml()));
                let real = last_error_after(h != 0);
                if h != 0 {
                    self.add(h, None, Kind::Bookmark(m));
                }
                (real, Answer::Ok)
            }
            Op::Export {
                session,
                source,
                filter,
                target,
                overwrite,
            } => {
                let s = self.pick(session, |k| matches!(k, Kind::Session));
                let path = self.file_path(target);
                let (from, flags) = match source {
                    Source::Channel(c) => (CHANNELS[c].to_owned(), EvtExportLogChannelPath),
                    Source::File(f) => (self.file_path(f), EvtExportLogFilePath),
                };
                let flags = flags | if overwrite { EvtExportLogOverwrite } else { 0 };
                let text = query_text(filter);
                let ok = EvtExportLog(
                    self.handle(s),
                    Some(&from),
                    text.as_deref(),
                    Some(&path),
                    flags,
                );
                let real = last_error_after(ok == TRUE);
                let records = match source {
                    Source::Channel(c) => Some(self.channel_seq(c, filter)),
                    Source::File(f) => self.files[f].as_ref().map(|r| {
                        r.iter()
                            .copied()
                            .filter(|&(_, e)| matches(filter, e))
                            .collect()
                    }),
                };
                let model = match (self.session_ok(s), records) {
                    (Err(e), _) => Answer::Err(e),
                    // The target must not exist without EvtExportLogOverwrite (ERROR_FILE_EXISTS,
                    // 80); Session::export_log checks it before it opens the source.
                    (Ok(()), _) if self.files[target].is_some() && !overwrite => {
                        Answer::Err(ERROR_FILE_EXISTS)
                    }
                    (Ok(()), None) => Answer::Err(2),
                    (Ok(()), Some(records)) => {
                        self.files[target] = Some(records);
                        Answer::Ok
                    }
                };
                (real, model)
            }
            Op::Clear {
                session,
                channel,
                backup,
            } => {
                let s = self.pick(session, |k| matches!(k, Kind::Session));
                let path = backup.map(|b| self.file_path(b));
                let ok = EvtClearLog(self.handle(s), Some(CHANNELS[channel]), path.as_deref(), 0);
                let real = last_error_after(ok == TRUE);
                let model = match self.session_ok(s) {
                    Err(e) => Answer::Err(e),
                    // The backup must not exist (EvtClearLog: 80, nothing removed).
                    Ok(()) if backup.is_some_and(|b| self.files[b].is_some()) => {
                        Answer::Err(ERROR_FILE_EXISTS)
                    }
                    Ok(()) => {
                        self.clear(channel, backup);
                        Answer::Ok
                    }
                };
                (real, model)
            }
            Op::OpenConfig { session, channel } => {
                let s = self.pick(session, |k| matches!(k, Kind::Session));
                let h = EvtOpenChannelConfig(self.handle(s), Some(CHANNELS[channel]), 0);
                let real = last_error_after(h != 0);
                let model = match self.session_ok(s) {
                    Err(e) => Answer::Err(e),
                    Ok(()) => Answer::Ok,
                };
                if h != 0 && model == Answer::Ok {
                    let copy = self.channels[channel].config.clone();
                    self.add(
                        h,
                        s,
                        Kind::Config {
                            channel,
                            copy,
                            max_size_set: false,
                        },
                    );
                }
                (real, model)
            }
            Op::GetConfig { config, property } => {
                let c = self.pick(config, |k| matches!(k, Kind::Config { .. }));
                let real = get_config(self.handle(c), property);
                let model = match self.open(c) {
                    Some(Kind::Config { copy, .. }) => Answer::Value(Some(match property {
                        EvtChannelConfigEnabled => Value::Boolean(copy.enabled),
                        EvtChannelLoggingConfigRetention => Value::Boolean(copy.retention),
                        EvtChannelLoggingConfigMaxSize => Value::UInt64(copy.max_size),
                        _ => Value::UInt32(copy.channel_type),
                    })),
                    _ => Answer::Err(ERROR_INVALID_HANDLE),
                };
                (real, model)
            }
            Op::SetConfig {
                config,
                property,
                value,
            } => {
                let c = self.pick(config, |k| matches!(k, Kind::Config { .. }));
                let ok = EvtSetChannelConfigProperty(self.handle(c), property, 0, Some(&value));
                let real = last_error_after(ok == TRUE);
                let model = match c.map(|i| (self.slots[i].open, &mut self.slots[i].kind)) {
                    Some((
                        true,
                        Kind::Config {
                            channel,
                            copy,
                            max_size_set,
                        },
                    )) => {
                        // The value's type must be the property's exactly; Type is read-only; a
                        // standard classic log's Enabled cannot change (15023,
                        // EvtSetChannelConfigProperty's answer).
                        match (property, &value) {
                            (EvtChannelConfigEnabled, Value::Boolean(b)) if *channel == 1 => {
                                copy.enabled = *b;
                                Answer::Ok
                            }
                            (EvtChannelLoggingConfigRetention, Value::Boolean(b)) => {
                                copy.retention = *b;
                                Answer::Ok
                            }
                            (EvtChannelLoggingConfigMaxSize, Value::UInt64(v)) => {
                                copy.max_size = *v;
                                *max_size_set = true;
                                Answer::Ok
                            }
                            _ => Answer::Err(ERROR_EVT_INVALID_CHANNEL_PROPERTY_VALUE),
                        }
                    }
                    _ => Answer::Err(ERROR_INVALID_HANDLE),
                };
                (real, model)
            }
            Op::SaveConfig { config } => {
                let c = self.pick(config, |k| matches!(k, Kind::Config { .. }));
                let ok = EvtSaveChannelConfig(self.handle(c), 0);
                let real = last_error_after(ok == TRUE);
                let model = match self.open(c).cloned() {
                    Some(Kind::Config {
                        channel,
                        copy,
                        max_size_set,
                    }) => {
                        let target = &mut self.channels[channel].config;
                        target.enabled = copy.enabled;
                        target.retention = copy.retention;
                        if max_size_set {
                            // At least 1 MiB, in whole 64 KiB (normalized_max_size).
                            target.max_size = copy
                                .max_size
                                .max(1 << 20)
                                .div_ceil(65_536)
                                .saturating_mul(65_536);
                        }
                        Answer::Ok
                    }
                    _ => Answer::Err(ERROR_INVALID_HANDLE),
                };
                (real, model)
            }
        }
    }
}

/// Runs the ops `data` decodes to against the facade and the model, on a freshly reset
/// service; panics on the first difference. The caller serialises use of the service.
#[allow(dead_code)]
pub fn run(data: &[u8]) {
    Model::new().run(data);
}

/// Runs each input as [`run_all`] does, on a persistent store in `store`, reopened before
/// each input with `prefill` records (event ids in turn, payloads of 4,000 to 13,000
/// characters: a file chunk holds a few) already in the first channel: after the reopen they are all
/// in the file's sealed chunks, read from there by every call.
#[allow(dead_code)]
pub fn run_all_on_store(
    store: &std::path::Path,
    inputs: impl IntoIterator<Item = (usize, Vec<u8>)>,
) {
    let mut model = Model::on_store(store);
    for (prefill, data) in inputs {
        model.restart();
        let engine = controls::engine();
        for k in 0..prefill.min(MAX_RECORDS) {
            let id = EVENT_IDS[k % EVENT_IDS.len()];
            // A payload of 8 to 26 KB, so that a file chunk holds 2 to 7 of these records and
            // short reads cross chunks.
            let payload = "p".repeat(4000 + k * 997 % 9000);
            let event = Event::builder("Evtlog-Model")
                .event_id(id)
                .data("Payload", payload.as_str())
                .build();
            let rid = engine.write(CHANNELS[0], event).expect("a write");
            let c = &mut model.channels[0];
            assert_eq!(rid, c.next_id);
            c.next_id += 1;
            c.records.push((rid, id));
        }
        drop(engine);
        assert_eq!(controls::reset_to_store(store), TRUE, "the store reopens");
        assert_eq!(controls::use_virtual_clock(133_000_000_000_000_000), TRUE);
        model.run(&data);
    }
}

/// Runs each input as [`run`] does, but resets the service only once: between inputs the
/// model closes what the last one left open and empties the channels (record ids go on).
#[allow(dead_code)]
pub fn run_all(inputs: impl IntoIterator<Item = Vec<u8>>) {
    let mut model = Model::new();
    for data in inputs {
        model.restart();
        model.run(&data);
    }
}
