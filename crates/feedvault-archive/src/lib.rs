//! feedvault-archive: the vault on disk.
//!
//! It owns everything that touches `archive/`: where an article goes ([`layout`]),
//! writing it crash-safely ([`durable`]), one writer at a time ([`lock`]), turning a
//! feed's items into new articles and revisions ([`writer`]), bringing in files from
//! other archives ([`import`]), rebuilding state.db from the files ([`reindex`]),
//! checking that files and state agree ([`verify`]), raw [`captures`], the dated layout's README
//! [`indexes`] and the countdown layout's per-feed [`lists`]. The files are the archive;
//! state.db, reached through the `Store` trait, is derived from them.

pub mod captures;
pub mod durable;
pub mod import;
pub mod indexes;
pub mod layout;
pub mod legacy;
pub mod lists;
pub mod lock;
pub mod reindex;
pub mod scan;
pub mod verify;
pub mod writer;

use std::path::PathBuf;

use feedvault_core::ArticleError;
use feedvault_store::StoreError;
use thiserror::Error;

pub use layout::Layout;
pub use lock::VaultLock;
pub use writer::{ArchiveReport, Archiver, VaultSettings};

/// Why an archive operation failed.
#[derive(Debug, Error)]
pub enum ArchiveError {
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("vault is locked by another feedvault process{} ({})", .holder.map(|p| format!(" (pid {p})")).unwrap_or_default(), .path.display())]
    Locked { path: PathBuf, holder: Option<u32> },
    #[error("{}: not an article file: {source}", .path.display())]
    NotAnArticle {
        path: PathBuf,
        #[source]
        source: ArticleError,
    },
    #[error("{}: refusing a path outside the vault", .0.display())]
    OutsideVault(PathBuf),
    #[error("{}: every candidate file name is taken by files feedvault did not write", .0.display())]
    NoFreeName(PathBuf),
}

pub type Result<T> = std::result::Result<T, ArchiveError>;

pub(crate) fn io_error(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> ArchiveError {
    let path = path.into();
    move |source| ArchiveError::Io { path, source }
}
