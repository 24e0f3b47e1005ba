//! feedvault-store: the vault's state database behind the [`Store`] trait.
//!
//! state.db records what the archive files cannot say by themselves: each feed's fetch
//! state (validators, last error), each article's identity and content hash, and the
//! revisions. It is derived data: `feedvault reindex` rebuilds it from `archive/`.
//! [`SqliteStore`] is the one implementation today (rusqlite, bundled SQLite, schema
//! migrations from [`migrations`]); a PostgreSQL store for several machines would
//! implement the same trait. Nothing outside this crate sees SQL.
//!
//! One process writes ([`SqliteStore`], holding the vault lock); any number of
//! threads and processes read at the same time through a [`StoreReader`], a small
//! pool of read-only connections (state.db is in WAL mode, so readers never wait for
//! the writer and always see its last commit).

mod assets;
mod captures;
pub mod checks;
mod memo;
mod migrations;
mod publish;
mod queries;
mod reader;
mod sqlite;

use feedvault_core::FailureKind;
use thiserror::Error;

pub use assets::{ArticleAsset, AssetRow, KeptAsset};
pub use captures::{CaptureLink, CaptureRow};
pub use publish::{ChangeKind, RemoteState, Unpublished};
pub use queries::{ArticleFilter, ArticleSort};
pub use reader::StoreReader;
pub use sqlite::SqliteStore;

/// A storage failure, with what was being done.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("state database: {context}: {source}")]
    Sqlite {
        context: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error("state database was written by a newer feedvault (schema {found}, this one knows {known})")]
    TooNew { found: i64, known: i64 },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// What state.db knows of a feed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FeedState {
    pub slug: String,
    pub url: String,
    pub title: Option<String>,
    pub last_checked_at: Option<i64>,
    pub last_success_at: Option<i64>,
    pub last_error: Option<String>,
    pub error_since: Option<i64>,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub body_hash: Option<String>,
    pub articles: u64,
    /// When the feed is due next (ms); `None`: now.
    pub next_check_at: Option<i64>,
    /// Consecutive failed checks, and the kind of the last one.
    pub failures: u32,
    pub failure_kind: Option<FailureKind>,
    /// Consecutive 404/410 answers and when the first of them came.
    pub gone_streak: u32,
    pub gone_streak_since: Option<i64>,
    /// The language the feed declared in its last parsed document.
    pub language: Option<String>,
    /// Set when the feed answered 404/410 long enough to count as gone.
    pub gone_since: Option<i64>,
    /// The URL before the last permanent redirect.
    pub moved_from: Option<String>,
    /// Fetches in which items were provably missed, and the last one.
    pub gaps: u32,
    pub last_gap_at: Option<i64>,
    /// Items in the last document, and how many of them were new.
    pub last_items: Option<u32>,
    pub last_new_items: Option<u32>,
}

/// How one check of a feed went, and what follows from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckOutcome {
    Success {
        title: String,
        etag: Option<String>,
        last_modified: Option<String>,
        body_hash: Option<String>,
        /// Items in the document and how many were new (`None`: not parsed, e.g. 304).
        items: Option<(u32, u32)>,
        next_check_at: i64,
        /// Items were provably missed (the window rolled past them).
        gap: bool,
    },
    Failure {
        error: String,
        kind: FailureKind,
        /// The answer was 404 or 410 (continues the gone streak; anything else ends it).
        gone_status: bool,
        next_check_at: i64,
        /// The feed is gone from now on.
        gone: bool,
    },
}

/// An archived article as state.db records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleRow {
    pub id: i64,
    pub feed: String,
    pub item_key: Option<String>,
    pub key_hash: Option<String>,
    pub path: String,
    pub url: String,
    pub title: String,
    pub time_ms: Option<i64>,
    pub content_hash: String,
    pub first_seen_at: i64,
    pub version_seen_at: i64,
    pub revisions: u32,
    pub origin: Origin,
    /// SHA-256 of the file's bytes as archived or imported (`None` for rows written
    /// before feedvault recorded it).
    pub file_hash: Option<String>,
    /// The link's identity form, for adoption across feeds.
    pub link_key: Option<String>,
    /// SHA-256 of the item's raw bytes in the feed document, when it came from one.
    pub raw_hash: Option<String>,
}

/// How an article came into the archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Fetch,
    Import,
    Reindex,
}

impl Origin {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Origin::Fetch => "fetch",
            Origin::Import => "import",
            Origin::Reindex => "reindex",
        }
    }

    pub(crate) fn parse(s: &str) -> Origin {
        match s {
            "import" => Origin::Import,
            "reindex" => Origin::Reindex,
            _ => Origin::Fetch,
        }
    }
}

/// One change to the archive's records; a batch is applied in one transaction.
#[derive(Debug, Clone)]
pub enum Change {
    /// A new article (its `id` is ignored).
    Insert(ArticleRow),
    /// A new version of an article; the previous one was kept as `revision` (none
    /// when its file had gone missing).
    Revise {
        article_id: i64,
        title: String,
        url: String,
        time_ms: Option<i64>,
        content_hash: String,
        seen_at: i64,
        revision: Option<RevisionRow>,
        /// SHA-256 of the new file's bytes.
        file_hash: String,
        raw_hash: Option<String>,
    },
    /// An article found again whose identity was not recorded (rebuilt from files or
    /// imported); `feed` is set when a subscription adopts an article of no feed.
    Adopt { article_id: i64, item_key: String, feed: Option<String> },
    /// The item's raw bytes, recorded for an unchanged article.
    RawSeen { article_id: i64, raw_hash: String },
    /// A revision file found on disk (reindex).
    AddRevision { article_id: i64, revision: RevisionRow },
}

/// An earlier version of an article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RevisionRow {
    pub path: String,
    pub content_hash: String,
    pub seen_at: i64,
    /// SHA-256 of the revision file's bytes.
    pub file_hash: Option<String>,
}

/// A file whose bytes state.db vouches for (verify compares them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedFile {
    pub path: String,
    pub file_hash: Option<String>,
}

/// How an article is looked up when a feed presents an item.
#[derive(Debug, Clone, Copy)]
pub struct Lookup<'a> {
    pub feed: &'a str,
    pub item_key: &'a str,
    /// Hash of the identity as written in file names, for rows rebuilt from files.
    pub key_hash: &'a str,
    /// The item's article URL, for rows imported from another archive.
    pub url: &'a str,
    /// The link's identity form: an article of no subscribed feed with this link is
    /// the item's (an imported archive adopted by the subscription that brings it).
    pub link_key: Option<&'a str>,
    /// The item's content hash: with the link, it finds an article whose identity
    /// an earlier parser spelled differently.
    pub content_hash: Option<&'a str>,
    /// The hash of the item's raw bytes: the same bytes are the same item, whatever
    /// identity today's parser reads from them.
    pub raw_hash: Option<&'a str>,
    /// The identities earlier rules gave the item (an id before it was resolved
    /// against the base URL, a hash key before a link was found): they find only
    /// rows archived before raw hashes were recorded.
    pub earlier_keys: &'a [String],
}

/// The vault's state, whatever holds it.
pub trait Store {
    /// Every feed state row.
    fn feeds(&self) -> Result<Vec<FeedState>>;
    fn feed(&self, slug: &str) -> Result<Option<FeedState>>;
    /// Makes sure a row exists for a subscribed feed (and its URL is current).
    fn ensure_feed(&mut self, slug: &str, url: &str) -> Result<()>;
    fn remove_feed(&mut self, slug: &str) -> Result<()>;
    fn record_check(&mut self, slug: &str, at_ms: i64, outcome: &CheckOutcome) -> Result<()>;
    /// Records the language a feed's last parsed document declared (or none).
    fn record_language(&mut self, slug: &str, language: Option<&str>) -> Result<()>;
    /// Records a permanent redirect: the feed's URL is now `url`.
    fn record_move(&mut self, slug: &str, url: &str) -> Result<()>;
    /// When the feed's articles were first seen, for those seen since `since_ms`.
    fn arrivals(&self, slug: &str, since_ms: i64) -> Result<Vec<i64>>;

    /// The article an item is: by identity; else by identity hash or URL among rows
    /// whose identity is unknown; else by raw bytes, or by link and content, within
    /// the feed (identities an earlier parser read differently); else by link among
    /// articles of no subscribed feed.
    fn find_article(&self, lookup: Lookup<'_>) -> Result<Option<ArticleRow>>;
    fn article_by_path(&self, path: &str) -> Result<Option<ArticleRow>>;
    fn article_paths(&self) -> Result<Vec<String>>;
    fn revision_paths(&self) -> Result<Vec<String>>;
    fn article_count(&self) -> Result<u64>;
    /// Applies a batch of changes atomically; the files they name leave the journal
    /// of pending files and join the journal of files to publish in the same
    /// transaction.
    fn apply(&mut self, changes: &[Change]) -> Result<()>;
    /// Replaces every article and revision record with `changes`, atomically.
    fn replace_articles(&mut self, changes: &[Change]) -> Result<()>;

    /// Journals files about to be written for `feed` (before they reach their place).
    fn add_pending(&mut self, feed: &str, paths: &[String], at_ms: i64) -> Result<()>;
    /// The journal: (path, feed) of files staged by a write never recorded.
    fn pending(&self) -> Result<Vec<(String, String)>>;
    fn clear_pending(&mut self, paths: &[String]) -> Result<()>;
    /// Articles not yet in the search index with an id above `after_id`, at most
    /// `limit`, by id.
    fn unindexed(&self, after_id: i64, limit: usize) -> Result<Vec<ArticleRow>>;
    /// Marks articles indexed: (path, content hash of the version indexed). A row
    /// revised since that version stays unmarked.
    fn mark_indexed(&mut self, indexed: &[(String, String)]) -> Result<()>;
    /// Marks every article as not indexed (the index is being rebuilt).
    fn mark_all_unindexed(&mut self) -> Result<()>;
    /// Every article and revision file with its recorded byte hash.
    fn recorded_files(&self) -> Result<Vec<RecordedFile>>;
    /// Articles and revisions recorded without a byte hash.
    fn unhashed_files(&self) -> Result<Vec<String>>;
    /// Records byte hashes for files that had none.
    fn set_file_hashes(&mut self, hashes: &[(String, String)]) -> Result<()>;

    /// Journals files for the next commit (lists and indexes; [`Store::apply`]
    /// journals the article files it records by itself).
    fn add_unpublished(&mut self, files: &[Unpublished]) -> Result<()>;
    /// The files changed since the last commit, by path.
    fn unpublished(&self) -> Result<Vec<Unpublished>>;
    /// Forgets journaled files (they are committed).
    fn clear_unpublished(&mut self, paths: &[String]) -> Result<()>;
    /// Every push remote's state.
    fn push_remotes(&self) -> Result<Vec<RemoteState>>;
    fn push_remote(&self, url: &str) -> Result<Option<RemoteState>>;
    fn record_push(&mut self, state: &RemoteState) -> Result<()>;
    /// Articles new or revised since their README indexes were written
    /// ([`Store::apply`] journals them).
    fn index_pending(&self) -> Result<Vec<String>>;
    fn clear_index_pending(&mut self, paths: &[String]) -> Result<()>;

    /// The folders directly under the path prefix `prefix` (e.g. `archive/`) that
    /// hold articles, in byte order.
    fn folders_under(&self, prefix: &str) -> Result<Vec<String>>;
    /// Articles per day under `prefix` (`archive/<feed>/`): (`YYYY/MM/DD`, count) for
    /// the paths `<prefix>YYYY/MM/DD/<file>`, by day. The day is the path's.
    fn article_days(&self, prefix: &str) -> Result<Vec<(String, u64)>>;
    /// The articles whose files are directly in `folder`, by path.
    fn articles_in_folder(&self, folder: &str) -> Result<Vec<ArticleRow>>;
}
