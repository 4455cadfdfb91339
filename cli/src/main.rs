//! evtutil: a wevtutil-compatible command line over evtlog.
//!
//! Verbs: wevtutil's `el`, `gl`, `sl`, `ep`, `gp`, `im`, `um`, `qe`, `gli`, `epl`, `al`,
//! `cl` with its global options `/r /u /p /a /uni`; `eventcreate` and `write`, which fill a
//! store from scripts; `trace` (a call trace's summary); `completions` and `man`. The verbs
//! and options are the tables of table.rs and args.rs; see `evtutil /?`.

mod args;
mod eventcreate;
mod filequery;
mod help;
mod json;
mod logconfig;
mod loginfo;
mod progress;
mod publisher;
mod query;
mod remote;
mod rendered;
mod store;
mod table;
mod text;
mod trace;
mod unicode;
mod write;

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use args::{Args, UsageError};
use evtlog::{Engine, ExportFlags, ManifestFiles};

/// What went wrong, for the exit status and the message.
enum Failure {
    Usage(String),
    /// wevtutil's wording: "Failed to `<what>`. `<Windows message>`".
    Operation(String),
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let result = run(&argv, &mut out).and_then(|()| out.flush().map_err(io_failure));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(message)) => {
            let (text, status) = help::usage_error(&argv, &message);
            eprint!("{text}");
            ExitCode::from(status)
        }
        // A closed pipe (`evtutil qe … | head`) is a normal way to stop reading.
        Err(Failure::Operation(message)) if message == BROKEN_PIPE => ExitCode::SUCCESS,
        // Ctrl-C: the running call was cancelled (progress.rs).
        Err(Failure::Operation(message)) if progress::interrupted() => {
            progress::print_once(&message);
            ExitCode::from(progress::INTERRUPTED_STATUS)
        }
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
    let args = Args::parse(argv, table::verb)?;
    // Reads of log files install the Ctrl-C handler themselves, where the file is large
    // enough to want it (progress.rs).
    let reads_log_file = matches!(
        args.verb.as_str(),
        "qe" | "query-events" | "gli" | "get-loginfo"
    ) && args.flag("logfile")?;
    if !reads_log_file {
        progress::install();
    }
    if args.flag("unicode")? {
        // /uni:true: everything written to stdout goes out as UTF-16LE.
        return dispatch(args, &mut unicode::Utf16Writer::new(out));
    }
    dispatch(args, out)
}

fn dispatch(args: Args, out: &mut impl Write) -> Result<(), Failure> {
    if args.help {
        let text = match table::verb(&args.verb) {
            Some(verb) => help::verb_usage(verb),
            None => help::usage(),
        };
        out.write_all(text.as_bytes()).map_err(io_failure)?;
        return Ok(());
    }
    match args.verb.as_str() {
        "trace" => return summarize_trace(&args, out),
        "completions" => {
            let [shell] = args.positional.as_slice() else {
                return Err(Failure::Usage(
                    "completions takes one shell: bash, zsh or fish".into(),
                ));
            };
            let script = help::completions(&shell.to_ascii_lowercase()).ok_or_else(|| {
                Failure::Usage(format!(
                    "completions: no script for '{shell}' (bash, zsh or fish)"
                ))
            })?;
            return out.write_all(script.as_bytes()).map_err(io_failure);
        }
        "man" => return out.write_all(help::man().as_bytes()).map_err(io_failure),
        _ => {}
    }
    // eventcreate checks its options before it reaches a computer, as eventcreate does.
    let event_request = match args.verb.as_str() {
        "eventcreate" => Some(eventcreate::request(&args)?),
        _ => None,
    };
    let login = match &event_request {
        Some(_) => remote::login_from(args.option("s"), args.option("u"), args.option("p"), None)?,
        None => remote::login(&args)?,
    };
    let is_remote = login.is_some();
    let engine = match (login, store::Needs::of(&args)?) {
        // /r: the verb runs on the remote computer's session; no local store is opened.
        (Some(login), _) => remote::connect(&login)?,
        // A log file's query or export: a bare engine, no store opened or made.
        // No channels, no publishers, on the wall clock: `timediff()` measures from the
        // present, as on Windows.
        (None, None) => Engine::new(),
        (None, Some(needs)) => open_store(&args, needs)?,
    };
    progress::cancel_through(&engine.default_session(), &args.verb).map_err(Failure::Operation)?;
    if let Some(request) = event_request {
        let log = eventcreate::create(&engine, &request, out)?;
        return save_xml_channel(&engine, &args, is_remote, &log);
    }
    match args.verb.as_str() {
        "gli" | "get-loginfo" => loginfo::get_log_info(&engine, &args, out),
        "write" => {
            let channel = write::from_args(&engine, &args)?;
            save_xml_channel(&engine, &args, is_remote, &channel)
        }
        "qe" | "query-events" => query::query_events(&engine, &args, out),
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
            | "eventcreate"
            | "write"
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

/// A store of XML channel files keeps a changed channel by rewriting its file (a store of
/// .evtx channels, or a remote computer's, is current already).
fn save_xml_channel(engine: &Engine, args: &Args, remote: bool, name: &str) -> Result<(), Failure> {
    if remote || engine.store_dir().is_some() {
        return Ok(());
    }
    if let StoreChoice::Dir(dir) = store_choice(args)? {
        let channel = engine
            .channel(name)
            .map_err(|e| remote::failed("save the channel", &e))?;
        store::save_channel(&dir, &channel)
            .map_err(|e| Failure::Operation(format!("Failed to save the channel. {e}")))?;
    }
    Ok(())
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
    let mut bar = progress::Bar::for_reports("Backing up", backup.is_some());
    if let Some(file) = &backup {
        progress::leaves_behind(std::path::Path::new(file));
    }
    engine
        .default_session()
        .clear_log_with_progress(channel, backup.as_deref(), &mut |p| bar.report(p))
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
    let _spinner = progress::Spinner::new(if install {
        "Installing"
    } else {
        "Uninstalling"
    });
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
    // A filtering query makes the total an upper bound: no bar to fill, a count.
    let mut bar = progress::Bar::for_reports(
        "Exporting",
        !structured && query.as_deref().is_none_or(|q| q == "*"),
    );
    progress::leaves_behind(std::path::Path::new(&target));
    engine
        .default_session()
        .export_log_with_progress(
            path.as_deref(),
            query.as_deref(),
            &target,
            flags,
            &mut |p| bar.report(p),
        )
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
