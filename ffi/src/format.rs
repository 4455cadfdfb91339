//! EvtFormatMessage's C ABI: the caller's EVT_VARIANT Values become `evtlog::Value`s, the
//! WCHAR buffer a slice.
//!
//! Invariants:
//! - A NULL `BufferUsed`, NULL `Values` with a non-zero `ValueCount`, a NULL `Buffer` with a
//!   non-zero `BufferSize`, or a variant of a type a message cannot take (arrays, handles,
//!   XML) is ERROR_INVALID_PARAMETER (87), checked before anything is formatted.
//! - Only what the caller declared is read: `ValueCount` variants, each string up to its
//!   NUL, a binary's `Count` bytes, a SID's own length.

use crate::abi::{guard, out, wide_in, wide_out};
use crate::types::*;
use evtlog::winevt::{self as w, FALSE};
use evtlog::{FileTime, Guid, Sid, Value};

const INVALID_PARAMETER: u32 = 87;
/// The most values FormatMessage takes (inserts are `%1`…`%99`).
const MAX_VALUES: u32 = 99 * 4;
/// A binary value longer than this is refused (FormatMessage's output limit).
const MAX_BINARY: u32 = 64 * 1024;

fn refuse(value: BOOL) -> BOOL {
    w::SetLastError(INVALID_PARAMETER);
    value
}

/// The `count` variants at `p`, copied out (`None`: NULL with a count, or a variant that
/// cannot be an insert).
///
/// # Safety
/// With a non-zero `count` (at most `MAX_VALUES`), `p` is NULL or points to `count`
/// readable EVT_VARIANTs, each satisfying [`value_in`]'s contract.
unsafe fn values_in(p: *const EVT_VARIANT, count: u32) -> Option<Vec<Value>> {
    if count == 0 {
        return Some(Vec::new());
    }
    if p.is_null() || count > MAX_VALUES {
        return None;
    }
    // SAFETY: `p` points to `count` readable EVT_VARIANTs (this function's contract).
    let variants = unsafe { std::slice::from_raw_parts(p, count as usize) };
    variants
        .iter()
        // SAFETY: each variant satisfies value_in's contract (this function's contract).
        .map(|v| unsafe { value_in(v) })
        .collect()
}

/// One insert value, copied out (`None`: a type a message cannot take, or a NULL or bad
/// pointer member).
///
/// # Safety
/// The union member `v.Type` names is the one set, and a non-NULL pointer member is
/// readable as far as its type declares: a NUL-terminated UTF-16 or ANSI string, 16 GUID
/// bytes, `Count` binary bytes, a SID's header and the sub-authorities it counts.
unsafe fn value_in(v: &EVT_VARIANT) -> Option<Value> {
    // SAFETY: each arm reads the union member that `Type` says is set, and follows a
    // pointer member only when non-NULL and only as far as its type declares (this
    // function's contract).
    unsafe {
        let u = &v.Anonymous;
        Some(match v.Type as i32 {
            EvtVarTypeNull => Value::Null,
            EvtVarTypeString => Value::String(wide_in(u.StringVal).ok()??.into()),
            EvtVarTypeAnsiString => Value::AnsiString(ansi_in(u.AnsiStringVal)?.into()),
            EvtVarTypeSByte => Value::SByte(u.SByteVal),
            EvtVarTypeByte => Value::Byte(u.ByteVal),
            EvtVarTypeInt16 => Value::Int16(u.Int16Val),
            EvtVarTypeUInt16 => Value::UInt16(u.UInt16Val),
            EvtVarTypeInt32 => Value::Int32(u.Int32Val),
            EvtVarTypeUInt32 => Value::UInt32(u.UInt32Val),
            EvtVarTypeInt64 => Value::Int64(u.Int64Val),
            EvtVarTypeUInt64 => Value::UInt64(u.UInt64Val),
            EvtVarTypeSingle => Value::Single(u.SingleVal),
            EvtVarTypeDouble => Value::Double(u.DoubleVal),
            EvtVarTypeBoolean => Value::Boolean(u.BooleanVal != 0),
            EvtVarTypeSizeT => Value::SizeT(u.SizeTVal as u64),
            EvtVarTypeFileTime => Value::FileTime(FileTime(u.FileTimeVal)),
            EvtVarTypeHexInt32 => Value::HexInt32(u.UInt32Val),
            EvtVarTypeHexInt64 => Value::HexInt64(u.UInt64Val),
            EvtVarTypeGuid => {
                let g = u.GuidVal as *const u8;
                if g.is_null() {
                    return None;
                }
                let mut bytes = [0u8; 16];
                std::ptr::copy_nonoverlapping(g, bytes.as_mut_ptr(), 16);
                Value::Guid(Guid::from_bytes_le(bytes))
            }
            EvtVarTypeBinary => {
                let b = u.BinaryVal as *const u8;
                if v.Count > MAX_BINARY || (b.is_null() && v.Count != 0) {
                    return None;
                }
                if v.Count == 0 {
                    Value::Binary(Vec::new())
                } else {
                    Value::Binary(std::slice::from_raw_parts(b, v.Count as usize).to_vec())
                }
            }
            EvtVarTypeSid => {
                let s = u.SidVal as *const u8;
                if s.is_null() {
                    return None;
                }
                // Revision, sub-authority count, 6 authority bytes, then 4 bytes each.
                let count = usize::from(*s.add(1));
                if count > 15 {
                    return None;
                }
                let len = 8 + 4 * count;
                Value::Sid(Sid::from_bytes(std::slice::from_raw_parts(s, len))?)
            }
            _ => return None,
        })
    }
}

/// A NUL-terminated ANSI string (Latin-1), copied out, or `None` for NULL or no NUL
/// within 64 KB.
///
/// # Safety
/// `p` is NULL or readable up to and including its first NUL, or 64 KB + 1 bytes if that
/// comes first.
unsafe fn ansi_in(p: *const u8) -> Option<String> {
    if p.is_null() {
        return None;
    }
    let mut text = String::new();
    for i in 0..=64 * 1024 {
        // SAFETY: `p` is readable up to its NUL or 64 KB + 1 bytes (this function's
        // contract); the loop stops at either.
        let b = unsafe { *p.add(i) };
        if b == 0 {
            return Some(text);
        }
        text.push(char::from(b));
    }
    None
}

/// EvtFormatMessage.
///
/// # Safety
/// `Values` is NULL or valid for `ValueCount` EVT_VARIANTs whose pointer members are valid
/// for their types; `Buffer` is NULL or valid for `BufferSize` WCHARs; `BufferUsed` is
/// valid.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "system" fn EvtFormatMessage(
    PublisherMetadata: EVT_HANDLE,
    Event: EVT_HANDLE,
    MessageId: u32,
    ValueCount: u32,
    Values: *const EVT_VARIANT,
    Flags: u32,
    BufferSize: u32,
    Buffer: PWSTR,
    BufferUsed: *mut u32,
) -> BOOL {
    guard(FALSE, || {
        // SAFETY: `BufferUsed` is valid (this export's contract).
        let Some(used) = (unsafe { out(BufferUsed) }) else {
            return refuse(FALSE);
        };
        // SAFETY: `Buffer` is NULL or valid for `BufferSize` WCHARs (this export's contract).
        let Some(buffer) = (unsafe { wide_out(Buffer, BufferSize) }) else {
            return refuse(FALSE);
        };
        // SAFETY: `Values` is NULL or valid for `ValueCount` EVT_VARIANTs whose pointer
        // members are valid for their types (this export's contract).
        let Some(values) = (unsafe { values_in(Values, ValueCount) }) else {
            return refuse(FALSE);
        };
        w::EvtFormatMessage(
            PublisherMetadata,
            Event,
            MessageId,
            &values,
            Flags,
            buffer,
            used,
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn variant(
        ty: EVT_VARIANT_TYPE,
        count: u32,
        set: impl FnOnce(&mut EVT_VARIANT_0),
    ) -> EVT_VARIANT {
        let mut v = EVT_VARIANT {
            Anonymous: EVT_VARIANT_0 { UInt64Val: 0 },
            Count: count,
            Type: ty as u32,
        };
        set(&mut v.Anonymous);
        v
    }

    #[test]
    fn variants_become_values_as_declared() {
        let text: Vec<u16> = "alice\0".encode_utf16().collect();
        let ansi = b"caf\xe9\0";
        let mut guid = GUID {
            data1: 0x5484_9625,
            data2: 0x5478,
            data3: 0x4994,
            data4: [0xa5, 0xba, 0x3e, 0x3b, 0x03, 0x28, 0xc3, 0x0d],
        };
        let mut sid = Sid::parse("S-1-5-21-1-2-3-500").unwrap().to_bytes();
        let mut binary = [1u8, 2, 0xff];
        let variants = [
            variant(EvtVarTypeString, 6, |u| u.StringVal = text.as_ptr()),
            variant(EvtVarTypeAnsiString, 0, |u| u.AnsiStringVal = ansi.as_ptr()),
            variant(EvtVarTypeUInt32, 0, |u| u.UInt32Val = 7),
            variant(EvtVarTypeInt16, 0, |u| u.Int16Val = -2),
            variant(EvtVarTypeHexInt64, 0, |u| u.UInt64Val = 0x3e7),
            variant(EvtVarTypeBoolean, 0, |u| u.BooleanVal = 1),
            variant(EvtVarTypeGuid, 0, |u| u.GuidVal = &mut guid),
            variant(EvtVarTypeSid, 0, |u| u.SidVal = sid.as_mut_ptr().cast()),
            variant(EvtVarTypeBinary, 3, |u| u.BinaryVal = binary.as_mut_ptr()),
            variant(EvtVarTypeNull, 0, |_| {}),
        ];
        // SAFETY: the variants and what they point to live to the end of the test.
        let values = unsafe { values_in(variants.as_ptr(), variants.len() as u32) }.unwrap();
        let texts: Vec<String> = values.iter().map(Value::to_text).collect();
        assert_eq!(
            texts,
            [
                "alice",
                "café",
                "7",
                "-2",
                "0x3e7",
                "true",
                "{54849625-5478-4994-a5ba-3e3b0328c30d}",
                "S-1-5-21-1-2-3-500",
                "0102FF",
                ""
            ]
        );
        // NULL with a count, a NULL string, an array and a handle are refused.
        // SAFETY: NULL is allowed; nothing is read.
        unsafe {
            assert!(values_in(std::ptr::null(), 1).is_none());
            assert!(values_in(std::ptr::null(), 0).unwrap().is_empty());
        }
        let bad = [
            variant(EvtVarTypeString, 0, |u| u.StringVal = std::ptr::null()),
            variant(EvtVarTypeString | 0x80, 1, |u| u.StringVal = text.as_ptr()),
            variant(EvtVarTypeEvtHandle, 0, |u| u.EvtHandleVal = 1),
        ];
        for v in &bad {
            // SAFETY: one live variant; its string (if any) is NUL-terminated.
            assert!(unsafe { values_in(v, 1) }.is_none(), "type {}", v.Type);
        }
    }
}
