//! The last-error rule through the C ABI, export by export: after a failed size probe
//! (ERROR_INSUFFICIENT_BUFFER), every successful call leaves GetLastError() ==
//! ERROR_SUCCESS and no extended status, as Microsoft's samples require (reference/wevtapi.md
//! §2.0); kernel32's SetEvent, ResetEvent, WaitForSingleObject and CloseHandle leave it.

use std::ptr::{null, null_mut};

use wevtapi::*;

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain([0]).collect()
}

/// The handles the rows use.
struct Fixture {
    query: EVT_HANDLE,
    event: EVT_HANDLE,
    bookmark: EVT_HANDLE,
    channels: EVT_HANDLE,
    log: EVT_HANDLE,
    signal: HANDLE,
    exported: Vec<u16>,
}

/// A failed EvtRender size probe: 122 and its message as the extended status.
unsafe fn fail(f: &Fixture) {
    let (mut used, mut count) = (0, 0);
    let ok = EvtRender(
        0,
        f.event,
        EvtRenderEventXml,
        0,
        null_mut(),
        &mut used,
        &mut count,
    );
    assert_eq!(ok, FALSE);
    assert_eq!(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    assert!(extended_status_len() > 0);
}

/// The extended status's length in WCHARs (0: none).
unsafe fn extended_status_len() -> u32 {
    let mut used = 0;
    EvtGetExtendedStatus(0, null_mut(), &mut used);
    used
}

type Row = (&'static str, fn(&Fixture) -> bool);

/// A row: a successful call of the export `$name`, made with the fixture's handles.
macro_rules! row {
    ($name:literal, |$f:pat_param| $body:expr) => {
        ($name, {
            fn call($f: &Fixture) -> bool {
                // SAFETY: the fixture's handles are live; every pointer passed points to a
                // live local of the size given; every string is NUL-terminated.
                unsafe { $body }
            }
            call
        })
    };
}

const ROWS: &[Row] = &[
    row!("EvtOpenSession", |_| {
        let login = EVT_RPC_LOGIN {
            Server: null_mut(),
            User: null_mut(),
            Domain: null_mut(),
            Password: null_mut(),
            Flags: EvtRpcLoginAuthDefault,
        };
        let session = EvtOpenSession(EvtRpcLogin, (&login as *const EVT_RPC_LOGIN).cast(), 0, 0);
        session != 0 && EvtClose(session) == TRUE
    }),
    row!("EvtClose", |_| EvtClose(EvtCreateBookmark(null())) == TRUE),
    row!("EvtCancel", |_| EvtCancel(0) == TRUE),
    row!("EvtQuery", |_| {
        EvtQuery(0, wide("Security").as_ptr(), null(), EvtQueryChannelPath) != 0
    }),
    row!("EvtNext", |f| {
        let (mut events, mut returned) = ([0; 2], 0);
        EvtNext(f.query, 2, events.as_mut_ptr(), INFINITE, 0, &mut returned) == TRUE
    }),
    row!("EvtSeek", |f| {
        EvtSeek(f.query, 0, 0, 0, EvtSeekRelativeToFirst) == TRUE
    }),
    row!("EvtGetQueryInfo", |f| {
        let (mut buffer, mut used) = ([0u64; 32], 0);
        let size = std::mem::size_of_val(&buffer) as u32;
        EvtGetQueryInfo(
            f.query,
            EvtQueryNames,
            size,
            buffer.as_mut_ptr().cast(),
            &mut used,
        ) == TRUE
    }),
    row!("EvtGetEventInfo", |f| {
        let (mut buffer, mut used) = ([0u64; 32], 0);
        let size = std::mem::size_of_val(&buffer) as u32;
        EvtGetEventInfo(
            f.event,
            EvtEventPath,
            size,
            buffer.as_mut_ptr().cast(),
            &mut used,
        ) == TRUE
    }),
    row!("EvtCreateRenderContext", |_| {
        EvtCreateRenderContext(0, null(), EvtRenderContextSystem) != 0
    }),
    row!("EvtRender", |f| {
        let (mut used, mut count) = (0, 0);
        EvtRender(
            0,
            f.event,
            EvtRenderEventXml,
            0,
            null_mut(),
            &mut used,
            &mut count,
        );
        let mut buffer = vec![0u8; used as usize];
        let ptr = buffer.as_mut_ptr().cast();
        EvtRender(
            0,
            f.event,
            EvtRenderEventXml,
            used,
            ptr,
            &mut used,
            &mut count,
        ) == TRUE
    }),
    row!("EvtCreateBookmark", |_| EvtCreateBookmark(null()) != 0),
    row!("EvtUpdateBookmark", |f| {
        EvtUpdateBookmark(f.bookmark, f.event) == TRUE
    }),
    row!("EvtOpenChannelEnum", |_| EvtOpenChannelEnum(0, 0) != 0),
    row!("EvtNextChannelPath", |f| {
        let (mut buffer, mut used) = ([0u16; 256], 0);
        EvtNextChannelPath(f.channels, 256, buffer.as_mut_ptr(), &mut used) == TRUE
    }),
    row!("EvtSubscribe", |f| {
        let sub = EvtSubscribe(
            0,
            f.signal,
            wide("Security").as_ptr(),
            null(),
            0,
            null(),
            None,
            EvtSubscribeToFutureEvents,
        );
        sub != 0 && EvtClose(sub) == TRUE
    }),
    row!("CreateEventW", |_| {
        !CreateEventW(null(), TRUE, FALSE, null()).is_null()
    }),
    row!("EvtClearLog", |_| {
        EvtClearLog(0, wide("Application").as_ptr(), null(), 0) == TRUE
    }),
    row!("EvtExportLog", |f| {
        EvtExportLog(
            0,
            wide("Security").as_ptr(),
            null(),
            f.exported.as_ptr(),
            0x2001,
        ) == TRUE
    }),
    row!("EvtArchiveExportedLog", |f| {
        EvtArchiveExportedLog(0, f.exported.as_ptr(), 0, 0) == TRUE
    }),
    row!("EvtOpenLog", |_| {
        EvtOpenLog(0, wide("System").as_ptr(), EvtOpenChannelPath) != 0
    }),
    row!("EvtGetLogInfo", |f| {
        let (mut buffer, mut used) = ([0u64; 4], 0);
        let size = std::mem::size_of_val(&buffer) as u32;
        let id = EvtLogNumberOfLogRecords;
        EvtGetLogInfo(f.log, id, size, buffer.as_mut_ptr().cast(), &mut used) == TRUE
    }),
    row!("evtlog_create_channel", |_| {
        evtlog_create_channel(wide("Ffi-Last-Error/Operational").as_ptr()) == TRUE
    }),
    row!("evtlog_write_event_xml", |_| {
        let xml = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>\
                   <System><Provider Name='p'/><EventID>1</EventID></System></Event>";
        evtlog_write_event_xml(wide("Application").as_ptr(), wide(xml).as_ptr()) == TRUE
    }),
    row!("evtlog_generate", |_| {
        evtlog_generate(wide("System").as_ptr(), 2, 1) == TRUE
    }),
    row!("evtlog_use_virtual_clock", |_| {
        evtlog_use_virtual_clock(133_000_000_000_000_000) == TRUE
    }),
    row!("evtlog_advance_clock", |_| evtlog_advance_clock(10) == TRUE),
];

#[test]
fn every_export_clears_the_last_error_on_success() {
    let dir = std::env::temp_dir().join(format!("wevtapi-last-error-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let exported = wide(dir.join("exported.evtx").to_str().unwrap());
    // SAFETY: every pointer passed points to a live local of the size given, every string
    // is NUL-terminated; this binary's only test uses the service alone.
    unsafe {
        assert_eq!(evtlog_reset(), TRUE);
        assert_eq!(evtlog_generate(wide("Security").as_ptr(), 10, 3), TRUE);
        let query = EvtQuery(0, wide("Security").as_ptr(), null(), EvtQueryChannelPath);
        let (mut events, mut returned) = ([0; 1], 0);
        assert_eq!(
            EvtNext(query, 1, events.as_mut_ptr(), INFINITE, 0, &mut returned),
            TRUE
        );
        let f = Fixture {
            query,
            event: events[0],
            bookmark: EvtCreateBookmark(null()),
            channels: EvtOpenChannelEnum(0, 0),
            log: EvtOpenLog(0, wide("Security").as_ptr(), EvtOpenChannelPath),
            signal: CreateEventW(null(), TRUE, FALSE, null()),
            exported,
        };
        for (name, call) in ROWS {
            fail(&f);
            assert!(call(&f), "{name} succeeds ({})", GetLastError());
            assert_eq!(GetLastError(), ERROR_SUCCESS, "{name}");
            assert_eq!(extended_status_len(), 0, "{name}: no extended status");
        }
        // kernel32's event functions leave it, as on Windows.
        let kernel32: &[Row] = &[
            row!("SetEvent", |f| SetEvent(f.signal) == TRUE),
            row!("WaitForSingleObject", |f| {
                WaitForSingleObject(f.signal, 0) == WAIT_OBJECT_0
            }),
            row!("ResetEvent", |f| ResetEvent(f.signal) == TRUE),
            row!("CloseHandle", |f| CloseHandle(f.signal) == TRUE),
        ];
        for (name, call) in kernel32 {
            fail(&f);
            assert!(call(&f), "{name} succeeds");
            assert_eq!(
                GetLastError(),
                ERROR_INSUFFICIENT_BUFFER,
                "{name} leaves it"
            );
        }
        fail(&f);
        assert_eq!(evtlog_reset(), TRUE);
        assert_eq!(GetLastError(), ERROR_SUCCESS, "evtlog_reset");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
