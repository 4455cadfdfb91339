//! The system messages `%%n` references fall back to after a provider's parameter files
//! (Windows' order: "parameterFileName files left to right, then system messages").
//!
//! On Windows these are MsObjs.dll's strings (the audit subsystem's parameter file, which an
//! offline reader defaults to) and the system's Win32 error texts (`%%5` → "Access is
//! denied."). evtlog ships the MsObjs.dll strings real events reference (the Security
//! channel's impersonation levels, yes/no, token elevation types, account control flags,
//! failure reasons, credential operations) and the Win32 texts of its error table.
//!
//! Invariant: the table is sorted by id (binary search), and ids below 1000 are Win32 codes.

/// MsObjs.dll strings by id (en-US), sorted.
const MSOBJS: &[(u32, &str)] = &[
    (1793, "<value not set>"),
    (1794, "<never>"),
    (1796, "<value changed, but not displayed>"),
    (1797, "All"),
    (1832, "Identification"),
    (1833, "Impersonation"),
    (1840, "Delegation"),
    (1841, "Denied by Process Trust Label ACE"),
    (1842, "Yes"),
    (1843, "No"),
    (1844, "System"),
    (1845, "Not Available"),
    (1846, "Default"),
    (1847, "DisallowMmConfig"),
    (1848, "Off"),
    (1849, "Auto"),
    (1936, "TokenElevationTypeDefault (1)"),
    (1937, "TokenElevationTypeFull (2)"),
    (1938, "TokenElevationTypeLimited (3)"),
    (2080, "Account Disabled"),
    (2081, "'Home Directory Required' - Disabled"),
    (2082, "'Password Not Required' - Enabled"),
    (2083, "'Temp Duplicate Account' - Disabled"),
    (2084, "'Normal Account' - Enabled"),
    (2304, "An Error occured during Logon."),
    (2305, "The specified user account has expired."),
    (2306, "The NetLogon component is not active."),
    (2307, "Account locked out."),
    (
        2308,
        "The user has not been granted the requested logon type at this machine.",
    ),
    (2309, "The specified account's password has expired."),
    (2310, "Account currently disabled."),
    (2311, "Account logon time restriction violation."),
    (2312, "User not allowed to logon at this computer."),
    (2313, "Unknown user name or bad password."),
    (8100, "Enumerate Credentials"),
    (8101, "Read Credential"),
];

/// The system message `id`, if there is one.
pub(crate) fn message(id: u64) -> Option<&'static str> {
    let id = u32::try_from(id).ok()?;
    if let Ok(i) = MSOBJS.binary_search_by_key(&id, |&(k, _)| k) {
        return Some(MSOBJS[i].1);
    }
    if id < 1000 {
        return crate::error::win32_message(id);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_falls_back_to_win32_texts() {
        assert!(MSOBJS.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(message(1833), Some("Impersonation"));
        assert_eq!(message(1843), Some("No"));
        assert_eq!(message(5), Some("Access is denied."));
        assert_eq!(message(1835), None);
        assert_eq!(message(u64::MAX), None);
    }
}
