//! The synchronisation primitives of the cancellation tree: from `loom` under
//! `cfg(all(test, loom))`, from `std` otherwise, so that loom can explore every interleaving
//! of `cancel/` and of the push subscriptions' wake-up (`engine/notify.rs`).
//!
//! Owns nothing but the choice. Code that loom checks imports its `Arc`, `Mutex`, `Condvar`
//! and atomics from here, never from `std::sync` or `parking_lot` directly.
//! Run the models with `RUSTFLAGS="--cfg loom" cargo test --release --lib cancel`.
//!
//! The switch is `all(test, loom)`, as in tokio-util: loom is a dev-dependency, so a
//! non-test build under `--cfg loom` (e.g. the CLI, or `cargo clippy` of the library) keeps
//! `std` and still compiles.

#[cfg(all(test, loom))]
pub(crate) use loom::sync::{
    atomic::{fence, AtomicBool, AtomicU8, AtomicUsize, Ordering},
    Arc, Condvar, Mutex, MutexGuard,
};

#[cfg(not(all(test, loom)))]
pub(crate) use std::sync::{
    atomic::{fence, AtomicBool, AtomicU8, AtomicUsize, Ordering},
    Arc, Condvar, Mutex, MutexGuard,
};
