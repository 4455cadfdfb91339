//! Archived logs (EvtArchiveExportedLog, and EvtOpenPublisherMetadata's LogFilePath, as
//! Windows documents them): the localized metadata an exported log needs to be formatted where
//! its providers are not installed, written beside it as a side-car, and read back by
//! EvtOpenPublisherMetadata with a LogFilePath.
//!
//! The side-car is `<dir>/LocaleMetaData/<file stem>_<LCID>.MTA` (Windows' place and name,
//! LCID in decimal). Windows' MTA is a binary format; evtlog's holds an instrumentation
//! manifest ([`manifest_xml`]: every message id pinned, the strings of one culture), which
//! the manifest parser reads back.
//!
//! Invariants:
//! 1. A side-car appears whole or not at all: it is written to a temporary file beside it,
//!    synced, then renamed over any older one. On any error or cancel nothing is left (the
//!    temporary file is removed, and the `LocaleMetaData` folder too if this call made it).
//! 2. The publishers archived are the installed, non-classic ones the file's events name
//!    (System/Provider/@Name), in order of first appearance; a name that is not installed
//!    is skipped (there is nothing to archive for it).
//! 3. The file's events are read by an ordinary file query of the session, so a session
//!    cancel stops the scan (Cancelled, 1223).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::export::Temporary;
use super::flags::QueryFlags;
use super::results::{Next, MAX_NEXT_COUNT};
use super::session::Session;
use super::Engine;
use crate::error::{Error, ErrorKind, Result};
use crate::publisher::{culture_of, manifest_xml, read_archive, Publisher, DEFAULT_LCID};

/// The folder beside an archived log that holds its side-cars.
pub const ARCHIVE_DIR: &str = "LocaleMetaData";
/// The side-cars' extension.
const ARCHIVE_EXTENSION: &str = "MTA";

/// The side-car of the log `log_file` for `lcid` (0: the thread's default, en-US here).
pub fn archive_path(log_file: &Path, lcid: u32) -> PathBuf {
    let lcid = if lcid == 0 { DEFAULT_LCID } else { lcid };
    let stem = log_file.file_stem().unwrap_or_default().to_string_lossy();
    log_file
        .parent()
        .unwrap_or(Path::new(""))
        .join(ARCHIVE_DIR)
        .join(format!("{stem}_{lcid}.{ARCHIVE_EXTENSION}"))
}

/// What [`Session::archive_exported_log`] wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchivedLog {
    /// The side-car written.
    pub path: PathBuf,
    /// The culture of its strings (`en-US`).
    pub culture: String,
    /// The publishers it holds, in order of first appearance in the log.
    pub publishers: Vec<String>,
    /// Provider names the log's events carry that are not installed (not archived).
    pub missing: Vec<String>,
}

/// An I/O error with the path it concerns.
fn io_error(path: &Path, err: std::io::Error) -> Error {
    let kind = Error::from(std::io::Error::new(err.kind(), "")).kind();
    Error::with_message(kind, format!("{}: {err}", path.display()))
}

/// An absolute path (87) to an existing file (2; 3 when its folder is missing too).
pub(super) fn check_log_file(path: &str) -> Result<()> {
    let p = Path::new(path);
    if !p.is_absolute() {
        return Err(Error::with_message(
            ErrorKind::InvalidParameter,
            format!("{path}: a log file path must be absolute"),
        ));
    }
    if p.is_file() {
        return Ok(());
    }
    let folder_exists = p.parent().is_some_and(Path::is_dir);
    Err(Error::with_message(
        if folder_exists {
            ErrorKind::FileNotFound
        } else {
            ErrorKind::PathNotFound
        },
        format!("{path}: no such log file"),
    ))
}

impl Session {
    /// EvtArchiveExportedLog: writes the side-car that lets the exported log `log_file_path`
    /// be formatted where its providers are not installed: the installed providers its
    /// events name, with their strings in `lcid` (0: the thread's default, en-US). A
    /// provider without strings in that culture is archived with empty strings (as EvtArchiveExportedLog does).
    ///
    /// Errors: a relative path, an LCID that is no known locale: InvalidParameter (87); a
    /// missing file: FileNotFound (2) or PathNotFound (3); not an .evtx file: the reader's
    /// error; a session cancel: Cancelled (1223); the folder not writable: AccessDenied
    /// (5) or the I/O error. On any error no side-car (and no temporary file) is left.
    pub fn archive_exported_log(&self, log_file_path: &str, lcid: u32) -> Result<ArchivedLog> {
        check_log_file(log_file_path)?;
        let culture = culture_of(if lcid == 0 { DEFAULT_LCID } else { lcid })
            .ok_or_else(|| {
                Error::with_message(
                    ErrorKind::InvalidParameter,
                    format!("LCID {lcid:#06x} is not a known locale"),
                )
            })?
            .to_owned();
        let (publishers, missing) = self.providers_of(log_file_path)?;
        let refs: Vec<&Publisher> = publishers.iter().map(|p| &**p).collect();
        let text = manifest_xml(&refs, &culture);
        let path = archive_path(Path::new(log_file_path), lcid);
        write_atomically(&path, text.as_bytes())?;
        Ok(ArchivedLog {
            path,
            culture,
            publishers: publishers.iter().map(|p| p.name.clone()).collect(),
            missing,
        })
    }

    /// The installed (non-classic) providers the file's events name, and the names that
    /// are not installed, each once (any case), in order of first appearance.
    fn providers_of(&self, log_file_path: &str) -> Result<(Vec<Arc<Publisher>>, Vec<String>)> {
        // Part of EvtArchiveExportedLog, not a query of the caller's (fault_plan.rs).
        let _quiet = self.engine.fault_plan().quiet();
        let results = self.query(Some(log_file_path), None, QueryFlags::FILE_PATH)?;
        let (mut seen, mut found, mut missing) = (HashSet::new(), Vec::new(), Vec::new());
        while let Next::Events(batch) = results.next(MAX_NEXT_COUNT, None)? {
            for event in &batch {
                let Some(name) = event.event().system.provider.name.as_deref() else {
                    continue;
                };
                if !seen.insert(name.to_ascii_lowercase()) {
                    continue;
                }
                match self.engine.publishers().get(name) {
                    Some(p) if p.classic.is_none() => found.push(p),
                    _ => missing.push(name.to_owned()),
                }
            }
        }
        Ok((found, missing))
    }
}

/// Writes `bytes` to `path` whole or not at all (invariant 1).
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new(""));
    let made_dir = !dir.is_dir();
    if made_dir {
        std::fs::create_dir(dir).map_err(|e| io_error(dir, e))?;
    }
    let result = (|| -> Result<()> {
        let temporary = Temporary::beside(path);
        let mut file =
            std::fs::File::create(temporary.path()).map_err(|e| io_error(temporary.path(), e))?;
        file.write_all(bytes)
            .and_then(|()| file.sync_all())
            .map_err(|e| io_error(temporary.path(), e))?;
        drop(file);
        std::fs::rename(temporary.path(), path).map_err(|e| io_error(path, e))?;
        temporary.keep();
        Ok(())
    })();
    if result.is_err() && made_dir {
        let _ = std::fs::remove_dir(dir);
    }
    result
}

/// The side-cars of `log_file` to read for `lcid`: its own first (0: the default's), then
/// any other of the same log, in name order.
fn side_cars(log_file: &Path, lcid: u32) -> Vec<PathBuf> {
    let first = archive_path(log_file, lcid);
    let mut out: Vec<PathBuf> = vec![];
    if first.is_file() {
        out.push(first.clone());
    }
    let stem = log_file.file_stem().unwrap_or_default().to_string_lossy();
    let prefix = format!("{stem}_").to_ascii_lowercase();
    let suffix = format!(".{ARCHIVE_EXTENSION}").to_ascii_lowercase();
    let Ok(entries) = std::fs::read_dir(first.parent().unwrap_or(Path::new(""))) else {
        return out;
    };
    let mut others: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| *p != first && p.is_file())
        .filter(|p| {
            let name = p.file_name().unwrap_or_default().to_string_lossy();
            let name = name.to_ascii_lowercase();
            name.strip_prefix(&prefix)
                .and_then(|rest| rest.strip_suffix(&suffix))
                .is_some_and(|lcid| !lcid.is_empty() && lcid.bytes().all(|b| b.is_ascii_digit()))
        })
        .collect();
    others.sort();
    out.extend(others);
    out
}

/// Reads a side-car's publishers ([`read_archive`]).
fn read_side_car(path: &Path) -> Result<Vec<Publisher>> {
    let text = std::fs::read_to_string(path).map_err(|e| io_error(path, e))?;
    read_archive(&text).map_err(|e| {
        Error::with_message(
            e.kind(),
            format!("archived metadata {}: {e}", path.display()),
        )
    })
}

impl Engine {
    /// The publisher `name` as archived beside `log_file_path` (side-cars per
    /// [`side_cars`]), with the side-car it came from; `None` when no side-car holds it.
    /// A side-car that does not parse is an error (15008/15010 with its path).
    pub(super) fn archived_publisher(
        &self,
        name: &str,
        log_file_path: &str,
        lcid: u32,
    ) -> Result<Option<(Arc<Publisher>, PathBuf)>> {
        for path in side_cars(Path::new(log_file_path), lcid) {
            let found = read_side_car(&path)?
                .into_iter()
                .find(|p| p.name.eq_ignore_ascii_case(name));
            if let Some(p) = found {
                return Ok(Some((Arc::new(p), path)));
            }
        }
        Ok(None)
    }
}
