//! Temporary files and folders for one test each, removed when dropped. Names carry the
//! process id and a per-process counter, so parallel tests and test binaries never share one.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// `evtlog-<tag>-<pid>-<n><suffix>` under the temp folder, unique in this process.
fn unique(tag: &str, suffix: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("evtlog-{tag}-{}-{n}{suffix}", std::process::id()))
}

/// A file written for one test (an `.evtx` name), removed when dropped.
#[derive(Debug)]
pub struct TempFile(pub PathBuf);

impl TempFile {
    /// `bytes` in a new file.
    pub fn new(tag: &str, bytes: &[u8]) -> TempFile {
        let path = unique(tag, ".evtx");
        std::fs::write(&path, bytes).unwrap();
        TempFile(std::fs::canonicalize(path).unwrap())
    }

    /// A name for a file not yet written (the caller writes it); removed when dropped.
    pub fn reserve(tag: &str) -> TempFile {
        let path = unique(tag, ".evtx");
        let _ = std::fs::remove_file(&path);
        let dir = std::fs::canonicalize(path.parent().unwrap()).unwrap();
        TempFile(dir.join(path.file_name().unwrap()))
    }

    /// Its absolute path.
    pub fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A folder for one test (empty), removed with its content when dropped.
#[derive(Debug)]
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let dir = unique(tag, "");
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(std::fs::canonicalize(dir).unwrap())
    }

    /// The absolute path of `name` in it.
    pub fn file(&self, name: &str) -> String {
        self.0.join(name).to_string_lossy().into_owned()
    }

    /// The names of the files in it, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Its path.
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
