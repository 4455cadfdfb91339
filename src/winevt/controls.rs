//! Engine controls for tests: what the C ABI exports as `evtlog_reset`,
//! `evtlog_create_channel`, `evtlog_write_event_xml`, `evtlog_generate`,
//! `evtlog_use_virtual_clock`, `evtlog_advance_clock`, `evtlog_install_manifest` and
//! `evtlog_uninstall_manifest`. Each reports failure as the
//! facade does: FALSE and the thread's last error.

/// The service lifecycle and remote computers (computers.rs).
pub use super::computer_env::{
    parse_computers, register_all as register_computers, COMPUTERS_VARIABLE,
};
pub use super::computers::{
    forward_events, reboot_computer, register_computer, set_computer_credentials,
    set_computer_delay, set_computer_offline, start_service, stop_service,
};
pub use super::faults::{
    clear_faults, deny_channel_access, fail_messages, fill_channel, inject_delay, inject_fault,
    inject_plan, remove_publisher,
};
use super::service;
use super::status::{self, Fail, Outcome, BOOL, TRUE};
use crate::engine::{ChannelConfig, ChannelType};
use crate::error::codes::ERROR_INVALID_OPERATION;
use crate::event::{Event, FileTime};
use crate::gen::{Generator, Profile};

/// Traces every later Evt* call to the file at `path` (created, or truncated) as one JSON
/// line each, in place of any trace before (`EVTLOG_TRACE`'s at start among them); `None`
/// stops tracing and closes the file. A file that cannot be created is FALSE with its error
/// (2 for a missing directory), and tracing is then off.
pub fn trace_to(path: Option<&std::path::Path>) -> BOOL {
    status::boolean((|| -> Outcome {
        super::trace::trace_to(path).map_err(|e| {
            let shown = path.map(|p| p.display().to_string()).unwrap_or_default();
            crate::error::Error::from(e).prefixed(&format!("the trace file {shown}:"))
        })?;
        Ok(())
    })())
}

/// Selects the service engine's Windows quirks from `list`, `EVTLOG_QUIRKS`' grammar (a
/// profile name, or a comma list of profile and quirk names; empty: none). A malformed list
/// is ERROR_INVALID_PARAMETER (87) with the item at fault in the extended status, and
/// changes nothing. `evtlog_reset` goes back to the quirks `EVTLOG_QUIRKS` named at start.
pub fn set_quirks(list: &str) -> BOOL {
    status::boolean((|| -> Outcome {
        let quirks = crate::engine::Quirks::parse(list)?;
        service::engine().set_quirks(quirks);
        Ok(())
    })())
}

/// The service engine's Windows quirks (what the C ABI consults for those it applies
/// itself, e.g. EvtRender's NULL PropertyCount).
pub fn quirks() -> crate::engine::Quirks {
    service::engine().quirks()
}

/// A fresh service engine with empty channels Application, System, Security, Setup and
/// ForwardedEvents, on the wall clock; every open handle is closed first.
pub fn reset() -> BOOL {
    service::reset();
    status::succeeded();
    TRUE
}

/// Like [`reset`], but the service's engine is the persistent store in `dir` (opened, or
/// created with the standard channels as files), as `EVTLOG_STORE` names one at start: FALSE
/// with the error if it cannot be opened (and then no engine is kept: the next call starts
/// one as the process's first did).
pub fn reset_to_store(dir: &std::path::Path) -> BOOL {
    status::boolean((|| -> Outcome {
        service::reset_to_store(dir)?;
        Ok(())
    })())
}

/// Creates an Operational channel named `path` (15000 for an invalid name, 87 if it
/// exists).
pub fn create_channel(path: &str) -> BOOL {
    status::boolean((|| -> Outcome {
        service::engine().create_channel(ChannelConfig::new(path, ChannelType::Operational))?;
        Ok(())
    })())
}

/// Writes an event given as Windows' event XML to `channel`; its record id, channel and
/// time are assigned where absent (15008 with the position for bad XML, 15007 for a
/// missing channel).
pub fn write_event_xml(channel: &str, event_xml: &str) -> BOOL {
    status::boolean((|| -> Outcome {
        let event = Event::from_xml(event_xml)?;
        service::engine().write(channel, event)?;
        Ok(())
    })())
}

/// Registers the classic event source `source` of `log` (creating the log if needed), as
/// an installer's registry write does on Windows: EventMessageFile, CategoryMessageFile
/// with CategoryCount, ParameterMessageFile (87 for a bad source name, 15000 for a bad log
/// name).
pub fn register_event_source(
    log: &str,
    source: &str,
    event_message_file: Option<&str>,
    category_message_file: Option<&str>,
    category_count: u32,
    parameter_message_file: Option<&str>,
) -> BOOL {
    status::boolean((|| -> Outcome {
        service::engine().register_event_source(
            log,
            source,
            crate::publisher::ClassicSource {
                log: log.to_owned(),
                event_message_file: event_message_file.map(str::to_owned),
                category_message_file: category_message_file.map(str::to_owned),
                category_count,
                parameter_message_file: parameter_message_file.map(str::to_owned),
            },
        )?;
        Ok(())
    })())
}

/// Writes `count` generated events (the profile of `channel` if it is a standard one, else
/// Application's) to `channel`, the same for the same `seed`.
pub fn generate(channel: &str, count: u32, seed: u64) -> BOOL {
    status::boolean((|| -> Outcome {
        let engine = service::engine();
        let target = engine.channel(channel)?;
        let profile = Profile::ALL
            .into_iter()
            .find(|p| p.channel_name().eq_ignore_ascii_case(target.name()))
            .unwrap_or(Profile::Application);
        let mut generator = Generator::new(seed);
        for _ in 0..count {
            let mut event = generator.next_event(profile);
            event.system.channel = None;
            event.system.event_record_id = None;
            target.append(event)?;
        }
        Ok(())
    })())
}

/// Installs the providers of the instrumentation manifest at `path` (UTF-8 or UTF-16 with a
/// BOM) and creates the channels they define, as `wevtutil im` does (15008 or 15010 with the
/// line and column for a bad manifest, 2 for a missing file).
pub fn install_manifest(path: &str) -> BOOL {
    status::boolean((|| -> Outcome {
        service::engine().install_manifest_file(path)?;
        Ok(())
    })())
}

/// Uninstalls the providers of the manifest at `path`, as `wevtutil um` does (their channels
/// and events stay).
pub fn uninstall_manifest(path: &str) -> BOOL {
    status::boolean((|| -> Outcome {
        service::engine().uninstall_manifest_file(path)?;
        Ok(())
    })())
}

/// Stands the service's clock at `filetime` (virtual time from now on).
pub fn use_virtual_clock(filetime: u64) -> BOOL {
    service::clock().set_virtual(FileTime(filetime));
    status::succeeded();
    TRUE
}

/// Moves the virtual clock on by `milliseconds`; on the wall clock FALSE with
/// ERROR_INVALID_OPERATION (4317).
pub fn advance_clock(milliseconds: u64) -> BOOL {
    if service::clock().advance_ms(milliseconds) {
        status::succeeded();
        TRUE
    } else {
        status::boolean(Err(Fail::Code(ERROR_INVALID_OPERATION)))
    }
}

/// The service's engine, for Rust tests that set up channels directly.
pub fn engine() -> crate::Engine {
    service::engine()
}
