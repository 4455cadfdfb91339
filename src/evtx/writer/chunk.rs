//! [`ChunkBuilder`]: one 64 KiB chunk being filled with records (chunk header, string and
//! template tables, record framing, BinXml, as the readers it is checked against take them).
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

use super::compile::{hash65599, Names, Op, Template};
use crate::evtx::{CHUNK_HEADER_SIZE, CHUNK_SIZE};

/// What one record needs.
pub(super) struct RecordParts<'a> {
    pub(super) id: u64,
    pub(super) written: u64,
    /// The template, and its id in the writer (`Encoder`).
    pub(super) template: &'a Template,
    pub(super) template_id: u32,
    pub(super) names: &'a Names,
    pub(super) descriptors: &'a [(u16, u8)],
    pub(super) values: &'a [u8],
}

/// A chunk being filled.
pub(super) struct ChunkBuilder {
    buf: Vec<u8>,
    pos: usize,
    /// Each writer name id's entry offset in this chunk (0: not written here yet).
    names: Vec<u32>,
    /// Each writer template id's definition offset in this chunk (0: not defined here).
    templates: Vec<u32>,
    string_buckets: [u32; 64],
    template_buckets: [u32; 32],
    first_id: Option<u64>,
    last_id: u64,
    last_record: u32,
    /// The CRC32 of the records so far, kept as they are added (a live file finishes its
    /// chunk after every append).
    records_crc: crc32fast::Hasher,
    /// The names the record being added wrote (undone if it does not fit).
    new_names: Vec<u32>,
    /// Open elements while a template is defined: each size field's offset, and its
    /// attribute list's.
    open: Vec<(usize, Option<usize>)>,
}

impl ChunkBuilder {
    pub(super) fn new() -> ChunkBuilder {
        ChunkBuilder {
            buf: vec![0; CHUNK_SIZE],
            pos: CHUNK_HEADER_SIZE,
            names: Vec::new(),
            templates: Vec::new(),
            string_buckets: [0; 64],
            template_buckets: [0; 32],
            first_id: None,
            last_id: 0,
            last_record: 0,
            records_crc: crc32fast::Hasher::new(),
            new_names: Vec::new(),
            open: Vec::new(),
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
        let start = self.pos;
        let string_buckets = self.string_buckets;
        let template_buckets = self.template_buckets;
        self.new_names.clear();
        let defined = self.templates_at(record.template_id) == 0;
        if self.write_record(record).is_some() {
            self.first_id.get_or_insert(record.id);
            self.last_id = record.id;
            self.last_record = start as u32;
            self.records_crc.update(&self.buf[start..self.pos]);
            return true;
        }
        // Undo: the bytes past `start` are zeroed again, so the chunk's free space stays
        // zero.
        let end = self.pos.min(CHUNK_SIZE);
        self.buf[start..end].fill(0);
        self.pos = start;
        self.string_buckets = string_buckets;
        self.template_buckets = template_buckets;
        for &name in &self.new_names {
            self.names[name as usize] = 0;
        }
        if defined {
            if let Some(at) = self.templates.get_mut(record.template_id as usize) {
                *at = 0;
            }
        }
        false
    }

    fn templates_at(&self, id: u32) -> u32 {
        self.templates.get(id as usize).copied().unwrap_or(0)
    }

    /// `n` bytes at the current position, which then moves past them; `None` if they do
    /// not fit.
    fn room(&mut self, n: usize) -> Option<&mut [u8]> {
        let start = self.pos;
        let end = start.checked_add(n).filter(|&e| e <= CHUNK_SIZE)?;
        self.pos = end;
        Some(&mut self.buf[start..end])
    }

    fn put(&mut self, bytes: &[u8]) -> Option<()> {
        self.room(bytes.len())?.copy_from_slice(bytes);
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

    fn write_record(&mut self, r: &RecordParts<'_>) -> Option<()> {
        let start = self.pos;
        let head = self.room(34)?;
        head[..4].copy_from_slice(&[0x2A, 0x2A, 0, 0]);
        // head[4..8]: the size, patched below.
        head[8..16].copy_from_slice(&r.id.to_le_bytes());
        head[16..24].copy_from_slice(&r.written.to_le_bytes());
        // FragmentHeader, TemplateInstance.
        head[24..30].copy_from_slice(&[0x0F, 0x01, 0x01, 0x00, 0x0C, 0x01]);
        head[30..34].copy_from_slice(&r.template.guid[..4]);
        match self.templates_at(r.template_id) {
            0 => self.define_template(r)?,
            def => self.put_u32(def)?,
        }
        let count = r.descriptors.len();
        let descriptors = self.room(4 + 4 * count)?;
        descriptors[..4].copy_from_slice(&(count as u32).to_le_bytes());
        for (d, &(size, ty)) in descriptors[4..].chunks_exact_mut(4).zip(r.descriptors) {
            d.copy_from_slice(&[size as u8, (size >> 8) as u8, ty, 0]);
        }
        self.put(r.values)?;
        // EOF, padding to 8 bytes counting the size copy, the size copy.
        let unpadded = self.pos + 1 + 4 - start;
        let size = unpadded.next_multiple_of(8);
        let tail = self.room(size - (self.pos - start))?;
        tail.fill(0);
        let n = tail.len();
        tail[n - 4..].copy_from_slice(&(size as u32).to_le_bytes());
        self.patch_u32(start + 4, size as u32);
        Some(())
    }

    /// A resident definition of the record's template at the current position (the
    /// instance's definition-offset field), entered in the template table.
    fn define_template(&mut self, r: &RecordParts<'_>) -> Option<()> {
        let template = r.template;
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
        self.body(template, r.names)?;
        self.put(&[0x00])?;
        self.patch_u32(size_at, (self.pos - body) as u32);
        self.template_buckets[bucket] = def;
        let id = r.template_id as usize;
        if self.templates.len() <= id {
            self.templates.resize(id + 1, 0);
        }
        self.templates[id] = def;
        Some(())
    }

    /// A template's elements, as BinXml with dependency ids (none: 0xFFFF) and exact sizes.
    fn body(&mut self, template: &Template, names: &Names) -> Option<()> {
        self.open.clear();
        for op in template.ops.iter() {
            match *op {
                Op::Open { name, attributes } => {
                    let token = if attributes { 0x41 } else { 0x01 };
                    self.put(&[token, 0xFF, 0xFF])?;
                    let size_at = self.pos;
                    self.put_u32(0)?;
                    self.name(name, names)?;
                    let list_at = if attributes {
                        self.put_u32(0)?;
                        Some(self.pos - 4)
                    } else {
                        None
                    };
                    self.open.push((size_at, list_at));
                }
                Op::Attribute { name, more } => {
                    self.put(&[if more { 0x46 } else { 0x06 }])?;
                    self.name(name, names)?;
                }
                Op::Start { children } => {
                    let &(size_at, list_at) = self.open.last()?;
                    if let Some(list_at) = list_at {
                        self.patch_u32(list_at, (self.pos - list_at - 4) as u32);
                    }
                    if children {
                        self.put(&[0x02])?;
                    } else {
                        self.put(&[0x03])?;
                        self.open.pop();
                        self.patch_u32(size_at, (self.pos - size_at - 4) as u32);
                    }
                }
                Op::End => {
                    self.put(&[0x04])?;
                    let (size_at, _) = self.open.pop()?;
                    self.patch_u32(size_at, (self.pos - size_at - 4) as u32);
                }
                Op::Text { at, len } => {
                    self.put(&[0x05, 0x01])?;
                    self.text(template, at, len)?;
                }
                Op::Subst { index, ty } => {
                    let [lo, hi] = index.to_le_bytes();
                    self.put(&[0x0D, lo, hi, ty])?;
                }
                Op::CData { at, len } => {
                    self.put(&[0x07])?;
                    self.text(template, at, len)?;
                }
                Op::Pi { target, at, len } => {
                    self.put(&[0x0A])?;
                    self.name(target, names)?;
                    self.put(&[0x0B])?;
                    self.text(template, at, len)?;
                }
            }
        }
        Some(())
    }

    /// A text's unit count and UTF-16 units.
    fn text(&mut self, template: &Template, at: u32, len: u32) -> Option<()> {
        let bytes = template.texts.get(at as usize..(at + len) as usize)?;
        self.put_u16((len / 2) as u16)?;
        self.put(bytes)
    }

    /// A name reference: the offset of the name's entry, written inline here at its first
    /// use in the chunk.
    fn name(&mut self, id: u32, names: &Names) -> Option<()> {
        let index = id as usize;
        match self.names.get(index) {
            Some(&at) if at != 0 => return self.put_u32(at),
            Some(_) => {}
            None => self.names.resize(index + 1, 0),
        }
        let entry = names.get(id);
        let at = (self.pos + 4) as u32;
        let bucket = usize::from(entry.hash) % 64;
        let units = (entry.utf16.len() / 2) as u16;
        let next = self.string_buckets[bucket];
        let head = self.room(12)?;
        head[..4].copy_from_slice(&at.to_le_bytes());
        head[4..8].copy_from_slice(&next.to_le_bytes());
        head[8..10].copy_from_slice(&entry.hash.to_le_bytes());
        head[10..12].copy_from_slice(&units.to_le_bytes());
        self.put(&entry.utf16)?;
        self.put_u16(0)?;
        self.string_buckets[bucket] = at;
        self.names[index] = at;
        self.new_names.push(id);
        Some(())
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
