//! How mc.exe numbers a manifest's messages, one function per
//! kind, and the counters of the kinds numbered by position.
//!
//! Invariant: every id a manifest item gets without an explicit `messageTable` entry comes
//! from here. Choices where mc's rule was not observed (task-specific opcodes, tasks other
//! than 0, provider-before-channels order, one counter per kind across the manifest) are
//! documented on each function and in README's fidelity table.

/// A keyword of mask bit `bit`: `0x10000000 + bit + 1` (Winmeta: bit 48 → 0x10000031).
pub fn keyword(mask: u64) -> u32 {
    0x1000_0000 + mask.trailing_zeros() + 1
}

/// An opcode: `0x30000000 | opcode << 16`, plus its task in the low word for a
/// task-specific opcode (the low word mirrors the metadata value `opcode << 16 | task`;
/// not observed in mc output, chosen).
pub fn opcode(opcode: u8, task: u16) -> u32 {
    0x3000_0000 | u32::from(opcode) << 16 | u32::from(task)
}

/// A level: `0x50000000 | value`.
pub fn level(value: u8) -> u32 {
    0x5000_0000 | u32::from(value)
}

/// A task: `0x70000000 | value` (observed for task 0 only).
pub fn task(value: u16) -> u32 {
    0x7000_0000 | u32::from(value)
}

/// An event: its own value on an imported legacy channel (Application, System, Security),
/// else `0xB0000000 | version << 16 | value`.
pub fn event(value: u16, version: u8, legacy_channel: bool) -> u32 {
    if legacy_channel {
        u32::from(value)
    } else {
        0xB000_0000 | u32::from(version) << 16 | u32::from(value)
    }
}

/// The kinds numbered by a counter, in the order items are met.
#[derive(Debug)]
pub struct Counters {
    /// Provider and channel messages: 0x90000001, 0x90000002, … (one counter; the provider
    /// first, then its channels in declaration order).
    names: u32,
    /// valueMap entries: 0xD0000001, … in declaration order across the manifest's maps.
    value_maps: u32,
    /// bitMap entries: 0xF0000001, … in declaration order across the manifest's maps.
    bit_maps: u32,
}

impl Default for Counters {
    fn default() -> Counters {
        Counters {
            names: 0x9000_0000,
            value_maps: 0xD000_0000,
            bit_maps: 0xF000_0000,
        }
    }
}

impl Counters {
    /// The next provider or channel message id.
    pub fn name(&mut self) -> u32 {
        self.names = self.names.saturating_add(1);
        self.names
    }

    /// The next valueMap entry id.
    pub fn value_map(&mut self) -> u32 {
        self.value_maps = self.value_maps.saturating_add(1);
        self.value_maps
    }

    /// The next bitMap entry id.
    pub fn bit_map(&mut self) -> u32 {
        self.bit_maps = self.bit_maps.saturating_add(1);
        self.bit_maps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ids of the manifest schema's worked example and of Winmeta.
    #[test]
    fn ids_follow_the_observed_rules() {
        assert_eq!(keyword(0x1), 0x1000_0001);
        assert_eq!(keyword(0x0001_0000_0000_0000), 0x1000_0031);
        assert_eq!(keyword(0x0080_0000_0000_0000), 0x1000_0038);
        assert_eq!(opcode(0, 0), 0x3000_0000);
        assert_eq!(opcode(240, 0), 0x30F0_0000);
        assert_eq!(opcode(10, 1), 0x300A_0001);
        assert_eq!(opcode(11, 0), 0x300B_0000);
        assert_eq!(level(16), 0x5000_0010);
        assert_eq!(task(1), 0x7000_0001);
        assert_eq!(event(100, 0, false), 0xB000_0064);
        assert_eq!(event(101, 1, false), 0xB001_0065);
        assert_eq!(event(5, 1, false), 0xB001_0005);
        assert_eq!(event(200, 0, true), 0xC8);
        assert_eq!(event(4608, 0, true), 0x1200);
        let mut c = Counters::default();
        assert_eq!((c.name(), c.name()), (0x9000_0001, 0x9000_0002));
        assert_eq!((c.value_map(), c.value_map()), (0xD000_0001, 0xD000_0002));
        assert_eq!(c.bit_map(), 0xF000_0001);
    }
}
