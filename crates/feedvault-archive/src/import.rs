//! Bringing article files from other archives into the vault.
//!
//! Reads the dated layout (`archive/<feed>/YYYY/MM/DD/*.md`), the countdown layout
//! (`articles/<site>/<id>.md`) and its older variant (`articles/<site name>/<id>_<title>.md`,
//! site names often Chinese), and loose files. The feed is the folder's name made a
//! slug (or the feed a `[import] folders` mapping names), else the link's host. Each
//! file is copied byte for byte (it is evidence) to where the vault's layout puts it,
//! and recorded with its link as identity, so a later fetch of the same item adopts
//! it instead of archiving it twice, whatever the subscription is called. Files that
//! are not article files are reported and skipped; nothing is half-imported.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use chrono::{DateTime, Utc};
use feedvault_core::identity::{file_hash, item_key, sha256_hex};
use feedvault_core::{Article, Item, slug};
use feedvault_store::{ArticleRow, Change, Lookup, Origin, Store};

use crate::durable::Batch;
use crate::indexes::is_index_file;
use crate::layout::{self, Layout};
use crate::scan::read_article;
use crate::writer::Archiver;
use crate::{Result, io_error};

/// Files copied per durable batch.
const BATCH: usize = 1000;

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub imported: usize,
    pub already_present: usize,
    /// Articles per feed imported.
    pub by_feed: BTreeMap<String, usize>,
    /// Files not imported, with why.
    pub skipped: Vec<String>,
    /// Files whose time was not a number (imported; dated by the file's mtime).
    pub undated: Vec<String>,
    /// (path in the vault, feed, article) of every file imported, for the search index.
    pub articles: Vec<(String, String, Article)>,
    /// README index files the caller rewrote after the import (vault-relative).
    pub indexes: Vec<String>,
}

/// How an import names feeds.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Folder names of the source archive (e.g. `纽约时报`) to feed names (`nyt`).
    pub folders: BTreeMap<String, String>,
}

struct Candidate {
    source: String,
    folder_feed: Option<String>,
    countdown_id: Option<u32>,
}

/// Imports every `.md` file under `source` into the archiver's vault.
pub fn import_archive<S: Store>(
    archiver: &mut Archiver<S>,
    source: &Path,
    now: DateTime<Utc>,
    options: &ImportOptions,
) -> Result<ImportReport> {
    let mut candidates = Vec::new();
    collect(source, source, &options.folders, &mut candidates)?;
    candidates.sort_by(|a, b| a.source.cmp(&b.source));
    let mut report = ImportReport::default();
    for chunk in candidates.chunks(BATCH) {
        import_chunk(archiver, source, chunk, now, &mut report)?;
    }
    Ok(report)
}

fn collect(root: &Path, dir: &Path, folders: &BTreeMap<String, String>, out: &mut Vec<Candidate>) -> Result<()> {
    for entry in fs::read_dir(dir).map_err(io_error(dir))? {
        let entry = entry.map_err(io_error(dir))?;
        let kind = entry.file_type().map_err(io_error(entry.path()))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if kind.is_dir() && !name.ends_with(".revisions") && !name.starts_with('.') {
            collect(root, &path, folders, out)?;
        } else if kind.is_file() && name.ends_with(".md") && !name.starts_with('.') {
            let relative = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            if is_index_of_an_archive(&relative) {
                continue;
            }
            let (folder, countdown_id) = classify(&relative);
            let folder_feed = match folder {
                Some(name) => match folders.get(&name) {
                    Some(feed) => Some(slug::words(feed, 40)).filter(|f| !f.is_empty()),
                    None => Some(slug::words(&name, 40)).filter(|f| !f.is_empty()),
                },
                None => None,
            };
            out.push(Candidate { source: relative, folder_feed, countdown_id });
        }
    }
    Ok(())
}

/// True for a README index of a dated archive (not an article): at its place under
/// the source's last `archive` folder, or under the source itself (an `archive/`
/// folder given as the source).
fn is_index_of_an_archive(relative: &str) -> bool {
    let parts: Vec<&str> = relative.split('/').collect();
    let from_archive = parts.iter().rposition(|p| *p == "archive").map(|at| parts[at..].join("/"));
    from_archive.is_some_and(|p| is_index_file(&p)) || is_index_file(&format!("archive/{relative}"))
}

/// The feed folder (as named in the source) and countdown id a relative path
/// implies, by layout.
fn classify(relative: &str) -> (Option<String>, Option<u32>) {
    let parts: Vec<&str> = relative.split('/').collect();
    let Some(at) = parts.iter().rposition(|p| *p == "archive" || *p == "articles") else {
        return (None, None);
    };
    let rest = &parts[at + 1..];
    if rest.len() < 2 {
        return (None, None);
    }
    let folder = rest[0].to_owned();
    let countdown = parts[at] == "articles" && rest.len() == 2;
    let id = countdown
        .then(|| rest[1].strip_suffix(".md"))
        .flatten()
        .and_then(|stem| stem.split('_').next())
        .and_then(|id| id.parse().ok());
    (Some(folder), id)
}

fn import_chunk<S: Store>(
    archiver: &mut Archiver<S>,
    source_root: &Path,
    chunk: &[Candidate],
    now: DateTime<Utc>,
    report: &mut ImportReport,
) -> Result<()> {
    let root = archiver.root().to_owned();
    let settings = archiver.settings();
    let mut batch = Batch::new(&root);
    let mut changes = Vec::new();
    let mut taken = std::collections::HashSet::new();
    for candidate in chunk {
        let full = source_root.join(&candidate.source);
        let (bytes, article) = match read_article(&full)? {
            Ok(read) => read,
            Err(why) => {
                report.skipped.push(why);
                continue;
            }
        };
        let host_feed =
            || url::Url::parse(&article.url).ok().and_then(|u| u.host_str().map(|h| slug::feed_slug(None, h)));
        let feed = candidate.folder_feed.clone().or_else(host_feed).unwrap_or_else(|| "imported".to_owned());
        let as_item = Item {
            link: Some(article.url.clone()).filter(|u| !u.is_empty()),
            title: Some(article.title.clone()),
            content_html: Some(article.body.clone()),
            ..Item::default()
        };
        let key = item_key(&as_item);
        let key_hash = sha256_hex(&[key.as_bytes()])[..8].to_owned();
        let content_hash = article.content_hash();
        let link_key = crate::writer::link_key(&article.url);
        let lookup = Lookup {
            feed: &feed,
            item_key: &key,
            key_hash: &key_hash,
            url: &article.url,
            link_key: link_key.as_deref(),
            content_hash: Some(&content_hash),
            raw_hash: None,
            earlier_keys: &[],
        };
        if let Some(existing) = archiver.store().find_article(lookup)? {
            if existing.content_hash == content_hash {
                report.already_present += 1;
            } else {
                report.skipped.push(format!(
                    "{}: another version of {} is already archived",
                    full.display(),
                    existing.path
                ));
            }
            continue;
        }
        let time = match article.time.to_datetime() {
            Some(time) => time,
            None => {
                report.undated.push(full.display().to_string());
                fs::metadata(&full).and_then(|m| m.modified()).map(DateTime::<Utc>::from).unwrap_or(now)
            }
        };
        let (path, already_there) = match settings.layout {
            // The same rules as a fetch: the identity's short hash, longer on a
            // collision, and an identical file already there is recorded, not copied.
            Layout::Dated => archiver.new_path(&feed, &key, &article, time, &content_hash, &taken)?,
            Layout::Countdown => {
                let wanted = candidate.countdown_id.map(|id| layout::countdown_path(&feed, id));
                match wanted.filter(|p| !taken.contains(p) && !root.join(p).exists()) {
                    Some(path) => (path, false),
                    None => (layout::countdown_path(&feed, archiver.next_countdown_id(&feed)?), false),
                }
            }
        };
        if !already_there {
            let destination = root.join(&path);
            batch.stage(&destination, &bytes).map_err(io_error(&destination))?;
        }
        taken.insert(path.clone());
        *report.by_feed.entry(feed.clone()).or_default() += 1;
        report.imported += 1;
        report.articles.push((path.clone(), feed.clone(), article.clone()));
        changes.push(Change::Insert(ArticleRow {
            id: 0,
            feed,
            item_key: None,
            key_hash: Some(key_hash),
            path,
            url: article.url,
            title: article.title,
            time_ms: article.time.millis(),
            content_hash,
            first_seen_at: now.timestamp_millis(),
            version_seen_at: now.timestamp_millis(),
            revisions: 0,
            origin: Origin::Import,
            file_hash: Some(file_hash(&bytes)),
            link_key,
            raw_hash: None,
        }));
    }
    batch.commit().map_err(io_error(&root))?;
    archiver.store_mut().apply(&changes)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_files_of_a_source_are_recognized_by_place() {
        for path in [
            "archive/README.md",
            "archive/nyt/README.md",
            "archive/nyt/2022/09/20/README.md",
            "old/vault/archive/nyt/2022/09/20/README.md",
            "README.md",
            "nyt/README.md",
            "nyt/2022/09/20/README.md",
        ] {
            assert!(is_index_of_an_archive(path), "{path}");
        }
        for path in ["archive/nyt/2022/README.md", "archive/nyt/2022/09/20/readme.md", "a/b/c/README.md", "x.md"] {
            assert!(!is_index_of_an_archive(path), "{path}");
        }
    }

    #[test]
    fn layouts_are_recognized_from_paths() {
        let cases = [
            ("archive/nyt/2022/09/20/a-1234abcd.md", (Some("nyt"), None)),
            ("articles/nytimes/1048575.md", (Some("nytimes"), Some(1048575))),
            ("old/articles/BBC News/1048570_标题.md", (Some("BBC News"), Some(1048570))),
            ("articles/纽约时报中文网/1048570_标题.md", (Some("纽约时报中文网"), Some(1048570))),
            ("loose.md", (None, None)),
            ("notes/2022/x.md", (None, None)),
        ];
        for (path, (feed, id)) in cases {
            let (got_feed, got_id) = classify(path);
            assert_eq!((got_feed.as_deref(), got_id), (feed, id), "{path}");
        }
    }
}
