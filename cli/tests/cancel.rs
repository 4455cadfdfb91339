//! Ctrl-C and evtutil: SIGINT sent to `epl` and `cl /bu` while they work over a large
//! store cancels the call through the engine, prints wevtutil's cancel message (1223),
//! exits with status 130, and leaves no file and the channel as it was. A second SIGINT
//! exits at once. No progress output reaches a stderr that is not a terminal.
//!
//! Each SIGINT is sent mid-way, and the test checks that it was: only after the export's
//! temporary file appeared (the work is under way) and while the process still runs; a
//! status of 130 then says the cancel took effect before the file was put in place (an
//! export that finished first exits 0). A run whose command won the race is retried on a
//! larger store, never counted as a pass.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use evtlog::{ChannelConfig, ChannelType, Engine, Generator, Next, Profile, QueryFlags};

const CHANNEL: &str = "Big";

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("evtutil-cancel-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Removes its directory when dropped, whatever the test's outcome.
struct Cleanup(PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A store in `dir` whose channel `Big` holds `count` generated events more than it held.
fn grow_store(dir: &Path, count: usize) {
    let engine = Engine::open_store_dir(dir).unwrap();
    if !engine.has_channel(CHANNEL) {
        let config = ChannelConfig::new(CHANNEL, ChannelType::Operational).with_max_size(1 << 30);
        engine.create_channel(config).unwrap();
    }
    let mut generator = Generator::new(22);
    for _ in 0..count {
        engine
            .write(CHANNEL, generator.next_event(Profile::Security))
            .unwrap();
    }
}

/// A channel's record count and first and last record ids.
type State = (u64, Option<u64>, Option<u64>);

/// The channel's state, read with the library.
fn channel_state(dir: &Path) -> State {
    let engine = Engine::open_store_dir_read_only(dir).unwrap();
    let count = engine.channel(CHANNEL).unwrap().record_count();
    let session = engine.default_session();
    let edge = |flags| {
        let results = session.query(Some(CHANNEL), None, flags).unwrap();
        match results.next(1, None).unwrap() {
            Next::Events(events) => events[0].event().system.event_record_id,
            Next::End | Next::TimedOut => None,
        }
    };
    (
        count,
        edge(QueryFlags::default()),
        edge(QueryFlags::REVERSE_DIRECTION),
    )
}

fn spawn(store: &Path, args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_evtutil"))
        .arg("--store")
        .arg(store)
        .args(args)
        .env_remove("EVTLOG_STORE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("evtutil starts")
}

fn sigint(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success(), "kill -INT failed");
}

/// The temporary files beside `target` (`<name>.<pid>-<n>.tmp`).
fn temporaries(target: &Path) -> Vec<PathBuf> {
    let name = target.file_name().unwrap().to_string_lossy().into_owned();
    std::fs::read_dir(target.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let file = p.file_name().unwrap().to_string_lossy();
            file.starts_with(&format!("{name}.")) && file.ends_with(".tmp")
        })
        .collect()
}

/// How a run against the signal went.
enum Race {
    /// The signal came while the work was under way; the command's output.
    MidWay(Output),
    /// The command finished before the work was seen or the signal sent: a larger store
    /// is needed.
    TooFast(Output),
}

/// Runs `args`, waits until the temporary beside `target` appears (the work is under
/// way), then sends `signals` SIGINTs (the second right after the first) while the
/// process still runs.
fn interrupt(store: &Path, args: &[&str], target: &Path, signals: usize) -> Race {
    let mut child = spawn(store, args);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().unwrap().is_some() {
            return Race::TooFast(child.wait_with_output().unwrap());
        }
        if !temporaries(target).is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "evtutil never started writing");
        std::thread::sleep(Duration::from_millis(1));
    }
    // Let the export get into its stride (more than one batch written).
    std::thread::sleep(Duration::from_millis(30));
    if child.try_wait().unwrap().is_some() {
        return Race::TooFast(child.wait_with_output().unwrap());
    }
    for _ in 0..signals {
        sigint(&child);
    }
    let output = child.wait_with_output().unwrap();
    if output.status.success() {
        // It finished before the signal was handled.
        return Race::TooFast(output);
    }
    Race::MidWay(output)
}

/// A race the signal won: the store (removed when dropped), the channel's state before,
/// and the command's output.
struct Raced {
    _guard: Cleanup,
    store: PathBuf,
    before: State,
    output: Output,
}

/// Runs the race on a store growing until the signal lands mid-way.
fn race(
    name: &str,
    args: impl Fn(&Path) -> Vec<String>,
    target: impl Fn(&Path) -> PathBuf,
    signals: usize,
) -> Raced {
    let dir = temp_dir(name);
    let guard = Cleanup(dir.clone());
    let store = dir.join("store");
    let grow = 60_000;
    for attempt in 0..4 {
        grow_store(&store, grow);
        let before = channel_state(&store);
        let target = target(&dir);
        let args = args(&dir);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        match interrupt(&store, &args, &target, signals) {
            Race::MidWay(output) => {
                return Raced {
                    _guard: guard,
                    store,
                    before,
                    output,
                }
            }
            Race::TooFast(output) => {
                eprintln!(
                    "attempt {attempt}: {name} finished before the signal ({}), growing the store",
                    output.status
                );
                let _ = std::fs::remove_file(&target);
                // More events each time (a clear that completed emptied the channel; an
                // export's store keeps growing, to 240,000 events, ~200 MB, at most).
            }
        }
    }
    panic!("{name}: the command always finished before the signal");
}

fn assert_cancelled(output: &Output, what: &str) {
    assert_eq!(output.status.code(), Some(130), "{output:?}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.trim_end(),
        format!("Failed to {what}. The operation was canceled by the user. (1223)"),
        "{output:?}"
    );
}

#[test]
fn sigint_cancels_an_export_mid_way_and_leaves_no_file() {
    let Raced {
        _guard,
        store,
        before,
        output,
    } = race(
        "epl",
        |dir| {
            vec![
                "epl".into(),
                CHANNEL.into(),
                dir.join("out.evtx").display().to_string(),
            ]
        },
        |dir| dir.join("out.evtx"),
        1,
    );
    assert_cancelled(&output, "export the log");
    let dir = store.parent().unwrap();
    assert!(!dir.join("out.evtx").exists(), "a partial export was left");
    assert_eq!(temporaries(&dir.join("out.evtx")), Vec::<PathBuf>::new());
    assert_eq!(channel_state(&store), before, "the channel changed");
}

#[test]
fn sigint_cancels_a_clear_with_backup_and_clears_nothing() {
    let Raced {
        _guard,
        store,
        before,
        output,
    } = race(
        "cl",
        |dir| {
            vec![
                "cl".into(),
                CHANNEL.into(),
                format!("/bu:{}", dir.join("backup.evtx").display()),
            ]
        },
        |dir| dir.join("backup.evtx"),
        1,
    );
    assert_cancelled(&output, "clear the log");
    let dir = store.parent().unwrap();
    assert!(
        !dir.join("backup.evtx").exists(),
        "a partial backup was left"
    );
    assert_eq!(temporaries(&dir.join("backup.evtx")), Vec::<PathBuf>::new());
    let after = channel_state(&store);
    assert!(before.0 > 0, "the channel had records");
    assert_eq!(after, before, "the cancelled clear changed the channel");
}

#[test]
fn a_second_sigint_exits_at_once_and_leaves_no_file() {
    let Raced {
        _guard,
        store,
        before,
        output,
    } = race(
        "epl2",
        |dir| {
            vec![
                "epl".into(),
                CHANNEL.into(),
                dir.join("out.evtx").display().to_string(),
            ]
        },
        |dir| dir.join("out.evtx"),
        2,
    );
    // Either press may be the one that ends it (the first's cancel can win the race with
    // the second): both say so, with 130.
    assert_cancelled(&output, "export the log");
    let dir = store.parent().unwrap();
    assert!(!dir.join("out.evtx").exists());
    assert_eq!(temporaries(&dir.join("out.evtx")), Vec::<PathBuf>::new());
    assert_eq!(channel_state(&store), before);
}

#[test]
fn no_progress_reaches_a_stderr_that_is_not_a_terminal() {
    let dir = temp_dir("quiet");
    let _guard = Cleanup(dir.clone());
    let store = dir.join("store");
    grow_store(&store, 20_000);
    let target = dir.join("out.evtx");
    // Long enough for a bar to be due (past its 250 ms delay) were stderr a terminal.
    let started = Instant::now();
    let epl = spawn(&store, &["epl", CHANNEL, &target.display().to_string()])
        .wait_with_output()
        .unwrap();
    assert!(epl.status.success(), "{epl:?}");
    assert!(
        epl.stderr.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&epl.stderr)
    );
    let qe = spawn(&store, &["qe", CHANNEL]).wait_with_output().unwrap();
    assert!(qe.status.success());
    assert!(
        qe.stderr.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&qe.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&qe.stdout).lines().count(), 20_000);
    eprintln!("epl and qe of 20,000 events took {:?}", started.elapsed());
}

#[test]
fn sigint_stops_a_query_between_batches() {
    use std::io::Read;
    let dir = temp_dir("qe");
    let _guard = Cleanup(dir.clone());
    let store = dir.join("store");
    grow_store(&store, 60_000);
    let mut child = spawn(&store, &["qe", CHANNEL]);
    let mut stdout = child.stdout.take().unwrap();
    // Wait for the first events (the query is under way), then interrupt it while it runs,
    // reading on so that it is never held up by a full pipe.
    let mut first = vec![0u8; 1 << 16];
    let n = stdout.read(&mut first).unwrap();
    assert!(n > 0, "qe printed nothing");
    assert!(child.try_wait().unwrap().is_none(), "qe finished already");
    sigint(&child);
    let mut rest = Vec::new();
    stdout.read_to_end(&mut rest).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_cancelled(&output, "read events");
    let printed = first[..n]
        .iter()
        .chain(&rest)
        .filter(|b| **b == b'\n')
        .count();
    assert!(
        printed < 60_000,
        "the query ran to the end: {printed} events"
    );
}

/// A verb with no session to cancel through (`trace`) ends at the first Ctrl-C, as it would
/// without a handler: here one blocked opening a FIFO that no one writes.
#[test]
fn sigint_ends_a_verb_with_nothing_to_cancel_at_once() {
    let dir = temp_dir("fifo");
    let _guard = Cleanup(dir.clone());
    let fifo = dir.join("calls.jsonl");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let child = spawn(&dir, &["trace", &fifo.display().to_string()]);
    // It blocks in the FIFO's open for as long as no writer comes.
    std::thread::sleep(Duration::from_millis(300));
    let mut child = child;
    assert!(child.try_wait().unwrap().is_none(), "trace did not wait");
    sigint(&child);
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "trace did not end at Ctrl-C"
        );
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(status.code(), Some(130));
}

/// On a terminal (a pseudo-terminal `script` gives it) a long export shows its bar on
/// stderr: events of the channel's total and an ETA; a short command shows none.
#[test]
fn a_terminal_sees_a_long_exports_bar_and_a_short_commands_none() {
    let dir = temp_dir("tty");
    let _guard = Cleanup(dir.clone());
    let store = dir.join("store");
    // Long enough to pass the bar's quarter second: an optimized build exports faster.
    let events = if cfg!(debug_assertions) {
        30_000
    } else {
        200_000
    };
    grow_store(&store, events);
    let bin = env!("CARGO_BIN_EXE_evtutil");
    let on_terminal = |command: String| {
        let output = Command::new("script")
            .args(["-qfec", &command, "/dev/null"])
            .env_remove("EVTLOG_STORE")
            .stdin(Stdio::null())
            .output()
            .expect("script runs");
        assert!(output.status.success(), "{command}: {output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let target = dir.join("out.evtx");
    let long = on_terminal(format!(
        "stty cols 120; '{bin}' --store '{}' epl {CHANNEL} '{}'",
        store.display(),
        target.display()
    ));
    assert!(
        long.contains("Exporting")
            && long.contains(&format!(
                "/{}",
                if events == 30_000 {
                    "30,000"
                } else {
                    "200,000"
                }
            ))
            && long.contains("ETA"),
        "{long}"
    );
    let short = on_terminal(format!("'{bin}' --store '{}' el", store.display()));
    assert!(short.contains(CHANNEL), "{short}");
    assert!(
        !short.contains("events"),
        "a short command drew a bar: {short}"
    );
}
