//! The producer side of manifest providers (EventRegister, EventWrite, EventWriteTransfer,
//! EventWriteString, EventUnregister): a [`ProviderRegistration`] turns an
//! [`EventDescriptor`] and its data into an [`Event`] in the channel the descriptor names.
//!
//! What Windows does, and so this does (README fidelity rows "EventWrite …"):
//! 1. Registration never fails for a GUID: a provider may register before (or without) its
//!    manifest being installed. The manifest is looked up at each write, so installing or
//!    upgrading it later takes effect at once.
//! 2. An event goes to the event log only through the channel its descriptor's `Channel`
//!    names (the installed provider's channel of that value). Channel 0, a value the
//!    provider does not declare, a provider that is not installed, a channel that does not
//!    exist or is disabled: the event is for ETW sessions only, and evtlog has none, so
//!    nothing is logged and the write succeeds ("if no trace session is recording this
//!    event, this function does nothing and returns ERROR_SUCCESS").
//! 3. The data blocks are concatenated without padding and decoded by the template of the
//!    manifest event with the descriptor's id and version (`payload`). Data that does not
//!    fit is still logged, as Windows' service logs it: the body is
//!    `<ProcessingErrorData>` with ErrorCode 15005, the item's name and the whole payload.
//! 4. Errors the call itself returns: a closed registration (ERROR_INVALID_HANDLE 6), more
//!    than 128 data blocks (ERROR_INVALID_PARAMETER 87), a payload over [`MAX_PAYLOAD`]
//!    (ERROR_ARITHMETIC_OVERFLOW 534).
//! 5. A write without an explicit activity id carries the calling thread's
//!    ([`activity_id_control`], EventActivityIdControl), none while it is zero.
//! 6. EventWriteString carries no descriptor and no channel: it is ETW-only on Windows and
//!    logs nothing here (its arguments are still checked).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::payload::{self, Mismatch};
use super::{Channel, Engine};
use crate::error::{Error, ErrorKind, Result};
use crate::event::{
    Body, Correlation, Element, Event, Execution, Guid, Provider, Security, System, Value,
};
use crate::publisher::Publisher;

/// The most EVENT_DATA_DESCRIPTORs one write takes (MAX_EVENT_DATA_DESCRIPTORS).
pub const MAX_DATA_DESCRIPTORS: usize = 128;
/// The largest payload one write takes: 64 KiB less the 80-byte EVENT_HEADER
/// ("the event size is larger than the allowed maximum (64KB - header)").
pub const MAX_PAYLOAD: usize = 65_536 - 80;

/// EVENT_DESCRIPTOR: what identifies and classifies one event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EventDescriptor {
    pub id: u16,
    pub version: u8,
    /// The channel value (the manifest's `channel@value`); 0: no channel.
    pub channel: u8,
    pub level: u8,
    pub opcode: u8,
    pub task: u16,
    /// The keyword mask, the channel bit included (as mc generates it).
    pub keyword: u64,
}

/// What the event log's session enables a provider with (EnableCallback's arguments).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Enablement {
    /// 255: every level (the channels filter nothing by level).
    pub level: u8,
    /// The channel bits (63 − index) of the provider's enabled channels.
    pub match_any_keyword: u64,
}

/// A registered provider (EventRegister's REGHANDLE): writes events under its GUID.
#[derive(Debug)]
pub struct ProviderRegistration {
    engine: Engine,
    guid: Guid,
    open: AtomicBool,
}

impl Engine {
    /// EventRegister: a registration for the provider `guid` (installed or not; module
    /// invariant 1).
    pub fn register_provider(&self, guid: Guid) -> ProviderRegistration {
        ProviderRegistration {
            engine: self.clone(),
            guid,
            open: AtomicBool::new(true),
        }
    }
}

impl ProviderRegistration {
    /// The provider's GUID.
    pub fn guid(&self) -> Guid {
        self.guid
    }

    /// EventUnregister. A second call is ERROR_INVALID_HANDLE (6).
    pub fn unregister(&self) -> Result<()> {
        if self.open.swap(false, Ordering::AcqRel) {
            Ok(())
        } else {
            Err(closed())
        }
    }

    /// Whether [`unregister`](Self::unregister) has not been called.
    pub fn is_registered(&self) -> bool {
        self.open.load(Ordering::Acquire)
    }

    fn check_open(&self) -> Result<()> {
        if self.is_registered() {
            Ok(())
        } else {
            Err(closed())
        }
    }

    /// The installed provider of this GUID, if any.
    pub fn publisher(&self) -> Option<Arc<Publisher>> {
        self.engine.publishers().by_guid(self.guid)
    }

    /// The engine channel a descriptor's channel value names, if it exists and is enabled.
    fn target(&self, publisher: &Publisher, channel: u8) -> Option<Arc<Channel>> {
        if channel == 0 {
            return None;
        }
        let reference = publisher
            .channels
            .iter()
            .find(|c| c.value == u32::from(channel))?;
        let target = self.engine.channel(&reference.name).ok()?;
        target.is_enabled().then_some(target)
    }

    /// Whether the event log's session has the provider enabled: it is installed and one
    /// of its channels exists and is enabled; `None` otherwise.
    pub fn enablement(&self) -> Option<Enablement> {
        let publisher = self.publisher()?;
        let mut mask = 0u64;
        for (index, reference) in publisher.channels.iter().enumerate().take(64) {
            if self
                .engine
                .channel(&reference.name)
                .is_ok_and(|c| c.is_enabled())
            {
                mask |= 1u64 << (63 - index);
            }
        }
        (mask != 0).then_some(Enablement {
            level: 255,
            match_any_keyword: mask,
        })
    }

    /// EventEnabled: whether a write of `descriptor` would reach a channel.
    pub fn is_enabled(&self, descriptor: &EventDescriptor) -> bool {
        self.is_registered()
            && self
                .publisher()
                .is_some_and(|p| self.target(&p, descriptor.channel).is_some())
    }

    /// EventProviderEnabled: the provider is enabled ([`enablement`](Self::enablement))
    /// and `keyword` is 0 or shares a bit with an enabled channel's bit.
    pub fn is_provider_enabled(&self, _level: u8, keyword: u64) -> bool {
        self.is_registered()
            && self
                .enablement()
                .is_some_and(|e| keyword == 0 || keyword & e.match_any_keyword != 0)
    }

    /// EventWrite with the data blocks `data` (concatenated as ETW does). Returns the
    /// record id when the event was logged, `None` when it went to no channel.
    ///
    /// Errors: module invariant 4, and the channel's append errors (a full log, 1502).
    pub fn write(&self, descriptor: &EventDescriptor, data: &[&[u8]]) -> Result<Option<u64>> {
        self.write_transfer(descriptor, None, None, data)
    }

    /// EventWriteTransfer: [`write`](Self::write) with `<Correlation ActivityID
    /// RelatedActivityID>`; with no `activity_id`, the thread's ([`activity_id_control`]),
    /// as [`write`](Self::write) uses.
    pub fn write_transfer(
        &self,
        descriptor: &EventDescriptor,
        activity_id: Option<Guid>,
        related_activity_id: Option<Guid>,
        data: &[&[u8]],
    ) -> Result<Option<u64>> {
        self.check_open()?;
        if data.len() > MAX_DATA_DESCRIPTORS {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                format!(
                    "{} data descriptors; EventWrite takes at most {MAX_DATA_DESCRIPTORS}",
                    data.len()
                ),
            ));
        }
        let size: usize = data.iter().map(|d| d.len()).sum();
        check_size(size)?;
        let payload = data.concat();
        self.log(descriptor, activity_id, related_activity_id, payload)
    }

    /// EventWrite with typed values, each laid out as a C provider would pass it
    /// ([`encode_value`]).
    pub fn write_values(
        &self,
        descriptor: &EventDescriptor,
        values: &[Value],
    ) -> Result<Option<u64>> {
        self.check_open()?;
        let mut payload = Vec::new();
        for value in values {
            encode_value(value, &mut payload);
        }
        check_size(payload.len())?;
        self.log(descriptor, None, None, payload)
    }

    /// EventWriteString: ETW-only on Windows (no descriptor, no channel), so nothing is
    /// logged (module invariant 6); the string must fit in one event.
    pub fn write_string(&self, _level: u8, _keywords: u64, text: &str) -> Result<Option<u64>> {
        self.check_open()?;
        check_size((text.encode_utf16().count() + 1) * 2)?;
        Ok(None)
    }

    fn log(
        &self,
        descriptor: &EventDescriptor,
        activity_id: Option<Guid>,
        related_activity_id: Option<Guid>,
        payload: Vec<u8>,
    ) -> Result<Option<u64>> {
        let Some(publisher) = self.publisher() else {
            return Ok(None);
        };
        let Some(target) = self.target(&publisher, descriptor.channel) else {
            return Ok(None);
        };
        let template = publisher
            .events
            .iter()
            .find(|e| e.value == u32::from(descriptor.id) && e.version == descriptor.version)
            .and_then(|e| e.template)
            .and_then(|i| publisher.templates.get(i));
        let body = match template {
            Some(template) => match payload::decode(template, &payload) {
                Ok(data) => Body::EventData(data),
                Err(mismatch) => processing_error(&mismatch, &payload),
            },
            None if payload.is_empty() => Body::None,
            None => processing_error(
                &Mismatch {
                    item: String::new(),
                    offset: 0,
                    message: String::new(),
                },
                &payload,
            ),
        };
        let event = Event {
            system: System {
                provider: Provider {
                    name: Some(publisher.name.as_str().into()),
                    guid: Some(publisher.guid),
                    event_source_name: None,
                },
                event_id: descriptor.id,
                qualifiers: None,
                version: Some(descriptor.version),
                level: Some(descriptor.level),
                task: Some(descriptor.task),
                opcode: Some(descriptor.opcode),
                keywords: Some(descriptor.keyword),
                time_created: None,
                event_record_id: None,
                correlation: Some(Correlation {
                    // EventWrite uses the calling thread's activity id (if it has one).
                    activity_id: activity_id.or_else(thread_activity_id),
                    related_activity_id,
                }),
                execution: Some(Execution {
                    process_id: std::process::id(),
                    thread_id: current_thread_id(),
                    ..Execution::default()
                }),
                channel: None,
                computer: Some(computer_name().into()),
                security: Some(Security::default()),
            },
            body,
            rendering_info: None,
        };
        target.append(event).map(Some)
    }
}

fn closed() -> Error {
    Error::with_message(
        ErrorKind::InvalidHandle,
        "the provider registration was unregistered",
    )
}

fn check_size(size: usize) -> Result<()> {
    if size > MAX_PAYLOAD {
        return Err(Error::with_message(
            ErrorKind::ArithmeticOverflow,
            format!("the event data is {size} bytes; EventWrite takes at most {MAX_PAYLOAD}"),
        ));
    }
    Ok(())
}

/// `<ProcessingErrorData>`: what the service logs for data that does not fit its template.
fn processing_error(mismatch: &Mismatch, payload: &[u8]) -> Body {
    Body::Other(
        Element::new("ProcessingErrorData")
            .child(Element::new("ErrorCode").text(Value::UInt32(
                crate::error::codes::ERROR_EVT_INVALID_EVENT_DATA,
            )))
            .child(Element::new("DataItemName").text(mismatch.item.as_str()))
            .child(Element::new("EventPayload").text(Value::Binary(payload.to_vec()))),
    )
}

/// Appends `value` as a C provider lays it out in an EVENT_DATA_DESCRIPTOR: strings
/// NUL-terminated (UTF-16, or bytes for AnsiString), integers and floats little-endian,
/// Boolean as a 4-byte BOOL, GUIDs in their in-memory order, SizeT as 8 bytes, FILETIME 8,
/// SYSTEMTIME 16, a SID in its binary form, an array as its elements one after the other.
pub fn encode_value(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => {}
        Value::String(s) | Value::Xml(s) => {
            for unit in s.encode_utf16() {
                out.extend_from_slice(&unit.to_le_bytes());
            }
            out.extend_from_slice(&[0, 0]);
        }
        Value::AnsiString(s) => {
            out.extend_from_slice(s.as_bytes());
            out.push(0);
        }
        Value::SByte(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::Byte(v) => out.push(*v),
        Value::Int16(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::UInt16(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::Int32(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::UInt32(v) | Value::HexInt32(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::Int64(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::UInt64(v) | Value::HexInt64(v) | Value::SizeT(v) => {
            out.extend_from_slice(&v.to_le_bytes())
        }
        Value::Single(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::Double(v) => out.extend_from_slice(&v.to_le_bytes()),
        Value::Boolean(v) => out.extend_from_slice(&u32::from(*v).to_le_bytes()),
        Value::Binary(b) => out.extend_from_slice(b),
        Value::Guid(g) => out.extend_from_slice(&g.to_bytes_le()),
        Value::FileTime(t) => out.extend_from_slice(&t.0.to_le_bytes()),
        Value::SysTime(t) => out.extend_from_slice(&t.to_bytes_le()),
        Value::Sid(s) => out.extend_from_slice(&s.to_bytes()),
        Value::Array(a) => {
            for item in a.items() {
                encode_value(item, out);
            }
        }
    }
}

/// This computer's name, as `<Computer>` shows it: COMPUTERNAME, else the host name.
pub(crate) fn computer_name() -> String {
    if let Ok(name) = std::env::var("COMPUTERNAME") {
        if !name.is_empty() {
            return name;
        }
    }
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|n| n.trim().to_owned())
        .filter(|n| !n.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|n| !n.is_empty()))
        .unwrap_or_else(|| "localhost".to_owned())
}

/// The calling thread's id: the kernel's (Linux `/proc/thread-self`), else a number the
/// process gives each thread once.
pub(crate) fn current_thread_id() -> u32 {
    use std::cell::Cell;
    use std::sync::atomic::AtomicU32;
    static NEXT: AtomicU32 = AtomicU32::new(1);
    thread_local! {
        static ID: Cell<u32> = const { Cell::new(0) };
    }
    ID.with(|id| {
        if id.get() == 0 {
            let kernel = std::fs::read_link("/proc/thread-self")
                .ok()
                .and_then(|p| p.file_name()?.to_str()?.parse::<u32>().ok());
            id.set(kernel.unwrap_or_else(|| NEXT.fetch_add(1, Ordering::Relaxed)));
        }
        id.get()
    })
}

/// EventActivityIdControl's codes.
pub const EVENT_ACTIVITY_CTRL_GET_ID: u32 = 1;
pub const EVENT_ACTIVITY_CTRL_SET_ID: u32 = 2;
pub const EVENT_ACTIVITY_CTRL_CREATE_ID: u32 = 3;
pub const EVENT_ACTIVITY_CTRL_GET_SET_ID: u32 = 4;
pub const EVENT_ACTIVITY_CTRL_CREATE_SET_ID: u32 = 5;

thread_local! {
    static ACTIVITY: std::cell::Cell<Guid> = const { std::cell::Cell::new(Guid { data1: 0, data2: 0, data3: 0, data4: [0; 8] }) };
}

/// The calling thread's activity id, `None` while it is zero.
fn thread_activity_id() -> Option<Guid> {
    let id = ACTIVITY.with(std::cell::Cell::get);
    (id != Guid::default()).then_some(id)
}

/// A new activity id: a version-4-shaped GUID from the clock, the process and a counter,
/// mixed (unique within the process, distinct across processes in practice).
fn new_activity_id() -> Guid {
    use std::sync::atomic::AtomicU64;
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    fn mix(mut z: u64) -> u64 {
        z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let high = mix(nanos ^ (u64::from(std::process::id()) << 32));
    let low = mix(count ^ high);
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&high.to_le_bytes());
    bytes[8..].copy_from_slice(&low.to_le_bytes());
    bytes[7] = (bytes[7] & 0x0f) | 0x40; // version 4 (the high nibble of Data3)
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // the RFC 4122 variant
    Guid::from_bytes_le(bytes)
}

/// EventActivityIdControl: gets, sets, creates or swaps the calling thread's activity id
/// through `id` (GET 1: `id` = the thread's; SET 2: the thread's = `id`; CREATE 3: `id` =
/// a new one; GET_SET 4: swap; CREATE_SET 5: the thread's = a new one, `id` = the old).
/// `InvalidParameter` (87) for another code.
pub fn activity_id_control(code: u32, id: &mut Guid) -> Result<()> {
    ACTIVITY.with(|current| {
        match code {
            EVENT_ACTIVITY_CTRL_GET_ID => *id = current.get(),
            EVENT_ACTIVITY_CTRL_SET_ID => current.set(*id),
            EVENT_ACTIVITY_CTRL_CREATE_ID => *id = new_activity_id(),
            EVENT_ACTIVITY_CTRL_GET_SET_ID => *id = current.replace(*id),
            EVENT_ACTIVITY_CTRL_CREATE_SET_ID => *id = current.replace(new_activity_id()),
            _ => {
                return Err(Error::with_message(
                    ErrorKind::InvalidParameter,
                    format!("control code {code}: 1 to 5"),
                ))
            }
        }
        Ok(())
    })
}
