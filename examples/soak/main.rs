//! A soak of one engine under load: writers, push and pull subscribers, queries, seeks,
//! cancels, clears with backups and exports, all at once, through the Rust API and the
//! `winevt` facade, on a persistent store and in memory; then the books are checked
//! (nothing lost or duplicated), a watchdog fails any call that makes no progress, and the
//! resident set must stay bounded. Prints one summary per store; exits non-zero on any
//! failure.
//!
//! ```sh
//! cargo run --release --example soak -- --seconds 60            # each store kind, 60 s
//! cargo run --release --example soak -- --seconds 300 --store dir
//! ```
//!
//! Options: `--seconds N` (per store kind, default 60), `--store memory|dir|both` (default
//! both), `--writers N` (default 4), `--rate N` (events per second per writer, 0 for as
//! fast as possible; default 2000), `--clear-at N` (records that make a channel due for a
//! clear; default 10000), `--max-size-mib N` (each channel's MaxSize, do not overwrite: a
//! full channel refuses writes until cleared; default 8), `--watchdog N` (seconds without
//! progress that fail the run; default 30).

mod facade;
mod ledger;
mod soak;
mod watch;
mod workers;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use soak::{Config, StoreKind};

struct Args {
    seconds: f64,
    memory: bool,
    dir: bool,
    writers: usize,
    rate: u64,
    clear_at: u64,
    max_size: u64,
    watchdog: u64,
}

fn parse() -> Result<Args, String> {
    let mut args = Args {
        seconds: 60.0,
        memory: true,
        dir: true,
        writers: 4,
        rate: 2000,
        clear_at: 10_000,
        max_size: 8,
        watchdog: 30,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let number = |v: String| v.parse::<f64>().map_err(|e| format!("{flag} {v}: {e}"));
        match flag.as_str() {
            "--seconds" => args.seconds = number(value()?)?,
            "--writers" => args.writers = number(value()?)?.max(2.0) as usize,
            "--rate" => args.rate = number(value()?)? as u64,
            "--clear-at" => args.clear_at = number(value()?)?.max(1.0) as u64,
            "--max-size-mib" => args.max_size = number(value()?)?.max(1.0) as u64,
            "--watchdog" => args.watchdog = number(value()?)?.max(1.0) as u64,
            "--store" => match value()?.as_str() {
                "memory" => (args.memory, args.dir) = (true, false),
                "dir" => (args.memory, args.dir) = (false, true),
                "both" => (args.memory, args.dir) = (true, true),
                other => return Err(format!("--store memory|dir|both, not {other}")),
            },
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("soak: {e}");
            return ExitCode::from(2);
        }
    };
    let root = std::env::temp_dir().join(format!("evtlog-soak-{}", std::process::id()));
    let store = root.join("store");
    // The facade's service engine is the store EVTLOG_STORE names when the process first
    // uses the facade: set it before anything runs (one thread so far).
    if args.dir {
        std::env::set_var("EVTLOG_STORE", &store);
    }
    let config = |kind: StoreKind, work: PathBuf| Config {
        seconds: args.seconds,
        store: kind,
        writers: args.writers,
        write_rate: args.rate,
        clear_at: args.clear_at,
        max_size: args.max_size << 20,
        progress: Some(Duration::from_secs(10)),
        watchdog: Duration::from_secs(args.watchdog),
        work_dir: work,
        warm_up: (args.seconds * 0.2).min(30.0),
    };
    let mut ok = true;
    if args.dir {
        let report = soak::run(config(StoreKind::Dir(store.clone()), root.join("work-dir")));
        report.print();
        ok &= report.ok();
    }
    if args.memory {
        let report = soak::run(config(StoreKind::Memory, root.join("work-memory")));
        report.print();
        ok &= report.ok();
    }
    let _ = std::fs::remove_dir_all(&root);
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
