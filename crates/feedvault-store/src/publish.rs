//! The publishing records: the journal of files changed since the last git commit
//! (written in the same transaction as the article records, so a commit can be
//! built from exactly the paths that changed), the articles whose README indexes
//! wait to be written (same transaction, so a crash in between heals), and each
//! push remote's state.

use rusqlite::{Connection, OptionalExtension, params};

use crate::queries::sql;
use crate::{Change, Result};

/// Why a file waits for the next commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ChangeKind {
    /// A new article.
    New,
    /// An article's new version.
    Revised,
    /// The earlier version kept under `<article>.revisions/`.
    Revision,
    /// A list or README index.
    Index,
    /// A preserved file: a kept image under assets/ or a raw capture under captures/,
    /// or the records file beside them.
    Asset,
}

impl ChangeKind {
    fn as_str(self) -> &'static str {
        match self {
            ChangeKind::New => "new",
            ChangeKind::Revised => "revised",
            ChangeKind::Revision => "revision",
            ChangeKind::Index => "index",
            ChangeKind::Asset => "asset",
        }
    }

    fn parse(text: &str) -> ChangeKind {
        match text {
            "new" => ChangeKind::New,
            "revised" => ChangeKind::Revised,
            "revision" => ChangeKind::Revision,
            "asset" => ChangeKind::Asset,
            _ => ChangeKind::Index,
        }
    }
}

/// A file changed since the last commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpublished {
    pub path: String,
    pub feed: Option<String>,
    pub change: ChangeKind,
}

/// What a push remote was last sent, and how the last attempt went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RemoteState {
    pub url: String,
    pub pushed_commit: Option<String>,
    pub pushed_at: Option<i64>,
    pub last_error: Option<String>,
    pub failures: u32,
    pub next_attempt_at: Option<i64>,
}

/// Journals the files a batch of changes wrote (inside the batch's transaction). A
/// file already waiting keeps its first reason: an article new since the last
/// commit stays new however often it is revised before it.
pub(crate) fn journal_changes(tx: &Connection, changes: &[Change]) -> Result<()> {
    for change in changes {
        match change {
            Change::Insert(a) => {
                add(tx, &a.path, Some(&a.feed), ChangeKind::New)?;
                index_later(tx, &a.path)?;
            }
            Change::Revise { article_id, revision, .. } => {
                let (path, feed): (String, String) = tx
                    .query_row("SELECT path, feed FROM articles WHERE id = ?1", [article_id], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })
                    .map_err(sql("journaling a revision"))?;
                add(tx, &path, Some(&feed), ChangeKind::Revised)?;
                index_later(tx, &path)?;
                if let Some(revision) = revision {
                    add(tx, &revision.path, Some(&feed), ChangeKind::Revision)?;
                }
            }
            Change::Adopt { .. } | Change::RawSeen { .. } | Change::AddRevision { .. } => {}
        }
    }
    Ok(())
}

pub(crate) fn add_all(conn: &mut Connection, files: &[Unpublished]) -> Result<()> {
    let tx = conn.transaction().map_err(sql("journaling files to publish"))?;
    for file in files {
        add(&tx, &file.path, file.feed.as_deref(), file.change)?;
    }
    tx.commit().map_err(sql("journaling files to publish"))
}

fn add(tx: &Connection, path: &str, feed: Option<&str>, change: ChangeKind) -> Result<()> {
    tx.prepare_cached("INSERT OR IGNORE INTO unpublished (path, feed, change) VALUES (?1, ?2, ?3)")
        .and_then(|mut s| s.execute(params![path, feed, change.as_str()]))
        .map_err(sql("journaling a file to publish"))?;
    Ok(())
}

fn index_later(tx: &Connection, path: &str) -> Result<()> {
    tx.prepare_cached("INSERT OR IGNORE INTO index_pending (path) VALUES (?1)")
        .and_then(|mut s| s.execute([path]))
        .map_err(sql("journaling an article for its indexes"))?;
    Ok(())
}

pub(crate) fn index_pending(conn: &Connection) -> Result<Vec<String>> {
    crate::queries::strings(conn, "SELECT path FROM index_pending ORDER BY path", "reading the index journal")
}

pub(crate) fn clear_index_pending(conn: &mut Connection, paths: &[String]) -> Result<()> {
    delete_paths(conn, "DELETE FROM index_pending WHERE path = ?1", paths, "clearing the index journal")
}

pub(crate) fn unpublished(conn: &Connection) -> Result<Vec<Unpublished>> {
    let mut stmt = conn
        .prepare_cached("SELECT path, feed, change FROM unpublished ORDER BY path")
        .map_err(sql("reading the journal"))?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Unpublished { path: r.get(0)?, feed: r.get(1)?, change: ChangeKind::parse(&r.get::<_, String>(2)?) })
        })
        .map_err(sql("reading the journal"))?;
    rows.collect::<rusqlite::Result<_>>().map_err(sql("reading the journal"))
}

pub(crate) fn unpublished_count(conn: &Connection) -> Result<u64> {
    conn.query_row("SELECT COUNT(*) FROM unpublished", [], |r| r.get::<_, i64>(0))
        .map(|n| n as u64)
        .map_err(sql("counting the journal"))
}

pub(crate) fn clear(conn: &mut Connection, paths: &[String]) -> Result<()> {
    delete_paths(conn, "DELETE FROM unpublished WHERE path = ?1", paths, "clearing the publish journal")
}

/// Runs `delete` for every path, in one transaction.
fn delete_paths(conn: &mut Connection, delete: &str, paths: &[String], context: &'static str) -> Result<()> {
    let tx = conn.transaction().map_err(sql(context))?;
    {
        let mut stmt = tx.prepare_cached(delete).map_err(sql(context))?;
        for path in paths {
            stmt.execute([path]).map_err(sql(context))?;
        }
    }
    tx.commit().map_err(sql(context))
}

pub(crate) fn remotes(conn: &Connection) -> Result<Vec<RemoteState>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT url, pushed_commit, pushed_at, last_error, failures, next_attempt_at FROM push_remotes ORDER BY url",
        )
        .map_err(sql("reading push remotes"))?;
    let rows = stmt.query_map([], remote_row).map_err(sql("reading push remotes"))?;
    rows.collect::<rusqlite::Result<_>>().map_err(sql("reading push remotes"))
}

pub(crate) fn remote(conn: &Connection, url: &str) -> Result<Option<RemoteState>> {
    conn.query_row(
        "SELECT url, pushed_commit, pushed_at, last_error, failures, next_attempt_at FROM push_remotes WHERE url = ?1",
        [url],
        remote_row,
    )
    .optional()
    .map_err(sql("reading a push remote"))
}

fn remote_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<RemoteState> {
    Ok(RemoteState {
        url: r.get(0)?,
        pushed_commit: r.get(1)?,
        pushed_at: r.get(2)?,
        last_error: r.get(3)?,
        failures: r.get(4)?,
        next_attempt_at: r.get(5)?,
    })
}

pub(crate) fn record_remote(conn: &Connection, state: &RemoteState) -> Result<()> {
    conn.execute(
        "INSERT INTO push_remotes (url, pushed_commit, pushed_at, last_error, failures, next_attempt_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(url) DO UPDATE SET pushed_commit = excluded.pushed_commit, \
         pushed_at = excluded.pushed_at, last_error = excluded.last_error, failures = excluded.failures, \
         next_attempt_at = excluded.next_attempt_at",
        params![
            state.url,
            state.pushed_commit,
            state.pushed_at,
            state.last_error,
            state.failures,
            state.next_attempt_at
        ],
    )
    .map_err(sql("recording a push"))?;
    Ok(())
}
