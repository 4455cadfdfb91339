//! BinXml decoding over the real samples (INDEX.md): every
//! record of every sample decodes (compared with the `evtx` 0.15.1 oracle's ok/err counts),
//! specific records match the expected renderings under `expected/`, and damaged BinXml
//! never panics.
//!
//! Without the samples folder (tests/support/samples.rs) these tests are skipped.

use crate::{samples, Samples};
use evtlog::{ChunkDecoder, Event, EvtxFile};

/// (sample, oracle ok, oracle err) from INDEX.md.
pub(crate) const ORACLE: &[(&str, usize, usize)] = &[
    ("evtx-crate/security.evtx", 2261, 0),
    ("evtx-crate/security_bad_string_cache.evtx", 2261, 0),
    ("evtx-crate/system.evtx", 1881, 0),
    ("evtx-crate/sysmon.evtx", 358, 8),
    ("evtx-crate/Application_no_crc32.evtx", 17, 0),
    (
        "evtx-crate/E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx",
        340,
        0,
    ),
    ("evtx-crate/MSExchange_Management_wec.evtx", 1, 0),
    ("evtx-crate/sample_with_a_bad_chunk_magic.evtx", 301, 3),
    ("evtx-crate/sample-with-zero-data-size-event.evtx", 449, 1),
    ("evtx-crate/post-Security.evtx", 126, 0),
    (
        "evtx-crate/Microsoft-Windows-HelloForBusiness%4Operational.evtx",
        6,
        0,
    ),
    (
        "evtx-crate/Microsoft-Windows-LanguagePackSetup%4Operational.evtx",
        17,
        0,
    ),
    ("evtx-crate/new-user-security.evtx", 4, 0),
    ("evtx-crate/Microsoft-Windows-WorkFolders%4WHC.evtx", 0, 0),
    ("python-evtx/system.evtx", 1601, 0),
    ("python-evtx/issue_38.evtx", 1, 0),
    ("plaso/System.evtx", 5009, 0),
];

/// Decoded events with their record ids, in record order (chunks oldest first, as the evtx
/// crate walks them), and the chunk, framing and decoding errors.
#[derive(Default)]
pub(crate) struct Decoded {
    pub(crate) events: Vec<(u64, Event)>,
    pub(crate) errors: Vec<String>,
}

fn decode_bytes(bytes: Vec<u8>) -> evtlog::Result<Decoded> {
    let mut file = EvtxFile::from_bytes(bytes)?;
    let mut out = Decoded::default();
    for chunk in file.chunks_in_record_order()? {
        let chunk = match chunk {
            Ok(c) => c,
            Err(e) => {
                out.errors.push(e.to_string());
                continue;
            }
        };
        let mut decoder = ChunkDecoder::new(&chunk);
        for record in chunk.records() {
            match record.and_then(|r| decoder.decode(&r).map(|e| (r.record_id(), e))) {
                Ok(pair) => out.events.push(pair),
                Err(e) => {
                    assert_eq!(e.win32_code(), 1392, "{e}");
                    out.errors.push(e.to_string());
                }
            }
        }
    }
    Ok(out)
}

pub(crate) fn decode(s: &Samples, name: &str) -> Decoded {
    let path = s.path(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    decode_bytes(bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_record_of_every_sample_decodes() {
    let Some(s) = samples() else {
        return;
    };
    let mut report = String::new();
    let mut short = Vec::new();
    for &(name, ok, err) in ORACLE {
        let d = decode(&s, name);
        report.push_str(&format!(
            "{name}: decoded {} / errors {} (oracle {ok}/{err})\n",
            d.events.len(),
            d.errors.len()
        ));
        if (d.events.len(), d.errors.len()) != (ok, err) {
            short.push(format!(
                "{name}: {:?}",
                d.errors.iter().take(3).collect::<Vec<_>>()
            ));
        }
        // Every decoded event renders and parses back.
        for (id, event) in &d.events {
            let xml = event.to_xml();
            let back = Event::from_xml(&xml).unwrap_or_else(|e| panic!("{name} #{id}: {e}\n{xml}"));
            assert_eq!(back.to_xml(), xml, "{name} #{id}");
        }
    }
    println!("{report}");
    assert!(short.is_empty(), "{report}\n{short:#?}");
}

/// The XML of an expected rendering: a snapshot's body after its `---` header, or the file.
fn expected_xml(s: &Samples, file: &str) -> String {
    let path = s.dir().join("expected").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    match text.strip_prefix("---") {
        Some(rest) => rest
            .split_once("\n---\n")
            .map_or(rest, |(_, body)| body)
            .to_owned(),
        None => text,
    }
}

/// The decoded event of record `id` of `sample`.
fn record(s: &Samples, sample: &str, id: u64) -> Event {
    decode(s, sample)
        .events
        .into_iter()
        .find(|(rid, _)| *rid == id)
        .unwrap_or_else(|| panic!("{sample}: no record {id}"))
        .1
}

/// Content comparison: both sides parsed by `Event::from_xml` and rendered the Windows way
/// (quoting, indentation, GUID case and fraction digits normalised).
pub(crate) fn normalised(xml: &str) -> String {
    Event::from_xml(xml)
        .unwrap_or_else(|e| panic!("{e}\n{xml}"))
        .to_xml()
}

const CAPI2: &str =
    "evtx-crate/E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx";

#[test]
fn records_match_the_expected_renderings() {
    let Some(s) = samples() else {
        return;
    };
    let cases: &[(&str, u64, &str)] = &[
        (
            "evtx-crate/security.evtx",
            1,
            "evtx-0.15.1/test_record_samples__event_xml_sample.snap",
        ),
        (
            "evtx-crate/security.evtx",
            2260,
            "evtx-0.15.1/test_record_samples__event_xml_sample_with_string_with_trailing_spaces.snap",
        ),
        (
            "evtx-crate/system.evtx",
            1,
            "evtx-0.15.1/test_record_samples__event_xml_sample_with_event_data_with_attributes_and_text.snap",
        ),
        (
            CAPI2,
            1,
            "evtx-0.15.1/test_record_samples__event_xml_sample_with_user_data.snap",
        ),
        (
            CAPI2,
            28,
            "evtx-0.15.1/test_record_samples__event_xml_sample_with_entity_ref.snap",
        ),
        (
            CAPI2,
            25,
            "evtx-0.15.1/test_record_samples__event_xml_sample_with_entity_ref_2.snap",
        ),
        (
            "plaso/System.evtx",
            1,
            "plaso/System.evtx.record1.libevtx.xml",
        ),
    ];
    let mut failures = Vec::new();
    for &(sample, id, file) in cases {
        let ours = normalised(&record(&s, sample, id).to_xml());
        let theirs = normalised(&expected_xml(&s, file));
        if ours != theirs {
            failures.push(format!("{file}:\n ours   {ours}\n theirs {theirs}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Not vacuous: the entity-reference record really carries the resolved text.
    let xml = record(&s, CAPI2, 28).to_xml();
    assert!(xml.contains("<UserData>"), "{xml}");
}

#[test]
fn python_evtx_rendering_matches_apart_from_its_formats() {
    let Some(s) = samples() else {
        return;
    };
    // python-evtx writes FILETIME as `2016-02-15 08:53:21+00:00` and keeps empty optional
    // attributes; compare everything else.
    // "record1" is the file's first record.
    let ours = decode(&s, "python-evtx/system.evtx").events[0].1.to_xml();
    let theirs = expected_xml(&s, "python-evtx/system.evtx.record1.python-evtx.xml");
    let ours_time = "2012-03-14T04:17:43.3545627Z";
    assert!(ours.contains(ours_time), "{ours}");
    // Their microseconds, rounded from the same FILETIME.
    let theirs = theirs.replace("2012-03-14 04:17:43.354563+00:00", ours_time);
    assert_eq!(normalised(&ours), normalised(&theirs));
}

#[test]
fn damaged_string_table_decodes_like_the_intact_log() {
    let Some(s) = samples() else {
        return;
    };
    // The evtx snapshot of this record (JSON) shows the same content as security.evtx's.
    let damaged = record(&s, "evtx-crate/security_bad_string_cache.evtx", 1);
    let intact = record(&s, "evtx-crate/security.evtx", 1);
    assert_eq!(damaged.to_xml(), intact.to_xml());
    let snap = expected_xml(
        &s,
        "evtx-0.15.1/test_record_samples__event_json_missing_string_cache_entry.snap",
    );
    assert!(snap.contains("\"EventID\": 4608"), "{snap}");
    assert_eq!(damaged.system.event_id, 4608);
}

/// The strings of the `"#text": [ ... ]` list of a JSON snapshot.
fn json_text_list(snap: &str) -> Vec<String> {
    let Some((_, rest)) = snap.split_once("\"#text\": [") else {
        return Vec::new();
    };
    let list = rest.split_once("\n        ]").map_or(rest, |(l, _)| l);
    list.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            let l = l.strip_suffix(',').unwrap_or(l);
            let l = l.strip_prefix('"').unwrap_or(l);
            let l = l.strip_suffix('"').unwrap_or(l);
            l.replace("\\\"", "\"").replace("\\\\", "\\")
        })
        .collect()
}

#[test]
fn wec_record_keeps_every_data_element_even_empty_ones() {
    let Some(s) = samples() else {
        return;
    };
    let mut all = decode(&s, "evtx-crate/MSExchange_Management_wec.evtx").events;
    assert_eq!(all.len(), 1);
    let (_, event) = all.remove(0);
    assert_eq!(event.system.event_record_id, Some(3229));
    let data = event.event_data().expect("EventData");
    let ours: Vec<String> = data.values().map(|v| v.to_text()).collect();
    let snap = expected_xml(
        &s,
        "evtx-0.15.1/test_record_samples__event_json_multiple_empty_data_nodes_not_ignored.snap",
    );
    let theirs = json_text_list(&snap);
    assert_eq!(theirs.len(), 27, "{snap}");
    assert_eq!(ours, theirs);
    assert_eq!(event.system.qualifiers, Some(16384));
    assert_eq!(event.system.computer.as_deref(), Some("WEC.ave.local"));
}

/// Truncated and byte-flipped copies of each sample's chunks: decoding may fail, but only
/// with `FileCorrupt`, and never panics.
#[test]
fn damaged_binxml_never_panics() {
    let Some(s) = samples() else {
        return;
    };
    let samples = [
        "evtx-crate/security.evtx",
        CAPI2,
        "evtx-crate/MSExchange_Management_wec.evtx",
        "evtx-crate/sysmon.evtx",
        "python-evtx/issue_38.evtx",
        "evtx-crate/Microsoft-Windows-HelloForBusiness%4Operational.evtx",
    ];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut decoded = 0usize;
    for name in samples {
        let path = s.path(name);
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // The file header and the first two chunks keep the loop fast.
        let len = bytes.len().min(4096 + 2 * 65536);
        for round in 0..24 {
            let mut copy = bytes[..len].to_vec();
            // Flip bytes inside the record area of a chunk.
            for _ in 0..(1 + round % 8) {
                let chunk = 4096 + (next() as usize % 2) * 65536;
                let at = chunk + 512 + next() as usize % (65536 - 512);
                if let Some(b) = copy.get_mut(at) {
                    *b ^= 1 << (next() % 8);
                }
            }
            if round % 3 == 0 {
                copy.truncate(4096 + next() as usize % (len - 4096));
            }
            if let Ok(d) = decode_bytes(copy) {
                decoded += d.events.len();
            }
        }
    }
    assert!(decoded > 0);
}
