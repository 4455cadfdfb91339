//! A minimal check of SDDL (Security Descriptor Definition Language), for a channel's
//! access (EvtChannelConfigAccess): the parts `O:` owner, `G:` group, `D:` and `S:` (flags,
//! then `(type;flags;rights;object;inherited object;account)` ACEs), each at most once.
//! What it rejects, Windows' parser rejects too; it does not check that the rights and
//! aliases exist.

/// A minimal check of SDDL: `O:` owner, `G:` group, `D:`/`S:` with optional flags and a
/// list of `(type;flags;rights;object;inherited object;account)` ACEs, in that order of
/// parts. What the check rejects, Windows' parser rejects too.
pub(crate) fn check(sddl: &str) -> std::result::Result<(), String> {
    let mut rest = sddl.trim();
    if rest.is_empty() {
        return Err("empty".into());
    }
    let mut seen = String::new();
    while !rest.is_empty() {
        let part = rest.get(..2).unwrap_or(rest);
        let tag = match part {
            "O:" | "G:" | "D:" | "S:" => part.as_bytes()[0] as char,
            _ => {
                let at = sddl.len() - rest.len();
                return Err(format!(
                    "at offset {at}: expected O:, G:, D: or S:, found {rest:.8}"
                ));
            }
        };
        if seen.contains(tag) {
            return Err(format!("{tag}: appears twice"));
        }
        seen.push(tag);
        rest = &rest[2..];
        // The part ends where the next `X:` starts outside an ACE.
        let bytes = rest.as_bytes();
        let mut depth = 0i32;
        let mut end = rest.len();
        for i in 0..bytes.len() {
            match bytes[i] {
                b'(' => depth += 1,
                b')' => depth -= 1,
                b'O' | b'G' | b'D' | b'S' if depth == 0 && bytes.get(i + 1) == Some(&b':') => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let body = &rest[..end];
        rest = &rest[end..];
        match tag {
            'O' | 'G' => {
                if !is_account(body) {
                    return Err(format!("{tag}: {body:?} is not a SID or an account alias"));
                }
            }
            _ => {
                let aces_at = body.find('(').unwrap_or(body.len());
                let flags = &body[..aces_at];
                if !flags
                    .bytes()
                    .all(|b| matches!(b, b'P' | b'A' | b'R' | b'I' | b'N' | b'O' | b'U' | b'C'))
                {
                    return Err(format!("{tag}: bad ACL flags {flags:?}"));
                }
                let mut aces = &body[aces_at..];
                while !aces.is_empty() {
                    let Some(close) = aces.find(')').filter(|_| aces.starts_with('(')) else {
                        return Err(format!("{tag}: an ACE must be (…), found {aces:.12}"));
                    };
                    check_ace(&aces[1..close]).map_err(|e| format!("{tag}: ACE {e}"))?;
                    aces = &aces[close + 1..];
                }
            }
        }
    }
    Ok(())
}

/// A SID (`S-1-5-32-573`) or a two-letter account alias (`SY`, `BA`).
fn is_account(s: &str) -> bool {
    if let Some(rest) = s.strip_prefix("S-") {
        let parts: Vec<&str> = rest.split('-').collect();
        return parts.len() >= 2
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    }
    s.len() == 2 && s.bytes().all(|b| b.is_ascii_uppercase())
}

/// One ACE's six fields.
fn check_ace(ace: &str) -> std::result::Result<(), String> {
    let fields: Vec<&str> = ace.split(';').collect();
    let [kind, _flags, rights, _object, _inherited, account] = fields.as_slice() else {
        return Err(format!("({ace}) has {} fields, needs 6", fields.len()));
    };
    if kind.is_empty() || !kind.bytes().all(|b| b.is_ascii_uppercase()) {
        return Err(format!("({ace}): bad type {kind:?}"));
    }
    let hex = rights
        .strip_prefix("0x")
        .or_else(|| rights.strip_prefix("0X"))
        .is_some_and(|h| !h.is_empty() && u32::from_str_radix(h, 16).is_ok());
    let codes = !rights.is_empty()
        && rights.len() % 2 == 0
        && rights.bytes().all(|b| b.is_ascii_uppercase());
    if !hex && !codes && rights.parse::<u32>().is_err() {
        return Err(format!("({ace}): bad rights {rights:?}"));
    }
    if !is_account(account) {
        return Err(format!("({ace}): bad account {account:?}"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;

    #[test]
    fn windows_descriptors_pass() {
        for sddl in [
            "O:BAG:SYD:(A;;0xf0007;;;SY)(A;;0x7;;;BA)(A;;0x3;;;BO)(A;;0x5;;;SO)(A;;0x1;;;IU)",
            "O:BAG:SYD:(A;;0xf0005;;;SY)(A;;0x5;;;BA)(A;;0x1;;;S-1-5-32-573)",
            "O:BAG:SYD:(A;;CCLCSDRCWDWO;;;SY)(A;;CCLC;;;BA)(A;;CC;;;ER)(A;;CC;;;NS)",
            "O:SOD:(A;;0x1;;;S-1-15-3-1024-3153509613-960666767)",
            "D:PAI(A;OICI;FA;;;SY)S:(AU;SA;0x7;;;WD)",
            "G:SY",
        ] {
            assert_eq!(check(sddl), Ok(()), "{sddl}");
        }
    }

    #[test]
    fn garbage_is_refused_with_where() {
        for (sddl, says) in [
            ("", "empty"),
            ("garbage", "at offset 0"),
            ("O:BAO:BA", "appears twice"),
            ("O:B-A", "not a SID"),
            ("D:(A;;0x7;;BA)", "5 fields"),
            ("D:(A;;0x7;;;BA", "(…)"),
            ("D:(A;;0xZZ;;;BA)", "bad rights"),
            ("D:(a;;0x7;;;BA)", "bad type"),
            ("D:(A;;0x7;;;S-1-)", "bad account"),
            ("D:XY(A;;0x7;;;BA)", "bad ACL flags"),
        ] {
            let e = check(sddl).expect_err(sddl);
            assert!(e.contains(says), "{sddl}: {e}");
        }
    }
}
