//! The facade's remote-computer state below its service: `EVTLOG_COMPUTERS`, the remote
//! computers an unmodified program reaches, read when the service starts (`service.rs`); the
//! engines of registered computers; and the forwarders `evtlog_forward_events` keeps.
//!
//! Invariants:
//! 1. The variable is applied whole or not at all: every item is parsed and checked and every
//!    store opened first; on the first failure a message naming the item goes to stderr and
//!    no computer is registered.
//! 2. The forwarders go with the service: `evtlog_reset` forgets them (they hold engines,
//!    which would otherwise outlive the reset and keep their stores locked).

use std::path::PathBuf;
use std::sync::Arc;

use crate::engine::{Engine, Forwarder};
use crate::error::{Error, ErrorKind, Result};

/// The forwarders `forward_events` made, by (from, to, channel, query), so that each record
/// is forwarded once (invariant 2).
#[allow(clippy::type_complexity)]
static FORWARDERS: parking_lot::Mutex<Vec<((String, String, String, String), Arc<Forwarder>)>> =
    parking_lot::Mutex::new(Vec::new());

/// The forwarder of `key`, made by `make` the first time.
pub(super) fn forwarder(
    key: (String, String, String, String),
    make: impl FnOnce() -> Forwarder,
) -> Arc<Forwarder> {
    let mut all = FORWARDERS.lock();
    if let Some((_, f)) = all.iter().find(|(k, _)| *k == key) {
        return Arc::clone(f);
    }
    let f = Arc::new(make());
    all.push((key, Arc::clone(&f)));
    f
}

/// Forgets every forwarder (the service is being replaced).
pub(super) fn forget_forwarders() {
    let forgotten = std::mem::take(&mut *FORWARDERS.lock());
    drop(forgotten);
}

/// The variable naming remote computers for an unmodified program: `NAME=STORE_DIR;…`.
pub const COMPUTERS_VARIABLE: &str = "EVTLOG_COMPUTERS";

/// A computer's engine: the persistent store in `store_dir` (opened, or created; beside a
/// writer that holds it, read-only), or with `None` an in-memory engine; either way with
/// Windows' standard channels and the default publishers, on the wall clock.
pub(super) fn computer_engine(store_dir: Option<&std::path::Path>) -> Result<Engine> {
    let Some(dir) = store_dir else {
        let engine = Engine::with_default_channels(std::sync::Arc::new(crate::SystemClock));
        let _ = engine.install_default_publishers();
        return Ok(engine);
    };
    let engine = match Engine::open_store_dir(dir) {
        Err(e) if e.kind() == ErrorKind::SharingViolation => Engine::open_store_dir_read_only(dir),
        opened => opened,
    }?;
    engine.create_default_channels();
    let _ = engine.load_default_publishers();
    Ok(engine)
}

/// `EVTLOG_COMPUTERS`'s items: `NAME=STORE_DIR` separated by `;` (empty items, such as a
/// trailing `;`, are skipped). The error names the item and says what is wrong.
pub fn parse_computers(text: &str) -> std::result::Result<Vec<(String, PathBuf)>, String> {
    let mut out: Vec<(String, PathBuf)> = Vec::new();
    let mut offset = 0;
    for (index, item) in text.split(';').enumerate() {
        let at = offset;
        offset += item.len() + 1;
        if item.trim().is_empty() {
            continue;
        }
        let what = |why: &str| {
            format!(
                "{COMPUTERS_VARIABLE}: item {} {item:?} (at byte {at}): {why}; each item is \
                 NAME=STORE_DIRECTORY, items separated by ';'",
                index + 1
            )
        };
        let Some((name, dir)) = item.split_once('=') else {
            return Err(what("no '='"));
        };
        let (name, dir) = (name.trim(), dir.trim());
        if name.is_empty() {
            return Err(what("the computer name is empty"));
        }
        if dir.is_empty() {
            return Err(what("the store directory is empty"));
        }
        if out.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
            return Err(what("this computer is named twice"));
        }
        out.push((name.to_owned(), PathBuf::from(dir)));
    }
    Ok(out)
}

/// Registers the computers `EVTLOG_COMPUTERS` names on `engine` (invariant 2): nothing if
/// it is unset or empty; on an error, a message on stderr and nothing registered.
pub(super) fn apply_environment(engine: &Engine) {
    let Some(text) = std::env::var_os(COMPUTERS_VARIABLE) else {
        return;
    };
    let Some(text) = text.to_str().map(str::to_owned) else {
        eprintln!("evtlog: {COMPUTERS_VARIABLE} is not valid Unicode; no computer registered");
        return;
    };
    if let Err(message) = register_all(engine, &text) {
        eprintln!("evtlog: {message}; no computer registered");
    }
}

/// Parses `text`, opens every store, then registers every computer; nothing on an error.
pub fn register_all(engine: &Engine, text: &str) -> std::result::Result<usize, String> {
    let items = parse_computers(text)?;
    let mut opened = Vec::with_capacity(items.len());
    for (index, (name, dir)) in items.iter().enumerate() {
        let fail = |e: Error| {
            format!(
                "{COMPUTERS_VARIABLE}: item {} ({name}={}): {e}",
                index + 1,
                dir.display()
            )
        };
        crate::engine::validate_computer_name(name).map_err(fail)?;
        if engine.computer(name).is_ok() {
            return Err(fail(Error::with_message(
                ErrorKind::InvalidParameter,
                "a computer of that name is registered already",
            )));
        }
    }
    for (index, (name, dir)) in items.iter().enumerate() {
        let computer = computer_engine(Some(dir)).map_err(|e| {
            format!(
                "{COMPUTERS_VARIABLE}: item {} ({name}={}): the store does not open: {e}",
                index + 1,
                dir.display()
            )
        })?;
        opened.push(computer);
    }
    let count = opened.len();
    for ((name, _), computer) in items.iter().zip(opened) {
        engine
            .register_computer(name, computer)
            .map_err(|e| format!("{COMPUTERS_VARIABLE}: {e}"))?;
    }
    Ok(count)
}
