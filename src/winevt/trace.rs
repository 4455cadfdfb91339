//! The facade's call trace: every traced Evt* call as one JSON line in a file (`EVTLOG_TRACE`,
//! read at the process's first Evt* call, or [`trace_to`]), so that a test can assert what a
//! consumer called and how each call ended. A line (keys in this order):
//!
//! ```text
//! {"seq":3,"thread":1,"function":"EvtNext","args":{"ResultSet":4294967298,"EventsSize":10,
//!  "Timeout":0,"Flags":0},"result":1,"error":0,"ticks":0,"wall_ns":5130}
//! ```
//!
//! `seq` counts the lines of the file from 1; `thread` numbers the calling threads in the
//! order of their first traced call; `args` are what the function received (handles as
//! numbers, strings or null, flags, buffer sizes in elements — never a buffer's contents);
//! `result` the BOOL or handle returned; `error` the thread's last error after the call;
//! `ticks` the call's duration on the service's clock (100 ns units: 0 on a virtual clock
//! unless the call moved it), `wall_ns` on the wall clock.
//!
//! Invariants:
//! 1. With tracing off a call costs the fault hook's one atomic load at its start and one
//!    load of the same word at its end (`finish`); nothing is formatted.
//! 2. A line is written whole with one `write` under the sink's lock, so lines of concurrent
//!    calls never interleave, `seq` follows the file's order, and a killed process loses
//!    at most the line being written.
//! 3. A call counts once: a facade function that another one calls inside it is not traced
//!    (the thread's state is `Running`).
//! 4. Under a virtual clock, a single-threaded program's trace is the same from run to run
//!    but for `wall_ns` (handles are numbered by the handle table, which is deterministic).
//! 5. A trace file that cannot be opened or written leaves tracing off: `EVTLOG_TRACE`'s is
//!    reported once on stderr, [`trace_to`]'s is returned (the control's error); the program runs on.

use std::cell::{Cell, RefCell};
use std::fmt::Write as _;
use std::fs::File;
use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Instant;

use parking_lot::Mutex;

use super::service;
use crate::clock::Clock;
use crate::engine::{call_hooks, set_call_hook, HOOK_TRACE, HOOK_UNSTARTED};

/// The environment variable naming the file an unmodified program's calls are traced to.
pub const TRACE_VARIABLE: &str = "EVTLOG_TRACE";

struct Sink {
    file: File,
    lines: u64,
}

static SINK: Mutex<Option<Sink>> = Mutex::new(None);
static THREADS: AtomicU32 = AtomicU32::new(0);

/// A traced call between its start and its line.
pub(super) struct Pending {
    function: &'static str,
    args: String,
    ticks: u64,
    wall: Instant,
}

enum State {
    Idle,
    /// A traced call runs on this thread (invariant 3).
    Running,
    /// Its body has returned; the status helper that ends it writes the line.
    Parked(Box<Pending>),
}

thread_local! {
    static STATE: RefCell<State> = const { RefCell::new(State::Idle) };
    static THREAD: Cell<u32> = const { Cell::new(0) };
}

/// The arguments of a traced call, as the members of a JSON object.
pub(super) struct Args {
    text: String,
}

impl Args {
    fn key(&mut self, name: &str) -> &mut String {
        if !self.text.is_empty() {
            self.text.push(',');
        }
        push_string(&mut self.text, name);
        self.text.push(':');
        &mut self.text
    }

    /// A handle, as its number.
    pub(super) fn handle(&mut self, name: &str, handle: isize) -> &mut Args {
        let _ = write!(self.key(name), "{handle}");
        self
    }

    /// A DWORD (flags, ids, timeouts).
    pub(super) fn u32(&mut self, name: &str, value: u32) -> &mut Args {
        let _ = write!(self.key(name), "{value}");
        self
    }

    /// A signed number (EvtSeek's position).
    pub(super) fn i64(&mut self, name: &str, value: i64) -> &mut Args {
        let _ = write!(self.key(name), "{value}");
        self
    }

    /// A buffer's or array's size (in its elements), or a count.
    pub(super) fn size(&mut self, name: &str, value: usize) -> &mut Args {
        let _ = write!(self.key(name), "{value}");
        self
    }

    /// A string, or null for NULL.
    pub(super) fn str(&mut self, name: &str, value: Option<&str>) -> &mut Args {
        let text = self.key(name);
        match value {
            Some(s) => push_string(text, s),
            None => text.push_str("null"),
        }
        self
    }

    /// An array of strings.
    pub(super) fn strs(&mut self, name: &str, values: &[&str]) -> &mut Args {
        let text = self.key(name);
        text.push('[');
        for (i, s) in values.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            push_string(text, s);
        }
        text.push(']');
        self
    }

    /// Whether a pointer argument is non-NULL (a callback, a context, a variant).
    pub(super) fn present(&mut self, name: &str, present: bool) -> &mut Args {
        self.key(name)
            .push_str(if present { "true" } else { "false" });
        self
    }
}

/// `s` as a JSON string: quotes, backslashes and control characters escaped.
fn push_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Starts tracing a call of `function` (the hook word has [`HOOK_TRACE`]): `None` when the
/// thread is already in a traced call (invariant 3).
pub(super) fn start(function: &'static str, args: impl FnOnce(&mut Args)) -> Option<Box<Pending>> {
    let nested = STATE.with(|s| {
        let mut state = s.borrow_mut();
        // Parked: a call whose end was never seen (tracing went off meanwhile); stale.
        matches!(
            std::mem::replace(&mut *state, State::Running),
            State::Running
        )
    });
    if nested {
        return None;
    }
    let mut built = Args {
        text: String::new(),
    };
    args(&mut built);
    Some(Box::new(Pending {
        function,
        args: built.text,
        ticks: service::clock().now().0,
        wall: Instant::now(),
    }))
}

/// The call's body has returned (its guard dropped, or the fault hook failed it): the status
/// helper that ends the call writes its line.
pub(super) fn park(pending: Box<Pending>) {
    STATE.with(|s| *s.borrow_mut() = State::Parked(pending));
}

/// A facade call's end (the status helpers call it once the last error is set): writes the
/// parked call's line with `result` and the last error `error`.
#[inline]
pub(super) fn finish(result: i64, error: u32) {
    if call_hooks() & HOOK_TRACE != 0 {
        finish_traced(result, error);
    }
}

#[cold]
fn finish_traced(result: i64, error: u32) {
    let pending = STATE.with(|s| {
        let mut state = s.borrow_mut();
        match std::mem::replace(&mut *state, State::Idle) {
            State::Parked(pending) => Some(pending),
            other => {
                *state = other;
                None
            }
        }
    });
    let Some(pending) = pending else {
        return;
    };
    let ticks = service::clock().now().0.saturating_sub(pending.ticks);
    let wall = pending.wall.elapsed().as_nanos();
    let mut tail = String::with_capacity(96 + pending.args.len());
    tail.push_str("\"function\":");
    push_string(&mut tail, pending.function);
    let _ = writeln!(
        tail,
        ",\"args\":{{{}}},\"result\":{result},\"error\":{error},\"ticks\":{ticks},\"wall_ns\":{wall}}}",
        pending.args,
    );
    write_line(&tail);
}

/// Writes one line (invariant 2); a failed write turns tracing off with a message.
fn write_line(tail: &str) {
    let mut sink = SINK.lock();
    let Some(open) = sink.as_mut() else {
        return;
    };
    let thread = THREAD.with(|t| {
        if t.get() == 0 {
            t.set(THREADS.fetch_add(1, Ordering::Relaxed) + 1);
        }
        t.get()
    });
    open.lines += 1;
    let line = format!("{{\"seq\":{},\"thread\":{thread},{tail}", open.lines);
    if let Err(e) = open.file.write_all(line.as_bytes()) {
        *sink = None;
        set_call_hook(HOOK_TRACE, false);
        let _ = writeln!(
            std::io::stderr(),
            "evtlog: the call trace could not be written ({e}); tracing is off"
        );
    }
}

/// Traces every later Evt* call to the file at `path` (created, or truncated), in place of
/// any trace before; `None` stops tracing (and closes the file). A file that cannot be
/// created is its error, and tracing is then off (`controls::trace_to`).
pub(super) fn trace_to(path: Option<&Path>) -> std::io::Result<()> {
    let mut sink = SINK.lock();
    *sink = None;
    set_call_hook(HOOK_TRACE, false);
    if let Some(path) = path {
        *sink = Some(Sink {
            file: File::create(path)?,
            lines: 0,
        });
        set_call_hook(HOOK_TRACE, true);
    }
    Ok(())
}

/// The first Evt* call of the process: `EVTLOG_TRACE`'s file, if it names one and no trace
/// was set before (invariant 5).
#[cold]
pub(super) fn first_call() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if let Some(path) = std::env::var_os(TRACE_VARIABLE).filter(|p| !p.is_empty()) {
            let mut sink = SINK.lock();
            if sink.is_none() {
                match File::create(&path) {
                    Ok(file) => {
                        *sink = Some(Sink { file, lines: 0 });
                        set_call_hook(HOOK_TRACE, true);
                    }
                    Err(e) => {
                        let _ = writeln!(
                            std::io::stderr(),
                            "evtlog: {TRACE_VARIABLE}: cannot create {}: {e}; calls are not traced",
                            Path::new(&path).display()
                        );
                    }
                }
            }
        }
        set_call_hook(HOOK_UNSTARTED, false);
    });
}
