//! `qe FILE.evtx /lf:true` on all cores: the log file is read through the library's
//! parallel file query (`Session::query_file_parallel`), each chunk's events rendered on the
//! worker that decoded it, and the rendered chunks printed in record order. XML and JSON are
//! rendered through `map_records`: each record once, straight from its chunk where the
//! library can (no proof pass, no `Event`); text from the chunk's events (`map_chunks`).
//!
//! What it serves ([`plan`]): one log file (`/lf:true`, not `/sq`), any `/q`, `/rd`, `/c`,
//! `/e`, in `/f:xml`, `/f:text`, `/f:json` or `/f:jsonl`. The rest takes the sequential
//! `ResultSet` path in main.rs: `/bm` and `/sbm` (they seek to and save the position of one
//! event, which a result set does) and `/f:RenderedXml` (refused for log files anyway).
//!
//! `--threads` defaults to every core, except for a few events (`/c:N`, N ≤ 100) without a
//! filter, which one or two chunks hold, and a file of one chunk: those read on the
//! caller's thread alone.
//!
//! Invariant: the bytes printed are the sequential path's, for any thread count, both
//! directions, any filter and count (tested against it in cli/tests). What depends on an
//! event's place in the whole output is the printer's, since a worker does not know how many
//! events came before its chunk: the text layout's `Event[N]:` heading, and the comma the
//! JSON array's first element goes without (the worker writes `,\n` before every element,
//! the printer skips the output's first byte). The worker renders the rest of each event,
//! so that XML and JSON chunks are printed one write each.
//!
//! Progress and Ctrl-C (progress.rs): the printer advances the bar per chunk and stops at
//! the first chunk after an interrupt; the interrupt's session cancel stops the workers.

use evtlog::{ChunkRecords, Engine, EventRef, QueryFlags};
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

/// The output formats the parallel path renders.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One XML event per line (or all inside `/e`'s element, without newlines).
    Xml,
    /// wevtutil's text layout (`text.rs`).
    Text,
    /// The evtx crate's JSON (`json.rs`), framed as an array or as lines.
    Json(crate::json::Framing),
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
    /// Ctrl-C: the output stopped between two chunks.
    Interrupted,
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
        Some("json") => Format::Json(crate::json::Framing::Array),
        Some("jsonl") => Format::Json(crate::json::Framing::Lines),
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
            // One chunk is one worker's: no need to ask how many cores there are (which
            // reads the cgroup files, a good part of a small file's start-up).
            _ if request.threads.is_none() && request.path.is_some_and(one_chunk) => 1,
            _ => threads(request.threads),
        },
    })
}

/// A `/c` at most this, with no `/q` and no `--threads`, reads on one thread.
const FEW: u64 = 100;

/// Whether the file at `path` has room for one chunk at most (its 4 KiB header block and
/// less than two 64 KiB chunks), as the library counts chunk slots by the file's size.
/// A file that cannot be read says no: the query reports why.
fn one_chunk(path: &str) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.len() < 4096 + 2 * 65536)
}

/// One chunk's events rendered: the bytes (UTF-8) and where each event ends in them.
struct Rendered {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

/// Rendered chunks' buffers, back from the printer: a chunk's text (~100 KiB to 300 KiB)
/// would otherwise be a fresh allocation each time, which the allocator maps and the
/// kernel zero-fills page by page.
type Spares = Arc<Mutex<Vec<Rendered>>>;

/// A spare buffer from the printer, emptied, or a new one for about `events` events.
fn spare(spares: &Spares, events: usize) -> Rendered {
    let spare = spares.lock().unwrap_or_else(|e| e.into_inner()).pop();
    let mut rendered = spare.unwrap_or_else(|| Rendered {
        bytes: Vec::with_capacity(events * 1024),
        ends: Vec::with_capacity(events),
    });
    rendered.bytes.clear();
    rendered.ends.clear();
    rendered
}

/// Renders a chunk's records as XML (on a worker thread) into a spare buffer, one event a
/// line unless `/e` wraps them.
fn render_xml(records: &mut ChunkRecords<'_>, newline: bool, spares: &Spares) -> Rendered {
    // A chunk's XML is some 100 KiB to 300 KiB; a chunk of a few records (a small file's)
    // asks for room for those, not a mapping of 200 KiB the allocator makes and unmaps.
    let Rendered { bytes, mut ends } = spare(spares, records.remaining().clamp(1, 200));
    // An empty vector is valid UTF-8 at no cost, and keeps its room.
    let mut text = String::from_utf8(bytes).unwrap_or_default();
    while records.next_xml(&mut text) {
        if newline {
            text.push('\n');
        }
        ends.push(text.len());
    }
    Rendered {
        bytes: text.into_bytes(),
        ends,
    }
}

/// The JSON writers' states, each taken by a worker for a chunk and given back: at most
/// one per worker, each kept from chunk to chunk (its template keys, System heads).
type JsonStates = Mutex<Vec<crate::json::JsonState>>;

/// Renders a chunk's records as JSON (on a worker thread) into a spare buffer, framed as
/// `framing` frames them: lines end with a newline; array elements each begin with the
/// array's `,\n` separator (the printer drops the comma of the first element of the
/// output), so that the printer writes a chunk in one piece.
fn render_json(
    records: &mut ChunkRecords<'_>,
    framing: crate::json::Framing,
    spares: &Spares,
    states: &JsonStates,
) -> Rendered {
    let Rendered {
        mut bytes,
        mut ends,
    } = spare(spares, records.remaining().clamp(1, 200));
    let mut state = states
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .pop()
        .unwrap_or_default();
    // Straight from the record where the library can (no Event built).
    loop {
        let mark = bytes.len();
        if framing == crate::json::Framing::Array {
            bytes.extend_from_slice(b",\n");
        }
        if !records.next_visit(&mut crate::json::JsonWriter::new(&mut bytes, &mut state)) {
            bytes.truncate(mark);
            break;
        }
        if framing == crate::json::Framing::Lines {
            bytes.push(b'\n');
        }
        ends.push(bytes.len());
    }
    states.lock().unwrap_or_else(|e| e.into_inner()).push(state);
    Rendered { bytes, ends }
}

/// Renders `events` as text (on a worker thread) into a spare buffer, leaving out their
/// `Event[N]:` heading, which the printer writes.
fn render_text(events: &[EventRef], spares: &Spares) -> Rendered {
    let Rendered { bytes, mut ends } = spare(spares, events.len());
    // An empty vector is valid UTF-8 at no cost, and keeps its room.
    let mut text = String::from_utf8(bytes).unwrap_or_default();
    let mut scratch = String::new();
    for event in events {
        scratch.clear();
        event.with_event(|e| crate::text::write_event(&mut scratch, 0, e));
        text.push_str(scratch.strip_prefix(TEXT_HEADING).unwrap_or(&scratch));
        ends.push(text.len());
    }
    Rendered {
        bytes: text.into_bytes(),
        ends,
    }
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
    // XML and JSON: each record rendered once, straight from the chunk where the library
    // can; text from the chunk's events.
    let chunks = match format {
        Format::Xml => query.map_records(move |records| render_xml(records, newline, &workers)),
        Format::Json(framing) => {
            let states = JsonStates::default();
            query.map_records(move |records| render_json(records, framing, &workers, &states))
        }
        Format::Text => query.map_chunks(move |events| render_text(events, &workers)),
    }
    .map_err(Failure::Read)?;
    let root = plan.element.as_deref().filter(|_| format == Format::Xml);
    if let Some(root) = root {
        write!(out, "<{root}>").map_err(Failure::Write)?;
    }
    if let Format::Json(framing) = format {
        let mut begin = Vec::new();
        framing.begin(&mut begin);
        out.write_all(&begin).map_err(Failure::Write)?;
    }
    // On a terminal the events show the progress themselves: a bar only for output going
    // elsewhere.
    let mut bar = crate::progress::Bar::new("Reading", !std::io::stdout().is_terminal(), || {
        crate::progress::query_total(
            engine,
            Some(&plan.path),
            plan.query.as_deref(),
            flags,
            plan.count,
        )
    });
    let mut left = plan.count.unwrap_or(u64::MAX);
    let mut index = 0u64;
    for chunk in chunks {
        if left == 0 {
            break;
        }
        if crate::progress::interrupted() {
            return Err(Failure::Interrupted);
        }
        let chunk = chunk.map_err(Failure::Read)?;
        let take = usize::try_from(left).map_or(chunk.ends.len(), |l| l.min(chunk.ends.len()));
        left -= take as u64;
        let end = if take == 0 { 0 } else { chunk.ends[take - 1] };
        match format {
            Format::Xml | Format::Json(crate::json::Framing::Lines) => {
                out.write_all(&chunk.bytes[..end]).map_err(Failure::Write)?;
                index += take as u64;
            }
            Format::Text => {
                let mut start = 0;
                for &end in &chunk.ends[..take] {
                    writeln!(out, "Event[{index}]:").map_err(Failure::Write)?;
                    out.write_all(&chunk.bytes[start..end])
                        .map_err(Failure::Write)?;
                    start = end;
                    index += 1;
                }
            }
            Format::Json(crate::json::Framing::Array) => {
                // Each event after its `,\n`; the output's first has no comma.
                let start = usize::from(index == 0 && take > 0);
                out.write_all(&chunk.bytes[start..end])
                    .map_err(Failure::Write)?;
                index += take as u64;
            }
        }
        bar.advance(take as u64, end as u64);
        // At most one buffer per chunk in flight is kept.
        let mut spares = spares.lock().unwrap_or_else(|e| e.into_inner());
        if spares.len() < plan.threads * (evtlog::AHEAD_PER_WORKER + 1) {
            spares.push(chunk);
        }
    }
    drop(bar);
    if let Some(root) = root {
        writeln!(out, "</{root}>").map_err(Failure::Write)?;
    }
    if let Format::Json(framing) = format {
        let mut end = Vec::new();
        framing.end(&mut end, index);
        out.write_all(&end).map_err(Failure::Write)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str, threads: Option<usize>) -> Request<'_> {
        Request {
            log_file: true,
            structured: false,
            path: Some(path),
            query: None,
            reverse: false,
            count: None,
            format: None,
            element: None,
            bookmark: false,
            save_bookmark: false,
            threads,
        }
    }

    #[test]
    fn a_one_chunk_file_reads_on_one_thread_unless_told() {
        let dir = std::env::temp_dir().join(format!("evtutil-one-chunk-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = |name: &str, len: u64| {
            let p = dir.join(name);
            // Sparse: only the size matters here.
            std::fs::File::create(&p).unwrap().set_len(len).unwrap();
            p.to_string_lossy().into_owned()
        };
        let one = path("one.evtx", 4096 + 65536);
        let two = path("two.evtx", 4096 + 2 * 65536);
        let threads_of = |p: &str, given| plan(request(p, given)).unwrap().threads;
        assert_eq!(threads_of(&one, None), 1);
        assert_eq!(threads_of(&one, Some(3)), 3, "--threads is obeyed");
        assert_eq!(threads_of(&two, None), threads(None));
        let missing = dir.join("missing.evtx").to_string_lossy().into_owned();
        assert_eq!(threads_of(&missing, None), threads(None));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
