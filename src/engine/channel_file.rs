//! [`ChannelFile`]: a persistent channel's live .evtx file and the policy it enforces (max
//! size in 64 KiB chunks, retention), and how a store directory names channels' files.
//! The invariants it keeps are persist.rs's 1, 2, 3 and 5; it knows nothing of the engine
//! or of channels, only of the memory store it mirrors into.

use std::path::{Path, PathBuf};

use parking_lot::Mutex;

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
    live: Mutex<LiveFile>,
    /// Changed only by a save (config.rs), under `live`'s lock (taken first).
    policy: Mutex<Policy>,
}

/// Where a channel's file is and what it keeps.
struct Policy {
    path: PathBuf,
    max_chunks: u64,
    /// The configured max size (the memory mirror is unbounded).
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
    (max_size / CHUNK_SIZE as u64).clamp(1, u64::from(u16::MAX))
}

impl ChannelFile {
    /// The file at `path` for a channel of `max_size` and `retention`: opened and read back
    /// if it exists, else created (removed again if that fails). Returns the events read,
    /// the next record id, and whether the file was created. `read_only` (a store opened to
    /// read): opened read-only, never created (`AccessDenied`).
    pub(crate) fn open_or_create(
        path: &Path,
        max_size: u64,
        retention: Retention,
        read_only: bool,
    ) -> Result<(ChannelFile, Vec<Event>, u64, bool)> {
        let max = max_chunks(max_size);
        let created = !path.exists();
        if created && read_only {
            return Err(Error::with_message(
                ErrorKind::AccessDenied,
                "the store was opened read-only: no file is created",
            ));
        }
        let (live, events, next_id) = if created {
            match LiveFile::create(path, max, 1) {
                Ok(live) => (live, Vec::new(), 1),
                Err(e) => {
                    let _ = std::fs::remove_file(path);
                    return Err(e);
                }
            }
        } else {
            LiveFile::open(path, max, read_only)?
        };
        let file = ChannelFile {
            live: Mutex::new(live),
            policy: Mutex::new(Policy {
                path: path.to_owned(),
                max_chunks: max,
                max_size,
                when_full: when_full(retention),
            }),
        };
        Ok((file, events, next_id, created))
    }

    /// True if the file was opened read-only (invariant 6).
    pub(crate) fn is_read_only(&self) -> bool {
        self.live.lock().is_read_only()
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

    /// Appends `event` to the file, then to `store` (invariant 1); its record id.
    pub(crate) fn append(&self, store: &MemoryStore, mut event: Event) -> Result<u64> {
        let mut live = self.live.lock();
        let id = live.next_id();
        event.system.event_record_id = Some(id);
        let when_full = self.policy.lock().when_full;
        match live.append(&event, when_full)? {
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
                    self.path().display()
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
        let policy = self.policy.lock();
        let mut name = policy.path.file_name().unwrap_or_default().to_os_string();
        name.push(".clearing");
        let temporary = policy.path.with_file_name(name);
        let fresh = (|| -> Result<LiveFile> {
            let mut fresh = LiveFile::create(&temporary, policy.max_chunks, first)?;
            for event in &kept {
                fresh.append(event, policy.when_full)?;
            }
            fresh.sync()?;
            std::fs::rename(&temporary, &policy.path)?;
            Ok(fresh)
        })();
        let mut fresh = match fresh {
            Ok(fresh) => fresh,
            Err(e) => {
                let _ = std::fs::remove_file(&temporary);
                return Err(e);
            }
        };
        fresh.renamed(&policy.path);
        *live = fresh;
        store.clear_before(end);
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
        let mut live = self.live.lock();
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
            let records: Vec<Event> = store.snapshot().iter().cloned().collect();
            let first = records
                .first()
                .and_then(|e| e.system.event_record_id)
                .unwrap_or_else(|| live.next_id());
            let written = (|| -> Result<LiveFile> {
                // Room for every record (nothing is dropped by a save), then the new limit.
                let mut fresh = LiveFile::create(&temporary, u64::from(u16::MAX), first)?;
                for event in &records {
                    fresh.append(event, WhenFull::Refuse)?;
                }
                fresh.set_max_chunks(chunks);
                fresh.sync()?;
                std::fs::rename(&temporary, target)?;
                Ok(fresh)
            })();
            let mut fresh = match written {
                Ok(fresh) => fresh,
                Err(e) => {
                    let _ = std::fs::remove_file(&temporary);
                    return Err(e);
                }
            };
            fresh.renamed(target);
            if let Err(e) = persist() {
                if moving {
                    drop(fresh);
                    let _ = std::fs::remove_file(target);
                } else {
                    // The old file was replaced by one with the same records: keep it,
                    // with the old limit.
                    fresh.set_max_chunks(policy.max_chunks);
                    *live = fresh;
                }
                return Err(e);
            }
            *live = fresh;
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
