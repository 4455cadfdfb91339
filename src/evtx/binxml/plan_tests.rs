//! Plans against what they are made of: open tags and the shared attribute list against
//! the parsed definition read directly.

use super::*;
use crate::evtx::binxml::parsed::Text;

fn element(name: &str, attributes: Vec<(&str, Vec<TNode>)>, children: Vec<TNode>) -> TNode {
    TNode::Element(TElement::new(
        Arc::from(name),
        None,
        attributes
            .into_iter()
            .map(|(n, v)| (Arc::from(n), v))
            .collect(),
        children,
        false,
    ))
}

fn text(s: &str) -> TNode {
    TNode::Text(Text::Shared(Arc::from(s)))
}

fn subst(index: u16) -> TNode {
    TNode::Subst {
        index,
        optional: false,
    }
}

/// Each `<Data>` item's open tag is the tag its own name renders to: named, unnamed and
/// escaped names, `<Binary>` items between, a first and a last item of each kind.
#[test]
fn each_open_tag_is_its_own_items_tag() {
    let data = |name: Option<&str>, content: Vec<TNode>| {
        let attributes = name.map(|n| vec![("Name", vec![text(n)])]);
        element("Data", attributes.unwrap_or_default(), content)
    };
    let binary = |i| element("Binary", vec![], vec![subst(i)]);
    let shapes: Vec<Vec<TNode>> = vec![
        vec![],
        vec![data(Some("One"), vec![subst(0)])],
        vec![binary(0)],
        vec![
            binary(0),
            data(Some("A"), vec![subst(1)]),
            data(None, vec![]),
            binary(2),
            data(Some("<&'\"é>"), vec![text("t")]),
            data(Some(""), vec![subst(3)]),
            binary(4),
        ],
        (0..40)
            .map(|i| match i % 3 {
                0 => binary(i),
                1 => data(Some(&format!("Name{i}")), vec![subst(i)]),
                _ => data(None, vec![subst(i)]),
            })
            .collect(),
    ];
    for children in shapes {
        let root = element("EventData", vec![], children);
        let TNode::Element(root) = &root else {
            unreachable!()
        };
        let plan = data_plan(root).expect("a plan");
        assert_eq!(plan.items.len(), root.children().len());
        let mut named = 0;
        for item in &plan.items {
            if let ItemPlan::Data { name, open, .. } = item {
                let mut want = String::new();
                crate::event::xml::write_data_open(&mut want, name.as_deref());
                assert_eq!(&**open, want);
                named += 1;
            }
        }
        let data_children = root
            .children()
            .iter()
            .filter(|c| matches!(c, TNode::Element(e) if &*e.name == "Data"))
            .count();
        assert_eq!(named, data_children);
    }
}

/// Each System child's attributes, read from the plan's one list, are the child's own,
/// each as `source` reads its one token: children of no, one and several attributes, in
/// any order, a child with attributes after one without.
#[test]
fn each_system_childs_attributes_are_its_own() {
    let system = element(
        "System",
        vec![],
        vec![
            element(
                "Provider",
                vec![
                    ("Name", vec![subst(0)]),
                    ("Guid", vec![subst(10)]),
                    ("EventSourceName", vec![subst(11)]),
                ],
                vec![],
            ),
            element("EventID", vec![], vec![subst(1)]),
            element(
                "EventID",
                vec![("Qualifiers", vec![subst(2)])],
                vec![subst(3)],
            ),
            element("Level", vec![], vec![subst(4)]),
            element("TimeCreated", vec![("SystemTime", vec![subst(5)])], vec![]),
            element("Channel", vec![], vec![text("Security")]),
            element(
                "Execution",
                vec![("ProcessID", vec![subst(6)]), ("ThreadID", vec![subst(7)])],
                vec![],
            ),
            element(
                "Other",
                vec![("A", vec![text("a")]), ("B", vec![subst(8)])],
                vec![],
            ),
            element("Security", vec![], vec![]),
            element("Security", vec![("UserID", vec![subst(9)])], vec![]),
        ],
    );
    let TNode::Element(system) = &system else {
        unreachable!()
    };
    let plan = system_plan(system).expect("a plan");
    assert_eq!(plan.children.len(), system.children().len());
    for (child, node) in plan.children.iter().zip(system.children()) {
        let TNode::Element(e) = node else {
            unreachable!()
        };
        let want: Vec<String> = e
            .attributes()
            .map(|(n, tokens)| format!("{:?}", (n, source(&tokens[0]).unwrap())))
            .collect();
        let got: Vec<String> = plan
            .attributes(child)
            .iter()
            .map(|a| format!("{a:?}"))
            .collect();
        assert_eq!(got, want, "<{}>", e.name);
    }
    // Typed on the shared list as on the child's own.
    let typed: Vec<String> = plan
        .children
        .iter()
        .map(|c| format!("{:?}", c.typed))
        .collect();
    assert!(typed[0].starts_with("Provider"), "{}", typed[0]);
    assert!(typed[2].starts_with("EventId"), "{}", typed[2]);
    assert!(typed[4].starts_with("TimeCreated"), "{}", typed[4]);
    assert!(typed[6].starts_with("Execution"), "{}", typed[6]);
    assert!(typed[9].starts_with("Security(Some"), "{}", typed[9]);
}
