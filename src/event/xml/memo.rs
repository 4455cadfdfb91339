//! The thread's memos of rendered fragments that repeat from event to event: the provider,
//! the System header (EventID to Keywords, one template's), Channel and Computer, and SIDs.
//! Each is a few slots of (key, text); rendering a key whose slot holds it copies the text
//! instead of formatting and escaping it again.
//!
//! Invariants:
//! 1. A slot's text is exactly what its renderer writes for the slot's key.
//! 2. A slot is used only for a key equal to its own, compared in full: which slot a key
//!    goes to (a hash of it) never decides equality, so a collision only costs a render.
//! 3. Memos are per thread and borrowed only while one fragment renders; a renderer that
//!    finds them borrowed (a reentrant call) renders without them.

use std::borrow::Borrow;
use std::cell::RefCell;

use crate::event::{Provider, Sid};

/// One memo entry: the key last rendered here, and its text.
pub(super) struct Slot<K> {
    key: Option<K>,
    text: String,
}

impl<K> Default for Slot<K> {
    fn default() -> Self {
        Slot {
            key: None,
            text: String::new(),
        }
    }
}

impl<K> Slot<K> {
    /// Appends the text of `key` to `out`, rendering it with `render` first if this slot
    /// holds another key (or none).
    pub(super) fn push<Q>(&mut self, out: &mut String, key: &Q, render: impl FnOnce(&mut String))
    where
        K: Borrow<Q>,
        Q: Same + ToOwned<Owned = K> + ?Sized,
    {
        if !self.key.as_ref().is_some_and(|k| k.borrow().same(key)) {
            // Keep the slot's allocations: the key is copied into the old one's.
            let mut owned = self.key.take();
            self.text.clear();
            render(&mut self.text);
            match &mut owned {
                Some(old) => key.clone_into(old),
                None => owned = Some(key.to_owned()),
            }
            self.key = owned;
        }
        out.push_str(&self.text);
    }
}

/// Equality for memo keys, inline: the keys are short texts, where a call to the C library's
/// `memcmp` cost more than the comparison (~4% of rendering).
pub(super) trait Same {
    fn same(&self, other: &Self) -> bool;
}

impl Same for str {
    fn same(&self, other: &str) -> bool {
        bytes_same(self.as_bytes(), other.as_bytes())
    }
}

impl Same for Provider {
    fn same(&self, other: &Provider) -> bool {
        let text = |a: Option<&str>, b: Option<&str>| match (a, b) {
            (Some(a), Some(b)) => a.same(b),
            (None, None) => true,
            _ => false,
        };
        self.guid == other.guid
            && text(self.name.as_deref(), other.name.as_deref())
            && text(
                self.event_source_name.as_deref(),
                other.event_source_name.as_deref(),
            )
    }
}

impl Same for Header {
    fn same(&self, other: &Header) -> bool {
        self == other
    }
}

impl Same for Sid {
    fn same(&self, other: &Sid) -> bool {
        let (a, b) = (self.sub_authorities(), other.sub_authorities());
        self.authority() == other.authority()
            && self.revision() == other.revision()
            && a.len() == b.len()
            && a.iter().zip(b).all(|(x, y)| x == y)
    }
}

/// Byte equality eight bytes at a time (the last word overlapping), no call.
pub(super) fn bytes_same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[at..at + 8]);
        u64::from_le_bytes(w)
    };
    if n < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    (0..n / 8).all(|i| word(a, 8 * i) == word(b, 8 * i)) && word(a, n - 8) == word(b, n - 8)
}

/// What decides the System header's text: EventID, Qualifiers, Version, Level, Task,
/// Opcode and Keywords.
pub(super) type Header = (
    u16,
    Option<u16>,
    Option<u8>,
    Option<u8>,
    Option<u16>,
    Option<u8>,
    Option<u64>,
);

pub(super) struct Memos {
    pub(super) provider: Slot<Provider>,
    /// By EventID: a channel's templates each keep their slot.
    pub(super) headers: [Slot<Header>; 32],
    pub(super) channel: Slot<String>,
    pub(super) computer: Slot<String>,
    /// By the last sub-authority (the RID).
    pub(super) sids: [Slot<Sid>; 16],
}

/// The top `bits` bits of `v` times the golden ratio: neighbouring values (EventIDs a few
/// apart) land in different slots.
pub(super) fn spread(v: u64, bits: u32) -> usize {
    (v.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - bits)) as usize
}

impl Memos {
    pub(super) fn header(&mut self, key: &Header) -> &mut Slot<Header> {
        &mut self.headers[spread(u64::from(key.0), 5)]
    }

    pub(super) fn sid(&mut self, sid: &Sid) -> &mut Slot<Sid> {
        let rid = sid.sub_authorities().last().copied().unwrap_or(0);
        &mut self.sids[spread(u64::from(rid), 4)]
    }
}

thread_local! {
    static MEMOS: RefCell<Memos> = RefCell::new(Memos {
        provider: Slot::default(),
        headers: std::array::from_fn(|_| Slot::default()),
        channel: Slot::default(),
        computer: Slot::default(),
        sids: std::array::from_fn(|_| Slot::default()),
    });
}

/// Appends the text of `key`: through the slot `pick` chooses when there are memos, else
/// rendered straight into `out`.
pub(super) fn push_with<K, Q>(
    memos: Option<&mut Memos>,
    pick: impl FnOnce(&mut Memos) -> &mut Slot<K>,
    out: &mut String,
    key: &Q,
    render: impl FnOnce(&mut String),
) where
    K: Borrow<Q>,
    Q: Same + ToOwned<Owned = K> + ?Sized,
{
    match memos {
        Some(memos) => pick(memos).push(out, key, render),
        None => render(out),
    }
}

/// Runs `f` with the thread's memos, or with `None` if they are in use (invariant 3).
pub(super) fn with<R>(f: impl FnOnce(Option<&mut Memos>) -> R) -> R {
    MEMOS.with(|memos| match memos.try_borrow_mut() {
        Ok(mut memos) => f(Some(&mut memos)),
        Err(_) => f(None),
    })
}
