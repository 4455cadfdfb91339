//! The front end on hostile text: depth limits hold on a small thread stack, and the work
//! grows linearly with the text (counted with `work`, not timed).

use super::*;

/// The small stack: a debug build's deepest XPath (64 brackets, each through eight parser
/// frames) needs about 330 KiB; a release build far less.
pub(crate) const STACK: usize = 512 * 1024;

/// Runs `f` on a thread with a [`STACK`] stack (a quarter of a spawned thread's default), so
/// that recursion that grows with the input overflows here rather than in a user's process.
pub(crate) fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the thread ran to its end")
}

/// (top-level code, filter code, column) of a failed compile.
fn error_of(result: Result<XPathFilter>) -> (u32, Option<u32>, u32) {
    let e = result.expect_err("the query must fail");
    (
        e.win32_code(),
        e.filter_code(),
        e.position().map_or(0, |p| p.1),
    )
}

#[test]
fn twenty_thousand_parentheses_fail_with_15026_at_the_one_too_deep() {
    let got = on_small_stack(|| {
        let text = format!("{}*{}", "(".repeat(20_000), ")".repeat(20_000));
        error_of(XPathFilter::compile(&text))
    });
    let column = MAX_XPATH_NESTING as u32 + 1;
    assert_eq!(got, (15001, Some(15026), column));
}

#[test]
fn deep_predicates_and_mixed_nesting_fail_the_same_way() {
    let got = on_small_stack(|| {
        let brackets = format!("*{}{}", "[a".repeat(10_000), "]".repeat(10_000));
        let mixed = format!("*{}", "[(a".repeat(10_000));
        let unclosed = "(".repeat(100_000);
        [brackets, mixed, unclosed].map(|t| error_of(XPathFilter::compile(&t)))
    });
    // The 65th bracket: `*[a[a…` puts it at column 2 + 2 * 64; `*[(a[(a…` at 2 + 3 * 32.
    assert_eq!(got[0], (15001, Some(15026), 2 + 2 * 64));
    assert_eq!(got[1], (15001, Some(15026), 2 + 3 * 32));
    assert_eq!(got[2], (15001, Some(15026), 65));
}

/// At the limit a query still compiles and evaluates, on the small stack: the limit is the
/// only thing between a deep query and the recursion, and it leaves room.
#[test]
fn a_query_at_the_limits_compiles_and_matches_on_a_small_stack() {
    let matched = on_small_stack(|| {
        // 63 parentheses and one predicate bracket: 64 open at the deepest point.
        let n = MAX_XPATH_NESTING - 1;
        let text = format!("{}*[System/EventID=7]{}", "(".repeat(n), ")".repeat(n));
        let filter = XPathFilter::compile(&text).expect("at the limit");
        let event = Event::builder("P").event_id(7).build();
        let copy = filter.clone();
        let shown = format!("{:?}", copy.expr);
        filter.matches(&event, FileTime::default()) && !shown.is_empty()
    });
    assert!(matched);
    // One more is over.
    let n = MAX_XPATH_NESTING;
    let text = format!("{}*[System/EventID=7]{}", "(".repeat(n), ")".repeat(n));
    assert_eq!(error_of(XPathFilter::compile(&text)).1, Some(15026));
}

/// The tallest tree the parser builds (the deepest nesting with the longest `and` chain
/// inside it) is validated and dropped on the small stack; over the operator limit the query
/// fails at the operator that goes over.
#[test]
fn operator_chains_are_limited_and_the_tallest_tree_fits_a_small_stack() {
    let got = on_small_stack(|| {
        let n = MAX_XPATH_NESTING - 1;
        let chain = vec!["EventID=1"; MAX_XPATH_OPERATORS + 1].join(" and ");
        let tallest = format!("*[{}{chain}{}]", "(".repeat(n), ")".repeat(n));
        let over = format!("{} or *", chain);
        let long = vec!["*[System/EventID=1]"; 100_000].join(" or ");
        (
            error_of(XPathFilter::compile(&tallest)),
            error_of(XPathFilter::compile(&over)),
            error_of(XPathFilter::compile(&long)),
        )
    });
    // Valid but over 20 expressions: the ordinary limit error.
    assert_eq!(got.0 .1, Some(15026));
    // "EventID=1 and " is 14 characters, the first `and` at column 11: the 257th is at
    // 11 + 14 * 256.
    assert_eq!(got.1, (15001, Some(15026), 11 + 14 * 256));
    assert_eq!(got.2 .1, Some(15026));
}

#[test]
fn tolerant_compile_of_a_huge_chain_keeps_its_first_twenty_terms() {
    let (count, error) = on_small_stack(|| {
        let text = vec!["*[System/EventID=1]"; 30_000].join(" or ");
        let (filter, error) = XPathFilter::compile_tolerant(&text).expect("a valid prefix");
        (filter.expression_count(), error.map(|e| e.filter_code()))
    });
    assert_eq!(count, MAX_XPATH_EXPRESSIONS);
    assert_eq!(error, Some(Some(15026)));
}

/// The work `f` does on its input.
fn work_of(f: impl FnOnce()) -> u64 {
    let before = work_done();
    f();
    work_done() - before
}

/// Doubling the input at most doubles the work (with 10% to spare), for each shape.
fn assert_linear(name: &str, build: impl Fn(usize) -> String, run: impl Fn(&str)) {
    for n in [50, 400] {
        let small = build(n);
        let large = build(2 * n);
        let w1 = work_of(|| run(&small));
        let w2 = work_of(|| run(&large));
        assert!(w1 > 0, "{name}: no work counted");
        assert!(
            w2 * 10 <= w1 * 22,
            "{name}: n={n} did {w1} units, 2n did {w2}: more than linear"
        );
    }
}

#[test]
fn the_query_front_end_does_linear_work() {
    let tolerant = |t: &str| drop(XPathFilter::compile_tolerant(t));
    let strict = |t: &str| drop(XPathFilter::compile(t));
    let parse = |t: &str| drop(Query::parse(Some("System"), Some(t)));
    // A chain whose last term is bad: tolerant mode looks for the longest valid prefix.
    let bad_tail = |n: usize| {
        let mut terms = vec!["*[System[EventID=1]]"; n];
        terms.push("*[System[EventID=]]");
        terms.join(" or ")
    };
    assert_linear("tolerant, bad tail", bad_tail, tolerant);
    assert_linear("strict, bad tail", bad_tail, strict);
    let bad_head = |n: usize| {
        let mut terms = vec!["*[System[EventID=]]"];
        terms.extend(vec!["*[System[EventID=1]]"; n]);
        terms.join(" or ")
    };
    assert_linear("tolerant, bad head", bad_head, tolerant);
    let lexical = |n: usize| format!("{} or *[x='unclosed", vec!["*[a]"; n].join(" or "));
    assert_linear("tolerant, lexical error", lexical, tolerant);
    let string = |n: usize| format!("*[EventData/Data='{}']", "x".repeat(100 * n));
    assert_linear("long literal", string, strict);
    let nested = |n: usize| {
        let depth = n.min(MAX_XPATH_NESTING) / 2;
        format!(
            "{}{}*[a]{}",
            "x or ".repeat(n),
            "(".repeat(depth),
            ")".repeat(depth)
        )
    };
    assert_linear("nesting", nested, tolerant);
    let queries = |n: usize| {
        let mut xml = String::from("<QueryList>");
        for i in 0..n {
            xml.push_str(&format!(
                "<Query Id='{i}' Path='C{i}'><Select>*[System[EventID={i}]]</Select>\
                 <Suppress>*[System[Level=5]]</Suppress></Query>"
            ));
        }
        xml + "</QueryList>"
    };
    assert_linear("QueryList of many queries", queries, parse);
    let selects = |n: usize| {
        let mut xml = String::from("<QueryList><Query Id='0'>");
        for i in 0..n {
            xml.push_str(&format!("<Select Path='C{i}'>*</Select>"));
        }
        xml + "</Query></QueryList>"
    };
    assert_linear("QueryList of many selects", selects, parse);
}

/// A `<QueryList>` is read without recursion (elements below Select fail at once), and its
/// XPaths are under the same limits, their errors placed in the XML.
#[test]
fn query_lists_with_deep_xml_or_deep_xpath_fail_cleanly_on_a_small_stack() {
    let got = on_small_stack(|| {
        let deep_xpath = format!(
            "<QueryList><Query Id='0' Path='System'>\n<Select>{}</Select></Query></QueryList>",
            "(".repeat(20_000)
        );
        let deep_xml = format!("<QueryList>{}", "<Query>".repeat(100_000));
        let deep_select = format!(
            "<QueryList><Query><Select>{}</Select></Query></QueryList>",
            "<a>".repeat(100_000)
        );
        [deep_xpath, deep_xml, deep_select].map(|t| {
            let e = Query::parse(Some("System"), Some(&t)).expect_err("must fail");
            (e.win32_code(), e.filter_code(), e.position())
        })
    });
    // Line 2, after the 8 characters of `<Select>`: the 65th parenthesis.
    assert_eq!(got[0], (15001, Some(15026), Some((2, 8 + 65))));
    assert_eq!(got[1].0, 15008);
    assert_eq!(got[2].0, 15008);
}

/// Steps of a path are not nesting: a path of 60,000 steps compiles and evaluates on the
/// small stack, against an event nested as deep as event XML may be.
#[test]
fn a_path_of_many_steps_evaluates_on_a_small_stack() {
    let results = on_small_stack(|| {
        let depth = crate::event::MAX_XML_DEPTH - 2;
        let xml = format!(
            "<Event><System><EventID>1</EventID></System><UserData>{}x{}</UserData></Event>",
            "<a>".repeat(depth),
            "</a>".repeat(depth)
        );
        let event = Event::from_xml(&xml).expect("at the depth limit");
        let at_depth = format!("*[UserData{}='x']", "/a".repeat(depth));
        let beyond = format!("*[UserData{}='x']", "/a".repeat(60_000));
        [at_depth, beyond].map(|q| {
            let filter = XPathFilter::compile(&q).expect("a long path is valid");
            filter.matches(&event, FileTime::default())
        })
    });
    assert_eq!(results, [true, false]);
}
