//! The children of `<System>`: one declaration of their names, their order, and the value
//! each holds ([`SystemChild`]), and [`SystemFields`], a set of them (the ones a filter
//! reads, so that a reader can decode less).
//!
//! The XML parser, the EVTX decoder's mappings and plans, the EVTX writer's names and the
//! query's fields take their names from here, so a child is spelt once.
//!
//! Invariants:
//! - The table is in Windows' element order, the order `write_system` renders
//!   (and the fields of [`System`](super::System)); a child's index there is its bit in a
//!   [`SystemFields`].
//! - A set is conservative: a name it cannot hold (any name not in the table) makes it
//!   [`SystemFields::ALL`].

/// What a child of `<System>` holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SystemValue {
    /// Attributes only, no content.
    Attributes,
    /// An unsigned integer at most `max`, as decimal text.
    UInt { max: u64 },
    /// A 64-bit unsigned integer written in hex (`0x…`).
    Hex,
    /// Text.
    Text,
}

/// One declaration: each child's variant, its element name and what it holds, in Windows'
/// element order.
macro_rules! system_children {
    ($($child:ident => $name:literal, $value:expr;)*) => {
        /// A child element of `<System>`.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub(crate) enum SystemChild {
            $($child,)*
        }

        impl SystemChild {
            /// Every child, in Windows' element order.
            #[cfg(test)]
            pub(crate) const ALL: [SystemChild; [$($name),*].len()] = [$(SystemChild::$child,)*];

            /// The element's name.
            pub(crate) const fn name(self) -> &'static str {
                match self {
                    $(SystemChild::$child => $name,)*
                }
            }

            /// What the element holds.
            pub(crate) const fn value(self) -> SystemValue {
                match self {
                    $(SystemChild::$child => $value,)*
                }
            }

            /// The child named `local` (a name without its prefix), if there is one.
            pub(crate) fn from_name(local: &str) -> Option<SystemChild> {
                match local {
                    $($name => Some(SystemChild::$child),)*
                    _ => None,
                }
            }
        }
    };
}

system_children! {
    Provider => "Provider", SystemValue::Attributes;
    EventId => "EventID", SystemValue::UInt { max: u16::MAX as u64 };
    Version => "Version", SystemValue::UInt { max: u8::MAX as u64 };
    Level => "Level", SystemValue::UInt { max: u8::MAX as u64 };
    Task => "Task", SystemValue::UInt { max: u16::MAX as u64 };
    Opcode => "Opcode", SystemValue::UInt { max: u8::MAX as u64 };
    Keywords => "Keywords", SystemValue::Hex;
    TimeCreated => "TimeCreated", SystemValue::Attributes;
    EventRecordId => "EventRecordID", SystemValue::UInt { max: u64::MAX };
    Correlation => "Correlation", SystemValue::Attributes;
    Execution => "Execution", SystemValue::Attributes;
    Channel => "Channel", SystemValue::Text;
    Computer => "Computer", SystemValue::Text;
    Security => "Security", SystemValue::Attributes;
}

impl SystemChild {
    /// Its bit in a [`SystemFields`].
    pub(crate) const fn bit(self) -> u16 {
        1 << self as u16
    }

    /// Its integer content in `s`, for the children holding one (EventID, Version, Level,
    /// Task, Opcode, Keywords, EventRecordID); `None` for the others, or where absent.
    #[inline]
    pub(crate) fn integer(self, s: &super::System) -> Option<u64> {
        match self {
            SystemChild::EventId => Some(u64::from(s.event_id)),
            SystemChild::Version => s.version.map(u64::from),
            SystemChild::Level => s.level.map(u64::from),
            SystemChild::Task => s.task.map(u64::from),
            SystemChild::Opcode => s.opcode.map(u64::from),
            SystemChild::Keywords => s.keywords,
            SystemChild::EventRecordId => s.event_record_id,
            _ => None,
        }
    }

    /// Its text content in `s`, for the children holding text (Channel, Computer); `None`
    /// for the others, or where absent.
    #[inline]
    pub(crate) fn text(self, s: &super::System) -> Option<&str> {
        match self {
            SystemChild::Channel => s.channel.as_deref(),
            SystemChild::Computer => s.computer.as_deref(),
            _ => None,
        }
    }
}

/// A set of `<System>` children: the ones a filter reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SystemFields(u16);

impl SystemFields {
    pub(crate) const ALL: SystemFields = SystemFields(u16::MAX);
    pub(crate) const NONE: SystemFields = SystemFields(0);
    /// `TimeCreated` alone.
    pub(crate) const TIME_CREATED: SystemFields = SystemFields(SystemChild::TimeCreated.bit());

    /// The bit of the System child named `local` (without prefix); 0 if the set cannot
    /// name it (then it is always read).
    pub(crate) fn bit_of(local: &str) -> u16 {
        SystemChild::from_name(local).map_or(0, SystemChild::bit)
    }

    /// Whether a child with bit `bit` (from [`bit_of`](Self::bit_of)) is to be read.
    pub(crate) fn reads(self, bit: u16) -> bool {
        bit == 0 || self.0 & bit != 0
    }

    /// The set with the child named `local` too; [`SystemFields::ALL`] if the set cannot
    /// name it.
    pub(crate) fn with(self, local: &str) -> SystemFields {
        match SystemFields::bit_of(local) {
            0 => SystemFields::ALL,
            bit => SystemFields(self.0 | bit),
        }
    }

    pub(crate) fn union(self, other: SystemFields) -> SystemFields {
        SystemFields(self.0 | other.0)
    }

    /// The set whose bits are `bits` (one per child, in table order).
    #[cfg(test)]
    pub(crate) const fn from_bits(bits: u16) -> SystemFields {
        SystemFields(bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::System;

    #[test]
    fn one_bit_each_in_table_order() {
        // That `write_system` renders the children in this order is checked beside it
        // (event/xml/render.rs), so that this lower module does not import the renderer.
        for (i, child) in SystemChild::ALL.iter().enumerate() {
            assert_eq!(*child as usize, i);
            assert_eq!(SystemChild::from_name(child.name()), Some(*child));
            assert_eq!(SystemFields::bit_of(child.name()), 1 << i);
        }
        assert_eq!(SystemChild::from_name("System"), None);
        assert_eq!(SystemFields::bit_of("Unknown"), 0);
    }

    #[test]
    fn integer_children_read_their_fields() {
        let s = System {
            event_id: 4624,
            version: Some(2),
            keywords: Some(0x8020_0000_0000_0000),
            ..System::default()
        };
        assert_eq!(SystemChild::EventId.integer(&s), Some(4624));
        assert_eq!(SystemChild::Version.integer(&s), Some(2));
        assert_eq!(SystemChild::Level.integer(&s), None);
        assert_eq!(
            SystemChild::Keywords.integer(&s),
            Some(0x8020_0000_0000_0000)
        );
        assert_eq!(SystemChild::Channel.integer(&s), None);
        for child in SystemChild::ALL {
            let numeric = matches!(child.value(), SystemValue::UInt { .. } | SystemValue::Hex);
            let full = System {
                version: Some(1),
                level: Some(1),
                task: Some(1),
                opcode: Some(1),
                keywords: Some(1),
                event_record_id: Some(1),
                ..System::default()
            };
            assert_eq!(child.integer(&full).is_some(), numeric, "{child:?}");
            let full = System {
                channel: Some("Application".into()),
                computer: Some("host".into()),
                ..full
            };
            let text = child.value() == SystemValue::Text;
            assert_eq!(child.text(&full).is_some(), text, "{child:?}");
        }
    }
}
