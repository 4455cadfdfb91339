//! EVT_QUERY_FLAGS, EVT_SEEK_FLAGS and EVT_SUBSCRIBE_FLAGS with Windows' values
//! (winevt.h's).

use std::fmt;
use std::ops::BitOr;

use crate::error::{Error, ErrorKind, Result};

/// EVT_QUERY_FLAGS. Combine with `|`; the default is a forward query over a channel path.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct QueryFlags(u32);

impl QueryFlags {
    /// `EvtQueryChannelPath`: the path is a channel name.
    pub const CHANNEL_PATH: QueryFlags = QueryFlags(0x1);
    /// `EvtQueryFilePath`: the path is a log file.
    pub const FILE_PATH: QueryFlags = QueryFlags(0x2);
    /// `EvtQueryForwardDirection`: oldest to newest (the default).
    pub const FORWARD_DIRECTION: QueryFlags = QueryFlags(0x100);
    /// `EvtQueryReverseDirection`: newest to oldest.
    pub const REVERSE_DIRECTION: QueryFlags = QueryFlags(0x200);
    /// `EvtQueryTolerateQueryErrors`: keep what is valid of the query (as EvtQuery documents it).
    pub const TOLERATE_QUERY_ERRORS: QueryFlags = QueryFlags(0x1000);

    const ALL: u32 = 0x1 | 0x2 | 0x100 | 0x200 | 0x1000;

    /// The flags from their Windows value. Errors: `InvalidParameter` (87) for unknown bits,
    /// ChannelPath with FilePath, or Forward with Reverse.
    pub fn from_bits(bits: u32) -> Result<QueryFlags> {
        let flags = QueryFlags(bits);
        if bits & !Self::ALL != 0 {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                format!("unknown query flags {bits:#x}"),
            ));
        }
        if flags.contains(Self::CHANNEL_PATH) && flags.contains(Self::FILE_PATH) {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                "EvtQueryChannelPath and EvtQueryFilePath are mutually exclusive",
            ));
        }
        if flags.contains(Self::FORWARD_DIRECTION) && flags.contains(Self::REVERSE_DIRECTION) {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                "EvtQueryForwardDirection and EvtQueryReverseDirection are mutually exclusive",
            ));
        }
        Ok(flags)
    }

    /// The Windows value.
    pub fn bits(self) -> u32 {
        self.0
    }

    /// True if every bit of `other` is set.
    pub fn contains(self, other: QueryFlags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl BitOr for QueryFlags {
    type Output = QueryFlags;
    fn bitor(self, rhs: QueryFlags) -> QueryFlags {
        QueryFlags(self.0 | rhs.0)
    }
}

impl fmt::Debug for QueryFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "QueryFlags({:#x})", self.0)
    }
}

/// EVT_EXPORTLOG_FLAGS (winevt.h's values). Combine with `|`; the default exports from a
/// channel.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ExportFlags(u32);

impl ExportFlags {
    /// `EvtExportLogChannelPath`: the path is a channel name.
    pub const CHANNEL_PATH: ExportFlags = ExportFlags(0x1);
    /// `EvtExportLogFilePath`: the path is an .evtx file.
    pub const FILE_PATH: ExportFlags = ExportFlags(0x2);
    /// `EvtExportLogTolerateQueryErrors`: as for queries.
    pub const TOLERATE_QUERY_ERRORS: ExportFlags = ExportFlags(0x1000);
    /// `EvtExportLogOverwrite`: replace an existing target.
    pub const OVERWRITE: ExportFlags = ExportFlags(0x2000);

    const ALL: u32 = 0x1 | 0x2 | 0x1000 | 0x2000;

    /// The flags from their Windows value. Errors: `InvalidParameter` (87) for unknown bits,
    /// or ChannelPath with FilePath.
    pub fn from_bits(bits: u32) -> Result<ExportFlags> {
        let flags = ExportFlags(bits);
        if bits & !Self::ALL != 0 {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                format!("unknown export flags {bits:#x}"),
            ));
        }
        if flags.contains(Self::CHANNEL_PATH) && flags.contains(Self::FILE_PATH) {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                "EvtExportLogChannelPath and EvtExportLogFilePath are mutually exclusive",
            ));
        }
        Ok(flags)
    }

    /// The Windows value.
    pub fn bits(self) -> u32 {
        self.0
    }

    /// True if every bit of `other` is set.
    pub fn contains(self, other: ExportFlags) -> bool {
        self.0 & other.0 == other.0
    }
}

impl BitOr for ExportFlags {
    type Output = ExportFlags;
    fn bitor(self, rhs: ExportFlags) -> ExportFlags {
        ExportFlags(self.0 | rhs.0)
    }
}

impl fmt::Debug for ExportFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ExportFlags({:#x})", self.0)
    }
}

/// EVT_SEEK_FLAGS: an origin (one of the first four, `flags & 7`) and optionally Strict.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SeekFlags(u32);

/// Where a seek counts from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SeekOrigin {
    First,
    Last,
    Current,
    Bookmark,
}

impl SeekFlags {
    /// `EvtSeekRelativeToFirst`: offset 0 is the first event.
    pub const RELATIVE_TO_FIRST: SeekFlags = SeekFlags(1);
    /// `EvtSeekRelativeToLast`: offset 0 is the last event.
    pub const RELATIVE_TO_LAST: SeekFlags = SeekFlags(2);
    /// `EvtSeekRelativeToCurrent`: offset 0 is the next event `next` would return.
    pub const RELATIVE_TO_CURRENT: SeekFlags = SeekFlags(3);
    /// `EvtSeekRelativeToBookmark`.
    pub const RELATIVE_TO_BOOKMARK: SeekFlags = SeekFlags(4);
    /// `EvtSeekOriginMask`.
    pub const ORIGIN_MASK: u32 = 7;
    /// `EvtSeekStrict`: fail rather than clamp when the target is outside the results.
    pub const STRICT: SeekFlags = SeekFlags(0x10000);

    /// The flags from their Windows value. Errors: `InvalidParameter` (87) for unknown bits
    /// or an origin other than the four.
    pub fn from_bits(bits: u32) -> Result<SeekFlags> {
        let flags = SeekFlags(bits);
        if bits & !(Self::ORIGIN_MASK | Self::STRICT.0) != 0 || flags.origin().is_none() {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                format!("invalid seek flags {bits:#x}"),
            ));
        }
        Ok(flags)
    }

    /// The Windows value.
    pub fn bits(self) -> u32 {
        self.0
    }

    /// The origin, if the origin bits name one.
    pub fn origin(self) -> Option<SeekOrigin> {
        match self.0 & Self::ORIGIN_MASK {
            1 => Some(SeekOrigin::First),
            2 => Some(SeekOrigin::Last),
            3 => Some(SeekOrigin::Current),
            4 => Some(SeekOrigin::Bookmark),
            _ => None,
        }
    }

    /// True if `EvtSeekStrict` is set.
    pub fn is_strict(self) -> bool {
        self.0 & Self::STRICT.0 != 0
    }
}

impl BitOr for SeekFlags {
    type Output = SeekFlags;
    fn bitor(self, rhs: SeekFlags) -> SeekFlags {
        SeekFlags(self.0 | rhs.0)
    }
}

impl fmt::Debug for SeekFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SeekFlags({:#x})", self.0)
    }
}

/// EVT_SUBSCRIBE_FLAGS: an origin (one of the first three, a value in `flags & 3`, not a
/// bit) and optionally TolerateQueryErrors and Strict (winevt.h's values; EvtSubscribe's rules).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SubscribeFlags(u32);

/// Where a subscription starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SubscribeOrigin {
    /// Only events appended after the subscription was made.
    FutureEvents,
    /// Every event in the channels, then future ones.
    OldestRecord,
    /// The events after a bookmarked one, then future ones.
    AfterBookmark,
}

impl SubscribeFlags {
    /// `EvtSubscribeToFutureEvents` (1).
    pub const TO_FUTURE_EVENTS: SubscribeFlags = SubscribeFlags(1);
    /// `EvtSubscribeStartAtOldestRecord` (2).
    pub const START_AT_OLDEST_RECORD: SubscribeFlags = SubscribeFlags(2);
    /// `EvtSubscribeStartAfterBookmark` (3).
    pub const START_AFTER_BOOKMARK: SubscribeFlags = SubscribeFlags(3);
    /// `EvtSubscribeOriginMask`.
    pub const ORIGIN_MASK: u32 = 3;
    /// `EvtSubscribeTolerateQueryErrors` (0x1000): as for queries.
    pub const TOLERATE_QUERY_ERRORS: SubscribeFlags = SubscribeFlags(0x1000);
    /// `EvtSubscribeStrict` (0x10000): a missing bookmarked event fails the subscribe with
    /// ERROR_NOT_FOUND (1168), and lost records are reported (an Error action, 15011).
    pub const STRICT: SubscribeFlags = SubscribeFlags(0x10000);

    /// The flags from their Windows value. Errors: `InvalidParameter` (87) for unknown bits
    /// or no origin (`flags & 3 == 0`).
    pub fn from_bits(bits: u32) -> Result<SubscribeFlags> {
        let flags = SubscribeFlags(bits);
        if bits & !(Self::ORIGIN_MASK | Self::TOLERATE_QUERY_ERRORS.0 | Self::STRICT.0) != 0
            || flags.origin().is_none()
        {
            return Err(Error::with_message(
                ErrorKind::InvalidParameter,
                format!("invalid subscribe flags {bits:#x}"),
            ));
        }
        Ok(flags)
    }

    /// The Windows value.
    pub fn bits(self) -> u32 {
        self.0
    }

    /// The origin, if the origin value names one.
    pub fn origin(self) -> Option<SubscribeOrigin> {
        match self.0 & Self::ORIGIN_MASK {
            1 => Some(SubscribeOrigin::FutureEvents),
            2 => Some(SubscribeOrigin::OldestRecord),
            3 => Some(SubscribeOrigin::AfterBookmark),
            _ => None,
        }
    }

    /// True if `EvtSubscribeStrict` is set.
    pub fn is_strict(self) -> bool {
        self.0 & Self::STRICT.0 != 0
    }

    /// True if `EvtSubscribeTolerateQueryErrors` is set.
    pub fn tolerates_query_errors(self) -> bool {
        self.0 & Self::TOLERATE_QUERY_ERRORS.0 != 0
    }
}

impl BitOr for SubscribeFlags {
    type Output = SubscribeFlags;
    fn bitor(self, rhs: SubscribeFlags) -> SubscribeFlags {
        SubscribeFlags(self.0 | rhs.0)
    }
}

impl fmt::Debug for SubscribeFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SubscribeFlags({:#x})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The values winevt.h gives EVT_QUERY_FLAGS and EVT_SEEK_FLAGS.
    #[test]
    fn windows_values() {
        assert_eq!(QueryFlags::CHANNEL_PATH.bits(), 0x1);
        assert_eq!(QueryFlags::FILE_PATH.bits(), 0x2);
        assert_eq!(QueryFlags::FORWARD_DIRECTION.bits(), 0x100);
        assert_eq!(QueryFlags::REVERSE_DIRECTION.bits(), 0x200);
        assert_eq!(QueryFlags::TOLERATE_QUERY_ERRORS.bits(), 0x1000);
        assert_eq!(SeekFlags::RELATIVE_TO_FIRST.bits(), 1);
        assert_eq!(SeekFlags::RELATIVE_TO_LAST.bits(), 2);
        assert_eq!(SeekFlags::RELATIVE_TO_CURRENT.bits(), 3);
        assert_eq!(SeekFlags::RELATIVE_TO_BOOKMARK.bits(), 4);
        assert_eq!(SeekFlags::ORIGIN_MASK, 7);
        assert_eq!(SeekFlags::STRICT.bits(), 0x10000);
    }

    #[test]
    fn exclusive_and_unknown_bits_are_87() {
        for bits in [0x3, 0x300, 0x4, 0x8000_0000] {
            assert_eq!(
                QueryFlags::from_bits(bits).unwrap_err().win32_code(),
                87,
                "{bits:#x}"
            );
        }
        assert!(QueryFlags::from_bits(0x1 | 0x200 | 0x1000).is_ok());
        for bits in [0, 5, 0x20000, 0x10000] {
            assert_eq!(
                SeekFlags::from_bits(bits).unwrap_err().win32_code(),
                87,
                "{bits:#x}"
            );
        }
        let f = SeekFlags::from_bits(0x10002).unwrap();
        assert_eq!((f.origin(), f.is_strict()), (Some(SeekOrigin::Last), true));
    }

    /// The values winevt.h gives EVT_SUBSCRIBE_FLAGS; the origin is a value, not bits.
    #[test]
    fn subscribe_flags_windows_values() {
        assert_eq!(SubscribeFlags::TO_FUTURE_EVENTS.bits(), 1);
        assert_eq!(SubscribeFlags::START_AT_OLDEST_RECORD.bits(), 2);
        assert_eq!(SubscribeFlags::START_AFTER_BOOKMARK.bits(), 3);
        assert_eq!(SubscribeFlags::ORIGIN_MASK, 3);
        assert_eq!(SubscribeFlags::TOLERATE_QUERY_ERRORS.bits(), 0x1000);
        assert_eq!(SubscribeFlags::STRICT.bits(), 0x10000);
        let f = SubscribeFlags::from_bits(0x11003).unwrap();
        assert_eq!(f.origin(), Some(SubscribeOrigin::AfterBookmark));
        assert!(f.is_strict() && f.tolerates_query_errors());
        for bits in [0, 0x10000, 0x1000, 0x4, 0x100, 0x8000_0001] {
            assert_eq!(
                SubscribeFlags::from_bits(bits).unwrap_err().win32_code(),
                87,
                "{bits:#x}"
            );
        }
    }
}
