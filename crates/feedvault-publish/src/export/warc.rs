//! The archive as a WARC/1.1 file: a `warcinfo` record, then one `resource` record
//! per archived version (each article's earlier versions oldest first, then its
//! current one), articles in the order they were first archived.
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
use feedvault_engine::{ArticleQuery, StoredArticle, Vault, VersionFile};

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
fn warcinfo_block(articles: u64, revisions: u64) -> String {
    [
        format!("software: feedvault/{}", env!("CARGO_PKG_VERSION")),
        "format: WARC File Format 1.1".to_owned(),
        "conformsTo: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/".to_owned(),
        format!(
            "description: a feedvault archive, one resource record per archived version of each article \
             (articles: {articles}, earlier versions: {revisions}); the payload is the article file"
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
    let info = warcinfo_block(articles, revisions);
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
    let mut version = |article_path: &str, file_path: &str, seen_at: i64, file: &VersionFile| {
        let target = target_uri(&file.article.url, article_path);
        writer.write(&Record {
            kind: "resource",
            id: record_id(&format!("{article_path}@{seen_at}")),
            date: time(seen_at),
            fields: vec![
                ("WARC-Target-URI", target),
                ("WARC-Warcinfo-ID", info_field.clone()),
                ("Feedvault-Path", uri_value(file_path)),
            ],
            content_type: ARTICLE_TYPE,
            block: &file.bytes,
            payload_from: Some(0),
        })
    };
    vault.for_each_article(&ArticleQuery::default(), true, |stored: StoredArticle| {
        let path = &stored.summary.path;
        for revision in &stored.revisions {
            match &revision.file {
                Ok(file) => {
                    version(path, &revision.path, revision.seen_at, file).map_err(ExportError::Write)?;
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
                version(path, path, stored.summary.version_seen_at, file).map_err(ExportError::Write)?;
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
        let block = warcinfo_block(3, 1);
        assert!(block.ends_with("\r\n") && block.lines().all(|l| l.contains(": ")), "{block}");
        assert!(block.contains("(articles: 3, earlier versions: 1)"));
    }
}
