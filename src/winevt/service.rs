//! The event-log service the facade talks to: one process-wide engine with Windows'
//! standard channels, on a clock that tests may switch to virtual time. The engine
//! controls (`evtlog_reset`, `evtlog_use_virtual_clock`, …) act here.
//!
//! On first use the engine is the persistent store named by `EVTLOG_STORE` (an evtutil store:
//! its channels, with Windows' standard ones added where missing), so that an unmodified
//! program finds events without calling an engine control; without it, or when that store
//! cannot be opened, an in-memory engine with the standard channels, empty. Either way the
//! embedded default publishers (the generator's providers' manifests) are installed where
//! missing, so a program formats generated events with no setup.
//!
//! The store is opened as its one writer (persist.rs invariant 7). While another process (or
//! engine) writes it (its open fails with ERROR_SHARING_VIOLATION, 32), the service opens it
//! read-only instead, as it does always with `EVTLOG_STORE_READ_ONLY=1`: the program reads
//! the store's events beside that writer, and its writes and clears fail with
//! ERROR_ACCESS_DENIED (5) and the extended status that says the store is read-only, rather
//! than going to an empty engine unseen; the standard channels the store lacks stay absent
//! (a reader creates no file).
//!
//! `EVTLOG_QUIRKS` (read once, on first use) selects the Windows quirks every engine the
//! service makes emulates, `evtlog_reset`'s included (engine/quirks.rs): a profile name or
//! a comma list of profile and quirk names. A malformed value selects none, and the service
//! says so once on stderr, naming the item at fault: the one message evtlog's library
//! prints, since an unmodified program has no other way to learn that its setting was
//! ignored.
//!
//! Invariant: the engine is made on first use and replaced only by [`reset`], which first
//! closes every open handle (so nothing refers to the old engine's sessions) and always
//! gives an in-memory engine.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use parking_lot::RwLock;

use crate::clock::{Clock, SystemClock};
use crate::engine::{Engine, Quirks};
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

    fn try_advance(&self, ticks: u64) -> bool {
        if !self.is_virtual.load(Ordering::Acquire) {
            return false;
        }
        let _ = self
            .ticks
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |t| {
                Some(t.saturating_add(ticks))
            });
        true
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

/// The environment variable naming the store an unmodified program reads.
pub const STORE_VARIABLE: &str = "EVTLOG_STORE";

/// The environment variable that, set to `1`, opens [`STORE_VARIABLE`]'s store read-only
/// (without its write lock: beside another process that writes it).
pub const STORE_READ_ONLY_VARIABLE: &str = "EVTLOG_STORE_READ_ONLY";

fn fresh() -> Service {
    let clock = Arc::new(ServiceClock::default());
    let engine = Engine::with_default_channels(clock.clone());
    // The embedded manifests parse (a test pins it); failing, the engine has no publishers.
    let _ = engine.install_default_publishers();
    Service { engine, clock }
}

/// The first engine: `EVTLOG_STORE`'s store if it names one that opens.
fn initial() -> Service {
    let Some(dir) = std::env::var_os(STORE_VARIABLE).filter(|d| !d.is_empty()) else {
        return fresh();
    };
    let clock = Arc::new(ServiceClock::default());
    let read_only = std::env::var_os(STORE_READ_ONLY_VARIABLE).is_some_and(|v| v == "1");
    let opened = if read_only {
        Engine::open_store_dir_read_only_with_clock(&dir, clock.clone())
    } else {
        match Engine::open_store_dir_with_clock(&dir, clock.clone()) {
            // Another writer has it: read it beside that one.
            Err(e) if e.kind() == crate::error::ErrorKind::SharingViolation => {
                Engine::open_store_dir_read_only_with_clock(&dir, clock.clone())
            }
            opened => opened,
        }
    };
    match opened {
        Ok(engine) => {
            engine.create_default_channels();
            // A store made before the defaults existed gets them in the registry only:
            // opening a store writes nothing.
            let _ = engine.load_default_publishers();
            Service { engine, clock }
        }
        Err(_) => fresh(),
    }
}

fn with<T>(f: impl FnOnce(&Service) -> T) -> T {
    if let Some(service) = &*SERVICE.read() {
        return f(service);
    }
    let mut slot = SERVICE.write();
    let service = slot.get_or_insert_with(|| {
        let service = with_windows_dir(initial());
        apply_env_faults(&service.engine);
        // The remote computers `EVTLOG_COMPUTERS` names, for unmodified programs.
        super::computer_env::apply_environment(&service.engine);
        service
    });
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

/// A fresh engine with empty standard channels and the default publishers (Sysmon's
/// Operational channel among them, which its manifest defines), on the wall clock; every open handle is
/// closed first.
pub(super) fn reset() {
    for object in super::handles::remove_all(|_| true) {
        object.close();
    }
    super::computer_env::forget_forwarders();
    *SERVICE.write() = Some(with_windows_dir(fresh()));
}

/// A service whose engine is the persistent store in `dir` (opened, or created), with
/// Windows' standard channels and the default publishers (in the registry only), on the wall
/// clock; every open handle is closed first. The store's own engine, if any, is dropped first,
/// so that it lets go of the store before it is opened again.
pub(super) fn reset_to_store(dir: &std::path::Path) -> crate::Result<()> {
    for object in super::handles::remove_all(|_| true) {
        object.close();
    }
    super::computer_env::forget_forwarders();
    *SERVICE.write() = None;
    let clock = Arc::new(ServiceClock::default());
    let engine = Engine::open_store_dir_with_clock(dir, clock.clone())?;
    engine.create_default_channels();
    let _ = engine.load_default_publishers();
    *SERVICE.write() = Some(with_windows_dir(Service { engine, clock }));
    Ok(())
}

/// The environment variable holding the fault plan an unmodified program runs under
/// (`FUNCTION[@AFTER]:ERROR[xCOUNT]` items; engine/fault_spec.rs).
pub const FAULTS_VARIABLE: &str = "EVTLOG_FAULTS";

/// Arms `EVTLOG_FAULTS`'s plan on the first engine, whole or not at all: a malformed plan is
/// reported on stderr (its item, offset and what was expected) and no rule of it is armed.
fn apply_env_faults(engine: &Engine) {
    let Some(plan) = std::env::var_os(FAULTS_VARIABLE) else {
        return;
    };
    if let Err(e) = engine.fault_plan().inject_plan(&plan.to_string_lossy()) {
        eprintln!("evtlog: {FAULTS_VARIABLE}: {e}; the plan is not applied");
    }
}

/// The environment variable naming the Windows quirks the service's engines emulate.
pub const QUIRKS_VARIABLE: &str = "EVTLOG_QUIRKS";

/// `EVTLOG_QUIRKS`' quirks, parsed once; none (and one message on stderr) if malformed.
fn env_quirks() -> Quirks {
    static PARSED: OnceLock<Quirks> = OnceLock::new();
    *PARSED.get_or_init(|| {
        let Some(value) = std::env::var_os(QUIRKS_VARIABLE) else {
            return Quirks::NONE;
        };
        let parsed = match value.to_str() {
            Some(text) => Quirks::parse(text).map_err(|e| e.to_string()),
            None => Err(format!("{value:?} is not UTF-8")),
        };
        parsed.unwrap_or_else(|why| {
            // Straight to the process's stderr (fd 2), not through a test harness's capture.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "evtlog: {QUIRKS_VARIABLE} ignored, no quirk applied: {why}"
            );
            Quirks::NONE
        })
    })
}

/// `service` with `EVTLOG_QUIRKS`' quirks, and the directory `EVTLOG_WINDIR` names standing for the Windows directory,
/// where providers' resource files are found (the engine does not read the variable; this
/// service, an edge for unmodified programs, does).
fn with_windows_dir(service: Service) -> Service {
    service.engine.set_quirks(env_quirks());
    if let Some(resolver) = crate::publisher::ResourceResolver::from_env() {
        service.engine.set_windows_dir(resolver.windows_dir());
    }
    service
}
