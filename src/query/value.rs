//! What a comparison means: the one definition every evaluator follows (the compiled filters,
//! the general evaluator, and the naive test oracle over rendered XML).
//!
//! - A literal's type comes from its syntax (MS-EVEN6 §2.2.15.2): an unquoted number is a
//!   number; a quoted string is a number, a time, a GUID or a SID if it reads as one, and
//!   otherwise a string.
//! - A node's value is its text, converted to the literal's type. A node whose text does not
//!   convert compares false under every operator.
//! - Numbers compare exactly as integers (decimal or `0x` hex, up to 64 bits each way) and as
//!   doubles when either side has a fraction. Times compare by FILETIME, GUIDs by value, SIDs
//!   by value, strings ignoring ASCII case (A–Z match a–z; other characters compare
//!   exactly, by code point). Windows' exact rule is not in the reference; see README.
//!
//! - A string holding NUL (which the renderer drops, as XML cannot carry it) is compared as it
//!   is, NUL included: evtlog's readers never produce one, and stripping it here would mean
//!   reading every string on the hot path. A known gap, listed in the README.
//!
//! [`compare_value`] is the fast path over typed [`Value`]s; it agrees with [`compare_text`]
//! on the value's rendered text, which is the definition.

use std::cmp::Ordering;

use crate::event::{FileTime, Guid, Sid, Value};

/// A literal's typed value.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Typed {
    Int(i128),
    Float(f64),
    Time(FileTime),
    Guid(Guid),
    Sid(Sid),
    Str(String),
}

impl Typed {
    /// The type a quoted string literal reads as.
    pub(crate) fn infer(text: &str) -> Typed {
        if let Some(n) = parse_number(text) {
            return n;
        }
        if let Some(t) = FileTime::parse(text) {
            return Typed::Time(t);
        }
        if let Some(g) = parse_guid(text) {
            return Typed::Guid(g);
        }
        if let Some(s) = parse_sid(text) {
            return Typed::Sid(s);
        }
        Typed::Str(text.to_owned())
    }

    /// The literal as an unsigned 64-bit integer, if it is one.
    pub(crate) fn as_u64(&self) -> Option<u64> {
        match self {
            Typed::Int(i) => u64::try_from(*i).ok(),
            _ => None,
        }
    }
}

/// Parses a number as the filter reads it: optional `-`, decimal digits with an optional
/// fraction, or `0x` hex (1 to 16 digits). Surrounding ASCII whitespace is ignored. Integers
/// outside -2^64..2^64 are not numbers.
pub(crate) fn parse_number(text: &str) -> Option<Typed> {
    let t = text.trim_matches(|c: char| c.is_ascii_whitespace());
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        if hex.is_empty() || hex.len() > 16 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        return u64::from_str_radix(hex, 16)
            .ok()
            .map(|v| Typed::Int(i128::from(v)));
    }
    let digits = t.strip_prefix('-').unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return None;
    }
    let dots = digits.bytes().filter(|&b| b == b'.').count();
    if dots == 0 {
        let v: i128 = t.parse().ok()?;
        let limit = i128::from(u64::MAX);
        return (-limit..=limit).contains(&v).then_some(Typed::Int(v));
    }
    if dots > 1 || digits == "." {
        return None;
    }
    t.parse::<f64>().ok().map(Typed::Float)
}

fn parse_guid(text: &str) -> Option<Guid> {
    let t = text.trim_matches(|c: char| c.is_ascii_whitespace());
    // Braces are how GUIDs are written in event XML; require them so that a bare 36-character
    // string stays a string.
    if !(t.starts_with('{') && t.ends_with('}')) {
        return None;
    }
    Guid::parse(t)
}

fn parse_sid(text: &str) -> Option<Sid> {
    Sid::parse(text.trim_matches(|c: char| c.is_ascii_whitespace()))
}

/// Compares node text with a literal; `None` if the text does not convert to its type.
pub(crate) fn compare_text(node: &str, literal: &Typed) -> Option<Ordering> {
    match literal {
        Typed::Int(_) | Typed::Float(_) => compare_numbers(&parse_number(node)?, literal),
        Typed::Time(t) => Some(FileTime::parse(node)?.cmp(t)),
        Typed::Guid(g) => Some(parse_guid(node)?.cmp(g)),
        Typed::Sid(s) => Some(parse_sid(node)?.cmp(s)),
        Typed::Str(s) => Some(cmp_ignore_case(node, s)),
    }
}

fn compare_numbers(a: &Typed, b: &Typed) -> Option<Ordering> {
    match (a, b) {
        (Typed::Int(x), Typed::Int(y)) => Some(x.cmp(y)),
        (Typed::Int(x), Typed::Float(y)) => (*x as f64).partial_cmp(y),
        (Typed::Float(x), Typed::Int(y)) => x.partial_cmp(&(*y as f64)),
        (Typed::Float(x), Typed::Float(y)) => x.partial_cmp(y),
        _ => None,
    }
}

/// Compares an integer node value with a literal (the exact fast path for numeric fields).
pub(crate) fn compare_int(node: i128, literal: &Typed) -> Option<Ordering> {
    match literal {
        Typed::Int(y) => Some(node.cmp(y)),
        Typed::Float(y) => (node as f64).partial_cmp(y),
        // Decimal or hex digits never read as a time, a braced GUID or a SID.
        Typed::Time(_) | Typed::Guid(_) | Typed::Sid(_) => None,
        Typed::Str(s) => {
            let mut buf = itoa::Buffer::new();
            Some(cmp_ignore_case(buf.format(node), s))
        }
    }
}

/// Compares a typed value with a literal: the same answer as [`compare_text`] on the value's
/// text form, without making the text where the types allow. `scratch` holds the text when
/// it must be made.
pub(crate) fn compare_value(
    value: &Value,
    literal: &Typed,
    scratch: &mut String,
) -> Option<Ordering> {
    let int = match *value {
        Value::String(ref s) | Value::AnsiString(ref s) => return compare_text(s, literal),
        Value::SByte(v) => Some(i128::from(v)),
        Value::Byte(v) => Some(i128::from(v)),
        Value::Int16(v) => Some(i128::from(v)),
        Value::UInt16(v) => Some(i128::from(v)),
        Value::Int32(v) => Some(i128::from(v)),
        Value::UInt32(v) => Some(i128::from(v)),
        Value::Int64(v) => Some(i128::from(v)),
        Value::UInt64(v) => Some(i128::from(v)),
        // Hex text reads back as the same number; as a string it must be compared as text.
        Value::HexInt32(v) if !matches!(literal, Typed::Str(_)) => Some(i128::from(v)),
        Value::HexInt64(v) | Value::SizeT(v) if !matches!(literal, Typed::Str(_)) => {
            Some(i128::from(v))
        }
        _ => None,
    };
    if let Some(i) = int {
        return compare_int(i, literal);
    }
    match (value, literal) {
        (Value::Guid(g), Typed::Guid(l)) => return Some(g.cmp(l)),
        (Value::Sid(s), Typed::Sid(l)) => return Some(s.cmp(l)),
        (Value::FileTime(t), Typed::Time(l)) => return Some(t.cmp(l)),
        _ => {}
    }
    scratch.clear();
    value.write_text(scratch);
    compare_text(scratch, literal)
}

/// Ordering of two strings ignoring ASCII case: bytes compared after mapping A–Z to a–z
/// (UTF-8 byte order is code point order).
pub(crate) fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    let (x, y) = (a.as_bytes(), b.as_bytes());
    for (p, q) in x.iter().zip(y) {
        match p.to_ascii_lowercase().cmp(&q.to_ascii_lowercase()) {
            Ordering::Equal => {}
            other => return other,
        }
    }
    x.len().cmp(&y.len())
}

/// Equality ignoring ASCII case; strings of different lengths are never equal, so this reads
/// neither string when the lengths differ.
#[inline]
pub(crate) fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::{Array, VariantType};
    use proptest::prelude::*;

    #[test]
    fn literal_types_come_from_syntax() {
        assert_eq!(Typed::infer("4624"), Typed::Int(4624));
        assert_eq!(
            Typed::infer("0x8020000000000000"),
            Typed::Int(0x8020000000000000)
        );
        assert_eq!(Typed::infer("-3"), Typed::Int(-3));
        assert_eq!(Typed::infer("1.5"), Typed::Float(1.5));
        assert!(matches!(
            Typed::infer("2024-01-01T00:00:00.000Z"),
            Typed::Time(_)
        ));
        assert!(matches!(
            Typed::infer("{54849625-5478-4994-A5BA-3E3B0328C30D}"),
            Typed::Guid(_)
        ));
        assert!(matches!(Typed::infer("S-1-5-18"), Typed::Sid(_)));
        assert_eq!(Typed::infer("bob"), Typed::Str("bob".into()));
        assert_eq!(Typed::infer("-"), Typed::Str("-".into()));
        assert_eq!(Typed::infer("0x"), Typed::Str("0x".into()));
        assert_eq!(Typed::infer("1.2.3"), Typed::Str("1.2.3".into()));
        assert_eq!(
            Typed::infer("99999999999999999999999"),
            Typed::Str("99999999999999999999999".into())
        );
    }

    #[test]
    fn node_text_converts_to_the_literal_type() {
        assert_eq!(
            compare_text("0x3e7", &Typed::Int(999)),
            Some(Ordering::Equal)
        );
        assert_eq!(
            compare_text("4624", &Typed::Int(4625)),
            Some(Ordering::Less)
        );
        assert_eq!(
            compare_text("Bob", &Typed::Str("bob".into())),
            Some(Ordering::Equal)
        );
        assert_eq!(
            compare_text("ÉLAN", &Typed::Str("Élan".into())),
            Some(Ordering::Equal)
        );
        // Only ASCII letters fold: É and é differ.
        assert_eq!(
            compare_text("ÉLAN", &Typed::Str("élan".into())),
            Some(Ordering::Less)
        );
        assert_eq!(compare_text("abc", &Typed::Int(1)), None);
        assert_eq!(
            compare_text(
                "{54849625-5478-4994-a5ba-3e3b0328c30d}",
                &Typed::infer("{54849625-5478-4994-A5BA-3E3B0328C30D}")
            ),
            Some(Ordering::Equal)
        );
        assert_eq!(
            compare_text(
                "2024-01-02T00:00:00.0000000Z",
                &Typed::infer("2024-01-01T00:00:00Z")
            ),
            Some(Ordering::Greater)
        );
    }

    #[test]
    fn eq_ignore_case_matches_cmp() {
        for (a, b) in [
            ("a", "A"),
            ("Straße", "STRASSE"),
            ("x", "y"),
            ("İ", "i"),
            ("", ""),
        ] {
            assert_eq!(
                eq_ignore_case(a, b),
                cmp_ignore_case(a, b) == Ordering::Equal,
                "{a} {b}"
            );
        }
    }

    fn typed_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<i8>().prop_map(Value::SByte),
            any::<u8>().prop_map(Value::Byte),
            any::<i16>().prop_map(Value::Int16),
            any::<u16>().prop_map(Value::UInt16),
            any::<i32>().prop_map(Value::Int32),
            any::<u32>().prop_map(Value::UInt32),
            any::<i64>().prop_map(Value::Int64),
            any::<u64>().prop_map(Value::UInt64),
            any::<u32>().prop_map(Value::HexInt32),
            any::<u64>().prop_map(Value::HexInt64),
            any::<u64>().prop_map(Value::SizeT),
            any::<bool>().prop_map(Value::Boolean),
            any::<f64>().prop_map(Value::Double),
            any::<u128>().prop_map(|v| Value::Guid(Guid::from_u128(v))),
            (0u64..1 << 48, proptest::collection::vec(any::<u32>(), 0..4))
                .prop_map(|(a, s)| Value::Sid(Sid::new(a, &s).unwrap())),
            (0u64..2_650_467_743_999_999_999).prop_map(|t| Value::FileTime(FileTime(t))),
            proptest::collection::vec(any::<u8>(), 0..4).prop_map(Value::Binary),
            "[a-zA-Z0-9 .x{}-]{0,12}".prop_map(|s| Value::String(s.into())),
            proptest::collection::vec(any::<u16>(), 0..3).prop_map(|v| Value::Array(
                Array::new(
                    VariantType::UInt16,
                    v.into_iter().map(Value::UInt16).collect()
                )
                .unwrap()
            )),
        ]
    }

    fn literal_text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<i64>().prop_map(|v| v.to_string()),
            any::<u64>().prop_map(|v| format!("0x{v:x}")),
            "[0-9]{1,3}\\.[0-9]{1,3}",
            "(true|false|NaN|inf|-|bob|0x)",
            any::<u128>().prop_map(|v| Guid::from_u128(v).to_string()),
            Just("S-1-5-18".to_owned()),
            Just("2024-01-01T00:00:00.0000000Z".to_owned()),
            "[a-zA-Z0-9 .x{}-]{0,12}",
        ]
    }

    proptest! {
        /// The typed fast path agrees with the definition on the rendered text.
        #[test]
        fn compare_value_agrees_with_text(value in typed_value(), lit in literal_text()) {
            let literal = Typed::infer(&lit);
            let mut scratch = String::new();
            prop_assert_eq!(compare_value(&value, &literal, &mut scratch), compare_text(&value.to_text(), &literal));
        }
    }
}
