//! `qe FILE.evtx /lf:true` through the parallel file query (filequery.rs): the same bytes
//! as the sequential result-set path, for any `--threads`, both directions, with filters,
//! counts, `/e`, `/f:text`, `/f:json` and `/f:jsonl`. `/sbm` (which the parallel path leaves to the sequential one)
//! gives the reference output.

use std::process::{Command, Output};

#[path = "../../tests/support/evtx.rs"]
mod evtx;
#[path = "../../tests/support/samples.rs"]
mod samples;
#[path = "../../tests/support/temp.rs"]
mod temp;

fn evtutil(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_evtutil"))
        .args(args)
        .env_remove("EVTLOG_STORE")
        .output()
        .expect("evtutil runs")
}

const OPTIONS: [&[&str]; 15] = [
    &[],
    &["/rd:true"],
    &["/q:*[System[EventID=4624 or EventID=7036]]"],
    &["/q:*[EventData[Data[@Name='LogonType']='3']]", "/rd:true"],
    &["/c:7"],
    &["/rd:true", "/c:300"],
    &["/f:text", "/c:40"],
    &["/f:text", "/rd:true", "/q:*[System[Level<=3]]"],
    &["/e:Events", "/c:150"],
    &["/f:jsonl"],
    &["/f:jsonl", "/rd:true", "/c:250"],
    &["/f:json", "/q:*[System[EventID=4624 or EventID=7036]]"],
    &["/f:json", "/q:*[System[EventID=999999]]"],
    // The array's separators are written by the workers: cut by a count, both ways.
    &["/f:json", "/c:130"],
    &["/f:json", "/rd:true", "/c:1"],
];

/// Every option set on `file`: the sequential output, then each thread count's.
fn same_output_on_any_thread_count(file: &str) {
    let dir = temp::TempDir::new("cli-filequery");
    let bookmark = dir.file("bm.xml");
    for options in OPTIONS {
        let base = [&["qe", file, "/lf:true"][..], options].concat();
        let sbm = format!("/sbm:{bookmark}");
        let sequential = evtutil(&[&base[..], &[sbm.as_str()]].concat());
        for threads in ["1", "2", "3", "5"] {
            let parallel = evtutil(&[&["--threads", threads][..], &base].concat());
            assert_eq!(
                parallel.status.code(),
                sequential.status.code(),
                "{file} {options:?} --threads {threads}: {parallel:?}"
            );
            assert!(
                parallel.stdout == sequential.stdout,
                "{file} {options:?} --threads {threads}: {} bytes, expected {}",
                parallel.stdout.len(),
                sequential.stdout.len()
            );
            assert_eq!(parallel.stderr, sequential.stderr, "{file} {options:?}");
        }
    }
}

#[test]
fn a_written_log_prints_the_same_bytes_on_any_thread_count() {
    let (file, events) = evtx::security_log("cli-filequery");
    let o = evtutil(&["--threads", "3", "qe", file.path(), "/lf:true"]);
    assert!(o.status.success(), "{o:?}");
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).lines().count(),
        events.len()
    );
    same_output_on_any_thread_count(file.path());
}

#[test]
fn the_real_samples_print_the_same_bytes_on_any_thread_count() {
    let Some(samples) = samples::samples() else {
        return;
    };
    for name in [
        "evtx-crate/security.evtx",
        "evtx-crate/sample_with_a_bad_chunk_magic.evtx",
        "evtx-crate/Microsoft-Windows-WorkFolders%4WHC.evtx",
        "plaso/System.evtx",
    ] {
        same_output_on_any_thread_count(&samples.str(name));
    }
}

#[test]
fn bad_thread_counts_and_bad_files_are_reported() {
    for bad in ["0", "-1", "many"] {
        let o = evtutil(&["--threads", bad, "qe", "/x.evtx", "/lf:true"]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("--threads"));
    }
    // Not an .evtx file: the sequential path's message and status, whichever path.
    let not_evtx = temp::TempFile::new("cli-filequery-bad", b"not an event log at all");
    let dir = temp::TempDir::new("cli-filequery-bad-bm");
    let sbm = format!("/sbm:{}", dir.file("bm.xml"));
    let sequential = evtutil(&["qe", not_evtx.path(), "/lf:true", &sbm]);
    for threads in ["1", "2"] {
        let o = evtutil(&["--threads", threads, "qe", not_evtx.path(), "/lf:true"]);
        assert_eq!(o.status.code(), Some(1), "{o:?}");
        assert_eq!(o.stderr, sequential.stderr);
        assert!(String::from_utf8_lossy(&o.stderr).starts_with("Failed to read events."));
    }
}
