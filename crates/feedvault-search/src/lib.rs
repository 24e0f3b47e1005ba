//! feedvault-search: finding any archived article, in Chinese or English, in
//! milliseconds.
//!
//! A tantivy index under `vault/index/` holds the current version of every article
//! (one document per article path; a revision replaces its document). [`analysis`]
//! turns text into terms (Chinese character bigrams with traditional/simplified and
//! width folding, English words stemmed), [`query`] reads the query language
//! (words, "phrases", -exclusion, OR, `feed:`, `title:`, `after:`, `before:`), and
//! [`index`] owns the index: writing, searching, snippets. The index is derived:
//! `reindex` rebuilds it from the files.

pub mod analysis;
pub mod index;
pub mod query;
pub mod snippet;

pub use index::{Document, EXACT_COUNT_LIMIT, Hit, Page, SearchIndex, SearchResults, Sort};
pub use query::{Filters, QueryError};

/// Why a search operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index: {0}")]
    OpenDirectory(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error("search query: {0}")]
    Query(#[from] QueryError),
    #[error("search index at {path}: {source}")]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T> = std::result::Result<T, SearchError>;
