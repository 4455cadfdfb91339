//! [`Parker`]: a one-permit wake-up flag for a thread blocked in a synchronous call.
//!
//! A parker is shared by every source that may wake one waiting operation: its cancel node
//! (through a [`Registration`](super::Registration)), a store's "new record" notifier, a
//! pause point. It carries no reason; the woken thread re-checks its conditions (its token
//! first), so spurious or stale wake-ups cost one loop turn and nothing else.
//!
//! Permit semantics (as `std::thread::park`): `unpark` sets the permit; `park` and
//! `park_timeout` return once the permit is set and **consume** it (reset it to false). An
//! `unpark` that comes before the `park` is therefore not lost: the next park returns at once.
//! Several unparks before one park leave one permit.
//!
//! A parker shared by several waiters (a gate) uses the generation instead: each `unpark`
//! advances it; a waiter reads [`Parker::generation`] before checking its conditions and then
//! blocks in [`Parker::park_until_changed`], so an unpark in between is not lost either, and
//! one unpark wakes every waiter.
//!
//! The generation is advanced under the lock but read without it (one `Acquire` load), so a
//! thousand waiters woken by one unpark each take the lock once (the condvar's re-lock), not
//! twice: `park_until_changed` re-reads it under the lock before waiting, which is what
//! keeps the wake-up from being lost.

use std::fmt;
use std::sync::PoisonError;
use std::time::{Duration, Instant};

use crate::sync::{Arc, AtomicUsize, Condvar, Mutex, Ordering};

/// A one-permit wake-up flag (`Mutex<bool>` + `Condvar`). See the module docs.
pub(crate) struct Parker {
    /// The permit: true from an `unpark` until a `park` consumes it.
    permit: Mutex<bool>,
    /// The number of unparks so far (wrapping). Written only under `permit`'s lock.
    generation: AtomicUsize,
    cv: Condvar,
}

impl Parker {
    /// A parker with no permit, shared from the start (waiters register an `Arc` of it).
    pub(crate) fn new() -> Arc<Parker> {
        Arc::new(Parker {
            permit: Mutex::new(false),
            generation: AtomicUsize::new(0),
            cv: Condvar::new(),
        })
    }

    /// Sets the permit and wakes the thread parked here, if any. Never blocks for long (one
    /// short lock) and never runs user code.
    pub(crate) fn unpark(&self) {
        let mut permit = self.permit.lock().unwrap_or_else(PoisonError::into_inner);
        *permit = true;
        // Under the lock: a waiter in `park_until_changed` either sees the new value before
        // it waits or is waiting when `notify_all` runs.
        self.generation.fetch_add(1, Ordering::Release);
        drop(permit);
        self.cv.notify_all();
    }

    /// The number of unparks so far (for a parker shared by several waiters): one atomic
    /// load, no lock.
    pub(crate) fn generation(&self) -> usize {
        self.generation.load(Ordering::Acquire)
    }

    /// Blocks until an unpark after `seen` (a value of [`generation`](Self::generation)).
    /// Leaves the permit alone, so that every waiter of a shared parker wakes.
    pub(crate) fn park_until_changed(&self, seen: usize) {
        let mut permit = self.permit.lock().unwrap_or_else(PoisonError::into_inner);
        while self.generation.load(Ordering::Acquire) == seen {
            permit = self.cv.wait(permit).unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Blocks until the permit is set, then consumes it.
    pub(crate) fn park(&self) {
        let mut permit = self.permit.lock().unwrap_or_else(PoisonError::into_inner);
        while !*permit {
            permit = self.cv.wait(permit).unwrap_or_else(PoisonError::into_inner);
        }
        *permit = false;
    }

    /// Blocks until the permit is set or `timeout` has passed on the wall clock. Returns true
    /// (and consumes the permit) if it was unparked, false if it timed out with no permit.
    pub(crate) fn park_timeout(&self, timeout: Duration) -> bool {
        let Some(deadline) = Instant::now().checked_add(timeout) else {
            // A timeout beyond the clock's range is an infinite wait.
            self.park();
            return true;
        };
        let mut permit = self.permit.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if *permit {
                *permit = false;
                return true;
            }
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            // Spurious returns and timeouts both go round the loop: the predicate and the
            // deadline are re-checked under the lock.
            let (guard, _) = self
                .cv
                .wait_timeout(permit, deadline - now)
                .unwrap_or_else(PoisonError::into_inner);
            permit = guard;
        }
    }
}

impl fmt::Debug for Parker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let unparked = *self.permit.lock().unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("Parker")
            .field("unparked", &unparked)
            .field("generation", &self.generation())
            .finish()
    }
}
