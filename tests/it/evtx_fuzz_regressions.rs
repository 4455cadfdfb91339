//! The EVTX reader on damaged input, as the fuzz target (fuzz/fuzz_targets/evtx_reader.rs)
//! walks it: header, findings, every chunk, every record, each decoded with one
//! `ChunkDecoder` per chunk, rendered, and decoded as a tree. Nothing may panic, and every
//! error is FileCorrupt (1392) at a file offset.
//!
//! Two parts:
//! - every minimized fuzz finding in `tests/fuzz-regressions/evtx/*.evtx`, in either of the
//!   targets' input shapes (`fuzz/fuzz_targets/evtx_input.rs`) (the `pending/`
//!   subfolder holds inputs that still panic in code being rewritten; it is not run here);
//! - a deterministic mini-fuzz: seeded byte mutations of a small synthetic EVTX file, and of
//!   a real chunk of three samples (skipped without the samples folder,
//!   tests/support/samples.rs).

use std::path::{Path, PathBuf};

use evtlog::{ChunkDecoder, Error, EvtxFile, CHUNK_SIZE, FILE_HEADER_BLOCK_SIZE};

/// The fuzz targets' two input shapes (a whole file, or one chunk's leading bytes).
#[path = "../../fuzz/fuzz_targets/evtx_input.rs"]
mod evtx_input;

/// What a walk saw: good records, decoded events, errors.
#[derive(Debug, Default)]
struct Walk {
    records: usize,
    events: usize,
    errors: usize,
}

/// Every error of the reader and the decoder is FileCorrupt (1392) with a file offset
/// inside the file.
fn check_error(e: &Error, len: usize, what: &str) {
    assert_eq!(e.win32_code(), 1392, "{what}: {e}");
    let offset = e
        .offset()
        .unwrap_or_else(|| panic!("{what}: no offset: {e}"));
    assert!(
        offset <= len as u64,
        "{what}: offset {offset} past the file: {e}"
    );
}

/// The fuzz target's walk, checking every error.
fn walk(bytes: &[u8]) -> Walk {
    let len = bytes.len();
    let mut w = Walk::default();
    let mut file = match EvtxFile::from_bytes(bytes.to_vec()) {
        Ok(f) => f,
        Err(e) => {
            assert_eq!(e.win32_code(), 1392, "open: {e}");
            w.errors += 1;
            return w;
        }
    };
    let _ = file.header();
    let _ = file.findings();
    let mut xml = String::new();
    for chunk in file.chunks() {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                check_error(&e, len, "chunk");
                w.errors += 1;
                continue;
            }
        };
        let _ = chunk.findings();
        let mut decoder = ChunkDecoder::new(&chunk);
        for record in chunk.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    check_error(&e, len, "record");
                    w.errors += 1;
                    continue;
                }
            };
            w.records += 1;
            match decoder.decode(&record) {
                Ok(event) => {
                    xml.clear();
                    event.write_xml(&mut xml);
                    w.events += 1;
                }
                Err(e) => {
                    check_error(&e, len, "decode");
                    w.errors += 1;
                }
            }
            if let Err(e) = decoder.decode_tree(&record) {
                check_error(&e, len, "decode_tree");
            }
        }
    }
    w
}

fn regressions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions/evtx")
}

/// Every saved fuzz finding walks without a panic (an empty folder passes).
#[test]
fn evtx_fuzz_regressions_do_not_panic() {
    let Ok(entries) = std::fs::read_dir(regressions_dir()) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "evtx"))
        .collect();
    paths.sort();
    for path in paths {
        let bytes = evtx_input::evtx_bytes(&std::fs::read(&path).unwrap());
        let result = std::panic::catch_unwind(|| walk(&bytes));
        assert!(result.is_ok(), "{} panicked", path.display());
    }
}

/// xorshift64*: a tiny deterministic generator for the mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One to four mutations of `bytes` at offsets in `hot` (where the structure is): bit flips,
/// random bytes, boundary u16/u32 values, copies of a span elsewhere, and truncation.
fn mutate(rng: &mut Rng, bytes: &mut Vec<u8>, hot: std::ops::Range<usize>) {
    const WORDS: [u32; 8] = [0, 1, 0x7f, 0xff, 0xffff, 0x8000_0000, 0xffff_fffe, u32::MAX];
    for _ in 0..1 + rng.below(4) {
        let at = hot.start + rng.below(hot.len());
        match rng.below(6) {
            0 => bytes[at] ^= 1 << rng.below(8),
            1 => bytes[at] = rng.next() as u8,
            2 if at + 4 <= bytes.len() => {
                let word = WORDS[rng.below(WORDS.len())];
                bytes[at..at + 4].copy_from_slice(&word.to_le_bytes());
            }
            3 if at + 2 <= bytes.len() => {
                let word = WORDS[rng.below(WORDS.len())] as u16;
                bytes[at..at + 2].copy_from_slice(&word.to_le_bytes());
            }
            4 => {
                let from = hot.start + rng.below(hot.len());
                let n = (1 + rng.below(32))
                    .min(bytes.len() - at)
                    .min(bytes.len() - from);
                bytes.copy_within(from..from + n, at);
            }
            _ => {
                if rng.below(8) == 0 {
                    bytes.truncate(at);
                    return;
                }
            }
        }
    }
}

/// A UTF-16LE string.
fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

/// A BinXml document of inline elements: `<Event><System><EventID>7</EventID>
/// <Level>4</Level></System><EventData><Data Name='x'>hi</Data></EventData></Event>`,
/// placed at chunk offset `at` (names are defined inline at their own offsets).
fn document(at: usize) -> Vec<u8> {
    let mut d = vec![0x0F, 1, 1, 0];
    let name = |d: &mut Vec<u8>, s: &str| {
        let off = (at + d.len() + 4) as u32;
        d.extend(off.to_le_bytes());
        d.extend([0, 0, 0, 0, 0, 0]);
        d.extend((s.len() as u16).to_le_bytes());
        d.extend(utf16(s));
        d.extend([0, 0]);
    };
    let open = |d: &mut Vec<u8>, s: &str, attrs: bool| {
        d.push(if attrs { 0x41 } else { 0x01 });
        d.extend(0u32.to_le_bytes());
        name(d, s);
    };
    let text = |d: &mut Vec<u8>, s: &str| {
        d.extend([0x05, 0x01]);
        d.extend((s.len() as u16).to_le_bytes());
        d.extend(utf16(s));
    };
    open(&mut d, "Event", false);
    d.push(0x02);
    open(&mut d, "System", false);
    d.push(0x02);
    for (element, value) in [("EventID", "7"), ("Level", "4")] {
        open(&mut d, element, false);
        d.push(0x02);
        text(&mut d, value);
        d.push(0x04);
    }
    d.push(0x04);
    open(&mut d, "EventData", false);
    d.push(0x02);
    open(&mut d, "Data", true);
    d.extend(0u32.to_le_bytes()); // attribute list size (not checked by readers)
    d.push(0x06);
    name(&mut d, "Name");
    text(&mut d, "x");
    d.push(0x02);
    text(&mut d, "hi");
    d.extend([0x04, 0x04, 0x04, 0x00]);
    d
}

/// A small synthetic EVTX file: one chunk of `records` records holding [`document`].
fn synthetic(records: u64) -> Vec<u8> {
    let mut f = vec![0u8; FILE_HEADER_BLOCK_SIZE];
    f[..8].copy_from_slice(b"ElfFile\0");
    f[24..32].copy_from_slice(&(records + 1).to_le_bytes());
    f[32] = 128;
    f[36] = 1;
    f[38] = 3;
    f[40..42].copy_from_slice(&4096u16.to_le_bytes());
    f[42] = 1;
    let mut c = vec![0u8; CHUNK_SIZE];
    c[..8].copy_from_slice(b"ElfChnk\0");
    for at in [8, 24] {
        c[at..at + 8].copy_from_slice(&1u64.to_le_bytes());
        c[at + 8..at + 16].copy_from_slice(&records.to_le_bytes());
    }
    let mut pos = 512;
    let mut last = pos;
    for id in 1..=records {
        last = pos;
        let doc = document(pos + 24);
        let size = (24 + doc.len() + 4).next_multiple_of(8);
        let r = &mut c[pos..pos + size];
        r[..4].copy_from_slice(b"**\0\0");
        r[4..8].copy_from_slice(&(size as u32).to_le_bytes());
        r[8..16].copy_from_slice(&id.to_le_bytes());
        r[16..24].copy_from_slice(&(132_000_000_000_000_000 + id).to_le_bytes());
        r[24..24 + doc.len()].copy_from_slice(&doc);
        r[size - 4..].copy_from_slice(&(size as u32).to_le_bytes());
        pos += size;
    }
    c[40..44].copy_from_slice(&128u32.to_le_bytes());
    c[44..48].copy_from_slice(&(last as u32).to_le_bytes());
    c[48..52].copy_from_slice(&(pos as u32).to_le_bytes());
    f.extend_from_slice(&c);
    f
}

/// The chunk's used extent, from its free space offset: where mutations matter.
fn used(bytes: &[u8]) -> usize {
    let at = FILE_HEADER_BLOCK_SIZE + 48;
    let free = u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    FILE_HEADER_BLOCK_SIZE + free.clamp(512, CHUNK_SIZE)
}

/// Runs `cases` seeded mutations of `base` through the walk; returns the walks' totals.
fn mini_fuzz(base: &[u8], seed: u64, cases: usize) -> Walk {
    let hot = 0..used(base);
    let mut rng = Rng(seed);
    let mut total = Walk::default();
    for case in 0..cases {
        let mut bytes = base.to_vec();
        mutate(&mut rng, &mut bytes, hot.clone());
        let w = std::panic::catch_unwind(|| walk(&bytes))
            .unwrap_or_else(|_| panic!("mutation case {case} of seed {seed:#x} panicked"));
        total.records += w.records;
        total.events += w.events;
        total.errors += w.errors;
    }
    total
}

#[test]
fn evtx_fuzz_synthetic_mutations_do_not_panic() {
    let base = synthetic(12);
    let clean = walk(&base);
    assert_eq!((clean.records, clean.events, clean.errors), (12, 12, 0));
    let mut file = EvtxFile::from_bytes(base.clone()).unwrap();
    let chunk = file.chunks().next().unwrap().unwrap();
    let record = chunk.records().next().unwrap().unwrap();
    let xml = ChunkDecoder::new(&chunk).decode(&record).unwrap().to_xml();
    assert!(xml.contains("<EventID>7</EventID>"), "{xml}");
    assert!(xml.contains("<Data Name='x'>hi</Data>"), "{xml}");

    let total = mini_fuzz(&base, 0x5eed_0001, 400);
    // The mutations must exercise both sides: records that still decode and damage.
    assert!(total.events > 0 && total.errors > 0, "{total:?}");
}

#[test]
fn evtx_fuzz_sample_chunk_mutations_do_not_panic() {
    let Some(samples) = crate::samples() else {
        return;
    };
    // Small real chunks with templates, substitutions and UserData: header plus one chunk.
    for (name, seed) in [
        ("evtx-crate/new-user-security.evtx", 0x5eed_0002),
        ("evtx-crate/Application_no_crc32.evtx", 0x5eed_0003),
        ("python-evtx/issue_38.evtx", 0x5eed_0004),
    ] {
        let bytes = std::fs::read(samples.path(name)).unwrap();
        let base = &bytes[..(FILE_HEADER_BLOCK_SIZE + CHUNK_SIZE).min(bytes.len())];
        assert!(walk(base).events > 0, "{name}: no event decoded unmutated");
        mini_fuzz(base, seed, 150);
    }
}
