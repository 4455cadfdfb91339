//! Property tests: random queries of the whole subset on random events; the compiled filter,
//! the general evaluator and the naive oracle over the rendered XML must give one answer.
//!
//! Queries come from a grammar generator whose literals and names are drawn mostly from the
//! event at hand (its rendered texts, attribute values, element and `Data` names, times and
//! the time differences to `now`), so that comparisons hit, miss and land on boundaries.

mod queries;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};

use super::eval::{self, Scratch};
use super::naive::{self};
use super::parser;
use super::XPathFilter;

use queries::*;

// ---------------------------------------------------------------------------------------------
// Properties

fn answers(filter: &XPathFilter, c: &Case) -> (bool, bool, bool) {
    let compiled = filter.matches(&c.event, c.now);
    let general = eval::matches(&filter.expr, &c.event, &mut Scratch::new(c.now));
    let oracle = naive::matches(&filter.expr, &c.event, c.now);
    (compiled, general, oracle)
}

proptest! {
    #![proptest_config(Config {
        cases: 4000,
        max_global_rejects: 100_000,
        ..Config::default()
    })]

    /// Compiled filter == general evaluator == naive oracle on the rendered XML.
    #[test]
    fn evaluators_agree_with_the_naive_oracle(c in case()) {
        let filter = XPathFilter::compile(&c.query);
        prop_assume!(filter.is_ok());
        let filter = filter.unwrap();
        let (compiled, general, oracle) = answers(&filter, &c);
        prop_assert!(
            compiled == oracle && general == oracle,
            "query {}\nparsed {}\nnow {}\ncompiled {compiled}, general {general}, naive {oracle}\n{}",
            c.query, filter.expr, c.now, c.event.to_xml()
        );
        // The EventIDs the filter bounds its matches to hold every match's (event_ids.rs).
        if let Some(ids) = filter.event_ids() {
            prop_assert!(
                !oracle || ids.contains(c.event.system.event_id),
                "query {} matches EventID {} outside its bound", c.query, c.event.system.event_id
            );
        }
    }

    /// Display writes back XPath that parses to the same expression.
    #[test]
    fn display_round_trips(c in case()) {
        let Ok(expr) = parser::parse(&c.query) else { return Ok(()); };
        let text = expr.to_string();
        let again = parser::parse(&text)
            .map_err(|e| TestCaseError::fail(format!("{} -> {text}: {e}", c.query)))?;
        prop_assert_eq!(again.to_string(), text);
    }
}

/// The generator is worth running: most queries compile, and they both match and miss.
#[test]
fn generated_queries_mostly_compile_and_sometimes_match() {
    let mut runner = TestRunner::deterministic();
    let strategy = case();
    let (mut compiled, mut matched, mut bounded_matches) = (0, 0, 0);
    let total = 1000;
    for _ in 0..total {
        let c = strategy.new_tree(&mut runner).unwrap().current();
        if let Ok(filter) = XPathFilter::compile(&c.query) {
            compiled += 1;
            let matches = answers(&filter, &c).2;
            matched += usize::from(matches);
            bounded_matches += usize::from(matches && filter.event_ids().is_some());
        }
    }
    // The EventID bound's property above is tested on matches it bounds.
    assert!(
        bounded_matches >= 3,
        "{bounded_matches} matches had an EventID bound"
    );
    assert!(
        compiled * 100 >= total * 80,
        "{compiled} of {total} compiled"
    );
    assert!(
        matched * 100 >= compiled * 15,
        "{matched} of {compiled} matched"
    );
    assert!(
        matched * 100 <= compiled * 85,
        "{matched} of {compiled} matched"
    );
}
