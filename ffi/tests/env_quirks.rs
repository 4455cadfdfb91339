//! `EVTLOG_QUIRKS` through the C ABI, as an unmodified program meets it: the service reads
//! it on first use (so this is its own test binary, one process per setting), every engine
//! it makes keeps it (`evtlog_reset`'s too), and a malformed value is ignored with one
//! message on stderr. The tests run in order in one test (the service is process-wide).

use std::process::Command;
use std::ptr::{null, null_mut};

use wevtapi::*;

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain([0]).collect()
}

/// The child's role when this binary runs itself with a malformed `EVTLOG_QUIRKS`.
const CHILD: &str = "EVTLOG_QUIRKS_TEST_CHILD";

/// An event XML of about 60 KB of data (its `Blob`).
fn big_event_xml(i: usize) -> String {
    format!(
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>\
         <Provider Name='Quirk-Test'/><EventID>7</EventID><Level>4</Level></System>\
         <EventData><Data Name='Blob'>{i:06}{}</Data></EventData></Event>",
        "x".repeat(30_000)
    )
}

/// EvtNext's return, last error and the record ids of the events it gave (closed).
///
/// # Safety
/// `query` is a live query handle.
unsafe fn next(query: EVT_HANDLE, size: usize) -> (BOOL, u32, usize) {
    let mut events = vec![0 as EVT_HANDLE; size];
    let mut returned = 0;
    // SAFETY: `events` holds `size` handles; `returned` is live.
    let ok = unsafe { EvtNext(query, size as u32, events.as_mut_ptr(), 0, 0, &mut returned) };
    // SAFETY: GetLastError reads the thread's own state.
    let error = unsafe { GetLastError() };
    for &event in &events[..returned as usize] {
        // SAFETY: each returned handle is live until closed here.
        unsafe { EvtClose(event) };
    }
    (ok, error, returned as usize)
}

#[test]
fn evtlog_quirks_selects_the_profile_for_every_engine() {
    if std::env::var_os(CHILD).is_some() {
        // The child: one call starts the service, which reads the malformed setting.
        // SAFETY: no pointer is passed.
        assert_eq!(unsafe { evtlog_reset() }, TRUE);
        return;
    }
    // A malformed value, in a child process: ignored, one message naming it.
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(exe)
        .args([
            "--exact",
            "evtlog_quirks_selects_the_profile_for_every_engine",
        ])
        .env(CHILD, "1")
        .env("EVTLOG_QUIRKS", "server2016,win12")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stderr} / {stdout}");
    assert_eq!(
        stderr.matches("EVTLOG_QUIRKS ignored").count(),
        1,
        "{stderr} / {stdout}"
    );
    assert!(
        stderr.contains("\"win12\"") && stderr.contains("item 2"),
        "{stderr}"
    );

    std::env::set_var("EVTLOG_QUIRKS", "server2016");
    // SAFETY: every pointer is a live NUL-terminated string, a buffer of the size given, or
    // NULL where the function takes NULL.
    unsafe {
        for i in 0..100 {
            let xml = wide(&big_event_xml(i));
            assert_eq!(
                evtlog_write_event_xml(wide("Application").as_ptr(), xml.as_ptr()),
                TRUE
            );
        }
        let query = EvtQuery(0, wide("Application").as_ptr(), null(), EvtQueryChannelPath);
        assert_ne!(query, 0);
        // server2016: the consuming 1734.
        assert_eq!(next(query, 64), (FALSE, RPC_S_INVALID_BOUND, 0));
        let (ok, _, n) = next(query, 32);
        assert_eq!((ok, n), (TRUE, 32), "what is left after the consumed 64");

        // ... and NXLog's NULL PropertyCount.
        let bookmark = EvtCreateBookmark(null());
        let mut used = 0;
        assert_eq!(
            EvtRender(
                0,
                bookmark,
                EvtRenderBookmark,
                0,
                null_mut(),
                &mut used,
                null_mut()
            ),
            FALSE
        );
        assert_eq!(
            GetLastError(),
            ERROR_INSUFFICIENT_BUFFER,
            "the size probe works"
        );
        let mut buffer = vec![0u8; used as usize];
        assert_eq!(
            EvtRender(
                0,
                bookmark,
                EvtRenderBookmark,
                used,
                buffer.as_mut_ptr().cast(),
                &mut used,
                null_mut()
            ),
            TRUE
        );

        // Set off by the control: NULL is 87 again, as by default.
        assert_eq!(evtlog_set_quirks(wide("default").as_ptr()), TRUE);
        assert_eq!(
            EvtRender(
                0,
                bookmark,
                EvtRenderBookmark,
                0,
                null_mut(),
                &mut used,
                null_mut()
            ),
            FALSE
        );
        assert_eq!(GetLastError(), ERROR_INVALID_PARAMETER);
        assert_eq!(evtlog_set_quirks(wide("win11,nonsense").as_ptr()), FALSE);
        assert_eq!(GetLastError(), ERROR_INVALID_PARAMETER);
        EvtClose(bookmark);
        EvtClose(query);

        // A reset keeps EVTLOG_QUIRKS' profile.
        assert_eq!(evtlog_reset(), TRUE);
        let bookmark = EvtCreateBookmark(null());
        assert_eq!(
            EvtRender(
                0,
                bookmark,
                EvtRenderBookmark,
                0,
                null_mut(),
                &mut used,
                null_mut()
            ),
            FALSE
        );
        assert_eq!(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
        EvtClose(bookmark);

        // win11 through the C ABI: 317 for a missing message, and the extra NUL that
        // Windows copies, written only inside the buffer given.
        assert_eq!(evtlog_set_quirks(wide("win11").as_ptr()), TRUE);
        let unknown = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>\
                       <System><Provider Name='Microsoft-Windows-Security-Auditing'/>\
                       <EventID>9999</EventID><Level>0</Level></System></Event>";
        assert_eq!(
            evtlog_write_event_xml(wide("Security").as_ptr(), wide(unknown).as_ptr()),
            TRUE
        );
        let query = EvtQuery(0, wide("Security").as_ptr(), null(), EvtQueryChannelPath);
        let mut event = 0;
        let mut returned = 0;
        assert_eq!(EvtNext(query, 1, &mut event, 0, 0, &mut returned), TRUE);
        let provider = wide("Microsoft-Windows-Security-Auditing");
        let metadata = EvtOpenPublisherMetadata(0, provider.as_ptr(), null(), 0, 0);
        assert_ne!(metadata, 0);
        let flags = EvtFormatMessageEvent;
        let format = |buffer: &mut [u16], size: u32, used: &mut u32| {
            EvtFormatMessage(
                metadata,
                event,
                0,
                0,
                null(),
                flags,
                size,
                buffer.as_mut_ptr(),
                used,
            )
        };
        let mut used = 0;
        assert_eq!(format(&mut [], 0, &mut used), FALSE);
        assert_eq!(GetLastError(), ERROR_MR_MID_NOT_FOUND);
        // The level's name: "Log Always" or similar, then one NUL and, under the quirk, a
        // second one where the buffer has room.
        let level = |buffer: &mut [u16], size: u32, used: &mut u32| {
            let flags = EvtFormatMessageLevel;
            EvtFormatMessage(
                metadata,
                event,
                0,
                0,
                null(),
                flags,
                size,
                buffer.as_mut_ptr(),
                used,
            )
        };
        assert_eq!(level(&mut [], 0, &mut used), FALSE);
        assert_eq!(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
        let n = used as usize;
        let mut buffer = vec![0xFFFFu16; n + 2];
        assert_eq!(level(&mut buffer, n as u32 + 1, &mut used), TRUE);
        assert_eq!(
            &buffer[n - 1..],
            [0, 0, 0xFFFF],
            "the extra NUL, within BufferSize only"
        );
        EvtClose(metadata);
        EvtClose(event);
        EvtClose(query);
    }
}
