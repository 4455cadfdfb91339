//! The text parsers against the fuzz targets' checks (`xpath`, `query_list`, `event_xml`,
//! `bookmark_xml` and `manifest_xml` run the same checks without end), on a 512 KiB thread:
//! - every saved finding in `tests/fuzz-regressions/text/<target>/` (minimized inputs);
//! - a seeded mini-fuzz: mutations of valid inputs, including runs of repeated brackets and
//!   elements that nest far past the limits.
//!
//! Nothing may panic or overflow; what parses must render and parse back to the same text.

use std::path::Path;

use evtlog::{parse_manifest, Bookmark, Engine, ErrorKind, Event, FileTime, Query, XPathFilter};

/// The `xpath` target's check: strict and tolerant compiles, each evaluated.
fn check_xpath(text: &str) {
    let event = Event::builder("P")
        .event_id(7)
        .level(2)
        .data("Name", "x")
        .build();
    if let Ok(filter) = XPathFilter::compile(text) {
        let _ = filter.matches(&event, FileTime::default());
    }
    if let Ok((filter, _)) = XPathFilter::compile_tolerant(text) {
        let _ = filter.matches(&event, FileTime::default());
    }
}

/// The `query_list` target's check: a QueryList or bare XPath, strict and tolerant.
fn check_query_list(text: &str) {
    let event = Event::builder("P").event_id(1).channel("System").build();
    if let Ok(query) = Query::parse(Some("System"), Some(text)) {
        let _ = query.matches("System", &event, FileTime::default());
    }
    let _ = Query::parse_tolerant(Some("System"), Some(text));
}

/// The `event_xml` target's check: what parses renders and parses back to the same XML.
fn check_event_xml(text: &str) {
    if let Ok(parsed) = Event::from_xml(text) {
        let xml = parsed.to_xml();
        let again = Event::from_xml(&xml).expect("a rendered event parses");
        assert_eq!(again.to_xml(), xml, "{text}");
    }
}

/// The `bookmark_xml` target's check: what parses renders and parses back to the same XML.
fn check_bookmark_xml(text: &str) {
    if let Ok(parsed) = Bookmark::from_xml(text) {
        let xml = parsed.to_xml();
        let again = Bookmark::from_xml(&xml).expect("a rendered bookmark parses");
        assert_eq!(again.to_xml(), xml, "{text}");
    }
}

/// The `manifest_xml` target's check: errors are 15008/15010 with a position; what parses
/// installs (or is refused with an error) in a fresh engine.
fn check_manifest_xml(text: &str) {
    match parse_manifest(text) {
        Ok(publishers) => {
            let engine = Engine::new();
            for p in publishers {
                let _ = engine.install_publisher(p);
            }
        }
        Err(e) => {
            assert!(
                matches!(
                    e.kind(),
                    ErrorKind::MalformedXml | ErrorKind::ConfigurationError
                ),
                "{e}"
            );
            assert!(e.position().is_some(), "no position: {e}");
        }
    }
}

/// A target's check of one input.
type Check = fn(&str);

/// Every saved finding of every text target passes its target's check.
#[test]
fn saved_text_fuzz_findings_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz-regressions/text");
    let targets: [(&str, Check); 5] = [
        ("xpath", check_xpath),
        ("query_list", check_query_list),
        ("event_xml", check_event_xml),
        ("bookmark_xml", check_bookmark_xml),
        ("manifest_xml", check_manifest_xml),
    ];
    let mut replayed = 0;
    for (target, check) in targets {
        let Ok(entries) = std::fs::read_dir(root.join(target)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            let name = path.display().to_string();
            std::thread::Builder::new()
                .stack_size(512 * 1024)
                .spawn(move || check(&text))
                .expect("spawn")
                .join()
                .unwrap_or_else(|_| panic!("{name} fails its target's check"));
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no saved finding under {}", root.display());
}

/// xorshift64*: deterministic mutations.
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

/// Pieces worth inserting: the syntax each parser turns on.
const PIECES: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    " or ",
    " and ",
    "'",
    "\"",
    "=",
    "<=",
    "*",
    "/",
    "@",
    "<a>",
    "</a>",
    "<",
    ">",
    "/>",
    "&amp;",
    "&#10;",
    "<![CDATA[",
    "]]>",
    "<?pi x?>",
    "<!-- c -->",
    "0x",
    "-1",
    "99999999999999999999",
    "\u{e9}",
    "\u{1F600}",
    "\0",
];

/// One mutation of `text`: a byte range removed, a piece inserted, a range duplicated, or
/// a piece repeated hundreds to thousands of times (deep nesting).
fn mutate(rng: &mut Rng, text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let at = rng.below(chars.len() + 1);
    let head: String = chars[..at].iter().collect();
    let tail: String = chars[at..].iter().collect();
    match rng.below(4) {
        0 => {
            let end = (at + 1 + rng.below(8)).min(chars.len());
            let rest: String = chars[end.max(at)..].iter().collect();
            head + &rest
        }
        1 => head + PIECES[rng.below(PIECES.len())] + &tail,
        2 => {
            let len = rng.below(16).min(tail.chars().count());
            let run: String = tail.chars().take(len).collect();
            head + &run.repeat(1 + rng.below(4)) + &tail
        }
        _ => {
            let piece = PIECES[rng.below(6)];
            head + &piece.repeat(100 + rng.below(5_000)) + &tail
        }
    }
}

/// `cases` inputs derived from `seeds` (each input mutated one to three times).
fn inputs(seeds: &[&str], seed: u64, cases: usize) -> Vec<String> {
    let mut rng = Rng(seed);
    (0..cases)
        .map(|_| {
            let mut text = seeds[rng.below(seeds.len())].to_owned();
            for _ in 0..1 + rng.below(3) {
                text = mutate(&mut rng, &text);
            }
            text
        })
        .collect()
}

fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no input may panic or overflow");
}

#[test]
fn xpath_and_query_lists_survive_mutation() {
    on_small_stack(|| {
        let seeds = [
            "*[System[(Level=1 or Level=2) and EventID=7]]",
            "*[EventData[Data[@Name='Name']='x'] and System/TimeCreated[timediff(@SystemTime) <= 86400000]]",
            "*[System[band(Keywords, 0x8000000000000000)]] or *[UserData/*/a='b']",
            "<QueryList><Query Id='0' Path='System'><Select>*[System[Level=2]]</Select>\
             <Suppress>*[System[EventID=1]]</Suppress></Query></QueryList>",
        ];
        for text in inputs(&seeds, 0x5eed_0101, 1_000) {
            check_xpath(&text);
            check_query_list(&text);
        }
    });
}

#[test]
fn event_and_bookmark_xml_survive_mutation() {
    on_small_stack(|| {
        let event = Event::builder("Microsoft-Windows-Security-Auditing")
            .event_id(4624)
            .data("TargetUserName", "Bob")
            .build()
            .to_xml();
        let user_data = "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'>\
            <System><Provider Name='P'/><EventID>1</EventID></System>\
            <UserData><a xmlns='x'><b>1</b><c/></a></UserData></Event>";
        for text in inputs(&[&event, user_data], 0x5eed_0202, 1_000) {
            check_event_xml(&text);
        }
        let bookmarks = [
            "<BookmarkList>\r\n  <Bookmark Channel='Application' RecordId='20' IsCurrent='true'/>\r\n</BookmarkList>",
            "<BookmarkList Direction='backward'><Bookmark Channel=\"A\" RecordId=\"1\"/>\
             <Bookmark Channel='B' RecordId='2' IsCurrent='True'/></BookmarkList>",
        ];
        for text in inputs(&bookmarks, 0x5eed_0303, 1_000) {
            check_bookmark_xml(&text);
        }
    });
}
