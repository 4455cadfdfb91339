//! EvtQueryFilePath: real .evtx files as query sources, through sessions and result sets
//! (reference/wevtapi.md §2.5, §2.19: events read from a file report its absolute path).

use evtlog::{Engine, Next, QueryFlags, SeekFlags, XPathFilter};

fn sample(name: &str) -> String {
    let path = crate::samples_dir().join(name);
    assert!(path.is_file(), "EVTX sample {} not found", path.display());
    std::fs::canonicalize(path)
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

fn all(rs: &evtlog::ResultSet) -> Vec<evtlog::EventRef> {
    let mut out = Vec::new();
    while let Next::Events(batch) = rs.next(1024, None).unwrap() {
        out.extend(batch);
    }
    out
}

#[test]
fn a_file_query_reads_every_record_with_its_ids_and_path() {
    let path = sample("evtx-crate/Application_no_crc32.evtx");
    let engine = Engine::new();
    let rs = engine
        .default_session()
        .query(Some(&path), None, QueryFlags::FILE_PATH)
        .unwrap();
    let events = all(&rs);
    let ids: Vec<u64> = events.iter().map(|e| e.record_id()).collect();
    assert_eq!(
        ids,
        (426..=442).collect::<Vec<_>>(),
        "INDEX.md: EventRecordIDs 426-442"
    );
    assert!(events.iter().all(|e| e.path() == path));
    let rs = engine
        .default_session()
        .query(
            Some(&path),
            None,
            QueryFlags::FILE_PATH | QueryFlags::REVERSE_DIRECTION,
        )
        .unwrap();
    let reversed: Vec<u64> = all(&rs).iter().map(|e| e.record_id()).collect();
    assert_eq!(reversed, (426..=442).rev().collect::<Vec<_>>());
}

/// Queries run on files exactly as on channels: the result set's answer equals the filter
/// applied to every event of the file.
#[test]
fn queries_on_files_match_the_filter() {
    let path = sample("evtx-crate/security.evtx");
    let engine = Engine::new();
    let session = engine.default_session();
    let everything = all(&session
        .query(Some(&path), None, QueryFlags::FILE_PATH)
        .unwrap());
    assert!(
        everything.len() >= 2000,
        "{} events decoded",
        everything.len()
    );
    for q in [
        "*[System[EventID=4624]]",
        "*[System[(Level=0 or Level=4)] and EventData[Data[@Name='LogonType']=5]]",
        "*[UserData]",
    ] {
        let filter = XPathFilter::compile(q).unwrap();
        let want: Vec<u64> = everything
            .iter()
            .filter(|e| filter.matches(e, engine.clock().now()))
            .map(|e| e.record_id())
            .collect();
        let got: Vec<u64> = all(&session
            .query(Some(&path), Some(q), QueryFlags::FILE_PATH)
            .unwrap())
        .iter()
        .map(|e| e.record_id())
        .collect();
        assert_eq!(got, want, "{q}");
    }
    let rs = session
        .query(
            Some(&path),
            Some("*[System[EventID=4624]]"),
            QueryFlags::FILE_PATH,
        )
        .unwrap();
    rs.seek(0, SeekFlags::RELATIVE_TO_LAST).unwrap();
    let Next::Events(last) = rs.next(5, None).unwrap() else {
        panic!("no 4624 in security.evtx")
    };
    assert_eq!(last.len(), 1);
}

#[test]
fn file_paths_must_exist_and_be_absolute() {
    let engine = Engine::new();
    let session = engine.default_session();
    assert_eq!(
        session
            .query(Some("relative.evtx"), None, QueryFlags::FILE_PATH)
            .unwrap_err()
            .win32_code(),
        87
    );
    let missing = std::env::temp_dir().join("evtlog-no-such-file.evtx");
    assert_eq!(
        session
            .query(Some(missing.to_str().unwrap()), None, QueryFlags::FILE_PATH)
            .unwrap_err()
            .win32_code(),
        2
    );
}
