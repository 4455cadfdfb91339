//! Real provider binaries installed as providers and used to format real events: the
//! `evtx` crate's sample DLLs (found through `cargo metadata`, skipped with a notice where
//! absent) copied into a stand-in Windows directory, installed from their resource files
//! (`Engine::install_resource_provider`) or named by a manifest, and the events of the real
//! .evtx samples whose providers they define formatted through `PublisherMetadata`.

use crate::{samples, Samples};
use evtlog::{
    Body, DataItem, Engine, ErrorKind, EventRef, FormatWhat, Guid, ManifestFiles, Next, Node,
    QueryFlags,
};

const SECURITY_AUDITING: &str = "Microsoft-Windows-Security-Auditing";
const SECURITY_AUDITING_GUID: u128 = 0x54849625_5478_4994_a5ba_3e3b0328c30d;
const SCM: &str = "Service Control Manager";
const SCM_GUID: u128 = 0x555908d1_a6d7_4695_8e1e_26931d2012f4;
const EVENTLOG: &str = "Microsoft-Windows-Eventlog";

/// A stand-in Windows directory with the named sample binaries in its `System32`, or None
/// (after a notice) when the evtx crate's samples are not available.
fn windows_dir(tag: &str, files: &[&str]) -> Option<crate::TempDir> {
    let dir = crate::TempDir::new(tag);
    std::fs::create_dir_all(dir.0.join("System32")).unwrap();
    for f in files {
        std::fs::copy(crate::resources::dll(f)?, dir.0.join("System32").join(f)).unwrap();
    }
    Some(dir)
}

fn resource_file(path: &str) -> ManifestFiles {
    ManifestFiles {
        resource_file: Some(path.into()),
        ..ManifestFiles::default()
    }
}

/// Every event of a real sample whose provider is `provider`.
fn events_of(s: &Samples, engine: &Engine, sample: &str, provider: &str) -> Vec<EventRef> {
    let path = s.path(sample);
    let rs = engine
        .default_session()
        .query(Some(&path.to_string_lossy()), None, QueryFlags::FILE_PATH)
        .unwrap();
    let mut out = Vec::new();
    while let Next::Events(batch) = rs.next(1024, None).unwrap() {
        out.extend(batch);
    }
    out.retain(|e| e.event().system.provider.name.as_deref() == Some(provider));
    out
}

/// The named `<Data>` of an event, as text.
fn data(e: &EventRef, name: &str) -> String {
    match &e.event().body {
        Body::EventData(d) => d.get(name).map(|v| v.to_text()).unwrap_or_default(),
        other => panic!("no EventData: {other:?}"),
    }
}

/// The names of an event's payload: its `<Data Name>`s, or its UserData element's children.
fn payload_names(e: &EventRef) -> Vec<String> {
    match &e.event().body {
        Body::EventData(d) => d
            .items
            .iter()
            .filter_map(|i| match i {
                DataItem::Data { name, .. } => name.as_deref().map(str::to_owned),
                _ => None,
            })
            .collect(),
        Body::UserData(nodes) => nodes
            .iter()
            .filter_map(|n| match n {
                Node::Element(e) => Some(e),
                _ => None,
            })
            .flat_map(|e| &e.children)
            .filter_map(|n| match n {
                Node::Element(e) => Some(e.name.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[test]
fn security_auditing_from_adtschema_formats_the_real_security_log() {
    let Some(samples) = samples() else {
        return;
    };
    let Some(windows) = windows_dir("dll-security", &["adtschema.dll"]) else {
        return;
    };
    let engine = Engine::new();
    engine.set_windows_dir(&windows.0);
    let guid = engine
        .install_resource_provider(
            SECURITY_AUDITING,
            Some(Guid::from_u128(SECURITY_AUDITING_GUID)),
            &resource_file(r"%SystemRoot%\System32\adtschema.dll"),
        )
        .unwrap();
    assert_eq!(guid, Guid::from_u128(SECURITY_AUDITING_GUID));
    let p = engine.publishers().get(SECURITY_AUDITING).unwrap();
    // The en-US MESSAGETABLE (544 strings) and the WEVT_TEMPLATE (its events) were read.
    assert_eq!(p.messages.culture("en-US").map(|t| t.len()), Some(544));
    assert!(p.events.len() > 400, "{} events", p.events.len());
    let metadata = engine
        .open_publisher_metadata(Some(SECURITY_AUDITING), 0)
        .unwrap();
    assert_eq!(
        metadata
            .format(
                &events_of(
                    &samples,
                    &engine,
                    "evtx-crate/security.evtx",
                    SECURITY_AUDITING
                )[0]
                .event()
                .clone(),
                FormatWhat::Provider
            )
            .unwrap()
            .text(),
        "Microsoft Windows security auditing."
    );

    let events = events_of(
        &samples,
        &engine,
        "evtx-crate/security.evtx",
        SECURITY_AUDITING,
    );
    assert!(events.len() > 2000, "{} events", events.len());
    let mut formatted = 0;
    let mut seen_first_line = std::collections::BTreeMap::new();
    for e in &events {
        let s = &e.event().system;
        let defined = p
            .events
            .iter()
            .any(|d| d.value == u32::from(s.event_id) && d.version == s.version.unwrap_or(0));
        if !defined {
            continue;
        }
        let message = metadata
            .format(e.event(), FormatWhat::Event)
            .unwrap_or_else(|err| panic!("record {}: {err}", e.record_id()));
        formatted += 1;
        let first = message.text().lines().next().unwrap_or_default().to_owned();
        seen_first_line.entry(s.event_id).or_insert(first);
        // The template's fields are the record's: the WEVT templates were read right.
        let d = p
            .events
            .iter()
            .find(|d| d.value == u32::from(s.event_id) && d.version == s.version.unwrap_or(0))
            .unwrap();
        if let (Some(t), Body::EventData(_)) = (d.template, &e.event().body) {
            let names: Vec<String> = p.templates[t]
                .items
                .iter()
                .map(|i| i.name.clone())
                .collect();
            assert_eq!(payload_names(e), names, "record {}", e.record_id());
        }
    }
    println!(
        "security.evtx: {formatted} of {} Security-Auditing events formatted from adtschema.dll",
        events.len()
    );
    assert_eq!(
        formatted,
        events.len(),
        "every event is one the DLL defines"
    );
    for (id, first) in [
        (4608, "Windows is starting up."),
        (4624, "An account was successfully logged on."),
        (4634, "An account was logged off."),
        (4672, "Special privileges assigned to new logon."),
        (4720, "A user account was created."),
        (4907, "Auditing settings on object were changed."),
    ] {
        assert_eq!(
            seen_first_line.get(&id).map(String::as_str),
            Some(first),
            "{id}"
        );
    }

    // Record 2 is a 4624: its insert values are in the message where the string puts them.
    let e4624 = events.iter().find(|e| e.record_id() == 2).unwrap();
    assert_eq!(e4624.event().system.event_id, 4624);
    let text = metadata
        .format(e4624.event(), FormatWhat::Event)
        .unwrap()
        .into_text();
    let user = data(e4624, "TargetUserName");
    assert_eq!(user, "SYSTEM");
    assert!(
        text.contains(&format!(
            "New Logon:\r\n\tSecurity ID:\t\tS-1-5-18\r\n\tAccount Name:\t\t{user}\r\n"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Logon Type:\t\t\t{}\r\n",
            data(e4624, "LogonType")
        )),
        "{text}"
    );
    // Level, Task and Keyword come from Winmeta and the provider's own strings.
    assert_eq!(
        metadata
            .format(e4624.event(), FormatWhat::Keyword)
            .unwrap()
            .text(),
        "Audit Success\0"
    );
    assert_eq!(
        metadata
            .format(e4624.event(), FormatWhat::Task)
            .unwrap()
            .text(),
        "Logon"
    );
}

#[test]
fn service_control_manager_from_services_exe_has_templates_and_no_strings() {
    let Some(samples) = samples() else {
        return;
    };
    let Some(windows) = windows_dir("dll-scm", &["services.exe"]) else {
        return;
    };
    let engine = Engine::new();
    engine.set_windows_dir(&windows.0);
    // services.exe holds three providers: without a GUID it is ambiguous (15002).
    let err = engine
        .install_resource_provider(SCM, None, &resource_file("services.exe"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PublisherMetadataNotFound, "{err}");
    assert!(err.to_string().contains("holds 3"), "{err}");
    engine
        .install_resource_provider(
            SCM,
            Some(Guid::from_u128(SCM_GUID)),
            &resource_file("services.exe"),
        )
        .unwrap();
    let p = engine.publishers().get(SCM).unwrap();
    assert!(p.messages.is_empty());
    let metadata = engine.open_publisher_metadata(Some(SCM), 0).unwrap();
    let events = events_of(&samples, &engine, "plaso/System.evtx", SCM);
    assert!(events.len() > 4000, "{} events", events.len());
    for e in &events {
        // No .mui ships beside services.exe: the event's message is ERROR_MUI_FILE_NOT_FOUND
        // (README: a provider's missing message file), its level still Winmeta's.
        let err = metadata.format(e.event(), FormatWhat::Event).unwrap_err();
        assert_eq!(err.win32_code(), 15100, "record {}: {err}", e.record_id());
        let level = metadata.format(e.event(), FormatWhat::Level).unwrap();
        let want = match e.event().system.level {
            Some(2) => "Error",
            Some(3) => "Warning",
            _ => "Information",
        };
        assert_eq!(level.text(), want);
        assert_eq!(
            metadata
                .format(e.event(), FormatWhat::Keyword)
                .unwrap()
                .text(),
            "Classic\0"
        );
    }
    // SCM events carry Qualifiers: classic rules, no task or opcode names (Windows'
    // RenderingInfo for SCM has empty <Task> and <Opcode>).
    let first = events[0].event();
    for what in [FormatWhat::Task, FormatWhat::Opcode] {
        let err = metadata.format(first, what).unwrap_err();
        assert_eq!(err.win32_code(), 15027, "{what:?}");
    }
    // 7036's template fields are the record's.
    let e7036 = events
        .iter()
        .find(|e| e.event().system.event_id == 7036)
        .unwrap();
    let d = p.events.iter().find(|d| d.value == 7036).unwrap();
    let names: Vec<&str> = p.templates[d.template.unwrap()]
        .items
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(&names[..2], ["param1", "param2"]);
    assert_eq!(&payload_names(e7036)[..2], ["param1", "param2"]);
    assert_eq!(data(e7036, "param1"), "Windows Event Log");
}

#[test]
fn eventlog_provider_from_wevtsvc_reads_104_and_1102_templates() {
    let Some(samples) = samples() else {
        return;
    };
    let Some(windows) = windows_dir("dll-eventlog", &["wevtsvc.dll"]) else {
        return;
    };
    let engine = Engine::new();
    engine.set_windows_dir(&windows.0);
    engine
        .install_resource_provider(
            EVENTLOG,
            None,
            &resource_file(r"C:\Windows\system32\WEVTSVC.DLL"),
        )
        .unwrap();
    let p = engine.publishers().get(EVENTLOG).unwrap();
    let fields = |id: u32, version: u8| -> Vec<(String, String)> {
        let d = p
            .events
            .iter()
            .find(|d| d.value == id && d.version == version)
            .unwrap();
        p.templates[d.template.unwrap()]
            .items
            .iter()
            .map(|i| (i.name.clone(), i.in_type.clone()))
            .collect()
    };
    let s = |v: &[(&str, &str)]| -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    assert_eq!(
        fields(104, 0),
        s(&[
            ("SubjectUserName", "win:UnicodeString"),
            ("SubjectDomainName", "win:UnicodeString"),
            ("Channel", "win:UnicodeString"),
            ("BackupPath", "win:UnicodeString"),
        ])
    );
    assert_eq!(
        fields(1102, 0),
        s(&[
            ("SubjectUserSid", "win:SID"),
            ("SubjectUserName", "win:UnicodeString"),
            ("SubjectDomainName", "win:UnicodeString"),
            ("SubjectLogonId", "win:HexInt64"),
        ])
    );
    let metadata = engine.open_publisher_metadata(Some(EVENTLOG), 0).unwrap();
    // system.evtx's two 104s (log cleared): the UserData's fields are the template's.
    let events = events_of(&samples, &engine, "evtx-crate/system.evtx", EVENTLOG);
    let cleared: Vec<&EventRef> = events
        .iter()
        .filter(|e| e.event().system.event_id == 104)
        .collect();
    assert_eq!(cleared.len(), 2);
    for e in cleared {
        let want: Vec<String> = fields(104, 0).into_iter().map(|(n, _)| n).collect();
        assert_eq!(payload_names(e), want);
        assert_eq!(
            metadata
                .format(e.event(), FormatWhat::Level)
                .unwrap()
                .text(),
            "Information"
        );
        assert_eq!(
            metadata
                .format(e.event(), FormatWhat::Channel)
                .unwrap()
                .text(),
            "System"
        );
        assert_eq!(
            metadata
                .format(e.event(), FormatWhat::Opcode)
                .unwrap()
                .text(),
            "Info"
        );
        // wevtsvc.dll's strings are in its .mui, which the samples do not have.
        let err = metadata.format(e.event(), FormatWhat::Event).unwrap_err();
        assert_eq!(err.win32_code(), 15100);
    }
    // security.evtx's 1100s (service shutdown) and 1101: defined, with their Security channel.
    let events = events_of(&samples, &engine, "evtx-crate/security.evtx", EVENTLOG);
    assert_eq!(events.len(), 37);
    for e in &events {
        assert_eq!(
            metadata
                .format(e.event(), FormatWhat::Channel)
                .unwrap()
                .text(),
            "Security"
        );
    }
}

/// The manifest route (how evtutil im registers a real DLL): a provider element naming the
/// binary. Its files are read when it is installed, and a binary copied in later is read
/// when the provider's metadata is next opened.
#[test]
fn a_manifest_naming_a_binary_is_filled_from_it_even_when_it_comes_later() {
    let Some(samples) = samples() else {
        return;
    };
    let Some(dll) = crate::resources::dll("adtschema.dll") else {
        return;
    };
    let windows = crate::TempDir::new("dll-later");
    let engine = Engine::new();
    engine.set_windows_dir(&windows.0);
    let manifest = format!(
        r#"<instrumentationManifest xmlns="http://schemas.microsoft.com/win/2004/08/events">
  <instrumentation><events>
    <provider name="{SECURITY_AUDITING}" guid="{{54849625-5478-4994-A5BA-3E3B0328C30D}}"
      symbol="SECURITY_AUDITING"
      resourceFileName="%SystemRoot%\System32\adtschema.dll"
      messageFileName="%SystemRoot%\System32\adtschema.dll"/>
  </events></instrumentation>
</instrumentationManifest>"#
    );
    // The file is not there yet: installed all the same (as wevtutil im does).
    engine.install_manifest(&manifest).unwrap();
    let event = events_of(
        &samples,
        &engine,
        "evtx-crate/security.evtx",
        SECURITY_AUDITING,
    )[1]
    .event()
    .clone();
    let before = engine
        .open_publisher_metadata(Some(SECURITY_AUDITING), 0)
        .unwrap();
    let err = before.format(&event, FormatWhat::Event).unwrap_err();
    assert_eq!(err.win32_code(), 15100, "{err}");

    std::fs::create_dir_all(windows.0.join("system32")).unwrap();
    std::fs::copy(&dll, windows.0.join("system32").join("AdtSchema.dll")).unwrap();
    // Opened by several threads at once: each gets the refilled provider (none is left
    // holding a replaced one).
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                let m = engine
                    .open_publisher_metadata(Some(SECURITY_AUDITING), 0)
                    .unwrap();
                m.format(&event, FormatWhat::Event).unwrap();
            });
        }
    });
    let after = engine
        .open_publisher_metadata(Some(SECURITY_AUDITING), 0)
        .unwrap();
    let text = after.format(&event, FormatWhat::Event).unwrap().into_text();
    assert!(
        text.starts_with("An account was successfully logged on.\r\n"),
        "{text}"
    );
    // The refill replaced the installed provider, as an upgrade does.
    assert_eq!(
        before
            .format(&event, FormatWhat::Event)
            .unwrap_err()
            .win32_code(),
        15037
    );
    // A second open reads nothing more: the same provider.
    let again = engine
        .open_publisher_metadata(Some(SECURITY_AUDITING), 0)
        .unwrap();
    assert!(std::sync::Arc::ptr_eq(
        again.publisher().unwrap(),
        after.publisher().unwrap()
    ));
}

/// A provider installed from a resource file is kept by a persistent store and filled
/// again when the store is reopened with a Windows directory.
#[test]
fn a_resource_provider_survives_reopening_the_store() {
    let Some(samples) = samples() else {
        return;
    };
    let Some(windows) = windows_dir("dll-persist-win", &["adtschema.dll"]) else {
        return;
    };
    let store = crate::TempDir::new("dll-persist-store");
    {
        let engine = Engine::open_store_dir(&store.0).unwrap();
        engine.set_windows_dir(&windows.0);
        engine
            .install_resource_provider(
                SECURITY_AUDITING,
                None,
                &resource_file(r"%windir%\System32\adtschema.dll"),
            )
            .unwrap();
    }
    let engine = Engine::open_store_dir(&store.0).unwrap();
    // Reopened before the Windows directory is known: the name and files only.
    let p = engine.publishers().get(SECURITY_AUDITING).unwrap();
    assert_eq!(p.guid, Guid::from_u128(SECURITY_AUDITING_GUID));
    assert!(p.events.is_empty());
    engine.set_windows_dir(&windows.0);
    let metadata = engine
        .open_publisher_metadata(Some(SECURITY_AUDITING), 0)
        .unwrap();
    let event = events_of(
        &samples,
        &engine,
        "evtx-crate/security.evtx",
        SECURITY_AUDITING,
    )[0]
    .event()
    .clone();
    let text = metadata
        .format(&event, FormatWhat::Event)
        .unwrap()
        .into_text();
    assert!(text.starts_with("Windows is starting up.\r\n"), "{text}");
}

#[test]
fn installing_from_a_resource_file_says_what_is_wrong() {
    let Some(windows) = windows_dir("dll-errors", &["adtschema.dll", "scesrv.dll"]) else {
        return;
    };
    let engine = Engine::new();
    let files = resource_file(r"%SystemRoot%\System32\adtschema.dll");
    // No Windows directory.
    let err = engine
        .install_resource_provider(SECURITY_AUDITING, None, &files)
        .unwrap_err();
    assert_eq!(err.win32_code(), 87, "{err}");
    engine.set_windows_dir(&windows.0);
    // No resource file.
    let err = engine
        .install_resource_provider(SECURITY_AUDITING, None, &ManifestFiles::default())
        .unwrap_err();
    assert_eq!(err.win32_code(), 87, "{err}");
    // A file that is not there, or on another drive.
    for missing in [r"%SystemRoot%\System32\msobjs.dll", r"D:\adtschema.dll"] {
        let err = engine
            .install_resource_provider(SECURITY_AUDITING, None, &resource_file(missing))
            .unwrap_err();
        assert_eq!(err.win32_code(), 15100, "{missing}: {err}");
    }
    // A binary with no WEVT_TEMPLATE.
    let err = engine
        .install_resource_provider("Sce", None, &resource_file("scesrv.dll"))
        .unwrap_err();
    assert_eq!(err.win32_code(), 1813, "{err}");
    // A GUID the template does not hold.
    let err = engine
        .install_resource_provider(SECURITY_AUDITING, Some(Guid::from_u128(1)), &files)
        .unwrap_err();
    assert_eq!(err.win32_code(), 15002, "{err}");
    assert!(
        err.to_string()
            .contains("{54849625-5478-4994-a5ba-3e3b0328c30d}"),
        "{err}"
    );
    assert!(engine.publishers().list().is_empty());
}
