//! The EVTX container layer: file header, chunks and event-record framing of `.evtx` files
//! and their CRC32s. The BinXml inside records is handed out as bytes;
//! decoding it is the next layer's job.
//!
//! Owns: `bytes` (the bounds-checked little-endian reader every parser here uses),
//! `header` (file and chunk headers, CRC32s), `file` (the chunk and record walks), and
//! `writer` (events written as a file: the one part that writes).
//!
//! Invariants (detailed in each module):
//! - Nothing in `src/evtx/` panics or loops forever on any input, and no size field from the
//!   file sizes an allocation; memory is one 64 KiB chunk per chunk held by the caller.
//! - Errors are `FileCorrupt` (1392) at an absolute file offset; CRC mismatches are findings,
//!   never errors.

mod binxml;
pub(crate) mod bytes;
mod counts;
mod file;
mod header;
mod positioned;
mod slots;
mod writer;

pub use binxml::{
    visit_event, ChunkDecoder, DataItems, DataNames, DataRef, EventVisitor, Scalar, SystemRef,
    TemplateCache, UserDataTokens, UserDataTree, Utf16, ValueRef, XmlToken,
};
pub(crate) use binxml::{DeferredChunk, Proof, ProvedSpans};
pub use file::{Chunks, EvtxChunk, EvtxFile, EvtxRecord, Finding, FindingKind, Records};
pub use header::{
    ChunkHeader, FileHeader, HeaderFlags, CHUNK_HEADER_SIZE, CHUNK_SIZE, FILE_HEADER_BLOCK_SIZE,
};
pub(crate) use positioned::{read_chunk_range, ChunkRange, SharedFile};
pub use writer::EvtxWriter;
pub(crate) use writer::{LiveFile, Placed, Spooled, WhenFull, LIVE_MAX_CHUNKS};
