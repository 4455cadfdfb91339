//! EvtExportLog (`Session::export_log`; issue 7): channel and
//! file sources, queries, the target rules (absolute, exists without Overwrite: 80), no file
//! left behind on an error or a cancel, an empty result still a file.

use std::path::Path;

use crate::support::backend::{engine, engine_with_generated, TestEngine};
use crate::{read_evtx, TempDir};
use evtlog::{
    CallKind, Engine, ErrorKind, Event, EvtxFile, ExportFlags, Next, Profile, QueryFlags,
};

use crate::samples;

/// Every event a query gives.
fn query_all(engine: &Engine, path: &str, query: Option<&str>, flags: QueryFlags) -> Vec<Event> {
    let rs = engine
        .default_session()
        .query(Some(path), query, flags)
        .unwrap();
    let mut out = Vec::new();
    while let Next::Events(batch) = rs.next(1024, None).unwrap() {
        out.extend(batch.iter().map(|e| e.event().clone()));
    }
    out
}

/// An engine with channel `Security` of `n` generated logon and audit events.
fn engine_with_security(n: usize) -> TestEngine {
    engine_with_generated("Security", Profile::Security, 11, n)
}

#[test]
fn a_channel_exports_its_events_and_a_query_its_matches() {
    let engine = engine_with_security(3000);
    let dir = TempDir::new("export-channel");
    let session = engine.default_session();
    let all = dir.file("all.evtx");
    let n = session
        .export_log(Some("Security"), None, &all, ExportFlags::CHANNEL_PATH)
        .unwrap();
    assert_eq!(n, 3000);
    assert_eq!(
        read_evtx(&all),
        query_all(&engine, "Security", None, QueryFlags::CHANNEL_PATH)
    );
    let query = "*[System[EventID=4624 or EventID=4688]]";
    let some = dir.file("some.evtx");
    let n = session
        .export_log(Some("Security"), Some(query), &some, ExportFlags::default())
        .unwrap();
    let expected = query_all(&engine, "Security", Some(query), QueryFlags::CHANNEL_PATH);
    assert!(n > 0 && (n as usize) < 3000);
    assert_eq!(read_evtx(&some), expected);
    assert_eq!(
        dir.names(),
        ["all.evtx", "some.evtx"],
        "no temporary file left"
    );
}

#[test]
fn every_sample_exports_as_its_query_reads_it() {
    let Some(s) = samples() else {
        return;
    };
    let dir = TempDir::new("export-files");
    let engine = engine();
    let session = engine.default_session();
    for &(name, _, _) in crate::evtx_decode::ORACLE {
        let source = s.path(name);
        let source = source.to_str().unwrap();
        let target = dir.file("out.evtx");
        session
            .export_log(
                Some(source),
                None,
                &target,
                ExportFlags::FILE_PATH | ExportFlags::OVERWRITE,
            )
            .unwrap();
        assert_eq!(
            read_evtx(&target),
            query_all(&engine, source, None, QueryFlags::FILE_PATH),
            "{name}"
        );
    }
}

#[test]
fn the_target_must_be_absolute_and_new_unless_overwritten() {
    let engine = engine_with_security(10);
    let session = engine.default_session();
    let dir = TempDir::new("export-target");
    let relative = session
        .export_log(Some("Security"), None, "out.evtx", ExportFlags::default())
        .unwrap_err();
    assert_eq!(relative.win32_code(), 87);
    let target = dir.file("out.evtx");
    std::fs::write(&target, b"keep me").unwrap();
    let exists = session
        .export_log(Some("Security"), None, &target, ExportFlags::default())
        .unwrap_err();
    assert_eq!(
        (exists.kind(), exists.win32_code()),
        (ErrorKind::FileExists, 80)
    );
    assert_eq!(std::fs::read(&target).unwrap(), b"keep me");
    session
        .export_log(Some("Security"), None, &target, ExportFlags::OVERWRITE)
        .unwrap();
    assert_eq!(read_evtx(&target).len(), 10);
    // Bad flags, a missing channel, a bad query: their errors, and no file.
    let other = dir.file("other.evtx");
    for (path, query, flags, code) in [
        (
            "Security",
            None,
            ExportFlags::CHANNEL_PATH | ExportFlags::FILE_PATH,
            87,
        ),
        ("NoSuchChannel", None, ExportFlags::default(), 15007),
        (
            "Security",
            Some("*[System[EventID=]]"),
            ExportFlags::default(),
            15001,
        ),
    ] {
        let e = session
            .export_log(Some(path), query, &other, flags)
            .unwrap_err();
        assert_eq!(e.win32_code(), code, "{e}");
    }
    assert_eq!(dir.names(), ["out.evtx"]);
}

#[test]
fn an_empty_result_is_still_a_file() {
    let engine = engine_with_security(10);
    let dir = TempDir::new("export-empty");
    let target = dir.file("none.evtx");
    let n = engine
        .default_session()
        .export_log(
            Some("Security"),
            Some("*[System[EventID=1]]"),
            &target,
            ExportFlags::default(),
        )
        .unwrap();
    assert_eq!(n, 0);
    assert!(read_evtx(&target).is_empty());
    assert_eq!(EvtxFile::open(&target).unwrap().chunk_slots(), 1);
}

/// EvtCancel on a session: a session cancel stops an export in flight; it returns Cancelled and
/// leaves no file, the target's or temporary.
#[test]
fn a_cancelled_export_leaves_no_file() {
    let engine = engine_with_security(3000);
    let session = engine.open_session();
    let dir = TempDir::new("export-cancel");
    let target = dir.file("cancelled.evtx");
    let pause = engine.pause_at(CallKind::Next, 2);
    let export = std::thread::spawn({
        let session = session.clone();
        let target = target.clone();
        move || session.export_log(Some("Security"), None, &target, ExportFlags::default())
    });
    pause.wait_stopped(1);
    session.cancel();
    pause.release();
    let e = export.join().unwrap().unwrap_err();
    assert_eq!((e.kind(), e.win32_code()), (ErrorKind::Cancelled, 1223));
    assert!(!Path::new(&target).exists());
    assert!(dir.names().is_empty(), "left behind: {:?}", dir.names());
    // The session works again afterwards.
    session
        .export_log(Some("Security"), None, &target, ExportFlags::default())
        .unwrap();
    assert_eq!(read_evtx(&target).len(), 3000);
}
