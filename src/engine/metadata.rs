//! [`PublisherMetadata`]: an open publisher (EvtOpenPublisherMetadata), the object that
//! publisher-metadata properties, event-metadata enumeration and message formatting read.
//! Its properties, object arrays and event metadata are in `metadata_props`.
//!
//! Invariants:
//! - A metadata object holds the `Arc<Publisher>` it opened; it never sees a later install of
//!   the same name. If the registry no longer holds that same `Arc` (uninstalled or
//!   upgraded), reads that need the provider's resources fail with
//!   ERROR_EVT_PUBLISHER_DISABLED (15037) (`publisher` invariant 2).
//! - `None` for the publisher is the default publisher (Winmeta): opened with a NULL id.
//! - Opening never fails for a locale: a non-zero LCID the publisher has no strings for
//!   opens, and only the reads of strings ([`PublisherMetadata::culture`]) fail, with
//!   ERROR_EVT_MESSAGE_LOCALE_NOT_FOUND (15033), as consumers expect of EvtFormatMessage.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::archive::check_log_file;
use super::Engine;
use crate::error::{Error, ErrorKind, Result};
use crate::publisher::{culture_of, winmeta, Publisher, DEFAULT_CULTURE};

/// An open publisher's metadata, in one locale.
#[derive(Clone, Debug)]
pub struct PublisherMetadata {
    engine: Engine,
    publisher: Option<Arc<Publisher>>,
    /// The LCID asked for; 0 means the thread's locale with the service's fallback.
    locale: u32,
    /// The side-car the publisher was read from, for one opened from an archived log.
    archive: Option<PathBuf>,
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
            Some(name) => {
                engine.fault_plan().check_publisher(name)?;
                let p = engine.publishers().get(name).ok_or_else(|| {
                    Error::with_message(
                        ErrorKind::PublisherMetadataNotFound,
                        format!("no publisher named '{name}' is installed"),
                    )
                })?;
                // Files that appeared since it was installed (provider_files invariant 2).
                Some(engine.refill_from_files(p))
            }
        };
        Ok(PublisherMetadata {
            engine: engine.clone(),
            publisher,
            locale,
            archive: None,
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

    /// The archive side-car the publisher was read from (EvtOpenPublisherMetadata with a
    /// LogFilePath whose archive holds it); `None` for an installed publisher.
    pub fn archive(&self) -> Option<&Path> {
        self.archive.as_deref()
    }

    /// The fault plan's failure of this publisher's messages, if it set one
    /// (`FaultPlan::fail_messages`; never for the default publisher).
    pub(crate) fn check_messages(&self) -> Result<()> {
        match &self.publisher {
            Some(p) => self.engine.fault_plan().check_messages(&p.name),
            None => Ok(()),
        }
    }

    /// Fails with 15037 when the publisher was uninstalled or upgraded since it was opened
    /// (never for an archived publisher: it does not depend on what is installed).
    pub fn check_installed(&self) -> Result<()> {
        if self.archive.is_some() {
            return Ok(());
        }
        match &self.publisher {
            None => Ok(()),
            Some(p) => match self.engine.publishers().get(&p.name) {
                Some(now)
                    if Arc::ptr_eq(&now, p)
                        && !self.engine.fault_plan().publisher_removed(&p.name) =>
                {
                    Ok(())
                }
                _ => Err(Error::with_message(
                    ErrorKind::PublisherDisabled,
                    format!("the publisher '{}' was uninstalled or upgraded", p.name),
                )),
            },
        }
    }

    /// The culture whose strings reads use. A non-zero locale must be one the publisher
    /// has strings for (strict, no fallback: 15033 otherwise); locale 0 falls back to
    /// en-US, then to the first culture the publisher has. The default publisher's strings
    /// are Winmeta's, in en-US.
    pub fn culture(&self) -> Result<String> {
        let cultures: Vec<&str> = match &self.publisher {
            None => vec![DEFAULT_CULTURE],
            Some(p) => p.messages.cultures().collect(),
        };
        let find = |c: &str| cultures.iter().find(|x| x.eq_ignore_ascii_case(c));
        let found = if self.locale == 0 {
            find(DEFAULT_CULTURE).or(cultures.first())
        } else {
            culture_of(self.locale).and_then(find)
        };
        found.map(|c| c.to_string()).ok_or_else(|| {
            Error::with_message(
                ErrorKind::MessageLocaleNotFound,
                format!(
                    "the publisher '{}' has no strings for locale {:#06x}",
                    self.publisher.as_ref().map_or("(default)", |p| &p.name),
                    self.locale
                ),
            )
        })
    }
}

impl PublisherMetadata {
    /// The string of message `id` in [`PublisherMetadata::culture`], as stored (trailing
    /// CR LF kept, inserts unexpanded); `None` when the publisher has no such string.
    /// Winmeta's ids (reserved levels, opcodes, task 0, keywords, legacy channels) fall back
    /// to Windows' own strings, which the service uses even for a publisher
    /// (Winmeta's tables).
    pub fn message(&self, id: u32) -> Result<Option<String>> {
        let culture = self.culture()?;
        let own = self
            .publisher
            .as_ref()
            .and_then(|p| p.messages.culture(&culture))
            .and_then(|table| table.get(&id))
            .cloned();
        Ok(own.or_else(|| {
            [
                winmeta::LEVELS,
                winmeta::OPCODES,
                winmeta::TASKS,
                winmeta::KEYWORDS,
                winmeta::CHANNELS,
            ]
            .iter()
            .flat_map(|table| table.iter())
            .find(|item| item.message_id == id)
            .map(|item| item.display.to_string())
        }))
    }
}

impl Engine {
    /// EvtOpenPublisherMetadata: `name`'s metadata (`None`: the default publisher) in
    /// `locale` (an LCID; 0 for the thread's locale with fallback). An unknown name is
    /// ERROR_EVT_PUBLISHER_METADATA_NOT_FOUND (15002).
    pub fn open_publisher_metadata(
        &self,
        name: Option<&str>,
        locale: u32,
    ) -> Result<PublisherMetadata> {
        let _fault = self.enter_fault("EvtOpenPublisherMetadata")?;
        PublisherMetadata::open(self, name, locale)
    }

    /// EvtOpenPublisherMetadata with a LogFilePath: the publisher as archived beside the
    /// exported log `log_file_path` by [`Session::archive_exported_log`](super::Session)
    /// (its side-car for `locale`, else any of its side-cars), falling back to the
    /// installed publisher when no side-car holds it (EvtOpenPublisherMetadata's LogFilePath). The
    /// file is checked first (absolute, 87; folder, 3; file, 2); a side-car that does not
    /// parse is an error (15008/15010, naming it). The default publisher (`None`) is
    /// Winmeta's, archive or not.
    pub fn open_publisher_metadata_in_file(
        &self,
        name: Option<&str>,
        log_file_path: &str,
        locale: u32,
    ) -> Result<PublisherMetadata> {
        let _fault = self.enter_fault("EvtOpenPublisherMetadata")?;
        check_log_file(log_file_path)?;
        if let Some(name) = name {
            if let Some((publisher, archive)) =
                self.archived_publisher(name, log_file_path, locale)?
            {
                return Ok(PublisherMetadata {
                    engine: self.clone(),
                    publisher: Some(publisher),
                    locale,
                    archive: Some(archive),
                });
            }
        }
        PublisherMetadata::open(self, name, locale)
    }
}
