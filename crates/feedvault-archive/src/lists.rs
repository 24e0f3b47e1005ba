//! The countdown layout's lists: `lists/<feed>.md`, the latest 300 articles of a feed
//! as Markdown links to their files, newest first, so a mirror on a git host has a
//! readable front page per feed. Derived data: rewritten after every fetch that
//! brings something new to a feed, and by `reindex`.

use std::fmt::Write as _;
use std::path::Path;

use feedvault_core::slug::is_slug;
use feedvault_store::Store;

use crate::durable::write_file;
use crate::{ArchiveError, Result, io_error};

/// Articles per list.
pub const LIST_LENGTH: usize = 300;

/// Rewrites `lists/<feed>.md` from state.db.
pub fn write_list<S: Store>(root: &Path, store: &S, feed: &str, title: &str) -> Result<()> {
    if !is_slug(feed) {
        return Err(ArchiveError::OutsideVault(root.join("lists").join(feed)));
    }
    let articles = store.recent_articles(feed, LIST_LENGTH)?;
    let mut text = format!("# {}\n\n", if title.trim().is_empty() { feed } else { title.trim() });
    for article in &articles {
        let day = article
            .time_ms
            .and_then(chrono::DateTime::<chrono::Utc>::from_timestamp_millis)
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        let title = article.title.replace('\\', "\\\\").replace('[', "\\[").replace(']', "\\]");
        let _ = writeln!(text, "- {day} [{title}](../{})", article.path);
    }
    let path = root.join("lists").join(format!("{feed}.md"));
    write_file(&path, text.as_bytes()).map_err(io_error(&path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use feedvault_store::{ArticleRow, Change, Origin, SqliteStore};

    fn row(path: &str, title: &str, time_ms: i64) -> Change {
        Change::Insert(ArticleRow {
            id: 0,
            feed: "f".into(),
            item_key: Some(path.into()),
            key_hash: None,
            path: path.into(),
            url: String::new(),
            title: title.into(),
            time_ms: Some(time_ms),
            content_hash: "h".into(),
            first_seen_at: 0,
            version_seen_at: 0,
            revisions: 0,
            origin: Origin::Fetch,
            file_hash: None,
            link_key: None,
            raw_hash: None,
        })
    }

    #[test]
    fn lists_are_newest_first_with_escaped_titles() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteStore::in_memory().unwrap();
        store
            .apply(&[
                row("articles/f/1048575.md", "Old [draft]", 1_663_641_422_000),
                row("articles/f/1048574.md", "新的", 1_663_727_822_000),
            ])
            .unwrap();
        write_list(dir.path(), &store, "f", "示例新闻").unwrap();
        let list = std::fs::read_to_string(dir.path().join("lists/f.md")).unwrap();
        assert_eq!(
            list,
            "# 示例新闻\n\n- 2022-09-21 [新的](../articles/f/1048574.md)\n- 2022-09-20 [Old \\[draft\\]](../articles/f/1048575.md)\n"
        );
        assert!(write_list(dir.path(), &store, "../escape", "x").is_err());
    }
}
