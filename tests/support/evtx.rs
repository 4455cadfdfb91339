//! EVTX files evtlog writes itself, for the tests that need *an* EVTX file (streaming,
//! seeking, bounded memory, deferred decoding, cancels): they run in a clone of the
//! repository alone, where the real samples (`samples.rs`) are absent.
#![allow(dead_code)]

use evtlog::{Event, EvtxWriter, Generator, Profile};

use super::temp::TempFile;

/// `count` events of `profile` from a generator seeded `seed`, with record ids 1, 2, …
pub fn generated(seed: u64, profile: Profile, count: usize) -> Vec<Event> {
    let mut g = Generator::new(seed);
    let mut events = g.events(profile, count);
    for (i, e) in events.iter_mut().enumerate() {
        e.system.event_record_id = Some(i as u64 + 1);
    }
    events
}

/// `events` written as an .evtx file, in order.
pub fn write(tag: &str, events: &[Event]) -> TempFile {
    let file = TempFile::reserve(tag);
    let mut writer = EvtxWriter::create(&file.0).unwrap();
    for event in events {
        writer.write(event).unwrap();
    }
    writer.finish().unwrap();
    file
}

/// A Security log as a real one is: 2,500 events (about a fourth of them logons, 4624),
/// over many chunks; returned with its events, in record order.
pub fn security_log(tag: &str) -> (TempFile, Vec<Event>) {
    let events = generated(0x5ec, Profile::Security, 2500);
    (write(tag, &events), events)
}
