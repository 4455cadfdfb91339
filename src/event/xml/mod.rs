//! Windows-exact event XML: rendering (`render`) and parsing (`parse`).
//!
//! Owns the textual shape of EvtRender(EvtRenderEventXml) output:
//! one line, no declaration, the event namespace, single-quoted attributes, System children
//! in schema order, absent elements omitted, attribute-only elements self-closed, empty text
//! elements written `<X></X>`.
//!
//! Invariants:
//! - Rendering is a pure function of the [`Event`](super::Event) and never fails.
//! - The output is one line: CR and LF in values are written as `&#13;` and `&#10;`.
//! - Parsing accepts everything rendering writes, and render -> parse -> render is the
//!   identity.

mod escape;
mod lexer;
mod memo;
mod parse;
#[cfg(test)]
mod parse_oracle;
#[cfg(test)]
mod parse_tests;
mod render;
mod system;

pub(crate) use escape::{needs_escape, push_escaped, word_needs_escape};
pub use parse::MAX_XML_DEPTH;
pub(crate) use parse::{line_column, malformed, next_event, parse_event};
pub(crate) use render::{
    attr_guid, attr_num, attr_str, text_num, write_binary, write_cdata, write_data_open,
    write_element, write_event, write_event_close, write_event_data_close, write_event_data_open,
    write_event_id, write_event_open, write_node, write_pi, write_provider, write_system,
    write_value,
};

/// The namespace of `<Event>`.
pub(crate) const EVENT_NS: &str = "http://schemas.microsoft.com/win/2004/08/events/event";
