//! The text form of a fault plan (`EVTLOG_FAULTS`, `evtutil`-style tools, tests):
//!
//! ```text
//! plan   := item (';' item)*          empty items (a trailing ';') and spaces around items are ignored
//! item   := FUNCTION ['@' AFTER] ':' EFFECT ['x' TIMES]
//! EFFECT := ERROR                     a non-zero decimal Win32 code: the call fails with it
//!         | '+' MS 'ms'               the call first takes MS milliseconds of (virtual) time
//! TIMES  := COUNT                     a decimal >= 1 (default 1)
//!         | '*'                       every later call
//!         | PERCENT '%' ['#' SEED]    each later call with probability PERCENT/100 (1-100), seeded
//! ```
//!
//! AFTER defaults to 0; FUNCTION is a wevtapi function ([`FAULT_FUNCTIONS`], any letter case).
//! E.g. `EvtNext@2:1734;EvtFormatMessage:15027x*`.
//!
//! Invariants: a plan parses whole or not at all (the first bad item is the error, with its
//! number and byte offset); [`FaultRule`]'s `Display` writes a form this parser reads back to
//! the same rule.
//!
//! [`FAULT_FUNCTIONS`]: super::fault_plan::FAULT_FUNCTIONS

use std::fmt;
use std::time::Duration;

use super::fault_plan::{fault_function, FaultEffect, FaultRule, FaultTimes};

/// Why a plan's text does not parse: which item (1-based), where (byte offset in the whole
/// text), the item itself, and what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanError {
    /// The item's number, from 1.
    pub item: usize,
    /// Byte offset in the plan's text where the problem is.
    pub offset: usize,
    /// The item's text (trimmed).
    pub text: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "fault plan item {} ({:?}) at offset {}: {}",
            self.item, self.text, self.offset, self.message
        )
    }
}

impl std::error::Error for PlanError {}

/// Parses a fault plan (module docs): every rule, or the first error.
pub fn parse_plan(text: &str) -> Result<Vec<FaultRule>, PlanError> {
    let mut rules = Vec::new();
    let mut start = 0usize;
    let mut item = 0usize;
    for raw in text.split(';') {
        let raw_start = start;
        start += raw.len() + 1;
        let trimmed = raw.trim_start();
        let lead = raw.len() - trimmed.len();
        let trimmed = trimmed.trim_end();
        if trimmed.is_empty() {
            continue;
        }
        item += 1;
        let at = raw_start + lead;
        let rule = parse_item(trimmed).map_err(|(rel, message)| PlanError {
            item,
            offset: at + rel,
            text: trimmed.to_owned(),
            message,
        })?;
        rules.push(rule);
    }
    Ok(rules)
}

type ItemError = (usize, String);

fn parse_item(item: &str) -> Result<FaultRule, ItemError> {
    let colon = item.find(':').ok_or_else(|| {
        (
            item.len(),
            "need ':' then an error code or +MSms".to_owned(),
        )
    })?;
    let (head, tail) = (&item[..colon], &item[colon + 1..]);
    let (name, after) = match head.find('@') {
        Some(at) => {
            let after = number(&head[at + 1..], at + 1, "AFTER (calls that pass first)")?;
            (&head[..at], after)
        }
        None => (head, 0),
    };
    let function = fault_function(name.trim()).ok_or_else(|| {
        (
            0,
            format!("unknown function {name:?}: need a wevtapi function such as EvtNext"),
        )
    })?;
    let tail_at = colon + 1;
    if tail.starts_with("0x") || tail.starts_with("0X") {
        return Err((tail_at, "ERROR is decimal (1734, not 0x6c6)".to_owned()));
    }
    let (effect_text, times_text) = match tail.find(['x', 'X']) {
        Some(x) => (&tail[..x], Some((&tail[x + 1..], tail_at + x + 1))),
        None => (tail, None),
    };
    let effect = if let Some(ms) = effect_text.strip_prefix('+') {
        let digits = ms.strip_suffix("ms").ok_or_else(|| {
            (
                tail_at + effect_text.len(),
                "a delay is +MSms (milliseconds)".to_owned(),
            )
        })?;
        FaultEffect::Delay(Duration::from_millis(number(
            digits,
            tail_at + 1,
            "the delay's milliseconds",
        )?))
    } else {
        let code = number(effect_text, tail_at, "ERROR (a Win32 code)")?;
        let code = u32::try_from(code)
            .ok()
            .filter(|c| *c != 0)
            .ok_or_else(|| (tail_at, format!("error code {code} is not 1 to 4294967295")))?;
        FaultEffect::Fail(code)
    };
    let times = match times_text {
        None => FaultTimes::Count(1),
        Some(("*", _)) => FaultTimes::Always,
        Some((t, at)) => match t.find('%') {
            Some(pct) => {
                let percent = number(&t[..pct], at, "PERCENT (1 to 100)")?;
                let percent = u8::try_from(percent)
                    .ok()
                    .filter(|p| (1..=100).contains(p))
                    .ok_or_else(|| (at, format!("percent {percent} is not 1 to 100")))?;
                let rest = &t[pct + 1..];
                let seed = if rest.is_empty() {
                    0
                } else {
                    let digits = rest.strip_prefix('#').ok_or_else(|| {
                        (
                            at + pct + 1,
                            "after PERCENT% only #SEED may follow".to_owned(),
                        )
                    })?;
                    number(digits, at + pct + 2, "SEED")?
                };
                FaultTimes::Percent { percent, seed }
            }
            None => {
                let count = number(t, at, "COUNT (calls that fail), or * for every call")?;
                if count == 0 {
                    return Err((
                        at,
                        "COUNT must be at least 1 (x* for every call)".to_owned(),
                    ));
                }
                FaultTimes::Count(count)
            }
        },
    };
    Ok(FaultRule {
        function,
        after,
        times,
        effect,
    })
}

/// A decimal number at relative offset `at`, naming `what` when it is not one.
fn number(text: &str, at: usize, what: &str) -> Result<u64, ItemError> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err((
            at,
            format!("need {what} as a decimal number, found {text:?}"),
        ));
    }
    text.parse()
        .map_err(|_| (at, format!("{what} {text} is too large")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rule(
        function: &'static str,
        after: u64,
        times: FaultTimes,
        effect: FaultEffect,
    ) -> FaultRule {
        FaultRule {
            function,
            after,
            times,
            effect,
        }
    }

    #[test]
    fn the_issue_example() {
        let rules = parse_plan("EvtNext@2:1734;EvtFormatMessage:15027x*").unwrap();
        assert_eq!(
            rules,
            [
                rule("EvtNext", 2, FaultTimes::Count(1), FaultEffect::Fail(1734)),
                rule(
                    "EvtFormatMessage",
                    0,
                    FaultTimes::Always,
                    FaultEffect::Fail(15027)
                ),
            ]
        );
    }

    #[test]
    fn delays_percentages_spaces_and_case() {
        let rules = parse_plan(" evtnext:+250msx3 ; EvtRender@1:87x25%#9;").unwrap();
        assert_eq!(
            rules,
            [
                rule(
                    "EvtNext",
                    0,
                    FaultTimes::Count(3),
                    FaultEffect::Delay(Duration::from_millis(250))
                ),
                rule(
                    "EvtRender",
                    1,
                    FaultTimes::Percent {
                        percent: 25,
                        seed: 9
                    },
                    FaultEffect::Fail(87)
                ),
            ]
        );
        assert_eq!(parse_plan("").unwrap(), []);
        assert_eq!(parse_plan(" ; ;").unwrap(), []);
    }

    #[test]
    fn errors_name_the_item_and_offset() {
        let e = parse_plan("EvtNext:1734;EvtNxt:5").unwrap_err();
        assert_eq!((e.item, e.offset), (2, 13));
        assert!(e.message.contains("EvtNxt"), "{e}");
        let e = parse_plan("EvtNext@two:1734").unwrap_err();
        assert_eq!((e.item, e.offset), (1, 8));
        let e = parse_plan("EvtNext:1734x0").unwrap_err();
        assert_eq!((e.item, e.offset), (1, 13));
        let e = parse_plan("EvtNext").unwrap_err();
        assert!(e.message.contains("':'"), "{e}");
        let e = parse_plan("EvtNext:0").unwrap_err();
        assert!(e.message.contains("not 1 to"), "{e}");
        let e = parse_plan("EvtNext:+5s").unwrap_err();
        assert!(e.message.contains("+MSms"), "{e}");
        let e = parse_plan("EvtNext:5x101%").unwrap_err();
        assert!(e.message.contains("percent"), "{e}");
        let e = parse_plan("EvtNext:0x6c6").unwrap_err();
        assert_eq!((e.offset, e.message.contains("decimal")), (8, true), "{e}");
        let e = parse_plan("EvtNext:5x10%7").unwrap_err();
        assert!(e.message.contains("#SEED"), "{e}");
        let e = parse_plan("EvtNext:99999999999").unwrap_err();
        assert!(e.to_string().contains("item 1"), "{e}");
        let e = parse_plan("EvtNext:5x99999999999999999999999").unwrap_err();
        assert!(e.message.contains("too large"), "{e}");
    }

    fn any_rule() -> impl Strategy<Value = FaultRule> {
        let function = proptest::sample::select(super::super::fault_plan::FAULT_FUNCTIONS);
        let times = prop_oneof![
            (1u64..1000).prop_map(FaultTimes::Count),
            Just(FaultTimes::Always),
            (1u8..=100, any::<u64>())
                .prop_map(|(percent, seed)| FaultTimes::Percent { percent, seed }),
        ];
        let effect = prop_oneof![
            (1u32..).prop_map(FaultEffect::Fail),
            (0u64..100_000).prop_map(|ms| FaultEffect::Delay(Duration::from_millis(ms))),
        ];
        (function, 0u64..1000, times, effect)
            .prop_map(|(function, after, times, effect)| rule(function, after, times, effect))
    }

    /// A naive writer of the grammar: drops what may be defaulted, varies case and spaces.
    fn naive(rule: &FaultRule, lower: bool, terse: bool) -> String {
        let mut s = if lower {
            rule.function.to_lowercase()
        } else {
            rule.function.to_owned()
        };
        if !(terse && rule.after == 0) {
            s += &format!("@{}", rule.after);
        }
        s += ":";
        match rule.effect {
            FaultEffect::Fail(c) => s += &c.to_string(),
            FaultEffect::Delay(d) => s += &format!("+{}ms", d.as_millis()),
        }
        match rule.times {
            FaultTimes::Count(1) if terse => {}
            FaultTimes::Count(n) => s += &format!("x{n}"),
            FaultTimes::Always => s += "x*",
            FaultTimes::Percent { percent, seed: 0 } if terse => s += &format!("x{percent}%"),
            FaultTimes::Percent { percent, seed } => s += &format!("x{percent}%#{seed}"),
        }
        s
    }

    proptest! {
        #[test]
        fn render_then_parse_is_identity(
            rules in proptest::collection::vec(any_rule(), 0..6),
            lower in any::<bool>(),
            terse in any::<bool>(),
            spaced in any::<bool>(),
        ) {
            let sep = if spaced { " ; " } else { ";" };
            // The oracle's text and Display's text both read back to the rules.
            let oracle: Vec<String> = rules.iter().map(|r| naive(r, lower, terse)).collect();
            prop_assert_eq!(&parse_plan(&oracle.join(sep)).unwrap(), &rules);
            let shown: Vec<String> = rules.iter().map(ToString::to_string).collect();
            prop_assert_eq!(&parse_plan(&shown.join(sep)).unwrap(), &rules);
        }

        #[test]
        fn any_text_parses_or_names_an_item(text in "[A-Za-z@:;x*%#+0-9 ]{0,40}") {
            match parse_plan(&text) {
                Ok(_) => {}
                Err(e) => {
                    prop_assert!(e.item >= 1);
                    prop_assert!(e.offset <= text.len());
                }
            }
        }
    }
}
