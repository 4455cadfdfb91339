//! `inline_xml` against the general path: crafted inline documents of the shapes it takes
//! and of each shape it must leave to the general path, the same documents mutated, and
//! every record of every sample.

use super::expand::Expansion;
use super::fast_tests::sample_files;
use super::general::General;
use super::inline_xml::Inline;
use super::map;
use super::tokens::Decoder;
use crate::evtx::EvtxFile;

/// Where crafted documents start in their chunk.
const AT: usize = 512;

/// A crafted inline document, names written inline, from chunk offset [`AT`].
#[derive(Clone, Default)]
struct Doc(Vec<u8>);

impl Doc {
    fn new() -> Doc {
        Doc(vec![0x0F, 1, 1, 0])
    }

    /// A name reference, its entry inline right after it.
    fn name(&mut self, name: &str) {
        let off = (AT + self.0.len() + 4) as u32;
        self.0.extend(off.to_le_bytes());
        self.0.extend([0; 6]);
        let units: Vec<u16> = name.encode_utf16().collect();
        self.0.extend((units.len() as u16).to_le_bytes());
        self.0.extend(units.iter().flat_map(|u| u.to_le_bytes()));
        self.0.extend([0, 0]);
    }

    /// A string value token.
    fn text(&mut self, text: &str) -> &mut Doc {
        let units: Vec<u16> = text.encode_utf16().collect();
        self.0.extend([0x05, 0x01]);
        self.0.extend((units.len() as u16).to_le_bytes());
        self.0.extend(units.iter().flat_map(|u| u.to_le_bytes()));
        self
    }

    /// An element's start tag, each attribute's value as string value tokens; `empty`
    /// closes it at once (CloseEmptyElement).
    fn open(&mut self, name: &str, attributes: &[(&str, &[&str])], empty: bool) -> &mut Doc {
        self.0.push(if attributes.is_empty() { 0x01 } else { 0x41 });
        self.0.extend([0; 4]);
        self.name(name);
        if !attributes.is_empty() {
            self.0.extend([0; 4]);
            for (attr, parts) in attributes {
                self.0.push(0x06);
                self.name(attr);
                for part in *parts {
                    self.text(part);
                }
            }
        }
        self.0.push(if empty { 0x03 } else { 0x02 });
        self
    }

    /// `<name attributes>parts</name>`.
    fn leaf(&mut self, name: &str, attributes: &[(&str, &[&str])], parts: &[&str]) -> &mut Doc {
        self.open(name, attributes, false);
        for part in parts {
            self.text(part);
        }
        self.close()
    }

    fn close(&mut self) -> &mut Doc {
        self.0.push(0x04);
        self
    }

    fn raw(&mut self, bytes: &[u8]) -> &mut Doc {
        self.0.extend(bytes);
        self
    }
}

/// `<Event xmlns=…>` and a usual `<System>`.
fn event_and_system() -> Doc {
    let mut d = Doc::new();
    d.open(
        "Event",
        &[(
            "xmlns",
            &["http://schemas.microsoft.com/win/2004/08/events/event"],
        )],
        false,
    );
    d.open("System", &[], false)
        .open(
            "Provider",
            &[("Name", &["MSExchange ", "CmdletLogs"])],
            true,
        )
        .leaf("EventID", &[("Qualifiers", &["16384"])], &["1"])
        .leaf("Level", &[], &["4"])
        .leaf("Keywords", &[], &["0x80000000000000"])
        .open(
            "TimeCreated",
            &[("SystemTime", &["2021-11-19T16:52:33.8337335Z"])],
            true,
        )
        .leaf("EventRecordID", &[], &["3229"])
        .leaf("Channel", &[], &["MSExchange Management"])
        .leaf("Computer", &[], &["WEC.", "ave.local"])
        .open("Security", &[], true)
        .close();
    d
}

/// [`event_and_system`] with an `<EventData>` of the usual items.
fn usual() -> Doc {
    let mut d = event_and_system();
    d.open("EventData", &[], false)
        .leaf("Data", &[], &["Set-Mailbox"])
        .leaf("Data", &[("Name", &["a&", "b"])], &["x<y ", "\"z\""])
        .leaf("Data", &[], &["forêt « DC »", "\u{1F600}"])
        .open("Data", &[], true)
        .leaf("Data", &[], &[])
        .close()
        .close()
        .raw(&[0x00]);
    d
}

/// The document's XML from the inline writer and from the general path (`decode`'s:
/// tree, direct System, `Event`); the writer's `None` leaves its output as it was.
fn both(doc: &[u8]) -> (Option<String>, Result<String, String>) {
    let mut chunk = vec![0u8; 65536];
    let end = (AT + doc.len()).min(chunk.len());
    chunk[AT..end].copy_from_slice(&doc[..end - AT]);
    let mut tokens = Decoder::new(&chunk, 4096);
    let (mut text, mut out) = (String::new(), String::from("kept"));
    let inline = Inline::new(&mut tokens, &mut text).record(AT, end, &mut out);
    let inline = match inline {
        Some(()) => Some(out[4..].to_string()),
        None => {
            assert_eq!(out, "kept", "nothing written on None");
            None
        }
    };
    let mut tokens = Decoder::new(&chunk, 4096);
    let mut expansion = Expansion::new(4096);
    let general = General::new(&mut tokens, &mut expansion)
        .document_system(AT, end)
        .and_then(|(nodes, system)| map::event(nodes, system, 0))
        .map(|event| event.to_xml())
        .map_err(|e| e.to_string());
    (inline, general)
}

/// Written inline, and equal to the general path's.
fn taken(doc: &Doc) -> String {
    let (inline, general) = both(&doc.0);
    let inline = inline.expect("written inline");
    assert_eq!(Ok(inline.clone()), general);
    inline
}

/// An Event and System, then an `<EventData>` whose one `<Data>` holds `tokens` as they are.
fn data_of_tokens(tokens: &[u8]) -> Doc {
    let mut d = event_and_system();
    d.open("EventData", &[], false)
        .open("Data", &[], false)
        .raw(tokens)
        .close()
        .close()
        .close();
    d
}

/// Left to the general path.
fn left(doc: &Doc) {
    assert_eq!(both(&doc.0).0, None);
}

#[test]
fn usual_documents_are_written_as_the_general_path_writes_them() {
    let xml = taken(&usual());
    assert!(
        xml.contains("<Data Name='a&amp;b'>x&lt;y &quot;z&quot;</Data>"),
        "{xml}"
    );
    assert!(
        xml.contains("<Data></Data><Data></Data></EventData></Event>"),
        "{xml}"
    );
    // No body; an empty `<EventData/>`; no EOF token.
    let mut d = event_and_system();
    taken(d.close());
    let mut d = event_and_system();
    taken(d.open("EventData", &[], true).close().raw(&[0x00]));
    // Prefixed names: the local part decides.
    let mut d = Doc::new();
    d.open("ev:Event", &[], false)
        .open("e:System", &[], false)
        .leaf("e:EventID", &[], &["7"])
        .close()
        .open("e:EventData", &[], false)
        .leaf("a:b:Data", &[("Name", &["n"])], &["v"])
        .close()
        .close();
    taken(&d);
    // A System of other children, in another order, with a SID and no Qualifiers.
    let mut d = Doc::new();
    d.open("Event", &[], false)
        .open("System", &[], false)
        .open("Security", &[("UserID", &["S-1-5-18"])], true)
        .leaf("EventID", &[], &["4624"])
        .open(
            "Execution",
            &[("ProcessID", &["4"]), ("ThreadID", &["8"])],
            true,
        )
        .open(
            "Correlation",
            &[("ActivityID", &["{A3591746-A27B-447A-B8BE-FF54AE3A46F1}"])],
            true,
        )
        .close()
        .close();
    taken(&d);
}

#[test]
fn other_shapes_are_left_to_the_general_path() {
    // A `<Data>` attribute other than Name, or two attributes; `<EventData Name=…>`.
    for attributes in [
        &[("Other", &["v"][..])][..],
        &[("Name", &["a"][..]), ("Name", &["b"][..])][..],
    ] {
        let mut d = event_and_system();
        d.open("EventData", &[], false)
            .leaf("Data", attributes, &["x"])
            .close()
            .close();
        left(&d);
    }
    let mut d = event_and_system();
    d.open("EventData", &[("Name", &["n"])], false)
        .leaf("Data", &[], &["x"])
        .close()
        .close();
    left(&d);
    // Names near those taken: `Data:x`, `Dat`, `Nam`, a System child's name not ASCII.
    for name in ["Data:x", "Dat", "DataX"] {
        let mut d = event_and_system();
        d.open("EventData", &[], false)
            .leaf(name, &[], &["x"])
            .close()
            .close();
        left(&d);
    }
    let mut d = event_and_system();
    d.open("EventData", &[], false)
        .leaf("Data", &[("Nam", &["n"])], &["x"])
        .close()
        .close();
    left(&d);
    let mut d = Doc::new();
    d.open("Event", &[], false)
        .open("System", &[], false)
        .leaf("EventID", &[], &["1"])
        .leaf("Lével", &[], &["1"]);
    left(d.close().close());
    // Another body, or a child of `<EventData>` other than `<Data>`.
    let mut d = event_and_system();
    d.open("UserData", &[], false)
        .leaf("Data", &[], &["x"])
        .close()
        .close();
    left(&d);
    let mut d = event_and_system();
    d.open("EventData", &[], false)
        .leaf("Binary", &[], &["00"])
        .close()
        .close();
    left(&d);
    // `<RenderingInfo>` after the body; text between elements; more after the root.
    let mut d = event_and_system();
    d.open("EventData", &[], true)
        .leaf("RenderingInfo", &[], &["m"])
        .close();
    left(&d);
    let mut d = event_and_system();
    d.text(" ").open("EventData", &[], true).close();
    left(&d);
    let mut d = event_and_system();
    d.open("EventData", &[], false).text(" ").close().close();
    left(&d);
    let mut d = event_and_system();
    d.close().text("x");
    left(&d);
    // A value that is not a string (a UInt32), under either value token.
    left(&data_of_tokens(&[0x05, 0x08, 1, 0, 0, 0]));
    left(&data_of_tokens(&[0x45, 0x08, 1, 0, 0, 0]));
    // A character reference in a `<Data>`; a substitution.
    left(&data_of_tokens(&[0x08, b'A', 0]));
    left(&data_of_tokens(&[0x0D, 0, 0, 0x01]));
    // Not an `<Event>`; no `<System>` first; a System without EventID or with a bad one.
    let mut d = Doc::new();
    d.open("Evt", &[], false)
        .open("System", &[], false)
        .leaf("EventID", &[], &["1"]);
    left(d.close().close());
    let mut d = Doc::new();
    d.open("Event", &[], false)
        .open("EventData", &[], true)
        .close();
    left(&d);
    let mut d = Doc::new();
    d.open("Event", &[], false)
        .open("System", &[], false)
        .leaf("Level", &[], &["1"]);
    left(d.close().close());
    let mut d = Doc::new();
    d.open("Event", &[], false)
        .open("System", &[], false)
        .leaf("EventID", &[], &["x"]);
    left(d.close().close());
    // A child element inside a System child.
    let mut d = Doc::new();
    d.open("Event", &[], false)
        .open("System", &[], false)
        .open("EventID", &[], false)
        .leaf("x", &[], &["1"]);
    left(d.close().close().close());
}

/// A seeded xorshift.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Whatever the bytes, what the writer writes is the general path's, and nothing panics.
#[test]
fn mutated_documents_are_written_as_the_general_path_writes_them_or_left() {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let base = usual().0;
    let (mut written, mut left) = (0, 0);
    for _ in 0..3000 {
        let mut doc = base.clone();
        for _ in 0..(1 + xorshift(&mut state) % 3) {
            let at = (xorshift(&mut state) % doc.len() as u64) as usize;
            doc[at] = xorshift(&mut state) as u8;
        }
        // Sometimes cut short too.
        if xorshift(&mut state).is_multiple_of(8) {
            doc.truncate((xorshift(&mut state) % doc.len() as u64) as usize);
        }
        match both(&doc) {
            (Some(inline), general) => {
                assert_eq!(Ok(inline), general, "{doc:?}");
                written += 1;
            }
            (None, _) => left += 1,
        }
    }
    assert!(
        written > 100 && left > 100,
        "{written} written, {left} left"
    );
}

/// Every record of every sample the writer takes is written as `decode` then `to_xml`
/// writes it, and the inline sample (MSExchange's one record) is taken.
#[test]
fn inline_records_of_every_sample_equal_the_general_path() {
    let (mut written, mut msexchange) = (0, 0);
    let files = sample_files();
    for path in &files {
        let mut file = EvtxFile::open(path).unwrap();
        for chunk in file.chunks().flatten() {
            let mut decoder = super::ChunkDecoder::new(&chunk);
            for record in chunk.records().flatten() {
                let (start, end) = decoder.span(&record).unwrap();
                let mut out = String::new();
                if decoder.inline_xml(start, end, &mut out).is_none() {
                    continue;
                }
                let event = decoder.decode(&record).unwrap();
                assert_eq!(out, event.to_xml(), "{}", path.display());
                written += 1;
                if path.ends_with("MSExchange_Management_wec.evtx") {
                    msexchange += 1;
                }
            }
        }
    }
    assert!(files.is_empty() || msexchange == 1, "{written} written");
}
