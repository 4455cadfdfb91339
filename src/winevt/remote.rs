//! The facade's side of remote computers and the service lifecycle: EvtOpenSession to a
//! registered computer (engine side: `engine/computers.rs`) and the gate every call on a
//! query or subscription passes (1722 while its service is stopped; a slow computer's
//! delay). The controls are in `computers.rs`, `EVTLOG_COMPUTERS` in `computer_env.rs`.
//!
//! Invariant: credentials are checked when EvtOpenSession runs but, as on Windows, reported
//! at the session's first use: a refused login gives a session handle whose every use fails
//! with ERROR_ACCESS_DENIED (5) and which EvtClose closes. A computer that is not registered
//! fails EvtOpenSession itself with RPC_S_SERVER_UNAVAILABLE (1722).

use std::time::Duration;

use super::handles::{self, EVT_HANDLE};
use super::object::Object;
use super::service;
use super::status::{Fail, Outcome};
use crate::engine::{Engine, RpcLogin};
use crate::error::codes::ERROR_TIMEOUT;

/// EvtOpenSession to a computer other than this one (invariant 1).
pub(super) fn open_session(login: &RpcLogin) -> Outcome<EVT_HANDLE> {
    let computer = service::engine().computer(&login.server)?;
    let object = match computer.check_login(login) {
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
