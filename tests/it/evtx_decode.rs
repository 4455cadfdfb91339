//! BinXml decoding over the real samples of `../shared/evtx-samples` (INDEX.md): every
//! record of every sample decodes (compared with the `evtx` 0.15.1 oracle's ok/err counts),
//! specific records match the expected renderings under `expected/`, and damaged BinXml
//! never panics.
//!
//! The samples folder is `$EVTLOG_SAMPLES`, or `../shared/evtx-samples` relative to the
//! project root; if it is missing the tests fail (they do not skip).

use std::path::PathBuf;

use evtlog::{ChunkDecoder, Event, EvtxFile};

fn samples_dir() -> PathBuf {
    let dir = match std::env::var_os("EVTLOG_SAMPLES") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/evtx-samples"),
    };
    assert!(
        dir.join("INDEX.md").is_file(),
        "EVTX samples not found at {} (set EVTLOG_SAMPLES to the evtx-samples folder)",
        dir.display()
    );
    dir
}

/// (sample, oracle ok, oracle err) from INDEX.md.
const ORACLE: &[(&str, usize, usize)] = &[
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

/// Decoded events by record id, and the number of chunk, framing and decoding errors.
#[derive(Default)]
struct Decoded {
    events: Vec<(u64, Event)>,
    errors: Vec<String>,
}

fn decode_bytes(bytes: Vec<u8>) -> evtlog::Result<Decoded> {
    let mut file = EvtxFile::from_bytes(bytes)?;
    let mut out = Decoded::default();
    for chunk in file.chunks() {
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

fn decode(name: &str) -> Decoded {
    let path = samples_dir().join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    decode_bytes(bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn every_record_of_every_sample_decodes() {
    let mut report = String::new();
    let mut short = Vec::new();
    for &(name, ok, err) in ORACLE {
        let d = decode(name);
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
