//! Random queries for the property tests, drawn mostly from what one event offers (its names,
//! texts, typed values and time differences), so that comparisons hit, miss and land on
//! boundaries.

use std::sync::Arc;

use proptest::prelude::*;
use proptest::sample::select;

use crate::event::{Event, FileTime};
use crate::query::naive::{self, Child, Elem};
use crate::query::value::{parse_number, Typed};

use crate::test_support::events::{event, Flavor};
// ---------------------------------------------------------------------------------------------
// What the event offers to queries

/// Names and values harvested from one rendered event.
#[derive(Debug)]
pub(super) struct Pool {
    /// Element texts and attribute values.
    pub(super) strings: Vec<String>,
    /// Element local names (excluding Event and System).
    pub(super) elements: Vec<String>,
    /// Attribute names, unprefixed.
    pub(super) attributes: Vec<String>,
    /// `Name` attributes.
    pub(super) data_names: Vec<String>,
    /// Integers the strings read as, with neighbours.
    pub(super) ints: Vec<i128>,
    /// Times the strings read as.
    pub(super) times: Vec<FileTime>,
    /// `now − t` in ms for those times, with neighbours.
    pub(super) diffs: Vec<i128>,
    /// Strings that read as GUIDs, and as SIDs.
    pub(super) guids: Vec<String>,
    pub(super) sids: Vec<String>,
}

impl Pool {
    fn of(event: &Event, now: FileTime) -> Pool {
        fn walk(e: &Elem, p: &mut Pool) {
            if e.name != "Event" && e.name != "System" {
                p.elements.push(e.name.clone());
            }
            p.strings.push(e.text());
            for (k, v) in &e.attrs {
                if !k.contains(':') && k != "xmlns" {
                    p.attributes.push(k.clone());
                }
                if k == "Name" {
                    p.data_names.push(v.clone());
                }
                p.strings.push(v.clone());
            }
            for c in &e.children {
                if let Child::Elem(c) = c {
                    walk(c, p);
                }
            }
        }
        let mut p = Pool {
            strings: vec!["bob".into(), "4624".into(), "x".into()],
            elements: vec!["Name".into(), "Data".into()],
            attributes: vec!["Name".into()],
            data_names: vec!["TargetUserName".into(), "LogonType".into()],
            ints: vec![0, 1, 3, 4, 4624, -1],
            times: vec![FileTime(133_485_408_000_000_000)],
            diffs: vec![0, 1000, 3_600_000, 86_400_000],
            guids: vec!["{54849625-5478-4994-A5BA-3E3B0328C30D}".into()],
            sids: vec!["S-1-5-18".into()],
        };
        walk(&naive::dom(event), &mut p);
        p.strings.retain(|s| !s.is_empty());
        for s in &p.strings {
            if let Some(Typed::Int(v)) = parse_number(s) {
                p.ints.extend([v, v - 1, v + 1]);
            }
            if let Some(t) = FileTime::parse(s) {
                p.times.push(t);
            }
            match Typed::infer(s) {
                Typed::Guid(_) => p.guids.push(s.clone()),
                Typed::Sid(_) => p.sids.push(s.clone()),
                _ => {}
            }
        }
        for t in &p.times {
            let ms = (i128::from(now.0) - i128::from(t.0)) / 10_000;
            p.diffs.extend([ms, ms - 1, ms + 1, -ms]);
        }
        p.elements.dedup();
        p
    }
}

pub(super) fn quote(s: &str, double: bool) -> String {
    if s.contains('\'') && s.contains('"') {
        "'x'".to_owned()
    } else if s.contains('\'') || (double && !s.contains('"')) {
        format!("\"{s}\"")
    } else {
        format!("'{s}'")
    }
}

pub(super) fn number(v: i128, form: u8) -> String {
    match form {
        0 if v >= 0 => format!("0x{v:x}"),
        1 if v >= 0 => format!("0x{v:X}"),
        _ => v.to_string(),
    }
}

pub(super) fn op() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        6 => Just("="),
        2 => Just("!="),
        1 => Just("<"),
        1 => Just("<="),
        1 => Just(" > "),
        1 => Just(">="),
    ]
}

/// A literal of any syntax, drawn mostly from the pool.
pub(super) fn literal(p: &Arc<Pool>) -> BoxedStrategy<String> {
    let strings = select(p.strings.clone());
    let ints = select(p.ints.clone());
    let times = select(p.times.clone());
    prop_oneof![
        5 => (strings, any::<bool>(), 0..4u8).prop_map(|(s, double, case)| {
            let s = match case {
                0 => s.to_uppercase(),
                1 => s.to_lowercase(),
                _ => s,
            };
            quote(&s, double)
        }),
        3 => (ints.clone(), 0..4u8).prop_map(|(v, form)| number(v, form)),
        1 => (ints, any::<bool>()).prop_map(|(v, double)| quote(&v.to_string(), double)),
        1 => (times, 0..3u8).prop_map(|(t, form)| {
            let s = t.to_string();
            quote(match form {
                0 => &s,
                1 => &s[..19],
                _ => s.trim_end_matches('Z'),
            }, false)
        }),
        1 => select(vec![
            "1.5", "-0.5", "'1.5'", "''", "'{54849625-5478-4994-A5BA-3E3B0328C30D}'",
            "'S-1-5-18'", "'S-1-5-21-1-2-3-500'", "\"Bob\"", "'0x3e7'", "18446744073709551615",
            "-18446744073709551615", "'true'",
        ])
        .prop_map(str::to_owned),
    ]
    .boxed()
}

/// A literal of the type a typed attribute holds: mostly GUIDs (or SIDs) from the pool.
pub(super) fn typed_literal(p: &Arc<Pool>, sid: bool) -> BoxedStrategy<String> {
    let values = select(if sid { p.sids.clone() } else { p.guids.clone() });
    prop_oneof![
        6 => (values, 0..3u8, any::<bool>()).prop_map(|(v, case, double)| {
            let v = match case {
                0 => v.to_lowercase(),
                1 => v.to_uppercase(),
                _ => v,
            };
            quote(&v, double)
        }),
        1 => literal(p),
    ]
    .boxed()
}

/// A numeric literal (for fields, positions and timediff).
pub(super) fn num_literal(p: &Arc<Pool>, from_diffs: bool) -> BoxedStrategy<String> {
    let values = select(if from_diffs {
        p.diffs.clone()
    } else {
        // Unsigned fields reject negative literals; keep a few.
        let mut v: Vec<i128> = p.ints.iter().copied().filter(|&v| v >= 0).collect();
        v.push(-1);
        v
    });
    prop_oneof![
        6 => (values, 0..4u8).prop_map(|(v, form)| number(v, form)),
        1 => select(vec!["1.5", "'7'", "0"]).prop_map(str::to_owned),
    ]
    .boxed()
}

pub(super) fn cmp<S: std::fmt::Display + std::fmt::Debug>(
    path: impl Strategy<Value = S> + 'static,
    lit: BoxedStrategy<String>,
) -> BoxedStrategy<String> {
    (path, op(), lit)
        .prop_map(|(p, o, l)| format!("{p}{o}{l}"))
        .boxed()
}

pub(super) fn mask(p: &Arc<Pool>) -> impl Strategy<Value = String> {
    prop_oneof![
        (0u32..64).prop_map(|b| format!("0x{:x}", 1u64 << b)),
        select(p.ints.iter().map(|v| v.unsigned_abs()).collect::<Vec<_>>())
            .prop_map(|v| v.to_string()),
        Just("0x8020000000000000".to_owned()),
    ]
}

/// `and`, `or` and parentheses over `atom`.
pub(super) fn combine(atom: BoxedStrategy<String>) -> BoxedStrategy<String> {
    atom.prop_recursive(2, 6, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} and {b}")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} or {b}")),
            inner.prop_map(|a| format!("({a})")),
        ]
    })
    .boxed()
}

pub(super) const INT_LEAVES: [&str; 7] = [
    "EventID",
    "Level",
    "Task",
    "Opcode",
    "Version",
    "Keywords",
    "EventRecordID",
];

/// A path and comparison that can follow `System/` (no predicate on the first step).
pub(super) fn system_path_atom(p: &Arc<Pool>) -> BoxedStrategy<String> {
    let lit = literal(p);
    let n = num_literal(p, false);
    let time = select(p.times.clone()).prop_map(|t| format!("'{t}'"));
    prop_oneof![
        6 => cmp(select(INT_LEAVES.to_vec()), n.clone()),
        1 => cmp(select(INT_LEAVES.to_vec()), lit.clone()),
        2 => cmp(select(vec!["Channel", "Computer", "Provider/@Name", "Provider/@EventSourceName"]), lit.clone()),
        2 => cmp(select(vec!["Provider/@Guid", "Correlation/@ActivityID", "Correlation/@RelatedActivityID"]), typed_literal(p, false)),
        1 => cmp(Just("Security/@UserID"), typed_literal(p, true)),
        1 => cmp(select(vec!["Execution/@ProcessID", "Execution/@ThreadID", "Execution/@ProcessorID", "EventID/@Qualifiers"]), n.clone()),
        1 => cmp(Just("TimeCreated/@SystemTime"), time.boxed()),
        1 => cmp(select(vec!["Channel/text()", "Computer[1]", "Channel[2]", "Computer[position() > 1]"]), lit.clone()),
        1 => cmp(select(vec!["EventID/text()", "Keywords/text()", "EventID[1]", "Level[position()=1]", "EventID[position() > 1]"]), n.clone()),
        1 => select(vec!["Correlation", "Security", "Execution", "Provider/@Guid", "Security/@UserID", "TimeCreated", "Channel/text()", "Version", "Computer"]).prop_map(str::to_owned),
        1 => cmp(select(vec!["*", "*/@Name", "*/@SystemTime", "*/text()"]), lit),
    ]
    .boxed()
}

/// An atom inside `System[...]`.
pub(super) fn system_atom(p: &Arc<Pool>) -> BoxedStrategy<String> {
    let lit = literal(p);
    let n = num_literal(p, false);
    let diff = num_literal(p, true);
    let time = select(p.times.clone())
        .prop_map(|t| format!("'{t}'"))
        .boxed();
    prop_oneof![
        6 => system_path_atom(p),
        1 => cmp(select(vec!["Provider[@Name", "Provider[@EventSourceName"]), lit.clone())
            .prop_map(|s| format!("{s}]")),
        1 => cmp(select(vec!["Provider[@Guid", "Correlation[@ActivityID"]), typed_literal(p, false))
            .prop_map(|s| format!("{s}]")),
        1 => cmp(Just("Security[@UserID"), typed_literal(p, true)).prop_map(|s| format!("{s}]")),
        1 => cmp(Just("Execution[@ProcessID"), n.clone()).prop_map(|s| format!("{s}]")),
        1 => cmp(Just("TimeCreated[@SystemTime"), time.clone()).prop_map(|s| format!("{s}]")),
        2 => cmp(Just("TimeCreated[timediff(@SystemTime)"), diff.clone()).prop_map(|s| format!("{s}]")),
        1 => cmp(Just("timediff(TimeCreated/@SystemTime)"), diff.clone()),
        1 => (time.clone(), op(), diff.clone(), any::<bool>()).prop_map(|(t, o, d, first)| if first {
            format!("timediff(TimeCreated/@SystemTime, {t}){o}{d}")
        } else {
            format!("timediff({t}, TimeCreated/@SystemTime){o}{d}")
        }),
        1 => cmp(Just("timediff(TimeCreated/@SystemTime, TimeCreated/@SystemTime)"), select(vec!["0".to_owned(), "1".to_owned()]).boxed()),
        2 => (select(vec!["Keywords", "EventID", "EventRecordID", "Channel", "*"]), mask(p)).prop_map(|(f, m)| format!("band({f}, {m})")),
        1 => cmp(select(vec!["EventID[@Qualifiers", "Level[text()", "EventID[position()"]), n).prop_map(|s| format!("{s}]")),
    ]
    .boxed()
}

/// A path and comparison that can follow `EventData/`.
pub(super) fn event_data_path_atom(p: &Arc<Pool>) -> BoxedStrategy<String> {
    let lit = literal(p);
    let name = select(p.data_names.clone()).prop_flat_map(|n| {
        (Just(n), any::<bool>(), 0..4u8).prop_map(|(n, double, case)| {
            let n = if case == 0 { n.to_uppercase() } else { n };
            quote(&n, double)
        })
    });
    let named = name.prop_map(|n| format!("Data[@Name={n}]")).boxed();
    prop_oneof![
        6 => cmp(named.clone(), lit.clone()),
        1 => named.clone(),
        1 => cmp(named.clone().prop_map(|d| format!("{d}/text()")), lit.clone()),
        1 => cmp(named.clone().prop_map(|d| format!("{d}[1]")), lit.clone()),
        2 => cmp(Just("Data"), lit.clone()),
        2 => cmp((1u64..4).prop_map(|i| format!("Data[{i}]")), lit.clone()),
        2 => cmp((op(), 0i64..4).prop_map(|(o, i)| format!("Data[position(){o}{i}]")), lit.clone()),
        1 => cmp((1u64..3, named).prop_map(|(i, d)| format!("{d}[position()={i}]")), lit.clone()),
        1 => cmp(select(vec!["Data/text()", "Binary", "Data/@Name", "@Name", "*", "*/@Id", "*/*"]), lit),
        1 => select(vec!["Data", "Data[2]", "Binary", "Data[text()]", "ComplexData", "@Name"]).prop_map(str::to_owned),
    ]
    .boxed()
}

/// An atom inside `EventData[...]`.
pub(super) fn event_data_atom(p: &Arc<Pool>) -> BoxedStrategy<String> {
    let diff = num_literal(p, true);
    let names = select(p.data_names.clone());
    prop_oneof![
        6 => event_data_path_atom(p),
        1 => (names.clone(), mask(p)).prop_map(|(n, m)| format!("band(Data[@Name={}], {m})", quote(&n, false))),
        1 => cmp(names.prop_map(|n| format!("timediff(Data[@Name={}])", quote(&n, false))), diff),
    ]
    .boxed()
}

/// An atom at the event (inside `*[...]`).
pub(super) fn event_atom(p: &Arc<Pool>) -> BoxedStrategy<String> {
    let lit = literal(p);
    let name = select(p.elements.clone());
    let attr = select(p.attributes.clone());
    let user_path =
        (0..8u8, name.clone(), name, attr, 1u64..3).prop_map(|(form, a, b, at, i)| match form {
            0 => format!("UserData/*/{a}"),
            1 => format!("UserData/*/{a}/{b}"),
            2 => format!("UserData/*/@{at}"),
            3 => format!("UserData/*/{a}/@{at}"),
            4 => format!("UserData/*/{a}/text()"),
            5 => format!("UserData/*[{i}]/{a}"),
            6 => format!("RenderingInfo/{a}"),
            _ => format!("*/*/{a}[{i}]"),
        });
    let sys_inner = combine(system_atom(p));
    let ed_inner = combine(event_data_atom(p));
    prop_oneof![
        5 => sys_inner.prop_map(|s| format!("System[{s}]")),
        3 => system_path_atom(p).prop_map(|s| format!("System/{s}")),
        4 => ed_inner.prop_map(|s| format!("EventData[{s}]")),
        3 => event_data_path_atom(p).prop_map(|s| format!("EventData/{s}")),
        3 => cmp(user_path.clone(), lit.clone()),
        1 => user_path,
        1 => (select(vec!["*", "*/Data", "*/*"]), op(), lit.clone()).prop_map(|(a, o, l)| format!("UserData/{a}{o}{l}")),
        1 => select(vec!["UserData", "EventData", "RenderingInfo", "UserData/*", "*/text()", "UserData/text()"]).prop_map(str::to_owned),
        1 => cmp(select(vec!["UserData", "*", "System", "*/@Name", "DebugData", "BinaryEventData"]), lit),
        1 => mask(p).prop_map(|m| format!("band(System/Keywords, {m})")),
        1 => num_literal(p, true).prop_map(|d| format!("timediff(System/TimeCreated/@SystemTime) <= {d}")),
    ]
    .boxed()
}

/// A whole query.
pub(super) fn query(p: &Arc<Pool>) -> BoxedStrategy<String> {
    let at_event = combine(event_atom(p));
    prop_oneof![
        1 => select(vec!["*", "Event", "*[System]", "Event[UserData]"]).prop_map(str::to_owned),
        8 => (select(vec!["*", "Event"]), at_event.clone()).prop_map(|(s, e)| format!("{s}[{e}]")),
        2 => system_path_atom(p).prop_map(|s| format!("Event/System/{s}")),
        2 => combine(system_atom(p)).prop_map(|s| format!("*[System[{s}]]")),
        1 => combine(system_atom(p)).prop_map(|s| format!("Event/System[{s}]")),
        1 => event_data_path_atom(p).prop_map(|s| format!("*/EventData/{s}")),
        1 => (at_event.clone(), at_event).prop_map(|(a, b)| format!("*[{a}] or Event[{b}]")),
    ]
    .boxed()
}

/// `now`: near the event's time (both sides, on millisecond boundaries) or anywhere.
pub(super) fn now_for(event: &Event) -> BoxedStrategy<FileTime> {
    let t = event
        .system
        .time_created
        .unwrap_or(FileTime(133_485_408_000_000_000));
    prop_oneof![
        1 => Just(t),
        3 => prop_oneof![
            select(vec![-10_000i64, -9_999, -1, 1, 9_999, 10_000, 10_001, 36_000_000_000]),
            -100_000_000_000i64..100_000_000_000,
        ]
        .prop_map(move |d| FileTime(t.0.saturating_add_signed(d))),
        1 => (0u64..2_650_467_743_999_999_999).prop_map(FileTime),
    ]
    .boxed()
}

#[derive(Debug, Clone)]
pub(super) struct Case {
    pub(super) event: Event,
    pub(super) now: FileTime,
    pub(super) query: String,
}

pub(super) fn case() -> impl Strategy<Value = Case> {
    event(Flavor::Query)
        .prop_flat_map(|event| {
            let now = now_for(&event);
            (Just(event), now)
        })
        .prop_flat_map(|(event, now)| {
            let pool = Arc::new(Pool::of(&event, now));
            (Just(event), Just(now), query(&pool))
        })
        .prop_map(|(event, now, query)| Case { event, now, query })
}
