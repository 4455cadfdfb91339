//! Persistent channels: an engine whose channels are live .evtx files in a store directory
//! ([`Engine::open_store_dir`]), one per channel, named as Windows names log files
//! (`Microsoft-Windows-Sysmon%4Operational.evtx`).
//!
//! A persistent channel keeps its records twice: in its live file ([`LiveFile`], the
//! durable copy, written through on every append) and in an unbounded memory store that
//! mirrors it (the copy queries and subscriptions read, as for any channel). The file
//! decides what is kept: its maximum (the channel's max size in 64 KiB chunks, at least one)
//! and its retention (overwrite: a ring of chunks; do-not-overwrite: full).
//!
//! Invariants:
//! 1. Appends are serialized by the file's lock; a record is in the file before it is in
//!    the memory store, so a reader never sees a record that is not on disk. The two give
//!    the same next record id at all times.
//! 2. When the file overwrites its oldest chunk, the memory store drops exactly the records
//!    that chunk held (`MemoryStore::clear_before`), bumping its generation.
//! 3. A clear writes the new file (empty, or the records kept) beside the old one and
//!    renames it over it; only then does the memory store drop its records. A failed clear
//!    changes neither.
//! 4. Reopening a store directory restores every record of every file, with its id, and
//!    record ids go on after the newest. A channel's configuration (type, max size,
//!    retention) is kept beside its file (`<file>.config`, `key=value` lines; Windows keeps
//!    it in the registry); a file without one gets [`ChannelConfig::new`]'s defaults.
//! 5. Opening a store writes nothing: files are read back and opened for appending, and the
//!    configuration is written only when a channel's file is created. A file that cannot be
//!    opened for writing (a read-only medium) opens read-only: its records are readable,
//!    appends and clears fail with ERROR_ACCESS_DENIED (5) and write nothing, and
//!    [`Engine::is_read_only`] says so. On a full disk the store opens (nothing to write);
//!    an append fails with the I/O error. A write that fails leaves no file behind: the
//!    configuration's temporary, a clear's temporary, a new channel's half-made file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;

use super::channel::{Channel, ChannelConfig, ChannelType};
use super::Engine;
use crate::error::{Error, ErrorKind, Result};
use crate::event::Event;
use crate::evtx::{LiveFile, Placed, WhenFull, CHUNK_SIZE};
use crate::store::{MemoryStore, Retention};

/// The file name of `channel` in a store directory: `/` written `%4`, as Windows does.
pub fn channel_file_name(channel: &str) -> String {
    format!("{}.evtx", channel.replace('/', "%4"))
}

/// The channel a store file holds, if `file` is one (`Archive-…` backups and temporaries
/// are not).
fn channel_of(file: &Path) -> Option<String> {
    let name = file.file_name()?.to_str()?;
    let stem = name.strip_suffix(".evtx")?;
    if stem.starts_with('.') || stem.starts_with("Archive-") {
        return None;
    }
    Some(stem.replace("%4", "/"))
}

/// A persistent channel's file and its policy.
pub(crate) struct ChannelFile {
    live: Mutex<LiveFile>,
    path: PathBuf,
    max_chunks: u64,
    /// The configured max size (the memory mirror is unbounded).
    max_size: u64,
    when_full: WhenFull,
}

/// The most chunks a file of `max_size` bytes holds (at least one).
fn max_chunks(max_size: u64) -> u64 {
    (max_size / CHUNK_SIZE as u64).clamp(1, u64::from(u16::MAX))
}

impl ChannelFile {
    /// The file at `path` for a channel of `config`: opened and read back if it exists,
    /// else created (removed again if that fails). Returns the events read, the next record
    /// id, and whether the file was created.
    pub(crate) fn open_or_create(
        path: &Path,
        config: &ChannelConfig,
    ) -> Result<(ChannelFile, Vec<Event>, u64, bool)> {
        let max = max_chunks(config.max_size);
        let created = !path.exists();
        let (live, events, next_id) = if created {
            match LiveFile::create(path, max, 1) {
                Ok(live) => (live, Vec::new(), 1),
                Err(e) => {
                    let _ = std::fs::remove_file(path);
                    return Err(e);
                }
            }
        } else {
            LiveFile::open(path, max)?
        };
        let file = ChannelFile {
            live: Mutex::new(live),
            path: path.to_owned(),
            max_chunks: max,
            max_size: config.max_size,
            when_full: match config.retention {
                Retention::Overwrite => WhenFull::Overwrite,
                Retention::DoNotOverwrite => WhenFull::Refuse,
                Retention::AutoBackup => WhenFull::Archive,
            },
        };
        Ok((file, events, next_id, created))
    }

    /// True if the file was opened read-only (invariant 5).
    pub(crate) fn is_read_only(&self) -> bool {
        self.live.lock().is_read_only()
    }

    pub(crate) fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// The channel's configured max size, which the file enforces.
    pub(crate) fn max_size(&self) -> u64 {
        self.max_size
    }

    /// Appends `event` to the file, then to `store` (invariant 1); its record id.
    pub(crate) fn append(&self, store: &MemoryStore, mut event: Event) -> Result<u64> {
        let mut live = self.live.lock();
        let id = live.next_id();
        event.system.event_record_id = Some(id);
        match live.append(&event, self.when_full)? {
            Placed::Appended => {}
            Placed::Overwrote { kept_from } => store.clear_before(kept_from),
            // The archived records leave the channel with the archive.
            Placed::Archived { .. } => store.clear_before(id),
        }
        store.append(event)
    }

    /// Removes the records below `end` (all of them for `u64::MAX`), keeping the others, in
    /// the file and then in `store` (invariant 3).
    pub(crate) fn clear_before(&self, store: &MemoryStore, end: u64) -> Result<()> {
        let mut live = self.live.lock();
        if live.is_read_only() {
            return Err(Error::with_message(
                ErrorKind::AccessDenied,
                format!(
                    "{}: the store was opened read-only (its file cannot be written)",
                    self.path.display()
                ),
            ));
        }
        let next_id = live.next_id();
        let kept: Vec<Event> = store
            .snapshot()
            .iter()
            .filter(|e| e.system.event_record_id.is_some_and(|id| id >= end))
            .cloned()
            .collect();
        let first = kept
            .first()
            .and_then(|e| e.system.event_record_id)
            .unwrap_or(next_id);
        let mut name = self.path.file_name().unwrap_or_default().to_os_string();
        name.push(".clearing");
        let temporary = self.path.with_file_name(name);
        let fresh = (|| -> Result<LiveFile> {
            let mut fresh = LiveFile::create(&temporary, self.max_chunks, first)?;
            for event in &kept {
                fresh.append(event, self.when_full)?;
            }
            fresh.sync()?;
            std::fs::rename(&temporary, &self.path)?;
            Ok(fresh)
        })();
        let mut fresh = match fresh {
            Ok(fresh) => fresh,
            Err(e) => {
                let _ = std::fs::remove_file(&temporary);
                return Err(e);
            }
        };
        fresh.renamed(&self.path);
        *live = fresh;
        store.clear_before(end);
        Ok(())
    }
}

/// The configuration file beside a channel's file.
fn config_path(file: &Path) -> PathBuf {
    let mut name = file.file_name().unwrap_or_default().to_os_string();
    name.push(".config");
    file.with_file_name(name)
}

/// Writes `config` beside `file` (beside it, then renamed).
fn save_config(file: &Path, config: &ChannelConfig) -> Result<()> {
    let retention = match config.retention {
        Retention::Overwrite => "overwrite",
        Retention::DoNotOverwrite => "do-not-overwrite",
        Retention::AutoBackup => "auto-backup",
    };
    let text = format!(
        "type={}\nmax_size={}\nretention={retention}\n",
        config.channel_type.as_u32(),
        config.max_size
    );
    let path = config_path(file);
    let temporary = path.with_extension("config.tmp");
    let written =
        std::fs::write(&temporary, text).and_then(|()| std::fs::rename(&temporary, &path));
    if written.is_err() {
        // No temporary survives a failed write (invariant 5).
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
    config
}

impl Engine {
    /// An engine whose channels are live .evtx files in `dir` (created if missing): every
    /// `<channel>.evtx` there is a channel, its records read back and its configuration
    /// restored (invariant 4); channels created later get a file of their own.
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
        let engine = Engine::with_clock(clock);
        engine.set_store_dir(dir.to_owned());
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| channel_of(p).is_some())
            .collect();
        files.sort();
        for file in files {
            let Some(name) = channel_of(&file) else {
                continue;
            };
            engine.create_channel(load_config(&file, name))?;
        }
        Ok(engine)
    }

    /// True if this is a persistent engine whose store opened read-only (some channel's file
    /// could not be opened for writing: a read-only medium or file). Its channels read as
    /// usual; appends and clears on them fail with ERROR_ACCESS_DENIED (5), writing nothing.
    pub fn is_read_only(&self) -> bool {
        self.channels().iter().any(|c| c.is_read_only())
    }

    /// A persistent engine's channel of `config`: its file opened or created.
    pub(crate) fn persistent_channel(&self, dir: &Path, config: ChannelConfig) -> Result<Channel> {
        let path = dir.join(channel_file_name(&config.name));
        let located = |e: Error| Error::with_message(e.kind(), format!("{}: {e}", path.display()));
        let (file, events, next_id, created) =
            ChannelFile::open_or_create(&path, &config).map_err(located)?;
        // Only a new file's configuration is written: an existing one's is on disk already
        // (or its defaults are), and opening a store writes nothing (invariant 5).
        if created {
            if let Err(e) = save_config(&path, &config) {
                drop(file);
                let _ = std::fs::remove_file(&path);
                return Err(located(e));
            }
        }
        Channel::persistent(config, Arc::clone(&self.inner.clock), file, events, next_id)
    }
}
