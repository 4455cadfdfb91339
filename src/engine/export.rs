//! EvtExportLog ([`Session::export_log`]): the events of a query over a channel or an .evtx
//! file, written as an .evtx file.
//!
//! Invariants:
//! 1. The file is written beside the target (`<target>.<pid>-<n>.tmp`) and appears under the
//!    target's name only when complete: renamed over it with Overwrite, else linked to it so
//!    that a target that appeared meanwhile is not replaced (ERROR_FILE_EXISTS, 80). On any
//!    error or cancel the temporary file is removed: no file is left behind.
//! 2. The export is a Call node of its session for its whole run, and its query an
//!    ordinary result set of the session: a session cancel reaches the `next` in flight
//!    (one poll per batch of the scan) and, between batches, the export's own node, polled
//!    after each batch is written. Either way it returns Cancelled (1223). A cancel seen
//!    after the last poll (the file complete) does not undo the export.
//! 4. Progress is reported once per batch written, on the calling thread, outside every
//!    lock (progress.rs).
//! 3. Events are written in the query's order; an empty result still makes a file (one
//!    empty chunk).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::flags::{ExportFlags, QueryFlags};
use super::progress::{source_total, Progress};
use super::results::{Next, MAX_NEXT_COUNT};
use super::session::Session;
use crate::cancel::{CancelToken, NodeKind};
use crate::error::{Error, ErrorKind, Result};
use crate::evtx::{EvtxWriter, Spooled};

/// A temporary file removed when dropped, unless kept.
pub(super) struct Temporary(Option<PathBuf>);

impl Temporary {
    /// A name beside `target` for its temporary file.
    pub(super) fn beside(target: &Path) -> Temporary {
        Temporary(Some(temporary_beside(target)))
    }

    pub(super) fn path(&self) -> &Path {
        self.0.as_deref().unwrap_or(Path::new(""))
    }

    /// The file is the target's now: nothing to remove.
    pub(super) fn keep(mut self) {
        self.0 = None;
    }
}

impl Drop for Temporary {
    fn drop(&mut self) {
        if let Some(path) = self.0.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A name beside `target` no other export of this process uses.
fn temporary_beside(target: &Path) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let mut name = target.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{}-{n}.tmp", std::process::id()));
    target.with_file_name(name)
}

impl Session {
    /// EvtExportLog: writes the events `query` selects from `path` (a channel, or with
    /// [`ExportFlags::FILE_PATH`] an .evtx file; `None` with a structured query) to the .evtx
    /// file `target`, and returns how many were written.
    ///
    /// Errors: as [`Session::query`]; `target` relative: InvalidParameter (87); `target`
    /// exists without [`ExportFlags::OVERWRITE`]: FileExists (80); a session cancel:
    /// Cancelled (1223). On any error no file is left behind, and an existing target is as
    /// it was.
    pub fn export_log(
        &self,
        path: Option<&str>,
        query: Option<&str>,
        target: &str,
        flags: ExportFlags,
    ) -> Result<u64> {
        self.export(path, query, target, flags, None)
    }

    /// [`export_log`](Session::export_log), reporting its [`Progress`] to `on_progress`
    /// after each batch of events written (on the calling thread, under no lock of the
    /// engine; keep it cheap). Its `total` is the source's record count when one channel or
    /// file is exported (an upper bound with a filtering query).
    pub fn export_log_with_progress(
        &self,
        path: Option<&str>,
        query: Option<&str>,
        target: &str,
        flags: ExportFlags,
        on_progress: &mut dyn FnMut(&Progress),
    ) -> Result<u64> {
        self.export(path, query, target, flags, Some(on_progress))
    }

    /// The export, with an observer or without (then the source's total is not read).
    fn export(
        &self,
        path: Option<&str>,
        query: Option<&str>,
        target: &str,
        flags: ExportFlags,
        mut on_progress: Option<&mut dyn FnMut(&Progress)>,
    ) -> Result<u64> {
        let _fault = self.engine.enter_fault("EvtExportLog")?;
        let flags = ExportFlags::from_bits(flags.bits())?;
        let target = Path::new(target);
        let overwrite = flags.contains(ExportFlags::OVERWRITE);
        check_target(target, overwrite)?;
        let mut query_flags = if flags.contains(ExportFlags::FILE_PATH) {
            QueryFlags::FILE_PATH
        } else {
            QueryFlags::CHANNEL_PATH
        };
        if flags.contains(ExportFlags::TOLERATE_QUERY_ERRORS) {
            query_flags = query_flags | QueryFlags::TOLERATE_QUERY_ERRORS;
        }
        if flags.contains(ExportFlags::FILE_PATH) {
            // "Multiple log files cannot be merged" (EvtExportLog's documentation).
            let files = match crate::query::Query::parse(path, query) {
                Ok(parsed) => parsed.sources().len(),
                Err(_) => 1,
            };
            if files > 1 {
                return Err(Error::with_message(
                    ErrorKind::InvalidParameter,
                    "an export cannot merge several log files",
                ));
            }
        }
        // Registered before the query, so a cancel from here on is seen (invariant 2).
        let call = self.inner.token.child(NodeKind::Call);
        let results = self.query(path, query, query_flags)?;
        let total = match on_progress {
            Some(_) => source_total(&self.engine, path, query, query_flags),
            None => None,
        };
        let mut progress = Progress::new(total);
        write_evtx(
            target,
            overwrite,
            |writer| {
                while let Next::Events(batch) = results.next(MAX_NEXT_COUNT, None)? {
                    for event in &batch {
                        writer.write(event)?;
                    }
                    progress.records += batch.len() as u64;
                    progress.bytes = writer.bytes_written();
                    if let Some(observer) = on_progress.as_mut() {
                        observer(&progress);
                    }
                    call.check()?;
                }
                Ok(progress.records)
            },
            &call,
        )
    }
}

/// Checks an export's or a backup's target: an absolute path (87) that, unless
/// `overwrite`, does not exist (80).
pub(super) fn check_target(target: &Path, overwrite: bool) -> Result<()> {
    if !target.is_absolute() {
        return Err(Error::with_message(
            ErrorKind::InvalidParameter,
            format!("{}: the target must be an absolute path", target.display()),
        ));
    }
    if !overwrite && target.exists() {
        return Err(Error::with_message(
            ErrorKind::FileExists,
            format!("{}: the target file exists", target.display()),
        ));
    }
    Ok(())
}

/// Writes the .evtx file `target` with the events `fill` gives the writer (returning how
/// many), beside the target first and then put in place, synced (invariant 1). On any error
/// nothing is left behind. A helper thread writes the file as the events are encoded
/// (`Spooled`). `call` is polled once more after the sync, the last moment a cancel
/// removes the file rather than the target appearing.
pub(super) fn write_evtx(
    target: &Path,
    overwrite: bool,
    fill: impl FnOnce(&mut EvtxWriter<Spooled>) -> Result<u64>,
    call: &CancelToken,
) -> Result<u64> {
    let temporary = Temporary(Some(temporary_beside(target)));
    let file = File::create(temporary.path())?;
    let mut writer = EvtxWriter::new(Spooled::new(file)?)?;
    let written = fill(&mut writer)?;
    writer.finish()?.finish()?.sync_all()?;
    call.check()?;
    if overwrite {
        std::fs::rename(temporary.path(), target)?;
    } else {
        // A link fails if the target appeared meanwhile: it is not replaced.
        std::fs::hard_link(temporary.path(), target)?;
        let _ = std::fs::remove_file(temporary.path());
    }
    temporary.keep();
    Ok(written)
}
