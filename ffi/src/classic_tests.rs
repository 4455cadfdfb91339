//! The classic functions through the C ABI: windows-sys's signatures, and the A functions.

use super::*;
use crate::types::{EVENTLOGRECORD, EVENTLOG_AUDIT_FAILURE, EVENTLOG_SEQUENTIAL_READ};

/// Each function coerces to the pointer type windows-sys 0.59 links it with
/// (`Win32::System::EventLog`), so a call written for windows-sys compiles here.
#[test]
fn signatures_are_windows_sys() {
    let _: unsafe extern "system" fn(PCWSTR, PCWSTR) -> HANDLE = RegisterEventSourceW;
    let _: unsafe extern "system" fn(PCSTR, PCSTR) -> HANDLE = RegisterEventSourceA;
    let _: unsafe extern "system" fn(HANDLE) -> BOOL = DeregisterEventSource;
    let _: unsafe extern "system" fn(
        HANDLE,
        REPORT_EVENT_TYPE,
        u16,
        u32,
        PSID,
        u16,
        u32,
        *const PCWSTR,
        *const c_void,
    ) -> BOOL = ReportEventW;
    let _: unsafe extern "system" fn(
        HANDLE,
        REPORT_EVENT_TYPE,
        u16,
        u32,
        PSID,
        u16,
        u32,
        *const PCSTR,
        *const c_void,
    ) -> BOOL = ReportEventA;
    let _: unsafe extern "system" fn(PCWSTR, PCWSTR) -> HANDLE = OpenEventLogW;
    let _: unsafe extern "system" fn(PCSTR, PCSTR) -> HANDLE = OpenEventLogA;
    let _: unsafe extern "system" fn(PCWSTR, PCWSTR) -> HANDLE = OpenBackupEventLogW;
    let _: unsafe extern "system" fn(PCSTR, PCSTR) -> HANDLE = OpenBackupEventLogA;
    let _: unsafe extern "system" fn(HANDLE) -> BOOL = CloseEventLog;
    type Read = unsafe extern "system" fn(
        HANDLE,
        READ_EVENT_LOG_READ_FLAGS,
        u32,
        *mut c_void,
        u32,
        *mut u32,
        *mut u32,
    ) -> BOOL;
    let _: Read = ReadEventLogW;
    let _: Read = ReadEventLogA;
    let _: unsafe extern "system" fn(HANDLE, *mut u32) -> BOOL = GetNumberOfEventLogRecords;
    let _: unsafe extern "system" fn(HANDLE, *mut u32) -> BOOL = GetOldestEventLogRecord;
    let _: unsafe extern "system" fn(HANDLE, PCWSTR) -> BOOL = ClearEventLogW;
    let _: unsafe extern "system" fn(HANDLE, PCSTR) -> BOOL = ClearEventLogA;
    let _: unsafe extern "system" fn(HANDLE, PCWSTR) -> BOOL = BackupEventLogW;
    let _: unsafe extern "system" fn(HANDLE, PCSTR) -> BOOL = BackupEventLogA;
    let _: unsafe extern "system" fn(HANDLE, u32, *mut c_void, u32, *mut u32) -> BOOL =
        GetEventLogInformation;
    let _: unsafe extern "system" fn(HANDLE, HANDLE) -> BOOL = NotifyChangeEventLog;
    assert_eq!(std::mem::size_of::<EVENTLOGRECORD>(), 56);
}

#[test]
fn ansi_functions_report_and_read_utf8() {
    // A log of its own, so that other tests in this binary do not matter.
    let log = c"Ansi Test";
    let log_w: Vec<u16> = "Ansi Test\0".encode_utf16().collect();
    let source_w: Vec<u16> = "Ansi Source\0".encode_utf16().collect();
    // SAFETY: NUL-terminated strings, valid buffers and out-parameters for each call.
    unsafe {
        let n = std::ptr::null();
        assert_eq!(
            evtlog_register_event_source(log_w.as_ptr(), source_w.as_ptr(), n, n, 0, n),
            1
        );
        let source = RegisterEventSourceA(std::ptr::null(), c"Ansi Source".as_ptr() as PCSTR);
        assert!(!source.is_null());
        let strings = [c"caf\xc3\xa9".as_ptr() as PCSTR];
        let sid = [1u8, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0];
        assert_eq!(
            ReportEventA(
                source,
                EVENTLOG_AUDIT_FAILURE,
                0,
                5,
                sid.as_ptr() as PSID,
                1,
                0,
                strings.as_ptr(),
                std::ptr::null()
            ),
            1
        );
        let bad_sid = [1u8, 99, 0, 0, 0, 0, 0, 5];
        assert_eq!(
            ReportEventA(
                source,
                4,
                0,
                5,
                bad_sid.as_ptr() as PSID,
                0,
                0,
                std::ptr::null(),
                std::ptr::null()
            ),
            0
        );
        assert_eq!(w::GetLastError(), 87);
        let handle = OpenEventLogA(std::ptr::null(), log.as_ptr() as PCSTR);
        assert!(!handle.is_null());
        let mut buffer = [0u8; 512];
        let (mut read, mut needed) = (0u32, 0u32);
        assert_eq!(
            ReadEventLogA(
                handle,
                EVENTLOG_SEQUENTIAL_READ | EVENTLOG_FORWARDS_READ,
                0,
                buffer.as_mut_ptr() as *mut c_void,
                buffer.len() as u32,
                &mut read,
                &mut needed
            ),
            1
        );
        let record: EVENTLOGRECORD = std::ptr::read_unaligned(buffer.as_ptr() as *const _);
        assert_eq!(record.Length, read);
        assert_eq!(record.EventType, EVENTLOG_AUDIT_FAILURE);
        assert_eq!(&buffer[56..68], b"Ansi Source\0");
        let at = record.StringOffset as usize;
        assert_eq!(&buffer[at..at + 6], "café\0".as_bytes());
        assert_eq!(record.UserSidLength, 12);
        assert_eq!(CloseEventLog(handle), 1);
        assert_eq!(DeregisterEventSource(source), 1);
    }
}
