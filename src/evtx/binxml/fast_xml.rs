//! Direct rendering on the fast path: a record in Windows' usual shape written as XML
//! straight from its values, without building its [`Event`](crate::event::Event): the same
//! bytes as the fast path's event's `to_xml()` (tested record by record on every sample and
//! on mutated chunks). Plans, value spans and the typed System setters are `fast`'s;
//! `system_xml` writes `<System>`, `tree_xml` `<UserData>` trees.

use super::fast::{plan_of, Instance, Span, Values};
use super::plan::{BodyPlan, Content, ItemPlan, Plan};
use super::tokens::{Decoder, Template};
use super::value::utf16_trimmed_into;
use crate::event::xml;
use crate::event::{System, Value};
use crate::query::SystemFields;

impl<'c> Decoder<'c> {
    /// The record at chunk offsets `[start, end)` rendered as XML straight from its values,
    /// appended to `out`: the same bytes as `fast_event(..)`'s event's `to_xml()`. `None`
    /// (and `out` as it was) where the fast path cannot render it directly: the template is
    /// not of its shapes, or the body is a `<UserData>` tree.
    pub(super) fn fast_xml(&mut self, start: usize, end: usize, out: &mut String) -> Option<()> {
        self.reset_budget();
        let mark = out.len();
        let mut spans = std::mem::take(&mut self.spans);
        let mut nested = std::mem::take(&mut self.nested_spans);
        let mut scratch = std::mem::take(&mut self.render_scratch);
        let done = self.fast_xml_with(start, end, out, &mut spans, &mut nested, &mut scratch);
        self.spans = spans;
        self.nested_spans = nested;
        self.render_scratch = scratch;
        if done.is_none() {
            out.truncate(mark);
        }
        done
    }

    fn fast_xml_with(
        &mut self,
        start: usize,
        end: usize,
        out: &mut String,
        spans: &mut Vec<Span>,
        nested: &mut Vec<Span>,
        scratch: &mut RenderScratch,
    ) -> Option<()> {
        let template = self.whole_instance(start, end, 1, spans)?;
        self.xml_of(&template, spans, Instance::Read, nested, out, scratch)
    }

    /// The XML of an instance of `template` whose values are `spans`, appended to `out`
    /// (something may be appended when it fails); `nested` is scratch for a body's values.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn xml_of(
        &mut self,
        template: &Template,
        spans: &mut [Span],
        mut instance: Instance<'_>,
        nested: &mut Vec<Span>,
        out: &mut String,
        scratch: &mut RenderScratch,
    ) -> Option<()> {
        let Plan::Event { system, body } = plan_of(template) else {
            return None;
        };
        let mut values = Values::new(self.chunk, spans);
        xml::write_event_open(out);
        if values
            .write_system(system, out, &mut scratch.text)
            .is_none()
        {
            // Not straight from the values: through the typed System.
            if !values.system_into(
                system,
                SystemFields::ALL,
                &mut scratch.system,
                &mut scratch.attrs,
            ) {
                return None;
            }
            xml::write_system(out, &scratch.system);
        }
        match body {
            BodyPlan::None => {}
            BodyPlan::Subst(index) => {
                if let Some((from, to)) = values.nested(*index)? {
                    let read;
                    let (template, nested): (&Template, &mut [Span]) = match &mut instance {
                        Instance::Proved(Some((template, spans))) => (template, spans),
                        _ => {
                            read = self.whole_instance(from, to, 2, nested)?;
                            (&read, nested)
                        }
                    };
                    let Plan::Data(plan) = plan_of(template) else {
                        return None;
                    };
                    let mut values = Values::new(self.chunk, nested);
                    xml::write_event_data_open(out, plan.name.as_deref());
                    values.write_items(&plan.items, out, &mut scratch.text)?;
                    xml::write_event_data_close(out);
                    if !values.rest_decode() {
                        return None;
                    }
                }
            }
            BodyPlan::Inline(plan) => {
                xml::write_event_data_open(out, plan.name.as_deref());
                values.write_items(&plan.items, out, &mut scratch.text)?;
                xml::write_event_data_close(out);
            }
            BodyPlan::UserData { dep, index, .. } => {
                if !values.dropped(*dep) {
                    // A Null body is the general path's (it keeps no `<UserData>`).
                    let (from, to) = values.nested(*index)??;
                    out.push_str("<UserData>");
                    let mut tree = std::mem::take(&mut self.tree_scratch);
                    let done = self.tree_xml(from, to, 2, out, &mut tree);
                    self.tree_scratch = tree;
                    done?;
                    out.push_str("</UserData>");
                }
            }
        }
        let values = Values::new(self.chunk, spans);
        if !values.rest_decode() {
            return None;
        }
        xml::write_event_close(out);
        Some(())
    }
}

/// What direct rendering reuses from record to record.
#[derive(Debug, Default)]
pub(super) struct RenderScratch {
    system: System,
    attrs: Vec<(usize, Value)>,
    text: String,
}

impl Values<'_> {
    /// Renders the EventData items of `items` as `data_items` maps them and the renderer
    /// writes them; string values go through `text` rather than a new allocation each.
    fn write_items(
        &mut self,
        items: &[ItemPlan],
        out: &mut String,
        text: &mut String,
    ) -> Option<()> {
        // `write_data` and `write_data_text`, with the open tag rendered once per plan.
        let text_item = |out: &mut String, open: &str, text: &str| {
            out.push_str(open);
            xml::push_escaped(out, text);
            out.push_str("</Data>");
        };
        let value_item = |out: &mut String, open: &str, value: &Value| {
            out.push_str(open);
            xml::write_value(out, value);
            out.push_str("</Data>");
        };
        for item in items {
            match item {
                ItemPlan::Data {
                    open, dep, content, ..
                } => {
                    if self.dropped(*dep) {
                        continue;
                    }
                    match content {
                        Content::Empty => text_item(out, open, ""),
                        Content::Text(t) => text_item(out, open, t),
                        Content::Subst(i) => {
                            let Some(span) = self.spans.get_mut(usize::from(*i)) else {
                                text_item(out, open, "");
                                continue;
                            };
                            if span.ty == 0x01 {
                                span.used = true;
                                let bytes = span.bytes(self.chunk)?;
                                utf16_trimmed_into(bytes, text);
                                text_item(out, open, text);
                                continue;
                            }
                            match self.decode(*i)? {
                                None | Some(Value::Null) => text_item(out, open, ""),
                                Some(Value::Array(array)) => {
                                    // As `data_items` maps it: once per item, or once empty.
                                    if array.items().is_empty() {
                                        text_item(out, open, "");
                                    }
                                    for item in array.items() {
                                        match item {
                                            Value::Null => text_item(out, open, ""),
                                            v => value_item(out, open, v),
                                        }
                                    }
                                }
                                Some(v) => value_item(out, open, &v),
                            }
                        }
                    }
                }
                ItemPlan::Binary { dep, index } => {
                    if self.dropped(*dep) {
                        continue;
                    }
                    let span = self.spans.get_mut(usize::from(*index))?;
                    if span.ty != 0x0E {
                        return None;
                    }
                    span.used = true;
                    let bytes = span.bytes(self.chunk)?;
                    xml::write_binary(out, bytes);
                }
            }
        }
        Some(())
    }
}
