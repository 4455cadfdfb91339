//! The service and the store's write lock: while another process writes the store
//! `EVTLOG_STORE` names, the service cannot be its writer (ERROR_SHARING_VIOLATION, 32), so it
//! opens the store read-only beside that writer, as it does always with
//! `EVTLOG_STORE_READ_ONLY=1`: the program reads the store's events, and its clears fail
//! with ERROR_ACCESS_DENIED (5), writing nothing. The service is made once per process, so
//! each case runs in a child process: this test binary again (`child`, driven by
//! `EVTLOG_LOCK_TEST_ROLE`).

use std::process::{Command, Output};

use evtlog::{Engine, Event};
use wevtapi::*;

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain([0]).collect()
}

/// How many events of Application have event id 4242, through the facade.
fn matching() -> u32 {
    // SAFETY: every pointer is a live NUL-terminated string or a buffer of the size given.
    unsafe {
        let query = EvtQuery(
            0,
            wide("Application").as_ptr(),
            wide("*[System[EventID=4242]]").as_ptr(),
            EvtQueryChannelPath,
        );
        assert_ne!(query, 0, "EvtQuery: {}", GetLastError());
        let mut events = [0 as EVT_HANDLE; 8];
        let mut returned = 0;
        if EvtNext(query, 8, events.as_mut_ptr(), 1000, 0, &mut returned) == FALSE {
            assert_eq!(GetLastError(), ERROR_NO_MORE_ITEMS);
            returned = 0;
        }
        for handle in &events[..returned as usize] {
            EvtClose(*handle);
        }
        EvtClose(query);
        returned
    }
}

/// The child's part (either role): the store's event is there, and a clear is denied.
#[test]
fn child() {
    if std::env::var_os("EVTLOG_LOCK_TEST_ROLE").is_none() {
        return;
    }
    assert_eq!(matching(), 1, "the store's one matching event");
    // SAFETY: a live NUL-terminated channel name, no backup.
    let cleared = unsafe { EvtClearLog(0, wide("Application").as_ptr(), std::ptr::null(), 0) };
    assert_eq!(cleared, FALSE);
    // SAFETY: reads the thread's last error.
    assert_eq!(unsafe { GetLastError() }, ERROR_ACCESS_DENIED);
    assert_eq!(matching(), 1, "nothing cleared");
}

fn run_child(store: &std::path::Path, read_only: bool) -> Output {
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args(["child", "--exact", "--nocapture", "--test-threads=1"])
        .env(
            "EVTLOG_LOCK_TEST_ROLE",
            if read_only { "reader" } else { "beside" },
        )
        .env("EVTLOG_STORE", store)
        .env_remove("EVTLOG_STORE_READ_ONLY");
    if read_only {
        command.env("EVTLOG_STORE_READ_ONLY", "1");
    }
    command.output().unwrap()
}

#[test]
fn beside_another_writer_the_service_reads_the_store_read_only() {
    let dir = std::env::temp_dir().join(format!("evtlog-env-store-lock-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let writer = Engine::open_store_dir(&dir).unwrap();
    writer.create_default_channels();
    let event = Event::builder("Env-Store-Lock-Test").event_id(4242).build();
    writer.write("Application", event).unwrap();

    for read_only in [false, true] {
        let child = run_child(&dir, read_only);
        assert!(child.status.success(), "read_only {read_only}: {child:?}");
        assert!(
            String::from_utf8_lossy(&child.stdout).contains("test child ... ok"),
            "the child ran its part: {child:?}"
        );
    }

    // The writer's store is as it left it, and still its to write.
    writer
        .write(
            "Application",
            Event::builder("Env-Store-Lock-Test").event_id(1).build(),
        )
        .unwrap();
    assert_eq!(writer.channel("Application").unwrap().record_count(), 2);
    drop(writer);
    let _ = std::fs::remove_dir_all(&dir);
}
