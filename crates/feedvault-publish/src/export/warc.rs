//! The archive as a WARC/1.1 file: a `warcinfo` record; a `request` and a `response`
//! record per raw capture, in the order they were made (linked by
//! `WARC-Concurrent-To`; the response's payload is the body as kept, see [`super::http`]);
//! then one `resource` record per archived version (each article's earlier versions
//! oldest first, then its current one), articles in the order they were first
//! archived. A version that came from a capture names its response record in
//! `WARC-Refers-To` (the page's when its text came from one, else the feed
//! document's) and lists every capture it came from in `Feedvault-Capture-ID`.
//!
//! A version's payload is its article file, byte for byte (`text/markdown;
//! charset=utf-8`): the file is the archive, and its digest is the file's own
//! SHA-256. `WARC-Target-URI` is the version's link (percent-encoded where a URI
//! may not hold a byte; `urn:feedvault:PATH` for an article without one),
//! `WARC-Date` when that version was first seen, and `Feedvault-Path` its file in
//! the vault. Record ids are UUIDs derived from the article's path and the time the
//! version was first seen, and every other field from the vault, so the same vault
//! exports to the same bytes. A name ending in `.gz` gets one gzip member per record.

use std::path::Path;

use chrono::{DateTime, Utc};
use std::io::Write;

use feedvault_engine::{ArticleCapture, ArticleQuery, CaptureRow, StoredArticle, Vault, VersionFile};

use super::output::OutputFile;
use super::record::{Record, RecordWriter, id_field, record_id, uri_value};
use super::{ExportError, ExportReport, Result, Unreadable};

/// The payload type of every version record.
pub const ARTICLE_TYPE: &str = "text/markdown; charset=utf-8";

fn time(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// `WARC-Target-URI` of a version: its link, else a URN naming the article's path.
fn target_uri(url: &str, article_path: &str) -> String {
    match url {
        "" => format!("urn:feedvault:{}", uri_value(article_path)),
        url => uri_value(url),
    }
}

/// The fields of the `warcinfo` record (`application/warc-fields`).
fn warcinfo_block(articles: u64, revisions: u64, captures: bool) -> String {
    let captures = if captures {
        "; each raw capture (the HTTP response archived from) is a request and a response record"
    } else {
        ""
    };
    [
        format!("software: feedvault/{}", env!("CARGO_PKG_VERSION")),
        "format: WARC File Format 1.1".to_owned(),
        "conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/".to_owned(),
        format!(
            "description: a feedvault archive, one resource record per archived version of each article \
             (articles: {articles}, earlier versions: {revisions}); the payload is the article file{captures}"
        ),
    ]
    .iter()
    .map(|line| format!("{line}\r\n"))
    .collect()
}

/// Writes the whole archive to `path` (gzipped per record when it ends in `.gz`),
/// calling `unreadable` for every file left out. The file appears only when
/// complete.
pub fn export_warc(vault: &Vault, path: &Path, mut unreadable: impl FnMut(Unreadable<'_>)) -> Result<ExportReport> {
    let gzip = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let output = OutputFile::create(path)?;
    let file_name = output.file_name();
    let mut writer = RecordWriter::new(output, gzip);

    let (articles, revisions) = vault.counts()?;
    let last = vault.last_seen_at()?.unwrap_or(0);
    let info_id = record_id(&format!("warcinfo:{file_name}:{last}:{articles}:{revisions}"));
    let has_captures = !vault.captures_after(None, 1)?.is_empty();
    let info = warcinfo_block(articles, revisions, has_captures);
    writer
        .write(&Record {
            kind: "warcinfo",
            id: info_id,
            date: time(last),
            fields: vec![("WARC-Filename", file_name)],
            content_type: "application/warc-fields",
            block: info.as_bytes(),
            payload_from: None,
        })
        .map_err(ExportError::Write)?;

    let mut report = ExportReport::default();
    let info_field = id_field(info_id);
    write_captures(vault, &mut writer, &info_field, &mut report, &mut unreadable)?;
    let mut captures: Vec<ArticleCapture> = Vec::new();
    let mut version =
        |article_path: &str, file_path: &str, seen_at: i64, file: &VersionFile, from: &[ArticleCapture]| {
            let target = target_uri(&file.article.url, article_path);
            let mut fields = vec![
                ("WARC-Target-URI", target),
                ("WARC-Warcinfo-ID", info_field.clone()),
                ("Feedvault-Path", uri_value(file_path)),
            ];
            let sources: Vec<&CaptureRow> = from.iter().filter(|c| c.seen_at == seen_at).map(|c| &c.capture).collect();
            let refers = sources.iter().find(|c| c.kind == "page").or(sources.first());
            if let Some(capture) = refers {
                fields.push(("WARC-Refers-To", id_field(response_id(capture))));
            }
            for capture in &sources {
                fields.push(("Feedvault-Capture-ID", capture.id.clone()));
            }
            writer.write(&Record {
                kind: "resource",
                id: record_id(&format!("{article_path}@{seen_at}")),
                date: time(seen_at),
                fields,
                content_type: ARTICLE_TYPE,
                block: &file.bytes,
                payload_from: Some(0),
            })
        };
    vault.for_each_article(&ArticleQuery::default(), true, |stored: StoredArticle| {
        let path = &stored.summary.path;
        captures = if has_captures { vault.article_captures(path)? } else { Vec::new() };
        for revision in &stored.revisions {
            match &revision.file {
                Ok(file) => {
                    version(path, &revision.path, revision.seen_at, file, &captures).map_err(ExportError::Write)?;
                    report.revisions += 1;
                }
                Err(why) => {
                    unreadable(Unreadable { path: &revision.path, why });
                    report.unreadable += 1;
                }
            }
        }
        match &stored.file {
            Ok(file) => {
                version(path, path, stored.summary.version_seen_at, file, &captures).map_err(ExportError::Write)?;
                report.articles += 1;
            }
            Err(why) => {
                unreadable(Unreadable { path, why });
                report.unreadable += 1;
            }
        }
        Ok::<(), ExportError>(())
    })?;
    writer.into_inner().commit()?;
    Ok(report)
}

/// Captures read from state.db at a time.
const CAPTURE_PAGE: usize = 256;

/// The `response` record id of a capture.
fn response_id(capture: &CaptureRow) -> uuid::Uuid {
    record_id(&format!("response:{}", capture.id))
}

/// Writes a `request` and a `response` record per capture, oldest first. A capture
/// whose body cannot be read is reported and left out.
fn write_captures<W: Write>(
    vault: &Vault,
    writer: &mut RecordWriter<W>,
    info_field: &str,
    report: &mut ExportReport,
    unreadable: &mut impl FnMut(Unreadable<'_>),
) -> Result<()> {
    let mut after: Option<CaptureRow> = None;
    loop {
        let page = vault.captures_after(after.as_ref(), CAPTURE_PAGE)?;
        let Some(last) = page.last().cloned() else { return Ok(()) };
        for capture in &page {
            let body = match vault.capture_body(capture) {
                Ok(body) => body,
                Err(err) => {
                    let path = feedvault_archive::captures::body_path(&capture.body_hash);
                    unreadable(Unreadable { path: &path, why: &err.to_string() });
                    report.unreadable += 1;
                    continue;
                }
            };
            let target = uri_value(&capture.final_url);
            let (request_id, response_id) = (record_id(&format!("request:{}", capture.id)), response_id(capture));
            let date = time(capture.fetched_at);
            let (block, payload_from) = super::http::response_block(capture, &body);
            writer
                .write(&Record {
                    kind: "response",
                    id: response_id,
                    date,
                    fields: vec![
                        ("WARC-Target-URI", target.clone()),
                        ("WARC-Warcinfo-ID", info_field.to_owned()),
                        ("WARC-Concurrent-To", id_field(request_id)),
                        ("Feedvault-Capture-ID", capture.id.clone()),
                    ],
                    content_type: "application/http; msgtype=response",
                    block: &block,
                    payload_from: Some(payload_from),
                })
                .map_err(ExportError::Write)?;
            let request = super::http::request_block(capture);
            writer
                .write(&Record {
                    kind: "request",
                    id: request_id,
                    date,
                    fields: vec![
                        ("WARC-Target-URI", target),
                        ("WARC-Warcinfo-ID", info_field.to_owned()),
                        ("WARC-Concurrent-To", id_field(response_id)),
                    ],
                    content_type: "application/http; msgtype=request",
                    block: &request,
                    payload_from: None,
                })
                .map_err(ExportError::Write)?;
            report.captures += 1;
        }
        after = Some(last);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_version_has_a_target_uri() {
        assert_eq!(target_uri("https://e.org/a?b=1#c", "archive/f/a.md"), "https://e.org/a?b=1#c");
        assert_eq!(
            target_uri("", "archive/纽约时报/a.md"),
            "urn:feedvault:archive/%E7%BA%BD%E7%BA%A6%E6%97%B6%E6%8A%A5/a.md"
        );
        assert_eq!(target_uri("https://e.org/a b", "x"), "https://e.org/a%20b");
    }

    #[test]
    fn the_warcinfo_block_is_warc_fields() {
        let block = warcinfo_block(3, 1, true);
        assert!(block.ends_with("\r\n") && block.lines().all(|l| l.contains(": ")), "{block}");
        assert!(block.contains("(articles: 3, earlier versions: 1)"));
    }
}
