//! `write CHANNEL [FILE|-]`: event XML written into a channel of the store, for scripts,
//! tests and demos. The input (FILE, or standard input for `-` or no FILE) holds `<Event>`
//! elements in Windows' XML shape: one per line (as `qe` prints them), or one after another
//! in any layout, optionally inside a wrapping element (`qe /e:Events`) and after an XML
//! declaration or comments.
//!
//! Invariants:
//! 1. All or nothing for the input's shape: every event is parsed before the first is
//!    written; an error names the input, the event's number and the line and column in the
//!    whole input.
//! 2. Each event gets the channel's next record id, the present as TimeCreated when it has
//!    none, and the target channel as its Channel (ForwardedEvents keeps the Channel
//!    an event names, as forwarded events keep theirs).
//! 3. The scan is linear and keeps no stack: nesting is a depth counter, so no input
//!    recurses without bound here (the event parser bounds its own depth).

use std::io::Read;

use evtlog::{Clock, Engine, Event};

use crate::args::Args;
use crate::{remote, Failure};

/// `write CHANNEL [FILE|-]`: the events of FILE (or stdin) written to CHANNEL; returns the
/// channel's name, for a store that saves it.
pub fn from_args(engine: &Engine, args: &Args) -> Result<String, Failure> {
    let (channel, file) = match args.positional.as_slice() {
        [channel] => (channel, "-"),
        [channel, file] => (channel, file.as_str()),
        _ => {
            return Err(Failure::Usage(
                "write takes a channel name and a file of event XML (- or none: stdin)".into(),
            ))
        }
    };
    let (source, text) = if file == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::Operation(format!("Failed to write events. stdin: {e}")))?;
        ("stdin".to_owned(), text)
    } else {
        let text = std::fs::read_to_string(file)
            .map_err(|e| Failure::Operation(format!("Failed to write events. {file}: {e}")))?;
        (file.to_owned(), text)
    };
    write_events(engine, channel, &source, &text)?;
    Ok(engine
        .channel(channel)
        .map_err(|e| remote::failed("write events", &e))?
        .name()
        .to_owned())
}

/// One `<Event>` element of the input: its text and where it starts (1-based).
#[derive(Debug, PartialEq)]
pub struct Element<'a> {
    pub text: &'a str,
    pub line: u32,
    pub column: u32,
}

/// The 1-based line and column of byte `at` of `text`.
fn position(text: &str, at: usize) -> (u32, u32) {
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line as u32, column as u32)
}

/// The index just past `end` from `from`, or an error naming what is not closed.
fn skip_past(text: &str, from: usize, end: &str, what: &str) -> Result<usize, String> {
    text[from..]
        .find(end)
        .map(|i| from + i + end.len())
        .ok_or_else(|| {
            let (line, column) = position(text, from);
            format!("line {line}, column {column}: {what} is not closed (no '{end}')")
        })
}

/// The `<Event>` elements of `text` (see the module docs).
pub fn split_events(text: &str) -> Result<Vec<Element<'_>>, String> {
    let bytes = text.as_bytes();
    let mut events = Vec::new();
    let mut depth = 0usize;
    // The start and depth of the <Event> being read.
    let mut open: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            let next = text[i..].find('<').map_or(bytes.len(), |n| i + n);
            if open.is_none() && depth == 0 && !text[i..next].trim().is_empty() {
                let skipped = text[i..next].len() - text[i..next].trim_start().len();
                let (line, column) = position(text, i + skipped);
                return Err(format!(
                    "line {line}, column {column}: text outside an <Event> element"
                ));
            }
            i = next;
            continue;
        }
        let rest = &text[i..];
        if rest.starts_with("<!--") {
            i = skip_past(text, i, "-->", "a comment")?;
        } else if rest.starts_with("<![CDATA[") {
            i = skip_past(text, i, "]]>", "a CDATA section")?;
        } else if rest.starts_with("<?") {
            i = skip_past(text, i, "?>", "a processing instruction")?;
        } else if rest.starts_with("<!") {
            i = skip_past(text, i, ">", "a declaration")?;
        } else {
            // A tag: find its '>' outside quoted attribute values.
            let mut j = i + 1;
            let mut quote = None;
            while j < bytes.len() {
                match (quote, bytes[j]) {
                    (None, b'"' | b'\'') => quote = Some(bytes[j]),
                    (Some(q), c) if c == q => quote = None,
                    (None, b'>') => break,
                    _ => {}
                }
                j += 1;
            }
            if j == bytes.len() {
                let (line, column) = position(text, i);
                return Err(format!(
                    "line {line}, column {column}: a tag is not closed (no '>')"
                ));
            }
            let end = j + 1;
            let tag = &text[i + 1..j];
            if let Some(_closing) = tag.strip_prefix('/') {
                depth = depth.saturating_sub(1);
                if let Some((start, at)) = open {
                    if depth == at {
                        events.push(element(text, start, end));
                        open = None;
                    }
                }
            } else {
                let name_end = tag
                    .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
                    .unwrap_or(tag.len());
                let self_closing = tag.ends_with('/');
                if open.is_none() && &tag[..name_end] == "Event" {
                    if self_closing {
                        events.push(element(text, i, end));
                    } else {
                        open = Some((i, depth));
                    }
                }
                if !self_closing {
                    depth += 1;
                }
            }
            i = end;
        }
    }
    if let Some((start, _)) = open {
        let (line, column) = position(text, start);
        return Err(format!(
            "line {line}, column {column}: this <Event> element is not closed"
        ));
    }
    Ok(events)
}

fn element(text: &str, start: usize, end: usize) -> Element<'_> {
    let (line, column) = position(text, start);
    Element {
        text: &text[start..end],
        line,
        column,
    }
}

/// Parses every event of `text` (`source` names it in errors), then writes them to
/// `channel`; returns how many were written.
pub fn write_events(
    engine: &Engine,
    channel: &str,
    source: &str,
    text: &str,
) -> Result<usize, Failure> {
    let failed = |message: String| Failure::Operation(format!("Failed to write events. {message}"));
    let target = engine
        .channel(channel)
        .map_err(|e| failed(format!("{e} ({})", e.win32_code())))?;
    let elements = split_events(text).map_err(|m| failed(format!("{source}: {m}")))?;
    let mut events = Vec::with_capacity(elements.len());
    let now = evtlog::SystemClock.now();
    for (index, element) in elements.iter().enumerate() {
        let mut event = Event::from_xml(element.text).map_err(|e| {
            let e = match e.position() {
                Some((line, column)) => {
                    let column = if line == 1 {
                        element.column + column - 1
                    } else {
                        column
                    };
                    e.relocated(element.line + line - 1, column)
                }
                None => e,
            };
            failed(format!(
                "{source}: event {}: {e} ({})",
                index + 1,
                e.win32_code()
            ))
        })?;
        if !target.name().eq_ignore_ascii_case("ForwardedEvents") {
            event.system.channel = None;
        }
        event.system.event_record_id = None;
        // The present, as Windows stamps an event (the store's clock stands at its newest
        // event, for queries).
        event.system.time_created.get_or_insert(now);
        events.push(event);
    }
    let count = events.len();
    for (index, event) in events.into_iter().enumerate() {
        target.append(event).map_err(|e| {
            failed(format!(
                "{source}: event {} (of {count}; the {index} before it were written): {e} ({})",
                index + 1,
                e.win32_code()
            ))
        })?;
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_sequences_and_wrappers() {
        let one = "<Event a='>'><System/></Event>";
        let text = format!("<?xml version='1.0'?>\n<!-- x -->\n{one}\n  {one}{one}\n");
        let found = split_events(&text).unwrap();
        assert_eq!(found.len(), 3);
        assert_eq!((found[0].line, found[0].column), (3, 1));
        assert_eq!((found[1].line, found[1].column), (4, 3));
        assert_eq!(found[2].text, one);
        let wrapped = format!("<Events>{one}\n<Event><EventData><Data>&lt;Event&gt;</Data></EventData></Event></Events>");
        assert_eq!(split_events(&wrapped).unwrap().len(), 2);
        let nested = "<Event><UserData><Event>x</Event></UserData></Event>";
        assert_eq!(
            split_events(nested).unwrap(),
            vec![element(nested, 0, nested.len())]
        );
    }

    #[test]
    fn errors_say_where() {
        assert_eq!(
            split_events("<Event></Event>\n  junk").unwrap_err(),
            "line 2, column 3: text outside an <Event> element"
        );
        assert_eq!(
            split_events("\n<Event><System>").unwrap_err(),
            "line 2, column 1: this <Event> element is not closed"
        );
        assert!(split_events("<Event a='>")
            .unwrap_err()
            .contains("line 1, column 1"));
        assert!(split_events("<!-- open").unwrap_err().contains("comment"));
        assert_eq!(split_events("  \n").unwrap(), vec![]);
    }
}
