//! The list buffers of [`EventData::items`](super::EventData::items), which a thread
//! recycles.
//!
//! A parsed event used to pay one `malloc` for its items list (sized exactly) and one `free`
//! in its owner's drop. When an [`EventData`](super::EventData) is dropped, its list (emptied,
//! so its items are dropped as before) goes to a short list of spares kept by the dropping
//! thread if its capacity is one of the [`CLASSES`]; [`take`] hands out a spare of the
//! smallest class that holds the items, or allocates that class. A thread that parses and
//! drops events thus reuses the same few lists.
//!
//! Invariants: a spare is empty (cleared when kept) and its capacity is exactly one of the
//! classes, so a list from [`take`] never has more than twice the room its items need (or
//! the smallest class); a thread keeps at most [`SPARE_MAX`] spares of each class; lists of
//! any other capacity (built by other code, or longer than the largest class) are freed as
//! before.

use std::cell::RefCell;

use super::DataItem;

/// The capacities a spare may have: events hold a handful to a few dozen items.
const CLASSES: [usize; 3] = [8, 16, 32];
/// How many spares of each class a thread keeps (room for 224 items, about 18 KiB).
const SPARE_MAX: usize = 4;

thread_local! {
    static SPARE: RefCell<[Vec<Vec<DataItem>>; CLASSES.len()]> =
        const { RefCell::new([Vec::new(), Vec::new(), Vec::new()]) };
}

/// The class that holds `len` items, if one does.
#[inline]
fn class_of(len: usize) -> Option<usize> {
    CLASSES.iter().position(|&c| len <= c)
}

/// An empty list with room for `len` items: a spare of the smallest class that holds them,
/// or a new list of that class (of exactly `len` when no class does).
#[inline]
pub(crate) fn take(len: usize) -> Vec<DataItem> {
    let Some(class) = class_of(len) else {
        return Vec::with_capacity(len);
    };
    let spare = SPARE
        .try_with(|spare| spare.try_borrow_mut().ok()?[class].pop())
        .ok()
        .flatten();
    spare.unwrap_or_else(|| Vec::with_capacity(CLASSES[class]))
}

/// Drops the items of `list` and keeps its buffer if it is of a class and the thread has
/// room for it.
#[inline]
pub(crate) fn give(mut list: Vec<DataItem>) {
    let Some(class) = CLASSES.iter().position(|&c| c == list.capacity()) else {
        return;
    };
    list.clear();
    // During the thread's exit, or in a nested borrow (an item's drop cannot reach here,
    // but stay safe), the list is simply freed.
    let _ = SPARE.try_with(|spare| {
        if let Ok(mut spare) = spare.try_borrow_mut() {
            if spare[class].len() < SPARE_MAX {
                spare[class].push(list);
            }
        }
    });
}

/// How many spare lists this thread holds, by class (for tests).
#[cfg(test)]
pub(crate) fn spare_counts() -> [usize; CLASSES.len()] {
    SPARE.with(|spare| {
        let spare = spare.borrow();
        [spare[0].len(), spare[1].len(), spare[2].len()]
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{EventData, Value};

    fn item(i: usize) -> DataItem {
        DataItem::Data {
            name: None,
            value: Value::UInt32(i as u32),
        }
    }

    fn empty_spares() {
        SPARE.with(|spare| spare.borrow_mut().iter_mut().for_each(Vec::clear));
    }

    #[test]
    fn a_dropped_list_is_reused_empty() {
        empty_spares();
        let mut list = take(3);
        list.extend((0..3).map(item));
        let at = list.as_ptr() as usize;
        drop(EventData {
            name: None,
            items: list,
        });
        assert_eq!(spare_counts(), [1, 0, 0]);
        let again = take(5);
        assert_eq!(again.as_ptr() as usize, at);
        // Fails if the spare is kept without being cleared.
        assert!(again.is_empty());
        assert_eq!(spare_counts(), [0, 0, 0]);
    }

    #[test]
    fn a_taken_list_holds_its_items_in_at_most_twice_their_room() {
        for len in 0..=40 {
            empty_spares();
            // Spares of every class on hand: the one taken must still fit `len`.
            for &c in &CLASSES {
                give(Vec::with_capacity(c));
            }
            let list = take(len);
            assert!(list.is_empty());
            assert!(list.capacity() >= len, "{len}");
            assert!(list.capacity() <= (2 * len).max(CLASSES[0]), "{len}");
        }
    }

    #[test]
    fn only_lists_of_a_class_are_kept_and_at_most_spare_max_each() {
        empty_spares();
        for cap in [1, 7, 9, 31, 33, 64] {
            give(Vec::with_capacity(cap));
        }
        assert_eq!(spare_counts(), [0, 0, 0]);
        for _ in 0..2 * SPARE_MAX {
            give(Vec::with_capacity(16));
        }
        assert_eq!(spare_counts(), [0, SPARE_MAX, 0]);
        empty_spares();
    }

    #[test]
    fn a_list_longer_than_every_class_is_exact() {
        let list = take(CLASSES[CLASSES.len() - 1] + 1);
        assert_eq!(list.capacity(), CLASSES[CLASSES.len() - 1] + 1);
    }
}
