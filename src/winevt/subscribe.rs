//! Subscriptions: EvtSubscribe in the push model (a callback on the service's delivery
//! thread) and the pull model (a signal, drained with EvtNext), and the kernel32 event
//! objects the pull model waits on (CreateEvent, SetEvent, ResetEvent,
//! WaitForSingleObject, CloseHandle), which Linux lacks.
//!
//! Invariants:
//! 1. A delivered event's handle is valid only during the callback: it is made just before
//!    and closed just after, as Windows closes it.
//! 2. A signal may be closed right after EvtSubscribe (as OTEL does): the subscription keeps
//!    its own reference.

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use super::faults;
use super::handles::{self, EVT_HANDLE};
use super::lookup::{object, session};
use super::object::{Object, SubscriptionObject};
use super::status::{self, invalid_handle, invalid_parameter, Outcome, BOOL, FALSE, TRUE};
use crate::engine::SubscribePosition;
use crate::engine::{Delivery, SignalEvent, SubscribeAction, SubscribeFlags, SubscribeOrigin};

/// EVT_SUBSCRIBE_FLAGS.
pub const EvtSubscribeToFutureEvents: u32 = 1;
pub const EvtSubscribeStartAtOldestRecord: u32 = 2;
pub const EvtSubscribeStartAfterBookmark: u32 = 3;
pub const EvtSubscribeOriginMask: u32 = 3;
pub const EvtSubscribeTolerateQueryErrors: u32 = 0x1000;
pub const EvtSubscribeStrict: u32 = 0x10000;
/// EVT_SUBSCRIBE_NOTIFY_ACTION.
pub const EvtSubscribeActionError: u32 = 0;
pub const EvtSubscribeActionDeliver: u32 = 1;
/// WaitForSingleObject's results.
pub const WAIT_OBJECT_0: u32 = 0;
pub const WAIT_TIMEOUT: u32 = 258;
pub const WAIT_FAILED: u32 = 0xFFFF_FFFF;

/// A push callback: the action, and the event's handle (Deliver) or the error code as a
/// handle value (Error), as EVT_SUBSCRIBE_CALLBACK receives them. Its return is ignored.
pub type SubscribeCallback = Box<dyn FnMut(u32, EVT_HANDLE) + Send>;

/// EvtSubscribe: future events, all events, or those after `bookmark`, of `channel_path`
/// (a bare XPath `query`, or a structured one naming its channels), delivered to
/// `callback` (push) or signalled on `signal_event` (pull: drain with EvtNext). Exactly one
/// of the two is given (87 otherwise).
pub fn EvtSubscribe(
    session: EVT_HANDLE,
    signal_event: EVT_HANDLE,
    channel_path: Option<&str>,
    query: Option<&str>,
    bookmark: EVT_HANDLE,
    callback: Option<SubscribeCallback>,
    flags: u32,
) -> EVT_HANDLE {
    status::handle((|| -> Outcome<EVT_HANDLE> {
        let _fault = faults::enter("EvtSubscribe", |a| {
            a.handle("Session", session)
                .handle("SignalEvent", signal_event)
                .str("ChannelPath", channel_path)
                .str("Query", query)
                .handle("Bookmark", bookmark)
                .present("Callback", callback.is_some())
                .u32("Flags", flags);
        })?;
        let s = self::session(session)?;
        let parsed = SubscribeFlags::from_bits(flags)?;
        let delivery = match (signal_event, callback) {
            (0, Some(mut callback)) => Delivery::push(move |action| match action {
                SubscribeAction::Deliver(event) => {
                    let handle = handles::insert(Object::Event(event), 0);
                    callback(EvtSubscribeActionDeliver, handle);
                    let _ = handles::remove(handle);
                }
                SubscribeAction::Error(e) => {
                    callback(EvtSubscribeActionError, e.win32_code() as EVT_HANDLE)
                }
            }),
            (0, None) | (_, Some(_)) => {
                return Err(invalid_parameter(
                    "give either a SignalEvent or a Callback, not both or neither",
                ))
            }
            (signal, None) => match &*object(signal)? {
                Object::Signal { signal, .. } => Delivery::pull(signal.clone()),
                _ => return Err(invalid_handle("SignalEvent is not an event object")),
            },
        };
        let position = match bookmark {
            0 => None,
            handle => match &*object(handle)? {
                Object::Bookmark(b) => Some(SubscribePosition::from(&*b.lock())),
                _ => return Err(invalid_handle("a bookmark handle was expected")),
            },
        };
        let subscription = s.subscribe(channel_path, query, position.as_ref(), parsed, delivery)?;
        let future_only = matches!(parsed.origin(), None | Some(SubscribeOrigin::FutureEvents));
        Ok(handles::insert(
            Object::Subscription(SubscriptionObject {
                subscription,
                future_only,
                delivered: AtomicBool::new(false),
            }),
            session,
        ))
    })())
}

/// CreateEvent: an event object (`manual_reset` false: a satisfied wait resets it).
/// Like Windows' CreateEvent, a success sets the last error (ERROR_SUCCESS: an unnamed event
/// never already exists).
pub fn CreateEvent(manual_reset: bool, initial_state: bool) -> EVT_HANDLE {
    status::handle(Ok(handles::insert(
        Object::Signal {
            signal: SignalEvent::new(initial_state),
            auto_reset: !manual_reset,
        },
        0,
    )))
}

/// The event object `handle` names (and whether it resets itself); else `None`, with
/// ERROR_INVALID_HANDLE set.
fn signal_of(handle: EVT_HANDLE) -> Option<(SignalEvent, bool)> {
    match handles::get(handle).as_deref() {
        Some(Object::Signal { signal, auto_reset }) => Some((signal.clone(), *auto_reset)),
        _ => {
            status::boolean(Err(invalid_handle("an event object handle was expected")));
            None
        }
    }
}

/// SetEvent.
pub fn SetEvent(event: EVT_HANDLE) -> BOOL {
    let Some((signal, _)) = signal_of(event) else {
        return FALSE;
    };
    signal.set();
    TRUE
}

/// ResetEvent.
pub fn ResetEvent(event: EVT_HANDLE) -> BOOL {
    let Some((signal, _)) = signal_of(event) else {
        return FALSE;
    };
    signal.reset();
    TRUE
}

/// WaitForSingleObject on an event object: WAIT_OBJECT_0 once it is set (an auto-reset
/// one is reset then), WAIT_TIMEOUT after `milliseconds` (INFINITE: never), WAIT_FAILED
/// with ERROR_INVALID_HANDLE for anything else.
pub fn WaitForSingleObject(handle: EVT_HANDLE, milliseconds: u32) -> u32 {
    let Some((signal, auto_reset)) = signal_of(handle) else {
        return WAIT_FAILED;
    };
    let timeout =
        (milliseconds != super::INFINITE).then(|| Duration::from_millis(milliseconds.into()));
    if !signal.wait(timeout) {
        return WAIT_TIMEOUT;
    }
    if auto_reset {
        signal.reset();
    }
    WAIT_OBJECT_0
}

/// CloseHandle on an event object (EvtClose closes the other handles).
pub fn CloseHandle(handle: EVT_HANDLE) -> BOOL {
    if signal_of(handle).is_none() {
        return FALSE;
    }
    handles::remove(handle);
    TRUE
}
