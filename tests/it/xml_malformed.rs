//! Malformed event XML: every failure is ERROR_EVT_MALFORMED_XML_TEXT (15008) with the line
//! and column of the offending markup, and no input panics.

use evtlog::{ErrorKind, Event};
use proptest::prelude::*;

use crate::fixture;

/// (input, expected line, expected column, a word the message must contain)
const CASES: &[(&str, u32, u32, &str)] = &[
    ("", 1, 1, "no root element"),
    ("   \n  ", 2, 3, "no root element"),
    ("<Foo/>", 1, 1, "not <Event>"),
    ("<Event><System><EventID>1</EventID></System>", 1, 45, "not closed"),
    ("<Event><System><EventID>1</EventID></Sistem></Event>", 1, 36, "not well-formed"),
    ("<Event><System><EventID>abc</EventID></System></Event>", 1, 16, "not a number"),
    ("<Event><System><EventID>70000</EventID></System></Event>", 1, 16, "not a number"),
    ("<Event><System><EventID>1</EventID><Bogus/></System></Event>", 1, 36, "Bogus"),
    ("<Event>\n  <System>\n    <EventID>1</EventID>\n    <Keywords>zz</Keywords>\n  </System>\n</Event>", 4, 5, "Keywords"),
    ("<Event><System><EventID>1</EventID></System><EventData><Data>&bogus;</Data></EventData></Event>", 1, 62, "entity"),
    ("<Event><System><Provider Guid='{nope}'/><EventID>1</EventID></System></Event>", 1, 16, "not a GUID"),
    ("junk<Event><System><EventID>1</EventID></System></Event>", 1, 1, "outside the root"),
    ("<Event><System><EventID>1</EventID></System></Event><Event/>", 1, 53, "more than one root"),
    ("<Event><System><EventID>1</EventID></System><EventData><Binary>XYZ</Binary></EventData></Event>", 1, 56, "hex"),
    ("<Event><EventData/></Event>", 1, 1, "no <System>"),
    ("<Event><System/></Event>", 1, 8, "no <EventID>"),
    ("<Event><System><EventID>1</EventID><TimeCreated SystemTime='yesterday'/></System></Event>", 1, 36, "ISO 8601"),
    ("<Event><System><EventID>1</EventID><Security UserID='S-1-x'/></System></Event>", 1, 36, "not a SID"),
    ("<Event><System><EventID>1</EventID><Level>1<b/></Level></System></Event>", 1, 36, "text only"),
    ("<Event><System><EventID>1</EventID></System><EventData/><UserData/></Event>", 1, 57, "unexpected <UserData>"),
    ("<Event><System><EventID a='1'>1</EventID></System></Event>", 1, 16, "attribute a"),
    ("<Event><System><EventID>1</EventID></System></Event", 1, 45, "not well-formed"),
    ("<Event><System><EventID>1</EventID><Channel>a<b</Channel></System></Event>", 1, 46, "no valid element name"),
    ("<Event><System><Provider Name='a' Name='b'/><EventID>1</EventID></System></Event>", 1, 16, "attribute"),
    // Fuzz finding: the reader takes `<\n/>` as an element named "", which renders as `</>`.
    ("<Event><System><EventID>1</EventID></System><EventData><Data>S<\n/></Data></EventData></Event>", 1, 63, "no valid element name"),
    ("<Event><System><EventID>1</EventID></System><UserData><a 1b='x'/></UserData></Event>", 1, 55, "no valid name"),
];

#[test]
fn malformed_inputs_report_code_and_position() {
    for (input, line, column, word) in CASES {
        let err = Event::from_xml(input).expect_err(input);
        assert_eq!(err.kind(), ErrorKind::MalformedXml, "{input}");
        assert_eq!(err.win32_code(), 15008, "{input}");
        assert_eq!(err.position(), Some((*line, *column)), "{input}: {err}");
        assert!(
            err.to_string().contains(word),
            "{input}: message {err} lacks {word:?}"
        );
    }
}

fn valid_texts() -> Vec<String> {
    [
        "7036-scm-qualifiers-binary.xml",
        "4624-named-eventdata.xml",
        "1102-userdata.xml",
        "1001-wer-unnamed-data.xml",
        "0001-sysmon-escapes.xml",
    ]
    .iter()
    .map(|f| fixture(&format!("events/{f}")))
    .collect()
}

proptest! {
    /// Any string: no panic; an error always carries a position.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        if let Err(e) = Event::from_xml(&text) {
            prop_assert_eq!(e.kind(), ErrorKind::MalformedXml);
            prop_assert!(e.position().is_some());
        }
    }

    /// Cutting a valid event short always fails, with a position inside the input.
    #[test]
    fn truncated_events_fail_with_position(which in 0usize..5, cut in 0.0f64..1.0) {
        let text = &valid_texts()[which];
        let mut at = (text.len() as f64 * cut) as usize;
        while !text.is_char_boundary(at) { at -= 1; }
        let err = Event::from_xml(&text[..at]).expect_err("a truncated event must not parse");
        let (line, column) = err.position().expect("position");
        prop_assert_eq!(line, 1);
        prop_assert!(column as usize <= text[..at].chars().count() + 1);
    }

    /// Splicing random characters into a valid event never panics.
    #[test]
    fn mutated_events_never_panic(which in 0usize..5, at in 0.0f64..1.0, junk in "[<>&;'\"/= a-zA-Z0-9#x{}-]{1,8}") {
        let text = &valid_texts()[which];
        let mut i = (text.len() as f64 * at) as usize;
        while !text.is_char_boundary(i) { i -= 1; }
        let mutated = format!("{}{}{}", &text[..i], junk, &text[i..]);
        if let Err(e) = Event::from_xml(&mutated) {
            prop_assert_eq!(e.win32_code(), 15008);
            prop_assert!(e.position().is_some());
        }
    }
}
