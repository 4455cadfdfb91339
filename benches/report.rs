//! The one-run performance report: `cargo bench --bench report` prints one `name value unit`
//! line per figure. Later capabilities add their figures here.
//!
//! `cargo bench --bench report -- cancellation` runs only the sections whose names contain
//! the words given (append, render, generate, filter, cancellation, evtx, subscribe, export,
//! format, store, cli).
//!
//! Each figure is the median of several rounds. Anchors measured in the same run (a plain
//! `Vec::push` of the same events, a `memcpy` of the same XML) give ratios that stay
//! meaningful on a shared, noisy machine. Without `--bench` (as `cargo test --benches` runs
//! it) every figure runs once on a tiny input, to prove the report still works.

use std::hint::black_box;
use std::time::Instant;

use evtlog::{ChannelConfig, ChannelType, Engine, Event, Generator, Profile, XPathFilter};

#[path = "report/cli.rs"]
mod cli;
mod common;
#[path = "report/store.rs"]
mod store;
// The real samples, found as the tests find them.
#[path = "../tests/support/samples.rs"]
mod samples;

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

/// Times `a` and `b` back to back, `rounds` times, alternating which goes first, so that
/// both see the same moments of a shared, noisy machine. Returns each one's median rate and
/// the median of the per-round ratios `a / b`.
fn paired_rates(
    rounds: usize,
    (a_items, mut a): (usize, impl FnMut()),
    (b_items, mut b): (usize, impl FnMut()),
) -> (f64, f64, f64) {
    let time = |items: usize, f: &mut dyn FnMut()| {
        let start = Instant::now();
        f();
        items as f64 / start.elapsed().as_secs_f64().max(1e-9)
    };
    let (mut a_rates, mut b_rates, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds.max(1) {
        let (ra, rb) = if round % 2 == 0 {
            let ra = time(a_items, &mut a);
            (ra, time(b_items, &mut b))
        } else {
            let rb = time(b_items, &mut b);
            (time(a_items, &mut a), rb)
        };
        a_rates.push(ra);
        b_rates.push(rb);
        ratios.push(ra / rb);
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    (median(a_rates), median(b_rates), median(ratios))
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
    append_batch_with(batch, evtlog::DEFAULT_HOT_WINDOW)
}

/// Like [`append_batch`], with the channel's hot window set first.
fn append_batch_with(
    batch: Vec<Event>,
    hot_window: u64,
) -> (Engine, std::sync::Arc<evtlog::Channel>) {
    let engine = Engine::new();
    engine.set_hot_window(hot_window);
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
    // The same with every record held as an event: what compaction costs a bulk writer.
    let whole = median_rate_with(
        settings,
        cold_events.len(),
        || cold_events.clone(),
        |batch| append_batch_with(batch, u64::MAX),
    );
    print("append_cold_batch_whole_events_per_s", whole, "events/s");
    print("append_cold_batch_vs_whole_ratio", cold / whole, "ratio");
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
    let (engine, channel, now) = common::generated_channel(n);
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
    drop(snapshot);
    compact_queries(&rounds, &engine);
}

/// Queries (`Session::query`, `next` in batches of 1,024) over the filter section's events
/// held compact (every sealed chunk) against the same events held whole, in the same rounds:
/// what a scan costs on compact records (issue 20's targets: System predicates at 25M
/// records/s or more, EventData predicates at 5M or more).
fn compact_queries(rounds: &Settings, whole_engine: &Engine) {
    use evtlog::{Next, QueryFlags};
    let n = rounds.batch;
    let (compact_engine, _compact, _) = common::generated_channel_with(n, 0);
    let drain = |engine: &Engine, query: &str| {
        let rs = engine
            .default_session()
            .query(Some("Mixed"), Some(query), QueryFlags::CHANNEL_PATH)
            .expect("query");
        let mut read = 0;
        while let Ok(Next::Events(batch)) = rs.next(1024, None) {
            read += batch.len();
        }
        black_box(read);
    };
    let never = ("never", common::NEVER, false);
    for (name, query, _) in std::iter::once(&never).chain(common::QUERIES) {
        let whole_rate = median_rate(rounds, n, || drain(whole_engine, query));
        let compact_rate = median_rate(rounds, n, || drain(&compact_engine, query));
        print(
            &format!("query_whole_{name}_records_per_s"),
            whole_rate,
            "records/s",
        );
        print(
            &format!("query_compact_{name}_records_per_s"),
            compact_rate,
            "records/s",
        );
        print(
            &format!("query_compact_vs_whole_{name}_ratio"),
            compact_rate / whole_rate,
            "ratio",
        );
    }
    // Rendering what a query returns: through the reused probe for compact records.
    let render = |engine: &Engine| {
        let rs = engine
            .default_session()
            .query(Some("Mixed"), Some("*"), QueryFlags::CHANNEL_PATH)
            .expect("query");
        let mut xml = String::with_capacity(4096);
        while let Ok(Next::Events(batch)) = rs.next(1024, None) {
            for event in &batch {
                xml.clear();
                event.write_xml(&mut xml);
                black_box(&xml);
            }
        }
    };
    let few = Settings {
        rounds: rounds.rounds.min(3),
        batch: n,
    };
    let whole_rate = median_rate(&few, n, || render(whole_engine));
    let compact_rate = median_rate(&few, n, || render(&compact_engine));
    print("query_render_whole_events_per_s", whole_rate, "events/s");
    print(
        "query_render_compact_events_per_s",
        compact_rate,
        "events/s",
    );
    print(
        "query_render_compact_vs_whole_ratio",
        compact_rate / whole_rate,
        "ratio",
    );
}

/// How many times a thread has been switched out involuntarily, from its `status` file
/// under /proc (Linux; 0 where the count cannot be read, so that every trial counts as
/// quiet there).
fn involuntary_switches(status: &str) -> u64 {
    std::fs::read_to_string(status)
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("nonvoluntary_ctxt_switches:"))
                .and_then(|count| count.trim().parse().ok())
        })
        .unwrap_or(0)
}

/// The calling thread's id (Linux), for its files under /proc and `taskset`.
fn thread_id() -> Option<String> {
    std::fs::read_link("/proc/thread-self")
        .ok()
        .and_then(|link| {
            link.file_name()
                .map(|tid| tid.to_string_lossy().into_owned())
        })
}

/// Pins the calling thread to the CPUs in `cpus` (a `taskset` list) with `taskset`; false
/// where that cannot be done.
fn pin_thread(cpus: &str) -> bool {
    let Some(tid) = thread_id() else {
        return false;
    };
    std::process::Command::new("taskset")
        .args(["-p", "-c", cpus, &tid])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

/// Cancel latency, fan-out, poll overhead and scan rate (issue 4's figures).
fn cancellation(settings: &Settings) {
    use evtlog::{CallKind, Next, QueryFlags};
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    let full = settings.rounds > 1;
    let sizes: &[usize] = if full {
        &[10_000, 100_000, 1_000_000, 10_000_000]
    } else {
        &[1_000]
    };
    let engine = Engine::new();
    let mut p50s = Vec::new();
    let mut quiet_p50s = Vec::new();
    for &n in sizes {
        let name = format!("Walk{n}");
        // The trials cancel the full EventID column walk (`WALK`: no chunk's summary rules it
        // out), the walk these figures have always timed; `NEVER` on the same channel is
        // ruled out by every chunk's summary, a walk of chunk headers: the scan rate.
        common::walk_channel(&engine, &name, n);
        let session = engine.open_session();
        let timed_scan = |query: &str| {
            let rs = session
                .query(Some(&name), Some(query), QueryFlags::default())
                .expect("query");
            let start = Instant::now();
            assert!(matches!(rs.next(1, None), Ok(Next::End)));
            start.elapsed()
        };
        // How long a full walk takes, to cancel somewhere inside it.
        let full_scan = timed_scan(common::WALK);
        if n == *sizes.last().unwrap_or(&0) || !full {
            let skipped = timed_scan(common::NEVER);
            print(
                "scan_records_per_s",
                n as f64 / skipped.as_secs_f64(),
                "records/s",
            );
        }
        // A worker runs next() on demand; the main thread cancels at a pseudo-random point.
        let (to_worker, jobs) = mpsc::channel::<evtlog::ResultSet>();
        let (to_main, done) = mpsc::channel::<(bool, Instant)>();
        let (worker_id, worker_id_sent) = mpsc::channel::<Option<String>>();
        // The trials whose worker has returned from next(): the cancelling thread spins on
        // it and reads its own clock when it moves, hot, where the worker's first clock read
        // after a long walk is cold (its code and data lines, their pages).
        let returned_trials = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let worker_returned = std::sync::Arc::clone(&returned_trials);
        // The number of calls the worker has entered: the delay counts from the call's start,
        // not from the hand-off (a scan shorter than the worker's wake-up from the channel
        // would otherwise be cancelled before it began, timing the wake-up).
        let entered = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let worker_entered = std::sync::Arc::clone(&entered);
        // The two threads on CPUs of their own where there are two: a worker woken onto
        // the cancelling thread's CPU (the scheduler's wake-affine placement) runs its
        // scan to the end while that thread waits, or delays the cancel by a time slice.
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        let pinned = cpus >= 2 && pin_thread("0");
        let worker = std::thread::spawn(move || {
            if pinned {
                pin_thread("1");
            }
            let _ = worker_id.send(thread_id());
            for rs in jobs {
                worker_entered.fetch_add(1, std::sync::atomic::Ordering::Release);
                let cancelled = matches!(rs.next(1, None), Err(e) if e.win32_code() == 1223);
                worker_returned.fetch_add(1, std::sync::atomic::Ordering::Release);
                let _ = to_main.send((cancelled, Instant::now()));
            }
        });
        // 200 at the largest sizes too, so that their p99 is not simply the worst sample.
        let trials = if !full {
            5
        } else if n >= 1_000_000 {
            200
        } else {
            600
        };
        let mut latencies = Vec::with_capacity(trials);
        let mut calls = Vec::with_capacity(trials);
        let mut quiet = Vec::with_capacity(trials);
        let worker_status = match worker_id_sent.recv() {
            Ok(Some(tid)) => format!("/proc/self/task/{tid}/status"),
            _ => String::new(),
        };
        let mut seed = 0x9e37_79b9_u64;
        for trial in 1..=trials {
            let rs = session
                .query(Some(&name), Some(common::WALK), QueryFlags::default())
                .expect("query");
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let delay = full_scan.mul_f64(0.1 + 0.6 * (seed % 1000) as f64 / 1000.0);
            // Read before the hand-off, and again once the cancelled call's return is seen:
            // a trial is quiet when neither thread was switched out in all of it. Not read
            // between the delay and the cancel: the two reads of /proc take longer than a
            // whole scan at 10^4, whose trials then ran out uncancelled.
            let switches = [
                involuntary_switches("/proc/thread-self/status"),
                involuntary_switches(&worker_status),
            ];
            let _ = to_worker.send(rs.clone());
            while entered.load(std::sync::atomic::Ordering::Acquire) < trial {
                std::hint::spin_loop();
            }
            // Spin rather than sleep: sleeps are coarse at these scales and leave this
            // thread cold, which would be measured as cancel latency.
            let until = Instant::now() + delay;
            while Instant::now() < until {
                std::hint::spin_loop();
            }
            let t0 = Instant::now();
            rs.cancel();
            // The cancelling thread's own share: the worker runs on, so this is not on the
            // measured path unless the flag is set last.
            let returned = Instant::now();
            while returned_trials.load(std::sync::atomic::Ordering::Acquire) < trial {
                std::hint::spin_loop();
            }
            let seen = Instant::now();
            let quiet_trial = switches
                == [
                    involuntary_switches("/proc/thread-self/status"),
                    involuntary_switches(&worker_status),
                ];
            if let Ok((true, t1)) = done.recv() {
                latencies.push(t1.saturating_duration_since(t0).as_secs_f64() * 1e6);
                calls.push(returned.saturating_duration_since(t0).as_secs_f64() * 1e6);
                // Neither thread switched out by the scheduler in the trial: the code's
                // latency, not the machine's load.
                if quiet_trial {
                    quiet.push(seen.saturating_duration_since(t0).as_secs_f64() * 1e6);
                }
            }
        }
        drop(to_worker);
        let _ = worker.join();
        if pinned {
            pin_thread(&format!("0-{}", cpus - 1));
        }
        latencies.sort_by(f64::total_cmp);
        calls.sort_by(f64::total_cmp);
        quiet.sort_by(f64::total_cmp);
        let quantile = |sorted: &[f64], q: f64| {
            sorted
                .get(((sorted.len() as f64 - 1.0) * q).round() as usize)
                .copied()
                .unwrap_or(f64::NAN)
        };
        let pick = |q: f64| quantile(&latencies, q);
        print(&format!("cancel_p50_us_{n}"), pick(0.5), "us");
        p50s.push(pick(0.5));
        print(&format!("cancel_p99_us_{n}"), pick(0.99), "us");
        // How long `cancel()` itself takes on the cancelling thread (same trials).
        print(
            &format!("cancel_call_p50_us_{n}"),
            quantile(&calls, 0.5),
            "us",
        );
        print(
            &format!("cancel_samples_{n}"),
            latencies.len() as f64,
            "samples",
        );
        // The same trials less those in which either thread was switched out involuntarily,
        // timed on the cancelling thread's clock up to its seeing the worker's return.
        print(
            &format!("cancel_quiet_p50_us_{n}"),
            quantile(&quiet, 0.5),
            "us",
        );
        quiet_p50s.push(quantile(&quiet, 0.5));
        print(
            &format!("cancel_quiet_p99_us_{n}"),
            quantile(&quiet, 0.99),
            "us",
        );
        print(
            &format!("cancel_quiet_samples_{n}"),
            quiet.len() as f64,
            "samples",
        );
    }

    // Flat in the log's size: the p50 at the largest size over the p50 at the smallest.
    if let (Some(first), Some(last)) = (p50s.first(), p50s.last()) {
        print("cancel_p50_growth_ratio", last / first, "ratio");
    }
    if let (Some(first), Some(last)) = (quiet_p50s.first(), quiet_p50s.last()) {
        print("cancel_quiet_p50_growth_ratio", last / first, "ratio");
    }

    // Poll overhead: next() against a raw scan with the same filter, on the full EventID
    // column walk (a filter no chunk's summary rules out: `common::WALK`), as the cancel
    // trials above.
    let n = if full { 1_000_000 } else { 1_000 };
    let name = "Poll";
    let channel = common::walk_channel(&engine, name, n);
    let session = engine.open_session();
    let filter = XPathFilter::compile(common::WALK).expect("filter");
    let snapshot = channel.snapshot();
    let rounds = Settings {
        rounds: settings.rounds.max(3),
        batch: n,
    };
    // Interleaved rounds, so that the machine's drift hits both alike.
    let (mut raw_rates, mut polled_rates) = (Vec::new(), Vec::new());
    for _ in 0..rounds.rounds * 2 {
        let start = Instant::now();
        black_box(
            snapshot
                .iter()
                .filter(|e| filter.matches(e, evtlog::FileTime(0)))
                .count(),
        );
        raw_rates.push(n as f64 / start.elapsed().as_secs_f64());
        let rs = session
            .query(Some(name), Some(common::WALK), QueryFlags::default())
            .expect("query");
        let start = Instant::now();
        black_box(rs.next(1, None).ok());
        polled_rates.push(n as f64 / start.elapsed().as_secs_f64());
    }
    raw_rates.sort_by(f64::total_cmp);
    polled_rates.sort_by(f64::total_cmp);
    let (raw, polled) = (
        raw_rates[raw_rates.len() / 2],
        polled_rates[polled_rates.len() / 2],
    );
    print("poll_raw_scan_records_per_s", raw, "records/s");
    print("poll_next_scan_records_per_s", polled, "records/s");
    // The EventID column walk's rate (until session 10 `scan_records_per_s` measured it,
    // at 10^7 on `NEVER`, which chunk summaries now pass whole).
    print("column_walk_records_per_s", polled, "records/s");
    print("next_vs_raw_scan_pct", (raw / polled - 1.0) * 100.0, "%");

    // The poll's own cost, A/B on next() itself: polling every record against the default
    // interval gives the cost of one poll; the default interval's polls then cost that much
    // each (relative to the same scan without them).
    let default_interval = evtlog::DEFAULT_POLL_INTERVAL;
    let scan_with_interval = |interval: usize| {
        engine.set_poll_interval(interval);
        let rs = session
            .query(Some(name), Some(common::WALK), QueryFlags::default())
            .expect("query");
        let start = Instant::now();
        black_box(rs.next(1, None).ok());
        start.elapsed().as_secs_f64()
    };
    let (mut every, mut default) = (Vec::new(), Vec::new());
    for _ in 0..rounds.rounds * 2 {
        every.push(scan_with_interval(1));
        default.push(scan_with_interval(default_interval));
    }
    engine.set_poll_interval(default_interval);
    every.sort_by(f64::total_cmp);
    default.sort_by(f64::total_cmp);
    let (t_every, t_default) = (every[every.len() / 2], default[default.len() / 2]);
    // The filter bounds the EventID, so a batch is the interval's worth of column entries.
    let per_batch = evtlog::COLUMN_ENTRIES_PER_RECORD as f64;
    let polls_every = n as f64 / per_batch;
    let polls_default = n as f64 / (default_interval as f64 * per_batch);
    let per_poll = ((t_every - t_default) / (polls_every - polls_default)).max(0.0);
    let poll_time = per_poll * polls_default;
    print("poll_cost_ns", per_poll * 1e9, "ns");
    print(
        "poll_overhead_pct",
        poll_time / (t_default - poll_time).max(1e-12) * 100.0,
        "%",
    );

    // Fan-out: 1000 calls of one session stopped at a pause point; one session cancel.
    // Against the floor in the same run, round by round (alternating which goes first), so
    // that a burst of other load on this shared machine hits both: the ratio is the median
    // of the rounds' ratios, not one round's luck.
    let calls = if full { 1000 } else { 20 };
    let fanout_rounds = if full { 5 } else { 1 };
    let fanout = common::tiny_channel(&engine, "Fanout", 600);
    drop(fanout);
    let fan_out_once = || {
        let session = engine.open_session();
        let pause = engine.pause_at(CallKind::Next, 1);
        let threads: Vec<_> = (0..calls)
            .map(|_| {
                let rs = session
                    .query(Some("Fanout"), None, QueryFlags::default())
                    .expect("query");
                std::thread::Builder::new()
                    .stack_size(64 * 1024)
                    .spawn(move || {
                        let cancelled = rs.next(1024, None).is_err();
                        (cancelled, Instant::now())
                    })
                    .expect("thread")
            })
            .collect();
        pause.wait_stopped(calls);
        // As the floor does: let every thread reach its wait.
        std::thread::sleep(Duration::from_millis(50));
        let t0 = Instant::now();
        session.cancel();
        // Until the last call has returned (thread exit and join are not part of it).
        let returns: Vec<(bool, Instant)> =
            threads.into_iter().filter_map(|t| t.join().ok()).collect();
        assert!(
            returns.len() == calls && returns.iter().all(|(c, _)| *c),
            "every call returns Cancelled"
        );
        returns
            .iter()
            .map(|(_, t)| t.saturating_duration_since(t0))
            .max()
            .unwrap_or_default()
    };
    let (mut fan_outs, mut floors, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..fanout_rounds {
        // Anchor: the same number of threads blocked on one bare condvar, woken by one
        // notify_all, until the last has run: what the machine's scheduler allows at best.
        let (elapsed, floor) = if round % 2 == 0 {
            let elapsed = fan_out_once();
            (elapsed, wake_floor(calls))
        } else {
            let floor = wake_floor(calls);
            (fan_out_once(), floor)
        };
        fan_outs.push(elapsed.as_secs_f64());
        floors.push(floor.as_secs_f64());
        ratios.push(elapsed.as_secs_f64() / floor.as_secs_f64().max(1e-9));
    }
    let median = |mut v: Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    print(&format!("fanout_{calls}_ms"), median(fan_outs) * 1e3, "ms");
    print(
        &format!("fanout_floor_{calls}_ms"),
        median(floors) * 1e3,
        "ms",
    );
    print("fanout_vs_floor_ratio", median(ratios), "ratio");
    print("fanout_rounds", fanout_rounds as f64, "rounds");
}

/// EVTX reading: evtlog against the evtx crate, both reading and rendering XML of the same
/// sample files on one thread in the same run; and an EventID query over those files.
fn evtx(settings: &Settings) {
    use evtlog::QueryFlags;
    let Some(samples) = samples::samples() else {
        println!("evtx_samples_missing 1 flag");
        return;
    };
    let dir = samples.dir();
    let files: Vec<String> = [
        "evtx-crate/security.evtx",
        "evtx-crate/system.evtx",
        "evtx-crate/E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx",
        "plaso/System.evtx",
    ]
    .iter()
    .map(|f| dir.join(f))
    .filter(|p| p.is_file())
    .filter_map(|p| std::fs::canonicalize(p).ok())
    .map(|p| p.to_string_lossy().into_owned())
    .collect();
    if files.is_empty() {
        println!("evtx_samples_missing 1 flag");
        return;
    }
    let ours = || {
        files
            .iter()
            .map(|path| common::evtx_read_ours(path))
            .sum::<usize>()
    };
    let theirs = || {
        files
            .iter()
            .map(|path| evtx_read_theirs(path).0)
            .sum::<usize>()
    };
    let n = ours();
    let rounds = Settings {
        rounds: settings.rounds.min(5),
        batch: n,
    };
    let their_n = theirs();
    // Interleaved pairs: the ratio is the median of ratios measured moments apart.
    let (our_rate, their_rate, ratio) = paired_rates(
        (2 * rounds.rounds + 1).max(3),
        (n, || {
            black_box(ours());
        }),
        (their_n, || {
            black_box(theirs());
        }),
    );
    print("evtx_read_records_per_s", our_rate, "records/s");
    print("evtx_crate_read_records_per_s", their_rate, "records/s");
    print("evtx_read_ratio", ratio, "ratio");
    evtx_read_per_file(settings);
    // The query over every file, on one engine: after a first, untimed pass the engine
    // holds the files' template definitions (files.rs invariant 8), as it does for any
    // query after the first. A sample is several passes (one pass is ~3 ms, short enough
    // for one scheduler hiccup to decide it); the figure is the median sample.
    let passes = if settings.rounds > 1 { 8 } else { 1 };
    let engine = Engine::new();
    let session = engine.default_session();
    // What is done with each match: nothing (EvtNext alone), its XML rendered (EvtRender
    // of XML, straight from the record where the scan deferred the event: files.rs
    // invariant 9), or its `Event` made.
    #[derive(Clone, Copy)]
    enum Matches {
        Kept,
        Xml,
        Made,
    }
    let query_pass = |matches: Matches| {
        let mut xml = String::with_capacity(4096);
        for path in &files {
            if let Ok(rs) = session.query(
                Some(path),
                Some("*[System[EventID=4624]]"),
                QueryFlags::FILE_PATH,
            ) {
                while let Ok(evtlog::Next::Events(batch)) = rs.next(1024, None) {
                    for event in &batch {
                        match matches {
                            Matches::Kept => {}
                            Matches::Xml => {
                                xml.clear();
                                event.write_xml(&mut xml);
                                black_box(&xml);
                            }
                            Matches::Made => {
                                black_box(event.event());
                            }
                        }
                    }
                    black_box(batch.len());
                }
            }
        }
    };
    query_pass(Matches::Made);
    let samples = Settings {
        rounds: if settings.rounds > 1 { 9 } else { 1 },
        batch: n,
    };
    for (name, matches) in [
        ("evtx_query_records_per_s", Matches::Kept),
        ("evtx_query_xml_records_per_s", Matches::Xml),
        ("evtx_query_made_records_per_s", Matches::Made),
    ] {
        let rate = median_rate(&samples, n * passes, || {
            for _ in 0..passes {
                query_pass(matches);
            }
        });
        print(name, rate, "records/s");
    }
}

/// Every record of the file at `path` through the evtx crate's `records()` (XML), one
/// thread, checksums not validated; the records it rendered and the errors it gave.
fn evtx_read_theirs(path: &str) -> (usize, usize) {
    let settings = evtx::ParserSettings::new()
        .num_threads(1)
        .validate_checksums(false);
    let Ok(parser) = evtx::EvtxParser::from_path(path) else {
        return (0, 1);
    };
    let mut parser = parser.with_configuration(settings);
    let (mut records, mut errors) = (0, 0);
    for record in parser.records() {
        match record {
            Ok(record) => {
                black_box(&record.data);
                records += 1;
            }
            Err(_) => errors += 1,
        }
    }
    (records, errors)
}

/// `evtx_read_ratio_<file>` for every real sample and for a large file evtlog writes
/// (`evtx_read_ratio_large_<n>`), and their minimum `evtx_read_ratio_min`: the evtx crate's
/// time over ours for the whole file, each side reading every record as XML on one thread
/// (the median of interleaved rounds, each round several passes over a small file so that
/// it lasts ~100 ms). A sample the evtx crate reads no record of is skipped (said on stderr
/// and as `evtx_read_ratio_<file>_skipped`). The large file is `$EVTLOG_BENCH_LARGE_EVTX`
/// (read only), else the cli section's (`cli::large_file`, written once and reused).
fn evtx_read_per_file(settings: &Settings) {
    let full = settings.rounds > 1;
    let mut files = cli::sample_files();
    match cli::large_file(cli::records(full)) {
        Ok((label, path)) => files.push((format!("large_{label}"), path)),
        Err(why) => {
            eprintln!("evtx: the large file: {why}");
            println!("evtx_read_ratio_large_skipped 1 flag");
        }
    }
    let mut min: Option<f64> = None;
    for (label, path) in &files {
        let (their_n, errors) = evtx_read_theirs(path);
        if their_n == 0 {
            eprintln!("evtx: the evtx crate reads no record of {path} ({errors} errors): skipped");
            println!("evtx_read_ratio_{label}_skipped 1 flag");
            continue;
        }
        // Passes per round: enough for ~100 ms of ours (shorter rounds let one scheduler
        // hiccup decide a small file's ratio).
        let start = Instant::now();
        let n = common::evtx_read_ours(path);
        let once = start.elapsed().as_secs_f64();
        let passes = if full {
            ((0.1 / once.max(1e-6)) as usize).clamp(1, 3000)
        } else {
            1
        };
        let rounds = if !full {
            1
        } else if once > 0.5 {
            3
        } else {
            9
        };
        let (_, _, ratio) = paired_rates(
            rounds,
            (1, || {
                for _ in 0..passes {
                    black_box(common::evtx_read_ours(path));
                }
            }),
            (1, || {
                for _ in 0..passes {
                    black_box(evtx_read_theirs(path));
                }
            }),
        );
        if errors > 0 {
            eprintln!(
                "evtx: {label}: the evtx crate reads {their_n} records, {errors} errors; ours {n}"
            );
        }
        print(&format!("evtx_read_ratio_{label}"), ratio, "ratio");
        min = Some(min.map_or(ratio, |m: f64| m.min(ratio)));
    }
    match min {
        Some(m) => print("evtx_read_ratio_min", m, "ratio"),
        None => println!("evtx_read_ratio_min_skipped 1 flag"),
    }
}

/// Subscriptions (issue 6): append → callback latency with 1 and 8 push subscribers, and
/// the events per second one push subscriber takes from one writer.
fn subscribe(settings: &Settings) {
    use evtlog::{Delivery, SubscribeAction, SubscribeFlags};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};

    let full = settings.rounds > 1;
    let tiny = || {
        let mut event = Event::default();
        event.system.event_id = 1;
        event
    };

    // Latency: one append at a time, the next only once every subscriber has the last.
    // Back to back (a busy log: the delivery threads are still spinning for the next
    // append), and with 300 µs between appends (an idle log: every delivery is a wake-up
    // from park).
    let appends = if full { 3_000 } else { 20 };
    for (gap, label) in [
        (None, ""),
        (Some(std::time::Duration::from_micros(300)), "idle_"),
    ] {
        for subscribers in [1usize, 8] {
            let (engine, channel) = bench_channel();
            let session = engine.open_session();
            let received: Vec<Arc<(AtomicUsize, Mutex<Vec<Instant>>)>> = (0..subscribers)
                .map(|_| Arc::new((AtomicUsize::new(0), Mutex::new(Vec::with_capacity(appends)))))
                .collect();
            let subs: Vec<_> = received
                .iter()
                .map(|r| {
                    let r = Arc::clone(r);
                    session
                        .subscribe(
                            Some("Bench"),
                            None,
                            None,
                            SubscribeFlags::TO_FUTURE_EVENTS,
                            Delivery::push(move |action| {
                                let now = Instant::now();
                                if let SubscribeAction::Deliver(_) = action {
                                    r.1.lock().unwrap_or_else(|e| e.into_inner()).push(now);
                                    r.0.fetch_add(1, Ordering::Release);
                                }
                            }),
                        )
                        .expect("subscribe")
                })
                .collect();
            let mut sent = Vec::with_capacity(appends);
            for i in 0..appends {
                let event = tiny();
                let t0 = Instant::now();
                channel.append(event).expect("append");
                sent.push(t0);
                while received.iter().any(|r| r.0.load(Ordering::Acquire) <= i) {
                    std::thread::yield_now();
                }
                if let Some(gap) = gap {
                    std::thread::sleep(gap);
                }
            }
            for sub in &subs {
                sub.close();
            }
            let mut latencies: Vec<f64> = received
                .iter()
                .flat_map(|r| {
                    let times = r.1.lock().unwrap_or_else(|e| e.into_inner()).clone();
                    times
                        .into_iter()
                        .zip(&sent)
                        .map(|(got, t0)| got.saturating_duration_since(*t0).as_secs_f64() * 1e6)
                        .collect::<Vec<_>>()
                })
                .collect();
            latencies.sort_by(f64::total_cmp);
            let at = |q: f64| {
                latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)]
            };
            print(
                &format!("subscription_latency_{label}p50_us_{subscribers}"),
                at(0.50),
                "us",
            );
            print(
                &format!("subscription_latency_{label}p99_us_{subscribers}"),
                at(0.99),
                "us",
            );
            if subscribers == 1 {
                print(
                    &format!("subscription_latency_{label}p99_us"),
                    at(0.99),
                    "us",
                );
            }
        }
    }

    // Throughput: one writer appends as fast as it can; one push subscriber counts. Timed
    // from the first append to the last callback. Anchor: the same appends, no subscriber.
    let n = if full { 200_000 } else { 200 };
    let fresh = bench_channel;
    let rate = median_rate_with(
        settings,
        n,
        || {
            let (engine, channel) = fresh();
            let done = Arc::new((AtomicUsize::new(0), Mutex::new(None::<Instant>)));
            let sub = engine
                .default_session()
                .subscribe(
                    Some("Bench"),
                    None,
                    None,
                    SubscribeFlags::TO_FUTURE_EVENTS,
                    Delivery::push({
                        let done = Arc::clone(&done);
                        move |action| {
                            if let SubscribeAction::Deliver(event) = action {
                                black_box(&event);
                                if done.0.fetch_add(1, Ordering::AcqRel) + 1 == n {
                                    *done.1.lock().unwrap_or_else(|e| e.into_inner()) =
                                        Some(Instant::now());
                                }
                            }
                        }
                    }),
                )
                .expect("subscribe");
            let events: Vec<Event> = (0..n).map(|_| tiny()).collect();
            (engine, channel, sub, done, events)
        },
        |(engine, channel, sub, done, events)| {
            for event in events {
                channel.append(event).expect("append");
            }
            while done.0.load(Ordering::Acquire) < n {
                std::thread::yield_now();
            }
            (engine, channel, sub)
        },
    );
    let anchor = median_rate_with(
        settings,
        n,
        || {
            let (engine, channel) = fresh();
            let events: Vec<Event> = (0..n).map(|_| tiny()).collect();
            (engine, channel, events)
        },
        |(engine, channel, events)| {
            for event in events {
                channel.append(event).expect("append");
            }
            (engine, channel)
        },
    );
    print("subscription_events_per_s", rate, "events/s");
    print(
        "subscription_append_only_anchor_events_per_s",
        anchor,
        "events/s",
    );
    print("subscription_vs_append_only_ratio", rate / anchor, "ratio");
}

/// A fresh engine with one unbounded Operational channel, `Bench`, for the subscription
/// figures.
fn bench_channel() -> (Engine, std::sync::Arc<evtlog::Channel>) {
    let engine = Engine::new();
    let channel = engine
        .create_channel(
            ChannelConfig::new("Bench", ChannelType::Operational)
                .with_max_size(ChannelConfig::UNBOUNDED),
        )
        .expect("channel");
    (engine, channel)
}

/// A report section: its name and what measures it.
type Section = (&'static str, fn(&Settings));

/// EvtExportLog (issue 7): a channel of generated Security events exported whole to a new
/// .evtx file, through `Session::export_log` (query, `next`, the writer, fsync, the link); the
/// same events written by an `EvtxWriter` into memory, the writer alone; and appended to a
/// persistent channel.
fn export(settings: &Settings) {
    use evtlog::{EvtxWriter, ExportFlags};
    let n = settings.batch.min(20_000);
    let events = Generator::new(5).events(Profile::Security, n);
    let engine = Engine::new();
    engine
        .create_channel(
            ChannelConfig::new("Exported", ChannelType::Operational)
                .with_max_size(ChannelConfig::UNBOUNDED),
        )
        .expect("channel");
    for event in &events {
        engine.write("Exported", event.clone()).expect("write");
    }
    let dir = std::env::temp_dir().join(format!("evtlog-report-export-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let target = dir.join("exported.evtx");
    let target = target.to_str().expect("utf-8 path").to_owned();
    let session = engine.default_session();
    // Each round exports to a new file, synced and linked into place; the previous round's
    // file is removed before the clock starts (unlinking 20 MB is not exporting).
    let rate = median_rate_with(
        settings,
        n,
        || {
            let _ = std::fs::remove_file(&target);
        },
        |()| {
            let written = session
                .export_log(Some("Exported"), None, &target, ExportFlags::default())
                .expect("export");
            black_box(written);
        },
    );
    print("export_records_per_s", rate, "records/s");
    let rate = median_rate(settings, n, || {
        let mut writer =
            EvtxWriter::new(std::io::Cursor::new(Vec::with_capacity(n * 1024))).expect("writer");
        for event in &events {
            writer.write(event).expect("write");
        }
        black_box(writer.finish().expect("finish"));
    });
    print("evtx_write_records_per_s", rate, "records/s");
    // A persistent channel (issue 7) under its flush policy (the store section's figure).
    store::persistent_append(settings, &events, &dir);
    let _ = std::fs::remove_dir_all(&dir);
}

fn main() {
    // A child process of the store section runs its one job.
    if store::child_main() {
        return;
    }
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
    // `cargo bench --bench report -- NAME…` runs only the sections named.
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let sections: [Section; 11] = [
        ("append", append),
        ("render", render),
        ("generate", generate),
        ("filter", filter),
        ("cancellation", cancellation),
        ("evtx", evtx),
        ("subscribe", subscribe),
        ("export", export),
        ("format", format_messages),
        ("store", store::store),
        ("cli", cli::cli),
    ];
    for (name, section) in sections {
        if only.is_empty() || only.iter().any(|o| name.contains(o.as_str())) {
            section(&settings);
        }
    }
}

/// `n` threads blocked on one condvar; the time from one notify_all until the last returns.
fn wake_floor(n: usize) -> std::time::Duration {
    use std::sync::{Barrier, Condvar, Mutex};
    use std::time::Instant;
    let pair = std::sync::Arc::new((Mutex::new(false), Condvar::new()));
    let ready = std::sync::Arc::new(Barrier::new(n + 1));
    let threads: Vec<_> = (0..n)
        .map(|_| {
            let (pair, ready) = (pair.clone(), ready.clone());
            std::thread::Builder::new()
                .stack_size(64 * 1024)
                .spawn(move || {
                    let (lock, cv) = &*pair;
                    ready.wait();
                    let mut woken = lock.lock().unwrap_or_else(|e| e.into_inner());
                    while !*woken {
                        woken = cv.wait(woken).unwrap_or_else(|e| e.into_inner());
                    }
                    drop(woken);
                    Instant::now()
                })
                .expect("thread")
        })
        .collect();
    ready.wait();
    // Let every thread reach its wait.
    std::thread::sleep(std::time::Duration::from_millis(50));
    let t0 = Instant::now();
    {
        let (lock, cv) = &*pair;
        *lock.lock().unwrap_or_else(|e| e.into_inner()) = true;
        cv.notify_all();
    }
    threads
        .into_iter()
        .filter_map(|t| t.join().ok())
        .map(|t| t.saturating_duration_since(t0))
        .max()
        .unwrap_or_default()
}

/// A provider for the generated events of `name`: for each (event id, version) a template
/// of its Data items (typed as the values are) and a message that names and inserts each,
/// in the shape of Security-Auditing's ("An event … occurred.\r\n\r\nName:\t%1\r\n…"), with
/// a task string per task, the audit keywords and the Security channel.
fn publisher_for(name: &str, events: &[Event]) -> evtlog::Publisher {
    use evtlog::{EventDefinition, Template, TemplateItem, Value};
    let mut p = evtlog::Publisher {
        name: name.to_owned(),
        message_id: Some(0x9000_0000),
        ..evtlog::Publisher::default()
    };
    p.messages
        .insert("en-US", 0x9000_0000, format!("{name}.\r\n"));
    p.channels.push(evtlog::ChannelRef {
        name: "Security".into(),
        chid: "Security".into(),
        value: 10,
        imported: true,
        message_id: None,
        definition: None,
    });
    for e in events
        .iter()
        .filter(|e| e.system.provider.name.as_deref() == Some(name))
    {
        let s = &e.system;
        let (id, version) = (u32::from(s.event_id), s.version.unwrap_or(0));
        if p.events
            .iter()
            .any(|d| d.value == id && d.version == version)
        {
            continue;
        }
        let task = u32::from(s.task.unwrap_or(0));
        if task != 0 && !p.tasks.iter().any(|t| t.value == task) {
            let message_id = 0x7000_0000 | task;
            p.tasks.push(evtlog::Task {
                name: format!("Task{task}"),
                value: task,
                event_guid: Default::default(),
                message_id: Some(message_id),
            });
            p.messages
                .insert("en-US", message_id, format!("Task {task}\r\n"));
        }
        let mut items = Vec::new();
        let mut text = format!("An event {id} occurred.\r\n\r\n");
        for (i, (item_name, value)) in e
            .event_data()
            .into_iter()
            .flat_map(|d| d.items.iter())
            .filter_map(|item| match item {
                evtlog::DataItem::Data { name, value } => {
                    Some((name.as_deref().unwrap_or("Data").to_owned(), value))
                }
                _ => None,
            })
            .enumerate()
        {
            let (in_type, out_type) = match value {
                Value::Sid(_) => ("win:SID", "xs:string"),
                Value::HexInt64(_) => ("win:UInt64", "win:HexInt64"),
                Value::HexInt32(_) => ("win:UInt32", "win:HexInt32"),
                Value::UInt32(_) => ("win:UInt32", "xs:unsignedInt"),
                Value::Guid(_) => ("win:GUID", "xs:GUID"),
                _ => ("win:UnicodeString", "xs:string"),
            };
            items.push(TemplateItem {
                name: item_name.clone(),
                in_type: in_type.into(),
                out_type: out_type.into(),
                map: None,
                length: None,
                count: None,
                members: Vec::new(),
            });
            text.push_str(&format!("\t{item_name}:\t\t%{}\r\n", i + 1));
        }
        let message_id = 0xB000_0000 | (u32::from(version) << 16) | id;
        p.messages.insert("en-US", message_id, text);
        p.templates.push(Template {
            tid: format!("T{id}_{version}"),
            items,
            user_data: None,
        });
        p.events.push(EventDefinition {
            value: id,
            version,
            channel: 10,
            level: 0,
            task,
            opcode: 0,
            keywords: s.keywords.unwrap_or(0),
            template: Some(p.templates.len() - 1),
            message_id: Some(message_id),
            symbol: None,
        });
    }
    p
}

/// EvtFormatMessage's Event and Xml flags over generated Security events (one thread, each
/// event's publisher opened once), each paired with the XML render of the generated mix
/// (`xml_render_mix_events_per_s`'s loop) in the same rounds: targets 0.5 and 0.25.
fn format_messages(settings: &Settings) {
    use evtlog::{FormatWhat, PublisherMetadata};
    let mut generator = Generator::new(13);
    let events: Vec<Event> = (0..settings.batch)
        .map(|_| generator.next_event(Profile::Security))
        .collect();
    let engine = Engine::new();
    let mut names: Vec<String> = events
        .iter()
        .filter_map(|e| e.system.provider.name.as_deref().map(str::to_owned))
        .collect();
    names.sort();
    names.dedup();
    let metadata: Vec<(String, PublisherMetadata)> = names
        .iter()
        .map(|n| {
            engine.publishers().install(publisher_for(n, &events));
            let m = engine
                .open_publisher_metadata(Some(n), 0)
                .expect("installed");
            (n.clone(), m)
        })
        .collect();
    let metadata_of = |e: &Event| -> &PublisherMetadata {
        let name = e.system.provider.name.as_deref().unwrap_or("");
        &metadata.iter().find(|(n, _)| n == name).expect("opened").1
    };
    // Every event formats with no warning: the templates fit the data.
    for e in &events {
        let f = metadata_of(e)
            .format(e, FormatWhat::Event)
            .expect("formats");
        assert!(f.warning().is_none(), "{:?}", f.warning());
    }
    let mut generator = Generator::new(11);
    let mix: Vec<Event> = (0..settings.batch)
        .map(|i| generator.next_event(Profile::ALL[i % 5]))
        .collect();
    let mut out = String::with_capacity(4096);
    let mut anchor_out = String::with_capacity(4096);
    for (what, name) in [
        (FormatWhat::Event, "format_message_events_per_s"),
        (FormatWhat::Xml, "rendered_xml_events_per_s"),
    ] {
        let (rate, anchor, ratio) = paired_rates(
            settings.rounds,
            (events.len(), || {
                for e in &events {
                    let f = metadata_of(e).format(e, what).expect("formats");
                    out.clear();
                    out.push_str(f.text());
                    black_box(&out);
                }
            }),
            (mix.len(), || {
                for e in &mix {
                    anchor_out.clear();
                    e.write_xml(&mut anchor_out);
                    black_box(&anchor_out);
                }
            }),
        );
        print(name, rate, "events/s");
        print(
            &format!(
                "{}_vs_xml_render_mix_ratio",
                name.trim_end_matches("_events_per_s")
            ),
            ratio,
            "ratio",
        );
        print("xml_render_mix_paired_events_per_s", anchor, "events/s");
    }
}
