//! What the model knows: per handle its kind and state, per channel its records and
//! configuration, and the rules several ops share (filters, channel names).

use super::*;

/// What the model knows of a handle.
#[derive(Clone, Debug)]
pub(super) enum Kind {
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
pub(super) struct QueryModel {
    pub(super) source: Source,
    pub(super) reverse: bool,
    pub(super) filter: Option<u16>,
    /// A reverse query's, or a file query's, sequence (fixed at query time); a forward
    /// channel query's sequence is the channel's matching records now (it is live).
    pub(super) fixed: Option<Vec<(u64, u16)>>,
    /// The path its events report (the channel's name, or the file's absolute path).
    pub(super) path: String,
    pub(super) position: usize,
    pub(super) cancelled: bool,
    pub(super) stale: bool,
}

#[derive(Clone, Debug)]
pub(super) struct SubModel {
    pub(super) channel: usize,
    pub(super) filter: Option<u16>,
    /// The next record id its scan examines.
    pub(super) cursor: u64,
    /// Matching events still to drop (an empty bookmark starts at the second match, as
    /// EvtSubscribe's documentation says).
    pub(super) skip: usize,
    pub(super) future_only: bool,
    pub(super) delivered: bool,
    pub(super) cancelled: bool,
    /// Records it had not reached were cleared: its next scan finds the gap.
    pub(super) gap: bool,
    /// It found the gap: every later EvtNext fails with 15011 (subscription invariant 7).
    pub(super) stale: bool,
}

#[derive(Clone, Debug, Default)]
pub(super) struct BookmarkModel {
    pub(super) entries: Vec<(String, u64)>,
    pub(super) current: usize,
}

impl BookmarkModel {
    pub(super) fn set(&mut self, channel: &str, record_id: u64) {
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

    pub(super) fn record_id(&self, channel: &str) -> Option<u64> {
        self.entries
            .iter()
            .find(|(c, _)| same_channel(c, channel))
            .map(|e| e.1)
    }

    /// EvtRender(EvtRenderBookmark) as Windows renders a bookmark: CRLF, two-space indent,
    /// single quotes, `IsCurrent='true'` on the last updated entry.
    pub(super) fn xml(&self) -> String {
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
pub(super) fn same_channel(a: &str, b: &str) -> bool {
    if a.starts_with('/') || b.starts_with('/') {
        a == b
    } else {
        a.eq_ignore_ascii_case(b)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub(super) struct ConfigModel {
    pub(super) enabled: bool,
    pub(super) retention: bool,
    pub(super) max_size: u64,
    pub(super) channel_type: u32,
}

#[derive(Debug)]
pub(super) struct Slot {
    pub(super) handle: EVT_HANDLE,
    pub(super) parent: Option<usize>,
    pub(super) open: bool,
    pub(super) kind: Kind,
}

#[derive(Debug)]
pub(super) struct ChannelModel {
    pub(super) records: Vec<(u64, u16)>,
    pub(super) next_id: u64,
    pub(super) config: ConfigModel,
}

pub(super) fn matches(filter: Option<u16>, event_id: u16) -> bool {
    filter.is_none_or(|k| k == event_id)
}

pub(super) fn query_text(filter: Option<u16>) -> Option<String> {
    filter.map(|k| format!("*[System[EventID={k}]]"))
}
