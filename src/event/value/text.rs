//! [`Text`]: the text of a string value ([`Value::String`](super::Value::String),
//! `AnsiString`, `Xml`), whose buffers a thread recycles.
//!
//! A parsed event used to pay one `malloc` and (in its owner's drop) one `free` per `<Data>`
//! value. A `Text` is a `String` whose buffer, when the text is dropped, goes to a short list
//! of spare buffers kept by the dropping thread if it is of the one spare size ([`SPARE_SIZE`]
//! bytes, which holds most event texts: a SID, `-`, `0x3e7`, a name); a `Text` built from a
//! `&str` that fits takes a spare, or allocates that size. A thread that parses and drops
//! events (or decodes and renders them) thus reuses the same few buffers, and reading a text
//! costs what reading a `String` did.
//!
//! Invariants: a spare buffer is empty (cleared when kept) and of exactly [`SPARE_SIZE`]
//! bytes, so a text never holds more than that or its own length (events kept in bulk stay
//! near their texts' size, as glibc's smallest block is about that anyway); a thread keeps at
//! most [`SPARE_MAX`] spares (2.5 KiB) and frees any other buffer as before; equality, ordering
//! and hashing are the `str`'s.

use std::borrow::Borrow;
use std::cell::RefCell;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::Deref;

/// How many spare buffers a thread keeps: more than an event's texts.
const SPARE_MAX: usize = 64;
/// The one size of a spare buffer: texts up to this long take one. 40 holds a braced GUID
/// (38), and glibc serves 32 and 40 bytes from the same 48-byte block, so it costs no memory.
const SPARE_SIZE: usize = 40;

thread_local! {
    static SPARE: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// The text of a string value: `Deref<Target = str>`, compared and hashed as its `str`.
pub struct Text(String);

impl Text {
    /// The empty text (no buffer).
    pub const fn new() -> Text {
        Text(String::new())
    }

    /// The text as a `str`.
    #[inline]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Replaces the text with `s`, in the same buffer where it fits.
    pub fn set(&mut self, s: &str) {
        self.0.clear();
        self.0.push_str(s);
    }

    /// The text as a `String` (its buffer moved out, not copied).
    pub fn into_string(mut self) -> String {
        std::mem::take(&mut self.0)
    }
}

/// A spare buffer of this thread, if it has one.
fn take_spare() -> Option<String> {
    SPARE
        .try_with(|spare| spare.try_borrow_mut().ok()?.pop())
        .ok()
        .flatten()
}

/// How many spare buffers this thread holds (for tests).
#[cfg(test)]
pub(crate) fn spare_count() -> usize {
    SPARE.with(|spare| spare.borrow().len())
}

impl Drop for Text {
    fn drop(&mut self) {
        if self.0.capacity() != SPARE_SIZE {
            return;
        }
        let mut buffer = std::mem::take(&mut self.0);
        buffer.clear();
        // During the thread's exit, or in a nested borrow, the buffer is simply freed.
        let _ = SPARE.try_with(|spare| {
            if let Ok(mut spare) = spare.try_borrow_mut() {
                if spare.len() < SPARE_MAX {
                    spare.push(buffer);
                }
            }
        });
    }
}

impl Clone for Text {
    fn clone(&self) -> Text {
        Text::from(self.as_str())
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::new()
    }
}

impl From<&str> for Text {
    #[inline]
    fn from(s: &str) -> Text {
        if s.is_empty() {
            return Text::new();
        }
        if s.len() > SPARE_SIZE {
            return Text(s.to_owned());
        }
        let mut buffer = take_spare().unwrap_or_else(|| String::with_capacity(SPARE_SIZE));
        buffer.push_str(s);
        Text(buffer)
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text(s)
    }
}

impl From<&String> for Text {
    fn from(s: &String) -> Text {
        Text::from(s.as_str())
    }
}

impl From<std::borrow::Cow<'_, str>> for Text {
    fn from(s: std::borrow::Cow<'_, str>) -> Text {
        match s {
            std::borrow::Cow::Borrowed(s) => Text::from(s),
            std::borrow::Cow::Owned(s) => Text::from(s),
        }
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        t.into_string()
    }
}

impl Deref for Text {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Text) -> bool {
        self.0 == other.0
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        self.0 == *other
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        self == other.0
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        *self == other.0
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        *self == other.0
    }
}

impl PartialOrd for Text {
    fn partial_cmp(&self, other: &Text) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Text {
    fn cmp(&self, other: &Text) -> Ordering {
        self.0.cmp(&other.0)
    }
}

impl Hash for Text {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.as_str(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn empty_spares() {
        SPARE.with(|spare| spare.borrow_mut().clear());
    }

    #[test]
    fn a_dropped_buffer_is_reused_and_holds_only_the_new_text() {
        empty_spares();
        let first = Text::from("a".repeat(SPARE_SIZE).as_str());
        assert_eq!(first.0.capacity(), SPARE_SIZE);
        drop(first);
        assert_eq!(spare_count(), 1);
        let second = Text::from("x");
        assert_eq!(second, "x", "a spare is cleared before it is kept");
        assert_eq!(
            second.0.capacity(),
            SPARE_SIZE,
            "the spare buffer was taken"
        );
        assert_eq!(spare_count(), 0);
    }

    #[test]
    fn a_text_never_holds_more_than_the_spare_size_or_its_length() {
        empty_spares();
        drop(Text::from(String::with_capacity(SPARE_SIZE)));
        assert_eq!(spare_count(), 1);
        for len in 1..=300 {
            let text = Text::from("z".repeat(len).as_str());
            assert!(text.0.capacity() <= SPARE_SIZE.max(len), "{len}");
            assert_eq!(text.len(), len);
            drop(text);
            assert_eq!(spare_count(), 1, "{len}");
        }
    }

    #[test]
    fn spares_are_bounded_in_number_and_size() {
        empty_spares();
        drop(Text::from("b".repeat(SPARE_SIZE + 1)));
        drop(Text::from(String::with_capacity(SPARE_SIZE - 1)));
        drop(Text::from(String::with_capacity(SPARE_SIZE * 2)));
        drop(Text::new());
        assert_eq!(spare_count(), 0, "buffers of any other size are freed");
        let many: Vec<Text> = (0..SPARE_MAX + 10)
            .map(|i| Text::from(i.to_string().as_str()))
            .collect();
        drop(many);
        assert_eq!(spare_count(), SPARE_MAX);
        empty_spares();
    }

    #[test]
    fn reads_back_and_compares_as_its_str() {
        use std::collections::hash_map::DefaultHasher;
        let hash = |s: &dyn Fn(&mut DefaultHasher)| {
            let mut h = DefaultHasher::new();
            s(&mut h);
            h.finish()
        };
        let all: Vec<String> = ["", "-", "é", "0x3e7", "\u{1F600}"]
            .iter()
            .map(|s| s.to_string())
            .chain(std::iter::once("z".repeat(300)))
            .collect();
        for a in &all {
            // One buffer recycled, then built anew from the string and from a clone.
            drop(Text::from("recycled text"));
            let from_str = Text::from(a.as_str());
            let from_string = Text::from(a.clone());
            assert_eq!(from_str.as_str(), a);
            assert_eq!(from_str, from_string);
            assert_eq!(from_str.clone(), from_string);
            assert_eq!(from_str.clone().into_string(), *a);
            assert_eq!(hash(&|h| from_str.hash(h)), hash(&|h| a.as_str().hash(h)));
            let mut set = Text::from("previous");
            set.set(a);
            assert_eq!(set, *a.as_str());
            for b in &all {
                let other = Text::from(b.as_str());
                assert_eq!(from_str.eq(&other), a == b);
                assert_eq!(from_str.cmp(&other), a.cmp(b));
            }
        }
    }
}
