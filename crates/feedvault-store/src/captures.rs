//! Raw captures in state.db: one row per kept response ([`CaptureRow`]) and the
//! article versions each produced ([`CaptureLink`]). Written by the one writer
//! ([`SqliteStore`]), read from anywhere ([`StoreReader`]). Derived like the rest of
//! state.db: the vault's capture records file is the source `reindex` rebuilds from.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::queries::sql;
use crate::{Result, SqliteStore, StoreReader};

/// One kept response (also a line of `captures/records.jsonl`, with its versions).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CaptureRow {
    pub id: String,
    /// `feed` (a feed document) or `page` (an item's page, for its full text).
    pub kind: String,
    pub request_url: String,
    pub final_url: String,
    /// ms.
    pub fetched_at: i64,
    pub http_version: String,
    pub status: u16,
    pub reason: String,
    /// `Name: value` lines (LF-separated), secrets redacted.
    pub request_headers: String,
    pub response_headers: String,
    /// SHA-256 (hex) of the body as received.
    pub body_hash: String,
    pub body_length: u64,
    pub media_type: Option<String>,
}

/// An article version a capture produced: the article's path and the time the version
/// was first seen.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CaptureLink {
    pub article_path: String,
    pub seen_at: i64,
}

const COLUMNS: &str = "id, kind, request_url, final_url, fetched_at, http_version, status, reason, \
    request_headers, response_headers, body_hash, body_length, media_type";

fn capture_row(row: &Row<'_>) -> rusqlite::Result<CaptureRow> {
    capture_row_at(row, 0)
}

fn insert(conn: &Connection, capture: &CaptureRow, links: &[CaptureLink]) -> Result<()> {
    conn.prepare_cached(&format!(
        "INSERT OR IGNORE INTO captures ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
    ))
    .and_then(|mut stmt| {
        stmt.execute(params![
            capture.id,
            capture.kind,
            capture.request_url,
            capture.final_url,
            capture.fetched_at,
            capture.http_version,
            capture.status,
            capture.reason,
            capture.request_headers,
            capture.response_headers,
            capture.body_hash,
            capture.body_length as i64,
            capture.media_type,
        ])
    })
    .map_err(sql("recording a capture"))?;
    let mut stmt = conn
        .prepare_cached("INSERT OR IGNORE INTO capture_links (capture_id, article_path, seen_at) VALUES (?1, ?2, ?3)")
        .map_err(sql("linking a capture"))?;
    for link in links {
        stmt.execute(params![capture.id, link.article_path, link.seen_at]).map_err(sql("linking a capture"))?;
    }
    Ok(())
}

impl SqliteStore {
    /// Records a kept response and the versions it produced (again: nothing new).
    pub fn record_capture(&mut self, capture: &CaptureRow, links: &[CaptureLink]) -> Result<()> {
        let tx = self.conn.transaction().map_err(sql("starting a capture"))?;
        insert(&tx, capture, links)?;
        tx.commit().map_err(sql("committing a capture"))
    }

    /// Forgets every capture record and records `captures` instead, in one transaction.
    pub fn replace_captures(&mut self, captures: &[(CaptureRow, Vec<CaptureLink>)]) -> Result<()> {
        let tx = self.conn.transaction().map_err(sql("starting a capture rebuild"))?;
        tx.execute_batch("DELETE FROM capture_links; DELETE FROM captures;").map_err(sql("clearing captures"))?;
        for (capture, links) in captures {
            insert(&tx, capture, links)?;
        }
        tx.commit().map_err(sql("committing a capture rebuild"))
    }

    /// Captures recorded (for tests and reports).
    pub fn capture_count(&self) -> Result<u64> {
        self.conn
            .query_row("SELECT COUNT(*) FROM captures", [], |r| r.get::<_, i64>(0))
            .map(|n| n.max(0) as u64)
            .map_err(sql("counting captures"))
    }
}

impl StoreReader {
    /// The captures an article's versions came from: (version seen_at, capture), oldest
    /// version first.
    pub fn captures_of(&self, article_path: &str) -> Result<Vec<(i64, CaptureRow)>> {
        self.with(|conn| {
            let columns = COLUMNS.split(", ").map(|c| format!("c.{c}")).collect::<Vec<_>>().join(", ");
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT l.seen_at, {columns} FROM capture_links l JOIN captures c ON c.id = l.capture_id \
                     WHERE l.article_path = ?1 ORDER BY l.seen_at, c.fetched_at, c.id"
                ))
                .map_err(sql("reading an article's captures"))?;
            let rows = stmt
                .query_map([article_path], |row| {
                    let seen_at: i64 = row.get(0)?;
                    // The capture's columns follow the link's.
                    Ok((seen_at, capture_row_at(row, 1)?))
                })
                .map_err(sql("reading an article's captures"))?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql("reading an article's captures"))
        })
    }

    /// One capture by id.
    pub fn capture(&self, id: &str) -> Result<Option<CaptureRow>> {
        self.with(|conn| {
            conn.query_row(&format!("SELECT {COLUMNS} FROM captures WHERE id = ?1"), [id], capture_row)
                .optional()
                .map_err(sql("reading a capture"))
        })
    }

    /// Every capture, oldest first (ties by id), a page at a time after `after`
    /// (fetched_at, id).
    pub fn captures_after(&self, after: Option<(i64, &str)>, limit: usize) -> Result<Vec<CaptureRow>> {
        let (at, id) = after.unwrap_or((i64::MIN, ""));
        self.with(|conn| {
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {COLUMNS} FROM captures WHERE (fetched_at, id) > (?1, ?2) \
                     ORDER BY fetched_at, id LIMIT ?3"
                ))
                .map_err(sql("listing captures"))?;
            let rows = stmt.query_map(params![at, id, limit as i64], capture_row).map_err(sql("listing captures"))?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql("listing captures"))
        })
    }

    /// The versions a capture produced.
    pub fn capture_links(&self, capture_id: &str) -> Result<Vec<CaptureLink>> {
        self.with(|conn| {
            let mut stmt = conn
                .prepare_cached(
                    "SELECT article_path, seen_at FROM capture_links WHERE capture_id = ?1 \
                     ORDER BY article_path, seen_at",
                )
                .map_err(sql("reading a capture's links"))?;
            let rows = stmt
                .query_map([capture_id], |r| Ok(CaptureLink { article_path: r.get(0)?, seen_at: r.get(1)? }))
                .map_err(sql("reading a capture's links"))?;
            rows.collect::<rusqlite::Result<Vec<_>>>().map_err(sql("reading a capture's links"))
        })
    }
}

/// [`capture_row`] over the columns starting at `from`.
fn capture_row_at(row: &Row<'_>, from: usize) -> rusqlite::Result<CaptureRow> {
    Ok(CaptureRow {
        id: row.get(from)?,
        kind: row.get(from + 1)?,
        request_url: row.get(from + 2)?,
        final_url: row.get(from + 3)?,
        fetched_at: row.get(from + 4)?,
        http_version: row.get(from + 5)?,
        status: row.get(from + 6)?,
        reason: row.get(from + 7)?,
        request_headers: row.get(from + 8)?,
        response_headers: row.get(from + 9)?,
        body_hash: row.get(from + 10)?,
        body_length: row.get::<_, i64>(from + 11)?.max(0) as u64,
        media_type: row.get(from + 12)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(id: &str, at: i64) -> CaptureRow {
        CaptureRow {
            id: id.into(),
            kind: "feed".into(),
            request_url: "http://e.org/feed".into(),
            final_url: "http://e.org/feed".into(),
            fetched_at: at,
            http_version: "HTTP/1.1".into(),
            status: 200,
            reason: "OK".into(),
            request_headers: "accept: */*".into(),
            response_headers: "content-type: text/xml".into(),
            body_hash: "ab".repeat(32),
            body_length: 10,
            media_type: Some("text/xml".into()),
        }
    }

    #[test]
    fn captures_are_recorded_linked_listed_and_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("state.db");
        let mut store = SqliteStore::open(&db).unwrap();
        let link = |p: &str, at| CaptureLink { article_path: p.into(), seen_at: at };
        store.record_capture(&sample("b", 2), &[link("archive/a.md", 2), link("archive/b.md", 2)]).unwrap();
        store.record_capture(&sample("a", 1), &[link("archive/a.md", 1)]).unwrap();
        // Recording the same capture again adds nothing.
        store.record_capture(&sample("a", 1), &[link("archive/a.md", 1)]).unwrap();
        assert_eq!(store.capture_count().unwrap(), 2);
        let reader = StoreReader::open(&db).unwrap();
        let of_a = reader.captures_of("archive/a.md").unwrap();
        assert_eq!(of_a.iter().map(|(at, c)| (*at, c.id.as_str())).collect::<Vec<_>>(), [(1, "a"), (2, "b")]);
        assert_eq!(of_a[0].1, sample("a", 1));
        assert_eq!(reader.capture("b").unwrap(), Some(sample("b", 2)));
        assert_eq!(reader.capture("zz").unwrap(), None);
        let all: Vec<String> = reader.captures_after(None, 10).unwrap().into_iter().map(|c| c.id).collect();
        assert_eq!(all, ["a", "b"]);
        let rest = reader.captures_after(Some((1, "a")), 10).unwrap();
        assert_eq!(rest.len(), 1);
        assert_eq!(reader.capture_links("b").unwrap().len(), 2);
        store.replace_captures(&[(sample("c", 3), vec![link("archive/c.md", 3)])]).unwrap();
        assert_eq!(store.capture_count().unwrap(), 1);
        assert!(reader.captures_of("archive/a.md").unwrap().is_empty());
        assert_eq!(reader.capture_links("c").unwrap(), [link("archive/c.md", 3)]);
    }
}
