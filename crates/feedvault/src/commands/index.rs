//! The search index as the commands use it: open it, feed it what was archived,
//! rebuild it from the files, compare it with state.db.

use std::path::Path;

use anyhow::{Context, Result};
use feedvault_archive::scan::{feed_of, read_article, scan};
use feedvault_core::Article;
use feedvault_search::{Document, SearchIndex};

/// Opens (creating if needed) the index of a vault.
pub fn open(vault: &Path) -> Result<SearchIndex> {
    let dir = vault.join("index");
    SearchIndex::open(&dir)
        .with_context(|| format!("opening the search index {} (`feedvault reindex` rebuilds it)", dir.display()))
}

/// The index document of an archived article.
pub fn document(path: &str, feed: &str, article: &Article) -> Document {
    Document {
        path: path.to_owned(),
        feed: feed.to_owned(),
        title: article.title.clone(),
        link: article.url.clone(),
        published_ms: article.time.millis(),
        body_html: article.body.clone(),
    }
}

/// Builds a new index from the article files under `vault` (the current version of
/// each; revisions are not searched), whatever was there before. Returns how many
/// were indexed.
pub fn rebuild(vault: &Path) -> Result<usize> {
    let dir = vault.join("index");
    let mut index = SearchIndex::recreate(&dir).with_context(|| format!("recreating {}", dir.display()))?;
    index.start_writing(2, 200_000_000)?;
    let found = scan(vault)?;
    let mut count = 0;
    for chunk in found.articles.chunks(1000) {
        let mut documents = Vec::with_capacity(chunk.len());
        for path in chunk {
            // Unreadable files are reported by `reindex` itself and `verify`.
            if let Ok((_, article)) = read_article(&vault.join(path))? {
                documents.push(document(path, feed_of(path).unwrap_or(""), &article));
            }
        }
        count += documents.len();
        index.upsert(documents)?;
    }
    index.commit()?;
    Ok(count)
}

/// Problems between the index and the articles state.db records.
pub fn compare(index: &SearchIndex, recorded: &[String]) -> Result<Vec<String>> {
    let indexed = index.paths()?;
    let recorded_set: std::collections::HashSet<&str> = recorded.iter().map(String::as_str).collect();
    let indexed_set: std::collections::HashSet<&str> = indexed.iter().map(String::as_str).collect();
    let mut problems = Vec::new();
    for path in recorded.iter().filter(|p| !indexed_set.contains(p.as_str())) {
        problems.push(format!("{path}: archived but missing from the search index (run `feedvault reindex`)"));
    }
    for path in indexed.iter().filter(|p| !recorded_set.contains(p.as_str())) {
        problems.push(format!("{path}: in the search index but not archived (run `feedvault reindex`)"));
    }
    let mut seen = std::collections::HashSet::new();
    for path in indexed.iter().filter(|p| !seen.insert(p.as_str())) {
        problems.push(format!("{path}: indexed more than once"));
    }
    Ok(problems)
}
