//! The README's taste and two commands, and the book's Rust API guide
//! (`docs/src/rust-api.md`), kept compiling and true. The README's Rust block is checked
//! against `readme_taste`'s body as written; the guide's blocks are mirrored here with
//! their claims asserted.

use std::sync::Arc;

use evtlog::{
    ChannelConfig, ChannelType, Clock, Engine, Event, Generator, Profile, Query, Sid, Value,
    VirtualClock, XPathFilter,
};

/// The guide's tour.
#[test]
fn api_tour() -> Result<(), evtlog::Error> {
    let event = Event::builder("Microsoft-Windows-Security-Auditing")
        .event_id(4624)
        .level(0)
        .task(12544)
        .keywords(0x8020_0000_0000_0000)
        .data("TargetUserSid", Sid::parse("S-1-5-18").unwrap())
        .data("TargetLogonId", Value::HexInt64(0x3e7))
        .data("LogonType", 5u32)
        .build();

    let xml = event.to_xml();
    assert!(xml.contains("<Data Name='TargetLogonId'>0x3e7</Data>"));
    let parsed = Event::from_xml(&xml)?;
    assert_eq!(parsed.to_xml(), xml);

    let clock = Arc::new(VirtualClock::default());
    let engine = Engine::with_default_channels(clock.clone());
    let id = engine.write("security", event)?;
    assert_eq!(id, 1);
    clock.advance_ms(1500);

    let channel = engine.create_channel(ChannelConfig::new(
        "MyApp/Operational",
        ChannelType::Operational,
    ))?;
    assert_eq!(channel.name(), "MyApp/Operational");

    let snapshot = engine.channel("Security")?.snapshot();
    let written: Vec<_> = snapshot.iter().collect();
    assert_eq!(written.len(), 1);
    assert_eq!(written[0].system.channel.as_deref(), Some("Security"));
    assert_eq!(
        written[0].system.time_created.unwrap().to_string(),
        "2024-01-01T00:00:00.0000000Z"
    );

    let filter = XPathFilter::compile("*[System[(Level=1 or Level=2) and EventID=7036]]")?;
    assert!(!filter.matches(&written[0], clock.now()));
    let query = Query::parse(
        Some("Security"),
        Some("*[EventData[Data[@Name='TargetUserName']='alice']]"),
    )?;
    let hits = snapshot
        .iter()
        .filter(|e| query.matches("Security", e, clock.now()))
        .count();
    assert_eq!(hits, 0);
    let query = Query::parse(
        Some("Security"),
        Some("*[EventData[Data[@Name='LogonType']=5]]"),
    )?;
    assert_eq!(
        snapshot
            .iter()
            .filter(|e| query.matches("Security", e, clock.now()))
            .count(),
        1
    );

    let session = engine.open_session();
    let results = session.query(
        Some("Security"),
        Some("*[System[EventID=4624]]"),
        evtlog::QueryFlags::REVERSE_DIRECTION,
    )?;
    match results.next(64, Some(std::time::Duration::from_millis(500)))? {
        evtlog::Next::Events(events) => assert_eq!(events.len(), 1),
        other => panic!("{other:?}"),
    }
    results.seek(0, evtlog::SeekFlags::RELATIVE_TO_LAST)?;

    // Bookmarks and values on the events `next` returns.
    use evtlog::{render_bookmark, render_values, Bookmark, RenderContext, SystemProperty};
    let evtlog::Next::Events(batch) = results.next(1, None)? else {
        panic!("the last event")
    };
    let mut bookmark = Bookmark::new();
    assert_eq!(
        render_bookmark(&bookmark),
        "<BookmarkList>\r\n</BookmarkList>"
    );
    bookmark.update(&batch[0]);
    let saved = render_bookmark(&bookmark);
    assert_eq!(
        saved,
        "<BookmarkList>\r\n  <Bookmark Channel='Security' RecordId='1' IsCurrent='true'/>\r\n</BookmarkList>"
    );
    let bookmark = Bookmark::from_xml(&saved)?;
    results.seek_bookmark(&bookmark, 1, evtlog::SeekFlags::RELATIVE_TO_BOOKMARK)?;
    let e = results
        .seek_bookmark(
            &bookmark,
            1,
            evtlog::SeekFlags::RELATIVE_TO_BOOKMARK | evtlog::SeekFlags::STRICT,
        )
        .unwrap_err();
    assert_eq!(e.win32_code(), 15012); // nothing after it (1168 if it were gone)
    let system = render_values(&RenderContext::system(), &batch[0]);
    assert_eq!(system.len(), 18);
    assert_eq!(
        system[SystemProperty::EventId as usize],
        Value::UInt16(4624)
    );
    let ctx = RenderContext::values(&[
        "Event/System/Provider/@Name",
        "Event/EventData/Data[@Name='LogonType']",
    ])?;
    let values = render_values(&ctx, &batch[0]);
    assert_eq!(
        values,
        [
            Value::String("Microsoft-Windows-Security-Auditing".into()),
            Value::UInt32(5)
        ]
    );
    assert!(
        Bookmark::from_xml("<BookmarkList><Bookmark Channel='X'/></BookmarkList>")
            .unwrap_err()
            .position()
            .is_some()
    );
    session.cancel();
    results.cancel();
    results.close();
    assert_eq!(results.next(1, None).unwrap_err().win32_code(), 6);

    // Subscriptions: push.
    use evtlog::{Delivery, SignalEvent, SubscribeAction, SubscribeFlags, SubscribePosition};
    let (tx, rx) = std::sync::mpsc::channel();
    let push = session.subscribe(
        Some("Security"),
        Some("*[System[EventID=4624]]"),
        None,
        SubscribeFlags::TO_FUTURE_EVENTS,
        Delivery::push(move |action| match action {
            SubscribeAction::Deliver(event) => {
                let _ = tx.send(event.record_id());
            }
            SubscribeAction::Error(e) => panic!("{e}"),
        }),
    )?;
    let logon = Event::builder("Microsoft-Windows-Security-Auditing")
        .event_id(4624)
        .build();
    let second = engine.write("Security", logon)?;
    assert_eq!(
        rx.recv_timeout(std::time::Duration::from_secs(60)).ok(),
        Some(second)
    );
    push.close();
    // Pull, after a bookmark, strict.
    let pull = session.subscribe(
        Some("Security"),
        None,
        Some(&SubscribePosition::new("Security", 1)),
        SubscribeFlags::START_AFTER_BOOKMARK | SubscribeFlags::STRICT,
        Delivery::pull(SignalEvent::new(false)),
    )?;
    let mut pulled = Vec::new();
    if pull.wait(Some(std::time::Duration::from_secs(1)))? {
        pull.signal().unwrap().reset();
        while let evtlog::Next::Events(batch) = pull.next(64, None)? {
            pulled.extend(batch.iter().map(|e| e.record_id()));
        }
    }
    assert_eq!(pulled, [second]);
    let gone = session.subscribe(
        Some("Security"),
        None,
        Some(&SubscribePosition::new("Security", 99)),
        SubscribeFlags::START_AFTER_BOOKMARK | SubscribeFlags::STRICT,
        Delivery::pull(SignalEvent::new(false)),
    );
    assert_eq!(gone.unwrap_err().win32_code(), 1168);

    let mut generator = Generator::new(42);
    let events = generator.events(Profile::Sysmon, 100);
    assert_eq!(events.len(), 100);

    let err = engine.channel("NoSuchChannel").unwrap_err();
    assert_eq!(err.win32_code(), 15007);
    Ok(())
}

/// The guide's "Reading .evtx files".
#[test]
fn evtx_tour() -> Result<(), evtlog::Error> {
    use evtlog::{ChunkDecoder, EvtxFile, Next, QueryFlags, TemplateCache};
    let Some(samples) = crate::samples() else {
        return Ok(());
    };
    let path = samples.path("evtx-crate/security.evtx");
    let path = path.to_str().unwrap();

    // As EvtQuery(…, EvtQueryFilePath) does: streamed one chunk at a time.
    let engine = Engine::new();
    let session = engine.default_session();
    let results = session.query(
        Some(path),
        Some("*[System[EventID=4624]]"),
        QueryFlags::FILE_PATH,
    )?;
    let mut logons = 0;
    while let Next::Events(batch) = results.next(64, None)? {
        for event in &batch {
            assert_eq!(event.path(), path); // bookmarks name a file by its absolute path
                                            // Rendered straight from the record, then made: the same XML.
            let mut xml = String::new();
            event.write_xml(&mut xml);
            assert_eq!(xml, event.event().to_xml());
            logons += 1;
        }
    }
    assert!(logons > 0);

    // The reader itself: chunks in record order, records, BinXml decoded to `Event`.
    let mut file = EvtxFile::open(path)?;
    let mut templates = TemplateCache::new(); // Windows re-defines templates in every chunk
    let mut decoded = 0;
    for chunk in file.chunks_in_record_order()? {
        let chunk = chunk?; // a bad chunk magic is an Err here; the walk goes on
        let mut decoder = ChunkDecoder::with_cache(&chunk, &mut templates);
        for record in chunk.records() {
            let record = record?;
            let event = decoder.decode(&record)?; // FileCorrupt (1392) at a file offset
            let mut xml = String::new();
            decoder.write_xml(&record, &mut xml)?;
            assert_eq!(xml, event.to_xml());
            decoded += 1;
        }
    }
    assert_eq!(decoded, 2261);
    Ok(())
}

/// The guide's "A whole file on every core": the same XML as the result set's, in order.
#[test]
fn parallel_file_tour() -> Result<(), evtlog::Error> {
    use evtlog::{EventRef, Next, QueryFlags};
    let Some(samples) = crate::samples() else {
        return Ok(());
    };
    let path = samples.path("evtx-crate/security.evtx");
    let path = path.to_str().unwrap();
    let engine = Engine::new();
    let session = engine.default_session();
    let query = Some("*[System[EventID=4624]]");
    let mut expected = String::new();
    let results = session.query(Some(path), query, QueryFlags::FILE_PATH)?;
    while let Next::Events(batch) = results.next(64, None)? {
        for event in &batch {
            event.write_xml(&mut expected);
            expected.push('\n');
        }
    }
    let parallel = session.query_file_parallel(path, query, QueryFlags::FILE_PATH, 4)?;
    let mut printed = String::new();
    for xml in parallel.map_chunks(|events: &[EventRef]| {
        let mut xml = String::new();
        for event in events {
            event.write_xml(&mut xml);
            xml.push('\n');
        }
        xml
    })? {
        printed.push_str(&xml?);
    }
    assert!(!printed.is_empty() && printed == expected);
    let mut ids = Vec::new();
    for batch in session.query_file_parallel(path, None, QueryFlags::REVERSE_DIRECTION, 2)? {
        ids.extend(batch?.iter().map(|e| e.record_id()));
    }
    assert_eq!(ids.len(), 2261);
    assert!(ids.windows(2).all(|w| w[0] > w[1]), "newest first");
    Ok(())
}

/// The guide's "Providers".
#[test]
fn providers_tour() -> Result<(), evtlog::Error> {
    let engine = Engine::with_default_channels(Arc::new(VirtualClock::default()));
    let names = engine.install_manifest_file("fixtures/manifests/evtlog-test.man")?;
    assert_eq!(names, ["Evtlog-Test-Provider"]);
    let provider = engine.publishers().get("Evtlog-Test-Provider").unwrap();
    assert_eq!(provider.events[0].message_id, Some(0xB000_0064)); // mc's id for event 100 v0
    assert!(engine.has_channel("Evtlog-Test-Provider/Operational"));
    engine.uninstall_manifest_file("fixtures/manifests/evtlog-test.man")?; // channels stay
    assert!(engine.publishers().get("Evtlog-Test-Provider").is_none());
    assert!(engine.has_channel("Evtlog-Test-Provider/Operational"));
    Ok(())
}

/// The guide's "Formatting messages".
#[test]
fn formatting_tour() -> Result<(), evtlog::Error> {
    use evtlog::{FormatWhat, Publisher};
    let engine = Engine::new();
    let event = Event::builder("MyApp").event_id(1).level(2).build();
    let mut p = Publisher {
        name: "MyApp".into(),
        message_id: Some(1),
        ..Publisher::default()
    };
    p.messages.insert("en-US", 1, "My application\r\n");
    engine.publishers().install(p);
    let metadata = engine.open_publisher_metadata(Some("MyApp"), 0)?;
    let provider = metadata.format(&event, FormatWhat::Provider)?;
    assert_eq!(provider.text(), "My application");
    assert!(provider.warning().is_none());
    let xml = metadata.format(&event, FormatWhat::Xml)?.into_text();
    assert!(
        xml.ends_with(
            "<Provider>My application</Provider><Keywords></Keywords></RenderingInfo></Event>"
        ),
        "{xml}"
    );
    let level = engine
        .open_publisher_metadata(None, 0)?
        .format(&event, FormatWhat::Level)?;
    assert_eq!(level.text(), "Error");
    Ok(())
}

/// The guide's "Writing events", as written there.
#[test]
fn writing_events_tour() -> Result<(), evtlog::Error> {
    use evtlog::{ClassicReport, ClassicSource, Engine, EventDescriptor, Guid, ReportType};

    let engine = Engine::with_default_channels(std::sync::Arc::new(evtlog::SystemClock));
    let provider = engine.register_provider(Guid::from_u128(1)); // EventRegister
    let descriptor = EventDescriptor {
        id: 1,
        channel: 0x10,
        level: 4,
        ..Default::default()
    };
    let message: Vec<u8> = "hi\0"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    assert_eq!(provider.write(&descriptor, &[&message])?, None); // no manifest: ETW only

    engine.register_event_source("Application", "Contoso Agent", ClassicSource::default())?;
    let report = ClassicReport {
        strings: vec!["disk full".into()],
        ..ClassicReport::new(ReportType::Error, 0xC000_03E9)
    };
    engine.report_event("Contoso Agent", report)?; // <EventID Qualifiers='49152'>1001
    let log = engine.open_event_log("Application")?; // OpenEventLog, then log.read(…)
    assert_eq!(log.number_of_records(), 1);
    Ok(())
}

/// The guide's "Publisher metadata and messages": a provider's metadata read as EvtGetPublisherMetadataProperty,
/// EvtGetObjectArrayProperty and EvtGetEventMetadataProperty read it, and an event it wrote
/// formatted as EvtFormatMessage formats it.
#[test]
fn metadata_tour() -> Result<(), evtlog::Error> {
    use evtlog::{
        EventDescriptor, EventProperty, FormatWhat, MetadataArray, Next, PublisherProperty,
        QueryFlags,
    };
    let engine = Engine::with_default_channels(Arc::new(VirtualClock::default()));
    engine.install_manifest_file("fixtures/manifests/evtlog-test.man")?;

    let metadata = engine.open_publisher_metadata(Some("Evtlog-Test-Provider"), 0)?; // LCID 0: en-US
    let guid = metadata.property(PublisherProperty::PublisherGuid)?; // Value::Guid
    let levels = metadata.array(MetadataArray::Levels)?; // the object array of ids 13-15
    for i in 0..levels.len() {
        let _name = levels.property(PublisherProperty::LevelName, i)?; // "win:Informational", "Notice"…
    }
    let events = metadata.events()?; // EvtOpenEventMetadataEnum / EvtNextEventMetadata
    let template = events[0].property(EventProperty::Template)?; // Windows' <template> XML

    // Write event 100 v0 as EventWrite would, then format it.
    let provider = engine.publishers().get("Evtlog-Test-Provider").unwrap();
    let def = &provider.events[0];
    let descriptor = EventDescriptor {
        id: def.value as u16,
        version: def.version,
        channel: def.channel as u8,
        level: def.level as u8,
        opcode: def.opcode as u8,
        task: def.task as u16,
        keyword: def.keywords,
    };
    let Value::Guid(provider_guid) = guid.clone() else {
        panic!()
    };
    let writer = engine.register_provider(provider_guid);
    writer.write_values(
        &descriptor,
        &["db01".into(), Value::UInt16(5432), Value::UInt32(1)],
    )?;
    let results = engine.default_session().query(
        Some("Evtlog-Test-Provider/Operational"),
        None,
        QueryFlags::CHANNEL_PATH,
    )?;
    let Next::Events(batch) = results.next(1, None)? else {
        panic!("the event")
    };
    let message = metadata.format(batch[0].event(), FormatWhat::Event)?; // "Connected to db01 on port 5432 (mode Fast)."
    let task = metadata.format(batch[0].event(), FormatWhat::Task)?; // the task's string

    assert_eq!(guid.to_text(), "{6e0b6c3a-2f54-4c1b-9d7e-1a2b3c4d5e6f}");
    assert!(levels.len() >= 2);
    assert_eq!(
        levels.property(PublisherProperty::LevelName, 0)?,
        Value::String("Notice".into())
    );
    assert!(template.to_text().starts_with(
        "<template xmlns=\"http://schemas.microsoft.com/win/2004/08/events\">\r\n  \
         <data name=\"Peer\" inType=\"win:UnicodeString\" outType=\"xs:string\"/>"
    ));
    assert_eq!(
        message.text(),
        "Connected to db01 on port 5432 (mode Fast)."
    );
    assert!(message.warning().is_none());
    assert!(!task.text().is_empty());
    Ok(())
}

const README: &str = include_str!("../../README.md");

/// The body of the fenced block of `lang` that follows the first line starting with `after`.
fn block_after<'a>(text: &'a str, after: &str, lang: &str) -> &'a str {
    let start = text
        .find(&format!("\n{after}"))
        .unwrap_or_else(|| panic!("no line starting with {after:?}"));
    let fence = format!("```{lang}\n");
    let open = start + text[start..].find(&fence).expect("a fenced block") + fence.len();
    let close = open + text[open..].find("\n```").expect("a closed block");
    &text[open..=close]
}

fn without_whitespace(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The README's Rust taste. Between the markers, the README's block as written (rustfmt may
/// lay it out differently; `readme_taste_is_this_code` compares without whitespace).
#[test]
fn readme_taste() -> Result<(), evtlog::Error> {
    // README taste begins
    use evtlog::{Engine, Event, Next, QueryFlags, Sid, VirtualClock};
    use std::sync::Arc;

    // An engine of Windows' standard channels, on a clock the program controls.
    let clock = Arc::new(VirtualClock::default());
    let engine = Engine::with_default_channels(clock.clone());

    // An event shaped as its manifest shapes it, written to Security (record id 1).
    let event = Event::builder("Microsoft-Windows-Security-Auditing")
        .event_id(4624)
        .data("TargetUserSid", Sid::parse("S-1-5-18").unwrap())
        .data("LogonType", 5u32)
        .build();
    engine.write("Security", event)?;

    // EvtQuery and EvtNext: an XPath filter, newest first, batches of up to 64.
    let results = engine.open_session().query(
        Some("Security"),
        Some("*[System[EventID=4624]]"),
        QueryFlags::REVERSE_DIRECTION,
    )?;
    while let Next::Events(batch) = results.next(64, None)? {
        for event in &batch {
            let mut xml = String::new();
            event.write_xml(&mut xml); // Windows' XML: one line, single quotes, schema order
            println!("{xml}");
        }
    }
    // README taste ends

    // What the comments claim.
    let snapshot = engine.channel("Security")?.snapshot();
    let written: Vec<_> = snapshot.iter().collect();
    assert_eq!(written.len(), 1);
    assert_eq!(written[0].system.event_record_id, Some(1));
    let xml = written[0].to_xml();
    assert!(xml.starts_with("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System><Provider Name='Microsoft-Windows-Security-Auditing'"), "{xml}");
    assert!(
        xml.contains("<Data Name='TargetUserSid'>S-1-5-18</Data><Data Name='LogonType'>5</Data>"),
        "{xml}"
    );
    assert!(!xml.contains('\n'));
    let _ = clock;
    Ok(())
}

#[test]
fn readme_taste_is_this_code() {
    let this = include_str!("readme.rs");
    let begin = "// README taste begins\n";
    let start = this.find(begin).expect("begin marker") + begin.len();
    let end = start
        + this[start..]
            .find("// README taste ends")
            .expect("end marker");
    assert_eq!(
        without_whitespace(block_after(README, "**Rust**", "rust")),
        without_whitespace(&this[start..end]),
        "README.md's Rust block and readme_taste's body differ: change both"
    );
}

/// The README's two commands, exactly: the main job is the command the CLI test
/// `qe_security_newest_three_as_xml` runs, and the test command is the one CI runs. The
/// book's introduction shows the same block.
#[test]
fn readme_two_commands() {
    let block = block_after(README, "## The two commands", "sh");
    let commands: Vec<&str> = block
        .lines()
        .map(|l| l.split('#').next().unwrap().trim())
        .collect();
    assert_eq!(
        commands,
        [
            "cargo evtutil qe Security /c:3 /rd:true /f:xml",
            "cargo test --workspace",
        ]
    );
    let intro = include_str!("../../docs/src/introduction.md");
    assert_eq!(block_after(intro, "## The two commands", "sh"), block);

    // The main job: evtutil is a binary of the workspace, run through the workspace's alias
    // (the release build, static-pie on linux-gnu: the rule lives in the alias alone, since
    // a `[target]` rustflags table would reach proc-macros and wevtapi's cdylib), with the
    // arguments the CLI test checks (three newest Security events, one XML event per line).
    assert!(include_str!("../../cli/Cargo.toml").contains("[[bin]]\nname = \"evtutil\""));
    let config = include_str!("../../.cargo/config.toml");
    let alias = &config[config.find("\nevtutil = [").expect("the evtutil alias")..];
    let alias = &alias[..alias.find("\n]").expect("the alias's end")];
    for part in [
        r#""run", "--release", "-p", "evtutil", "--target", "host-tuple","#,
        r#"target.'cfg(all(target_os = \"linux\", target_env = \"gnu\"))'.rustflags"#,
        r#"[\"-C\", \"target-feature=+crt-static\"]"#,
        r#""--","#,
    ] {
        assert!(alias.contains(part), "the evtutil alias lacks {part}");
    }
    assert!(
        !config.contains("\n[target") && !config.contains("\n[build"),
        "no rustflags for every crate of a plain build"
    );
    let args: Vec<&str> = commands[0]
        .strip_prefix("cargo evtutil ")
        .unwrap()
        .split(' ')
        .collect();
    let cli_tests = include_str!("../../cli/tests/cli.rs");
    let call = format!("evtutil(&{args:?})");
    let test = cli_tests
        .find("fn qe_security_newest_three_as_xml()")
        .expect("the CLI test of the main job");
    let body = &cli_tests[test..];
    let body = &body[..body.find("\n}\n").expect("the test's end")];
    assert!(body.contains(&call), "the CLI test runs {call}");

    // The test command is what CI runs.
    assert!(include_str!("../../.ci/run")
        .lines()
        .any(|l| l.trim_start().starts_with("cargo test --workspace")));
}
