//! Rebuilding state.db's article records from the files in `archive/`.
//!
//! Identities are not in the files, so rebuilt rows carry the identity hash from the
//! file name (and the URL); the next fetch matches items to them by those and records
//! the full identity again.

use std::fs;
use std::path::Path;

use feedvault_core::Article;
use feedvault_core::identity::file_hash;
use feedvault_store::{ArticleRow, Change, Origin, RevisionRow, Store};

use crate::scan::{feed_of, read_article, scan};
use crate::{Result, layout};

/// What a rebuild found.
#[derive(Debug, Default)]
pub struct ReindexReport {
    pub articles: usize,
    pub revisions: usize,
    /// Files that are not article files, with why.
    pub skipped: Vec<String>,
}

/// Forgets every article record and records every article file under `root` again.
pub fn reindex<S: Store>(root: &Path, store: &mut S) -> Result<ReindexReport> {
    let found = scan(root)?;
    let mut report = ReindexReport::default();
    let mut rows = Vec::new();
    for path in &found.articles {
        let full = root.join(path);
        let (bytes, article) = match read_article(&full)? {
            Ok(read) => read,
            Err(why) => {
                report.skipped.push(why);
                continue;
            }
        };
        let seen_at = modified_ms(&full).unwrap_or_else(|| article.time.millis().unwrap_or(0));
        rows.push(Change::Insert(row_from_file(path, feed_of(path).unwrap_or(""), &bytes, &article, seen_at)));
    }
    // Clearing and refilling is one transaction: a crash leaves the old records.
    report.articles = rows.len();
    store.replace_articles(&rows)?;

    let mut revisions = Vec::new();
    for (article_path, revision_path) in &found.revisions {
        let Some(article) = store.article_by_path(article_path)? else {
            report.skipped.push(format!("{revision_path}: a revision of a missing article"));
            continue;
        };
        let (bytes, parsed) = match read_article(&root.join(revision_path))? {
            Ok(read) => read,
            Err(why) => {
                report.skipped.push(why);
                continue;
            }
        };
        let seen_at = revision_path
            .rsplit('/')
            .next()
            .and_then(|n| n.strip_suffix(".md"))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        revisions.push(Change::AddRevision {
            article_id: article.id,
            revision: RevisionRow {
                path: revision_path.clone(),
                content_hash: parsed.content_hash(),
                seen_at,
                file_hash: Some(file_hash(&bytes)),
            },
        });
    }
    report.revisions = revisions.len();
    store.apply(&revisions)?;
    Ok(report)
}

/// The state row of an article file found on disk (identity unknown: the next fetch
/// of its feed adopts it by the hash in its name or by its link).
pub fn row_from_file(path: &str, feed: &str, bytes: &[u8], article: &Article, seen_at: i64) -> ArticleRow {
    ArticleRow {
        id: 0,
        feed: feed.to_owned(),
        item_key: None,
        key_hash: layout::key_hash_of(path).map(str::to_owned),
        path: path.to_owned(),
        url: article.url.clone(),
        title: article.title.clone(),
        time_ms: article.time.millis(),
        content_hash: article.content_hash(),
        first_seen_at: seen_at,
        version_seen_at: seen_at,
        revisions: 0,
        origin: Origin::Reindex,
        file_hash: Some(file_hash(bytes)),
        link_key: crate::writer::link_key(&article.url),
        raw_hash: None,
    }
}

fn modified_ms(path: &Path) -> Option<i64> {
    let modified = fs::metadata(path).ok()?.modified().ok()?;
    let since = modified.duration_since(std::time::UNIX_EPOCH).ok()?;
    i64::try_from(since.as_millis()).ok()
}
