//! The Evt* facade against a reference model: the input decodes to a sequence of calls
//! (writes, sessions, queries, EvtNext, EvtSeek, EvtCancel, EvtClose, pull subscriptions,
//! bookmarks, exports, clears, channel configuration), each answered by the real facade and
//! by the model of tests/it/facade_model/model.rs, which `cargo test` runs too. A difference
//! panics with the op's index and both answers.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/it/facade_model/model.rs"]
mod model;

fuzz_target!(|data: &[u8]| {
    model::run(data);
});
