//! Progress bars and Ctrl-C for the long verbs (`qe`, `epl`, `cl /bu`, `im`).
//!
//! Ctrl-C: [`install`] sets a SIGINT handler (the `ctrlc` crate: it runs on a thread of its
//! own, not in the signal's context) once the arguments are parsed, and a read of a log file
//! smaller than [`BRIEF_READ_BYTES`] ([`install_for_read`]; `gli /lf` reads a header only)
//! runs without it: such a run takes a few milliseconds and leaves nothing behind, so
//! Ctrl-C ends it at once, as it ends a process still parsing its arguments or opening its
//! store. Before a verb registers its session (`trace`) Ctrl-C ends the process at once
//! with 130, as without a handler. After,
//! the first Ctrl-C cancels the running call through
//! the session the verb uses ([`cancel_through`]: EvtCancel on the engine's default
//! session) and marks the process interrupted; loops the CLI drives itself (`qe`'s `next`)
//! poll [`interrupted`] between calls, since a session cancel reaches only the calls in
//! flight. The call returns Cancelled (1223) and the verb fails with wevtutil's message;
//! `main` then exits with status 130, as Unix tools do after Ctrl-C. The library leaves
//! no file behind (an export or a backup is written to a temporary beside its target) and
//! clears nothing. A second Ctrl-C exits at once (130), after removing the temporaries of
//! the targets registered with [`leaves_behind`].
//!
//! A verb that completes although Ctrl-C came (the cancel arrived after its last poll)
//! reports success, as EvtCancel on Windows has no effect on a call that is done.
//!
//! Progress: a [`Bar`] on stderr, only when stderr is a terminal (tests and pipes see
//! nothing), and only after [`SHOW_AFTER`] of work, so short commands never flash one.
//! The library reports an export's or a backup's progress per batch
//! (`evtlog::Progress`); `qe` calls [`Bar::advance`] per batch it prints.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use evtlog::{Engine, QueryFlags, Session};
use indicatif::{HumanBytes, HumanCount, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Exit status after Ctrl-C: 128 + SIGINT, as shells report a process it ended.
pub const INTERRUPTED_STATUS: u8 = 130;

/// How long a verb works before its bar appears.
pub const SHOW_AFTER: Duration = Duration::from_millis(250);

/// Ctrl-C presses seen.
static PRESSES: AtomicU32 = AtomicU32::new(0);
/// A bar is on the screen (a second Ctrl-C starts a new line before its message).
static BAR_SHOWN: AtomicBool = AtomicBool::new(false);
/// The cancel message was printed: by `main` or by a second Ctrl-C, whichever comes first,
/// never both.
static MESSAGE_PRINTED: AtomicBool = AtomicBool::new(false);

/// What the handler acts on: the session to cancel, what the verb does (for the message a
/// second Ctrl-C prints), and the targets whose temporaries it removes.
struct Watched {
    session: Option<Session>,
    what: &'static str,
    targets: Vec<PathBuf>,
}

static WATCHED: Mutex<Watched> = Mutex::new(Watched {
    session: None,
    what: "run the command",
    targets: Vec::new(),
});

fn watched() -> std::sync::MutexGuard<'static, Watched> {
    WATCHED
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Installs the SIGINT handler, once. Without one (not yet installed, or it failed to
/// install) Ctrl-C ends the process as it would anyway.
pub fn install() {
    static HANDLER: std::sync::Once = std::sync::Once::new();
    HANDLER.call_once(|| {
        let _ = ctrlc::set_handler(on_interrupt);
    });
}

/// A log file smaller than this is read without the handler: the whole run takes a few
/// milliseconds, a tenth of which would be starting the handler's thread.
pub const BRIEF_READ_BYTES: u64 = 1 << 20;

/// Installs the handler for a read of the log file at `path`, unless the file is smaller
/// than [`BRIEF_READ_BYTES`] (a read leaves nothing behind, so Ctrl-C may end it at once).
pub fn install_for_read(path: &str) {
    if std::fs::metadata(path).map_or(true, |m| m.len() >= BRIEF_READ_BYTES) {
        install();
    }
}

fn on_interrupt() {
    if PRESSES.fetch_add(1, Ordering::SeqCst) == 0 {
        // Cloned out: no lock is held while the engine cancels.
        let session = watched().session.clone();
        match session {
            Some(session) => session.cancel(),
            // Nothing to cancel through (`trace`, or the store still opening): Ctrl-C
            // ends the process as it would without a handler.
            None => std::process::exit(i32::from(INTERRUPTED_STATUS)),
        }
        return;
    }
    // A second Ctrl-C: at once, leaving no temporary of ours behind.
    let (what, targets) = {
        let w = watched();
        (w.what, w.targets.clone())
    };
    for target in &targets {
        remove_temporaries(target);
    }
    if BAR_SHOWN.load(Ordering::Relaxed) {
        eprintln!();
    }
    if !MESSAGE_PRINTED.swap(true, Ordering::SeqCst) {
        eprintln!("{}", cancelled_message(what));
    }
    std::process::exit(i32::from(INTERRUPTED_STATUS));
}

/// Prints the failure of an interrupted verb, unless a second Ctrl-C printed it already
/// (it is exiting the process meanwhile): wevtutil's cancel message, whatever detail the
/// call's error carried, when the verb failed with 1223; else its own message.
pub fn print_once(message: &str) {
    let message = if message.ends_with(&format!("({})", evtlog::codes::ERROR_CANCELLED)) {
        cancelled_message(watched().what)
    } else {
        message.to_owned()
    };
    if !MESSAGE_PRINTED.swap(true, Ordering::SeqCst) {
        eprintln!("{message}");
    }
}

/// Whether Ctrl-C was pressed.
pub fn interrupted() -> bool {
    PRESSES.load(Ordering::SeqCst) > 0
}

/// wevtutil's message for a cancelled operation: "Failed to `<what>`. The operation was
/// canceled by the user. (1223)".
pub fn cancelled_message(what: &str) -> String {
    let code = evtlog::codes::ERROR_CANCELLED;
    let text = evtlog::win32_message(code).unwrap_or("The operation was canceled.");
    format!("Failed to {what}. {text} ({code})")
}

/// What `verb` does, in wevtutil's "Failed to …" wording.
fn what_of(verb: &str) -> &'static str {
    match verb {
        "qe" | "query-events" => "read events",
        "epl" | "export-log" => "export the log",
        "cl" | "clear-log" => "clear the log",
        "im" | "install-manifest" => "install the manifest",
        "um" | "uninstall-manifest" => "uninstall the manifest",
        _ => "run the command",
    }
}

/// Ctrl-C from now on cancels the calls of `session`, which `verb` uses (until then it
/// ends the process at once). Fails with the cancel message if Ctrl-C came while this was
/// being registered: the verb does not start.
pub fn cancel_through(session: &Session, verb: &str) -> Result<(), String> {
    let what = what_of(verb);
    {
        let mut w = watched();
        w.session = Some(session.clone());
        w.what = what;
    }
    if interrupted() {
        return Err(cancelled_message(what));
    }
    Ok(())
}

/// `target` (an export's or a backup's file) is being written: a second Ctrl-C removes
/// its temporaries (the library's `<target>.<pid>-<n>.tmp`), which the library would have
/// removed had it finished.
pub fn leaves_behind(target: &Path) {
    watched().targets.push(target.to_path_buf());
}

/// Removes this process's temporaries beside `target`.
fn remove_temporaries(target: &Path) {
    let (Some(dir), Some(name)) = (target.parent(), target.file_name()) else {
        return;
    };
    let prefix = format!("{}.{}-", name.to_string_lossy(), std::process::id());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let file = entry.file_name();
        let file = file.to_string_lossy();
        if file.starts_with(&prefix) && file.ends_with(".tmp") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether bars may be drawn: stderr is a terminal.
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

/// A progress bar on stderr: records and bytes done, rate, ETA when a total is known.
/// Hidden unless stderr is a terminal, and until [`SHOW_AFTER`] has passed; cleared when
/// dropped.
#[derive(Debug)]
pub struct Bar {
    inner: Option<Shown>,
}

#[derive(Debug)]
struct Shown {
    bar: ProgressBar,
    started: Instant,
    visible: bool,
    bytes: u64,
    /// A total the library reports fills the bar (false when a query filters, which
    /// makes it an upper bound only).
    fill: bool,
}

impl Bar {
    /// A bar for `what` ("Exporting"). `show` false (the verb's output is on the same
    /// screen) or a stderr that is not a terminal makes it a no-op, and then `total` (the
    /// records to do, if known) is not asked: it may cost a read of the source's headers.
    pub fn new(what: &str, show: bool, total: impl FnOnce() -> Option<u64>) -> Bar {
        if !show || !stderr_is_terminal() {
            return Bar { inner: None };
        }
        let total = total();
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::hidden());
        set_style(&bar, total.is_some());
        bar.set_prefix(what.to_owned());
        Bar {
            inner: Some(Shown {
                bar,
                started: Instant::now(),
                visible: false,
                bytes: 0,
                fill: false,
            }),
        }
    }

    /// A bar for a library call whose reports (`Bar::report`) carry the total: it fills
    /// the bar when `fill` (no query filters the records).
    pub fn for_reports(what: &str, fill: bool) -> Bar {
        let mut bar = Bar::new(what, true, || None);
        if let Some(shown) = &mut bar.inner {
            shown.fill = fill;
        }
        bar
    }

    /// `records` more events and `bytes` more bytes done (a batch `qe` printed).
    pub fn advance(&mut self, records: u64, bytes: u64) {
        if let Some(shown) = &mut self.inner {
            shown.bar.inc(records);
            shown.bytes += bytes;
            shown.update();
        }
    }

    /// The library's report of an export or a backup (totals so far).
    pub fn report(&mut self, progress: &evtlog::Progress) {
        if let Some(shown) = &mut self.inner {
            if let (true, Some(total), None) = (shown.fill, progress.total, shown.bar.length()) {
                shown.bar.set_length(total);
                set_style(&shown.bar, true);
            }
            shown.bar.set_position(progress.records);
            shown.bytes = progress.bytes;
            shown.update();
        }
    }
}

/// The bar's layout: with a total, a bar and an ETA; without, a spinner and a count.
fn set_style(bar: &ProgressBar, total: bool) {
    let template = if total {
        "{prefix} {wide_bar} {human_pos}/{human_len} {msg} ETA {eta}"
    } else {
        "{spinner} {prefix} {human_pos} events {msg} {elapsed}"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
}

impl Shown {
    fn update(&mut self) {
        let elapsed = self.started.elapsed();
        if !self.visible && elapsed < SHOW_AFTER {
            return;
        }
        let seconds = elapsed.as_secs_f64().max(1e-3);
        let records = self.bar.position() as f64 / seconds;
        let bytes = self.bytes as f64 / seconds;
        self.bar.set_message(format!(
            "{} {}/s {}/s",
            HumanBytes(self.bytes),
            HumanCount(records as u64),
            HumanBytes(bytes as u64)
        ));
        if !self.visible {
            self.visible = true;
            BAR_SHOWN.store(true, Ordering::Relaxed);
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
            self.bar.enable_steady_tick(Duration::from_millis(200));
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(shown) = &self.inner {
            shown.bar.finish_and_clear();
            if shown.visible {
                BAR_SHOWN.store(false, Ordering::Relaxed);
            }
        }
    }
}

/// The records `qe` will print, for its bar: its one source's record count (at most
/// `count`, `/c`), when no query filters it.
pub fn query_total(
    engine: &Engine,
    path: Option<&str>,
    query: Option<&str>,
    flags: QueryFlags,
    count: Option<u64>,
) -> Option<u64> {
    if query.is_some_and(|q| q != "*") {
        return None;
    }
    let total = engine
        .default_session()
        .source_record_count(path, query, flags)?;
    Some(count.map_or(total, |c| c.min(total)))
}

/// A spinner for a verb that has nothing to count (`im`): drawn on stderr by a helper
/// thread from [`SHOW_AFTER`] on, only when stderr is a terminal; cleared when dropped.
#[derive(Debug)]
pub struct Spinner {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Spinner {
    pub fn new(what: &'static str) -> Spinner {
        if !stderr_is_terminal() {
            return Spinner {
                stop: None,
                thread: None,
            };
        }
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            if stopped.recv_timeout(SHOW_AFTER) != Err(RecvTimeoutError::Timeout) {
                return;
            }
            let bar = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{spinner} {prefix} {elapsed}") {
                bar.set_style(style);
            }
            bar.set_prefix(what);
            bar.enable_steady_tick(Duration::from_millis(100));
            BAR_SHOWN.store(true, Ordering::Relaxed);
            // Until the spinner is dropped (the sender goes).
            let _ = stopped.recv();
            bar.finish_and_clear();
            BAR_SHOWN.store(false, Ordering::Relaxed);
        });
        Spinner {
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.stop = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cancel_message_is_wevtutils() {
        assert_eq!(
            cancelled_message("export the log"),
            "Failed to export the log. The operation was canceled by the user. (1223)"
        );
    }

    #[test]
    fn a_second_interrupt_removes_only_this_processs_temporaries() {
        let dir = std::env::temp_dir().join(format!("evtutil-tmp-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let target = dir.join("out.evtx");
        let ours = dir.join(format!("out.evtx.{}-0.tmp", std::process::id()));
        let theirs = dir.join("out.evtx.0-0.tmp");
        let other = dir.join("other.evtx");
        for f in [&ours, &theirs, &other] {
            std::fs::write(f, b"x").unwrap();
        }
        remove_temporaries(&target);
        let left = (ours.exists(), theirs.exists(), other.exists());
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(left, (false, true, true));
    }
}
