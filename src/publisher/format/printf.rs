//! FormatMessage's `%n!spec!` insert formats: printf-style flags, width, precision, length
//! and type (FormatMessage's). Event messages use `!s!`, `!d!`, `!u!`, `!x!`,
//! `!X!`, `!lu!`, `!08X!` and the like; floating-point types, which FormatMessage does not
//! support either, format as `s`.
//!
//! Invariant: formatting never fails; a value that is not a number under a numeric type is
//! written as text.

/// A parsed `!spec!`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Spec {
    left: bool,
    zero: bool,
    plus: bool,
    space: bool,
    alt: bool,
    width: Option<Count>,
    precision: Option<Count>,
    kind: Kind,
}

/// A width or precision: a number, or `*` (taken from the next insert).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Count {
    Fixed(usize),
    Star,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Kind {
    #[default]
    Text,
    Signed,
    Unsigned,
    HexLower,
    HexUpper,
    Octal,
    Char,
}

/// Parses what stands between the two `!` of `%n!spec!`.
pub(crate) fn parse(spec: &str) -> Spec {
    let mut s = Spec::default();
    let b = spec.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'-' => s.left = true,
            b'0' => s.zero = true,
            b'+' => s.plus = true,
            b' ' => s.space = true,
            b'#' => s.alt = true,
            _ => break,
        }
        i += 1;
    }
    let count = |i: &mut usize| -> Option<Count> {
        if b.get(*i) == Some(&b'*') {
            *i += 1;
            return Some(Count::Star);
        }
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        spec[start..*i].parse().ok().map(Count::Fixed)
    };
    s.width = count(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        s.precision = Some(count(&mut i).unwrap_or(Count::Fixed(0)));
    }
    // Length modifiers change nothing here: values arrive at their own width.
    let ty =
        spec[i..].trim_start_matches(['h', 'l', 'L', 'w', 'I', '3', '2', '6', '4', 'z', 'j', 't']);
    s.kind = match ty.chars().next() {
        Some('d' | 'i') => Kind::Signed,
        Some('u') => Kind::Unsigned,
        Some('x' | 'p') => Kind::HexLower,
        Some('X') => Kind::HexUpper,
        Some('o') => Kind::Octal,
        Some('c' | 'C') => Kind::Char,
        _ => Kind::Text,
    };
    s
}

impl Spec {
    /// How many further inserts `*` width and precision take.
    pub(crate) fn stars(&self) -> usize {
        usize::from(self.width == Some(Count::Star))
            + usize::from(self.precision == Some(Count::Star))
    }

    /// Appends `text` (the insert's text form; `number` its numeric value, if it has one)
    /// formatted per the spec. `stars` are the values of `*` width and precision, in order.
    pub(crate) fn write(
        &self,
        text: &str,
        number: Option<i128>,
        stars: &[usize],
        out: &mut String,
    ) {
        let mut stars = stars.iter().copied();
        let mut resolve = |c: Option<Count>| match c {
            Some(Count::Fixed(n)) => Some(n),
            Some(Count::Star) => Some(stars.next().unwrap_or(0)),
            None => None,
        };
        let width = resolve(self.width).unwrap_or(0).min(4096);
        let precision = resolve(self.precision).map(|p| p.min(4096));
        let mut body = String::new();
        let mut sign = "";
        match (self.kind, number) {
            (Kind::Text, _) | (_, None) => {
                let t = match precision {
                    Some(p) => text.char_indices().nth(p).map_or(text, |(k, _)| &text[..k]),
                    None => text,
                };
                return pad(out, "", t, width, self.left, false);
            }
            (Kind::Char, Some(n)) => {
                body.push(char::from_u32(n as u32).unwrap_or('?'));
                return pad(out, "", &body, width, self.left, false);
            }
            (Kind::Signed, Some(n)) => {
                let n = i64::try_from(n).unwrap_or(n as i64);
                if n < 0 {
                    sign = "-";
                } else if self.plus {
                    sign = "+";
                } else if self.space {
                    sign = " ";
                }
                body.push_str(itoa::Buffer::new().format(n.unsigned_abs()));
            }
            (Kind::Unsigned, Some(n)) => body.push_str(itoa::Buffer::new().format(n as u64)),
            (Kind::HexLower, Some(n)) => {
                use std::fmt::Write;
                let _ = write!(body, "{:x}", n as u64);
                if self.alt && n != 0 {
                    sign = "0x";
                }
            }
            (Kind::HexUpper, Some(n)) => {
                use std::fmt::Write;
                let _ = write!(body, "{:X}", n as u64);
                if self.alt && n != 0 {
                    sign = "0X";
                }
            }
            (Kind::Octal, Some(n)) => {
                use std::fmt::Write;
                let _ = write!(body, "{:o}", n as u64);
                if self.alt && n != 0 {
                    sign = "0";
                }
            }
        }
        // Precision on an integer is a minimum digit count.
        if let Some(p) = precision {
            while body.len() < p {
                body.insert(0, '0');
            }
        }
        pad(
            out,
            sign,
            &body,
            width,
            self.left,
            self.zero && precision.is_none(),
        )
    }
}

fn pad(out: &mut String, sign: &str, body: &str, width: usize, left: bool, zero: bool) {
    let len = sign.len() + body.chars().count();
    let fill = width.saturating_sub(len);
    if left {
        out.push_str(sign);
        out.push_str(body);
        out.extend(std::iter::repeat_n(' ', fill));
    } else if zero {
        out.push_str(sign);
        out.extend(std::iter::repeat_n('0', fill));
        out.push_str(body);
    } else {
        out.extend(std::iter::repeat_n(' ', fill));
        out.push_str(sign);
        out.push_str(body);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(spec: &str, text: &str, number: Option<i128>) -> String {
        let mut out = String::new();
        parse(spec).write(text, number, &[], &mut out);
        out
    }

    #[test]
    fn specs_format_as_printf_does() {
        assert_eq!(fmt("s", "abc", None), "abc");
        assert_eq!(fmt("5s", "abc", None), "  abc");
        assert_eq!(fmt("-5s", "abc", None), "abc  ");
        assert_eq!(fmt(".2s", "abc", None), "ab");
        assert_eq!(fmt("d", "-12", Some(-12)), "-12");
        assert_eq!(fmt("+d", "12", Some(12)), "+12");
        assert_eq!(fmt("05d", "-12", Some(-12)), "-0012");
        assert_eq!(fmt("lu", "42", Some(42)), "42");
        assert_eq!(fmt("x", "255", Some(255)), "ff");
        assert_eq!(fmt("#x", "255", Some(255)), "0xff");
        assert_eq!(fmt("08X", "3735928559", Some(0xDEAD_BEEF)), "DEADBEEF");
        assert_eq!(fmt("08X", "255", Some(255)), "000000FF");
        assert_eq!(fmt("I64X", "255", Some(255)), "FF");
        assert_eq!(fmt("o", "8", Some(8)), "10");
        assert_eq!(fmt("c", "65", Some(65)), "A");
        assert_eq!(fmt(".4d", "7", Some(7)), "0007");
        // A non-number under a numeric type is written as text.
        assert_eq!(fmt("d", "n/a", None), "n/a");
        // Floating point is not supported by FormatMessage: text.
        assert_eq!(fmt("f", "1.5", Some(1)), "1.5");
        let mut out = String::new();
        let star = parse("*d");
        assert_eq!(star.stars(), 1);
        star.write("7", Some(7), &[4], &mut out);
        assert_eq!(out, "   7");
    }
}
