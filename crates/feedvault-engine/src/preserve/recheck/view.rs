//! The read side of the re-checks: the articles marked removed or vanished from
//! their feed, each with its evidence, and one article's check evidence (for the
//! read API, `list --removed` and the web UI's removed page and feed).

pub use feedvault_store::checks::EvidenceRow as Evidence;
use feedvault_store::checks::FlaggedArticle;

use crate::{Result, Vault};

/// An article marked removed or vanished from its feed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemovedArticle {
    pub feed: String,
    /// The article file, relative to the vault.
    pub path: String,
    pub url: String,
    pub title: String,
    /// The article's time (ms), if it has one.
    pub time_ms: Option<i64>,
    /// When it was marked removed (repeated gone answers), if it is.
    pub removed_at: Option<i64>,
    /// When it left its feed's window while older items stayed, if it did.
    pub vanished_at: Option<i64>,
    /// Gone answers since the last answer that found it there.
    pub gone_count: u32,
    /// The last check and what it said.
    pub last_checked_at: Option<i64>,
    pub last_verdict: Option<String>,
    /// Oldest first.
    pub evidence: Vec<Evidence>,
}

impl RemovedArticle {
    /// When it was flagged last (removed or vanished), for sorting and feeds out.
    pub fn flagged_at(&self) -> i64 {
        self.removed_at.unwrap_or(0).max(self.vanished_at.unwrap_or(0))
    }
}

impl From<FlaggedArticle> for RemovedArticle {
    fn from(f: FlaggedArticle) -> Self {
        RemovedArticle {
            feed: f.article.feed,
            path: f.article.path,
            url: f.article.url,
            title: f.article.title,
            time_ms: f.article.time_ms,
            removed_at: f.state.removed_at,
            vanished_at: f.state.vanished_at,
            gone_count: f.state.gone_count,
            last_checked_at: f.state.last_at,
            last_verdict: f.state.last_verdict,
            evidence: f.evidence,
        }
    }
}

impl Vault {
    /// Articles marked removed or vanished from their feed, the most recently
    /// flagged first, with their evidence.
    pub fn removed_articles(&self) -> Result<Vec<RemovedArticle>> {
        Ok(self.reader.flagged_articles()?.into_iter().map(RemovedArticle::from).collect())
    }

    /// The evidence of one article's re-checks (gone answers, edits seen on the
    /// page, removal, vanishing), oldest first; empty for an unknown path.
    pub fn check_evidence(&self, path: &str) -> Result<Vec<Evidence>> {
        match self.reader.article_by_path(path)? {
            Some(article) => Ok(self.reader.check_evidence(article.id)?),
            None => Ok(Vec::new()),
        }
    }
}
