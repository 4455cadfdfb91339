//! Criterion benches of the cancellation machinery through the public API: a `next` scan
//! (polling once per 64 records), a session cancel walking 1000 open result sets, and query
//! setup and drop (a handle scope created and removed). `benches/report.rs` prints cancel
//! latency, fan-out and poll overhead in one run.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use evtlog::{Engine, QueryFlags};

mod common;

fn cancellation(c: &mut Criterion) {
    let n = if common::full_run() { 100_000 } else { 1_000 };
    let engine = Engine::new();
    common::tiny_channel(&engine, "Tiny", n);
    let session = engine.open_session();
    let mut group = c.benchmark_group("cancel");
    group.throughput(Throughput::Elements(n as u64));
    group.bench_function("next_scan", |b| {
        b.iter(|| {
            let rs = session
                .query(Some("Tiny"), Some(common::NEVER), QueryFlags::default())
                .expect("query");
            rs.next(1, None).is_ok()
        })
    });
    group.throughput(Throughput::Elements(1000));
    let busy = engine.open_session();
    let open: Vec<_> = (0..1000)
        .map(|_| {
            busy.query(Some("Tiny"), None, QueryFlags::default())
                .expect("query")
        })
        .collect();
    group.bench_function("session_cancel_1000_result_sets", |b| {
        b.iter(|| busy.cancel())
    });
    drop(open);
    group.throughput(Throughput::Elements(1));
    group.bench_function("query_setup_and_drop", |b| {
        b.iter(|| {
            session
                .query(Some("Tiny"), None, QueryFlags::default())
                .is_ok()
        })
    });
    group.finish();
}

criterion_group!(benches, cancellation);
criterion_main!(benches);
