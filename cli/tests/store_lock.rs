//! evtutil and the store's write lock: while another writer holds a directory store, the
//! verbs that only read it work (they open it read-only) and the verbs that change it fail
//! with the sharing violation (32) naming the store; once the writer is gone they work.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use evtlog::Engine;

fn evtutil(store: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evtutil"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("EVTLOG_STORE")
        .output()
        .expect("evtutil runs")
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("evtutil-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn read_verbs_work_while_another_writer_holds_the_store_and_write_verbs_say_why_not() {
    let dir = temp_dir("store-lock");
    // First use (a read verb) makes and fills the store, under the lock, as before.
    let first = evtutil(&dir, &["qe", "Setup", "/c:3"]);
    assert!(first.status.success(), "{first:?}");
    assert!(dir.join("Setup.evtx").is_file());

    let writer = Engine::open_store_dir(&dir).unwrap();
    let files = |dir: &Path| {
        let mut names: Vec<(String, u64)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let name = e.file_name().to_string_lossy().into_owned();
                (name, e.metadata().unwrap().len())
            })
            .collect();
        names.sort();
        names
    };
    let before = files(&dir);
    for read in [
        vec!["qe", "Setup", "/c:3"],
        vec!["el"],
        vec!["gl", "Setup"],
        vec!["gli", "Setup"],
        vec!["ep"],
    ] {
        let o = evtutil(&dir, &read);
        assert!(
            o.status.success(),
            "{read:?} while another writer holds the store: {o:?}"
        );
    }
    assert_eq!(
        String::from_utf8(evtutil(&dir, &["qe", "Setup", "/c:3"]).stdout).unwrap(),
        String::from_utf8(first.stdout.clone()).unwrap(),
        "a read-only open reads the same records"
    );
    for write in [
        vec!["cl", "Setup"],
        vec!["sl", "Setup", "/ms:2097152"],
        vec!["eventcreate", "/t", "ERROR", "/id", "1", "/d", "x"],
        vec!["write", "Setup", "-"],
    ] {
        let o = evtutil(&dir, &write);
        assert!(!o.status.success(), "{write:?}: {o:?}");
        let err = String::from_utf8(o.stderr).unwrap();
        assert!(
            err.contains(
                "The process cannot access the file because it is being used by another process."
            ) && err.contains(&dir.display().to_string()),
            "{write:?}: {err}"
        );
    }
    assert_eq!(
        files(&dir),
        before,
        "nothing was written while the writer held it"
    );

    drop(writer);
    let cleared = evtutil(&dir, &["cl", "Setup"]);
    assert!(cleared.status.success(), "{cleared:?}");
    let after = evtutil(&dir, &["qe", "Setup"]);
    assert!(
        after.status.success() && after.stdout.is_empty(),
        "{after:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
