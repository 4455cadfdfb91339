//! The EVTX container layer over the real samples (INDEX.md):
//! record counts and id ranges, header fields and CRC findings, and robustness against
//! truncated and byte-flipped copies.
//!
//! Without the samples folder (tests/support/samples.rs) these tests are skipped.

use crate::{samples, Samples};
use evtlog::{EvtxFile, FindingKind};

/// What one walk of a file saw.
#[derive(Debug, Default)]
struct Walk {
    ok: usize,
    damaged: usize,
    bad_chunks: usize,
    chunks: usize,
    min_id: u64,
    max_id: u64,
    crc_chunks: usize,
    ids: Vec<u64>,
}

fn walk_bytes(bytes: Vec<u8>) -> evtlog::Result<Walk> {
    let mut file = EvtxFile::from_bytes(bytes)?;
    walk(&mut file)
}

fn walk<R: std::io::Read + std::io::Seek>(file: &mut EvtxFile<R>) -> evtlog::Result<Walk> {
    let mut w = Walk {
        min_id: u64::MAX,
        ..Walk::default()
    };
    for chunk in file.chunks() {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                assert_eq!(e.win32_code(), 1392, "{e}");
                w.bad_chunks += 1;
                continue;
            }
        };
        w.chunks += 1;
        if !chunk.findings().is_empty() {
            w.crc_chunks += 1;
        }
        for record in chunk.records() {
            match record {
                Ok(r) => {
                    w.ok += 1;
                    w.ids.push(r.record_id());
                    w.min_id = w.min_id.min(r.record_id());
                    w.max_id = w.max_id.max(r.record_id());
                    assert!(r.binxml().len() + 28 == r.size() as usize);
                    assert_eq!(r.offset(), chunk.offset() + r.chunk_offset() as u64);
                }
                Err(e) => {
                    assert_eq!(e.win32_code(), 1392, "{e}");
                    assert!(e.offset().is_some(), "{e}");
                    w.damaged += 1;
                }
            }
        }
    }
    Ok(w)
}

fn walk_path(s: &Samples, name: &str) -> (EvtxFile<std::fs::File>, Walk) {
    let mut file = EvtxFile::open(s.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
    let w = walk(&mut file).unwrap_or_else(|e| panic!("{name}: {e}"));
    (file, w)
}

/// One INDEX.md row: file, records read, errors (damaged records + unreadable chunks), id
/// range, whether the ids are contiguous, chunks with a CRC finding.
struct Expect {
    name: &'static str,
    ok: usize,
    errors: usize,
    ids: Option<(u64, u64)>,
    contiguous: bool,
    crc_chunks: usize,
}

const fn row(
    name: &'static str,
    ok: usize,
    errors: usize,
    ids: Option<(u64, u64)>,
    crc_chunks: usize,
) -> Expect {
    Expect {
        name,
        ok,
        errors,
        ids,
        contiguous: true,
        crc_chunks,
    }
}

/// INDEX.md's oracle ok/err counts. Every ok count equals the oracle's; no extra records.
/// Notes on the errors column, which counts what the oracle counts:
/// - sysmon: the 8 errors are 8 chunks with a bad magic (they are yielded as chunk errors).
/// - sample_with_a_bad_chunk_magic: 2 chunks with a bad magic + 1 damaged record (unwritten
///   space after record 47640 in chunk 7; the walk resynchronises at record 47675). The log
///   is wrapped, so the ids are not contiguous.
/// - sample-with-zero-data-size-event: the record of size 0 at chunk 0, offset 0x820.
/// - HelloForBusiness, LanguagePackSetup and chunk 7 of sample_with_a_bad_chunk_magic hold a
///   record whose trailing size copy is 0; it is read (as the oracle does), flagged by
///   `size_copy_ok() == false`.
const SAMPLES: &[Expect] = &[
    row("evtx-crate/security.evtx", 2261, 0, Some((1, 2261)), 0),
    row(
        "evtx-crate/security_bad_string_cache.evtx",
        2261,
        0,
        Some((1, 2261)),
        1,
    ),
    row("evtx-crate/system.evtx", 1881, 0, Some((1, 1881)), 0),
    row("evtx-crate/sysmon.evtx", 358, 8, Some((1742, 2099)), 0),
    row(
        "evtx-crate/Application_no_crc32.evtx",
        17,
        0,
        Some((426, 442)),
        0,
    ),
    row(
        "evtx-crate/E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx",
        340,
        0,
        Some((1, 340)),
        0,
    ),
    row(
        "evtx-crate/MSExchange_Management_wec.evtx",
        1,
        0,
        Some((1, 1)),
        0,
    ),
    Expect {
        contiguous: false,
        ..row(
            "evtx-crate/sample_with_a_bad_chunk_magic.evtx",
            301,
            3,
            Some((45691, 47705)),
            3,
        )
    },
    row(
        "evtx-crate/sample-with-zero-data-size-event.evtx",
        449,
        1,
        Some((1, 450)),
        1,
    ),
    row("evtx-crate/post-Security.evtx", 126, 0, Some((1, 126)), 0),
    row(
        "evtx-crate/Microsoft-Windows-HelloForBusiness%4Operational.evtx",
        6,
        0,
        Some((1, 6)),
        1,
    ),
    row(
        "evtx-crate/Microsoft-Windows-LanguagePackSetup%4Operational.evtx",
        17,
        0,
        Some((1, 17)),
        1,
    ),
    row("evtx-crate/new-user-security.evtx", 4, 0, Some((1, 4)), 0),
    row(
        "evtx-crate/Microsoft-Windows-WorkFolders%4WHC.evtx",
        0,
        0,
        None,
        0,
    ),
    row("python-evtx/system.evtx", 1601, 0, Some((12049, 13649)), 0),
    row("python-evtx/issue_38.evtx", 1, 0, Some((1, 1)), 0),
    row("plaso/System.evtx", 5009, 0, Some((1, 5009)), 0),
];

/// Every `.evtx` under the three sample folders, so a new sample cannot go unchecked.
fn all_sample_names(s: &Samples) -> Vec<String> {
    let mut names = Vec::new();
    for folder in ["evtx-crate", "python-evtx", "plaso"] {
        let dir = s.dir().join(folder);
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        for entry in entries {
            let name = entry.expect("directory entry").file_name();
            let name = name.to_string_lossy();
            if name.ends_with(".evtx") {
                names.push(format!("{folder}/{name}"));
            }
        }
    }
    names.sort();
    names
}

#[test]
fn every_sample_matches_index_counts_and_ids() {
    let Some(s) = samples() else {
        return;
    };
    let names = all_sample_names(&s);
    assert_eq!(names.len(), SAMPLES.len(), "samples on disk: {names:?}");
    for expect in SAMPLES {
        let name = expect.name;
        assert!(names.iter().any(|n| n == name), "{name} missing");
        let (_, w) = walk_path(&s, name);
        assert_eq!(w.ok, expect.ok, "{name}: records");
        assert_eq!(w.damaged + w.bad_chunks, expect.errors, "{name}: errors");
        assert_eq!(
            w.crc_chunks, expect.crc_chunks,
            "{name}: chunks failing a CRC"
        );
        match expect.ids {
            Some(range) => assert_eq!((w.min_id, w.max_id), range, "{name}: id range"),
            None => assert_eq!(w.ok, 0, "{name}"),
        }
        let mut ids = w.ids.clone();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), w.ok, "{name}: duplicate record ids");
        if expect.contiguous && w.ok > 0 {
            // A damaged record's id is lost, leaving one gap (zero-data-size: 1-450 less one).
            let span = (w.max_id - w.min_id + 1) as usize;
            assert_eq!(span, w.ok + w.damaged, "{name}: id gaps");
        }
    }
}

#[test]
fn security_headers_match_the_oracle_info() {
    let Some(s) = samples() else {
        return;
    };
    let mut file = EvtxFile::open(s.path("evtx-crate/security.evtx")).unwrap();
    let h = file.header().clone();
    assert_eq!((h.major_version, h.minor_version), (3, 1));
    assert!(h.flags.is_dirty() && !h.flags.is_full() && !h.flags.no_crc32());
    assert!(h.checksum_ok());
    assert_eq!(h.checksum, 0x3f6e_33d5);
    assert_eq!((h.first_chunk_number, h.last_chunk_number), (0, 25));
    assert_eq!(h.next_record_id, 2226);
    assert_eq!(h.chunk_count, 26);
    assert_eq!((h.header_size, h.header_block_size), (128, 4096));
    assert_eq!(file.chunk_slots(), 33);
    assert!(file.findings().is_empty());
    let chunks: Vec<_> = file.chunks().map(|c| c.unwrap()).collect();
    assert_eq!(chunks.len(), 26, "7 empty chunks are skipped");
    let c0 = chunks[0].header();
    assert_eq!(chunks[0].offset(), 0x1000);
    assert_eq!((c0.first_record_number, c0.last_record_number), (1, 91));
    assert_eq!((c0.first_record_id, c0.last_record_id), (1, 91));
    let c25 = chunks[25].header();
    assert_eq!(chunks[25].offset(), 0x191000);
    assert_eq!((c25.first_record_id, c25.last_record_id), (2202, 2261));
    for c in &chunks {
        let ch = c.header();
        assert!(ch.flags.is_dirty(), "chunk {}", c.index());
        assert!(
            ch.header_checksum_ok() && c.records_checksum_ok(),
            "chunk {}",
            c.index()
        );
        assert_eq!(ch.header_size, 128);
        let n = c.records().filter(|r| r.is_ok()).count() as u64;
        assert_eq!(
            n,
            ch.last_record_id - ch.first_record_id + 1,
            "chunk {}",
            c.index()
        );
    }
}

#[test]
fn header_quirks_of_other_samples() {
    let Some(s) = samples() else {
        return;
    };
    // NO_CRC32: format 3.2, checksum 0, record numbers 1-17 but ids 426-442.
    let mut file = EvtxFile::open(s.path("evtx-crate/Application_no_crc32.evtx")).unwrap();
    let h = file.header().clone();
    assert!(h.flags.no_crc32());
    assert_eq!((h.checksum, h.minor_version), (0, 2));
    assert!(h.checksum_ok() && file.findings().is_empty());
    let chunk = file.chunks().next().unwrap().unwrap();
    let ch = chunk.header();
    assert_eq!((ch.first_record_number, ch.last_record_number), (1, 17));
    assert_eq!((ch.first_record_id, ch.last_record_id), (426, 442));

    // The header says 3 chunks; 15 hold records.
    let mut file = EvtxFile::open(s.path("evtx-crate/system.evtx")).unwrap();
    assert_eq!(file.header().chunk_count, 3);
    assert_eq!(file.chunks().filter(|c| c.is_ok()).count(), 15);

    // Undefined flag bits are kept.
    let file = EvtxFile::open(s.path("evtx-crate/post-Security.evtx")).unwrap();
    assert_eq!(file.header().flags.bits(), 0x1b97_0000);

    // One chunk of the damaged copy fails its header CRC (the string table is covered).
    let mut file = EvtxFile::open(s.path("evtx-crate/security_bad_string_cache.evtx")).unwrap();
    let findings: Vec<_> = file.chunks().flat_map(|c| c.unwrap().findings()).collect();
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].kind, FindingKind::ChunkHeaderChecksum);

    // An empty log as Windows initialises it.
    let mut file =
        EvtxFile::open(s.path("evtx-crate/Microsoft-Windows-WorkFolders%4WHC.evtx")).unwrap();
    let chunk = file.chunks().next().unwrap().unwrap();
    assert!(chunk.header().is_empty());
    assert_eq!(chunk.header().first_record_id, u64::MAX);
    assert_eq!(chunk.records().count(), 0);
}

#[test]
fn the_zero_size_record_is_reported_where_it_is() {
    let Some(s) = samples() else {
        return;
    };
    let mut file =
        EvtxFile::open(s.path("evtx-crate/sample-with-zero-data-size-event.evtx")).unwrap();
    let chunk = file.chunks().next().unwrap().unwrap();
    let errors: Vec<_> = chunk.records().filter_map(|r| r.err()).collect();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].offset(), Some(0x1000 + 0x820));
    assert_eq!(errors[0].win32_code(), 1392);
    assert!(errors[0].to_string().contains("size 0"), "{}", errors[0]);
}

/// Cut points: inside the header, around the first chunk, and spread through the file.
fn cuts(len: usize) -> Vec<usize> {
    let mut cuts = vec![
        0,
        1,
        64,
        127,
        128,
        129,
        4095,
        4096,
        4096 + 100,
        4096 + 511,
        4096 + 512,
    ];
    cuts.extend([4096 + 4000, 4096 + 65535, 4096 + 65536, 4096 + 65537]);
    cuts.extend((1..8).map(|i| len * i / 8));
    cuts.extend([len - 1, len]);
    cuts.retain(|&c| c <= len);
    cuts
}

#[test]
fn truncated_copies_never_panic() {
    let Some(s) = samples() else {
        return;
    };
    for name in all_sample_names(&s) {
        let bytes = std::fs::read(s.path(&name)).unwrap();
        let full = walk_bytes(bytes.clone()).unwrap();
        for cut in cuts(bytes.len()) {
            match walk_bytes(bytes[..cut].to_vec()) {
                Ok(w) => assert!(w.ok <= full.ok, "{name} cut at {cut}"),
                Err(e) => {
                    assert!(cut < 128, "{name} cut at {cut}: {e}");
                    assert_eq!(e.win32_code(), 1392, "{name} cut at {cut}: {e}");
                }
            }
        }
    }
}

/// xorshift64*: deterministic, dependency-free mutation positions.
fn next_random(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_f491_4f6c_dd1d)
}

#[test]
fn byte_flipped_copies_never_panic() {
    let Some(s) = samples() else {
        return;
    };
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    for name in all_sample_names(&s) {
        let bytes = std::fs::read(s.path(&name)).unwrap();
        // The header and the first two chunks: where the structure is.
        let prefix = bytes[..bytes.len().min(4096 + 2 * 65536)].to_vec();
        for round in 0..40 {
            let mut copy = prefix.clone();
            let flips = 1 + next_random(&mut state) % 24;
            for _ in 0..flips {
                let r = next_random(&mut state) as usize;
                // Half the flips land in headers (file header, chunk header + tables).
                let at = if round % 2 == 0 {
                    let chunk = r % 3;
                    let off = (r >> 8) % if chunk == 0 { 128 } else { 512 };
                    if chunk == 0 {
                        off
                    } else {
                        4096 + (chunk - 1) * 65536 + off
                    }
                } else {
                    r % copy.len()
                };
                if let Some(b) = copy.get_mut(at) {
                    *b ^= 1 << ((r >> 40) % 8);
                }
            }
            if let Ok(w) = walk_bytes(copy) {
                assert!(w.ok + w.damaged < 65536 * 2 / 28, "{name} round {round}");
            }
        }
    }
}
