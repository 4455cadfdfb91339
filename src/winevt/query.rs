//! Sessions and queries: EvtOpenSession, EvtClose, EvtCancel, EvtQuery, EvtNext, EvtSeek,
//! EvtGetQueryInfo, EvtGetEventInfo and EvtGetExtendedStatus, over the service's engine.

use std::sync::atomic::Ordering;
use std::time::Duration;

use super::faults;
use super::handles::{self, Refused, EVT_HANDLE};
use super::lookup::{object, session};
use super::object::Object;
use super::service;
use super::status::{self, invalid_handle, invalid_parameter, Fail, Outcome, BOOL};
use super::trace::Args;
use super::variant::put_variants;
use crate::engine::{Next, QueryFlags, SeekFlags, SeekOrigin, MAX_NEXT_COUNT};
use crate::error::codes::*;
use crate::error::Result;
use crate::event::{Array, Value, VariantType};

/// EVT_LOGIN_CLASS EvtRpcLogin.
pub const EvtRpcLogin: u32 = 1;
/// INFINITE, for EvtNext's timeout.
pub const INFINITE: u32 = 0xFFFF_FFFF;

/// EVT_QUERY_PROPERTY_ID.
pub const EvtQueryNames: u32 = 0;
pub const EvtQueryStatuses: u32 = 1;
/// EVT_EVENT_PROPERTY_ID.
pub const EvtEventQueryIDs: u32 = 0;
pub const EvtEventPath: u32 = 1;

/// EVT_RPC_LOGIN, with its strings decoded (`None`: NULL).
#[derive(Clone, Debug, Default)]
pub struct EvtRpcLoginInfo {
    pub server: Option<String>,
    pub user: Option<String>,
    pub domain: Option<String>,
    pub password: Option<String>,
    pub flags: u32,
}

/// Whether `server` names this computer.
pub(super) fn is_this_computer(server: &str) -> bool {
    let server = server.trim_start_matches('\\');
    let mut names = vec![
        "localhost".to_owned(),
        ".".to_owned(),
        "127.0.0.1".to_owned(),
        "::1".to_owned(),
    ];
    names.extend(
        ["COMPUTERNAME", "HOSTNAME"]
            .iter()
            .filter_map(|v| std::env::var(v).ok()),
    );
    if let Ok(name) = std::fs::read_to_string("/proc/sys/kernel/hostname") {
        names.push(name.trim().to_owned());
    }
    names
        .iter()
        .any(|n| !n.is_empty() && n.eq_ignore_ascii_case(server))
}

/// EVT_RPC_LOGIN in a trace: its names and flags; the password only as present or not.
fn trace_login<'a>(args: &'a mut Args, login: Option<&EvtRpcLoginInfo>) -> &'a mut Args {
    let Some(login) = login else {
        return args.present("Login", false);
    };
    args.str("Server", login.server.as_deref())
        .str("User", login.user.as_deref())
        .str("Domain", login.domain.as_deref())
        .present("Password", login.password.is_some())
        .u32("LoginFlags", login.flags)
}

/// EvtOpenSession: a new session on this computer. A login naming another server fails
/// with RPC_S_SERVER_UNAVAILABLE (1722); Timeout and Flags are reserved (87 if not 0).
pub fn EvtOpenSession(
    login_class: u32,
    login: Option<&EvtRpcLoginInfo>,
    timeout: u32,
    flags: u32,
) -> EVT_HANDLE {
    status::handle((|| -> Outcome<EVT_HANDLE> {
        let _fault = faults::enter("EvtOpenSession", |a| {
            trace_login(a.u32("LoginClass", login_class), login)
                .u32("Timeout", timeout)
                .u32("Flags", flags);
        })?;
        if login_class != EvtRpcLogin || timeout != 0 || flags != 0 {
            return Err(invalid_parameter(
                "EvtOpenSession takes EvtRpcLogin, and Timeout and Flags 0",
            ));
        }
        let login = login.ok_or_else(|| invalid_parameter("the login is NULL"))?;
        let server = login.server.as_deref().unwrap_or("localhost");
        if !is_this_computer(server) {
            // A registered computer, or 1722 (remote.rs).
            return super::remote::open_session(&crate::engine::RpcLogin {
                server: server.to_owned(),
                user: login.user.clone(),
                domain: login.domain.clone(),
                password: login.password.clone(),
                flags: login.flags,
            });
        }
        let session = service::engine().open_session();
        Ok(handles::insert(Object::Session(session), 0))
    })())
}

/// EvtClose: closes the handle and every handle made from it (a session's queries and
/// their events; a query's events). NULL or a closed handle: ERROR_INVALID_HANDLE; so are
/// the handles of other APIs that share the table (an event object closes with
/// CloseHandle, a classic log with CloseEventLog, an event source with
/// DeregisterEventSource, a provider with EventUnregister), as none is an EVT_HANDLE.
pub fn EvtClose(object: EVT_HANDLE) -> BOOL {
    status::boolean((|| -> Outcome {
        // Traced; no fault can name EvtClose (FAULT_FUNCTIONS), so it never fails here.
        let _call = faults::enter("EvtClose", |a| {
            a.handle("Object", object);
        })?;
        match handles::remove_if(object, is_evt_handle) {
            Ok(closed) => {
                closed.close();
                Ok(())
            }
            Err(Refused::Rejected) => Err(invalid_handle(
                "not an EVT_HANDLE (an event object closes with CloseHandle, a classic log \
                 with CloseEventLog, an event source with DeregisterEventSource, a provider \
                 with EventUnregister)",
            )),
            Err(Refused::NotOpen) => Err(invalid_handle("the handle is not open")),
        }
    })())
}

/// Whether the object is one of wevtapi's (an EVT_HANDLE), not an event object, classic
/// log, event source or provider registration, which share the table.
fn is_evt_handle(o: &Object) -> bool {
    !matches!(
        o,
        Object::Signal { .. }
            | Object::ClassicLog(_)
            | Object::EventSource(_)
            | Object::Provider(_)
    )
}

/// EvtCancel: on a session (NULL: the local session), cancels the calls in flight, and later
/// calls run normally; on a query or subscription, cancels it for good: its calls in flight
/// and every later EvtNext or EvtSeek fail with ERROR_CANCELLED (1223) until EvtClose
/// (the documented cancel policy). Handles with nothing to cancel succeed; the handles of other APIs
/// (event objects, classic logs, event sources, provider registrations) are
/// ERROR_INVALID_HANDLE, as for EvtClose.
pub fn EvtCancel(object: EVT_HANDLE) -> BOOL {
    status::boolean((|| -> Outcome {
        let _fault = faults::enter("EvtCancel", |a| {
            a.handle("Object", object);
        })?;
        if object == 0 {
            service::engine().default_session().cancel();
            return Ok(());
        }
        match &*self::object(object)? {
            Object::Session(s) => s.cancel(),
            Object::Query(results) => results.cancel(),
            Object::Subscription(s) => s.subscription.cancel(),
            o if !is_evt_handle(o) => return Err(invalid_handle("not an EVT_HANDLE")),
            _ => {}
        }
        Ok(())
    })())
}

/// EvtQuery: a result set over a channel or .evtx file (`path`) with a bare XPath or a
/// structured query (`None` or `"*"`: every event).
pub fn EvtQuery(
    session: EVT_HANDLE,
    path: Option<&str>,
    query: Option<&str>,
    flags: u32,
) -> EVT_HANDLE {
    status::handle((|| -> Outcome<EVT_HANDLE> {
        let _fault = faults::enter("EvtQuery", |a| {
            a.handle("Session", session)
                .str("Path", path)
                .str("Query", query)
                .u32("Flags", flags);
        })?;
        let s = self::session(session)?;
        let flags = QueryFlags::from_bits(flags)?;
        let results = s.query(path, query, flags)?;
        Ok(handles::insert(Object::Query(results), session))
    })())
}

/// EvtNext: up to `events.len()` event handles from a query (1 to 1,024 per call, as the
/// service's batches, else ERROR_INVALID_PARAMETER; a short batch is a success). The end is FALSE with
/// ERROR_NO_MORE_ITEMS (259); a timeout with nothing found, ERROR_TIMEOUT (1460).
pub fn EvtNext(
    result_set: EVT_HANDLE,
    events: &mut [EVT_HANDLE],
    timeout: u32,
    flags: u32,
    returned: &mut u32,
) -> BOOL {
    status::boolean((|| -> Outcome {
        let _fault = faults::enter("EvtNext", |a| {
            a.handle("ResultSet", result_set)
                .size("EventsSize", events.len())
                .u32("Timeout", timeout)
                .u32("Flags", flags);
        })?;
        let object = self::object(result_set)?;
        let source: &dyn Fn(usize, Option<Duration>) -> Result<Next> = match &*object {
            Object::Query(results) => &|count, timeout| results.next(count, timeout),
            Object::Subscription(s) => &|count, timeout| s.subscription.next(count, timeout),
            other => {
                return Err(invalid_handle(&format!(
                    "a query or subscription handle was expected, not {}",
                    other.kind()
                )))
            }
        };
        if flags != 0 {
            return Err(invalid_parameter("EvtNext's Flags are reserved (0)"));
        }
        if events.is_empty() {
            return Err(invalid_parameter("EventsSize is 0"));
        }
        let timeout = (timeout != INFINITE).then(|| Duration::from_millis(u64::from(timeout)));
        // Windows refuses more than 1,024 handles a call (beats' max_handles_assumption
        // test asserts ERROR_INVALID_PARAMETER for 1,025 on Windows).
        if events.len() > MAX_NEXT_COUNT {
            return Err(invalid_parameter(format!(
                "EventsSize {} is over the {MAX_NEXT_COUNT} handles a call",
                events.len()
            )));
        }
        let count = events.len();
        *returned = 0;
        super::remote::enter_object(&object, timeout)?;
        match source(count, timeout)? {
            Next::Events(batch) => {
                if let Object::Subscription(s) = &*object {
                    s.delivered.store(true, Ordering::Relaxed);
                }
                let n =
                    handles::insert_all(batch.into_iter().map(Object::Event), result_set, events);
                *returned = n as u32;
                Ok(())
            }
            // The observed quirk: a fresh future-events subscription with nothing to return
            // says ERROR_INVALID_OPERATION, not ERROR_NO_MORE_ITEMS.
            Next::End => match &*object {
                Object::Subscription(s)
                    if s.future_only && !s.delivered.load(Ordering::Relaxed) =>
                {
                    Err(Fail::Code(ERROR_INVALID_OPERATION))
                }
                _ => Err(Fail::Code(ERROR_NO_MORE_ITEMS)),
            },
            Next::TimedOut => Err(Fail::Code(ERROR_TIMEOUT)),
        }
    })())
}

/// EvtSeek: moves a query's cursor (`position` from the origin in `flags`; with
/// EvtSeekRelativeToBookmark, from `bookmark`'s record). Timeout is reserved (0).
pub fn EvtSeek(
    result_set: EVT_HANDLE,
    position: i64,
    bookmark: EVT_HANDLE,
    timeout: u32,
    flags: u32,
) -> BOOL {
    status::boolean((|| -> Outcome {
        let _fault = faults::enter("EvtSeek", |a| {
            a.handle("ResultSet", result_set)
                .i64("Position", position)
                .handle("Bookmark", bookmark)
                .u32("Timeout", timeout)
                .u32("Flags", flags);
        })?;
        let object = self::object(result_set)?;
        let Object::Query(results) = &*object else {
            return Err(invalid_handle(&format!(
                "a query handle was expected, not {}",
                object.kind()
            )));
        };
        if timeout != 0 {
            return Err(invalid_parameter("EvtSeek's Timeout is reserved (0)"));
        }
        super::remote::enter_object(&object, None)?;
        let flags = SeekFlags::from_bits(flags)?;
        if flags.origin() == Some(SeekOrigin::Bookmark) {
            let bookmark = self::object(bookmark)?;
            let Object::Bookmark(bookmark) = &*bookmark else {
                return Err(invalid_handle("a bookmark handle was expected"));
            };
            let bookmark = bookmark.lock().clone();
            return Ok(results.seek_bookmark(&bookmark, position, flags)?);
        }
        if bookmark != 0 {
            return Err(invalid_parameter(
                "a bookmark is given only with EvtSeekRelativeToBookmark",
            ));
        }
        Ok(results.seek(position, flags)?)
    })())
}

/// EvtGetQueryInfo: EvtQueryNames (String array) or EvtQueryStatuses (UInt32 array), one
/// entry per path of the query, parallel.
pub fn EvtGetQueryInfo(
    query: EVT_HANDLE,
    property_id: u32,
    buffer: &mut [u8],
    used: &mut u32,
) -> BOOL {
    status::boolean((|| -> Outcome {
        let _fault = faults::enter("EvtGetQueryInfo", |a| {
            a.handle("QueryOrSubscription", query)
                .u32("PropertyId", property_id)
                .size("BufferSize", buffer.len());
        })?;
        let object = self::object(query)?;
        let statuses = match &*object {
            Object::Query(results) => results.statuses(),
            Object::Subscription(s) => s.subscription.statuses(),
            _ => {
                return Err(invalid_handle(
                    "a query or subscription handle was expected",
                ))
            }
        };
        let value = match property_id {
            EvtQueryNames => Array::new(
                VariantType::String,
                statuses
                    .iter()
                    .map(|(n, _)| Value::String(n.clone().into()))
                    .collect(),
            ),
            EvtQueryStatuses => Array::new(
                VariantType::UInt32,
                statuses.iter().map(|(_, c)| Value::UInt32(*c)).collect(),
            ),
            _ => return Err(invalid_parameter("an unknown EVT_QUERY_PROPERTY_ID")),
        }
        .map(Value::Array)
        .unwrap_or(Value::Null);
        put_variants(&[value], buffer, used)
    })())
}

/// EvtGetEventInfo: EvtEventPath (the channel or file the event came from) or
/// EvtEventQueryIDs (0: a plain query's only id).
pub fn EvtGetEventInfo(
    event: EVT_HANDLE,
    property_id: u32,
    buffer: &mut [u8],
    used: &mut u32,
) -> BOOL {
    status::boolean((|| -> Outcome {
        let _fault = faults::enter("EvtGetEventInfo", |a| {
            a.handle("Event", event)
                .u32("PropertyId", property_id)
                .size("BufferSize", buffer.len());
        })?;
        let object = self::object(event)?;
        let Object::Event(event) = &*object else {
            return Err(invalid_handle("an event handle was expected"));
        };
        let value = match property_id {
            EvtEventPath => Value::String(event.path().into()),
            EvtEventQueryIDs => Value::Int32(0),
            _ => return Err(invalid_parameter("an unknown EVT_EVENT_PROPERTY_ID")),
        };
        put_variants(&[value], buffer, used)
    })())
}

/// EvtGetExtendedStatus: the calling thread's last error message (with a query's parse
/// position), in `buffer` as UTF-16 with its NUL; returns ERROR_SUCCESS, or
/// ERROR_INSUFFICIENT_BUFFER with `*used` the characters needed. No status: 0 characters.
pub fn EvtGetExtendedStatus(buffer: &mut [u16], used: &mut u32) -> u32 {
    let text = status::extended();
    if text.is_empty() {
        *used = 0;
        return ERROR_SUCCESS;
    }
    let units: Vec<u16> = text.encode_utf16().chain([0]).collect();
    *used = units.len() as u32;
    if buffer.len() < units.len() {
        return ERROR_INSUFFICIENT_BUFFER;
    }
    buffer[..units.len()].copy_from_slice(&units);
    ERROR_SUCCESS
}
