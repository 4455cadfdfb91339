//! Structured queries: `<QueryList><Query Id Path><Select Path>…</Select><Suppress Path>…`
//! (the documented structured query schema).
//!
//! Rules: every Query has a Select; a Select or Suppress without Path takes its Query's, and
//! a Query without Path takes the one passed to EvtQuery; if one Query names a path, all must
//! (or their Selects must); Id is required when there is more than one Query and must be
//! unique; every Suppress needs a Select with the same path; channels and log files are not
//! mixed. Suppress wins over Select.
//!
//! Errors: XML that is not well formed, or not of this shape, is ERROR_EVT_MALFORMED_XML_TEXT
//! (15008) at its line and column; an XPath inside a Select or Suppress reports its error at
//! the line and column in the XML where the offending character stands.

use std::collections::{HashMap, HashSet};

use quick_xml::events::{BytesStart, Event as XmlEvent};
use quick_xml::Reader;

use super::{QuerySource, XPathFilter, MAX_SELECT_EXPRESSIONS};
use crate::error::{Error, ErrorKind, Result};
use crate::event::xml::{line_column, malformed, next_event};

/// A Select or Suppress as written.
struct Clause {
    suppress: bool,
    path: Option<String>,
    /// The XPath text, unescaped.
    xpath: String,
    /// Where each piece of the text starts in the XML, to place XPath errors: (unescaped
    /// start, raw byte offset, raw text, is CDATA).
    pieces: Vec<(usize, usize, String, bool)>,
    offset: usize,
}

struct QueryElement {
    id: Option<i64>,
    path: Option<String>,
    clauses: Vec<Clause>,
    offset: usize,
}

/// Parses a `<QueryList>` into sources, one per distinct path.
pub(crate) fn parse(xml: &str, default_path: Option<&str>) -> Result<Vec<QuerySource>> {
    let queries = read(xml)?;
    let err = |offset: usize, message: String| -> Error {
        let (line, column) = line_column(xml, offset);
        Error::at_text(ErrorKind::InvalidQuery, line, column, message)
    };
    if queries.is_empty() {
        return Err(malformed(xml, 0, "<QueryList> holds no <Query>"));
    }
    if queries.len() > 1 {
        let mut seen = HashSet::new();
        for q in &queries {
            let Some(id) = q.id else {
                return Err(malformed(
                    xml,
                    q.offset,
                    "a <Query> needs an Id when the list holds more than one",
                ));
            };
            super::work(1);
            if !seen.insert(id) {
                return Err(malformed(
                    xml,
                    q.offset,
                    format!("two queries have the Id {id}"),
                ));
            }
        }
    }
    let some_named = queries.iter().any(|q| q.path.is_some());
    let mut sources: Vec<QuerySource> = Vec::new();
    // Each source's index by its path's key (`path_key`), so that placing a clause is one
    // lookup rather than a scan of the sources.
    let mut index_of: HashMap<String, usize> = HashMap::new();
    for q in &queries {
        if !q.clauses.iter().any(|c| !c.suppress) {
            return Err(malformed(
                xml,
                q.offset,
                "a <Query> needs at least one <Select>",
            ));
        }
        for clause in &q.clauses {
            let path = clause.path.clone().or_else(|| q.path.clone()).or_else(|| {
                (!some_named)
                    .then(|| default_path.map(str::to_owned))
                    .flatten()
            });
            let Some(path) = path else {
                let message = if some_named {
                    "if one query names a Path, all must: this one names none"
                } else {
                    "no Path: name one on the Query or Select, or pass one with the query"
                };
                return Err(err(clause.offset, message.to_owned()));
            };
            let filter = XPathFilter::compile_limited(&clause.xpath, MAX_SELECT_EXPRESSIONS, true)
                .map_err(|e| relocate(xml, clause, e))?;
            super::work(1);
            let index = *index_of.entry(path_key(&path)).or_insert_with(|| {
                sources.push(QuerySource {
                    path,
                    selects: Vec::new(),
                    suppresses: Vec::new(),
                });
                sources.len() - 1
            });
            let source = &mut sources[index];
            if clause.suppress {
                source.suppresses.push(filter);
            } else {
                source.selects.push(filter);
            }
        }
    }
    for q in &queries {
        for clause in q.clauses.iter().filter(|c| c.suppress) {
            let path = clause
                .path
                .as_deref()
                .or(q.path.as_deref())
                .or(default_path)
                .unwrap_or("");
            super::work(1);
            let has_select = index_of
                .get(&path_key(path))
                .is_some_and(|&i| !sources[i].selects.is_empty());
            if !has_select {
                return Err(err(
                    clause.offset,
                    format!("a <Suppress> needs a <Select> of the same path ({path})"),
                ));
            }
        }
    }
    let files = sources.iter().filter(|s| is_file_path(&s.path)).count();
    if files > 0 && files < sources.len() {
        return Err(err(
            0,
            "a query cannot mix channels and log files".to_owned(),
        ));
    }
    Ok(sources)
}

/// Channel names compare case-insensitively, as the service compares them: two paths are
/// the same if their keys are equal.
fn path_key(path: &str) -> String {
    path.to_lowercase()
}

/// A path that names a log file rather than a channel.
pub(crate) fn is_file_path(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    lower.ends_with(".evtx") || lower.ends_with(".evt") || lower.ends_with(".etl")
}

/// Moves an XPath error's position from the XPath's column to the XML's line and column.
fn relocate(xml: &str, clause: &Clause, e: Error) -> Error {
    let Some((_, column)) = e.position() else {
        return e;
    };
    let char_index = column.saturating_sub(1) as usize;
    // The byte index of that character in the unescaped XPath.
    let unescaped_byte = clause
        .xpath
        .char_indices()
        .nth(char_index)
        .map_or(clause.xpath.len(), |(b, _)| b);
    let Some((start, raw_offset, raw, cdata)) = clause
        .pieces
        .iter()
        .rev()
        .find(|(start, ..)| *start <= unescaped_byte)
    else {
        return e;
    };
    let mut remaining = unescaped_byte - start;
    let raw_index = if *cdata {
        9 + remaining.min(raw.len())
    } else {
        // Walk the raw text: an entity stands for one character.
        let mut i = 0;
        let bytes = raw.as_bytes();
        while remaining > 0 && i < bytes.len() {
            if bytes[i] == b'&' {
                let end = raw[i..].find(';').map_or(i + 1, |e| i + e + 1);
                let unescaped = quick_xml::escape::unescape(&raw[i..end]).map_or(1, |u| u.len());
                remaining = remaining.saturating_sub(unescaped);
                i = end;
            } else {
                let width = raw[i..].chars().next().map_or(1, char::len_utf8);
                remaining = remaining.saturating_sub(width);
                i += width;
            }
        }
        i
    };
    let (line, column) = line_column(xml, raw_offset + raw_index);
    e.relocated(line, column)
}

fn read(xml: &str) -> Result<Vec<QueryElement>> {
    let mut reader = Reader::from_str(xml);
    reader.config_mut().trim_text(false);
    let mut queries: Vec<QueryElement> = Vec::new();
    // Where we are: 0 outside, 1 in QueryList, 2 in Query, 3 in Select/Suppress.
    let mut depth = 0;
    let mut seen_root = false;
    loop {
        let (start, event) = next_event(&mut reader, xml)?;
        super::work(1);
        let (e, self_closed) = match event {
            XmlEvent::Start(e) => (e, false),
            XmlEvent::Empty(e) => (e, true),
            other => {
                match other {
                    XmlEvent::End(_) => depth -= 1,
                    XmlEvent::Text(t) => {
                        let raw = String::from_utf8_lossy(&t).into_owned();
                        if depth == 3 {
                            let text = t.unescape().map_err(|e| {
                                malformed(
                                    xml,
                                    start,
                                    format!("bad character or entity reference: {e}"),
                                )
                            })?;
                            if let Some(clause) =
                                queries.last_mut().and_then(|q| q.clauses.last_mut())
                            {
                                clause.pieces.push((clause.xpath.len(), start, raw, false));
                                clause.xpath.push_str(&text);
                            }
                        } else if !raw.trim().is_empty() {
                            return Err(malformed(
                                xml,
                                start,
                                "unexpected text outside a Select or Suppress",
                            ));
                        }
                    }
                    XmlEvent::CData(c) => {
                        let text = String::from_utf8_lossy(&c).into_owned();
                        match queries.last_mut().and_then(|q| q.clauses.last_mut()) {
                            Some(clause) if depth == 3 => {
                                clause
                                    .pieces
                                    .push((clause.xpath.len(), start, text.clone(), true));
                                clause.xpath.push_str(&text);
                            }
                            _ => {
                                return Err(malformed(
                                    xml,
                                    start,
                                    "unexpected CDATA outside a Select or Suppress",
                                ))
                            }
                        }
                    }
                    XmlEvent::Eof => break,
                    _ => {}
                }
                continue;
            }
        };
        match depth {
            0 => {
                if seen_root {
                    return Err(malformed(xml, start, "more than one root element"));
                }
                expect_name(xml, start, &e, "QueryList")?;
                no_attributes(xml, start, &e)?;
                seen_root = true;
            }
            1 => {
                expect_name(xml, start, &e, "Query")?;
                let (mut id, mut path) = (None, None);
                for (key, value) in attributes(xml, start, &e)? {
                    match key.as_str() {
                        "Id" => {
                            let parsed = value.trim().parse::<i64>().map_err(|_| {
                                malformed(xml, start, format!("Id='{value}' is not a whole number"))
                            })?;
                            id = Some(parsed);
                        }
                        "Path" => path = Some(value),
                        other => {
                            return Err(malformed(
                                xml,
                                start,
                                format!("unexpected attribute {other} on <Query>"),
                            ))
                        }
                    }
                }
                queries.push(QueryElement {
                    id,
                    path,
                    clauses: Vec::new(),
                    offset: start,
                });
            }
            2 => {
                let local = local(&e);
                let suppress = match local.as_str() {
                    "Select" => false,
                    "Suppress" => true,
                    other => {
                        return Err(malformed(
                            xml,
                            start,
                            format!(
                                "unexpected <{other}> in <Query>: only <Select> and <Suppress>"
                            ),
                        ))
                    }
                };
                let mut path = None;
                for (key, value) in attributes(xml, start, &e)? {
                    match key.as_str() {
                        "Path" => path = Some(value),
                        other => {
                            return Err(malformed(
                                xml,
                                start,
                                format!("unexpected attribute {other} on <{local}>"),
                            ))
                        }
                    }
                }
                if let Some(q) = queries.last_mut() {
                    q.clauses.push(Clause {
                        suppress,
                        path,
                        xpath: String::new(),
                        pieces: Vec::new(),
                        offset: start,
                    });
                }
            }
            _ => {
                return Err(malformed(
                    xml,
                    start,
                    format!("unexpected <{}> inside a Select or Suppress", local(&e)),
                ));
            }
        }
        if !self_closed {
            depth += 1;
        }
    }
    if depth != 0 {
        return Err(malformed(
            xml,
            xml.len(),
            "unexpected end of input: an element is not closed",
        ));
    }
    if !seen_root {
        return Err(malformed(xml, xml.len(), "no <QueryList>"));
    }
    Ok(queries)
}

fn local(e: &BytesStart<'_>) -> String {
    String::from_utf8_lossy(e.local_name().as_ref()).into_owned()
}

fn expect_name(xml: &str, offset: usize, e: &BytesStart<'_>, want: &str) -> Result<()> {
    let name = local(e);
    if name == want {
        Ok(())
    } else {
        Err(malformed(
            xml,
            offset,
            format!("expected <{want}>, found <{name}>"),
        ))
    }
}

fn attributes(xml: &str, offset: usize, e: &BytesStart<'_>) -> Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    for attr in e.attributes() {
        let attr = attr.map_err(|err| malformed(xml, offset, format!("bad attribute: {err}")))?;
        let key = String::from_utf8_lossy(attr.key.as_ref()).into_owned();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let value = attr
            .unescape_value()
            .map_err(|err| malformed(xml, offset, format!("bad value of {key}: {err}")))?;
        out.push((key, value.into_owned()));
    }
    Ok(out)
}

fn no_attributes(xml: &str, offset: usize, e: &BytesStart<'_>) -> Result<()> {
    match attributes(xml, offset, e)?.first() {
        Some((key, _)) => Err(malformed(
            xml,
            offset,
            format!("unexpected attribute {key} on <QueryList>"),
        )),
        None => Ok(()),
    }
}
