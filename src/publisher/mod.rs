//! Publishers (providers): what each declares, and the registry of installed ones.
//!
//! Owns: the provider model (`model`), locales (`locale`), the Winmeta tables (`winmeta`),
//! EvtFormatMessage's formatting (`format`), instrumentation manifests (`manifest`: .man text
//! to `Publisher`s; `write_manifest`: `Publisher`s back to a manifest, the form of an archived
//! log's side-car), provider resource files (`pe`, `resources*`: PE images, MESSAGETABLE,
//! WEVT_TEMPLATE, the resolution of Windows paths) and [`Publishers`], the
//! registry an [`Engine`](crate::Engine) keeps. The formats that produce providers
//! (manifests, PE resources, classic sources) and the functions that read them (publisher
//! metadata, EvtFormatMessage, the producer API) build on this module.
//!
//! Invariants:
//! 1. Names are unique under Windows' case-insensitive comparison; the registry keeps
//!    installation order, which EvtNextPublisherId enumerates (Windows' list is unsorted).
//! 2. An installed provider is immutable (`Arc<Publisher>`): reinstalling replaces the
//!    `Arc`, so a holder can tell its provider was uninstalled or upgraded by comparing
//!    pointers (ERROR_EVT_PUBLISHER_DISABLED, 15037).

mod format;
mod locale;
mod manifest;
mod model;
mod pe;
mod resources;
mod resources_resolve;
mod resources_types;
mod resources_wevt;
#[allow(dead_code)] // read by the metadata and formatting functions
pub(crate) mod winmeta;
mod write_manifest;

use std::sync::Arc;

use parking_lot::RwLock;

#[cfg(test)]
pub(crate) use format::tests::{sample_event, sample_publisher};
pub(crate) use format::{format_event, format_event_unreplaced, format_id};
pub use format::{FormatWhat, Formatted};
pub use locale::{culture_of, lcid_of, DEFAULT_CULTURE, DEFAULT_LCID};
pub use manifest::{parse_manifest, MAX_DEPTH as MAX_MANIFEST_DEPTH, MAX_MANIFEST_BYTES};
pub use model::{
    ChannelDefinition, ChannelRef, ClassicSource, EventDefinition, Keyword, Level, Map, MapKind,
    Messages, Opcode, Publisher, Task, Template, TemplateItem,
};
pub use pe::ResourceId;
pub use resources::{ResourceFile, RT_MESSAGETABLE, WEVT_TEMPLATE};
pub use resources_resolve::{load_resources, ResourceResolver, WINDIR_ENV};
pub use resources_types::{default_out_type, in_type_name, out_type_name};
pub use write_manifest::{manifest_xml, read_archive};

/// The installed providers, in installation order.
#[derive(Debug, Default)]
pub struct Publishers {
    list: RwLock<Vec<Arc<Publisher>>>,
}

impl Publishers {
    /// Installs `provider`, replacing an installed one of the same name (any case).
    /// Returns the provider it replaced.
    pub fn install(&self, provider: Publisher) -> Option<Arc<Publisher>> {
        let mut list = self.list.write();
        let provider = Arc::new(provider);
        match list
            .iter()
            .position(|p| p.name.eq_ignore_ascii_case(&provider.name))
        {
            Some(i) => Some(std::mem::replace(&mut list[i], provider)),
            None => {
                list.push(provider);
                None
            }
        }
    }

    /// Removes the provider of that name (any case) and returns it.
    pub fn uninstall(&self, name: &str) -> Option<Arc<Publisher>> {
        let mut list = self.list.write();
        let i = list
            .iter()
            .position(|p| p.name.eq_ignore_ascii_case(name))?;
        Some(list.remove(i))
    }

    /// Replaces the installed `old` (the same `Arc`) with `new`, which must have its name;
    /// returns the `Arc` now installed, or `None` when `old` is no longer installed (it
    /// was uninstalled or replaced meanwhile, and stays so).
    pub fn replace(&self, old: &Arc<Publisher>, new: Publisher) -> Option<Arc<Publisher>> {
        let mut list = self.list.write();
        let slot = list.iter_mut().find(|p| Arc::ptr_eq(p, old))?;
        *slot = Arc::new(new);
        Some(Arc::clone(slot))
    }

    /// The installed provider of that name (any case).
    pub fn get(&self, name: &str) -> Option<Arc<Publisher>> {
        self.list
            .read()
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .cloned()
    }

    /// The installed provider with that GUID.
    pub fn by_guid(&self, guid: crate::event::Guid) -> Option<Arc<Publisher>> {
        self.list.read().iter().find(|p| p.guid == guid).cloned()
    }

    /// Every installed provider, in installation order.
    pub fn list(&self) -> Vec<Arc<Publisher>> {
        self.list.read().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> Publisher {
        Publisher {
            name: name.into(),
            ..Publisher::default()
        }
    }

    #[test]
    fn install_keeps_order_and_replaces_by_name_in_any_case() {
        let publishers = Publishers::default();
        assert!(publishers.install(named("B-Provider")).is_none());
        assert!(publishers.install(named("A-Provider")).is_none());
        let old = publishers.get("b-provider").unwrap();
        let replaced = publishers.install(named("b-PROVIDER")).unwrap();
        assert!(Arc::ptr_eq(&old, &replaced));
        let names: Vec<_> = publishers.list().iter().map(|p| p.name.clone()).collect();
        assert_eq!(names, ["b-PROVIDER", "A-Provider"]);
        assert!(!Arc::ptr_eq(&old, &publishers.get("B-provider").unwrap()));
        assert!(publishers.uninstall("a-provider").is_some());
        assert!(publishers.get("A-Provider").is_none());
        assert!(publishers.uninstall("A-Provider").is_none());
    }
}
