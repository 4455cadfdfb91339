//! [`ChannelFile`]: a persistent channel's live .evtx file, which is its store, and the
//! policy it enforces (max size in 64 KiB chunks, retention), and how a store directory
//! names channels' files. The invariants it keeps are persist.rs's 1, 2, 3 and 5; it knows
//! nothing of the engine or of channels, only of the memory store that holds the records of
//! its open chunk, and of the views readers take (paged.rs).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::Mutex;

use super::paged::{ChannelView, PagedView};
use crate::cancel::CancelToken;
use crate::error::{Error, ErrorKind, Result};
use crate::event::Event;
use crate::evtx::{LiveFile, Placed, WhenFull, CHUNK_SIZE, LIVE_MAX_CHUNKS};
use crate::store::{MemoryStore, Retention};

/// The file name of `channel` in a store directory: `/` written `%4`, as Windows does.
pub fn channel_file_name(channel: &str) -> String {
    format!("{}.evtx", channel.replace('/', "%4"))
}

/// The channel a store file holds, if `file` is one (`Archive-…` backups and temporaries
/// are not).
pub(super) fn channel_of(file: &Path) -> Option<String> {
    let name = file.file_name()?.to_str()?;
    let stem = name.strip_suffix(".evtx")?;
    if stem.starts_with('.') || stem.starts_with("Archive-") {
        return None;
    }
    Some(stem.replace("%4", "/"))
}

/// A persistent channel's file and its policy.
pub(crate) struct ChannelFile {
    live: Mutex<Writer>,
    /// Changed only by a save (config.rs), under `live`'s lock (taken first).
    policy: Mutex<Policy>,
    /// The store's write lock, held while this file can be written (store_lock.rs
    /// invariant 4); none for a reader.
    _store_lock: Option<Arc<File>>,
}

/// The file being written, and the same file open for its readers (paged.rs invariant 2).
struct Writer {
    live: LiveFile,
    reader: Arc<File>,
}

impl Writer {
    fn new(live: LiveFile, path: &Path) -> Result<Writer> {
        let reader = Arc::new(File::open(path)?);
        Ok(Writer { live, reader })
    }
}

/// Where a channel's file is and what it keeps.
struct Policy {
    path: PathBuf,
    max_chunks: u64,
    /// The configured max size.
    max_size: u64,
    when_full: WhenFull,
}

fn when_full(retention: Retention) -> WhenFull {
    match retention {
        Retention::Overwrite => WhenFull::Overwrite,
        Retention::DoNotOverwrite => WhenFull::Refuse,
        Retention::AutoBackup => WhenFull::Archive,
    }
}

/// The most chunks a file of `max_size` bytes holds (at least one).
fn max_chunks(max_size: u64) -> u64 {
    (max_size / CHUNK_SIZE as u64).clamp(1, LIVE_MAX_CHUNKS)
}

impl ChannelFile {
    /// The file at `path` for a channel of `max_size` and `retention`: opened if it exists
    /// (headers only; read-only if `read_only`, or if it cannot be written), else created
    /// (removed again if that fails). Returns the next record id, and whether the file was
    /// created. `read_only` (a store opened to read): never created (`AccessDenied`).
    pub(crate) fn open_or_create(
        path: &Path,
        max_size: u64,
        retention: Retention,
        (read_only, store_lock): (bool, Option<Arc<File>>),
    ) -> Result<(ChannelFile, u64, bool)> {
        let max = max_chunks(max_size);
        let created = !path.exists();
        if created && read_only {
            return Err(Error::with_message(
                ErrorKind::AccessDenied,
                "the store was opened read-only: no file is created",
            ));
        }
        let live = if created {
            let made = LiveFile::create(path, max, 1).and_then(|live| Writer::new(live, path));
            match made {
                Ok(live) => live,
                Err(e) => {
                    let _ = std::fs::remove_file(path);
                    return Err(e);
                }
            }
        } else {
            Writer::new(LiveFile::open(path, max, read_only)?, path)?
        };
        let next_id = live.live.next_id();
        let file = ChannelFile {
            live: Mutex::new(live),
            policy: Mutex::new(Policy {
                path: path.to_owned(),
                max_chunks: max,
                max_size,
                when_full: when_full(retention),
            }),
            _store_lock: store_lock,
        };
        Ok((file, next_id, created))
    }

    /// True if the file was opened read-only (invariant 6).
    pub(crate) fn is_read_only(&self) -> bool {
        self.live.lock().live.is_read_only()
    }

    pub(crate) fn path(&self) -> PathBuf {
        self.policy.lock().path.clone()
    }

    /// The channel's configured max size, which the file enforces.
    pub(crate) fn max_size(&self) -> u64 {
        self.policy.lock().max_size
    }

    /// The channel's retention, which the file enforces.
    pub(crate) fn retention(&self) -> Retention {
        match self.policy.lock().when_full {
            WhenFull::Overwrite => Retention::Overwrite,
            WhenFull::Refuse => Retention::DoNotOverwrite,
            WhenFull::Archive => Retention::AutoBackup,
        }
    }

    /// A reader's view of the channel whose open chunk's records are in `store`: the file's
    /// sealed chunks and the store's snapshot, taken together (paged.rs invariant 1).
    pub(crate) fn view(&self, store: &MemoryStore) -> ChannelView {
        let writer = self.live.lock();
        let tail = store.snapshot();
        view_of(&writer, tail)
    }

    /// Like [`view`](Self::view), with only the store's chunks from `record_id` on.
    pub(crate) fn view_from(&self, store: &MemoryStore, record_id: u64) -> ChannelView {
        let writer = self.live.lock();
        let tail = store.snapshot_from(record_id);
        view_of(&writer, tail)
    }

    /// The number of records: the sealed chunks' ids (a channel's file holds them without
    /// gaps) and those in `store`.
    pub(crate) fn record_count(&self, store: &MemoryStore) -> u64 {
        let writer = self.live.lock();
        let live = &writer.live;
        live.open_chunk_first_id().saturating_sub(live.first_id()) + store.record_count()
    }

    /// The oldest record's id, if there is one.
    pub(crate) fn oldest_record_id(&self, store: &MemoryStore) -> Option<u64> {
        let writer = self.live.lock();
        let live = &writer.live;
        if live.first_id() < live.open_chunk_first_id() {
            Some(live.first_id())
        } else {
            store.oldest_record_id()
        }
    }

    /// Appends `event` to the file, then to `store` (invariant 1); its record id. When the
    /// file starts a new chunk, the records of the one it sealed leave `store` (readers read
    /// them from the file now).
    pub(crate) fn append(&self, store: &MemoryStore, mut event: Event) -> Result<u64> {
        let mut writer = self.live.lock();
        let id = writer.live.next_id();
        event.system.event_record_id = Some(id);
        let when_full = self.policy.lock().when_full;
        let opened_at = writer.live.open_chunk_first_id();
        match writer.live.append(&event, when_full)? {
            Placed::Appended => {}
            Placed::Overwrote { kept_from } => store.clear_before(kept_from),
            // The archived records leave the channel with the archive.
            Placed::Archived { .. } => {
                let path = self.policy.lock().path.clone();
                writer.reader = Arc::new(File::open(&path)?);
                store.clear_before(id);
            }
        }
        if writer.live.open_chunk_first_id() != opened_at {
            // A new chunk: the records before it are in sealed chunks.
            store.retire_before(id);
        }
        store.append(event)
    }

    /// Removes the records below `end` (all of them for `u64::MAX`), keeping the others, in
    /// the file and then in `store` (invariant 3).
    pub(crate) fn clear_before(&self, store: &MemoryStore, end: u64) -> Result<()> {
        let mut writer = self.live.lock();
        if writer.live.is_read_only() {
            return Err(Error::with_message(
                ErrorKind::AccessDenied,
                format!(
                    "{}: the store was opened read-only (its file cannot be written)",
                    self.path().display()
                ),
            ));
        }
        let next_id = writer.live.next_id();
        let view = view_of(&writer, store.snapshot());
        let first = view
            .first_record_id()
            .map_or(next_id, |oldest| oldest.max(end).min(next_id));
        let policy = self.policy.lock();
        let mut name = policy.path.file_name().unwrap_or_default().to_os_string();
        name.push(".clearing");
        let temporary = policy.path.with_file_name(name);
        let fresh = (|| -> Result<Writer> {
            let mut fresh = LiveFile::create(&temporary, policy.max_chunks, first)?;
            copy_records(&view, end, &mut fresh, policy.when_full)?;
            fresh.sync()?;
            std::fs::rename(&temporary, &policy.path)?;
            Writer::new(fresh, &policy.path)
        })();
        let mut fresh = match fresh {
            Ok(fresh) => fresh,
            Err(e) => {
                let _ = std::fs::remove_file(&temporary);
                return Err(e);
            }
        };
        fresh.live.renamed(&policy.path);
        // The records kept are read from the file from now on (paged.rs invariant 1).
        fresh.live.seal_open_chunk();
        *writer = fresh;
        store.clear_before(end);
        store.retire_before(u64::MAX);
        Ok(())
    }

    /// Applies a saved configuration (`max_size`, `retention`) to the file (config.rs):
    /// retention at once; a changed max size or a new `target` path rewrites the records
    /// into a fresh file written beside `target`, synced, then renamed into place (the old
    /// file removed after a move). `persist` writes the configuration file once the fresh
    /// file is complete; if anything fails before it returns, the channel keeps its file
    /// and configuration. A lowered max size keeps every record: the file shrinks at the
    /// next clear.
    pub(crate) fn reconfigure(
        &self,
        store: &MemoryStore,
        (max_size, retention): (u64, Retention),
        target: &Path,
        persist: &dyn Fn() -> Result<()>,
    ) -> Result<()> {
        let mut writer = self.live.lock();
        let mut policy = self.policy.lock();
        let chunks = max_chunks(max_size);
        let moving = target != policy.path;
        if moving && target.exists() {
            return Err(Error::with_message(
                ErrorKind::FileExists,
                format!("{}: the new log file exists", target.display()),
            ));
        }
        if moving || chunks != policy.max_chunks {
            let mut name = target.file_name().unwrap_or_default().to_os_string();
            name.push(".saving");
            let temporary = target.with_file_name(name);
            let view = view_of(&writer, store.snapshot());
            let first = view
                .first_record_id()
                .unwrap_or_else(|| writer.live.next_id());
            let written = (|| -> Result<Writer> {
                // Room for every record (nothing is dropped by a save), then the new limit.
                let mut fresh = LiveFile::create(&temporary, LIVE_MAX_CHUNKS, first)?;
                copy_records(&view, 0, &mut fresh, WhenFull::Refuse)?;
                fresh.set_max_chunks(chunks);
                fresh.sync()?;
                std::fs::rename(&temporary, target)?;
                Writer::new(fresh, target)
            })();
            let mut fresh = match written {
                Ok(fresh) => fresh,
                Err(e) => {
                    let _ = std::fs::remove_file(&temporary);
                    return Err(e);
                }
            };
            fresh.live.renamed(target);
            fresh.live.seal_open_chunk();
            if let Err(e) = persist() {
                if moving {
                    drop(fresh);
                    let _ = std::fs::remove_file(target);
                } else {
                    // The old file was replaced by one with the same records: keep it,
                    // with the old limit.
                    fresh.live.set_max_chunks(policy.max_chunks);
                    *writer = fresh;
                    store.retire_before(u64::MAX);
                }
                return Err(e);
            }
            *writer = fresh;
            store.retire_before(u64::MAX);
            if moving {
                // The configuration names the new file; a leftover old one is ignored.
                let _ = std::fs::remove_file(&policy.path);
                policy.path = target.to_owned();
            }
        } else {
            persist()?;
        }
        policy.max_chunks = chunks;
        policy.max_size = max_size;
        policy.when_full = when_full(retention);
        Ok(())
    }
}

/// The view of `writer`'s file with `tail`, the records of its open chunk.
fn view_of(writer: &Writer, tail: crate::store::Snapshot) -> ChannelView {
    let live = &writer.live;
    let paged = PagedView {
        file: Arc::clone(&writer.reader),
        oldest: live.oldest_slot(),
        slots: live.slots(),
        chunks: live.sealed_chunks(),
        first_id: live.first_id(),
        end_id: live.open_chunk_first_id(),
    };
    ChannelView {
        tail,
        paged: Some(paged),
    }
}

/// Appends the events of `view` with ids from `start` on to `fresh`, in order, a chunk at a
/// time (read from the file where they are there): a rewrite holds one chunk in memory,
/// whatever the channel's size.
fn copy_records(
    view: &ChannelView,
    start: u64,
    fresh: &mut LiveFile,
    when_full: WhenFull,
) -> Result<()> {
    view.for_each_chunk(None, &CancelToken::root(), start, |chunk| {
        for event in chunk.iter() {
            if event.system.event_record_id.is_some_and(|id| id >= start) {
                fresh.append(&event, when_full)?;
            }
        }
        Ok(())
    })
}
