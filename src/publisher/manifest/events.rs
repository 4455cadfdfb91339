//! `events`: event definitions (plain `event`, or grouped as `task/opcode/event`), their
//! level, task, opcode, keywords and channel resolved against the provider's items and
//! Winmeta's, their message ids, and the Admin-channel rules.

use super::ids;
use super::provider::{number, required, Builder};
use super::xml::Node;
use crate::error::Result;
use crate::event::parse_u64_auto;
use crate::publisher::model::{EventDefinition, Level, Opcode, Task};
use crate::publisher::winmeta;

/// A level, task or opcode given as a number (at most `max`) where a QName is expected:
/// evtlog's archives write the values a provider's resources give no name (mc's schema
/// wants names; a name that is all digits cannot be a QName, so nothing is shadowed).
fn numeric(text: &str, max: u64) -> Option<u32> {
    parse_u64_auto(text)
        .filter(|v| *v <= max && text.starts_with(|c: char| c.is_ascii_digit()))
        .map(|v| v as u32)
}

/// The most event definitions a provider may have.
pub const MAX_EVENTS: usize = 65_536;

/// The task and opcode a group (`events/task[/opcode]`) gives its events.
#[derive(Clone, Copy, Default)]
struct Group<'n> {
    task: Option<&'n str>,
    opcode: Option<&'n str>,
}

impl Builder<'_, '_> {
    pub(super) fn events(&mut self, events: &Node) -> Result<()> {
        // An explicit stack, not recursion: groups nest at most task/opcode, but a
        // document may nest them further and is read as written.
        let mut pending: Vec<(&Node, Group<'_>)> = events
            .children
            .iter()
            .rev()
            .map(|n| (n, Group::default()))
            .collect();
        while let Some((node, group)) = pending.pop() {
            match node.local.as_str() {
                "event" => self.event(node, group)?,
                "task" | "opcode" => {
                    let name = required(self.doc, node, "name")?;
                    let inner = if node.local == "task" {
                        Group {
                            task: Some(name),
                            opcode: None,
                        }
                    } else {
                        Group {
                            opcode: Some(name),
                            ..group
                        }
                    };
                    pending.extend(node.children.iter().rev().map(|n| (n, inner)));
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn event(&mut self, node: &Node, group: Group<'_>) -> Result<()> {
        if self.built.publisher.events.len() == MAX_EVENTS {
            return Err(self.error(node, format!("more than {MAX_EVENTS} events")));
        }
        let value = number(self.doc, node, "value", 0, 65535)?
            .ok_or_else(|| self.error(node, "<event> needs a value"))? as u16;
        let version = number(self.doc, node, "version", 0, 255)?.unwrap_or(0) as u8;
        if !self.index.events.insert((u32::from(value), version)) {
            return Err(self.error(
                node,
                format!("event {value} version {version} is defined twice"),
            ));
        }
        let level = match node.attr("level") {
            Some(name) => Some(self.level(node, name)?),
            None => None,
        };
        let task = match node.attr("task").or(group.task) {
            Some(name) => self.task(node, name)?,
            None => 0,
        };
        let opcode = match node.attr("opcode").or(group.opcode) {
            Some(name) => self.opcode_of(node, name, task)?,
            None => 0,
        };
        let mut keywords = 0u64;
        for name in node.attr("keywords").unwrap_or("").split_whitespace() {
            keywords |= self.keyword(node, name)?;
        }
        let channel = match node.attr("channel") {
            Some(id) => {
                let channels = &self.built.publisher.channels;
                let index = channels
                    .iter()
                    .position(|c| c.chid == id)
                    .or_else(|| channels.iter().position(|c| c.name == id))
                    .ok_or_else(|| self.error(node, format!("channel {id} is not listed")))?;
                Some(index)
            }
            None => None,
        };
        let template =
            match node.attr("template") {
                Some(tid) => {
                    Some(*self.index.templates.get(tid).ok_or_else(|| {
                        self.error(node, format!("template {tid} is not defined"))
                    })?)
                }
                None => None,
            };
        let (channel_value, legacy, admin) = match channel {
            Some(index) => {
                let c = &self.built.publisher.channels[index];
                keywords |= 1u64 << (63 - index);
                let legacy = c.imported
                    && winmeta::by_value(winmeta::CHANNELS, c.value.into())
                        .is_some_and(|w| w.name.eq_ignore_ascii_case(&c.name));
                let admin = c.definition.as_ref().is_some_and(|d| d.channel_type == 0);
                (c.value, legacy, admin.then(|| c.name.clone()))
            }
            None => (0, false, None),
        };
        let message_id = self.message(node, "message", |_| ids::event(value, version, legacy))?;
        if let Some(name) = admin {
            if message_id.is_none() {
                return Err(self.error(
                    node,
                    format!("event {value} is logged to Admin channel {name} and needs a message"),
                ));
            }
            if !matches!(level, Some(1..=4)) {
                return Err(self.error(
                    node,
                    format!(
                        "event {value} is logged to Admin channel {name}: its level must be win:Critical, win:Error, win:Warning or win:Informational"
                    ),
                ));
            }
        }
        self.built.publisher.events.push(EventDefinition {
            value: u32::from(value),
            version,
            channel: channel_value,
            level: level.unwrap_or(0),
            task,
            opcode,
            keywords,
            template,
            message_id,
            symbol: node.attr("symbol").map(str::to_owned),
        });
        Ok(())
    }

    /// A level QName: the provider's, else Winmeta's (then listed after the provider's).
    fn level(&mut self, node: &Node, name: &str) -> Result<u32> {
        if let Some(l) = self.built.publisher.levels.iter().find(|l| l.name == name) {
            return Ok(l.value);
        }
        if let Some(value) = numeric(name, 255) {
            return Ok(value);
        }
        let item = self
            .doc
            .winmeta_name(name)
            .and_then(|n| winmeta::by_name(winmeta::LEVELS, &n))
            .ok_or_else(|| self.error(node, format!("level {name} is not defined")))?;
        self.use_winmeta("level", item);
        if !self
            .built
            .publisher
            .levels
            .iter()
            .any(|l| l.name == item.name)
        {
            self.built.publisher.levels.push(Level {
                name: item.name.to_owned(),
                value: item.value as u32,
                message_id: Some(item.message_id),
            });
        }
        Ok(item.value as u32)
    }

    fn task(&mut self, node: &Node, name: &str) -> Result<u32> {
        if let Some(&value) = self.index.tasks.get(name) {
            return Ok(u32::from(value));
        }
        if let Some(value) = numeric(name, 65535) {
            return Ok(value);
        }
        let item = self
            .doc
            .winmeta_name(name)
            .and_then(|n| winmeta::by_name(winmeta::TASKS, &n))
            .ok_or_else(|| self.error(node, format!("task {name} is not defined")))?;
        self.use_winmeta("task", item);
        if !self
            .built
            .publisher
            .tasks
            .iter()
            .any(|t| t.name == item.name)
        {
            self.built.publisher.tasks.push(Task {
                name: item.name.to_owned(),
                value: item.value as u32,
                event_guid: Default::default(),
                message_id: Some(item.message_id),
            });
        }
        Ok(item.value as u32)
    }

    /// An opcode QName for an event of `task`: the task's own opcodes, then the global
    /// ones, then Winmeta's. A task-specific opcode needs its task; a global opcode may not
    /// share a value with one of the event's task's own opcodes.
    fn opcode_of(&mut self, node: &Node, name: &str, task: u32) -> Result<u32> {
        let task = u16::try_from(task).unwrap_or(0);
        if task != 0 {
            if let Some(&own) = self.index.opcodes.get(&(task, name.to_owned())) {
                return Ok(u32::from(own));
            }
        }
        if let Some(&owner) = self.index.opcode_owner.get(name) {
            let owner = self
                .index
                .tasks
                .iter()
                .find(|(_, v)| **v == owner)
                .map_or("?", |(n, _)| n.as_str());
            return Err(self.error(
                node,
                format!("opcode {name} belongs to task {owner}, not to the event's task"),
            ));
        }
        if let Some(value) = numeric(name, 255) {
            return Ok(value);
        }
        let value = match self.index.opcodes.get(&(0, name.to_owned())) {
            Some(&global) => global,
            None => {
                let item = self
                    .doc
                    .winmeta_name(name)
                    .and_then(|n| winmeta::by_name(winmeta::OPCODES, &n))
                    .ok_or_else(|| self.error(node, format!("opcode {name} is not defined")))?;
                self.use_winmeta("opcode", item);
                let value = item.value as u8;
                if self
                    .index
                    .opcodes
                    .insert((0, item.name.to_owned()), value)
                    .is_none()
                {
                    self.built.publisher.opcodes.push(Opcode {
                        name: item.name.to_owned(),
                        opcode: value,
                        task: 0,
                        message_id: Some(item.message_id),
                    });
                }
                value
            }
        };
        if task != 0 && self.index.opcode_values.contains(&(task, value)) {
            return Err(self.error(
                node,
                format!(
                    "global opcode {name} shares value {value} with an opcode of the event's task"
                ),
            ));
        }
        Ok(u32::from(value))
    }

    fn keyword(&mut self, node: &Node, name: &str) -> Result<u64> {
        if let Some(k) = self
            .built
            .publisher
            .keywords
            .iter()
            .find(|k| k.name == name)
        {
            return Ok(k.mask);
        }
        if let Some(mask) = name
            .starts_with("0x")
            .then(|| parse_u64_auto(name))
            .flatten()
        {
            return Ok(mask);
        }
        let item = self
            .doc
            .winmeta_name(name)
            .and_then(|n| winmeta::by_name(winmeta::KEYWORDS, &n))
            .ok_or_else(|| self.error(node, format!("keyword {name} is not defined")))?;
        self.use_winmeta("keyword", item);
        Ok(item.value)
    }
}
