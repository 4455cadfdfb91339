//! Channel configuration (issue 17): every property's type and default on the standard
//! channels and on manifest-style ones, the setters' rules (15023, 15022), saves applied to
//! the live channel (max size raised and lowered, retention, enabled) and persisted
//! (reopened, the file moved), and a failed save changing nothing.

use std::sync::Arc;

use crate::TempDir;
use evtlog::{
    default_log_file_path, ChannelConfig, ChannelConfigProperty as P, ChannelProperties,
    ChannelType, Engine, ErrorKind, Event, Generator, Isolation, Profile, Value, VariantType,
    VirtualClock,
};

fn engine() -> Engine {
    Engine::with_default_channels(Arc::new(VirtualClock::default()))
}

fn kind(r: evtlog::Result<()>) -> ErrorKind {
    r.expect_err("the call should fail").kind()
}

const APPLICATION_ACCESS: &str = "O:BAG:SYD:(A;;0xf0007;;;SY)(A;;0x7;;;BA)(A;;0x7;;;SO)\
(A;;0x3;;;IU)(A;;0x3;;;SU)(A;;0x3;;;S-1-5-3)(A;;0x3;;;S-1-5-33)(A;;0x1;;;S-1-5-32-573)";

/// The type of every property, as EVT_CHANNEL_CONFIG_PROPERTY_ID documents it (Null where the
/// channel has no value).
fn assert_types(p: &ChannelProperties, direct: bool) {
    for property in P::ALL {
        let value = p.get(property);
        let null_unless_direct = matches!(
            property,
            P::Level
                | P::Keywords
                | P::BufferSize
                | P::MinBuffers
                | P::MaxBuffers
                | P::Latency
                | P::ClockType
                | P::SidType
        );
        if property == P::ControlGuid || (null_unless_direct && !direct) {
            assert_eq!(value, Value::Null, "{property:?} of {}", p.name());
        } else if property == P::PublisherList {
            assert!(value.is_array(), "{property:?}");
            assert_eq!(value.variant_type(), VariantType::String);
        } else {
            assert_eq!(
                value.variant_type(),
                property.variant_type(),
                "{property:?} of {}",
                p.name()
            );
        }
    }
}

#[test]
fn the_standard_channels_have_windows_defaults() {
    let engine = engine();
    let expect = |name: &str, isolation: Isolation, access_start: &str, max: u64| {
        let p = engine.channel_properties(name).unwrap();
        assert_types(&p, false);
        assert_eq!(p.get(P::Enabled), Value::Boolean(true));
        assert_eq!(p.get(P::Isolation), Value::UInt32(isolation as u32));
        assert!(
            p.access().starts_with(access_start),
            "{name}: {}",
            p.access()
        );
        assert_eq!(p.get(P::MaxSize), Value::UInt64(max), "{name}");
        assert_eq!(p.get(P::Retention), Value::Boolean(false));
        assert_eq!(p.get(P::AutoBackup), Value::Boolean(false));
        assert_eq!(
            p.get(P::OwningPublisher),
            Value::String(String::new().into())
        );
        assert_eq!(p.get(P::FileMax), Value::UInt32(1));
        assert_eq!(
            p.get(P::LogFilePath),
            Value::from(format!(
                r"%SystemRoot%\System32\Winevt\Logs\{}.evtx",
                p.name()
            ))
        );
        p
    };
    let app = expect(
        "Application",
        Isolation::Application,
        APPLICATION_ACCESS,
        20 << 20,
    );
    assert_eq!(app.access(), APPLICATION_ACCESS);
    assert_eq!(app.get(P::Type), Value::UInt32(0));
    assert!(app.classic_eventlog());
    let system = expect(
        "System",
        Isolation::System,
        "O:BAG:SYD:(A;;0xf0007;;;SY)",
        20 << 20,
    );
    assert!(system.access().contains("(A;;0x3;;;BO)"));
    let security = expect(
        "security",
        Isolation::Custom,
        "O:BAG:SYD:(A;;0xf0005;;;SY)(A;;0x5;;;BA)(A;;0x1;;;S-1-5-32-573)",
        20 << 20,
    );
    assert_eq!(security.name(), "Security", "the channel's own name");
    let setup = expect("Setup", Isolation::Application, APPLICATION_ACCESS, 1 << 20);
    assert_eq!(setup.get(P::Type), Value::UInt32(1));
    assert!(!setup.classic_eventlog());
}

#[test]
fn manifest_style_channels_have_their_type_defaults() {
    let engine = engine();
    engine
        .create_channel(ChannelConfig::new(
            "Contoso/Operational",
            ChannelType::Operational,
        ))
        .unwrap();
    engine
        .create_channel(ChannelConfig::new(
            "Contoso/Analytic",
            ChannelType::Analytic,
        ))
        .unwrap();
    let op = engine.channel_properties("Contoso/Operational").unwrap();
    assert_types(&op, false);
    assert_eq!(op.get(P::Enabled), Value::Boolean(true));
    assert_eq!(op.get(P::Retention), Value::Boolean(false));
    assert_eq!(
        op.log_file_path(),
        r"%SystemRoot%\System32\Winevt\Logs\Contoso%4Operational.evtx"
    );
    let an = engine.channel_properties("Contoso/Analytic").unwrap();
    assert_types(&an, true);
    assert_eq!(an.get(P::Enabled), Value::Boolean(false));
    assert_eq!(an.get(P::Retention), Value::Boolean(true));
    assert_eq!(an.get(P::Type), Value::UInt32(2));
    assert_eq!(an.get(P::Level), Value::UInt32(0));
    assert_eq!(an.get(P::Keywords), Value::UInt64(0));
    assert_eq!(an.get(P::BufferSize), Value::UInt32(4));
    assert_eq!(an.get(P::MaxBuffers), Value::UInt32(10));
    assert_eq!(an.get(P::Latency), Value::UInt32(5000));
    assert_eq!(an.get(P::ClockType), Value::UInt32(0));
    assert_eq!(an.get(P::SidType), Value::UInt32(1));
    assert!(!an.classic_eventlog());
}

#[test]
fn a_defining_provider_is_the_owning_publisher_and_writers_are_listed() {
    use evtlog::{ChannelDefinition, ChannelRef, Publisher};
    let engine = engine();
    engine
        .create_channel(ChannelConfig::new(
            "Contoso-Agent/Operational",
            ChannelType::Operational,
        ))
        .unwrap();
    let channel = |name: &str, imported: bool, definition| ChannelRef {
        name: name.into(),
        chid: name.into(),
        value: 16,
        imported,
        message_id: None,
        definition,
    };
    let definition = ChannelDefinition {
        channel_type: 1,
        enabled: true,
        isolation: 2,
        access: Some("O:BAG:SYD:(A;;0x7;;;BA)".into()),
        max_size: None,
        retention: None,
        auto_backup: None,
        level: Some(4),
        keywords: None,
    };
    engine.publishers().install(Publisher {
        name: "Contoso-Agent".into(),
        channels: vec![channel(
            "Contoso-Agent/Operational",
            false,
            Some(definition),
        )],
        ..Publisher::default()
    });
    engine.publishers().install(Publisher {
        name: "Contoso-Helper".into(),
        channels: vec![
            channel("Contoso-Agent/Operational", true, None),
            channel("Application", true, None),
        ],
        ..Publisher::default()
    });
    let p = engine
        .channel_properties("Contoso-Agent/Operational")
        .unwrap();
    assert_eq!(p.owning_publisher(), "Contoso-Agent");
    assert_eq!(p.isolation(), Isolation::Custom);
    assert_eq!(p.access(), "O:BAG:SYD:(A;;0x7;;;BA)");
    assert_eq!(p.level(), Some(4));
    assert_eq!(p.publisher_list(), ["Contoso-Agent", "Contoso-Helper"]);
    let app = engine.channel_properties("Application").unwrap();
    assert_eq!(app.owning_publisher(), "", "an import does not own");
    assert_eq!(app.publisher_list(), ["Contoso-Helper"]);
}

#[test]
fn setters_enforce_read_only_types_and_enabled_direct_channels() {
    let engine = engine();
    engine
        .create_channel(ChannelConfig::new("Contoso/Debug", ChannelType::Debug))
        .unwrap();
    let mut app = engine.channel_properties("Application").unwrap();
    let invalid = ErrorKind::InvalidChannelPropertyValue;
    for read_only in [
        P::Type,
        P::OwningPublisher,
        P::ClassicEventlog,
        P::BufferSize,
        P::FileMax,
    ] {
        let value = app.get(read_only);
        assert_eq!(kind(app.set(read_only, &value)), invalid, "{read_only:?}");
    }
    // The type must match exactly: UInt32 for the UInt64 MaxSize, a string for a boolean.
    assert_eq!(kind(app.set(P::MaxSize, &Value::UInt32(5 << 20))), invalid);
    assert_eq!(
        kind(app.set(P::Retention, &Value::String("true".into()))),
        invalid
    );
    assert_eq!(
        kind(app.set_enabled(false)),
        invalid,
        "Application stays enabled"
    );
    assert_eq!(kind(app.set_isolation(Isolation::Custom)), invalid);
    assert_eq!(kind(app.set_access("garbage")), invalid);
    assert_eq!(
        kind(app.set_access("O:BAG:SYD:(A;;0x7;;BA)")),
        invalid,
        "five ACE fields"
    );
    assert_eq!(kind(app.set_log_file_path("relative.evtx")), invalid);
    assert_eq!(kind(app.set_level(256)), invalid);
    app.set_access("O:BAG:SYD:(A;;0xf0007;;;SY)(A;;CCLC;;;BA)")
        .unwrap();
    app.set_log_file_path(r"C:\Logs\app.evtx").unwrap();

    let mut debug = engine.channel_properties("Contoso/Debug").unwrap();
    debug.set_level(5).unwrap();
    debug.set_enabled(true).unwrap();
    let enabled = ErrorKind::InvalidOperationOverEnabledDirectChannel;
    assert_eq!(kind(debug.set_level(4)), enabled);
    assert_eq!(kind(debug.set_keywords(1)), enabled);
    assert_eq!(kind(debug.set_max_size(4 << 20)), enabled);
    // Microsoft's sample: disable in the copy, set, enable again.
    debug.set_enabled(false).unwrap();
    debug.set_keywords(0x30).unwrap();
    debug.set_enabled(true).unwrap();
    engine.save_channel_properties(&debug).unwrap();
    let saved = engine.channel_properties("Contoso/Debug").unwrap();
    assert_eq!(
        (saved.enabled(), saved.level(), saved.keywords()),
        (true, Some(5), Some(0x30))
    );
}

fn fill(engine: &Engine, channel: &str, count: usize, seed: u64) -> evtlog::Result<u64> {
    let mut last = 0;
    for event in Generator::new(seed).events(Profile::Application, count) {
        last = engine.write(channel, event)?;
    }
    Ok(last)
}

fn bytes(engine: &Engine, channel: &str) -> u64 {
    engine.channel(channel).unwrap().total_bytes()
}

#[test]
fn a_raised_max_size_lets_the_channel_grow_and_a_lowered_one_keeps_its_records() {
    let engine = engine();
    // Setup: 1 MiB, circular. Enough events to wrap it several times.
    fill(&engine, "Setup", 12_000, 1).unwrap();
    let at_default = bytes(&engine, "Setup");
    assert!(at_default <= 1 << 20, "{at_default}");
    let mut p = engine.channel_properties("Setup").unwrap();
    p.set_max_size(8 << 20).unwrap();
    engine.save_channel_properties(&p).unwrap();
    fill(&engine, "Setup", 12_000, 2).unwrap();
    let raised = bytes(&engine, "Setup");
    assert!(raised > 2 * at_default && raised <= 8 << 20, "{raised}");

    // Lowered below the records: nothing dropped; the channel stays at that size (still
    // circular) until cleared.
    let count = engine.channel("Setup").unwrap().record_count();
    p = engine.channel_properties("Setup").unwrap();
    p.set_max_size(2 << 20).unwrap();
    engine.save_channel_properties(&p).unwrap();
    assert_eq!(engine.channel("Setup").unwrap().record_count(), count);
    assert_eq!(
        engine.channel_properties("Setup").unwrap().max_size(),
        2 << 20
    );
    fill(&engine, "Setup", 2_000, 3).unwrap();
    assert!(bytes(&engine, "Setup") <= raised);
    engine.channel("Setup").unwrap().clear().unwrap();
    fill(&engine, "Setup", 12_000, 4).unwrap();
    assert!(bytes(&engine, "Setup") <= 2 << 20);

    // Sizes are at least 1 MiB, in whole 64 KiB.
    p.set_max_size(1_000_000).unwrap();
    engine.save_channel_properties(&p).unwrap();
    assert_eq!(
        engine.channel_properties("Setup").unwrap().max_size(),
        1 << 20
    );
    p.set_max_size(5_000_000).unwrap();
    engine.save_channel_properties(&p).unwrap();
    assert_eq!(
        engine.channel_properties("Setup").unwrap().max_size(),
        77 * 65_536
    );
}

#[test]
fn retention_and_enabled_apply_to_the_live_channel() {
    let engine = engine();
    engine
        .create_channel(ChannelConfig::new(
            "Contoso/Operational",
            ChannelType::Operational,
        ))
        .unwrap();
    let mut p = engine.channel_properties("Contoso/Operational").unwrap();
    p.set_retention(true).unwrap();
    engine.save_channel_properties(&p).unwrap();
    let full = fill(&engine, "Contoso/Operational", 20_000, 5).unwrap_err();
    assert_eq!(full.kind(), ErrorKind::LogFileFull);
    p.set_enabled(false).unwrap();
    engine.save_channel_properties(&p).unwrap();
    let disabled = engine.write("Contoso/Operational", Event::builder("P").build());
    assert_eq!(disabled.unwrap_err().kind(), ErrorKind::InvalidOperation);

    // Enabling an Analytic channel clears it.
    engine
        .create_channel(
            ChannelConfig::new("Contoso/Analytic", ChannelType::Analytic).with_enabled(true),
        )
        .unwrap();
    fill(&engine, "Contoso/Analytic", 10, 6).unwrap();
    let mut a = engine.channel_properties("Contoso/Analytic").unwrap();
    a.set_enabled(false).unwrap();
    engine.save_channel_properties(&a).unwrap();
    assert_eq!(
        engine.channel("Contoso/Analytic").unwrap().record_count(),
        10
    );
    a.set_enabled(true).unwrap();
    engine.save_channel_properties(&a).unwrap();
    assert_eq!(
        engine.channel("Contoso/Analytic").unwrap().record_count(),
        0
    );
}

#[test]
fn a_failed_save_changes_nothing() {
    let dir = TempDir::new("config-failed-save");
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    engine
        .create_channel(ChannelConfig::new(
            "Contoso/Operational",
            ChannelType::Operational,
        ))
        .unwrap();
    fill(&engine, "Contoso/Operational", 50, 7).unwrap();
    let config_file = dir.0.join("Contoso%4Operational.evtx.config");
    let before_config = std::fs::read_to_string(&config_file).unwrap();
    let before = engine.channel_properties("Contoso/Operational").unwrap();

    // Auto-backup without retention.
    let mut p = before.clone();
    p.set_auto_backup(true).unwrap();
    p.set_max_size(4 << 20).unwrap();
    assert_eq!(
        engine.save_channel_properties(&p).unwrap_err().kind(),
        ErrorKind::InvalidChannelPropertyValue
    );
    // A move onto an existing file.
    let taken = dir.0.join("taken.evtx");
    std::fs::write(&taken, b"x").unwrap();
    let mut p = before.clone();
    p.set_log_file_path(taken.to_str().unwrap()).unwrap();
    p.set_max_size(4 << 20).unwrap();
    assert_eq!(
        engine.save_channel_properties(&p).unwrap_err().kind(),
        ErrorKind::FileExists
    );
    // A move into a directory that does not exist.
    let mut p = before.clone();
    let nowhere = dir.0.join("no-such-dir").join("x.evtx");
    p.set_log_file_path(nowhere.to_str().unwrap()).unwrap();
    assert!(engine.save_channel_properties(&p).is_err());

    assert_eq!(
        engine.channel_properties("Contoso/Operational").unwrap(),
        before
    );
    assert_eq!(
        std::fs::read_to_string(&config_file).unwrap(),
        before_config
    );
    assert_eq!(
        engine
            .channel("Contoso/Operational")
            .unwrap()
            .record_count(),
        50
    );
    let mut names = dir.names();
    names.retain(|n| n != "taken.evtx");
    assert_eq!(
        names,
        [
            ".evtlog.lock",
            "Contoso%4Operational.evtx",
            "Contoso%4Operational.evtx.config"
        ],
        "no temporary left (the store's lock file is its one other file)"
    );
    engine
        .save_channel_properties(&engine.channel_properties("Contoso/Operational").unwrap())
        .unwrap();
    assert_eq!(
        kind(engine.save_channel_properties(&{
            let other = Engine::new();
            other
                .create_channel(ChannelConfig::new("Nowhere", ChannelType::Admin))
                .unwrap();
            other.channel_properties("Nowhere").unwrap()
        })),
        ErrorKind::ChannelNotFound
    );
}

#[test]
fn saved_settings_persist_and_reopen() {
    let dir = TempDir::new("config-reopen");
    {
        let engine = Engine::open_store_dir(&dir.0).unwrap();
        engine
            .create_channel(ChannelConfig::new(
                "Contoso/Operational",
                ChannelType::Operational,
            ))
            .unwrap();
        fill(&engine, "Contoso/Operational", 100, 8).unwrap();
        let mut p = engine.channel_properties("Contoso/Operational").unwrap();
        p.set_max_size(3 << 20).unwrap();
        p.set_retention(true).unwrap();
        p.set_auto_backup(true).unwrap();
        p.set_level(3).unwrap();
        p.set_keywords(0x8000_0000_0000_0010).unwrap();
        p.set_isolation(Isolation::Custom).unwrap();
        p.set_access("O:BAG:SYD:(A;;0x7;;;BA)").unwrap();
        p.set_enabled(false).unwrap();
        engine.save_channel_properties(&p).unwrap();
    }
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    let p = engine.channel_properties("Contoso/Operational").unwrap();
    assert_eq!(p.max_size(), 3 << 20);
    assert!(p.retention() && p.auto_backup() && !p.enabled());
    assert_eq!(
        (p.level(), p.keywords()),
        (Some(3), Some(0x8000_0000_0000_0010))
    );
    assert_eq!(
        (p.isolation(), p.access()),
        (Isolation::Custom, "O:BAG:SYD:(A;;0x7;;;BA)")
    );
    assert_eq!(
        engine
            .channel("Contoso/Operational")
            .unwrap()
            .record_count(),
        100
    );
    // The first three lines stay readable by an older store.
    let text = std::fs::read_to_string(dir.0.join("Contoso%4Operational.evtx.config")).unwrap();
    assert!(
        text.starts_with("type=1\nmax_size=3145728\nretention=auto-backup\n"),
        "{text}"
    );
}

#[test]
fn a_raised_max_size_on_a_persistent_channel_grows_its_file() {
    let dir = TempDir::new("config-grow");
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    engine
        .create_channel(ChannelConfig::new(
            "Contoso/Operational",
            ChannelType::Operational,
        ))
        .unwrap();
    let file = dir.0.join("Contoso%4Operational.evtx");
    fill(&engine, "Contoso/Operational", 6_000, 9).unwrap();
    let wrapped = engine
        .channel("Contoso/Operational")
        .unwrap()
        .record_count();
    assert!(std::fs::metadata(&file).unwrap().len() <= (1 << 20) + 4096);
    let mut p = engine.channel_properties("Contoso/Operational").unwrap();
    p.set_max_size(4 << 20).unwrap();
    engine.save_channel_properties(&p).unwrap();
    assert_eq!(
        engine
            .channel("Contoso/Operational")
            .unwrap()
            .record_count(),
        wrapped
    );
    fill(&engine, "Contoso/Operational", 12_000, 10).unwrap();
    let len = std::fs::metadata(&file).unwrap().len();
    assert!(len > 2 << 20 && len <= (4 << 20) + 4096, "{len}");
    let kept = engine
        .channel("Contoso/Operational")
        .unwrap()
        .record_count();
    assert!(kept > 2 * wrapped, "{kept} vs {wrapped}");
    drop(engine);
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    assert_eq!(
        engine
            .channel("Contoso/Operational")
            .unwrap()
            .record_count(),
        kept
    );
    assert_eq!(crate::read_evtx(&file).len() as u64, kept);
}

#[test]
fn a_moved_log_file_path_moves_the_file_and_reopens_there() {
    let dir = TempDir::new("config-move");
    let elsewhere = TempDir::new("config-move-target");
    let target = elsewhere.0.join("agent.evtx");
    let (ids, moved_path) = {
        let engine = Engine::open_store_dir(&dir.0).unwrap();
        engine
            .create_channel(ChannelConfig::new(
                "Contoso/Operational",
                ChannelType::Operational,
            ))
            .unwrap();
        fill(&engine, "Contoso/Operational", 300, 11).unwrap();
        let mut p = engine.channel_properties("Contoso/Operational").unwrap();
        p.set_log_file_path(target.to_str().unwrap()).unwrap();
        engine.save_channel_properties(&p).unwrap();
        assert!(
            !dir.0.join("Contoso%4Operational.evtx").exists(),
            "the old file is gone"
        );
        assert!(target.is_file());
        let channel = engine.channel("Contoso/Operational").unwrap();
        assert_eq!(channel.file_path().as_deref(), Some(target.as_path()));
        // Appends go to the new file.
        fill(&engine, "Contoso/Operational", 5, 12).unwrap();
        let ids: Vec<u64> = channel
            .snapshot()
            .iter()
            .map(|e| e.system.event_record_id.unwrap())
            .collect();
        (ids, channel.file_path())
    };
    assert_eq!(ids, (1..=305).collect::<Vec<u64>>());
    let file_ids: Vec<u64> = crate::read_evtx(&target)
        .iter()
        .map(|e| e.system.event_record_id.unwrap())
        .collect();
    assert_eq!(file_ids, ids);
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    let channel = engine.channel("Contoso/Operational").unwrap();
    assert_eq!(channel.file_path(), moved_path);
    assert_eq!(channel.record_count(), 305);
    assert_eq!(
        engine
            .channel_properties("Contoso/Operational")
            .unwrap()
            .log_file_path(),
        target.to_str().unwrap()
    );

    // Back into the store directory, by Windows' name for it.
    let mut p = engine.channel_properties("Contoso/Operational").unwrap();
    p.set_log_file_path(&default_log_file_path("Contoso/Operational"))
        .unwrap();
    engine.save_channel_properties(&p).unwrap();
    assert!(!target.exists());
    assert!(dir.0.join("Contoso%4Operational.evtx").is_file());
    // The channel too holds the store's lock (it can still write).
    drop(channel);
    drop(engine);
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    assert_eq!(
        engine
            .channel("Contoso/Operational")
            .unwrap()
            .record_count(),
        305
    );
    assert_eq!(engine.channel_names(), ["Contoso/Operational"]);
}

#[test]
fn a_memory_engine_stores_the_log_file_path() {
    let engine = engine();
    let mut p = engine.channel_properties("System").unwrap();
    p.set_log_file_path(r"D:\Logs\System.evtx").unwrap();
    engine.save_channel_properties(&p).unwrap();
    assert_eq!(
        engine.channel_properties("System").unwrap().log_file_path(),
        r"D:\Logs\System.evtx"
    );
}

#[test]
fn a_lowered_max_size_on_a_persistent_channel_keeps_its_records_until_cleared() {
    let dir = TempDir::new("config-shrink");
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    engine
        .create_channel(
            ChannelConfig::new("Contoso/Operational", ChannelType::Operational)
                .with_max_size(4 << 20),
        )
        .unwrap();
    let file = dir.0.join("Contoso%4Operational.evtx");
    fill(&engine, "Contoso/Operational", 8_000, 13).unwrap();
    let channel = engine.channel("Contoso/Operational").unwrap();
    let before = channel.record_count();
    let size = std::fs::metadata(&file).unwrap().len();
    assert!(size > 2 << 20, "{size}");
    let mut p = engine.channel_properties("Contoso/Operational").unwrap();
    p.set_max_size(1 << 20).unwrap();
    engine.save_channel_properties(&p).unwrap();
    assert_eq!(
        channel.record_count(),
        before,
        "nothing dropped by the change"
    );
    // Still circular at the size it has: new records replace the oldest.
    fill(&engine, "Contoso/Operational", 2_000, 14).unwrap();
    assert!(std::fs::metadata(&file).unwrap().len() <= size + 65_536);
    assert!(channel.record_count() > before / 2);
    channel.clear().unwrap();
    fill(&engine, "Contoso/Operational", 8_000, 15).unwrap();
    assert!(std::fs::metadata(&file).unwrap().len() <= (1 << 20) + 4096);
    drop((channel, engine));
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    assert_eq!(
        engine
            .channel_properties("Contoso/Operational")
            .unwrap()
            .max_size(),
        1 << 20
    );
}
