//! Publisher and event metadata: EvtOpenPublisherEnum, EvtNextPublisherId,
//! EvtOpenPublisherMetadata, EvtGetPublisherMetadataProperty, EvtGetObjectArraySize,
//! EvtGetObjectArrayProperty, EvtOpenEventMetadataEnum, EvtNextEventMetadata and
//! EvtGetEventMetadataProperty.
//!
//! Invariants:
//! - Handles nest as Windows closes them: a metadata handle is a child of its session, its
//!   object arrays and event-metadata enumerators are its children, and the event metadata
//!   an enumerator returns are the enumerator's; closing a parent closes them all.
//! - An object-array handle is made only once its variant fits the caller's buffer, so the
//!   size probe leaves nothing to close.
//! - Enumerators do not advance on ERROR_INSUFFICIENT_BUFFER (EvtNextPublisherId) and end
//!   with ERROR_NO_MORE_ITEMS (259).

use parking_lot::Mutex;

use super::faults;
use super::handles::{self, EVT_HANDLE};
use super::lookup::{object, session};
use super::object::{NameEnum, Object};
use super::status::{self, invalid_handle, invalid_parameter, Fail, Outcome, BOOL};
use super::variant::{self, put_variants};
use crate::engine::{EventProperty, PublisherMetadata, PublisherProperty};
use crate::error::codes::{ERROR_INSUFFICIENT_BUFFER, ERROR_NO_MORE_ITEMS};

/// EVT_PUBLISHER_METADATA_PROPERTY_ID.
pub const EvtPublisherMetadataPublisherGuid: u32 = 0;
pub const EvtPublisherMetadataResourceFilePath: u32 = 1;
pub const EvtPublisherMetadataParameterFilePath: u32 = 2;
pub const EvtPublisherMetadataMessageFilePath: u32 = 3;
pub const EvtPublisherMetadataHelpLink: u32 = 4;
pub const EvtPublisherMetadataPublisherMessageID: u32 = 5;
pub const EvtPublisherMetadataChannelReferences: u32 = 6;
pub const EvtPublisherMetadataChannelReferencePath: u32 = 7;
pub const EvtPublisherMetadataChannelReferenceIndex: u32 = 8;
pub const EvtPublisherMetadataChannelReferenceID: u32 = 9;
pub const EvtPublisherMetadataChannelReferenceFlags: u32 = 10;
pub const EvtPublisherMetadataChannelReferenceMessageID: u32 = 11;
pub const EvtPublisherMetadataLevels: u32 = 12;
pub const EvtPublisherMetadataLevelName: u32 = 13;
pub const EvtPublisherMetadataLevelValue: u32 = 14;
pub const EvtPublisherMetadataLevelMessageID: u32 = 15;
pub const EvtPublisherMetadataTasks: u32 = 16;
pub const EvtPublisherMetadataTaskName: u32 = 17;
pub const EvtPublisherMetadataTaskEventGuid: u32 = 18;
pub const EvtPublisherMetadataTaskValue: u32 = 19;
pub const EvtPublisherMetadataTaskMessageID: u32 = 20;
pub const EvtPublisherMetadataOpcodes: u32 = 21;
pub const EvtPublisherMetadataOpcodeName: u32 = 22;
pub const EvtPublisherMetadataOpcodeValue: u32 = 23;
pub const EvtPublisherMetadataOpcodeMessageID: u32 = 24;
pub const EvtPublisherMetadataKeywords: u32 = 25;
pub const EvtPublisherMetadataKeywordName: u32 = 26;
pub const EvtPublisherMetadataKeywordValue: u32 = 27;
pub const EvtPublisherMetadataKeywordMessageID: u32 = 28;
/// EVT_CHANNEL_REFERENCE_FLAGS.
pub const EvtChannelReferenceImported: u32 = 1;
/// EVT_EVENT_METADATA_PROPERTY_ID.
pub const EventMetadataEventID: u32 = 0;
pub const EventMetadataEventVersion: u32 = 1;
pub const EventMetadataEventChannel: u32 = 2;
pub const EventMetadataEventLevel: u32 = 3;
pub const EventMetadataEventOpcode: u32 = 4;
pub const EventMetadataEventTask: u32 = 5;
pub const EventMetadataEventKeyword: u32 = 6;
pub const EventMetadataEventMessageID: u32 = 7;
pub const EventMetadataEventTemplate: u32 = 8;

fn reserved(flags: u32, function: &str) -> Outcome {
    if flags != 0 {
        return Err(invalid_parameter(format!(
            "{function}'s Flags are reserved (0)"
        )));
    }
    Ok(())
}

/// EvtOpenPublisherEnum: the installed publishers' names, in installation order (Windows'
/// list is not sorted).
pub fn EvtOpenPublisherEnum(session: EVT_HANDLE, flags: u32) -> EVT_HANDLE {
    status::handle((|| -> Outcome<EVT_HANDLE> {
        let _fault = faults::enter("EvtOpenPublisherEnum", |a| {
            a.handle("Session", session).u32("Flags", flags);
        })?;
        let engine = self::session(session)?.engine().clone();
        reserved(flags, "EvtOpenPublisherEnum")?;
        let names = engine
            .publishers()
            .list()
            .iter()
            .map(|p| p.name.clone())
            .collect();
        Ok(handles::insert(
            Object::PublisherEnum(NameEnum::new(names)),
            session,
        ))
    })())
}

/// EvtNextPublisherId: the next publisher name as UTF-16 with its NUL (sizes in
/// characters). Too small is ERROR_INSUFFICIENT_BUFFER with `*used` the characters needed,
/// and the same name comes again on the retry; the end is ERROR_NO_MORE_ITEMS (259).
pub fn EvtNextPublisherId(publisher_enum: EVT_HANDLE, buffer: &mut [u16], used: &mut u32) -> BOOL {
    status::boolean((|| -> Outcome {
        let _fault = faults::enter("EvtNextPublisherId", |a| {
            a.handle("PublisherEnum", publisher_enum)
                .size("BufferSize", buffer.len());
        })?;
        let object = object(publisher_enum)?;
        let Object::PublisherEnum(state) = &*object else {
            return Err(invalid_handle("a publisher enumerator handle was expected"));
        };
        state.next_into(buffer, used).map_err(Fail::Code)
    })())
}

/// EvtOpenPublisherMetadata: a publisher's metadata (`publisher_id` NULL: the default
/// publisher, Winmeta) in `locale` (0: the fallback chain). With `log_file_path` the
/// metadata EvtArchiveExportedLog archived beside that exported log is read, falling back
/// to the installed publisher when the archive does not hold it (the file must exist: 2 or
/// 3). An unknown publisher is ERROR_EVT_PUBLISHER_METADATA_NOT_FOUND (15002).
pub fn EvtOpenPublisherMetadata(
    session: EVT_HANDLE,
    publisher_id: Option<&str>,
    log_file_path: Option<&str>,
    locale: u32,
    flags: u32,
) -> EVT_HANDLE {
    status::handle((|| -> Outcome<EVT_HANDLE> {
        let _fault = faults::enter("EvtOpenPublisherMetadata", |a| {
            a.handle("Session", session)
                .str("PublisherId", publisher_id)
                .str("LogFilePath", log_file_path)
                .u32("Locale", locale)
                .u32("Flags", flags);
        })?;
        let engine = self::session(session)?.engine().clone();
        reserved(flags, "EvtOpenPublisherMetadata")?;
        let metadata = match log_file_path {
            Some(path) => engine.open_publisher_metadata_in_file(publisher_id, path, locale)?,
            None => engine.open_publisher_metadata(publisher_id, locale)?,
        };
        Ok(handles::insert(
            Object::PublisherMetadata(metadata),
            session,
        ))
    })())
}

/// The metadata behind a handle.
fn metadata_of(object: &Object) -> Result<&PublisherMetadata, Fail> {
    match object {
        Object::PublisherMetadata(m) => Ok(m),
        other => Err(invalid_handle(&format!(
            "a publisher metadata handle was expected, not {}",
            other.kind()
        ))),
    }
}

/// EvtGetPublisherMetadataProperty: ids 0–5 as their values; 6, 12, 16, 21 and 25 as an
/// EvtVarTypeEvtHandle object array (a child of `metadata`, to EvtClose); an element id
/// (7–11, 13–15, 17–20, 22–24, 26–28) is ERROR_EVT_INVALID_PUBLISHER_PROPERTY_VALUE
/// (15024); past 28, ERROR_INVALID_PARAMETER.
pub fn EvtGetPublisherMetadataProperty(
    metadata: EVT_HANDLE,
    property_id: u32,
    flags: u32,
    buffer: &mut [u8],
    used: &mut u32,
) -> BOOL {
    status::boolean((|| -> Outcome {
        let _fault = faults::enter("EvtGetPublisherMetadataProperty", |a| {
            a.handle("PublisherMetadata", metadata)
                .u32("PropertyId", property_id)
                .u32("Flags", flags)
                .size("BufferSize", buffer.len());
        })?;
        let object = object(metadata)?;
        let m = metadata_of(&object)?;
        reserved(flags, "EvtGetPublisherMetadataProperty")?;
        let property = PublisherProperty::from_id(property_id).ok_or_else(|| {
            invalid_parameter(format!(
                "{property_id} is not an EVT_PUBLISHER_METADATA_PROPERTY_ID"
            ))
        })?;
        let Some(kind) = property.array() else {
            return put_variants(&[m.property(property)?], buffer, used);
        };
        let array = m.array(kind)?;
        // Probe first: a handle is made only when the caller will receive it.
        let (needed, _) = variant::layout_handle(0, &mut []);
        *used = needed as u32;
        if buffer.len() < needed {
            return Err(Fail::Code(ERROR_INSUFFICIENT_BUFFER));
        }
        let handle = handles::insert(Object::ObjectArray(array), metadata);
        variant::layout_handle(handle, buffer);
        Ok(())
    })())
}

/// EvtGetObjectArraySize: how many elements an object array has.
pub fn EvtGetObjectArraySize(object_array: EVT_HANDLE, size: &mut u32) -> BOOL {
    status::boolean((|| -> Outcome {
        let _fault = faults::enter("EvtGetObjectArraySize", |a| {
            a.handle("ObjectArray", object_array);
        })?;
        let object = object(object_array)?;
        let Object::ObjectArray(array) = &*object else {
            return Err(invalid_handle("an object array handle was expected"));
        };
        *size = array.len() as u32;
        Ok(())
    })())
}

/// EvtGetObjectArrayProperty: element `index`'s property `property_id` (one of the
/// array's element ids: 15024 otherwise; past 28 or an index past the end: 87).
pub fn EvtGetObjectArrayProperty(
    object_array: EVT_HANDLE,
    property_id: u32,
    index: u32,
    flags: u32,
    buffer: &mut [u8],
    used: &mut u32,
) -> BOOL {
    status::boolean((|| -> Outcome {
        let _fault = faults::enter("EvtGetObjectArrayProperty", |a| {
            a.handle("ObjectArray", object_array)
                .u32("PropertyId", property_id)
                .u32("ArrayIndex", index)
                .u32("Flags", flags)
                .size("BufferSize", buffer.len());
        })?;
        let object = object(object_array)?;
        let Object::ObjectArray(array) = &*object else {
            return Err(invalid_handle("an object array handle was expected"));
        };
        reserved(flags, "EvtGetObjectArrayProperty")?;
        let property = PublisherProperty::from_id(property_id).ok_or_else(|| {
            invalid_parameter(format!(
                "{property_id} is not an EVT_PUBLISHER_METADATA_PROPERTY_ID"
            ))
        })?;
        let value = array.property(property, index as usize)?;
        put_variants(&[value], buffer, used)
    })())
}

/// EvtOpenEventMetadataEnum: the publisher's event definitions, in its event table's
/// order (none for the default publisher).
pub fn EvtOpenEventMetadataEnum(metadata: EVT_HANDLE, flags: u32) -> EVT_HANDLE {
    status::handle((|| -> Outcome<EVT_HANDLE> {
        let _fault = faults::enter("EvtOpenEventMetadataEnum", |a| {
            a.handle("PublisherMetadata", metadata).u32("Flags", flags);
        })?;
        let object = object(metadata)?;
        let m = metadata_of(&object)?;
        reserved(flags, "EvtOpenEventMetadataEnum")?;
        let events = m.events()?;
        Ok(handles::insert(
            Object::EventMetadataEnum(Mutex::new((events, 0))),
            metadata,
        ))
    })())
}

/// EvtNextEventMetadata: the next event definition's handle (a child of the enumerator);
/// NULL with ERROR_NO_MORE_ITEMS (259) at the end.
pub fn EvtNextEventMetadata(event_metadata_enum: EVT_HANDLE, flags: u32) -> EVT_HANDLE {
    status::handle((|| -> Outcome<EVT_HANDLE> {
        let _fault = faults::enter("EvtNextEventMetadata", |a| {
            a.handle("EventMetadataEnum", event_metadata_enum)
                .u32("Flags", flags);
        })?;
        let object = object(event_metadata_enum)?;
        let Object::EventMetadataEnum(state) = &*object else {
            return Err(invalid_handle(
                "an event metadata enumerator handle was expected",
            ));
        };
        reserved(flags, "EvtNextEventMetadata")?;
        let mut state = state.lock();
        let (events, next) = &mut *state;
        let Some(event) = events.get(*next) else {
            return Err(Fail::Code(ERROR_NO_MORE_ITEMS));
        };
        let event = event.clone();
        *next += 1;
        drop(state);
        Ok(handles::insert(
            Object::EventMetadata(event),
            event_metadata_enum,
        ))
    })())
}

/// EvtGetEventMetadataProperty: one property (ids 0–8) of an event definition; past 8,
/// ERROR_INVALID_PARAMETER.
pub fn EvtGetEventMetadataProperty(
    event_metadata: EVT_HANDLE,
    property_id: u32,
    flags: u32,
    buffer: &mut [u8],
    used: &mut u32,
) -> BOOL {
    status::boolean((|| -> Outcome {
        let _fault = faults::enter("EvtGetEventMetadataProperty", |a| {
            a.handle("EventMetadata", event_metadata)
                .u32("PropertyId", property_id)
                .u32("Flags", flags)
                .size("BufferSize", buffer.len());
        })?;
        let object = object(event_metadata)?;
        let Object::EventMetadata(event) = &*object else {
            return Err(invalid_handle("an event metadata handle was expected"));
        };
        reserved(flags, "EvtGetEventMetadataProperty")?;
        let property = EventProperty::from_id(property_id).ok_or_else(|| {
            invalid_parameter(format!(
                "{property_id} is not an EVT_EVENT_METADATA_PROPERTY_ID"
            ))
        })?;
        put_variants(&[event.property(property)?], buffer, used)
    })())
}
