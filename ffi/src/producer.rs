//! evntprov.h's provider functions (advapi32 on Windows) with windows-sys's signatures
//! (`Win32::System::Diagnostics::Etw`): EventRegister, EventUnregister, EventWrite,
//! EventWriteTransfer, EventWriteEx, EventWriteString, EventEnabled, EventProviderEnabled.
//!
//! They return their Win32 code (ULONG) and leave the last error alone, as Windows' do; so
//! they run under `abi::catch`, not `guard`: errno is left too (a FALSE from EventEnabled is
//! an answer, not a failure), and a caught panic returns ERROR_INTERNAL_ERROR (a BOOLEAN
//! one FALSE).
//! The data blocks are read here (each EVENT_DATA_DESCRIPTOR's Ptr/Size) and handed to the
//! facade as slices; more than 128 descriptors is ERROR_INVALID_PARAMETER before any is
//! read, and so is a NULL Ptr with a non-zero Size.
//!
//! The ETW types below are windows-sys's `Win32::System::Diagnostics::Etw` ones (same
//! names, layouts, values); `types.rs` holds the EventLog module's.

use std::ffi::c_void;

use crate::abi::{catch, wide_in, INTERNAL_ERROR};
use crate::types::{GUID, PCWSTR};
use evtlog::winevt as w;
use evtlog::{EventDescriptor, Guid};

/// REGHANDLE (windows-sys: `i64`; EventRegister's out-parameter is `*mut u64`).
pub type REGHANDLE = i64;
/// BOOLEAN.
pub type BOOLEAN = u8;
/// ENABLECALLBACK_ENABLED_STATE.
pub type ENABLECALLBACK_ENABLED_STATE = u32;
pub const EVENT_CONTROL_CODE_DISABLE_PROVIDER: ENABLECALLBACK_ENABLED_STATE = 0;
pub const EVENT_CONTROL_CODE_ENABLE_PROVIDER: ENABLECALLBACK_ENABLED_STATE = 1;
pub const EVENT_CONTROL_CODE_CAPTURE_STATE: ENABLECALLBACK_ENABLED_STATE = 2;
/// MAX_EVENT_DATA_DESCRIPTORS.
pub const MAX_EVENT_DATA_DESCRIPTORS: u32 = 128;
pub const EVENT_WRITE_FLAG_NO_FAULTING: u32 = 1;
pub const EVENT_WRITE_FLAG_INPRIVATE: u32 = 2;

/// EVENT_DESCRIPTOR.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EVENT_DESCRIPTOR {
    pub Id: u16,
    pub Version: u8,
    pub Channel: u8,
    pub Level: u8,
    pub Opcode: u8,
    pub Task: u16,
    pub Keyword: u64,
}

/// EVENT_DATA_DESCRIPTOR.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct EVENT_DATA_DESCRIPTOR {
    pub Ptr: u64,
    pub Size: u32,
    pub Anonymous: EVENT_DATA_DESCRIPTOR_0,
}

#[repr(C)]
#[derive(Clone, Copy)]
pub union EVENT_DATA_DESCRIPTOR_0 {
    pub Reserved: u32,
    pub Anonymous: EVENT_DATA_DESCRIPTOR_0_0,
}

#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EVENT_DATA_DESCRIPTOR_0_0 {
    pub Type: u8,
    pub Reserved1: u8,
    pub Reserved2: u16,
}

/// EVENT_FILTER_DESCRIPTOR (EnableCallback's FilterData; always NULL here).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct EVENT_FILTER_DESCRIPTOR {
    pub Ptr: u64,
    pub Size: u32,
    pub Type: u32,
}

/// PENABLECALLBACK: `None` is NULL.
pub type PENABLECALLBACK = Option<
    unsafe extern "system" fn(
        sourceid: *const GUID,
        isenabled: ENABLECALLBACK_ENABLED_STATE,
        level: u8,
        matchanykeyword: u64,
        matchallkeyword: u64,
        filterdata: *const EVENT_FILTER_DESCRIPTOR,
        callbackcontext: *mut c_void,
    ),
>;

const INVALID_PARAMETER: u32 = 87;

fn guid_in(g: &GUID) -> Guid {
    Guid {
        data1: g.data1,
        data2: g.data2,
        data3: g.data3,
        data4: g.data4,
    }
}

fn guid_out(g: &Guid) -> GUID {
    GUID {
        data1: g.data1,
        data2: g.data2,
        data3: g.data3,
        data4: g.data4,
    }
}

fn descriptor_in(d: &EVENT_DESCRIPTOR) -> EventDescriptor {
    EventDescriptor {
        id: d.Id,
        version: d.Version,
        channel: d.Channel,
        level: d.Level,
        opcode: d.Opcode,
        task: d.Task,
        keyword: d.Keyword,
    }
}

/// Reads a `*const T` argument (`None`: NULL).
///
/// # Safety
/// A non-NULL `p` points to a `T` for the call.
unsafe fn read<T: Copy>(p: *const T) -> Option<T> {
    // SAFETY: the caller's promise.
    (!p.is_null()).then(|| unsafe { *p })
}

/// The blocks `count` descriptors at `data` describe; `None` for too many, a NULL array
/// with a count, or a NULL block with a size.
///
/// # Safety
/// `data` holds `count` descriptors, each of whose Ptr is valid for Size bytes.
unsafe fn blocks<'a>(count: u32, data: *const EVENT_DATA_DESCRIPTOR) -> Option<Vec<&'a [u8]>> {
    if count > MAX_EVENT_DATA_DESCRIPTORS {
        return None;
    }
    if count == 0 {
        return Some(Vec::new());
    }
    if data.is_null() {
        return None;
    }
    // SAFETY: the caller promises `count` descriptors at `data`.
    let descriptors = unsafe { std::slice::from_raw_parts(data, count as usize) };
    descriptors
        .iter()
        .map(|d| match (d.Ptr, d.Size) {
            (_, 0) => Some(&[][..]),
            (0, _) => None,
            (p, n) => {
                // SAFETY: each descriptor's Ptr is valid for Size bytes (this function's
                // contract).
                Some(unsafe { std::slice::from_raw_parts(p as usize as *const u8, n as usize) })
            }
        })
        .collect()
}

/// EventRegister.
///
/// # Safety
/// `providerid` and `reghandle` are NULL or valid; `enablecallback`, if set, may be called
/// (on this thread, before EventRegister returns) with `callbackcontext`.
#[no_mangle]
pub unsafe extern "system" fn EventRegister(
    providerid: *const GUID,
    enablecallback: PENABLECALLBACK,
    callbackcontext: *const c_void,
    reghandle: *mut u64,
) -> u32 {
    catch(INTERNAL_ERROR, || {
        // SAFETY: the caller's promise for `providerid`.
        let guid = unsafe { read(providerid) }.map(|g| guid_in(&g));
        // SAFETY: `reghandle` is NULL or valid (this export's contract).
        let out = unsafe { crate::abi::out(reghandle) };
        let mut call = |args: w::EnableCallbackArgs| {
            if let Some(callback) = enablecallback {
                let source = guid_out(&args.source_id);
                // SAFETY: the caller gave this callback and context for this call.
                unsafe {
                    callback(
                        &source,
                        args.is_enabled,
                        args.level,
                        args.match_any_keyword,
                        args.match_all_keyword,
                        std::ptr::null(),
                        callbackcontext as *mut c_void,
                    )
                }
            }
        };
        let callback: Option<&mut dyn FnMut(w::EnableCallbackArgs)> = if enablecallback.is_some() {
            Some(&mut call)
        } else {
            None
        };
        w::EventRegister(guid.as_ref(), callback, out)
    })
}

/// EventUnregister.
///
/// # Safety
/// No pointer is dereferenced: a handle is looked up in the table; `unsafe` as windows-sys
/// declares every advapi32 function.
#[no_mangle]
pub unsafe extern "system" fn EventUnregister(reghandle: REGHANDLE) -> u32 {
    catch(INTERNAL_ERROR, || w::EventUnregister(reghandle as u64))
}

/// EventWrite.
///
/// # Safety
/// `eventdescriptor` is NULL or valid; `userdata` holds `userdatacount` descriptors whose
/// blocks are valid for their sizes.
#[no_mangle]
pub unsafe extern "system" fn EventWrite(
    reghandle: REGHANDLE,
    eventdescriptor: *const EVENT_DESCRIPTOR,
    userdatacount: u32,
    userdata: *const EVENT_DATA_DESCRIPTOR,
) -> u32 {
    // SAFETY: the same promises as EventWriteTransfer's.
    unsafe {
        EventWriteTransfer(
            reghandle,
            eventdescriptor,
            std::ptr::null(),
            std::ptr::null(),
            userdatacount,
            userdata,
        )
    }
}

/// EventWriteTransfer.
///
/// # Safety
/// As EventWrite; the activity ids are NULL or valid GUIDs.
#[no_mangle]
pub unsafe extern "system" fn EventWriteTransfer(
    reghandle: REGHANDLE,
    eventdescriptor: *const EVENT_DESCRIPTOR,
    activityid: *const GUID,
    relatedactivityid: *const GUID,
    userdatacount: u32,
    userdata: *const EVENT_DATA_DESCRIPTOR,
) -> u32 {
    // SAFETY: the caller's promises, passed on.
    unsafe {
        EventWriteEx(
            reghandle,
            eventdescriptor,
            0,
            0,
            activityid,
            relatedactivityid,
            userdatacount,
            userdata,
        )
    }
}

/// EventWriteEx (Filter is accepted and filters nothing; Flags NO_FAULTING and INPRIVATE).
///
/// # Safety
/// As EventWriteTransfer.
#[no_mangle]
#[allow(clippy::too_many_arguments)] // Windows' signature
pub unsafe extern "system" fn EventWriteEx(
    reghandle: REGHANDLE,
    eventdescriptor: *const EVENT_DESCRIPTOR,
    filter: u64,
    flags: u32,
    activityid: *const GUID,
    relatedactivityid: *const GUID,
    userdatacount: u32,
    userdata: *const EVENT_DATA_DESCRIPTOR,
) -> u32 {
    catch(INTERNAL_ERROR, || {
        // SAFETY: each pointer is NULL or valid, and `userdata` holds `userdatacount`
        // descriptors of readable blocks (this export's contract).
        let (descriptor, activity, related, blocks) = unsafe {
            (
                read(eventdescriptor),
                read(activityid),
                read(relatedactivityid),
                blocks(userdatacount, userdata),
            )
        };
        let descriptor = descriptor.map(|d| descriptor_in(&d));
        let activity = activity.map(|g| guid_in(&g));
        let related = related.map(|g| guid_in(&g));
        let Some(blocks) = blocks else {
            return INVALID_PARAMETER;
        };
        w::EventWriteEx(
            reghandle as u64,
            descriptor.as_ref(),
            filter,
            flags,
            activity.as_ref(),
            related.as_ref(),
            &blocks,
        )
    })
}

/// EventWriteString (ETW-only: nothing is logged).
///
/// # Safety
/// `string` is NULL or NUL-terminated UTF-16.
#[no_mangle]
pub unsafe extern "system" fn EventWriteString(
    reghandle: REGHANDLE,
    level: u8,
    keyword: u64,
    string: PCWSTR,
) -> u32 {
    // SAFETY: `string` is NULL or NUL-terminated UTF-16 (this export's contract).
    catch(INTERNAL_ERROR, || match unsafe { wide_in(string) } {
        Ok(text) => w::EventWriteString(reghandle as u64, level, keyword, text.as_deref()),
        Err(()) => INVALID_PARAMETER,
    })
}

/// EventEnabled.
///
/// # Safety
/// `eventdescriptor` is NULL or valid.
#[no_mangle]
pub unsafe extern "system" fn EventEnabled(
    reghandle: REGHANDLE,
    eventdescriptor: *const EVENT_DESCRIPTOR,
) -> BOOLEAN {
    catch(0, || {
        // SAFETY: the caller's promise.
        let descriptor = unsafe { read(eventdescriptor) }.map(|d| descriptor_in(&d));
        BOOLEAN::from(w::EventEnabled(reghandle as u64, descriptor.as_ref()))
    })
}

/// EventProviderEnabled.
///
/// # Safety
/// No pointer is dereferenced: a handle is looked up in the table; `unsafe` as windows-sys
/// declares every advapi32 function.
#[no_mangle]
pub unsafe extern "system" fn EventProviderEnabled(
    reghandle: REGHANDLE,
    level: u8,
    keyword: u64,
) -> BOOLEAN {
    catch(0, || {
        BOOLEAN::from(w::EventProviderEnabled(reghandle as u64, level, keyword))
    })
}

/// EventActivityIdControl.
///
/// # Safety
/// `activityid` is NULL or a valid GUID the call may read and write.
#[no_mangle]
pub unsafe extern "system" fn EventActivityIdControl(
    controlcode: u32,
    activityid: *mut GUID,
) -> u32 {
    catch(INTERNAL_ERROR, || {
        // SAFETY: `activityid` is NULL or valid for reads and writes (this export's
        // contract).
        let Some(raw) = (unsafe { crate::abi::out(activityid) }) else {
            return INVALID_PARAMETER;
        };
        let mut id = guid_in(raw);
        let code = w::EventActivityIdControl(controlcode, Some(&mut id));
        if code == 0 {
            *raw = guid_out(&id);
        }
        code
    })
}

pub const EVENT_ACTIVITY_CTRL_GET_ID: u32 = 1;
pub const EVENT_ACTIVITY_CTRL_SET_ID: u32 = 2;
pub const EVENT_ACTIVITY_CTRL_CREATE_ID: u32 = 3;
pub const EVENT_ACTIVITY_CTRL_GET_SET_ID: u32 = 4;
pub const EVENT_ACTIVITY_CTRL_CREATE_SET_ID: u32 = 5;

#[cfg(test)]
mod tests {
    use super::*;

    /// Each function coerces to the pointer type windows-sys 0.59 links it with
    /// (`Win32::System::Diagnostics::Etw`), so a call written for windows-sys compiles here.
    #[test]
    fn signatures_are_windows_sys() {
        let _: unsafe extern "system" fn(
            *const GUID,
            PENABLECALLBACK,
            *const c_void,
            *mut u64,
        ) -> u32 = EventRegister;
        let _: unsafe extern "system" fn(REGHANDLE) -> u32 = EventUnregister;
        let _: unsafe extern "system" fn(
            REGHANDLE,
            *const EVENT_DESCRIPTOR,
            u32,
            *const EVENT_DATA_DESCRIPTOR,
        ) -> u32 = EventWrite;
        let _: unsafe extern "system" fn(
            REGHANDLE,
            *const EVENT_DESCRIPTOR,
            *const GUID,
            *const GUID,
            u32,
            *const EVENT_DATA_DESCRIPTOR,
        ) -> u32 = EventWriteTransfer;
        let _: unsafe extern "system" fn(
            REGHANDLE,
            *const EVENT_DESCRIPTOR,
            u64,
            u32,
            *const GUID,
            *const GUID,
            u32,
            *const EVENT_DATA_DESCRIPTOR,
        ) -> u32 = EventWriteEx;
        let _: unsafe extern "system" fn(REGHANDLE, u8, u64, PCWSTR) -> u32 = EventWriteString;
        let _: unsafe extern "system" fn(REGHANDLE, *const EVENT_DESCRIPTOR) -> BOOLEAN =
            EventEnabled;
        let _: unsafe extern "system" fn(REGHANDLE, u8, u64) -> BOOLEAN = EventProviderEnabled;
        let _: unsafe extern "system" fn(u32, *mut GUID) -> u32 = EventActivityIdControl;
        assert_eq!(std::mem::size_of::<EVENT_DESCRIPTOR>(), 16);
        assert_eq!(std::mem::size_of::<EVENT_DATA_DESCRIPTOR>(), 16);
    }

    unsafe extern "system" fn count_calls(
        _: *const GUID,
        _: ENABLECALLBACK_ENABLED_STATE,
        _: u8,
        _: u64,
        _: u64,
        _: *const EVENT_FILTER_DESCRIPTOR,
        context: *mut c_void,
    ) {
        // SAFETY: the test passes a pointer to its counter as the context.
        unsafe { *(context as *mut u32) += 1 };
    }

    #[test]
    fn write_through_the_c_abi() {
        let guid = GUID {
            data1: 0xabcdef,
            ..GUID::default()
        };
        let mut handle = 0u64;
        let mut calls = 0u32;
        // SAFETY: valid pointers for the call; the callback takes the counter.
        let code = unsafe {
            EventRegister(
                &guid,
                Some(count_calls),
                &mut calls as *mut u32 as *const c_void,
                &mut handle,
            )
        };
        assert_eq!((code, calls), (0, 0), "not installed: never enabled");
        let descriptor = EVENT_DESCRIPTOR {
            Id: 1,
            Channel: 9,
            ..Default::default()
        };
        let value = 7u32;
        let data = EVENT_DATA_DESCRIPTOR {
            Ptr: &value as *const u32 as u64,
            Size: 4,
            Anonymous: EVENT_DATA_DESCRIPTOR_0 { Reserved: 0 },
        };
        let h = handle as REGHANDLE;
        // SAFETY: the descriptor and the block are valid for the calls.
        unsafe {
            assert_eq!(EventWrite(h, &descriptor, 1, &data), 0);
            assert_eq!(EventWrite(h, &descriptor, 129, &data), 87);
            assert_eq!(EventWrite(h, std::ptr::null(), 0, std::ptr::null()), 87);
            assert_eq!(EventEnabled(h, &descriptor), 0);
            assert_eq!(EventUnregister(h), 0);
            assert_eq!(EventWrite(h, &descriptor, 1, &data), 6);
        }
    }
}
