//! The boundary's helpers: C arguments read into safe shapes, the panic guard and `errno`.
//!
//! The readers (`wide_in`, `strings_in`, `out`, `bytes_out`, `wide_out`, `handles_out`)
//! are `unsafe fn`s: each dereferences a caller's pointer, and the references it hands
//! out have the lifetime its caller picks, so only an export, which holds the C caller's
//! promise for the length of its call, may call them, inside an `unsafe` block whose
//! `SAFETY` line cites that export's `# Safety` contract.

use std::panic::{catch_unwind, AssertUnwindSafe};

use evtlog::winevt as w;

/// ERROR_INTERNAL_ERROR: what a panic caught at the boundary reports.
pub(crate) const INTERNAL_ERROR: u32 = 1359;

/// The longest string argument read (in UTF-16 units, NUL excluded): a query may be up to
/// MAX_PAYLOAD / 4 (wevtapi's documented limit); a longer one is ERROR_INVALID_PARAMETER.
const MAX_STRING: usize = 512 * 1024;

/// Runs an export's body: a panic becomes `fail` with ERROR_INTERNAL_ERROR (invariant 1),
/// and a failure (the result is `fail`: FALSE, NULL, WAIT_FAILED) also sets the thread's
/// `errno` to the last error, so `std::io::Error::last_os_error()` reports the Win32 code
/// as it does on Windows (invariant 4). A success leaves `errno`.
pub(crate) fn guard<R: PartialEq + Copy>(fail: R, f: impl FnOnce() -> R) -> R {
    let result = catch(fail, f);
    if result == fail {
        errno::set(w::GetLastError());
    }
    result
}

/// Runs `f`; a panic becomes `fail` with ERROR_INTERNAL_ERROR (invariant 1). For a function
/// that reports through its return value alone (EvtGetExtendedStatus, the provider
/// functions), so neither errno nor its result is a failure's signal.
pub(crate) fn catch<R>(fail: R, f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(_) => {
            w::SetLastError(INTERNAL_ERROR);
            fail
        }
    }
}

/// The C library's per-thread `errno`, which `std::io::Error::last_os_error()` reads on
/// Unix where Windows' reads GetLastError.
mod errno {
    #[cfg(any(target_os = "linux", target_os = "emscripten", target_os = "redox"))]
    extern "C" {
        #[link_name = "__errno_location"]
        fn location() -> *mut i32;
    }
    #[cfg(any(
        target_vendor = "apple",
        target_os = "freebsd",
        target_os = "dragonfly"
    ))]
    extern "C" {
        #[link_name = "__error"]
        fn location() -> *mut i32;
    }
    #[cfg(any(target_os = "android", target_os = "netbsd", target_os = "openbsd"))]
    extern "C" {
        #[link_name = "__errno"]
        fn location() -> *mut i32;
    }

    /// Sets the calling thread's `errno` to a Win32 code (every one fits an `i32`).
    #[cfg(any(
        target_os = "linux",
        target_os = "emscripten",
        target_os = "redox",
        target_vendor = "apple",
        target_os = "freebsd",
        target_os = "dragonfly",
        target_os = "android",
        target_os = "netbsd",
        target_os = "openbsd"
    ))]
    pub(crate) fn set(code: u32) {
        // SAFETY: the C library returns the calling thread's errno, valid for the thread's
        // life; nothing else holds a reference to it during this write.
        unsafe { *location() = code as i32 };
    }

    /// Elsewhere errno is not known to be reachable: it is left alone.
    #[cfg(not(any(
        target_os = "linux",
        target_os = "emscripten",
        target_os = "redox",
        target_vendor = "apple",
        target_os = "freebsd",
        target_os = "dragonfly",
        target_os = "android",
        target_os = "netbsd",
        target_os = "openbsd"
    )))]
    pub(crate) fn set(_code: u32) {}
}

/// A NUL-terminated UTF-16 argument: `Ok(None)` for NULL, `Err` for text that is not
/// UTF-16 (an unpaired surrogate) or has no NUL within `MAX_STRING` units. The text is
/// copied out: nothing borrowed from the caller outlives the call.
///
/// # Safety
/// `p` is NULL, or points to UTF-16 units that are readable (and not written by anyone)
/// up to and including the first NUL, or up to `MAX_STRING + 1` units if that comes first.
pub(crate) unsafe fn wide_in(p: *const u16) -> Result<Option<String>, ()> {
    if p.is_null() {
        return Ok(None);
    }
    let mut len = 0;
    // SAFETY: `p` is readable up to its NUL or MAX_STRING + 1 units (this function's
    // contract); the loop reads unit `len` only while no NUL came before it and stops at
    // MAX_STRING + 1.
    while unsafe { *p.add(len) } != 0 {
        len += 1;
        if len > MAX_STRING {
            return Err(());
        }
    }
    // SAFETY: the `len` units before the NUL were just read one by one: readable, and
    // u16 has no invalid values; the slice lives only until the copy below.
    let units = unsafe { std::slice::from_raw_parts(p, len) };
    String::from_utf16(units).map(Some).map_err(|_| ())
}

/// An array of `count` string arguments, copied out (`None`: NULL with a count, or a NULL
/// or bad string).
///
/// # Safety
/// With a non-zero `count`, `p` is NULL or points to `count` readable string pointers,
/// each of which satisfies [`wide_in`]'s contract.
pub(crate) unsafe fn strings_in(p: *const *const u16, count: u32) -> Option<Vec<String>> {
    if count == 0 {
        return Some(Vec::new());
    }
    if p.is_null() {
        return None;
    }
    // SAFETY: `p` points to `count` readable pointers (this function's contract); the
    // slice is dropped before the function returns.
    let pointers = unsafe { std::slice::from_raw_parts(p, count as usize) };
    pointers
        .iter()
        // SAFETY: each pointer satisfies wide_in's contract (this function's contract).
        .map(|&s| unsafe { wide_in(s) }.ok().flatten())
        .collect()
}

/// An out-parameter (`None`: NULL).
///
/// # Safety
/// `p` is NULL, or points to a `T`, aligned, readable and writable, that nothing else
/// reads or writes while the returned reference lives; the caller (an export) chooses
/// `'a` no longer than its own call.
pub(crate) unsafe fn out<'a, T>(p: *mut T) -> Option<&'a mut T> {
    // SAFETY: a non-NULL `p` is valid and unaliased for `'a` (this function's contract).
    (!p.is_null()).then(|| unsafe { &mut *p })
}

/// A caller buffer of `len` items (`None`: NULL with a non-zero size; NULL with 0 is the
/// empty buffer of the size-query protocol). The facade writes only the items its result
/// needs and clears nothing after them (`ffi/examples/hostile.c` checks it with guard
/// bytes), but the slice still claims all `len`: a size the caller overstates breaks the
/// contract below even when nothing past the real buffer is touched.
///
/// # Safety
/// With a non-zero `len`, `p` is NULL or points to `len` items of `T`, aligned, readable
/// and writable, that nothing else reads or writes while the returned slice lives; the
/// caller (an export) chooses `'a` no longer than its own call.
unsafe fn buffer<'a, T>(p: *mut T, len: u32) -> Option<&'a mut [T]> {
    if len == 0 {
        return Some(&mut []);
    }
    if p.is_null() {
        return None;
    }
    // SAFETY: `p` is valid and unaliased for `len` items for `'a` (this function's
    // contract); `len` fits in `usize` and, being the size of a live buffer, in isize.
    Some(unsafe { std::slice::from_raw_parts_mut(p, len as usize) })
}

/// A byte buffer (EvtRender, the Get*Info functions, ReadEventLog).
///
/// # Safety
/// As [`buffer`], for `len` bytes.
pub(crate) unsafe fn bytes_out<'a>(p: *mut u8, len: u32) -> Option<&'a mut [u8]> {
    // SAFETY: this function's contract is buffer's.
    unsafe { buffer(p, len) }
}

/// A WCHAR buffer (EvtNextChannelPath, EvtNextPublisherId, EvtFormatMessage,
/// EvtGetExtendedStatus).
///
/// # Safety
/// As [`buffer`], for `len` WCHARs.
pub(crate) unsafe fn wide_out<'a>(p: *mut u16, len: u32) -> Option<&'a mut [u16]> {
    // SAFETY: this function's contract is buffer's.
    unsafe { buffer(p, len) }
}

/// EvtNext's array of handles.
///
/// # Safety
/// As [`buffer`], for `len` handles.
pub(crate) unsafe fn handles_out<'a>(p: *mut isize, len: u32) -> Option<&'a mut [isize]> {
    // SAFETY: this function's contract is buffer's.
    unsafe { buffer(p, len) }
}

/// A caller's context pointer, handed to its callback on the delivery thread.
pub(crate) struct SendPtr(pub(crate) *const std::ffi::c_void);

// SAFETY: EvtSubscribe's contract: the caller's context is used from the service's thread,
// as on Windows; evtlog never dereferences it.
unsafe impl Send for SendPtr {}
