//! The read queries, over any connection: the writer's own and the reader pool's
//! share them, so what a reader sees is exactly what the writer would.

use feedvault_core::FailureKind;
use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::{ArticleRow, FeedState, Lookup, Origin, RecordedFile, Result, RevisionRow, StoreError};

pub(crate) fn sql(context: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |source| StoreError::Sqlite { context, source }
}

pub(crate) const ARTICLE_COLUMNS: &str = "id, feed, item_key, key_hash, path, url, title, time_ms, content_hash, \
     first_seen_at, version_seen_at, revisions, origin, file_hash, link_key, raw_hash";

pub(crate) fn article_row(row: &Row<'_>) -> rusqlite::Result<ArticleRow> {
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
        file_hash: row.get(13)?,
        link_key: row.get(14)?,
        raw_hash: row.get(15)?,
    })
}

fn revision_row(row: &Row<'_>, at: usize) -> rusqlite::Result<RevisionRow> {
    Ok(RevisionRow {
        path: row.get(at)?,
        content_hash: row.get(at + 1)?,
        seen_at: row.get(at + 2)?,
        file_hash: row.get(at + 3)?,
    })
}

/// Which articles a listing wants.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArticleFilter {
    pub feed: Option<String>,
    /// T at or after this (ms).
    pub since_ms: Option<i64>,
    /// T before this (ms).
    pub until_ms: Option<i64>,
}

/// The order of a listing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ArticleSort {
    /// By T, newest first (then by path).
    #[default]
    NewestFirst,
    /// By T, oldest first.
    OldestFirst,
}

pub(crate) fn feeds(conn: &Connection, slug: Option<&str>) -> Result<Vec<FeedState>> {
    let filter = if slug.is_some() { "WHERE slug = ?1" } else { "" };
    let query = format!(
        "SELECT slug, url, title, last_checked_at, last_success_at, last_error, error_since, etag, last_modified, \
         body_hash, (SELECT COUNT(*) FROM articles a WHERE a.feed = f.slug), next_check_at, failures, failure_kind, \
         gone_since, moved_from, gaps, last_gap_at, last_items, last_new_items, gone_streak, gone_streak_since, language \
         FROM feeds f {filter} ORDER BY slug"
    );
    let mut stmt = conn.prepare_cached(&query).map_err(sql("reading feeds"))?;
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
            articles: r.get::<_, i64>(10)? as u64,
            next_check_at: r.get(11)?,
            failures: r.get(12)?,
            failure_kind: r.get::<_, Option<String>>(13)?.map(|k| FailureKind::from_label(&k)),
            gone_since: r.get(14)?,
            moved_from: r.get(15)?,
            gaps: r.get(16)?,
            last_gap_at: r.get(17)?,
            last_items: r.get(18)?,
            last_new_items: r.get(19)?,
            gone_streak: r.get(20)?,
            gone_streak_since: r.get(21)?,
            language: r.get(22)?,
        })
    };
    let rows = match slug {
        Some(p) => stmt.query_map([p], map),
        None => stmt.query_map([], map),
    };
    rows.and_then(|rows| rows.collect()).map_err(sql("reading feeds"))
}

pub(crate) fn strings(conn: &Connection, query: &str, context: &'static str) -> Result<Vec<String>> {
    let mut stmt = conn.prepare_cached(query).map_err(sql(context))?;
    stmt.query_map([], |r| r.get(0)).and_then(|rows| rows.collect()).map_err(sql(context))
}

pub(crate) fn arrivals(conn: &Connection, slug: &str, since_ms: i64) -> Result<Vec<i64>> {
    // Articles found by fetching, after the feed's first fetch: the backlog of the
    // first fetch, imports and rebuilt rows say nothing about the rate.
    let mut stmt = conn
        .prepare_cached(
            "SELECT first_seen_at FROM articles WHERE feed = ?1 AND origin = 'fetch' AND first_seen_at >= ?2 \
             AND first_seen_at > (SELECT MIN(first_seen_at) FROM articles WHERE feed = ?1 AND origin = 'fetch')",
        )
        .map_err(sql("reading arrivals"))?;
    stmt.query_map(params![slug, since_ms], |r| r.get(0))
        .and_then(|rows| rows.collect())
        .map_err(sql("reading arrivals"))
}

pub(crate) fn find_article(conn: &Connection, lookup: Lookup<'_>) -> Result<Option<ArticleRow>> {
    let queries = [
        ("WHERE feed = ?1 AND item_key = ?2", lookup.item_key),
        ("WHERE feed = ?1 AND item_key IS NULL AND key_hash = ?2", lookup.key_hash),
        ("WHERE feed = ?1 AND item_key IS NULL AND url = ?2 AND url != ''", lookup.url),
    ];
    for (filter, value) in queries {
        let query = format!("SELECT {ARTICLE_COLUMNS} FROM articles {filter} LIMIT 1");
        let mut stmt = conn.prepare_cached(&query).map_err(sql("finding article"))?;
        if let Some(row) =
            stmt.query_row(params![lookup.feed, value], article_row).optional().map_err(sql("finding article"))?
        {
            return Ok(Some(row));
        }
    }
    // The identity earlier rules gave the item, on a row written before raw hashes.
    for key in lookup.earlier_keys {
        let query = format!(
            "SELECT {ARTICLE_COLUMNS} FROM articles WHERE feed = ?1 AND item_key = ?2 AND raw_hash IS NULL LIMIT 1"
        );
        let mut stmt = conn.prepare_cached(&query).map_err(sql("finding article"))?;
        if let Some(row) =
            stmt.query_row(params![lookup.feed, key], article_row).optional().map_err(sql("finding article"))?
        {
            return Ok(Some(row));
        }
    }
    // The identity an earlier parser read from the same item: the same raw bytes, or
    // the same link with the same text.
    if let Some(raw_hash) = lookup.raw_hash {
        let query = format!("SELECT {ARTICLE_COLUMNS} FROM articles WHERE feed = ?1 AND raw_hash = ?2 LIMIT 1");
        let mut stmt = conn.prepare_cached(&query).map_err(sql("finding article"))?;
        if let Some(row) =
            stmt.query_row(params![lookup.feed, raw_hash], article_row).optional().map_err(sql("finding article"))?
        {
            return Ok(Some(row));
        }
    }
    if let (Some(link_key), Some(content_hash)) = (lookup.link_key, lookup.content_hash) {
        let query = format!(
            "SELECT {ARTICLE_COLUMNS} FROM articles WHERE feed = ?1 AND link_key = ?2 AND content_hash = ?3 LIMIT 1"
        );
        let mut stmt = conn.prepare_cached(&query).map_err(sql("finding article"))?;
        if let Some(row) = stmt
            .query_row(params![lookup.feed, link_key, content_hash], article_row)
            .optional()
            .map_err(sql("finding article"))?
        {
            return Ok(Some(row));
        }
    }
    // An article no subscription owns (imported from another archive, or left by a
    // feed that was removed) belongs to the first subscription that brings its link.
    if let Some(link_key) = lookup.link_key.filter(|k| !k.is_empty()) {
        let query = format!(
            "SELECT {ARTICLE_COLUMNS} FROM articles WHERE link_key = ?1 AND feed != ?2 \
             AND feed NOT IN (SELECT slug FROM feeds) ORDER BY id LIMIT 1"
        );
        let mut stmt = conn.prepare_cached(&query).map_err(sql("finding article"))?;
        return stmt.query_row(params![link_key, lookup.feed], article_row).optional().map_err(sql("finding article"));
    }
    Ok(None)
}

pub(crate) fn article_by_path(conn: &Connection, path: &str) -> Result<Option<ArticleRow>> {
    let query = format!("SELECT {ARTICLE_COLUMNS} FROM articles WHERE path = ?1");
    let mut stmt = conn.prepare_cached(&query).map_err(sql("finding article"))?;
    stmt.query_row([path], article_row).optional().map_err(sql("finding article"))
}

pub(crate) fn article_count(conn: &Connection) -> Result<u64> {
    conn.query_row("SELECT COUNT(*) FROM articles", [], |r| r.get::<_, i64>(0))
        .map(|n| n as u64)
        .map_err(sql("counting articles"))
}

fn filter_clause(filter: &ArticleFilter) -> (String, Vec<rusqlite::types::Value>) {
    use rusqlite::types::Value;
    let mut conditions = Vec::new();
    let mut values = Vec::new();
    if let Some(feed) = &filter.feed {
        values.push(Value::Text(feed.clone()));
        conditions.push(format!("feed = ?{}", values.len()));
    }
    if let Some(since) = filter.since_ms {
        values.push(Value::Integer(since));
        conditions.push(format!("time_ms >= ?{}", values.len()));
    }
    if let Some(until) = filter.until_ms {
        values.push(Value::Integer(until));
        conditions.push(format!("time_ms < ?{}", values.len()));
    }
    let clause = if conditions.is_empty() { String::new() } else { format!("WHERE {}", conditions.join(" AND ")) };
    (clause, values)
}

/// A page of articles and how many match in all.
/// How many articles match `filter`.
pub(crate) fn articles_count(conn: &Connection, filter: &ArticleFilter) -> Result<u64> {
    let (clause, values) = filter_clause(filter);
    conn.prepare_cached(&format!("SELECT COUNT(*) FROM articles {clause}"))
        .and_then(|mut s| s.query_row(rusqlite::params_from_iter(values.iter()), |r| r.get::<_, i64>(0)))
        .map(|n| n as u64)
        .map_err(sql("counting articles"))
}

/// A page of the articles that match `filter` (`offset`, `limit`).
pub(crate) fn articles_page(
    conn: &Connection,
    filter: &ArticleFilter,
    sort: ArticleSort,
    offset: usize,
    limit: usize,
) -> Result<Vec<ArticleRow>> {
    let (clause, mut values) = filter_clause(filter);
    let order = match sort {
        ArticleSort::NewestFirst => "time_ms DESC, path ASC",
        ArticleSort::OldestFirst => "time_ms ASC, path ASC",
    };
    values.push(rusqlite::types::Value::Integer(limit as i64));
    values.push(rusqlite::types::Value::Integer(offset as i64));
    let (l, o) = (values.len() - 1, values.len());
    let query = format!("SELECT {ARTICLE_COLUMNS} FROM articles {clause} ORDER BY {order} LIMIT ?{l} OFFSET ?{o}");
    let mut stmt = conn.prepare_cached(&query).map_err(sql("listing articles"))?;
    stmt.query_map(rusqlite::params_from_iter(values.iter()), article_row)
        .and_then(|rows| rows.collect())
        .map_err(sql("listing articles"))
}

/// Up to `limit` articles with an id above `after_id` that match, by id: one step of
/// a keyset walk over the whole archive (each step costs the same however far in).
pub(crate) fn articles_after(
    conn: &Connection,
    filter: &ArticleFilter,
    after_id: i64,
    limit: usize,
) -> Result<Vec<ArticleRow>> {
    let (clause, mut values) = filter_clause(filter);
    values.push(rusqlite::types::Value::Integer(after_id));
    let after = values.len();
    values.push(rusqlite::types::Value::Integer(limit as i64));
    let l = values.len();
    let joined = if clause.is_empty() { "WHERE" } else { " AND" };
    let query = format!("SELECT {ARTICLE_COLUMNS} FROM articles {clause}{joined} id > ?{after} ORDER BY id LIMIT ?{l}");
    let mut stmt = conn.prepare_cached(&query).map_err(sql("walking articles"))?;
    stmt.query_map(rusqlite::params_from_iter(values.iter()), article_row)
        .and_then(|rows| rows.collect())
        .map_err(sql("walking articles"))
}

/// The revisions of several articles: (article id, revision), by article id, then
/// oldest first.
pub(crate) fn revisions_of_many(conn: &Connection, article_ids: &[i64]) -> Result<Vec<(i64, RevisionRow)>> {
    if article_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; article_ids.len()].join(", ");
    let query = format!(
        "SELECT article_id, path, content_hash, seen_at, file_hash FROM revisions WHERE article_id IN ({marks}) \
         ORDER BY article_id, seen_at, path"
    );
    let mut stmt = conn.prepare(&query).map_err(sql("listing revisions"))?;
    stmt.query_map(rusqlite::params_from_iter(article_ids.iter()), |r| Ok((r.get(0)?, revision_row(r, 1)?)))
        .and_then(|rows| rows.collect())
        .map_err(sql("listing revisions"))
}

/// The T of the nearest article before `before_ms` and at or after `after_ms`
/// (for previous/next day links).
pub(crate) fn neighbour_times(
    conn: &Connection,
    feed: Option<&str>,
    before_ms: i64,
    after_ms: i64,
) -> Result<(Option<i64>, Option<i64>)> {
    let feed_clause = if feed.is_some() { "AND feed = ?2" } else { "" };
    let one = |query: String, at: i64| -> Result<Option<i64>> {
        let mut stmt = conn.prepare_cached(&query).map_err(sql("finding neighbours"))?;
        let value = match feed {
            Some(f) => stmt.query_row(params![at, f], |r| r.get::<_, Option<i64>>(0)),
            None => stmt.query_row(params![at], |r| r.get::<_, Option<i64>>(0)),
        };
        value.map_err(sql("finding neighbours"))
    };
    let previous = one(format!("SELECT MAX(time_ms) FROM articles WHERE time_ms < ?1 {feed_clause}"), before_ms)?;
    let next = one(format!("SELECT MIN(time_ms) FROM articles WHERE time_ms >= ?1 {feed_clause}"), after_ms)?;
    Ok((previous, next))
}

pub(crate) fn revisions_of(conn: &Connection, article_id: i64) -> Result<Vec<RevisionRow>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT path, content_hash, seen_at, file_hash FROM revisions WHERE article_id = ?1 ORDER BY seen_at",
        )
        .map_err(sql("listing revisions"))?;
    stmt.query_map([article_id], |r| revision_row(r, 0))
        .and_then(|rows| rows.collect())
        .map_err(sql("listing revisions"))
}

/// The most recent revisions across the vault, newest first, with their articles.
pub(crate) fn recent_revisions(
    conn: &Connection,
    offset: usize,
    limit: usize,
) -> Result<Vec<(ArticleRow, RevisionRow)>> {
    let columns: String = ARTICLE_COLUMNS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", ");
    let query = format!(
        "SELECT {columns}, r.path, r.content_hash, r.seen_at, r.file_hash FROM revisions r \
         JOIN articles a ON a.id = r.article_id ORDER BY r.seen_at DESC, r.path LIMIT ?1 OFFSET ?2"
    );
    let mut stmt = conn.prepare_cached(&query).map_err(sql("listing revisions"))?;
    stmt.query_map(params![limit as i64, offset as i64], |r| Ok((article_row(r)?, revision_row(r, 16)?)))
        .and_then(|rows| rows.collect())
        .map_err(sql("listing revisions"))
}

/// When the newest version of any article was first seen (ms); revisions are older.
pub(crate) fn last_version_seen_at(conn: &Connection) -> Result<Option<i64>> {
    conn.query_row("SELECT MAX(version_seen_at) FROM articles", [], |r| r.get(0)).map_err(sql("reading the last time"))
}

pub(crate) fn revision_count(conn: &Connection) -> Result<u64> {
    conn.query_row("SELECT COUNT(*) FROM revisions", [], |r| r.get::<_, i64>(0))
        .map(|n| n as u64)
        .map_err(sql("counting revisions"))
}

pub(crate) fn recorded_files(conn: &Connection) -> Result<Vec<RecordedFile>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT path, file_hash FROM articles UNION ALL SELECT path, file_hash FROM revisions ORDER BY 1",
        )
        .map_err(sql("listing files"))?;
    stmt.query_map([], |r| Ok(RecordedFile { path: r.get(0)?, file_hash: r.get(1)? }))
        .and_then(|rows| rows.collect())
        .map_err(sql("listing files"))
}

// Folders of article paths, for the dated layout's README indexes. Every query is a
// range over the unique index on `path` (a folder's paths sort together), so none
// reads more than the folder it asks about.

/// The first path after every path that starts with `prefix` (which ends with `/`,
/// the byte before `0`).
fn folder_end(prefix: &str) -> String {
    let stem = prefix.strip_suffix('/').unwrap_or(prefix);
    format!("{stem}0")
}

/// `prefix` with a final `/`.
fn as_folder(prefix: &str) -> String {
    if prefix.ends_with('/') { prefix.to_owned() } else { format!("{prefix}/") }
}

/// The distinct folders directly under `prefix` that hold article paths, in byte
/// order: one index seek per folder, whatever the number of articles.
pub(crate) fn folders_under(conn: &Connection, prefix: &str) -> Result<Vec<String>> {
    let prefix = as_folder(prefix);
    let end = folder_end(&prefix);
    let mut stmt = conn
        .prepare_cached("SELECT path FROM articles WHERE path > ?1 AND path < ?2 ORDER BY path LIMIT 1")
        .map_err(sql("listing folders"))?;
    let mut folders = Vec::new();
    let mut cursor = prefix.clone();
    while let Some(path) =
        stmt.query_row(params![cursor, end], |r| r.get::<_, String>(0)).optional().map_err(sql("listing folders"))?
    {
        let rest = &path[prefix.len()..];
        cursor = match rest.find('/') {
            Some(at) => {
                folders.push(rest[..at].to_owned());
                format!("{prefix}{}0", &rest[..at])
            }
            // A file directly under the prefix: step over it.
            None => path,
        };
    }
    // Paths sort `nyt-x/` before `nyt/` (`-` < `/`); folder names sort the other way.
    folders.sort();
    Ok(folders)
}

/// Articles per day folder under `prefix` (`archive/<feed>/`): (`YYYY/MM/DD`, count)
/// for the paths `<prefix>YYYY/MM/DD/<file>`, by day. Other paths are not counted.
pub(crate) fn article_days(conn: &Connection, prefix: &str) -> Result<Vec<(String, u64)>> {
    let prefix = as_folder(prefix);
    // substr counts characters, and folder names need not be ASCII.
    let day_at = prefix.chars().count() as i64 + 1;
    let mut stmt = conn
        .prepare_cached(
            "SELECT substr(path, ?3, 10) AS day, COUNT(*) FROM articles WHERE path > ?1 AND path < ?2 \
             AND substr(path, ?3 + 10, 1) = '/' AND instr(substr(path, ?3 + 11), '/') = 0 \
             GROUP BY day ORDER BY day",
        )
        .map_err(sql("counting articles by day"))?;
    let rows: Vec<(String, i64)> = stmt
        .query_map(params![prefix, folder_end(&prefix), day_at], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|rows| rows.collect())
        .map_err(sql("counting articles by day"))?;
    Ok(rows.into_iter().filter(|(day, _)| is_day_folder(day)).map(|(day, n)| (day, n as u64)).collect())
}

/// `YYYY/MM/DD` in digits.
fn is_day_folder(day: &str) -> bool {
    let b = day.as_bytes();
    b.len() == 10
        && b[4] == b'/'
        && b[7] == b'/'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

/// The articles whose files are directly in `folder` (not in a subfolder), by path.
pub(crate) fn articles_in_folder(conn: &Connection, folder: &str) -> Result<Vec<ArticleRow>> {
    let folder = as_folder(folder);
    let name_at = folder.chars().count() as i64 + 1;
    let query = format!(
        "SELECT {ARTICLE_COLUMNS} FROM articles WHERE path > ?1 AND path < ?2 \
         AND instr(substr(path, ?3), '/') = 0 ORDER BY path"
    );
    let mut stmt = conn.prepare_cached(&query).map_err(sql("listing a folder's articles"))?;
    stmt.query_map(params![folder, folder_end(&folder), name_at], article_row)
        .and_then(|rows| rows.collect())
        .map_err(sql("listing a folder's articles"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Change, SqliteStore, Store};

    fn insert(store: &mut SqliteStore, paths: &[&str]) {
        let rows: Vec<Change> = paths
            .iter()
            .map(|path| {
                Change::Insert(ArticleRow {
                    id: 0,
                    feed: "f".into(),
                    item_key: None,
                    key_hash: None,
                    path: (*path).into(),
                    url: String::new(),
                    title: (*path).into(),
                    time_ms: Some(1),
                    content_hash: "h".into(),
                    first_seen_at: 1,
                    version_seen_at: 1,
                    revisions: 0,
                    origin: Origin::Fetch,
                    file_hash: None,
                    link_key: None,
                    raw_hash: None,
                })
            })
            .collect();
        store.apply(&rows).unwrap();
    }

    fn vault() -> SqliteStore {
        let mut store = SqliteStore::in_memory().unwrap();
        insert(
            &mut store,
            &[
                "archive/nyt/2024/01/02/a.md",
                "archive/nyt/2024/01/02/b.md",
                "archive/nyt/2024/01/02/b.revisions/1.md",
                "archive/nyt/2024/02/10/c.md",
                "archive/nyt/loose.md",
                "archive/nyt0/2024/01/02/d.md",
                "archive/nyt-x/2024/01/02/d.md",
                "archive/纽约时报/2023/12/31/e.md",
                "archive/top.md",
                "articles/nyt/1048575.md",
            ],
        );
        store
    }

    #[test]
    fn folders_are_found_by_seeking() {
        let store = vault();
        assert_eq!(store.folders_under("archive/").unwrap(), ["nyt", "nyt-x", "nyt0", "纽约时报"]);
        assert_eq!(
            store.folders_under("archive").unwrap(),
            ["nyt", "nyt-x", "nyt0", "纽约时报"],
            "the slash is optional"
        );
        assert_eq!(store.folders_under("archive/nyt/").unwrap(), ["2024"]);
        assert!(store.folders_under("nothing/").unwrap().is_empty());
    }

    #[test]
    fn days_count_only_files_of_day_folders() {
        let store = vault();
        assert_eq!(
            store.article_days("archive/nyt/").unwrap(),
            [("2024/01/02".to_owned(), 2), ("2024/02/10".to_owned(), 1)],
            "a revision path is not an article row, and loose.md is in no day"
        );
        assert_eq!(store.article_days("archive/纽约时报").unwrap(), [("2023/12/31".to_owned(), 1)]);
        assert!(store.article_days("archive/none/").unwrap().is_empty());
    }

    #[test]
    fn a_folders_articles_are_its_own_files_only() {
        let mut store = vault();
        insert(&mut store, &["archive/nyt/2024/01/02/sub/deeper.md"]);
        let paths: Vec<String> =
            store.articles_in_folder("archive/nyt/2024/01/02/").unwrap().into_iter().map(|a| a.path).collect();
        assert_eq!(paths, ["archive/nyt/2024/01/02/a.md", "archive/nyt/2024/01/02/b.md"]);
        let chinese = store.articles_in_folder("archive/纽约时报/2023/12/31").unwrap();
        assert_eq!(chinese.len(), 1);
    }

    #[test]
    fn folder_queries_use_the_path_index() {
        let store = SqliteStore::in_memory().unwrap();
        for query in [
            "SELECT path FROM articles WHERE path > 'a/' AND path < 'a0' ORDER BY path LIMIT 1",
            "SELECT substr(path, 3, 10) AS day, COUNT(*) FROM articles WHERE path > 'a/' AND path < 'a0' GROUP BY day",
            "SELECT * FROM articles WHERE path > 'a/' AND path < 'a0' ORDER BY path",
        ] {
            let plan = store.query_plan(query);
            assert!(plan.contains("USING") && plan.contains("INDEX") && plan.contains("path>?"), "{query}: {plan}");
        }
    }
}
