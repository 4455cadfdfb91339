//! Hand-built PE images: the resource walk and each of its errors, with their offsets.

use super::*;

/// One resource to put in a built image.
pub(crate) type Res = (ResourceId, ResourceId, u16, Vec<u8>);

/// The file offset of the resource section in built images, and its RVA.
pub(crate) const RSRC_OFFSET: usize = 0x200;
pub(crate) const RSRC_RVA: u32 = 0x1000;
/// Where the resource directory entry sits (PE32).
const DIR_ENTRY_AT: usize = 0x40 + 24 + 96 + 16;

/// A directory's bytes: header with the named/id counts, then 8-byte entries.
fn directory(
    entries: &[(ResourceId, u32)],
    names: &mut Vec<(usize, String)>,
    at: usize,
) -> Vec<u8> {
    let named = entries
        .iter()
        .filter(|(id, _)| matches!(id, ResourceId::Name(_)))
        .count();
    let mut out = vec![0u8; 12];
    out.extend_from_slice(&(named as u16).to_le_bytes());
    out.extend_from_slice(&((entries.len() - named) as u16).to_le_bytes());
    for (i, (id, target)) in entries.iter().enumerate() {
        match id {
            ResourceId::Id(n) => out.extend_from_slice(&u32::from(*n).to_le_bytes()),
            ResourceId::Name(s) => {
                // Patched once the strings' place is known.
                names.push((at + 16 + i * 8, s.clone()));
                out.extend_from_slice(&0u32.to_le_bytes());
            }
        }
        out.extend_from_slice(&target.to_le_bytes());
    }
    out
}

/// A name and its languages' data.
type NameGroup = (ResourceId, Vec<(u16, Vec<u8>)>);

/// The resource tree (type → name → language) of `res`, at RVA `rva`.
pub(crate) fn tree(res: &[Res], rva: u32) -> Vec<u8> {
    // Group in order: types, their names, their languages.
    let mut types: Vec<(ResourceId, Vec<NameGroup>)> = Vec::new();
    for (ty, name, lang, data) in res {
        let t = match types.iter().position(|(t, _)| t == ty) {
            Some(i) => i,
            None => {
                types.push((ty.clone(), Vec::new()));
                types.len() - 1
            }
        };
        let names = &mut types[t].1;
        let n = match names.iter().position(|(n, _)| n == name) {
            Some(i) => i,
            None => {
                names.push((name.clone(), Vec::new()));
                names.len() - 1
            }
        };
        names[n].1.push((*lang, data.clone()));
    }
    let dir_size = |n: usize| 16 + 8 * n;
    // Offsets: root, type dirs, name dirs, then data entries, then strings and data.
    let mut at = dir_size(types.len());
    let mut type_at = Vec::new();
    for (_, names) in &types {
        type_at.push(at);
        at += dir_size(names.len());
    }
    let mut name_at = Vec::new();
    for (_, names) in &types {
        for (_, langs) in names {
            name_at.push(at);
            at += dir_size(langs.len());
        }
    }
    let leaves: usize = types
        .iter()
        .flat_map(|(_, n)| n)
        .map(|(_, l)| l.len())
        .sum();
    let entries_at = at;
    let mut data_at = entries_at + 16 * leaves;
    let mut out = Vec::new();
    let mut names_to_patch = Vec::new();
    let root: Vec<_> = types
        .iter()
        .zip(&type_at)
        .map(|((t, _), &a)| (t.clone(), a as u32 | HIGH_BIT))
        .collect();
    out.extend(directory(&root, &mut names_to_patch, 0));
    let mut ni = 0;
    for ((_, names), &a) in types.iter().zip(&type_at) {
        let list: Vec<_> = names
            .iter()
            .enumerate()
            .map(|(i, (n, _))| (n.clone(), name_at[ni + i] as u32 | HIGH_BIT))
            .collect();
        ni += names.len();
        out.extend(directory(&list, &mut names_to_patch, a));
    }
    let mut leaf = 0;
    let mut blobs = Vec::new();
    let mut ni = 0;
    for (_, names) in &types {
        for (_, langs) in names {
            let list: Vec<_> = langs
                .iter()
                .enumerate()
                .map(|(i, (l, _))| (ResourceId::Id(*l), (entries_at + 16 * (leaf + i)) as u32))
                .collect();
            out.extend(directory(&list, &mut names_to_patch, name_at[ni]));
            ni += 1;
            leaf += langs.len();
            blobs.extend(langs.iter().map(|(_, d)| d.clone()));
        }
    }
    let mut tail = Vec::new();
    for blob in &blobs {
        let offset = data_at + tail.len();
        out.extend_from_slice(&(rva + offset as u32).to_le_bytes());
        out.extend_from_slice(&(blob.len() as u32).to_le_bytes());
        out.extend_from_slice(&[0u8; 8]);
        tail.extend_from_slice(blob);
        while tail.len() % 8 != 0 {
            tail.push(0);
        }
    }
    out.extend(tail);
    data_at = out.len();
    for (patch, name) in names_to_patch {
        let off = out.len() as u32 | HIGH_BIT;
        out[patch..patch + 4].copy_from_slice(&off.to_le_bytes());
        let units: Vec<u16> = name.encode_utf16().collect();
        out.extend_from_slice(&(units.len() as u16).to_le_bytes());
        out.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    }
    let _ = data_at;
    out
}

/// A PE image (PE32, or PE32+ when `plus`) with one `.rsrc` section holding `tree`.
pub(crate) fn image_with(tree: &[u8], plus: bool) -> Vec<u8> {
    let mut out = vec![0u8; RSRC_OFFSET];
    out[0..2].copy_from_slice(b"MZ");
    out[0x3c..0x40].copy_from_slice(&0x40u32.to_le_bytes());
    out[0x40..0x44].copy_from_slice(b"PE\0\0");
    let coff = 0x44;
    out[coff..coff + 2].copy_from_slice(&0x14cu16.to_le_bytes());
    out[coff + 2..coff + 4].copy_from_slice(&1u16.to_le_bytes());
    let optional_size: u16 = if plus { 112 + 128 } else { 96 + 128 };
    out[coff + 16..coff + 18].copy_from_slice(&optional_size.to_le_bytes());
    let opt = coff + 20;
    let (magic, count_at, dirs_at) = if plus {
        (0x20bu16, 108, 112)
    } else {
        (0x10b, 92, 96)
    };
    out[opt..opt + 2].copy_from_slice(&magic.to_le_bytes());
    out[opt + count_at..opt + count_at + 4].copy_from_slice(&16u32.to_le_bytes());
    let dir = opt + dirs_at + 16;
    out[dir..dir + 4].copy_from_slice(&RSRC_RVA.to_le_bytes());
    out[dir + 4..dir + 8].copy_from_slice(&(tree.len() as u32).to_le_bytes());
    let sec = opt + usize::from(optional_size);
    out[sec..sec + 5].copy_from_slice(b".rsrc");
    out[sec + 8..sec + 12].copy_from_slice(&(tree.len() as u32).to_le_bytes());
    out[sec + 12..sec + 16].copy_from_slice(&RSRC_RVA.to_le_bytes());
    out[sec + 16..sec + 20].copy_from_slice(&(tree.len() as u32).to_le_bytes());
    out[sec + 20..sec + 24].copy_from_slice(&(RSRC_OFFSET as u32).to_le_bytes());
    out.extend_from_slice(tree);
    out
}

/// A PE32 image holding `res`.
pub(crate) fn image(res: &[Res]) -> Vec<u8> {
    image_with(&tree(res, RSRC_RVA), false)
}

fn sample() -> Vec<Res> {
    // Named types first, as Windows' directories keep them.
    vec![
        (
            "WEVT_TEMPLATE".into(),
            ResourceId::Id(1),
            0x409,
            b"CRIM".to_vec(),
        ),
        (
            ResourceId::Id(11),
            ResourceId::Id(1),
            0x409,
            b"english".to_vec(),
        ),
        (
            ResourceId::Id(11),
            ResourceId::Id(1),
            0x40c,
            b"french".to_vec(),
        ),
    ]
}

#[test]
fn finds_resources_by_id_and_by_name_in_pe32_and_pe32_plus() {
    for plus in [false, true] {
        let data = image_with(&tree(&sample(), RSRC_RVA), plus);
        let pe = PeImage::parse(&data).unwrap();
        let r = pe.find(&data, &11.into(), &1.into(), 0x40c).unwrap();
        assert_eq!(r.data, b"french");
        assert_eq!(&data[r.offset as usize..][..6], b"french");
        let all = pe.resources(&data, &"wevt_template".into()).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!((all[0].language, all[0].data), (0x409, &b"CRIM"[..]));
        let langs: Vec<u16> = pe
            .resources(&data, &11.into())
            .unwrap()
            .iter()
            .map(|r| r.language)
            .collect();
        assert_eq!(langs, [0x409, 0x40c]);
    }
}

#[test]
fn missing_section_type_name_and_language_are_1812_to_1815() {
    let data = image(&sample());
    let pe = PeImage::parse(&data).unwrap();
    let code = |r: Result<Resource<'_>>| r.unwrap_err().win32_code();
    assert_eq!(code(pe.find(&data, &6.into(), &1.into(), 0x409)), 1813);
    assert_eq!(code(pe.find(&data, &11.into(), &2.into(), 0x409)), 1814);
    assert_eq!(code(pe.find(&data, &11.into(), &1.into(), 0x407)), 1815);
    // No resource directory.
    let mut bare = data.clone();
    bare[DIR_ENTRY_AT..DIR_ENTRY_AT + 8].fill(0);
    let pe = PeImage::parse(&bare).unwrap();
    let err = pe.find(&bare, &11.into(), &1.into(), 0x409).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ResourceDataNotFound);
    assert_eq!(err.win32_code(), 1812);
}

fn corrupt_at(data: &[u8]) -> (u64, String) {
    let err = PeImage::parse(data)
        .and_then(|pe| pe.resources(data, &11.into()).map(|_| ()))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::FileCorrupt, "{err}");
    (err.offset().unwrap(), err.to_string())
}

#[test]
fn bad_headers_say_what_and_where() {
    let good = image(&sample());
    let mut d = good.clone();
    d[0] = b'X';
    assert_eq!(corrupt_at(&d).0, 0);
    let mut d = good.clone();
    d[0x40] = b'X';
    let (at, text) = corrupt_at(&d);
    assert_eq!(at, 0x40);
    assert!(text.contains("PE signature"), "{text}");
    let mut d = good.clone();
    d[0x3c..0x40].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
    assert!(corrupt_at(&d).1.contains("NT headers"));
    let mut d = good.clone();
    d[0x58..0x5a].copy_from_slice(&0x999u16.to_le_bytes());
    let (at, text) = corrupt_at(&d);
    assert_eq!(at, 0x58);
    assert!(text.contains("Magic"), "{text}");
    // 0xffff sections cannot fit in the file.
    let mut d = good.clone();
    d[0x46..0x48].copy_from_slice(&0xffffu16.to_le_bytes());
    let (at, text) = corrupt_at(&d);
    assert_eq!(at, 0x40 + 24 + 224);
    assert!(
        text.contains("need 2621400 bytes for 65535 sections"),
        "{text}"
    );
    // Truncated in the optional header.
    let (at, text) = corrupt_at(&good[..0x60]);
    assert!(
        text.contains("NumberOfRvaAndSizes") || text.contains("need"),
        "{text} {at:#x}"
    );
    // The resource RVA outside every section.
    let mut d = good.clone();
    d[DIR_ENTRY_AT..DIR_ENTRY_AT + 4].copy_from_slice(&0x9000u32.to_le_bytes());
    let (at, text) = corrupt_at(&d);
    assert_eq!(at, DIR_ENTRY_AT as u64);
    assert!(text.contains("lies in no section"), "{text}");
}

#[test]
fn bad_trees_say_what_and_where() {
    let good = image(&sample());
    let root = RSRC_OFFSET;
    // Too many entries for the section.
    let mut d = good.clone();
    d[root + 14..root + 16].copy_from_slice(&0xffffu16.to_le_bytes());
    let (at, text) = corrupt_at(&d);
    assert_eq!(at, (root + 16) as u64);
    assert!(
        text.contains("need 524288 bytes for 65536 entries"),
        "{text}"
    );
    // The type entry (#11, the second: names first) points back at the root: a loop.
    let mut d = good.clone();
    let entry = root + 16 + 8;
    d[entry + 4..entry + 8].copy_from_slice(&HIGH_BIT.to_le_bytes());
    let (at, text) = corrupt_at(&d);
    assert_eq!(at, entry as u64);
    assert!(text.contains("loops back"), "{text}");
    // A data entry where the type directory belongs.
    let mut d = good.clone();
    d[entry + 7] &= 0x7f;
    let (at, text) = corrupt_at(&d);
    assert_eq!(at, entry as u64);
    assert!(text.contains("data where a directory belongs"), "{text}");
    // A fourth level: the language entry points at a directory.
    let pe = PeImage::parse(&good).unwrap();
    let lang_entry = pe.find(&good, &11.into(), &1.into(), 0x409).unwrap();
    let _ = lang_entry;
    let mut d = good.clone();
    let langs_dir = find_lang_dir(&good);
    let e = root + langs_dir + 16;
    d[e + 7] |= 0x80;
    let (at, text) = corrupt_at(&d);
    assert_eq!(at, e as u64);
    assert!(text.contains("3 levels"), "{text}");
    // Data past the end of the section.
    let mut d = good.clone();
    let data_entry = root + u32::from_le_bytes(good[e + 4..e + 8].try_into().unwrap()) as usize;
    d[data_entry + 4..data_entry + 8].copy_from_slice(&0x10_0000u32.to_le_bytes());
    let (_, text) = corrupt_at(&d);
    assert!(
        text.contains("`resource data`: need 1048576 bytes"),
        "{text}"
    );
    // A name string past the end.
    let mut d = good.clone();
    let named = root + 16;
    d[named..named + 4].copy_from_slice(&(HIGH_BIT | 0xfff0).to_le_bytes());
    let (_, text) = corrupt_at(&d);
    assert!(text.contains("resource name"), "{text}");
}

/// The offset (in the tree) of the language directory of type 11, name 1.
fn find_lang_dir(data: &[u8]) -> usize {
    let tree = &data[RSRC_OFFSET..];
    let u32_at = |p: usize| u32::from_le_bytes(tree[p..p + 4].try_into().unwrap());
    // Root: entry 0 is the named WEVT_TEMPLATE type, entry 1 is #11.
    let type_dir = (u32_at(16 + 8 + 4) & !HIGH_BIT) as usize;
    (u32_at(type_dir + 16 + 4) & !HIGH_BIT) as usize
}
