//! `evtutil trace FILE`: a summary of a call trace (the JSON lines `EVTLOG_TRACE` or
//! `controls::trace_to` write): calls per function, errors per function and code, and the
//! slowest calls on the virtual and the wall clock, in wevtutil's `name: value` layout.
//!
//! Invariants: a line that is not a trace line (bad JSON, a missing or mistyped field) is
//! reported on stderr with its line number and what was wrong, and skipped; the summary says
//! how many were. Ties among the slowest calls go to the earlier line, so the output is a
//! function of the file.

use std::collections::BTreeMap;
use std::io::{self, BufRead, Write};

use serde_json::Value;

use crate::args::OptionSpec;

/// The options of `trace`.
pub const TRACE_OPTIONS: &[OptionSpec] = &[OptionSpec::new("c", "count")
    .value("N")
    .help("list the N slowest calls (default 5)")];

/// How many of the slowest calls are listed without `/c`.
pub const DEFAULT_SLOWEST: usize = 5;

/// One call of the trace.
struct Call {
    line: usize,
    seq: u64,
    function: String,
    error: u32,
    ticks: u64,
    wall_ns: u64,
}

/// A line as a [`Call`], or what is wrong with it.
fn call(line: usize, text: &str) -> Result<Call, String> {
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let Value::Object(members) = &value else {
        return Err("not a JSON object".to_owned());
    };
    let number = |key: &str| -> Result<u64, String> {
        match members.get(key) {
            None => Err(format!("no \"{key}\"")),
            Some(v) => v
                .as_u64()
                .ok_or_else(|| format!("\"{key}\" is {v}, not a non-negative integer")),
        }
    };
    let function = match members.get("function") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(v) => return Err(format!("\"function\" is {v}, not a function name")),
        None => return Err("no \"function\"".to_owned()),
    };
    if !members.get("result").is_some_and(Value::is_i64) {
        return Err("no integer \"result\"".to_owned());
    }
    let error = number("error")?;
    let error =
        u32::try_from(error).map_err(|_| format!("\"error\" {error} is not a Win32 code"))?;
    Ok(Call {
        line,
        seq: number("seq")?,
        function,
        error,
        ticks: number("ticks")?,
        wall_ns: number("wall_ns")?,
    })
}

#[derive(Default)]
struct PerFunction {
    calls: u64,
    /// Failures by Win32 code.
    errors: BTreeMap<u32, u64>,
}

/// Reads the trace from `input` (named `name` in messages), writes the summary to `out` and
/// each bad line to `err`.
pub fn summarize(
    name: &str,
    input: impl BufRead,
    slowest: usize,
    out: &mut impl Write,
    err: &mut impl Write,
) -> io::Result<()> {
    let mut calls = Vec::new();
    let mut skipped = 0u64;
    for (i, line) in input.split(b'\n').enumerate() {
        let number = i + 1;
        let line = line?;
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches('\r');
        if text.trim().is_empty() {
            continue;
        }
        match call(number, text) {
            Ok(c) => calls.push(c),
            Err(why) => {
                skipped += 1;
                writeln!(err, "evtutil: {name} line {number}: {why}; skipped")?;
            }
        }
    }
    let mut functions: BTreeMap<&str, PerFunction> = BTreeMap::new();
    for c in &calls {
        let f = functions.entry(&c.function).or_default();
        f.calls += 1;
        if c.error != 0 {
            *f.errors.entry(c.error).or_default() += 1;
        }
    }
    let failed: u64 = functions
        .values()
        .map(|f| f.errors.values().sum::<u64>())
        .sum();
    writeln!(out, "file: {name}")?;
    writeln!(out, "calls: {}", calls.len())?;
    writeln!(out, "failedCalls: {failed}")?;
    writeln!(out, "skippedLines: {skipped}")?;
    writeln!(out, "functions:")?;
    let mut by_calls: Vec<(&&str, &PerFunction)> = functions.iter().collect();
    by_calls.sort_by(|a, b| b.1.calls.cmp(&a.1.calls).then(a.0.cmp(b.0)));
    for (function, f) in &by_calls {
        let errors: u64 = f.errors.values().sum();
        writeln!(out, "  {function}: calls {}, failed {errors}", f.calls)?;
    }
    writeln!(out, "errors:")?;
    for (function, f) in &by_calls {
        for (code, n) in &f.errors {
            let message = evtlog::win32_message(*code).unwrap_or("(no message)");
            writeln!(out, "  {function}: {code} x{n}: {}", message.trim_end())?;
        }
    }
    let mut order: Vec<&Call> = calls.iter().collect();
    order.sort_by(|a, b| b.ticks.cmp(&a.ticks).then(a.line.cmp(&b.line)));
    writeln!(out, "slowestVirtual:")?;
    for c in order.iter().take(slowest) {
        writeln!(
            out,
            "  {}: {} ticks ({} ms), seq {}, line {}, error {}",
            c.function,
            c.ticks,
            millis(c.ticks.saturating_mul(100)),
            c.seq,
            c.line,
            c.error
        )?;
    }
    order.sort_by(|a, b| b.wall_ns.cmp(&a.wall_ns).then(a.line.cmp(&b.line)));
    writeln!(out, "slowestWall:")?;
    for c in order.iter().take(slowest) {
        writeln!(
            out,
            "  {}: {} ms, seq {}, line {}, error {}",
            c.function,
            millis(c.wall_ns),
            c.seq,
            c.line,
            c.error
        )?;
    }
    Ok(())
}

/// Nanoseconds as milliseconds with three decimals.
fn millis(nanos: u64) -> String {
    format!("{}.{:03}", nanos / 1_000_000, nanos / 1_000 % 1_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_summary_counts_calls_errors_and_the_slowest() {
        let trace = concat!(
            r#"{"seq":1,"thread":1,"function":"EvtQuery","args":{},"result":5,"error":0,"ticks":0,"wall_ns":900}"#,
            "\n",
            r#"{"seq":2,"thread":1,"function":"EvtNext","args":{},"result":0,"error":1734,"ticks":50000,"wall_ns":100}"#,
            "\n{not json\n",
            r#"{"seq":3,"thread":1,"function":"EvtNext","args":{},"result":0,"error":259,"ticks":0,"wall_ns":2000000}"#,
            "\n",
            r#"{"seq":4,"function":"EvtClose","result":1,"error":-1,"ticks":0,"wall_ns":1}"#,
            "\n",
        );
        let (mut out, mut err) = (Vec::new(), Vec::new());
        summarize("t.jsonl", trace.as_bytes(), 1, &mut out, &mut err).unwrap();
        let out = String::from_utf8(out).unwrap();
        let err = String::from_utf8(err).unwrap();
        assert!(
            err.starts_with("evtutil: t.jsonl line 3: not JSON"),
            "{err}"
        );
        assert!(err.contains("line 5: \"error\" is -1"), "{err}");
        assert_eq!(
            out,
            "file: t.jsonl\ncalls: 3\nfailedCalls: 2\nskippedLines: 2\nfunctions:\n  \
             EvtNext: calls 2, failed 2\n  EvtQuery: calls 1, failed 0\nerrors:\n  \
             EvtNext: 259 x1: No more data is available.\n  EvtNext: 1734 x1: The array \
             bounds are invalid.\nslowestVirtual:\n  EvtNext: 50000 ticks (5.000 ms), seq 2, \
             line 2, error 1734\nslowestWall:\n  EvtNext: 2.000 ms, seq 3, line 4, error 259\n"
        );
    }
}
