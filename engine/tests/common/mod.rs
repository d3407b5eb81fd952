//! What the property tests share: case counts and the RNG seed, both overridable from the
//! environment.

/// `PROPTEST_CASES` if set, else `release` cases in release builds and `debug` in debug ones.
pub fn cases(release: u32, debug: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if cfg!(debug_assertions) { debug } else { release })
}

/// A fixed seed, so that CI runs the same timelines every time; `PROPTEST_RNG_SEED=n` (or
/// `random`) explores others.
pub fn seed() -> proptest::test_runner::RngSeed {
    match std::env::var("PROPTEST_RNG_SEED").ok().as_deref() {
        None => proptest::test_runner::RngSeed::Fixed(20_261_126),
        Some("random") => proptest::test_runner::RngSeed::Random,
        Some(v) => v
            .parse()
            .map(proptest::test_runner::RngSeed::Fixed)
            .unwrap_or(proptest::test_runner::RngSeed::Random),
    }
}
