//! Process, domain-authentication, credential, account-management and log-clear events of the
//! Security channel: 4688, 4689, 4768, 4769, 4776, 5379, 4720, 4726, 4732 and 1102.
//!
//! Invariants: field lists and value types as described in the parent module; domain-level
//! events (Kerberos, NTLM validation, account creation and deletion) are logged on the
//! domain controller, with its Computer name.

use super::super::pools::{self, null_sid, sid};
use super::super::site::thread_id;
use super::super::{manifest, Ctx};
use super::*;
use crate::event::{Element, EventBuilder, FileTime, Value};

/// A 4688 (a new process has been created), version 2.
pub(super) fn process_4688(ctx: &mut Ctx<'_>, state: &mut State) -> EventBuilder {
    let program = ctx.rng.weighted(pools::PROGRAMS);
    let as_system = ctx.rng.chance(2, 5) || program.image.contains("svchost");
    let who = if as_system {
        system_principal(ctx)
    } else {
        session_user(ctx, state)
    };
    let user_dir = if as_system {
        "Public"
    } else {
        who.name.as_str()
    };
    let image = program.image.replace("{user}", user_dir);
    let command = ctx.rng.pick(program.commands).replace("{user}", user_dir);
    let (elevation, label) = if as_system {
        ("%%1936", sid(16, &[16384]))
    } else if who.admin && ctx.rng.chance(1, 3) {
        ("%%1937", sid(16, &[12288]))
    } else {
        ("%%1938", sid(16, &[8192]))
    };
    let (parent_pid, parent) = match state.processes.last() {
        Some(p) if ctx.rng.chance(1, 3) => (p.pid, p.image.clone()),
        _ if as_system => (
            u64::from(ctx.boot.services_pid),
            r"C:\Windows\System32\services.exe".to_owned(),
        ),
        _ => (pid(ctx), r"C:\Windows\explorer.exe".to_owned()),
    };
    let new_pid = pid(ctx);
    if state.processes.len() >= MAX_PROCESSES {
        state.processes.remove(0);
    }
    state.processes.push(Process {
        pid: new_pid,
        image: image.clone(),
        who: who.clone(),
    });
    subject(audit(ctx, 4688, 2, 13312, AUDIT_SUCCESS), &who)
        .data("NewProcessId", Value::HexInt64(new_pid))
        .data("NewProcessName", image)
        .data("TokenElevationType", elevation)
        .data("ProcessId", Value::HexInt64(parent_pid))
        .data("CommandLine", command)
        .data("TargetUserSid", null_sid())
        .data("TargetUserName", "-")
        .data("TargetDomainName", "-")
        .data("TargetLogonId", Value::HexInt64(0))
        .data("ParentProcessName", parent)
        .data("MandatoryLabel", label)
}

/// A 4689 (a process has exited): ends a remembered process when there is one.
pub(super) fn process_exit_4689(ctx: &mut Ctx<'_>, state: &mut State) -> EventBuilder {
    let process = if state.processes.is_empty() {
        let who = system_principal(ctx);
        Process {
            pid: pid(ctx),
            image: r"C:\Windows\System32\conhost.exe".to_owned(),
            who,
        }
    } else {
        let i = ctx.rng.index(state.processes.len());
        state.processes.remove(i)
    };
    let status = if ctx.rng.chance(1, 10) { 0x1 } else { 0x0 };
    subject(audit(ctx, 4689, 0, 13313, AUDIT_SUCCESS), &process.who)
        .data("Status", Value::HexInt32(status))
        .data("ProcessId", Value::HexInt64(process.pid))
        .data("ProcessName", process.image)
}

/// The DC's Computer and its lsass Execution, for domain-level events.
fn on_dc(ctx: &mut Ctx<'_>, b: EventBuilder) -> EventBuilder {
    let tid = thread_id(ctx.rng);
    b.computer(ctx.site.dc.fqdn.as_str())
        .execution(0x2b0 + (ctx.site.dc.sysmon_id % 64) * 4, tid)
}

/// A 4776 (the computer attempted to validate the credentials for an account).
pub(super) fn ntlm_4776(ctx: &mut Ctx<'_>) -> EventBuilder {
    let user = ctx.site.users[ctx.rng.index(ctx.site.users.len())].name;
    let ws = ctx.rng.pick(pools::HOSTS);
    let (status, keywords) = if ctx.rng.chance(1, 8) {
        (0xc000_006a, AUDIT_FAILURE)
    } else {
        (0, AUDIT_SUCCESS)
    };
    let b = audit(ctx, 4776, 0, 14336, keywords);
    on_dc(ctx, b)
        .data("PackageName", "MICROSOFT_AUTHENTICATION_PACKAGE_V1_0")
        .data("TargetUserName", user)
        .data("Workstation", ws)
        .data("Status", Value::HexInt32(status))
}

/// A 4768 (a Kerberos authentication ticket (TGT) was requested), on the DC.
pub(super) fn tgt_4768(ctx: &mut Ctx<'_>) -> EventBuilder {
    let user = &ctx.site.users[ctx.rng.index(ctx.site.users.len())];
    let ip = format!("::ffff:{}", ctx.site.client_ip(ctx.rng));
    let port = ephemeral_port(ctx);
    let b = audit(ctx, 4768, 0, 14339, AUDIT_SUCCESS);
    on_dc(ctx, b)
        .data("TargetUserName", user.name)
        .data("TargetDomainName", ctx.site.netbios)
        .data("TargetSid", user.sid.clone())
        .data("ServiceName", "krbtgt")
        .data("ServiceSid", ctx.site.domain_rid_sid(502))
        .data("TicketOptions", Value::HexInt32(0x4081_0010))
        .data("Status", Value::HexInt32(0))
        .data("TicketEncryptionType", Value::HexInt32(0x12))
        .data("PreAuthType", "2")
        .data("IpAddress", ip)
        .data("IpPort", port)
        .data("CertIssuerName", "")
        .data("CertSerialNumber", "")
        .data("CertThumbprint", "")
}

/// A 4769 (a Kerberos service ticket was requested), on the DC.
pub(super) fn service_ticket_4769(ctx: &mut Ctx<'_>) -> EventBuilder {
    let user = ctx.site.users[ctx.rng.index(ctx.site.users.len())].name;
    let service = &ctx.site.hosts[ctx.rng.index(ctx.site.hosts.len())];
    let service_sid = ctx.site.domain_rid_sid(1100 + (service.sysmon_id % 2000));
    let realm = ctx.site.realm();
    let ip = format!("::ffff:{}", ctx.site.client_ip(ctx.rng));
    let port = ephemeral_port(ctx);
    let options = ctx.rng.pick(&[0x4081_0000u32, 0x4081_0010, 0x6081_0010]);
    let encryption = ctx.rng.weighted(&[(9, 0x12u32), (1, 0x17)]);
    let guid = ctx.rng.guid();
    let b = audit(ctx, 4769, 0, 14337, AUDIT_SUCCESS);
    on_dc(ctx, b)
        .data("TargetUserName", format!("{user}@{realm}"))
        .data("TargetDomainName", realm)
        .data("ServiceName", service.account())
        .data("ServiceSid", service_sid)
        .data("TicketOptions", Value::HexInt32(options))
        .data("TicketEncryptionType", Value::HexInt32(encryption))
        .data("IpAddress", ip)
        .data("IpPort", port)
        .data("Status", Value::HexInt32(0))
        .data("LogonGuid", guid)
        .data("TransmittedServices", "-")
}

/// A 5379 (Credential Manager credentials were read).
pub(super) fn cred_read_5379(ctx: &mut Ctx<'_>, state: &mut State) -> EventBuilder {
    let who = session_user(ctx, state);
    let target_name = match ctx.rng.below(4) {
        0 => "WindowsLive:target=virtualapp/didlogical".to_owned(),
        1 => format!("MicrosoftAccount:user={}@outlook.com", who.name),
        2 => format!(
            "LegacyGeneric:target=MicrosoftOffice16_Data:SSPI:{}@{}",
            who.name, ctx.site.dns
        ),
        _ => format!("Domain:target=TERMSRV/{}", ctx.rng.pick(pools::HOSTS)),
    };
    let found = ctx.rng.chance(1, 2);
    let created = FileTime(
        ctx.now
            .0
            .saturating_sub(ctx.rng.range(1, 36_000) * 10_000_000),
    );
    let client = ctx.rng.range_u32(100, 16000) * 4;
    subject(audit(ctx, 5379, 0, 13824, AUDIT_SUCCESS), &who)
        .data("TargetName", target_name)
        .data("Type", ctx.rng.range_u32(0, 2))
        .data("CountOfCredentialsReturned", u32::from(found))
        .data("ReadOperation", "%%8100")
        .data("ReturnCode", if found { 0u32 } else { 0xc000_0225 })
        .data("ProcessCreationTime", created)
        .data("ClientProcessId", client)
}

fn admin(ctx: &mut Ctx<'_>, state: &mut State) -> Principal {
    let mut who = session_user(ctx, state);
    if !who.admin {
        if let Some(u) = ctx.site.users.iter().find(|u| u.admin) {
            who.sid = u.sid.clone();
            who.name = u.name.to_owned();
            who.admin = true;
        }
    }
    who
}

const NEW_ACCOUNTS: &[&str] = &[
    "new.hire01",
    "contractor.élise",
    "test.account",
    "svc_print",
    "intern&co",
];

/// A 4720 (a user account was created), on the DC.
pub(super) fn user_created_4720(ctx: &mut Ctx<'_>, state: &mut State) -> EventBuilder {
    let who = admin(ctx, state);
    let name = ctx.rng.pick(NEW_ACCOUNTS);
    let rid = ctx.rng.range_u32(2000, 9000);
    let b = subject(
        audit(ctx, 4720, 0, 13824, AUDIT_SUCCESS)
            .data("TargetUserName", name)
            .data("TargetDomainName", ctx.site.netbios)
            .data("TargetSid", ctx.site.domain_rid_sid(rid)),
        &who,
    );
    on_dc(ctx, b)
        .data("PrivilegeList", "-")
        .data("SamAccountName", name)
        .data("DisplayName", "%%1793")
        .data("UserPrincipalName", format!("{name}@{}", ctx.site.dns))
        .data("HomeDirectory", "%%1793")
        .data("HomePath", "%%1793")
        .data("ScriptPath", "%%1793")
        .data("ProfilePath", "%%1793")
        .data("UserWorkstations", "%%1793")
        .data("PasswordLastSet", "%%1794")
        .data("AccountExpires", "%%1794")
        .data("PrimaryGroupId", "513")
        .data("AllowedToDelegateTo", "-")
        .data("OldUacValue", "0x0")
        .data("NewUacValue", "0x15")
        .data("UserAccountControl", "\n\t\t%%2080\n\t\t%%2082\n\t\t%%2084")
        .data("UserParameters", "%%1793")
        .data("SidHistory", "-")
        .data("LogonHours", "%%1797")
}

/// A 4726 (a user account was deleted), on the DC.
pub(super) fn user_deleted_4726(ctx: &mut Ctx<'_>, state: &mut State) -> EventBuilder {
    let who = admin(ctx, state);
    let name = ctx.rng.pick(NEW_ACCOUNTS);
    let rid = ctx.rng.range_u32(2000, 9000);
    let b = subject(
        audit(ctx, 4726, 0, 13824, AUDIT_SUCCESS)
            .data("TargetUserName", name)
            .data("TargetDomainName", ctx.site.netbios)
            .data("TargetSid", ctx.site.domain_rid_sid(rid)),
        &who,
    );
    on_dc(ctx, b).data("PrivilegeList", "-")
}

/// A 4732 (a member was added to a security-enabled local group).
pub(super) fn group_member_added_4732(ctx: &mut Ctx<'_>, state: &mut State) -> EventBuilder {
    let who = admin(ctx, state);
    let member = &ctx.site.users[ctx.rng.index(ctx.site.users.len())];
    let (group, rid) = ctx.rng.pick(&[
        ("Administrators", 544u32),
        ("Remote Desktop Users", 555),
        ("Event Log Readers", 573),
        ("Users", 545),
    ]);
    let member_name = format!(
        "CN={},OU=Staff,DC={}",
        member.display.replace(',', "\\,"),
        ctx.site.dns.replace('.', ",DC=")
    );
    subject(
        audit(ctx, 4732, 0, 13826, AUDIT_SUCCESS)
            .data("MemberName", member_name)
            .data("MemberSid", member.sid.clone())
            .data("TargetUserName", group)
            .data("TargetDomainName", "Builtin")
            .data("TargetSid", sid(5, &[32, rid])),
        &who,
    )
    .data("PrivilegeList", "-")
}

/// A 1102 (the audit log was cleared), logged by Microsoft-Windows-Eventlog with a UserData
/// body.
pub(super) fn log_cleared_1102(ctx: &mut Ctx<'_>, state: &mut State) -> EventBuilder {
    let who = admin(ctx, state);
    let tid = thread_id(ctx.rng);
    let body = Element::new("LogFileCleared")
        .attr(
            "xmlns",
            "http://manifests.microsoft.com/win/2004/08/windows/eventlog",
        )
        .child(Element::new("SubjectUserSid").text(who.sid.clone()))
        .child(Element::new("SubjectUserName").text(who.name.as_str()))
        .child(Element::new("SubjectDomainName").text(who.domain.as_str()))
        .child(Element::new("SubjectLogonId").text(Value::HexInt64(who.logon_id)));
    manifest(
        "Microsoft-Windows-Eventlog",
        pools::guid(0xfc65ddd8_d6ef_4962_83d5_6e5cfe9ce148),
        1102,
    )
    .task(104)
    .keywords(0x4020_0000_0000_0000)
    .execution(ctx.boot.eventlog_pid, tid)
    .user_data(body)
}
