//! Whole logs: EvtClearLog and EvtExportLog (reference/wevtapi.md §2.13, §2.14), through
//! the session given (NULL: the local one), so that EvtCancel on that session stops them.

use super::query::{invalid_parameter, session};
use super::status::{self, Outcome, BOOL};
use super::EVT_HANDLE;
use crate::engine::ExportFlags;

/// EVT_EXPORTLOG_FLAGS.
pub const EvtExportLogChannelPath: u32 = 0x1;
pub const EvtExportLogFilePath: u32 = 0x2;
pub const EvtExportLogTolerateQueryErrors: u32 = 0x1000;
pub const EvtExportLogOverwrite: u32 = 0x2000;

/// EvtClearLog: removes every event of `channel_path`, after saving them to
/// `target_file_path` (absolute; it must not exist) if given. On any error or cancel no
/// event is removed and no file is left. Flags are reserved (0).
pub fn EvtClearLog(
    session: EVT_HANDLE,
    channel_path: Option<&str>,
    target_file_path: Option<&str>,
    flags: u32,
) -> BOOL {
    status::boolean((|| -> Outcome {
        let s = self::session(session)?;
        if flags != 0 {
            return Err(invalid_parameter("EvtClearLog's Flags are reserved (0)"));
        }
        let channel = channel_path.ok_or_else(|| invalid_parameter("the channel path is NULL"))?;
        s.clear_log(channel, target_file_path)?;
        Ok(())
    })())
}

/// EvtExportLog: the events `query` selects from `path` (a channel, or with
/// EvtExportLogFilePath an .evtx file) written to the new .evtx file `target_file_path`
/// (ERROR_FILE_EXISTS, 80, if it exists without EvtExportLogOverwrite).
pub fn EvtExportLog(
    session: EVT_HANDLE,
    path: Option<&str>,
    query: Option<&str>,
    target_file_path: Option<&str>,
    flags: u32,
) -> BOOL {
    status::boolean((|| -> Outcome {
        let s = self::session(session)?;
        let target =
            target_file_path.ok_or_else(|| invalid_parameter("the target file path is NULL"))?;
        let flags = ExportFlags::from_bits(flags)?;
        s.export_log(path, query, target, flags)?;
        Ok(())
    })())
}
