//! The Evt* facade against a reference model: the input decodes to a sequence of calls
//! (writes, sessions, queries, EvtNext, EvtSeek, EvtCancel, EvtClose, pull subscriptions,
//! bookmarks, exports, clears, channel configuration), each answered by the real facade and
//! by the model of tests/it/facade_model/model.rs, which `cargo test` runs too. A difference
//! panics with the op's index and both answers.
//!
//! The service is reset once per process; between inputs the model closes what the last one
//! left open and empties the channels (a reset reinstalls the default publishers, ~50x the
//! cost of an input). Only the record ids' base and the channels' saved configuration carry
//! over, and the model reads both, so a finding replays on a fresh service too.
#![no_main]

use std::cell::RefCell;

use libfuzzer_sys::fuzz_target;

#[path = "../../tests/it/facade_model/model.rs"]
mod model;

thread_local! {
    static MODEL: RefCell<Option<model::Model>> = const { RefCell::new(None) };
}

fuzz_target!(|data: &[u8]| {
    MODEL.with(|m| {
        let mut m = m.borrow_mut();
        let model = m.get_or_insert_with(model::Model::new);
        model.restart();
        model.run(data);
    });
});
