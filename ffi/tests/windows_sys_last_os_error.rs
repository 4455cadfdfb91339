//! `std::io::Error::last_os_error()` after a call, the Rust idiom for GetLastError (it reads
//! GetLastError on Windows and errno elsewhere): a failing export sets errno to its Win32
//! code, so the idiom reports what Windows would; a succeeding one sets the last error to
//! ERROR_SUCCESS and leaves errno, as C functions do. Functions that report through their
//! return value (EvtGetExtendedStatus, the provider functions) leave both.

use std::io::Error;

use wevtapi::*;

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain([0]).collect()
}

#[test]
fn a_failure_is_the_os_error_a_success_leaves_it() {
    // SAFETY: every string is NUL-terminated and every out-parameter points to a local; this
    // binary's only test uses the service alone.
    unsafe {
        assert_eq!(evtlog_reset(), TRUE);
        // A facade failure: the channel does not exist.
        let query = EvtQuery(0, wide("NoSuchLog").as_ptr(), std::ptr::null(), 0);
        assert_eq!(query, 0);
        assert_eq!(GetLastError(), ERROR_EVT_CHANNEL_NOT_FOUND);
        assert_eq!(
            Error::last_os_error().raw_os_error(),
            Some(ERROR_EVT_CHANNEL_NOT_FOUND as i32)
        );
        // A boundary failure (NULL out-parameter, found before the facade runs).
        assert_eq!(
            EvtNext(0, 0, std::ptr::null_mut(), 0, 0, std::ptr::null_mut()),
            FALSE
        );
        assert_eq!(
            Error::last_os_error().raw_os_error(),
            Some(ERROR_INVALID_PARAMETER as i32)
        );
        // A bad handle, through a function that returns a wait result.
        assert_eq!(WaitForSingleObject(std::ptr::null_mut(), 0), WAIT_FAILED);
        assert_eq!(
            Error::last_os_error().raw_os_error(),
            Some(ERROR_INVALID_HANDLE as i32)
        );
        // The size probe's failure, then its successful retry: the last error is
        // ERROR_SUCCESS, errno still the probe's 122.
        let bookmark = EvtCreateBookmark(std::ptr::null());
        let (mut used, mut count) = (0u32, 0u32);
        let probe = EvtRender(
            0,
            bookmark,
            EvtRenderBookmark,
            0,
            std::ptr::null_mut(),
            &mut used,
            &mut count,
        );
        assert_eq!(probe, FALSE);
        assert_eq!(
            Error::last_os_error().raw_os_error(),
            Some(ERROR_INSUFFICIENT_BUFFER as i32)
        );
        let mut buffer = vec![0u8; used as usize];
        let retry = EvtRender(
            0,
            bookmark,
            EvtRenderBookmark,
            used,
            buffer.as_mut_ptr().cast(),
            &mut used,
            &mut count,
        );
        assert_eq!(retry, TRUE);
        assert_eq!(GetLastError(), ERROR_SUCCESS);
        assert_eq!(
            Error::last_os_error().raw_os_error(),
            Some(ERROR_INSUFFICIENT_BUFFER as i32),
            "a success leaves errno"
        );
        assert_eq!(EvtClose(bookmark), TRUE);
        // EvtGetExtendedStatus reports through its return value: errno and the last error
        // stay as they were, even for its own bad arguments.
        assert_eq!(
            EvtGetExtendedStatus(0, std::ptr::null_mut(), std::ptr::null_mut()),
            ERROR_INVALID_PARAMETER
        );
        assert_eq!(GetLastError(), ERROR_SUCCESS);
        assert_eq!(
            Error::last_os_error().raw_os_error(),
            Some(ERROR_INSUFFICIENT_BUFFER as i32)
        );
        // So do evntprov.h's provider functions: a FALSE from EventEnabled is an answer, and
        // EventWrite's or EventRegister's error is its return value.
        let descriptor = EVENT_DESCRIPTOR {
            Id: 1,
            Version: 0,
            Channel: 0,
            Level: 4,
            Opcode: 0,
            Task: 0,
            Keyword: 0,
        };
        assert_eq!(EventEnabled(12345, &descriptor), 0);
        assert_eq!(EventProviderEnabled(12345, 4, 0), 0);
        assert_eq!(
            EventWrite(12345, &descriptor, 0, std::ptr::null()),
            ERROR_INVALID_HANDLE
        );
        assert_eq!(
            EventRegister(
                std::ptr::null(),
                None,
                std::ptr::null(),
                std::ptr::null_mut()
            ),
            ERROR_INVALID_PARAMETER
        );
        assert_eq!(GetLastError(), ERROR_SUCCESS);
        assert_eq!(
            Error::last_os_error().raw_os_error(),
            Some(ERROR_INSUFFICIENT_BUFFER as i32),
            "the provider functions leave errno"
        );
    }
}
