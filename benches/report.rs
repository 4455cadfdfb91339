//! The one-run performance report: `cargo bench --bench report` prints one `name value unit`
//! line per figure. Later capabilities add their figures here.
//!
//! Each figure is the median of several rounds. Anchors measured in the same run (a plain
//! `Vec::push` of the same events, a `memcpy` of the same XML) give ratios that stay
//! meaningful on a shared, noisy machine. Without `--bench` (as `cargo test --benches` runs
//! it) every figure runs once on a tiny input, to prove the report still works.

use std::hint::black_box;
use std::time::Instant;

use evtlog::{ChannelConfig, ChannelType, Engine, Event, Generator, Profile, XPathFilter};

mod common;

struct Settings {
    rounds: usize,
    batch: usize,
}

/// Runs `round` `settings.rounds` times; each call does `items` units of work. Returns the
/// median rate in units per second.
fn median_rate(settings: &Settings, items: usize, mut round: impl FnMut()) -> f64 {
    median_rate_with(settings, items, || (), |()| round())
}

/// Like [`median_rate`], with an untimed `setup` whose output the timed `round` consumes;
/// what `round` returns is dropped after the clock stops.
fn median_rate_with<I, O>(
    settings: &Settings,
    items: usize,
    mut setup: impl FnMut() -> I,
    mut round: impl FnMut(I) -> O,
) -> f64 {
    let mut rates: Vec<f64> = (0..settings.rounds)
        .map(|_| {
            let input = setup();
            let start = Instant::now();
            let output = round(input);
            let rate = items as f64 / start.elapsed().as_secs_f64().max(1e-9);
            drop(output);
            rate
        })
        .collect();
    rates.sort_by(f64::total_cmp);
    rates[rates.len() / 2]
}

fn print(name: &str, value: f64, unit: &str) {
    if value >= 100.0 {
        println!("{name} {value:.0} {unit}");
    } else {
        println!("{name} {value:.3} {unit}");
    }
}

fn logon_events(n: usize) -> Vec<Event> {
    let mut generator = Generator::new(7);
    (0..n).map(|_| generator.logon_4624()).collect()
}

/// Appends `batch` to a fresh unbounded Security channel; returns the channel so that it is
/// freed after the clock stops.
fn append_batch(batch: Vec<Event>) -> (Engine, std::sync::Arc<evtlog::Channel>) {
    let engine = Engine::new();
    let config =
        ChannelConfig::new("Security", ChannelType::Admin).with_max_size(ChannelConfig::UNBOUNDED);
    let channel = engine.create_channel(config).expect("channel");
    for event in batch {
        channel.append(event).expect("append");
    }
    (engine, channel)
}

fn append(settings: &Settings) {
    // Warm: batches of 1,000 just-cloned events, as a writer appends events it just built.
    const WARM: usize = 1_000;
    let warm_events = logon_events(WARM.min(settings.batch));
    let warm_settings = Settings {
        rounds: settings.rounds * 30,
        batch: warm_events.len(),
    };
    let rate = median_rate_with(
        &warm_settings,
        warm_events.len(),
        || warm_events.clone(),
        append_batch,
    );
    let anchor = median_rate_with(
        &warm_settings,
        warm_events.len(),
        || (Vec::new(), warm_events.clone()),
        |(mut sink, batch)| {
            for event in batch {
                sink.push(event);
            }
            sink
        },
    );
    print("append_events_per_s", rate, "events/s");
    print("append_vec_push_anchor_events_per_s", anchor, "events/s");
    print("append_vs_vec_push_ratio", rate / anchor, "ratio");

    // Cold: one large batch built long before, so that memory, not the store, is measured.
    let cold_events = logon_events(settings.batch);
    let cold = median_rate_with(
        settings,
        cold_events.len(),
        || cold_events.clone(),
        append_batch,
    );
    print("append_cold_batch_events_per_s", cold, "events/s");
}

fn render(settings: &Settings) {
    let event = logon_events(1).remove(0);
    let xml = event.to_xml();
    let mut out = String::with_capacity(4096);
    let n = settings.batch * 4;
    let rate = median_rate(settings, n, || {
        for _ in 0..n {
            out.clear();
            event.write_xml(&mut out);
            black_box(&out);
        }
    });
    let anchor = median_rate(settings, n, || {
        for _ in 0..n {
            out.clear();
            out.push_str(black_box(&xml));
            black_box(&out);
        }
    });
    print("xml_render_4624_events_per_s", rate, "events/s");
    print("xml_render_4624_bytes", xml.len() as f64, "bytes");
    print("xml_render_memcpy_anchor_events_per_s", anchor, "events/s");
    print("xml_render_vs_memcpy_ratio", rate / anchor, "ratio");

    let mut generator = Generator::new(11);
    let mix: Vec<Event> = (0..settings.batch)
        .map(|i| generator.next_event(Profile::ALL[i % 5]))
        .collect();
    let rate = median_rate(settings, mix.len(), || {
        for e in &mix {
            out.clear();
            e.write_xml(&mut out);
            black_box(&out);
        }
    });
    print("xml_render_mix_events_per_s", rate, "events/s");

    let texts: Vec<String> = mix.iter().map(Event::to_xml).collect();
    let rate = median_rate(settings, texts.len(), || {
        for t in &texts {
            black_box(Event::from_xml(t).expect("parse"));
        }
    });
    print("xml_parse_mix_events_per_s", rate, "events/s");
}

fn generate(settings: &Settings) {
    let rate = median_rate(settings, settings.batch, || {
        let mut generator = Generator::new(3);
        for i in 0..settings.batch {
            black_box(generator.next_event(Profile::ALL[i % 5]));
        }
    });
    print("generator_events_per_s", rate, "events/s");
}

/// Filter throughput over a channel of generated events (1M in a full run), with a scan that
/// filters nothing as the anchor.
fn filter(settings: &Settings) {
    let n = if settings.rounds > 1 {
        1_000_000
    } else {
        2_000
    };
    let (_engine, channel, now) = common::generated_channel(n);
    let snapshot = channel.snapshot();
    let rounds = Settings {
        rounds: settings.rounds.min(5),
        batch: n,
    };
    let scan = median_rate(&rounds, n, || {
        black_box(snapshot.iter().count());
    });
    print("filter_scan_only_records_per_s", scan, "records/s");
    for (name, query, _) in common::QUERIES {
        let filter = XPathFilter::compile(query).expect("query compiles");
        let rate = median_rate(&rounds, n, || {
            black_box(snapshot.iter().filter(|e| filter.matches(e, now)).count());
        });
        print(&format!("filter_{name}_records_per_s"), rate, "records/s");
    }
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let settings = if full {
        Settings {
            rounds: 7,
            batch: 50_000,
        }
    } else {
        Settings {
            rounds: 1,
            batch: 50,
        }
    };
    append(&settings);
    render(&settings);
    generate(&settings);
    filter(&settings);
}
