//! [`Sid`]: a security identifier, its string form (`S-1-5-…`) and its binary `SID` form.

use std::fmt;

use super::digits::parse_dec;

/// A security identifier, `S-R-I-S-S…`.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sid {
    revision: u8,
    authority: u64,
    sub_authorities: Vec<u32>,
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
            sub_authorities: sub_authorities.to_vec(),
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
            sub_authorities,
        })
    }

    /// The binary form (`SID` structure): revision, count, 6-byte big-endian authority,
    /// little-endian sub-authorities.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(8 + 4 * self.sub_authorities.len());
        b.push(self.revision);
        // Construction limits the count to 15.
        b.push(self.sub_authorities.len() as u8);
        b.extend_from_slice(&self.authority.to_be_bytes()[2..]);
        for s in &self.sub_authorities {
            b.extend_from_slice(&s.to_le_bytes());
        }
        b
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
        let sub_authorities = rest[6..6 + 4 * count]
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        Some(Sid {
            revision,
            authority: u64::from_be_bytes(auth),
            sub_authorities,
        })
    }

    /// The identifier authority.
    pub fn authority(&self) -> u64 {
        self.authority
    }

    /// The sub-authorities, left to right.
    pub fn sub_authorities(&self) -> &[u32] {
        &self.sub_authorities
    }

    /// Appends the string form.
    pub fn write_to(&self, out: &mut String) {
        let mut buf = itoa::Buffer::new();
        out.push_str("S-");
        out.push_str(buf.format(self.revision));
        out.push('-');
        if self.authority >= 1 << 32 {
            // Windows writes large authorities in hex.
            use std::fmt::Write;
            let _ = write!(out, "0x{:012X}", self.authority);
        } else {
            out.push_str(buf.format(self.authority));
        }
        for s in &self.sub_authorities {
            out.push('-');
            out.push_str(buf.format(*s));
        }
    }
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
