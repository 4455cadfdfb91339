//! The soak's workers that use the Rust API: writers, a push and a pull subscriber,
//! queriers (forward, reverse, filtered, seeks, several channels), a clearer and an
//! exporter. Each checks what it gets as it goes and records failures in `Shared`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use evtlog::{
    Delivery, ErrorKind, Event, EventRef, ExportFlags, Next, QueryFlags, ResultSet, SeekFlags,
    Session, SignalEvent, SubscribeAction, SubscribeFlags, SubscribePosition, Subscription,
};
use parking_lot::Mutex;

use crate::ledger::{tag_of, RunCheck, SubscriberBook, Tag};
use crate::soak::{
    add, all_channels_query, bump, channel_index, is, read_evtx, Cancelable, HandleSlot, Rng,
    SessionTarget, Shared, Tally, CHANNELS,
};
use crate::watch::Slot;

/// An event of writer `writer` with its `seq` on the channel, and a payload of random size.
pub fn soak_event(writer: usize, seq: u64, rng: &mut Rng) -> Event {
    Event::builder("Soak-Writer")
        .event_id(1000 + writer as u16)
        .level(4)
        .data("Writer", writer as u32)
        .data("Seq", seq)
        .data("Payload", "p".repeat(rng.below(160) as usize))
        .build()
}

/// Paces a writer at `rate` events per second (0: no pacing).
pub struct Pace {
    start: Instant,
    period: Option<Duration>,
    n: u32,
}

impl Pace {
    pub fn new(rate: u64) -> Pace {
        Pace {
            start: Instant::now(),
            period: (rate > 0).then(|| Duration::from_secs_f64(1.0 / rate as f64)),
            n: 0,
        }
    }

    pub fn wait(&mut self) {
        self.n += 1;
        if let Some(period) = self.period {
            let due = self.start + period * self.n;
            let now = Instant::now();
            if due > now {
                std::thread::sleep(due - now);
            }
        }
    }
}

/// Checks an acknowledged write and records it.
pub fn acknowledge(shared: &Shared, writer: usize, c: usize, seq: u64, id: u64, last: &mut [u64]) {
    if id <= last[c] {
        shared.fail(format!(
            "writer {writer}: {} gave record id {id} after {}",
            CHANNELS[c], last[c]
        ));
    }
    last[c] = id;
    shared.acked[writer][c].store(seq, Ordering::SeqCst);
}

/// A writer through `Engine::write`.
pub fn writer(shared: &Shared, slot: &Slot, rng: &mut Rng, w: usize) -> Tally {
    let mut tally = Tally::new();
    let mut last = vec![0u64; CHANNELS.len()];
    let mut pace = Pace::new(shared.cfg.write_rate);
    while !shared.stopped() {
        let c = rng.below(CHANNELS.len() as u64) as usize;
        let seq = shared.acked[w][c].load(Ordering::SeqCst) + 1;
        let event = soak_event(w, seq, rng);
        let written = {
            let _op = slot.begin("Engine::write");
            shared.engine.write(CHANNELS[c], event)
        };
        match written {
            Ok(id) => {
                acknowledge(shared, w, c, seq, id, &mut last);
                bump(&mut tally, "writes (rust)");
            }
            Err(e) if is(&e, ErrorKind::LogFileFull) => {
                bump(&mut tally, "writes refused: channel full");
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(e) => shared.fail(format!("writer {w}: {e}")),
        }
        pace.wait();
    }
    tally
}

/// How a worker reads a failed call.
pub enum Seen {
    /// 15011: the channel was cleared under it.
    Stale,
    /// 1223 from a cancel of its own handle (sticky).
    HandleCancelled,
    /// 1223 from a cancel of its session (the handle goes on working).
    SessionCancelled,
    /// Anything else (already recorded as a failure).
    Failed,
}

/// Classifies an error of a call begun at `mark` on a handle whose cancel flag is `flag`
/// (invariant 1 of soak.rs); an unexplained `Cancelled` or any other error is a failure.
pub fn classify(
    shared: &Shared,
    e: &evtlog::Error,
    handle: Option<(&HandleSlot, &AtomicBool)>,
    target: &SessionTarget,
    mark: u64,
    what: &str,
) -> Seen {
    match e.kind() {
        ErrorKind::QueryResultStale => Seen::Stale,
        ErrorKind::Cancelled => {
            if let Some((slot, flag)) = handle {
                if flag.load(Ordering::SeqCst) {
                    slot.settle();
                    return Seen::HandleCancelled;
                }
            }
            if target.explains(mark) {
                Seen::SessionCancelled
            } else {
                shared.fail(format!(
                    "{what}: Cancelled (1223) with no cancel of its handle or of {}",
                    target.name
                ));
                Seen::Failed
            }
        }
        _ => {
            shared.fail(format!("{what}: {e} ({})", e.win32_code()));
            Seen::Failed
        }
    }
}

/// The tag of a delivered or queried event, or a failure.
fn tag(shared: &Shared, event: &EventRef, what: &str) -> Option<Tag> {
    let tag = tag_of(event.event());
    if tag.is_none() {
        shared.fail(format!(
            "{what}: record {} has no soak tag",
            event.record_id()
        ));
    }
    tag
}

/// The soak channel an event came from.
fn channel_of(shared: &Shared, event: &EventRef, what: &str) -> Option<usize> {
    let c = channel_index(event.path());
    if c.is_none() {
        shared.fail(format!("{what}: an event of {:?}", event.path()));
    }
    c
}

/// Delivers one event to a subscriber's books.
fn deliver(shared: &Shared, book: &Mutex<SubscriberBook>, event: &EventRef, what: &str) {
    let (Some(c), Some(tag)) = (channel_of(shared, event, what), tag(shared, event, what)) else {
        return;
    };
    if let Err(e) = book
        .lock()
        .deliver(c, &shared.channels[c], event.record_id(), tag)
    {
        shared.fail(e);
    }
}

/// The push subscriber over every channel, from the oldest record, Strict. Returns what
/// closes it at the end.
pub fn push_subscriber(shared: &Arc<Shared>) -> Box<dyn FnOnce() -> Tally> {
    let name = "push (rust)";
    let book = shared.subscriber_book(name, None);
    let session = shared.engine.open_session();
    let cancel = session.clone();
    // A session cancel does not stop push delivery: the books will show it.
    shared.session_target(format!("{name} session"), Box::new(move || cancel.cancel()));
    let slot = lagging_slot(shared, name, &book);
    let (sh, b, s) = (shared.clone(), book.clone(), slot.clone());
    let callback = move |action: SubscribeAction| {
        s.beat();
        match action {
            SubscribeAction::Deliver(event) => deliver(&sh, &b, &event, name),
            SubscribeAction::Error(e) if is(&e, ErrorKind::QueryResultStale) => {
                b.lock().gap_reported(0..CHANNELS.len())
            }
            SubscribeAction::Error(e) => sh.fail(format!("{name}: error action {e}")),
        }
    };
    let subscription = session.subscribe(
        None,
        Some(&all_channels_query()),
        None,
        SubscribeFlags::START_AT_OLDEST_RECORD | SubscribeFlags::STRICT,
        Delivery::push(callback),
    );
    let subscription = match subscription {
        Ok(s) => Some(s),
        Err(e) => {
            shared.fail(format!("{name}: subscribe: {e}"));
            None
        }
    };
    Box::new(move || {
        if let Some(s) = subscription {
            s.close();
        }
        slot.finish();
        let _ = session.close();
        Tally::new()
    })
}

/// A slot for a push subscriber: idle is fine unless it is behind.
pub fn lagging_slot(
    shared: &Arc<Shared>,
    name: &str,
    book: &Arc<Mutex<SubscriberBook>>,
) -> Arc<Slot> {
    let (sh, b) = (shared.clone(), book.clone());
    shared.board.slot_with(
        name,
        Some(Box::new(move || {
            let book = b.lock();
            (0..CHANNELS.len()).any(|c| book.watches(c) && book.is_behind(c, &sh.channels[c]))
        })),
    )
}

/// The channel the pull subscribers read (the Rust one; the facade's reads the next).
const PULL_CHANNEL: usize = 0;

/// A pull subscriber on one channel: wait on the signal, reset it, drain with `next`; on a
/// lost-records error or a cancel of its subscription, resubscribe after its bookmark
/// (Strict; if the record is gone, 1168, from the oldest record).
pub fn pull_subscriber(shared: &Shared, slot: &Slot, rng: &mut Rng) -> Tally {
    let name = "pull (rust)";
    let c = PULL_CHANNEL;
    let mut tally = Tally::new();
    let book = shared.subscriber_book(name, Some(c));
    let mut session = shared.engine.open_session();
    let s = session.clone();
    let target = shared.session_target(format!("{name} session"), Box::new(move || s.cancel()));
    let handles = shared.handle_slot();
    let signal = SignalEvent::new(false);
    let mut pull = Pull {
        shared,
        slot,
        target: &target,
        handles: &handles,
        book: &book,
        signal: &signal,
        c,
        tally: &mut tally,
    };
    let (mut sub, mut flag) = pull.subscribe(&session);
    let mut rounds = 0u64;
    while !shared.stop_subscribers.load(Ordering::SeqCst) {
        rounds += 1;
        if rounds.is_multiple_of(500) {
            // Close the whole session: its subscription closes with it.
            handles.withdraw();
            let _ = session.close();
            if !matches!(sub.next(1, None), Err(e) if is(&e, ErrorKind::InvalidHandle)) {
                shared.fail(format!(
                    "{name}: a subscription of a closed session still works"
                ));
            }
            session = shared.engine.open_session();
            let s = session.clone();
            target.retarget(Box::new(move || s.cancel()));
            bump(pull.tally, "sessions closed and reopened");
            (sub, flag) = pull.subscribe(&session);
            continue;
        }
        let mark = target.mark();
        let waited = {
            let _op = slot.begin("Subscription::wait");
            sub.wait(Some(Duration::from_millis(50)))
        };
        match waited {
            Ok(false) => continue,
            Ok(true) => signal.reset(),
            Err(e) => {
                match classify(shared, &e, Some((&handles, &flag)), &target, mark, name) {
                    Seen::SessionCancelled => bump(pull.tally, "cancels seen: session (pull wait)"),
                    Seen::HandleCancelled => {
                        pull.after_handle_cancel(&sub);
                        (sub, flag) = pull.subscribe(&session);
                    }
                    Seen::Stale | Seen::Failed => (sub, flag) = pull.resubscribe(&session, &sub),
                }
                continue;
            }
        }
        // Drain.
        loop {
            let mark = target.mark();
            let count = 1 + rng.below(200) as usize;
            let got = {
                let _op = slot.begin("Subscription::next");
                sub.next(count, None)
            };
            match got {
                Ok(Next::Events(batch)) => {
                    add(pull.tally, "events pulled (rust)", batch.len() as u64);
                    for event in &batch {
                        deliver(shared, &book, event, name);
                    }
                }
                Ok(Next::End) => break,
                Ok(Next::TimedOut) => {
                    shared.fail(format!("{name}: next without a timeout timed out"));
                    break;
                }
                Err(e) => {
                    match classify(shared, &e, Some((&handles, &flag)), &target, mark, name) {
                        Seen::SessionCancelled => {
                            bump(pull.tally, "cancels seen: session (pull next)");
                            continue;
                        }
                        Seen::HandleCancelled => {
                            pull.after_handle_cancel(&sub);
                            (sub, flag) = pull.subscribe(&session);
                        }
                        Seen::Stale => {
                            bump(pull.tally, "lost-record errors (pull, rust)");
                            book.lock().gap_reported([c]);
                            (sub, flag) = pull.resubscribe(&session, &sub);
                        }
                        Seen::Failed => (sub, flag) = pull.resubscribe(&session, &sub),
                    }
                    break;
                }
            }
        }
    }
    handles.withdraw();
    sub.close();
    let _ = session.close();
    tally
}

/// The pull subscriber's state for its helpers.
struct Pull<'a> {
    shared: &'a Shared,
    slot: &'a Slot,
    target: &'a SessionTarget,
    handles: &'a HandleSlot,
    book: &'a Mutex<SubscriberBook>,
    signal: &'a SignalEvent,
    c: usize,
    tally: &'a mut Tally,
}

impl Pull<'_> {
    /// A cancelled subscription: sticky until closed, then InvalidHandle.
    fn after_handle_cancel(&mut self, sub: &Subscription) {
        bump(self.tally, "cancels seen: subscription (rust)");
        if !matches!(sub.next(1, None), Err(e) if is(&e, ErrorKind::Cancelled)) {
            self.shared
                .fail("pull (rust): a cancelled subscription's next is not Cancelled");
        }
        if !matches!(sub.wait(Some(Duration::ZERO)), Err(e) if is(&e, ErrorKind::Cancelled)) {
            self.shared
                .fail("pull (rust): a cancelled subscription's wait is not Cancelled");
        }
        self.handles.withdraw();
        sub.close();
        if !matches!(sub.next(1, None), Err(e) if is(&e, ErrorKind::InvalidHandle)) {
            self.shared
                .fail("pull (rust): a closed subscription's next is not InvalidHandle");
        }
    }

    fn resubscribe(
        &mut self,
        session: &Session,
        old: &Subscription,
    ) -> (Subscription, Arc<AtomicBool>) {
        self.handles.withdraw();
        old.close();
        self.subscribe(session)
    }

    /// Subscribes after the last record delivered (Strict), or from the oldest record.
    fn subscribe(&mut self, session: &Session) -> (Subscription, Arc<AtomicBool>) {
        let name = CHANNELS[self.c];
        let mut from_oldest = false;
        loop {
            let last = self.book.lock().last_id(self.c);
            from_oldest |= last == 0;
            let mark = self.target.mark();
            let made = {
                let _op = self.slot.begin("Session::subscribe");
                if from_oldest {
                    session.subscribe(
                        Some(name),
                        None,
                        None,
                        SubscribeFlags::START_AT_OLDEST_RECORD,
                        Delivery::pull(self.signal.clone()),
                    )
                } else {
                    let position = SubscribePosition::new(name, last);
                    session.subscribe(
                        Some(name),
                        None,
                        Some(&position),
                        SubscribeFlags::START_AFTER_BOOKMARK | SubscribeFlags::STRICT,
                        Delivery::pull(self.signal.clone()),
                    )
                }
            };
            match made {
                Ok(sub) => {
                    if from_oldest {
                        // From the oldest record: what was cleared before is gone for it.
                        self.book.lock().allow_gap(self.c);
                    }
                    bump(self.tally, "subscribes (pull, rust)");
                    let flag = self.handles.offer(Cancelable::Subscription(sub.clone()));
                    return (sub, flag);
                }
                Err(e) if is(&e, ErrorKind::NotFound) && !from_oldest => {
                    // The bookmarked record was cleared: go on from the oldest left.
                    bump(self.tally, "resubscribes after a cleared bookmark (1168)");
                    self.book.lock().gap_reported([self.c]);
                    from_oldest = true;
                }
                Err(e) => {
                    match classify(self.shared, &e, None, self.target, mark, "pull subscribe") {
                        Seen::SessionCancelled => {
                            bump(self.tally, "cancels seen: session (subscribe)")
                        }
                        _ => std::thread::sleep(Duration::from_millis(10)),
                    }
                }
            }
        }
    }
}

/// A querier's context: its session (replaced now and then), its target and handle slot.
struct Querier<'a> {
    shared: &'a Shared,
    slot: &'a Slot,
    target: Arc<SessionTarget>,
    handles: Arc<HandleSlot>,
    session: Session,
    tally: Tally,
    name: &'static str,
}

/// A query's outcome for the loop: go on with a value, or drop this result set.
enum Step<T> {
    Go(T),
    Drop,
}

impl Querier<'_> {
    /// Runs `call` on `rs`: a session cancel is retried (the handle goes on working), a
    /// handle cancel is checked sticky, a stale result set is dropped.
    fn call<T>(
        &mut self,
        op: &'static str,
        rs: &ResultSet,
        flag: &AtomicBool,
        call: impl Fn() -> evtlog::Result<T>,
    ) -> Step<T> {
        for _ in 0..100 {
            let mark = self.target.mark();
            let result = {
                let _op = self.slot.begin(op);
                call()
            };
            let e = match result {
                Ok(v) => return Step::Go(v),
                Err(e) => e,
            };
            let what = format!("{} {op}", self.name);
            match classify(
                self.shared,
                &e,
                Some((&self.handles, flag)),
                &self.target,
                mark,
                &what,
            ) {
                Seen::SessionCancelled => {
                    bump(&mut self.tally, "cancels seen: session (query)");
                    continue;
                }
                Seen::HandleCancelled => {
                    bump(&mut self.tally, "cancels seen: result set (rust)");
                    if !matches!(rs.next(1, None), Err(e) if is(&e, ErrorKind::Cancelled)) {
                        self.shared
                            .fail(format!("{what}: a cancelled result set is not sticky"));
                    }
                    self.handles.withdraw();
                    rs.close();
                    if !matches!(rs.next(1, None), Err(e) if is(&e, ErrorKind::InvalidHandle)) {
                        self.shared
                            .fail(format!("{what}: a closed result set is not InvalidHandle"));
                    }
                    return Step::Drop;
                }
                Seen::Stale => {
                    bump(&mut self.tally, "queries gone stale (cleared)");
                    return Step::Drop;
                }
                Seen::Failed => return Step::Drop,
            }
        }
        self.shared
            .fail(format!("{} {op}: cancelled 100 times in a row", self.name));
        Step::Drop
    }

    /// Opens a query, retrying session cancels.
    fn open(
        &mut self,
        path: Option<&str>,
        query: Option<&str>,
        flags: QueryFlags,
    ) -> Option<ResultSet> {
        for _ in 0..100 {
            let mark = self.target.mark();
            let made = {
                let _op = self.slot.begin("Session::query");
                self.session.query(path, query, flags)
            };
            match made {
                Ok(rs) => return Some(rs),
                Err(e) => match classify(self.shared, &e, None, &self.target, mark, self.name) {
                    Seen::SessionCancelled => {
                        bump(&mut self.tally, "cancels seen: session (query)")
                    }
                    _ => return None,
                },
            }
        }
        None
    }

    fn finish(&mut self, rs: &ResultSet) {
        self.handles.withdraw();
        rs.close();
    }

    /// A forward query of every event of channel `c`: consecutive ids.
    fn forward(&mut self, rng: &mut Rng, c: usize) {
        let Some(rs) = self.open(Some(CHANNELS[c]), None, QueryFlags::FORWARD_DIRECTION) else {
            return;
        };
        let flag = self.handles.offer(Cancelable::Results(rs.clone()));
        let mut check = RunCheck::new(self.shared.cfg.writers);
        for _ in 0..1 + rng.below(8) {
            let count = 1 + rng.below(512) as usize;
            match self.call("ResultSet::next (forward)", &rs, &flag, || {
                rs.next(count, None)
            }) {
                Step::Go(Next::Events(batch)) => {
                    add(
                        &mut self.tally,
                        "events read by queries (rust)",
                        batch.len() as u64,
                    );
                    for e in &batch {
                        if let Some(tag) = tag(self.shared, e, self.name) {
                            if let Err(err) = check.next(e.record_id(), tag) {
                                self.shared
                                    .fail(format!("{} forward {}: {err}", self.name, CHANNELS[c]));
                            }
                        }
                    }
                }
                Step::Go(_) => break,
                Step::Drop => return,
            }
        }
        bump(&mut self.tally, "queries: forward (rust)");
        self.finish(&rs);
    }

    /// A reverse query of writer `w`'s events on channel `c` (an EventID filter):
    /// decreasing ids, every event the writer's.
    fn reverse_filtered(&mut self, rng: &mut Rng, c: usize) {
        let w = rng.below(self.shared.cfg.writers as u64) as usize;
        let xpath = format!("*[System[EventID={}]]", 1000 + w);
        let Some(rs) = self.open(
            Some(CHANNELS[c]),
            Some(&xpath),
            QueryFlags::REVERSE_DIRECTION,
        ) else {
            return;
        };
        let flag = self.handles.offer(Cancelable::Results(rs.clone()));
        let (mut last_id, mut last_seq) = (u64::MAX, u64::MAX);
        for _ in 0..1 + rng.below(6) {
            let count = 1 + rng.below(256) as usize;
            match self.call("ResultSet::next (reverse)", &rs, &flag, || {
                rs.next(count, None)
            }) {
                Step::Go(Next::Events(batch)) => {
                    add(
                        &mut self.tally,
                        "events read by queries (rust)",
                        batch.len() as u64,
                    );
                    for e in &batch {
                        let Some(tag) = tag(self.shared, e, self.name) else {
                            continue;
                        };
                        let id = e.record_id();
                        if id >= last_id || tag.writer != w || tag.seq >= last_seq {
                            self.shared.fail(format!(
                                "{} reverse {} {xpath}: record {id} (writer {}, Seq {}) after \
                                 record {last_id} (Seq {last_seq})",
                                self.name, CHANNELS[c], tag.writer, tag.seq
                            ));
                        }
                        (last_id, last_seq) = (id, tag.seq);
                    }
                }
                Step::Go(_) => break,
                Step::Drop => return,
            }
        }
        bump(&mut self.tally, "queries: reverse filtered (rust)");
        self.finish(&rs);
    }

    /// Seeks on a forward query of channel `c`: RelativeToFirst lands on first + k (ids are
    /// dense), RelativeToLast on a record at least as new as the newest before the seek.
    fn seeks(&mut self, rng: &mut Rng, c: usize) {
        let channel = self.shared.channels[c].clone();
        let Some(rs) = self.open(Some(CHANNELS[c]), None, QueryFlags::FORWARD_DIRECTION) else {
            return;
        };
        let flag = self.handles.offer(Cancelable::Results(rs.clone()));
        let first = match self.call("ResultSet::next (seek)", &rs, &flag, || rs.next(1, None)) {
            Step::Go(Next::Events(batch)) => batch[0].record_id(),
            Step::Go(_) => return self.finish(&rs),
            Step::Drop => return,
        };
        let span = channel.next_record_id().saturating_sub(first);
        let k = rng.below(span);
        if let Step::Drop = self.call("ResultSet::seek (first)", &rs, &flag, || {
            rs.seek(k as i64, SeekFlags::RELATIVE_TO_FIRST)
        }) {
            return;
        }
        match self.call("ResultSet::next (seek)", &rs, &flag, || rs.next(1, None)) {
            Step::Go(Next::Events(batch)) if batch[0].record_id() == first + k => {}
            Step::Go(got) => self.shared.fail(format!(
                "{}: seek {k} from the first (record {first}) of {} read {got:?}",
                self.name, CHANNELS[c]
            )),
            Step::Drop => return,
        }
        let newest = channel.next_record_id() - 1;
        if let Step::Drop = self.call("ResultSet::seek (last)", &rs, &flag, || {
            rs.seek(0, SeekFlags::RELATIVE_TO_LAST)
        }) {
            return;
        }
        match self.call("ResultSet::next (seek)", &rs, &flag, || rs.next(1, None)) {
            Step::Go(Next::Events(batch)) if batch[0].record_id() >= newest => {}
            Step::Go(got) => self.shared.fail(format!(
                "{}: seek to the last of {} (newest {newest} before) read {got:?}",
                self.name, CHANNELS[c]
            )),
            Step::Drop => return,
        }
        bump(&mut self.tally, "queries: seeks (rust)");
        self.finish(&rs);
    }

    /// A reverse query over every channel (a structured query): each channel's records in
    /// decreasing, consecutive ids.
    fn all_reverse(&mut self, rng: &mut Rng) {
        let query = all_channels_query();
        let Some(rs) = self.open(None, Some(&query), QueryFlags::REVERSE_DIRECTION) else {
            return;
        };
        let flag = self.handles.offer(Cancelable::Results(rs.clone()));
        let mut last = vec![0u64; CHANNELS.len()];
        for _ in 0..1 + rng.below(4) {
            let count = 1 + rng.below(1024) as usize;
            match self.call("ResultSet::next (all, reverse)", &rs, &flag, || {
                rs.next(count, None)
            }) {
                Step::Go(Next::Events(batch)) => {
                    add(
                        &mut self.tally,
                        "events read by queries (rust)",
                        batch.len() as u64,
                    );
                    for e in &batch {
                        let Some(c) = channel_of(self.shared, e, self.name) else {
                            continue;
                        };
                        let id = e.record_id();
                        if last[c] != 0 && id + 1 != last[c] {
                            self.shared.fail(format!(
                                "{} reverse over all channels: {} record {id} after {}",
                                self.name, CHANNELS[c], last[c]
                            ));
                        }
                        last[c] = id;
                    }
                }
                Step::Go(_) => break,
                Step::Drop => return,
            }
        }
        bump(&mut self.tally, "queries: all channels reverse (rust)");
        self.finish(&rs);
    }

    /// Closes the session under an open query: the query is InvalidHandle after it.
    fn close_session(&mut self) {
        let rs = self.open(Some(CHANNELS[0]), None, QueryFlags::FORWARD_DIRECTION);
        let _op = self.slot.begin("Session::close");
        let _ = self.session.close();
        if let Some(rs) = rs {
            if !matches!(rs.next(1, None), Err(e) if is(&e, ErrorKind::InvalidHandle)) {
                self.shared.fail(format!(
                    "{}: a query of a closed session still works",
                    self.name
                ));
            }
        }
        self.session = self.shared.engine.open_session();
        let s = self.session.clone();
        self.target.retarget(Box::new(move || s.cancel()));
        bump(&mut self.tally, "sessions closed and reopened");
    }
}

/// A querier: forward, reverse filtered, seeks and every channel, at random.
pub fn querier(shared: &Shared, slot: &Slot, rng: &mut Rng) -> Tally {
    let session = shared.engine.open_session();
    let s = session.clone();
    let name = "query (rust)";
    let mut q = Querier {
        shared,
        slot,
        target: shared.session_target(format!("{name} session"), Box::new(move || s.cancel())),
        handles: shared.handle_slot(),
        session,
        tally: Tally::new(),
        name,
    };
    let mut rounds = 0u64;
    while !shared.stopped() {
        rounds += 1;
        if rounds.is_multiple_of(97) {
            q.close_session();
        }
        let c = rng.below(CHANNELS.len() as u64) as usize;
        match rng.below(4) {
            0 => q.forward(rng, c),
            1 => q.reverse_filtered(rng, c),
            2 => q.seeks(rng, c),
            _ => q.all_reverse(rng),
        }
    }
    q.handles.withdraw();
    let _ = q.session.close();
    q.tally
}

/// A clearer: clears (with a backup) the channel that reached `clear_at` records, now and
/// then a small one; each backup is read back into the books.
pub fn clearer(shared: &Shared, slot: &Slot, rng: &mut Rng) -> Tally {
    let name = "clear (rust)";
    let mut tally = Tally::new();
    let session = shared.engine.open_session();
    let s = session.clone();
    let target = shared
        .session_target(format!("{name} session"), Box::new(move || s.cancel()))
        .with_odds(4);
    while !shared.stopped() {
        std::thread::sleep(Duration::from_millis(2 + rng.below(10)));
        let Some(c) = pick_to_clear(shared, rng) else {
            continue;
        };
        let backup = shared.scratch("backup-rust");
        let backup_str = backup.to_string_lossy().to_string();
        let mark = target.mark();
        let cleared = {
            let _op = slot.begin("Session::clear_log");
            session.clear_log(CHANNELS[c], Some(&backup_str))
        };
        match cleared {
            Ok(()) => {
                bump(&mut tally, "clears (rust)");
                shared.account_backup(c, &backup, &mut tally);
            }
            Err(e) => {
                if let Seen::SessionCancelled = classify(shared, &e, None, &target, mark, name) {
                    bump(&mut tally, "clears cancelled (rust)");
                }
                shared.check_no_file(&backup, name);
            }
        }
    }
    let _ = session.close();
    tally
}

/// The channel to clear: one at `clear_at` records or more, else now and then any.
pub fn pick_to_clear(shared: &Shared, rng: &mut Rng) -> Option<usize> {
    let (c, n) = shared
        .channels
        .iter()
        .enumerate()
        .map(|(c, ch)| (c, ch.record_count()))
        .max_by_key(|&(_, n)| n)?;
    if n >= shared.cfg.clear_at {
        return Some(c);
    }
    (rng.below(20) == 0).then(|| rng.below(CHANNELS.len() as u64) as usize)
}

/// Checks an export: `count` records, increasing ids, of writer `writer` if filtered.
pub fn check_export(
    shared: &Shared,
    path: &std::path::Path,
    count: u64,
    writer: Option<usize>,
    what: &str,
) {
    let mut seen = 0u64;
    let mut last = 0u64;
    let read = read_evtx(path, |id, event| {
        let tag = tag_of(event).ok_or_else(|| format!("record {id} has no soak tag"))?;
        if id <= last {
            return Err(format!("record {id} after record {last}"));
        }
        if writer.is_some_and(|w| w != tag.writer) {
            return Err(format!(
                "record {id} of writer {} in a filtered export",
                tag.writer
            ));
        }
        last = id;
        seen += 1;
        Ok(())
    });
    if let Err(e) = read {
        shared.fail(format!("{what}: {}: {e}", path.display()));
    }
    if seen != count {
        shared.fail(format!("{what}: exported {count}, the file holds {seen}"));
    }
    if let Err(e) = std::fs::remove_file(path) {
        shared.fail(format!("{what}: removing {}: {e}", path.display()));
    }
}

/// An exporter: a channel, or one writer's events of it, to a file read back and removed.
pub fn exporter(shared: &Shared, slot: &Slot, rng: &mut Rng) -> Tally {
    let name = "export (rust)";
    let mut tally = Tally::new();
    let session = shared.engine.open_session();
    let s = session.clone();
    let target = shared.session_target(format!("{name} session"), Box::new(move || s.cancel()));
    while !shared.stopped() {
        std::thread::sleep(Duration::from_millis(1 + rng.below(10)));
        let c = rng.below(CHANNELS.len() as u64) as usize;
        let writer = (rng.below(2) == 0).then(|| rng.below(shared.cfg.writers as u64) as usize);
        let xpath = writer.map(|w| format!("*[System[EventID={}]]", 1000 + w));
        let file = shared.scratch("export-rust");
        let mark = target.mark();
        let exported = {
            let _op = slot.begin("Session::export_log");
            session.export_log(
                Some(CHANNELS[c]),
                xpath.as_deref(),
                &file.to_string_lossy(),
                ExportFlags::CHANNEL_PATH,
            )
        };
        match exported {
            Ok(count) => {
                bump(&mut tally, "exports (rust)");
                add(&mut tally, "records exported", count);
                check_export(shared, &file, count, writer, name);
            }
            Err(e) => {
                match classify(shared, &e, None, &target, mark, name) {
                    Seen::SessionCancelled => bump(&mut tally, "exports cancelled (rust)"),
                    Seen::Stale => bump(&mut tally, "exports stale (cleared meanwhile)"),
                    _ => {}
                }
                shared.check_no_file(&file, name);
            }
        }
    }
    let _ = session.close();
    tally
}
