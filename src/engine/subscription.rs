//! Subscriptions (EvtSubscribe): [`Session::subscribe`],
//! [`Subscription`], the push model's [`SubscribeAction`] callback (`delivery.rs`) and the
//! pull model's [`SignalEvent`] and [`Subscription::next`].
//!
//! A subscription is a live, forward cursor per channel (the result sets' machinery:
//! `results::live_batch` over `SourceCursor::subscription`s, merged by TimeCreated) that starts
//! where the flags say and is told of appends by the channels' notifiers (`notify.rs`).
//!
//! Invariants (concurrency):
//! 1. **Exactly once, in order.** Each channel's cursor is a record id; record ids are
//!    assigned by the store one by one under its lock, so reading by id delivers every record
//!    appended after the start exactly once and in id order per channel, whatever the number
//!    of writers. Across channels events are merged by TimeCreated as they are found (each
//!    channel keeping its order).
//! 2. **Writers never wait.** An append publishes the record, releases the store's lock and
//!    then notifies (an atomic load per watcher; an unpark or a `SignalEvent::set` when
//!    asked). No filter and no user code runs on a writer's thread or under a store lock.
//! 3. **Push.** One delivery thread per subscription runs the callback, so deliveries are
//!    serialised. It registers its parker with the subscription's cancel node (a Scope
//!    under the session), so `cancel` and `close` wake it, and a session cancel (which only
//!    cancels calls) does not stop it. Caught up, it announces it to writers, scans once
//!    more, spins ~20 µs and parks only by a compare-exchange a writer's append defeats
//!    (`notify.rs`, invariant 2, loom-checked): no lost wake-up.
//! 4. **Close.** `close` sets the push state's `closed` under its mutex, which the delivery
//!    thread checks under the same mutex before every callback; then, unless it runs on the
//!    delivery thread (a callback closing its own subscription), it waits until no callback
//!    is running and joins the thread. So when `close` returns from another thread, no
//!    callback is running or will run, and the callback has been dropped. Dropping the last
//!    clone of a `Subscription` closes it. A panicking callback ends delivery (caught; no
//!    lock is poisoned).
//! 5. **Pull.** `next` works on a copy of the cursor under the subscription's state mutex
//!    and commits it only on success (a cancelled `next` moves nothing). `wait` is a Call
//!    node under the subscription, its parker registered both with that node and with the
//!    signal, so a session cancel, a handle cancel or a close wakes it (`Cancelled`).
//! 6. **Cancel.** `cancel` is sticky: the delivery thread stops; `next` and `wait` fail with
//!    `Cancelled` (1223) until `close`, after which they fail with `InvalidHandle` (6).
//! 7. **Lost records.** A clear or overwrite that removes records a subscription had not
//!    delivered yet is a gap: push with Strict gets one `Error` action with
//!    ERROR_EVT_QUERY_RESULT_STALE (15011) at that point, then delivery goes on from the oldest
//!    record left; push without Strict skips silently; pull returns the events before the
//!    gap and then fails every `next` with 15011 (sticky, as a stale result set). A clear or
//!    overwrite that removes only delivered records changes nothing.
//! 8. Lock order: session's subscription list → channel notifier list (subscribe, close);
//!    pull state → store (a `next` taking snapshots); push state is a leaf, never held
//!    while calling back, scanning or joining. Cancel-tree locks as `cancel/mod.rs`.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::Mutex;

use super::delivery::{records_lost, Callback, Push, SubscribeAction};
use super::faults::CallKind;
use super::flags::{SubscribeFlags, SubscribeOrigin};
use super::names;
use super::notify::Watch;
use super::quirks::cut_batch;
use super::results::{live_batch, Cursor, Next, SourceCursor, MAX_NEXT_COUNT};
use super::session::SessionHandle;
use super::signal::SignalEvent;
use super::{Channel, Engine, EventRef, Session};
use crate::cancel::{CancelToken, NodeKind};
use crate::error::{codes, Error, ErrorKind, Result};
use crate::query::Query;

/// How a subscription hands over events: the push model's callback or the pull model's
/// signal. Windows' SignalEvent and Callback are mutually exclusive; so are these.
pub enum Delivery {
    /// Push: `callback` runs on the subscription's delivery thread, one action at a time.
    Push(Callback),
    /// Pull: the signal is set whenever a subscribed channel gets a record; drain with
    /// [`Subscription::next`].
    Pull(SignalEvent),
}

impl Delivery {
    /// The push model with `callback`.
    pub fn push(callback: impl FnMut(SubscribeAction) + Send + 'static) -> Delivery {
        Delivery::Push(Box::new(callback))
    }

    /// The pull model with `signal` (create it with `SignalEvent::new(true)`, as the MS
    /// sample does, or `false`).
    pub fn pull(signal: SignalEvent) -> Delivery {
        Delivery::Pull(signal)
    }
}

impl fmt::Debug for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Delivery::Push(_) => f.write_str("Delivery::Push(..)"),
            Delivery::Pull(signal) => f.debug_tuple("Delivery::Pull").field(signal).finish(),
        }
    }
}

/// Where an `EvtSubscribeStartAfterBookmark` subscription starts: per channel, the record id
/// of the last event already seen, as a bookmark holds it (its XML: one `<Bookmark Channel
/// RecordId>` per channel).
///
/// A [`Bookmark`](super::Bookmark) converts into it (`SubscribePosition::from(&bookmark)`:
/// one entry per `<Bookmark>`), which is how EvtSubscribe's Bookmark argument reaches
/// `Session::subscribe`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SubscribePosition {
    entries: Vec<(String, u64)>,
}

impl SubscribePosition {
    /// After record `record_id` of `channel`.
    pub fn new(channel: impl Into<String>, record_id: u64) -> SubscribePosition {
        SubscribePosition::empty().with(channel, record_id)
    }

    /// An empty bookmark (one never updated). Subscribing after it begins with the *second*
    /// matching event (EvtSubscribe's documented quirk), or with Strict fails with ERROR_NOT_FOUND (1168).
    pub fn empty() -> SubscribePosition {
        SubscribePosition::default()
    }

    /// Adds (or replaces) the position in `channel` (channel names ignore case).
    pub fn with(mut self, channel: impl Into<String>, record_id: u64) -> SubscribePosition {
        let channel = channel.into();
        self.entries
            .retain(|(c, _)| names::compare(c, &channel) != std::cmp::Ordering::Equal);
        self.entries.push((channel, record_id));
        self
    }

    /// The record id for `channel` (any letter case), if the position has one.
    pub fn record_id(&self, channel: &str) -> Option<u64> {
        self.entries
            .iter()
            .find(|(c, _)| names::compare(c, channel) == std::cmp::Ordering::Equal)
            .map(|(_, id)| *id)
    }

    /// The `(channel, record id)` entries, in the order added.
    pub fn entries(&self) -> &[(String, u64)] {
        &self.entries
    }

    /// True for an empty bookmark.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl From<&super::Bookmark> for SubscribePosition {
    /// One entry per channel the bookmark names, with its record id.
    fn from(bookmark: &super::Bookmark) -> SubscribePosition {
        bookmark
            .entries()
            .fold(SubscribePosition::empty(), |p, (channel, id)| {
                p.with(channel, id)
            })
    }
}

/// A subscription: EvtSubscribe's handle. Clones are the same subscription; dropping the
/// last one closes it. `cancel` and `close` work from any thread, including from inside the
/// push callback.
#[derive(Clone)]
pub struct Subscription {
    handle: Arc<Handle>,
}

/// Closes the subscription when the last `Subscription` clone drops (the delivery thread
/// holds the shared state, not a handle).
struct Handle {
    shared: Arc<SubscriptionShared>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.shared.close();
    }
}

pub(crate) struct SubscriptionShared {
    engine: Engine,
    /// A Scope under the session: the handle's cancel node.
    token: CancelToken,
    closed: AtomicBool,
    statuses: Vec<(String, u32)>,
    /// The channels watched, with the watcher ids to remove at close.
    watches: Mutex<Vec<(Arc<Channel>, u64)>>,
    mode: Mode,
}

enum Mode {
    /// Shared with the delivery thread.
    Push(Arc<Push>),
    Pull(Pull),
}

struct Pull {
    signal: SignalEvent,
    state: Mutex<PullState>,
    /// Set once a gap was found (invariant 7): every later `next` fails with 15011.
    stale: AtomicBool,
}

struct PullState {
    cursor: Cursor,
    /// Matches still to skip (1 after an empty bookmark).
    skip: usize,
    /// Events read but left unread by a short batch (the `evtnext-short-batch` quirk):
    /// the next call returns them first.
    held: Vec<EventRef>,
}

impl SubscriptionShared {
    /// EvtClose: idempotent; see invariant 4.
    fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.token.cancel();
        let watches = std::mem::take(&mut *self.watches.lock());
        for (channel, id) in watches {
            channel.notifier().remove(id);
        }
        if let Mode::Push(push) = &self.mode {
            push.stop();
        }
    }

    fn check_open(&self) -> Result<()> {
        if self.closed.load(Ordering::Acquire) {
            return Err(Error::with_message(
                ErrorKind::InvalidHandle,
                "the subscription is closed",
            ));
        }
        Ok(())
    }

    fn pull(&self) -> Result<&Pull> {
        self.check_open()?;
        match &self.mode {
            Mode::Pull(pull) => Ok(pull),
            Mode::Push(_) => Err(Error::with_message(
                ErrorKind::InvalidOperation,
                "a push subscription delivers through its callback, not next or wait",
            )),
        }
    }
}

impl SessionHandle for SubscriptionShared {
    fn close(&self) {
        SubscriptionShared::close(self);
    }
}

impl Session {
    /// EvtSubscribe: a subscription to `path` (a channel; ignored where a structured
    /// `<QueryList>` names its own) with `query` (`None` or `"*"` for every event), starting
    /// where `flags` say, delivering by `delivery` (push callback or pull signal).
    ///
    /// `bookmark` is required with [`SubscribeFlags::START_AFTER_BOOKMARK`] and must be `None`
    /// otherwise. The subscription starts after the bookmarked record of each channel; a
    /// channel the bookmark does not name starts at its oldest record. If the bookmarked
    /// record is gone, with [`SubscribeFlags::STRICT`] the call fails with ERROR_NOT_FOUND
    /// (1168); without it the subscription begins after the record closest to it (the
    /// newest if the id is beyond it, the oldest if the id is older than every record, the
    /// next appended one if the channel is empty).
    ///
    /// Errors: `InvalidHandle` on a closed session; `InvalidParameter` (87) for bad flags or
    /// a bookmark given or missing against the origin; the query errors (15001, 15008,
    /// 15026); `ChannelNotFound` (15007); `SubscriptionToDirectChannel` (15009) for an
    /// Analytic or Debug channel; `NotFound` (1168) as above; `Cancelled` if the session is
    /// cancelled meanwhile. With TolerateQueryErrors an invalid XPath keeps its valid
    /// prefix, and channels that are missing or direct are skipped and reported by
    /// [`Subscription::statuses`], unless none is left. The callback gets nothing if setup
    /// fails.
    pub fn subscribe(
        &self,
        path: Option<&str>,
        query: Option<&str>,
        bookmark: Option<&SubscribePosition>,
        flags: SubscribeFlags,
        delivery: Delivery,
    ) -> Result<Subscription> {
        let _fault = self.engine.enter_fault("EvtSubscribe")?;
        let session = &*self.inner;
        self.check_open()?;
        let flags = SubscribeFlags::from_bits(flags.bits())?;
        let origin = flags.origin().unwrap_or(SubscribeOrigin::FutureEvents);
        let after_bookmark = origin == SubscribeOrigin::AfterBookmark;
        if after_bookmark != bookmark.is_some() {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                "a bookmark is required with EvtSubscribeStartAfterBookmark and only then",
            ));
        }
        let call = session.token.child(NodeKind::Call);
        self.engine.checkpoint(CallKind::Subscribe, 0, &call)?;
        call.check()?;
        let tolerate = flags.tolerates_query_errors();
        let parsed = if tolerate {
            Query::parse_tolerant(path, query)?.0
        } else {
            Query::parse(path, query)?
        };
        for source in parsed.sources() {
            self.engine.fault_plan().check_access(source.path())?;
        }
        let strict = flags.is_strict();
        let mut sources = Vec::new();
        let mut channels = Vec::new();
        let mut statuses = Vec::new();
        let mut first_error = None;
        for source in parsed.sources() {
            let channel = self.engine.channel(source.path()).and_then(|channel| {
                if channel.channel_type().is_direct() {
                    Err(Error::with_message(
                        ErrorKind::SubscriptionToDirectChannel,
                        format!("{} is an Analytic or Debug channel", channel.name()),
                    ))
                } else {
                    Ok(channel)
                }
            });
            match channel {
                Ok(channel) => {
                    let start = start_id(&channel, origin, bookmark, strict)?;
                    statuses.push((source.path().to_owned(), codes::ERROR_SUCCESS));
                    sources.push(SourceCursor::subscription(
                        Arc::from(channel.name()),
                        Arc::clone(&channel),
                        Arc::new(source.clone()),
                        start,
                        (&self.engine, parsed.sources().len() > 1),
                    ));
                    channels.push((channel, start));
                }
                Err(e) if tolerate => {
                    statuses.push((source.path().to_owned(), e.win32_code()));
                    first_error.get_or_insert(e);
                }
                Err(e) => return Err(e),
            }
        }
        if sources.is_empty() {
            return Err(first_error.unwrap_or_else(|| Error::new(ErrorKind::ChannelNotFound)));
        }
        // EvtSubscribe's documentation: after an empty bookmark "the subscription will begin with the second event
        // that matches the query criteria".
        let skip = usize::from(bookmark.is_some_and(SubscribePosition::is_empty));
        call.check()?;

        let cursor = Cursor::new(sources);
        let (mode, callback) = match delivery {
            Delivery::Push(callback) => (Mode::Push(Arc::new(Push::new())), Some(callback)),
            Delivery::Pull(signal) => (
                Mode::Pull(Pull {
                    signal,
                    state: Mutex::new(PullState {
                        cursor: cursor.clone(),
                        skip,
                        held: Vec::new(),
                    }),
                    stale: AtomicBool::new(false),
                }),
                None,
            ),
        };
        let shared = Arc::new(SubscriptionShared {
            engine: self.engine.clone(),
            token: session.token.child(NodeKind::Scope),
            closed: AtomicBool::new(false),
            statuses,
            watches: Mutex::new(Vec::new()),
            mode,
        });
        let subscription = Subscription {
            handle: Arc::new(Handle {
                shared: Arc::clone(&shared),
            }),
        };
        // Watch first, then look (notify.rs, invariant 3).
        let watch = match &shared.mode {
            Mode::Push(push) => Watch::Push(Arc::clone(&push.waker)),
            Mode::Pull(pull) => Watch::Pull(pull.signal.clone()),
        };
        {
            let mut watches = shared.watches.lock();
            for (channel, _) in &channels {
                let id = channel.notifier().add(watch.clone());
                watches.push((Arc::clone(channel), id));
            }
        }
        match (&shared.mode, callback) {
            (Mode::Push(push), Some(callback)) => {
                let started = push.start(
                    shared.engine.clone(),
                    shared.token.clone(),
                    strict,
                    (cursor, skip),
                    callback,
                );
                if let Err(e) = started {
                    shared.close();
                    return Err(e);
                }
            }
            (Mode::Pull(pull), _) => {
                // Events already there to read (StartAtOldestRecord, a bookmark): signalled.
                if channels
                    .iter()
                    .any(|(c, start)| c.next_record_id() > *start)
                {
                    pull.signal.set();
                }
            }
            (Mode::Push(_), None) => {}
        }

        let mut registered = session.subscriptions.lock();
        registered.retain(|s| s.strong_count() > 0);
        let weak: Weak<dyn SessionHandle> = Arc::<SubscriptionShared>::downgrade(&shared);
        registered.push(weak);
        drop(registered);
        // A session close that raced the registration must still close this subscription.
        if session.closed.load(Ordering::Acquire) {
            subscription.close();
            return Err(Error::with_message(
                ErrorKind::InvalidHandle,
                "the session is closed",
            ));
        }
        Ok(subscription)
    }
}

/// The first record id `channel`'s cursor examines.
fn start_id(
    channel: &Channel,
    origin: SubscribeOrigin,
    bookmark: Option<&SubscribePosition>,
    strict: bool,
) -> Result<u64> {
    let snapshot = channel.view();
    let end = snapshot.end_record_id();
    let oldest = snapshot.first_record_id().unwrap_or(end);
    let not_found = |what: String| Error::with_message(ErrorKind::NotFound, what);
    match origin {
        SubscribeOrigin::FutureEvents => Ok(end),
        SubscribeOrigin::OldestRecord => Ok(oldest),
        SubscribeOrigin::AfterBookmark => {
            let Some(record_id) = bookmark.and_then(|b| b.record_id(channel.name())) else {
                if strict {
                    return Err(not_found(format!(
                        "the bookmark has no position in {}",
                        channel.name()
                    )));
                }
                return Ok(oldest);
            };
            if snapshot.contains(record_id) {
                return Ok(record_id + 1);
            }
            if strict {
                return Err(not_found(format!(
                    "the bookmarked record {record_id} of {} is gone",
                    channel.name()
                )));
            }
            // "The subscription begins with the event that is after the event that is
            // closest to the bookmarked event" (EvtSubscribe's documentation). Ids are contiguous from the oldest to
            // the newest, so a missing id is older than all or newer than all.
            Ok(match snapshot.first_record_id() {
                Some(first) if record_id < first => first + 1,
                _ => end,
            })
        }
    }
}

impl Subscription {
    /// Pull model (EvtNext on the subscription): up to `count` events (1 to
    /// [`MAX_NEXT_COUNT`]) from the cursor. As on a query, `Next::End` comes at once when
    /// nothing is left (ERROR_NO_MORE_ITEMS, or the observed ERROR_INVALID_OPERATION, at the
    /// facade): `timeout` bounds the time spent looking, it does not wait for future events.
    ///
    /// Errors: `InvalidParameter` for a bad count; `InvalidOperation` (4317) on a push
    /// subscription; `InvalidHandle` after close; `Cancelled` if the subscription (sticky)
    /// or its session is cancelled meanwhile; `QueryResultStale` (15011) once records were
    /// lost before delivery (invariant 7).
    pub fn next(&self, count: usize, timeout: Option<Duration>) -> Result<Next> {
        let _fault = self.handle.shared.engine.enter_fault("EvtNext")?;
        if count == 0 || count > MAX_NEXT_COUNT {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                format!("count must be 1 to {MAX_NEXT_COUNT}, not {count}"),
            ));
        }
        let shared = &*self.handle.shared;
        let pull = shared.pull()?;
        // A stopped service fails the call even where the scan reaches no batch (lifecycle.rs).
        shared.engine.check_service()?;
        let mut state = pull.state.lock();
        shared.check_open()?;
        // A cancel is sticky until close, after a gap too (invariant 6): checked first.
        shared.token.check()?;
        if pull.stale.load(Ordering::Acquire) {
            return Err(records_lost());
        }
        let call = shared.token.child(NodeKind::Call);
        let mut cursor = state.cursor.clone();
        // Events a short batch left unread come first (the evtnext-short-batch quirk).
        let mut events = std::mem::take(&mut state.held);
        let (mut gap, mut timed_out) = (false, false);
        if events.len() < count {
            let batch = live_batch(
                &shared.engine,
                call,
                &mut cursor,
                count - events.len() + state.skip,
                timeout,
            );
            let batch = match batch {
                Ok(batch) => batch,
                Err(e) => {
                    state.held = events;
                    return Err(e);
                }
            };
            let mut fresh = batch.events;
            let skipped = state.skip.min(fresh.len());
            fresh.drain(..skipped);
            state.skip -= skipped;
            state.cursor = cursor;
            events.append(&mut fresh);
            (gap, timed_out) = (batch.gap, batch.timed_out);
        }
        // The batch caps (quirks.rs): a short batch keeps the rest for the next call; a
        // failed one has consumed its events, as Windows does.
        state.held = cut_batch(shared.engine.quirks(), &mut events, |e| {
            e.event().approx_record_size()
        })?;
        if gap {
            pull.stale.store(true, Ordering::Release);
            if events.is_empty() {
                return Err(records_lost());
            }
        }
        Ok(match (events.is_empty(), timed_out) {
            (false, _) => Next::Events(events),
            (true, true) => Next::TimedOut,
            (true, false) => Next::End,
        })
    }

    /// Pull model: waits until the signal is set (true) or `timeout` passes (false; wall
    /// clock, `None` is infinite). The signal stays set until the consumer resets it; reset
    /// it *before* draining with `next` (invariant 1 of `signal.rs`).
    ///
    /// Errors: `InvalidOperation` on a push subscription; `InvalidHandle` after close;
    /// `Cancelled` if the subscription is cancelled or closed, or its session cancelled,
    /// while waiting (the wait is a call of the session).
    pub fn wait(&self, timeout: Option<Duration>) -> Result<bool> {
        let shared = &*self.handle.shared;
        let pull = shared.pull()?;
        let call = shared.token.child(NodeKind::Call);
        pull.signal.wait_cancellable(&call, timeout)
    }

    /// The pull model's signal; `None` for a push subscription.
    pub fn signal(&self) -> Option<&SignalEvent> {
        match &self.handle.shared.mode {
            Mode::Pull(pull) => Some(&pull.signal),
            Mode::Push(_) => None,
        }
    }

    /// True for a push (callback) subscription.
    pub fn is_push(&self) -> bool {
        matches!(self.handle.shared.mode, Mode::Push(_))
    }

    /// EvtCancel on the subscription: sticky. Delivery stops (no more callbacks); a `next`
    /// or `wait` in flight and every later one return `Cancelled` until close. Idempotent.
    pub fn cancel(&self) {
        self.handle.shared.token.cancel();
    }

    /// EvtClose: stops delivery; later calls fail with `InvalidHandle`. From any thread but
    /// the delivery thread, returns only after a running callback has returned (and the
    /// callback is dropped); from inside the callback, returns at once (no deadlock) and no
    /// further callback runs. Events already delivered stay readable. Idempotent.
    pub fn close(&self) {
        self.handle.shared.close();
    }

    /// True once closed (directly or with its session).
    pub fn is_closed(&self) -> bool {
        self.handle.shared.closed.load(Ordering::Acquire)
    }

    /// The engine (the computer's service) the subscription watches.
    pub fn engine(&self) -> &Engine {
        &self.handle.shared.engine
    }

    /// For each path the query named: the Win32 status of opening it (0; with
    /// TolerateQueryErrors, 15007 or 15009 for a channel skipped).
    pub fn statuses(&self) -> &[(String, u32)] {
        &self.handle.shared.statuses
    }
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("push", &self.is_push())
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}
