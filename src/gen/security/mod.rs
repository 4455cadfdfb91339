//! The `Security` channel: Microsoft-Windows-Security-Auditing events (logon, logoff, special
//! logon, explicit credentials, process creation and exit, account and group management,
//! Kerberos and NTLM validation, credential reads) and Microsoft-Windows-Eventlog 1102.
//!
//! Invariants:
//! - EventData field names and their order are those of the Windows manifest for the given
//!   event version; value types are what Windows records: SIDs as `Value::Sid`, logon ids and
//!   process ids as `Value::HexInt64`, status codes as `Value::HexInt32`, GUIDs as
//!   `Value::Guid`, LogonType as `Value::UInt32`, ports and `%%nnnn` message references as
//!   strings.
//! - System shape: Level 0, Opcode 0, Keywords audit success (`0x8020000000000000`) or failure
//!   (`0x8010000000000000`), the event's real Task, `<Execution>` with lsass's process id, and
//!   the boot's ActivityID in `<Correlation>` on logon-type events only.
//! - Split by topic: `logon` (4624, 4625, 4634, 4647, 4648, 4672) and `accounts` (process,
//!   Kerberos/NTLM, credential, account and group events, 1102); this file holds the shared
//!   state and helpers.
//! - Sessions are remembered: logoffs (4634, 4647) end a session an earlier 4624 opened, and
//!   4689 ends a process an earlier 4688 started, when there is one.

mod accounts;
mod logon;

use super::pools::{self, nt_sid, null_sid};
use super::site::thread_id;
use super::{manifest, Ctx};
use crate::event::{EventBuilder, Sid, Value};
use accounts::{
    cred_read_5379, group_member_added_4732, log_cleared_1102, ntlm_4776, process_4688,
    process_exit_4689, service_ticket_4769, tgt_4768, user_created_4720, user_deleted_4726,
};
pub(crate) use logon::logon_4624;
use logon::{explicit_4648, failed_logon_4625, logoff_4634, special_logon_4672, user_logoff_4647};

const PROVIDER: &str = "Microsoft-Windows-Security-Auditing";
const PROVIDER_GUID: u128 = 0x54849625_5478_4994_a5ba_3e3b0328c30d;
const AUDIT_SUCCESS: u64 = 0x8020_0000_0000_0000;
const AUDIT_FAILURE: u64 = 0x8010_0000_0000_0000;
const SYSTEM_LOGON_ID: u64 = 0x3e7;
const MAX_SESSIONS: usize = 256;
const MAX_PROCESSES: usize = 128;

const YES: &str = "%%1842";
const NO: &str = "%%1843";

/// Who did something: the four Subject or Target fields plus what a 4672 needs.
#[derive(Clone, Debug, PartialEq)]
struct Principal {
    sid: Sid,
    name: String,
    domain: String,
    logon_id: u64,
    admin: bool,
}

#[derive(Clone, Debug, PartialEq)]
struct Session {
    who: Principal,
    logon_type: u32,
}

#[derive(Clone, Debug, PartialEq)]
struct Process {
    pid: u64,
    image: String,
    who: Principal,
}

/// Sessions and processes the Security log has seen.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct State {
    sessions: Vec<Session>,
    processes: Vec<Process>,
    /// A 4672 owed for the most recent privileged logon.
    pending_special: Option<Principal>,
    next_logon_id: u64,
}

impl State {
    pub(crate) fn new() -> State {
        State {
            sessions: Vec::new(),
            processes: Vec::new(),
            pending_special: None,
            next_logon_id: 0x4_1a2c,
        }
    }

    fn new_logon_id(&mut self, ctx: &mut Ctx<'_>) -> u64 {
        self.next_logon_id += ctx.rng.range(1, 0x4000);
        self.next_logon_id
    }

    fn remember(&mut self, session: Session) {
        if self.sessions.len() >= MAX_SESSIONS {
            self.sessions.remove(0);
        }
        self.sessions.push(session);
    }
}

/// The next Security event.
pub(crate) fn security(ctx: &mut Ctx<'_>, state: &mut State) -> EventBuilder {
    if let Some(who) = state.pending_special.take() {
        return special_logon_4672(ctx, &who);
    }
    let id = ctx.rng.weighted(&[
        (300, 4624u16),
        (170, 4634),
        (40, 4672),
        (150, 4688),
        (100, 4689),
        (30, 4625),
        (25, 4648),
        (12, 4647),
        (25, 4776),
        (18, 4768),
        (30, 4769),
        (15, 5379),
        (2, 4720),
        (2, 4726),
        (3, 4732),
        (1, 1102),
    ]);
    match id {
        4624 => logon_4624(ctx, state),
        4634 => logoff_4634(ctx, state),
        4672 => {
            let who = system_principal(ctx);
            special_logon_4672(ctx, &who)
        }
        4688 => process_4688(ctx, state),
        4689 => process_exit_4689(ctx, state),
        4625 => failed_logon_4625(ctx),
        4648 => explicit_4648(ctx, state),
        4647 => user_logoff_4647(ctx, state),
        4776 => ntlm_4776(ctx),
        4768 => tgt_4768(ctx),
        4769 => service_ticket_4769(ctx),
        5379 => cred_read_5379(ctx, state),
        4720 => user_created_4720(ctx, state),
        4726 => user_deleted_4726(ctx, state),
        4732 => group_member_added_4732(ctx, state),
        _ => log_cleared_1102(ctx, state),
    }
}

/// The System part every auditing event shares.
fn audit(ctx: &mut Ctx<'_>, id: u16, version: u8, task: u16, keywords: u64) -> EventBuilder {
    let tid = thread_id(ctx.rng);
    manifest(PROVIDER, pools::guid(PROVIDER_GUID), id)
        .version(version)
        .level(0)
        .task(task)
        .keywords(keywords)
        .execution(ctx.boot.lsass_pid, tid)
}

fn system_principal(ctx: &Ctx<'_>) -> Principal {
    Principal {
        sid: nt_sid(18),
        name: ctx.host.account(),
        domain: ctx.site.netbios.to_owned(),
        logon_id: SYSTEM_LOGON_ID,
        admin: true,
    }
}

fn null_principal() -> Principal {
    Principal {
        sid: null_sid(),
        name: "-".to_owned(),
        domain: "-".to_owned(),
        logon_id: 0,
        admin: false,
    }
}

fn user_principal(ctx: &mut Ctx<'_>, logon_id: u64) -> Principal {
    let user = &ctx.site.users[ctx.rng.index(ctx.site.users.len())];
    Principal {
        sid: user.sid.clone(),
        name: user.name.to_owned(),
        domain: ctx.site.netbios.to_owned(),
        logon_id,
        admin: user.admin,
    }
}

/// A person with a live interactive, remote or batch session if there is one, else a fresh
/// domain user (never a service, virtual or machine account).
fn session_user(ctx: &mut Ctx<'_>, state: &mut State) -> Principal {
    let users: Vec<&Session> = state
        .sessions
        .iter()
        .filter(|s| {
            s.logon_type != 3 && s.who.domain == ctx.site.netbios && !s.who.name.ends_with('$')
        })
        .collect();
    if users.is_empty() {
        let id = state.new_logon_id(ctx);
        user_principal(ctx, id)
    } else {
        users[ctx.rng.index(users.len())].who.clone()
    }
}

fn subject(b: EventBuilder, who: &Principal) -> EventBuilder {
    b.data("SubjectUserSid", who.sid.clone())
        .data("SubjectUserName", who.name.as_str())
        .data("SubjectDomainName", who.domain.as_str())
        .data("SubjectLogonId", Value::HexInt64(who.logon_id))
}

fn target(b: EventBuilder, who: &Principal) -> EventBuilder {
    b.data("TargetUserSid", who.sid.clone())
        .data("TargetUserName", who.name.as_str())
        .data("TargetDomainName", who.domain.as_str())
        .data("TargetLogonId", Value::HexInt64(who.logon_id))
}

fn ephemeral_port(ctx: &mut Ctx<'_>) -> String {
    ctx.rng.range(49152, 65535).to_string()
}

fn pid(ctx: &mut Ctx<'_>) -> u64 {
    ctx.rng.range(100, 16000) * 4
}
