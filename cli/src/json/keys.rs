//! The JSON keys of a template's `<Data>` names, made once per template: a record visited
//! straight from its values names its template's names ([`DataNames`]), and most records of
//! a log share a few templates, so each `"Name":` is escaped and quoted once, then copied.
//!
//! Owns [`TemplateKeys`] and the cache of them by [`DataNames::id`] ([`KeyCache`], one per
//! writing thread, in its `JsonState`).
//!
//! Invariants:
//! - A slot has a key only if its name is non-empty and no other slot of the template has
//!   it: items of distinct slots with keys then have distinct names, the condition for
//!   `EventData`'s short way (`Json::keyed_members`, tested equal to the general rules).
//! - One id always names the same names (the library's promise), so a key kept under it
//!   stays right; the cache is emptied past [`MAX_TEMPLATES`] entries, to bound it.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use evtlog::DataNames;

use super::copy_escaped;

/// Most templates whose keys one cache keeps (a log has tens; thousands means many logs).
const MAX_TEMPLATES: usize = 4096;

/// The longest key kept in a buffer of its own (most are: `"SubjectUserName":`).
const SHORT_KEY: usize = 32;

/// A template's keys: `"Name":` of each slot, escaped as every key is.
#[derive(Debug, Default)]
pub(super) struct TemplateKeys {
    /// The longer keys one after another.
    bytes: Vec<u8>,
    /// Each slot's key; `None` for a slot without one (see the module's invariants).
    spans: Vec<Option<Key>>,
}

/// Where a key is.
#[derive(Debug)]
pub(super) enum Key {
    /// Up to [`SHORT_KEY`] bytes, in a buffer of that size (copied in one piece of fixed
    /// size, then cut to its length), and its length.
    Short([u8; SHORT_KEY], u8),
    /// `[from, to)` of the template's `bytes`.
    Long(u32, u32),
}

impl TemplateKeys {
    fn of(names: &DataNames<'_>) -> TemplateKeys {
        let mut keys = TemplateKeys::default();
        for slot in 0..names.len() {
            let span = match names.name(slot) {
                Some(name)
                    if !name.is_empty()
                        && (0..names.len())
                            .all(|other| other == slot || names.name(other) != Some(name)) =>
                {
                    let mut key = Vec::with_capacity(name.len() + 3);
                    copy_escaped(&mut key, name.as_bytes());
                    key.push(b':');
                    let mut short = [0u8; SHORT_KEY];
                    match (short.get_mut(..key.len()), u8::try_from(key.len())) {
                        (Some(to), Ok(len)) => {
                            to.copy_from_slice(&key);
                            Some(Key::Short(short, len))
                        }
                        _ => {
                            let from = keys.bytes.len();
                            keys.bytes.extend_from_slice(&key);
                            u32::try_from(from)
                                .ok()
                                .zip(u32::try_from(keys.bytes.len()).ok())
                                .map(|(from, to)| Key::Long(from, to))
                        }
                    }
                }
                _ => None,
            };
            keys.spans.push(span);
        }
        keys
    }

    /// Slot `slot`'s key (`"Name":`), if it has one.
    #[inline]
    pub(super) fn key(&self, slot: usize) -> Option<&Key> {
        self.spans.get(slot)?.as_ref()
    }

    /// Appends `key`, one of these keys.
    #[inline]
    pub(super) fn write_key(&self, key: &Key, out: &mut Vec<u8>) {
        match key {
            Key::Short(bytes, len) => {
                let at = out.len();
                out.extend_from_slice(bytes);
                out.truncate(at + usize::from(*len));
            }
            Key::Long(from, to) => out.extend_from_slice(
                self.bytes
                    .get(*from as usize..*to as usize)
                    .unwrap_or_default(),
            ),
        }
    }
}

/// Template ids are drawn one after another: their own value spreads them well enough.
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        // Spread over the high bits too, which the table's control bytes read.
        self.0 = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// The keys of the templates met, by [`DataNames::id`].
#[derive(Default)]
pub(super) struct KeyCache(HashMap<u64, TemplateKeys, BuildHasherDefault<IdHasher>>);

impl KeyCache {
    /// Calls `f` with the keys of `names`' template, made on first use.
    // Always: the member loop `f` then joins the writer's own code; out of line, its
    // pushes reloaded the output buffer every time (+2 % instructions on JSON lines).
    #[inline(always)]
    pub(super) fn with_keys<R>(
        &mut self,
        names: &DataNames<'_>,
        f: impl FnOnce(&TemplateKeys) -> R,
    ) -> R {
        let cache = &mut self.0;
        if cache.len() >= MAX_TEMPLATES && !cache.contains_key(&names.id()) {
            cache.clear();
        }
        f(cache
            .entry(names.id())
            .or_insert_with(|| TemplateKeys::of(names)))
    }
}
