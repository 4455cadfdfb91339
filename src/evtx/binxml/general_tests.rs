//! Unit tests of the token reader and the general path (`tokens.rs`, `general.rs`).

use super::*;
use crate::error::Result;
use crate::event::Value;

/// The general path's document at chunk offsets `[start, end)` of `chunk` (at file offset
/// `base`), as a chunk's decoder reads it.
fn document(chunk: &[u8], base: u64, start: usize, end: usize) -> Result<Vec<Node>> {
    let mut tokens = Decoder::new(chunk, base);
    let mut expansion = Expansion::new(base);
    General::new(&mut tokens, &mut expansion).document(start, end)
}

/// A chunk whose bytes from offset 512 are `doc`.
fn chunk_with(doc: &[u8]) -> Vec<u8> {
    let mut c = vec![0u8; 65536];
    c[512..512 + doc.len()].copy_from_slice(doc);
    c
}

/// An inline element `<a>` opening at chunk offset `at` (no dependency id).
fn open_a(at: usize) -> Vec<u8> {
    let mut b = vec![0x01];
    b.extend_from_slice(&0u32.to_le_bytes());
    let name_off = (at + 9) as u32;
    b.extend_from_slice(&name_off.to_le_bytes());
    b.extend_from_slice(&[0, 0, 0, 0, 0, 0, 1, 0, b'a', 0, 0, 0]);
    b.push(0x02);
    b
}

#[test]
fn inline_elements_and_text() {
    let mut doc = vec![0x0F, 1, 1, 0];
    doc.extend(open_a(512 + 4));
    doc.extend([0x05, 0x01, 2, 0, b'h', 0, b'i', 0]);
    doc.extend([0x09]);
    // Entity name `amp` defined inline.
    let at = 512 + doc.len() + 4;
    doc.extend((at as u32).to_le_bytes());
    doc.extend([0, 0, 0, 0, 0, 0, 3, 0, b'a', 0, b'm', 0, b'p', 0, 0, 0]);
    doc.extend([0x04, 0x00]);
    let chunk = chunk_with(&doc);
    let nodes = document(&chunk, 4096, 512, 512 + doc.len()).unwrap();
    let [Node::Element(e)] = nodes.as_slice() else {
        panic!("{nodes:?}")
    };
    assert_eq!(e.name, "a");
    assert_eq!(e.children, vec![Node::Value(Value::String("hi&".into()))]);
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let mut doc = Vec::new();
    for _ in 0..2000 {
        let at = 512 + doc.len();
        doc.extend(open_a(at));
    }
    let chunk = chunk_with(&doc);
    let err = document(&chunk, 4096, 512, 512 + doc.len()).unwrap_err();
    assert_eq!(err.win32_code(), 1392);
    assert!(err.to_string().contains("nested deeper"), "{err}");
}

#[test]
fn every_truncation_of_a_document_fails_cleanly() {
    let mut doc = vec![0x0F, 1, 1, 0];
    doc.extend(open_a(516));
    doc.extend([0x04, 0x00]);
    let chunk = chunk_with(&doc);
    for end in 512..512 + doc.len() {
        let _ = document(&chunk, 0, 512, end);
    }
    // A name offset pointing outside the chunk.
    let mut bad = vec![0x01, 0, 0, 0, 0];
    bad.extend(u32::MAX.to_le_bytes());
    let chunk = chunk_with(&bad);
    assert!(document(&chunk, 0, 512, 512 + bad.len()).is_err());
}

/// `n` nested inline `<a>` elements, each closed, from chunk offset 512.
fn nested_a(n: usize) -> Vec<u8> {
    let mut doc = Vec::new();
    for _ in 0..n {
        let at = 512 + doc.len();
        doc.extend(open_a(at));
    }
    doc.extend(std::iter::repeat_n(0x04, n));
    doc.push(0x00);
    doc
}

/// Runs `f` on a thread with a 512 KiB stack, where unbounded recursion would overflow.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the thread ran to its end")
}

/// Past the limit: the EVTX reader's error (1392) at the file offset of the element that
/// goes over, on a small stack. At the limit: the tree decodes, and its event renders, parses
/// back and drops there too.
#[test]
fn nesting_is_bounded_on_a_small_stack_with_the_offset_of_the_element() {
    let (code, message, rendered) = on_small_stack(|| {
        let doc = nested_a(2_000); // about as many as a 64 KiB chunk holds
        let chunk = chunk_with(&doc);
        let err = document(&chunk, 4096, 512, 512 + doc.len()).unwrap_err();
        let doc = nested_a(MAX_DEPTH);
        let chunk = chunk_with(&doc);
        let nodes = document(&chunk, 4096, 512, 512 + doc.len()).expect("at the limit");
        let mut event = crate::Event::builder("P").build();
        event.body = crate::event::Body::UserData(nodes);
        let xml = event.to_xml();
        let back = crate::Event::from_xml(&xml).map(|e| e == event);
        (err.win32_code(), err.to_string(), back)
    });
    assert_eq!(code, 1392);
    // Each `<a>` is 22 bytes; the one past the limit is element MAX_DEPTH + 1, which
    // begins at 512 + 22 * MAX_DEPTH (plus the chunk's file offset, 4096).
    let offset = 4096 + 512 + 22 * MAX_DEPTH;
    assert!(
        message.contains(&format!("{offset}")) || message.contains(&format!("{offset:#x}")),
        "{message}"
    );
    assert_eq!(rendered.ok(), Some(true));
}

/// A tree's shape: each element as `a(children)`, each text as itself.
fn shape(nodes: &[Node]) -> String {
    nodes
        .iter()
        .map(|n| match n {
            Node::Element(e) => format!("{}({})", e.name, shape(&e.children)),
            Node::Value(v) => match v {
                Value::String(s) => s.to_string(),
                other => format!("{other:?}"),
            },
            other => format!("{other:?}"),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// A text value token of one ASCII character.
fn text_token(c: u8) -> [u8; 6] {
    [0x05, 0x01, 1, 0, c, 0]
}

/// `<a>x<a>y</a>z<a></a></a><a>w</a>`, then a truncation at every byte: each element's
/// items are its own (one more or one fewer node taken off the parser's pending stack
/// moves a text or an element to the wrong parent), and a failed parse leaves nothing
/// pending for the next.
#[test]
fn nested_elements_keep_their_own_children_and_failures_leave_nothing_pending() {
    let mut doc = vec![0x0F, 1, 1, 0];
    doc.extend(open_a(512 + doc.len()));
    doc.extend(text_token(b'x'));
    doc.extend(open_a(512 + doc.len()));
    doc.extend(text_token(b'y'));
    doc.push(0x04);
    doc.extend(text_token(b'z'));
    doc.extend(open_a(512 + doc.len()));
    doc.push(0x04);
    doc.push(0x04);
    doc.extend(open_a(512 + doc.len()));
    doc.extend(text_token(b'w'));
    doc.extend([0x04, 0x00]);
    let chunk = chunk_with(&doc);
    let mut tokens = Decoder::new(&chunk, 0);
    let mut expansion = Expansion::new(0);
    for end in 512..512 + doc.len() {
        let got = General::new(&mut tokens, &mut expansion).document(512, end);
        assert!(expansion.pending.is_empty(), "{end}: {got:?}");
    }
    let nodes = General::new(&mut tokens, &mut expansion)
        .document(512, 512 + doc.len())
        .expect("decodes");
    assert_eq!(shape(&nodes), "a(x,a(y),z,a()),a(w)");
    assert!(expansion.pending.is_empty());
}
