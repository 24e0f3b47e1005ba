//! What was asked and what answered, for keeping a raw capture of a response: the
//! request's URL and headers as sent (secrets redacted here, so they never leave the
//! fetcher), and the final response's status line and headers in order.
//!
//! Redacted by name: Authorization, Cookie, Proxy-Authorization, and every header the
//! feed configured itself (`headers` in feedvault.toml); their values become
//! [`REDACTED`]. A response's Set-Cookie is redacted the same way.

use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;
use url::Url;

/// The value written in place of a secret header's.
pub const REDACTED: &str = "[redacted]";

/// Request header names whose values are never recorded.
const SECRET_REQUEST_HEADERS: [&str; 3] = ["authorization", "cookie", "proxy-authorization"];

/// One HTTP exchange (the last hop of a redirect chain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exchange {
    /// The URL asked for first (before redirects).
    pub request_url: Url,
    /// When the final response's head arrived.
    pub at: DateTime<Utc>,
    /// `HTTP/1.1`, `HTTP/2.0`, ...
    pub version: String,
    pub status: u16,
    /// The status's standard reason phrase (empty when it has none).
    pub reason: String,
    /// The request headers of the final hop, in order, secrets redacted.
    pub request_headers: Vec<(String, String)>,
    /// The final response's headers, in order (values read as UTF-8, lossily). A body
    /// the client decoded (gzip, brotli, zstd, deflate) comes without its
    /// Content-Encoding and Content-Length, as the client removes them.
    pub response_headers: Vec<(String, String)>,
}

impl Exchange {
    /// The value of the first response header named `name` (any case).
    pub fn response_header(&self, name: &str) -> Option<&str> {
        self.response_headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// The headers of `map` as (name, value) pairs, values of names in `secret` (lowercase)
/// or of the always-secret ones replaced by [`REDACTED`].
pub(crate) fn pairs(map: &HeaderMap, secret: &[String], extra_secret: &[&str]) -> Vec<(String, String)> {
    map.iter()
        .map(|(name, value)| {
            let name = name.as_str();
            let hidden = SECRET_REQUEST_HEADERS.contains(&name)
                || extra_secret.contains(&name)
                || secret.iter().any(|s| s == name);
            let value =
                if hidden { REDACTED.to_owned() } else { String::from_utf8_lossy(value.as_bytes()).into_owned() };
            (name.to_owned(), value)
        })
        .collect()
}

/// `HTTP/1.1` and the like for a response's version.
pub(crate) fn version_name(version: reqwest::Version) -> String {
    match version {
        reqwest::Version::HTTP_09 => "HTTP/0.9",
        reqwest::Version::HTTP_10 => "HTTP/1.0",
        reqwest::Version::HTTP_2 => "HTTP/2.0",
        reqwest::Version::HTTP_3 => "HTTP/3.0",
        _ => "HTTP/1.1",
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn secrets_are_redacted_by_name() {
        let mut map = HeaderMap::new();
        map.insert("authorization", HeaderValue::from_static("Bearer t0k3n"));
        map.insert("cookie", HeaderValue::from_static("session=s3cr3t"));
        map.insert("proxy-authorization", HeaderValue::from_static("Basic cHJveHk="));
        map.insert("x-api-key", HeaderValue::from_static("k3y"));
        map.insert("set-cookie", HeaderValue::from_static("a=b"));
        map.insert("accept", HeaderValue::from_static("*/*"));
        let got = pairs(&map, &["x-api-key".to_owned()], &["set-cookie"]);
        let text = format!("{got:?}");
        for secret in ["t0k3n", "s3cr3t", "cHJveHk=", "k3y", "a=b"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(got.contains(&("accept".to_owned(), "*/*".to_owned())));
        assert!(got.contains(&("x-api-key".to_owned(), REDACTED.to_owned())));
        assert_eq!(got.len(), 6);
    }
}
