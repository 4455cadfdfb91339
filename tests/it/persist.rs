//! Persistent channels (issue 7): each channel a live .evtx file in a store directory,
//! written through on every append; reopening restores every record; overwrite as a ring
//! of chunks, do-not-overwrite full; clears rewrite the file; a process killed with SIGKILL
//! at random points never corrupts the file or loses an acknowledged record.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use crate::{read_evtx, TempDir};
use evtlog::{
    channel_file_name, ChannelConfig, ChannelType, Engine, Event, Generator, Profile, Retention,
    StoredEvent,
};
use evtx::{EvtxParser, ParserSettings};

fn events_of(engine: &Engine, channel: &str) -> Vec<Event> {
    engine
        .channel(channel)
        .unwrap()
        .snapshot()
        .iter()
        .map(StoredEvent::into_owned)
        .collect()
}

/// The record ids the evtx crate reads, checksums validated.
fn evtx_crate_ids(path: &Path) -> Vec<u64> {
    let settings = ParserSettings::new()
        .num_threads(1)
        .validate_checksums(true);
    EvtxParser::from_path(path)
        .unwrap()
        .with_configuration(settings)
        .records()
        .map(|r| r.unwrap().event_record_id)
        .collect()
}

fn ids(events: &[Event]) -> Vec<u64> {
    events
        .iter()
        .map(|e| e.system.event_record_id.unwrap())
        .collect()
}

#[test]
fn a_reopened_store_has_every_record_and_ids_go_on() {
    let dir = TempDir::new("persist-reopen");
    let name = "Microsoft-Windows-Sysmon/Operational";
    let before = {
        let engine = Engine::open_store_dir(&dir.0).unwrap();
        engine
            .create_channel(
                ChannelConfig::new(name, ChannelType::Operational)
                    .with_max_size(ChannelConfig::CLASSIC_MAX_SIZE),
            )
            .unwrap();
        for event in Generator::new(2).events(Profile::Sysmon, 1500) {
            engine.write(name, event).unwrap();
        }
        events_of(&engine, name)
    };
    let path = dir.0.join(channel_file_name(name));
    assert!(path.ends_with("Microsoft-Windows-Sysmon%4Operational.evtx"));
    assert_eq!(read_evtx(&path), before);
    assert_eq!(evtx_crate_ids(&path), ids(&before));
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    assert_eq!(events_of(&engine, name), before);
    let config = engine.channel(name).unwrap().config();
    assert_eq!(
        config.max_size,
        ChannelConfig::CLASSIC_MAX_SIZE,
        "the configuration is kept"
    );
    let id = engine
        .write(name, Event::builder("P").event_id(7).build())
        .unwrap();
    assert_eq!(id, 1501);
    drop(engine);
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    assert_eq!(
        ids(&events_of(&engine, name)),
        (1..=1501).collect::<Vec<_>>()
    );
}

#[test]
fn overwrite_is_a_ring_of_chunks_and_do_not_overwrite_fills() {
    let dir = TempDir::new("persist-ring");
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    for (name, retention) in [
        ("Ring", Retention::Overwrite),
        ("Full", Retention::DoNotOverwrite),
    ] {
        engine
            .create_channel(
                ChannelConfig::new(name, ChannelType::Operational)
                    .with_max_size(ChannelConfig::MIN_MAX_SIZE)
                    .with_retention(retention),
            )
            .unwrap();
    }
    let mut generator = Generator::new(3);
    let mut full_error = None;
    for event in generator.events(Profile::Security, 6000) {
        engine.write("Ring", event.clone()).unwrap();
        if full_error.is_none() {
            if let Err(e) = engine.write("Full", event) {
                full_error = Some(e.win32_code());
            }
        }
    }
    assert_eq!(full_error, Some(1502), "a do-not-overwrite file fills");
    // EvtLogFull: true for the refusing sequential log only, until it is cleared.
    assert!(engine.channel("Full").unwrap().is_full());
    assert!(
        !engine.channel("Ring").unwrap().is_full(),
        "a circular log is never full"
    );
    let ring_path = dir.0.join("Ring.evtx");
    assert_eq!(
        std::fs::metadata(&ring_path).unwrap().len(),
        4096 + 16 * 65536,
        "16 chunks"
    );
    let ring = events_of(&engine, "Ring");
    assert!(
        ring.len() < 6000 && ids(&ring).last() == Some(&6000),
        "the newest kept"
    );
    assert_eq!(
        read_evtx(&ring_path),
        ring,
        "memory and file hold the same records"
    );
    assert_eq!(
        evtx_crate_ids(&ring_path),
        ids(&ring),
        "the evtx crate reads the wrapped file"
    );
    let full = events_of(&engine, "Full");
    drop(engine);
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    assert_eq!(events_of(&engine, "Ring"), ring);
    assert_eq!(events_of(&engine, "Full"), full);
}

#[test]
fn clearing_a_persistent_channel_rewrites_its_file() {
    let dir = TempDir::new("persist-clear");
    let backup =
        std::env::temp_dir().join(format!("evtlog-persist-backup-{}.evtx", std::process::id()));
    let _ = std::fs::remove_file(&backup);
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    engine
        .create_channel(ChannelConfig::new("Log", ChannelType::Operational))
        .unwrap();
    for event in Generator::new(4).events(Profile::Application, 300) {
        engine.write("Log", event).unwrap();
    }
    let before = events_of(&engine, "Log");
    engine
        .default_session()
        .clear_log("Log", Some(backup.to_str().unwrap()))
        .unwrap();
    assert_eq!(read_evtx(&backup), before);
    assert!(read_evtx(dir.0.join("Log.evtx")).is_empty());
    drop(engine);
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    assert!(events_of(&engine, "Log").is_empty());
    let id = engine
        .write("Log", Event::builder("P").event_id(1).build())
        .unwrap();
    assert_eq!(id, 301, "ids go on after a clear");
    let _ = std::fs::remove_file(&backup);
}

/// The child of the crash test: appends to the store directory `EVTLOG_CRASH_CHILD` until
/// killed, printing `ack <id>` after each append returns.
#[test]
fn crash_child() {
    let Some(dir) = std::env::var_os("EVTLOG_CRASH_CHILD") else {
        return;
    };
    let engine = Engine::open_store_dir(&dir).unwrap();
    if engine.channel("Crash").is_err() {
        engine
            .create_channel(
                ChannelConfig::new("Crash", ChannelType::Operational)
                    .with_max_size(ChannelConfig::MIN_MAX_SIZE),
            )
            .unwrap();
    }
    let seed = std::env::var("EVTLOG_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let mut generator = Generator::new(seed);
    use std::io::Write;
    let mut out = std::io::stdout();
    loop {
        for event in generator.events(Profile::Security, 16) {
            let id = engine.write("Crash", event).unwrap();
            writeln!(out, "ack {id}").unwrap();
            out.flush().unwrap();
        }
    }
}

/// The crash test: 50 times (`EVTLOG_CRASH_ROUNDS` for a longer run), a child appends and is
/// killed with SIGKILL after a random number of acknowledged appends; the store then reopens with every record readable (no
/// corruption: both readers, checksums validated) and every acknowledged record present.
#[test]
fn a_killed_writer_loses_no_acknowledged_record() {
    let dir = TempDir::new("persist-crash");
    std::fs::create_dir_all(&dir.0).unwrap();
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut acknowledged = 0u64;
    let rounds: u32 = std::env::var("EVTLOG_CRASH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(50);
    for round in 0..rounds {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let stop_after = 1 + state % 600;
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "persist::crash_child",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("EVTLOG_CRASH_CHILD", &dir.0)
            .env("EVTLOG_CRASH_SEED", round.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut acks = 0;
        while acks < stop_after {
            match lines.next() {
                Some(Ok(line)) => {
                    if let Some(id) = line.strip_prefix("ack ") {
                        acknowledged = acknowledged.max(id.parse().unwrap());
                        acks += 1;
                    }
                }
                _ => {
                    let _ = child.kill();
                    let mut why = String::new();
                    let _ = std::io::Read::read_to_string(&mut { stderr }, &mut why);
                    panic!("round {round}: the child stopped:\n{why}")
                }
            }
        }
        child.kill().unwrap(); // SIGKILL
                               // Acknowledgements already in the pipe count too.
        for line in lines.map_while(Result::ok) {
            if let Some(id) = line.strip_prefix("ack ") {
                acknowledged = acknowledged.max(id.parse().unwrap());
            }
        }
        child.wait().unwrap();
        let path = dir.0.join("Crash.evtx");
        let on_disk = read_evtx(&path);
        let file_ids = ids(&on_disk);
        assert_eq!(evtx_crate_ids(&path), file_ids, "round {round}");
        let newest = *file_ids.last().unwrap();
        assert!(
            newest >= acknowledged,
            "round {round}: {newest} < acknowledged {acknowledged}"
        );
        assert!(
            file_ids.windows(2).all(|w| w[1] == w[0] + 1),
            "round {round}: the kept records are a gap-free run"
        );
        let engine = Engine::open_store_dir(&dir.0).unwrap();
        assert_eq!(ids(&events_of(&engine, "Crash")), file_ids, "round {round}");
    }
    println!("{rounds} writers killed with SIGKILL, none lost an acknowledged record (the newest: {acknowledged})");
}

/// Auto-backup retention: a full file is renamed `Archive-<channel>-<time>.evtx` and a
/// fresh one starts; the archives and the live file hold every record once, in order.
#[test]
fn auto_backup_archives_the_full_file_and_starts_a_fresh_one() {
    let dir = TempDir::new("persist-archive");
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    engine
        .create_channel(
            ChannelConfig::new("Backed/Up", ChannelType::Operational)
                .with_max_size(ChannelConfig::MIN_MAX_SIZE)
                .with_retention(Retention::AutoBackup),
        )
        .unwrap();
    for event in Generator::new(9).events(Profile::Security, 5000) {
        engine.write("Backed/Up", event).unwrap();
    }
    let live = events_of(&engine, "Backed/Up");
    let mut archives: Vec<String> = dir
        .names()
        .into_iter()
        .filter(|n| n.starts_with("Archive-Backed%4Up-") && n.ends_with(".evtx"))
        .collect();
    archives.sort();
    assert!(
        !archives.is_empty(),
        "a 1 MiB log of 5000 logons fills: {:?}",
        dir.names()
    );
    let mut all: Vec<u64> = Vec::new();
    for archive in &archives {
        let path = dir.0.join(archive);
        let events = read_evtx(&path);
        assert_eq!(evtx_crate_ids(&path), ids(&events));
        all.extend(ids(&events));
    }
    assert_eq!(read_evtx(dir.0.join("Backed%4Up.evtx")), live);
    all.extend(ids(&live));
    assert_eq!(
        all,
        (1..=5000).collect::<Vec<_>>(),
        "every record once, in order"
    );
    drop(engine);
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    assert_eq!(
        engine.channel_names(),
        ["Backed/Up"],
        "archives are not channels"
    );
    assert_eq!(events_of(&engine, "Backed/Up"), live);
}
