//! The model-based test of the Evt* facade: every saved finding of the `facade_model` fuzz
//! target (tests/fuzz-regressions/facade/) and a seeded mini-fuzz of random op sequences,
//! each run against the reference model of `model.rs` (which the fuzz target shares).

mod model;

use std::path::PathBuf;

/// The service to this test alone (the facade has one process-wide service).
fn service() -> std::sync::MutexGuard<'static, ()> {
    crate::winevt::SERVICE
        .lock()
        .unwrap_or_else(|e| e.into_inner())
}

/// xorshift64*: the mini-fuzz's inputs, the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn input(&mut self) -> Vec<u8> {
        let len = 8 + (self.next() % 160) as usize;
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// Inputs that reach each op, for the fuzz target's corpus.
fn seeds() -> Vec<(String, Vec<u8>)> {
    let mut rng = Rng(0x5EED_FACA_DE00_0001);
    (0..48)
        .map(|i| (format!("random-{i:02}"), rng.input()))
        .chain(crate_seeds())
        .collect()
}

/// Hand-written sequences: write, query, read, bookmark, seek, subscribe, export, clear.
fn crate_seeds() -> Vec<(String, Vec<u8>)> {
    vec![
        (
            "write-query-next-bookmark-seek".into(),
            vec![
                0, 1, 7, 0, 1, 2, 0, 1, 2, 0, // write 8 to Operational
                2, 0, 1, 0, 4, // query Operational forward, all
                3, 0, 3, 0, // next 3
                9, // create bookmark
                10, 0, 0, // update it with the newest event
                11, 0, // render it
                5, 0, 4, 1, 0, // seek relative to the bookmark, +1
                3, 0, 6, 0, // next 6
            ],
        ),
        (
            "subscribe-write-next-clear".into(),
            vec![
                8, 0, 1, 2, 4, // subscribe to future events of Operational
                4, 0, 2, 0, // next: 4317
                0, 1, 3, 0, 1, 2, // write 4
                4, 0, 5, 0, // next 5
                14, 0, 1, 1, // clear with a backup in slot 0
                2, 0, 3, 1, 4, // query the backup reversed
                3, 0, 6, 0, // next 6
            ],
        ),
        (
            "export-config-cancel".into(),
            vec![
                0, 0, 5, 0, 1, 2, 0, 1, 2, // write 6 to Application
                13, 0, 0, 4, 1, // export Application to slot 1
                2, 0, 7, 0, 0, // query slot 1 with a filter
                6, 0, // cancel it
                3, 0, 2, 0, // next: 1223
                15, 0, 1, // open Operational's config
                17, 0, 0, 1, // disable it
                18, 0, // save
                0, 1, 2, 0, 0, // write: 4317
            ],
        ),
    ]
}

/// Every saved finding of the fuzz target runs clean.
#[test]
fn every_saved_finding_passes() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions/facade");
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "bin"))
        .collect();
    entries.sort();
    assert!(!entries.is_empty(), "no findings in {}", dir.display());
    let _service = service();
    for path in entries {
        let data = std::fs::read(&path).unwrap();
        let result = std::panic::catch_unwind(|| model::run(&data));
        assert!(result.is_ok(), "{} fails", path.display());
    }
}

/// A few thousand random op sequences, the same every run (one service reset for all: a
/// reset costs more than a sequence). With `EVTLOG_FUZZ_SEED_DIR`
/// set, the seeds are written there too (fuzz/seed.sh fills the target's corpus so).
#[test]
fn random_op_sequences_match_the_model() {
    let _service = service();
    if let Some(dir) = std::env::var_os("EVTLOG_FUZZ_SEED_DIR") {
        let dir = PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, data) in seeds() {
            std::fs::write(dir.join(name), data).unwrap();
        }
    }
    for (_, data) in seeds() {
        model::run(&data);
    }
    let mut rng = Rng(0x0DDB_A11C_0FFE_E123);
    model::run_all((0..2000).map(|_| rng.input()));
}

/// The same, on a persistent store: the channels are .evtx files, and the records a call
/// reads come from the file's sealed chunks and the open chunk's records in memory
/// (issue 20). Fewer sequences: each clear rewrites a file.
#[test]
fn random_op_sequences_match_the_model_on_a_persistent_store() {
    let _service = service();
    let store = crate::TempDir::new("facade-model-store");
    let mut rng = Rng(0x005E_EDF1_1E57_0BE5);
    let inputs: Vec<(usize, Vec<u8>)> = (0..200)
        .map(|_| ((rng.next() % 80) as usize, rng.input()))
        .collect();
    model::run_all_on_store(&store.0, inputs);
    evtlog::winevt::controls::reset();
}

/// A finding of the model (the regression file `cancelled-query-strict-seek-out-of-range`):
/// a cancelled query answered a strict seek outside its results, or any strict seek on an
/// empty channel, with 15012 instead of ERROR_CANCELLED: EvtCancel on a query is for good
/// (the cancel is sticky until the handle is closed), whatever the seek's arguments.
#[test]
fn a_cancelled_query_fails_every_seek_with_1223() {
    use evtlog::winevt::*;
    let _service = service();
    controls::reset();
    let engine = controls::engine();
    for _ in 0..3 {
        engine
            .write(
                "Application",
                evtlog::Event::builder("P").event_id(1).build(),
            )
            .unwrap();
    }
    for channel in ["Application", "System"] {
        let query = EvtQuery(0, Some(channel), None, EvtQueryChannelPath);
        assert_ne!(query, 0);
        assert_eq!(EvtCancel(query), TRUE);
        for (offset, origin) in [
            (-3, EvtSeekRelativeToFirst),
            (5, EvtSeekRelativeToFirst),
            (0, EvtSeekRelativeToFirst),
            (1, EvtSeekRelativeToLast),
            (-9, EvtSeekRelativeToCurrent),
        ] {
            assert_eq!(EvtSeek(query, offset, 0, 0, origin | EvtSeekStrict), FALSE);
            assert_eq!(GetLastError(), 1223, "{channel} {offset} {origin}");
        }
        assert_eq!(EvtClose(query), TRUE);
    }
}
