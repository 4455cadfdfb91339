//! Validation of a parsed filter against the service's rules (the XPath subset Windows accepts): a
//! top-level path must select the event (`*` or `Event`: NOTELTSET, 15015); a comparison with
//! a known System field must use a literal of its type (INVTYPE, 15018) within its range
//! (OUT_OF_RANGE, 15038); `position()` applies to leaf elements only (UNSUPPORTEDOP, 15020);
//! an attribute or `text()` ends a path (INVTEST, 15017).
//!
//! The schema position of each step is tracked statically ([`Static`]), so these checks need
//! no event.

use super::ast::{Expr, ExprKind, Literal, Operand, Path, Predicate, Step, TimeArg};
use super::eval::{uses_position, SysLeaf};
use super::syntax_error;
use super::value::Typed;
use crate::error::{codes::*, Result};
use crate::event::{SystemChild, SystemValue};

/// What a path step leads to, as far as the schema tells statically.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Static {
    Root,
    Event,
    System,
    Provider,
    Leaf(SysLeaf),
    TimeCreated,
    Correlation,
    Execution,
    Security,
    EventData,
    UserData,
    Unknown,
}

/// The type a known field's value has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FieldType {
    UInt(u64),
    Time,
    Guid,
    Sid,
    Str,
}

fn child(of: Static, name: Option<&str>) -> Static {
    let Some(name) = name else {
        return if of == Static::Root {
            Static::Event
        } else {
            Static::Unknown
        };
    };
    match (of, name) {
        (Static::Root, "Event") => Static::Event,
        (Static::Event, "System") => Static::System,
        (Static::Event, "EventData") => Static::EventData,
        (Static::Event, "UserData") => Static::UserData,
        (Static::System, name) => match SystemChild::from_name(name) {
            Some(SystemChild::Provider) => Static::Provider,
            Some(SystemChild::TimeCreated) => Static::TimeCreated,
            Some(SystemChild::Correlation) => Static::Correlation,
            Some(SystemChild::Execution) => Static::Execution,
            Some(SystemChild::Security) => Static::Security,
            Some(child) => SysLeaf::of(child).map_or(Static::Unknown, Static::Leaf),
            None => Static::Unknown,
        },
        _ => Static::Unknown,
    }
}

fn leaf_type(leaf: SysLeaf) -> FieldType {
    match leaf.child().value() {
        SystemValue::UInt { max } => FieldType::UInt(max),
        SystemValue::Hex => FieldType::UInt(u64::MAX),
        SystemValue::Text | SystemValue::Attributes => FieldType::Str,
    }
}

fn attribute_type(of: Static, name: &str) -> Option<FieldType> {
    Some(match (of, name) {
        (Static::Provider, "Name" | "EventSourceName") => FieldType::Str,
        (Static::Provider, "Guid") => FieldType::Guid,
        (Static::Leaf(SysLeaf::EVENT_ID), "Qualifiers") => FieldType::UInt(u16::MAX.into()),
        (Static::TimeCreated, "SystemTime") => FieldType::Time,
        (Static::Correlation, "ActivityID" | "RelatedActivityID") => FieldType::Guid,
        (Static::Execution, "ProcessID" | "ThreadID" | "SessionID" | "KernelTime" | "UserTime") => {
            FieldType::UInt(u32::MAX.into())
        }
        (Static::Execution, "ProcessorID") => FieldType::UInt(u8::MAX.into()),
        (Static::Execution, "ProcessorTime") => FieldType::UInt(u64::MAX),
        (Static::Security, "UserID") => FieldType::Sid,
        _ => return None,
    })
}

/// Validates `expr` evaluated at `at` (see the module docs for the rules).
pub(crate) fn validate(expr: &Expr, at: Static) -> Result<()> {
    super::work(1);
    match &expr.kind {
        ExprKind::Or(a, b) | ExprKind::And(a, b) => {
            validate(a, at)?;
            validate(b, at)
        }
        ExprKind::Exists(path) => {
            top_level_selects_event(path, at, expr.column)?;
            path_type(path, at, expr.column)?;
            Ok(())
        }
        ExprKind::Band { path, .. } => {
            top_level_selects_event(path, at, expr.column)?;
            match path_type(path, at, expr.column)? {
                None | Some(FieldType::UInt(_)) | Some(FieldType::Str) => Ok(()),
                Some(other) => Err(syntax_error(
                    ERROR_EVT_FILTER_INVTYPE,
                    expr.column,
                    format!(
                        "band() needs a number, and {path} is a {}",
                        type_name(other)
                    ),
                )),
            }
        }
        ExprKind::Compare { left, right, .. } => match left {
            Operand::Path(path) => {
                top_level_selects_event(path, at, expr.column)?;
                match path_type(path, at, expr.column)? {
                    Some(t) => check_literal(t, right, &path.to_string(), expr.column),
                    None => Ok(()),
                }
            }
            Operand::Position => {
                if at == Static::Root {
                    return Err(not_an_event_set(expr.column));
                }
                require_number(right, "position()", expr.column)
            }
            Operand::TimeDiff { from, to } => {
                for arg in [from, to] {
                    if let TimeArg::Path(p) = arg {
                        top_level_selects_event(p, at, expr.column)?;
                        if let Some(t) = path_type(p, at, expr.column)? {
                            if !matches!(t, FieldType::Time | FieldType::Str) {
                                return Err(syntax_error(
                                    ERROR_EVT_FILTER_INVTYPE,
                                    expr.column,
                                    format!(
                                        "timediff() needs a time, and {p} is a {}",
                                        type_name(t)
                                    ),
                                ));
                            }
                        }
                    }
                }
                if at == Static::Root
                    && !matches!((from, to), (TimeArg::Path(_), _) | (_, TimeArg::Path(_)))
                {
                    return Err(not_an_event_set(expr.column));
                }
                require_number(right, "timediff()", expr.column)
            }
        },
    }
}

fn not_an_event_set(column: u32) -> crate::Error {
    syntax_error(
        ERROR_EVT_FILTER_NOTELTSET,
        column,
        "the query does not select events: a top-level path starts with * or Event",
    )
}

fn top_level_selects_event(path: &Path, at: Static, column: u32) -> Result<()> {
    if at != Static::Root {
        return Ok(());
    }
    match path.steps.first() {
        Some(Step::Element { name: None, .. }) => Ok(()),
        Some(Step::Element { name: Some(n), .. }) if n == "Event" => Ok(()),
        _ => Err(not_an_event_set(column)),
    }
}

/// Walks `path` from `at`, validating its predicates; returns the static type of what it
/// selects, if known.
fn path_type(path: &Path, at: Static, column: u32) -> Result<Option<FieldType>> {
    let mut here = at;
    let last = path.steps.len().saturating_sub(1);
    for (i, step) in path.steps.iter().enumerate() {
        match step {
            Step::Element { name, predicates } => {
                here = child(here, name.as_deref());
                for p in predicates {
                    let positional = match p {
                        Predicate::Position(_) => true,
                        Predicate::Expr(e) => uses_position(e),
                    };
                    if positional
                        && matches!(
                            here,
                            Static::Event | Static::System | Static::EventData | Static::UserData
                        )
                    {
                        let column = match p {
                            Predicate::Expr(e) => e.column,
                            Predicate::Position(_) => column,
                        };
                        return Err(syntax_error(
                            ERROR_EVT_FILTER_UNSUPPORTEDOP,
                            column,
                            "position() applies to leaf elements only",
                        ));
                    }
                    if let Predicate::Expr(e) = p {
                        validate(e, here)?;
                    }
                }
            }
            Step::Attribute(name) => {
                if i != last {
                    return Err(syntax_error(
                        ERROR_EVT_FILTER_INVTEST,
                        column,
                        format!("@{name} has no children: an attribute ends a path"),
                    ));
                }
                return Ok(attribute_type(here, name));
            }
            Step::Text => {
                if i != last {
                    return Err(syntax_error(
                        ERROR_EVT_FILTER_INVTEST,
                        column,
                        "text() ends a path",
                    ));
                }
            }
        }
    }
    Ok(match here {
        Static::Leaf(leaf) => Some(leaf_type(leaf)),
        _ => None,
    })
}

fn type_name(t: FieldType) -> &'static str {
    match t {
        FieldType::UInt(_) => "number",
        FieldType::Time => "time",
        FieldType::Guid => "GUID",
        FieldType::Sid => "SID",
        FieldType::Str => "string",
    }
}

fn check_literal(t: FieldType, literal: &Literal, path: &str, column: u32) -> Result<()> {
    let ok = match (t, &literal.value) {
        (FieldType::Str, _) => true,
        (FieldType::UInt(max), Typed::Int(v)) => {
            if *v < 0 || *v > i128::from(max) {
                return Err(syntax_error(
                    ERROR_EVT_FILTER_OUT_OF_RANGE,
                    column,
                    format!(
                        "{} is outside the range of {path} (0 to {max})",
                        literal.text
                    ),
                ));
            }
            true
        }
        (FieldType::UInt(_), Typed::Float(_)) => true,
        (FieldType::Time, Typed::Time(_))
        | (FieldType::Guid, Typed::Guid(_))
        | (FieldType::Sid, Typed::Sid(_)) => true,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(syntax_error(
            ERROR_EVT_FILTER_INVTYPE,
            column,
            format!("{path} is a {}, and {literal} is not", type_name(t)),
        ))
    }
}

fn require_number(literal: &Literal, what: &str, column: u32) -> Result<()> {
    match literal.value {
        Typed::Int(_) | Typed::Float(_) => Ok(()),
        _ => Err(syntax_error(
            ERROR_EVT_FILTER_INVTYPE,
            column,
            format!("{what} is a number, and {literal} is not"),
        )),
    }
}
