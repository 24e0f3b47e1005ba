//! Healing derived state when a writer opens the vault, so a crash at any moment
//! (even `kill -9`) needs no manual `reindex`.
//!
//! - Temporary files of an interrupted write are removed.
//! - The journal of pending files (written before a batch's files reach their
//!   place) is settled: a file that reached its place but was never recorded is
//!   recorded now (its identity is adopted by the next fetch of its feed, by the
//!   hash in its name or its link); a file that never arrived is forgotten.
//! - Files recorded without a byte hash (by a feedvault before hashes existed) get
//!   the hash of their bytes now.
//! - Articles not marked `indexed` are indexed; an empty index beside a full state.db
//!   (deleted, or replaced by a newer schema) is refilled.

use std::path::Path;

use feedvault_archive::scan::read_article;
use feedvault_core::identity::file_hash;
use feedvault_store::{ArticleRow, Change, Origin, RevisionRow, SqliteStore, Store};

use crate::Result;
use crate::index::{Indexer, document};

/// Articles read per indexing batch while healing.
const CHUNK: usize = 1000;

/// What healing found and did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct HealReport {
    pub temp_files_removed: usize,
    /// Files that reached their place before a crash and were recorded now.
    pub files_recovered: usize,
    /// Journal entries for files that never arrived.
    pub files_forgotten: usize,
    pub hashes_recorded: usize,
    /// Articles (re)indexed.
    pub indexed: usize,
    /// The index could not be opened and was replaced by a new one.
    pub index_rebuilt: bool,
}

impl HealReport {
    /// True when nothing needed healing.
    pub fn is_clean(&self) -> bool {
        *self == HealReport::default()
    }
}

/// Brings state.db and the index back in line with the files.
pub fn heal(root: &Path, store: &mut SqliteStore, indexer: &Indexer, index_docs: u64) -> Result<HealReport> {
    let mut report =
        HealReport { temp_files_removed: feedvault_archive::verify::remove_temp_files(root)?, ..HealReport::default() };
    settle_journal(root, store, &mut report)?;
    record_missing_hashes(root, store, &mut report)?;
    if index_docs == 0 && store.article_count()? > 0 {
        store.mark_all_unindexed()?;
    }
    report.indexed = index_unindexed(root, store, indexer)?;
    Ok(report)
}

fn settle_journal(root: &Path, store: &mut SqliteStore, report: &mut HealReport) -> Result<()> {
    let pending = store.pending()?;
    if pending.is_empty() {
        return Ok(());
    }
    let recorded: std::collections::HashSet<String> = store.recorded_files()?.into_iter().map(|f| f.path).collect();
    let mut changes = Vec::new();
    let now = chrono::Utc::now().timestamp_millis();
    for (path, feed) in &pending {
        if recorded.contains(path) {
            continue;
        }
        let full = root.join(path);
        let Ok(Ok((bytes, article))) = read_article(&full) else {
            report.files_forgotten += 1;
            continue;
        };
        if let Some(stem) = path.rsplit_once(".revisions/").map(|(stem, _)| stem) {
            let Some(owner) = store.article_by_path(&format!("{stem}.md"))? else {
                report.files_forgotten += 1;
                continue;
            };
            let seen_at = path.rsplit('/').next().and_then(|n| n.strip_suffix(".md")?.parse().ok()).unwrap_or(now);
            let revision = RevisionRow {
                path: path.clone(),
                content_hash: article.content_hash(),
                seen_at,
                file_hash: Some(file_hash(&bytes)),
            };
            changes.push(Change::AddRevision { article_id: owner.id, revision });
        } else {
            // Written by a fetch whose state was lost: its origin is still a fetch.
            let row = feedvault_archive::reindex::row_from_file(path, feed, &bytes, &article, now);
            changes.push(Change::Insert(ArticleRow { origin: Origin::Fetch, ..row }));
        }
        report.files_recovered += 1;
    }
    store.apply(&changes)?;
    let all: Vec<String> = pending.into_iter().map(|(path, _)| path).collect();
    store.clear_pending(&all)?;
    Ok(())
}

fn record_missing_hashes(root: &Path, store: &mut SqliteStore, report: &mut HealReport) -> Result<()> {
    let mut hashes = Vec::new();
    for path in store.unhashed_files()? {
        if let Ok(bytes) = std::fs::read(root.join(&path)) {
            hashes.push((path, file_hash(&bytes)));
        }
    }
    report.hashes_recorded = hashes.len();
    store.set_file_hashes(&hashes)?;
    Ok(())
}

/// Indexes every article not marked `indexed`; returns how many.
pub fn index_unindexed(root: &Path, store: &SqliteStore, indexer: &Indexer) -> Result<usize> {
    let mut after = 0;
    let mut count = 0;
    loop {
        let rows = store.unindexed(after, CHUNK)?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        let mut documents = Vec::with_capacity(rows.len());
        for row in rows {
            // A missing or unreadable file is `verify`'s to report.
            if let Ok(Ok((_, article))) = read_article(&root.join(&row.path)) {
                documents.push(document(row.path, &row.feed, article));
            }
        }
        count += documents.len();
        indexer.add(documents)?;
    }
    if count > 0 {
        indexer.flush()?;
    }
    Ok(count)
}
