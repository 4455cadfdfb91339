//! The fault plan at the facade: the check each Evt* function starts with ([`enter`]), the
//! engine controls that arm faults (`evtlog_inject_fault`, `evtlog_clear_faults`, …; the C
//! ABI exports them). `EVTLOG_FAULTS`, the plan an unmodified program gets at start, is
//! armed by the service (service.rs) when it makes its first engine.
//!
//! Invariants:
//! 1. With no rule armed anywhere in the process, [`enter`] is one atomic load; it never
//!    takes the service lock then.
//! 2. A facade call counts once: its guard marks the thread, so the engine methods it calls
//!    pass uncounted (engine/fault_plan.rs invariant 2).
//! 3. The same check starts the call's trace (trace.rs) when tracing is on: the fault hook
//!    and the trace share the one atomic word, so a call with neither costs one load.
//! 4. `EVTLOG_FAULTS` is applied to the service's first engine only, whole or not at all: a
//!    malformed plan is reported on stderr (item, offset, what was expected) and no rule of it
//!    is armed; `evtlog_reset` gives an engine with no fault.

use std::time::Duration;

use super::service;
use super::status::{self, Fail, Outcome, BOOL};
use super::trace::{self, Args, Pending};
use crate::engine::{call_hooks, FaultGuard, FaultRule, CALL_HOOKS, HOOK_TRACE, HOOK_UNSTARTED};

pub use super::service::FAULTS_VARIABLE;

/// A facade call in progress: its fault check's guard and, when traced, its trace record,
/// which its drop hands to the status helper that ends the call (trace.rs).
#[must_use = "the call is checked and traced while the guard lives"]
#[derive(Default)]
pub(super) struct CallGuard {
    _fault: FaultGuard,
    trace: Option<Box<Pending>>,
}

impl Drop for CallGuard {
    fn drop(&mut self) {
        if let Some(pending) = self.trace.take() {
            trace::park(pending);
        }
    }
}

/// The check at the start of a facade call of `function`: the injected failure, or the
/// guard to hold while the call runs (a delay is taken before it returns). `args` describes
/// the call's arguments for the trace; it runs only when tracing is on.
#[inline]
pub(super) fn enter(
    function: &'static str,
    args: impl FnOnce(&mut Args),
) -> Result<CallGuard, Fail> {
    let hooks = call_hooks();
    if hooks == 0 {
        return Ok(CallGuard::default());
    }
    enter_hooked(function, hooks, args)
}

#[cold]
fn enter_hooked(
    function: &'static str,
    mut hooks: usize,
    args: impl FnOnce(&mut Args),
) -> Result<CallGuard, Fail> {
    if hooks & HOOK_UNSTARTED != 0 {
        trace::first_call();
        hooks = call_hooks();
    }
    let trace = if hooks & HOOK_TRACE != 0 {
        trace::start(function, args)
    } else {
        None
    };
    let fault = if hooks & !CALL_HOOKS != 0 {
        match service::engine().enter_fault(function) {
            Ok(fault) => fault,
            Err(e) => {
                if let Some(pending) = trace {
                    trace::park(pending);
                }
                return Err(e.into());
            }
        }
    } else {
        FaultGuard::default()
    };
    Ok(CallGuard {
        _fault: fault,
        trace,
    })
}

/// Engine control: after `after_calls` calls of `function` that pass, the next `count` fail
/// with `error` (`count` 0: every later call). 87 for an unknown function or a zero error.
pub fn inject_fault(function: &str, after_calls: u32, count: u32, error: u32) -> BOOL {
    status::boolean((|| -> Outcome {
        let rule = FaultRule::fail(function, error)?
            .after(u64::from(after_calls))
            .times(u64::from(count));
        service::engine().fault_plan().inject(rule);
        Ok(())
    })())
}

/// Engine control: after `after_calls` calls of `function`, the next `count` (0: every
/// later call) first take `milliseconds` (of the virtual clock when it is virtual, else
/// real time).
pub fn inject_delay(function: &str, after_calls: u32, count: u32, milliseconds: u32) -> BOOL {
    status::boolean((|| -> Outcome {
        let rule = FaultRule::delay(function, Duration::from_millis(u64::from(milliseconds)))?
            .after(u64::from(after_calls))
            .times(u64::from(count));
        service::engine().fault_plan().inject(rule);
        Ok(())
    })())
}

/// Engine control: arms every rule of `plan` (`EVTLOG_FAULTS`'s grammar); a malformed plan
/// arms nothing and fails with 87, the extended status naming the item and its offset.
pub fn inject_plan(plan: &str) -> BOOL {
    status::boolean((|| -> Outcome {
        service::engine()
            .fault_plan()
            .inject_plan(plan)
            .map_err(|e| status::invalid_parameter(e.to_string()))?;
        Ok(())
    })())
}

/// Engine control: removes every fault (rules, publishers, channels).
pub fn clear_faults() -> BOOL {
    service::engine().fault_plan().clear();
    status::boolean(Ok(()))
}

/// Engine control: the publisher is removed for EvtOpenPublisherMetadata (15002) and its
/// open metadata handles (15037), until the faults are cleared.
pub fn remove_publisher(publisher: &str) -> BOOL {
    service::engine().fault_plan().remove_publisher(publisher);
    status::boolean(Ok(()))
}

/// Engine control: EvtFormatMessage with the publisher's metadata fails with `error`
/// (15027, 15028, 15033, 15037, 317, 1812-1815 or 15100; else 87).
pub fn fail_messages(publisher: &str, error: u32) -> BOOL {
    status::boolean((|| -> Outcome {
        service::engine()
            .fault_plan()
            .fail_messages(publisher, error)?;
        Ok(())
    })())
}

/// Engine control: the caller may no longer read the channel (5 from EvtQuery,
/// EvtSubscribe, EvtOpenLog, EvtExportLog and EvtClearLog of it).
pub fn deny_channel_access(channel: &str) -> BOOL {
    service::engine().fault_plan().deny_channel_access(channel);
    status::boolean(Ok(()))
}

/// Engine control: the channel is full (appends fail with 1502, EvtLogFull is true); 15007
/// if there is no such channel.
pub fn fill_channel(channel: &str) -> BOOL {
    status::boolean((|| -> Outcome {
        service::engine().fill_channel(channel)?;
        Ok(())
    })())
}
