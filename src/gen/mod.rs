//! A seeded, deterministic generator of realistic Windows events for the `Application`,
//! `System`, `Security`, `Setup` and `Microsoft-Windows-Sysmon/Operational` channels.
//!
//! Owns the public [`Generator`] and [`Profile`] API, the virtual timeline, and the dispatch
//! to one module per channel family (`security`, `system` for System and Setup,
//! `application`, `sysmon`), which share `site` (domain, people, hosts, boot), `pools`
//! and `programs` (constant names, paths, programs) and `rng` (the PRNG).
//!
//! Invariants:
//! - Output is a pure function of the seed, the start time and the sequence of calls: no wall
//!   clock, no hash-map iteration, no floating point, no platform-dependent integer sizes.
//!   The same seed gives the same events, byte for byte, everywhere (pinned by a hash test in
//!   `tests.rs`).
//! - Every event has `time_created`, `channel` and `computer` set and no `event_record_id`
//!   (the engine assigns record ids). `time_created` strictly increases across all events of
//!   one generator, whatever profiles are interleaved.
//! - Nothing here panics on any input.

mod application;
pub(crate) mod manifests;
mod pools;
mod programs;
mod rng;
mod security;
mod site;
mod sysmon;
mod system;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use crate::event::{Body, DataItem, Event, EventBuilder, FileTime, Guid};
use rng::Rng;
use site::{Boot, Host, Site};

/// A channel the generator knows how to fill.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Profile {
    /// `Application`: crashes, installers, Restart Manager, Security Center, ESENT, .NET.
    Application,
    /// `System`: Service Control Manager, kernel boot events, EventLog, time, updates, DCOM.
    System,
    /// `Security`: Microsoft-Windows-Security-Auditing logons, processes, accounts, Kerberos.
    Security,
    /// `Setup`: servicing stack and WUSA package installs.
    Setup,
    /// `Microsoft-Windows-Sysmon/Operational`: process, network, image, file and registry
    /// events.
    Sysmon,
}

impl Profile {
    /// Every profile, in declaration order.
    pub const ALL: [Profile; 5] = [
        Profile::Application,
        Profile::System,
        Profile::Security,
        Profile::Setup,
        Profile::Sysmon,
    ];

    /// The channel this profile fills, as Windows names it.
    pub fn channel_name(self) -> &'static str {
        match self {
            Profile::Application => "Application",
            Profile::System => "System",
            Profile::Security => "Security",
            Profile::Setup => "Setup",
            Profile::Sysmon => "Microsoft-Windows-Sysmon/Operational",
        }
    }

    /// The profile for a channel name, compared case-insensitively (ASCII), as Windows
    /// compares channel names.
    pub fn from_channel_name(name: &str) -> Option<Profile> {
        Profile::ALL
            .into_iter()
            .find(|p| p.channel_name().eq_ignore_ascii_case(name))
    }
}

/// The default start of the virtual timeline: 2024-01-01T00:00:00Z.
pub(crate) const DEFAULT_START: FileTime = FileTime(133_485_408_000_000_000);

/// A deterministic source of realistic events.
///
/// Each generator simulates one site (a domain with people and hosts) and keeps a virtual
/// clock that advances by a random interval before every event. Session and process state
/// carries over between events, so a logoff refers to an earlier logon and Sysmon events
/// refer to processes that were created earlier.
///
/// ```
/// use evtlog::{Generator, Profile};
///
/// let mut g = Generator::new(42);
/// let events = g.events(Profile::Security, 3);
/// assert_eq!(events.len(), 3);
/// assert_eq!(events[0].system.channel.as_deref(), Some("Security"));
/// let again = Generator::new(42).events(Profile::Security, 3);
/// assert_eq!(events, again);
/// ```
#[derive(Clone, Debug)]
pub struct Generator {
    seed: u64,
    rng: Rng,
    now: FileTime,
    site: Site,
    boot: Boot,
    security: security::State,
    system: system::State,
    sysmon: sysmon::State,
    /// Every Data name handed out so far: each event's names are these, shared, as a
    /// decoded record's are its template's (a generated event allocates none of its own).
    names: std::collections::HashSet<Arc<str>>,
}

/// What a channel module gets to build one event.
pub(crate) struct Ctx<'a> {
    pub rng: &'a mut Rng,
    pub site: &'a Site,
    pub boot: &'a mut Boot,
    /// The event's TimeCreated.
    pub now: FileTime,
    /// The generator seed (for values stable per key, like file hashes).
    pub seed: u64,
    /// The host the event is logged on.
    pub host: &'a Host,
}

impl Generator {
    /// A generator whose timeline starts at 2024-01-01T00:00:00Z
    /// (`FileTime(133_485_408_000_000_000)`).
    pub fn new(seed: u64) -> Generator {
        Generator::with_start_time(seed, DEFAULT_START)
    }

    /// A generator whose timeline starts at `start`.
    pub fn with_start_time(seed: u64, start: FileTime) -> Generator {
        let mut rng = Rng::new(seed);
        let site = Site::new(&mut rng);
        // The primary host booted a little before the timeline starts.
        let boot_time = FileTime(start.0.saturating_sub(rng.range(600, 86_400) * 10_000_000));
        let boot = Boot::new(&mut rng, boot_time);
        let security = security::State::new();
        let system = system::State::new();
        let sysmon = sysmon::State::new(&mut rng, &site, &boot);
        Generator {
            seed,
            rng,
            now: start,
            site,
            boot,
            security,
            system,
            sysmon,
            names: std::collections::HashSet::new(),
        }
    }

    /// The TimeCreated of the most recent event (the start time before the first one).
    pub fn current_time(&self) -> FileTime {
        self.now
    }

    /// The next event for `profile`'s channel.
    pub fn next_event(&mut self, profile: Profile) -> Event {
        self.make(profile, false)
    }

    /// The next `count` events for `profile`'s channel.
    pub fn events(&mut self, profile: Profile, count: usize) -> Vec<Event> {
        (0..count).map(|_| self.next_event(profile)).collect()
    }

    /// A typical 4624 (successful logon) event for the `Security` channel, for benchmarks.
    pub fn logon_4624(&mut self) -> Event {
        self.make(Profile::Security, true)
    }

    /// Advances the timeline and makes one event of `profile` (a 4624 if `logon_4624`).
    fn make(&mut self, profile: Profile, logon_4624: bool) -> Event {
        self.advance(profile);
        let host = self.site.pick_host(&mut self.rng);
        let mut ctx = Ctx {
            rng: &mut self.rng,
            site: &self.site,
            boot: &mut self.boot,
            now: self.now,
            seed: self.seed,
            host: &self.site.hosts[host],
        };
        let event = match profile {
            Profile::Security if logon_4624 => security::logon_4624(&mut ctx, &mut self.security),
            Profile::Application => application::application(&mut ctx),
            Profile::System => system::system(&mut ctx, &mut self.system),
            Profile::Security => security::security(&mut ctx, &mut self.security),
            Profile::Setup => system::setup(&mut ctx),
            Profile::Sysmon => sysmon::sysmon(&mut ctx, &mut self.sysmon),
        };
        self.finish(event, profile, host)
    }

    /// Sets TimeCreated, Channel and (unless the module chose one) Computer.
    fn finish(&mut self, builder: EventBuilder, profile: Profile, host: usize) -> Event {
        let mut event = builder
            .time_created(self.now)
            .channel(profile.channel_name())
            .build();
        if event.system.computer.is_none() {
            event.system.computer = Some(self.site.hosts[host].fqdn.as_str().into());
        }
        self.share_names(&mut event);
        event
    }

    /// Replaces each Data name of `event` with the generator's copy of it.
    fn share_names(&mut self, event: &mut Event) {
        let Body::EventData(data) = &mut event.body else {
            return;
        };
        for item in &mut data.items {
            if let DataItem::Data {
                name: Some(name), ..
            } = item
            {
                match self.names.get(&**name) {
                    Some(shared) => *name = Arc::clone(shared),
                    None => {
                        self.names.insert(Arc::clone(name));
                    }
                }
            }
        }
    }

    /// Moves the clock forward by at least one tick: mostly bursts of closely spaced events,
    /// sometimes longer quiet periods, with densities typical of each channel.
    fn advance(&mut self, profile: Profile) {
        const MS: u64 = 10_000;
        const S: u64 = 1000 * MS;
        let buckets: &[(u32, u64)] = match profile {
            Profile::Security => &[(50, 200 * MS), (35, 5 * S), (12, 60 * S), (3, 600 * S)],
            Profile::Sysmon => &[(60, 100 * MS), (30, 3 * S), (10, 60 * S)],
            Profile::System => &[(40, S), (40, 120 * S), (20, 1800 * S)],
            Profile::Application => &[(30, S), (50, 300 * S), (20, 3600 * S)],
            Profile::Setup => &[(60, 2 * S), (40, 3600 * S)],
        };
        let max = self.rng.weighted(buckets);
        let mut step = self.rng.range(1, max);
        if profile == Profile::System && self.system.rebooting() {
            // Shutdown, firmware and boot take a while.
            step += self.rng.range(120, 600) * S;
        }
        self.now = FileTime(self.now.0.saturating_add(step));
    }
}

/// A manifest-based event: provider name and GUID, event id, and the builder's defaults
/// (Version 0, Level 4, Task 0, Opcode 0, Keywords 0, empty Correlation and Security).
pub(crate) fn manifest(provider: &str, guid: Guid, id: u16) -> EventBuilder {
    Event::builder(provider).provider_guid(guid).event_id(id)
}

/// A classic (event-source) event as Windows renders it: `<Provider Name/>`,
/// `<EventID Qualifiers>`, Level, Task 0, the Classic keyword `0x80000000000000`, and no
/// Version, Opcode, Correlation or Execution.
pub(crate) fn classic(source: &str, id: u16, qualifiers: u16, level: u8) -> EventBuilder {
    Event::builder(source)
        .event_id(id)
        .qualifiers(qualifiers)
        .level(level)
        .keywords(0x0080_0000_0000_0000)
        .without("Version")
        .without("Opcode")
        .without("Correlation")
}
