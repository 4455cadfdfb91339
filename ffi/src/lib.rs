//! `wevtapi`: evtlog's wevtapi as a drop-in C ABI (`libwevtapi.so`, with
//! `ffi/include/winevt.h`) and as a Rust crate whose names and signatures are
//! `windows_sys::Win32::System::EventLog`'s, so that code written for Windows compiles here
//! by swapping its `use`.
//!
//! Every function here only turns C arguments into the safe shapes of `evtlog::winevt`
//! and back: UTF-16 strings into `&str` (an unpaired surrogate is ERROR_INVALID_PARAMETER),
//! buffers and out-parameters into slices and references.
//!
//! Invariants:
//! 1. No panic crosses the boundary: each function runs under `catch_unwind`, and a panic
//!    is FALSE/NULL with ERROR_INTERNAL_ERROR (1359).
//! 2. A NULL out-parameter, or a NULL buffer with a non-zero size, is
//!    ERROR_INVALID_PARAMETER (87), checked before anything is done (one exception, a
//!    Windows quirk an engine may select: EvtRender's NULL PropertyCount, ignored under
//!    `null-property-count`); a bad handle is
//!    ERROR_INVALID_HANDLE (6) from the facade. Nothing is dereferenced that the caller did
//!    not declare.
//! 3. `unsafe` stays in this crate (never in `evtlog`) and is honest about where it is.
//!    Every function that dereferences a caller's pointer is an `unsafe fn` with a
//!    `# Safety` contract: `abi`'s readers (`wide_in`, `strings_in`, `out`, `bytes_out`,
//!    `wide_out`, `handles_out`), `variant_call`, `classic`'s ANSI, SID and ReadEventLog
//!    readers, `format`'s EVT_VARIANT readers, `config::read_variant`, `producer`'s `read`
//!    and `blocks`. An export calls them only inside an `unsafe` block whose `SAFETY` line
//!    cites the export's own `# Safety` contract: the C caller's promise (as on Windows)
//!    that its pointers are valid for the sizes it gives, for the length of the call; no
//!    reference made from a caller's pointer outlives the call. The rest of the `unsafe`:
//!    the EVT_RPC_LOGIN read in EvtOpenSession, the calls back into C (EvtSubscribe's and
//!    EventRegister's callbacks), `errno`, and `SendPtr`'s `Send`. `unsafe_op_in_unsafe_fn`
//!    is denied and `clippy::undocumented_unsafe_blocks` warned (CI denies warnings), so
//!    neither an unmarked nor an unexplained `unsafe` compiles through CI. CI also runs the
//!    C examples (`hostile.c` among them) and this crate's tests against a build with
//!    AddressSanitizer (`.ci/run`); Miri is not used (it ships only with nightly).
//! 4. A failing function sets the thread's last error and, through `abi::guard`, `errno` to
//!    the same Win32 code, so `std::io::Error::last_os_error()` (which reads GetLastError on
//!    Windows and errno here) reports it; a success sets the last error to ERROR_SUCCESS
//!    (the facade's rule) and leaves errno, as C functions leave it on success. Functions
//!    that report through their return value (EvtGetExtendedStatus, evntprov.h's provider
//!    functions) run under `abi::catch` instead and leave both.
//! 5. Every export is `unsafe extern "system"`, as windows-sys declares every function, so
//!    code ported from windows-sys needs the same `unsafe` blocks and no more.
#![allow(non_snake_case, non_camel_case_types, non_upper_case_globals)]
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod abi;
mod classic;
mod computers;
mod config;
mod faults;
mod format;
mod metadata;
mod producer;
mod types;

use std::ffi::c_void;

use abi::{bytes_out, guard, out, strings_in, wide_in, wide_out};
pub use classic::{
    evtlog_register_event_source, BackupEventLogA, BackupEventLogW, ClearEventLogA, ClearEventLogW,
    CloseEventLog, DeregisterEventSource, GetEventLogInformation, GetNumberOfEventLogRecords,
    GetOldestEventLogRecord, NotifyChangeEventLog, OpenBackupEventLogA, OpenBackupEventLogW,
    OpenEventLogA, OpenEventLogW, ReadEventLogA, ReadEventLogW, RegisterEventSourceA,
    RegisterEventSourceW, ReportEventA, ReportEventW, EVENTLOG_BACKWARDS_READ,
    EVENTLOG_FORWARDS_READ, EVENTLOG_FULL_INFO,
};
pub use computers::*;
pub use config::*;
use evtlog::winevt as w;
pub use faults::*;
pub use format::EvtFormatMessage;
pub use metadata::*;
pub use producer::{
    EventActivityIdControl, EventEnabled, EventProviderEnabled, EventRegister, EventUnregister,
    EventWrite, EventWriteEx, EventWriteString, EventWriteTransfer, BOOLEAN,
    ENABLECALLBACK_ENABLED_STATE, EVENT_ACTIVITY_CTRL_CREATE_ID, EVENT_ACTIVITY_CTRL_CREATE_SET_ID,
    EVENT_ACTIVITY_CTRL_GET_ID, EVENT_ACTIVITY_CTRL_GET_SET_ID, EVENT_ACTIVITY_CTRL_SET_ID,
    EVENT_CONTROL_CODE_CAPTURE_STATE, EVENT_CONTROL_CODE_DISABLE_PROVIDER,
    EVENT_CONTROL_CODE_ENABLE_PROVIDER, EVENT_DATA_DESCRIPTOR, EVENT_DATA_DESCRIPTOR_0,
    EVENT_DATA_DESCRIPTOR_0_0, EVENT_DESCRIPTOR, EVENT_FILTER_DESCRIPTOR,
    EVENT_WRITE_FLAG_INPRIVATE, EVENT_WRITE_FLAG_NO_FAULTING, MAX_EVENT_DATA_DESCRIPTORS,
    PENABLECALLBACK, REGHANDLE,
};
pub use types::*;

/// ERROR_INVALID_PARAMETER.
const INVALID_PARAMETER: u32 = ERROR_INVALID_PARAMETER;

/// The calling thread's last error (kernel32's GetLastError, for the Evt* functions).
///
/// # Safety
/// None beyond windows-sys's marking: it reads only the thread's own state.
#[no_mangle]
pub unsafe extern "system" fn GetLastError() -> WIN32_ERROR {
    w::GetLastError()
}

/// Sets the calling thread's last error (and clears its extended status).
///
/// # Safety
/// None beyond windows-sys's marking: it writes only the thread's own state.
#[no_mangle]
pub unsafe extern "system" fn SetLastError(dwErrCode: WIN32_ERROR) {
    w::SetLastError(dwErrCode)
}

/// EvtOpenSession (`Login` is an EVT_RPC_LOGIN for EvtRpcLogin).
///
/// # Safety
/// `Login` is NULL or points to an EVT_RPC_LOGIN whose strings are NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "system" fn EvtOpenSession(
    LoginClass: EVT_LOGIN_CLASS,
    Login: *const c_void,
    Timeout: u32,
    Flags: u32,
) -> EVT_HANDLE {
    guard(0, || {
        if LoginClass != EvtRpcLogin {
            return fail(INVALID_PARAMETER, 0);
        }
        let login = if Login.is_null() {
            None
        } else {
            // SAFETY: with EvtRpcLogin (checked above) `Login` is an EVT_RPC_LOGIN.
            let raw = unsafe { &*(Login as *const EVT_RPC_LOGIN) };
            // SAFETY: the login's strings are NULL or NUL-terminated (this export's contract).
            let field = |p: PWSTR| unsafe { wide_in(p) }.map_err(|()| INVALID_PARAMETER);
            let read = || -> Result<w::EvtRpcLoginInfo, u32> {
                Ok(w::EvtRpcLoginInfo {
                    server: field(raw.Server)?,
                    user: field(raw.User)?,
                    domain: field(raw.Domain)?,
                    password: field(raw.Password)?,
                    flags: raw.Flags,
                })
            };
            match read() {
                Ok(login) => Some(login),
                Err(code) => return fail(code, 0),
            }
        };
        w::EvtOpenSession(LoginClass as u32, login.as_ref(), Timeout, Flags)
    })
}

/// Sets the last error and returns `value`.
fn fail<T>(code: u32, value: T) -> T {
    w::SetLastError(code);
    value
}

/// A string argument as `wide_in` read it, or fails the call with 87.
macro_rules! wide_arg {
    ($read:expr, $fail:expr) => {
        match $read {
            Ok(s) => s,
            Err(()) => return fail(INVALID_PARAMETER, $fail),
        }
    };
}

/// An out-parameter or buffer argument, or fails the call with 87.
macro_rules! arg {
    ($e:expr, $fail:expr) => {
        match $e {
            Some(v) => v,
            None => return fail(INVALID_PARAMETER, $fail),
        }
    };
}

/// A call that fills one EVT_VARIANT buffer (the Get*Info functions), its buffer and size
/// checked (invariant 2).
///
/// # Safety
/// `used` is NULL or valid for the call; `buffer` is NULL or valid for `size` bytes for
/// the call (the contract of every export that calls it).
unsafe fn variant_call(
    size: u32,
    buffer: *mut EVT_VARIANT,
    used: *mut u32,
    call: impl FnOnce(&mut [u8], &mut u32) -> BOOL,
) -> BOOL {
    guard(FALSE, || {
        // SAFETY: `used` is NULL or valid for the call (this function's contract).
        let used = arg!(unsafe { out(used) }, FALSE);
        // SAFETY: `buffer` is NULL or valid for `size` bytes (this function's contract).
        let buffer = arg!(unsafe { bytes_out(buffer as *mut u8, size) }, FALSE);
        call(buffer, used)
    })
}

/// EvtClose: closes the handle and every handle made from it.
///
/// # Safety
/// None beyond windows-sys's marking: a handle is a value, checked before use.
#[no_mangle]
pub unsafe extern "system" fn EvtClose(Object: EVT_HANDLE) -> BOOL {
    guard(FALSE, || w::EvtClose(Object))
}

/// EvtCancel: cancels the calls in flight on a session (NULL: the local one), a query or a
/// subscription.
///
/// # Safety
/// As [`EvtClose`].
#[no_mangle]
pub unsafe extern "system" fn EvtCancel(Object: EVT_HANDLE) -> BOOL {
    guard(FALSE, || w::EvtCancel(Object))
}

/// # Safety
/// `Buffer` is NULL or valid for `BufferSize` WCHARs; `BufferUsed` is valid.
#[no_mangle]
pub unsafe extern "system" fn EvtGetExtendedStatus(
    BufferSize: u32,
    Buffer: PWSTR,
    BufferUsed: *mut u32,
) -> u32 {
    // It reports through its return value and leaves the thread's last error, errno and
    // extended status as they were, bad arguments included (the facade's status rule).
    abi::catch(INVALID_PARAMETER, || {
        // SAFETY: `BufferUsed` is valid and `Buffer` is NULL or valid for `BufferSize`
        // WCHARs (this export's contract).
        match unsafe { (out(BufferUsed), wide_out(Buffer, BufferSize)) } {
            (Some(used), Some(buffer)) => w::EvtGetExtendedStatus(buffer, used),
            _ => INVALID_PARAMETER,
        }
    })
}

/// # Safety
/// `Path` and `Query` are NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn EvtQuery(
    Session: EVT_HANDLE,
    Path: PCWSTR,
    Query: PCWSTR,
    Flags: u32,
) -> EVT_HANDLE {
    guard(0, || {
        // SAFETY: `Path` is NULL or NUL-terminated UTF-16 (this export's contract).
        let path = wide_arg!(unsafe { wide_in(Path) }, 0);
        // SAFETY: `Query` is NULL or NUL-terminated UTF-16 (this export's contract).
        let query = wide_arg!(unsafe { wide_in(Query) }, 0);
        w::EvtQuery(Session, path.as_deref(), query.as_deref(), Flags)
    })
}

/// # Safety
/// `Events` is valid for `EventsSize` handles; `Returned` is valid.
#[no_mangle]
pub unsafe extern "system" fn EvtNext(
    ResultSet: EVT_HANDLE,
    EventsSize: u32,
    Events: *mut EVT_HANDLE,
    Timeout: u32,
    Flags: u32,
    Returned: *mut u32,
) -> BOOL {
    guard(FALSE, || {
        // SAFETY: `Returned` is valid for the call (this export's contract).
        let returned = arg!(unsafe { out(Returned) }, FALSE);
        // SAFETY: `Events` is NULL or valid for `EventsSize` handles (this export's
        // contract).
        let events = arg!(unsafe { abi::handles_out(Events, EventsSize) }, FALSE);
        w::EvtNext(ResultSet, events, Timeout, Flags, returned)
    })
}

/// EvtSeek: moves a query's cursor.
///
/// # Safety
/// As [`EvtClose`].
#[no_mangle]
pub unsafe extern "system" fn EvtSeek(
    ResultSet: EVT_HANDLE,
    Position: i64,
    Bookmark: EVT_HANDLE,
    Timeout: u32,
    Flags: u32,
) -> BOOL {
    guard(FALSE, || {
        w::EvtSeek(ResultSet, Position, Bookmark, Timeout, Flags)
    })
}

/// # Safety
/// `ValuePaths` is NULL or valid for `ValuePathsCount` NUL-terminated UTF-16 strings.
#[no_mangle]
pub unsafe extern "system" fn EvtCreateRenderContext(
    ValuePathsCount: u32,
    ValuePaths: *const PCWSTR,
    Flags: u32,
) -> EVT_HANDLE {
    guard(0, || {
        // SAFETY: `ValuePaths` is NULL or valid for `ValuePathsCount` strings (this
        // export's contract).
        let paths = match unsafe { strings_in(ValuePaths, ValuePathsCount) } {
            Some(paths) => paths,
            None => return fail(INVALID_PARAMETER, 0),
        };
        let paths: Vec<&str> = paths.iter().map(String::as_str).collect();
        w::EvtCreateRenderContext(&paths, Flags)
    })
}

/// # Safety
/// `Buffer` is NULL or valid for `BufferSize` bytes; `BufferUsed` is valid;
/// `PropertyCount` is valid, or NULL (87, or under the null-property-count quirk ignored).
#[no_mangle]
pub unsafe extern "system" fn EvtRender(
    Context: EVT_HANDLE,
    Fragment: EVT_HANDLE,
    Flags: u32,
    BufferSize: u32,
    Buffer: *mut c_void,
    BufferUsed: *mut u32,
    PropertyCount: *mut u32,
) -> BOOL {
    guard(FALSE, || {
        // SAFETY: `BufferUsed` is valid for the call (this export's contract).
        let used = arg!(unsafe { out(BufferUsed) }, FALSE);
        // SAFETY: `PropertyCount` is valid for the call (this export's contract).
        let count = unsafe { out(PropertyCount) };
        // NXLog renders bookmarks with a NULL PropertyCount: the null-property-count quirk
        // takes it (and writes no count); otherwise it is 87, as any NULL out-parameter.
        let mut ignored = 0;
        let count = match count {
            Some(count) => count,
            None if w::controls::quirks().contains(evtlog::Quirk::NullPropertyCount) => {
                &mut ignored
            }
            None => return fail(INVALID_PARAMETER, FALSE),
        };
        // SAFETY: `Buffer` is NULL or valid for `BufferSize` bytes (this export's
        // contract).
        let buffer = arg!(unsafe { bytes_out(Buffer as *mut u8, BufferSize) }, FALSE);
        w::EvtRender(Context, Fragment, Flags, buffer, used, count)
    })
}

/// # Safety
/// `BookmarkXml` is NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn EvtCreateBookmark(BookmarkXml: PCWSTR) -> EVT_HANDLE {
    guard(0, || {
        // SAFETY: `BookmarkXml` is NULL or NUL-terminated UTF-16 (this export's contract).
        let xml = wide_arg!(unsafe { wide_in(BookmarkXml) }, 0);
        w::EvtCreateBookmark(xml.as_deref())
    })
}

/// EvtUpdateBookmark: points the bookmark at the event, for its channel.
///
/// # Safety
/// As [`EvtClose`].
#[no_mangle]
pub unsafe extern "system" fn EvtUpdateBookmark(Bookmark: EVT_HANDLE, Event: EVT_HANDLE) -> BOOL {
    guard(FALSE, || w::EvtUpdateBookmark(Bookmark, Event))
}

/// # Safety
/// `PropertyValueBuffer` is NULL or valid for `PropertyValueBufferSize` bytes;
/// `PropertyValueBufferUsed` is valid.
#[no_mangle]
pub unsafe extern "system" fn EvtGetQueryInfo(
    QueryOrSubscription: EVT_HANDLE,
    PropertyId: EVT_QUERY_PROPERTY_ID,
    PropertyValueBufferSize: u32,
    PropertyValueBuffer: *mut EVT_VARIANT,
    PropertyValueBufferUsed: *mut u32,
) -> BOOL {
    // SAFETY: the buffer, its size and the used size are as this export's contract says.
    unsafe {
        variant_call(
            PropertyValueBufferSize,
            PropertyValueBuffer,
            PropertyValueBufferUsed,
            |buffer, used| w::EvtGetQueryInfo(QueryOrSubscription, PropertyId as u32, buffer, used),
        )
    }
}

/// # Safety
/// As [`EvtGetQueryInfo`].
#[no_mangle]
pub unsafe extern "system" fn EvtGetEventInfo(
    Event: EVT_HANDLE,
    PropertyId: EVT_EVENT_PROPERTY_ID,
    PropertyValueBufferSize: u32,
    PropertyValueBuffer: *mut EVT_VARIANT,
    PropertyValueBufferUsed: *mut u32,
) -> BOOL {
    // SAFETY: the buffer, its size and the used size are as this export's contract says.
    unsafe {
        variant_call(
            PropertyValueBufferSize,
            PropertyValueBuffer,
            PropertyValueBufferUsed,
            |buffer, used| w::EvtGetEventInfo(Event, PropertyId as u32, buffer, used),
        )
    }
}

/// EvtOpenChannelEnum: an enumerator of the channel names, sorted.
///
/// # Safety
/// As [`EvtClose`].
#[no_mangle]
pub unsafe extern "system" fn EvtOpenChannelEnum(Session: EVT_HANDLE, Flags: u32) -> EVT_HANDLE {
    guard(0, || w::EvtOpenChannelEnum(Session, Flags))
}

/// # Safety
/// `ChannelPathBuffer` is NULL or valid for `ChannelPathBufferSize` WCHARs;
/// `ChannelPathBufferUsed` is valid.
#[no_mangle]
pub unsafe extern "system" fn EvtNextChannelPath(
    ChannelEnum: EVT_HANDLE,
    ChannelPathBufferSize: u32,
    ChannelPathBuffer: PWSTR,
    ChannelPathBufferUsed: *mut u32,
) -> BOOL {
    guard(FALSE, || {
        // SAFETY: `ChannelPathBufferUsed` is valid for the call (this export's contract).
        let used = arg!(unsafe { out(ChannelPathBufferUsed) }, FALSE);
        // SAFETY: `ChannelPathBuffer` is NULL or valid for `ChannelPathBufferSize` WCHARs (this export's
        // contract).
        let buffer = arg!(
            unsafe { wide_out(ChannelPathBuffer, ChannelPathBufferSize) },
            FALSE
        );
        w::EvtNextChannelPath(ChannelEnum, buffer, used)
    })
}

/// # Safety
/// `ChannelPath` and `TargetFilePath` are NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn EvtClearLog(
    Session: EVT_HANDLE,
    ChannelPath: PCWSTR,
    TargetFilePath: PCWSTR,
    Flags: u32,
) -> BOOL {
    guard(FALSE, || {
        // SAFETY: `ChannelPath` is NULL or NUL-terminated UTF-16 (this export's contract).
        let channel = wide_arg!(unsafe { wide_in(ChannelPath) }, FALSE);
        // SAFETY: `TargetFilePath` is NULL or NUL-terminated UTF-16 (this export's contract).
        let target = wide_arg!(unsafe { wide_in(TargetFilePath) }, FALSE);
        w::EvtClearLog(Session, channel.as_deref(), target.as_deref(), Flags)
    })
}

/// # Safety
/// `Path`, `Query` and `TargetFilePath` are NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn EvtExportLog(
    Session: EVT_HANDLE,
    Path: PCWSTR,
    Query: PCWSTR,
    TargetFilePath: PCWSTR,
    Flags: u32,
) -> BOOL {
    guard(FALSE, || {
        // SAFETY: `Path` is NULL or NUL-terminated UTF-16 (this export's contract).
        let path = wide_arg!(unsafe { wide_in(Path) }, FALSE);
        // SAFETY: `Query` is NULL or NUL-terminated UTF-16 (this export's contract).
        let query = wide_arg!(unsafe { wide_in(Query) }, FALSE);
        // SAFETY: `TargetFilePath` is NULL or NUL-terminated UTF-16 (this export's contract).
        let target = wide_arg!(unsafe { wide_in(TargetFilePath) }, FALSE);
        w::EvtExportLog(
            Session,
            path.as_deref(),
            query.as_deref(),
            target.as_deref(),
            Flags,
        )
    })
}

/// # Safety
/// `Path` is NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn EvtOpenLog(
    Session: EVT_HANDLE,
    Path: PCWSTR,
    Flags: u32,
) -> EVT_HANDLE {
    guard(0, || {
        // SAFETY: `Path` is NULL or NUL-terminated UTF-16 (this export's contract).
        let path = wide_arg!(unsafe { wide_in(Path) }, 0);
        w::EvtOpenLog(Session, path.as_deref(), Flags)
    })
}

/// # Safety
/// As [`EvtGetQueryInfo`].
#[no_mangle]
pub unsafe extern "system" fn EvtGetLogInfo(
    Log: EVT_HANDLE,
    PropertyId: EVT_LOG_PROPERTY_ID,
    PropertyValueBufferSize: u32,
    PropertyValueBuffer: *mut EVT_VARIANT,
    PropertyValueBufferUsed: *mut u32,
) -> BOOL {
    // SAFETY: the buffer, its size and the used size are as this export's contract says.
    unsafe {
        variant_call(
            PropertyValueBufferSize,
            PropertyValueBuffer,
            PropertyValueBufferUsed,
            |buffer, used| w::EvtGetLogInfo(Log, PropertyId as u32, buffer, used),
        )
    }
}

/// # Safety
/// `LogFilePath` is NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn EvtArchiveExportedLog(
    Session: EVT_HANDLE,
    LogFilePath: PCWSTR,
    Locale: u32,
    Flags: u32,
) -> BOOL {
    guard(FALSE, || {
        // SAFETY: `LogFilePath` is NULL or NUL-terminated UTF-16 (this export's contract).
        let path = wide_arg!(unsafe { wide_in(LogFilePath) }, FALSE);
        w::EvtArchiveExportedLog(Session, path.as_deref(), Locale, Flags)
    })
}

/// EvtSubscribe: push (`Callback`, called on the service's delivery thread with
/// `Context`) or pull (`SignalEvent`, an event from CreateEventW).
///
/// # Safety
/// The strings are NULL or NUL-terminated UTF-16; `Callback`, if given, stays callable with
/// `Context` from another thread until the subscription is closed, as on Windows.
#[no_mangle]
pub unsafe extern "system" fn EvtSubscribe(
    Session: EVT_HANDLE,
    SignalEvent: HANDLE,
    ChannelPath: PCWSTR,
    Query: PCWSTR,
    Bookmark: EVT_HANDLE,
    Context: *const c_void,
    Callback: EVT_SUBSCRIBE_CALLBACK,
    Flags: u32,
) -> EVT_HANDLE {
    guard(0, || {
        // SAFETY: `ChannelPath` is NULL or NUL-terminated UTF-16 (this export's contract).
        let channel = wide_arg!(unsafe { wide_in(ChannelPath) }, 0);
        // SAFETY: `Query` is NULL or NUL-terminated UTF-16 (this export's contract).
        let query = wide_arg!(unsafe { wide_in(Query) }, 0);
        let callback = Callback.map(|callback| {
            let context = abi::SendPtr(Context);
            Box::new(move |action: u32, event: EVT_HANDLE| {
                let context = &context;
                // SAFETY: the caller promised the callback and its context stay valid for
                // the subscription's life; a panic or unwind cannot come back through C.
                unsafe { callback(action as EVT_SUBSCRIBE_NOTIFY_ACTION, context.0, event) };
            }) as w::SubscribeCallback
        });
        w::EvtSubscribe(
            Session,
            SignalEvent as EVT_HANDLE,
            channel.as_deref(),
            query.as_deref(),
            Bookmark,
            callback,
            Flags,
        )
    })
}

/// CreateEventW (kernel32): an event object for the pull model. Attributes and names are
/// not emulated: either is ERROR_INVALID_PARAMETER.
///
/// # Safety
/// None beyond windows-sys's marking: the pointers are only compared with NULL.
#[no_mangle]
pub unsafe extern "system" fn CreateEventW(
    lpEventAttributes: *const SECURITY_ATTRIBUTES,
    bManualReset: BOOL,
    bInitialState: BOOL,
    lpName: PCWSTR,
) -> HANDLE {
    guard(std::ptr::null_mut(), || {
        if !lpEventAttributes.is_null() || !lpName.is_null() {
            return fail(INVALID_PARAMETER, std::ptr::null_mut());
        }
        w::CreateEvent(bManualReset != 0, bInitialState != 0) as HANDLE
    })
}

/// SetEvent (kernel32) on an event object.
///
/// # Safety
/// None beyond windows-sys's marking: a handle is a value, checked before use.
#[no_mangle]
pub unsafe extern "system" fn SetEvent(hEvent: HANDLE) -> BOOL {
    guard(FALSE, || w::SetEvent(hEvent as EVT_HANDLE))
}

/// ResetEvent (kernel32) on an event object.
///
/// # Safety
/// As [`SetEvent`].
#[no_mangle]
pub unsafe extern "system" fn ResetEvent(hEvent: HANDLE) -> BOOL {
    guard(FALSE, || w::ResetEvent(hEvent as EVT_HANDLE))
}

/// WaitForSingleObject (kernel32) on an event object.
///
/// # Safety
/// As [`SetEvent`].
#[no_mangle]
pub unsafe extern "system" fn WaitForSingleObject(
    hHandle: HANDLE,
    dwMilliseconds: u32,
) -> WAIT_EVENT {
    guard(WAIT_FAILED, || {
        w::WaitForSingleObject(hHandle as EVT_HANDLE, dwMilliseconds)
    })
}

/// CloseHandle (kernel32) on an event object.
///
/// # Safety
/// As [`SetEvent`].
#[no_mangle]
pub unsafe extern "system" fn CloseHandle(hObject: HANDLE) -> BOOL {
    guard(FALSE, || w::CloseHandle(hObject as EVT_HANDLE))
}

/// Engine control: a fresh engine with empty Application, System, Security, Setup and
/// ForwardedEvents channels; every handle is closed.
///
/// # Safety
/// No other thread is in a call on a handle this closes (as with EvtClose).
#[no_mangle]
pub unsafe extern "system" fn evtlog_reset() -> BOOL {
    guard(FALSE, w::controls::reset)
}

/// Engine control: selects the engine's Windows quirks (`EVTLOG_QUIRKS`' grammar: a
/// profile name, or a comma list of profile and quirk names; empty or NULL: none). 87 for a
/// malformed list, which changes nothing.
///
/// # Safety
/// `list` is NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn evtlog_set_quirks(list: PCWSTR) -> BOOL {
    guard(FALSE, || {
        // SAFETY: `list` is NULL or NUL-terminated UTF-16 (this export's contract).
        let list = wide_arg!(unsafe { wide_in(list) }, FALSE);
        w::controls::set_quirks(list.as_deref().unwrap_or(""))
    })
}

/// Engine control: creates an Operational channel.
///
/// # Safety
/// `path` is NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn evtlog_create_channel(path: PCWSTR) -> BOOL {
    guard(FALSE, || {
        // SAFETY: `path` is NULL or NUL-terminated UTF-16 (this export's contract).
        let path = arg!(wide_arg!(unsafe { wide_in(path) }, FALSE), FALSE);
        w::controls::create_channel(&path)
    })
}

/// Engine control: installs the providers of the manifest at `path` and creates their
/// channels (`wevtutil im`).
///
/// # Safety
/// `path` is NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn evtlog_install_manifest(path: PCWSTR) -> BOOL {
    guard(FALSE, || {
        // SAFETY: `path` is NULL or NUL-terminated UTF-16 (this export's contract).
        let path = arg!(wide_arg!(unsafe { wide_in(path) }, FALSE), FALSE);
        w::controls::install_manifest(&path)
    })
}

/// Engine control: uninstalls the providers of the manifest at `path` (`wevtutil um`).
///
/// # Safety
/// `path` is NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn evtlog_uninstall_manifest(path: PCWSTR) -> BOOL {
    guard(FALSE, || {
        // SAFETY: `path` is NULL or NUL-terminated UTF-16 (this export's contract).
        let path = arg!(wide_arg!(unsafe { wide_in(path) }, FALSE), FALSE);
        w::controls::uninstall_manifest(&path)
    })
}

/// Engine control: writes an event given as XML (record id, channel and time assigned
/// where absent).
///
/// # Safety
/// Both strings are NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn evtlog_write_event_xml(channel: PCWSTR, event_xml: PCWSTR) -> BOOL {
    guard(FALSE, || {
        // SAFETY: `channel` is NULL or NUL-terminated UTF-16 (this export's contract).
        let channel = arg!(wide_arg!(unsafe { wide_in(channel) }, FALSE), FALSE);
        // SAFETY: `event_xml` is NULL or NUL-terminated UTF-16 (this export's contract).
        let xml = arg!(wide_arg!(unsafe { wide_in(event_xml) }, FALSE), FALSE);
        w::controls::write_event_xml(&channel, &xml)
    })
}

/// Engine control: writes `count` generated events, the same for the same `seed`.
///
/// # Safety
/// `channel` is NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn evtlog_generate(channel: PCWSTR, count: u32, seed: u64) -> BOOL {
    guard(FALSE, || {
        // SAFETY: `channel` is NULL or NUL-terminated UTF-16 (this export's contract).
        let channel = arg!(wide_arg!(unsafe { wide_in(channel) }, FALSE), FALSE);
        w::controls::generate(&channel, count, seed)
    })
}

/// Engine control: the clock stands at `filetime` from now on.
///
/// # Safety
/// None: unsafe as the other exports are.
#[no_mangle]
pub unsafe extern "system" fn evtlog_use_virtual_clock(filetime: u64) -> BOOL {
    guard(FALSE, || w::controls::use_virtual_clock(filetime))
}

/// Engine control: moves the virtual clock on (FALSE, 4317, on the wall clock).
///
/// # Safety
/// None: unsafe as the other exports are.
#[no_mangle]
pub unsafe extern "system" fn evtlog_advance_clock(milliseconds: u64) -> BOOL {
    guard(FALSE, || w::controls::advance_clock(milliseconds))
}
