//! Calendar dates as the circuit sees them: `YYYYMMDD` integers.
//!
//! Ordering of `YYYYMMDD` integers is chronological order, so date predicates are integer ranges.
//! "18 or older on date D" is `birth_date <= D - 180000`: the same month and day 18 years
//! earlier, compared as integers. Under this rule a person born 2008-02-29 is not 18 on
//! 2026-02-28 (`20080229 > 20080228`) and is on 2026-03-01 (`20080229 <= 20080301`); a person
//! born 2008-11-25 is not 18 on 2026-11-24 and is on 2026-11-25.
//!
//! Relative dates in policies: `today`, `today-Ny` / `today+Ny` (years: `±N*10000` on the
//! integer, as above), `today±Nm` (months, keeping the day number), `today±Nd` (calendar days).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A valid proleptic Gregorian calendar date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Date {
    year: u32,
    month: u32,
    day: u32,
}

fn is_leap(y: u32) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        _ => 28,
    }
}

impl Date {
    /// A date from its parts, if it exists (years 1..=9999).
    pub fn new(year: u32, month: u32, day: u32) -> Option<Self> {
        ((1..=9999).contains(&year)
            && (1..=12).contains(&month)
            && day >= 1
            && day <= days_in_month(year, month))
        .then_some(Self { year, month, day })
    }

    /// Parses `YYYY-MM-DD` or `YYYYMMDD`.
    pub fn parse(s: &str) -> Result<Self> {
        let bad = || Error::Date(s.chars().take(40).collect());
        let digits: String = match s.len() {
            10 if s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-' => {
                [&s[0..4], &s[5..7], &s[8..10]].concat()
            }
            8 => s.to_string(),
            _ => return Err(bad()),
        };
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let n: u64 = digits.parse().map_err(|_| bad())?;
        Self::from_yyyymmdd(n).ok_or_else(bad)
    }

    /// The date of a `YYYYMMDD` integer, if valid.
    pub fn from_yyyymmdd(n: u64) -> Option<Self> {
        let year = u32::try_from(n / 10000).ok()?;
        Self::new(year, ((n / 100) % 100) as u32, (n % 100) as u32)
    }

    /// `YYYYMMDD` as an integer.
    pub fn yyyymmdd(&self) -> u64 {
        self.year as u64 * 10000 + self.month as u64 * 100 + self.day as u64
    }

    /// Days since 1970-01-01 (negative before).
    pub fn to_days(&self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = self.year as i64 - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = self.month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146097 + doe - 719468
    }

    /// The date `days` days after 1970-01-01, if within years 1..=9999.
    pub fn from_days(days: i64) -> Option<Self> {
        let z = days + 719468;
        let era = z.div_euclid(146097);
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = doy - (153 * mp + 2) / 5 + 1;
        let m = if mp < 10 { mp + 3 } else { mp - 9 };
        let y = yoe + era * 400 + i64::from(m <= 2);
        Self::new(u32::try_from(y).ok()?, m as u32, d as u32)
    }

    /// Today in UTC, from the system clock.
    pub fn today_utc() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Self::from_days(secs.div_euclid(86400)).expect("the system clock is within years 1..9999")
    }

    /// This date moved by `days` calendar days.
    pub fn add_days(&self, days: i64) -> Option<Self> {
        Self::from_days(self.to_days() + days)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl TryFrom<String> for Date {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        Self::parse(&s)
    }
}

impl From<Date> for String {
    fn from(d: Date) -> String {
        d.to_string()
    }
}

/// Resolves a policy date value against `today` to a `YYYYMMDD` integer.
///
/// Accepts an absolute date (`YYYY-MM-DD`) or `today[±N(y|m|d)]`.
pub fn resolve(expr: &str, today: Date) -> Result<u64> {
    let bad = || Error::Date(expr.chars().take(40).collect());
    let Some(rest) = expr.strip_prefix("today") else {
        return Date::parse(expr).map(|d| d.yyyymmdd());
    };
    if rest.is_empty() {
        return Ok(today.yyyymmdd());
    }
    // ASCII only, so that every byte index below is a character boundary.
    if !rest.is_ascii() {
        return Err(bad());
    }
    let (sign, rest) = match rest.as_bytes()[0] {
        b'+' => (1i64, &rest[1..]),
        b'-' => (-1i64, &rest[1..]),
        _ => return Err(bad()),
    };
    if rest.len() < 2 || !rest[..rest.len() - 1].bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let n: i64 = rest[..rest.len() - 1].parse().map_err(|_| bad())?;
    if n > 9999 * 366 {
        return Err(bad());
    }
    let n = sign * n;
    let (y, m, d) = (today.year as i64, today.month as i64, today.day as i64);
    let v = match rest.as_bytes()[rest.len() - 1] {
        b'y' => (y + n) * 10000 + m * 100 + d,
        b'm' => {
            let months = y * 12 + (m - 1) + n;
            months.div_euclid(12) * 10000 + (months.rem_euclid(12) + 1) * 100 + d
        }
        b'd' => today.add_days(n).ok_or_else(bad)?.yyyymmdd() as i64,
        _ => return Err(bad()),
    };
    if !(10000..=99991231).contains(&v) {
        return Err(bad());
    }
    Ok(v as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn parse_and_validate() {
        assert_eq!(d("2026-11-24").yyyymmdd(), 20261124);
        assert_eq!(d("20080229").to_string(), "2008-02-29");
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-1-1",
            "x",
            "2026/11/24",
            "00000101",
        ] {
            assert!(Date::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn day_arithmetic_round_trips() {
        assert_eq!(d("1970-01-01").to_days(), 0);
        assert_eq!(d("2026-11-24").add_days(7), Some(d("2026-12-01")));
        assert_eq!(d("2024-02-28").add_days(1), Some(d("2024-02-29")));
        assert_eq!(d("2026-03-01").add_days(-1), Some(d("2026-02-28")));
        for days in [-719162, -1, 0, 1, 20000, 2932896] {
            assert_eq!(Date::from_days(days).unwrap().to_days(), days);
        }
    }

    #[test]
    fn relative_dates() {
        let t = d("2026-11-24");
        assert_eq!(resolve("today", t).unwrap(), 20261124);
        assert_eq!(resolve("today-18y", t).unwrap(), 20081124);
        assert_eq!(resolve("today+1y", t).unwrap(), 20271124);
        assert_eq!(resolve("today-11m", t).unwrap(), 20251224);
        assert_eq!(resolve("today+2m", t).unwrap(), 20270124);
        assert_eq!(resolve("today+7d", t).unwrap(), 20261201);
        assert_eq!(resolve("2030-01-01", t).unwrap(), 20300101);
        for bad in [
            "today-",
            "today18y",
            "today-18",
            "today-18w",
            "tomorrow",
            "today--1d",
            // Found by the `request` fuzz target: a non-ASCII unit used to panic (slicing
            // inside a character).
            "today-1Ȑ",
            "today-Ȑy",
            "today-1y\u{301}",
        ] {
            assert!(resolve(bad, t).is_err(), "{bad}");
        }
    }

    #[test]
    fn birthday_rule_edges() {
        let adult = |birth: u64, on: &str| birth <= resolve("today-18y", d(on)).unwrap();
        assert!(!adult(20081125, "2026-11-24"));
        assert!(adult(20081125, "2026-11-25"));
        assert!(!adult(20080229, "2026-02-28"));
        assert!(adult(20080229, "2026-03-01"));
    }
}
