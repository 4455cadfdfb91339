//! Where a provider's files are: Windows paths (`%SystemRoot%\System32\wevtsvc.dll`,
//! `C:\Windows\…`, a bare `services.exe`) resolved under a directory that stands for the
//! Windows directory, their MUI satellites, and [`load_resources`], which fills a
//! [`Publisher`] from the files it names.
//!
//! Owns: [`ResourceResolver`], the expansion of the environment variables provider paths
//! use, the case-insensitive path walk, and the MUI fallback.
//!
//! Invariants:
//! - The resolver's directory is `C:\Windows`; `C:\` is its parent. `%SystemRoot%` and
//!   `%windir%` are the directory, `%SystemDrive%` is `C:`, `%ProgramFiles%` is
//!   `C:\Program Files`, `%ProgramFiles(x86)%`, `%CommonProgramFiles%` and `%ProgramData%`
//!   their usual places. Another drive, or an unknown variable, resolves to nothing. A bare
//!   file name is looked up in `System32` (the first place LoadLibrary searches that the
//!   emulation has).
//! - Components are matched case-insensitively (Windows' file system is), an exact match
//!   first; `..` and `.` components are refused, so a path never leaves the directory.
//! - A file that cannot be found is ERROR_MUI_FILE_NOT_FOUND (15100): what FormatMessage
//!   and EvtFormatMessage report when a provider's message file is missing (consumers
//!   handle 15100 beside 1812–1815).
//! - MUI fallback (EvtFormatMessage's locale rules): the strings of a culture the file itself has no
//!   message table for come from `<dir>\<culture>\<file>.mui`; the file's own table wins
//!   for a culture both have. A WEVT_TEMPLATE missing from the file is looked for in
//!   `%SystemRoot%\SystemResources\<file>.mun`, then in its en-US `.mui`.
//! - `load_resources` fills only what the publisher lacks (lists that are empty, a missing
//!   message id or GUID); the name stays the caller's (CRIM holds none); strings merge, the first file of a `;`-list winning for an id
//!   (Windows tries the files in order).

use std::path::{Component, Path, PathBuf};

use crate::error::{Error, ErrorKind, Result};

use super::locale::{lcid_of, DEFAULT_CULTURE};
use super::model::{Messages, Publisher};
use super::resources::ResourceFile;

/// The environment variable unmodified programs set to the directory that stands for the
/// Windows directory.
pub const WINDIR_ENV: &str = "EVTLOG_WINDIR";

/// Resolves provider file paths under a directory standing for `C:\Windows`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResourceResolver {
    windows_dir: PathBuf,
}

impl ResourceResolver {
    /// A resolver whose Windows directory is `windows_dir`.
    pub fn new(windows_dir: impl Into<PathBuf>) -> ResourceResolver {
        ResourceResolver {
            windows_dir: windows_dir.into(),
        }
    }

    /// The resolver `EVTLOG_WINDIR` names, if set and not empty. For the edges that serve
    /// unmodified programs (the wevtapi facade, evtutil): nothing else in the library reads
    /// the environment.
    pub fn from_env() -> Option<ResourceResolver> {
        std::env::var_os(WINDIR_ENV)
            .filter(|v| !v.is_empty())
            .map(ResourceResolver::new)
    }

    /// The directory that stands for `C:\Windows`.
    pub fn windows_dir(&self) -> &Path {
        &self.windows_dir
    }

    /// The file a Windows path names (15100 when there is none).
    pub fn resolve(&self, windows_path: &str) -> Result<PathBuf> {
        let not_found = || {
            Error::with_message(
                ErrorKind::MuiFileNotFound,
                format!(
                    "{windows_path}: not found under {}",
                    self.windows_dir.display()
                ),
            )
        };
        let (root, rest) = self.anchor(windows_path.trim()).ok_or_else(not_found)?;
        walk(&root, &rest)
            .filter(|p| p.is_file())
            .ok_or_else(not_found)
    }

    /// The directory a path starts from and its remaining components.
    fn anchor(&self, path: &str) -> Option<(PathBuf, Vec<String>)> {
        let expanded = self.expand(path)?;
        let drive = self
            .windows_dir
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| self.windows_dir.clone());
        let parts = |s: &str| -> Vec<String> {
            s.split(['\\', '/'])
                .filter(|c| !c.is_empty())
                .map(str::to_owned)
                .collect()
        };
        let bytes = expanded.as_bytes();
        if bytes.len() >= 2 && bytes[1] == b':' {
            if !bytes[0].eq_ignore_ascii_case(&b'c') {
                return None;
            }
            let mut rest = parts(&expanded[2..]);
            // `C:\Windows\…` starts at the directory itself (whatever its own name).
            if rest
                .first()
                .is_some_and(|c| c.eq_ignore_ascii_case("windows"))
            {
                rest.remove(0);
                return Some((self.windows_dir.clone(), rest));
            }
            return Some((drive, rest));
        }
        if expanded.starts_with(['\\', '/']) {
            return None;
        }
        let rest = parts(&expanded);
        if rest.len() == 1 {
            return Some((
                self.windows_dir.clone(),
                vec!["System32".into(), rest[0].clone()],
            ));
        }
        Some((self.windows_dir.clone(), rest))
    }

    /// `path` with its `%VAR%`s replaced (None for an unknown one).
    fn expand(&self, path: &str) -> Option<String> {
        let mut out = String::new();
        let mut rest = path;
        while let Some(start) = rest.find('%') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            let end = after.find('%')?;
            let value = match after[..end].to_ascii_lowercase().as_str() {
                "systemroot" | "windir" => "C:\\Windows",
                "systemdrive" => "C:",
                "programfiles" | "programw6432" => "C:\\Program Files",
                "programfiles(x86)" => "C:\\Program Files (x86)",
                "commonprogramfiles" => "C:\\Program Files\\Common Files",
                "programdata" | "allusersprofile" => "C:\\ProgramData",
                _ => return None,
            };
            out.push_str(value);
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        Some(out)
    }

    /// `<dir>\<culture>\<file>.mui` beside `file`, if it exists.
    pub fn mui_path(&self, file: &Path, culture: &str) -> Option<PathBuf> {
        let dir = file.parent()?;
        let name = file.file_name()?.to_str()?;
        walk(dir, &[culture.to_owned(), format!("{name}.mui")]).filter(|p| p.is_file())
    }

    /// The MUI satellites beside `file`: (culture, path) for each culture directory that
    /// holds `<file>.mui`, in name order.
    fn mui_files(&self, file: &Path) -> Vec<(String, PathBuf)> {
        let Some(dir) = file.parent() else {
            return Vec::new();
        };
        let Ok(read) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut cultures: Vec<String> = read
            .filter_map(|e| e.ok())
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().to_str().map(str::to_owned))
            .filter(|c| lcid_of(c).is_some())
            .collect();
        cultures.sort();
        cultures
            .into_iter()
            .filter_map(|c| self.mui_path(file, &c).map(|p| (c, p)))
            .collect()
    }

    /// The message tables of a `;`-separated list of Windows paths, merged (the first file
    /// wins for an id), each with its MUI satellites. 15100 when a file is missing or holds
    /// no message table and has no satellite.
    pub fn load_messages(&self, files: &str) -> Result<Messages> {
        let mut out = Messages::default();
        for file in files.split(';').map(str::trim).filter(|f| !f.is_empty()) {
            let path = self.resolve(file)?;
            let messages = self.messages_of(&path)?;
            for (culture, table) in messages.by_culture {
                let into = out.by_culture.entry(culture).or_default();
                for (id, text) in table {
                    into.entry(id).or_insert(text);
                }
            }
        }
        Ok(out)
    }

    /// One file's strings and its satellites'.
    fn messages_of(&self, path: &Path) -> Result<Messages> {
        let mut messages = match ResourceFile::open(path)?.message_table() {
            Ok(m) => m,
            Err(e) if is_missing(&e) => Messages::default(),
            Err(e) => return Err(e),
        };
        for (culture, mui) in self.mui_files(path) {
            if messages.culture(&culture).is_some() {
                continue;
            }
            let table = match ResourceFile::open(&mui)?.message_table() {
                Ok(m) => m,
                Err(e) if is_missing(&e) => continue,
                Err(e) => return Err(e),
            };
            // A satellite's table is its culture's, whatever LANGID it was built with.
            for (_, strings) in table.by_culture {
                let into = messages.by_culture.entry(culture.clone()).or_default();
                for (id, text) in strings {
                    into.entry(id).or_insert(text);
                }
            }
        }
        if messages.by_culture.is_empty() {
            return Err(Error::with_message(
                ErrorKind::MuiFileNotFound,
                format!(
                    "{}: no message table, and no .mui file beside it",
                    path.display()
                ),
            ));
        }
        Ok(messages)
    }

    /// The providers of a resource file's WEVT_TEMPLATE, from the file, its `.mun` or its
    /// en-US `.mui`.
    pub fn load_wevt_template(&self, file: &str) -> Result<Vec<Publisher>> {
        let path = self.resolve(file)?;
        let first = match ResourceFile::open(&path)?.wevt_template() {
            Err(e) if is_missing(&e) => e,
            other => return other,
        };
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let mun = walk(
            &self.windows_dir,
            &["SystemResources".to_owned(), format!("{name}.mun")],
        )
        .filter(|p| p.is_file());
        for candidate in mun.into_iter().chain(self.mui_path(&path, DEFAULT_CULTURE)) {
            match ResourceFile::open(&candidate)?.wevt_template() {
                Err(e) if is_missing(&e) => continue,
                other => return other,
            }
        }
        Err(first)
    }
}

/// 1812–1815: the file is fine but lacks the resource.
fn is_missing(e: &Error) -> bool {
    matches!(
        e.kind(),
        ErrorKind::ResourceDataNotFound
            | ErrorKind::ResourceTypeNotFound
            | ErrorKind::ResourceNameNotFound
            | ErrorKind::ResourceLangNotFound
    )
}

/// `root` joined with `parts`, each matched case-insensitively (an exact match first).
fn walk(root: &Path, parts: &[String]) -> Option<PathBuf> {
    let mut at = root.to_path_buf();
    for part in parts {
        if matches!(
            Path::new(part).components().next(),
            Some(
                Component::ParentDir
                    | Component::CurDir
                    | Component::RootDir
                    | Component::Prefix(_)
            )
        ) || part.contains(['/', '\\'])
        {
            return None;
        }
        let exact = at.join(part);
        if exact.exists() {
            at = exact;
            continue;
        }
        let want = part.to_lowercase();
        let found = std::fs::read_dir(&at)
            .ok()?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name())
            .filter(|n| n.to_str().is_some_and(|n| n.to_lowercase() == want))
            .min()?;
        at = at.join(found);
    }
    Some(at)
}

/// Fills `publisher` from the files it names: its metadata from `resource_file`'s
/// WEVT_TEMPLATE (the CRIM entry with its GUID, or the only one), its strings from
/// `message_file`, its `%%n` strings from `parameter_file`, and for a classic source the
/// event and parameter message files. Only what the publisher lacks is filled. Every file
/// is tried; the first error is returned after the others have been read.
pub fn load_resources(publisher: &mut Publisher, resolver: &ResourceResolver) -> Result<()> {
    let mut first_error: Option<Error> = None;
    let mut note = |r: Result<()>| {
        if let Err(e) = r {
            first_error.get_or_insert(e);
        }
    };
    if let Some(file) = publisher.resource_file.clone() {
        note(fill_metadata(publisher, resolver, &file));
    }
    let message_files: Vec<String> = [
        publisher.message_file.clone(),
        publisher
            .classic
            .as_ref()
            .and_then(|c| c.event_message_file.clone()),
    ]
    .into_iter()
    .flatten()
    .collect();
    for files in message_files {
        note(
            resolver
                .load_messages(&files)
                .map(|m| merge(&mut publisher.messages, m)),
        );
    }
    let parameter_files: Vec<String> = [
        publisher.parameter_file.clone(),
        publisher
            .classic
            .as_ref()
            .and_then(|c| c.parameter_message_file.clone()),
    ]
    .into_iter()
    .flatten()
    .collect();
    for files in parameter_files {
        note(
            resolver
                .load_messages(&files)
                .map(|m| merge(&mut publisher.parameters, m)),
        );
    }
    first_error.map_or(Ok(()), Err)
}

fn merge(into: &mut Messages, from: Messages) {
    for (culture, table) in from.by_culture {
        let to = into.by_culture.entry(culture).or_default();
        for (id, text) in table {
            to.entry(id).or_insert(text);
        }
    }
}

fn fill_metadata(publisher: &mut Publisher, resolver: &ResourceResolver, file: &str) -> Result<()> {
    let providers = resolver.load_wevt_template(file)?;
    let found = if providers.len() == 1 && publisher.guid == crate::event::Guid::NIL {
        providers.into_iter().next()
    } else {
        providers.into_iter().find(|p| p.guid == publisher.guid)
    };
    let Some(from) = found else {
        return Err(Error::with_message(
            ErrorKind::PublisherMetadataNotFound,
            format!(
                "{file}: its WEVT_TEMPLATE has no provider {}",
                publisher.guid
            ),
        ));
    };
    let p = publisher;
    if p.guid == crate::event::Guid::NIL {
        p.guid = from.guid;
    }
    if p.message_id.is_none() {
        p.message_id = from.message_id;
    }
    macro_rules! fill {
        ($($field:ident),*) => {$(
            if p.$field.is_empty() {
                p.$field = from.$field;
            }
        )*};
    }
    fill!(channels, levels, tasks, opcodes, keywords, maps);
    // Events index templates: the two come together or not at all.
    if p.templates.is_empty() && p.events.is_empty() {
        p.templates = from.templates;
        p.events = from.events;
    }
    Ok(())
}

#[cfg(test)]
#[path = "resources_resolve_tests.rs"]
mod tests;
