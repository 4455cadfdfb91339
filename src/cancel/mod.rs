//! The cancellation tree: who can cancel what, how a scan loop notices, and how a blocked
//! thread is woken.
//!
//! Owns: [`CancelToken`] (a handle on one node of the tree), [`NodeKind`], the tree's nodes
//! and walks (`tree.rs`), and the blocking-wait pieces [`Parker`] (`parker.rs`) and
//! [`Registration`]. Modelled on tokio-util's `CancellationToken` tree (a mutex per node,
//! parent-before-child locking, children re-parented on drop) with three changes: the
//! cancelled flag is an `AtomicBool` read without a lock, blocked threads wait on a `Parker`
//! registered under the node lock instead of an async `Notify`, and no waiter is woken under
//! a tree lock.
//!
//! The tree: engine root → session → handle (result set, subscription) → in-flight call.
//! Roots, sessions and handles are [`NodeKind::Scope`] nodes; an in-flight operation is a
//! [`NodeKind::Call`] node.
//!
//! - [`CancelToken::cancel`] is **sticky**: the node and every descendant are cancelled, their
//!   waiters woken, and any child created later under a cancelled node is born cancelled.
//!   It serves EvtCancel on a result set or subscription (every later call on it fails with
//!   Cancelled until it is closed) and EvtClose.
//! - [`CancelToken::cancel_calls`] is **not sticky**: it sticky-cancels every Call node that
//!   is in the subtree below the node at that moment (with the Call's own subtree) and wakes
//!   their waiters, but sets no Scope's flag, including the node's own, even if the node is
//!   itself a Call. Calls created afterwards run normally. It serves EvtCancel(session).
//! - Both are idempotent. Neither is atomic across the subtree (each node's flag is set under
//!   that node's own lock), but when either returns, its work is complete: see invariant 7.
//! - [`CancelToken::is_cancelled`] is an `Acquire` load of the node's own flag, then of the
//!   flag of the node it was created under (invariant 8), so it is the per-batch poll of scan
//!   loops.
//!
//! A blocking wait, with no lost wake-up (invariant 5):
//!
//! ```text
//! let parker = Parker::new();
//! let _registration = token.register(&parker)?;   // Err(Cancelled) if already cancelled
//! loop {
//!     if token.is_cancelled() { return Err(Cancelled) }
//!     if ready() { break }
//!     parker.park_timeout(remaining);
//! }
//! ```
//!
//! # Invariants
//!
//! 1. **Tree shape.** A node with `parent == Some(p)` sits in `p.children` at index
//!    `parent_idx`, and every node in `p.children` has `parent == Some(p)`. A cancelled node
//!    has no children (once its cancel's walk has its lock: 3): cancel detaches the whole
//!    subtree below the node it starts from
//!    (every descendant gets `parent == None`), and a child of a cancelled node is born
//!    cancelled and detached. A node keeps its own link to its parent when it is the node a
//!    cancel started from (or a Call cancelled by `cancel_calls`) until its last handle
//!    drops.
//! 2. **Lock order: creation order.** A parent is created before its children, and
//!    re-parenting (6) only moves a node to an older ancestor, so "ancestor before
//!    descendant" agrees with creation order. Every blocking lock taken while node locks are
//!    held is of a node created after all of them: parent then child (`child`, `detach`),
//!    node, child, grandchild (`cancel`, at most three locks), or the path from the walk's
//!    root down (`cancel_calls`). Two siblings are never locked together (`detach` unlocks
//!    the node before fixing the moved sibling's `parent_idx`). The one acquisition against
//!    the order is the `try_lock` of a parent in `with_locked_node_and_parent`, which never
//!    blocks; on failure it unlocks and relocks in order (under loom it always takes that
//!    fallback: loom#376). Hence no deadlock. A `Parker`'s
//!    mutex is a leaf: it is only taken with no node lock held.
//! 3. **Flag monotonicity.** A node's `cancelled` flag goes from false to true and is never
//!    reset (store `Release`). It is stored under that node's lock, except by `cancel`, which
//!    stores its starting node's flag first, before taking that node's lock, and then again
//!    under it, before the walk. Readers load it with `Acquire` and no lock. A child is born
//!    cancelled exactly when its parent's flag was set when `child` held the parent's lock.
//!    The early store keeps 1 and 5: a `child` or `register` that reads the flag unset under
//!    the lock comes before the cancel's own lock, whose walk then finds the child or wakes
//!    the waiter; one that reads it set is born cancelled or fails. Between the store and
//!    the walk a cancelled node may still have children (1 holds once the walk has taken
//!    its lock).
//! 4. **No user code under a lock.** The walks only set flags, move links and collect the
//!    parkers of cancelled nodes; every parker is unparked after the last tree lock is
//!    released. Nothing else runs: there are no callbacks.
//! 5. **No lost wake-up.** `register` checks the flag and pushes the parker under the node's
//!    lock; a cancel sets the flag and drains the parkers under the same lock. So either the
//!    registration came first, and that cancel unparks it, or the cancel came first, and the
//!    registration fails with Cancelled. The parker keeps the permit if the unpark comes
//!    before the `park`, and the waiter checks `is_cancelled` after registering and before
//!    each park, so it never parks past a cancel of its node.
//! 6. **Re-parenting.** When a node's last handle drops, it locks its parent and itself
//!    (parent first, retrying if the parent changed), moves its children to its parent, and
//!    swap-removes itself from the parent's list, fixing the moved sibling's `parent_idx`.
//!    So a later `cancel` or `cancel_calls` on any ancestor still reaches the grandchildren.
//!    A node with no parent hands its children no parent either (they become roots: with
//!    its handles gone nothing can cancel them through it).
//! 7. **Completion.** When `cancel` returns, every node that was below the node when the
//!    walk took its lock is cancelled, and so is every node created below them since.
//!    When `cancel_calls` returns, every Call that was below the node when it was called is
//!    cancelled: the walk keeps the path from the node down locked, so no node can be
//!    re-parented upwards past it (6). `is_cancelled` of a node is true from the moment its
//!    own flag is set, or its scope's (8), possibly before its descendants' flags.
//! 8. **The scope's flag.** A node created under a parent (not born cancelled) keeps a
//!    link to it, its scope, for good, and `is_cancelled` reads the scope's flag after its
//!    own. That is the same answer earlier: the scope's flag is set only by a sticky cancel
//!    of the scope's subtree (`cancel_locked`), and while the node has a handle it leaves
//!    that subtree only by being cancelled (a walk detaches it) or when the scope's own
//!    handles are gone (6), after which nothing can set the scope's flag. So a set scope
//!    flag means the node is cancelled, or will be when the walk under way reaches it.
//!    What it buys: EvtCancel on a result set stops the call in flight the moment the
//!    result set's flag is stored, before the walk reaches the call's node and wakes its
//!    waiters, and that first step touches one node line, the line the call's poll keeps
//!    in cache (docs/src/performance.md, "Cancel latency, session 7"). A waiter is still
//!    woken by the walk (5), which sets its own node's flag.
//!
//! Costs: `child` one allocation and one lock; clone one atomic increment; drop one atomic
//! decrement, and on the last handle two locks plus O(children) re-parenting; `cancel` and
//! `cancel_calls` O(subtree), holding the starting node's lock throughout (so `child` on that
//! node waits meanwhile); `is_cancelled` one or two atomic loads; register and deregister one
//! lock. A node keeps its scope's allocation (not its place in the tree) while it lives.

mod parker;
mod tree;

#[cfg(all(test, loom))]
mod loom_tests;
#[cfg(all(test, not(loom)))]
mod tests;

use std::fmt;

use crate::error::{Error, ErrorKind};
use crate::sync::Arc;

pub(crate) use parker::Parker;

/// What a node stands for: a lasting scope, or one in-flight operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum NodeKind {
    /// The engine root, a session, or a handle (result set, subscription). `cancel_calls`
    /// walks through scopes without cancelling them.
    Scope,
    /// One in-flight call. `cancel_calls` on any ancestor cancels it (stickily).
    Call,
}

/// A handle on one node of the cancellation tree. `Clone` is one more handle on the same
/// node; when the last handle drops, the node leaves the tree and its children move to its
/// parent (invariant 6).
pub(crate) struct CancelToken {
    node: Arc<tree::Node>,
}

impl CancelToken {
    /// A new Scope root (the engine's).
    pub(crate) fn root() -> CancelToken {
        CancelToken {
            node: tree::root(NodeKind::Scope),
        }
    }

    /// A new child node; born cancelled (and detached) if this node is cancelled.
    pub(crate) fn child(&self, kind: NodeKind) -> CancelToken {
        CancelToken {
            node: tree::child(&self.node, kind),
        }
    }

    /// The kind this node was created with (the unit tests check it).
    #[cfg(all(test, not(loom)))]
    pub(crate) fn kind(&self) -> NodeKind {
        self.node.kind
    }

    /// Whether this node is cancelled: one atomic load of its own flag, no lock.
    #[inline]
    pub(crate) fn is_cancelled(&self) -> bool {
        tree::is_cancelled(&self.node)
    }

    /// `Err(Cancelled)` (ERROR_CANCELLED, 1223) if this node is cancelled.
    #[inline]
    pub(crate) fn check(&self) -> crate::Result<()> {
        if self.is_cancelled() {
            Err(Error::new(ErrorKind::Cancelled))
        } else {
            Ok(())
        }
    }

    /// Sticky cancel of this node and its subtree; wakes their waiters. Idempotent. The
    /// node's own flag is stored first (invariant 3), inlined here.
    #[inline]
    pub(crate) fn cancel(&self) {
        tree::cancel(&self.node);
    }

    /// This node's sticky cancel as a [`CancelFlag`], for a caller's handle to keep.
    pub(crate) fn flag(&self) -> CancelFlag {
        CancelFlag {
            node: self.node.clone(),
        }
    }

    /// Cancels every Call node below this one that exists now, and wakes their waiters;
    /// Scope nodes (this one included) are left uncancelled. Idempotent.
    pub(crate) fn cancel_calls(&self) {
        tree::cancel_calls(&self.node);
    }

    /// Registers `parker` to be unparked when this node is cancelled. Fails with Cancelled
    /// at once if it already is. The registration keeps a handle on the node (so the node
    /// stays in the tree) and deregisters when dropped.
    pub(crate) fn register(&self, parker: &Arc<Parker>) -> crate::Result<Registration> {
        match tree::register(&self.node, parker) {
            Some(id) => Ok(Registration {
                token: self.clone(),
                id,
            }),
            None => Err(Error::new(ErrorKind::Cancelled)),
        }
    }
}

impl Clone for CancelToken {
    fn clone(&self) -> CancelToken {
        tree::increase_handles(&self.node);
        CancelToken {
            node: self.node.clone(),
        }
    }
}

impl Drop for CancelToken {
    fn drop(&mut self) {
        tree::decrease_handles(&self.node);
    }
}

impl fmt::Debug for CancelToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CancelToken")
            .field("kind", &self.node.kind)
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

/// A node's sticky cancel, and nothing else, held apart from its [`CancelToken`]: a result
/// set's handle keeps one so that EvtCancel reaches the node's flag in one load from the
/// handle the caller holds (the handle, the node), not two (the handle, the result set,
/// its node). It keeps the node's memory, not its place in the tree: it is not a handle
/// (invariant 6 counts `CancelToken`s), so whoever keeps one keeps a `CancelToken` on the
/// same node for as long (a result set's handle keeps its result set, whose token it is).
/// A cancel through it is [`CancelToken::cancel`], the same walk from the same node.
#[derive(Clone)]
pub(crate) struct CancelFlag {
    node: Arc<tree::Node>,
}

impl CancelFlag {
    /// [`CancelToken::cancel`] of the node this was taken from; inlined, the flag's store
    /// first (invariant 3).
    #[inline]
    pub(crate) fn cancel(&self) {
        tree::cancel(&self.node);
    }
}

/// A parker registered on a node by [`CancelToken::register`]; deregisters on drop.
pub(crate) struct Registration {
    token: CancelToken,
    id: u64,
}

impl Drop for Registration {
    fn drop(&mut self) {
        tree::deregister(&self.token.node, self.id);
    }
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registration")
            .field("token", &self.token)
            .field("id", &self.id)
            .finish()
    }
}
