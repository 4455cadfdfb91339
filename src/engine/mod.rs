//! The emulated Event Log service (first part): [`Engine`], a registry of [`Channel`]s with
//! Windows' case-insensitive names, and the clock that stamps what is written.
//!
//! Owns: channel creation, lookup and enumeration, and the write path
//! (`Engine::write` → `Channel::append` → the channel's store). Sessions, queries,
//! subscriptions and bookmarks will live here too.
//!
//! Invariants:
//! 1. The registry is a `Vec<Arc<Channel>>` kept sorted by `names::compare` (Windows'
//!    case-insensitive order) with no two names equal under it. Lookups are a binary search
//!    under a read lock and never allocate; enumeration is the vector in order.
//! 2. Channels are never removed: an `Arc<Channel>` obtained once stays the channel of that
//!    name for the engine's life.
//! 3. Every channel shares the engine's clock, so TimeCreated of written events comes from
//!    it and nothing else.
//! 4. Creating a channel whose name exists (in any case) fails with `InvalidParameter` (87)
//!    and leaves the existing channel untouched; an invalid name fails with
//!    `InvalidChannelPath` (15000). Looking up an unknown name gives `ChannelNotFound`
//!    (15007), whatever its syntax.

mod channel;
mod names;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use parking_lot::RwLock;

pub use channel::{Channel, ChannelConfig, ChannelType};

use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorKind, Result};
use crate::event::Event;

/// The emulated service: channels by name, and a clock.
#[derive(Debug)]
pub struct Engine {
    clock: Arc<dyn Clock>,
    channels: RwLock<Vec<Arc<Channel>>>,
}

impl Engine {
    /// An engine with no channels, on the wall clock.
    pub fn new() -> Engine {
        Engine::with_clock(Arc::new(SystemClock))
    }

    /// An engine with no channels, on `clock` (e.g. an `Arc<VirtualClock>`).
    pub fn with_clock(clock: Arc<dyn Clock>) -> Engine {
        Engine {
            clock,
            channels: RwLock::new(Vec::new()),
        }
    }

    /// An engine with Windows' standard channels and their default configuration:
    /// Application, System and Security (Admin, 20 MiB, circular), Setup (Operational,
    /// 1 MiB, circular) and ForwardedEvents (Operational, 20 MiB, circular).
    pub fn with_default_channels(clock: Arc<dyn Clock>) -> Engine {
        let engine = Engine::with_clock(clock);
        let defaults = [
            ChannelConfig::classic("Application"),
            ChannelConfig::classic("System"),
            ChannelConfig::classic("Security"),
            ChannelConfig::new("Setup", ChannelType::Operational),
            ChannelConfig::new("ForwardedEvents", ChannelType::Operational)
                .with_max_size(ChannelConfig::CLASSIC_MAX_SIZE),
        ];
        for config in defaults {
            // The names are valid and distinct, so this cannot fail; ignore rather than panic.
            let _ = engine.create_channel(config);
        }
        engine
    }

    /// The engine's clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Creates a channel. Errors: `InvalidChannelPath` (15000) for an invalid name (empty,
    /// over 255 characters, a control character or `\`); `InvalidParameter` (87) if a channel
    /// of that name exists, in any letter case.
    pub fn create_channel(&self, config: ChannelConfig) -> Result<Arc<Channel>> {
        names::validate(&config.name)?;
        let mut channels = self.channels.write();
        match channels.binary_search_by(|c| names::compare(c.name(), &config.name)) {
            Ok(existing) => {
                let existing = channels.get(existing).map_or("", |c| c.name());
                Err(Error::with_message(
                    ErrorKind::InvalidParameter,
                    format!("channel {existing} already exists"),
                ))
            }
            Err(at) => {
                let channel = Arc::new(Channel::new(config, Arc::clone(&self.clock)));
                channels.insert(at, Arc::clone(&channel));
                Ok(channel)
            }
        }
    }

    /// The channel named `name` (any letter case), or `ChannelNotFound` (15007).
    pub fn channel(&self, name: &str) -> Result<Arc<Channel>> {
        let channels = self.channels.read();
        match channels.binary_search_by(|c| names::compare(c.name(), name)) {
            Ok(i) => channels
                .get(i)
                .cloned()
                .ok_or_else(|| Error::new(ErrorKind::ChannelNotFound)),
            Err(_) => Err(Error::with_message(
                ErrorKind::ChannelNotFound,
                format!("channel {name}"),
            )),
        }
    }

    /// Whether a channel named `name` (any letter case) exists.
    pub fn has_channel(&self, name: &str) -> bool {
        let channels = self.channels.read();
        channels
            .binary_search_by(|c| names::compare(c.name(), name))
            .is_ok()
    }

    /// The channel names in EvtOpenChannelEnum's order (alphabetical, ignoring case).
    pub fn channel_names(&self) -> Vec<String> {
        self.channels
            .read()
            .iter()
            .map(|c| c.name().to_owned())
            .collect()
    }

    /// Every channel, in [`channel_names`](Engine::channel_names) order.
    pub fn channels(&self) -> Vec<Arc<Channel>> {
        self.channels.read().clone()
    }

    /// Writes `event` to the channel `channel_name` and returns its record id; see
    /// [`Channel::append`] for what is filled in and the errors. `ChannelNotFound` (15007) if
    /// there is no such channel.
    pub fn write(&self, channel_name: &str, event: Event) -> Result<u64> {
        self.channel(channel_name)?.append(event)
    }
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new()
    }
}
