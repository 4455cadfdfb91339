//! Hostile input through the C ABI does not take the process down: a query nested far past
//! the XPath limit fails with ERROR_EVT_INVALID_QUERY (15001), on a thread with a small
//! stack, both plain and with EvtQueryTolerateQueryErrors.

use wevtapi::{EvtQuery, EvtQueryChannelPath, EvtQueryTolerateQueryErrors, GetLastError};

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain([0]).collect()
}

/// EvtQuery(NULL, "System", `query`, `flags`): the handle (0 on failure) and GetLastError.
fn query_on_small_stack(query: String, flags: u32) -> (isize, u32) {
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            let path = wide("System");
            let query = wide(&query);
            // SAFETY: both strings are NUL-terminated UTF-16 that outlive the call.
            unsafe {
                let handle = EvtQuery(0, path.as_ptr(), query.as_ptr(), flags);
                (handle, GetLastError())
            }
        })
        .unwrap()
        .join()
        .expect("the query returned")
}

#[test]
fn twenty_thousand_parentheses_fail_with_15001() {
    let deep = "(".repeat(20_000);
    assert_eq!(
        query_on_small_stack(deep.clone(), EvtQueryChannelPath),
        (0, 15001)
    );
    let tolerant = EvtQueryChannelPath | EvtQueryTolerateQueryErrors;
    assert_eq!(query_on_small_stack(deep, tolerant), (0, 15001));
    let brackets = format!("*{}", "[a".repeat(20_000));
    assert_eq!(
        query_on_small_stack(brackets, EvtQueryChannelPath),
        (0, 15001)
    );
}
