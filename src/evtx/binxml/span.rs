//! Value spans: where a template instance's substitution values lie in the chunk, read
//! straight from its value descriptors ([`spans_at`]), and the shapes (their types) with
//! which the fast path succeeded on a template ([`Shapes`], kept with the template so
//! `deferred` can prove later records of the same shape).
//!
//! Invariants:
//! - A span read by [`spans_at`] lies where its descriptor says; whether its bytes are
//!   within the chunk is checked where they are read ([`Span::bytes`]), except that a
//!   whole descriptor table's values must end within the data.
//! - A template keeps at most [`MAX_SHAPES`] shapes, each at most [`MAX_SHAPE_LEN`] values
//!   long.

use parking_lot::RwLock;

use crate::evtx::bytes::{u32_at, Reader};

/// Most shapes one template keeps: Windows writes a template's values with the same types
/// almost always, with a few variants for Null values.
pub(super) const MAX_SHAPES: usize = 16;
/// Longest shape kept, in values.
pub(super) const MAX_SHAPE_LEN: usize = 256;

/// One substitution value of an instance: where its bytes lie in the chunk, and its type.
/// Eight bytes: every record's probe builds some.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Span {
    /// Chunk offset (values of a 64 KiB chunk's descriptors sum to well under 4 GiB).
    start: u32,
    size: u16,
    pub(super) ty: u8,
    /// Decoded (or handed to a nested decoding) by the plan.
    pub(super) used: bool,
}

impl Span {
    /// Where the value starts in the chunk.
    pub(super) fn start(&self) -> usize {
        self.start as usize
    }

    /// Where it ends.
    pub(super) fn end(&self) -> usize {
        self.start() + usize::from(self.size)
    }

    /// Its size in bytes.
    pub(super) fn size(&self) -> usize {
        usize::from(self.size)
    }

    /// Its bytes in `chunk`, if they lie within it.
    pub(super) fn bytes<'c>(&self, chunk: &'c [u8]) -> Option<&'c [u8]> {
        chunk.get(self.start()..self.end())
    }
}

/// An instance's value descriptors at `r` as spans in `spans`, the first `limit` of them;
/// with all of them, `r` is left after the values (which must lie within it).
pub(super) fn read_spans(r: &mut Reader<'_>, spans: &mut Vec<Span>, limit: usize) -> Option<()> {
    let after = spans_at(r.data(), r.pos(), spans, limit)?;
    if let Some(after) = after {
        r.seek(after, "substitution values").ok()?;
    }
    Some(())
}

/// The value descriptors at `pos` of `data` (a value count, then 4 bytes a value) as spans
/// in `spans`, the first `limit` of them. With all of them, where the values end, which
/// must lie within `data`; `None` inside if limited.
pub(super) fn spans_at(
    data: &[u8],
    pos: usize,
    spans: &mut Vec<Span>,
    limit: usize,
) -> Option<Option<usize>> {
    let n = u32_at(data, pos)? as usize;
    let first = pos.checked_add(4)?;
    let descriptors = data.get(first..first.checked_add(n.checked_mul(4)?)?)?;
    let mut at = first + descriptors.len();
    // Sized once, then filled in place: the probe of every record of a scan runs this.
    spans.clear();
    spans.resize(n.min(limit), Span::default());
    for (span, d) in spans.iter_mut().zip(descriptors.chunks_exact(4)) {
        let size = u16::from_le_bytes([d[0], d[1]]);
        // Exact: the descriptors lie in a 64 KiB chunk, so n < 16384 and every offset is
        // below 65536 + 16384 * 65535 < 2^32.
        *span = Span {
            start: at as u32,
            size,
            ty: d[2],
            used: false,
        };
        at += usize::from(size);
    }
    if limit < n {
        return Some(None);
    }
    (at <= data.len()).then_some(Some(at))
}

/// The value shapes with which the fast path succeeded on one template.
#[derive(Debug, Default)]
pub(super) struct Shapes(RwLock<Vec<Box<[u8]>>>);

impl Shapes {
    /// Whether `spans` have a known shape.
    pub(super) fn contains(&self, spans: &[Span]) -> bool {
        self.0.read().iter().any(|shape| same_shape(shape, spans))
    }

    /// Records the shape of `spans`, unless it is known, too long, or the template already
    /// keeps [`MAX_SHAPES`].
    pub(super) fn record(&self, spans: &[Span]) {
        if spans.len() > MAX_SHAPE_LEN || self.contains(spans) {
            return;
        }
        let mut shapes = self.0.write();
        if shapes.len() < MAX_SHAPES && !shapes.iter().any(|s| same_shape(s, spans)) {
            shapes.push(spans.iter().map(|s| s.ty).collect());
        }
    }
}

fn same_shape(shape: &[u8], spans: &[Span]) -> bool {
    shape.len() == spans.len() && shape.iter().zip(spans).all(|(&ty, s)| ty == s.ty)
}
