//! The fast path against the general path, record by record, on every real sample.

use super::*;
use crate::evtx::EvtxFile;

/// The samples folder (tests/support/samples.rs): where it is missing, the sample tests
/// find no file and say they are skipped (or fail, with `EVTLOG_REQUIRE_SAMPLES=1`).
fn samples() -> std::path::PathBuf {
    use crate::test_support::samples::{location, samples};
    samples().map_or_else(location, |s| s.dir().to_owned())
}

pub(super) fn sample_files() -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for dir in ["evtx-crate", "python-evtx", "plaso"] {
        let Ok(entries) = std::fs::read_dir(samples().join(dir)) else {
            continue;
        };
        out.extend(
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "evtx")),
        );
    }
    out.sort();
    out
}

#[test]
fn fast_path_and_shared_templates_equal_general_path_on_every_sample() {
    let files = sample_files();
    if files.is_empty() {
        return;
    }
    let (mut fast, mut total) = (0usize, 0usize);
    for path in &files {
        let mut file = EvtxFile::open(path).unwrap();
        let mut cache = TemplateCache::new();
        for chunk in file.chunks().flatten() {
            // The fast path with definitions shared across chunks; the general path with
            // the chunk's own.
            let mut decoder = ChunkDecoder::with_cache(&chunk, &mut cache);
            let mut general = ChunkDecoder::new(&chunk);
            for record in chunk.records().flatten() {
                total += 1;
                let (start, end) = decoder.span(&record).unwrap();
                let Some(event) = decoder.fast_event(start, end) else {
                    continue;
                };
                fast += 1;
                let expected = general.decode_general(start, end, record.offset());
                let expected = expected.unwrap_or_else(|e| {
                    panic!(
                        "{}: fast path decoded what the general path rejects: {e}",
                        path.display()
                    )
                });
                assert_eq!(
                    event,
                    expected,
                    "{} record {}",
                    path.display(),
                    record.record_id()
                );
            }
        }
    }
    eprintln!("fast path took {fast} of {total} records");
    // Windows' usual shape is nearly every record: a regression that sends them all down
    // the general path shows here.
    assert!(
        fast * 10 >= total * 9,
        "fast path took only {fast} of {total}"
    );
}

/// The field sets the probe tests use, each a pass of its own (a template keeps the
/// selection of the first set it is asked for): EventID alone and many scalars take the
/// direct reads, Level with Provider the walk over the children.
fn probe_field_sets() -> Vec<crate::event::SystemFields> {
    use crate::query::XPathFilter;
    [
        "*[System[EventID=4624]]",
        "*[System[EventID=1 and Version=0 and Level=2 and Task=3 and Opcode=0 \
            and Keywords=0 and EventRecordID=5 \
            and TimeCreated[@SystemTime='2020-01-01T00:00:00Z']]]",
        "*[System[Level<=3 and Provider[@Name='x']]]",
    ]
    .iter()
    .map(|q| XPathFilter::compile(q).unwrap().system_fields())
    .collect()
}

/// Checks the probe of `fields` against the whole decoding on every record of `chunk`
/// (with `cache`); the number of records checked.
fn check_probe(
    chunk: &crate::evtx::EvtxChunk,
    cache: &mut TemplateCache,
    fields: crate::event::SystemFields,
    at: &str,
) -> usize {
    use crate::event::System;
    let mut checked = 0;
    let mut decoder = ChunkDecoder::with_cache(chunk, cache);
    for record in chunk.records().flatten() {
        let mut system = System::default();
        // The probe first, as a scan runs it (it makes the template's selection).
        if !decoder.decode_system(&record, fields, &mut system) {
            continue;
        }
        let Ok(event) = decoder.decode(&record) else {
            continue;
        };
        checked += 1;
        let whole = &event.system;
        let at = format!("{at} record {}", record.record_id());
        let read = |name: &str| fields.reads(crate::event::SystemFields::bit_of(name));
        assert_eq!(
            (system.event_id, system.qualifiers),
            (whole.event_id, whole.qualifiers),
            "{at}"
        );
        // Each child the set reads: its fields, probe against whole.
        let same = [
            ("Provider", system.provider == whole.provider),
            ("Level", system.level == whole.level),
            ("Version", system.version == whole.version),
            ("Task", system.task == whole.task),
            ("Opcode", system.opcode == whole.opcode),
            ("Keywords", system.keywords == whole.keywords),
            (
                "EventRecordID",
                system.event_record_id == whole.event_record_id,
            ),
            ("TimeCreated", system.time_created == whole.time_created),
        ];
        for (name, same) in same {
            assert!(!read(name) || same, "{at}: {name}: {system:?} vs {whole:?}");
        }
    }
    checked
}

#[test]
fn system_alone_equals_the_whole_records_system_on_every_sample() {
    use crate::event::System;
    let mut checked = 0usize;
    for path in &sample_files() {
        for fields in probe_field_sets() {
            let mut file = EvtxFile::open(path).unwrap();
            let mut cache = TemplateCache::new();
            for chunk in file.chunks().flatten() {
                checked += check_probe(&chunk, &mut cache, fields, &path.display().to_string());
            }
        }
        // Every field, against the whole System.
        let mut file = EvtxFile::open(path).unwrap();
        let mut cache = TemplateCache::new();
        for chunk in file.chunks().flatten() {
            let mut decoder = ChunkDecoder::with_cache(&chunk, &mut cache);
            for record in chunk.records().flatten() {
                let Ok(event) = decoder.decode(&record) else {
                    continue;
                };
                let mut system = System::default();
                if decoder.decode_system(&record, crate::event::SystemFields::ALL, &mut system) {
                    assert_eq!(
                        system,
                        event.system,
                        "{} record {}",
                        path.display(),
                        record.record_id()
                    );
                }
            }
        }
    }
    assert!(
        sample_files().is_empty() || checked > 10_000,
        "checked only {checked}"
    );
}

#[test]
fn system_alone_equals_the_whole_records_system_on_mutated_chunks() {
    let rounds = mutation_rounds();
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut checked = 0;
    for name in [
        "evtx-crate/security.evtx",
        "evtx-crate/system.evtx",
        "plaso/System.evtx",
    ] {
        for fields in probe_field_sets() {
            for_mutated_chunks(name, rounds, &mut state, |chunk| {
                checked += check_probe(chunk, &mut TemplateCache::new(), fields, name);
            });
        }
    }
    assert!(sample_files().is_empty() || checked > 0);
}

/// Mutation rounds per sample: `EVTLOG_MUTATION_ROUNDS`, else 40.
pub(super) fn mutation_rounds() -> usize {
    std::env::var("EVTLOG_MUTATION_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(40)
}

/// A seeded xorshift for the mutation test.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Calls `check` with `rounds` seeded mutations (1 to 16 random bytes in the records area,
/// where templates and values live) of the first chunk of the sample `name`, each chunk
/// framed as a file; false if the sample is missing.
pub(super) fn for_mutated_chunks(
    name: &str,
    rounds: usize,
    state: &mut u64,
    mut check: impl FnMut(&crate::evtx::EvtxChunk),
) -> bool {
    let Ok(bytes) = std::fs::read(samples().join(name)) else {
        return false;
    };
    let original = bytes[..4096 + 65536].to_vec();
    for _ in 0..rounds {
        let mut mutated = original.clone();
        for _ in 0..(1 + xorshift(state) % 16) {
            let at = 4096 + 512 + (xorshift(state) % (65536 - 512)) as usize;
            mutated[at] = xorshift(state) as u8;
        }
        let mut file = EvtxFile::from_bytes(mutated).unwrap();
        for chunk in file.chunks().flatten() {
            check(&chunk);
        }
    }
    true
}

#[test]
fn fast_path_equals_general_path_on_mutated_chunks() {
    // The first used chunk of a few samples, each mutated many times; every record the
    // fast path takes must decode the general way to the same event.
    let names = [
        "evtx-crate/security.evtx",
        "evtx-crate/system.evtx",
        "plaso/System.evtx",
        "evtx-crate/E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx",
    ];
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut compared = 0usize;
    for name in names {
        for_mutated_chunks(name, 40, &mut state, |chunk| {
            let mut cache = TemplateCache::new();
            let mut fast = ChunkDecoder::with_cache(chunk, &mut cache);
            let mut general = ChunkDecoder::new(chunk);
            for record in chunk.records().flatten() {
                let (start, end) = fast.span(&record).unwrap();
                let Some(event) = fast.fast_event(start, end) else {
                    continue;
                };
                compared += 1;
                let id = record.record_id();
                match general.decode_general(start, end, record.offset()) {
                    Ok(expected) => assert_eq!(event, expected, "{name} record {id}"),
                    Err(e) => panic!(
                        "{name} record {id}: fast path took what the general path rejects: {e}"
                    ),
                }
            }
        });
    }
    assert!(samples().join(names[0]).is_file() == (compared > 0));
}

/// `write_xml` against `decode(..).to_xml()` for every record of `chunk`; the number of
/// records rendered straight from their values.
fn check_direct_xml(chunk: &crate::evtx::EvtxChunk, at: &str) -> usize {
    let mut cache = TemplateCache::new();
    let mut direct = ChunkDecoder::with_cache(chunk, &mut cache);
    let mut decoded = ChunkDecoder::new(chunk);
    let mut out = String::from("kept:");
    let mut straight = 0;
    for record in chunk.records().flatten() {
        let (start, end) = direct.span(&record).unwrap();
        let mut probe = String::new();
        straight += usize::from(direct.fast_xml(start, end, &mut probe).is_some());
        let before = out.len();
        let got = direct.write_xml(&record, &mut out);
        match decoded.decode(&record) {
            Ok(event) => {
                assert!(got.is_ok(), "{at} record {}", record.record_id());
                assert_eq!(
                    &out[before..],
                    event.to_xml(),
                    "{at} record {}",
                    record.record_id()
                );
                if !probe.is_empty() {
                    assert_eq!(probe, event.to_xml(), "{at} record {}", record.record_id());
                }
            }
            Err(e) => {
                assert_eq!(got.map_err(|g| g.to_string()), Err(e.to_string()), "{at}");
                assert_eq!(out.len(), before, "{at}: nothing written on an error");
                assert!(probe.is_empty(), "{at}: rendered what does not decode");
            }
        }
    }
    assert!(out.starts_with("kept:"));
    straight
}

#[test]
fn direct_xml_equals_the_decoded_events_xml_on_every_sample() {
    let (mut straight, mut files) = (0, 0);
    for path in &sample_files() {
        files += 1;
        let mut file = EvtxFile::open(path).unwrap();
        for chunk in file.chunks().flatten() {
            straight += check_direct_xml(&chunk, &path.display().to_string());
        }
    }
    assert!(
        files == 0 || straight > 10_000,
        "only {straight} rendered straight"
    );
}

#[test]
fn direct_xml_equals_the_decoded_events_xml_on_mutated_chunks() {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let rounds = mutation_rounds();
    for name in [
        "evtx-crate/security.evtx",
        "plaso/System.evtx",
        // `<UserData>` trees: inline elements, entity references, a processing instruction.
        "evtx-crate/E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx",
    ] {
        for_mutated_chunks(name, rounds, &mut state, |chunk| {
            check_direct_xml(chunk, name);
        });
    }
}

/// Checks, for every record of `chunk` decoded with `cache`, that a record the deferred
/// proof accepts is one the fast path takes, and that its decoding from the proof's kept
/// spans gives that same event, the general path's; the number proved. Records are taken
/// in order, so shapes learnt from one serve the next.
fn check_proofs(chunk: &crate::evtx::EvtxChunk, cache: &mut TemplateCache, at: &str) -> usize {
    let mut decoder = ChunkDecoder::with_cache(chunk, cache);
    let mut general = ChunkDecoder::new(chunk);
    let mut kept = super::deferred::ProvedSpans::default();
    let mut scratch = Vec::new();
    let mut xml_scratch = super::deferred::XmlScratch::default();
    let mut proved = 0;
    for record in chunk.records().flatten() {
        let id = record.record_id();
        let (start, end) = decoder.span(&record).unwrap();
        let proof = decoder.prove_fast(&record, &mut kept);
        let event = decoder.fast_event(start, end);
        let Some(proof) = proof else { continue };
        proved += 1;
        let event = event.unwrap_or_else(|| panic!("{at} record {id}: proved, not fast"));
        let from_proof = super::deferred::decode_proved(chunk, &proof, &kept, &mut scratch)
            .unwrap_or_else(|| panic!("{at} record {id}: the proof's spans do not decode"));
        let mut xml = String::from("kept:");
        let rendered =
            super::deferred::write_proved_xml(chunk, &proof, &kept, &mut xml_scratch, &mut xml)
                .is_some();
        match general.decode_general(start, end, record.offset()) {
            Ok(expected) => {
                assert_eq!(event, expected, "{at} record {id}");
                assert_eq!(from_proof, expected, "{at} record {id}");
                if rendered {
                    assert_eq!(
                        xml,
                        format!("kept:{}", expected.to_xml()),
                        "{at} record {id}"
                    );
                } else {
                    assert_eq!(
                        xml, "kept:",
                        "{at} record {id}: nothing written on a refusal"
                    );
                }
            }
            Err(e) => panic!("{at} record {id}: proved what the general path rejects: {e}"),
        }
    }
    proved
}

#[test]
fn proved_records_take_the_fast_path_on_every_sample() {
    let (mut proved, mut total) = (0usize, 0usize);
    for path in &sample_files() {
        let mut file = EvtxFile::open(path).unwrap();
        let mut cache = TemplateCache::new();
        for chunk in file.chunks().flatten() {
            total += chunk.records().flatten().count();
            proved += check_proofs(&chunk, &mut cache, &path.display().to_string());
        }
    }
    eprintln!("proved {proved} of {total} records");
    // All but the first record of each shape of each template, and `<UserData>` bodies: a
    // regression that proves nothing shows here.
    assert!(
        total == 0 || proved * 2 >= total,
        "proved only {proved} of {total}"
    );
}

#[test]
fn proved_records_take_the_fast_path_on_mutated_chunks() {
    // Shapes learnt from each unmutated sample's chunks; then mutated values, descriptors
    // and templates must never be proved into a failing or different decoding.
    let mut state = 0x5851_F42D_4C95_7F2Du64;
    let rounds = mutation_rounds();
    let mut proved = 0;
    for name in [
        "evtx-crate/security.evtx",
        "evtx-crate/system.evtx",
        "plaso/System.evtx",
        "evtx-crate/E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx",
    ] {
        let Ok(mut file) = EvtxFile::open(samples().join(name)) else {
            continue;
        };
        let mut learnt = TemplateCache::new();
        for chunk in file.chunks().flatten() {
            check_proofs(&chunk, &mut learnt, name);
        }
        for_mutated_chunks(name, rounds, &mut state, |chunk| {
            proved += check_proofs(chunk, &mut learnt.fork(), name);
        });
    }
    eprintln!("proved {proved} records of mutated chunks");
    assert!(sample_files().is_empty() || proved > 0);
}

#[test]
fn value_decodes_equals_decode_sized_succeeding() {
    let mut state = 0x1234_5678_9ABC_DEF1u64;
    for ty in 0..=255u8 {
        for len in 0..48 {
            for _ in 0..4 {
                let spill: Vec<u8> = (0..len + 16).map(|_| xorshift(&mut state) as u8).collect();
                let bytes = &spill[..len];
                assert_eq!(
                    super::deferred::value_decodes(ty, bytes, &spill),
                    super::value::decode_sized(ty, bytes, &spill).is_ok(),
                    "type {ty:#04x}, {len} bytes"
                );
            }
        }
    }
}
