//! A PE/COFF reader (PE32 and PE32+) that finds resources: the DOS and NT headers, the
//! section table, the resource data directory, RVA → file offset mapping, and the
//! three-level resource tree (type → name → language).
//!
//! Owns: [`PeImage`], [`ResourceId`] and the wording of the image's errors.
//!
//! Invariants:
//! - Every read goes through the crate's bounds-checked reader: bad input is an error
//!   (FileCorrupt, 1392) at the absolute file offset of the read, naming the field and the
//!   bytes needed and present, never a panic.
//! - The resource tree is walked level by level, never recursively: a subdirectory where
//!   Windows expects data (below the language level), data where it expects a directory,
//!   and a subdirectory that points at one of its ancestors (a loop) are errors.
//! - Entry counts are checked against the bytes that hold them before anything is
//!   allocated for them.
//! - A missing resource section is ERROR_RESOURCE_DATA_NOT_FOUND (1812); a missing type,
//!   name or language is 1813, 1814, 1815 (what FindResourceEx reports).

use std::fmt;

use crate::error::{Error, ErrorKind, Result};
use crate::evtx::bytes::Reader;

/// The resource directory entry of the resource table (index 2 of the data directories).
const RESOURCE_DIRECTORY_INDEX: usize = 2;
/// IMAGE_RESOURCE_DIRECTORY's size; each entry follows in 8 bytes.
const DIRECTORY_HEADER: usize = 16;
/// The high bit of an entry's name (a name string) or offset (a subdirectory).
const HIGH_BIT: u32 = 0x8000_0000;

/// A resource type, name or language: a number or a string (compared case-insensitively,
/// as Windows upper-cases resource names before comparing them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResourceId {
    Id(u16),
    Name(String),
}

impl ResourceId {
    fn matches(&self, other: &ResourceId) -> bool {
        match (self, other) {
            (ResourceId::Id(a), ResourceId::Id(b)) => a == b,
            (ResourceId::Name(a), ResourceId::Name(b)) => a.eq_ignore_ascii_case(b),
            _ => false,
        }
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ResourceId::Id(id) => write!(f, "#{id}"),
            ResourceId::Name(name) => f.write_str(name),
        }
    }
}

impl From<u16> for ResourceId {
    fn from(id: u16) -> ResourceId {
        ResourceId::Id(id)
    }
}

impl From<&str> for ResourceId {
    fn from(name: &str) -> ResourceId {
        ResourceId::Name(name.to_owned())
    }
}

/// One section header's placement.
#[derive(Clone, Copy, Debug)]
struct Section {
    virtual_address: u32,
    virtual_size: u32,
    raw_size: u32,
    raw_offset: u32,
}

/// One entry of a resource directory.
#[derive(Clone, Debug)]
struct Entry {
    id: ResourceId,
    /// Offset from the resource section's start (directory or data entry).
    target: usize,
    is_directory: bool,
    /// Where the entry sits in the file (for errors).
    at: u64,
}

/// One resource found in the tree.
#[derive(Clone, Debug)]
pub(crate) struct Resource<'a> {
    pub(crate) name: ResourceId,
    pub(crate) language: u16,
    pub(crate) data: &'a [u8],
    /// The file offset of `data`.
    pub(crate) offset: u64,
}

/// A parsed PE image: its sections and where its resource tree starts.
#[derive(Clone, Debug)]
pub(crate) struct PeImage {
    sections: Vec<Section>,
    /// File offset and length of the resource tree (from the directory's RVA to the end of
    /// its section's raw data); `None` when the image has no resource directory.
    resources: Option<(usize, usize)>,
}

fn read_at<'a>(data: &'a [u8], pos: usize, what: &str) -> Result<Reader<'a>> {
    let mut r = Reader::new(data, 0);
    r.seek(pos, what)?;
    Ok(r)
}

fn corrupt(offset: u64, message: impl Into<String>) -> Error {
    Error::at_offset(ErrorKind::FileCorrupt, offset, message)
}

fn to_usize(v: u32) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

impl PeImage {
    /// Reads the headers and the section table of `data`.
    pub(crate) fn parse(data: &[u8]) -> Result<PeImage> {
        let mut r = Reader::new(data, 0);
        if r.u16("DOS signature")? != 0x5a4d {
            return Err(corrupt(0, "`DOS signature`: not \"MZ\""));
        }
        let nt = to_usize(read_at(data, 0x3c, "e_lfanew")?.u32("e_lfanew")?);
        let mut r = read_at(data, nt, "NT headers")?;
        if r.bytes(4, "PE signature")? != b"PE\0\0" {
            return Err(corrupt(nt as u64, "`PE signature`: not \"PE\\0\\0\""));
        }
        r.skip(2, "Machine")?;
        let section_count = usize::from(r.u16("NumberOfSections")?);
        r.skip(12, "COFF header")?;
        let optional_size = usize::from(r.u16("SizeOfOptionalHeader")?);
        r.skip(2, "Characteristics")?;
        let optional = r.pos();
        let magic = r.u16("optional header Magic")?;
        let (count_at, dirs_at) = match magic {
            0x10b => (92, 96),
            0x20b => (108, 112),
            other => {
                return Err(corrupt(
                    (optional) as u64,
                    format!(
                    "`optional header Magic`: {other:#x} is neither PE32 (0x10b) nor PE32+ (0x20b)"
                ),
                ))
            }
        };
        let dir_count = read_at(data, optional + count_at, "NumberOfRvaAndSizes")?
            .u32("NumberOfRvaAndSizes")?;
        let mut resource_dir = (0u32, 0u32);
        if to_usize(dir_count) > RESOURCE_DIRECTORY_INDEX
            && dirs_at + 8 * (RESOURCE_DIRECTORY_INDEX + 1) <= optional_size
        {
            let mut d = read_at(
                data,
                optional + dirs_at + 8 * RESOURCE_DIRECTORY_INDEX,
                "resource data directory",
            )?;
            resource_dir = (
                d.u32("resource directory RVA")?,
                d.u32("resource directory size")?,
            );
        }
        // Section headers: 40 bytes each, checked against the file before allocating.
        let table = optional + optional_size;
        let mut r = read_at(data, table, "section table")?;
        let need = section_count * 40;
        if r.remaining() < need {
            return Err(corrupt(
                table as u64,
                format!(
                    "`section table`: need {need} bytes for {section_count} sections, have {}",
                    r.remaining()
                ),
            ));
        }
        let mut sections = Vec::with_capacity(section_count);
        for _ in 0..section_count {
            r.skip(8, "section Name")?;
            let virtual_size = r.u32("VirtualSize")?;
            let virtual_address = r.u32("VirtualAddress")?;
            let raw_size = r.u32("SizeOfRawData")?;
            let raw_offset = r.u32("PointerToRawData")?;
            r.skip(16, "section header")?;
            sections.push(Section {
                virtual_address,
                virtual_size,
                raw_size,
                raw_offset,
            });
        }
        let mut image = PeImage {
            sections,
            resources: None,
        };
        let (rva, size) = resource_dir;
        if rva != 0 && size != 0 {
            let (offset, len) = image.map(data, rva).ok_or_else(|| {
                corrupt(
                    (optional + dirs_at + 8 * RESOURCE_DIRECTORY_INDEX) as u64,
                    format!("`resource directory RVA`: {rva:#x} lies in no section's data"),
                )
            })?;
            image.resources = Some((offset, len));
        }
        Ok(image)
    }

    /// The file offset of `rva` and the bytes its section holds from there on (within
    /// the file).
    fn map(&self, data: &[u8], rva: u32) -> Option<(usize, usize)> {
        self.sections.iter().find_map(|s| {
            let delta = rva.checked_sub(s.virtual_address)?;
            let span = if s.virtual_size == 0 {
                s.raw_size
            } else {
                s.virtual_size.min(s.raw_size)
            };
            if delta >= span {
                return None;
            }
            let start = to_usize(s.raw_offset).checked_add(to_usize(delta))?;
            let end = to_usize(s.raw_offset)
                .checked_add(to_usize(span))?
                .min(data.len());
            (start < end).then(|| (start, end - start))
        })
    }

    /// The resource tree's bytes, or 1812 when the image has none.
    fn tree<'a>(&self, data: &'a [u8]) -> Result<(&'a [u8], usize)> {
        let (offset, len) = self.resources.ok_or_else(|| {
            Error::with_message(
                ErrorKind::ResourceDataNotFound,
                "the image has no resource directory",
            )
        })?;
        let tree = data
            .get(offset..offset.saturating_add(len))
            .ok_or_else(|| corrupt(offset as u64, "`resource tree`: past the end of the file"))?;
        Ok((tree, offset))
    }

    /// The entries of the directory at `dir` (an offset into the tree).
    fn entries(tree: &[u8], base: usize, dir: usize) -> Result<Vec<Entry>> {
        let mut r = Reader::new(tree, base as u64);
        r.seek(dir, "resource directory")?;
        r.skip(12, "resource directory header")?;
        let named = usize::from(r.u16("NumberOfNamedEntries")?);
        let ids = usize::from(r.u16("NumberOfIdEntries")?);
        let count = named + ids;
        if r.remaining() < count * 8 {
            return Err(corrupt(
                r.file_offset(),
                format!(
                    "`resource directory entries`: need {} bytes for {count} entries, have {}",
                    count * 8,
                    r.remaining()
                ),
            ));
        }
        let mut entries = Vec::with_capacity(count);
        for _ in 0..count {
            let at = r.file_offset();
            let name = r.u32("resource entry name")?;
            let offset = r.u32("resource entry offset")?;
            let id = if name & HIGH_BIT != 0 {
                let pos = to_usize(name & !HIGH_BIT);
                let mut s = Reader::new(tree, base as u64);
                s.seek(pos, "resource name")?;
                let chars = usize::from(s.u16("resource name length")?);
                let units: Vec<u16> = s
                    .bytes(chars * 2, "resource name")?
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]))
                    .collect();
                ResourceId::Name(String::from_utf16_lossy(&units))
            } else {
                // The low 16 bits: Windows ignores the rest of an id entry's name.
                ResourceId::Id((name & 0xffff) as u16)
            };
            entries.push(Entry {
                id,
                target: to_usize(offset & !HIGH_BIT),
                is_directory: offset & HIGH_BIT != 0,
                at,
            });
        }
        Ok(entries)
    }

    /// The subdirectory an entry points at, checking it is one and is no ancestor.
    fn subdirectory(entry: &Entry, ancestors: &[usize], level: &str) -> Result<usize> {
        if !entry.is_directory {
            return Err(corrupt(
                entry.at,
                format!(
                    "`resource {level} entry` {}: data where a directory belongs",
                    entry.id
                ),
            ));
        }
        if ancestors.contains(&entry.target) || entry.target < DIRECTORY_HEADER {
            return Err(corrupt(
                entry.at,
                format!(
                    "`resource {level} entry` {}: directory at {:#x} loops back to an ancestor",
                    entry.id, entry.target
                ),
            ));
        }
        Ok(entry.target)
    }

    /// The data an IMAGE_RESOURCE_DATA_ENTRY (at `entry`) describes.
    fn data_entry<'a>(
        &self,
        data: &'a [u8],
        tree: &[u8],
        base: usize,
        entry: &Entry,
    ) -> Result<(&'a [u8], u64)> {
        if entry.is_directory {
            return Err(corrupt(
                entry.at,
                format!(
                    "`resource language entry` {}: a directory below the language level (Windows uses 3 levels)",
                    entry.id
                ),
            ));
        }
        let mut r = Reader::new(tree, base as u64);
        r.seek(entry.target, "resource data entry")?;
        let at = r.file_offset();
        let rva = r.u32("resource data RVA")?;
        let size = to_usize(r.u32("resource data size")?);
        let (offset, have) = self.map(data, rva).ok_or_else(|| {
            corrupt(
                at,
                format!("`resource data RVA`: {rva:#x} lies in no section's data"),
            )
        })?;
        if have < size {
            return Err(corrupt(
                offset as u64,
                format!("`resource data`: need {size} bytes, have {have}"),
            ));
        }
        Ok((&data[offset..offset + size], offset as u64))
    }

    /// Every resource of type `ty`, in directory order (names, then their languages).
    /// 1812 without a resource section, 1813 when no directory entry has that type.
    pub(crate) fn resources<'a>(
        &self,
        data: &'a [u8],
        ty: &ResourceId,
    ) -> Result<Vec<Resource<'a>>> {
        let (tree, base) = self.tree(data)?;
        let types = Self::entries(tree, base, 0)?;
        let ty_entry = types.iter().find(|e| e.id.matches(ty)).ok_or_else(|| {
            Error::with_message(
                ErrorKind::ResourceTypeNotFound,
                format!("no resource of type {ty}"),
            )
        })?;
        let names_dir = Self::subdirectory(ty_entry, &[0], "type")?;
        let mut out = Vec::new();
        for name in Self::entries(tree, base, names_dir)? {
            let langs_dir = Self::subdirectory(&name, &[0, names_dir], "name")?;
            for lang in Self::entries(tree, base, langs_dir)? {
                let language = match lang.id {
                    ResourceId::Id(id) => id,
                    ResourceId::Name(_) => {
                        return Err(corrupt(
                            lang.at,
                            "`resource language entry`: a name, not a LANGID",
                        ))
                    }
                };
                let (bytes, offset) = self.data_entry(data, tree, base, &lang)?;
                out.push(Resource {
                    name: name.id.clone(),
                    language,
                    data: bytes,
                    offset,
                });
            }
        }
        Ok(out)
    }

    /// The resource of type `ty`, name `name` and language `language` (1812–1815 when
    /// any of them is missing).
    pub(crate) fn find<'a>(
        &self,
        data: &'a [u8],
        ty: &ResourceId,
        name: &ResourceId,
        language: u16,
    ) -> Result<Resource<'a>> {
        let all = self.resources(data, ty)?;
        if !all.iter().any(|r| r.name.matches(name)) {
            return Err(Error::with_message(
                ErrorKind::ResourceNameNotFound,
                format!("no resource {name} of type {ty}"),
            ));
        }
        all.into_iter()
            .find(|r| r.name.matches(name) && r.language == language)
            .ok_or_else(|| {
                Error::with_message(
                    ErrorKind::ResourceLangNotFound,
                    format!("no language {language:#06x} of resource {name} of type {ty}"),
                )
            })
    }
}

#[cfg(test)]
#[path = "pe_tests.rs"]
pub(crate) mod tests;
