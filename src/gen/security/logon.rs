//! Logon and logoff events of the Security channel: 4624 (with its follow-up 4672), 4625,
//! 4634, 4647 and 4648.
//!
//! Invariants: field lists and value types as described in the parent module; every 4624 of
//! a non-SYSTEM account opens a session that a later logoff can end.

use super::super::pools::{self, nt_sid, null_sid, sid};
use super::super::Ctx;
use super::*;
use crate::event::{EventBuilder, Guid, Value};

/// How a 4624 came about.
#[derive(Clone, Copy, PartialEq)]
enum LogonKind {
    ServiceSystem,
    ServiceAccount,
    NetworkKerberos,
    NetworkNtlm,
    Interactive,
    RemoteInteractive,
    VirtualAccount,
    Batch,
}

/// A 4624 (successful logon), version 2.
pub(crate) fn logon_4624(ctx: &mut Ctx<'_>, state: &mut State) -> EventBuilder {
    let kind = ctx.rng.weighted(&[
        (30, LogonKind::ServiceSystem),
        (4, LogonKind::ServiceAccount),
        (25, LogonKind::NetworkKerberos),
        (10, LogonKind::NetworkNtlm),
        (12, LogonKind::Interactive),
        (5, LogonKind::RemoteInteractive),
        (8, LogonKind::VirtualAccount),
        (5, LogonKind::Batch),
    ]);
    let activity = ctx.boot.security_activity;
    let system = system_principal(ctx);
    let localhost = ctx.host.name;
    let services = r"C:\Windows\System32\services.exe";
    let winlogon = r"C:\Windows\System32\winlogon.exe";
    let svchost = r"C:\Windows\System32\svchost.exe";

    let mut subject_who = system.clone();
    let target_who;
    let mut logon_type = 5u32;
    let mut process_name = "Advapi  ";
    let mut package = "Negotiate";
    let mut workstation = "-".to_owned();
    let mut logon_guid = Guid::NIL;
    let mut lm_package = "-";
    let mut key_length = 0u32;
    let mut process_id = 0u64;
    let mut process_path = "-";
    let mut ip = "-".to_owned();
    let mut port = "-".to_owned();
    let mut impersonation = "%%1833";
    let mut restricted_admin = "-";
    let mut virtual_account = NO;
    let mut linked = 0u64;
    let mut elevated = YES;

    match kind {
        LogonKind::ServiceSystem | LogonKind::ServiceAccount => {
            let (sid_rid, name) = if kind == LogonKind::ServiceSystem {
                (18, "SYSTEM")
            } else {
                ctx.rng
                    .pick(&[(19u32, "LOCAL SERVICE"), (20, "NETWORK SERVICE")])
            };
            let logon_id = match sid_rid {
                18 => SYSTEM_LOGON_ID,
                19 => 0x3e5,
                _ => 0x3e4,
            };
            target_who = Principal {
                sid: nt_sid(sid_rid),
                name: name.to_owned(),
                domain: "NT AUTHORITY".to_owned(),
                logon_id,
                admin: true,
            };
            process_id = u64::from(ctx.boot.services_pid);
            process_path = services;
        }
        LogonKind::NetworkKerberos | LogonKind::NetworkNtlm => {
            subject_who = null_principal();
            logon_type = 3;
            let id = state.new_logon_id(ctx);
            target_who = if ctx.rng.chance(1, 4) {
                // A computer account from elsewhere on the network.
                let other = &ctx.site.hosts[ctx.rng.index(ctx.site.hosts.len())];
                let rid = 1100 + (other.sysmon_id % 2000);
                Principal {
                    sid: ctx.site.domain_rid_sid(rid),
                    name: other.account(),
                    domain: ctx.site.netbios.to_owned(),
                    logon_id: id,
                    admin: false,
                }
            } else {
                user_principal(ctx, id)
            };
            ip = ctx.site.client_ip(ctx.rng);
            port = ephemeral_port(ctx);
            if kind == LogonKind::NetworkKerberos {
                process_name = "Kerberos";
                package = "Kerberos";
                logon_guid = ctx.rng.guid();
                if ctx.rng.chance(1, 10) {
                    impersonation = "%%1840";
                }
            } else {
                process_name = "NtLmSsp ";
                package = "NTLM";
                workstation = ctx.rng.pick(pools::HOSTS).to_owned();
                lm_package = "NTLM V2";
                key_length = 128;
                if ctx.rng.chance(1, 3) {
                    port = "0".to_owned();
                }
            }
            elevated = if target_who.admin { YES } else { NO };
        }
        LogonKind::Interactive | LogonKind::RemoteInteractive => {
            let id = state.new_logon_id(ctx);
            target_who = user_principal(ctx, id);
            logon_type = if kind == LogonKind::RemoteInteractive {
                10
            } else {
                ctx.rng.weighted(&[(6, 2), (3, 7), (2, 11)])
            };
            process_name = "User32 ";
            workstation = localhost.to_owned();
            logon_guid = ctx.rng.guid();
            process_id = pid(ctx);
            process_path = svchost;
            if kind == LogonKind::RemoteInteractive {
                ip = ctx.site.client_ip(ctx.rng);
                restricted_admin = NO;
            } else {
                ip = "127.0.0.1".to_owned();
            }
            port = "0".to_owned();
            if target_who.admin {
                linked = state.new_logon_id(ctx);
            } else {
                elevated = NO;
            }
        }
        LogonKind::VirtualAccount => {
            logon_type = 2;
            let n = ctx.rng.range_u32(1, 3);
            let (authority, name, domain) = ctx.rng.pick(&[
                (90u32, "DWM", "Window Manager"),
                (96, "UMFD", "Font Driver Host"),
            ]);
            let id = state.new_logon_id(ctx);
            target_who = Principal {
                sid: sid(5, &[authority, 0, n]),
                name: format!("{name}-{n}"),
                domain: domain.to_owned(),
                logon_id: id,
                admin: false,
            };
            process_id = u64::from(ctx.boot.winlogon_pid);
            process_path = winlogon;
            virtual_account = YES;
            if authority == 90 {
                linked = state.new_logon_id(ctx);
            }
        }
        LogonKind::Batch => {
            logon_type = 4;
            let id = state.new_logon_id(ctx);
            let user = ctx
                .site
                .users
                .iter()
                .find(|u| u.name.starts_with("svc_"))
                .unwrap_or(&ctx.site.users[0]);
            target_who = Principal {
                sid: user.sid.clone(),
                name: user.name.to_owned(),
                domain: ctx.site.netbios.to_owned(),
                logon_id: id,
                admin: false,
            };
            process_id = pid(ctx);
            process_path = svchost;
            elevated = NO;
        }
    }

    if target_who.admin && logon_type != 3 {
        state.pending_special = Some(target_who.clone());
    }
    // Well-known service logon sessions (SYSTEM, LOCAL SERVICE, NETWORK SERVICE) never end.
    if target_who.domain != "NT AUTHORITY" {
        state.remember(Session {
            who: target_who.clone(),
            logon_type,
        });
    }

    let b = audit(ctx, 4624, 2, 12544, AUDIT_SUCCESS).activity_id(activity);
    let b = target(subject(b, &subject_who), &target_who);
    b.data("LogonType", logon_type)
        .data("LogonProcessName", process_name)
        .data("AuthenticationPackageName", package)
        .data("WorkstationName", workstation)
        .data("LogonGuid", logon_guid)
        .data("TransmittedServices", "-")
        .data("LmPackageName", lm_package)
        .data("KeyLength", key_length)
        .data("ProcessId", Value::HexInt64(process_id))
        .data("ProcessName", process_path)
        .data("IpAddress", ip)
        .data("IpPort", port)
        .data("ImpersonationLevel", impersonation)
        .data("RestrictedAdminMode", restricted_admin)
        .data("TargetOutboundUserName", "-")
        .data("TargetOutboundDomainName", "-")
        .data("VirtualAccount", virtual_account)
        .data("TargetLinkedLogonId", Value::HexInt64(linked))
        .data("ElevatedToken", elevated)
}

/// A 4672 (special privileges assigned to new logon).
pub(super) fn special_logon_4672(ctx: &mut Ctx<'_>, who: &Principal) -> EventBuilder {
    const SYSTEM_PRIVS: &[&str] = &[
        "SeAssignPrimaryTokenPrivilege",
        "SeTcbPrivilege",
        "SeSecurityPrivilege",
        "SeTakeOwnershipPrivilege",
        "SeLoadDriverPrivilege",
        "SeBackupPrivilege",
        "SeRestorePrivilege",
        "SeDebugPrivilege",
        "SeAuditPrivilege",
        "SeSystemEnvironmentPrivilege",
        "SeImpersonatePrivilege",
        "SeDelegateSessionUserImpersonatePrivilege",
    ];
    const ADMIN_PRIVS: &[&str] = &[
        "SeSecurityPrivilege",
        "SeTakeOwnershipPrivilege",
        "SeLoadDriverPrivilege",
        "SeBackupPrivilege",
        "SeRestorePrivilege",
        "SeDebugPrivilege",
        "SeSystemEnvironmentPrivilege",
        "SeImpersonatePrivilege",
        "SeDelegateSessionUserImpersonatePrivilege",
    ];
    const SERVICE_PRIVS: &[&str] = &[
        "SeAssignPrimaryTokenPrivilege",
        "SeAuditPrivilege",
        "SeImpersonatePrivilege",
    ];
    let privileges = if who.logon_id == SYSTEM_LOGON_ID {
        SYSTEM_PRIVS
    } else if who.domain == "NT AUTHORITY" {
        SERVICE_PRIVS
    } else {
        ADMIN_PRIVS
    };
    let mut who = who.clone();
    if who.logon_id == SYSTEM_LOGON_ID {
        who.name = "SYSTEM".to_owned();
        who.domain = "NT AUTHORITY".to_owned();
    }
    let activity = ctx.boot.security_activity;
    subject(
        audit(ctx, 4672, 0, 12548, AUDIT_SUCCESS).activity_id(activity),
        &who,
    )
    .data("PrivilegeList", privileges.join("\n\t\t\t"))
}

/// A 4634 (an account was logged off): ends a remembered session when there is one.
pub(super) fn logoff_4634(ctx: &mut Ctx<'_>, state: &mut State) -> EventBuilder {
    let session = if state.sessions.is_empty() {
        let id = state.new_logon_id(ctx);
        Session {
            who: user_principal(ctx, id),
            logon_type: 3,
        }
    } else {
        // Network sessions are short: prefer the oldest ones.
        let i = ctx.rng.index(state.sessions.len().min(8));
        state.sessions.remove(i)
    };
    target(audit(ctx, 4634, 0, 12545, AUDIT_SUCCESS), &session.who)
        .data("LogonType", session.logon_type)
}

/// A 4647 (user initiated logoff).
pub(super) fn user_logoff_4647(ctx: &mut Ctx<'_>, state: &mut State) -> EventBuilder {
    let interactive = state
        .sessions
        .iter()
        .position(|s| matches!(s.logon_type, 2 | 10 | 11) && s.who.domain != "Window Manager");
    let who = match interactive {
        Some(i) => state.sessions.remove(i).who,
        None => session_user(ctx, state),
    };
    let b = audit(ctx, 4647, 0, 12545, AUDIT_SUCCESS);
    b.data("TargetUserSid", who.sid.clone())
        .data("TargetUserName", who.name.as_str())
        .data("TargetDomainName", who.domain.as_str())
        .data("TargetLogonId", Value::HexInt64(who.logon_id))
}

/// A 4625 (an account failed to log on), mostly network NTLM failures.
pub(super) fn failed_logon_4625(ctx: &mut Ctx<'_>) -> EventBuilder {
    let network = ctx.rng.chance(4, 5);
    let subject_who = if network {
        null_principal()
    } else {
        system_principal(ctx)
    };
    let user = if ctx.rng.chance(1, 2) {
        ctx.rng.pick(pools::BAD_USER_NAMES).to_owned()
    } else {
        ctx.site.users[ctx.rng.index(ctx.site.users.len())]
            .name
            .to_owned()
    };
    let (sub_status, domain) = ctx.rng.weighted(&[
        (6, (0xc000_006a_u32, ctx.site.netbios)),
        (4, (0xc000_0064, "")),
        (1, (0xc000_0072, ctx.site.netbios)),
        (1, (0xc000_0234, ctx.site.netbios)),
    ]);
    let status = if sub_status == 0xc000_0234 {
        0xc000_0234
    } else {
        0xc000_006d
    };
    let failure_reason = match sub_status {
        0xc000_0072 => "%%2310",
        0xc000_0234 => "%%2307",
        _ => "%%2313",
    };
    let (logon_type, process_name, package, workstation, ip, port, pid, pname) = if network {
        let ip = if ctx.rng.chance(1, 2) {
            format!(
                "{}.{}.{}.{}",
                ctx.rng.pick(&[45u8, 185, 91, 193, 103]),
                ctx.rng.range(1, 254),
                ctx.rng.range(1, 254),
                ctx.rng.range(1, 254)
            )
        } else {
            ctx.site.client_ip(ctx.rng)
        };
        let ws = ctx
            .rng
            .pick(&["-", "kali", "WIN-3J5M0QK8H2L", "DESKTOP-Q1W2E3R"]);
        let port = ephemeral_port(ctx);
        (
            3u32,
            "NtLmSsp ",
            "NTLM",
            ws.to_owned(),
            ip,
            port,
            0u64,
            "-".to_owned(),
        )
    } else {
        let p = pid(ctx);
        (
            2,
            "User32 ",
            "Negotiate",
            ctx.host.name.to_owned(),
            "127.0.0.1".to_owned(),
            "0".to_owned(),
            p,
            r"C:\Windows\System32\svchost.exe".to_owned(),
        )
    };
    let activity = ctx.boot.security_activity;
    subject(
        audit(ctx, 4625, 0, 12544, AUDIT_FAILURE).activity_id(activity),
        &subject_who,
    )
    .data("TargetUserSid", null_sid())
    .data("TargetUserName", user)
    .data("TargetDomainName", domain)
    .data("Status", Value::HexInt32(status))
    .data("FailureReason", failure_reason)
    .data("SubStatus", Value::HexInt32(sub_status))
    .data("LogonType", logon_type)
    .data("LogonProcessName", process_name)
    .data("AuthenticationPackageName", package)
    .data("WorkstationName", workstation)
    .data("TransmittedServices", "-")
    .data("LmPackageName", "-")
    .data("KeyLength", 0u32)
    .data("ProcessId", Value::HexInt64(pid))
    .data("ProcessName", pname)
    .data("IpAddress", ip)
    .data("IpPort", port)
}

/// A 4648 (a logon was attempted using explicit credentials).
pub(super) fn explicit_4648(ctx: &mut Ctx<'_>, state: &mut State) -> EventBuilder {
    let who = if ctx.rng.chance(1, 2) {
        system_principal(ctx)
    } else {
        session_user(ctx, state)
    };
    let user = &ctx.site.users[ctx.rng.index(ctx.site.users.len())];
    let server = &ctx.site.hosts[ctx.rng.index(ctx.site.hosts.len())];
    let (server_name, info) = if ctx.rng.chance(1, 3) {
        ("localhost".to_owned(), "localhost".to_owned())
    } else {
        let spn = ctx.rng.pick(pools::SPN_SERVICES);
        (server.fqdn.clone(), format!("{spn}/{}", server.fqdn))
    };
    let (pid, pname) = if who.logon_id == SYSTEM_LOGON_ID {
        (
            u64::from(ctx.boot.lsass_pid),
            r"C:\Windows\System32\lsass.exe",
        )
    } else {
        (pid(ctx), r"C:\Windows\System32\svchost.exe")
    };
    let logon_guid = ctx.rng.guid();
    let target_guid = if ctx.rng.chance(1, 2) {
        Guid::NIL
    } else {
        ctx.rng.guid()
    };
    let activity = ctx.boot.security_activity;
    subject(
        audit(ctx, 4648, 0, 12544, AUDIT_SUCCESS).activity_id(activity),
        &who,
    )
    .data("LogonGuid", logon_guid)
    .data("TargetUserName", user.name)
    .data("TargetDomainName", ctx.site.netbios)
    .data("TargetLogonGuid", target_guid)
    .data("TargetServerName", server_name)
    .data("TargetInfo", info)
    .data("ProcessId", Value::HexInt64(pid))
    .data("ProcessName", pname)
    .data("IpAddress", "-")
    .data("IpPort", "-")
}
