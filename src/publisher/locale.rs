//! Locales: Windows' LCIDs and the culture names message tables are keyed by.
//!
//! Invariant: one table (`CULTURES`) maps LCIDs to names both ways; a name compares
//! case-insensitively.

/// (LCID, culture name) for the cultures evtlog knows by number.
const CULTURES: &[(u32, &str)] = &[
    (0x0401, "ar-SA"),
    (0x0404, "zh-TW"),
    (0x0405, "cs-CZ"),
    (0x0406, "da-DK"),
    (0x0407, "de-DE"),
    (0x0408, "el-GR"),
    (0x0409, "en-US"),
    (0x040b, "fi-FI"),
    (0x040c, "fr-FR"),
    (0x040d, "he-IL"),
    (0x040e, "hu-HU"),
    (0x0410, "it-IT"),
    (0x0411, "ja-JP"),
    (0x0412, "ko-KR"),
    (0x0413, "nl-NL"),
    (0x0414, "nb-NO"),
    (0x0415, "pl-PL"),
    (0x0416, "pt-BR"),
    (0x0419, "ru-RU"),
    (0x041d, "sv-SE"),
    (0x041f, "tr-TR"),
    (0x0422, "uk-UA"),
    (0x0804, "zh-CN"),
    (0x0807, "de-CH"),
    (0x0809, "en-GB"),
    (0x080a, "es-MX"),
    (0x0816, "pt-PT"),
    (0x0c07, "de-AT"),
    (0x0c09, "en-AU"),
    (0x0c0a, "es-ES"),
    (0x0c0c, "fr-CA"),
    (0x1009, "en-CA"),
];

/// The default culture: en-US (LCID 1033), the locale of every message Windows ships.
pub const DEFAULT_CULTURE: &str = "en-US";
/// LCID 1033.
pub const DEFAULT_LCID: u32 = 0x0409;

/// The culture name of an LCID (`1033` → `en-US`).
pub fn culture_of(lcid: u32) -> Option<&'static str> {
    CULTURES.iter().find(|(l, _)| *l == lcid).map(|(_, c)| *c)
}

/// The LCID of a culture name (`en-us` → 1033).
pub fn lcid_of(culture: &str) -> Option<u32> {
    CULTURES
        .iter()
        .find(|(_, c)| c.eq_ignore_ascii_case(culture))
        .map(|(l, _)| *l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lcids_and_names_map_both_ways() {
        for &(lcid, name) in CULTURES {
            assert_eq!(culture_of(lcid), Some(name));
            assert_eq!(lcid_of(&name.to_ascii_lowercase()), Some(lcid));
        }
        assert_eq!(culture_of(DEFAULT_LCID), Some(DEFAULT_CULTURE));
        assert_eq!(culture_of(0), None);
    }
}
