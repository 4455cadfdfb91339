//! [`PublisherMetadata`]: an open publisher (EvtOpenPublisherMetadata), the object that
//! publisher-metadata properties, event-metadata enumeration and message formatting read.
//!
//! Invariants:
//! - A metadata object holds the `Arc<Publisher>` it opened; it never sees a later install of
//!   the same name. If the registry no longer holds that same `Arc` (uninstalled or
//!   upgraded), reads that need the provider's resources fail with
//!   ERROR_EVT_PUBLISHER_DISABLED (15037) (`publisher` invariant 2).
//! - `None` for the publisher is the default publisher (Winmeta): opened with a NULL id.

use std::sync::Arc;

use super::Engine;
use crate::error::{Error, ErrorKind, Result};
use crate::publisher::Publisher;

/// An open publisher's metadata, in one locale.
#[derive(Clone, Debug)]
pub struct PublisherMetadata {
    engine: Engine,
    publisher: Option<Arc<Publisher>>,
    /// The LCID asked for; 0 means the thread's locale with the service's fallback.
    locale: u32,
}

impl PublisherMetadata {
    /// Opens `name`'s metadata (`None`: the default Winmeta publisher) in `locale` (an LCID,
    /// 0 for the fallback chain).
    pub(crate) fn open(
        engine: &Engine,
        name: Option<&str>,
        locale: u32,
    ) -> Result<PublisherMetadata> {
        let publisher = match name {
            None => None,
            Some(name) => Some(engine.publishers().get(name).ok_or_else(|| {
                Error::with_message(
                    ErrorKind::PublisherMetadataNotFound,
                    format!("no publisher named '{name}' is installed"),
                )
            })?),
        };
        Ok(PublisherMetadata {
            engine: engine.clone(),
            publisher,
            locale,
        })
    }

    /// The publisher (`None`: the default publisher).
    pub fn publisher(&self) -> Option<&Arc<Publisher>> {
        self.publisher.as_ref()
    }

    /// The LCID asked for (0: the fallback chain).
    pub fn locale(&self) -> u32 {
        self.locale
    }

    /// The engine it was opened on.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Fails with 15037 when the publisher was uninstalled or upgraded since it was opened.
    pub fn check_installed(&self) -> Result<()> {
        match &self.publisher {
            None => Ok(()),
            Some(p) => match self.engine.publishers().get(&p.name) {
                Some(now) if Arc::ptr_eq(&now, p) => Ok(()),
                _ => Err(Error::with_message(
                    ErrorKind::PublisherDisabled,
                    format!("the publisher '{}' was uninstalled or upgraded", p.name),
                )),
            },
        }
    }
}

impl Engine {
    /// EvtOpenPublisherMetadata: `name`'s metadata (`None`: the default publisher) in
    /// `locale` (an LCID; 0 for the thread's locale with fallback).
    pub fn open_publisher_metadata(
        &self,
        name: Option<&str>,
        locale: u32,
    ) -> Result<PublisherMetadata> {
        PublisherMetadata::open(self, name, locale)
    }
}
