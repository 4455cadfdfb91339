//! Faults injected by plan, not by timing: pause points.
//!
//! A test arms a pause point for a kind of call at a batch number ([`Engine::pause_at`]);
//! every such call that reaches that batch stops there until the point is released, or until
//! the call is cancelled (it then returns `Cancelled`). The test can wait until a given number
//! of calls are stopped there, then cancel, close or release from its own thread: no sleeps.
//!
//! Invariants:
//! 1. With no point armed, a checkpoint costs one atomic load.
//! 2. Every call stopped at a point waits on the point's one gate (a parker shared by them
//!    all), registered with the call's cancel token: a cancel unparks it, and so does a
//!    release. A waiter reads the gate's generation before checking both conditions and
//!    parks until it changes, so no wake-up is lost; one unpark wakes every waiter, which
//!    keeps a session cancel over a thousand stopped calls to one wake-up.
//! 3. Dropping a [`PauseHandle`] releases its point, so no call stays stopped after a test.
//! 4. A call leaving the point takes no lock unless it is the last one out: `stopped` is an
//!    atomic, raised under the state lock (so `wait_stopped` sees every arrival) and lowered
//!    without it; the call that brings it to zero takes the lock before `notify_all`, so a
//!    `wait_drained` that saw it non-zero is already waiting. A thousand calls woken by one
//!    cancel thus contend on nothing but the gate's condvar.
//!
//! [`Engine::pause_at`]: super::Engine::pause_at

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::{Condvar, Mutex};

use crate::cancel::{CancelToken, Parker};
use crate::error::Result;

/// The long-running calls a pause point can stop.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CallKind {
    /// Query setup (`Session::query`); it has one batch, 0.
    Query,
    /// `ResultSet::next`: batch 0 before the first records, then one per batch scanned (at
    /// most 64 records, never spanning chunks). Also a pull subscription's `next` and each
    /// scan of a push subscription's delivery thread.
    Next,
    /// `ResultSet::seek`: batches as for `Next`.
    Seek,
    /// Subscription setup (`Session::subscribe`); it has one batch, 0.
    Subscribe,
    /// `Session::clear_log`: batch 0 before anything, then one per chunk of the channel
    /// written to the backup; the records are removed after the last.
    Clear,
    /// `Engine::install_manifest` (and `install_resource_provider`): one batch, 0, after the
    /// manifest is parsed and checked, before anything is stored or installed.
    Install,
}

#[derive(Default)]
pub(crate) struct Faults {
    armed: AtomicUsize,
    points: Mutex<Vec<Arc<Point>>>,
}

struct Point {
    kind: CallKind,
    batch: u64,
    /// What the stopped calls wait on (invariant 2). Through `crate::sync` so that the type
    /// matches the cancellation tree's under loom.
    gate: crate::sync::Arc<Parker>,
    released: AtomicBool,
    /// Calls stopped here now (invariant 4).
    stopped: AtomicUsize,
    state: Mutex<PointState>,
    reached_changed: Condvar,
}

#[derive(Default)]
struct PointState {
    /// Calls that have reached the point in all.
    reached: usize,
}

impl Faults {
    pub(crate) fn arm(self: &Arc<Self>, kind: CallKind, batch: u64) -> PauseHandle {
        let point = Arc::new(Point {
            kind,
            batch,
            gate: Parker::new(),
            released: AtomicBool::new(false),
            stopped: AtomicUsize::new(0),
            state: Mutex::new(PointState::default()),
            reached_changed: Condvar::new(),
        });
        self.points.lock().push(Arc::clone(&point));
        self.armed.fetch_add(1, Ordering::SeqCst);
        PauseHandle {
            point,
            faults: Arc::clone(self),
        }
    }

    fn disarm(&self, point: &Arc<Point>) {
        let mut points = self.points.lock();
        if let Some(i) = points.iter().position(|p| Arc::ptr_eq(p, point)) {
            points.swap_remove(i);
            self.armed.fetch_sub(1, Ordering::SeqCst);
        }
    }

    /// Whether any pause point is armed: the load [`checkpoint`](Self::checkpoint) starts with.
    #[inline(always)]
    pub(crate) fn is_armed(&self) -> bool {
        self.armed.load(Ordering::Acquire) != 0
    }

    /// Called by a call of `kind` before its batch `batch`: stops here if a point is armed for
    /// it, until released (`Ok`) or cancelled (`Err(Cancelled)`).
    #[inline]
    pub(crate) fn checkpoint(&self, kind: CallKind, batch: u64, call: &CancelToken) -> Result<()> {
        if self.armed.load(Ordering::Acquire) == 0 {
            return Ok(());
        }
        let point = {
            let points = self.points.lock();
            points
                .iter()
                .find(|p| p.kind == kind && p.batch == batch)
                .cloned()
        };
        match point {
            Some(point) => point.stop(call),
            None => Ok(()),
        }
    }
}

impl Point {
    fn stop(&self, call: &CancelToken) -> Result<()> {
        // Registered with the cancel token before looking at either condition (invariant 2).
        let _registration = call.register(&self.gate)?;
        {
            let mut state = self.state.lock();
            if self.released.load(Ordering::Acquire) {
                return Ok(());
            }
            self.stopped.fetch_add(1, Ordering::AcqRel);
            state.reached += 1;
            self.reached_changed.notify_all();
        }
        let outcome = loop {
            let seen = self.gate.generation();
            if call.is_cancelled() {
                break call.check();
            }
            if self.released.load(Ordering::Acquire) {
                break Ok(());
            }
            self.gate.park_until_changed(seen);
        };
        if self.stopped.fetch_sub(1, Ordering::AcqRel) == 1 {
            // The last one out: under the lock, so that a `wait_drained` is waiting by now.
            let _state = self.state.lock();
            self.reached_changed.notify_all();
        }
        outcome
    }
}

/// A pause point armed by a test; see the module docs. Dropping it releases the point.
pub struct PauseHandle {
    point: Arc<Point>,
    faults: Arc<Faults>,
}

impl PauseHandle {
    /// Blocks until at least `count` calls are stopped at the point at once.
    pub fn wait_stopped(&self, count: usize) {
        let mut state = self.point.state.lock();
        while self.point.stopped.load(Ordering::Acquire) < count {
            self.point.reached_changed.wait(&mut state);
        }
    }

    /// Like [`wait_stopped`](Self::wait_stopped), giving up after `timeout`; true if reached.
    pub fn wait_stopped_timeout(&self, count: usize, timeout: Duration) -> bool {
        let mut state = self.point.state.lock();
        let deadline = std::time::Instant::now() + timeout;
        while self.point.stopped.load(Ordering::Acquire) < count {
            if self
                .point
                .reached_changed
                .wait_until(&mut state, deadline)
                .timed_out()
            {
                return self.point.stopped.load(Ordering::Acquire) >= count;
            }
        }
        true
    }

    /// Blocks until no call is stopped at the point (after a release or a cancel).
    pub fn wait_drained(&self) {
        let mut state = self.point.state.lock();
        while self.point.stopped.load(Ordering::Acquire) > 0 {
            self.point.reached_changed.wait(&mut state);
        }
    }

    /// Calls stopped at the point now.
    pub fn stopped(&self) -> usize {
        self.point.stopped.load(Ordering::Acquire)
    }

    /// Calls that have reached the point since it was armed.
    pub fn reached(&self) -> usize {
        self.point.state.lock().reached
    }

    /// Lets every stopped call go on, and disarms the point.
    pub fn release(&self) {
        self.point.released.store(true, Ordering::Release);
        self.faults.disarm(&self.point);
        self.point.gate.unpark();
    }
}

impl Drop for PauseHandle {
    fn drop(&mut self) {
        self.release();
    }
}

impl fmt::Debug for PauseHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PauseHandle")
            .field("kind", &self.point.kind)
            .field("batch", &self.point.batch)
            .field("stopped", &self.stopped())
            .finish()
    }
}

impl fmt::Debug for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Faults")
            .field("armed", &self.armed.load(Ordering::Relaxed))
            .finish()
    }
}
