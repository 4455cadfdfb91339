//! Round trips: parse → write → parse gives the same publishers in everything an archive
//! needs, for the test manifest and for providers read from real resource files.

use super::manifest_xml;
use crate::publisher::{parse_manifest, Messages, Publisher};

const FIXTURE: &str = include_str!("../../fixtures/manifests/evtlog-test.man");

/// What reading an archive of `p` in `culture` must give back: `p` with only that
/// culture's strings, its parameter strings folded into its messages (a message's text
/// winning a shared id), and no parameter table (the reader derives it).
pub(crate) fn archived_form(p: &Publisher, culture: &str) -> Publisher {
    let mut want = p.clone();
    let mut messages = Messages::default();
    if let Some(params) = p.parameters.culture(culture) {
        for (id, text) in params {
            messages.insert(culture, *id, text.clone());
        }
    }
    if let Some(table) = p.messages.culture(culture) {
        for (id, text) in table {
            messages.insert(culture, *id, text.clone());
        }
    }
    want.messages = messages;
    want.parameters = Messages::default();
    want
}

/// Parses what `manifest_xml` wrote, with the culture named as the writer names it.
fn round_trip(publishers: &[Publisher], culture: &str) -> Vec<Publisher> {
    let refs: Vec<&Publisher> = publishers.iter().collect();
    let xml = manifest_xml(&refs, culture);
    let mut back = parse_manifest(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    // The culture's name is the one asked for (the parser keeps the name as written).
    for p in &mut back {
        if let Some((_, table)) = std::mem::take(&mut p.messages.by_culture).pop_first() {
            for (id, text) in table {
                p.messages.insert(culture, id, text);
            }
        }
    }
    back
}

fn assert_same(got: &[Publisher], want: &[Publisher], culture: &str) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        let w = archived_form(w, culture);
        // Field by field first, for a readable failure.
        assert_eq!(g.name, w.name);
        assert_eq!(g.channels, w.channels, "{}", w.name);
        assert_eq!(g.levels, w.levels, "{}", w.name);
        assert_eq!(g.tasks, w.tasks, "{}", w.name);
        assert_eq!(g.opcodes, w.opcodes, "{}", w.name);
        assert_eq!(g.keywords, w.keywords, "{}", w.name);
        assert_eq!(g.maps, w.maps, "{}", w.name);
        assert_eq!(g.templates, w.templates, "{}", w.name);
        assert_eq!(g.events, w.events, "{}", w.name);
        assert_eq!(g.messages, w.messages, "{}", w.name);
        assert_eq!(g, &w);
    }
}

#[test]
fn the_test_manifest_round_trips_in_each_culture() {
    let original = parse_manifest(FIXTURE).unwrap();
    for culture in ["en-US", "fr-FR"] {
        let mut back = round_trip(&original, culture);
        assert!(!back[0].messages.is_empty());
        if culture == "fr-FR" {
            // Event 301's message (0x20000002) is in en-US only: the archive carries it
            // as an empty string, and nothing else is added.
            assert!(original[0]
                .messages
                .culture("fr-FR")
                .unwrap()
                .get(&0x2000_0002)
                .is_none());
            let table = back[0].messages.by_culture.get_mut("fr-FR").unwrap();
            assert_eq!(table.remove(&0x2000_0002).as_deref(), Some(""));
        }
        assert_same(&back, &original, culture);
    }
}

/// A culture the publisher lacks gives an empty string for every id its items use.
#[test]
fn a_culture_the_publisher_lacks_gives_empty_strings() {
    let original = parse_manifest(FIXTURE).unwrap();
    let back = round_trip(&original, "de-DE");
    let table = back[0].messages.culture("de-DE").unwrap();
    assert!(table.values().all(String::is_empty));
    for e in &original[0].events {
        if let Some(id) = e.message_id {
            assert_eq!(table.get(&id).map(String::as_str), Some(""), "{id:#x}");
        }
    }
    assert_eq!(back[0].events, original[0].events);
}

/// Text that XML would otherwise change (line ends, tabs, quotes, markup, controls) and
/// parameter strings survive; a parameter id that a message also uses keeps the message.
#[test]
fn awkward_text_and_parameters_survive() {
    let mut p = parse_manifest(FIXTURE).unwrap().remove(0);
    let tricky = "a\r\n\tb \"q\" 'x' <y> & z\u{1}  end  \r\n";
    let id = p.events[0].message_id.unwrap();
    p.messages.insert("en-US", id, tricky);
    p.parameters.insert("en-US", 1833, "granted\r\n");
    p.parameters.insert("en-US", id, "loses to the message");
    p.parameter_file = Some("%SystemRoot%\\system32\\msobjs.dll".into());
    let back = round_trip(std::slice::from_ref(&p), "en-US");
    let table = back[0].messages.culture("en-US").unwrap();
    assert_eq!(table[&id], tricky);
    assert_eq!(table[&1833], "granted\r\n");
    assert_eq!(back[0].parameter_file, p.parameter_file);
    assert_same(&back, &[p], "en-US");
}
