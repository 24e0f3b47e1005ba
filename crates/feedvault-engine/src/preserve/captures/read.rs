//! Reading captures back: an article's captures (per version), one capture, all of
//! them in order (for the WARC export), and a capture's body, decompressed and
//! checked against its hash.

use feedvault_archive::captures as files;
use feedvault_store::{CaptureLink, CaptureRow};

use crate::{Result, Vault};

/// A capture with the version of the article it produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleCapture {
    /// When the version it produced was first seen (the current file's
    /// `version_seen_at`, or a revision's `seen_at`).
    pub seen_at: i64,
    pub capture: CaptureRow,
}

impl Vault {
    /// The captures the versions of the article at `path` came from, oldest first.
    pub fn article_captures(&self, path: &str) -> Result<Vec<ArticleCapture>> {
        let rows = self.reader.captures_of(path)?;
        Ok(rows.into_iter().map(|(seen_at, capture)| ArticleCapture { seen_at, capture }).collect())
    }

    /// One capture by id.
    pub fn capture(&self, id: &str) -> Result<Option<CaptureRow>> {
        Ok(self.reader.capture(id)?)
    }

    /// Captures in the order they were made, `limit` at a time after `after` (the
    /// last one of the previous page).
    pub fn captures_after(&self, after: Option<&CaptureRow>, limit: usize) -> Result<Vec<CaptureRow>> {
        Ok(self.reader.captures_after(after.map(|c| (c.fetched_at, c.id.as_str())), limit)?)
    }

    /// The article versions a capture produced.
    pub fn capture_versions(&self, id: &str) -> Result<Vec<CaptureLink>> {
        Ok(self.reader.capture_links(id)?)
    }

    /// A capture's body as it was received (decompressed; its hash checked).
    pub fn capture_body(&self, capture: &CaptureRow) -> Result<Vec<u8>> {
        Ok(files::read_body(&self.root, &capture.body_hash, capture.body_length)?)
    }
}
