//! EvtClearLog (`Session::clear_log`; issue 7): the backup is
//! complete before anything is removed, exactly the backed-up records are removed (appends
//! while it runs are kept), open result sets go stale, and an error or a cancel loses
//! nothing and leaves no file.

use crate::support::backend::{engine_with_generated, TestEngine};
use crate::{read_evtx, TempDir};
use evtlog::{CallKind, Engine, ErrorKind, Event, Next, Profile, QueryFlags, StoredEvent};

fn engine_with(n: usize) -> TestEngine {
    engine_with_generated("Log", Profile::System, 21, n)
}

fn events(engine: &Engine) -> Vec<Event> {
    engine
        .channel("Log")
        .unwrap()
        .snapshot()
        .iter()
        .map(StoredEvent::into_owned)
        .collect()
}

#[test]
fn a_clear_with_a_backup_writes_every_record_then_removes_them() {
    let engine = engine_with(2000);
    let before = events(&engine);
    let session = engine.default_session();
    let rs = session
        .query(Some("Log"), None, QueryFlags::default())
        .unwrap();
    let dir = TempDir::new("clear-backup");
    let backup = dir.file("backup.evtx");
    session.clear_log("Log", Some(&backup)).unwrap();
    assert_eq!(read_evtx(&backup), before);
    let channel = engine.channel("Log").unwrap();
    assert_eq!(channel.record_count(), 0);
    assert_eq!(channel.next_record_id(), 2001, "record ids continue");
    assert_eq!(
        rs.next(1, None).unwrap_err().win32_code(),
        15011,
        "open results go stale"
    );
    // Without a backup: just cleared.
    engine
        .write("Log", Event::builder("P").event_id(1).build())
        .unwrap();
    session.clear_log("Log", None).unwrap();
    assert_eq!(channel.record_count(), 0);
}

#[test]
fn a_failed_clear_removes_nothing_and_leaves_no_file() {
    let engine = engine_with(100);
    let before = events(&engine);
    // On the store backend, the channel's file and configuration (and the store's lock): a
    // failed clear leaves its temporary there neither.
    let store_files = engine.store_files();
    let session = engine.default_session();
    let dir = TempDir::new("clear-failed");
    let existing = dir.file("exists.evtx");
    std::fs::write(&existing, b"keep").unwrap();
    let missing_dir = dir.file("no/such/dir/backup.evtx");
    for (channel, backup, code) in [
        ("Log", Some(existing.as_str()), 80),
        ("Log", Some("relative.evtx"), 87),
        ("NoSuchChannel", None, 15007),
        ("Log", Some(missing_dir.as_str()), 2),
    ] {
        let e = session.clear_log(channel, backup).unwrap_err();
        assert!(
            e.win32_code() == code,
            "{channel} {backup:?}: {e} ({})",
            e.win32_code()
        );
        assert_eq!(
            events(&engine),
            before,
            "{channel} {backup:?}: records lost"
        );
    }
    assert_eq!(std::fs::read(&existing).unwrap(), b"keep");
    std::fs::remove_file(&existing).unwrap();
    assert!(dir.names().is_empty());
    assert_eq!(engine.store_files(), store_files);
}

/// EvtCancel on a session: a session cancel while the backup is written: Cancelled (1223), every
/// record kept, no file.
#[test]
fn a_cancelled_clear_keeps_every_record() {
    let engine = engine_with(3000);
    let before = events(&engine);
    let store_files = engine.store_files();
    let session = engine.open_session();
    let dir = TempDir::new("clear-cancel");
    let backup = dir.file("backup.evtx");
    let pause = engine.pause_at(CallKind::Clear, 2);
    let clear = std::thread::spawn({
        let session = session.clone();
        let backup = backup.clone();
        move || session.clear_log("Log", Some(&backup))
    });
    pause.wait_stopped(1);
    session.cancel();
    pause.release();
    let e = clear.join().unwrap().unwrap_err();
    assert_eq!((e.kind(), e.win32_code()), (ErrorKind::Cancelled, 1223));
    assert_eq!(events(&engine), before);
    assert!(dir.names().is_empty(), "a file was left behind");
    assert_eq!(engine.store_files(), store_files, "in the store");
}

/// Records appended while the backup is written are not in it, and are not removed.
#[test]
fn records_appended_during_the_backup_are_kept() {
    let engine = engine_with(1000);
    let before = events(&engine);
    let session = engine.open_session();
    let dir = TempDir::new("clear-appends");
    let backup = dir.file("backup.evtx");
    let pause = engine.pause_at(CallKind::Clear, 1);
    let clear = std::thread::spawn({
        let session = session.clone();
        let backup = backup.clone();
        move || session.clear_log("Log", Some(&backup))
    });
    pause.wait_stopped(1);
    let appended: Vec<u64> = (0..10)
        .map(|i| {
            engine
                .write("Log", Event::builder("Late").event_id(i).build())
                .unwrap()
        })
        .collect();
    pause.release();
    clear.join().unwrap().unwrap();
    assert_eq!(
        read_evtx(&backup),
        before,
        "the backup holds the records of its moment"
    );
    let left: Vec<u64> = events(&engine)
        .iter()
        .map(|e| e.system.event_record_id.unwrap())
        .collect();
    assert_eq!(left, appended, "the records appended meanwhile are kept");
    let rs = session
        .query(Some("Log"), None, QueryFlags::default())
        .unwrap();
    let Next::Events(batch) = rs.next(100, None).unwrap() else {
        panic!("the kept records are readable")
    };
    assert_eq!(batch.len(), 10);
}

/// Two clears of one channel at once (found by the soak): each backup holds exactly the
/// records its clear removed, so the backups are disjoint and together hold every record.
/// A second clear waits for the first (a cancel still reaches it while it waits).
#[test]
fn concurrent_clears_back_up_disjoint_records() {
    let engine = engine_with(10);
    let dir = TempDir::new("clear-concurrent");
    let (first, second, third) = (dir.file("a.evtx"), dir.file("b.evtx"), dir.file("c.evtx"));
    let pause = engine.pause_at(CallKind::Clear, 1);
    let clear = |backup: &String, session: evtlog::Session| {
        let backup = backup.clone();
        std::thread::spawn(move || session.clear_log("Log", Some(&backup)))
    };
    let a = clear(&first, engine.open_session());
    pause.wait_stopped(1);
    for i in 0..5 {
        engine
            .write("Log", Event::builder("Late").event_id(i).build())
            .unwrap();
    }
    let b = clear(&second, engine.open_session());
    // The second does not take its snapshot while the first is in progress (before the fix
    // it did, and stopped here too; its backup then held the first's records again).
    let both = pause.wait_stopped_timeout(2, std::time::Duration::from_millis(300));
    let waiting = engine.open_session();
    let c = clear(&third, waiting.clone());
    std::thread::sleep(std::time::Duration::from_millis(50));
    waiting.cancel();
    let e = c.join().unwrap().unwrap_err();
    assert_eq!(
        e.kind(),
        ErrorKind::Cancelled,
        "a waiting clear is cancellable"
    );
    pause.release();
    a.join().unwrap().unwrap();
    b.join().unwrap().unwrap();
    let ids = |path: &str| -> Vec<u64> {
        read_evtx(std::path::Path::new(path))
            .iter()
            .map(|e| e.system.event_record_id.unwrap())
            .collect()
    };
    let (mut all, second_ids) = (ids(&first), ids(&second));
    assert!(!both, "the second clear ran beside the first");
    all.extend(second_ids);
    all.sort_unstable();
    assert_eq!(
        all,
        (1..=15).collect::<Vec<_>>(),
        "every record backed up once"
    );
    assert!(events(&engine).is_empty());
    assert!(!std::path::Path::new(&third).exists());
}

/// The cancel is sticky until the handle is closed: a cancelled result set answers ERROR_CANCELLED
/// to every later call until it is closed, also when its channel was cleared meanwhile (found by
/// the soak: it answered ERROR_EVT_QUERY_RESULT_STALE); a cancelled pull subscription likewise
/// after a gap.
#[test]
fn a_cancel_stays_sticky_over_a_clear() {
    let engine = engine_with(10);
    let session = engine.open_session();
    let results = session
        .query(Some("Log"), None, QueryFlags::FORWARD_DIRECTION)
        .unwrap();
    assert!(matches!(results.next(1, None).unwrap(), Next::Events(_)));
    results.cancel();
    session.clear_log("Log", None).unwrap();
    for _ in 0..2 {
        let e = results.next(1, None).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Cancelled, "{e}");
        let e = results
            .seek(0, evtlog::SeekFlags::RELATIVE_TO_FIRST)
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Cancelled, "{e}");
    }
    results.close();
    let e = results.next(1, None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidHandle);

    for _ in 0..10 {
        engine.write("Log", Event::builder("More").build()).unwrap();
    }
    let signal = evtlog::SignalEvent::new(false);
    let subscription = session
        .subscribe(
            Some("Log"),
            None,
            None,
            evtlog::SubscribeFlags::START_AT_OLDEST_RECORD,
            evtlog::Delivery::pull(signal),
        )
        .unwrap();
    assert!(matches!(
        subscription.next(1, None).unwrap(),
        Next::Events(_)
    ));
    session.clear_log("Log", None).unwrap();
    engine
        .write("Log", Event::builder("After").build())
        .unwrap();
    let e = subscription.next(8, None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::QueryResultStale, "the gap");
    subscription.cancel();
    let e = subscription.next(8, None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled, "{e}");
    subscription.close();
    let e = subscription.next(8, None).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidHandle);
}
