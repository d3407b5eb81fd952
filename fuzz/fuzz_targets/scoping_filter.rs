//! Provisioning scoping filters (`mtosim_engine::scoping::ScopingFilter::parse`) on arbitrary
//! UTF-8 (other bytes are skipped).
//!
//! The input is the list of filters: a NUL byte separates filters (combined with OR), a newline
//! separates one filter's clauses (combined with AND); an empty input is no filter at all and an
//! empty part between two NULs a filter with no clauses.
//!
//! When it parses: every user of a small directory ([`mtosim_fuzz::DIRECTORY`]) is evaluated
//! (`passes`, `evaluate`), and the canonical clause texts `evaluate` reports parse again to an
//! equal filter that decides every user alike. A refusal names an existing filter and clause
//! and a span inside that clause.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtosim_engine::scoping::ScopingFilter;
use mtosim_fuzz::DIRECTORY;

fn groups(text: &str) -> Vec<Vec<String>> {
    if text.is_empty() {
        return Vec::new();
    }
    text.split('\0')
        .map(|g| {
            if g.is_empty() {
                Vec::new()
            } else {
                g.split('\n').map(str::to_string).collect()
            }
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let groups = groups(text);
    let filter = match ScopingFilter::parse(&groups) {
        Ok(f) => f,
        Err((fi, ci, e)) => {
            let group = groups
                .get(fi)
                .unwrap_or_else(|| panic!("refused at filter {fi} of {}", groups.len()));
            if group.is_empty() {
                assert_eq!(ci, 0, "an empty filter refused at clause {ci}");
                return;
            }
            let clause = group
                .get(ci)
                .unwrap_or_else(|| panic!("refused at clause {ci} of {}", group.len()));
            assert!(
                e.offset <= clause.len() && e.len <= clause.len() - e.offset,
                "error span {}+{} outside clause {clause:?}",
                e.offset,
                e.len
            );
            let _ = e.to_string();
            return;
        }
    };
    assert_eq!(filter.is_empty(), groups.is_empty());
    let _ = filter.properties();
    let dir = &*DIRECTORY;
    // the canonical texts, regrouped as the input grouped its clauses
    let canonical: Vec<String> = filter
        .evaluate(&dir.view(0, 0))
        .into_iter()
        .map(|(t, _)| t)
        .collect();
    let mut rest = canonical.as_slice();
    let mut regrouped = Vec::new();
    for g in &groups {
        let (now, later) = rest.split_at(g.len());
        regrouped.push(now.to_vec());
        rest = later;
    }
    assert!(rest.is_empty(), "evaluate reported more clauses than were given");
    let again = ScopingFilter::parse(&regrouped)
        .unwrap_or_else(|e| panic!("the canonical clauses {regrouped:?} of {groups:?} do not parse: {e:?}"));
    assert_eq!(again, filter, "canonical clauses {regrouped:?} of {groups:?}");
    for i in 0..dir.users() {
        let u = dir.view(i, 0);
        let results = filter.evaluate(&u);
        assert_eq!(results.len(), canonical.len());
        let passes = filter.passes(&u);
        assert_eq!(
            passes,
            again.passes(&u),
            "{groups:?} and its canonical form {regrouped:?} disagree on user {i}"
        );
        // passes is the OR over filters of the AND of their clauses
        let mut k = 0;
        let mut any = false;
        for g in &groups {
            any |= results[k..k + g.len()].iter().all(|(_, b)| *b);
            k += g.len();
        }
        assert_eq!(
            passes,
            groups.is_empty() || any,
            "passes disagrees with the clause results {results:?}"
        );
    }
});
