//! [`Sid`]: a security identifier, its string form (`S-1-5-…`) and its binary `SID` form.

use std::fmt;

use super::digits::{parse_dec, push_ascii, put_dec};

/// A security identifier, `S-R-I-S-S…`.
#[derive(Clone)]
pub struct Sid {
    revision: u8,
    authority: u64,
    sub_authorities: SubAuthorities,
}

/// Most SIDs have at most this many sub-authorities (`S-1-5-21-a-b-c-rid`): those are held
/// inline, so decoding one allocates nothing.
const INLINE: usize = 5;

/// The sub-authorities: inline up to [`INLINE`], else on the heap. Unused inline items are 0.
#[derive(Clone)]
enum SubAuthorities {
    Inline { len: u8, items: [u32; INLINE] },
    Heap(Box<[u32]>),
}

impl SubAuthorities {
    fn from_iter(len: usize, items: impl Iterator<Item = u32>) -> SubAuthorities {
        if len <= INLINE {
            let mut inline = [0u32; INLINE];
            for (slot, item) in inline.iter_mut().zip(items) {
                *slot = item;
            }
            // `len` is at most INLINE here.
            SubAuthorities::Inline {
                len: len as u8,
                items: inline,
            }
        } else {
            SubAuthorities::Heap(items.collect())
        }
    }

    fn as_slice(&self) -> &[u32] {
        match self {
            SubAuthorities::Inline { len, items } => &items[..usize::from(*len).min(INLINE)],
            SubAuthorities::Heap(items) => items,
        }
    }
}

// Equality, order and hash are those of (revision, authority, sub-authorities as a slice),
// whichever way the sub-authorities are held.
impl PartialEq for Sid {
    fn eq(&self, other: &Sid) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Sid {}

impl PartialOrd for Sid {
    fn partial_cmp(&self, other: &Sid) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Sid {
    fn cmp(&self, other: &Sid) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

impl std::hash::Hash for Sid {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

impl Sid {
    /// The most sub-authorities a SID may have (`SID_MAX_SUB_AUTHORITIES`).
    pub const MAX_SUB_AUTHORITIES: usize = 15;

    /// A SID of revision 1 from its identifier authority (48 bits) and sub-authorities.
    pub fn new(authority: u64, sub_authorities: &[u32]) -> Option<Sid> {
        if authority >= 1 << 48 || sub_authorities.len() > Self::MAX_SUB_AUTHORITIES {
            return None;
        }
        Some(Sid {
            revision: 1,
            authority,
            sub_authorities: SubAuthorities::from_iter(
                sub_authorities.len(),
                sub_authorities.iter().copied(),
            ),
        })
    }

    /// Parses the string form, `S-1-5-21-…`.
    pub fn parse(s: &str) -> Option<Sid> {
        let mut parts = s
            .strip_prefix("S-")
            .or_else(|| s.strip_prefix("s-"))?
            .split('-');
        let revision: u8 = parse_dec(parts.next()?)?;
        let auth_text = parts.next()?;
        let authority = match auth_text
            .strip_prefix("0x")
            .or_else(|| auth_text.strip_prefix("0X"))
        {
            Some(hex) => u64::from_str_radix(hex, 16).ok()?,
            None => parse_dec(auth_text)?,
        };
        if authority >= 1 << 48 {
            return None;
        }
        let mut sub_authorities = Vec::new();
        for part in parts {
            sub_authorities.push(parse_dec::<u32>(part)?);
        }
        if sub_authorities.len() > Self::MAX_SUB_AUTHORITIES {
            return None;
        }
        Some(Sid {
            revision,
            authority,
            sub_authorities: SubAuthorities::from_iter(
                sub_authorities.len(),
                sub_authorities.into_iter(),
            ),
        })
    }

    /// The binary form (`SID` structure): revision, count, 6-byte big-endian authority,
    /// little-endian sub-authorities.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(8 + 4 * self.sub_authorities().len());
        self.push_bytes(&mut b);
        b
    }

    /// Appends the binary form to `out`.
    pub(crate) fn push_bytes(&self, out: &mut Vec<u8>) {
        let subs = self.sub_authorities();
        out.push(self.revision);
        // Construction limits the count to 15.
        out.push(subs.len() as u8);
        out.extend_from_slice(&self.authority.to_be_bytes()[2..]);
        for s in subs {
            out.extend_from_slice(&s.to_le_bytes());
        }
    }

    /// Reads the binary form; `None` if it is truncated or has too many sub-authorities.
    pub fn from_bytes(b: &[u8]) -> Option<Sid> {
        let (&revision, rest) = b.split_first()?;
        let (&count, rest) = rest.split_first()?;
        let count = usize::from(count);
        if count > Self::MAX_SUB_AUTHORITIES || rest.len() < 6 + 4 * count {
            return None;
        }
        let mut auth = [0u8; 8];
        auth[2..].copy_from_slice(&rest[..6]);
        let items = rest[6..6 + 4 * count]
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]));
        Some(Sid {
            revision,
            authority: u64::from_be_bytes(auth),
            sub_authorities: SubAuthorities::from_iter(count, items),
        })
    }

    /// The revision (1 for every SID Windows writes).
    pub(crate) fn revision(&self) -> u8 {
        self.revision
    }

    /// The identifier authority.
    pub fn authority(&self) -> u64 {
        self.authority
    }

    /// The sub-authorities, left to right.
    pub fn sub_authorities(&self) -> &[u32] {
        self.sub_authorities.as_slice()
    }

    fn key(&self) -> (u8, u64, &[u32]) {
        (self.revision, self.authority, self.sub_authorities())
    }

    /// Appends the string form.
    pub fn write_to(&self, out: &mut String) {
        let mut text = [0u8; TEXT_MAX];
        let len = self.text(&mut text);
        push_ascii(out, text.get(..len).unwrap_or_default());
    }

    /// Appends the string form's bytes (ASCII, the bytes [`write_to`](Self::write_to)
    /// appends): for writers of byte buffers, with no UTF-8 check to pass.
    pub fn write_ascii(&self, out: &mut Vec<u8>) {
        let mut text = [0u8; TEXT_MAX];
        let len = self.text(&mut text);
        out.extend_from_slice(text.get(..len).unwrap_or_default());
    }

    /// The string form into `text`, built in one buffer (one push for the caller, not one
    /// per field); its length.
    fn text(&self, text: &mut [u8; TEXT_MAX]) -> usize {
        text[..2].copy_from_slice(b"S-");
        let mut at = put_dec(text, 2, u64::from(self.revision));
        at = put(text, at, b"-");
        at = if self.authority >= 1 << 32 {
            // Windows writes large authorities in hex, 12 uppercase digits (48 bits).
            at = put(text, at, b"0x");
            for shift in (0..12).rev() {
                let digit = (self.authority >> (shift * 4)) & 15;
                at = put(text, at, &[b"0123456789ABCDEF"[digit as usize]]);
            }
            at
        } else {
            put_dec(text, at, self.authority)
        };
        for &s in self.sub_authorities() {
            at = put(text, at, b"-");
            at = put_dec(text, at, u64::from(s));
        }
        at
    }
}

/// A SID's binary form as a record holds it, checked as [`Sid::from_bytes`] checks it:
/// exactly `8 + 4 × count` bytes, at most [`Sid::MAX_SUB_AUTHORITIES`]. Lets a writer
/// write a SID ([`SidWriter::write_bytes`]) without building its [`Sid`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SidBytes<'a>(&'a [u8]);

impl<'a> SidBytes<'a> {
    /// The SID at the start of `b` (bytes past it left out); `None` where
    /// [`Sid::from_bytes`] gives none.
    #[inline]
    pub fn prefix(b: &'a [u8]) -> Option<SidBytes<'a>> {
        let count = usize::from(*b.get(1)?);
        if count > Sid::MAX_SUB_AUTHORITIES {
            return None;
        }
        b.get(..8 + 4 * count).map(SidBytes)
    }

    /// The binary form, exactly.
    pub fn bytes(&self) -> &'a [u8] {
        self.0
    }

    /// The SID (what [`Sid::from_bytes`] reads from these bytes).
    pub fn to_sid(&self) -> Sid {
        // Never the default: the bytes were checked as `from_bytes` checks them.
        Sid::from_bytes(self.0).unwrap_or_else(|| Sid {
            revision: 0,
            authority: 0,
            sub_authorities: SubAuthorities::from_iter(0, std::iter::empty()),
        })
    }
}

/// Writes SID texts ([`Sid::write_ascii`]'s bytes) one after another, keeping the text up
/// to the last sub-authority of the last few SIDs met (their heads): a log's SIDs are
/// mostly one domain's accounts (`S-1-5-21-a-b-c-` and a RID) and a few well-known ones,
/// and a kept head is copied, only the last sub-authority written. What it keeps never
/// shows in the bytes.
#[derive(Clone, Debug, Default)]
pub struct SidWriter {
    /// The heads met, those found often first: a SID's binary form without its last
    /// sub-authority (its count byte that of the whole SID: one head, one form), and its
    /// text followed by `-`.
    kept: Vec<(Vec<u8>, Vec<u8>)>,
}

/// How many heads a [`SidWriter`] keeps (a Security log's: the domain's, `S-1-5-`,
/// `S-1-0-`, `S-1-16-`, and a rarer one or two).
const KEPT_HEADS: usize = 6;

impl SidWriter {
    /// Appends `sid`'s text, as [`Sid::write_ascii`] does.
    pub fn write_ascii(&mut self, sid: &Sid, out: &mut Vec<u8>) {
        let subs = sid.sub_authorities();
        if subs.is_empty() {
            return sid.write_ascii(out);
        }
        // The binary form, on the stack.
        let mut raw = [0u8; 8 + 4 * Sid::MAX_SUB_AUTHORITIES];
        raw[0] = sid.revision;
        // Construction limits the count to 15.
        raw[1] = subs.len() as u8;
        raw[2..8].copy_from_slice(&sid.authority.to_be_bytes()[2..]);
        for (to, s) in raw[8..].chunks_exact_mut(4).zip(subs) {
            to.copy_from_slice(&s.to_le_bytes());
        }
        self.write_raw(raw.get(..8 + 4 * subs.len()).unwrap_or_default(), out);
    }

    /// Appends the text of the SID `sid` holds, as [`Sid::write_ascii`] does for it.
    #[inline]
    pub fn write_bytes(&mut self, sid: SidBytes<'_>, out: &mut Vec<u8>) {
        self.write_raw(sid.0, out);
    }

    /// Appends the text of the SID whose binary form is `raw` (checked: a [`SidBytes`]'s).
    fn write_raw(&mut self, raw: &[u8], out: &mut Vec<u8>) {
        // The head, and the last sub-authority (none: no head to keep).
        let (head, last) = raw.split_at(raw.len().saturating_sub(4).max(8).min(raw.len()));
        let Ok(last) = <[u8; 4]>::try_from(last).map(u32::from_le_bytes) else {
            return SidBytes(raw).to_sid().write_ascii(out);
        };
        if let Some(at) = self.kept.iter().position(|(h, _)| h.as_slice() == head) {
            if let Some((_, text)) = self.kept.get(at) {
                out.extend_from_slice(text);
            }
            let mut digits = [0u8; 10];
            let len = put_dec(&mut digits, 0, u64::from(last));
            out.extend_from_slice(digits.get(..len).unwrap_or_default());
            // A head found moves one place up: the common ones stay ahead, rare ones
            // come and go in the last place.
            if at > 0 {
                self.kept.swap(at - 1, at);
            }
            return;
        }
        let mut text = [0u8; TEXT_MAX];
        let len = SidBytes(raw).to_sid().text(&mut text);
        let text = text.get(..len).unwrap_or_default();
        out.extend_from_slice(text);
        // The head's text ends at the last `-` (the last sub-authority's digits have none).
        let cut = text.iter().rposition(|&b| b == b'-').map_or(0, |i| i + 1);
        if self.kept.len() < KEPT_HEADS {
            self.kept.push((Vec::new(), Vec::new()));
        }
        if let Some((key, kept)) = self.kept.last_mut() {
            key.clear();
            key.extend_from_slice(head);
            kept.clear();
            kept.extend_from_slice(text.get(..cut).unwrap_or_default());
        }
    }
}

/// The longest string form: `S-255-0x` and 12 hex digits, then 15 times `-4294967295`.
const TEXT_MAX: usize = 2 + 3 + 1 + 14 + Sid::MAX_SUB_AUTHORITIES * 11;

/// `bytes` at `text[at..]`; the place after them (past the end: nothing written, which
/// [`TEXT_MAX`] rules out).
fn put(text: &mut [u8], at: usize, bytes: &[u8]) -> usize {
    if let Some(to) = text.get_mut(at..at + bytes.len()) {
        to.copy_from_slice(bytes);
    }
    at + bytes.len()
}

impl fmt::Display for Sid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write_to(&mut s);
        f.write_str(&s)
    }
}

impl fmt::Debug for Sid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The naive model of a SID: revision, authority, sub-authorities.
    type Model = (u8, u64, Vec<u32>);

    /// SIDs with 0 to 15 sub-authorities (inline and on the heap), and their naive model.
    fn cases() -> Vec<(Sid, Model)> {
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        (0..400)
            .map(|_| {
                let count = (next() % 16) as usize;
                let subs: Vec<u32> = (0..count).map(|_| (next() % 4) as u32).collect();
                let authority = next() % 3;
                let sid = Sid::new(authority, &subs).expect("valid");
                (sid, (1, authority, subs))
            })
            .collect()
    }

    #[test]
    fn binary_and_string_forms_round_trip_at_every_count() {
        for (sid, (_, authority, subs)) in cases() {
            assert_eq!(sid.sub_authorities(), &subs[..]);
            assert_eq!(sid.authority(), authority);
            assert_eq!(Sid::from_bytes(&sid.to_bytes()).as_ref(), Some(&sid));
            assert_eq!(Sid::parse(&sid.to_string()).as_ref(), Some(&sid));
        }
    }

    #[test]
    fn order_equality_and_hash_are_the_naive_models() {
        use std::collections::hash_map::DefaultHasher;
        use std::hash::{Hash, Hasher};
        let hash = |v: &dyn Fn(&mut DefaultHasher)| {
            let mut h = DefaultHasher::new();
            v(&mut h);
            h.finish()
        };
        let cases = cases();
        for (a, ma) in &cases {
            for (b, mb) in cases.iter().take(60) {
                assert_eq!(a.cmp(b), ma.cmp(mb), "{a} vs {b}");
                assert_eq!(a == b, ma == mb);
            }
            let model = (ma.0, ma.1, &ma.2[..]);
            assert_eq!(hash(&|h| a.hash(h)), hash(&|h| model.hash(h)));
        }
    }

    /// The string form as `format!` writes it (the naive model of the one-buffer writer).
    fn naive_text(revision: u8, authority: u64, subs: &[u32]) -> String {
        let mut text = if authority >= 1 << 32 {
            format!("S-{revision}-0x{authority:012X}")
        } else {
            format!("S-{revision}-{authority}")
        };
        for s in subs {
            text.push_str(&format!("-{s}"));
        }
        text
    }

    /// Every revision width, authorities either side of 2^32 (decimal, then 12 hex digits)
    /// and up to 2^48 - 1, sub-authorities of every digit count up to `u32::MAX`, 0 to 15 of
    /// them (the longest text fills the buffer): `write_to` and `write_ascii` write the
    /// naive text.
    #[test]
    fn string_form_is_the_naive_text() {
        let digits: Vec<u32> = (0..10)
            .flat_map(|p| {
                let v = 10u64.pow(p);
                [v - 1, v, v + 1, 2 * v + 3, 9 * v + v - 1]
            })
            .chain([u64::from(u32::MAX), u64::from(u32::MAX) - 1])
            .filter_map(|v| u32::try_from(v).ok())
            .collect();
        let authorities: [u64; 11] = [
            0,
            1,
            5,
            9,
            10,
            99,
            100,
            (1 << 32) - 1,
            1 << 32,
            0xABC_DEF0_1234,
            (1 << 48) - 1,
        ];
        for revision in [0u8, 1, 9, 10, 99, 100, 255] {
            for (k, &authority) in authorities.iter().enumerate() {
                for count in 0..=Sid::MAX_SUB_AUTHORITIES {
                    let subs: Vec<u32> = (0..count)
                        .map(|i| digits[(i * 7 + k * 3 + usize::from(revision)) % digits.len()])
                        .collect();
                    let mut bytes = vec![revision, count as u8];
                    bytes.extend_from_slice(&authority.to_be_bytes()[2..]);
                    bytes.extend(subs.iter().flat_map(|s| s.to_le_bytes()));
                    let sid = Sid::from_bytes(&bytes).expect("valid");
                    let want = naive_text(revision, authority, &subs);
                    let mut text = String::from("before:");
                    sid.write_to(&mut text);
                    assert_eq!(text, format!("before:{want}"));
                    let mut ascii = b"before:".to_vec();
                    sid.write_ascii(&mut ascii);
                    assert_eq!(ascii, format!("before:{want}").into_bytes());
                }
            }
        }
        let longest = Sid::from_bytes(
            &[255, 15, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
                .into_iter()
                .chain([0xFF; 60])
                .collect::<Vec<_>>(),
        )
        .expect("valid");
        assert_eq!(longest.to_string().len(), TEXT_MAX);
    }

    /// Kept heads never show: SIDs of many heads (well-known ones without or with one
    /// sub-authority, several domains, heads that are each other's prefixes, revisions and
    /// authorities that differ alone, more heads than are kept, on the heap and inline),
    /// written in turns and again through one writer, are each their `write_ascii` text.
    #[test]
    fn sid_writer_writes_each_sids_text() {
        let mut sids: Vec<Sid> = Vec::new();
        for (revision, authority) in [(1u8, 5u64), (1, 0), (1, 16), (2, 5), (1, 1 << 40)] {
            for subs in [
                &[][..],
                &[18],
                &[20],
                &[21, 1384596653, 1239076873, 1359532635, 1355],
                &[21, 1384596653, 1239076873, 1359532635, 500],
                &[21, 1384596653, 1239076873, 1359532636, 500],
                &[21, 1384596653, 1239076873],
                &[21, 1384596653, 1239076873, 1359532635],
                &[32, 544],
                &[1, 2, 3, 4, 5, 6, 7, 8],
                &[1, 2, 3, 4, 5, 6, 7, 9],
                &[0],
                &[u32::MAX, u32::MAX],
            ] {
                let mut bytes = vec![revision, subs.len() as u8];
                bytes.extend_from_slice(&authority.to_be_bytes()[2..]);
                bytes.extend(subs.iter().flat_map(|s| s.to_le_bytes()));
                sids.push(Sid::from_bytes(&bytes).expect("valid"));
            }
        }
        let mut writer = SidWriter::default();
        for round in 0..4 {
            for i in 0..sids.len() {
                // In turns (a step prime to the count), and each domain SID twice running.
                let sid = &sids[(i * 7 + round * 3) % sids.len()];
                for twice in 0..1 + (i % 2) {
                    // From the SID and from its bytes in turns: one set of kept heads.
                    let mut got = b"before:".to_vec();
                    if (i + twice + round) % 2 == 0 {
                        writer.write_ascii(sid, &mut got);
                    } else {
                        let bytes = sid.to_bytes();
                        let raw = SidBytes::prefix(&bytes).expect("whole");
                        assert_eq!(raw.to_sid(), *sid);
                        writer.write_bytes(raw, &mut got);
                    }
                    let mut want = b"before:".to_vec();
                    sid.write_ascii(&mut want);
                    assert_eq!(
                        String::from_utf8_lossy(&got),
                        String::from_utf8_lossy(&want),
                        "round {round}"
                    );
                }
            }
        }
        assert_eq!(writer.kept.len(), KEPT_HEADS);
    }

    /// `SidBytes::prefix` takes exactly the SID's bytes where `from_bytes` reads a SID, and
    /// refuses where it refuses (a count beyond the bytes, beyond 15, too few bytes).
    #[test]
    fn sid_bytes_are_where_from_bytes_reads() {
        for (sid, _) in cases() {
            let mut bytes = sid.to_bytes();
            let len = bytes.len();
            bytes.extend([7; 5]);
            for cut in 0..bytes.len() {
                let b = &bytes[..cut];
                let raw = SidBytes::prefix(b);
                assert_eq!(raw.map(|r| r.to_sid()), Sid::from_bytes(b));
                assert_eq!(raw.map(|r| r.bytes()), (cut >= len).then(|| &bytes[..len]));
            }
        }
        assert_eq!(
            SidBytes::prefix(&[1, 16, 0, 0, 0, 0, 0, 5].repeat(10)),
            None
        );
    }

    #[test]
    fn too_many_sub_authorities_or_short_bytes_are_refused() {
        assert!(Sid::new(5, &[1; 16]).is_none());
        assert!(Sid::from_bytes(&[1, 16, 0, 0, 0, 0, 0, 5]).is_none());
        assert!(Sid::from_bytes(&[1, 2, 0, 0, 0, 0, 0, 5, 1, 0, 0, 0]).is_none());
    }
}
