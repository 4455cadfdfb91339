//! The fault plan: failures and delays a test arms on purpose, so that a consumer's
//! recovery code meets what Windows does only on a bad day, the same way on every run.
//!
//! Owns: call rules keyed by a wevtapi function's name ([`FaultRule`]: after the first
//! AFTER calls, COUNT calls, every later call or a seeded fraction of them fail with a
//! Win32 code or take a virtual time), and the state faults: a publisher removed or its
//! messages unavailable, a channel the caller may not read, a channel full.
//!
//! Invariants:
//! 1. With no rule armed a check ([`FaultPlan::enter`]) costs one atomic load, and so does
//!    the facade's check ([`call_hooks`]: one process-wide count, beside the call trace's bit).
//! 2. One call of a function counts once: the first check on a thread (the facade's, or the
//!    Rust method's when called directly) marks the thread until its guard drops, and checks
//!    nested in it (EvtExportLog's query, the Rust `next` under EvtNext) pass uncounted.
//!    Internal uses of the Rust methods (the classic API's queries) run under
//!    [`FaultPlan::quiet`] and count nowhere.
//! 3. A failing check happens before the call does anything, so a faulted call changes
//!    nothing: a faulted `next` moves no cursor, a faulted export writes no file, a faulted
//!    clear removes no record.
//! 4. Decisions depend only on the rule and how many calls of its function it has seen
//!    since armed (and its seed for a fraction), never on time or threads' timing.
//! 5. [`FaultPlan::clear`] undoes every fault: rules, publishers, channels.

use std::cell::Cell;
use std::collections::HashMap;
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::Mutex;

use super::Channel;
use crate::clock::Clock;
use crate::error::codes::*;
use crate::error::{Error, ErrorKind, Result};

pub use super::fault_spec::{parse_plan, PlanError};

/// The wevtapi functions a rule may name: every Evt* function of the facade except
/// EvtClose (a close that fails would leak the handle in every consumer; Windows' fails only
/// on a bad handle) and EvtGetExtendedStatus (it reports the failures).
pub const FAULT_FUNCTIONS: &[&str] = &[
    "EvtArchiveExportedLog",
    "EvtCancel",
    "EvtClearLog",
    "EvtCreateBookmark",
    "EvtCreateRenderContext",
    "EvtExportLog",
    "EvtFormatMessage",
    "EvtGetChannelConfigProperty",
    "EvtGetEventInfo",
    "EvtGetEventMetadataProperty",
    "EvtGetLogInfo",
    "EvtGetObjectArrayProperty",
    "EvtGetObjectArraySize",
    "EvtGetPublisherMetadataProperty",
    "EvtGetQueryInfo",
    "EvtNext",
    "EvtNextChannelPath",
    "EvtNextEventMetadata",
    "EvtNextPublisherId",
    "EvtOpenChannelConfig",
    "EvtOpenChannelEnum",
    "EvtOpenEventMetadataEnum",
    "EvtOpenLog",
    "EvtOpenPublisherEnum",
    "EvtOpenPublisherMetadata",
    "EvtOpenSession",
    "EvtQuery",
    "EvtRender",
    "EvtSaveChannelConfig",
    "EvtSeek",
    "EvtSetChannelConfigProperty",
    "EvtSubscribe",
    "EvtUpdateBookmark",
];

/// The canonical spelling of the function `name` (any letter case), or None.
pub fn fault_function(name: &str) -> Option<&'static str> {
    FAULT_FUNCTIONS
        .iter()
        .copied()
        .find(|f| f.eq_ignore_ascii_case(name))
}

/// What a rule does to the calls it hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultEffect {
    /// The call fails with this Win32 code (non-zero) and does nothing.
    Fail(u32),
    /// The call first takes this time (the engine's virtual clock moves on; on the wall
    /// clock the thread sleeps), then runs normally.
    Delay(Duration),
}

/// Which calls, after the first `after`, a rule hits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultTimes {
    /// The next `n` calls (n >= 1).
    Count(u64),
    /// Every later call.
    Always,
    /// Each later call with probability `percent`/100 (1 to 100), decided by `seed` and the
    /// call's number alone: the same calls on every run.
    Percent { percent: u8, seed: u64 },
}

/// One rule of a fault plan: after the first `after` calls of `function`, the calls
/// `times` selects meet `effect`. Written as text: `FUNCTION[@AFTER]:EFFECT[xTIMES]`
/// ([`parse_plan`]; `Display` writes that form).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultRule {
    pub(crate) function: &'static str,
    pub(crate) after: u64,
    pub(crate) times: FaultTimes,
    pub(crate) effect: FaultEffect,
}

impl FaultRule {
    /// The next call of `function` fails with `code`. `InvalidParameter` (87) for a name
    /// that is not in [`FAULT_FUNCTIONS`] or a zero code.
    pub fn fail(function: &str, code: u32) -> Result<FaultRule> {
        if code == 0 {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                "a fault's error code must not be 0 (ERROR_SUCCESS)",
            ));
        }
        Ok(FaultRule {
            function: function_named(function)?,
            after: 0,
            times: FaultTimes::Count(1),
            effect: FaultEffect::Fail(code),
        })
    }

    /// The next call of `function` first takes `delay`. `InvalidParameter` (87) for an
    /// unknown function.
    pub fn delay(function: &str, delay: Duration) -> Result<FaultRule> {
        Ok(FaultRule {
            function: function_named(function)?,
            after: 0,
            times: FaultTimes::Count(1),
            effect: FaultEffect::Delay(delay),
        })
    }

    /// The first `calls` calls pass untouched.
    pub fn after(mut self, calls: u64) -> FaultRule {
        self.after = calls;
        self
    }

    /// `count` calls are hit (0: every later call, as `evtlog_inject_fault` takes it).
    pub fn times(mut self, count: u64) -> FaultRule {
        self.times = if count == 0 {
            FaultTimes::Always
        } else {
            FaultTimes::Count(count)
        };
        self
    }

    /// Every later call is hit.
    pub fn always(mut self) -> FaultRule {
        self.times = FaultTimes::Always;
        self
    }

    /// Each later call is hit with probability `percent`/100 (clamped to 1..=100), the
    /// choice made by `seed` and the call's number.
    pub fn percent(mut self, percent: u8, seed: u64) -> FaultRule {
        self.times = FaultTimes::Percent {
            percent: percent.clamp(1, 100),
            seed,
        };
        self
    }

    /// The function's canonical name.
    pub fn function(&self) -> &'static str {
        self.function
    }

    /// How many calls pass before the rule hits.
    pub fn after_calls(&self) -> u64 {
        self.after
    }

    /// Which calls after those it hits.
    pub fn hits(&self) -> FaultTimes {
        self.times
    }

    /// What it does to them.
    pub fn effect(&self) -> FaultEffect {
        self.effect
    }

    /// Whether the call numbered `n` (0-based, among those the rule has seen) is hit.
    fn hits_call(&self, n: u64) -> bool {
        let Some(k) = n.checked_sub(self.after) else {
            return false;
        };
        match self.times {
            FaultTimes::Count(c) => k < c,
            FaultTimes::Always => true,
            FaultTimes::Percent { percent, seed } => {
                let name = self
                    .function
                    .bytes()
                    .fold(0u64, |h, b| h.rotate_left(5) ^ u64::from(b));
                splitmix64(seed ^ name ^ k.wrapping_mul(0x9E37_79B9_7F4A_7C15)) % 100
                    < u64::from(percent)
            }
        }
    }
}

fn function_named(name: &str) -> Result<&'static str> {
    fault_function(name).ok_or_else(|| {
        Error::with_message(
            ErrorKind::InvalidParameter,
            format!("{name:?} is not a wevtapi function a fault can name"),
        )
    })
}

fn splitmix64(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

impl fmt::Display for FaultRule {
    /// `FUNCTION@AFTER:EFFECT` then `xCOUNT`, `x*` or `xP%#SEED`; EFFECT is the code, or
    /// `+MSms` for a delay (whole milliseconds).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}:", self.function, self.after)?;
        match self.effect {
            FaultEffect::Fail(code) => write!(f, "{code}")?,
            FaultEffect::Delay(d) => write!(f, "+{}ms", d.as_millis())?,
        }
        match self.times {
            FaultTimes::Count(n) => write!(f, "x{n}"),
            FaultTimes::Always => f.write_str("x*"),
            FaultTimes::Percent { percent, seed } => write!(f, "x{percent}%#{seed}"),
        }
    }
}

/// Messages of a publisher made unavailable: the codes EvtFormatMessage may fail with.
/// 15029-15031 are left out: with them Windows still produces a string (a quirk, not a
/// failure).
const MESSAGE_FAULT_CODES: &[u32] = &[
    ERROR_EVT_MESSAGE_NOT_FOUND,
    ERROR_EVT_MESSAGE_ID_NOT_FOUND,
    ERROR_EVT_MESSAGE_LOCALE_NOT_FOUND,
    ERROR_EVT_PUBLISHER_DISABLED,
    ERROR_MR_MID_NOT_FOUND,
    ERROR_RESOURCE_DATA_NOT_FOUND,
    ERROR_RESOURCE_TYPE_NOT_FOUND,
    ERROR_RESOURCE_NAME_NOT_FOUND,
    ERROR_RESOURCE_LANG_NOT_FOUND,
    ERROR_MUI_FILE_NOT_FOUND,
];

/// How many rules are armed in all engines of the process (invariant 1: the facade's check),
/// with the facade's other per-call hooks in its top bits ([`CALL_HOOKS`]), so that a call
/// with none of them on costs the one load.
static ARMED_ANYWHERE: AtomicUsize = AtomicUsize::new(HOOK_UNSTARTED);

/// The facade's call trace is on (winevt/trace.rs).
pub(crate) const HOOK_TRACE: usize = 1 << (usize::BITS - 1);
/// No facade call has run yet: the first one reads the environment's settings.
pub(crate) const HOOK_UNSTARTED: usize = 1 << (usize::BITS - 2);
/// The bits of [`ARMED_ANYWHERE`] that are hooks, not the count of armed rules.
pub(crate) const CALL_HOOKS: usize = HOOK_TRACE | HOOK_UNSTARTED;

/// The facade's check: zero when no rule is armed and no hook is on (one atomic load).
#[inline]
pub(crate) fn call_hooks() -> usize {
    ARMED_ANYWHERE.load(Ordering::Relaxed)
}

/// Turns a hook bit of [`CALL_HOOKS`] on or off.
pub(crate) fn set_call_hook(hook: usize, on: bool) {
    debug_assert_eq!(hook & !CALL_HOOKS, 0);
    if on {
        ARMED_ANYWHERE.fetch_or(hook, Ordering::Relaxed);
    } else {
        ARMED_ANYWHERE.fetch_and(!hook, Ordering::Relaxed);
    }
}

thread_local! {
    /// Set while a checked call runs on this thread (invariant 2).
    static IN_CALL: Cell<bool> = const { Cell::new(false) };
}

/// A checked call in progress: while it lives, nested checks on its thread pass uncounted.
#[must_use = "the call is checked while the guard lives"]
#[derive(Debug)]
pub struct FaultGuard {
    marked: bool,
}

impl FaultGuard {
    fn unmarked() -> FaultGuard {
        FaultGuard { marked: false }
    }

    fn mark() -> Option<FaultGuard> {
        if IN_CALL.with(|c| c.replace(true)) {
            None
        } else {
            Some(FaultGuard { marked: true })
        }
    }
}

impl Default for FaultGuard {
    /// A guard that marks nothing (the check with no rule armed).
    fn default() -> FaultGuard {
        FaultGuard::unmarked()
    }
}

impl Drop for FaultGuard {
    fn drop(&mut self) {
        if self.marked {
            IN_CALL.with(|c| c.set(false));
        }
    }
}

struct ArmedRule {
    rule: FaultRule,
    /// Calls of its function seen since armed.
    seen: u64,
}

#[derive(Default)]
struct Faults {
    rules: Vec<ArmedRule>,
    /// Removed publishers, by lowercase name.
    removed: Vec<String>,
    /// Publishers whose messages fail, by lowercase name, with the code.
    messages: HashMap<String, u32>,
    /// Channels the caller may not read, by lowercase name.
    denied: Vec<String>,
    /// Channels made full (to release on clear).
    full: Vec<Weak<Channel>>,
}

/// An engine's fault plan ([`Engine::fault_plan`](super::Engine::fault_plan)).
#[derive(Default)]
pub struct FaultPlan {
    /// The number of armed rules (invariant 1).
    armed: AtomicUsize,
    /// Whether any publisher or channel fault is set (checked before the lock).
    state_faults: AtomicUsize,
    inner: Mutex<Faults>,
}

impl fmt::Debug for FaultPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.inner.lock();
        f.debug_struct("FaultPlan")
            .field(
                "rules",
                &inner
                    .rules
                    .iter()
                    .map(|r| r.rule.to_string())
                    .collect::<Vec<_>>(),
            )
            .field("removed_publishers", &inner.removed)
            .field("denied_channels", &inner.denied)
            .finish_non_exhaustive()
    }
}

impl Drop for FaultPlan {
    fn drop(&mut self) {
        ARMED_ANYWHERE.fetch_sub(*self.armed.get_mut(), Ordering::Relaxed);
    }
}

impl FaultPlan {
    /// Arms `rule`, after those already armed (for one call the first that hits wins; every
    /// rule of the function counts the call).
    pub fn inject(&self, rule: FaultRule) {
        self.inner.lock().rules.push(ArmedRule { rule, seen: 0 });
        self.armed.fetch_add(1, Ordering::Relaxed);
        ARMED_ANYWHERE.fetch_add(1, Ordering::Relaxed);
    }

    /// Arms every rule of `plan` (the text [`parse_plan`] reads); a malformed plan arms
    /// nothing and returns the first error.
    pub fn inject_plan(&self, plan: &str) -> std::result::Result<usize, PlanError> {
        let rules = parse_plan(plan)?;
        let n = rules.len();
        for rule in rules {
            self.inject(rule);
        }
        Ok(n)
    }

    /// The armed rules, in order.
    pub fn rules(&self) -> Vec<FaultRule> {
        self.inner
            .lock()
            .rules
            .iter()
            .map(|r| r.rule.clone())
            .collect()
    }

    /// Removes every fault: the rules, and the publisher and channel faults (invariant 5).
    pub fn clear(&self) {
        let mut inner = self.inner.lock();
        let n = inner.rules.len();
        inner.rules.clear();
        self.armed.fetch_sub(n, Ordering::Relaxed);
        ARMED_ANYWHERE.fetch_sub(n, Ordering::Relaxed);
        for channel in inner.full.drain(..).filter_map(|c| c.upgrade()) {
            channel.set_forced_full(false);
        }
        inner.removed.clear();
        inner.messages.clear();
        inner.denied.clear();
        self.state_faults.store(0, Ordering::Relaxed);
    }

    /// The check at the start of a call of `function` (invariants 1-3): `Ok` with the guard
    /// to keep while the call runs, or the injected failure. A delay has been taken when it
    /// returns.
    #[inline]
    pub fn enter(&self, function: &'static str, clock: &dyn Clock) -> Result<FaultGuard> {
        if self.armed.load(Ordering::Relaxed) == 0 {
            return Ok(FaultGuard::unmarked());
        }
        self.enter_armed(function, clock)
    }

    #[cold]
    fn enter_armed(&self, function: &'static str, clock: &dyn Clock) -> Result<FaultGuard> {
        let Some(guard) = FaultGuard::mark() else {
            return Ok(FaultGuard::unmarked());
        };
        let mut hit = None;
        {
            let mut inner = self.inner.lock();
            for (i, armed) in inner.rules.iter_mut().enumerate() {
                if armed.rule.function != function {
                    continue;
                }
                let n = armed.seen;
                armed.seen += 1;
                if hit.is_none() && armed.rule.hits_call(n) {
                    hit = Some((i + 1, n + 1, armed.rule.clone()));
                }
            }
        }
        let Some((index, call, rule)) = hit else {
            return Ok(guard);
        };
        match rule.effect {
            FaultEffect::Fail(code) => Err(Error::with_code(
                code,
                format!("(injected by evtlog's fault plan: call {call} of {function}, rule {index} {rule})"),
            )),
            FaultEffect::Delay(delay) => {
                let ticks = u64::try_from(delay.as_nanos() / 100).unwrap_or(u64::MAX);
                if !clock.try_advance(ticks) {
                    std::thread::sleep(delay);
                }
                Ok(guard)
            }
        }
    }

    /// A guard under which the thread's checks pass uncounted: the engine's own uses of the
    /// checked methods (invariant 2). Costs one atomic load with no rule armed.
    pub(crate) fn quiet(&self) -> FaultGuard {
        if self.armed.load(Ordering::Relaxed) == 0 {
            return FaultGuard::unmarked();
        }
        FaultGuard::mark().unwrap_or_else(FaultGuard::unmarked)
    }

    /// EvtOpenPublisherMetadata of `publisher` fails with
    /// ERROR_EVT_PUBLISHER_METADATA_NOT_FOUND (15002) as if it were not installed, and an
    /// open metadata handle of it fails with ERROR_EVT_PUBLISHER_DISABLED (15037), as after
    /// an uninstall; installing it again is not needed to undo it: [`clear`](Self::clear).
    pub fn remove_publisher(&self, publisher: &str) {
        self.inner.lock().removed.push(publisher.to_lowercase());
        self.state_faults.fetch_add(1, Ordering::Relaxed);
    }

    /// EvtFormatMessage with `publisher`'s metadata fails with `code`: 15027
    /// (ERROR_EVT_MESSAGE_NOT_FOUND), 15028, 15033 (ERROR_EVT_MESSAGE_LOCALE_NOT_FOUND), 15037,
    /// 317 (ERROR_MR_MID_NOT_FOUND, Windows 11's 15027), 1812-1815 or 15100 (the message file
    /// gone). Other codes: `InvalidParameter` (87).
    pub fn fail_messages(&self, publisher: &str, code: u32) -> Result<()> {
        if !MESSAGE_FAULT_CODES.contains(&code) {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                format!(
                    "{code} is not a code EvtFormatMessage fails with (15027, 15028, 15033, \
                     15037, 317, 1812-1815, 15100; 15029-15031 still give a string)"
                ),
            ));
        }
        self.inner
            .lock()
            .messages
            .insert(publisher.to_lowercase(), code);
        self.state_faults.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    /// The caller (the emulation has one identity: this process's) may no longer read
    /// `channel`: queries, subscriptions, EvtOpenLog, exports and clears of it fail with
    /// ERROR_ACCESS_DENIED (5), as for a standard user reading Security. Writing to it is
    /// unaffected (the service writes).
    pub fn deny_channel_access(&self, channel: &str) {
        self.inner.lock().denied.push(channel.to_lowercase());
        self.state_faults.fetch_add(1, Ordering::Relaxed);
    }

    /// Makes `channel` full: every append fails with ERROR_LOG_FILE_FULL (1502) and
    /// EvtGetLogInfo's EvtLogFull is true, as for a do-not-overwrite channel at its maximum
    /// size. Its records and configuration are untouched.
    pub(crate) fn fill_channel(&self, channel: &Arc<Channel>) {
        channel.set_forced_full(true);
        self.inner.lock().full.push(Arc::downgrade(channel));
        self.state_faults.fetch_add(1, Ordering::Relaxed);
    }

    fn has_state_faults(&self) -> bool {
        self.state_faults.load(Ordering::Relaxed) != 0
    }

    /// Whether `publisher` was removed by the plan.
    pub(crate) fn publisher_removed(&self, publisher: &str) -> bool {
        self.has_state_faults() && {
            let name = publisher.to_lowercase();
            self.inner.lock().removed.contains(&name)
        }
    }

    /// 15002 for a removed publisher.
    pub(crate) fn check_publisher(&self, publisher: &str) -> Result<()> {
        if self.publisher_removed(publisher) {
            return Err(Error::with_message(
                ErrorKind::PublisherMetadataNotFound,
                format!("the publisher '{publisher}' is removed by evtlog's fault plan"),
            ));
        }
        Ok(())
    }

    /// The failure of formatting `publisher`'s messages, if the plan set one.
    pub(crate) fn check_messages(&self, publisher: &str) -> Result<()> {
        if !self.has_state_faults() {
            return Ok(());
        }
        let code = self
            .inner
            .lock()
            .messages
            .get(&publisher.to_lowercase())
            .copied();
        match code {
            Some(code) => Err(Error::with_code(
                code,
                format!(
                    "(injected by evtlog's fault plan: the messages of '{publisher}' are unavailable)"
                ),
            )),
            None => Ok(()),
        }
    }

    /// ERROR_ACCESS_DENIED (5) if the caller may not read `channel`.
    pub(crate) fn check_access(&self, channel: &str) -> Result<()> {
        if !self.has_state_faults() {
            return Ok(());
        }
        let name = channel.to_lowercase();
        if self.inner.lock().denied.contains(&name) {
            return Err(Error::with_message(
                ErrorKind::AccessDenied,
                format!("the caller may not read channel {channel} (evtlog's fault plan)"),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::VirtualClock;

    #[test]
    fn after_then_count_then_pass() {
        let plan = FaultPlan::default();
        let clock = VirtualClock::default();
        plan.inject(FaultRule::fail("EvtNext", 1734).unwrap().after(2).times(2));
        let outcomes: Vec<Option<u32>> = (0..6)
            .map(|_| plan.enter("EvtNext", &clock).err().map(|e| e.win32_code()))
            .collect();
        assert_eq!(outcomes, [None, None, Some(1734), Some(1734), None, None]);
        // Other functions are untouched.
        assert!(plan.enter("EvtRender", &clock).is_ok());
        plan.clear();
        assert!(plan.rules().is_empty());
    }

    #[test]
    fn nested_checks_count_once() {
        let plan = FaultPlan::default();
        let clock = VirtualClock::default();
        plan.inject(FaultRule::fail("EvtQuery", 5).unwrap().after(1));
        let outer = plan.enter("EvtExportLog", &clock).unwrap();
        // Under the export's guard the query is not a call of its own.
        assert!(plan.enter("EvtQuery", &clock).is_ok());
        assert!(plan.enter("EvtQuery", &clock).is_ok());
        drop(outer);
        assert!(plan.enter("EvtQuery", &clock).is_ok());
        let e = plan.enter("EvtQuery", &clock).err().unwrap();
        assert_eq!(e.win32_code(), 5);
        assert!(e.to_string().contains("injected"), "{e}");
    }

    #[test]
    fn percent_is_seeded_and_deterministic() {
        let clock = VirtualClock::default();
        let run = |seed| {
            let plan = FaultPlan::default();
            plan.inject(FaultRule::fail("EvtRender", 87).unwrap().percent(30, seed));
            (0..1000)
                .map(|_| plan.enter("EvtRender", &clock).is_err())
                .collect::<Vec<_>>()
        };
        let a = run(7);
        assert_eq!(a, run(7));
        assert_ne!(a, run(8));
        let hits = a.iter().filter(|h| **h).count();
        assert!((200..400).contains(&hits), "{hits} of 1000 at 30%");
    }

    #[test]
    fn a_delay_moves_the_virtual_clock() {
        let plan = FaultPlan::default();
        let clock = VirtualClock::default();
        let start = clock.now();
        plan.inject(
            FaultRule::delay("EvtNext", Duration::from_millis(1500))
                .unwrap()
                .always(),
        );
        drop(plan.enter("EvtNext", &clock).unwrap());
        drop(plan.enter("EvtNext", &clock).unwrap());
        assert_eq!(clock.now().0 - start.0, 2 * 15_000_000);
    }

    #[test]
    fn bad_rules_are_refused() {
        assert_eq!(FaultRule::fail("EvtNxt", 5).unwrap_err().win32_code(), 87);
        assert_eq!(FaultRule::fail("EvtNext", 0).unwrap_err().win32_code(), 87);
        assert_eq!(FaultRule::fail("evtnext", 5).unwrap().function(), "EvtNext");
        let plan = FaultPlan::default();
        assert_eq!(plan.fail_messages("P", 15029).unwrap_err().win32_code(), 87);
    }
}
