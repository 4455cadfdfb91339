//! Value paths: the XPath expressions of EvtCreateRenderContext(EvtRenderContextValues)
//! (as EvtCreateRenderContext documents them), such as `Event/System/Provider/@Name` or
//! `Event/EventData/Data[@Name='x']`.
//!
//! A value path is parsed and validated by the filter parser (same positions and codes),
//! then must be a bare path: no `and`/`or` anywhere (UNSUPPORTEDOP, 15020), not a comparison
//! or function (INVTEST, 15017), from `Event` or `*` (NOTELTSET, 15015), with no space after
//! an attribute name (PARSEERR, 15019). Every error is ERROR_EVT_INVALID_QUERY (15001) at the
//! top, as for filters [I: the reference gives no code for EvtCreateRenderContext].
//!
//! Selection walks the same typed view of the event the general evaluator uses (no XML) and
//! takes the first node it reaches, in document order (EvtRender's documentation: "the first value
//! encountered"). Values keep their types: System fields as EvtRenderContextSystem types
//! them, Data as stored, generic elements' text as a String.

use super::ast::{Expr, ExprKind, Path, Predicate, Step};
use super::eval::{any_node, Found, Scratch, SysLeaf, View};
use super::syntax_error;
use super::validate::{validate, Static};
use crate::error::{codes::*, Result};
use crate::event::{Event, FileTime, Node, SystemValue, Value};

/// One parsed value path.
#[derive(Clone, Debug)]
pub(crate) struct ValuePath {
    text: String,
    path: Path,
}

impl ValuePath {
    /// Parses and checks a value path (see the module docs for the rules).
    pub(crate) fn parse(text: &str) -> Result<ValuePath> {
        let expr = super::parser::parse(text)?;
        no_boolean_operators(&expr)?;
        let ExprKind::Exists(path) = expr.kind else {
            return Err(syntax_error(
                ERROR_EVT_FILTER_INVTEST,
                expr.column,
                "a value path selects a node or attribute; it is not a test",
            ));
        };
        validate(
            &Expr {
                kind: ExprKind::Exists(path.clone()),
                column: expr.column,
            },
            Static::Root,
        )?;
        if let Some(column) = space_after_attribute(text) {
            return Err(syntax_error(
                ERROR_EVT_FILTER_PARSEERR,
                column,
                "an attribute name in a value path may not be followed by a space",
            ));
        }
        Ok(ValuePath {
            text: text.to_owned(),
            path,
        })
    }

    /// The path as written.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The first value the path reaches in `event`, or `Value::Null`.
    pub(crate) fn select(&self, event: &Event) -> Value {
        let mut scratch = Scratch::new(FileTime::default());
        let steps = &self.path.steps;
        let mut found = Value::Null;
        match steps.split_last() {
            Some((Step::Attribute(name), parents)) => {
                any_node(View::Root(event), parents, &mut scratch, &mut |node, _| {
                    if let Found::Element(view) = node {
                        if let Some(v) = attribute_value(view, name) {
                            found = v;
                            return true;
                        }
                    }
                    false
                });
            }
            _ => {
                any_node(
                    View::Root(event),
                    steps,
                    &mut scratch,
                    &mut |node, _| match node {
                        Found::Element(view) | Found::Text(view) => match element_value(view) {
                            Some(v) => {
                                found = v;
                                true
                            }
                            None => false,
                        },
                        Found::Attribute(_) => false,
                    },
                );
            }
        }
        found
    }
}

/// `and` and `or` may not appear anywhere in a value path (EvtCreateRenderContext's documentation).
fn no_boolean_operators(expr: &Expr) -> Result<()> {
    match &expr.kind {
        ExprKind::Or(..) | ExprKind::And(..) => Err(syntax_error(
            ERROR_EVT_FILTER_UNSUPPORTEDOP,
            expr.column,
            "a value path may not contain 'and' or 'or'",
        )),
        ExprKind::Exists(path) | ExprKind::Band { path, .. } => path_predicates(path),
        ExprKind::Compare { left, .. } => match left {
            super::ast::Operand::Path(path) => path_predicates(path),
            _ => Ok(()),
        },
    }
}

fn path_predicates(path: &Path) -> Result<()> {
    for step in &path.steps {
        if let Step::Element { predicates, .. } = step {
            for p in predicates {
                if let Predicate::Expr(e) = p {
                    no_boolean_operators(e)?;
                }
            }
        }
    }
    Ok(())
}

/// The 1-based column of a space right after an attribute name (`@Name ]`), if any.
fn space_after_attribute(text: &str) -> Option<u32> {
    let chars: Vec<char> = text.chars().collect();
    let mut quote: Option<char> = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '@' => {
                let mut j = i + 1;
                while j < chars.len()
                    && (chars[j].is_alphanumeric() || matches!(chars[j], '_' | '-' | '.' | ':'))
                {
                    j += 1;
                }
                if j > i + 1 && j < chars.len() && chars[j].is_whitespace() {
                    return u32::try_from(j + 1).ok();
                }
                i = j;
                continue;
            }
            None => {}
        }
        i += 1;
    }
    None
}

/// The typed value of an element: its text as the System context types it, a Data value as
/// stored, a generic element's direct text as a String; `None` for an element without text.
fn element_value(view: View<'_>) -> Option<Value> {
    Some(match view {
        View::Leaf(s, leaf) => {
            // The table's value type gives the typed value: a `UInt` by its width.
            let child = leaf.child();
            match child.value() {
                SystemValue::UInt { max } if max <= u8::MAX.into() => {
                    Value::Byte(u8::try_from(child.integer(s)?).ok()?)
                }
                SystemValue::UInt { max } if max <= u16::MAX.into() => {
                    Value::UInt16(u16::try_from(child.integer(s)?).ok()?)
                }
                SystemValue::UInt { .. } => Value::UInt64(child.integer(s)?),
                SystemValue::Hex => Value::HexInt64(child.integer(s)?),
                SystemValue::Text | SystemValue::Attributes => Value::String(child.text(s)?.into()),
            }
        }
        View::Data(_, v) => v.clone(),
        View::Binary(b) => Value::Binary(b.to_vec()),
        View::Element(_, el) => return text_value(&el.children),
        View::UserData(nodes) => return text_value(nodes),
        _ => return None,
    })
}

/// The direct content of a generic element: its one typed value, or its text joined, or
/// `None` if it has none.
fn text_value(nodes: &[Node]) -> Option<Value> {
    let texts: Vec<&Node> = nodes
        .iter()
        .filter(|n| matches!(n, Node::Value(_) | Node::CData(_)))
        .collect();
    match texts.as_slice() {
        [] => None,
        [Node::Value(v)] => Some(v.clone()),
        _ => {
            let mut out = String::new();
            for n in texts {
                match n {
                    Node::Value(v) => v.write_text(&mut out),
                    Node::CData(t) => out.push_str(t),
                    _ => {}
                }
            }
            Some(Value::String(out.into()))
        }
    }
}

/// The typed value of attribute `name` of an element, as the System context types it.
fn attribute_value(view: View<'_>, name: &str) -> Option<Value> {
    let guid = |g: Option<crate::event::Guid>| g.map(Value::Guid);
    match view {
        View::Provider(s) => match name {
            "Name" => s.provider.name.as_deref().map(|t| Value::String(t.into())),
            "Guid" => guid(s.provider.guid),
            "EventSourceName" => s.provider.event_source_name.clone().map(Value::from),
            _ => None,
        },
        View::Leaf(s, SysLeaf::EVENT_ID) if name == "Qualifiers" => s.qualifiers.map(Value::UInt16),
        View::TimeCreated(t) if name == "SystemTime" => Some(Value::FileTime(t)),
        View::Correlation(s) => {
            let c = s.correlation.as_ref()?;
            match name {
                "ActivityID" => guid(c.activity_id),
                "RelatedActivityID" => guid(c.related_activity_id),
                _ => None,
            }
        }
        View::Execution(s) => {
            let e = s.execution.as_ref()?;
            match name {
                "ProcessID" => Some(Value::UInt32(e.process_id)),
                "ThreadID" => Some(Value::UInt32(e.thread_id)),
                "ProcessorID" => e.processor_id.map(Value::Byte),
                "SessionID" => e.session_id.map(Value::UInt32),
                "KernelTime" => e.kernel_time.map(Value::UInt32),
                "UserTime" => e.user_time.map(Value::UInt32),
                "ProcessorTime" => e.processor_time.map(Value::UInt64),
                _ => None,
            }
        }
        View::Security(s) if name == "UserID" => {
            s.security.as_ref()?.user_id.clone().map(Value::Sid)
        }
        View::EventData(d) if name == "Name" => d.name.clone().map(Value::from),
        View::Data(Some(n), _) if name == "Name" => Some(Value::String(n.into())),
        View::Element(_, el) => el.attribute(name).cloned(),
        View::Event(_) if name == "xmlns" => {
            Some(Value::String(crate::event::xml::EVENT_NS.into()))
        }
        _ => None,
    }
}
