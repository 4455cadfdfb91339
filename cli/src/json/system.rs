//! `<System>` in JSON: its children in Windows' order, each in the evtx crate's shape
//! (attributes as `#attributes`, numbers bare, GUIDs, keywords and times as strings).
//!
//! The `Provider` member of the last event written on a thread is kept with what it was
//! written from, and copied when the next event's provider is the same (compared in full):
//! a log's events come from few providers, mostly in runs.

use std::cell::RefCell;

use evtlog::{Guid, SystemRef, Value};

use super::Json;

/// The last `Provider` member written on this thread: its name, GUID and source, and its
/// JSON.
#[derive(Default)]
struct ProviderMemo {
    name: Option<String>,
    guid: Option<Guid>,
    source: Option<String>,
    json: Vec<u8>,
}

thread_local! {
    static PROVIDER: RefCell<ProviderMemo> = RefCell::default();
}

impl Json<'_, '_, '_> {
    pub(super) fn system(&mut self, s: &SystemRef<'_>) {
        self.raw(b"{\"Provider\":");
        let name = s.provider_name.filter(|n| !n.is_empty());
        let source = s.event_source_name.filter(|n| !n.is_empty());
        let guid = s.provider_guid;
        PROVIDER.with_borrow_mut(|memo| {
            if memo.name.as_deref() == name
                && memo.guid == guid
                && memo.source.as_deref() == source
                && !memo.json.is_empty()
            {
                self.out.extend_from_slice(&memo.json);
                return;
            }
            let mark = self.out.len();
            self.provider(name, guid, source);
            memo.name = name.map(str::to_owned);
            memo.guid = guid;
            memo.source = source.map(str::to_owned);
            memo.json.clear();
            memo.json.extend_from_slice(&self.out[mark..]);
        });
        self.system_rest(s);
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
                self.quoted_with(|out| g.write_to(out));
            }
            if let Some(source) = source {
                self.static_attr_key(&mut first, "EventSourceName");
                self.string(source);
            }
            self.raw(b"}}");
        }
    }

    /// `<System>` after its `Provider`.
    fn system_rest(&mut self, s: &SystemRef<'_>) {
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
        if let Some(t) = s.time_created {
            self.raw(b",\"TimeCreated\":{\"#attributes\":{\"SystemTime\":");
            self.quoted_with(|out| t.write_to(out));
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
                    self.quoted_with(|out| g.write_to(out));
                }
                if let Some(g) = c.related_activity_id {
                    self.static_attr_key(&mut first, "RelatedActivityID");
                    self.quoted_with(|out| g.write_to(out));
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
        let texts = [
            (&b",\"Channel\":"[..], s.channel),
            (b",\"Computer\":", s.computer),
        ];
        for (key, text) in texts {
            if let Some(text) = text {
                self.raw(key);
                if text.is_empty() {
                    self.raw(b"null");
                } else {
                    self.string(text);
                }
            }
        }
        if let Some(sec) = s.security {
            self.raw(b",\"Security\":");
            match &sec.user_id {
                Some(sid) => {
                    self.raw(b"{\"#attributes\":{\"UserID\":\"");
                    self.scratch.clear();
                    sid.write_to(&mut self.scratch);
                    self.out.extend_from_slice(self.scratch.as_bytes());
                    self.raw(b"\"}}");
                }
                None => self.raw(b"null"),
            }
        }
        self.raw(b"}");
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

    /// A value's text that needs no escape (a GUID, a time), quoted.
    fn quoted_with(&mut self, text: impl FnOnce(&mut String)) {
        self.scratch.clear();
        text(&mut self.scratch);
        self.out.push(b'"');
        self.out.extend_from_slice(self.scratch.as_bytes());
        self.out.push(b'"');
    }
}
