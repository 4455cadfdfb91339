//! The `Microsoft-Windows-Sysmon/Operational` channel: process create (1), network connect
//! (3), process terminate (5), image load (7), process access (10), file create (11),
//! registry create/delete (12) and value set (13), DNS query (22).
//!
//! Invariants:
//! - Field names and order are those of Sysmon's manifest for the event's version (1, 3, 22
//!   v5; 5, 7, 10 v3; 11, 12, 13 v2). Types follow the manifest: GUIDs as `Value::Guid`,
//!   ProcessId as `Value::UInt32`, LogonId as `Value::HexInt64`, ports as `Value::UInt16`,
//!   Initiated/IsIpv6 as `Value::Boolean`, GrantedAccess as `Value::HexInt32`, the rest
//!   strings (UtcTime is `YYYY-MM-DD HH:MM:SS.mmm`).
//! - Sysmon runs on the primary host only: every event's Computer is the primary host, and
//!   every process an event refers to was created earlier (or is a long-running system
//!   process). Process GUIDs encode the host's machine id and the process start time, as
//!   Sysmon's do.

use super::pools::{self, file_hashes, nt_sid, sysmon_time, Program};
use super::rng::Rng;
use super::site::{thread_id, Boot, Site};
use super::{manifest, Ctx};
use crate::event::{EventBuilder, FileTime, Guid, Value};

const PROVIDER_GUID: u128 = 0x5770385f_c22a_43e0_bf4c_06f5698ffbd9;
const MAX_PROCESSES: usize = 160;

#[derive(Clone, Debug, PartialEq)]
struct Proc {
    guid: Guid,
    pid: u32,
    image: String,
    command: String,
    user: String,
    logon_id: u64,
    session: u32,
    integrity: &'static str,
}

/// The processes Sysmon has seen on the primary host.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct State {
    procs: Vec<Proc>,
    /// How many processes stay forever at the front of `procs`.
    permanent: usize,
    counter: u16,
    machine: u32,
    /// The boot the table belongs to; a new boot resets the table.
    boot_time: FileTime,
}

fn unix_secs(t: FileTime) -> u64 {
    t.0.saturating_sub(116_444_736_000_000_000) / 10_000_000
}

/// A Sysmon-style GUID: machine id, a time in Unix seconds, and a 48-bit tag.
fn sysmon_guid(machine: u32, time: FileTime, tag: u64, kind: u8) -> Guid {
    let secs = unix_secs(time);
    let t = tag.to_le_bytes();
    Guid {
        data1: machine,
        data2: (secs >> 16) as u16,
        data3: secs as u16,
        data4: [t[0], t[1], t[2], t[3], t[4], t[5], kind, 0],
    }
}

impl State {
    pub(crate) fn new(rng: &mut Rng, site: &Site, boot: &Boot) -> State {
        let machine = site.hosts[site.primary].sysmon_id;
        let mut state = State {
            procs: Vec::new(),
            permanent: 0,
            counter: 0,
            machine,
            boot_time: boot.time,
        };
        state.reset(rng, site, boot);
        state
    }

    /// Refills the table with the long-running processes of `boot`.
    fn reset(&mut self, rng: &mut Rng, site: &Site, boot: &Boot) {
        self.procs.clear();
        self.boot_time = boot.time;
        let user = &site.users[rng.index(site.users.len())];
        for &(image, command) in pools::SYSTEM_PROCESSES {
            let pid = match image {
                r"C:\Windows\System32\services.exe" => boot.services_pid,
                r"C:\Windows\System32\lsass.exe" => boot.lsass_pid,
                r"C:\Windows\System32\winlogon.exe" => boot.winlogon_pid,
                _ => rng.range_u32(100, 2000) * 4,
            };
            let explorer = image.ends_with("explorer.exe");
            let (user, logon_id, session, integrity) = if explorer {
                (
                    format!("{}\\{}", site.netbios, user.name),
                    0x10_0000 + rng.range(0, 0xf_ffff),
                    1,
                    "Medium",
                )
            } else {
                (r"NT AUTHORITY\SYSTEM".to_owned(), 0x3e7, 0, "System")
            };
            self.counter = self.counter.wrapping_add(1);
            let guid = sysmon_guid(self.machine, boot.time, u64::from(self.counter), 0x0c);
            self.procs.push(Proc {
                guid,
                pid,
                image: image.to_owned(),
                command: command.to_owned(),
                user,
                logon_id,
                session,
                integrity,
            });
        }
        self.permanent = self.procs.len();
    }

    fn any(&self, rng: &mut Rng) -> &Proc {
        &self.procs[rng.index(self.procs.len())]
    }

    /// A process that plausibly talks to the network (browsers, svchost, sync clients,
    /// scripting hosts), or any process if none is running.
    fn networked(&self, rng: &mut Rng) -> &Proc {
        const NETWORKED: &[&str] = &[
            "chrome.exe",
            "msedge.exe",
            "svchost.exe",
            "OneDrive.exe",
            "powershell.exe",
            "python.exe",
            "git.exe",
            "MsMpEng.exe",
            "lsass.exe",
        ];
        let candidates: Vec<&Proc> = self
            .procs
            .iter()
            .filter(|p| NETWORKED.iter().any(|n| p.image.ends_with(n)))
            .collect();
        if candidates.is_empty() {
            self.any(rng)
        } else {
            candidates[rng.index(candidates.len())]
        }
    }
}

/// The next Sysmon event.
pub(crate) fn sysmon(ctx: &mut Ctx<'_>, state: &mut State) -> EventBuilder {
    if state.boot_time != ctx.boot.time {
        state.reset(ctx.rng, ctx.site, ctx.boot);
    }
    let id = ctx.rng.weighted(&[
        (22, 1u16),
        (19, 3),
        (6, 5),
        (8, 7),
        (18, 10),
        (15, 11),
        (5, 12),
        (8, 13),
        (6, 22),
    ]);
    let version = match id {
        1 | 3 | 22 => 5,
        11..=13 => 2,
        _ => 3,
    };
    let tid = thread_id(ctx.rng);
    let host = &ctx.site.hosts[ctx.site.primary];
    // Sysmon stamps UtcTime a little before the event is logged.
    let utc = sysmon_time(FileTime(ctx.now.0.saturating_sub(ctx.rng.range(0, 20_000))));
    let b = manifest("Microsoft-Windows-Sysmon", pools::guid(PROVIDER_GUID), id)
        .version(version)
        .task(id)
        .keywords(0x8000_0000_0000_0000)
        .execution(ctx.boot.sysmon_pid, tid)
        .computer(host.fqdn.as_str())
        .user_id(nt_sid(18))
        .data("RuleName", "-");
    match id {
        1 => process_create(ctx, state, b, utc),
        3 => network_connect(ctx, state, b, utc),
        5 => process_terminate(ctx, state, b, utc),
        7 => image_load(ctx, state, b, utc),
        10 => process_access(ctx, state, b, utc),
        11 => file_create(ctx, state, b, utc),
        12 | 13 => registry(ctx, state, b, utc, id),
        _ => dns_query(ctx, state, b, utc),
    }
}

fn user_name(user: &str) -> &str {
    user.rsplit_once('\\').map_or(user, |(_, n)| n)
}

fn process_create(
    ctx: &mut Ctx<'_>,
    state: &mut State,
    b: EventBuilder,
    utc: String,
) -> EventBuilder {
    let program: Program = ctx.rng.weighted(pools::PROGRAMS);
    let as_system = program.image.contains("svchost")
        || program.image.contains("WmiPrvSE")
        || ctx.rng.chance(1, 4);
    let parent = if as_system {
        state.procs[0].clone() // services.exe
    } else {
        let users: Vec<&Proc> = state.procs.iter().filter(|p| p.session > 0).collect();
        if users.is_empty() {
            state.procs[0].clone()
        } else {
            users[ctx.rng.index(users.len())].clone()
        }
    };
    let (user, logon_id, session, integrity) = if as_system {
        (r"NT AUTHORITY\SYSTEM".to_owned(), 0x3e7, 0, "System")
    } else {
        let integrity = if ctx.rng.chance(1, 6) {
            "High"
        } else {
            "Medium"
        };
        (
            parent.user.clone(),
            parent.logon_id,
            parent.session,
            integrity,
        )
    };
    let dir_user = if as_system {
        "Public"
    } else {
        user_name(&user)
    };
    let image = program.image.replace("{user}", dir_user);
    let command = ctx.rng.pick(program.commands).replace("{user}", dir_user);
    let current_dir = if as_system {
        r"C:\Windows\system32\".to_owned()
    } else {
        format!(r"C:\Users\{dir_user}\")
    };
    state.counter = state.counter.wrapping_add(1);
    let guid = sysmon_guid(state.machine, ctx.now, u64::from(state.counter), 0x0c);
    let pid = ctx.rng.range_u32(100, 16000) * 4;
    let logon_guid = sysmon_guid(state.machine, ctx.boot.time, logon_id, 0);
    let hashes = file_hashes(ctx.seed, &image);
    if state.procs.len() >= MAX_PROCESSES {
        state.procs.remove(state.permanent);
    }
    state.procs.push(Proc {
        guid,
        pid,
        image: image.clone(),
        command: command.clone(),
        user: user.clone(),
        logon_id,
        session,
        integrity,
    });
    b.data("UtcTime", utc)
        .data("ProcessGuid", guid)
        .data("ProcessId", pid)
        .data("Image", image)
        .data("FileVersion", program.version)
        .data("Description", program.description)
        .data("Product", program.product)
        .data("Company", program.company)
        .data("OriginalFileName", program.original)
        .data("CommandLine", command)
        .data("CurrentDirectory", current_dir)
        .data("User", user)
        .data("LogonGuid", logon_guid)
        .data("LogonId", Value::HexInt64(logon_id))
        .data("TerminalSessionId", session)
        .data("IntegrityLevel", integrity)
        .data("Hashes", hashes)
        .data("ParentProcessGuid", parent.guid)
        .data("ParentProcessId", parent.pid)
        .data("ParentImage", parent.image)
        .data("ParentCommandLine", parent.command)
        .data("ParentUser", parent.user)
}

fn network_connect(
    ctx: &mut Ctx<'_>,
    state: &mut State,
    b: EventBuilder,
    utc: String,
) -> EventBuilder {
    let p = state.networked(ctx.rng).clone();
    let host = &ctx.site.hosts[ctx.site.primary];
    let internal = ctx.rng.chance(1, 4);
    let (dest_ip, dest_host, port, port_name) = if internal {
        let (port, name) = ctx.rng.pick(&[
            (445u16, "microsoft-ds"),
            (389, "ldap"),
            (88, "kerberos"),
            (135, "epmap"),
        ]);
        (ctx.site.dc.ip.clone(), ctx.site.dc.fqdn.clone(), port, name)
    } else {
        let (ip, name, port, port_name) = ctx.rng.pick(pools::REMOTE_ENDPOINTS);
        (ip.to_owned(), name.to_owned(), port, port_name)
    };
    let ipv6 = dest_ip.contains(':');
    let source_ip = if ipv6 {
        format!(
            "fe80::{}:{}:{}:{}",
            ctx.rng.hex(4),
            ctx.rng.hex(4),
            ctx.rng.hex(4),
            ctx.rng.hex(3)
        )
    } else {
        host.ip.clone()
    };
    let source_port = ctx.rng.range(49152, 65535) as u16;
    let protocol = if port == 88 && ctx.rng.chance(1, 3) {
        "udp"
    } else {
        "tcp"
    };
    b.data("UtcTime", utc)
        .data("ProcessGuid", p.guid)
        .data("ProcessId", p.pid)
        .data("Image", p.image)
        .data("User", p.user)
        .data("Protocol", protocol)
        .data("Initiated", true)
        .data("SourceIsIpv6", ipv6)
        .data("SourceIp", source_ip)
        .data("SourceHostname", host.fqdn.as_str())
        .data("SourcePort", Value::UInt16(source_port))
        .data("SourcePortName", "-")
        .data("DestinationIsIpv6", ipv6)
        .data("DestinationIp", dest_ip)
        .data("DestinationHostname", dest_host)
        .data("DestinationPort", Value::UInt16(port))
        .data("DestinationPortName", port_name)
}

fn process_terminate(
    ctx: &mut Ctx<'_>,
    state: &mut State,
    b: EventBuilder,
    utc: String,
) -> EventBuilder {
    let p = if state.procs.len() > state.permanent {
        let i = state.permanent + ctx.rng.index(state.procs.len() - state.permanent);
        state.procs.remove(i)
    } else {
        // Nothing short-lived yet: a conhost that ran before the trace began.
        let pid = ctx.rng.range_u32(100, 16000) * 4;
        Proc {
            guid: sysmon_guid(state.machine, ctx.boot.time, u64::from(pid), 0x0c),
            pid,
            image: r"C:\Windows\System32\conhost.exe".to_owned(),
            command: String::new(),
            user: r"NT AUTHORITY\SYSTEM".to_owned(),
            logon_id: 0x3e7,
            session: 0,
            integrity: "System",
        }
    };
    b.data("UtcTime", utc)
        .data("ProcessGuid", p.guid)
        .data("ProcessId", p.pid)
        .data("Image", p.image)
        .data("User", p.user)
}

fn image_load(ctx: &mut Ctx<'_>, state: &mut State, b: EventBuilder, utc: String) -> EventBuilder {
    let p = state.any(ctx.rng).clone();
    let (dll, description) = ctx.rng.pick(pools::DLLS);
    let loaded = format!(r"C:\Windows\System32\{dll}");
    let hashes = file_hashes(ctx.seed, &loaded);
    b.data("UtcTime", utc)
        .data("ProcessGuid", p.guid)
        .data("ProcessId", p.pid)
        .data("Image", p.image)
        .data("ImageLoaded", loaded)
        .data("FileVersion", "10.0.19041.3636 (WinBuild.160101.0800)")
        .data("Description", description)
        .data("Product", "Microsoft® Windows® Operating System")
        .data("Company", "Microsoft Corporation")
        .data("OriginalFileName", dll)
        .data("Hashes", hashes)
        .data("Signed", "true")
        .data("Signature", "Microsoft Windows")
        .data("SignatureStatus", "Valid")
        .data("User", p.user)
}

fn process_access(
    ctx: &mut Ctx<'_>,
    state: &mut State,
    b: EventBuilder,
    utc: String,
) -> EventBuilder {
    let source = state.any(ctx.rng).clone();
    // Most access events target lsass, csrss or explorer.
    let target = if ctx.rng.chance(1, 2) {
        state.procs[1].clone()
    } else {
        state.any(ctx.rng).clone()
    };
    let access = ctx.rng.weighted(&[
        (5, 0x1000u32),
        (3, 0x1400),
        (3, 0x1410),
        (1, 0x1fffff),
        (2, 0x101000),
    ]);
    let base = ctx.rng.range(0x1000, 0x9ffff);
    let call_trace = format!(
        r"C:\Windows\SYSTEM32\ntdll.dll+{:x}|C:\Windows\System32\KERNELBASE.dll+{:x}|{}+{:x}",
        0x9d000 + base % 0x1000,
        0x2c000 + base % 0x800,
        source.image,
        base
    );
    let source_tid = thread_id(ctx.rng);
    b.data("UtcTime", utc)
        .data("SourceProcessGUID", source.guid)
        .data("SourceProcessId", source.pid)
        .data("SourceThreadId", source_tid)
        .data("SourceImage", source.image)
        .data("TargetProcessGUID", target.guid)
        .data("TargetProcessId", target.pid)
        .data("TargetImage", target.image)
        .data("GrantedAccess", Value::HexInt32(access))
        .data("CallTrace", call_trace)
        .data("SourceUser", source.user)
        .data("TargetUser", target.user)
}

fn file_create(ctx: &mut Ctx<'_>, state: &mut State, b: EventBuilder, utc: String) -> EventBuilder {
    let p = state.any(ctx.rng).clone();
    let user = if p.session > 0 {
        user_name(&p.user).to_owned()
    } else {
        ctx.site.users[ctx.rng.index(ctx.site.users.len())]
            .name
            .to_owned()
    };
    let file = ctx.rng.pick(pools::CREATED_FILES).replace("{user}", &user);
    // Files are usually new; sometimes the creation time is older (overwrite of a cached file).
    let created = if ctx.rng.chance(4, 5) {
        utc.clone()
    } else {
        sysmon_time(FileTime(
            ctx.now
                .0
                .saturating_sub(ctx.rng.range(1, 10_000_000) * 10_000),
        ))
    };
    b.data("UtcTime", utc)
        .data("ProcessGuid", p.guid)
        .data("ProcessId", p.pid)
        .data("Image", p.image)
        .data("TargetFilename", file)
        .data("CreationUtcTime", created)
        .data("User", p.user)
}

fn registry(
    ctx: &mut Ctx<'_>,
    state: &mut State,
    b: EventBuilder,
    utc: String,
    id: u16,
) -> EventBuilder {
    let p = state.any(ctx.rng).clone();
    let (key, details) = ctx.rng.pick(pools::REGISTRY_KEYS);
    let user = &ctx.site.users[ctx.rng.index(ctx.site.users.len())];
    let key = key.replace("{sid}", &user.sid.to_string());
    if id == 12 {
        let kind = ctx
            .rng
            .weighted(&[(5, "CreateKey"), (2, "DeleteKey"), (1, "DeleteValue")]);
        let key = if kind == "DeleteValue" {
            key
        } else {
            key.rsplit_once('\\')
                .map_or(key.clone(), |(k, _)| k.to_owned())
        };
        b.data("EventType", kind)
            .data("UtcTime", utc)
            .data("ProcessGuid", p.guid)
            .data("ProcessId", p.pid)
            .data("Image", p.image)
            .data("TargetObject", key)
            .data("User", p.user)
    } else {
        b.data("EventType", "SetValue")
            .data("UtcTime", utc)
            .data("ProcessGuid", p.guid)
            .data("ProcessId", p.pid)
            .data("Image", p.image)
            .data("TargetObject", key)
            .data("Details", details)
            .data("User", p.user)
    }
}

fn dns_query(ctx: &mut Ctx<'_>, state: &mut State, b: EventBuilder, utc: String) -> EventBuilder {
    let p = state.networked(ctx.rng).clone();
    let (name, results) = ctx.rng.pick(pools::DNS_QUERIES);
    let status = if results.is_empty() { "9003" } else { "0" };
    let results = if results.is_empty() { "-" } else { results };
    b.data("UtcTime", utc)
        .data("ProcessGuid", p.guid)
        .data("ProcessId", p.pid)
        .data("QueryName", name)
        .data("QueryStatus", status)
        .data("QueryResults", results)
        .data("Image", p.image)
        .data("User", p.user)
}
