//! Message expansion: FormatMessage's escapes and inserts, then the event log's `%%n`
//! parameter references.
//!
//! A message string is compiled once ([`Compiled`]: literal runs with the escapes already
//! applied, and insert slots) and expanded many times; the caller supplies insert values
//! through [`Inserts`].
//!
//! Invariants:
//! - Expansion never fails: a missing insert stays verbatim (`%3`, `%3!x!`) and is reported
//!   as ERROR_EVT_UNRESOLVED_VALUE_INSERT (15029); an unresolved `%%n` stays verbatim and is
//!   reported as 15030; parameter expansion stops after [`MAX_PARAMETER_ROUNDS`] rounds or
//!   [`MAX_OUTPUT`] bytes (15031). Only compiling can fail (a lone trailing `%`).
//! - Insert values are copied as they are: escapes and line-ending rules apply to the
//!   message text only, as in FormatMessage.
//! - The result ends without CR or LF (`finish`).

use super::printf::{self, Spec};
use crate::error::{Error, ErrorKind, Result};

/// How many times `%%n` references are replaced: a parameter string may itself hold
/// references (MS-EVEN: "recursive, capped").
pub(crate) const MAX_PARAMETER_ROUNDS: usize = 8;
/// The longest expansion: FormatMessage's 64 KB output limit, in UTF-8 bytes here.
pub(crate) const MAX_OUTPUT: usize = 64 * 1024 * 3;

/// One piece of a compiled message.
#[derive(Clone, Debug, PartialEq)]
enum Piece {
    /// A run of `Compiled::text`.
    Text { start: u32, end: u32 },
    /// `%n` or `%n!spec!`: insert `n` (1–99); `raw` is the source text, written when the
    /// value is missing.
    Insert {
        n: u8,
        spec: Option<Spec>,
        raw: Box<str>,
    },
}

/// A message string, parsed.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Compiled {
    pieces: Vec<Piece>,
    text: String,
    /// The highest insert number used (0: none).
    pub(crate) max_insert: u8,
}

/// Where insert values come from: `write(n, spec, out)` appends insert `n` (1-based) and
/// returns false if there is no such value.
pub(crate) trait Inserts {
    fn write(&mut self, n: usize, spec: Option<&Spec>, out: &mut String) -> bool;
}

/// The non-fatal outcome of an expansion (the text is produced in every case).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Warnings {
    /// An insert had no value (15029): its number.
    pub(crate) missing_insert: Option<u8>,
    /// A `%%n` had no parameter string (15030): its number.
    pub(crate) unresolved_parameter: Option<u64>,
    /// Parameter expansion hit its cap (15031).
    pub(crate) max_rounds: bool,
}

impl Warnings {
    /// The warning to report: the first of 15031, 15030, 15029 that applies (the later
    /// stage wins, as its string is the one returned).
    pub(crate) fn to_error(self, what: impl FnOnce() -> String) -> Option<Error> {
        if self.max_rounds {
            let what = what();
            Some(Error::with_message(
                ErrorKind::MaxInsertsReached,
                format!("{what}: parameter references nest deeper than {MAX_PARAMETER_ROUNDS} levels or expand past {MAX_OUTPUT} bytes; the rest are left as written"),
            ))
        } else if let Some(n) = self.unresolved_parameter {
            let what = what();
            Some(Error::with_message(
                ErrorKind::UnresolvedParameterInsert,
                format!("{what}: no parameter string %%{n}; it is left as written"),
            ))
        } else {
            self.missing_insert.map(|n| {
                let what = what();
                Error::with_message(
                    ErrorKind::UnresolvedValueInsert,
                    format!("{what}: no value for insert %{n}; it is left as written"),
                )
            })
        }
    }
}

impl Compiled {
    /// Parses a message string (FormatMessage's syntax).
    pub(crate) fn new(source: &str) -> Result<Compiled> {
        let mut c = Compiled {
            pieces: Vec::new(),
            text: String::with_capacity(source.len() + 8),
            max_insert: 0,
        };
        let bytes = source.as_bytes();
        let mut run_start = 0usize;
        let mut i = 0usize;
        while i < bytes.len() {
            match bytes[i] {
                b'\r' => {
                    // CR LF, and a CR alone, are both CR LF.
                    c.text.push_str("\r\n");
                    i += if bytes.get(i + 1) == Some(&b'\n') {
                        2
                    } else {
                        1
                    };
                }
                b'\n' => {
                    c.text.push_str("\r\n");
                    i += 1;
                }
                b'%' => {
                    let Some(&next) = bytes.get(i + 1) else {
                        return Err(Error::with_message(
                            ErrorKind::InvalidParameter,
                            format!("the message ends with a lone '%' at offset {i} (FormatMessage rejects it)"),
                        ));
                    };
                    match next {
                        b'1'..=b'9' => {
                            let digits = if bytes.get(i + 2).is_some_and(u8::is_ascii_digit) {
                                2
                            } else {
                                1
                            };
                            let n: u8 = source[i + 1..i + 1 + digits].parse().unwrap_or(0);
                            let mut end = i + 1 + digits;
                            let mut spec = None;
                            if bytes.get(end) == Some(&b'!') {
                                if let Some(close) = source[end + 1..].find('!') {
                                    spec = Some(printf::parse(&source[end + 1..end + 1 + close]));
                                    end = end + 2 + close;
                                }
                            }
                            c.flush(run_start);
                            c.pieces.push(Piece::Insert {
                                n,
                                spec,
                                raw: source[i..end].into(),
                            });
                            c.max_insert = c.max_insert.max(n);
                            run_start = c.text.len();
                            i = end;
                        }
                        b'0' => break,
                        b'n' => {
                            c.text.push_str("\r\n");
                            i += 2;
                        }
                        b'r' => {
                            c.text.push('\r');
                            i += 2;
                        }
                        b't' => {
                            c.text.push('\t');
                            i += 2;
                        }
                        b'b' => {
                            c.text.push(' ');
                            i += 2;
                        }
                        b'%' if bytes.get(i + 2).is_some_and(u8::is_ascii_digit) => {
                            // `%%n`: a parameter reference, resolved after the inserts.
                            c.text.push_str("%%");
                            i += 2;
                        }
                        _ => {
                            // `% ` `%.` `%!` `%%` and any other `%c`: the character itself.
                            let ch = source[i + 1..].chars().next().unwrap_or('%');
                            c.text.push(ch);
                            i += 1 + ch.len_utf8();
                        }
                    }
                }
                _ => {
                    let next = bytes[i..]
                        .iter()
                        .position(|b| matches!(b, b'%' | b'\r' | b'\n'))
                        .map_or(bytes.len(), |k| i + k);
                    c.text.push_str(&source[i..next]);
                    i = next;
                }
            }
        }
        c.flush(run_start);
        Ok(c)
    }

    fn flush(&mut self, run_start: usize) {
        if self.text.len() > run_start {
            self.pieces.push(Piece::Text {
                start: run_start as u32,
                end: self.text.len() as u32,
            });
        }
    }

    /// Appends the message with its inserts to `out`; notes a missing insert in `warnings`.
    pub(crate) fn expand(
        &self,
        inserts: &mut dyn Inserts,
        out: &mut String,
        warnings: &mut Warnings,
    ) {
        for piece in &self.pieces {
            match piece {
                Piece::Text { start, end } => {
                    out.push_str(&self.text[*start as usize..*end as usize]);
                }
                Piece::Insert { n, spec, raw } => {
                    if !inserts.write(usize::from(*n), spec.as_ref(), out) {
                        out.push_str(raw);
                        warnings.missing_insert.get_or_insert(*n);
                    }
                }
            }
        }
    }

    /// A guess of the expanded length: the text and some room for inserts.
    pub(crate) fn len_hint(&self) -> usize {
        self.text.len() + 24 * usize::from(self.max_insert)
    }

    /// True if the message text itself holds a `%%n` reference.
    #[cfg(test)]
    pub(crate) fn has_parameters(&self) -> bool {
        self.text.contains("%%")
    }
}

/// Replaces `%%n` references in `text` with `lookup(n)`, repeatedly (a parameter string may
/// hold references), at most [`MAX_PARAMETER_ROUNDS`] times. `scratch` is reused.
pub(crate) fn resolve_parameters<'a>(
    text: &mut String,
    scratch: &mut String,
    mut lookup: impl FnMut(u64) -> Option<&'a str>,
    warnings: &mut Warnings,
) {
    for _ in 0..MAX_PARAMETER_ROUNDS {
        let Some(first) = find_reference(text, 0) else {
            return;
        };
        scratch.clear();
        let mut copied = 0;
        let mut at = Some(first);
        let mut replaced = false;
        while let Some((start, end, n)) = at {
            scratch.push_str(&text[copied..start]);
            match lookup(n) {
                Some(s) => {
                    scratch.push_str(trim_line_end(s));
                    replaced = true;
                }
                None => {
                    scratch.push_str(&text[start..end]);
                    warnings.unresolved_parameter.get_or_insert(n);
                }
            }
            copied = end;
            if scratch.len() > MAX_OUTPUT {
                // A round that grows past the limit stops here; the rest stays as written.
                warnings.max_rounds = true;
                scratch.push_str(&text[copied..]);
                std::mem::swap(text, scratch);
                return;
            }
            at = find_reference(text, end);
        }
        scratch.push_str(&text[copied..]);
        std::mem::swap(text, scratch);
        if !replaced {
            return;
        }
        if text.len() > MAX_OUTPUT {
            warnings.max_rounds = true;
            return;
        }
    }
    // Still references after the last round that a lookup could resolve: the cap was hit.
    let mut rest = find_reference(text, 0);
    while let Some((_, end, n)) = rest {
        if lookup(n).is_some() {
            warnings.max_rounds = true;
            return;
        }
        rest = find_reference(text, end);
    }
}

/// True if `text` holds a `%%digits` reference.
pub(crate) fn has_reference(text: &str) -> bool {
    find_reference(text, 0).is_some()
}

/// The next `%%digits` at or after `from`: (start, end, number).
fn find_reference(text: &str, from: usize) -> Option<(usize, usize, u64)> {
    let bytes = text.as_bytes();
    let mut i = from;
    // `find(char)` is a memchr; a `%` not followed by `%` is skipped.
    while let Some(k) = text[i..].find('%') {
        let start = i + k;
        if bytes.get(start + 1) != Some(&b'%') {
            i = start + 1;
            continue;
        }
        let digits_end = bytes[start + 2..]
            .iter()
            .position(|b| !b.is_ascii_digit())
            .map_or(bytes.len(), |p| start + 2 + p);
        if digits_end > start + 2 {
            // Numbers too large for a message id still count as references (unresolved).
            let n = std::str::from_utf8(&bytes[start + 2..digits_end])
                .ok()
                .and_then(|s| s.parse().ok())
                .unwrap_or(u64::MAX);
            return Some((start, digits_end, n));
        }
        i = start + 1;
    }
    None
}

/// `s` without its trailing CR and LF characters (mc ends every string with CR LF).
pub(crate) fn trim_line_end(s: &str) -> &str {
    s.trim_end_matches(['\r', '\n'])
}
