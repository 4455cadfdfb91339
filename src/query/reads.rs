//! What a filter reads of an event, so a reader can decode less: whether it reads anything
//! outside `<System>`, and whether its answer depends on the time of evaluation.
//!
//! Invariant: conservative. `system_only` is true only when every path of the filter stays
//! in the event's `<System>` (or tests the event itself), so evaluating it on an event whose
//! body was not decoded gives the same answer; `uses_now` is true whenever any `timediff`
//! measures from the current time.

use super::ast::{Expr, ExprKind, Operand, Path, Predicate, Step, TimeArg};
use crate::event::SystemFields;

/// The `<System>` children `expr` reads, evaluated at the root (EventID always, since a
/// System without one does not map). Meaningful where [`system_only`] holds.
pub(super) fn system_fields(expr: &Expr) -> SystemFields {
    let mut fields = SystemFields::NONE.with("EventID");
    expr_fields(expr, Level::Root, &mut fields);
    fields
}

/// True if `expr`, evaluated at the root, reads no `<System>` child (`*`, or tests of
/// the event's elements only): then, where [`system_only`] holds, its answer is the same
/// for every event that maps, and a reader may ask it once for a whole chunk.
pub(super) fn reads_no_system_child(expr: &Expr) -> bool {
    let mut fields = SystemFields::NONE;
    expr_fields(expr, Level::Root, &mut fields);
    fields == SystemFields::NONE
}

fn expr_fields(expr: &Expr, level: Level, out: &mut SystemFields) {
    match &expr.kind {
        ExprKind::Or(a, b) | ExprKind::And(a, b) => {
            expr_fields(a, level, out);
            expr_fields(b, level, out);
        }
        ExprKind::Exists(p) | ExprKind::Band { path: p, .. } => path_fields(p, level, out),
        ExprKind::Compare { left, .. } => match left {
            Operand::Path(p) => path_fields(p, level, out),
            Operand::Position => *out = SystemFields::ALL,
            Operand::TimeDiff { from, to } => {
                for arg in [from, to] {
                    if let TimeArg::Path(p) = arg {
                        path_fields(p, level, out);
                    }
                }
            }
        },
    }
}

fn path_fields(path: &Path, mut level: Level, out: &mut SystemFields) {
    for step in &path.steps {
        if level == Level::System {
            // The first step below `<System>` names the child read.
            *out = match step {
                Step::Element {
                    name: Some(name), ..
                } => out.with(name.rsplit_once(':').map_or(name, |(_, l)| l)),
                _ => SystemFields::ALL,
            };
            return;
        }
        let Step::Element { name, predicates } = step else {
            *out = SystemFields::ALL;
            return;
        };
        level = match (level, name.as_deref()) {
            (Level::Root, None | Some("Event")) => Level::Event,
            (Level::Event, Some("System")) => Level::System,
            _ => {
                *out = SystemFields::ALL;
                return;
            }
        };
        for p in predicates {
            match p {
                Predicate::Expr(e) => expr_fields(e, level, out),
                Predicate::Position(_) => *out = SystemFields::ALL,
            }
        }
    }
}

/// Where a path is evaluated.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    /// The virtual root whose only child is the event.
    Root,
    /// The `<Event>` element.
    Event,
    /// Inside `<System>`.
    System,
}

/// True if `expr`, evaluated at the root, reads nothing outside `<System>`.
pub(super) fn system_only(expr: &Expr) -> bool {
    expr_ok(expr, Level::Root)
}

/// True if some `timediff` in `expr` measures from the current time.
pub(super) fn uses_now(expr: &Expr) -> bool {
    match &expr.kind {
        ExprKind::Or(a, b) | ExprKind::And(a, b) => uses_now(a) || uses_now(b),
        ExprKind::Exists(p) | ExprKind::Band { path: p, .. } => path_uses_now(p),
        ExprKind::Compare { left, .. } => match left {
            Operand::Path(p) => path_uses_now(p),
            Operand::Position => false,
            Operand::TimeDiff { from, to } => {
                matches!(from, TimeArg::Now) || matches!(to, TimeArg::Now) || {
                    let arg = |a: &TimeArg| matches!(a, TimeArg::Path(p) if path_uses_now(p));
                    arg(from) || arg(to)
                }
            }
        },
    }
}

fn path_uses_now(path: &Path) -> bool {
    path.steps.iter().any(|step| match step {
        Step::Element { predicates, .. } => predicates
            .iter()
            .any(|p| matches!(p, Predicate::Expr(e) if uses_now(e))),
        Step::Attribute(_) | Step::Text => false,
    })
}

fn expr_ok(expr: &Expr, level: Level) -> bool {
    match &expr.kind {
        ExprKind::Or(a, b) | ExprKind::And(a, b) => expr_ok(a, level) && expr_ok(b, level),
        ExprKind::Exists(p) | ExprKind::Band { path: p, .. } => path_ok(p, level),
        ExprKind::Compare { left, .. } => match left {
            Operand::Path(p) => path_ok(p, level),
            Operand::Position => level == Level::System,
            Operand::TimeDiff { from, to } => {
                let arg = |a: &TimeArg| match a {
                    TimeArg::Path(p) => path_ok(p, level),
                    TimeArg::Now | TimeArg::Literal(_) => true,
                };
                arg(from) && arg(to)
            }
        },
    }
}

fn path_ok(path: &Path, mut level: Level) -> bool {
    for step in &path.steps {
        if level == Level::System {
            // Everything below `<System>` is System.
            return true;
        }
        let Step::Element { name, predicates } = step else {
            return false;
        };
        level = match (level, name.as_deref()) {
            (Level::Root, None | Some("Event")) => Level::Event,
            (Level::Event, Some("System")) => Level::System,
            _ => return false,
        };
        let predicates_ok = predicates.iter().all(|p| match p {
            Predicate::Expr(e) => expr_ok(e, level),
            Predicate::Position(_) => level == Level::System,
        });
        if !predicates_ok {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::SystemFields;
    use crate::query::XPathFilter;

    #[test]
    fn no_system_child_read_only_where_none_is_named() {
        for (text, none) in [
            ("*", true),
            ("*[System]", true),
            ("Event/System", true),
            ("*[System[EventID=4624]]", false),
            ("*[System[Level=4]]", false),
            (
                "*[System[TimeCreated[timediff(@SystemTime) <= 1000]]]",
                false,
            ),
            ("*[System[*]]", false),
        ] {
            let f = XPathFilter::compile(text).unwrap();
            assert_eq!(f.reads_no_system_child(), none, "{text}");
        }
    }

    #[test]
    fn system_only_and_uses_now() {
        let cases = [
            ("*", true, false),
            ("*[System[EventID=4624]]", true, false),
            (
                "Event/System[Level<=3 and Provider[@Name='x']]",
                true,
                false,
            ),
            (
                "*[System/EventID=1 and System[TimeCreated[timediff(@SystemTime) <= 1000]]]",
                true,
                true,
            ),
            ("*[EventData[Data[@Name='a']='b']]", false, false),
            ("*[System[EventID=1] or UserData/*/x='y']", false, false),
            ("*[*[EventID=1]]", false, false),
            ("*[System[EventID=1]][EventData]", false, false),
        ];
        for (text, system_only, uses_now) in cases {
            let f = XPathFilter::compile(text).unwrap();
            assert_eq!(f.reads_system_only(), system_only, "{text}");
            assert_eq!(f.uses_now(), uses_now, "{text}");
        }
    }

    #[test]
    fn time_created_is_the_bit_of_its_name() {
        assert_eq!(
            SystemFields::TIME_CREATED,
            SystemFields::NONE.with("TimeCreated")
        );
        assert!(SystemFields::TIME_CREATED.reads(SystemFields::bit_of("TimeCreated")));
        assert!(!SystemFields::TIME_CREATED.reads(SystemFields::bit_of("EventID")));
    }

    #[test]
    fn system_fields_name_what_is_read() {
        use super::SystemFields;
        let bits = |names: &[&str]| names.iter().fold(0u16, |m, n| m | SystemFields::bit_of(n));
        let cases: [(&str, u16); 5] = [
            ("*", bits(&["EventID"])),
            ("*[System[EventID=4624]]", bits(&["EventID"])),
            (
                "*[System[Level<=3 and Provider[@Name='x']]] or *[System/Channel='c']",
                bits(&["EventID", "Level", "Provider", "Channel"]),
            ),
            ("*[System[*[1]=2]]", u16::MAX),
            (
                "*[System[TimeCreated[timediff(@SystemTime) <= 1000]]]",
                bits(&["EventID", "TimeCreated"]),
            ),
        ];
        for (text, mask) in cases {
            let f = XPathFilter::compile(text).unwrap();
            assert_eq!(f.system_fields(), SystemFields::from_bits(mask), "{text}");
        }
    }
}
