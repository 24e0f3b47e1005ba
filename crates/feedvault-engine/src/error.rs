//! The engine's one error type: a usage or configuration error (the caller's to fix;
//! the binary exits 2) or a runtime failure of the vault, a stage or the system.

use std::path::PathBuf;

use thiserror::Error;

/// Why an engine call failed.
#[derive(Debug, Error)]
pub enum EngineError {
    /// What was asked for or configured cannot be done as given.
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Archive(#[from] feedvault_archive::ArchiveError),
    #[error(transparent)]
    Store(#[from] feedvault_store::StoreError),
    #[error(transparent)]
    Search(#[from] feedvault_search::SearchError),
    #[error(transparent)]
    Fetch(#[from] feedvault_fetch::FetchError),
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The vault could not be written during a cycle (what was written stays).
    #[error("the vault could not be written: {0}")]
    Vault(String),
    #[error("{0}")]
    Other(String),
}

impl EngineError {
    /// True for errors in what the user asked or configured (exit code 2).
    pub fn is_usage(&self) -> bool {
        matches!(self, EngineError::Usage(_))
            || matches!(self, EngineError::Search(feedvault_search::SearchError::Query(_)))
    }
}

/// Shorthand for engine results.
pub type Result<T, E = EngineError> = std::result::Result<T, E>;
