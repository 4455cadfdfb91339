//! `templates/template`: data items (with the default outType of each inType), structs,
//! `binary` and `UserData`, checked against the maps and earlier items they name.

use std::collections::HashMap;

use super::provider::{required, Builder};
use super::xml::Node;
use crate::error::Result;
use crate::publisher::model::{Template, TemplateItem};

/// Every inType mc knows and its default outType (the manifest schema's; the counted types
/// from TDH).
const IN_TYPES: &[(&str, &str)] = &[
    ("win:UnicodeString", "xs:string"),
    ("win:AnsiString", "xs:string"),
    ("win:Int8", "xs:byte"),
    ("win:UInt8", "xs:unsignedByte"),
    ("win:Int16", "xs:short"),
    ("win:UInt16", "xs:unsignedShort"),
    ("win:Int32", "xs:int"),
    ("win:UInt32", "xs:unsignedInt"),
    ("win:Int64", "xs:long"),
    ("win:UInt64", "xs:unsignedLong"),
    ("win:Float", "xs:float"),
    ("win:Double", "xs:double"),
    ("win:Boolean", "xs:boolean"),
    ("win:Binary", "xs:hexBinary"),
    ("win:GUID", "xs:GUID"),
    ("win:Pointer", "win:HexInt64"),
    ("win:FILETIME", "xs:dateTime"),
    ("win:SYSTEMTIME", "xs:dateTime"),
    ("win:SID", "xs:string"),
    ("win:HexInt32", "win:HexInt32"),
    ("win:HexInt64", "win:HexInt64"),
    ("win:CountedUnicodeString", "xs:string"),
    ("win:CountedAnsiString", "xs:string"),
    ("win:CountedBinary", "xs:hexBinary"),
];

/// The inTypes whose size is fixed: `length` is illegal on them.
const FIXED_SIZE: &[&str] = &[
    "win:Int8",
    "win:UInt8",
    "win:Int16",
    "win:UInt16",
    "win:Int32",
    "win:UInt32",
    "win:Int64",
    "win:UInt64",
    "win:Float",
    "win:Double",
    "win:Boolean",
    "win:GUID",
    "win:Pointer",
    "win:FILETIME",
    "win:SYSTEMTIME",
    "win:HexInt32",
    "win:HexInt64",
];

/// The inTypes a `map` may decorate.
const MAPPABLE: &[&str] = &["win:UInt8", "win:UInt16", "win:UInt32"];

/// The items of one template (or struct) read so far: name → inType.
type Earlier = HashMap<String, String>;

impl Builder<'_, '_> {
    pub(super) fn templates(&mut self, templates: &Node) -> Result<()> {
        for node in templates.children_named("template") {
            let tid = required(self.doc, node, "tid")?.to_owned();
            let at = self.built.publisher.templates.len();
            if self.index.templates.insert(tid.clone(), at).is_some() {
                return Err(self.error(node, format!("template {tid} is defined twice")));
            }
            let mut earlier = Earlier::new();
            let mut template = Template {
                tid,
                items: Vec::new(),
                user_data: None,
            };
            for child in &node.children {
                match child.local.as_str() {
                    "data" => {
                        let item = self.data(child, &earlier)?;
                        earlier.insert(item.name.clone(), item.in_type.clone());
                        template.items.push(item);
                    }
                    "struct" => {
                        let item = self.structure(child, &earlier)?;
                        earlier.insert(item.name.clone(), String::new());
                        template.items.push(item);
                    }
                    "binary" => {
                        let name = required(self.doc, child, "name")?.to_owned();
                        self.check_unique(child, &name, &earlier)?;
                        earlier.insert(name.clone(), String::new());
                        template.items.push(TemplateItem {
                            name,
                            in_type: "win:Binary".into(),
                            out_type: "xs:hexBinary".into(),
                            map: None,
                            length: None,
                            count: None,
                            members: Vec::new(),
                        });
                    }
                    "UserData" => {
                        let raw = &self.doc.text()[child.content.clone()];
                        template.user_data = Some(raw.trim().to_owned());
                    }
                    _ => {}
                }
            }
            self.built.publisher.templates.push(template);
        }
        Ok(())
    }

    fn check_unique(&self, node: &Node, name: &str, earlier: &Earlier) -> Result<()> {
        if earlier.contains_key(name) {
            return Err(self.error(
                node,
                format!("item {name} is defined twice in its template"),
            ));
        }
        Ok(())
    }

    /// A `length` or `count`: a number, or the name of an earlier (numeric) item.
    fn size_ref(&self, node: &Node, attr: &str, earlier: &Earlier) -> Result<Option<String>> {
        let Some(text) = node.attr(attr) else {
            return Ok(None);
        };
        let numeric = text.bytes().all(|b| b.is_ascii_digit()) && !text.is_empty();
        if !numeric
            && !earlier
                .get(text)
                .is_some_and(|in_type| MAPPABLE.contains(&in_type.as_str()))
        {
            return Err(self.error(
                node,
                format!("{attr}=\"{text}\" is neither a number nor an earlier UInt8/16/32 item"),
            ));
        }
        Ok(Some(text.to_owned()))
    }

    fn data(&self, node: &Node, earlier: &Earlier) -> Result<TemplateItem> {
        let name = required(self.doc, node, "name")?.to_owned();
        self.check_unique(node, &name, earlier)?;
        let written = required(self.doc, node, "inType")?;
        let in_type = self
            .doc
            .winmeta_name(written)
            .and_then(|n| IN_TYPES.iter().find(|(t, _)| *t == n))
            .ok_or_else(|| self.error(node, format!("inType '{written}' is not a win: inType")))?;
        let out_type = match node.attr("outType") {
            Some(out) => match self.doc.winmeta_name(out) {
                Some(win) => win,
                None => out.to_owned(),
            },
            None => in_type.1.to_owned(),
        };
        let map = node.attr("map").map(str::to_owned);
        if let Some(map) = &map {
            if !self.index.maps.contains(map) {
                return Err(self.error(node, format!("map {map} is not defined")));
            }
            if !MAPPABLE.contains(&in_type.0) {
                return Err(self.error(
                    node,
                    format!("map needs a UInt8/16/32 item, not {}", in_type.0),
                ));
            }
        }
        let length = self.size_ref(node, "length", earlier)?;
        if length.is_some() && FIXED_SIZE.contains(&in_type.0) {
            return Err(self.error(
                node,
                format!("length is illegal on fixed-size {}", in_type.0),
            ));
        }
        if in_type.0 == "win:Binary" && length.is_none() {
            return Err(self.error(node, format!("win:Binary item {name} needs a length")));
        }
        Ok(TemplateItem {
            name,
            in_type: in_type.0.to_owned(),
            out_type,
            map,
            length,
            count: self.size_ref(node, "count", earlier)?,
            members: Vec::new(),
        })
    }

    fn structure(&self, node: &Node, earlier: &Earlier) -> Result<TemplateItem> {
        let name = required(self.doc, node, "name")?.to_owned();
        self.check_unique(node, &name, earlier)?;
        let mut members = Vec::new();
        let mut own = Earlier::new();
        for child in node.children_named("data") {
            let member = self.data(child, &own)?;
            own.insert(member.name.clone(), member.in_type.clone());
            members.push(member);
        }
        if members.is_empty() {
            return Err(self.error(node, format!("struct {name} has no data")));
        }
        Ok(TemplateItem {
            name,
            in_type: "win:Binary".into(),
            out_type: "xs:hexBinary".into(),
            map: None,
            length: self.size_ref(node, "length", earlier)?,
            count: self.size_ref(node, "count", earlier)?,
            members,
        })
    }
}
