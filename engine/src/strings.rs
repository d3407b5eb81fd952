//! String interning for attribute values: departments, cities, job titles and the like repeat
//! across thousands of users, so each distinct value is stored once and users hold 4-byte
//! [`Sym`]s. Comparing two interned values is comparing two integers.
//!
//! Storage is one growing arena (`String`) plus a table of (start, length) spans; the index is
//! a hash table of symbols hashed by their text, so interning a new string allocates nothing
//! but arena growth.

use hashbrown::HashTable;
use std::hash::{BuildHasher, BuildHasherDefault};

type Fx = BuildHasherDefault<rustc_hash::FxHasher>;

/// An interned string. `Sym::NONE` stands for a null (absent) attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Sym(pub u32);

impl Sym {
    /// The null value.
    pub const NONE: Sym = Sym(0);
    /// A value that is the user's own userPrincipalName (generated users' `mail`): saves
    /// interning one unique string per user. Read it through `User::text`.
    pub const SAME_AS_UPN: Sym = Sym(u32::MAX);
    /// A value that is the local part of the user's userPrincipalName (`mailNickname`).
    pub const UPN_LOCAL_PART: Sym = Sym(u32::MAX - 1);
    /// Whether this is one of the per-user markers above rather than an interned string.
    pub fn is_marker(self) -> bool {
        self.0 >= u32::MAX - 1
    }
    /// Whether this is the null value.
    pub fn is_none(self) -> bool {
        self.0 == 0
    }
}

/// Distinct strings seen so far (capped by [`crate::limits::INTERNED_STRINGS_MAX`]).
#[derive(Clone, Default)]
pub struct Interner {
    arena: String,
    spans: Vec<(u32, u32)>,
    /// (hash, symbol): the stored hash spares arena reads on probes and rehashes.
    index: HashTable<(u64, Sym)>,
    /// `E000001`-style employee ids of generated users by ordinal: every generated tenant
    /// repeats them, so this spares a hash and probe per generated user.
    employee_ids: Vec<Sym>,
    /// Set when a string could not be stored within [`crate::limits::INTERNED_STRINGS_MAX`]
    /// or 4 GiB of text: whoever interned it must stop (the builder and the world check).
    full: bool,
    /// A smaller cap, for tests of what happens at the cap.
    #[cfg(test)]
    test_cap: Option<usize>,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Interner({} strings, {} bytes)", self.len(), self.arena.len())
    }
}

fn hash(s: &str) -> u64 {
    // FxHash is fast but leaves similar strings' hashes clustered in the bits the table uses;
    // SplitMix's finaliser spreads them (it took interning of 2.5M strings from 0.4 s to far less)
    crate::hash::mix64(Fx::default().hash_one(s))
}

/// `E{n:06}`, written into `buf` (a formatter's set-up costs more than the digits).
fn employee_id_text(n: usize, buf: &mut [u8; 24]) -> &str {
    let mut digits = [b'0'; 20];
    let (mut k, mut v) = (digits.len(), n);
    while v > 0 {
        k -= 1;
        digits[k] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    let shown = &digits[(digits.len() - 6).min(k)..];
    buf[0] = b'E';
    for (d, &c) in buf[1..].iter_mut().zip(shown) {
        *d = c; // a byte loop: a call to memmove costs more than these few bytes
    }
    std::str::from_utf8(&buf[..=shown.len()]).expect("ASCII digits")
}

impl Interner {
    fn text(&self, sym: Sym) -> &str {
        if sym.0 == 0 || sym.is_marker() {
            return ""; // markers are resolved by `User::text`, which knows the UPN
        }
        let (start, len) = self.spans[sym.0 as usize - 1];
        &self.arena[start as usize..(start + len) as usize]
    }

    /// Interns `s`; the empty string is the null value.
    pub fn intern(&mut self, s: &str) -> Sym {
        if s.is_empty() {
            return Sym::NONE;
        }
        let h = hash(s);
        if let Some(&(_, sym)) = self.index.find(h, |&(hh, x)| hh == h && self.text(x) == s) {
            return sym;
        }
        if self.spans.len() >= self.cap() || self.arena.len() + s.len() >= u32::MAX as usize {
            // never a panic: the value is dropped, and the caller stops at its next check
            self.full = true;
            return Sym::NONE;
        }
        let sym = Sym(self.spans.len() as u32 + 1);
        self.spans.push((self.arena.len() as u32, s.len() as u32));
        self.arena.push_str(s);
        self.index.insert_unique(h, (h, sym), |&(hh, _)| hh);
        sym
    }

    /// The interned employee id `E{n:06}` of the `n`th generated user (1-based).
    pub fn employee_id(&mut self, n: usize) -> Sym {
        if let Some(&sym) = self.employee_ids.get(n) {
            if !sym.is_none() {
                return sym;
            }
        }
        let mut buf = [0u8; 24];
        let sym = self.intern(employee_id_text(n, &mut buf));
        if n < crate::limits::USERS_PER_TENANT_MAX {
            if self.employee_ids.len() <= n {
                self.employee_ids.resize(n + 1, Sym::NONE);
            }
            self.employee_ids[n] = sym;
        }
        sym
    }

    /// The employee id [`Self::employee_id`] interned for `n`, without interning it (the null
    /// value if it was not).
    pub fn cached_employee_id(&self, n: usize) -> Sym {
        match self.employee_ids.get(n) {
            Some(&sym) if !sym.is_none() => sym,
            _ => {
                let mut buf = [0u8; 24];
                self.get(employee_id_text(n, &mut buf)).unwrap_or(Sym::NONE)
            }
        }
    }

    /// How many employee ids from the first are cached (see [`Self::employee_id`]).
    pub fn employee_ids_cached(&self) -> usize {
        self.employee_ids.len()
    }

    /// Looks `s` up without interning it.
    pub fn get(&self, s: &str) -> Option<Sym> {
        if s.is_empty() {
            return Some(Sym::NONE);
        }
        let h = hash(s);
        self.index
            .find(h, |&(hh, x)| hh == h && self.text(x) == s)
            .map(|&(_, x)| x)
    }

    /// The text of `sym` (empty for the null value).
    pub fn resolve(&self, sym: Sym) -> &str {
        self.text(sym)
    }

    fn cap(&self) -> usize {
        #[cfg(test)]
        if let Some(c) = self.test_cap {
            return c;
        }
        crate::limits::INTERNED_STRINGS_MAX
    }

    /// Whether a string could not be stored (see [`crate::limits::INTERNED_STRINGS_MAX`]).
    pub fn is_full(&self) -> bool {
        self.full
    }

    /// Number of distinct strings, the null value included.
    pub fn len(&self) -> usize {
        self.spans.len() + 1
    }

    /// Bytes of text stored (at most 4 GiB).
    pub fn bytes(&self) -> usize {
        self.arena.len()
    }

    /// Whether only the null value is stored.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Makes room for `strings` more strings of about `bytes` bytes in all.
    pub fn reserve(&mut self, strings: usize, bytes: usize) {
        self.arena.reserve(bytes);
        self.spans.reserve(strings);
        self.index.reserve(strings, |&(hh, _)| hh);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_table_flags_itself_instead_of_panicking() {
        let mut i = Interner {
            test_cap: Some(3),
            ..Interner::default()
        };
        let a = i.intern("a");
        i.intern("b");
        i.intern("c");
        assert!(!i.is_full());
        assert_eq!(i.intern("d"), Sym::NONE);
        assert!(i.is_full());
        assert_eq!(i.intern("a"), a, "known strings still resolve");
    }

    #[test]
    fn employee_ids_are_cached_interned_strings() {
        let mut i = Interner::default();
        let a = i.employee_id(7);
        assert_eq!(i.resolve(a), "E000007");
        assert_eq!(i.employee_id(7), a);
        assert_eq!(i.intern("E000007"), a);
        let big = i.employee_id(1_234_567);
        assert_eq!(i.resolve(big), "E1234567");
        let (zero, max) = (i.employee_id(0), i.employee_id(usize::MAX));
        assert_eq!(i.resolve(zero), "E000000");
        assert_eq!(i.resolve(max), format!("E{}", usize::MAX));
        assert_eq!(i.cached_employee_id(7), a);
        assert_eq!(
            i.cached_employee_id(1_234_567),
            big,
            "found by its text past the cache"
        );
        assert_eq!(i.cached_employee_id(8), Sym::NONE, "never interned");
    }

    #[test]
    fn interning_dedups_and_resolves() {
        let mut i = Interner::default();
        let a = i.intern("Sales");
        let b = i.intern("Sales");
        let c = i.intern("Engineering");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(i.resolve(c), "Engineering");
        assert_eq!(i.resolve(a), "Sales");
        assert_eq!(i.intern(""), Sym::NONE);
        assert_eq!(i.resolve(Sym::NONE), "");
        assert_eq!(i.get("Marketing"), None);
        assert_eq!(i.get("Sales"), Some(a));
        assert_eq!(i.len(), 3);
    }

    #[test]
    fn many_strings_survive_growth() {
        let mut i = Interner::default();
        i.reserve(10, 10);
        let syms: Vec<Sym> = (0..10_000)
            .map(|n| i.intern(&format!("user{n}@contoso.com")))
            .collect();
        for (n, s) in syms.iter().enumerate() {
            assert_eq!(i.resolve(*s), format!("user{n}@contoso.com"));
            assert_eq!(i.get(&format!("user{n}@contoso.com")), Some(*s));
        }
    }
}
