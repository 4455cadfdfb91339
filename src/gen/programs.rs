//! Programs the generator starts and watches: process images with command-line templates
//! and version information (for 4688 and Sysmon 1), long-running system processes, and DLLs
//! for image loads.
//!
//! Invariants: the same as `pools` (non-empty constant slices whose order is part of the
//! output). Command lines deliberately contain quotes, `&`, `<` and `>`; `{user}` is replaced
//! by the acting user's account name.

/// A program that starts processes: image path, command-line templates, version info.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Program {
    pub image: &'static str,
    pub commands: &'static [&'static str],
    pub description: &'static str,
    pub product: &'static str,
    pub company: &'static str,
    pub original: &'static str,
    pub version: &'static str,
}

const MS: &str = "Microsoft Corporation";
const WIN: &str = "Microsoft® Windows® Operating System";
const WINVER: &str = "10.0.19041.3636 (WinBuild.160101.0800)";

/// Programs with weights for how often they start.
pub(crate) const PROGRAMS: &[(u32, Program)] = &[
    (
        18,
        Program {
            image: r"C:\Windows\System32\svchost.exe",
            commands: &[
                r"C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule",
                r"C:\Windows\system32\svchost.exe -k LocalServiceNetworkRestricted -p -s lmhosts",
                r"C:\Windows\System32\svchost.exe -k wsappx -p -s AppXSvc",
                r"C:\Windows\system32\svchost.exe -k UnistackSvcGroup",
                r"C:\Windows\system32\svchost.exe -k netsvcs -p -s BITS",
            ],
            description: "Host Process for Windows Services",
            product: WIN,
            company: MS,
            original: "svchost.exe",
            version: WINVER,
        },
    ),
    (
        10,
        Program {
            image: r"C:\Windows\System32\cmd.exe",
            commands: &[
                r#""C:\Windows\system32\cmd.exe" /c "echo %DATE% & dir C:\Users\Public > C:\Temp\list.txt""#,
                r#"C:\Windows\system32\cmd.exe /c "ping -n 1 10.0.0.1 && echo reachable || echo down""#,
                r#"cmd.exe /c findstr /i "<error>" "C:\Logs\App & Web\app.log""#,
                r#"C:\Windows\system32\cmd.exe /d /c "C:\Program Files\Git\cmd\git.exe" status"#,
                r"C:\Windows\system32\cmd.exe",
            ],
            description: "Windows Command Processor",
            product: WIN,
            company: MS,
            original: "Cmd.Exe",
            version: WINVER,
        },
    ),
    (
        9,
        Program {
            image: r"C:\Windows\System32\conhost.exe",
            commands: &[r"\??\C:\Windows\system32\conhost.exe 0xffffffff -ForceV1"],
            description: "Console Window Host",
            product: WIN,
            company: MS,
            original: "CONHOST.EXE",
            version: WINVER,
        },
    ),
    (
        8,
        Program {
            image: r"C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe",
            commands: &[
                r#""C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" -NoProfile -ExecutionPolicy Bypass -Command "Get-Process | Where-Object { $_.CPU -gt 100 } | Select-Object -First 5""#,
                r#"powershell.exe -NonInteractive -Command "if ((Get-Date).Hour -lt 8) { Write-Output '<early>' } else { 'ok' & 'done' }""#,
                r#""C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" -File "C:\Scripts\Backup & Sync.ps1" -Target "\\SRV-FILE01\share""#,
            ],
            description: "Windows PowerShell",
            product: WIN,
            company: MS,
            original: "PowerShell.EXE",
            version: "10.0.19041.3570 (WinBuild.160101.0800)",
        },
    ),
    (
        8,
        Program {
            image: r"C:\Program Files\Google\Chrome\Application\chrome.exe",
            commands: &[
                r#""C:\Program Files\Google\Chrome\Application\chrome.exe" --type=renderer --lang=en-US --field-trial-handle=1832,i,4471956238154215310,1290441539411474537,262144 /prefetch:1"#,
                r#""C:\Program Files\Google\Chrome\Application\chrome.exe" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none /prefetch:8"#,
                r#""C:\Program Files\Google\Chrome\Application\chrome.exe" "https://intranet.contoso.local/search?q=a&b=<c>""#,
            ],
            description: "Google Chrome",
            product: "Google Chrome",
            company: "Google LLC",
            original: "chrome.exe",
            version: "120.0.6099.130",
        },
    ),
    (
        6,
        Program {
            image: r"C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe",
            commands: &[
                r#""C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --type=renderer --disable-gpu-compositing --lang=en-US /prefetch:1"#,
                r#""C:\Program Files (x86)\Microsoft\Edge\Application\msedge.exe" --single-argument https://portal.office.com/?auth=2&home=1"#,
            ],
            description: "Microsoft Edge",
            product: "Microsoft Edge",
            company: MS,
            original: "msedge.exe",
            version: "120.0.2210.91",
        },
    ),
    (
        5,
        Program {
            image: r"C:\Windows\System32\taskhostw.exe",
            commands: &[
                r"taskhostw.exe -RegisterDevice -ProtectionStateChanged -FreeNetworkOnly",
                r"taskhostw.exe {222A245B-E637-4AE9-A93F-A59CA119A75E}",
            ],
            description: "Host Process for Windows Tasks",
            product: WIN,
            company: MS,
            original: "taskhostw.exe",
            version: WINVER,
        },
    ),
    (
        4,
        Program {
            image: r"C:\Windows\System32\rundll32.exe",
            commands: &[
                r#""C:\Windows\system32\rundll32.exe" C:\Windows\system32\shell32.dll,SHCreateLocalServerRunDll {9aa46009-3ce0-458a-a354-715610a075e6} -Embedding"#,
                r"C:\Windows\system32\rundll32.exe C:\Windows\system32\inetcpl.cpl,ClearMyTracksByProcess Flags:65800 WinX:0 WinY:0 IEFrame:0000000000000000",
            ],
            description: "Windows host process (Rundll32)",
            product: WIN,
            company: MS,
            original: "RUNDLL32.EXE",
            version: WINVER,
        },
    ),
    (
        4,
        Program {
            image: r"C:\Windows\System32\wbem\WmiPrvSE.exe",
            commands: &[r"C:\Windows\system32\wbem\wmiprvse.exe -secured -Embedding"],
            description: "WMI Provider Host",
            product: WIN,
            company: MS,
            original: "Wmiprvse.exe",
            version: WINVER,
        },
    ),
    (
        3,
        Program {
            image: r"C:\Program Files\Git\cmd\git.exe",
            commands: &[
                r#""C:\Program Files\Git\cmd\git.exe" log --format="%h <%an> %s" -n 20"#,
                r#"git.exe commit -m "Fix <br> handling & escape 'quotes'""#,
            ],
            description: "Git for Windows",
            product: "Git",
            company: "The Git Development Community",
            original: "git.exe",
            version: "2.43.0.windows.1",
        },
    ),
    (
        3,
        Program {
            image: r"C:\Users\{user}\AppData\Local\Programs\Python\Python312\python.exe",
            commands: &[
                r#""C:\Users\{user}\AppData\Local\Programs\Python\Python312\python.exe" -c "print('a<b' if 1 < 2 else \"x&y\")""#,
                r#"python.exe "C:\Users\{user}\Projects\etl & reports\run.py" --since 2024-01-01"#,
            ],
            description: "Python",
            product: "Python",
            company: "Python Software Foundation",
            original: "python.exe",
            version: "3.12.1",
        },
    ),
    (
        3,
        Program {
            image: r"C:\Windows\System32\notepad.exe",
            commands: &[
                r#""C:\Windows\system32\NOTEPAD.EXE" "C:\Users\{user}\Documents\R&D notes.txt""#,
            ],
            description: "Notepad",
            product: WIN,
            company: MS,
            original: "NOTEPAD.EXE",
            version: WINVER,
        },
    ),
    (
        3,
        Program {
            image: r"C:\Users\{user}\AppData\Local\Microsoft\OneDrive\OneDrive.exe",
            commands: &[
                r#""C:\Users\{user}\AppData\Local\Microsoft\OneDrive\OneDrive.exe" /background"#,
            ],
            description: "Microsoft OneDrive",
            product: "Microsoft OneDrive",
            company: MS,
            original: "OneDrive.exe",
            version: "23.246.1127.0002",
        },
    ),
    (
        2,
        Program {
            image: r"C:\Windows\System32\whoami.exe",
            commands: &[r"whoami /all", r"whoami.exe /groups /fo csv"],
            description: "whoami - displays logged on user information",
            product: WIN,
            company: MS,
            original: "whoami.exe",
            version: WINVER,
        },
    ),
    (
        2,
        Program {
            image: r"C:\Windows\System32\reg.exe",
            commands: &[
                r#"reg query "HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Run""#,
                r#"reg.exe add "HKCU\Software\Contoso\R&D Tools" /v Path /t REG_SZ /d "C:\Tools" /f"#,
            ],
            description: "Registry Console Tool",
            product: WIN,
            company: MS,
            original: "reg.exe",
            version: WINVER,
        },
    ),
    (
        2,
        Program {
            image: r"C:\Windows\System32\net.exe",
            commands: &[
                r"net user {user} /domain",
                r"net.exe use Z: \\SRV-FILE01\Finance & Legal",
            ],
            description: "Net Command",
            product: WIN,
            company: MS,
            original: "net.exe",
            version: WINVER,
        },
    ),
    (
        2,
        Program {
            image: r"C:\Windows\System32\schtasks.exe",
            commands: &[
                r#"schtasks.exe /Create /TN "\Contoso\Nightly <backup>" /TR "C:\Scripts\backup.cmd" /SC DAILY /ST 02:00 /F"#,
            ],
            description: "Task Scheduler Configuration Tool",
            product: WIN,
            company: MS,
            original: "schtasks.exe",
            version: WINVER,
        },
    ),
    (
        2,
        Program {
            image: r"C:\Windows\System32\SearchProtocolHost.exe",
            commands: &[
                r#""C:\Windows\system32\SearchProtocolHost.exe" Global\UsGthrFltPipeMssGthrPipe5_ Global\UsGthrCtrlFltPipeMssGthrPipe5 1 -2147483646 "Software\Microsoft\Windows Search" "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT; MS Search 4.0 Robot)" "C:\ProgramData\Microsoft\Search\Data\Temp\usgthrsvc" "DownLevelDaemon""#,
            ],
            description: "Microsoft Windows Search Protocol Host",
            product: WIN,
            company: MS,
            original: "SearchProtocolHost.exe",
            version: WINVER,
        },
    ),
];

/// Long-running processes that parent others or are targets of access: (image, command line).
pub(crate) const SYSTEM_PROCESSES: &[(&str, &str)] = &[
    (
        r"C:\Windows\System32\services.exe",
        r"C:\Windows\system32\services.exe",
    ),
    (
        r"C:\Windows\System32\lsass.exe",
        r"C:\Windows\system32\lsass.exe",
    ),
    (r"C:\Windows\explorer.exe", r"C:\Windows\Explorer.EXE"),
    (
        r"C:\Windows\System32\svchost.exe",
        r"C:\Windows\system32\svchost.exe -k DcomLaunch -p",
    ),
    (
        r"C:\Windows\System32\csrss.exe",
        r"%SystemRoot%\system32\csrss.exe ObjectDirectory=\Windows SharedSection=1024,20480,768 Windows=On SubSystemType=Windows ServerDll=basesrv,1 ServerDll=winsrv:UserServerDllInitialization,3 ServerDll=sbsrv,4 ProfileControl=Off MaxRequestThreads=16",
    ),
    (
        r"C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.23110.3-0\MsMpEng.exe",
        r#""C:\ProgramData\Microsoft\Windows Defender\Platform\4.18.23110.3-0\MsMpEng.exe""#,
    ),
    (r"C:\Windows\System32\winlogon.exe", r"winlogon.exe"),
];

/// DLLs for image-load events: (file name, description).
pub(crate) const DLLS: &[(&str, &str)] = &[
    ("ntdll.dll", "NT Layer DLL"),
    ("kernel32.dll", "Windows NT BASE API Client DLL"),
    ("KernelBase.dll", "Windows NT BASE API Client DLL"),
    ("user32.dll", "Multi-User Windows USER API Client DLL"),
    ("combase.dll", "Microsoft COM for Windows"),
    ("amsi.dll", "Anti-Malware Scan Interface"),
    ("wldp.dll", "Windows Lockdown Policy"),
    ("crypt32.dll", "Crypto API32"),
    ("winhttp.dll", "Windows HTTP Services"),
    ("dnsapi.dll", "DNS Client API DLL"),
    ("vaultcli.dll", "Credential Vault Client Library"),
    ("samlib.dll", "SAM Library DLL"),
];
