//! Raw captures: every response archived from (a feed document that produced new or
//! revised articles, an item page whose extracted text was archived) kept with its
//! request and response heads and its body, for provenance (`[preserve] captures`).
//!
//! [`VaultWriter::keep_capture`] is the one way in, callable from anywhere that has a
//! response and knows which article versions it produced: the body goes under
//! `captures/` once per content hash, the record is appended to
//! `captures/records.jsonl` (with the versions), then state.db records both. The
//! fetch cycle calls [`keep_fetch`] after archiving a feed; `refetch-text` calls
//! [`keep_pages`]. Reading back is [`read`].

pub mod read;
mod verify;

use chrono::{DateTime, Utc};
use feedvault_archive::ArchiveReport;
use feedvault_archive::captures::{self as files, CaptureRecord};
use feedvault_core::Article;
use feedvault_core::identity::sha256_hex;
use feedvault_fetch::Exchange;
use feedvault_store::{CaptureLink, CaptureRow};
use url::Url;

use crate::settings::Settings;
use crate::{ChangeKind, Result, Unpublished, VaultWriter};

/// What a capture was of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureKind {
    /// A feed document.
    Feed,
    /// An item's page (its full text, or a re-check).
    Page,
}

impl CaptureKind {
    pub fn label(self) -> &'static str {
        match self {
            CaptureKind::Feed => "feed",
            CaptureKind::Page => "page",
        }
    }
}

/// A response as the fetcher returned it: its heads, where it finally came from, and
/// the body as received (decoded from any Content-Encoding).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawResponse {
    pub exchange: Exchange,
    pub final_url: Url,
    pub body: Vec<u8>,
}

/// A page fetched for an item's full text, and the content hash of the article the
/// item became with that text (which finds the version it produced once archived).
#[derive(Debug, Clone)]
pub(crate) struct PageCapture {
    pub content_hash: String,
    pub raw: RawResponse,
}

impl VaultWriter {
    /// Keeps a capture of one response that produced `versions` (an article's path
    /// and the time the version was first seen: `version_seen_at` of a new or revised
    /// article, which is the `now` given to the archiver). Does nothing and returns
    /// `None` when `[preserve] captures` is off or no version came of it; else the
    /// capture's id. Keeping the same response twice records it once.
    pub fn keep_capture(
        &mut self,
        settings: &Settings,
        kind: CaptureKind,
        response: &RawResponse,
        versions: &[CaptureLink],
    ) -> Result<Option<String>> {
        if !settings.preserve.captures || versions.is_empty() {
            return Ok(None);
        }
        let (body_hash, written) = files::keep_body(&self.root, &response.body)?;
        let mut journal = vec![asset_file(files::RECORDS.to_owned())];
        if written {
            journal.push(asset_file(files::body_path(&body_hash)));
        }
        let row = capture_row(kind, response, body_hash);
        files::append_record(&self.root, &CaptureRecord::new(&row, versions))?;
        self.archiver.store_mut().record_capture(&row, versions)?;
        // Committed by git publishing with the other preserved files (include_assets).
        self.mark_unpublished(&journal)?;
        Ok(Some(row.id))
    }
}

/// A file under captures/ for the publish journal.
fn asset_file(path: String) -> Unpublished {
    Unpublished { path, feed: None, change: ChangeKind::Asset }
}

/// The state.db row of a response whose body is kept under `body_hash`.
fn capture_row(kind: CaptureKind, response: &RawResponse, body_hash: String) -> CaptureRow {
    let exchange = &response.exchange;
    let fetched_at = exchange.at.timestamp_millis();
    let id_source = format!("{fetched_at}\n{}\n{}\n{body_hash}", exchange.request_url, response.final_url);
    CaptureRow {
        id: sha256_hex(&[id_source.as_bytes()])[..32].to_owned(),
        kind: kind.label().to_owned(),
        request_url: exchange.request_url.to_string(),
        final_url: response.final_url.to_string(),
        fetched_at,
        http_version: exchange.version.clone(),
        status: exchange.status,
        reason: exchange.reason.clone(),
        request_headers: header_lines(&exchange.request_headers),
        response_headers: header_lines(&exchange.response_headers),
        body_hash,
        body_length: response.body.len() as u64,
        media_type: exchange.response_header("content-type").and_then(media_type),
    }
}

/// `Name: value` lines, LF-separated (header values hold no line breaks).
fn header_lines(headers: &[(String, String)]) -> String {
    headers
        .iter()
        .map(|(name, value)| format!("{name}: {}", value.replace(['\r', '\n'], " ")))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Headers from [`header_lines`] again.
pub fn parse_header_lines(text: &str) -> Vec<(String, String)> {
    text.lines()
        .filter_map(|line| line.split_once(": ").or_else(|| line.split_once(':')))
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
}

/// Content-Type's `type/subtype`, lowercase.
fn media_type(content_type: &str) -> Option<String> {
    let media = content_type.split(';').next()?.trim().to_ascii_lowercase();
    (!media.is_empty()).then_some(media)
}

/// After a feed was archived: keeps the feed document (for every article version it
/// produced) and each page whose text went into an archived version.
pub(crate) fn keep_fetch(
    writer: &mut VaultWriter,
    settings: &Settings,
    feed: Option<RawResponse>,
    pages: Vec<PageCapture>,
    report: &ArchiveReport,
    now: DateTime<Utc>,
) -> Result<()> {
    if !settings.preserve.captures || report.changed.is_empty() {
        return Ok(());
    }
    let seen_at = now.timestamp_millis();
    if let Some(feed) = feed {
        let versions: Vec<CaptureLink> =
            report.changed.iter().map(|(path, _)| CaptureLink { article_path: path.clone(), seen_at }).collect();
        writer.keep_capture(settings, CaptureKind::Feed, &feed, &versions)?;
    }
    keep_pages(writer, settings, pages, report, now)
}

/// Keeps each page whose extracted text went into a version `report` archived.
pub(crate) fn keep_pages(
    writer: &mut VaultWriter,
    settings: &Settings,
    pages: Vec<PageCapture>,
    report: &ArchiveReport,
    now: DateTime<Utc>,
) -> Result<()> {
    let seen_at = now.timestamp_millis();
    // Each version's hash once, not once per page.
    let hashes: Vec<(&String, String)> = match pages.is_empty() {
        true => Vec::new(),
        false => report.changed.iter().map(|(path, article)| (path, article.content_hash())).collect(),
    };
    for page in pages {
        let versions: Vec<CaptureLink> = hashes
            .iter()
            .filter(|(_, hash)| *hash == page.content_hash)
            .map(|(path, _)| CaptureLink { article_path: (*path).clone(), seen_at })
            .collect();
        writer.keep_capture(settings, CaptureKind::Page, &page.raw, &versions)?;
    }
    Ok(())
}

/// The content hash of the article an item becomes (to match a page to its version).
pub(crate) fn content_hash_of(item: &feedvault_core::Item, now: DateTime<Utc>) -> String {
    Article::from_item(item, now).content_hash()
}

/// Rebuilds state.db's capture tables from the records file (after removing the
/// temporary files a crash left under captures/): what `reindex` calls.
/// Returns the captures recorded and the record lines that could not be read.
pub(crate) fn rebuild(writer: &mut VaultWriter) -> Result<(usize, Vec<String>)> {
    files::remove_temp_files(&writer.root)?;
    let (records, skipped) = files::read_records(&writer.root)?;
    let rows: Vec<(CaptureRow, Vec<CaptureLink>)> = records.into_iter().map(CaptureRecord::into_row).collect();
    writer.archiver.store_mut().replace_captures(&rows)?;
    Ok((rows.len(), skipped))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_lines_read_back() {
        let headers = vec![
            ("content-type".to_owned(), "text/xml; charset=utf-8".to_owned()),
            ("x".to_owned(), "a\r\nb".to_owned()),
        ];
        let text = header_lines(&headers);
        assert_eq!(text, "content-type: text/xml; charset=utf-8\nx: a  b");
        assert_eq!(parse_header_lines(&text)[0], headers[0]);
        assert_eq!(media_type("Application/RSS+XML; charset=utf-8").as_deref(), Some("application/rss+xml"));
        assert_eq!(media_type(" ; x"), None);
    }
}
