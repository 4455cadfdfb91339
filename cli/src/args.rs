//! wevtutil-style command lines: `evtutil VERB ARG… [/opt:value]…`.
//!
//! Options start with `/` or `-`, their names are case-insensitive and may be given short or
//! long (`/c` or `/count`), and the value follows a `:` (`/rd:true`). Global options
//! (`--store DIR`, `--memory`, `--threads N`) may stand anywhere.

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

/// An option a verb accepts: its short and long names.
#[derive(Clone, Copy, Debug)]
pub struct OptionSpec {
    pub short: &'static str,
    pub long: &'static str,
}

/// `/lf` (`/logfile`): the argument is a log file.
const LOGFILE: OptionSpec = OptionSpec {
    short: "lf",
    long: "logfile",
};
/// `/q` (`/query`): an XPath filter.
const QUERY: OptionSpec = OptionSpec {
    short: "q",
    long: "query",
};
/// `/sq` (`/structuredquery`): the argument is a file holding a `<QueryList>`.
const STRUCTURED_QUERY: OptionSpec = OptionSpec {
    short: "sq",
    long: "structuredquery",
};

/// The options of `qe` (query-events), as wevtutil names them.
pub const QE_OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        short: "c",
        long: "count",
    },
    OptionSpec {
        short: "rd",
        long: "reversedirection",
    },
    OptionSpec {
        short: "f",
        long: "format",
    },
    OptionSpec {
        short: "e",
        long: "element",
    },
    QUERY,
    STRUCTURED_QUERY,
    LOGFILE,
    OptionSpec {
        short: "bm",
        long: "bookmark",
    },
    OptionSpec {
        short: "sbm",
        long: "savebookmark",
    },
    OptionSpec {
        short: "l",
        long: "locale",
    },
];

/// The options of `epl` (export-log).
pub const EPL_OPTIONS: &[OptionSpec] = &[
    LOGFILE,
    QUERY,
    STRUCTURED_QUERY,
    OptionSpec {
        short: "ow",
        long: "overwrite",
    },
];

/// The options of `im` (install-manifest): file paths that replace the manifest's own, and
/// the provider name and GUID of an install from a resource file.
pub const IM_OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        short: "rf",
        long: "resourcefilepath",
    },
    OptionSpec {
        short: "mf",
        long: "messagefilepath",
    },
    OptionSpec {
        short: "pf",
        long: "parameterfilepath",
    },
    // evtlog's own: a provider installed from a Windows binary (no manifest).
    OptionSpec {
        short: "pn",
        long: "providername",
    },
    OptionSpec {
        short: "pg",
        long: "providerguid",
    },
];

/// The options of `cl` (clear-log).
pub const CL_OPTIONS: &[OptionSpec] = &[OptionSpec {
    short: "bu",
    long: "backup",
}];

/// The options of `al` (archive-log).
pub const AL_OPTIONS: &[OptionSpec] = &[OptionSpec {
    short: "l",
    long: "locale",
}];

/// The options of `gp` (get-publisher).
pub const GP_OPTIONS: &[OptionSpec] = &[
    OptionSpec {
        short: "ge",
        long: "getevents",
    },
    OptionSpec {
        short: "gm",
        long: "getmessage",
    },
    OptionSpec {
        short: "f",
        long: "format",
    },
];

impl Args {
    /// Parses `argv` (without the program name) against the options of each verb.
    pub fn parse(
        argv: &[String],
        options_of: impl Fn(&str) -> Option<&'static [OptionSpec]>,
    ) -> Result<Args, UsageError> {
        let mut args = Args::default();
        let mut rest = argv.iter();
        let mut raw_options = Vec::new();
        while let Some(arg) = rest.next() {
            if arg == "--store" {
                let dir = rest
                    .next()
                    .ok_or_else(|| UsageError("--store needs a directory".into()))?;
                args.store = Some(dir.clone());
            } else if let Some(dir) = arg.strip_prefix("--store=") {
                args.store = Some(dir.to_owned());
            } else if arg == "--threads" || arg.starts_with("--threads=") {
                let value = match arg.strip_prefix("--threads=") {
                    Some(value) => value,
                    None => rest
                        .next()
                        .ok_or_else(|| UsageError("--threads needs a number".into()))?,
                };
                args.threads = Some(value.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                    UsageError(format!(
                        "--threads takes a positive whole number, not '{value}'"
                    ))
                })?);
            } else if arg == "--memory" {
                args.memory = true;
            } else if matches!(arg.as_str(), "-h" | "--help" | "/?" | "-?") {
                args.help = true;
            } else if args.verb.is_empty() && !is_option(arg) {
                args.verb = arg.to_ascii_lowercase();
            } else if is_option(arg) {
                raw_options.push(arg.clone());
            } else {
                args.positional.push(arg.clone());
            }
        }
        if args.memory && args.store.is_some() {
            return Err(UsageError(
                "--memory and --store do not go together: --memory saves nothing".into(),
            ));
        }
        if args.help || args.verb.is_empty() {
            args.help = true;
            return Ok(args);
        }
        let specs = options_of(&args.verb)
            .ok_or_else(|| UsageError(format!("unknown command '{}'", args.verb)))?;
        for raw in raw_options {
            let body = &raw[1..];
            let (name, value) = body.split_once(':').unwrap_or((body, ""));
            let lower = name.to_ascii_lowercase();
            let spec = specs
                .iter()
                .find(|s| s.short == lower || s.long == lower)
                .ok_or_else(|| UsageError(format!("unknown option '{raw}' for '{}'", args.verb)))?;
            args.options.push((spec.long, value.to_owned()));
        }
        Ok(args)
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
        Args::parse(&argv, |verb| (verb == "qe").then_some(QE_OPTIONS))
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
