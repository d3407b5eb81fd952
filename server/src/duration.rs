//! ISO 8601 durations as the operator endpoints take them (`PT2H`, `P1DT30M`, `P2W`):
//! `PnW` or `PnDTnHnMnS`, whole numbers only. Years and months are refused (they have no fixed
//! length); the longest duration is the engine's `MAX_DURATION_SECS` (10 years).

use mtosim_engine::time::MAX_DURATION_SECS;
use mtosim_engine::Duration;

/// Parses `text` as an ISO 8601 duration.
pub fn parse(text: &str) -> Result<Duration, String> {
    let bad = |why: &str| format!("'{text}' is not an ISO 8601 duration such as PT2H or P1DT30M: {why}");
    let Some(rest) = text.strip_prefix(['P', 'p']) else {
        return Err(bad("it must start with P"));
    };
    if rest.is_empty() {
        return Err(bad("it names no amount"));
    }
    let mut total: i64 = 0;
    let mut num: Option<i64> = None;
    let mut in_time = false;
    let mut last_rank = 0u8;
    let mut amounts = 0;
    for c in rest.chars() {
        if let Some(d) = c.to_digit(10) {
            let n = num.unwrap_or(0);
            num = Some(
                n.checked_mul(10)
                    .and_then(|n| n.checked_add(i64::from(d)))
                    .ok_or_else(|| bad("it is too long"))?,
            );
            continue;
        }
        let c = c.to_ascii_uppercase();
        if c == 'T' {
            if in_time || num.is_some() {
                return Err(bad("T must come once, after the days"));
            }
            in_time = true;
            continue;
        }
        let (rank, unit) = match (c, in_time) {
            ('W', false) => (1, 7 * 86_400),
            ('D', false) => (2, 86_400),
            ('H', true) => (3, 3600),
            ('M', true) => (4, 60),
            ('S', true) => (5, 1),
            ('Y' | 'M', false) => {
                return Err(bad(
                    "years and months have no fixed length; use days (P30D), or PT..M for minutes",
                ))
            }
            ('.' | ',', _) => return Err(bad("only whole numbers are supported")),
            ('-', _) => return Err(bad("time only moves forward")),
            ('H' | 'S', false) => return Err(bad("hours, minutes and seconds come after T (PT2H)")),
            ('W' | 'D', true) => return Err(bad("weeks and days come before T (P1DT2H)")),
            _ => return Err(bad(&format!("'{c}' is not a unit (W, D, H, M, S)"))),
        };
        if rank <= last_rank {
            return Err(bad(
                "the units must come in the order W, D, T, H, M, S, each once",
            ));
        }
        last_rank = rank;
        let n = num
            .take()
            .ok_or_else(|| bad(&format!("{c} has no number before it")))?;
        total = n
            .checked_mul(unit)
            .and_then(|v| total.checked_add(v))
            .ok_or_else(|| bad("it is too long"))?;
        amounts += 1;
    }
    if num.is_some() {
        return Err(bad("a number has no unit after it"));
    }
    if amounts == 0 {
        return Err(bad("it names no amount"));
    }
    if total > MAX_DURATION_SECS {
        return Err(bad("it is longer than 10 years"));
    }
    Ok(Duration(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse("PT2H"), Ok(Duration::hours(2)));
        assert_eq!(parse("P1DT30M"), Ok(Duration::days(1) + Duration::mins(30)));
        assert_eq!(parse("P2W"), Ok(Duration::days(14)));
        assert_eq!(parse("PT90S"), Ok(Duration::secs(90)));
        assert_eq!(parse("PT0S"), Ok(Duration::ZERO));
        assert_eq!(parse("P1DT2H3M4S"), Ok(Duration(86_400 + 7200 + 180 + 4)));
    }

    #[test]
    fn bad_durations_say_why() {
        for (text, why) in [
            ("2h", "start with P"),
            ("P", "no amount"),
            ("PT", "no amount"),
            ("P1M", "months"),
            ("P1Y", "years"),
            ("PT1.5H", "whole numbers"),
            ("P2H", "after T"),
            ("PT1D", "before T"),
            ("PT2M1H", "order"),
            ("PT2", "no unit"),
            ("P-1D", "forward"),
            ("PT99999999999999999999S", "too long"),
            ("P4000D", "10 years"),
            ("PTH", "no number"),
        ] {
            let e = parse(text).unwrap_err();
            assert!(e.contains(why), "{text}: {e}");
        }
    }
}
