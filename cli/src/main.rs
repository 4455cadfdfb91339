//! evtutil: a wevtutil-compatible command line over evtlog.
//!
//! Verbs so far: `qe` (query-events), `el` (enum-logs), `epl` (export-log), `cl`
//! (clear-log), `im` (install-manifest), `um` (uninstall-manifest), `ep` (enum-publishers),
//! `gp` (get-publisher), `gl` (get-log), `sl` (set-log), `al` (archive-log) and `trace` (a call trace's summary). See
//! `evtutil /?`.

mod args;
mod filequery;
mod logconfig;
mod publisher;
mod rendered;
mod store;
mod text;
mod trace;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use args::{
    Args, OptionSpec, UsageError, AL_OPTIONS, CL_OPTIONS, EPL_OPTIONS, GP_OPTIONS, IM_OPTIONS,
    QE_OPTIONS,
};
use evtlog::{
    Bookmark, Engine, ErrorKind, ExportFlags, ManifestFiles, Next, QueryFlags, SeekFlags,
    MAX_NEXT_COUNT,
};

const USAGE: &str = "\
evtutil: a wevtutil-compatible tool over evtlog's emulated Windows event logs

Usage: evtutil [--store DIR | --memory] [--threads N] COMMAND [ARGUMENTS] [/OPTION:VALUE ...]

Commands:
  qe (query-events) CHANNEL   Lists the events of a channel.
  qe FILE.xml /sq:true        Lists the events a structured query (<QueryList>) selects.
  qe FILE.evtx /lf:true       Lists the events of an .evtx log file.
      /lf:true|false  (/logfile)      the argument is a log file, not a channel
      /q:XPATH  (/query)              only events the XPath selects, e.g. /q:*[System[EventID=4624]]
      /sq:true|false  (/structuredquery)  the argument is a file holding a <QueryList>
      /c:N  (/count)                  at most N events
      /rd:true|false  (/reversedirection)  newest first (default false)
      /f:xml|text|RenderedXml  (/format)  one XML event per line (default), wevtutil's text
                                      layout, or XML with <RenderingInfo> from the installed
                                      publishers (events of others print as plain XML)
      /l:CULTURE  (/locale)           RenderedXml's strings in that culture (fr-FR), strictly
      /e:NAME  (/element)             wrap the XML output in <NAME>…</NAME>
      /bm:FILE  (/bookmark)           start after the bookmark saved in FILE
      /sbm:FILE  (/savebookmark)      save a bookmark of the last event printed to FILE
  el (enum-logs)              Lists the channels, sorted as Windows sorts them.
  epl (export-log) CHANNEL TARGET.evtx   Exports a channel's events to an .evtx file.
  epl FILE.evtx TARGET.evtx /lf:true     Exports the events of a log file.
  epl FILE.xml TARGET.evtx /sq:true      Exports the events a structured query selects.
      /lf:true|false  (/logfile)      the source is a log file, not a channel
      /q:XPATH  (/query)              only events the XPath selects
      /sq:true|false  (/structuredquery)  the source is a file holding a <QueryList>
      /ow:true|false  (/overwrite)    replace TARGET if it exists (else it is an error)
  al (archive-log) FILE.evtx  Archives the metadata of the log file's installed publishers
                              in LocaleMetaData/<file>_<LCID>.MTA beside it, so that
                              their events format where the publishers are not installed.
      /l:CULTURE  (/locale)           the strings of that culture (default en-US)
  ep (enum-publishers)        Lists the installed publishers, in installation order.
  gp (get-publisher) NAME     Prints a publisher's metadata as wevtutil prints it.
      /ge:true|false  (/getevents)    also its events
      /gm:true|false  (/getmessage)   messages as text instead of message ids
      /f:text|xml  (/format)          wevtutil's text layout (default), or XML
  cl (clear-log) CHANNEL      Removes every event of a channel (the store keeps it so).
      /bu:FILE.evtx  (/backup)        first write the events to FILE.evtx (it must not exist)
  im (install-manifest) FILE.man   Installs the providers of an instrumentation manifest and
                              creates the channels they define (the store keeps them).
      /rf:PATH  (/resourceFilePath)   the providers' resource file, instead of the manifest's
      /mf:PATH  (/messageFilePath)    the providers' message file, instead of the manifest's
      /pf:PATH  (/parameterFilePath)  the providers' parameter file, instead of the manifest's
  im /pn:NAME /rf:WINPATH     Installs provider NAME from a real Windows binary (no manifest):
                              its events and templates from WINPATH's WEVT_TEMPLATE, its
                              strings from its message table; WINPATH (e.g.
                              %SystemRoot%\\System32\\adtschema.dll) is found under the
                              directory EVTLOG_WINDIR names. /mf, /pf as above.
      /pn:NAME  (/providerName)       the provider's name (the binary holds none)
      /pg:GUID  (/providerGuid)       which of the binary's providers (needed when it holds several)
  um (uninstall-manifest) FILE.man Uninstalls the manifest's providers (their channels and
                              events stay).
  gl (get-log) CHANNEL        Prints a channel's configuration.
      /f:text|xml  (/format)          wevtutil's text layout (default), or its <channel> XML
  sl (set-log) CHANNEL        Changes a channel's configuration (the store keeps it).
  sl /c:CONFIG.xml            Changes the channel the file names, as gl /f:xml prints it.
      /e:true|false  (/enabled)       enable or disable the channel
      /i:system|application|custom  (/isolation)
      /lfn:PATH  (/logfilename)       move the channel's file there
      /rt:true|false  (/retention)    true: refuse events when full; false: overwrite the oldest
      /ab:true|false  (/autobackup)   archive the full file and start a new one (needs /rt:true)
      /ms:BYTES  (/maxsize)           maximum size (at least 1048576, in whole 64 KiB)
      /l:LEVEL  (/level)  /k:MASK  (/keywords)   publishing filters (stored)
      /ca:SDDL  (/channelaccess)      the channel's access
  trace FILE                  Summarizes a call trace (EVTLOG_TRACE's JSON lines): calls and
                              failures per function, errors by code, the slowest calls.
                              Bad lines are reported on stderr with their number and skipped.
      /c:N  (/count)                  list the N slowest calls (default 5)

Store:
  The default store is persistent: each channel (Application, System, Security, Setup,
  Microsoft-Windows-Sysmon/Operational, ForwardedEvents) a live .evtx file named as Windows
  names it, in $XDG_DATA_HOME/evtlog/store (else ~/.local/share/evtlog/store), created and
  filled with the embedded default events on first use, so a first run prints the same
  events everywhere. --store DIR (or EVTLOG_STORE=DIR) uses another directory (one holding
  <channel>.xml files is read as XML channels); --memory uses the embedded default events in
  memory and saves nothing. Installed manifests are kept in a store of .evtx channels
  (DIR/providers); a store of XML channel files keeps none, so im and um refuse it. Every
  store has the default publishers (the manifests of the providers of the default events:
  ep lists them), so qe /f:RenderedXml shows those events' messages.

  A query or export of log files (/lf:true) opens no store.

Threads:
  --threads N  how many threads read a log file (qe /lf:true; default: all cores). Its
  events print in record order whatever N; /bm and /sbm read on one thread.

Options may start with / or -; names are case-insensitive. Queries measure timediff() from
the store's newest event (of log files: from the present). Events of several channels come
merged in time order.
";

/// What went wrong, for the exit status and the message.
enum Failure {
    Usage(String),
    /// wevtutil's wording: "Failed to <what>. <Windows message>".
    Operation(String),
}

fn options_of(verb: &str) -> Option<&'static [OptionSpec]> {
    match verb {
        "qe" | "query-events" => Some(QE_OPTIONS),
        "el" | "enum-logs" => Some(&[]),
        "epl" | "export-log" => Some(EPL_OPTIONS),
        "cl" | "clear-log" => Some(CL_OPTIONS),
        "al" | "archive-log" => Some(AL_OPTIONS),
        "im" | "install-manifest" => Some(IM_OPTIONS),
        "um" | "uninstall-manifest" => Some(&[]),
        "ep" | "enum-publishers" => Some(&[]),
        "gp" | "get-publisher" => Some(GP_OPTIONS),
        "gl" | "get-log" => Some(logconfig::GL_OPTIONS),
        "sl" | "set-log" => Some(logconfig::SL_OPTIONS),
        "trace" => Some(trace::TRACE_OPTIONS),
        _ => None,
    }
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = run(&argv, &mut out)
        .and_then(|()| out.flush().map_err(|e| Failure::Operation(e.to_string())));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            eprintln!("evtutil: {message}\n\n{USAGE}");
            ExitCode::from(2)
        }
        // A closed pipe (`evtutil qe … | head`) is a normal way to stop reading.
        Err(Failure::Operation(message)) if message == BROKEN_PIPE => ExitCode::SUCCESS,
        Err(Failure::Operation(message)) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// `trace FILE [/c:N]`: the summary of a call trace; no store is opened.
fn summarize_trace(args: &Args, out: &mut impl Write) -> Result<(), Failure> {
    let [file] = args.positional.as_slice() else {
        return Err(Failure::Usage(
            "trace takes one argument, the trace file".to_owned(),
        ));
    };
    let slowest = match args.count("count")? {
        Some(n) => usize::try_from(n).unwrap_or(usize::MAX),
        None => trace::DEFAULT_SLOWEST,
    };
    let input = std::fs::File::open(file)
        .map_err(|e| Failure::Operation(format!("Failed to read trace {file}. {e}")))?;
    trace::summarize(
        file,
        io::BufReader::new(input),
        slowest,
        out,
        &mut io::stderr().lock(),
    )
    .map_err(io_failure)
}

const BROKEN_PIPE: &str = "\0broken pipe";

fn io_failure(e: io::Error) -> Failure {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Failure::Operation(BROKEN_PIPE.to_owned())
    } else {
        Failure::Operation(format!("Failed to write output. {e}"))
    }
}

impl From<UsageError> for Failure {
    fn from(e: UsageError) -> Failure {
        Failure::Usage(e.0)
    }
}

fn run(argv: &[String], out: &mut impl Write) -> Result<(), Failure> {
    let args = Args::parse(argv, options_of)?;
    if args.help {
        out.write_all(USAGE.as_bytes()).map_err(io_failure)?;
        return Ok(());
    }
    if args.verb == "trace" {
        return summarize_trace(&args, out);
    }
    let engine = match store::Needs::of(&args)? {
        // A log file's query or export: a bare engine, no store opened or made.
        // No channels, no publishers, on the wall clock: `timediff()` measures from the
        // present, as on Windows.
        None => Engine::new(),
        Some(needs) => open_store(&args, needs)?,
    };
    match args.verb.as_str() {
        "qe" | "query-events" => query_events(&engine, &args, out),
        "epl" | "export-log" => export_log(&engine, &args),
        "cl" | "clear-log" => clear_log(&engine, &args),
        "al" | "archive-log" => archive_log(&engine, &args),
        "im" | "install-manifest" => manifest(&engine, &args, true),
        "um" | "uninstall-manifest" => manifest(&engine, &args, false),
        "gl" | "get-log" => logconfig::get_log(&engine, &args, out),
        "sl" | "set-log" => {
            if let (StoreChoice::Dir(dir), None) = (store_choice(&args)?, engine.store_dir()) {
                return Err(Failure::Operation(format!(
                    "Failed to save configuration. {} is a store of XML channels, which keeps \
                     no configuration",
                    dir.display()
                )));
            }
            logconfig::set_log(&engine, &args)
        }
        "el" | "enum-logs" => {
            if !args.positional.is_empty() {
                return Err(Failure::Usage("el takes no arguments".into()));
            }
            for name in engine.channel_names() {
                writeln!(out, "{name}").map_err(io_failure)?;
            }
            Ok(())
        }
        "ep" | "enum-publishers" => {
            if !args.positional.is_empty() {
                return Err(Failure::Usage("ep takes no arguments".into()));
            }
            publisher::enum_publishers(&engine, out).map_err(io_failure)
        }
        "gp" | "get-publisher" => get_publisher(&engine, &args, out),
        other => Err(Failure::Usage(format!("unknown command '{other}'"))),
    }
}

/// Where the channels come from.
enum StoreChoice {
    /// `--memory`: the embedded default store, in memory.
    Memory,
    /// A directory store: `--store DIR`, `EVTLOG_STORE`, or the default one.
    Dir(PathBuf),
}

fn store_choice(args: &Args) -> Result<StoreChoice, Failure> {
    if args.memory {
        return Ok(StoreChoice::Memory);
    }
    let given = args
        .store
        .clone()
        .or_else(|| std::env::var("EVTLOG_STORE").ok().filter(|s| !s.is_empty()));
    match given {
        Some(dir) => Ok(StoreChoice::Dir(PathBuf::from(dir))),
        None => store::default_dir().map(StoreChoice::Dir).ok_or_else(|| {
            Failure::Operation(
                "Failed to open the store. No data directory (neither XDG_DATA_HOME nor HOME \
                 is set): give one with --store DIR or EVTLOG_STORE, or use --memory"
                    .into(),
            )
        }),
    }
}

/// Whether `verb` changes the store (its channels, their configuration, its providers).
fn writes_store(verb: &str) -> bool {
    matches!(
        verb,
        "cl" | "clear-log"
            | "sl"
            | "set-log"
            | "im"
            | "install-manifest"
            | "um"
            | "uninstall-manifest"
    )
}

/// The store, with what the verb needs of it (`store::Needs`).
fn open_store(args: &Args, needs: store::Needs) -> Result<Engine, Failure> {
    let engine = match store_choice(args)? {
        StoreChoice::Memory => store::embedded(needs),
        // One writer per store: the verbs that change it hold its write lock (another
        // writer meanwhile fails with 32); the others read it without one.
        StoreChoice::Dir(dir) if writes_store(&args.verb) => store::open_dir(&dir, needs)
            .map_err(|e| Failure::Operation(format!("Failed to open the store. {e}")))?,
        StoreChoice::Dir(dir) => store::open_dir_read_only(&dir, needs)
            .map_err(|e| Failure::Operation(format!("Failed to open the store. {e}")))?,
    };
    // Providers' resource files (real Windows DLLs) are found under EVTLOG_WINDIR.
    if let Some(resolver) = evtlog::ResourceResolver::from_env() {
        engine.set_windows_dir(resolver.windows_dir());
    }
    Ok(engine)
}

/// A path the user gave, made absolute against the current directory (Windows takes
/// absolute paths only; a user at a terminal means the current directory).
fn absolute(path: &str, what: &str) -> Result<String, Failure> {
    std::path::absolute(path)
        .map(|p| p.to_string_lossy().into_owned())
        .map_err(|e| Failure::Operation(format!("Failed to {what}. {path}: {e}")))
}

/// The `<QueryList>` in `file` (`/sq:true`), which holds the whole query (so no `/q`).
fn read_query_file(args: &Args, file: &str) -> Result<String, Failure> {
    if args.option("query").is_some() {
        return Err(Failure::Usage(
            "/q and /sq:true do not go together: the query file holds the query".into(),
        ));
    }
    std::fs::read_to_string(file)
        .map_err(|e| Failure::Operation(format!("Failed to read the query file {file}. {e}")))
}

/// `gp`: one publisher's metadata (`/ge` its events, `/gm` messages as text, `/f` text or
/// xml).
fn get_publisher(engine: &Engine, args: &Args, out: &mut impl Write) -> Result<(), Failure> {
    let [name] = args.positional.as_slice() else {
        return Err(Failure::Usage("gp takes one publisher name".into()));
    };
    let xml = match args
        .option("format")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("text") => false,
        Some("xml") => true,
        Some(other) => {
            return Err(Failure::Usage(format!(
                "/f takes text or xml, not '{other}'"
            )))
        }
    };
    let options = publisher::GpOptions {
        events: args.flag("getevents")?,
        messages: args.flag("getmessage")?,
        xml,
    };
    publisher::get_publisher(engine, name, &options, out)
        .map_err(|e| {
            Failure::Operation(format!(
                "Failed to read publisher metadata for {name}. {e} ({})",
                e.win32_code()
            ))
        })?
        .map_err(io_failure)
}

/// `cl`: EvtClearLog on the default session; a directory store then saves the channel.
fn clear_log(engine: &Engine, args: &Args) -> Result<(), Failure> {
    let [channel] = args.positional.as_slice() else {
        return Err(Failure::Usage("cl takes one channel name".into()));
    };
    let backup = match args.option("backup") {
        Some("") => return Err(Failure::Usage("/bu takes a file name".into())),
        Some(file) => Some(absolute(file, "clear the log")?),
        None => None,
    };
    let failed = |e: evtlog::Error| {
        Failure::Operation(format!("Failed to clear the log. {e} ({})", e.win32_code()))
    };
    engine
        .default_session()
        .clear_log(channel, backup.as_deref())
        .map_err(failed)?;
    // A persistent store's file is current already; an XML store's is rewritten.
    if let (StoreChoice::Dir(dir), None) = (store_choice(args)?, engine.store_dir()) {
        let channel = engine.channel(channel).map_err(failed)?;
        store::save_channel(&dir, &channel)
            .map_err(|e| Failure::Operation(format!("Failed to clear the log. {e}")))?;
    }
    Ok(())
}

/// `im` (`install`) and `um`: a manifest's providers installed or uninstalled, kept by a
/// store of .evtx channels. Like wevtutil, silent on success.
fn manifest(engine: &Engine, args: &Args, install: bool) -> Result<(), Failure> {
    let (verb, what) = if install {
        ("im", "install")
    } else {
        ("um", "uninstall")
    };
    if install && args.option("providername").is_some() {
        return resource_provider(engine, args);
    }
    let [file] = args.positional.as_slice() else {
        return Err(Failure::Usage(format!("{verb} takes one manifest file")));
    };
    if let (StoreChoice::Dir(dir), None) = (store_choice(args)?, engine.store_dir()) {
        return Err(Failure::Operation(format!(
            "Failed to {what} the manifest. The store {} holds XML channel files, which keep no providers.",
            dir.display()
        )));
    }
    let path = |long: &str| -> Result<Option<String>, Failure> {
        match args.option(long) {
            Some("") => Err(Failure::Usage(format!("/{long} takes a path"))),
            other => Ok(other.map(str::to_owned)),
        }
    };
    // The engine's errors name the file, and the line and column for the manifest's own.
    let failed = |e: evtlog::Error| {
        Failure::Operation(format!(
            "Failed to {what} the manifest. {e} ({})",
            e.win32_code()
        ))
    };
    if install {
        let files = ManifestFiles {
            resource_file: path("resourcefilepath")?,
            message_file: path("messagefilepath")?,
            parameter_file: path("parameterfilepath")?,
        };
        engine
            .install_manifest_file_with(file, &files)
            .map_err(failed)?;
    } else {
        engine.uninstall_manifest_file(file).map_err(failed)?;
    }
    Ok(())
}

/// `im /pn:NAME /rf:WINPATH [/pg:GUID] [/mf] [/pf]`: a provider installed from a Windows
/// binary under EVTLOG_WINDIR (`Engine::install_resource_provider`), kept by the store.
fn resource_provider(engine: &Engine, args: &Args) -> Result<(), Failure> {
    if !args.positional.is_empty() {
        return Err(Failure::Usage(
            "im /pn installs from a resource file (/rf), not from a manifest".into(),
        ));
    }
    let value = |long: &str| -> Result<Option<String>, Failure> {
        match args.option(long) {
            Some("") => Err(Failure::Usage(format!("/{long} takes a value"))),
            other => Ok(other.map(str::to_owned)),
        }
    };
    let name = value("providername")?.unwrap_or_default();
    let files = ManifestFiles {
        resource_file: value("resourcefilepath")?,
        message_file: value("messagefilepath")?,
        parameter_file: value("parameterfilepath")?,
    };
    if files.resource_file.is_none() {
        return Err(Failure::Usage(
            "im /pn needs the binary: /rf:WINPATH".into(),
        ));
    }
    let guid = match value("providerguid")? {
        None => None,
        Some(text) => Some(
            evtlog::Guid::parse(&text)
                .ok_or_else(|| Failure::Usage(format!("/pg takes a GUID ({{…}}), not '{text}'")))?,
        ),
    };
    engine
        .install_resource_provider(&name, guid, &files)
        .map_err(|e| {
            Failure::Operation(format!(
                "Failed to install provider {name}. {e} ({})",
                e.win32_code()
            ))
        })?;
    Ok(())
}

/// `epl`: EvtExportLog on the default session.
fn export_log(engine: &Engine, args: &Args) -> Result<(), Failure> {
    let [source, target] = args.positional.as_slice() else {
        return Err(Failure::Usage(
            "epl takes a channel name (or a log file with /lf:true, or a query file with /sq:true) and a target file".into(),
        ));
    };
    let structured = args.flag("structuredquery")?;
    let log_file = args.flag("logfile")?;
    let mut flags = ExportFlags::default();
    if args.flag("overwrite")? {
        flags = flags | ExportFlags::OVERWRITE;
    }
    let (path, query) = if structured {
        (None, Some(read_query_file(args, source)?))
    } else if log_file {
        (
            Some(absolute(source, "export the log")?),
            args.option("query").map(str::to_owned),
        )
    } else {
        (
            Some(source.clone()),
            args.option("query").map(str::to_owned),
        )
    };
    if log_file {
        flags = flags | ExportFlags::FILE_PATH;
    }
    let target = absolute(target, "export the log")?;
    engine
        .default_session()
        .export_log(path.as_deref(), query.as_deref(), &target, flags)
        .map_err(|e| {
            Failure::Operation(format!(
                "Failed to export the log. {e} ({})",
                e.win32_code()
            ))
        })?;
    Ok(())
}

/// `al`: EvtArchiveExportedLog on a log file, in `/l`'s culture (en-US by default).
fn archive_log(engine: &Engine, args: &Args) -> Result<(), Failure> {
    let [file] = args.positional.as_slice() else {
        return Err(Failure::Usage("al takes one log file".into()));
    };
    let lcid = match args.option("locale") {
        None => 0,
        Some(name) => evtlog::lcid_of(name)
            .ok_or_else(|| Failure::Usage(format!("/l: '{name}' is not a known culture")))?,
    };
    let path = absolute(file, "archive the log")?;
    engine
        .default_session()
        .archive_exported_log(&path, lcid)
        .map_err(|e| {
            Failure::Operation(format!(
                "Failed to archive the log. {e} ({})",
                e.win32_code()
            ))
        })?;
    Ok(())
}

fn query_events(engine: &Engine, args: &Args, out: &mut impl Write) -> Result<(), Failure> {
    let [target] = args.positional.as_slice() else {
        return Err(Failure::Usage(
            "qe takes one channel name (or, with /sq:true, one query file)".into(),
        ));
    };
    let count = args.count("count")?;
    let reverse = args.flag("reversedirection")?;
    let structured = args.flag("structuredquery")?;
    let (text, rendered_xml) = match args
        .option("format")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("xml") => (false, false),
        Some("text") => (true, false),
        Some("renderedxml") => (false, true),
        Some(other) => {
            return Err(Failure::Usage(format!(
                "/f takes xml, text or RenderedXml, not '{other}'"
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
    let mut buf = String::with_capacity(4096);
    let mut index = 0u64;
    while left > 0 && !at_end {
        let batch = match results
            .next(left.min(MAX_NEXT_COUNT), None)
            .map_err(failed)?
        {
            Next::Events(events) => events,
            Next::End | Next::TimedOut => break,
        };
        left -= batch.len();
        for event in &batch {
            buf.clear();
            if text {
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
            if save_to.is_some() {
                // Only then: a bookmark reads the record id, which makes an event a file
                // query deferred (its XML was written without making it).
                saved.update(event);
            }
            index += 1;
        }
    }
    if let (Some(root), false) = (element, text) {
        writeln!(out, "</{root}>").map_err(io_failure)?;
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
