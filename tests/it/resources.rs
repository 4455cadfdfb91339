//! Provider resource files on real Windows binaries (the `evtx` crate's `samples/dlls`,
//! found through `cargo metadata`; skipped with a notice where absent): MESSAGETABLE and
//! WEVT_TEMPLATE read through `ResourceFile`, checked against facts other sources state
//! (the `evtx` crate's libfwevt-validated counts, the real .evtx samples);
//! truncated and bit-flipped binaries never panic; a seeded mini-fuzz.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use evtlog::{
    Body, ChunkDecoder, DataItem, EvtxFile, Publisher, ResourceFile, ResourceId, WEVT_TEMPLATE,
};

/// The `evtx` package's directory, from `cargo metadata` (None when cargo or it is absent).
fn evtx_package() -> Option<&'static Path> {
    static DIR: OnceLock<Option<PathBuf>> = OnceLock::new();
    DIR.get_or_init(|| {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let out = std::process::Command::new(cargo)
            .args(["metadata", "--format-version", "1", "--offline"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .ok()?;
        let json = String::from_utf8(out.stdout).ok()?;
        // Each package's "manifest_path":"…/Cargo.toml"; the evtx one ends in evtx-<version>.
        json.split("\"manifest_path\":\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            .map(|p| PathBuf::from(p.replace("\\\\", "\\")))
            .filter_map(|p| p.parent().map(Path::to_path_buf))
            .find(|dir| {
                dir.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with("evtx-0."))
                    && dir.join("samples/dlls").is_dir()
            })
    })
    .as_deref()
}

/// A sample DLL's path, or None after printing why the test is skipped.
pub(crate) fn dll(name: &str) -> Option<PathBuf> {
    let path = evtx_package().map(|d| d.join("samples/dlls").join(name));
    match path {
        Some(p) if p.is_file() => Some(p),
        _ => {
            eprintln!("skipped: the evtx crate's samples/dlls/{name} is not available");
            None
        }
    }
}

fn providers(name: &str) -> Option<Vec<Publisher>> {
    Some(
        ResourceFile::open(dll(name)?)
            .unwrap()
            .wevt_template()
            .unwrap(),
    )
}

/// The counts of the evtx crate's snapshot for a DLL (validated there against libfwevt).
fn snapshot_counts(dll: &str) -> Option<HashMap<String, usize>> {
    let path = evtx_package()?.join(format!(
        "tests/snapshots/test_wevt_templates__wevt_templates_research__wevt_dll_{dll}.snap"
    ));
    let text = std::fs::read_to_string(path).ok()?;
    let counts = text
        .lines()
        .filter_map(|l| {
            let (k, v) = l.trim().trim_end_matches(',').split_once(':')?;
            Some((
                k.trim().trim_matches('"').to_owned(),
                v.trim().parse().ok()?,
            ))
        })
        .collect();
    Some(counts)
}

#[test]
fn wevt_template_counts_match_the_libfwevt_validated_snapshots() {
    for (file, snap) in [
        ("adtschema.dll", "adtschema"),
        ("lsasrv.dll", "lsasrv"),
        ("services.exe", "services"),
        ("wevtsvc.dll", "wevtsvc"),
    ] {
        let Some(ps) = providers(file) else { return };
        let Some(want) = snapshot_counts(snap) else {
            eprintln!("skipped: no evtx snapshot for {file}");
            continue;
        };
        let sum = |f: fn(&Publisher) -> usize| ps.iter().map(f).sum::<usize>();
        let got: HashMap<String, usize> = [
            ("providers", ps.len()),
            ("templates", sum(|p| p.templates.len())),
            ("events", sum(|p| p.events.len())),
            ("maps", sum(|p| p.maps.len())),
            ("channels", sum(|p| p.channels.len())),
            ("levels", sum(|p| p.levels.len())),
            ("opcodes", sum(|p| p.opcodes.len())),
            ("tasks", sum(|p| p.tasks.len())),
            ("keywords", sum(|p| p.keywords.len())),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        assert_eq!(got, want, "{file}");
    }
    // scesrv.dll has neither table: 1813 for both.
    if let Some(path) = dll("scesrv.dll") {
        let f = ResourceFile::open(path).unwrap();
        assert_eq!(f.wevt_template().unwrap_err().win32_code(), 1813);
        assert_eq!(f.message_table().unwrap_err().win32_code(), 1813);
    }
}

#[test]
fn service_control_manager_in_services_exe() {
    let Some(ps) = providers("services.exe") else {
        return;
    };
    // The SCM's well-known provider GUID.
    let scm = ps
        .iter()
        .find(|p| p.guid.to_string() == "{555908d1-a6d7-4695-8e1e-26931d2012f4}")
        .expect("Service Control Manager");
    // The classic SCM source: 7036's message is 0x40001B7C (Qualifiers 16384), "The %1 service
    // entered the %2 state." in the (absent) .mui.
    let e7036 = scm.events.iter().find(|e| e.value == 7036).unwrap();
    assert_eq!(e7036.message_id, Some(0x4000_1B7C));
    let e7000 = scm.events.iter().find(|e| e.value == 7000).unwrap();
    assert_eq!(e7000.message_id, Some(0xC000_1B58));
    assert_eq!(scm.channels[0].name, "System");
    assert!(scm.channels[0].imported);
    assert_eq!(scm.keywords[0].name, "win:EventlogClassic");
    let t = &scm.templates[e7036.template.unwrap()];
    let items: Vec<(&str, &str, &str)> = t
        .items
        .iter()
        .map(|i| (i.name.as_str(), i.in_type.as_str(), i.out_type.as_str()))
        .collect();
    assert_eq!(
        &items[..2],
        [
            ("param1", "win:UnicodeString", "xs:string"),
            ("param2", "win:UnicodeString", "xs:string"),
        ]
    );
    // A binary item whose length another item gives.
    let binary = scm
        .templates
        .iter()
        .flat_map(|t| &t.items)
        .find(|i| i.in_type == "win:Binary")
        .unwrap();
    assert_eq!(binary.out_type, "xs:hexBinary");
    assert_eq!(binary.length.as_deref(), Some("__binLength"));

    // The real System logs: 7036's template (shared by 7000, 7009, 7034…) is one records
    // were written with, and every SCM record's Data names are its template's items.
    let Some(samples) = crate::samples() else {
        return;
    };
    let log = std::fs::read(samples.path("evtx-crate/system.evtx")).unwrap();
    let guid = evtlog::Guid::parse(&t.tid).unwrap().to_bytes_le();
    assert!(
        log.windows(16).any(|w| w == guid),
        "template {} in system.evtx",
        t.tid
    );
    let mut total = 0;
    for log in [
        "evtx-crate/system.evtx",
        "python-evtx/system.evtx",
        "plaso/System.evtx",
    ] {
        let (checked, same) =
            compare_data_names(&samples.path(log), "Service Control Manager", scm);
        assert_eq!(
            same, checked,
            "{log}: records whose Data names differ from the template"
        );
        total += checked;
    }
    assert!(total > 100, "{total} records checked");
}

/// For every record of `provider` in an .evtx file whose event (id, and version when the
/// record has one) `p` defines: (records checked, records whose Data names are exactly the
/// names of the template's items).
fn compare_data_names(log: &Path, provider: &str, p: &Publisher) -> (usize, usize) {
    let mut file = EvtxFile::from_bytes(std::fs::read(log).unwrap()).unwrap();
    let (mut checked, mut same) = (0, 0);
    for chunk in file.chunks() {
        let Ok(chunk) = chunk else { continue };
        let mut decoder = ChunkDecoder::new(&chunk);
        for record in chunk.records().flatten() {
            let Ok(event) = decoder.decode(&record) else {
                continue;
            };
            let s = &event.system;
            if s.provider.name.as_deref() != Some(provider) {
                continue;
            }
            let Some(def) = p.events.iter().find(|e| {
                e.value == u32::from(s.event_id) && s.version.is_none_or(|v| v == e.version)
            }) else {
                continue;
            };
            let Body::EventData(data) = &event.body else {
                continue;
            };
            let names: Vec<&str> = data
                .items
                .iter()
                .filter_map(|i| match i {
                    DataItem::Data { name, .. } => name.as_deref(),
                    _ => None,
                })
                .collect();
            // A classic-style event's binary data (the `__binLength` item and the binary
            // item it sizes) renders as `<Binary>` (or nothing when empty), never as `<Data>`.
            let want: Vec<&str> = def
                .template
                .map(|t| {
                    p.templates[t]
                        .items
                        .iter()
                        .filter(|i| {
                            i.name != "__binLength" && i.length.as_deref() != Some("__binLength")
                        })
                        .map(|i| i.name.as_str())
                        .collect()
                })
                .unwrap_or_default();
            checked += 1;
            same += usize::from(names == want);
        }
    }
    (checked, same)
}

#[test]
fn security_auditing_in_adtschema_dll() {
    let Some(path) = dll("adtschema.dll") else {
        return;
    };
    let file = ResourceFile::open(path).unwrap();
    let ps = file.wevt_template().unwrap();
    assert_eq!(ps.len(), 1);
    let p = &ps[0];
    assert_eq!(p.guid.to_string(), "{54849625-5478-4994-a5ba-3e3b0328c30d}");
    // CRIM carries no name; the provider's message id is its display name.
    assert_eq!(p.name, "");
    let messages = file.message_table().unwrap();
    assert_eq!(
        messages.culture("en-US").unwrap()[&p.message_id.unwrap()],
        "Microsoft Windows security auditing.\r\n"
    );
    assert_eq!(messages.cultures().collect::<Vec<_>>(), ["en-US"]);
    let en = messages.culture("en-US").unwrap();
    // Event 4608's description (Microsoft's documentation of the event), stored with its
    // trailing CR LF.
    assert!(
        en[&4608].starts_with("Windows is starting up."),
        "{:?}",
        en[&4608]
    );
    assert!(en[&4608].ends_with("\r\n"));
    assert!(
        en[&4624].starts_with("An account was successfully logged on."),
        "{:?}",
        en[&4624]
    );
    assert_eq!(p.channels[0].name, "Security");
    assert_eq!(
        p.events.iter().find(|e| e.value == 4624).unwrap().channel,
        10
    );

    // Every Security-Auditing record of the real Security log whose (id, version) the DLL
    // defines has the DLL template's item names as its Data names.
    let Some(samples) = crate::samples() else {
        return;
    };
    let log = samples.path("evtx-crate/security.evtx");
    let (checked, same) = compare_data_names(&log, "Microsoft-Windows-Security-Auditing", p);
    assert!(checked > 100, "{checked} records checked");
    assert_eq!(
        same, checked,
        "records whose Data names differ from the template"
    );
}

#[test]
fn eventlog_provider_in_wevtsvc_dll() {
    let Some(ps) = providers("wevtsvc.dll") else {
        return;
    };
    let p = &ps[0];
    assert_eq!(p.guid.to_string(), "{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}");
    let names: Vec<(&str, u32, bool)> = p
        .channels
        .iter()
        .map(|c| (c.name.as_str(), c.value, c.imported))
        .collect();
    assert_eq!(names[..2], [("System", 8, true), ("Security", 10, true)]);
    assert!(names[2..]
        .iter()
        .all(|(_, v, imported)| *v >= 16 && !imported));
    // Value maps, and the template item that names one.
    let maps: Vec<&str> = p.maps.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(maps, ["ChannelType", "DroppedEventReasons"]);
    let channel_type = &p.maps[0];
    assert_eq!(
        channel_type.entries.iter().map(|e| e.0).collect::<Vec<_>>(),
        [0, 1, 2, 3]
    );
    assert!(p
        .templates
        .iter()
        .flat_map(|t| &t.items)
        .any(|i| i.map.as_deref() == Some("DroppedEventReasons")));
    // Opcodes are (opcode << 16) | task.
    assert!(p
        .opcodes
        .iter()
        .any(|o| o.name == "win:Start" && o.metadata_value() == 1 << 16));
    // Event 104 has two versions.
    assert_eq!(p.events.iter().filter(|e| e.value == 104).count(), 2);
}

/// xorshift64*: a fixed-seed generator, so failures replay.
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

/// Everything a consumer reads from a resource file; every error must be a corrupt image at
/// an offset, or a missing resource (1812–1815).
fn exercise(bytes: Vec<u8>) {
    fn check<T>(r: evtlog::Result<T>) {
        if let Err(e) = r {
            let ok = match e.win32_code() {
                1392 => e.offset().is_some(),
                1812..=1815 => true,
                _ => false,
            };
            assert!(ok, "unexpected error: {e}");
        }
    }
    match ResourceFile::parse(bytes) {
        Ok(f) => {
            check(f.message_table());
            check(f.wevt_template());
        }
        Err(e) => check::<()>(Err(e)),
    }
}

/// Where the compiled manifest (the WEVT_TEMPLATE resource) sits in a binary, and its size.
fn crim_at(bytes: &[u8]) -> Option<(usize, usize)> {
    let f = ResourceFile::parse(bytes.to_vec()).ok()?;
    let (ty, name) = (ResourceId::from(WEVT_TEMPLATE), ResourceId::Id(1));
    let lang = *f.languages(&ty, &name).ok()?.first()?;
    let blob = f.resource(&ty, &name, lang).ok()?;
    Some((
        blob.as_ptr() as usize - f.bytes().as_ptr() as usize,
        blob.len(),
    ))
}

#[test]
fn truncated_and_bit_flipped_binaries_never_panic() {
    let start = Instant::now();
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    for name in ["services.exe", "adtschema.dll", "wevtsvc.dll"] {
        let Some(path) = dll(name) else { return };
        let good = std::fs::read(path).unwrap();
        let (crim, _) = crim_at(&good).unwrap();
        let tail = good.len() - crim;
        for round in 0..60 {
            let mut bytes = good.clone();
            match round % 3 {
                // Cut inside the compiled manifest or the resource data after it.
                0 => bytes.truncate(crim + rng.below(tail)),
                // Flip bits in the manifest's first 32 KiB (its headers and tables).
                1 => {
                    for _ in 0..1 + rng.below(8) {
                        let at = crim + rng.below(tail.min(32 * 1024));
                        bytes[at] ^= 1 << rng.below(8);
                    }
                }
                // Anywhere, including the PE headers and the resource directory.
                _ => {
                    for _ in 0..1 + rng.below(16) {
                        let at = rng.below(bytes.len());
                        bytes[at] = rng.next() as u8;
                    }
                    bytes.truncate(bytes.len() - rng.below(bytes.len() / 2));
                }
            }
            exercise(bytes);
        }
    }
    // Generous: each parse is a few milliseconds.
    assert!(
        start.elapsed() < Duration::from_secs(120),
        "{:?}",
        start.elapsed()
    );
}

/// A small PE image with a message table and a WEVT_TEMPLATE (`crim`): the seed of the
/// mini-fuzz and of the fuzz target's corpus.
pub fn seed_image(crim: &[u8]) -> Vec<u8> {
    let mut table = Vec::new();
    for x in [1u32, 0x100, 0x101, 16] {
        table.extend_from_slice(&x.to_le_bytes());
    }
    for text in ["Hello %1\r\n", "World\r\n"] {
        let mut units: Vec<u8> = text
            .encode_utf16()
            .chain([0])
            .flat_map(u16::to_le_bytes)
            .collect();
        units.resize(units.len().div_ceil(4) * 4, 0);
        table.extend_from_slice(&((units.len() + 4) as u16).to_le_bytes());
        table.extend_from_slice(&1u16.to_le_bytes());
        table.extend_from_slice(&units);
    }
    // Resource tree: root (2 types) → two name dirs (1 entry) → two language dirs (1 entry).
    let name_units: Vec<u16> = "WEVT_TEMPLATE".encode_utf16().collect();
    let dir = |named: u16, ids: u16, entries: &[(u32, u32)]| {
        let mut d = vec![0u8; 12];
        d.extend_from_slice(&named.to_le_bytes());
        d.extend_from_slice(&ids.to_le_bytes());
        for (n, o) in entries {
            d.extend_from_slice(&n.to_le_bytes());
            d.extend_from_slice(&o.to_le_bytes());
        }
        d
    };
    const SUB: u32 = 0x8000_0000;
    let (t_wevt, t_mt, l_wevt, l_mt) = (32u32, 56u32, 80u32, 104u32);
    let (e_wevt, e_mt, name_at) = (128u32, 144u32, 160u32);
    let data_at = 192u32;
    let rva = 0x1000u32;
    let mut tree = Vec::new();
    tree.extend(dir(
        1,
        1,
        &[(SUB | name_at, SUB | t_wevt), (11, SUB | t_mt)],
    ));
    tree.extend(dir(0, 1, &[(1, SUB | l_wevt)]));
    tree.extend(dir(0, 1, &[(1, SUB | l_mt)]));
    tree.extend(dir(0, 1, &[(0x409, e_wevt)]));
    tree.extend(dir(0, 1, &[(0x409, e_mt)]));
    let mt_at = data_at + (crim.len() as u32).div_ceil(8) * 8;
    for (at, len) in [(data_at, crim.len()), (mt_at, table.len())] {
        tree.extend_from_slice(&(rva + at).to_le_bytes());
        tree.extend_from_slice(&(len as u32).to_le_bytes());
        tree.extend_from_slice(&[0; 8]);
    }
    assert_eq!(tree.len(), name_at as usize);
    tree.extend_from_slice(&(name_units.len() as u16).to_le_bytes());
    tree.extend(name_units.iter().flat_map(|u| u.to_le_bytes()));
    tree.resize(data_at as usize, 0);
    tree.extend_from_slice(crim);
    tree.resize(mt_at as usize, 0);
    tree.extend_from_slice(&table);
    // Headers: DOS, PE32 with 16 data directories, one section at file offset 0x200.
    let mut pe = vec![0u8; 0x200];
    pe[0..2].copy_from_slice(b"MZ");
    pe[0x3c] = 0x40;
    pe[0x40..0x44].copy_from_slice(b"PE\0\0");
    pe[0x46] = 1; // one section
    pe[0x54] = 224; // SizeOfOptionalHeader
    pe[0x58..0x5a].copy_from_slice(&0x10bu16.to_le_bytes());
    pe[0x58 + 92] = 16;
    let dir2 = 0x58 + 96 + 16;
    pe[dir2..dir2 + 4].copy_from_slice(&rva.to_le_bytes());
    pe[dir2 + 4..dir2 + 8].copy_from_slice(&(tree.len() as u32).to_le_bytes());
    let sec = 0x58 + 224;
    pe[sec..sec + 5].copy_from_slice(b".rsrc");
    for (off, v) in [
        (8, tree.len() as u32),
        (12, rva),
        (16, tree.len() as u32),
        (20, 0x200),
    ] {
        pe[sec + off..sec + off + 4].copy_from_slice(&v.to_le_bytes());
    }
    pe.extend(tree);
    pe
}

/// The compiled manifest of services.exe when the DLLs are there, else a CRIM with no
/// providers.
fn seed_crim() -> Vec<u8> {
    if let Some(path) = evtx_package().map(|d| d.join("samples/dlls/services.exe")) {
        if let Ok(bytes) = std::fs::read(path) {
            if let Some((at, len)) = crim_at(&bytes) {
                return bytes[at..at + len].to_vec();
            }
        }
    }
    let mut crim = b"CRIM".to_vec();
    crim.extend_from_slice(&16u32.to_le_bytes());
    crim.extend_from_slice(&[3, 0, 1, 0, 0, 0, 0, 0]);
    crim
}

/// Also writes the seed image to `$EVTLOG_FUZZ_SEED_DIR/seed_image.bin` when that is set
/// (`fuzz/seed.sh` does: a small seed fuzzes ~50x faster than the real binaries).
#[test]
fn the_seed_image_reads_back() {
    if let Some(dir) = std::env::var_os("EVTLOG_FUZZ_SEED_DIR") {
        let path = std::path::Path::new(&dir).join("seed_image.bin");
        std::fs::write(&path, seed_image(&seed_crim())).unwrap();
    }
    let f = ResourceFile::parse(seed_image(&seed_crim())).unwrap();
    let m = f.message_table().unwrap();
    assert_eq!(m.culture("en-US").unwrap()[&0x101], "World\r\n");
    let ps = f.wevt_template().unwrap();
    if evtx_package().is_some() {
        assert_eq!(ps.len(), 3);
    }
}

#[test]
fn seeded_mini_fuzz() {
    let seed = seed_image(&seed_crim());
    let mut rng = Rng(0xf022_0017_0002_0005);
    let start = Instant::now();
    let mut runs = 0;
    while start.elapsed() < Duration::from_secs(3) && runs < 20_000 {
        let mut bytes = seed.clone();
        for _ in 0..1 + rng.below(6) {
            if bytes.is_empty() {
                break;
            }
            let at = rng.below(bytes.len());
            match rng.below(4) {
                0 => bytes[at] ^= 1 << rng.below(8),
                1 => bytes[at] = rng.next() as u8,
                // 0xff runs make huge counts and offsets.
                2 => {
                    let end = (at + 4).min(bytes.len());
                    bytes[at..end].fill(0xff)
                }
                _ => bytes.truncate(at),
            }
        }
        exercise(bytes);
        runs += 1;
    }
    eprintln!("mini-fuzz: {runs} runs");
    assert!(runs > 100, "{runs} runs");
}

#[test]
fn the_engine_and_the_environment_name_the_windows_directory() {
    let engine = evtlog::Engine::new();
    assert!(engine.resource_resolver().is_none());
    engine.set_windows_dir("/srv/windows");
    assert_eq!(
        engine.resource_resolver().unwrap().windows_dir(),
        Path::new("/srv/windows")
    );
    // Only this test touches the variable.
    std::env::set_var(evtlog::WINDIR_ENV, "/srv/other");
    let from_env = evtlog::ResourceResolver::from_env().unwrap();
    std::env::set_var(evtlog::WINDIR_ENV, "");
    assert_eq!(from_env.windows_dir(), Path::new("/srv/other"));
    assert!(evtlog::ResourceResolver::from_env().is_none());
    std::env::remove_var(evtlog::WINDIR_ENV);
}
