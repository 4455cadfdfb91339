//! The soak (`examples/soak`, run for a minute per store kind by CI) in miniature, so that it
//! cannot rot: a second and a half of the same mix on a persistent store and then in memory,
//! with a light load, and the same checks (the books balance, every subscriber had every
//! record, no call stuck, no file left behind). Memory is not judged on so short a run.
//!
//! The facade's engine is the store `EVTLOG_STORE` names when the process first uses the
//! facade, so this file is its own test binary and only its soak test touches the facade.

#[path = "../examples/soak/facade.rs"]
mod facade;
#[path = "../examples/soak/ledger.rs"]
mod ledger;
#[path = "../examples/soak/soak.rs"]
mod soak;
#[path = "../examples/soak/watch.rs"]
mod watch;
#[path = "../examples/soak/workers.rs"]
mod workers;

use std::path::PathBuf;
use std::time::Duration;

use soak::{Config, StoreKind};

fn short(store: StoreKind, work_dir: PathBuf) -> Config {
    Config {
        seconds: 1.5,
        store,
        writers: 3,
        write_rate: 1500,
        clear_at: 400,
        max_size: 1 << 20,
        progress: None,
        watchdog: Duration::from_secs(60),
        work_dir,
        warm_up: 0.5,
    }
}

#[test]
fn a_short_soak_on_a_store_and_in_memory_loses_nothing() {
    let root = std::env::temp_dir().join(format!("evtlog-soak-test-{}", std::process::id()));
    let store = root.join("store");
    std::env::set_var("EVTLOG_STORE", &store);
    let mut failed = Vec::new();
    for (kind, work) in [
        (StoreKind::Dir(store.clone()), root.join("work-dir")),
        (StoreKind::Memory, root.join("work-memory")),
    ] {
        let report = soak::run(short(kind, work));
        report.print();
        if report.failure_count > 0 {
            failed.push(format!("{}: {:?}", report.store, report.failures));
        }
        let count = |key: &str| report.tally.get(key).copied().unwrap_or(0);
        // The mix ran: every kind of call happened.
        for key in [
            "writes (rust)",
            "writes (winevt xml)",
            "clears (rust)",
            "clears (winevt)",
            "exports (rust)",
            "exports (winevt)",
            "queries (winevt)",
            "queries: seeks (rust)",
            "cancels issued: session",
            "delivered to push (rust)",
            "delivered to push (winevt)",
            "delivered to pull (rust)",
            "delivered to pull (winevt)",
        ] {
            assert!(count(key) > 0, "{}: no {key}", report.store);
        }
    }
    let _ = std::fs::remove_dir_all(&root);
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn the_watchdog_names_a_stuck_worker_and_its_call() {
    let board = watch::Board::new();
    let idle = board.slot("idle worker");
    idle.finish();
    let stuck = board.slot("query (rust)");
    let _op = stuck.begin("ResultSet::next");
    std::thread::sleep(Duration::from_millis(30));
    let what = board
        .stuck(Duration::from_millis(10))
        .expect("a stuck worker");
    assert!(what.starts_with("query (rust) made no progress"), "{what}");
    assert!(what.ends_with("(in: ResultSet::next)"), "{what}");
    assert!(board.dump().contains("ResultSet::next"));
    assert!(board.stuck(Duration::from_secs(60)).is_none());
}

#[test]
fn memory_is_judged_on_the_quarters_after_warm_up() {
    let samples = |growth: u64| -> Vec<watch::Sample> {
        (0..100)
            .map(|i| watch::Sample {
                at: i as f64 * 2.0,
                rss: (100 << 20) + i * growth,
                records: 0,
            })
            .collect()
    };
    assert!(watch::judge(&samples(0), 20.0).ok());
    let growing = watch::judge(&samples(4 << 20), 20.0);
    assert!(growing.judged && !growing.ok(), "{growing:?}");
    assert!(!watch::judge(&samples(1 << 20)[..20], 0.0).judged);
}
