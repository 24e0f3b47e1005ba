//! The read side of state.db: a small pool of read-only connections, usable from
//! many threads at once (`Send + Sync`) while another connection, possibly in
//! another process, writes. In WAL mode a reader sees the last committed state and
//! never blocks the writer.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rusqlite::{Connection, OpenFlags};

use crate::memo::Memo;
use crate::queries::{self, ArticleFilter, ArticleSort, sql};
use crate::{ArticleRow, FeedState, RecordedFile, RemoteState, Result, RevisionRow};

/// Idle connections kept for reuse; more are opened under load and closed after.
const POOL_SIZE: usize = 8;

/// Reads state.db from any thread.
#[derive(Debug)]
pub struct StoreReader {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    /// The one connection [`StoreReader::data_version`] asks: SQLite's counter is
    /// per connection, so it must always be the same one.
    watch: Mutex<Option<Connection>>,
    memo: Memo,
}

impl StoreReader {
    /// A reader of the database at `path` (which a writer has created and migrated).
    pub fn open(path: &Path) -> Result<StoreReader> {
        let reader = StoreReader {
            path: path.to_owned(),
            idle: Mutex::new(Vec::new()),
            watch: Mutex::new(None),
            memo: Memo::default(),
        };
        let conn = reader.connect()?;
        reader.release(conn);
        Ok(reader)
    }

    fn connect(&self) -> Result<Connection> {
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX | OpenFlags::SQLITE_OPEN_URI;
        let conn = Connection::open_with_flags(&self.path, flags).map_err(sql("opening for reading"))?;
        conn.busy_timeout(std::time::Duration::from_secs(5)).map_err(sql("configuring a reader"))?;
        Ok(conn)
    }

    fn release(&self, conn: Connection) {
        let mut idle = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if idle.len() < POOL_SIZE {
            idle.push(conn);
        }
    }

    /// Runs `read` on a pooled connection.
    pub(crate) fn with<T>(&self, read: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        let pooled = self.idle.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).pop();
        let conn = match pooled {
            Some(conn) => conn,
            None => self.connect()?,
        };
        let result = read(&conn);
        self.release(conn);
        result
    }

    /// A number that changes whenever another connection (the writer, in this
    /// process or another) has committed since the last call: SQLite's
    /// `data_version`, always read on the same connection.
    pub fn data_version(&self) -> Result<i64> {
        let mut watch = self.watch.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if watch.is_none() {
            *watch = Some(self.connect()?);
        }
        let conn = watch.as_ref().expect("connected above");
        conn.prepare_cached("PRAGMA data_version")
            .and_then(|mut stmt| stmt.query_row([], |r| r.get(0)))
            .map_err(sql("reading the data version"))
    }

    /// Every feed's state (kept until the next commit: each carries a count).
    pub fn feeds(&self) -> Result<Vec<FeedState>> {
        Ok(self.kept_feeds()?.to_vec())
    }

    pub fn feed(&self, slug: &str) -> Result<Option<FeedState>> {
        Ok(self.kept_feeds()?.iter().find(|feed| feed.slug == slug).cloned())
    }

    fn kept_feeds(&self) -> Result<std::sync::Arc<Vec<FeedState>>> {
        self.memo.feeds(self.data_version()?, || self.with(|c| queries::feeds(c, None)))
    }

    pub fn article_by_path(&self, path: &str) -> Result<Option<ArticleRow>> {
        self.with(|c| queries::article_by_path(c, path))
    }

    pub fn article_count(&self) -> Result<u64> {
        self.memo.count(self.data_version()?, "articles".into(), || self.with(queries::article_count))
    }

    pub fn revision_count(&self) -> Result<u64> {
        self.memo.count(self.data_version()?, "revisions".into(), || self.with(queries::revision_count))
    }

    /// A page of articles (`offset`, `limit`) and the number that match.
    pub fn articles(
        &self,
        filter: &ArticleFilter,
        sort: ArticleSort,
        offset: usize,
        limit: usize,
    ) -> Result<(Vec<ArticleRow>, u64)> {
        let version = self.data_version()?;
        let total =
            self.memo.count(version, format!("{filter:?}"), || self.with(|c| queries::articles_count(c, filter)))?;
        Ok((self.with(|c| queries::articles_page(c, filter, sort, offset, limit))?, total))
    }

    /// The T of the nearest article before `before_ms`, and of the first at or after
    /// `after_ms` (optionally within one feed).
    pub fn neighbour_times(
        &self,
        feed: Option<&str>,
        before_ms: i64,
        after_ms: i64,
    ) -> Result<(Option<i64>, Option<i64>)> {
        self.with(|c| queries::neighbour_times(c, feed, before_ms, after_ms))
    }

    /// Up to `limit` matching articles with an id above `after_id`, by id (a keyset
    /// walk: pass the last id seen to get the next batch).
    pub fn articles_after(&self, filter: &ArticleFilter, after_id: i64, limit: usize) -> Result<Vec<ArticleRow>> {
        self.with(|c| queries::articles_after(c, filter, after_id, limit))
    }

    /// The revisions of the given articles: (article id, revision), by article, oldest
    /// first.
    pub fn revisions_of_many(&self, article_ids: &[i64]) -> Result<Vec<(i64, RevisionRow)>> {
        self.with(|c| queries::revisions_of_many(c, article_ids))
    }

    pub fn revisions_of(&self, article_id: i64) -> Result<Vec<RevisionRow>> {
        self.with(|c| queries::revisions_of(c, article_id))
    }

    pub fn recent_revisions(&self, offset: usize, limit: usize) -> Result<Vec<(ArticleRow, RevisionRow)>> {
        self.with(|c| queries::recent_revisions(c, offset, limit))
    }

    /// When the newest version in the archive was first seen (ms).
    pub fn last_version_seen_at(&self) -> Result<Option<i64>> {
        self.with(queries::last_version_seen_at)
    }

    pub fn article_paths(&self) -> Result<Vec<String>> {
        self.with(|c| queries::strings(c, "SELECT path FROM articles ORDER BY path", "listing articles"))
    }

    pub fn recorded_files(&self) -> Result<Vec<RecordedFile>> {
        self.with(queries::recorded_files)
    }

    /// Every push remote's state.
    pub fn push_remotes(&self) -> Result<Vec<RemoteState>> {
        self.with(crate::publish::remotes)
    }

    /// How many files wait for the next commit.
    pub fn unpublished_count(&self) -> Result<u64> {
        self.with(crate::publish::unpublished_count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SqliteStore, Store};

    #[test]
    fn the_data_version_moves_only_when_the_writer_commits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        let mut writer = SqliteStore::open(&path).unwrap();
        let reader = StoreReader::open(&path).unwrap();
        let first = reader.data_version().unwrap();
        assert_eq!(reader.data_version().unwrap(), first, "nothing was committed");
        reader.article_count().unwrap(); // reading through the pool changes nothing
        assert_eq!(reader.data_version().unwrap(), first);
        writer.ensure_feed("f", "https://e.com/f").unwrap();
        let second = reader.data_version().unwrap();
        assert_ne!(second, first, "the writer committed");
        assert_eq!(reader.data_version().unwrap(), second);
    }
}
