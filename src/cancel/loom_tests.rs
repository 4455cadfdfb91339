//! Loom models of the races the module docs argue about. Run with
//! `RUSTFLAGS="--cfg loom" cargo test --release --lib cancel`.

use loom::thread;

use super::tree::{check_subtree, own_flag};
use super::*;
use crate::sync::{AtomicBool, Ordering};

/// Preemption bound 3: enough for every two- and three-thread race here, and loom finishes.
fn model<F: Fn() + Sync + Send + 'static>(f: F) {
    let mut builder = loom::model::Builder::new();
    if builder.preemption_bound.is_none() {
        builder.preemption_bound = Some(3);
    }
    builder.check(f);
}

/// Invariants 1 and 3: cancel racing child creation below the cancelled node. Never a live
/// child of a cancelled node: the child is reached by the walk or born cancelled.
#[test]
fn cancel_vs_child_creation() {
    model(|| {
        let root = CancelToken::root();
        let session = root.child(NodeKind::Scope);
        let handle = session.child(NodeKind::Scope);
        let canceller = {
            let session = session.clone();
            thread::spawn(move || session.cancel())
        };
        let call = handle.child(NodeKind::Call);
        let grandchild = call.child(NodeKind::Scope);
        canceller.join().unwrap();
        assert!(call.is_cancelled());
        assert!(grandchild.is_cancelled());
        assert!(handle.is_cancelled());
        assert!(!root.is_cancelled());
        check_subtree(&root.node);
    });
}

/// Invariant 5: cancel racing waiter registration. The waiter's registration fails, or the
/// cancel unparks it; it never hangs (loom reports a deadlock if a wake-up is lost, since its
/// `wait_timeout` never times out).
#[test]
fn cancel_vs_waiter_registration() {
    model(|| {
        let root = CancelToken::root();
        let session = root.child(NodeKind::Scope);
        let call = session.child(NodeKind::Call);
        let canceller = {
            let session = session.clone();
            thread::spawn(move || session.cancel_calls())
        };
        let parker = Parker::new();
        if let Ok(_registration) = call.register(&parker) {
            while !call.is_cancelled() {
                parker.park_timeout(std::time::Duration::from_secs(60));
            }
        }
        assert!(call.check().is_err());
        canceller.join().unwrap();
        assert!(!session.is_cancelled());
    });
}

/// Invariant 6: the last handle of a middle node dropping while the grandparent is
/// cancelled. The grandchild ends up cancelled either way.
#[test]
fn reparenting_drop_vs_grandparent_cancel() {
    model(|| {
        let root = CancelToken::root();
        let session = root.child(NodeKind::Scope);
        let handle = session.child(NodeKind::Scope);
        let call = handle.child(NodeKind::Call);
        let dropper = thread::spawn(move || drop(handle));
        session.cancel();
        dropper.join().unwrap();
        assert!(call.is_cancelled());
        check_subtree(&root.node);
    });
}

/// Invariants 6 and 7: the same race against `cancel_calls`, whose walk holds the path.
#[test]
fn reparenting_drop_vs_grandparent_cancel_calls() {
    model(|| {
        let root = CancelToken::root();
        let session = root.child(NodeKind::Scope);
        let handle = session.child(NodeKind::Scope);
        let scope = handle.child(NodeKind::Scope);
        let call = scope.child(NodeKind::Call);
        let dropper = thread::spawn(move || drop(handle));
        session.cancel_calls();
        dropper.join().unwrap();
        assert!(call.is_cancelled());
        assert!(!scope.is_cancelled() && !session.is_cancelled());
        check_subtree(&root.node);
    });
}

/// Invariant 7: cancel_calls racing call creation. A call that existed before cancel_calls
/// began is cancelled; a later one may or may not be; no Scope ever is.
#[test]
fn cancel_calls_vs_call_creation() {
    model(|| {
        let root = CancelToken::root();
        let session = root.child(NodeKind::Scope);
        let handle = session.child(NodeKind::Scope);
        let existing = handle.child(NodeKind::Call);
        let created = crate::sync::Arc::new(AtomicBool::new(false));
        let canceller = {
            let (session, created) = (session.clone(), created.clone());
            thread::spawn(move || {
                let saw_created = created.load(Ordering::SeqCst);
                session.cancel_calls();
                saw_created
            })
        };
        let call = handle.child(NodeKind::Call);
        created.store(true, Ordering::SeqCst);
        let saw_created = canceller.join().unwrap();
        assert!(existing.is_cancelled());
        if saw_created {
            assert!(call.is_cancelled());
        }
        assert!(!handle.is_cancelled() && !session.is_cancelled());
        check_subtree(&root.node);
    });
}

/// Invariant 1: two siblings dropped concurrently (swap-remove with `parent_idx` fix-up),
/// and the remaining sibling is still reached.
#[test]
fn concurrent_sibling_drops() {
    model(|| {
        let root = CancelToken::root();
        let session = root.child(NodeKind::Scope);
        let a = session.child(NodeKind::Call);
        let b = session.child(NodeKind::Scope);
        let c = session.child(NodeKind::Call);
        let dropper = thread::spawn(move || drop(a));
        drop(b);
        dropper.join().unwrap();
        assert_eq!(check_subtree(&root.node), 3);
        session.cancel_calls();
        assert!(c.is_cancelled());
    });
}

/// Invariant 5 with a shared gate (a pause point's, faults.rs invariant 2): two calls wait
/// on one parker, each reading its generation without a lock, checking its token, then
/// parking until the generation moves. A `cancel_calls` racing them collects the gate once
/// and unparks it once; neither waiter stays parked (loom reports a deadlock if a wake-up
/// is lost, since `park_until_changed` has no timeout).
#[test]
fn cancel_calls_vs_gate_waiters() {
    model(|| {
        let root = CancelToken::root();
        let session = root.child(NodeKind::Scope);
        let gate = Parker::new();
        let waiters: Vec<_> = (0..2)
            .map(|_| {
                let call = session.child(NodeKind::Call);
                let gate = gate.clone();
                thread::spawn(move || {
                    if let Ok(_registration) = call.register(&gate) {
                        loop {
                            let seen = gate.generation();
                            if call.is_cancelled() {
                                break;
                            }
                            gate.park_until_changed(seen);
                        }
                    }
                    assert!(call.check().is_err());
                })
            })
            .collect();
        session.cancel_calls();
        for waiter in waiters {
            waiter.join().unwrap();
        }
        assert!(!session.is_cancelled());
    });
}

/// Invariant 8 with 5: a waiter on a call, polling its token (its own flag, then its
/// scope's) while the scope is cancelled. Whether its poll sees the scope's flag before the
/// walk reaches the call or not, it is never left parked (no timeout: loom reports a lost
/// wake-up as a deadlock), and the walk leaves the call's own flag set.
#[test]
fn scope_cancel_vs_call_poll_and_waiter() {
    model(|| {
        let root = CancelToken::root();
        let session = root.child(NodeKind::Scope);
        let handle = session.child(NodeKind::Scope);
        let call = handle.child(NodeKind::Call);
        let canceller = {
            let handle = handle.clone();
            thread::spawn(move || handle.cancel())
        };
        let parker = Parker::new();
        if let Ok(_registration) = call.register(&parker) {
            loop {
                let seen = parker.generation();
                if call.is_cancelled() {
                    break;
                }
                parker.park_until_changed(seen);
            }
        }
        canceller.join().unwrap();
        assert!(own_flag(&call.node), "the walk reached the call");
        assert!(call.check().is_err());
        assert!(!session.is_cancelled());
        check_subtree(&root.node);
    });
}
