//! [`SignalEvent`]: the pull model's signal, a Windows manual-reset event
//! (`CreateEvent(NULL, TRUE, …)`, as EvtSubscribe's pull model documents it).
//!
//! Invariants:
//! 1. **Manual reset.** `set` makes the event signalled and it stays so, through any number of
//!    waits, until `reset`; a wait on a signalled event returns at once. A subscription sets
//!    it on every append to a subscribed channel; only the consumer resets it. So a consumer
//!    that resets *before* draining never misses an event, and one that drains and *then*
//!    resets can swallow the set of an event appended in between, as on Windows
//!    (consumer-pains P8, Vector #25194).
//! 2. **No lost wake-up.** A waiter pushes its parker on the list under the list's lock and
//!    then loads the flag; `set` stores the flag and then takes the same lock to unpark the
//!    parkers. Either the waiter sees the flag, or `set` sees the parker.
//! 3. **Cheap for writers.** `set` on an event that is already signalled is one atomic load;
//!    otherwise one swap, and a lock and unparks only if someone waits. No user code runs.
//! 4. `reset` ends with a `SeqCst` fence, and a subscription's writers fence before they look
//!    at the flag (`notify.rs`), so an append that comes after a `reset` either sets the
//!    event or is seen by the drain that follows the `reset`.

use std::fmt;
use std::sync::atomic::{fence, AtomicBool, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::cancel::{CancelToken, Parker};
use crate::error::Result;
use crate::sync::Arc as SyncArc;

/// A manual-reset event, as the pull model's SignalEvent (EvtSubscribe's SignalEvent). Clones are the same
/// event; create one per subscription, or share one between several.
///
/// ```
/// use evtlog::SignalEvent;
/// use std::time::Duration;
///
/// let signal = SignalEvent::new(false);
/// assert!(!signal.wait(Some(Duration::ZERO)));
/// signal.set();
/// assert!(signal.wait(None) && signal.is_set()); // stays set: manual reset
/// signal.reset();
/// assert!(!signal.is_set());
/// ```
#[derive(Clone)]
pub struct SignalEvent {
    inner: std::sync::Arc<Inner>,
}

struct Inner {
    set: AtomicBool,
    /// Parkers of the threads waiting now (invariant 2). Parkers rather than a crossbeam
    /// channel: one wait must end on a set, a cancel (the parker is registered with the call's
    /// cancel node) or a timeout, and the parker is the loom-checked primitive both share.
    waiters: Mutex<Vec<SyncArc<Parker>>>,
}

impl SignalEvent {
    /// A manual-reset event, signalled from the start if `initially_set` (the MS sample
    /// creates it signalled: `CreateEvent(NULL, TRUE, TRUE, NULL)`).
    pub fn new(initially_set: bool) -> SignalEvent {
        SignalEvent {
            inner: std::sync::Arc::new(Inner {
                set: AtomicBool::new(initially_set),
                waiters: Mutex::new(Vec::new()),
            }),
        }
    }

    /// SetEvent: signalled until [`reset`](Self::reset); wakes every waiter.
    pub fn set(&self) {
        let inner = &*self.inner;
        if inner.set.load(Ordering::Relaxed) || inner.set.swap(true, Ordering::AcqRel) {
            return;
        }
        let waiters: Vec<SyncArc<Parker>> = inner.waiters.lock().clone();
        for parker in waiters {
            parker.unpark();
        }
    }

    /// ResetEvent: not signalled until the next [`set`](Self::set).
    pub fn reset(&self) {
        self.inner.set.store(false, Ordering::Release);
        // Invariant 4: the consumer's drain after this reads the store after the reset.
        fence(Ordering::SeqCst);
    }

    /// True while signalled.
    pub fn is_set(&self) -> bool {
        self.inner.set.load(Ordering::Acquire)
    }

    /// WaitForSingleObject: true as soon as the event is signalled (it stays signalled),
    /// false if `timeout` (wall clock; `None` is infinite) passes first.
    pub fn wait(&self, timeout: Option<Duration>) -> bool {
        self.wait_inner(None, timeout).unwrap_or(false)
    }

    /// A wait that `token`'s cancel also ends, with `Err(Cancelled)` (a subscription's
    /// `wait`, registered as a call under it).
    pub(crate) fn wait_cancellable(
        &self,
        token: &CancelToken,
        timeout: Option<Duration>,
    ) -> Result<bool> {
        self.wait_inner(Some(token), timeout)
    }

    fn wait_inner(&self, token: Option<&CancelToken>, timeout: Option<Duration>) -> Result<bool> {
        if let Some(token) = token {
            // A cancelled wait fails even on a signalled event (a sticky cancel).
            token.check()?;
        }
        if self.is_set() {
            return Ok(true);
        }
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        let parker = Parker::new();
        let _registration = match token {
            Some(token) => Some(token.register(&parker)?),
            None => None,
        };
        let _waiting = Waiting::new(&self.inner, &parker);
        loop {
            if let Some(token) = token {
                token.check()?;
            }
            if self.is_set() {
                return Ok(true);
            }
            match (timeout, deadline) {
                (None, _) | (Some(_), None) => parker.park(),
                (Some(_), Some(deadline)) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return Ok(false);
                    }
                    parker.park_timeout(deadline - now);
                }
            }
        }
    }
}

/// A parker on the waiter list, removed when the wait ends.
struct Waiting<'a> {
    inner: &'a Inner,
    parker: SyncArc<Parker>,
}

impl<'a> Waiting<'a> {
    fn new(inner: &'a Inner, parker: &SyncArc<Parker>) -> Waiting<'a> {
        inner.waiters.lock().push(SyncArc::clone(parker));
        Waiting {
            inner,
            parker: SyncArc::clone(parker),
        }
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut waiters = self.inner.waiters.lock();
        if let Some(i) = waiters
            .iter()
            .position(|p| SyncArc::ptr_eq(p, &self.parker))
        {
            waiters.swap_remove(i);
        }
    }
}

impl fmt::Debug for SignalEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignalEvent")
            .field("set", &self.is_set())
            .finish()
    }
}
