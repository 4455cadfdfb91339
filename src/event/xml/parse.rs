//! Parses event XML into an [`Event`] (in progress).

use crate::error::{Error, ErrorKind, Result};
use crate::event::Event;

pub(crate) fn parse_event(_text: &str) -> Result<Event> {
    Err(Error::new(ErrorKind::NotImplemented))
}
