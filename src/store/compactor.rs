//! The compactor: one background thread per process that holds stores' cold chunks compact
//! (`memory.rs` invariant 9), so that a writer's append does not pay for encoding a chunk
//! and freeing its events. Started the first time a store has a chunk to compact; idle
//! (blocked on its queue) otherwise.
//!
//! Invariants:
//! - A job is run once, on the compactor's thread; if the thread cannot be started, the
//!   job is handed back and the caller runs it itself.
//! - Jobs hold their stores weakly: a store dropped before its job runs is not kept alive.

use std::sync::OnceLock;

use crossbeam_channel::{unbounded, Sender};

/// Work for the compactor.
pub(super) type Job = Box<dyn FnOnce() + Send>;

static QUEUE: OnceLock<Option<Sender<Job>>> = OnceLock::new();

/// Queues `job` on the compactor's thread, starting it if need be; `Err(job)` if there is
/// no such thread (it could not be started).
pub(super) fn submit(job: Job) -> Result<(), Job> {
    let queue = QUEUE.get_or_init(|| {
        let (sender, receiver) = unbounded::<Job>();
        std::thread::Builder::new()
            .name("evtlog-compactor".into())
            .spawn(move || {
                for job in receiver {
                    job();
                }
            })
            .ok()
            .map(|_| sender)
    });
    match queue {
        Some(sender) => sender.send(job).map_err(|e| e.into_inner()),
        None => Err(job),
    }
}
