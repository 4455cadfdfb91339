//! One writer per store, any number of readers (persist.rs invariant 7), with real processes:
//! the test binary runs itself as the other process (`store_lock::child`, driven by
//! `EVTLOG_LOCK_CHILD`). A second writer gets ERROR_SHARING_VIOLATION (32) naming the
//! directory while a reader opens and reads; the lock goes with its engine and with a killed
//! process; a reader that reopens while a writer appends thousands of events always sees a
//! gap-free prefix 1..n of exactly what was written.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};

use crate::TempDir;
use evtlog::{ChannelConfig, ChannelType, Engine, ErrorKind, Event, FileTime, StoredEvent};

const CHANNEL: &str = "Lock/Stream";
/// The events the appending child writes.
const APPENDED: u64 = 6000;

/// The event with sequence number `n` (record id `n`): its id, time and payload all
/// follow from `n`, so a reader can check every record it sees.
fn nth(n: u64) -> Event {
    Event::builder("Lock-Test")
        .event_id((n % 60_000) as u16)
        .level(4)
        .time_created(FileTime(133_000_000_000_000_000 + n * 10_000))
        .channel(CHANNEL)
        .computer("lock-test")
        .data("Sequence", n)
        .data("Text", format!("event number {n} of the lock test"))
        .build()
}

/// `nth(n)` as a store gives it back: with its record id.
fn stored(n: u64) -> Event {
    let mut event = nth(n);
    event.system.event_record_id = Some(n);
    event
}

fn events_of(engine: &Engine) -> Vec<Event> {
    engine
        .channel(CHANNEL)
        .unwrap()
        .snapshot()
        .iter()
        .map(StoredEvent::into_owned)
        .collect()
}

/// A store in `dir` with the channel (large enough never to overwrite) and `count` events.
fn populate(dir: &Path, count: u64) {
    let engine = Engine::open_store_dir(dir).unwrap();
    engine
        .create_channel(
            ChannelConfig::new(CHANNEL, ChannelType::Operational).with_max_size(64 << 20),
        )
        .unwrap();
    for n in 1..=count {
        assert_eq!(engine.write(CHANNEL, nth(n)).unwrap(), n);
    }
}

/// The other process: this test binary running [`child`] as `role` on `dir`.
fn spawn(role: &str, dir: &Path) -> (Child, std::io::Lines<BufReader<ChildStdout>>) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "store_lock::child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("EVTLOG_LOCK_CHILD", role)
        .env("EVTLOG_LOCK_DIR", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    (child, lines)
}

/// Reads the child's output up to the line ending in `want` (the test harness prints its
/// own lines, and `test store_lock::child ... ` before the child's first).
fn expect(lines: &mut std::io::Lines<BufReader<ChildStdout>>, want: &str) {
    for line in lines.by_ref() {
        if line.unwrap().ends_with(want) {
            return;
        }
    }
    panic!("the child ended before saying {want:?}");
}

/// The child process's part: `hold` opens the store for writing, says `held`, and keeps it
/// until its stdin closes; `append` opens it for writing and appends [`APPENDED`] events
/// after those there, pausing now and then so that readers overlap it.
#[test]
fn child() {
    let (Some(role), Some(dir)) = (
        std::env::var_os("EVTLOG_LOCK_CHILD"),
        std::env::var_os("EVTLOG_LOCK_DIR"),
    ) else {
        return;
    };
    let engine = Engine::open_store_dir(&dir).unwrap();
    let mut out = std::io::stdout();
    match role.to_str().unwrap() {
        "hold" => {
            writeln!(out, "held").unwrap();
            out.flush().unwrap();
            let mut line = String::new();
            let _ = std::io::stdin().read_line(&mut line);
            drop(engine);
            writeln!(out, "released").unwrap();
        }
        "append" => {
            let first = engine.channel(CHANNEL).unwrap().next_record_id();
            writeln!(out, "appending").unwrap();
            out.flush().unwrap();
            for n in first..first + APPENDED {
                assert_eq!(engine.write(CHANNEL, nth(n)).unwrap(), n);
                if n % 50 == 0 {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
            }
            writeln!(out, "appended {}", first + APPENDED - 1).unwrap();
        }
        other => panic!("no role {other}"),
    }
    out.flush().unwrap();
}

/// Process A holds the store; B (this process) cannot open it for writing (32, naming the
/// directory), opens it read-only and reads every record, and cannot write through that;
/// once A has dropped its engine, B takes the lock.
#[test]
fn a_second_writer_gets_32_and_a_reader_reads() {
    let dir = TempDir::new("store-lock-second-writer");
    populate(&dir.0, 25);
    let (mut holder, mut lines) = spawn("hold", &dir.0);
    expect(&mut lines, "held");

    let refused = Engine::open_store_dir(&dir.0).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::SharingViolation);
    assert_eq!(refused.win32_code(), 32);
    let text = refused.to_string();
    assert!(
        text.starts_with(
            "The process cannot access the file because it is being used by another process. "
        ),
        "{text}"
    );
    assert!(text.contains(&dir.0.display().to_string()), "{text}");

    let before = dir.names();
    let reader = Engine::open_store_dir_read_only(&dir.0).unwrap();
    assert!(reader.is_read_only());
    assert_eq!(reader.channel_names(), [CHANNEL]);
    assert_eq!(events_of(&reader), (1..=25).map(stored).collect::<Vec<_>>());
    // A reader writes nothing: appends, clears, new channels and saves fail with 5.
    let denied = |e: evtlog::Error| {
        assert_eq!(e.kind(), ErrorKind::AccessDenied, "{e}");
        assert_eq!(e.win32_code(), 5);
    };
    denied(reader.write(CHANNEL, nth(26)).unwrap_err());
    denied(
        reader
            .default_session()
            .clear_log(CHANNEL, None)
            .unwrap_err(),
    );
    denied(
        reader
            .create_channel(ChannelConfig::new("Lock/New", ChannelType::Operational))
            .unwrap_err(),
    );
    let properties = reader.channel_properties(CHANNEL).unwrap();
    denied(reader.save_channel_properties(&properties).unwrap_err());
    denied(reader.uninstall_publisher("Lock-Test").unwrap_err());
    drop(reader);
    assert_eq!(dir.names(), before, "the reader wrote to the store");

    // A closes its engine: the lock is B's.
    drop(holder.stdin.take());
    expect(&mut lines, "released");
    assert!(holder.wait().unwrap().success());
    let writer = Engine::open_store_dir(&dir.0).unwrap();
    assert!(!writer.is_read_only());
    assert_eq!(writer.write(CHANNEL, nth(26)).unwrap(), 26);
    assert_eq!(
        Engine::open_store_dir(&dir.0).unwrap_err().win32_code(),
        32,
        "a second engine in the same process is a second writer"
    );
    drop(writer);
    assert_eq!(
        events_of(&Engine::open_store_dir(&dir.0).unwrap()),
        (1..=26).map(stored).collect::<Vec<_>>()
    );
}

/// A writer killed with SIGKILL holds no lock: its process's open files close with it.
#[test]
fn a_killed_writer_leaves_the_store_unlocked() {
    let dir = TempDir::new("store-lock-killed");
    populate(&dir.0, 3);
    let (mut holder, mut lines) = spawn("hold", &dir.0);
    expect(&mut lines, "held");
    assert_eq!(Engine::open_store_dir(&dir.0).unwrap_err().win32_code(), 32);
    holder.kill().unwrap(); // SIGKILL
    holder.wait().unwrap();
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    assert_eq!(events_of(&engine), (1..=3).map(stored).collect::<Vec<_>>());
}

/// A reader process reopens the store over and over while the writer process appends
/// thousands of events: every read is records 1..n, each decoding to exactly the event
/// written, n never going back; after the writer exits a reopen sees every record.
#[test]
fn a_reader_sees_a_prefix_of_what_the_writer_appends() {
    let dir = TempDir::new("store-lock-prefix");
    populate(&dir.0, 10);
    let total = 10 + APPENDED;
    let (mut writer, mut lines) = spawn("append", &dir.0);
    expect(&mut lines, "appending");
    let (mut reads, mut partial, mut seen) = (0u32, 0u32, 0u64);
    loop {
        let done = writer.try_wait().unwrap().is_some();
        let engine = Engine::open_store_dir_read_only(&dir.0).unwrap();
        let events = events_of(&engine);
        let n = events.len() as u64;
        for (at, event) in events.iter().enumerate() {
            let want = stored(at as u64 + 1);
            assert!(
                *event == want,
                "read {reads}: record {} of {n} is not the event written\n got {event:?}\nwant {want:?}",
                at + 1
            );
        }
        assert!(n >= seen, "read {reads}: {n} records after {seen}");
        seen = n;
        reads += 1;
        if n > 10 && n < total {
            partial += 1;
        }
        if done {
            break;
        }
    }
    expect(&mut lines, &format!("appended {total}"));
    assert!(writer.wait().unwrap().success());
    assert_eq!(seen, total, "the last read, after the writer exited");
    assert!(
        partial >= 2,
        "only {partial} of {reads} reads overlapped the writer's appends"
    );
    let all: Vec<Event> = (1..=total).map(stored).collect();
    assert_eq!(
        events_of(&Engine::open_store_dir_read_only(&dir.0).unwrap()),
        all
    );
    assert_eq!(events_of(&Engine::open_store_dir(&dir.0).unwrap()), all);
    println!("{reads} reads, {partial} of them while the writer appended: all prefixes");
}

/// A read-only open of a directory that does not exist is ERROR_PATH_NOT_FOUND (3), and
/// creates nothing; the writable open creates it.
#[test]
fn a_read_only_open_of_no_store_is_3_and_creates_nothing() {
    let dir = TempDir::new("store-lock-missing");
    let missing = dir.0.join("no-store");
    let e = Engine::open_store_dir_read_only(&missing).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::PathNotFound);
    assert_eq!(e.win32_code(), 3);
    assert!(e.to_string().contains("no-store"), "{e}");
    assert!(!missing.exists());
    drop(Engine::open_store_dir(&missing).unwrap());
    assert!(missing.is_dir());
}

/// A channel kept after its engine is dropped still writes to the store, so it still holds
/// the store's lock: a second writer is refused until the channel goes too, and what the
/// channel wrote is there for the next one.
#[test]
fn a_channel_kept_after_its_engine_keeps_the_lock() {
    let dir = TempDir::new("store-lock-channel");
    populate(&dir.0, 2);
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    let channel = engine.channel(CHANNEL).unwrap();
    drop(engine);
    assert_eq!(
        Engine::open_store_dir(&dir.0).unwrap_err().win32_code(),
        32,
        "the channel writes as the store's writer"
    );
    assert_eq!(channel.append(nth(3)).unwrap(), 3);
    drop(channel);
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    assert_eq!(events_of(&engine), (1..=3).map(stored).collect::<Vec<_>>());
}
