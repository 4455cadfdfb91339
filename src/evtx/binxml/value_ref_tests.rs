//! [`Scalar`] against decoding: for every type and size, a scalar is read exactly where
//! decoding gives an integer, and its value is the decoded one; [`sid_in`] likewise for
//! SIDs, short, long and malformed, and [`guid_in`] for GUIDs.

use super::super::value::decode_sized;
use super::{guid_in, sid_in, Scalar};
use crate::event::Value;

/// Byte patterns that reach the sign bits, the top bytes and the bytes past a type's size.
fn patterns() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for len in 0..=10usize {
        for fill in [0x00u8, 0xFF, 0x80, 0x7F, 0x01] {
            out.push(vec![fill; len]);
        }
        out.push((1..=len as u8).collect());
        out.push((0..len as u8).map(|i| 0xF0 ^ i.wrapping_mul(37)).collect());
    }
    out
}

#[test]
fn scalar_is_the_decoded_integer() {
    let mut read = 0;
    for ty in 0..=0x20u8 {
        for bytes in patterns() {
            let decoded = decode_sized(ty, &bytes, &bytes);
            let integer = matches!(
                decoded,
                Ok(Value::SByte(_)
                    | Value::Byte(_)
                    | Value::Int16(_)
                    | Value::UInt16(_)
                    | Value::Int32(_)
                    | Value::UInt32(_)
                    | Value::Int64(_)
                    | Value::UInt64(_)
                    | Value::HexInt32(_)
                    | Value::HexInt64(_))
            );
            match Scalar::read(ty, &bytes) {
                Some(s) => {
                    read += 1;
                    let v = s.to_value();
                    assert_eq!(Ok(&v), decoded.as_ref(), "type {ty:#04x} {bytes:02x?}");
                    check_parts(s, &v);
                }
                None => assert!(!integer, "type {ty:#04x} {bytes:02x?} not read"),
            }
        }
    }
    // Ten types, each at every length from its size to 10 bytes, seven patterns a length.
    assert_eq!(read, 7 * (2 * 10 + 2 * 9 + 3 * 7 + 3 * 3));
}

/// A scalar's parts against its value's: the signed and unsigned readings are the value's
/// integer for its own kind alone, and the text is the value's.
fn check_parts(s: Scalar, v: &Value) {
    let signed = match *v {
        Value::SByte(n) => Some(i64::from(n)),
        Value::Int16(n) => Some(i64::from(n)),
        Value::Int32(n) => Some(i64::from(n)),
        Value::Int64(n) => Some(n),
        _ => None,
    };
    let unsigned = match *v {
        Value::Byte(n) => Some(u64::from(n)),
        Value::UInt16(n) => Some(u64::from(n)),
        Value::UInt32(n) => Some(u64::from(n)),
        Value::UInt64(n) => Some(n),
        _ => None,
    };
    assert_eq!(s.signed(), signed, "{v:?}");
    assert_eq!(s.unsigned(), unsigned, "{v:?}");
    let (mut got, mut want) = (b"<".to_vec(), b"<".to_vec());
    assert_eq!(
        s.write_ascii_text(&mut got),
        v.write_ascii_text(&mut want),
        "{v:?}"
    );
    assert_eq!(got, want, "{v:?}");
}

/// SIDs of 0 to 16 sub-authorities (16 is one too many), cut at every length and followed
/// by spill bytes of every length (a short size with the SID whole after it, a count beyond
/// both): a SID is found exactly where decoding gives one, and it is the decoded SID, its
/// bytes exactly the SID's.
#[test]
fn sid_in_is_where_decoding_finds_a_sid() {
    let (mut found, mut refused, mut from_spill) = (0, 0, 0);
    for count in 0..=16u8 {
        let mut whole = vec![1, count, 0, 0, 0, 0, 0, 5];
        whole.extend((0..u32::from(count)).flat_map(|i| (21 + i * 0x0101_0101).to_le_bytes()));
        whole.extend([0xAB; 6]);
        for cut in 0..whole.len() {
            for extra in [0, 1, 3, 4, 8, 70] {
                let spill = &whole[..(cut + extra).min(whole.len())];
                let bytes = &whole[..cut];
                let decoded = decode_sized(0x13, bytes, spill);
                match sid_in(bytes, spill) {
                    Some(sid) => {
                        found += 1;
                        from_spill += usize::from(sid.bytes().len() > bytes.len());
                        assert_eq!(decoded, Ok(Value::Sid(sid.to_sid())), "{count} {cut}");
                        assert_eq!(sid.bytes(), &whole[..8 + 4 * usize::from(count)]);
                    }
                    None => {
                        refused += 1;
                        assert!(decoded.is_err(), "{count} {cut} {extra}: {decoded:?}");
                    }
                }
            }
        }
    }
    assert!(found > 0 && refused > 0 && from_spill > 0);
}

/// A GUID is read exactly where decoding gives one (16 bytes or more), and it is the decoded
/// GUID.
#[test]
fn guid_in_is_the_decoded_guid() {
    let mut read = 0;
    for bytes in patterns()
        .into_iter()
        .chain((0..=20u8).map(|n| (1..=n).collect()))
    {
        match (guid_in(&bytes), decode_sized(0x0F, &bytes, &bytes)) {
            (Some(g), decoded) => {
                read += 1;
                assert_eq!(decoded, Ok(Value::Guid(g)), "{bytes:02x?}");
            }
            (None, decoded) => assert!(decoded.is_err(), "{bytes:02x?}: {decoded:?}"),
        }
    }
    assert_eq!(read, 5);
}
