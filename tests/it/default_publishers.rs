//! The embedded default publishers: every manifest parses and installs, and every event the
//! generator emits from a provider with a manifest formats with no warning (its inserts and
//! `%%n` parameter strings line up with the generated data), with its Level, Task, Opcode,
//! Keywords, Channel and Provider strings where the manifest defines them.

use std::collections::BTreeSet;
use std::sync::Arc;

use evtlog::{
    parse_manifest, Engine, Event, FormatWhat, Generator, Profile, Publisher, VirtualClock,
    DEFAULT_MANIFESTS,
};

fn engine() -> Engine {
    let engine = Engine::with_default_channels(Arc::new(VirtualClock::default()));
    engine.install_default_publishers().unwrap();
    engine
}

#[test]
fn every_embedded_manifest_parses_with_one_provider_named_after_its_file() {
    for manifest in DEFAULT_MANIFESTS {
        let publishers =
            parse_manifest(manifest.text).unwrap_or_else(|e| panic!("{}: {e}", manifest.file));
        assert_eq!(publishers.len(), 1, "{}", manifest.file);
        let expected = manifest.file.trim_end_matches(".man").replace('-', " ");
        assert_eq!(
            publishers[0].name.replace('-', " "),
            expected,
            "{}",
            manifest.file
        );
    }
}

#[test]
fn installing_the_defaults_installs_each_provider_once_and_keeps_an_installed_one() {
    let engine = Engine::with_default_channels(Arc::new(VirtualClock::default()));
    let names = engine.install_default_publishers().unwrap();
    assert_eq!(names.len(), DEFAULT_MANIFESTS.len());
    assert_eq!(names[0], "Microsoft-Windows-Security-Auditing");
    assert!(engine.has_channel("Microsoft-Windows-Sysmon/Operational"));
    assert!(engine.install_default_publishers().unwrap().is_empty());
    let listed: BTreeSet<String> = engine
        .publishers()
        .list()
        .iter()
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(listed, names.iter().cloned().collect());
    // Security's parameter file is its own message file: its %%n strings resolve.
    let security = engine
        .publishers()
        .get("Microsoft-Windows-Security-Auditing")
        .unwrap();
    assert_eq!(
        security
            .parameters
            .culture("en-US")
            .and_then(|t| t.get(&1833))
            .map(String::as_str),
        Some("Impersonation")
    );
}

#[test]
fn loading_the_defaults_writes_nothing_to_a_store() {
    let dir = crate::TempDir::new("default-publishers-load");
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    assert_eq!(
        engine.load_default_publishers().unwrap().len(),
        DEFAULT_MANIFESTS.len()
    );
    assert!(!dir.0.join("providers").exists());
    drop(engine);
    let reopened = Engine::open_store_dir(&dir.0).unwrap();
    assert!(reopened.publishers().list().is_empty());
}

#[test]
fn installed_defaults_are_kept_by_a_store() {
    let dir = crate::TempDir::new("default-publishers-keep");
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    assert_eq!(
        engine.install_default_publishers().unwrap().len(),
        DEFAULT_MANIFESTS.len()
    );
    drop(engine);
    let reopened = Engine::open_store_dir(&dir.0).unwrap();
    assert_eq!(reopened.publishers().list().len(), DEFAULT_MANIFESTS.len());
    assert!(reopened.install_default_publishers().unwrap().is_empty());
    let security = reopened
        .publishers()
        .get("Microsoft-Windows-Security-Auditing")
        .unwrap();
    assert!(security
        .parameters
        .culture("en-US")
        .is_some_and(|t| t.contains_key(&1833)));
}

/// The strings the manifest defines for `event` must format (an item with no message, as
/// Kernel-General's tasks and Kernel-Power's keywords have on Windows, has none to format).
fn defined(p: &Publisher, event: &Event) -> Vec<FormatWhat> {
    let s = &event.system;
    let mut what = vec![FormatWhat::Event];
    if s.level.is_some_and(|l| {
        p.levels
            .iter()
            .any(|d| d.value == u32::from(l) && d.message_id.is_some())
    }) {
        what.push(FormatWhat::Level);
    }
    if s.task.is_some_and(|t| {
        t != 0
            && p.tasks
                .iter()
                .any(|d| d.value == u32::from(t) && d.message_id.is_some())
    }) {
        what.push(FormatWhat::Task);
    }
    // A classic event (Qualifiers set: SCM's 7036 as Windows logs it) has no opcode name.
    let classic = s.qualifiers.is_some_and(|q| q != 0);
    if !classic
        && s.opcode.is_some_and(|o| {
            p.opcodes
                .iter()
                .any(|d| d.opcode == o && d.message_id.is_some())
        })
    {
        what.push(FormatWhat::Opcode);
    }
    if s.keywords.is_some_and(|k| {
        p.keywords
            .iter()
            .any(|d| d.mask & k != 0 && d.message_id.is_some())
    }) {
        what.push(FormatWhat::Keyword);
    }
    let channel = s.channel.as_deref().unwrap_or_default();
    if p.channels
        .iter()
        .any(|c| c.name.eq_ignore_ascii_case(channel))
    {
        what.push(FormatWhat::Channel);
    }
    if p.message_id.is_some() {
        what.push(FormatWhat::Provider);
    }
    what
}

#[test]
fn every_generated_event_of_a_provider_with_a_manifest_formats_with_no_warning() {
    let engine = engine();
    let installed: BTreeSet<String> = engine
        .publishers()
        .list()
        .iter()
        .map(|p| p.name.clone())
        .collect();
    let mut generator = Generator::new(0x005e_ed0f_defa);
    let mut formatted = BTreeSet::new();
    let mut unformatted = BTreeSet::new();
    for profile in Profile::ALL {
        let mut count = 0;
        for _ in 0..5000 {
            let event = generator.next_event(profile);
            let provider = event
                .system
                .provider
                .name
                .as_deref()
                .unwrap_or_default()
                .to_owned();
            if !installed.contains(&provider) {
                unformatted.insert(provider);
                continue;
            }
            let metadata = engine.open_publisher_metadata(Some(&provider), 0).unwrap();
            let publisher = metadata.publisher().unwrap().clone();
            for what in defined(&publisher, &event) {
                let id = (provider.as_str(), event.system.event_id, what);
                let text = metadata
                    .format(&event, what)
                    .unwrap_or_else(|e| panic!("{id:?}: {e}\n{}", event.to_xml()));
                assert!(
                    text.warning().is_none(),
                    "{id:?}: {:?}: {}",
                    text.warning(),
                    text.text()
                );
                assert!(!text.text().is_empty(), "{id:?}");
                if what == FormatWhat::Event {
                    assert!(!text.text().contains("%%"), "{id:?}: {}", text.text());
                }
            }
            formatted.insert((provider, event.system.event_id));
            count += 1;
        }
        assert!(count > 0 || profile == Profile::Application, "{profile:?}");
    }
    // The classic sources have no manifest (README's fidelity table).
    let classic: BTreeSet<&str> = [
        ".NET Runtime",
        "Application Error",
        "ESENT",
        "EventLog",
        "Microsoft-Windows-Security-SPP",
        "MsiInstaller",
        "SecurityCenter",
        "Windows Error Reporting",
    ]
    .into();
    assert!(
        unformatted.iter().all(|p| classic.contains(p.as_str())),
        "{unformatted:?}"
    );
    // Every provider with a manifest was seen.
    let seen: BTreeSet<&str> = formatted.iter().map(|(p, _)| p.as_str()).collect();
    assert_eq!(seen, installed.iter().map(String::as_str).collect());
}

/// The first event of `provider` with `id` that the seeded generator emits for `profile`.
fn first(generator: &mut Generator, profile: Profile, provider: &str, id: u16) -> Event {
    (0..20_000)
        .map(|_| generator.next_event(profile))
        .find(|e| e.system.provider.name.as_deref() == Some(provider) && e.system.event_id == id)
        .unwrap_or_else(|| panic!("no {provider} {id}"))
}

fn message(engine: &Engine, event: &Event) -> String {
    let provider = event.system.provider.name.as_deref();
    let formatted = engine
        .open_publisher_metadata(provider, 0)
        .unwrap()
        .format(event, FormatWhat::Event)
        .unwrap();
    assert!(formatted.warning().is_none());
    formatted.text().to_owned()
}

#[test]
fn golden_messages_of_seeded_events() {
    let engine = engine();
    let mut generator = Generator::new(7);
    let logon = first(
        &mut generator,
        Profile::Security,
        "Microsoft-Windows-Security-Auditing",
        4624,
    );
    // ImpersonationLevel %%1833, VirtualAccount %%1843, ElevatedToken %%1842: Security's
    // parameter strings; HexInt64 inserts in Windows' upper-case hex.
    assert_eq!(
        message(&engine, &logon),
        "An account logged on.\r\n\r\n\
         Subject: ADATUM\\WS-0142$ (S-1-5-18), logon id 0x3E7.\r\n\
         New logon: NT AUTHORITY\\SYSTEM (S-1-5-18), logon id 0x3E7, linked logon id 0x0.\r\n\
         Logon type: 5. Impersonation level: Impersonation. Restricted admin mode: -. \
         Virtual account: No. Elevated token: Yes.\r\n\
         Process: C:\\Windows\\System32\\services.exe (id 0x340).\r\n\
         Network: workstation -, address -, port -.\r\n\
         Authentication: process Advapi  , package Negotiate, transited services -, \
         NTLM package -, key length 0."
    );
    let scm = first(
        &mut generator,
        Profile::System,
        "Service Control Manager",
        7036,
    );
    assert_eq!(
        message(&engine, &scm),
        "The Contoso Sync <Agent> service is now running."
    );
    let sysmon = first(
        &mut generator,
        Profile::Sysmon,
        "Microsoft-Windows-Sysmon",
        1,
    );
    let text = message(&engine, &sysmon);
    let lines: Vec<&str> = text.split("\r\n").collect();
    assert_eq!(lines.len(), 24, "{text}");
    assert_eq!(
        lines[..6],
        [
            "Process Create:",
            "RuleName: -",
            "UtcTime: 2024-01-01 00:01:53.315",
            "ProcessGuid: {aade369d-6592-00f1-0800-000000000c00}",
            "ProcessId: 4828",
            "Image: C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
        ]
    );
    assert_eq!(lines[15], "LogonId: 0x15C1E3");
    assert_eq!(lines[23], "ParentUser: ADATUM\\helpdesk");
    // Level, task, opcode and keywords of the logon, as Event Viewer shows them.
    let security = engine
        .open_publisher_metadata(Some("Microsoft-Windows-Security-Auditing"), 0)
        .unwrap();
    let text = |what| security.format(&logon, what).unwrap().text().to_owned();
    assert_eq!(text(FormatWhat::Level), "Information");
    assert_eq!(text(FormatWhat::Task), "Logon");
    assert_eq!(text(FormatWhat::Opcode), "Info");
    assert_eq!(text(FormatWhat::Keyword), "Audit Success\0");
}

/// A program using the facade formats a generated event with no setup: the service's engine
/// has the default publishers after a reset.
#[test]
fn the_service_formats_generated_events_with_no_setup() {
    use evtlog::winevt::*;
    let _guard = crate::winevt::SERVICE
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    controls::reset();
    let mut generator = Generator::new(7);
    let logon = first(
        &mut generator,
        Profile::Security,
        "Microsoft-Windows-Security-Auditing",
        4624,
    );
    controls::engine().write("Security", logon).unwrap();
    let query = EvtQuery(0, Some("Security"), None, EvtQueryChannelPath);
    assert_ne!(query, 0);
    let mut events = [0; 1];
    let mut returned = 0;
    assert_eq!(EvtNext(query, &mut events, 0, 0, &mut returned), TRUE);
    let metadata =
        EvtOpenPublisherMetadata(0, Some("Microsoft-Windows-Security-Auditing"), None, 0, 0);
    assert_ne!(metadata, 0);
    let mut buffer = vec![0u16; 4096];
    let mut used = 0;
    let flags = EvtFormatMessageEvent;
    assert_eq!(
        EvtFormatMessage(metadata, events[0], 0, &[], flags, &mut buffer, &mut used),
        TRUE
    );
    let text = String::from_utf16(&buffer[..used as usize - 1]).unwrap();
    assert!(text.starts_with("An account logged on.\r\n"), "{text}");
    assert!(
        text.contains("Impersonation level: Impersonation."),
        "{text}"
    );
    for handle in [metadata, events[0], query] {
        assert_eq!(EvtClose(handle), TRUE);
    }
}
