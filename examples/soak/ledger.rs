//! The soak's books: what was written, what the clears' backups and the channels hold, and
//! what each subscriber was handed.
//!
//! Invariants:
//! 1. A writer's events on one channel carry `Seq` 1, 2, 3, … in acknowledgement order: a
//!    write that fails is retried with the same `Seq`, so acknowledged writes are exactly
//!    the `Seq`s up to the writer's count, and a failed write that was stored anyway shows up
//!    as a duplicate.
//! 2. Every record is accounted for once: by the backup of the clear that removed it, or by
//!    the channel at the end. Record ids of a channel are then exactly 1..=N (N acknowledged
//!    writes) and each writer's `Seq`s exactly 1..=its count, each seen once ([`SeenSet`]).
//! 3. The books stay small: a [`SeenSet`] keeps a watermark below which everything was seen
//!    and a bit window above it, so its size follows how far out of order records arrive,
//!    not how many there were.

use std::collections::VecDeque;

use evtlog::{Channel, Event, Value};

/// The most a [`SeenSet`]'s window may span (ids above its watermark): far beyond any
/// honest reordering, and a bound on what a bogus id can cost.
const MAX_WINDOW_IDS: u64 = 1 << 26;

/// A set of positive integers that is expected to fill up from 1: a watermark (every
/// number below it was seen) and a window of bits above it.
#[derive(Debug)]
pub struct SeenSet {
    low: u64,
    words: VecDeque<u64>,
}

impl Default for SeenSet {
    fn default() -> Self {
        SeenSet {
            low: 1,
            words: VecDeque::new(),
        }
    }
}

impl SeenSet {
    /// Records `n`; an error if it was seen before or lies absurdly far ahead.
    pub fn insert(&mut self, n: u64) -> Result<(), String> {
        if n < self.low {
            return Err(format!("{n} seen twice"));
        }
        let offset = n - self.low;
        if offset >= MAX_WINDOW_IDS {
            return Err(format!("{n} is {offset} past everything seen so far"));
        }
        let (word, bit) = ((offset / 64) as usize, offset % 64);
        if self.words.len() <= word {
            self.words.resize(word + 1, 0);
        }
        if self.words[word] & (1 << bit) != 0 {
            return Err(format!("{n} seen twice"));
        }
        self.words[word] |= 1 << bit;
        while self.words.front() == Some(&u64::MAX) {
            self.words.pop_front();
            self.low += 64;
        }
        Ok(())
    }

    /// Whether `n` was seen.
    pub fn contains(&self, n: u64) -> bool {
        if n < self.low {
            return n >= 1;
        }
        let offset = n - self.low;
        let word = (offset / 64) as usize;
        word < self.words.len() && self.words[word] & (1 << (offset % 64)) != 0
    }

    /// Checks the set is exactly 1..=`n`: the first few numbers missing or in excess.
    pub fn check_exactly(&self, n: u64) -> Result<(), String> {
        let mut missing = Vec::new();
        let mut missing_count = 0u64;
        let top = self.low + self.words.len() as u64 * 64;
        for k in self.low.max(1)..(n + 1).min(top) {
            if !self.contains(k) {
                missing_count += 1;
                if missing.len() < 8 {
                    missing.push(k);
                }
            }
        }
        if n >= top {
            missing_count += n + 1 - top;
            if missing.len() < 8 {
                missing.push(top);
            }
        }
        let extra: Vec<u64> = (n + 1..top).filter(|&k| self.contains(k)).take(8).collect();
        let low_extra = n + 1 < self.low;
        if missing_count == 0 && extra.is_empty() && !low_extra {
            return Ok(());
        }
        Err(format!(
            "expected exactly 1..={n}: {missing_count} missing (first {missing:?}), \
             extra {extra:?}{}",
            if low_extra {
                format!(" and everything below {}", self.low)
            } else {
                String::new()
            }
        ))
    }
}

/// The soak's tag on an event: which writer wrote it and its `Seq` on that channel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tag {
    pub writer: usize,
    pub seq: u64,
}

fn number(value: &Value) -> Option<u64> {
    value
        .as_u64()
        .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()))
}

/// The tag of an event the soak wrote (`Writer` and `Seq` in its EventData).
pub fn tag_of(event: &Event) -> Option<Tag> {
    let evtlog::Body::EventData(data) = &event.body else {
        return None;
    };
    Some(Tag {
        writer: usize::try_from(number(data.get("Writer")?)?).ok()?,
        seq: number(data.get("Seq")?)?,
    })
}

/// One channel's books.
#[derive(Debug, Default)]
pub struct ChannelBook {
    /// Record ids accounted for (backups, then the live records at the end).
    pub ids: SeenSet,
    /// Per writer: the `Seq`s accounted for.
    pub seqs: Vec<SeenSet>,
    /// Records read from backups.
    pub backed_up: u64,
    /// Backups read.
    pub backups: u64,
}

impl ChannelBook {
    pub fn new(writers: usize) -> ChannelBook {
        ChannelBook {
            seqs: (0..writers).map(|_| SeenSet::default()).collect(),
            ..ChannelBook::default()
        }
    }

    /// Accounts for one record: its id and its tag, each once.
    pub fn account(&mut self, id: u64, tag: Tag) -> Result<(), String> {
        self.ids.insert(id).map_err(|e| format!("record id {e}"))?;
        let seqs = self
            .seqs
            .get_mut(tag.writer)
            .ok_or_else(|| format!("record {id}: no writer {}", tag.writer))?;
        seqs.insert(tag.seq)
            .map_err(|e| format!("record {id}: writer {} Seq {e}", tag.writer))
    }
}

/// Checks one run of records read in record order from one place (a backup file, a
/// channel's records): ids consecutive, and each writer's `Seq`s increasing with them.
#[derive(Debug)]
pub struct RunCheck {
    last_id: Option<u64>,
    last_seq: Vec<u64>,
}

impl RunCheck {
    pub fn new(writers: usize) -> RunCheck {
        RunCheck {
            last_id: None,
            last_seq: vec![0; writers],
        }
    }

    pub fn next(&mut self, id: u64, tag: Tag) -> Result<(), String> {
        if let Some(last) = self.last_id {
            if id != last + 1 {
                return Err(format!("record {id} follows record {last}"));
            }
        }
        self.last_id = Some(id);
        let last = self
            .last_seq
            .get_mut(tag.writer)
            .ok_or_else(|| format!("record {id}: no writer {}", tag.writer))?;
        if tag.seq <= *last {
            return Err(format!(
                "record {id}: writer {} Seq {} after Seq {last}",
                tag.writer, tag.seq
            ));
        }
        *last = tag.seq;
        Ok(())
    }
}

/// What one subscriber was handed on one channel.
#[derive(Debug, Default, Clone)]
struct Stream {
    last_id: u64,
    last_seq: Vec<u64>,
    /// A gap on this channel is explained (a 15011 report, a 1168 resubscribe, or a start
    /// at the oldest record) until the next delivery.
    gap_allowed: bool,
}

/// A subscriber's books: per channel, every record in id order, each once, and gaps only
/// where the subscriber was told of lost records and the records are gone.
#[derive(Debug)]
pub struct SubscriberBook {
    pub name: String,
    streams: Vec<Stream>,
    /// The channels this subscriber reads.
    watching: Vec<bool>,
    pub delivered: u64,
    /// Records skipped over in explained gaps (all of them cleared).
    pub lost_to_clears: u64,
    /// Gap reports: 15011 actions or errors, 1168 resubscribes.
    pub gap_reports: u64,
}

impl SubscriberBook {
    pub fn new(name: impl Into<String>, channels: usize, writers: usize) -> SubscriberBook {
        SubscriberBook {
            name: name.into(),
            streams: vec![
                Stream {
                    last_seq: vec![0; writers],
                    gap_allowed: false,
                    ..Stream::default()
                };
                channels
            ],
            watching: vec![true; channels],
            delivered: 0,
            lost_to_clears: 0,
            gap_reports: 0,
        }
    }

    /// The subscriber was told records were lost (15011), or resubscribed where its
    /// bookmark's record is gone (1168): the next gap on each of `channels` is explained.
    pub fn gap_reported(&mut self, channels: impl IntoIterator<Item = usize>) {
        self.gap_reports += 1;
        for c in channels {
            self.streams[c].gap_allowed = true;
        }
    }

    /// The subscriber starts over at the oldest record of channel `c`: records cleared
    /// before are gone for it (the next gap there is explained).
    pub fn allow_gap(&mut self, c: usize) {
        self.streams[c].gap_allowed = true;
    }

    /// This subscriber reads channel `c` only.
    pub fn only(mut self, c: usize) -> SubscriberBook {
        for (i, w) in self.watching.iter_mut().enumerate() {
            *w = i == c;
        }
        self
    }

    /// Whether this subscriber reads channel `c`.
    pub fn watches(&self, c: usize) -> bool {
        self.watching[c]
    }

    /// The last record id delivered on channel `c`.
    pub fn last_id(&self, c: usize) -> u64 {
        self.streams[c].last_id
    }

    /// One delivered record of channel `c` (`channel` is the engine's).
    pub fn deliver(
        &mut self,
        c: usize,
        channel: &Channel,
        id: u64,
        tag: Tag,
    ) -> Result<(), String> {
        let name = &self.name;
        let stream = &mut self.streams[c];
        if id <= stream.last_id {
            return Err(format!(
                "{name}: {} record {id} delivered after record {} (duplicate or out of order)",
                channel.name(),
                stream.last_id
            ));
        }
        if id > stream.last_id + 1 {
            if !stream.gap_allowed {
                return Err(format!(
                    "{name}: {} records {}..{id} skipped without a lost-records report",
                    channel.name(),
                    stream.last_id + 1
                ));
            }
            // Skipped records must be gone: below the oldest record left (clears remove a
            // prefix and ids never come back).
            let oldest = channel
                .oldest_record_id()
                .unwrap_or_else(|| channel.next_record_id());
            if oldest < id {
                return Err(format!(
                    "{name}: {} records {}..{id} skipped, but record {oldest} is still there",
                    channel.name(),
                    stream.last_id + 1
                ));
            }
            self.lost_to_clears += id - stream.last_id - 1;
        }
        let last_seq = stream
            .last_seq
            .get_mut(tag.writer)
            .ok_or_else(|| format!("{name}: record {id}: no writer {}", tag.writer))?;
        if tag.seq <= *last_seq {
            return Err(format!(
                "{name}: {} record {id}: writer {} Seq {} after Seq {}",
                channel.name(),
                tag.writer,
                tag.seq,
                *last_seq
            ));
        }
        *last_seq = tag.seq;
        stream.last_id = id;
        stream.gap_allowed = false;
        self.delivered += 1;
        Ok(())
    }

    /// At the end: everything the channel holds was delivered (what is missing before it
    /// must have gone in an explained gap).
    pub fn check_caught_up(&self, c: usize, channel: &Channel) -> Result<(), String> {
        let last = channel.next_record_id() - 1;
        let stream = &self.streams[c];
        if stream.last_id == last {
            return Ok(());
        }
        let oldest = channel.oldest_record_id();
        match oldest {
            // Everything after what it got was cleared: nobody can be handed it now (the
            // books prove each such record is in a backup).
            None => Ok(()),
            Some(_) => Err(format!(
                "{}: {} delivered up to record {}, the channel ends at {last} (oldest {oldest:?})",
                self.name,
                channel.name(),
                stream.last_id
            )),
        }
    }

    /// Whether channel `c` has records this subscriber has not had yet.
    pub fn is_behind(&self, c: usize, channel: &Channel) -> bool {
        let last = channel.next_record_id() - 1;
        self.streams[c].last_id < last && channel.oldest_record_id().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seen_set_keeps_a_watermark_and_finds_holes_and_duplicates() {
        let mut set = SeenSet::default();
        for n in (1..=1024).rev() {
            set.insert(n).unwrap();
        }
        assert_eq!(set.words.len(), 0, "all below the watermark");
        assert!(set.insert(17).is_err());
        set.check_exactly(1024).unwrap();
        set.insert(1026).unwrap();
        assert!(set.insert(1026).is_err());
        let e = set.check_exactly(1026).unwrap_err();
        assert!(e.contains("1 missing (first [1025])"), "{e}");
        assert!(set
            .check_exactly(1024)
            .unwrap_err()
            .contains("extra [1026]"));
        assert!(set.check_exactly(2000).unwrap_err().contains("975 missing"));
        assert!(set.insert(1 << 40).is_err());
    }
}
