//! The re-check records: each archived article's next check of its page, what the
//! checks said so far (the gone streak, removal, vanishing from the feed), the
//! evidence of every answer that counts, and each feed's last window of items.
//!
//! What follows from an answer is decided by the engine; this module stores it.
//! The evidence rows are derived too: the engine appends them to a file in the
//! vault, and [`SqliteStore::replay_evidence`] rebuilds the records from it.

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::queries::{ARTICLE_COLUMNS, article_row, sql};
use crate::{ArticleRow, Result, SqliteStore, StoreReader};

/// An article whose page is due for a check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DueCheck {
    pub article_id: i64,
    pub feed: String,
    pub path: String,
    pub url: String,
    pub title: String,
    pub first_seen_at: i64,
    pub content_hash: String,
    pub item_key: Option<String>,
    pub state: CheckState,
}

/// What the checks of one article said so far.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckState {
    /// The next scheduled check (an index into the schedule).
    pub step: u32,
    pub next_at: Option<i64>,
    pub last_at: Option<i64>,
    pub last_verdict: Option<String>,
    /// SHA-256 of the page's normalized article text when it was last read.
    pub page_text_hash: Option<String>,
    /// Gone answers since the last answer that found the article there.
    pub gone_count: u32,
    pub gone_since: Option<i64>,
    pub removed_at: Option<i64>,
    pub vanished_at: Option<i64>,
}

/// One piece of evidence: an answer that counts, or an observation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvidenceRow {
    pub at: i64,
    /// `gone`, `there`, `changed`, `removed` or `vanished`.
    pub kind: String,
    pub status: Option<u16>,
    pub final_url: Option<String>,
    /// `Name: value` lines.
    pub headers: String,
    pub body_hash: Option<String>,
    /// For `changed`: the content hash of the revision it made.
    pub content_hash: Option<String>,
    pub detail: String,
}

/// The outcome of one check, to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckUpdate {
    pub article_id: i64,
    pub state: CheckState,
    pub evidence: Vec<EvidenceRow>,
}

/// An item of a feed's last document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowItem {
    pub item_key: String,
    /// Its place in the document (0: first).
    pub position: u32,
    pub time_ms: Option<i64>,
}

/// An article marked removed or vanished from its feed, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlaggedArticle {
    pub article: ArticleRow,
    pub state: CheckState,
    /// Oldest first.
    pub evidence: Vec<EvidenceRow>,
}

const STATE_COLUMNS: &str = "c.step, c.next_at, c.last_at, c.last_verdict, c.page_text_hash, c.gone_count, \
     c.gone_since, c.removed_at, c.vanished_at";

fn state_row(row: &Row<'_>, at: usize) -> rusqlite::Result<CheckState> {
    Ok(CheckState {
        step: row.get(at)?,
        next_at: row.get(at + 1)?,
        last_at: row.get(at + 2)?,
        last_verdict: row.get(at + 3)?,
        page_text_hash: row.get(at + 4)?,
        gone_count: row.get(at + 5)?,
        gone_since: row.get(at + 6)?,
        removed_at: row.get(at + 7)?,
        vanished_at: row.get(at + 8)?,
    })
}

const EVIDENCE_COLUMNS: &str = "at, kind, status, final_url, headers, body_hash, content_hash, detail";

fn evidence_row(row: &Row<'_>) -> rusqlite::Result<EvidenceRow> {
    Ok(EvidenceRow {
        at: row.get(0)?,
        kind: row.get(1)?,
        status: row.get(2)?,
        final_url: row.get(3)?,
        headers: row.get(4)?,
        body_hash: row.get(5)?,
        content_hash: row.get(6)?,
        detail: row.get(7)?,
    })
}

fn insert_evidence(conn: &Connection, article_id: i64, rows: &[EvidenceRow]) -> Result<()> {
    let mut stmt = conn
        .prepare_cached(
            "INSERT INTO check_evidence (article_id, at, kind, status, final_url, headers, body_hash, content_hash, \
             detail) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )
        .map_err(sql("recording evidence"))?;
    for e in rows {
        stmt.execute(params![
            article_id,
            e.at,
            e.kind,
            e.status,
            e.final_url,
            e.headers,
            e.body_hash,
            e.content_hash,
            e.detail
        ])
        .map_err(sql("recording evidence"))?;
    }
    Ok(())
}

impl SqliteStore {
    /// Gives every article without a check schedule one: its first check is due
    /// `first_after_ms` after it was first seen. Returns how many were scheduled.
    pub fn schedule_new_checks(&mut self, first_after_ms: i64) -> Result<usize> {
        self.connection()
            .execute(
                "INSERT INTO article_checks (article_id, step, next_at) SELECT a.id, 0, a.first_seen_at + ?1 \
                 FROM articles a WHERE NOT EXISTS (SELECT 1 FROM article_checks c WHERE c.article_id = a.id)",
                [first_after_ms],
            )
            .map_err(sql("scheduling checks"))
    }

    /// Up to `limit` checks due at `now_ms` of articles of `feeds`, the longest
    /// due first.
    pub fn due_checks(&mut self, now_ms: i64, feeds: &[String], limit: usize) -> Result<Vec<DueCheck>> {
        let feeds = feeds_json(feeds);
        let conn = self.connection();
        let mut stmt = conn.prepare_cached(&due_query()).map_err(sql("reading due checks"))?;
        stmt.query_map(params![now_ms, feeds, limit as i64], |r| {
            Ok(DueCheck {
                article_id: r.get(0)?,
                feed: r.get(1)?,
                path: r.get(2)?,
                url: r.get(3)?,
                title: r.get(4)?,
                first_seen_at: r.get(5)?,
                content_hash: r.get(6)?,
                item_key: r.get(7)?,
                state: state_row(r, 8)?,
            })
        })
        .map_err(sql("reading due checks"))?
        .collect::<rusqlite::Result<_>>()
        .map_err(sql("reading due checks"))
    }

    /// Records checks' outcomes and their evidence, in one transaction.
    pub fn record_checks(&mut self, updates: &[CheckUpdate]) -> Result<()> {
        let tx = self.connection().transaction().map_err(sql("recording checks"))?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT INTO article_checks (article_id, step, next_at, last_at, last_verdict, page_text_hash, \
                     gone_count, gone_since, removed_at, vanished_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
                     ON CONFLICT(article_id) DO UPDATE SET step = ?2, next_at = ?3, last_at = ?4, last_verdict = ?5, \
                     page_text_hash = ?6, gone_count = ?7, gone_since = ?8, removed_at = ?9, vanished_at = ?10",
                )
                .map_err(sql("recording checks"))?;
            for update in updates {
                let s = &update.state;
                stmt.execute(params![
                    update.article_id,
                    s.step,
                    s.next_at,
                    s.last_at,
                    s.last_verdict,
                    s.page_text_hash,
                    s.gone_count,
                    s.gone_since,
                    s.removed_at,
                    s.vanished_at
                ])
                .map_err(sql("recording checks"))?;
                insert_evidence(&tx, update.article_id, &update.evidence)?;
            }
        }
        tx.commit().map_err(sql("recording checks"))
    }

    /// Marks an article vanished from its feed (once; later observations only add
    /// evidence) and records the observation.
    pub fn mark_vanished(&mut self, article_id: i64, evidence: &EvidenceRow) -> Result<()> {
        let tx = self.connection().transaction().map_err(sql("recording a vanished article"))?;
        tx.execute(
            "INSERT INTO article_checks (article_id, vanished_at) VALUES (?1, ?2) \
             ON CONFLICT(article_id) DO UPDATE SET vanished_at = COALESCE(vanished_at, ?2)",
            params![article_id, evidence.at],
        )
        .map_err(sql("recording a vanished article"))?;
        insert_evidence(&tx, article_id, std::slice::from_ref(evidence))?;
        tx.commit().map_err(sql("recording a vanished article"))
    }

    /// Records one piece of evidence read back from the vault's evidence file, with
    /// what it says about the article: a gone answer continues the streak, an answer
    /// that found the article there ends it (and a removal), a removal or a
    /// vanishing marks the article. `due_at_ms`: when its next check is due, if it
    /// had no schedule.
    pub fn replay_evidence(&mut self, article_id: i64, evidence: &EvidenceRow, due_at_ms: i64) -> Result<()> {
        let tx = self.connection().transaction().map_err(sql("restoring evidence"))?;
        tx.execute(
            "INSERT OR IGNORE INTO article_checks (article_id, step, next_at) VALUES (?1, 0, ?2)",
            params![article_id, due_at_ms],
        )
        .map_err(sql("restoring evidence"))?;
        let update = match evidence.kind.as_str() {
            "gone" => {
                "UPDATE article_checks SET gone_count = gone_count + 1, gone_since = COALESCE(gone_since, ?2), \
                 last_at = ?2, last_verdict = 'gone' WHERE article_id = ?1"
            }
            "there" | "changed" => {
                "UPDATE article_checks SET gone_count = 0, gone_since = NULL, removed_at = NULL, last_at = ?2 \
                 WHERE article_id = ?1"
            }
            "removed" => "UPDATE article_checks SET removed_at = ?2, next_at = NULL WHERE article_id = ?1",
            "vanished" => "UPDATE article_checks SET vanished_at = COALESCE(vanished_at, ?2) WHERE article_id = ?1",
            _ => "SELECT ?1, ?2 WHERE 0",
        };
        tx.execute(update, params![article_id, evidence.at]).map_err(sql("restoring evidence"))?;
        insert_evidence(&tx, article_id, std::slice::from_ref(evidence))?;
        tx.commit().map_err(sql("restoring evidence"))
    }

    /// The items of a feed's last document, in document order.
    pub fn feed_window(&mut self, feed: &str) -> Result<Vec<WindowItem>> {
        let conn = self.connection();
        let mut stmt = conn
            .prepare_cached("SELECT item_key, position, time_ms FROM feed_windows WHERE feed = ?1 ORDER BY position")
            .map_err(sql("reading a feed's window"))?;
        stmt.query_map([feed], |r| Ok(WindowItem { item_key: r.get(0)?, position: r.get(1)?, time_ms: r.get(2)? }))
            .map_err(sql("reading a feed's window"))?
            .collect::<rusqlite::Result<_>>()
            .map_err(sql("reading a feed's window"))
    }

    /// Replaces a feed's window with the items of its newest document.
    pub fn set_feed_window(&mut self, feed: &str, items: &[WindowItem]) -> Result<()> {
        let tx = self.connection().transaction().map_err(sql("recording a feed's window"))?;
        tx.execute("DELETE FROM feed_windows WHERE feed = ?1", [feed]).map_err(sql("recording a feed's window"))?;
        {
            let mut stmt = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO feed_windows (feed, item_key, position, time_ms) VALUES (?1, ?2, ?3, ?4)",
                )
                .map_err(sql("recording a feed's window"))?;
            for item in items {
                stmt.execute(params![feed, item.item_key, item.position, item.time_ms])
                    .map_err(sql("recording a feed's window"))?;
            }
        }
        tx.commit().map_err(sql("recording a feed's window"))
    }

    /// The (id, path, URL) of a feed's article with this identity.
    pub fn article_by_key(&mut self, feed: &str, item_key: &str) -> Result<Option<(i64, String, String)>> {
        self.connection()
            .query_row("SELECT id, path, url FROM articles WHERE feed = ?1 AND item_key = ?2", [feed, item_key], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()
            .map_err(sql("finding an article"))
    }

    /// An article's check state, if it has one.
    pub fn check_state(&mut self, article_id: i64) -> Result<Option<CheckState>> {
        check_state(self.connection(), article_id)
    }
}

impl StoreReader {
    /// Articles marked removed or vanished, the most recently flagged first, each
    /// with its evidence.
    pub fn flagged_articles(&self) -> Result<Vec<FlaggedArticle>> {
        self.with(|conn| {
            let columns = ARTICLE_COLUMNS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", ");
            let mut stmt = conn
                .prepare_cached(&format!(
                    "SELECT {columns}, {STATE_COLUMNS} FROM article_checks c JOIN articles a ON a.id = c.article_id \
                     WHERE c.removed_at IS NOT NULL OR c.vanished_at IS NOT NULL \
                     ORDER BY MAX(COALESCE(c.removed_at, 0), COALESCE(c.vanished_at, 0)) DESC, a.path"
                ))
                .map_err(sql("reading removed articles"))?;
            let rows: Vec<(ArticleRow, CheckState)> = stmt
                .query_map([], |r| Ok((article_row(r)?, state_row(r, 16)?)))
                .map_err(sql("reading removed articles"))?
                .collect::<rusqlite::Result<_>>()
                .map_err(sql("reading removed articles"))?;
            rows.into_iter()
                .map(|(article, state)| {
                    let evidence = evidence_of(conn, article.id)?;
                    Ok(FlaggedArticle { article, state, evidence })
                })
                .collect()
        })
    }

    /// The evidence of one article's checks, oldest first.
    pub fn check_evidence(&self, article_id: i64) -> Result<Vec<EvidenceRow>> {
        self.with(|conn| evidence_of(conn, article_id))
    }
}

fn evidence_of(conn: &Connection, article_id: i64) -> Result<Vec<EvidenceRow>> {
    let mut stmt = conn
        .prepare_cached(&format!("SELECT {EVIDENCE_COLUMNS} FROM check_evidence WHERE article_id = ?1 ORDER BY at, id"))
        .map_err(sql("reading evidence"))?;
    stmt.query_map([article_id], evidence_row)
        .map_err(sql("reading evidence"))?
        .collect::<rusqlite::Result<_>>()
        .map_err(sql("reading evidence"))
}

fn check_state(conn: &Connection, article_id: i64) -> Result<Option<CheckState>> {
    conn.query_row(
        &format!("SELECT {STATE_COLUMNS} FROM article_checks c WHERE c.article_id = ?1"),
        [article_id],
        |r| state_row(r, 0),
    )
    .optional()
    .map_err(sql("reading a check state"))
}

/// The due checks, longest due first. The schedule's index drives the query (the
/// feed filter, `+a.feed`, is kept off the articles' indexes so the planner never
/// sorts all of a feed's articles to find the few due).
fn due_query() -> String {
    format!(
        "SELECT a.id, a.feed, a.path, a.url, a.title, a.first_seen_at, a.content_hash, a.item_key, \
         {STATE_COLUMNS} FROM article_checks c JOIN articles a ON a.id = c.article_id \
         WHERE c.next_at IS NOT NULL AND c.next_at <= ?1 \
         AND +a.feed IN (SELECT value FROM json_each(?2)) ORDER BY c.next_at LIMIT ?3"
    )
}

/// A list of feed names as a JSON array, for `json_each`.
fn feeds_json(feeds: &[String]) -> String {
    let mut out = String::from("[");
    for (i, feed) in feeds.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push('"');
        for c in feed.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
    }
    out.push(']');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Change, Origin, Store};

    fn article(path: &str, feed: &str, seen: i64) -> Change {
        Change::Insert(ArticleRow {
            id: 0,
            feed: feed.into(),
            item_key: Some(format!("id:{path}")),
            key_hash: None,
            path: path.into(),
            url: format!("https://example.org/{path}"),
            title: "T".into(),
            time_ms: Some(seen),
            content_hash: "c".into(),
            first_seen_at: seen,
            version_seen_at: seen,
            revisions: 0,
            origin: Origin::Fetch,
            file_hash: None,
            link_key: None,
            raw_hash: None,
        })
    }

    #[test]
    fn due_checks_come_from_the_index_in_due_order() {
        let mut store = SqliteStore::in_memory().unwrap();
        store
            .apply(&[
                article("archive/a/1.md", "a", 1_000),
                article("archive/a/2.md", "a", 500),
                article("archive/b/3.md", "b\"x", 0),
            ])
            .unwrap();
        assert_eq!(store.schedule_new_checks(100).unwrap(), 3);
        assert_eq!(store.schedule_new_checks(100).unwrap(), 0, "scheduled once");
        let due = store.due_checks(700, &["a".into(), "b\"x".into()], 10).unwrap();
        let paths: Vec<_> = due.iter().map(|d| d.path.as_str()).collect();
        assert_eq!(paths, ["archive/b/3.md", "archive/a/2.md"]);
        assert_eq!(store.due_checks(700, &["a".into()], 10).unwrap().len(), 1, "only the feeds asked for");
        assert_eq!(store.due_checks(10_000, &["a".into(), "b\"x".into()], 1).unwrap().len(), 1, "bounded");
        let plan = store.query_plan(&due_query().replace("?1", "5").replace("?2", "'[\"a\"]'").replace("?3", "10"));
        assert!(plan.contains("article_checks_due"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "no sort: {plan}");
    }

    #[test]
    fn outcomes_and_replayed_evidence() {
        let mut store = SqliteStore::in_memory().unwrap();
        store.apply(&[article("archive/a/1.md", "a", 0)]).unwrap();
        let id = store.article_by_path("archive/a/1.md").unwrap().unwrap().id;
        let gone = |at| EvidenceRow { at, kind: "gone".into(), status: Some(404), ..EvidenceRow::default() };
        store.replay_evidence(id, &gone(10), 99).unwrap();
        store.replay_evidence(id, &gone(20), 99).unwrap();
        let state = store.check_state(id).unwrap().unwrap();
        assert_eq!((state.gone_count, state.gone_since, state.next_at), (2, Some(10), Some(99)));
        store.replay_evidence(id, &EvidenceRow { at: 30, kind: "there".into(), ..EvidenceRow::default() }, 99).unwrap();
        assert_eq!(store.check_state(id).unwrap().unwrap().gone_count, 0, "a 'there' answer ends the streak");
        store
            .replay_evidence(id, &EvidenceRow { at: 40, kind: "removed".into(), ..EvidenceRow::default() }, 99)
            .unwrap();
        let vanished = EvidenceRow { at: 50, kind: "vanished".into(), ..EvidenceRow::default() };
        store.mark_vanished(id, &vanished).unwrap();
        store.mark_vanished(id, &EvidenceRow { at: 60, ..vanished.clone() }).unwrap();
        let state = store.check_state(id).unwrap().unwrap();
        assert_eq!((state.removed_at, state.vanished_at, state.next_at), (Some(40), Some(50), None));
        let update = CheckUpdate {
            article_id: id,
            state: CheckState { step: 3, next_at: Some(1), ..state.clone() },
            evidence: vec![gone(70)],
        };
        store.record_checks(&[update]).unwrap();
        assert_eq!(store.check_state(id).unwrap().unwrap().step, 3);
        let evidence = evidence_of(store.connection(), id).unwrap();
        let kinds: Vec<_> = evidence.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["gone", "gone", "there", "removed", "vanished", "vanished", "gone"]);
        // The rows go with their article.
        store.replace_articles(&[]).unwrap();
        assert!(evidence_of(store.connection(), id).unwrap().is_empty());
        assert_eq!(store.check_state(id).unwrap(), None);
    }

    #[test]
    fn windows_are_replaced() {
        let mut store = SqliteStore::in_memory().unwrap();
        let item = |k: &str, p| WindowItem { item_key: k.into(), position: p, time_ms: Some(p as i64) };
        store.set_feed_window("a", &[item("x", 0), item("y", 1)]).unwrap();
        store.set_feed_window("b", &[item("z", 0)]).unwrap();
        store.set_feed_window("a", &[item("y", 0)]).unwrap();
        assert_eq!(store.feed_window("a").unwrap(), [item("y", 0)]);
        assert_eq!(store.feed_window("b").unwrap().len(), 1);
    }
}
