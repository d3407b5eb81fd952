//! Compact, opaque identifiers for everything the model stores.
//!
//! Architecture invariant: the engine never keys its hot tables by strings. Tenants, users,
//! groups, sync configurations and MTOs are dense indexes into `Vec`s owned by the
//! [`World`](crate::World); GUIDs and UPNs are rendered only when someone looks at them.

use std::fmt;

macro_rules! index_type {
    ($(#[$doc:meta])* $name:ident($inner:ty)) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub $inner);

        impl $name {
            /// The index as a `usize`, for slicing the owning table.
            #[inline]
            pub fn ix(self) -> usize {
                self.0 as usize
            }
        }
    };
}

index_type!(
    /// A tenant of the simulated world (at most [`crate::limits::TENANTS_COUNT_MAX`]).
    TenantIdx(u16)
);
index_type!(
    /// A user object in one tenant's directory (internal or external).
    UserIdx(u32)
);
index_type!(
    /// A group in one tenant's directory.
    GroupIdx(u32)
);
index_type!(
    /// A cross-tenant synchronization configuration (source tenant to target tenant).
    ConfigIdx(u32)
);
index_type!(
    /// A multitenant organization (the shared object behind each tenant's local view, MTO-2).
    MtoIdx(u32)
);
index_type!(
    /// An asynchronous operation (a join or a removal) whose outcome arrives later.
    OpId(u32)
);

/// A GUID, stored as 128 bits and rendered in the usual 8-4-4-4-12 lowercase form.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Guid(pub u128);

impl Guid {
    /// The all-zero GUID, which resets a failed join request (MTO-29).
    pub const ZERO: Guid = Guid(0);

    /// A version-4-shaped GUID derived deterministically from a seed and some labels.
    pub fn derive(seed: u64, labels: &[&[u8]]) -> Guid {
        let mut h1 = crate::hash::Fnv64::new(seed);
        let mut h2 = crate::hash::Fnv64::new(seed ^ 0x9e37_79b9_7f4a_7c15);
        for l in labels {
            h1.write(l);
            h1.write(&[0xff]);
            h2.write(&[0xfe]);
            h2.write(l);
        }
        let hi = crate::hash::mix64(h1.finish()) as u128;
        let lo = crate::hash::mix64(h2.finish()) as u128;
        let mut v = (hi << 64) | lo;
        // version 4, variant 10xx
        v &= !(0xf000u128 << 64);
        v |= 0x4000u128 << 64;
        v &= !(0xc000_0000_0000_0000u128);
        v |= 0x8000_0000_0000_0000u128;
        Guid(v)
    }

    /// The 32 hex digits without dashes.
    pub fn simple(&self) -> String {
        format!("{:032x}", self.0)
    }

    /// Parses the 8-4-4-4-12 form (case-insensitive).
    pub fn parse(s: &str) -> Option<Guid> {
        let b = s.as_bytes();
        if b.len() != 36 {
            return None;
        }
        let mut v: u128 = 0;
        for (i, &c) in b.iter().enumerate() {
            if matches!(i, 8 | 13 | 18 | 23) {
                if c != b'-' {
                    return None;
                }
                continue;
            }
            let d = (c as char).to_digit(16)?;
            v = (v << 4) | d as u128;
        }
        Some(Guid(v))
    }
}

impl fmt::Display for Guid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        write!(
            f,
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            (v >> 96) as u32,
            (v >> 80) as u16,
            (v >> 64) as u16,
            (v >> 48) as u16,
            (v & 0xffff_ffff_ffff) as u64
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guid_round_trips_through_text() {
        let g = Guid::derive(7, &[b"contoso"]);
        let s = g.to_string();
        assert_eq!(s.len(), 36);
        assert_eq!(&s[14..15], "4", "version nibble");
        assert_eq!(Guid::parse(&s), Some(g));
        assert_eq!(Guid::ZERO.to_string(), "00000000-0000-0000-0000-000000000000");
    }

    #[test]
    fn guid_derivation_depends_on_seed_and_labels() {
        assert_eq!(Guid::derive(1, &[b"a"]), Guid::derive(1, &[b"a"]));
        assert_ne!(Guid::derive(1, &[b"a"]), Guid::derive(2, &[b"a"]));
        assert_ne!(Guid::derive(1, &[b"a"]), Guid::derive(1, &[b"b"]));
        assert_ne!(Guid::derive(1, &[b"ab"]), Guid::derive(1, &[b"a", b"b"]));
    }

    #[test]
    fn guid_parse_rejects_malformed_text() {
        assert_eq!(Guid::parse("not-a-guid"), None);
        assert_eq!(Guid::parse("aaaaaaaa-0000-4000-8000-00000000000g"), None);
        assert_eq!(Guid::parse("aaaaaaaa+0000-4000-8000-000000000001"), None);
    }
}
