//! The emulated Event Log service: [`Engine`], a registry of [`Channel`]s with Windows'
//! case-insensitive names, and the clock that stamps what is written.
//!
//! Owns: channel creation, lookup and enumeration, the write path
//! (`Engine::write` → `Channel::append` → the channel's store), sessions and their result
//! sets, subscriptions (push and pull, `subscription.rs`), bookmarks (`bookmark.rs`), value
//! rendering (`render.rs`), .evtx files as query sources (`files.rs`), the cancellation
//! root, the virtual scan cost and pause points.
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

mod archive;
mod bookmark;
mod channel;
mod channel_file;
mod classic;
mod clear;
mod computers;
mod config;
mod delivery;
mod event_ref;
mod eventlog;
mod eventlogrecord;
mod export;
mod fault_plan;
mod fault_spec;
mod faults;
mod files;
mod flags;
mod format;
mod lifecycle;
mod log_info;
mod metadata;
mod metadata_props;
mod names;
mod notify;
mod paged;
mod payload;
mod persist;
mod producer;
mod progress;
mod provider_files;
mod providers;
mod quirks;
mod render;
mod results;
mod sddl;
mod session;
mod signal;
mod store_lock;
mod subscription;
#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use parking_lot::{Mutex, RwLock};

pub use archive::{archive_path, ArchivedLog, ARCHIVE_DIR};
pub use bookmark::Bookmark;
pub use channel::{Channel, ChannelConfig, ChannelType, Isolation};
pub use channel_file::channel_file_name;
pub use classic::{
    classic_event, ClassicReport, ReportType, KEYWORD_AUDIT_FAILURE, KEYWORD_AUDIT_SUCCESS,
    KEYWORD_CLASSIC, MAX_REPORT_STRING,
};
pub use computers::{validate_computer_name, Computer, Credentials, Forwarder, RpcLogin};
pub use config::{
    default_log_file_path, ChannelConfigProperty, ChannelProperties, WINDOWS_LOGS_DIR,
};
pub use delivery::SubscribeAction;
pub use event_ref::EventRef;
pub use eventlog::{
    ClassicLog, ReadOutcome, EVENTLOG_BACKWARDS_READ, EVENTLOG_FORWARDS_READ, EVENTLOG_SEEK_READ,
    EVENTLOG_SEQUENTIAL_READ, MAX_READ_BUFFER,
};
pub use eventlogrecord::{eventlog_record, ELF_LOG_SIGNATURE, EVENTLOGRECORD_HEADER};
pub(crate) use fault_plan::{call_hooks, set_call_hook, CALL_HOOKS, HOOK_TRACE, HOOK_UNSTARTED};
pub use fault_plan::{
    fault_function, parse_plan, FaultEffect, FaultGuard, FaultPlan, FaultRule, FaultTimes,
    PlanError, FAULT_FUNCTIONS,
};
pub use faults::{CallKind, PauseHandle};
pub use files::{ChunkMap, ChunkRecords, FileQueryCanceller, ParallelFileQuery, AHEAD_PER_WORKER};
pub use flags::{ExportFlags, QueryFlags, SeekFlags, SeekOrigin, SubscribeFlags, SubscribeOrigin};
pub(crate) use log_info::existing_file;
pub use log_info::LogInfo;
pub use metadata::PublisherMetadata;
pub use metadata_props::{
    template_xml, EventMetadata, EventProperty, MetadataArray, ObjectArray, PublisherProperty,
};
pub use payload::{decode_payload, MAX_COUNT};
pub use producer::{
    activity_id_control, encode_value, Enablement, EventDescriptor, ProviderRegistration,
    EVENT_ACTIVITY_CTRL_CREATE_ID, EVENT_ACTIVITY_CTRL_CREATE_SET_ID, EVENT_ACTIVITY_CTRL_GET_ID,
    EVENT_ACTIVITY_CTRL_GET_SET_ID, EVENT_ACTIVITY_CTRL_SET_ID, MAX_DATA_DESCRIPTORS, MAX_PAYLOAD,
};
pub use progress::Progress;
pub use providers::ManifestFiles;
pub use quirks::{quirk_profiles, Quirk, QuirkProfile, Quirks, BATCH_DATA_CAP};
pub use render::{render_bookmark, render_values, RenderContext, SystemProperty};
pub use results::{
    Next, ResultSet, COLUMN_ENTRIES_PER_RECORD, DEFAULT_POLL_INTERVAL, MAX_NEXT_COUNT,
};
pub use session::Session;
pub use signal::SignalEvent;
pub use subscription::{Delivery, SubscribePosition, Subscription};

use crate::cancel::CancelToken;
use crate::clock::{Clock, SystemClock};
use crate::error::{Error, ErrorKind, Result};
use crate::event::Event;
use crate::evtx::TemplateCache;
use faults::Faults;

/// The emulated service: channels by name, a clock, sessions. Clone it freely: clones are
/// the same engine.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<EngineInner>,
}

/// What the engine's sessions and result sets share.
pub(crate) struct EngineInner {
    pub(crate) clock: Arc<dyn Clock>,
    channels: RwLock<Vec<Arc<Channel>>>,
    /// The root of the cancellation tree: sessions are its children.
    pub(crate) root: CancelToken,
    pub(crate) faults: Arc<Faults>,
    /// Injected failures and delays (fault_plan.rs).
    pub(crate) fault_plan: FaultPlan,
    /// Virtual time each scanned record costs, in 100-ns ticks (for deterministic timeouts).
    scan_cost: AtomicU64,
    /// Records a scan examines between two polls of its cancel flag.
    poll_interval: AtomicUsize,
    /// Every channel's hot window (store invariant 9; `Engine::set_hot_window`).
    hot_window: AtomicU64,
    /// The default session's shared state (not a `Session`, which would hold this engine
    /// and leak both: session.rs invariant 4).
    default_session: OnceLock<Arc<session::SessionInner>>,
    /// Template definitions of the .evtx files its queries have read (files.rs invariant 8).
    pub(crate) templates: Arc<Mutex<TemplateCache>>,
    /// 64 KiB chunk buffers its file queries hand on (files.rs `with_spare_buffers`).
    pub(crate) chunk_buffers: Arc<Mutex<Vec<Vec<u8>>>>,
    /// A persistent engine's store directory (persist.rs): its channels are files there.
    store_dir: OnceLock<std::path::PathBuf>,
    /// How a persistent engine holds its store: the write lock, or as a reader
    /// (store_lock.rs); the lock is released when this state drops.
    store_access: OnceLock<store_lock::StoreAccess>,
    /// The installed providers (publishers).
    pub(crate) publishers: crate::publisher::Publishers,
    /// The directory that stands for `C:\Windows` when providers' files are resolved.
    windows_dir: parking_lot::RwLock<Option<std::path::PathBuf>>,
    /// Windows' quirks this engine emulates (quirks.rs); none by default.
    quirks: quirks::QuirkCell,
    /// The service's lifecycle: stopped or running, the call delay (lifecycle.rs).
    pub(crate) lifecycle: lifecycle::Lifecycle,
    /// The remote computers this engine's sessions can reach (computers.rs).
    computers: computers::Registry,
}

impl EngineInner {
    pub(crate) fn scan_cost_ticks(&self) -> u64 {
        self.scan_cost.load(Ordering::Relaxed)
    }

    pub(crate) fn poll_interval(&self) -> usize {
        self.poll_interval.load(Ordering::Relaxed)
    }
}

impl Engine {
    /// An engine with no channels, on the wall clock.
    pub fn new() -> Engine {
        Engine::with_clock(Arc::new(SystemClock))
    }

    /// An engine with no channels, on `clock` (e.g. an `Arc<VirtualClock>`).
    pub fn with_clock(clock: Arc<dyn Clock>) -> Engine {
        Engine {
            inner: Arc::new(EngineInner {
                clock,
                channels: RwLock::new(Vec::new()),
                root: CancelToken::root(),
                faults: Arc::new(Faults::default()),
                fault_plan: FaultPlan::default(),
                scan_cost: AtomicU64::new(0),
                poll_interval: AtomicUsize::new(results::DEFAULT_POLL_INTERVAL),
                hot_window: AtomicU64::new(crate::store::DEFAULT_HOT_WINDOW),
                default_session: OnceLock::new(),
                templates: Arc::default(),
                chunk_buffers: Arc::default(),
                store_dir: OnceLock::new(),
                store_access: OnceLock::new(),
                publishers: crate::publisher::Publishers::default(),
                windows_dir: parking_lot::RwLock::new(None),
                quirks: quirks::QuirkCell::default(),
                lifecycle: lifecycle::Lifecycle::default(),
                computers: computers::Registry::default(),
            }),
        }
    }

    /// Makes this (new) engine persistent: its channels are files in `dir`, held as
    /// `access` says.
    fn set_store_dir(&self, dir: std::path::PathBuf, access: store_lock::StoreAccess) {
        let _ = self.inner.store_dir.set(dir);
        let _ = self.inner.store_access.set(access);
    }

    /// The installed providers (publishers), in installation order.
    pub fn publishers(&self) -> &crate::publisher::Publishers {
        &self.inner.publishers
    }

    /// Sets the directory that stands for `C:\Windows` when providers' resource and message
    /// files are resolved (overrides `EVTLOG_WINDIR`).
    pub fn set_windows_dir(&self, dir: impl Into<std::path::PathBuf>) {
        *self.inner.windows_dir.write() = Some(dir.into());
    }

    /// Selects the Windows quirks this engine emulates (quirks.rs; `Quirks::NONE`, the
    /// default, is evtlog's own behaviour). Calls already running keep what they read.
    pub fn set_quirks(&self, quirks: Quirks) {
        self.inner.quirks.set(quirks);
    }

    /// The Windows quirks this engine emulates.
    pub fn quirks(&self) -> Quirks {
        self.inner.quirks.get()
    }

    /// The resolver of providers' files under the directory [`set_windows_dir`](Engine::set_windows_dir)
    /// gave; None before. The engine never reads `EVTLOG_WINDIR`: the edges that serve unmodified
    /// programs (the wevtapi facade, evtutil) fall back to
    /// [`ResourceResolver::from_env`](crate::ResourceResolver::from_env) (`EVTLOG_WINDIR`).
    pub fn resource_resolver(&self) -> Option<crate::publisher::ResourceResolver> {
        self.inner
            .windows_dir
            .read()
            .clone()
            .map(crate::publisher::ResourceResolver::new)
    }

    /// A persistent engine's store directory ([`Engine::open_store_dir`]).
    pub fn store_dir(&self) -> Option<&std::path::Path> {
        self.inner.store_dir.get().map(|d| d.as_path())
    }

    /// The default local session: the NULL session of the Windows API. Always the same one.
    pub fn default_session(&self) -> Session {
        let inner = self
            .inner
            .default_session
            .get_or_init(|| Arc::new(session::SessionInner::new(self, true)));
        Session {
            inner: Arc::clone(inner),
            engine: self.clone(),
        }
    }

    /// Opens a new session (EvtOpenSession on this computer).
    pub fn open_session(&self) -> Session {
        let session = Session::new(self.clone(), false);
        self.inner.lifecycle.track(&session.inner);
        session
    }

    /// Sets the virtual time each record a scan examines costs. Timeouts count it on top of
    /// the clock, so that under a `VirtualClock` they are deterministic. Zero (the default)
    /// adds nothing.
    pub fn set_scan_cost(&self, per_record: Duration) {
        let ticks = u64::try_from(per_record.as_nanos() / 100).unwrap_or(u64::MAX);
        self.inner.scan_cost.store(ticks, Ordering::Relaxed);
    }

    /// Sets how many records a scan evaluates between two polls of its cancel flag (clamped
    /// to 1..=4096; the default is 64), or [`COLUMN_ENTRIES_PER_RECORD`] times as many
    /// EventID column entries passed over. Smaller answers a cancel sooner; larger costs a
    /// little less. A batch never spans chunks, so entering a chunk polls, but for runs of
    /// chunks passed whole on their EventID summary (eight a poll; one in a timed call).
    pub fn set_poll_interval(&self, records: usize) {
        self.inner
            .poll_interval
            .store(records.clamp(1, 4096), Ordering::Relaxed);
    }

    /// Sets every channel's hot window, now and for channels created later: how many
    /// estimated bytes of its newest records a channel keeps as events, holding the older
    /// ones compact ([`Channel::set_hot_window`]).
    pub fn set_hot_window(&self, bytes: u64) {
        self.inner.hot_window.store(bytes, Ordering::Relaxed);
        for channel in self.inner.channels.read().iter() {
            channel.set_hot_window(bytes);
        }
    }

    /// Stops a call of `kind` at `batch` while a pause point holds it (faults.rs); `Cancelled`
    /// if `call` is cancelled meanwhile.
    /// True while the service runs and no pause point is armed: a checkpoint then passes
    /// without a step (two atomic loads).
    #[inline(always)]
    pub(crate) fn is_quiet(&self) -> bool {
        self.inner.lifecycle.is_running() && !self.inner.faults.is_armed()
    }

    pub(crate) fn checkpoint(&self, kind: CallKind, batch: u64, call: &CancelToken) -> Result<()> {
        self.inner.lifecycle.check()?;
        let paused = self.inner.faults.checkpoint(kind, batch, call);
        if paused.is_err() {
            // A service stop cancels the calls it finds held here (lifecycle.rs).
            self.inner.lifecycle.check()?;
        }
        paused
    }

    /// The .evtx file at absolute `path` opened as a file query's source, sharing this
    /// engine's template definitions and spare chunk buffers with its other file queries
    /// (files.rs invariant 8).
    pub(crate) fn open_file_source(&self, path: &str) -> Result<files::FileSource> {
        Ok(files::FileSource::open(path)?
            .with_engine_templates(Arc::clone(&self.inner.templates))
            .with_spare_buffers(Arc::clone(&self.inner.chunk_buffers)))
    }

    /// Arms a pause point: every call of `kind` that reaches batch `batch` stops there until
    /// the returned handle releases it (or is dropped), or until the call is cancelled.
    pub fn pause_at(&self, kind: CallKind, batch: u64) -> PauseHandle {
        self.inner.faults.arm(kind, batch)
    }

    /// The engine's fault plan: calls of wevtapi functions that fail or take time on
    /// purpose, publishers removed, channels denied or full (fault_plan.rs). The facade and
    /// the Rust methods of the same operations check it once per call.
    pub fn fault_plan(&self) -> &FaultPlan {
        &self.inner.fault_plan
    }

    /// Makes the channel `name` full (the fault plan's; undone by `fault_plan().clear()`):
    /// appends fail with ERROR_LOG_FILE_FULL (1502) and EvtLogFull is true. 15007 if there
    /// is no such channel.
    pub fn fill_channel(&self, name: &str) -> Result<()> {
        let channel = self.channel(name)?;
        self.inner.fault_plan.fill_channel(&channel);
        Ok(())
    }

    /// The fault plan's check at the start of a call of `function` (fault_plan.rs).
    #[inline]
    pub(crate) fn enter_fault(&self, function: &'static str) -> Result<FaultGuard> {
        self.inner.fault_plan.enter(function, &*self.inner.clock)
    }

    /// An engine with Windows' standard channels and their default configuration:
    /// Application, System and Security (Admin, 20 MiB, circular), Setup (Operational,
    /// 1 MiB, circular) and ForwardedEvents (Operational, 20 MiB, circular).
    pub fn with_default_channels(clock: Arc<dyn Clock>) -> Engine {
        let engine = Engine::with_clock(clock);
        engine.create_default_channels();
        engine
    }

    /// Creates those of Windows' standard channels (Application, System, Security, Setup,
    /// ForwardedEvents) that the engine lacks, with their default configuration; a channel
    /// that cannot be created (a persistent store's file) is left out.
    pub fn create_default_channels(&self) {
        let defaults = [
            ChannelConfig::classic("Application"),
            ChannelConfig::classic("System"),
            ChannelConfig::classic("Security"),
            ChannelConfig::new("Setup", ChannelType::Operational),
            ChannelConfig::new("ForwardedEvents", ChannelType::Operational)
                .with_max_size(ChannelConfig::CLASSIC_MAX_SIZE),
        ];
        for config in defaults {
            if self.channel(&config.name).is_err() {
                let _ = self.create_channel(config);
            }
        }
    }

    /// The engine's clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.inner.clock
    }

    /// Creates a channel. Errors: `InvalidChannelPath` (15000) for an invalid name (empty,
    /// over 255 characters, a control character or `\`); `InvalidParameter` (87) if a channel
    /// of that name exists, in any letter case.
    pub fn create_channel(&self, config: ChannelConfig) -> Result<Arc<Channel>> {
        names::validate(&config.name)?;
        let mut channels = self.inner.channels.write();
        match channels.binary_search_by(|c| names::compare(c.name(), &config.name)) {
            Ok(existing) => {
                let existing = channels.get(existing).map_or("", |c| c.name());
                Err(Error::with_message(
                    ErrorKind::InvalidParameter,
                    format!("channel {existing} already exists"),
                ))
            }
            Err(at) => {
                let channel = Arc::new(match self.inner.store_dir.get() {
                    Some(dir) => self.persistent_channel(dir, config)?,
                    None => Channel::new(config, Arc::clone(&self.inner.clock)),
                });
                let hot_window = self.inner.hot_window.load(Ordering::Relaxed);
                if hot_window != crate::store::DEFAULT_HOT_WINDOW {
                    channel.set_hot_window(hot_window);
                }
                channels.insert(at, Arc::clone(&channel));
                Ok(channel)
            }
        }
    }

    /// The channel named `name` (any letter case), or `ChannelNotFound` (15007).
    pub fn channel(&self, name: &str) -> Result<Arc<Channel>> {
        let channels = self.inner.channels.read();
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
        let channels = self.inner.channels.read();
        channels
            .binary_search_by(|c| names::compare(c.name(), name))
            .is_ok()
    }

    /// The channel names in EvtOpenChannelEnum's order (alphabetical, ignoring case).
    pub fn channel_names(&self) -> Vec<String> {
        self.inner
            .channels
            .read()
            .iter()
            .map(|c| c.name().to_owned())
            .collect()
    }

    /// Every channel, in [`channel_names`](Engine::channel_names) order.
    pub fn channels(&self) -> Vec<Arc<Channel>> {
        self.inner.channels.read().clone()
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

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Engine")
            .field("channels", &self.channel_names())
            .finish_non_exhaustive()
    }
}
