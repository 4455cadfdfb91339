//! Criterion benches of filter throughput: each query over a channel of 1M generated events,
//! one thread. Targets: >= 10M records/s for System predicates, >= 3M records/s for EventData.
//! `benches/report.rs` prints the same figures in one run.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use evtlog::XPathFilter;

mod common;

fn filters(c: &mut Criterion) {
    let n = if common::full_run() { 1_000_000 } else { 2_000 };
    let (_engine, channel, now) = common::generated_channel(n);
    let snapshot = channel.snapshot();
    let mut group = c.benchmark_group("filter");
    group.sample_size(10);
    group.throughput(Throughput::Elements(n as u64));
    for (name, query, _) in common::QUERIES {
        let filter = XPathFilter::compile(query).expect("query compiles");
        group.bench_function(*name, |b| {
            b.iter(|| snapshot.iter().filter(|e| filter.matches(e, now)).count())
        });
    }
    group.bench_function("scan_only", |b| b.iter(|| snapshot.iter().count()));
    group.finish();
}

criterion_group!(benches, filters);
criterion_main!(benches);
