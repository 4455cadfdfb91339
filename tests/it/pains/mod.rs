//! Every consumer pain, reproduced (issue 21, item 5): one test per pain of the shippers'
//! trackers (P1–P12 of the consumer-pains reference, §6.1–§6.9 of the consumers reference),
//! each making the pain happen through the wevtapi facade, as a consumer meets it, and
//! checking the exact code and behaviour it sees, then the consumer's documented recovery.
//! Where another module tests a pain in depth, the test here is short and names it. This file
//! holds the helpers and P1–P12; `trackers` holds §6.1–§6.9.
//! The facade has one process-wide service, so these tests take turns with the others.

use std::sync::MutexGuard;
use std::thread;

use evtlog::codes::*;
use evtlog::winevt::*;
use evtlog::{CallKind, ChannelConfig, ChannelType, Event, Retention};

mod trackers;

/// The service to this test alone, reset, with `count` events of `Pains-Test` in
/// Application (ids 1 to `count`, event ids 1 to `count`).
fn service(count: u16) -> MutexGuard<'static, ()> {
    let guard = crate::winevt::SERVICE
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    controls::reset();
    write("Application", 1..=count, 0);
    guard
}

fn event(id: u16, data: usize) -> Event {
    Event::builder("Pains-Test")
        .event_id(id)
        .data("Blob", "x".repeat(data))
        .build()
}

fn write(channel: &str, ids: impl IntoIterator<Item = u16>, data: usize) {
    let engine = controls::engine();
    for id in ids {
        engine.write(channel, event(id, data)).unwrap();
    }
}

fn query(channel: &str, xpath: Option<&str>) -> EVT_HANDLE {
    let q = EvtQuery(0, Some(channel), xpath, EvtQueryChannelPath);
    assert_ne!(q, 0, "EvtQuery: {}", GetLastError());
    q
}

/// EvtNext into `batch` handles: Ok(record ids, each handle closed) or Err(last error).
fn next(results: EVT_HANDLE, batch: usize, timeout: u32) -> Result<Vec<u64>, u32> {
    next_keep(results, batch, timeout).map(|events| {
        events
            .into_iter()
            .map(|(id, h)| {
                EvtClose(h);
                id
            })
            .collect()
    })
}

/// EvtNext keeping the handles: (record id, handle) pairs, or Err(last error).
fn next_keep(
    results: EVT_HANDLE,
    batch: usize,
    timeout: u32,
) -> Result<Vec<(u64, EVT_HANDLE)>, u32> {
    let mut handles = vec![0; batch];
    let mut returned = 0;
    if EvtNext(results, &mut handles, timeout, 0, &mut returned) == FALSE {
        assert_eq!(returned, 0);
        return Err(GetLastError());
    }
    Ok(handles[..returned as usize]
        .iter()
        .map(|&h| (record_id(h), h))
        .collect())
}

/// EvtRender's two calls: the size probe (FALSE, 122, BufferUsed in bytes), then the
/// buffer; the text without its NUL.
fn render(context: EVT_HANDLE, fragment: EVT_HANDLE, flags: u32) -> String {
    let (mut used, mut count) = (0, 0);
    assert_eq!(
        EvtRender(context, fragment, flags, &mut [], &mut used, &mut count),
        FALSE
    );
    assert_eq!(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    let mut buffer = vec![0u8; used as usize];
    assert_eq!(
        EvtRender(context, fragment, flags, &mut buffer, &mut used, &mut count),
        TRUE
    );
    let units: Vec<u16> = buffer
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    assert_eq!(units.last(), Some(&0), "NUL-terminated");
    String::from_utf16(&units[..units.len() - 1]).unwrap()
}

fn record_id(event: EVT_HANDLE) -> u64 {
    let xml = render(0, event, EvtRenderEventXml);
    let start = xml.find("<EventRecordID>").unwrap() + "<EventRecordID>".len();
    let end = xml[start..].find('<').unwrap() + start;
    xml[start..end].parse().unwrap()
}

/// EvtGetLogInfo's value (an EVT_VARIANT holding a UInt64 or UInt32) for a channel.
fn log_info(channel: &str, property: u32) -> u64 {
    let log = EvtOpenLog(0, Some(channel), EvtOpenChannelPath);
    assert_ne!(log, 0, "EvtOpenLog: {}", GetLastError());
    let mut buffer = [0u8; EVT_VARIANT_SIZE];
    let mut used = 0;
    assert_eq!(EvtGetLogInfo(log, property, &mut buffer, &mut used), TRUE);
    EvtClose(log);
    u64::from_le_bytes(buffer[..8].try_into().unwrap())
}

/// A pull subscription with a manual-reset signal: (subscription, signal).
fn pull(channel: &str, bookmark: EVT_HANDLE, flags: u32) -> Result<(EVT_HANDLE, EVT_HANDLE), u32> {
    let signal = CreateEvent(true, false);
    let sub = EvtSubscribe(0, signal, Some(channel), None, bookmark, None, flags);
    if sub == 0 {
        let error = GetLastError();
        CloseHandle(signal);
        return Err(error);
    }
    Ok((sub, signal))
}

/// One EvtNext batch of up to `batch`, `bookmark` updated to its last event.
fn take(results: EVT_HANDLE, batch: usize, bookmark: EVT_HANDLE) -> Vec<u64> {
    let events = next_keep(results, batch, INFINITE).unwrap();
    for &(_, h) in &events {
        assert_eq!(EvtUpdateBookmark(bookmark, h), TRUE);
        EvtClose(h);
    }
    events.into_iter().map(|(id, _)| id).collect()
}

/// Everything left on a query or subscription, in batches of `batch`, updating `bookmark`.
fn drain(results: EVT_HANDLE, batch: usize, bookmark: EVT_HANDLE) -> (Vec<u64>, u32) {
    let mut ids = Vec::new();
    loop {
        match next_keep(results, batch, 0) {
            Ok(events) => {
                for (id, h) in events {
                    ids.push(id);
                    if bookmark != 0 {
                        assert_eq!(EvtUpdateBookmark(bookmark, h), TRUE);
                    }
                    EvtClose(h);
                }
            }
            Err(end) => return (ids, end),
        }
    }
}

fn range(ids: std::ops::RangeInclusive<u64>) -> Vec<u64> {
    ids.collect()
}

/// P1: EvtNext fails with RPC_S_INVALID_BOUND (1734) on a large batch. The consumers'
/// recovery (winlogbeat, osquery, OpenTelemetry): halve the batch and go on, from a bookmark.
/// An injected 1734 moves nothing; the `evtnext-1734` quirk (Windows before the fix) also
/// consumes the failed batch, which is §6.1's test. In depth: faults.rs, quirks.rs.
#[test]
fn p01_evtnext_1734_halving_the_batch_loses_nothing() {
    let _s = service(100);
    assert_eq!(controls::inject_fault("EvtNext", 1, 2, 1734), TRUE);
    let results = query("Application", None);
    let mut batch = 64;
    let mut seen = Vec::new();
    let mut halvings = 0;
    loop {
        match next(results, batch, INFINITE) {
            Ok(ids) => seen.extend(ids),
            Err(RPC_S_INVALID_BOUND) => {
                halvings += 1;
                batch /= 2;
            }
            Err(ERROR_NO_MORE_ITEMS) => break,
            Err(other) => panic!("EvtNext: {other}"),
        }
    }
    assert_eq!((halvings, batch), (2, 16));
    assert_eq!(seen, range(1..=100), "no loss, no duplicate");
    EvtClose(results);
}

/// P2: more than 1,024 handles in one EvtNext is ERROR_INVALID_PARAMETER (87), as beats'
/// max_handles_assumption test asserts on Windows; 1,024 is a success.
#[test]
fn p02_evtnext_over_1024_handles_is_87() {
    let _s = service(1100);
    let results = query("Application", None);
    assert_eq!(next(results, 1025, INFINITE), Err(ERROR_INVALID_PARAMETER));
    assert_eq!(next(results, 1024, INFINITE).map(|ids| ids.len()), Ok(1024));
    assert_eq!(next(results, 1024, INFINITE).map(|ids| ids.len()), Ok(76));
    EvtClose(results);
}

/// P3: a clear under an open query makes EvtNext fail with ERROR_EVT_QUERY_RESULT_STALE
/// (15011), for good (the stuck loop of vector#26115); releasing the query and querying again
/// after the bookmark recovers with no loss and no duplicate. In depth: results.rs
/// (stale_after_clear, stale_after_overwrite), subscribe.rs.
#[test]
fn p03_stale_after_clear_then_requery_from_the_bookmark() {
    let _s = service(10);
    let results = query("Application", None);
    let bookmark = EvtCreateBookmark(None);
    assert_eq!(take(results, 4, bookmark), [1, 2, 3, 4]);
    assert_eq!(EvtClearLog(0, Some("Application"), None, 0), TRUE);
    write("Application", 11..=13, 0);
    for _ in 0..3 {
        assert_eq!(
            next(results, 4, INFINITE),
            Err(ERROR_EVT_QUERY_RESULT_STALE)
        );
    }
    // Release and re-query; the bookmark's record is gone, so a strict seek fails and the
    // consumer starts at the oldest: records 11 to 13, each once.
    EvtClose(results);
    let results = query("Application", None);
    assert_eq!(
        EvtSeek(
            results,
            1,
            bookmark,
            0,
            EvtSeekRelativeToBookmark | EvtSeekStrict
        ),
        FALSE
    );
    assert_eq!(GetLastError(), ERROR_NOT_FOUND);
    assert_eq!(
        drain(results, 8, bookmark),
        (range(11..=13), ERROR_NO_MORE_ITEMS)
    );
    EvtClose(results);
    EvtClose(bookmark);
}

/// P4: a service restart: while stopped every call fails with RPC_S_SERVER_UNAVAILABLE (1722),
/// after the start every handle opened before fails with ERROR_INVALID_HANDLE (6); the
/// consumer reopens from its bookmark and reads the events written meanwhile once. In depth:
/// service.rs. Not reproduced: beats#39456's ERROR_INVALID_PARAMETER after an automatic
/// backup, and beats#472's ERROR_EVENTLOG_FILE_CHANGED (1503) of the classic API: evtlog
/// returns neither.
#[test]
fn p04_handles_fail_after_a_service_restart_and_a_bookmark_resumes() {
    let _s = service(5);
    let results = query("Application", None);
    let bookmark = EvtCreateBookmark(None);
    assert_eq!(take(results, 3, bookmark), [1, 2, 3]);
    assert_eq!(controls::stop_service(), TRUE);
    assert_eq!(next(results, 3, INFINITE), Err(RPC_S_SERVER_UNAVAILABLE));
    assert_eq!(
        EvtQuery(0, Some("Application"), None, EvtQueryChannelPath),
        0
    );
    assert_eq!(GetLastError(), RPC_S_SERVER_UNAVAILABLE);
    write("Application", 6..=7, 0); // the service's own writers keep writing
    assert_eq!(controls::start_service(), TRUE);
    assert_eq!(next(results, 3, INFINITE), Err(ERROR_INVALID_HANDLE));
    EvtClose(results);
    let (sub, signal) = pull("Application", bookmark, EvtSubscribeStartAfterBookmark).unwrap();
    assert_eq!(drain(sub, 10, 0), (range(4..=7), ERROR_NO_MORE_ITEMS));
    for h in [sub, bookmark] {
        EvtClose(h);
    }
    CloseHandle(signal);
}

/// P5 (and §6.4): EvtSubscribe with StartAfterBookmark | Strict on a record that is gone
/// fails with ERROR_NOT_FOUND (1168); beats' fallback resubscribes at the oldest record
/// and re-reads what is left, while vector's old fallback (future events only) silently
/// loses it. Without Strict, the subscription starts after the nearest record (MS-EVEN6).
/// In depth: subscribe.rs (after_bookmark_gone_*), bookmarks.rs.
#[test]
fn p05_strict_bookmark_gone_is_1168_and_oldest_is_the_fallback() {
    let _s = service(6);
    let bookmark = EvtCreateBookmark(None);
    let results = query("Application", None);
    drain(results, 3, bookmark);
    EvtClose(results);
    let xml = render(0, bookmark, EvtRenderBookmark);
    assert!(xml.contains("RecordId='6'"), "{xml}");
    // The channel is cleared and written again while the consumer is down.
    assert_eq!(EvtClearLog(0, Some("Application"), None, 0), TRUE);
    write("Application", 7..=9, 0);
    let strict = EvtSubscribeStartAfterBookmark | EvtSubscribeStrict;
    assert_eq!(pull("Application", bookmark, strict), Err(ERROR_NOT_FOUND));
    // beats: resubscribe at the oldest record; records 7 to 9 are read, none is lost.
    let (sub, signal) = pull("Application", 0, EvtSubscribeStartAtOldestRecord).unwrap();
    let (reread, _) = drain(sub, 10, 0);
    assert_eq!(reread, range(7..=9));
    EvtClose(sub);
    CloseHandle(signal);
    // Future events only: those three are never seen.
    let (sub, signal) = pull("Application", 0, EvtSubscribeToFutureEvents).unwrap();
    assert!(next(sub, 10, 0).is_err());
    EvtClose(sub);
    CloseHandle(signal);
    // Without Strict: after the nearest record to 6, i.e. the oldest (7): 8 and 9.
    let (sub, signal) = pull("Application", bookmark, EvtSubscribeStartAfterBookmark).unwrap();
    assert_eq!(drain(sub, 10, 0).0, range(8..=9));
    EvtClose(sub);
    CloseHandle(signal);
    EvtClose(bookmark);
}

/// P6: record-id gaps. A gap in what a consumer reads is real loss only when EvtGetLogInfo's
/// EvtLogOldestRecordNumber is past the consumer's next record (rustinel#429); a filtered
/// query's gaps are not loss.
#[test]
fn p06_record_id_gaps_are_told_apart_with_the_oldest_record_number() {
    let _s = service(0);
    controls::engine()
        .create_channel(
            ChannelConfig::new("Pains/Ring", ChannelType::Operational)
                .with_retention(Retention::Overwrite),
        )
        .unwrap();
    // A filter: ids 2, 4, 6 are skipped, yet nothing is lost.
    write("Pains/Ring", 1..=6, 0);
    let results = query(
        "Pains/Ring",
        Some("*[System[EventID=1 or EventID=3 or EventID=5]]"),
    );
    let (ids, _) = drain(results, 10, 0);
    EvtClose(results);
    assert_eq!(ids, [1, 3, 5]);
    assert!(
        log_info("Pains/Ring", EvtLogOldestRecordNumber) <= 2,
        "no loss"
    );
    // An overwrite while the consumer (next record 7) is away: the oldest moves past it.
    let engine = controls::engine();
    let ring = engine.channel("Pains/Ring").unwrap();
    let generation = ring.generation();
    while ring.generation() == generation || ring.oldest_record_id().unwrap() <= 7 {
        engine.write("Pains/Ring", event(1, 8000)).unwrap();
    }
    let oldest = log_info("Pains/Ring", EvtLogOldestRecordNumber);
    let count = log_info("Pains/Ring", EvtLogNumberOfLogRecords);
    assert!(oldest > 7, "{oldest}");
    assert_eq!(
        oldest + count,
        ring.next_record_id(),
        "contiguous after the oldest"
    );
    let lost = oldest - 7;
    let results = query("Pains/Ring", None);
    let (ids, _) = drain(results, 64, 0);
    EvtClose(results);
    assert_eq!(
        ids.first(),
        Some(&oldest),
        "{lost} records lost, counted exactly"
    );
}

/// P7: an EvtNext held inside a long server-side scan is stopped by EvtCancel with
/// ERROR_CANCELLED (1223), having consumed nothing; a timeout with nothing found is
/// ERROR_TIMEOUT (1460). In depth: results.rs (session_cancel_*), winevt.rs (cancel_procedure).
#[test]
fn p07_a_blocked_evtnext_is_cancelled_and_a_timeout_is_1460() {
    let _s = service(50);
    let results = query("Application", None);
    let pause = controls::engine().pause_at(CallKind::Next, 1);
    let call = thread::spawn(move || next(results, 10, INFINITE));
    pause.wait_stopped(1);
    assert_eq!(EvtCancel(results), TRUE);
    assert_eq!(call.join().unwrap(), Err(ERROR_CANCELLED));
    pause.release();
    assert_eq!(next(results, 1, INFINITE), Err(ERROR_CANCELLED), "sticky");
    EvtClose(results);
    // A sparse filtered query with a zero timeout gives up, by default after 64 records.
    write("Application", (0..200).map(|_| 7), 0);
    let sparse = query("Application", Some("*[System[EventID=4242]]"));
    assert_eq!(next(sparse, 10, 0), Err(ERROR_TIMEOUT));
    EvtClose(sparse);
}

/// P8: a pull subscription's manual-reset signal does not lose a wake-up when the consumer
/// resets before it drains (vector#25194 reset after the drain and froze). In depth:
/// subscribe.rs (pull_lost_wakeup_depends_on_the_reset_order).
#[test]
fn p08_a_manual_reset_signal_is_not_lost_when_reset_before_the_drain() {
    let _s = service(0);
    let (sub, signal) = pull("Application", 0, EvtSubscribeToFutureEvents).unwrap();
    write("Application", 1..=2, 0);
    assert_eq!(WaitForSingleObject(signal, 0), WAIT_OBJECT_0);
    assert_eq!(
        WaitForSingleObject(signal, 0),
        WAIT_OBJECT_0,
        "manual reset"
    );
    assert_eq!(ResetEvent(signal), TRUE);
    assert_eq!(next(sub, 1, 0), Ok(vec![1]));
    write("Application", 3..=3, 0); // arrives during the drain
    assert_eq!(next(sub, 1, 0), Ok(vec![2]));
    assert_eq!(next(sub, 10, 0), Ok(vec![3]));
    assert_eq!(next(sub, 10, 0), Err(ERROR_NO_MORE_ITEMS));
    write("Application", 4..=4, 0); // arrives after the drain
    assert_eq!(WaitForSingleObject(signal, 0), WAIT_OBJECT_0, "not lost");
    EvtClose(sub);
    CloseHandle(signal);
}

/// P9: a writer faster than a reader on a channel that overwrites (the default retention of a
/// bounded channel): the reader behind sees the gap, as ERROR_EVT_QUERY_RESULT_STALE (15011)
/// on its subscription and as the oldest record past its bookmark. In depth: subscribe.rs
/// (overwrite_under_*).
#[test]
fn p09_a_ring_channel_overwrites_under_a_slow_reader_and_the_reader_sees_it() {
    let _s = service(0);
    let engine = controls::engine();
    engine
        .create_channel(
            ChannelConfig::new("Pains/Ring", ChannelType::Operational)
                .with_retention(Retention::Overwrite),
        )
        .unwrap();
    let (sub, signal) = pull("Pains/Ring", 0, EvtSubscribeToFutureEvents).unwrap();
    let bookmark = EvtCreateBookmark(None);
    write("Pains/Ring", 1..=10, 8000);
    let (read, _) = drain(sub, 10, bookmark);
    assert_eq!(read, range(1..=10));
    // The writer goes on past the ring's size while the reader is busy.
    let ring = engine.channel("Pains/Ring").unwrap();
    while ring.oldest_record_id().unwrap() <= 11 {
        engine.write("Pains/Ring", event(1, 8000)).unwrap();
    }
    assert_eq!(next(sub, 10, 0), Err(ERROR_EVT_QUERY_RESULT_STALE));
    assert!(log_info("Pains/Ring", EvtLogOldestRecordNumber) > 11);
    EvtClose(sub);
    CloseHandle(signal);
    EvtClose(bookmark);
}

/// P10: EvtRender's two calls: the first with no buffer fails with ERROR_INSUFFICIENT_BUFFER
/// (122) and BufferUsed the bytes needed (UTF-16 with the NUL); a buffer one byte short fails
/// the same way; an event over 8 KB (beats#41245) comes back whole.
#[test]
fn p10_render_sizing_takes_two_calls_and_never_truncates() {
    let _s = service(0);
    write("Application", 1..=1, 20_000);
    let results = query("Application", None);
    let (_, event) = next_keep(results, 1, INFINITE).unwrap()[0];
    let (mut used, mut count) = (0, 0);
    assert_eq!(
        EvtRender(0, event, EvtRenderEventXml, &mut [], &mut used, &mut count),
        FALSE
    );
    assert_eq!(GetLastError(), ERROR_INSUFFICIENT_BUFFER);
    let needed = used;
    assert!(needed > 40_000 && needed % 2 == 0, "{needed}");
    let mut short = vec![0u8; needed as usize - 1];
    assert_eq!(
        EvtRender(
            0,
            event,
            EvtRenderEventXml,
            &mut short,
            &mut used,
            &mut count
        ),
        FALSE
    );
    assert_eq!((GetLastError(), used), (ERROR_INSUFFICIENT_BUFFER, needed));
    let xml = render(0, event, EvtRenderEventXml);
    assert_eq!((xml.len() + 1) * 2, needed as usize);
    assert!(xml.contains(&"x".repeat(20_000)) && xml.ends_with("</Event>"));
    EvtClose(event);
    EvtClose(results);
}

/// P11 (and §6.2): EvtNext's quirky returns. On an idle pull subscription to future events
/// it is ERROR_INVALID_OPERATION (4317) with 0 handles (winlogbeat and OpenTelemetry read it
/// as "no more items"); once events were delivered, the end is ERROR_NO_MORE_ITEMS (259),
/// as at the end of a query. A short batch is a success.
#[test]
fn p11_an_idle_pull_subscription_is_4317_and_a_query_259() {
    let _s = service(3);
    let (sub, signal) = pull("Application", 0, EvtSubscribeToFutureEvents).unwrap();
    assert_eq!(next(sub, 10, 0), Err(ERROR_INVALID_OPERATION));
    assert_eq!(next(sub, 10, 0), Err(ERROR_INVALID_OPERATION));
    write("Application", 4..=4, 0);
    assert_eq!(next(sub, 10, 0), Ok(vec![4]), "a short batch");
    assert_eq!(next(sub, 10, 0), Err(ERROR_NO_MORE_ITEMS));
    EvtClose(sub);
    CloseHandle(signal);
    let results = query("Application", None);
    assert_eq!(next(results, 10, 0), Ok(vec![1, 2, 3, 4]));
    assert_eq!(next(results, 10, 0), Err(ERROR_NO_MORE_ITEMS));
    EvtClose(results);
}

/// P12: a missing channel is ERROR_EVT_CHANNEL_NOT_FOUND (15007) from EvtQuery, EvtSubscribe
/// and EvtOpenChannelConfig; subscribing to an Analytic or Debug channel is
/// ERROR_EVT_SUBSCRIPTION_TO_DIRECT_CHANNEL (15009), though it can be queried forward.
#[test]
fn p12_a_missing_channel_is_15007_and_a_direct_channel_15009() {
    let _s = service(0);
    assert_eq!(
        EvtQuery(0, Some("Pains/Missing"), None, EvtQueryChannelPath),
        0
    );
    assert_eq!(GetLastError(), ERROR_EVT_CHANNEL_NOT_FOUND);
    assert_eq!(
        pull("Pains/Missing", 0, EvtSubscribeToFutureEvents),
        Err(ERROR_EVT_CHANNEL_NOT_FOUND)
    );
    assert_eq!(EvtOpenChannelConfig(0, Some("Pains/Missing"), 0), 0);
    assert_eq!(GetLastError(), ERROR_EVT_CHANNEL_NOT_FOUND);
    for (name, kind) in [("Pains/Analytic", 2), ("Pains/Debug", 3)] {
        assert_eq!(create_channel_of_type(name, kind), TRUE);
        assert_eq!(
            pull(name, 0, EvtSubscribeToFutureEvents),
            Err(ERROR_EVT_SUBSCRIPTION_TO_DIRECT_CHANNEL),
            "{name}"
        );
        let results = query(name, None);
        assert_eq!(next(results, 1, 0), Err(ERROR_NO_MORE_ITEMS));
        EvtClose(results);
    }
}
