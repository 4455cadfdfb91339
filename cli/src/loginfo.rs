//! `gli` (get-loginfo): a channel's or a log file's properties (EvtOpenLog +
//! EvtGetLogInfo, `Session::log_info`) in wevtutil's layout:
//!
//! ```text
//! creationTime: 2016-11-28T06:01:37.986Z
//! lastAccessTime: 2016-11-28T06:01:37.986Z
//! lastWriteTime: 2017-08-08T08:01:20.979Z
//! fileSize: 1118208
//! attributes: 32
//! numberOfLogRecords: 1228
//! oldestRecordNumber: 1
//! ```
//!
//! Times are UTC to the millisecond with a `Z`; a time the log does not have (a channel in
//! memory) prints an empty value. EvtLogFull is not printed: wevtutil prints these seven.

use std::io::Write;

use evtlog::{Engine, FileTime, LogInfo};

use crate::args::Args;
use crate::{io_failure, remote, Failure};

/// `2016-11-28T06:01:37.986Z`, or nothing for a time the log lacks.
fn time(t: Option<FileTime>) -> String {
    t.map(|t| {
        let (y, mo, d, h, mi, s, ticks) = t.to_utc();
        format!(
            "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{:03}Z",
            ticks / 10_000
        )
    })
    .unwrap_or_default()
}

/// The seven lines wevtutil prints.
pub fn write_info(info: &LogInfo, out: &mut impl Write) -> std::io::Result<()> {
    writeln!(out, "creationTime: {}", time(info.creation_time))?;
    writeln!(out, "lastAccessTime: {}", time(info.last_access_time))?;
    writeln!(out, "lastWriteTime: {}", time(info.last_write_time))?;
    writeln!(out, "fileSize: {}", info.file_size)?;
    writeln!(out, "attributes: {}", info.attributes)?;
    writeln!(out, "numberOfLogRecords: {}", info.number_of_log_records)?;
    writeln!(out, "oldestRecordNumber: {}", info.oldest_record_number)
}

/// `gli NAME [/lf:true]`.
pub fn get_log_info(engine: &Engine, args: &Args, out: &mut impl Write) -> Result<(), Failure> {
    let [name] = args.positional.as_slice() else {
        return Err(Failure::Usage(
            "gli takes one channel name (or, with /lf:true, one log file)".into(),
        ));
    };
    let file = args.flag("logfile")?;
    let path = if file {
        // Windows takes absolute paths only; a user at a terminal means the current
        // directory.
        crate::absolute(name, "read log information")?
    } else {
        name.clone()
    };
    let info = engine
        .default_session()
        .log_info(&path, file)
        .map_err(|e| remote::failed("read log information", &e))?;
    write_info(&info, out).map_err(io_failure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_wevtutils() {
        let info = LogInfo {
            creation_time: FileTime::parse("2016-11-28T06:01:37.9861234Z"),
            last_access_time: None,
            last_write_time: FileTime::parse("2017-08-08T08:01:20.979Z"),
            file_size: 1118208,
            attributes: 32,
            number_of_log_records: 1228,
            oldest_record_number: 1,
            full: false,
        };
        let mut out = Vec::new();
        write_info(&info, &mut out).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "creationTime: 2016-11-28T06:01:37.986Z\nlastAccessTime: \n\
             lastWriteTime: 2017-08-08T08:01:20.979Z\nfileSize: 1118208\nattributes: 32\n\
             numberOfLogRecords: 1228\noldestRecordNumber: 1\n"
        );
    }
}
