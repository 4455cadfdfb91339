//! The issue trackers' behaviours (§6.1–§6.9 of the consumers reference), each made to
//! happen through the wevtapi facade with the helpers of `pains`.

use std::time::Duration;

use evtlog::codes::*;
use evtlog::winevt::*;

use super::*;

/// §6.1: the Windows-before-the-fix 1734 (the `evtnext-1734` quirk): the failed batch is
/// consumed (beats#3076), so the recovery must go back to its bookmark before halving. In
/// depth: quirks.rs (evtnext_1734_consumes_the_batch_and_halving_from_a_bookmark_recovers).
#[test]
fn s6_1_evtnext_1734_consumes_the_batch_under_the_quirk() {
    let _s = service(0);
    write("Application", 1..=100, 60_000);
    assert_eq!(controls::set_quirks("evtnext-1734"), TRUE);
    let results = query("Application", None);
    assert_eq!(next(results, 64, INFINITE), Err(RPC_S_INVALID_BOUND));
    assert_eq!(
        next(results, 1, INFINITE),
        Ok(vec![65]),
        "the position moved on"
    );
    // Back to the start (no bookmark yet), halved: everything once.
    assert_eq!(EvtSeek(results, 0, 0, 0, EvtSeekRelativeToFirst), TRUE);
    let (ids, end) = drain(results, 16, 0);
    assert_eq!((ids, end), (range(1..=100), ERROR_NO_MORE_ITEMS));
    EvtClose(results);
}

/// §6.2: ERROR_INVALID_OPERATION (4317) on an idle pull subscription, the constant vector
/// mislabelled (PR #26118): a consumer that treats it as fatal goes silent. See p11.
#[test]
fn s6_2_an_idle_pull_subscription_is_4317_not_stale() {
    let _s = service(0);
    let (sub, signal) = pull("Application", 0, EvtSubscribeToFutureEvents).unwrap();
    let error = next(sub, 100, 0).unwrap_err();
    assert_eq!(error, 4317);
    assert_ne!(error, ERROR_EVT_QUERY_RESULT_STALE);
    write("Application", 1..=1, 0);
    assert_eq!(next(sub, 100, 0), Ok(vec![1]), "still alive");
    EvtClose(sub);
    CloseHandle(signal);
}

/// §6.3: ERROR_EVT_QUERY_RESULT_STALE (15011) on a pull subscription after a clear, then
/// release and resubscribe. See p03 for a query.
#[test]
fn s6_3_stale_on_a_subscription_after_a_clear_then_resubscribe() {
    let _s = service(0);
    let (sub, signal) = pull("Application", 0, EvtSubscribeToFutureEvents).unwrap();
    write("Application", 1..=3, 0);
    assert_eq!(next(sub, 1, 0), Ok(vec![1]));
    assert_eq!(EvtClearLog(0, Some("Application"), None, 0), TRUE);
    write("Application", 4..=5, 0);
    for _ in 0..2 {
        assert_eq!(next(sub, 10, 0), Err(ERROR_EVT_QUERY_RESULT_STALE));
    }
    EvtClose(sub);
    CloseHandle(signal);
    let (sub, signal) = pull("Application", 0, EvtSubscribeStartAtOldestRecord).unwrap();
    assert_eq!(drain(sub, 10, 0), (range(4..=5), ERROR_NO_MORE_ITEMS));
    EvtClose(sub);
    CloseHandle(signal);
}

/// §6.4: Strict + StartAfterBookmark on a record that is gone, for a bookmark never written
/// and for an empty channel's bookmark: ERROR_NOT_FOUND (1168) every time. See p05.
#[test]
fn s6_4_strict_after_a_bookmark_that_is_gone_is_1168() {
    let _s = service(3);
    let strict = EvtSubscribeStartAfterBookmark | EvtSubscribeStrict;
    for xml in [
        "<BookmarkList><Bookmark Channel='Application' RecordId='99' IsCurrent='true'/></BookmarkList>",
        "<BookmarkList Direction='backward'></BookmarkList>",
    ] {
        let bookmark = EvtCreateBookmark(Some(xml));
        assert_ne!(bookmark, 0, "{xml}");
        assert_eq!(pull("Application", bookmark, strict), Err(ERROR_NOT_FOUND), "{xml}");
        EvtClose(bookmark);
    }
}

/// The first event's handles: (query, event).
fn first_event(channel: &str) -> (EVT_HANDLE, EVT_HANDLE) {
    let results = query(channel, None);
    let (_, event) = next_keep(results, 1, INFINITE).unwrap()[0];
    (results, event)
}

/// EvtFormatMessage(Event) of `event` with the two calls: (result, last error, text).
fn format_event(metadata: EVT_HANDLE, event: EVT_HANDLE) -> (BOOL, u32, String) {
    let mut used = 0;
    let ok = EvtFormatMessage(
        metadata,
        event,
        0,
        &[],
        EvtFormatMessageEvent,
        &mut [],
        &mut used,
    );
    let error = GetLastError();
    if ok == TRUE || error != ERROR_INSUFFICIENT_BUFFER {
        return (ok, error, String::new());
    }
    let mut buffer = vec![0u16; used as usize];
    let ok = EvtFormatMessage(
        metadata,
        event,
        0,
        &[],
        EvtFormatMessageEvent,
        &mut buffer,
        &mut used,
    );
    let error = GetLastError();
    let end = buffer.iter().position(|&u| u == 0).unwrap_or(buffer.len());
    (ok, error, String::from_utf16_lossy(&buffer[..end]))
}

/// A System event of a default publisher.
fn system_event() -> String {
    controls::engine().install_default_publishers().unwrap();
    let event = evtlog::Generator::new(3)
        .events(evtlog::Profile::System, 1)
        .into_iter()
        .next()
        .unwrap();
    let provider = event.system.provider.name.as_deref().unwrap().to_owned();
    controls::engine().write("System", event).unwrap();
    provider
}

/// §6.5: EvtFormatMessage failures are data, not fatal: with the provider's messages missing
/// (15027, or 317 on Windows 11) or its message file gone (15033), the consumer keeps the
/// event through its XML. In depth: faults.rs (unavailable_messages_*), quirks.rs (317).
#[test]
fn s6_5_format_failures_keep_the_event_through_its_xml() {
    let _s = service(0);
    let provider = system_event();
    let (results, event) = first_event("System");
    let metadata = EvtOpenPublisherMetadata(0, Some(&provider), None, 0, 0);
    assert_ne!(metadata, 0);
    assert_eq!(format_event(metadata, event).0, TRUE);
    for code in [15027, 15033, 317] {
        assert_eq!(controls::fail_messages(&provider, code), TRUE);
        let (ok, error, _) = format_event(metadata, event);
        assert_eq!((ok, error), (FALSE, code));
        let xml = render(0, event, EvtRenderEventXml);
        assert!(xml.contains(&provider), "the fallback keeps the event");
    }
    for h in [metadata, event, results] {
        EvtClose(h);
    }
}

/// §6.6: missing publisher metadata (a removed publisher: EvtOpenPublisherMetadata fails
/// with ERROR_EVT_PUBLISHER_METADATA_NOT_FOUND, 15002) and forwarded events, whose
/// RenderingInfo carries the message fluent-bit uses instead. In depth: faults.rs,
/// computers.rs (forwarding_*).
#[test]
fn s6_6_no_publisher_metadata_and_forwarded_rendering_info() {
    let _s = service(0);
    let provider = system_event();
    assert_eq!(controls::remove_publisher(&provider), TRUE);
    assert_eq!(EvtOpenPublisherMetadata(0, Some(&provider), None, 0, 0), 0);
    assert_eq!(GetLastError(), 15002);
    assert_eq!(controls::clear_faults(), TRUE);
    assert_eq!(controls::forward_events(None, None, "System", None), TRUE);
    let (results, event) = first_event("ForwardedEvents");
    let xml = render(0, event, EvtRenderEventXml);
    assert!(
        xml.contains("<RenderingInfo") && xml.contains("<Message>"),
        "{xml}"
    );
    // With the publisher gone, the message is still there.
    assert_eq!(controls::remove_publisher(&provider), TRUE);
    assert_eq!(EvtOpenPublisherMetadata(0, Some(&provider), None, 0, 0), 0);
    assert!(render(0, event, EvtRenderEventXml).contains("<Message>"));
    EvtClose(event);
    EvtClose(results);
}

/// §6.7: cancellation and service restarts: EvtCancel on a pull subscription makes EvtNext
/// fail with ERROR_CANCELLED (1223) until it is closed (fluent-bit reconnects on it); a push
/// subscription gets an EvtSubscribeActionError with RPC_S_SERVER_UNAVAILABLE when the service
/// stops (Wazuh reconnects on it). In depth: subscribe.rs, service.rs, computers.rs (reboot).
#[test]
fn s6_7_cancel_and_service_stop_reach_the_subscriber() {
    let _s = service(0);
    let (sub, signal) = pull("Application", 0, EvtSubscribeToFutureEvents).unwrap();
    assert_eq!(EvtCancel(sub), TRUE);
    assert_eq!(next(sub, 10, 0), Err(ERROR_CANCELLED));
    assert_eq!(next(sub, 10, 0), Err(ERROR_CANCELLED));
    EvtClose(sub);
    CloseHandle(signal);

    let (tx, rx) = std::sync::mpsc::channel();
    let callback: SubscribeCallback = Box::new(move |action, event| {
        let code = if action == EvtSubscribeActionError {
            event as u32
        } else {
            0
        };
        let _ = tx.send((action, code));
    });
    let push = EvtSubscribe(
        0,
        0,
        Some("Application"),
        None,
        0,
        Some(callback),
        EvtSubscribeToFutureEvents,
    );
    assert_ne!(push, 0);
    assert_eq!(controls::stop_service(), TRUE);
    let got = rx.recv_timeout(Duration::from_secs(60)).unwrap();
    assert_eq!(got, (EvtSubscribeActionError, RPC_S_SERVER_UNAVAILABLE));
    assert_eq!(controls::start_service(), TRUE);
    EvtClose(push);
}

/// §6.8: EvtFormatMessage writes `(BufferUsed*2)+2` bytes on Windows (DataDog's comment);
/// evtlog documents it and, under `format-extra-nul`, writes the extra NUL only inside the
/// caller's buffer, never past it (emulating the overrun is not advisable). In depth:
/// quirks.rs (format_extra_nul_writes_inside_the_buffer_only).
#[test]
fn s6_8_format_buffer_quirk_stays_inside_the_buffer() {
    let _s = service(0);
    let provider = system_event();
    assert_eq!(controls::set_quirks("format-extra-nul"), TRUE);
    let (results, event) = first_event("System");
    let metadata = EvtOpenPublisherMetadata(0, Some(&provider), None, 0, 0);
    let (ok, _, text) = format_event(metadata, event);
    assert_eq!(ok, TRUE);
    // A buffer of exactly BufferUsed characters plus a guard: the guard is untouched.
    let mut used = 0;
    EvtFormatMessage(
        metadata,
        event,
        0,
        &[],
        EvtFormatMessageEvent,
        &mut [],
        &mut used,
    );
    let mut buffer = vec![0xAAAAu16; used as usize + 1];
    let n = used as usize;
    assert_eq!(
        EvtFormatMessage(
            metadata,
            event,
            0,
            &[],
            EvtFormatMessageEvent,
            &mut buffer[..n],
            &mut used
        ),
        TRUE
    );
    assert_eq!(buffer[n], 0xAAAA, "nothing past the buffer");
    assert_eq!(
        String::from_utf16_lossy(&buffer[..text.encode_utf16().count()]),
        text
    );
    for h in [metadata, event, results] {
        EvtClose(h);
    }
}

/// §6.9: exact error codes (vector PR #26118 fixed four wrong constants): the catalogue
/// matches the WinError values, and the facade returns each where Windows does.
#[test]
fn s6_9_the_codes_are_windows_own() {
    assert_eq!(
        [
            ERROR_EVT_INVALID_QUERY,
            ERROR_EVT_CHANNEL_NOT_FOUND,
            ERROR_EVT_QUERY_RESULT_STALE,
            ERROR_EVT_QUERY_RESULT_INVALID_POSITION,
            ERROR_INVALID_OPERATION,
            ERROR_EVT_SUBSCRIPTION_TO_DIRECT_CHANNEL,
        ],
        [15001, 15007, 15011, 15012, 4317, 15009]
    );
    let _s = service(3);
    assert_eq!(
        EvtQuery(
            0,
            Some("Application"),
            Some("*[System["),
            EvtQueryChannelPath
        ),
        0
    );
    assert_eq!(GetLastError(), 15001);
    assert_eq!(
        EvtQuery(0, Some("Pains/None"), None, EvtQueryChannelPath),
        0
    );
    assert_eq!(GetLastError(), 15007);
    let results = query("Application", None);
    let bookmark = EvtCreateBookmark(Some(
        "<BookmarkList><Bookmark Channel='Application' RecordId='99' IsCurrent='true'/></BookmarkList>",
    ));
    assert_eq!(
        EvtSeek(
            results,
            0,
            bookmark,
            0,
            EvtSeekRelativeToBookmark | EvtSeekStrict
        ),
        FALSE
    );
    assert!(
        [ERROR_NOT_FOUND, ERROR_EVT_QUERY_RESULT_INVALID_POSITION].contains(&GetLastError()),
        "{}",
        GetLastError()
    );
    EvtClose(bookmark);
    EvtClose(results);
}
