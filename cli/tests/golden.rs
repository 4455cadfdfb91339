//! evtlog's test manifest end to end through evtutil, compared byte for byte with golden
//! files (`cli/tests/golden/`): `im` into a fresh `--store`, events written into the same
//! store through the library (the producer API: EventWrite's payloads, a classic
//! ReportEvent), then `gp` (text and XML) and `qe /f:RenderedXml` in en-US and fr-FR.
//!
//! The golden files were written by running this test with `EVTLOG_BLESS=1` and then read
//! line by line against fixtures/manifests/evtlog-test.man and Windows' documented layouts;
//! without `EVTLOG_BLESS` a difference fails. Normalized, as they differ per run or per
//! machine: the writing process's and thread's ids, the computer's name, and the record ids
//! in Application (after however many events the store's default fill put there), given as
//! `N+k` from the first of ours.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use evtlog::{
    ClassicReport, ClassicSource, Engine, EventDescriptor, Guid, ReportType, Sid, VirtualClock,
};

const PROVIDER: &str = "Evtlog-Test-Provider";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

fn evtutil(store: &Path, args: &[&str]) -> String {
    let o = Command::new(env!("CARGO_BIN_EXE_evtutil"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("EVTLOG_STORE")
        .output()
        .expect("evtutil runs");
    assert!(o.status.success(), "evtutil {args:?}: {o:?}");
    String::from_utf8(o.stdout).expect("utf-8 output")
}

/// Replaces each `start…end` span of `text` with what `with` makes of its inside.
fn replace_spans(
    text: &str,
    start: &str,
    end: &str,
    mut with: impl FnMut(&str) -> String,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(start) {
        let inside = &rest[at + start.len()..];
        let stop = inside.find(end).expect("the span closes");
        out.push_str(&rest[..at]);
        out.push_str(start);
        out.push_str(&with(&inside[..stop]));
        out.push_str(end);
        rest = &inside[stop + end.len()..];
    }
    out.push_str(rest);
    out
}

/// The writing process's and thread's ids and the computer's name as fixed tokens.
fn normalize(text: &str) -> String {
    let text = replace_spans(text, "<Execution ", "/>", |_| {
        "ProcessID='PID' ThreadID='TID'".into()
    });
    replace_spans(&text, "<Computer>", "</Computer>", |_| "HOST".into())
}

/// Record ids as `N+k`, k counted from the first.
fn rebase_record_ids(text: &str) -> String {
    let mut first = None;
    replace_spans(text, "<EventRecordID>", "</EventRecordID>", |id| {
        let id: u64 = id.parse().expect("a record id");
        format!("N+{}", id - *first.get_or_insert(id))
    })
}

fn check_golden(name: &str, got: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("EVTLOG_BLESS").is_some() {
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (EVTLOG_BLESS=1 writes it)", path.display()));
    if got != want {
        let line = got
            .lines()
            .zip(want.lines())
            .position(|(g, w)| g != w)
            .unwrap_or(got.lines().count().min(want.lines().count()));
        panic!(
            "{name} differs from its golden file at line {}:\n got: {:?}\nwant: {:?}",
            line + 1,
            got.lines().nth(line),
            want.lines().nth(line)
        );
    }
}

/// Writes the manifest's events as an application would, into the store at `dir`.
fn write_events(dir: &Path) {
    let engine = Engine::open_store_dir_with_clock(dir, Arc::new(VirtualClock::default())).unwrap();
    let guid = Guid::parse("{6E0B6C3A-2F54-4C1B-9D7E-1A2B3C4D5E6F}").unwrap();
    let provider = engine.register_provider(guid);
    let utf16z = |s: &str| -> Vec<u8> {
        s.encode_utf16()
            .chain([0])
            .flat_map(u16::to_le_bytes)
            .collect()
    };
    let descriptor = |id, version, channel, level, opcode, task, keyword| EventDescriptor {
        id,
        version,
        channel,
        level,
        opcode,
        task,
        keyword,
    };
    // 100 v0 and v1 on Operational (16): Peer, Port, Mode.
    let peer = utf16z("db.example.com");
    let connect = descriptor(100, 0, 16, 4, 1, 1, 0x4000_0000_0000_0001);
    let written = provider
        .write(
            &connect,
            &[&peer, &443u16.to_le_bytes(), &1u32.to_le_bytes()],
        )
        .unwrap();
    assert!(written.is_some(), "event 100 is logged");
    let retry = descriptor(100, 1, 16, 16, 10, 1, 0x4000_0000_0000_0005);
    provider
        .write(
            &retry,
            &[&peer, &8080u16.to_le_bytes(), &2u32.to_le_bytes()],
        )
        .unwrap();
    // 200 on Admin (17): Bytes, Flags, Started, Count, Names[Count], Digest[16].
    let digest: Vec<u8> = (0xA0..0xB0).collect();
    let transfer = descriptor(200, 0, 17, 2, 11, 2, 0x2000_0000_0000_0004);
    provider
        .write(
            &transfer,
            &[
                &1_048_576u64.to_le_bytes(),
                &5u32.to_le_bytes(),
                &133_485_408_000_000_000u64.to_le_bytes(),
                &2u16.to_le_bytes(),
                &utf16z("alpha"),
                &utf16z("beta"),
                &digest,
            ],
        )
        .unwrap();
    // 300 and 301 v1 on Application (9): Status, Process, User, Session.
    let sid = [1u8, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0];
    let session = Guid::parse("{01234567-89AB-CDEF-0123-456789ABCDEF}")
        .unwrap()
        .to_bytes_le();
    let failure = |d: &EventDescriptor| {
        provider
            .write(
                d,
                &[
                    &0xC000_0022u32.to_le_bytes(),
                    &0x1234u64.to_le_bytes(),
                    &sid,
                    &session,
                ],
            )
            .unwrap();
    };
    failure(&descriptor(300, 0, 9, 3, 0, 0, 0x8010_8000_0000_0000));
    failure(&descriptor(301, 1, 9, 1, 0, 0, 0x8000_0000_0000_0000));
    // A classic source beside it in Application. A store keeps installed manifests but not
    // classic sources (their registry keys), so evtutil prints this event as plain XML.
    engine
        .register_event_source(
            "Application",
            "Evtlog-Test-Classic",
            ClassicSource {
                event_message_file: Some(r"%ProgramFiles%\Evtlog\classic.dll".into()),
                ..ClassicSource::default()
            },
        )
        .unwrap();
    let mut report = ClassicReport::new(ReportType::Warning, 0x8000_0064);
    report.category = 3;
    report.user_sid = Sid::parse("S-1-5-18");
    report.strings = vec!["disk full".into(), "C:".into()];
    engine.report_event("Evtlog-Test-Classic", report).unwrap();
}

#[test]
fn the_test_manifest_round_trips_through_evtutil() {
    let dir = std::env::temp_dir().join(format!("evtutil-golden-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = dir.join("store");
    let manifests = repo().join("fixtures/manifests");
    // The parameter file's provider first: the test provider's %%n strings are its messages.
    for file in ["evtlog-params.man", "evtlog-test.man"] {
        let path = manifests.join(file);
        assert_eq!(evtutil(&store, &["im", path.to_str().unwrap()]), "");
    }
    write_events(&store);

    check_golden(
        "gp.txt",
        &evtutil(&store, &["gp", PROVIDER, "/ge:true", "/gm:true"]),
    );
    check_golden(
        "gp.xml",
        &evtutil(&store, &["gp", PROVIDER, "/ge:true", "/gm:true", "/f:xml"]),
    );
    let mine =
        "/q:*[System[Provider[@Name='Evtlog-Test-Provider' or @Name='Evtlog-Test-Classic']]]";
    for (locale, suffix) in [(None, "en-US"), (Some("/l:fr-FR"), "fr-FR")] {
        let mut all = String::new();
        for channel in [
            "Evtlog-Test-Provider/Operational",
            "Evtlog-Test-Provider/Admin",
            "Application",
        ] {
            let mut args = vec!["qe", channel, mine, "/f:RenderedXml"];
            args.extend(locale);
            let out = evtutil(&store, &args);
            if channel == "Application" {
                all.push_str(&rebase_record_ids(&out));
            } else {
                all.push_str(&out);
            }
        }
        check_golden(&format!("qe-rendered.{suffix}.xml"), &normalize(&all));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
