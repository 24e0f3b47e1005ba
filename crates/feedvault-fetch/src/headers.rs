//! Reading response headers: validators, charset, caching hints (Cache-Control max-age,
//! Expires) and Retry-After. Pure functions over strings, so they are table-tested here.

use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};
use reqwest::header::{CACHE_CONTROL, CONTENT_TYPE, ETAG, EXPIRES, HeaderMap, HeaderName, LAST_MODIFIED, RETRY_AFTER};

use crate::Validators;

/// What a response says about how long its content stays fresh. Callers feed these to
/// [`crate::schedule::Hints`] as lower bounds of the next check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheHints {
    /// Cache-Control `max-age` (absent under `no-cache` / `no-store`).
    pub max_age: Option<Duration>,
    /// The Expires header as an absolute time (absent when unparseable, as RFC 9111
    /// says to treat it as already expired).
    pub expires: Option<DateTime<Utc>>,
}

impl CacheHints {
    /// Reads Cache-Control and Expires.
    pub fn from_headers(headers: &HeaderMap) -> CacheHints {
        let cache_control = all_values(headers, CACHE_CONTROL);
        let max_age = parse_max_age(&cache_control);
        let expires = header(headers, EXPIRES).and_then(|v| parse_http_date(&v)).map(DateTime::<Utc>::from);
        CacheHints { max_age, expires }
    }

    /// How long from `now` the content stays fresh: the larger of max-age and
    /// Expires - now; `None` when neither says anything.
    pub fn fresh_for(&self, now: DateTime<Utc>) -> Option<Duration> {
        let by_expires = self.expires.map(|at| (at - now).to_std().unwrap_or(Duration::ZERO));
        match (self.max_age, by_expires) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }
}

pub(crate) fn header(headers: &HeaderMap, name: HeaderName) -> Option<String> {
    headers.get(name)?.to_str().ok().map(str::to_owned)
}

fn all_values(headers: &HeaderMap, name: HeaderName) -> String {
    headers.get_all(name).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join(",")
}

pub(crate) fn validators_of(headers: &HeaderMap) -> Validators {
    Validators { etag: header(headers, ETAG), last_modified: header(headers, LAST_MODIFIED) }
}

/// The charset parameter of Content-Type.
pub(crate) fn charset(headers: &HeaderMap) -> Option<String> {
    let content_type = header(headers, CONTENT_TYPE)?;
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim().eq_ignore_ascii_case("charset").then(|| value.trim().trim_matches('"').to_owned())
    })
}

/// Retry-After of a response, relative to `now`.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    parse_retry_after(&header(headers, RETRY_AFTER)?, now)
}

/// Parses a Cache-Control value's `max-age`; `no-store` and `no-cache` mean no hint.
pub fn parse_max_age(cache_control: &str) -> Option<Duration> {
    let mut max_age = None;
    for directive in cache_control.split(',') {
        let directive = directive.trim();
        let (name, value) = directive.split_once('=').unwrap_or((directive, ""));
        let name = name.trim().to_ascii_lowercase();
        match name.as_str() {
            "no-store" | "no-cache" => return None,
            "max-age" if max_age.is_none() => {
                max_age = value.trim().trim_matches('"').parse::<u64>().ok().map(Duration::from_secs);
            }
            _ => {}
        }
    }
    max_age
}

/// Parses Retry-After: delta seconds or an HTTP date (past dates give zero).
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = parse_http_date(value)?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Parses an HTTP date in any of its three historical forms.
pub fn parse_http_date(value: &str) -> Option<SystemTime> {
    httpdate::parse_http_date(value.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn max_age() {
        let table = [
            ("max-age=600", Some(600)),
            ("public, max-age=3600", Some(3600)),
            ("Max-Age=\"60\", must-revalidate", Some(60)),
            ("max-age=60, no-cache", None),
            ("no-store", None),
            ("max-age=abc", None),
            ("s-maxage=60", None),
            ("", None),
        ];
        for (input, want) in table {
            assert_eq!(parse_max_age(input), want.map(Duration::from_secs), "{input}");
        }
    }

    #[test]
    fn retry_after_forms() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        let table = [
            ("120", Some(120)),
            (" 0 ", Some(0)),
            ("Sun, 06 Nov 1994 08:51:37 GMT", Some(120)),
            ("Sunday, 06-Nov-94 08:50:37 GMT", Some(60)),
            ("Sun Nov  6 08:49:47 1994", Some(10)),
            ("Sun, 06 Nov 1994 08:00:00 GMT", Some(0)),
            ("soon", None),
            ("-5", None),
        ];
        for (input, want) in table {
            assert_eq!(parse_retry_after(input, now), want.map(Duration::from_secs), "{input}");
        }
    }

    #[test]
    fn cache_hints_from_headers() {
        let mut headers = HeaderMap::new();
        headers.append(CACHE_CONTROL, HeaderValue::from_static("public"));
        headers.append(CACHE_CONTROL, HeaderValue::from_static("max-age=300"));
        headers.insert(EXPIRES, HeaderValue::from_static("Sun, 06 Nov 1994 09:49:37 GMT"));
        let hints = CacheHints::from_headers(&headers);
        assert_eq!(hints.max_age, Some(Duration::from_secs(300)));
        let now: DateTime<Utc> = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap().into();
        assert_eq!(hints.fresh_for(now), Some(Duration::from_secs(3600)));
        assert_eq!(CacheHints::default().fresh_for(now), None);
        headers.insert(EXPIRES, HeaderValue::from_static("0"));
        assert_eq!(CacheHints::from_headers(&headers).expires, None);
    }

    #[test]
    fn charset_parameter() {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/rss+xml; Charset=\"GB2312\""));
        assert_eq!(charset(&headers).as_deref(), Some("GB2312"));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/xml"));
        assert_eq!(charset(&headers), None);
    }
}
