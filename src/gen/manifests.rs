//! The embedded default publishers: one instrumentation manifest, written for evtlog, for
//! every manifest-based provider the generator emits (the real providers' names, GUIDs,
//! channels, levels, tasks, opcodes, keywords and templates; message texts of evtlog's own
//! with the same inserts; Security's `%%n` parameter strings in its messageTable).
//!
//! Invariants:
//! 1. [`ALL`] is in installation order: a provider whose parameterFileName names another's
//!    messageFileName comes after it (today only Security uses parameter strings, and its
//!    parameter file is its own message file).
//! 2. Every manifest parses (pinned by a test); [`publishers`] parses them once per process
//!    and hands out the same parsed publishers to every engine that installs them.
//! 3. The classic event sources the generator emits (MsiInstaller, Application Error, …)
//!    have no manifest here: their events stay unformatted (README's fidelity table).

use std::sync::OnceLock;

use crate::error::{Error, ErrorKind, Result};
use crate::publisher::{parse_manifest, Publisher};

/// One embedded manifest: its file name and its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EmbeddedManifest {
    /// The file's name (`Service-Control-Manager.man`).
    pub file: &'static str,
    /// The manifest's XML.
    pub text: &'static str,
}

macro_rules! embedded {
    ($($file:literal),* $(,)?) => {
        [$(EmbeddedManifest { file: $file, text: include_str!(concat!("manifests/", $file)) }),*]
    };
}

/// Every embedded manifest, in installation order (invariant 1).
pub const ALL: [EmbeddedManifest; 12] = embedded![
    "Microsoft-Windows-Security-Auditing.man",
    "Microsoft-Windows-Eventlog.man",
    "Service-Control-Manager.man",
    "Microsoft-Windows-Kernel-General.man",
    "Microsoft-Windows-Kernel-Power.man",
    "Microsoft-Windows-Time-Service.man",
    "Microsoft-Windows-WindowsUpdateClient.man",
    "Microsoft-Windows-DistributedCOM.man",
    "Microsoft-Windows-RestartManager.man",
    "Microsoft-Windows-Servicing.man",
    "Microsoft-Windows-WUSA.man",
    "Microsoft-Windows-Sysmon.man",
];

/// The parsed publishers, or the first manifest's error (kind and text: `Error` is not
/// `Clone`).
type Parsed = std::result::Result<Vec<(usize, Publisher)>, (ErrorKind, String)>;

/// The embedded manifests' publishers, parsed once per process: (the index in [`ALL`] of
/// the manifest that declares it, the publisher), in installation order.
pub fn publishers() -> Result<&'static [(usize, Publisher)]> {
    static PARSED: OnceLock<Parsed> = OnceLock::new();
    let parsed = PARSED.get_or_init(|| {
        let mut all = Vec::new();
        for (index, manifest) in ALL.iter().enumerate() {
            let publishers = parse_manifest(manifest.text).map_err(|e| {
                (
                    e.kind(),
                    format!("embedded manifest {}: {e}", manifest.file),
                )
            })?;
            all.extend(publishers.into_iter().map(|p| (index, p)));
        }
        Ok(all)
    });
    match parsed {
        Ok(all) => Ok(all),
        Err((kind, message)) => Err(Error::with_message(*kind, message.clone())),
    }
}
