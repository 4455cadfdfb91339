//! wevtutil-style command lines: `evtutil VERB ARG… [/opt:value]…`.
//!
//! Options start with `/` or `-`, their names are case-insensitive and may be given short or
//! long (`/c` or `/count`), and the value follows a `:` (`/rd:true`); for a verb that takes
//! values apart (eventcreate: `/t ERROR`) it may also be the next argument. wevtutil's
//! global options (`/r`, `/u`, `/p`, `/a`, `/uni`) go with every verb that reaches a
//! computer; evtutil's own (`--store DIR`, `--memory`) may stand anywhere.
//!
//! Every option is a row of a table ([`OptionSpec`]: short and long name, value syntax,
//! description; the verbs in `table.rs`), and the parser accepts exactly the rows, so the
//! usage text, the completions and the man page made from the same rows name every option.

use std::fmt;

/// A parsed command line.
#[derive(Debug, Default, PartialEq)]
pub struct Args {
    pub verb: String,
    pub positional: Vec<String>,
    /// `(canonical long name, value)` in the order given.
    pub options: Vec<(&'static str, String)>,
    /// `--store DIR`, if given.
    pub store: Option<String>,
    /// `--memory`: the embedded default store in memory, nothing saved.
    pub memory: bool,
    /// `--threads N`: how many threads read a log file (default: all cores).
    pub threads: Option<usize>,
    pub help: bool,
}

/// A usage error, printed with the usage text.
#[derive(Debug, PartialEq)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An option a verb accepts: its short and long names, the syntax of its value (as the
/// usage shows it: `true|false`, `N`, `FILE`; empty for an option that takes none) and a
/// one-line description. Rows are written `OptionSpec::new("c", "count").value("N")
/// .help("at most N events")`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OptionSpec {
    pub short: &'static str,
    /// Lower case: the name [`Args::option`] and [`Args::flag`] look up.
    pub long: &'static str,
    pub value: &'static str,
    pub help: &'static str,
}

impl OptionSpec {
    /// An option that takes a value (`VALUE` until [`value`](OptionSpec::value) says which).
    pub const fn new(short: &'static str, long: &'static str) -> OptionSpec {
        OptionSpec {
            short,
            long,
            value: "VALUE",
            help: "",
        }
    }

    /// A boolean option: `/name:true|false` (a bare `/name` is true).
    pub const fn boolean(short: &'static str, long: &'static str) -> OptionSpec {
        OptionSpec::new(short, long).value("true|false")
    }

    /// The syntax of the value; `""` for an option that takes none (`--memory`).
    pub const fn value(mut self, value: &'static str) -> OptionSpec {
        self.value = value;
        self
    }

    /// The one-line description.
    pub const fn help(mut self, help: &'static str) -> OptionSpec {
        self.help = help;
        self
    }

    /// Whether `name` (any case) is this option's short or long name.
    pub fn is_named(&self, name: &str) -> bool {
        (!self.short.is_empty() && self.short.eq_ignore_ascii_case(name))
            || self.long.eq_ignore_ascii_case(name)
    }
}

/// A verb: its names, its usage forms, its options and how it takes them.
#[derive(Clone, Copy, Debug)]
pub struct VerbSpec {
    /// The short name (`qe`).
    pub name: &'static str,
    /// The long name (`query-events`); empty for a verb with one name.
    pub long: &'static str,
    /// Its usage forms: the arguments (after the verb) and what it does with them.
    pub forms: &'static [(&'static str, &'static str)],
    pub options: &'static [OptionSpec],
    /// It takes wevtutil's global options ([`GLOBAL_OPTIONS`]: /r /u /p /a /uni).
    pub remote: bool,
    /// A value may also be the next argument (`/t ERROR`, eventcreate's syntax).
    pub spaced: bool,
}

impl VerbSpec {
    /// Whether `name` (any case) names this verb.
    pub fn is_named(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
            || (!self.long.is_empty() && self.long.eq_ignore_ascii_case(name))
    }
}

/// `/lf` (`/logfile`): the argument is a log file.
const LOGFILE: OptionSpec =
    OptionSpec::boolean("lf", "logfile").help("the argument is a log file (.evtx), not a channel");
/// `/q` (`/query`): an XPath filter.
const QUERY: OptionSpec = OptionSpec::new("q", "query")
    .value("XPATH")
    .help("only the events the XPath selects, e.g. /q:*[System[EventID=4624]]");
/// `/sq` (`/structuredquery`): the argument is a file holding a `<QueryList>`.
const STRUCTURED_QUERY: OptionSpec = OptionSpec::boolean("sq", "structuredquery")
    .help("the argument is a file holding a structured query (<QueryList>)");

/// The options of `qe` (query-events), as wevtutil names them.
pub const QE_OPTIONS: &[OptionSpec] = &[
    LOGFILE,
    QUERY,
    STRUCTURED_QUERY,
    OptionSpec::new("c", "count")
        .value("N")
        .help("at most N events"),
    OptionSpec::boolean("rd", "reversedirection").help("newest first (default false)"),
    OptionSpec::new("f", "format")
        .value("xml|text|RenderedXml|json|jsonl")
        .help("one XML event per line (default), wevtutil's text layout, XML with <RenderingInfo> from the installed publishers, or JSON as the evtx crate writes it (json one array, jsonl one object per line)"),
    OptionSpec::new("l", "locale")
        .value("CULTURE")
        .help("RenderedXml's strings in that culture (fr-FR), strictly"),
    OptionSpec::new("e", "element")
        .value("NAME")
        .help("wrap the XML output in <NAME>...</NAME> (not with json)"),
    OptionSpec::new("bm", "bookmark")
        .value("FILE")
        .help("start after the bookmark saved in FILE"),
    OptionSpec::new("sbm", "savebookmark")
        .value("FILE")
        .help("save a bookmark of the last event printed to FILE"),
];

/// The options of `epl` (export-log).
pub const EPL_OPTIONS: &[OptionSpec] = &[
    LOGFILE,
    QUERY,
    STRUCTURED_QUERY,
    OptionSpec::boolean("ow", "overwrite")
        .help("replace TARGET if it exists (else that is an error)"),
];

/// The options of `im` (install-manifest): file paths that replace the manifest's own, and
/// the provider name and GUID of an install from a resource file.
pub const IM_OPTIONS: &[OptionSpec] = &[
    OptionSpec::new("rf", "resourcefilepath")
        .value("PATH")
        .help("the providers' resource file, instead of the manifest's"),
    OptionSpec::new("mf", "messagefilepath")
        .value("PATH")
        .help("the providers' message file, instead of the manifest's"),
    OptionSpec::new("pf", "parameterfilepath")
        .value("PATH")
        .help("the providers' parameter file, instead of the manifest's"),
    // evtlog's own: a provider installed from a Windows binary (no manifest).
    OptionSpec::new("pn", "providername")
        .value("NAME")
        .help("install provider NAME from the Windows binary /rf names (no manifest)"),
    OptionSpec::new("pg", "providerguid")
        .value("GUID")
        .help("which of the binary's providers (needed when it holds several)"),
];

/// The options of `cl` (clear-log).
pub const CL_OPTIONS: &[OptionSpec] = &[OptionSpec::new("bu", "backup")
    .value("FILE.evtx")
    .help("first write the events to FILE.evtx (it must not exist)")];

/// The options of `al` (archive-log).
pub const AL_OPTIONS: &[OptionSpec] = &[OptionSpec::new("l", "locale")
    .value("CULTURE")
    .help("the publishers' strings in that culture (default en-US)")];

/// The options of `gp` (get-publisher).
pub const GP_OPTIONS: &[OptionSpec] = &[
    OptionSpec::boolean("ge", "getevents").help("also the publisher's events"),
    OptionSpec::boolean("gm", "getmessage").help("messages as text instead of message ids"),
    OptionSpec::new("f", "format")
        .value("text|xml")
        .help("wevtutil's text layout (default), or XML"),
];

/// The options of `gli` (get-loginfo).
pub const GLI_OPTIONS: &[OptionSpec] = &[LOGFILE];

/// wevtutil's global options, for every verb that reaches a computer ([`VerbSpec::remote`]).
pub const GLOBAL_OPTIONS: &[OptionSpec] = &[
    OptionSpec::new("r", "remote")
        .value("COMPUTER")
        .help("run on the remote computer COMPUTER (one EVTLOG_COMPUTERS registers)"),
    OptionSpec::new("u", "username")
        .value("[DOMAIN\\]USER")
        .help("log in to the remote computer as USER (with /r)"),
    OptionSpec::new("p", "password")
        .value("PASSWORD")
        .help("USER's password (with /u)"),
    OptionSpec::new("a", "authentication")
        .value("Default|Negotiate|Kerberos|NTLM")
        .help("how to log in to the remote computer (default: Default)"),
    OptionSpec::boolean("uni", "unicode").help("write the output in Unicode (UTF-16LE)"),
];

/// evtutil's own options, given as `--name [VALUE]` or `--name=VALUE`, anywhere on the line.
/// A new one is a row here; its value is then `Args::option("name")` (`--store`, `--memory`
/// and `--help` fill their own fields).
pub const DASH_OPTIONS: &[OptionSpec] = &[
    OptionSpec::new("", "store")
        .value("DIR")
        .help("use the store in DIR (else EVTLOG_STORE, else the default store)"),
    OptionSpec::new("", "memory")
        .value("")
        .help("use the embedded default events in memory; nothing is saved"),
    OptionSpec::new("", "threads")
        .value("N")
        .help("threads that read a log file in qe /lf:true (default: all cores); its events print in record order whatever N"),
    OptionSpec::new("h", "help")
        .value("")
        .help("print the usage (also /? and -?; after a command, that command's)"),
];

impl Args {
    /// Parses `argv` (without the program name); `verb_of` gives the verb a name names.
    pub fn parse(
        argv: &[String],
        verb_of: impl Fn(&str) -> Option<&'static VerbSpec>,
    ) -> Result<Args, UsageError> {
        let mut args = Args::default();
        let mut verb: Option<&'static VerbSpec> = None;
        // Options seen before the verb, matched once it is known.
        let mut early: Vec<String> = Vec::new();
        let mut rest = argv.iter();
        while let Some(arg) = rest.next() {
            if let Some(body) = arg.strip_prefix("--").filter(|b| !b.is_empty()) {
                let (name, inline) = match body.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_owned())),
                    None => (body, None),
                };
                let spec = DASH_OPTIONS
                    .iter()
                    .find(|s| s.long.eq_ignore_ascii_case(name))
                    .ok_or_else(|| UsageError(format!("unknown option '{arg}'")))?;
                let value = match (spec.value.is_empty(), inline) {
                    (true, None) => String::new(),
                    (true, Some(_)) => {
                        return Err(UsageError(format!("--{} takes no value", spec.long)))
                    }
                    (false, Some(v)) => v,
                    (false, None) => rest.next().cloned().ok_or_else(|| {
                        UsageError(format!("--{} needs {}", spec.long, spec.value))
                    })?,
                };
                match spec.long {
                    "store" => args.store = Some(value),
                    "memory" => args.memory = true,
                    "threads" => {
                        args.threads =
                            Some(value.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                                UsageError(format!(
                                    "--threads takes a positive whole number, not '{value}'"
                                ))
                            })?)
                    }
                    "help" => args.help = true,
                    // Another row of the table: read with `Args::option(long)`.
                    _ => args.options.push((spec.long, value)),
                }
            } else if matches!(arg.as_str(), "-h" | "/?" | "-?") {
                args.help = true;
            } else if verb.is_none() && !is_option(arg) {
                args.verb = arg.to_ascii_lowercase();
                let spec = verb_of(&args.verb)
                    .ok_or_else(|| UsageError(format!("unknown command '{}'", args.verb)))?;
                verb = Some(spec);
                for raw in std::mem::take(&mut early) {
                    args.push_option(spec, &raw, None)?;
                }
            } else if is_option(arg) {
                match verb {
                    None => early.push(arg.clone()),
                    Some(spec) => {
                        // eventcreate's `/t ERROR`: the value is the next argument.
                        let apart = if spec.spaced && !arg.contains(':') {
                            args.takes_value(spec, arg)
                                .then(|| {
                                    rest.next().cloned().ok_or_else(|| {
                                        UsageError(format!(
                                            "Invalid Syntax. Value expected for '{arg}'."
                                        ))
                                    })
                                })
                                .transpose()?
                        } else {
                            None
                        };
                        args.push_option(spec, arg, apart)?;
                    }
                }
            } else {
                args.positional.push(arg.clone());
            }
        }
        if args.memory && args.store.is_some() {
            return Err(UsageError(
                "--memory and --store do not go together: --memory saves nothing".into(),
            ));
        }
        if verb.is_none() {
            args.help = true;
        }
        Ok(args)
    }

    /// The option row `raw` (`/name[:value]`) names among `verb`'s options and, where it
    /// takes them, the global ones.
    fn spec_of(verb: &VerbSpec, raw: &str) -> Option<&'static OptionSpec> {
        let body = &raw[1..];
        let name = body.split_once(':').map_or(body, |(n, _)| n);
        let globals = if verb.remote { GLOBAL_OPTIONS } else { &[] };
        verb.options
            .iter()
            .chain(globals)
            .find(|s| s.is_named(name))
    }

    fn takes_value(&self, verb: &VerbSpec, raw: &str) -> bool {
        Self::spec_of(verb, raw).is_some_and(|s| !s.value.is_empty())
    }

    fn push_option(
        &mut self,
        verb: &VerbSpec,
        raw: &str,
        apart: Option<String>,
    ) -> Result<(), UsageError> {
        let spec = Self::spec_of(verb, raw).ok_or_else(|| {
            UsageError(if verb.spaced {
                // eventcreate's wording.
                format!("Invalid argument/option - '{raw}'.")
            } else {
                format!("unknown option '{raw}' for '{}'", self.verb)
            })
        })?;
        let value = match apart {
            Some(v) => v,
            None => raw[1..].split_once(':').map_or("", |(_, v)| v).to_owned(),
        };
        self.options.push((spec.long, value));
        Ok(())
    }

    /// The last value given for the option `long`.
    pub fn option(&self, long: &str) -> Option<&str> {
        self.options
            .iter()
            .rev()
            .find(|(n, _)| *n == long)
            .map(|(_, v)| v.as_str())
    }

    /// A boolean option: `true`/`false` (also `1`/`0`, any case); absent is `false`.
    pub fn flag(&self, long: &str) -> Result<bool, UsageError> {
        match self.option(long).map(str::to_ascii_lowercase).as_deref() {
            None | Some("false") | Some("0") => Ok(false),
            Some("true") | Some("1") | Some("") => Ok(true),
            Some(other) => Err(UsageError(format!(
                "/{long} takes true or false, not '{other}'"
            ))),
        }
    }

    /// A count option: a positive whole number.
    pub fn count(&self, long: &str) -> Result<Option<u64>, UsageError> {
        match self.option(long) {
            None => Ok(None),
            Some(v) => match v.parse::<u64>() {
                Ok(n) if n > 0 => Ok(Some(n)),
                _ => Err(UsageError(format!(
                    "/{long} takes a positive whole number, not '{v}'"
                ))),
            },
        }
    }
}

/// `/name[:value]` or `-name[:value]` with a name of letters: an option. Anything else, such as
/// an absolute path (`/tmp/q.xml`, whose "name" holds a `/`), is an argument.
fn is_option(arg: &str) -> bool {
    if arg.starts_with("--") {
        return false;
    }
    let Some(body) = arg.strip_prefix('/').or_else(|| arg.strip_prefix('-')) else {
        return false;
    };
    let name = body.split_once(':').map_or(body, |(n, _)| n);
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphabetic())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Args, UsageError> {
        let argv: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
        Args::parse(&argv, crate::table::verb)
    }

    #[test]
    fn short_long_and_dash_forms() {
        let a = parse("qe Security /c:3 -RD:true /Format:xml").unwrap();
        assert_eq!(a.verb, "qe");
        assert_eq!(a.positional, vec!["Security"]);
        assert_eq!(a.count("count").unwrap(), Some(3));
        assert!(a.flag("reversedirection").unwrap());
        assert_eq!(a.option("format"), Some("xml"));
    }

    #[test]
    fn paths_are_not_options() {
        let a = parse("qe /tmp/q.xml /sq:true").unwrap();
        assert_eq!(a.positional, vec!["/tmp/q.xml"]);
        assert!(a.flag("structuredquery").unwrap());
        let a = parse("qe Security /q:*[System[EventID=4624]]").unwrap();
        assert_eq!(a.option("query"), Some("*[System[EventID=4624]]"));
        let a = parse("qe Security /bm:/tmp/in.xml /SBM:/tmp/out.xml").unwrap();
        assert_eq!(a.option("bookmark"), Some("/tmp/in.xml"));
        assert_eq!(a.option("savebookmark"), Some("/tmp/out.xml"));
    }

    #[test]
    fn store_anywhere() {
        let a = parse("--store /tmp/x qe System").unwrap();
        assert_eq!(a.store.as_deref(), Some("/tmp/x"));
        let a = parse("qe System --store=/tmp/y").unwrap();
        assert_eq!(a.store.as_deref(), Some("/tmp/y"));
        let a = parse("qe --memory System").unwrap();
        assert!(a.memory);
        assert_eq!(a.positional, ["System"]);
    }

    #[test]
    fn global_options_and_spaced_values() {
        let a = parse("qe System /r:DC1 /USERNAME:bob /p:pw /a:NTLM /uni:true").unwrap();
        assert_eq!(a.option("remote"), Some("DC1"));
        assert_eq!(a.option("username"), Some("bob"));
        assert_eq!(a.option("authentication"), Some("NTLM"));
        assert!(a.flag("unicode").unwrap());
        // Only where the verb takes them.
        assert!(parse("trace f /r:DC1").is_err());
        // eventcreate: the value after a space, or after a colon; options before the verb.
        let a = parse("/t:ERROR eventcreate /id 5 /d hello /so:src").unwrap();
        assert_eq!(a.option("t"), Some("ERROR"));
        assert_eq!(a.option("id"), Some("5"));
        assert_eq!(a.option("d"), Some("hello"));
        assert_eq!(a.option("so"), Some("src"));
        assert!(a.positional.is_empty());
        assert_eq!(
            parse("eventcreate /t").unwrap_err().0,
            "Invalid Syntax. Value expected for '/t'."
        );
        assert_eq!(
            parse("eventcreate /zz x").unwrap_err().0,
            "Invalid argument/option - '/zz'."
        );
        // qe takes values after a colon only: the next word is an argument.
        let a = parse("qe /c 3").unwrap();
        assert_eq!(a.positional, ["3"]);
        assert_eq!(a.option("count"), Some(""));
    }

    #[test]
    fn dash_options() {
        assert!(parse("--help").unwrap().help);
        assert!(parse("qe -h").unwrap().help);
        assert_eq!(parse("--frob qe").unwrap_err().0, "unknown option '--frob'");
        assert_eq!(parse("qe --store").unwrap_err().0, "--store needs DIR");
        assert_eq!(
            parse("--memory=1 qe").unwrap_err().0,
            "--memory takes no value"
        );
        assert!(parse("").unwrap().help);
    }

    #[test]
    fn threads_anywhere() {
        assert_eq!(parse("--threads 3 qe System").unwrap().threads, Some(3));
        assert_eq!(parse("qe System --threads=1").unwrap().threads, Some(1));
        assert_eq!(parse("qe System").unwrap().threads, None);
        for bad in [
            "qe System --threads=0",
            "qe System --threads=x",
            "qe System --threads",
        ] {
            assert!(parse(bad).unwrap_err().0.starts_with("--threads"), "{bad}");
        }
    }

    #[test]
    fn errors_are_specific() {
        assert_eq!(
            parse("qe System /zz:1").unwrap_err().0,
            "unknown option '/zz:1' for 'qe'"
        );
        assert!(parse("qe System /c:0").unwrap().count("count").is_err());
        assert!(parse("qe System /rd:maybe")
            .unwrap()
            .flag("reversedirection")
            .is_err());
        assert!(parse("frob").is_err());
        assert!(parse("").unwrap().help);
    }
}
