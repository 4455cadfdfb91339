//! Direct visiting (`visit`) against the decoded event's visit (`visit_event`), record by
//! record on every sample: the calls are the same, whichever path ran, for records read
//! now and for records a deferred proof kept.

use super::deferred::{ProvedSpans, XmlScratch};
use super::visit::{visit_event, DataItems, DataRef, EventVisitor, Visit, VisitScratch};
use super::ValueRef;
use super::{ChunkDecoder, FastScratch, General, TemplateCache};
use super::{SystemRef, UserDataTree};
use crate::event::{Body, Event, Value};
use crate::evtx::EvtxFile;

/// Writes down the call a visit makes.
#[derive(Default)]
struct Recorder(Vec<String>);

impl EventVisitor for Recorder {
    fn usual(&mut self, system: &SystemRef<'_>, data: Option<&DataItems<'_>>) {
        if let Some(d) = data {
            check_names(d);
        }
        let data = data.map(|d| (d.name(), d.len(), d.iter().collect::<Vec<_>>()));
        self.0.push(format!("usual {system:?} {data:?}"));
    }

    fn event(&mut self, event: &Event) {
        self.0.push(format!("event {event:?}"));
    }
}

/// A [`Recorder`] that asks for String values as UTF-16 (and, with `scalars`, integers as
/// [`Scalar`](super::Scalar)s) and writes them down as their text (their value), so that
/// its calls read as the decoded event's.
#[derive(Default)]
struct Utf16Recorder(Recorder, bool);

impl EventVisitor for Utf16Recorder {
    fn usual(&mut self, system: &SystemRef<'_>, data: Option<&DataItems<'_>>) {
        if let Some(d) = data {
            check_names(d);
        }
        let texts: Vec<Option<Result<String, Value>>> = data
            .iter()
            .flat_map(|d| d.iter())
            .map(|item| match item {
                DataRef::Data {
                    value: ValueRef::Utf16(u),
                    ..
                } => {
                    UTF16_SEEN.set(UTF16_SEEN.get() + 1);
                    let text = u.to_text();
                    assert_eq!(u.is_empty(), text.is_empty());
                    Some(Ok(text))
                }
                DataRef::Data {
                    value: ValueRef::Scalar(v),
                    ..
                } => {
                    assert!(self.1, "a Scalar to a visitor that did not ask");
                    SCALARS_SEEN.set(SCALARS_SEEN.get() + 1);
                    Some(Err(v.to_value()))
                }
                DataRef::Data {
                    value: ValueRef::Sid(s),
                    ..
                } => {
                    assert!(self.1, "a SID's bytes to a visitor that did not ask");
                    SIDS_SEEN.set(SIDS_SEEN.get() + 1);
                    Some(Err(Value::Sid(s.to_sid())))
                }
                DataRef::Data {
                    value: ValueRef::Guid(g),
                    ..
                } => {
                    assert!(self.1, "a GUID to a visitor that did not ask");
                    GUIDS_SEEN.set(GUIDS_SEEN.get() + 1);
                    Some(Err(Value::Guid(g)))
                }
                _ => None,
            })
            .collect();
        let data = data.map(|d| {
            let items: Vec<DataRef<'_>> = d
                .iter()
                .zip(&texts)
                .map(|(item, text)| match (item, text) {
                    (DataRef::Data { name, .. }, Some(Ok(text))) => DataRef::Data {
                        name,
                        value: ValueRef::Text(text),
                    },
                    (DataRef::Data { name, .. }, Some(Err(value))) => DataRef::Data {
                        name,
                        value: ValueRef::Value(value),
                    },
                    (item, _) => item,
                })
                .collect();
            (d.name(), d.len(), items)
        });
        self.0 .0.push(format!("usual {system:?} {data:?}"));
    }

    fn event(&mut self, event: &Event) {
        self.0.event(event);
    }

    fn wants_utf16(&self) -> bool {
        true
    }

    fn wants_scalars(&self) -> bool {
        self.1
    }
}

/// A [`Recorder`] that takes `<UserData>` trees (or declines them, with `decline`), and
/// writes a tree down as the decoded event's call would read, its nodes from the tokens.
#[derive(Default)]
struct TreeRecorder {
    calls: Recorder,
    decline: bool,
    trees: usize,
}

impl EventVisitor for TreeRecorder {
    fn usual(&mut self, system: &SystemRef<'_>, data: Option<&DataItems<'_>>) {
        self.calls.usual(system, data);
    }

    fn event(&mut self, event: &Event) {
        self.calls.event(event);
    }

    fn wants_user_data(&self) -> bool {
        true
    }

    fn user_data(&mut self, system: &SystemRef<'_>, tree: &UserDataTree<'_>) -> bool {
        if self.decline {
            return false;
        }
        self.trees += 1;
        self.calls
            .0
            .push(format!("tree {system:?} {:?}", tree.to_nodes()));
        true
    }
}

/// What a [`TreeRecorder`] writes for `event` when it takes its tree.
fn tree_call(event: &Event) -> Option<String> {
    match &event.body {
        Body::UserData(nodes) if event.rendering_info.is_none() => {
            Some(format!("tree {:?} {nodes:?}", SystemRef::of(&event.system)))
        }
        _ => None,
    }
}

thread_local! {
    /// `<UserData>` trees taken from their tokens.
    static TREES: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// String values handed over as UTF-16.
    static UTF16_SEEN: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    static SCALARS_SEEN: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// SIDs handed over as their bytes.
    static SIDS_SEEN: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// GUIDs handed over as `ValueRef::Guid`.
    static GUIDS_SEEN: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// The names met under each `DataNames::id`, to check one id always names the same.
    static NAMES: std::cell::RefCell<std::collections::HashMap<u64, Vec<Option<String>>>> =
        Default::default();
}

/// `DataItems::names` and `slot` as documented: each `Data` item's name is its slot's,
/// slots only grow, `Binary` items have none, and one id always names the same names.
fn check_names(d: &DataItems<'_>) {
    let Some(names) = d.names() else {
        assert!((0..d.len()).all(|i| d.slot(i).is_none()));
        return;
    };
    let list: Vec<Option<String>> = (0..names.len())
        .map(|k| names.name(k).map(str::to_owned))
        .collect();
    assert_eq!(names.name(names.len()), None);
    NAMES.with_borrow_mut(|m| {
        assert_eq!(m.entry(names.id()).or_insert_with(|| list.clone()), &list);
    });
    let mut last = None;
    for (i, item) in d.iter().enumerate() {
        match item {
            DataRef::Data { name, .. } => {
                let slot = d.slot(i).expect("a Data item's slot");
                assert_eq!(names.name(slot), name, "item {i}");
                assert!(last <= Some(slot), "slots go back at item {i}");
                last = Some(slot);
            }
            DataRef::Binary(_) => assert_eq!(d.slot(i), None),
        }
    }
    assert_eq!(d.slot(d.len()), None);
}

fn sample_files() -> Vec<std::path::PathBuf> {
    use crate::test_support::samples::{location, samples};
    let root = samples().map_or_else(location, |s| s.dir().to_owned());
    let mut out = Vec::new();
    for dir in ["evtx-crate", "python-evtx", "plaso"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        out.extend(
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "evtx")),
        );
    }
    out.sort();
    out
}

/// Checks every record of `chunk` (definitions shared through `cache`): the public visit,
/// the direct visit and the visit from a proof's kept spans make the decoded event's call,
/// or none on a refusal or an error. Returns (records, direct visits, visits from proofs,
/// direct visits whose System came straight from the values).
fn check_chunk(
    chunk: &crate::evtx::EvtxChunk,
    cache: &mut TemplateCache,
    at: &str,
) -> (usize, usize, usize, usize) {
    let (mut total, mut direct, mut from_proofs) = (0, 0, 0);
    let mut trees = 0;
    let mut decoder = ChunkDecoder::with_cache(chunk, cache);
    let mut general = ChunkDecoder::new(chunk);
    let mut kept = ProvedSpans::default();
    let mut xml_scratch = XmlScratch::default();
    let mut scratch = VisitScratch::default();
    for record in chunk.records().flatten() {
        total += 1;
        let id = record.record_id();
        let mut expected = Recorder::default();
        let event = match general.decode(&record) {
            Ok(event) => {
                visit_event(&event, &mut expected);
                event
            }
            Err(_) => {
                let mut got = Recorder::default();
                assert!(decoder.visit(&record, &mut got).is_err(), "{at} {id}");
                assert!(got.0.is_empty(), "{at} {id}: a call on an error");
                continue;
            }
        };
        assert_eq!(expected.0.len(), 1);
        // The public call, whichever path it takes.
        let mut got = Recorder::default();
        decoder.visit(&record, &mut got).unwrap();
        assert_eq!(got.0, expected.0, "{at} record {id}");
        // Strings as UTF-16: the same texts.
        let mut got = Utf16Recorder::default();
        decoder.visit(&record, &mut got).unwrap();
        assert_eq!(got.0 .0, expected.0, "{at} record {id}: as UTF-16");
        // And integers as scalars: the same values.
        let mut got = Utf16Recorder(Recorder::default(), true);
        decoder.visit(&record, &mut got).unwrap();
        assert_eq!(got.0 .0, expected.0, "{at} record {id}: as scalars");
        // Trees taken: the decoded event's nodes; declined: the decoded event.
        let mut got = TreeRecorder::default();
        decoder.visit(&record, &mut got).unwrap();
        if got.trees > 0 {
            trees += 1;
            assert_eq!(
                Some(&got.calls.0[0]),
                tree_call(&event).as_ref(),
                "{at} {id}"
            );
            assert_eq!(got.calls.0.len(), 1);
        } else {
            assert_eq!(got.calls.0, expected.0, "{at} record {id}: tree not taken");
        }
        let mut got = TreeRecorder {
            decline: true,
            ..TreeRecorder::default()
        };
        decoder.visit(&record, &mut got).unwrap();
        assert_eq!(got.calls.0, expected.0, "{at} record {id}: tree declined");
        // The direct path alone: the same call, or none.
        let (start, end) = decoder.span(&record).unwrap();
        let mut got = Recorder::default();
        let general_state = General::new(&mut decoder.tokens, &mut decoder.expansion);
        let FastScratch { spans, nested, .. } = &mut decoder.fast;
        if Visit::new(general_state, nested, &mut scratch)
            .record(start, end, spans, &mut got)
            .is_some()
        {
            direct += 1;
            assert_eq!(got.0, expected.0, "{at} record {id}: direct");
        } else {
            assert!(got.0.is_empty(), "{at} record {id}: a call on a refusal");
        }
        // From a deferred proof's kept spans (the fast path's decoding learns the shapes
        // proofs check).
        decoder.decode(&record).unwrap();
        if let Some(proof) = decoder.prove_fast(&record, &mut kept) {
            let mut got = Recorder::default();
            let done =
                super::deferred::visit_proved(chunk, &proof, &kept, &mut xml_scratch, &mut got);
            if done.is_some() {
                from_proofs += 1;
                assert_eq!(got.0, expected.0, "{at} record {id}: proved");
            } else {
                assert!(got.0.is_empty(), "{at} record {id}: a call on a refusal");
            }
        }
    }
    TREES.set(TREES.get() + trees);
    (total, direct, from_proofs, scratch.from_parts)
}

#[test]
fn direct_visits_equal_the_decoded_events_visits_on_every_sample() {
    let (mut direct, mut from_proofs, mut total, mut parts) = (0usize, 0usize, 0usize, 0usize);
    for path in &sample_files() {
        let mut file = EvtxFile::open(path).unwrap();
        let mut cache = TemplateCache::new();
        for chunk in file.chunks().flatten() {
            let (t, d, p, s) = check_chunk(&chunk, &mut cache, &path.display().to_string());
            total += t;
            direct += d;
            from_proofs += p;
            parts += s;
        }
    }
    eprintln!(
        "visited {direct} of {total} records directly ({parts} Systems from the values), \
         {from_proofs} from proofs"
    );
    // Windows' usual shape is nearly every record: a regression that sends them all
    // through the decoded event shows here.
    assert!(
        total == 0 || direct * 10 >= total * 8,
        "direct visits: only {direct} of {total}"
    );
    // The same for the System read straight from the values (the direct visits count
    // once, the proved ones too, in `parts`).
    assert!(
        total == 0 || parts * 10 >= direct * 8,
        "Systems from the values: only {parts} for {direct} direct visits"
    );
    assert!(
        total == 0 || from_proofs > 0,
        "no proved record was visited"
    );
    assert!(
        total == 0 || NAMES.with_borrow(|m| !m.is_empty()),
        "no visit named its template's names"
    );
    assert!(
        total == 0 || UTF16_SEEN.get() > 0,
        "no String handed over as UTF-16"
    );
    assert!(
        total == 0 || SCALARS_SEEN.get() > 0,
        "no integer handed over as a Scalar"
    );
    assert!(
        total == 0 || SIDS_SEEN.get() > 0,
        "no SID handed over as its bytes"
    );
    assert!(
        total == 0 || GUIDS_SEEN.get() > 0,
        "no GUID handed over as a ValueRef::Guid"
    );
    eprintln!("{} UserData trees read from their tokens", TREES.get());
    assert!(
        total == 0 || TREES.get() > 0,
        "no UserData tree taken from its tokens"
    );
}

/// The same on seeded mutations of the first chunk of a few samples (EventData, a
/// `<UserData>` log, classic records): a damaged value or descriptor makes the direct path
/// refuse, or visit what decoding gives.
#[test]
fn direct_visits_equal_the_decoded_events_visits_on_mutated_chunks() {
    use super::fast_tests::{for_mutated_chunks, mutation_rounds};
    let mut state = 0x5EED_0022_u64;
    let (mut read, mut direct) = (false, 0);
    for name in [
        "evtx-crate/security.evtx",
        "plaso/System.evtx",
        "evtx-crate/E_Windows_system32_winevt_logs_Microsoft-Windows-CAPI2%4Operational.evtx",
    ] {
        read |= for_mutated_chunks(name, mutation_rounds(), &mut state, |chunk| {
            direct += check_chunk(chunk, &mut TemplateCache::new(), name).1;
        });
    }
    assert!(
        !read || direct > 0,
        "no mutated record was visited directly"
    );
}
