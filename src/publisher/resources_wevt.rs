//! WEVT_TEMPLATE (a compiled manifest) read into [`Publisher`]s:
//! the CRIM header, each provider's WEVT element directory and its CHAN, LEVL, OPCO, TASK,
//! KEYW, MAPS (VMAP, BMAP), EVNT and TTBL/TEMP tables.
//!
//! Owns: the CRIM decoder (the inType/outType names come from `resources_types`).
//!
//! Invariants:
//! - Offsets are relative to the CRIM blob; every read is bounds-checked and its error
//!   (FileCorrupt) carries the absolute file offset (the blob's offset plus the field's).
//! - Counts are checked against the bytes of their table before anything is allocated;
//!   elements are visited once each, in directory order (no recursion).
//! - A provider carries no name in CRIM: the publishers are returned unnamed and the caller
//!   names them (`load_resources` keeps the registered name). The provider's message id
//!   is its display name (EvtPublisherMetadataPublisherMessageID), not its name.
//! - Layouts checked on real Windows binaries where libfwevt's description is
//!   off: a CHAN entry is flags, name offset, value, message id (flags bit 0 is set on
//!   exactly the imported legacy channels, System and Security, in all five sample DLLs);
//!   MAPS holds `count` map offsets from byte 12; a VMAP (and BMAP, assumed alike) is
//!   size, name offset, a zero u32, entry count, then (value, message id) pairs; a template
//!   item's u32 at 8 is the offset of the VMAP/BMAP it names.
//! - A defined channel's type is not stored: it is taken from the name's suffix (Admin,
//!   Operational, Analytic, Debug; Diagnostic and Performance as Debug; else Operational).
//! - Opcodes: OPCO values are `(opcode << 16) | task`, split into the model's two fields.
//! - Template items: name, inType and outType (outType 0 → the inType's default), the
//!   value/bit map they name, and count/length (a number, or the name of the item they
//!   refer to). The template's BinXml fragment is not decoded (`user_data` stays None);
//!   struct items (flag 0x1, in none of the sample DLLs) are kept flat, without members.
//! - Event fields are kept as stored: an event declared without channel or level (the
//!   classic-style events of Service Control Manager) carries 0 there, and its opcode byte
//!   holds what mc wrote (the message id's severity byte, 0x40 or 0xC0).

use std::collections::HashMap;

use crate::error::{Error, ErrorKind, Result};
use crate::event::Guid;
use crate::evtx::bytes::Reader;

use super::model::{
    ChannelDefinition, ChannelRef, EventDefinition, Keyword, Level, Map, MapKind, Opcode,
    Publisher, Task, Template, TemplateItem,
};
use super::resources_types::{default_out_type, in_type_name, out_type_name};

/// CHAN flags bit 0: set on exactly the channels a provider imports (System, Security…).
const CHANNEL_IMPORTED: u32 = 0x1;
/// Template item flags: a struct (its members follow), count and length taken from an
/// earlier item (by index). 0x4 is seen on every binary item whose length is named by an
/// item (`__binLength`); 0x2 for a count is TDH's neighbouring bit, assumed.
const ITEM_STRUCT: u32 = 0x1;
const ITEM_COUNT_FROM_ITEM: u32 = 0x2;
const ITEM_LENGTH_FROM_ITEM: u32 = 0x4;
/// A TEMP header's size: the BinXml fragment starts after it.
const TEMP_HEADER: usize = 40;
/// The sentinel of "no message".
const NO_MESSAGE: u32 = 0xffff_ffff;

fn message(id: u32) -> Option<u32> {
    (id != NO_MESSAGE).then_some(id)
}

fn to_usize(v: u32) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

/// The CRIM blob, at file offset `base`.
struct Crim<'a> {
    data: &'a [u8],
    base: u64,
}

impl<'a> Crim<'a> {
    fn at(&self, off: usize, what: &str) -> Result<Reader<'a>> {
        let mut r = Reader::new(self.data, self.base);
        r.seek(off, what)?;
        Ok(r)
    }

    fn corrupt(&self, off: usize, message: String) -> Error {
        Error::at_offset(
            ErrorKind::FileCorrupt,
            self.base.saturating_add(off as u64),
            message,
        )
    }

    /// The 4-byte signature at `off`, which must be `want`.
    fn signature(&self, off: usize, want: &[u8; 4]) -> Result<()> {
        let what = String::from_utf8_lossy(want).into_owned();
        let got = self
            .at(off, &what)?
            .bytes(4, &format!("{what} signature"))?;
        if got != want {
            return Err(self.corrupt(
                off,
                format!(
                    "`{what} signature`: found {:?}",
                    String::from_utf8_lossy(got)
                ),
            ));
        }
        Ok(())
    }

    /// A name: u32 byte size (itself included), then UTF-16LE up to a NUL. Offset 0: none.
    fn name(&self, off: u32, what: &str) -> Result<String> {
        if off == 0 {
            return Ok(String::new());
        }
        let mut r = self.at(to_usize(off), what)?;
        let size = to_usize(r.u32(what)?);
        if size < 4 {
            return Err(self.corrupt(to_usize(off), format!("`{what}`: size {size} below 4")));
        }
        let units: Vec<u16> = r
            .bytes(size - 4, what)?
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .take_while(|&u| u != 0)
            .collect();
        Ok(String::from_utf16_lossy(&units))
    }

    /// A table's header (signature, size, count) and a reader at its first entry, after
    /// checking the table can hold `count` entries of `entry` bytes.
    fn table(
        &self,
        off: usize,
        sig: &[u8; 4],
        header: usize,
        entry: usize,
    ) -> Result<(usize, Reader<'a>)> {
        self.signature(off, sig)?;
        let what = String::from_utf8_lossy(sig).into_owned();
        let mut r = self.at(off + 4, &what)?;
        let size = to_usize(r.u32(&format!("{what} size"))?);
        let count = to_usize(r.u32(&format!("{what} count"))?);
        let mut r = self.at(off, &what)?;
        r.skip(header, &format!("{what} header"))?;
        // Size 0 means "parse by count" (libfwevt); otherwise the entries must fit in it.
        let room = if size == 0 {
            r.remaining()
        } else {
            size.saturating_sub(header).min(r.remaining())
        };
        if count.saturating_mul(entry) > room {
            return Err(self.corrupt(
                off + 8,
                format!(
                    "`{what} count`: need {} bytes for {count} entries, have {room}",
                    count.saturating_mul(entry)
                ),
            ));
        }
        Ok((count, r))
    }
}

/// Parses a WEVT_TEMPLATE resource (`data`, at file offset `base`): one publisher per
/// CRIM provider entry, unnamed.
pub(crate) fn parse_crim(data: &[u8], base: u64) -> Result<Vec<Publisher>> {
    let crim = Crim { data, base };
    crim.signature(0, b"CRIM")?;
    let mut r = crim.at(4, "CRIM")?;
    let size = to_usize(r.u32("CRIM size")?);
    r.skip(4, "CRIM version")?;
    let count = to_usize(r.u32("CRIM provider count")?);
    if size > data.len() || size < 16 {
        return Err(crim.corrupt(
            4,
            format!("`CRIM size`: {size}, the resource has {} bytes", data.len()),
        ));
    }
    let crim = Crim {
        data: &data[..size],
        base,
    };
    if count.saturating_mul(20) > size - 16 {
        return Err(crim.corrupt(
            12,
            format!(
                "`CRIM provider count`: need {} bytes for {count} providers, have {}",
                count.saturating_mul(20),
                size - 16
            ),
        ));
    }
    let mut r = crim.at(16, "CRIM providers")?;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let guid = r.guid("provider GUID")?;
        let off = r.u32("provider offset")?;
        out.push(parse_provider(&crim, guid, to_usize(off))?);
    }
    Ok(out)
}

fn parse_provider(crim: &Crim<'_>, guid: Guid, off: usize) -> Result<Publisher> {
    crim.signature(off, b"WEVT")?;
    let mut r = crim.at(off + 8, "WEVT")?;
    let message_id = message(r.u32("WEVT message id")?);
    let count = to_usize(r.u32("WEVT descriptor count")?);
    r.skip(4, "WEVT unknown count")?;
    if count.saturating_mul(8) > r.remaining() {
        return Err(crim.corrupt(
            off + 12,
            format!(
                "`WEVT descriptor count`: need {} bytes for {count} descriptors, have {}",
                count.saturating_mul(8),
                r.remaining()
            ),
        ));
    }
    let mut elements = Vec::with_capacity(count);
    for _ in 0..count {
        let at = to_usize(r.u32("element offset")?);
        r.skip(4, "element descriptor")?;
        let sig: [u8; 4] = crim
            .at(at, "element")?
            .bytes(4, "element signature")?
            .try_into()
            .unwrap_or_default();
        elements.push((sig, at));
    }
    let mut p = Publisher {
        guid,
        message_id,
        ..Publisher::default()
    };
    // Templates first: events name them by offset.
    let mut template_at = HashMap::new();
    let mut maps_at = HashMap::new();
    for (sig, at) in &elements {
        match sig {
            b"TTBL" => parse_templates(crim, *at, &mut p.templates, &mut template_at)?,
            b"MAPS" => parse_maps(crim, *at, &mut p.maps, &mut maps_at)?,
            _ => {}
        }
    }
    resolve_item_maps(&mut p.templates, &p.maps, &maps_at);
    for (sig, at) in elements {
        match &sig {
            b"CHAN" => parse_channels(crim, at, &mut p.channels)?,
            b"LEVL" => parse_levels(crim, at, &mut p.levels)?,
            b"OPCO" => parse_opcodes(crim, at, &mut p.opcodes)?,
            b"TASK" => parse_tasks(crim, at, &mut p.tasks)?,
            b"KEYW" => parse_keywords(crim, at, &mut p.keywords)?,
            b"EVNT" => parse_events(crim, at, &template_at, &mut p.events)?,
            // TTBL and MAPS are read above; other elements are not part of the model.
            _ => {}
        }
    }
    Ok(p)
}

fn parse_channels(crim: &Crim<'_>, at: usize, out: &mut Vec<ChannelRef>) -> Result<()> {
    let (count, mut r) = crim.table(at, b"CHAN", 12, 16)?;
    for _ in 0..count {
        let flags = r.u32("CHAN flags")?;
        let name = crim.name(r.u32("CHAN name offset")?, "CHAN name")?;
        let value = r.u32("CHAN value")?;
        let message_id = message(r.u32("CHAN message id")?);
        let imported = flags & CHANNEL_IMPORTED != 0;
        let definition = (!imported).then(|| {
            let channel_type = channel_type_of(&name);
            ChannelDefinition {
                channel_type,
                // Windows ships Admin and Operational channels enabled, the others not.
                enabled: channel_type <= 1,
                isolation: 0,
                access: None,
                max_size: None,
                retention: None,
                auto_backup: None,
                level: None,
                keywords: None,
            }
        });
        out.push(ChannelRef {
            chid: name.clone(),
            name,
            value,
            imported,
            message_id,
            definition,
        });
    }
    Ok(())
}

/// A defined channel's type from its name's suffix (CHAN does not store it): Admin 0,
/// Operational 1, Analytic 2, Debug 3; Operational for any other name.
fn channel_type_of(name: &str) -> u32 {
    let suffix = name.rsplit('/').next().unwrap_or(name);
    match suffix.to_ascii_lowercase().as_str() {
        "admin" => 0,
        "analytic" => 2,
        "debug" | "diagnostic" | "performance" => 3,
        _ => 1,
    }
}

fn parse_levels(crim: &Crim<'_>, at: usize, out: &mut Vec<Level>) -> Result<()> {
    let (count, mut r) = crim.table(at, b"LEVL", 12, 12)?;
    for _ in 0..count {
        let value = r.u32("LEVL value")?;
        let message_id = message(r.u32("LEVL message id")?);
        let name = crim.name(r.u32("LEVL name offset")?, "LEVL name")?;
        out.push(Level {
            name,
            value,
            message_id,
        });
    }
    Ok(())
}

fn parse_opcodes(crim: &Crim<'_>, at: usize, out: &mut Vec<Opcode>) -> Result<()> {
    let (count, mut r) = crim.table(at, b"OPCO", 12, 12)?;
    for _ in 0..count {
        let value = r.u32("OPCO value")?;
        let message_id = message(r.u32("OPCO message id")?);
        let name = crim.name(r.u32("OPCO name offset")?, "OPCO name")?;
        out.push(Opcode {
            name,
            opcode: (value >> 16) as u8,
            task: (value & 0xffff) as u16,
            message_id,
        });
    }
    Ok(())
}

fn parse_tasks(crim: &Crim<'_>, at: usize, out: &mut Vec<Task>) -> Result<()> {
    let (count, mut r) = crim.table(at, b"TASK", 12, 28)?;
    for _ in 0..count {
        let value = r.u32("TASK value")?;
        let message_id = message(r.u32("TASK message id")?);
        let event_guid = r.guid("TASK event GUID")?;
        let name = crim.name(r.u32("TASK name offset")?, "TASK name")?;
        out.push(Task {
            name,
            value,
            event_guid,
            message_id,
        });
    }
    Ok(())
}

fn parse_keywords(crim: &Crim<'_>, at: usize, out: &mut Vec<Keyword>) -> Result<()> {
    let (count, mut r) = crim.table(at, b"KEYW", 12, 16)?;
    for _ in 0..count {
        let mask = r.u64("KEYW mask")?;
        let message_id = message(r.u32("KEYW message id")?);
        let name = crim.name(r.u32("KEYW name offset")?, "KEYW name")?;
        out.push(Keyword {
            name,
            mask,
            message_id,
        });
    }
    Ok(())
}

/// MAPS: count at 8, then `count` u32 offsets of VMAP/BMAP (sorted by map name).
fn parse_maps(
    crim: &Crim<'_>,
    at: usize,
    out: &mut Vec<Map>,
    maps_at: &mut HashMap<usize, usize>,
) -> Result<()> {
    let (count, mut r) = crim.table(at, b"MAPS", 12, 4)?;
    let mut offsets = Vec::with_capacity(count);
    for _ in 0..count {
        offsets.push(to_usize(r.u32("MAPS map offset")?));
    }
    for map_at in offsets {
        let mut m = crim.at(map_at, "map")?;
        let kind = match m.bytes(4, "map signature")? {
            b"VMAP" => MapKind::Value,
            b"BMAP" => MapKind::Bit,
            other => {
                return Err(crim.corrupt(
                    map_at,
                    format!(
                        "`map signature`: found {:?}, not VMAP or BMAP",
                        String::from_utf8_lossy(other)
                    ),
                ))
            }
        };
        // size, name offset, a u32 (0 in every map seen), entry count, (value, message id)s.
        let size = to_usize(m.u32("map size")?);
        let name = crim.name(m.u32("map name offset")?, "map name")?;
        m.skip(4, "map flags")?;
        let n = to_usize(m.u32("map entry count")?);
        let room = size.saturating_sub(20).min(m.remaining());
        if n.saturating_mul(8) > room {
            return Err(crim.corrupt(
                map_at + 16,
                format!(
                    "`map entry count`: need {} bytes for {n} entries, have {room}",
                    n.saturating_mul(8)
                ),
            ));
        }
        let mut entries = Vec::with_capacity(n);
        for _ in 0..n {
            let value = m.u32("map value")?;
            entries.push((value, message(m.u32("map message id")?)));
        }
        maps_at.insert(map_at, out.len());
        out.push(Map {
            name,
            kind,
            entries,
        });
    }
    Ok(())
}

fn parse_events(
    crim: &Crim<'_>,
    at: usize,
    template_at: &HashMap<usize, usize>,
    out: &mut Vec<EventDefinition>,
) -> Result<()> {
    let (count, mut r) = crim.table(at, b"EVNT", 16, 48)?;
    out.reserve(count);
    for _ in 0..count {
        let entry = r.pos();
        let value = u32::from(r.u16("EVNT id")?);
        let version = r.u8("EVNT version")?;
        let channel = u32::from(r.u8("EVNT channel")?);
        let level = u32::from(r.u8("EVNT level")?);
        let opcode = u32::from(r.u8("EVNT opcode")?);
        let task = u32::from(r.u16("EVNT task")?);
        let keywords = r.u64("EVNT keywords")?;
        let message_id = message(r.u32("EVNT message id")?);
        let template_off = to_usize(r.u32("EVNT template offset")?);
        r.skip(24, "EVNT entry")?;
        let template = if template_off == 0 {
            None
        } else {
            Some(*template_at.get(&template_off).ok_or_else(|| {
                crim.corrupt(
                    entry + 20,
                    format!(
                        "`EVNT template offset` of event {value}: no TEMP at {template_off:#x}"
                    ),
                )
            })?)
        };
        out.push(EventDefinition {
            value,
            version,
            channel,
            level,
            task,
            opcode,
            keywords,
            template,
            message_id,
            symbol: None,
        });
    }
    Ok(())
}

/// A template item before its map offset is resolved to a name.
struct RawItem {
    item: TemplateItem,
    map_at: usize,
}

fn parse_templates(
    crim: &Crim<'_>,
    at: usize,
    out: &mut Vec<Template>,
    template_at: &mut HashMap<usize, usize>,
) -> Result<()> {
    let (count, r) = crim.table(at, b"TTBL", 12, TEMP_HEADER)?;
    let mut temp = r.pos();
    for _ in 0..count {
        crim.signature(temp, b"TEMP")?;
        let mut r = crim.at(temp + 4, "TEMP")?;
        let size = to_usize(r.u32("TEMP size")?);
        if size < TEMP_HEADER || size > crim.data.len().saturating_sub(temp) {
            return Err(crim.corrupt(
                temp + 4,
                format!(
                    "`TEMP size`: {size}, need {TEMP_HEADER} to {} bytes",
                    crim.data.len().saturating_sub(temp)
                ),
            ));
        }
        let items = to_usize(r.u32("TEMP item count")?);
        r.skip(4, "TEMP name count")?;
        let items_at = to_usize(r.u32("TEMP items offset")?);
        r.skip(4, "TEMP event type")?;
        let guid = r.guid("TEMP GUID")?;
        let raw = parse_items(crim, temp, size, items, items_at)?;
        template_at.insert(temp, out.len());
        out.push(Template {
            tid: guid.to_string(),
            items: raw,
            user_data: None,
        });
        temp += size;
    }
    Ok(())
}

/// The item descriptors (20 bytes each) of the TEMP at `temp` of `size` bytes.
fn parse_items(
    crim: &Crim<'_>,
    temp: usize,
    size: usize,
    count: usize,
    at: usize,
) -> Result<Vec<TemplateItem>> {
    if count == 0 {
        return Ok(Vec::new());
    }
    let end = temp + size;
    if at < temp + TEMP_HEADER || at > end || count.saturating_mul(20) > end - at {
        return Err(crim.corrupt(
            temp + 16,
            format!(
                "`TEMP items offset`: {count} items of 20 bytes at {at:#x} do not fit in the template at {temp:#x}..{end:#x}"
            ),
        ));
    }
    let mut r = crim.at(at, "template items")?;
    let mut raw = Vec::with_capacity(count);
    for _ in 0..count {
        let flags = r.u32("item flags")?;
        let in_code = r.u8("item inType")?;
        let out_code = r.u8("item outType")?;
        r.skip(2, "item reserved")?;
        let map_at = to_usize(r.u32("item map offset")?);
        let count = r.u16("item count")?;
        let length = r.u16("item length")?;
        let name = crim.name(r.u32("item name offset")?, "item name")?;
        let in_type = in_type_name(in_code)
            .map(str::to_owned)
            .unwrap_or_else(|| format!("win:{in_code}"));
        let out_type = match out_type_name(out_code) {
            Some(n) => n.to_owned(),
            None => default_out_type(&in_type).to_owned(),
        };
        raw.push((
            flags,
            count,
            length,
            RawItem {
                item: TemplateItem {
                    name,
                    in_type,
                    out_type,
                    map: None,
                    length: None,
                    count: None,
                    members: Vec::new(),
                },
                map_at,
            },
        ));
    }
    // Count and length name earlier items by index when the flags say so.
    let names: Vec<String> = raw.iter().map(|(_, _, _, i)| i.item.name.clone()).collect();
    let by_index = |i: u16| {
        names
            .get(usize::from(i))
            .cloned()
            .unwrap_or_else(|| i.to_string())
    };
    let mut items = Vec::with_capacity(raw.len());
    for (flags, count, length, mut item) in raw {
        if flags & ITEM_STRUCT == 0 {
            item.item.count = if flags & ITEM_COUNT_FROM_ITEM != 0 {
                Some(by_index(count))
            } else {
                (count > 1).then(|| count.to_string())
            };
            item.item.length = if flags & ITEM_LENGTH_FROM_ITEM != 0 {
                Some(by_index(length))
            } else {
                (length > 0).then(|| length.to_string())
            };
        }
        // The map offset travels in `map` until the maps are read.
        if item.map_at != 0 {
            item.item.map = Some(format!("@{}", item.map_at));
        }
        items.push(item.item);
    }
    Ok(items)
}

/// Replaces the map offsets items carry (`@offset`) with the maps' names.
fn resolve_item_maps(templates: &mut [Template], maps: &[Map], maps_at: &HashMap<usize, usize>) {
    for item in templates.iter_mut().flat_map(|t| t.items.iter_mut()) {
        if let Some(at) = item.map.as_deref().and_then(|m| m.strip_prefix('@')) {
            item.map = at
                .parse::<usize>()
                .ok()
                .and_then(|at| maps_at.get(&at))
                .and_then(|&i| maps.get(i))
                .map(|m| m.name.clone());
        }
    }
}

#[cfg(test)]
#[path = "resources_wevt_tests.rs"]
pub(crate) mod tests;
