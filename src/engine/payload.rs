//! An EventWrite payload decoded by its event's template: the bytes of the
//! EVENT_DATA_DESCRIPTORs, concatenated as ETW concatenates them (no padding, no alignment),
//! read item by item per each item's inType (the manifest schema's input types).
//!
//! Invariants:
//! 1. The payload must match the template exactly: an item that runs past the end, a
//!    string without its NUL, an unknown inType, a `length`/`count` naming no earlier
//!    integer item, or bytes left after the last item is ERROR_EVT_INVALID_EVENT_DATA
//!    (15005) naming the item, its offset, what it needs and what is left.
//! 2. Nothing is allocated from an untrusted count before the bytes for it are seen: a
//!    count above [`MAX_COUNT`] is refused, and every element reads at least the bytes it
//!    claims before it is kept.
//! 3. Structs are one level deep (the manifest schema allows `data` only inside `struct`);
//!    a nested struct is refused, so decoding never recurses further.

use std::sync::Arc;

use crate::error::{Error, ErrorKind, Result};
use crate::event::{
    Array, DataItem, Element, EventData, FileTime, Guid, Node, Sid, SystemTime, Value,
};
use crate::publisher::{Template, TemplateItem};

/// The most elements an array item may declare: a 64 KiB payload holds no more.
pub const MAX_COUNT: u64 = 65_536;

/// Why a payload does not fit its template: the item, where, and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Mismatch {
    /// The item's name (`DataItemName` of ProcessingErrorData).
    pub(crate) item: String,
    pub(crate) offset: usize,
    pub(crate) message: String,
}

impl Mismatch {
    pub(crate) fn into_error(self) -> Error {
        Error::at_offset(
            ErrorKind::InvalidEventData,
            self.offset as u64,
            format!("data item {:?}: {}", self.item, self.message),
        )
    }
}

/// Decodes `payload` by `template` into `<EventData>` items named as the template names
/// them (structs as `<ComplexData Name='…'>` holding their members' `<Data>`).
///
/// Errors: `InvalidEventData` (15005) with the offset and the item (module invariant 1).
pub fn decode_payload(template: &Template, payload: &[u8]) -> Result<EventData> {
    decode(template, payload).map_err(Mismatch::into_error)
}

pub(crate) fn decode(template: &Template, payload: &[u8]) -> Result<EventData, Mismatch> {
    let mut reader = Reader {
        payload,
        pos: 0,
        integers: Vec::new(),
    };
    let mut items = Vec::with_capacity(template.items.len());
    for item in &template.items {
        reader.item(item, &mut items, false)?;
    }
    if reader.pos != payload.len() {
        return Err(Mismatch {
            item: template
                .items
                .last()
                .map(|i| i.name.clone())
                .unwrap_or_default(),
            offset: reader.pos,
            message: format!(
                "{} bytes are left after the template's last item",
                payload.len() - reader.pos
            ),
        });
    }
    Ok(EventData { name: None, items })
}

struct Reader<'a> {
    payload: &'a [u8],
    pos: usize,
    /// Integer items decoded so far, for `length` and `count` references.
    integers: Vec<(String, u64)>,
}

impl Reader<'_> {
    fn fail(&self, item: &TemplateItem, message: String) -> Mismatch {
        Mismatch {
            item: item.name.clone(),
            offset: self.pos,
            message,
        }
    }

    fn left(&self) -> usize {
        self.payload.len() - self.pos
    }

    fn take(&mut self, item: &TemplateItem, need: usize) -> Result<&[u8], Mismatch> {
        if need > self.left() {
            return Err(self.fail(
                item,
                format!(
                    "{} needs {need} bytes, {} are left",
                    item.in_type,
                    self.left()
                ),
            ));
        }
        let bytes = &self.payload[self.pos..self.pos + need];
        self.pos += need;
        Ok(bytes)
    }

    /// A `length` or `count` attribute: a number, or the value of an earlier integer item.
    fn resolve(&self, item: &TemplateItem, what: &str, text: &str) -> Result<u64, Mismatch> {
        let text = text.trim();
        if let Some(n) = crate::event::parse_u64_auto(text) {
            return Ok(n);
        }
        self.integers
            .iter()
            .rev()
            .find(|(name, _)| name == text)
            .map(|(_, v)| *v)
            .ok_or_else(|| {
                self.fail(
                    item,
                    format!("{what} {text:?} is neither a number nor an earlier integer item"),
                )
            })
    }

    fn item(
        &mut self,
        item: &TemplateItem,
        out: &mut Vec<DataItem>,
        in_struct: bool,
    ) -> Result<(), Mismatch> {
        let count = match &item.count {
            Some(c) => {
                let n = self.resolve(item, "count", c)?;
                if n > MAX_COUNT {
                    return Err(self.fail(item, format!("count {n} is over {MAX_COUNT}")));
                }
                Some(n as usize)
            }
            None => None,
        };
        let name: Arc<str> = Arc::from(item.name.as_str());
        if !item.members.is_empty() {
            if in_struct {
                return Err(self.fail(item, "a struct inside a struct".into()));
            }
            for _ in 0..count.unwrap_or(1) {
                let mut members = Vec::with_capacity(item.members.len());
                for member in &item.members {
                    self.item(member, &mut members, true)?;
                }
                let mut element = Element::new("ComplexData").attr("Name", item.name.as_str());
                element
                    .children
                    .extend(members.into_iter().map(|m| match m {
                        DataItem::Data { name, value } => {
                            let mut data = Element::new("Data");
                            if let Some(name) = name {
                                data = data.attr("Name", &*name);
                            }
                            Node::Element(data.text(value))
                        }
                        DataItem::Binary(b) => {
                            Node::Element(Element::new("Binary").text(Value::Binary(b)))
                        }
                        DataItem::Element(e) => Node::Element(e),
                    }));
                out.push(DataItem::Element(element));
            }
            return Ok(());
        }
        let value = match count {
            None => self.scalar(item)?,
            Some(n) => {
                let mut values = Vec::with_capacity(n.min(self.left() + 1));
                for _ in 0..n {
                    values.push(self.scalar(item)?);
                }
                let element_type = scalar_type(item);
                match Array::new(element_type, values) {
                    Some(array) => Value::Array(array),
                    None => return Err(self.fail(item, "array elements of mixed types".into())),
                }
            }
        };
        if let Some(n) = integer_of(&value) {
            self.integers.push((item.name.clone(), n));
        }
        out.push(DataItem::Data {
            name: Some(name),
            value,
        });
        Ok(())
    }

    fn fixed<const N: usize>(&mut self, item: &TemplateItem) -> Result<[u8; N], Mismatch> {
        let bytes = self.take(item, N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    fn length(&self, item: &TemplateItem) -> Result<Option<usize>, Mismatch> {
        match &item.length {
            None => Ok(None),
            Some(text) => {
                let n = self.resolve(item, "length", text)?;
                Ok(Some(usize::try_from(n).unwrap_or(usize::MAX)))
            }
        }
    }

    fn scalar(&mut self, item: &TemplateItem) -> Result<Value, Mismatch> {
        let hex_out = item.out_type.eq_ignore_ascii_case("win:HexInt32")
            || item.out_type.eq_ignore_ascii_case("win:HexInt64");
        Ok(match in_type(item) {
            "UnicodeString" => {
                let units: Vec<u16> = match self.length(item)? {
                    Some(chars) => {
                        let bytes = self.take(item, chars.saturating_mul(2))?;
                        let mut units: Vec<u16> = bytes
                            .chunks_exact(2)
                            .map(|p| u16::from_le_bytes([p[0], p[1]]))
                            .collect();
                        while units.last() == Some(&0) {
                            units.pop();
                        }
                        units
                    }
                    None => {
                        let rest = &self.payload[self.pos..];
                        let Some(end) = rest.chunks_exact(2).position(|p| p == [0, 0]) else {
                            return Err(self.fail(
                                item,
                                format!(
                                    "win:UnicodeString has no terminating NUL in the {} bytes left",
                                    rest.len()
                                ),
                            ));
                        };
                        let units = rest[..end * 2]
                            .chunks_exact(2)
                            .map(|p| u16::from_le_bytes([p[0], p[1]]))
                            .collect();
                        self.pos += end * 2 + 2;
                        units
                    }
                };
                Value::String(String::from_utf16_lossy(&units).into())
            }
            "AnsiString" => {
                let bytes = match self.length(item)? {
                    Some(n) => {
                        let bytes = self.take(item, n)?;
                        let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
                        &bytes[..end]
                    }
                    None => {
                        let rest = &self.payload[self.pos..];
                        let Some(end) = rest.iter().position(|&b| b == 0) else {
                            return Err(self.fail(
                                item,
                                format!(
                                    "win:AnsiString has no terminating NUL in the {} bytes left",
                                    rest.len()
                                ),
                            ));
                        };
                        self.pos += end + 1;
                        &rest[..end]
                    }
                };
                Value::AnsiString(String::from_utf8_lossy(bytes).into_owned().into())
            }
            "Int8" => Value::SByte(i8::from_le_bytes(self.fixed(item)?)),
            "UInt8" => Value::Byte(self.fixed::<1>(item)?[0]),
            "Int16" => Value::Int16(i16::from_le_bytes(self.fixed(item)?)),
            "UInt16" => Value::UInt16(u16::from_le_bytes(self.fixed(item)?)),
            "Int32" => Value::Int32(i32::from_le_bytes(self.fixed(item)?)),
            "UInt32" if hex_out => Value::HexInt32(u32::from_le_bytes(self.fixed(item)?)),
            "UInt32" => Value::UInt32(u32::from_le_bytes(self.fixed(item)?)),
            "Int64" => Value::Int64(i64::from_le_bytes(self.fixed(item)?)),
            "UInt64" if hex_out => Value::HexInt64(u64::from_le_bytes(self.fixed(item)?)),
            "UInt64" => Value::UInt64(u64::from_le_bytes(self.fixed(item)?)),
            "Float" => Value::Single(f32::from_le_bytes(self.fixed(item)?)),
            "Double" => Value::Double(f64::from_le_bytes(self.fixed(item)?)),
            // win:Boolean is a 32-bit BOOL.
            "Boolean" => Value::Boolean(u32::from_le_bytes(self.fixed(item)?) != 0),
            "Binary" => {
                let n = self.length(item)?.unwrap_or(self.left());
                Value::Binary(self.take(item, n)?.to_vec())
            }
            "GUID" => Value::Guid(Guid::from_bytes_le(self.fixed(item)?)),
            // 64-bit pointers (the emulation is a 64-bit process); default outType HexInt64.
            "Pointer" => Value::HexInt64(u64::from_le_bytes(self.fixed(item)?)),
            "FILETIME" => Value::FileTime(FileTime(u64::from_le_bytes(self.fixed(item)?))),
            "SYSTEMTIME" => {
                let b: [u8; 16] = self.fixed(item)?;
                let w = |i: usize| u16::from_le_bytes([b[2 * i], b[2 * i + 1]]);
                Value::SysTime(SystemTime {
                    year: w(0),
                    month: w(1),
                    day_of_week: w(2),
                    day: w(3),
                    hour: w(4),
                    minute: w(5),
                    second: w(6),
                    milliseconds: w(7),
                })
            }
            "SID" => {
                // Revision, sub-authority count, 6-byte authority, then the sub-authorities.
                if self.left() < 8 {
                    return Err(self.fail(
                        item,
                        format!("win:SID needs at least 8 bytes, {} are left", self.left()),
                    ));
                }
                let subs = usize::from(self.payload[self.pos + 1]);
                let at = self.pos;
                let bytes = self.take(item, 8 + 4 * subs)?;
                match Sid::from_bytes(bytes) {
                    Some(sid) => Value::Sid(sid),
                    None => {
                        self.pos = at;
                        return Err(self.fail(item, "win:SID is not a valid SID".into()));
                    }
                }
            }
            "HexInt32" => Value::HexInt32(u32::from_le_bytes(self.fixed(item)?)),
            "HexInt64" => Value::HexInt64(u64::from_le_bytes(self.fixed(item)?)),
            other => {
                return Err(self.fail(item, format!("inType win:{other} is not supported")));
            }
        })
    }
}

/// The inType without its `win:` prefix.
fn in_type(item: &TemplateItem) -> &str {
    item.in_type
        .strip_prefix("win:")
        .unwrap_or(item.in_type.as_str())
}

/// The variant type a scalar of `item` decodes to (an array's element type).
fn scalar_type(item: &TemplateItem) -> crate::event::VariantType {
    use crate::event::VariantType as T;
    let hex_out = item.out_type.eq_ignore_ascii_case("win:HexInt32")
        || item.out_type.eq_ignore_ascii_case("win:HexInt64");
    match in_type(item) {
        "UnicodeString" => T::String,
        "AnsiString" => T::AnsiString,
        "Int8" => T::SByte,
        "UInt8" => T::Byte,
        "Int16" => T::Int16,
        "UInt16" => T::UInt16,
        "Int32" => T::Int32,
        "UInt32" if hex_out => T::HexInt32,
        "UInt32" => T::UInt32,
        "Int64" => T::Int64,
        "UInt64" if hex_out => T::HexInt64,
        "UInt64" => T::UInt64,
        "Float" => T::Single,
        "Double" => T::Double,
        "Boolean" => T::Boolean,
        "Binary" => T::Binary,
        "GUID" => T::Guid,
        "Pointer" | "HexInt64" => T::HexInt64,
        "FILETIME" => T::FileTime,
        "SYSTEMTIME" => T::SysTime,
        "SID" => T::Sid,
        "HexInt32" => T::HexInt32,
        _ => T::Null,
    }
}

/// The value of an unsigned or signed integer item (what `length`/`count` may name).
fn integer_of(value: &Value) -> Option<u64> {
    Some(match *value {
        Value::Byte(v) => v.into(),
        Value::UInt16(v) => v.into(),
        Value::UInt32(v) | Value::HexInt32(v) => v.into(),
        Value::UInt64(v) | Value::HexInt64(v) => v,
        Value::SByte(v) => u64::try_from(v).ok()?,
        Value::Int16(v) => u64::try_from(v).ok()?,
        Value::Int32(v) => u64::try_from(v).ok()?,
        Value::Int64(v) => u64::try_from(v).ok()?,
        _ => return None,
    })
}
