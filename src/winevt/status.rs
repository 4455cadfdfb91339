//! The thread's last error (GetLastError / SetLastError) and extended status
//! (EvtGetExtendedStatus), the helpers every function ends with, and the failures they
//! report most ([`invalid_handle`], [`invalid_parameter`]: the code with what was wrong,
//! which becomes the extended status).
//!
//! Invariant: a facade function that fails sets the calling thread's last error, and its
//! extended status to the error's message (EvtQuery's parse position among it); one that
//! succeeds sets the last error to ERROR_SUCCESS (0) and clears the extended status, as
//! wevtapi does: Microsoft's samples retry the size probe and then test
//! `GetLastError() == ERROR_SUCCESS`. Three kinds of call
//! leave both as they were: EvtGetExtendedStatus, which reads them and returns its own
//! code (its size probe must not erase the text it measures), GetLastError and
//! SetLastError themselves, and kernel32's SetEvent, ResetEvent, WaitForSingleObject and
//! CloseHandle, which on Windows set the last error only when they fail.

use std::cell::{Cell, RefCell};

use super::handles::EVT_HANDLE;
use crate::error::{Error, ErrorKind};

/// BOOL: 0 is FALSE.
pub type BOOL = i32;
pub const TRUE: BOOL = 1;
pub const FALSE: BOOL = 0;

thread_local! {
    static LAST_ERROR: Cell<u32> = const { Cell::new(0) };
    static EXTENDED: RefCell<String> = const { RefCell::new(String::new()) };
}

/// GetLastError: the calling thread's last error code.
#[allow(non_snake_case)]
pub fn GetLastError() -> u32 {
    LAST_ERROR.with(Cell::get)
}

/// SetLastError: sets the calling thread's last error code (and clears its extended status).
#[allow(non_snake_case)]
pub fn SetLastError(code: u32) {
    LAST_ERROR.with(|e| e.set(code));
    EXTENDED.with(|e| e.borrow_mut().clear());
}

/// Records `error` as the thread's last error and extended status.
pub(super) fn set_error(error: &Error) {
    LAST_ERROR.with(|e| e.set(error.win32_code()));
    EXTENDED.with(|e| {
        let mut text = e.borrow_mut();
        text.clear();
        use std::fmt::Write;
        let _ = write!(text, "{error}");
    });
}

/// Why a facade call failed: an engine error, or a bare Win32 code that has no error kind
/// (ERROR_NO_MORE_ITEMS, ERROR_TIMEOUT, ERROR_INSUFFICIENT_BUFFER).
pub(super) enum Fail {
    Error(Error),
    Code(u32),
}

/// What a facade call's body returns.
pub(super) type Outcome<T = ()> = Result<T, Fail>;

impl From<Error> for Fail {
    fn from(e: Error) -> Fail {
        Fail::Error(e)
    }
}

fn record(fail: &Fail) {
    match fail {
        Fail::Error(e) => set_error(e),
        Fail::Code(code) => {
            LAST_ERROR.with(|e| e.set(*code));
            EXTENDED.with(|e| {
                let mut text = e.borrow_mut();
                text.clear();
                text.push_str(crate::error::win32_message(*code).unwrap_or(""));
            });
        }
    }
}

/// A successful call's end: the last error is ERROR_SUCCESS and the extended status empty.
pub(super) fn succeeded() {
    SetLastError(0);
}

/// A BOOL function's end: TRUE with the last error cleared, or FALSE with it set.
pub(super) fn boolean(result: Result<(), Fail>) -> BOOL {
    match result {
        Ok(()) => {
            succeeded();
            super::trace::finish(TRUE.into(), 0);
            TRUE
        }
        Err(f) => {
            record(&f);
            super::trace::finish(FALSE.into(), GetLastError());
            FALSE
        }
    }
}

/// A handle function's end: the handle with the last error cleared, or NULL with it set.
pub(super) fn handle(result: Result<EVT_HANDLE, Fail>) -> EVT_HANDLE {
    match result {
        Ok(h) => {
            succeeded();
            super::trace::finish(h as i64, 0);
            h
        }
        Err(f) => {
            record(&f);
            super::trace::finish(0, GetLastError());
            0
        }
    }
}

/// The thread's extended status text.
pub(super) fn extended() -> String {
    EXTENDED.with(|e| e.borrow().clone())
}

/// ERROR_INVALID_HANDLE with what was wrong (the extended status's text).
pub(super) fn invalid_handle(what: &str) -> Fail {
    Fail::Error(Error::with_message(
        ErrorKind::InvalidHandle,
        what.to_owned(),
    ))
}

/// ERROR_INVALID_PARAMETER with what was wrong (the extended status's text).
pub(super) fn invalid_parameter(what: impl Into<String>) -> Fail {
    Fail::Error(Error::with_message(
        ErrorKind::InvalidParameter,
        what.into(),
    ))
}
