//! The one table of template item types: TDH's inType and outType codes (the bytes a
//! WEVT_TEMPLATE item stores) to their manifest names, and each inType's default outType
//! (as the manifest schema documents them).
//!
//! Invariant: every inType's default outType is itself a named outType (tested).

/// inType codes (TDH_INTYPE; the same byte in WEVT template items) → manifest names.
const IN_TYPES: &[(u8, &str)] = &[
    (1, "win:UnicodeString"),
    (2, "win:AnsiString"),
    (3, "win:Int8"),
    (4, "win:UInt8"),
    (5, "win:Int16"),
    (6, "win:UInt16"),
    (7, "win:Int32"),
    (8, "win:UInt32"),
    (9, "win:Int64"),
    (10, "win:UInt64"),
    (11, "win:Float"),
    (12, "win:Double"),
    (13, "win:Boolean"),
    (14, "win:Binary"),
    (15, "win:GUID"),
    (16, "win:Pointer"),
    (17, "win:FILETIME"),
    (18, "win:SYSTEMTIME"),
    (19, "win:SID"),
    (20, "win:HexInt32"),
    (21, "win:HexInt64"),
    (22, "win:CountedUnicodeString"),
    (23, "win:CountedAnsiString"),
    (25, "win:CountedBinary"),
];

/// outType codes (TDH_OUTTYPE) → manifest names.
const OUT_TYPES: &[(u8, &str)] = &[
    (1, "xs:string"),
    (2, "xs:dateTime"),
    (3, "xs:byte"),
    (4, "xs:unsignedByte"),
    (5, "xs:short"),
    (6, "xs:unsignedShort"),
    (7, "xs:int"),
    (8, "xs:unsignedInt"),
    (9, "xs:long"),
    (10, "xs:unsignedLong"),
    (11, "xs:float"),
    (12, "xs:double"),
    (13, "xs:boolean"),
    (14, "xs:GUID"),
    (15, "xs:hexBinary"),
    (16, "win:HexInt8"),
    (17, "win:HexInt16"),
    (18, "win:HexInt32"),
    (19, "win:HexInt64"),
    (20, "win:PID"),
    (21, "win:TID"),
    (22, "win:Port"),
    (23, "win:IPv4"),
    (24, "win:IPv6"),
    (25, "win:SocketAddress"),
    (26, "win:CIMDateTime"),
    (27, "win:ETWTIME"),
    (28, "win:Xml"),
    (29, "win:ErrorCode"),
    (30, "win:Win32Error"),
    (31, "win:NTSTATUS"),
    (32, "win:HResult"),
    (33, "win:DateTimeCultureInsensitive"),
    (34, "win:Json"),
    (35, "win:Utf8"),
    (36, "win:Pkcs7WithTypeInfo"),
];

/// The manifest name of an inType code.
pub fn in_type_name(code: u8) -> Option<&'static str> {
    IN_TYPES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

/// The manifest name of an outType code (0, "none", has no name).
pub fn out_type_name(code: u8) -> Option<&'static str> {
    OUT_TYPES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

/// The default outType of an inType (the manifest schema's).
pub fn default_out_type(in_type: &str) -> &'static str {
    match in_type {
        "win:Int8" => "xs:byte",
        "win:UInt8" => "xs:unsignedByte",
        "win:Int16" => "xs:short",
        "win:UInt16" => "xs:unsignedShort",
        "win:Int32" => "xs:int",
        "win:UInt32" => "xs:unsignedInt",
        "win:Int64" => "xs:long",
        "win:UInt64" => "xs:unsignedLong",
        "win:Float" => "xs:float",
        "win:Double" => "xs:double",
        "win:Boolean" => "xs:boolean",
        "win:Binary" | "win:CountedBinary" => "xs:hexBinary",
        "win:GUID" => "xs:GUID",
        "win:Pointer" => "win:HexInt64",
        "win:FILETIME" | "win:SYSTEMTIME" => "xs:dateTime",
        "win:HexInt32" => "win:HexInt32",
        "win:HexInt64" => "win:HexInt64",
        _ => "xs:string",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_tables_name_every_code() {
        assert_eq!(in_type_name(1), Some("win:UnicodeString"));
        assert_eq!(in_type_name(21), Some("win:HexInt64"));
        assert_eq!(in_type_name(0), None);
        assert_eq!(out_type_name(1), Some("xs:string"));
        assert_eq!(out_type_name(18), Some("win:HexInt32"));
        assert_eq!(out_type_name(0), None);
        for &(_, name) in IN_TYPES {
            let out = default_out_type(name);
            assert!(OUT_TYPES.iter().any(|(_, n)| *n == out), "{name} → {out}");
        }
        assert_eq!(default_out_type("win:Pointer"), "win:HexInt64");
        assert_eq!(default_out_type("win:SID"), "xs:string");
    }
}
