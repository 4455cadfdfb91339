//! Constant pools the generator draws from: domains, hosts, people, programs, DLLs, network
//! destinations, file and registry paths, and small helpers that turn them into values
//! (well-known SIDs, UTF-16 binary, Sysmon-style timestamps, file hashes).
//!
//! Invariants:
//! - Every pool is a non-empty constant slice in a fixed order; the generator only indexes
//!   them, so their order is part of the output (changing it changes the pinned hash).
//! - A few entries are deliberately non-ASCII (host and person names) and many contain XML
//!   special characters (`&`, `<`, `>`, quotes) so rendering and escaping get exercised.
//! - `{user}` in a template is replaced by the acting user's account name.

use super::rng::{hex_string, mix};
use crate::event::{FileTime, Guid, Sid};

/// Builds a SID from an authority and at most 15 sub-authorities. Callers in this module tree
/// pass constants or short slices, so construction cannot fail.
pub(crate) fn sid(authority: u64, subs: &[u32]) -> Sid {
    let subs = &subs[..subs.len().min(Sid::MAX_SUB_AUTHORITIES)];
    Sid::new(authority & 0xffff_ffff_ffff, subs).expect("authority and count are in range")
}

/// `S-1-5-<rid>` (NT AUTHORITY accounts: 18 SYSTEM, 19 LOCAL SERVICE, 20 NETWORK SERVICE).
pub(crate) fn nt_sid(rid: u32) -> Sid {
    sid(5, &[rid])
}

/// `S-1-0-0`, the NULL SID.
pub(crate) fn null_sid() -> Sid {
    sid(0, &[0])
}

/// A provider GUID from its canonical 128-bit form.
pub(crate) fn guid(v: u128) -> Guid {
    Guid::from_u128(v)
}

/// `YYYY-MM-DD HH:MM:SS.mmm`, the UtcTime form Sysmon writes.
pub(crate) fn sysmon_time(t: FileTime) -> String {
    let (y, mo, d, h, mi, s, ticks) = t.to_utc();
    format!(
        "{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}.{:03}",
        ticks / 10_000
    )
}

/// Stable hashes of a file, derived from the generator seed and the file path:
/// `SHA1=…,MD5=…,SHA256=…,IMPHASH=…` in uppercase hex as Sysmon writes them.
pub(crate) fn file_hashes(seed: u64, path: &str) -> String {
    let mut key = 0xcbf2_9ce4_8422_2325u64;
    for b in path.bytes() {
        key = (key ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let mut bytes = Vec::with_capacity(96);
    let mut i = 0u64;
    while bytes.len() < 96 {
        bytes.extend_from_slice(&mix(seed ^ key, i).to_le_bytes());
        i += 1;
    }
    format!(
        "SHA1={},MD5={},SHA256={},IMPHASH={}",
        hex_string(&bytes[0..20], 40, true),
        hex_string(&bytes[20..36], 32, true),
        hex_string(&bytes[36..68], 64, true),
        hex_string(&bytes[68..84], 32, true)
    )
}

/// Active Directory domains: (NetBIOS name, DNS name).
pub(crate) const DOMAINS: &[(&str, &str)] = &[
    ("CONTOSO", "contoso.local"),
    ("FABRIKAM", "fabrikam.com"),
    ("NORTHWIND", "corp.northwind.net"),
    ("ADATUM", "ad.adatum.com"),
    ("WOODGROVE", "woodgrove.bank"),
];

/// Host names (NetBIOS form, uppercase). The first entries are the most likely "primary"
/// machines; a few are non-ASCII.
pub(crate) const HOSTS: &[&str] = &[
    "WS-0142",
    "DESKTOP-7H3K9QZ",
    "LAPTOP-QF02M8TB",
    "SRV-FILE01",
    "SRV-APP03",
    "WS-FIN-017",
    "BÜRO-PC03",
    "КОМП-БУХ-01",
    "WS-ÉMILE",
    "SQL-PROD02",
    "WS-0257",
    "RDS-GW01",
];

/// Domain controller names (NetBIOS form).
pub(crate) const DCS: &[&str] = &["DC01", "DC02", "AD-DC-EU1"];

/// People: (account name, display name). Some non-ASCII, one with an apostrophe.
pub(crate) const PEOPLE: &[(&str, &str)] = &[
    ("alice", "Alice Johnson"),
    ("bob.smith", "Bob Smith"),
    ("jdoe", "John Doe"),
    ("mgarcia", "María García"),
    ("jürgen.weiß", "Jürgen Weiß"),
    ("zoë.lefèvre", "Zoë Lefèvre"),
    ("o'brien", "Seán O'Brien"),
    ("ltanaka", "田中 亮"),
    ("a.kowalski", "Łukasz Kowalski"),
    ("svc_backup", "Backup Service"),
    ("svc_sql", "SQL Service"),
    ("helpdesk", "Helpdesk Operator"),
    ("p.nguyen", "Phương Nguyễn"),
    ("admin.rk", "Rahul Kumar (Admin)"),
];

/// Names tried in failed logons (password sprays and typos).
pub(crate) const BAD_USER_NAMES: &[&str] = &[
    "administrator",
    "admin",
    "test",
    "user1",
    "scanner",
    "sa",
    "backup",
    "Administrateur",
    "guest",
    "<script>",
];

pub(crate) use super::programs::{Program, DLLS, PROGRAMS, SYSTEM_PROCESSES};

const MS: &str = "Microsoft Corporation";

/// Remote endpoints: (IP, host name, port, port name).
pub(crate) const REMOTE_ENDPOINTS: &[(&str, &str, u16, &str)] = &[
    ("142.250.185.68", "fra16s50-in-f4.1e100.net", 443, "https"),
    ("20.190.159.4", "login.microsoftonline.com", 443, "https"),
    ("13.107.42.14", "-", 443, "https"),
    ("52.96.165.18", "outlook.office365.com", 443, "https"),
    ("93.184.216.34", "example.com", 80, "http"),
    ("151.101.1.69", "-", 443, "https"),
    ("2a00:1450:4001:82b::200e", "-", 443, "https"),
    (
        "185.199.108.133",
        "cdn-185-199-108-133.github.com",
        443,
        "https",
    ),
];

/// DNS names that Sysmon event 22 resolves: (query, result).
pub(crate) const DNS_QUERIES: &[(&str, &str)] = &[
    ("www.google.com", "::ffff:142.250.185.68;"),
    ("login.microsoftonline.com", "type:  5 login.mso.msidentity.com;type:  5 ak.privatelink.msidentity.com;::ffff:20.190.159.4;"),
    ("outlook.office365.com", "type:  5 outlook.ha.office365.com;::ffff:52.96.165.18;::ffff:52.97.146.162;"),
    ("settings-win.data.microsoft.com", "type:  5 atm-settingsfe-prod-geo2.trafficmanager.net;::ffff:40.127.240.158;"),
    ("github.com", "::ffff:140.82.121.4;"),
    ("wpad", ""),
    ("intranet", "::ffff:10.20.1.15;"),
];

/// Files created by processes (`{user}` is replaced).
pub(crate) const CREATED_FILES: &[&str] = &[
    r"C:\Users\{user}\AppData\Local\Temp\~DF3A1C.tmp",
    r"C:\Windows\Prefetch\CHROME.EXE-A1B2C3D4.pf",
    r"C:\Users\{user}\Downloads\Q4 report (final) & notes.pdf",
    r"C:\Users\{user}\AppData\Local\Microsoft\Windows\INetCache\IE\X1Y2Z3\favicon[1].ico",
    r"C:\Windows\ServiceProfiles\LocalService\AppData\Local\lastalive0.dat",
    r"C:\Users\{user}\AppData\Roaming\Microsoft\Windows\Recent\R&D notes.lnk",
    r"C:\ProgramData\Microsoft\Windows Defender\Scans\History\CacheManager\MpScanCache-1.bin",
    r"C:\Windows\Temp\__PSScriptPolicyTest_x2kq1c4d.yl3.ps1",
];

/// Registry keys written by processes (`{sid}` is replaced by the user's SID).
pub(crate) const REGISTRY_KEYS: &[(&str, &str)] = &[
    (
        r"HKU\{sid}\Software\Microsoft\Windows\CurrentVersion\Explorer\RecentDocs\.txt",
        "Binary Data",
    ),
    (
        r"HKLM\System\CurrentControlSet\Services\bam\State\UserSettings\{sid}\\Device\HarddiskVolume3\Windows\System32\cmd.exe",
        "Binary Data",
    ),
    (
        r"HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run\OneDrive Setup",
        r#""C:\Program Files\Microsoft OneDrive\OneDriveSetup.exe" /silent & exit"#,
    ),
    (
        r"HKU\{sid}\Software\Microsoft\Office\16.0\Common\Roaming\Identities\Count",
        "DWORD (0x00000001)",
    ),
    (
        r"HKLM\System\CurrentControlSet\Services\W32Time\Config\LastKnownGoodTime",
        "QWORD (0x01da3c5e-0x2a6b8f00)",
    ),
    (
        r"HKU\{sid}\Software\Classes\Local Settings\Software\Microsoft\Windows\Shell\MuiCache\C:\Tools\a&b.exe.FriendlyAppName",
        "a&b <tool>",
    ),
];

/// Windows services: (service key name, display name, image path).
pub(crate) const SERVICES: &[(&str, &str, &str)] = &[
    (
        "BITS",
        "Background Intelligent Transfer Service",
        r"C:\Windows\System32\svchost.exe -k netsvcs -p",
    ),
    (
        "wuauserv",
        "Windows Update",
        r"C:\Windows\system32\svchost.exe -k netsvcs -p",
    ),
    (
        "WinDefend",
        "Microsoft Defender Antivirus Service",
        r#""C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.23110.3-0\MsMpEng.exe""#,
    ),
    (
        "TrustedInstaller",
        "Windows Modules Installer",
        r"C:\Windows\servicing\TrustedInstaller.exe",
    ),
    (
        "sppsvc",
        "Software Protection",
        r"C:\Windows\system32\sppsvc.exe",
    ),
    (
        "DoSvc",
        "Delivery Optimization",
        r"C:\Windows\System32\svchost.exe -k NetworkService -p",
    ),
    (
        "WinHttpAutoProxySvc",
        "WinHTTP Web Proxy Auto-Discovery Service",
        r"C:\Windows\system32\svchost.exe -k LocalServiceNetworkRestricted -p",
    ),
    (
        "gupdate",
        "Google Update Service (gupdate)",
        r#""C:\Program Files (x86)\Google\Update\GoogleUpdate.exe" /svc"#,
    ),
    (
        "edgeupdate",
        "Microsoft Edge Update Service (edgeupdate)",
        r#""C:\Program Files (x86)\Microsoft\EdgeUpdate\MicrosoftEdgeUpdate.exe" /svc"#,
    ),
    (
        "AppXSvc",
        "AppX Deployment Service (AppXSVC)",
        r"C:\Windows\system32\svchost.exe -k wsappx -p",
    ),
    (
        "Sense & Sync",
        "Contoso Sync <Agent>",
        r#""C:\Program Files\Contoso\Sync\agent.exe" --mode "a&b""#,
    ),
];

/// Windows updates: (KB number, title).
pub(crate) const UPDATES: &[(&str, &str)] = &[
    ("KB5034122", "2024-01 Cumulative Update for Windows 10 Version 22H2 for x64-based Systems (KB5034122)"),
    ("KB5034441", "2024-01 Security Update for Windows 10 Version 22H2 for x64-based Systems (KB5034441)"),
    ("KB2267602", "Security Intelligence Update for Microsoft Defender Antivirus - KB2267602 (Version 1.403.1062.0)"),
    ("KB890830", "Windows Malicious Software Removal Tool x64 - v5.120 (KB890830)"),
    ("KB5033909", "2024-01 Cumulative Update for .NET Framework 3.5, 4.8 and 4.8.1 for Windows 10 Version 22H2 for x64 (KB5033909)"),
    ("KB4023057", "2023-12 Update for Windows 10 Version 22H2 for x64-based Systems (KB4023057)"),
];

/// Installed products: (name, version, manufacturer).
pub(crate) const PRODUCTS: &[(&str, &str, &str)] = &[
    (
        "Microsoft Visual C++ 2019 X64 Minimum Runtime - 14.29.30139",
        "14.29.30139",
        MS,
    ),
    ("Google Chrome", "120.0.6099.130", "Google LLC"),
    ("7-Zip 23.01 (x64 edition)", "23.01.00.0", "Igor Pavlov"),
    ("Notepad++ (64-bit x64)", "8.6.0", "Notepad++ Team"),
    ("Contoso R&D Toolkit <Beta>", "2.0.1.77", "Contoso Ltd."),
    ("Microsoft Update Health Tools", "3.74.0.0", MS),
];

/// Crashing applications: (image file name, version, faulting module, module version,
/// exception code).
pub(crate) const CRASHES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "explorer.exe",
        "10.0.19041.3636",
        "ntdll.dll",
        "10.0.19041.3636",
        "c0000374",
    ),
    (
        "OUTLOOK.EXE",
        "16.0.17126.20132",
        "mso20win32client.dll",
        "0.0.0.0",
        "c0000005",
    ),
    (
        "Teams.exe",
        "1.6.0.35961",
        "Teams.exe",
        "1.6.0.35961",
        "80000003",
    ),
    (
        "chrome.exe",
        "120.0.6099.130",
        "chrome.dll",
        "120.0.6099.130",
        "c0000005",
    ),
    (
        "AcroRd32.exe",
        "23.8.20470.0",
        "AcroRd32.dll",
        "23.8.20470.0",
        "c0000409",
    ),
    (
        "ContosoClient.exe",
        "4.2.0.0",
        "KERNELBASE.dll",
        "10.0.19041.3636",
        "e0434352",
    ),
];

/// .NET exceptions for `.NET Runtime` 1026: (exception, stack frame).
pub(crate) const DOTNET_EXCEPTIONS: &[(&str, &str)] = &[
    (
        "System.IO.FileNotFoundException",
        "   at Contoso.Sync.Agent.LoadConfig(System.String)",
    ),
    (
        "System.NullReferenceException",
        "   at Contoso.Client.MainForm.OnLoad(System.EventArgs)",
    ),
    (
        "System.Net.WebException",
        "   at System.Net.HttpWebRequest.GetResponse()",
    ),
    (
        "System.UnauthorizedAccessException",
        "   at System.IO.__Error.WinIOError(Int32, System.String)",
    ),
];

/// ESENT databases: (process, instance, log path).
pub(crate) const ESENT_INSTANCES: &[(&str, &str, &str)] = &[
    (
        "svchost",
        "TILEREPOSITORYS-1-5-18: ",
        r"C:\Windows\system32\config\systemprofile\AppData\Local\TileDataLayer\Database\EDB.log",
    ),
    (
        "SearchIndexer",
        "Windows: ",
        r"C:\ProgramData\Microsoft\Search\Data\Applications\Windows\MSS.log",
    ),
    ("DllHost", "SRUJet: ", r"C:\Windows\system32\SRU\SRU.log"),
    (
        "taskhostw",
        "WebCacheLocal: ",
        r"C:\Users\{user}\AppData\Local\Microsoft\Windows\WebCache\V01.log",
    ),
];

/// Lateral-movement and service targets for explicit-credential logons and Kerberos tickets.
pub(crate) const SPN_SERVICES: &[&str] = &["cifs", "HTTP", "ldap", "host", "MSSQLSvc", "RPCSS"];
