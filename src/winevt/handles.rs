//! The handle table: every EVT_HANDLE the facade gave out, typed and generation-checked.
//!
//! A handle's value is its slot index plus one in the low bits and the slot's generation
//! above them, so 0 (NULL) is never a handle, and a closed handle's value stays invalid
//! after its slot is reused (the generation moved on).
//!
//! Invariants:
//! 1. The table's lock is held only to look up, add or remove entries, never across an
//!    engine call: lookups clone the object's `Arc` out, so a blocked EvtNext on one
//!    handle does not stop EvtCancel or EvtClose on it from another thread.
//! 2. Closing an entry closes its children first (a session's queries, subscriptions and
//!    events; a query's events), depth first; a child closed on its own is skipped when its
//!    parent closes (its generation no longer matches).
//! 3. A parent's list of children is compacted when it holds more than twice its live
//!    children, so a long-running query whose events are closed one by one stays bounded.

use std::sync::Arc;

use parking_lot::Mutex;

use super::object::Object;

/// EVT_HANDLE: pointer-sized; 0 is NULL.
#[allow(non_camel_case_types)]
pub type EVT_HANDLE = isize;

/// Bits of a handle's value that hold its slot index plus one.
const INDEX_BITS: u32 = if usize::BITS >= 64 { 32 } else { 20 };
const INDEX_MASK: usize = (1 << INDEX_BITS) - 1;
/// Generations kept in a handle's value (the rest of the bits, below the sign bit).
const GENERATION_MASK: u32 = ((1usize << (usize::BITS - 1 - INDEX_BITS)) - 1) as u32;

struct Entry {
    object: Arc<Object>,
    parent: EVT_HANDLE,
    children: Vec<EVT_HANDLE>,
    live_children: usize,
}

struct Slot {
    generation: u32,
    entry: Option<Entry>,
}

/// Every open handle.
#[derive(Default)]
pub(super) struct Table {
    slots: Vec<Slot>,
    free: Vec<usize>,
}

/// The process-wide table.
static TABLE: Mutex<Table> = Mutex::new(Table {
    slots: Vec::new(),
    free: Vec::new(),
});

fn value_of(index: usize, generation: u32) -> EVT_HANDLE {
    (((generation as usize) << INDEX_BITS) | (index + 1)) as EVT_HANDLE
}

fn split(handle: EVT_HANDLE) -> Option<(usize, u32)> {
    let value = handle as usize;
    let index = (value & INDEX_MASK).checked_sub(1)?;
    let generation = (value >> INDEX_BITS) as u32;
    Some((index, generation))
}

impl Table {
    fn entry(&self, handle: EVT_HANDLE) -> Option<&Entry> {
        let (index, generation) = split(handle)?;
        let slot = self.slots.get(index)?;
        (slot.generation == generation)
            .then_some(slot.entry.as_ref())
            .flatten()
    }

    fn entry_mut(&mut self, handle: EVT_HANDLE) -> Option<&mut Entry> {
        let (index, generation) = split(handle)?;
        let slot = self.slots.get_mut(index)?;
        if slot.generation != generation {
            return None;
        }
        slot.entry.as_mut()
    }

    fn insert(&mut self, object: Arc<Object>, parent: EVT_HANDLE) -> EVT_HANDLE {
        let entry = Entry {
            object,
            parent,
            children: Vec::new(),
            live_children: 0,
        };
        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    entry: None,
                });
                self.slots.len() - 1
            }
        };
        let slot = &mut self.slots[index];
        slot.entry = Some(entry);
        let handle = value_of(index, slot.generation);
        if let Some(p) = self.entry_mut(parent) {
            p.children.push(handle);
            p.live_children += 1;
            if p.children.len() > 2 * p.live_children + 16 {
                let children = std::mem::take(&mut p.children);
                let live: Vec<EVT_HANDLE> = children
                    .into_iter()
                    .filter(|&c| self.entry(c).is_some())
                    .collect();
                if let Some(p) = self.entry_mut(parent) {
                    p.children = live;
                }
            }
        }
        handle
    }

    /// Removes `handle` and its descendants if `accept` takes its object: returns the object,
    /// its descendants' objects pushed to `descendants` (children before their parents).
    fn remove(
        &mut self,
        handle: EVT_HANDLE,
        accept: impl FnOnce(&Object) -> bool,
        descendants: &mut Vec<Arc<Object>>,
    ) -> Result<Arc<Object>, Refused> {
        let (index, entry) = self.open(handle).ok_or(Refused::NotOpen)?;
        if !accept(&entry.object) {
            return Err(Refused::Rejected);
        }
        Ok(self.take(index, descendants))
    }

    /// The slot index and entry of `handle`, if it is open.
    fn open(&self, handle: EVT_HANDLE) -> Option<(usize, &Entry)> {
        let (index, _) = split(handle)?;
        Some((index, self.entry(handle)?))
    }

    /// Empties the open slot `index` and those of its descendants (see [`Table::remove`]).
    fn take(&mut self, index: usize, descendants: &mut Vec<Arc<Object>>) -> Arc<Object> {
        let slot = &mut self.slots[index];
        let entry = slot.entry.take().expect("`index` is an open slot");
        slot.generation = (slot.generation + 1) & GENERATION_MASK;
        self.free.push(index);
        for child in entry.children {
            // A child closed on its own is gone already (invariant 2).
            if let Some((child, _)) = self.open(child) {
                let object = self.take(child, descendants);
                descendants.push(object);
            }
        }
        if let Some(p) = self.entry_mut(entry.parent) {
            p.live_children = p.live_children.saturating_sub(1);
        }
        entry.object
    }
}

/// Why [`remove_if`] closed nothing.
#[derive(Debug, PartialEq)]
pub(super) enum Refused {
    /// Not an open handle.
    NotOpen,
    /// Open, but its object is not one this close takes.
    Rejected,
}

/// What closing a handle took out of the table, to close outside its lock: the handle's
/// object and its descendants' (children before their parents). Most closes (an event's)
/// have no descendants, so they allocate nothing.
pub(super) struct Closed {
    object: Arc<Object>,
    descendants: Vec<Arc<Object>>,
}

impl Closed {
    /// Closes the objects, descendants first (invariant 2).
    pub(super) fn close(self) {
        for object in self.descendants.iter().chain([&self.object]) {
            object.close();
        }
    }

    /// How many handles were closed.
    #[cfg(test)]
    fn len(&self) -> usize {
        1 + self.descendants.len()
    }
}

/// A new handle for `object`, a child of `parent` (0: none).
pub(super) fn insert(object: Object, parent: EVT_HANDLE) -> EVT_HANDLE {
    TABLE.lock().insert(Arc::new(object), parent)
}

/// New handles for `objects`, children of `parent`, in order, under one lock (EvtNext's
/// batch); `slots` receives them.
pub(super) fn insert_all(
    objects: impl IntoIterator<Item = Object>,
    parent: EVT_HANDLE,
    slots: &mut [EVT_HANDLE],
) -> usize {
    let mut table = TABLE.lock();
    let mut n = 0;
    for (slot, object) in slots.iter_mut().zip(objects) {
        *slot = table.insert(Arc::new(object), parent);
        n += 1;
    }
    n
}

/// The object behind `handle`, if it is open.
pub(super) fn get(handle: EVT_HANDLE) -> Option<Arc<Object>> {
    TABLE.lock().entry(handle).map(|e| e.object.clone())
}

/// Closes `handle` and everything under it, under one lock, if `accept` takes its object.
pub(super) fn remove_if(
    handle: EVT_HANDLE,
    accept: impl FnOnce(&Object) -> bool,
) -> Result<Closed, Refused> {
    let mut descendants = Vec::new();
    let object = TABLE.lock().remove(handle, accept, &mut descendants)?;
    Ok(Closed {
        object,
        descendants,
    })
}

/// Closes `handle` and everything under it; `None`: not an open handle.
pub(super) fn remove(handle: EVT_HANDLE) -> Option<Closed> {
    remove_if(handle, |_| true).ok()
}

/// Every open handle whose object `select` picks, closed as by [`remove`] (each with its
/// descendants), children before their parents. `evtlog_reset` closes everything this way.
pub(super) fn remove_all(select: impl Fn(&Object) -> bool) -> Vec<Arc<Object>> {
    let mut table = TABLE.lock();
    let roots: Vec<EVT_HANDLE> = table
        .slots
        .iter()
        .enumerate()
        .filter_map(|(index, slot)| {
            let entry = slot.entry.as_ref()?;
            select(&entry.object).then(|| value_of(index, slot.generation))
        })
        .collect();
    let mut out = Vec::new();
    for handle in roots {
        // A root may be a descendant of an earlier one, and closed with it already.
        if let Ok(object) = table.remove(handle, |_| true, &mut out) {
            out.push(object);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bookmark() -> Object {
        Object::Bookmark(parking_lot::Mutex::new(crate::Bookmark::new()))
    }

    #[test]
    fn a_closed_handle_stays_invalid_after_its_slot_is_reused() {
        let a = insert(bookmark(), 0);
        assert!(get(a).is_some());
        assert!(remove(a).is_some());
        assert!(get(a).is_none());
        assert!(remove(a).is_none(), "a second close fails");
        let b = insert(bookmark(), 0);
        assert_ne!(a, b);
        assert!(get(a).is_none());
        assert!(get(b).is_some());
        remove(b);
        for junk in [0, -1, 1 << 40, isize::MAX, isize::MIN] {
            assert!(get(junk).is_none(), "{junk:#x}");
        }
    }

    #[test]
    fn closing_a_parent_closes_its_children_once() {
        let parent = insert(bookmark(), 0);
        let children: Vec<EVT_HANDLE> = (0..100).map(|_| insert(bookmark(), parent)).collect();
        // Half closed on their own first (the list is compacted as it goes).
        for c in children.iter().step_by(2) {
            assert!(remove(*c).is_some());
        }
        let grandchild = insert(bookmark(), children[1]);
        let closed = remove(parent).unwrap();
        assert_eq!(
            closed.len(),
            1 + 50 + 1,
            "parent, live children, grandchild"
        );
        assert!(children.iter().all(|&c| get(c).is_none()));
        assert!(get(grandchild).is_none());
    }
}
