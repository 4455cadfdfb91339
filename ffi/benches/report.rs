//! The C ABI's one-run report: `cargo bench -p wevtapi --bench report` prints
//! `ffi_next_render_events_per_s` (EvtNext batches of 64, each event rendered as XML with
//! EvtRender and closed, one thread, through the exported `extern "system"` functions), and,
//! as its anchor measured in the same rounds, the same reads through evtlog's Rust API.
//! Without `--bench` (as `cargo test` runs it) each figure runs once on a tiny input.

use std::hint::black_box;
use std::time::Instant;

use wevtapi::*;

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain([0]).collect()
}

/// Reads every Security event through the C ABI; returns how many.
#[inline(never)]
fn through_the_abi(buffer: &mut [u8]) -> usize {
    let channel = wide("Security");
    // SAFETY: the pointers are to live buffers of the sizes passed.
    unsafe {
        let query = EvtQuery(0, channel.as_ptr(), std::ptr::null(), EvtQueryChannelPath);
        assert_ne!(query, 0);
        let mut events = [0 as EVT_HANDLE; 64];
        let (mut returned, mut read) = (0u32, 0usize);
        while EvtNext(query, 64, events.as_mut_ptr(), INFINITE, 0, &mut returned) != 0 {
            for &event in &events[..returned as usize] {
                let (mut used, mut count) = (0u32, 0u32);
                let ok = EvtRender(
                    0,
                    event,
                    EvtRenderEventXml,
                    buffer.len() as u32,
                    buffer.as_mut_ptr().cast(),
                    &mut used,
                    &mut count,
                );
                assert_ne!(ok, 0, "buffer too small: {used}");
                black_box(&buffer[..used as usize]);
                EvtClose(event);
            }
            read += returned as usize;
        }
        EvtClose(query);
        read
    }
}

/// The anchor: the same reads through `Session::query`, `next` and `EventRef::write_xml`.
#[inline(never)]
fn through_rust(engine: &evtlog::Engine) -> usize {
    let results = engine
        .default_session()
        .query(Some("Security"), None, evtlog::QueryFlags::CHANNEL_PATH)
        .unwrap();
    let mut xml = String::new();
    let mut read = 0;
    while let evtlog::Next::Events(batch) = results.next(64, None).unwrap() {
        for event in &batch {
            xml.clear();
            event.write_xml(&mut xml);
            black_box(&xml);
        }
        read += batch.len();
    }
    read
}

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let (events, rounds) = if full { (15_000, 9) } else { (50, 1) };
    // SAFETY: no other thread uses the service; a NUL-terminated channel name.
    unsafe {
        assert_eq!(evtlog_reset(), TRUE);
        assert_eq!(evtlog_generate(wide("Security").as_ptr(), events, 3), TRUE);
    }
    let engine = evtlog::winevt::controls::engine();
    let mut buffer = vec![0u8; 1 << 16];
    let mut abi = Vec::new();
    let mut rust = Vec::new();
    for round in 0..rounds {
        // Alternate which goes first, so both see the same moments of a noisy machine.
        for which in [round % 2, 1 - round % 2] {
            let start = Instant::now();
            let read = if which == 0 {
                through_the_abi(&mut buffer)
            } else {
                through_rust(&engine)
            };
            assert_eq!(read, events as usize);
            let rate = read as f64 / start.elapsed().as_secs_f64().max(1e-9);
            if which == 0 { &mut abi } else { &mut rust }.push(rate);
        }
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let (abi, rust) = (median(&mut abi), median(&mut rust));
    println!("ffi_next_render_events_per_s {abi:.0} events/s");
    println!("ffi_rust_api_next_render_events_per_s {rust:.0} events/s");
    println!("ffi_vs_rust_api_ratio {:.2}", abi / rust);
}
