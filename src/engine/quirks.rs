//! Windows' own limits and quirks, as a set an engine holds ([`Quirks`]) and named profiles
//! of them after the Windows versions that show them ([`quirk_profiles`]).
//!
//! Each [`Quirk`] is a behaviour some Windows versions have and evtlog's default lacks:
//! reported by a consumer's issue or code, or observed in a Windows test. An engine starts
//! with none (the `default` profile: evtlog's behaviour, unchanged); `Engine::set_quirks`
//! selects some, and the wevtapi facade's service takes `EVTLOG_QUIRKS` (a profile name, or
//! a comma list of profile and quirk names, parsed by [`Quirks::parse`]).
//!
//! Where each acts: the EvtNext batch cap and the untimed scan in the engine's `next`
//! (queries and pull subscriptions, so the Rust API meets them too); the others at the
//! facade (`winevt`) or the C ABI, which read the engine's set.
//!
//! Invariants:
//! 1. With no quirk set, a check is one relaxed atomic load and changes nothing.
//! 2. A quirk never makes evtlog write outside a caller's buffer, or through NULL: where
//!    Windows overruns (the EvtFormatMessage extra NUL) the simulation stops at the buffer.
//! 3. A faulted batch (1734) moves the read position exactly as the quirk says and nothing
//!    else: `EvtNext1734` past the whole batch, `EvtNextShortBatch` past the events
//!    returned only.
//! 4. Parsing is all or nothing: a malformed list names the item at fault and selects
//!    nothing.

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};

use crate::error::{Error, ErrorKind, Result};

/// MAX_RPC_BATCH_SIZE (MS-EVEN6, 2 MiB): the data of one EvtNext batch, in bytes, beyond
/// which the batch-cap quirks act. A batch's data is the sum of its records' sizes as
/// EVTX records ([`Event::approx_record_size`](crate::Event::approx_record_size)).
pub const BATCH_DATA_CAP: u64 = 2 * 1024 * 1024;

/// One of Windows' quirks (see the docs' Quirks page for each one's source).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Quirk {
    /// `evtnext-1734`: a batch whose data passes [`BATCH_DATA_CAP`] fails with
    /// RPC_S_INVALID_BOUND (1734), and the read position has moved past every event of
    /// it (Windows Server 2012 R2 to Windows 10 before its late updates).
    EvtNext1734,
    /// `evtnext-short-batch`: a batch stops before the event that would take its data past
    /// [`BATCH_DATA_CAP`] (a short batch, TRUE); the rest stay unread (Windows Server 2019
    /// since 2020, Windows 11). A lone event is always returned.
    EvtNextShortBatch,
    /// `unreplaced-inserts`: EvtFormatMessage (Event and Xml) of an event read from a
    /// channel leaves its `%n` inserts as written, and succeeds (Windows 11 22H2).
    UnreplacedInserts,
    /// `format-extra-nul`: EvtFormatMessage writes a second NUL after the string, as
    /// Windows' `(BufferUsed*2)+2`-byte copy does, but only where the caller's buffer has
    /// room (Windows writes past it).
    FormatExtraNul,
    /// `null-property-count`: EvtRender takes a NULL PropertyCount (NXLog's bookmark
    /// render) instead of failing with ERROR_INVALID_PARAMETER (87).
    NullPropertyCount,
    /// `relative-export-path`: EvtExportLog (and EvtClearLog's backup) take a relative
    /// target, resolved against the calling process's current directory, instead of
    /// failing with ERROR_INVALID_PARAMETER (87) as documented.
    RelativeExportPath,
    /// `untimed-query-scan`: a query's EvtNext never times out while it scans (a zero
    /// timeout over a sparse filter finds the next match or the end), where evtlog's
    /// default times a scan out after its first poll interval (64 records).
    UntimedQueryScan,
    /// `mid-not-found-317`: EvtFormatMessage fails with ERROR_MR_MID_NOT_FOUND (317) where
    /// evtlog says ERROR_EVT_MESSAGE_NOT_FOUND (15027) (Windows 11).
    MidNotFound317,
}

impl Quirk {
    /// Every quirk, in the order names are listed.
    pub const ALL: [Quirk; 8] = [
        Quirk::EvtNext1734,
        Quirk::EvtNextShortBatch,
        Quirk::UnreplacedInserts,
        Quirk::FormatExtraNul,
        Quirk::NullPropertyCount,
        Quirk::RelativeExportPath,
        Quirk::UntimedQueryScan,
        Quirk::MidNotFound317,
    ];

    /// Its name in `EVTLOG_QUIRKS`.
    pub fn name(self) -> &'static str {
        match self {
            Quirk::EvtNext1734 => "evtnext-1734",
            Quirk::EvtNextShortBatch => "evtnext-short-batch",
            Quirk::UnreplacedInserts => "unreplaced-inserts",
            Quirk::FormatExtraNul => "format-extra-nul",
            Quirk::NullPropertyCount => "null-property-count",
            Quirk::RelativeExportPath => "relative-export-path",
            Quirk::UntimedQueryScan => "untimed-query-scan",
            Quirk::MidNotFound317 => "mid-not-found-317",
        }
    }

    /// The quirk named `name` (ASCII case ignored).
    pub fn from_name(name: &str) -> Option<Quirk> {
        Quirk::ALL
            .into_iter()
            .find(|q| q.name().eq_ignore_ascii_case(name))
    }

    fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

impl fmt::Display for Quirk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of quirks. `Quirks::default()` is empty: evtlog's own behaviour.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Quirks {
    bits: u32,
}

/// A named profile: the quirks of a Windows version.
#[derive(Clone, Copy, Debug)]
pub struct QuirkProfile {
    /// Its name in `EVTLOG_QUIRKS`.
    pub name: &'static str,
    /// The Windows versions it stands for.
    pub windows: &'static str,
    /// Its quirks.
    pub quirks: Quirks,
}

/// The quirks every Windows version shows as far as the evidence goes: the EvtFormatMessage
/// extra NUL (Datadog's analysis of the copy) and NXLog's NULL PropertyCount.
const EVERY_WINDOWS: Quirks = Quirks::NONE
    .with(Quirk::FormatExtraNul)
    .with(Quirk::NullPropertyCount);

const CONSUMING_1734: Quirks = EVERY_WINDOWS.with(Quirk::EvtNext1734);
const SHORT_BATCH: Quirks = EVERY_WINDOWS.with(Quirk::EvtNextShortBatch);
const WIN11: Quirks = SHORT_BATCH.with(Quirk::MidNotFound317);

static PROFILES: [QuirkProfile; 7] = [
    QuirkProfile {
        name: "default",
        windows: "none: evtlog's own behaviour",
        quirks: Quirks::NONE,
    },
    QuirkProfile {
        name: "server2012r2",
        windows: "Windows Server 2012 R2, Windows 8.1",
        quirks: CONSUMING_1734,
    },
    QuirkProfile {
        name: "server2016",
        windows: "Windows Server 2016",
        quirks: CONSUMING_1734,
    },
    QuirkProfile {
        name: "win10",
        windows: "Windows 10 before its late 1734 fix",
        quirks: CONSUMING_1734,
    },
    QuirkProfile {
        name: "server2019",
        windows: "Windows Server 2019 (2020 and later), Windows 10 after the fix",
        quirks: SHORT_BATCH,
    },
    QuirkProfile {
        name: "win11",
        windows: "Windows 11 (21H2, 23H2 and later)",
        quirks: WIN11,
    },
    QuirkProfile {
        name: "win11-22h2",
        windows: "Windows 11 22H2",
        quirks: WIN11.with(Quirk::UnreplacedInserts),
    },
];

/// The named profiles, `default` first.
pub fn quirk_profiles() -> &'static [QuirkProfile] {
    &PROFILES
}

impl Quirks {
    /// No quirk: evtlog's own behaviour (the `default` profile).
    pub const NONE: Quirks = Quirks { bits: 0 };

    /// This set and `quirk`.
    pub const fn with(self, quirk: Quirk) -> Quirks {
        Quirks {
            bits: self.bits | (1 << (quirk as u32)),
        }
    }

    /// This set without `quirk`.
    pub const fn without(self, quirk: Quirk) -> Quirks {
        Quirks {
            bits: self.bits & !(1 << (quirk as u32)),
        }
    }

    /// Both sets.
    pub const fn union(self, other: Quirks) -> Quirks {
        Quirks {
            bits: self.bits | other.bits,
        }
    }

    /// Whether `quirk` is in the set.
    pub fn contains(self, quirk: Quirk) -> bool {
        self.bits & quirk.bit() != 0
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.bits == 0
    }

    /// The quirks of the set, in [`Quirk::ALL`]'s order.
    pub fn iter(self) -> impl Iterator<Item = Quirk> {
        Quirk::ALL.into_iter().filter(move |q| self.contains(*q))
    }

    /// The profile named `name` (ASCII case ignored).
    pub fn profile(name: &str) -> Option<Quirks> {
        PROFILES
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .map(|p| p.quirks)
    }

    /// `EVTLOG_QUIRKS`' grammar: a comma list of profile and quirk names (ASCII case and
    /// spaces around items ignored), the union of them all. Empty text is no quirk.
    ///
    /// Errors: `InvalidParameter` (87) naming the first item that is empty or no profile
    /// or quirk, with its 1-based position and the names that are known.
    pub fn parse(text: &str) -> Result<Quirks> {
        if text.trim().is_empty() {
            return Ok(Quirks::NONE);
        }
        let mut quirks = Quirks::NONE;
        for (i, item) in text.split(',').enumerate() {
            let name = item.trim();
            let found = Quirks::profile(name)
                .or_else(|| Quirk::from_name(name).map(|q| Quirks::NONE.with(q)));
            match found {
                Some(q) if !name.is_empty() => quirks = quirks.union(q),
                _ => {
                    let what = if name.is_empty() {
                        "an empty item".to_owned()
                    } else {
                        format!("{name:?}")
                    };
                    return Err(Error::with_message(
                        ErrorKind::InvalidParameter,
                        format!(
                            "{what} (item {} of {text:?}) is no quirk profile or quirk; profiles: {}; quirks: {}",
                            i + 1,
                            PROFILES.iter().map(|p| p.name).collect::<Vec<_>>().join(", "),
                            Quirk::ALL.map(Quirk::name).join(", "),
                        ),
                    ));
                }
            }
        }
        Ok(quirks)
    }

    /// What a batch's data does under these quirks, if either batch cap is set.
    pub(crate) fn batch_cap(self) -> Option<BatchCap> {
        if self.contains(Quirk::EvtNext1734) {
            Some(BatchCap::Fail)
        } else if self.contains(Quirk::EvtNextShortBatch) {
            Some(BatchCap::Short)
        } else {
            None
        }
    }
}

impl fmt::Debug for Quirks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter().map(Quirk::name)).finish()
    }
}

impl fmt::Display for Quirks {
    /// The quirks' names, comma-separated (`Quirks::parse` reads it back); empty for none.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, q) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(q.name())?;
        }
        Ok(())
    }
}

impl From<Quirk> for Quirks {
    fn from(quirk: Quirk) -> Quirks {
        Quirks::NONE.with(quirk)
    }
}

/// The batch cap in force: fail the batch (and consume it), or cut it short.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum BatchCap {
    Fail,
    Short,
}

/// A batch's data running total against [`BATCH_DATA_CAP`], for a `next` that gathers
/// events with a cursor of type `C` (invariant 3).
#[derive(Debug)]
pub(crate) struct BatchGuard<C> {
    cap: Option<BatchCap>,
    bytes: u64,
    /// Short batches: the cursor before the event being admitted.
    before: Option<C>,
}

impl<C: Clone> BatchGuard<C> {
    /// The guard for `quirks` (inert when neither batch cap is set).
    pub(crate) fn new(quirks: Quirks) -> BatchGuard<C> {
        BatchGuard {
            cap: quirks.batch_cap(),
            bytes: 0,
            before: None,
        }
    }

    /// Before a step: keeps the cursor to come back to if the event does not fit.
    pub(crate) fn mark(&mut self, cursor: &C) {
        if self.cap == Some(BatchCap::Short) {
            self.before = Some(cursor.clone());
        }
    }

    /// Whether the event just stepped over (of `size()` bytes) joins a batch that already
    /// holds `have` events. False only for a short batch that it would take past the cap
    /// (and not empty): the cursor is then put back before it, so it stays unread.
    pub(crate) fn admit(
        &mut self,
        size: impl FnOnce() -> u64,
        have: usize,
        cursor: &mut C,
    ) -> bool {
        let Some(cap) = self.cap else {
            return true;
        };
        let bytes = self.bytes.saturating_add(size());
        if cap == BatchCap::Short && bytes > BATCH_DATA_CAP && have > 0 {
            if let Some(before) = self.before.take() {
                *cursor = before;
            }
            return false;
        }
        self.bytes = bytes;
        true
    }

    /// After the batch (its cursor committed): the 1734 failure if it holds `events`
    /// events over the cap under `evtnext-1734`.
    pub(crate) fn check(&self, events: usize) -> Result<()> {
        if self.cap == Some(BatchCap::Fail) && self.bytes > BATCH_DATA_CAP {
            return Err(Error::with_message(
                ErrorKind::InvalidBound,
                format!(
                    "a batch of {events} events holds {} bytes of data, over {BATCH_DATA_CAP} \
                     (the evtnext-1734 quirk: its events are consumed)",
                    self.bytes
                ),
            ));
        }
        Ok(())
    }
}

/// A batch already gathered (a pull subscription's), cut as the batch caps say: under
/// `evtnext-short-batch` the events from the first that takes the data past the cap are
/// split off and returned (to be returned first by the next call: they stay unread);
/// under `evtnext-1734` a batch over the cap is the 1734 error (its events consumed).
pub(crate) fn cut_batch<T>(
    quirks: Quirks,
    events: &mut Vec<T>,
    size: impl Fn(&T) -> u64,
) -> Result<Vec<T>> {
    let Some(cap) = quirks.batch_cap() else {
        return Ok(Vec::new());
    };
    let mut guard = BatchGuard::<()>::new(quirks);
    for (i, event) in events.iter().enumerate() {
        if !guard.admit(|| size(event), i, &mut ()) {
            return Ok(events.split_off(i));
        }
    }
    debug_assert!(cap == BatchCap::Fail || guard.bytes <= BATCH_DATA_CAP || events.len() == 1);
    guard.check(events.len()).map(|()| Vec::new())
}

/// An engine's quirks, read with one relaxed load.
#[derive(Debug, Default)]
pub(crate) struct QuirkCell(AtomicU32);

impl QuirkCell {
    pub(crate) fn get(&self) -> Quirks {
        Quirks {
            bits: self.0.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn set(&self, quirks: Quirks) {
        self.0.store(quirks.bits, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_profiles_nest() {
        for q in Quirk::ALL {
            assert_eq!(Quirk::from_name(q.name()), Some(q));
            assert_eq!(Quirk::from_name(&q.name().to_uppercase()), Some(q));
        }
        let all = Quirk::ALL.into_iter().fold(Quirks::NONE, |s, q| s.with(q));
        assert_eq!(Quirks::parse(&all.to_string()).unwrap(), all);
        assert_eq!(Quirks::profile("default"), Some(Quirks::NONE));
        let w22 = Quirks::profile("WIN11-22H2").unwrap();
        let w11 = Quirks::profile("win11").unwrap();
        assert_eq!(w22.without(Quirk::UnreplacedInserts), w11);
        assert!(w11.contains(Quirk::MidNotFound317));
        assert!(!Quirks::profile("server2016")
            .unwrap()
            .contains(Quirk::MidNotFound317));
        // QuirkProfile names and quirk names never collide.
        for p in quirk_profiles() {
            assert!(Quirk::from_name(p.name).is_none(), "{}", p.name);
        }
    }

    #[test]
    fn parse_takes_lists_and_names_the_bad_item() {
        let q = Quirks::parse(" server2016 , mid-not-found-317 ").unwrap();
        assert!(q.contains(Quirk::EvtNext1734) && q.contains(Quirk::MidNotFound317));
        assert_eq!(Quirks::parse("").unwrap(), Quirks::NONE);
        let e = Quirks::parse("win11,win12").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidParameter);
        let text = e.to_string();
        assert!(
            text.contains("\"win12\"") && text.contains("item 2"),
            "{text}"
        );
        let e = Quirks::parse("win11,,win10").unwrap_err().to_string();
        assert!(e.contains("an empty item") && e.contains("item 2"), "{e}");
    }

    #[test]
    fn batch_guards_fail_or_cut_short_at_the_cap() {
        let half = BATCH_DATA_CAP / 2;
        let mut fail = BatchGuard::<u32>::new(Quirk::EvtNext1734.into());
        let mut cursor = 0;
        for have in 0..3 {
            fail.mark(&cursor);
            cursor += 1;
            assert!(fail.admit(|| half, have, &mut cursor));
        }
        assert_eq!(cursor, 3);
        assert_eq!(fail.check(3).unwrap_err().kind(), ErrorKind::InvalidBound);

        let mut short = BatchGuard::<u32>::new(Quirk::EvtNextShortBatch.into());
        let mut cursor = 0;
        let mut taken = 0;
        for have in 0..3 {
            short.mark(&cursor);
            cursor += 1;
            if !short.admit(|| half, have, &mut cursor) {
                break;
            }
            taken += 1;
        }
        assert_eq!((taken, cursor), (2, 2), "the third stays unread");
        assert!(short.check(2).is_ok());
        // A lone event over the cap is returned.
        let mut lone = BatchGuard::<u32>::new(Quirk::EvtNextShortBatch.into());
        assert!(lone.admit(|| 3 * BATCH_DATA_CAP, 0, &mut cursor));

        let both = Quirks::from(Quirk::EvtNextShortBatch).with(Quirk::EvtNext1734);
        assert_eq!(both.batch_cap(), Some(BatchCap::Fail));
        assert_eq!(Quirks::NONE.batch_cap(), None);
        let mut none = BatchGuard::<u32>::new(Quirks::NONE);
        assert!(none.admit(|| unreachable!(), 5, &mut cursor));
    }
}
