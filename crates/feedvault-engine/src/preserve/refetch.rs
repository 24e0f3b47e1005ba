//! `refetch-text FEED`: extracts the full text again for a feed's archived articles,
//! writing a revision (the archive's usual one) only where the text differs.
//!
//! Each article's page (its link) is fetched as the fetch cycle fetches pages, a
//! batch at a time, and read with the feed's `full_text` setting. The article is
//! offered to the archiver again with the extracted body and its own identity, time
//! and title, so an unchanged text writes nothing and a changed one keeps the
//! previous file under `.revisions/`. A page that fails is reported and its article
//! left as it is. The page of every revision written is kept as a raw capture.

use chrono::Utc;
use feedvault_core::text::escape_html;
use feedvault_core::{Article, Item};
use feedvault_store::{ArticleFilter, ArticleSort, StoreReader};

use super::captures::{self, PageCapture};
use super::{FullText, Instead, TextFailure, pages};
use crate::{EngineError, Result, VaultWriter, config_file};

/// Pages fetched (and articles archived) at a time.
const BATCH: usize = 32;

/// What `refetch-text` did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RefetchReport {
    /// Articles of the feed looked at.
    pub articles: usize,
    /// Articles whose text differed: a revision each.
    pub revised: usize,
    /// Articles whose text was the same.
    pub unchanged: usize,
    /// Articles whose page gave no text (left as they are).
    pub failures: Vec<TextFailure>,
    /// What keeping the revised articles' images did.
    pub images: super::images::ImageNotes,
}

impl VaultWriter {
    /// Re-extracts the full text of every archived article of `feed_name`.
    pub fn refetch_text(&mut self, feed_name: &str, each: &mut dyn FnMut(usize, usize)) -> Result<RefetchReport> {
        let settings = config_file::load(&self.root)?;
        let feed = settings
            .feed(feed_name)
            .cloned()
            .ok_or_else(|| EngineError::Usage(format!("no feed named or at {feed_name:?} (see `feedvault list`)")))?;
        let how = match &feed.full_text {
            Some(setting) => FullText::parse(setting)
                .map_err(|why| EngineError::Usage(format!("{}: feed {}: {why}", crate::FILE_NAME, feed.name)))?,
            None => {
                return Err(EngineError::Usage(format!(
                    "feed {} has no full_text setting (add full_text = \"css:SELECTOR\" or \"readability\" to its [[feeds]] table)",
                    feed.name
                )));
            }
        };
        let spec = settings.request_spec(&feed)?;
        let rows = {
            let reader = StoreReader::open(&self.root.join("state.db"))?;
            let filter = ArticleFilter { feed: Some(feed.name.clone()), ..ArticleFilter::default() };
            let (_, total) = reader.articles(&filter, ArticleSort::OldestFirst, 0, 0)?;
            reader.articles(&filter, ArticleSort::OldestFirst, 0, total as usize)?.0
        };
        let mut report = RefetchReport { articles: rows.len(), ..RefetchReport::default() };
        for chunk in rows.chunks(BATCH) {
            let links: Vec<Option<String>> = chunk.iter().map(|row| Some(row.url.clone())).collect();
            let texts = pages::full_texts(self, &feed.url, &spec, &links, &how);
            let now = Utc::now();
            let mut items = Vec::new();
            let mut captured = Vec::new();
            for (row, (text, raw)) in chunk.iter().zip(texts) {
                let body = match text {
                    Ok(body) => body,
                    Err(why) => {
                        let instead = Instead::ArchivedVersion;
                        report.failures.push(TextFailure { link: row.url.clone(), why, instead });
                        continue;
                    }
                };
                let path = self.root.join(&row.path);
                let bytes = std::fs::read(&path).map_err(|source| EngineError::Io { path: path.clone(), source })?;
                let article = Article::from_file(&bytes)
                    .map_err(|e| EngineError::Vault(format!("{}: not an article file: {e}", row.path)))?;
                let item = item_with_body(row.item_key.as_deref(), &article, body);
                if let Some(raw) = raw.filter(|_| settings.preserve.captures) {
                    captured.push(PageCapture { content_hash: captures::content_hash_of(&item, now), raw });
                }
                items.push(item);
            }
            let archived = self.archiver.archive_items(&feed.name, &items, now)?;
            let images = super::images::keep(self, &settings, &feed, &archived.changed, now)?;
            report.images.kept += images.kept;
            report.images.reused += images.reused;
            report.images.failures.extend(images.failures);
            captures::keep_pages(self, &settings, captured, &archived, now)?;
            report.revised += archived.revised;
            report.unchanged += archived.unchanged;
            self.indexer.add(
                archived.changed.into_iter().map(|(path, a)| crate::index::document(path, &feed.name, a)).collect(),
            )?;
            each(report.revised + report.unchanged + report.failures.len(), report.articles);
        }
        self.indexer.flush()?;
        Ok(report)
    }
}

/// The archived article as an item again, with a new body: its identity (the guid it
/// was archived under, else its link), time and title as they are, no raw bytes (so
/// the archiver compares the text).
pub(crate) fn item_with_body(item_key: Option<&str>, article: &Article, body: String) -> Item {
    Item {
        id: item_key.and_then(|k| k.strip_prefix("id:")).map(str::to_owned),
        // The title is plain text; escaped, it reads back as itself.
        title: Some(escape_html(&article.title)),
        link: Some(article.url.clone()).filter(|u| !u.is_empty()),
        published: article.time.to_datetime(),
        content_html: Some(body),
        ..Item::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_article_offered_again_is_the_same_article() {
        let article = Article {
            time: feedvault_core::ArticleTime::Millis(1_663_641_422_000),
            title: "A <b> & [c]".into(),
            url: "https://example.org/a/1".into(),
            body: "<p>old</p>".into(),
        };
        let item = item_with_body(Some("id:guid-1"), &article, "<p>old</p>".into());
        let again = Article::from_item(&item, Utc::now());
        assert_eq!(again, article);
        assert_eq!(feedvault_core::identity::item_key(&item), "id:guid-1");
        let by_link = item_with_body(Some("link:https://example.org/a/1"), &article, "<p>new</p>".into());
        assert_eq!(feedvault_core::identity::item_key(&by_link), "link:https://example.org/a/1");
    }
}
