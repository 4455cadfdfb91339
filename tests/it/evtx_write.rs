//! The EVTX writer (issue 7): what it writes reads back as the same events, with evtlog's
//! reader and with the evtx crate 0.15.1, on every sample and on generated channels; its
//! headers and CRCs are valid; an event it cannot write is an error that writes nothing.

use std::io::Cursor;

use evtlog::{
    ChunkDecoder, Element, ErrorKind, Event, EvtxFile, EvtxWriter, Generator, Profile, Value,
};
use evtx::{EvtxParser, ParserSettings};

use crate::evtx_decode::{decode, normalised, ORACLE};
use crate::evtx_differential::oracle_rendering_quirks;

/// `events` written to a file in memory.
fn written(events: &[Event]) -> Vec<u8> {
    let mut writer = EvtxWriter::new(Cursor::new(Vec::new())).unwrap();
    for event in events {
        writer.write(event).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// Every record of `bytes` with evtlog's reader, in record order: (record id, event).
fn read_back(bytes: Vec<u8>) -> Vec<(u64, Event)> {
    let mut file = EvtxFile::from_bytes(bytes).unwrap();
    assert!(
        file.findings().is_empty(),
        "a written file has findings: {:?}",
        file.findings()
    );
    let mut out = Vec::new();
    for chunk in file.chunks_in_record_order().unwrap() {
        let chunk = chunk.unwrap();
        assert!(chunk.findings().is_empty(), "{:?}", chunk.findings());
        let mut decoder = ChunkDecoder::new(&chunk);
        for record in chunk.records() {
            let record = record.unwrap();
            out.push((record.record_id(), decoder.decode(&record).unwrap()));
        }
    }
    out
}

/// Every record of `bytes` with the evtx crate, checksums validated: (record id, XML).
fn read_with_evtx_crate(bytes: Vec<u8>) -> Vec<(u64, String)> {
    let settings = ParserSettings::new()
        .num_threads(1)
        .validate_checksums(true);
    let mut parser = EvtxParser::from_buffer(bytes)
        .unwrap()
        .with_configuration(settings);
    parser
        .records()
        .map(|r| {
            let r = r.unwrap_or_else(|e| panic!("the evtx crate: {e}"));
            (r.event_record_id, r.data)
        })
        .collect()
}

/// `events` written, then read back both ways: the same events, their XML content the evtx
/// crate's, record ids increasing.
fn check_round_trip(what: &str, events: &[Event]) {
    let bytes = written(events);
    assert_eq!((bytes.len() - 4096) % 65536, 0, "{what}: whole chunks");
    let ours = read_back(bytes.clone());
    assert_eq!(ours.len(), events.len(), "{what}: record count");
    for (i, ((_, got), want)) in ours.iter().zip(events).enumerate() {
        assert_eq!(got, want, "{what}: event {i}");
    }
    let ids: Vec<u64> = ours.iter().map(|(id, _)| *id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{what}: ids increase");
    let theirs = read_with_evtx_crate(bytes);
    assert_eq!(
        theirs.iter().map(|(id, _)| *id).collect::<Vec<_>>(),
        ids,
        "{what}: the evtx crate's record ids"
    );
    for ((id, xml), want) in theirs.iter().zip(events) {
        assert_eq!(
            normalised(xml),
            normalised(&oracle_rendering_quirks(want).to_xml()),
            "{what} #{id}: the evtx crate's XML content"
        );
    }
}

#[test]
fn every_sample_written_again_reads_back_as_the_same_events() {
    let Some(samples) = crate::samples() else {
        return;
    };
    for &(name, _, _) in ORACLE {
        let events: Vec<Event> = decode(&samples, name)
            .events
            .into_iter()
            .map(|(_, e)| e)
            .collect();
        check_round_trip(name, &events);
    }
}

#[test]
fn generated_channels_read_back_as_the_same_events() {
    let mut generator = Generator::new(7);
    for profile in [
        Profile::Application,
        Profile::System,
        Profile::Security,
        Profile::Setup,
        Profile::Sysmon,
    ] {
        let mut events = generator.events(profile, 3000);
        for (i, event) in events.iter_mut().enumerate() {
            event.system.event_record_id = Some(i as u64 + 1);
        }
        check_round_trip(&format!("{profile:?}"), &events);
    }
}

#[test]
fn the_file_header_and_chunks_say_what_was_written() {
    let mut events = Generator::new(1).events(Profile::Security, 1000);
    for (i, event) in events.iter_mut().enumerate() {
        event.system.event_record_id = Some(100 + i as u64);
    }
    let file = EvtxFile::from_bytes(written(&events)).unwrap();
    let header = file.header();
    assert!(header.checksum_ok());
    assert_eq!(header.next_record_id, 1100);
    assert_eq!((header.major_version, header.minor_version), (3, 1));
    assert_eq!((header.header_size, header.header_block_size), (128, 4096));
    assert_eq!(u64::from(header.chunk_count), file.chunk_slots());
    assert_eq!(header.first_chunk_number, 0);
    assert_eq!(header.last_chunk_number + 1, file.chunk_slots());
    assert!(file.chunk_slots() > 1, "1000 logons span several chunks");
    assert_eq!(header.flags.bits(), 0, "clean");
    // No events: one empty chunk, as Windows leaves an empty log.
    let empty = EvtxFile::from_bytes(written(&[])).unwrap();
    assert_eq!(empty.chunk_slots(), 1);
    assert_eq!(empty.header().next_record_id, 1);
    assert!(empty.findings().is_empty());
}

#[test]
fn an_event_that_cannot_be_written_is_an_error_and_writes_nothing() {
    let good = Generator::new(3).events(Profile::System, 2);
    let mut bad_name = good[0].clone();
    bad_name.body = evtlog::Body::Other(Element::new("1bad"));
    let mut too_large = good[0].clone();
    too_large.body =
        evtlog::Body::Other(Element::new("Big").text(Value::Binary(vec![0x5A; 60_000])));
    let mut huge_value = good[0].clone();
    huge_value.body = evtlog::Body::Other(Element::new("Big").text(Value::Binary(vec![1; 70_000])));
    let mut writer = EvtxWriter::new(Cursor::new(Vec::new())).unwrap();
    writer.write(&good[0]).unwrap();
    for bad in [&bad_name, &huge_value] {
        let e = writer.write(bad).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidParameter, "{e}");
    }
    // Fits no chunk with the first record in it, but fits an empty one: a new chunk.
    writer.write(&too_large).unwrap();
    writer.write(&good[1]).unwrap();
    let back = read_back(writer.finish().unwrap().into_inner());
    let events: Vec<&Event> = back.iter().map(|(_, e)| e).collect();
    assert_eq!(events, [&good[0], &too_large, &good[1]]);
}

/// Records of one chunk whose Provider Names change from record to record (back to an
/// earlier one, one unit apart, escaped, longer and shorter): each record's directly
/// rendered XML, which keeps the last Name it converted, is its decoded event's.
#[test]
fn provider_names_that_change_from_record_to_record_render_as_decoded() {
    let names = [
        "Alpha",
        "Alpha",
        "Alphb",
        "Alpha-and-a-much-longer-name",
        "Beta & <Co> 'q'",
        "Alpha",
        "\u{e9}t\u{e9}",
        "Alpha",
    ];
    let mut events = Generator::new(5).events(Profile::Security, names.len());
    for (i, (event, name)) in events.iter_mut().zip(names).enumerate() {
        event.system.event_record_id = Some(i as u64 + 1);
        event.system.provider.name = Some(name.into());
    }
    let mut file = EvtxFile::from_bytes(written(&events)).unwrap();
    let mut rendered = 0;
    for chunk in file.chunks_in_record_order().unwrap() {
        let chunk = chunk.unwrap();
        let mut direct = ChunkDecoder::new(&chunk);
        let mut decoded = ChunkDecoder::new(&chunk);
        for record in chunk.records() {
            let record = record.unwrap();
            let mut xml = String::new();
            direct.write_xml(&record, &mut xml).unwrap();
            assert_eq!(xml, decoded.decode(&record).unwrap().to_xml());
            rendered += 1;
        }
    }
    assert_eq!(rendered, names.len());
}
