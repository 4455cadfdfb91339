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
//!    it for writing), and per watcher does an atomic load, plus at most a swap, and an
//!    unpark (one short leaf lock) only when the subscriber is parked. No user code, no
//!    filter, no allocation. With no watcher, `notify` is a fence and one atomic load.
//! 2. **No lost wake-up (push).** A caught-up delivery thread announces it
//!    (`Waker::watch`: state `WATCHING`, then a `SeqCst` fence) and scans the store once
//!    more; a writer publishes the record (Release, in the store), fences (`SeqCst`) and then
//!    loads the state. The two fences order the store-then-load pairs, so either that scan
//!    sees the record or the writer sees `WATCHING` (or `PARKED`) and swaps in `BUSY`. The
//!    thread then spins a few microseconds watching the state, and parks only by a
//!    compare-exchange `WATCHING → PARKED`: if a writer came first the exchange fails and
//!    the thread scans again; if it comes after, it sees `PARKED` and unparks (the parker
//!    keeps the permit if the unpark comes before the park). Spurious wake-ups cost one
//!    scan; writers unpark only a parked thread, never a busy or spinning one.
//! 3. **No lost record at registration.** A subscription registers its watcher before its
//!    first scan (push) or before looking for a backlog to signal (pull), and its start
//!    position was fixed before that; appends in between are found by that scan or look.
//!    `add` fences after storing the count and `notify` before loading it, so a writer
//!    that saw no watcher published its record before the subscription's first look.
//! 4. Lock order: store lock, released, then this list's lock, then a parker's (leaf) or a
//!    signal's waiter list (leaf). Nothing is taken under a parker's lock.

use std::fmt;
use std::sync::atomic::{self as std_atomic, AtomicU64};
use std::time::Duration;

use parking_lot::RwLock;

use super::signal::SignalEvent;
use crate::cancel::Parker;
// The waker uses `crate::sync` (loom-checked below); the notifier list is plain std.
use crate::sync::{fence, Arc as SyncArc, AtomicU8, Ordering};

/// A push subscription's wake-up: its delivery thread's parker (also registered with the
/// subscription's cancel node) and what the thread is doing (invariant 2).
pub(crate) struct Waker {
    /// `BUSY` (scanning or calling back: writers do nothing), `WATCHING` (caught up and
    /// spinning: a writer sets `BUSY`, which the spinner sees) or `PARKED` (a writer sets
    /// `BUSY` and unparks).
    state: AtomicU8,
    pub(crate) parker: SyncArc<Parker>,
}

const BUSY: u8 = 0;
const WATCHING: u8 = 1;
const PARKED: u8 = 2;

impl Waker {
    pub(crate) fn new() -> Waker {
        Waker {
            state: AtomicU8::new(BUSY),
            parker: Parker::new(),
        }
    }

    /// The delivery thread is caught up: writers from now on tell it (invariant 2). The
    /// caller scans once more before [`spin`](Self::spin) and [`park`](Self::park).
    pub(crate) fn watch(&self) {
        self.state.store(WATCHING, Ordering::Relaxed);
        fence(Ordering::SeqCst);
    }

    /// Spins for up to `limit` while watching; true if a writer appended meanwhile (the
    /// caller scans again). Spinning keeps a busy log's deliveries free of park/unpark
    /// round trips; the limit bounds the CPU an idle subscription burns.
    #[cfg(not(all(test, loom)))]
    pub(crate) fn spin(&self, limit: Duration) -> bool {
        let start = std::time::Instant::now();
        loop {
            for _ in 0..32 {
                if self.state.load(Ordering::Acquire) != WATCHING {
                    return true;
                }
                std::hint::spin_loop();
            }
            if start.elapsed() >= limit {
                return false;
            }
            std::thread::yield_now();
        }
    }

    /// Under loom: no spinning (it only saves round trips; the model checks the protocol).
    #[cfg(all(test, loom))]
    pub(crate) fn spin(&self, _limit: Duration) -> bool {
        self.state.load(Ordering::Acquire) != WATCHING
    }

    /// Parks until a writer appends (or a cancel unparks the parker), unless one already
    /// did since [`watch`](Self::watch). Leaves the state `BUSY`.
    pub(crate) fn park(&self) {
        if self
            .state
            .compare_exchange(WATCHING, PARKED, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
        {
            self.parker.park();
        }
        self.state.store(BUSY, Ordering::Release);
    }

    /// A writer's side, after its fence.
    pub(crate) fn wake(&self) {
        if self.state.load(Ordering::Relaxed) != BUSY
            && self.state.swap(BUSY, Ordering::AcqRel) == PARKED
        {
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
    count: std_atomic::AtomicUsize,
    next_id: AtomicU64,
    watchers: RwLock<Vec<(u64, Watch)>>,
}

impl Notifier {
    /// Adds a watcher; the id removes it.
    pub(crate) fn add(&self, watch: Watch) -> u64 {
        let id = self.next_id.fetch_add(1, std_atomic::Ordering::Relaxed);
        let mut watchers = self.watchers.write();
        watchers.push((id, watch));
        self.count
            .store(watchers.len(), std_atomic::Ordering::Release);
        drop(watchers);
        // Invariant 3: the count before the subscription's first look at the store.
        std_atomic::fence(std_atomic::Ordering::SeqCst);
        id
    }

    /// Removes the watcher `id` (idempotent).
    pub(crate) fn remove(&self, id: u64) {
        let mut watchers = self.watchers.write();
        watchers.retain(|(i, _)| *i != id);
        self.count
            .store(watchers.len(), std_atomic::Ordering::Release);
    }

    /// A record was appended (or records were dropped): wake whoever asked (invariant 1).
    #[inline]
    pub(crate) fn notify(&self) {
        // Invariants 2 and 3: the record's publication comes before the loads of `count`,
        // `wanted` and the signals' flags.
        std_atomic::fence(std_atomic::Ordering::SeqCst);
        if self.count.load(std_atomic::Ordering::Relaxed) == 0 {
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
        self.count.load(std_atomic::Ordering::Acquire)
    }
}

impl fmt::Debug for Notifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Notifier")
            .field("watchers", &self.len())
            .finish()
    }
}

/// Loom model of invariant 2: writers racing a delivery thread that watches, spins and
/// parks. The thread must always end up seeing every record: a lost wake-up leaves it
/// parked forever, which loom reports as a deadlock.
#[cfg(all(test, loom))]
mod loom_tests {
    use loom::thread;

    use super::*;

    #[test]
    fn notify_writers_vs_parking_delivery_thread() {
        let mut builder = loom::model::Builder::new();
        if builder.preemption_bound.is_none() {
            builder.preemption_bound = Some(3);
        }
        builder.check(|| {
            let waker = SyncArc::new(Waker::new());
            let published = SyncArc::new(loom::sync::atomic::AtomicUsize::new(0));
            let writers: Vec<_> = (0..2)
                .map(|_| {
                    let (waker, published) = (waker.clone(), published.clone());
                    thread::spawn(move || {
                        // Channel::append: publish (Release), then notify (fence, wake).
                        published.fetch_add(1, Ordering::Release);
                        fence(Ordering::SeqCst);
                        waker.wake();
                    })
                })
                .collect();
            // The delivery loop of delivery.rs, with "scan" = read the published count.
            let mut watching = false;
            while published.load(Ordering::Acquire) < 2 {
                if !watching {
                    waker.watch();
                    watching = true;
                    continue;
                }
                if !waker.spin(Duration::ZERO) {
                    waker.park();
                }
                watching = false;
            }
            for w in writers {
                w.join().unwrap();
            }
        });
    }
}
