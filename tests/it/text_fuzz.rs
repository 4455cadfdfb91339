//! A seeded mini-fuzz of the text parsers (the fuzz targets `xpath`, `query_list`,
//! `event_xml` and `bookmark_xml` run the same checks without end): mutations of valid
//! inputs, including runs of repeated brackets and elements that nest far past the limits,
//! through each parser on a 512 KiB thread. Nothing may panic or overflow; what parses must
//! render and parse back to the same text.

use evtlog::{Bookmark, Event, FileTime, Query, XPathFilter};

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
        let event = Event::builder("P")
            .event_id(7)
            .level(2)
            .data("Name", "x")
            .build();
        let seeds = [
            "*[System[(Level=1 or Level=2) and EventID=7]]",
            "*[EventData[Data[@Name='Name']='x'] and System/TimeCreated[timediff(@SystemTime) <= 86400000]]",
            "*[System[band(Keywords, 0x8000000000000000)]] or *[UserData/*/a='b']",
            "<QueryList><Query Id='0' Path='System'><Select>*[System[Level=2]]</Select>\
             <Suppress>*[System[EventID=1]]</Suppress></Query></QueryList>",
        ];
        for text in inputs(&seeds, 0x5eed_0101, 1_000) {
            if let Ok(filter) = XPathFilter::compile(&text) {
                let _ = filter.matches(&event, FileTime::default());
            }
            if let Ok((filter, _)) = XPathFilter::compile_tolerant(&text) {
                let _ = filter.matches(&event, FileTime::default());
            }
            if let Ok(query) = Query::parse(Some("System"), Some(&text)) {
                let _ = query.matches("System", &event, FileTime::default());
            }
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
            if let Ok(parsed) = Event::from_xml(&text) {
                let xml = parsed.to_xml();
                let again = Event::from_xml(&xml).expect("a rendered event parses");
                assert_eq!(again.to_xml(), xml, "{text}");
            }
        }
        let bookmarks = [
            "<BookmarkList>\r\n  <Bookmark Channel='Application' RecordId='20' IsCurrent='true'/>\r\n</BookmarkList>",
            "<BookmarkList Direction='backward'><Bookmark Channel=\"A\" RecordId=\"1\"/>\
             <Bookmark Channel='B' RecordId='2' IsCurrent='True'/></BookmarkList>",
        ];
        for text in inputs(&bookmarks, 0x5eed_0303, 1_000) {
            if let Ok(parsed) = Bookmark::from_xml(&text) {
                let xml = parsed.to_xml();
                let again = Bookmark::from_xml(&xml).expect("a rendered bookmark parses");
                assert_eq!(again.to_xml(), xml, "{text}");
            }
        }
    });
}
