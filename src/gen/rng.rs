//! The generator's own pseudo-random number generator: xoshiro256** seeded through SplitMix64.
//!
//! Owns every random choice the generator makes. Invariants:
//! - Pure integer arithmetic with explicit wrapping: one seed yields the same stream on every
//!   platform, pointer width and build profile. No floating point, no wall clock, no global
//!   state, no external crate.
//! - Bounded draws ([`Rng::below`]) are unbiased (Lemire's multiply-shift with rejection), so
//!   they depend only on the stream, not on platform integer sizes.
//! - Changing any function here changes the generator's output and the pinned hash in
//!   `gen/tests.rs`.

use crate::event::Guid;

/// xoshiro256** (Blackman and Vigna, 2018).
#[derive(Clone, Debug)]
pub(crate) struct Rng {
    s: [u64; 4],
}

/// One SplitMix64 step: advances `state` and returns the next output.
pub(crate) fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A stateless 64-bit mix of `a` and `b`: for values that must be stable per key (a file's
/// hash, a per-image version) rather than drawn from the stream.
pub(crate) fn mix(a: u64, b: u64) -> u64 {
    let mut state = a ^ b.rotate_left(32) ^ 0x6a09_e667_f3bc_c909;
    splitmix64(&mut state)
}

impl Rng {
    /// A generator whose four words come from SplitMix64 over `seed` (never all zero).
    pub(crate) fn new(seed: u64) -> Rng {
        let mut sm = seed;
        let s = [
            splitmix64(&mut sm),
            splitmix64(&mut sm),
            splitmix64(&mut sm),
            splitmix64(&mut sm),
        ];
        Rng { s }
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// The next 32 random bits (the high half of a 64-bit draw).
    pub(crate) fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    /// A uniform value in `0..n`; 0 when `n` is 0.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        let threshold = n.wrapping_neg() % n;
        loop {
            let m = u128::from(self.next_u64()) * u128::from(n);
            if (m as u64) >= threshold {
                return (m >> 64) as u64;
            }
        }
    }

    /// A uniform value in `lo..=hi` (`lo` when `hi < lo`).
    pub(crate) fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        match (hi - lo).checked_add(1) {
            Some(span) => lo + self.below(span),
            None => self.next_u64(),
        }
    }

    /// [`Rng::range`] for `u32` bounds.
    pub(crate) fn range_u32(&mut self, lo: u32, hi: u32) -> u32 {
        // The result lies in lo..=hi, so it fits.
        self.range(u64::from(lo), u64::from(hi)) as u32
    }

    /// True with probability `num / den`.
    pub(crate) fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }

    /// A uniformly chosen index into a collection of `len` items (0 when empty).
    pub(crate) fn index(&mut self, len: usize) -> usize {
        // `below(len)` is less than `len`, so it fits in usize.
        self.below(len as u64) as usize
    }

    /// A uniformly chosen item. `items` must not be empty (all pools are non-empty constants).
    pub(crate) fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        let i = self.index(items.len());
        items[i]
    }

    /// An item chosen with probability proportional to its integer weight. `items` must not be
    /// empty and its weights must not all be zero.
    pub(crate) fn weighted<T: Copy>(&mut self, items: &[(u32, T)]) -> T {
        let total: u64 = items.iter().map(|&(w, _)| u64::from(w)).sum();
        let mut r = self.below(total);
        for &(w, item) in items {
            let w = u64::from(w);
            if r < w {
                return item;
            }
            r -= w;
        }
        items[items.len() - 1].1
    }

    /// A random version 4 GUID.
    pub(crate) fn guid(&mut self) -> Guid {
        let v = (u128::from(self.next_u64()) << 64) | u128::from(self.next_u64());
        let v = (v & !(0xf000u128 << 64)) | (0x4000u128 << 64); // version 4
        let v = (v & !(0xc000u128 << 48)) | (0x8000u128 << 48); // RFC 4122 variant
        Guid::from_u128(v)
    }

    /// `n` random bytes.
    pub(crate) fn bytes(&mut self, n: usize) -> Vec<u8> {
        let mut out = Vec::with_capacity(n);
        while out.len() < n {
            let word = self.next_u64().to_le_bytes();
            let take = (n - out.len()).min(8);
            out.extend_from_slice(&word[..take]);
        }
        out
    }

    /// `n` random lowercase hex digits.
    pub(crate) fn hex(&mut self, n: usize) -> String {
        hex_string(&self.bytes(n.div_ceil(2)), n, false)
    }
}

/// The first `digits` hex digits of `bytes`, lower- or uppercase.
pub(crate) fn hex_string(bytes: &[u8], digits: usize, upper: bool) -> String {
    let table: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    let mut s = String::with_capacity(digits);
    for &b in bytes {
        for nibble in [b >> 4, b & 15] {
            if s.len() < digits {
                s.push(char::from(table[usize::from(nibble)]));
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xoshiro_matches_reference_vector() {
        // SplitMix64 from seed 0 yields these words (reference implementation by Vigna).
        let mut sm = 0u64;
        assert_eq!(splitmix64(&mut sm), 0xe220_a839_7b1d_cdaf);
        assert_eq!(splitmix64(&mut sm), 0x6e78_9e6a_a1b9_65f4);
        // xoshiro256** with state 1,2,3,4 (reference output).
        let mut rng = Rng { s: [1, 2, 3, 4] };
        let got: Vec<u64> = (0..4).map(|_| rng.next_u64()).collect();
        assert_eq!(got, [11520, 0, 1509978240, 1215971899390074240]);
    }

    #[test]
    fn bounded_draws_stay_in_range() {
        let mut rng = Rng::new(7);
        for n in [1u64, 2, 3, 7, 1000, u64::MAX] {
            for _ in 0..200 {
                assert!(rng.below(n) < n);
            }
        }
        assert_eq!(rng.below(0), 0);
        for _ in 0..200 {
            let v = rng.range(5, 9);
            assert!((5..=9).contains(&v));
        }
        assert_eq!(rng.range(9, 5), 9);
        let _ = rng.range(0, u64::MAX);
        assert_eq!(rng.weighted(&[(0, 'a'), (3, 'b')]), 'b');
    }

    #[test]
    fn guid_is_version_4() {
        let mut rng = Rng::new(1);
        let g = rng.guid();
        assert_eq!(g.data3 >> 12, 4);
        assert_eq!(g.data4[0] >> 6, 2);
        assert_eq!(rng.hex(5).len(), 5);
        assert_eq!(hex_string(&[0xab, 0xcd], 3, true), "ABC");
    }
}
