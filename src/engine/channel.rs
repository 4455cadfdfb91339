//! [`Channel`] (one named log: its config and the store behind it), [`ChannelConfig`] and
//! [`ChannelType`].
//!
//! Invariants:
//! - A channel's name and type never change after creation; `enabled` is an atomic so the
//!   write path checks it without a lock; max size and retention live in the store.
//! - Every record in a channel went through [`Channel::append`], which fills EventRecordID
//!   (always), Channel (when unset) and TimeCreated (when unset, from the engine's clock).
//! - A disabled channel accepts no records: `append` fails with `InvalidOperation` (4317).
//!   Windows drops events published to a disabled channel; the Rust API says so instead of
//!   returning a record id that does not exist.
//! - A successful append notifies the channel's subscriptions after the store's lock is
//!   released, never waiting for them (`notify.rs`).

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use super::channel_file::ChannelFile;
use super::notify::Notifier;
use super::paged::ChannelView;
use crate::clock::Clock;
use crate::error::{Error, ErrorKind, Result};
use crate::event::Event;
use crate::store::{MemoryStore, Retention, Snapshot, MIN_MAX_SIZE, UNBOUNDED};

/// EVT_CHANNEL_TYPE: what kind of channel this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum ChannelType {
    /// `EvtChannelTypeAdmin` (0).
    Admin = 0,
    /// `EvtChannelTypeOperational` (1).
    Operational = 1,
    /// `EvtChannelTypeAnalytic` (2): a direct (ETW) channel.
    Analytic = 2,
    /// `EvtChannelTypeDebug` (3): a direct (ETW) channel.
    Debug = 3,
}

impl ChannelType {
    /// The EVT_CHANNEL_TYPE value.
    pub fn as_u32(self) -> u32 {
        self as u32
    }

    /// The type with EVT_CHANNEL_TYPE value `value`.
    pub fn from_u32(value: u32) -> Option<ChannelType> {
        match value {
            0 => Some(ChannelType::Admin),
            1 => Some(ChannelType::Operational),
            2 => Some(ChannelType::Analytic),
            3 => Some(ChannelType::Debug),
            _ => None,
        }
    }

    /// Analytic and Debug channels are "direct" channels: disabled and sequential by default,
    /// cleared when enabled, not subscribable.
    pub fn is_direct(self) -> bool {
        matches!(self, ChannelType::Analytic | ChannelType::Debug)
    }
}

/// EVT_CHANNEL_ISOLATION_TYPE: which default access a channel shares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum Isolation {
    /// `EvtChannelIsolationTypeApplication` (0): the Application log's access.
    Application = 0,
    /// `EvtChannelIsolationTypeSystem` (1): the System log's access.
    System = 1,
    /// `EvtChannelIsolationTypeCustom` (2): an access of its own.
    Custom = 2,
}

impl Isolation {
    /// The isolation with EVT_CHANNEL_ISOLATION_TYPE value `value`.
    pub fn from_u32(value: u32) -> Option<Isolation> {
        match value {
            0 => Some(Isolation::Application),
            1 => Some(Isolation::System),
            2 => Some(Isolation::Custom),
            _ => None,
        }
    }

    /// wevtutil's name for it (`Application`, `System`, `Custom`).
    pub fn name(self) -> &'static str {
        match self {
            Isolation::Application => "Application",
            Isolation::System => "System",
            Isolation::Custom => "Custom",
        }
    }
}

/// What a channel's configuration stores beyond [`ChannelConfig`]'s
/// type, enabled, max size and retention: the values set by a save (`None`: the default).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct ChannelSettings {
    pub(crate) isolation: Option<Isolation>,
    pub(crate) access: Option<String>,
    pub(crate) log_file_path: Option<String>,
    pub(crate) level: Option<u32>,
    pub(crate) keywords: Option<u64>,
}

/// How to create a channel. Construct with [`ChannelConfig::new`] or
/// [`ChannelConfig::classic`], then adjust fields or use the `with_*` methods.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChannelConfig {
    /// The channel's name as shown (lookups ignore case).
    pub name: String,
    pub channel_type: ChannelType,
    /// EvtChannelConfigEnabled.
    pub enabled: bool,
    /// EvtChannelLoggingConfigMaxSize, in bytes of `Event::approx_record_size`. Values below
    /// [`MIN_MAX_SIZE`](ChannelConfig::MIN_MAX_SIZE) (1 MiB) are raised to it when the channel
    /// is created; [`UNBOUNDED`](ChannelConfig::UNBOUNDED) never fills.
    pub max_size: u64,
    /// EvtChannelLoggingConfigRetention.
    pub retention: Retention,
    /// The rest of the configuration a save set (config.rs).
    pub(crate) settings: ChannelSettings,
}

impl ChannelConfig {
    /// Windows' minimum and default max size for a manifest channel: 1 MiB.
    pub const MIN_MAX_SIZE: u64 = MIN_MAX_SIZE;
    /// The default max size of Application, System, Security and ForwardedEvents: 20 MiB.
    pub const CLASSIC_MAX_SIZE: u64 = 20 * 1024 * 1024;
    /// A max size that never fills (benchmarks, bulk imports).
    pub const UNBOUNDED: u64 = UNBOUNDED;

    /// The defaults of a channel declared in a manifest (eventmanifestschema
    /// ChannelLoggingType): max size 1 MiB; Admin and Operational enabled and circular
    /// (overwrite); Analytic and Debug disabled and sequential (do not overwrite).
    pub fn new(name: impl Into<String>, channel_type: ChannelType) -> ChannelConfig {
        let direct = channel_type.is_direct();
        ChannelConfig {
            name: name.into(),
            channel_type,
            enabled: !direct,
            max_size: MIN_MAX_SIZE,
            retention: if direct {
                Retention::DoNotOverwrite
            } else {
                Retention::Overwrite
            },
            settings: ChannelSettings::default(),
        }
    }

    /// The defaults of Application, System and Security: an Admin channel, enabled,
    /// circular, 20 MiB.
    pub fn classic(name: impl Into<String>) -> ChannelConfig {
        ChannelConfig::new(name, ChannelType::Admin).with_max_size(Self::CLASSIC_MAX_SIZE)
    }

    pub fn with_enabled(mut self, enabled: bool) -> ChannelConfig {
        self.enabled = enabled;
        self
    }

    pub fn with_max_size(mut self, max_size: u64) -> ChannelConfig {
        self.max_size = max_size;
        self
    }

    pub fn with_retention(mut self, retention: Retention) -> ChannelConfig {
        self.retention = retention;
        self
    }
}

/// One channel of an [`Engine`](crate::Engine): its configuration and its records.
pub struct Channel {
    name: Box<str>,
    channel_type: ChannelType,
    enabled: AtomicBool,
    store: MemoryStore,
    clock: Arc<dyn Clock>,
    /// The subscriptions watching this channel.
    notifier: Notifier,
    /// A persistent channel's live .evtx file (channel_file.rs); appends are serialized by it.
    file: Option<ChannelFile>,
    /// An append was refused for room (1502) since the last clear: EvtLogFull.
    refused: AtomicBool,
    /// The fault plan made the channel full (fault_plan.rs): appends fail with 1502.
    forced_full: AtomicBool,
    /// The configuration a save set beyond the fields above (config.rs).
    settings: Mutex<ChannelSettings>,
    /// Serializes saves of the configuration.
    saving: Mutex<()>,
    /// Serializes clears with a backup (clear.rs invariant 5).
    clearing: Mutex<()>,
}

impl Channel {
    /// A channel from a config whose name the engine has validated.
    pub(crate) fn new(config: ChannelConfig, clock: Arc<dyn Clock>) -> Channel {
        Channel {
            name: config.name.into_boxed_str(),
            channel_type: config.channel_type,
            enabled: AtomicBool::new(config.enabled),
            store: MemoryStore::new(config.max_size, config.retention),
            clock,
            notifier: Notifier::default(),
            file: None,
            refused: AtomicBool::new(false),
            forced_full: AtomicBool::new(false),
            settings: Mutex::new(config.settings),
            saving: Mutex::new(()),
            clearing: Mutex::new(()),
        }
    }

    /// A persistent channel: its records live in `file`, which is its store; the memory
    /// store holds only the records of the file's open chunk (paged.rs), and record ids go
    /// on from `next_id`.
    pub(crate) fn persistent(
        config: ChannelConfig,
        clock: Arc<dyn Clock>,
        file: ChannelFile,
        next_id: u64,
    ) -> Channel {
        let mut channel = Channel::new(
            ChannelConfig {
                max_size: super::ChannelConfig::UNBOUNDED,
                ..config
            },
            clock,
        );
        channel.store.skip_to(next_id);
        channel.file = Some(file);
        channel
    }

    /// True for a persistent channel whose file opened read-only (appends and clears fail
    /// with ERROR_ACCESS_DENIED; see [`Engine::is_read_only`](super::Engine::is_read_only)).
    pub fn is_read_only(&self) -> bool {
        self.file.as_ref().is_some_and(ChannelFile::is_read_only)
    }

    /// The live .evtx file of a persistent channel.
    pub fn file_path(&self) -> Option<std::path::PathBuf> {
        self.file.as_ref().map(ChannelFile::path)
    }

    /// The name as created (case preserved).
    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn channel_type(&self) -> ChannelType {
        self.channel_type
    }

    /// The current configuration, with the effective max size (at least 1 MiB).
    pub fn config(&self) -> ChannelConfig {
        ChannelConfig {
            name: self.name.to_string(),
            channel_type: self.channel_type,
            enabled: self.is_enabled(),
            // A persistent channel's file holds the limit; its memory store is unbounded.
            max_size: self
                .file
                .as_ref()
                .map_or_else(|| self.store.max_size(), ChannelFile::max_size),
            retention: self
                .file
                .as_ref()
                .map_or_else(|| self.store.retention(), ChannelFile::retention),
            settings: self.settings(),
        }
    }

    /// The configuration a save set beyond type, enabled, max size and retention.
    pub(crate) fn settings(&self) -> ChannelSettings {
        self.settings.lock().clone()
    }

    /// Applies a saved configuration (config.rs): the limits (a persistent channel's file
    /// rewritten or moved to `target` as needed, `persist` writing its configuration file
    /// at the point where nothing can fail after it), the settings, then `enabled` (last:
    /// enabling an Analytic or Debug channel clears it). On an error nothing changed.
    pub(crate) fn reconfigure(
        &self,
        config: ChannelConfig,
        target: Option<std::path::PathBuf>,
        persist: &dyn Fn(&ChannelConfig) -> Result<()>,
    ) -> Result<()> {
        let _saving = self.saving.lock();
        match (&self.file, target) {
            (Some(file), Some(target)) => file.reconfigure(
                &self.store,
                (config.max_size, config.retention),
                &target,
                &|| persist(&config),
            )?,
            _ => {
                persist(&config)?;
                self.store.set_limits(config.max_size, config.retention);
            }
        }
        *self.settings.lock() = config.settings;
        self.set_enabled(config.enabled);
        Ok(())
    }

    pub fn is_enabled(&self) -> bool {
        self.enabled.load(Ordering::Acquire)
    }

    /// Enables or disables the channel. Enabling a disabled Analytic or Debug channel clears
    /// its records, as on Windows.
    pub fn set_enabled(&self, enabled: bool) {
        let was = self.enabled.swap(enabled, Ordering::AcqRel);
        if enabled && !was && self.channel_type.is_direct() {
            match &self.file {
                None => self.store.clear(),
                // A failed rewrite keeps the records: nothing is lost.
                Some(file) => {
                    let _ = file.clear_before(&self.store, u64::MAX);
                }
            }
        }
    }

    /// Appends `event` and returns its record id. Sets EventRecordID (the channel owns the
    /// sequence), Channel to this channel's name when the event has none (forwarded events
    /// keep theirs), and TimeCreated from the engine's clock when unset.
    ///
    /// Errors: `InvalidOperation` (4317) if the channel is disabled; `LogFileFull` (1502)
    /// if it is full and does not overwrite (the store's append decides, under its lock).
    pub fn append(&self, mut event: Event) -> Result<u64> {
        if self.forced_full.load(Ordering::Relaxed) {
            self.refused.store(true, Ordering::Relaxed);
            return Err(Error::with_message(
                ErrorKind::LogFileFull,
                format!("channel {} is full (evtlog's fault plan)", self.name),
            ));
        }
        if !self.is_enabled() {
            return Err(Error::with_message(
                ErrorKind::InvalidOperation,
                format!(
                    "channel {} is disabled; Windows drops events written to it",
                    self.name
                ),
            ));
        }
        let system = &mut event.system;
        if system.channel.is_none() {
            system.channel = Some(Arc::from(&*self.name));
        }
        if system.time_created.is_none() {
            system.time_created = Some(self.clock.now());
        }
        let appended = match &self.file {
            None => self.store.append(event),
            Some(file) => file.append(&self.store, event),
        };
        let id = appended.inspect_err(|e| {
            if e.kind() == ErrorKind::LogFileFull {
                self.refused.store(true, Ordering::Relaxed);
            }
        })?;
        self.notifier.notify();
        Ok(id)
    }

    /// Sets how many estimated bytes (`Event::approx_record_size`) of the newest records the
    /// channel keeps as events; its older records are held compact, a few hundred bytes
    /// each, and made into events when read (store invariant 9). The default is
    /// [`DEFAULT_HOT_WINDOW`](crate::store::DEFAULT_HOT_WINDOW); `u64::MAX` keeps every
    /// record as an event, 0 holds every sealed chunk compact. Lowering it compacts at once.
    pub fn set_hot_window(&self, bytes: u64) {
        self.store.set_hot_window(bytes);
    }

    /// See [`set_hot_window`](Self::set_hot_window).
    pub fn hot_window(&self) -> u64 {
        self.store.hot_window()
    }

    /// Every record now, in memory; see [`Snapshot`]. A persistent channel's records are
    /// read from its file into the snapshot (all of them: for small channels and tests;
    /// queries read a large one a chunk at a time); records that do not decode are left
    /// out.
    pub fn snapshot(&self) -> Snapshot {
        let view = self.view();
        if view.paged.is_none() {
            return view.tail;
        }
        let mut front = Vec::new();
        let read = view.for_each_page(None, &crate::cancel::CancelToken::root(), 0, |c| {
            front.push(Arc::clone(c));
            Ok(())
        });
        // The records in memory are there whatever the file gives.
        if read.is_err() {
            front.clear();
        }
        view.tail.with_front(front)
    }

    /// A reader's view of the records now (paged.rs): lock-free in memory, a persistent
    /// channel's sealed file chunks read on demand.
    pub(crate) fn view(&self) -> ChannelView {
        match &self.file {
            None => ChannelView {
                tail: self.store.snapshot(),
                paged: None,
            },
            Some(file) => file.view(&self.store),
        }
    }

    /// A view with only the in-memory chunks from the one holding `record_id` on
    /// ([`MemoryStore::snapshot_from`]): what a live reader at `record_id` needs.
    pub(crate) fn view_from(&self, record_id: u64) -> ChannelView {
        match &self.file {
            None => ChannelView {
                tail: self.store.snapshot_from(record_id),
                paged: None,
            },
            Some(file) => file.view_from(&self.store, record_id),
        }
    }

    /// The subscriptions watching this channel.
    pub(crate) fn notifier(&self) -> &Notifier {
        &self.notifier
    }

    /// Removes every record (EvtClearLog); record ids continue. Fails with
    /// `InvalidOperationOverEnabledDirectChannel` (15022) on an enabled Analytic or Debug
    /// channel, as Windows does ("the channel must first be disabled").
    pub fn clear(&self) -> Result<()> {
        self.check_clearable()?;
        match &self.file {
            None => self.store.clear(),
            Some(file) => file.clear_before(&self.store, u64::MAX)?,
        }
        self.refused.store(false, Ordering::Relaxed);
        Ok(())
    }

    /// Removes every record with an id below `end` (those of a snapshot with that
    /// `end_record_id`: the ones a backup holds), keeping any appended since; as
    /// [`clear`](Self::clear) otherwise, and with its error.
    pub(crate) fn clear_before(&self, end: u64) -> Result<()> {
        self.check_clearable()?;
        match &self.file {
            None => self.store.clear_before(end),
            Some(file) => file.clear_before(&self.store, end)?,
        }
        self.refused.store(false, Ordering::Relaxed);
        Ok(())
    }

    /// The channel's clear turn (clear.rs invariant 5), waited for while `call` is not
    /// cancelled (`Cancelled` if it is).
    pub(crate) fn lock_clearing(
        &self,
        call: &crate::cancel::CancelToken,
    ) -> Result<parking_lot::MutexGuard<'_, ()>> {
        loop {
            if let Some(turn) = self
                .clearing
                .try_lock_for(std::time::Duration::from_millis(2))
            {
                return Ok(turn);
            }
            call.check()?;
        }
    }

    /// Whether a clear may run: not on an enabled Analytic or Debug channel (15022).
    pub(crate) fn check_clearable(&self) -> Result<()> {
        if self.channel_type.is_direct() && self.is_enabled() {
            return Err(Error::with_message(
                ErrorKind::InvalidOperationOverEnabledDirectChannel,
                format!("channel {}", self.name),
            ));
        }
        Ok(())
    }

    /// Bumped by every clear and by every append that overwrote records.
    pub fn generation(&self) -> u64 {
        self.store.generation()
    }

    /// EvtLogNumberOfLogRecords.
    pub fn record_count(&self) -> u64 {
        match &self.file {
            None => self.store.record_count(),
            Some(file) => file.record_count(&self.store),
        }
    }

    /// EvtLogFull: the channel is sequential (do not overwrite, no auto-backup) and refused
    /// an event for room since it was last cleared.
    pub fn is_full(&self) -> bool {
        self.forced_full.load(Ordering::Relaxed)
            || self.refused.load(Ordering::Relaxed)
                && self.config().retention == Retention::DoNotOverwrite
    }

    /// Makes the channel full, or no longer (the fault plan's `fill_channel`).
    pub(crate) fn set_forced_full(&self, full: bool) {
        self.forced_full.store(full, Ordering::Relaxed);
    }

    /// EvtLogOldestRecordNumber (`None` when empty).
    pub fn oldest_record_id(&self) -> Option<u64> {
        match &self.file {
            None => self.store.oldest_record_id(),
            Some(file) => file.oldest_record_id(&self.store),
        }
    }

    /// The id the next record will get.
    pub fn next_record_id(&self) -> u64 {
        self.store.next_record_id()
    }

    /// The records' estimated size in bytes (the max-size accounting; a persistent
    /// channel's: those of its file's open chunk).
    pub fn total_bytes(&self) -> u64 {
        self.store.total_bytes()
    }
}

impl fmt::Debug for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Channel")
            .field("name", &self.name)
            .field("channel_type", &self.channel_type)
            .field("enabled", &self.is_enabled())
            .field("store", &self.store)
            .finish()
    }
}
