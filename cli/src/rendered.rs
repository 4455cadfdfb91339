//! `qe /f:RenderedXml`: each event's XML with `<RenderingInfo>`, as EvtFormatMessage with
//! EvtFormatMessageXml gives it, through the engine's installed publishers, in the locale
//! of `/l`.
//!
//! Invariants:
//! - One publisher metadata object per provider name for the whole listing.
//! - An event whose publisher is not installed prints as its plain XML, with no
//!   RenderingInfo (what consumers fall back to when EvtOpenPublisherMetadata fails; README
//!   fidelity table). A warning (15029–15031) still prints the XML it came with; any other
//!   formatting error (15033 for a locale the publisher lacks) fails the command.

use std::collections::HashMap;

use evtlog::{lcid_of, Engine, Error, Event, FormatWhat, PublisherMetadata};

/// Renders events with their RenderingInfo.
pub struct Rendered {
    engine: Engine,
    lcid: u32,
    /// Provider name → its metadata (`None`: not installed).
    publishers: HashMap<String, Option<PublisherMetadata>>,
}

impl Rendered {
    /// `locale` is `/l`'s culture name (`fr-FR`); `None` is the fallback chain (LCID 0).
    pub fn new(engine: &Engine, locale: Option<&str>) -> Result<Rendered, String> {
        let lcid = match locale {
            None => 0,
            Some(name) => lcid_of(name)
                .ok_or_else(|| format!("/l takes a culture name such as en-US, not '{name}'"))?,
        };
        Ok(Rendered {
            engine: engine.clone(),
            lcid,
            publishers: HashMap::new(),
        })
    }

    /// Appends the event's rendered XML to `out`.
    pub fn write(&mut self, event: &Event, out: &mut String) -> Result<(), Error> {
        let name = event.system.provider.name.as_deref().unwrap_or("");
        if !self.publishers.contains_key(name) {
            let opened = self
                .engine
                .open_publisher_metadata(Some(name), self.lcid)
                .ok();
            self.publishers.insert(name.to_owned(), opened);
        }
        match &self.publishers[name] {
            None => event.write_xml(out),
            Some(metadata) => {
                let formatted = metadata.format(event, FormatWhat::Xml)?;
                out.push_str(formatted.text());
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use evtlog::{ErrorKind, Publisher};

    fn publisher() -> Publisher {
        let mut p = Publisher {
            name: "Contoso-Cli".into(),
            message_id: Some(1),
            ..Publisher::default()
        };
        p.messages.insert("en-US", 1, "Contoso CLI\r\n");
        p.messages.insert("fr-FR", 1, "CLI de Contoso\r\n");
        p
    }

    #[test]
    fn rendered_xml_through_installed_publishers_in_the_locale() {
        let engine = Engine::new();
        engine.publishers().install(publisher());
        let event = Event::builder("Contoso-Cli").event_id(1).build();
        let other = Event::builder("Not-Installed").event_id(1).build();
        let mut out = String::new();
        let mut r = Rendered::new(&engine, None).unwrap();
        r.write(&event, &mut out).unwrap();
        assert!(out.contains("<RenderingInfo Culture='en-US'><Message></Message><Level>Information</Level><Task>None</Task><Opcode>Info</Opcode><Channel></Channel><Provider>Contoso CLI</Provider><Keywords></Keywords></RenderingInfo></Event>"), "{out}");
        out.clear();
        r.write(&other, &mut out).unwrap();
        assert_eq!(out, other.to_xml());
        let mut fr = Rendered::new(&engine, Some("fr-fr")).unwrap();
        out.clear();
        fr.write(&event, &mut out).unwrap();
        assert!(out.contains("<RenderingInfo Culture='fr-FR'>"), "{out}");
        assert!(out.contains("<Provider>CLI de Contoso</Provider>"), "{out}");
        let mut de = Rendered::new(&engine, Some("de-DE")).unwrap();
        let e = de.write(&event, &mut out).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::MessageLocaleNotFound);
        assert!(Rendered::new(&engine, Some("xx-YY")).is_err());
    }
}
