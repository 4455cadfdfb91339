//! Untrusted text nested far past every limit fails with the format's error and position,
//! on a thread with a small stack (a regression would overflow it and abort the process).

use evtlog::{Bookmark, Event, FileTime, XPathFilter, MAX_XML_DEPTH};

/// Runs `f` on a thread with a 512 KiB stack (a quarter of a spawned thread's default).
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the thread ran to its end")
}

fn event_with_user_data(depth: usize) -> String {
    format!(
        "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>\n\
         <System><Provider Name='P'/><EventID>1</EventID></System>\n\
         <UserData>{}x{}</UserData></Event>",
        "<a>".repeat(depth),
        "</a>".repeat(depth)
    )
}

/// The case: ~13,800 nested elements in UserData. Now 15008 at the element that goes
/// over the limit: `<Event>` is level 1 and `<UserData>` level 2, so the limit's `<a>` is
/// the (limit - 2)th, on line 3 after the 10 characters of `<UserData>`.
#[test]
fn event_xml_nested_past_the_limit_is_15008_at_the_element() {
    let got = on_small_stack(|| {
        [13_800, 100_000].map(|depth| {
            let e = Event::from_xml(&event_with_user_data(depth)).expect_err("too deep");
            (e.win32_code(), e.position())
        })
    });
    let column = 10 + 3 * (MAX_XML_DEPTH - 2) as u32 + 1;
    assert_eq!(
        got,
        [(15008, Some((3, column))), (15008, Some((3, column)))]
    );
}

/// At the limit an event parses, renders, parses back, clones, is queried and is dropped,
/// all on the small stack.
#[test]
fn event_xml_at_the_limit_round_trips_on_a_small_stack() {
    let ok = on_small_stack(|| {
        let event = Event::from_xml(&event_with_user_data(MAX_XML_DEPTH - 2)).expect("at limit");
        let again = Event::from_xml(&event.to_xml()).expect("its rendering parses back");
        let query = format!("*[UserData{}='x']", "/a".repeat(MAX_XML_DEPTH - 2));
        let filter = XPathFilter::compile(&query).expect("a long path");
        let copy = again.clone();
        again == event && filter.matches(&copy, FileTime::default())
    });
    assert!(ok);
}

#[test]
fn bookmark_xml_nested_deep_is_15008_at_the_element() {
    let got = on_small_stack(|| {
        let deep = format!("<BookmarkList>{}", "<Bookmark>".repeat(100_000));
        let nested_lists = "<BookmarkList>".repeat(100_000);
        [deep, nested_lists].map(|xml| {
            let e = Bookmark::from_xml(&xml).expect_err("malformed");
            (e.win32_code(), e.position())
        })
    });
    // The first <Bookmark> lacks its attributes; the second <BookmarkList> is a child where
    // only Bookmark elements may stand: either way the first element past the root.
    assert_eq!(got[0].0, 15008);
    assert_eq!(got[0].1, Some((1, 15)));
    assert_eq!(got[1].0, 15008);
    assert_eq!(got[1].1, Some((1, 15)));
}
