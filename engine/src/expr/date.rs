//! Dates as .NET keeps them: 100-nanosecond ticks since 0001-01-01T00:00:00 on the
//! proleptic Gregorian calendar, years 1 to 9999. CDate's reader, the page's M/d/yyyy h:mm:ss
//! tt rendering, VB's DateAdd and DateDiff, AD's FILETIME, and .NET custom date and time
//! format strings for FormatDateTime (parsing and formatting, en-US names). The service's
//! local time zone is UTC.

use super::eval::quote;
use std::fmt::Write;

const TICKS_PER_SECOND: i64 = 10_000_000;
const TICKS_PER_MINUTE: i64 = 60 * TICKS_PER_SECOND;
const TICKS_PER_HOUR: i64 = 60 * TICKS_PER_MINUTE;
const TICKS_PER_DAY: i64 = 24 * TICKS_PER_HOUR;
/// 9999-12-31T23:59:59.9999999, .NET's DateTime.MaxValue.
const TICKS_MAX: i64 = 3_155_378_975_999_999_999;
/// 1970-01-01, the Unix epoch.
const UNIX_EPOCH_TICKS: i64 = 621_355_968_000_000_000;
/// 1601-01-01, the start of Windows FILETIME (AD's date format).
const FILETIME_EPOCH_TICKS: i64 = 504_911_232_000_000_000;
/// Days from 0001-01-01 to 1970-01-01.
const DAYS_TO_1970: i64 = 719_162;
/// Characters of a date CDate reads, at most.
const DATE_TEXT_CHARS_MAX: usize = 256;
/// Characters of a FormatDateTime format, at most.
const FORMAT_CHARS_MAX: usize = 1_000;
/// Characters of a FormatDateTime source, at most.
const SOURCE_CHARS_MAX: usize = 2_000;

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

use crate::time::days_in_month;

/// Days since 0001-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    crate::time::days_from_civil(y, m, d) + DAYS_TO_1970
}

/// (year, month, day) of a day counted from 0001-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    crate::time::civil_from_days(days - DAYS_TO_1970)
}

/// Day of the week of a day counted from 0001-01-01 (a Monday): 0 is Sunday.
fn weekday(days: i64) -> i64 {
    (days + 1).rem_euclid(7)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Parts {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    /// Ticks within the second, 0 to 9,999,999.
    frac: i64,
    /// 0 is Sunday.
    dow: i64,
}

fn parts(t: i64) -> Parts {
    let days = t.div_euclid(TICKS_PER_DAY);
    let rem = t.rem_euclid(TICKS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    Parts {
        year,
        month,
        day,
        hour: rem / TICKS_PER_HOUR,
        minute: rem % TICKS_PER_HOUR / TICKS_PER_MINUTE,
        second: rem % TICKS_PER_MINUTE / TICKS_PER_SECOND,
        frac: rem % TICKS_PER_SECOND,
        dow: weekday(days),
    }
}

fn in_range(t: i64) -> Option<i64> {
    (0..=TICKS_MAX).contains(&t).then_some(t)
}

/// Ticks of a calendar date and time, if it is one.
fn make(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64, frac: i64) -> Option<i64> {
    let valid = (1..=9999).contains(&y)
        && (1..=12).contains(&mo)
        && d >= 1
        && d <= days_in_month(y, mo)
        && (0..24).contains(&h)
        && (0..60).contains(&mi)
        && (0..60).contains(&s)
        && (0..TICKS_PER_SECOND).contains(&frac);
    valid.then(|| {
        days_from_civil(y, mo, d) * TICKS_PER_DAY
            + h * TICKS_PER_HOUR
            + mi * TICKS_PER_MINUTE
            + s * TICKS_PER_SECOND
            + frac
    })
}

/// A Unix time in seconds, as ticks.
pub(crate) fn from_unix(secs: i64) -> Option<i64> {
    secs.checked_mul(TICKS_PER_SECOND)?
        .checked_add(UNIX_EPOCH_TICKS)
        .and_then(in_range)
}

/// An AD date number (FILETIME), as ticks.
pub(crate) fn from_filetime(n: i64) -> Option<i64> {
    if n < 0 {
        return None;
    }
    n.checked_add(FILETIME_EPOCH_TICKS).and_then(in_range)
}

/// Ticks as an AD date number (FILETIME); None before 1601.
pub(crate) fn to_filetime(t: i64) -> Option<i64> {
    let n = t - FILETIME_EPOCH_TICKS;
    (n >= 0).then_some(n)
}

/// The page's date rendering, M/d/yyyy h:mm:ss tt (en-US).
pub(crate) fn format_general(t: i64) -> String {
    let p = parts(t);
    let h12 = if p.hour % 12 == 0 { 12 } else { p.hour % 12 };
    let tt = if p.hour < 12 { "AM" } else { "PM" };
    format!(
        "{}/{}/{:04} {}:{:02}:{:02} {tt}",
        p.month, p.day, p.year, h12, p.minute, p.second
    )
}

// ----- DateAdd and DateDiff ----------------------------------------------------------------

/// A DateAdd/DateDiff interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Interval {
    Year,
    Month,
    Day,
    Week,
    Hour,
    Minute,
    Second,
}

impl Interval {
    /// One of the page's interval strings (in any case: `m` and `M` are both month).
    pub(crate) fn parse(s: &str) -> Result<Interval, String> {
        let t = s.trim();
        let lower = if t.len() <= 4 {
            t.to_ascii_lowercase()
        } else {
            String::new()
        };
        Ok(match lower.as_str() {
            "yyyy" => Interval::Year,
            "m" => Interval::Month,
            "d" => Interval::Day,
            "ww" => Interval::Week,
            "h" => Interval::Hour,
            "n" => Interval::Minute,
            "s" => Interval::Second,
            _ => {
                return Err(format!(
                    "the interval is one of yyyy (year), m (month), d (day), ww (week), h (hour), n (minute) or s (second), not {}",
                    quote(s)
                ))
            }
        })
    }

    /// The unit's plural, for messages.
    pub(crate) fn unit(self) -> &'static str {
        match self {
            Interval::Year => "years",
            Interval::Month => "months",
            Interval::Day => "days",
            Interval::Week => "weeks",
            Interval::Hour => "hours",
            Interval::Minute => "minutes",
            Interval::Second => "seconds",
        }
    }
}

fn add_months(t: i64, months: i64) -> Option<i64> {
    let p = parts(t);
    let total = (p.year * 12 + p.month - 1).checked_add(months)?;
    let (y, m) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    if !(1..=9999).contains(&y) {
        return None;
    }
    Some(days_from_civil(y, m, p.day.min(days_in_month(y, m))) * TICKS_PER_DAY + t.rem_euclid(TICKS_PER_DAY))
}

/// DateAdd: `n` intervals after `t` (months and years keep the day, clamped to the month's
/// end, as .NET's AddMonths does); None outside the years 1 to 9999.
pub(crate) fn add(i: Interval, n: i64, t: i64) -> Option<i64> {
    let ticks = |unit: i64| n.checked_mul(unit).and_then(|d| t.checked_add(d));
    let r = match i {
        Interval::Year => add_months(t, n.checked_mul(12)?),
        Interval::Month => add_months(t, n),
        Interval::Day => ticks(TICKS_PER_DAY),
        Interval::Week => ticks(7 * TICKS_PER_DAY),
        Interval::Hour => ticks(TICKS_PER_HOUR),
        Interval::Minute => ticks(TICKS_PER_MINUTE),
        Interval::Second => ticks(TICKS_PER_SECOND),
    };
    r.and_then(in_range)
}

/// DateDiff, as Visual Basic counts: calendar boundaries for years and months, Sunday week
/// boundaries for weeks, truncated elapsed time for days, hours, minutes and seconds.
pub(crate) fn diff(i: Interval, t1: i64, t2: i64) -> i64 {
    let (a, b) = (parts(t1), parts(t2));
    let elapsed = t2 - t1;
    match i {
        Interval::Year => b.year - a.year,
        Interval::Month => (b.year - a.year) * 12 + b.month - a.month,
        Interval::Week => {
            let (d1, d2) = (t1.div_euclid(TICKS_PER_DAY), t2.div_euclid(TICKS_PER_DAY));
            ((d2 - weekday(d2)) - (d1 - weekday(d1))) / 7
        }
        Interval::Day => elapsed / TICKS_PER_DAY,
        Interval::Hour => elapsed / TICKS_PER_HOUR,
        Interval::Minute => elapsed / TICKS_PER_MINUTE,
        Interval::Second => elapsed / TICKS_PER_SECOND,
    }
}

// ----- CDate's reader ------------------------------------------------------------------------

struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cur<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        let hit = self.peek() == Some(c);
        self.i += usize::from(hit);
        hit
    }

    fn eat_any(&mut self, set: &[u8]) -> Option<u8> {
        let c = self.peek().filter(|c| set.contains(c))?;
        self.i += 1;
        Some(c)
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.i += 1;
        }
    }

    /// `min` to `max` digits.
    fn digits(&mut self, min: usize, max: usize) -> Option<i64> {
        let start = self.i;
        while self.i - start < max && self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        if self.i - start < min {
            self.i = start;
            return None;
        }
        self.b[start..self.i]
            .iter()
            .try_fold(0i64, |n, d| n.checked_mul(10)?.checked_add(i64::from(d - b'0')))
    }

    /// Letters and dots.
    fn word(&mut self) -> &'a str {
        let start = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_alphabetic() || c == b'.') {
            self.i += 1;
        }
        std::str::from_utf8(&self.b[start..self.i]).unwrap_or("")
    }
}

fn month_of(word: &str) -> Option<i64> {
    let w = word.trim_end_matches('.');
    if w.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| {
            m.eq_ignore_ascii_case(w)
                || m[..3].eq_ignore_ascii_case(w)
                || (w.eq_ignore_ascii_case("sept") && *m == "September")
        })
        .map(|i| i as i64 + 1)
}

fn day_of(word: &str) -> Option<i64> {
    let w = word.trim_end_matches('.');
    if w.len() < 3 {
        return None;
    }
    DAYS.iter()
        .position(|d| d.eq_ignore_ascii_case(w) || d[..3].eq_ignore_ascii_case(w))
        .map(|i| i as i64)
}

/// Two-digit years as .NET's Gregorian calendar reads them (TwoDigitYearMax 2049).
fn two_digit_year(y: i64) -> i64 {
    if y < 50 {
        2000 + y
    } else {
        1900 + y
    }
}

fn read_date(c: &mut Cur<'_>) -> Option<(i64, i64, i64)> {
    if c.peek()?.is_ascii_alphabetic() {
        let save = c.i;
        if day_of(c.word()).is_some() {
            c.eat(b',');
            c.ws();
        } else {
            c.i = save;
        }
    }
    if c.peek()?.is_ascii_digit() {
        let start = c.i;
        let n1 = c.digits(1, 4)?;
        let len1 = c.i - start;
        if len1 == 4 {
            let sep = c.eat_any(b"-/.")?;
            let mo = c.digits(1, 2)?;
            if !c.eat(sep) {
                return None;
            }
            let d = c.digits(1, 2)?;
            return Some((n1, mo, d));
        }
        if len1 > 2 {
            return None;
        }
        if c.eat(b'/') {
            let d = c.digits(1, 2)?;
            if !c.eat(b'/') {
                return None;
            }
            let ys = c.i;
            let y = c.digits(2, 4)?;
            let y = match c.i - ys {
                2 => two_digit_year(y),
                4 => y,
                _ => return None,
            };
            return Some((y, n1, d));
        }
        let dash = c.eat(b'-');
        if !dash {
            c.ws();
        }
        let mo = month_of(c.word())?;
        if dash {
            if !c.eat(b'-') {
                return None;
            }
        } else {
            c.eat(b',');
            c.ws();
        }
        let y = c.digits(4, 4)?;
        return Some((y, mo, n1));
    }
    let mo = month_of(c.word())?;
    c.ws();
    let d = c.digits(1, 2)?;
    c.eat(b',');
    c.ws();
    let y = c.digits(4, 4)?;
    Some((y, mo, d))
}

/// An optional time: `T` or spaces, then H:mm[:ss[.fffffff]] and an optional AM/PM.
fn read_time(c: &mut Cur<'_>) -> Option<(i64, i64, i64, i64)> {
    let save = c.i;
    let t = c.eat(b'T');
    if !t {
        c.ws();
    }
    let Some(h) = c.digits(1, 2).filter(|_| c.peek() == Some(b':')) else {
        if t {
            return None;
        }
        c.i = save;
        return Some((0, 0, 0, 0));
    };
    c.eat(b':');
    let mi = c.digits(2, 2)?;
    let (mut s, mut frac) = (0, 0);
    if c.eat(b':') {
        s = c.digits(2, 2)?;
        if c.eat(b'.') {
            let start = c.i;
            while c.peek().is_some_and(|d| d.is_ascii_digit()) {
                c.i += 1;
            }
            let digits = &c.b[start..c.i];
            if digits.is_empty() {
                return None;
            }
            for k in 0..7 {
                frac = frac * 10 + digits.get(k).map_or(0, |d| i64::from(d - b'0'));
            }
        }
    }
    let save = c.i;
    c.ws();
    let mut h = h;
    let designator = c.word().to_ascii_uppercase();
    let pm = match designator.as_str() {
        "AM" | "A" | "A.M." => Some(false),
        "PM" | "P" | "P.M." => Some(true),
        _ => None,
    };
    match pm {
        Some(pm) => {
            if h > 12 {
                return None;
            }
            h = h % 12 + if pm { 12 } else { 0 };
        }
        None => c.i = save,
    }
    Some((h, mi, s, frac))
}

/// A signed offset `+hh:mm`, `+hhmm` or `+hh`, in minutes east of UTC.
fn read_signed(c: &mut Cur<'_>) -> Option<i64> {
    let negative = c.eat_any(b"+-")? == b'-';
    let start = c.i;
    let h = c.digits(1, 2)?;
    let m = if c.eat(b':') {
        c.digits(2, 2)?
    } else if c.i - start == 2 {
        c.digits(2, 2).unwrap_or(0)
    } else {
        0
    };
    if h > 14 || m > 59 {
        return None;
    }
    Some(if negative { -(h * 60 + m) } else { h * 60 + m })
}

/// An optional zone: `Z`, `GMT`/`UTC` (optionally followed by an offset) or an offset.
fn read_zone(c: &mut Cur<'_>) -> Option<i64> {
    c.ws();
    match c.peek() {
        None => Some(0),
        Some(b'Z' | b'z') => {
            c.i += 1;
            Some(0)
        }
        Some(b'+' | b'-') => read_signed(c),
        Some(x) if x.is_ascii_alphabetic() => {
            let w = c.word();
            if !(w.eq_ignore_ascii_case("GMT") || w.eq_ignore_ascii_case("UTC")) {
                return None;
            }
            c.ws();
            if matches!(c.peek(), Some(b'+' | b'-')) {
                read_signed(c)
            } else {
                Some(0)
            }
        }
        _ => None,
    }
}

/// CDate's reader: a date (ISO `yyyy-MM-dd`, `yyyy/MM/dd`, US `M/d/yyyy`, or with a month
/// name), an optional time and an optional zone, as UTC ticks. No zone means UTC.
pub(crate) fn parse_loose(text: &str) -> Result<i64, String> {
    let bad = || {
        format!(
            "{} is not a date and time CDate reads (such as 2009-06-15T01:45:30-07:00, 2020-03-16-07:00, 8/25/2021 5:41:18 PM or January 1, 2012 11:00 PM)",
            quote(text)
        )
    };
    let t = text.trim();
    if t.is_empty() || t.len() > DATE_TEXT_CHARS_MAX || !t.is_ascii() {
        return Err(bad());
    }
    let mut c = Cur {
        b: t.as_bytes(),
        i: 0,
    };
    let (y, mo, d) = read_date(&mut c).ok_or_else(bad)?;
    let (h, mi, s, frac) = read_time(&mut c).ok_or_else(bad)?;
    let zone = read_zone(&mut c).ok_or_else(bad)?;
    c.ws();
    if c.peek().is_some() {
        return Err(bad());
    }
    let local = make(y, mo, d, h, mi, s, frac)
        .ok_or_else(|| format!("{} is not a valid calendar date", quote(text)))?;
    in_range(local - zone * TICKS_PER_MINUTE)
        .ok_or_else(|| format!("{} is outside the years 1 to 9999", quote(text)))
}

// ----- FormatDateTime -------------------------------------------------------------------------

/// What a parsed date knows of its zone (.NET's DateTimeKind).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Unspecified,
    Utc,
    Local,
}

/// A parsed FormatDateTime source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct DateTime {
    ticks: i64,
    kind: Kind,
}

/// .NET DateTimeStyles, as FormatDateTime's second argument names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Styles {
    leading: bool,
    trailing: bool,
    inner: bool,
    no_current_date_default: bool,
    adjust_to_universal: bool,
    assume_local: bool,
    assume_universal: bool,
    roundtrip: bool,
}

impl Default for Styles {
    /// The page: "DateTimeStyles.RoundtripKind, DateTimeStyles.AllowLeadingWhite,
    /// DateTimeStyles.AllowTrailingWhite".
    fn default() -> Styles {
        Styles {
            leading: true,
            trailing: true,
            roundtrip: true,
            ..Styles::none()
        }
    }
}

const STYLE_NAMES: &str = "None, AllowLeadingWhite, AllowTrailingWhite, AllowInnerWhite, AllowWhiteSpaces, NoCurrentDateDefault, AdjustToUniversal, AssumeLocal, AssumeUniversal and RoundtripKind";

impl Styles {
    fn none() -> Styles {
        Styles {
            leading: false,
            trailing: false,
            inner: false,
            no_current_date_default: false,
            adjust_to_universal: false,
            assume_local: false,
            assume_universal: false,
            roundtrip: false,
        }
    }

    fn set_bits(&mut self, bits: i64) {
        self.leading |= bits & 1 != 0;
        self.trailing |= bits & 2 != 0;
        self.inner |= bits & 4 != 0;
        self.no_current_date_default |= bits & 8 != 0;
        self.adjust_to_universal |= bits & 16 != 0;
        self.assume_local |= bits & 32 != 0;
        self.assume_universal |= bits & 64 != 0;
        self.roundtrip |= bits & 128 != 0;
    }

    /// A list of DateTimeStyles names (or their numeric value) separated by `,` or `|`.
    pub(crate) fn parse(s: &str) -> Result<Styles, String> {
        let mut st = Styles::none();
        for part in s.split([',', '|']) {
            let p = part.trim();
            let p = match p.get(..15) {
                Some(prefix) if prefix.eq_ignore_ascii_case("DateTimeStyles.") => &p[15..],
                _ => p,
            };
            if p.is_empty() {
                continue;
            }
            if let Ok(n) = p.parse::<i64>() {
                if !(0..=255).contains(&n) {
                    return Err(format!("{n} is not a DateTimeStyles value (0 to 255)"));
                }
                st.set_bits(n);
                continue;
            }
            let bits = match p.to_ascii_lowercase().as_str() {
                "none" => 0,
                "allowleadingwhite" => 1,
                "allowtrailingwhite" => 2,
                "allowinnerwhite" => 4,
                "allowwhitespaces" => 7,
                "nocurrentdatedefault" => 8,
                "adjusttouniversal" => 16,
                "assumelocal" => 32,
                "assumeuniversal" => 64,
                "roundtripkind" => 128,
                _ => {
                    return Err(format!(
                        "{} is not a DateTimeStyles value; they are {STYLE_NAMES}",
                        quote(p)
                    ))
                }
            };
            st.set_bits(bits);
        }
        if st.assume_local && st.assume_universal {
            return Err("DateTimeStyles AssumeLocal and AssumeUniversal can't be combined".into());
        }
        if st.roundtrip && (st.assume_local || st.assume_universal || st.adjust_to_universal) {
            return Err(
                "DateTimeStyles RoundtripKind can't be combined with AssumeLocal, AssumeUniversal or AdjustToUniversal".into(),
            );
        }
        Ok(st)
    }
}

/// One element of a custom format.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Year(usize),
    Month(usize),
    Day(usize),
    Hour24(usize),
    Hour12(usize),
    Minute(usize),
    Second(usize),
    Frac(usize),
    FracOpt(usize),
    AmPm(usize),
    Zone(usize),
    Kind,
    Era,
    Lit(String),
}

/// The en-US standard format a one-letter format stands for.
fn standard(c: char) -> Option<&'static str> {
    Some(match c {
        'd' => "M/d/yyyy",
        'D' => "dddd, MMMM d, yyyy",
        'f' => "dddd, MMMM d, yyyy h:mm tt",
        'F' | 'U' => "dddd, MMMM d, yyyy h:mm:ss tt",
        'g' => "M/d/yyyy h:mm tt",
        'G' => "M/d/yyyy h:mm:ss tt",
        'M' | 'm' => "MMMM d",
        'O' | 'o' => "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
        'R' | 'r' => "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
        's' => "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
        't' => "h:mm tt",
        'T' => "h:mm:ss tt",
        'u' => "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
        'Y' | 'y' => "MMMM yyyy",
        _ => return None,
    })
}

fn specifier(c: char, n: usize) -> Result<Option<Tok>, String> {
    Ok(Some(match c {
        'y' => Tok::Year(n),
        'M' => Tok::Month(n),
        'd' => Tok::Day(n),
        'h' => Tok::Hour12(n),
        'H' => Tok::Hour24(n),
        'm' => Tok::Minute(n),
        's' => Tok::Second(n),
        'f' | 'F' if n > 7 => return Err(format!("{} {c}'s are more than the 7 a fraction may have", n)),
        'f' => Tok::Frac(n),
        'F' => Tok::FracOpt(n),
        't' => Tok::AmPm(n),
        'z' => Tok::Zone(n),
        'g' => Tok::Era,
        'K' => Tok::Kind,
        _ => return Ok(None),
    }))
}

/// The tokens of a .NET date format: a one-letter format is a standard one; otherwise
/// custom specifiers, quoted literals, `\` escapes, `%` single specifiers, and literal
/// characters.
fn tokens(fmt: &str) -> Result<Vec<Tok>, String> {
    let given: Vec<char> = fmt.chars().take(FORMAT_CHARS_MAX + 1).collect();
    if given.len() > FORMAT_CHARS_MAX {
        return Err(format!("the format is longer than {FORMAT_CHARS_MAX} characters"));
    }
    let chars: Vec<char> = match given.as_slice() {
        [c] => match standard(*c) {
            Some(p) => p.chars().collect(),
            None => {
                return Err(format!(
                    "\"{c}\" alone is read as a .NET standard format, and there is none called {c}; write \"%{c}\" for the custom specifier"
                ))
            }
        },
        _ => given,
    };
    let mut out: Vec<Tok> = Vec::new();
    let lit = |out: &mut Vec<Tok>, c: char| match out.last_mut() {
        Some(Tok::Lit(s)) => s.push(c),
        _ => out.push(Tok::Lit(c.to_string())),
    };
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        match c {
            '\'' | '"' => {
                i += 1;
                let mut closed = false;
                while let Some(&ch) = chars.get(i) {
                    i += 1;
                    if ch == c {
                        closed = true;
                        break;
                    }
                    if ch == '\\' {
                        match chars.get(i) {
                            Some(&e) => {
                                lit(&mut out, e);
                                i += 1;
                            }
                            None => break,
                        }
                    } else {
                        lit(&mut out, ch);
                    }
                }
                if !closed {
                    return Err(format!("the quoted literal started by {c} is not closed"));
                }
            }
            '\\' => match chars.get(i + 1) {
                Some(&e) => {
                    lit(&mut out, e);
                    i += 2;
                }
                None => return Err("the format ends with a backslash that escapes nothing".into()),
            },
            '%' => match chars.get(i + 1) {
                Some(&e) if e != '%' => {
                    match specifier(e, 1)? {
                        Some(t) => out.push(t),
                        None => lit(&mut out, e),
                    }
                    i += 2;
                }
                _ => return Err("'%' must be followed by one format specifier, as in %d".into()),
            },
            'K' => {
                out.push(Tok::Kind);
                i += 1;
            }
            _ => {
                let n = chars[i..].iter().take_while(|&&x| x == c).count();
                match specifier(c, n)? {
                    Some(t) => {
                        out.push(t);
                        i += n;
                    }
                    None => {
                        lit(&mut out, c);
                        i += 1;
                    }
                }
            }
        }
    }
    Ok(out)
}

/// Whether a string constant is a format FormatDateTime can use.
pub(crate) fn check_format(fmt: &str, input: bool) -> Result<(), String> {
    if input && fmt.is_empty() {
        return Err("an empty format reads nothing".into());
    }
    tokens(fmt).map(|_| ())
}

/// Formats with a .NET custom or standard format; an empty format is "G".
pub(crate) fn format(dt: DateTime, fmt: &str) -> Result<String, String> {
    let toks = tokens(if fmt.is_empty() { "G" } else { fmt })?;
    let p = parts(dt.ticks);
    let mut out = String::new();
    let digits = |out: &mut String, v: i64, n: usize| {
        let _ = write!(out, "{v:0n$}");
    };
    for t in toks {
        match t {
            Tok::Year(1) => digits(&mut out, p.year % 100, 1),
            Tok::Year(2) => digits(&mut out, p.year % 100, 2),
            Tok::Year(n) => digits(&mut out, p.year, n),
            Tok::Month(n @ (1 | 2)) => digits(&mut out, p.month, n),
            Tok::Month(n) => {
                let name = MONTHS[(p.month - 1).clamp(0, 11) as usize];
                out.push_str(if n == 3 { &name[..3] } else { name });
            }
            Tok::Day(n @ (1 | 2)) => digits(&mut out, p.day, n),
            Tok::Day(n) => {
                let name = DAYS[p.dow.clamp(0, 6) as usize];
                out.push_str(if n == 3 { &name[..3] } else { name });
            }
            Tok::Hour24(n) => digits(&mut out, p.hour, n.min(2)),
            Tok::Hour12(n) => digits(
                &mut out,
                if p.hour % 12 == 0 { 12 } else { p.hour % 12 },
                n.min(2),
            ),
            Tok::Minute(n) => digits(&mut out, p.minute, n.min(2)),
            Tok::Second(n) => digits(&mut out, p.second, n.min(2)),
            Tok::Frac(n) => digits(&mut out, p.frac / 10i64.pow(7 - n as u32), n),
            Tok::FracOpt(n) => {
                let mut s = format!("{:0n$}", p.frac / 10i64.pow(7 - n as u32));
                while s.ends_with('0') {
                    s.pop();
                }
                if s.is_empty() {
                    if out.ends_with('.') {
                        out.pop();
                    }
                } else {
                    out.push_str(&s);
                }
            }
            Tok::AmPm(n) => {
                let tt = if p.hour < 12 { "AM" } else { "PM" };
                out.push_str(if n == 1 { &tt[..1] } else { tt });
            }
            Tok::Zone(1) => out.push_str("+0"),
            Tok::Zone(2) => out.push_str("+00"),
            Tok::Zone(_) => out.push_str("+00:00"),
            Tok::Kind => out.push_str(match dt.kind {
                Kind::Utc => "Z",
                Kind::Local => "+00:00",
                Kind::Unspecified => "",
            }),
            Tok::Era => out.push_str("A.D."),
            Tok::Lit(s) => out.push_str(&s),
        }
    }
    Ok(out)
}

#[derive(Default)]
struct Fields {
    year: Option<i64>,
    month: Option<i64>,
    day: Option<i64>,
    dow: Option<i64>,
    hour: Option<i64>,
    minute: Option<i64>,
    second: Option<i64>,
    frac: Option<i64>,
    pm: Option<bool>,
    offset: Option<i64>,
    utc: bool,
}

struct Reader<'a> {
    chars: &'a [char],
    i: usize,
}

impl Reader<'_> {
    fn digits(&mut self, min: usize, max: usize) -> Option<(i64, usize)> {
        let start = self.i;
        while self.i - start < max && self.chars.get(self.i).is_some_and(char::is_ascii_digit) {
            self.i += 1;
        }
        let n = self.i - start;
        if n < min {
            self.i = start;
            return None;
        }
        let v = self.chars[start..self.i].iter().try_fold(0i64, |v, d| {
            v.checked_mul(10)?.checked_add(i64::from(d.to_digit(10)?))
        })?;
        Some((v, n))
    }

    fn number(&mut self, n: usize) -> Option<i64> {
        let (min, max) = if n == 1 { (1, 2) } else { (n, n) };
        self.digits(min, max).map(|(v, _)| v)
    }

    /// The longest of `names` (case-insensitive) at the cursor, by index.
    fn name(&mut self, names: &[&str]) -> Option<usize> {
        let mut best: Option<(usize, usize)> = None;
        for (k, name) in names.iter().enumerate() {
            let len = name.chars().count();
            let Some(slice) = self.chars.get(self.i..self.i + len) else {
                continue;
            };
            let same = slice
                .iter()
                .zip(name.chars())
                .all(|(a, b)| a.eq_ignore_ascii_case(&b));
            if same && best.is_none_or(|(_, l)| len > l) {
                best = Some((k, len));
            }
        }
        let (k, len) = best?;
        self.i += len;
        Some(k)
    }

    fn eat(&mut self, c: char) -> bool {
        let hit = self.chars.get(self.i) == Some(&c);
        self.i += usize::from(hit);
        hit
    }

    fn skip_ws(&mut self) {
        while self.chars.get(self.i).is_some_and(|c| c.is_whitespace()) {
            self.i += 1;
        }
    }

    fn offset(&mut self, n: usize) -> Option<i64> {
        let negative = match self.chars.get(self.i) {
            Some('+') => false,
            Some('-') => true,
            _ => return None,
        };
        self.i += 1;
        let h = match n {
            1 => self.digits(1, 2)?.0,
            _ => self.digits(2, 2)?.0,
        };
        let m = if n >= 3 {
            self.eat(':');
            self.digits(2, 2)?.0
        } else {
            0
        };
        if h > 14 || m > 59 {
            return None;
        }
        Some(if negative { -(h * 60 + m) } else { h * 60 + m })
    }
}

/// .NET's DateTime.ParseExact(source, format, invariant culture, styles); `now` supplies the
/// date when the format has none (as .NET takes today's).
pub(crate) fn parse_exact(
    text: &str,
    fmt: &str,
    styles: Styles,
    now: Option<i64>,
) -> Result<DateTime, String> {
    if fmt.is_empty() {
        return Err("the inputFormat is empty".into());
    }
    let toks = tokens(fmt).map_err(|m| format!("the inputFormat: {m}"))?;
    let mut s = text;
    if styles.leading {
        s = s.trim_start();
    }
    if styles.trailing {
        s = s.trim_end();
    }
    let chars: Vec<char> = s.chars().take(SOURCE_CHARS_MAX + 1).collect();
    let mismatch = |why: &str| {
        format!(
            "{} doesn't match the inputFormat {} ({why})",
            quote(text),
            quote(fmt)
        )
    };
    if chars.len() > SOURCE_CHARS_MAX {
        return Err(mismatch("too long"));
    }
    let mut r = Reader { chars: &chars, i: 0 };
    let mut f = Fields::default();
    for t in &toks {
        if styles.inner {
            r.skip_ws();
        }
        let ok = match t {
            Tok::Year(n @ (1 | 2)) => r.number(*n).map(|v| f.year = Some(two_digit_year(v))),
            Tok::Year(3) => r.digits(3, 4).map(|(v, _)| f.year = Some(v)),
            Tok::Year(n) => r.number(*n).map(|v| f.year = Some(v)),
            Tok::Month(n @ (1 | 2)) => r.number(*n).map(|v| f.month = Some(v)),
            Tok::Month(n) => {
                let abbr: Vec<&str> = MONTHS.iter().map(|m| &m[..3]).collect();
                r.name(if *n == 3 { &abbr[..] } else { &MONTHS[..] })
                    .map(|k| f.month = Some(k as i64 + 1))
            }
            Tok::Day(n @ (1 | 2)) => r.number(*n).map(|v| f.day = Some(v)),
            Tok::Day(n) => {
                let abbr: Vec<&str> = DAYS.iter().map(|d| &d[..3]).collect();
                r.name(if *n == 3 { &abbr[..] } else { &DAYS[..] })
                    .map(|k| f.dow = Some(k as i64))
            }
            Tok::Hour24(n) | Tok::Hour12(n) => r.number((*n).min(2)).map(|v| f.hour = Some(v)),
            Tok::Minute(n) => r.number((*n).min(2)).map(|v| f.minute = Some(v)),
            Tok::Second(n) => r.number((*n).min(2)).map(|v| f.second = Some(v)),
            Tok::Frac(n) => r
                .digits(*n, *n)
                .map(|(v, _)| f.frac = Some(v * 10i64.pow(7 - *n as u32))),
            Tok::FracOpt(n) => {
                let (v, k) = r.digits(0, *n).unwrap_or((0, 0));
                f.frac = Some(v * 10i64.pow(7 - k as u32));
                Some(())
            }
            Tok::AmPm(n) => {
                let names: &[&str] = if *n == 1 { &["A", "P"] } else { &["AM", "PM"] };
                r.name(names).map(|k| f.pm = Some(k == 1))
            }
            Tok::Zone(n) => r.offset(*n).map(|o| f.offset = Some(o)),
            Tok::Kind => {
                if r.eat('Z') {
                    f.utc = true;
                } else if matches!(r.chars.get(r.i), Some('+' | '-')) {
                    match r.offset(3) {
                        Some(o) => f.offset = Some(o),
                        None => return Err(mismatch("a zone offset is malformed")),
                    }
                }
                Some(())
            }
            Tok::Era => r.name(&["A.D.", "AD"]).map(|_| ()),
            Tok::Lit(l) => {
                let mut ok = true;
                for ch in l.chars() {
                    if ch.is_whitespace() && styles.inner {
                        r.skip_ws();
                    } else if ch.is_whitespace() && r.chars.get(r.i).is_some_and(|c| c.is_whitespace()) {
                        r.i += 1;
                    } else if !r.eat(ch) {
                        ok = false;
                        break;
                    }
                }
                ok.then_some(())
            }
        };
        if ok.is_none() {
            let at: String = r.chars.iter().skip(r.i).take(12).collect();
            return Err(mismatch(&format!("stuck at \"{at}\"")));
        }
    }
    if styles.inner {
        r.skip_ws();
    }
    if r.i < chars.len() {
        let rest: String = chars[r.i..].iter().take(12).collect();
        return Err(mismatch(&format!("\"{rest}\" is left over")));
    }
    let today = now.map(parts);
    let (y, mo, d) = if f.month.is_none() && f.day.is_none() {
        match (f.year, today) {
            (Some(y), _) => (y, 1, 1),
            (None, _) if styles.no_current_date_default => (1, 1, 1),
            (None, Some(p)) => (p.year, p.month, p.day),
            (None, None) => (1, 1, 1),
        }
    } else {
        (
            f.year.or(today.map(|p| p.year)).unwrap_or(1),
            f.month.unwrap_or(1),
            f.day.unwrap_or(1),
        )
    };
    let mut h = f.hour.unwrap_or(0);
    if let Some(pm) = f.pm {
        match h {
            0..=12 => h = h % 12 + if pm { 12 } else { 0 },
            13..=23 if pm => {}
            _ => return Err(mismatch("the hour and the AM/PM designator disagree")),
        }
    }
    let local = make(
        y,
        mo,
        d,
        h,
        f.minute.unwrap_or(0),
        f.second.unwrap_or(0),
        f.frac.unwrap_or(0),
    )
    .ok_or_else(|| mismatch("not a valid date"))?;
    if let Some(w) = f.dow {
        if parts(local).dow != w {
            return Err(mismatch("the day of the week doesn't match the date"));
        }
    }
    let (ticks, kind) = match f.offset {
        Some(o) => (
            local - o * TICKS_PER_MINUTE,
            if styles.adjust_to_universal {
                Kind::Utc
            } else {
                Kind::Local
            },
        ),
        None if f.utc => (
            local,
            if styles.roundtrip || styles.adjust_to_universal {
                Kind::Utc
            } else {
                Kind::Local
            },
        ),
        None if styles.assume_universal || styles.adjust_to_universal => (local, Kind::Utc),
        None if styles.assume_local => (local, Kind::Local),
        None => (local, Kind::Unspecified),
    };
    let ticks = in_range(ticks).ok_or_else(|| mismatch("outside the years 1 to 9999"))?;
    Ok(DateTime { ticks, kind })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> i64 {
        make(y, mo, d, h, mi, s, 0).unwrap()
    }

    fn reformat(src: &str, input: &str, output: &str) -> Result<String, String> {
        let dt = parse_exact(src, input, Styles::default(), from_unix(1_625_240_018))?;
        format(dt, output)
    }

    #[test]
    fn calendar_round_trips() {
        assert_eq!(days_from_civil(1, 1, 1), 0);
        assert_eq!(days_from_civil(1970, 1, 1), DAYS_TO_1970);
        assert_eq!(days_from_civil(1970, 1, 1) * TICKS_PER_DAY, UNIX_EPOCH_TICKS);
        assert_eq!(days_from_civil(1601, 1, 1) * TICKS_PER_DAY, FILETIME_EPOCH_TICKS);
        assert_eq!(make(9999, 12, 31, 23, 59, 59, 9_999_999), Some(TICKS_MAX));
        for days in [0, 1, 58, 59, 60, 365, 146_096, 730_000, 3_652_058] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(weekday(0), 1, "0001-01-01 is a Monday");
        assert_eq!(parts(at(2021, 8, 25, 0, 0, 0)).dow, 3, "a Wednesday");
        assert_eq!(make(2021, 2, 29, 0, 0, 0, 0), None);
        assert_eq!(make(2020, 2, 29, 0, 0, 0, 0).map(|t| parts(t).day), Some(29));
    }

    #[test]
    fn cdate_reads_the_pages_forms() {
        let g = |s: &str| parse_loose(s).map(format_general);
        assert_eq!(g("2020-03-16-07:00").unwrap(), "3/16/2020 7:00:00 AM");
        assert_eq!(g("2021-06-30+08:00").unwrap(), "6/29/2021 4:00:00 PM");
        assert_eq!(g("2009-06-15T01:45:30-07:00").unwrap(), "6/15/2009 8:45:30 AM");
        assert_eq!(g("8/25/2021 5:41:18 PM").unwrap(), "8/25/2021 5:41:18 PM");
        assert_eq!(g("2021-08-24").unwrap(), "8/24/2021 12:00:00 AM");
        assert_eq!(g(" January 1, 2012 11:00 PM ").unwrap(), "1/1/2012 11:00:00 PM");
        assert_eq!(
            g("Mon, 01 Jan 2012 23:00:00 GMT").unwrap(),
            "1/1/2012 11:00:00 PM"
        );
        assert_eq!(g("15-Jun-2009").unwrap(), "6/15/2009 12:00:00 AM");
        assert_eq!(g("2012/01/01 12:00 AM").unwrap(), "1/1/2012 12:00:00 AM");
        assert_eq!(g("2012-01-01 12:30:00 PM +0100").unwrap(), "1/1/2012 11:30:00 AM");
        assert_eq!(g("3/16/20").unwrap(), "3/16/2020 12:00:00 AM");
        assert_eq!(
            parse_loose("2009-06-15T01:45:30.1234567Z").unwrap() % TICKS_PER_SECOND,
            1_234_567
        );
        for bad in [
            "",
            "2021",
            "2021-13-01",
            "2021-02-30",
            "yesterday",
            "2021-08-24T",
            "2021-08-24 25:00",
            "2021-08-24+15:00",
            "13:00 PM 2021-01-01",
            "0000-01-01",
            "1/1/10000",
        ] {
            assert!(parse_loose(bad).is_err(), "{bad}");
        }
        assert!(
            parse_loose("0001-01-01T00:00:00+01:00").is_err(),
            "before year 1 in UTC"
        );
    }

    #[test]
    fn date_add_and_diff_follow_vb() {
        let hire = parse_loose("2012-03-16-07:00").unwrap();
        let g = |i, n| format_general(add(i, n, hire).unwrap());
        assert_eq!(g(Interval::Day, 7), "3/23/2012 7:00:00 AM");
        assert_eq!(g(Interval::Day, -10), "3/6/2012 7:00:00 AM");
        assert_eq!(g(Interval::Week, 2), "3/30/2012 7:00:00 AM");
        assert_eq!(g(Interval::Month, 10), "1/16/2013 7:00:00 AM");
        assert_eq!(g(Interval::Year, 2), "3/16/2014 7:00:00 AM");
        assert_eq!(add(Interval::Year, i64::MAX, hire), None);
        assert_eq!(add(Interval::Second, i64::MIN, hire), None);
        let now = parse_loose("8/25/2021 5:41:18 PM").unwrap();
        assert_eq!(diff(Interval::Day, now, hire), -3449);
        assert_eq!(diff(Interval::Week, now, hire), -493);
        assert_eq!(diff(Interval::Month, now, hire), -113);
        assert_eq!(diff(Interval::Year, now, hire), -9);
        assert_eq!(
            diff(Interval::Hour, at(2021, 8, 24, 0, 0, 0), at(2021, 8, 25, 0, 0, 0)),
            24
        );
        assert_eq!(
            diff(
                Interval::Year,
                at(2021, 12, 31, 23, 0, 0),
                at(2022, 1, 1, 0, 0, 0)
            ),
            1
        );
        assert_eq!(
            diff(
                Interval::Week,
                at(2021, 8, 22, 0, 0, 0),
                at(2021, 8, 28, 23, 0, 0)
            ),
            0
        );
        assert_eq!(Interval::parse("M"), Ok(Interval::Month));
        assert!(Interval::parse("mm").unwrap_err().contains("n (minute)"));
    }

    #[test]
    fn filetime() {
        let t = from_filetime(129_699_324_000_000_000).unwrap();
        assert_eq!(format_general(t), "1/1/2012 11:00:00 PM");
        assert_eq!(to_filetime(t), Some(129_699_324_000_000_000));
        assert_eq!(from_filetime(-1), None);
        assert_eq!(from_filetime(i64::MAX), None);
        assert_eq!(from_unix(i64::MAX), None);
        assert_eq!(from_unix(0), Some(UNIX_EPOCH_TICKS));
    }

    #[test]
    fn format_date_time_example_and_tokens() {
        assert_eq!(
            reformat("20150123105347.1Z", "yyyyMMddHHmmss.fZ", "yyyy-MM-dd").unwrap(),
            "2015-01-23"
        );
        assert_eq!(
            reformat("2020-12-31-08:00", "yyyy-MM-ddzzz", "yyyy-MM-dd").unwrap(),
            "2020-12-31"
        );
        assert_eq!(
            reformat("12/31/2020 08:00:00 PM", "M/d/yyyy hh:mm:ss tt", "yyyy-MM-dd HH").unwrap(),
            "2020-12-31 20"
        );
        let full =
            "yyyy yy y MM M MMM MMMM dd d ddd dddd HH H hh h mm m ss s fffffff FFFFFFF tt t zzz zz z K g";
        assert_eq!(
            reformat("2009-06-05 08:04:03.1200000", "yyyy-MM-dd HH:mm:ss.fffffff", full).unwrap(),
            "2009 09 9 06 6 Jun June 05 5 Fri Friday 08 8 08 8 04 4 03 3 1200000 12 AM A +00:00 +00 +0  A.D."
        );
        assert_eq!(
            reformat("2009-06-05T08:04:03Z", "yyyy-MM-ddTHH:mm:ssK", "o").unwrap(),
            "2009-06-05T08:04:03.0000000Z"
        );
        assert_eq!(
            reformat("2009-06-05T08:04:03+02:00", "yyyy-MM-ddTHH:mm:ssK", "HH:mm K").unwrap(),
            "06:04 +00:00"
        );
        assert_eq!(reformat("2009-06-05", "yyyy-MM-dd", "ss.FFF").unwrap(), "00");
        assert_eq!(
            reformat("2009-06-05", "yyyy-MM-dd", "'It''s' \"d\"\\d %d").unwrap(),
            "Its dd 5"
        );
        assert_eq!(reformat("2009-06-05", "yyyy-MM-dd", "d").unwrap(), "6/5/2009");
        assert_eq!(
            reformat("2009-06-05", "yyyy-MM-dd", "").unwrap(),
            "6/5/2009 12:00:00 AM"
        );
        assert_eq!(
            reformat("Friday, June 05, 2009", "dddd, MMMM dd, yyyy", "yyyy-MM-dd").unwrap(),
            "2009-06-05"
        );
        assert_eq!(
            reformat("15:30", "HH:mm", "yyyy-MM-dd HH:mm").unwrap(),
            "2021-07-02 15:30",
            "today's date"
        );
        assert_eq!(reformat("  2009 ", "yyyy", "yyyy-MM-dd").unwrap(), "2009-01-01");
        assert_eq!(reformat("5/6/09", "M/d/yy", "yyyy-MM-dd").unwrap(), "2009-05-06");
        assert!(reformat("2009-06-05 89", "yyyy-MM-dd F", "yyyy")
            .unwrap_err()
            .contains("left over"));
    }

    #[test]
    fn format_date_time_errors() {
        assert!(reformat("2009-06-05", "yyyy-MM-dd", "q")
            .unwrap_err()
            .contains("%q"));
        assert!(reformat("2009-06-05", "yyyy-MM-dd", "ffffffff").is_err());
        assert!(reformat("2009-06-05", "yyyy-MM-dd", "'open").is_err());
        assert!(reformat("2009-06-05", "yyyy-MM-dd", "yyyy\\").is_err());
        assert!(reformat("2009-06-05", "yyyy-MM-dd", "%").is_err());
        assert!(reformat("2009-6-05", "yyyy-MM-dd", "yyyy")
            .unwrap_err()
            .contains("stuck at"));
        assert!(reformat("Thursday 2009-06-05", "dddd yyyy-MM-dd", "yyyy")
            .unwrap_err()
            .contains("day of the week"));
        assert!(reformat("13 AM", "HH tt", "yyyy").unwrap_err().contains("AM/PM"));
        assert!(reformat("2009-02-30", "yyyy-MM-dd", "yyyy")
            .unwrap_err()
            .contains("not a valid date"));
        assert!(parse_exact("x", "", Styles::default(), None).is_err());
        assert!(check_format("yyyy", true).is_ok());
        assert!(check_format("", true).is_err());
    }

    #[test]
    fn styles() {
        assert_eq!(Styles::parse("").unwrap(), Styles::none());
        let s = Styles::parse("DateTimeStyles.AllowWhiteSpaces | AssumeUniversal").unwrap();
        assert!(s.leading && s.trailing && s.inner && s.assume_universal);
        assert_eq!(
            Styles::parse("7").unwrap(),
            Styles::parse("AllowWhiteSpaces").unwrap()
        );
        assert!(Styles::parse("AssumeLocal, AssumeUniversal").is_err());
        assert!(Styles::parse("RoundtripKind, AdjustToUniversal").is_err());
        assert!(Styles::parse("Sometimes").unwrap_err().contains("DateTimeStyles"));
        assert!(Styles::parse("999").is_err());
        let inner = Styles::parse("AllowWhiteSpaces").unwrap();
        let dt = parse_exact(" 2009 - 06 - 05 ", "yyyy-MM-dd", inner, None).unwrap();
        assert_eq!(format(dt, "yyyyMMdd K").unwrap(), "20090605 ");
        let dt = parse_exact(
            "2009-06-05",
            "yyyy-MM-dd",
            Styles::parse("AssumeUniversal").unwrap(),
            None,
        )
        .unwrap();
        assert_eq!(format(dt, "%K").unwrap(), "Z");
        assert!(parse_exact(" 2009", "yyyy", Styles::none(), None).is_err());
    }
}
