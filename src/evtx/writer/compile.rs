//! A template compiled once per writer: its key (`template`) parsed into the BinXml
//! operations each chunk replays where it defines the template, with its names interned
//! and its texts already in UTF-16. Owns the checks readers make of names and texts.
//!
//! Invariants:
//! - A compiled template's ops are well nested: every `Open` is closed by one `Start` with
//!   `children: false`, or by one `Start` with `children: true` and, later, one `End`.
//! - Every name in [`Names`] passed the checks: non-empty, starting with a letter or `_`
//!   (python-evtx refuses any other), at most 255 UTF-16 units. Every text has at most
//!   65,535 units (a u16 count).

use super::template::{key, STATICS};
use super::KeyMap;
use crate::error::{Error, ErrorKind, Result};

/// The MS-EVEN6 name hash over UTF-16 units (also the template bucket hash, over a GUID's
/// eight units).
pub(super) fn hash65599(units: impl Iterator<Item = u16>) -> u32 {
    units.fold(0u32, |h, c| {
        h.wrapping_mul(65599).wrapping_add(u32::from(c))
    })
}

/// One step of a template definition's body.
#[derive(Clone, Copy, Debug)]
pub(super) enum Op {
    /// An element's start: its token, dependency id, size (patched at its close) and name;
    /// with attributes, the attribute list's size (patched at its `Start`).
    Open {
        name: u32,
        attributes: bool,
    },
    /// An attribute's token (0x46 when another follows, else 0x06) and name; its value is
    /// the next op.
    Attribute {
        name: u32,
        more: bool,
    },
    /// The start tag's end: children follow up to an `End`, or the element ends here.
    Start {
        children: bool,
    },
    End,
    /// A text node of `texts[at..at + len]` (UTF-16LE bytes).
    Text {
        at: u32,
        len: u32,
    },
    /// A substitution of value `index`, of type `ty`.
    Subst {
        index: u16,
        ty: u8,
    },
    /// A CDATA section of `texts[at..at + len]`.
    CData {
        at: u32,
        len: u32,
    },
    /// A processing instruction: its target, its data `texts[at..at + len]`.
    Pi {
        target: u32,
        at: u32,
        len: u32,
    },
}

/// A template as a chunk defines it.
#[derive(Debug)]
pub(super) struct Template {
    pub(super) guid: [u8; 16],
    pub(super) ops: Box<[Op]>,
    /// The texts of `Text`, `CData` and `Pi` ops, UTF-16LE, back to back.
    pub(super) texts: Box<[u8]>,
}

/// A name as a chunk's name table holds it.
#[derive(Debug)]
pub(super) struct NameEntry {
    /// The low 16 bits of its MS-EVEN6 hash.
    pub(super) hash: u16,
    /// UTF-16LE, without the NUL.
    pub(super) utf16: Box<[u8]>,
}

/// The names of a writer's templates, each checked once, by id.
#[derive(Debug, Default)]
pub(super) struct Names {
    ids: KeyMap<Box<str>, u32>,
    entries: Vec<NameEntry>,
}

impl Names {
    pub(super) fn get(&self, id: u32) -> &NameEntry {
        &self.entries[id as usize]
    }

    /// The id of `name`, checked and added if new.
    fn intern(&mut self, name: &str) -> Result<u32> {
        if let Some(&id) = self.ids.get(name) {
            return Ok(id);
        }
        let units = name.encode_utf16().count();
        let valid = name
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
            && units <= 255;
        if !valid {
            return Err(unwritable(format!(
                "the name {name:?} cannot be written (a name starts with a letter or `_`, \
                 and has at most 255 characters)"
            )));
        }
        let mut utf16 = Vec::with_capacity(2 * units);
        crate::utf16::push(&mut utf16, name);
        let hash = hash65599(name.encode_utf16()) as u16;
        let id = self.entries.len() as u32;
        self.entries.push(NameEntry {
            hash,
            utf16: utf16.into_boxed_slice(),
        });
        self.ids.insert(name.into(), id);
        Ok(id)
    }
}

fn unwritable(what: impl Into<String>) -> Error {
    Error::with_message(ErrorKind::InvalidParameter, what.into())
}

/// Compiles a key `template::Shape` wrote, interning its names; an error (a name or text
/// no reader takes back) leaves no template.
pub(super) fn compile(k: &[u8], guid: [u8; 16], names: &mut Names) -> Result<Template> {
    let mut c = Compiler {
        k,
        at: 0,
        names,
        ops: Vec::new(),
        texts: Vec::new(),
        substs: 0,
    };
    c.element()?;
    if c.at != k.len() {
        return Err(malformed());
    }
    Ok(Template {
        guid,
        ops: c.ops.into_boxed_slice(),
        texts: c.texts.into_boxed_slice(),
    })
}

fn malformed() -> Error {
    unwritable("a template key is malformed")
}

struct Compiler<'k, 'n> {
    k: &'k [u8],
    at: usize,
    names: &'n mut Names,
    ops: Vec<Op>,
    texts: Vec<u8>,
    substs: u16,
}

impl<'k> Compiler<'k, '_> {
    fn take(&mut self, n: usize) -> Result<&'k [u8]> {
        let k = self.k;
        let bytes = k
            .get(self.at..self.at.saturating_add(n))
            .ok_or_else(malformed)?;
        self.at += n;
        Ok(bytes)
    }

    fn byte(&mut self) -> Result<u8> {
        Ok(self.take(1)?[0])
    }

    fn peek(&self) -> Option<u8> {
        self.k.get(self.at).copied()
    }

    fn utf8(&mut self, len: usize) -> Result<&'k str> {
        std::str::from_utf8(self.take(len)?).map_err(|_| malformed())
    }

    /// A u16-sized name, or a static one's id.
    fn name(&mut self, is_static: bool) -> Result<u32> {
        let name = if is_static {
            *STATICS
                .get(usize::from(self.byte()?))
                .ok_or_else(malformed)?
        } else {
            let len = self.take(2)?;
            let len = usize::from(u16::from_le_bytes([len[0], len[1]]));
            self.utf8(len)?
        };
        self.names.intern(name)
    }

    /// A u32-sized text, or a static one's id, into `texts`: its (at, len).
    fn text(&mut self, is_static: bool) -> Result<(u32, u32)> {
        let text = if is_static {
            *STATICS
                .get(usize::from(self.byte()?))
                .ok_or_else(malformed)?
        } else {
            let len = self.take(4)?;
            let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize;
            self.utf8(len)?
        };
        let at = self.texts.len();
        crate::utf16::push(&mut self.texts, text);
        let len = self.texts.len() - at;
        if len / 2 > usize::from(u16::MAX) || self.texts.len() > u32::MAX as usize {
            return Err(unwritable(
                "a text of more than 65,535 characters cannot be written",
            ));
        }
        Ok((at as u32, len as u32))
    }

    fn subst(&mut self) -> Result<()> {
        let ty = self.byte()?;
        let index = self.substs;
        self.substs = self.substs.checked_add(1).ok_or_else(malformed)?;
        self.ops.push(Op::Subst { index, ty });
        Ok(())
    }

    /// One element, from its OPEN, OPEN_STATIC or NAMED_DATA token.
    fn element(&mut self) -> Result<()> {
        let token = self.byte()?;
        if token == key::NAMED_DATA {
            let data = self.names.intern("Data")?;
            let name = self.names.intern("Name")?;
            self.ops.push(Op::Open {
                name: data,
                attributes: true,
            });
            self.ops.push(Op::Attribute { name, more: false });
            let (at, len) = self.text(false)?;
            self.ops.push(Op::Text { at, len });
            self.ops.push(Op::Start { children: true });
            self.subst()?;
            self.ops.push(Op::End);
            return Ok(());
        }
        let name = match token {
            key::OPEN => self.name(false)?,
            key::OPEN_STATIC => self.name(true)?,
            _ => return Err(malformed()),
        };
        let attributes = matches!(self.peek(), Some(key::ATTRIBUTE | key::ATTRIBUTE_STATIC));
        self.ops.push(Op::Open { name, attributes });
        let mut last_attribute = None;
        while let Some(t @ (key::ATTRIBUTE | key::ATTRIBUTE_STATIC)) = self.peek() {
            self.at += 1;
            let name = self.name(t == key::ATTRIBUTE_STATIC)?;
            if let Some(Op::Attribute { more, .. }) = last_attribute.map(|i| &mut self.ops[i]) {
                *more = true;
            }
            last_attribute = Some(self.ops.len());
            self.ops.push(Op::Attribute { name, more: false });
            match self.byte()? {
                key::TEXT => {
                    let (at, len) = self.text(false)?;
                    self.ops.push(Op::Text { at, len });
                }
                key::TEXT_STATIC => {
                    let (at, len) = self.text(true)?;
                    self.ops.push(Op::Text { at, len });
                }
                key::SUBST => self.subst()?,
                _ => return Err(malformed()),
            }
        }
        match self.byte()? {
            key::EMPTY => self.ops.push(Op::Start { children: false }),
            key::CHILDREN => {
                self.ops.push(Op::Start { children: true });
                loop {
                    match self.peek().ok_or_else(malformed)? {
                        key::END => {
                            self.at += 1;
                            break;
                        }
                        key::OPEN | key::OPEN_STATIC | key::NAMED_DATA => self.element()?,
                        _ => self.content()?,
                    }
                }
                self.ops.push(Op::End);
            }
            _ => return Err(malformed()),
        }
        Ok(())
    }

    /// One TEXT, SUBST, CDATA or PI token.
    fn content(&mut self) -> Result<()> {
        match self.byte()? {
            key::TEXT => {
                let (at, len) = self.text(false)?;
                self.ops.push(Op::Text { at, len });
            }
            key::SUBST => self.subst()?,
            key::CDATA => {
                let (at, len) = self.text(false)?;
                self.ops.push(Op::CData { at, len });
            }
            key::PI => {
                let target = self.name(false)?;
                let (at, len) = self.text(false)?;
                self.ops.push(Op::Pi { target, at, len });
            }
            _ => return Err(malformed()),
        }
        Ok(())
    }
}
