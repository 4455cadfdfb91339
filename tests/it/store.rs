//! Store and engine through the public API: concurrent readers and writers, overwrite under
//! readers. (Append throughput is measured by `benches/foundation.rs`.)

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::support::backend::{engine_with_clock, engine_with_default_channels, TestEngine};
use evtlog::{
    Channel, ChannelConfig, ChannelType, Event, EvtxFile, FileTime, Generator, Retention,
    VirtualClock, CHUNK_SIZE, FILE_HEADER_BLOCK_SIZE,
};

/// A Security 4624 (successful logon) event as the generator writes it (about 1.5 KB),
/// without the Channel and TimeCreated the generator sets, so that the engine fills them.
fn logon_4624(n: u32) -> Event {
    let mut event = Generator::new(u64::from(n)).logon_4624();
    event.system.channel = None;
    event.system.time_created = None;
    event
}

fn engine_with(config: ChannelConfig) -> (TestEngine, Arc<Channel>) {
    let engine = engine_with_clock(Arc::new(VirtualClock::default()));
    let channel = engine.create_channel(config).expect("valid config");
    (engine, channel)
}

/// How a channel keeps to its max size, which differs by backend: in memory, the records'
/// estimated sizes add up to at most `max_size`; a persistent channel's file is whole 64 KiB
/// chunks after its header, at most `max_size / 64 KiB` of them, and (`full`, a file that
/// refused or overwrote for room) it uses every one it may.
fn assert_within_max_size(channel: &Channel, max_size: u64, full: bool) {
    let Some(path) = channel.file_path() else {
        assert!(
            channel.total_bytes() <= max_size,
            "{}",
            channel.total_bytes()
        );
        return;
    };
    let chunks = max_size / CHUNK_SIZE as u64;
    let len = std::fs::metadata(&path).unwrap().len();
    assert!(
        len <= FILE_HEADER_BLOCK_SIZE as u64 + chunks * CHUNK_SIZE as u64,
        "{len} bytes for {chunks} chunks"
    );
    let slots = EvtxFile::open(&path).unwrap().chunk_slots();
    if full {
        assert_eq!(slots, chunks, "a full file uses every chunk slot");
    } else {
        assert!(slots <= chunks, "{slots} slots");
    }
}

#[test]
fn a_4624_event_is_about_one_and_a_half_kilobytes() {
    let size = logon_4624(1).approx_record_size();
    assert!((1200..=2000).contains(&size), "{size}");
}

/// Writers and readers on several threads: readers never see a gap or a reordering, even
/// while the ring overwrites chunks under them.
#[test]
fn readers_see_gap_free_ids_while_the_ring_overwrites() {
    let config = ChannelConfig::classic("Security").with_max_size(2 * 1024 * 1024);
    let (engine, channel) = engine_with(config);
    let engine = Arc::new(engine);
    let stop = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let channel = Arc::clone(&channel);
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || {
                let mut stale_seen = 0u32;
                while !stop.load(Ordering::Acquire) {
                    let snap = channel.snapshot();
                    let mut expected = snap.first_record_id();
                    for event in snap.iter() {
                        assert_eq!(event.system.event_record_id, expected);
                        expected = expected.map(|id| id + 1);
                    }
                    stale_seen += u32::from(snap.is_stale());
                }
                stale_seen
            })
        })
        .collect();
    let writer = {
        let engine = Arc::clone(&engine);
        std::thread::spawn(move || {
            (0..20_000).all(|n| engine.write("SECURITY", logon_4624(n)).is_ok())
        })
    };
    assert!(writer.join().unwrap_or(false));
    stop.store(true, Ordering::Release);
    for reader in readers {
        assert!(reader.join().is_ok());
    }
    assert_eq!(channel.next_record_id(), 20_001);
    assert!(channel.generation() > 0, "the 2 MiB ring rolled over");
    // The ring overwrote: it is full, at its max size.
    assert_within_max_size(&channel, 2 * 1024 * 1024, true);
    let snap = channel.snapshot();
    assert_eq!(snap.len() as u64, channel.record_count());
    assert_eq!(snap.first_record_id(), channel.oldest_record_id());
}

#[test]
fn sequential_log_fills_then_rejects_with_1502() {
    let config = ChannelConfig::new("App/Operational", ChannelType::Operational)
        .with_retention(Retention::DoNotOverwrite);
    let (engine, channel) = engine_with(config);
    let mut n = 0;
    let err = loop {
        match engine.write("app/operational", logon_4624(n)) {
            Ok(_) => n += 1,
            Err(err) => break err,
        }
    };
    assert_eq!(err.win32_code(), 1502);
    assert_eq!(channel.record_count(), u64::from(n));
    // It refused only when full.
    assert_within_max_size(&channel, ChannelConfig::MIN_MAX_SIZE, true);
    assert_eq!(channel.generation(), 0);
    // Clearing makes room again; ids continue.
    assert!(channel.clear().is_ok());
    assert_eq!(
        engine.write("App/Operational", logon_4624(0)).ok(),
        Some(u64::from(n) + 1)
    );
}

#[test]
fn time_created_comes_from_the_engine_clock() {
    let clock = Arc::new(VirtualClock::new(FileTime(133_000_000_000_000_000)));
    let engine = engine_with_default_channels(clock.clone());
    assert!(engine.write("security", logon_4624(0)).is_ok());
    clock.advance_ms(10);
    assert!(engine.write("security", logon_4624(1)).is_ok());
    let snap = engine.channel("Security").map(|c| c.snapshot());
    let times: Vec<Option<FileTime>> = snap
        .iter()
        .flat_map(|s| s.iter().map(|e| e.system.time_created))
        .collect();
    assert_eq!(
        times,
        [
            Some(FileTime(133_000_000_000_000_000)),
            Some(FileTime(133_000_000_000_100_000))
        ]
    );
}
