//! evtlog: a pure-Rust emulation of the Windows Event Log consumer API (wevtapi), with
//! cooperative cancellation, running on any OS.
//!
//! The crate models events ([`Event`]), channels and an engine of channels,
//! with time from a [`Clock`]. [`winevt`] is the same service under wevtapi's names, handles
//! and error codes, for code written against Windows (the `wevtapi` crate exports it as a C
//! ABI). See README.md for a tour and ARCHITECTURE.md for the map.
//!
//! ```
//! use evtlog::{Event, Value};
//!
//! let event = Event::builder("Microsoft-Windows-Security-Auditing")
//!     .event_id(4624)
//!     .data("TargetUserName", "alice")
//!     .build();
//! assert!(event.to_xml().contains("<Data Name='TargetUserName'>alice</Data>"));
//! ```

// One module may use `unsafe`: `prefetch`, a cache hint (see its docs).
#![deny(unsafe_code)]
#![warn(missing_debug_implementations)]

mod cancel;
mod clock;
mod engine;
mod error;
mod event;
mod evtx;
mod gen;
mod prefetch;
mod publisher;
mod query;
mod store;
mod sync;
mod utf16;
pub mod winevt;

// The tests' shared support (tests/support), which names this crate `evtlog` as the
// integration tests do.
#[cfg(test)]
extern crate self as evtlog;
#[cfg(test)]
#[path = "../tests/support/mod.rs"]
mod test_support;

pub use clock::{Clock, SystemClock, VirtualClock};
pub use engine::{
    activity_id_control, classic_event, decode_payload, encode_value, eventlog_record, ClassicLog,
    ClassicReport, Enablement, EventDescriptor, ProviderRegistration, ReadOutcome, ReportType,
};
pub use engine::{archive_path, ArchivedLog, ARCHIVE_DIR};
pub use engine::{
    channel_file_name, CallKind, Channel, ChannelConfig, ChannelType, ChunkMap, ChunkRecords,
    Computer, Credentials, Delivery, Engine, EventRef, ExportFlags, FileQueryCanceller, Forwarder,
    LogInfo, ManifestFiles, Next, ParallelFileQuery, PauseHandle, Progress, PublisherMetadata,
    QueryFlags, ResultSet, RpcLogin, SeekFlags, SeekOrigin, Session, SignalEvent, SubscribeAction,
    SubscribeFlags, SubscribeOrigin, SubscribePosition, Subscription, AHEAD_PER_WORKER,
    COLUMN_ENTRIES_PER_RECORD, DEFAULT_POLL_INTERVAL, MAX_NEXT_COUNT,
};
pub use engine::{
    default_log_file_path, ChannelConfigProperty, ChannelProperties, Isolation, WINDOWS_LOGS_DIR,
};
pub use engine::{
    fault_function, parse_plan, FaultEffect, FaultGuard, FaultPlan, FaultRule, FaultTimes,
    PlanError, FAULT_FUNCTIONS,
};
pub use engine::{quirk_profiles, Quirk, QuirkProfile, Quirks, BATCH_DATA_CAP};
pub use engine::{render_bookmark, render_values, Bookmark, RenderContext, SystemProperty};
pub use engine::{
    template_xml, EventMetadata, EventProperty, MetadataArray, ObjectArray, PublisherProperty,
    ELF_LOG_SIGNATURE, EVENTLOGRECORD_HEADER, KEYWORD_AUDIT_FAILURE, KEYWORD_AUDIT_SUCCESS,
    KEYWORD_CLASSIC, MAX_COUNT, MAX_DATA_DESCRIPTORS, MAX_PAYLOAD, MAX_READ_BUFFER,
    MAX_REPORT_STRING,
};
pub use error::{codes, win32_message, Error, ErrorKind, Result};
pub use event::{
    Array, Attribute, Body, Correlation, DataItem, Element, Event, EventBuilder, EventData,
    Execution, FileTime, FileTimeWriter, Guid, Node, Provider, Security, Sid, SidBytes, SidWriter,
    System, SystemTime, Text, Value, VariantType, MAX_XML_DEPTH,
};
pub use evtx::{
    visit_event, ChunkDecoder, ChunkHeader, Chunks, DataItems, DataNames, DataRef, EventVisitor,
    EvtxChunk, EvtxFile, EvtxRecord, EvtxWriter, FileHeader, Finding, FindingKind, HeaderFlags,
    Records, Scalar, SystemRef, TemplateCache, UserDataTokens, UserDataTree, Utf16, ValueRef,
    XmlToken, CHUNK_HEADER_SIZE, CHUNK_SIZE, FILE_HEADER_BLOCK_SIZE,
};
pub use gen::manifests::{EmbeddedManifest, ALL as DEFAULT_MANIFESTS};
pub use gen::{Generator, Profile};
pub use publisher::{
    culture_of, lcid_of, ChannelDefinition, ChannelRef, ClassicSource, EventDefinition, FormatWhat,
    Formatted, Keyword, Level, Map, MapKind, Messages, Opcode, Publisher, Publishers, Task,
    Template, TemplateItem, DEFAULT_CULTURE, DEFAULT_LCID,
};
pub use publisher::{
    default_out_type, in_type_name, load_resources, out_type_name, ResourceFile, ResourceId,
    ResourceResolver, RT_MESSAGETABLE, WEVT_TEMPLATE, WINDIR_ENV,
};
pub use publisher::{parse_manifest, MAX_MANIFEST_BYTES, MAX_MANIFEST_DEPTH};
pub use query::{
    Query, QuerySource, XPathFilter, MAX_SELECT_EXPRESSIONS, MAX_XPATH_EXPRESSIONS,
    MAX_XPATH_NESTING, MAX_XPATH_OPERATORS,
};
pub use store::{
    Chunk, ChunkIter, Retention, Snapshot, SnapshotIter, StoredEvent, DEFAULT_HOT_WINDOW,
};
