//! Rust written against `windows_sys::Win32::System::EventLog`, unchanged but for its `use`:
//! on Windows it reads the real event log, elsewhere evtlog's emulation through the
//! `wevtapi` crate. It queries the Security channel for logons, renders each as XML and
//! its EventID through a System render context, and keeps a bookmark; then it drains a pull
//! subscription (CreateEventW, WaitForSingleObject, EvtNext), and watches a classic log
//! with the same kind of event object (NotifyChangeEventLog, ReportEventW), reporting
//! failures as `std::io::Error::last_os_error()`, the Rust idiom for GetLastError.
//!
//! `cargo run -p wevtapi --example windows_sys`

#[cfg(not(windows))]
use wevtapi::*;
#[cfg(windows)]
use windows_sys::Win32::{
    Foundation::{CloseHandle, GetLastError, ERROR_NO_MORE_ITEMS, WAIT_OBJECT_0},
    System::{
        EventLog::*,
        Threading::{CreateEventW, ResetEvent, WaitForSingleObject, INFINITE},
    },
};

/// A Rust string as a NUL-terminated UTF-16 one.
fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain([0]).collect()
}

/// What the run saw: each logon's (record id, EventID), and the saved bookmark's XML.
pub fn run() -> (Vec<(u64, u16)>, String) {
    // SAFETY: every pointer passed below points to a live buffer of the size given, and
    // every string is NUL-terminated, as the Windows API requires.
    unsafe {
        #[cfg(not(windows))]
        {
            // The emulation starts empty: fill Security as a test would.
            assert_eq!(evtlog_reset(), TRUE);
            assert_eq!(evtlog_generate(wide("Security").as_ptr(), 300, 42), TRUE);
        }
        let query = EvtQuery(
            0,
            wide("Security").as_ptr(),
            wide("*[System[EventID=4624]]").as_ptr(),
            EvtQueryChannelPath | EvtQueryReverseDirection,
        );
        assert_ne!(query, 0, "EvtQuery failed: {}", GetLastError());
        let context = EvtCreateRenderContext(0, std::ptr::null(), EvtRenderContextSystem);
        let bookmark = EvtCreateBookmark(std::ptr::null());
        let mut seen = Vec::new();
        let mut events = [0 as EVT_HANDLE; 16];
        let mut returned = 0u32;
        let mut buffer: Vec<u64> = vec![0; 1024]; // 8 KiB, 8-byte aligned for EVT_VARIANTs
        loop {
            if EvtNext(query, 16, events.as_mut_ptr(), INFINITE, 0, &mut returned) == 0 {
                assert_eq!(GetLastError(), ERROR_NO_MORE_ITEMS);
                break;
            }
            for &event in &events[..returned as usize] {
                let (mut used, mut count) = (0u32, 0u32);
                let size = (buffer.len() * 8) as u32;
                let ok = EvtRender(
                    0,
                    event,
                    EvtRenderEventXml,
                    size,
                    buffer.as_mut_ptr().cast(),
                    &mut used,
                    &mut count,
                );
                assert_ne!(ok, 0, "EvtRender failed: {}", GetLastError());
                let ok = EvtRender(
                    context,
                    event,
                    EvtRenderEventValues,
                    size,
                    buffer.as_mut_ptr().cast(),
                    &mut used,
                    &mut count,
                );
                assert_ne!(ok, 0, "EvtRender failed: {}", GetLastError());
                let values = buffer.as_ptr() as *const EVT_VARIANT;
                let id = (*values.add(EvtSystemEventID as usize)).Anonymous.UInt16Val;
                let record = (*values.add(EvtSystemEventRecordId as usize))
                    .Anonymous
                    .UInt64Val;
                seen.push((record, id));
                EvtUpdateBookmark(bookmark, event);
                EvtClose(event);
            }
        }
        let (mut used, mut count) = (0u32, 0u32);
        let size = (buffer.len() * 8) as u32;
        let ok = EvtRender(
            0,
            bookmark,
            EvtRenderBookmark,
            size,
            buffer.as_mut_ptr().cast(),
            &mut used,
            &mut count,
        );
        assert_ne!(ok, 0);
        let units =
            std::slice::from_raw_parts(buffer.as_ptr() as *const u16, used as usize / 2 - 1);
        let saved = String::from_utf16_lossy(units);
        EvtClose(bookmark);
        EvtClose(context);
        EvtClose(query);
        (seen, saved)
    }
}

/// A pull subscription to Security from its oldest record: the number of events drained
/// after the signal, or the OS error of the call that failed.
pub fn subscribe() -> std::io::Result<usize> {
    // SAFETY: as in `run`; the signal outlives the subscription.
    unsafe {
        let signal = CreateEventW(std::ptr::null(), 1, 1, std::ptr::null());
        if signal.is_null() {
            return Err(std::io::Error::last_os_error());
        }
        let subscription = EvtSubscribe(
            0,
            signal,
            wide("Security").as_ptr(),
            std::ptr::null(),
            0,
            std::ptr::null(),
            None,
            EvtSubscribeStartAtOldestRecord,
        );
        if subscription == 0 {
            let error = std::io::Error::last_os_error();
            CloseHandle(signal);
            return Err(error);
        }
        assert_eq!(WaitForSingleObject(signal, INFINITE), WAIT_OBJECT_0);
        ResetEvent(signal);
        let mut events = [0 as EVT_HANDLE; 64];
        let (mut returned, mut drained) = (0u32, 0);
        while EvtNext(subscription, 64, events.as_mut_ptr(), 0, 0, &mut returned) != 0 {
            for &event in &events[..returned as usize] {
                EvtClose(event);
            }
            drained += returned as usize;
        }
        let end = std::io::Error::last_os_error();
        EvtClose(subscription);
        CloseHandle(signal);
        match end.raw_os_error() {
            Some(code) if code == ERROR_NO_MORE_ITEMS as i32 => Ok(drained),
            _ => Err(end),
        }
    }
}

/// The classic API with an event object: CreateEventW's HANDLE is NotifyChangeEventLog's
/// `hEvent`, and a ReportEventW through RegisterEventSourceW's HANDLE sets it. The number of
/// records Application then has, or the OS error of the call that failed.
pub fn classic_notify() -> std::io::Result<u32> {
    // SAFETY: as in `run`; every handle is closed once, after its last use.
    unsafe {
        let log = OpenEventLogW(std::ptr::null(), wide("Application").as_ptr());
        let signal = CreateEventW(std::ptr::null(), 1, 0, std::ptr::null());
        let source = RegisterEventSourceW(std::ptr::null(), wide("Contoso Agent").as_ptr());
        if log.is_null() || signal.is_null() || source.is_null() {
            return Err(std::io::Error::last_os_error());
        }
        let result = (|| {
            if NotifyChangeEventLog(log, signal) == 0 {
                return Err(std::io::Error::last_os_error());
            }
            let text = wide("The agent started.");
            let strings = [text.as_ptr()];
            let ok = ReportEventW(
                source,
                EVENTLOG_INFORMATION_TYPE,
                0,
                1000,
                std::ptr::null_mut(),
                1,
                0,
                strings.as_ptr(),
                std::ptr::null(),
            );
            if ok == 0 {
                return Err(std::io::Error::last_os_error());
            }
            assert_eq!(WaitForSingleObject(signal, 5000), WAIT_OBJECT_0);
            let mut records = 0;
            if GetNumberOfEventLogRecords(log, &mut records) == 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(records)
        })();
        DeregisterEventSource(source);
        CloseEventLog(log);
        CloseHandle(signal);
        result
    }
}

#[allow(dead_code)]
fn main() {
    let (seen, bookmark) = run();
    println!("{} logons, newest first; bookmark: {bookmark}", seen.len());
    match subscribe() {
        Ok(n) => println!("{n} events from the subscription"),
        Err(e) => println!("subscription failed: {e}"),
    }
    match classic_notify() {
        Ok(n) => println!("Application has {n} records after ReportEventW"),
        Err(e) => println!("the classic API failed: {e}"),
    }
}
