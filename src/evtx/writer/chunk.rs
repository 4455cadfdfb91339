//! [`ChunkBuilder`]: one 64 KiB chunk being filled with records (reference/evtx-format.md
//! §3, §4, §5, §11).
//!
//! Each record is `FragmentHeader, TemplateInstance, values, EOF`. A template is defined
//! (resident) at its first use in the chunk and referenced backwards after; names are
//! written inline at their first use and referenced backwards after. Both are entered in
//! the chunk's tables at the head of their bucket, as Windows does.
//!
//! Invariants:
//! - A record that does not fit leaves the chunk exactly as it was (`add` returns false):
//!   the position, both tables and the name and template maps are restored.
//! - No reference points ahead; element, attribute-list and template sizes are exact;
//!   records are 8-byte aligned; ids increase (the writer's job).
//! - `finish` fills the header last: first and last record numbers and ids, the last
//!   record's offset, the free-space offset, the records' CRC32, then the header CRC32 over
//!   `[0, 120)` and `[128, 512)`.

use super::template::key;
use super::KeyMap;
use crate::evtx::{CHUNK_HEADER_SIZE, CHUNK_SIZE};

/// The MS-EVEN6 name hash over UTF-16 units (also the template bucket hash, over a GUID's
/// eight units).
pub(super) fn hash65599(units: impl Iterator<Item = u16>) -> u32 {
    units.fold(0u32, |h, c| {
        h.wrapping_mul(65599).wrapping_add(u32::from(c))
    })
}

/// A template as a chunk writes it.
#[derive(Debug)]
pub(super) struct TemplateRef<'k> {
    pub(super) key: &'k [u8],
    pub(super) guid: [u8; 16],
}

/// What one record needs.
pub(super) struct RecordParts<'a> {
    pub(super) id: u64,
    pub(super) written: u64,
    pub(super) template: TemplateRef<'a>,
    pub(super) descriptors: &'a [(u16, u8)],
    pub(super) values: &'a [u8],
}

/// A chunk being filled.
pub(super) struct ChunkBuilder {
    buf: Vec<u8>,
    pos: usize,
    names: KeyMap<String, u32>,
    /// Templates defined in this chunk, by GUID: their definition's offset.
    templates: KeyMap<[u8; 16], u32>,
    string_buckets: [u32; 64],
    template_buckets: [u32; 32],
    first_id: Option<u64>,
    last_id: u64,
    last_record: u32,
    /// The CRC32 of the records so far, kept as they are added (a live file finishes its
    /// chunk after every append).
    records_crc: crc32fast::Hasher,
}

/// Undo state for one record.
struct Mark {
    pos: usize,
    string_buckets: [u32; 64],
    template_buckets: [u32; 32],
    names: Vec<String>,
    template: Option<[u8; 16]>,
}

impl ChunkBuilder {
    pub(super) fn new() -> ChunkBuilder {
        ChunkBuilder {
            buf: vec![0; CHUNK_SIZE],
            pos: CHUNK_HEADER_SIZE,
            names: KeyMap::default(),
            templates: KeyMap::default(),
            string_buckets: [0; 64],
            template_buckets: [0; 32],
            first_id: None,
            last_id: 0,
            last_record: 0,
            records_crc: crc32fast::Hasher::new(),
        }
    }

    /// Whether no record was added.
    pub(super) fn is_empty(&self) -> bool {
        self.first_id.is_none()
    }

    /// Where the next record would start: the end of the records so far.
    pub(super) fn end(&self) -> usize {
        self.pos
    }

    /// Adds a record; false (and the chunk as it was) if it does not fit.
    pub(super) fn add(&mut self, record: &RecordParts<'_>) -> bool {
        let mut mark = Mark {
            pos: self.pos,
            string_buckets: self.string_buckets,
            template_buckets: self.template_buckets,
            names: Vec::new(),
            template: None,
        };
        if self.write_record(record, &mut mark).is_some() {
            self.first_id.get_or_insert(record.id);
            self.last_id = record.id;
            self.last_record = mark.pos as u32;
            self.records_crc.update(&self.buf[mark.pos..self.pos]);
            return true;
        }
        // Undo: the bytes past `pos` are zeroed again, so the chunk's free space stays zero.
        let end = self.pos.min(CHUNK_SIZE);
        self.buf[mark.pos..end].fill(0);
        self.pos = mark.pos;
        self.string_buckets = mark.string_buckets;
        self.template_buckets = mark.template_buckets;
        for name in mark.names {
            self.names.remove(&name);
        }
        if let Some(guid) = mark.template {
            self.templates.remove(&guid);
        }
        false
    }

    fn put(&mut self, bytes: &[u8]) -> Option<()> {
        let end = self
            .pos
            .checked_add(bytes.len())
            .filter(|&e| e <= CHUNK_SIZE)?;
        self.buf[self.pos..end].copy_from_slice(bytes);
        self.pos = end;
        Some(())
    }

    fn put_u16(&mut self, v: u16) -> Option<()> {
        self.put(&v.to_le_bytes())
    }

    fn put_u32(&mut self, v: u32) -> Option<()> {
        self.put(&v.to_le_bytes())
    }

    fn patch_u32(&mut self, at: usize, v: u32) {
        self.buf[at..at + 4].copy_from_slice(&v.to_le_bytes());
    }

    fn write_record(&mut self, r: &RecordParts<'_>, mark: &mut Mark) -> Option<()> {
        let start = self.pos;
        self.put(&[0x2A, 0x2A, 0, 0])?;
        let size_at = self.pos;
        self.put_u32(0)?;
        self.put(&r.id.to_le_bytes())?;
        self.put(&r.written.to_le_bytes())?;
        // FragmentHeader, TemplateInstance.
        self.put(&[0x0F, 0x01, 0x01, 0x00, 0x0C, 0x01])?;
        self.put(&r.template.guid[..4])?;
        match self.templates.get(&r.template.guid) {
            Some(&def) => self.put_u32(def)?,
            None => self.define_template(&r.template, mark)?,
        }
        self.put_u32(r.descriptors.len() as u32)?;
        for &(size, ty) in r.descriptors {
            self.put_u16(size)?;
            self.put(&[ty, 0])?;
        }
        self.put(r.values)?;
        self.put(&[0x00])?;
        // Padding to 8 bytes, counting the size copy.
        while (self.pos + 4 - start) % 8 != 0 {
            self.put(&[0])?;
        }
        let size = (self.pos + 4 - start) as u32;
        self.put_u32(size)?;
        self.patch_u32(size_at, size);
        Some(())
    }

    /// A resident definition of `template` at the current position (right after the
    /// instance's definition-offset field), entered in the template table.
    fn define_template(&mut self, template: &TemplateRef<'_>, mark: &mut Mark) -> Option<()> {
        let def = (self.pos + 4) as u32;
        self.put_u32(def)?;
        let units = template
            .guid
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]));
        let bucket = (hash65599(units) % 32) as usize;
        self.put_u32(self.template_buckets[bucket])?;
        self.put(&template.guid)?;
        let size_at = self.pos;
        self.put_u32(0)?;
        let body = self.pos;
        self.put(&[0x0F, 0x01, 0x01, 0x00])?;
        let mut at = 0;
        self.element(template.key, &mut at, mark)?;
        self.put(&[0x00])?;
        self.patch_u32(size_at, (self.pos - body) as u32);
        self.template_buckets[bucket] = def;
        self.templates.insert(template.guid, def);
        mark.template = Some(template.guid);
        Some(())
    }

    /// A name reference: the offset of the name's entry, written inline here at its first
    /// use in the chunk.
    fn name(&mut self, name: &str, mark: &mut Mark) -> Option<()> {
        if let Some(&at) = self.names.get(name) {
            return self.put_u32(at);
        }
        let at = (self.pos + 4) as u32;
        self.put_u32(at)?;
        let hash = hash65599(name.encode_utf16()) as u16;
        let bucket = usize::from(hash) % 64;
        self.put_u32(self.string_buckets[bucket])?;
        self.put_u16(hash)?;
        self.put_u16(name.encode_utf16().count() as u16)?;
        self.utf16(name)?;
        self.put_u16(0)?;
        self.string_buckets[bucket] = at;
        self.names.insert(name.to_owned(), at);
        mark.names.push(name.to_owned());
        Some(())
    }

    fn utf16(&mut self, s: &str) -> Option<()> {
        for unit in s.encode_utf16() {
            self.put_u16(unit)?;
        }
        Some(())
    }

    /// One element of `key` from `*at` (an OPEN token), as BinXml with dependency ids
    /// (none: 0xFFFF) and exact sizes.
    fn element(&mut self, k: &[u8], at: &mut usize, mark: &mut Mark) -> Option<()> {
        (take(k, at, 1)?[0] == key::OPEN).then_some(())?;
        let name = take_name(k, at)?;
        let has_attributes = k.get(*at) == Some(&key::ATTRIBUTE);
        self.put(&[if has_attributes { 0x41 } else { 0x01 }])?;
        self.put_u16(0xFFFF)?;
        let size_at = self.pos;
        self.put_u32(0)?;
        self.name(name, mark)?;
        if has_attributes {
            let list_at = self.pos;
            self.put_u32(0)?;
            while k.get(*at) == Some(&key::ATTRIBUTE) {
                *at += 1;
                let name = take_name(k, at)?;
                let another = next_attribute_follows(k, *at);
                self.put(&[if another? { 0x46 } else { 0x06 }])?;
                self.name(name, mark)?;
                self.content_token(k, at, mark)?;
            }
            self.patch_u32(list_at, (self.pos - list_at - 4) as u32);
        }
        match take(k, at, 1)?[0] {
            key::EMPTY => self.put(&[0x03])?,
            key::CHILDREN => {
                self.put(&[0x02])?;
                while *k.get(*at)? != key::END {
                    if k[*at] == key::OPEN {
                        self.element(k, at, mark)?;
                    } else {
                        self.content_token(k, at, mark)?;
                    }
                }
                *at += 1;
                self.put(&[0x04])?;
            }
            _ => return None,
        }
        self.patch_u32(size_at, (self.pos - size_at - 4) as u32);
        Some(())
    }

    /// One TEXT, SUBST, CDATA or PI token of `key` from `*at`.
    fn content_token(&mut self, k: &[u8], at: &mut usize, mark: &mut Mark) -> Option<()> {
        match take(k, at, 1)?[0] {
            key::TEXT => {
                let text = take_long(k, at)?;
                self.put(&[0x05, 0x01])?;
                self.put_u16(text.encode_utf16().count() as u16)?;
                self.utf16(text)
            }
            key::SUBST => {
                let s = take(k, at, 3)?;
                let (index, ty) = (u16::from_le_bytes([s[0], s[1]]), s[2]);
                self.put(&[0x0D])?;
                self.put_u16(index)?;
                self.put(&[ty])
            }
            key::CDATA => {
                let text = take_long(k, at)?;
                self.put(&[0x07])?;
                self.put_u16(text.encode_utf16().count() as u16)?;
                self.utf16(text)
            }
            key::PI => {
                let target = take_name(k, at)?;
                let data = take_long(k, at)?;
                self.put(&[0x0A])?;
                self.name(target, mark)?;
                self.put(&[0x0B])?;
                self.put_u16(data.encode_utf16().count() as u16)?;
                self.utf16(data)
            }
            _ => None,
        }
    }

    /// The finished chunk: its header filled in (header_size 128, flags 0, both CRCs).
    pub(super) fn finish(&mut self) -> &[u8] {
        let free = self.pos;
        let first = self.first_id.unwrap_or(1);
        let last = if self.is_empty() {
            u64::MAX
        } else {
            self.last_id
        };
        let b = &mut self.buf;
        b[..8].copy_from_slice(b"ElfChnk\0");
        b[8..16].copy_from_slice(&first.to_le_bytes());
        b[16..24].copy_from_slice(&last.to_le_bytes());
        let first_id = if self.first_id.is_some() {
            first
        } else {
            u64::MAX
        };
        b[24..32].copy_from_slice(&first_id.to_le_bytes());
        b[32..40].copy_from_slice(&last.to_le_bytes());
        b[40..44].copy_from_slice(&128u32.to_le_bytes());
        b[44..48].copy_from_slice(&self.last_record.to_le_bytes());
        b[48..52].copy_from_slice(&(free as u32).to_le_bytes());
        let records_crc = self.records_crc.clone().finalize();
        b[52..56].copy_from_slice(&records_crc.to_le_bytes());
        b[120..124].copy_from_slice(&0u32.to_le_bytes());
        for (i, head) in self.string_buckets.iter().enumerate() {
            b[128 + 4 * i..132 + 4 * i].copy_from_slice(&head.to_le_bytes());
        }
        for (i, head) in self.template_buckets.iter().enumerate() {
            b[384 + 4 * i..388 + 4 * i].copy_from_slice(&head.to_le_bytes());
        }
        let mut crc = crc32fast::Hasher::new();
        crc.update(&b[..120]);
        crc.update(&b[128..CHUNK_HEADER_SIZE]);
        let header_crc = crc.finalize();
        b[124..128].copy_from_slice(&header_crc.to_le_bytes());
        &self.buf
    }
}

fn take<'k>(k: &'k [u8], at: &mut usize, n: usize) -> Option<&'k [u8]> {
    let bytes = k.get(*at..at.checked_add(n)?)?;
    *at += n;
    Some(bytes)
}

fn take_name<'k>(k: &'k [u8], at: &mut usize) -> Option<&'k str> {
    let len = take(k, at, 2)?;
    let len = usize::from(u16::from_le_bytes([len[0], len[1]]));
    std::str::from_utf8(take(k, at, len)?).ok()
}

fn take_long<'k>(k: &'k [u8], at: &mut usize) -> Option<&'k str> {
    let len = take(k, at, 4)?;
    let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
    std::str::from_utf8(take(k, at, len)?).ok()
}

/// Whether, after the attribute value token at `at`, another attribute follows.
fn next_attribute_follows(k: &[u8], at: usize) -> Option<bool> {
    let after = match *k.get(at)? {
        key::TEXT => {
            let len = k.get(at + 1..at + 5)?;
            at + 5 + u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize
        }
        key::SUBST => at + 4,
        _ => return None,
    };
    Some(k.get(after) == Some(&key::ATTRIBUTE))
}
