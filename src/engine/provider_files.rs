//! Providers whose metadata or strings live in Windows resource files (the registry names
//! them; WEVT_TEMPLATE and MESSAGETABLE resources hold them):
//! filled from the files their `resourceFileName`, `messageFileName` and
//! `parameterFileName` name, resolved under the engine's Windows directory
//! ([`Engine::set_windows_dir`]), and installed straight from a resource file
//! ([`Engine::install_resource_provider`]), which is how a real Windows binary is
//! registered: its compiled manifest holds no provider name.
//!
//! Invariants:
//! 1. Only what a provider lacks is filled (`load_resources`): a manifest's own events,
//!    channels and strings win over the binary's.
//! 2. Filled when a provider is installed (any `install_publisher`, and the providers of a
//!    store when it is reopened) and again, while it still lacks what its files hold, when
//!    its metadata is opened: a DLL copied in later, or a Windows directory set after a
//!    store was opened (the facade and evtutil set it from `EVTLOG_WINDIR` then), is picked
//!    up at the next EvtOpenPublisherMetadata. A refill that adds something replaces the
//!    installed `Arc` (metadata opened before sees 15037, as after an upgrade); one that
//!    adds nothing changes nothing.
//! 3. Installing a manifest tolerates files that are missing or lack a resource (wevtutil
//!    im installs such a provider too); formatting then reports what is missing (15100 for
//!    a message file that yielded no strings). Installing from a resource file is strict
//!    about the resource file only: it must resolve and its WEVT_TEMPLATE must hold the
//!    provider; a message file without strings (a binary whose `.mui` is not there) is
//!    tolerated the same way.
//! 4. Without a Windows directory nothing is read.

use std::sync::Arc;

use super::{Engine, ManifestFiles};
use crate::error::{Error, ErrorKind, Result};
use crate::event::Guid;
use crate::publisher::{load_resources, Publisher};

/// Whether `p` names files that could give it something it lacks: a resource file and no
/// events, a message file and no strings, a parameter file and no `%%n` strings.
fn wants_resources(p: &Publisher) -> bool {
    let classic = p.classic.as_ref();
    let message_file =
        p.message_file.is_some() || classic.is_some_and(|c| c.event_message_file.is_some());
    let parameter_file =
        p.parameter_file.is_some() || classic.is_some_and(|c| c.parameter_message_file.is_some());
    (p.resource_file.is_some() && p.events.is_empty() && p.templates.is_empty())
        || (message_file && p.messages.is_empty())
        || (parameter_file && p.parameters.is_empty())
}

/// `s` escaped for an XML attribute value.
fn attribute(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

impl Engine {
    /// Fills `p` from its files (invariants 1, 3, 4): errors are tolerated, the provider
    /// keeps what could be read.
    pub(crate) fn fill_from_files(&self, p: &mut Publisher) {
        let Some(resolver) = self.resource_resolver() else {
            return;
        };
        if !wants_resources(p) {
            return;
        }
        // Only the files that can give it something are read (a provider with events
        // does not re-read its resource file at every open).
        let named = (
            p.resource_file.clone(),
            p.message_file.clone(),
            p.parameter_file.clone(),
        );
        if !p.events.is_empty() || !p.templates.is_empty() {
            p.resource_file = None;
        }
        if !p.messages.is_empty() {
            p.message_file = None;
        }
        if !p.parameters.is_empty() {
            p.parameter_file = None;
        }
        let _ = load_resources(p, &resolver);
        (p.resource_file, p.message_file, p.parameter_file) = named;
    }

    /// The installed `p`, refilled from its files if it still lacks what they hold
    /// (invariant 2): the `Arc` now installed, or `p` when nothing changed.
    pub(crate) fn refill_from_files(&self, p: Arc<Publisher>) -> Arc<Publisher> {
        if self.resource_resolver().is_none() || !wants_resources(&p) {
            return p;
        }
        let mut filled = (*p).clone();
        self.fill_from_files(&mut filled);
        if filled == *p || self.check_channels(&filled).is_err() {
            return p;
        }
        if self.create_defined_channels(&filled).is_err() {
            return p;
        }
        match self.publishers().replace(&p, filled) {
            Some(now) => now,
            // Refilled or reinstalled meanwhile by another thread: what is installed now
            // (or `p`, stale, when it was uninstalled: 15037 then).
            None => self.publishers().get(&p.name).unwrap_or(p),
        }
    }

    /// Installs provider `name` from a Windows resource file (a real provider DLL or EXE):
    /// its metadata from the WEVT_TEMPLATE of `files.resource_file` (a Windows path such as
    /// `%SystemRoot%\System32\adtschema.dll`, resolved under
    /// [`set_windows_dir`](Engine::set_windows_dir)'s directory), the CRIM provider with
    /// `guid` (`None`: the file's only provider), its strings from `files.message_file`
    /// (default: the resource file), its `%%n` strings from `files.parameter_file`.
    ///
    /// The provider is installed as the manifest `<provider name guid resourceFileName
    /// messageFileName parameterFileName/>` would be ([`install_manifest`](Engine::install_manifest)):
    /// a persistent engine keeps it, and its defined channels are created. Returns the
    /// provider's GUID.
    ///
    /// Errors: 87 without a Windows directory or a resource file; 15100 when the resource
    /// file is not found; 1812–1815 when it has no WEVT_TEMPLATE; 15002 when the template
    /// holds no provider with `guid` (or several, and no `guid` was given).
    pub fn install_resource_provider(
        &self,
        name: &str,
        guid: Option<Guid>,
        files: &ManifestFiles,
    ) -> Result<Guid> {
        let invalid = |why: &str| Error::with_message(ErrorKind::InvalidParameter, why);
        let resolver = self.resource_resolver().ok_or_else(|| {
            invalid("no Windows directory: set one (Engine::set_windows_dir, EVTLOG_WINDIR)")
        })?;
        let Some(resource_file) = files.resource_file.as_deref() else {
            return Err(invalid(
                "a provider installed from a resource file needs one",
            ));
        };
        let providers = resolver.load_wevt_template(resource_file)?;
        let found: Vec<Guid> = providers
            .iter()
            .map(|p| p.guid)
            .filter(|g| guid.is_none_or(|want| *g == want))
            .collect();
        let guid = match found.as_slice() {
            [one] => *one,
            _ => {
                let all: Vec<String> = providers.iter().map(|p| p.guid.to_string()).collect();
                let wanted = guid.map_or("one provider".to_owned(), |g| g.to_string());
                return Err(Error::with_message(
                    ErrorKind::PublisherMetadataNotFound,
                    format!(
                        "{resource_file}: its WEVT_TEMPLATE holds {} ({}), not {wanted}",
                        providers.len(),
                        all.join(", ")
                    ),
                ));
            }
        };
        let message_file = files.message_file.as_deref().unwrap_or(resource_file);
        let mut xml = format!(
            "<instrumentationManifest xmlns=\"http://schemas.microsoft.com/win/2004/08/events\">\
             <instrumentation><events>\
             <provider name=\"{}\" guid=\"{guid}\" resourceFileName=\"{}\" \
             messageFileName=\"{}\"",
            attribute(name),
            attribute(resource_file),
            attribute(message_file),
        );
        if let Some(parameter_file) = &files.parameter_file {
            xml.push_str(&format!(
                " parameterFileName=\"{}\"",
                attribute(parameter_file)
            ));
        }
        xml.push_str("/></events></instrumentation></instrumentationManifest>");
        self.install_manifest(&xml)?;
        Ok(guid)
    }
}
