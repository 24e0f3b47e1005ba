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
}

impl FetchError {
    pub(crate) fn new(kind: FailureKind, message: impl Into<String>) -> Self {
        FetchError { kind, message: message.into(), retry_after: None }
    }
}
