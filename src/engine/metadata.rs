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

use std::path::Path;
use std::sync::Arc;

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
    /// (reference/publishers.md §4).
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

/// Checks an archived log's path the way EvtOpenPublisherMetadata does before reading it:
/// absolute (87), its folder present (ERROR_PATH_NOT_FOUND, 3), the file present
/// (ERROR_FILE_NOT_FOUND, 2).
fn check_log_file(path: &str) -> Result<()> {
    let p = Path::new(path);
    if !p.is_absolute() {
        return Err(Error::with_message(
            ErrorKind::InvalidParameter,
            format!("{path}: a log file path must be absolute"),
        ));
    }
    if p.is_file() {
        return Ok(());
    }
    let folder_exists = p.parent().is_some_and(Path::is_dir);
    Err(Error::with_message(
        if folder_exists {
            ErrorKind::FileNotFound
        } else {
            ErrorKind::PathNotFound
        },
        format!("{path}: no such log file"),
    ))
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
        PublisherMetadata::open(self, name, locale)
    }

    /// EvtOpenPublisherMetadata with a LogFilePath: the metadata archived beside the
    /// exported log `log_file_path`, falling back to the installed publisher when the
    /// archive does not hold it (reference/wevtapi.md §2.18). evtlog writes no archive yet
    /// (its side-car format is not settled), so every open falls back: the file is checked
    /// (absolute, 87; folder, 3; file, 2) and the installed publisher is opened.
    pub fn open_publisher_metadata_in_file(
        &self,
        name: Option<&str>,
        log_file_path: &str,
        locale: u32,
    ) -> Result<PublisherMetadata> {
        check_log_file(log_file_path)?;
        PublisherMetadata::open(self, name, locale)
    }
}
