//! The event-log service the facade talks to: one process-wide engine with Windows'
//! standard channels, on a clock that tests may switch to virtual time. The engine
//! controls (`evtlog_reset`, `evtlog_use_virtual_clock`, …) act here.
//!
//! Invariant: the engine is made on first use and replaced only by [`reset`], which first
//! closes every open handle (so nothing refers to the old engine's sessions).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::RwLock;

use crate::clock::{Clock, SystemClock};
use crate::engine::Engine;
use crate::event::FileTime;

/// The wall clock until told to stand at a virtual time.
#[derive(Debug, Default)]
pub(super) struct ServiceClock {
    is_virtual: AtomicBool,
    ticks: AtomicU64,
}

impl Clock for ServiceClock {
    fn now(&self) -> FileTime {
        if self.is_virtual.load(Ordering::Acquire) {
            FileTime(self.ticks.load(Ordering::Acquire))
        } else {
            SystemClock.now()
        }
    }
}

impl ServiceClock {
    /// Stands the clock at `time` (virtual from now on).
    pub(super) fn set_virtual(&self, time: FileTime) {
        self.ticks.store(time.0, Ordering::Release);
        self.is_virtual.store(true, Ordering::Release);
    }

    /// Moves a virtual clock on; false on the wall clock.
    pub(super) fn advance_ms(&self, millis: u64) -> bool {
        if !self.is_virtual.load(Ordering::Acquire) {
            return false;
        }
        let ticks = millis.saturating_mul(10_000);
        let _ = self
            .ticks
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                Some(t.saturating_add(ticks))
            });
        true
    }
}

struct Service {
    engine: Engine,
    clock: Arc<ServiceClock>,
}

static SERVICE: RwLock<Option<Service>> = RwLock::new(None);

fn fresh() -> Service {
    let clock = Arc::new(ServiceClock::default());
    Service {
        engine: Engine::with_default_channels(clock.clone()),
        clock,
    }
}

fn with<T>(f: impl FnOnce(&Service) -> T) -> T {
    if let Some(service) = &*SERVICE.read() {
        return f(service);
    }
    let mut slot = SERVICE.write();
    let service = slot.get_or_insert_with(fresh);
    f(service)
}

/// The service's engine.
pub(super) fn engine() -> Engine {
    with(|s| s.engine.clone())
}

/// The service's clock.
pub(super) fn clock() -> Arc<ServiceClock> {
    with(|s| s.clock.clone())
}

/// A fresh engine with empty standard channels, on the wall clock; every open handle is
/// closed first.
pub(super) fn reset() {
    for object in super::handles::remove_all(|_| true) {
        object.close();
    }
    *SERVICE.write() = Some(fresh());
}
