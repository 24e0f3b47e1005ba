//! How fetches fail: a [`FailureKind`] for reports and scheduling, and a [`FetchError`]
//! carrying it with a one-line message and, for 429 and 503, the server's Retry-After.

use std::borrow::Cow;
use std::fmt;
use std::time::Duration;

use thiserror::Error;

/// What kind of failure a fetch ended in. Parsing failures ("not a feed", "parse") are
/// the parser's business and are not represented here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FailureKind {
    /// The host name did not resolve.
    Dns,
    /// No connection could be made (refused, unreachable, connect timeout, proxy refused).
    Connect,
    /// The TLS handshake or certificate check failed.
    Tls,
    /// The total time limit ran out, or the server stalled (no byte for the stall limit).
    Timeout,
    /// The server answered with a status that is neither success, 304 nor a redirect
    /// (or a redirect without a usable Location); also a success without a body (204,
    /// 205: "no content"), a 304 to a request that was not conditional, and 101.
    HttpStatus(u16),
    /// The body was larger than the size limit.
    TooLarge,
    /// Too many redirects, a redirect loop, a redirect to a non-HTTP URL, or one from
    /// `https` to `http` that the feed does not allow.
    Redirects,
    /// Reading a local file failed.
    Io,
    /// The per-feed request options are invalid (a bad header, cookie or proxy URL).
    Config,
    /// Anything else (a broken connection mid-body, a protocol error).
    Other,
}

impl FailureKind {
    /// A short stable word for reports and the store: `dns`, `connect`, `tls`, `timeout`,
    /// `http 404`, `too-large`, `redirects`, `io`, `config`, `other`.
    pub fn label(&self) -> Cow<'static, str> {
        match self {
            FailureKind::Dns => "dns".into(),
            FailureKind::Connect => "connect".into(),
            FailureKind::Tls => "tls".into(),
            FailureKind::Timeout => "timeout".into(),
            FailureKind::HttpStatus(code) => format!("http {code}").into(),
            FailureKind::TooLarge => "too-large".into(),
            FailureKind::Redirects => "redirects".into(),
            FailureKind::Io => "io".into(),
            FailureKind::Config => "config".into(),
            FailureKind::Other => "other".into(),
        }
    }

    /// 404 Not Found or 410 Gone: the statuses that count toward the `gone` rule.
    pub fn is_gone_status(&self) -> bool {
        matches!(self, FailureKind::HttpStatus(404 | 410))
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// A failed fetch: its kind and a one-line description that says what and where.
#[derive(Debug, Clone, Error)]
#[error("{message}")]
pub struct FetchError {
    pub kind: FailureKind,
    pub message: String,
    /// How long the server asked us to wait (Retry-After on 429 and 503, as delta
    /// seconds or an HTTP date converted against the local clock at the response).
    pub retry_after: Option<Duration>,
}

impl FetchError {
    pub(crate) fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        FetchError { kind, message: message.into(), retry_after: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_stable() {
        let table = [
            (FailureKind::Dns, "dns"),
            (FailureKind::Connect, "connect"),
            (FailureKind::Tls, "tls"),
            (FailureKind::Timeout, "timeout"),
            (FailureKind::HttpStatus(404), "http 404"),
            (FailureKind::TooLarge, "too-large"),
            (FailureKind::Redirects, "redirects"),
            (FailureKind::Io, "io"),
            (FailureKind::Config, "config"),
            (FailureKind::Other, "other"),
        ];
        for (kind, label) in table {
            assert_eq!(kind.label(), label);
            assert_eq!(kind.to_string(), label);
        }
        assert!(FailureKind::HttpStatus(410).is_gone_status());
        assert!(!FailureKind::HttpStatus(500).is_gone_status());
    }
}
