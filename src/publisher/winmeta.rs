//! Winmeta: the default publisher's levels, opcodes, tasks, keywords and legacy channels,
//! with the message ids mc assigns them and the display strings Windows renders
//! (winmeta.xml's).
//!
//! Invariant: one table per kind; every other place (the default publisher's metadata,
//! EvtFormatMessage's reserved values, the manifest parser's `win:` names) reads these.

/// A Winmeta item: its QName, value, message id and en-US display string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WinmetaItem {
    pub name: &'static str,
    pub value: u64,
    pub message_id: u32,
    pub display: &'static str,
}

const fn item(
    name: &'static str,
    value: u64,
    message_id: u32,
    display: &'static str,
) -> WinmetaItem {
    WinmetaItem {
        name,
        value,
        message_id,
        display,
    }
}

/// Levels 0–5.
pub const LEVELS: &[WinmetaItem] = &[
    item("win:LogAlways", 0, 0x5000_0000, "Log Always"),
    item("win:Critical", 1, 0x5000_0001, "Critical"),
    item("win:Error", 2, 0x5000_0002, "Error"),
    item("win:Warning", 3, 0x5000_0003, "Warning"),
    item("win:Informational", 4, 0x5000_0004, "Information"),
    item("win:Verbose", 5, 0x5000_0005, "Verbose"),
];

/// Opcodes 0–9 and 240 (values are the plain opcode).
pub const OPCODES: &[WinmetaItem] = &[
    item("win:Info", 0, 0x3000_0000, "Info"),
    item("win:Start", 1, 0x3001_0000, "Start"),
    item("win:Stop", 2, 0x3002_0000, "Stop"),
    item("win:DC_Start", 3, 0x3003_0000, "DCStart"),
    item("win:DC_Stop", 4, 0x3004_0000, "DCStop"),
    item("win:Extension", 5, 0x3005_0000, "Extension"),
    item("win:Reply", 6, 0x3006_0000, "Reply"),
    item("win:Resume", 7, 0x3007_0000, "Resume"),
    item("win:Suspend", 8, 0x3008_0000, "Suspend"),
    item("win:Send", 9, 0x3009_0000, "Send"),
    item("win:Receive", 240, 0x30F0_0000, "Receive"),
];

/// Task 0.
pub const TASKS: &[WinmetaItem] = &[item("win:None", 0, 0x7000_0000, "None")];

/// Keywords of bits 48–55 (masks), and AnyKeyword (0).
pub const KEYWORDS: &[WinmetaItem] = &[
    item("win:AnyKeyword", 0, 0x1000_0000, "AnyKeyword"),
    item(
        "win:ResponseTime",
        0x0001_0000_0000_0000,
        0x1000_0031,
        "Response Time",
    ),
    item(
        "win:WDIDiag",
        0x0004_0000_0000_0000,
        0x1000_0033,
        "WDI Diag",
    ),
    item("win:SQM", 0x0008_0000_0000_0000, 0x1000_0034, "SQM"),
    item(
        "win:AuditFailure",
        0x0010_0000_0000_0000,
        0x1000_0035,
        "Audit Failure",
    ),
    item(
        "win:AuditSuccess",
        0x0020_0000_0000_0000,
        0x1000_0036,
        "Audit Success",
    ),
    item(
        "win:CorrelationHint",
        0x0040_0000_0000_0000,
        0x1000_0037,
        "Correlation Hint",
    ),
    item(
        "win:EventlogClassic",
        0x0080_0000_0000_0000,
        0x1000_0038,
        "Classic",
    ),
];

/// The legacy channels a manifest may import (values as events carry them).
pub const CHANNELS: &[WinmetaItem] = &[
    item("Application", 9, 0x100, "Application"),
    item("Security", 10, 0x101, "Security"),
    item("System", 8, 0x102, "System"),
];

/// Finds an item by QName (`win:Informational`; the `win:` prefix compared exactly).
pub fn by_name(table: &'static [WinmetaItem], name: &str) -> Option<&'static WinmetaItem> {
    table.iter().find(|i| i.name == name)
}

/// Finds an item by value.
pub fn by_value(table: &'static [WinmetaItem], value: u64) -> Option<&'static WinmetaItem> {
    table.iter().find(|i| i.value == value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ids_follow_mc_rules() {
        for l in LEVELS {
            assert_eq!(l.message_id, 0x5000_0000 | l.value as u32);
        }
        for o in OPCODES {
            assert_eq!(o.message_id, 0x3000_0000 | (o.value as u32) << 16);
        }
        for k in &KEYWORDS[1..] {
            assert_eq!(k.value.count_ones(), 1);
            assert_eq!(k.message_id, 0x1000_0000 + k.value.trailing_zeros() + 1);
        }
        assert_eq!(
            by_name(LEVELS, "win:Informational").unwrap().display,
            "Information"
        );
        assert_eq!(by_value(OPCODES, 240).unwrap().name, "win:Receive");
    }
}
