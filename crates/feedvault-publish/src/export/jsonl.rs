//! JSON Lines for corpora: one object per archived article, written as it is read.
//!
//! Fields, in this order: `feed`, `url`, `title`, `published` (the file's T in RFC
//! 3339: the feed's published time, else when the item was first seen; null when T
//! is not a time), `first_seen`, `path` (the article's vault path, its permanent id),
//! `text` (the body as plain text, blocks as lines: the search index's own
//! reduction), `html` (the body as archived), `content_hash`, and `revisions`: the
//! number of earlier versions, or with [`JsonlOptions::revisions`] the list of them,
//! oldest first (`path`, `seen_at`, `title`, `url`, `html`, `text`, `content_hash`;
//! title, url, html and text are null for a version whose file cannot be read).
//! An article whose file cannot be read is reported and left out.

use std::io::Write;

use feedvault_engine::{ArticleQuery, StoredArticle, StoredRevision, Vault};
use feedvault_search::analysis::html::html_to_text;
use serde::Serialize;

use super::{ExportError, ExportReport, Result, Unreadable, rfc3339};

/// What a JSON Lines export includes.
#[derive(Debug, Clone, Default)]
pub struct JsonlOptions {
    /// Which articles (feed, days); the page is not used.
    pub query: ArticleQuery,
    /// List every earlier version instead of counting them.
    pub revisions: bool,
}

#[derive(Serialize)]
struct Line<'a> {
    feed: &'a str,
    url: &'a str,
    title: &'a str,
    published: Option<String>,
    first_seen: Option<String>,
    path: &'a str,
    text: String,
    html: &'a str,
    content_hash: &'a str,
    revisions: Revisions<'a>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Revisions<'a> {
    Count(u32),
    Listed(Vec<RevisionLine<'a>>),
}

#[derive(Serialize)]
struct RevisionLine<'a> {
    path: &'a str,
    seen_at: Option<String>,
    title: Option<&'a str>,
    url: Option<&'a str>,
    html: Option<&'a str>,
    text: Option<String>,
    content_hash: &'a str,
}

fn revision_line(revision: &StoredRevision) -> RevisionLine<'_> {
    let article = revision.file.as_ref().ok().map(|f| &f.article);
    RevisionLine {
        path: &revision.path,
        seen_at: rfc3339(revision.seen_at),
        title: article.map(|a| a.title.as_str()),
        url: article.map(|a| a.url.as_str()),
        html: article.map(|a| a.body.as_str()),
        text: article.map(|a| html_to_text(&a.body)),
        content_hash: &revision.content_hash,
    }
}

/// Writes the articles `options` asks for to `out`, one line each, calling
/// `unreadable` for every file that cannot be read. Returns what was written; the
/// caller flushes `out`.
pub fn export_jsonl(
    vault: &Vault,
    options: &JsonlOptions,
    out: &mut impl Write,
    mut unreadable: impl FnMut(Unreadable<'_>),
) -> Result<ExportReport> {
    let mut report = ExportReport::default();
    let mut line = Vec::with_capacity(64 * 1024);
    vault.for_each_article(&options.query, options.revisions, |stored: StoredArticle| {
        let file = match &stored.file {
            Ok(file) => file,
            Err(why) => {
                unreadable(Unreadable { path: &stored.summary.path, why });
                report.unreadable += 1;
                return Ok(());
            }
        };
        for revision in &stored.revisions {
            match &revision.file {
                Ok(_) => report.revisions += 1,
                Err(why) => {
                    unreadable(Unreadable { path: &revision.path, why });
                    report.unreadable += 1;
                }
            }
        }
        let article = &file.article;
        let revisions = if options.revisions {
            Revisions::Listed(stored.revisions.iter().map(revision_line).collect())
        } else {
            Revisions::Count(stored.summary.revisions)
        };
        let record = Line {
            feed: &stored.summary.feed,
            url: &article.url,
            title: &article.title,
            published: article.time.millis().and_then(rfc3339),
            first_seen: rfc3339(stored.summary.first_seen_at),
            path: &stored.summary.path,
            text: html_to_text(&article.body),
            html: &article.body,
            content_hash: &stored.content_hash,
            revisions,
        };
        line.clear();
        serde_json::to_writer(&mut line, &record).map_err(|e| ExportError::Write(e.into()))?;
        line.push(b'\n');
        out.write_all(&line).map_err(ExportError::Write)?;
        report.articles += 1;
        Ok::<(), ExportError>(())
    })?;
    Ok(report)
}
