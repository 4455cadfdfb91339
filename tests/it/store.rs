//! Store and engine through the public API: concurrent readers and writers, overwrite under
//! readers. (Append throughput is measured by `benches/foundation.rs`.)

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use evtlog::{
    Channel, ChannelConfig, ChannelType, Engine, Event, FileTime, Guid, Retention, Sid, Value,
    VirtualClock,
};

/// A Security 4624 (successful logon) event as Windows 10 writes it: about 1.5 KB.
fn logon_4624(n: u32) -> Event {
    let sid = |subs: &[u32]| Sid::new(5, subs).map_or(Value::Null, Value::Sid);
    Event::builder("Microsoft-Windows-Security-Auditing")
        .provider_guid(Guid::from_u128(0x54849625_5478_4994_a5ba_3e3b0328c30d))
        .event_id(4624)
        .version(2)
        .level(0)
        .task(12544)
        .opcode(0)
        .keywords(0x8020_0000_0000_0000)
        .execution(812, 11_000 + n % 7)
        .computer("WIN-DC01.corp.example.com")
        .data("SubjectUserSid", sid(&[18]))
        .data("SubjectUserName", "WIN-DC01$")
        .data("SubjectDomainName", "CORP")
        .data("SubjectLogonId", Value::HexInt64(0x3e7))
        .data(
            "TargetUserSid",
            sid(&[21, 1_004_336_348, 1_177_238_915, 682_003_330, 1000 + n % 50]),
        )
        .data("TargetUserName", format!("user{}", n % 50))
        .data("TargetDomainName", "CORP")
        .data("TargetLogonId", Value::HexInt64(0x1_0000 + u64::from(n)))
        .data("LogonType", 3u32)
        .data("LogonProcessName", "NtLmSsp ")
        .data("AuthenticationPackageName", "NTLM")
        .data("WorkstationName", "WORKSTATION-17")
        .data("LogonGuid", Guid::from_u128(0))
        .data("TransmittedServices", "-")
        .data("LmPackageName", "NTLM V2")
        .data("KeyLength", 128u32)
        .data("ProcessId", Value::HexInt64(0))
        .data("ProcessName", "-")
        .data("IpAddress", "192.168.10.23")
        .data("IpPort", "49754")
        .data("ImpersonationLevel", "%%1833")
        .data("RestrictedAdminMode", "-")
        .data("TargetOutboundUserName", "-")
        .data("TargetOutboundDomainName", "-")
        .data("VirtualAccount", "%%1843")
        .data("TargetLinkedLogonId", Value::HexInt64(0))
        .data("ElevatedToken", "%%1842")
        .build()
}

fn engine_with(config: ChannelConfig) -> (Engine, Arc<Channel>) {
    let engine = Engine::with_clock(Arc::new(VirtualClock::default()));
    let channel = engine.create_channel(config).expect("valid config");
    (engine, channel)
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
    assert!(channel.total_bytes() <= 2 * 1024 * 1024);
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
    assert!(channel.total_bytes() <= ChannelConfig::MIN_MAX_SIZE);
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
    let engine = Engine::with_default_channels(clock.clone());
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
