//! Inputs shared by the benches (and the read-count example): the queries of the
//! filter-throughput targets, a channel of generated events to run them over, and the
//! report's read of a file.

#![allow(dead_code)] // each bench uses part of it

use std::sync::Arc;

use evtlog::{
    Channel, ChannelConfig, ChannelType, ChunkDecoder, Engine, EvtxFile, FileTime, Generator,
    Profile, TemplateCache,
};

/// True when run by `cargo bench` (full size), false under `cargo test` (a quick check).
pub fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

/// The filter-throughput queries: (report name, XPath, reads EventData).
pub const QUERIES: &[(&str, &str, bool)] = &[
    ("eventid", "*[System[EventID=4624]]", false),
    (
        "level_set",
        "*[System[(Level=1 or Level=2 or Level=3)]]",
        false,
    ),
    (
        "provider",
        "*[System[Provider[@Name='Microsoft-Windows-Sysmon']]]",
        false,
    ),
    (
        "eventdata",
        "*[EventData[Data[@Name='TargetUserName']='alice']]",
        true,
    ),
    (
        "timediff",
        "*[System[TimeCreated[timediff(@SystemTime) <= 3600000]]]",
        false,
    ),
    ("band", "*[System[band(Keywords, 0x10000000000000)]]", false),
    (
        "20_clause",
        "*[System[(EventID=1 or EventID=2 or EventID=3 or EventID=4 or EventID=5 or EventID=6 or \
         EventID=7 or EventID=8 or EventID=9 or EventID=10) and (Level=1 or Level=2 or Level=3 or \
         Level=4 or Level=5) and (Task=1 or Task=2 or Task=3 or Task=4 or Task=5)]]",
        false,
    ),
];

/// An unbounded channel of `n` generated events (all five profiles in turn), every record
/// held as an event (what the snapshot filter figures measure), and the time just after the
/// last one (the "now" of timediff()).
pub fn generated_channel(n: usize) -> (Engine, Arc<Channel>, FileTime) {
    generated_channel_with(n, u64::MAX)
}

/// Like [`generated_channel`], with the channel's hot window set to `hot_window` before the
/// first append (0: every sealed chunk held compact).
pub fn generated_channel_with(n: usize, hot_window: u64) -> (Engine, Arc<Channel>, FileTime) {
    let engine = Engine::new();
    engine.set_hot_window(hot_window);
    let config = ChannelConfig::new("Mixed", ChannelType::Operational)
        .with_max_size(ChannelConfig::UNBOUNDED);
    let channel = engine.create_channel(config).expect("channel");
    let mut generator = Generator::new(1);
    for i in 0..n {
        channel
            .append(generator.next_event(Profile::ALL[i % 5]))
            .expect("append");
    }
    let now = generator.current_time();
    // Settle the compactor, which works behind the writer.
    channel.set_hot_window(hot_window);
    (engine, channel, now)
}

/// A query that matches no event of [`tiny_channel`]: every next() scans the whole channel.
pub const NEVER: &str = "*[System[EventID=65535]]";

/// A query that matches no event of [`walk_channel`] and that no chunk's EventID summary
/// rules out (30000 lies within every chunk's ids and shares its residue mod 64 with some):
/// every next() walks every chunk's EventID column.
pub const WALK: &str = "*[System[EventID=30000]]";

/// [`tiny_channel`] with its EventIDs scattered over 0..60000 less 30000 (a step of 7919
/// mod 59999), so that every chunk's summary spans the range.
pub fn walk_channel(engine: &Engine, name: &str, n: usize) -> Arc<Channel> {
    let config =
        ChannelConfig::new(name, ChannelType::Operational).with_max_size(ChannelConfig::UNBOUNDED);
    let channel = engine.create_channel(config).expect("channel");
    channel.set_hot_window(u64::MAX);
    for i in 0..n {
        let x = (i as u64 * 7919 % 59_999) as u16;
        let mut event = evtlog::Event::default();
        event.system.event_id = if x >= 30_000 { x + 1 } else { x };
        event.system.channel = Some("".into());
        event.system.time_created = Some(FileTime(1));
        channel.append(event).expect("append");
    }
    channel
}

/// An unbounded channel of `n` minimal events (no strings, no data: ~470 bytes each), every
/// record held as an event, for scans whose length, not content, matters.
pub fn tiny_channel(engine: &Engine, name: &str, n: usize) -> Arc<Channel> {
    let config =
        ChannelConfig::new(name, ChannelType::Operational).with_max_size(ChannelConfig::UNBOUNDED);
    let channel = engine.create_channel(config).expect("channel");
    // Held as events, as the scan and poll figures have always measured (the raw-scan anchor
    // walks a snapshot, which would make each compact record into an event).
    channel.set_hot_window(u64::MAX);
    for i in 0..n {
        let mut event = evtlog::Event::default();
        event.system.event_id = (i % 60_000) as u16;
        event.system.channel = Some("".into());
        event.system.time_created = Some(FileTime(1));
        channel.append(event).expect("append");
    }
    channel
}

/// Every record of the file at `path` as XML (`ChunkDecoder::write_xml`), one thread; the
/// records rendered.
pub fn evtx_read_ours(path: &str) -> usize {
    let mut records = 0usize;
    let mut xml = String::with_capacity(4096);
    let Ok(mut file) = EvtxFile::open(path) else {
        return 0;
    };
    // One template cache per file, as file queries keep one.
    let mut cache = TemplateCache::new();
    for chunk in file.chunks().flatten() {
        let mut decoder = ChunkDecoder::with_cache(&chunk, &mut cache);
        for record in chunk.records().flatten() {
            // A record's XML, rendered straight from its values where the fast path
            // takes it (as the evtx crate renders), else from its decoded Event.
            xml.clear();
            if decoder.write_xml(&record, &mut xml).is_ok() {
                std::hint::black_box(&xml);
                records += 1;
            }
        }
    }
    records
}
