//! Criterion benches of the foundation: appending to a channel and rendering event XML.
//!
//! Targets (2-core machine, one thread): append >= 2M events/s and XML render >= 1M
//! events/s for a typical 4624 event. `benches/report.rs` prints the same figures in one run.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use evtlog::{ChannelConfig, ChannelType, Engine, Event, Generator, Profile};

/// Events per timed batch: large enough to amortise setup, small enough to stay in cache
/// like an event that was just built.
const BATCH: usize = 1000;

fn logon_events(n: usize) -> Vec<Event> {
    let mut generator = Generator::new(7);
    (0..n).map(|_| generator.logon_4624()).collect()
}

fn append(c: &mut Criterion) {
    let events = logon_events(BATCH);
    let mut group = c.benchmark_group("append");
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("channel_append_4624", |b| {
        b.iter_batched(
            || {
                let engine = Engine::new();
                let config = ChannelConfig::new("Security", ChannelType::Admin)
                    .with_max_size(ChannelConfig::UNBOUNDED);
                let channel = engine.create_channel(config).expect("channel");
                (engine, channel, events.clone())
            },
            |(engine, channel, batch)| {
                for event in batch {
                    channel.append(event).expect("append");
                }
                // Returned so that freeing happens outside the measurement.
                (engine, channel)
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
}

fn render(c: &mut Criterion) {
    let mut group = c.benchmark_group("xml_render");
    group.throughput(Throughput::Elements(1));
    let event = logon_events(1).remove(0);
    let mut out = String::with_capacity(4096);
    group.bench_function("render_4624", |b| {
        b.iter(|| {
            out.clear();
            event.write_xml(&mut out);
            out.len()
        });
    });
    let mut generator = Generator::new(11);
    let mix: Vec<Event> = (0..BATCH)
        .map(|i| generator.next_event(Profile::ALL[i % 5]))
        .collect();
    group.throughput(Throughput::Elements(BATCH as u64));
    group.bench_function("render_generated_mix", |b| {
        b.iter(|| {
            let mut total = 0;
            for event in &mix {
                out.clear();
                event.write_xml(&mut out);
                total += out.len();
            }
            total
        });
    });
    group.finish();
}

criterion_group!(benches, append, render);
criterion_main!(benches);
