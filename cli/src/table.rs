//! The verb table: every verb evtutil takes, its names, usage forms and options
//! ([`VerbSpec`]). The parser accepts exactly these (args.rs), and the usage text, the shell
//! completions and the man page are all made from them (help.rs), so a verb or option added
//! here is documented everywhere at once.
//!
//! A verb's options are its module's `*_OPTIONS` constant (args.rs for the query and log
//! verbs); a new option is one more row there.

use crate::args::{
    OptionSpec, VerbSpec, AL_OPTIONS, CL_OPTIONS, EPL_OPTIONS, GLI_OPTIONS, GP_OPTIONS, IM_OPTIONS,
    QE_OPTIONS,
};
use crate::{eventcreate, logconfig, trace};

/// A wevtutil verb: it takes the global options (/r /u /p /a /uni).
const fn wevtutil(
    name: &'static str,
    long: &'static str,
    forms: &'static [(&'static str, &'static str)],
    options: &'static [OptionSpec],
) -> VerbSpec {
    VerbSpec {
        name,
        long,
        forms,
        options,
        remote: true,
        spaced: false,
    }
}

/// evtutil's own verb: no global options.
const fn own(
    name: &'static str,
    forms: &'static [(&'static str, &'static str)],
    options: &'static [OptionSpec],
) -> VerbSpec {
    VerbSpec {
        name,
        long: "",
        forms,
        options,
        remote: false,
        spaced: false,
    }
}

/// Every verb, in the order the usage lists them.
pub const VERBS: &[VerbSpec] = &[
    wevtutil(
        "el",
        "enum-logs",
        &[("", "Lists the channels, sorted as Windows sorts them.")],
        &[],
    ),
    wevtutil(
        "gl",
        "get-log",
        &[("CHANNEL", "Prints a channel's configuration.")],
        logconfig::GL_OPTIONS,
    ),
    wevtutil(
        "sl",
        "set-log",
        &[
            (
                "CHANNEL",
                "Changes a channel's configuration (the store keeps it).",
            ),
            (
                "/c:CONFIG.xml",
                "Changes the channel the file names, as gl /f:xml prints it.",
            ),
        ],
        logconfig::SL_OPTIONS,
    ),
    wevtutil(
        "ep",
        "enum-publishers",
        &[("", "Lists the installed publishers, in installation order.")],
        &[],
    ),
    wevtutil(
        "gp",
        "get-publisher",
        &[(
            "NAME",
            "Prints a publisher's metadata as wevtutil prints it.",
        )],
        GP_OPTIONS,
    ),
    wevtutil(
        "im",
        "install-manifest",
        &[
            (
                "FILE.man",
                "Installs the providers of an instrumentation manifest and creates the \
                 channels they define (the store keeps them).",
            ),
            (
                "/pn:NAME /rf:WINPATH",
                "Installs provider NAME from a real Windows binary (no manifest): its events \
                 and templates from WINPATH's WEVT_TEMPLATE, its strings from its message \
                 table; WINPATH (e.g. %SystemRoot%\\System32\\adtschema.dll) is found under \
                 the directory EVTLOG_WINDIR names.",
            ),
        ],
        IM_OPTIONS,
    ),
    wevtutil(
        "um",
        "uninstall-manifest",
        &[(
            "FILE.man",
            "Uninstalls the manifest's providers (their channels and events stay).",
        )],
        &[],
    ),
    wevtutil(
        "qe",
        "query-events",
        &[
            ("CHANNEL", "Lists the events of a channel."),
            (
                "FILE.xml /sq:true",
                "Lists the events a structured query (<QueryList>) selects.",
            ),
            (
                "FILE.evtx /lf:true",
                "Lists the events of an .evtx log file.",
            ),
        ],
        QE_OPTIONS,
    ),
    wevtutil(
        "gli",
        "get-loginfo",
        &[
            (
                "CHANNEL",
                "Prints a channel's log information: times, size, attributes, record count \
                 and oldest record number.",
            ),
            (
                "FILE.evtx /lf:true",
                "Prints a log file's information (no store is opened).",
            ),
        ],
        GLI_OPTIONS,
    ),
    wevtutil(
        "epl",
        "export-log",
        &[
            (
                "CHANNEL TARGET.evtx",
                "Exports a channel's events to an .evtx file.",
            ),
            (
                "FILE.evtx TARGET.evtx /lf:true",
                "Exports the events of a log file.",
            ),
            (
                "FILE.xml TARGET.evtx /sq:true",
                "Exports the events a structured query selects.",
            ),
        ],
        EPL_OPTIONS,
    ),
    wevtutil(
        "al",
        "archive-log",
        &[(
            "FILE.evtx",
            "Archives the metadata of the log file's installed publishers in \
             LocaleMetaData/<file>_<LCID>.MTA beside it, so that their events format where \
             the publishers are not installed.",
        )],
        AL_OPTIONS,
    ),
    wevtutil(
        "cl",
        "clear-log",
        &[(
            "CHANNEL",
            "Removes every event of a channel (the store keeps it so).",
        )],
        CL_OPTIONS,
    ),
    VerbSpec {
        name: "eventcreate",
        long: "",
        forms: &[(
            "/t TYPE /id ID /d DESCRIPTION [/l LOG] [/so SOURCE]",
            "Writes a classic event as Windows' eventcreate does (ReportEvent as the \
             source SOURCE, default EventCreate). Values follow a space or a colon.",
        )],
        options: eventcreate::EVENTCREATE_OPTIONS,
        remote: false,
        spaced: true,
    },
    VerbSpec {
        name: "write",
        long: "",
        forms: &[(
            "CHANNEL [FILE|-]",
            "Writes event XML (one <Event> per line, or <Event> elements one after \
             another) from FILE or standard input into a channel of the store.",
        )],
        options: &[],
        remote: true,
        spaced: false,
    },
    own(
        "trace",
        &[(
            "FILE",
            "Summarizes a call trace (EVTLOG_TRACE's JSON lines): calls and failures per \
             function, errors by code, the slowest calls. Bad lines are reported on stderr \
             with their number and skipped.",
        )],
        trace::TRACE_OPTIONS,
    ),
    own(
        "completions",
        &[(
            "bash|zsh|fish",
            "Prints the shell's completion script for evtutil.",
        )],
        &[],
    ),
    own("man", &[("", "Prints evtutil's man page (roff).")], &[]),
];

/// The verb `name` (short or long, any case) names.
pub fn verb(name: &str) -> Option<&'static VerbSpec> {
    VERBS.iter().find(|v| v.is_named(name))
}
