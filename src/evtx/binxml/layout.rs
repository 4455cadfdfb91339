//! [`Layouts`]: template definitions recognised by their bytes, the template cache's quick
//! check before it builds an identity (`cache::identity`).
//!
//! A file's writer defines the same templates in chunk after chunk, most often with the same
//! bytes but for the chunk offsets of the names they use. A [`Layout`] keeps a definition's
//! body as one chunk held it and where its name references are; another chunk's definition
//! with the same template id and size is the same definition if its body equals that one
//! byte for byte outside those references, and each reference is inline where the kept one
//! was (and only there) and names the same name. That is a masked comparison of words and a
//! look at each reference (a name pointed to again is compared once), far less than the
//! identity's token walk and hashing, which took ~4 % of a large file's XML.
//!
//! Invariant: a layout recognises a body only if `cache::identity` would give that body the
//! identity of the layout's template. The identity's walk reads the body's bytes and, at
//! each name reference, the name's count and characters; it moves on by whether the name is
//! inline. Outside the references' offsets (and an inline name's link to the next name of
//! its hash, which nothing reads) the bytes are equal, the inline references the same and
//! the names equal, so the walk takes the same steps and writes the same identity. Anything
//! else (a chunk whose writer put a name inline where another chunk pointed back, a
//! damaged definition) falls back to the identity. Tested against it on every sample and on
//! crafted definitions (cache.rs).

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::sync::Arc;

/// Most layouts kept for one template id and size (a writer's few ways of placing names).
const PER_KEY: usize = 4;

/// A definition's template id (16 bytes) and body size, as its header holds them.
type Key = [u8; 20];

/// One definition's body as a chunk held it, and what it parses to (`T`, the cache's
/// definition).
#[derive(Debug)]
struct Layout<T> {
    len: usize,
    /// The body as little-endian words, the last padded with zeros.
    words: Box<[u64]>,
    /// Per word, the bits compared: all but the name offsets, inline names' links and the
    /// padding.
    mask: Box<[u64]>,
    names: Box<[NameRef]>,
    template: T,
}

/// A name reference of a layout, in body order.
#[derive(Debug)]
struct NameRef {
    /// Where its 4-byte name offset is, from the body's start.
    at: usize,
    /// Whether the name was inline right after the offset (then the body's comparison
    /// covers it whole).
    inline: bool,
    /// A pointed-to name: its count and characters.
    name: Box<[u8]>,
    /// An earlier reference that pointed to the same offset: where this one points to that
    /// offset again, its name is that one's, already compared.
    same_as: Option<usize>,
}

/// `bytes` as little-endian words, the last padded with zeros.
fn words(bytes: &[u8], out: &mut Vec<u64>) {
    out.clear();
    let mut blocks = bytes.chunks_exact(8);
    out.extend(
        blocks
            .by_ref()
            .map(|w| u64::from_le_bytes(w.try_into().unwrap_or_default())),
    );
    let rest = blocks.remainder();
    if !rest.is_empty() {
        let mut last = [0u8; 8];
        last[..rest.len()].copy_from_slice(rest);
        out.push(u64::from_le_bytes(last));
    }
}

/// Clears the compare bits of bytes `[from, from + n)` in `mask`.
fn skip(mask: &mut [u64], from: usize, n: usize) {
    for i in from..from + n {
        if let Some(w) = mask.get_mut(i / 8) {
            *w &= !(0xFF << (8 * (i % 8)));
        }
    }
}

impl<T: Clone> Layout<T> {
    /// The layout of the body at chunk offsets `[start, end)`, whose identity walk met name
    /// references `refs` (where each offset is, the offset read) and which parses to
    /// `template`; `None` if its references are not in order inside the body, or an inline
    /// name goes past it.
    fn new(
        chunk: &[u8],
        start: usize,
        end: usize,
        refs: &[(usize, usize)],
        template: &T,
    ) -> Option<Layout<T>> {
        let body = chunk.get(start..end)?;
        let mut body_words = Vec::new();
        words(body, &mut body_words);
        let mut mask = vec![u64::MAX; body_words.len()];
        let padding = 8 * mask.len() - body.len();
        skip(&mut mask, body.len(), padding);
        let mut names = Vec::with_capacity(refs.len());
        let mut from = 0;
        for (k, &(field, off)) in refs.iter().enumerate() {
            let at = field.checked_sub(start)?;
            let inline = off == field.checked_add(4)?;
            let count = usize::from(u16::from_le_bytes(
                chunk
                    .get(off.checked_add(6)?..off.checked_add(8)?)?
                    .try_into()
                    .ok()?,
            ));
            let name = chunk.get(off + 6..off + 8 + 2 * count)?;
            // The offset, and an inline name's link, are not compared; an inline name's
            // structure (link, hash, count, characters, NUL) must lie inside the body.
            let next = if inline {
                at + 4 + 10 + 2 * count
            } else {
                at + 4
            };
            if at < from || next > body.len() {
                return None;
            }
            skip(&mut mask, at, if inline { 8 } else { 4 });
            names.push(NameRef {
                at,
                inline,
                name: if inline { Box::default() } else { name.into() },
                same_as: refs[..k].iter().position(|&(_, o)| o == off),
            });
            from = next;
        }
        Some(Layout {
            len: body.len(),
            words: body_words.into(),
            mask: mask.into(),
            names: names.into(),
            template: template.clone(),
        })
    }

    /// Whether the body at chunk offset `start` is this layout's (see the module docs);
    /// `scratch` holds its words and the offsets its references point to.
    fn matches(&self, chunk: &[u8], start: usize, scratch: &mut Scratch) -> bool {
        let Some(body) = chunk.get(start..start.saturating_add(self.len)) else {
            return false;
        };
        words(body, &mut scratch.words);
        let same = scratch
            .words
            .iter()
            .zip(self.words.iter().zip(self.mask.iter()))
            .all(|(a, (b, m))| (a ^ b) & m == 0);
        if !same {
            return false;
        }
        scratch.offsets.clear();
        for r in self.names.iter() {
            // In range: `new` checked the references against the body's length.
            let Some(off) = body.get(r.at..r.at + 4) else {
                return false;
            };
            let off = u32::from_le_bytes([off[0], off[1], off[2], off[3]]) as usize;
            scratch.offsets.push(off);
            if (off == start + r.at + 4) != r.inline {
                return false;
            }
            let known = r
                .same_as
                .is_some_and(|j| scratch.offsets.get(j) == Some(&off));
            if !r.inline
                && !known
                && chunk.get(off.saturating_add(6)..off.saturating_add(6 + r.name.len()))
                    != Some(&r.name[..])
            {
                return false;
            }
        }
        true
    }
}

/// What recognising reuses: a body's words and the offsets its references point to.
#[derive(Debug, Default)]
struct Scratch {
    words: Vec<u64>,
    offsets: Vec<usize>,
}

/// Layouts by template id and size (hashed by `S`), bounded in number like the cache's
/// definitions.
#[derive(Debug)]
pub(super) struct Layouts<T, S> {
    by_key: HashMap<Key, Vec<Arc<Layout<T>>>, S>,
    count: usize,
    scratch: Scratch,
}

impl<T, S: Clone> Clone for Layouts<T, S> {
    fn clone(&self) -> Self {
        Layouts {
            by_key: self.by_key.clone(),
            count: self.count,
            scratch: Scratch::default(),
        }
    }
}

impl<T, S: Default> Default for Layouts<T, S> {
    fn default() -> Self {
        Layouts {
            by_key: HashMap::default(),
            count: 0,
            scratch: Scratch::default(),
        }
    }
}

/// The key of the definition whose header is at chunk offset `def`, and its body's range.
fn key(chunk: &[u8], def: usize) -> Option<(Key, usize, usize)> {
    let key: Key = chunk.get(def + 4..def + 24)?.try_into().ok()?;
    let size = u32::from_le_bytes([key[16], key[17], key[18], key[19]]) as usize;
    let start = def + 24;
    Some((key, start, start.checked_add(size)?))
}

impl<T: Clone, S: BuildHasher> Layouts<T, S> {
    /// The template of the definition at chunk offset `def`, if a kept layout is its.
    pub(super) fn recognise(&mut self, chunk: &[u8], def: usize) -> Option<T> {
        let (key, start, _) = key(chunk, def)?;
        let scratch = &mut self.scratch;
        self.by_key
            .get(&key)?
            .iter()
            .find(|l| l.matches(chunk, start, scratch))
            .map(|l| l.template.clone())
    }

    /// Keeps the layout of the definition at `def`, whose identity walk met name references
    /// `refs` and which parses to `template` (held by the cache), up to the bounds.
    pub(super) fn remember(
        &mut self,
        chunk: &[u8],
        def: usize,
        refs: &[(usize, usize)],
        template: &T,
        most: usize,
    ) {
        if self.count >= most {
            return;
        }
        let Some((key, start, end)) = key(chunk, def) else {
            return;
        };
        let kept = self.by_key.entry(key).or_default();
        if kept.len() >= PER_KEY {
            return;
        }
        if let Some(layout) = Layout::new(chunk, start, end, refs, template) {
            kept.push(Arc::new(layout));
            self.count += 1;
        }
    }
}
