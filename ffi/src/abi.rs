//! The boundary's helpers: C arguments read into safe shapes, and the panic guard. The only
//! `unsafe` of the crate besides `EvtOpenSession`'s login read.

use std::panic::{catch_unwind, AssertUnwindSafe};

use evtlog::winevt as w;

/// ERROR_INTERNAL_ERROR: what a panic caught at the boundary reports.
const INTERNAL_ERROR: u32 = 1359;

/// The longest string argument read (in UTF-16 units, NUL excluded): a query may be up to
/// MAX_PAYLOAD / 4 (reference/wevtapi.md §3); a longer one is ERROR_INVALID_PARAMETER.
const MAX_STRING: usize = 512 * 1024;

/// Runs `f`; a panic becomes `fail` with ERROR_INTERNAL_ERROR (invariant 1).
pub(crate) fn guard<R>(fail: R, f: impl FnOnce() -> R) -> R {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(_) => {
            w::SetLastError(INTERNAL_ERROR);
            fail
        }
    }
}

/// A NUL-terminated UTF-16 argument: `Ok(None)` for NULL, `Err` for text that is not
/// UTF-16 or has no NUL within `MAX_STRING` units.
pub(crate) fn wide_in(p: *const u16) -> Result<Option<String>, ()> {
    if p.is_null() {
        return Ok(None);
    }
    let mut len = 0;
    // SAFETY: the caller promises a NUL-terminated string; we read up to and including
    // its NUL (or stop at MAX_STRING), never past it.
    while unsafe { *p.add(len) } != 0 {
        len += 1;
        if len > MAX_STRING {
            return Err(());
        }
    }
    // SAFETY: the `len` units before the NUL were just read.
    let units = unsafe { std::slice::from_raw_parts(p, len) };
    String::from_utf16(units).map(Some).map_err(|_| ())
}

/// An array of `count` string arguments (`None`: NULL with a count, or a bad string).
pub(crate) fn strings_in(p: *const *const u16, count: u32) -> Option<Vec<String>> {
    if count == 0 {
        return Some(Vec::new());
    }
    if p.is_null() {
        return None;
    }
    // SAFETY: the caller promises `count` string pointers at `p`.
    let pointers = unsafe { std::slice::from_raw_parts(p, count as usize) };
    pointers
        .iter()
        .map(|&s| wide_in(s).ok().flatten())
        .collect()
}

/// An out-parameter (`None`: NULL).
pub(crate) fn out<'a, T>(p: *mut T) -> Option<&'a mut T> {
    // SAFETY: a non-NULL out-parameter points to a `T` the caller owns for the call.
    (!p.is_null()).then(|| unsafe { &mut *p })
}

/// A caller buffer of `len` items (`None`: NULL with a non-zero size; NULL with 0 is the
/// empty buffer of the size-query protocol).
fn buffer<'a, T>(p: *mut T, len: u32) -> Option<&'a mut [T]> {
    if len == 0 {
        return Some(&mut []);
    }
    if p.is_null() {
        return None;
    }
    // SAFETY: the caller promises `len` writable items at `p` for the call.
    Some(unsafe { std::slice::from_raw_parts_mut(p, len as usize) })
}

/// A byte buffer (EvtRender, the Get*Info functions).
pub(crate) fn bytes_out<'a>(p: *mut u8, len: u32) -> Option<&'a mut [u8]> {
    buffer(p, len)
}

/// A WCHAR buffer (EvtNextChannelPath, EvtGetExtendedStatus).
pub(crate) fn wide_out<'a>(p: *mut u16, len: u32) -> Option<&'a mut [u16]> {
    buffer(p, len)
}

/// EvtNext's array of handles.
pub(crate) fn handles_out<'a>(p: *mut isize, len: u32) -> Option<&'a mut [isize]> {
    buffer(p, len)
}

/// A caller's context pointer, handed to its callback on the delivery thread.
pub(crate) struct SendPtr(pub(crate) *const std::ffi::c_void);

// SAFETY: EvtSubscribe's contract: the caller's context is used from the service's thread,
// as on Windows; evtlog never dereferences it.
unsafe impl Send for SendPtr {}
