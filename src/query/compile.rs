//! Compilation of a validated filter into a [`Program`] over typed fields.
//!
//! Compilation resolves the common shapes to direct field reads (EventID, Level, Provider
//! name, TimeCreated and timediff, band on Keywords, named EventData) and leaves the rest to
//! the general evaluator. Invariant: a program's answer equals the general evaluator's on the
//! same expression for every event (tested in `tests.rs`).

use super::ast::{CmpOp, Expr, ExprKind, Literal, Operand, Path, Predicate, Step, TimeArg};
use super::eval::{self, local_name, uses_position, Scratch};
use super::value::{compare_int, compare_text, compare_value, eq_ignore_case, Typed};
use crate::event::{
    Body, DataItem, Event, FileTime, SystemChild, SystemFields, SystemValue, Value,
};

/// Where a sub-program is evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum At {
    Root,
    Event,
    System,
}

/// Integer fields read directly: the `<System>` children holding an integer
/// ([`SystemChild::integer`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct IntField(SystemChild);

impl IntField {
    /// The `<System>` child read.
    pub(crate) fn child(self) -> SystemChild {
        self.0
    }

    #[inline]
    fn get(self, event: &Event) -> Option<i128> {
        self.0.integer(&event.system).map(i128::from)
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
    /// What the program reads of an event, if it reads nothing of the body but
    /// `EventData/Data[@Name = name] op v` with string names: those names, and the `<System>`
    /// children it reads (an event whose EventData holds only the `<Data>` items so named,
    /// and any generic elements, and whose other System children differ, gives the same
    /// answer). `None` if it may read more.
    pub(crate) fn data_reads(&self) -> Option<(Vec<String>, SystemFields)> {
        let mut names = Vec::new();
        let mut fields = SystemFields::NONE.with("EventID");
        self.collect_data_reads(&mut names, &mut fields)
            .then_some((names, fields))
    }

    fn collect_data_reads(&self, names: &mut Vec<String>, fields: &mut SystemFields) -> bool {
        let mut read = |child: SystemChild| *fields = fields.with(child.name());
        match self {
            Program::Any(ps) | Program::All(ps) => {
                ps.iter().all(|p| p.collect_data_reads(names, fields))
            }
            Program::DataNamed { name, .. } => match name {
                Typed::Str(name) => {
                    names.push(name.clone());
                    true
                }
                _ => false,
            },
            Program::General { expr, at } => match at {
                At::Root if super::reads::system_only(expr) => {
                    *fields = fields.union(super::reads::system_fields(expr));
                    true
                }
                At::System => {
                    *fields = SystemFields::ALL;
                    true
                }
                At::Root | At::Event => false,
            },
            Program::Int { field, .. } | Program::IntIn { field, .. } => {
                read(field.0);
                true
            }
            Program::Str { field, .. } => {
                read(match field {
                    StrField::ProviderName | StrField::EventSourceName => SystemChild::Provider,
                    StrField::Channel => SystemChild::Channel,
                    StrField::Computer => SystemChild::Computer,
                });
                true
            }
            Program::BandKeywords { .. } => {
                read(SystemChild::Keywords);
                true
            }
            Program::TimeCreated { .. } | Program::TimeDiffCreated { .. } => {
                read(SystemChild::TimeCreated);
                true
            }
            Program::Const(_) => true,
        }
    }

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
            Program::Str { field, op, literal } => {
                field.get(event).is_some_and(|v| str_holds(v, *op, literal))
            }
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

/// `text op literal`, with equality on plain strings decided without ordering them.
#[inline]
fn str_holds(text: &str, op: CmpOp, literal: &Typed) -> bool {
    match (op, literal) {
        (CmpOp::Eq, Typed::Str(want)) => eq_ignore_case(text, want),
        (CmpOp::Ne, Typed::Str(want)) => !eq_ignore_case(text, want),
        _ => compare_text(text, literal).is_some_and(|o| op.holds(o)),
    }
}

/// `Data[@Name = name] op literal` over EventData's items.
fn data_named(items: &[DataItem], name: &Typed, op: CmpOp, literal: &Typed) -> bool {
    let name_matches = |n: &str| match name {
        // The common case: compare names without building anything.
        Typed::Str(want) => eq_ignore_case(n, want),
        other => compare_text(n, other) == Some(std::cmp::Ordering::Equal),
    };
    let mut text = String::new();
    items.iter().any(|item| match item {
        DataItem::Data {
            name: Some(n),
            value,
        } if name_matches(n) => match value {
            Value::String(v) => str_holds(v, op, literal),
            _ => compare_value(value, literal, &mut text).is_some_and(|o| op.holds(o)),
        },
        // A self-closed or attributed <Data> kept as a generic element is still a Data node.
        DataItem::Element(el) if local_name(&el.name) == "Data" => {
            let named = el.attributes.iter().any(|a| {
                a.name == "Name" && {
                    text.clear();
                    a.value.write_text(&mut text);
                    name_matches(&text)
                }
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
    super::work(1);
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
    SystemChild::from_name(name)
        .filter(|c| matches!(c.value(), SystemValue::UInt { .. } | SystemValue::Hex))
        .map(IntField)
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
