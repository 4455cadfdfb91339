//! [`EventBuilder`]: a fluent way to write events.
//!
//! The builder starts from the shape of a manifest-based event as Windows renders it:
//! Version 0, Level 4 (Information), Task 0, Opcode 0, Keywords 0, an empty `<Correlation/>`
//! and an empty `<Security/>`. Execution, TimeCreated, EventRecordID, Channel and Computer are
//! absent until set; the engine fills TimeCreated, EventRecordID and Channel on write.

use std::sync::Arc;

use super::{
    Body, Correlation, DataItem, Element, Event, EventData, Execution, FileTime, Guid, Node,
    Provider, Security, Sid, System, SystemChild, Value,
};

/// Builds an [`Event`]; see the module docs for the starting shape.
#[derive(Clone, Debug)]
#[must_use]
pub struct EventBuilder {
    event: Event,
}

impl EventBuilder {
    pub(crate) fn new(provider: impl Into<String>) -> EventBuilder {
        EventBuilder {
            event: Event {
                system: System {
                    provider: Provider {
                        name: Some(Arc::from(provider.into())),
                        ..Provider::default()
                    },
                    version: Some(0),
                    level: Some(4),
                    task: Some(0),
                    opcode: Some(0),
                    keywords: Some(0),
                    correlation: Some(Correlation::default()),
                    security: Some(Security::default()),
                    ..System::default()
                },
                body: Body::None,
                rendering_info: None,
            },
        }
    }

    fn sys(&mut self) -> &mut System {
        &mut self.event.system
    }

    pub fn provider_guid(mut self, guid: Guid) -> Self {
        self.sys().provider.guid = Some(guid);
        self
    }

    pub fn event_source_name(mut self, name: impl Into<String>) -> Self {
        self.sys().provider.event_source_name = Some(name.into());
        self
    }

    pub fn event_id(mut self, id: u16) -> Self {
        self.sys().event_id = id;
        self
    }

    pub fn qualifiers(mut self, qualifiers: u16) -> Self {
        self.sys().qualifiers = Some(qualifiers);
        self
    }

    pub fn version(mut self, version: u8) -> Self {
        self.sys().version = Some(version);
        self
    }

    pub fn level(mut self, level: u8) -> Self {
        self.sys().level = Some(level);
        self
    }

    pub fn task(mut self, task: u16) -> Self {
        self.sys().task = Some(task);
        self
    }

    pub fn opcode(mut self, opcode: u8) -> Self {
        self.sys().opcode = Some(opcode);
        self
    }

    pub fn keywords(mut self, keywords: u64) -> Self {
        self.sys().keywords = Some(keywords);
        self
    }

    pub fn time_created(mut self, time: FileTime) -> Self {
        self.sys().time_created = Some(time);
        self
    }

    pub fn record_id(mut self, id: u64) -> Self {
        self.sys().event_record_id = Some(id);
        self
    }

    pub fn activity_id(mut self, id: Guid) -> Self {
        self.sys()
            .correlation
            .get_or_insert_with(Correlation::default)
            .activity_id = Some(id);
        self
    }

    pub fn related_activity_id(mut self, id: Guid) -> Self {
        let correlation = self
            .sys()
            .correlation
            .get_or_insert_with(Correlation::default);
        correlation.related_activity_id = Some(id);
        self
    }

    /// Sets `<Execution ProcessID ThreadID/>`.
    pub fn execution(mut self, process_id: u32, thread_id: u32) -> Self {
        let execution = self.sys().execution.get_or_insert_with(Execution::default);
        execution.process_id = process_id;
        execution.thread_id = thread_id;
        self
    }

    /// Sets the full `<Execution>` element, ETL-only attributes included.
    pub fn execution_full(mut self, execution: Execution) -> Self {
        self.sys().execution = Some(execution);
        self
    }

    pub fn channel(mut self, channel: impl Into<String>) -> Self {
        self.sys().channel = Some(Arc::from(channel.into()));
        self
    }

    pub fn computer(mut self, computer: impl Into<String>) -> Self {
        self.sys().computer = Some(Arc::from(computer.into()));
        self
    }

    /// Sets `Security/@UserID`.
    pub fn user_id(mut self, sid: Sid) -> Self {
        self.sys().security = Some(Security { user_id: Some(sid) });
        self
    }

    /// Removes an element the builder starts with (by its System element name:
    /// `Version`, `Level`, `Task`, `Opcode`, `Keywords`, `Correlation`, `Security`).
    pub fn without(mut self, element: &str) -> Self {
        let s = self.sys();
        match SystemChild::from_name(element) {
            Some(SystemChild::Version) => s.version = None,
            Some(SystemChild::Level) => s.level = None,
            Some(SystemChild::Task) => s.task = None,
            Some(SystemChild::Opcode) => s.opcode = None,
            Some(SystemChild::Keywords) => s.keywords = None,
            Some(SystemChild::Correlation) => s.correlation = None,
            Some(SystemChild::Security) => s.security = None,
            Some(SystemChild::Execution) => s.execution = None,
            _ => {}
        }
        self
    }

    fn event_data(&mut self) -> &mut EventData {
        if !matches!(self.event.body, Body::EventData(_)) {
            self.event.body = Body::EventData(EventData::default());
        }
        match &mut self.event.body {
            Body::EventData(d) => d,
            _ => unreachable!("set to EventData just above"),
        }
    }

    /// Appends `<Data Name='name'>value</Data>` to EventData.
    pub fn data(mut self, name: impl Into<std::sync::Arc<str>>, value: impl Into<Value>) -> Self {
        self.event_data().items.push(DataItem::named(name, value));
        self
    }

    /// Appends an unnamed `<Data>value</Data>` to EventData.
    pub fn unnamed_data(mut self, value: impl Into<Value>) -> Self {
        self.event_data().items.push(DataItem::unnamed(value));
        self
    }

    /// Appends `<Binary>HEX</Binary>` to EventData.
    pub fn binary(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.event_data().items.push(DataItem::Binary(bytes.into()));
        self
    }

    /// Makes the body an empty `<EventData></EventData>` if it has none yet.
    pub fn empty_event_data(mut self) -> Self {
        self.event_data();
        self
    }

    /// Sets the body to `<UserData>` holding `element`.
    pub fn user_data(mut self, element: Element) -> Self {
        self.event.body = Body::UserData(vec![Node::Element(element)]);
        self
    }

    /// Sets `<RenderingInfo>` (as forwarded events carry it).
    pub fn rendering_info(mut self, element: Element) -> Self {
        self.event.rendering_info = Some(element);
        self
    }

    pub fn build(self) -> Event {
        self.event
    }
}
