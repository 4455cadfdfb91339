//! Queries: the Event Log's XPath subset and structured `<QueryList>` queries
//! (as Windows documents them).
//!
//! Owns parsing (with positions), validation (Windows' errors and limits), compilation to a
//! filter program over typed fields, and evaluation. No XML is built per record.
//!
//! Invariants:
//! - Every query error is ERROR_EVT_INVALID_QUERY (15001) at the top, except malformed query
//!   XML (ERROR_EVT_MALFORMED_XML_TEXT, 15008) and a Select or Suppress over 32 expressions
//!   (ERROR_EVT_FILTER_TOO_COMPLEX, 15026); XPath errors also carry the filter engine's
//!   detailed code ([`Error::filter_code`](crate::Error::filter_code)) and a position.
//! - A compiled program and the general evaluator give the same answer for every event
//!   (property-tested), and both agree with the naive evaluator over the rendered XML.
//! - Bounded and linear on untrusted text: the parser's recursion and the tree's height are
//!   limited ([`MAX_XPATH_NESTING`], [`MAX_XPATH_OPERATORS`]: FILTER_TOO_COMPLEX beyond), and
//!   the work of lexing, parsing, validating, compiling (strict or tolerant) and reading a
//!   `<QueryList>` grows linearly with the text (counted by [`work`] in tests).

mod ast;
mod compile;
mod eval;
mod event_ids;
mod lexer;
#[cfg(test)]
pub(crate) mod limits_tests;
#[cfg(test)]
mod naive;
mod parser;
#[cfg(test)]
mod proptests;
mod reads;
mod structured;
#[cfg(test)]
mod tests;
mod validate;
mod value;
mod value_path;

use std::fmt;
use std::sync::Arc;

pub use parser::{MAX_XPATH_NESTING, MAX_XPATH_OPERATORS};

#[cfg(test)]
thread_local! {
    /// Units of front-end work done on this thread (tests check that it grows linearly).
    static WORK: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Counts `units` of front-end work: a character lexed, a token consumed, a tree node
/// validated or compiled, an XML event read, a clause placed. Free outside tests.
#[inline]
pub(crate) fn work(units: usize) {
    #[cfg(test)]
    WORK.with(|w| w.set(w.get() + units as u64));
    #[cfg(not(test))]
    let _ = units;
}

/// The work counted on this thread so far.
#[cfg(test)]
pub(crate) fn work_done() -> u64 {
    WORK.with(std::cell::Cell::get)
}

use crate::error::{codes, Error, ErrorKind, Result};
pub(crate) use crate::event::SystemFields;
use crate::event::{Event, FileTime};
use ast::Expr;
use compile::Program;
use eval::Scratch;
pub(crate) use event_ids::{EventIds, Hull};
pub(crate) use value_path::ValuePath;

/// Evaluation scratch space for scanning many events (the time `timediff()` measures from).
pub(crate) type EvalScratch = Scratch;
use validate::Static;

/// A bare XPath may hold at most this many expressions ("If your XPath contains more than 20
/// expressions, use a structured XML query").
pub const MAX_XPATH_EXPRESSIONS: usize = 20;

/// A Select or Suppress of a structured query may hold at most this many expressions.
pub const MAX_SELECT_EXPRESSIONS: usize = 32;

/// A query syntax error: ERROR_EVT_INVALID_QUERY (15001) at the top, the filter engine's
/// detailed `filter_code` behind it, at `column` of the (one-line) query.
pub(crate) fn syntax_error(filter_code: u32, column: u32, message: impl Into<String>) -> Error {
    Error::in_query(ErrorKind::InvalidQuery, filter_code, 1, column, message)
}

/// One compiled XPath filter of the Event Log subset.
///
/// ```
/// use evtlog::{Event, FileTime, XPathFilter};
///
/// let filter = XPathFilter::compile("*[System[(Level=1 or Level=2) and EventID=7036]]")?;
/// let event = Event::builder("Service Control Manager").event_id(7036).level(2).build();
/// assert!(filter.matches(&event, FileTime::default()));
/// # Ok::<(), evtlog::Error>(())
/// ```
#[derive(Clone)]
pub struct XPathFilter {
    text: String,
    expr: Expr,
    program: Program,
    /// The EventIDs its matches can have, where the program bounds them (`event_ids.rs`).
    event_ids: Option<Arc<EventIds>>,
}

impl XPathFilter {
    /// Compiles a bare XPath, as EvtQuery takes it: at most [`MAX_XPATH_EXPRESSIONS`]
    /// expressions. `"*"` selects every event.
    pub fn compile(text: &str) -> Result<XPathFilter> {
        XPathFilter::compile_limited(text, MAX_XPATH_EXPRESSIONS, false)
    }

    /// Compiles with a limit on expressions; over it, `limit_is_fatal` chooses
    /// ERROR_EVT_FILTER_TOO_COMPLEX (a structured Select) over ERROR_EVT_INVALID_QUERY.
    pub(crate) fn compile_limited(
        text: &str,
        limit: usize,
        limit_is_fatal: bool,
    ) -> Result<XPathFilter> {
        let expr = parser::parse(text)?;
        validate::validate(&expr, Static::Root)?;
        let leaves = expr.leaf_count();
        if leaves > limit {
            let mut columns = Vec::new();
            expr.leaf_columns(&mut columns);
            let column = columns.get(limit).copied().unwrap_or(expr.column);
            let message = format!("the query has {leaves} expressions; the limit is {limit}");
            let kind = if limit_is_fatal {
                ErrorKind::FilterTooComplex
            } else {
                ErrorKind::InvalidQuery
            };
            return Err(Error::in_query(
                kind,
                codes::ERROR_EVT_FILTER_TOO_COMPLEX,
                1,
                column,
                message,
            ));
        }
        let program = compile::compile(&expr);
        let event_ids = EventIds::of_program(&program).map(Arc::new);
        Ok(XPathFilter {
            text: text.to_owned(),
            expr,
            program,
            event_ids,
        })
    }

    /// Compiles as EvtQuery does with `EvtQueryTolerateQueryErrors`: if the whole XPath is not
    /// valid, the longest prefix of its top-level `or` terms that is valid is used, and the
    /// error is returned beside it. Fails only if no prefix is valid.
    pub fn compile_tolerant(text: &str) -> Result<(XPathFilter, Option<Error>)> {
        let err = match XPathFilter::compile(text) {
            Ok(f) => return Ok((f, None)),
            Err(e) => e,
        };
        // A lexical error ends the usable text where it stands: the terms before it still
        // count (the leftmost valid expressions are kept whatever makes a later one invalid).
        let tokens = match lexer::tokenize(text) {
            Ok(tokens) => tokens,
            Err(lex) => {
                let column = lex.position().map_or(1, |(_, c)| c);
                let head: String = text.chars().take(column as usize - 1).collect();
                match lexer::tokenize(&head) {
                    Ok(tokens) => tokens,
                    Err(_) => return Err(err),
                }
            }
        };
        // Every term holds at least one expression, so a prefix of more than
        // MAX_XPATH_EXPRESSIONS terms is over the limit: only the first cuts can end a valid
        // prefix. Trying those (each a linear compile) keeps the whole linear in the text.
        let mut depth = 0i32;
        let mut cuts = Vec::new();
        for t in &tokens {
            match &t.tok {
                lexer::Tok::LBracket | lexer::Tok::LParen => depth += 1,
                lexer::Tok::RBracket | lexer::Tok::RParen => depth -= 1,
                lexer::Tok::Name(n) if n == "or" && depth == 0 => {
                    cuts.push(t.column);
                    if cuts.len() == MAX_XPATH_EXPRESSIONS {
                        break;
                    }
                }
                _ => {}
            }
        }
        // The cuts' columns rise, so their byte offsets come from one walk of the text.
        let mut bytes = Vec::with_capacity(cuts.len());
        let mut chars = text.char_indices().map(|(b, _)| b).chain([text.len()]);
        let (mut index, mut at) = (0u32, 0);
        for &column in &cuts {
            while index < column {
                index += 1;
                at = chars.next().unwrap_or(text.len());
            }
            bytes.push(at);
        }
        for &end in bytes.iter().rev() {
            if let Ok(f) = XPathFilter::compile(&text[..end]) {
                return Ok((f, Some(err)));
            }
        }
        Err(err)
    }

    /// True if the filter reads nothing of an event outside `<System>` (so it answers the
    /// same on an event whose body was not decoded).
    pub(crate) fn reads_system_only(&self) -> bool {
        reads::system_only(&self.expr)
    }

    /// True if its answer depends on the time of evaluation (`timediff` from now).
    pub(crate) fn uses_now(&self) -> bool {
        reads::uses_now(&self.expr)
    }

    /// The `<System>` children it reads (see `reads`).
    pub(crate) fn system_fields(&self) -> SystemFields {
        reads::system_fields(&self.expr)
    }

    /// True if it reads no `<System>` child (see `reads::reads_no_system_child`).
    pub(crate) fn reads_no_system_child(&self) -> bool {
        reads::reads_no_system_child(&self.expr)
    }

    /// The `<Data>` names and `<System>` children it reads, if that is all it reads of the
    /// body (see `compile::Program::data_reads`).
    pub(crate) fn data_reads(&self) -> Option<(Vec<String>, SystemFields)> {
        self.program.data_reads()
    }

    /// The EventIDs an event must have to match, if the filter bounds them (a gate a scan
    /// tests before reading a record; see `event_ids.rs`).
    pub(crate) fn event_ids(&self) -> Option<&Arc<EventIds>> {
        self.event_ids.as_ref()
    }

    /// True if `event` matches; `now` is what `timediff()` measures from.
    pub fn matches(&self, event: &Event, now: FileTime) -> bool {
        self.program.matches(event, &mut Scratch::new(now))
    }

    /// Like [`matches`](Self::matches), reusing `scratch` (for scanning many events).
    pub(crate) fn matches_with(&self, event: &Event, scratch: &mut Scratch) -> bool {
        self.program.matches(event, scratch)
    }

    /// The XPath as given.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The number of expressions, as the service counts them against its limits.
    pub fn expression_count(&self) -> usize {
        self.expr.leaf_count()
    }
}

impl fmt::Debug for XPathFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("XPathFilter")
            .field("text", &self.text)
            .finish_non_exhaustive()
    }
}

/// What a query selects from one path (a channel, or later an .evtx file): events that match
/// some Select and no Suppress.
#[derive(Clone, Debug)]
pub struct QuerySource {
    path: String,
    selects: Vec<XPathFilter>,
    suppresses: Vec<XPathFilter>,
}

impl QuerySource {
    /// The channel name or file path.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The Select filters.
    pub fn selects(&self) -> &[XPathFilter] {
        &self.selects
    }

    /// The Suppress filters.
    pub fn suppresses(&self) -> &[XPathFilter] {
        &self.suppresses
    }

    /// True if `event` is selected and not suppressed (Suppress wins).
    pub fn matches(&self, event: &Event, now: FileTime) -> bool {
        let mut scratch = Scratch::new(now);
        self.matches_with(event, &mut scratch)
    }

    /// True if every filter reads nothing outside `<System>`.
    pub(crate) fn reads_system_only(&self) -> bool {
        self.filters().all(XPathFilter::reads_system_only)
    }

    /// True if some filter's answer depends on the time of evaluation.
    pub(crate) fn uses_now(&self) -> bool {
        self.filters().any(XPathFilter::uses_now)
    }

    /// The `<Data>` names and `<System>` children some filter reads, if that is all any
    /// reads of the body (see [`XPathFilter::data_reads`]).
    pub(crate) fn data_reads(&self) -> Option<(Vec<String>, SystemFields)> {
        let mut names = Vec::new();
        let mut fields = SystemFields::NONE;
        for filter in self.filters() {
            let (more, read) = filter.data_reads()?;
            names.extend(more);
            fields = fields.union(read);
        }
        Some((names, fields))
    }

    /// Whether a `<Data>` name read from an event matches one a filter names, as filters
    /// compare them.
    pub(crate) fn data_name_matches(name: &str, wanted: &str) -> bool {
        value::eq_ignore_case(name, wanted)
    }

    /// The `<System>` children some filter reads.
    pub(crate) fn system_fields(&self) -> SystemFields {
        self.filters()
            .map(XPathFilter::system_fields)
            .fold(SystemFields::NONE, SystemFields::union)
    }

    /// True if no filter reads a `<System>` child: where every filter reads only
    /// `<System>`, it answers the same for every event that maps.
    pub(crate) fn reads_no_system_child(&self) -> bool {
        self.filters().all(XPathFilter::reads_no_system_child)
    }

    /// The EventIDs an event must have to be selected, if every Select bounds them (Suppress
    /// only takes events away).
    pub(crate) fn event_ids(&self) -> Option<Arc<EventIds>> {
        if let [only] = self.selects.as_slice() {
            return only.event_ids().cloned();
        }
        EventIds::union_of(self.selects.iter().map(|f| f.event_ids().map(|s| &**s))).map(Arc::new)
    }

    fn filters(&self) -> impl Iterator<Item = &XPathFilter> {
        self.selects.iter().chain(&self.suppresses)
    }

    #[inline]
    pub(crate) fn matches_with(&self, event: &Event, scratch: &mut Scratch) -> bool {
        // The common case, a bare XPath: one Select and no Suppress.
        if let ([only], []) = (self.selects.as_slice(), self.suppresses.as_slice()) {
            return only.matches_with(event, scratch);
        }
        self.selects.iter().any(|f| f.matches_with(event, scratch))
            && !self
                .suppresses
                .iter()
                .any(|f| f.matches_with(event, scratch))
    }
}

/// A query as EvtQuery takes it: a path and a bare XPath, or a structured `<QueryList>`
/// naming its own paths.
#[derive(Clone, Debug)]
pub struct Query {
    sources: Vec<QuerySource>,
    structured: bool,
}

impl Query {
    /// Parses `query` for `path`. A `query` of `None` or `"*"` selects every event of `path`;
    /// one starting with `<` is a structured query, whose Query and Select paths win over
    /// `path` (which then only fills in where they name none).
    ///
    /// Errors: `InvalidParameter` (87) if a bare XPath has no path; the query errors of
    /// [`XPathFilter::compile`] and of structured queries (see the module docs).
    pub fn parse(path: Option<&str>, query: Option<&str>) -> Result<Query> {
        // Positions in errors count the query as passed, so the text is not trimmed; the
        // XPath lexer and the XML reader both skip the surrounding whitespace themselves.
        let text = query.filter(|q| !q.trim().is_empty()).unwrap_or("*");
        if text.trim_start().starts_with('<') {
            let sources = structured::parse(text, path)?;
            return Ok(Query {
                sources,
                structured: true,
            });
        }
        let path = path.filter(|p| !p.is_empty()).ok_or_else(|| {
            Error::with_message(
                ErrorKind::InvalidParameter,
                "a bare XPath query needs a channel or file path",
            )
        })?;
        let filter = XPathFilter::compile(text)?;
        Ok(Query {
            sources: vec![QuerySource {
                path: path.to_owned(),
                selects: vec![filter],
                suppresses: Vec::new(),
            }],
            structured: false,
        })
    }

    /// The sources, one per distinct path (case-insensitive), in the order first named.
    pub fn sources(&self) -> &[QuerySource] {
        &self.sources
    }

    /// The source for `path` (case-insensitive), if the query names it.
    pub fn source(&self, path: &str) -> Option<&QuerySource> {
        self.sources.iter().find(|s| {
            s.path.eq_ignore_ascii_case(path) || s.path.to_lowercase() == path.to_lowercase()
        })
    }

    /// True if the query was a structured `<QueryList>`.
    pub fn is_structured(&self) -> bool {
        self.structured
    }

    /// Like [`parse`](Self::parse), as EvtQuery does with `EvtQueryTolerateQueryErrors`: a
    /// bare XPath keeps its longest valid prefix of top-level `or` terms
    /// ([`XPathFilter::compile_tolerant`]), and the error is returned beside the query.
    /// Structured queries are parsed as by `parse`; missing channels are the caller's to skip.
    pub fn parse_tolerant(
        path: Option<&str>,
        query: Option<&str>,
    ) -> Result<(Query, Option<Error>)> {
        let text = query.unwrap_or("*");
        if text.trim_start().starts_with('<') || text.trim().is_empty() || text.trim() == "*" {
            return Query::parse(path, query).map(|q| (q, None));
        }
        let path = path.filter(|p| !p.is_empty()).ok_or_else(|| {
            Error::with_message(
                ErrorKind::InvalidParameter,
                "a bare XPath query needs a channel or file path",
            )
        })?;
        let (filter, error) = XPathFilter::compile_tolerant(text)?;
        let source = QuerySource {
            path: path.to_owned(),
            selects: vec![filter],
            suppresses: Vec::new(),
        };
        Ok((
            Query {
                sources: vec![source],
                structured: false,
            },
            error,
        ))
    }

    /// True if `event`, read from `path`, is selected.
    pub fn matches(&self, path: &str, event: &Event, now: FileTime) -> bool {
        self.source(path).is_some_and(|s| s.matches(event, now))
    }
}
