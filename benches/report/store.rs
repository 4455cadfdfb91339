//! The report's `store` section (issue 20, stores that scale): what a persistent store of
//! generated Security events costs to open, to scan and to append to, and what an
//! in-memory channel costs per record against the same records as .evtx.
//!
//! Stores of n records (`EVTLOG_STORE_BENCH_SIZES=1e4,1e5,1e6,1e7`, the default in a full
//! run) are written once into `<target>/tmp/bench-stores/<n>/` and reused while their marker
//! (`<n>.complete`, written after the store is whole) names the same build; a store without
//! it is rebuilt. A store is made as a user's would be (the channel created through
//! `Engine::open_store_dir`, which writes its file and configuration), then its file is
//! replaced by one the library's `EvtxWriter` wrote with the n events, beside it, renamed in:
//! the store holds that one channel and nothing else.
//!
//! Each size is measured in a child process (this binary re-executed with
//! `EVTLOG_STORE_BENCH_CHILD` naming the job), for two reasons: its memory figures start
//! from a clean heap (no freed-but-kept memory of earlier sections to hide growth in), and
//! a watchdog here kills it when its resident set passes half the memory available, so a
//! store the code under test cannot open in bounded memory costs a printed flag, not the
//! machine. Peak memory is read from /proc: the child writes 5 to /proc/self/clear_refs
//! (which resets VmHWM to the current VmRSS) just before the open and reads VmHWM after it;
//! the figure is that peak minus VmRSS before the open. Where clear_refs is not writable
//! the peak is the child's whole life's, whose start (this binary's start-up) is small.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use evtlog::{
    channel_file_name, ChannelConfig, ChannelType, Engine, ErrorKind, Event, EvtxWriter,
    ExportFlags, Generator, Next, Profile, QueryFlags,
};

use super::{median_rate_with, paired_rates, print, Settings};

/// Names the child's job: `open <n> <store dir> <rounds>` or `memory <n>`.
const CHILD_ENV: &str = "EVTLOG_STORE_BENCH_CHILD";
/// The store sizes to run, comma-separated (`1e4,1e5` or `10000,100000`).
const SIZES_ENV: &str = "EVTLOG_STORE_BENCH_SIZES";
/// The one channel of every store.
const CHANNEL: &str = "Security";
/// The generator's seed for the stores' events.
const SEED: u64 = 20;
/// A System predicate no generated Security event meets: every `next` scans the channel.
const NEVER: &str = "*[System[EventID=65000]]";
/// What a store's marker says: the build that wrote it. A store from another build (another
/// version, seed or method) is rebuilt.
const BUILD: &str = concat!(
    "evtlog ",
    env!("CARGO_PKG_VERSION"),
    "; Profile::Security, seed 20, EvtxWriter, record ids from 1"
);
/// About what one generated Security record takes in an .evtx file (850 bytes measured),
/// with room: for the free-space check before a build.
const EVTX_BYTES_PER_RECORD_ESTIMATE: u64 = 1_000;

/// The section: every size's open, peak and scans, then the per-record memory and the
/// persistent append rate.
pub fn store(settings: &Settings) {
    let full = settings.rounds > 1;
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-stores");
    if let Err(e) = std::fs::create_dir_all(&root) {
        eprintln!("store: {}: {e}", root.display());
        return;
    }
    for n in sizes(full) {
        let label = label(n);
        let dir = match ready_store(&root, n) {
            Ok(dir) => dir,
            Err(why) => {
                eprintln!("store: {label} skipped: {why}");
                println!("store_skipped_{label} 1 flag");
                continue;
            }
        };
        // Rounds enough for ~0.3 s of draining a size (a drain of 10^4 records takes ~3 ms,
        // so a few rounds of it are mostly noise).
        let rounds = match n {
            _ if !full => settings.rounds,
            n if n >= 1_000_000 => 3,
            n => settings.rounds.max(1_000_000 / n.max(1)),
        };
        run_child(
            &format!("open {n} {} {rounds}", dir.display()),
            &format!("store_{label}"),
        );
    }
    let n = if full { 100_000 } else { 1_000 };
    run_child(&format!("memory {n}"), "memory");
    // The same records all held as events (compaction off): what compaction saves.
    run_child(&format!("memory-whole {n}"), "memory");
    let events = Generator::new(5).events(Profile::Security, settings.batch.min(20_000));
    let dir = std::env::temp_dir().join(format!("evtlog-report-store-{}", std::process::id()));
    persistent_append(settings, &events, &dir);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The sizes asked for by [`SIZES_ENV`], else 10^4 to 10^7 in a full run and 10^3 in a
/// quick one.
fn sizes(full: bool) -> Vec<usize> {
    if let Ok(list) = std::env::var(SIZES_ENV) {
        let parsed: Vec<usize> = list
            .split(',')
            .filter(|s| !s.trim().is_empty())
            .filter_map(|s| {
                let s = s.trim();
                let n = match s.split_once(['e', 'E']) {
                    Some((m, e)) => m
                        .parse::<usize>()
                        .ok()?
                        .checked_mul(10usize.checked_pow(e.parse().ok()?)?),
                    None => s.parse().ok(),
                };
                if n.is_none() {
                    eprintln!("store: {SIZES_ENV}: {s:?} is not a size (1e5 or 100000)");
                }
                n
            })
            .filter(|&n| n > 0)
            .collect();
        return parsed;
    }
    if full {
        vec![10_000, 100_000, 1_000_000, 10_000_000]
    } else {
        vec![1_000]
    }
}

/// `1e4` for 10,000; the number itself where it is not a power of ten.
pub(super) fn label(n: usize) -> String {
    let mut k = 0;
    let mut m = n;
    while m >= 10 && m.is_multiple_of(10) {
        m /= 10;
        k += 1;
    }
    if m == 1 {
        format!("1e{k}")
    } else {
        n.to_string()
    }
}

/// The store of `n` records under `root`, built unless its marker says it is whole; why
/// not, if it cannot be.
fn ready_store(root: &Path, n: usize) -> Result<PathBuf, String> {
    let label = label(n);
    let dir = root.join(&label);
    let marker = root.join(format!("{label}.complete"));
    let file = dir.join(channel_file_name(CHANNEL));
    let expected = format!("{BUILD}; {n} records");
    if is_marked_whole(&marker, &expected, &file) {
        return Ok(dir);
    }
    // A size this very binary could not build is not tried again (a rebuilt binary tries).
    let unbuildable = root.join(format!("{label}.unbuildable"));
    let this_build = format!("{expected}; {}", binary_identity());
    if let Ok(text) = std::fs::read_to_string(&unbuildable) {
        if let Some(why) = text.strip_prefix(&format!("{this_build}\n")) {
            return Err(format!("{} (as this binary found before)", why.trim_end()));
        }
    }
    let _ = std::fs::remove_file(&unbuildable);
    let _ = std::fs::remove_file(&marker);
    let _ = std::fs::remove_dir_all(&dir);
    let need = n as u64 * EVTX_BYTES_PER_RECORD_ESTIMATE + (1 << 30);
    if let Some(free) = free_bytes(root) {
        if free < need {
            return Err(format!(
                "{} has {} MiB free; a store of {n} records needs about {} MiB",
                root.display(),
                free >> 20,
                need >> 20
            ));
        }
    }
    let start = Instant::now();
    let built = build_store(&dir, n);
    if let Err((e, this_binary_cannot)) = built {
        let _ = std::fs::remove_dir_all(&dir);
        if this_binary_cannot {
            let _ = std::fs::write(&unbuildable, format!("{this_build}\n{e}\n"));
        }
        return Err(e);
    }
    let size = std::fs::metadata(&file).map_err(|e| e.to_string())?.len();
    std::fs::write(&marker, format!("{expected}\n{size}\n")).map_err(|e| e.to_string())?;
    eprintln!(
        "store: built the store of {n} records ({} MiB) in {:.1} s",
        size >> 20,
        start.elapsed().as_secs_f64()
    );
    Ok(dir)
}

/// Whether `marker` says `file` is whole: its first line is `expected` (the build and
/// size that wrote it) and its second the file's size on disk.
pub(super) fn is_marked_whole(marker: &Path, expected: &str, file: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(marker) else {
        return false;
    };
    let size: Option<u64> = text.lines().nth(1).and_then(|l| l.parse().ok());
    let on_disk = std::fs::metadata(file).ok().map(|m| m.len());
    text.lines().next() == Some(expected) && size.is_some() && size == on_disk
}

/// Writes `n` generated Security events from `Generator::new(seed)`, record ids 1 to n.
pub(super) fn write_security_records(
    writer: &mut EvtxWriter<impl std::io::Write + std::io::Seek>,
    seed: u64,
    n: usize,
) -> evtlog::Result<()> {
    let mut generator = Generator::new(seed);
    for id in 1..=n as u64 {
        let mut event = generator.next_event(Profile::Security);
        event.system.event_record_id = Some(id);
        writer.write(&event)?;
    }
    Ok(())
}

/// This binary's size and modification time: a rebuilt binary is another.
fn binary_identity() -> String {
    std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            format!(
                "binary of {} bytes, modified {:?}",
                m.len(),
                m.modified().ok()
            )
        })
        .unwrap_or_default()
}

/// Free bytes on the file system of `path` (POSIX `df`), if it can be told.
fn free_bytes(path: &Path) -> Option<u64> {
    let out = Command::new("df").arg("-Pk").arg(path).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let line = text.lines().nth(1)?;
    let kib: u64 = line.split_whitespace().nth(3)?.parse().ok()?;
    Some(kib * 1024)
}

/// The channel's configuration in every store: the Security log, never full.
fn config() -> ChannelConfig {
    ChannelConfig::new(CHANNEL, ChannelType::Admin).with_max_size(ChannelConfig::UNBOUNDED)
}

/// A store in `dir` holding one channel of `n` generated Security events, ids 1 to n. An
/// error says why not, and whether it is for good (the file cannot hold `n` records), not
/// passing (an I/O error).
fn build_store(dir: &Path, n: usize) -> Result<(), (String, bool)> {
    let fail = |e: evtlog::Error| (e.to_string(), false);
    let io = |e: std::io::Error| (e.to_string(), false);
    std::fs::create_dir_all(dir).map_err(io)?;
    // The channel as the store makes it: its (empty) file and its configuration.
    Engine::open_store_dir(dir)
        .and_then(|engine| engine.create_channel(config()).map(drop))
        .map_err(fail)?;
    // Its records, written beside it and renamed in (a name no store reads as a channel).
    let part = dir.join("building.part");
    let mut writer = EvtxWriter::create(&part).map_err(fail)?;
    write_security_records(&mut writer, SEED, n).map_err(|e| match e.kind() {
        ErrorKind::LogFileFull => (
            format!(
                "one .evtx file holds at most 65,535 chunks (about 5 million of these \
                 records); {n} do not fit: {e}"
            ),
            true,
        ),
        _ => fail(e),
    })?;
    writer.finish().map_err(fail)?;
    std::fs::rename(&part, dir.join(channel_file_name(CHANNEL))).map_err(io)
}

/// Runs `job` in a child process, printing what it prints; kills it if its resident set
/// passes half the memory available now, and then prints `<what>_over_memory_budget`.
fn run_child(job: &str, what: &str) {
    let exe = match std::env::current_exe() {
        Ok(exe) => exe,
        Err(e) => {
            eprintln!("store: this binary's path: {e}");
            return;
        }
    };
    let budget_kib = meminfo_kib("MemAvailable").map_or(u64::MAX, |kib| kib / 2);
    let mut child = match Command::new(exe)
        .env(CHILD_ENV, job)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
    {
        Ok(child) => child,
        Err(e) => {
            eprintln!("store: {what}: cannot start the child: {e}");
            return;
        }
    };
    let stdout = child.stdout.take().expect("piped");
    let relay = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            println!("{line}");
        }
    });
    let status_path = format!("/proc/{}/status", child.id());
    let mut killed = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break Some(status),
            Ok(None) => {}
            Err(e) => {
                eprintln!("store: {what}: {e}");
                break None;
            }
        }
        let rss = std::fs::read_to_string(&status_path)
            .ok()
            .and_then(|s| status_kib(&s, "VmRSS"));
        if !killed && rss.is_some_and(|kib| kib > budget_kib) {
            eprintln!(
                "store: {what}: the child passed {} MiB resident (half the memory available); \
                 stopped",
                budget_kib >> 10
            );
            let _ = child.kill();
            killed = true;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let _ = relay.join();
    if killed {
        println!("{what}_over_memory_budget 1 flag");
    } else if let Some(status) = status.filter(|s| !s.success()) {
        eprintln!("store: {what}: the child failed ({status})");
        println!("{what}_failed 1 flag");
    }
}

/// A `Key:   123 kB` line of /proc/self/status (or /proc/<pid>/status), in KiB.
fn status_kib(status: &str, key: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn self_kib(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| status_kib(&s, key))
        .unwrap_or(0)
}

fn meminfo_kib(key: &str) -> Option<u64> {
    status_kib(&std::fs::read_to_string("/proc/meminfo").ok()?, key)
}

/// Resets VmHWM to the current VmRSS (Linux 4.0 and later); false if not permitted.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// In a child process started by [`run_child`]: runs its job and returns true. False in
/// the report's own process.
pub fn child_main() -> bool {
    let Ok(job) = std::env::var(CHILD_ENV) else {
        return false;
    };
    let words: Vec<&str> = job.split(' ').collect();
    match words.as_slice() {
        ["open", n, dir, rounds] => {
            let n = n.parse().expect("a record count");
            let rounds = rounds.parse().expect("a round count");
            open_and_scan(n, Path::new(dir), rounds);
        }
        ["memory", n] => memory_per_record(n.parse().expect("a record count"), false),
        ["memory-whole", n] => memory_per_record(n.parse().expect("a record count"), true),
        _ => panic!("{CHILD_ENV}={job:?}: not a job of the store section"),
    }
    true
}

/// The child's `open` job: the open timed and its peak memory read, the last record
/// checked, then the never-matching query over the channel and over its file, paired.
fn open_and_scan(n: usize, dir: &Path, rounds: usize) {
    let label = label(n);
    let before = self_kib("VmRSS");
    if !reset_peak() {
        eprintln!("store: /proc/self/clear_refs is not writable: the peak is since start-up");
    }
    let start = Instant::now();
    let mut engine = Engine::open_store_dir(dir).expect("the store opens");
    let mut opens = vec![start.elapsed()];
    let peak = self_kib("VmHWM");
    // The time: the median of five opens (one open is a fraction of a millisecond, which
    // a busy machine's scheduling can double); the engine is dropped, and its lock with
    // it, before the next.
    for _ in 0..4 {
        drop(engine);
        let start = Instant::now();
        engine = Engine::open_store_dir(dir).expect("the store opens again");
        opens.push(start.elapsed());
    }
    opens.sort();
    let open = opens[opens.len() / 2];
    print(
        &format!("store_open_ms_{label}"),
        open.as_secs_f64() * 1e3,
        "ms",
    );
    print(
        &format!("store_open_peak_mib_{label}"),
        peak.saturating_sub(before) as f64 / 1024.0,
        "MiB",
    );
    assert_eq!(engine.channel_names(), [CHANNEL], "the store's one channel");
    let session = engine.default_session();
    // The newest record is the n-th: the store holds every record.
    let rs = session
        .query(Some(CHANNEL), None, QueryFlags::REVERSE_DIRECTION)
        .expect("query");
    match rs.next(1, None).expect("next") {
        Next::Events(batch) => assert_eq!(batch[0].record_id(), n as u64, "the newest record"),
        other => panic!("the store of {n} records returned {other:?}"),
    }
    let file = std::fs::canonicalize(dir.join(channel_file_name(CHANNEL))).expect("its file");
    let file = file.to_str().expect("a UTF-8 path").to_owned();
    let drain = |path: &str, flags: QueryFlags| {
        let rs = session
            .query(Some(path), Some(NEVER), flags)
            .expect("query");
        while let Ok(Next::Events(batch)) = rs.next(64, None) {
            std::hint::black_box(batch);
        }
    };
    let (persistent, logfile, ratio) = paired_rates(
        rounds,
        (n, || drain(CHANNEL, QueryFlags::CHANNEL_PATH)),
        (n, || drain(&file, QueryFlags::FILE_PATH)),
    );
    print(
        &format!("persistent_query_records_per_s_{label}"),
        persistent,
        "records/s",
    );
    print(
        &format!("logfile_query_records_per_s_{label}"),
        logfile,
        "records/s",
    );
    print(
        &format!("persistent_vs_logfile_query_ratio_{label}"),
        ratio,
        "ratio",
    );
}

/// The child's `memory` job: an in-memory channel of `n` generated Security events (sealed
/// chunks past the default hot window held compact), its resident growth per record against
/// the same records exported to .evtx; `memory-whole`, with every record held as an event.
fn memory_per_record(n: usize, whole: bool) {
    // The generator's own state (its site, sessions, names) grows as it runs: measured on
    // a twin first, kept alive, and taken off the channel's growth.
    let mut twin = Generator::new(SEED);
    let before = self_kib("VmRSS");
    for _ in 0..n {
        drop(twin.next_event(Profile::Security));
    }
    let generator_kib = self_kib("VmRSS").saturating_sub(before);
    let engine = Engine::new();
    let channel = engine.create_channel(config()).expect("channel");
    if whole {
        channel.set_hot_window(u64::MAX);
    }
    let mut generator = Generator::new(SEED);
    let before = self_kib("VmRSS");
    for _ in 0..n {
        channel
            .append(generator.next_event(Profile::Security))
            .expect("append");
    }
    // The compactor works behind the writer: measure what the channel settles at.
    channel.set_hot_window(channel.hot_window());
    let grown = self_kib("VmRSS")
        .saturating_sub(before)
        .saturating_sub(generator_kib);
    eprintln!("store: memory: the generator's own {generator_kib} KiB not counted");
    let name = if whole {
        "memory_whole_bytes_per_record"
    } else {
        "memory_bytes_per_record"
    };
    print(name, (grown * 1024) as f64 / n as f64, "bytes");
    if whole {
        return;
    }
    let dir = std::env::temp_dir().join(format!("evtlog-report-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let target = dir.join("security.evtx");
    let written = engine
        .default_session()
        .export_log(
            Some(CHANNEL),
            None,
            target.to_str().expect("a UTF-8 path"),
            ExportFlags::default(),
        )
        .expect("export");
    assert_eq!(written, n as u64, "every record exported");
    let size = std::fs::metadata(&target).expect("exported").len();
    print("evtx_bytes_per_record", size as f64 / n as f64, "bytes");
    let _ = std::fs::remove_dir_all(&dir);
    drop((channel, twin));
}

/// Whether `persistent_append_events_per_s` was printed in this run (the export and store
/// sections both measure it; a full run prints it once).
static APPEND_PRINTED: AtomicBool = AtomicBool::new(false);

/// `events` appended to a persistent channel under its flush policy: every append written
/// through to its live .evtx file (record, then chunk header), nothing synced. Each round
/// on a fresh store in `dir` (removed before the clock starts).
pub fn persistent_append(settings: &Settings, events: &[Event], dir: &Path) {
    if APPEND_PRINTED.swap(true, Ordering::Relaxed) {
        return;
    }
    let store = dir.join("store");
    let rate = median_rate_with(
        settings,
        events.len(),
        || {
            let _ = std::fs::remove_dir_all(&store);
            let engine = Engine::open_store_dir(&store).expect("store");
            engine
                .create_channel(
                    ChannelConfig::new("Persistent", ChannelType::Operational)
                        .with_max_size(ChannelConfig::UNBOUNDED),
                )
                .expect("channel");
            (engine, events.to_vec())
        },
        |(engine, events)| {
            for event in events {
                engine.write("Persistent", event).expect("append");
            }
        },
    );
    print("persistent_append_events_per_s", rate, "events/s");
    let _ = std::fs::remove_dir_all(&store);
}
