//! Times as pages and feeds show them: in the vault's time zone for people, RFC
//! 3339 and RFC 2822 for machines.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;

/// `2022-09-20 10:16` in `zone`, or empty for a time that is not one.
pub fn local(ms: i64, zone: Tz) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .map(|t| t.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

/// RFC 3339 in UTC.
pub fn rfc3339(ms: i64) -> Option<String> {
    DateTime::<Utc>::from_timestamp_millis(ms).map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
}

/// RFC 2822 (RSS).
pub fn rfc2822(ms: i64) -> Option<String> {
    DateTime::<Utc>::from_timestamp_millis(ms).map(|t| t.to_rfc2822())
}

/// A day from a URL or a form (`YYYY-MM-DD`).
pub fn parse_day(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").ok()
}
