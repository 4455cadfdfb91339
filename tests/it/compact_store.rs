//! Compact in-memory records (issue 20): a channel that holds its sealed chunks compact reads
//! as the same events held whole, the oracle. Every event of the model makes back exactly
//! (property test), and every way of reading (queries both ways with filters the probe
//! answers from System columns and filters that read the body, merged channels, seeks,
//! bookmarks, subscriptions, clears with a backup, exports) gives the same events and XML.

use crate::support::drain::{after_bookmark, drain, flags};
use evtlog::{
    ChannelConfig, ChannelType, Delivery, Engine, Generator, Next, Profile, QueryFlags, SeekFlags,
    SignalEvent, SubscribeFlags,
};
use proptest::prelude::*;

use crate::support::events::{event, Flavor::RoundTrip};

const N: usize = 3000;

/// The same events in two in-memory engines: one holding every sealed chunk compact, one
/// holding every record as an event.
fn both() -> (Engine, Engine) {
    let compact = Engine::new();
    compact.set_hot_window(0);
    let whole = Engine::new();
    whole.set_hot_window(u64::MAX);
    for (name, profile, seed) in [
        ("Sec", Profile::Security, 5),
        ("Sys", Profile::System, 6),
        ("Mix", Profile::Sysmon, 7),
    ] {
        let config = ChannelConfig::new(name, ChannelType::Operational)
            .with_max_size(ChannelConfig::UNBOUNDED);
        compact.create_channel(config.clone()).unwrap();
        whole.create_channel(config).unwrap();
        let mut generator = Generator::new(seed);
        for i in 0..N {
            let event = generator.next_event(if i % 3 == 0 {
                Profile::ALL[i % Profile::ALL.len()]
            } else {
                profile
            });
            compact.write(name, event.clone()).unwrap();
            whole.write(name, event).unwrap();
        }
    }
    // The compactor's thread works behind the writers: settle it.
    compact.set_hot_window(0);
    let snapshot = compact.channel("Sec").unwrap().snapshot();
    let held = snapshot.chunks().iter().filter(|c| c.is_compact()).count();
    assert!(
        held + 1 >= snapshot.chunks().len() && held > 10,
        "every sealed chunk is compact ({held} of {})",
        snapshot.chunks().len()
    );
    (compact, whole)
}

/// EvtQueryChannelPath | EvtQueryForwardDirection.
const FORWARD: u32 = 0x1 | 0x100;
/// EvtQueryChannelPath | EvtQueryReverseDirection.
const REVERSE: u32 = 0x1 | 0x200;

#[test]
fn compact_chunks_read_as_the_same_events() {
    let (compact, whole) = both();
    let cases = [
        ("Sec", "*", FORWARD, 1024),
        ("Sec", "*", REVERSE, 7),
        // System only: answered from the columns.
        ("Sec", "*[System[EventID=4624 or Level=0]]", FORWARD, 100),
        ("Sec", "*[System[EventID=4688]]", REVERSE, 3),
        ("Sec", "*[System[EventID=65000]]", FORWARD, 10),
        (
            "Sec",
            "*[System[Provider[@Name='Microsoft-Windows-Security-Auditing']]]",
            FORWARD,
            64,
        ),
        (
            "Sec",
            "*[System[TimeCreated[timediff(@SystemTime) <= 86400000]]]",
            FORWARD,
            64,
        ),
        (
            "Sec",
            "*[System[band(Keywords,9007199254740992)]]",
            REVERSE,
            64,
        ),
        (
            "Sec",
            "*[System[Security[@UserID='S-1-5-18']]]",
            FORWARD,
            64,
        ),
        ("Sec", "*[System[Execution[@ProcessID > 600]]]", FORWARD, 64),
        // The body: read into the probe.
        (
            "Sec",
            "*[EventData[Data[@Name='LogonType']='3']]",
            FORWARD,
            50,
        ),
        (
            "Sec",
            "*[EventData[Data[@Name='LogonType']='3']]",
            REVERSE,
            50,
        ),
        ("Sec", "*[EventData[Data='0x0']]", FORWARD, 50),
        // Only named Data: the probe decodes those items alone (names compare as filters do).
        ("Sec", "*[EventData[Data[@Name='logontype']='3']]", FORWARD, 50),
        (
            "Sec",
            "*[System[EventID=4624] and EventData[Data[@Name='TargetUserName']!='alice' and Data[@Name='IpPort']>0]]",
            REVERSE,
            50,
        ),
        ("Sys", "*[EventData[Data[@Name='param1']]]", FORWARD, 50),
        // Named Data with System children beside (only those are filled in the probe).
        (
            "Mix",
            "*[System[Provider[@Name='Microsoft-Windows-Sysmon'] and Level=4] and EventData[Data[@Name='Image']]]",
            REVERSE,
            40,
        ),
        (
            "Sec",
            "*[System[Computer!='x' and TimeCreated[timediff(@SystemTime) > 0]] and EventData[Data[@Name='LogonType']>2]]",
            FORWARD,
            40,
        ),
        ("Sys", "Event/EventData/Data[@Name='param2']='running'", FORWARD, 50),
        ("Mix", "*[EventData[Data[@Name='Image']]]", FORWARD, 33),
        ("Mix", "*[UserData]", FORWARD, 33),
        ("Sys", "*[System[(Level=2 or Level=3)]]", REVERSE, 1),
        ("Sys", "*[System[Correlation]]", FORWARD, 16),
    ];
    for (path, query, bits, batch) in cases {
        let want = drain(&whole, path, query, flags(bits), batch);
        let got = drain(&compact, path, query, flags(bits), batch);
        assert_eq!(got.len(), want.len(), "{path} {query} {bits:#x}");
        assert!(got == want, "{path} {query} {bits:#x}: the same events");
    }
    let list = r#"<QueryList><Query Id="0"><Select Path="Sec">*[System[EventID=4624]]</Select><Select Path="Sys">*</Select><Suppress Path="Sys">*[System[Level=4]]</Suppress><Select Path="Mix">*[EventData[Data[@Name='Image']]]</Select></Query></QueryList>"#;
    for bits in [FORWARD, REVERSE] {
        let want = drain(&whole, "", list, flags(bits), 64);
        assert_eq!(
            drain(&compact, "", list, flags(bits), 64),
            want,
            "merged {bits:#x}"
        );
    }
    // The snapshot API makes each event for its reader.
    for name in ["Sec", "Sys", "Mix"] {
        let a = compact.channel(name).unwrap().snapshot();
        let b = whole.channel(name).unwrap().snapshot();
        assert!(a.iter().zip(b.iter()).all(|(x, y)| *x == *y), "{name}");
        assert_eq!(a.iter().count(), b.iter().count());
        assert_eq!(
            a.get(1234).map(|e| e.to_xml()),
            b.get(1234).map(|e| e.to_xml())
        );
    }
}

#[test]
fn seeks_bookmarks_subscriptions_and_clears_read_compact_chunks() {
    let (compact, whole) = both();
    let forward = flags(FORWARD);
    let read = |engine: &Engine| {
        let session = engine.default_session();
        let results = session.query(Some("Sec"), Some("*"), forward).unwrap();
        let mut found = Vec::new();
        for (offset, origin) in [
            (1500, SeekFlags::RELATIVE_TO_FIRST),
            (-1, SeekFlags::RELATIVE_TO_LAST),
            (-700, SeekFlags::RELATIVE_TO_CURRENT),
            (0, SeekFlags::RELATIVE_TO_FIRST),
        ] {
            results.seek(offset, origin).unwrap();
            let Next::Events(events) = results.next(1, None).unwrap() else {
                panic!("an event after seeking {offset}")
            };
            found.push((events[0].record_id(), events[0].to_xml()));
        }
        for id in (1..N as u64).step_by(211) {
            let event = after_bookmark(engine, "Sec", id);
            found.push((event.record_id(), event.to_xml()));
        }
        // A pull subscription from the oldest record reads every chunk.
        let subscription = session
            .subscribe(
                Some("Sys"),
                Some("*[System[Level<=3]]"),
                None,
                SubscribeFlags::START_AT_OLDEST_RECORD,
                Delivery::pull(SignalEvent::new(false)),
            )
            .unwrap();
        let mut delivered = Vec::new();
        while let Ok(Next::Events(events)) = subscription.next(100, Some(std::time::Duration::ZERO))
        {
            delivered.extend(events.iter().map(|e| e.record_id()));
        }
        (found, delivered)
    };
    let (found, delivered) = read(&compact);
    assert_eq!((found.clone(), delivered.clone()), read(&whole));
    assert!(!delivered.is_empty());
    // A clear with a backup writes the compact records to the file as the whole ones.
    let dir = crate::TempDir::new("compact-clear");
    let files: Vec<_> = [(&compact, "c.evtx"), (&whole, "w.evtx")]
        .into_iter()
        .map(|(engine, file)| {
            let path = dir.0.join(file);
            engine
                .default_session()
                .clear_log("Mix", Some(path.to_str().unwrap()))
                .unwrap();
            assert_eq!(engine.channel("Mix").unwrap().record_count(), 0);
            path
        })
        .collect();
    let xml = |path: &std::path::Path| {
        let engine = Engine::new();
        let flags = flags(QueryFlags::FILE_PATH.bits() | QueryFlags::FORWARD_DIRECTION.bits());
        drain(&engine, path.to_str().unwrap(), "*", flags, 512)
    };
    let from_compact = xml(&files[0]);
    assert_eq!(from_compact.len(), N);
    assert!(
        from_compact == xml(&files[1]),
        "the backups hold the same records"
    );
}

#[test]
fn overwrite_and_partial_clears_keep_compact_accounting() {
    let engine = Engine::new();
    engine.set_hot_window(0);
    let channel = engine
        .create_channel(ChannelConfig::new("Ring", ChannelType::Operational).with_max_size(2 << 20))
        .unwrap();
    let mut generator = Generator::new(3);
    for _ in 0..5000 {
        channel
            .append(generator.next_event(Profile::Security))
            .unwrap();
    }
    channel.set_hot_window(0);
    let snapshot = channel.snapshot();
    let held: u64 = snapshot.chunks().iter().map(|c| c.len() as u64).sum();
    assert_eq!(held, channel.record_count());
    assert!(
        channel.record_count() < 5000,
        "the ring dropped the oldest chunks"
    );
    let first = snapshot
        .iter()
        .next()
        .unwrap()
        .system
        .event_record_id
        .unwrap();
    assert_eq!(Some(first), channel.oldest_record_id());
    let ids: Vec<u64> = snapshot
        .iter()
        .map(|e| e.system.event_record_id.unwrap())
        .collect();
    assert_eq!(
        ids,
        (first..=5000).collect::<Vec<_>>(),
        "consecutive ids, none lost"
    );
    // Raising the window back keeps what is compact, compact; lowering it compacts at once.
    channel.set_hot_window(u64::MAX);
    for _ in 0..600 {
        channel
            .append(generator.next_event(Profile::Security))
            .unwrap();
    }
    let whole_tail = channel
        .snapshot()
        .chunks()
        .iter()
        .filter(|c| !c.is_compact())
        .count();
    assert!(whole_tail > 1);
    channel.set_hot_window(0);
    let left = channel
        .snapshot()
        .chunks()
        .iter()
        .filter(|c| !c.is_compact())
        .count();
    assert_eq!(left, 1, "only the open chunk is held as events");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any events of the model, held compact, make back exactly (compared by their debug
    /// form: a NaN value equals itself there) and render the same XML.
    #[test]
    fn any_event_makes_back_exactly(events in proptest::collection::vec(event(RoundTrip), 1..40)) {
        let engine = Engine::new();
        let config = |name: &str| {
            ChannelConfig::new(name, ChannelType::Operational).with_max_size(ChannelConfig::UNBOUNDED)
        };
        let compact = engine.create_channel(config("P")).unwrap();
        let whole = engine.create_channel(config("Q")).unwrap();
        compact.set_hot_window(0);
        whole.set_hot_window(u64::MAX);
        // Enough copies that the chunks seal and compact (256 records at most a chunk).
        for round in 0..8 {
            for event in &events {
                let mut event = event.clone();
                event.system.event_id = event.system.event_id.wrapping_add(round);
                // The channel's name where the event names none, as the channel would give it.
                event.system.channel.get_or_insert_with(|| "P".into());
                // And a time where it has none (the channel would take the clock's).
                event.system.time_created.get_or_insert(evtlog::FileTime(1));
                compact.append(event.clone()).unwrap();
                whole.append(event).unwrap();
            }
        }
        compact.set_hot_window(0);
        let snapshot = compact.snapshot();
        prop_assert!(snapshot.chunks().len() == 1 || snapshot.chunks()[0].is_compact());
        let want = whole.snapshot();
        prop_assert_eq!(snapshot.iter().count(), want.iter().count());
        for (got, want) in snapshot.iter().zip(want.iter()) {
            prop_assert_eq!(format!("{:?}", *got), format!("{:?}", *want));
            prop_assert_eq!(got.to_xml(), want.to_xml());
        }
    }
}

/// Chunks are compacted on the compactor's thread while a writer appends and readers read:
/// a pull subscription gets every record once, in order, each the event written (its
/// index in a Data item), and a query running meanwhile reads the same records.
#[test]
fn compaction_behind_live_readers_loses_and_changes_nothing() {
    const TOTAL: u64 = 20_000;
    let engine = Engine::new();
    engine.set_hot_window(0);
    engine
        .create_channel(
            ChannelConfig::new("Live", ChannelType::Operational)
                .with_max_size(ChannelConfig::UNBOUNDED),
        )
        .unwrap();
    let session = engine.default_session();
    let subscription = session
        .subscribe(
            Some("Live"),
            Some("*"),
            None,
            SubscribeFlags::START_AT_OLDEST_RECORD,
            Delivery::pull(SignalEvent::new(false)),
        )
        .unwrap();
    let writer = {
        let engine = engine.clone();
        std::thread::spawn(move || {
            let mut generator = Generator::new(21);
            for i in 0..TOTAL {
                let mut event = generator.next_event(Profile::Security);
                // The index, where every event has it and in the body where it has EventData.
                let execution = event.system.execution.get_or_insert_with(Default::default);
                execution.process_id = i as u32;
                if let evtlog::Body::EventData(data) = &mut event.body {
                    data.items
                        .push(evtlog::DataItem::named("Index", i.to_string()));
                }
                engine.write("Live", event).unwrap();
            }
        })
    };
    let check = |id: u64, event: &evtlog::Event| {
        let index = event.system.execution.map(|e| u64::from(e.process_id));
        assert_eq!(index, Some(id - 1), "record {id}");
        if let evtlog::Body::EventData(data) = &event.body {
            let want = evtlog::Value::String((id - 1).to_string().into());
            assert_eq!(data.get("Index"), Some(&want), "record {id}");
        }
    };
    let mut next_id = 1;
    let started = std::time::Instant::now();
    while next_id <= TOTAL {
        match subscription
            .next(500, Some(std::time::Duration::from_millis(2000)))
            .unwrap()
        {
            Next::Events(events) => {
                for event in &events {
                    assert_eq!(event.record_id(), next_id, "in order, exactly once");
                    check(next_id, event.event());
                    next_id += 1;
                }
            }
            // Caught up with the writer: wait for more.
            Next::End | Next::TimedOut => {
                assert!(
                    started.elapsed() < std::time::Duration::from_secs(120),
                    "stuck at {next_id}"
                );
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        }
    }
    writer.join().unwrap();
    engine.channel("Live").unwrap().set_hot_window(0);
    let all = drain(&engine, "Live", "*", flags(REVERSE), 333);
    assert_eq!(all.len() as u64, TOTAL);
    assert!(all
        .iter()
        .zip((1..=TOTAL).rev())
        .all(|((id, _), want)| *id == want));
}
