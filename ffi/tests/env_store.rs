//! An unmodified program finds the events of the store `EVTLOG_STORE` names, with no engine
//! control called: the service opens that store on first use. (Its own test binary: the
//! service is made once per process.)

use std::ptr::null;

use evtlog::{Engine, Event};
use wevtapi::*;

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain([0]).collect()
}

#[test]
fn the_service_opens_the_store_evtlog_store_names() {
    let dir = std::env::temp_dir().join(format!("evtlog-env-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    {
        let store = Engine::open_store_dir(&dir).unwrap();
        store.create_default_channels();
        let event = Event::builder("Env-Store-Test").event_id(4242).build();
        store.write("Application", event).unwrap();
    }
    std::env::set_var("EVTLOG_STORE", &dir);

    // SAFETY: every pointer is a live NUL-terminated string or a buffer of the size given.
    unsafe {
        let query = EvtQuery(
            0,
            wide("Application").as_ptr(),
            wide("*[System[EventID=4242]]").as_ptr(),
            EvtQueryChannelPath,
        );
        assert_ne!(query, 0, "EvtQuery: {}", GetLastError());
        let mut events = [0 as EVT_HANDLE; 4];
        let mut returned = 0;
        assert_eq!(
            EvtNext(query, 4, events.as_mut_ptr(), 1000, 0, &mut returned),
            TRUE
        );
        assert_eq!(returned, 1, "the store's one matching event");
        let mut buffer = vec![0u8; 4096];
        let (mut used, mut count) = (0, 0);
        let ok = EvtRender(
            0,
            events[0],
            EvtRenderEventXml,
            buffer.len() as u32,
            buffer.as_mut_ptr().cast(),
            &mut used,
            &mut count,
        );
        assert_eq!(ok, TRUE);
        let units: Vec<u16> = buffer[..used as usize]
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .take_while(|&u| u != 0)
            .collect();
        let xml = String::from_utf16(&units).unwrap();
        assert!(xml.contains("<Provider Name='Env-Store-Test'/>"), "{xml}");
        // The standard channels are there too, and Security is empty.
        let security = EvtQuery(0, wide("Security").as_ptr(), null(), EvtQueryChannelPath);
        assert_ne!(security, 0);
        for handle in [events[0], query, security] {
            EvtClose(handle);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
