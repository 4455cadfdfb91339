//! The model's rules for the calls with state: EvtNext, EvtSeek, EvtSubscribe's start and
//! EvtClearLog's effect on open handles.

use super::*;

impl Model {
    /// Whether an EvtNext on `slot` examines fewer than 64 records.
    pub(super) fn few_records(&self, slot: Option<usize>) -> bool {
        let c = match self.open(slot) {
            Some(Kind::Query(q)) => match q.source {
                Source::Channel(c) => c,
                Source::File(_) => return false,
            },
            // A subscription's scan reads only its first batch untimed (a batch never spans
            // chunks), so what a zero timeout returns depends on the store's chunks: a partial
            // batch is a success (EvtNext returns what it has), which the model cannot predict.
            Some(Kind::Subscription(_)) => return false,
            _ => return true,
        };
        self.channels[c].records.len() < 60
    }

    pub(super) fn model_next(
        &mut self,
        slot: Option<usize>,
        batch: usize,
        flags: u32,
    ) -> (Answer, Option<String>) {
        let Some(i) = slot.filter(|&i| self.slots[i].open) else {
            return (Answer::Err(ERROR_INVALID_HANDLE), None);
        };
        if !matches!(self.slots[i].kind, Kind::Query(_) | Kind::Subscription(_)) {
            return (Answer::Err(ERROR_INVALID_HANDLE), None);
        }
        // Flags are reserved and EventsSize 0 is invalid (EvtNext: 87).
        if flags != 0 || batch == 0 {
            return (Answer::Err(ERROR_INVALID_PARAMETER), None);
        }
        match self.slots[i].kind.clone() {
            Kind::Query(mut q) => {
                // A closed result set is 6, a cancelled one 1223 for good, stale or not (the
                // cancel is sticky until close), a stale one 15011 (results.rs invariant 4).
                if q.cancelled {
                    return (Answer::Err(ERROR_CANCELLED), None);
                }
                if q.stale {
                    return (Answer::Err(ERROR_EVT_QUERY_RESULT_STALE), None);
                }
                let seq = self.sequence(&q);
                let from = q.position.min(seq.len());
                let to = (from + batch).min(seq.len());
                let ids: Vec<u64> = seq[from..to].iter().map(|e| e.0).collect();
                q.position = to;
                let path = q.path.clone();
                self.slots[i].kind = Kind::Query(q);
                if ids.is_empty() {
                    (Answer::Err(ERROR_NO_MORE_ITEMS), None)
                } else {
                    (Answer::Ids(ids), Some(path))
                }
            }
            Kind::Subscription(mut s) => {
                if s.cancelled {
                    return (Answer::Err(ERROR_CANCELLED), None);
                }
                if s.stale {
                    return (Answer::Err(ERROR_EVT_QUERY_RESULT_STALE), None);
                }
                if s.gap {
                    s.stale = true;
                    self.slots[i].kind = Kind::Subscription(s);
                    return (Answer::Err(ERROR_EVT_QUERY_RESULT_STALE), None);
                }
                let want = batch + s.skip;
                let mut found = Vec::new();
                let mut cursor = s.cursor;
                for &(rid, eid) in &self.channels[s.channel].records {
                    if rid < s.cursor {
                        continue;
                    }
                    if found.len() == want {
                        break;
                    }
                    cursor = rid + 1;
                    if matches(s.filter, eid) {
                        found.push(rid);
                    }
                }
                if found.len() < want {
                    cursor = cursor.max(self.channels[s.channel].next_id);
                }
                s.cursor = cursor;
                let skipped = s.skip.min(found.len());
                found.drain(..skipped);
                s.skip -= skipped;
                let answer = if found.is_empty() {
                    // A fresh future-events subscription with nothing says ERROR_INVALID_OPERATION
                    // (4317), as EvtNext does there.
                    if s.future_only && !s.delivered {
                        Answer::Err(ERROR_INVALID_OPERATION)
                    } else {
                        Answer::Err(ERROR_NO_MORE_ITEMS)
                    }
                } else {
                    s.delivered = true;
                    Answer::Ids(found)
                };
                self.slots[i].kind = Kind::Subscription(s);
                (answer, Some(CHANNELS[self.channel_of(i)].to_owned()))
            }
            _ => unreachable!(),
        }
    }

    pub(super) fn channel_of(&self, slot: usize) -> usize {
        match &self.slots[slot].kind {
            Kind::Subscription(s) => s.channel,
            _ => 0,
        }
    }

    pub(super) fn model_seek(
        &mut self,
        slot: Option<usize>,
        origin: u32,
        offset: i64,
        strict: bool,
        bookmark: Option<Option<usize>>,
    ) -> Answer {
        let Some(i) = slot.filter(|&i| self.slots[i].open) else {
            return Answer::Err(ERROR_INVALID_HANDLE);
        };
        let Kind::Query(mut q) = self.slots[i].kind.clone() else {
            return Answer::Err(ERROR_INVALID_HANDLE);
        };
        // EVT_SEEK_FLAGS: one origin of 1 to 4 (ERROR_INVALID_PARAMETER, 87, otherwise).
        if !(1..=4).contains(&origin) {
            return Answer::Err(ERROR_INVALID_PARAMETER);
        }
        let mark = if origin == EvtSeekRelativeToBookmark {
            match bookmark.flatten().and_then(|b| self.open(Some(b))) {
                Some(Kind::Bookmark(m)) => Some(m.clone()),
                _ => return Answer::Err(ERROR_INVALID_HANDLE),
            }
        } else {
            // Bookmark is set only with EvtSeekRelativeToBookmark, as EvtSeek's documentation says.
            if bookmark.flatten().is_some() {
                return Answer::Err(ERROR_INVALID_PARAMETER);
            }
            None
        };
        if q.cancelled {
            return Answer::Err(ERROR_CANCELLED);
        }
        if q.stale {
            return Answer::Err(ERROR_EVT_QUERY_RESULT_STALE);
        }
        let seq = self.sequence(&q);
        let m = seq.len() as i128;
        let offset128 = i128::from(offset);
        let target: i128 = match origin {
            EvtSeekRelativeToFirst => offset128,
            EvtSeekRelativeToCurrent => q.position as i128 + offset128,
            EvtSeekRelativeToLast => m - 1 + offset128,
            _ => {
                // The bookmark's record in the results, or the gap before the first record after it
                // in the query's direction (as the example in EvtSeek's documentation shows).
                let mark = mark.expect("a bookmark");
                let anchor: Result<i128, i128> = match mark.record_id(&q.path) {
                    None => Err(0),
                    Some(id) => {
                        let mut anchor = Err(m);
                        for (index, &(rid, _)) in seq.iter().enumerate() {
                            if rid == id {
                                anchor = Ok(index as i128);
                                break;
                            }
                            if (rid > id) != q.reverse {
                                anchor = Err(index as i128);
                                break;
                            }
                        }
                        anchor
                    }
                };
                if strict && anchor.is_err() {
                    return Answer::Err(ERROR_NOT_FOUND);
                }
                match anchor {
                    Ok(index) => index + offset128,
                    Err(gap) if offset > 0 => gap + offset128 - 1,
                    Err(gap) => gap + offset128,
                }
            }
        };
        let bad_sign = (origin == EvtSeekRelativeToFirst && offset < 0)
            || (origin == EvtSeekRelativeToLast && offset > 0);
        // Strict: fail if the event does not exist (15012; our reading of EvtSeek's documentation);
        // else clamp to the last record within the boundary.
        if strict && (target < 0 || target >= m || bad_sign) {
            return Answer::Err(ERROR_EVT_QUERY_RESULT_INVALID_POSITION);
        }
        q.position = if m == 0 {
            0
        } else {
            target.clamp(0, m - 1) as usize
        };
        self.slots[i].kind = Kind::Query(q);
        Answer::Ok
    }

    pub(super) fn model_subscribe(
        &self,
        s: Option<usize>,
        channel: usize,
        origin: u32,
        b: Option<Option<usize>>,
        filter: Option<u16>,
        strict: bool,
    ) -> Result<SubModel, u32> {
        self.session_ok(s)?;
        // EVT_SUBSCRIBE_FLAGS: an origin of 1 to 3 (a value, not bits).
        if !(1..=3).contains(&origin) {
            return Err(ERROR_INVALID_PARAMETER);
        }
        let mark = match b {
            None | Some(None) => None,
            Some(Some(i)) => match self.open(Some(i)) {
                Some(Kind::Bookmark(m)) => Some(m.clone()),
                _ => return Err(ERROR_INVALID_HANDLE),
            },
        };
        // A bookmark is required with StartAfterBookmark and NULL otherwise, as EvtSubscribe's
        // documentation says.
        if (origin == EvtSubscribeStartAfterBookmark) != mark.is_some() {
            return Err(ERROR_INVALID_PARAMETER);
        }
        let c = &self.channels[channel];
        let end = c.next_id;
        let oldest = c.records.first().map_or(end, |r| r.0);
        let cursor = match origin {
            EvtSubscribeToFutureEvents => end,
            EvtSubscribeStartAtOldestRecord => oldest,
            _ => match mark.as_ref().and_then(|m| m.record_id(CHANNELS[channel])) {
                // With Strict a bookmark that names no record of the channel fails
                // with ERROR_NOT_FOUND, as EvtSubscribe's documentation says.
                None if strict => return Err(ERROR_NOT_FOUND),
                None => oldest,
                Some(id) if c.records.iter().any(|r| r.0 == id) => id + 1,
                Some(_) if strict => return Err(ERROR_NOT_FOUND),
                // "begins with the event that is after the event that is closest to the
                // bookmarked event", in EvtSubscribe's documentation.
                Some(id) => match c.records.first() {
                    Some(&(first, _)) if id < first => first + 1,
                    _ => end,
                },
            },
        };
        let skip = usize::from(mark.as_ref().is_some_and(|m| m.entries.is_empty()));
        Ok(SubModel {
            channel,
            filter,
            cursor,
            skip,
            future_only: origin == EvtSubscribeToFutureEvents,
            delivered: false,
            cancelled: false,
            gap: false,
            stale: false,
        })
    }

    /// EvtClearLog: the backup holds every record; open queries of the channel are stale
    /// (ERROR_EVT_QUERY_RESULT_STALE, 15011); a subscription that had not reached some record lost
    /// it (stale).
    pub(super) fn clear(&mut self, channel: usize, backup: Option<usize>) {
        let records = std::mem::take(&mut self.channels[channel].records);
        for slot in &mut self.slots {
            match &mut slot.kind {
                Kind::Query(q) if matches!(q.source, Source::Channel(c) if c == channel) => {
                    q.stale = true
                }
                Kind::Subscription(s)
                    if s.channel == channel && records.iter().any(|r| r.0 >= s.cursor) =>
                {
                    s.gap = true
                }
                _ => {}
            }
        }
        if let Some(b) = backup {
            self.files[b] = Some(records);
        }
    }
}
