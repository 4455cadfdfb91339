//! A persistent channel's file is its store (issue 20): a reopened store reads no record
//! until asked, and every way of reading it (queries both ways, filters the decoder applies
//! and filters it does not, merged sources, seeks by position and bookmark, subscriptions,
//! the classic read API, clears with a backup) gives what the same events give in memory,
//! the oracle. The records span many file chunks, so every read crosses page boundaries,
//! and new records go on in memory after the file's.

use std::time::Duration;

use crate::support::drain::{after_bookmark, drain, flags};
use crate::TempDir;
use evtlog::{
    ChannelConfig, ChannelType, Delivery, Engine, Event, Generator, Next, Profile, QueryFlags,
    SeekFlags, SignalEvent, SubscribeFlags, SubscribePosition,
};

const N: usize = 3000;

/// The same events in a store directory (reopened, so nothing is in memory) and in memory.
fn both(dir: &TempDir) -> (Engine, Engine) {
    let memory = Engine::new();
    {
        let stored = Engine::open_store_dir(&dir.0).unwrap();
        for (name, profile, seed) in [("Sec", Profile::Security, 5), ("Sys", Profile::System, 6)] {
            let config = ChannelConfig::new(name, ChannelType::Operational)
                .with_max_size(ChannelConfig::UNBOUNDED);
            stored.create_channel(config.clone()).unwrap();
            memory.create_channel(config).unwrap();
            for event in Generator::new(seed).events(profile, N) {
                stored.write(name, event.clone()).unwrap();
                memory.write(name, event).unwrap();
            }
        }
    }
    let stored = Engine::open_store_dir(&dir.0).unwrap();
    (stored, memory)
}

#[test]
fn a_reopened_store_reads_as_the_same_events_in_memory() {
    let dir = TempDir::new("paged-oracle");
    let (stored, memory) = both(&dir);
    let file = stored.channel("Sec").unwrap().file_path().unwrap();
    assert!(
        std::fs::metadata(&file).unwrap().len() > 20 * 65536,
        "the records span many chunks"
    );
    assert_eq!(stored.channel("Sec").unwrap().record_count(), N as u64);
    assert_eq!(stored.channel("Sec").unwrap().oldest_record_id(), Some(1));
    let forward = QueryFlags::CHANNEL_PATH.bits() | QueryFlags::FORWARD_DIRECTION.bits();
    let reverse = QueryFlags::CHANNEL_PATH.bits() | QueryFlags::REVERSE_DIRECTION.bits();
    let cases = [
        ("Sec", "*", forward, 1024),
        ("Sec", "*", reverse, 7),
        // System only: applied while decoding.
        ("Sec", "*[System[EventID=4624 or Level=0]]", forward, 100),
        ("Sec", "*[System[EventID=4688]]", reverse, 3),
        ("Sec", "*[System[EventID=65000]]", forward, 10),
        // EventData: applied by the scan.
        (
            "Sec",
            "*[EventData[Data[@Name='LogonType']='3']]",
            forward,
            50,
        ),
        (
            "Sec",
            "*[EventData[Data[@Name='LogonType']='3']]",
            reverse,
            50,
        ),
        ("Sys", "*[System[(Level=2 or Level=3)]]", reverse, 1),
    ];
    for (path, query, bits, batch) in cases {
        let want = drain(&memory, path, query, flags(bits), batch);
        let got = drain(&stored, path, query, flags(bits), batch);
        assert_eq!(got.len(), want.len(), "{path} {query} {bits:#x}");
        assert!(got == want, "{path} {query} {bits:#x}: the same events");
    }
    // Two channels merged by time.
    let list = r#"<QueryList><Query Id="0"><Select Path="Sec">*[System[EventID=4624]]</Select><Select Path="Sys">*</Select></Query></QueryList>"#;
    for bits in [forward, reverse] {
        let want = drain(&memory, "", list, flags(bits), 64);
        assert_eq!(
            drain(&stored, "", list, flags(bits), 64),
            want,
            "merged {bits:#x}"
        );
    }
}

#[test]
fn seeks_bookmarks_and_new_records_cross_pages() {
    let dir = TempDir::new("paged-seek");
    let (stored, memory) = both(&dir);
    let forward = flags(QueryFlags::CHANNEL_PATH.bits() | QueryFlags::FORWARD_DIRECTION.bits());
    let seeks = |engine: &Engine| {
        let results = engine
            .default_session()
            .query(Some("Sec"), Some("*"), forward)
            .unwrap();
        let mut found = Vec::new();
        for (offset, origin) in [
            (1500, SeekFlags::RELATIVE_TO_FIRST),
            (-1, SeekFlags::RELATIVE_TO_LAST),
            (-700, SeekFlags::RELATIVE_TO_CURRENT),
            (0, SeekFlags::RELATIVE_TO_FIRST),
            (2999, SeekFlags::RELATIVE_TO_FIRST),
        ] {
            results.seek(offset, origin).unwrap();
            let Next::Events(events) = results.next(1, None).unwrap() else {
                panic!("an event after seeking {offset}")
            };
            found.push(events[0].record_id());
        }
        found
    };
    let found = seeks(&stored);
    assert_eq!(found, seeks(&memory));
    assert_eq!(
        [found[0], found[1], found[3], found[4]],
        [1501, N as u64 - 1, 1, N as u64]
    );
    for engine in [&stored, &memory] {
        let session = engine.default_session();
        // A bookmark at every tenth record: the next event is the one after it.
        for id in (1..N as u64).step_by(97) {
            assert_eq!(after_bookmark(engine, "Sec", id).record_id(), id + 1);
        }
        // New records go on after the file's, and a forward query sees them live.
        let results = session.query(Some("Sec"), Some("*"), forward).unwrap();
        results
            .seek(N as i64 - 2, SeekFlags::RELATIVE_TO_FIRST)
            .unwrap();
        for event in Generator::new(9).events(Profile::Security, 500) {
            engine.write("Sec", event).unwrap();
        }
        let mut ids = Vec::new();
        while let Next::Events(events) = results.next(64, None).unwrap() {
            ids.extend(events.iter().map(|e| e.record_id()));
        }
        assert_eq!(ids, (N as u64 - 1..=N as u64 + 500).collect::<Vec<_>>());
    }
    drop(stored);
    let stored = Engine::open_store_dir(&dir.0).unwrap();
    let all = |e: &Engine| drain(e, "Sec", "*", forward, 1024);
    assert_eq!(all(&stored), all(&memory), "reopened after the new records");
}

#[test]
fn subscriptions_read_the_file_then_the_new_records() {
    let dir = TempDir::new("paged-subscribe");
    let (stored, _memory) = both(&dir);
    let signal = SignalEvent::new(false);
    let session = stored.default_session();
    let start = SubscribePosition::new("Sec", 1000);
    let subscription = session
        .subscribe(
            Some("Sec"),
            Some("*"),
            Some(&start),
            SubscribeFlags::START_AFTER_BOOKMARK,
            Delivery::pull(signal.clone()),
        )
        .unwrap();
    let oldest = session
        .subscribe(
            Some("Sec"),
            Some("*[System[EventID=4624]]"),
            None,
            SubscribeFlags::START_AT_OLDEST_RECORD,
            Delivery::pull(SignalEvent::new(false)),
        )
        .unwrap();
    for event in Generator::new(11).events(Profile::Security, 300) {
        stored.write("Sec", event).unwrap();
    }
    let mut ids = Vec::new();
    while let Next::Events(events) = subscription
        .next(100, Some(Duration::from_millis(300)))
        .unwrap()
    {
        ids.extend(events.iter().map(|e| e.record_id()));
    }
    assert_eq!(
        ids,
        (1001..=N as u64 + 300).collect::<Vec<_>>(),
        "exactly once, in order"
    );
    let want = drain(
        &stored,
        "Sec",
        "*[System[EventID=4624]]",
        flags(QueryFlags::CHANNEL_PATH.bits()),
        1024,
    );
    let mut got = Vec::new();
    while let Next::Events(events) = oldest.next(33, Some(Duration::from_millis(300))).unwrap() {
        got.extend(events.iter().map(|e| (e.record_id(), e.to_xml())));
    }
    assert!(got == want, "from the oldest record, filtered");
}

#[test]
fn the_classic_api_and_a_clear_with_backup_read_the_file() {
    let dir = TempDir::new("paged-classic");
    let (stored, memory) = both(&dir);
    for engine in [&stored, &memory] {
        let log = engine.open_event_log("Sec").unwrap();
        assert_eq!(log.number_of_records(), N as u32);
        assert_eq!(log.oldest_record(), 1);
    }
    let read = |engine: &Engine, flags: u32, record: u32| {
        let log = engine.open_event_log("Sec").unwrap();
        match log.read(flags, record, 0x7_ffff, true).unwrap() {
            evtlog::ReadOutcome::Records(bytes) => bytes,
            other => panic!("{other:?}"),
        }
    };
    for (flags, record) in [
        (0x1 | 0x4, 0),
        (0x1 | 0x8, 0),
        (0x2 | 0x4, 1777),
        (0x2 | 0x8, 2999),
    ] {
        assert_eq!(
            read(&stored, flags, record),
            read(&memory, flags, record),
            "{flags:#x} {record}"
        );
    }
    let backup = dir.0.join("backup.evtx");
    stored
        .default_session()
        .clear_log("Sec", Some(backup.to_str().unwrap()))
        .unwrap();
    let all = flags(QueryFlags::FILE_PATH.bits());
    let from_backup = drain(&stored, backup.to_str().unwrap(), "*", all, 1024);
    let from_memory = drain(
        &memory,
        "Sec",
        "*",
        flags(QueryFlags::CHANNEL_PATH.bits()),
        1024,
    );
    assert_eq!(from_backup.len(), N);
    assert!(
        from_backup
            .iter()
            .map(|(_, x)| x)
            .eq(from_memory.iter().map(|(_, x)| x)),
        "the backup holds every record"
    );
    let channel = stored.channel("Sec").unwrap();
    assert_eq!(channel.record_count(), 0);
    assert_eq!(
        stored.write("Sec", Event::builder("P").build()).unwrap(),
        N as u64 + 1
    );
}

#[test]
fn a_file_whose_ids_are_exhausted_refuses_appends_and_reads() {
    let dir = TempDir::new("paged-exhausted");
    {
        let engine = Engine::open_store_dir(&dir.0).unwrap();
        engine
            .create_channel(ChannelConfig::new("A", ChannelType::Operational))
            .unwrap();
        engine.write("A", Event::builder("P").build()).unwrap();
    }
    // The header's next record id at its last value (its CRC is then only a finding).
    let path = dir.0.join("A.evtx");
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[24..32].copy_from_slice(&u64::MAX.to_le_bytes());
    std::fs::write(&path, bytes).unwrap();
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    let error = engine.write("A", Event::builder("P").build()).unwrap_err();
    assert_eq!(error.win32_code(), 1502, "{error}");
    let all = drain(
        &engine,
        "A",
        "*",
        flags(QueryFlags::CHANNEL_PATH.bits()),
        10,
    );
    assert_eq!(all.iter().map(|(id, _)| *id).collect::<Vec<_>>(), [1]);
    let reverse = QueryFlags::CHANNEL_PATH.bits() | QueryFlags::REVERSE_DIRECTION.bits();
    assert_eq!(drain(&engine, "A", "*", flags(reverse), 10).len(), 1);
}
