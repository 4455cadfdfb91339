//! Archived logs (EvtArchiveExportedLog, and the publisher metadata an exported log
//! carries for EvtFormatMessage): the side-car written beside an exported log, read back by
//! EvtOpenPublisherMetadata with a LogFilePath where the provider is not installed, and
//! formatting through it giving what the installed provider gave; the errors, with nothing
//! half-written; the facade path.

use std::path::Path;
use std::sync::Arc;

use crate::TempDir;
use evtlog::winevt::*;
use evtlog::{
    archive_path, CallKind, Engine, ErrorKind, Event, EventRef, ExportFlags, FileTime, FormatWhat,
    Guid, Next, PublisherProperty, QueryFlags, Sid, Value, VirtualClock, ARCHIVE_DIR,
};

const PROVIDER: &str = "Evtlog-Test-Provider";

/// A provider that owns the parameter file the test provider names (%%1833).
const PARAMS: &str = r#"<instrumentationManifest xmlns="http://schemas.microsoft.com/win/2004/08/events">
  <instrumentation><events>
    <provider name="Evtlog-Params" guid="{00000000-0000-0000-0000-0000000000dd}" symbol="P"
        resourceFileName="%SystemRoot%\System32\MsObjs.dll" messageFileName="%SystemRoot%\System32\MsObjs.dll">
    </provider>
    <messageTable>
      <message value="1833" message="$(string.impersonation)"/>
    </messageTable>
  </events></instrumentation>
  <localization><resources culture="en-US"><stringTable>
    <string id="impersonation" value="Delegation (the parameter file)"/>
  </stringTable></resources></localization>
</instrumentationManifest>"#;

fn engine() -> Engine {
    Engine::with_default_channels(Arc::new(VirtualClock::default()))
}

/// An engine with the test provider installed (and the owner of its parameter file).
fn installed() -> Engine {
    let engine = engine();
    engine.install_manifest(PARAMS).unwrap();
    engine
        .install_manifest(&crate::fixture("manifests/evtlog-test.man"))
        .unwrap();
    engine
}

/// The test provider's events of every kind (plus one of a provider that is not
/// installed), as a producer would log them.
fn events() -> Vec<Event> {
    let guid = Guid::parse("{6E0B6C3A-2F54-4C1B-9D7E-1A2B3C4D5E6F}").unwrap();
    let base = |id: u16| {
        Event::builder(PROVIDER)
            .provider_guid(guid)
            .event_id(id)
            .time_created(FileTime::from_unix_nanos(1_700_000_000_000_000_000).unwrap())
    };
    vec![
        base(100)
            .level(4)
            .task(1)
            .opcode(1)
            .keywords(0x4000_0000_0000_0001)
            .channel("Evtlog-Test-Provider/Operational")
            .data("Peer", "db.example")
            .data("Port", Value::UInt16(5432))
            .data("Mode", Value::UInt32(2))
            .build(),
        base(100)
            .version(1)
            .level(16)
            .task(1)
            .opcode(10)
            .keywords(0x4000_0000_0000_0005)
            .data("Peer", "db.example")
            .data("Port", Value::UInt16(5433))
            .data("Mode", Value::UInt32(1))
            .build(),
        base(300)
            .level(3)
            .keywords(0x8010_8000_0000_0000)
            .channel("Application")
            .data("Status", Value::HexInt32(0xC000_0022))
            .data("Process", Value::HexInt64(0x1234))
            .data("User", Value::Sid(Sid::parse("S-1-5-18").unwrap()))
            .data("Session", Value::Guid(guid))
            .build(),
        base(400).level(17).opcode(2).build(),
        Event::builder("Not-Installed").event_id(7).build(),
    ]
}

/// An exported log of [`events`] at `dir/name`.
fn exported(engine: &Engine, dir: &TempDir, name: &str) -> String {
    for event in events() {
        engine.write("Application", event).unwrap();
    }
    let path = dir.file(name);
    engine
        .default_session()
        .export_log(Some("Application"), None, &path, ExportFlags::CHANNEL_PATH)
        .unwrap();
    path
}

/// Every event of an .evtx file, through a file query of `engine`.
fn file_events(engine: &Engine, path: &str) -> Vec<EventRef> {
    let rs = engine
        .default_session()
        .query(Some(path), None, QueryFlags::FILE_PATH)
        .unwrap();
    let mut out = Vec::new();
    while let Next::Events(batch) = rs.next(64, None).unwrap() {
        out.extend(batch);
    }
    out
}

const EVERY: [FormatWhat; 8] = [
    FormatWhat::Event,
    FormatWhat::Level,
    FormatWhat::Task,
    FormatWhat::Opcode,
    FormatWhat::Keyword,
    FormatWhat::Channel,
    FormatWhat::Provider,
    FormatWhat::Xml,
];

/// Every string EvtFormatMessage gives for the provider's events of the file (text and
/// warning, or the error code), through `open`'s metadata.
fn formatted(
    engine: &Engine,
    path: &str,
    m: &evtlog::PublisherMetadata,
) -> Vec<Result<(String, Option<u32>), u32>> {
    let mut out = Vec::new();
    for event in file_events(engine, path) {
        if event.event().system.provider.name.as_deref() != Some(PROVIDER) {
            continue;
        }
        for what in EVERY {
            out.push(
                m.format(event.event(), what)
                    .map(|f| (f.text().to_owned(), f.warning().map(|w| w.win32_code())))
                    .map_err(|e| e.win32_code()),
            );
        }
    }
    out
}

#[test]
fn an_archived_log_formats_as_the_installed_provider_did() {
    let dir = TempDir::new("archive-format");
    let engine = installed();
    let path = exported(&engine, &dir, "app.evtx");
    let installed_m = engine.open_publisher_metadata(Some(PROVIDER), 0).unwrap();
    let before = formatted(&engine, &path, &installed_m);
    assert_eq!(before.len(), 4 * EVERY.len());
    let event_300 = &before[2 * EVERY.len()];
    assert!(
        event_300
            .as_ref()
            .unwrap()
            .0
            .contains("Delegation (the parameter file)"),
        "{event_300:?}"
    );

    let archived = engine
        .default_session()
        .archive_exported_log(&path, 0)
        .unwrap();
    let side_car = dir.0.join(ARCHIVE_DIR).join("app_1033.MTA");
    assert_eq!(archived.path, side_car);
    assert_eq!(archive_path(Path::new(&path), 0x0409), side_car);
    assert_eq!(archived.culture, "en-US");
    assert_eq!(archived.publishers, [PROVIDER]);
    assert_eq!(archived.missing, ["Not-Installed"]);
    assert_eq!(
        std::fs::read_dir(dir.0.join(ARCHIVE_DIR)).unwrap().count(),
        1,
        "no temporary file is left"
    );

    // Where the provider is not installed, the archive answers, and formats the same.
    let fresh = self::engine();
    assert!(fresh.publishers().get(PROVIDER).is_none());
    let m = fresh
        .open_publisher_metadata_in_file(Some(PROVIDER), &path, 0)
        .unwrap();
    assert_eq!(m.archive(), Some(side_car.as_path()));
    assert_eq!(formatted(&fresh, &path, &m), before);
    for property in [
        PublisherProperty::PublisherGuid,
        PublisherProperty::ResourceFilePath,
        PublisherProperty::ParameterFilePath,
        PublisherProperty::MessageFilePath,
        PublisherProperty::PublisherMessageId,
    ] {
        assert_eq!(
            m.property(property).unwrap(),
            installed_m.property(property).unwrap(),
            "{property:?}"
        );
    }
    // In the strict locale it was archived in too; a locale it lacks: 15033.
    let en = fresh
        .open_publisher_metadata_in_file(Some(PROVIDER), &path, 0x0409)
        .unwrap();
    assert_eq!(formatted(&fresh, &path, &en), before);
    let fr = fresh
        .open_publisher_metadata_in_file(Some(PROVIDER), &path, 0x040C)
        .unwrap();
    assert!(
        fr.archive().is_some(),
        "another side-car of the log answers"
    );
    assert_eq!(fr.culture().unwrap_err().win32_code(), 15033);

    // Not in the archive: the installed publisher, else ERROR_EVT_PUBLISHER_METADATA_NOT_FOUND
    // (15002).
    assert!(fresh
        .open_publisher_metadata_in_file(Some("Not-Installed"), &path, 0)
        .is_err_and(|e| e.win32_code() == 15002));
    let m = engine
        .open_publisher_metadata_in_file(Some("Evtlog-Params"), &path, 0)
        .unwrap();
    assert!(m.archive().is_none());

    // The archived publisher does not depend on what is installed: an uninstall of the
    // installed one does not disable it (15037 is for installed publishers).
    let m = engine
        .open_publisher_metadata_in_file(Some(PROVIDER), &path, 0)
        .unwrap();
    engine.publishers().uninstall(PROVIDER).unwrap();
    assert_eq!(formatted(&engine, &path, &m), before);
}

#[test]
fn a_locale_the_provider_lacks_is_archived_with_empty_strings() {
    let dir = TempDir::new("archive-locale");
    let engine = installed();
    let path = exported(&engine, &dir, "app.evtx");
    let session = engine.default_session();
    let de = session.archive_exported_log(&path, 0x0407).unwrap();
    assert_eq!(de.path, dir.0.join(ARCHIVE_DIR).join("app_1031.MTA"));
    assert_eq!(de.culture, "de-DE");
    let fr = session.archive_exported_log(&path, 0x040C).unwrap();
    assert_eq!(fr.culture, "fr-FR");

    let fresh = self::engine();
    let m = fresh
        .open_publisher_metadata_in_file(Some(PROVIDER), &path, 0x0407)
        .unwrap();
    let texts: Vec<_> = formatted(&fresh, &path, &m);
    let event_100 = texts[0].as_ref().unwrap();
    assert_eq!(event_100.0, "");
    let fr_m = fresh
        .open_publisher_metadata_in_file(Some(PROVIDER), &path, 0x040C)
        .unwrap();
    let fr_texts = formatted(&fresh, &path, &fr_m);
    assert!(fr_texts[0]
        .as_ref()
        .unwrap()
        .0
        .starts_with("Connecté à db.example"));
    // Each locale its own side-car; re-archiving replaces one whole.
    session.archive_exported_log(&path, 0x040C).unwrap();
    let mut names: Vec<_> = std::fs::read_dir(dir.0.join(ARCHIVE_DIR))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["app_1031.MTA", "app_1036.MTA"]);
    // An LCID that is no locale: 87, nothing written.
    let e = session.archive_exported_log(&path, 0x7777).unwrap_err();
    assert_eq!(e.win32_code(), 87);
}

#[test]
fn errors_leave_nothing_written() {
    let dir = TempDir::new("archive-errors");
    let engine = installed();
    let session = engine.default_session();
    let code = |path: &str| {
        session
            .archive_exported_log(path, 0)
            .unwrap_err()
            .win32_code()
    };
    assert_eq!(code(&dir.file("missing.evtx")), 2);
    assert_eq!(code(&dir.file("no-dir/missing.evtx")), 3);
    assert_eq!(code("relative.evtx"), 87);
    let text = dir.file("text.evtx");
    std::fs::write(&text, b"not an event log at all, just text").unwrap();
    let e = session.archive_exported_log(&text, 0).unwrap_err();
    assert_ne!(e.win32_code(), 0);
    assert_eq!(dir.names(), ["text.evtx"], "nothing written for a bad file");

    // The side-car folder cannot be made (a file holds its name): the I/O error, and
    // nothing else is written.
    let path = exported(&engine, &dir, "app.evtx");
    std::fs::write(dir.0.join(ARCHIVE_DIR), b"in the way").unwrap();
    assert!(session.archive_exported_log(&path, 0).is_err());
    assert_eq!(dir.names(), [ARCHIVE_DIR, "app.evtx", "text.evtx"]);
    std::fs::remove_file(dir.0.join(ARCHIVE_DIR)).unwrap();

    // A folder that cannot be written (where permissions apply: not as root).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let locked = TempDir::new("archive-locked");
        let copy = locked.file("app.evtx");
        std::fs::copy(&path, &copy).unwrap();
        std::fs::set_permissions(&locked.0, std::fs::Permissions::from_mode(0o555)).unwrap();
        let probe = std::fs::File::create(locked.0.join("probe"));
        if probe.is_err() {
            let e = session.archive_exported_log(&copy, 0).unwrap_err();
            assert_eq!(e.win32_code(), 5);
            assert_eq!(locked.names(), ["app.evtx"]);
        } else {
            let _ = std::fs::remove_file(locked.0.join("probe"));
            eprintln!("skipped the read-only folder case: permissions do not apply");
        }
        std::fs::set_permissions(&locked.0, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    // A side-car that does not parse is an error naming it, not a silent fallback.
    session.archive_exported_log(&path, 0).unwrap();
    let side_car = archive_path(Path::new(&path), 0);
    std::fs::write(&side_car, b"<instrumentationManifest").unwrap();
    let e = engine
        .open_publisher_metadata_in_file(Some(PROVIDER), &path, 0)
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MalformedXml, "{e}");
    assert!(e.to_string().contains("app_1033.MTA"), "{e}");
}

/// EvtCancel on a session: a session cancel stops the scan of the log; nothing is written.
#[test]
fn a_cancelled_archive_writes_nothing() {
    let dir = TempDir::new("archive-cancel");
    let engine = installed();
    let path = exported(&engine, &dir, "app.evtx");
    let session = engine.open_session();
    let pause = engine.pause_at(CallKind::Next, 1);
    let archive = std::thread::spawn({
        let session = session.clone();
        let path = path.clone();
        move || session.archive_exported_log(&path, 0)
    });
    pause.wait_stopped(1);
    session.cancel();
    pause.release();
    let e = archive.join().unwrap().unwrap_err();
    assert_eq!((e.kind(), e.win32_code()), (ErrorKind::Cancelled, 1223));
    assert_eq!(dir.names(), ["app.evtx"]);
    session.archive_exported_log(&path, 0).unwrap();
}

// ---- the facade ----

fn format_event(metadata: EVT_HANDLE, event: EVT_HANDLE, flags: u32) -> Result<String, u32> {
    let mut used = 0u32;
    let ok = EvtFormatMessage(metadata, event, 0, &[], flags, &mut [], &mut used);
    if ok == 0 && GetLastError() != 122 {
        return Err(GetLastError());
    }
    let mut buf = vec![0u16; used as usize];
    if EvtFormatMessage(metadata, event, 0, &[], flags, &mut buf, &mut used) == 0 {
        return Err(GetLastError());
    }
    Ok(String::from_utf16_lossy(&buf[..used as usize - 1]))
}

/// EvtArchiveExportedLog, then EvtOpenPublisherMetadata with the LogFilePath where the
/// provider is uninstalled, then EvtFormatMessage.
#[test]
fn facade_archive_open_and_format() {
    let _guard = crate::winevt::SERVICE
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    controls::reset();
    let engine = controls::engine();
    engine.install_manifest(PARAMS).unwrap();
    engine
        .install_manifest(&crate::fixture("manifests/evtlog-test.man"))
        .unwrap();
    let dir = TempDir::new("archive-facade");
    let path = exported(&engine, &dir, "app.evtx");

    let read_all = || {
        let query = EvtQuery(0, Some(&path), None, EvtQueryFilePath);
        assert_ne!(query, 0);
        let mut handles = [0; 8];
        let mut returned = 0;
        assert_ne!(EvtNext(query, &mut handles, 0, 0, &mut returned), 0);
        (query, handles[..returned as usize].to_vec())
    };
    let (query, handles) = read_all();
    let h = EvtOpenPublisherMetadata(0, Some(PROVIDER), None, 0, 0);
    assert_ne!(h, 0);
    let before: Vec<_> = handles
        .iter()
        .take(4)
        .flat_map(|&e| [1, 2, 6, 7].map(|flag| format_event(h, e, flag)))
        .collect();
    assert!(before[0]
        .as_ref()
        .unwrap()
        .starts_with("Connected to db.example"));
    EvtClose(h);
    EvtClose(query);

    assert_ne!(EvtArchiveExportedLog(0, Some(&path), 0, 0), 0);
    assert_eq!(GetLastError(), 0);
    assert!(archive_path(Path::new(&path), 0).is_file());
    // Flags are reserved; a missing file is 2.
    assert_eq!(EvtArchiveExportedLog(0, Some(&path), 0, 1), 0);
    assert_eq!(GetLastError(), 87);
    assert_eq!(
        EvtArchiveExportedLog(0, Some(&dir.file("none.evtx")), 0, 0),
        0
    );
    assert_eq!(GetLastError(), 2);

    engine.publishers().uninstall(PROVIDER).unwrap();
    assert_eq!(EvtOpenPublisherMetadata(0, Some(PROVIDER), None, 0, 0), 0);
    assert_eq!(GetLastError(), 15002);
    let h = EvtOpenPublisherMetadata(0, Some(PROVIDER), Some(&path), 0, 0);
    assert_ne!(h, 0);
    let (query, handles) = read_all();
    let after: Vec<_> = handles
        .iter()
        .take(4)
        .flat_map(|&e| [1, 2, 6, 7].map(|flag| format_event(h, e, flag)))
        .collect();
    assert_eq!(after, before);
    EvtClose(h);
    EvtClose(query);
}
