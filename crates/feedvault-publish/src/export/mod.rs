//! Exports: the archive streamed out as JSON Lines (corpora) and WARC (web archives).
//!
//! Both walk the vault with [`Vault::for_each_article`], one article (with its
//! revisions) in memory at a time, and write as they read: [`jsonl`] one object per
//! article, [`warc`] one `resource` record per archived version, and a `request` and a
//! `response` record per raw capture ([`http`]), through the generic record writer of
//! [`record`]. A file that cannot be read is reported through a
//! callback and skipped; the export goes on. Output files are written atomically
//! ([`output`]): a failed export leaves nothing under the final name.

pub mod http;
pub mod jsonl;
pub mod output;
pub mod record;
pub mod warc;

use std::path::PathBuf;

use chrono::{DateTime, SecondsFormat, Utc};
use feedvault_engine::{ArticleQuery, EngineError, Page, Vault};
use thiserror::Error;

/// Why an export failed.
#[derive(Debug, Error)]
pub enum ExportError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("unknown feed {0:?}: no subscription and no archived article has that name")]
    UnknownFeed(String),
    /// The output file could not be created, written or put in place.
    #[error("cannot write {}: {source}", .path.display())]
    Output {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Writing the stream (stdout, or the temporary file) failed.
    #[error("writing the export: {0}")]
    Write(#[source] std::io::Error),
}

impl ExportError {
    /// True for errors in what was asked (exit code 2).
    pub fn is_usage(&self) -> bool {
        match self {
            ExportError::UnknownFeed(_) => true,
            ExportError::Engine(err) => err.is_usage(),
            _ => false,
        }
    }
}

pub type Result<T, E = ExportError> = std::result::Result<T, E>;

/// A file the export could not read (missing, or not an article file); it was left
/// out (an article) or listed without its content (a revision in JSON Lines).
#[derive(Debug, Clone, Copy)]
pub struct Unreadable<'a> {
    pub path: &'a str,
    pub why: &'a str,
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExportReport {
    /// Articles written.
    pub articles: u64,
    /// Earlier versions written with their content.
    pub revisions: u64,
    /// Files reported as unreadable.
    pub unreadable: u64,
    /// Raw captures written (a request and a response record each; WARC only).
    pub captures: u64,
}

/// Fails with [`ExportError::UnknownFeed`] unless `feed` is subscribed or has
/// archived articles (a removed feed's articles stay exportable).
pub fn check_feed(vault: &Vault, feed: &str) -> Result<()> {
    if vault.feed(feed)?.is_some() {
        return Ok(());
    }
    let query = ArticleQuery { feed: Some(feed.to_owned()), page: Page { number: 1, size: 1 }, ..Default::default() };
    if vault.articles(&query)?.total > 0 { Ok(()) } else { Err(ExportError::UnknownFeed(feed.to_owned())) }
}

/// RFC 3339 in UTC, with milliseconds when they are not zero.
pub(crate) fn rfc3339(ms: i64) -> Option<String> {
    DateTime::<Utc>::from_timestamp_millis(ms).map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}
