//! Instruction-count harness for event XML parsing: `Event::from_xml` and the drop of its
//! event on the report's generator mix (2,000 events of the five profiles, seed 11). The mix
//! is parsed once to warm the thread's memos (and the allocator), then parsed three more times inside
//! `parse_and_drop`, the one function a counter should collect in, e.g.
//! `valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*parse_and_drop*'`;
//! the collected count divided by 6,000 is the figure per event. `render_mix` renders the
//! generated mix and the parsed one three times each (12,000 renders), for the cost of
//! reading the values back.

use std::hint::black_box;

use evtlog::{Event, Generator, Profile};

#[inline(never)]
fn parse_and_drop(texts: &[String]) {
    for t in texts {
        black_box(Event::from_xml(black_box(t)).expect("parse"));
    }
}

#[inline(never)]
fn render_mix(events: &[Event], out: &mut String) {
    for e in events {
        out.clear();
        e.write_xml(out);
        black_box(&out);
    }
}

fn main() {
    let mut generator = Generator::new(11);
    let texts: Vec<String> = (0..2000)
        .map(|i| generator.next_event(Profile::ALL[i % 5]).to_xml())
        .collect();
    for t in &texts {
        black_box(Event::from_xml(t).expect("parse"));
    }
    for _ in 0..3 {
        parse_and_drop(&texts);
    }
    let mut generator = Generator::new(11);
    let mix: Vec<Event> = (0..2000)
        .map(|i| generator.next_event(Profile::ALL[i % 5]))
        .collect();
    let parsed: Vec<Event> = texts
        .iter()
        .map(|t| Event::from_xml(t).expect("parse"))
        .collect();
    let mut out = String::with_capacity(4096);
    for _ in 0..3 {
        render_mix(&mix, &mut out);
        render_mix(&parsed, &mut out);
    }
}
