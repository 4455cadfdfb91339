//! The one error type of evtlog, and the one table that maps its kinds to Win32 codes.
//!
//! Owns: [`Error`] (opaque, two words: no allocation without a detail), [`ErrorKind`] (fieldless, `Copy`,
//! `#[non_exhaustive]`) and the exhaustive `ErrorKind -> Win32 code` match in
//! [`ErrorKind::win32_code`].
//!
//! Invariants:
//! - Every kind has exactly one Win32 code; adding a kind forces a decision here (the match
//!   is exhaustive inside the crate).
//! - Protocol states (end of results, timeouts, buffer sizing) are not errors in the Rust API;
//!   they are only turned into ERROR_NO_MORE_ITEMS, ERROR_TIMEOUT and
//!   ERROR_INSUFFICIENT_BUFFER at the wevtapi facade.
//! - `Display` is the extended-status text: the Windows message for the code, then the detail
//!   (position, offset, name) when there is one. No trailing period on the detail.

use std::fmt;

/// Win32 error codes used by evtlog, under their Windows names (`winerror.h`).
pub mod codes {
    pub const ERROR_SUCCESS: u32 = 0;
    pub const ERROR_FILE_NOT_FOUND: u32 = 2;
    pub const ERROR_PATH_NOT_FOUND: u32 = 3;
    pub const ERROR_ACCESS_DENIED: u32 = 5;
    pub const ERROR_INVALID_HANDLE: u32 = 6;
    pub const ERROR_NOT_ENOUGH_MEMORY: u32 = 8;
    pub const ERROR_INVALID_DATA: u32 = 13;
    pub const ERROR_SHARING_VIOLATION: u32 = 32;
    pub const ERROR_NOT_SUPPORTED: u32 = 50;
    pub const ERROR_FILE_EXISTS: u32 = 80;
    pub const ERROR_INVALID_PARAMETER: u32 = 87;
    pub const ERROR_CALL_NOT_IMPLEMENTED: u32 = 120;
    pub const ERROR_INSUFFICIENT_BUFFER: u32 = 122;
    pub const ERROR_ALREADY_EXISTS: u32 = 183;
    pub const ERROR_NO_MORE_ITEMS: u32 = 259;
    pub const ERROR_MR_MID_NOT_FOUND: u32 = 317;
    pub const ERROR_IO_DEVICE: u32 = 1117;
    pub const ERROR_NOT_FOUND: u32 = 1168;
    pub const ERROR_CANCELLED: u32 = 1223;
    pub const ERROR_FILE_CORRUPT: u32 = 1392;
    pub const ERROR_TIMEOUT: u32 = 1460;
    pub const ERROR_LOG_FILE_FULL: u32 = 1502;
    pub const RPC_S_SERVER_UNAVAILABLE: u32 = 1722;
    pub const RPC_S_CALL_FAILED: u32 = 1726;
    pub const RPC_S_INVALID_BOUND: u32 = 1734;
    pub const RPC_S_CALL_CANCELLED: u32 = 1818;
    pub const ERROR_INVALID_OPERATION: u32 = 4317;
    pub const ERROR_EVT_INVALID_CHANNEL_PATH: u32 = 15000;
    pub const ERROR_EVT_INVALID_QUERY: u32 = 15001;
    pub const ERROR_EVT_PUBLISHER_METADATA_NOT_FOUND: u32 = 15002;
    pub const ERROR_EVT_INVALID_EVENT_DATA: u32 = 15005;
    pub const ERROR_EVT_CHANNEL_NOT_FOUND: u32 = 15007;
    pub const ERROR_EVT_MALFORMED_XML_TEXT: u32 = 15008;
    pub const ERROR_EVT_SUBSCRIPTION_TO_DIRECT_CHANNEL: u32 = 15009;
    pub const ERROR_EVT_CONFIGURATION_ERROR: u32 = 15010;
    pub const ERROR_EVT_QUERY_RESULT_STALE: u32 = 15011;
    pub const ERROR_EVT_QUERY_RESULT_INVALID_POSITION: u32 = 15012;
    pub const ERROR_EVT_FILTER_ALREADYSCOPED: u32 = 15014;
    pub const ERROR_EVT_FILTER_NOTELTSET: u32 = 15015;
    pub const ERROR_EVT_FILTER_INVARG: u32 = 15016;
    pub const ERROR_EVT_FILTER_INVTEST: u32 = 15017;
    pub const ERROR_EVT_FILTER_INVTYPE: u32 = 15018;
    pub const ERROR_EVT_FILTER_PARSEERR: u32 = 15019;
    pub const ERROR_EVT_FILTER_UNSUPPORTEDOP: u32 = 15020;
    pub const ERROR_EVT_FILTER_UNEXPECTEDTOKEN: u32 = 15021;
    pub const ERROR_EVT_INVALID_OPERATION_OVER_ENABLED_DIRECT_CHANNEL: u32 = 15022;
    pub const ERROR_EVT_INVALID_CHANNEL_PROPERTY_VALUE: u32 = 15023;
    pub const ERROR_EVT_FILTER_TOO_COMPLEX: u32 = 15026;
    pub const ERROR_EVT_MESSAGE_NOT_FOUND: u32 = 15027;
    pub const ERROR_EVT_PUBLISHER_DISABLED: u32 = 15037;
    pub const ERROR_EVT_FILTER_OUT_OF_RANGE: u32 = 15038;
    pub const ERROR_EVT_EVENT_TEMPLATE_NOT_FOUND: u32 = 15003;
    pub const ERROR_EVT_INVALID_PUBLISHER_NAME: u32 = 15004;
    pub const ERROR_EVT_INVALID_PUBLISHER_PROPERTY_VALUE: u32 = 15024;
    pub const ERROR_EVT_MESSAGE_ID_NOT_FOUND: u32 = 15028;
    pub const ERROR_EVT_UNRESOLVED_VALUE_INSERT: u32 = 15029;
    pub const ERROR_EVT_UNRESOLVED_PARAMETER_INSERT: u32 = 15030;
    pub const ERROR_EVT_MAX_INSERTS_REACHED: u32 = 15031;
    pub const ERROR_EVT_EVENT_DEFINITION_NOT_FOUND: u32 = 15032;
    pub const ERROR_EVT_MESSAGE_LOCALE_NOT_FOUND: u32 = 15033;
    pub const ERROR_RESOURCE_DATA_NOT_FOUND: u32 = 1812;
    pub const ERROR_RESOURCE_TYPE_NOT_FOUND: u32 = 1813;
    pub const ERROR_RESOURCE_NAME_NOT_FOUND: u32 = 1814;
    pub const ERROR_RESOURCE_LANG_NOT_FOUND: u32 = 1815;
    pub const ERROR_MUI_FILE_NOT_FOUND: u32 = 15100;
    pub const ERROR_OUTOFMEMORY: u32 = 14;
    pub const ERROR_ARITHMETIC_OVERFLOW: u32 = 534;
    pub const RPC_S_UNKNOWN_IF: u32 = 1717;
}

use codes::*;

/// What went wrong, as a fieldless category. Each kind has one Win32 code
/// ([`ErrorKind::win32_code`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A handle that is closed, of the wrong type, or never existed (6).
    InvalidHandle,
    /// A bad argument or flag combination (87).
    InvalidParameter,
    /// The operation is not valid in the handle's state (4317).
    InvalidOperation,
    /// The operation is not supported by this object (50).
    NotSupported,
    /// The function exists in wevtapi but evtlog does not emulate it yet (120).
    NotImplemented,
    /// The operation was stopped by a cancel (1223).
    Cancelled,
    /// A file that does not exist (2).
    FileNotFound,
    /// A directory on a file's path that does not exist (3).
    PathNotFound,
    /// The caller may not do this (5).
    AccessDenied,
    /// Another process (or engine) has the file or store open for writing (32).
    SharingViolation,
    /// A target file exists and overwrite was not asked for (80).
    FileExists,
    /// A record or bookmarked position that does not exist (1168).
    NotFound,
    /// A do-not-overwrite log has reached its maximum size (1502).
    LogFileFull,
    /// An on-disk structure is damaged beyond what readers recover from (1392).
    FileCorrupt,
    /// Input data that is not valid for the operation (13).
    InvalidData,
    /// An operating-system I/O failure with no closer Win32 equivalent (1117).
    Io,
    /// A remote session named a server other than this computer (1722).
    ServerUnavailable,
    /// A batch that exceeds the RPC limits (1734).
    InvalidBound,
    /// A channel path that is not syntactically valid (15000).
    InvalidChannelPath,
    /// A query that is not valid (15001).
    InvalidQuery,
    /// No channel of that name (15007).
    ChannelNotFound,
    /// XML text that is not well formed or not of the expected shape (15008).
    MalformedXml,
    /// Analytic and Debug channels cannot be subscribed to (15009).
    SubscriptionToDirectChannel,
    /// The log was cleared or overwritten under an open result set (15011).
    QueryResultStale,
    /// The cursor is not on a valid position (15012).
    InvalidPosition,
    /// XPath: a path is scoped twice (15014).
    FilterAlreadyScoped,
    /// XPath: the expression does not select an element set (15015).
    FilterNotEltSet,
    /// XPath: an operand that must be a path or a literal is not (15016).
    FilterInvalidArgument,
    /// XPath: an invalid test (15017).
    FilterInvalidTest,
    /// XPath: an operand of the wrong type (15018).
    FilterInvalidType,
    /// XPath: a syntax error (15019).
    FilterParseError,
    /// XPath: an operator that is not supported (15020).
    FilterUnsupportedOp,
    /// XPath: a token where none of that kind may stand (15021).
    FilterUnexpectedToken,
    /// The query has more expressions than the service accepts (15026).
    FilterTooComplex,
    /// A number outside the range of its type (15038).
    FilterOutOfRange,
    /// A channel property value that is not valid or not settable (15023).
    InvalidChannelPropertyValue,
    /// The operation is not valid while the Debug or Analytic channel is enabled (15022).
    InvalidOperationOverEnabledDirectChannel,
    /// No publisher of that name, or its metadata is missing (15002).
    PublisherMetadataNotFound,
    /// An event definition names a template that does not exist (15003).
    EventTemplateNotFound,
    /// A publisher name that is not valid (15004).
    InvalidPublisherName,
    /// Event data that does not fit its event's template (15005).
    InvalidEventData,
    /// An event larger than EventWrite accepts (534).
    ArithmeticOverflow,
    /// A manifest or configuration that is not valid (15010).
    ConfigurationError,
    /// A publisher or event metadata property id that is not valid here (15024).
    InvalidPublisherPropertyValue,
    /// The publisher has messages but not this one (15027).
    MessageNotFound,
    /// No message of that id (15028).
    MessageIdNotFound,
    /// A message insert with no value (15029): the message is still produced.
    UnresolvedValueInsert,
    /// A `%%n` parameter reference with no parameter string (15030).
    UnresolvedParameterInsert,
    /// Parameter expansion reached its limit (15031): the message is still produced.
    MaxInsertsReached,
    /// The publisher defines no event of that id and version (15032).
    EventDefinitionNotFound,
    /// The publisher has no messages in the locale asked for (15033).
    MessageLocaleNotFound,
    /// The publisher was uninstalled (or is being upgraded) under an open handle (15037).
    PublisherDisabled,
    /// An image file with no resource section (1812).
    ResourceDataNotFound,
    /// An image file without the resource type asked for (1813).
    ResourceTypeNotFound,
    /// An image file without the resource name asked for (1814).
    ResourceNameNotFound,
    /// An image file without the resource language asked for (1815).
    ResourceLangNotFound,
    /// A message file (or its .mui) that does not exist (15100).
    MuiFileNotFound,
    /// A Win32 code no other kind stands for, which a test's fault plan injected
    /// ([`Engine::fault_plan`](crate::Engine::fault_plan)); [`Error::win32_code`] gives it.
    /// Not in [`ErrorKind::ALL`]: it has no code of its own.
    Win32,
}

impl ErrorKind {
    /// Every kind, in declaration order; the tests walk it to check the table.
    pub const ALL: &'static [ErrorKind] = &[
        ErrorKind::InvalidHandle,
        ErrorKind::InvalidParameter,
        ErrorKind::InvalidOperation,
        ErrorKind::NotSupported,
        ErrorKind::NotImplemented,
        ErrorKind::Cancelled,
        ErrorKind::FileNotFound,
        ErrorKind::PathNotFound,
        ErrorKind::AccessDenied,
        ErrorKind::SharingViolation,
        ErrorKind::FileExists,
        ErrorKind::NotFound,
        ErrorKind::LogFileFull,
        ErrorKind::FileCorrupt,
        ErrorKind::InvalidData,
        ErrorKind::Io,
        ErrorKind::ServerUnavailable,
        ErrorKind::InvalidBound,
        ErrorKind::InvalidChannelPath,
        ErrorKind::InvalidQuery,
        ErrorKind::ChannelNotFound,
        ErrorKind::MalformedXml,
        ErrorKind::SubscriptionToDirectChannel,
        ErrorKind::QueryResultStale,
        ErrorKind::InvalidPosition,
        ErrorKind::FilterAlreadyScoped,
        ErrorKind::FilterNotEltSet,
        ErrorKind::FilterInvalidArgument,
        ErrorKind::FilterInvalidTest,
        ErrorKind::FilterInvalidType,
        ErrorKind::FilterParseError,
        ErrorKind::FilterUnsupportedOp,
        ErrorKind::FilterUnexpectedToken,
        ErrorKind::FilterTooComplex,
        ErrorKind::FilterOutOfRange,
        ErrorKind::InvalidChannelPropertyValue,
        ErrorKind::InvalidOperationOverEnabledDirectChannel,
        ErrorKind::PublisherMetadataNotFound,
        ErrorKind::EventTemplateNotFound,
        ErrorKind::InvalidPublisherName,
        ErrorKind::InvalidEventData,
        ErrorKind::ArithmeticOverflow,
        ErrorKind::ConfigurationError,
        ErrorKind::InvalidPublisherPropertyValue,
        ErrorKind::MessageNotFound,
        ErrorKind::MessageIdNotFound,
        ErrorKind::UnresolvedValueInsert,
        ErrorKind::UnresolvedParameterInsert,
        ErrorKind::MaxInsertsReached,
        ErrorKind::EventDefinitionNotFound,
        ErrorKind::MessageLocaleNotFound,
        ErrorKind::PublisherDisabled,
        ErrorKind::ResourceDataNotFound,
        ErrorKind::ResourceTypeNotFound,
        ErrorKind::ResourceNameNotFound,
        ErrorKind::ResourceLangNotFound,
        ErrorKind::MuiFileNotFound,
    ];

    /// The Win32 code the emulated API reports for this kind through `GetLastError`.
    #[inline]
    pub const fn win32_code(self) -> u32 {
        match self {
            ErrorKind::InvalidHandle => ERROR_INVALID_HANDLE,
            ErrorKind::InvalidParameter => ERROR_INVALID_PARAMETER,
            ErrorKind::InvalidOperation => ERROR_INVALID_OPERATION,
            ErrorKind::NotSupported => ERROR_NOT_SUPPORTED,
            ErrorKind::NotImplemented => ERROR_CALL_NOT_IMPLEMENTED,
            ErrorKind::Cancelled => ERROR_CANCELLED,
            ErrorKind::FileNotFound => ERROR_FILE_NOT_FOUND,
            ErrorKind::PathNotFound => ERROR_PATH_NOT_FOUND,
            ErrorKind::AccessDenied => ERROR_ACCESS_DENIED,
            ErrorKind::SharingViolation => ERROR_SHARING_VIOLATION,
            ErrorKind::FileExists => ERROR_FILE_EXISTS,
            ErrorKind::NotFound => ERROR_NOT_FOUND,
            ErrorKind::LogFileFull => ERROR_LOG_FILE_FULL,
            ErrorKind::FileCorrupt => ERROR_FILE_CORRUPT,
            ErrorKind::InvalidData => ERROR_INVALID_DATA,
            ErrorKind::Io => ERROR_IO_DEVICE,
            ErrorKind::ServerUnavailable => RPC_S_SERVER_UNAVAILABLE,
            ErrorKind::InvalidBound => RPC_S_INVALID_BOUND,
            ErrorKind::InvalidChannelPath => ERROR_EVT_INVALID_CHANNEL_PATH,
            ErrorKind::InvalidQuery => ERROR_EVT_INVALID_QUERY,
            ErrorKind::ChannelNotFound => ERROR_EVT_CHANNEL_NOT_FOUND,
            ErrorKind::MalformedXml => ERROR_EVT_MALFORMED_XML_TEXT,
            ErrorKind::SubscriptionToDirectChannel => ERROR_EVT_SUBSCRIPTION_TO_DIRECT_CHANNEL,
            ErrorKind::QueryResultStale => ERROR_EVT_QUERY_RESULT_STALE,
            ErrorKind::InvalidPosition => ERROR_EVT_QUERY_RESULT_INVALID_POSITION,
            ErrorKind::FilterAlreadyScoped => ERROR_EVT_FILTER_ALREADYSCOPED,
            ErrorKind::FilterNotEltSet => ERROR_EVT_FILTER_NOTELTSET,
            ErrorKind::FilterInvalidArgument => ERROR_EVT_FILTER_INVARG,
            ErrorKind::FilterInvalidTest => ERROR_EVT_FILTER_INVTEST,
            ErrorKind::FilterInvalidType => ERROR_EVT_FILTER_INVTYPE,
            ErrorKind::FilterParseError => ERROR_EVT_FILTER_PARSEERR,
            ErrorKind::FilterUnsupportedOp => ERROR_EVT_FILTER_UNSUPPORTEDOP,
            ErrorKind::FilterUnexpectedToken => ERROR_EVT_FILTER_UNEXPECTEDTOKEN,
            ErrorKind::FilterTooComplex => ERROR_EVT_FILTER_TOO_COMPLEX,
            ErrorKind::FilterOutOfRange => ERROR_EVT_FILTER_OUT_OF_RANGE,
            ErrorKind::InvalidChannelPropertyValue => ERROR_EVT_INVALID_CHANNEL_PROPERTY_VALUE,
            ErrorKind::InvalidOperationOverEnabledDirectChannel => {
                ERROR_EVT_INVALID_OPERATION_OVER_ENABLED_DIRECT_CHANNEL
            }
            ErrorKind::PublisherMetadataNotFound => ERROR_EVT_PUBLISHER_METADATA_NOT_FOUND,
            ErrorKind::EventTemplateNotFound => ERROR_EVT_EVENT_TEMPLATE_NOT_FOUND,
            ErrorKind::InvalidPublisherName => ERROR_EVT_INVALID_PUBLISHER_NAME,
            ErrorKind::InvalidEventData => ERROR_EVT_INVALID_EVENT_DATA,
            ErrorKind::ArithmeticOverflow => ERROR_ARITHMETIC_OVERFLOW,
            ErrorKind::ConfigurationError => ERROR_EVT_CONFIGURATION_ERROR,
            ErrorKind::InvalidPublisherPropertyValue => ERROR_EVT_INVALID_PUBLISHER_PROPERTY_VALUE,
            ErrorKind::MessageNotFound => ERROR_EVT_MESSAGE_NOT_FOUND,
            ErrorKind::MessageIdNotFound => ERROR_EVT_MESSAGE_ID_NOT_FOUND,
            ErrorKind::UnresolvedValueInsert => ERROR_EVT_UNRESOLVED_VALUE_INSERT,
            ErrorKind::UnresolvedParameterInsert => ERROR_EVT_UNRESOLVED_PARAMETER_INSERT,
            ErrorKind::MaxInsertsReached => ERROR_EVT_MAX_INSERTS_REACHED,
            ErrorKind::EventDefinitionNotFound => ERROR_EVT_EVENT_DEFINITION_NOT_FOUND,
            ErrorKind::MessageLocaleNotFound => ERROR_EVT_MESSAGE_LOCALE_NOT_FOUND,
            ErrorKind::PublisherDisabled => ERROR_EVT_PUBLISHER_DISABLED,
            ErrorKind::ResourceDataNotFound => ERROR_RESOURCE_DATA_NOT_FOUND,
            ErrorKind::ResourceTypeNotFound => ERROR_RESOURCE_TYPE_NOT_FOUND,
            ErrorKind::ResourceNameNotFound => ERROR_RESOURCE_NAME_NOT_FOUND,
            ErrorKind::ResourceLangNotFound => ERROR_RESOURCE_LANG_NOT_FOUND,
            ErrorKind::MuiFileNotFound => ERROR_MUI_FILE_NOT_FOUND,
            // Only made with its code (`Error::with_code`), which `Error::win32_code` reports.
            ErrorKind::Win32 => ERROR_INVALID_OPERATION,
        }
    }
}

/// The Windows message text (`FormatMessage`, en-US) for a Win32 code evtlog uses, or `None`.
pub fn win32_message(code: u32) -> Option<&'static str> {
    Some(match code {
        ERROR_SUCCESS => "The operation completed successfully.",
        ERROR_FILE_NOT_FOUND => "The system cannot find the file specified.",
        ERROR_PATH_NOT_FOUND => "The system cannot find the path specified.",
        ERROR_ACCESS_DENIED => "Access is denied.",
        ERROR_INVALID_HANDLE => "The handle is invalid.",
        ERROR_NOT_ENOUGH_MEMORY => "Not enough memory resources are available to process this command.",
        ERROR_INVALID_DATA => "The data is invalid.",
        ERROR_SHARING_VIOLATION => "The process cannot access the file because it is being used by another process.",
        ERROR_NOT_SUPPORTED => "The request is not supported.",
        ERROR_FILE_EXISTS => "The file exists.",
        ERROR_INVALID_PARAMETER => "The parameter is incorrect.",
        ERROR_CALL_NOT_IMPLEMENTED => "This function is not supported on this system.",
        ERROR_INSUFFICIENT_BUFFER => "The data area passed to a system call is too small.",
        ERROR_ALREADY_EXISTS => "Cannot create a file when that file already exists.",
        ERROR_NO_MORE_ITEMS => "No more data is available.",
        ERROR_IO_DEVICE => "The request could not be performed because of an I/O device error.",
        ERROR_NOT_FOUND => "Element not found.",
        ERROR_CANCELLED => "The operation was canceled by the user.",
        ERROR_FILE_CORRUPT => "The file or directory is corrupted and unreadable.",
        ERROR_TIMEOUT => "This operation returned because the timeout period expired.",
        ERROR_LOG_FILE_FULL => "The event log file is full.",
        RPC_S_SERVER_UNAVAILABLE => "The RPC server is unavailable.",
        RPC_S_CALL_FAILED => "The remote procedure call failed.",
        RPC_S_INVALID_BOUND => "The array bounds are invalid.",
        RPC_S_CALL_CANCELLED => "The remote procedure call was cancelled.",
        ERROR_INVALID_OPERATION => "The operation identifier is not valid.",
        ERROR_EVT_INVALID_CHANNEL_PATH => "The specified channel path is invalid.",
        ERROR_EVT_INVALID_QUERY => "The specified query is invalid.",
        ERROR_EVT_CHANNEL_NOT_FOUND => "The specified channel could not be found.",
        ERROR_EVT_MALFORMED_XML_TEXT => "The specified xml text was not well-formed. See Extended Error for more details.",
        ERROR_EVT_SUBSCRIPTION_TO_DIRECT_CHANNEL => "The caller is trying to subscribe to a direct channel which is not allowed. The events for a direct channel go directly to a logfile and cannot be subscribed to.",
        ERROR_EVT_QUERY_RESULT_STALE => "The query result is stale or invalid and must be recreated. This may be due to the log being cleared or rolling over after the query result was created.",
        ERROR_EVT_QUERY_RESULT_INVALID_POSITION => "The cursor for the query result is not pointing to a valid position.",
        ERROR_EVT_FILTER_ALREADYSCOPED => "The variable is already scoped.",
        ERROR_EVT_FILTER_NOTELTSET => "The expression is not an element set.",
        ERROR_EVT_FILTER_INVARG => "The arguments on the left side of a binary operator must be either attributes, nodes, or variables, and the arguments on the right side must be constants.",
        ERROR_EVT_FILTER_INVTEST => "A step operation must involve either a node test or, in the case of a predicate, an algebraic expression against which to test each node in the node set identified by the preceding node set can be evaluated.",
        ERROR_EVT_FILTER_INVTYPE => "This data type is currently unsupported.",
        ERROR_EVT_FILTER_PARSEERR => "A syntax error occurred at the specified position.",
        ERROR_EVT_FILTER_UNSUPPORTEDOP => "This operator is unsupported by this implementation of the filter.",
        ERROR_EVT_FILTER_UNEXPECTEDTOKEN => "The token encountered was unexpected.",
        ERROR_EVT_INVALID_OPERATION_OVER_ENABLED_DIRECT_CHANNEL => "The requested operation cannot be performed over an enabled direct channel. The channel must first be disabled.",
        ERROR_EVT_INVALID_CHANNEL_PROPERTY_VALUE => "Channel property contains an invalid value. The value has an invalid type, is outside of its valid range, cannot be changed, or is not supported by this type of channel.",
        ERROR_EVT_FILTER_TOO_COMPLEX => "The specified query is too complex.",
        ERROR_EVT_FILTER_OUT_OF_RANGE => "The specified numeric type is outside of its valid range.",
        ERROR_EVT_PUBLISHER_METADATA_NOT_FOUND => "The publisher metadata cannot be found in the resource.",
        ERROR_EVT_EVENT_TEMPLATE_NOT_FOUND => "The template for an event definition cannot be found in the resource (error = %1).",
        ERROR_EVT_INVALID_PUBLISHER_NAME => "The specified publisher name is invalid.",
        ERROR_EVT_INVALID_EVENT_DATA => "The event data raised by the publisher is not compatible with the event template definition in the publisher's manifest.",
        ERROR_EVT_CONFIGURATION_ERROR => "The specified configuration is invalid.",
        ERROR_EVT_INVALID_PUBLISHER_PROPERTY_VALUE => "Publisher property contains an invalid value. The value has an invalid type, is outside the valid range, cannot be changed, or is not supported by this type of publisher.",
        ERROR_EVT_MESSAGE_NOT_FOUND => "The message resource is present but the message was not found in the message table.",
        ERROR_EVT_MESSAGE_ID_NOT_FOUND => "The message ID for the desired message could not be found.",
        ERROR_EVT_UNRESOLVED_VALUE_INSERT => "The substitution string for insert index (%1) could not be found.",
        ERROR_EVT_UNRESOLVED_PARAMETER_INSERT => "The description string for parameter reference (%1) could not be found.",
        ERROR_EVT_MAX_INSERTS_REACHED => "The maximum number of replacements has been reached.",
        ERROR_EVT_EVENT_DEFINITION_NOT_FOUND => "The event definition could not be found for event id (%1).",
        ERROR_EVT_MESSAGE_LOCALE_NOT_FOUND => "The locale specific resource for the desired message is not present.",
        ERROR_EVT_PUBLISHER_DISABLED => "The publisher has been disabled and its resource is not available. This usually occurs when the publisher is in the process of being uninstalled or upgraded.",
        ERROR_RESOURCE_DATA_NOT_FOUND => "The specified image file did not contain a resource section.",
        ERROR_RESOURCE_TYPE_NOT_FOUND => "The specified resource type cannot be found in the image file.",
        ERROR_RESOURCE_NAME_NOT_FOUND => "The specified resource name cannot be found in the image file.",
        ERROR_RESOURCE_LANG_NOT_FOUND => "The specified resource language ID cannot be found in the image file.",
        ERROR_MUI_FILE_NOT_FOUND => "The resource loader failed to find MUI file.",
        ERROR_OUTOFMEMORY => "Not enough memory resources are available to complete this operation.",
        ERROR_ARITHMETIC_OVERFLOW => "Arithmetic result exceeded 32 bits.",
        RPC_S_UNKNOWN_IF => "The interface is unknown.",
        _ => return None,
    })
}

/// An error from evtlog. Opaque: ask it for its [`ErrorKind`], its Win32 code, and where it
/// applies, the position in the input it refers to.
///
/// Two words: the kind inline, and the detail, if any, boxed. An error with no detail (as
/// [`Error::new`] makes) allocates nothing and frees nothing: a cancelled call's way out
/// after a long walk, where the allocator's lines are cold, costs no allocator call
/// (docs/src/performance.md, "Cancel: a way out of few lines, session 11").
pub struct Error {
    kind: ErrorKind,
    detail: Option<Box<Detail>>,
}

enum Detail {
    Message(String),
    /// A position in text input: 1-based line and column (in characters).
    Text {
        line: u32,
        column: u32,
        message: String,
    },
    /// A byte offset in binary input.
    Offset {
        offset: u64,
        message: String,
    },
    /// A query error: position in the query text and the filter engine's detailed code.
    Query {
        line: u32,
        column: u32,
        filter_code: u32,
        message: String,
    },
    Io(std::io::Error),
    /// Any Win32 code (a fault plan's), which overrides the kind's.
    Code {
        code: u32,
        message: String,
    },
}

/// `Result` with evtlog's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// An error of `kind` with no further detail.
    pub fn new(kind: ErrorKind) -> Error {
        Error { kind, detail: None }
    }

    /// An error of `kind` carrying a message.
    pub(crate) fn with_message(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error::with_detail(kind, Detail::Message(message.into()))
    }

    /// An error reporting the Win32 `code` (any, as a fault plan injects it): its kind is
    /// the one of that code, or [`ErrorKind::Win32`] when none has it.
    pub(crate) fn with_code(code: u32, message: impl Into<String>) -> Error {
        let kind = ErrorKind::ALL
            .iter()
            .copied()
            .find(|k| k.win32_code() == code)
            .unwrap_or(ErrorKind::Win32);
        Error::with_detail(
            kind,
            Detail::Code {
                code,
                message: message.into(),
            },
        )
    }

    /// An error at a 1-based line and column of text input.
    pub(crate) fn at_text(
        kind: ErrorKind,
        line: u32,
        column: u32,
        message: impl Into<String>,
    ) -> Error {
        let detail = Detail::Text {
            line,
            column,
            message: message.into(),
        };
        Error::with_detail(kind, detail)
    }

    /// A query error at a 1-based line and column, with the filter engine's detailed code
    /// (one of the ERROR_EVT_FILTER_* codes) behind the top-level `kind`.
    pub(crate) fn in_query(
        kind: ErrorKind,
        filter_code: u32,
        line: u32,
        column: u32,
        message: impl Into<String>,
    ) -> Error {
        let detail = Detail::Query {
            line,
            column,
            filter_code,
            message: message.into(),
        };
        Error::with_detail(kind, detail)
    }

    /// An error at a byte offset of binary input.
    pub(crate) fn at_offset(kind: ErrorKind, offset: u64, message: impl Into<String>) -> Error {
        let detail = Detail::Offset {
            offset,
            message: message.into(),
        };
        Error::with_detail(kind, detail)
    }

    fn with_detail(kind: ErrorKind, detail: Detail) -> Error {
        Error {
            kind,
            detail: Some(Box::new(detail)),
        }
    }

    /// What went wrong.
    #[inline]
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The Win32 code the emulated API reports for this error. Inlined, as `kind`: a caller
    /// telling a cancelled call's error reads no line of the library's code.
    #[inline]
    pub fn win32_code(&self) -> u32 {
        match self.detail.as_deref() {
            Some(Detail::Code { code, .. }) => *code,
            _ => self.kind.win32_code(),
        }
    }

    /// For errors in text input (XML, queries): the 1-based line and column (for a bare XPath
    /// the line is 1 and the column counts characters of the query).
    pub fn position(&self) -> Option<(u32, u32)> {
        match self.detail.as_deref() {
            Some(Detail::Text { line, column, .. } | Detail::Query { line, column, .. }) => {
                Some((*line, *column))
            }
            _ => None,
        }
    }

    /// For query errors: the filter engine's detailed code behind the top-level one
    /// (ERROR_EVT_FILTER_PARSEERR, 15019, for a syntax error; see README's query table).
    pub fn filter_code(&self) -> Option<u32> {
        match self.detail.as_deref() {
            Some(Detail::Query { filter_code, .. }) => Some(*filter_code),
            _ => None,
        }
    }

    /// The same error with its position moved: used when a query's text sits inside other
    /// text (an XPath inside a structured query).
    pub fn relocated(mut self, line: u32, column: u32) -> Error {
        if let Some(
            Detail::Text {
                line: l, column: c, ..
            }
            | Detail::Query {
                line: l, column: c, ..
            },
        ) = self.detail.as_deref_mut()
        {
            *l = line;
            *c = column;
        }
        self
    }

    /// The same error with `prefix` (and a space) before its message: used to say which of
    /// several inputs an error is about.
    pub(crate) fn prefixed(mut self, prefix: &str) -> Error {
        match self.detail.as_deref_mut() {
            Some(
                Detail::Message(message)
                | Detail::Text { message, .. }
                | Detail::Offset { message, .. }
                | Detail::Query { message, .. }
                | Detail::Code { message, .. },
            ) => *message = format!("{prefix} {message}"),
            None => self.detail = Some(Box::new(Detail::Message(prefix.to_owned()))),
            Some(Detail::Io(_)) => {}
        }
        self
    }

    /// For errors in binary input: the byte offset.
    pub fn offset(&self) -> Option<u64> {
        match self.detail.as_deref() {
            Some(Detail::Offset { offset, .. }) => Some(*offset),
            _ => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Error {
        use std::io::ErrorKind as Io;
        let kind = match err.kind() {
            Io::NotFound => ErrorKind::FileNotFound,
            Io::PermissionDenied => ErrorKind::AccessDenied,
            Io::AlreadyExists => ErrorKind::FileExists,
            Io::InvalidInput => ErrorKind::InvalidParameter,
            Io::InvalidData | Io::UnexpectedEof => ErrorKind::InvalidData,
            _ => ErrorKind::Io,
        };
        Error::with_detail(kind, Detail::Io(err))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self.win32_code();
        f.write_str(win32_message(code).unwrap_or("Unknown error."))?;
        let Some(detail) = self.detail.as_deref() else {
            return Ok(());
        };
        match detail {
            Detail::Message(m) => write!(f, " {m}"),
            Detail::Text {
                line,
                column,
                message,
            } => {
                write!(f, " {message} (line {line}, column {column})")
            }
            Detail::Offset { offset, message } => write!(f, " {message} (offset {offset:#x})"),
            Detail::Query {
                line: 1,
                column,
                filter_code,
                message,
            } => {
                write!(
                    f,
                    " {message} (position {column}, filter error {filter_code})"
                )
            }
            Detail::Query {
                line,
                column,
                filter_code,
                message,
            } => {
                write!(
                    f,
                    " {message} (line {line}, column {column}, filter error {filter_code})"
                )
            }
            Detail::Io(e) => write!(f, " {e}"),
            Detail::Code { message, .. } => write!(f, " {message}"),
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Error {{ kind: {:?}, code: {}, \"{}\" }}",
            self.kind(),
            self.win32_code(),
            self
        )
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self.detail.as_deref() {
            Some(Detail::Io(e)) => Some(e),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kind -> code table, written out independently of the match, from
    /// Windows' codes (winerror.h).
    const TABLE: &[(ErrorKind, u32)] = &[
        (ErrorKind::InvalidHandle, 6),
        (ErrorKind::InvalidParameter, 87),
        (ErrorKind::InvalidOperation, 4317),
        (ErrorKind::NotSupported, 50),
        (ErrorKind::NotImplemented, 120),
        (ErrorKind::Cancelled, 1223),
        (ErrorKind::FileNotFound, 2),
        (ErrorKind::PathNotFound, 3),
        (ErrorKind::AccessDenied, 5),
        (ErrorKind::SharingViolation, 32),
        (ErrorKind::FileExists, 80),
        (ErrorKind::NotFound, 1168),
        (ErrorKind::LogFileFull, 1502),
        (ErrorKind::FileCorrupt, 1392),
        (ErrorKind::InvalidData, 13),
        (ErrorKind::Io, 1117),
        (ErrorKind::ServerUnavailable, 1722),
        (ErrorKind::InvalidBound, 1734),
        (ErrorKind::InvalidChannelPath, 15000),
        (ErrorKind::InvalidQuery, 15001),
        (ErrorKind::ChannelNotFound, 15007),
        (ErrorKind::MalformedXml, 15008),
        (ErrorKind::SubscriptionToDirectChannel, 15009),
        (ErrorKind::QueryResultStale, 15011),
        (ErrorKind::InvalidPosition, 15012),
        (ErrorKind::FilterAlreadyScoped, 15014),
        (ErrorKind::FilterNotEltSet, 15015),
        (ErrorKind::FilterInvalidArgument, 15016),
        (ErrorKind::FilterInvalidTest, 15017),
        (ErrorKind::FilterInvalidType, 15018),
        (ErrorKind::FilterParseError, 15019),
        (ErrorKind::FilterUnsupportedOp, 15020),
        (ErrorKind::FilterUnexpectedToken, 15021),
        (ErrorKind::FilterTooComplex, 15026),
        (ErrorKind::FilterOutOfRange, 15038),
        (ErrorKind::InvalidChannelPropertyValue, 15023),
        (ErrorKind::InvalidOperationOverEnabledDirectChannel, 15022),
        (ErrorKind::PublisherMetadataNotFound, 15002),
        (ErrorKind::EventTemplateNotFound, 15003),
        (ErrorKind::InvalidPublisherName, 15004),
        (ErrorKind::InvalidEventData, 15005),
        (ErrorKind::ArithmeticOverflow, 534),
        (ErrorKind::ConfigurationError, 15010),
        (ErrorKind::InvalidPublisherPropertyValue, 15024),
        (ErrorKind::MessageNotFound, 15027),
        (ErrorKind::MessageIdNotFound, 15028),
        (ErrorKind::UnresolvedValueInsert, 15029),
        (ErrorKind::UnresolvedParameterInsert, 15030),
        (ErrorKind::MaxInsertsReached, 15031),
        (ErrorKind::EventDefinitionNotFound, 15032),
        (ErrorKind::MessageLocaleNotFound, 15033),
        (ErrorKind::PublisherDisabled, 15037),
        (ErrorKind::ResourceDataNotFound, 1812),
        (ErrorKind::ResourceTypeNotFound, 1813),
        (ErrorKind::ResourceNameNotFound, 1814),
        (ErrorKind::ResourceLangNotFound, 1815),
        (ErrorKind::MuiFileNotFound, 15100),
    ];

    #[test]
    fn every_kind_maps_to_its_documented_code() {
        assert_eq!(
            TABLE.len(),
            ErrorKind::ALL.len(),
            "table and ALL must list every kind"
        );
        for (kind, code) in TABLE {
            assert_eq!(kind.win32_code(), *code, "{kind:?}");
            assert!(ErrorKind::ALL.contains(kind), "{kind:?} missing from ALL");
        }
    }

    #[test]
    fn every_kind_has_a_message() {
        for kind in ErrorKind::ALL {
            assert!(win32_message(kind.win32_code()).is_some(), "{kind:?}");
        }
    }

    #[test]
    fn no_two_kinds_share_a_code() {
        let mut codes: Vec<u32> = ErrorKind::ALL.iter().map(|k| k.win32_code()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ErrorKind::ALL.len());
    }

    /// An error without a detail (no allocation) reads as one with an empty detail did: the
    /// kind's code and message, no position or offset, no source; `prefixed` gives it a
    /// message, `relocated` leaves it as it is.
    #[test]
    fn an_error_without_detail_reads_as_before() {
        let e = Error::new(ErrorKind::Cancelled);
        assert_eq!(e.kind(), ErrorKind::Cancelled);
        assert_eq!(e.win32_code(), 1223);
        assert_eq!(e.to_string(), "The operation was canceled by the user.");
        assert_eq!(
            (e.position(), e.offset(), e.filter_code()),
            (None, None, None)
        );
        assert!(std::error::Error::source(&e).is_none());
        let e = e.relocated(2, 3);
        assert_eq!(e.position(), None);
        let e = e.prefixed("channel A:");
        assert_eq!(e.kind(), ErrorKind::Cancelled);
        assert_eq!(
            e.to_string(),
            "The operation was canceled by the user. channel A:"
        );
        let coded = Error::with_code(1223, "injected").prefixed("EvtNext:");
        assert_eq!(coded.win32_code(), 1223);
        assert!(coded.to_string().ends_with(" EvtNext: injected"), "{coded}");
    }

    #[test]
    fn display_carries_position() {
        let e = Error::at_text(ErrorKind::MalformedXml, 3, 14, "unexpected end");
        assert_eq!(e.win32_code(), 15008);
        assert_eq!(e.position(), Some((3, 14)));
        let text = e.to_string();
        assert!(text.contains("line 3, column 14"), "{text}");
    }

    #[test]
    fn io_errors_map_to_windows_kinds() {
        let e: Error = std::io::Error::from(std::io::ErrorKind::NotFound).into();
        assert_eq!(e.kind(), ErrorKind::FileNotFound);
        assert_eq!(e.win32_code(), 2);
    }

    /// Two words, and a `Result` of a word still two (the kind's spare values tell `Ok`).
    #[test]
    fn error_is_two_words() {
        assert_eq!(
            std::mem::size_of::<Error>(),
            2 * std::mem::size_of::<usize>()
        );
        assert_eq!(
            std::mem::size_of::<Result<u64>>(),
            2 * std::mem::size_of::<usize>()
        );
        assert_eq!(
            std::mem::size_of::<Result<()>>(),
            2 * std::mem::size_of::<usize>()
        );
    }
}
