//! Stores that scale (issue 20): a persistent store of a million generated Security events
//! opens, lists its channels (wevtutil's `el`) and answers a 10-event reverse query in less
//! than 100 MB of peak memory, because its .evtx file is the store and nothing mirrors it.
//!
//! Memory is measured, not inferred from time: the store is opened in a child process (this
//! test binary, re-run on this one test with [`CHILD_ENV`] naming the store), which resets
//! its peak with /proc/self/clear_refs (5: VmHWM := VmRSS) and reports VmHWM from
//! /proc/self/status once it has answered. The bound is on that whole peak, start-up
//! included; other tests running in this process cannot inflate it.
//!
//! The store is built quickly even unoptimized: 10,000 generated events written over and
//! over by the library's `EvtxWriter`, each copy with its own record id (1 to n) and a later
//! TimeCreated, into the channel's file of a store the engine made (its configuration
//! beside it). [`RECORDS_ENV`] sets the size (CI sets a million; 100,000 otherwise).

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::TempDir;
use evtlog::{
    channel_file_name, ChannelConfig, ChannelType, Engine, EvtxWriter, FileTime, Generator, Next,
    Profile, QueryFlags,
};

/// The store's directory, in the child process.
const CHILD_ENV: &str = "EVTLOG_STORE_SCALE_CHILD";
/// The store's record count (default [`DEFAULT_RECORDS`]).
const RECORDS_ENV: &str = "EVTLOG_STORE_SCALE_RECORDS";
const DEFAULT_RECORDS: u64 = 100_000;
/// The peak memory of the child, which opens the store and answers.
const PEAK_BOUND_BYTES: u64 = 100_000_000;
const CHANNEL: &str = "Security";
/// Distinct generated events, copied over and over.
const DISTINCT: usize = 10_000;

#[test]
fn a_large_store_opens_and_answers_in_bounded_memory() {
    if let Ok(dir) = std::env::var(CHILD_ENV) {
        let n = records();
        answer(Path::new(&dir), n);
        return;
    }
    let n = records();
    let dir = TempDir::new("store-scale");
    let start = Instant::now();
    build(&dir.0, n);
    eprintln!(
        "store_scale: built a store of {n} records ({} MiB) in {:.1} s",
        std::fs::metadata(dir.0.join(channel_file_name(CHANNEL)))
            .unwrap()
            .len()
            >> 20,
        start.elapsed().as_secs_f64()
    );
    // This test alone, in a fresh process of this binary.
    let name = format!(
        "{}::a_large_store_opens_and_answers_in_bounded_memory",
        module_path!().split_once("::").map_or("", |(_, m)| m)
    );
    let start = Instant::now();
    let out = Command::new(std::env::current_exe().unwrap())
        .args([name.as_str(), "--exact", "--include-ignored", "--nocapture"])
        .args(["--test-threads", "1"])
        .env(CHILD_ENV, &dir.0)
        .env(RECORDS_ENV, n.to_string())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the child failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    let peak_kib: u64 = stdout
        .lines()
        .find_map(|l| l.split("store_scale_peak_kib ").nth(1))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("the child reported no peak:\n{stdout}\n{stderr}"));
    eprintln!(
        "store_scale: opened and answered in {:.1} s (child process), peak {} MiB",
        start.elapsed().as_secs_f64(),
        peak_kib >> 10
    );
    assert!(
        peak_kib * 1024 < PEAK_BOUND_BYTES,
        "opening a store of {n} records and answering took a peak of {} MiB of memory; \
         the bound is {PEAK_BOUND_BYTES} bytes",
        peak_kib >> 10
    );
}

fn records() -> u64 {
    std::env::var(RECORDS_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_RECORDS)
}

/// A store in `dir` with one channel, Security, of `n` records with ids 1 to `n`.
fn build(dir: &Path, n: u64) {
    // The channel as the store makes it: its (empty) file and its configuration.
    let engine = Engine::open_store_dir(dir).unwrap();
    engine
        .create_channel(
            ChannelConfig::new(CHANNEL, ChannelType::Admin).with_max_size(ChannelConfig::UNBOUNDED),
        )
        .unwrap();
    drop(engine);
    let events = Generator::new(20).events(Profile::Security, DISTINCT);
    let time = |e: &evtlog::Event| e.system.time_created.unwrap().0;
    // Each copy of the events comes after the last: TimeCreated keeps increasing.
    let span = time(&events[DISTINCT - 1]) - time(&events[0]) + 10_000_000;
    let part = dir.join("building.part");
    let mut writer = EvtxWriter::create(&part).unwrap();
    for id in 1..=n {
        let i = (id - 1) as usize;
        let mut event = events[i % DISTINCT].clone();
        event.system.event_record_id = Some(id);
        let copy = (i / DISTINCT) as u64;
        event.system.time_created = Some(FileTime(time(&event) + copy * span));
        writer.write(&event).unwrap();
    }
    writer.finish().unwrap();
    std::fs::rename(&part, dir.join(channel_file_name(CHANNEL))).unwrap();
}

/// In the child: `el` and a 10-event reverse query, then the peak memory on stdout.
fn answer(dir: &Path, n: u64) {
    let reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let engine = Engine::open_store_dir(dir).unwrap();
    assert_eq!(engine.channel_names(), [CHANNEL]);
    let rs = engine
        .default_session()
        .query(Some(CHANNEL), None, QueryFlags::REVERSE_DIRECTION)
        .unwrap();
    let Ok(Next::Events(batch)) = rs.next(10, None) else {
        panic!("no events from a store of {n} records");
    };
    let ids: Vec<u64> = batch.iter().map(|e| e.record_id()).collect();
    let expected: Vec<u64> = (n.saturating_sub(9)..=n).rev().collect();
    assert_eq!(ids, expected, "the newest ten, newest first");
    for event in &batch {
        let xml = event.to_xml();
        assert!(
            xml.contains(&format!(
                "<EventRecordID>{}</EventRecordID>",
                event.record_id()
            )),
            "{xml}"
        );
    }
    drop((batch, rs, engine));
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let peak: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .expect("VmHWM in /proc/self/status");
    if !reset {
        eprintln!("store_scale: /proc/self/clear_refs is not writable: the peak is since start-up");
    }
    // On a line of its own (the harness has printed the test's name without a newline).
    println!("\nstore_scale_peak_kib {peak}");
}
