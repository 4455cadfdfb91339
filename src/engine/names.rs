//! Channel names: validation and Windows' case-insensitive comparison.
//!
//! Invariants:
//! - Names compare as Windows compares registry key names (EvtOpenChannelEnum's order):
//!   each character upper-cased by its simple (one-to-one) mapping, then ordered by UTF-16
//!   code units. So `Application` == `APPLICATION`, and `_` sorts after letters.
//! - Comparison never allocates: lookups on the write path are a binary search with it.

use std::cmp::Ordering;

use crate::error::{Error, ErrorKind, Result};

/// The longest channel name, in UTF-16 code units.
pub(crate) const MAX_NAME_LEN: usize = 255;

/// Checks a name for `create_channel`: not empty, at most 255 UTF-16 units, no control
/// characters and no `\` (which Windows uses as the registry path separator). `/` is allowed:
/// it separates a provider from its channel (`Microsoft-Windows-Sysmon/Operational`).
pub(crate) fn validate(name: &str) -> Result<()> {
    let problem = if name.is_empty() {
        Some("a channel name may not be empty")
    } else if name.encode_utf16().count() > MAX_NAME_LEN {
        Some("a channel name may be at most 255 characters long")
    } else if name.chars().any(char::is_control) {
        Some("a channel name may not contain control characters")
    } else if name.contains('\\') {
        Some("a channel name may not contain '\\'")
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(message) => Err(Error::with_message(
            ErrorKind::InvalidChannelPath,
            format!("{message}: {name:?}"),
        )),
    }
}

/// Orders two names case-insensitively, as Windows does (see the module docs).
pub(crate) fn compare(a: &str, b: &str) -> Ordering {
    a.chars().map(sort_key).cmp(b.chars().map(sort_key))
}

/// Whether two names are the same channel.
#[cfg(test)]
pub(crate) fn eq(a: &str, b: &str) -> bool {
    compare(a, b) == Ordering::Equal
}

/// A character's position in Windows' order: upper-cased, then as UTF-16 code units packed
/// into one `u32` (a supplementary character sorts by its surrogates, below U+E000).
fn sort_key(c: char) -> u32 {
    let c = upcase(c);
    let mut units = [0u16; 2];
    match c.encode_utf16(&mut units) {
        [unit] => u32::from(*unit) << 16,
        [high, low] => (u32::from(*high) << 16) | u32::from(*low),
        _ => 0,
    }
}

fn upcase(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_uppercase();
    }
    let mut upper = c.to_uppercase();
    match (upper.next(), upper.next()) {
        (Some(u), None) => u,
        _ => c, // no simple mapping (e.g. 'ß' -> "SS"): Windows leaves it as is
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_case_insensitively() {
        assert!(eq("Application", "APPLICATION"));
        assert!(eq(
            "microsoft-windows-sysmon/operational",
            "Microsoft-Windows-Sysmon/Operational"
        ));
        assert!(eq("Ärger", "äRGER"));
        assert!(!eq("Application", "Applications"));
        assert!(!eq("straße", "STRASSE"));
    }

    #[test]
    fn order_is_windows_upper_case_order() {
        assert_eq!(compare("a", "B"), Ordering::Less);
        assert_eq!(compare("Setup", "security"), Ordering::Greater);
        // Upper-casing puts '_' (0x5F) after letters (0x41..0x5A).
        assert_eq!(compare("X_Y", "XA"), Ordering::Greater);
        assert_eq!(compare("App", "Application"), Ordering::Less);
        // A supplementary character sorts by its surrogates, below U+E000..U+FFFF.
        assert_eq!(compare("\u{1F600}", "\u{FF21}"), Ordering::Less);
    }

    #[test]
    fn validation() {
        assert!(validate("Application").is_ok());
        assert!(validate("Microsoft-Windows-Sysmon/Operational").is_ok());
        assert!(validate(&"x".repeat(255)).is_ok());
        for bad in ["", "a\\b", "a\nb", "tab\there", "\u{7f}"] {
            let err = validate(bad).err();
            assert_eq!(err.map(|e| e.win32_code()), Some(15000), "{bad:?}");
        }
        assert!(validate(&"x".repeat(256)).is_err());
        // 128 supplementary characters are 256 UTF-16 units.
        assert!(validate(&"\u{1F600}".repeat(128)).is_err());
    }
}
