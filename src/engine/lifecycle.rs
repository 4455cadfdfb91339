//! The event-log service's lifecycle on an engine: stop it, start it again, and make each of
//! its calls take virtual time (a slow computer).
//!
//! While the service is stopped every call that reaches the engine (query and subscription
//! setup, each batch of `next` and `seek`, each scan of a push subscription's delivery
//! thread, and at the facade every call that names a session) fails with
//! RPC_S_SERVER_UNAVAILABLE (1722): the service's RPC endpoint is gone. At the stop the calls
//! in flight are cancelled, so that one held at a pause point or waiting returns (a scan
//! meets the stop at its next batch and returns 1722; a call that was finishing its last
//! batch may return ERROR_CANCELLED, 1223, instead), and every channel's watchers are woken, so a push subscription's delivery thread meets the stop at
//! once and calls back with `SubscribeAction::Error` (1722), and a pull subscription's
//! signal is set (the consumer then calls `next`, which fails with 1722). When the service
//! starts again every handle made before the stop is closed: the sessions opened before it
//! (their later calls fail with ERROR_INVALID_HANDLE, 6), and every result set and
//! subscription of every session, the default one included (which itself stays usable, as
//! the NULL session of a restarted service is). The channels and their records are the
//! engine's own and stay: a persistent store keeps its files.
//!
//! Invariants:
//! 1. `state` is the generation (incremented at each stop) shifted left by one, with bit 0
//!    set while stopped. A running engine's check is one relaxed atomic load.
//! 2. Stops and starts are serialized by `transition`; a second stop (or start) is a no-op
//!    that returns false.
//! 3. A session is tracked with the generation it was opened in; at a start the sessions of
//!    an older generation are closed and dropped from the list, the others kept. Dead
//!    sessions (no handle left) are dropped whenever a session is added.
//! 4. Nothing made before a stop is usable after the start: every result set and
//!    subscription of a tracked or default session is closed before the state says running.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::Mutex;

use super::session::{Session, SessionInner};
use super::Engine;
use crate::error::{Error, ErrorKind, Result};

/// The lifecycle state an engine holds (see the module docs).
#[derive(Default)]
pub(crate) struct Lifecycle {
    state: AtomicU64,
    transition: Mutex<()>,
    sessions: Mutex<Vec<(u64, Weak<SessionInner>)>>,
    /// Virtual time each call takes, in 100-ns ticks.
    delay: AtomicU64,
    /// Virtual time the calls have taken in all, in 100-ns ticks.
    spent: AtomicU64,
}

const STOPPED: u64 = 1;

/// The error of every call while the service is stopped.
pub(crate) fn service_down() -> Error {
    Error::with_message(
        ErrorKind::ServerUnavailable,
        "the event log service is stopped (or its computer is offline): the RPC server is \
         unavailable",
    )
}

impl Lifecycle {
    /// `Err(ServerUnavailable)` while stopped (invariant 1).
    #[inline]
    pub(crate) fn check(&self) -> Result<()> {
        if self.state.load(Ordering::Relaxed) & STOPPED != 0 {
            return Err(service_down());
        }
        Ok(())
    }

    /// False while stopped: the same relaxed load as [`check`](Self::check).
    #[inline(always)]
    pub(crate) fn is_running(&self) -> bool {
        self.state.load(Ordering::Relaxed) & STOPPED == 0
    }

    fn generation(&self) -> u64 {
        self.state.load(Ordering::Acquire) >> 1
    }

    /// Tracks a session opened now (invariant 3).
    pub(crate) fn track(&self, session: &Arc<SessionInner>) {
        let generation = self.generation();
        let mut sessions = self.sessions.lock();
        sessions.retain(|(_, s)| s.strong_count() > 0);
        sessions.push((generation, Arc::downgrade(session)));
    }
}

impl Engine {
    /// Stops the event-log service: from now on every call fails with
    /// RPC_S_SERVER_UNAVAILABLE (1722); push subscriptions get an `Error` action with that
    /// code and deliver nothing more; pull subscriptions' signals are set. False if it was
    /// stopped already. See [`start_service`](Engine::start_service).
    pub fn stop_service(&self) -> bool {
        let lifecycle = &self.inner.lifecycle;
        let _transition = lifecycle.transition.lock();
        let state = lifecycle.state.load(Ordering::Acquire);
        if state & STOPPED != 0 {
            return false;
        }
        lifecycle
            .state
            .store((((state >> 1) + 1) << 1) | STOPPED, Ordering::Release);
        // Wake every subscription: a push delivery thread then meets the stop in its next
        // scan and reports it; a pull consumer sees its signal and calls next.
        for channel in self.channels() {
            channel.notifier().notify();
        }
        // Calls held at a pause point or waiting on a signal return now; the checkpoint
        // they pass on the way out reports the stop.
        self.inner.root.cancel_calls();
        true
    }

    /// Starts the event-log service again after [`stop_service`](Engine::stop_service): every
    /// handle made before the stop is closed first (sessions opened before it, and every
    /// result set and subscription; their later calls fail with ERROR_INVALID_HANDLE, 6), then
    /// calls run again. The channels keep their records. False if it was running.
    pub fn start_service(&self) -> bool {
        let lifecycle = &self.inner.lifecycle;
        let _transition = lifecycle.transition.lock();
        let state = lifecycle.state.load(Ordering::Acquire);
        if state & STOPPED == 0 {
            return false;
        }
        let generation = state >> 1;
        let tracked = std::mem::take(&mut *lifecycle.sessions.lock());
        let mut kept = Vec::new();
        for (opened_in, weak) in tracked {
            let Some(inner) = weak.upgrade() else {
                continue;
            };
            let session = Session {
                inner,
                engine: self.clone(),
            };
            if opened_in < generation {
                let _ = session.close();
            } else {
                session.close_handles();
                kept.push((opened_in, weak));
            }
        }
        lifecycle.sessions.lock().extend(kept);
        if let Some(default) = self.inner.default_session.get() {
            Session {
                inner: Arc::clone(default),
                engine: self.clone(),
            }
            .close_handles();
        }
        lifecycle.state.store(generation << 1, Ordering::Release);
        true
    }

    /// Stops and starts the service (a reboot of its computer, as a remote client sees it):
    /// push subscriptions get the `Error` action, and every handle made before is invalid.
    pub fn restart_service(&self) {
        self.stop_service();
        self.start_service();
    }

    /// True unless the service is stopped.
    pub fn is_service_running(&self) -> bool {
        self.inner.lifecycle.check().is_ok()
    }

    /// `Err(ServerUnavailable)` (1722) while the service is stopped.
    pub fn check_service(&self) -> Result<()> {
        self.inner.lifecycle.check()
    }

    /// Makes every call that reaches the service through the wevtapi facade take `delay` of
    /// virtual time (a slow computer): an EvtNext whose timeout is shorter fails with
    /// ERROR_TIMEOUT (1460) and moves nothing. Zero (the default) adds nothing.
    pub fn set_call_delay(&self, delay: Duration) {
        let ticks = u64::try_from(delay.as_nanos() / 100).unwrap_or(u64::MAX);
        self.inner.lifecycle.delay.store(ticks, Ordering::Relaxed);
    }

    /// The delay [`set_call_delay`](Engine::set_call_delay) set.
    pub fn call_delay(&self) -> Duration {
        Duration::from_nanos(
            self.inner
                .lifecycle
                .delay
                .load(Ordering::Relaxed)
                .saturating_mul(100),
        )
    }

    /// The virtual time the calls have taken in all under the call delay.
    pub fn call_time_spent(&self) -> Duration {
        Duration::from_nanos(
            self.inner
                .lifecycle
                .spent
                .load(Ordering::Relaxed)
                .saturating_mul(100),
        )
    }

    /// A call through the facade reaches the service: `Err(ServerUnavailable)` while it is
    /// stopped, else the call's delay, which is counted as spent.
    pub fn enter_call(&self) -> Result<Duration> {
        let lifecycle = &self.inner.lifecycle;
        lifecycle.check()?;
        let ticks = lifecycle.delay.load(Ordering::Relaxed);
        if ticks == 0 {
            return Ok(Duration::ZERO);
        }
        lifecycle.spent.fetch_add(ticks, Ordering::Relaxed);
        Ok(Duration::from_nanos(ticks.saturating_mul(100)))
    }
}
