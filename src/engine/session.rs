//! [`Session`]: the default local session (the NULL session of the Windows API) and opened
//! ones; `query` creates result sets in it; `cancel` and `close` reach all of them.
//!
//! Invariants:
//! 1. A session is a cancel scope under the engine's root; each result set is a scope under
//!    its session; each call in flight is a Call node under its result set (or, for query
//!    setup, under the session).
//! 2. `cancel` cancels the calls in flight at that moment, on every handle of the session,
//!    and wakes those that wait; it marks nothing else, so calls started afterwards run
//!    normally (ARCHITECTURE.md, Cancellation rule 2).
//! 3. `close` closes every result set and subscription made in the session (their later
//!    calls fail with `InvalidHandle`, calls in flight return `Cancelled`), then fails every
//!    later call on the session itself with `InvalidHandle`. The default session cannot be
//!    closed. (`Session::subscribe` is in `subscription.rs`.)
//! 4. No reference cycle: a `Session` handle holds its engine, but the shared
//!    `SessionInner` (which the engine keeps for its default session) holds none, so the
//!    last `Engine` or `Session` dropped frees both.

use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};

use parking_lot::Mutex;

use super::faults::CallKind;
use super::files::ParallelFileQuery;
use super::flags::QueryFlags;
use super::results::{ResultSet, ResultSetInner};
use super::Engine;
use crate::cancel::{CancelToken, NodeKind};
use crate::error::{Error, ErrorKind, Result};
use crate::query::Query;

/// A session of the emulated service. Clone it freely: clones are the same session.
///
/// The handle holds the engine; the shared state (`SessionInner`) does not, because the
/// engine keeps its default session's state and must not be kept alive by it (invariant 4).
#[derive(Clone)]
pub struct Session {
    pub(crate) inner: Arc<SessionInner>,
    pub(super) engine: Engine,
}

pub(crate) struct SessionInner {
    pub(super) token: CancelToken,
    pub(super) closed: AtomicBool,
    is_default: bool,
    handles: Mutex<Vec<Weak<ResultSetInner>>>,
    pub(super) subscriptions: Mutex<Vec<Weak<dyn SessionHandle>>>,
}

/// A handle made in a session that the session's close must close, registered by what
/// made it (a subscription: subscription.rs). The session knows it by this alone, so
/// imports run from subscriptions to sessions.
pub(crate) trait SessionHandle: Send + Sync {
    fn close(&self);
}

impl SessionInner {
    /// A session's shared state, a cancel scope under `engine`'s root. It holds no
    /// reference to the engine.
    pub(super) fn new(engine: &Engine, is_default: bool) -> SessionInner {
        SessionInner {
            token: engine.inner.root.child(NodeKind::Scope),
            closed: AtomicBool::new(false),
            is_default,
            handles: Mutex::new(Vec::new()),
            subscriptions: Mutex::new(Vec::new()),
        }
    }
}

impl Session {
    pub(crate) fn new(engine: Engine, is_default: bool) -> Session {
        let inner = Arc::new(SessionInner::new(&engine, is_default));
        Session { inner, engine }
    }

    /// EvtQuery: a result set over `path` (a channel) with `query` (a bare XPath, a structured
    /// `<QueryList>`, or `None`/`"*"` for every event), in the direction `flags` say.
    ///
    /// Errors: `InvalidHandle` on a closed session; `InvalidParameter` (87) for bad flags;
    /// the query's errors (15001, 15008, 15026; see README); `ChannelNotFound` (15007) for a
    /// channel that does not exist (with TolerateQueryErrors such channels are skipped and
    /// reported by [`ResultSet::statuses`], unless none exists); `Cancelled` if the session
    /// is cancelled meanwhile. With `QueryFlags::FILE_PATH` the paths are absolute .evtx file
    /// paths (`FileNotFound`, 2, if missing; `InvalidParameter` if relative), and events
    /// read from a file report its absolute path. Opening a file reads its chunk headers
    /// only; the result set streams it one chunk at a time (files.rs).
    pub fn query(
        &self,
        path: Option<&str>,
        query: Option<&str>,
        flags: QueryFlags,
    ) -> Result<ResultSet> {
        let _fault = self.engine.enter_fault("EvtQuery")?;
        let inner = &*self.inner;
        self.check_open()?;
        let flags = QueryFlags::from_bits(flags.bits())?;
        let call = inner.token.child(NodeKind::Call);
        self.engine.checkpoint(CallKind::Query, 0, &call)?;
        call.check()?;
        let tolerate = flags.contains(QueryFlags::TOLERATE_QUERY_ERRORS);
        let parsed = if tolerate {
            Query::parse_tolerant(path, query)?.0
        } else {
            Query::parse(path, query)?
        };
        if !flags.contains(QueryFlags::FILE_PATH) {
            for source in parsed.sources() {
                self.engine.fault_plan().check_access(source.path())?;
            }
        }
        let results = ResultSet::open(&self.engine, &parsed, flags, &call, &inner.token)?;
        let mut handles = inner.handles.lock();
        handles.retain(|h| h.strong_count() > 0);
        handles.push(Arc::downgrade(&results.inner));
        drop(handles);
        // A close that raced the registration must still close this result set.
        if inner.closed.load(Ordering::Acquire) {
            results.close();
            return Err(Error::with_message(
                ErrorKind::InvalidHandle,
                "the session is closed",
            ));
        }
        Ok(results)
    }

    /// A query of the .evtx file at absolute `path` that decodes ahead on `threads` threads
    /// (at least 1; 1 decodes on the caller's thread) and hands out its matching events
    /// per chunk, in the order a [`ResultSet`] of the same query would
    /// (files_parallel.rs): read it with [`ParallelFileQuery::map_chunks`] (the closure
    /// runs on the workers, e.g. to render each chunk) or as an iterator of batches.
    /// `query` is a bare XPath (or `None`/`"*"`); `flags` may hold `REVERSE_DIRECTION`
    /// (and `FILE_PATH`, implied). [`Session::cancel`] cancels it, as does its own `cancel`.
    ///
    /// Errors: as [`Session::query`] for one file; `InvalidParameter` (87) for a
    /// `<QueryList>` (one file, one filter only), flags other than those, or a relative path.
    ///
    /// [`ParallelFileQuery::map_chunks`]: super::ParallelFileQuery::map_chunks
    pub fn query_file_parallel(
        &self,
        path: &str,
        query: Option<&str>,
        flags: QueryFlags,
        threads: usize,
    ) -> Result<ParallelFileQuery> {
        let _fault = self.engine.enter_fault("EvtQuery")?;
        self.check_open()?;
        let flags = QueryFlags::from_bits(flags.bits())?;
        let allowed =
            QueryFlags::FILE_PATH | QueryFlags::FORWARD_DIRECTION | QueryFlags::REVERSE_DIRECTION;
        if flags.bits() & !allowed.bits() != 0 {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                "a parallel file query takes FILE_PATH and REVERSE_DIRECTION only",
            ));
        }
        let call = self.inner.token.child(NodeKind::Call);
        self.engine.checkpoint(CallKind::Query, 0, &call)?;
        let parsed = Query::parse(Some(path), query)?;
        let [source] = parsed.sources() else {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                "a parallel file query reads one file with one filter, not a <QueryList>",
            ));
        };
        if source.path() != path {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                "a parallel file query reads the file it is given, not a <QueryList>'s",
            ));
        }
        let full = super::files::absolute_path(path)?;
        let filter = Arc::new(source.clone());
        let file = self
            .engine
            .open_file_source(&full)?
            .with_prefilter(Arc::clone(&filter));
        call.check()?;
        let now = self.engine.inner.clock.now();
        Ok(ParallelFileQuery::new(
            file,
            Arc::from(full.as_str()),
            filter,
            flags.contains(QueryFlags::REVERSE_DIRECTION),
            threads,
            call,
            now,
        ))
    }

    /// EvtCancel on the session: every call of the session in flight now (query setup, and
    /// `next`/`seek` on any of its result sets) returns `Cancelled`; later calls run normally.
    pub fn cancel(&self) {
        self.inner.token.cancel_calls();
    }

    /// EvtClose on the session: closes every result set made in it, cancels their calls, and
    /// makes later calls on the session fail with `InvalidHandle`. The default session cannot
    /// be closed (`InvalidHandle`, as EvtClose(NULL) fails).
    pub fn close(&self) -> Result<()> {
        let inner = &*self.inner;
        if inner.is_default {
            return Err(Error::with_message(
                ErrorKind::InvalidHandle,
                "the default session cannot be closed",
            ));
        }
        inner.closed.store(true, Ordering::Release);
        self.close_handles();
        inner.token.cancel();
        Ok(())
    }

    /// Closes every result set and subscription made in the session, leaving the session
    /// open (a service restart does this to the default session: lifecycle.rs).
    pub(super) fn close_handles(&self) {
        let inner = &*self.inner;
        let handles = std::mem::take(&mut *inner.handles.lock());
        for handle in handles.iter().filter_map(Weak::upgrade) {
            ResultSet::from_inner(handle).close();
        }
        let subscriptions = std::mem::take(&mut *inner.subscriptions.lock());
        for subscription in subscriptions.iter().filter_map(Weak::upgrade) {
            subscription.close();
        }
    }

    /// The engine (the computer's service) the session belongs to.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// True once closed.
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::Acquire)
    }

    /// True for the engine's default session.
    pub fn is_default(&self) -> bool {
        self.inner.is_default
    }

    pub(super) fn check_open(&self) -> Result<()> {
        if self.inner.closed.load(Ordering::Acquire) {
            return Err(Error::with_message(
                ErrorKind::InvalidHandle,
                "the session is closed",
            ));
        }
        Ok(())
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("default", &self.inner.is_default)
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}
