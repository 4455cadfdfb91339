//! Engines free what they hold (ARCHITECTURE.md, "No reference cycles"): creating and
//! dropping engines that ran file queries returns the memory. A test binary of its own, so
//! that its counting allocator sees this test's allocations and no other test's.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicIsize, Ordering};

use evtlog::{Engine, Next, Profile, QueryFlags};

#[path = "support/mod.rs"]
mod support;

/// The system allocator, counting the bytes live at any moment.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call forwards to `System` with the caller's arguments unchanged; the counter
// is a side effect that touches no memory the allocator hands out.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        p
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            LIVE.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// One engine's life: its default session queries the file and reads an event (which fills
/// the engine's template cache and chunk buffers), then everything is dropped.
fn one_engine(path: &str) {
    let engine = Engine::new();
    let session = engine.default_session();
    let results = session
        .query(Some(path), None, QueryFlags::FILE_PATH)
        .expect("file query");
    match results.next(1, None) {
        Ok(Next::Events(batch)) => assert_eq!(batch.len(), 1),
        other => panic!("expected an event, got {other:?}"),
    }
}

/// 10,000 engines, each with a file query, leave no more live memory than the first few did
/// (before the fix each leaked ~123 KB: the engine and its default session held each other).
#[test]
fn dropped_engines_with_file_queries_free_their_memory() {
    // A small Security log evtlog writes (any EVTX file does).
    let events = support::evtx::generated(4, Profile::Security, 4);
    let file = support::evtx::write("engine-memory", &events);
    let path = file.path().to_owned();
    drop(events);
    // Warm up: one-time allocations (thread-locals, lazily built tables) happen here.
    for _ in 0..50 {
        one_engine(&path);
    }
    let before = LIVE.load(Ordering::Relaxed);
    for _ in 0..10_000 {
        one_engine(&path);
    }
    let after = LIVE.load(Ordering::Relaxed);
    let grown = after - before;
    // A leak of even 100 bytes an engine would be 1 MB here.
    assert!(
        grown < 256 * 1024,
        "live memory grew by {grown} bytes over 10,000 engines"
    );
}
