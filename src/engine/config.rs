//! Channel configuration: [`ChannelProperties`], the 21 properties EvtGetChannelConfigProperty
//! reads (EVT_CHANNEL_CONFIG_PROPERTY_ID's ids, types and defaults) as an in-memory copy that setters change, and
//! [`Engine::save_channel_properties`], which applies a copy to the live channel and
//! persists it (EvtSaveChannelConfig).
//!
//! Invariants:
//! 1. A copy is taken whole ([`Engine::channel_properties`]); setters change only the copy
//!    and enforce the per-property rules there: a read-only property, a value of another
//!    variant type or an invalid value is `InvalidChannelPropertyValue` (15023); Enabled and
//!    Isolation of Application, System and Security are read-only; the logging and
//!    publishing properties of an Analytic or Debug channel that is enabled *in the copy*
//!    are `InvalidOperationOverEnabledDirectChannel` (15022) (Microsoft's sample disables
//!    the channel in the copy, sets Level and Keywords, then enables it again).
//! 2. A save validates everything before it changes anything; a failed save leaves the
//!    channel, its file and its configuration file as they were.
//! 3. What a channel does not set comes from its defaults, computed when a copy is taken:
//!    the manifest that defines it (the installed providers), else Windows' defaults for
//!    its name and type. Only what was set is stored, so a provider installed later still
//!    supplies its defaults.

use std::sync::Arc;

use super::channel::{Channel, ChannelType, Isolation};
use super::Engine;
use crate::error::{Error, ErrorKind, Result};
use crate::event::{Array, Guid, Value, VariantType};
use crate::publisher::{ChannelDefinition, Publisher};
use crate::store::{Retention, MIN_MAX_SIZE, UNBOUNDED};

/// EVT_CHANNEL_CONFIG_PROPERTY_ID: the properties of a channel's configuration, with their
/// Windows ids (0–20).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u32)]
pub enum ChannelConfigProperty {
    Enabled = 0,
    Isolation = 1,
    Type = 2,
    OwningPublisher = 3,
    ClassicEventlog = 4,
    Access = 5,
    Retention = 6,
    AutoBackup = 7,
    MaxSize = 8,
    LogFilePath = 9,
    Level = 10,
    Keywords = 11,
    ControlGuid = 12,
    BufferSize = 13,
    MinBuffers = 14,
    MaxBuffers = 15,
    Latency = 16,
    ClockType = 17,
    SidType = 18,
    PublisherList = 19,
    FileMax = 20,
}

impl ChannelConfigProperty {
    /// Every property, in id order.
    pub const ALL: [ChannelConfigProperty; 21] = [
        Self::Enabled,
        Self::Isolation,
        Self::Type,
        Self::OwningPublisher,
        Self::ClassicEventlog,
        Self::Access,
        Self::Retention,
        Self::AutoBackup,
        Self::MaxSize,
        Self::LogFilePath,
        Self::Level,
        Self::Keywords,
        Self::ControlGuid,
        Self::BufferSize,
        Self::MinBuffers,
        Self::MaxBuffers,
        Self::Latency,
        Self::ClockType,
        Self::SidType,
        Self::PublisherList,
        Self::FileMax,
    ];

    /// The property with id `id` (`None` from 21, EvtChannelConfigPropertyIdEND, on).
    pub fn from_u32(id: u32) -> Option<ChannelConfigProperty> {
        Self::ALL.get(id as usize).copied()
    }

    /// The variant type the property has, and that a setter must be given (the documented type of its id).
    pub fn variant_type(self) -> VariantType {
        use ChannelConfigProperty as P;
        match self {
            P::Enabled | P::ClassicEventlog | P::Retention | P::AutoBackup => VariantType::Boolean,
            P::OwningPublisher | P::Access | P::LogFilePath | P::PublisherList => {
                VariantType::String
            }
            P::MaxSize | P::Keywords => VariantType::UInt64,
            P::ControlGuid => VariantType::Guid,
            _ => VariantType::UInt32,
        }
    }

    /// Whether EvtSetChannelConfigProperty may set it (the eight .NET sets, and Isolation).
    pub fn is_settable(self) -> bool {
        use ChannelConfigProperty as P;
        matches!(
            self,
            P::Enabled
                | P::Isolation
                | P::Access
                | P::Retention
                | P::AutoBackup
                | P::MaxSize
                | P::LogFilePath
                | P::Level
                | P::Keywords
        )
    }

    /// The logging and publishing properties: not settable while an Analytic or Debug
    /// channel is enabled (15022).
    fn needs_disabled_direct_channel(self) -> bool {
        use ChannelConfigProperty as P;
        matches!(
            self,
            P::Retention | P::AutoBackup | P::MaxSize | P::LogFilePath | P::Level | P::Keywords
        )
    }
}

/// The directory Windows keeps live logs in, as configuration names it.
pub const WINDOWS_LOGS_DIR: &str = r"%SystemRoot%\System32\Winevt\Logs\";

/// Windows' access for a channel of Application isolation (MS-EVEN6 §3.1.4.21's default):
/// SYSTEM, Administrators and Server Operators read, write and clear; interactive, service
/// and batch logons and write-restricted services read and write; Event Log Readers read.
const APPLICATION_ACCESS: &str = "O:BAG:SYD:(A;;0xf0007;;;SY)(A;;0x7;;;BA)(A;;0x7;;;SO)\
(A;;0x3;;;IU)(A;;0x3;;;SU)(A;;0x3;;;S-1-5-3)(A;;0x3;;;S-1-5-33)(A;;0x1;;;S-1-5-32-573)";
/// The System log's access (`wevtutil gl System`).
const SYSTEM_ACCESS: &str = "O:BAG:SYD:(A;;0xf0007;;;SY)(A;;0x7;;;BA)(A;;0x3;;;BO)\
(A;;0x5;;;SO)(A;;0x1;;;IU)(A;;0x3;;;SU)(A;;0x1;;;S-1-5-3)(A;;0x2;;;S-1-5-33)\
(A;;0x1;;;S-1-5-32-573)";
/// The Security log's access (`wevtutil gl Security`): SYSTEM, Administrators and Event
/// Log Readers read; SYSTEM and Administrators clear; nobody writes but the service.
const SECURITY_ACCESS: &str = "O:BAG:SYD:(A;;0xf0005;;;SY)(A;;0x5;;;BA)(A;;0x1;;;S-1-5-32-573)";

/// Application, System and Security: the classic logs whose Enabled and Isolation are fixed.
fn is_standard_classic(name: &str) -> bool {
    ["Application", "System", "Security"]
        .iter()
        .any(|n| n.eq_ignore_ascii_case(name))
}

/// The LogFilePath Windows gives a channel: its file in the logs directory, `/` as `%4`.
pub fn default_log_file_path(channel: &str) -> String {
    format!("{WINDOWS_LOGS_DIR}{}", super::channel_file_name(channel))
}

/// The file name a LogFilePath in Windows' logs directory names (`None`: another place).
pub(crate) fn in_windows_logs_dir(path: &str) -> Option<&str> {
    let head = path.get(..WINDOWS_LOGS_DIR.len())?;
    let same = head
        .chars()
        .zip(WINDOWS_LOGS_DIR.chars())
        .all(|(a, b)| a.eq_ignore_ascii_case(&b) || (matches!(a, '/' | '\\') && b == '\\'));
    let rest = &path[WINDOWS_LOGS_DIR.len()..];
    (same && !rest.is_empty() && !rest.contains(['/', '\\'])).then_some(rest)
}

/// Whether `path` is a LogFilePath the emulation can honour: a file in Windows' logs
/// directory, an absolute path of this system, or a Windows absolute path (`C:\…`,
/// `\\server\…`: kept, not used, by an engine in memory).
fn valid_log_file_path(path: &str) -> bool {
    let b = path.as_bytes();
    in_windows_logs_dir(path).is_some()
        || std::path::Path::new(path).is_absolute()
        || (b.len() > 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && b[2] == b'\\')
        || path.starts_with(r"\\")
}

fn invalid_value(what: impl std::fmt::Display) -> Error {
    Error::with_message(ErrorKind::InvalidChannelPropertyValue, what.to_string())
}

/// A channel's whole configuration, as EvtOpenChannelConfig copies it: read with the
/// getters or [`get`](Self::get), changed (in the copy only) with the setters or
/// [`set`](Self::set), applied with [`Engine::save_channel_properties`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelProperties {
    name: String,
    enabled: bool,
    isolation: Isolation,
    channel_type: ChannelType,
    owning_publisher: String,
    classic_eventlog: bool,
    access: String,
    retention: bool,
    auto_backup: bool,
    max_size: u64,
    log_file_path: String,
    level: Option<u32>,
    keywords: Option<u64>,
    control_guid: Option<Guid>,
    buffer_size: Option<u32>,
    min_buffers: Option<u32>,
    max_buffers: Option<u32>,
    latency: Option<u32>,
    clock_type: Option<u32>,
    sid_type: Option<u32>,
    publisher_list: Vec<String>,
    file_max: u32,
    /// What the setters changed (by property id), so a save stores only those.
    changed: u32,
}

impl ChannelProperties {
    /// The copy of `channel`'s configuration, its defaults from `providers`.
    pub(crate) fn of(channel: &Channel, providers: &[Arc<Publisher>]) -> ChannelProperties {
        let name = channel.name();
        let config = channel.config();
        let settings = channel.settings();
        let refers = |p: &Publisher| {
            p.channels.iter().any(|c| c.name.eq_ignore_ascii_case(name))
                || p.classic
                    .as_ref()
                    .is_some_and(|c| c.log.eq_ignore_ascii_case(name))
        };
        let owner = providers.iter().find_map(|p| {
            let c = p
                .channels
                .iter()
                .find(|c| !c.imported && c.name.eq_ignore_ascii_case(name))?;
            Some((p.name.clone(), c.definition.clone()))
        });
        let definition: Option<ChannelDefinition> = owner.as_ref().and_then(|o| o.1.clone());
        let classic_source = providers.iter().any(|p| {
            p.classic
                .as_ref()
                .is_some_and(|c| c.log.eq_ignore_ascii_case(name))
        });
        let isolation = settings.isolation.unwrap_or_else(|| {
            match definition
                .as_ref()
                .and_then(|d| Isolation::from_u32(d.isolation))
            {
                Some(i) => i,
                None if name.eq_ignore_ascii_case("System") => Isolation::System,
                None if name.eq_ignore_ascii_case("Security") => Isolation::Custom,
                None => Isolation::Application,
            }
        });
        let access = settings.access.clone().unwrap_or_else(|| {
            match definition.as_ref().and_then(|d| d.access.clone()) {
                Some(a) => a,
                None if name.eq_ignore_ascii_case("Security") => SECURITY_ACCESS.into(),
                None if isolation == Isolation::System => SYSTEM_ACCESS.into(),
                None => APPLICATION_ACCESS.into(),
            }
        });
        let direct = config.channel_type.is_direct();
        let publishing = |value: u32| direct.then_some(value);
        ChannelProperties {
            name: name.to_owned(),
            enabled: config.enabled,
            isolation,
            channel_type: config.channel_type,
            owning_publisher: owner.map(|o| o.0).unwrap_or_default(),
            classic_eventlog: is_standard_classic(name) || classic_source,
            access,
            retention: config.retention.to_windows(),
            auto_backup: config.retention == Retention::AutoBackup,
            max_size: config.max_size,
            log_file_path: settings
                .log_file_path
                .clone()
                .unwrap_or_else(|| default_log_file_path(name)),
            level: settings
                .level
                .or_else(|| definition.as_ref().and_then(|d| d.level))
                .or(direct.then_some(0)),
            keywords: settings
                .keywords
                .or_else(|| definition.as_ref().and_then(|d| d.keywords))
                .or(direct.then_some(0)),
            control_guid: None,
            // ChannelPublishingType's defaults for a direct channel's ETW session; the
            // others have no session of their own, so Windows reports no value (Null).
            buffer_size: publishing(4),
            min_buffers: publishing(0),
            max_buffers: publishing(10),
            latency: publishing(5000),
            clock_type: publishing(0),
            sid_type: publishing(1),
            publisher_list: providers
                .iter()
                .filter(|p| refers(p))
                .map(|p| p.name.clone())
                .collect(),
            file_max: 1,
            changed: 0,
        }
    }

    /// The channel's name.
    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn enabled(&self) -> bool {
        self.enabled
    }
    pub fn isolation(&self) -> Isolation {
        self.isolation
    }
    pub fn channel_type(&self) -> ChannelType {
        self.channel_type
    }
    /// The provider that defines the channel (empty for the classic logs).
    pub fn owning_publisher(&self) -> &str {
        &self.owning_publisher
    }
    pub fn classic_eventlog(&self) -> bool {
        self.classic_eventlog
    }
    /// The channel's access, in SDDL.
    pub fn access(&self) -> &str {
        &self.access
    }
    /// true: sequential (full logs refuse events); false: circular.
    pub fn retention(&self) -> bool {
        self.retention
    }
    pub fn auto_backup(&self) -> bool {
        self.auto_backup
    }
    pub fn max_size(&self) -> u64 {
        self.max_size
    }
    pub fn log_file_path(&self) -> &str {
        &self.log_file_path
    }
    /// The publishing level filter (`None`: not set; Null at the API).
    pub fn level(&self) -> Option<u32> {
        self.level
    }
    pub fn keywords(&self) -> Option<u64> {
        self.keywords
    }
    /// The providers that write to the channel (define or import it), in installation order.
    pub fn publisher_list(&self) -> &[String] {
        &self.publisher_list
    }
    pub fn file_max(&self) -> u32 {
        self.file_max
    }

    /// One property as EvtGetChannelConfigProperty gives it (its documented type; Null where the
    /// channel has no value).
    pub fn get(&self, property: ChannelConfigProperty) -> Value {
        use ChannelConfigProperty as P;
        let u32_or_null = |v: Option<u32>| v.map_or(Value::Null, Value::UInt32);
        match property {
            P::Enabled => Value::Boolean(self.enabled),
            P::Isolation => Value::UInt32(self.isolation as u32),
            P::Type => Value::UInt32(self.channel_type.as_u32()),
            P::OwningPublisher => Value::String(self.owning_publisher.clone().into()),
            P::ClassicEventlog => Value::Boolean(self.classic_eventlog),
            P::Access => Value::String(self.access.clone().into()),
            P::Retention => Value::Boolean(self.retention),
            P::AutoBackup => Value::Boolean(self.auto_backup),
            P::MaxSize => Value::UInt64(self.max_size),
            P::LogFilePath => Value::String(self.log_file_path.clone().into()),
            P::Level => u32_or_null(self.level),
            P::Keywords => self.keywords.map_or(Value::Null, Value::UInt64),
            P::ControlGuid => self.control_guid.map_or(Value::Null, Value::Guid),
            P::BufferSize => u32_or_null(self.buffer_size),
            P::MinBuffers => u32_or_null(self.min_buffers),
            P::MaxBuffers => u32_or_null(self.max_buffers),
            P::Latency => u32_or_null(self.latency),
            P::ClockType => u32_or_null(self.clock_type),
            P::SidType => u32_or_null(self.sid_type),
            P::PublisherList => Array::new(
                VariantType::String,
                self.publisher_list
                    .iter()
                    .cloned()
                    .map(Value::from)
                    .collect(),
            )
            .map_or(Value::Null, Value::Array),
            P::FileMax => Value::UInt32(self.file_max),
        }
    }

    /// Sets one property in this copy (EvtSetChannelConfigProperty). The value's type must
    /// be the property's exactly. Errors (the copy unchanged): 15023 for a read-only
    /// property, another type or an invalid value; 15022 for a logging or publishing
    /// property of an Analytic or Debug channel enabled in this copy (invariant 1).
    pub fn set(&mut self, property: ChannelConfigProperty, value: &Value) -> Result<()> {
        use ChannelConfigProperty as P;
        if !property.is_settable() {
            return Err(invalid_value(format!("{property:?} cannot be set")));
        }
        if value.variant_type() != property.variant_type() || value.is_array() {
            return Err(invalid_value(format!(
                "{property:?} takes a {:?} value, not {:?}",
                property.variant_type(),
                value.variant_type()
            )));
        }
        if property.needs_disabled_direct_channel() && self.enabled && self.channel_type.is_direct()
        {
            return Err(Error::with_message(
                ErrorKind::InvalidOperationOverEnabledDirectChannel,
                format!(
                    "{property:?} of {}: the {:?} channel must first be disabled",
                    self.name, self.channel_type
                ),
            ));
        }
        match (property, value) {
            (P::Enabled | P::Isolation, _) if is_standard_classic(&self.name) => {
                return Err(invalid_value(format!(
                    "{property:?} of {} cannot be changed",
                    self.name
                )));
            }
            (P::Enabled, Value::Boolean(b)) => self.enabled = *b,
            (P::Isolation, Value::UInt32(v)) => {
                self.isolation = Isolation::from_u32(*v)
                    .ok_or_else(|| invalid_value(format!("isolation {v}: 0, 1 or 2")))?;
            }
            (P::Access, Value::String(s)) => {
                super::sddl::check(s).map_err(|e| invalid_value(format!("access {s:?}: {e}")))?;
                self.access = s.clone().into();
            }
            (P::Retention, Value::Boolean(b)) => self.retention = *b,
            (P::AutoBackup, Value::Boolean(b)) => self.auto_backup = *b,
            (P::MaxSize, Value::UInt64(v)) => self.max_size = *v,
            (P::LogFilePath, Value::String(s)) => {
                if !valid_log_file_path(s) {
                    return Err(invalid_value(format!(
                        "log file path {s:?}: a full path, or a file in {WINDOWS_LOGS_DIR}"
                    )));
                }
                self.log_file_path = s.clone().into();
            }
            (P::Level, Value::UInt32(v)) => {
                if *v > 255 {
                    return Err(invalid_value(format!("level {v}: 0 to 255")));
                }
                self.level = Some(*v);
            }
            (P::Keywords, Value::UInt64(v)) => self.keywords = Some(*v),
            _ => return Err(invalid_value(format!("{property:?}: {value:?}"))),
        }
        self.changed |= 1 << property as u32;
        Ok(())
    }

    pub fn set_enabled(&mut self, enabled: bool) -> Result<()> {
        self.set(ChannelConfigProperty::Enabled, &Value::Boolean(enabled))
    }
    pub fn set_isolation(&mut self, isolation: Isolation) -> Result<()> {
        self.set(
            ChannelConfigProperty::Isolation,
            &Value::UInt32(isolation as u32),
        )
    }
    pub fn set_access(&mut self, sddl: &str) -> Result<()> {
        self.set(ChannelConfigProperty::Access, &Value::String(sddl.into()))
    }
    pub fn set_retention(&mut self, retention: bool) -> Result<()> {
        self.set(ChannelConfigProperty::Retention, &Value::Boolean(retention))
    }
    pub fn set_auto_backup(&mut self, auto_backup: bool) -> Result<()> {
        self.set(
            ChannelConfigProperty::AutoBackup,
            &Value::Boolean(auto_backup),
        )
    }
    pub fn set_max_size(&mut self, bytes: u64) -> Result<()> {
        self.set(ChannelConfigProperty::MaxSize, &Value::UInt64(bytes))
    }
    pub fn set_log_file_path(&mut self, path: &str) -> Result<()> {
        self.set(
            ChannelConfigProperty::LogFilePath,
            &Value::String(path.into()),
        )
    }
    pub fn set_level(&mut self, level: u32) -> Result<()> {
        self.set(ChannelConfigProperty::Level, &Value::UInt32(level))
    }
    pub fn set_keywords(&mut self, keywords: u64) -> Result<()> {
        self.set(ChannelConfigProperty::Keywords, &Value::UInt64(keywords))
    }

    fn was_set(&self, property: ChannelConfigProperty) -> bool {
        self.changed & (1 << property as u32) != 0
    }
}

/// A max size as a save applies it: at least 1 MiB, rounded up to whole 64 KiB (wevtutil:
/// "log files are always multiples of 64KB").
pub(crate) fn normalized_max_size(bytes: u64) -> u64 {
    if bytes == UNBOUNDED {
        return bytes;
    }
    bytes
        .max(MIN_MAX_SIZE)
        .div_ceil(64 * 1024)
        .saturating_mul(64 * 1024)
}

impl Engine {
    /// A copy of the configuration of the channel `name` (EvtOpenChannelConfig);
    /// `ChannelNotFound` (15007) if there is none.
    pub fn channel_properties(&self, name: &str) -> Result<ChannelProperties> {
        let channel = self.channel(name)?;
        Ok(ChannelProperties::of(&channel, &self.publishers().list()))
    }

    /// Applies `properties` to its channel and persists them (EvtSaveChannelConfig):
    /// enabled (enabling an Analytic or Debug channel clears it), max size (at least 1 MiB,
    /// in whole 64 KiB; raised, the channel grows at once; lowered below its records, it
    /// keeps them and stays at that size until cleared), retention and auto-backup,
    /// access, isolation, level and keywords (stored; see README), and the log file path
    /// (a persistent channel's file moves there; an engine in memory stores it).
    ///
    /// Errors, after which nothing changed (invariant 2): `ChannelNotFound` (15007);
    /// `InvalidChannelPropertyValue` (15023) for auto-backup without retention or a log
    /// file path this system cannot hold; `FileExists` (80) when the new log file path
    /// names an existing file; an I/O error writing the file or the configuration.
    pub fn save_channel_properties(&self, properties: &ChannelProperties) -> Result<()> {
        use ChannelConfigProperty as P;
        let channel = self.channel(&properties.name)?;
        let retention = match (properties.retention, properties.auto_backup) {
            (false, false) => Retention::Overwrite,
            (true, false) => Retention::DoNotOverwrite,
            (true, true) => Retention::AutoBackup,
            (false, true) => {
                return Err(invalid_value(
                    "autoBackup may be true only when retention is true",
                ))
            }
        };
        let mut config = channel.config();
        let mut settings = channel.settings();
        config.enabled = properties.enabled;
        config.retention = retention;
        if properties.was_set(P::MaxSize) {
            config.max_size = normalized_max_size(properties.max_size);
        }
        if properties.was_set(P::Isolation) {
            settings.isolation = Some(properties.isolation);
        }
        if properties.was_set(P::Access) {
            settings.access = Some(properties.access.clone());
        }
        if properties.was_set(P::LogFilePath) {
            settings.log_file_path = (properties.log_file_path
                != default_log_file_path(&properties.name))
            .then(|| properties.log_file_path.clone());
        }
        if properties.was_set(P::Level) {
            settings.level = properties.level;
        }
        if properties.was_set(P::Keywords) {
            settings.keywords = properties.keywords;
        }
        config.settings = settings;
        match self.store_dir() {
            Some(dir) => self.save_persistent(dir, &channel, config),
            None => channel.reconfigure(config, None, &|_| Ok(())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_sizes_are_at_least_1_mib_in_whole_64_kib() {
        assert_eq!(normalized_max_size(0), 1 << 20);
        assert_eq!(normalized_max_size(1 << 20), 1 << 20);
        assert_eq!(normalized_max_size((1 << 20) + 1), (1 << 20) + 65_536);
        assert_eq!(normalized_max_size(9_000_000), 138 * 65_536);
        assert_eq!(normalized_max_size(UNBOUNDED), UNBOUNDED);
    }

    #[test]
    fn log_file_paths_in_windows_logs_dir_name_their_file() {
        assert_eq!(
            in_windows_logs_dir(&default_log_file_path(
                "Microsoft-Windows-Sysmon/Operational"
            )),
            Some("Microsoft-Windows-Sysmon%4Operational.evtx")
        );
        assert_eq!(
            in_windows_logs_dir("%systemroot%/system32/winevt/logs/x.evtx"),
            Some("x.evtx")
        );
        assert_eq!(
            in_windows_logs_dir(r"%SystemRoot%\System32\Winevt\Logs\a\b.evtx"),
            None
        );
        assert_eq!(
            in_windows_logs_dir(r"%SystemRoot%\System32\Winevt\Logs\"),
            None
        );
        assert!(valid_log_file_path(r"C:\Logs\x.evtx"));
        assert!(valid_log_file_path(r"\\server\share\x.evtx"));
        assert!(valid_log_file_path("/var/log/x.evtx"));
        assert!(!valid_log_file_path("x.evtx"));
        assert!(!valid_log_file_path(""));
    }

    #[test]
    fn property_ids_types_and_settable_as_documented() {
        assert_eq!(
            ChannelConfigProperty::from_u32(20),
            Some(ChannelConfigProperty::FileMax)
        );
        assert_eq!(ChannelConfigProperty::from_u32(21), None);
        for (i, p) in ChannelConfigProperty::ALL.iter().enumerate() {
            assert_eq!(*p as usize, i);
        }
        let settable: Vec<u32> = ChannelConfigProperty::ALL
            .iter()
            .filter(|p| p.is_settable())
            .map(|p| *p as u32)
            .collect();
        assert_eq!(settable, [0, 1, 5, 6, 7, 8, 9, 10, 11]);
        assert_eq!(
            ChannelConfigProperty::MaxSize.variant_type(),
            VariantType::UInt64
        );
        assert_eq!(
            ChannelConfigProperty::ControlGuid.variant_type(),
            VariantType::Guid
        );
    }
}
