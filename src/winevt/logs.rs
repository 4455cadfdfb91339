//! Whole logs: EvtClearLog and EvtExportLog through the session given (NULL: the local
//! one), so that EvtCancel on that session stops them; EvtOpenLog and EvtGetLogInfo; and
//! EvtArchiveExportedLog.

use std::path::Path;

use super::faults;
use super::handles;
use super::lookup::{object, session};
use super::object::{LogSource, Object};
use super::status::{self, invalid_handle, invalid_parameter, Outcome, BOOL};
use super::variant::put_variants;
use super::EVT_HANDLE;
use crate::engine::{existing_file, ExportFlags, LogInfo, Quirk, Quirks};

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
        let _fault = faults::enter("EvtClearLog", |a| {
            a.handle("Session", session)
                .str("ChannelPath", channel_path)
                .str("TargetFilePath", target_file_path)
                .u32("Flags", flags);
        })?;
        let s = self::session(session)?;
        if flags != 0 {
            return Err(invalid_parameter("EvtClearLog's Flags are reserved (0)"));
        }
        let channel = channel_path.ok_or_else(|| invalid_parameter("the channel path is NULL"))?;
        let quirks = s.engine().quirks();
        let target = target_file_path.map(|t| export_target(t, quirks));
        s.clear_log(channel, target.as_deref())?;
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
        let _fault = faults::enter("EvtExportLog", |a| {
            a.handle("Session", session)
                .str("Path", path)
                .str("Query", query)
                .str("TargetFilePath", target_file_path)
                .u32("Flags", flags);
        })?;
        let s = self::session(session)?;
        let target =
            target_file_path.ok_or_else(|| invalid_parameter("the target file path is NULL"))?;
        let flags = ExportFlags::from_bits(flags)?;
        s.export_log(
            path,
            query,
            &export_target(target, s.engine().quirks()),
            flags,
        )?;
        Ok(())
    })())
}

/// A target file path as the service takes it: as given (a relative one is refused, 87, as
/// documented), or under the relative-export-path quirk resolved against the calling
/// process's current directory.
fn export_target(target: &str, quirks: Quirks) -> String {
    let relative = !Path::new(target).is_absolute();
    if relative && quirks.contains(Quirk::RelativeExportPath) {
        if let Some(absolute) = std::path::absolute(target)
            .ok()
            .and_then(|p| p.to_str().map(str::to_owned))
        {
            return absolute;
        }
    }
    target.to_owned()
}

/// EVT_OPEN_LOG_FLAGS.
pub const EvtOpenChannelPath: u32 = 0x1;
pub const EvtOpenFilePath: u32 = 0x2;
/// EVT_LOG_PROPERTY_ID.
pub const EvtLogCreationTime: u32 = 0;
pub const EvtLogLastAccessTime: u32 = 1;
pub const EvtLogLastWriteTime: u32 = 2;
pub const EvtLogFileSize: u32 = 3;
pub const EvtLogAttributes: u32 = 4;
pub const EvtLogNumberOfLogRecords: u32 = 5;
pub const EvtLogOldestRecordNumber: u32 = 6;
pub const EvtLogFull: u32 = 7;

/// EvtOpenLog: a channel (EvtOpenChannelPath) or an .evtx file (EvtOpenFilePath, an
/// absolute path) for EvtGetLogInfo.
pub fn EvtOpenLog(session: EVT_HANDLE, path: Option<&str>, flags: u32) -> EVT_HANDLE {
    status::handle((|| -> Outcome<EVT_HANDLE> {
        let _fault = faults::enter("EvtOpenLog", |a| {
            a.handle("Session", session)
                .str("Path", path)
                .u32("Flags", flags);
        })?;
        let engine = self::session(session)?.engine().clone();
        let path = path.ok_or_else(|| invalid_parameter("the path is NULL"))?;
        let source = match flags {
            EvtOpenChannelPath => {
                let channel = engine.channel(path)?;
                engine.fault_plan().check_access(channel.name())?;
                LogSource::Channel(channel)
            }
            EvtOpenFilePath => LogSource::File(existing_file(path)?),
            _ => {
                return Err(invalid_parameter(
                    "EvtOpenLog takes EvtOpenChannelPath or EvtOpenFilePath",
                ))
            }
        };
        Ok(handles::insert(Object::Log(source), session))
    })())
}

/// EvtGetLogInfo: one property of an opened log as an EVT_VARIANT (EVT_LOG_PROPERTY_ID's types).
pub fn EvtGetLogInfo(log: EVT_HANDLE, property_id: u32, buffer: &mut [u8], used: &mut u32) -> BOOL {
    status::boolean((|| -> Outcome {
        let _fault = faults::enter("EvtGetLogInfo", |a| {
            a.handle("Log", log)
                .u32("PropertyId", property_id)
                .size("BufferSize", buffer.len());
        })?;
        let object = object(log)?;
        let Object::Log(source) = &*object else {
            return Err(invalid_handle("a log handle was expected"));
        };
        if property_id > EvtLogFull {
            return Err(invalid_parameter("an unknown EVT_LOG_PROPERTY_ID"));
        }
        let info = match source {
            LogSource::Channel(channel) => LogInfo::of_channel(channel)?,
            LogSource::File(path) => LogInfo::of_file(path)?,
        };
        let value = info
            .value(property_id)
            .ok_or_else(|| invalid_parameter("an unknown EVT_LOG_PROPERTY_ID"))?;
        put_variants(&[value], buffer, used)
    })())
}

/// EvtArchiveExportedLog: makes the exported log `log_file_path` renderable where its
/// providers are absent: the installed providers its events name are written, with their
/// strings in `locale` (0: the thread's, en-US), to the side-car
/// `LocaleMetaData\<stem>_<LCID>.MTA` beside it
/// ([`Session::archive_exported_log`](crate::Session::archive_exported_log)), which EvtOpenPublisherMetadata with a
/// LogFilePath reads. Flags are reserved (0). Errors: 87 (relative path, flags, unknown
/// LCID), 2/3 (missing file), the reader's error for a file that is not .evtx, 1223
/// (EvtCancel on the session), 5 (folder not writable); nothing is written on error.
pub fn EvtArchiveExportedLog(
    session: EVT_HANDLE,
    log_file_path: Option<&str>,
    locale: u32,
    flags: u32,
) -> BOOL {
    status::boolean((|| -> Outcome {
        let _fault = faults::enter("EvtArchiveExportedLog", |a| {
            a.handle("Session", session)
                .str("LogFilePath", log_file_path)
                .u32("Locale", locale)
                .u32("Flags", flags);
        })?;
        let s = self::session(session)?;
        if flags != 0 {
            return Err(invalid_parameter(
                "EvtArchiveExportedLog's Flags are reserved (0)",
            ));
        }
        let path = log_file_path.ok_or_else(|| invalid_parameter("the log file path is NULL"))?;
        s.archive_exported_log(path, locale)?;
        Ok(())
    })())
}
