//! Instruction-count harness for push subscriptions: the report's `subscribe` throughput
//! trial (one writer appends tiny events as fast as it can to an unbounded channel, one push
//! subscriber counts them) beside its anchor (the same appends, no subscriber), each in a
//! function of its own for a counter to collect in, e.g.
//! `valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*appends_only*'`
//! (or `'*appends_pushed*'`, whose count includes the delivery thread's work). Argument:
//! the number of events (default 20,000).

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use evtlog::{
    Channel, ChannelConfig, ChannelType, Delivery, Engine, Event, SubscribeAction, SubscribeFlags,
};

fn channel() -> (Engine, Arc<Channel>) {
    let engine = Engine::new();
    let channel = engine
        .create_channel(
            ChannelConfig::new("Bench", ChannelType::Operational)
                .with_max_size(ChannelConfig::UNBOUNDED),
        )
        .expect("channel");
    (engine, channel)
}

fn events(n: usize) -> Vec<Event> {
    (0..n)
        .map(|_| {
            let mut event = Event::default();
            event.system.event_id = 1;
            event
        })
        .collect()
}

#[inline(never)]
fn appends_only(channel: &Channel, events: Vec<Event>) {
    for event in events {
        channel.append(event).expect("append");
    }
}

#[inline(never)]
fn appends_pushed(channel: &Channel, events: Vec<Event>, done: &AtomicUsize, n: usize) {
    for event in events {
        channel.append(event).expect("append");
    }
    while done.load(Ordering::Acquire) < n {
        std::thread::yield_now();
    }
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let (_engine, plain) = channel();
    appends_only(&plain, events(n));
    let (engine, pushed) = channel();
    let done = Arc::new(AtomicUsize::new(0));
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
                        done.fetch_add(1, Ordering::AcqRel);
                    }
                }
            }),
        )
        .expect("subscribe");
    appends_pushed(&pushed, events(n), &done, n);
    sub.close();
}
