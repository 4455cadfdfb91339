//! Tokens of the Event Log XPath subset, each with the 1-based character column where it
//! starts.
//!
//! The lexer accepts more than the subset (`//`, `..`, `|`, `::`, `$`, arithmetic) so that the
//! parser can reject those with ERROR_EVT_FILTER_UNSUPPORTEDOP and an exact position, rather
//! than with a generic syntax error.

use super::syntax_error;
use crate::error::{codes, Result};

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok {
    /// An NCName (or a prefixed QName `p:n`, which the parser rejects).
    Name(String),
    /// A number: the literal text (decimal, `0x` hex, or with a fraction).
    Number(String),
    /// A quoted string, quotes removed.
    Str(String),
    Star,
    Slash,
    DoubleSlash,
    At,
    LBracket,
    RBracket,
    LParen,
    RParen,
    Comma,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    /// Something outside the subset: `|`, `+`, `-` (not before a number), `..`, `.`, `::`, `$`,
    /// `!` alone. The text says which.
    Unsupported(&'static str),
    End,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    /// 1-based character column of the token's first character.
    pub(crate) column: u32,
}

/// Splits `text` into tokens. Errors: an unterminated string or a character that cannot
/// start any token (ERROR_EVT_FILTER_PARSEERR).
pub(crate) fn tokenize(text: &str) -> Result<Vec<Token>> {
    let chars: Vec<char> = text.chars().collect();
    super::work(chars.len());
    let mut tokens = Vec::new();
    let mut i = 0;
    let col = |i: usize| u32::try_from(i + 1).unwrap_or(u32::MAX);
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let simple = match c {
            ' ' | '\t' | '\r' | '\n' => {
                i += 1;
                continue;
            }
            '*' => Some(Tok::Star),
            '@' => Some(Tok::At),
            '[' => Some(Tok::LBracket),
            ']' => Some(Tok::RBracket),
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            ',' => Some(Tok::Comma),
            '=' => Some(Tok::Eq),
            '|' => Some(Tok::Unsupported("|")),
            '+' => Some(Tok::Unsupported("+")),
            '$' => Some(Tok::Unsupported("$")),
            _ => None,
        };
        if let Some(tok) = simple {
            tokens.push(Token {
                tok,
                column: col(start),
            });
            i += 1;
            continue;
        }
        let next = chars.get(i + 1).copied();
        let (tok, len) = match c {
            '/' if next == Some('/') => (Tok::DoubleSlash, 2),
            '/' => (Tok::Slash, 1),
            '!' if next == Some('=') => (Tok::Ne, 2),
            '!' => (Tok::Unsupported("!"), 1),
            '<' if next == Some('=') => (Tok::Le, 2),
            '<' => (Tok::Lt, 1),
            '>' if next == Some('=') => (Tok::Ge, 2),
            '>' => (Tok::Gt, 1),
            ':' if next == Some(':') => (Tok::Unsupported("::"), 2),
            '.' if next == Some('.') => (Tok::Unsupported(".."), 2),
            '.' if next.is_some_and(|d| d.is_ascii_digit()) => {
                let len = number_len(&chars[i..]);
                (Tok::Number(chars[i..i + len].iter().collect()), len)
            }
            '.' => (Tok::Unsupported("."), 1),
            '-' if next.is_some_and(|d| d.is_ascii_digit()) && !ends_operand(tokens.last()) => {
                let len = 1 + number_len(&chars[i + 1..]);
                (Tok::Number(chars[i..i + len].iter().collect()), len)
            }
            '-' => (Tok::Unsupported("-"), 1),
            '\'' | '"' => {
                let close = chars[i + 1..].iter().position(|&q| q == c).ok_or_else(|| {
                    syntax_error(
                        codes::ERROR_EVT_FILTER_PARSEERR,
                        col(start),
                        "the string is not closed",
                    )
                })?;
                let s: String = chars[i + 1..i + 1 + close].iter().collect();
                (Tok::Str(s), close + 2)
            }
            d if d.is_ascii_digit() => {
                let len = number_len(&chars[i..]);
                (Tok::Number(chars[i..i + len].iter().collect()), len)
            }
            n if is_name_start(n) => {
                let mut len = chars[i..]
                    .iter()
                    .take_while(|&&ch| is_name_char(ch))
                    .count();
                // A prefixed name `p:local` stays one token so the parser can reject it whole.
                if chars.get(i + len) == Some(&':')
                    && chars.get(i + len + 1).is_some_and(|&ch| is_name_start(ch))
                {
                    len += 1 + chars[i + len + 1..]
                        .iter()
                        .take_while(|&&ch| is_name_char(ch))
                        .count();
                }
                (Tok::Name(chars[i..i + len].iter().collect()), len)
            }
            other => {
                return Err(syntax_error(
                    codes::ERROR_EVT_FILTER_PARSEERR,
                    col(start),
                    format!("unexpected character '{other}'"),
                ))
            }
        };
        tokens.push(Token {
            tok,
            column: col(start),
        });
        i += len;
    }
    tokens.push(Token {
        tok: Tok::End,
        column: col(chars.len()),
    });
    Ok(tokens)
}

/// True after a token that ends an operand: then `-` is an operator, not a sign.
fn ends_operand(last: Option<&Token>) -> bool {
    matches!(
        last.map(|t| &t.tok),
        Some(Tok::Name(_) | Tok::Number(_) | Tok::Str(_) | Tok::RBracket | Tok::RParen | Tok::Star)
    )
}

/// The length of the number starting at `chars[0]`: `0x` hex digits, or digits with at most
/// one `.`. Trailing name characters are included so that `12abc` is one bad number.
fn number_len(chars: &[char]) -> usize {
    if chars.len() >= 2 && chars[0] == '0' && matches!(chars[1], 'x' | 'X') {
        return 2 + chars[2..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric())
            .count();
    }
    let mut len = 0;
    let mut seen_dot = false;
    for &c in chars {
        if c.is_ascii_digit() || (c == '.' && !seen_dot) {
            seen_dot |= c == '.';
            len += 1;
        } else if c.is_ascii_alphabetic() || c == '_' {
            len += 1;
        } else {
            break;
        }
    }
    len
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        tokenize(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn tokens_of_a_typical_query() {
        assert_eq!(
            toks("*[System[EventID!=4 and Provider[@Name='X']]]"),
            vec![
                Tok::Star,
                Tok::LBracket,
                Tok::Name("System".into()),
                Tok::LBracket,
                Tok::Name("EventID".into()),
                Tok::Ne,
                Tok::Number("4".into()),
                Tok::Name("and".into()),
                Tok::Name("Provider".into()),
                Tok::LBracket,
                Tok::At,
                Tok::Name("Name".into()),
                Tok::Eq,
                Tok::Str("X".into()),
                Tok::RBracket,
                Tok::RBracket,
                Tok::RBracket,
                Tok::End,
            ]
        );
    }

    #[test]
    fn columns_count_characters() {
        let t = tokenize("*[Data='é' and Level>=0x10]").unwrap();
        let cols: Vec<u32> = t.iter().map(|t| t.column).collect();
        assert_eq!(cols, vec![1, 2, 3, 7, 8, 12, 16, 21, 23, 27, 28]);
    }

    #[test]
    fn numbers_and_signs() {
        assert_eq!(toks("-5"), vec![Tok::Number("-5".into()), Tok::End]);
        assert_eq!(toks("a-5")[0], Tok::Name("a-5".into()));
        assert_eq!(toks("x -5")[1], Tok::Unsupported("-"));
        assert_eq!(
            toks("0x8020000000000000")[0],
            Tok::Number("0x8020000000000000".into())
        );
        assert_eq!(toks("1.5")[0], Tok::Number("1.5".into()));
        assert_eq!(toks("12ab")[0], Tok::Number("12ab".into()));
    }

    #[test]
    fn lexical_errors_have_positions() {
        let e = tokenize("*[Data='x]").unwrap_err();
        assert_eq!(e.position(), Some((1, 8)));
        assert_eq!(e.filter_code(), Some(15019));
        let e = tokenize("*[a # b]").unwrap_err();
        assert_eq!(e.position(), Some((1, 5)));
    }
}
