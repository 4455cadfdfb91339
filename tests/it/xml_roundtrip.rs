//! Property test: for any event of the model, render -> parse -> render is the identity
//! (the parser reads back everything the renderer writes, and the renderer is a function of
//! the text forms only).

use evtlog::Event;
use proptest::prelude::*;

use crate::support::events::{event, system, Flavor::RoundTrip};

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn render_parse_render_is_identity(event in event(RoundTrip)) {
        let xml = event.to_xml();
        prop_assert!(!xml.contains('\n') && !xml.contains('\r'), "rendering must be one line: {}", xml);
        let parsed = Event::from_xml(&xml).map_err(|e| TestCaseError::fail(format!("{e}\n{xml}")))?;
        prop_assert_eq!(parsed.to_xml(), xml);
    }

    /// Typed System fields survive the trip exactly (not just their text).
    #[test]
    fn system_fields_survive_exactly(system in system(RoundTrip)) {
        let event = Event { system, ..Event::default() };
        let parsed = Event::from_xml(&event.to_xml()).unwrap();
        let mut expected = event.system.clone();
        // NUL cannot be written in XML; the renderer drops it.
        let no_nul = |s: &str| s.replace('\0', "");
        for s in [&mut expected.provider.event_source_name].into_iter().flatten() {
            *s = no_nul(s);
        }
        for s in [&mut expected.provider.name, &mut expected.channel, &mut expected.computer].into_iter().flatten() {
            *s = no_nul(s).into();
        }
        prop_assert_eq!(parsed.system, expected);
    }
}
