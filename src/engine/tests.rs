//! Engine and channel tests: names, defaults, the write path, disabled and direct channels.

use std::sync::Arc;

use super::*;
use crate::clock::VirtualClock;
use crate::event::FileTime;
use crate::store::Retention;

fn virtual_engine() -> (Engine, Arc<VirtualClock>) {
    let clock = Arc::new(VirtualClock::default());
    let engine = Engine::with_default_channels(clock.clone());
    (engine, clock)
}

fn event() -> Event {
    Event::builder("Test-Provider").event_id(4624).build()
}

/// Windows' defaults: Admin channels are circular; channel names are enumerated in sorted order.
#[test]
fn default_channels_have_windows_defaults_and_sorted_names() {
    let (engine, _) = virtual_engine();
    assert_eq!(
        engine.channel_names(),
        [
            "Application",
            "ForwardedEvents",
            "Security",
            "Setup",
            "System"
        ]
    );
    let app = engine.channel("application").map(|c| c.config());
    let expected = ChannelConfig::classic("Application");
    assert_eq!(
        (expected.enabled, expected.max_size, expected.retention),
        (true, 20_971_520, Retention::Overwrite)
    );
    assert_eq!(app.ok(), Some(expected));
    let setup = engine.channel("SETUP").map(|c| c.config());
    assert_eq!(setup.as_ref().map(|c| c.max_size).ok(), Some(1_048_576));
    assert_eq!(
        setup.map(|c| c.channel_type).ok(),
        Some(ChannelType::Operational)
    );
    let fwd = engine
        .channel("forwardedevents")
        .map(|c| c.config().max_size);
    assert_eq!(fwd.ok(), Some(20_971_520));
}

/// Windows' default: retention defaults to false (circular) for Admin and Operational, true for Analytic and Debug.
#[test]
fn config_defaults_by_type() {
    for (t, enabled, retention) in [
        (ChannelType::Admin, true, Retention::Overwrite),
        (ChannelType::Operational, true, Retention::Overwrite),
        (ChannelType::Analytic, false, Retention::DoNotOverwrite),
        (ChannelType::Debug, false, Retention::DoNotOverwrite),
    ] {
        let config = ChannelConfig::new("X", t);
        assert_eq!(config.enabled, enabled);
        assert_eq!(config.retention, retention);
        assert_eq!(config.max_size, 1_048_576);
        assert_eq!(ChannelType::from_u32(t.as_u32()), Some(t));
    }
    assert_eq!(ChannelType::Debug.as_u32(), 3);
    assert_eq!(ChannelType::from_u32(4), None);
}

#[test]
fn names_are_case_insensitive_and_unique() {
    let engine = Engine::with_clock(Arc::new(VirtualClock::default()));
    let created = engine.create_channel(ChannelConfig::new(
        "My-App/Operational",
        ChannelType::Operational,
    ));
    assert!(created.is_ok());
    let found = engine.channel("my-app/OPERATIONAL");
    assert_eq!(
        found.map(|c| c.name().to_owned()).ok().as_deref(),
        Some("My-App/Operational")
    );
    assert!(engine.has_channel("MY-APP/operational"));
    let dup = engine.create_channel(ChannelConfig::new("MY-APP/operational", ChannelType::Admin));
    assert_eq!(
        dup.err().map(|e| e.kind()),
        Some(ErrorKind::InvalidParameter)
    );
    assert_eq!(engine.channel_names(), ["My-App/Operational"]);
    // Writes through any spelling reach the one channel.
    assert_eq!(engine.write("my-app/operational", event()).ok(), Some(1));
    assert_eq!(engine.write("MY-APP/OPERATIONAL", event()).ok(), Some(2));
}

/// EvtOpenChannelEnum lists names sorted alphabetically.
#[test]
fn enumeration_is_sorted_ignoring_case() {
    let engine = Engine::new();
    for name in ["beta", "Alpha", "gamma", "ALPHA2", "Delta_x", "DeltaA"] {
        assert!(engine
            .create_channel(ChannelConfig::new(name, ChannelType::Operational))
            .is_ok());
    }
    assert_eq!(
        engine.channel_names(),
        ["Alpha", "ALPHA2", "beta", "DeltaA", "Delta_x", "gamma"]
    );
    let names: Vec<String> = engine
        .channels()
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    assert_eq!(names, engine.channel_names());
}

/// Windows' codes: ERROR_EVT_CHANNEL_NOT_FOUND (15007), ERROR_EVT_INVALID_CHANNEL_PATH (15000).
#[test]
fn unknown_channel_is_15007_and_bad_names_are_15000() {
    let (engine, _) = virtual_engine();
    let err = engine.channel("NoSuchLog").err();
    assert_eq!(err.as_ref().map(|e| e.win32_code()), Some(15007));
    assert_eq!(err.map(|e| e.kind()), Some(ErrorKind::ChannelNotFound));
    assert_eq!(
        engine
            .write("NoSuchLog", event())
            .err()
            .map(|e| e.win32_code()),
        Some(15007)
    );
    assert_eq!(
        engine.channel("").err().map(|e| e.win32_code()),
        Some(15007)
    );
    for bad in ["", "a\\b", "bell\u{7}", &"n".repeat(256)] {
        let err = engine
            .create_channel(ChannelConfig::new(bad, ChannelType::Admin))
            .err();
        assert_eq!(err.map(|e| e.win32_code()), Some(15000));
    }
}

#[test]
fn write_fills_channel_time_and_record_id() {
    let (engine, clock) = virtual_engine();
    let t0 = clock.now();
    assert_eq!(engine.write("application", event()).ok(), Some(1));
    clock.advance_ms(1500);
    let preset_time = FileTime(t0.0 - 10_000_000);
    let forwarded = Event::builder("Remote")
        .channel("Security")
        .time_created(preset_time)
        .record_id(777)
        .build();
    assert_eq!(engine.write("Application", forwarded).ok(), Some(2));

    let snap = engine.channel("Application").map(|c| c.snapshot());
    let events: Vec<Event> = snap
        .iter()
        .flat_map(|s| s.iter().map(crate::store::StoredEvent::into_owned))
        .collect();
    assert_eq!(events.len(), 2);
    let first = &events[0].system;
    assert_eq!(
        first.channel.as_deref(),
        Some("Application"),
        "the name as created"
    );
    assert_eq!(first.time_created, Some(t0));
    assert_eq!(first.event_record_id, Some(1));
    let second = &events[1].system;
    assert_eq!(
        second.channel.as_deref(),
        Some("Security"),
        "forwarded events keep theirs"
    );
    assert_eq!(second.time_created, Some(preset_time));
    assert_eq!(
        second.event_record_id,
        Some(2),
        "the channel owns the sequence"
    );
    // Each channel has its own sequence.
    assert_eq!(engine.write("System", event()).ok(), Some(1));
}

#[test]
fn disabled_channels_reject_writes_with_4317() {
    let engine = Engine::new();
    let analytic = engine.create_channel(ChannelConfig::new("P/Analytic", ChannelType::Analytic));
    let Ok(analytic) = analytic else {
        panic!("create failed");
    };
    assert!(!analytic.is_enabled());
    let err = engine.write("p/analytic", event()).err();
    assert_eq!(err.map(|e| e.win32_code()), Some(4317));
    assert_eq!(analytic.record_count(), 0);
    assert_eq!(
        analytic.next_record_id(),
        1,
        "a dropped event consumes no id"
    );

    analytic.set_enabled(true);
    assert_eq!(engine.write("P/Analytic", event()).ok(), Some(1));
    // Clearing an enabled direct channel is refused, as on Windows.
    let err = analytic.clear().err();
    assert_eq!(err.map(|e| e.win32_code()), Some(15022));
    analytic.set_enabled(false);
    analytic.set_enabled(true); // enabling a direct channel clears it
    assert_eq!(analytic.record_count(), 0);
    assert_eq!(
        analytic.generation(),
        2,
        "each enabling cleared it (the first one too)"
    );
    assert_eq!(analytic.append(event()).ok(), Some(2));

    let op = engine.create_channel(
        ChannelConfig::new("P/Operational", ChannelType::Operational).with_enabled(false),
    );
    assert_eq!(op.map(|c| c.append(event()).is_err()).ok(), Some(true));
}

#[test]
fn channel_clear_and_counts() {
    let (engine, _) = virtual_engine();
    let Ok(system) = engine.channel("System") else {
        panic!("System exists");
    };
    for _ in 0..10 {
        assert!(system.append(event()).is_ok());
    }
    assert_eq!(system.record_count(), 10);
    assert_eq!(system.oldest_record_id(), Some(1));
    assert!(system.total_bytes() > 0);
    let snap = system.snapshot();
    assert!(system.clear().is_ok());
    assert!(snap.is_stale());
    assert_eq!(system.generation(), 1);
    assert_eq!(system.record_count(), 0);
    assert_eq!(system.append(event()).ok(), Some(11));
}

/// Windows' rule: maxSize's default and minimum is 1 MB.
#[test]
fn small_max_size_is_raised_to_one_mib() {
    let engine = Engine::new();
    let config = ChannelConfig::new("Tiny", ChannelType::Operational)
        .with_max_size(4096)
        .with_retention(Retention::DoNotOverwrite);
    let created = engine.create_channel(config).map(|c| c.config());
    assert_eq!(created.map(|c| c.max_size).ok(), Some(1_048_576));
}
