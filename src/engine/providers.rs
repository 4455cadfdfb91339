//! Installing and removing providers (wevtutil im/um): the publisher registry, the channels
//! a provider defines, and, on a persistent engine, the installed manifests kept in the
//! store directory so that reopening it installs them again.
//!
//! Invariants:
//! 1. Installing a provider creates each channel it defines that the engine lacks, with the
//!    manifest's configuration (type, enabled, max size, retention); a channel of that name
//!    that exists (a reinstall, or one created by hand) is kept as it is. Imported channels
//!    are not created: a provider that imports a channel the engine lacks still installs
//!    (Windows: its events to that channel are accepted and not logged).
//! 2. Every channel name is checked before anything is created or registered, and a
//!    persistent engine writes the manifest before registering it: a failed install
//!    registers nothing.
//! 3. Uninstalling removes the provider from the registry (and its manifest from the
//!    store); its channels and their events stay, as Windows keeps the .evtx files.
//! 4. A provider's `parameters` (`%%n` strings) are its own, else the messages of itself
//!    and the installed providers whose messageFileName its parameterFileName names (resolved when
//!    it is installed or a store is reopened; a manifest holds no parameter strings).
//! 5. A persistent store keeps one file per installed manifest provider,
//!    `providers/<seq>-<name>.man` (the manifest's text as installed; `<seq>` keeps the
//!    installation order, `<name>` is the provider name lower-cased, `/` written `%4`),
//!    plus `<same>.files` when wevtutil's /rf /mf /pf replaced its file paths. Files are
//!    written beside their target, synced and renamed into place. Reopening reads them and
//!    registers the providers, and writes nothing (their channels come back from their own
//!    files).
//! 6. `install_manifest` is a call of the default session: a session cancel while the
//!    manifest is parsed and checked (or, for `install_resource_provider`, its binary read)
//!    returns Cancelled (1223) and installs and stores nothing. Once storing starts it
//!    completes.

use std::path::{Path, PathBuf};

use super::channel::{ChannelConfig, ChannelType};
use super::{names, Engine};
use crate::error::{Error, ErrorKind, Result};
use crate::publisher::{parse_manifest, ChannelDefinition, Messages, Publisher};
use crate::store::Retention;

/// File paths that replace the ones a manifest names (wevtutil im's `/rf`, `/mf`, `/pf`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ManifestFiles {
    /// Replaces every provider's `resourceFileName`.
    pub resource_file: Option<String>,
    /// Replaces every provider's `messageFileName`.
    pub message_file: Option<String>,
    /// Replaces every provider's `parameterFileName`.
    pub parameter_file: Option<String>,
}

impl ManifestFiles {
    fn apply(&self, p: &mut Publisher) {
        let set = |field: &mut Option<String>, value: &Option<String>| {
            if value.is_some() {
                field.clone_from(value);
            }
        };
        set(&mut p.resource_file, &self.resource_file);
        set(&mut p.message_file, &self.message_file);
        set(&mut p.parameter_file, &self.parameter_file);
    }

    fn is_empty(&self) -> bool {
        *self == ManifestFiles::default()
    }

    /// `key=value` lines (the sidecar file's text).
    fn to_text(&self) -> String {
        let mut text = String::new();
        for (key, value) in self.fields() {
            if let Some(value) = value {
                text.push_str(&format!("{key}={value}\n"));
            }
        }
        text
    }

    fn from_text(text: &str) -> ManifestFiles {
        let value = |key: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
                .map(str::to_owned)
        };
        ManifestFiles {
            resource_file: value("resourceFileName"),
            message_file: value("messageFileName"),
            parameter_file: value("parameterFileName"),
        }
    }

    fn fields(&self) -> [(&'static str, &Option<String>); 3] {
        [
            ("resourceFileName", &self.resource_file),
            ("messageFileName", &self.message_file),
            ("parameterFileName", &self.parameter_file),
        ]
    }
}

/// The channel configuration a manifest's `channel` declares (EVT_CHANNEL_CONFIG_PROPERTY_ID's documented defaults
/// for what it leaves out).
fn channel_config(name: &str, d: &ChannelDefinition) -> ChannelConfig {
    let channel_type = ChannelType::from_u32(d.channel_type).unwrap_or(ChannelType::Operational);
    let mut config = ChannelConfig::new(name, channel_type).with_enabled(d.enabled);
    if let Some(size) = d.max_size {
        config = config.with_max_size(size);
    }
    let retention = match (d.retention, d.auto_backup) {
        (Some(true), Some(true)) => Some(Retention::AutoBackup),
        (Some(true), _) => Some(Retention::DoNotOverwrite),
        (Some(false), _) => Some(Retention::Overwrite),
        (None, _) => None,
    };
    if let Some(retention) = retention {
        config = config.with_retention(retention);
    }
    config
}

/// The directory of installed manifests in a store.
fn providers_dir(store: &Path) -> PathBuf {
    store.join("providers")
}

/// `<name>` of a provider's store file: lower-cased (names compare case-insensitively),
/// `/` written `%4` as in channel file names.
fn file_key(name: &str) -> String {
    name.to_lowercase().replace('/', "%4")
}

/// The stored manifests of `dir`: (sequence number, key, path of the `.man`), in order.
fn stored(dir: &Path) -> Result<Vec<(u64, String, PathBuf)>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut found = Vec::new();
    for entry in entries {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        let Some(stem) = name.strip_suffix(".man") else {
            continue;
        };
        let Some((seq, key)) = stem.split_once('-') else {
            continue;
        };
        if let Ok(seq) = seq.parse::<u64>() {
            found.push((seq, key.to_owned(), path));
        }
    }
    found.sort();
    Ok(found)
}

/// Writes `text` to `path`: beside it, synced, then renamed into place.
fn write_atomically(path: &Path, text: &str) -> Result<()> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    let temporary = path.with_file_name(name);
    let written = (|| -> std::io::Result<()> {
        use std::io::Write;
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)?;
        // The rename is durable once the directory is synced (best effort off Unix).
        if let Some(dir) = path.parent() {
            if let Ok(dir) = std::fs::File::open(dir) {
                let _ = dir.sync_all();
            }
        }
        Ok(())
    })();
    written.map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        let message = format!("{}: cannot write it: {e}", path.display());
        Error::with_message(Error::from(e).kind(), message)
    })
}

/// The sidecar of a stored manifest (`<seq>-<name>.files`).
fn sidecar(man: &Path) -> PathBuf {
    man.with_extension("files")
}

impl Engine {
    /// Installs a manifest's providers (wevtutil im): parsed and validated
    /// ([`parse_manifest`]), their defined channels created, and on a persistent engine
    /// kept in the store (`AccessDenied`, 5, on a store opened read-only). Returns the
    /// provider names installed, in manifest order.
    pub fn install_manifest(&self, xml: &str) -> Result<Vec<String>> {
        self.install_manifest_with(xml, &ManifestFiles::default())
    }

    /// [`install_manifest`](Engine::install_manifest) with file paths that replace the
    /// manifest's own (wevtutil im `/rf`, `/mf`, `/pf`).
    pub fn install_manifest_with(&self, xml: &str, files: &ManifestFiles) -> Result<Vec<String>> {
        if files
            .fields()
            .iter()
            .any(|(_, v)| v.as_deref().is_some_and(|v| v.contains(['\n', '\r'])))
        {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                "a file path may not contain a line break",
            ));
        }
        // A call of the default session: its cancel (EvtCancel(NULL), evtutil's Ctrl-C)
        // stops the install up to the point where it starts storing (invariant 6).
        let call = self
            .default_session()
            .inner
            .token
            .child(crate::cancel::NodeKind::Call);
        let mut publishers = parse_manifest(xml)?;
        for p in &mut publishers {
            files.apply(p);
            self.check_channels(p)?;
        }
        self.inner
            .faults
            .checkpoint(super::faults::CallKind::Install, 0, &call)?;
        call.check()?;
        if let Some(store) = self.writable_store_dir()? {
            let dir = providers_dir(store);
            std::fs::create_dir_all(&dir)?;
            for p in &publishers {
                self.store_manifest(&dir, &p.name, xml, files)?;
            }
        }
        let names = publishers.iter().map(|p| p.name.clone()).collect();
        for p in publishers {
            self.install_publisher(p)?;
        }
        Ok(names)
    }

    /// [`install_manifest`](Engine::install_manifest) of the manifest file at `path`
    /// (UTF-8, or UTF-16 with a byte order mark); errors name the file.
    pub fn install_manifest_file(&self, path: impl AsRef<Path>) -> Result<Vec<String>> {
        self.install_manifest_file_with(path, &ManifestFiles::default())
    }

    /// [`install_manifest_with`](Engine::install_manifest_with) of the manifest file at
    /// `path` (wevtutil im with /rf /mf /pf).
    pub fn install_manifest_file_with(
        &self,
        path: impl AsRef<Path>,
        files: &ManifestFiles,
    ) -> Result<Vec<String>> {
        let xml = read_manifest(path.as_ref())?;
        self.install_manifest_with(&xml, files)
            .map_err(|e| e.prefixed(&format!("{}:", path.as_ref().display())))
    }

    /// Uninstalls a manifest's providers (wevtutil um): each provider it declares that is
    /// installed leaves the registry (and the store); channels stay. Returns the names
    /// that were installed. The manifest must parse: that is how its providers are known.
    pub fn uninstall_manifest(&self, xml: &str) -> Result<Vec<String>> {
        let mut removed = Vec::new();
        for p in parse_manifest(xml)? {
            if self.uninstall_publisher(&p.name)? {
                removed.push(p.name);
            }
        }
        Ok(removed)
    }

    /// [`uninstall_manifest`](Engine::uninstall_manifest) of the manifest file at `path`.
    pub fn uninstall_manifest_file(&self, path: impl AsRef<Path>) -> Result<Vec<String>> {
        let xml = read_manifest(path.as_ref())?;
        self.uninstall_manifest(&xml)
            .map_err(|e| e.prefixed(&format!("{}:", path.as_ref().display())))
    }

    /// Installs one provider, from any source (a manifest, resources, a classic source):
    /// its defined channels are created where missing (invariant 1) and it replaces an
    /// installed provider of the same name. Not kept in a store by itself: only
    /// [`install_manifest`](Engine::install_manifest) persists.
    /// Files it names are read first for what it lacks (`provider_files` invariants).
    pub fn install_publisher(&self, mut publisher: Publisher) -> Result<()> {
        self.fill_from_files(&mut publisher);
        self.check_channels(&publisher)?;
        self.resolve_parameters(&mut publisher);
        self.create_defined_channels(&publisher)?;
        self.publishers().install(publisher);
        Ok(())
    }

    /// Creates each channel `publisher` defines that the engine lacks (invariant 1).
    pub(crate) fn create_defined_channels(&self, publisher: &Publisher) -> Result<()> {
        for c in &publisher.channels {
            let Some(definition) = &c.definition else {
                continue;
            };
            if !self.has_channel(&c.name) {
                match self.create_channel(channel_config(&c.name, definition)) {
                    Ok(_) => {}
                    // Created meanwhile by another thread: kept, as an existing one is.
                    Err(e) if e.kind() == ErrorKind::InvalidParameter => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }

    /// Uninstalls the provider `name` (any case): out of the registry and, on a persistent
    /// engine, out of the store (`AccessDenied`, 5, on a store opened read-only). Its
    /// channels stay. False if it was not installed.
    pub fn uninstall_publisher(&self, name: &str) -> Result<bool> {
        if let Some(store) = self.writable_store_dir()? {
            for (_, key, path) in stored(&providers_dir(store))? {
                if key == file_key(name) {
                    remove_if_present(&sidecar(&path))?;
                    remove_if_present(&path)?;
                }
            }
        }
        Ok(self.publishers().uninstall(name).is_some())
    }

    /// A provider with no `%%n` strings of its own whose parameterFileName names its own
    /// messageFileName or that of an installed provider gets that file's messages as its
    /// parameter strings (that file's MESSAGETABLE is what its manifest compiled to;
    /// Security's adtschema.dll is both its message and its parameter file). Files are
    /// compared case-insensitively, in the `;`-separated order, the provider's own before
    /// the others (the first holding an id wins); resolved at install time.
    fn resolve_parameters(&self, p: &mut Publisher) {
        if !p.parameters.is_empty() {
            return;
        }
        let Some(files) = p.parameter_file.clone() else {
            return;
        };
        let names = |message_file: &Option<String>, file: &str| {
            message_file
                .as_deref()
                .is_some_and(|m| m.trim().eq_ignore_ascii_case(file))
        };
        let installed = self.publishers().list();
        let mut parameters = Messages::default();
        for file in files.split(';').map(str::trim).filter(|f| !f.is_empty()) {
            let own = names(&p.message_file, file).then_some(&p.messages);
            let others = installed
                .iter()
                .filter(|o| !o.name.eq_ignore_ascii_case(&p.name) && names(&o.message_file, file))
                .map(|o| &o.messages);
            for messages in own.into_iter().chain(others) {
                for (culture, table) in &messages.by_culture {
                    for (id, text) in table {
                        let known = parameters
                            .culture(culture)
                            .is_some_and(|t| t.contains_key(id));
                        if !known {
                            parameters.insert(culture, *id, text.clone());
                        }
                    }
                }
            }
        }
        p.parameters = parameters;
    }

    /// Every defined channel's name is one the engine takes (invariant 2).
    pub(crate) fn check_channels(&self, p: &Publisher) -> Result<()> {
        for c in p.channels.iter().filter(|c| c.definition.is_some()) {
            names::validate(&c.name)
                .map_err(|e| e.prefixed(&format!("provider {}, channel", p.name)))?;
        }
        Ok(())
    }

    /// Writes provider `name`'s manifest into the store (invariant 5), keeping its
    /// sequence number when it is installed already.
    fn store_manifest(
        &self,
        dir: &Path,
        name: &str,
        xml: &str,
        files: &ManifestFiles,
    ) -> Result<()> {
        let existing = stored(dir)?;
        let key = file_key(name);
        let seq = match existing.iter().find(|(_, k, _)| *k == key) {
            Some((seq, _, _)) => *seq,
            None => existing.iter().map(|(s, _, _)| s + 1).max().unwrap_or(1),
        };
        let path = dir.join(format!("{seq:08}-{key}.man"));
        if files.is_empty() {
            remove_if_present(&sidecar(&path))?;
        } else {
            write_atomically(&sidecar(&path), &files.to_text())?;
        }
        write_atomically(&path, xml)
    }

    /// Registers the providers kept in `store` (opening a persistent engine): reads only.
    pub(crate) fn load_installed_providers(&self, store: &Path) -> Result<()> {
        for (_, key, path) in stored(&providers_dir(store))? {
            let located = |e: Error| e.prefixed(&format!("{}:", path.display()));
            let xml = read_manifest(&path)?;
            let files = match std::fs::read_to_string(sidecar(&path)) {
                Ok(text) => ManifestFiles::from_text(&text),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => ManifestFiles::default(),
                Err(e) => return Err(located(e.into())),
            };
            for mut p in parse_manifest(&xml).map_err(located)? {
                if file_key(&p.name) == key {
                    files.apply(&mut p);
                    self.fill_from_files(&mut p);
                    self.resolve_parameters(&mut p);
                    self.publishers().install(p);
                }
            }
        }
        Ok(())
    }
}

impl Engine {
    /// Installs the embedded default publishers ([`DEFAULT_MANIFESTS`](crate::DEFAULT_MANIFESTS):
    /// a manifest for every manifest-based provider the generator emits) that the engine
    /// lacks; a provider of that name already installed (an earlier install, or a user's own
    /// manifest) is kept. On a persistent engine each is kept in the store as
    /// [`install_manifest`](Engine::install_manifest) keeps it, so reopening the store
    /// installs it again. Returns the names installed, in installation order. The manifests
    /// are parsed once per process; installing them is a copy.
    pub fn install_default_publishers(&self) -> Result<Vec<String>> {
        self.add_default_publishers(true)
    }

    /// Like [`install_default_publishers`](Engine::install_default_publishers), in the
    /// registry only: a persistent engine's store is not written (a program that reads a
    /// store made before the defaults existed, where opening must write nothing).
    pub fn load_default_publishers(&self) -> Result<Vec<String>> {
        self.add_default_publishers(false)
    }

    fn add_default_publishers(&self, keep: bool) -> Result<Vec<String>> {
        let dir = if keep {
            self.writable_store_dir()?.map(providers_dir)
        } else {
            None
        };
        let mut names = Vec::new();
        for (index, p) in crate::gen::manifests::publishers()? {
            if self.publishers().get(&p.name).is_some() {
                continue;
            }
            if let Some(dir) = &dir {
                std::fs::create_dir_all(dir)?;
                let text = crate::gen::manifests::ALL[*index].text;
                self.store_manifest(dir, &p.name, text, &ManifestFiles::default())?;
            }
            self.install_publisher(p.clone())?;
            names.push(p.name.clone());
        }
        Ok(names)
    }
}

/// A manifest file's text: UTF-8 (a BOM skipped), or UTF-16 with its BOM, as mc reads
/// them.
fn read_manifest(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|e| {
        let message = format!("{}: cannot read the manifest: {e}", path.display());
        Error::with_message(Error::from(e).kind(), message)
    })?;
    let utf16 = |rest: &[u8], unit: fn([u8; 2]) -> u16| {
        let units: Vec<u16> = rest.chunks_exact(2).map(|c| unit([c[0], c[1]])).collect();
        String::from_utf16(&units).ok()
    };
    let text = match bytes.as_slice() {
        [0xFF, 0xFE, rest @ ..] => utf16(rest, u16::from_le_bytes),
        [0xFE, 0xFF, rest @ ..] => utf16(rest, u16::from_be_bytes),
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8(rest.to_vec()).ok(),
        _ => String::from_utf8(bytes).ok(),
    };
    text.ok_or_else(|| {
        Error::with_message(
            ErrorKind::MalformedXml,
            format!(
                "{}: the manifest is neither UTF-8 nor UTF-16 with a byte order mark",
                path.display()
            ),
        )
    })
}

fn remove_if_present(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
}
