//! Simulated time: whole seconds since the Unix epoch, RFC 3339 rendering and parsing, and
//! the duration syntax of scenario files (`90s`, `40m`, `2h`, `30d`, `1h30m`).
//!
//! Architecture invariant: the engine never reads the wall clock. Every instant it knows
//! is a [`SimTime`] derived from the scenario's `start` plus modelled durations.

use std::fmt;

/// An instant on the simulated clock, in seconds since 1970-01-01T00:00:00Z.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(pub i64);

/// A span of simulated time, in seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(pub i64);

impl Duration {
    /// Zero seconds.
    pub const ZERO: Duration = Duration(0);
    /// `n` seconds.
    pub const fn secs(n: i64) -> Duration {
        Duration(n)
    }
    /// `n` minutes.
    pub const fn mins(n: i64) -> Duration {
        Duration(n * 60)
    }
    /// `n` hours.
    pub const fn hours(n: i64) -> Duration {
        Duration(n * 3600)
    }
    /// `n` days.
    pub const fn days(n: i64) -> Duration {
        Duration(n * 86_400)
    }
    /// Parses `40m`, `2h`, `1h30m`, `30d`, `90s` (a leading `+` is accepted).
    pub fn parse(text: &str) -> Result<Duration, String> {
        let s = text.strip_prefix('+').unwrap_or(text);
        if s.is_empty() {
            return Err("an empty duration; write e.g. \"40m\", \"2h\" or \"1d\"".into());
        }
        let mut total: i64 = 0;
        let mut num: Option<i64> = None;
        for c in s.chars() {
            if let Some(d) = c.to_digit(10) {
                let n = num.unwrap_or(0);
                num = Some(
                    n.checked_mul(10)
                        .and_then(|n| n.checked_add(d as i64))
                        .ok_or_else(|| format!("duration \"{text}\" is too large"))?,
                );
                continue;
            }
            if c.is_whitespace() {
                return Err(format!(
                    "duration \"{text}\" has a space; write it without spaces, e.g. \"2h\" or \"1h30m\""
                ));
            }
            if c == '-' {
                return Err(format!(
                    "duration \"{text}\" is negative; time only moves forward"
                ));
            }
            let unit = match c {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86_400,
                _ => {
                    return Err(format!(
                        "duration \"{text}\" has an unknown unit '{c}'; units are s, m, h and d, as in \"90s\", \"40m\", \"2h\", \"30d\""
                    ))
                }
            };
            let n = num
                .take()
                .ok_or_else(|| format!("duration \"{text}\" has a unit without a number"))?;
            total = n
                .checked_mul(unit)
                .and_then(|v| total.checked_add(v))
                .ok_or_else(|| format!("duration \"{text}\" is too large"))?;
        }
        if num.is_some() {
            return Err(format!(
                "duration \"{text}\" ends without a unit; write e.g. \"{text}m\" or \"{text}h\""
            ));
        }
        if total > MAX_DURATION_SECS {
            return Err(format!("duration \"{text}\" is longer than 10 years"));
        }
        Ok(Duration(total))
    }
}

/// The longest duration a scenario may name (10 years): bounds every wait.
pub const MAX_DURATION_SECS: i64 = 10 * 366 * 86_400;

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = self.0;
        if s == 0 {
            return f.write_str("0s");
        }
        if s < 0 {
            f.write_str("-")?;
            s = -s;
        }
        let (d, h, m, sec) = (s / 86_400, s / 3600 % 24, s / 60 % 60, s % 60);
        if d > 0 {
            write!(f, "{d}d")?;
        }
        if h > 0 {
            write!(f, "{h}h")?;
        }
        if m > 0 {
            write!(f, "{m}m")?;
        }
        if sec > 0 {
            write!(f, "{sec}s")?;
        }
        Ok(())
    }
}

impl std::ops::Add<Duration> for SimTime {
    type Output = SimTime;
    fn add(self, d: Duration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl std::ops::Add for Duration {
    type Output = Duration;
    fn add(self, d: Duration) -> Duration {
        Duration(self.0.saturating_add(d.0))
    }
}

impl std::ops::Sub<SimTime> for SimTime {
    type Output = Duration;
    fn sub(self, o: SimTime) -> Duration {
        Duration(self.0 - o.0)
    }
}

impl SimTime {
    /// The default scenario start, 2024-01-01T00:00:00Z.
    pub const DEFAULT_START: SimTime = SimTime(1_704_067_200);

    /// Parses an RFC 3339 UTC timestamp such as `2023-08-30T08:00:00Z` (offsets allowed).
    pub fn parse_rfc3339(s: &str) -> Result<SimTime, String> {
        let bad = || format!("\"{s}\" is not an RFC 3339 time; write e.g. \"2023-08-30T08:00:00Z\"");
        let b = s.as_bytes();
        if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
            return Err(bad());
        }
        let num = |r: std::ops::Range<usize>| -> Result<i64, String> {
            let t = s.get(r).ok_or_else(bad)?;
            if !t.bytes().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            t.parse::<i64>().map_err(|_| bad())
        };
        let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
        if b[13] != b':' || b[16] != b':' {
            return Err(bad());
        }
        let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
        if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || se > 60 {
            return Err(bad());
        }
        let mut rest = &s[19..];
        if let Some(r) = rest.strip_prefix('.') {
            let n = r.bytes().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 {
                return Err(bad());
            }
            rest = &r[n..];
        }
        let offset = match rest {
            "Z" | "z" => 0,
            o if o.len() == 6 && (o.starts_with('+') || o.starts_with('-')) && &o[3..4] == ":" => {
                let oh: i64 = o[1..3].parse().map_err(|_| bad())?;
                let om: i64 = o[4..6].parse().map_err(|_| bad())?;
                let v = oh * 3600 + om * 60;
                if o.starts_with('-') {
                    -v
                } else {
                    v
                }
            }
            _ => return Err(bad()),
        };
        let days = days_from_civil(y, mo, d);
        Ok(SimTime(days * 86_400 + h * 3600 + mi * 60 + se.min(59) - offset))
    }

    /// Parses the time of an Entra admin center "Download users" export, `8/19/2021 1:25:31 PM`
    /// (US locale, UTC, CTS-73); an RFC 3339 time is accepted too.
    pub fn parse_portal(s: &str) -> Result<SimTime, String> {
        if let Ok(t) = SimTime::parse_rfc3339(s) {
            return Ok(t);
        }
        let bad =
            || format!("\"{s}\" is not a time such as \"8/19/2021 1:25:31 PM\" or \"2021-08-19T13:25:31Z\"");
        let mut parts = s.split_whitespace();
        let (Some(date), Some(clock), ampm, None) = (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(bad());
        };
        let num = |t: &str, max_len: usize| -> Result<i64, String> {
            if t.is_empty() || t.len() > max_len || !t.bytes().all(|c| c.is_ascii_digit()) {
                return Err(bad());
            }
            t.parse::<i64>().map_err(|_| bad())
        };
        let d: Vec<&str> = date.split('/').collect();
        let c: Vec<&str> = clock.split(':').collect();
        let ([mo, day, y], [h, mi, se]) = (d.as_slice(), c.as_slice()) else {
            return Err(bad());
        };
        let (mo, day, y, mut h, mi, se) = (
            num(mo, 2)?,
            num(day, 2)?,
            num(y, 4)?,
            num(h, 2)?,
            num(mi, 2)?,
            num(se, 2)?,
        );
        match ampm.map(str::to_ascii_uppercase).as_deref() {
            None if h <= 23 => {}
            Some("AM") if (1..=12).contains(&h) => h %= 12,
            Some("PM") if (1..=12).contains(&h) => h = h % 12 + 12,
            _ => return Err(bad()),
        }
        if !(1..=12).contains(&mo) || day < 1 || day > days_in_month(y, mo) || mi > 59 || se > 59 {
            return Err(bad());
        }
        Ok(SimTime(
            days_from_civil(y, mo, day) * 86_400 + h * 3600 + mi * 60 + se,
        ))
    }

    /// The (year, month, day, hour, minute, second) of this instant, in UTC.
    pub fn civil(self) -> (i64, i64, i64, i64, i64, i64) {
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        (y, m, d, secs / 3600, secs / 60 % 60, secs % 60)
    }
}

impl fmt::Display for SimTime {
    /// RFC 3339 in UTC, second precision: `2023-08-30T08:00:00Z`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, mo, d, h, mi, s) = self.civil();
        write!(f, "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    }
}

/// Whether `y` is a leap year in the proleptic Gregorian calendar.
pub(crate) fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

/// Days in month `m` (1..=12) of year `y`.
pub(crate) fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days-from-civil).
pub(crate) fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month, day) of day `z` counted from 1970-01-01 (Hinnant's civil-from-days).
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {

    #[test]
    fn cts_73_portal_times_parse_as_the_download_writes_them() {
        let t = |s: &str| SimTime::parse_portal(s).map(|t| t.to_string());
        assert_eq!(t("8/19/2021 1:25:31 PM").unwrap(), "2021-08-19T13:25:31Z");
        assert_eq!(t("5/27/2019 12:10:06 AM").unwrap(), "2019-05-27T00:10:06Z");
        assert_eq!(t("12/22/2022 12:14:39 PM").unwrap(), "2022-12-22T12:14:39Z");
        assert_eq!(t("2021-08-19T13:25:31Z").unwrap(), "2021-08-19T13:25:31Z");
        for bad in [
            "",
            "8/19/2021",
            "13/1/2021 1:00:00 PM",
            "2/30/2021 1:00:00 PM",
            "8/19/2021 0:00:00 PM",
            "8/19/2021 1:00:00 XM",
            "8/19/2021 1:00 PM",
            "a/b/c d:e:f",
        ] {
            assert!(SimTime::parse_portal(bad).is_err(), "{bad:?}");
        }
    }

    use super::*;

    #[test]
    fn rfc3339_round_trip() {
        let t = SimTime::parse_rfc3339("2023-08-30T08:00:00Z").unwrap();
        assert_eq!(t.to_string(), "2023-08-30T08:00:00Z");
        assert_eq!(SimTime::DEFAULT_START.to_string(), "2024-01-01T00:00:00Z");
        let leap = SimTime::parse_rfc3339("2024-02-29T23:59:59Z").unwrap();
        assert_eq!((leap + Duration::secs(1)).to_string(), "2024-03-01T00:00:00Z");
    }

    #[test]
    fn rfc3339_offsets_and_fractions() {
        let a = SimTime::parse_rfc3339("2023-08-30T10:00:00+02:00").unwrap();
        let b = SimTime::parse_rfc3339("2023-08-30T08:00:00.250Z").unwrap();
        assert_eq!(a, b);
    }

    #[test]
    fn rfc3339_rejects_impossible_dates() {
        for s in [
            "2023-02-29T00:00:00Z",
            "2023-13-01T00:00:00Z",
            "yesterday",
            "2023-08-30",
        ] {
            assert!(SimTime::parse_rfc3339(s).is_err(), "{s}");
        }
    }

    #[test]
    fn durations_parse_and_print() {
        assert_eq!(Duration::parse("40m"), Ok(Duration::mins(40)));
        assert_eq!(Duration::parse("+2h"), Ok(Duration::hours(2)));
        assert_eq!(Duration::parse("1h30m"), Ok(Duration::mins(90)));
        assert_eq!(Duration::parse("30d"), Ok(Duration::days(30)));
        assert_eq!(Duration::days(1).to_string(), "1d");
        assert_eq!(Duration::mins(90).to_string(), "1h30m");
        assert!(Duration::parse("2").unwrap_err().contains("without a unit"));
        assert!(Duration::parse("2w").unwrap_err().contains("unknown unit"));
        assert!(Duration::parse("2 hours").unwrap_err().contains("without spaces"));
        assert!(Duration::parse("-1h").unwrap_err().contains("negative"));
        assert!(Duration::parse("99999999999d").is_err());
    }
}
