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
//! function docs of `src/winevt/` and `src/engine/`) and reference/wevtapi.md.
//!
//! Determinism: the service runs on a virtual clock that never moves, EvtNext's timeout
//! is INFINITE or 1000 ms (which bounds the time spent looking and never waits for future
//! events, §2.6) or 0 only where fewer than 64 records can be examined (a query reads one
//! poll interval of 64 records untimed), and no thread writes beside the interpreter.
//! Every op is bounded (at most 8 events written, batches of at most 6), so one input runs
//! in well under a millisecond plus the service reset.

#![allow(non_upper_case_globals)]

use std::fmt::Write as _;
use std::path::PathBuf;

use evtlog::winevt::*;
use evtlog::{Event, Value};

/// The channels the model uses: a standard classic one (whose Enabled cannot be changed)
/// and an Operational one created for it.
const CHANNELS: [&str; 2] = ["Application", "Evtlog-Model/Operational"];
/// Event ids written, so that a filter on one of them selects a computable subset.
const EVENT_IDS: [u16; 3] = [1, 2, 3];
/// Export and backup target slots.
const FILES: usize = 3;
/// Ops decoded from one input at most.
const MAX_OPS: usize = 48;
/// Records per channel at most (the writes stop there): far below the 1 MiB minimum
/// MaxSize, so nothing is ever overwritten.
const MAX_RECORDS: usize = 400;

const ERROR_INVALID_HANDLE: u32 = 6;
const ERROR_FILE_EXISTS: u32 = 80;
const ERROR_INVALID_PARAMETER: u32 = 87;
const ERROR_INSUFFICIENT_BUFFER: u32 = 122;
const ERROR_NO_MORE_ITEMS: u32 = 259;
const ERROR_NOT_FOUND: u32 = 1168;
const ERROR_CANCELLED: u32 = 1223;
const ERROR_INVALID_OPERATION: u32 = 4317;
const ERROR_EVT_QUERY_RESULT_STALE: u32 = 15011;
const ERROR_EVT_QUERY_RESULT_INVALID_POSITION: u32 = 15012;
const ERROR_EVT_INVALID_CHANNEL_PROPERTY_VALUE: u32 = 15023;

/// Reads an input one byte at a time; past its end every byte is 0.
struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    fn done(&self) -> bool {
        self.pos >= self.data.len()
    }
}

/// A handle chosen by an op: `pick` selects among the slots, preferring those of the
/// kind the op takes (the high bit: any slot; past the end: NULL).
#[derive(Clone, Copy, Debug)]
struct Pick(u8);

/// One operation.
#[derive(Clone, Debug)]
enum Op {
    Write {
        channel: usize,
        ids: Vec<u16>,
    },
    OpenSession,
    Query {
        session: Pick,
        source: Source,
        reverse: bool,
        filter: Option<u16>,
    },
    Next {
        handle: Pick,
        batch: usize,
        timeout: u32,
        flags: u32,
    },
    Seek {
        handle: Pick,
        origin: u32,
        offset: i64,
        strict: bool,
        bookmark: Option<Pick>,
    },
    Cancel {
        handle: Pick,
    },
    Close {
        handle: Pick,
    },
    Subscribe {
        session: Pick,
        channel: usize,
        origin: u32,
        bookmark: Option<Pick>,
        filter: Option<u16>,
        strict: bool,
    },
    CreateBookmark,
    UpdateBookmark {
        bookmark: Pick,
        event: Pick,
    },
    RenderBookmark {
        bookmark: Pick,
    },
    BookmarkFromXml {
        bookmark: Pick,
    },
    Export {
        session: Pick,
        source: Source,
        filter: Option<u16>,
        target: usize,
        overwrite: bool,
    },
    Clear {
        session: Pick,
        channel: usize,
        backup: Option<usize>,
    },
    OpenConfig {
        session: Pick,
        channel: usize,
    },
    GetConfig {
        config: Pick,
        property: u32,
    },
    SetConfig {
        config: Pick,
        property: u32,
        value: Value,
    },
    SaveConfig {
        config: Pick,
    },
}

/// A query's or an export's source: a channel, or an exported file slot.
#[derive(Clone, Copy, Debug)]
enum Source {
    Channel(usize),
    File(usize),
}

fn filter_of(b: u8) -> Option<u16> {
    match b % 5 {
        0..=2 => Some(EVENT_IDS[(b % 5) as usize]),
        _ => None,
    }
}

fn decode(bytes: &mut Bytes<'_>) -> Op {
    let kind = bytes.u8();
    match kind % 19 {
        0 => {
            let channel = usize::from(bytes.u8() % 2);
            let n = 1 + usize::from(bytes.u8() % 8);
            let ids = (0..n)
                .map(|_| EVENT_IDS[usize::from(bytes.u8() % 3)])
                .collect();
            Op::Write { channel, ids }
        }
        1 => Op::OpenSession,
        2 => {
            let session = Pick(bytes.u8());
            let s = bytes.u8();
            let source = if s % 4 == 3 {
                Source::File(usize::from(s / 4) % FILES)
            } else {
                Source::Channel(usize::from(s % 2))
            };
            let reverse = bytes.u8() % 2 == 1;
            let filter = filter_of(bytes.u8());
            Op::Query {
                session,
                source,
                reverse,
                filter,
            }
        }
        3 | 4 => {
            let handle = Pick(bytes.u8());
            let b = bytes.u8();
            let batch = usize::from(b % 7);
            let timeout = match (b / 7) % 3 {
                0 => INFINITE,
                1 => 1000,
                _ => 0,
            };
            let flags = u32::from(bytes.u8() == 255);
            Op::Next {
                handle,
                batch,
                timeout,
                flags,
            }
        }
        5 => {
            let handle = Pick(bytes.u8());
            let o = bytes.u8();
            let origin = u32::from(o % 6);
            let strict = o & 0x80 != 0;
            let offset = match bytes.u8() {
                250 => i64::MAX,
                251 => i64::MIN,
                252 => 1000,
                253 => -1000,
                b => i64::from(b % 9) - 4,
            };
            let bookmark =
                (origin == EvtSeekRelativeToBookmark || o & 0x40 != 0).then(|| Pick(bytes.u8()));
            Op::Seek {
                handle,
                origin,
                offset,
                strict,
                bookmark,
            }
        }
        6 => Op::Cancel {
            handle: Pick(bytes.u8()),
        },
        7 => Op::Close {
            handle: Pick(bytes.u8()),
        },
        8 => {
            let session = Pick(bytes.u8());
            let channel = usize::from(bytes.u8() % 2);
            let o = bytes.u8();
            let origin = u32::from(o % 4);
            let strict = o & 0x80 != 0;
            let bookmark = (origin == EvtSubscribeStartAfterBookmark || o & 0x40 != 0)
                .then(|| Pick(bytes.u8()));
            let filter = filter_of(bytes.u8());
            Op::Subscribe {
                session,
                channel,
                origin,
                bookmark,
                filter,
                strict,
            }
        }
        9 => Op::CreateBookmark,
        10 => Op::UpdateBookmark {
            bookmark: Pick(bytes.u8()),
            event: Pick(bytes.u8()),
        },
        11 => Op::RenderBookmark {
            bookmark: Pick(bytes.u8()),
        },
        12 => Op::BookmarkFromXml {
            bookmark: Pick(bytes.u8()),
        },
        13 => {
            let session = Pick(bytes.u8());
            let s = bytes.u8();
            let source = if s % 4 == 3 {
                Source::File(usize::from(s / 4) % FILES)
            } else {
                Source::Channel(usize::from(s % 2))
            };
            let filter = filter_of(bytes.u8());
            let t = bytes.u8();
            Op::Export {
                session,
                source,
                filter,
                target: usize::from(t % 4) % FILES,
                overwrite: t & 0x80 != 0,
            }
        }
        14 => {
            let session = Pick(bytes.u8());
            let channel = usize::from(bytes.u8() % 2);
            let b = bytes.u8();
            let backup = (b % 2 == 1).then_some(usize::from(b / 2) % FILES);
            Op::Clear {
                session,
                channel,
                backup,
            }
        }
        15 => Op::OpenConfig {
            session: Pick(bytes.u8()),
            channel: usize::from(bytes.u8() % 2),
        },
        16 => {
            let config = Pick(bytes.u8());
            let property = config_property(bytes.u8());
            Op::GetConfig { config, property }
        }
        18 => Op::SaveConfig {
            config: Pick(bytes.u8()),
        },
        _ => {
            let config = Pick(bytes.u8());
            let property = config_property(bytes.u8());
            let v = bytes.u8();
            let value = match v % 8 {
                0 => Value::Boolean(true),
                1 => Value::Boolean(false),
                2 => Value::UInt64(0),
                3 => Value::UInt64(1 << 20),
                4 => Value::UInt64((1 << 20) + 1 + u64::from(v)),
                5 => Value::UInt64(9_000_000),
                6 => Value::UInt32(1),
                _ => Value::String("x".into()),
            };
            Op::SetConfig {
                config,
                property,
                value,
            }
        }
    }
}

fn config_property(b: u8) -> u32 {
    [
        EvtChannelConfigEnabled,
        EvtChannelLoggingConfigRetention,
        EvtChannelLoggingConfigMaxSize,
        EvtChannelConfigType,
    ][usize::from(b % 4)]
}

/// What the model knows of a handle.
#[derive(Clone, Debug)]
enum Kind {
    Session,
    Query(QueryModel),
    Event {
        path: String,
        record_id: u64,
    },
    Bookmark(BookmarkModel),
    Subscription(SubModel),
    Config {
        channel: usize,
        copy: ConfigModel,
        max_size_set: bool,
    },
}

#[derive(Clone, Debug)]
struct QueryModel {
    source: Source,
    reverse: bool,
    filter: Option<u16>,
    /// A reverse query's, or a file query's, sequence (fixed at query time); a forward
    /// channel query's sequence is the channel's matching records now (it is live).
    fixed: Option<Vec<(u64, u16)>>,
    /// The path its events report (the channel's name, or the file's absolute path).
    path: String,
    position: usize,
    cancelled: bool,
    stale: bool,
}

#[derive(Clone, Debug)]
struct SubModel {
    channel: usize,
    filter: Option<u16>,
    /// The next record id its scan examines.
    cursor: u64,
    /// Matching events still to drop (an empty bookmark starts at the second match, §2.8).
    skip: usize,
    future_only: bool,
    delivered: bool,
    cancelled: bool,
    /// Records it had not reached were cleared: its next scan finds the gap.
    gap: bool,
    /// It found the gap: every later EvtNext fails with 15011 (subscription invariant 7).
    stale: bool,
}

#[derive(Clone, Debug, Default)]
struct BookmarkModel {
    entries: Vec<(String, u64)>,
    current: usize,
}

impl BookmarkModel {
    fn set(&mut self, channel: &str, record_id: u64) {
        match self
            .entries
            .iter()
            .position(|(c, _)| same_channel(c, channel))
        {
            Some(i) => {
                self.entries[i].1 = record_id;
                self.current = i;
            }
            None => {
                self.entries.push((channel.to_owned(), record_id));
                self.current = self.entries.len() - 1;
            }
        }
    }

    fn record_id(&self, channel: &str) -> Option<u64> {
        self.entries
            .iter()
            .find(|(c, _)| same_channel(c, channel))
            .map(|e| e.1)
    }

    /// EvtRender(EvtRenderBookmark) as wevtapi.md §4.2 gives it: CRLF, two-space indent,
    /// single quotes, `IsCurrent='true'` on the last updated entry.
    fn xml(&self) -> String {
        let mut out = String::from("<BookmarkList>\r\n");
        for (i, (channel, id)) in self.entries.iter().enumerate() {
            let _ = write!(out, "  <Bookmark Channel='{channel}' RecordId='{id}'");
            if i == self.current {
                out.push_str(" IsCurrent='true'");
            }
            out.push_str("/>\r\n");
        }
        out.push_str("</BookmarkList>");
        out
    }
}

/// Channel names compare ignoring case; file paths exactly.
fn same_channel(a: &str, b: &str) -> bool {
    if a.starts_with('/') || b.starts_with('/') {
        a == b
    } else {
        a.eq_ignore_ascii_case(b)
    }
}

#[derive(Clone, Debug, PartialEq)]
struct ConfigModel {
    enabled: bool,
    retention: bool,
    max_size: u64,
    channel_type: u32,
}

#[derive(Debug)]
struct Slot {
    handle: EVT_HANDLE,
    parent: Option<usize>,
    open: bool,
    kind: Kind,
}

#[derive(Debug)]
struct ChannelModel {
    records: Vec<(u64, u16)>,
    next_id: u64,
    config: ConfigModel,
}

/// The model's answer to a call: success with its data, or the last error.
#[derive(Debug, PartialEq)]
enum Answer {
    Ok,
    Ids(Vec<u64>),
    Text(String),
    Value(Option<Value>),
    Err(u32),
}

struct Model {
    dir: PathBuf,
    channels: Vec<ChannelModel>,
    files: Vec<Option<Vec<(u64, u16)>>>,
    slots: Vec<Slot>,
}

fn matches(filter: Option<u16>, event_id: u16) -> bool {
    filter.is_none_or(|k| k == event_id)
}

fn query_text(filter: Option<u16>) -> Option<String> {
    filter.map(|k| format!("*[System[EventID={k}]]"))
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

/// The error a failed facade call left.
fn last_error_after(ok: bool) -> Answer {
    if ok {
        assert_eq!(GetLastError(), 0, "a success leaves ERROR_SUCCESS (§2.0)");
        Answer::Ok
    } else {
        Answer::Err(GetLastError())
    }
}

impl Model {
    /// A model of a freshly reset service.
    fn new() -> Model {
        assert_eq!(controls::reset(), TRUE);
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
    fn restart(&mut self) {
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
    fn run(&mut self, data: &[u8]) {
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

    /// Closes `slot` and its descendants (EvtClose closes a parent's children, §2.2).
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
                    // A missing file: ERROR_FILE_NOT_FOUND (§2.5).
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
                // EvtCancel on a query or subscription is sticky (§7 policy 1; ResultSet::
                // cancel, Subscription invariant 6); on a session it cancels only the calls
                // in flight (Session::cancel), of which a single thread has none.
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
                // The signal is closed right after EvtSubscribe, as OTEL does (§2.8).
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
                // A bookmark rendered earlier parses back to the same bookmark (§2.19).
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
                    // The target must not exist without EvtExportLogOverwrite (§2.14: 80);
                    // Session::export_log checks it before it opens the source.
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
                        // The value's type must be the property's exactly; Type is read-only;
                        // a standard classic log's Enabled cannot change (15023, §2.17).
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

    /// Whether an EvtNext on `slot` examines fewer than 64 records.
    fn few_records(&self, slot: Option<usize>) -> bool {
        let c = match self.open(slot) {
            Some(Kind::Query(q)) => match q.source {
                Source::Channel(c) => c,
                Source::File(_) => return false,
            },
            // A subscription's scan reads only its first batch untimed (a batch never spans
            // chunks), so what a zero timeout returns depends on the store's chunks: a
            // partial batch is a success (§2.6), which the model cannot predict.
            Some(Kind::Subscription(_)) => return false,
            _ => return true,
        };
        self.channels[c].records.len() < 60
    }

    fn model_next(
        &mut self,
        slot: Option<usize>,
        batch: usize,
        flags: u32,
    ) -> (Answer, Option<String>) {
        let Some(i) = slot.filter(|&i| self.slots[i].open) else {
            return (Answer::Err(ERROR_INVALID_HANDLE), None);
        };
        if !matches!(self.slots[i].kind, Kind::Query(_) | Kind::Subscription(_)) {
            return (Answer::Err(ERROR_INVALID_HANDLE), None);
        }
        // Flags are reserved and EventsSize 0 is invalid (EvtNext: 87).
        if flags != 0 || batch == 0 {
            return (Answer::Err(ERROR_INVALID_PARAMETER), None);
        }
        match self.slots[i].kind.clone() {
            Kind::Query(mut q) => {
                // A closed result set is 6, a stale one 15011 (results.rs invariant 4), a
                // cancelled one 1223 for good (§7 policy 1).
                if q.stale {
                    return (Answer::Err(ERROR_EVT_QUERY_RESULT_STALE), None);
                }
                if q.cancelled {
                    return (Answer::Err(ERROR_CANCELLED), None);
                }
                let seq = self.sequence(&q);
                let from = q.position.min(seq.len());
                let to = (from + batch).min(seq.len());
                let ids: Vec<u64> = seq[from..to].iter().map(|e| e.0).collect();
                q.position = to;
                let path = q.path.clone();
                self.slots[i].kind = Kind::Query(q);
                if ids.is_empty() {
                    (Answer::Err(ERROR_NO_MORE_ITEMS), None)
                } else {
                    (Answer::Ids(ids), Some(path))
                }
            }
            Kind::Subscription(mut s) => {
                if s.stale {
                    return (Answer::Err(ERROR_EVT_QUERY_RESULT_STALE), None);
                }
                if s.cancelled {
                    return (Answer::Err(ERROR_CANCELLED), None);
                }
                if s.gap {
                    s.stale = true;
                    self.slots[i].kind = Kind::Subscription(s);
                    return (Answer::Err(ERROR_EVT_QUERY_RESULT_STALE), None);
                }
                let want = batch + s.skip;
                let mut found = Vec::new();
                let mut cursor = s.cursor;
                for &(rid, eid) in &self.channels[s.channel].records {
                    if rid < s.cursor {
                        continue;
                    }
                    if found.len() == want {
                        break;
                    }
                    cursor = rid + 1;
                    if matches(s.filter, eid) {
                        found.push(rid);
                    }
                }
                if found.len() < want {
                    cursor = cursor.max(self.channels[s.channel].next_id);
                }
                s.cursor = cursor;
                let skipped = s.skip.min(found.len());
                found.drain(..skipped);
                s.skip -= skipped;
                let answer = if found.is_empty() {
                    // A fresh future-events subscription with nothing says 4317 (§2.6).
                    if s.future_only && !s.delivered {
                        Answer::Err(ERROR_INVALID_OPERATION)
                    } else {
                        Answer::Err(ERROR_NO_MORE_ITEMS)
                    }
                } else {
                    s.delivered = true;
                    Answer::Ids(found)
                };
                self.slots[i].kind = Kind::Subscription(s);
                (answer, Some(CHANNELS[self.channel_of(i)].to_owned()))
            }
            _ => unreachable!(),
        }
    }

    fn channel_of(&self, slot: usize) -> usize {
        match &self.slots[slot].kind {
            Kind::Subscription(s) => s.channel,
            _ => 0,
        }
    }

    fn model_seek(
        &mut self,
        slot: Option<usize>,
        origin: u32,
        offset: i64,
        strict: bool,
        bookmark: Option<Option<usize>>,
    ) -> Answer {
        let Some(i) = slot.filter(|&i| self.slots[i].open) else {
            return Answer::Err(ERROR_INVALID_HANDLE);
        };
        let Kind::Query(mut q) = self.slots[i].kind.clone() else {
            return Answer::Err(ERROR_INVALID_HANDLE);
        };
        // EVT_SEEK_FLAGS: one origin of 1 to 4 (87 otherwise, §1.6).
        if !(1..=4).contains(&origin) {
            return Answer::Err(ERROR_INVALID_PARAMETER);
        }
        let mark = if origin == EvtSeekRelativeToBookmark {
            match bookmark.flatten().and_then(|b| self.open(Some(b))) {
                Some(Kind::Bookmark(m)) => Some(m.clone()),
                _ => return Answer::Err(ERROR_INVALID_HANDLE),
            }
        } else {
            // Bookmark is set only with EvtSeekRelativeToBookmark (§2.7).
            if bookmark.flatten().is_some() {
                return Answer::Err(ERROR_INVALID_PARAMETER);
            }
            None
        };
        if q.stale {
            return Answer::Err(ERROR_EVT_QUERY_RESULT_STALE);
        }
        if q.cancelled {
            return Answer::Err(ERROR_CANCELLED);
        }
        let seq = self.sequence(&q);
        let m = seq.len() as i128;
        let offset128 = i128::from(offset);
        let target: i128 = match origin {
            EvtSeekRelativeToFirst => offset128,
            EvtSeekRelativeToCurrent => q.position as i128 + offset128,
            EvtSeekRelativeToLast => m - 1 + offset128,
            _ => {
                // The bookmark's record in the results, or the gap before the first record
                // after it in the query's direction (§2.7's documented example).
                let mark = mark.expect("a bookmark");
                let anchor: Result<i128, i128> = match mark.record_id(&q.path) {
                    None => Err(0),
                    Some(id) => {
                        let mut anchor = Err(m);
                        for (index, &(rid, _)) in seq.iter().enumerate() {
                            if rid == id {
                                anchor = Ok(index as i128);
                                break;
                            }
                            if (rid > id) != q.reverse {
                                anchor = Err(index as i128);
                                break;
                            }
                        }
                        anchor
                    }
                };
                if strict && anchor.is_err() {
                    return Answer::Err(ERROR_NOT_FOUND);
                }
                match anchor {
                    Ok(index) => index + offset128,
                    Err(gap) if offset > 0 => gap + offset128 - 1,
                    Err(gap) => gap + offset128,
                }
            }
        };
        let bad_sign = (origin == EvtSeekRelativeToFirst && offset < 0)
            || (origin == EvtSeekRelativeToLast && offset > 0);
        // Strict: fail if the event does not exist (15012, §2.7 [I]); else clamp to the
        // last record within the boundary.
        if strict && (target < 0 || target >= m || bad_sign) {
            return Answer::Err(ERROR_EVT_QUERY_RESULT_INVALID_POSITION);
        }
        q.position = if m == 0 {
            0
        } else {
            target.clamp(0, m - 1) as usize
        };
        self.slots[i].kind = Kind::Query(q);
        Answer::Ok
    }

    fn model_subscribe(
        &self,
        s: Option<usize>,
        channel: usize,
        origin: u32,
        b: Option<Option<usize>>,
        filter: Option<u16>,
        strict: bool,
    ) -> Result<SubModel, u32> {
        self.session_ok(s)?;
        // EVT_SUBSCRIBE_FLAGS: an origin of 1 to 3 (§1.7).
        if !(1..=3).contains(&origin) {
            return Err(ERROR_INVALID_PARAMETER);
        }
        let mark = match b {
            None | Some(None) => None,
            Some(Some(i)) => match self.open(Some(i)) {
                Some(Kind::Bookmark(m)) => Some(m.clone()),
                _ => return Err(ERROR_INVALID_HANDLE),
            },
        };
        // A bookmark is required with StartAfterBookmark and NULL otherwise (§2.8).
        if (origin == EvtSubscribeStartAfterBookmark) != mark.is_some() {
            return Err(ERROR_INVALID_PARAMETER);
        }
        let c = &self.channels[channel];
        let end = c.next_id;
        let oldest = c.records.first().map_or(end, |r| r.0);
        let cursor = match origin {
            EvtSubscribeToFutureEvents => end,
            EvtSubscribeStartAtOldestRecord => oldest,
            _ => match mark.as_ref().and_then(|m| m.record_id(CHANNELS[channel])) {
                // With Strict a bookmark that names no record of the channel fails
                // with ERROR_NOT_FOUND (§2.8).
                None if strict => return Err(ERROR_NOT_FOUND),
                None => oldest,
                Some(id) if c.records.iter().any(|r| r.0 == id) => id + 1,
                Some(_) if strict => return Err(ERROR_NOT_FOUND),
                // "begins with the event that is after the event that is closest to the
                // bookmarked event" (§2.8).
                Some(id) => match c.records.first() {
                    Some(&(first, _)) if id < first => first + 1,
                    _ => end,
                },
            },
        };
        let skip = usize::from(mark.as_ref().is_some_and(|m| m.entries.is_empty()));
        Ok(SubModel {
            channel,
            filter,
            cursor,
            skip,
            future_only: origin == EvtSubscribeToFutureEvents,
            delivered: false,
            cancelled: false,
            gap: false,
            stale: false,
        })
    }

    /// EvtClearLog: the backup holds every record; open queries of the channel are stale
    /// (15011, §2.13); a subscription that had not reached some record lost it (stale).
    fn clear(&mut self, channel: usize, backup: Option<usize>) {
        let records = std::mem::take(&mut self.channels[channel].records);
        for slot in &mut self.slots {
            match &mut slot.kind {
                Kind::Query(q) if matches!(q.source, Source::Channel(c) if c == channel) => {
                    q.stale = true
                }
                Kind::Subscription(s) if s.channel == channel => {
                    if records.iter().any(|r| r.0 >= s.cursor) {
                        s.gap = true;
                    }
                }
                _ => {}
            }
        }
        if let Some(b) = backup {
            self.files[b] = Some(records);
        }
    }
}

/// The record id of the event `handle`, from its XML.
fn record_id_of(handle: EVT_HANDLE) -> u64 {
    let (mut used, mut count) = (0, 0);
    let mut buffer = vec![0u8; 8192];
    assert_eq!(
        EvtRender(
            0,
            handle,
            EvtRenderEventXml,
            &mut buffer,
            &mut used,
            &mut count
        ),
        TRUE,
        "render {handle:#x}"
    );
    let xml = utf16_text(&buffer[..used as usize]);
    let start = xml.find("<EventRecordID>").expect("an EventRecordID") + "<EventRecordID>".len();
    let end = start + xml[start..].find('<').expect("its end");
    xml[start..end].parse().expect("a number")
}

fn utf16_text(bytes: &[u8]) -> String {
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let end = units.iter().position(|&u| u == 0).unwrap_or(units.len());
    String::from_utf16_lossy(&units[..end])
}

/// EvtRender(EvtRenderBookmark) with the two calls of §2.0.
fn render_bookmark(handle: EVT_HANDLE) -> Answer {
    let (mut used, mut count) = (0, 0);
    if EvtRender(0, handle, EvtRenderBookmark, &mut [], &mut used, &mut count) == TRUE {
        return Answer::Text("(an empty buffer was enough)".into());
    }
    match GetLastError() {
        ERROR_INSUFFICIENT_BUFFER => {}
        e => return Answer::Err(e),
    }
    let mut buffer = vec![0u8; used as usize];
    match last_error_after(
        EvtRender(
            0,
            handle,
            EvtRenderBookmark,
            &mut buffer,
            &mut used,
            &mut count,
        ) == TRUE,
    ) {
        Answer::Ok => Answer::Text(utf16_text(&buffer)),
        e => e,
    }
}

/// EvtGetChannelConfigProperty as a value (an EVT_VARIANT: the union in bytes 0..8, the
/// type in bytes 12..16).
fn get_config(handle: EVT_HANDLE, property: u32) -> Answer {
    let mut buffer = [0u8; 64];
    let mut used = 0;
    match last_error_after(
        EvtGetChannelConfigProperty(handle, property, 0, &mut buffer, &mut used) == TRUE,
    ) {
        Answer::Ok => {
            let union = u64::from_le_bytes(buffer[0..8].try_into().unwrap());
            let ty = u32::from_le_bytes(buffer[12..16].try_into().unwrap());
            Answer::Value(read_inline(ty, union))
        }
        e => e,
    }
}

/// Runs the ops `data` decodes to against the facade and the model, on a freshly reset
/// service; panics on the first difference. The caller serialises use of the service.
pub fn run(data: &[u8]) {
    Model::new().run(data);
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
