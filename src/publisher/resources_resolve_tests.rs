//! Path resolution under a stand-in Windows directory, MUI fallback and `load_resources`,
//! on a directory tree of hand-built images.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::publisher::pe::tests::image;
use crate::publisher::pe::ResourceId;
use crate::publisher::resources::tests::{table, utf16};
use crate::publisher::resources_wevt::tests::{build, PROVIDER};

/// A fresh directory holding `C:\` with a `Windows` directory inside.
struct Root(PathBuf);

impl Root {
    fn new() -> Root {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "evtlog-resolve-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(dir.join("WINDOWS")).unwrap();
        Root(dir)
    }

    fn write(&self, rel: &str, bytes: &[u8]) {
        let path = self.0.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    fn resolver(&self) -> ResourceResolver {
        ResourceResolver::new(self.0.join("WINDOWS"))
    }
}

impl Drop for Root {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn message_image(lang: u16, strings: &[&str]) -> Vec<u8> {
    let entries: Vec<(u16, Vec<u8>)> = strings.iter().map(|s| (1, utf16(s))).collect();
    image(&[(
        ResourceId::Id(11),
        ResourceId::Id(1),
        lang,
        table(0x9000_0001, &entries),
    )])
}

#[test]
fn windows_paths_resolve_case_insensitively_under_the_directory() {
    let root = Root::new();
    root.write("WINDOWS/system32/Demo.DLL", b"x");
    root.write("Program Files/Contoso/agent.exe", b"x");
    let r = root.resolver();
    let want = root.0.join("WINDOWS/system32/Demo.DLL");
    for path in [
        "%SystemRoot%\\System32\\demo.dll",
        "%windir%\\SYSTEM32\\DEMO.dll",
        "C:\\Windows\\System32\\demo.dll",
        "c:/windows/system32/Demo.dll",
        "demo.dll",
    ] {
        assert_eq!(r.resolve(path).unwrap(), want, "{path}");
    }
    assert_eq!(
        r.resolve("%ProgramFiles%\\contoso\\Agent.exe").unwrap(),
        root.0.join("Program Files/Contoso/agent.exe")
    );
    for path in [
        "D:\\Windows\\System32\\demo.dll",
        "%UnknownVariable%\\demo.dll",
        "%SystemRoot%\\System32\\..\\System32\\demo.dll",
        "%SystemRoot%\\System32\\missing.dll",
        "%SystemRoot%\\System32",
        "\\\\server\\share\\demo.dll",
    ] {
        let err = r.resolve(path).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::MuiFileNotFound, "{path}");
        assert_eq!(err.win32_code(), 15100);
        assert!(err.to_string().contains(path), "{err}");
    }
}

#[test]
fn strings_come_from_the_file_then_its_mui_satellites() {
    let root = Root::new();
    root.write(
        "WINDOWS/System32/demo.dll",
        &message_image(0x409, &["Contoso-Demo\r\n", "First\r\n"]),
    );
    root.write(
        "WINDOWS/System32/fr-FR/Demo.dll.MUI",
        &message_image(0x40c, &["Contoso-Demo\r\n", "Premier\r\n"]),
    );
    // A satellite for a culture the file has is ignored: the file wins.
    root.write(
        "WINDOWS/System32/en-US/demo.dll.mui",
        &message_image(0x409, &["other\r\n", "other\r\n"]),
    );
    root.write("WINDOWS/System32/bare.dll", &image(&[]));
    let r = root.resolver();
    let m = r.load_messages("%SystemRoot%\\System32\\demo.dll").unwrap();
    assert_eq!(m.culture("en-us").unwrap()[&0x9000_0002], "First\r\n");
    assert_eq!(m.culture("fr-FR").unwrap()[&0x9000_0002], "Premier\r\n");
    assert_eq!(m.cultures().count(), 2);
    // No table and no satellite: 15100.
    let err = r.load_messages("bare.dll").unwrap_err();
    assert_eq!(err.win32_code(), 15100);
    // Not a PE image: the file's own error.
    root.write("WINDOWS/System32/text.dll", b"hello");
    assert_eq!(r.load_messages("text.dll").unwrap_err().win32_code(), 1392);
}

#[test]
fn load_resources_fills_what_the_publisher_lacks() {
    let root = Root::new();
    // Metadata only in the .mun (as recent Windows keeps it), strings in the DLL.
    root.write(
        "WINDOWS/SystemResources/demo.dll.mun",
        &image(&[("WEVT_TEMPLATE".into(), ResourceId::Id(1), 0, build().blob)]),
    );
    root.write(
        "WINDOWS/System32/demo.dll",
        &message_image(0x409, &["Contoso-Demo\r\n"]),
    );
    let r = root.resolver();
    let mut p = Publisher {
        name: "Contoso-Demo".into(),
        guid: crate::event::Guid::parse(PROVIDER).unwrap(),
        resource_file: Some("%SystemRoot%\\system32\\demo.dll".into()),
        message_file: Some("%SystemRoot%\\system32\\demo.dll".into()),
        ..Publisher::default()
    };
    load_resources(&mut p, &r).unwrap();
    assert_eq!(p.name, "Contoso-Demo");
    assert_eq!(p.message_id, Some(0x9000_0001));
    assert_eq!(
        (p.channels.len(), p.events.len(), p.templates.len()),
        (2, 2, 1)
    );
    assert_eq!(p.messages.culture("en-US").unwrap().len(), 1);

    // A publisher with another GUID: 15002, and the strings are still read.
    let mut other = Publisher {
        name: "Other".into(),
        guid: crate::event::Guid::from_u128(7),
        resource_file: p.resource_file.clone(),
        message_file: p.message_file.clone(),
        ..Publisher::default()
    };
    let err = load_resources(&mut other, &r).unwrap_err();
    assert_eq!(err.win32_code(), 15002);
    assert!(other.events.is_empty());
    assert_eq!(other.messages.culture("en-US").unwrap().len(), 1);
    assert_eq!(other.name, "Other");

    // A missing message file: 15100.
    let mut missing = Publisher {
        message_file: Some("%SystemRoot%\\system32\\gone.dll".into()),
        ..Publisher::default()
    };
    assert_eq!(
        load_resources(&mut missing, &r).unwrap_err().win32_code(),
        15100
    );
}
