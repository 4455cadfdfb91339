//! The cache's layouts (`layout`) against its identities: a definition recognised by its
//! bytes is the one its identity finds, on every sample and on crafted definitions that
//! differ from a kept one only where each of the layout's checks looks.

use super::*;
use crate::evtx::EvtxFile;

/// The body's range of the definition whose header is at `def`.
fn body(chunk: &[u8], def: usize) -> (usize, usize) {
    let size = u32::from_le_bytes(chunk[def + 20..def + 24].try_into().unwrap()) as usize;
    (def + 24, def + 24 + size)
}

fn identity_of(chunk: &[u8], def: usize) -> Option<Vec<u8>> {
    let (start, end) = body(chunk, def);
    identity(chunk, start, end, &mut Scratch::default()).map(<[u8]>::to_vec)
}

/// What `tokens` does on a miss: the definition found by identity (or a new one kept under
/// it), its layout remembered.
fn learn(cache: &mut TemplateCache, chunk: &[u8], def: usize) -> Option<Arc<Template>> {
    let (start, end) = body(chunk, def);
    let mut scratch = Scratch::default();
    identity(chunk, start, end, &mut scratch)?;
    let template = match cache.get(&scratch.identity) {
        Some(t) => t,
        None => {
            let t = Arc::new(Template::new(Vec::new()));
            assert!(cache.insert(&scratch.identity, Arc::clone(&t)));
            t
        }
    };
    cache.remember(chunk, def, &scratch, &template);
    Some(template)
}

/// The template definitions a chunk's records instantiate, by header offset.
fn definitions(chunk: &crate::evtx::EvtxChunk) -> Vec<usize> {
    let mut defs: Vec<usize> = chunk
        .records()
        .flatten()
        .filter_map(|r| {
            let x = r.binxml();
            (x.len() >= 14 && x[4] == 0x0C)
                .then(|| u32::from_le_bytes(x[10..14].try_into().unwrap()) as usize)
        })
        .collect();
    defs.sort_unstable();
    defs.dedup();
    defs
}

#[test]
fn a_recognised_layout_is_the_identitys_definition_on_every_sample() {
    let files = super::super::fast_tests::sample_files();
    if files.is_empty() {
        return;
    }
    let (mut recognised, mut total) = (0usize, 0usize);
    for path in &files {
        let mut file = EvtxFile::open(path).unwrap();
        let mut cache = TemplateCache::new();
        for chunk in file.chunks().flatten() {
            let data = chunk.data();
            for def in definitions(&chunk) {
                if data.len() < def + 24 {
                    continue;
                }
                total += 1;
                let by_identity = identity_of(data, def).and_then(|i| cache.get(&i));
                match cache.recognise(data, def) {
                    Some(t) => {
                        recognised += 1;
                        let found = by_identity.unwrap_or_else(|| {
                            panic!("{}: recognised what no identity finds", path.display())
                        });
                        assert!(Arc::ptr_eq(&t, &found), "{}: {def:#x}", path.display());
                    }
                    None => {
                        learn(&mut cache, data, def);
                    }
                }
            }
        }
    }
    // Files of many chunks define the same templates again: most are recognised.
    assert!(recognised * 2 > total, "{recognised} of {total}");
}

/// A chunk holding, at `def`, the definition `<a>{subst index}</a>` whose name is inline
/// (with `link` as the name's link) or, with `name_at`, pointing back there (the identity
/// reads a name pointed to only before the body's end).
fn chunk_with(def: usize, name_at: Option<usize>, link: u32, index: u16) -> Vec<u8> {
    let mut chunk = vec![0u8; 4096];
    let start = def + 24;
    let mut b = vec![0x0F, 1, 1, 0, 0x01, 0xFF, 0xFF, 0, 0, 0, 0];
    let field = start + b.len();
    match name_at {
        Some(at) => b.extend_from_slice(&(at as u32).to_le_bytes()),
        None => {
            b.extend_from_slice(&(field as u32 + 4).to_le_bytes());
            b.extend_from_slice(&link.to_le_bytes());
            b.extend_from_slice(&[0x61, 0x00, 1, 0, b'a', 0, 0, 0]);
        }
    }
    b.extend_from_slice(&[0x02, 0x0D]);
    b.extend_from_slice(&index.to_le_bytes());
    b.extend_from_slice(&[0x01, 0x04, 0x00]);
    chunk[def + 4..def + 20].copy_from_slice(&[7; 16]);
    chunk[def + 20..def + 24].copy_from_slice(&(b.len() as u32).to_le_bytes());
    chunk[start..start + b.len()].copy_from_slice(&b);
    chunk
}

/// Writes the name `text` (ASCII) as a chunk's name structure at `at`.
fn put_name(chunk: &mut [u8], at: usize, text: &str) {
    let mut n = vec![0, 0, 0, 0, 0, 0];
    n.extend_from_slice(&(text.len() as u16).to_le_bytes());
    for c in text.bytes() {
        n.extend_from_slice(&[c, 0]);
    }
    n.extend_from_slice(&[0, 0]);
    chunk[at..at + n.len()].copy_from_slice(&n);
}

#[test]
fn a_definition_moved_elsewhere_is_recognised() {
    let mut cache = TemplateCache::new();
    let first = chunk_with(512, None, 0x1111, 0);
    let t = learn(&mut cache, &first, 512).unwrap();
    // Elsewhere in another chunk, its inline name linked to another name.
    let moved = chunk_with(900, None, 0x2222_0000, 0);
    assert_eq!(identity_of(&moved, 900), identity_of(&first, 512));
    assert!(Arc::ptr_eq(&cache.recognise(&moved, 900).unwrap(), &t));
    // A name pointed to, at another offset, with the same text.
    let mut back = chunk_with(512, Some(100), 0, 0);
    put_name(&mut back, 100, "a");
    let b = learn(&mut cache, &back, 512).unwrap();
    let mut back2 = chunk_with(700, Some(140), 0, 0);
    put_name(&mut back2, 140, "a");
    assert!(Arc::ptr_eq(&cache.recognise(&back2, 700).unwrap(), &b));
}

#[test]
fn a_definition_that_differs_where_the_identity_reads_is_not_recognised() {
    let mut cache = TemplateCache::new();
    let first = chunk_with(512, None, 0x1111, 0);
    learn(&mut cache, &first, 512).unwrap();
    // A byte of the body outside the names: after the last (a substitution's index), or
    // before one (the element's dependency id).
    let other = chunk_with(512, None, 0x1111, 1);
    let mut dependency = first.clone();
    dependency[512 + 24 + 5] = 1;
    for other in [other, dependency] {
        assert_ne!(identity_of(&other, 512), identity_of(&first, 512));
        assert!(cache.recognise(&other, 512).is_none());
    }

    // The same bytes, but the name offset points to a name "a" elsewhere: the inline
    // structure's bytes are then read as tokens.
    let mut pointing = first.clone();
    let field = 512 + 24 + 11;
    pointing[field..field + 4].copy_from_slice(&100u32.to_le_bytes());
    put_name(&mut pointing, 100, "a");
    assert_ne!(identity_of(&pointing, 512), identity_of(&first, 512));
    assert!(cache.recognise(&pointing, 512).is_none());

    // A pointed-to name with another text, or a longer one.
    let mut back = chunk_with(512, Some(100), 0, 0);
    put_name(&mut back, 100, "a");
    learn(&mut cache, &back, 512).unwrap();
    // The byte right after a pointing offset (where an inline name's link would be).
    let mut closed = back.clone();
    closed[512 + 24 + 15] = 0x03;
    assert_ne!(identity_of(&closed, 512), identity_of(&back, 512));
    assert!(cache.recognise(&closed, 512).is_none());
    for text in ["b", "ab", ""] {
        let mut renamed = back.clone();
        put_name(&mut renamed, 100, text);
        assert_ne!(
            identity_of(&renamed, 512),
            identity_of(&back, 512),
            "{text}"
        );
        assert!(cache.recognise(&renamed, 512).is_none(), "{text}");
    }
    // Pointing past the chunk, or a body cut by the chunk's end: no panic, not recognised.
    let mut past = back.clone();
    let field = 512 + 24 + 11;
    past[field..field + 4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(cache.recognise(&past, 512).is_none());
    assert!(cache.recognise(&back[..550], 512).is_none());
}

/// A chunk holding, at `def`, `<x><y>{0}</y></x>` whose names point back to `x` and `y`.
fn nested_with(def: usize, x: usize, y: usize) -> Vec<u8> {
    let mut chunk = vec![0u8; 4096];
    let mut b = vec![0x0F, 1, 1, 0];
    for at in [x, y] {
        b.extend_from_slice(&[0x01, 0xFF, 0xFF, 0, 0, 0, 0]);
        b.extend_from_slice(&(at as u32).to_le_bytes());
        b.push(0x02);
    }
    b.extend_from_slice(&[0x0D, 0, 0, 0x01, 0x04, 0x04, 0x00]);
    chunk[def + 4..def + 20].copy_from_slice(&[9; 16]);
    chunk[def + 20..def + 24].copy_from_slice(&(b.len() as u32).to_le_bytes());
    chunk[def + 24..def + 24 + b.len()].copy_from_slice(&b);
    chunk
}

#[test]
fn a_name_pointed_to_again_is_compared_where_it_points_elsewhere() {
    let mut cache = TemplateCache::new();
    let mut first = nested_with(512, 100, 100);
    put_name(&mut first, 100, "a");
    let t = learn(&mut cache, &first, 512).unwrap();
    // Both to one name again, elsewhere: the same definition.
    let mut again = nested_with(600, 140, 140);
    put_name(&mut again, 140, "a");
    assert!(Arc::ptr_eq(&cache.recognise(&again, 600).unwrap(), &t));
    // The second to another name: compared, not taken for the first's.
    let mut apart = nested_with(600, 140, 180);
    put_name(&mut apart, 140, "a");
    put_name(&mut apart, 180, "b");
    assert_ne!(identity_of(&apart, 600), identity_of(&first, 512));
    assert!(cache.recognise(&apart, 600).is_none());
    put_name(&mut apart, 180, "a");
    assert!(Arc::ptr_eq(&cache.recognise(&apart, 600).unwrap(), &t));
}
