//! Substitution values as BinXml writes them: each [`Value`]
//! as its type byte and its bytes, exactly as `binxml::value` decodes them back.
//!
//! Invariant: `decode_sized(ty, &bytes)` of what [`encode`] gives is the value again, for
//! every value it accepts (the writer's round-trip tests). Values no reader can take back
//! (EvtXml, arrays of arrays, ANSI text outside Windows-1252) are errors; so is a value over
//! 65,535 bytes, which its descriptor cannot size (`template`).

use crate::error::{Error, ErrorKind, Result};
use crate::event::{Array, Value};

/// The longest value a descriptor can size (its size is a u16).
pub(super) const MAX_VALUE_BYTES: usize = u16::MAX as usize;

fn unsupported(what: impl Into<String>) -> Error {
    Error::with_message(ErrorKind::InvalidParameter, what.into())
}

/// `s` as Windows-1252 bytes (the decoder's ANSI code page), if every character has one.
fn windows_1252(s: &str) -> Option<Vec<u8>> {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    s.chars()
        .map(|c| match u32::from(c) {
            0..=0x7F | 0xA0..=0xFF => u8::try_from(u32::from(c)).ok(),
            _ => HIGH.iter().position(|&h| h == c).map(|i| 0x80 + i as u8),
        })
        .collect()
}

/// The BinXml type byte of a scalar value.
fn scalar_type(v: &Value) -> Option<u8> {
    Some(match v {
        Value::Null => 0x00,
        Value::String(_) => 0x01,
        Value::AnsiString(_) => 0x02,
        Value::SByte(_) => 0x03,
        Value::Byte(_) => 0x04,
        Value::Int16(_) => 0x05,
        Value::UInt16(_) => 0x06,
        Value::Int32(_) => 0x07,
        Value::UInt32(_) => 0x08,
        Value::Int64(_) => 0x09,
        Value::UInt64(_) => 0x0A,
        Value::Single(_) => 0x0B,
        Value::Double(_) => 0x0C,
        Value::Boolean(_) => 0x0D,
        Value::Binary(_) => 0x0E,
        Value::Guid(_) => 0x0F,
        Value::SizeT(_) => 0x10,
        Value::FileTime(_) => 0x11,
        Value::SysTime(_) => 0x12,
        Value::Sid(_) => 0x13,
        Value::HexInt32(_) => 0x14,
        Value::HexInt64(_) => 0x15,
        Value::Xml(_) | Value::Array(_) => return None,
    })
}

/// Appends a scalar's bytes.
fn push_scalar(out: &mut Vec<u8>, v: &Value) -> Result<()> {
    match v {
        Value::Null => {}
        Value::String(s) => crate::utf16::push(out, s),
        Value::AnsiString(s) => out.extend(windows_1252(s).ok_or_else(|| {
            unsupported(format!(
                "ANSI string {s:?} has characters outside Windows-1252"
            ))
        })?),
        Value::SByte(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::Byte(x) => out.push(*x),
        Value::Int16(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::UInt16(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::Int32(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::UInt32(x) | Value::HexInt32(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::Int64(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::UInt64(x) | Value::SizeT(x) | Value::HexInt64(x) => {
            out.extend_from_slice(&x.to_le_bytes())
        }
        Value::Single(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::Double(x) => out.extend_from_slice(&x.to_le_bytes()),
        Value::Boolean(b) => out.extend_from_slice(&i32::from(*b).to_le_bytes()),
        Value::Binary(b) => out.extend_from_slice(b),
        Value::Guid(g) => out.extend_from_slice(&g.to_bytes_le()),
        Value::FileTime(t) => out.extend_from_slice(&t.0.to_le_bytes()),
        Value::SysTime(t) => out.extend_from_slice(&t.to_bytes_le()),
        Value::Sid(s) => s.push_bytes(out),
        Value::Xml(_) | Value::Array(_) => {
            return Err(unsupported(
                "an EvtXml value or a nested array cannot be written",
            ))
        }
    }
    Ok(())
}

/// Appends an array's packed items (strings and ANSI strings NUL-terminated each); its
/// type byte is the element type's with 0x80.
fn push_array(out: &mut Vec<u8>, array: &Array) -> Result<u8> {
    let element = u8::try_from(array.element_type() as u32)
        .ok()
        .filter(|t| *t <= 0x15 && *t != 0x00)
        .ok_or_else(|| unsupported("an array of this element type cannot be written"))?;
    for item in array.items() {
        push_scalar(out, item)?;
        match item {
            Value::String(_) => out.extend_from_slice(&[0, 0]),
            Value::AnsiString(_) => out.push(0),
            _ => {}
        }
    }
    Ok(0x80 | element)
}

/// Appends `value`'s bytes to `out` and returns its type byte; on an error `out` may hold
/// part of it (the caller discards the record).
pub(super) fn encode(out: &mut Vec<u8>, value: &Value) -> Result<u8> {
    let ty = match value {
        Value::Array(array) => push_array(out, array)?,
        v => {
            let ty = scalar_type(v)
                .ok_or_else(|| unsupported("an EvtXml value cannot be written to a .evtx file"))?;
            push_scalar(out, v)?;
            ty
        }
    };
    Ok(ty)
}
