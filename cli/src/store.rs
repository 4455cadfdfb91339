//! Where evtutil's channels come from.
//!
//! - **Embedded default events**: the generator's channels, made from a fixed seed, the
//!   same on every machine. `--memory` uses them in memory (nothing saved); every directory
//!   store starts as them.
//! - **Directory store** (the default one, [`default_dir`], or `--store DIR` or
//!   `EVTLOG_STORE=DIR`): persistent channels, each a live .evtx file with Windows' name
//!   (`Microsoft-Windows-Sysmon%4Operational.evtx`, `Engine::open_store_dir`), created on
//!   first use and filled with the embedded default events and publishers. The verbs that
//!   write hold the store's write lock (a second writer fails with 32); the verbs that only
//!   read open it read-only, without the lock ([`open_dir_read_only`]). A directory holding
//!   `<channel>.xml` files (one event per line in Windows' XML shape) is read as such
//!   instead, and a cleared channel's file is rewritten beside it and
//!   renamed into place.
//!
//! - **Default publishers**: every store has the embedded manifests of the generator's
//!   providers installed (`Engine::install_default_publishers`), so `qe /f:RenderedXml`
//!   formats their events; a directory store keeps them in `providers/` like any `im`.
//!
//! Record ids are assigned by the engine on load (1, 2, … in file order), as a channel assigns
//! them on write. The store's clock ("now" for `timediff()` in queries) is set to its newest
//! event's TimeCreated (the latest of each channel's last record), so a query gives the same
//! answer on every run.
//!
//! A verb gets only what it needs of the store ([`Needs`]): a log file's query or export
//! opens none; an existing store opens without generating or installing anything unless the
//! verb reads publishers, and only a query reads events to set the clock.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use evtlog::{
    ChannelConfig, ChannelType, Engine, Event, Generator, Next, Profile, QueryFlags, VirtualClock,
};

use crate::args::{Args, UsageError};

/// The seed of the embedded default store.
pub const DEFAULT_SEED: u64 = 0x00e7_106e_5eed;

/// How many events of each profile the default store holds (oldest first, interleaved).
const DEFAULT_COUNTS: [(Profile, usize); 5] = [
    (Profile::Security, 6000),
    (Profile::Sysmon, 2500),
    (Profile::System, 1500),
    (Profile::Application, 1000),
    (Profile::Setup, 100),
];

/// What a verb needs of its store, beyond its channels' names and configurations (which
/// opening gives).
#[derive(Clone, Copy, Debug, Default)]
pub struct Needs {
    /// "Now" for `timediff()`: the clock set from the newest events (a query reads them).
    pub clock: bool,
    /// The installed publishers: a store made before the default publishers existed gets
    /// them (once, kept).
    pub publishers: bool,
    /// The events: the embedded store (`--memory`) generates its default events only for
    /// a verb that reads them (a directory store has them on disk either way).
    pub events: bool,
}

impl Needs {
    /// What `args`' verb needs: None for a query, export or `gli` of log files (`/lf:true`:
    /// every path, a `<QueryList>`'s too, is a file), which needs no store at all: the
    /// start of such a command opens nothing and builds nothing.
    pub fn of(args: &Args) -> Result<Option<Needs>, UsageError> {
        let publishers = Needs {
            clock: false,
            publishers: true,
            events: false,
        };
        Ok(Some(match args.verb.as_str() {
            "qe" | "query-events" | "epl" | "export-log" | "gli" | "get-loginfo"
                if args.flag("logfile")? =>
            {
                return Ok(None)
            }
            "qe" | "query-events" => Needs {
                clock: true,
                publishers: args
                    .option("format")
                    .is_some_and(|f| f.eq_ignore_ascii_case("renderedxml")),
                events: true,
            },
            "epl" | "export-log" => Needs {
                clock: true,
                publishers: false,
                events: true,
            },
            // gl prints the owning publisher; im and um change what is installed; al
            // archives the metadata of the publishers a log file's events name.
            "gl" | "get-log" | "ep" | "enum-publishers" | "gp" | "get-publisher" | "al"
            | "archive-log" | "im" | "install-manifest" | "um" | "uninstall-manifest" => publishers,
            // eventcreate refuses a source that is an installed provider, and knows a source
            // of an earlier run by its events.
            "eventcreate" => Needs {
                publishers: true,
                events: true,
                ..Needs::default()
            },
            // Channels and their configurations only.
            "el" | "enum-logs" | "sl" | "set-log" => Needs::default(),
            // cl clears (and /bu exports) events; gli counts them; any other verb reads
            // what a store holds.
            _ => Needs {
                events: true,
                ..Needs::default()
            },
        }))
    }
}

/// An error for the command line: what failed, already worded for a person.
#[derive(Debug)]
pub struct StoreError(pub String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An engine with the default channels (Application, System, Security, Setup,
/// ForwardedEvents, and Sysmon's Operational channel), empty, the default publishers
/// installed, and its virtual clock.
fn empty_engine() -> (Engine, Arc<VirtualClock>) {
    let clock = Arc::new(VirtualClock::default());
    let engine = Engine::with_default_channels(clock.clone());
    let sysmon = ChannelConfig::new(Profile::Sysmon.channel_name(), ChannelType::Operational)
        .with_max_size(64 * 1024 * 1024);
    // The name is valid and not among the defaults.
    let _ = engine.create_channel(sysmon);
    // After Sysmon's channel, which keeps evtutil's size rather than the manifest's default.
    // In memory: a copy of the publishers parsed once (their parse is pinned by a test).
    let _ = engine.install_default_publishers();
    (engine, clock)
}

/// Sets the store's clock ("now" for `timediff()`) to its newest event's time, so that
/// queries give the same answer on every run: the latest TimeCreated of each channel's last
/// record (channels log in time order), one record read per channel.
fn settle_clock(engine: &Engine, clock: &VirtualClock) {
    let session = engine.default_session();
    let newest = engine
        .channel_names()
        .iter()
        .filter_map(|name| {
            // A channel that refuses queries (an enabled debug channel) has no say.
            let results = session
                .query(Some(name), None, QueryFlags::REVERSE_DIRECTION)
                .ok()?;
            match results.next(1, None).ok()? {
                Next::Events(events) => events.first()?.event().system.time_created,
                Next::End | Next::TimedOut => None,
            }
        })
        .max();
    if let Some(newest) = newest {
        clock.set(newest);
    }
}

/// The default store's events, in the order they were "logged" (time order).
fn default_events() -> Vec<Event> {
    let mut generator = Generator::new(DEFAULT_SEED);
    let total: usize = DEFAULT_COUNTS.iter().map(|(_, n)| n).sum();
    let mut left = DEFAULT_COUNTS;
    let mut events = Vec::with_capacity(total);
    // Interleave the profiles in proportion: at each step take the profile that is furthest
    // behind its share (a deterministic, even spread).
    for _ in 0..total {
        let (index, _) = left
            .iter()
            .enumerate()
            .filter(|(_, (_, n))| *n > 0)
            .max_by_key(|(i, (_, n))| {
                let share = DEFAULT_COUNTS[*i].1;
                // Remaining fraction, scaled to integers; earlier profiles win ties.
                (n * 1_000_000 / share, usize::MAX - i)
            })
            .unwrap_or((0, &left[0]));
        left[index].1 -= 1;
        events.push(generator.next_event(left[index].0));
    }
    events
}

/// The embedded default store (its publishers always: they define a channel).
pub fn embedded(needs: Needs) -> Engine {
    let (engine, clock) = empty_engine();
    let events = if needs.events {
        default_events()
    } else {
        Vec::new()
    };
    for event in events {
        let channel = event.system.channel.clone().unwrap_or_default();
        // Generated events name a channel the engine has; a full channel drops the event as
        // Windows drops it.
        let _ = engine.write(&channel, event);
    }
    if needs.clock {
        settle_clock(&engine, &clock);
    }
    engine
}

/// The default store's directory: `evtlog/store` in the user's data directory
/// (`$XDG_DATA_HOME`, else `~/.local/share`; `%LOCALAPPDATA%` on Windows).
pub fn default_dir() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let data = if cfg!(windows) {
        var("LOCALAPPDATA")
    } else {
        var("XDG_DATA_HOME").or_else(|| var("HOME").map(|home| home.join(".local/share")))
    };
    data.map(|d| d.join("evtlog").join("store"))
}

/// The file name of a channel's file in an XML directory store.
pub fn file_name(channel: &str) -> String {
    format!("{}.xml", channel.replace('/', "%4"))
}

fn channel_of(file: &Path) -> Option<String> {
    let name = file.file_name()?.to_str()?;
    let stem = name.strip_suffix(".xml")?;
    Some(stem.replace("%4", "/"))
}

/// Opens the directory store at `dir`: a store of XML channel files if it holds any,
/// else a store of persistent .evtx channels (`Engine::open_store_dir`), created and filled
/// with the default channels on first use (under the store's write lock). It has what
/// `needs` asks for.
pub fn open_dir(dir: &Path, needs: Needs) -> Result<Engine, StoreError> {
    if is_xml_store(dir)? {
        return load_dir(dir, needs);
    }
    open_evtx_dir(dir, needs)
}

/// Opens the directory store at `dir` for a verb that only reads: an XML store as
/// [`open_dir`] does; a store of .evtx channels read-only
/// (`Engine::open_store_dir_read_only`), without the store's write lock, so it opens while
/// another evtutil or program writes the store and never holds that one up. A store that
/// does not exist yet, or has no channel, is made and filled on first use as [`open_dir`]
/// makes it (under the lock), and one made before the default publishers existed gets them
/// kept once, the same way, when the verb needs them. It has what `needs` asks for.
pub fn open_dir_read_only(dir: &Path, needs: Needs) -> Result<Engine, StoreError> {
    if is_xml_store(dir)? {
        return load_dir(dir, needs);
    }
    let clock = Arc::new(VirtualClock::default());
    match Engine::open_store_dir_read_only_with_clock(dir, clock.clone()) {
        Ok(engine) if !engine.channel_names().is_empty() => {
            if needs.publishers && !dir.join("providers").exists() {
                // A store made before the default publishers existed: they are kept once,
                // under the lock, as open_dir keeps them; while another writer has the
                // store (or it cannot be written), in this run only.
                match open_evtx_dir(dir, needs) {
                    Ok(writable) => return Ok(writable),
                    Err(_) => {
                        let _ = engine.load_default_publishers();
                    }
                }
            }
            if needs.clock {
                settle_clock(&engine, &clock);
            }
            Ok(engine)
        }
        Ok(_) => open_evtx_dir(dir, needs),
        Err(e) if e.kind() == evtlog::ErrorKind::PathNotFound => open_evtx_dir(dir, needs),
        Err(e) => Err(StoreError(format!("{}: {e}", dir.display()))),
    }
}

/// Whether `dir` is a store of XML channel files (it holds any); false if it does not exist.
fn is_xml_store(dir: &Path) -> Result<bool, StoreError> {
    Ok(match fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .any(|p| p.extension().is_some_and(|x| x == "xml") && channel_of(&p).is_some()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => {
            return Err(StoreError(format!(
                "cannot read the store {}: {e}",
                dir.display()
            )))
        }
    })
}

/// The persistent .evtx store at `dir`, filled with the default store on first use; an
/// existing one opens as it is (nothing generated or written), with what `needs` asks for.
fn open_evtx_dir(dir: &Path, needs: Needs) -> Result<Engine, StoreError> {
    let failed = |e: evtlog::Error| StoreError(format!("{}: {e}", dir.display()));
    let clock = Arc::new(VirtualClock::default());
    let engine = Engine::open_store_dir_with_clock(dir, clock.clone()).map_err(failed)?;
    if engine.channel_names().is_empty() {
        let (defaults, _) = empty_engine();
        for channel in defaults.channels() {
            engine.create_channel(channel.config()).map_err(failed)?;
        }
        engine.install_default_publishers().map_err(failed)?;
        for event in default_events() {
            let channel = event.system.channel.clone().unwrap_or_default();
            // As the embedded store: a full channel drops the event as Windows drops it.
            let _ = engine.write(&channel, event);
        }
    } else if needs.publishers && !dir.join("providers").exists() {
        // A store made before the default publishers existed (it never had a provider
        // installed): they are added once and kept; where the store cannot be written,
        // in this run only. A store that has `providers/` keeps what it holds, so a
        // default publisher uninstalled with `um` stays uninstalled.
        if engine.install_default_publishers().is_err() {
            let _ = engine.load_default_publishers();
        }
    }
    if needs.clock {
        settle_clock(&engine, &clock);
    }
    Ok(engine)
}

/// Writes `channel`'s file in the directory store `dir` (beside it, then renamed).
pub fn save_channel(dir: &Path, channel: &evtlog::Channel) -> Result<(), StoreError> {
    let target = dir.join(file_name(channel.name()));
    let temp = dir.join(format!(".{}.tmp", file_name(channel.name())));
    write_channel_file(channel, &temp, &target).map_err(|e| {
        let _ = fs::remove_file(&temp);
        StoreError(format!("cannot write {}: {e}", target.display()))
    })
}

/// Writes `channel` to `temp`, one event per line, syncs it, and renames it to `target`.
fn write_channel_file(
    channel: &evtlog::Channel,
    temp: &Path,
    target: &Path,
) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(fs::File::create(temp)?);
    let mut line = String::with_capacity(4096);
    for event in channel.snapshot().iter() {
        line.clear();
        event.write_xml(&mut line);
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    out.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    fs::rename(temp, target)
}

/// Loads every `*.xml` channel file of `dir` into a fresh engine.
fn load_dir(dir: &Path, needs: Needs) -> Result<Engine, StoreError> {
    let (engine, clock) = empty_engine();
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| StoreError(format!("cannot read the store {}: {e}", dir.display())))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension().is_some_and(|x| x == "xml")
                && channel_of(p).is_some_and(|c| !c.starts_with('.'))
        })
        .collect();
    files.sort();
    for file in files {
        let Some(name) = channel_of(&file) else {
            continue;
        };
        if !engine.has_channel(&name) {
            let config = ChannelConfig::new(name.as_str(), ChannelType::Operational)
                .with_max_size(ChannelConfig::CLASSIC_MAX_SIZE);
            engine.create_channel(config).map_err(|e| {
                StoreError(format!("{}: not a valid channel name: {e}", file.display()))
            })?;
        }
        let text = fs::read_to_string(&file)
            .map_err(|e| StoreError(format!("cannot read {}: {e}", file.display())))?;
        for (index, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let event = Event::from_xml(line).map_err(|e| {
                let (_, column) = e.position().unwrap_or((1, 1));
                StoreError(format!("{}:{}:{column}: {e}", file.display(), index + 1))
            })?;
            engine
                .write(&name, event)
                .map_err(|e| StoreError(format!("{}:{}: {e}", file.display(), index + 1)))?;
        }
    }
    if needs.clock {
        settle_clock(&engine, &clock);
    }
    Ok(engine)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_store_is_deterministic_and_realistic() {
        let all = Needs {
            events: true,
            ..Needs::default()
        };
        let a = embedded(all);
        let b = embedded(all);
        for name in [
            "Security",
            "System",
            "Application",
            "Setup",
            "Microsoft-Windows-Sysmon/Operational",
        ] {
            let (ca, cb) = (a.channel(name).unwrap(), b.channel(name).unwrap());
            assert!(ca.record_count() > 0, "{name} is empty");
            let xa: Vec<String> = ca.snapshot().iter().map(|e| e.to_xml()).collect();
            let xb: Vec<String> = cb.snapshot().iter().map(|e| e.to_xml()).collect();
            assert_eq!(xa, xb, "{name} differs between runs");
        }
        assert_eq!(a.channel("Security").unwrap().record_count(), 6000);
        assert_eq!(a.channel("ForwardedEvents").unwrap().record_count(), 0);
        // A verb that reads no event gets the channels and publishers without them.
        let bare = embedded(Needs::default());
        assert_eq!(bare.channel_names(), a.channel_names());
        assert_eq!(bare.channel("Security").unwrap().record_count(), 0);
    }

    #[test]
    fn file_names_follow_windows() {
        assert_eq!(
            file_name("Microsoft-Windows-Sysmon/Operational"),
            "Microsoft-Windows-Sysmon%4Operational.xml"
        );
        assert_eq!(
            channel_of(Path::new("/x/Microsoft-Windows-Sysmon%4Operational.xml")).as_deref(),
            Some("Microsoft-Windows-Sysmon/Operational")
        );
    }
}
