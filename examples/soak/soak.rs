//! The soak: one engine driven for a while by every kind of caller at once, through the
//! Rust API and the `winevt` facade, then checked: nothing lost or duplicated, no call
//! stuck, memory bounded (see `ledger.rs`, `watch.rs`).
//!
//! The mix (`workers.rs`, `facade.rs`): writers on a few channels (one through the facade's
//! XML control), push and pull subscribers from the start of the run, forward and reverse
//! queries with filters and seeks, clears with a backup file (each backup read back into
//! the books, then removed), exports (read back, then removed), and a canceller that cancels
//! whole sessions, result sets and subscriptions, so clears and exports are cancelled
//! midway too. The facade's engine is the service's: in memory, or the persistent store
//! `EVTLOG_STORE` names when the process first uses the facade.
//!
//! Invariants:
//! 1. Every `Cancelled` a worker sees is explained: its handle was cancelled (sticky: the
//!    next call is `Cancelled` too, and after close `InvalidHandle`), or a cancel of its
//!    session began after the call started (a session's cancels are counted when they
//!    begin and when they end; a call started after `finished` = f can only be cancelled
//!    by a cancel with `started` > f). After a session cancel the handle goes on working.
//! 2. A cancelled clear or export leaves no file (neither the target nor a temporary).
//! 3. Memory is bounded honestly: clears keep each channel near `clear_at` records and
//!    MaxSize (do not overwrite) caps it, so the store's size saw-tooths below a constant;
//!    the books are bounded (ledger.rs 3); `watch::judge` says what growth fails the run.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use evtlog::{
    Channel, ChannelConfig, ChannelType, ChunkDecoder, Engine, ErrorKind, EvtxFile, ResultSet,
    Retention, Subscription, TemplateCache,
};
use parking_lot::Mutex;

use crate::ledger::{tag_of, ChannelBook, RunCheck, SubscriberBook};
use crate::watch::{self, Board, MemoryVerdict};

/// Counters by name.
pub type Tally = BTreeMap<Cow<'static, str>, u64>;

pub fn bump(tally: &mut Tally, key: &'static str) {
    add(tally, key, 1);
}

pub fn add(tally: &mut Tally, key: impl Into<Cow<'static, str>>, n: u64) {
    *tally.entry(key.into()).or_default() += n;
}

/// Where the engine keeps its channels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreKind {
    Memory,
    /// A persistent store in this directory (it is the facade's service engine: the caller
    /// set `EVTLOG_STORE` to it before the process first used the facade).
    Dir(PathBuf),
}

/// A run's shape.
#[derive(Clone, Debug)]
pub struct Config {
    pub seconds: f64,
    pub store: StoreKind,
    /// Writer threads (the last one writes through the facade).
    pub writers: usize,
    /// Events per second per writer (0: as fast as it can).
    pub write_rate: u64,
    /// A channel holding this many records is cleared (with a backup).
    pub clear_at: u64,
    /// Each channel's MaxSize (do not overwrite: a full channel refuses writes until a
    /// clear), the cap that bounds the store whatever the clears manage.
    pub max_size: u64,
    /// Print a progress line this often (None: never).
    pub progress: Option<Duration>,
    /// A worker without progress for this long fails the run.
    pub watchdog: Duration,
    /// Scratch directory for backups and exports (emptied by the run).
    pub work_dir: PathBuf,
    /// Seconds of warm-up excluded from the memory verdict.
    pub warm_up: f64,
}

pub const CHANNELS: [&str; 3] = [
    "Soak-A/Operational",
    "Soak-B/Operational",
    "Soak-C/Operational",
];

/// The structured query over every soak channel.
pub fn all_channels_query() -> String {
    let mut q = String::from("<QueryList><Query Id='0'>");
    for c in CHANNELS {
        q.push_str(&format!("<Select Path='{c}'>*</Select>"));
    }
    q.push_str("</Query></QueryList>");
    q
}

/// The index of a channel name (as events report it).
pub fn channel_index(name: &str) -> Option<usize> {
    CHANNELS.iter().position(|c| c.eq_ignore_ascii_case(name))
}

/// A session that the canceller cancels: counted when a cancel begins and ends.
pub struct SessionTarget {
    pub name: String,
    /// The canceller fires at this target one time in `odds` it picks it (clears get fewer
    /// cancels, so that they keep the channels small).
    odds: AtomicU64,
    cancel: Mutex<Box<dyn Fn() + Send>>,
    started: AtomicU64,
    finished: AtomicU64,
}

impl SessionTarget {
    /// Before a call: the mark to explain a `Cancelled` with.
    pub fn mark(&self) -> u64 {
        self.finished.load(Ordering::SeqCst)
    }

    /// Whether a session cancel can have reached a call that began at `mark`.
    pub fn explains(&self, mark: u64) -> bool {
        self.started.load(Ordering::SeqCst) > mark
    }

    /// Cancels reach this target one pick in `odds`.
    pub fn with_odds(self: Arc<Self>, odds: u64) -> Arc<Self> {
        self.odds.store(odds.max(1), Ordering::Relaxed);
        self
    }

    /// The owner replaced its session: cancels go to the new one.
    pub fn retarget(&self, cancel: Box<dyn Fn() + Send>) {
        *self.cancel.lock() = cancel;
    }

    fn fire(&self) {
        let cancel = self.cancel.lock();
        self.started.fetch_add(1, Ordering::SeqCst);
        cancel();
        self.finished.fetch_add(1, Ordering::SeqCst);
    }
}

/// A handle the canceller may cancel, and the flag it raises first.
pub enum Cancelable {
    Results(ResultSet),
    Subscription(Subscription),
    Facade(evtlog::winevt::EVT_HANDLE),
}

/// A worker's current cancellable handle.
#[derive(Default)]
pub struct HandleSlot {
    entry: Mutex<Option<(Cancelable, Arc<AtomicBool>)>>,
}

impl HandleSlot {
    /// Offers `handle` to the canceller; the flag says whether it was cancelled.
    pub fn offer(&self, handle: Cancelable) -> Arc<AtomicBool> {
        let flag = Arc::new(AtomicBool::new(false));
        *self.entry.lock() = Some((handle, flag.clone()));
        flag
    }

    /// Takes it back (before closing it): no cancel reaches it after this returns.
    pub fn withdraw(&self) {
        self.entry.lock().take();
    }

    /// Waits for a cancel in progress on this slot to finish (its flag is raised first).
    pub fn settle(&self) {
        drop(self.entry.lock());
    }

    fn fire(&self) -> bool {
        let entry = self.entry.lock();
        let Some((handle, flag)) = &*entry else {
            return false;
        };
        flag.store(true, Ordering::SeqCst);
        match handle {
            Cancelable::Results(r) => r.cancel(),
            Cancelable::Subscription(s) => s.cancel(),
            Cancelable::Facade(h) => {
                evtlog::winevt::EvtCancel(*h);
            }
        }
        true
    }
}

/// What the workers share.
pub struct Shared {
    pub cfg: Config,
    pub engine: Engine,
    pub channels: Vec<Arc<Channel>>,
    /// Stops the mix (writers, queries, clears, exports, cancels).
    pub stop: AtomicBool,
    /// Stops the subscribers (after they caught up).
    pub stop_subscribers: AtomicBool,
    pub books: Vec<Mutex<ChannelBook>>,
    /// `acked[writer][channel]`: the writer's last acknowledged `Seq` there.
    pub acked: Vec<Vec<AtomicU64>>,
    failures: Mutex<Vec<String>>,
    failure_count: AtomicU64,
    pub board: Arc<Board>,
    pub sessions: Mutex<Vec<Arc<SessionTarget>>>,
    pub handles: Mutex<Vec<Arc<HandleSlot>>>,
    pub subscribers: Mutex<Vec<Arc<Mutex<SubscriberBook>>>>,
    next_file: AtomicU64,
}

impl Shared {
    /// Records a failure (the run goes on; its exit code will say so).
    pub fn fail(&self, what: impl Into<String>) {
        let what = what.into();
        let n = self.failure_count.fetch_add(1, Ordering::Relaxed);
        if n < 50 {
            eprintln!("soak: FAILURE: {what}");
            self.failures.lock().push(what);
        }
    }

    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    pub fn session_target(
        &self,
        name: impl Into<String>,
        cancel: Box<dyn Fn() + Send>,
    ) -> Arc<SessionTarget> {
        let target = Arc::new(SessionTarget {
            name: name.into(),
            odds: AtomicU64::new(1),
            cancel: Mutex::new(cancel),
            started: AtomicU64::new(0),
            finished: AtomicU64::new(0),
        });
        self.sessions.lock().push(target.clone());
        target
    }

    pub fn handle_slot(&self) -> Arc<HandleSlot> {
        let slot = Arc::new(HandleSlot::default());
        self.handles.lock().push(slot.clone());
        slot
    }

    /// A subscriber's books: every channel, or only channel `only`.
    pub fn subscriber_book(&self, name: &str, only: Option<usize>) -> Arc<Mutex<SubscriberBook>> {
        let book = SubscriberBook::new(name, CHANNELS.len(), self.cfg.writers);
        let book = Arc::new(Mutex::new(match only {
            Some(c) => book.only(c),
            None => book,
        }));
        self.subscribers.lock().push(book.clone());
        book
    }

    /// A fresh absolute path in the work directory.
    pub fn scratch(&self, what: &str) -> PathBuf {
        let n = self.next_file.fetch_add(1, Ordering::Relaxed);
        self.cfg.work_dir.join(format!("{what}-{n}.evtx"))
    }

    /// Checks a cancelled or failed clear/export left nothing: neither `target` nor a
    /// temporary beside it.
    pub fn check_no_file(&self, target: &Path, what: &str) {
        if target.exists() {
            self.fail(format!(
                "{what}: {} exists after a failed call",
                target.display()
            ));
        }
        let name = target
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        if let Ok(dir) = std::fs::read_dir(&self.cfg.work_dir) {
            for entry in dir.flatten() {
                let other = entry.file_name().to_string_lossy().to_string();
                if other.starts_with(&name) && other != name {
                    self.fail(format!("{what}: a temporary {other} was left behind"));
                }
            }
        }
    }

    /// Reads a clear's backup into the books: one consecutive run of records of channel
    /// `c`, each accounted for once.
    pub fn account_backup(&self, c: usize, path: &Path, tally: &mut Tally) {
        let mut check = RunCheck::new(self.cfg.writers);
        let mut book = self.books[c].lock();
        let mut records = 0u64;
        let outcome = read_evtx(path, |id, event| {
            let tag = tag_of(event).ok_or_else(|| format!("record {id} has no soak tag"))?;
            check.next(id, tag)?;
            book.account(id, tag)?;
            records += 1;
            Ok(())
        });
        if let Err(e) = outcome {
            self.fail(format!("backup {} of {}: {e}", path.display(), CHANNELS[c]));
        }
        book.backed_up += records;
        book.backups += 1;
        add(tally, "records in backups", records);
        drop(book);
        if let Err(e) = std::fs::remove_file(path) {
            self.fail(format!("removing {}: {e}", path.display()));
        }
    }
}

/// Reads every record of an .evtx file in record order.
pub fn read_evtx(
    path: &Path,
    mut each: impl FnMut(u64, &evtlog::Event) -> Result<(), String>,
) -> Result<(), String> {
    let mut file = EvtxFile::open(path).map_err(|e| e.to_string())?;
    let mut templates = TemplateCache::new();
    for chunk in file.chunks_in_record_order().map_err(|e| e.to_string())? {
        let chunk = chunk.map_err(|e| e.to_string())?;
        let mut decoder = ChunkDecoder::with_cache(&chunk, &mut templates);
        for record in chunk.records() {
            let record = record.map_err(|e| e.to_string())?;
            let event = decoder.decode(&record).map_err(|e| e.to_string())?;
            let id = event
                .system
                .event_record_id
                .ok_or("a record without an id")?;
            each(id, &event)?;
        }
    }
    Ok(())
}

/// A small deterministic generator (xorshift64*).
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// 0..n (0 if n is 0).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
}

/// The classification of an error a worker got.
pub fn is(e: &evtlog::Error, kind: ErrorKind) -> bool {
    e.kind() == kind
}

/// What a run did and found.
#[derive(Debug)]
pub struct Report {
    pub store: String,
    pub seconds: f64,
    pub tally: Tally,
    pub failures: Vec<String>,
    pub failure_count: u64,
    pub memory: MemoryVerdict,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.failure_count == 0 && self.memory.ok()
    }

    /// The summary: one block of counters.
    pub fn print(&self) {
        let mib = |b: u64| b as f64 / (1 << 20) as f64;
        println!(
            "== soak summary: {} store, {:.1} s",
            self.store, self.seconds
        );
        for (key, value) in &self.tally {
            println!("  {key:<40} {value}");
        }
        let m = &self.memory;
        println!("  {:<40} {:.1} MiB", "peak RSS", mib(m.peak_rss));
        println!(
            "  {:<40} first quarter {:.1} MiB, last quarter {:.1} MiB, bound {:.1} MiB{}",
            "RSS after warm-up (means)",
            mib(m.first_quarter),
            mib(m.last_quarter),
            mib(m.bound),
            if m.judged {
                ""
            } else {
                " (run too short to judge)"
            }
        );
        println!(
            "  {:<40} {:+.2} MiB/min",
            "RSS trend after warm-up",
            m.slope_per_minute / (1 << 20) as f64
        );
        println!(
            "  {:<40} {}",
            "peak records held (all channels)", m.peak_records
        );
        println!(
            "  {:<40} {}",
            "result",
            if self.ok() {
                "OK".to_owned()
            } else {
                format!(
                    "FAILED ({} failures{})",
                    self.failure_count,
                    if m.ok() {
                        ""
                    } else {
                        ", memory grew past the bound"
                    }
                )
            }
        );
        for f in &self.failures {
            println!("  failure: {f}");
        }
    }
}

/// The engine of a run: the facade's service engine, fresh for a memory run; for a store
/// run the service must already be that store (`EVTLOG_STORE` set before first use).
fn engine_for(cfg: &Config) -> Result<Engine, String> {
    match &cfg.store {
        StoreKind::Memory => {
            evtlog::winevt::controls::reset();
            Ok(evtlog::winevt::controls::engine())
        }
        StoreKind::Dir(dir) => {
            let engine = evtlog::winevt::controls::engine();
            let same = engine
                .store_dir()
                .and_then(|d| d.canonicalize().ok())
                .is_some_and(|d| Some(d) == dir.canonicalize().ok());
            if !same {
                return Err(format!(
                    "the facade's engine is not the store {} (set EVTLOG_STORE before the \
                     facade's first use)",
                    dir.display()
                ));
            }
            Ok(engine)
        }
    }
}

/// Runs the soak once and reports.
pub fn run(cfg: Config) -> Report {
    let started = Instant::now();
    let _ = std::fs::create_dir_all(&cfg.work_dir);
    let engine = match engine_for(&cfg) {
        Ok(engine) => engine,
        Err(e) => {
            return Report {
                store: format!("{:?}", cfg.store),
                seconds: 0.0,
                tally: Tally::new(),
                failures: vec![e],
                failure_count: 1,
                memory: watch::judge(&[], 0.0),
            }
        }
    };
    let mut channels = Vec::new();
    for name in CHANNELS {
        // Sequential: nothing is overwritten (the books would lose it); a full channel
        // refuses writes (1502) until a clear makes room.
        let config = ChannelConfig::new(name, ChannelType::Operational)
            .with_max_size(cfg.max_size)
            .with_retention(Retention::DoNotOverwrite);
        let channel = engine
            .create_channel(config)
            .or_else(|_| engine.channel(name))
            .expect("the soak's channels");
        channels.push(channel);
    }
    let board = Board::new();
    let shared = Arc::new(Shared {
        books: (0..CHANNELS.len())
            .map(|_| Mutex::new(ChannelBook::new(cfg.writers)))
            .collect(),
        acked: (0..cfg.writers)
            .map(|_| (0..CHANNELS.len()).map(|_| AtomicU64::new(0)).collect())
            .collect(),
        cfg: cfg.clone(),
        engine: engine.clone(),
        channels: channels.clone(),
        stop: AtomicBool::new(false),
        stop_subscribers: AtomicBool::new(false),
        failures: Mutex::new(Vec::new()),
        failure_count: AtomicU64::new(0),
        board: board.clone(),
        sessions: Mutex::new(Vec::new()),
        handles: Mutex::new(Vec::new()),
        subscribers: Mutex::new(Vec::new()),
        next_file: AtomicU64::new(0),
    });
    // A channel left from an earlier run of the same store would break the books.
    for c in &channels {
        if c.next_record_id() != 1 {
            shared.fail(format!(
                "{} is not new (record ids at {})",
                c.name(),
                c.next_record_id()
            ));
        }
    }
    let watchdog_stop = Arc::new(AtomicBool::new(false));
    let counted = channels.clone();
    let watchdog = watch::spawn(
        board.clone(),
        cfg.watchdog,
        watchdog_stop.clone(),
        Box::new(move || counted.iter().map(|c| c.record_count()).sum()),
    );

    // Subscribers first, from the start of the channels.
    let closers: Vec<Box<dyn FnOnce() -> Tally>> = vec![
        crate::workers::push_subscriber(&shared),
        crate::facade::push_subscriber(&shared),
    ];
    let mut subscriber_threads = vec![
        spawn(&shared, "pull (rust)", 11, crate::workers::pull_subscriber),
        spawn(&shared, "pull (winevt)", 12, crate::facade::pull_subscriber),
    ];
    // The mix.
    let mut mix = Vec::new();
    for w in 0..cfg.writers {
        let seed = 100 + w as u64;
        mix.push(if w + 1 == cfg.writers {
            spawn_writer(&shared, w, seed, crate::facade::writer)
        } else {
            spawn_writer(&shared, w, seed, crate::workers::writer)
        });
    }
    mix.push(spawn(&shared, "query (rust)", 21, crate::workers::querier));
    mix.push(spawn(
        &shared,
        "query (rust) 2",
        22,
        crate::workers::querier,
    ));
    mix.push(spawn(&shared, "query (winevt)", 23, crate::facade::querier));
    mix.push(spawn(&shared, "clear (rust)", 31, crate::workers::clearer));
    mix.push(spawn(&shared, "clear (winevt)", 32, crate::facade::clearer));
    mix.push(spawn(
        &shared,
        "export (rust)",
        41,
        crate::workers::exporter,
    ));
    mix.push(spawn(
        &shared,
        "export (winevt)",
        42,
        crate::facade::exporter,
    ));
    mix.push(spawn(&shared, "canceller", 51, canceller));

    let end = started + Duration::from_secs_f64(cfg.seconds);
    let mut next_line = cfg.progress.map(|p| started + p);
    while Instant::now() < end {
        let now = Instant::now();
        std::thread::sleep((end - now).min(Duration::from_millis(100)));
        if let Some(at) = next_line.filter(|&at| Instant::now() >= at) {
            progress_line(&shared, started);
            next_line = cfg.progress.map(|p| at + p);
        }
    }
    shared.stop.store(true, Ordering::SeqCst);
    let mut tally = Tally::new();
    for handle in mix {
        merge(
            &mut tally,
            handle.join().unwrap_or_else(|_| panicked(&shared)),
        );
    }
    // Let the subscribers catch up with the last writes, then stop them.
    let deadline = Instant::now() + cfg.watchdog;
    while Instant::now() < deadline && behind(&shared) {
        std::thread::sleep(Duration::from_millis(20));
    }
    shared.stop_subscribers.store(true, Ordering::SeqCst);
    for handle in subscriber_threads.drain(..) {
        merge(
            &mut tally,
            handle.join().unwrap_or_else(|_| panicked(&shared)),
        );
    }
    for close in closers {
        merge(&mut tally, close());
    }
    final_checks(&shared, &mut tally);
    watchdog_stop.store(true, Ordering::SeqCst);
    let samples = watchdog.join().unwrap_or_default();
    let memory = watch::judge(&samples, cfg.warm_up);
    let failures = shared.failures.lock().clone();
    Report {
        store: match &cfg.store {
            StoreKind::Memory => "in-memory".to_owned(),
            StoreKind::Dir(d) => format!("persistent ({})", d.display()),
        },
        seconds: started.elapsed().as_secs_f64(),
        tally,
        failures,
        failure_count: shared.failure_count.load(Ordering::Relaxed),
        memory,
    }
}

/// One line: time, resident set, records held, records written so far.
fn progress_line(shared: &Shared, started: Instant) {
    let held: u64 = shared.channels.iter().map(|c| c.record_count()).sum();
    let written: u64 = shared.channels.iter().map(|c| c.next_record_id() - 1).sum();
    println!(
        "soak: {:6.1} s  RSS {:6.1} MiB  records held {held:>7}  written {written:>9}",
        started.elapsed().as_secs_f64(),
        watch::rss_bytes(watch::page_size()) as f64 / (1 << 20) as f64,
    );
}

fn panicked(shared: &Shared) -> Tally {
    shared.fail("a worker panicked");
    Tally::new()
}

fn merge(into: &mut Tally, from: Tally) {
    for (k, v) in from {
        add(into, k, v);
    }
}

type Worker = fn(&Shared, &watch::Slot, &mut Rng) -> Tally;

fn spawn(
    shared: &Arc<Shared>,
    name: &str,
    seed: u64,
    work: Worker,
) -> std::thread::JoinHandle<Tally> {
    let shared = shared.clone();
    let slot = shared.board.slot(name);
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            let tally = work(&shared, &slot, &mut Rng::new(seed));
            slot.finish();
            tally
        })
        .expect("spawn a worker")
}

fn spawn_writer(
    shared: &Arc<Shared>,
    writer: usize,
    seed: u64,
    work: fn(&Shared, &watch::Slot, &mut Rng, usize) -> Tally,
) -> std::thread::JoinHandle<Tally> {
    let shared = shared.clone();
    let slot = shared.board.slot(format!("writer {writer}"));
    std::thread::Builder::new()
        .name(format!("writer {writer}"))
        .spawn(move || {
            let tally = work(&shared, &slot, &mut Rng::new(seed), writer);
            slot.finish();
            tally
        })
        .expect("spawn a writer")
}

/// Whether some subscriber has not had every record its channels hold.
fn behind(shared: &Shared) -> bool {
    shared.subscribers.lock().iter().any(|book| {
        let book = book.lock();
        (0..CHANNELS.len()).any(|c| book.watches(c) && book.is_behind(c, &shared.channels[c]))
    })
}

/// The canceller: every few milliseconds, one session cancel or one handle cancel.
fn canceller(shared: &Shared, slot: &watch::Slot, rng: &mut Rng) -> Tally {
    let mut tally = Tally::new();
    while !shared.stopped() {
        std::thread::sleep(Duration::from_micros(3000 + rng.below(9000)));
        let sessions = shared.sessions.lock().clone();
        let handles = shared.handles.lock().clone();
        let pick = rng.below((sessions.len() + handles.len()) as u64) as usize;
        if pick < sessions.len() {
            if rng.below(sessions[pick].odds.load(Ordering::Relaxed)) != 0 {
                continue;
            }
            let _op = slot.begin("cancel a session");
            sessions[pick].fire();
            bump(&mut tally, "cancels issued: session");
        } else if let Some(h) = handles.get(pick - sessions.len()) {
            let _op = slot.begin("cancel a handle");
            if h.fire() {
                bump(&mut tally, "cancels issued: handle");
            }
        }
    }
    tally
}

/// After the run: the books balance, the subscribers had everything, the files agree,
/// nothing is left in the work directory.
fn final_checks(shared: &Shared, tally: &mut Tally) {
    for (c, channel) in shared.channels.iter().enumerate() {
        let mut book = shared.books[c].lock();
        let mut check = RunCheck::new(shared.cfg.writers);
        let snapshot = channel.snapshot();
        let mut live = 0u64;
        for event in snapshot.iter() {
            let Some(id) = event.system.event_record_id else {
                shared.fail(format!("{}: a record without an id", channel.name()));
                continue;
            };
            let outcome = tag_of(&event)
                .ok_or_else(|| format!("record {id} has no soak tag"))
                .and_then(|tag| check.next(id, tag).and(book.account(id, tag)));
            if let Err(e) = outcome {
                shared.fail(format!("{} at the end: {e}", channel.name()));
            }
            live += 1;
        }
        let written: u64 = (0..shared.cfg.writers)
            .map(|w| shared.acked[w][c].load(Ordering::SeqCst))
            .sum();
        add(tally, "records written (acknowledged)", written);
        add(tally, "records live at the end", live);
        if channel.next_record_id() != written + 1 {
            shared.fail(format!(
                "{}: {written} writes acknowledged, next record id {}",
                channel.name(),
                channel.next_record_id()
            ));
        }
        if let Err(e) = book.ids.check_exactly(written) {
            shared.fail(format!(
                "{}: live + backups, record ids {e}",
                channel.name()
            ));
        }
        for w in 0..shared.cfg.writers {
            let acked = shared.acked[w][c].load(Ordering::SeqCst);
            if let Err(e) = book.seqs[w].check_exactly(acked) {
                shared.fail(format!("{}: writer {w}'s Seqs {e}", channel.name()));
            }
        }
        // A persistent channel's file holds what its memory mirror holds.
        if let Some(path) = channel.file_path() {
            let mut ids = Vec::new();
            if let Err(e) = read_evtx(&path, |id, _| {
                ids.push(id);
                Ok(())
            }) {
                shared.fail(format!("{}: {e}", path.display()));
            }
            let memory: Vec<u64> = snapshot
                .iter()
                .filter_map(|e| e.system.event_record_id)
                .collect();
            if ids != memory {
                shared.fail(format!(
                    "{}: the file holds {} records, memory {} (first {:?} / {:?})",
                    channel.name(),
                    ids.len(),
                    memory.len(),
                    ids.first(),
                    memory.first()
                ));
            }
        }
    }
    for book in shared.subscribers.lock().iter() {
        let book = book.lock();
        for (c, channel) in shared.channels.iter().enumerate() {
            if book.watches(c) {
                if let Err(e) = book.check_caught_up(c, channel) {
                    shared.fail(e);
                }
            }
        }
        add(tally, format!("delivered to {}", book.name), book.delivered);
        add(
            tally,
            format!("delivered to {}: skipped as cleared", book.name),
            book.lost_to_clears,
        );
        add(
            tally,
            format!("delivered to {}: lost-record reports", book.name),
            book.gap_reports,
        );
    }
    for channel in &shared.channels {
        let book = shared.books[channel_index(channel.name()).unwrap_or(0)].lock();
        add(tally, "backups read back", book.backups);
    }
    match std::fs::read_dir(&shared.cfg.work_dir) {
        Ok(dir) => {
            for entry in dir.flatten() {
                shared.fail(format!(
                    "left in the work directory: {}",
                    entry.path().display()
                ));
            }
        }
        Err(e) => shared.fail(format!("{}: {e}", shared.cfg.work_dir.display())),
    }
    if let StoreKind::Dir(dir) = &shared.cfg.store {
        if let Ok(entries) = std::fs::read_dir(dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().to_string();
                if name.ends_with(".clearing") || name.ends_with(".saving") || name.contains(".tmp")
                {
                    shared.fail(format!("a temporary left in the store: {name}"));
                }
            }
        }
    }
}
