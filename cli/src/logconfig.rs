//! `gl` (get-log) and `sl` (set-log): a channel's configuration as wevtutil prints it, and
//! changed as wevtutil changes it (EvtOpenChannelConfig, EvtSetChannelConfigProperty,
//! EvtSaveChannelConfig through `Engine::channel_properties` and
//! `Engine::save_channel_properties`).
//!
//! Text layout (`gl NAME`, wevtutil's default):
//!
//! ```text
//! name: System
//! enabled: true
//! type: Admin
//! owningPublisher:
//! isolation: System
//! channelAccess: O:BAG:SYD:(A;;0xf0007;;;SY)…
//! logging:
//!   logFileName: %SystemRoot%\System32\Winevt\Logs\System.evtx
//!   retention: false
//!   autoBackup: false
//!   maxSize: 20971520
//! publishing:
//!   fileMax: 1
//! ```
//!
//! The publishing lines other than fileMax appear only where the channel has a value
//! (Windows reports Null for them on channels without a session of their own). `/f:xml` is
//! the same as `<channel …>` XML, which `sl /c:FILE` reads back.

use std::fmt::Write as _;
use std::io::Write;

use evtlog::{ChannelProperties, ChannelType, Engine, Isolation};

use crate::args::{Args, OptionSpec};
use crate::{io_failure, Failure};

/// The options of `gl` (get-log).
pub const GL_OPTIONS: &[OptionSpec] = &[OptionSpec::new("f", "format")
    .value("text|xml")
    .help("wevtutil's text layout (default), or its <channel> XML")];

/// The options of `sl` (set-log), as wevtutil names them.
pub const SL_OPTIONS: &[OptionSpec] = &[
    OptionSpec::boolean("e", "enabled").help("enable or disable the channel"),
    OptionSpec::new("i", "isolation")
        .value("system|application|custom")
        .help("the channel's isolation"),
    OptionSpec::new("lfn", "logfilename")
        .value("PATH")
        .help("move the channel's file there"),
    OptionSpec::boolean("rt", "retention")
        .help("true: refuse events when full; false: overwrite the oldest"),
    OptionSpec::boolean("ab", "autobackup")
        .help("archive the full file and start a new one (needs /rt:true)"),
    OptionSpec::new("ms", "maxsize")
        .value("BYTES")
        .help("maximum size (at least 1048576, in whole 64 KiB)"),
    OptionSpec::new("l", "level")
        .value("LEVEL")
        .help("the publishing level filter (stored)"),
    OptionSpec::new("k", "keywords")
        .value("MASK")
        .help("the publishing keywords filter (stored)"),
    OptionSpec::new("ca", "channelaccess")
        .value("SDDL")
        .help("the channel's access"),
    OptionSpec::new("c", "config")
        .value("CONFIG.xml")
        .help("change the channel the file names, as gl /f:xml prints it"),
];

fn type_name(t: ChannelType) -> &'static str {
    match t {
        ChannelType::Admin => "Admin",
        ChannelType::Operational => "Operational",
        ChannelType::Analytic => "Analytic",
        ChannelType::Debug => "Debug",
    }
}

/// The publishing values a channel has, in wevtutil's order (fileMax last, always).
fn publishing(p: &ChannelProperties) -> Vec<(&'static str, String)> {
    use evtlog::{ChannelConfigProperty as P, Value};
    let mut lines = Vec::new();
    for (name, property) in [
        ("level", P::Level),
        ("keywords", P::Keywords),
        ("controlGuid", P::ControlGuid),
        ("bufferSize", P::BufferSize),
        ("minBuffers", P::MinBuffers),
        ("maxBuffers", P::MaxBuffers),
        ("latency", P::Latency),
        ("clockType", P::ClockType),
        ("sidType", P::SidType),
    ] {
        let text = match (property, p.get(property)) {
            (_, Value::Null) => continue,
            (P::Keywords, Value::UInt64(k)) => format!("0x{k:x}"),
            (P::ClockType, Value::UInt32(0)) => "SystemTime".into(),
            (P::ClockType, Value::UInt32(_)) => "QPC".into(),
            (P::SidType, Value::UInt32(0)) => "None".into(),
            (P::SidType, Value::UInt32(_)) => "Publishing".into(),
            (_, Value::UInt32(v)) => v.to_string(),
            (_, Value::Guid(g)) => g.to_string(),
            (_, other) => format!("{other:?}"),
        };
        lines.push((name, text));
    }
    lines.push(("fileMax", p.file_max().to_string()));
    lines
}

/// wevtutil's text layout of `p`, named `name` (as the user typed it, as wevtutil does).
pub fn text(name: &str, p: &ChannelProperties) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "name: {name}");
    let _ = writeln!(out, "enabled: {}", p.enabled());
    let _ = writeln!(out, "type: {}", type_name(p.channel_type()));
    let _ = writeln!(out, "owningPublisher: {}", p.owning_publisher());
    let _ = writeln!(out, "isolation: {}", p.isolation().name());
    let _ = writeln!(out, "channelAccess: {}", p.access());
    out.push_str("logging:\n");
    let _ = writeln!(out, "  logFileName: {}", p.log_file_path());
    let _ = writeln!(out, "  retention: {}", p.retention());
    let _ = writeln!(out, "  autoBackup: {}", p.auto_backup());
    let _ = writeln!(out, "  maxSize: {}", p.max_size());
    out.push_str("publishing:\n");
    for (key, value) in publishing(p) {
        let _ = writeln!(out, "  {key}: {value}");
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `gl /f:xml`: the `<channel>` document wevtutil prints (and `sl /c:` reads).
pub fn xml(name: &str, p: &ChannelProperties) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<channel name=\"{}\" enabled=\"{}\" type=\"{}\" owningPublisher=\"{}\" isolation=\"{}\" \
         channelAccess=\"{}\" xmlns=\"http://schemas.microsoft.com/win/2004/08/events\">",
        escape(name),
        p.enabled(),
        type_name(p.channel_type()),
        escape(p.owning_publisher()),
        p.isolation().name(),
        escape(p.access())
    );
    out.push_str("<logging>\n");
    let _ = writeln!(
        out,
        "<logFileName>{}</logFileName>",
        escape(p.log_file_path())
    );
    let _ = writeln!(out, "<retention>{}</retention>", p.retention());
    let _ = writeln!(out, "<autoBackup>{}</autoBackup>", p.auto_backup());
    let _ = writeln!(out, "<maxSize>{}</maxSize>", p.max_size());
    out.push_str("</logging>\n<publishing>\n");
    for (key, value) in publishing(p) {
        let _ = writeln!(out, "<{key}>{}</{key}>", escape(&value));
    }
    out.push_str("</publishing>\n</channel>\n");
    out
}

/// `gl NAME [/f:xml|text]`.
pub fn get_log(engine: &Engine, args: &Args, out: &mut impl Write) -> Result<(), Failure> {
    let [name] = args.positional.as_slice() else {
        return Err(Failure::Usage("gl takes one channel name".into()));
    };
    let as_xml = match args
        .option("format")
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("text") => false,
        Some("xml") => true,
        Some(other) => {
            return Err(Failure::Usage(format!(
                "/f takes xml or text, not '{other}'"
            )))
        }
    };
    let properties = engine.channel_properties(name).map_err(|e| {
        Failure::Operation(format!(
            "Failed to read configuration for log {name}. {e} ({})",
            e.win32_code()
        ))
    })?;
    let printed = if as_xml {
        xml(name, &properties)
    } else {
        text(name, &properties)
    };
    out.write_all(printed.as_bytes()).map_err(io_failure)
}

/// What `sl` changes: each field given by an option or the configuration file.
#[derive(Debug, Default, PartialEq)]
struct Changes {
    enabled: Option<bool>,
    isolation: Option<Isolation>,
    log_file_name: Option<String>,
    retention: Option<bool>,
    auto_backup: Option<bool>,
    max_size: Option<u64>,
    level: Option<u32>,
    keywords: Option<u64>,
    access: Option<String>,
}

fn boolean(what: &str, v: &str) -> Result<bool, Failure> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(Failure::Usage(format!(
            "{what} takes true or false, not '{v}'"
        ))),
    }
}

/// A number in decimal or with `0x` in hex.
fn number(what: &str, v: &str) -> Result<u64, Failure> {
    let parsed = match v.strip_prefix("0x").or_else(|| v.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => v.parse(),
    };
    parsed.map_err(|_| Failure::Usage(format!("{what} takes a number, not '{v}'")))
}

fn isolation(v: &str) -> Result<Isolation, Failure> {
    match v.to_ascii_lowercase().as_str() {
        "application" => Ok(Isolation::Application),
        "system" => Ok(Isolation::System),
        "custom" => Ok(Isolation::Custom),
        _ => Err(Failure::Usage(format!(
            "/i takes system, application or custom, not '{v}'"
        ))),
    }
}

/// A log file name as the user gave it: Windows' logs directory form kept, anything else
/// made absolute against the current directory (Windows takes full paths only).
fn log_file_name(v: &str) -> Result<String, Failure> {
    if v.starts_with('%') || v.starts_with(r"\\") || v.get(1..3) == Some(":\\") {
        return Ok(v.to_owned());
    }
    crate::absolute(v, "save configuration")
}

impl Changes {
    fn from_options(args: &Args) -> Result<Changes, Failure> {
        let opt = |long: &str| args.option(long);
        Ok(Changes {
            enabled: opt("enabled").map(|v| boolean("/e", v)).transpose()?,
            isolation: opt("isolation").map(isolation).transpose()?,
            log_file_name: opt("logfilename").map(log_file_name).transpose()?,
            retention: opt("retention").map(|v| boolean("/rt", v)).transpose()?,
            auto_backup: opt("autobackup").map(|v| boolean("/ab", v)).transpose()?,
            max_size: opt("maxsize").map(|v| number("/ms", v)).transpose()?,
            level: opt("level")
                .map(|v| {
                    number("/l", v).and_then(|n| {
                        u32::try_from(n)
                            .map_err(|_| Failure::Usage(format!("/l: {v} is too large")))
                    })
                })
                .transpose()?,
            keywords: opt("keywords").map(|v| number("/k", v)).transpose()?,
            access: opt("channelaccess").map(str::to_owned),
        })
    }

    /// The `<channel>` document of `sl /c:FILE` (the shape of `gl /f:xml`): its name and the
    /// settable values it holds.
    fn from_config(xml: &str, file: &str) -> Result<(String, Changes), Failure> {
        let bad = |what: &str| {
            Failure::Operation(format!(
                "Failed to read the configuration file {file}. {what}"
            ))
        };
        let start = xml
            .find("<channel")
            .ok_or_else(|| bad("no <channel> element"))?;
        let tag_end = xml[start..]
            .find('>')
            .map(|i| start + i)
            .ok_or_else(|| bad("the <channel> tag is not closed"))?;
        let tag = &xml[start + "<channel".len()..tag_end];
        let attribute = |name: &str| -> Option<String> {
            let mut rest = tag;
            loop {
                let at = rest.find(name)?;
                let before = rest[..at].chars().last();
                let after = rest[at + name.len()..].trim_start();
                rest = &rest[at + name.len()..];
                if before.is_some_and(|c| !c.is_whitespace()) {
                    continue;
                }
                let Some(after) = after.strip_prefix('=') else {
                    continue;
                };
                let after = after.trim_start();
                let quote = after.chars().next().filter(|q| *q == '"' || *q == '\'')?;
                let value = &after[1..];
                return value.find(quote).map(|end| unescape(&value[..end]));
            }
        };
        let element = |name: &str| -> Option<String> {
            let open = format!("<{name}>");
            let close = format!("</{name}>");
            let from = xml.find(&open)? + open.len();
            let to = xml[from..].find(&close)? + from;
            Some(unescape(xml[from..to].trim()))
        };
        let name = attribute("name").ok_or_else(|| bad("the <channel> element has no name"))?;
        let usage = |f: Failure| match f {
            Failure::Usage(m) | Failure::Operation(m) => bad(&m),
        };
        let changes = Changes {
            enabled: attribute("enabled")
                .map(|v| boolean("enabled", &v))
                .transpose()
                .map_err(usage)?,
            isolation: attribute("isolation")
                .map(|v| isolation(&v))
                .transpose()
                .map_err(usage)?,
            access: attribute("channelAccess"),
            log_file_name: element("logFileName"),
            retention: element("retention")
                .map(|v| boolean("retention", &v))
                .transpose()
                .map_err(usage)?,
            auto_backup: element("autoBackup")
                .map(|v| boolean("autoBackup", &v))
                .transpose()
                .map_err(usage)?,
            max_size: element("maxSize")
                .map(|v| number("maxSize", &v))
                .transpose()
                .map_err(usage)?,
            level: element("level")
                .map(|v| number("level", &v).map(|n| n as u32))
                .transpose()
                .map_err(usage)?,
            keywords: element("keywords")
                .map(|v| number("keywords", &v))
                .transpose()
                .map_err(usage)?,
        };
        Ok((name, changes))
    }

    /// Applies the changes to the copy, as a program would: a disable first and an enable
    /// last, so that an Analytic or Debug channel can be changed in one command.
    fn apply(&self, p: &mut ChannelProperties) -> evtlog::Result<()> {
        if self.enabled == Some(false) && p.enabled() {
            p.set_enabled(false)?;
        }
        if let Some(v) = self.isolation.filter(|&v| v != p.isolation()) {
            p.set_isolation(v)?;
        }
        if let Some(v) = self.access.as_deref().filter(|&v| v != p.access()) {
            p.set_access(v)?;
        }
        if let Some(v) = self
            .log_file_name
            .as_deref()
            .filter(|&v| v != p.log_file_path())
        {
            p.set_log_file_path(v)?;
        }
        if let Some(v) = self.retention.filter(|&v| v != p.retention()) {
            p.set_retention(v)?;
        }
        if let Some(v) = self.auto_backup.filter(|&v| v != p.auto_backup()) {
            p.set_auto_backup(v)?;
        }
        if let Some(v) = self.max_size.filter(|&v| v != p.max_size()) {
            p.set_max_size(v)?;
        }
        if let Some(v) = self.level.filter(|&v| Some(v) != p.level()) {
            p.set_level(v)?;
        }
        if let Some(v) = self.keywords.filter(|&v| Some(v) != p.keywords()) {
            p.set_keywords(v)?;
        }
        if self.enabled == Some(true) && !p.enabled() {
            p.set_enabled(true)?;
        }
        Ok(())
    }
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// `sl NAME [/e /i /lfn /rt /ab /ms /l /k /ca]` or `sl /c:CONFIG.xml`.
pub fn set_log(engine: &Engine, args: &Args) -> Result<(), Failure> {
    let (name, changes) = match (args.option("config"), args.positional.as_slice()) {
        (Some(file), []) => {
            let xml = std::fs::read_to_string(file).map_err(|e| {
                Failure::Operation(format!("Failed to read the configuration file {file}. {e}"))
            })?;
            let (name, mut changes) = Changes::from_config(&xml, file)?;
            // Options given beside the file win over it.
            let given = Changes::from_options(args)?;
            macro_rules! over {
                ($($f:ident),*) => { $(if given.$f.is_some() { changes.$f = given.$f; })* };
            }
            over!(
                enabled,
                isolation,
                log_file_name,
                retention,
                auto_backup,
                max_size,
                level,
                keywords,
                access
            );
            (name, changes)
        }
        (Some(_), _) => {
            return Err(Failure::Usage(
                "sl /c:FILE takes no log name: the file names the log".into(),
            ))
        }
        (None, [name]) => (name.clone(), Changes::from_options(args)?),
        (None, _) => return Err(Failure::Usage("sl takes one channel name".into())),
    };
    let failed = |e: evtlog::Error| {
        Failure::Operation(format!(
            "Failed to save configuration or activate log {name}. {e} ({})",
            e.win32_code()
        ))
    };
    let mut properties = engine.channel_properties(&name).map_err(failed)?;
    changes.apply(&mut properties).map_err(failed)?;
    engine.save_channel_properties(&properties).map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_file_reads_what_gl_xml_writes() {
        let engine =
            Engine::with_default_channels(std::sync::Arc::new(evtlog::VirtualClock::default()));
        let p = engine.channel_properties("Setup").unwrap();
        let (name, changes) = Changes::from_config(&xml("Setup", &p), "f").ok().unwrap();
        assert_eq!(name, "Setup");
        assert_eq!(changes.enabled, Some(true));
        assert_eq!(changes.max_size, Some(1_048_576));
        assert_eq!(changes.retention, Some(false));
        assert_eq!(changes.access.as_deref(), Some(p.access()));
        assert_eq!(changes.log_file_name.as_deref(), Some(p.log_file_path()));
    }

    #[test]
    fn the_documented_config_file_sets_retention_backup_and_size() {
        let doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<channel name=\"Application\" \
                   isolation=\"Application\"\nxmlns=\"https://schemas.microsoft.com/win/2004/08/events\">\n\
                   <logging>\n<retention>true</retention>\n<autoBackup>true</autoBackup>\n\
                   <maxSize>9000000</maxSize>\n</logging>\n<publishing>\n</publishing>\n</channel>\n";
        let (name, changes) = Changes::from_config(doc, "f").ok().unwrap();
        assert_eq!(name, "Application");
        assert_eq!(
            changes,
            Changes {
                isolation: Some(Isolation::Application),
                retention: Some(true),
                auto_backup: Some(true),
                max_size: Some(9_000_000),
                ..Changes::default()
            }
        );
    }
}
