//! Timestamps: Unix seconds and their RFC 3339 UTC form `YYYY-MM-DDTHH:MM:SSZ`.

use crate::date::Date;

const DAY: u64 = 86_400;

/// The current time in Unix seconds (0 if the clock is before 1970).
pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The last second of the year 9999, the latest time that has a four-digit year.
pub const MAX_SECS: u64 = 253_402_300_799;

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` (UTC); times past [`MAX_SECS`] are clamped.
pub fn format_rfc3339(secs: u64) -> String {
    let secs = secs.min(MAX_SECS);
    // The clamp keeps the date within years 1970..=9999, which always exist.
    let Some(date) = Date::from_days((secs / DAY) as i64) else {
        return "9999-12-31T23:59:59Z".into();
    };
    let s = secs % DAY;
    format!("{date}T{:02}:{:02}:{:02}Z", s / 3600, (s / 60) % 60, s % 60)
}

/// Parses exactly `YYYY-MM-DDTHH:MM:SSZ` (UTC, no fraction, no offset) into Unix seconds.
///
/// Times before 1970 and leap seconds (`:60`) are refused.
pub fn parse_rfc3339(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() != 20 || b[10] != b'T' || b[13] != b':' || b[16] != b':' || b[19] != b'Z' {
        return None;
    }
    let date = Date::parse(s.get(..10)?).ok()?;
    let field = |from: usize, max: u64| -> Option<u64> {
        let t = s.get(from..from + 2)?;
        if !t.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        t.parse::<u64>().ok().filter(|v| *v <= max)
    };
    let (h, m, sec) = (field(11, 23)?, field(14, 59)?, field(17, 59)?);
    let days = u64::try_from(date.to_days()).ok()?;
    Some(days * DAY + h * 3600 + m * 60 + sec)
}

/// The start (00:00:00 UTC) of a date as `YYYY-MM-DDT00:00:00Z`.
pub fn date_start(date: Date) -> String {
    format!("{date}T00:00:00Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_rejections() {
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_rfc3339(MAX_SECS), "9999-12-31T23:59:59Z");
        assert_eq!(format_rfc3339(u64::MAX), "9999-12-31T23:59:59Z");
        assert_eq!(parse_rfc3339("9999-12-31T23:59:59Z"), Some(MAX_SECS));
        let t = 1_795_478_400 + 3600 * 13 + 60 * 7 + 9; // 2026-11-24T13:07:09Z
        assert_eq!(format_rfc3339(t), "2026-11-24T13:07:09Z");
        assert_eq!(parse_rfc3339("2026-11-24T13:07:09Z"), Some(t));
        for bad in [
            "2026-11-24T13:07:09",
            "2026-11-24 13:07:09Z",
            "2026-11-24T24:00:00Z",
            "2026-11-24T13:60:00Z",
            "2026-11-24T13:07:09.5Z",
            "2026-02-30T00:00:00Z",
            "1969-12-31T23:59:59Z",
            "2026-11-24T+3:07:09Z",
        ] {
            assert_eq!(parse_rfc3339(bad), None, "{bad}");
        }
        assert_eq!(
            date_start(Date::parse("2031-01-01").unwrap()),
            "2031-01-01T00:00:00Z"
        );
    }
}
