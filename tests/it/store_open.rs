//! Opening a persistent store writes nothing (ARCHITECTURE.md invariant on persistence): the
//! directory's listing and every file's size, inode, modification time and bytes are the same
//! after an open and close; on a read-only medium the store opens read-only and says so; on
//! a full disk it opens, and a failed write leaves no file behind. The medium tests mount a
//! read-only bind and a tiny tmpfs; they need the privilege to mount and fail without it.

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::TempDir;
use evtlog::{ChannelConfig, ChannelType, Engine, Event};

/// Name -> (size, inode, mtime in ns, ctime in ns, bytes) of every file in `dir`.
type Listing = BTreeMap<String, (u64, u64, i128, i128, Vec<u8>)>;

fn listing(dir: &Path) -> Listing {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let m = e.metadata().unwrap();
            let ns = |s: i64, n: i64| i128::from(s) * 1_000_000_000 + i128::from(n);
            (
                e.file_name().to_string_lossy().into_owned(),
                (
                    m.len(),
                    m.ino(),
                    ns(m.mtime(), m.mtime_nsec()),
                    ns(m.ctime(), m.ctime_nsec()),
                    std::fs::read(e.path()).unwrap(),
                ),
            )
        })
        .collect()
}

/// A store in `dir` with two channels and a few records, closed; one channel's `.config`
/// removed (its defaults are implied, and opening must not write them).
fn populate(dir: &Path) {
    let engine = Engine::open_store_dir(dir).unwrap();
    engine
        .create_channel(ChannelConfig::new(
            "App/Operational",
            ChannelType::Operational,
        ))
        .unwrap();
    engine
        .create_channel(ChannelConfig::classic("Application"))
        .unwrap();
    for id in 1..=5u16 {
        let event = Event::builder("P").event_id(id).build();
        engine.write("Application", event.clone()).unwrap();
        engine.write("App/Operational", event).unwrap();
    }
    drop(engine);
    std::fs::remove_file(dir.join("App%4Operational.evtx.config")).unwrap();
}

#[test]
fn opening_a_store_writes_nothing() {
    let dir = TempDir::new("store-open-writes-nothing");
    populate(&dir.0);
    let before = listing(&dir.0);
    // Files' times have a granularity: let any write show as a different time.
    std::thread::sleep(std::time::Duration::from_millis(20));
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    assert!(!engine.is_read_only());
    assert_eq!(engine.channel("Application").unwrap().snapshot().len(), 5);
    assert_eq!(
        engine.channel("App/Operational").unwrap().snapshot().len(),
        5
    );
    drop(engine);
    assert_eq!(
        listing(&dir.0),
        before,
        "the open (and close) wrote to the store"
    );
    // A write still works, and is then closed cleanly.
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    assert_eq!(
        engine
            .write("Application", Event::builder("P").build())
            .unwrap(),
        6
    );
}

/// Runs `mount` with `args`, panicking with its message if it fails.
fn mount(args: &[&str]) {
    let out = Command::new("mount")
        .args(args)
        .output()
        .expect("run mount");
    assert!(
        out.status.success(),
        "mount {args:?} failed (these tests need the privilege to mount): {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A mount point, unmounted when dropped.
struct Mounted(PathBuf);

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_store_on_a_read_only_medium_opens_read_only_and_says_so() {
    let source = TempDir::new("store-ro-source");
    let target = TempDir::new("store-ro-target");
    populate(&source.0);
    let before = listing(&source.0);
    let (from, to) = (source.0.to_str().unwrap(), target.0.to_str().unwrap());
    mount(&["--bind", from, to]);
    let mounted = Mounted(target.0.clone());
    mount(&["-o", "remount,bind,ro", to]);

    let engine = Engine::open_store_dir(&target.0).expect("a read-only store opens");
    assert!(engine.is_read_only());
    let application = engine.channel("Application").unwrap();
    assert!(application.is_read_only());
    assert_eq!(application.snapshot().len(), 5, "its records read");
    let err = engine
        .write("Application", Event::builder("P").build())
        .expect_err("appends are refused");
    assert_eq!(err.win32_code(), 5, "{err}");
    let err = engine
        .default_session()
        .clear_log("Application", None)
        .expect_err("clears are refused");
    assert_eq!(err.win32_code(), 5, "{err}");
    assert_eq!(application.snapshot().len(), 5, "nothing was removed");
    // A new channel needs a new file: the medium's error, and nothing left behind.
    assert!(engine
        .create_channel(ChannelConfig::classic("System"))
        .is_err());
    drop(application);
    drop(engine);
    drop(mounted);
    assert_eq!(listing(&source.0), before, "nothing was written");
}

#[test]
fn a_store_on_a_full_disk_opens_and_a_failed_write_leaves_nothing() {
    let target = TempDir::new("store-full");
    let to = target.0.to_str().unwrap();
    mount(&["-t", "tmpfs", "-o", "size=512k", "tmpfs", to]);
    let _mounted = Mounted(target.0.clone());
    let store = target.0.join("store");
    populate(&store);
    // Fill the disk.
    let filler = target.0.join("filler");
    let mut size = 0usize;
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&filler).unwrap();
        while f.write_all(&[0u8; 4096]).is_ok() {
            size += 4096;
        }
        let _ = f.sync_all();
    }
    assert!(size > 0);
    let before = listing(&store);

    let engine = Engine::open_store_dir(&store).expect("a store on a full disk opens");
    assert_eq!(engine.channel("Application").unwrap().snapshot().len(), 5);
    // A new channel's file cannot be made: the error, and no half-made file or temporary.
    assert!(engine
        .create_channel(ChannelConfig::classic("System"))
        .is_err());
    // Appends that need a new chunk (each record here is large) fail with the I/O error.
    let big = "x".repeat(30_000);
    let mut failed = None;
    for _ in 0..40 {
        if let Err(e) = engine.write(
            "Application",
            Event::builder("P").data("d", big.as_str()).build(),
        ) {
            failed = Some(e);
            break;
        }
    }
    let err = failed.expect("the disk is full");
    assert_ne!(err.win32_code(), 0);
    drop(engine);
    let after = listing(&store);
    assert_eq!(
        after.keys().collect::<Vec<_>>(),
        before.keys().collect::<Vec<_>>(),
        "no file was left behind"
    );
}
