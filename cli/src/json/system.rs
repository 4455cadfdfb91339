//! `<System>` in JSON: its children in Windows' order, each in the evtx crate's shape
//! (attributes as `#attributes`, numbers bare, GUIDs, keywords and times as strings).
//!
//! An event's head (`{"Event":…,"System":{` and the members from `Provider` to `Keywords`)
//! is the same for every event of one provider, ID, version, level, task, opcode and
//! keywords: each head written is kept ([`Heads`]: two slots for each hash of the EventID
//! and keywords, the last written first) with what it was written from, and copied when a
//! later event's are the same (compared in full). A log's events come from a few tens of
//! such heads. The last `Channel`'s JSON is kept the same way ([`KeptText`]): a log's
//! records name one channel (not so `Computer`, which a forwarded log changes often).

use evtlog::{Guid, SystemRef, Value};

use super::Json;

/// How many heads [`Heads`] keeps (in pairs): well past a log's usual count of EventIDs.
const HEAD_SLOTS: usize = 256;

/// The heads written: for each hash of EventID and keywords, a pair of slots, the last one
/// written first.
#[derive(Default)]
pub(super) struct Heads(Vec<Head>);

/// One head: what it was written from, and its JSON.
#[derive(Default)]
struct Head {
    /// [`HeadFields::key`] of what it was written from; `None` while the slot is empty.
    key: Option<[u64; 5]>,
    name: Option<String>,
    source: Option<String>,
    json: Vec<u8>,
}

/// A head's fields other than the provider's name and source.
#[derive(Clone, Copy)]
struct HeadFields {
    guid: Option<Guid>,
    event_id: u16,
    qualifiers: Option<u16>,
    version: Option<u8>,
    level: Option<u8>,
    task: Option<u16>,
    opcode: Option<u8>,
    keywords: Option<u64>,
}

impl HeadFields {
    /// The first of the pair of slots these fields' head may be in.
    fn pair(&self) -> usize {
        let key = u64::from(self.event_id) ^ self.keywords.unwrap_or(0).rotate_left(16);
        // The high bits of the product, which every bit of the key reaches.
        let hash = key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56;
        (hash as usize % HEAD_SLOTS) & !1
    }

    /// The fields as five words, equal exactly when the fields are (each field's presence
    /// is a bit of its own): compared in a few instructions, where the fields' own
    /// comparison tests each `Option` apart.
    fn key(&self) -> [u64; 5] {
        let present = [
            self.guid.is_some(),
            self.qualifiers.is_some(),
            self.version.is_some(),
            self.level.is_some(),
            self.task.is_some(),
            self.opcode.is_some(),
            self.keywords.is_some(),
        ]
        .iter()
        .enumerate()
        .fold(0u64, |bits, (i, &p)| bits | u64::from(p) << i);
        let (g0, g1) = self.guid.map_or((0, 0), |g| {
            (
                u64::from(g.data1) | u64::from(g.data2) << 32 | u64::from(g.data3) << 48,
                u64::from_le_bytes(g.data4),
            )
        });
        [
            u64::from(self.event_id)
                | u64::from(self.qualifiers.unwrap_or(0)) << 16
                | u64::from(self.task.unwrap_or(0)) << 32
                | u64::from(self.version.unwrap_or(0)) << 48
                | u64::from(self.level.unwrap_or(0)) << 56,
            u64::from(self.opcode.unwrap_or(0)) | present << 8,
            self.keywords.unwrap_or(0),
            g0,
            g1,
        ]
    }

    fn of(s: &SystemRef<'_>) -> HeadFields {
        HeadFields {
            guid: s.provider_guid,
            event_id: s.event_id,
            qualifiers: s.qualifiers,
            version: s.version,
            level: s.level,
            task: s.task,
            opcode: s.opcode,
            keywords: s.keywords,
        }
    }
}

/// A text written before and its JSON (empty while nothing is kept).
#[derive(Default)]
pub(super) struct KeptText {
    text: String,
    json: Vec<u8>,
}

/// `to` set to `from`, its allocation kept.
fn set_text(to: &mut Option<String>, from: Option<&str>) {
    match (to.as_mut(), from) {
        (Some(t), Some(f)) => {
            t.clear();
            t.push_str(f);
        }
        (_, from) => *to = from.map(str::to_owned),
    }
}

impl Json<'_, '_, '_> {
    /// `{"Event":{"#attributes":…,"System":{…}`: the head copied when it was written
    /// before, else written (and kept), then the System's other members.
    pub(super) fn system(&mut self, s: &SystemRef<'_>) {
        let name = s.provider_name.filter(|n| !n.is_empty());
        let source = s.event_source_name.filter(|n| !n.is_empty());
        let fields = HeadFields::of(s);
        let pair = fields.pair();
        let key = fields.key();
        let is_it = |h: &&Head| {
            h.key == Some(key) && h.name.as_deref() == name && h.source.as_deref() == source
        };
        let heads = &self.st.heads.0;
        let kept = (heads.get(pair).filter(is_it)).or_else(|| heads.get(pair + 1).filter(is_it));
        if let Some(head) = kept {
            self.out.extend_from_slice(&head.json);
        } else {
            let mark = self.out.len();
            self.event_prefix();
            self.raw(b"{\"Provider\":");
            self.provider(name, fields.guid, source);
            self.system_head(s);
            let heads = &mut self.st.heads.0;
            if heads.is_empty() {
                heads.resize_with(HEAD_SLOTS, Head::default);
            }
            // The pair's first moves second (the one there is dropped), the new one first.
            heads.swap(pair, pair + 1);
            if let Some(head) = heads.get_mut(pair) {
                head.key = Some(key);
                set_text(&mut head.name, name);
                set_text(&mut head.source, source);
                head.json.clear();
                head.json.extend_from_slice(&self.out[mark..]);
            }
        }
        self.system_tail(s);
    }

    /// The `Provider` member's value.
    fn provider(&mut self, name: Option<&str>, guid: Option<Guid>, source: Option<&str>) {
        if name.is_none() && guid.is_none() && source.is_none() {
            self.raw(b"null");
        } else {
            self.raw(b"{\"#attributes\":{");
            let mut first = true;
            if let Some(name) = name {
                self.static_attr_key(&mut first, "Name");
                self.string(name);
            }
            if let Some(g) = guid {
                self.static_attr_key(&mut first, "Guid");
                self.quoted_with(|out| g.write_ascii(out));
            }
            if let Some(source) = source {
                self.static_attr_key(&mut first, "EventSourceName");
                self.string(source);
            }
            self.raw(b"}}");
        }
    }

    /// `<System>`'s members after its `Provider` up to `Keywords`: the head's.
    fn system_head(&mut self, s: &SystemRef<'_>) {
        self.raw(b",\"EventID\":");
        match s.qualifiers {
            Some(q) => {
                self.raw(b"{\"#attributes\":{\"Qualifiers\":");
                self.u64(q.into());
                self.raw(b"},\"#text\":");
                self.u64(s.event_id.into());
                self.raw(b"}");
            }
            None => self.u64(s.event_id.into()),
        }
        let numbers = [
            (&b",\"Version\":"[..], s.version.map(u64::from)),
            (b",\"Level\":", s.level.map(u64::from)),
            (b",\"Task\":", s.task.map(u64::from)),
            (b",\"Opcode\":", s.opcode.map(u64::from)),
        ];
        for (key, v) in numbers {
            if let Some(v) = v {
                self.raw(key);
                self.u64(v);
            }
        }
        if let Some(k) = s.keywords {
            self.raw(b",\"Keywords\":");
            self.quoted_text(&Value::HexInt64(k));
        }
    }

    /// `<System>`'s members after the head, and its end.
    fn system_tail(&mut self, s: &SystemRef<'_>) {
        if let Some(t) = s.time_created {
            self.raw(b",\"TimeCreated\":{\"#attributes\":{\"SystemTime\":");
            self.out.push(b'"');
            self.st.times.write_ascii(t, self.out);
            self.out.push(b'"');
            self.raw(b"}}");
        }
        if let Some(id) = s.event_record_id {
            self.raw(b",\"EventRecordID\":");
            self.u64(id);
        }
        if let Some(c) = s.correlation {
            self.raw(b",\"Correlation\":");
            if c.activity_id.is_none() && c.related_activity_id.is_none() {
                self.raw(b"null");
            } else {
                self.raw(b"{\"#attributes\":{");
                let mut first = true;
                if let Some(g) = c.activity_id {
                    self.static_attr_key(&mut first, "ActivityID");
                    self.quoted_with(|out| g.write_ascii(out));
                }
                if let Some(g) = c.related_activity_id {
                    self.static_attr_key(&mut first, "RelatedActivityID");
                    self.quoted_with(|out| g.write_ascii(out));
                }
                self.raw(b"}}");
            }
        }
        if let Some(e) = s.execution {
            self.raw(b",\"Execution\":{\"#attributes\":{\"ProcessID\":");
            self.u64(e.process_id.into());
            self.raw(b",\"ThreadID\":");
            self.u64(e.thread_id.into());
            let more = [
                (&b",\"ProcessorID\":"[..], e.processor_id.map(u64::from)),
                (b",\"SessionID\":", e.session_id.map(u64::from)),
                (b",\"KernelTime\":", e.kernel_time.map(u64::from)),
                (b",\"UserTime\":", e.user_time.map(u64::from)),
                (b",\"ProcessorTime\":", e.processor_time),
            ];
            for (key, v) in more {
                if let Some(v) = v {
                    self.raw(key);
                    self.u64(v);
                }
            }
            self.raw(b"}}");
        }
        if let Some(text) = s.channel {
            self.raw(b",\"Channel\":");
            if text.is_empty() {
                self.raw(b"null");
            } else {
                self.channel(text);
            }
        }
        if let Some(text) = s.computer {
            self.raw(b",\"Computer\":");
            if text.is_empty() {
                self.raw(b"null");
            } else {
                self.string(text);
            }
        }
        if let Some(sec) = s.security {
            self.raw(b",\"Security\":");
            match &sec.user_id {
                Some(sid) => {
                    self.raw(b"{\"#attributes\":{\"UserID\":\"");
                    self.st.sids.write_ascii(sid, self.out);
                    self.raw(b"\"}}");
                }
                None => self.raw(b"null"),
            }
        }
        self.raw(b"}");
    }

    /// `text` (not empty) as a string: the last channel's JSON copied when it is the same
    /// text (a log's records name one channel), else escaped and kept.
    fn channel(&mut self, text: &str) {
        let kept = &mut self.st.channel;
        if !kept.json.is_empty() && kept.text == text {
            self.out.extend_from_slice(&kept.json);
            return;
        }
        let at = self.out.len();
        self.string(text);
        let kept = &mut self.st.channel;
        kept.text.clear();
        kept.text.push_str(text);
        kept.json.clear();
        kept.json.extend_from_slice(&self.out[at..]);
    }

    /// The comma (unless `first`) and key of an `#attributes` member named in this file.
    fn static_attr_key(&mut self, first: &mut bool, key: &str) {
        if !std::mem::take(first) {
            self.out.push(b',');
        }
        self.raw(b"\"");
        self.raw(key.as_bytes());
        self.raw(b"\":");
    }

    /// A value's text that needs no escape (a GUID, a time), quoted: written straight into
    /// the output.
    fn quoted_with(&mut self, text: impl FnOnce(&mut Vec<u8>)) {
        self.out.push(b'"');
        text(self.out);
        self.out.push(b'"');
    }
}
