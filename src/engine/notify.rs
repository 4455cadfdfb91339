//! [`Notifier`]: how a channel's writers tell its subscriptions that records were appended,
//! without ever blocking on them.
//!
//! Every channel owns one. [`Channel::append`](super::Channel::append) calls
//! [`Notifier::notify`] after the store has published the record and released its lock. A
//! push subscription watches with a [`Waker`] (its delivery thread's parker and a "wants a
//! wake-up" flag); a pull subscription with its [`SignalEvent`], which it sets.
//!
//! Invariants:
//! 1. **Writers never wait for subscribers.** `notify` runs after the store lock is released;
//!    it takes the watcher list's read lock (writers share it; only subscribe and close take
//!    it for writing), and per watcher does an atomic load, plus at most a swap and an
//!    unpark (one short leaf lock) when the subscriber asked for a wake-up. No user code, no
//!    filter, no allocation. With no watcher, `notify` is a fence and one atomic load.
//! 2. **No lost wake-up (push).** The delivery thread arms (`Waker::arm`: stores `wanted`,
//!    then a `SeqCst` fence), scans the store once more, and parks only if that scan found
//!    nothing. A writer publishes the record (Release, in the store), fences (`SeqCst`) and
//!    then loads `wanted`. The two fences order the store-then-load pairs, so either the
//!    thread's scan sees the record or the writer sees `wanted` and unparks it; the parker
//!    keeps the permit if the unpark comes before the park. Spurious wake-ups cost one scan.
//! 3. **No lost record at registration.** A subscription registers its watcher before its
//!    first scan (push) or before looking for a backlog to signal (pull), and its start
//!    position was fixed before that; appends in between are found by that scan or look.
//!    `add` fences after storing the count and `notify` before loading it, so a writer
//!    that saw no watcher published its record before the subscription's first look.
//! 4. Lock order: store lock, released, then this list's lock, then a parker's (leaf) or a
//!    signal's waiter list (leaf). Nothing is taken under a parker's lock.

use std::fmt;
use std::sync::atomic::{fence, AtomicBool, AtomicU64, AtomicUsize, Ordering};

use parking_lot::RwLock;

use super::signal::SignalEvent;
use crate::cancel::Parker;
use crate::sync::Arc as SyncArc;

/// A push subscription's wake-up: its delivery thread's parker (also registered with the
/// subscription's cancel node) and whether the thread is about to park.
pub(crate) struct Waker {
    wanted: AtomicBool,
    pub(crate) parker: SyncArc<Parker>,
}

impl Waker {
    pub(crate) fn new() -> Waker {
        Waker {
            wanted: AtomicBool::new(false),
            parker: Parker::new(),
        }
    }

    /// The delivery thread is about to park: writers from now on unpark it (invariant 2).
    /// The caller scans once more before parking.
    pub(crate) fn arm(&self) {
        self.wanted.store(true, Ordering::Relaxed);
        fence(Ordering::SeqCst);
    }

    /// A writer's side, after its fence.
    fn wake(&self) {
        if self.wanted.load(Ordering::Relaxed) && self.wanted.swap(false, Ordering::AcqRel) {
            self.parker.unpark();
        }
    }
}

/// What watches a channel.
#[derive(Clone)]
pub(crate) enum Watch {
    Push(std::sync::Arc<Waker>),
    Pull(SignalEvent),
}

/// A channel's list of watching subscriptions.
#[derive(Default)]
pub(crate) struct Notifier {
    /// The number of watchers: the writers' fast path when there are none.
    count: AtomicUsize,
    next_id: AtomicU64,
    watchers: RwLock<Vec<(u64, Watch)>>,
}

impl Notifier {
    /// Adds a watcher; the id removes it.
    pub(crate) fn add(&self, watch: Watch) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mut watchers = self.watchers.write();
        watchers.push((id, watch));
        self.count.store(watchers.len(), Ordering::Release);
        drop(watchers);
        // Invariant 3: the count before the subscription's first look at the store.
        fence(Ordering::SeqCst);
        id
    }

    /// Removes the watcher `id` (idempotent).
    pub(crate) fn remove(&self, id: u64) {
        let mut watchers = self.watchers.write();
        watchers.retain(|(i, _)| *i != id);
        self.count.store(watchers.len(), Ordering::Release);
    }

    /// A record was appended (or records were dropped): wake whoever asked (invariant 1).
    #[inline]
    pub(crate) fn notify(&self) {
        // Invariants 2 and 3: the record's publication comes before the loads of `count`,
        // `wanted` and the signals' flags.
        fence(Ordering::SeqCst);
        if self.count.load(Ordering::Relaxed) == 0 {
            return;
        }
        self.notify_watchers();
    }

    #[cold]
    fn notify_watchers(&self) {
        for (_, watch) in self.watchers.read().iter() {
            match watch {
                Watch::Push(waker) => waker.wake(),
                Watch::Pull(signal) => signal.set(),
            }
        }
    }

    /// The number of watchers now.
    pub(crate) fn len(&self) -> usize {
        self.count.load(Ordering::Acquire)
    }
}

impl fmt::Debug for Notifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notifier")
            .field("watchers", &self.len())
            .finish()
    }
}
