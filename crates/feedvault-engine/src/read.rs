//! The read API: what the web server, the CLI's listings and publishing ask of a
//! vault. Every call reads state.db through the reader pool and the article files
//! from disk; none of them writes anything, so any number may run while a writer
//! (in this process or another) fetches. An article's raw captures, and their
//! bodies, are read by [`crate::preserve::captures::read`].
//!
//! The articles re-checks found removed or vanished, with their evidence, are read
//! by [`Vault::removed_articles`] and [`Vault::check_evidence`] (in
//! [`crate::preserve::recheck::view`]).

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use feedvault_archive::scan::read_article;
use feedvault_core::Article;
use feedvault_store::{ArticleFilter, ArticleRow, ArticleSort, FeedState};

pub use crate::preserve::captures::read::ArticleCapture;
pub use crate::preserve::captures::{CaptureKind, RawResponse};
pub use feedvault_store::{CaptureLink, CaptureRow};

use crate::settings::FeedSettings;
use crate::{EngineError, Result, Vault};

/// A page of results, counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub number: usize,
    pub size: usize,
}

impl Default for Page {
    fn default() -> Self {
        Page { number: 1, size: 50 }
    }
}

impl Page {
    fn offset(&self) -> usize {
        (self.number.max(1) - 1) * self.size
    }
}

/// Items of one page and how many there are in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: Page,
}

impl<T> Paged<T> {
    /// How many pages the total makes (at least one).
    pub fn pages(&self) -> u64 {
        self.total.div_ceil(self.page.size.max(1) as u64).max(1)
    }
}

/// A subscription with what state.db knows of it.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedView {
    pub settings: FeedSettings,
    pub state: FeedState,
}

impl FeedView {
    /// The feed's title: from the feed itself, else from feedvault.toml, else its name.
    pub fn title(&self) -> &str {
        self.state
            .title
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .or(self.settings.title.as_deref())
            .unwrap_or(&self.settings.name)
    }
}

/// An archived article as listings show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleSummary {
    /// The article's path in the vault: its permanent identifier.
    pub path: String,
    pub feed: String,
    pub title: String,
    pub url: String,
    /// T (published, else first seen), ms.
    pub time_ms: Option<i64>,
    pub first_seen_at: i64,
    /// When the current version was first seen.
    pub version_seen_at: i64,
    pub revisions: u32,
}

impl From<ArticleRow> for ArticleSummary {
    fn from(row: ArticleRow) -> Self {
        ArticleSummary {
            path: row.path,
            feed: row.feed,
            title: row.title,
            url: row.url,
            time_ms: row.time_ms,
            first_seen_at: row.first_seen_at,
            version_seen_at: row.version_seen_at,
            revisions: row.revisions,
        }
    }
}

/// One earlier version of an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionView {
    pub path: String,
    /// When this version was first seen (the revision file's name).
    pub seen_at: i64,
    /// The version as its file holds it; `None` when the file is missing or broken.
    pub article: Option<Article>,
}

/// An article with its text and every earlier version, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleDetail {
    pub summary: ArticleSummary,
    pub article: Article,
    pub revisions: Vec<RevisionView>,
}

/// A revision as the list of recent changes shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeView {
    pub article: ArticleSummary,
    /// The revision file: the version that was replaced.
    pub revision_path: String,
    /// When the replaced version had been first seen.
    pub revision_seen_at: i64,
}

/// Which articles a listing wants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleQuery {
    pub feed: Option<String>,
    /// From this day (inclusive, in the vault's zone).
    pub since: Option<NaiveDate>,
    /// To this day (inclusive, in the vault's zone).
    pub until: Option<NaiveDate>,
    pub page: Page,
}

/// The articles of one day, with the nearest days that have articles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayView {
    pub day: NaiveDate,
    pub articles: Paged<ArticleSummary>,
    pub previous: Option<NaiveDate>,
    pub next: Option<NaiveDate>,
}

/// Midnight of `day` in `zone`, in ms.
fn midnight(day: NaiveDate, zone: Tz) -> i64 {
    let naive = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    zone.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.timestamp_millis())
        .unwrap_or_else(|| Utc.from_utc_datetime(&naive).timestamp_millis())
}

/// The store's filter for a query's feed and days.
fn filter_of(query: &ArticleQuery, zone: Tz) -> ArticleFilter {
    ArticleFilter {
        feed: query.feed.clone(),
        since_ms: query.since.map(|d| midnight(d, zone)),
        until_ms: query.until.and_then(|d| d.succ_opt()).map(|d| midnight(d, zone)),
    }
}

/// The day a time falls on in `zone`.
pub fn day_of(ms: i64, zone: Tz) -> Option<NaiveDate> {
    let local = DateTime::<Utc>::from_timestamp_millis(ms)?.with_timezone(&zone);
    NaiveDate::from_ymd_opt(local.year(), local.month(), local.day())
}

impl Vault {
    /// Every subscription with its state, in feedvault.toml's order.
    pub fn feeds(&self) -> Result<Vec<FeedView>> {
        let settings = self.settings()?;
        let states = self.reader.feeds()?;
        Ok(settings
            .feeds
            .into_iter()
            .map(|feed| {
                let state = states.iter().find(|s| s.slug == feed.name).cloned().unwrap_or_default();
                FeedView { settings: feed, state }
            })
            .collect())
    }

    /// One subscription by name.
    pub fn feed(&self, name: &str) -> Result<Option<FeedView>> {
        let Some(settings) = self.settings()?.feeds.into_iter().find(|f| f.name == name) else { return Ok(None) };
        let state = self.reader.feed(name)?.unwrap_or_default();
        Ok(Some(FeedView { settings, state }))
    }

    /// Articles newest first, by feed and days, paged.
    pub fn articles(&self, query: &ArticleQuery) -> Result<Paged<ArticleSummary>> {
        let filter = filter_of(query, self.settings()?.vault.timezone);
        let (rows, total) =
            self.reader.articles(&filter, ArticleSort::NewestFirst, query.page.offset(), query.page.size)?;
        Ok(Paged { items: rows.into_iter().map(ArticleSummary::from).collect(), total, page: query.page })
    }

    /// The articles of one day (in the vault's zone), across feeds or of one feed,
    /// with the nearest earlier and later days that have articles.
    pub fn day(&self, day: NaiveDate, feed: Option<&str>, page: Page) -> Result<DayView> {
        let zone = self.settings()?.vault.timezone;
        let query = ArticleQuery { feed: feed.map(str::to_owned), since: Some(day), until: Some(day), page };
        let articles = self.articles(&query)?;
        let start = midnight(day, zone);
        let end = day.succ_opt().map(|d| midnight(d, zone)).unwrap_or(i64::MAX);
        let (previous, next) = self.reader.neighbour_times(feed, start, end)?;
        Ok(DayView {
            day,
            articles,
            previous: previous.and_then(|ms| day_of(ms, zone)),
            next: next.and_then(|ms| day_of(ms, zone)),
        })
    }

    /// One article by its path, with its text and every revision.
    pub fn article(&self, path: &str) -> Result<Option<ArticleDetail>> {
        let Some(row) = self.reader.article_by_path(path)? else { return Ok(None) };
        let article = match read_article(&self.root.join(&row.path))? {
            Ok((_, article)) => article,
            Err(why) => return Err(EngineError::Other(why)),
        };
        let revisions = self
            .reader
            .revisions_of(row.id)?
            .into_iter()
            .map(|revision| RevisionView {
                article: read_article(&self.root.join(&revision.path)).ok().and_then(|r| r.ok()).map(|(_, a)| a),
                path: revision.path,
                seen_at: revision.seen_at,
            })
            .collect();
        Ok(Some(ArticleDetail { summary: row.into(), article, revisions }))
    }

    /// The most recent revisions across the vault, newest first.
    pub fn recent_changes(&self, page: Page) -> Result<Vec<ChangeView>> {
        Ok(self
            .reader
            .recent_revisions(page.offset(), page.size)?
            .into_iter()
            .map(|(article, revision)| ChangeView {
                article: article.into(),
                revision_path: revision.path,
                revision_seen_at: revision.seen_at,
            })
            .collect())
    }

    /// What a reader's view of the vault depends on, in a form that changes when
    /// the vault does: state.db's commits (by the writer, here or in another
    /// process) and feedvault.toml's [`crate::config_file::FileStamp`]. A page
    /// rendered at one stamp is still true while the stamp is equal (article files
    /// change only with a commit). The search index is not covered.
    pub fn change_stamp(&self) -> Result<ChangeStamp> {
        Ok(ChangeStamp { data_version: self.reader.data_version()?, config: crate::config_file::stamp(&self.root) })
    }

    /// How many articles and revisions the vault records.
    pub fn counts(&self) -> Result<(u64, u64)> {
        Ok((self.reader.article_count()?, self.reader.revision_count()?))
    }
}

/// See [`Vault::change_stamp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeStamp {
    data_version: i64,
    config: Option<crate::config_file::FileStamp>,
}

/// Articles read from state.db per step of a walk over the whole archive.
const WALK_BATCH: usize = 200;

/// One version of an article as its file holds it: the exact bytes, and what they say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionFile {
    pub bytes: Vec<u8>,
    pub article: Article,
}

/// An earlier version met on a walk over the archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRevision {
    pub path: String,
    /// When this version was first seen (ms).
    pub seen_at: i64,
    pub content_hash: String,
    /// The file, or why it cannot be read (missing, not an article file).
    pub file: std::result::Result<VersionFile, String>,
}

/// An article met on a walk over the archive, with its file and (when asked) every
/// earlier version, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredArticle {
    pub summary: ArticleSummary,
    pub content_hash: String,
    /// The current file, or why it cannot be read.
    pub file: std::result::Result<VersionFile, String>,
    /// Empty unless revisions were asked for.
    pub revisions: Vec<StoredRevision>,
}

/// Reads one archived file: `Err(why)` (without the path, which the caller knows)
/// when it is missing, cannot be read or is not an article file.
fn version_file(root: &std::path::Path, path: &str) -> std::result::Result<VersionFile, String> {
    let bytes = std::fs::read(root.join(path)).map_err(|err| match err.kind() {
        std::io::ErrorKind::NotFound => "the file is missing".to_owned(),
        _ => err.to_string(),
    })?;
    let article = Article::from_file(&bytes).map_err(|err| format!("not an article file: {err}"))?;
    Ok(VersionFile { bytes, article })
}

impl Vault {
    /// Visits every article that `query` matches (its page is not used), in the
    /// order they were first archived, reading each file as it goes: state.db is
    /// walked by id in small batches and one article's files are in memory at a
    /// time, so memory does not grow with the archive. With `revisions`, each
    /// article comes with its earlier versions. An error of `visit` stops the walk.
    pub fn for_each_article<E: From<EngineError>>(
        &self,
        query: &ArticleQuery,
        revisions: bool,
        mut visit: impl FnMut(StoredArticle) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let filter = filter_of(query, self.settings()?.vault.timezone);
        let mut after = 0;
        loop {
            let rows = self.reader.articles_after(&filter, after, WALK_BATCH).map_err(EngineError::from)?;
            let Some(last) = rows.last() else { return Ok(()) };
            after = last.id;
            let revised: Vec<i64> = rows.iter().filter(|r| revisions && r.revisions > 0).map(|r| r.id).collect();
            let mut earlier =
                self.reader.revisions_of_many(&revised).map_err(EngineError::from)?.into_iter().peekable();
            for row in rows {
                let mut versions = Vec::new();
                while let Some((_, revision)) = earlier.next_if(|(id, _)| *id == row.id) {
                    versions.push(StoredRevision {
                        file: version_file(&self.root, &revision.path),
                        path: revision.path,
                        seen_at: revision.seen_at,
                        content_hash: revision.content_hash,
                    });
                }
                let file = version_file(&self.root, &row.path);
                let content_hash = row.content_hash.clone();
                visit(StoredArticle { summary: row.into(), content_hash, file, revisions: versions })?;
            }
        }
    }

    /// When the newest version in the vault was first seen (ms), if it has any.
    pub fn last_seen_at(&self) -> Result<Option<i64>> {
        Ok(self.reader.last_version_seen_at()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_in_a_zone() {
        let day = NaiveDate::from_ymd_opt(2022, 9, 20).unwrap();
        let shanghai = chrono_tz::Asia::Shanghai;
        assert_eq!(midnight(day, chrono_tz::UTC), 1_663_632_000_000);
        assert_eq!(midnight(day, shanghai), 1_663_632_000_000 - 8 * 3_600_000);
        // 2022-09-19 20:00 UTC is the 20th in Shanghai.
        assert_eq!(day_of(1_663_617_600_000, shanghai), Some(day));
        assert_eq!(day_of(1_663_617_600_000, chrono_tz::UTC), NaiveDate::from_ymd_opt(2022, 9, 19));
    }
}
