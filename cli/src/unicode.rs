//! `/uni:true` (`/unicode`): the output in UTF-16LE, as wevtutil writes Unicode (no byte
//! order mark: wevtutil writes none to a file or pipe).
//!
//! Invariant: the bytes given are UTF-8 (evtutil writes only strings); a character split
//! across two writes is held until its last byte comes, so the output is the whole text's
//! UTF-16LE whatever the write boundaries.

use std::io::{self, Write};

/// A writer that turns the UTF-8 it is given into UTF-16LE on `inner`.
pub struct Utf16Writer<W: Write> {
    inner: W,
    /// The first bytes of a character whose rest is to come (at most 3).
    pending: Vec<u8>,
    buf: Vec<u8>,
}

impl<W: Write> Utf16Writer<W> {
    pub fn new(inner: W) -> Utf16Writer<W> {
        Utf16Writer {
            inner,
            pending: Vec::new(),
            buf: Vec::new(),
        }
    }
}

impl<W: Write> Write for Utf16Writer<W> {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(bytes);
        let valid = match std::str::from_utf8(&self.pending) {
            Ok(text) => text.len(),
            // An incomplete character at the end waits; anything else is not UTF-8.
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(e) => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("output is not UTF-8: {e}"),
                ))
            }
        };
        self.buf.clear();
        if let Ok(text) = std::str::from_utf8(&self.pending[..valid]) {
            for unit in text.encode_utf16() {
                self.buf.extend_from_slice(&unit.to_le_bytes());
            }
        }
        self.inner.write_all(&self.buf)?;
        self.pending.drain(..valid);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_characters_come_out_whole() {
        let text = "name: Système – 日本 😀\n";
        let mut out = Utf16Writer::new(Vec::new());
        for byte in text.as_bytes() {
            out.write_all(std::slice::from_ref(byte)).unwrap();
        }
        let want: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(out.inner, want);
        assert!(out.pending.is_empty());
        let mut bad = Utf16Writer::new(Vec::new());
        assert!(bad.write(&[0xff, b'a']).is_err());
    }
}
