//! EvtClearLog ([`Session::clear_log`]): a channel's records removed, after an optional
//! backup of them to an .evtx file.
//!
//! Invariants:
//! 1. The backup is written completely (beside its target, synced, put in place: export.rs
//!    invariant 1) before any record is removed. An error or a cancel before that point
//!    removes nothing and leaves no file.
//! 2. What is removed is exactly what the backup holds: the records of one snapshot
//!    (`MemoryStore::clear_before` its end). Records appended while the backup was written
//!    are kept: no record is lost, whatever runs beside the clear.
//! 3. The clear bumps the channel's generation: open result sets then fail with
//!    ERROR_EVT_QUERY_RESULT_STALE (15011), and subscriptions see the gap (results.rs
//!    invariants 4 and 9).
//! 4. The call is a Call node of the session: a session cancel reaches it, polled before each
//!    chunk of the backup and once more before the records are removed.
//! 5. Clears of one channel run one at a time, from the snapshot to the removal
//!    (`Channel::lock_clearing`): two at once would both back up the records before the
//!    first one's end, and invariant 2 would fail. A clear waiting its turn polls its cancel.

use std::path::Path;

use super::export::{check_target, write_evtx};
use super::faults::CallKind;
use super::progress::Progress;
use super::session::Session;
use crate::cancel::NodeKind;
use crate::error::Result;

impl Session {
    /// EvtClearLog: removes every record of `channel`, after writing them to the .evtx file
    /// `backup` (absolute; it must not exist) if one is given.
    ///
    /// Errors: the channel is missing (15007), an enabled Analytic or Debug channel (15022),
    /// `backup` relative (87) or existing (80), an I/O error writing it, a session cancel
    /// (1223). On any error no record is removed and no file is left behind.
    pub fn clear_log(&self, channel: &str, backup: Option<&str>) -> Result<()> {
        self.clear_log_with_progress(channel, backup, &mut |_| {})
    }

    /// [`clear_log`](Session::clear_log), reporting the backup's [`Progress`] to
    /// `on_progress` after each chunk written (on the calling thread; it must not clear
    /// the same channel, whose clearing turn the call holds). Its `total` is the channel's
    /// record count at the snapshot. Without a backup it is never called.
    pub fn clear_log_with_progress(
        &self,
        channel: &str,
        backup: Option<&str>,
        on_progress: &mut dyn FnMut(&Progress),
    ) -> Result<()> {
        let _fault = self.engine.enter_fault("EvtClearLog")?;
        self.check_open()?;
        let engine = &self.engine;
        let call = self.inner.token.child(NodeKind::Call);
        // Through the engine: a stopped service fails the clear with 1722 (lifecycle.rs).
        engine.checkpoint(CallKind::Clear, 0, &call)?;
        call.check()?;
        let channel = engine.channel(channel)?;
        engine.fault_plan().check_access(channel.name())?;
        channel.check_clearable()?;
        let _clearing = channel.lock_clearing(&call)?;
        let snapshot = channel.view();
        let end = snapshot.end_record_id();
        if let Some(backup) = backup {
            let target = Path::new(backup);
            check_target(target, false)?;
            let mut progress = Progress::new(Some(channel.record_count()));
            write_evtx(
                target,
                false,
                |writer| {
                    let mut written = 0u64;
                    let mut batch = 0u64;
                    snapshot.for_each_chunk(Some(engine), &call, 0, |chunk| {
                        batch += 1;
                        engine.checkpoint(CallKind::Clear, batch, &call)?;
                        call.check()?;
                        // Only the records of the snapshot's moment (its last chunk may grow).
                        for event in chunk
                            .iter()
                            .take_while(|e| e.system.event_record_id.is_some_and(|id| id < end))
                        {
                            writer.write(&event)?;
                            written += 1;
                        }
                        progress.records = written;
                        progress.bytes = writer.bytes_written();
                        on_progress(&progress);
                        Ok(())
                    })?;
                    Ok(written)
                },
                &call,
            )?;
            // The last poll (write_evtx's, after the sync) is behind: the backup is in
            // place and the records go.
        } else {
            call.check()?;
        }
        channel.clear_before(end)
    }
}
