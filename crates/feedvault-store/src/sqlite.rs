//! The SQLite implementation of [`Store`].

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::{ArticleRow, Change, CheckOutcome, FeedState, Lookup, Origin, Result, Store, StoreError, migrations};

/// state.db in SQLite.
pub struct SqliteStore {
    conn: Connection,
}

fn sql(context: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |source| StoreError::Sqlite { context, source }
}

const ARTICLE_COLUMNS: &str = "id, feed, item_key, key_hash, path, url, title, time_ms, content_hash, \
     first_seen_at, version_seen_at, revisions, origin";

fn article_row(row: &Row<'_>) -> rusqlite::Result<ArticleRow> {
    Ok(ArticleRow {
        id: row.get(0)?,
        feed: row.get(1)?,
        item_key: row.get(2)?,
        key_hash: row.get(3)?,
        path: row.get(4)?,
        url: row.get(5)?,
        title: row.get(6)?,
        time_ms: row.get(7)?,
        content_hash: row.get(8)?,
        first_seen_at: row.get(9)?,
        version_seen_at: row.get(10)?,
        revisions: row.get(11)?,
        origin: Origin::parse(&row.get::<_, String>(12)?),
    })
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path).map_err(sql("opening"))?;
        Self::setup(conn)
    }

    /// An in-memory database, for tests.
    pub fn in_memory() -> Result<Self> {
        Self::setup(Connection::open_in_memory().map_err(sql("opening"))?)
    }

    fn setup(mut conn: Connection) -> Result<Self> {
        // WAL with synchronous=NORMAL keeps the database consistent across a crash;
        // the last commits may be lost on power failure, which `reindex` and the
        // adoption of unrecorded files on the next fetch make good (state.db is derived).
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
        )
        .map_err(sql("configuring"))?;
        migrations::migrate(&mut conn)?;
        Ok(SqliteStore { conn })
    }

    fn feed_query(&self, filter: &str, param: Option<&str>) -> Result<Vec<FeedState>> {
        let query = format!(
            "SELECT slug, url, title, last_checked_at, last_success_at, last_error, error_since, etag, last_modified, \
             body_hash, (SELECT COUNT(*) FROM articles a WHERE a.feed = f.slug), next_check_at, failures, failure_kind, \
             gone_since, moved_from, gaps, last_gap_at, last_items, last_new_items, gone_streak, gone_streak_since \
             FROM feeds f {filter} ORDER BY slug"
        );
        let mut stmt = self.conn.prepare_cached(&query).map_err(sql("reading feeds"))?;
        let map = |r: &Row<'_>| {
            Ok(FeedState {
                slug: r.get(0)?,
                url: r.get(1)?,
                title: r.get(2)?,
                last_checked_at: r.get(3)?,
                last_success_at: r.get(4)?,
                last_error: r.get(5)?,
                error_since: r.get(6)?,
                etag: r.get(7)?,
                last_modified: r.get(8)?,
                body_hash: r.get(9)?,
                articles: r.get(10)?,
                next_check_at: r.get(11)?,
                failures: r.get(12)?,
                failure_kind: r.get(13)?,
                gone_since: r.get(14)?,
                moved_from: r.get(15)?,
                gaps: r.get(16)?,
                last_gap_at: r.get(17)?,
                last_items: r.get(18)?,
                last_new_items: r.get(19)?,
                gone_streak: r.get(20)?,
                gone_streak_since: r.get(21)?,
            })
        };
        let rows = match param {
            Some(p) => stmt.query_map([p], map),
            None => stmt.query_map([], map),
        };
        rows.and_then(|rows| rows.collect()).map_err(sql("reading feeds"))
    }

    fn strings(&self, query: &str, context: &'static str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(query).map_err(sql(context))?;
        stmt.query_map([], |r| r.get(0)).and_then(|rows| rows.collect()).map_err(sql(context))
    }
}

impl Store for SqliteStore {
    fn feeds(&self) -> Result<Vec<FeedState>> {
        self.feed_query("", None)
    }

    fn feed(&self, slug: &str) -> Result<Option<FeedState>> {
        Ok(self.feed_query("WHERE slug = ?1", Some(slug))?.into_iter().next())
    }

    fn ensure_feed(&mut self, slug: &str, url: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO feeds (slug, url) VALUES (?1, ?2) ON CONFLICT(slug) DO UPDATE SET url = excluded.url",
                params![slug, url],
            )
            .map_err(sql("recording feed"))?;
        Ok(())
    }

    fn remove_feed(&mut self, slug: &str) -> Result<()> {
        self.conn.execute("DELETE FROM feeds WHERE slug = ?1", [slug]).map_err(sql("removing feed"))?;
        Ok(())
    }

    fn record_check(&mut self, slug: &str, at_ms: i64, outcome: &CheckOutcome) -> Result<()> {
        let result = match outcome {
            CheckOutcome::Success { title, etag, last_modified, body_hash, items, next_check_at, gap } => {
                self.conn.execute(
                    "UPDATE feeds SET title = ?2, last_checked_at = ?3, last_success_at = ?3, last_error = NULL, \
                 error_since = NULL, failures = 0, failure_kind = NULL, gone_since = NULL, gone_streak = 0, \
                 gone_streak_since = NULL, etag = ?4, \
                 last_modified = ?5, body_hash = ?6, next_check_at = ?7, \
                 last_items = COALESCE(?8, last_items), last_new_items = COALESCE(?9, last_new_items), \
                 gaps = gaps + ?10, last_gap_at = CASE WHEN ?10 = 1 THEN ?3 ELSE last_gap_at END WHERE slug = ?1",
                    params![
                        slug,
                        title,
                        at_ms,
                        etag,
                        last_modified,
                        body_hash,
                        next_check_at,
                        items.map(|(all, _)| all),
                        items.map(|(_, new)| new),
                        *gap as i64
                    ],
                )
            }
            CheckOutcome::Failure { error, kind, gone_status, next_check_at, gone } => self.conn.execute(
                "UPDATE feeds SET last_checked_at = ?2, last_error = ?3, error_since = COALESCE(error_since, ?2), \
                 failures = failures + 1, failure_kind = ?4, next_check_at = ?5, \
                 gone_streak = CASE WHEN ?7 = 1 THEN gone_streak + 1 ELSE 0 END, \
                 gone_streak_since = CASE WHEN ?7 = 1 THEN COALESCE(gone_streak_since, ?2) ELSE NULL END, \
                 gone_since = CASE WHEN ?6 = 1 THEN COALESCE(gone_since, ?2) ELSE gone_since END WHERE slug = ?1",
                params![slug, at_ms, error, kind, next_check_at, *gone as i64, *gone_status as i64],
            ),
        };
        result.map_err(sql("recording a check"))?;
        Ok(())
    }

    fn record_move(&mut self, slug: &str, url: &str) -> Result<()> {
        self.conn
            .execute("UPDATE feeds SET moved_from = url, url = ?2 WHERE slug = ?1 AND url != ?2", params![slug, url])
            .map_err(sql("recording a move"))?;
        Ok(())
    }

    fn arrivals(&self, slug: &str, since_ms: i64) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            // Articles found by fetching, after the feed's first fetch: the backlog of
            // the first fetch, imports and rebuilt rows say nothing about the rate.
            .prepare_cached(
                "SELECT first_seen_at FROM articles WHERE feed = ?1 AND origin = 'fetch' AND first_seen_at >= ?2 \
                 AND first_seen_at > (SELECT MIN(first_seen_at) FROM articles WHERE feed = ?1 AND origin = 'fetch')",
            )
            .map_err(sql("reading arrivals"))?;
        stmt.query_map(params![slug, since_ms], |r| r.get(0))
            .and_then(|rows| rows.collect())
            .map_err(sql("reading arrivals"))
    }

    fn find_article(&self, lookup: Lookup<'_>) -> Result<Option<ArticleRow>> {
        let queries = [
            ("WHERE feed = ?1 AND item_key = ?2", lookup.item_key),
            ("WHERE feed = ?1 AND item_key IS NULL AND key_hash = ?2", lookup.key_hash),
            ("WHERE feed = ?1 AND item_key IS NULL AND url = ?2 AND url != ''", lookup.url),
        ];
        for (filter, value) in queries {
            let query = format!("SELECT {ARTICLE_COLUMNS} FROM articles {filter} LIMIT 1");
            let mut stmt = self.conn.prepare_cached(&query).map_err(sql("finding article"))?;
            if let Some(row) =
                stmt.query_row(params![lookup.feed, value], article_row).optional().map_err(sql("finding article"))?
            {
                return Ok(Some(row));
            }
        }
        Ok(None)
    }

    fn article_by_path(&self, path: &str) -> Result<Option<ArticleRow>> {
        let query = format!("SELECT {ARTICLE_COLUMNS} FROM articles WHERE path = ?1");
        let mut stmt = self.conn.prepare_cached(&query).map_err(sql("finding article"))?;
        stmt.query_row([path], article_row).optional().map_err(sql("finding article"))
    }

    fn recent_articles(&self, feed: &str, limit: usize) -> Result<Vec<ArticleRow>> {
        let query =
            format!("SELECT {ARTICLE_COLUMNS} FROM articles WHERE feed = ?1 ORDER BY time_ms DESC, path ASC LIMIT ?2");
        let mut stmt = self.conn.prepare_cached(&query).map_err(sql("listing recent articles"))?;
        stmt.query_map(params![feed, limit as i64], article_row)
            .and_then(|rows| rows.collect())
            .map_err(sql("listing recent articles"))
    }

    fn article_paths(&self) -> Result<Vec<String>> {
        self.strings("SELECT path FROM articles ORDER BY path", "listing articles")
    }

    fn revision_paths(&self) -> Result<Vec<String>> {
        self.strings("SELECT path FROM revisions ORDER BY path", "listing revisions")
    }

    fn article_count(&self) -> Result<u64> {
        self.conn.query_row("SELECT COUNT(*) FROM articles", [], |r| r.get(0)).map_err(sql("counting articles"))
    }

    fn apply(&mut self, changes: &[Change]) -> Result<()> {
        let tx = self.conn.transaction().map_err(sql("starting a batch"))?;
        apply_in(&tx, changes)?;
        tx.commit().map_err(sql("committing a batch"))
    }

    fn replace_articles(&mut self, changes: &[Change]) -> Result<()> {
        let tx = self.conn.transaction().map_err(sql("starting a rebuild"))?;
        tx.execute_batch("DELETE FROM revisions; DELETE FROM articles;").map_err(sql("clearing articles"))?;
        apply_in(&tx, changes)?;
        tx.commit().map_err(sql("committing a rebuild"))
    }
}

/// Applies changes inside the caller's transaction.
fn apply_in(tx: &Connection, changes: &[Change]) -> Result<()> {
    for change in changes {
        match change {
            Change::Insert(a) => {
                let mut stmt = tx
                    .prepare_cached(
                        "INSERT INTO articles (feed, item_key, key_hash, path, url, title, time_ms, content_hash, \
                         first_seen_at, version_seen_at, revisions, origin) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
                    )
                    .map_err(sql("recording an article"))?;
                stmt.execute(params![
                    a.feed,
                    a.item_key,
                    a.key_hash,
                    a.path,
                    a.url,
                    a.title,
                    a.time_ms,
                    a.content_hash,
                    a.first_seen_at,
                    a.version_seen_at,
                    a.revisions,
                    a.origin.as_str()
                ])
                .map_err(sql("recording an article"))?;
            }
            Change::Revise { article_id, title, url, time_ms, content_hash, seen_at, revision } => {
                tx.prepare_cached(
                    "UPDATE articles SET title = ?2, url = ?3, time_ms = ?4, content_hash = ?5, \
                     version_seen_at = ?6, revisions = revisions + ?7 WHERE id = ?1",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        article_id,
                        title,
                        url,
                        time_ms,
                        content_hash,
                        seen_at,
                        revision.is_some() as i64
                    ])
                })
                .map_err(sql("recording a revision"))?;
                if let Some(revision) = revision {
                    insert_revision(tx, *article_id, revision)?;
                }
            }
            Change::Adopt { article_id, item_key } => {
                tx.prepare_cached("UPDATE articles SET item_key = ?2 WHERE id = ?1")
                    .and_then(|mut s| s.execute(params![article_id, item_key]))
                    .map_err(sql("recording an identity"))?;
            }
            Change::AddRevision { article_id, revision } => {
                tx.prepare_cached("UPDATE articles SET revisions = revisions + 1 WHERE id = ?1")
                    .and_then(|mut s| s.execute([article_id]))
                    .map_err(sql("recording a revision"))?;
                insert_revision(tx, *article_id, revision)?;
            }
        }
    }
    Ok(())
}

fn insert_revision(tx: &Connection, article_id: i64, revision: &crate::RevisionRow) -> Result<()> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO revisions (article_id, path, content_hash, seen_at) VALUES (?1, ?2, ?3, ?4)",
    )
    .and_then(|mut s| s.execute(params![article_id, revision.path, revision.content_hash, revision.seen_at]))
    .map_err(sql("recording a revision"))?;
    Ok(())
}

/// The id SQLite gave the most recent insert (for tests and callers that need it).
impl SqliteStore {
    pub fn last_insert_id(&self) -> i64 {
        self.conn.last_insert_rowid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RevisionRow;

    fn article(feed: &str, key: Option<&str>, path: &str) -> ArticleRow {
        ArticleRow {
            id: 0,
            feed: feed.into(),
            item_key: key.map(Into::into),
            key_hash: Some("abcd1234".into()),
            path: path.into(),
            url: format!("https://e.com/{path}"),
            title: "t".into(),
            time_ms: Some(1),
            content_hash: "h1".into(),
            first_seen_at: 10,
            version_seen_at: 10,
            revisions: 0,
            origin: Origin::Fetch,
        }
    }

    #[test]
    fn migrations_are_idempotent_and_versioned() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.db");
        SqliteStore::open(&path).unwrap();
        let store = SqliteStore::open(&path).unwrap();
        let version: i64 = store.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, migrations::LATEST);
        store.conn.pragma_update(None, "user_version", 99).unwrap();
        drop(store);
        assert!(matches!(SqliteStore::open(&path), Err(StoreError::TooNew { found: 99, .. })));
    }

    #[test]
    fn feed_checks_record_errors_with_since_when() {
        let mut store = SqliteStore::in_memory().unwrap();
        store.ensure_feed("f", "https://e.com/f").unwrap();
        let failure = |error: &str, gone| CheckOutcome::Failure {
            error: error.into(),
            kind: error.into(),
            gone_status: gone,
            next_check_at: 1000,
            gone,
        };
        store.record_check("f", 100, &failure("dns", false)).unwrap();
        store.record_check("f", 200, &failure("timeout", true)).unwrap();
        let state = store.feed("f").unwrap().unwrap();
        assert_eq!((state.last_error.as_deref(), state.error_since), (Some("timeout"), Some(100)));
        assert_eq!((state.failures, state.failure_kind.as_deref(), state.gone_since), (2, Some("timeout"), Some(200)));
        assert_eq!((state.gone_streak, state.gone_streak_since), (1, Some(200)), "only the 404-like answer counts");
        let ok = |items, gap| CheckOutcome::Success {
            title: "F".into(),
            etag: Some("e".into()),
            last_modified: None,
            body_hash: None,
            items,
            next_check_at: 5000,
            gap,
        };
        store.record_check("f", 300, &ok(Some((20, 20)), true)).unwrap();
        let state = store.feed("f").unwrap().unwrap();
        assert_eq!((state.last_error, state.error_since, state.last_success_at), (None, None, Some(300)));
        assert_eq!((state.failures, state.gone_since, state.next_check_at), (0, None, Some(5000)));
        assert_eq!(state.etag.as_deref(), Some("e"));
        assert_eq!(
            (state.gaps, state.last_gap_at, state.last_items, state.last_new_items),
            (1, Some(300), Some(20), Some(20))
        );
        store.record_check("f", 400, &ok(None, false)).unwrap();
        let state = store.feed("f").unwrap().unwrap();
        assert_eq!((state.gaps, state.last_items), (1, Some(20)), "a 304 keeps the last counts");
        store.record_move("f", "https://e.com/new").unwrap();
        let state = store.feed("f").unwrap().unwrap();
        assert_eq!((state.url.as_str(), state.moved_from.as_deref()), ("https://e.com/new", Some("https://e.com/f")));
    }

    #[test]
    fn lookup_by_identity_then_hash_then_url() {
        let mut store = SqliteStore::in_memory().unwrap();
        store
            .apply(&[Change::Insert(article("f", Some("id:1"), "a.md")), Change::Insert(article("f", None, "b.md"))])
            .unwrap();
        let lookup = |key, hash, url| Lookup { feed: "f", item_key: key, key_hash: hash, url };
        let found = |l| store.find_article(l).unwrap().map(|a| a.path);
        assert_eq!(found(lookup("id:1", "zz", "")), Some("a.md".into()));
        assert_eq!(found(lookup("id:2", "abcd1234", "")), Some("b.md".into()), "unknown identity, matching hash");
        assert_eq!(found(lookup("id:2", "zz", "https://e.com/b.md")), Some("b.md".into()), "by URL");
        assert_eq!(found(lookup("id:2", "zz", "https://e.com/a.md")), None, "rows with an identity never match by URL");
        assert_eq!(store.find_article(Lookup { feed: "g", item_key: "id:1", key_hash: "", url: "" }).unwrap(), None);
    }

    #[test]
    fn a_batch_is_atomic() {
        let mut store = SqliteStore::in_memory().unwrap();
        let err = store.apply(&[
            Change::Insert(article("f", Some("id:1"), "a.md")),
            Change::Insert(article("f", Some("id:2"), "a.md")),
        ]);
        assert!(err.is_err(), "duplicate path");
        assert_eq!(store.article_count().unwrap(), 0, "nothing of the failed batch remains");
    }

    #[test]
    fn revisions_update_the_article_and_are_listed() {
        let mut store = SqliteStore::in_memory().unwrap();
        store.apply(&[Change::Insert(article("f", Some("id:1"), "a.md"))]).unwrap();
        let id = store.last_insert_id();
        let revision = RevisionRow { path: "a.revisions/10.md".into(), content_hash: "h1".into(), seen_at: 10 };
        store
            .apply(&[Change::Revise {
                article_id: id,
                title: "t2".into(),
                url: "u".into(),
                time_ms: Some(2),
                content_hash: "h2".into(),
                seen_at: 20,
                revision: Some(revision),
            }])
            .unwrap();
        let row = store.article_by_path("a.md").unwrap().unwrap();
        assert_eq!((row.revisions, row.content_hash.as_str(), row.version_seen_at), (1, "h2", 20));
        assert_eq!(store.revision_paths().unwrap(), ["a.revisions/10.md"]);
        store.replace_articles(&[]).unwrap();
        assert_eq!((store.article_count().unwrap(), store.revision_paths().unwrap().len()), (0, 0));
    }
}
