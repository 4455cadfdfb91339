//! The service lifecycle and remote computers' engine controls: `evtlog_stop_service`,
//! `evtlog_start_service`, `evtlog_register_computer`, `evtlog_set_computer_offline`,
//! `evtlog_reboot_computer`, `evtlog_set_computer_delay`, `evtlog_set_computer_credentials`
//! and `evtlog_forward_events`, marshalled to `evtlog::winevt::controls`. (EvtOpenSession to
//! a registered computer, and `EVTLOG_COMPUTERS`, need nothing here.)

use crate::abi::{guard, wide_in};
use crate::types::*;
use evtlog::winevt::{self as w, FALSE};

/// ERROR_INVALID_PARAMETER.
const INVALID_PARAMETER: u32 = 87;

fn fail<T>(code: u32, value: T) -> T {
    w::SetLastError(code);
    value
}

/// Engine control: stops the event-log service (every call then fails with 1722; push
/// subscriptions get EvtSubscribeActionError with 1722). FALSE with 1062 if stopped already.
///
/// # Safety
/// None: unsafe as the other exports are.
#[no_mangle]
pub unsafe extern "system" fn evtlog_stop_service() -> BOOL {
    guard(FALSE, w::controls::stop_service)
}

/// Engine control: starts the event-log service again; every handle opened before the stop
/// then fails with ERROR_INVALID_HANDLE (6). FALSE with 1056 if it runs.
///
/// # Safety
/// None: unsafe as the other exports are.
#[no_mangle]
pub unsafe extern "system" fn evtlog_start_service() -> BOOL {
    guard(FALSE, w::controls::start_service)
}

/// Engine control: registers the computer `name`, whose engine is the store in `store_dir`
/// (opened or created; NULL: in memory), with the standard channels and default publishers.
///
/// # Safety
/// `name` and `store_dir` are NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn evtlog_register_computer(name: PCWSTR, store_dir: PCWSTR) -> BOOL {
    guard(FALSE, || {
        // SAFETY: both are NULL or NUL-terminated UTF-16 (this export's contract).
        match unsafe { (wide_in(name), wide_in(store_dir)) } {
            (Ok(Some(name)), Ok(dir)) => {
                w::controls::register_computer(&name, dir.as_deref().map(std::path::Path::new))
            }
            _ => fail(INVALID_PARAMETER, FALSE),
        }
    })
}

/// Runs `f` with the computer name `name`, or fails with 87 for a NULL or invalid string.
///
/// # Safety
/// `name` is NULL or NUL-terminated UTF-16.
unsafe fn with_name(name: PCWSTR, f: impl FnOnce(&str) -> BOOL) -> BOOL {
    // SAFETY: `name` is NULL or NUL-terminated UTF-16 (the caller's contract).
    guard(FALSE, || match unsafe { wide_in(name) } {
        Ok(Some(name)) => f(&name),
        _ => fail(INVALID_PARAMETER, FALSE),
    })
}

/// Engine control: takes the computer `name` offline (`offline` TRUE: calls fail with 1722)
/// or back online (handles made before are invalid, 6). 1722 for an unknown computer.
///
/// # Safety
/// `name` is NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn evtlog_set_computer_offline(name: PCWSTR, offline: BOOL) -> BOOL {
    // SAFETY: this export's contract is `with_name`'s.
    unsafe { with_name(name, |n| w::controls::set_computer_offline(n, offline != 0)) }
}

/// Engine control: reboots the computer `name` (push subscriptions get an Error action;
/// handles made before fail with 6). 1722 for an unknown computer.
///
/// # Safety
/// `name` is NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn evtlog_reboot_computer(name: PCWSTR) -> BOOL {
    // SAFETY: this export's contract is `with_name`'s.
    unsafe { with_name(name, w::controls::reboot_computer) }
}

/// Engine control: each call to the computer `name` takes `milliseconds` of virtual time
/// (an EvtNext with a shorter timeout fails with ERROR_TIMEOUT).
///
/// # Safety
/// `name` is NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn evtlog_set_computer_delay(name: PCWSTR, milliseconds: u32) -> BOOL {
    // SAFETY: this export's contract is `with_name`'s.
    unsafe {
        with_name(name, |n| {
            w::controls::set_computer_delay(n, u64::from(milliseconds))
        })
    }
}

/// Engine control: logins to `name` must present `user` (`DOMAIN\user` allowed) and
/// `password`, or their session's first use fails with 5; `user` NULL accepts any again.
///
/// # Safety
/// The strings are NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn evtlog_set_computer_credentials(
    name: PCWSTR,
    user: PCWSTR,
    password: PCWSTR,
) -> BOOL {
    // SAFETY: the strings are NULL or NUL-terminated UTF-16 (this export's contract).
    let (user, password) = match unsafe { (wide_in(user), wide_in(password)) } {
        (Ok(user), Ok(password)) => (user, password),
        _ => return fail(INVALID_PARAMETER, FALSE),
    };
    // SAFETY: this export's contract is `with_name`'s.
    unsafe {
        with_name(name, |n| {
            w::controls::set_computer_credentials(n, user.as_deref(), password.as_deref())
        })
    }
}

/// Engine control: forwards the records of `channel` on the computer `from` matching
/// `query` (NULL: all) to the ForwardedEvents channel of `to`, with RenderingInfo, each once;
/// NULL names this computer.
///
/// # Safety
/// The strings are NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn evtlog_forward_events(
    from: PCWSTR,
    to: PCWSTR,
    channel: PCWSTR,
    query: PCWSTR,
) -> BOOL {
    guard(FALSE, || {
        // SAFETY: the strings are NULL or NUL-terminated UTF-16 (this export's contract).
        let strings = unsafe { (wide_in(from), wide_in(to), wide_in(channel), wide_in(query)) };
        match strings {
            (Ok(from), Ok(to), Ok(Some(channel)), Ok(query)) => w::controls::forward_events(
                from.as_deref(),
                to.as_deref(),
                &channel,
                query.as_deref(),
            ),
            _ => fail(INVALID_PARAMETER, FALSE),
        }
    })
}
