//! Where each string comes from, per EvtFormatMessage flag and for classic sources: the locale's
//! tables, the event definition of a record, the level, task, opcode, channel, keyword and
//! provider strings, with Winmeta for the reserved values; and the per-thread cache of
//! compiled messages and event indexes.
//!
//! Invariants:
//! - The cache holds a `Weak` to each publisher it has entries for, so a publisher's address
//!   is never reused while its entries exist; entries of dropped publishers are purged
//!   before new ones are added. Keys are addresses of strings inside the publisher, stable
//!   while it lives (an installed publisher is immutable).
//! - "No message to look up" is ERROR_EVT_MESSAGE_NOT_FOUND (15027); "a message id with no
//!   string in the locale's table" is ERROR_EVT_MESSAGE_ID_NOT_FOUND (15028), except for a
//!   publisher that names a message file and has no strings at all: its file was not found
//!   or held no table (no `.mui` beside it), ERROR_MUI_FILE_NOT_FOUND (15100), as
//!   FormatMessage reports for a missing message file; so is an event of a publisher whose
//!   resource file gave it no events.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;
use std::sync::{Arc, Weak};

use super::expand::{trim_line_end, Compiled};
use crate::error::{Error, ErrorKind, Result};
use crate::event::Event;
use crate::publisher::locale::{culture_of, DEFAULT_CULTURE};
use crate::publisher::winmeta::{self, WinmetaItem};
use crate::publisher::{EventDefinition, Publisher};

type Table = BTreeMap<u32, String>;

/// The tables of one locale.
pub(crate) struct Locale<'p> {
    /// The culture used (RenderingInfo's `Culture`).
    pub(crate) culture: &'p str,
    pub(crate) messages: Option<&'p Table>,
    pub(crate) parameters: Option<&'p Table>,
    /// The message file of a publisher that has no strings (15100 for its ids).
    pub(crate) unread_file: Option<&'p str>,
}

/// Picks the culture: LCID 0 is the fallback chain (the thread's, user's and system's
/// default, all en-US here, then any culture the publisher has); any other LCID is strict
/// (15033 when the publisher has messages but none in that culture).
pub(crate) fn locale(publisher: Option<&Publisher>, lcid: u32) -> Result<Locale<'_>> {
    let not_found = |why: String| Error::with_message(ErrorKind::MessageLocaleNotFound, why);
    let Some(p) = publisher else {
        return match lcid {
            0 | crate::publisher::DEFAULT_LCID => Ok(Locale {
                culture: DEFAULT_CULTURE,
                messages: None,
                parameters: None,
                unread_file: None,
            }),
            _ => Err(not_found(format!(
                "the default publisher's strings are en-US only, not LCID {lcid:#06x}"
            ))),
        };
    };
    let unread_file = p
        .messages
        .is_empty()
        .then(|| {
            let classic = p.classic.as_ref();
            p.message_file
                .as_deref()
                .or_else(|| classic.and_then(|c| c.event_message_file.as_deref()))
        })
        .flatten();
    if lcid == 0 {
        let culture = if p.messages.culture(DEFAULT_CULTURE).is_some() {
            DEFAULT_CULTURE
        } else {
            p.messages.cultures().next().unwrap_or(DEFAULT_CULTURE)
        };
        let parameters = p
            .parameters
            .culture(culture)
            .or_else(|| p.parameters.culture(DEFAULT_CULTURE))
            .or_else(|| p.parameters.by_culture.values().next());
        return Ok(Locale {
            culture,
            messages: p.messages.culture(culture),
            parameters,
            unread_file,
        });
    }
    let Some(culture) = culture_of(lcid) else {
        return Err(not_found(format!("LCID {lcid:#06x} is not a known locale")));
    };
    let messages = p.messages.culture(culture);
    if messages.is_none() && !p.messages.is_empty() {
        return Err(not_found(format!(
            "the publisher '{}' has no {culture} messages",
            p.name
        )));
    }
    Ok(Locale {
        culture,
        messages,
        parameters: p.parameters.culture(culture),
        unread_file,
    })
}

impl Locale<'_> {
    /// The string of message `id` (15028 when the table has none).
    pub(crate) fn message(&self, id: u32) -> Result<&str> {
        if let Some(file) = self.unread_file {
            return Err(Error::with_message(
                ErrorKind::MuiFileNotFound,
                format!(
                    "no strings were read from the message file {file} (not found under the \
                     Windows directory, or no message table and no .mui beside it); \
                     message {id:#010x}"
                ),
            ));
        }
        self.messages
            .and_then(|t| t.get(&id))
            .map(String::as_str)
            .ok_or_else(|| {
                Error::with_message(
                    ErrorKind::MessageIdNotFound,
                    format!(
                        "no message {id:#010x} in the {} message table",
                        self.culture
                    ),
                )
            })
    }

    /// The display string of an item's message (`None`: the item has none, 15027).
    pub(crate) fn item_string(
        &self,
        id: Option<u32>,
        what: impl FnOnce() -> String,
    ) -> Result<&str> {
        match id {
            Some(id) => self.message(id).map(trim_line_end),
            None => Err(not_found(format!("{} has no message", what()))),
        }
    }
}

pub(crate) fn not_found(why: String) -> Error {
    Error::with_message(ErrorKind::MessageNotFound, why)
}

/// A multiply-rotate hasher for the caches' small integer keys (addresses, ids): SipHash's
/// DoS resistance buys nothing for keys the process makes itself.
#[derive(Clone, Copy, Default)]
pub(crate) struct FastHasher(u64);

impl Hasher for FastHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u8(&mut self, n: u8) {
        self.write_u64(n.into());
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(n.into());
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// What an event's message needs, found once per (table, event identity): its message
/// compiled and its template.
pub(crate) struct Plan {
    pub(crate) compiled: Rc<Compiled>,
    pub(crate) template: Option<usize>,
}

/// An event's identity for [`Plan`]s: the message table's address, classic or not, the
/// full id and the version.
type PlanKey = (usize, bool, u32, u8);

/// A publisher's cached state on this thread.
struct Entry {
    owner: Weak<Publisher>,
    compiled: FastMap<(usize, usize), Rc<Compiled>>,
    plans: FastMap<PlanKey, Rc<Plan>>,
    /// (event value, version) → index into `events`; the first definition wins.
    events: Option<FastMap<(u32, u8), usize>>,
}

const MAX_COMPILED: usize = 8192;

thread_local! {
    static CACHE: RefCell<Vec<Entry>> = const { RefCell::new(Vec::new()) };
}

fn with_entry<R>(publisher: &Arc<Publisher>, f: impl FnOnce(&mut Entry) -> R) -> R {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let at = match cache
            .iter()
            .position(|e| e.owner.as_ptr() == Arc::as_ptr(publisher))
        {
            Some(i) => i,
            None => {
                cache.retain(|e| e.owner.strong_count() > 0);
                cache.push(Entry {
                    owner: Arc::downgrade(publisher),
                    compiled: FastMap::default(),
                    plans: FastMap::default(),
                    events: None,
                });
                cache.len() - 1
            }
        };
        f(&mut cache[at])
    })
}

/// `text` (a string of `publisher`) compiled, from the cache when it was compiled before.
pub(crate) fn compiled(publisher: Option<&Arc<Publisher>>, text: &str) -> Result<Rc<Compiled>> {
    let Some(publisher) = publisher else {
        return Compiled::new(text).map(Rc::new);
    };
    let key = (text.as_ptr() as usize, text.len());
    if let Some(c) = with_entry(publisher, |e| e.compiled.get(&key).cloned()) {
        return Ok(c);
    }
    let c = Rc::new(Compiled::new(text)?);
    with_entry(publisher, |e| {
        if e.compiled.len() >= MAX_COMPILED {
            e.compiled.clear();
        }
        e.compiled.insert(key, c.clone());
    });
    Ok(c)
}

/// The plan of the record's message (from the cache when made before).
pub(crate) fn plan(p: &Arc<Publisher>, loc: &Locale<'_>, record: &Record<'_>) -> Result<Rc<Plan>> {
    let key: PlanKey = (
        loc.messages.map_or(0, |t| t as *const Table as usize),
        record.classic,
        record.full_id,
        record.event.system.version.unwrap_or(0),
    );
    if let Some(plan) = with_entry(p, |e| e.plans.get(&key).cloned()) {
        return Ok(plan);
    }
    let id = event_message_id(p, loc, record)?;
    let compiled = compiled(Some(p), loc.message(id)?)?;
    let template = record.definition(p).and_then(|d| d.template);
    let plan = Rc::new(Plan { compiled, template });
    with_entry(p, |e| {
        if e.plans.len() >= MAX_COMPILED {
            e.plans.clear();
        }
        e.plans.insert(key, plan.clone());
    });
    Ok(plan)
}

/// The event definition with that value and version.
pub(crate) fn definition(
    publisher: &Arc<Publisher>,
    value: u32,
    version: u8,
) -> Option<&EventDefinition> {
    let index = with_entry(publisher, |e| {
        e.events
            .get_or_insert_with(|| {
                let mut map =
                    FastMap::with_capacity_and_hasher(publisher.events.len(), Default::default());
                for (i, d) in publisher.events.iter().enumerate() {
                    map.entry((d.value, d.version)).or_insert(i);
                }
                map
            })
            .get(&(value, version))
            .copied()
    });
    index.map(|i| &publisher.events[i])
}

/// A record's identity as the lookups need it.
pub(crate) struct Record<'e> {
    pub(crate) event: &'e Event,
    /// Qualifiers (non-zero) or a classic source: the classic rules apply (message id =
    /// Qualifiers << 16 | EventID, categories for tasks, no opcode names).
    pub(crate) classic: bool,
    /// `(Qualifiers << 16) | EventID`.
    pub(crate) full_id: u32,
}

impl<'e> Record<'e> {
    pub(crate) fn new(publisher: Option<&Publisher>, event: &'e Event) -> Record<'e> {
        let s = &event.system;
        let q = s.qualifiers.unwrap_or(0);
        Record {
            event,
            classic: q != 0 || publisher.is_some_and(|p| p.classic.is_some()),
            full_id: (u32::from(q) << 16) | u32::from(s.event_id),
        }
    }

    /// The event definition: by the full classic id, else by (EventID, Version).
    pub(crate) fn definition<'p>(&self, p: &'p Arc<Publisher>) -> Option<&'p EventDefinition> {
        let s = &self.event.system;
        let version = s.version.unwrap_or(0);
        if self.classic {
            if let Some(d) = definition(p, self.full_id, version)
                .or_else(|| p.events.iter().find(|d| d.value == self.full_id))
            {
                return Some(d);
            }
        }
        definition(p, u32::from(s.event_id), version)
    }
}

/// The event's message id: the classic id when the table has it (classic sources, and
/// manifest providers that also own a legacy source), else the definition's.
pub(crate) fn event_message_id(
    p: &Arc<Publisher>,
    loc: &Locale<'_>,
    record: &Record<'_>,
) -> Result<u32> {
    if record.classic
        && loc
            .messages
            .is_some_and(|t| t.contains_key(&record.full_id))
    {
        return Ok(record.full_id);
    }
    match record.definition(p) {
        Some(d) => d.message_id.ok_or_else(|| {
            not_found(format!(
                "event {} version {} of '{}' has no message",
                d.value, d.version, p.name
            ))
        }),
        None if record.classic => Ok(record.full_id),
        // Its resource file yielded no events: missing, as a missing message file is.
        None if p.events.is_empty() && p.resource_file.is_some() => Err(Error::with_message(
            ErrorKind::MuiFileNotFound,
            format!(
                "no events were read from the resource file {} of '{}'",
                p.resource_file.as_deref().unwrap_or_default(),
                p.name
            ),
        )),
        None => Err(not_found(format!(
            "'{}' defines no event {} version {}",
            p.name,
            record.event.system.event_id,
            record.event.system.version.unwrap_or(0)
        ))),
    }
}

/// Level 0's display string: Windows renders level-0 (LogAlways) events as "Information"
/// (Security's RenderingInfo), though the archive's Winmeta table says "Log Always"
/// (README, fidelity table).
const LEVEL_0: &str = "Information";

fn winmeta(table: &'static [WinmetaItem], value: u64) -> Option<&'static str> {
    winmeta::by_value(table, value).map(|i| i.display)
}

/// The provider's own string for a Winmeta item, if its message table has one in the
/// locale (a manifest's `level.Error`, `keyword.AuditFailure`).
fn supplied<'a>(loc: &'a Locale<'_>, item: &WinmetaItem) -> Option<&'a str> {
    loc.message(item.message_id).ok().map(trim_line_end)
}

/// The level's display string.
pub(crate) fn level<'a>(
    p: Option<&'a Publisher>,
    loc: &'a Locale<'_>,
    value: u8,
) -> Result<&'a str> {
    if value == 0 {
        return Ok(LEVEL_0);
    }
    if let Some(w) = winmeta::by_value(winmeta::LEVELS, value.into()) {
        // A Winmeta level whose string the manifest localizes (`level.Error`) shows the
        // provider's string in that culture, else Winmeta's own.
        return Ok(supplied(loc, w).unwrap_or(w.display));
    }
    let item = p.and_then(|p| p.levels.iter().find(|l| l.value == u32::from(value)));
    match item {
        Some(l) => loc.item_string(l.message_id, || format!("level {value}")),
        None => Err(not_found(format!("no level {value} is defined"))),
    }
}

/// The task's display string: the provider's, then Winmeta's; a classic event's task is its
/// category (message id = category number).
pub(crate) fn task<'a>(
    p: Option<&'a Publisher>,
    loc: &'a Locale<'_>,
    classic: bool,
    value: u16,
) -> Result<&'a str> {
    if classic {
        return match value {
            0 => Err(not_found(
                "a classic event with category 0 has no task".into(),
            )),
            n => loc.message(n.into()).map(trim_line_end),
        };
    }
    if let Some(t) = p.and_then(|p| p.tasks.iter().find(|t| t.value == u32::from(value))) {
        return loc.item_string(t.message_id, || format!("task {value}"));
    }
    winmeta(winmeta::TASKS, value.into())
        .ok_or_else(|| not_found(format!("no task {value} is defined")))
}

/// The opcode's display string: the task's own opcode, a global one, then Winmeta's.
/// Classic events have no opcode names.
pub(crate) fn opcode<'a>(
    p: Option<&'a Publisher>,
    loc: &'a Locale<'_>,
    classic: bool,
    value: u8,
    task: u16,
) -> Result<&'a str> {
    if classic {
        return Err(not_found("classic events have no opcode names".into()));
    }
    if let Some(p) = p {
        let own = p
            .opcodes
            .iter()
            .find(|o| o.opcode == value && o.task == task);
        let global = || p.opcodes.iter().find(|o| o.opcode == value && o.task == 0);
        if let Some(o) = own.or_else(global) {
            if o.message_id.is_some() || winmeta::by_value(winmeta::OPCODES, value.into()).is_none()
            {
                return loc.item_string(o.message_id, || format!("opcode {value}"));
            }
        }
    }
    winmeta(winmeta::OPCODES, value.into())
        .ok_or_else(|| not_found(format!("no opcode {value} is defined")))
}

/// The keyword strings of `mask`, lowest bit first; unnamed bits (channel bits) skipped.
pub(crate) fn keywords<'a>(
    p: Option<&'a Publisher>,
    loc: &'a Locale<'_>,
    mask: u64,
    mut each: impl FnMut(&'a str),
) {
    let mut rest = mask;
    while rest != 0 {
        let bit = rest & rest.wrapping_neg();
        rest &= !bit;
        if let Some(w) = winmeta::by_value(winmeta::KEYWORDS, bit) {
            // As for levels: the provider's string for a Winmeta keyword wins where it has one.
            each(supplied(loc, w).unwrap_or(w.display));
            continue;
        }
        let own = p.and_then(|p| p.keywords.iter().find(|k| k.mask == bit));
        if let Some(s) = own.and_then(|k| loc.item_string(k.message_id, String::new).ok()) {
            each(s);
        }
    }
}

/// The channel's display string: its message, a legacy channel's Winmeta name, or its name.
pub(crate) fn channel<'a>(
    p: &'a Arc<Publisher>,
    loc: &'a Locale<'_>,
    record: &Record<'_>,
) -> Result<&'a str> {
    let by_value = record
        .definition(p)
        .filter(|d| d.channel != 0)
        .and_then(|d| p.channels.iter().find(|c| c.value == d.channel));
    let by_name = || {
        let name = record.event.system.channel.as_deref()?;
        if record.classic {
            return None;
        }
        p.channels
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    };
    let Some(c) = by_value.or_else(by_name) else {
        return Err(not_found(format!(
            "'{}' names no channel for event {}",
            p.name, record.event.system.event_id
        )));
    };
    if let Some(id) = c.message_id {
        if let Ok(s) = loc.message(id) {
            return Ok(trim_line_end(s));
        }
    }
    Ok(winmeta::by_name(winmeta::CHANNELS, &c.name).map_or(c.name.as_str(), |i| i.display))
}

/// A Winmeta string by message id (the default publisher's EvtFormatMessageId).
pub(crate) fn winmeta_message(id: u32) -> Option<&'static str> {
    [
        winmeta::LEVELS,
        winmeta::OPCODES,
        winmeta::TASKS,
        winmeta::KEYWORDS,
        winmeta::CHANNELS,
    ]
    .iter()
    .flat_map(|t| t.iter())
    .find(|i| i.message_id == id)
    .map(|i| i.display)
}
