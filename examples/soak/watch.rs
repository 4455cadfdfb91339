//! The soak's watchdog and memory sampler.
//!
//! Every worker owns a [`Slot`]: the operation it is in and when it last made progress. The
//! watchdog thread samples the process's resident set and the store's size every 100 ms, and
//! fails the run, with a dump of every slot, when a worker has made no progress for the
//! limit: a worker inside an operation that long is stuck in it (no operation of the mix
//! may block longer: every wait has a timeout), a push subscriber is stuck when its channel
//! has records it has not had and no callback came for that long.
//!
//! Invariant: a stuck call cannot be recovered (its thread cannot be joined), so the
//! watchdog ends the process (exit code 3) after printing the dump.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// The state of one worker, read by the watchdog.
pub struct Slot {
    pub name: String,
    op: Mutex<&'static str>,
    /// Milliseconds from the run's start at the last progress.
    last_ms: AtomicU64,
    ops: AtomicU64,
    finished: AtomicBool,
    start: Instant,
    /// For workers that may rightly sit idle (push subscribers): true when idling is not
    /// right (their channel has records they have not had).
    lag: Option<Box<dyn Fn() -> bool + Send + Sync>>,
}

impl Slot {
    fn ms(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    /// Marks the start of `op`; the guard marks its end (and progress).
    pub fn begin(&self, op: &'static str) -> OpGuard<'_> {
        *self.op.lock() = op;
        self.last_ms.store(self.ms(), Ordering::Relaxed);
        OpGuard { slot: self }
    }

    /// Progress without an operation (a push callback).
    pub fn beat(&self) {
        self.ops.fetch_add(1, Ordering::Relaxed);
        self.last_ms.store(self.ms(), Ordering::Relaxed);
    }

    /// The worker is done: the watchdog leaves it alone.
    pub fn finish(&self) {
        *self.op.lock() = "finished";
        self.finished.store(true, Ordering::Relaxed);
    }

    pub fn ops(&self) -> u64 {
        self.ops.load(Ordering::Relaxed)
    }
}

/// An operation in progress on a [`Slot`].
pub struct OpGuard<'a> {
    slot: &'a Slot,
}

impl Drop for OpGuard<'_> {
    fn drop(&mut self) {
        *self.slot.op.lock() = "between operations";
        self.slot.beat();
    }
}

/// The slots of one run.
pub struct Board {
    start: Instant,
    slots: Mutex<Vec<Arc<Slot>>>,
}

impl Board {
    pub fn new() -> Arc<Board> {
        Arc::new(Board {
            start: Instant::now(),
            slots: Mutex::new(Vec::new()),
        })
    }

    pub fn slot(&self, name: impl Into<String>) -> Arc<Slot> {
        self.slot_with(name, None)
    }

    /// A slot that may sit idle while `lag` says nothing is owed.
    pub fn slot_with(
        &self,
        name: impl Into<String>,
        lag: Option<Box<dyn Fn() -> bool + Send + Sync>>,
    ) -> Arc<Slot> {
        let slot = Arc::new(Slot {
            name: name.into(),
            op: Mutex::new("starting"),
            last_ms: AtomicU64::new(self.start.elapsed().as_millis() as u64),
            ops: AtomicU64::new(0),
            finished: AtomicBool::new(false),
            start: self.start,
            lag,
        });
        self.slots.lock().push(slot.clone());
        slot
    }

    /// One line per slot: name, operation, time since its last progress, operations.
    pub fn dump(&self) -> String {
        let now = self.start.elapsed().as_millis() as u64;
        let mut out = String::new();
        for slot in self.slots.lock().iter() {
            let idle = now.saturating_sub(slot.last_ms.load(Ordering::Relaxed));
            out.push_str(&format!(
                "  {:<22} {:<34} last progress {:>7} ms ago, {} ops\n",
                slot.name,
                *slot.op.lock(),
                idle,
                slot.ops()
            ));
        }
        out
    }

    /// The first stuck slot's description, if any.
    pub fn stuck(&self, limit: Duration) -> Option<String> {
        let now = self.start.elapsed().as_millis() as u64;
        let limit_ms = limit.as_millis() as u64;
        for slot in self.slots.lock().iter() {
            if slot.finished.load(Ordering::Relaxed) {
                continue;
            }
            let idle = now.saturating_sub(slot.last_ms.load(Ordering::Relaxed));
            if idle <= limit_ms {
                continue;
            }
            if slot.lag.as_ref().is_some_and(|lag| !lag()) {
                continue;
            }
            return Some(format!(
                "{} made no progress for {idle} ms (in: {})",
                slot.name,
                *slot.op.lock()
            ));
        }
        None
    }
}

/// The resident set in bytes (`/proc/self/statm`'s second field, in pages of
/// `page_size`), or 0 where there is no /proc.
pub fn rss_bytes(page_size: u64) -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * page_size)
}

/// The page size: the kernel's, as /proc/self/smaps reports it (4 KiB if not found).
pub fn page_size() -> u64 {
    std::fs::read_to_string("/proc/self/smaps")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("KernelPageSize:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(4096, |kb| kb * 1024)
}

/// One memory sample: seconds since the start, resident bytes, records in the channels.
#[derive(Clone, Copy, Debug)]
pub struct Sample {
    pub at: f64,
    pub rss: u64,
    pub records: u64,
}

/// The watchdog thread: samples until `stop`, checking for stuck slots.
pub fn spawn(
    board: Arc<Board>,
    limit: Duration,
    stop: Arc<AtomicBool>,
    records: Box<dyn Fn() -> u64 + Send>,
) -> JoinHandle<Vec<Sample>> {
    std::thread::Builder::new()
        .name("soak-watchdog".into())
        .spawn(move || {
            let page = page_size();
            let mut samples = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                samples.push(Sample {
                    at: board.start.elapsed().as_secs_f64(),
                    rss: rss_bytes(page),
                    records: records(),
                });
                if let Some(what) = board.stuck(limit) {
                    eprintln!("soak: WATCHDOG: {what}; every worker:\n{}", board.dump());
                    eprintln!("soak: FAILED (a call made no progress: deadlock or hang)");
                    std::process::exit(3);
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            samples
        })
        .expect("spawn the watchdog")
}

/// What the samples say about memory: the means of the first and last quarter after
/// warm-up, the trend, and whether the last quarter stays within the bound.
#[derive(Debug, Clone)]
pub struct MemoryVerdict {
    pub peak_rss: u64,
    pub first_quarter: u64,
    pub last_quarter: u64,
    /// The least-squares slope of RSS after warm-up, in bytes per minute.
    pub slope_per_minute: f64,
    pub bound: u64,
    pub judged: bool,
    pub peak_records: u64,
}

impl MemoryVerdict {
    pub fn ok(&self) -> bool {
        !self.judged || self.last_quarter <= self.bound
    }
}

/// Judges `samples` after `warm_up` seconds. The store saw-tooths between clears up to its
/// cap (MaxSize), so a quarter's mean depends on where the teeth fall; the first half after
/// warm-up has seen the store at its peaks. Memory is bounded if the last quarter's mean stays
/// within the first half's peak (or the first quarter's mean, if higher) plus 25% and 16 MiB:
/// a one-minute run may not see the store at its highest tooth before its last quarter (a
/// delayed clear), and the allocator keeps freed memory. Runs with under 40 samples or under
/// `JUDGED_SPAN` seconds after warm-up are not judged: in a shorter run the store's own
/// saw-tooth (records held between clears) outweighs any leak.
/// The least time after warm-up, in seconds, over which memory is judged.
pub const JUDGED_SPAN: f64 = 150.0;

pub fn judge(samples: &[Sample], warm_up: f64) -> MemoryVerdict {
    let peak_rss = samples.iter().map(|s| s.rss).max().unwrap_or(0);
    let peak_records = samples.iter().map(|s| s.records).max().unwrap_or(0);
    let after: Vec<&Sample> = samples.iter().filter(|s| s.at >= warm_up).collect();
    let quarter = after.len() / 4;
    let mean = |part: &[&Sample]| {
        if part.is_empty() {
            0
        } else {
            part.iter().map(|s| s.rss).sum::<u64>() / part.len() as u64
        }
    };
    let first_quarter = mean(&after[..quarter]);
    let last_quarter = mean(&after[after.len() - quarter..]);
    let first_half_peak = after[..after.len() / 2]
        .iter()
        .map(|s| s.rss)
        .max()
        .unwrap_or(0);
    let base = first_half_peak.max(first_quarter);
    MemoryVerdict {
        peak_rss,
        first_quarter,
        last_quarter,
        slope_per_minute: slope(&after) * 60.0,
        bound: base + base / 4 + (16 << 20),
        judged: after.len() >= 40
            && after.last().map_or(0.0, |s| s.at) - after.first().map_or(0.0, |s| s.at)
                >= JUDGED_SPAN,
        peak_records,
    }
}

/// Least-squares slope of RSS over time, in bytes per second.
fn slope(samples: &[&Sample]) -> f64 {
    let n = samples.len() as f64;
    if n < 2.0 {
        return 0.0;
    }
    let mean_t = samples.iter().map(|s| s.at).sum::<f64>() / n;
    let mean_r = samples.iter().map(|s| s.rss as f64).sum::<f64>() / n;
    let (mut num, mut den) = (0.0, 0.0);
    for s in samples {
        num += (s.at - mean_t) * (s.rss as f64 - mean_r);
        den += (s.at - mean_t) * (s.at - mean_t);
    }
    if den == 0.0 {
        0.0
    } else {
        num / den
    }
}
