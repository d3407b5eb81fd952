//! Deterministic synthetic users with realistic Graph attributes (`generate = N`).
//!
//! The same seed, tenant and count always give the same users, on every machine: the only
//! randomness is a ChaCha8 stream seeded from the scenario seed and the tenant's name.

use crate::directory::{Attr, User, UserType, ATTR_COUNT};
use crate::strings::{Interner, Sym};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::fmt::Write;

const GIVEN: &[&str] = &[
    "Adele",
    "Alex",
    "Allan",
    "Amira",
    "Ana",
    "Bianca",
    "Brian",
    "Carlos",
    "Chen",
    "Christie",
    "Daniel",
    "Debra",
    "Diego",
    "Elena",
    "Emily",
    "Enrico",
    "Fatima",
    "Grady",
    "Hana",
    "Henrietta",
    "Ines",
    "Irvin",
    "Isaiah",
    "Johanna",
    "Joni",
    "Jonas",
    "Kenji",
    "Lee",
    "Lidia",
    "Lucas",
    "Lynne",
    "Marta",
    "Megan",
    "Miriam",
    "Nestor",
    "Nia",
    "Olga",
    "Omar",
    "Patti",
    "Pradeep",
    "Priya",
    "Rafael",
    "Sakura",
    "Sara",
    "Sofia",
    "Tomas",
    "Valentina",
    "Wei",
    "Yusuf",
    "Zoe",
];
const SURNAME: &[&str] = &[
    "Vance",
    "Wilber",
    "Deyoung",
    "Ahmed",
    "Silva",
    "Rossi",
    "Johnson",
    "Mendoza",
    "Li",
    "Cline",
    "Novak",
    "Berg",
    "Torres",
    "Petrova",
    "Clark",
    "Ferrari",
    "Haddad",
    "Archie",
    "Sato",
    "Cassidy",
    "Garcia",
    "Muller",
    "Thomas",
    "Lorenz",
    "Sherman",
    "Larsen",
    "Tanaka",
    "Gonzalez",
    "Kowalski",
    "Fischer",
    "Robinson",
    "Strnad",
    "Bowen",
    "Goldberg",
    "Sotelo",
    "Okafor",
    "Ivanova",
    "Khan",
    "Fernandez",
    "Patel",
    "Iyer",
    "Costa",
    "Nakamura",
    "Lindqvist",
    "Moreau",
    "Dvorak",
    "Wang",
    "Demir",
    "Nguyen",
    "Hughes",
];
const DEPARTMENTS: &[(&str, &[&str])] = &[
    (
        "Sales",
        &["Account Executive", "Sales Manager", "Sales Representative"],
    ),
    (
        "Marketing",
        &["Marketing Manager", "Content Strategist", "Brand Specialist"],
    ),
    (
        "Engineering",
        &[
            "Software Engineer",
            "Senior Software Engineer",
            "Engineering Manager",
        ],
    ),
    ("Finance", &["Financial Analyst", "Controller", "Accountant"]),
    ("Human Resources", &["HR Generalist", "Recruiter", "HR Manager"]),
    (
        "Operations",
        &[
            "Operations Analyst",
            "Logistics Coordinator",
            "Operations Manager",
        ],
    ),
    ("Legal", &["Counsel", "Paralegal", "Compliance Officer"]),
    (
        "IT",
        &["Systems Administrator", "Help Desk Technician", "IT Manager"],
    ),
];
const PLACES: &[(&str, &str, &str)] = &[
    ("United States", "Seattle", "US"),
    ("United States", "New York", "US"),
    ("United Kingdom", "London", "GB"),
    ("Germany", "Munich", "DE"),
    ("Czechia", "Prague", "CZ"),
    ("France", "Paris", "FR"),
    ("Japan", "Tokyo", "JP"),
    ("India", "Bengaluru", "IN"),
    ("Brazil", "Sao Paulo", "BR"),
    ("Canada", "Toronto", "CA"),
];

/// What to generate.
#[derive(Clone, Debug, Default)]
pub struct GenSpec {
    /// How many users.
    pub count: usize,
    /// Restrict departments to these (default: all eight).
    pub departments: Vec<String>,
    /// Fraction of users that are disabled: exactly `round(disabled × count)` of them, chosen
    /// from the seed.
    pub disabled: f64,
    /// Fraction of users that are internal guests, exactly as many as the fraction gives.
    pub guests: f64,
}

/// How many of `count` users a fraction stands for: the nearest whole number.
pub fn share(fraction: f64, count: usize) -> usize {
    ((fraction.clamp(0.0, 1.0) * count as f64).round() as usize).min(count)
}

/// Chooses exactly `k` of `n` positions, each set equally likely, from its own seeded stream
/// (selection sampling: one pass, no shuffle), so the other attributes do not depend on it.
struct Chooser {
    rng: ChaCha8Rng,
    left: usize,
    need: usize,
}

impl Chooser {
    fn new(seed: u64, label: &[u8], n: usize, k: usize) -> Chooser {
        let mut h = crate::hash::Fnv64::new(seed);
        h.write(label);
        Chooser {
            rng: ChaCha8Rng::seed_from_u64(h.finish()),
            left: n,
            need: k,
        }
    }

    /// Whether the next position is chosen.
    fn next(&mut self) -> bool {
        if self.need == 0 || self.left == 0 {
            self.left = self.left.saturating_sub(1);
            return false;
        }
        let pick = self.rng.random_range(0..self.left) < self.need;
        self.left -= 1;
        if pick {
            self.need -= 1;
        }
        pick
    }
}

/// One generated user's seeded draws: indexes into its tenant's [`Shape`] and the ordinal of
/// its UPN.
#[derive(Clone, Copy, Debug)]
struct Draw {
    /// `given * SURNAME.len() + surname`.
    slot: u16,
    dept: u8,
    title: u8,
    place: u8,
    disabled: bool,
    guest: bool,
    /// The UPN's ordinal among users of the same name (1: no number).
    n: u32,
}

/// The departments a spec draws from, each with how many job titles it has, in the order
/// their strings are interned.
fn departments(spec: &GenSpec) -> Vec<(&str, &[&str])> {
    const CUSTOM_TITLES: &[&str] = &["Specialist"];
    let mut depts: Vec<(&str, &[&str])> = DEPARTMENTS
        .iter()
        .filter(|(d, _)| spec.departments.is_empty() || spec.departments.iter().any(|x| x == d))
        .map(|&(d, t)| (d, t))
        .collect();
    for d in &spec.departments {
        if !DEPARTMENTS.iter().any(|(k, _)| k == d) {
            depts.push((d.as_str(), CUSTOM_TITLES));
        }
    }
    depts
}

/// One tenant's generated users as drawn from the seed, before any string is interned: the
/// draws need no shared state, so several tenants can be drawn at once.
pub struct Drawn {
    draws: Vec<Draw>,
    /// `given.surname` in lowercase, by slot (filled for the slots drawn).
    bases: Vec<String>,
}

/// The interned strings one tenant's drawn users hold.
pub struct Vocab {
    depts: Vec<(Sym, Vec<Sym>)>,
    places: Vec<(Sym, Sym, Sym)>,
    givens: Vec<Sym>,
    surnames: Vec<Sym>,
    display: Vec<Sym>,
}

/// Draws `spec.count` users on `domain` from the seed; `taken`, when given, says whether a
/// UPN already exists, so that generated UPNs never collide with inline users (without it,
/// none is). The draws run in order on the calling thread, from one ChaCha8 stream per tenant.
pub fn draw(
    seed: u64,
    tenant: &str,
    domain: &str,
    spec: &GenSpec,
    taken: Option<&(dyn Fn(&str) -> bool + Sync)>,
) -> Drawn {
    let mut h = crate::hash::Fnv64::new(seed);
    h.write(b"generate");
    h.write(tenant.as_bytes());
    let mut rng = ChaCha8Rng::seed_from_u64(h.finish());
    let mut disabled_pick = Chooser::new(
        h.finish(),
        b"disabled",
        spec.count,
        share(spec.disabled, spec.count),
    );
    let mut guest_pick = Chooser::new(h.finish(), b"guests", spec.count, share(spec.guests, spec.count));
    let depts = departments(spec);
    // the next free ordinal of each given.surname pair: UPNs stay unique without a search
    let mut next_n = vec![1u32; GIVEN.len() * SURNAME.len()];
    let mut bases: Vec<String> = vec![String::new(); GIVEN.len() * SURNAME.len()];
    let mut draws = Vec::with_capacity(spec.count);
    let mut upn = String::new();
    for _ in 0..spec.count {
        let gi = rng.random_range(0..GIVEN.len());
        let si = rng.random_range(0..SURNAME.len());
        let dept = rng.random_range(0..depts.len());
        let title = rng.random_range(0..depts[dept].1.len());
        let place = rng.random_range(0..PLACES.len());
        let disabled = disabled_pick.next();
        let guest = guest_pick.next();
        let slot = gi * SURNAME.len() + si;
        if bases[slot].is_empty() {
            bases[slot] = format!(
                "{}.{}",
                GIVEN[gi].to_ascii_lowercase(),
                SURNAME[si].to_ascii_lowercase()
            );
        }
        let mut n = next_n[slot];
        if let Some(taken) = taken {
            loop {
                upn.clear();
                push_upn(&mut upn, &bases[slot], n, domain);
                if !taken(&upn) {
                    break;
                }
                n += 1;
            }
        }
        next_n[slot] = n + 1;
        draws.push(Draw {
            slot: slot as u16,
            dept: dept as u8,
            title: title as u8,
            place: place as u8,
            disabled,
            guest,
            n,
        });
    }
    Drawn { draws, bases }
}

/// Interns the strings of `drawn`'s users, in the order one tenant's generation has always
/// interned them (the vocabulary, then each user's display name when first seen and its
/// employee id), so that symbols do not depend on how many tenants were drawn at once.
pub fn intern(drawn: &Drawn, spec: &GenSpec, strings: &mut Interner) -> Vocab {
    let depts = departments(spec)
        .into_iter()
        .map(|(d, titles)| {
            let t = titles.iter().map(|t| strings.intern(t)).collect();
            (strings.intern(d), t)
        })
        .collect();
    let places = PLACES
        .iter()
        .map(|(c, city, loc)| (strings.intern(c), strings.intern(city), strings.intern(loc)))
        .collect();
    let givens = GIVEN.iter().map(|g| strings.intern(g)).collect();
    let surnames = SURNAME.iter().map(|g| strings.intern(g)).collect();
    let mut display = vec![Sym::NONE; GIVEN.len() * SURNAME.len()];
    let mut name = String::new();
    // room for the employee ids not interned yet (7 bytes each), so the table grows once
    let new_ids = drawn.draws.len().saturating_sub(strings.employee_ids_cached());
    strings.reserve(new_ids + display.len(), 7 * new_ids);
    for (i, d) in drawn.draws.iter().enumerate() {
        let slot = d.slot as usize;
        if display[slot].is_none() {
            name.clear();
            name.push_str(GIVEN[slot / SURNAME.len()]);
            name.push(' ');
            name.push_str(SURNAME[slot % SURNAME.len()]);
            display[slot] = strings.intern(&name);
        }
        strings.employee_id(i + 1);
    }
    Vocab {
        depts,
        places,
        givens,
        surnames,
        display,
    }
}

/// The users of `drawn` on `domain`, holding `vocab`'s symbols: written on both cores, each
/// from its own draws, so the users are the same whatever the thread count. Reads the
/// employee ids [`intern`] stored.
pub fn build(drawn: &Drawn, vocab: &Vocab, domain: &str, strings: &Interner) -> Vec<User> {
    crate::par::map_ordered_indexed(&drawn.draws, |i, d| {
        let slot = d.slot as usize;
        let (gi, si) = (slot / SURNAME.len(), slot % SURNAME.len());
        let (dept, titles) = &vocab.depts[d.dept as usize];
        let (country, city, loc) = vocab.places[d.place as usize];
        let mut attrs = [Sym::NONE; ATTR_COUNT];
        attrs[Attr::GivenName as usize] = vocab.givens[gi];
        attrs[Attr::Surname as usize] = vocab.surnames[si];
        attrs[Attr::DisplayName as usize] = vocab.display[slot];
        attrs[Attr::Department as usize] = *dept;
        attrs[Attr::JobTitle as usize] = titles[d.title as usize];
        attrs[Attr::Country as usize] = country;
        attrs[Attr::City as usize] = city;
        attrs[Attr::UsageLocation as usize] = loc;
        attrs[Attr::EmployeeId as usize] = strings.cached_employee_id(i + 1);
        attrs[Attr::Mail as usize] = Sym::SAME_AS_UPN;
        attrs[Attr::MailNickname as usize] = Sym::UPN_LOCAL_PART;
        let base = &drawn.bases[slot];
        let mut upn = String::with_capacity(upn_len(base, d.n, domain));
        push_upn(&mut upn, base, d.n, domain);
        User {
            extra: None,
            upn: upn.into_boxed_str(),
            attrs,
            user_type: if d.guest {
                UserType::Guest
            } else {
                UserType::Member
            },
            account_enabled: !d.disabled,
            external: false,
            deleted_at: crate::user::DeletedAt::NONE,
            manager: None,
            version: 0,
        }
    })
}

/// Generates `spec.count` users on `domain` ([`draw`], [`intern`], [`build`] in turn);
/// `taken`, when given, says whether a UPN already exists.
pub fn generate(
    seed: u64,
    tenant: &str,
    domain: &str,
    spec: &GenSpec,
    strings: &mut Interner,
    taken: Option<&(dyn Fn(&str) -> bool + Sync)>,
) -> Vec<User> {
    let drawn = draw(seed, tenant, domain, spec, taken);
    let vocab = intern(&drawn, spec, strings);
    build(&drawn, &vocab, domain, strings)
}

/// The length of [`push_upn`]'s output.
fn upn_len(base: &str, n: u32, domain: &str) -> usize {
    let digits = if n > 1 { n.ilog10() as usize + 1 } else { 0 };
    base.len() + digits + 1 + domain.len()
}

/// Appends the UPN of the `n`th user named `base` (`base`, `n` from the second on, `@domain`).
fn push_upn(out: &mut String, base: &str, n: u32, domain: &str) {
    out.push_str(base);
    if n > 1 {
        let _ = write!(out, "{n}");
    }
    out.push('@');
    out.push_str(domain);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_are_exact_for_every_seed_and_differ_between_seeds() {
        let mut picks = Vec::new();
        for seed in 0..20u64 {
            let mut i = Interner::default();
            let spec = GenSpec {
                count: 120,
                disabled: 0.1,
                ..Default::default()
            };
            let users = generate(seed, "t", "t.com", &spec, &mut i, None);
            let off: Vec<usize> = (0..users.len()).filter(|&k| !users[k].account_enabled).collect();
            assert_eq!(off.len(), 12, "seed {seed}");
            picks.push(off);
        }
        picks.dedup();
        assert!(picks.len() > 1, "the choice depends on the seed");
        assert_eq!(share(0.5, 3), 2);
        assert_eq!(share(1.0, 7), 7);
        assert_eq!(share(0.0, 7), 0);
    }

    fn run(seed: u64, n: usize) -> (Vec<User>, Interner) {
        let mut i = Interner::default();
        let spec = GenSpec {
            count: n,
            ..Default::default()
        };
        let u = generate(seed, "contoso", "contoso.com", &spec, &mut i, None);
        (u, i)
    }

    #[test]
    fn same_seed_same_users() {
        let (a, _) = run(7, 200);
        let (b, _) = run(7, 200);
        let (c, _) = run(8, 200);
        let upns = |v: &[User]| v.iter().map(|u| u.upn.clone()).collect::<Vec<_>>();
        assert_eq!(upns(&a), upns(&b));
        assert_ne!(upns(&a), upns(&c));
    }

    #[test]
    fn generated_upns_are_unique_and_avoid_taken_ones() {
        let mut i = Interner::default();
        let spec = GenSpec {
            count: 3000,
            ..Default::default()
        };
        let users = generate(
            1,
            "t",
            "t.com",
            &spec,
            &mut i,
            Some(&|u: &str| u == "adele.vance@t.com"),
        );
        let mut set = std::collections::HashSet::new();
        for u in &users {
            assert!(set.insert(u.upn.clone()), "duplicate {}", u.upn);
            assert_ne!(&*u.upn, "adele.vance@t.com");
            assert!(u.upn.ends_with("@t.com"));
        }
    }

    #[test]
    fn fractions_and_departments_are_honoured() {
        let mut i = Interner::default();
        let spec = GenSpec {
            count: 2000,
            departments: vec!["Sales".into(), "Research".into()],
            disabled: 0.1,
            guests: 0.05,
        };
        let users = generate(3, "t", "t.com", &spec, &mut i, None);
        let disabled = users.iter().filter(|u| !u.account_enabled).count();
        let guests = users.iter().filter(|u| u.user_type == UserType::Guest).count();
        assert_eq!((disabled, guests), (200, 100), "exact shares");
        for u in &users {
            let d = i.resolve(u.attr(Attr::Department));
            assert!(d == "Sales" || d == "Research", "{d}");
        }
    }
}
