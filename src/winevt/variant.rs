//! EVT_VARIANT arrays laid out in a caller's buffer as Windows lays them out
//! (EVT_VARIANT's documented layout): the 16-byte variants first, then their payloads (strings,
//! GUIDs, SIDs, binaries, arrays), each pointer in a variant holding the address of its
//! payload inside the same buffer. [`put_variants`] is the two-call protocol over it that
//! every Get*Info, Get*Property and EvtRender of values ends with.
//!
//! Invariants:
//! - [`layout`] computes the size first; nothing is written unless the whole array fits, so
//!   a too-small buffer is left untouched (ERROR_INSUFFICIENT_BUFFER with the size needed).
//! - A scalar's `Count` is not written (it keeps the caller's value, as on Windows); an
//!   array's is its item count; a binary's is its byte count.
//! - Payloads are 8-byte aligned from the buffer's start.
//!
//! Addresses are computed from the buffer's own address (`as_ptr() as usize`), so this
//! module stays safe code; only `ffi/` turns them back into pointers.

use super::status::Fail;
use crate::error::codes::ERROR_INSUFFICIENT_BUFFER;
use crate::event::{Value, VariantType};
use crate::utf16;

/// sizeof(EVT_VARIANT).
pub const EVT_VARIANT_SIZE: usize = 16;
/// EVT_VARIANT_TYPE_ARRAY.
pub const EVT_VARIANT_TYPE_ARRAY: u32 = 0x80;

/// A variant's union as written: inline bytes, or a payload (its bytes) pointed to.
enum Union {
    Inline(u64),
    Payload(Vec<u8>),
    /// An array of strings: each item's payload, then the array of pointers to them.
    Strings(Vec<Vec<u8>>),
}

struct Planned {
    union: Union,
    count: Option<u32>,
    ty: u32,
}

/// ANSI text: Latin-1 where it fits, `?` elsewhere, NUL-terminated.
fn ansiz(s: &str) -> Vec<u8> {
    let mut out: Vec<u8> = s
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
        .collect();
    out.push(0);
    out
}

fn scalar_bytes(v: &Value) -> Vec<u8> {
    match v {
        Value::Guid(g) => g.to_bytes_le().to_vec(),
        Value::SysTime(t) => t.to_bytes_le().to_vec(),
        Value::Sid(s) => {
            let mut out = Vec::new();
            s.push_bytes(&mut out);
            out
        }
        _ => inline(v).to_le_bytes()[..item_size(v.variant_type())].to_vec(),
    }
}

/// A fixed-size value's bits as the union holds them.
fn inline(v: &Value) -> u64 {
    match v {
        Value::SByte(x) => *x as u8 as u64,
        Value::Byte(x) => u64::from(*x),
        Value::Int16(x) => *x as u16 as u64,
        Value::UInt16(x) => u64::from(*x),
        Value::Int32(x) => *x as u32 as u64,
        Value::UInt32(x) | Value::HexInt32(x) => u64::from(*x),
        Value::Int64(x) => *x as u64,
        Value::UInt64(x) | Value::HexInt64(x) | Value::SizeT(x) => *x,
        Value::Single(x) => u64::from(x.to_bits()),
        Value::Double(x) => x.to_bits(),
        Value::Boolean(b) => u64::from(*b),
        Value::FileTime(t) => t.0,
        _ => 0,
    }
}

/// A caller's EVT_VARIANT of type `ty` whose value sits in its union (`union`, the union's
/// 8 bytes as a little-endian word) read back into a [`Value`]: `None` for Null, arrays and
/// the types whose union is a pointer (a string is read by the caller, who has the pointer).
pub fn read_inline(ty: u32, union: u64) -> Option<Value> {
    use VariantType as T;
    if ty & EVT_VARIANT_TYPE_ARRAY != 0 {
        return None;
    }
    Some(match VariantType::from_raw(ty)? {
        T::SByte => Value::SByte(union as u8 as i8),
        T::Byte => Value::Byte(union as u8),
        T::Int16 => Value::Int16(union as u16 as i16),
        T::UInt16 => Value::UInt16(union as u16),
        T::Int32 => Value::Int32(union as u32 as i32),
        T::UInt32 => Value::UInt32(union as u32),
        T::HexInt32 => Value::HexInt32(union as u32),
        T::Int64 => Value::Int64(union as i64),
        T::UInt64 => Value::UInt64(union),
        T::HexInt64 => Value::HexInt64(union),
        T::SizeT => Value::SizeT(union),
        T::Single => Value::Single(f32::from_bits(union as u32)),
        T::Double => Value::Double(f64::from_bits(union)),
        // BOOL is 32 bits; any non-zero value is TRUE.
        T::Boolean => Value::Boolean(union as u32 != 0),
        T::FileTime => Value::FileTime(crate::event::FileTime(union)),
        _ => return None,
    })
}

/// The size of one item of an array of `ty` (fixed-size types).
fn item_size(ty: VariantType) -> usize {
    use VariantType::*;
    match ty {
        SByte | Byte => 1,
        Int16 | UInt16 => 2,
        Int32 | UInt32 | HexInt32 | Boolean | Single => 4,
        Guid | SysTime => 16,
        _ => 8,
    }
}

fn plan(v: &Value) -> Planned {
    let ty = v.variant_type() as u32;
    let (union, count) = match v {
        Value::Null => (Union::Inline(0), None),
        Value::String(s) | Value::Xml(s) => (Union::Payload(utf16::with_nul(s)), None),
        Value::AnsiString(s) => (Union::Payload(ansiz(s)), None),
        Value::Binary(b) => (Union::Payload(b.clone()), Some(b.len() as u32)),
        Value::Guid(_) | Value::SysTime(_) | Value::Sid(_) => {
            (Union::Payload(scalar_bytes(v)), None)
        }
        Value::Array(array) => {
            let count = Some(array.items().len() as u32);
            let union = match array.element_type() {
                VariantType::String | VariantType::EvtXml => Union::Strings(
                    array
                        .items()
                        .iter()
                        .map(|i| match i {
                            Value::String(s) | Value::Xml(s) => utf16::with_nul(s),
                            _ => vec![0, 0],
                        })
                        .collect(),
                ),
                VariantType::AnsiString => Union::Strings(
                    array
                        .items()
                        .iter()
                        .map(|i| match i {
                            Value::AnsiString(s) => ansiz(s),
                            _ => vec![0],
                        })
                        .collect(),
                ),
                VariantType::Sid => {
                    Union::Strings(array.items().iter().map(scalar_bytes).collect())
                }
                _ => Union::Payload(array.items().iter().flat_map(scalar_bytes).collect()),
            };
            (union, count)
        }
        other => (Union::Inline(inline(other)), None),
    };
    let ty = if matches!(v, Value::Array(_)) {
        ty | EVT_VARIANT_TYPE_ARRAY
    } else {
        ty
    };
    Planned { union, count, ty }
}

fn align8(n: usize) -> usize {
    n.next_multiple_of(8)
}

fn planned_size(plans: &[Planned]) -> usize {
    let mut end = plans.len() * EVT_VARIANT_SIZE;
    for p in plans {
        match &p.union {
            Union::Inline(_) => {}
            Union::Payload(bytes) => end = align8(end) + bytes.len(),
            Union::Strings(items) => {
                for item in items {
                    end = align8(end) + item.len();
                }
                end = align8(end) + items.len() * std::mem::size_of::<usize>();
            }
        }
    }
    end
}

/// Writes `values` into `buffer` if they fit; returns the size needed either way, and
/// whether they were written. `buffer`'s address is the base of the pointers written.
pub fn layout(values: &[Value], buffer: &mut [u8]) -> (usize, bool) {
    let plans: Vec<Planned> = values.iter().map(plan).collect();
    let needed = planned_size(&plans);
    if buffer.len() < needed {
        return (needed, false);
    }
    let base = buffer.as_ptr() as usize;
    let mut end = plans.len() * EVT_VARIANT_SIZE;
    for (i, p) in plans.iter().enumerate() {
        let at = i * EVT_VARIANT_SIZE;
        let bits: u64 = match &p.union {
            Union::Inline(bits) => *bits,
            Union::Payload(bytes) => {
                end = align8(end);
                buffer[end..end + bytes.len()].copy_from_slice(bytes);
                let address = base + end;
                end += bytes.len();
                address as u64
            }
            Union::Strings(items) => {
                let mut addresses = Vec::with_capacity(items.len());
                for item in items {
                    end = align8(end);
                    buffer[end..end + item.len()].copy_from_slice(item);
                    addresses.push(base + end);
                    end += item.len();
                }
                end = align8(end);
                let array = base + end;
                for address in addresses {
                    let w = std::mem::size_of::<usize>();
                    buffer[end..end + w].copy_from_slice(&address.to_le_bytes());
                    end += w;
                }
                array as u64
            }
        };
        buffer[at..at + 8].copy_from_slice(&bits.to_le_bytes());
        if let Some(count) = p.count {
            buffer[at + 8..at + 12].copy_from_slice(&count.to_le_bytes());
        }
        buffer[at + 12..at + 16].copy_from_slice(&p.ty.to_le_bytes());
    }
    (needed, true)
}

/// EvtVarTypeEvtHandle.
pub const EVT_VAR_TYPE_EVT_HANDLE: u32 = 32;

/// Writes one EvtVarTypeEvtHandle variant holding `handle` if the buffer holds a variant;
/// returns the size needed (16) and whether it was written. `Count` is not written (a
/// scalar). The caller makes the handle only once it knows the variant fits.
pub fn layout_handle(handle: isize, buffer: &mut [u8]) -> (usize, bool) {
    if buffer.len() < EVT_VARIANT_SIZE {
        return (EVT_VARIANT_SIZE, false);
    }
    buffer[..8].copy_from_slice(&(handle as i64).to_le_bytes());
    buffer[12..16].copy_from_slice(&EVT_VAR_TYPE_EVT_HANDLE.to_le_bytes());
    (EVT_VARIANT_SIZE, true)
}

/// Copies `values` as an EVT_VARIANT array into `buffer` (the two-call protocol: too small
/// is ERROR_INSUFFICIENT_BUFFER with `*used` the bytes needed).
pub(super) fn put_variants(
    values: &[Value],
    buffer: &mut [u8],
    used: &mut u32,
) -> std::result::Result<(), Fail> {
    let (needed, written) = layout(values, buffer);
    *used = u32::try_from(needed).unwrap_or(u32::MAX);
    if written {
        Ok(())
    } else {
        Err(Fail::Code(ERROR_INSUFFICIENT_BUFFER))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Array, FileTime, Guid};

    fn size(values: &[Value]) -> usize {
        layout(values, &mut []).0
    }

    fn word(buf: &[u8], at: usize) -> u64 {
        u64::from_le_bytes(buf[at..at + 8].try_into().unwrap())
    }

    #[test]
    fn inline_values_read_back_as_written() {
        for v in [
            Value::Boolean(true),
            Value::UInt32(7),
            Value::UInt64(u64::MAX),
            Value::Int16(-2),
            Value::Double(1.5),
        ] {
            let ty = v.variant_type() as u32;
            assert_eq!(read_inline(ty, inline(&v)), Some(v));
        }
        assert_eq!(read_inline(VariantType::String as u32, 0), None);
        assert_eq!(
            read_inline(VariantType::UInt32 as u32 | EVT_VARIANT_TYPE_ARRAY, 0),
            None
        );
    }

    #[test]
    fn a_string_follows_the_array_and_count_is_untouched() {
        // As the Wine tests on Windows see it: StringVal == buffer + sizeof(EVT_VARIANT),
        // BufferUsed == 16 + (len + 1) * 2, Count kept.
        let values = [Value::String("C:\\x".into())];
        let mut buf = vec![0xEFu8; 64];
        let (needed, written) = layout(&values, &mut buf);
        assert!(written);
        assert_eq!(needed, 16 + 5 * 2);
        assert_eq!(word(&buf, 0) as usize, buf.as_ptr() as usize + 16);
        assert_eq!(&buf[8..12], &[0xEF; 4], "Count is not written for a scalar");
        assert_eq!(u32::from_le_bytes(buf[12..16].try_into().unwrap()), 1);
        assert_eq!(&buf[16..26], &utf16::with_nul("C:\\x")[..]);
    }

    #[test]
    fn too_small_writes_nothing_and_says_how_much() {
        let values = [Value::UInt32(7), Value::Guid(Guid::default()), Value::Null];
        let mut buf = vec![0xAAu8; 40];
        let (needed, written) = layout(&values, &mut buf);
        assert!(!written);
        assert_eq!(needed, 48 + 16);
        assert!(buf.iter().all(|&b| b == 0xAA));
        let mut buf = vec![0u8; needed];
        assert!(layout(&values, &mut buf).1);
        assert_eq!(word(&buf, 0), 7);
        assert_eq!(word(&buf, 16) as usize, buf.as_ptr() as usize + 48);
        assert_eq!(u32::from_le_bytes(buf[44..48].try_into().unwrap()), 0);
        assert_eq!(size(&values), needed);
    }

    #[test]
    fn arrays_carry_count_and_the_array_flag() {
        let strings = Array::new(
            VariantType::String,
            vec![Value::String("a".into()), Value::String("bc".into())],
        )
        .unwrap();
        let times = Array::new(
            VariantType::FileTime,
            vec![Value::FileTime(FileTime(1)), Value::FileTime(FileTime(2))],
        )
        .unwrap();
        let values = [Value::Array(strings), Value::Array(times)];
        let mut buf = vec![0u8; size(&values)];
        assert!(layout(&values, &mut buf).1);
        let base = buf.as_ptr() as usize;
        assert_eq!(u32::from_le_bytes(buf[8..12].try_into().unwrap()), 2);
        assert_eq!(u32::from_le_bytes(buf[12..16].try_into().unwrap()), 0x81);
        let pointers = word(&buf, 0) as usize - base;
        let first = word(&buf, pointers) as usize - base;
        let second = word(&buf, pointers + 8) as usize - base;
        assert_eq!(&buf[first..first + 4], &utf16::with_nul("a")[..]);
        assert_eq!(&buf[second..second + 6], &utf16::with_nul("bc")[..]);
        let items = word(&buf, 16) as usize - base;
        assert_eq!(word(&buf, items), 1);
        assert_eq!(word(&buf, items + 8), 2);
        assert_eq!(
            u32::from_le_bytes(buf[28..32].try_into().unwrap()),
            0x80 | 17
        );
    }
}
