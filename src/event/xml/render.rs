//! Renders an [`Event`] exactly as EvtRender(EvtRenderEventXml) does.

use super::escape::push_escaped;
use super::memo::{self, Header, Memos};
use super::EVENT_NS;
use crate::event::{
    Body, DataItem, Element, Event, EventData, Guid, Node, Provider, System, Value,
};

/// Appends the one-line Windows rendering of `event` to `out`.
pub(crate) fn write_event(out: &mut String, event: &Event) {
    write_event_open(out);
    write_system(out, &event.system);
    match &event.body {
        Body::None => {}
        Body::EventData(data) => write_event_data(out, data),
        Body::UserData(nodes) => {
            out.push_str("<UserData>");
            for node in nodes {
                write_node(out, node);
            }
            out.push_str("</UserData>");
        }
        Body::Other(element) => write_element(out, element),
    }
    if let Some(info) = &event.rendering_info {
        // Always under its own name, whatever the element was called.
        write_named_element(out, "RenderingInfo", info);
    }
    write_event_close(out);
}

/// `<Event xmlns='…'>`, as every rendering starts.
pub(crate) fn write_event_open(out: &mut String) {
    out.push_str("<Event xmlns='");
    out.push_str(EVENT_NS);
    out.push_str("'>");
}

/// `</Event>`.
pub(crate) fn write_event_close(out: &mut String) {
    out.push_str("</Event>");
}

pub(crate) fn write_system(out: &mut String, s: &System) {
    memo::with(|memos| write_system_with(out, s, memos));
}

/// `write_system` with the thread's memos (if any): the provider, the header, Channel,
/// Computer and the user's SID are copied when they repeat (see `memo`).
fn write_system_with(out: &mut String, s: &System, mut memos: Option<&mut Memos>) {
    let mut num = itoa::Buffer::new();
    out.push_str("<System>");
    let provider = &s.provider;
    memo::push_with(
        memos.as_deref_mut(),
        |m| &mut m.provider,
        out,
        provider,
        |text| write_provider_text(text, provider),
    );
    let header: Header = (
        s.event_id,
        s.qualifiers,
        s.version,
        s.level,
        s.task,
        s.opcode,
        s.keywords,
    );
    memo::push_with(
        memos.as_deref_mut(),
        |m| m.header(&header),
        out,
        &header,
        |text| write_header(text, &header),
    );
    if let Some(t) = s.time_created {
        out.push_str("<TimeCreated SystemTime='");
        t.write_to(out);
        out.push_str("'/>");
    }
    if let Some(id) = s.event_record_id {
        text_num(out, "<EventRecordID>", num.format(id), "</EventRecordID>");
    }
    if let Some(c) = &s.correlation {
        out.push_str("<Correlation");
        if let Some(g) = &c.activity_id {
            attr_guid(out, " ActivityID='", g);
        }
        if let Some(g) = &c.related_activity_id {
            attr_guid(out, " RelatedActivityID='", g);
        }
        out.push_str("/>");
    }
    if let Some(e) = &s.execution {
        attr_num(out, "<Execution ProcessID='", num.format(e.process_id));
        attr_num(out, " ThreadID='", num.format(e.thread_id));
        if let Some(v) = e.processor_id {
            attr_num(out, " ProcessorID='", num.format(v));
        }
        if let Some(v) = e.session_id {
            attr_num(out, " SessionID='", num.format(v));
        }
        if let Some(v) = e.kernel_time {
            attr_num(out, " KernelTime='", num.format(v));
        }
        if let Some(v) = e.user_time {
            attr_num(out, " UserTime='", num.format(v));
        }
        if let Some(v) = e.processor_time {
            attr_num(out, " ProcessorTime='", num.format(v));
        }
        out.push_str("/>");
    }
    if let Some(c) = &s.channel {
        memo::push_with(
            memos.as_deref_mut(),
            |m| &mut m.channel,
            out,
            &**c,
            |text| text_str(text, "<Channel>", c, "</Channel>"),
        );
    }
    if let Some(c) = &s.computer {
        memo::push_with(
            memos.as_deref_mut(),
            |m| &mut m.computer,
            out,
            &**c,
            |text| text_str(text, "<Computer>", c, "</Computer>"),
        );
    }
    if let Some(sec) = &s.security {
        out.push_str("<Security");
        if let Some(sid) = &sec.user_id {
            out.push_str(" UserID='");
            memo::push_with(memos, |m| m.sid(sid), out, sid, |text| sid.write_to(text));
            out.push('\'');
        }
        out.push_str("/>");
    }
    out.push_str("</System>");
}

/// `<EventID [Qualifiers='q']>id</EventID>`.
#[inline]
pub(crate) fn write_event_id(out: &mut String, event_id: u16, qualifiers: Option<u16>) {
    let mut num = itoa::Buffer::new();
    out.push_str("<EventID");
    if let Some(q) = qualifiers {
        out.push_str(" Qualifiers='");
        out.push_str(num.format(q));
        out.push('\'');
    }
    out.push('>');
    out.push_str(num.format(event_id));
    out.push_str("</EventID>");
}

/// EventID (with its Qualifiers) to Keywords: the part of System one template fixes.
fn write_header(out: &mut String, header: &Header) {
    let &(event_id, qualifiers, version, level, task, opcode, keywords) = header;
    let mut num = itoa::Buffer::new();
    write_event_id(out, event_id, qualifiers);
    if let Some(v) = version {
        text_num(out, "<Version>", num.format(v), "</Version>");
    }
    if let Some(v) = level {
        text_num(out, "<Level>", num.format(v), "</Level>");
    }
    if let Some(v) = task {
        text_num(out, "<Task>", num.format(v), "</Task>");
    }
    if let Some(v) = opcode {
        text_num(out, "<Opcode>", num.format(v), "</Opcode>");
    }
    if let Some(k) = keywords {
        out.push_str("<Keywords>");
        crate::event::write_hex_lower(out, k);
        out.push_str("</Keywords>");
    }
}

fn write_event_data(out: &mut String, data: &EventData) {
    write_event_data_open(out, data.name.as_deref());
    for item in &data.items {
        match item {
            DataItem::Data { name, value } => write_data(out, name.as_deref(), value),
            DataItem::Binary(bytes) => write_binary(out, bytes),
            DataItem::Element(e) => write_element(out, e),
        }
    }
    write_event_data_close(out);
}

/// `<EventData>`, or `<EventData Name='name'>`.
pub(crate) fn write_event_data_open(out: &mut String, name: Option<&str>) {
    match name {
        Some(name) => {
            attr_str(out, "<EventData Name='", name);
            out.push('>');
        }
        None => out.push_str("<EventData>"),
    }
}

/// `</EventData>`.
pub(crate) fn write_event_data_close(out: &mut String) {
    out.push_str("</EventData>");
}

/// `<Data [Name='name']>value</Data>`.
pub(crate) fn write_data(out: &mut String, name: Option<&str>, value: &Value) {
    write_data_open(out, name);
    write_value(out, value);
    out.push_str("</Data>");
}

/// `<Data Name='name'>` or `<Data>`.
pub(crate) fn write_data_open(out: &mut String, name: Option<&str>) {
    match name {
        Some(name) => {
            out.push_str("<Data Name='");
            push_escaped(out, name);
            out.push_str("'>");
        }
        None => out.push_str("<Data>"),
    }
}

/// `<Binary>HEX</Binary>`.
pub(crate) fn write_binary(out: &mut String, bytes: &[u8]) {
    out.push_str("<Binary>");
    crate::event::write_hex_upper(out, bytes);
    out.push_str("</Binary>");
}

/// `<Provider …/>` (copied from the thread's memo when it repeats).
pub(crate) fn write_provider(out: &mut String, p: &Provider) {
    memo::with(|memos| {
        memo::push_with(
            memos,
            |m| &mut m.provider,
            out,
            p,
            |text| write_provider_text(text, p),
        )
    });
}

fn write_provider_text(out: &mut String, p: &Provider) {
    out.push_str("<Provider");
    if let Some(name) = &p.name {
        attr_str(out, " Name='", name);
    }
    if let Some(guid) = &p.guid {
        attr_guid(out, " Guid='", guid);
    }
    if let Some(source) = &p.event_source_name {
        attr_str(out, " EventSourceName='", source);
    }
    out.push_str("/>");
}

/// Writes a generic element: self-closed when it has no children.
pub(crate) fn write_element(out: &mut String, e: &Element) {
    write_named_element(out, &e.name, e);
}

fn write_named_element(out: &mut String, name: &str, e: &Element) {
    out.push('<');
    out.push_str(name);
    for a in &e.attributes {
        out.push(' ');
        out.push_str(&a.name);
        out.push_str("='");
        write_value(out, &a.value);
        out.push('\'');
    }
    if e.children.is_empty() {
        out.push_str("/>");
        return;
    }
    out.push('>');
    for child in &e.children {
        write_node(out, child);
    }
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

pub(crate) fn write_node(out: &mut String, node: &Node) {
    match node {
        Node::Element(e) => write_element(out, e),
        Node::Value(v) => write_value(out, v),
        Node::CData(text) => write_cdata(out, text),
        Node::ProcessingInstruction { target, data } => write_pi(out, target, data),
    }
}

/// Writes a processing instruction.
pub(crate) fn write_pi(out: &mut String, target: &str, data: &str) {
    out.push_str("<?");
    out.push_str(target);
    // The parser drops the space after the target, so leading space is not data.
    let data = data.trim_start();
    if !data.is_empty() {
        out.push(' ');
        out.push_str(&data.replace("?>", "? >"));
    }
    out.push_str("?>");
}

/// Writes a CDATA section. `]]>` cannot stand inside one section, so it is split across
/// two; CR and LF are written between sections as character references to keep one line.
pub(crate) fn write_cdata(out: &mut String, text: &str) {
    out.push_str("<![CDATA[");
    let mut rest = text;
    while let Some(i) = rest.find(['\r', '\n', '\0', ']']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("]]>") {
            out.push_str("]]]]><![CDATA[>");
            rest = after;
            continue;
        }
        match tail.as_bytes()[0] {
            b'\r' => out.push_str("]]>&#13;<![CDATA["),
            b'\n' => out.push_str("]]>&#10;<![CDATA["),
            b']' => out.push(']'),
            _ => {} // NUL cannot be written in XML.
        }
        rest = &tail[1..];
    }
    out.push_str(rest);
    out.push_str("]]>");
}

/// Writes a value in its text form, escaped. Strings go straight to the escaper; other types
/// produce only characters that need no escape, except `Xml`, which is written as is.
pub(crate) fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::String(s) | Value::AnsiString(s) => push_escaped(out, s),
        Value::Xml(s) => out.push_str(s),
        Value::Sid(sid) => memo::with(|memos| {
            memo::push_with(memos, |m| m.sid(sid), out, sid, |text| sid.write_to(text))
        }),
        Value::Array(a) => {
            for (i, item) in a.items().iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
        }
        other => other.write_text(out),
    }
}

// The helpers below take whole literal pieces (`" Name='"`, `"<Level>"`) so that each piece
// is one push: rendering is dominated by the number of pushes, not by the bytes.

#[inline]
pub(crate) fn attr_str(out: &mut String, prefix: &str, value: &str) {
    out.push_str(prefix);
    push_escaped(out, value);
    out.push('\'');
}

#[inline]
pub(crate) fn attr_num(out: &mut String, prefix: &str, digits: &str) {
    out.push_str(prefix);
    out.push_str(digits);
    out.push('\'');
}

#[inline]
pub(crate) fn attr_guid(out: &mut String, prefix: &str, guid: &Guid) {
    out.push_str(prefix);
    guid.write_to(out);
    out.push('\'');
}

#[inline]
pub(crate) fn text_num(out: &mut String, open: &str, digits: &str, close: &str) {
    out.push_str(open);
    out.push_str(digits);
    out.push_str(close);
}

fn text_str(out: &mut String, open: &str, text: &str, close: &str) {
    out.push_str(open);
    push_escaped(out, text);
    out.push_str(close);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `write_system` renders the System children in the order of their one table.
    #[test]
    fn write_system_follows_the_system_children_table() {
        use crate::event::{FileTime, System, SystemChild};
        let s = System {
            version: Some(1),
            level: Some(2),
            task: Some(3),
            opcode: Some(4),
            keywords: Some(5),
            time_created: Some(FileTime(6)),
            event_record_id: Some(7),
            correlation: Some(Default::default()),
            execution: Some(Default::default()),
            channel: Some("c".into()),
            computer: Some("m".into()),
            security: Some(Default::default()),
            ..System::default()
        };
        let mut xml = String::new();
        write_system(&mut xml, &s);
        let mut at = 0;
        for child in SystemChild::ALL {
            let open = format!("<{}", child.name());
            let found = xml[at..].find(&open).map(|p| p + at);
            assert!(found.is_some(), "{open} after {at} in {xml}");
            at = found.unwrap_or(at) + open.len();
        }
    }
    use crate::event::{Security, Sid};

    /// The thread's last provider is reused only for an equal one: a sequence that changes
    /// each field in turn, and comes back, renders each as if alone.
    #[test]
    fn provider_memo_renders_each_provider_as_if_alone() {
        let guid = |v: u128| Some(Guid::from_u128(v));
        let a = Provider {
            name: Some("Microsoft-Windows-Security-Auditing".into()),
            guid: guid(0x54849625_5478_4994_a5ba_3e3b0328c30d),
            event_source_name: None,
        };
        let other_guid = Provider {
            guid: guid(1),
            ..a.clone()
        };
        let classic = Provider {
            name: Some("Service Control Manager".into()),
            guid: None,
            event_source_name: Some("Service Control Manager".into()),
        };
        let escaped = Provider {
            name: Some("a&b'c".into()),
            ..Provider::default()
        };
        let sequence = [
            a.clone(),
            a.clone(),
            other_guid,
            a.clone(),
            Provider::default(),
            classic,
            escaped,
            Provider::default(),
            a,
        ];
        for p in &sequence {
            let mut memo = String::from("prefix");
            write_provider(&mut memo, p);
            let mut alone = String::from("prefix");
            write_provider_text(&mut alone, p);
            assert_eq!(memo, alone, "{p:?}");
        }
    }

    /// With the thread's memos, System renders exactly as without them: over generated
    /// events of every profile, then over variants that change one memoized field at a time,
    /// share a slot with different content (SIDs of one RID in two domains; EventIDs whose
    /// slots collide), or drop fields, and come back.
    #[test]
    fn memoized_system_renders_as_without_memos() {
        fn check(s: &System) {
            let mut memo = String::from("prefix");
            write_system(&mut memo, s);
            let mut plain = String::from("prefix");
            write_system_with(&mut plain, s, None);
            assert_eq!(memo, plain, "{s:?}");
        }
        let mut generator = crate::gen::Generator::new(7);
        for _ in 0..200 {
            for profile in crate::gen::Profile::ALL {
                check(&generator.next_event(profile).system);
            }
        }
        let base = generator.next_event(crate::gen::Profile::Security).system;
        let sid = |domain: u32, rid: u32| Sid::new(5, &[21, domain, 7, 9, rid]).unwrap();
        // Two EventIDs that share a header slot.
        let slot = |id: u16| super::memo::spread(u64::from(id), 5);
        let twin = (1..u16::MAX)
            .find(|&id| id != base.event_id && slot(id) == slot(base.event_id))
            .unwrap();
        let variants: Vec<System> = vec![
            System {
                event_id: twin,
                ..base.clone()
            },
            System {
                qualifiers: Some(16384),
                ..base.clone()
            },
            System {
                version: None,
                ..base.clone()
            },
            System {
                level: Some(4),
                ..base.clone()
            },
            System {
                task: Some(1),
                ..base.clone()
            },
            System {
                opcode: None,
                ..base.clone()
            },
            System {
                keywords: Some(1),
                ..base.clone()
            },
            System {
                channel: Some("Sec&urity".into()),
                ..base.clone()
            },
            System {
                channel: None,
                ..base.clone()
            },
            System {
                computer: Some("other".into()),
                ..base.clone()
            },
            System {
                security: Some(Security {
                    user_id: Some(sid(1, 500)),
                }),
                ..base.clone()
            },
            System {
                security: Some(Security {
                    user_id: Some(sid(2, 500)),
                }),
                ..base.clone()
            },
            System {
                security: Some(Security { user_id: None }),
                ..base.clone()
            },
            System::default(),
        ];
        for v in &variants {
            check(v);
            check(&base);
        }
    }
}
