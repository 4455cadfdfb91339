//! [`EventIds`]: the EventIDs a filter can match, where its compiled program says so — a
//! necessary condition a scan tests on a chunk's EventID column before it reads a record.
//!
//! Invariant: if a program (or a source's Selects) matches an event, the set derived from it
//! contains that event's `System/EventID`. The set may hold more (it is only a gate); `None`
//! means the program does not bound the EventID. Tested against every evaluator in the
//! query property tests.

use super::ast::CmpOp;
use super::compile::Program;
use crate::event::SystemChild;

/// A set of EventIDs: one bit per value of the 16-bit field (8 KiB).
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct EventIds {
    bits: Box<[u64]>,
}

const WORDS: usize = (u16::MAX as usize + 1) / 64;

/// The most words of the set [`EventIds::may_meet`] reads to rule a range out exactly; a
/// wider range is ruled out only by its ends (a summary's test stays a few loads).
const RANGE_WORDS: usize = 16;

/// What [`EventIds::may_meet`] tests a chunk's summary against: the set's least and
/// greatest id and the residues mod 64 of its ids (the OR of its words). Made once a source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Hull {
    lo: u16,
    hi: u16,
    residues: u64,
}

impl EventIds {
    fn empty() -> EventIds {
        EventIds {
            bits: vec![0; WORDS].into_boxed_slice(),
        }
    }

    /// True if `id` is in the set.
    #[inline]
    pub(crate) fn contains(&self, id: u16) -> bool {
        let id = usize::from(id);
        self.bits
            .get(id / 64)
            .is_some_and(|w| w >> (id % 64) & 1 == 1)
    }

    /// The set's [`Hull`].
    pub(crate) fn hull(&self) -> Hull {
        let first = self.bits.iter().position(|&w| w != 0);
        let last = self.bits.iter().rposition(|&w| w != 0);
        let id = |w: usize, bit: u32| u16::try_from(w * 64 + bit as usize).unwrap_or(u16::MAX);
        match (first, last) {
            (Some(f), Some(l)) => Hull {
                lo: id(f, self.bits[f].trailing_zeros()),
                hi: id(l, 63 - self.bits[l].leading_zeros()),
                residues: self.bits.iter().fold(0, |a, w| a | w),
            },
            _ => Hull {
                lo: u16::MAX,
                hi: 0,
                residues: 0,
            },
        }
    }

    /// False only if no id within `min..=max` whose residue mod 64 is in `residues` is in
    /// the set (`hull` is this set's): then a chunk whose ids are so summarised (store
    /// chunk C9) holds no record the filter can match. Exact for ranges that meet the set
    /// within [`RANGE_WORDS`] words; beyond, it may answer true for a range that misses.
    #[inline]
    pub(crate) fn may_meet(&self, hull: &Hull, min: u16, max: u16, residues: u64) -> bool {
        if hull.residues & residues == 0 {
            return false;
        }
        let (lo, hi) = (usize::from(min.max(hull.lo)), usize::from(max.min(hull.hi)));
        if lo > hi {
            return false;
        }
        let (first, last) = (lo / 64, hi / 64);
        if last - first >= RANGE_WORDS {
            return true;
        }
        (first..=last).any(|w| {
            let from = if w == first { lo % 64 } else { 0 };
            let to = if w == last { hi % 64 } else { 63 };
            let mask = (u64::MAX >> (63 - (to - from))) << from;
            self.bits
                .get(w)
                .is_some_and(|word| word & mask & residues != 0)
        })
    }

    /// The ids from `lo` to `hi` inclusive added (nothing if `lo > hi`).
    fn add_range(&mut self, lo: u16, hi: u16) {
        if lo > hi {
            return;
        }
        let (lo, hi) = (usize::from(lo), usize::from(hi));
        for (w, word) in self
            .bits
            .iter_mut()
            .enumerate()
            .take(hi / 64 + 1)
            .skip(lo / 64)
        {
            let first = if w == lo / 64 { lo % 64 } else { 0 };
            let last = if w == hi / 64 { hi % 64 } else { 63 };
            // Bits first..=last of the word (last - first < 64).
            *word |= (u64::MAX >> (63 - (last - first))) << first;
        }
    }

    /// The ids `v` with `v op value` (an integer literal of any range).
    fn comparison(op: CmpOp, value: i128) -> EventIds {
        let mut set = EventIds::empty();
        let max = i128::from(u16::MAX);
        // The ids below, at and above `value`, each clamped to 0..=65535 (empty if none).
        let clamp = |v: i128| v.clamp(0, max) as u16;
        let below = (value > 0).then(|| (0, clamp(value - 1)));
        let at = u16::try_from(value).ok().map(|v| (v, v));
        let above = (value < max).then(|| (clamp(value + 1), u16::MAX));
        let parts = match op {
            CmpOp::Eq => [at, None],
            CmpOp::Ne => [below, above],
            CmpOp::Lt => [below, None],
            CmpOp::Le => [below, at],
            CmpOp::Gt => [above, None],
            CmpOp::Ge => [at, above],
        };
        for (lo, hi) in parts.into_iter().flatten() {
            set.add_range(lo, hi);
        }
        set
    }

    /// The ids listed (values outside 0..=65535 match no id).
    fn listed(values: &[i128]) -> EventIds {
        let mut set = EventIds::empty();
        for &v in values {
            if let Ok(id) = u16::try_from(v) {
                set.add_range(id, id);
            }
        }
        set
    }

    fn union(mut self, other: &EventIds) -> EventIds {
        self.bits
            .iter_mut()
            .zip(other.bits.iter())
            .for_each(|(a, b)| *a |= b);
        self
    }

    fn intersection(mut self, other: &EventIds) -> EventIds {
        self.bits
            .iter_mut()
            .zip(other.bits.iter())
            .for_each(|(a, b)| *a &= b);
        self
    }

    /// The set a program's matches have their EventID in, or `None` if it does not bound it.
    pub(crate) fn of_program(program: &Program) -> Option<EventIds> {
        match program {
            Program::Const(false) => Some(EventIds::empty()),
            Program::Int { field, op, value } if field.child() == SystemChild::EventId => {
                Some(EventIds::comparison(*op, *value))
            }
            Program::IntIn { field, values } if field.child() == SystemChild::EventId => {
                Some(EventIds::listed(values))
            }
            // Every part must match: any part's bound holds, and so does their intersection.
            Program::All(parts) => parts
                .iter()
                .filter_map(EventIds::of_program)
                .reduce(|a, b| a.intersection(&b)),
            // Some part matches: bounded only if every part is.
            Program::Any(parts) => EventIds::union_of(parts.iter().map(EventIds::of_program)),
            _ => None,
        }
    }

    /// The union of several sets where some one of their programs matches (an `or`, a
    /// source's Selects), or `None` if any is unbounded or there are none.
    pub(crate) fn union_of<S: std::borrow::Borrow<EventIds>>(
        sets: impl IntoIterator<Item = Option<S>>,
    ) -> Option<EventIds> {
        let mut sets = sets.into_iter();
        let first = sets.next()??.borrow().clone();
        sets.try_fold(first, |acc, set| Some(acc.union(set?.borrow())))
    }
}

impl std::fmt::Debug for EventIds {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let count: u32 = self.bits.iter().map(|w| w.count_ones()).sum();
        f.debug_struct("EventIds").field("count", &count).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::XPathFilter;

    /// The hull of a set: its ends and its ids' residues; none for the empty set.
    #[test]
    fn a_hull_is_the_sets_ends_and_residues() {
        let set = |xpath: &str| {
            XPathFilter::compile(xpath)
                .expect("compiles")
                .event_ids()
                .cloned()
                .expect("bounded")
        };
        let hull = set("*[System[EventID=65 or EventID=4624 or EventID=65535]]").hull();
        assert_eq!((hull.lo, hull.hi), (65, 65_535));
        assert_eq!(hull.residues, 1 << 1 | 1 << 16 | 1 << 63);
        let empty = set("*[System[EventID=1 and EventID=2]]");
        assert_eq!(empty.hull().residues, 0);
        assert!(!empty.may_meet(&empty.hull(), 0, u16::MAX, u64::MAX));
        // Within the range and the residues, but not both at once: 2 is in 1..=3 and
        // residue 1 is 65's, yet neither id is both.
        let two = set("*[System[EventID=2 or EventID=65]]");
        assert!(!two.may_meet(&two.hull(), 1, 3, 1 << 1 | 1 << 3));
        assert!(two.may_meet(&two.hull(), 1, 3, 1 << 2));
        assert!(two.may_meet(&two.hull(), 1, 65, 1 << 1));
        // A range far wider than RANGE_WORDS is not read through: answered from its ends.
        let both = set("*[System[EventID=0 or EventID=65535]]");
        assert!(both.may_meet(&both.hull(), 0, 65_535, u64::MAX));
        assert!(both.may_meet(&both.hull(), 1, 65_534, u64::MAX));
        assert!(!both.may_meet(&both.hull(), 1, 65_534, 1 << 5));
    }

    fn ids(xpath: &str) -> Option<Vec<u16>> {
        let filter = XPathFilter::compile(xpath).expect("compiles");
        let set = filter.event_ids()?;
        Some((0..=u16::MAX).filter(|&id| set.contains(id)).collect())
    }

    /// Each comparison's set, checked id by id against the comparison itself.
    #[test]
    fn comparisons_give_exactly_their_ids() {
        let ops = [
            CmpOp::Eq,
            CmpOp::Ne,
            CmpOp::Lt,
            CmpOp::Le,
            CmpOp::Gt,
            CmpOp::Ge,
        ];
        for value in [
            -5,
            -1,
            0,
            1,
            63,
            64,
            65,
            127,
            128,
            4624,
            65_534,
            65_535,
            65_536,
            1 << 40,
        ] {
            for op in ops {
                let set = EventIds::comparison(op, value);
                for id in 0..=u16::MAX {
                    let want = op.holds(i128::from(id).cmp(&value));
                    assert_eq!(set.contains(id), want, "{op:?} {value}, id {id}");
                }
            }
        }
    }

    #[test]
    fn filters_bound_the_event_id_where_they_say_so() {
        assert_eq!(ids("*[System[EventID=65535]]"), Some(vec![65535]));
        assert_eq!(
            ids("*[System[(EventID=4624 or EventID=4625) and Level=0]]"),
            Some(vec![4624, 4625])
        );
        assert_eq!(
            ids("*[System[EventID>=10 and EventID<=12]]"),
            Some(vec![10, 11, 12])
        );
        assert_eq!(
            ids("*[System[EventID=1]] or *[System[EventID=2]]"),
            Some(vec![1, 2])
        );
        // Not bounded: no EventID test, or one side of an `or` without one.
        assert_eq!(ids("*"), None);
        assert_eq!(ids("*[System[Level=2]]"), None);
        assert_eq!(ids("*[System[EventID=1 or Level=2]]"), None);
    }
}

#[cfg(test)]
mod properties {
    use proptest::prelude::*;

    use crate::event::Event;
    use crate::query::XPathFilter;

    const IDS: [u16; 8] = [0, 1, 2, 63, 64, 4624, 65_534, 65_535];

    /// `EventID op n` with `n` near the ids events have, or (with `level`) `Level = n`.
    fn leaf(level: bool) -> impl Strategy<Value = String> {
        let ops = prop::sample::select(vec!["=", "!=", "<", "<=", ">", ">="]);
        let ids = prop::sample::select(IDS.to_vec());
        prop_oneof![
            4 => (ops, ids).prop_map(|(op, n)| format!("EventID{op}{n}")),
            (if level { 1 } else { 0 }) => (0u8..3).prop_map(|n| format!("Level={n}")),
        ]
    }

    /// An `and`/`or` tree of leaves inside `*[System[…]]`.
    fn filter(level: bool) -> impl Strategy<Value = String> {
        leaf(level)
            .prop_recursive(3, 8, 2, |inner| {
                (inner.clone(), prop::bool::ANY, inner)
                    .prop_map(|(a, or, b)| format!("({a} {} {b})", if or { "or" } else { "and" }))
            })
            .prop_map(|e| format!("*[System[{e}]]"))
    }

    proptest! {
        /// Over EventID tests alone, the bound is exact: an id is in it iff an event with
        /// that id matches.
        #[test]
        fn event_id_filters_bound_exactly(xpath in filter(false)) {
            let filter = XPathFilter::compile(&xpath).expect("compiles");
            let set = filter.event_ids().expect("bounded");
            for id in IDS.iter().copied().chain([3, 62, 65, 4623, 4625]) {
                let event = Event::builder("P").event_id(id).build();
                let matches = filter.matches(&event, Default::default());
                prop_assert_eq!(set.contains(id), matches, "{} at {}", xpath, id);
            }
        }

        /// A chunk summary's test against the naive one (is some id within `min..=max`
        /// with its residue in the mask in the set?): never false where that is true (a
        /// chunk that may hold a match is never passed), and exact for ranges of up to
        /// `RANGE_WORDS` words. Summaries from a few ids near the filter's literals.
        #[test]
        fn a_summary_is_passed_only_if_no_id_of_it_can_match(
            xpath in filter(false),
            chunk_ids in prop::collection::vec(
                (prop::sample::select(IDS.to_vec()), -130i32..130),
                1..6,
            ),
        ) {
            let filter = XPathFilter::compile(&xpath).expect("compiles");
            let set = filter.event_ids().expect("bounded");
            let hull = set.hull();
            let ids: Vec<u16> = chunk_ids
                .iter()
                .map(|&(id, d)| (i32::from(id) + d).clamp(0, 65_535) as u16)
                .collect();
            let (min, max) = (*ids.iter().min().unwrap_or(&0), *ids.iter().max().unwrap_or(&0));
            let residues = ids.iter().fold(0u64, |m, id| m | 1 << (id % 64));
            let naive = (min..=max).any(|id| residues >> (id % 64) & 1 == 1 && set.contains(id));
            let got = set.may_meet(&hull, min, max, residues);
            prop_assert!(got || !naive, "{} passed {:?}", xpath, ids);
            if usize::from(max) / 64 - usize::from(min) / 64 < crate::query::event_ids::RANGE_WORDS {
                prop_assert_eq!(got, naive, "{} on {:?}", xpath, ids);
            }
            // The ids themselves: a chunk with a matching record is never passed.
            for id in ids {
                let event = Event::builder("P").event_id(id).build();
                if filter.matches(&event, Default::default()) {
                    prop_assert!(got, "{} passed a chunk holding {}", xpath, id);
                }
            }
        }

        /// With other fields mixed in, every match's id is in the bound (where there is one).
        #[test]
        fn bounds_hold_every_match(xpath in filter(true), level in 0u8..3) {
            let filter = XPathFilter::compile(&xpath).expect("compiles");
            if let Some(set) = filter.event_ids() {
                for id in IDS {
                    let event = Event::builder("P").event_id(id).level(level).build();
                    if filter.matches(&event, Default::default()) {
                        prop_assert!(set.contains(id), "{} matches {} outside its bound", xpath, id);
                    }
                }
            }
        }
    }
}
