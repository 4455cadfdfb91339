//! Installing manifests through the engine: channels created with their declared
//! configuration, reinstall and uninstall, persistence across reopening a store, and a
//! seeded mini-fuzz of the parser over mutations of the test provider's manifest.

use std::sync::Arc;

use evtlog::{
    parse_manifest, ChannelConfig, ChannelType, Engine, ErrorKind, ManifestFiles, Retention,
    VirtualClock,
};

use crate::TempDir;

const PROVIDER: &str = "Evtlog-Test-Provider";
const OPERATIONAL: &str = "Evtlog-Test-Provider/Operational";
const ADMIN: &str = "Evtlog-Test-Provider/Admin";

fn manifest() -> String {
    crate::fixture("manifests/evtlog-test.man")
}

fn manifest_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/manifests/evtlog-test.man")
}

fn engine() -> Engine {
    Engine::with_default_channels(Arc::new(VirtualClock::default()))
}

/// A second provider of its own, with one defined channel.
fn other_manifest(name: &str, guid: &str) -> String {
    format!(
        r#"<instrumentationManifest xmlns="http://schemas.microsoft.com/win/2004/08/events">
  <instrumentation><events>
    <provider name="{name}" guid="{guid}" symbol="S" resourceFileName="x.dll" messageFileName="x.dll">
      <channels><channel name="{name}/Debug" type="Debug"/></channels>
    </provider>
  </events></instrumentation>
</instrumentationManifest>"#
    )
}

#[test]
fn install_registers_the_provider_and_creates_its_channels() {
    let engine = engine();
    let names = engine.install_manifest_file(manifest_path()).unwrap();
    assert_eq!(names, [PROVIDER]);
    let p = engine.publishers().get("evtlog-test-provider").unwrap();
    assert_eq!(*p, parse_manifest(&manifest()).unwrap()[0]);

    let op = engine.channel(OPERATIONAL).unwrap();
    assert_eq!(op.channel_type(), ChannelType::Operational);
    assert!(op.is_enabled());
    let config = op.config();
    assert_eq!(config.max_size, ChannelConfig::MIN_MAX_SIZE);
    assert_eq!(config.retention, Retention::Overwrite);
    let admin = engine.channel(ADMIN).unwrap().config();
    assert_eq!(admin.channel_type, ChannelType::Admin);
    assert_eq!(admin.max_size, 2_097_152);
    assert_eq!(admin.retention, Retention::DoNotOverwrite);
    // EvtOpenChannelEnum lists the engine's channels: the new ones are among them.
    let listed = engine.channel_names();
    assert!(listed.iter().any(|n| n == OPERATIONAL) && listed.iter().any(|n| n == ADMIN));
    // The imported Application channel is the engine's own, untouched.
    assert_eq!(
        engine.channel("Application").unwrap().config(),
        ChannelConfig::classic("Application")
    );
}

#[test]
fn manifest_channels_are_disabled_unless_enabled() {
    let engine = engine();
    engine
        .install_manifest(&other_manifest(
            "Evtlog-Other",
            "{00000000-0000-0000-0000-0000000000aa}",
        ))
        .unwrap();
    let debug = engine.channel("Evtlog-Other/Debug").unwrap();
    assert_eq!(debug.channel_type(), ChannelType::Debug);
    assert!(!debug.is_enabled());
    assert_eq!(debug.config().retention, Retention::DoNotOverwrite);
}

#[test]
fn reinstall_keeps_existing_channels_and_replaces_the_provider() {
    let engine = engine();
    let mine = ChannelConfig::new(OPERATIONAL, ChannelType::Analytic).with_max_size(8 << 20);
    engine.create_channel(mine.clone()).unwrap();
    engine.install_manifest(&manifest()).unwrap();
    assert_eq!(engine.channel(OPERATIONAL).unwrap().config(), mine);
    let first = engine.publishers().get(PROVIDER).unwrap();
    let edited = manifest().replace("Evtlog Test Provider", "Renamed");
    engine.install_manifest(&edited).unwrap();
    let second = engine.publishers().get(PROVIDER).unwrap();
    assert!(!Arc::ptr_eq(&first, &second));
    assert_eq!(engine.publishers().list().len(), 1);
    assert_eq!(
        second.messages.culture("en-US").unwrap()[&0x9000_0001],
        "Renamed"
    );
}

#[test]
fn a_missing_imported_channel_does_not_stop_the_install() {
    let engine = Engine::new();
    engine.install_manifest(&manifest()).unwrap();
    assert!(!engine.has_channel("Application"));
    assert!(engine.has_channel(ADMIN));
}

#[test]
fn uninstall_removes_the_provider_but_keeps_channels() {
    let engine = engine();
    engine.install_manifest(&manifest()).unwrap();
    assert_eq!(
        engine.uninstall_manifest_file(manifest_path()).unwrap(),
        [PROVIDER]
    );
    assert!(engine.publishers().get(PROVIDER).is_none());
    assert!(engine.has_channel(OPERATIONAL));
    assert!(engine.uninstall_manifest(&manifest()).unwrap().is_empty());
    assert!(!engine.uninstall_publisher(PROVIDER).unwrap());
}

#[test]
fn file_overrides_replace_every_provider_path() {
    let engine = engine();
    let files = ManifestFiles {
        resource_file: Some("/opt/evtlog/res.dll".into()),
        message_file: None,
        parameter_file: Some("/opt/evtlog/params.dll".into()),
    };
    engine.install_manifest_with(&manifest(), &files).unwrap();
    let p = engine.publishers().get(PROVIDER).unwrap();
    assert_eq!(p.resource_file.as_deref(), Some("/opt/evtlog/res.dll"));
    assert_eq!(
        p.message_file.as_deref(),
        Some(r"%ProgramFiles%\Evtlog\evtlog-test.dll")
    );
    assert_eq!(p.parameter_file.as_deref(), Some("/opt/evtlog/params.dll"));
}

#[test]
fn a_failed_install_registers_nothing() {
    let engine = engine();
    let bad = manifest().replace(
        "Evtlog-Test-Provider/Admin\" type",
        "Evtlog-Test-Provider\\Admin\" type",
    );
    let e = engine.install_manifest(&bad).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidChannelPath);
    assert!(engine.publishers().list().is_empty());
    assert!(!engine.has_channel(OPERATIONAL));
    let e = engine
        .install_manifest("<instrumentationManifest")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MalformedXml);
    let e = engine
        .install_manifest_file("/nonexistent/evtlog.man")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::FileNotFound);
}

/// The names and bytes of the files under `dir/providers`.
fn provider_files(dir: &TempDir) -> Vec<(String, Vec<u8>, std::time::SystemTime)> {
    let Ok(entries) = std::fs::read_dir(dir.0.join("providers")) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
                e.metadata().unwrap().modified().unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

#[test]
fn a_store_keeps_installed_providers_in_order_across_reopening() {
    let dir = TempDir::new("manifests-store");
    let files = ManifestFiles {
        message_file: Some("/opt/m.dll".into()),
        ..ManifestFiles::default()
    };
    let installed = {
        let engine = Engine::open_store_dir(&dir.0).unwrap();
        engine
            .install_manifest(&other_manifest(
                "Evtlog-Zulu",
                "{00000000-0000-0000-0000-0000000000bb}",
            ))
            .unwrap();
        engine.install_manifest_with(&manifest(), &files).unwrap();
        engine
            .install_manifest(&other_manifest(
                "Evtlog-Alpha",
                "{00000000-0000-0000-0000-0000000000cc}",
            ))
            .unwrap();
        // A reinstall keeps its place.
        engine
            .install_manifest(&other_manifest(
                "evtlog-zulu",
                "{00000000-0000-0000-0000-0000000000bb}",
            ))
            .unwrap();
        engine.publishers().list()
    };
    let before = provider_files(&dir);
    assert_eq!(
        before.iter().map(|f| f.0.as_str()).collect::<Vec<_>>(),
        [
            "00000001-evtlog-zulu.man",
            "00000002-evtlog-test-provider.files",
            "00000002-evtlog-test-provider.man",
            "00000003-evtlog-alpha.man",
        ]
    );
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    let names: Vec<_> = engine
        .publishers()
        .list()
        .iter()
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(names, ["evtlog-zulu", PROVIDER, "Evtlog-Alpha"]);
    for (a, b) in installed.iter().zip(engine.publishers().list()) {
        assert_eq!(**a, *b);
    }
    assert_eq!(
        engine
            .publishers()
            .get(PROVIDER)
            .unwrap()
            .message_file
            .as_deref(),
        Some("/opt/m.dll")
    );
    assert!(engine.has_channel(ADMIN) && engine.has_channel("Evtlog-Alpha/Debug"));
    // Reopening wrote nothing of the providers' store.
    assert_eq!(provider_files(&dir), before);

    assert!(engine.uninstall_publisher("EVTLOG-TEST-PROVIDER").unwrap());
    drop(engine);
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    let names: Vec<_> = engine
        .publishers()
        .list()
        .iter()
        .map(|p| p.name.clone())
        .collect();
    assert_eq!(names, ["evtlog-zulu", "Evtlog-Alpha"]);
    assert_eq!(provider_files(&dir).len(), 2);
    // The uninstalled provider's channels stay, with their files.
    assert!(engine.has_channel(ADMIN));
}

/// xorshift64*: deterministic mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Pieces a mutation may splice in: markup, references, numbers at the edges of ranges.
const PIECES: &[&str] = &[
    "<",
    ">",
    "/>",
    "</events>",
    "<event value=\"1\"/>",
    "\"",
    "&amp;",
    "&bogus;",
    "$(string.",
    ")",
    "win:",
    "0x",
    "65536",
    "255",
    "16",
    "15",
    "239",
    "240",
    "0xFFFFFFFFFFFFFFFF",
    "-1",
    "<![CDATA[x]]>",
    "<!-- c -->",
    "é",
    "\u{0}",
    "<task name=\"T\">",
    "</task>",
    " ",
];

fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut s = text.as_bytes().to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(s.len());
        match rng.below(5) {
            0 => {
                let n = (1 + rng.below(40)).min(s.len() - at);
                s.drain(at..at + n);
            }
            1 => {
                let piece = PIECES[rng.below(PIECES.len())].as_bytes();
                s.splice(at..at, piece.iter().copied());
            }
            2 => {
                let from = rng.below(s.len());
                let n = (1 + rng.below(200)).min(s.len() - from);
                let copy = s[from..from + n].to_vec();
                s.splice(at..at, copy);
            }
            3 => s[at] = s[at].wrapping_add(1 + rng.below(3) as u8),
            _ => s.truncate(at),
        }
        if s.is_empty() {
            break;
        }
    }
    String::from_utf8_lossy(&s).into_owned()
}

/// Thousands of mutated manifests: never a panic; every error is 15008 or 15010 with a
/// position; a manifest that parses installs.
#[test]
fn mutated_manifests_never_panic_and_errors_have_positions() {
    let text = manifest();
    let mut rng = Rng(0x5eed_0f0a_7e57);
    let (mut ok, mut failed) = (0, 0);
    for round in 0..3000 {
        let mutated = mutate(&mut rng, &text);
        let result = std::panic::catch_unwind(|| parse_manifest(&mutated));
        let Ok(result) = result else {
            panic!("round {round} panicked on:\n{mutated}");
        };
        match result {
            Ok(publishers) => {
                ok += 1;
                if round % 50 == 0 {
                    let engine = Engine::new();
                    for p in publishers {
                        let _ = engine.install_publisher(p);
                    }
                }
            }
            Err(e) => {
                failed += 1;
                assert!(
                    matches!(
                        e.kind(),
                        ErrorKind::MalformedXml | ErrorKind::ConfigurationError
                    ),
                    "round {round}: {e}"
                );
                assert!(e.position().is_some(), "round {round}: no position: {e}");
            }
        }
    }
    // The mutations reach both outcomes.
    assert!(ok > 100 && failed > 1000, "ok {ok}, failed {failed}");
}

/// A provider whose parameterFileName is another installed provider's messageFileName
/// takes that provider's messages as its `%%n` strings.
#[test]
fn parameter_strings_come_from_the_provider_owning_the_parameter_file() {
    let params = r#"<instrumentationManifest xmlns="http://schemas.microsoft.com/win/2004/08/events">
  <instrumentation><events>
    <provider name="Evtlog-Params" guid="{00000000-0000-0000-0000-0000000000dd}" symbol="P"
        resourceFileName="%SystemRoot%\System32\MsObjs.dll" messageFileName="%SystemRoot%\System32\MsObjs.dll">
    </provider>
    <messageTable>
      <message value="1833" message="$(string.impersonation)"/>
    </messageTable>
  </events></instrumentation>
  <localization><resources culture="en-US"><stringTable>
    <string id="impersonation" value="Impersonation"/>
  </stringTable></resources></localization>
</instrumentationManifest>"#;
    let engine = engine();
    engine.install_manifest(params).unwrap();
    engine.install_manifest(&manifest()).unwrap();
    let p = engine.publishers().get(PROVIDER).unwrap();
    assert_eq!(
        p.parameters
            .culture("en-US")
            .unwrap()
            .get(&1833)
            .map(String::as_str),
        Some("Impersonation")
    );
    // Without the owner installed, a manifest has no parameter strings.
    let alone = self::engine();
    alone.install_manifest(&manifest()).unwrap();
    assert!(alone
        .publishers()
        .get(PROVIDER)
        .unwrap()
        .parameters
        .is_empty());
}

/// mc reads UTF-16 manifests with a byte order mark, and UTF-8 ones with or without.
#[test]
fn manifest_files_may_be_utf16_or_utf8_with_a_bom() {
    let dir = TempDir::new("manifests-encodings");
    let text = manifest();
    let le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let be: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    let bom: Vec<u8> = [0xEF, 0xBB, 0xBF].into_iter().chain(text.bytes()).collect();
    for (name, bytes) in [("le.man", le), ("be.man", be), ("bom.man", bom)] {
        std::fs::write(dir.file(name), bytes).unwrap();
        let engine = engine();
        assert_eq!(
            engine.install_manifest_file(dir.file(name)).unwrap(),
            [PROVIDER]
        );
    }
    std::fs::write(dir.file("bad.man"), [0xC3, 0x28]).unwrap();
    let e = engine()
        .install_manifest_file(dir.file("bad.man"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::MalformedXml);
    assert!(e.to_string().contains("bad.man"), "{e}");
}

/// A default-session cancel while a manifest is being parsed and checked (held at the
/// `Install` pause point) stops the install with 1223: nothing installed, no channel made,
/// nothing stored. The next install works.
#[test]
fn a_session_cancel_before_storing_installs_nothing() {
    let dir = TempDir::new("manifests-cancel");
    let engine = Engine::open_store_dir(&dir.0).unwrap();
    let pause = engine.pause_at(evtlog::CallKind::Install, 0);
    let install = std::thread::spawn({
        let engine = engine.clone();
        move || engine.install_manifest(&manifest())
    });
    pause.wait_stopped(1);
    engine.default_session().cancel();
    pause.release();
    let e = install.join().unwrap().unwrap_err();
    assert_eq!((e.kind(), e.win32_code()), (ErrorKind::Cancelled, 1223));
    assert!(engine.publishers().get(PROVIDER).is_none());
    assert!(!engine.has_channel(OPERATIONAL));
    let stored = std::fs::read_dir(dir.0.join("providers"))
        .map(|d| d.count())
        .unwrap_or(0);
    assert_eq!(stored, 0, "a cancelled install stored a manifest");
    drop(pause);
    engine.install_manifest(&manifest()).unwrap();
    assert!(engine.publishers().get(PROVIDER).is_some());
}
