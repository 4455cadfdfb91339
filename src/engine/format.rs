//! Message formatting on an open publisher (EvtFormatMessage's engine side): the
//! [`PublisherMetadata`] methods that format an event's strings or a message by id.
//!
//! Invariant: every call first checks that the publisher is still the one installed
//! (ERROR_EVT_PUBLISHER_DISABLED, 15037, after an uninstall or upgrade), then formats in
//! the metadata's locale (`publisher::format` does the work; this layer only routes).

use super::PublisherMetadata;
use crate::error::Result;
use crate::event::{Event, Value};
use crate::publisher::{self, FormatWhat, Formatted};

impl PublisherMetadata {
    /// Formats `what` for `event` (EvtFormatMessage with an event handle). The default
    /// publisher (opened with no name) formats Level, Task, Opcode and Keyword from Winmeta,
    /// and everything from a forwarded event's own `<RenderingInfo>`.
    ///
    /// Errors: 15027 (nothing to look up: no event definition, no message for the item),
    /// 15028 (a message id with no string in the locale), 15033 (no table for a non-zero
    /// LCID), 15037, 87 (Channel, Provider or Xml with the default publisher). A result
    /// may carry a warning (15029, 15030, 15031): see [`Formatted::warning`].
    pub fn format(&self, event: &Event, what: FormatWhat) -> Result<Formatted> {
        self.format_with_values(event, what, &[])
    }

    /// Like [`format`](Self::format), with `values` replacing the event's insert values
    /// (allowed with Event and Xml; empty: the event's own), each converted to its
    /// template item's type.
    pub fn format_with_values(
        &self,
        event: &Event,
        what: FormatWhat,
        values: &[Value],
    ) -> Result<Formatted> {
        let _fault = self.engine().enter_fault("EvtFormatMessage")?;
        self.check_installed()?;
        self.check_messages()?;
        publisher::format_event(self.publisher(), self.locale(), event, what, values)
    }

    /// Like [`format`](Self::format), as Windows 11 22H2 formats an event read from a
    /// channel (the `unreplaced-inserts` quirk): Event and Xml leave the message's `%n`
    /// inserts as written, with no 15029 warning.
    pub fn format_unreplaced(&self, event: &Event, what: FormatWhat) -> Result<Formatted> {
        self.check_installed()?;
        publisher::format_event_unreplaced(self.publisher(), self.locale(), event, what)
    }

    /// EvtFormatMessageId: message `message_id` with `values` substituted as they are (none:
    /// the raw template, with a 15029 warning when it has inserts). The default publisher
    /// resolves Winmeta's message ids. Errors: 15028 (no such message), 15033, 15037.
    pub fn format_id(&self, message_id: u32, values: &[Value]) -> Result<Formatted> {
        let _fault = self.engine().enter_fault("EvtFormatMessage")?;
        self.check_installed()?;
        self.check_messages()?;
        publisher::format_id(self.publisher(), self.locale(), message_id, values)
    }
}
