//! `qe` (query-events): EvtQuery on the default session and EvtNext in batches, as Windows
//! code reads events, printed as XML (one event per line, or inside `/e`'s element),
//! wevtutil's text layout, RenderedXml (rendered.rs) or the evtx crate's JSON (json.rs);
//! `/bm` resumes after a saved bookmark and `/sbm` saves the last printed event's. A log
//! file's query that the parallel path serves goes to filequery.rs instead, which prints
//! the same bytes.
//!
//! Ctrl-C: the loop checks `progress::interrupted()` between batches (a session cancel
//! reaches only a call in flight), and a bar shows on a terminal when stdout is not one.

use std::io::{self, IsTerminal, Write};

use evtlog::{Bookmark, Engine, ErrorKind, Next, QueryFlags, SeekFlags, MAX_NEXT_COUNT};

use crate::args::Args;
use crate::{filequery, io_failure, json, progress, read_query_file, rendered, text, Failure};

pub fn query_events(engine: &Engine, args: &Args, out: &mut impl Write) -> Result<(), Failure> {
    let [target] = args.positional.as_slice() else {
        return Err(Failure::Usage(
            "qe takes one channel name (or, with /sq:true, one query file)".into(),
        ));
    };
    let count = args.count("count")?;
    let reverse = args.flag("reversedirection")?;
    let structured = args.flag("structuredquery")?;
    let (text, rendered_xml, json) = match args
        .option("format")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("xml") => (false, false, None),
        Some("text") => (true, false, None),
        Some("renderedxml") => (false, true, None),
        Some("json") => (false, false, Some(json::Framing::Array)),
        Some("jsonl") => (false, false, Some(json::Framing::Lines)),
        Some(other) => {
            return Err(Failure::Usage(format!(
                "/f takes xml, text, RenderedXml, json or jsonl, not '{other}'"
            )))
        }
    };
    let mut rendered = if rendered_xml {
        if args.flag("logfile")? {
            // wevtutil: a log file's events render only from its archived metadata, which
            // EvtFormatMessage refuses.
            return Err(Failure::Operation(format!(
                "Failed to read events. {} ({})",
                evtlog::win32_message(87).unwrap_or(""),
                87
            )));
        }
        Some(rendered::Rendered::new(engine, args.option("locale")).map_err(Failure::Usage)?)
    } else {
        None
    };
    let element = args.option("element");
    if element.is_some_and(|e| {
        e.is_empty() || e.contains(|c: char| c.is_whitespace() || "<>&'\"/".contains(c))
    }) {
        return Err(Failure::Usage("/e takes an XML element name".into()));
    }
    if element.is_some() && json.is_some() {
        return Err(Failure::Usage(
            "/e wraps XML output in an element; /f:json is one JSON array already".into(),
        ));
    }
    // The same path Windows code takes: EvtQuery on the default session, then EvtNext.
    let (path, query_text) = if structured {
        (None, Some(read_query_file(args, target)?))
    } else {
        (
            Some(target.as_str()),
            args.option("query").map(str::to_owned),
        )
    };
    let failed = |e: evtlog::Error| {
        Failure::Operation(format!("Failed to read events. {e} ({})", e.win32_code()))
    };
    let mut flags = if reverse {
        QueryFlags::REVERSE_DIRECTION
    } else {
        QueryFlags::default()
    };
    let log_file = args.flag("logfile")?;
    let absolute;
    let path = match (log_file, path) {
        (true, Some(file)) => {
            flags = flags | QueryFlags::FILE_PATH;
            // Windows takes absolute paths only; a user at a terminal means the current
            // directory.
            absolute = std::path::absolute(file)
                .map_err(|e| Failure::Operation(format!("Failed to read events. {file}: {e}")))?;
            absolute.to_str()
        }
        (true, None) => {
            flags = flags | QueryFlags::FILE_PATH;
            None
        }
        (false, path) => path,
    };
    match path {
        Some(file) if log_file => progress::install_for_read(file),
        _ => progress::install(),
    }
    // A log file's events are read on all cores where the options allow (filequery.rs).
    let format = args.option("format").map(str::to_ascii_lowercase);
    let request = filequery::Request {
        log_file,
        structured,
        path,
        query: query_text.as_deref(),
        reverse,
        count,
        format: format.as_deref(),
        element,
        bookmark: args.option("bookmark").is_some(),
        save_bookmark: args.option("savebookmark").is_some(),
        threads: args.threads,
    };
    if let Some(plan) = filequery::plan(request) {
        return filequery::run(engine, &plan, out).map_err(|e| match e {
            filequery::Failure::Read(e) => failed(e),
            filequery::Failure::Write(e) => io_failure(e),
            filequery::Failure::Interrupted => failed(evtlog::Error::new(ErrorKind::Cancelled)),
        });
    }
    let start_after = args.option("bookmark").map(read_bookmark).transpose()?;
    let save_to = args.option("savebookmark");
    if save_to == Some("") {
        return Err(Failure::Usage("/sbm takes a file name".into()));
    }
    let results = engine
        .default_session()
        .query(path, query_text.as_deref(), flags)
        .map_err(failed)?;
    let mut at_end = false;
    if let Some(bookmark) = &start_after {
        // EvtSeek(1, bookmark, RelativeToBookmark): the event after the bookmarked one. With
        // Strict first, so that a bookmark on the last event prints nothing (non-strict
        // would clamp to that event again); a bookmarked event that is gone (cleared,
        // overwritten, filtered out) resumes at the nearest event after it.
        let strict = SeekFlags::RELATIVE_TO_BOOKMARK | SeekFlags::STRICT;
        match results.seek_bookmark(bookmark, 1, strict) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::InvalidPosition => at_end = true,
            Err(e) if e.kind() == ErrorKind::NotFound => results
                .seek_bookmark(bookmark, 1, SeekFlags::RELATIVE_TO_BOOKMARK)
                .map_err(failed)?,
            Err(e) => return Err(failed(e)),
        }
    }
    let mut saved = start_after.unwrap_or_default();
    let mut left = count.map_or(usize::MAX, |c| usize::try_from(c).unwrap_or(usize::MAX));

    if let (Some(root), false) = (element, text) {
        write!(out, "<{root}>").map_err(io_failure)?;
    }
    let mut bytes = Vec::with_capacity(4096);
    if let Some(framing) = json {
        framing.begin(&mut bytes);
    }
    let mut buf = String::with_capacity(4096);
    let mut json_state = json::JsonState::default();
    let mut index = 0u64;
    // On a terminal the events show the progress themselves: a bar only for output
    // going elsewhere.
    let mut bar = progress::Bar::new("Reading", !io::stdout().is_terminal(), || {
        progress::query_total(engine, path, query_text.as_deref(), flags, count)
    });
    while left > 0 && !at_end {
        // Ctrl-C between calls, which a session cancel does not reach.
        if progress::interrupted() {
            return Err(failed(evtlog::Error::new(ErrorKind::Cancelled)));
        }
        let batch = match results
            .next(left.min(MAX_NEXT_COUNT), None)
            .map_err(failed)?
        {
            Next::Events(events) => events,
            Next::End | Next::TimedOut => break,
        };
        left -= batch.len();
        let mut written = 0u64;
        for event in &batch {
            buf.clear();
            if let Some(framing) = json {
                // Written in blocks of 64 KiB or more, which pass the output's buffer by.
                let before = bytes.len();
                event.with_event(|e| framing.write(&mut bytes, &mut json_state, index, e));
                written += (bytes.len() - before) as u64;
                if bytes.len() >= 1 << 16 {
                    out.write_all(&bytes).map_err(io_failure)?;
                    bytes.clear();
                }
            } else if text {
                text::write_event(&mut buf, index, event);
            } else if let Some(r) = &mut rendered {
                r.write(event, &mut buf).map_err(|e| {
                    Failure::Operation(format!("Failed to render event. {e} ({})", e.win32_code()))
                })?;
                if element.is_none() {
                    buf.push('\n');
                }
            } else {
                event.write_xml(&mut buf);
                if element.is_none() {
                    buf.push('\n');
                }
            }
            out.write_all(buf.as_bytes()).map_err(io_failure)?;
            written += buf.len() as u64;
            if save_to.is_some() {
                // Only then: a bookmark reads the record id, which makes an event a file
                // query deferred (its XML was written without making it).
                saved.update(event);
            }
            index += 1;
        }
        if json.is_some() {
            // What this batch made is out before the next read, which may fail.
            out.write_all(&bytes).map_err(io_failure)?;
            bytes.clear();
        }
        bar.advance(batch.len() as u64, written);
    }
    drop(bar);
    if let (Some(root), false) = (element, text) {
        writeln!(out, "</{root}>").map_err(io_failure)?;
    }
    if let Some(framing) = json {
        framing.end(&mut bytes, index);
        out.write_all(&bytes).map_err(io_failure)?;
    }
    if let Some(file) = save_to {
        // EvtRender(EvtRenderBookmark), written beside the target and renamed into place.
        let tmp = format!("{file}.tmp");
        std::fs::write(&tmp, saved.to_xml())
            .and_then(|()| std::fs::rename(&tmp, file))
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                Failure::Operation(format!("Failed to save the bookmark to {file}. {e}"))
            })?;
    }
    Ok(())
}

/// Reads a bookmark file (/bm): its XML, as EvtCreateBookmark parses it.
fn read_bookmark(file: &str) -> Result<Bookmark, Failure> {
    if file.is_empty() {
        return Err(Failure::Usage("/bm takes a file name".into()));
    }
    let xml = std::fs::read_to_string(file)
        .map_err(|e| Failure::Operation(format!("Failed to read the bookmark file {file}. {e}")))?;
    Bookmark::from_xml(&xml).map_err(|e| {
        Failure::Operation(format!(
            "Failed to read the bookmark file {file}. {e} ({})",
            e.win32_code()
        ))
    })
}
