//! One `provider` element: its attributes and its declared items (channels, levels,
//! tasks with their opcodes, global opcodes, keywords, maps), checked as the schema and mc
//! check them; templates and events are read by `templates` and `events` on the same
//! [`Builder`].

use std::collections::{HashMap, HashSet};

use super::ids::{self, Counters};
use super::xml::Node;
use super::{Built, Document, MessageTable};
use crate::error::{Error, Result};
use crate::event::{parse_u64_auto, Guid};
use crate::publisher::model::{
    ChannelDefinition, ChannelRef, Keyword, Level, Map, MapKind, Opcode, Publisher, Task,
};
use crate::publisher::winmeta;

/// The most channels (`channel` and `importChannel`) a provider may list.
pub const MAX_CHANNELS: usize = 8;

/// A provider being read.
pub(super) struct Builder<'d, 't> {
    pub doc: &'d Document<'t>,
    pub node: &'d Node,
    table: &'d MessageTable,
    counters: &'d mut Counters,
    pub built: Built,
    pub index: Index,
}

/// Lookups by name and value for the lists that may be long (a manifest may hold up to a
/// million elements: every check and reference is a hash lookup, never a scan).
#[derive(Default)]
pub(super) struct Index {
    /// Task name → value (Winmeta's once used).
    pub tasks: HashMap<String, u16>,
    pub task_values: HashSet<u16>,
    /// (task, opcode name) → opcode; task 0 for global and Winmeta opcodes.
    pub opcodes: HashMap<(u16, String), u8>,
    pub opcode_values: HashSet<(u16, u8)>,
    /// A task-specific opcode's name → its (first) task.
    pub opcode_owner: HashMap<String, u16>,
    pub maps: HashSet<String>,
    /// Template tid → index in the provider's templates.
    pub templates: HashMap<String, usize>,
    /// (event value, version) pairs defined.
    pub events: HashSet<(u32, u8)>,
}

impl<'d, 't> Builder<'d, 't> {
    /// Reads the provider's attributes (name, guid, files, message).
    pub fn new(
        doc: &'d Document<'t>,
        node: &'d Node,
        table: &'d MessageTable,
        counters: &'d mut Counters,
    ) -> Result<Builder<'d, 't>> {
        let name = required(doc, node, "name")?;
        if name.chars().count() > 255
            || name
                .chars()
                .any(|c| (c as u32) < 32 || "><&\"|\\:?*`".contains(c))
        {
            return Err(doc.error(
                node,
                format!(
                    "provider name '{name}' is over 255 characters or holds one of > < & \" | \\ : ? * ` or a control character"
                ),
            ));
        }
        let guid_text = required(doc, node, "guid")?;
        let guid = Guid::parse(guid_text)
            .ok_or_else(|| doc.error(node, format!("provider guid '{guid_text}' is not a GUID")))?;
        let text = |a: &str| node.attr(a).map(str::to_owned);
        let publisher = Publisher {
            name: name.to_owned(),
            guid,
            symbol: text("symbol"),
            resource_file: text("resourceFileName"),
            message_file: text("messageFileName"),
            parameter_file: text("parameterFileName"),
            help_link: text("helpLink"),
            ..Publisher::default()
        };
        let mut builder = Builder {
            doc,
            node,
            table,
            counters,
            built: Built {
                publisher,
                uses: Vec::new(),
                winmeta_uses: Vec::new(),
            },
            index: Index::default(),
        };
        builder.built.publisher.message_id = builder.message(node, "message", Counters::name)?;
        Ok(builder)
    }

    /// Reads every item, then the templates and events that reference them.
    pub fn build(mut self) -> Result<Built> {
        let node = self.node;
        let sections = |local: &'d str| node.children_named(local);
        for channels in sections("channels") {
            self.channels(channels)?;
        }
        for levels in sections("levels") {
            self.levels(levels)?;
        }
        for tasks in sections("tasks") {
            self.tasks(tasks)?;
        }
        for opcodes in sections("opcodes") {
            for opcode in opcodes.children_named("opcode") {
                self.opcode(opcode, 0)?;
            }
        }
        for keywords in sections("keywords") {
            self.keywords(keywords)?;
        }
        for maps in sections("maps") {
            self.maps(maps)?;
        }
        for templates in sections("templates") {
            self.templates(templates)?;
        }
        for events in sections("events") {
            self.events(events)?;
        }
        Ok(self.built)
    }

    pub fn error(&self, node: &Node, message: impl Into<String>) -> Error {
        self.doc.error(node, message)
    }

    /// The id of the message named by `attr` (a `$(string.x)` reference), if any: the
    /// `messageTable`'s explicit id for that string, else `computed`'s (mod.rs invariant 3).
    pub fn message(
        &mut self,
        node: &Node,
        attr: &str,
        computed: impl FnOnce(&mut Counters) -> u32,
    ) -> Result<Option<u32>> {
        let Some(string) = self.doc.string_ref(node, attr)? else {
            return Ok(None);
        };
        let id = match self.table.get(&string) {
            Some(&(explicit, _)) => explicit,
            None => computed(self.counters),
        };
        self.built.uses.push((id, string, node.offset));
        Ok(Some(id))
    }

    /// Records that a Winmeta item is used, so that its string (if the manifest supplies
    /// one, as `<kind>.<Name>`) joins the provider's messages.
    pub fn use_winmeta(&mut self, kind: &str, item: &winmeta::WinmetaItem) {
        if self
            .built
            .winmeta_uses
            .iter()
            .any(|(id, _)| *id == item.message_id)
        {
            return;
        }
        let local = item.name.strip_prefix("win:").unwrap_or(item.name);
        let mut candidates = vec![format!("{kind}.{local}")];
        let compact: String = item.display.split_whitespace().collect();
        if compact != local {
            candidates.push(format!("{kind}.{compact}"));
        }
        self.built.winmeta_uses.push((item.message_id, candidates));
    }

    /// A Winmeta item listed where the provider's own are declared, with no value
    /// (`<level name="win:Critical"/>`): evtlog's archives list the Winmeta items a
    /// provider's resources list, in their place (mc's schema has no such form). Its
    /// message is the one given, else Winmeta's id.
    fn winmeta_listed(
        &mut self,
        node: &Node,
        kind: &str,
        table: &'static [winmeta::WinmetaItem],
        value_attr: &str,
    ) -> Result<Option<(&'static winmeta::WinmetaItem, Option<u32>)>> {
        if node.attr(value_attr).is_some() {
            return Ok(None);
        }
        let Some(item) = node
            .attr("name")
            .and_then(|name| self.doc.winmeta_name(name))
            .and_then(|name| winmeta::by_name(table, &name))
        else {
            return Ok(None);
        };
        self.use_winmeta(kind, item);
        let message_id = self.message(node, "message", |_| item.message_id)?;
        Ok(Some((item, message_id.or(Some(item.message_id)))))
    }

    fn channels(&mut self, channels: &Node) -> Result<()> {
        let mut explicit: Vec<u32> = Vec::new();
        let mut pending: Vec<usize> = Vec::new();
        for node in &channels.children {
            let imported = match node.local.as_str() {
                "channel" => false,
                "importChannel" => true,
                _ => continue,
            };
            let index = self.built.publisher.channels.len();
            if index == MAX_CHANNELS {
                return Err(self.error(
                    node,
                    format!("a provider may list at most {MAX_CHANNELS} channels"),
                ));
            }
            let name = required(self.doc, node, "name")?.to_owned();
            if name.trim().is_empty() {
                return Err(self.error(node, "channel name is empty"));
            }
            let chid = node.attr("chid").unwrap_or(&name).to_owned();
            if let Some(other) = self
                .built
                .publisher
                .channels
                .iter()
                .find(|c| c.chid == chid || c.name.eq_ignore_ascii_case(&name))
            {
                return Err(self.error(
                    node,
                    format!(
                        "channel {name} (chid {chid}) repeats channel {}",
                        other.name
                    ),
                ));
            }
            let legacy = imported
                .then(|| {
                    winmeta::CHANNELS
                        .iter()
                        .find(|c| c.name.eq_ignore_ascii_case(&name))
                })
                .flatten();
            let value = match (legacy, node.attr("value")) {
                (Some(item), _) => {
                    self.use_winmeta("channel", item);
                    item.value as u32
                }
                (None, Some(_)) if imported => {
                    return Err(self.error(node, "<importChannel> takes no value"))
                }
                (None, Some(_)) => {
                    let v = number(self.doc, node, "value", 16, 255)?.unwrap_or(0) as u32;
                    if explicit.contains(&v) {
                        return Err(self.error(node, format!("channel value {v} is used twice")));
                    }
                    explicit.push(v);
                    v
                }
                (None, None) => {
                    pending.push(index);
                    0
                }
            };
            let definition = if imported {
                None
            } else {
                Some(self.channel_definition(node)?)
            };
            // mc's schema gives importChannel no message; evtlog's archives write one for
            // a provider whose resources name one (a resource's imported channels carry
            // message ids), and it is read as explicit ids are (never numbered here).
            let message_id = if imported && node.attr("message").is_none() {
                None
            } else {
                self.message(node, "message", Counters::name)?
            };
            self.built.publisher.channels.push(ChannelRef {
                name,
                chid,
                value,
                imported,
                message_id,
                definition,
            });
        }
        // mc numbers the channels without a value from 0x10, skipping the values given.
        let mut next = 0x10u32;
        for index in pending {
            while explicit.contains(&next) {
                next += 1;
            }
            self.built.publisher.channels[index].value = next;
            next += 1;
        }
        Ok(())
    }

    fn channel_definition(&self, node: &Node) -> Result<ChannelDefinition> {
        let channel_type = match required(self.doc, node, "type")? {
            "Admin" => 0,
            "Operational" => 1,
            "Analytic" => 2,
            "Debug" => 3,
            other => {
                return Err(self.error(
                    node,
                    format!("channel type '{other}' is not Admin, Operational, Analytic or Debug"),
                ))
            }
        };
        let isolation = match node.attr("isolation") {
            None | Some("Application") => 0,
            Some("System") => 1,
            Some("Custom") => 2,
            Some(other) => {
                return Err(self.error(
                    node,
                    format!("isolation '{other}' is not Application, System or Custom"),
                ))
            }
        };
        let mut definition = ChannelDefinition {
            channel_type,
            enabled: boolean(self.doc, node, node.attr("enabled"), "enabled")?.unwrap_or(false),
            isolation,
            access: node.attr("access").map(str::to_owned),
            max_size: None,
            retention: None,
            auto_backup: None,
            level: None,
            keywords: None,
        };
        for logging in node.children_named("logging") {
            for setting in &logging.children {
                let value = setting.text.trim();
                match setting.local.as_str() {
                    "maxSize" => {
                        definition.max_size = Some(parse_u64_auto(value).ok_or_else(|| {
                            self.error(setting, format!("maxSize '{value}' is not a number"))
                        })?)
                    }
                    "retention" => {
                        definition.retention = boolean(self.doc, setting, Some(value), "retention")?
                    }
                    "autoBackup" => {
                        definition.auto_backup =
                            boolean(self.doc, setting, Some(value), "autoBackup")?
                    }
                    _ => {}
                }
            }
        }
        if definition.auto_backup == Some(true) && definition.retention != Some(true) {
            return Err(self.error(node, "autoBackup needs retention true"));
        }
        for publishing in node.children_named("publishing") {
            for setting in &publishing.children {
                let value = setting.text.trim();
                let parsed = parse_u64_auto(value);
                match setting.local.as_str() {
                    "level" => {
                        definition.level = Some(parsed.filter(|l| *l <= 255).ok_or_else(|| {
                            self.error(setting, format!("level '{value}' is not 0-255"))
                        })? as u32)
                    }
                    "keywords" => {
                        definition.keywords = Some(parsed.ok_or_else(|| {
                            self.error(setting, format!("keywords '{value}' is not a number"))
                        })?)
                    }
                    _ => {}
                }
            }
        }
        Ok(definition)
    }

    fn levels(&mut self, levels: &Node) -> Result<()> {
        for node in levels.children_named("level") {
            if let Some((item, message_id)) =
                self.winmeta_listed(node, "level", winmeta::LEVELS, "value")?
            {
                self.built.publisher.levels.push(Level {
                    name: item.name.to_owned(),
                    value: item.value as u32,
                    message_id,
                });
                continue;
            }
            let name = required(self.doc, node, "name")?.to_owned();
            let value = number(self.doc, node, "value", 16, 255)?
                .ok_or_else(|| self.error(node, format!("level {name} has no value")))?
                as u8;
            if let Some(other) = self
                .built
                .publisher
                .levels
                .iter()
                .find(|l| l.name == name || l.value == u32::from(value))
            {
                return Err(self.error(
                    node,
                    format!("level {name} ({value}) repeats level {}", other.name),
                ));
            }
            let message_id = self.message(node, "message", |_| ids::level(value))?;
            self.built.publisher.levels.push(Level {
                name,
                value: u32::from(value),
                message_id,
            });
        }
        Ok(())
    }

    fn tasks(&mut self, tasks: &Node) -> Result<()> {
        for node in tasks.children_named("task") {
            if let Some((item, message_id)) =
                self.winmeta_listed(node, "task", winmeta::TASKS, "value")?
            {
                self.index
                    .tasks
                    .insert(item.name.to_owned(), item.value as u16);
                self.built.publisher.tasks.push(Task {
                    name: item.name.to_owned(),
                    value: item.value as u32,
                    event_guid: Guid::default(),
                    message_id,
                });
                continue;
            }
            let name = required(self.doc, node, "name")?.to_owned();
            let value = number(self.doc, node, "value", 1, 65535)?
                .ok_or_else(|| self.error(node, format!("task {name} has no value")))?
                as u16;
            if self.index.tasks.contains_key(&name) || !self.index.task_values.insert(value) {
                return Err(self.error(
                    node,
                    format!("task {name} ({value}) repeats an earlier task's name or value"),
                ));
            }
            self.index.tasks.insert(name.clone(), value);
            let event_guid = match node.attr("eventGUID") {
                None => Guid::default(),
                Some(text) => Guid::parse(text)
                    .ok_or_else(|| self.error(node, format!("eventGUID '{text}' is not a GUID")))?,
            };
            let message_id = self.message(node, "message", |_| ids::task(value))?;
            self.built.publisher.tasks.push(Task {
                name,
                value: u32::from(value),
                event_guid,
                message_id,
            });
            for opcodes in node.children_named("opcodes") {
                for opcode in opcodes.children_named("opcode") {
                    self.opcode(opcode, value)?;
                }
            }
        }
        Ok(())
    }

    /// A global opcode (`task` 0) or one specific to `task`.
    fn opcode(&mut self, node: &Node, task: u16) -> Result<()> {
        if task == 0 {
            if let Some((item, message_id)) =
                self.winmeta_listed(node, "opcode", winmeta::OPCODES, "value")?
            {
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
                        message_id,
                    });
                }
                return Ok(());
            }
        }
        let name = required(self.doc, node, "name")?.to_owned();
        let value = number(self.doc, node, "value", 10, 239)?
            .ok_or_else(|| self.error(node, format!("opcode {name} has no value")))?
            as u8;
        let key = (task, name.clone());
        if self.index.opcodes.contains_key(&key) || !self.index.opcode_values.insert((task, value))
        {
            return Err(self.error(
                node,
                format!("opcode {name} ({value}) repeats an earlier opcode's name or value"),
            ));
        }
        self.index.opcodes.insert(key, value);
        if task != 0 {
            self.index.opcode_owner.entry(name.clone()).or_insert(task);
        }
        let message_id = self.message(node, "message", |_| ids::opcode(value, task))?;
        self.built.publisher.opcodes.push(Opcode {
            name,
            opcode: value,
            task,
            message_id,
        });
        Ok(())
    }

    fn keywords(&mut self, keywords: &Node) -> Result<()> {
        for node in keywords.children_named("keyword") {
            if let Some((item, message_id)) =
                self.winmeta_listed(node, "keyword", winmeta::KEYWORDS, "mask")?
            {
                self.built.publisher.keywords.push(Keyword {
                    name: item.name.to_owned(),
                    mask: item.value,
                    message_id,
                });
                continue;
            }
            let name = required(self.doc, node, "name")?.to_owned();
            let text = required(self.doc, node, "mask")?;
            let mask = parse_u64_auto(text)
                .filter(|m| m.count_ones() == 1 && m.trailing_zeros() <= 47)
                .ok_or_else(|| {
                    self.error(
                        node,
                        format!("keyword {name}: mask '{text}' is not one bit of bits 0-47"),
                    )
                })?;
            if let Some(other) = self
                .built
                .publisher
                .keywords
                .iter()
                .find(|k| k.name == name || k.mask == mask)
            {
                return Err(self.error(
                    node,
                    format!("keyword {name} ({mask:#x}) repeats keyword {}", other.name),
                ));
            }
            let message_id = self.message(node, "message", |_| ids::keyword(mask))?;
            self.built.publisher.keywords.push(Keyword {
                name,
                mask,
                message_id,
            });
        }
        Ok(())
    }

    fn maps(&mut self, maps: &Node) -> Result<()> {
        for node in &maps.children {
            let kind = match node.local.as_str() {
                "valueMap" => MapKind::Value,
                "bitMap" => MapKind::Bit,
                _ => continue,
            };
            let name = required(self.doc, node, "name")?.to_owned();
            if !self.index.maps.insert(name.clone()) {
                return Err(self.error(node, format!("map {name} is defined twice")));
            }
            let mut entries: Vec<(u32, Option<u32>)> = Vec::new();
            let mut values = HashSet::new();
            for entry in node.children_named("map") {
                let text = required(self.doc, entry, "value")?;
                let value = parse_u64_auto(text)
                    .and_then(|v| u32::try_from(v).ok())
                    .filter(|v| kind == MapKind::Value || v.count_ones() == 1)
                    .ok_or_else(|| {
                        let need = match kind {
                            MapKind::Value => "a 32-bit number",
                            MapKind::Bit => "one bit of 32",
                        };
                        self.error(entry, format!("map {name}: value '{text}' is not {need}"))
                    })?;
                if !values.insert(value) {
                    return Err(self.error(
                        entry,
                        format!("map {name}: value {value:#x} is given twice"),
                    ));
                }
                let computed = match kind {
                    MapKind::Value => Counters::value_map,
                    MapKind::Bit => Counters::bit_map,
                };
                let message_id = self.message(entry, "message", computed)?;
                if message_id.is_none() {
                    return Err(self.error(entry, format!("map {name}: an entry needs a message")));
                }
                entries.push((value, message_id));
            }
            self.built.publisher.maps.push(Map {
                name,
                kind,
                entries,
            });
        }
        Ok(())
    }
}

/// A required attribute.
pub(super) fn required<'n>(doc: &Document<'_>, node: &'n Node, attr: &str) -> Result<&'n str> {
    node.attr(attr)
        .ok_or_else(|| doc.error(node, format!("<{}> needs {attr}", node.local)))
}

/// An optional numeric attribute (decimal or `0x` hex) within `min..=max`.
pub(super) fn number(
    doc: &Document<'_>,
    node: &Node,
    attr: &str,
    min: u64,
    max: u64,
) -> Result<Option<u64>> {
    let Some(text) = node.attr(attr) else {
        return Ok(None);
    };
    match parse_u64_auto(text) {
        Some(v) if (min..=max).contains(&v) => Ok(Some(v)),
        _ => Err(doc.error(
            node,
            format!(
                "<{}> {attr}=\"{text}\" is not a number in {min}-{max}",
                node.local
            ),
        )),
    }
}

/// A boolean (`true`/`false`/`1`/`0`), if given.
fn boolean(
    doc: &Document<'_>,
    node: &Node,
    text: Option<&str>,
    what: &str,
) -> Result<Option<bool>> {
    match text.map(str::trim) {
        None => Ok(None),
        Some("true") | Some("1") => Ok(Some(true)),
        Some("false") | Some("0") => Ok(Some(false)),
        Some(other) => Err(doc.error(node, format!("{what} '{other}' is not true or false"))),
    }
}
