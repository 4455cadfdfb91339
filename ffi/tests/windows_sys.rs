//! The windows-sys example (`examples/windows_sys.rs`) compiled against the `wevtapi`
//! crate: Rust written for `windows_sys::Win32::System::EventLog` runs here unchanged and
//! sees Windows' behaviour (reverse order, the System values, the bookmark, a pull
//! subscription whose end is ERROR_NO_MORE_ITEMS through `last_os_error()`).

#[allow(dead_code)]
#[path = "../examples/windows_sys.rs"]
mod example;

/// The emulation is process-wide and run() resets it: the tests take turns.
static SERVICE: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn windows_sys_code_runs_against_the_emulation() {
    let _turn = SERVICE.lock().unwrap_or_else(|e| e.into_inner());
    let (seen, bookmark) = example::run();
    assert!(!seen.is_empty());
    assert!(seen.iter().all(|&(_, id)| id == 4624), "the filter holds");
    assert!(
        seen.windows(2).all(|w| w[0].0 > w[1].0),
        "newest first: {seen:?}"
    );
    let oldest = seen.last().unwrap().0;
    assert!(
        bookmark.contains(&format!("RecordId='{oldest}'")),
        "the bookmark is at the last event read: {bookmark}"
    );
    assert!(bookmark.starts_with("<BookmarkList>"), "{bookmark}");
    // The pull subscription drains the 300 events run() wrote, and ends as Windows ends a
    // drain: ERROR_NO_MORE_ITEMS, read through std::io::Error::last_os_error().
    assert_eq!(example::subscribe().unwrap(), 300);
}

/// kernel32's event object has windows-sys's HANDLE type across functions: CreateEventW's
/// result goes to NotifyChangeEventLog unchanged, and a ReportEventW sets it.
#[test]
fn an_event_object_is_one_handle_type_across_the_apis() {
    let _turn = SERVICE.lock().unwrap_or_else(|e| e.into_inner());
    assert!(example::classic_notify().unwrap() >= 1);
}
