//! Validation and compilation of a parsed filter into a [`Program`] over typed fields.
//!
//! Validation applies the service's rules (reference/wevtapi.md §5): a top-level path must
//! select the event (`*` or `Event`: NOTELTSET, 15015); a comparison with a known System
//! field must use a literal of its type (INVTYPE, 15018) within its range (OUT_OF_RANGE,
//! 15038); `position()` applies to leaf elements only (UNSUPPORTEDOP, 15020).
//!
//! Compilation resolves the common shapes to direct field reads (EventID, Level, Provider
//! name, TimeCreated and timediff, band on Keywords, named EventData) and leaves the rest to
//! the general evaluator. Invariant: a program's answer equals the general evaluator's on the
//! same expression for every event (tested in `tests.rs`).

use super::ast::{CmpOp, Expr, ExprKind, Literal, Operand, Path, Predicate, Step, TimeArg};
use super::eval::{self, local_name, uses_position, Scratch, SysLeaf};
use super::syntax_error;
use super::value::{compare_int, compare_text, compare_value, eq_ignore_case, without_nul, Typed};
use crate::error::{codes::*, Result};
use crate::event::{Body, DataItem, Event, FileTime};

/// Where a sub-program is evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum At {
    Root,
    Event,
    System,
}

/// Integer fields read directly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IntField {
    EventId,
    Version,
    Level,
    Task,
    Opcode,
    Keywords,
    EventRecordId,
}

impl IntField {
    #[inline]
    fn get(self, event: &Event) -> Option<i128> {
        let s = &event.system;
        match self {
            IntField::EventId => Some(i128::from(s.event_id)),
            IntField::Version => s.version.map(i128::from),
            IntField::Level => s.level.map(i128::from),
            IntField::Task => s.task.map(i128::from),
            IntField::Opcode => s.opcode.map(i128::from),
            IntField::Keywords => s.keywords.map(i128::from),
            IntField::EventRecordId => s.event_record_id.map(i128::from),
        }
    }
}

/// String fields read directly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StrField {
    ProviderName,
    EventSourceName,
    Channel,
    Computer,
}

impl StrField {
    #[inline]
    fn get(self, event: &Event) -> Option<&str> {
        let s = &event.system;
        match self {
            StrField::ProviderName => s.provider.name.as_deref(),
            StrField::EventSourceName => s.provider.event_source_name.as_deref(),
            StrField::Channel => s.channel.as_deref(),
            StrField::Computer => s.computer.as_deref(),
        }
    }
}

/// A compiled filter.
#[derive(Clone, Debug)]
pub(crate) enum Program {
    Const(bool),
    Any(Vec<Program>),
    All(Vec<Program>),
    /// `field op n` with an integer literal (Keywords in hex compares the same way).
    Int {
        field: IntField,
        op: CmpOp,
        value: i128,
    },
    /// `field = a or field = b or …`.
    IntIn {
        field: IntField,
        values: Box<[i128]>,
    },
    Str {
        field: StrField,
        op: CmpOp,
        literal: Typed,
    },
    /// `band(Keywords, mask)`.
    BandKeywords {
        mask: u64,
    },
    /// `TimeCreated[@SystemTime op t]`.
    TimeCreated {
        op: CmpOp,
        value: FileTime,
    },
    /// `TimeCreated[timediff(@SystemTime) op n]`.
    TimeDiffCreated {
        op: CmpOp,
        literal: Typed,
    },
    /// `EventData/Data[@Name = name] op literal`.
    DataNamed {
        name: Typed,
        op: CmpOp,
        literal: Typed,
    },
    /// Anything else, by the general evaluator.
    General {
        expr: Box<Expr>,
        at: At,
    },
}

impl Program {
    /// Evaluates the program against `event`.
    pub(crate) fn matches(&self, event: &Event, scratch: &mut Scratch) -> bool {
        match self {
            Program::Const(b) => *b,
            Program::Any(ps) => ps.iter().any(|p| p.matches(event, scratch)),
            Program::All(ps) => ps.iter().all(|p| p.matches(event, scratch)),
            Program::Int { field, op, value } => {
                field.get(event).is_some_and(|v| op.holds(v.cmp(value)))
            }
            Program::IntIn { field, values } => {
                field.get(event).is_some_and(|v| values.contains(&v))
            }
            Program::Str { field, op, literal } => field
                .get(event)
                .and_then(|v| compare_text(v, literal))
                .is_some_and(|o| op.holds(o)),
            Program::BandKeywords { mask } => event.system.keywords.is_some_and(|k| k & mask != 0),
            Program::TimeCreated { op, value } => event
                .system
                .time_created
                .is_some_and(|t| op.holds(t.cmp(value))),
            Program::TimeDiffCreated { op, literal } => {
                event.system.time_created.is_some_and(|t| {
                    let ms = (i128::from(scratch.now.0) - i128::from(t.0)) / 10_000;
                    compare_int(ms, literal).is_some_and(|o| op.holds(o))
                })
            }
            Program::DataNamed { name, op, literal } => match &event.body {
                Body::EventData(data) => data_named(&data.items, name, *op, literal),
                _ => false,
            },
            Program::General { expr, at } => match at {
                At::Root => eval::matches(expr, event, scratch),
                At::Event => eval::matches_at_event(expr, event, scratch),
                At::System => eval::matches_at_system(expr, event, scratch),
            },
        }
    }
}

/// `Data[@Name = name] op literal` over EventData's items.
fn data_named(items: &[DataItem], name: &Typed, op: CmpOp, literal: &Typed) -> bool {
    let name_matches = |n: &str| match name {
        // The common case: compare names without building anything.
        Typed::Str(want) => eq_ignore_case(&without_nul(n), want),
        other => compare_text(n, other) == Some(std::cmp::Ordering::Equal),
    };
    let mut text = String::new();
    items.iter().any(|item| match item {
        DataItem::Data {
            name: Some(n),
            value,
        } if name_matches(n) => {
            compare_value(value, literal, &mut text).is_some_and(|o| op.holds(o))
        }
        // A self-closed or attributed <Data> kept as a generic element is still a Data node.
        DataItem::Element(el) if local_name(&el.name) == "Data" => {
            let named = el.attributes.iter().any(|a| {
                text.clear();
                a.value.write_text(&mut text);
                a.name == "Name" && name_matches(&text)
            });
            named && {
                text.clear();
                eval::write_direct_text(el, &mut text);
                compare_text(&text, literal).is_some_and(|o| op.holds(o))
            }
        }
        _ => false,
    })
}

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
        (Static::System, "Provider") => Static::Provider,
        (Static::System, "EventID") => Static::Leaf(SysLeaf::EventId),
        (Static::System, "Version") => Static::Leaf(SysLeaf::Version),
        (Static::System, "Level") => Static::Leaf(SysLeaf::Level),
        (Static::System, "Task") => Static::Leaf(SysLeaf::Task),
        (Static::System, "Opcode") => Static::Leaf(SysLeaf::Opcode),
        (Static::System, "Keywords") => Static::Leaf(SysLeaf::Keywords),
        (Static::System, "EventRecordID") => Static::Leaf(SysLeaf::EventRecordId),
        (Static::System, "Channel") => Static::Leaf(SysLeaf::Channel),
        (Static::System, "Computer") => Static::Leaf(SysLeaf::Computer),
        (Static::System, "TimeCreated") => Static::TimeCreated,
        (Static::System, "Correlation") => Static::Correlation,
        (Static::System, "Execution") => Static::Execution,
        (Static::System, "Security") => Static::Security,
        _ => Static::Unknown,
    }
}

fn leaf_type(leaf: SysLeaf) -> FieldType {
    match leaf {
        SysLeaf::EventId | SysLeaf::Task => FieldType::UInt(u16::MAX.into()),
        SysLeaf::Version | SysLeaf::Level | SysLeaf::Opcode => FieldType::UInt(u8::MAX.into()),
        SysLeaf::Keywords | SysLeaf::EventRecordId => FieldType::UInt(u64::MAX),
        SysLeaf::Channel | SysLeaf::Computer => FieldType::Str,
    }
}

fn attribute_type(of: Static, name: &str) -> Option<FieldType> {
    Some(match (of, name) {
        (Static::Provider, "Name" | "EventSourceName") => FieldType::Str,
        (Static::Provider, "Guid") => FieldType::Guid,
        (Static::Leaf(SysLeaf::EventId), "Qualifiers") => FieldType::UInt(u16::MAX.into()),
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

/// Compiles a validated top-level expression.
pub(crate) fn compile(expr: &Expr) -> Program {
    compile_at(expr, At::Root)
}

fn general(expr: &Expr, at: At) -> Program {
    Program::General {
        expr: Box::new(expr.clone()),
        at,
    }
}

fn compile_at(expr: &Expr, at: At) -> Program {
    match &expr.kind {
        ExprKind::Or(..) => {
            let mut parts = Vec::new();
            flatten(expr, true, &mut parts);
            let programs: Vec<Program> = parts.iter().map(|e| compile_at(e, at)).collect();
            merge_int_equalities(programs)
        }
        ExprKind::And(..) => {
            let mut parts = Vec::new();
            flatten(expr, false, &mut parts);
            Program::All(parts.iter().map(|e| compile_at(e, at)).collect())
        }
        ExprKind::Exists(path) => compile_path(&path.steps, None, expr, at),
        ExprKind::Compare {
            left: Operand::Path(path),
            op,
            right,
        } => compile_path(&path.steps, Some((*op, right)), expr, at),
        ExprKind::Band { path, mask } if at == At::System && is_leaf(&path.steps, "Keywords") => {
            Program::BandKeywords { mask: *mask }
        }
        _ => general(expr, at),
    }
}

fn flatten<'e>(expr: &'e Expr, or: bool, out: &mut Vec<&'e Expr>) {
    match &expr.kind {
        ExprKind::Or(a, b) if or => {
            flatten(a, or, out);
            flatten(b, or, out);
        }
        ExprKind::And(a, b) if !or => {
            flatten(a, or, out);
            flatten(b, or, out);
        }
        _ => out.push(expr),
    }
}

/// `f = a or f = b or …` on one integer field becomes one set lookup.
fn merge_int_equalities(programs: Vec<Program>) -> Program {
    let field = match programs.first() {
        Some(Program::Int {
            field,
            op: CmpOp::Eq,
            ..
        }) => *field,
        _ => return Program::Any(programs),
    };
    let mut values = Vec::new();
    for p in &programs {
        match p {
            Program::Int {
                field: f,
                op: CmpOp::Eq,
                value,
            } if *f == field => values.push(*value),
            Program::IntIn {
                field: f,
                values: vs,
            } if *f == field => values.extend(vs.iter()),
            _ => return Program::Any(programs),
        }
    }
    Program::IntIn {
        field,
        values: values.into_boxed_slice(),
    }
}

fn is_leaf(steps: &[Step], name: &str) -> bool {
    matches!(steps, [Step::Element { name: Some(n), predicates }] if n == name && predicates.is_empty())
}

/// The predicates of a step if it is `name` (or `*` where allowed) with expression
/// predicates only.
fn plain_predicates<'s>(step: &'s Step, names: &[&str], star: bool) -> Option<Vec<&'s Expr>> {
    let Step::Element { name, predicates } = step else {
        return None;
    };
    let name_ok = match name {
        None => star,
        Some(n) => names.contains(&n.as_str()),
    };
    if !name_ok {
        return None;
    }
    predicates
        .iter()
        .map(|p| match p {
            Predicate::Expr(e) if !uses_position(e) => Some(e),
            _ => None,
        })
        .collect()
}

/// Compiles a path (with an optional final comparison) evaluated at `at`; `whole` is the
/// expression it came from, for the general fallback.
fn compile_path(steps: &[Step], cmp: Option<(CmpOp, &Literal)>, whole: &Expr, at: At) -> Program {
    let Some((first, rest)) = steps.split_first() else {
        return general(whole, at);
    };
    // Root -> Event and Event -> System each select exactly one node, always present: the
    // step's predicates and the rest of the path apply to it directly.
    let single = match at {
        At::Root => plain_predicates(first, &["Event"], true).map(|p| (p, At::Event)),
        At::Event => plain_predicates(first, &["System"], false).map(|p| (p, At::System)),
        At::System => None,
    };
    if let Some((predicates, inner)) = single {
        let mut parts: Vec<Program> = predicates
            .into_iter()
            .map(|e| compile_at(e, inner))
            .collect();
        if !rest.is_empty() || cmp.is_some() {
            let sub = Expr {
                kind: match cmp {
                    None => ExprKind::Exists(Path {
                        steps: rest.to_vec(),
                    }),
                    Some((op, lit)) => ExprKind::Compare {
                        left: Operand::Path(Path {
                            steps: rest.to_vec(),
                        }),
                        op,
                        right: lit.clone(),
                    },
                },
                column: whole.column,
            };
            if rest.is_empty() {
                // `Event = x` or `System = x`: compares an element without text.
                parts.push(general(&sub, at));
            } else {
                parts.push(compile_path(rest, cmp, &sub, inner));
            }
        }
        return match parts.len() {
            0 => Program::Const(true),
            1 => parts.remove(0),
            _ => Program::All(parts),
        };
    }
    if let Some(p) = compile_known_shape(steps, cmp, at) {
        return p;
    }
    general(whole, at)
}

/// The shapes read straight from fields.
fn compile_known_shape(steps: &[Step], cmp: Option<(CmpOp, &Literal)>, at: At) -> Option<Program> {
    match (at, steps, cmp) {
        // System: EventID op n, Level op n, …; Channel/Computer op s.
        (
            At::System,
            [Step::Element {
                name: Some(n),
                predicates,
            }],
            Some((op, lit)),
        ) if predicates.is_empty() => {
            if let Some(field) = int_field(n) {
                return match lit.value {
                    Typed::Int(value) => Some(Program::Int { field, op, value }),
                    _ => None,
                };
            }
            let field = match n.as_str() {
                "Channel" => StrField::Channel,
                "Computer" => StrField::Computer,
                _ => return None,
            };
            Some(Program::Str {
                field,
                op,
                literal: lit.value.clone(),
            })
        }
        // System: Provider[@Name op s], Provider/@Name op s.
        (
            At::System,
            [Step::Element {
                name: Some(n),
                predicates,
            }, Step::Attribute(a)],
            Some((op, lit)),
        ) if n == "Provider" && predicates.is_empty() => {
            provider_attr(a).map(|field| Program::Str {
                field,
                op,
                literal: lit.value.clone(),
            })
        }
        (At::System, [step], None) => {
            let preds = plain_predicates(step, &["Provider", "TimeCreated"], false)?;
            let Step::Element { name: Some(n), .. } = step else {
                return None;
            };
            let [e] = preds.as_slice() else { return None };
            match (n.as_str(), &e.kind) {
                (
                    "Provider",
                    ExprKind::Compare {
                        left: Operand::Path(p),
                        op,
                        right,
                    },
                ) => match p.steps.as_slice() {
                    [Step::Attribute(a)] => provider_attr(a).map(|field| Program::Str {
                        field,
                        op: *op,
                        literal: right.value.clone(),
                    }),
                    _ => None,
                },
                (
                    "TimeCreated",
                    ExprKind::Compare {
                        left: Operand::Path(p),
                        op,
                        right,
                    },
                ) => match (p.steps.as_slice(), &right.value) {
                    ([Step::Attribute(a)], Typed::Time(t)) if a == "SystemTime" => {
                        Some(Program::TimeCreated { op: *op, value: *t })
                    }
                    _ => None,
                },
                (
                    "TimeCreated",
                    ExprKind::Compare {
                        left:
                            Operand::TimeDiff {
                                from: TimeArg::Path(p),
                                to: TimeArg::Now,
                            },
                        op,
                        right,
                    },
                ) => match p.steps.as_slice() {
                    [Step::Attribute(a)] if a == "SystemTime" => Some(Program::TimeDiffCreated {
                        op: *op,
                        literal: right.value.clone(),
                    }),
                    _ => None,
                },
                _ => None,
            }
        }
        // Event: EventData[Data[@Name=n] op v] and EventData/Data[@Name=n] op v.
        (
            At::Event,
            [Step::Element {
                name: Some(ed),
                predicates,
            }],
            None,
        ) if ed == "EventData" => {
            let [Predicate::Expr(e)] = predicates.as_slice() else {
                return None;
            };
            match &e.kind {
                ExprKind::Compare {
                    left: Operand::Path(p),
                    op,
                    right,
                } => data_named_shape(&p.steps, *op, right),
                _ => None,
            }
        }
        (
            At::Event,
            [Step::Element {
                name: Some(ed),
                predicates,
            }, rest @ ..],
            Some((op, lit)),
        ) if ed == "EventData" && predicates.is_empty() => data_named_shape(rest, op, lit),
        _ => None,
    }
}

fn int_field(name: &str) -> Option<IntField> {
    Some(match name {
        "EventID" => IntField::EventId,
        "Version" => IntField::Version,
        "Level" => IntField::Level,
        "Task" => IntField::Task,
        "Opcode" => IntField::Opcode,
        "Keywords" => IntField::Keywords,
        "EventRecordID" => IntField::EventRecordId,
        _ => return None,
    })
}

fn provider_attr(a: &str) -> Option<StrField> {
    match a {
        "Name" => Some(StrField::ProviderName),
        "EventSourceName" => Some(StrField::EventSourceName),
        _ => None,
    }
}

/// `Data[@Name = n]` (one predicate, nothing after) compared with `literal`.
fn data_named_shape(steps: &[Step], op: CmpOp, literal: &Literal) -> Option<Program> {
    let [Step::Element {
        name: Some(d),
        predicates,
    }] = steps
    else {
        return None;
    };
    if d != "Data" {
        return None;
    }
    let [Predicate::Expr(e)] = predicates.as_slice() else {
        return None;
    };
    match &e.kind {
        ExprKind::Compare {
            left: Operand::Path(p),
            op: CmpOp::Eq,
            right,
        } => match p.steps.as_slice() {
            [Step::Attribute(a)] if a == "Name" => Some(Program::DataNamed {
                name: right.value.clone(),
                op,
                literal: literal.value.clone(),
            }),
            _ => None,
        },
        _ => None,
    }
}
