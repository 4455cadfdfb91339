//! EvtFormatMessage through handles: the buffer protocol, every flag, and the error codes.
//! Each test uses its own channel and publisher name (the service is shared by the crate's
//! tests), never resetting the service.

use super::*;
use crate::error::codes::*;
use crate::publisher::{sample_event, sample_publisher};
use crate::winevt::{
    controls, EvtClose, EvtNext, EvtQuery, EvtQueryChannelPath, GetLastError, FALSE, TRUE,
};

/// Installs the sample provider as `name`, writes `events` (their provider renamed) to a
/// fresh channel `channel`, and returns the event handles.
fn setup(name: &str, channel: &str, events: Vec<crate::Event>) -> Vec<EVT_HANDLE> {
    let mut p = sample_publisher();
    p.name = name.into();
    service::engine().publishers().install(p);
    assert_eq!(controls::create_channel(channel), TRUE);
    for mut e in events {
        e.system.provider.name = Some(name.into());
        e.system.channel = None;
        service::engine().write(channel, e).unwrap();
    }
    let q = EvtQuery(0, Some(channel), None, EvtQueryChannelPath);
    assert_ne!(q, 0);
    let mut handles = [0; 16];
    let mut n = 0;
    assert_eq!(EvtNext(q, &mut handles, 0, 0, &mut n), TRUE);
    handles[..n as usize].to_vec()
}

/// Probe, then retry with exactly the size needed; returns (result, last error, text).
fn call(
    m: EVT_HANDLE,
    e: EVT_HANDLE,
    id: u32,
    values: &[Value],
    flags: u32,
) -> (BOOL, u32, String) {
    let mut used = 0;
    let r = EvtFormatMessage(m, e, id, values, flags, &mut [], &mut used);
    if r == FALSE && GetLastError() != ERROR_INSUFFICIENT_BUFFER {
        return (r, GetLastError(), String::new());
    }
    if r == TRUE {
        assert_eq!(used, 1, "only an empty result fits no buffer");
        return (r, 0, String::new());
    }
    let mut buffer = vec![0xAAAAu16; used as usize];
    let mut used2 = 0;
    let r = EvtFormatMessage(m, e, id, values, flags, &mut buffer, &mut used2);
    let error = if r == FALSE { GetLastError() } else { 0 };
    assert_eq!(used2, used, "the retry uses what the probe asked for");
    assert_eq!(buffer[used as usize - 1], 0);
    (
        r,
        error,
        String::from_utf16(&buffer[..used as usize - 1]).unwrap(),
    )
}

#[test]
fn every_flag_through_the_buffer_protocol() {
    let events = setup("Fmt-Facade-Flags", "Fmt-Facade/Flags", vec![sample_event()]);
    let m = open_metadata_handle(Some("Fmt-Facade-Flags"), 0).unwrap();
    let e = events[0];
    let ok = |flags, want: &str| {
        let (r, err, text) = call(m, e, 0, &[], flags);
        assert_eq!((r, err), (TRUE, 0), "flag {flags}");
        assert_eq!(text, want, "flag {flags}");
    };
    ok(
        EvtFormatMessageEvent,
        "User alice <admin> connected 3 times.\r\n\tHandle:\t0x3E7\r\r\nMode: Offline (S-1-5-18)",
    );
    ok(EvtFormatMessageLevel, "Information");
    ok(EvtFormatMessageTask, "Connection");
    ok(EvtFormatMessageOpcode, "Handshake");
    ok(EvtFormatMessageKeyword, "Network\0Disk\0");
    ok(EvtFormatMessageChannel, "Contoso Demo Agent Operational");
    ok(EvtFormatMessageProvider, "Contoso Demo Agent");
    let (r, _, xml) = call(m, e, 0, &[], EvtFormatMessageXml);
    assert_eq!(r, TRUE);
    assert!(xml.starts_with("<Event xmlns="), "{xml}");
    assert!(xml.ends_with("<Keywords><Keyword>Network</Keyword><Keyword>Disk</Keyword></Keywords></RenderingInfo></Event>"), "{xml}");
    // Keyword: the list ends with a double NUL inside BufferUsed.
    let mut buffer = [0xAAAAu16; 64];
    let mut used = 0;
    assert_eq!(
        EvtFormatMessage(
            m,
            e,
            0,
            &[],
            EvtFormatMessageKeyword,
            &mut buffer,
            &mut used
        ),
        TRUE
    );
    assert_eq!(used, 14);
    assert_eq!(
        &buffer[11..16],
        &[u16::from(b'k'), 0, 0, 0xAAAA, 0xAAAA][..]
    );
    // Id: the raw template with 15029, the string in the buffer all the same.
    let (r, err, text) = call(m, 0, 0xB001_0064, &[], EvtFormatMessageId);
    assert_eq!((r, err), (FALSE, ERROR_EVT_UNRESOLVED_VALUE_INSERT));
    assert_eq!(text, "Version 1: %1");
    let (r, err, text) = call(
        m,
        0,
        0xB001_0064,
        &[Value::String("x".into())],
        EvtFormatMessageId,
    );
    assert_eq!((r, err, text.as_str()), (TRUE, 0, "Version 1: x"));
    EvtClose(m);
}

#[test]
fn buffer_protocol_too_small_empty_and_warnings() {
    let mut short = sample_event();
    short.body = crate::event::Body::None;
    let events = setup(
        "Fmt-Facade-Buffer",
        "Fmt-Facade/Buffer",
        vec![sample_event(), short],
    );
    let m = open_metadata_handle(Some("Fmt-Facade-Buffer"), 0).unwrap();
    // One character short: 122, the needed size, the buffer untouched.
    let mut used = 0;
    let mut buffer = [0xAAAAu16; 10];
    assert_eq!(
        EvtFormatMessage(
            m,
            events[0],
            0,
            &[],
            EvtFormatMessageTask,
            &mut buffer,
            &mut used
        ),
        FALSE
    );
    assert_eq!((GetLastError(), used), (ERROR_INSUFFICIENT_BUFFER, 11));
    assert_eq!(buffer, [0xAAAA; 10]);
    // Exactly right.
    let mut buffer = [0xAAAAu16; 11];
    assert_eq!(
        EvtFormatMessage(
            m,
            events[0],
            0,
            &[],
            EvtFormatMessageTask,
            &mut buffer,
            &mut used
        ),
        TRUE
    );
    assert_eq!(String::from_utf16(&buffer[..10]).unwrap(), "Connection");
    // An empty result (no named keyword) is TRUE with BufferUsed 1, even with no buffer.
    let mut no_keywords = sample_event();
    no_keywords.system.keywords = Some(0x8000_0000_0000_0000);
    let events2 = setup("Fmt-Facade-Empty", "Fmt-Facade/Empty", vec![no_keywords]);
    let m2 = open_metadata_handle(Some("Fmt-Facade-Empty"), 0).unwrap();
    used = 7;
    assert_eq!(
        EvtFormatMessage(
            m2,
            events2[0],
            0,
            &[],
            EvtFormatMessageKeyword,
            &mut [],
            &mut used
        ),
        TRUE
    );
    assert_eq!(used, 1);
    let mut one = [0xAAAAu16; 1];
    assert_eq!(
        EvtFormatMessage(
            m2,
            events2[0],
            0,
            &[],
            EvtFormatMessageKeyword,
            &mut one,
            &mut used
        ),
        TRUE
    );
    assert_eq!(one, [0]);
    // Missing inserts: FALSE, 15029, the string in the buffer, BufferUsed valid.
    let (r, err, text) = call(m, events[1], 0, &[], EvtFormatMessageEvent);
    assert_eq!((r, err), (FALSE, ERROR_EVT_UNRESOLVED_VALUE_INSERT));
    assert_eq!(
        text,
        "User %1 connected %2 times.\r\n\tHandle:\t%3\r\r\nMode: %4 (%5)"
    );
    EvtClose(m);
    EvtClose(m2);
}

#[test]
fn errors_for_flags_handles_locale_and_uninstall() {
    let events = setup(
        "Fmt-Facade-Errors",
        "Fmt-Facade/Errors",
        vec![sample_event()],
    );
    let e = events[0];
    let m = open_metadata_handle(Some("Fmt-Facade-Errors"), 0).unwrap();
    let code = |m, e, id, values: &[Value], flags| call(m, e, id, values, flags).1;
    for flags in [0, 10, 0x100] {
        assert_eq!(
            code(m, e, 0, &[], flags),
            ERROR_INVALID_PARAMETER,
            "flags {flags}"
        );
    }
    // Id wants no event; other flags want one, of the right kind.
    assert_eq!(
        code(m, e, 0xB001_0064, &[], EvtFormatMessageId),
        ERROR_INVALID_PARAMETER
    );
    assert_eq!(
        code(m, 0, 0, &[], EvtFormatMessageEvent),
        ERROR_INVALID_HANDLE
    );
    assert_eq!(
        code(m, m, 0, &[], EvtFormatMessageEvent),
        ERROR_INVALID_HANDLE
    );
    assert_eq!(
        code(e, e, 0, &[], EvtFormatMessageEvent),
        ERROR_INVALID_HANDLE
    );
    assert_eq!(
        code(0x7777, e, 0, &[], EvtFormatMessageEvent),
        ERROR_INVALID_HANDLE
    );
    // Values only with Event, Xml and Id.
    let v = [Value::String("x".into())];
    assert_eq!(
        code(m, e, 0, &v, EvtFormatMessageLevel),
        ERROR_INVALID_PARAMETER
    );
    assert_eq!(
        code(m, 0, 0x1234, &[], EvtFormatMessageId),
        ERROR_EVT_MESSAGE_ID_NOT_FOUND
    );
    // A strict locale the publisher lacks.
    let de = open_metadata_handle(Some("Fmt-Facade-Errors"), 0x0407).unwrap();
    assert_eq!(
        code(de, e, 0, &[], EvtFormatMessageEvent),
        ERROR_EVT_MESSAGE_LOCALE_NOT_FOUND
    );
    let fr = open_metadata_handle(Some("Fmt-Facade-Errors"), 0x040c).unwrap();
    assert_eq!(call(fr, e, 0, &[], EvtFormatMessageTask).2, "Connexion");
    // The default publisher: Winmeta for levels; Channel, Provider and Xml need a publisher.
    assert_eq!(call(0, e, 0, &[], EvtFormatMessageLevel).2, "Information");
    // Opcode 11 is the provider's, which the default publisher does not know.
    assert_eq!(
        code(0, e, 0, &[], EvtFormatMessageOpcode),
        ERROR_EVT_MESSAGE_NOT_FOUND
    );
    assert_eq!(call(0, e, 0, &[], EvtFormatMessageKeyword).2, "");
    assert_eq!(
        code(0, e, 0, &[], EvtFormatMessageProvider),
        ERROR_INVALID_PARAMETER
    );
    assert_eq!(
        code(0, e, 0, &[], EvtFormatMessageEvent),
        ERROR_EVT_MESSAGE_NOT_FOUND
    );
    assert_eq!(call(0, 0, 0x5000_0002, &[], EvtFormatMessageId).2, "Error");
    // Uninstalled under the handle: 15037.
    service::engine()
        .publishers()
        .uninstall("Fmt-Facade-Errors");
    assert_eq!(
        code(m, e, 0, &[], EvtFormatMessageEvent),
        ERROR_EVT_PUBLISHER_DISABLED
    );
    for h in [m, de, fr] {
        EvtClose(h);
    }
}
