//! Why a feed's check failed: one typed kind from the fetch to the `list` output.
//!
//! The fetch stage produces the network kinds, the engine adds the parser's and the
//! vault's; state.db stores the stable [`FailureKind::label`] and reads it back with
//! [`FailureKind::from_label`], so no string ever stands in for a kind in code.

use std::borrow::Cow;
use std::fmt;

/// What kind of failure a feed's check ended in.
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
    /// The feed's settings cannot be used (a bad address, header, cookie or proxy).
    Config,
    /// The document is not a feed (an HTML page, an unknown root element).
    NotAFeed,
    /// The document is a feed but could not be read (broken JSON, an entity bomb).
    Parse,
    /// The vault could not record the feed (disk, state.db, the index).
    Vault,
    /// Anything else (a broken connection mid-body, a protocol error).
    Other,
}

impl FailureKind {
    /// A short stable word for reports and the store: `dns`, `connect`, `tls`,
    /// `timeout`, `http 404`, `too-large`, `redirects`, `io`, `config`, `not a feed`,
    /// `parse`, `vault`, `other`.
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
            FailureKind::NotAFeed => "not a feed".into(),
            FailureKind::Parse => "parse".into(),
            FailureKind::Vault => "vault".into(),
            FailureKind::Other => "other".into(),
        }
    }

    /// Reads a label back; an unknown label (from a newer feedvault) is `Other`.
    pub fn from_label(label: &str) -> FailureKind {
        match label {
            "dns" => FailureKind::Dns,
            "connect" => FailureKind::Connect,
            "tls" => FailureKind::Tls,
            "timeout" => FailureKind::Timeout,
            "too-large" => FailureKind::TooLarge,
            "redirects" => FailureKind::Redirects,
            "io" => FailureKind::Io,
            "config" => FailureKind::Config,
            "not a feed" => FailureKind::NotAFeed,
            "parse" => FailureKind::Parse,
            "vault" => FailureKind::Vault,
            other => match other.strip_prefix("http ").and_then(|code| code.parse().ok()) {
                Some(code) => FailureKind::HttpStatus(code),
                None => FailureKind::Other,
            },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_stable_and_read_back() {
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
            (FailureKind::NotAFeed, "not a feed"),
            (FailureKind::Parse, "parse"),
            (FailureKind::Vault, "vault"),
            (FailureKind::Other, "other"),
        ];
        for (kind, label) in table {
            assert_eq!(kind.label(), label);
            assert_eq!(kind.to_string(), label);
            assert_eq!(FailureKind::from_label(label), kind, "{label}");
        }
        assert_eq!(FailureKind::from_label("http x"), FailureKind::Other);
        assert_eq!(FailureKind::from_label("something new"), FailureKind::Other);
        assert!(FailureKind::HttpStatus(410).is_gone_status());
        assert!(!FailureKind::HttpStatus(500).is_gone_status());
    }
}
