//! EvtOpenLog + EvtGetLogInfo's engine side: the properties of a channel or of an .evtx
//! file ([`LogInfo`], EVT_LOG_PROPERTY_ID's eight), read once, for the facade (one property
//! per call) and for `wevtutil gli` (all of them).
//!
//! Invariants:
//! 1. A channel's record count and oldest record id are its own (not its file's, which may
//!    lag); its times, size and attributes are its file's, and a channel in memory has no
//!    times, a size of a file of its records (a 4 KiB header and whole 64 KiB chunks) and
//!    FILE_ATTRIBUTE_ARCHIVE.
//! 2. A file's record count and oldest record id come from its chunk headers (no record is
//!    decoded); a chunk whose header says it holds none counts none. A file is never full.
//! 3. A log file path must be absolute (87) and name an existing file (2), as EvtOpenLog
//!    checks.

use std::path::{Path, PathBuf};

use super::{Channel, Session};
use crate::error::{Error, ErrorKind, Result};
use crate::event::{FileTime, Value};
use crate::evtx::EvtxFile;

/// FILE_ATTRIBUTE_READONLY, as GetFileAttributesEx reports it.
const FILE_ATTRIBUTE_READONLY: u32 = 0x1;
/// FILE_ATTRIBUTE_ARCHIVE, the attribute of every log file Windows writes.
const FILE_ATTRIBUTE_ARCHIVE: u32 = 0x20;

/// The eight EVT_LOG_PROPERTY_ID values of one log (see the module invariants).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogInfo {
    /// EvtLogCreationTime (`None`: a channel in memory, or a file system without it).
    pub creation_time: Option<FileTime>,
    /// EvtLogLastAccessTime.
    pub last_access_time: Option<FileTime>,
    /// EvtLogLastWriteTime.
    pub last_write_time: Option<FileTime>,
    /// EvtLogFileSize, in bytes.
    pub file_size: u64,
    /// EvtLogAttributes (FILE_ATTRIBUTE_*).
    pub attributes: u32,
    /// EvtLogNumberOfLogRecords.
    pub number_of_log_records: u64,
    /// EvtLogOldestRecordNumber (0 for an empty log).
    pub oldest_record_number: u64,
    /// EvtLogFull.
    pub full: bool,
}

impl LogInfo {
    /// A channel's properties (invariant 1).
    pub fn of_channel(channel: &Channel) -> Result<LogInfo> {
        let mut info = match channel.file_path() {
            Some(path) => file_meta(&path)?,
            None => LogInfo {
                file_size: 4096 + channel.total_bytes().div_ceil(65_024) * 65_536,
                attributes: FILE_ATTRIBUTE_ARCHIVE,
                ..LogInfo::default()
            },
        };
        info.number_of_log_records = channel.record_count();
        info.oldest_record_number = channel.oldest_record_id().unwrap_or(0);
        info.full = channel.is_full();
        Ok(info)
    }

    /// An .evtx file's properties (invariant 2).
    pub fn of_file(path: &Path) -> Result<LogInfo> {
        let mut info = file_meta(path)?;
        let (count, oldest) = EvtxFile::open(path)?.count_records()?;
        info.number_of_log_records = count;
        info.oldest_record_number = oldest;
        Ok(info)
    }

    /// The property `id` (EVT_LOG_PROPERTY_ID, 0 to 7) as its EVT_VARIANT type gives it;
    /// `None` for another id. A time the log does not have is `Value::Null`.
    pub fn value(&self, id: u32) -> Option<Value> {
        let time = |t: Option<FileTime>| t.map_or(Value::Null, Value::FileTime);
        Some(match id {
            0 => time(self.creation_time),
            1 => time(self.last_access_time),
            2 => time(self.last_write_time),
            3 => Value::UInt64(self.file_size),
            4 => Value::UInt32(self.attributes),
            5 => Value::UInt64(self.number_of_log_records),
            6 => Value::UInt64(self.oldest_record_number),
            7 => Value::Boolean(self.full),
            _ => return None,
        })
    }
}

impl Session {
    /// EvtOpenLog + EvtGetLogInfo in this session: the properties of the channel `path`, or
    /// with `file` of the .evtx file `path` (absolute). Errors: 15007 for an unknown
    /// channel, 5 for one the fault plan denies, 87 for a relative file path, 2 for a
    /// missing file, the reader's error for one that is not .evtx, 1722 while the service
    /// is stopped, 6 on a closed session.
    pub fn log_info(&self, path: &str, file: bool) -> Result<LogInfo> {
        self.check_open()?;
        self.engine.check_service()?;
        if file {
            return LogInfo::of_file(&existing_file(path)?);
        }
        let channel = self.engine.channel(path)?;
        self.engine.fault_plan().check_access(channel.name())?;
        LogInfo::of_channel(&channel)
    }
}

/// An absolute path that names an existing file (87 if relative, 2 if missing).
pub(crate) fn existing_file(path: &str) -> Result<PathBuf> {
    let path = Path::new(path);
    if !path.is_absolute() {
        return Err(Error::with_message(
            ErrorKind::InvalidParameter,
            format!("{}: a log file path must be absolute", path.display()),
        ));
    }
    if !path.is_file() {
        return Err(Error::with_message(
            ErrorKind::FileNotFound,
            format!("{}: no such log file", path.display()),
        ));
    }
    Ok(path.to_owned())
}

/// A file's times, size and attributes.
fn file_meta(path: &Path) -> Result<LogInfo> {
    let meta = std::fs::metadata(path)?;
    let time = |t: std::io::Result<std::time::SystemTime>| {
        t.ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .and_then(|d| FileTime::from_unix_nanos(d.as_nanos() as i128))
    };
    Ok(LogInfo {
        creation_time: time(meta.created().or_else(|_| meta.modified())),
        last_access_time: time(meta.accessed()),
        last_write_time: time(meta.modified()),
        file_size: meta.len(),
        attributes: if meta.permissions().readonly() {
            FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_ARCHIVE
        } else {
            FILE_ATTRIBUTE_ARCHIVE
        },
        ..LogInfo::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;
    use crate::gen::{Generator, Profile};
    use crate::test_support::evtx;

    #[test]
    fn a_channel_and_a_file_of_the_same_events_agree() {
        let engine = Engine::with_default_channels(std::sync::Arc::new(crate::SystemClock));
        let events = Generator::new(3).events(Profile::System, 200);
        for event in &events {
            engine.write("System", event.clone()).unwrap();
        }
        let session = engine.default_session();
        let channel = session.log_info("system", false).unwrap();
        assert_eq!(channel.number_of_log_records, 200);
        assert_eq!(channel.oldest_record_number, 1);
        assert_eq!(channel.attributes, FILE_ATTRIBUTE_ARCHIVE);
        assert_eq!(
            channel.creation_time, None,
            "a channel in memory has no file"
        );
        assert_eq!(channel.file_size % 65_536, 4096);
        assert!(!channel.full);

        let file = evtx::write("log-info", &evtx::generated(3, Profile::System, 200));
        let info = session.log_info(file.path(), true).unwrap();
        assert_eq!(info.number_of_log_records, 200);
        assert_eq!(info.oldest_record_number, 1);
        assert_eq!(
            info.file_size,
            std::fs::metadata(file.path()).unwrap().len()
        );
        assert!(info.last_write_time.is_some());
        assert_eq!(info.value(3), Some(Value::UInt64(info.file_size)));
        assert_eq!(info.value(7), Some(Value::Boolean(false)));
        assert_eq!(info.value(8), None);
    }

    #[test]
    fn errors_are_evtopenlogs() {
        let engine = Engine::with_default_channels(std::sync::Arc::new(crate::SystemClock));
        let session = engine.default_session();
        let code = |r: Result<LogInfo>| r.unwrap_err().win32_code();
        assert_eq!(code(session.log_info("NoSuchLog", false)), 15007);
        assert_eq!(code(session.log_info("relative.evtx", true)), 87);
        assert_eq!(code(session.log_info("/no/such/file.evtx", true)), 2);
        engine.stop_service();
        assert_eq!(code(session.log_info("System", false)), 1722);
    }
}
