//! Round trips: parse → write → parse gives the same publishers in everything an archive
//! needs, for the test manifest and for providers read from real resource files.

use super::{manifest_xml, read_archive};
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
    let mut back = read_archive(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    for p in &mut back {
        // `read_archive` derives these; the comparison wants the source's form.
        p.parameters = Messages::default();
    }
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
        // The source's strings, plus an empty one for each id an item uses that the
        // culture lacks (and nothing else).
        let mut g = g.clone();
        let used = message_ids(&w);
        if let Some(table) = g.messages.by_culture.get_mut(culture) {
            let have = w.messages.culture(culture);
            table.retain(|id, text| {
                let extra = have.is_none_or(|t| !t.contains_key(id));
                assert!(
                    !extra || (text.is_empty() && used.contains(id)),
                    "{}: {id:#x} = {text:?}",
                    w.name
                );
                !extra
            });
            if table.is_empty() && have.is_none() {
                g.messages = Messages::default();
            }
        }
        assert_eq!(g.messages, w.messages, "{}", w.name);
        assert_eq!(g, w);
    }
}

/// Every message id a publisher's items carry.
fn message_ids(p: &Publisher) -> Vec<u32> {
    let mut ids: Vec<Option<u32>> = vec![p.message_id];
    ids.extend(p.channels.iter().map(|c| c.message_id));
    ids.extend(p.levels.iter().map(|l| l.message_id));
    ids.extend(p.tasks.iter().map(|t| t.message_id));
    ids.extend(p.opcodes.iter().map(|o| o.message_id));
    ids.extend(p.keywords.iter().map(|k| k.message_id));
    ids.extend(p.maps.iter().flat_map(|m| m.entries.iter().map(|e| e.1)));
    ids.extend(p.events.iter().map(|e| e.message_id));
    ids.into_iter().flatten().collect()
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

/// Providers read from real Windows binaries (the `evtx` crate's samples, where present):
/// their WEVT_TEMPLATE metadata with the file's MESSAGETABLE strings round-trip too.
#[test]
fn providers_of_real_resource_files_round_trip() {
    let Some(dir) = sample_dlls() else {
        eprintln!("skipped: the evtx crate's samples/dlls are not available");
        return;
    };
    for name in ["adtschema.dll", "lsasrv.dll", "services.exe", "wevtsvc.dll"] {
        let file = crate::publisher::ResourceFile::open(dir.join(name)).unwrap();
        let messages = file.message_table().unwrap_or_default();
        let mut publishers = file.wevt_template().unwrap();
        for p in &mut publishers {
            p.messages = messages.clone();
            // A resource names no provider (the registry does); an installed one has a name.
            if p.name.is_empty() {
                p.name = format!("Provider-{}", p.guid);
            }
        }
        let culture = messages.cultures().next().unwrap_or("en-US").to_owned();
        let back = round_trip(&publishers, &culture);
        assert_same(&back, &publishers, &culture);
    }
}

/// `samples/dlls` of the evtx package in cargo's registry, if it is there.
fn sample_dlls() -> Option<std::path::PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".cargo")))?;
    let registry = home.join("registry/src");
    std::fs::read_dir(registry)
        .ok()?
        .filter_map(|e| e.ok())
        .map(|e| e.path().join("evtx-0.15.1/samples/dlls"))
        .find(|p| p.is_dir())
}

/// The forms archives use beyond mc's schema: Winmeta items listed in place (with or
/// without their own message), values with no name as numbers, an imported channel's
/// message. A manifest without them reads as before.
#[test]
fn the_parser_reads_the_archive_forms() {
    let text = r#"<instrumentationManifest xmlns="http://schemas.microsoft.com/win/2004/08/events"
        xmlns:win="http://manifests.microsoft.com/win/2004/08/windows/events">
  <instrumentation><events>
    <provider name="P" guid="{00000000-0000-0000-0000-0000000000aa}">
      <channels><importChannel chid="s" name="Security" message="$(string.sec)"/></channels>
      <levels><level name="win:Critical"/><level name="Mine" value="20"/>
        <level name="win:Error" message="$(string.err)"/></levels>
      <tasks><task name="win:None"/></tasks>
      <opcodes><opcode name="win:Stop"/></opcodes>
      <keywords><keyword name="win:AuditSuccess"/></keywords>
      <events>
        <event value="1" level="win:Error" task="7" opcode="192" keywords="0x100 win:AuditSuccess"/>
        <event value="2" level="win:Critical" opcode="win:Stop"/>
      </events>
    </provider>
    <messageTable>
      <message value="0x90000009" message="$(string.sec)"/>
      <message value="0x50000099" message="$(string.err)"/>
    </messageTable>
  </events></instrumentation>
  <localization><resources culture="en-US"><stringTable>
    <string id="sec" value="Sec"/><string id="err" value="Bad"/>
  </stringTable></resources></localization>
</instrumentationManifest>"#;
    let p = parse_manifest(text).unwrap().remove(0);
    assert_eq!(p.channels[0].message_id, Some(0x9000_0009));
    let levels: Vec<_> = p
        .levels
        .iter()
        .map(|l| (l.name.as_str(), l.value, l.message_id))
        .collect();
    assert_eq!(
        levels,
        [
            ("win:Critical", 1, Some(0x5000_0001)),
            ("Mine", 20, None),
            ("win:Error", 2, Some(0x5000_0099)),
        ]
    );
    assert_eq!(p.tasks[0].name, "win:None");
    assert_eq!(p.opcodes[0].name, "win:Stop");
    assert_eq!(p.keywords[0].mask, 0x0020_0000_0000_0000);
    let e = &p.events[0];
    assert_eq!((e.level, e.task, e.opcode), (2, 7, 192));
    assert_eq!(e.keywords, 0x0020_0000_0000_0100);
    assert_eq!((p.events[1].level, p.events[1].opcode), (1, 2));
    assert_eq!(p.messages.culture("en-US").unwrap()[&0x5000_0099], "Bad");
    // A name that is not defined is still an error.
    let bad = text.replace(r#"task="7""#, r#"task="Nope""#);
    assert!(parse_manifest(&bad)
        .unwrap_err()
        .to_string()
        .contains("task Nope"));
}
