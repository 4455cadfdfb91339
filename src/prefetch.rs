//! A cache hint for the query hot path: `prefetch(&value)` asks the CPU to start loading the
//! cache lines of `value` that a coming step will read, so a scan over a memory channel's
//! records does not wait on each record's first line in turn (~6% of a query that renders
//! every event, measured in interleaved runs).
//!
//! This is the library's one `unsafe` block outside `ffi/`: `_mm_prefetch` takes a pointer,
//! but it only hints the cache and never reads, writes or faults, whatever the address. On
//! other targets `prefetch` does nothing.

#![allow(unsafe_code)]

/// Hints that the bytes of `value` will be read soon (a no-op off x86-64).
#[inline]
pub(crate) fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let start = (value as *const T).cast::<i8>();
        for offset in (0..std::mem::size_of::<T>()).step_by(64) {
            // SAFETY: PREFETCHT0 is a hint: it never dereferences in the program's sense
            // and cannot fault; the address is within (or one line past) a live value.
            unsafe { _mm_prefetch(start.wrapping_add(offset), _MM_HINT_T0) };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

#[cfg(test)]
mod tests {
    use super::prefetch;

    /// Any value, of any size, is a valid hint: nothing is read or changed.
    #[test]
    fn prefetching_changes_nothing() {
        let small = 7u8;
        let big = vec![[1u64; 64]; 3];
        prefetch(&small);
        prefetch(&());
        prefetch(&big[2]);
        prefetch(&big);
        assert_eq!(small, 7);
        assert!(big.iter().all(|a| a.iter().all(|&x| x == 1)));
    }
}
