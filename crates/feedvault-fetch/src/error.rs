//! How fetches fail: a [`FailureKind`] for reports and scheduling, and a [`FetchError`]
//! carrying it with a one-line message and, for 429 and 503, the server's Retry-After.

use std::time::Duration;

use thiserror::Error;

/// What kind of failure a fetch ended in: the one kind shared from the fetch to the
/// `list` output (parsing and vault kinds are added by the engine).
pub use feedvault_core::FailureKind;

/// A failed fetch: its kind and a one-line description that says what and where.
#[derive(Debug, Clone, Error)]
#[error("{message}")]
pub struct FetchError {
    pub kind: FailureKind,
    pub message: String,
    /// How long the server asked us to wait (Retry-After on 429 and 503, as delta
    /// seconds or an HTTP date converted against the local clock at the response).
    pub retry_after: Option<Duration>,
    /// For an HTTP error status: what answered (kept as evidence by re-checks).
    pub answer: Option<Box<ErrorAnswer>>,
}

/// The response behind an HTTP error status: the exchange, where the redirects led,
/// and the hash of its body (read up to [`ERROR_BODY_LIMIT`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorAnswer {
    pub exchange: crate::Exchange,
    pub final_url: url::Url,
    pub redirects: Vec<crate::Redirect>,
    /// SHA-256 (hex) of the body; `None` unless the request asked for it
    /// (`RequestSpec::hash_error_body`) and the body was read whole within the limit
    /// and the fetch's time limits.
    pub body_sha256: Option<String>,
    pub body_len: usize,
}

/// The most of an error page's body that is read (to hash it).
pub const ERROR_BODY_LIMIT: usize = 1024 * 1024;

impl FetchError {
    /// The failure of a fetch whose task panicked: a bug in feedvault, never the feed's.
    pub fn crashed(crash: impl std::fmt::Display) -> Self {
        FetchError::new(FailureKind::Other, format!("the fetch crashed ({crash}); this is a bug in feedvault"))
    }

    pub(crate) fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        FetchError { kind, message: message.into(), retry_after: None, answer: None }
    }
}
