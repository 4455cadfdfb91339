//! The parsed form of a provider (publisher): everything a manifest, a provider's resource
//! files or a classic event source declares, with message ids resolved to numbers.
//!
//! Every source format (instrumentation manifests, WEVT_TEMPLATE + MESSAGETABLE resources,
//! classic EventMessageFile sources) produces a [`Publisher`]; everything that reads
//! metadata (EvtGetPublisherMetadataProperty, EvtFormatMessage, the producer API, evtutil
//! gp) reads this and nothing else.
//!
//! Invariants:
//! - Lists keep the source's declaration order (the order Windows' resource tables keep,
//!   which EvtGetObjectArrayProperty and EvtNextEventMetadata enumerate).
//! - A message id is `None` where the source declares no message (Windows' 0xFFFFFFFF).
//! - An opcode's metadata value is `(opcode << 16) | task`, task 0 for a global opcode.

use std::collections::BTreeMap;

use crate::event::Guid;

/// One provider: its identity, the files it names, its metadata and its strings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Publisher {
    /// `provider@name` (or a classic source's name).
    pub name: String,
    /// `provider@guid`; the zero GUID for a classic event source.
    pub guid: Guid,
    /// `provider@symbol`.
    pub symbol: Option<String>,
    /// `provider@resourceFileName` (WEVT_TEMPLATE), as written (environment variables kept).
    pub resource_file: Option<String>,
    /// `provider@messageFileName` (MESSAGETABLE), as written.
    pub message_file: Option<String>,
    /// `provider@parameterFileName` (`%%n` strings), as written; `;`-separated files.
    pub parameter_file: Option<String>,
    /// `provider@helpLink`.
    pub help_link: Option<String>,
    /// The provider's display-name message (`provider@message`).
    pub message_id: Option<u32>,
    pub channels: Vec<ChannelRef>,
    /// The levels the provider declares, then the Winmeta levels its events reference.
    pub levels: Vec<Level>,
    pub tasks: Vec<Task>,
    /// Global opcodes and task-specific ones (each with its task).
    pub opcodes: Vec<Opcode>,
    pub keywords: Vec<Keyword>,
    pub maps: Vec<Map>,
    pub templates: Vec<Template>,
    pub events: Vec<EventDefinition>,
    /// The provider's localized strings by message id (what its message file holds).
    pub messages: Messages,
    /// `%%n` parameter strings (what its parameter files hold), by id.
    pub parameters: Messages,
    /// Set for a classic (pre-Vista) event source.
    pub classic: Option<ClassicSource>,
}

/// A channel the provider writes to: defined by it (`channel`) or imported (`importChannel`).
#[derive(Clone, Debug, PartialEq)]
pub struct ChannelRef {
    /// The channel's full name (`Contoso-Demo-Agent/Operational`, `Application`).
    pub name: String,
    /// `chid`, the id events use to name it (defaults to the name).
    pub chid: String,
    /// The channel value events carry (9 for Application, 0x10 for the first defined one).
    pub value: u32,
    /// Imported (EvtChannelReferenceImported, 0x1) rather than defined here.
    pub imported: bool,
    pub message_id: Option<u32>,
    /// A defined channel's declaration (None for an imported one).
    pub definition: Option<ChannelDefinition>,
}

/// What a manifest's `channel` element configures.
#[derive(Clone, Debug, PartialEq)]
pub struct ChannelDefinition {
    /// EVT_CHANNEL_TYPE: Admin 0, Operational 1, Analytic 2, Debug 3 (the engine's
    /// `ChannelType` values; this module sits below the engine).
    pub channel_type: u32,
    pub enabled: bool,
    /// EVT_CHANNEL_ISOLATION_TYPE: Application 0, System 1, Custom 2.
    pub isolation: u32,
    /// `channel@access` (SDDL), if set.
    pub access: Option<String>,
    /// `logging/maxSize` in bytes, if set.
    pub max_size: Option<u64>,
    /// `logging/retention` (true: sequential), if set.
    pub retention: Option<bool>,
    /// `logging/autoBackup`, if set.
    pub auto_backup: Option<bool>,
    /// `publishing/level`, `publishing/keywords`, if set.
    pub level: Option<u32>,
    pub keywords: Option<u64>,
}

/// `level`: a severity (Winmeta's 0–15, a provider's 16–255).
#[derive(Clone, Debug, PartialEq)]
pub struct Level {
    /// The QName as written (`win:Informational`, `Notice`).
    pub name: String,
    pub value: u32,
    pub message_id: Option<u32>,
}

/// `task`.
#[derive(Clone, Debug, PartialEq)]
pub struct Task {
    pub name: String,
    pub value: u32,
    /// `task@eventGUID`; zero when unset.
    pub event_guid: Guid,
    pub message_id: Option<u32>,
}

/// `opcode`: global (task 0) or specific to one task.
#[derive(Clone, Debug, PartialEq)]
pub struct Opcode {
    pub name: String,
    /// The opcode (0–255).
    pub opcode: u8,
    /// The task it belongs to, 0 for a global opcode.
    pub task: u16,
    pub message_id: Option<u32>,
}

impl Opcode {
    /// EvtPublisherMetadataOpcodeValue: `(opcode << 16) | task`.
    pub fn metadata_value(&self) -> u32 {
        (u32::from(self.opcode) << 16) | u32::from(self.task)
    }
}

/// `keyword`: one bit of the 64-bit mask.
#[derive(Clone, Debug, PartialEq)]
pub struct Keyword {
    pub name: String,
    pub mask: u64,
    pub message_id: Option<u32>,
}

/// `valueMap` or `bitMap`.
#[derive(Clone, Debug, PartialEq)]
pub struct Map {
    pub name: String,
    pub kind: MapKind,
    /// (value, message id) in declaration order.
    pub entries: Vec<(u32, Option<u32>)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapKind {
    Value,
    Bit,
}

/// `template`: the items an event's data carries, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Template {
    /// `template@tid` (for a template read from a resource: its GUID, braced).
    pub tid: String,
    pub items: Vec<TemplateItem>,
    /// A `UserData` fragment with `%n` placeholders, as written, if the template has one.
    pub user_data: Option<String>,
}

/// A `data` item of a template (or of a struct).
#[derive(Clone, Debug, PartialEq)]
pub struct TemplateItem {
    pub name: String,
    /// `win:UnicodeString`, `win:UInt32`… as written (with the `win:` prefix).
    pub in_type: String,
    /// The outType, the inType's default filled in (`xs:string`, `win:HexInt32`…).
    pub out_type: String,
    /// `map`: the name of a value or bit map.
    pub map: Option<String>,
    /// `length`: a number, or the name of an earlier item.
    pub length: Option<String>,
    /// `count`: a number, or the name of an earlier item (an array).
    pub count: Option<String>,
    /// A `struct`'s members (empty for a plain `data` item).
    pub members: Vec<TemplateItem>,
}

/// `event`: one event definition (its descriptor and what renders it).
#[derive(Clone, Debug, PartialEq)]
pub struct EventDefinition {
    /// `event@value`. For a classic source, the full 32-bit message id.
    pub value: u32,
    pub version: u8,
    /// The channel value (0 when none).
    pub channel: u32,
    pub level: u32,
    pub task: u32,
    pub opcode: u32,
    /// The keywords' masks OR-ed, the channel bit included.
    pub keywords: u64,
    /// Index into `Publisher::templates`.
    pub template: Option<usize>,
    pub message_id: Option<u32>,
    pub symbol: Option<String>,
}

/// Localized strings by message id: one table per culture (`en-US`, `fr-FR`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Messages {
    /// Culture name (as written, compared case-insensitively) → id → text.
    pub by_culture: BTreeMap<String, BTreeMap<u32, String>>,
}

impl Messages {
    /// Adds one string.
    pub fn insert(&mut self, culture: &str, id: u32, text: impl Into<String>) {
        self.by_culture
            .entry(culture.to_string())
            .or_default()
            .insert(id, text.into());
    }

    /// The cultures present, in name order.
    pub fn cultures(&self) -> impl Iterator<Item = &str> {
        self.by_culture.keys().map(String::as_str)
    }

    /// The table of one culture (case-insensitive).
    pub fn culture(&self, culture: &str) -> Option<&BTreeMap<u32, String>> {
        self.by_culture
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(culture))
            .map(|(_, t)| t)
    }

    /// True when no culture holds a string.
    pub fn is_empty(&self) -> bool {
        self.by_culture.values().all(BTreeMap::is_empty)
    }
}

/// What a classic event source registers (HKLM\...\EventLog\<log>\<source>).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClassicSource {
    /// The log it writes to (`Application`).
    pub log: String,
    /// `EventMessageFile`, `;`-separated, as written.
    pub event_message_file: Option<String>,
    /// `CategoryMessageFile`, and `CategoryCount`.
    pub category_message_file: Option<String>,
    pub category_count: u32,
    /// `ParameterMessageFile`.
    pub parameter_message_file: Option<String>,
}
