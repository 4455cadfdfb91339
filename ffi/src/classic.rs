//! advapi32's classic Event Logging functions with windows-sys's signatures
//! (`Win32::System::EventLog`): event sources (RegisterEventSourceW/A, ReportEventW/A,
//! DeregisterEventSource) and the classic read API (OpenEventLogW/A, ReadEventLogW/A,
//! GetNumberOfEventLogRecords, GetOldestEventLogRecord, ClearEventLogW/A,
//! BackupEventLogW/A, OpenBackupEventLogW/A, GetEventLogInformation, NotifyChangeEventLog,
//! CloseEventLog), and the engine control `evtlog_register_event_source`.
//!
//! A HANDLE here is the facade's handle value as a pointer (windows-sys 0.59: `*mut
//! c_void`). ANSI strings (the A functions) are read and written as UTF-8, the code page of
//! the process on Linux.
//!
//! The EventLog module's types (EVENTLOGRECORD, the flags) are in `types.rs`; the three
//! EVENTLOG_* read constants below are windows-sys's `Win32::System::SystemServices` ones
//! (same names and values), which that module does not hold.

use std::ffi::c_void;

use crate::abi::{bytes_out, guard, out, strings_in, wide_in};
use crate::types::{
    BOOL, HANDLE, PCSTR, PCWSTR, PSID, READ_EVENT_LOG_READ_FLAGS, REPORT_EVENT_TYPE,
};
use evtlog::winevt::{self as w, FALSE};
use evtlog::Sid;

/// windows-sys has these in `Win32::System::SystemServices`.
pub const EVENTLOG_FORWARDS_READ: u32 = 4;
pub const EVENTLOG_BACKWARDS_READ: u32 = 8;
pub const EVENTLOG_FULL_INFO: u32 = 0;

const INVALID_PARAMETER: u32 = 87;
/// The longest ANSI string argument read, in bytes.
const MAX_ANSI: usize = 1024 * 1024;

fn fail<T>(code: u32, value: T) -> T {
    w::SetLastError(code);
    value
}

fn handle_in(h: HANDLE) -> isize {
    h as isize
}

fn handle_out(h: isize) -> HANDLE {
    h as HANDLE
}

/// A NUL-terminated ANSI (UTF-8) argument, copied out: `Ok(None)` for NULL, `Err` with no
/// NUL within `MAX_ANSI` bytes. Invalid UTF-8 becomes U+FFFD, as no code page conversion
/// fails on Windows.
///
/// # Safety
/// `p` is NULL, or points to bytes readable (and not written by anyone) up to and
/// including the first NUL, or up to `MAX_ANSI + 1` bytes if that comes first.
unsafe fn ansi_in(p: PCSTR) -> Result<Option<String>, ()> {
    if p.is_null() {
        return Ok(None);
    }
    let mut len = 0;
    // SAFETY: `p` is readable up to its NUL or MAX_ANSI + 1 bytes (this function's
    // contract); the loop stops at either.
    while unsafe { *p.add(len) } != 0 {
        len += 1;
        if len > MAX_ANSI {
            return Err(());
        }
    }
    // SAFETY: the `len` bytes before the NUL were just read; the slice lives only until
    // the copy below.
    let bytes = unsafe { std::slice::from_raw_parts(p, len) };
    Ok(Some(String::from_utf8_lossy(bytes).into_owned()))
}

/// `count` ANSI strings, copied out (`None`: NULL with a count, or a NULL or bad string).
///
/// # Safety
/// With a non-zero `count`, `p` is NULL or points to `count` readable string pointers,
/// each of which satisfies [`ansi_in`]'s contract.
unsafe fn ansi_strings_in(p: *const PCSTR, count: u16) -> Option<Vec<String>> {
    if count == 0 {
        return Some(Vec::new());
    }
    if p.is_null() {
        return None;
    }
    // SAFETY: `p` points to `count` readable pointers (this function's contract).
    let pointers = unsafe { std::slice::from_raw_parts(p, usize::from(count)) };
    pointers
        .iter()
        // SAFETY: each pointer satisfies ansi_in's contract (this function's contract).
        .map(|&s| unsafe { ansi_in(s) }.ok().flatten())
        .collect()
}

/// A SID argument, copied out (`Ok(None)`: NULL; `Err`: not a valid SID).
///
/// # Safety
/// `p` is NULL or points to a SID: readable for its 8-byte header and the 4 bytes of each
/// sub-authority its second byte counts.
unsafe fn sid_in(p: PSID) -> Result<Option<Sid>, ()> {
    if p.is_null() {
        return Ok(None);
    }
    let p = p as *const u8;
    // SAFETY: a SID starts with its revision and sub-authority count, readable (this
    // function's contract).
    let subs = usize::from(unsafe { *p.add(1) });
    if subs > 15 {
        return Err(());
    }
    // SAFETY: 8 bytes of header and 4 per sub-authority (at most 15, checked above),
    // readable (this function's contract).
    let bytes = unsafe { std::slice::from_raw_parts(p, 8 + 4 * subs) };
    Sid::from_bytes(bytes).map(Some).ok_or(())
}

/// Reads a string argument or fails the call with 87.
macro_rules! string_arg {
    ($read:expr, $fail:expr) => {
        match $read {
            Ok(s) => s,
            Err(()) => return fail(INVALID_PARAMETER, $fail),
        }
    };
}

/// RegisterEventSourceW.
///
/// # Safety
/// Both strings are NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn RegisterEventSourceW(
    lpuncservername: PCWSTR,
    lpsourcename: PCWSTR,
) -> HANDLE {
    guard(std::ptr::null_mut(), || {
        // SAFETY: `lpuncservername` is NULL or NUL-terminated UTF-16 (this export's contract).
        let server = string_arg!(unsafe { wide_in(lpuncservername) }, std::ptr::null_mut());
        // SAFETY: `lpsourcename` is NULL or NUL-terminated UTF-16 (this export's contract).
        let source = string_arg!(unsafe { wide_in(lpsourcename) }, std::ptr::null_mut());
        handle_out(w::RegisterEventSourceW(
            server.as_deref(),
            source.as_deref(),
        ))
    })
}

/// RegisterEventSourceA.
///
/// # Safety
/// Both strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "system" fn RegisterEventSourceA(
    lpuncservername: PCSTR,
    lpsourcename: PCSTR,
) -> HANDLE {
    guard(std::ptr::null_mut(), || {
        // SAFETY: `lpuncservername` is NULL or NUL-terminated (this export's contract).
        let server = string_arg!(unsafe { ansi_in(lpuncservername) }, std::ptr::null_mut());
        // SAFETY: `lpsourcename` is NULL or NUL-terminated (this export's contract).
        let source = string_arg!(unsafe { ansi_in(lpsourcename) }, std::ptr::null_mut());
        handle_out(w::RegisterEventSourceW(
            server.as_deref(),
            source.as_deref(),
        ))
    })
}

/// DeregisterEventSource.
///
/// # Safety
/// No pointer is dereferenced: a handle is looked up in the table; `unsafe` as windows-sys
/// declares every advapi32 function.
#[no_mangle]
pub unsafe extern "system" fn DeregisterEventSource(heventlog: HANDLE) -> BOOL {
    guard(FALSE, || w::DeregisterEventSource(handle_in(heventlog)))
}

/// The common part of ReportEventW/A once the strings are read.
///
/// # Safety
/// `lpusersid` is NULL or a valid SID (as [`sid_in`]); `lprawdata` is readable for
/// `dwdatasize` bytes when `dwdatasize` is not 0 and it is not NULL.
#[allow(clippy::too_many_arguments)] // Windows' arguments, passed on
unsafe fn report(
    heventlog: HANDLE,
    wtype: REPORT_EVENT_TYPE,
    wcategory: u16,
    dweventid: u32,
    lpusersid: PSID,
    strings: Option<Vec<String>>,
    dwdatasize: u32,
    lprawdata: *const c_void,
) -> BOOL {
    let Some(strings) = strings else {
        return fail(INVALID_PARAMETER, FALSE);
    };
    // SAFETY: `lpusersid` is NULL or a valid SID (this function's contract).
    let sid = string_arg!(unsafe { sid_in(lpusersid) }, FALSE);
    let data: &[u8] = match (dwdatasize, lprawdata.is_null()) {
        (0, _) => &[],
        (_, true) => return fail(INVALID_PARAMETER, FALSE),
        // SAFETY: `lprawdata` is readable for `dwdatasize` bytes (this function's
        // contract); the slice is copied before the function returns.
        (n, false) => unsafe { std::slice::from_raw_parts(lprawdata as *const u8, n as usize) },
    };
    w::ReportEventW(
        handle_in(heventlog),
        wtype,
        wcategory,
        dweventid,
        sid,
        &strings,
        data,
    )
}

/// ReportEventW.
///
/// # Safety
/// `lpusersid` is NULL or a valid SID; `lpstrings` holds `wnumstrings` NUL-terminated
/// UTF-16 strings; `lprawdata` holds `dwdatasize` bytes.
#[no_mangle]
#[allow(clippy::too_many_arguments)] // Windows' signature
pub unsafe extern "system" fn ReportEventW(
    heventlog: HANDLE,
    wtype: REPORT_EVENT_TYPE,
    wcategory: u16,
    dweventid: u32,
    lpusersid: PSID,
    wnumstrings: u16,
    dwdatasize: u32,
    lpstrings: *const PCWSTR,
    lprawdata: *const c_void,
) -> BOOL {
    guard(FALSE, || {
        // SAFETY: `lpstrings` holds `wnumstrings` strings, `lpusersid` is NULL or a SID and
        // `lprawdata` holds `dwdatasize` bytes (this export's contract).
        unsafe {
            let strings = strings_in(lpstrings, u32::from(wnumstrings));
            report(
                heventlog, wtype, wcategory, dweventid, lpusersid, strings, dwdatasize, lprawdata,
            )
        }
    })
}

/// ReportEventA.
///
/// # Safety
/// As ReportEventW, with NUL-terminated byte strings.
#[no_mangle]
#[allow(clippy::too_many_arguments)] // Windows' signature
pub unsafe extern "system" fn ReportEventA(
    heventlog: HANDLE,
    wtype: REPORT_EVENT_TYPE,
    wcategory: u16,
    dweventid: u32,
    lpusersid: PSID,
    wnumstrings: u16,
    dwdatasize: u32,
    lpstrings: *const PCSTR,
    lprawdata: *const c_void,
) -> BOOL {
    guard(FALSE, || {
        // SAFETY: `lpstrings` holds `wnumstrings` strings, `lpusersid` is NULL or a SID and
        // `lprawdata` holds `dwdatasize` bytes (this export's contract).
        unsafe {
            let strings = ansi_strings_in(lpstrings, wnumstrings);
            report(
                heventlog, wtype, wcategory, dweventid, lpusersid, strings, dwdatasize, lprawdata,
            )
        }
    })
}

/// OpenEventLogW.
///
/// # Safety
/// Both strings are NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn OpenEventLogW(
    lpuncservername: PCWSTR,
    lpsourcename: PCWSTR,
) -> HANDLE {
    guard(std::ptr::null_mut(), || {
        // SAFETY: `lpuncservername` is NULL or NUL-terminated UTF-16 (this export's contract).
        let server = string_arg!(unsafe { wide_in(lpuncservername) }, std::ptr::null_mut());
        // SAFETY: `lpsourcename` is NULL or NUL-terminated UTF-16 (this export's contract).
        let source = string_arg!(unsafe { wide_in(lpsourcename) }, std::ptr::null_mut());
        handle_out(w::OpenEventLogW(server.as_deref(), source.as_deref()))
    })
}

/// OpenEventLogA.
///
/// # Safety
/// Both strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "system" fn OpenEventLogA(lpuncservername: PCSTR, lpsourcename: PCSTR) -> HANDLE {
    guard(std::ptr::null_mut(), || {
        // SAFETY: `lpuncservername` is NULL or NUL-terminated (this export's contract).
        let server = string_arg!(unsafe { ansi_in(lpuncservername) }, std::ptr::null_mut());
        // SAFETY: `lpsourcename` is NULL or NUL-terminated (this export's contract).
        let source = string_arg!(unsafe { ansi_in(lpsourcename) }, std::ptr::null_mut());
        handle_out(w::OpenEventLogW(server.as_deref(), source.as_deref()))
    })
}

/// OpenBackupEventLogW.
///
/// # Safety
/// Both strings are NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn OpenBackupEventLogW(
    lpuncservername: PCWSTR,
    lpfilename: PCWSTR,
) -> HANDLE {
    guard(std::ptr::null_mut(), || {
        // SAFETY: `lpuncservername` is NULL or NUL-terminated UTF-16 (this export's contract).
        let server = string_arg!(unsafe { wide_in(lpuncservername) }, std::ptr::null_mut());
        // SAFETY: `lpfilename` is NULL or NUL-terminated UTF-16 (this export's contract).
        let file = string_arg!(unsafe { wide_in(lpfilename) }, std::ptr::null_mut());
        handle_out(w::OpenBackupEventLogW(server.as_deref(), file.as_deref()))
    })
}

/// OpenBackupEventLogA.
///
/// # Safety
/// Both strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "system" fn OpenBackupEventLogA(
    lpuncservername: PCSTR,
    lpfilename: PCSTR,
) -> HANDLE {
    guard(std::ptr::null_mut(), || {
        // SAFETY: `lpuncservername` is NULL or NUL-terminated (this export's contract).
        let server = string_arg!(unsafe { ansi_in(lpuncservername) }, std::ptr::null_mut());
        // SAFETY: `lpfilename` is NULL or NUL-terminated (this export's contract).
        let file = string_arg!(unsafe { ansi_in(lpfilename) }, std::ptr::null_mut());
        handle_out(w::OpenBackupEventLogW(server.as_deref(), file.as_deref()))
    })
}

/// CloseEventLog.
///
/// # Safety
/// No pointer is dereferenced: a handle is looked up in the table; `unsafe` as windows-sys
/// declares every advapi32 function.
#[no_mangle]
pub unsafe extern "system" fn CloseEventLog(heventlog: HANDLE) -> BOOL {
    guard(FALSE, || w::CloseEventLog(handle_in(heventlog)))
}

/// ReadEventLogW/A's common part.
///
/// # Safety
/// `pnbytesread` and `pnminnumberofbytesneeded` are NULL or valid, and `lpbuffer` is NULL
/// or valid for `nnumberofbytestoread` bytes, for the call.
#[allow(clippy::too_many_arguments)] // Windows' arguments, passed on
unsafe fn read_call(
    heventlog: HANDLE,
    dwreadflags: READ_EVENT_LOG_READ_FLAGS,
    dwrecordoffset: u32,
    lpbuffer: *mut c_void,
    nnumberofbytestoread: u32,
    pnbytesread: *mut u32,
    pnminnumberofbytesneeded: *mut u32,
    wide: bool,
) -> BOOL {
    // SAFETY: both are NULL or valid for the call (this function's contract).
    let (Some(read), Some(needed)) = (unsafe { (out(pnbytesread), out(pnminnumberofbytesneeded)) })
    else {
        return fail(INVALID_PARAMETER, FALSE);
    };
    // "This parameter cannot be NULL, even if the nNumberOfBytesToRead parameter is zero."
    if lpbuffer.is_null() {
        return fail(INVALID_PARAMETER, FALSE);
    }
    // SAFETY: `lpbuffer` is valid for `nnumberofbytestoread` bytes (this function's
    // contract).
    let Some(buffer) = (unsafe { bytes_out(lpbuffer as *mut u8, nnumberofbytestoread) }) else {
        return fail(INVALID_PARAMETER, FALSE);
    };
    let h = handle_in(heventlog);
    if wide {
        w::ReadEventLogW(h, dwreadflags, dwrecordoffset, buffer, read, needed)
    } else {
        w::ReadEventLogA(h, dwreadflags, dwrecordoffset, buffer, read, needed)
    }
}

/// ReadEventLogW.
///
/// # Safety
/// `lpbuffer` holds `nnumberofbytestoread` writable bytes; the out-parameters are NULL or
/// valid.
#[no_mangle]
pub unsafe extern "system" fn ReadEventLogW(
    heventlog: HANDLE,
    dwreadflags: READ_EVENT_LOG_READ_FLAGS,
    dwrecordoffset: u32,
    lpbuffer: *mut c_void,
    nnumberofbytestoread: u32,
    pnbytesread: *mut u32,
    pnminnumberofbytesneeded: *mut u32,
) -> BOOL {
    guard(FALSE, || {
        // SAFETY: the buffer and the out-parameters are as this export's contract says.
        unsafe {
            read_call(
                heventlog,
                dwreadflags,
                dwrecordoffset,
                lpbuffer,
                nnumberofbytestoread,
                pnbytesread,
                pnminnumberofbytesneeded,
                true,
            )
        }
    })
}

/// ReadEventLogA (the record's strings as UTF-8).
///
/// # Safety
/// As ReadEventLogW.
#[no_mangle]
pub unsafe extern "system" fn ReadEventLogA(
    heventlog: HANDLE,
    dwreadflags: READ_EVENT_LOG_READ_FLAGS,
    dwrecordoffset: u32,
    lpbuffer: *mut c_void,
    nnumberofbytestoread: u32,
    pnbytesread: *mut u32,
    pnminnumberofbytesneeded: *mut u32,
) -> BOOL {
    guard(FALSE, || {
        // SAFETY: the buffer and the out-parameters are as this export's contract says.
        unsafe {
            read_call(
                heventlog,
                dwreadflags,
                dwrecordoffset,
                lpbuffer,
                nnumberofbytestoread,
                pnbytesread,
                pnminnumberofbytesneeded,
                false,
            )
        }
    })
}

/// GetNumberOfEventLogRecords.
///
/// # Safety
/// `numberofrecords` is NULL or valid.
#[no_mangle]
pub unsafe extern "system" fn GetNumberOfEventLogRecords(
    heventlog: HANDLE,
    numberofrecords: *mut u32,
) -> BOOL {
    // SAFETY: `numberofrecords` is NULL or valid (this export's contract).
    guard(FALSE, || match unsafe { out(numberofrecords) } {
        Some(n) => w::GetNumberOfEventLogRecords(handle_in(heventlog), n),
        None => fail(INVALID_PARAMETER, FALSE),
    })
}

/// GetOldestEventLogRecord.
///
/// # Safety
/// `oldestrecord` is NULL or valid.
#[no_mangle]
pub unsafe extern "system" fn GetOldestEventLogRecord(
    heventlog: HANDLE,
    oldestrecord: *mut u32,
) -> BOOL {
    // SAFETY: `oldestrecord` is NULL or valid (this export's contract).
    guard(FALSE, || match unsafe { out(oldestrecord) } {
        Some(n) => w::GetOldestEventLogRecord(handle_in(heventlog), n),
        None => fail(INVALID_PARAMETER, FALSE),
    })
}

/// ClearEventLogW.
///
/// # Safety
/// `lpbackupfilename` is NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn ClearEventLogW(heventlog: HANDLE, lpbackupfilename: PCWSTR) -> BOOL {
    guard(FALSE, || {
        // SAFETY: `lpbackupfilename` is NULL or NUL-terminated UTF-16 (this export's contract).
        let backup = string_arg!(unsafe { wide_in(lpbackupfilename) }, FALSE);
        w::ClearEventLogW(handle_in(heventlog), backup.as_deref())
    })
}

/// ClearEventLogA.
///
/// # Safety
/// `lpbackupfilename` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "system" fn ClearEventLogA(heventlog: HANDLE, lpbackupfilename: PCSTR) -> BOOL {
    guard(FALSE, || {
        // SAFETY: `lpbackupfilename` is NULL or NUL-terminated (this export's contract).
        let backup = string_arg!(unsafe { ansi_in(lpbackupfilename) }, FALSE);
        w::ClearEventLogW(handle_in(heventlog), backup.as_deref())
    })
}

/// BackupEventLogW.
///
/// # Safety
/// `lpbackupfilename` is NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn BackupEventLogW(heventlog: HANDLE, lpbackupfilename: PCWSTR) -> BOOL {
    guard(FALSE, || {
        // SAFETY: `lpbackupfilename` is NULL or NUL-terminated UTF-16 (this export's contract).
        let backup = string_arg!(unsafe { wide_in(lpbackupfilename) }, FALSE);
        w::BackupEventLogW(handle_in(heventlog), backup.as_deref())
    })
}

/// BackupEventLogA.
///
/// # Safety
/// `lpbackupfilename` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "system" fn BackupEventLogA(heventlog: HANDLE, lpbackupfilename: PCSTR) -> BOOL {
    guard(FALSE, || {
        // SAFETY: `lpbackupfilename` is NULL or NUL-terminated (this export's contract).
        let backup = string_arg!(unsafe { ansi_in(lpbackupfilename) }, FALSE);
        w::BackupEventLogW(handle_in(heventlog), backup.as_deref())
    })
}

/// GetEventLogInformation (EVENTLOG_FULL_INFO).
///
/// # Safety
/// `lpbuffer` holds `cbbufsize` writable bytes; `pcbbytesneeded` is NULL or valid.
#[no_mangle]
pub unsafe extern "system" fn GetEventLogInformation(
    heventlog: HANDLE,
    dwinfolevel: u32,
    lpbuffer: *mut c_void,
    cbbufsize: u32,
    pcbbytesneeded: *mut u32,
) -> BOOL {
    guard(FALSE, || {
        // NULL pointers are the facade's to report (after the level and the handle).
        // SAFETY: `pcbbytesneeded` is NULL or valid (this export's contract).
        let needed = unsafe { out(pcbbytesneeded) };
        let buffer = if lpbuffer.is_null() {
            None
        } else {
            // SAFETY: `lpbuffer` holds `cbbufsize` writable bytes (this export's contract).
            match unsafe { bytes_out(lpbuffer as *mut u8, cbbufsize) } {
                Some(b) => Some(b),
                None => return fail(INVALID_PARAMETER, FALSE),
            }
        };
        w::GetEventLogInformation(handle_in(heventlog), dwinfolevel, buffer, needed)
    })
}

/// NotifyChangeEventLog (`hevent` from CreateEventW).
///
/// # Safety
/// No pointer is dereferenced: a handle is looked up in the table; `unsafe` as windows-sys
/// declares every advapi32 function.
#[no_mangle]
pub unsafe extern "system" fn NotifyChangeEventLog(heventlog: HANDLE, hevent: HANDLE) -> BOOL {
    guard(FALSE, || {
        w::NotifyChangeEventLog(handle_in(heventlog), handle_in(hevent))
    })
}

/// Engine control: registers the classic event source `source` of `log` (creating the
/// log if it does not exist), as an installer's registry write does on Windows.
///
/// # Safety
/// Every string is NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn evtlog_register_event_source(
    log: PCWSTR,
    source: PCWSTR,
    event_message_file: PCWSTR,
    category_message_file: PCWSTR,
    category_count: u32,
    parameter_message_file: PCWSTR,
) -> BOOL {
    guard(FALSE, || {
        // SAFETY: `log` is NULL or NUL-terminated UTF-16 (this export's contract).
        let log = string_arg!(unsafe { wide_in(log) }, FALSE);
        // SAFETY: `source` is NULL or NUL-terminated UTF-16 (this export's contract).
        let source = string_arg!(unsafe { wide_in(source) }, FALSE);
        // SAFETY: `event_message_file` is NULL or NUL-terminated UTF-16 (this export's contract).
        let emf = string_arg!(unsafe { wide_in(event_message_file) }, FALSE);
        // SAFETY: `category_message_file` is NULL or NUL-terminated UTF-16 (this export's contract).
        let cmf = string_arg!(unsafe { wide_in(category_message_file) }, FALSE);
        // SAFETY: `parameter_message_file` is NULL or NUL-terminated UTF-16 (this export's contract).
        let pmf = string_arg!(unsafe { wide_in(parameter_message_file) }, FALSE);
        let (Some(log), Some(source)) = (log, source) else {
            return fail(INVALID_PARAMETER, FALSE);
        };
        w::controls::register_event_source(
            &log,
            &source,
            emf.as_deref(),
            cmf.as_deref(),
            category_count,
            pmf.as_deref(),
        )
    })
}

#[cfg(test)]
#[path = "classic_tests.rs"]
mod tests;
