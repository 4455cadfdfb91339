//! `qe FILE.evtx /lf:true` on all cores: the log file is read through the library's
//! parallel file query (`Session::query_file_parallel`), each chunk's events rendered on the
//! worker that decoded it, and the rendered chunks printed in record order.
//!
//! What it serves ([`plan`]): one log file (`/lf:true`, not `/sq`), any `/q`, `/rd`, `/c`,
//! `/e`, in `/f:xml` or `/f:text`. The rest takes the sequential `ResultSet` path in
//! main.rs: `/bm` and `/sbm` (they seek to and save the position of one event, which a
//! result set does), `/f:RenderedXml` (refused for log files anyway), and the formats this
//! module does not render yet (`/f:json`, `/f:jsonl`: add a [`Format`] variant whose
//! per-event writer appends to the chunk's `String`, in [`render_chunk`]).
//!
//! `--threads` defaults to every core, except for a few events (`/c:N`, N ≤ 100) without a
//! filter, which one or two chunks hold: those read on the caller's thread alone.
//!
//! Invariant: the bytes printed are the sequential path's, for any thread count, both
//! directions, any filter and count (tested against it in cli/tests). The text layout's
//! `Event[N]:` heading is numbered by the printer, since a worker does not know how many
//! events came before its chunk; the worker renders the rest of each event.

use evtlog::{Engine, EventRef, QueryFlags};
use std::io::Write;
use std::sync::{Arc, Mutex};

/// The output formats the parallel path renders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One XML event per line (or all inside `/e`'s element, without newlines).
    Xml,
    /// wevtutil's text layout (`text.rs`).
    Text,
}

/// A log file query the parallel path serves.
#[derive(Debug)]
pub struct Plan {
    /// The absolute path of the file.
    pub path: String,
    pub query: Option<String>,
    pub reverse: bool,
    pub count: Option<u64>,
    pub format: Format,
    /// `/e`: the root element wrapping the XML output.
    pub element: Option<String>,
    pub threads: usize,
}

/// What can go wrong while printing.
#[derive(Debug)]
pub enum Failure {
    /// The query or reading the file failed (wevtutil's "Failed to read events.").
    Read(evtlog::Error),
    /// Writing the output failed.
    Write(std::io::Error),
}

/// Threads to use: `--threads N`, else every core the process may run on.
pub fn threads(given: Option<usize>) -> usize {
    given.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// A `qe` whose options are already checked, as [`plan`] reads it.
pub struct Request<'a> {
    pub log_file: bool,
    pub structured: bool,
    /// The absolute file path (`None` for a structured query).
    pub path: Option<&'a str>,
    pub query: Option<&'a str>,
    pub reverse: bool,
    pub count: Option<u64>,
    /// `/f` lowercased (`None`: xml).
    pub format: Option<&'a str>,
    pub element: Option<&'a str>,
    pub bookmark: bool,
    pub save_bookmark: bool,
    pub threads: Option<usize>,
}

/// The parallel plan for `request`, or `None` where the sequential path must run (see the
/// module's doc).
pub fn plan(request: Request<'_>) -> Option<Plan> {
    let format = match request.format {
        None | Some("xml") => Format::Xml,
        Some("text") => Format::Text,
        // /f:json and /f:jsonl: once json.rs writes one event into a `String`, add a
        // `Format` variant for each and call that writer in `render_chunk` (jsonl: one
        // event per line; json: `run` writes the array's brackets and the commas between
        // events, as it writes `/e`'s element). Until then they take the sequential path.
        _ => return None,
    };
    if !request.log_file || request.structured || request.bookmark || request.save_bookmark {
        return None;
    }
    Some(Plan {
        path: request.path?.to_owned(),
        query: request.query.map(str::to_owned),
        reverse: request.reverse,
        count: request.count,
        format,
        element: request.element.map(str::to_owned),
        threads: match request.count {
            // A few events without a filter are in the first chunk or two: reading ahead on
            // other threads would decode chunks nobody prints.
            Some(n) if n <= FEW && request.query.is_none() && request.threads.is_none() => 1,
            _ => threads(request.threads),
        },
    })
}

/// A `/c` at most this, with no `/q` and no `--threads`, reads on one thread.
const FEW: u64 = 100;

/// One chunk's events rendered: the text and where each event ends in it.
struct Rendered {
    text: String,
    ends: Vec<usize>,
}

/// Rendered chunks' buffers, back from the printer: a chunk's text (~100 KiB to 300 KiB)
/// would otherwise be a fresh allocation each time, which the allocator maps and the
/// kernel zero-fills page by page.
type Spares = Arc<Mutex<Vec<Rendered>>>;

/// Renders `events` in `format` (on a worker thread) into a spare buffer. Text events
/// leave out their `Event[N]:` heading, which the printer writes.
fn render_chunk(events: &[EventRef], format: Format, newline: bool, spares: &Spares) -> Rendered {
    let spare = spares.lock().unwrap_or_else(|e| e.into_inner()).pop();
    let Rendered { mut text, mut ends } = spare.unwrap_or_else(|| Rendered {
        text: String::with_capacity(events.len() * 1024),
        ends: Vec::with_capacity(events.len()),
    });
    text.clear();
    ends.clear();
    let mut scratch = String::new();
    for event in events {
        match format {
            Format::Xml => {
                event.write_xml(&mut text);
                if newline {
                    text.push('\n');
                }
            }
            Format::Text => {
                scratch.clear();
                crate::text::write_event(&mut scratch, 0, event.event());
                text.push_str(scratch.strip_prefix(TEXT_HEADING).unwrap_or(&scratch));
            }
        }
        ends.push(text.len());
    }
    Rendered { text, ends }
}

/// The heading `text::write_event` writes for index 0.
const TEXT_HEADING: &str = "Event[0]:\n";

/// Prints the events `plan` selects to `out`, in record order.
pub fn run(engine: &Engine, plan: &Plan, out: &mut impl Write) -> Result<(), Failure> {
    let flags = if plan.reverse {
        QueryFlags::FILE_PATH | QueryFlags::REVERSE_DIRECTION
    } else {
        QueryFlags::FILE_PATH
    };
    let query = engine
        .default_session()
        .query_file_parallel(&plan.path, plan.query.as_deref(), flags, plan.threads)
        .map_err(Failure::Read)?;
    let (format, newline) = (plan.format, plan.element.is_none());
    let spares = Spares::default();
    let workers = Arc::clone(&spares);
    let chunks = query
        .map_chunks(move |events| render_chunk(events, format, newline, &workers))
        .map_err(Failure::Read)?;
    let root = plan.element.as_deref().filter(|_| format == Format::Xml);
    if let Some(root) = root {
        write!(out, "<{root}>").map_err(Failure::Write)?;
    }
    let mut left = plan.count.unwrap_or(u64::MAX);
    let mut index = 0u64;
    for chunk in chunks {
        if left == 0 {
            break;
        }
        let chunk = chunk.map_err(Failure::Read)?;
        let take = usize::try_from(left).map_or(chunk.ends.len(), |l| l.min(chunk.ends.len()));
        left -= take as u64;
        match format {
            Format::Xml => {
                let end = if take == 0 { 0 } else { chunk.ends[take - 1] };
                out.write_all(&chunk.text.as_bytes()[..end])
                    .map_err(Failure::Write)?;
            }
            Format::Text => {
                let mut start = 0;
                for &end in &chunk.ends[..take] {
                    write!(out, "Event[{index}]:\n{}", &chunk.text[start..end])
                        .map_err(Failure::Write)?;
                    start = end;
                    index += 1;
                }
            }
        }
        // At most one buffer per chunk in flight is kept.
        let mut spares = spares.lock().unwrap_or_else(|e| e.into_inner());
        if spares.len() < plan.threads * (evtlog::AHEAD_PER_WORKER + 1) {
            spares.push(chunk);
        }
    }
    if let Some(root) = root {
        writeln!(out, "</{root}>").map_err(Failure::Write)?;
    }
    Ok(())
}
