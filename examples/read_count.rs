//! Instruction-count harness for reading a small file: every record of the file named by
//! the first argument as XML (`ChunkDecoder::write_xml`, one template cache a read), the way
//! the report's `evtx_read_ours` reads it, repeated the second argument's times (default
//! 200). With a third argument `theirs`, the evtx crate's `records()` instead (checksums
//! not validated), for the ratio in instructions. Prints the records read.

use std::hint::black_box;

#[path = "../benches/common.rs"]
mod common;

fn theirs(path: &str) -> usize {
    let settings = evtx::ParserSettings::new()
        .num_threads(1)
        .validate_checksums(false);
    let Ok(parser) = evtx::EvtxParser::from_path(path) else {
        return 0;
    };
    let mut parser = parser.with_configuration(settings);
    parser
        .records()
        .filter(|r| r.as_ref().map(|r| black_box(&r.data)).is_ok())
        .count()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let Some(path) = args.get(1) else {
        eprintln!("usage: read_count FILE.evtx [N] [theirs]");
        return;
    };
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(200);
    let read = if args.get(3).map(String::as_str) == Some("theirs") {
        theirs
    } else {
        common::evtx_read_ours
    };
    let mut total = 0;
    for _ in 0..n {
        total += read(black_box(path));
    }
    println!("{total}");
}
