//! Golden tests: events built with the public API render byte for byte as Windows'
//! EvtRender(EvtRenderEventXml) does (the exact textual shape of real EvtRender output), and
//! parsing each golden text gives back the same event.
//!
//! Where Windows varies (7 or 9 fractional digits, GUID case), the fixtures hold evtlog's
//! documented choice: 7 digits, lowercase GUIDs.

use evtlog::{Element, Event, FileTime, Guid, Sid, Value};

use crate::fixture;

fn time(s: &str) -> FileTime {
    FileTime::parse(s).unwrap()
}

fn guid(s: &str) -> Guid {
    Guid::parse(s).unwrap()
}

fn sid(s: &str) -> Sid {
    Sid::parse(s).unwrap()
}

/// Renders `event`, compares with the fixture, then parses the fixture and compares events.
fn check(event: Event, fixture_name: &str) {
    let expected = fixture(&format!("events/{fixture_name}"));
    let rendered = event.to_xml();
    assert_eq!(rendered, expected, "rendering of {fixture_name}");
    let parsed = Event::from_xml(&expected).unwrap();
    // Parsing yields strings where the builder had typed values; the renderings agree.
    assert_eq!(
        parsed.to_xml(),
        expected,
        "parse -> render of {fixture_name}"
    );
}

/// A real Service Control Manager event: classic provider with EventSourceName,
/// Qualifiers, an empty Correlation and a Binary item.
#[test]
fn scm_7036_with_qualifiers_and_binary() {
    let binary: Vec<u8> = "eventlog/1\0"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    let event = Event::builder("Service Control Manager")
        .provider_guid(guid("{555908D1-A6D7-4695-8E1E-26931D2012F4}"))
        .event_source_name("Service Control Manager")
        .event_id(7036)
        .qualifiers(16384)
        .keywords(0x8080000000000000)
        .time_created(time("2013-08-22T14:51:44.205667300Z"))
        .record_id(2)
        .execution(516, 1792)
        .channel("System")
        .computer("windows-n7iefg2")
        .data("param1", "Windows Event Log")
        .data("param2", "stopped")
        .binary(binary)
        .build();
    check(event, "7036-scm-qualifiers-binary.xml");
}

/// A Windows 10 logon: named EventData with typed values (SID, hex logon ids, GUID), and a
/// Correlation ActivityID.
#[test]
fn security_4624_named_event_data() {
    let event = Event::builder("Microsoft-Windows-Security-Auditing")
        .provider_guid(guid("{54849625-5478-4994-a5ba-3e3b0328c30d}"))
        .event_id(4624)
        .version(2)
        .level(0)
        .task(12544)
        .keywords(0x8020000000000000)
        .time_created(time("2022-12-14T16:06:51.0643605Z"))
        .record_id(211938)
        .activity_id(guid("{0F4A2B5C-0FFD-0001-D12B-4A0FFD0FD901}"))
        .execution(652, 4424)
        .channel("Security")
        .computer("DC01.contoso.local")
        .data("SubjectUserSid", sid("S-1-5-18"))
        .data("SubjectUserName", "DC01$")
        .data("SubjectDomainName", "CONTOSO")
        .data("SubjectLogonId", Value::HexInt64(0x3e7))
        .data(
            "TargetUserSid",
            sid("S-1-5-21-1223297778-3299746493-1462173606-1104"),
        )
        .data("TargetUserName", "alice")
        .data("TargetDomainName", "CONTOSO")
        .data("TargetLogonId", Value::HexInt64(0x1a2b3c))
        .data("LogonType", 3u32)
        .data("LogonProcessName", "Kerberos")
        .data("AuthenticationPackageName", "Kerberos")
        .data("WorkstationName", "-")
        .data("LogonGuid", guid("{8c3e1f2a-5b6d-7e8f-9a0b-1c2d3e4f5a6b}"))
        .data("TransmittedServices", "-")
        .data("LmPackageName", "-")
        .data("KeyLength", 0u32)
        .data("ProcessId", Value::HexInt64(0))
        .data("ProcessName", "-")
        .data("IpAddress", "10.0.0.15")
        .data("IpPort", "49712")
        .data("ImpersonationLevel", "%%1833")
        .data("RestrictedAdminMode", "-")
        .data("TargetOutboundUserName", "-")
        .data("TargetOutboundDomainName", "-")
        .data("VirtualAccount", "%%1843")
        .data("TargetLinkedLogonId", Value::HexInt64(0))
        .data("ElevatedToken", "%%1842")
        .build();
    check(event, "4624-named-eventdata.xml");
}

/// The Security log's "log cleared" event: UserData with a provider namespace.
#[test]
fn eventlog_1102_user_data() {
    let cleared = Element::new("LogFileCleared")
        .attr(
            "xmlns",
            "http://manifests.microsoft.com/win/2004/08/windows/eventlog",
        )
        .child(
            Element::new("SubjectUserSid")
                .text(sid("S-1-5-21-3623811015-3361044348-30300820-1013")),
        )
        .child(Element::new("SubjectUserName").text("admin"))
        .child(Element::new("SubjectDomainName").text("WIN10-LAB"))
        .child(Element::new("SubjectLogonId").text(Value::HexInt64(0x2f5d1)));
    let event = Event::builder("Microsoft-Windows-Eventlog")
        .provider_guid(guid("{fc65ddd8-d6ef-4962-83d5-6e5cfe9ce148}"))
        .event_id(1102)
        .task(104)
        .keywords(0x4020000000000000)
        .time_created(time("2020-02-18T02:52:37.1211986Z"))
        .record_id(1)
        .execution(1016, 5036)
        .channel("Security")
        .computer("WIN10-LAB")
        .user_data(cleared)
        .build();
    check(event, "1102-userdata.xml");
}

/// A real classic WER event: no Version, Opcode, Correlation or Execution; unnamed Data,
/// one of them empty, and Binary.
#[test]
fn wer_1001_unnamed_data() {
    let event = Event::builder("Windows Error Reporting")
        .without("Version")
        .without("Opcode")
        .without("Correlation")
        .event_id(1001)
        .qualifiers(0)
        .keywords(0x80000000000000)
        .time_created(time("2019-07-30T23:41:21.052436100Z"))
        .record_id(4126)
        .channel("Application")
        .computer("DESKTOP-5QK9T3M")
        .unnamed_data(0u32)
        .unnamed_data("APPCRASH")
        .unnamed_data("Not available")
        .unnamed_data("")
        .unnamed_data("notepad.exe")
        .unnamed_data("10.0.18362.1")
        .binary(vec![0x0a, 0x0b, 0x0c, 0x0d])
        .build();
    check(event, "1001-wer-unnamed-data.xml");
}

/// Characters that need escaping (quotes, ampersands, angle brackets, apostrophes) and
/// non-ASCII text, in data and in System text.
#[test]
fn sysmon_1_special_characters() {
    let event = Event::builder("Microsoft-Windows-Sysmon")
        .provider_guid(guid("{5770385F-C22A-43E0-BF4C-06F5698FFBD9}"))
        .event_id(1)
        .version(5)
        .task(1)
        .keywords(0x8000000000000000)
        .time_created(time("2024-11-08T18:51:13.504187700Z"))
        .record_id(9817)
        .execution(3160, 4272)
        .channel("Microsoft-Windows-Sysmon/Operational")
        .computer("ws-Zoë.corp.example")
        .user_id(sid("S-1-5-18"))
        .data("RuleName", "-")
        .data("UtcTime", "2024-11-08 18:51:13.503")
        .data(
            "ProcessGuid",
            guid("{515cd0d1-6e40-5f22-8100-000000004100}"),
        )
        .data("ProcessId", 6540u32)
        .data("Image", r"C:\Windows\System32\cmd.exe")
        .data(
            "CommandLine",
            r#"cmd.exe /c "echo a&b > C:\tmp\out.txt" && type <nul 'x'"#,
        )
        .data("User", r"NT AUTHORITY\SYSTEM")
        .data("Description", "Windows Command Processor — Zoë & Co ✓")
        .build();
    check(event, "0001-sysmon-escapes.xml");
}

/// An event whose EventData is present but empty renders `<EventData></EventData>`.
#[test]
fn empty_event_data() {
    let event = Event::builder("Microsoft-Windows-Security-Auditing")
        .provider_guid(guid("{54849625-5478-4994-a5ba-3e3b0328c30d}"))
        .event_id(4608)
        .level(0)
        .task(12288)
        .keywords(0x8020000000000000)
        .time_created(time("2016-07-08T18:12:51.6816408Z"))
        .record_id(1)
        .execution(456, 460)
        .channel("Security")
        .computer("37L4247F27-25")
        .empty_event_data()
        .build();
    check(event, "4608-empty-eventdata.xml");
}

/// The pretty-printed, double-quoted form that other tools write (here the evtx crate's
/// rendering of a real record) parses to the same event as Windows' one-line form.
#[test]
fn parses_pretty_printed_double_quoted_form() {
    let pretty = r#"<?xml version="1.0" encoding="utf-8"?>
<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event">
  <System>
    <Provider Name="Microsoft-Windows-Security-Auditing" Guid="{54849625-5478-4994-A5BA-3E3B0328C30D}"/>
    <EventID>4608</EventID>
    <Version>0</Version>
    <Level>0</Level>
    <Task>12288</Task>
    <Opcode>0</Opcode>
    <Keywords>0x8020000000000000</Keywords>
    <TimeCreated SystemTime="2016-07-08T18:12:51.681640800Z"/>
    <EventRecordID>1</EventRecordID>
    <Correlation/>
    <Execution ProcessID="456" ThreadID="460"/>
    <Channel>Security</Channel>
    <Computer>37L4247F27-25</Computer>
    <Security/>
  </System>
  <EventData></EventData>
</Event>
"#;
    let event = Event::from_xml(pretty).unwrap();
    assert_eq!(event.to_xml(), fixture("events/4608-empty-eventdata.xml"));
}
