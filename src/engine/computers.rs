//! Remote computers, in process: other engines registered under a computer name, reached
//! by a session opened with an `EVT_RPC_LOGIN` that names them ([`Engine::open_remote_session`],
//! EvtOpenSession at the facade), and Windows Event Forwarding between them ([`Forwarder`]).
//!
//! A [`Computer`] is a name, its own engine (channels, publishers, clock, store) and,
//! optionally, the credentials it accepts. It can be taken offline (its service is stopped:
//! every call fails with RPC_S_SERVER_UNAVAILABLE, 1722, and when it comes back the handles
//! made before are invalid, as an RPC server runs down the context handles of a lost
//! connection), rebooted (a service restart: push subscriptions get an `Error` action, and
//! handles made before fail with ERROR_INVALID_HANDLE, 6), or made slow (a virtual delay per
//! call: lifecycle.rs).
//!
//! Invariants:
//! 1. Names are unique under Windows' case-insensitive comparison, without the leading `\\`
//!    of a UNC-style server name; a name is 1 to 255 characters with no control character,
//!    `\`, `=` or `;` (so that `EVTLOG_COMPUTERS` can name every computer).
//! 2. A computer's engine is not the engine it is registered on (a session to it would be
//!    a local session).
//! 3. Credentials are checked on every login: a computer with none registered accepts any
//!    (and NULL, the current user); one with credentials accepts exactly those (user and
//!    domain ignoring case, password exactly), and nothing else: ERROR_ACCESS_DENIED (5).
//! 4. A [`Forwarder`] forwards each record of its source channel once: it remembers the last
//!    record id it wrote, and after its source's service restarted (its result set closed) it
//!    queries again and skips the records up to that id.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Mutex, RwLock};

use super::{Engine, QueryFlags, ResultSet, Session};
use crate::error::{Error, ErrorKind, Result};
use crate::event::Event;
use crate::publisher::FormatWhat;

/// The channel forwarded events go to on a collector.
pub const FORWARDED_EVENTS: &str = "ForwardedEvents";

/// EVT_RPC_LOGIN: the server to reach and the credentials to log in with (`None`: NULL, the
/// current user).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RpcLogin {
    pub server: String,
    pub user: Option<String>,
    pub domain: Option<String>,
    pub password: Option<String>,
    /// EVT_RPC_LOGIN_FLAGS (the authentication method; not checked).
    pub flags: u32,
}

impl RpcLogin {
    /// A login to `server` as the current user.
    pub fn new(server: impl Into<String>) -> RpcLogin {
        RpcLogin {
            server: server.into(),
            ..RpcLogin::default()
        }
    }

    /// The same login with a user (`DOMAIN\user` splits into domain and user) and password.
    pub fn with_user(mut self, user: &str, password: &str) -> RpcLogin {
        match user.split_once('\\') {
            Some((domain, user)) => {
                self.domain = Some(domain.to_owned());
                self.user = Some(user.to_owned());
            }
            None => self.user = Some(user.to_owned()),
        }
        self.password = Some(password.to_owned());
        self
    }
}

/// The credentials a computer accepts (invariant 3).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    user: String,
    domain: Option<String>,
    password: String,
}

impl Credentials {
    /// `user` (`DOMAIN\user` names the domain too) with `password`.
    pub fn new(user: &str, password: &str) -> Credentials {
        let (domain, user) = match user.split_once('\\') {
            Some((domain, user)) => (Some(domain.to_owned()), user),
            None => (None, user),
        };
        Credentials {
            user: user.to_owned(),
            domain,
            password: password.to_owned(),
        }
    }

    /// Whether `login` presents these credentials. A registered domain must be given (in
    /// the login's Domain or as `DOMAIN\user`); without one any domain is accepted.
    pub fn accepts(&self, login: &RpcLogin) -> bool {
        let Some(user) = login.user.as_deref() else {
            return false;
        };
        let (domain, user) = match user.split_once('\\') {
            Some((d, u)) => (Some(d), u),
            None => (login.domain.as_deref(), user),
        };
        let domain_ok = match (&self.domain, domain) {
            (None, _) => true,
            (Some(want), Some(have)) => want.eq_ignore_ascii_case(have),
            (Some(_), None) => false,
        };
        domain_ok
            && self.user.eq_ignore_ascii_case(user)
            && login.password.as_deref() == Some(self.password.as_str())
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The password is never printed.
        f.debug_struct("Credentials")
            .field("user", &self.user)
            .field("domain", &self.domain)
            .finish_non_exhaustive()
    }
}

/// A remote computer: a name and its own engine (see the module docs).
pub struct Computer {
    name: String,
    engine: Engine,
    credentials: RwLock<Option<Credentials>>,
    offline: AtomicBool,
}

impl Computer {
    /// The computer's name as registered.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The computer's engine: its channels, publishers, clock and store.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Requires these credentials of every login (`None`: any login is accepted).
    pub fn set_credentials(&self, credentials: Option<Credentials>) {
        *self.credentials.write() = credentials;
    }

    /// `Err(AccessDenied)` (5) unless the computer accepts `login` (invariant 3).
    pub fn check_login(&self, login: &RpcLogin) -> Result<()> {
        match &*self.credentials.read() {
            Some(c) if !c.accepts(login) => Err(Error::with_message(
                ErrorKind::AccessDenied,
                format!(
                    "{} does not accept the credentials of the login (user {:?})",
                    self.name,
                    login.user.as_deref().unwrap_or("<current user>")
                ),
            )),
            _ => Ok(()),
        }
    }

    /// Takes the computer off the network (`true`: every call fails with
    /// RPC_S_SERVER_UNAVAILABLE, 1722; push subscriptions get an `Error` action with it) or
    /// brings it back (`false`: handles made before it went are invalid, 6).
    pub fn set_offline(&self, offline: bool) {
        self.offline.store(offline, Ordering::Release);
        if offline {
            self.engine.stop_service();
        } else {
            self.engine.start_service();
        }
    }

    /// True while [`set_offline`](Computer::set_offline) holds it off the network.
    pub fn is_offline(&self) -> bool {
        self.offline.load(Ordering::Acquire)
    }

    /// Reboots the computer: its service stops and starts (push subscriptions get an `Error`
    /// action; every handle made before fails with ERROR_INVALID_HANDLE, 6). Its records
    /// stay.
    pub fn reboot(&self) {
        self.engine.restart_service();
    }

    /// Makes each call to the computer take `delay` of virtual time ([`Engine::set_call_delay`]).
    pub fn set_delay(&self, delay: Duration) {
        self.engine.set_call_delay(delay);
    }
}

impl fmt::Debug for Computer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Computer")
            .field("name", &self.name)
            .field("offline", &self.is_offline())
            .field("credentials", &self.credentials.read().is_some())
            .finish_non_exhaustive()
    }
}

/// The computers an engine's sessions can reach.
#[derive(Default)]
pub(crate) struct Registry {
    computers: RwLock<Vec<Arc<Computer>>>,
}

/// A server name as compared: without a leading `\\`.
fn bare(name: &str) -> &str {
    name.trim_start_matches('\\')
}

/// `Err(InvalidParameter)` unless `name` can name a computer (invariant 1).
pub fn validate_computer_name(name: &str) -> Result<()> {
    let bad = |why: &str| {
        Err(Error::with_message(
            ErrorKind::InvalidParameter,
            format!("computer name {name:?}: {why}"),
        ))
    };
    if name.is_empty() {
        return bad("empty");
    }
    if name.chars().count() > 255 {
        return bad("over 255 characters");
    }
    if let Some(c) = name
        .chars()
        .find(|c| c.is_control() || matches!(c, '\\' | '=' | ';'))
    {
        return bad(&format!("the character {c:?} is not allowed"));
    }
    Ok(())
}

impl Engine {
    /// Whether `other` is this engine (a clone of it), not another one.
    pub fn is_same(&self, other: &Engine) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// Registers `engine` as the computer `name` (a leading `\\` is dropped), reachable by
    /// [`open_remote_session`](Engine::open_remote_session) and by EvtOpenSession at the
    /// facade. Errors: `InvalidParameter` (87) for an invalid name (invariant 1), a name
    /// registered already (in any letter case), or this engine itself.
    pub fn register_computer(&self, name: &str, engine: Engine) -> Result<Arc<Computer>> {
        let name = bare(name);
        validate_computer_name(name)?;
        if Arc::ptr_eq(&engine.inner, &self.inner) {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                format!("computer {name}: an engine cannot be its own remote computer"),
            ));
        }
        let mut computers = self.inner.computers.computers.write();
        if computers.iter().any(|c| c.name.eq_ignore_ascii_case(name)) {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                format!("computer {name} is registered already"),
            ));
        }
        let computer = Arc::new(Computer {
            name: name.to_owned(),
            engine,
            credentials: RwLock::new(None),
            offline: AtomicBool::new(false),
        });
        computers.push(Arc::clone(&computer));
        Ok(computer)
    }

    /// The computer `name` (any letter case, a leading `\\` ignored), or
    /// RPC_S_SERVER_UNAVAILABLE (1722), what Windows reports for a server it cannot reach.
    pub fn computer(&self, name: &str) -> Result<Arc<Computer>> {
        let name = bare(name);
        self.inner
            .computers
            .computers
            .read()
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
            .cloned()
            .ok_or_else(|| {
                Error::with_message(
                    ErrorKind::ServerUnavailable,
                    format!(
                        "the RPC server {name:?} is unavailable (no such computer is registered)"
                    ),
                )
            })
    }

    /// The registered computers, in registration order.
    pub fn computers(&self) -> Vec<Arc<Computer>> {
        self.inner.computers.computers.read().clone()
    }

    /// EvtOpenSession to another computer: a session on the engine of the computer
    /// `login.server` names. Errors: RPC_S_SERVER_UNAVAILABLE (1722) for a computer not
    /// registered, or offline, or whose service is stopped; ERROR_ACCESS_DENIED (5) for
    /// credentials it does not accept. (The facade's EvtOpenSession defers the last two to
    /// the session's first use, as Windows does.)
    pub fn open_remote_session(&self, login: &RpcLogin) -> Result<Session> {
        let computer = self.computer(&login.server)?;
        computer.engine.check_service()?;
        computer.check_login(login)?;
        Ok(computer.engine.open_session())
    }
}

/// Windows Event Forwarding from one computer's channel to another's ForwardedEvents: each
/// record is written to the collector with `<RenderingInfo>` rendered on the source (its
/// publisher's message, level, task, opcode, channel, provider and keywords strings, in the
/// source's default locale), as a subscription in the RenderedText format delivers it. The
/// record keeps its System values (Computer, Channel, TimeCreated); the collector's channel
/// gives it a record id of its own. A record whose publisher the source does not have is
/// forwarded without RenderingInfo.
pub struct Forwarder {
    source: Engine,
    target: Engine,
    path: String,
    query: Option<String>,
    target_channel: String,
    state: Mutex<ForwardState>,
}

struct ForwardState {
    results: Option<ResultSet>,
    /// The source record id forwarded last (invariant 4).
    last: Option<u64>,
}

impl Forwarder {
    /// A forwarder of the records of `path` (a channel of `source`) that match `query`
    /// (`None` or `"*"`: all) to `target`'s ForwardedEvents channel, starting at the oldest.
    pub fn new(source: &Engine, target: &Engine, path: &str, query: Option<&str>) -> Forwarder {
        Forwarder {
            source: source.clone(),
            target: target.clone(),
            path: path.to_owned(),
            query: query.map(str::to_owned),
            target_channel: FORWARDED_EVENTS.to_owned(),
            state: Mutex::new(ForwardState {
                results: None,
                last: None,
            }),
        }
    }

    /// The same forwarder writing to `channel` of the target instead of ForwardedEvents.
    pub fn to_channel(mut self, channel: &str) -> Forwarder {
        self.target_channel = channel.to_owned();
        self
    }

    /// Forwards every matching record not forwarded yet; returns how many. Errors: the
    /// source's (1722 while its service is stopped or it is offline; 15007, 15001 for the
    /// query) and the target's (15007 without the channel; 1502 when it is full). Records
    /// forwarded before an error stay forwarded, and the next call goes on after them.
    pub fn pump(&self) -> Result<usize> {
        let mut state = self.state.lock();
        let mut forwarded = 0;
        loop {
            let results = match &state.results {
                Some(r) if !r.is_closed() => r.clone(),
                _ => {
                    let r = self.source.default_session().query(
                        Some(&self.path),
                        self.query.as_deref(),
                        QueryFlags::CHANNEL_PATH,
                    )?;
                    state.results = Some(r.clone());
                    r
                }
            };
            let batch = match results.next(1, None) {
                Ok(super::Next::Events(batch)) => batch,
                Ok(_) => return Ok(forwarded),
                // The source restarted under the query: query again (invariant 4).
                Err(e) if e.kind() == ErrorKind::InvalidHandle => {
                    state.results = None;
                    continue;
                }
                Err(e) => return Err(e),
            };
            for event in batch {
                let id = event.record_id();
                if state.last.is_some_and(|last| id <= last) {
                    continue;
                }
                let rendered = self.rendered(event.event());
                self.target.write(&self.target_channel, rendered)?;
                state.last = Some(id);
                forwarded += 1;
            }
        }
    }

    /// The event with the RenderingInfo its source renders.
    fn rendered(&self, event: &Event) -> Event {
        let mut out = event.clone();
        out.rendering_info = None;
        let provider = event.system.provider.name.as_deref();
        let info = provider
            .ok_or_else(|| Error::new(ErrorKind::PublisherMetadataNotFound))
            .and_then(|p| self.source.open_publisher_metadata(Some(p), 0))
            .and_then(|m| m.format(&out, FormatWhat::Xml))
            .and_then(|formatted| Event::from_xml(formatted.text()))
            .ok()
            .and_then(|e| e.rendering_info);
        out.rendering_info = info;
        out
    }
}

impl fmt::Debug for Forwarder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Forwarder")
            .field("path", &self.path)
            .field("target_channel", &self.target_channel)
            .finish_non_exhaustive()
    }
}
