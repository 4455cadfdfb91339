//! The push model's delivery thread (EvtSubscribe's callback, stopped by EvtCancel and
//! EvtClose): one thread per push
//! subscription scans its channels, runs the callback for each event, and parks when caught
//! up. The invariants are 3, 4 and 7 of `subscription.rs`.

use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::{Arc, OnceLock};
use std::thread::{self, JoinHandle, ThreadId};
use std::time::Duration;

use parking_lot::{Condvar, Mutex};

use super::event_ref::EventRef;
use super::notify::Waker;
use super::results::{live_batch, Cursor};
use super::Engine;
use crate::cancel::CancelToken;
use crate::error::{Error, ErrorKind, Result};

/// EVT_SUBSCRIBE_NOTIFY_ACTION with its payload: what a push callback receives.
#[derive(Debug)]
pub enum SubscribeAction {
    /// `EvtSubscribeActionDeliver` (1): one event. Unlike Windows' handle, which is valid only
    /// during the callback, the reference may be kept.
    Deliver(EventRef),
    /// `EvtSubscribeActionError` (0): with Strict, ERROR_EVT_QUERY_RESULT_STALE (15011) when
    /// records were lost before delivery (a clear or overwrite).
    Error(Error),
}

/// The push model's callback: runs on the subscription's delivery thread.
pub type Callback = Box<dyn FnMut(SubscribeAction) + Send + 'static>;

/// Events one scan of the delivery thread takes before calling back.
const PUSH_BATCH: usize = 256;

/// How long a caught-up delivery thread spins for the next append before parking.
const SPIN: Duration = Duration::from_micros(20);

/// A push subscription's delivery state.
pub(crate) struct Push {
    pub(super) waker: Arc<Waker>,
    state: Mutex<PushState>,
    /// Signalled when a callback returns. A condition, not a queue: `stop` waits for
    /// `in_callback` to fall, re-checked under the state mutex; nothing is handed over.
    idle: Condvar,
    thread: Mutex<Option<JoinHandle<()>>>,
    thread_id: OnceLock<ThreadId>,
}

#[derive(Default)]
struct PushState {
    /// Set by close (or a panicking callback): no callback starts after it.
    closed: bool,
    in_callback: bool,
}

impl Push {
    pub(super) fn new() -> Push {
        Push {
            waker: Arc::new(Waker::new()),
            state: Mutex::new(PushState::default()),
            idle: Condvar::new(),
            thread: Mutex::new(None),
            thread_id: OnceLock::new(),
        }
    }

    /// Starts the delivery thread: it scans `cursor` on `engine` (skipping the first `skip`
    /// matches) and calls back until `token` (the subscription's node) is cancelled or the
    /// push is stopped. With `strict` a gap is reported once (`records_lost`). If the
    /// thread cannot start the caller closes the subscription.
    pub(super) fn start(
        self: &Arc<Push>,
        engine: Engine,
        token: CancelToken,
        strict: bool,
        (cursor, skip): (Cursor, usize),
        callback: Callback,
    ) -> Result<()> {
        let push = Arc::clone(self);
        let feed = Feed {
            engine,
            token,
            strict,
        };
        let spawned = thread::Builder::new()
            .name("evtlog-subscription".to_owned())
            .spawn(move || run(&push, &feed, cursor, skip, callback));
        match spawned {
            Ok(handle) => {
                *self.thread.lock() = Some(handle);
                Ok(())
            }
            Err(e) => Err(Error::with_message(
                ErrorKind::NotSupported,
                format!("cannot start the subscription's delivery thread: {e}"),
            )),
        }
    }

    /// Close's part (invariant 4): no callback after this; wait for a running one and join,
    /// unless on the delivery thread itself. The caller has cancelled the token.
    pub(super) fn stop(&self) {
        let on_delivery_thread = self.thread_id.get() == Some(&thread::current().id());
        let mut state = self.state.lock();
        state.closed = true;
        if on_delivery_thread {
            return;
        }
        while state.in_callback {
            self.idle.wait(&mut state);
        }
        drop(state);
        let handle = self.thread.lock().take();
        if let Some(handle) = handle {
            // The thread ends promptly: it is cancelled, and checks `closed` before any
            // callback. A panic there is already caught; nothing to report.
            let _ = handle.join();
        }
    }

    /// Runs the callback once, unless closed or cancelled. False if delivery must end.
    fn invoke(
        &self,
        token: &CancelToken,
        callback: &mut Callback,
        action: SubscribeAction,
    ) -> bool {
        {
            let mut state = self.state.lock();
            if state.closed || token.is_cancelled() {
                return false;
            }
            state.in_callback = true;
        }
        let returned = panic::catch_unwind(AssertUnwindSafe(|| callback(action))).is_ok();
        let mut state = self.state.lock();
        state.in_callback = false;
        if !returned {
            // A panicking callback ends delivery.
            state.closed = true;
        }
        drop(state);
        self.idle.notify_all();
        returned
    }
}

/// What the delivery thread scans with: the engine, the subscription's cancel node, and
/// whether a gap is reported (Strict).
struct Feed {
    engine: Engine,
    token: CancelToken,
    strict: bool,
}

/// The delivery thread. It parks on its waker's parker (notify.rs), not on a crossbeam
/// channel: a writer's wake-up is the waker's compare-exchange and the subscription's
/// cancel reaches the same parker through the cancel tree, and that protocol is what the
/// loom models check (notify::loom_tests, cancel::loom_tests). A channel would need a
/// `select!` over appends and cancel, outside the models.
fn run(push: &Push, feed: &Feed, mut cursor: Cursor, mut skip: usize, mut callback: Callback) {
    let _ = push.thread_id.set(thread::current().id());
    // Cancel and close wake the parker (invariant 3); already cancelled: nothing to do.
    let Ok(_registration) = feed.token.register(&push.waker.parker) else {
        return;
    };
    let mut watching = false;
    loop {
        if feed.token.is_cancelled() {
            return;
        }
        // A stopped service ends delivery with an Error action (lifecycle.rs), even when
        // the scan finds nothing new and reaches no checkpoint.
        if let Err(e) = feed.engine.check_service() {
            push.invoke(&feed.token, &mut callback, SubscribeAction::Error(e));
            return;
        }
        let batch = match live_batch(
            &feed.engine,
            feed.token.clone(),
            &mut cursor,
            PUSH_BATCH,
            None,
        ) {
            Ok(batch) => batch,
            Err(e) if e.kind() == ErrorKind::Cancelled => return,
            Err(e) => {
                push.invoke(&feed.token, &mut callback, SubscribeAction::Error(e));
                return;
            }
        };
        let found = !batch.events.is_empty() || batch.gap;
        for event in batch.events {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            if !push.invoke(&feed.token, &mut callback, SubscribeAction::Deliver(event)) {
                return;
            }
        }
        if batch.gap
            && feed.strict
            && !push.invoke(
                &feed.token,
                &mut callback,
                SubscribeAction::Error(records_lost()),
            )
        {
            return;
        }
        if found {
            watching = false;
            continue;
        }
        if !watching {
            // Caught up: announce it, then scan once more (notify.rs, invariant 2).
            push.waker.watch();
            watching = true;
            continue;
        }
        // Nothing on that scan either: spin a little, then park.
        if !push.waker.spin(SPIN) {
            push.waker.park();
        }
        watching = false;
    }
}

/// The stale error of a gap (invariant 7).
pub(super) fn records_lost() -> Error {
    Error::with_message(
        ErrorKind::QueryResultStale,
        "records were cleared or overwritten before the subscription delivered them",
    )
}

impl fmt::Debug for Push {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.lock();
        f.debug_struct("Push")
            .field("closed", &state.closed)
            .field("in_callback", &state.in_callback)
            .finish()
    }
}
