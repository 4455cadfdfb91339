//! wevtutil's global options that reach another computer: `/r:COMPUTER` (`/remote`),
//! `/u:USER` (`/username`), `/p:PASSWORD` (`/password`) and `/a:AUTH` (`/authentication`).
//!
//! A remote computer is one `EVTLOG_COMPUTERS` (`NAME=STORE_DIR;…`) registers, as for any
//! program on libwevtapi. The session is EvtOpenSession's (`Engine::open_remote_session`
//! with an `RpcLogin`): an unknown, offline or stopped computer fails with
//! RPC_S_SERVER_UNAVAILABLE (1722), credentials it refuses with ERROR_ACCESS_DENIED (5). The
//! verb then runs on the computer's engine; the local store is not opened.

use evtlog::{Engine, RpcLogin};

use crate::args::Args;
use crate::Failure;

/// EVT_RPC_LOGIN_FLAGS of `/a`'s names (EvtRpcLoginAuthDefault … NTLM).
fn auth_flags(name: &str) -> Option<u32> {
    Some(match name.to_ascii_lowercase().as_str() {
        "default" => 0,
        "negotiate" => 1,
        "kerberos" => 2,
        "ntlm" => 3,
        _ => return None,
    })
}

/// wevtutil's wording of a Windows error: "Failed to `<what>`. `<message>`" and the code.
pub fn failed(what: &str, e: &evtlog::Error) -> Failure {
    Failure::Operation(format!("Failed to {what}. {e} ({})", e.win32_code()))
}

/// The parameter error (87) in wevtutil's wording, with why.
fn invalid(why: &str) -> Failure {
    Failure::Operation(format!(
        "{} ({why}) (87)",
        evtlog::win32_message(87).unwrap_or("The parameter is incorrect.")
    ))
}

/// The login `/r`, `/u`, `/p` and `/a` describe; `None` without `/r` (the local computer).
/// `/u`, `/p` or `/a` without `/r`, `/p` without `/u`, an unknown `/a` are 87.
pub fn login(args: &Args) -> Result<Option<RpcLogin>, Failure> {
    login_from(
        args.option("remote"),
        args.option("username"),
        args.option("password"),
        args.option("authentication"),
    )
}

/// [`login`] of the values given (eventcreate names them /s /u /p).
pub fn login_from(
    server: Option<&str>,
    user: Option<&str>,
    password: Option<&str>,
    auth: Option<&str>,
) -> Result<Option<RpcLogin>, Failure> {
    let Some(server) = server else {
        if user.is_some() || password.is_some() || auth.is_some() {
            return Err(invalid("/u, /p and /a go with /r"));
        }
        return Ok(None);
    };
    if server.is_empty() {
        return Err(invalid("/r takes a computer name"));
    }
    let mut login = RpcLogin::new(server);
    match (user, password) {
        (Some(user), password) if !user.is_empty() => {
            login = login.with_user(user, password.unwrap_or(""));
        }
        (None, None) => {}
        _ => return Err(invalid("/p goes with /u, which takes a user name")),
    }
    if let Some(name) = auth {
        login.flags = auth_flags(name)
            .ok_or_else(|| invalid("/a takes Default, Negotiate, Kerberos or NTLM"))?;
    }
    Ok(Some(login))
}

/// The engine of the computer `login` names, reached through EvtOpenSession: the computers
/// `EVTLOG_COMPUTERS` registers, on a bare local engine (no store opened).
pub fn connect(login: &RpcLogin) -> Result<Engine, Failure> {
    let local = Engine::new();
    let computers = std::env::var(evtlog::winevt::controls::COMPUTERS_VARIABLE).unwrap_or_default();
    if !computers.trim().is_empty() {
        evtlog::winevt::controls::register_computers(&local, &computers).map_err(|message| {
            Failure::Operation(format!("Failed to open a session. {message}"))
        })?;
    }
    connect_on(&local, login)
}

/// EvtOpenSession from `local` to the computer `login` names: that computer's engine.
fn connect_on(local: &Engine, login: &RpcLogin) -> Result<Engine, Failure> {
    let session = local
        .open_remote_session(login)
        .map_err(|e| failed("open a session", &e))?;
    Ok(session.engine().clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(f: Failure) -> String {
        match f {
            Failure::Operation(m) | Failure::Usage(m) => m,
        }
    }

    #[test]
    fn credentials_offline_and_logins() {
        let local = Engine::new();
        let dc = local.register_computer("DC-01", Engine::new()).unwrap();
        dc.set_credentials(Some(evtlog::Credentials::new("CORP\\bob", "pw")));
        let login = |u: Option<&str>, p: Option<&str>, a: Option<&str>| {
            login_from(Some("dc-01"), u, p, a)
                .ok()
                .flatten()
                .expect("a login")
        };
        let good = login(Some("corp\\BOB"), Some("pw"), Some("Kerberos"));
        assert_eq!(good.flags, 2);
        let engine = connect_on(&local, &good).ok().expect("bob logs in");
        assert!(engine.is_same(dc.engine()));
        let denied =
            message(connect_on(&local, &login(Some("CORP\\bob"), Some("no"), None)).unwrap_err());
        assert!(
            denied.starts_with("Failed to open a session. Access is denied."),
            "{denied}"
        );
        assert!(denied.ends_with("(5)"), "{denied}");
        let anonymous = message(connect_on(&local, &login(None, None, None)).unwrap_err());
        assert!(anonymous.ends_with("(5)"), "{anonymous}");
        dc.set_offline(true);
        let offline = message(connect_on(&local, &good).unwrap_err());
        assert!(offline.ends_with("(1722)"), "{offline}");
        assert_eq!(
            login(Some("u"), None, Some("ntlm")).password.as_deref(),
            Some("")
        );
    }
}
