//! Persistent channels: an engine whose channels are live .evtx files in a store directory
//! ([`Engine::open_store_dir`]), one per channel, named as Windows names log files
//! (`Microsoft-Windows-Sysmon%4Operational.evtx`).
//!
//! A persistent channel's file is its store. In memory it keeps only the records of the
//! file's open chunk (a `MemoryStore`, the records the next chunk header has not sealed);
//! readers take a view of the file's sealed chunks beside them and read those a chunk at a
//! time from the file (paged.rs). Opening a store reads each file's header and at most three
//! chunk headers: no record, whatever the size. The file decides what is kept: its maximum
//! (the channel's max size in 64 KiB chunks, at least one) and its retention (overwrite: a
//! ring of chunks; do-not-overwrite: full).
//!
//! Invariants:
//! 1. Appends are serialized by the file's lock; a record is in the file before it is in
//!    the memory store, so a reader never sees a record that is not on disk. The two give
//!    the same next record id at all times. When the file starts a new chunk, the records of
//!    the one it sealed leave the memory store (`MemoryStore::retire_before`, which does not
//!    make snapshots stale: they are unchanged, in the file); a view taken under the same
//!    lock sees each record in exactly one of the two (paged.rs invariant 1).
//! 2. When the file overwrites its oldest chunk, the channel's generation is bumped and its
//!    oldest id moves to the next chunk's first (`MemoryStore::clear_before`); readers of
//!    the old view fail stale (15011) rather than read the reused slot.
//! 3. A clear writes the new file (empty, or the records kept, read from the old file)
//!    beside the old one and renames it over it; only then does the memory store drop its
//!    records. A failed clear changes neither. Views taken before read the old file, which
//!    they hold open.
//! 4. Reopening a store directory finds every record of every file by its id (reading only
//!    headers), and record ids go on after the newest, in a new chunk. A channel's configuration (type, max size,
//!    retention, enabled, and the properties a save set: config.rs) is kept beside its
//!    default file (`<file>.config`, `key=value` lines; Windows keeps it in the registry),
//!    also when a save moved the file elsewhere (`log_file_path`); a file without one gets
//!    [`ChannelConfig::new`]'s defaults. A file another channel's configuration names is
//!    that channel's, not a channel of its own.
//! 5. A saved configuration that changes the max size or the file's place rewrites the
//!    records into a new file written beside its target, synced and renamed in, before the
//!    configuration is written; the old file goes last (`ChannelFile::reconfigure`).
//! 6. Opening a store writes nothing: files are opened (headers read) for appending, and the
//!    configuration is written only when a channel's file is created. A file that cannot be
//!    opened for writing (a read-only medium) opens read-only: its records are readable,
//!    appends and clears fail with ERROR_ACCESS_DENIED (5) and write nothing, and
//!    [`Engine::is_read_only`] says so. On a full disk the store opens (nothing to write);
//!    an append fails with the I/O error. A write that fails leaves no file behind: the
//!    configuration's temporary, a clear's temporary, a new channel's half-made file.
//!    The one exception: the store's empty lock file, created once if missing.
//! 7. One writer per store, any number of readers (store_lock.rs): [`Engine::open_store_dir`]
//!    holds the store's write lock for the engine's life (a second writer gets
//!    ERROR_SHARING_VIOLATION, 32); [`Engine::open_store_dir_read_only`] takes none and
//!    writes nothing at all: its files open read-only, it creates no file or directory, and
//!    appends, clears, saved configurations, new channels and (un)installed manifests fail
//!    with ERROR_ACCESS_DENIED (5). It reads the records on disk when it opens.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::channel::{Channel, ChannelConfig, ChannelType, Isolation};
use super::channel_file::{channel_file_name, channel_of, ChannelFile};
use super::config::in_windows_logs_dir;
use super::store_lock::{self, StoreAccess};
use super::Engine;
use crate::error::{Error, Result};
use crate::store::Retention;

/// The configuration file beside a channel's file (its default file: a moved file's
/// configuration stays in the store directory).
fn config_path(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(".config");
    file.with_file_name(name)
}

/// Writes `config` beside `file` (beside it, then renamed). The keys after `retention` are
/// written only when set (config.rs), so an older reader still reads the first three.
fn save_config(file: &Path, config: &ChannelConfig) -> Result<()> {
    let retention = match config.retention {
        Retention::Overwrite => "overwrite",
        Retention::DoNotOverwrite => "do-not-overwrite",
        Retention::AutoBackup => "auto-backup",
    };
    let mut text = format!(
        "type={}\nmax_size={}\nretention={retention}\nenabled={}\n",
        config.channel_type.as_u32(),
        config.max_size,
        config.enabled
    );
    let s = &config.settings;
    let mut line = |key: &str, value: Option<String>| {
        if let Some(value) = value {
            text.push_str(&format!("{key}={value}\n"));
        }
    };
    line("isolation", s.isolation.map(|i| (i as u32).to_string()));
    line("access", s.access.clone());
    line("log_file_path", s.log_file_path.clone());
    line("level", s.level.map(|l| l.to_string()));
    line("keywords", s.keywords.map(|k| format!("0x{k:x}")));
    let path = config_path(file);
    let temporary = path.with_extension("config.tmp");
    let written =
        std::fs::write(&temporary, text).and_then(|()| std::fs::rename(&temporary, &path));
    if written.is_err() {
        // No temporary survives a failed write (invariant 6).
        let _ = std::fs::remove_file(&temporary);
    }
    Ok(written?)
}

/// The configuration kept beside `file` for `name`; the defaults where it is missing or a
/// line is not understood.
fn load_config(file: &Path, name: String) -> ChannelConfig {
    let text = std::fs::read_to_string(config_path(file)).unwrap_or_default();
    let value = |key: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .map(str::trim)
    };
    let channel_type = match value("type") {
        Some("0") => ChannelType::Admin,
        Some("2") => ChannelType::Analytic,
        Some("3") => ChannelType::Debug,
        _ => ChannelType::Operational,
    };
    let mut config = ChannelConfig::new(name, channel_type);
    if let Some(size) = value("max_size").and_then(|v| v.parse().ok()) {
        config = config.with_max_size(size);
    }
    match value("retention") {
        Some("overwrite") => config = config.with_retention(Retention::Overwrite),
        Some("do-not-overwrite") => config = config.with_retention(Retention::DoNotOverwrite),
        Some("auto-backup") => config = config.with_retention(Retention::AutoBackup),
        _ => {}
    }
    match value("enabled") {
        Some("true") => config.enabled = true,
        Some("false") => config.enabled = false,
        _ => {}
    }
    let s = &mut config.settings;
    s.isolation = value("isolation")
        .and_then(|v| v.parse().ok())
        .and_then(Isolation::from_u32);
    s.access = value("access").map(str::to_owned);
    s.log_file_path = value("log_file_path").map(str::to_owned);
    s.level = value("level").and_then(|v| v.parse().ok());
    s.keywords =
        value("keywords").and_then(|v| u64::from_str_radix(v.trim_start_matches("0x"), 16).ok());
    config
}

/// Where a persistent channel's file is: its LogFilePath resolved (a file in Windows'
/// logs directory is one in the store directory), else its default file. 15023 for a path
/// this system cannot hold.
fn resolved_file(dir: &Path, config: &ChannelConfig) -> Result<PathBuf> {
    let Some(path) = &config.settings.log_file_path else {
        return Ok(dir.join(channel_file_name(&config.name)));
    };
    if let Some(file) = in_windows_logs_dir(path) {
        return Ok(dir.join(file));
    }
    if Path::new(path).is_absolute() {
        return Ok(PathBuf::from(path));
    }
    Err(Error::with_message(
        crate::error::ErrorKind::InvalidChannelPropertyValue,
        format!("log file path {path:?}: not a path on this system"),
    ))
}

/// The error of a write to a store opened read-only (invariant 7).
fn read_only_store(dir: &Path) -> Error {
    Error::with_message(
        crate::error::ErrorKind::AccessDenied,
        format!(
            "the store {} was opened read-only: nothing in it may be written",
            dir.display()
        ),
    )
}

impl Engine {
    /// An engine whose channels are live .evtx files in `dir` (created if missing): every
    /// `<channel>.evtx` there is a channel, its records read back and its configuration
    /// restored (invariant 4), as is every channel whose configuration names a file
    /// elsewhere; channels created later get a file of their own. Installed manifests are
    /// registered again (providers.rs invariant 5).
    ///
    /// The engine is the store's one writer (invariant 7): it holds the store's lock until
    /// its last clone (and every session and result set of it) is dropped. Errors:
    /// `SharingViolation` (32) naming the directory while another engine, in this process
    /// or another, has the store open for writing
    /// ([`open_store_dir_read_only`](Engine::open_store_dir_read_only) reads it meanwhile).
    /// A store whose lock file cannot be made (a read-only medium) opens read-only.
    pub fn open_store_dir(dir: impl AsRef<Path>) -> Result<Engine> {
        Engine::open_store_dir_with_clock(dir, Arc::new(crate::clock::SystemClock))
    }

    /// [`Engine::open_store_dir`] on `clock` (e.g. an `Arc<VirtualClock>`).
    pub fn open_store_dir_with_clock(
        dir: impl AsRef<Path>,
        clock: Arc<dyn crate::clock::Clock>,
    ) -> Result<Engine> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir)?;
        let access = store_lock::lock(dir)?;
        Engine::open_store(dir, clock, access)
    }

    /// The store in `dir` opened to read (invariant 7): no lock taken, so it opens while a
    /// writer has the store and never holds one up; nothing is written or created. Its
    /// channels hold the records on disk when it opens. Appends, clears, saved
    /// configurations, new channels and manifests fail with ERROR_ACCESS_DENIED (5);
    /// [`Engine::is_read_only`] is true. Errors: `PathNotFound` (3) if `dir` does not exist.
    pub fn open_store_dir_read_only(dir: impl AsRef<Path>) -> Result<Engine> {
        Engine::open_store_dir_read_only_with_clock(dir, Arc::new(crate::clock::SystemClock))
    }

    /// [`Engine::open_store_dir_read_only`] on `clock`.
    pub fn open_store_dir_read_only_with_clock(
        dir: impl AsRef<Path>,
        clock: Arc<dyn crate::clock::Clock>,
    ) -> Result<Engine> {
        let dir = dir.as_ref();
        if !dir.is_dir() {
            return Err(Error::with_message(
                crate::error::ErrorKind::PathNotFound,
                format!("the store {}: no such directory", dir.display()),
            ));
        }
        Engine::open_store(dir, clock, StoreAccess::Reader)
    }

    /// The store in `dir` (which exists), held as `access` says.
    fn open_store(
        dir: &Path,
        clock: Arc<dyn crate::clock::Clock>,
        access: StoreAccess,
    ) -> Result<Engine> {
        let engine = Engine::with_clock(clock);
        engine.set_store_dir(dir.to_owned(), access);
        let mut names: Vec<String> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter_map(|p| {
                // A channel's file, or the configuration of one whose file moved.
                let name = p.file_name()?.to_str()?;
                let file = p.with_file_name(name.strip_suffix(".config").unwrap_or(name));
                channel_of(&file)
            })
            .collect();
        names.sort();
        names.dedup();
        let configs: Vec<ChannelConfig> = names
            .into_iter()
            .map(|name| load_config(&dir.join(channel_file_name(&name)), name))
            .collect();
        // A file another channel's configuration names is that channel's, not one of its own.
        let claimed: Vec<PathBuf> = configs
            .iter()
            .filter(|c| c.settings.log_file_path.is_some())
            .filter_map(|c| resolved_file(dir, c).ok())
            .collect();
        for config in configs {
            let own = dir.join(channel_file_name(&config.name));
            let moved = config.settings.log_file_path.is_some();
            // A configuration alone (its file gone, never moved) is no channel.
            if !moved && (claimed.contains(&own) || !own.exists()) {
                continue;
            }
            engine.create_channel(config)?;
        }
        engine.load_installed_providers(dir)?;
        Ok(engine)
    }

    /// True if this is a persistent engine whose store opened read-only: asked for
    /// ([`open_store_dir_read_only`](Engine::open_store_dir_read_only)), or some channel's
    /// file could not be opened for writing (a read-only medium or file). Its channels read
    /// as usual; appends and clears on them fail with ERROR_ACCESS_DENIED (5), writing nothing.
    pub fn is_read_only(&self) -> bool {
        self.store_is_read_only() || self.channels().iter().any(|c| c.is_read_only())
    }

    /// True if the engine holds its store as a reader (invariant 7).
    fn store_is_read_only(&self) -> bool {
        self.inner
            .store_access
            .get()
            .is_some_and(StoreAccess::is_reader)
    }

    /// The store's write lock, for a channel file to hold (store_lock.rs invariant 4).
    fn store_lock(&self) -> Option<Arc<std::fs::File>> {
        self.inner.store_access.get().and_then(StoreAccess::lock)
    }

    /// A persistent engine's store directory, to be written in; `AccessDenied` (5) if the
    /// store was opened read-only (invariant 7).
    pub(crate) fn writable_store_dir(&self) -> Result<Option<&Path>> {
        let dir = self.store_dir();
        match dir {
            Some(dir) if self.store_is_read_only() => Err(read_only_store(dir)),
            _ => Ok(dir),
        }
    }

    /// A persistent engine's channel of `config`: its file opened or created.
    pub(crate) fn persistent_channel(&self, dir: &Path, config: ChannelConfig) -> Result<Channel> {
        let path = resolved_file(dir, &config)?;
        let read_only = self.store_is_read_only();
        if read_only && !path.exists() {
            // A reader creates no file (invariant 7).
            return Err(read_only_store(dir));
        }
        let located = |e: Error| Error::with_message(e.kind(), format!("{}: {e}", path.display()));
        let (file, next_id, created) = ChannelFile::open_or_create(
            &path,
            config.max_size,
            config.retention,
            (read_only, self.store_lock()),
        )
        .map_err(located)?;
        // Only a new file's configuration is written: an existing one's is on disk already
        // (or its defaults are), and opening a store writes nothing (invariant 6).
        if created {
            if let Err(e) = save_config(&dir.join(channel_file_name(&config.name)), &config) {
                drop(file);
                let _ = std::fs::remove_file(&path);
                return Err(located(e));
            }
        }
        Ok(Channel::persistent(
            config,
            Arc::clone(&self.inner.clock),
            file,
            next_id,
        ))
    }

    /// Applies a saved configuration to a persistent channel (config.rs): its file moved or
    /// rewritten as needed, its configuration file written.
    pub(crate) fn save_persistent(
        &self,
        dir: &Path,
        channel: &Channel,
        config: ChannelConfig,
    ) -> Result<()> {
        if self.store_is_read_only() {
            return Err(read_only_store(dir));
        }
        let target = resolved_file(dir, &config)?;
        let default = dir.join(channel_file_name(&config.name));
        channel.reconfigure(config, Some(target), &|c| save_config(&default, c))
    }
}
