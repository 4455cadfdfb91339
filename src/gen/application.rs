//! The `Application` channel: application crashes and their Windows Error Reporting follow-ups,
//! Windows Installer, Restart Manager, Security Center, ESENT, .NET Runtime and Software
//! Protection events.
//!
//! Invariants:
//! - Classic event sources (Application Error, Windows Error Reporting, MsiInstaller,
//!   SecurityCenter, ESENT, .NET Runtime) render as Windows renders classic events (see
//!   [`classic`]): no Provider GUID, `Qualifiers` on EventID, unnamed `<Data>` items and,
//!   where the source writes one, a `<Binary>`.
//! - Manifest providers (RestartManager, Security-SPP) carry their real GUIDs and named data.

use super::pools::{self, nt_sid};
use super::rng::hex_string;
use super::site::thread_id;
use super::{classic, manifest, Ctx};
use crate::event::{EventBuilder, FileTime, Guid};

/// The next Application event.
pub(crate) fn application(ctx: &mut Ctx<'_>) -> EventBuilder {
    let id = ctx.rng.weighted(&[
        (6, 1000u16),
        (10, 1001),
        (4, 1033),
        (4, 11707),
        (9, 10000),
        (9, 10001),
        (10, 15),
        (5, 326),
        (5, 327),
        (3, 916),
        (3, 1026),
        (10, 16384),
        (5, 16394),
    ]);
    match id {
        1000 => application_error_1000(ctx),
        1001 => wer_1001(ctx),
        1033 | 11707 => msi_installer(ctx, id),
        10000 | 10001 => restart_manager(ctx, id),
        15 => security_center_15(ctx),
        326 | 327 | 916 => esent(ctx, id),
        1026 => dotnet_1026(ctx),
        _ => software_protection(ctx, id),
    }
}

/// A GUID as WER writes report ids: lowercase, no braces.
fn bare_guid(g: Guid) -> String {
    let s = g.to_string();
    s.trim_matches(|c| c == '{' || c == '}').to_owned()
}

fn app_path(name: &str) -> String {
    match name {
        "explorer.exe" => r"C:\Windows\explorer.exe".to_owned(),
        "OUTLOOK.EXE" => r"C:\Program Files\Microsoft Office\root\Office16\OUTLOOK.EXE".to_owned(),
        "chrome.exe" => r"C:\Program Files\Google\Chrome\Application\chrome.exe".to_owned(),
        _ => {
            let stem = name.trim_end_matches(".exe").trim_end_matches(".EXE");
            format!(r"C:\Program Files (x86)\{stem}\{name}")
        }
    }
}

fn module_path(app: &str, module: &str) -> String {
    if module.eq_ignore_ascii_case("ntdll.dll") || module.eq_ignore_ascii_case("KERNELBASE.dll") {
        format!(r"C:\Windows\System32\{module}")
    } else {
        let dir = app.rsplit_once('\\').map_or("", |(d, _)| d);
        format!(r"{dir}\{module}")
    }
}

/// 1000: "Faulting application name: …" (Application Error), fifteen unnamed items.
fn application_error_1000(ctx: &mut Ctx<'_>) -> EventBuilder {
    let (app, version, module, module_version, code) = ctx.rng.pick(pools::CRASHES);
    let path = app_path(app);
    let app_stamp = ctx.rng.hex(8);
    let module_stamp = ctx.rng.hex(8);
    let offset = format!("{:016x}", ctx.rng.range(0x1000, 0x3f_ffff));
    let pid = ctx.rng.range(100, 16000) * 4;
    let created = ctx
        .now
        .0
        .saturating_sub(ctx.rng.range(1, 72_000) * 10_000_000);
    let report = bare_guid(ctx.rng.guid());
    classic("Application Error", 1000, 0, 2)
        .task(100)
        .unnamed_data(app)
        .unnamed_data(version)
        .unnamed_data(app_stamp)
        .unnamed_data(module)
        .unnamed_data(module_version)
        .unnamed_data(module_stamp)
        .unnamed_data(code)
        .unnamed_data(offset)
        .unnamed_data(format!("0x{pid:x}"))
        .unnamed_data(format!("0x{created:x}"))
        .unnamed_data(path.as_str())
        .unnamed_data(module_path(&path, module))
        .unnamed_data(report)
        .unnamed_data("")
        .unnamed_data("")
}

/// 1001: "Fault bucket …, type …" (Windows Error Reporting), the report summary.
fn wer_1001(ctx: &mut Ctx<'_>) -> EventBuilder {
    let (app, version, module, module_version, code) = ctx.rng.pick(pools::CRASHES);
    let kind = ctx.rng.weighted(&[
        (6, "APPCRASH"),
        (2, "AppHangB1"),
        (1, "BEX64"),
        (1, "LiveKernelEvent"),
    ]);
    let bucket = ctx
        .rng
        .range(1_000_000_000_000_000_000, 9_000_000_000_000_000_000);
    let report = bare_guid(ctx.rng.guid());
    let hashed = ctx.rng.hex(32);
    let app_stamp = ctx.rng.hex(8);
    let offset = format!("{:016x}", ctx.rng.range(0x1000, 0x3f_ffff));
    let temp = ctx.rng.hex(4).to_ascii_uppercase();
    let archive = format!(
        r"\\?\C:\ProgramData\Microsoft\Windows\WER\ReportArchive\{kind}_{app}_{}_{}_{report}",
        ctx.rng.hex(40),
        ctx.rng.hex(8)
    );
    let files = format!(
        "\n\\\\?\\C:\\ProgramData\\Microsoft\\Windows\\WER\\Temp\\WER{temp}.tmp.dmp\n\\\\?\\C:\\ProgramData\\Microsoft\\Windows\\WER\\Temp\\WER{temp}.tmp.WERInternalMetadata.xml\n\\\\?\\C:\\ProgramData\\Microsoft\\Windows\\WER\\Temp\\WER{temp}.tmp.xml"
    );
    classic("Windows Error Reporting", 1001, 0, 4)
        .unnamed_data(bucket.to_string())
        .unnamed_data(ctx.rng.pick(&["1", "5", "50"]))
        .unnamed_data(kind)
        .unnamed_data("Not available")
        .unnamed_data("0")
        .unnamed_data(app)
        .unnamed_data(version)
        .unnamed_data(app_stamp)
        .unnamed_data(module)
        .unnamed_data(module_version)
        .unnamed_data(ctx.rng.hex(8))
        .unnamed_data(code)
        .unnamed_data(offset)
        .unnamed_data("")
        .unnamed_data("")
        .unnamed_data(files)
        .unnamed_data(archive)
        .unnamed_data("")
        .unnamed_data("0")
        .unnamed_data(report)
        .unnamed_data("268435456")
        .unnamed_data(hashed)
        .unnamed_data("0")
}

/// 1033 (product installed) and 11707 (installation completed successfully) from
/// MsiInstaller, with the product code in `<Binary>` as ANSI text.
fn msi_installer(ctx: &mut Ctx<'_>, id: u16) -> EventBuilder {
    let (name, version, maker) = ctx.rng.pick(pools::PRODUCTS);
    let user = ctx.site.users[ctx.rng.index(ctx.site.users.len())]
        .sid
        .clone();
    let product_code = ctx.rng.guid().to_string().to_ascii_uppercase();
    let b = classic("MsiInstaller", id, 0, 4).user_id(user);
    let b = if id == 11707 {
        b.unnamed_data(format!(
            "Product: {name} -- Installation completed successfully."
        ))
        .unnamed_data("(NULL)")
        .unnamed_data("(NULL)")
        .unnamed_data("(NULL)")
        .unnamed_data("(NULL)")
        .unnamed_data("(NULL)")
    } else {
        b.unnamed_data(name)
            .unnamed_data(version)
            .unnamed_data("1033")
            .unnamed_data("0")
            .unnamed_data(maker)
            .unnamed_data("(NULL)")
    };
    b.unnamed_data("").binary(product_code.into_bytes())
}

/// 10000 (starting session) and 10001 (ending session) from the Restart Manager.
fn restart_manager(ctx: &mut Ctx<'_>, id: u16) -> EventBuilder {
    let user = ctx.site.users[ctx.rng.index(ctx.site.users.len())]
        .sid
        .clone();
    let session = ctx.rng.range_u32(0, 3);
    let start = if id == 10000 {
        ctx.now
    } else {
        FileTime(ctx.now.0.saturating_sub(ctx.rng.range(1, 600) * 10_000_000))
    };
    let pid = ctx.rng.range_u32(1000, 12000) * 4;
    let tid = thread_id(ctx.rng);
    manifest(
        "Microsoft-Windows-RestartManager",
        pools::guid(0x0888e5ef_9b98_4695_979d_e92ce4247224),
        id,
    )
    .keywords(0x8000_0000_0000_0000)
    .execution(pid, tid)
    .user_id(user)
    .data("RmSessionId", session)
    .data("UTCStartTime", start)
}

/// 15: "Updated … status successfully to SECURITY_PRODUCT_STATE_ON." (SecurityCenter).
fn security_center_15(ctx: &mut Ctx<'_>) -> EventBuilder {
    let product = ctx.rng.weighted(&[
        (8, "Windows Defender"),
        (1, "Contoso Endpoint Protection & Firewall"),
    ]);
    let state = ctx.rng.weighted(&[
        (8, "SECURITY_PRODUCT_STATE_ON"),
        (1, "SECURITY_PRODUCT_STATE_SNOOZED"),
    ]);
    classic("SecurityCenter", 15, 0, 4)
        .unnamed_data(product)
        .unnamed_data(state)
}

/// ESENT 326 (database attached), 327 (database detached) and 916 (beta feature enabled).
fn esent(ctx: &mut Ctx<'_>, id: u16) -> EventBuilder {
    let (process, instance, log) = ctx.rng.pick(pools::ESENT_INSTANCES);
    let user = ctx.site.users[ctx.rng.index(ctx.site.users.len())].name;
    let log = log.replace("{user}", user);
    let pid = ctx.rng.range(100, 16000) * 4;
    let tag = ctx.rng.pick(&["D", "G", "R", "T"]);
    let b = classic("ESENT", id, 0, 4)
        .task(1)
        .unnamed_data(process)
        .unnamed_data(format!("{pid},{tag},{}", ctx.rng.range(0, 99)));
    if id == 916 {
        b.unnamed_data("")
            .unnamed_data("EseDiskFlushConsistency")
            .unnamed_data("ESENT")
            .unnamed_data("0x800000")
    } else {
        let db = log.replace(".log", ".edb");
        b.unnamed_data(instance)
            .unnamed_data(ctx.rng.range(1, 3).to_string())
            .unnamed_data(db)
            .unnamed_data("0")
            .unnamed_data("[1] 0.000, [2] 0.000, [3] 0.016, [4] 0.000, [5] 0.000")
    }
}

/// 1026 (.NET Runtime): an unhandled exception terminated a managed process.
fn dotnet_1026(ctx: &mut Ctx<'_>) -> EventBuilder {
    let (exception, frame) = ctx.rng.pick(pools::DOTNET_EXCEPTIONS);
    let app = ctx.rng.pick(&[
        "ContosoClient.exe",
        "Contoso.Sync.Agent.exe",
        "PowerShell_ISE.exe",
    ]);
    let hresult = hex_string(&ctx.rng.bytes(4), 8, false);
    classic(".NET Runtime", 1026, 0, 2).unnamed_data(format!(
        "Application: {app}\nFramework Version: v4.0.30319\nDescription: The process was terminated due to an unhandled exception.\nException Info: {exception} (0x{hresult})\n{frame}\n   at Contoso.Program.Main(System.String[])\n"
    ))
}

/// 16384 (successfully scheduled Software Protection service for re-start) and 16394
/// (offline downlevel migration succeeded, no data).
fn software_protection(ctx: &mut Ctx<'_>, id: u16) -> EventBuilder {
    let b = manifest(
        "Microsoft-Windows-Security-SPP",
        pools::guid(0xe23b33b0_c8c9_472c_a5f9_f2bdfea0f156),
        id,
    )
    .event_source_name("Software Protection Platform Service")
    .qualifiers(16384)
    .keywords(0x0080_0000_0000_0000)
    .execution(0, 0);
    if id == 16384 {
        // Rescheduled about a day (or a century, a real Windows quirk) ahead.
        let ahead = if ctx.rng.chance(1, 5) {
            3_155_760_000u64
        } else {
            ctx.rng.range(3600, 86_400)
        };
        let (y, mo, d, h, mi, s, _) =
            FileTime(ctx.now.0.saturating_add(ahead * 10_000_000)).to_utc();
        b.unnamed_data(format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z"))
            .unnamed_data("RulesEngine")
    } else {
        b.user_id(nt_sid(20)).empty_event_data()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_guid_has_no_braces() {
        let g = Guid::from_u128(0x0102_0304_0506_0708_090a_0b0c_0d0e_0f10);
        assert_eq!(bare_guid(g), "01020304-0506-0708-090a-0b0c0d0e0f10");
    }
}
