//! One writer per store directory, any number of readers: the store's write lock.
//!
//! A writable store ([`Engine::open_store_dir`](super::Engine::open_store_dir)) holds an
//! exclusive advisory lock (std's `File::try_lock`: `flock` on Unix) on [`LOCK_FILE`] in its
//! directory for the engine's life; a second writer, in another process or in this one,
//! gets ERROR_SHARING_VIOLATION (32) naming the directory, as Windows' service, which holds
//! its logs open exclusively, refuses a second writer. A read-only store
//! ([`Engine::open_store_dir_read_only`](super::Engine::open_store_dir_read_only)) takes no
//! lock, so readers never wait for the writer nor it for them.
//!
//! Invariants:
//! 1. The lock belongs to the open file description: it is released when the engine's
//!    shared state drops (the file closes), also when the process dies; a second open of
//!    the file, in the same process too, is a second holder that conflicts.
//! 2. The lock file is empty and never written: the one thing opening a store may create,
//!    once, when it is missing (persist.rs invariant 6). It is no channel (its name has no
//!    `.evtx`, and starts with a dot).
//! 3. A lock file that can be neither created nor opened (a read-only medium, a directory
//!    this user may not write) leaves the store without a writer: it opens read-only.
//! 4. Every channel file of a writable store holds the lock too, so a channel kept after its
//!    engine is dropped (an `Arc<Channel>`, a result set, a subscription) still writes as
//!    the store's one writer: the lock goes only when the engine and all of them are gone.
//! 5. A lock found held is tried again for up to [`HELD_GRACE`] before the open fails: a
//!    process this one is starting holds a copy of every descriptor from its fork to its
//!    exec (where close-on-exec closes them), so a lock just released by dropping an engine
//!    can look held for that moment. A real second writer still gets 32, that much later.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, ErrorKind, Result};

/// The lock file's name in a store directory.
pub(crate) const LOCK_FILE: &str = ".evtlog.lock";

/// How long a held lock is tried again before the open fails (invariant 5).
pub(crate) const HELD_GRACE: std::time::Duration = std::time::Duration::from_millis(250);

/// The pause between two tries.
const RETRY_PAUSE: std::time::Duration = std::time::Duration::from_millis(5);

/// How an engine holds its store.
#[derive(Debug)]
pub(crate) enum StoreAccess {
    /// The one writer: the lock file, locked exclusively while this, or any channel file
    /// of the store holding a clone (invariant 4), is alive.
    Writer { lock: Arc<File> },
    /// A reader (asked for, or the lock file could not be made: invariant 3).
    Reader,
}

impl StoreAccess {
    /// True for a reader: nothing in the store may be written.
    pub(crate) fn is_reader(&self) -> bool {
        matches!(self, StoreAccess::Reader)
    }

    /// The writer's lock, for a channel file of the store to hold (invariant 4).
    pub(crate) fn lock(&self) -> Option<Arc<File>> {
        match self {
            StoreAccess::Writer { lock } => Some(Arc::clone(lock)),
            StoreAccess::Reader => None,
        }
    }
}

/// Takes the write lock of the store in `dir` (which exists). `SharingViolation` (32) if
/// another writer holds it; [`StoreAccess::Reader`] if the lock file cannot be made
/// (invariant 3).
pub(crate) fn lock(dir: &Path) -> Result<StoreAccess> {
    let path = dir.join(LOCK_FILE);
    let opened = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        // A lock file this user may not write still locks (flock needs no write access).
        .or_else(|_| File::open(&path));
    let Ok(file) = opened else {
        return Ok(StoreAccess::Reader);
    };
    let give_up = std::time::Instant::now() + HELD_GRACE;
    let mut tried = file.try_lock();
    while matches!(tried, Err(TryLockError::WouldBlock)) && std::time::Instant::now() < give_up {
        std::thread::sleep(RETRY_PAUSE);
        tried = file.try_lock();
    }
    match tried {
        Ok(()) => Ok(StoreAccess::Writer {
            lock: Arc::new(file),
        }),
        Err(TryLockError::WouldBlock) => Err(Error::with_message(
            ErrorKind::SharingViolation,
            format!(
                "the store {} is open for writing in another process or engine (which holds \
                 the lock {}); a read-only open reads it meanwhile",
                dir.display(),
                path.display()
            ),
        )),
        Err(TryLockError::Error(e)) => Err(Error::from(e).prefixed(&format!(
            "the store {}: cannot lock {}:",
            dir.display(),
            path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("evtlog-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// flock belongs to the open file description: a second open in this very process
    /// conflicts, and closing the first frees it (invariant 1).
    #[test]
    fn a_second_open_in_the_same_process_conflicts_until_the_first_closes() {
        let dir = temp_dir("store-lock-same-process");
        let first = lock(&dir).unwrap();
        assert!(!first.is_reader());
        let second = lock(&dir).unwrap_err();
        assert_eq!(second.kind(), ErrorKind::SharingViolation);
        assert_eq!(second.win32_code(), 32);
        let text = second.to_string();
        assert!(
            text.starts_with(
                "The process cannot access the file because it is being used by another process."
            ),
            "{text}"
        );
        assert!(text.contains(&dir.display().to_string()), "{text}");
        drop(first);
        assert!(!lock(&dir).unwrap().is_reader());
        // The lock file is empty and stays so (invariant 2).
        assert_eq!(std::fs::metadata(dir.join(LOCK_FILE)).unwrap().len(), 0);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// The lock file is never a channel, nor the configuration of one (invariant 2).
    /// A lock released a moment after the open starts (a spawning child's copy of the
    /// descriptor reaching its exec) is taken, not refused (invariant 5).
    #[test]
    fn a_lock_released_within_the_grace_is_taken() {
        let dir = temp_dir("store-lock-grace");
        let holder = lock(&dir).unwrap();
        let release = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(40));
            drop(holder);
        });
        let started = std::time::Instant::now();
        let second = lock(&dir).expect("taken once the first holder lets go");
        assert!(!second.is_reader());
        assert!(started.elapsed() < HELD_GRACE + std::time::Duration::from_millis(200));
        release.join().unwrap();
        drop(second);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_lock_file_is_no_channel() {
        let dir = temp_dir("store-lock-no-channel");
        assert_eq!(
            super::super::channel_file::channel_of(&dir.join(LOCK_FILE)),
            None
        );
        let engine = super::super::Engine::open_store_dir(&dir).unwrap();
        assert!(dir.join(LOCK_FILE).exists());
        assert!(engine.channel_names().is_empty());
        drop(engine);
        let engine = super::super::Engine::open_store_dir_read_only(&dir).unwrap();
        assert!(engine.channel_names().is_empty());
        assert!(engine.is_read_only());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
