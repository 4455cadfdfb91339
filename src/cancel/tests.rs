use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use super::tree::{check_subtree, hold, own_flag, waiter_count};
use super::*;
use crate::error::ErrorKind;

/// engine root → session → handle, the engine's usual shape.
fn session_and_handle() -> (CancelToken, CancelToken, CancelToken) {
    let root = CancelToken::root();
    let session = root.child(NodeKind::Scope);
    let handle = session.child(NodeKind::Scope);
    (root, session, handle)
}

#[test]
fn check_reports_cancelled_with_code_1223() {
    let root = CancelToken::root();
    assert!(root.check().is_ok());
    root.cancel();
    let err = root.check().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    assert_eq!(err.win32_code(), 1223);
}

#[test]
fn sticky_cancel_reaches_descendants_and_later_children() {
    let (root, session, handle) = session_and_handle();
    let call = handle.child(NodeKind::Call);
    let nested = call.child(NodeKind::Scope);
    let sibling = session.child(NodeKind::Scope);

    handle.cancel();
    assert!(handle.is_cancelled() && call.is_cancelled() && nested.is_cancelled());
    assert!(!session.is_cancelled() && !sibling.is_cancelled() && !root.is_cancelled());

    // Later children of a cancelled node, at any depth, are born cancelled.
    let later = handle.child(NodeKind::Call);
    assert!(later.is_cancelled());
    assert!(later.child(NodeKind::Scope).is_cancelled());
    assert!(nested.child(NodeKind::Call).is_cancelled());

    // Idempotent, and the tree stays consistent.
    handle.cancel();
    assert!(handle.is_cancelled());
    check_subtree(&root.node);

    // A cancel from the root reaches everything.
    root.cancel();
    assert!(session.is_cancelled() && sibling.is_cancelled());
    assert_eq!(check_subtree(&root.node), 1);
}

#[test]
fn cancel_calls_cancels_only_the_calls_present_at_that_moment() {
    let (root, session, handle) = session_and_handle();
    let other_handle = session.child(NodeKind::Scope);
    let call_on_session = session.child(NodeKind::Call);
    let call_on_handle = handle.child(NodeKind::Call);
    let call_on_other = other_handle.child(NodeKind::Call);
    let under_call = call_on_handle.child(NodeKind::Scope);

    session.cancel_calls();

    assert!(call_on_session.is_cancelled());
    assert!(call_on_handle.is_cancelled());
    assert!(call_on_other.is_cancelled());
    // A Call's cancel is sticky for its own subtree.
    assert!(under_call.is_cancelled());
    // No Scope is cancelled: not the session, not its handles, not the root.
    assert!(!session.is_cancelled());
    assert!(!handle.is_cancelled());
    assert!(!other_handle.is_cancelled());
    assert!(!root.is_cancelled());

    // Calls created afterwards run normally, on the session and on its handles.
    let later = handle.child(NodeKind::Call);
    let later_on_session = session.child(NodeKind::Call);
    assert!(!later.is_cancelled() && !later_on_session.is_cancelled());
    // The cancelled calls stay cancelled.
    assert!(call_on_handle.child(NodeKind::Call).is_cancelled());

    // Idempotent, and a second cancel_calls catches the new calls.
    session.cancel_calls();
    assert!(later.is_cancelled() && later_on_session.is_cancelled());
    assert!(!session.is_cancelled() && !handle.is_cancelled());
    check_subtree(&root.node);
}

#[test]
fn cancel_calls_on_a_call_leaves_the_call_itself_alone() {
    let (_root, _session, handle) = session_and_handle();
    let call = handle.child(NodeKind::Call);
    let inner_call = call.child(NodeKind::Call);
    call.cancel_calls();
    assert!(inner_call.is_cancelled());
    assert!(!call.is_cancelled());
}

#[test]
fn dropping_a_middle_node_reparents_its_children() {
    // Sticky cancel from the grandparent.
    let (root, session, handle) = session_and_handle();
    let call = handle.child(NodeKind::Call);
    let scope = handle.child(NodeKind::Scope);
    drop(handle);
    assert_eq!(check_subtree(&root.node), 4, "root, session, call, scope");
    session.cancel();
    assert!(call.is_cancelled() && scope.is_cancelled());

    // cancel_calls from the grandparent.
    let (root, session, handle) = session_and_handle();
    let call = handle.child(NodeKind::Call);
    let scope = handle.child(NodeKind::Scope);
    let deep_call = scope.child(NodeKind::Call);
    drop(handle);
    session.cancel_calls();
    assert!(call.is_cancelled() && deep_call.is_cancelled());
    assert!(!scope.is_cancelled() && !session.is_cancelled());

    // Two levels dropped: the root still reaches the calls.
    drop(scope);
    drop(session);
    // The temporary scope drops at the end of the statement: the call moves up to the root.
    let fresh = root.child(NodeKind::Scope).child(NodeKind::Call);
    // The cancelled calls stay linked while their tokens live; everything moved to the root.
    assert_eq!(
        check_subtree(&root.node),
        4,
        "root, call, deep_call and fresh"
    );
    root.cancel_calls();
    assert!(fresh.is_cancelled() && !root.is_cancelled());
}

#[test]
fn a_clone_keeps_the_node_in_the_tree() {
    let (root, session, handle) = session_and_handle();
    let call = handle.child(NodeKind::Call);
    let handle2 = handle.clone();
    drop(handle);
    assert_eq!(check_subtree(&root.node), 4);
    handle2.cancel();
    assert!(call.is_cancelled() && !session.is_cancelled());
}

#[test]
fn dropping_siblings_in_any_order_keeps_parent_idx_right() {
    let (root, session, _handle) = session_and_handle();
    let mut children: Vec<CancelToken> = (0..20)
        .map(|i| {
            let kind = if i % 2 == 0 {
                NodeKind::Call
            } else {
                NodeKind::Scope
            };
            session.child(kind)
        })
        .collect();
    for pos in [0, 5, 17, 3, 3, 0, 10] {
        let pos = pos % children.len();
        drop(children.swap_remove(pos));
        check_subtree(&root.node);
    }
    session.cancel_calls();
    for child in &children {
        assert_eq!(child.is_cancelled(), child.kind() == NodeKind::Call);
    }
}

#[test]
fn dropping_a_root_disconnects_its_children() {
    let root = CancelToken::root();
    let session = root.child(NodeKind::Scope);
    let call = session.child(NodeKind::Call);
    drop(root);
    session.cancel_calls();
    assert!(call.is_cancelled());
    check_subtree(&session.node);
}

#[test]
fn register_on_a_cancelled_node_fails_at_once() {
    let (_root, session, handle) = session_and_handle();
    let call = handle.child(NodeKind::Call);
    let parker = Parker::new();
    session.cancel_calls();
    let err = call.register(&parker).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled);
    // A born-cancelled node too.
    handle.cancel();
    let err = handle.child(NodeKind::Call).register(&parker).unwrap_err();
    assert_eq!(err.win32_code(), 1223);
}

#[test]
fn registration_deregisters_on_drop() {
    let root = CancelToken::root();
    let parker = Parker::new();
    let a = root.register(&parker).unwrap();
    let b = root.register(&parker).unwrap();
    assert_eq!(waiter_count(&root.node), 2);
    drop(a);
    assert_eq!(waiter_count(&root.node), 1);
    drop(b);
    assert_eq!(waiter_count(&root.node), 0);
    root.cancel();
    // Nothing was registered, so nothing unparked it.
    assert!(!parker.park_timeout(Duration::from_millis(1)));
}

#[test]
fn parker_keeps_one_permit() {
    let parker = Parker::new();
    assert!(!parker.park_timeout(Duration::from_millis(1)));
    parker.unpark();
    parker.unpark();
    assert!(parker.park_timeout(Duration::from_secs(5)));
    // Consumed: the second unpark did not leave a second permit.
    assert!(!parker.park_timeout(Duration::from_millis(1)));
    parker.unpark();
    parker.park();
    // A timeout beyond the clock's range does not overflow.
    parker.unpark();
    assert!(parker.park_timeout(Duration::MAX));
}

/// The waiter loop of the module docs; returns whether it ended by cancel.
fn wait_until_cancelled(token: &CancelToken, parker: &Arc<Parker>, limit: Duration) -> bool {
    let _registration = match token.register(parker) {
        Ok(registration) => registration,
        Err(_) => return true,
    };
    let deadline = Instant::now() + limit;
    loop {
        if token.is_cancelled() {
            return true;
        }
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        parker.park_timeout(deadline - now);
    }
}

/// Invariant 8: a call reads its scope's flag, so a cancel of the scope stops it as soon as
/// the scope's flag is set, while the walk has not reached the call's node yet (here held
/// back by the call's lock); the walk then sets the call's own flag.
#[test]
fn a_call_sees_its_scopes_cancel_before_the_walk_reaches_it() {
    let (_root, session, handle) = session_and_handle();
    let call = handle.child(NodeKind::Call);
    let held = hold(&call.node);
    let canceller = {
        let handle = handle.clone();
        thread::spawn(move || handle.cancel())
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !handle.is_cancelled() {
        assert!(
            Instant::now() < deadline,
            "the cancel never set the handle's flag"
        );
        thread::yield_now();
    }
    assert!(call.is_cancelled());
    assert_eq!(call.check().unwrap_err().win32_code(), 1223);
    assert!(!own_flag(&call.node), "the walk passed a held lock");
    drop(held);
    canceller.join().unwrap();
    assert!(own_flag(&call.node));
    assert!(!session.is_cancelled());
}

/// Invariant 3: `cancel` stores its node's flag before it takes the node's lock, so a call
/// under it stops while the cancelling thread still waits for that lock; a node created or
/// a waiter registered meanwhile is refused (born cancelled, or Cancelled), and once the
/// lock is free the walk reaches the call. Storing the flag only under the lock fails this.
#[test]
fn cancel_stores_its_flag_before_it_takes_the_lock() {
    let (_root, _session, handle) = session_and_handle();
    let call = handle.child(NodeKind::Call);
    let held = hold(&handle.node);
    let canceller = {
        let handle = handle.clone();
        thread::spawn(move || handle.cancel())
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while !call.is_cancelled() {
        assert!(
            Instant::now() < deadline,
            "the flag waited for the node's lock"
        );
        thread::yield_now();
    }
    assert!(own_flag(&handle.node));
    assert!(!own_flag(&call.node), "the walk passed a held lock");
    drop(held);
    // Under the lock now: a child is born cancelled, a registration fails.
    let late = handle.child(NodeKind::Call);
    assert!(late.is_cancelled());
    let parker = Parker::new();
    assert_eq!(
        handle.register(&parker).unwrap_err().kind(),
        ErrorKind::Cancelled
    );
    canceller.join().unwrap();
    assert!(own_flag(&call.node));
    assert_eq!(check_subtree(&handle.node), 1, "the walk left a child");
}

/// Invariant 8: the scope link is the node a call was created under, for good. A call whose
/// scope's handles are gone moves up (6), and a later cancel of the scope's parent's calls
/// reaches it; a scope that is not cancelled never makes its call look cancelled.
#[test]
fn a_call_outliving_its_scope_is_cancelled_through_its_new_parent() {
    let (_root, session, handle) = session_and_handle();
    let call = handle.child(NodeKind::Call);
    let born = {
        let closed = session.child(NodeKind::Scope);
        closed.cancel();
        closed.child(NodeKind::Call)
    };
    assert!(born.is_cancelled(), "born cancelled, with no scope to read");
    drop(handle);
    assert!(!call.is_cancelled());
    session.cancel_calls();
    assert!(call.is_cancelled() && own_flag(&call.node));
    assert!(!session.is_cancelled());
}

#[test]
fn a_parked_thread_is_woken_by_cancel() {
    let (_root, _session, handle) = session_and_handle();
    let call = handle.child(NodeKind::Call);
    let waiter = {
        let call = call.clone();
        thread::spawn(move || wait_until_cancelled(&call, &Parker::new(), Duration::from_secs(30)))
    };
    thread::sleep(Duration::from_millis(20));
    let started = Instant::now();
    handle.cancel();
    assert!(waiter.join().unwrap());
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn a_parked_thread_is_woken_by_cancel_calls_of_an_ancestor() {
    let (root, session, handle) = session_and_handle();
    let call = handle.child(NodeKind::Call);
    let parker = Parker::new();
    let registered = Arc::new(Barrier::new(2));
    let waiter = {
        let (call, parker, registered) = (call.clone(), parker.clone(), registered.clone());
        thread::spawn(move || {
            let _registration = call.register(&parker).unwrap();
            registered.wait();
            while !call.is_cancelled() {
                parker.park_timeout(Duration::from_secs(30));
            }
        })
    };
    registered.wait();
    let started = Instant::now();
    root.cancel_calls();
    waiter.join().unwrap();
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(!session.is_cancelled() && !handle.is_cancelled());
    assert_eq!(waiter_count(&call.node), 0);
}

#[test]
fn sixteen_threads_under_one_session_are_all_woken_by_one_cancel_calls() {
    let (_root, session, _handle) = session_and_handle();
    let handles: Vec<CancelToken> = (0..4).map(|_| session.child(NodeKind::Scope)).collect();
    let registered = Arc::new(Barrier::new(17));
    let waiters: Vec<_> = (0..16)
        .map(|i| {
            let call = handles[i % 4].child(NodeKind::Call);
            let registered = registered.clone();
            thread::spawn(move || {
                let parker = Parker::new();
                let _registration = call.register(&parker).unwrap();
                registered.wait();
                let deadline = Instant::now() + Duration::from_secs(30);
                while !call.is_cancelled() && Instant::now() < deadline {
                    parker.park_timeout(Duration::from_secs(30));
                }
                call.check()
            })
        })
        .collect();
    registered.wait();
    let started = Instant::now();
    session.cancel_calls();
    for waiter in waiters {
        let result = waiter.join().unwrap();
        assert_eq!(result.unwrap_err().kind(), ErrorKind::Cancelled);
    }
    assert!(started.elapsed() < Duration::from_secs(10));
    assert!(handles.iter().all(|h| !h.is_cancelled()));
    // The session still works.
    assert!(session.child(NodeKind::Call).check().is_ok());
}

#[test]
fn stress_sticky_cancel_while_threads_create_and_drop_children() {
    for _ in 0..20 {
        let (root, session, handle) = session_and_handle();
        let stop = Arc::new(AtomicBool::new(false));
        let cancelled = Arc::new(AtomicBool::new(false));
        let workers: Vec<_> = (0..4)
            .map(|t| {
                let (session, handle) = (session.clone(), handle.clone());
                let (stop, cancelled) = (stop.clone(), cancelled.clone());
                thread::spawn(move || {
                    let mut kept = Vec::new();
                    let mut i = 0usize;
                    while !stop.load(Ordering::Acquire) {
                        let parent = if (i + t).is_multiple_of(3) {
                            &session
                        } else {
                            &handle
                        };
                        let was_cancelled = cancelled.load(Ordering::Acquire);
                        let child = parent.child(NodeKind::Call);
                        let grandchild = child.child(NodeKind::Scope);
                        if was_cancelled {
                            // Created after cancel() returned: born cancelled.
                            assert!(child.is_cancelled() && grandchild.is_cancelled());
                        }
                        if i.is_multiple_of(2) {
                            kept.push(grandchild);
                        } else {
                            kept.push(child);
                        }
                        if kept.len() > 8 {
                            kept.swap_remove(i % kept.len());
                        }
                        i += 1;
                    }
                    kept
                })
            })
            .collect();
        thread::sleep(Duration::from_millis(2));
        session.cancel();
        cancelled.store(true, Ordering::Release);
        thread::sleep(Duration::from_millis(1));
        stop.store(true, Ordering::Release);
        for worker in workers {
            for token in worker.join().unwrap() {
                assert!(token.is_cancelled());
            }
        }
        assert!(handle.is_cancelled() && !root.is_cancelled());
        assert_eq!(
            check_subtree(&root.node),
            2,
            "root and the cancelled session"
        );
    }
}

#[test]
fn stress_cancel_calls_while_threads_create_and_drop_children() {
    for _ in 0..20 {
        let (root, session, handle) = session_and_handle();
        let stop = Arc::new(AtomicBool::new(false));
        let rounds = Arc::new(AtomicUsize::new(0));
        let workers: Vec<_> = (0..4)
            .map(|t| {
                let (session, handle) = (session.clone(), handle.clone());
                let (stop, rounds) = (stop.clone(), rounds.clone());
                thread::spawn(move || {
                    let mut i = 0usize;
                    let mut middle = handle.child(NodeKind::Scope);
                    while !stop.load(Ordering::Acquire) {
                        let call = middle.child(NodeKind::Call);
                        // Drop the middle scope under the call now and then, so that the
                        // call is re-parented while cancel_calls may be walking.
                        if (i + t).is_multiple_of(4) {
                            middle = handle.child(NodeKind::Scope);
                        }
                        let before = rounds.load(Ordering::Acquire);
                        // Wait until a cancel_calls that started after the call existed has
                        // returned: it must have cancelled the call.
                        while rounds.load(Ordering::Acquire) < before + 2 {
                            if stop.load(Ordering::Acquire) {
                                return;
                            }
                            thread::yield_now();
                        }
                        assert!(
                            call.is_cancelled(),
                            "a call present at cancel_calls survived"
                        );
                        assert!(!middle.is_cancelled() && !session.is_cancelled());
                        i += 1;
                    }
                })
            })
            .collect();
        let deadline = Instant::now() + Duration::from_millis(20);
        while Instant::now() < deadline {
            session.cancel_calls();
            rounds.fetch_add(1, Ordering::AcqRel);
        }
        stop.store(true, Ordering::Release);
        for worker in workers {
            worker.join().unwrap();
        }
        assert!(!session.is_cancelled() && !handle.is_cancelled());
        check_subtree(&root.node);
    }
}
