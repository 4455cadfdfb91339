//! Remote computers and the service lifecycle at the facade: EvtOpenSession to a registered
//! computer (engine side: `engine/computers.rs`), the gate every call that reaches a
//! service passes (1722 while it is stopped, the slow computer's delay), `EVTLOG_COMPUTERS`,
//! and the engine controls the C ABI exports as `evtlog_stop_service`,
//! `evtlog_start_service`, `evtlog_register_computer`, `evtlog_set_computer_offline`,
//! `evtlog_reboot_computer`, `evtlog_set_computer_delay`, `evtlog_set_computer_credentials`
//! and `evtlog_forward_events`.
//!
//! Invariants:
//! 1. Credentials are checked when EvtOpenSession runs but, as on Windows, reported at the
//!    session's first use: a refused login gives a session handle whose every use fails with
//!    ERROR_ACCESS_DENIED (5) and which EvtClose closes. A computer that is not registered
//!    fails EvtOpenSession itself with RPC_S_SERVER_UNAVAILABLE (1722), as before.
//! 2. `EVTLOG_COMPUTERS` is applied whole or not at all: every item is parsed and every store
//!    opened first; on the first failure a message naming the item goes to stderr and no
//!    computer is registered.

use std::path::PathBuf;
use std::time::Duration;

use super::handles::{self, EVT_HANDLE};
use super::object::Object;
use super::query::EvtRpcLoginInfo;
use super::service;
use super::status::{self, Fail, Outcome, BOOL};
use crate::engine::{Engine, Forwarder, RpcLogin};
use crate::error::codes::ERROR_TIMEOUT;
use crate::error::{Error, ErrorKind, Result};

/// The forwarders `forward_events` made, per service engine and (from, to, channel, query),
/// so that each record is forwarded once.
#[allow(clippy::type_complexity)]
static FORWARDERS: parking_lot::Mutex<
    Vec<(
        Engine,
        (String, String, String, String),
        std::sync::Arc<Forwarder>,
    )>,
> = parking_lot::Mutex::new(Vec::new());

/// The variable naming remote computers for an unmodified program: `NAME=STORE_DIR;…`.
pub const COMPUTERS_VARIABLE: &str = "EVTLOG_COMPUTERS";

/// ERROR_SERVICE_ALREADY_RUNNING: starting a service that runs.
const ERROR_SERVICE_ALREADY_RUNNING: u32 = 1056;
/// ERROR_SERVICE_NOT_ACTIVE: stopping a service that is stopped.
const ERROR_SERVICE_NOT_ACTIVE: u32 = 1062;

/// EvtOpenSession to a computer other than this one (invariant 1).
pub(super) fn open_session(login: &EvtRpcLoginInfo, server: &str) -> Outcome<EVT_HANDLE> {
    let computer = service::engine().computer(server)?;
    let login = RpcLogin {
        server: server.to_owned(),
        user: login.user.clone(),
        domain: login.domain.clone(),
        password: login.password.clone(),
        flags: login.flags,
    };
    let object = match computer.check_login(&login) {
        Ok(()) => Object::Session(computer.engine().open_session()),
        Err(e) => Object::DeniedSession(e.kind(), e.to_string()),
    };
    Ok(handles::insert(object, 0))
}

/// A call reaches `engine`'s service: 1722 while it is stopped; with a call delay, a
/// timeout shorter than the delay is ERROR_TIMEOUT (1460) before anything moves.
pub(super) fn enter(engine: &Engine, timeout: Option<Duration>) -> Outcome {
    let delay = engine.enter_call()?;
    if timeout.is_some_and(|t| delay > t) {
        return Err(Fail::Code(ERROR_TIMEOUT));
    }
    Ok(())
}

/// [`enter`] for a query or subscription handle's engine; other objects pass.
pub(super) fn enter_object(object: &Object, timeout: Option<Duration>) -> Outcome {
    match object {
        Object::Query(results) => enter(results.engine(), timeout),
        Object::Subscription(s) => enter(s.subscription.engine(), timeout),
        _ => Ok(()),
    }
}

/// Stops the service's event-log service (`net stop eventlog`): every call fails with
/// RPC_S_SERVER_UNAVAILABLE (1722) until [`start_service`]; push subscriptions get
/// EvtSubscribeActionError with 1722. FALSE with ERROR_SERVICE_NOT_ACTIVE (1062) if it is
/// stopped already.
pub fn stop_service() -> BOOL {
    status::boolean(if service::engine().stop_service() {
        Ok(())
    } else {
        Err(Fail::Code(ERROR_SERVICE_NOT_ACTIVE))
    })
}

/// Starts the event-log service again: every handle opened before the stop fails with
/// ERROR_INVALID_HANDLE (6) from now on. FALSE with ERROR_SERVICE_ALREADY_RUNNING (1056)
/// if it runs.
pub fn start_service() -> BOOL {
    status::boolean(if service::engine().start_service() {
        Ok(())
    } else {
        Err(Fail::Code(ERROR_SERVICE_ALREADY_RUNNING))
    })
}

/// A computer's engine: the persistent store in `store_dir` (opened, or created; beside a
/// writer that holds it, read-only), or with `None` an in-memory engine; either way with
/// Windows' standard channels and the default publishers, on the wall clock.
fn computer_engine(store_dir: Option<&std::path::Path>) -> Result<Engine> {
    let Some(dir) = store_dir else {
        let engine = Engine::with_default_channels(std::sync::Arc::new(crate::SystemClock));
        let _ = engine.install_default_publishers();
        return Ok(engine);
    };
    let engine = match Engine::open_store_dir(dir) {
        Err(e) if e.kind() == ErrorKind::SharingViolation => Engine::open_store_dir_read_only(dir),
        opened => opened,
    }?;
    engine.create_default_channels();
    let _ = engine.load_default_publishers();
    Ok(engine)
}

/// Registers the computer `name` (EvtOpenSession with `Server` = `name` reaches it), whose
/// engine is the store in `store_dir` (`None`: in memory). 87 for a bad or taken name; the
/// store's errors.
pub fn register_computer(name: &str, store_dir: Option<&std::path::Path>) -> BOOL {
    status::boolean((|| -> Outcome {
        service::engine().register_computer(name, computer_engine(store_dir)?)?;
        Ok(())
    })())
}

fn with_computer(name: &str, f: impl FnOnce(&crate::engine::Computer)) -> BOOL {
    status::boolean((|| -> Outcome {
        f(&*service::engine().computer(name)?);
        Ok(())
    })())
}

/// Takes the computer `name` offline (`true`) or back online; 1722 if there is none.
pub fn set_computer_offline(name: &str, offline: bool) -> BOOL {
    with_computer(name, |c| c.set_offline(offline))
}

/// Reboots the computer `name`; 1722 if there is none.
pub fn reboot_computer(name: &str) -> BOOL {
    with_computer(name, |c| c.reboot())
}

/// Makes each call to the computer `name` take `milliseconds` of virtual time.
pub fn set_computer_delay(name: &str, milliseconds: u64) -> BOOL {
    with_computer(name, |c| c.set_delay(Duration::from_millis(milliseconds)))
}

/// Requires `user` (`DOMAIN\user` allowed) and `password` of logins to `name`; `user`
/// `None` accepts any login again.
pub fn set_computer_credentials(name: &str, user: Option<&str>, password: Option<&str>) -> BOOL {
    let credentials = user.map(|u| crate::Credentials::new(u, password.unwrap_or("")));
    with_computer(name, |c| c.set_credentials(credentials))
}

/// Forwards the records of `channel` on the computer `from` that match `query` (`None`:
/// all) to the ForwardedEvents channel of `to`, each with the RenderingInfo `from` renders;
/// `None` names this computer. Records forwarded before by the same pair and channel are
/// not forwarded again (the forwarders are kept per service engine).
pub fn forward_events(
    from: Option<&str>,
    to: Option<&str>,
    channel: &str,
    query: Option<&str>,
) -> BOOL {
    status::boolean((|| -> Outcome {
        let local = service::engine();
        let engine_of = |name: Option<&str>| -> Result<Engine> {
            match name {
                None => Ok(local.clone()),
                Some(n) if super::query::is_this_computer(n) => Ok(local.clone()),
                Some(n) => Ok(local.computer(n)?.engine().clone()),
            }
        };
        let (source, target) = (engine_of(from)?, engine_of(to)?);
        let key = (
            from.unwrap_or("").to_ascii_lowercase(),
            to.unwrap_or("").to_ascii_lowercase(),
            channel.to_ascii_lowercase(),
            query.unwrap_or("*").to_owned(),
        );
        let forwarder = {
            let mut all = FORWARDERS.lock();
            // Forwarders of an engine that `evtlog_reset` replaced go with it.
            all.retain(|(engine, _, _)| engine.is_same(&local));
            match all.iter().find(|(_, k, _)| *k == key) {
                Some((_, _, f)) => std::sync::Arc::clone(f),
                None => {
                    let f = std::sync::Arc::new(Forwarder::new(&source, &target, channel, query));
                    all.push((local.clone(), key, std::sync::Arc::clone(&f)));
                    f
                }
            }
        };
        forwarder.pump()?;
        Ok(())
    })())
}

/// `EVTLOG_COMPUTERS`'s items: `NAME=STORE_DIR` separated by `;` (empty items, such as a
/// trailing `;`, are skipped). The error names the item and says what is wrong.
pub fn parse_computers(text: &str) -> std::result::Result<Vec<(String, PathBuf)>, String> {
    let mut out: Vec<(String, PathBuf)> = Vec::new();
    let mut offset = 0;
    for (index, item) in text.split(';').enumerate() {
        let at = offset;
        offset += item.len() + 1;
        if item.trim().is_empty() {
            continue;
        }
        let what = |why: &str| {
            format!(
                "{COMPUTERS_VARIABLE}: item {} {item:?} (at byte {at}): {why}; each item is \
                 NAME=STORE_DIRECTORY, items separated by ';'",
                index + 1
            )
        };
        let Some((name, dir)) = item.split_once('=') else {
            return Err(what("no '='"));
        };
        let (name, dir) = (name.trim(), dir.trim());
        if name.is_empty() {
            return Err(what("the computer name is empty"));
        }
        if dir.is_empty() {
            return Err(what("the store directory is empty"));
        }
        if out.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
            return Err(what("this computer is named twice"));
        }
        out.push((name.to_owned(), PathBuf::from(dir)));
    }
    Ok(out)
}

/// Registers the computers `EVTLOG_COMPUTERS` names on `engine` (invariant 2): nothing if
/// it is unset or empty; on an error, a message on stderr and nothing registered.
pub(super) fn apply_environment(engine: &Engine) {
    let Some(text) = std::env::var_os(COMPUTERS_VARIABLE) else {
        return;
    };
    let Some(text) = text.to_str().map(str::to_owned) else {
        eprintln!("evtlog: {COMPUTERS_VARIABLE} is not valid Unicode; no computer registered");
        return;
    };
    if let Err(message) = register_all(engine, &text) {
        eprintln!("evtlog: {message}; no computer registered");
    }
}

/// Parses `text`, opens every store, then registers every computer; nothing on an error.
pub fn register_all(engine: &Engine, text: &str) -> std::result::Result<usize, String> {
    let items = parse_computers(text)?;
    let mut opened = Vec::with_capacity(items.len());
    for (index, (name, dir)) in items.iter().enumerate() {
        let fail = |e: Error| {
            format!(
                "{COMPUTERS_VARIABLE}: item {} ({name}={}): {e}",
                index + 1,
                dir.display()
            )
        };
        crate::engine::validate_computer_name(name).map_err(fail)?;
        if super::query::is_this_computer(name) || engine.computer(name).is_ok() {
            return Err(fail(Error::with_message(
                ErrorKind::InvalidParameter,
                "that name is this computer's or registered already",
            )));
        }
    }
    for (index, (name, dir)) in items.iter().enumerate() {
        let computer = computer_engine(Some(dir)).map_err(|e| {
            format!(
                "{COMPUTERS_VARIABLE}: item {} ({name}={}): the store does not open: {e}",
                index + 1,
                dir.display()
            )
        })?;
        opened.push(computer);
    }
    let count = opened.len();
    for ((name, _), computer) in items.iter().zip(opened) {
        engine
            .register_computer(name, computer)
            .map_err(|e| format!("{COMPUTERS_VARIABLE}: {e}"))?;
    }
    Ok(count)
}
