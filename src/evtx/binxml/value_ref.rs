//! Values borrowed for one visit ([`ValueRef`], [`Utf16`]): a decoded value, a text, or a
//! String value's UTF-16 as the record holds it. Below the visitors that hand them over
//! (`visit`, `user_data`).
//!
//! Invariant: a [`Utf16`]'s text is the units decoded with trailing NULs left out, as
//! every String value read from a record is decoded.

use super::value::{utf16_trimmed_append, without_trailing_nuls};
use crate::event::Value;

/// A value borrowed for one visit (a `Data` item's, a tree's).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ValueRef<'a> {
    /// A string value ([`Value::String`]).
    Text(&'a str),
    /// A string value as the record holds it, to a visitor that
    /// [wants it so](super::EventVisitor::wants_utf16): its text is [`Utf16::to_text`].
    Utf16(Utf16<'a>),
    /// Any other value.
    Value(&'a Value),
}

/// A String value's UTF-16LE units as a record holds them: its text is the units decoded
/// (an unpaired surrogate as U+FFFD), trailing NULs left out, as every value read from a
/// record is decoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Utf16<'a>(&'a [u8]);

impl<'a> Utf16<'a> {
    /// The String value whose UTF-16LE bytes are `bytes`, as a record holds them.
    #[inline]
    pub fn new(bytes: &'a [u8]) -> Utf16<'a> {
        Utf16(bytes)
    }

    /// The units up to the last one that is not NUL (whole units: an odd last byte is left
    /// out, as decoding leaves it).
    #[inline]
    pub fn units(&self) -> &'a [u8] {
        without_trailing_nuls(self.0)
    }

    /// Whether its text is empty.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.units().is_empty()
    }

    /// Its text, decoded.
    pub fn to_text(&self) -> String {
        let mut text = Vec::new();
        utf16_trimmed_append(self.0, &mut text);
        String::from_utf8(text).unwrap_or_default()
    }
}

impl<'a> ValueRef<'a> {
    /// `v`, a string as [`Text`](ValueRef::Text).
    #[inline]
    pub fn of(v: &'a Value) -> ValueRef<'a> {
        match v {
            Value::String(s) => ValueRef::Text(s),
            v => ValueRef::Value(v),
        }
    }
}
