//! The SQLite implementation of [`Store`]: the one writer of state.db.

use std::path::Path;

use rusqlite::{Connection, params};

use crate::queries::{self, ARTICLE_COLUMNS, article_row, sql};
use crate::{
    ArticleRow, Change, CheckOutcome, FeedState, Lookup, RecordedFile, RemoteState, Result, RevisionRow, Store,
    Unpublished, migrations, publish,
};

/// state.db in SQLite.
pub struct SqliteStore {
    pub(crate) conn: Connection,
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        let conn = Connection::open(path).map_err(sql("opening"))?;
        Self::setup(conn)
    }

    /// True when the database at `path` has an older schema than this build's (a
    /// writer migrates it when it opens).
    pub fn needs_migration(path: &Path) -> Result<bool> {
        let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(sql("opening for reading"))?;
        let version: i64 =
            conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(sql("reading schema version"))?;
        Ok(version < migrations::LATEST)
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

    /// SQLite's plan for `query`, one step a line (tests check indexes are used).
    #[cfg(test)]
    pub(crate) fn query_plan(&self, query: &str) -> String {
        let mut stmt = self.conn.prepare(&format!("EXPLAIN QUERY PLAN {query}")).unwrap();
        let steps: Vec<String> = stmt.query_map([], |r| r.get(3)).unwrap().map(|s| s.unwrap()).collect();
        steps.join("\n")
    }

    /// The connection, for the record kinds kept in modules of their own ([`crate::checks`]).
    pub(crate) fn connection(&mut self) -> &mut Connection {
        &mut self.conn
    }

    /// The id SQLite gave the most recent insert.
    pub fn last_insert_id(&self) -> i64 {
        self.conn.last_insert_rowid()
    }
}

impl Store for SqliteStore {
    fn feeds(&self) -> Result<Vec<FeedState>> {
        queries::feeds(&self.conn, None)
    }

    fn feed(&self, slug: &str) -> Result<Option<FeedState>> {
        Ok(queries::feeds(&self.conn, Some(slug))?.into_iter().next())
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

    fn record_language(&mut self, slug: &str, language: Option<&str>) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE feeds SET language = ?2 WHERE slug = ?1 AND language IS NOT ?2")
            .and_then(|mut s| s.execute(params![slug, language]))
            .map_err(sql("recording a feed's language"))?;
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
                params![slug, at_ms, error, kind.label(), next_check_at, *gone as i64, *gone_status as i64],
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
        queries::arrivals(&self.conn, slug, since_ms)
    }

    fn find_article(&self, lookup: Lookup<'_>) -> Result<Option<ArticleRow>> {
        queries::find_article(&self.conn, lookup)
    }

    fn article_by_path(&self, path: &str) -> Result<Option<ArticleRow>> {
        queries::article_by_path(&self.conn, path)
    }

    fn article_paths(&self) -> Result<Vec<String>> {
        queries::strings(&self.conn, "SELECT path FROM articles ORDER BY path", "listing articles")
    }

    fn revision_paths(&self) -> Result<Vec<String>> {
        queries::strings(&self.conn, "SELECT path FROM revisions ORDER BY path", "listing revisions")
    }

    fn article_count(&self) -> Result<u64> {
        queries::article_count(&self.conn)
    }

    fn apply(&mut self, changes: &[Change]) -> Result<()> {
        let tx = self.conn.transaction().map_err(sql("starting a batch"))?;
        apply_in(&tx, changes)?;
        publish::journal_changes(&tx, changes)?;
        tx.commit().map_err(sql("committing a batch"))
    }

    fn replace_articles(&mut self, changes: &[Change]) -> Result<()> {
        let tx = self.conn.transaction().map_err(sql("starting a rebuild"))?;
        tx.execute_batch("DELETE FROM revisions; DELETE FROM articles;").map_err(sql("clearing articles"))?;
        apply_in(&tx, changes)?;
        tx.commit().map_err(sql("committing a rebuild"))
    }

    fn add_pending(&mut self, feed: &str, paths: &[String], at_ms: i64) -> Result<()> {
        let tx = self.conn.transaction().map_err(sql("journaling files"))?;
        {
            let mut stmt = tx
                .prepare_cached("INSERT OR REPLACE INTO pending_files (path, feed, staged_at) VALUES (?1, ?2, ?3)")
                .map_err(sql("journaling files"))?;
            for path in paths {
                stmt.execute(params![path, feed, at_ms]).map_err(sql("journaling files"))?;
            }
        }
        tx.commit().map_err(sql("journaling files"))
    }

    fn pending(&self) -> Result<Vec<(String, String)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT path, feed FROM pending_files ORDER BY path")
            .map_err(sql("reading the journal"))?;
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .and_then(|rows| rows.collect())
            .map_err(sql("reading the journal"))
    }

    fn clear_pending(&mut self, paths: &[String]) -> Result<()> {
        let tx = self.conn.transaction().map_err(sql("clearing the journal"))?;
        clear_pending_in(&tx, paths.iter().map(String::as_str))?;
        tx.commit().map_err(sql("clearing the journal"))
    }

    fn unindexed(&self, after_id: i64, limit: usize) -> Result<Vec<ArticleRow>> {
        let query =
            format!("SELECT {ARTICLE_COLUMNS} FROM articles WHERE indexed = 0 AND id > ?1 ORDER BY id LIMIT ?2");
        let mut stmt = self.conn.prepare_cached(&query).map_err(sql("listing unindexed articles"))?;
        stmt.query_map(params![after_id, limit as i64], article_row)
            .and_then(|rows| rows.collect())
            .map_err(sql("listing unindexed articles"))
    }

    fn mark_indexed(&mut self, indexed: &[(String, String)]) -> Result<()> {
        let tx = self.conn.transaction().map_err(sql("marking indexed"))?;
        {
            let mut stmt = tx
                .prepare_cached("UPDATE articles SET indexed = 1 WHERE path = ?1 AND content_hash = ?2")
                .map_err(sql("marking indexed"))?;
            for (path, content_hash) in indexed {
                stmt.execute([path, content_hash]).map_err(sql("marking indexed"))?;
            }
        }
        tx.commit().map_err(sql("marking indexed"))
    }

    fn mark_all_unindexed(&mut self) -> Result<()> {
        self.conn.execute("UPDATE articles SET indexed = 0", []).map_err(sql("marking unindexed"))?;
        Ok(())
    }

    fn recorded_files(&self) -> Result<Vec<RecordedFile>> {
        queries::recorded_files(&self.conn)
    }

    fn unhashed_files(&self) -> Result<Vec<String>> {
        queries::strings(
            &self.conn,
            "SELECT path FROM articles WHERE file_hash IS NULL UNION ALL SELECT path FROM revisions WHERE file_hash IS NULL",
            "listing unhashed files",
        )
    }

    fn set_file_hashes(&mut self, hashes: &[(String, String)]) -> Result<()> {
        let tx = self.conn.transaction().map_err(sql("recording file hashes"))?;
        for (path, hash) in hashes {
            for table in ["articles", "revisions"] {
                tx.prepare_cached(&format!("UPDATE {table} SET file_hash = ?2 WHERE path = ?1 AND file_hash IS NULL"))
                    .and_then(|mut s| s.execute(params![path, hash]))
                    .map_err(sql("recording file hashes"))?;
            }
        }
        tx.commit().map_err(sql("recording file hashes"))
    }

    fn add_unpublished(&mut self, files: &[Unpublished]) -> Result<()> {
        publish::add_all(&mut self.conn, files)
    }

    fn unpublished(&self) -> Result<Vec<Unpublished>> {
        publish::unpublished(&self.conn)
    }

    fn clear_unpublished(&mut self, paths: &[String]) -> Result<()> {
        publish::clear(&mut self.conn, paths)
    }

    fn push_remotes(&self) -> Result<Vec<RemoteState>> {
        publish::remotes(&self.conn)
    }

    fn push_remote(&self, url: &str) -> Result<Option<RemoteState>> {
        publish::remote(&self.conn, url)
    }

    fn record_push(&mut self, state: &RemoteState) -> Result<()> {
        publish::record_remote(&self.conn, state)
    }

    fn index_pending(&self) -> Result<Vec<String>> {
        publish::index_pending(&self.conn)
    }

    fn clear_index_pending(&mut self, paths: &[String]) -> Result<()> {
        publish::clear_index_pending(&mut self.conn, paths)
    }

    fn folders_under(&self, prefix: &str) -> Result<Vec<String>> {
        queries::folders_under(&self.conn, prefix)
    }

    fn article_days(&self, prefix: &str) -> Result<Vec<(String, u64)>> {
        queries::article_days(&self.conn, prefix)
    }

    fn articles_in_folder(&self, folder: &str) -> Result<Vec<ArticleRow>> {
        queries::articles_in_folder(&self.conn, folder)
    }
}

fn clear_pending_in<'a>(tx: &Connection, paths: impl IntoIterator<Item = &'a str>) -> Result<()> {
    let mut stmt =
        tx.prepare_cached("DELETE FROM pending_files WHERE path = ?1").map_err(sql("clearing the journal"))?;
    for path in paths {
        stmt.execute([path]).map_err(sql("clearing the journal"))?;
    }
    Ok(())
}

/// Applies changes inside the caller's transaction.
fn apply_in(tx: &Connection, changes: &[Change]) -> Result<()> {
    for change in changes {
        match change {
            Change::Insert(a) => {
                let mut stmt = tx
                    .prepare_cached(
                        "INSERT INTO articles (feed, item_key, key_hash, path, url, title, time_ms, content_hash, \
                         first_seen_at, version_seen_at, revisions, origin, file_hash, link_key, raw_hash) \
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
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
                    a.origin.as_str(),
                    a.file_hash,
                    a.link_key,
                    a.raw_hash,
                ])
                .map_err(sql("recording an article"))?;
                clear_pending_in(tx, [a.path.as_str()])?;
            }
            Change::Revise {
                article_id,
                title,
                url,
                time_ms,
                content_hash,
                seen_at,
                revision,
                file_hash,
                raw_hash,
            } => {
                tx.prepare_cached(
                    "UPDATE articles SET title = ?2, url = ?3, time_ms = ?4, content_hash = ?5, \
                     version_seen_at = ?6, revisions = revisions + ?7, file_hash = ?8, raw_hash = ?9, \
                     indexed = 0 WHERE id = ?1",
                )
                .and_then(|mut s| {
                    s.execute(params![
                        article_id,
                        title,
                        url,
                        time_ms,
                        content_hash,
                        seen_at,
                        revision.is_some() as i64,
                        file_hash,
                        raw_hash,
                    ])
                })
                .map_err(sql("recording a revision"))?;
                let path: String = tx
                    .query_row("SELECT path FROM articles WHERE id = ?1", [article_id], |r| r.get(0))
                    .map_err(sql("recording a revision"))?;
                clear_pending_in(tx, [path.as_str()])?;
                if let Some(revision) = revision {
                    insert_revision(tx, *article_id, revision)?;
                }
            }
            Change::Adopt { article_id, item_key, feed } => {
                tx.prepare_cached("UPDATE articles SET item_key = ?2, feed = COALESCE(?3, feed) WHERE id = ?1")
                    .and_then(|mut s| s.execute(params![article_id, item_key, feed]))
                    .map_err(sql("recording an identity"))?;
            }
            Change::RawSeen { article_id, raw_hash } => {
                tx.prepare_cached("UPDATE articles SET raw_hash = ?2 WHERE id = ?1")
                    .and_then(|mut s| s.execute(params![article_id, raw_hash]))
                    .map_err(sql("recording raw bytes"))?;
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

fn insert_revision(tx: &Connection, article_id: i64, revision: &RevisionRow) -> Result<()> {
    tx.prepare_cached(
        "INSERT OR REPLACE INTO revisions (article_id, path, content_hash, seen_at, file_hash) VALUES (?1, ?2, ?3, ?4, ?5)",
    )
    .and_then(|mut s| {
        s.execute(params![article_id, revision.path, revision.content_hash, revision.seen_at, revision.file_hash])
    })
    .map_err(sql("recording a revision"))?;
    clear_pending_in(tx, [revision.path.as_str()])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ArticleFilter, Origin, RevisionRow, StoreError};
    use feedvault_core::FailureKind;

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
            file_hash: Some("f1".into()),
            link_key: Some(format!("https://e.com/{path}")),
            raw_hash: None,
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
            kind: FailureKind::from_label(error),
            gone_status: gone,
            next_check_at: 1000,
            gone,
        };
        store.record_check("f", 100, &failure("dns", false)).unwrap();
        store.record_check("f", 200, &failure("timeout", true)).unwrap();
        let state = store.feed("f").unwrap().unwrap();
        assert_eq!((state.last_error.as_deref(), state.error_since), (Some("timeout"), Some(100)));
        assert_eq!((state.failures, state.failure_kind, state.gone_since), (2, Some(FailureKind::Timeout), Some(200)));
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
    fn earlier_identities_find_only_rows_without_a_raw_hash() {
        let mut store = SqliteStore::in_memory().unwrap();
        let recorded = ArticleRow { raw_hash: Some("r".into()), ..article("f", Some("id:/b"), "b.md") };
        store.apply(&[Change::Insert(article("f", Some("id:/a"), "a.md")), Change::Insert(recorded)]).unwrap();
        let earlier = |key: &str| {
            let keys = [key.to_owned()];
            let lookup = Lookup {
                feed: "f",
                item_key: "id:https://e.com/x",
                key_hash: "zz",
                url: "",
                link_key: None,
                content_hash: None,
                raw_hash: None,
                earlier_keys: &keys,
            };
            store.find_article(lookup).unwrap().map(|a| a.path)
        };
        assert_eq!(earlier("id:/a"), Some("a.md".into()));
        assert_eq!(earlier("id:/b"), None, "a row with a raw hash was written with today's rules");
        assert_eq!(earlier("id:/c"), None);
    }

    #[test]
    fn lookup_by_identity_then_hash_then_url() {
        let mut store = SqliteStore::in_memory().unwrap();
        store
            .apply(&[Change::Insert(article("f", Some("id:1"), "a.md")), Change::Insert(article("f", None, "b.md"))])
            .unwrap();
        let lookup = |key, hash, url| Lookup {
            feed: "f",
            item_key: key,
            key_hash: hash,
            url,
            link_key: None,
            content_hash: None,
            raw_hash: None,
            earlier_keys: &[],
        };
        let found = |l| store.find_article(l).unwrap().map(|a| a.path);
        assert_eq!(found(lookup("id:1", "zz", "")), Some("a.md".into()));
        assert_eq!(found(lookup("id:2", "abcd1234", "")), Some("b.md".into()), "unknown identity, matching hash");
        assert_eq!(found(lookup("id:2", "zz", "https://e.com/b.md")), Some("b.md".into()), "by URL");
        assert_eq!(found(lookup("id:2", "zz", "https://e.com/a.md")), None, "rows with an identity never match by URL");
        assert_eq!(
            store
                .find_article(Lookup {
                    feed: "g",
                    item_key: "id:1",
                    key_hash: "",
                    url: "",
                    link_key: None,
                    content_hash: None,
                    raw_hash: None,
                    earlier_keys: &[],
                })
                .unwrap(),
            None
        );
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
        let revision =
            RevisionRow { path: "a.revisions/10.md".into(), content_hash: "h1".into(), seen_at: 10, file_hash: None };
        store
            .apply(&[Change::Revise {
                article_id: id,
                title: "t2".into(),
                url: "u".into(),
                time_ms: Some(2),
                content_hash: "h2".into(),
                seen_at: 20,
                revision: Some(revision),
                file_hash: "f2".into(),
                raw_hash: None,
            }])
            .unwrap();
        let row = store.article_by_path("a.md").unwrap().unwrap();
        assert_eq!((row.revisions, row.content_hash.as_str(), row.version_seen_at), (1, "h2", 20));
        assert_eq!(store.revision_paths().unwrap(), ["a.revisions/10.md"]);
        store.replace_articles(&[]).unwrap();
        assert_eq!((store.article_count().unwrap(), store.revision_paths().unwrap().len()), (0, 0));
    }

    #[test]
    fn a_keyset_walk_visits_every_match_once_with_its_revisions() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("state.db");
        let mut store = SqliteStore::open(&db).unwrap();
        let rows: Vec<Change> = (0..7)
            .map(|i| {
                let mut row =
                    article(if i % 2 == 0 { "even" } else { "odd" }, Some(&format!("id:{i}")), &format!("{i}.md"));
                row.time_ms = Some(i * 100);
                Change::Insert(row)
            })
            .collect();
        store.apply(&rows).unwrap();
        let first = store.article_by_path("2.md").unwrap().unwrap().id;
        let revision = |seen_at| RevisionRow {
            path: format!("2.revisions/{seen_at}.md"),
            content_hash: "old".into(),
            seen_at,
            file_hash: None,
        };
        store.apply(&[Change::AddRevision { article_id: first, revision: revision(30) }]).unwrap();
        store.apply(&[Change::AddRevision { article_id: first, revision: revision(20) }]).unwrap();
        let reader = crate::StoreReader::open(&db).unwrap();

        let walk = |filter: &ArticleFilter| {
            let (mut seen, mut after) = (Vec::new(), 0);
            loop {
                let batch = reader.articles_after(filter, after, 2).unwrap();
                let Some(last) = batch.last() else { break };
                after = last.id;
                seen.extend(batch.into_iter().map(|r| r.path));
            }
            seen
        };
        assert_eq!(walk(&ArticleFilter::default()), ["0.md", "1.md", "2.md", "3.md", "4.md", "5.md", "6.md"]);
        let even_since = ArticleFilter { feed: Some("even".into()), since_ms: Some(200), until_ms: None };
        assert_eq!(walk(&even_since), ["2.md", "4.md", "6.md"]);
        let revisions = reader.revisions_of_many(&[first, first + 1]).unwrap();
        let seen: Vec<(i64, i64)> = revisions.iter().map(|(id, r)| (*id, r.seen_at)).collect();
        assert_eq!(seen, [(first, 20), (first, 30)], "oldest first, only the asked articles'");
        assert!(reader.revisions_of_many(&[]).unwrap().is_empty());
    }
}
