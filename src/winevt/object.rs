//! What a handle stands for: each kind of wevtapi object, as the engine's own type (the
//! lookups from a handle are in `lookup.rs`, above the handle table and the service).

use std::sync::atomic::AtomicBool;

use parking_lot::Mutex;

use crate::engine::{
    Bookmark, EventMetadata, EventRef, ObjectArray, PublisherMetadata, RenderContext, ResultSet,
    Session, SignalEvent, Subscription,
};
use crate::error::Result;

/// The object behind a handle.
pub(super) enum Object {
    /// EvtOpenSession.
    Session(Session),
    /// EvtOpenSession to a computer that refused the login's credentials: every use fails
    /// with this error (ERROR_ACCESS_DENIED), as Windows reports it at first use.
    DeniedSession(crate::error::ErrorKind, String),
    /// EvtQuery: a result set (EvtNext, EvtSeek, EvtGetQueryInfo).
    Query(ResultSet),
    /// An event EvtNext returned (EvtRender, EvtUpdateBookmark, EvtGetEventInfo).
    Event(EventRef),
    /// EvtCreateRenderContext.
    RenderContext(RenderContext),
    /// EvtCreateBookmark (EvtUpdateBookmark changes it).
    Bookmark(Mutex<Bookmark>),
    /// EvtOpenChannelEnum: the names, and how many were handed out.
    ChannelEnum(NameEnum),
    /// EvtSubscribe.
    Subscription(SubscriptionObject),
    /// EvtOpenLog: a channel, or an .evtx file by its absolute path.
    Log(LogSource),
    /// EvtOpenPublisherMetadata (EvtGetPublisherMetadataProperty, EvtFormatMessage,
    /// EvtOpenEventMetadataEnum).
    PublisherMetadata(PublisherMetadata),
    /// EvtOpenPublisherEnum: the names, and how many were handed out.
    PublisherEnum(NameEnum),
    /// An EvtVarTypeEvtHandle from EvtGetPublisherMetadataProperty (EvtGetObjectArraySize,
    /// EvtGetObjectArrayProperty); a child of its metadata handle.
    ObjectArray(ObjectArray),
    /// EvtOpenEventMetadataEnum: the events, and how many were handed out.
    EventMetadataEnum(Mutex<(Vec<EventMetadata>, usize)>),
    /// An event EvtNextEventMetadata returned (EvtGetEventMetadataProperty).
    EventMetadata(EventMetadata),
    /// EvtOpenChannelConfig: the in-memory copy EvtSetChannelConfigProperty changes and
    /// EvtSaveChannelConfig applies.
    ChannelConfig(
        Mutex<crate::engine::ChannelProperties>,
        crate::engine::Engine,
    ),
    /// EventRegister: a provider's registration (REGHANDLE).
    Provider(crate::engine::ProviderRegistration),
    /// RegisterEventSource: the source's name.
    EventSource(String),
    /// OpenEventLog / OpenBackupEventLog.
    ClassicLog(crate::engine::ClassicLog),
    /// CreateEvent: a signal for the pull model (`auto_reset`: a wait resets it).
    Signal {
        signal: SignalEvent,
        auto_reset: bool,
    },
}

/// What EvtOpenLog opened.
pub(super) enum LogSource {
    Channel(std::sync::Arc<crate::engine::Channel>),
    File(std::path::PathBuf),
}

/// A subscription, and what the facade needs to report its quirks.
pub(super) struct SubscriptionObject {
    pub(super) subscription: Subscription,
    /// EvtSubscribeToFutureEvents: EvtNext with nothing to return is ERROR_INVALID_OPERATION
    /// until the first event is handed out (EvtNext, as observed).
    pub(super) future_only: bool,
    pub(super) delivered: AtomicBool,
}

impl Object {
    /// The name of the object's kind, for error messages.
    pub(super) fn kind(&self) -> &'static str {
        match self {
            Object::Session(_) => "a session",
            Object::DeniedSession(..) => "a session",
            Object::Query(_) => "a query",
            Object::Event(_) => "an event",
            Object::RenderContext(_) => "a render context",
            Object::Bookmark(_) => "a bookmark",
            Object::ChannelEnum(_) => "a channel enumerator",
            Object::Subscription(_) => "a subscription",
            Object::Signal { .. } => "an event object",
            Object::Log(_) => "a log",
            Object::PublisherMetadata(_) => "publisher metadata",
            Object::PublisherEnum(_) => "a publisher enumerator",
            Object::ObjectArray(_) => "a metadata object array",
            Object::EventMetadataEnum(_) => "an event metadata enumerator",
            Object::EventMetadata(_) => "event metadata",
            Object::ChannelConfig(..) => "a channel configuration",
            Object::Provider(_) => "a provider registration",
            Object::EventSource(_) => "an event source",
            Object::ClassicLog(_) => "an event log",
        }
    }

    /// Ends what the object holds in the engine (its handle was closed).
    pub(super) fn close(&self) {
        match self {
            Object::Session(session) => {
                // Only non-default sessions are handles; a default one cannot close.
                let _ = session.close();
            }
            Object::Query(results) => results.close(),
            Object::Subscription(s) => s.subscription.close(),
            Object::Provider(p) => {
                let _ = p.unregister();
            }
            Object::ClassicLog(log) => log.close(),
            Object::Event(_)
            | Object::RenderContext(_)
            | Object::Bookmark(_)
            | Object::ChannelEnum(_)
            | Object::Signal { .. }
            | Object::Log(_)
            | Object::PublisherMetadata(_)
            | Object::PublisherEnum(_)
            | Object::ObjectArray(_)
            | Object::EventMetadataEnum(_)
            | Object::EventMetadata(_)
            | Object::EventSource(_) => {}
            Object::ChannelConfig(..) | Object::DeniedSession(..) => {}
        }
    }
}

/// An enumerator of names (EvtOpenChannelEnum, EvtOpenPublisherEnum): the names, and how
/// many were handed out.
pub(super) struct NameEnum(Mutex<(Vec<String>, usize)>);

impl NameEnum {
    pub(super) fn new(names: Vec<String>) -> NameEnum {
        NameEnum(Mutex::new((names, 0)))
    }

    /// The next name as UTF-16 with its NUL (sizes in characters). Too small is
    /// ERROR_INSUFFICIENT_BUFFER with `*used` the characters needed, and the same name comes
    /// again on the retry; the end is ERROR_NO_MORE_ITEMS (259). The error is the bare
    /// Win32 code (status.rs sits above the objects).
    pub(super) fn next_into(&self, buffer: &mut [u16], used: &mut u32) -> Result<(), u32> {
        use crate::error::codes::{ERROR_INSUFFICIENT_BUFFER, ERROR_NO_MORE_ITEMS};
        let mut state = self.0.lock();
        let (names, next) = &mut *state;
        let Some(name) = names.get(*next) else {
            return Err(ERROR_NO_MORE_ITEMS);
        };
        let units: Vec<u16> = name.encode_utf16().chain([0]).collect();
        *used = units.len() as u32;
        if buffer.len() < units.len() {
            return Err(ERROR_INSUFFICIENT_BUFFER);
        }
        buffer[..units.len()].copy_from_slice(&units);
        *next += 1;
        Ok(())
    }
}
