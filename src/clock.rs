//! Time for everything in evtlog: the [`Clock`] trait, the wall clock ([`SystemClock`]) and a
//! settable, thread-safe [`VirtualClock`] for deterministic tests.
//!
//! Invariants:
//! - Nothing in the library reads the wall clock except through a `Clock`: the engine owns
//!   one, and TimeCreated, timeouts and `timediff()` all come from it.
//! - A `VirtualClock` never moves by itself; `now()` changes only through `set` and
//!   `advance`, so two runs with the same calls see the same times.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::event::FileTime;

/// A source of the current time as a FILETIME.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current time.
    fn now(&self) -> FileTime;

    /// Moves a virtual clock on by `ticks` 100-ns intervals and returns true; a clock that
    /// cannot be moved (the wall clock) returns false, and its caller waits instead (a fault
    /// plan's delay).
    fn try_advance(&self, ticks: u64) -> bool {
        let _ = ticks;
        false
    }
}

/// The operating system's wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> FileTime {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as i128);
        FileTime::from_unix_nanos(nanos).unwrap_or_default()
    }
}

/// A clock that stands still until told to move. Shared by reference (`Arc<VirtualClock>`);
/// all methods take `&self` and are safe from any thread.
#[derive(Debug)]
pub struct VirtualClock {
    ticks: AtomicU64,
}

impl VirtualClock {
    /// A clock showing `start`.
    pub fn new(start: FileTime) -> VirtualClock {
        VirtualClock {
            ticks: AtomicU64::new(start.0),
        }
    }

    /// Sets the time (it may move backwards, as a wall clock can).
    pub fn set(&self, time: FileTime) {
        self.ticks.store(time.0, Ordering::SeqCst);
    }

    /// Moves the time forward by `millis` milliseconds (saturating).
    pub fn advance_ms(&self, millis: u64) {
        self.advance_ticks(millis.saturating_mul(10_000));
    }

    /// Moves the time forward by `ticks` 100-ns intervals (saturating).
    pub fn advance_ticks(&self, ticks: u64) {
        let _ = self
            .ticks
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |t| {
                Some(t.saturating_add(ticks))
            });
    }
}

impl Default for VirtualClock {
    /// Starts at 2024-01-01T00:00:00Z.
    fn default() -> VirtualClock {
        VirtualClock::new(FileTime(133_485_408_000_000_000))
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> FileTime {
        FileTime(self.ticks.load(Ordering::SeqCst))
    }

    fn try_advance(&self, ticks: u64) -> bool {
        self.advance_ticks(ticks);
        true
    }
}

impl<C: Clock + ?Sized> Clock for std::sync::Arc<C> {
    fn now(&self) -> FileTime {
        (**self).now()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn virtual_clock_moves_only_when_told() {
        let clock = VirtualClock::default();
        assert_eq!(clock.now().to_string(), "2024-01-01T00:00:00.0000000Z");
        assert_eq!(clock.now(), clock.now());
        clock.advance_ms(1500);
        assert_eq!(clock.now().to_string(), "2024-01-01T00:00:01.5000000Z");
        clock.set(FileTime(0));
        assert_eq!(clock.now(), FileTime(0));
        clock.advance_ticks(u64::MAX);
        assert_eq!(clock.now(), FileTime(u64::MAX));
    }

    #[test]
    fn virtual_clock_is_shared_across_threads() {
        let clock = Arc::new(VirtualClock::new(FileTime(0)));
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let c = Arc::clone(&clock);
                std::thread::spawn(move || (0..1000).for_each(|_| c.advance_ticks(1)))
            })
            .collect();
        handles.into_iter().for_each(|h| h.join().unwrap());
        assert_eq!(clock.now(), FileTime(4000));
    }

    #[test]
    fn system_clock_is_after_2020() {
        assert!(SystemClock.now() > FileTime::parse("2020-01-01T00:00:00Z").unwrap());
    }
}
