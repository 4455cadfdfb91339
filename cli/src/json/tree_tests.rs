//! `JsonWriter::user_data` (a `<UserData>` tree written from its tokens) against the
//! general rules' JSON of the same event (`write_event`), on crafted trees; the records of
//! every sample are checked by `tests::visited_records_write_the_json_of_their_events_on_every_sample`.

use evtlog::{Body, Element, Event, EventVisitor, Guid, Node, SystemRef, UserDataTokens, Value};

use super::{JsonState, JsonWriter};

fn with_user_data(nodes: Vec<Node>) -> Event {
    let mut event = Event::default();
    event.system.event_id = 7;
    event.system.provider.name = Some("P".into());
    event.body = Body::UserData(nodes);
    event
}

/// The tree's bytes and the decoded event's, through one state (kept between events).
/// `None` where the writer declines the tree (then it wrote nothing).
fn both(state: &mut JsonState, nodes: Vec<Node>) -> (Option<String>, String) {
    let event = with_user_data(nodes.clone());
    let mut expected = Vec::new();
    super::write_event(&mut expected, state, &event);
    let tokens = UserDataTokens::from_nodes(&nodes).expect("a tree of tokens");
    assert_eq!(tokens.tree().to_nodes(), nodes);
    let mut got = b"before".to_vec();
    let took =
        JsonWriter::new(&mut got, state).user_data(&SystemRef::of(&event.system), &tokens.tree());
    let expected = String::from_utf8(expected).unwrap();
    if !took {
        assert_eq!(got, b"before", "declined, yet written");
        return (None, expected);
    }
    let got = String::from_utf8(got).unwrap();
    (got.strip_prefix("before").map(str::to_owned), expected)
}

fn e(name: &str) -> Element {
    Element::new(name)
}

#[test]
fn trees_write_what_their_events_write() {
    let guid = Value::Guid(Guid::parse("{00112233-4455-6677-8899-AABBCCDDEEFF}").unwrap());
    let trees: Vec<Vec<Node>> = vec![
        // Nothing; an empty text (`<UserData></UserData>`); a lone value, text or number.
        vec![],
        vec![Node::Value(Value::String(String::new().into()))],
        vec![Node::Value("t".into())],
        vec![Node::Value(5u32.into())],
        // The CAPI2 shape: nested elements of attributes.
        vec![Node::Element(
            e("Start")
                .child(e("EventAuxInfo").attr("ProcessName", "Setup.exe"))
                .child(
                    e("CorrelationAuxInfo")
                        .attr("TaskId", "{1CB1}")
                        .attr("SeqNumber", "1"),
                ),
        )],
        // Repeated names, numbered; nested repeats counted per object.
        vec![Node::Element(
            e("R")
                .child(e("A").text("1"))
                .child(e("B"))
                .child(e("A").text(2u32))
                .child(e("A").child(e("A")).child(e("A"))),
        )],
        // Attributes: empty ones left out, numbers, GUIDs, an element of only empty ones.
        vec![Node::Element(
            e("X")
                .attr("empty", "")
                .attr("n", 3u32)
                .attr("neg", -4i32)
                .attr("g", guid.clone())
                .attr("b", true)
                .child(e("Only").attr("x", ""))
                .child(e("Both").attr("k", "v").text("t")),
        )],
        // Empty elements: no children, an empty text, only an empty attribute.
        vec![
            Node::Element(e("E1")),
            Node::Element(e("E2").text("")),
            Node::Element(e("E3").attr("a", "").text("")),
        ],
        // Text beside child elements: one piece a number, one a string, several joined.
        vec![Node::Element(e("M").text(7u32).child(e("C")))],
        vec![Node::Element(e("M").text("a").child(e("C")))],
        vec![Node::Element(
            e("M")
                .text("a")
                .child(e("C"))
                .text(7u32)
                .child(e("D").text(""))
                .text(guid),
        )],
        vec![Node::Element(
            e("M").text("").child(e("C")).text("only").child(e("C")),
        )],
        // Containers without `Data`, and top-level text beside elements.
        vec![
            Node::Value("lead".into()),
            Node::Element(e("EventData").child(e("Other").text("o"))),
            Node::Value("mid".into()),
            Node::Element(e("UserData").attr("a", "1")),
            Node::Value(Value::Byte(1)),
        ],
        // Escapes in names, attribute values and texts.
        vec![Node::Element(
            e("q\"n")
                .attr("a\\b", "x\ny")
                .child(e("T").text("tab\t\u{1}é")),
        )],
    ];
    let mut state = JsonState::default();
    for nodes in trees {
        let label = format!("{nodes:?}");
        let (got, expected) = both(&mut state, nodes);
        assert_eq!(got.as_deref(), Some(expected.as_str()), "{label}");
    }
}

/// A tree with an element named `Data` (a container's rules) is declined wherever it
/// stands; the event is then written whole.
#[test]
fn trees_with_data_are_declined() {
    let data = |n: &str| e("Data").attr("Name", n).text("v");
    let trees: Vec<Vec<Node>> = vec![
        vec![Node::Element(data("x")), Node::Element(data("x"))],
        vec![Node::Element(
            e("EventData").child(data("x")).child(data("x")),
        )],
        vec![Node::Element(e("A").child(e("B").child(data("x"))))],
    ];
    let mut state = JsonState::default();
    for nodes in trees {
        let (got, _) = both(&mut state, nodes);
        assert_eq!(got, None);
    }
}
