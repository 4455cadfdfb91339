//! The markup reader under [`parse`](super::parse): splits event XML into tokens (text,
//! start/empty/end tags, CDATA, processing instructions; comments, declarations and DOCTYPE
//! as [`Token::Skip`]), iterates a tag's attributes, and resolves entity and character
//! references.
//!
//! It reads exactly what quick-xml 0.37's slice reader read in the configuration the event
//! parser used before (no trimming, empty elements not expanded, no comment checks,
//! predefined entities only), token for token, with the same error offsets: every syntax
//! error is at the `<` of its markup, except a DOCTYPE without a name (at its `>`). The
//! parser's tests hold it equal to that reader on generated and mutated events.
//!
//! Invariants:
//! - Offsets are byte offsets in the text given to [`Lexer::new`]; every slice handed out
//!   starts and ends at an ASCII byte or an end, so it is valid UTF-8.
//! - Nothing here recurses or allocates except [`unescape`] of text holding a reference.

use std::borrow::Cow;

/// One piece of markup or text.
pub(super) enum Token<'a> {
    /// Text up to the next `<` or the end; `amp` says whether it holds a `&`.
    Text {
        raw: &'a str,
        amp: bool,
    },
    /// `<name attrs>`: `content` is what lies between `<` and `>`.
    Start {
        content: &'a str,
        name_len: usize,
    },
    /// `<name attrs/>`: `content` is what lies between `<` and `/>`.
    Empty {
        content: &'a str,
        name_len: usize,
    },
    /// `</name>`: the name with trailing whitespace removed.
    End(&'a str),
    /// `<![CDATA[data]]>`.
    CData(&'a str),
    /// `<?target content?>` (not an XML declaration).
    Pi {
        target: &'a str,
        content: &'a str,
    },
    /// A comment, an XML declaration or a DOCTYPE.
    Skip,
    Eof,
}

/// A syntax error: its byte offset and what is wrong.
pub(super) struct SyntaxError {
    pub at: usize,
    pub message: &'static str,
}

/// XML whitespace as the reader knows it.
#[inline]
pub(super) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\r' | b'\n' | b'\t')
}

/// The length of the first word of a tag's content (its name).
#[inline]
pub(super) fn name_len(content: &[u8]) -> usize {
    content
        .iter()
        .position(|&b| is_space(b))
        .unwrap_or(content.len())
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The bytes of `word` equal to `byte`, as high bits (exact).
#[inline]
fn matches_of(word: u64, byte: u8) -> u64 {
    let x = word ^ (ONES * u64::from(byte));
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The first index at or after `from` holding `a` or `b`, eight bytes at a time.
#[inline]
pub(super) fn find2(bytes: &[u8], from: usize, a: u8, b: u8) -> Option<usize> {
    let mut i = from;
    while i + 8 <= bytes.len() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[i..i + 8]);
        let word = u64::from_le_bytes(w);
        let hits = matches_of(word, a) | matches_of(word, b);
        if hits != 0 {
            // The lowest set high bit is the first match; bytes above it may be false
            // positives of the borrow, which do not matter.
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    bytes[i..]
        .iter()
        .position(|&x| x == a || x == b)
        .map(|p| i + p)
}

/// The first index at or after `from` holding `a`, `b` or `c`, eight bytes at a time.
#[inline]
fn find3(bytes: &[u8], from: usize, a: u8, b: u8, c: u8) -> Option<usize> {
    let mut i = from;
    while i + 8 <= bytes.len() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&bytes[i..i + 8]);
        let word = u64::from_le_bytes(w);
        let hits = matches_of(word, a) | matches_of(word, b) | matches_of(word, c);
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    bytes[i..]
        .iter()
        .position(|&x| x == a || x == b || x == c)
        .map(|p| i + p)
}

/// Splits a text into tokens.
pub(super) struct Lexer<'a> {
    s: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    pub(super) fn new(s: &'a str) -> Lexer<'a> {
        Lexer { s, pos: 0 }
    }

    /// The input and the offset of the next token.
    #[inline]
    pub(super) fn at(&self) -> (&'a str, usize) {
        (self.s, self.pos)
    }

    /// Moves past markup the caller read itself.
    #[inline]
    pub(super) fn skip_to(&mut self, pos: usize) {
        self.pos = pos;
    }

    /// The next token and the offset where it starts.
    #[inline]
    pub(super) fn next(&mut self) -> Result<(usize, Token<'a>), SyntaxError> {
        let b = self.s.as_bytes();
        let start = self.pos;
        match b.get(start) {
            None => Ok((start, Token::Eof)),
            Some(b'<') => self.markup(start).map(|t| (start, t)),
            Some(_) => {
                let mut amp = false;
                let mut at = start;
                let end = loop {
                    match find2(b, at, b'<', b'&') {
                        Some(i) if b[i] == b'&' => {
                            amp = true;
                            at = i + 1;
                        }
                        Some(i) => break i,
                        None => break b.len(),
                    }
                };
                self.pos = end;
                Ok((
                    start,
                    Token::Text {
                        raw: &self.s[start..end],
                        amp,
                    },
                ))
            }
        }
    }

    /// The markup starting with the `<` at `start`.
    fn markup(&mut self, start: usize) -> Result<Token<'a>, SyntaxError> {
        let b = self.s.as_bytes();
        let p = start + 1;
        let fail = |message| Err(SyntaxError { at: start, message });
        match b.get(p) {
            None => fail("unclosed tag: `<` at the end of the input"),
            Some(b'!') => self.bang(start),
            Some(b'?') => {
                // The first `>` right after a `?` closes it; the `?` of `<?` counts, which
                // leaves `<?>` too short.
                let mut at = p + 1;
                let gt = loop {
                    match find2(b, at, b'>', b'>') {
                        Some(i) if b[i - 1] == b'?' => break i,
                        Some(i) => at = i + 1,
                        None => return fail("unclosed processing instruction or declaration"),
                    }
                };
                if gt - p < 2 {
                    return fail("unclosed processing instruction or declaration");
                }
                self.pos = gt + 1;
                // Between `<?` and `?>`.
                let content = &self.s[p + 1..gt - 1];
                let c = content.as_bytes();
                if c.starts_with(b"xml") && (c.len() == 3 || is_space(c[3])) {
                    return Ok(Token::Skip);
                }
                let n = name_len(c);
                Ok(Token::Pi {
                    target: &content[..n],
                    content: &content[n..],
                })
            }
            Some(_) => {
                let Some(gt) = tag_end(b, p) else {
                    return fail("unclosed tag: no `>` outside quotes");
                };
                self.pos = gt + 1;
                let content = &self.s[p..gt];
                if let Some(name) = content.strip_prefix('/') {
                    let n = name
                        .as_bytes()
                        .iter()
                        .rposition(|&x| !is_space(x))
                        .map_or(0, |i| i + 1);
                    // All whitespace is kept as is (the reader did so), which never matches.
                    let name = if n == 0 { name } else { &name[..n] };
                    return Ok(Token::End(name));
                }
                match content.strip_suffix('/') {
                    Some(content) => Ok(Token::Empty {
                        content,
                        name_len: name_len(content.as_bytes()),
                    }),
                    None => Ok(Token::Start {
                        content,
                        name_len: name_len(content.as_bytes()),
                    }),
                }
            }
        }
    }

    /// `<!`: a comment, CDATA or a DOCTYPE.
    fn bang(&mut self, start: usize) -> Result<Token<'a>, SyntaxError> {
        let b = self.s.as_bytes();
        // `chunk` starts at the `!`.
        let from = start + 1;
        let chunk = &b[from..];
        let fail = |message| Err(SyntaxError { at: start, message });
        match chunk.get(1) {
            Some(b'-') => {
                // The first `>` after at least `!--` and two more bytes that ends `-->`.
                let mut at = 0;
                while let Some(i) = find2(chunk, at, b'>', b'>') {
                    if i > 4 && chunk[..i].ends_with(b"--") {
                        if !chunk.starts_with(b"!--") {
                            return fail("a comment must start with `<!--`");
                        }
                        self.pos = from + i + 1;
                        return Ok(Token::Skip);
                    }
                    at = i + 1;
                }
                fail("unclosed comment")
            }
            Some(b'[') => {
                let mut at = 0;
                while let Some(i) = find2(chunk, at, b'>', b'>') {
                    if chunk[..i].ends_with(b"]]") {
                        if !chunk.starts_with(b"![CDATA[") {
                            return fail("a CDATA section must start with `<![CDATA[`");
                        }
                        self.pos = from + i + 1;
                        return Ok(Token::CData(&self.s[from + 8..from + i - 2]));
                    }
                    at = i + 1;
                }
                fail("unclosed CDATA section")
            }
            Some(b'D' | b'd') => {
                // Nested `<`…`>` pairs balance.
                let mut balance = 0u32;
                let mut at = 0;
                while let Some(i) = find2(chunk, at, b'<', b'>') {
                    at = i + 1;
                    if chunk[i] == b'<' {
                        balance += 1;
                    } else if balance > 0 {
                        balance -= 1;
                    } else {
                        let buf = &chunk[..i];
                        if buf.len() < 8 || !buf[..8].eq_ignore_ascii_case(b"!DOCTYPE") {
                            return fail("a DOCTYPE must start with `<!DOCTYPE`");
                        }
                        if buf[8..].iter().all(|&x| is_space(x)) {
                            return Err(SyntaxError {
                                at: from + i,
                                message: "a DOCTYPE needs a name",
                            });
                        }
                        self.pos = from + i + 1;
                        return Ok(Token::Skip);
                    }
                }
                fail("unclosed DOCTYPE")
            }
            _ => fail("`<!` starts no comment, CDATA or DOCTYPE"),
        }
    }
}

/// The `>` that closes the tag whose content starts at `from`: the first one outside single
/// or double quotes.
#[inline]
fn tag_end(b: &[u8], from: usize) -> Option<usize> {
    let mut at = from;
    loop {
        let i = find3(b, at, b'>', b'\'', b'"')?;
        if b[i] == b'>' {
            return Some(i);
        }
        // Skip to the closing quote.
        at = find2(b, i + 1, b[i], b[i])? + 1;
    }
}

/// The attributes of a tag: (key, raw value) pairs, as the reader's checked iterator reads
/// them (a quoted value after `=`, whitespace allowed around `=`, none needed between
/// attributes). Duplicate keys are the caller's to find.
pub(super) struct Attributes<'a> {
    s: &'a str,
    pos: usize,
}

/// A malformed attribute.
pub(super) struct AttributeError;

impl<'a> Attributes<'a> {
    /// The attributes of `content` (a tag's content), after its name of `name_len` bytes.
    pub(super) fn new(content: &'a str, name_len: usize) -> Attributes<'a> {
        Attributes {
            s: content,
            pos: name_len,
        }
    }
}

impl<'a> Iterator for Attributes<'a> {
    type Item = Result<(&'a str, &'a str), AttributeError>;

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let b = self.s.as_bytes();
        let skip = |mut i: usize| {
            while i < b.len() && is_space(b[i]) {
                i += 1;
            }
            i
        };
        let key_start = skip(self.pos);
        if key_start >= b.len() {
            self.pos = b.len();
            return None;
        }
        // Any error ends the iteration: the caller stops at the first.
        self.pos = b.len();
        // The key's first byte is taken as is, even `=`.
        let mut i = key_start + 1;
        while i < b.len() && b[i] != b'=' && !is_space(b[i]) {
            i += 1;
        }
        let key_end = i;
        let eq = skip(i);
        if eq >= b.len() || b[eq] != b'=' {
            return Some(Err(AttributeError));
        }
        let open = skip(eq + 1);
        let quote = match b.get(open) {
            Some(&q @ (b'\'' | b'"')) => q,
            _ => return Some(Err(AttributeError)),
        };
        let Some(close) = find2(b, open + 1, quote, quote) else {
            return Some(Err(AttributeError));
        };
        self.pos = close + 1;
        Some(Ok((&self.s[key_start..key_end], &self.s[open + 1..close])))
    }
}

/// `raw` with its entity (`&lt;` `&gt;` `&amp;` `&apos;` `&quot;`) and character (`&#N;`,
/// `&#xH;`) references resolved; borrowed when it holds none.
pub(super) fn unescape(raw: &str) -> Result<Cow<'_, str>, &'static str> {
    let b = raw.as_bytes();
    let Some(first) = find2(b, 0, b'&', b'&') else {
        return Ok(Cow::Borrowed(raw));
    };
    let mut out = String::with_capacity(raw.len());
    let mut last = 0;
    let mut amp = Some(first);
    while let Some(a) = amp {
        let end = match find2(b, a + 1, b'&', b';') {
            Some(e) if b[e] == b';' => e,
            _ => return Err("`&` without a closing `;`"),
        };
        out.push_str(&raw[last..a]);
        let name = &raw[a + 1..end];
        match name.strip_prefix('#') {
            Some(number) => out.push(char_reference(number)?),
            None => out.push_str(match name {
                "lt" => "<",
                "gt" => ">",
                "amp" => "&",
                "apos" => "'",
                "quot" => "\"",
                _ => return Err("unknown entity"),
            }),
        }
        last = end + 1;
        amp = find2(b, last, b'&', b'&');
    }
    out.push_str(&raw[last..]);
    Ok(Cow::Owned(out))
}

/// The character of `&#number;` (`x` then hex, or decimal): no sign, not 0, a scalar value.
fn char_reference(number: &str) -> Result<char, &'static str> {
    let (digits, radix) = match number.strip_prefix('x') {
        Some(hex) => (hex, 16),
        None => (number, 10),
    };
    if matches!(digits.as_bytes().first(), Some(b'+' | b'-')) {
        return Err("a character reference has a sign");
    }
    let code = u32::from_str_radix(digits, radix)
        .map_err(|_| "a character reference is not a number in range")?;
    if code == 0 {
        return Err("a character reference is 0");
    }
    char::from_u32(code).ok_or("a character reference is not a Unicode scalar value")
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The word-at-a-time searches find what a byte-by-byte scan finds, at every start
        /// (the end included), for one, two or three bytes sought, non-ASCII bytes among them.
        #[test]
        fn finds_agree_with_a_plain_scan(
            text in proptest::collection::vec(proptest::sample::select(b"<>&';\"a \x80\xbc".to_vec()), 0..80),
            from in 0usize..84,
            sought in proptest::collection::vec(proptest::sample::select(b"<>&';\"".to_vec()), 3),
        ) {
            let from = from.min(text.len());
            let (a, b, c) = (sought[0], sought[1], sought[2]);
            let plain = |set: &[u8]| (from..text.len()).find(|&i| set.contains(&text[i]));
            proptest::prop_assert_eq!(find2(&text, from, a, b), plain(&[a, b]));
            proptest::prop_assert_eq!(find2(&text, from, a, a), plain(&[a]));
            proptest::prop_assert_eq!(find3(&text, from, a, b, c), plain(&[a, b, c]));
        }
    }

    #[test]
    fn find2_finds_the_first_of_either_byte_everywhere() {
        let text = b"abcdefghijklmnopqrstuvwxyz0123456789";
        for i in 0..text.len() {
            for from in 0..=i {
                let mut t = text.to_vec();
                t[i] = b'<';
                assert_eq!(find2(&t, from, b'<', b'&'), Some(i));
                t[i] = 0x80 | b'<';
                assert_eq!(find2(&t, from, b'<', b'&'), None);
            }
        }
    }

    #[test]
    fn references_resolve_as_the_reader_did() {
        let ok = [
            ("a&lt;b&gt;&amp;&apos;&quot;", "a<b>&'\""),
            ("&#65;&#x42;&#0067;", "ABC"),
            ("x;y", "x;y"),
        ];
        for (raw, want) in ok {
            assert_eq!(unescape(raw).ok().as_deref(), Some(want), "{raw}");
        }
        for raw in [
            "&", "&lt", "&a&b;", "&bogus;", "&#0;", "&#xD800;", "&#X41;", "&#+1;", "&#;",
        ] {
            assert!(unescape(raw).is_err(), "{raw}");
        }
    }
}
