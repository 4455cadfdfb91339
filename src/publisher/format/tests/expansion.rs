//! Message strings expanded on their own: escapes, inserts with and without printf
//! formats, parameters resolved in rounds; property tests of expansion.

use proptest::prelude::*;

use super::*;
use crate::publisher::format::expand::{resolve_parameters, Compiled, Inserts, Warnings};
use crate::publisher::format::printf::Spec;

struct List(Vec<&'static str>);

impl Inserts for List {
    fn write(&mut self, n: usize, spec: Option<&Spec>, out: &mut String) -> bool {
        match self.0.get(n.wrapping_sub(1)) {
            Some(s) => {
                match spec {
                    Some(spec) => spec.write(s, s.parse().ok(), &[], out),
                    None => out.push_str(s),
                }
                true
            }
            None => false,
        }
    }
}

fn expand(source: &str, inserts: &[&'static str]) -> (String, Warnings) {
    let c = Compiled::new(source).unwrap();
    let mut out = String::new();
    let mut w = Warnings::default();
    c.expand(&mut List(inserts.to_vec()), &mut out, &mut w);
    (out, w)
}

#[test]
fn every_escape_expands_as_format_message_does() {
    let cases = [
        ("a%nb", "a\r\nb"),
        ("a%rb", "a\rb"),
        ("a%tb", "a\tb"),
        ("a%bb", "a b"),
        ("a% b", "a b"),
        ("a%.b", "a.b"),
        ("a%!b", "a!b"),
        ("100%%", "100%"),
        ("%%%%", "%%"),
        ("test%0test", "test"),
        ("a%qb", "aqb"),
        ("a%éb", "aéb"),
        ("a\nb", "a\r\nb"),
        ("a\rb", "a\r\nb"),
        ("a\r\nb", "a\r\nb"),
        ("a\r\r\nb", "a\r\n\r\nb"),
        ("%1 and %2", "x and y"),
        ("%1!5s!|%2!-3s!|", "    x|y  |"),
        ("%10", "ten"),
        ("%1%2", "xy"),
        ("%%12 stays", "%%12 stays"),
    ];
    let inserts = ["x", "y", "3", "4", "5", "6", "7", "8", "9", "ten"];
    for (source, want) in cases {
        let (got, w) = expand(source, &inserts);
        assert_eq!(got, want, "{source:?}");
        assert_eq!(w, Warnings::default(), "{source:?}");
    }
    // Two digits at most: %100 is insert 10, then "0".
    assert_eq!(expand("%100", &inserts).0, "ten0");
    assert!(Compiled::new("%%12").unwrap().has_parameters());
}

#[test]
fn a_lone_trailing_percent_is_invalid() {
    let e = Compiled::new("50%").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidParameter);
    assert!(e.to_string().contains("offset 2"), "{e}");
}

#[test]
fn missing_inserts_stay_verbatim_with_15029() {
    let (got, w) = expand("a %1 b %3!x! c %2", &["x", "y"]);
    assert_eq!(got, "a x b %3!x! c y");
    assert_eq!(w.missing_insert, Some(3));
    let e = w.to_error(|| "m".into()).unwrap();
    assert_eq!(e.kind(), ErrorKind::UnresolvedValueInsert);
    // An unterminated `!spec` is a plain insert followed by its text.
    assert_eq!(expand("%1!x", &["v"]).0, "v!x");
}

#[test]
fn parameters_resolve_recursively_and_report_what_is_left() {
    let table = |n: u64| match n {
        1 => Some("one"),
        2 => Some("%%1 and two\r\n"),
        3 => Some("%%3"),
        _ => None,
    };
    let run = |text: &str| {
        let mut t = text.to_owned();
        let mut w = Warnings::default();
        resolve_parameters(&mut t, &mut String::new(), table, &mut w);
        (t, w)
    };
    assert_eq!(run("x %%2 y").0, "x one and two y");
    let (t, w) = run("x %%9 %%1");
    assert_eq!(t, "x %%9 one");
    assert_eq!(w.unresolved_parameter, Some(9));
    assert_eq!(
        w.to_error(String::new).unwrap().kind(),
        ErrorKind::UnresolvedParameterInsert
    );
    // A self-reference hits the cap: 15031, the string still returned.
    let (t, w) = run("loop %%3");
    assert_eq!(t, "loop %%3");
    assert!(w.max_rounds);
    assert_eq!(
        w.to_error(String::new).unwrap().kind(),
        ErrorKind::MaxInsertsReached
    );
    // References that multiply stop at the output limit, the rest left as written.
    let big = "%%4".repeat(1000);
    let mut t = "%%4 ".repeat(1000);
    let mut w = Warnings::default();
    resolve_parameters(
        &mut t,
        &mut String::new(),
        |n| (n == 4).then_some(big.as_str()),
        &mut w,
    );
    assert!(w.max_rounds);
    assert!(
        t.len() < 2 * crate::publisher::format::expand::MAX_OUTPUT + big.len(),
        "{}",
        t.len()
    );
    // Too large for an id: unresolved.
    let (t, w) = run("%%99999999999999999999999");
    assert_eq!(t, "%%99999999999999999999999");
    assert_eq!(w.unresolved_parameter, Some(u64::MAX));
}

fn plain_text() -> impl Strategy<Value = String> {
    // Text without `%`, CR or LF (those are escapes or line ends).
    proptest::string::string_regex("[^%\r\n]{0,80}").unwrap()
}

proptest! {
    #[test]
    fn text_without_escapes_is_itself(text in plain_text()) {
        let (got, w) = expand(&text, &[]);
        prop_assert_eq!(got, text);
        prop_assert_eq!(w, Warnings::default());
    }

    #[test]
    fn inserted_strings_come_out_verbatim(
        a in "[^\u{0}]{0,40}",
        b in "[^\u{0}]{0,40}",
        pre in plain_text(),
    ) {
        let c = Compiled::new(&format!("{pre}[%1|%2]")).unwrap();
        let mut out = String::new();
        let mut w = Warnings::default();
        let leaked: Vec<&'static str> = vec![
            Box::leak(a.clone().into_boxed_str()),
            Box::leak(b.clone().into_boxed_str()),
        ];
        c.expand(&mut List(leaked), &mut out, &mut w);
        prop_assert_eq!(out, format!("{pre}[{a}|{b}]"));
        prop_assert_eq!(w, Warnings::default());
    }
}
