//! The Graph JSON importer (`mtosim_graph::import`) on arbitrary bytes: contoso's endpoint
//! files (`users.json`, `groups.json`, `partners.json`, `tenants.json`,
//! `multiTenantOrganization.json`, `joinRequest.json`, `servicePrincipals.json`, and the
//! `jobs.json`, `schema.json`, `appRoleAssignedTo.json` and `secrets.json` of service principal
//! 8e881353-1735-45af-af21-ee1344582a4d, in that order, separated by NUL bytes) beside a fixed
//! fabrikam, read through an in-memory `Source`.
//!
//! Checked besides "no panic": every problem names one of the files and a JSON path; a strict
//! import succeeds exactly when the unchecked one does and breaks no invariant; a world it
//! builds satisfies the model's invariants and takes an action and a settle (the checks a
//! run makes after every step).
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtosim_engine::build::Builder;
use mtosim_engine::{DelayMode, RuleSet, RuleSetKind, SimTime};
use mtosim_graph::import::{import, import_unchecked, Source};
use std::collections::BTreeMap;

const ENDPOINTS: &[&str] = &[
    "users.json",
    "groups.json",
    "partners.json",
    "tenants.json",
    "multiTenantOrganization.json",
    "joinRequest.json",
    "servicePrincipals.json",
    "servicePrincipals/8e881353-1735-45af-af21-ee1344582a4d/jobs.json",
    "servicePrincipals/8e881353-1735-45af-af21-ee1344582a4d/schema.json",
    "servicePrincipals/8e881353-1735-45af-af21-ee1344582a4d/appRoleAssignedTo.json",
    "servicePrincipals/8e881353-1735-45af-af21-ee1344582a4d/secrets.json",
];

const CONTOSO: &str = r#"{"value": [{"id": "1fd6544e-e994-4de2-9f1b-787b51c7d325", "displayName": "Contoso", "verifiedDomains": [{"name": "contoso.onmicrosoft.com", "isInitial": true}, {"name": "contoso.com", "isInitial": false}]}]}"#;
const FABRIKAM: &str = r#"{"value": [{"id": "4a12efe6-aa14-4d03-8dff-88fc89e2e2ad", "displayName": "Fabrikam", "verifiedDomains": [{"name": "fabrikam.onmicrosoft.com", "isInitial": true}]}]}"#;

struct Memory(BTreeMap<String, Vec<u8>>);

impl Source for Memory {
    fn read(&self, rel: &str) -> std::io::Result<Option<Vec<u8>>> {
        Ok(self.0.get(rel).cloned())
    }
    fn dirs(&self, rel: &str) -> std::io::Result<Vec<String>> {
        let prefix = if rel.is_empty() { String::new() } else { format!("{rel}/") };
        let mut out: Vec<String> = self
            .0
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix)?.split_once('/').map(|(d, _)| d.to_string()))
            .collect();
        out.dedup();
        Ok(out)
    }
}

fn builder() -> Builder {
    Builder::new(RuleSet::new(RuleSetKind::Ga), 7, SimTime::DEFAULT_START, DelayMode::Max)
}

fuzz_target!(|data: &[u8]| {
    let mut files = BTreeMap::new();
    files.insert("contoso/organization.json".to_string(), CONTOSO.as_bytes().to_vec());
    files.insert("fabrikam/organization.json".to_string(), FABRIKAM.as_bytes().to_vec());
    for (part, name) in data.split(|&b| b == 0).zip(ENDPOINTS) {
        if !part.is_empty() {
            files.insert(format!("contoso/{name}"), part.to_vec());
        }
    }
    let src = Memory(files);
    let roots: [(&str, &dyn Source); 1] = [("export", &src)];
    let mut unchecked = builder();
    let loose = import_unchecked(&roots, &mut unchecked);
    let mut b = builder();
    match (import(&roots, &mut b), &loose) {
        (Ok(summary), Ok(l)) => {
            assert!(l.broken.is_none() && summary.broken.is_none());
            for w in &summary.warnings {
                assert!(w.file.starts_with("export"), "{w}");
            }
            let mut world = b.finish();
            assert_eq!(world.check_invariants(), Ok(()));
            let _ = world.apply(
                mtosim_engine::TenantIdx(0),
                mtosim_engine::Action::CreateMto {
                    display_name: "Fuzz".into(),
                    description: String::new(),
                    via: mtosim_engine::Via::Graph,
                },
            );
            let _ = world.settle(mtosim_engine::Duration::days(2));
        }
        (Err(ps), Ok(l)) => {
            assert!(l.broken.is_some(), "strict refused only for a broken invariant: {ps:?}");
        }
        (Err(ps), Err(_)) => {
            for p in &ps {
                assert!(p.file.starts_with("export") && p.path.starts_with('$'), "{p}");
            }
        }
        (Ok(_), Err(e)) => panic!("the unchecked import failed where the strict one did not: {e:?}"),
    }
});
