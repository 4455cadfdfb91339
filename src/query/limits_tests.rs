//! The front end on hostile text: the work grows linearly with the text (counted with
//! `work`, not timed).

use super::*;

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
        let depth = n.min(64) / 2;
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
