//! advapi32's classic Event Logging functions (winbase.h): event sources
//! (RegisterEventSourceW, ReportEventW, DeregisterEventSource) and the classic read API
//! (OpenEventLogW, ReadEventLogW/A, …, NotifyChangeEventLog) over engine [`ClassicLog`]s.
//!
//! Classic handles are HANDLEs on Windows; here they are entries of the facade's handle
//! table (kinds EventSource and ClassicLog), so a handle of another kind, or a closed one,
//! is ERROR_INVALID_HANDLE (6). They report failure as BOOL/NULL functions do: FALSE or
//! NULL and the thread's last error.
//!
//! Windows' codes kept here: a backup target that exists is ERROR_ALREADY_EXISTS (183)
//! (ClearEventLog and BackupEventLog document it); the end of the log is ERROR_HANDLE_EOF
//! (38); a buffer too small for the next record is ERROR_INSUFFICIENT_BUFFER (122) with
//! the record's size in `pnMinNumberOfBytesNeeded`; GetEventLogInformation's only level
//! is EVENTLOG_FULL_INFO (0), others ERROR_INVALID_LEVEL (124).

use super::handles::{self, EVT_HANDLE};
use super::object::Object;
use super::query::is_this_computer;
use super::status::{self, invalid_handle, invalid_parameter, Fail, Outcome, BOOL};
use crate::engine::{ClassicLog, ClassicReport, ReadOutcome, ReportType, SignalEvent};
use crate::error::codes::{ERROR_ALREADY_EXISTS, ERROR_INSUFFICIENT_BUFFER};
use crate::error::{Error, ErrorKind};
use crate::event::Sid;

pub use crate::engine::{
    EVENTLOG_BACKWARDS_READ, EVENTLOG_FORWARDS_READ, EVENTLOG_SEEK_READ, EVENTLOG_SEQUENTIAL_READ,
};
/// REPORT_EVENT_TYPE values.
pub const EVENTLOG_SUCCESS: u16 = 0;
pub const EVENTLOG_ERROR_TYPE: u16 = 1;
pub const EVENTLOG_WARNING_TYPE: u16 = 2;
pub const EVENTLOG_INFORMATION_TYPE: u16 = 4;
pub const EVENTLOG_AUDIT_SUCCESS: u16 = 8;
pub const EVENTLOG_AUDIT_FAILURE: u16 = 16;
/// GetEventLogInformation's level.
pub const EVENTLOG_FULL_INFO: u32 = 0;
/// ERROR_HANDLE_EOF: ReadEventLog past the last record.
pub const ERROR_HANDLE_EOF: u32 = 38;
/// ERROR_INVALID_LEVEL: GetEventLogInformation with another level.
pub const ERROR_INVALID_LEVEL: u32 = 124;
/// ERROR_EVENTLOG_FILE_CORRUPT: OpenBackupEventLog of a file that is not an event log.
pub const ERROR_EVENTLOG_FILE_CORRUPT: u32 = 1500;
/// RPC_X_NULL_REF_POINTER: a NULL out-pointer the RPC interface requires.
pub const RPC_X_NULL_REF_POINTER: u32 = 1780;
/// RPC_S_SERVER_UNAVAILABLE: a server other than this computer.
const RPC_S_SERVER_UNAVAILABLE: u32 = 1722;

/// A handle function's end (HANDLE: NULL on failure).
fn opened(result: Outcome<Object>) -> EVT_HANDLE {
    status::handle(result.map(|object| handles::insert(object, 0)))
}

fn check_server(server: Option<&str>) -> Outcome {
    match server {
        Some(s) if !s.is_empty() && !is_this_computer(s) => {
            Err(Fail::Code(RPC_S_SERVER_UNAVAILABLE))
        }
        _ => Ok(()),
    }
}

/// RegisterEventSourceW: a handle for reporting as `source` (registered or not: an
/// unregistered source writes to Application). 87 without a name; 1722 for another server.
pub fn RegisterEventSourceW(server: Option<&str>, source: Option<&str>) -> EVT_HANDLE {
    opened((|| {
        check_server(server)?;
        let source = source
            .filter(|s| !s.is_empty())
            .ok_or_else(|| invalid_parameter("lpSourceName is NULL or empty"))?;
        Ok(Object::EventSource(source.to_owned()))
    })())
}

/// DeregisterEventSource.
pub fn DeregisterEventSource(event_log: EVT_HANDLE) -> BOOL {
    close_kind(
        event_log,
        |o| matches!(o, Object::EventSource(_)),
        "an event source",
    )
}

fn close_kind(handle: EVT_HANDLE, accept: impl FnOnce(&Object) -> bool, what: &str) -> BOOL {
    status::boolean(match handles::remove_if(handle, accept) {
        Ok(closed) => {
            closed.close();
            Ok(())
        }
        Err(_) => Err(invalid_handle(&format!("{what} handle was expected"))),
    })
}

/// ReportEventW: writes a classic event as the handle's source (engine `classic`): a
/// RegisterEventSourceW handle, or an OpenEventLogW one (the name it was opened with;
/// Windows needs no RegisterEventSource to report). An unknown type is written as
/// EVENTLOG_SUCCESS, as Windows since Vista does. 87 for a string over 31,839 characters;
/// 6 for a backup's handle.
pub fn ReportEventW(
    event_log: EVT_HANDLE,
    event_type: u16,
    category: u16,
    event_id: u32,
    user_sid: Option<Sid>,
    strings: &[String],
    raw_data: &[u8],
) -> BOOL {
    status::boolean((|| -> Outcome {
        let object = handles::get(event_log);
        let source = match object.as_deref() {
            Some(Object::EventSource(source)) => source.as_str(),
            Some(Object::ClassicLog(log)) if !log.is_backup() => log.name(),
            _ => {
                return Err(invalid_handle(
                    "an event source or event log handle was expected",
                ))
            }
        };
        super::service::engine().report_event(
            source,
            ClassicReport {
                event_type: ReportType::from_u16_lossy(event_type),
                category,
                event_id,
                user_sid,
                strings: strings.to_vec(),
                data: raw_data.to_vec(),
            },
        )?;
        Ok(())
    })())
}

/// A file argument: relative paths are the caller's, resolved against the current
/// directory as Windows resolves them before calling the service.
fn file_path(path: &str) -> Outcome<String> {
    let path = std::path::Path::new(path);
    if path.is_absolute() {
        return Ok(path.to_string_lossy().into_owned());
    }
    let cwd = std::env::current_dir().map_err(|e| Fail::Error(Error::from(e)))?;
    Ok(cwd.join(path).to_string_lossy().into_owned())
}

/// OpenEventLogW: the log `source_name` (a registered source's log; any other name opens
/// Application). The name is checked before the server (87, then 1722), as on Windows.
pub fn OpenEventLogW(server: Option<&str>, source_name: Option<&str>) -> EVT_HANDLE {
    opened((|| {
        let name = source_name.ok_or_else(|| invalid_parameter("lpSourceName is NULL"))?;
        check_server(server)?;
        Ok(Object::ClassicLog(
            super::service::engine().open_event_log(name)?,
        ))
    })())
}

/// OpenBackupEventLogW: the events of the .evtx file `file_name` (relative to the current
/// directory if relative). 87 for NULL (before the server is checked), 2 for a missing
/// file, ERROR_EVENTLOG_FILE_CORRUPT (1500) for a file that is not an event log.
pub fn OpenBackupEventLogW(server: Option<&str>, file_name: Option<&str>) -> EVT_HANDLE {
    opened((|| {
        let path = file_name.ok_or_else(|| invalid_parameter("lpFileName is NULL"))?;
        check_server(server)?;
        let path = file_path(path)?;
        match super::service::engine().open_backup_event_log(&path) {
            Ok(log) => Ok(Object::ClassicLog(log)),
            Err(e) if matches!(e.kind(), ErrorKind::FileCorrupt | ErrorKind::InvalidData) => {
                Err(Fail::Code(ERROR_EVENTLOG_FILE_CORRUPT))
            }
            Err(e) => Err(Fail::Error(e)),
        }
    })())
}

/// CloseEventLog.
pub fn CloseEventLog(event_log: EVT_HANDLE) -> BOOL {
    close_kind(
        event_log,
        |o| matches!(o, Object::ClassicLog(_)),
        "an event log",
    )
}

/// Runs `f` on the classic log `handle` names.
fn with_log<T>(handle: EVT_HANDLE, f: impl FnOnce(&ClassicLog) -> Outcome<T>) -> Outcome<T> {
    match handles::get(handle).as_deref() {
        Some(Object::ClassicLog(log)) => f(log),
        _ => Err(invalid_handle("an event log handle was expected")),
    }
}

/// ReadEventLogW: whole EVENTLOGRECORDs (UTF-16 strings) into `buffer`.
pub fn ReadEventLogW(
    event_log: EVT_HANDLE,
    read_flags: u32,
    record_offset: u32,
    buffer: &mut [u8],
    bytes_read: &mut u32,
    min_bytes_needed: &mut u32,
) -> BOOL {
    read(
        event_log,
        read_flags,
        record_offset,
        buffer,
        bytes_read,
        min_bytes_needed,
        true,
    )
}

/// ReadEventLogA: ReadEventLogW with the strings as bytes of the process's code page
/// (UTF-8 here).
pub fn ReadEventLogA(
    event_log: EVT_HANDLE,
    read_flags: u32,
    record_offset: u32,
    buffer: &mut [u8],
    bytes_read: &mut u32,
    min_bytes_needed: &mut u32,
) -> BOOL {
    read(
        event_log,
        read_flags,
        record_offset,
        buffer,
        bytes_read,
        min_bytes_needed,
        false,
    )
}

/// `bytes_read` and `min_bytes_needed` change only on success (the bytes, 0) and on 122
/// (0, the size), as Windows leaves them otherwise.
fn read(
    event_log: EVT_HANDLE,
    read_flags: u32,
    record_offset: u32,
    buffer: &mut [u8],
    bytes_read: &mut u32,
    min_bytes_needed: &mut u32,
    wide: bool,
) -> BOOL {
    status::boolean(with_log(event_log, |log| {
        match log.read(read_flags, record_offset, buffer.len(), wide)? {
            ReadOutcome::Records(records) => {
                buffer[..records.len()].copy_from_slice(&records);
                *bytes_read = records.len() as u32;
                *min_bytes_needed = 0;
                Ok(())
            }
            ReadOutcome::TooSmall { needed } => {
                *bytes_read = 0;
                *min_bytes_needed = needed;
                Err(Fail::Code(ERROR_INSUFFICIENT_BUFFER))
            }
            ReadOutcome::End => Err(Fail::Code(ERROR_HANDLE_EOF)),
        }
    }))
}

/// GetNumberOfEventLogRecords.
pub fn GetNumberOfEventLogRecords(event_log: EVT_HANDLE, number: &mut u32) -> BOOL {
    status::boolean(with_log(event_log, |log| {
        *number = log.number_of_records();
        Ok(())
    }))
}

/// GetOldestEventLogRecord (0 for an empty log).
pub fn GetOldestEventLogRecord(event_log: EVT_HANDLE, oldest: &mut u32) -> BOOL {
    status::boolean(with_log(event_log, |log| {
        *oldest = log.oldest_record();
        Ok(())
    }))
}

/// A backup target that exists is ERROR_ALREADY_EXISTS for the classic functions.
fn already_exists(e: Error) -> Fail {
    if e.kind() == ErrorKind::FileExists {
        Fail::Code(ERROR_ALREADY_EXISTS)
    } else {
        Fail::Error(e)
    }
}

/// ClearEventLogW: clears the log, after backing it up to `backup_file` if given
/// (relative to the current directory if relative); 6 for a backup's handle.
pub fn ClearEventLogW(event_log: EVT_HANDLE, backup_file: Option<&str>) -> BOOL {
    status::boolean(with_log(event_log, |log| {
        let backup = backup_file.map(file_path).transpose()?;
        log.clear(backup.as_deref()).map_err(already_exists)
    }))
}

/// BackupEventLogW: the log's records to the .evtx file `backup_file` (relative to the
/// current directory if relative); 87 if NULL, checked before the handle, as on Windows.
pub fn BackupEventLogW(event_log: EVT_HANDLE, backup_file: Option<&str>) -> BOOL {
    status::boolean((|| {
        let path = backup_file.ok_or_else(|| invalid_parameter("lpBackupFileName is NULL"))?;
        with_log(event_log, |log| {
            log.backup(&file_path(path)?).map_err(already_exists)
        })
    })())
}

/// GetEventLogInformation(EVENTLOG_FULL_INFO): EVENTLOG_FULL_INFORMATION's dwFull (a
/// DWORD) into `buffer`, its size (4) in `bytes_needed`. Checked in Windows' order (Wine's
/// tests, run on Windows): the level (124), the handle (6), NULL pointers
/// (RPC_X_NULL_REF_POINTER 1780), then the size (122 with 4 needed, the buffer untouched).
pub fn GetEventLogInformation(
    event_log: EVT_HANDLE,
    info_level: u32,
    buffer: Option<&mut [u8]>,
    bytes_needed: Option<&mut u32>,
) -> BOOL {
    status::boolean((|| {
        if info_level != EVENTLOG_FULL_INFO {
            return Err(Fail::Code(ERROR_INVALID_LEVEL));
        }
        with_log(event_log, |log| {
            let (Some(buffer), Some(needed)) = (buffer, bytes_needed) else {
                return Err(Fail::Code(RPC_X_NULL_REF_POINTER));
            };
            *needed = 4;
            let Some(out) = buffer.get_mut(..4) else {
                return Err(Fail::Code(ERROR_INSUFFICIENT_BUFFER));
            };
            out.copy_from_slice(&u32::from(log.is_full()).to_le_bytes());
            Ok(())
        })
    })())
}

/// NotifyChangeEventLog: the event object `event` (CreateEvent) is set by every write to
/// the log until the log's handle closes.
pub fn NotifyChangeEventLog(event_log: EVT_HANDLE, event: EVT_HANDLE) -> BOOL {
    status::boolean((|| -> Outcome {
        let signal: SignalEvent = match handles::get(event).as_deref() {
            Some(Object::Signal { signal, .. }) => signal.clone(),
            _ => {
                return Err(invalid_handle(
                    "hEvent: an event object handle was expected",
                ))
            }
        };
        with_log(event_log, |log| Ok(log.notify_change(signal)?))
    })())
}
