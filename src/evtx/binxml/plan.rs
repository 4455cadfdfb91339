//! Plans for the fast path (`fast`): what a template definition says, made once per
//! template and kept with it, so that a record is only its values.
//!
//! Owns the shapes the fast path accepts: an `<Event>` root with a `<System>` of the shape
//! `direct` maps (each child's attributes and content one text, value or substitution),
//! then nothing, a substitution (a nested body), `<UserData>` around one substitution, or an
//! inline `<EventData>`; an `<EventData>` root of `<Data>` (a literal name or none) and
//! `<Binary>` items. A template of any other shape gets [`Plan::Other`].
//!
//! Invariant: a plan says only what the parsed definition says (names, dependency ids,
//! substitution indices, literal text); every rule of how values map is applied at run time
//! by `fast`, with the same rules as the general path.

use std::sync::Arc;

use super::map::Mapper;
use super::parsed::{first_system_is_first, local, TElement, TNode};
use crate::event::{Guid, Provider, System, SystemChild, SystemFields, Value};

/// What the fast path knows of a template definition.
#[derive(Debug)]
pub(super) enum Plan {
    /// The root is `<Event>`: its `<System>` and what stands after it.
    Event { system: SystemPlan, body: BodyPlan },
    /// The root is `<EventData>` (a nested body template).
    Data(DataPlan),
    /// A shape left to the general path.
    Other,
}

/// A template's `<System>`: its dependency id and children, as `direct` accepts them.
#[derive(Debug)]
pub(super) struct SystemPlan {
    pub(super) dep: Option<u16>,
    pub(super) children: Vec<ChildPlan>,
    /// Every child's attributes, one after the other (see [`SystemPlan::attributes`]): one
    /// allocation for the System where a list per child was one each.
    attributes: Vec<(Arc<str>, Source)>,
    /// Every child has a typed setter, each kind once, in the order `write_system` renders
    /// them, with an `<EventID>`: the XML can be written straight from the values.
    pub(super) in_render_order: bool,
    /// The children one set of fields reads (the first set asked for: a query asks for
    /// one set all along).
    selection: std::sync::OnceLock<Selection>,
}

/// The children of a [`SystemPlan`] that one [`SystemFields`] set reads.
#[derive(Debug)]
pub(super) struct Selection {
    fields: SystemFields,
    /// Their indices in `SystemPlan::children`, in order.
    pub(super) children: Box<[usize]>,
    /// How many of an instance's values they (and the System's dependency id) read.
    pub(super) values: usize,
    /// The same children as scalar reads, in order, when each is a typed setter of one or
    /// two fixed-size values and `<System>` itself cannot be dropped: the probe of a scan
    /// then reads them straight from the value descriptors. Always holds an EventID read
    /// when present.
    pub(super) direct: Option<Box<[DirectRead]>>,
}

/// One fixed-size value a [`Selection`] reads into a System field (as `fast::set_typed`).
#[derive(Debug, Clone, Copy)]
pub(super) struct DirectRead {
    pub(super) index: u16,
    pub(super) field: DirectField,
    /// The child's dependency id: a Null value there drops the child (and its reads).
    pub(super) dep: Option<u16>,
}

/// Where a [`DirectRead`] goes; its value type and width are `set_typed`'s.
// Its own list beside the table of System children (`SystemChild`): it has Qualifiers, an
// attribute, and lets the decoder's setter match exhaustively, with no impossible arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum DirectField {
    EventId,
    /// `EventID/@Qualifiers`: Null leaves it unset.
    Qualifiers,
    Version,
    Level,
    Opcode,
    Task,
    Keywords,
    RecordId,
    TimeCreated,
}

impl Selection {
    /// The direct reads of `children` (see [`Selection::direct`]).
    fn direct_reads(plan: &SystemPlan, children: &[usize]) -> Option<Box<[DirectRead]>> {
        if plan.dep.is_some() {
            return None;
        }
        let mut reads = Vec::new();
        for child in children.iter().map(|&i| plan.children.get(i)) {
            let child = child?;
            let dep = child.dep;
            let mut read = |index, field| reads.push(DirectRead { index, field, dep });
            match child.typed {
                Typed::EventId { value, qualifiers } => {
                    // Qualifiers first: `set_typed` checks them before the id.
                    if let Some(q) = qualifiers {
                        read(q, DirectField::Qualifiers);
                    }
                    read(value, DirectField::EventId);
                }
                Typed::Byte(ByteField::Version, i) => read(i, DirectField::Version),
                Typed::Byte(ByteField::Level, i) => read(i, DirectField::Level),
                Typed::Byte(ByteField::Opcode, i) => read(i, DirectField::Opcode),
                Typed::Task(i) => read(i, DirectField::Task),
                Typed::Keywords(i) => read(i, DirectField::Keywords),
                Typed::RecordId(i) => read(i, DirectField::RecordId),
                Typed::TimeCreated(i) => read(i, DirectField::TimeCreated),
                _ => return None,
            }
        }
        // In value order, so the probe finds each value's offset by going on from the last
        // (each read sets its own field, and any failure fails them all: order is free).
        reads.sort_by_key(|r| r.index);
        reads
            .iter()
            .any(|r| r.field == DirectField::EventId)
            .then(|| reads.into_boxed_slice())
    }
}

/// One child of `<System>`: name, dependency id, attributes and content.
#[derive(Debug)]
pub(super) struct ChildPlan {
    pub(super) name: Arc<str>,
    /// Its bit in a [`SystemFields`] set.
    pub(super) bit: u16,
    /// A direct setter for its usual typed shape, tried before the general mapping.
    pub(super) typed: Typed,
    /// For [`Typed::ConstProvider`]: the mapped attributes.
    pub(super) provider: Option<Box<ConstProvider>>,
    /// The highest value index the child reads (dependency id, attributes, content).
    pub(super) last_index: Option<u16>,
    pub(super) dep: Option<u16>,
    /// Where its attributes stand in [`SystemPlan::attributes`].
    attributes: (u32, u32),
    pub(super) content: Source,
}

/// The usual shapes of System children, set straight from the value bytes when the values
/// have the type Windows writes (else the child goes through `Mapper::system_child`, which
/// maps those types the same way).
#[derive(Debug, Clone, Copy)]
pub(super) enum Typed {
    /// `<EventID Qualifiers=%q>%n</EventID>` (UInt16 values).
    EventId {
        value: u16,
        qualifiers: Option<u16>,
    },
    /// `<Version>`, `<Level>`, `<Opcode>` holding one UInt8 substitution.
    Byte(ByteField, u16),
    /// `<Task>%n</Task>`, UInt16.
    Task(u16),
    /// `<Keywords>%n</Keywords>`, HexInt64.
    Keywords(u16),
    /// `<EventRecordID>%n</EventRecordID>`, UInt64.
    RecordId(u16),
    /// `<TimeCreated SystemTime=%n/>`, FILETIME.
    TimeCreated(u16),
    /// `<Execution ProcessID=%p ThreadID=%t/>`, UInt32.
    Execution {
        process: u16,
        thread: u16,
    },
    /// `<Provider Name=%n Guid=%g EventSourceName=%s/>` (any may be missing), Strings and
    /// a GUID.
    Provider {
        name: Option<(u16, bool)>,
        guid: Option<u16>,
        source: Option<(u16, bool)>,
    },
    /// `<Provider>` whose attributes are all literal (as Windows writes classic sources'):
    /// mapped once, in [`ChildPlan::provider`].
    ConstProvider,
    /// `<Channel>` or `<Computer>` holding text, a String substitution, or nothing.
    Text(TextField),
    /// `<Security UserID=%n/>` (or no attribute), SID.
    Security(Option<u16>),
    /// `<Correlation ActivityID=%a RelatedActivityID=%r/>` (either may be missing), GUIDs.
    Correlation {
        activity: Option<u16>,
        related: Option<u16>,
    },
    None,
}

/// The `<System>` children [`Typed::Text`] sets.
// A subset of the table of System children (`SystemChild`), kept so the decoder's setters
// and tags match exhaustively, with no impossible arm on the hot path.
#[derive(Debug, Clone, Copy)]
pub(super) enum TextField {
    Channel,
    Computer,
}

/// The `<System>` children [`Typed::Byte`] sets.
// A subset of the table of System children (`SystemChild`), kept so the decoder's setters
// and tags match exhaustively, with no impossible arm on the hot path.
#[derive(Debug, Clone, Copy)]
pub(super) enum ByteField {
    Version,
    Level,
    Opcode,
}

impl Typed {
    /// Where `write_system` renders this child (`None` for an untyped one): its place in
    /// the table of System children.
    fn render_rank(&self) -> Option<u8> {
        let child = match self {
            Typed::Provider { .. } | Typed::ConstProvider => SystemChild::Provider,
            Typed::EventId { .. } => SystemChild::EventId,
            Typed::Byte(ByteField::Version, _) => SystemChild::Version,
            Typed::Byte(ByteField::Level, _) => SystemChild::Level,
            Typed::Task(_) => SystemChild::Task,
            Typed::Byte(ByteField::Opcode, _) => SystemChild::Opcode,
            Typed::Keywords(_) => SystemChild::Keywords,
            Typed::TimeCreated(_) => SystemChild::TimeCreated,
            Typed::RecordId(_) => SystemChild::EventRecordId,
            Typed::Correlation { .. } => SystemChild::Correlation,
            Typed::Execution { .. } => SystemChild::Execution,
            Typed::Text(TextField::Channel) => SystemChild::Channel,
            Typed::Text(TextField::Computer) => SystemChild::Computer,
            Typed::Security(_) => SystemChild::Security,
            Typed::None => return None,
        };
        Some(child as u8)
    }

    /// The direct setter for a System child named `local`, if it has a usual shape.
    pub(super) fn of(local: &str, attributes: &[(Arc<str>, Source)], content: &Source) -> Typed {
        let subst = |s: &Source| match s {
            Source::Subst { index, .. } => Some(*index),
            _ => None,
        };
        let attr = |name: &str| {
            attributes
                .iter()
                .find(|(n, _)| **n == *name)
                .and_then(|(_, s)| subst(s))
        };
        let (content_index, n) = (subst(content), attributes.len());
        let empty = matches!(content, Source::Empty);
        // Every attribute is one of `names`, each a substitution.
        let only = |names: &[&str]| {
            attributes
                .iter()
                .all(|(n, s)| names.contains(&&**n) && subst(s).is_some())
        };
        let optional = |name: &str| {
            attributes
                .iter()
                .find(|(n, _)| **n == *name)
                .and_then(|(_, s)| match s {
                    Source::Subst { index, optional } => Some((*index, *optional)),
                    _ => None,
                })
        };
        let typed = match (SystemChild::from_name(local), content_index, n) {
            (Some(SystemChild::EventId), Some(value), 0) => Some(Typed::EventId {
                value,
                qualifiers: None,
            }),
            (Some(SystemChild::EventId), Some(value), 1) => {
                attr("Qualifiers").map(|q| Typed::EventId {
                    value,
                    qualifiers: Some(q),
                })
            }
            (Some(SystemChild::Version), Some(i), 0) => Some(Typed::Byte(ByteField::Version, i)),
            (Some(SystemChild::Level), Some(i), 0) => Some(Typed::Byte(ByteField::Level, i)),
            (Some(SystemChild::Opcode), Some(i), 0) => Some(Typed::Byte(ByteField::Opcode, i)),
            (Some(SystemChild::Task), Some(i), 0) => Some(Typed::Task(i)),
            (Some(SystemChild::Keywords), Some(i), 0) => Some(Typed::Keywords(i)),
            (Some(SystemChild::EventRecordId), Some(i), 0) => Some(Typed::RecordId(i)),
            (Some(SystemChild::TimeCreated), None, 1) if matches!(content, Source::Empty) => {
                attr("SystemTime").map(Typed::TimeCreated)
            }
            (Some(SystemChild::Execution), None, 2) if matches!(content, Source::Empty) => {
                match (attr("ProcessID"), attr("ThreadID")) {
                    (Some(process), Some(thread)) => Some(Typed::Execution { process, thread }),
                    _ => None,
                }
            }
            (Some(SystemChild::Provider), None, _)
                if empty && only(&["Name", "Guid", "EventSourceName"]) =>
            {
                Some(Typed::Provider {
                    name: optional("Name"),
                    guid: attr("Guid"),
                    source: optional("EventSourceName"),
                })
            }
            (Some(SystemChild::Channel), _, 0) if !matches!(content, Source::Value(_)) => {
                Some(Typed::Text(TextField::Channel))
            }
            (Some(SystemChild::Computer), _, 0) if !matches!(content, Source::Value(_)) => {
                Some(Typed::Text(TextField::Computer))
            }
            (Some(SystemChild::Security), None, _) if empty && only(&["UserID"]) => {
                Some(Typed::Security(attr("UserID")))
            }
            (Some(SystemChild::Correlation), None, _)
                if empty && only(&["ActivityID", "RelatedActivityID"]) =>
            {
                Some(Typed::Correlation {
                    activity: attr("ActivityID"),
                    related: attr("RelatedActivityID"),
                })
            }
            _ => None,
        };
        typed.unwrap_or(Typed::None)
    }
}

/// A `<Provider>` of literal attributes, each of Name, Guid and EventSourceName at most
/// once, mapped as `Mapper::system_child` maps them: what each present one assigns, and the
/// XML `write_system` writes for a Provider of just those.
#[derive(Debug)]
pub(super) struct ConstProvider {
    pub(super) name: Option<Arc<str>>,
    pub(super) guid: Option<Option<Guid>>,
    pub(super) source: Option<String>,
    pub(super) xml: Box<str>,
}

impl ConstProvider {
    fn of(attributes: &[(Arc<str>, Source)], content: &Source) -> Option<ConstProvider> {
        if !matches!(content, Source::Empty) {
            return None;
        }
        let m = Mapper { at: 0 };
        let mut provider = ConstProvider {
            name: None,
            guid: None,
            source: None,
            xml: Box::default(),
        };
        let mut all = Provider::default();
        for (key, source) in attributes {
            let mut value = match source {
                Source::Text(t) => Value::String(t.to_string().into()),
                Source::Value(v) => v.clone(),
                _ => return None,
            };
            let mut one = System::default();
            let attr = std::iter::once((&**key, &mut value));
            m.system_child(
                &mut one,
                &mut false,
                SystemChild::Provider.name(),
                attr,
                None,
            )
            .ok()?;
            match &**key {
                "Name" if provider.name.is_none() => {
                    provider.name = one.provider.name.clone();
                    all.name = one.provider.name;
                }
                "Guid" if provider.guid.is_none() => {
                    provider.guid = Some(one.provider.guid);
                    all.guid = one.provider.guid;
                }
                "EventSourceName" if provider.source.is_none() => {
                    provider.source = one.provider.event_source_name.clone();
                    all.event_source_name = one.provider.event_source_name;
                }
                _ => return None,
            }
        }
        let mut xml = String::new();
        crate::event::xml::write_provider(&mut xml, &all);
        provider.xml = xml.into_boxed_str();
        Some(provider)
    }
}

/// Where an attribute value or an element's content comes from.
#[derive(Debug)]
pub(super) enum Source {
    Empty,
    /// Shared with the parsed definition (`Text::shared`): no copy.
    Text(Arc<str>),
    Value(Value),
    Subst {
        index: u16,
        optional: bool,
    },
}

/// What follows `<System>` in an `<Event>` template.
#[derive(Debug)]
pub(super) enum BodyPlan {
    /// Nothing.
    None,
    /// A substitution: Null (no body) or a nested BinXml value.
    Subst(u16),
    /// `<UserData>` holding one substitution of a nested BinXml value.
    UserData {
        dep: Option<u16>,
        index: u16,
        empty_tag: bool,
    },
    /// An `<EventData>` written in the template itself.
    Inline(DataPlan),
}

/// An `<EventData>` template element: its literal Name, if any, and its items.
#[derive(Debug)]
pub(super) struct DataPlan {
    pub(super) name: Option<String>,
    pub(super) items: Vec<ItemPlan>,
    /// This plan's number, never given to another plan in the process (see
    /// `visit::DataNames`): a visitor may keep what it derives from the names under it.
    pub(super) id: u64,
}

/// The next [`DataPlan::id`].
static NEXT_DATA_PLAN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// One child of an `<EventData>` template.
#[derive(Debug)]
pub(super) enum ItemPlan {
    /// `<Data [Name='…']>` with its content.
    Data {
        name: Option<Arc<str>>,
        /// `<Data Name='…'>` (or `<Data>`) as rendered, written in one piece.
        open: Box<str>,
        dep: Option<u16>,
        content: Content,
    },
    /// `<Binary>%n</Binary>`.
    Binary { dep: Option<u16>, index: u16 },
}

/// The content of a `<Data>` template element.
#[derive(Debug)]
pub(super) enum Content {
    Empty,
    Text(String),
    Subst(u16),
}

impl Plan {
    /// The plan for a template whose parsed body is `body`.
    pub(super) fn of(body: &[TNode]) -> Plan {
        let [TNode::Element(root)] = body else {
            return Plan::Other;
        };
        match local(&root.name) {
            "Event" => event_plan(root).unwrap_or(Plan::Other),
            "EventData" => data_plan(root).map_or(Plan::Other, Plan::Data),
            _ => Plan::Other,
        }
    }
}

fn event_plan(root: &TElement) -> Option<Plan> {
    if !root
        .attributes()
        .all(|(_, tokens)| tokens.iter().all(|t| matches!(t, TNode::Text(_))))
        || !first_system_is_first(root.children())
    {
        return None;
    }
    let [TNode::Element(first), rest @ ..] = root.children() else {
        return None;
    };
    if local(&first.name) != "System" {
        return None;
    }
    let system = system_plan(first)?;
    let body = match rest {
        [] => BodyPlan::None,
        [TNode::Subst { index, .. }] => BodyPlan::Subst(*index),
        [TNode::Element(e)] if local(&e.name) == "UserData" && !e.has_attributes() => {
            match e.children() {
                [TNode::Subst { index, .. }] => BodyPlan::UserData {
                    dep: e.dep_id,
                    index: *index,
                    empty_tag: e.empty_tag,
                },
                _ => return None,
            }
        }
        [TNode::Element(e)] if local(&e.name) == "EventData" => {
            if e.dep_id.is_some() {
                return None;
            }
            BodyPlan::Inline(data_plan(e)?)
        }
        _ => return None,
    };
    Some(Plan::Event { system, body })
}

/// The plan of a `<System>` of the shape `direct::system` takes (see its docs).
fn system_plan(e: &TElement) -> Option<SystemPlan> {
    if e.has_attributes() {
        return None;
    }
    let mut children = Vec::with_capacity(e.children().len());
    let mut all_attributes = Vec::with_capacity(
        e.children()
            .iter()
            .map(|c| match c {
                TNode::Element(c) => c.attribute_count(),
                _ => 0,
            })
            .sum(),
    );
    for child in e.children() {
        let c = match child {
            TNode::Element(c) => c,
            TNode::Text(_) | TNode::Value(_) | TNode::CData(_) | TNode::Pi { .. } => continue,
            TNode::Subst { .. } | TNode::Nodes(_) | TNode::Attr(_) => return None,
        };
        let content = match c.children() {
            [] => Source::Empty,
            [one] => source(one)?,
            _ => return None,
        };
        let start = all_attributes.len();
        for (name, tokens) in c.attributes() {
            let [one] = tokens else {
                return None;
            };
            all_attributes.push((name.clone(), source(one)?));
        }
        let attributes = all_attributes.get(start..).unwrap_or_default();
        let local_name = local(&c.name);
        let mut typed = Typed::of(local_name, attributes, &content);
        let provider = match typed {
            Typed::None if local_name == SystemChild::Provider.name() => {
                ConstProvider::of(attributes, &content).map(Box::new)
            }
            _ => None,
        };
        if provider.is_some() {
            typed = Typed::ConstProvider;
        }
        let subst = |s: &Source| match s {
            Source::Subst { index, .. } => Some(*index),
            _ => None,
        };
        let last_index = attributes
            .iter()
            .filter_map(|(_, a)| subst(a))
            .chain(subst(&content))
            .chain(c.dep_id)
            .max();
        children.push(ChildPlan {
            typed,
            provider,
            last_index,
            name: c.name.clone(),
            bit: SystemFields::bit_of(local_name),
            dep: c.dep_id,
            attributes: (
                u32::try_from(start).ok()?,
                u32::try_from(all_attributes.len()).ok()?,
            ),
            content,
        });
    }
    Some(SystemPlan {
        dep: e.dep_id,
        in_render_order: in_render_order(&children),
        children,
        attributes: all_attributes,
        selection: std::sync::OnceLock::new(),
    })
}

impl SystemPlan {
    /// The attributes of `child`, one of this plan's children: each name and its source.
    pub(super) fn attributes(&self, child: &ChildPlan) -> &[(Arc<str>, Source)] {
        let (start, end) = child.attributes;
        self.attributes
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }

    /// The children `fields` reads, made once for the first set asked for other than
    /// [`SystemFields::ALL`]; `None` for any other set (the caller then walks every child).
    pub(super) fn selection(&self, fields: SystemFields) -> Option<&Selection> {
        if fields == SystemFields::ALL {
            // Every child: no selection needed, and the one kept stays the query's.
            return None;
        }
        let selection = self.selection.get_or_init(|| {
            let children: Box<[usize]> = (0..self.children.len())
                .filter(|&i| fields.reads(self.children[i].bit))
                .collect();
            let values = children
                .iter()
                .filter_map(|&i| self.children[i].last_index)
                .chain(self.dep)
                .max()
                .map_or(0, |i| usize::from(i) + 1);
            let direct = Selection::direct_reads(self, &children);
            Selection {
                fields,
                children,
                values,
                direct,
            }
        });
        (selection.fields == fields).then_some(selection)
    }
}

/// True if `children` are all typed, each kind at most once, in `write_system`'s order,
/// with an `<EventID>`.
fn in_render_order(children: &[ChildPlan]) -> bool {
    let mut last = None;
    let mut event_id = false;
    for child in children {
        let Some(rank) = child.typed.render_rank() else {
            return false;
        };
        if last.is_some_and(|l| l >= rank) {
            return false;
        }
        event_id |= matches!(child.typed, Typed::EventId { .. });
        last = Some(rank);
    }
    event_id
}

fn source(node: &TNode) -> Option<Source> {
    Some(match node {
        TNode::Text(t) => Source::Text(t.shared()),
        TNode::Value(v) => Source::Value(v.clone()),
        TNode::Subst { index, optional } => Source::Subst {
            index: *index,
            optional: *optional,
        },
        _ => return None,
    })
}

/// The plan of an `<EventData>` element with no attribute or a literal Name, whose children
/// are all `<Data>` (a literal name or none) and `<Binary>` elements of the simple shapes.
fn data_plan(e: &TElement) -> Option<DataPlan> {
    let name = match (e.attribute_count(), e.attributes().next()) {
        (0, _) => None,
        (1, Some((attr, [TNode::Text(t)]))) if &**attr == "Name" => Some(t.to_string()),
        _ => return None,
    };
    let mut items = Vec::with_capacity(e.children().len());
    // Each open tag is written here, then copied out at its exact size.
    let mut open = String::with_capacity(64);
    for child in e.children() {
        let TNode::Element(c) = child else {
            return None;
        };
        let item = match local(&c.name) {
            "Data" => {
                let name = match (c.attribute_count(), c.attributes().next()) {
                    (0, _) => None,
                    (1, Some((attr, [TNode::Text(t)]))) if &**attr == "Name" => Some(t.shared()),
                    _ => return None,
                };
                let content = match c.children() {
                    [] => Content::Empty,
                    [TNode::Text(t)] => Content::Text(t.to_string()),
                    [TNode::Subst { index, .. }] => Content::Subst(*index),
                    _ => return None,
                };
                open.clear();
                crate::event::xml::write_data_open(&mut open, name.as_deref());
                ItemPlan::Data {
                    name,
                    open: open.as_str().into(),
                    dep: c.dep_id,
                    content,
                }
            }
            "Binary" if !c.has_attributes() => match c.children() {
                [TNode::Subst { index, .. }] => ItemPlan::Binary {
                    dep: c.dep_id,
                    index: *index,
                },
                _ => return None,
            },
            _ => return None,
        };
        items.push(item);
    }
    let id = NEXT_DATA_PLAN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    Some(DataPlan { name, items, id })
}

#[cfg(test)]
#[path = "plan_tests.rs"]
mod tests;
