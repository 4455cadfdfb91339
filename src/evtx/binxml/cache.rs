//! [`TemplateCache`]: parsed template definitions shared across the chunks of a file.
//!
//! Windows re-defines every template in every chunk (templates are chunk-local), so a file
//! of many chunks parses the same definitions again and again; parsing them was most of the
//! cost of decoding a chunk. The cache keeps each parsed definition under its identity and
//! hands it to later chunks that define the same template.
//!
//! Identity: the definition's token stream with every name reference replaced by the name
//! it resolves to. Bodies name elements by chunk offset (inline at first use, else pointing
//! back), so the same template has different bytes in each chunk; its identity does not
//! change. The parser reads nothing but that stream (element and attribute-list sizes are
//! skipped), so equal identities parse to equal definitions. Building an identity walks the
//! body token by token; a definition met before is first looked for among the layouts
//! (`layout`), which recognise it by comparing bytes.
//!
//! Owns [`Template`] too, a parsed definition with what is learnt of it on first use (its
//! plan, `plan`; the shapes its instances took on the fast path, `span`), and [`ChunkHash`],
//! the hash of the maps keyed by chunk offset or identity.
//!
//! Invariants:
//! - A definition taken from the cache is the definition the chunk's own bytes parse to:
//!   reuse never changes a decoded event (tested on every sample against uncached decoding).
//! - Definitions holding nested BinXml, or tokens a definition may not hold, have no
//!   identity and are never shared.
//! - Bounded: at most [`MAX_ENTRIES`] definitions of at most [`MAX_IDENTITY`] bytes each;
//!   past that, chunks parse their own.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use super::layout::Layouts;
use super::parsed::TNode;
use super::plan::Plan;
use super::span::Shapes;
use super::value::{inline_extent, BINXML_TYPE};

/// Most definitions one cache keeps.
pub(super) const MAX_ENTRIES: usize = 4096;
/// Longest identity kept (a definition fits in a 64 KiB chunk; its identity may be longer
/// only through names, which are short).
pub(super) const MAX_IDENTITY: usize = 1 << 17;

/// A parsed template definition.
#[derive(Debug)]
pub(super) struct Template {
    pub(super) body: Vec<TNode>,
    /// No substitution index occurs twice in `body`, so values can be moved out, not
    /// cloned: found on first use ([`Template::distinct`]; only the general path asks).
    distinct: OnceLock<bool>,
    /// The fast path's plan for this template, made on first use ([`Template::plan`]).
    plan: OnceLock<Plan>,
    /// The value shapes the fast path succeeded with (`deferred`).
    pub(super) shapes: Shapes,
}

impl Template {
    /// The definition whose parsed body is `body`.
    pub(super) fn new(body: Vec<TNode>) -> Template {
        Template {
            body,
            distinct: OnceLock::new(),
            plan: OnceLock::new(),
            shapes: Shapes::default(),
        }
    }

    /// True if no substitution index occurs twice in the body; found on first use (a
    /// small file's definitions are mostly read by the fast path alone, which never asks).
    pub(super) fn distinct(&self) -> bool {
        *self
            .distinct
            .get_or_init(|| distinct_substs(&self.body, &mut Vec::new()))
    }

    /// The template's plan, made on first use.
    pub(super) fn plan(&self) -> &Plan {
        self.plan.get_or_init(|| Plan::of(&self.body))
    }

    /// The plan, if one was made.
    pub(super) fn made_plan(&self) -> Option<&Plan> {
        self.plan.get()
    }
}

/// True if no substitution index occurs twice in `nodes` (counting into `seen`).
fn distinct_substs(nodes: &[TNode], seen: &mut Vec<bool>) -> bool {
    nodes.iter().all(|n| match n {
        TNode::Subst { index, .. } => {
            let i = usize::from(*index);
            if seen.len() <= i {
                seen.resize(i + 1, false);
            }
            !std::mem::replace(&mut seen[i], true)
        }
        TNode::Element(e) => {
            e.attributes().all(|(_, v)| distinct_substs(v, seen))
                && distinct_substs(e.children(), seen)
        }
        _ => true,
    })
}

/// Hashes a chunk's offsets with one multiplication, and template identities eight bytes
/// at a time. Keys come from the file: an adversary could make them collide, which costs
/// comparisons, never a wrong entry (maps compare keys).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct ChunkHash;

impl std::hash::BuildHasher for ChunkHash {
    type Hasher = ChunkHasher;
    fn build_hasher(&self) -> ChunkHasher {
        ChunkHasher(0)
    }
}

#[derive(Clone, Copy, Debug)]
pub(super) struct ChunkHasher(u64);

impl ChunkHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(23) ^ word).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

impl std::hash::Hasher for ChunkHasher {
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 29)
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in words.by_ref() {
            self.mix(u64::from_le_bytes([
                w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7],
            ]));
        }
        for &b in words.remainder() {
            self.mix(u64::from(b));
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }
}

/// Parsed template definitions shared across the chunks of one file (or of several). Give
/// the same cache to each chunk's [`ChunkDecoder::with_cache`](super::ChunkDecoder::with_cache).
///
/// Identities are content, not places, so one cache serves any number of files:
/// [`TemplateCache::fork`] is cheap (it shares the definitions), and
/// [`TemplateCache::absorb`] takes back what a fork parsed.
#[derive(Debug, Default)]
pub struct TemplateCache {
    entries: HashMap<Arc<[u8]>, Arc<Template>, ChunkHash>,
    /// Entries this cache parsed itself (not forked from another), for `absorb`.
    fresh: Vec<Arc<[u8]>>,
    /// Definitions as chunks held them, recognised before an identity is built.
    layouts: Layouts<Arc<Template>, ChunkHash>,
    /// Where identities are built: one allocation for every lookup of the cache's life.
    scratch: Scratch,
}

/// What building an identity writes: the identity, and the name references its walk met
/// (where each offset is, the offset read), for [`Layouts`].
#[derive(Debug, Default)]
pub(super) struct Scratch {
    pub(super) identity: Vec<u8>,
    pub(super) names: Vec<(usize, usize)>,
}

impl TemplateCache {
    /// An empty cache.
    pub fn new() -> TemplateCache {
        TemplateCache::default()
    }

    /// The number of definitions held.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether it holds no definition.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The identity scratch buffer, to build an identity in; give it back after.
    pub(super) fn take_scratch(&mut self) -> Scratch {
        std::mem::take(&mut self.scratch)
    }

    pub(super) fn put_scratch(&mut self, scratch: Scratch) {
        self.scratch = scratch;
    }

    /// The definition at chunk offset `def`, if the chunk holds it as a chunk before held a
    /// definition this cache keeps (`layout`): no identity needed.
    pub(super) fn recognise(&mut self, chunk: &[u8], def: usize) -> Option<Arc<Template>> {
        self.layouts.recognise(chunk, def)
    }

    /// Remembers how the chunk holds the definition at `def`, just looked up or inserted
    /// under the identity built in `scratch` (which names its references).
    pub(super) fn remember(
        &mut self,
        chunk: &[u8],
        def: usize,
        scratch: &Scratch,
        template: &Arc<Template>,
    ) {
        self.layouts
            .remember(chunk, def, &scratch.names, template, MAX_ENTRIES);
    }

    pub(super) fn get(&self, identity: &[u8]) -> Option<Arc<Template>> {
        self.entries.get(identity).cloned()
    }

    /// Keeps `template` under `identity`, unless the cache is full (then false).
    pub(super) fn insert(&mut self, identity: &[u8], template: Arc<Template>) -> bool {
        if self.entries.len() >= MAX_ENTRIES {
            return false;
        }
        let identity: Arc<[u8]> = identity.into();
        self.fresh.push(Arc::clone(&identity));
        self.entries.insert(identity, template);
        true
    }

    /// Takes in the definitions `other` parsed itself (not those it was forked with), up
    /// to the bound.
    pub fn absorb(&mut self, other: &TemplateCache) {
        for identity in &other.fresh {
            if self.entries.len() >= MAX_ENTRIES {
                break;
            }
            if let Some(template) = other.entries.get(identity) {
                self.entries
                    .entry(Arc::clone(identity))
                    .or_insert_with(|| Arc::clone(template));
            }
        }
    }

    /// A cache holding this one's definitions (shared, not copied) and counting none as
    /// its own: give it to one file's decoding, then [`absorb`](Self::absorb) it back.
    pub fn fork(&self) -> TemplateCache {
        TemplateCache {
            entries: self.entries.clone(),
            fresh: Vec::new(),
            layouts: self.layouts.clone(),
            scratch: Scratch::default(),
        }
    }
}

/// The identity of the definition body at chunk offsets `[start, end)` into
/// `scratch.identity`, and the name references met into `scratch.names` (both cleared
/// first; a scratch kept across calls), or `None` if it has none (see the module docs).
pub(super) fn identity<'s>(
    chunk: &[u8],
    start: usize,
    end: usize,
    scratch: &'s mut Scratch,
) -> Option<&'s [u8]> {
    let Scratch {
        identity: out,
        names,
    } = scratch;
    let data = chunk.get(..end)?;
    out.clear();
    names.clear();
    // About the body's size (names are usually shorter than their inline definitions):
    // one allocation for the cache's first identity rather than a run of doublings.
    out.reserve(end.saturating_sub(start).min(MAX_IDENTITY));
    let mut pos = start;
    let byte = |pos: &mut usize| -> Option<u8> {
        let b = *data.get(*pos)?;
        *pos += 1;
        Some(b)
    };
    let take = |pos: &mut usize, n: usize, out: &mut Vec<u8>| -> Option<()> {
        out.extend_from_slice(data.get(*pos..pos.checked_add(n)?)?);
        *pos += n;
        Some(())
    };
    let u16_at = |pos: usize| -> Option<usize> {
        Some(usize::from(u16::from_le_bytes([
            *data.get(pos)?,
            *data.get(pos + 1)?,
        ])))
    };
    // A name reference: the name's count and characters in place of the offset.
    let mut name = |pos: &mut usize, out: &mut Vec<u8>| -> Option<()> {
        let off = u32::from_le_bytes(data.get(*pos..*pos + 4)?.try_into().ok()?) as usize;
        names.push((*pos, off));
        *pos += 4;
        let count = u16_at(off.checked_add(6)?)?;
        out.extend_from_slice(chunk.get(off + 6..off + 8 + 2 * count)?);
        if off == *pos {
            *pos += 10 + 2 * count;
        }
        Some(())
    };
    while pos < end {
        if out.len() > MAX_IDENTITY {
            return None;
        }
        let tok = byte(&mut pos)?;
        out.push(tok);
        match tok {
            0x00 => break,
            0x01 | 0x41 => {
                take(&mut pos, 2, out)?; // dependency id
                pos += 4; // data size: not read by the parser
                name(&mut pos, out)?;
                if tok == 0x41 {
                    pos += 4; // attribute list size
                }
            }
            0x02..=0x04 => {}
            0x05 | 0x45 => {
                let ty = byte(&mut pos)?;
                if ty == BINXML_TYPE {
                    return None;
                }
                out.push(ty);
                let (prefix, len) = inline_extent(ty, data.get(pos..)?).ok()?;
                take(&mut pos, prefix + len, out)?;
            }
            0x06 | 0x46 | 0x09 | 0x49 | 0x0A => name(&mut pos, out)?,
            0x07 | 0x47 | 0x0B => {
                let n = u16_at(pos)?;
                take(&mut pos, 2 + 2 * n, out)?;
            }
            0x08 | 0x48 => take(&mut pos, 2, out)?,
            0x0D | 0x0E => take(&mut pos, 3, out)?,
            0x0F => take(&mut pos, 3, out)?,
            _ => return None,
        }
    }
    Some(out.as_slice())
}

#[cfg(test)]
#[path = "cache_tests.rs"]
mod tests;
