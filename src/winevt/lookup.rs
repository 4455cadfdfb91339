//! The lookups every function starts with: [`object`], the object behind a handle, and
//! [`session`], a session handle (NULL being the local session); ERROR_INVALID_HANDLE when
//! the handle is not open or not of the kind. They sit above the handle table (`handles`),
//! the objects (`object`) and the service, which import none of them.

use std::sync::Arc;

use super::handles::{self, EVT_HANDLE};
use super::object::Object;
use super::service;
use crate::engine::Session;
use crate::error::{Error, ErrorKind, Result};

/// The object behind `handle`, or ERROR_INVALID_HANDLE.
pub(super) fn object(handle: EVT_HANDLE) -> Result<Arc<Object>> {
    handles::get(handle)
        .ok_or_else(|| Error::with_message(ErrorKind::InvalidHandle, "the handle is not open"))
}

/// The session `handle` names (NULL: the local session).
pub(super) fn session(handle: EVT_HANDLE) -> Result<Session> {
    if handle == 0 {
        let engine = service::engine();
        // A call that names a session reaches its service (computers.rs).
        engine.enter_call()?;
        return Ok(engine.default_session());
    }
    match &*object(handle)? {
        Object::Session(s) => {
            s.engine().enter_call()?;
            Ok(s.clone())
        }
        Object::DeniedSession(kind, message) => Err(Error::with_message(*kind, message.clone())),
        other => Err(Error::with_message(
            ErrorKind::InvalidHandle,
            format!("a session handle was expected, not {}", other.kind()),
        )),
    }
}
