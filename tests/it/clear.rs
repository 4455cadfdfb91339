//! EvtClearLog (`Session::clear_log`, reference/wevtapi.md §2.13; issue 7): the backup is
//! complete before anything is removed, exactly the backed-up records are removed (appends
//! while it runs are kept), open result sets go stale, and an error or a cancel loses
//! nothing and leaves no file.

use crate::{read_evtx, TempDir};
use evtlog::{
    CallKind, ChannelConfig, ChannelType, Engine, ErrorKind, Event, Generator, Next, Profile,
    QueryFlags,
};

fn engine_with(n: usize) -> Engine {
    let engine = Engine::new();
    engine
        .create_channel(
            ChannelConfig::new("Log", ChannelType::Operational)
                .with_max_size(ChannelConfig::UNBOUNDED),
        )
        .unwrap();
    for event in Generator::new(21).events(Profile::System, n) {
        engine.write("Log", event).unwrap();
    }
    engine
}

fn events(engine: &Engine) -> Vec<Event> {
    engine
        .channel("Log")
        .unwrap()
        .snapshot()
        .iter()
        .cloned()
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
}

/// §2.3, §7: a session cancel while the backup is written: Cancelled (1223), every record
/// kept, no file.
#[test]
fn a_cancelled_clear_keeps_every_record() {
    let engine = engine_with(3000);
    let before = events(&engine);
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
