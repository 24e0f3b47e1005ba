//! feedvault-fetch: getting a feed's bytes, politely, and deciding when to get them next.
//!
//! - [`Fetcher`] gets a [`Source`]: over HTTP(S) (reqwest with rustls, HTTP/2, gzip,
//!   brotli, zstd and deflate; conditional requests from the last ETag and Last-Modified;
//!   the size limit enforced on the decoded bytes while they stream in; connect, total
//!   and stall timeouts; redirects followed by hand with a limit and loop detection;
//!   HTTP, HTTPS, SOCKS5 and SOCKS5h proxies, globally or per feed, and the standard
//!   proxy environment variables) or from a local file (`file://` or a path).
//!   [`Fetcher::fetch_with`] takes per-feed options ([`RequestSpec`]: its headers and
//!   cookies go only to the feed's own origin; `https` → `http` redirects are refused
//!   unless allowed) and reports the redirect chain, the permanent URL to store, and
//!   caching hints ([`Response`]), with the final request and response heads
//!   ([`Exchange`], secrets redacted) for raw captures.
//! - Every failure is classified ([`FailureKind`], with a stable [`FailureKind::label`])
//!   and carries Retry-After for 429 and 503.
//! - [`politeness`] limits concurrency globally and per host and spaces requests to a host.
//! - [`schedule`] holds the pure functions that decide the next check: adaptive
//!   intervals, backoff, the window rule and the `gone` rule.
//!
//! It knows nothing of parsing, storing or archiving.

pub mod address;
mod client;
mod error;
pub mod exchange;
pub mod headers;
mod http;
mod options;
pub mod politeness;
pub mod schedule;
mod source;

pub use error::{ERROR_BODY_LIMIT, ErrorAnswer, FailureKind, FetchError};
pub use exchange::Exchange;
pub use headers::CacheHints;
pub use http::Fetcher;
pub use options::{DEFAULT_USER_AGENT, FetchOptions, ProxyChoice, RequestSpec};
pub use politeness::{Politeness, PolitenessOptions};
pub use source::Source;

/// Validators from the last successful fetch, for a conditional request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Validators {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
}

/// A successful fetch.
#[derive(Debug)]
// One value per fetch, moved once: boxing the body would buy nothing.
#[allow(clippy::large_enum_variant)]
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
    /// The Content-Location header, resolved against the final URL: the base of
    /// the document's relative links.
    pub content_location: Option<url::Url>,
}

/// Everything [`Fetcher::fetch_with`] learnt from a successful fetch.
#[derive(Debug)]
pub struct Response {
    /// The document, or 304 Not Modified.
    pub fetched: Fetched,
    /// The final status (200..=299 or 304; 200 for files).
    pub status: u16,
    /// The URL that finally answered (the source's own when there was no redirect).
    pub final_url: url::Url,
    /// The redirects followed, in order.
    pub redirects: Vec<Redirect>,
    /// `Some(final_url)` when at least one redirect was followed and every one was
    /// permanent (301 or 308): the URL callers should store in place of the feed's.
    /// `None` when any hop was temporary (302, 303, 307): keep the stored URL.
    pub permanent_url: Option<url::Url>,
    /// Cache-Control max-age and Expires of the final response.
    pub cache: CacheHints,
    /// The final request and response heads, for a raw capture (`None` for files).
    pub exchange: Option<Exchange>,
}

/// One redirect followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// 301, 302, 303, 307 or 308.
    pub status: u16,
    /// Where it pointed (resolved against the URL that answered).
    pub to: url::Url,
}

impl Redirect {
    /// 301 Moved Permanently or 308 Permanent Redirect.
    pub fn is_permanent(&self) -> bool {
        matches!(self.status, 301 | 308)
    }
}
