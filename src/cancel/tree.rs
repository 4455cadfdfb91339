//! The tree itself: nodes, their links, and the walks. Every function here cites the
//! invariants of the module docs (`cancel/mod.rs`) by number.

use std::sync::PoisonError;
#[cfg(not(all(test, loom)))]
use std::sync::TryLockError;

use super::parker::Parker;
use super::NodeKind;
use crate::sync::{Arc, AtomicBool, AtomicUsize, Mutex, MutexGuard, Ordering};

/// One node of the tree. Handles ([`CancelToken`](super::CancelToken)) count in
/// `num_handles`; the `Arc` strong count also counts links from parent and children.
///
/// `repr(C)`, the flag and the lock first: a cancel's first steps (lock, set the flag)
/// touch the node's first line, which the polls of the node's calls keep in cache
/// (invariant 8).
#[repr(C)]
pub(super) struct Node {
    /// Set once, never reset (invariant 3). Read without the lock.
    cancelled: AtomicBool,
    pub(super) kind: NodeKind,
    inner: Mutex<Inner>,
    /// The node this one was created under (None for a root or a node born cancelled),
    /// whose flag `is_cancelled` also reads (invariant 8). Never changes; it keeps that
    /// node's memory, not its place in the tree.
    scope: Option<Arc<Node>>,
    /// Live `CancelToken`s on this node. Reaching 0 detaches the node (invariant 6).
    num_handles: AtomicUsize,
}

struct Inner {
    /// None for a root, for a node cancelled through an ancestor, for a node born cancelled
    /// and for a detached node (invariant 1).
    parent: Option<Arc<Node>>,
    /// This node's index in `parent.children` (invariant 1); meaningless without a parent.
    parent_idx: usize,
    children: Vec<Arc<Node>>,
    /// Parkers of threads blocked on this node, by registration id (invariant 5).
    waiters: Vec<(u64, Arc<Parker>)>,
    next_waiter: u64,
}

/// Locks a node. A poisoned lock is recovered: no code in this module panics while holding
/// one, and every write under a lock leaves the node consistent before the next write.
fn lock(node: &Node) -> MutexGuard<'_, Inner> {
    node.inner.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Locks a node if that does not block.
#[cfg(not(all(test, loom)))]
fn try_lock(node: &Node) -> Option<MutexGuard<'_, Inner>> {
    match node.inner.try_lock() {
        Ok(guard) => Some(guard),
        Err(TryLockError::Poisoned(poisoned)) => Some(poisoned.into_inner()),
        Err(TryLockError::WouldBlock) => None,
    }
}

/// Under loom, "would block" every time: loom 0.7 reports false deadlocks around
/// `Mutex::try_lock` (tokio-rs/loom#376). The fallback (unlock, lock in order, relock,
/// re-check) has every interleaving the fast path has and more, so the models lose nothing.
#[cfg(all(test, loom))]
fn try_lock(_node: &Node) -> Option<MutexGuard<'_, Inner>> {
    None
}

impl Node {
    fn new(kind: NodeKind, cancelled: bool, parent: Option<Arc<Node>>, parent_idx: usize) -> Node {
        Node {
            kind,
            cancelled: AtomicBool::new(cancelled),
            num_handles: AtomicUsize::new(1),
            scope: parent.clone(),
            inner: Mutex::new(Inner {
                parent,
                parent_idx,
                children: Vec::new(),
                waiters: Vec::new(),
                next_waiter: 0,
            }),
        }
    }

    /// Sets the flag and takes the waiters. The caller holds this node's lock (`inner` is
    /// its guard): that is what makes registration and cancel serialise (invariant 5).
    fn set_cancelled(&self, inner: &mut Inner, woken: &mut Vec<Arc<Parker>>) {
        self.cancelled.store(true, Ordering::Release);
        for (_, parker) in inner.waiters.drain(..) {
            // A gate shared by many calls (a pause point's) is taken once per run of them,
            // not once per call; `wake` removes any other repeat.
            if !woken.last().is_some_and(|last| Arc::ptr_eq(last, &parker)) {
                woken.push(parker);
            }
        }
    }
}

/// A new root with one handle.
pub(super) fn root(kind: NodeKind) -> Arc<Node> {
    Arc::new(Node::new(kind, false, None, 0))
}

/// A new child of `parent` with one handle: linked under it, or, if `parent` is cancelled,
/// born cancelled and detached (invariants 1 and 3).
pub(super) fn child(parent: &Arc<Node>, kind: NodeKind) -> Arc<Node> {
    let mut locked = lock(parent);
    // The flag is only set under this lock, so this read is exact (invariant 3).
    if parent.cancelled.load(Ordering::Acquire) {
        return Arc::new(Node::new(kind, true, None, 0));
    }
    let node = Arc::new(Node::new(
        kind,
        false,
        Some(parent.clone()),
        locked.children.len(),
    ));
    locked.children.push(node.clone());
    node
}

/// The per-batch poll: the node's own flag, then its scope's, without a lock (invariants 3
/// and 8). Two loads, of lines the poll itself keeps in cache.
#[inline]
pub(super) fn is_cancelled(node: &Node) -> bool {
    node.cancelled.load(Ordering::Acquire)
        || node
            .scope
            .as_ref()
            .is_some_and(|scope| scope.cancelled.load(Ordering::Acquire))
}

pub(super) fn increase_handles(node: &Node) {
    // A new handle is made from an existing one, so the count cannot be 0 here: Relaxed
    // suffices, as for `Arc::clone`.
    node.num_handles.fetch_add(1, Ordering::Relaxed);
}

pub(super) fn decrease_handles(node: &Arc<Node>) {
    // AcqRel: everything done through the other handles happens-before the detach.
    if node.num_handles.fetch_sub(1, Ordering::AcqRel) != 1 {
        return;
    }
    detach(node);
}

/// The last handle is gone: splice the node out of the tree (invariant 6).
fn detach(node: &Arc<Node>) {
    with_locked_node_and_parent(node, |mut locked, parent| match parent {
        Some(mut parent) => {
            // Children move up first so that a cancel of the parent still reaches them.
            // Locks held: parent, node, one child at a time (invariant 2).
            let children = std::mem::take(&mut locked.children);
            match locked.parent.clone() {
                Some(parent_node) => move_children_to_parent(children, &parent_node, &mut parent),
                // Unreachable: `with_locked_node_and_parent` checked the link.
                None => disconnect(children),
            }
            remove_child(&mut parent, node, locked);
        }
        None => {
            // No parent: nothing can cancel the children through this node any more (its
            // handles are gone), so they become roots (invariant 6).
            disconnect(std::mem::take(&mut locked.children));
        }
    });
}

fn disconnect(children: Vec<Arc<Node>>) {
    for child in children {
        let mut child_locked = lock(&child);
        child_locked.parent = None;
        child_locked.parent_idx = 0;
    }
}

/// Moves every child of a node to `parent` (the node's own parent, `parent_node`), fixing
/// each child's `parent` and `parent_idx`.
fn move_children_to_parent(children: Vec<Arc<Node>>, parent_node: &Arc<Node>, parent: &mut Inner) {
    for child in children {
        let mut child_locked = lock(&child);
        child_locked.parent = Some(parent_node.clone());
        child_locked.parent_idx = parent.children.len();
        drop(child_locked);
        parent.children.push(child);
    }
}

/// Removes `node` from `parent.children` in O(1): swap-remove by `parent_idx`, then fix the
/// `parent_idx` of the sibling that moved into the hole.
fn remove_child(parent: &mut Inner, node: &Arc<Node>, mut locked: MutexGuard<'_, Inner>) {
    let mut pos = locked.parent_idx;
    locked.parent = None;
    locked.parent_idx = 0;
    // Unlock the node before locking a sibling: siblings have no lock order between them
    // (invariant 2), so at most one child of `parent` is locked at a time.
    drop(locked);
    let at_pos = parent
        .children
        .get(pos)
        .is_some_and(|c| Arc::ptr_eq(c, node));
    if !at_pos {
        // Unreachable while invariant 1 holds; recover rather than panic.
        match parent.children.iter().position(|c| Arc::ptr_eq(c, node)) {
            Some(found) => pos = found,
            None => return,
        }
    }
    parent.children.swap_remove(pos);
    if let Some(moved) = parent.children.get(pos) {
        lock(moved).parent_idx = pos;
    }
    let len = parent.children.len();
    if 4 * len <= parent.children.capacity() {
        parent.children.shrink_to(2 * len);
    }
}

/// Locks `node` and its current parent (if any), parent first, and runs `func` with both
/// guards. tokio-util's technique: lock the node, read its parent, `try_lock` the parent;
/// if that would block, unlock the node, lock the parent, relock the node, and retry if the
/// parent changed meanwhile. Each retry means the node moved up (re-parented to an
/// ancestor) or lost its parent, so its number of ancestors fell: the loop ends.
fn with_locked_node_and_parent<F, R>(node: &Arc<Node>, func: F) -> R
where
    F: FnOnce(MutexGuard<'_, Inner>, Option<MutexGuard<'_, Inner>>) -> R,
{
    let mut locked = lock(node);
    loop {
        let Some(potential_parent) = locked.parent.clone() else {
            return func(locked, None);
        };
        let locked_parent = match try_lock(&potential_parent) {
            Some(guard) => guard,
            None => {
                drop(locked);
                // Parent before child (invariant 2).
                let locked_parent = lock(&potential_parent);
                locked = lock(node);
                locked_parent
            }
        };
        let same = locked
            .parent
            .as_ref()
            .is_some_and(|actual| Arc::ptr_eq(actual, &potential_parent));
        if same {
            return func(locked, Some(locked_parent));
        }
    }
}

/// Sticky cancel of `node` and its whole subtree. The node's flag is stored first, before
/// any lock (invariant 3): the calls polling it stop at once, and the cancelling thread's
/// way to that store is the node's line and no more. Then the walk, which wakes the waiters
/// after every lock is released (invariant 4).
#[inline]
pub(super) fn cancel(node: &Arc<Node>) {
    node.cancelled.store(true, Ordering::Release);
    cancel_walk(node);
}

/// The rest of [`cancel`], after the flag: out of line, so that the inlined store is the
/// caller's first step.
#[inline(never)]
fn cancel_walk(node: &Arc<Node>) {
    let mut woken = Vec::new();
    {
        let mut locked = lock(node);
        cancel_locked(node, &mut locked, &mut woken);
    }
    wake(woken);
}

/// Sticky cancel of `node`, whose lock the caller holds (`locked`). tokio-util's iterative
/// walk: pop each child, lock it, detach it; its leaf children are cancelled and detached
/// on the spot, its other children are adopted by `node` and popped later. At most three
/// locks are held (node, child, grandchild), in tree order (invariant 2). Each node's flag
/// is set and its waiters taken under its own lock (invariants 3 and 5); the parkers go to
/// `woken` for the caller to wake once unlocked (invariant 4).
fn cancel_locked(node: &Arc<Node>, locked: &mut Inner, woken: &mut Vec<Arc<Parker>>) {
    node.set_cancelled(locked, woken);
    while let Some(child) = locked.children.pop() {
        let mut child_locked = lock(&child);
        child_locked.parent = None;
        child_locked.parent_idx = 0;
        while let Some(grandchild) = child_locked.children.pop() {
            let mut grandchild_locked = lock(&grandchild);
            if grandchild_locked.children.is_empty() {
                grandchild_locked.parent = None;
                grandchild_locked.parent_idx = 0;
                grandchild.set_cancelled(&mut grandchild_locked, woken);
            } else {
                grandchild_locked.parent = Some(node.clone());
                grandchild_locked.parent_idx = locked.children.len();
                drop(grandchild_locked);
                locked.children.push(grandchild);
            }
        }
        // Flag set after the children are taken, under the same lock: a child created
        // from now on is born cancelled, one created before was taken above.
        child.set_cancelled(&mut child_locked, woken);
    }
}

/// Non-sticky: sticky-cancels every Call node in the subtree below `node` (not `node`
/// itself), leaves Scope nodes uncancelled and in place, and wakes the calls' waiters after
/// every lock is released (invariant 4).
pub(super) fn cancel_calls(node: &Arc<Node>) {
    let mut woken = Vec::new();
    {
        let mut locked = lock(node);
        cancel_calls_locked(&mut locked, &mut woken);
    }
    wake(woken);
}

/// Depth-first walk that keeps the whole path from the walk's root locked (invariant 2: each
/// lock is taken below every lock held). While a node is locked its child list cannot change
/// (adding or removing a child needs its lock) and no node on the path can be detached
/// (that needs its parent's lock), so no child re-parented upwards can slip past the walk
/// (invariant 6). Recursion depth = tree depth (4 in the engine: root, session, handle,
/// call).
fn cancel_calls_locked(locked: &mut Inner, woken: &mut Vec<Arc<Parker>>) {
    for child in locked.children.iter() {
        let mut child_locked = lock(child);
        match child.kind {
            NodeKind::Call => cancel_locked(child, &mut child_locked, woken),
            NodeKind::Scope => cancel_calls_locked(&mut child_locked, woken),
        }
    }
}

/// Unparks each parker once: a parker shared by many waiters (a pause point's gate) is
/// registered on each of their nodes, and one unpark wakes them all.
fn wake(mut woken: Vec<Arc<Parker>>) {
    woken.sort_unstable_by_key(|p| Arc::as_ptr(p) as usize);
    woken.dedup_by(|a, b| Arc::ptr_eq(a, b));
    for parker in woken {
        parker.unpark();
    }
}

/// Registers `parker` on `node`: `Some(id)`, or `None` if the node is already cancelled
/// (checked under the lock, so a cancel either sees this waiter or this sees the flag:
/// invariant 5).
pub(super) fn register(node: &Node, parker: &Arc<Parker>) -> Option<u64> {
    let mut locked = lock(node);
    if node.cancelled.load(Ordering::Acquire) {
        return None;
    }
    let id = locked.next_waiter;
    locked.next_waiter = locked.next_waiter.wrapping_add(1);
    locked.waiters.push((id, parker.clone()));
    Some(id)
}

/// Removes the waiter `id` if a cancel has not already taken it.
pub(super) fn deregister(node: &Node, id: u64) {
    let mut locked = lock(node);
    if let Some(pos) = locked.waiters.iter().position(|(w, _)| *w == id) {
        locked.waiters.swap_remove(pos);
    }
}

/// Test support: checks invariant 1 on the subtree below `node` and returns its size
/// (including `node`). Takes one lock at a time, so call it only on a quiescent tree.
#[cfg(test)]
pub(super) fn check_subtree(node: &Arc<Node>) -> usize {
    let children = lock(node).children.clone();
    if node.cancelled.load(Ordering::Acquire) {
        assert!(children.is_empty(), "a cancelled node has children");
    }
    let mut size = 1;
    for (idx, child) in children.iter().enumerate() {
        {
            let child_locked = lock(child);
            let parent = child_locked.parent.as_ref().expect("child without parent");
            assert!(
                Arc::ptr_eq(parent, node),
                "child's parent is not its parent"
            );
            assert_eq!(child_locked.parent_idx, idx, "parent_idx out of date");
        }
        size += check_subtree(child);
    }
    size
}

/// Test support: the number of parkers registered on `node`.
#[cfg(test)]
pub(super) fn waiter_count(node: &Node) -> usize {
    lock(node).waiters.len()
}

/// Test support: `node`'s own flag, without its scope's.
#[cfg(test)]
pub(super) fn own_flag(node: &Node) -> bool {
    node.cancelled.load(Ordering::Acquire)
}

/// Test support: holds `node`'s lock, so that a walk reaching it waits.
#[cfg(all(test, not(loom)))]
pub(super) fn hold(node: &Node) -> impl Sized + '_ {
    lock(node)
}
