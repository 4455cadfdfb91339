//! Progress of an export and of a clear's backup (`Session::export_log_with_progress`,
//! `Session::clear_log_with_progress`, `evtlog::Progress`), and a session cancel that
//! comes between two batches (while the caller's code runs, no `next` in flight): the
//! call still stops with Cancelled, leaves no file and clears nothing.

use crate::support::backend::{engine_with_generated, TestEngine};
use crate::{read_evtx, TempDir};
use evtlog::{ErrorKind, ExportFlags, Profile, Progress, QueryFlags};

fn engine_with(n: usize) -> TestEngine {
    engine_with_generated("Security", Profile::Security, 5, n)
}

#[test]
fn an_export_reports_records_and_bytes_per_batch_and_its_total() {
    let engine = engine_with(5000);
    let dir = TempDir::new("progress-export");
    let target = dir.file("all.evtx");
    let mut reports: Vec<Progress> = Vec::new();
    let n = engine
        .default_session()
        .export_log_with_progress(
            Some("Security"),
            None,
            &target,
            ExportFlags::default(),
            &mut |p| reports.push(*p),
        )
        .unwrap();
    assert_eq!(n, 5000);
    // One report per batch of at most 1024 events, growing, the last one the whole.
    assert!(reports.len() >= 5, "{reports:?}");
    assert!(reports
        .windows(2)
        .all(|w| w[0].records < w[1].records && w[0].bytes <= w[1].bytes));
    assert!(reports.iter().all(|p| p.total == Some(5000)));
    let last = reports.last().unwrap();
    assert_eq!(last.records, 5000);
    // Every complete chunk is counted; the file adds the last one when finished.
    let size = std::fs::metadata(&target).unwrap().len();
    assert_eq!(last.bytes + 65536, size);

    // A file's total comes from its chunk headers; a filtering query keeps it (an upper
    // bound), several sources have none.
    let session = engine.default_session();
    assert_eq!(
        session.source_record_count(Some(&target), None, QueryFlags::FILE_PATH),
        Some(5000)
    );
    let copy = dir.file("copy.evtx");
    let mut totals = Vec::new();
    session
        .export_log_with_progress(
            Some(&target),
            Some("*[System[EventID=4624]]"),
            &copy,
            ExportFlags::FILE_PATH,
            &mut |p| totals.push(p.total),
        )
        .unwrap();
    assert!(totals.iter().all(|t| *t == Some(5000)), "{totals:?}");
    let list = "<QueryList><Query Id='0'><Select Path='Security'>*</Select>\
                <Select Path='Application'>*</Select></Query></QueryList>";
    assert_eq!(
        session.source_record_count(None, Some(list), QueryFlags::default()),
        None
    );
    assert_eq!(
        session.source_record_count(Some("NoSuchChannel"), None, QueryFlags::default()),
        None
    );
}

#[test]
fn a_cancel_between_batches_stops_an_export_and_leaves_no_file() {
    let engine = engine_with(5000);
    let dir = TempDir::new("progress-export-cancel");
    let target = dir.file("cancelled.evtx");
    let session = engine.default_session();
    let mut reports = 0;
    // The observer runs between batches, when no `next` is in flight: the export's own
    // call node is what the cancel reaches.
    let e = session
        .export_log_with_progress(
            Some("Security"),
            None,
            &target,
            ExportFlags::default(),
            &mut |_| {
                reports += 1;
                if reports == 2 {
                    session.cancel();
                }
            },
        )
        .unwrap_err();
    assert_eq!((e.kind(), e.win32_code()), (ErrorKind::Cancelled, 1223));
    assert_eq!(reports, 2, "the export stopped at the cancel");
    assert!(dir.names().is_empty(), "left behind: {:?}", dir.names());
    // Later calls run normally.
    session
        .export_log(Some("Security"), None, &target, ExportFlags::default())
        .unwrap();
    assert_eq!(read_evtx(&target).len(), 5000);
}

#[test]
fn a_clear_reports_its_backup_and_a_cancel_meanwhile_clears_nothing() {
    let engine = engine_with(3000);
    let dir = TempDir::new("progress-clear");
    let session = engine.default_session();
    let backup = dir.file("backup.evtx");
    let mut reports = 0;
    let e = session
        .clear_log_with_progress("Security", Some(&backup), &mut |p| {
            assert_eq!(p.total, Some(3000));
            reports += 1;
            if reports == 2 {
                session.cancel();
            }
        })
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    assert!(dir.names().is_empty(), "left behind: {:?}", dir.names());
    let channel = engine.channel("Security").unwrap();
    assert_eq!(channel.record_count(), 3000);

    let mut last = None;
    session
        .clear_log_with_progress("Security", Some(&backup), &mut |p| last = Some(*p))
        .unwrap();
    let last = last.unwrap();
    assert_eq!((last.records, last.total), (3000, Some(3000)));
    assert_eq!(read_evtx(&backup).len(), 3000);
    assert_eq!(channel.record_count(), 0);
    // Without a backup there is nothing to report.
    session
        .clear_log_with_progress("Security", None, &mut |_| panic!("no backup, no report"))
        .unwrap();
}
