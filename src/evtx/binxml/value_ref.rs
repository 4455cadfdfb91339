//! Values borrowed for one visit ([`ValueRef`], [`Utf16`], [`Scalar`]): a decoded value, a
//! text, a String value's UTF-16 as the record holds it, an integer read from the record
//! without a [`Value`] built, a SID's bytes ([`SidBytes`], found by [`sid_in`] where
//! decoding finds a SID) or a GUID ([`guid_in`]). Below the visitors that hand them over
//! (`visit`, `user_data`).
//!
//! Invariants: a [`Utf16`]'s text is the units decoded with trailing NULs left out, as
//! every String value read from a record is decoded; a [`Scalar`]'s value is the one
//! decoding its bytes gives (tested against decoding for every type and size); a SID's
//! bytes are found exactly where decoding gives a SID, and hold that SID (tested on SIDs
//! cut at every length, long, short and malformed).

use super::value::{fixed_size, utf16_trimmed_append, without_trailing_nuls};
use crate::event::{push_hex_lower, Guid, SidBytes, Value};

/// A value borrowed for one visit (a `Data` item's, a tree's).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ValueRef<'a> {
    /// A string value ([`Value::String`]).
    Text(&'a str),
    /// A string value as the record holds it, to a visitor that
    /// [wants it so](super::EventVisitor::wants_utf16): its text is [`Utf16::to_text`].
    Utf16(Utf16<'a>),
    /// An integer value read straight from a record, to a visitor that
    /// [wants it so](super::EventVisitor::wants_scalars): its value is [`Scalar::to_value`].
    Scalar(Scalar),
    /// A SID value's binary form as the record holds it, to a visitor that
    /// [wants scalars](super::EventVisitor::wants_scalars): its value is
    /// [`Value::Sid`] of [`SidBytes::to_sid`].
    Sid(SidBytes<'a>),
    /// A GUID value read straight from a record, to a visitor that
    /// [wants scalars](super::EventVisitor::wants_scalars): its value is [`Value::Guid`].
    Guid(Guid),
    /// Any other value.
    Value(&'a Value),
}

/// An integer value as a record holds it (a signed or unsigned integer of 8 to 64 bits, or
/// a `HexInt32`/`HexInt64`), kept without building its [`Value`]: [`to_value`](Self::to_value)
/// is the value decoding the record's bytes gives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scalar {
    /// The BinXml value type.
    ty: u8,
    /// The value's bytes, little-endian, zero-extended.
    bits: u64,
}

impl Scalar {
    /// The integer value of BinXml type `ty` at the start of `bytes`, as decoding reads it
    /// (its type's size from the start; bytes past it ignored); `None` for any other type
    /// or too few bytes.
    #[inline]
    pub(super) fn read(ty: u8, bytes: &[u8]) -> Option<Scalar> {
        if !matches!(ty, 0x03..=0x0A | 0x14 | 0x15) {
            return None;
        }
        let b = bytes.get(..fixed_size(ty)?)?;
        let mut le = [0u8; 8];
        le.get_mut(..b.len())?.copy_from_slice(b);
        Some(Scalar {
            ty,
            bits: u64::from_le_bytes(le),
        })
    }

    /// The value (no allocation: every type it holds is a plain number).
    #[inline]
    pub fn to_value(&self) -> Value {
        let b = self.bits;
        // Truncations to the type's own width, which is all `bits` holds.
        match self.ty {
            0x03 => Value::SByte(b as u8 as i8),
            0x04 => Value::Byte(b as u8),
            0x05 => Value::Int16(b as u16 as i16),
            0x06 => Value::UInt16(b as u16),
            0x07 => Value::Int32(b as u32 as i32),
            0x08 => Value::UInt32(b as u32),
            0x09 => Value::Int64(b as i64),
            0x0A => Value::UInt64(b),
            0x14 => Value::HexInt32(b as u32),
            // 0x15, the only type left (`read` makes no other).
            _ => Value::HexInt64(b),
        }
    }

    /// The value of a signed integer type (`SByte` … `Int64`), sign-extended; `None` for
    /// the other types.
    #[inline]
    pub fn signed(&self) -> Option<i64> {
        let b = self.bits;
        Some(match self.ty {
            0x03 => i64::from(b as u8 as i8),
            0x05 => i64::from(b as u16 as i16),
            0x07 => i64::from(b as u32 as i32),
            0x09 => b as i64,
            _ => return None,
        })
    }

    /// The value of an unsigned integer type (`Byte` … `UInt64`); `None` for the other
    /// types (the hex ones too: their value is written as text).
    #[inline]
    pub fn unsigned(&self) -> Option<u64> {
        match self.ty {
            0x04 | 0x06 | 0x08 | 0x0A => Some(self.bits),
            _ => None,
        }
    }

    /// Appends the text of a `HexInt32`/`HexInt64` value (what [`Value::write_ascii_text`]
    /// appends for it) and returns true; false (nothing appended) for the other types.
    #[inline]
    pub fn write_ascii_text(&self, out: &mut Vec<u8>) -> bool {
        if matches!(self.ty, 0x14 | 0x15) {
            push_hex_lower(out, self.bits);
            return true;
        }
        false
    }
}

/// A SID value's binary form where decoding finds it: at the start of its `bytes`, else at
/// the start of `spill` (its bytes and what the chunk holds after them: Windows writes
/// some SIDs longer than their size); `None` where decoding fails.
#[inline]
pub(super) fn sid_in<'c>(bytes: &'c [u8], spill: &'c [u8]) -> Option<SidBytes<'c>> {
    SidBytes::prefix(bytes).or_else(|| SidBytes::prefix(spill))
}

/// A GUID value where decoding reads it (the first 16 of its `bytes`); `None` where
/// decoding fails.
#[inline]
pub(super) fn guid_in(bytes: &[u8]) -> Option<Guid> {
    Some(Guid::from_bytes_le(bytes.get(..16)?.try_into().ok()?))
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

#[cfg(test)]
#[path = "value_ref_tests.rs"]
mod tests;
