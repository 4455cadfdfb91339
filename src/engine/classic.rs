//! Classic (pre-Vista) event sources: registering one (what an installer writes under
//! `HKLM\…\EventLog\<log>\<source>`) and ReportEvent, which writes Windows' classic event
//! shape (the classic event source model, rendered as EvtRender's XML).
//!
//! Invariants:
//! 1. A registered source is a [`Publisher`] named as the source, with the zero GUID and
//!    `classic: Some`, in the engine's publisher registry; registering it again replaces it.
//! 2. A classic event renders as Windows renders one: `<Provider Name='source'/>` (no Guid),
//!    `<EventID Qualifiers='high 16 bits'>low 16 bits</EventID>`, Level, Task (the
//!    category), Keywords (Classic 0x80000000000000, plus the audit bit), TimeCreated,
//!    EventRecordID, Channel, Computer, `<Security [UserID]/>`; no Version, Opcode,
//!    Correlation or Execution; `<EventData>` with one unnamed `<Data>` per string and a
//!    `<Binary>` for raw data.
//! 3. A source that is not registered writes to Application, as Windows does (a log's own
//!    name is a source of that log).
//! 4. Every ReportEvent type reads back as itself in EVENTLOGRECORD.EventType; an unknown
//!    type is written as EVENTLOG_SUCCESS (Level 0), as Windows since Vista does.

use std::sync::Arc;

use super::{ChannelConfig, Engine};
use crate::error::{Error, ErrorKind, Result};
use crate::event::{Body, DataItem, Event, EventData, Provider, Security, Sid, System};
use crate::publisher::{ClassicSource, Publisher};

/// `win:EventlogClassic`, the keyword of every classic record.
pub const KEYWORD_CLASSIC: u64 = 0x0080_0000_0000_0000;
/// `win:AuditSuccess`.
pub const KEYWORD_AUDIT_SUCCESS: u64 = 0x0020_0000_0000_0000;
/// `win:AuditFailure`.
pub const KEYWORD_AUDIT_FAILURE: u64 = 0x0010_0000_0000_0000;
/// The longest string ReportEvent takes, in characters (its documented limit).
pub const MAX_REPORT_STRING: usize = 31_839;

/// ReportEvent's wType (REPORT_EVENT_TYPE).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportType {
    /// EVENTLOG_SUCCESS (0).
    Success,
    /// EVENTLOG_ERROR_TYPE (1).
    Error,
    /// EVENTLOG_WARNING_TYPE (2).
    Warning,
    /// EVENTLOG_INFORMATION_TYPE (4).
    Information,
    /// EVENTLOG_AUDIT_SUCCESS (8).
    AuditSuccess,
    /// EVENTLOG_AUDIT_FAILURE (16).
    AuditFailure,
}

impl ReportType {
    /// The type of a REPORT_EVENT_TYPE value; `None` for any other value (ReportEvent
    /// stores those as EVENTLOG_SUCCESS: [`ReportType::from_u16_lossy`]).
    pub fn from_u16(value: u16) -> Option<ReportType> {
        Some(match value {
            0 => ReportType::Success,
            1 => ReportType::Error,
            2 => ReportType::Warning,
            4 => ReportType::Information,
            8 => ReportType::AuditSuccess,
            16 => ReportType::AuditFailure,
            _ => return None,
        })
    }

    /// What ReportEvent makes of any wType: an unknown value is written, and read back, as
    /// EVENTLOG_SUCCESS (Windows since Vista; Wine's tests run on Windows observe it).
    pub fn from_u16_lossy(value: u16) -> ReportType {
        ReportType::from_u16(value).unwrap_or(ReportType::Success)
    }

    /// The REPORT_EVENT_TYPE value.
    pub fn as_u16(self) -> u16 {
        match self {
            ReportType::Success => 0,
            ReportType::Error => 1,
            ReportType::Warning => 2,
            ReportType::Information => 4,
            ReportType::AuditSuccess => 8,
            ReportType::AuditFailure => 16,
        }
    }

    /// The record's Level and Keywords: error 2, warning 3, information 4, success 0
    /// (LogAlways), audits 0 with their audit keyword; Classic always. Each type reads
    /// back as itself ([`ReportType::of_record`]), as ReadEventLog gives it on Windows.
    pub fn level_and_keywords(self) -> (u8, u64) {
        match self {
            ReportType::Error => (2, KEYWORD_CLASSIC),
            ReportType::Warning => (3, KEYWORD_CLASSIC),
            ReportType::Information => (4, KEYWORD_CLASSIC),
            ReportType::Success => (0, KEYWORD_CLASSIC),
            ReportType::AuditSuccess => (0, KEYWORD_CLASSIC | KEYWORD_AUDIT_SUCCESS),
            ReportType::AuditFailure => (0, KEYWORD_CLASSIC | KEYWORD_AUDIT_FAILURE),
        }
    }

    /// The EVENTLOGRECORD EventType of a record's Level and Keywords (ReadEventLog): the
    /// audit keywords first, then Critical and Error as error, Warning, Level 0 as
    /// success, anything else as information.
    pub fn of_record(level: Option<u8>, keywords: Option<u64>) -> ReportType {
        let keywords = keywords.unwrap_or(0);
        if keywords & KEYWORD_AUDIT_SUCCESS != 0 {
            ReportType::AuditSuccess
        } else if keywords & KEYWORD_AUDIT_FAILURE != 0 {
            ReportType::AuditFailure
        } else {
            match level {
                Some(1 | 2) => ReportType::Error,
                Some(3) => ReportType::Warning,
                Some(0) | None => ReportType::Success,
                _ => ReportType::Information,
            }
        }
    }
}

/// What one ReportEvent call reports.
#[derive(Clone, Debug, PartialEq)]
pub struct ClassicReport {
    pub event_type: ReportType,
    /// wCategory: the record's Task.
    pub category: u16,
    /// dwEventID, the full 32-bit message id (Qualifiers in the high 16 bits).
    pub event_id: u32,
    pub user_sid: Option<Sid>,
    /// The insertion strings: one unnamed `<Data>` each.
    pub strings: Vec<String>,
    /// Raw data: `<Binary>`.
    pub data: Vec<u8>,
}

impl ClassicReport {
    /// An information event with no strings or data.
    pub fn new(event_type: ReportType, event_id: u32) -> ClassicReport {
        ClassicReport {
            event_type,
            category: 0,
            event_id,
            user_sid: None,
            strings: Vec::new(),
            data: Vec::new(),
        }
    }
}

impl Engine {
    /// Registers the classic event source `source` of the log `log` (invariant 1),
    /// creating the log as a classic channel if it does not exist (as a new registry key
    /// under EventLog makes a custom log). `source.log` is set to `log`.
    ///
    /// Errors: `InvalidParameter` (87) for an empty source name, one with `\`, or one that
    /// names a log; `InvalidChannelPath` (15000) for an invalid log name.
    pub fn register_event_source(
        &self,
        log: &str,
        name: &str,
        mut source: ClassicSource,
    ) -> Result<Arc<Publisher>> {
        if name.is_empty() || name.contains('\\') || self.has_channel(name) {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                format!("event source name {name:?}: empty, containing '\\' or naming a log"),
            ));
        }
        if !self.has_channel(log) {
            match self.create_channel(ChannelConfig::classic(log)) {
                Ok(_) => {}
                // Created meanwhile by another thread: it exists, which is what we need.
                Err(e) if e.kind() == ErrorKind::InvalidParameter => {}
                Err(e) => return Err(e),
            }
        }
        source.log = self.channel(log)?.name().to_owned();
        self.publishers().install(Publisher {
            name: name.to_owned(),
            classic: Some(source),
            ..Publisher::default()
        });
        self.publishers()
            .get(name)
            .ok_or_else(|| Error::new(ErrorKind::PublisherMetadataNotFound))
    }

    /// The log a classic source writes to: its registered log; a log of that name (a log's
    /// own name is one of its sources); else Application.
    pub fn event_source_log(&self, source: &str) -> String {
        if let Some(log) = self
            .publishers()
            .get(source)
            .and_then(|p| p.classic.as_ref().map(|c| c.log.clone()))
        {
            return log;
        }
        match self.channel(source) {
            Ok(channel) => channel.name().to_owned(),
            Err(_) => "Application".to_owned(),
        }
    }

    /// ReportEvent: writes `report` as the source `source`'s classic event (invariant 2)
    /// to its log (invariant 3) and returns the record id.
    ///
    /// Errors: `InvalidParameter` (87) for a string over [`MAX_REPORT_STRING`] characters;
    /// `ChannelNotFound` (15007) if the log does not exist; the channel's append errors.
    pub fn report_event(&self, source: &str, report: ClassicReport) -> Result<u64> {
        if let Some((i, s)) = report
            .strings
            .iter()
            .enumerate()
            .find(|(_, s)| s.encode_utf16().count() > MAX_REPORT_STRING)
        {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                format!(
                    "string {i} has {} characters; ReportEvent takes at most {MAX_REPORT_STRING}",
                    s.encode_utf16().count()
                ),
            ));
        }
        let log = self.event_source_log(source);
        let event = classic_event(source, &report);
        self.write(&log, event)
    }
}

/// The classic event of `report` from `source` (invariant 2), without time, record id and
/// channel (the channel's append fills them).
pub fn classic_event(source: &str, report: &ClassicReport) -> Event {
    let (level, keywords) = report.event_type.level_and_keywords();
    let mut items: Vec<DataItem> = report
        .strings
        .iter()
        .map(|s| DataItem::unnamed(s.as_str()))
        .collect();
    if !report.data.is_empty() {
        items.push(DataItem::Binary(report.data.clone()));
    }
    Event {
        system: System {
            provider: Provider {
                name: Some(source.into()),
                guid: None,
                event_source_name: None,
            },
            event_id: (report.event_id & 0xffff) as u16,
            qualifiers: Some((report.event_id >> 16) as u16),
            version: None,
            level: Some(level),
            task: Some(report.category),
            opcode: None,
            keywords: Some(keywords),
            time_created: None,
            event_record_id: None,
            correlation: None,
            execution: None,
            channel: None,
            computer: Some(super::producer::computer_name().into()),
            security: Some(Security {
                user_id: report.user_sid.clone(),
            }),
        },
        body: Body::EventData(EventData { name: None, items }),
        rendering_info: None,
    }
}
