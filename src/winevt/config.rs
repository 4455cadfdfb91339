//! Channel configuration: EvtOpenChannelConfig, EvtGetChannelConfigProperty,
//! EvtSetChannelConfigProperty and EvtSaveChannelConfig.
//! The handle holds an in-memory copy of the channel's configuration
//! ([`ChannelProperties`]); Set changes the copy, Save applies it
//! ([`Engine::save_channel_properties`](crate::Engine::save_channel_properties)).

use parking_lot::Mutex;

use super::faults;
use super::handles;
use super::lookup::{object, session};
use super::object::Object;
use super::service;
use super::status::{self, invalid_handle, invalid_parameter, Outcome, BOOL};
use super::variant::put_variants;
use super::EVT_HANDLE;
use crate::engine::{ChannelConfigProperty, ChannelProperties};
use crate::event::Value;

/// EVT_CHANNEL_CONFIG_PROPERTY_ID.
pub const EvtChannelConfigEnabled: u32 = 0;
pub const EvtChannelConfigIsolation: u32 = 1;
pub const EvtChannelConfigType: u32 = 2;
pub const EvtChannelConfigOwningPublisher: u32 = 3;
pub const EvtChannelConfigClassicEventlog: u32 = 4;
pub const EvtChannelConfigAccess: u32 = 5;
pub const EvtChannelLoggingConfigRetention: u32 = 6;
pub const EvtChannelLoggingConfigAutoBackup: u32 = 7;
pub const EvtChannelLoggingConfigMaxSize: u32 = 8;
pub const EvtChannelLoggingConfigLogFilePath: u32 = 9;
pub const EvtChannelPublishingConfigLevel: u32 = 10;
pub const EvtChannelPublishingConfigKeywords: u32 = 11;
pub const EvtChannelPublishingConfigControlGuid: u32 = 12;
pub const EvtChannelPublishingConfigBufferSize: u32 = 13;
pub const EvtChannelPublishingConfigMinBuffers: u32 = 14;
pub const EvtChannelPublishingConfigMaxBuffers: u32 = 15;
pub const EvtChannelPublishingConfigLatency: u32 = 16;
pub const EvtChannelPublishingConfigClockType: u32 = 17;
pub const EvtChannelPublishingConfigSidType: u32 = 18;
pub const EvtChannelPublisherList: u32 = 19;
pub const EvtChannelPublishingConfigFileMax: u32 = 20;
pub const EvtChannelConfigPropertyIdEND: u32 = 21;

/// EvtOpenChannelConfig: a copy of the configuration of `channel_path` (15007 if there is
/// no such channel). Session NULL (local) or an open session; Flags are reserved (0).
pub fn EvtOpenChannelConfig(
    session: EVT_HANDLE,
    channel_path: Option<&str>,
    flags: u32,
) -> EVT_HANDLE {
    status::handle((|| -> Outcome<EVT_HANDLE> {
        let _fault = faults::enter("EvtOpenChannelConfig", |a| {
            a.handle("Session", session)
                .str("ChannelPath", channel_path)
                .u32("Flags", flags);
        })?;
        let engine = self::session(session)?.engine().clone();
        if flags != 0 {
            return Err(invalid_parameter(
                "EvtOpenChannelConfig's Flags are reserved (0)",
            ));
        }
        let name = channel_path.ok_or_else(|| invalid_parameter("the channel path is NULL"))?;
        let properties = engine.channel_properties(name)?;
        Ok(handles::insert(
            Object::ChannelConfig(Mutex::new(properties), engine),
            session,
        ))
    })())
}

/// The copy behind a channel-configuration handle.
fn with_config<R>(
    handle: EVT_HANDLE,
    f: impl FnOnce(&Mutex<ChannelProperties>, &crate::engine::Engine) -> Outcome<R>,
) -> Outcome<R> {
    let object = object(handle)?;
    let Object::ChannelConfig(config, engine) = &*object else {
        return Err(invalid_handle(
            "a channel configuration handle was expected",
        ));
    };
    f(config, engine)
}

/// The property `id` names; ids from EvtChannelConfigPropertyIdEND (21) on are
/// ERROR_INVALID_PARAMETER (87), as for the other Get*Info functions.
fn property(id: u32) -> Outcome<ChannelConfigProperty> {
    ChannelConfigProperty::from_u32(id)
        .ok_or_else(|| invalid_parameter(format!("{id} is not an EVT_CHANNEL_CONFIG_PROPERTY_ID")))
}

/// EvtGetChannelConfigProperty: one property of the copy as an EVT_VARIANT (its documented type;
/// EvtVarTypeNull where the channel has no value), with the size protocol every Evt function shares.
pub fn EvtGetChannelConfigProperty(
    config: EVT_HANDLE,
    property_id: u32,
    flags: u32,
    buffer: &mut [u8],
    used: &mut u32,
) -> BOOL {
    status::boolean((|| -> Outcome {
        let _fault = faults::enter("EvtGetChannelConfigProperty", |a| {
            a.handle("ChannelConfig", config)
                .u32("PropertyId", property_id)
                .u32("Flags", flags)
                .size("BufferSize", buffer.len());
        })?;
        with_config(config, |config, _| {
            if flags != 0 {
                return Err(invalid_parameter(
                    "EvtGetChannelConfigProperty's Flags are reserved (0)",
                ));
            }
            let value = config.lock().get(property(property_id)?);
            put_variants(&[value], buffer, used)
        })
    })())
}

/// EvtSetChannelConfigProperty: sets one property of the copy (not the channel: see
/// EvtSaveChannelConfig). `value` is NULL (87) or the caller's variant; its type must be
/// the property's exactly. 15023 for a read-only property, another type or an invalid
/// value; 15022 for a logging or publishing property of an enabled Analytic or Debug
/// channel (disable it in the copy first).
pub fn EvtSetChannelConfigProperty(
    config: EVT_HANDLE,
    property_id: u32,
    flags: u32,
    value: Option<&Value>,
) -> BOOL {
    status::boolean((|| -> Outcome {
        let _fault = faults::enter("EvtSetChannelConfigProperty", |a| {
            a.handle("ChannelConfig", config)
                .u32("PropertyId", property_id)
                .u32("Flags", flags)
                .present("PropertyValue", value.is_some());
        })?;
        with_config(config, |config, _| {
            if flags != 0 {
                return Err(invalid_parameter(
                    "EvtSetChannelConfigProperty's Flags are reserved (0)",
                ));
            }
            let property = property(property_id)?;
            let value = value.ok_or_else(|| invalid_parameter("PropertyValue is NULL"))?;
            config.lock().set(property, value)?;
            Ok(())
        })
    })())
}

/// EvtSaveChannelConfig: applies the copy to the channel and persists it. On an error the
/// channel is unchanged. Flags are reserved (0).
pub fn EvtSaveChannelConfig(config: EVT_HANDLE, flags: u32) -> BOOL {
    status::boolean((|| -> Outcome {
        let _fault = faults::enter("EvtSaveChannelConfig", |a| {
            a.handle("ChannelConfig", config).u32("Flags", flags);
        })?;
        with_config(config, |config, engine| {
            if flags != 0 {
                return Err(invalid_parameter(
                    "EvtSaveChannelConfig's Flags are reserved (0)",
                ));
            }
            let copy = config.lock().clone();
            engine.save_channel_properties(&copy)?;
            Ok(())
        })
    })())
}

/// An engine control beside `controls::create_channel`: creates the channel `path` of
/// EVT_CHANNEL_TYPE `channel_type` with Windows' defaults for its type (an Analytic or
/// Debug channel disabled and sequential), so that C programs can meet direct channels.
/// 87 for an unknown type; 15000 for an invalid name; 87 if it exists.
pub fn create_channel_of_type(path: &str, channel_type: u32) -> BOOL {
    status::boolean((|| -> Outcome {
        let channel_type = crate::engine::ChannelType::from_u32(channel_type).ok_or_else(|| {
            invalid_parameter(format!("{channel_type} is not an EVT_CHANNEL_TYPE"))
        })?;
        service::engine().create_channel(crate::engine::ChannelConfig::new(path, channel_type))?;
        Ok(())
    })())
}
