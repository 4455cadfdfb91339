//! The one integration-test binary: each module tests one capability through the public API.

mod archive;
mod bookmarks;
mod channel_config;
mod classic;
mod clear;
mod default_publishers;
mod dll_format;
mod evtx_container;
mod evtx_decode;
mod evtx_differential;
mod evtx_fuzz_regressions;
mod evtx_query;
mod evtx_write;
mod export;
mod facade_model;
mod hostile;
mod last_error;
mod layout;
mod manifests;
mod metadata;
mod persist;
mod producer;
mod query_cases;
mod readme;
mod render;
mod resources;
mod results;
mod store;
mod store_open;
mod subscribe;
mod text_fuzz;
mod winevt;
mod xml_golden;
mod xml_malformed;
mod xml_roundtrip;

/// Reads a fixture file relative to the project root, without its trailing newline.
pub fn fixture(path: &str) -> String {
    let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(path);
    let text = std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()));
    text.trim_end_matches(['\r', '\n']).to_owned()
}

/// The real .evtx samples: `EVTLOG_SAMPLES`, or `../shared/evtx-samples` beside the project.
/// A missing folder fails the test: the samples are part of CI, not optional.
pub fn samples_dir() -> std::path::PathBuf {
    let dir = match std::env::var_os("EVTLOG_SAMPLES") {
        Some(d) => std::path::PathBuf::from(d),
        None => std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/evtx-samples"),
    };
    assert!(
        dir.join("INDEX.md").is_file(),
        "EVTX samples not found at {} (set EVTLOG_SAMPLES to the evtx-samples folder)",
        dir.display()
    );
    dir
}

/// A directory for one test (`evtlog-<tag>-<pid>` under the temp dir, empty), removed when
/// dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("evtlog-{tag}-{}", std::process::id()));
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
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Every event of the .evtx file at `path`, in record order, by evtlog's reader (every
/// record must decode).
pub fn read_evtx(path: impl AsRef<std::path::Path>) -> Vec<evtlog::Event> {
    let mut file = evtlog::EvtxFile::open(path).unwrap();
    let mut out = Vec::new();
    for chunk in file.chunks_in_record_order().unwrap() {
        let chunk = chunk.unwrap();
        let mut decoder = evtlog::ChunkDecoder::new(&chunk);
        for record in chunk.records() {
            out.push(decoder.decode(&record.unwrap()).unwrap());
        }
    }
    out
}
