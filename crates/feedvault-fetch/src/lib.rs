//! feedvault-fetch: getting a feed's bytes.
//!
//! [`Fetcher`] gets a [`Source`]: over HTTP(S) (reqwest with rustls, HTTP/2, gzip and
//! brotli; conditional requests from the last ETag and Last-Modified; the size limit
//! enforced on the decoded bytes while they stream in; connect and total timeouts; a
//! redirect limit) or from a local file (`file://` or a path). Every failure is
//! classified ([`FailureKind`]) so callers can report and, later, schedule by kind.
//! It knows nothing of parsing or archiving.

mod http;
mod source;

use std::time::Duration;

use thiserror::Error;

pub use http::Fetcher;
pub use source::Source;

/// Limits and identity of every request.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub max_bytes: usize,
    pub connect_timeout: Duration,
    pub total_timeout: Duration,
    pub max_redirects: usize,
    pub user_agent: String,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            max_bytes: 32 * 1024 * 1024,
            connect_timeout: Duration::from_secs(15),
            total_timeout: Duration::from_secs(120),
            max_redirects: 10,
            user_agent: concat!("feedvault/", env!("CARGO_PKG_VERSION"), " (+https://github.com/feedvault)").to_owned(),
        }
    }
}

/// Validators from the last successful fetch, for a conditional request.
#[derive(Debug, Clone, Default)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A successful fetch.
#[derive(Debug)]
pub enum Fetched {
    /// The server says nothing changed since `Validators`.
    NotModified,
    Body(Body),
}

/// A fetched document.
#[derive(Debug)]
pub struct Body {
    pub bytes: Vec<u8>,
    /// Where the document finally came from (after redirects).
    pub final_url: url::Url,
    /// The charset parameter of Content-Type, if any.
    pub charset: Option<String>,
    pub validators: Validators,
}

/// What kind of failure a fetch ended in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    Dns,
    Connect,
    Tls,
    Timeout,
    HttpStatus(u16),
    TooLarge,
    Redirects,
    Io,
    Other,
}

/// A failed fetch: its kind and a one-line description.
#[derive(Debug, Clone, Error)]
#[error("{message}")]
pub struct FetchError {
    pub kind: FailureKind,
    pub message: String,
}

impl FetchError {
    pub(crate) fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        FetchError { kind, message: message.into() }
    }
}
