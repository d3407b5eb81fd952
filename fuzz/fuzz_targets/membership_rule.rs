//! Dynamic membership rules (`mtosim_engine::membership::MembershipRule::parse`) on arbitrary
//! UTF-8 (other bytes are skipped: rules are `&str`).
//!
//! When a rule parses: its canonical form (`Display`) parses again to the same canonical form
//! and to an equivalent rule (the same members, as `Display`'s documentation promises), and
//! evaluating it for every user of a small directory ([`mtosim_fuzz::DIRECTORY`], built with
//! the engine's public API as the tests of `membership.rs` build theirs) at three clock times
//! does not panic. Over-long or over-deep rules must be refused with an error, which this
//! target reaches with inputs up to libFuzzer's `-max_len`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mtosim_engine::membership::MembershipRule;
use mtosim_fuzz::{DIRECTORY, NOWS};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let rule = match MembershipRule::parse(text) {
        Ok(rule) => rule,
        Err(e) => {
            assert!(
                e.offset <= text.len() && e.len <= text.len() - e.offset,
                "error span {}+{} outside a text of {} bytes",
                e.offset,
                e.len,
                text.len()
            );
            let _ = e.to_string();
            return;
        }
    };
    let shown = rule.to_string();
    let again = MembershipRule::parse(&shown)
        .unwrap_or_else(|e| panic!("the canonical form {shown:?} of {text:?} does not parse: {e:?}"));
    assert_eq!(
        again.to_string(),
        shown,
        "the canonical form of {text:?} is not stable"
    );
    let _ = rule.properties();
    let _ = rule.direct_reports_of();
    let dir = &*DIRECTORY;
    for now in NOWS {
        for i in 0..dir.users() {
            let u = dir.view(i, now);
            let a = rule.matches(&u);
            let b = again.matches(&u);
            assert_eq!(
                a, b,
                "{text:?} and its canonical form {shown:?} disagree on user {i} at {now}"
            );
        }
    }
});
