//! The syntax tree of one XPath filter, with the column of every expression.
//!
//! A filter is evaluated against a *virtual root* whose only child is the `Event` element
//! (MS-EVEN6 §2.2.15.1), so a top-level path starts at the event (`*` or `Event`) and a path
//! inside a predicate starts at the predicate's context node.

use std::fmt;

/// A boolean expression.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Expr {
    pub(crate) kind: ExprKind,
    /// 1-based character column where the expression starts.
    pub(crate) column: u32,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ExprKind {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    /// A path used as a boolean: true if it selects at least one node.
    Exists(Path),
    /// `operand op literal`: true if some node (or the function's value) compares true.
    Compare {
        left: Operand,
        op: CmpOp,
        right: Literal,
    },
    /// `band(path, mask)`: true if some node's value, as a 64-bit number, shares a bit with
    /// `mask`.
    Band {
        path: Path,
        mask: u64,
    },
}

/// The left side of a comparison.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Operand {
    Path(Path),
    /// `position()`: the context node's 1-based position among the nodes its step selected.
    Position,
    /// `timediff(a)` = now − a, or `timediff(a, b)` = b − a, in milliseconds (100-ns ticks
    /// divided by 10 000, truncated toward zero). Existential like a comparison: with two
    /// paths, true if some pair of their times compares true.
    TimeDiff {
        from: TimeArg,
        to: TimeArg,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum TimeArg {
    /// The evaluation's current time (the engine's clock).
    Now,
    Path(Path),
    /// A literal time: an ISO 8601 string or a FILETIME number.
    Literal(crate::event::FileTime),
}

/// A relative location path: child and attribute steps only.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Path {
    pub(crate) steps: Vec<Step>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Step {
    /// A child element step: a name test (`None` = `*`) and its predicates, in order.
    Element {
        name: Option<String>,
        predicates: Vec<Predicate>,
    },
    /// `@name`.
    Attribute(String),
    /// `text()`: the element's text.
    Text,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Predicate {
    Expr(Expr),
    /// `[n]`: shorthand for `[position() = n]`.
    Position(u64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    /// Applies the operator to an ordering of `node` against `literal`.
    pub(crate) fn holds(self, ordering: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            CmpOp::Eq => ordering == Equal,
            CmpOp::Ne => ordering != Equal,
            CmpOp::Lt => ordering == Less,
            CmpOp::Le => ordering != Greater,
            CmpOp::Gt => ordering == Greater,
            CmpOp::Ge => ordering != Less,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// A literal, with the type its syntax gives it (MS-EVEN6 §2.2.15.2: "the conversion is based
/// on the syntax of the string literal").
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Literal {
    /// The literal as written (without quotes).
    pub(crate) text: String,
    pub(crate) value: super::value::Typed,
    /// True if it was written as a number rather than a quoted string.
    pub(crate) unquoted: bool,
}

impl Expr {
    /// The number of leaf expressions (comparisons, band, and paths tested for existence
    /// that have no predicate of their own), the unit of the service's complexity limits.
    pub(crate) fn leaf_count(&self) -> usize {
        match &self.kind {
            ExprKind::Or(a, b) | ExprKind::And(a, b) => a.leaf_count() + b.leaf_count(),
            ExprKind::Exists(path) => {
                let inner = path.predicate_leaf_count();
                if inner == 0 {
                    1
                } else {
                    inner
                }
            }
            ExprKind::Compare { left, .. } => {
                1 + match left {
                    Operand::Path(p) => p.predicate_leaf_count(),
                    _ => 0,
                }
            }
            ExprKind::Band { path, .. } => 1 + path.predicate_leaf_count(),
        }
    }

    /// The leaf expressions' columns, in order (for naming the one over a limit).
    pub(crate) fn leaf_columns(&self, out: &mut Vec<u32>) {
        match &self.kind {
            ExprKind::Or(a, b) | ExprKind::And(a, b) => {
                a.leaf_columns(out);
                b.leaf_columns(out);
            }
            ExprKind::Exists(path) => {
                let before = out.len();
                path.predicate_leaf_columns(out);
                if out.len() == before {
                    out.push(self.column);
                }
            }
            ExprKind::Compare { left, .. } => {
                out.push(self.column);
                if let Operand::Path(p) = left {
                    p.predicate_leaf_columns(out);
                }
            }
            ExprKind::Band { path, .. } => {
                out.push(self.column);
                path.predicate_leaf_columns(out);
            }
        }
    }
}

impl Path {
    fn predicates(&self) -> impl Iterator<Item = &Expr> {
        self.steps
            .iter()
            .flat_map(|s| match s {
                Step::Element { predicates, .. } => predicates.as_slice(),
                _ => &[],
            })
            .filter_map(|p| match p {
                Predicate::Expr(e) => Some(e),
                Predicate::Position(_) => None,
            })
    }

    fn predicate_leaf_count(&self) -> usize {
        self.predicates().map(Expr::leaf_count).sum()
    }

    fn predicate_leaf_columns(&self, out: &mut Vec<u32>) {
        for e in self.predicates() {
            e.leaf_columns(out);
        }
    }
}

// Display writes the expression back as XPath; tests use it to check the parser's structure
// and the random query generator prints through it.

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Or(a, b) => write!(f, "({a} or {b})"),
            ExprKind::And(a, b) => write!(f, "({a} and {b})"),
            ExprKind::Exists(p) => write!(f, "{p}"),
            ExprKind::Compare { left, op, right } => write!(f, "{left}{}{right}", op.as_str()),
            ExprKind::Band { path, mask } => write!(f, "band({path},{mask})"),
        }
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Path(p) => write!(f, "{p}"),
            Operand::Position => f.write_str("position()"),
            Operand::TimeDiff {
                from,
                to: TimeArg::Now,
            } => write!(f, "timediff({from})"),
            Operand::TimeDiff { from, to } => write!(f, "timediff({from},{to})"),
        }
    }
}

impl fmt::Display for TimeArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeArg::Now => f.write_str("now"),
            TimeArg::Path(p) => write!(f, "{p}"),
            TimeArg::Literal(t) => write!(f, "'{t}'"),
        }
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.steps.iter().enumerate() {
            if i > 0 {
                f.write_str("/")?;
            }
            match step {
                Step::Element { name, predicates } => {
                    f.write_str(name.as_deref().unwrap_or("*"))?;
                    for p in predicates {
                        match p {
                            Predicate::Expr(e) => write!(f, "[{e}]")?,
                            Predicate::Position(n) => write!(f, "[{n}]")?,
                        }
                    }
                }
                Step::Attribute(name) => write!(f, "@{name}")?,
                Step::Text => f.write_str("text()")?,
            }
        }
        Ok(())
    }
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.unquoted {
            f.write_str(&self.text)
        } else if self.text.contains('\'') {
            write!(f, "\"{}\"", self.text)
        } else {
            write!(f, "'{}'", self.text)
        }
    }
}
