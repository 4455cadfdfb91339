//! The `System` and `Setup` channels: Service Control Manager, kernel and EventLog boot events
//! (with coherent reboot sequences), time sync, Windows Update, DCOM, log clears; and
//! servicing-stack and WUSA package events for Setup.
//!
//! Invariants:
//! - Classic providers (`EventLog`) render as Windows renders classic events (see
//!   [`classic`]); manifest providers carry their real GUIDs, Task/Opcode/Keywords.
//! - A reboot is a fixed sequence of events (6006, 13, then 12, 6005, 6013; or 41, 12, 6005
//!   after an unexpected shutdown). The Boot of the primary host is replaced when the 12
//!   (kernel start) is emitted, so Security and Sysmon see new process ids afterwards.

use super::pools::{self, nt_sid};
use super::site::{thread_id, Boot};
use super::{classic, manifest, Ctx};
use crate::event::{Element, EventBuilder, FileTime, Value};
use crate::utf16;

const SCM: &str = "Service Control Manager";
const SCM_GUID: u128 = 0x555908d1_a6d7_4695_8e1e_26931d2012f4;
const KEYWORD_CLASSIC_SCM: u64 = 0x8080_0000_0000_0000;

/// Events still owed by a reboot in progress.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct State {
    pending: Vec<u16>,
}

impl State {
    pub(crate) fn new() -> State {
        State {
            pending: Vec::new(),
        }
    }

    /// True when the next System event is the kernel start of a reboot, so the timeline should
    /// leave room for the machine to go down and come back.
    pub(crate) fn rebooting(&self) -> bool {
        self.pending.first() == Some(&12)
    }
}

/// The next System event.
pub(crate) fn system(ctx: &mut Ctx<'_>, state: &mut State) -> EventBuilder {
    let id = if state.pending.is_empty() {
        ctx.rng.weighted(&[
            (40, 7036u16),
            (5, 7040),
            (2, 7045),
            (12, 10016),
            (3, 35),
            (2, 37),
            (3, 19),
            (3, 43),
            (3, 44),
            (3, 6013),
            (2, 6006),
            (1, 41),
            (1, 104),
        ])
    } else {
        state.pending.remove(0)
    };
    match id {
        7036 => scm_7036(ctx),
        7040 => scm_7040(ctx),
        7045 => scm_7045(ctx),
        10016 => dcom_10016(ctx),
        35 | 37 => time_service(ctx, id),
        19 | 43 | 44 => windows_update(ctx, id),
        6013 => eventlog_uptime_6013(ctx),
        6006 => {
            // A clean shutdown: EventLog stops, the kernel records the stop time, and the
            // machine comes back.
            state.pending.extend_from_slice(&[13, 12, 6005, 6013]);
            eventlog_classic(ctx, 6006)
        }
        6005 => eventlog_classic(ctx, 6005),
        13 => kernel_general(ctx, 13),
        12 => kernel_general(ctx, 12),
        41 => {
            state.pending.extend_from_slice(&[12, 6005]);
            kernel_power_41(ctx)
        }
        _ => log_cleared_104(ctx),
    }
}

fn scm(ctx: &mut Ctx<'_>, id: u16) -> EventBuilder {
    let tid = thread_id(ctx.rng);
    manifest(SCM, pools::guid(SCM_GUID), id)
        .event_source_name(SCM)
        .qualifiers(16384)
        .keywords(KEYWORD_CLASSIC_SCM)
        .execution(ctx.boot.services_pid, tid)
}

/// 7036: "The %1 service entered the %2 state." The binary is the service key name and its
/// new state code in UTF-16LE.
fn scm_7036(ctx: &mut Ctx<'_>) -> EventBuilder {
    let (key, display, _) = ctx.rng.pick(pools::SERVICES);
    let running = ctx.rng.chance(1, 2);
    let (state, code) = if running {
        ("running", 4)
    } else {
        ("stopped", 1)
    };
    scm(ctx, 7036)
        .data("param1", display)
        .data("param2", state)
        .binary(utf16::with_nul(&format!("{key}/{code}")))
}

/// 7040: "The start type of the %1 service was changed from %2 to %3."
fn scm_7040(ctx: &mut Ctx<'_>) -> EventBuilder {
    let (key, display, _) = ctx.rng.pick(pools::SERVICES);
    let (from, to) = ctx.rng.pick(&[
        ("auto start", "demand start"),
        ("demand start", "auto start"),
        ("demand start", "disabled"),
    ]);
    let user = if ctx.rng.chance(1, 2) {
        nt_sid(18)
    } else {
        ctx.site.users[ctx.rng.index(ctx.site.users.len())]
            .sid
            .clone()
    };
    scm(ctx, 7040)
        .user_id(user)
        .data("param1", display)
        .data("param2", from)
        .data("param3", to)
        .data("param4", key)
}

/// 7045: "A service was installed in the system."
fn scm_7045(ctx: &mut Ctx<'_>) -> EventBuilder {
    let (key, _, image) = ctx.rng.pick(pools::SERVICES);
    let user = ctx.site.users[ctx.rng.index(ctx.site.users.len())]
        .sid
        .clone();
    let start = ctx.rng.pick(&["auto start", "demand start"]);
    scm(ctx, 7045)
        .user_id(user)
        .data("ServiceName", key)
        .data("ImagePath", image)
        .data("ServiceType", "user mode service")
        .data("StartType", start)
        .data("AccountName", "LocalSystem")
}

/// 10016: the DCOM application-specific permission warning every Windows box logs.
fn dcom_10016(ctx: &mut Ctx<'_>) -> EventBuilder {
    const APPS: &[(&str, &str)] = &[
        (
            "{2593F8B9-4EAF-457C-B68A-50F6B8EA6B54}",
            "{15C20B67-12E7-4BB6-92BB-7AFF07997402}",
        ),
        (
            "{C2F03A33-21F5-47FA-B4BB-156362A2F239}",
            "{316CDED5-E4AE-4B15-9113-7055D84DCC97}",
        ),
        (
            "{6B3B8D23-FA8D-40B9-8DBD-B950333E2C52}",
            "{4839DDB7-58C2-48F5-8283-E1D1807D0D7D}",
        ),
    ];
    let (clsid, appid) = ctx.rng.pick(APPS);
    let (domain, name, sid) = if ctx.rng.chance(1, 2) {
        ("NT AUTHORITY", "LOCAL SERVICE".to_owned(), nt_sid(19))
    } else {
        let u = &ctx.site.users[ctx.rng.index(ctx.site.users.len())];
        (ctx.site.netbios, u.name.to_owned(), u.sid.clone())
    };
    let tid = thread_id(ctx.rng);
    manifest(
        "Microsoft-Windows-DistributedCOM",
        pools::guid(0x1b562e86_b7aa_4131_badc_b6f3a001407e),
        10016,
    )
    .event_source_name("DCOM")
    .qualifiers(0)
    .level(3)
    .keywords(KEYWORD_CLASSIC_SCM)
    .execution(ctx.boot.netsvcs_pid, tid)
    .user_id(sid.clone())
    .data("param1", "application-specific")
    .data("param2", "Local")
    .data("param3", "Activation")
    .data("param4", clsid)
    .data("param5", appid)
    .data("param6", domain)
    .data("param7", name)
    .data("param8", sid.to_string())
    .data("param9", "LocalHost (Using LRPC)")
    .data("param10", "Unavailable")
    .data("param11", "Unavailable")
}

/// 35 (time source now synchronised) and 37 (receiving valid time data).
fn time_service(ctx: &mut Ctx<'_>, id: u16) -> EventBuilder {
    let dc = &ctx.site.dc.fqdn;
    let source = if ctx.rng.chance(1, 3) {
        "time.windows.com,0x9 (ntp.m|0x9|0.0.0.0:123->20.101.57.9:123)".to_owned()
    } else {
        format!(
            "{dc} (ntp.d|0.0.0.0:123->{}:123)",
            ctx.site.client_ip(ctx.rng)
        )
    };
    let tid = thread_id(ctx.rng);
    let b = manifest(
        "Microsoft-Windows-Time-Service",
        pools::guid(0x06edcfeb_0fd0_4e53_acca_a6f8bbf81bcb),
        id,
    )
    .keywords(0x8000_0000_0000_0000)
    .execution(ctx.boot.netsvcs_pid, tid)
    .user_id(nt_sid(19))
    .data("TimeSource", source);
    if id == 35 {
        let refid = ctx.rng.next_u32();
        b.data("TimeSourceRefId", Value::HexInt32(refid))
            .data("CurrentStratumNumber", ctx.rng.range_u32(2, 4))
    } else {
        b
    }
}

/// 19 (installation successful), 43 (installation started), 44 (download started).
fn windows_update(ctx: &mut Ctx<'_>, id: u16) -> EventBuilder {
    let (_, title) = ctx.rng.pick(pools::UPDATES);
    let (task, opcode) = match id {
        44 => (1, 12),
        _ => (1, 13),
    };
    let guid = ctx.rng.guid();
    let revision = ctx.rng.range_u32(1, 300);
    let tid = thread_id(ctx.rng);
    manifest(
        "Microsoft-Windows-WindowsUpdateClient",
        pools::guid(0x945a8954_c147_4acd_923f_40c45405a658),
        id,
    )
    .version(1)
    .task(task)
    .opcode(opcode)
    .keywords(0x8000_0000_0000_0018)
    .execution(ctx.boot.netsvcs_pid, tid)
    .user_id(nt_sid(18))
    .data("updateTitle", title)
    .data("updateGuid", guid)
    .data("updateRevisionNumber", revision)
}

/// 6005 (EventLog started) and 6006 (EventLog stopped): classic events whose only data is the
/// current time as a binary SYSTEMTIME.
fn eventlog_classic(ctx: &mut Ctx<'_>, id: u16) -> EventBuilder {
    classic("EventLog", id, 32768, 4).binary(system_time_bytes(ctx.now))
}

/// A SYSTEMTIME structure (eight little-endian u16 fields) for `t`.
fn system_time_bytes(t: FileTime) -> Vec<u8> {
    let (y, mo, d, h, mi, s, ticks) = t.to_utc();
    // 1601-01-01 was a Monday; SYSTEMTIME counts Sunday as 0.
    let dow = (t.0 / (86_400 * 10_000_000) + 1) % 7;
    let fields = [
        u16::try_from(y).unwrap_or(0),
        mo as u16,
        dow as u16,
        d as u16,
        h as u16,
        mi as u16,
        s as u16,
        (ticks / 10_000) as u16,
    ];
    fields.iter().flat_map(|f| f.to_le_bytes()).collect()
}

/// 6013: "The system uptime is N seconds."
fn eventlog_uptime_6013(ctx: &mut Ctx<'_>) -> EventBuilder {
    let uptime = ctx.now.0.saturating_sub(ctx.boot.time.0) / 10_000_000;
    classic("EventLog", 6013, 32768, 4)
        .unnamed_data("")
        .unnamed_data("")
        .unnamed_data("")
        .unnamed_data("")
        .unnamed_data(uptime.to_string())
        .unnamed_data("60")
        .unnamed_data("0 Coordinated Universal Time")
        .binary(utf16::with_nul("Coordinated Universal Time"))
}

/// 12 (the operating system started; this starts a new boot) and 13 (it is shutting down).
fn kernel_general(ctx: &mut Ctx<'_>, id: u16) -> EventBuilder {
    let b = manifest(
        "Microsoft-Windows-Kernel-General",
        pools::guid(0xa68ca8b7_004f_d7b6_a698_07e2de0f1f5d),
        id,
    )
    .version(if id == 12 { 2 } else { 1 })
    .task(if id == 12 { 1 } else { 2 })
    .keywords(0x8000_0000_0000_0080)
    .user_id(nt_sid(18));
    if id == 12 {
        let start = FileTime(ctx.now.0.saturating_sub(ctx.rng.range(20, 90) * 10_000_000));
        *ctx.boot = Boot::new(ctx.rng, start);
        let tid = thread_id(ctx.rng);
        b.execution(4, tid)
            .data("MajorVersion", 10u32)
            .data("MinorVersion", 0u32)
            .data("BuildVersion", 19045u32)
            .data("QfeVersion", 3803u32)
            .data("ServiceVersion", 0u32)
            .data("BootMode", 0u32)
            .data("StartTime", start)
    } else {
        let tid = thread_id(ctx.rng);
        b.execution(4, tid).data("StopTime", ctx.now)
    }
}

/// 41: "The system has rebooted without cleanly shutting down first."
fn kernel_power_41(ctx: &mut Ctx<'_>) -> EventBuilder {
    let bugcheck = ctx.rng.chance(1, 4);
    let (code, p1) = if bugcheck {
        ctx.rng
            .pick(&[(0x0000_009fu32, 0x3u64), (0xd1, 0x28), (0x133, 0x1)])
    } else {
        (0, 0)
    };
    let tid = thread_id(ctx.rng);
    manifest(
        "Microsoft-Windows-Kernel-Power",
        pools::guid(0x331c3b3a_2005_44c2_ac5e_77220c37d6b4),
        41,
    )
    .version(8)
    .level(1)
    .task(63)
    .keywords(0x8000_4000_0000_0002)
    .execution(4, tid)
    .user_id(nt_sid(18))
    .data("BugcheckCode", code)
    .data("BugcheckParameter1", Value::HexInt64(p1))
    .data("BugcheckParameter2", Value::HexInt64(0))
    .data("BugcheckParameter3", Value::HexInt64(0))
    .data("BugcheckParameter4", Value::HexInt64(0))
    .data("SleepInProgress", 0u32)
    .data("PowerButtonTimestamp", 0u64)
    .data("BootAppStatus", 0u32)
    .data("Checkpoint", Value::Byte(0))
    .data("ConnectedStandbyInProgress", false)
    .data("SystemSleepTransitionsToOn", 0u32)
    .data("CsEntryScenarioInstanceId", Value::Byte(0))
    .data("BugcheckInfoFromEFI", false)
    .data("CheckpointStatus", Value::Byte(0))
    .data("CsEntryScenarioInstanceIdV2", Value::Byte(0))
    .data("LongPowerButtonPressDetected", false)
}

/// 104: "The System log file was cleared." (UserData body).
fn log_cleared_104(ctx: &mut Ctx<'_>) -> EventBuilder {
    let user = &ctx.site.users[ctx.rng.index(ctx.site.users.len())];
    let channel = ctx
        .rng
        .pick(&["Application", "System", "Windows PowerShell", "Setup"]);
    let body = Element::new("LogFileCleared")
        .attr(
            "xmlns",
            "http://manifests.microsoft.com/win/2004/08/windows/eventlog",
        )
        .child(Element::new("SubjectUserName").text(user.name))
        .child(Element::new("SubjectDomainName").text(ctx.site.netbios))
        .child(Element::new("Channel").text(channel))
        .child(Element::new("BackupPath"));
    let tid = thread_id(ctx.rng);
    manifest(
        "Microsoft-Windows-Eventlog",
        pools::guid(0xfc65ddd8_d6ef_4962_83d5_6e5cfe9ce148),
        104,
    )
    .task(104)
    .keywords(0x8000_0000_0000_0000)
    .execution(ctx.boot.eventlog_pid, tid)
    .user_id(user.sid.clone())
    .user_data(body)
}

/// The next Setup event.
pub(crate) fn setup(ctx: &mut Ctx<'_>) -> EventBuilder {
    let id = ctx
        .rng
        .weighted(&[(40, 1u16), (35, 2), (5, 3), (12, 4), (8, 0)]);
    if id == 0 {
        return wusa(ctx);
    }
    let (kb, _) = ctx.rng.pick(pools::UPDATES);
    let client = ctx.rng.pick(&[
        "WindowsUpdateAgent",
        "UpdateAgentLCU",
        "DISM Package Manager Provider",
    ]);
    let tid = thread_id(ctx.rng);
    let b = manifest(
        "Microsoft-Windows-Servicing",
        pools::guid(0xbd12f3b8_fc40_4a61_a307_b7a013a069c1),
        id,
    )
    .task(1)
    .keywords(0x8000_0000_0000_0000)
    .execution(ctx.boot.trusted_installer_pid, tid)
    .user_id(nt_sid(18))
    .data("PackageIdentifier", kb);
    match id {
        1 => b
            .data("InitialPackageState", ctx.rng.pick(&["Absent", "Staged"]))
            .data("IntendedPackageState", "Installed")
            .data("Client", client),
        2 => b
            .data("IntendedPackageState", "Installed")
            .data("ErrorCode", Value::HexInt32(0))
            .data("Client", client),
        3 => {
            let error = ctx.rng.pick(&[0x800f_0922u32, 0x8024_2016, 0x800f_081f]);
            b.level(2)
                .data("IntendedPackageState", "Installed")
                .data("ErrorCode", Value::HexInt32(error))
                .data("Client", client)
        }
        _ => b
            .data("InitialPackageState", "Staged")
            .data("IntendedPackageState", "Installed")
            .data("ErrorCode", Value::HexInt32(0x800f_0922))
            .data("Client", client),
    }
}

/// WUSA (the standalone update installer): 1 (installing) or 3 (failed).
fn wusa(ctx: &mut Ctx<'_>) -> EventBuilder {
    let (kb, title) = ctx.rng.pick(pools::UPDATES);
    let failed = ctx.rng.chance(1, 4);
    let tid = thread_id(ctx.rng);
    let pid = ctx.rng.range_u32(1000, 12000) * 4;
    let user = ctx.site.users[ctx.rng.index(ctx.site.users.len())]
        .sid
        .clone();
    let b = manifest(
        "Microsoft-Windows-WUSA",
        pools::guid(0x09608c12_c1da_4104_a6fe_b959cf57560a),
        if failed { 3 } else { 1 },
    )
    .keywords(0x8000_0000_0000_0000)
    .execution(pid, tid)
    .user_id(user)
    .data("UpdateTitle", title);
    if failed {
        b.level(2)
            .data("ErrorCode", Value::HexInt32(0x8024_0017))
            .data(
                "ErrorText",
                "The update is not applicable to your computer.",
            )
    } else {
        b.data(
            "CommandLine",
            format!(r#""C:\Windows\system32\wusa.exe" "C:\Users\Public\Downloads\windows10.0-{}-x64.msu" /quiet /norestart"#, kb.to_ascii_lowercase()),
        )
    }
}
