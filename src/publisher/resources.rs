//! A provider's resource file (DLL, EXE, SYS or .mui): [`ResourceFile`], and its
//! RT_MESSAGETABLE read into [`Messages`].
//!
//! Owns: the public face of the PE resources (`open`, `parse`, `message_table`,
//! `wevt_template`), the MESSAGETABLE decoder and the ANSI (Windows-1252) decoding of its
//! entries.
//!
//! Invariants:
//! - Strings are kept as stored, with their trailing CR LF (mc ends each message with one;
//!   EvtFormatMessage strips it), up to the first NUL.
//! - ANSI entries (flags 0) are decoded as Windows-1252: the code page of every en-US
//!   message file (an ANSI table records no code page; Latin-1 differs from it only in
//!   0x80–0x9F, where 1252 has its punctuation). Flags bit 0 is UTF-16LE, bit 1 UTF-8;
//!   invalid sequences become U+FFFD.
//! - The entries a table claims are bounded by its bytes: each is at least 4 bytes, and
//!   all blocks together may not read more entries than the data could hold (blocks that
//!   overlap could otherwise make the work quadratic).
//! - A language whose LANGID has no culture name in `locale` is kept under its number
//!   (`lcid:0x0c1a`), not dropped.

use std::path::Path;

use crate::error::{Error, ErrorKind, Result};
use crate::evtx::bytes::Reader;

use super::locale::culture_of;
use super::model::{Messages, Publisher};
use super::pe::{PeImage, Resource, ResourceId};

/// RT_MESSAGETABLE.
pub const RT_MESSAGETABLE: u16 = 11;
/// The named resource type of a provider's compiled manifest.
pub const WEVT_TEMPLATE: &str = "WEVT_TEMPLATE";

/// A PE image (DLL, EXE, SYS, .mui) read for its message table and provider metadata.
#[derive(Clone, Debug)]
pub struct ResourceFile {
    data: Vec<u8>,
    image: PeImage,
}

impl ResourceFile {
    /// Reads and parses the file at `path` (its headers and section table).
    pub fn open(path: impl AsRef<Path>) -> Result<ResourceFile> {
        let path = path.as_ref();
        let data = std::fs::read(path).map_err(|e| {
            Error::with_message(Error::from(e).kind(), format!("{}", path.display()))
        })?;
        ResourceFile::parse(data).map_err(|e| e.prefixed(&format!("{}:", path.display())))
    }

    /// Parses an image held in memory.
    pub fn parse(data: Vec<u8>) -> Result<ResourceFile> {
        let image = PeImage::parse(&data)?;
        Ok(ResourceFile { data, image })
    }

    /// The image's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.data
    }

    /// The raw data of one resource: type, name and LANGID (1812–1815 when missing).
    pub fn resource(&self, ty: &ResourceId, name: &ResourceId, language: u16) -> Result<&[u8]> {
        Ok(self.image.find(&self.data, ty, name, language)?.data)
    }

    /// The LANGIDs of resource `name` of type `ty`, in directory order.
    pub fn languages(&self, ty: &ResourceId, name: &ResourceId) -> Result<Vec<u16>> {
        let all = self.image.resources(&self.data, ty)?;
        let langs: Vec<u16> = all
            .iter()
            .filter(|r| r.name == *name)
            .map(|r| r.language)
            .collect();
        if langs.is_empty() {
            return Err(Error::with_message(
                ErrorKind::ResourceNameNotFound,
                format!("no resource {name} of type {ty}"),
            ));
        }
        Ok(langs)
    }

    /// Every language of the message table (RT_MESSAGETABLE, name 1), each under its
    /// culture name. 1812 without resources, 1813 without a message table, 1814 when it
    /// has no resource 1.
    pub fn message_table(&self) -> Result<Messages> {
        let ty = ResourceId::Id(RT_MESSAGETABLE);
        let name = ResourceId::Id(1);
        let tables: Vec<Resource<'_>> = self
            .image
            .resources(&self.data, &ty)?
            .into_iter()
            .filter(|r| r.name == name)
            .collect();
        if tables.is_empty() {
            return Err(Error::with_message(
                ErrorKind::ResourceNameNotFound,
                "no message table #1",
            ));
        }
        let mut messages = Messages::default();
        for table in tables {
            let culture = culture_key(table.language);
            let entries = decode_message_table(table.data, table.offset)?;
            let map = messages.by_culture.entry(culture).or_default();
            for (id, text) in entries {
                map.entry(id).or_insert(text);
            }
        }
        Ok(messages)
    }

    /// The message table of one language (LANGID), as (id, text) in id order; 1815 when
    /// the table has no such language.
    pub fn message_table_language(&self, language: u16) -> Result<Vec<(u32, String)>> {
        let table = self.image.find(
            &self.data,
            &ResourceId::Id(RT_MESSAGETABLE),
            &ResourceId::Id(1),
            language,
        )?;
        decode_message_table(table.data, table.offset)
    }

    /// The providers of the WEVT_TEMPLATE resource (its compiled manifest), one per CRIM
    /// provider entry (`resources_wevt` says what each carries), unnamed: CRIM holds no
    /// provider name, and the string of the provider's message id is its display name
    /// ("Microsoft Windows security auditing." for Microsoft-Windows-Security-Auditing), not
    /// its name.
    pub fn wevt_template(&self) -> Result<Vec<Publisher>> {
        let all = self
            .image
            .resources(&self.data, &ResourceId::Name(WEVT_TEMPLATE.into()))?;
        let chosen = pick_template(&all).ok_or_else(|| {
            Error::with_message(ErrorKind::ResourceNameNotFound, "no WEVT_TEMPLATE resource")
        })?;
        super::resources_wevt::parse_crim(chosen.data, chosen.offset)
    }
}

/// Of the WEVT_TEMPLATE resources, the first name's neutral language, else its en-US one,
/// else its first: every language of one name holds the same compiled manifest.
fn pick_template<'r, 'a>(all: &'r [Resource<'a>]) -> Option<&'r Resource<'a>> {
    let first = all.first()?;
    let same: Vec<&Resource<'a>> = all.iter().filter(|r| r.name == first.name).collect();
    same.iter()
        .find(|r| r.language == 0)
        .or_else(|| same.iter().find(|r| r.language == 0x0409))
        .copied()
        .or(Some(first))
}

/// The culture key of a LANGID: its name, or `lcid:0x....` when `locale` has none.
/// LANGID 0 (neutral) is stored under en-US: the strings of an mc-built neutral table are
/// the default culture's.
pub(crate) fn culture_key(language: u16) -> String {
    if language == 0 {
        return super::locale::DEFAULT_CULTURE.to_owned();
    }
    match culture_of(u32::from(language)) {
        Some(c) => c.to_owned(),
        None => format!("lcid:{language:#06x}"),
    }
}

/// Decodes MESSAGE_RESOURCE_DATA (`data` sits at file offset `base`) into (id, text).
pub(crate) fn decode_message_table(data: &[u8], base: u64) -> Result<Vec<(u32, String)>> {
    let mut r = Reader::new(data, base);
    let blocks = r.u32("NumberOfBlocks")?;
    let need = u64::from(blocks) * 12;
    if need > r.remaining() as u64 {
        return Err(Error::at_offset(
            ErrorKind::FileCorrupt,
            r.file_offset(),
            format!(
                "`message table blocks`: need {need} bytes for {blocks} blocks, have {}",
                r.remaining()
            ),
        ));
    }
    // Each entry takes at least 4 bytes: no honest table holds more than this.
    let mut budget = data.len() / 4;
    let mut out = Vec::new();
    for _ in 0..blocks {
        let block_at = r.file_offset();
        let low = r.u32("LowId")?;
        let high = r.u32("HighId")?;
        let entries = r.u32("OffsetToEntries")?;
        if high < low {
            return Err(Error::at_offset(
                ErrorKind::FileCorrupt,
                block_at,
                format!("`message block`: HighId {high:#x} below LowId {low:#x}"),
            ));
        }
        let count = u64::from(high - low) + 1;
        if count > budget as u64 {
            return Err(Error::at_offset(
                ErrorKind::FileCorrupt,
                block_at,
                format!(
                    "`message block` {low:#x}..{high:#x}: {count} entries, the table's {} bytes hold at most {budget} more",
                    data.len()
                ),
            ));
        }
        budget -= count as usize;
        let mut e = Reader::new(data, base);
        e.seek(
            usize::try_from(entries).unwrap_or(usize::MAX),
            "OffsetToEntries",
        )?;
        for id in low..=high {
            let at = e.file_offset();
            let length = usize::from(e.u16("entry Length")?);
            let flags = e.u16("entry Flags")?;
            if length < 4 {
                return Err(Error::at_offset(
                    ErrorKind::FileCorrupt,
                    at,
                    format!("`entry Length` of message {id:#x}: {length}, below the 4-byte header"),
                ));
            }
            let text = e.bytes(length - 4, "entry text")?;
            out.push((id, decode_text(text, flags)));
        }
    }
    out.sort_by_key(|(id, _)| *id);
    Ok(out)
}

/// An entry's text up to its first NUL.
fn decode_text(text: &[u8], flags: u16) -> String {
    if flags & 1 != 0 {
        let units: Vec<u16> = text
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .take_while(|&u| u != 0)
            .collect();
        String::from_utf16_lossy(&units)
    } else {
        let end = text.iter().position(|&b| b == 0).unwrap_or(text.len());
        if flags & 2 != 0 {
            String::from_utf8_lossy(&text[..end]).into_owned()
        } else {
            text[..end].iter().map(|&b| windows_1252(b)).collect()
        }
    }
}

/// Windows-1252 → char: Latin-1 except 0x80–0x9F (its five holes become U+FFFD).
fn windows_1252(b: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{FFFD}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{FFFD}', 'Ž',
        '\u{FFFD}', '\u{FFFD}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ',
        '\u{FFFD}', 'ž', 'Ÿ',
    ];
    match b {
        0x80..=0x9f => HIGH[usize::from(b - 0x80)],
        _ => char::from(b),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A MESSAGE_RESOURCE_DATA with one block of the given entries (flags, bytes).
    pub(crate) fn table(low: u32, entries: &[(u16, Vec<u8>)]) -> Vec<u8> {
        let mut out = Vec::new();
        out.extend_from_slice(&1u32.to_le_bytes());
        out.extend_from_slice(&low.to_le_bytes());
        out.extend_from_slice(&(low + entries.len() as u32 - 1).to_le_bytes());
        out.extend_from_slice(&16u32.to_le_bytes());
        for (flags, text) in entries {
            let mut text = text.clone();
            text.extend_from_slice(&[0, 0]);
            while text.len() % 4 != 0 {
                text.push(0);
            }
            out.extend_from_slice(&((text.len() + 4) as u16).to_le_bytes());
            out.extend_from_slice(&flags.to_le_bytes());
            out.extend_from_slice(&text);
        }
        out
    }

    pub(crate) fn utf16(s: &str) -> Vec<u8> {
        s.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn decodes_utf16_ansi_and_utf8_entries_keeping_crlf() {
        let data = table(
            0x100,
            &[
                (1, utf16("Grüße %1\r\n")),
                (0, b"caf\xe9 \x80 \x93x\x94\r\n".to_vec()),
                (2, "naïve\r\n".as_bytes().to_vec()),
            ],
        );
        let got = decode_message_table(&data, 0).unwrap();
        assert_eq!(
            got,
            [
                (0x100, "Grüße %1\r\n".to_owned()),
                (0x101, "café € “x”\r\n".to_owned()),
                (0x102, "naïve\r\n".to_owned()),
            ]
        );
    }

    #[test]
    fn bad_tables_say_what_and_where() {
        let mut data = table(5, &[(1, utf16("a"))]);
        // Length 2: below the header.
        data[16] = 2;
        let err = decode_message_table(&data, 0x400).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FileCorrupt);
        assert_eq!(err.offset(), Some(0x410));
        assert!(err.to_string().contains("entry Length"), "{err}");

        // A block that claims four billion entries.
        let mut data = table(0, &[(1, utf16("a"))]);
        data[8..12].copy_from_slice(&u32::MAX.to_le_bytes());
        let err = decode_message_table(&data, 0).unwrap_err();
        assert_eq!(err.offset(), Some(4));
        assert!(err.to_string().contains("hold at most"), "{err}");

        // More blocks than bytes.
        let err = decode_message_table(&1000u32.to_le_bytes(), 0x20).unwrap_err();
        assert_eq!(err.offset(), Some(0x24));
        assert!(err.to_string().contains("need 12000 bytes"), "{err}");

        // HighId < LowId.
        let mut data = table(9, &[(1, utf16("a"))]);
        data[8..12].copy_from_slice(&3u32.to_le_bytes());
        assert!(decode_message_table(&data, 0).is_err());

        // Entries past the end.
        let mut data = table(9, &[(1, utf16("a"))]);
        data[12..16].copy_from_slice(&4000u32.to_le_bytes());
        let err = decode_message_table(&data, 0).unwrap_err();
        assert!(err.to_string().contains("OffsetToEntries"), "{err}");
    }

    #[test]
    fn cultures_by_langid() {
        assert_eq!(culture_key(0x0409), "en-US");
        assert_eq!(culture_key(0), "en-US");
        assert_eq!(culture_key(0x0c1a), "lcid:0x0c1a");
    }
}
