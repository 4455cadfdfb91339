//! `eventcreate`: Windows' eventcreate.exe, for scripts that fill a store. It writes a
//! classic event in ReportEvent's shape (`classic_event`, at the present time) as the source `/so` (default
//! `EventCreate`), registered on the log first as eventcreate registers its sources
//! (`Engine::register_event_source`, EventMessageFile EventCreate.exe), with the event id
//! `/id` (1 to 1000, Qualifiers 0), the type `/t` and the description `/d` as its one
//! string. Values follow the option after a space (`/t ERROR`, eventcreate's syntax) or a
//! colon.
//!
//! Messages are eventcreate's: `SUCCESS: An event of type 'ERROR' was created in the
//! 'Application' log with 'EventCreate' as the source.` on stdout; `ERROR: …` on stderr
//! with exit status 1.
//!
//! Invariants: nothing is written unless every option checks out; a source that names an
//! installed (manifest) provider, or that is registered on another log, is refused, as
//! eventcreate refuses to write as an installed application.

use std::io::Write;

use evtlog::{
    ClassicReport, ClassicSource, Clock, Engine, Next, QueryFlags, ReportType, KEYWORD_CLASSIC,
    MAX_REPORT_STRING,
};

use crate::args::{Args, OptionSpec};
use crate::{io_failure, Failure};

/// The options of `eventcreate`: one name each, as eventcreate has.
pub const EVENTCREATE_OPTIONS: &[OptionSpec] = &[
    OptionSpec::new("", "s")
        .value("COMPUTER")
        .help("create the event on the remote computer COMPUTER (one EVTLOG_COMPUTERS registers)"),
    OptionSpec::new("", "u")
        .value("[DOMAIN\\]USER")
        .help("log in to COMPUTER as USER (with /s)"),
    OptionSpec::new("", "p")
        .value("PASSWORD")
        .help("USER's password (with /u)"),
    OptionSpec::new("", "l")
        .value("APPLICATION|SYSTEM")
        .help("the log to write to (default Application, or the source's log)"),
    OptionSpec::new("", "so")
        .value("SOURCE")
        .help("the event's source (default EventCreate); registered on the log if new"),
    OptionSpec::new("", "t")
        .value("ERROR|WARNING|INFORMATION|SUCCESS")
        .help("the event's type"),
    OptionSpec::new("", "id")
        .value("ID")
        .help("the event id, 1 to 1000"),
    OptionSpec::new("", "d")
        .value("DESCRIPTION")
        .help("the event's description (its one insertion string)"),
];

/// The source eventcreate writes as without `/so`.
pub const DEFAULT_SOURCE: &str = "EventCreate";
/// The message file eventcreate registers for its sources.
const EVENTCREATE_EXE: &str = "%SystemRoot%\\System32\\EventCreate.exe";

/// The log holding a classic event of `source`, if any (its registration, as far as the
/// store remembers it).
fn logged_in(engine: &Engine, source: &str) -> Option<String> {
    let quote = if source.contains('\'') { '"' } else { '\'' };
    if source.contains(quote) {
        return None;
    }
    let xpath = format!(
        "*[System[Provider[@Name={quote}{source}{quote}] and band(Keywords,{KEYWORD_CLASSIC})]]"
    );
    let session = engine.default_session();
    // Not Security: eventcreate never writes there (and it is the largest log).
    let logs = engine.channel_names().into_iter();
    logs.filter(|name| !name.eq_ignore_ascii_case("Security"))
        .find(|name| {
            session
                .query(Some(name), Some(&xpath), QueryFlags::default())
                .ok()
                .and_then(|results| results.next(1, None).ok())
                .is_some_and(|next| matches!(next, Next::Events(events) if !events.is_empty()))
        })
}

/// An eventcreate error: `ERROR: …`, exit status 1.
fn error(message: impl std::fmt::Display) -> Failure {
    Failure::Operation(format!("ERROR: {message}"))
}

/// A syntax error, with eventcreate's pointer to its usage.
fn syntax(message: impl std::fmt::Display) -> Failure {
    error(format_args!(
        "Invalid Syntax. {message}\nType \"EVTUTIL EVENTCREATE /?\" for usage."
    ))
}

/// What the command line asks for, checked.
#[derive(Debug, PartialEq)]
pub struct Request {
    pub log: Option<String>,
    pub source: String,
    pub event_type: ReportType,
    /// The type as eventcreate names it in its message.
    pub type_name: &'static str,
    pub id: u16,
    pub description: String,
}

/// Checks the options (every message eventcreate gives for them).
pub fn request(args: &Args) -> Result<Request, Failure> {
    if !args.positional.is_empty() {
        return Err(syntax(format_args!(
            "Invalid argument '{}'.",
            args.positional[0]
        )));
    }
    let required = |name: &str| -> Result<String, Failure> {
        match args.option(name) {
            None => Err(syntax(format_args!(
                "Mandatory option '/{name}' is missing."
            ))),
            Some("") => Err(syntax(format_args!("'/{name}' needs a value."))),
            Some(v) => Ok(v.to_owned()),
        }
    };
    let type_text = required("t")?;
    let (event_type, type_name) = match type_text.to_ascii_uppercase().as_str() {
        "ERROR" => (ReportType::Error, "ERROR"),
        "WARNING" => (ReportType::Warning, "WARNING"),
        "INFORMATION" => (ReportType::Information, "INFORMATION"),
        "SUCCESS" => (ReportType::Success, "SUCCESS"),
        _ => {
            return Err(error(format_args!(
                "Invalid value '{type_text}' for '/t'. Valid values are 'ERROR', 'WARNING', \
                 'INFORMATION' and 'SUCCESS'."
            )))
        }
    };
    let id_text = required("id")?;
    let id = match id_text.parse::<u16>() {
        Ok(id) if (1..=1000).contains(&id) => id,
        _ => {
            return Err(error(format_args!(
                "Invalid event ID '{id_text}'. Valid IDs are 1 to 1000."
            )))
        }
    };
    let description = required("d")?;
    let length = description.encode_utf16().count();
    if length > MAX_REPORT_STRING {
        return Err(error(format_args!(
            "The description has {length} characters; at most {MAX_REPORT_STRING} fit in an event."
        )));
    }
    let source = match args.option("so") {
        None => DEFAULT_SOURCE.to_owned(),
        Some("") => return Err(syntax("'/so' needs a value.")),
        Some(s) => s.to_owned(),
    };
    let log = match args.option("l") {
        None => None,
        Some("") => return Err(syntax("'/l' needs a value.")),
        Some(l) => Some(l.to_owned()),
    };
    if args.option("u").is_some() && args.option("s").is_none() {
        return Err(syntax("/U can be specified only when /S is specified."));
    }
    if args.option("p").is_some() && args.option("u").is_none() {
        return Err(syntax("/P can be specified only when /U is specified."));
    }
    Ok(Request {
        log,
        source,
        event_type,
        type_name,
        id,
        description,
    })
}

/// Writes the event `request` describes on `engine`, says so on `out`, and returns the log's
/// name.
pub fn create(engine: &Engine, request: &Request, out: &mut impl Write) -> Result<String, Failure> {
    let registered = engine.publishers().get(&request.source);
    // A source eventcreate made in an earlier run is known by its events (the store keeps
    // events, not the registry key Windows writes).
    let earlier = match &registered {
        None => logged_in(engine, &request.source),
        Some(_) => None,
    };
    let log = match (&request.log, &earlier) {
        (Some(log), _) => engine
            .channel(log)
            .map_err(|_| error(format_args!("The log '{log}' does not exist.")))?
            .name()
            .to_owned(),
        (None, Some(earlier)) => earlier.clone(),
        (None, None) => engine.event_source_log(&request.source),
    };
    if let Some(earlier) = earlier.filter(|e| !e.eq_ignore_ascii_case(&log)) {
        return Err(error(format_args!(
            "Source already exists in '{earlier}' log. Source cannot be duplicated."
        )));
    }
    if log.eq_ignore_ascii_case("Security") {
        return Err(error(
            "Access is denied. Custom events cannot be written to the Security log.",
        ));
    }
    match registered.as_deref().map(|p| p.classic.as_ref()) {
        Some(None) => {
            return Err(error(
                "Source parameter is used to identify custom applications/scripts only (not \
                 installed applications).",
            ))
        }
        Some(Some(classic)) if !classic.log.eq_ignore_ascii_case(&log) => {
            return Err(error(format_args!(
                "Source already exists in '{}' log. Source cannot be duplicated.",
                classic.log
            )))
        }
        Some(Some(_)) => {}
        None if request.source.eq_ignore_ascii_case(&log) => {}
        None => {
            let source = ClassicSource {
                event_message_file: Some(EVENTCREATE_EXE.to_owned()),
                ..ClassicSource::default()
            };
            engine
                .register_event_source(&log, &request.source, source)
                .map_err(|e| error(format_args!("{e} ({})", e.win32_code())))?;
        }
    }
    let mut report = ClassicReport::new(request.event_type, u32::from(request.id));
    report.strings.push(request.description.clone());
    // ReportEvent's shape (`classic_event`), stamped with the present as Windows stamps it:
    // the store's own clock stands at its newest event, for queries.
    let mut event = evtlog::classic_event(&request.source, &report);
    event.system.time_created = Some(evtlog::SystemClock.now());
    engine
        .write(&log, event)
        .map_err(|e| error(format_args!("{e} ({})", e.win32_code())))?;
    writeln!(
        out,
        "SUCCESS: An event of type '{}' was created in the '{log}' log with '{}' as the source.",
        request.type_name, request.source
    )
    .map_err(io_failure)?;
    Ok(log)
}
