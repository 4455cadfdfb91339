//! What evtutil says about itself, all made from the verb and option tables (table.rs,
//! args.rs): the usage text (`evtutil /?`, and `evtutil VERB /?` for one verb), the shell
//! completion scripts (`evtutil completions bash|zsh|fish`) and the man page (`evtutil
//! man`, roff). No option is written here by hand: each comes from its row.

use std::fmt::Write as _;

use crate::args::{OptionSpec, VerbSpec, DASH_OPTIONS, GLOBAL_OPTIONS};
use crate::table::VERBS;

const TITLE: &str = "evtutil: a wevtutil-compatible tool over evtlog's emulated Windows event logs";

const SYNOPSIS: &str = "evtutil [--store DIR | --memory] COMMAND [ARGUMENTS] [/OPTION:VALUE ...]";

/// The store, in prose (the usage and the man page).
const STORE: &str =
    "The default store is persistent: each channel (Application, System, Security, \
Setup, Microsoft-Windows-Sysmon/Operational, ForwardedEvents) a live .evtx file named as \
Windows names it, in $XDG_DATA_HOME/evtlog/store (else ~/.local/share/evtlog/store), created \
and filled with the embedded default events on first use, so a first run prints the same \
events everywhere. --store DIR (or EVTLOG_STORE=DIR) uses another directory (one holding \
<channel>.xml files is read as XML channels); --memory uses the embedded default events in \
memory and saves nothing. Installed manifests are kept in a store of .evtx channels \
(DIR/providers); a store of XML channel files keeps none, so im and um refuse it. Every store \
has the default publishers (the manifests of the providers of the default events: ep lists \
them), so qe /f:RenderedXml shows those events' messages. A query, export or gli of log files \
(/lf:true) opens no store.";

/// Remote computers, in prose.
const REMOTE: &str = "/r:COMPUTER runs the command on a remote computer: one that \
EVTLOG_COMPUTERS=\"NAME=STORE_DIR;...\" registers, reached as EvtOpenSession reaches it (an \
unknown or stopped computer fails with 1722, refused credentials with 5); no local store is \
opened.";

/// The closing notes of the usage.
const NOTES: &str = "Options may start with / or -; names are case-insensitive. Queries \
measure timediff() from the store's newest event (of log files: from the present). Events \
of several channels come merged in time order. Errors go to stderr as wevtutil words them, \
with the Windows error code; the exit status is 0, 1 on an error, 2 on a usage error.";

/// The column option descriptions start at, and the width text is wrapped to.
const HELP_COLUMN: usize = 40;
const WIDTH: usize = 92;

/// `/c:N` or `--store DIR` or `/s COMPUTER`: how an option is written.
fn spelled(option: &OptionSpec, dash: bool, spaced: bool) -> String {
    let name = if option.short.is_empty() || dash {
        option.long
    } else {
        option.short
    };
    let prefix = if dash { "--" } else { "/" };
    match (option.value.is_empty(), dash || spaced) {
        (true, _) => format!("{prefix}{name}"),
        (false, true) => format!("{prefix}{name} {}", option.value),
        (false, false) => format!("{prefix}{name}:{}", option.value),
    }
}

/// The other name, `(/count)`, or nothing for an option with one name.
fn other_name(option: &OptionSpec, dash: bool) -> String {
    if dash && !option.short.is_empty() {
        format!(" (-{})", option.short)
    } else if !dash && !option.short.is_empty() {
        format!(" (/{})", option.long)
    } else {
        String::new()
    }
}

/// `text` wrapped at [`WIDTH`], the first line after `first` (padded to `indent`), the others
/// indented by `indent`.
fn wrap(out: &mut String, first: &str, indent: usize, text: &str) {
    let mut line = format!("{first:<indent$}");
    if !first.is_empty() && first.len() >= indent {
        // A long head gets its own line; the text starts below it.
        out.push_str(first);
        out.push('\n');
        line = " ".repeat(indent);
    }
    let mut empty = true;
    for word in text.split_whitespace() {
        if !empty && line.len() + 1 + word.len() > WIDTH {
            out.push_str(line.trim_end());
            out.push('\n');
            line = " ".repeat(indent);
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(line.trim_end());
    out.push('\n');
}

fn option_lines(out: &mut String, options: &[OptionSpec], dash: bool, spaced: bool) {
    for option in options {
        let head = format!(
            "      {}{}",
            spelled(option, dash, spaced),
            other_name(option, dash)
        );
        wrap(out, &head, HELP_COLUMN, option.help);
    }
}

fn verb_lines(out: &mut String, verb: &VerbSpec) {
    for (i, (arguments, what)) in verb.forms.iter().enumerate() {
        let name = if i == 0 && !verb.long.is_empty() {
            format!("{} ({})", verb.name, verb.long)
        } else {
            verb.name.to_owned()
        };
        let head = format!("  {name} {arguments}");
        wrap(out, head.trim_end(), 30, what);
    }
    option_lines(out, verb.options, false, verb.spaced);
}

/// `evtutil /?`: every verb with its options, the global options, the store.
pub fn usage() -> String {
    let mut out = format!("{TITLE}\n\nUsage: {SYNOPSIS}\n\nCommands:\n");
    for verb in VERBS {
        verb_lines(&mut out, verb);
    }
    out.push_str("\nGlobal options (wevtutil's, with every wevtutil command and write):\n");
    option_lines(&mut out, GLOBAL_OPTIONS, false, false);
    out.push_str("\nevtutil's options (anywhere on the line):\n");
    option_lines(&mut out, DASH_OPTIONS, true, false);
    out.push_str("\nStore:\n");
    wrap(&mut out, "", 2, STORE);
    out.push_str("\nRemote computers:\n");
    wrap(&mut out, "", 2, REMOTE);
    out.push('\n');
    wrap(&mut out, "", 0, NOTES);
    out
}

/// `evtutil VERB /?`: that verb's forms and options, and the global ones it takes.
pub fn verb_usage(verb: &VerbSpec) -> String {
    let mut out = format!("Usage: evtutil {} ...\n\n", verb.name);
    verb_lines(&mut out, verb);
    if verb.remote {
        out.push_str("\nGlobal options:\n");
        option_lines(&mut out, GLOBAL_OPTIONS, false, false);
    }
    out
}

/// The verb of a command line: its first argument that is not an option (nor `--store`'s
/// value).
fn verb_of_line(argv: &[String]) -> Option<&'static VerbSpec> {
    let mut args = argv.iter();
    while let Some(arg) = args.next() {
        if arg == "--store" {
            args.next();
        } else if !arg.starts_with('-') && !arg.starts_with('/') {
            return crate::table::verb(arg);
        }
    }
    None
}

/// What a usage error prints on stderr, and the exit status: the message and the verb's
/// usage (all of it without a known verb), status 2; for eventcreate its own wording,
/// `ERROR: …` and where to find its usage, status 1, as eventcreate.
pub fn usage_error(argv: &[String], message: &str) -> (String, u8) {
    match verb_of_line(argv) {
        Some(verb) if verb.spaced => (
            format!(
                "ERROR: {message}\nType \"EVTUTIL {} /?\" for usage.\n",
                verb.name.to_ascii_uppercase()
            ),
            1,
        ),
        Some(verb) => (format!("evtutil: {message}\n\n{}\n", verb_usage(verb)), 2),
        None => (format!("evtutil: {message}\n\n{}\n", usage()), 2),
    }
}

/// Every name a verb's option is written with: `/c:` and `/count:` (`/t` for a verb
/// that takes values apart; `/lf:` for one that takes a value).
fn option_words(verb: &VerbSpec) -> Vec<(String, &'static str)> {
    let globals: &[OptionSpec] = if verb.remote { GLOBAL_OPTIONS } else { &[] };
    let mut words = Vec::new();
    for option in verb.options.iter().chain(globals) {
        let tail = if option.value.is_empty() || verb.spaced {
            ""
        } else {
            ":"
        };
        for name in [option.short, option.long] {
            if !name.is_empty() {
                words.push((format!("/{name}{tail}"), option.help));
            }
        }
    }
    words
}

fn verb_names(verb: &VerbSpec) -> Vec<&'static str> {
    [verb.name, verb.long]
        .into_iter()
        .filter(|n| !n.is_empty())
        .collect()
}

fn dash_words() -> Vec<String> {
    let mut words = Vec::new();
    for option in DASH_OPTIONS {
        words.push(format!("--{}", option.long));
        if !option.short.is_empty() {
            words.push(format!("-{}", option.short));
        }
    }
    words
}

/// Single-quoted for a shell (bash, zsh, fish): `'` closes, `\'` is one, `'` reopens.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// fish: `\'` inside single quotes.
fn fish_quoted(text: &str) -> String {
    format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'"))
}

/// The completion script for `shell` (bash, zsh or fish); `None` for another shell.
pub fn completions(shell: &str) -> Option<String> {
    let mut out = String::new();
    let verbs: Vec<&str> = VERBS.iter().flat_map(verb_names).collect();
    match shell {
        "bash" => {
            out.push_str(
                "# bash completion for evtutil: source it, or put it in \
                 ~/.local/share/bash-completion/completions/evtutil\n\
                 _evtutil() {\n\
                 \x20   local cur=\"${COMP_WORDS[COMP_CWORD]}\" verb=\"\" i words\n\
                 \x20   for ((i = 1; i < COMP_CWORD; i++)); do\n\
                 \x20       case \"${COMP_WORDS[i]}\" in\n\
                 \x20           --store) ((i++)) ;;\n\
                 \x20           -*|/*) ;;\n\
                 \x20           *) verb=\"${COMP_WORDS[i]}\"; break ;;\n\
                 \x20       esac\n\
                 \x20   done\n\
                 \x20   case \"${verb,,}\" in\n",
            );
            let _ = writeln!(
                out,
                "        \"\") words={} ;;",
                quoted(&[verbs.join(" "), dash_words().join(" ")].join(" "))
            );
            for verb in VERBS {
                let words: Vec<String> = option_words(verb).into_iter().map(|(w, _)| w).collect();
                let _ = writeln!(
                    out,
                    "        {}) words={} ;;",
                    verb_names(verb).join("|"),
                    quoted(&[words.join(" "), dash_words().join(" ")].join(" "))
                );
            }
            out.push_str(
                "    esac\n\
                 \x20   COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n\
                 \x20   [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *: ]] && compopt -o nospace\n\
                 }\n\
                 complete -o default -F _evtutil evtutil\n",
            );
        }
        "zsh" => {
            out.push_str(
                "#compdef evtutil\n\
                 # zsh completion for evtutil: put it in a directory of $fpath as _evtutil\n\
                 _evtutil() {\n\
                 \x20 local verb i\n\
                 \x20 for ((i = 2; i < CURRENT; i++)); do\n\
                 \x20   case ${words[i]} in\n\
                 \x20     --store) ((i++)) ;;\n\
                 \x20     -*|/*) ;;\n\
                 \x20     *) verb=${words[i]:l}; break ;;\n\
                 \x20   esac\n\
                 \x20 done\n\
                 \x20 case $verb in\n",
            );
            let described: Vec<String> = VERBS
                .iter()
                .flat_map(|v| {
                    verb_names(v)
                        .into_iter()
                        .map(move |n| quoted(&format!("{n}:{}", v.forms[0].1)))
                })
                .collect();
            let _ = writeln!(
                out,
                "    '') local -a verbs; verbs=({})\n      _describe command verbs\n      compadd -- {} ;;",
                described.join(" "),
                dash_words().join(" ")
            );
            for verb in VERBS {
                let words = option_words(verb);
                let names: Vec<String> = words.iter().map(|(w, _)| quoted(w)).collect();
                let helps: Vec<String> = words
                    .iter()
                    .map(|(w, h)| quoted(&format!("{w:<22} {h}")))
                    .collect();
                let _ = writeln!(
                    out,
                    "    {}) local -a opts helps; opts=({}); helps=({})\n      compadd -S '' -l -d helps -a opts; _files ;;",
                    verb_names(verb).join("|"),
                    names.join(" "),
                    helps.join(" ")
                );
            }
            out.push_str("  esac\n}\n_evtutil \"$@\"\n");
        }
        "fish" => {
            out.push_str("# fish completion for evtutil: put it in ~/.config/fish/completions/evtutil.fish\n");
            let seen = format!("__fish_seen_subcommand_from {}", verbs.join(" "));
            for verb in VERBS {
                for name in verb_names(verb) {
                    let _ = writeln!(
                        out,
                        "complete -c evtutil -n 'not {seen}' -a {name} -d {}",
                        fish_quoted(verb.forms[0].1)
                    );
                }
                for (word, help) in option_words(verb) {
                    let _ = writeln!(
                        out,
                        "complete -c evtutil -n '__fish_seen_subcommand_from {}' -a {} -d {}",
                        verb_names(verb).join(" "),
                        fish_quoted(&word),
                        fish_quoted(help)
                    );
                }
            }
            for option in DASH_OPTIONS {
                let short = if option.short.is_empty() {
                    String::new()
                } else {
                    format!(" -s {}", option.short)
                };
                let value = if option.value.is_empty() { "" } else { " -r" };
                let _ = writeln!(
                    out,
                    "complete -c evtutil -l {}{short}{value} -d {}",
                    option.long,
                    fish_quoted(option.help)
                );
            }
        }
        _ => return None,
    }
    Some(out)
}

/// Text for roff: backslashes and hyphens escaped, no line starting with `.` or `'`.
fn roff(text: &str) -> String {
    text.replace('\\', "\\e").replace('-', "\\-")
}

/// A roff paragraph of `text` (a line starting with a control character is protected).
fn roff_para(out: &mut String, text: &str) {
    let text = roff(text);
    if text.starts_with('.') || text.starts_with('\'') {
        out.push_str("\\&");
    }
    out.push_str(&text);
    out.push('\n');
}

fn roff_options(out: &mut String, options: &[OptionSpec], dash: bool, spaced: bool) {
    for option in options {
        out.push_str(".TP\n");
        let _ = writeln!(
            out,
            "\\fB{}\\fR{}",
            roff(&spelled(option, dash, spaced)),
            roff(&other_name(option, dash))
        );
        roff_para(out, option.help);
    }
}

/// `evtutil man`: the man page, section 1, in roff.
pub fn man() -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        ".TH EVTUTIL 1 \"\" \"evtutil {}\" \"User Commands\"",
        env!("CARGO_PKG_VERSION")
    );
    out.push_str(".SH NAME\nevtutil \\- a wevtutil\\-compatible tool over evtlog's emulated Windows event logs\n");
    out.push_str(".SH SYNOPSIS\n");
    roff_para(&mut out, SYNOPSIS);
    out.push_str(".SH DESCRIPTION\n");
    roff_para(
        &mut out,
        "evtutil reads and changes the channels of an evtlog store as Windows' wevtutil \
         reads and changes the Windows event logs, with wevtutil's commands, options and \
         messages, and writes events into them as eventcreate does.",
    );
    out.push_str(".SH COMMANDS\n");
    for verb in VERBS {
        for (i, (arguments, what)) in verb.forms.iter().enumerate() {
            out.push_str(".TP\n");
            let name = if i == 0 && !verb.long.is_empty() {
                format!("\\fB{}\\fR (\\fB{}\\fR)", roff(verb.name), roff(verb.long))
            } else {
                format!("\\fB{}\\fR", roff(verb.name))
            };
            let _ = writeln!(out, "{name} {}", roff(arguments));
            roff_para(&mut out, what);
        }
        if !verb.options.is_empty() {
            out.push_str(".RS\n");
            roff_options(&mut out, verb.options, false, verb.spaced);
            out.push_str(".RE\n");
        }
    }
    out.push_str(".SH GLOBAL OPTIONS\n");
    roff_para(
        &mut out,
        "wevtutil's global options go with every wevtutil command and write:",
    );
    roff_options(&mut out, GLOBAL_OPTIONS, false, false);
    out.push_str(".SH EVTUTIL OPTIONS\n");
    roff_options(&mut out, DASH_OPTIONS, true, false);
    out.push_str(".SH STORE\n");
    roff_para(&mut out, STORE);
    out.push_str(".SH REMOTE COMPUTERS\n");
    roff_para(&mut out, REMOTE);
    out.push_str(".SH EXIT STATUS\n");
    roff_para(&mut out, NOTES);
    out.push_str(".SH SEE ALSO\nwevtutil(1) on Windows; eventcreate(1) on Windows\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every option the parser accepts, by each of its names, is in the usage, in each
    /// shell's completions and in the man page.
    #[test]
    fn every_option_is_documented_everywhere() {
        let usage = usage();
        let man = man();
        let shells: Vec<String> = ["bash", "zsh", "fish"]
            .iter()
            .map(|s| completions(s).unwrap())
            .collect();
        for verb in VERBS {
            assert!(
                usage.contains(&format!("  {} ", verb.name))
                    || usage.contains(&format!("  {}\n", verb.name)),
                "{}",
                verb.name
            );
            assert!(
                man.contains(&format!("\\fB{}\\fR", roff(verb.name))),
                "{}",
                verb.name
            );
            for shell in &shells {
                assert!(shell.contains(verb.name), "{}", verb.name);
                assert!(shell.contains(verb.long), "{}", verb.long);
            }
            let globals: &[OptionSpec] = if verb.remote { GLOBAL_OPTIONS } else { &[] };
            for option in verb.options.iter().chain(globals) {
                assert!(
                    !option.help.is_empty(),
                    "/{} has no description",
                    option.long
                );
                for name in [option.short, option.long]
                    .into_iter()
                    .filter(|n| !n.is_empty())
                {
                    // The parser accepts the name for this verb...
                    let argv = vec![verb.name.to_owned(), format!("/{name}:x")];
                    let parsed = crate::args::Args::parse(&argv, crate::table::verb).unwrap();
                    assert_eq!(parsed.options[0].0, option.long);
                    // ...and every text names it.
                    assert!(usage.contains(&format!("/{name}")), "usage lacks /{name}");
                    assert!(
                        man.contains(&format!("/{}", roff(name))),
                        "man lacks /{name}"
                    );
                    for shell in &shells {
                        assert!(
                            shell.contains(&format!("/{name}")),
                            "completions lack /{name}"
                        );
                    }
                }
                assert!(usage.contains(option.help.split_whitespace().next().unwrap()));
            }
        }
        for option in DASH_OPTIONS {
            assert!(usage.contains(&format!("--{}", option.long)));
            assert!(man.contains(&format!("\\-\\-{}", option.long)));
            for shell in &shells {
                assert!(shell.contains(option.long));
            }
        }
        assert!(completions("tcsh").is_none());
    }

    #[test]
    fn usage_lines_fit_and_verb_usage_is_one_verb() {
        for line in usage().lines() {
            assert!(line.len() <= WIDTH, "{line}");
        }
        let mut out = String::new();
        wrap(&mut out, "  head", 10, "one two three");
        assert_eq!(out, "  head    one two three\n");
        out.clear();
        wrap(
            &mut out,
            "  a head longer than ten",
            10,
            &"word ".repeat(30),
        );
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "  a head longer than ten");
        assert!(lines[1..]
            .iter()
            .all(|l| l.starts_with("          word") && l.len() <= WIDTH));
        let qe = verb_usage(crate::table::verb("qe").unwrap());
        assert!(qe.contains("/sbm:FILE (/savebookmark)"));
        assert!(qe.contains("/r:COMPUTER (/remote)"));
        assert!(!qe.contains("clear-log"));
        let ec = verb_usage(crate::table::verb("eventcreate").unwrap());
        assert!(ec.contains("/t ERROR|WARNING|INFORMATION|SUCCESS"), "{ec}");
        assert!(!ec.contains("/remote"));
    }

    #[test]
    fn roff_escapes() {
        assert_eq!(roff("a-b\\c"), "a\\-b\\ec");
        let mut out = String::new();
        roff_para(&mut out, ".hidden");
        assert_eq!(out, "\\&.hidden\n");
        assert!(man().starts_with(".TH EVTUTIL 1"));
    }
}
