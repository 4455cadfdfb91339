//! The soak's workers that use the `winevt` facade, as Windows code calls wevtapi: a writer
//! (the XML engine control), a push subscriber (a callback), a pull subscriber (an
//! auto-reset event, WaitForSingleObject, EvtNext, a bookmark), a querier (EvtQuery,
//! EvtNext, EvtSeek, EvtRender as XML and as values), a clearer (EvtClearLog) and an
//! exporter (EvtExportLog). Errors are read from GetLastError.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use evtlog::winevt::*;
use parking_lot::Mutex;

use crate::ledger::{RunCheck, SubscriberBook, Tag};
use crate::soak::{
    add, all_channels_query, bump, channel_index, Cancelable, HandleSlot, Rng, SessionTarget,
    Shared, Tally, CHANNELS,
};
use crate::watch::Slot;
use crate::workers::{check_export, lagging_slot, pick_to_clear, Pace, Seen};

const ERROR_NO_MORE_ITEMS: u32 = 259;
const ERROR_CANCELLED: u32 = 1223;
const ERROR_NOT_FOUND: u32 = 1168;
const ERROR_INVALID_HANDLE: u32 = 6;
const ERROR_LOG_FILE_FULL: u32 = 1502;
const ERROR_EVT_QUERY_RESULT_STALE: u32 = 15011;

/// The channel the facade's pull subscriber reads.
const PULL_CHANNEL: usize = 1;

/// A session on this computer (EvtOpenSession with localhost).
fn open_session(shared: &Shared) -> EVT_HANDLE {
    let login = EvtRpcLoginInfo {
        server: Some("localhost".into()),
        user: None,
        domain: None,
        password: None,
        flags: 0,
    };
    let session = EvtOpenSession(EvtRpcLogin, Some(&login), 0, 0);
    if session == 0 {
        shared.fail(format!("EvtOpenSession: {}", GetLastError()));
    }
    session
}

fn session_target(shared: &Shared, name: &str, session: EVT_HANDLE) -> Arc<SessionTarget> {
    shared.session_target(
        format!("{name} session"),
        Box::new(move || {
            EvtCancel(session);
        }),
    )
}

/// Classifies a failed call's last error, as `workers::classify` does an error.
fn classify(
    shared: &Shared,
    code: u32,
    handle: Option<(&HandleSlot, &AtomicBool)>,
    target: &SessionTarget,
    mark: u64,
    what: &str,
) -> Seen {
    match code {
        ERROR_EVT_QUERY_RESULT_STALE => Seen::Stale,
        ERROR_CANCELLED => {
            if let Some((slot, flag)) = handle {
                if flag.load(Ordering::SeqCst) {
                    slot.settle();
                    return Seen::HandleCancelled;
                }
            }
            if target.explains(mark) {
                Seen::SessionCancelled
            } else {
                shared.fail(format!(
                    "{what}: ERROR_CANCELLED with no cancel of its handle or of {}",
                    target.name
                ));
                Seen::Failed
            }
        }
        _ => {
            shared.fail(format!("{what}: GetLastError {code}"));
            Seen::Failed
        }
    }
}

/// An event as the facade renders it: XML (size probe, then the call), and what the soak
/// reads from it.
struct Rendered {
    xml_bytes: Vec<u8>,
    xml: String,
}

impl Rendered {
    fn new() -> Rendered {
        Rendered {
            xml_bytes: Vec::new(),
            xml: String::new(),
        }
    }

    fn render(&mut self, event: EVT_HANDLE) -> Result<(), String> {
        let (mut used, mut count) = (0u32, 0u32);
        if EvtRender(0, event, EvtRenderEventXml, &mut [], &mut used, &mut count) != FALSE
            || GetLastError() != 122
        {
            return Err(format!("EvtRender's size probe: {}", GetLastError()));
        }
        self.xml_bytes.resize(used as usize, 0);
        if EvtRender(
            0,
            event,
            EvtRenderEventXml,
            &mut self.xml_bytes,
            &mut used,
            &mut count,
        ) == FALSE
        {
            return Err(format!("EvtRender: {}", GetLastError()));
        }
        let units: Vec<u16> = self.xml_bytes[..used as usize]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .take_while(|&u| u != 0)
            .collect();
        self.xml = String::from_utf16(&units).map_err(|e| e.to_string())?;
        Ok(())
    }

    fn field(&self, open: &str, close: &str) -> Option<&str> {
        let start = self.xml.find(open)? + open.len();
        let end = self.xml[start..].find(close)? + start;
        Some(&self.xml[start..end])
    }

    /// (channel index, record id, tag) of the rendered event.
    fn parts(&self) -> Result<(usize, u64, Tag), String> {
        let number =
            |open: &str, close: &str| -> Option<u64> { self.field(open, close)?.parse().ok() };
        let channel = self
            .field("<Channel>", "</Channel>")
            .and_then(channel_index)
            .ok_or_else(|| format!("no soak channel in {}", self.xml))?;
        let id = number("<EventRecordID>", "</EventRecordID>")
            .ok_or_else(|| format!("no record id in {}", self.xml))?;
        let writer = number("<Data Name='Writer'>", "</Data>");
        let seq = number("<Data Name='Seq'>", "</Data>");
        match (writer, seq) {
            (Some(w), Some(seq)) => Ok((
                channel,
                id,
                Tag {
                    writer: w as usize,
                    seq,
                },
            )),
            _ => Err(format!("no soak tag in {}", self.xml)),
        }
    }
}

/// The record id through a values render context (EvtRenderEventValues), to cross-check
/// the XML.
fn record_id_by_values(context: EVT_HANDLE, event: EVT_HANDLE) -> Option<u64> {
    let (mut used, mut count) = (0u32, 0u32);
    let mut buffer = [0u8; 64];
    if EvtRender(
        context,
        event,
        EvtRenderEventValues,
        &mut buffer,
        &mut used,
        &mut count,
    ) == FALSE
        || count != 1
    {
        return None;
    }
    let ty = u32::from_le_bytes(buffer[12..16].try_into().ok()?);
    read_inline(ty, u64::from_le_bytes(buffer[..8].try_into().ok()?))?.as_u64()
}

/// A writer through the engine control `evtlog_write_event_xml` (Windows' event XML).
pub fn writer(shared: &Shared, slot: &Slot, rng: &mut Rng, w: usize) -> Tally {
    let mut tally = Tally::new();
    let mut pace = Pace::new(shared.cfg.write_rate);
    while !shared.stopped() {
        let c = rng.below(CHANNELS.len() as u64) as usize;
        let seq = shared.acked[w][c].load(Ordering::SeqCst) + 1;
        let xml = format!(
            "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>\
             <Provider Name='Soak-Writer'/><EventID>{}</EventID><Level>4</Level></System>\
             <EventData><Data Name='Writer'>{w}</Data><Data Name='Seq'>{seq}</Data>\
             <Data Name='Payload'>{}</Data></EventData></Event>",
            1000 + w,
            "q".repeat(rng.below(160) as usize)
        );
        let written = {
            let _op = slot.begin("evtlog_write_event_xml");
            controls::write_event_xml(CHANNELS[c], &xml)
        };
        if written == TRUE {
            shared.acked[w][c].store(seq, Ordering::SeqCst);
            bump(&mut tally, "writes (winevt xml)");
        } else if GetLastError() == ERROR_LOG_FILE_FULL {
            bump(&mut tally, "writes refused: channel full");
            std::thread::sleep(Duration::from_millis(1));
        } else {
            shared.fail(format!(
                "writer {w} (winevt): GetLastError {}",
                GetLastError()
            ));
        }
        pace.wait();
    }
    tally
}

/// Delivers a rendered event to a subscriber's books.
fn deliver(
    shared: &Shared,
    book: &Mutex<SubscriberBook>,
    rendered: &mut Rendered,
    event: EVT_HANDLE,
    what: &str,
) {
    let parts = rendered.render(event).and_then(|()| rendered.parts());
    match parts {
        Ok((c, id, tag)) => {
            if let Err(e) = book.lock().deliver(c, &shared.channels[c], id, tag) {
                shared.fail(e);
            }
        }
        Err(e) => shared.fail(format!("{what}: {e}")),
    }
}

/// The push subscriber over every channel (a structured query), from the oldest record,
/// Strict; returns what closes it.
pub fn push_subscriber(shared: &Arc<Shared>) -> Box<dyn FnOnce() -> Tally> {
    let name = "push (winevt)";
    let book = shared.subscriber_book(name, None);
    let session = open_session(shared);
    session_target(shared, name, session);
    let slot = lagging_slot(shared, name, &book);
    let (sh, b, s) = (shared.clone(), book.clone(), slot.clone());
    let mut rendered = Rendered::new();
    let callback: SubscribeCallback = Box::new(move |action, event| {
        s.beat();
        if action == EvtSubscribeActionDeliver {
            deliver(&sh, &b, &mut rendered, event, name);
        } else if action == EvtSubscribeActionError && event as u32 == ERROR_EVT_QUERY_RESULT_STALE
        {
            b.lock().gap_reported(0..CHANNELS.len());
        } else {
            sh.fail(format!("{name}: action {action}, {event}"));
        }
    });
    let subscription = EvtSubscribe(
        session,
        0,
        None,
        Some(&all_channels_query()),
        0,
        Some(callback),
        EvtSubscribeStartAtOldestRecord | EvtSubscribeStrict,
    );
    if subscription == 0 {
        shared.fail(format!("{name}: EvtSubscribe: {}", GetLastError()));
    }
    Box::new(move || {
        if subscription != 0 && EvtClose(subscription) == FALSE {
            book.lock().name.push_str(" (close failed)");
        }
        slot.finish();
        EvtClose(session);
        Tally::new()
    })
}

/// The facade's pull subscriber's state.
struct Pull<'a> {
    shared: &'a Shared,
    slot: &'a Slot,
    target: Arc<SessionTarget>,
    handles: Arc<HandleSlot>,
    book: Arc<Mutex<SubscriberBook>>,
    signal: EVT_HANDLE,
    session: EVT_HANDLE,
    bookmark: EVT_HANDLE,
    tally: Tally,
}

impl Pull<'_> {
    /// EvtSubscribe after the bookmark (Strict), or from the oldest record when nothing was
    /// delivered yet or the bookmarked record is gone (1168).
    fn subscribe(&mut self) -> (EVT_HANDLE, Arc<AtomicBool>) {
        let c = PULL_CHANNEL;
        let mut from_oldest = false;
        loop {
            from_oldest |= self.book.lock().last_id(c) == 0;
            let mark = self.target.mark();
            let sub = {
                let _op = self.slot.begin("EvtSubscribe");
                if from_oldest {
                    EvtSubscribe(
                        self.session,
                        self.signal,
                        Some(CHANNELS[c]),
                        None,
                        0,
                        None,
                        EvtSubscribeStartAtOldestRecord,
                    )
                } else {
                    EvtSubscribe(
                        self.session,
                        self.signal,
                        Some(CHANNELS[c]),
                        None,
                        self.bookmark,
                        None,
                        EvtSubscribeStartAfterBookmark | EvtSubscribeStrict,
                    )
                }
            };
            if sub != 0 {
                if from_oldest {
                    self.book.lock().allow_gap(c);
                }
                bump(&mut self.tally, "subscribes (pull, winevt)");
                let flag = self.handles.offer(Cancelable::Facade(sub));
                return (sub, flag);
            }
            let code = GetLastError();
            if code == ERROR_NOT_FOUND && !from_oldest {
                bump(
                    &mut self.tally,
                    "resubscribes after a cleared bookmark (1168)",
                );
                self.book.lock().gap_reported([c]);
                from_oldest = true;
                continue;
            }
            match classify(
                self.shared,
                code,
                None,
                &self.target,
                mark,
                "EvtSubscribe (pull)",
            ) {
                Seen::SessionCancelled => {
                    bump(&mut self.tally, "cancels seen: session (subscribe)")
                }
                _ => std::thread::sleep(Duration::from_millis(10)),
            }
        }
    }

    fn close(&mut self, sub: EVT_HANDLE) {
        self.handles.withdraw();
        if EvtClose(sub) == FALSE {
            self.shared.fail(format!(
                "pull (winevt): EvtClose(subscription): {}",
                GetLastError()
            ));
        }
    }

    /// A cancelled subscription: ERROR_CANCELLED until closed, then ERROR_INVALID_HANDLE.
    fn after_handle_cancel(&mut self, sub: EVT_HANDLE) {
        bump(&mut self.tally, "cancels seen: subscription (winevt)");
        let (mut events, mut returned) = ([0; 4], 0);
        if EvtNext(sub, &mut events, 0, 0, &mut returned) != FALSE
            || GetLastError() != ERROR_CANCELLED
        {
            self.shared
                .fail("pull (winevt): a cancelled subscription's EvtNext is not ERROR_CANCELLED");
        }
        self.close(sub);
        if EvtNext(sub, &mut events, 0, 0, &mut returned) != FALSE
            || GetLastError() != ERROR_INVALID_HANDLE
        {
            self.shared
                .fail("pull (winevt): a closed subscription's EvtNext is not ERROR_INVALID_HANDLE");
        }
    }
}

/// The facade's pull subscriber: an auto-reset event, WaitForSingleObject, EvtNext until
/// ERROR_NO_MORE_ITEMS, a bookmark updated with the last event of each batch.
pub fn pull_subscriber(shared: &Shared, slot: &Slot, rng: &mut Rng) -> Tally {
    let name = "pull (winevt)";
    let session = open_session(shared);
    let mut p = Pull {
        shared,
        slot,
        target: session_target(shared, name, session),
        handles: shared.handle_slot(),
        book: shared.subscriber_book(name, Some(PULL_CHANNEL)),
        signal: CreateEvent(false, false),
        session,
        bookmark: EvtCreateBookmark(None),
        tally: Tally::new(),
    };
    let mut rendered = Rendered::new();
    let mut events = vec![0; 256];
    let (mut sub, mut flag) = p.subscribe();
    while !shared.stop_subscribers.load(Ordering::SeqCst) {
        let waited = {
            let _op = slot.begin("WaitForSingleObject");
            WaitForSingleObject(p.signal, 50)
        };
        if waited == WAIT_TIMEOUT {
            continue;
        }
        if waited != WAIT_OBJECT_0 {
            shared.fail(format!("{name}: WaitForSingleObject gave {waited}"));
            break;
        }
        loop {
            let mark = p.target.mark();
            let n = 1 + rng.below(events.len() as u64) as usize;
            let mut returned = 0;
            let ok = {
                let _op = slot.begin("EvtNext (subscription)");
                EvtNext(sub, &mut events[..n], 0, 0, &mut returned)
            };
            if ok == TRUE {
                add(&mut p.tally, "events pulled (winevt)", u64::from(returned));
                for &event in &events[..returned as usize] {
                    deliver(shared, &p.book, &mut rendered, event, name);
                }
                if returned > 0 {
                    EvtUpdateBookmark(p.bookmark, events[returned as usize - 1]);
                }
                for &event in &events[..returned as usize] {
                    EvtClose(event);
                }
                continue;
            }
            let code = GetLastError();
            if code == ERROR_NO_MORE_ITEMS {
                break;
            }
            match classify(
                shared,
                code,
                Some((&p.handles, &flag)),
                &p.target,
                mark,
                name,
            ) {
                Seen::SessionCancelled => {
                    bump(&mut p.tally, "cancels seen: session (pull next)");
                    continue;
                }
                Seen::HandleCancelled => p.after_handle_cancel(sub),
                Seen::Stale => {
                    bump(&mut p.tally, "lost-record errors (pull, winevt)");
                    p.book.lock().gap_reported([PULL_CHANNEL]);
                    p.close(sub);
                }
                Seen::Failed => p.close(sub),
            }
            (sub, flag) = p.subscribe();
            break;
        }
    }
    p.close(sub);
    EvtClose(p.bookmark);
    CloseHandle(p.signal);
    EvtClose(session);
    p.tally
}

/// The facade's querier: EvtQuery forward or reverse (a filter on one writer), EvtNext in
/// batches, EvtRender of each event (XML, and now and then values), EvtSeek.
pub fn querier(shared: &Shared, slot: &Slot, rng: &mut Rng) -> Tally {
    let name = "query (winevt)";
    let mut tally = Tally::new();
    let session = open_session(shared);
    let target = session_target(shared, name, session);
    let handles = shared.handle_slot();
    let values = EvtCreateRenderContext(&["Event/System/EventRecordID"], EvtRenderContextValues);
    let mut rendered = Rendered::new();
    let mut events = vec![0; 512];
    while !shared.stopped() {
        let c = rng.below(CHANNELS.len() as u64) as usize;
        let reverse = rng.below(2) == 0;
        let writer = reverse.then(|| rng.below(shared.cfg.writers as u64) as usize);
        let xpath = writer.map(|w| format!("*[System[EventID={}]]", 1000 + w));
        let flags = EvtQueryChannelPath
            | if reverse {
                EvtQueryReverseDirection
            } else {
                EvtQueryForwardDirection
            };
        let mark = target.mark();
        let query = {
            let _op = slot.begin("EvtQuery");
            EvtQuery(session, Some(CHANNELS[c]), xpath.as_deref(), flags)
        };
        if query == 0 {
            let code = GetLastError();
            if let Seen::SessionCancelled = classify(shared, code, None, &target, mark, name) {
                bump(&mut tally, "cancels seen: session (query)");
            }
            continue;
        }
        let flag = handles.offer(Cancelable::Facade(query));
        let mut check = RunCheck::new(shared.cfg.writers);
        let mut last_id = u64::MAX;
        let mut seek_to = (!reverse && rng.below(3) == 0).then(|| rng.below(64));
        let mut keep = true;
        for _ in 0..1 + rng.below(6) {
            if !keep {
                break;
            }
            if let Some(k) = seek_to.take() {
                let mark = target.mark();
                let ok = {
                    let _op = slot.begin("EvtSeek");
                    EvtSeek(query, k as i64, 0, 0, EvtSeekRelativeToFirst)
                };
                if ok == FALSE {
                    keep = seen_ok(shared, &mut tally, &handles, &flag, &target, mark, query);
                    continue;
                }
                bump(&mut tally, "seeks (winevt)");
                check = RunCheck::new(shared.cfg.writers);
            }
            let n = 1 + rng.below(events.len() as u64) as usize;
            let mark = target.mark();
            let mut returned = 0;
            let ok = {
                let _op = slot.begin("EvtNext (query)");
                EvtNext(query, &mut events[..n], INFINITE, 0, &mut returned)
            };
            if ok == FALSE {
                if GetLastError() == ERROR_NO_MORE_ITEMS {
                    break;
                }
                keep = seen_ok(shared, &mut tally, &handles, &flag, &target, mark, query);
                continue;
            }
            add(
                &mut tally,
                "events read by queries (winevt)",
                u64::from(returned),
            );
            for (i, &event) in events[..returned as usize].iter().enumerate() {
                let parts = rendered.render(event).and_then(|()| rendered.parts());
                match parts {
                    Ok((_, id, tag)) => {
                        let order = if reverse {
                            let ok = id < last_id && writer == Some(tag.writer);
                            last_id = id;
                            if ok {
                                Ok(())
                            } else {
                                Err(format!("record {id} (writer {})", tag.writer))
                            }
                        } else {
                            check.next(id, tag)
                        };
                        if let Err(e) = order {
                            shared.fail(format!("{name} {} {xpath:?}: {e}", CHANNELS[c]));
                        }
                        if i == 0 && record_id_by_values(values, event) != Some(id) {
                            shared
                                .fail(format!("{name}: EvtRender values and XML disagree on {id}"));
                        }
                    }
                    Err(e) => shared.fail(format!("{name}: {e}")),
                }
                EvtClose(event);
            }
        }
        handles.withdraw();
        if EvtClose(query) == FALSE && GetLastError() != ERROR_INVALID_HANDLE {
            shared.fail(format!("{name}: EvtClose(query): {}", GetLastError()));
        }
        bump(&mut tally, "queries (winevt)");
    }
    handles.withdraw();
    EvtClose(values);
    EvtClose(session);
    tally
}

/// After a failed EvtNext or EvtSeek on `query`: whether to go on with it (a session
/// cancel: the handle still works) or not (a handle cancel, checked sticky and closed; a
/// stale query; a failure).
fn seen_ok(
    shared: &Shared,
    tally: &mut Tally,
    handles: &HandleSlot,
    flag: &AtomicBool,
    target: &SessionTarget,
    mark: u64,
    query: EVT_HANDLE,
) -> bool {
    let code = GetLastError();
    match classify(
        shared,
        code,
        Some((handles, flag)),
        target,
        mark,
        "query (winevt)",
    ) {
        Seen::SessionCancelled => {
            bump(tally, "cancels seen: session (query)");
            true
        }
        Seen::HandleCancelled => {
            bump(tally, "cancels seen: result set (winevt)");
            let (mut events, mut returned) = ([0; 1], 0);
            if EvtNext(query, &mut events, 0, 0, &mut returned) != FALSE
                || GetLastError() != ERROR_CANCELLED
            {
                shared.fail("query (winevt): a cancelled query's EvtNext is not ERROR_CANCELLED");
            }
            false
        }
        Seen::Stale => {
            bump(tally, "queries gone stale (cleared)");
            false
        }
        Seen::Failed => false,
    }
}

/// The facade's clearer: EvtClearLog with a backup, read back into the books.
pub fn clearer(shared: &Shared, slot: &Slot, rng: &mut Rng) -> Tally {
    let name = "clear (winevt)";
    let mut tally = Tally::new();
    let session = open_session(shared);
    let target = session_target(shared, name, session).with_odds(4);
    while !shared.stopped() {
        std::thread::sleep(Duration::from_millis(2 + rng.below(10)));
        let Some(c) = pick_to_clear(shared, rng) else {
            continue;
        };
        let backup = shared.scratch("backup-winevt");
        let mark = target.mark();
        let ok = {
            let _op = slot.begin("EvtClearLog");
            EvtClearLog(
                session,
                Some(CHANNELS[c]),
                Some(&backup.to_string_lossy()),
                0,
            )
        };
        if ok == TRUE {
            bump(&mut tally, "clears (winevt)");
            shared.account_backup(c, &backup, &mut tally);
        } else {
            let code = GetLastError();
            if let Seen::SessionCancelled = classify(shared, code, None, &target, mark, name) {
                bump(&mut tally, "clears cancelled (winevt)");
            }
            shared.check_no_file(&backup, name);
        }
    }
    EvtClose(session);
    tally
}

/// The facade's exporter: EvtExportLog of a channel (or one writer's events of it).
pub fn exporter(shared: &Shared, slot: &Slot, rng: &mut Rng) -> Tally {
    let name = "export (winevt)";
    let mut tally = Tally::new();
    let session = open_session(shared);
    let target = session_target(shared, name, session);
    while !shared.stopped() {
        std::thread::sleep(Duration::from_millis(1 + rng.below(10)));
        let c = rng.below(CHANNELS.len() as u64) as usize;
        let writer = (rng.below(2) == 0).then(|| rng.below(shared.cfg.writers as u64) as usize);
        let xpath = writer.map(|w| format!("*[System[EventID={}]]", 1000 + w));
        let file = shared.scratch("export-winevt");
        let mark = target.mark();
        let ok = {
            let _op = slot.begin("EvtExportLog");
            EvtExportLog(
                session,
                Some(CHANNELS[c]),
                xpath.as_deref(),
                Some(&file.to_string_lossy()),
                EvtExportLogChannelPath,
            )
        };
        if ok == TRUE {
            bump(&mut tally, "exports (winevt)");
            // EvtExportLog does not say how many: count the file, then check it.
            let mut count = 0u64;
            let _ = crate::soak::read_evtx(&file, |_, _| {
                count += 1;
                Ok(())
            });
            add(&mut tally, "records exported", count);
            check_export(shared, &file, count, writer, name);
        } else {
            match classify(shared, GetLastError(), None, &target, mark, name) {
                Seen::SessionCancelled => bump(&mut tally, "exports cancelled (winevt)"),
                Seen::Stale => bump(&mut tally, "exports stale (cleared meanwhile)"),
                _ => {}
            }
            shared.check_no_file(&file, name);
        }
    }
    EvtClose(session);
    tally
}
