//! The service lifecycle's and remote computers' engine controls, which the C ABI exports as
//! `evtlog_stop_service`, `evtlog_start_service`, `evtlog_register_computer`,
//! `evtlog_set_computer_offline`, `evtlog_reboot_computer`, `evtlog_set_computer_delay`,
//! `evtlog_set_computer_credentials` and `evtlog_forward_events` (EvtOpenSession's side is
//! `remote.rs`, `EVTLOG_COMPUTERS` is `computer_env.rs`).

use std::time::Duration;

use super::computer_env::{computer_engine, forwarder};
use super::service;
use super::status::{self, Fail, Outcome, BOOL};
use crate::engine::{Engine, Forwarder};
use crate::error::Result;

/// ERROR_SERVICE_ALREADY_RUNNING: starting a service that runs.
const ERROR_SERVICE_ALREADY_RUNNING: u32 = 1056;
/// ERROR_SERVICE_NOT_ACTIVE: stopping a service that is stopped.
const ERROR_SERVICE_NOT_ACTIVE: u32 = 1062;

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
        let forwarder = forwarder(key, || Forwarder::new(&source, &target, channel, query));
        forwarder.pump()?;
        Ok(())
    })())
}
