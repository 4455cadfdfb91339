//! The input's decoding: bytes to [`Op`]s, and the bounds of the space they span.

use super::*;

/// The channels the model uses: a standard classic one (whose Enabled cannot be changed)
/// and an Operational one created for it.
pub(super) const CHANNELS: [&str; 2] = ["Application", "Evtlog-Model/Operational"];
/// Event ids written, so that a filter on one of them selects a computable subset.
pub(super) const EVENT_IDS: [u16; 3] = [1, 2, 3];
/// Export and backup target slots.
pub(super) const FILES: usize = 3;
/// Ops decoded from one input at most.
pub(super) const MAX_OPS: usize = 48;
/// Records per channel at most (the writes stop there): far below the 1 MiB minimum
/// MaxSize, so nothing is ever overwritten.
pub(super) const MAX_RECORDS: usize = 400;

/// Reads an input one byte at a time; past its end every byte is 0.
pub(super) struct Bytes<'a> {
    pub(super) data: &'a [u8],
    pub(super) pos: usize,
}

impl Bytes<'_> {
    pub(super) fn u8(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    pub(super) fn done(&self) -> bool {
        self.pos >= self.data.len()
    }
}

/// A handle chosen by an op: `pick` selects among the slots, preferring those of the
/// kind the op takes (the high bit: any slot; past the end: NULL).
#[derive(Clone, Copy, Debug)]
pub(super) struct Pick(pub(super) u8);

/// One operation.
#[derive(Clone, Debug)]
pub(super) enum Op {
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
pub(super) enum Source {
    Channel(usize),
    File(usize),
}

pub(super) fn filter_of(b: u8) -> Option<u16> {
    match b % 5 {
        0..=2 => Some(EVENT_IDS[(b % 5) as usize]),
        _ => None,
    }
}

pub(super) fn decode(bytes: &mut Bytes<'_>) -> Op {
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

pub(super) fn config_property(b: u8) -> u32 {
    [
        EvtChannelConfigEnabled,
        EvtChannelLoggingConfigRetention,
        EvtChannelLoggingConfigMaxSize,
        EvtChannelConfigType,
    ][usize::from(b % 4)]
}
