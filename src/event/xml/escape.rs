//! XML escaping for rendered event text, with a fast path for strings that need none.
//!
//! Windows escapes `&`, `<`, `>`, `"` and `'` in both text and attribute values. evtlog also
//! writes CR, LF and the other C0 controls (except TAB) as character references so that an
//! event stays on one line, and drops NUL (Windows strings end at NUL).

/// For each byte: 0 = copy as is, 1 = needs an escape.
static NEEDS_ESCAPE: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        table[i] = 1;
        i += 1;
    }
    table[b'\t' as usize] = 0;
    table[b'&' as usize] = 1;
    table[b'<' as usize] = 1;
    table[b'>' as usize] = 1;
    table[b'"' as usize] = 1;
    table[b'\'' as usize] = 1;
    table
};

/// Appends `s` escaped for text content or a single-quoted attribute value.
#[inline]
pub(crate) fn push_escaped(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if NEEDS_ESCAPE[usize::from(b)] == 0 {
            continue;
        }
        // Every byte that needs escaping is ASCII, so `i` is a char boundary.
        out.push_str(&s[start..i]);
        match b {
            b'&' => out.push_str("&amp;"),
            b'<' => out.push_str("&lt;"),
            b'>' => out.push_str("&gt;"),
            b'"' => out.push_str("&quot;"),
            b'\'' => out.push_str("&apos;"),
            b'\r' => out.push_str("&#13;"),
            b'\n' => out.push_str("&#10;"),
            0 => {}
            _ => {
                out.push_str("&#");
                out.push_str(itoa::Buffer::new().format(b));
                out.push(';');
            }
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(s: &str) -> String {
        let mut out = String::new();
        push_escaped(&mut out, s);
        out
    }

    #[test]
    fn escapes_the_five_and_controls() {
        assert_eq!(esc("plain"), "plain");
        assert_eq!(esc(r#"a&b<c>d"e'f"#), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
        assert_eq!(esc("l1\r\nl2\tx"), "l1&#13;&#10;l2\tx");
        assert_eq!(esc("nul\0end\u{1}"), "nulend&#1;");
        assert_eq!(esc("ünïcødé ✓"), "ünïcødé ✓");
    }
}
