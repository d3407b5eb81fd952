//! String interning for attribute values: departments, cities, job titles and the like repeat
//! across thousands of users, so each distinct value is stored once and users hold 4-byte
//! [`Sym`]s. Comparing two interned values is comparing two integers.

use std::collections::HashMap;

/// An interned string. `Sym::NONE` stands for a null (absent) attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Sym(pub u32);

impl Sym {
    /// The null value.
    pub const NONE: Sym = Sym(0);
    /// Whether this is the null value.
    pub fn is_none(self) -> bool {
        self.0 == 0
    }
}

/// Distinct strings seen so far (capped by [`crate::limits::INTERNED_STRINGS_MAX`]).
#[derive(Clone, Debug)]
pub struct Interner {
    strings: Vec<Box<str>>,
    index: HashMap<Box<str>, Sym>,
}

impl Default for Interner {
    fn default() -> Self {
        Interner {
            strings: vec!["".into()],
            index: HashMap::new(),
        }
    }
}

impl Interner {
    /// Interns `s`; the empty string is the null value.
    pub fn intern(&mut self, s: &str) -> Sym {
        if s.is_empty() {
            return Sym::NONE;
        }
        if let Some(&sym) = self.index.get(s) {
            return sym;
        }
        let sym = Sym(self.strings.len() as u32);
        self.strings.push(s.into());
        self.index.insert(s.into(), sym);
        sym
    }
    /// Looks `s` up without interning it.
    pub fn get(&self, s: &str) -> Option<Sym> {
        if s.is_empty() {
            return Some(Sym::NONE);
        }
        self.index.get(s).copied()
    }
    /// The text of `sym` (empty for the null value).
    pub fn resolve(&self, sym: Sym) -> &str {
        &self.strings[sym.0 as usize]
    }
    /// Number of distinct strings, the null value included.
    pub fn len(&self) -> usize {
        self.strings.len()
    }
    /// Whether only the null value is stored.
    pub fn is_empty(&self) -> bool {
        self.strings.len() == 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interning_dedups_and_resolves() {
        let mut i = Interner::default();
        let a = i.intern("Sales");
        let b = i.intern("Sales");
        let c = i.intern("Engineering");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(i.resolve(c), "Engineering");
        assert_eq!(i.intern(""), Sym::NONE);
        assert_eq!(i.get("Marketing"), None);
        assert_eq!(i.len(), 3);
    }
}
