//! What EvtGetPublisherMetadataProperty, EvtGetObjectArrayProperty and
//! EvtGetEventMetadataProperty read from an open publisher (as Windows documents them):
//! the property ids as [`PublisherProperty`] and [`EventProperty`], each publisher
//! property's [`Value`], the object arrays ([`ObjectArray`]: channel references, levels,
//! tasks, opcodes, keywords) and the events' metadata ([`EventMetadata`]), with a
//! template's XML in Windows' shape (`template_xml`).
//!
//! Invariants:
//! - Types are Windows': GUIDs as Guid, paths as String (Null when the publisher names no
//!   such file), message ids as UInt32 with 0xFFFFFFFF for none, keyword masks as UInt64.
//! - Every read checks that the publisher is still installed (15037) first.
//! - A property id that exists but is not one of the object read (an element id asked of
//!   the publisher, a level property asked of the tasks) is
//!   ERROR_EVT_INVALID_PUBLISHER_PROPERTY_VALUE (15024); an index past the array's end is
//!   ERROR_INVALID_PARAMETER (87).
//! - The default publisher's arrays are Winmeta's tables; it has no events.

use super::metadata::PublisherMetadata;
use crate::error::{Error, ErrorKind, Result};
use crate::event::{Guid, Value};
use crate::publisher::winmeta::{self, WinmetaItem};
use crate::publisher::{Template, TemplateItem};

/// EVT_PUBLISHER_METADATA_PROPERTY_ID (0–28).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum PublisherProperty {
    PublisherGuid = 0,
    ResourceFilePath = 1,
    ParameterFilePath = 2,
    MessageFilePath = 3,
    HelpLink = 4,
    PublisherMessageId = 5,
    ChannelReferences = 6,
    ChannelReferencePath = 7,
    ChannelReferenceIndex = 8,
    ChannelReferenceId = 9,
    ChannelReferenceFlags = 10,
    ChannelReferenceMessageId = 11,
    Levels = 12,
    LevelName = 13,
    LevelValue = 14,
    LevelMessageId = 15,
    Tasks = 16,
    TaskName = 17,
    TaskEventGuid = 18,
    TaskValue = 19,
    TaskMessageId = 20,
    Opcodes = 21,
    OpcodeName = 22,
    OpcodeValue = 23,
    OpcodeMessageId = 24,
    Keywords = 25,
    KeywordName = 26,
    KeywordValue = 27,
    KeywordMessageId = 28,
}

/// Every property, in id order.
const PUBLISHER_PROPERTIES: [PublisherProperty; 29] = {
    use PublisherProperty::*;
    [
        PublisherGuid,
        ResourceFilePath,
        ParameterFilePath,
        MessageFilePath,
        HelpLink,
        PublisherMessageId,
        ChannelReferences,
        ChannelReferencePath,
        ChannelReferenceIndex,
        ChannelReferenceId,
        ChannelReferenceFlags,
        ChannelReferenceMessageId,
        Levels,
        LevelName,
        LevelValue,
        LevelMessageId,
        Tasks,
        TaskName,
        TaskEventGuid,
        TaskValue,
        TaskMessageId,
        Opcodes,
        OpcodeName,
        OpcodeValue,
        OpcodeMessageId,
        Keywords,
        KeywordName,
        KeywordValue,
        KeywordMessageId,
    ]
};

impl PublisherProperty {
    /// The property of an id (`None` past 28: EvtPublisherMetadataPropertyIdEND).
    pub fn from_id(id: u32) -> Option<PublisherProperty> {
        PUBLISHER_PROPERTIES.get(id as usize).copied()
    }

    /// Its EVT_PUBLISHER_METADATA_PROPERTY_ID.
    pub fn id(self) -> u32 {
        self as u32
    }

    /// The object array this id opens (6, 12, 16, 21, 25).
    pub fn array(self) -> Option<MetadataArray> {
        MetadataArray::ALL
            .into_iter()
            .find(|a| a.property() == self)
    }

    /// The object array whose elements carry this property (7–11, 13–15, 17–20, 22–24,
    /// 26–28).
    pub fn element_of(self) -> Option<MetadataArray> {
        let id = self.id();
        MetadataArray::ALL
            .into_iter()
            .find(|a| id > a.property().id() && id <= a.property().id() + a.width())
    }
}

/// The object arrays of a publisher.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MetadataArray {
    ChannelReferences,
    Levels,
    Tasks,
    Opcodes,
    Keywords,
}

impl MetadataArray {
    pub const ALL: [MetadataArray; 5] = [
        MetadataArray::ChannelReferences,
        MetadataArray::Levels,
        MetadataArray::Tasks,
        MetadataArray::Opcodes,
        MetadataArray::Keywords,
    ];

    /// The publisher property that opens it.
    pub fn property(self) -> PublisherProperty {
        match self {
            MetadataArray::ChannelReferences => PublisherProperty::ChannelReferences,
            MetadataArray::Levels => PublisherProperty::Levels,
            MetadataArray::Tasks => PublisherProperty::Tasks,
            MetadataArray::Opcodes => PublisherProperty::Opcodes,
            MetadataArray::Keywords => PublisherProperty::Keywords,
        }
    }

    /// How many element properties follow its id.
    fn width(self) -> u32 {
        match self {
            MetadataArray::ChannelReferences => 5,
            MetadataArray::Tasks => 4,
            _ => 3,
        }
    }
}

/// 0xFFFFFFFF for a missing message id.
fn message_id(id: Option<u32>) -> Value {
    Value::UInt32(id.unwrap_or(u32::MAX))
}

fn not_of(what: &str, property: PublisherProperty) -> Error {
    Error::with_message(
        ErrorKind::InvalidPublisherPropertyValue,
        format!(
            "{property:?} ({}) is not a property of {what}",
            property.id()
        ),
    )
}

impl PublisherMetadata {
    /// EvtGetPublisherMetadataProperty of ids 0–5: the publisher's own properties. The
    /// array ids (6, 12, 16, 21, 25) open with [`PublisherMetadata::array`]; element ids
    /// are 15024 here.
    pub fn property(&self, property: PublisherProperty) -> Result<Value> {
        self.check_installed()?;
        let path = |p: Option<&String>| p.map_or(Value::Null, |s| Value::String(s.clone().into()));
        let Some(p) = self.publisher() else {
            // The default publisher has no identity or files of its own.
            return match property {
                PublisherProperty::PublisherGuid => Ok(Value::Guid(Guid::default())),
                PublisherProperty::ResourceFilePath
                | PublisherProperty::ParameterFilePath
                | PublisherProperty::MessageFilePath => Ok(Value::Null),
                PublisherProperty::HelpLink => Ok(Value::String(String::new().into())),
                PublisherProperty::PublisherMessageId => Ok(message_id(None)),
                other => Err(not_of("the publisher (use its object arrays)", other)),
            };
        };
        Ok(match property {
            PublisherProperty::PublisherGuid => Value::Guid(p.guid),
            PublisherProperty::ResourceFilePath => path(p.resource_file.as_ref()),
            PublisherProperty::ParameterFilePath => path(p.parameter_file.as_ref()),
            PublisherProperty::MessageFilePath => path(p.message_file.as_ref()),
            // Windows synthesizes a go.microsoft.com link from the message file's version
            // resource when the manifest sets none; evtlog reads no version resources, so
            // an unset link is the empty string (as wevtutil shows for classic sources).
            PublisherProperty::HelpLink => {
                Value::String(p.help_link.clone().unwrap_or_default().into())
            }
            PublisherProperty::PublisherMessageId => message_id(p.message_id),
            other => return Err(not_of("the publisher (use its object arrays)", other)),
        })
    }

    /// EvtGetPublisherMetadataProperty of an array id: the array's elements as they are now.
    pub fn array(&self, array: MetadataArray) -> Result<ObjectArray> {
        self.check_installed()?;
        let rows = match self.publisher() {
            Some(p) => match array {
                MetadataArray::ChannelReferences => p
                    .channels
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        vec![
                            Value::String(c.name.clone().into()),
                            Value::UInt32(i as u32),
                            Value::UInt32(c.value),
                            Value::UInt32(u32::from(c.imported)),
                            message_id(c.message_id),
                        ]
                    })
                    .collect(),
                MetadataArray::Levels => p
                    .levels
                    .iter()
                    .map(|l| {
                        vec![
                            Value::String(l.name.clone().into()),
                            Value::UInt32(l.value),
                            message_id(l.message_id),
                        ]
                    })
                    .collect(),
                MetadataArray::Tasks => p
                    .tasks
                    .iter()
                    .map(|t| {
                        vec![
                            Value::String(t.name.clone().into()),
                            Value::Guid(t.event_guid),
                            Value::UInt32(t.value),
                            message_id(t.message_id),
                        ]
                    })
                    .collect(),
                MetadataArray::Opcodes => p
                    .opcodes
                    .iter()
                    .map(|o| {
                        vec![
                            Value::String(o.name.clone().into()),
                            Value::UInt32(o.metadata_value()),
                            message_id(o.message_id),
                        ]
                    })
                    .collect(),
                MetadataArray::Keywords => p
                    .keywords
                    .iter()
                    .map(|k| {
                        vec![
                            Value::String(k.name.clone().into()),
                            Value::UInt64(k.mask),
                            message_id(k.message_id),
                        ]
                    })
                    .collect(),
            },
            None => winmeta_rows(array),
        };
        Ok(ObjectArray {
            metadata: self.clone(),
            array,
            rows,
        })
    }

    /// EvtOpenEventMetadataEnum: the publisher's events, in its event table's order. The
    /// default publisher has none, and neither has a classic source: its message ids are
    /// not event metadata (MS-EVEN6: zero items).
    pub fn events(&self) -> Result<Vec<EventMetadata>> {
        self.check_installed()?;
        let count = self
            .publisher()
            .filter(|p| p.classic.is_none())
            .map_or(0, |p| p.events.len());
        Ok((0..count)
            .map(|index| EventMetadata {
                metadata: self.clone(),
                index,
            })
            .collect())
    }
}

/// The default publisher's arrays, from the Winmeta tables.
fn winmeta_rows(array: MetadataArray) -> Vec<Vec<Value>> {
    let simple = |table: &[WinmetaItem]| -> Vec<Vec<Value>> {
        table
            .iter()
            .map(|i| {
                vec![
                    Value::String(i.name.into()),
                    Value::UInt32(i.value as u32),
                    Value::UInt32(i.message_id),
                ]
            })
            .collect()
    };
    match array {
        MetadataArray::ChannelReferences => winmeta::CHANNELS
            .iter()
            .enumerate()
            .map(|(index, c)| {
                vec![
                    Value::String(c.name.into()),
                    Value::UInt32(index as u32),
                    Value::UInt32(c.value as u32),
                    Value::UInt32(0),
                    Value::UInt32(c.message_id),
                ]
            })
            .collect(),
        MetadataArray::Levels => simple(winmeta::LEVELS),
        MetadataArray::Tasks => winmeta::TASKS
            .iter()
            .map(|t| {
                vec![
                    Value::String(t.name.into()),
                    Value::Guid(Guid::default()),
                    Value::UInt32(t.value as u32),
                    Value::UInt32(t.message_id),
                ]
            })
            .collect(),
        // A Winmeta opcode is global: its metadata value is `opcode << 16`.
        MetadataArray::Opcodes => winmeta::OPCODES
            .iter()
            .map(|o| {
                vec![
                    Value::String(o.name.into()),
                    Value::UInt32((o.value as u32) << 16),
                    Value::UInt32(o.message_id),
                ]
            })
            .collect(),
        MetadataArray::Keywords => winmeta::KEYWORDS
            .iter()
            .map(|k| {
                vec![
                    Value::String(k.name.into()),
                    Value::UInt64(k.value),
                    Value::UInt32(k.message_id),
                ]
            })
            .collect(),
    }
}

/// One of a publisher's object arrays (EVT_OBJECT_ARRAY_PROPERTY_HANDLE).
#[derive(Clone, Debug)]
pub struct ObjectArray {
    metadata: PublisherMetadata,
    array: MetadataArray,
    /// Each element's properties, in id order from the array's first element id.
    rows: Vec<Vec<Value>>,
}

impl ObjectArray {
    /// Which array it is.
    pub fn kind(&self) -> MetadataArray {
        self.array
    }

    /// EvtGetObjectArraySize.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when the array has no elements.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// EvtGetObjectArrayProperty: element `index`'s `property` (one of this array's
    /// element ids: 15024 otherwise; an index past the end: 87).
    pub fn property(&self, property: PublisherProperty, index: usize) -> Result<Value> {
        self.metadata.check_installed()?;
        if property.element_of() != Some(self.array) {
            return Err(not_of(&format!("the {:?} array", self.array), property));
        }
        let row = self.rows.get(index).ok_or_else(|| {
            Error::with_message(
                ErrorKind::InvalidParameter,
                format!(
                    "index {index} is past the end of the {:?} array ({} elements)",
                    self.array,
                    self.rows.len()
                ),
            )
        })?;
        let at = (property.id() - self.array.property().id() - 1) as usize;
        Ok(row[at].clone())
    }
}

/// EVT_EVENT_METADATA_PROPERTY_ID (0–8).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum EventProperty {
    Id = 0,
    Version = 1,
    Channel = 2,
    Level = 3,
    Opcode = 4,
    Task = 5,
    Keyword = 6,
    MessageId = 7,
    Template = 8,
}

impl EventProperty {
    pub const ALL: [EventProperty; 9] = [
        EventProperty::Id,
        EventProperty::Version,
        EventProperty::Channel,
        EventProperty::Level,
        EventProperty::Opcode,
        EventProperty::Task,
        EventProperty::Keyword,
        EventProperty::MessageId,
        EventProperty::Template,
    ];

    /// The property of an id (`None` past 8).
    pub fn from_id(id: u32) -> Option<EventProperty> {
        EventProperty::ALL.get(id as usize).copied()
    }
}

/// One event definition of an open publisher (EvtNextEventMetadata).
#[derive(Clone, Debug)]
pub struct EventMetadata {
    metadata: PublisherMetadata,
    /// Its position in the publisher's event list.
    index: usize,
}

impl EventMetadata {
    /// EvtGetEventMetadataProperty.
    pub fn property(&self, property: EventProperty) -> Result<Value> {
        self.metadata.check_installed()?;
        let p = self
            .metadata
            .publisher()
            .expect("only an installed publisher has events");
        let e = &p.events[self.index];
        Ok(match property {
            EventProperty::Id => Value::UInt32(e.value),
            EventProperty::Version => Value::UInt32(u32::from(e.version)),
            EventProperty::Channel => Value::UInt32(e.channel),
            EventProperty::Level => Value::UInt32(e.level),
            EventProperty::Opcode => Value::UInt32(e.opcode),
            EventProperty::Task => Value::UInt32(e.task),
            EventProperty::Keyword => Value::UInt64(e.keywords),
            EventProperty::MessageId => message_id(e.message_id),
            EventProperty::Template => Value::String(
                e.template
                    .and_then(|t| p.templates.get(t))
                    .map(template_xml)
                    .unwrap_or_default()
                    .into(),
            ),
        })
    }
}

/// A template as EventMetadataEventTemplate gives it (Windows' exact template XML):
/// double-quoted attributes, the events namespace on the root, one item per line indented
/// two spaces (a struct's members two more), CR LF after every line. `count`, `length` and
/// `map` follow `outType` when the item has them. An item of a struct is written as
/// `<struct name=".." [count=".."]>` around its members.
pub fn template_xml(template: &Template) -> String {
    let mut out =
        String::from("<template xmlns=\"http://schemas.microsoft.com/win/2004/08/events\">\r\n");
    for item in &template.items {
        write_item(&mut out, item, 1);
    }
    out.push_str("</template>\r\n");
    out
}

fn write_item(out: &mut String, item: &TemplateItem, depth: usize) {
    let indent = "  ".repeat(depth);
    let attr = |out: &mut String, name: &str, value: &str| {
        out.push(' ');
        out.push_str(name);
        out.push_str("=\"");
        crate::event::xml::push_escaped(out, value);
        out.push('"');
    };
    out.push_str(&indent);
    if item.members.is_empty() {
        out.push_str("<data");
        attr(out, "name", &item.name);
        attr(out, "inType", &item.in_type);
        attr(out, "outType", &item.out_type);
    } else {
        out.push_str("<struct");
        attr(out, "name", &item.name);
    }
    for (name, value) in [
        ("count", &item.count),
        ("length", &item.length),
        ("map", &item.map),
    ] {
        if let Some(v) = value {
            attr(out, name, v);
        }
    }
    if item.members.is_empty() {
        out.push_str("/>\r\n");
    } else {
        out.push_str(">\r\n");
        for member in &item.members {
            write_item(out, member, depth + 1);
        }
        out.push_str(&indent);
        out.push_str("</struct>\r\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(name: &str) -> TemplateItem {
        TemplateItem {
            name: name.into(),
            in_type: "win:UnicodeString".into(),
            out_type: "xs:string".into(),
            map: None,
            length: None,
            count: None,
            members: Vec::new(),
        }
    }

    #[test]
    fn template_xml_escapes_attributes_and_an_empty_template_is_two_lines() {
        let template = Template {
            tid: "t".into(),
            items: vec![data("A&B \"quoted\" <x>")],
            user_data: None,
        };
        assert_eq!(
            template_xml(&template),
            "<template xmlns=\"http://schemas.microsoft.com/win/2004/08/events\">\r\n  \
             <data name=\"A&amp;B &quot;quoted&quot; &lt;x&gt;\" inType=\"win:UnicodeString\" \
             outType=\"xs:string\"/>\r\n</template>\r\n"
        );
        let empty = Template {
            items: Vec::new(),
            ..template
        };
        assert_eq!(
            template_xml(&empty),
            "<template xmlns=\"http://schemas.microsoft.com/win/2004/08/events\">\r\n</template>\r\n"
        );
    }

    #[test]
    fn ids_map_to_arrays_and_elements() {
        for id in 0..29 {
            let p = PublisherProperty::from_id(id).unwrap();
            assert_eq!(p.id(), id);
            let is_array = [6, 12, 16, 21, 25].contains(&id);
            assert_eq!(p.array().is_some(), is_array, "{id}");
            assert_eq!(p.element_of().is_some(), id > 6 && !is_array, "{id}");
        }
        assert_eq!(
            PublisherProperty::KeywordMessageId.element_of(),
            Some(MetadataArray::Keywords)
        );
        assert_eq!(
            PublisherProperty::ChannelReferenceMessageId.element_of(),
            Some(MetadataArray::ChannelReferences)
        );
    }
}
