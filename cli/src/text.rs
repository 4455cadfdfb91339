//! `/f:text`: wevtutil's text layout of an event.
//!
//! ```text
//! Event[0]:
//!   Log Name: Security
//!   Source: Microsoft-Windows-Security-Auditing
//!   Date: 2022-12-14T16:06:51.064
//!   Event ID: 4624
//!   Task: 12544
//!   Level: Information
//!   Opcode: Info
//!   Keyword: Audit Success
//!   User: N/A
//!   User Name: N/A
//!   Computer: DC01.contoso.local
//!   Description:
//! …
//! ```
//!
//! Differences from wevtutil, until publisher metadata is emulated: Date is UTC (wevtutil
//! prints local time); Task is the number unless it is 0; names come from the standard
//! (winmeta) levels, opcodes and keywords only; User Name resolves well-known SIDs only; the
//! Description is the text Windows shows when a provider's message table is missing, followed
//! by the event's data values.

use evtlog::{Body, DataItem, Event, Node};

/// Appends the text layout of `event`, numbered `index`.
pub fn write_event(out: &mut String, index: u64, event: &Event) {
    let s = &event.system;
    let na = "N/A";
    let date = s.time_created.map_or_else(
        || na.to_owned(),
        |t| {
            // wevtutil shows milliseconds and no zone: cut 7 digits and `Z` down to 3.
            let full = t.to_string();
            full[..23].to_owned()
        },
    );
    let user = s.security.as_ref().and_then(|x| x.user_id.as_ref());
    let lines = [
        ("Log Name", s.channel.as_deref().unwrap_or(na).to_owned()),
        (
            "Source",
            s.provider
                .name
                .as_deref()
                .or(s.provider.event_source_name.as_deref())
                .unwrap_or(na)
                .to_owned(),
        ),
        ("Date", date),
        ("Event ID", s.event_id.to_string()),
        (
            "Task",
            match s.task {
                None | Some(0) => na.to_owned(),
                Some(t) => t.to_string(),
            },
        ),
        ("Level", level_name(s.level).to_owned()),
        ("Opcode", opcode_name(s.opcode)),
        ("Keyword", keyword_names(s.keywords)),
        (
            "User",
            user.map_or_else(|| na.to_owned(), |sid| sid.to_string()),
        ),
        (
            "User Name",
            user.and_then(|sid| well_known_sid_name(&sid.to_string()))
                .unwrap_or(na)
                .to_owned(),
        ),
        ("Computer", s.computer.as_deref().unwrap_or(na).to_owned()),
    ];
    out.push_str(&format!("Event[{index}]:\n"));
    for (name, value) in lines {
        out.push_str(&format!("  {name}: {value}\n"));
    }
    out.push_str("  Description: \n");
    write_description(out, event);
    out.push('\n');
}

fn write_description(out: &mut String, event: &Event) {
    let s = &event.system;
    let source = s.provider.name.as_deref().unwrap_or("");
    out.push_str(&format!(
        "The description for Event ID {} from source {source} cannot be found. Either the component that raises this event is not installed on your local computer or the installation is corrupted. You can install or repair the component on the local computer.\n\nIf the event originated on another computer, the display information had to be saved with the event.\n\nThe following information was included with the event: \n\n",
        s.event_id
    ));
    let mut values = Vec::new();
    match &event.body {
        Body::EventData(d) => {
            for item in &d.items {
                if let DataItem::Data { value, .. } = item {
                    values.push(value.to_text());
                }
            }
        }
        Body::UserData(nodes) => collect_text(nodes, &mut values),
        Body::None | Body::Other(_) => {}
    }
    for v in values {
        out.push_str(&v);
        out.push('\n');
    }
}

fn collect_text(nodes: &[Node], out: &mut Vec<String>) {
    for node in nodes {
        match node {
            Node::Element(e) => collect_text(&e.children, out),
            Node::Value(v) => out.push(v.to_text()),
            Node::CData(t) => out.push(t.clone()),
            Node::ProcessingInstruction { .. } => {}
        }
    }
}

/// Standard level names (winmeta.xml). Level 0 (LogAlways) shows as Information.
fn level_name(level: Option<u8>) -> &'static str {
    match level {
        None => "N/A",
        Some(0) | Some(4) => "Information",
        Some(1) => "Critical",
        Some(2) => "Error",
        Some(3) => "Warning",
        Some(5) => "Verbose",
        Some(_) => "N/A",
    }
}

/// Standard opcode names (winmeta.xml); provider opcodes show their number.
fn opcode_name(opcode: Option<u8>) -> String {
    let name = match opcode {
        None => "N/A",
        Some(0) => "Info",
        Some(1) => "Start",
        Some(2) => "Stop",
        Some(3) => "DCStart",
        Some(4) => "DCStop",
        Some(5) => "Extension",
        Some(6) => "Reply",
        Some(7) => "Resume",
        Some(8) => "Suspend",
        Some(9) => "Send",
        Some(240) => "Receive",
        Some(other) => return other.to_string(),
    };
    name.to_owned()
}

/// The standard keyword names (winmeta.xml) of the bits set, comma-separated; N/A if none.
fn keyword_names(keywords: Option<u64>) -> String {
    const NAMES: &[(u64, &str)] = &[
        (0x0001_0000_0000_0000, "Response Time"),
        (0x0004_0000_0000_0000, "WDI Diag"),
        (0x0008_0000_0000_0000, "SQM"),
        (0x0010_0000_0000_0000, "Audit Failure"),
        (0x0020_0000_0000_0000, "Audit Success"),
        (0x0040_0000_0000_0000, "Correlation Hint"),
        (0x0080_0000_0000_0000, "Classic"),
    ];
    let k = keywords.unwrap_or(0);
    let names: Vec<&str> = NAMES
        .iter()
        .filter(|(bit, _)| k & bit != 0)
        .map(|(_, n)| *n)
        .collect();
    if names.is_empty() {
        "N/A".to_owned()
    } else {
        names.join(",")
    }
}

fn well_known_sid_name(sid: &str) -> Option<&'static str> {
    Some(match sid {
        "S-1-5-18" => r"NT AUTHORITY\SYSTEM",
        "S-1-5-19" => r"NT AUTHORITY\LOCAL SERVICE",
        "S-1-5-20" => r"NT AUTHORITY\NETWORK SERVICE",
        "S-1-5-7" => r"NT AUTHORITY\ANONYMOUS LOGON",
        "S-1-5-32-544" => r"BUILTIN\Administrators",
        "S-1-1-0" => "Everyone",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use evtlog::{FileTime, Sid};

    #[test]
    fn layout_of_a_logon() {
        let event = Event::builder("Microsoft-Windows-Security-Auditing")
            .event_id(4624)
            .level(0)
            .task(12544)
            .keywords(0x8020000000000000)
            .time_created(FileTime::parse("2022-12-14T16:06:51.0643605Z").unwrap())
            .channel("Security")
            .computer("DC01")
            .user_id(Sid::parse("S-1-5-18").unwrap())
            .data("TargetUserName", "alice")
            .build();
        let mut out = String::new();
        write_event(&mut out, 0, &event);
        let head: Vec<&str> = out.lines().take(14).collect();
        assert_eq!(
            head,
            [
                "Event[0]:",
                "  Log Name: Security",
                "  Source: Microsoft-Windows-Security-Auditing",
                "  Date: 2022-12-14T16:06:51.064",
                "  Event ID: 4624",
                "  Task: 12544",
                "  Level: Information",
                "  Opcode: Info",
                "  Keyword: Audit Success",
                "  User: S-1-5-18",
                r"  User Name: NT AUTHORITY\SYSTEM",
                "  Computer: DC01",
                "  Description: ",
                "The description for Event ID 4624 from source Microsoft-Windows-Security-Auditing cannot be found. Either the component that raises this event is not installed on your local computer or the installation is corrupted. You can install or repair the component on the local computer.",
            ]
        );
        assert!(out.contains("\nalice\n"), "{out}");
    }

    #[test]
    fn absent_fields_are_na() {
        let event = Event::builder("X")
            .without("Level")
            .without("Opcode")
            .without("Keywords")
            .build();
        let mut out = String::new();
        write_event(&mut out, 3, &event);
        assert!(out.starts_with("Event[3]:\n  Log Name: N/A\n"));
        assert!(out.contains("  Level: N/A\n  Opcode: N/A\n  Keyword: N/A\n"));
    }
}
