//! Images kept: every image a new or revised article references ([`find`]) is
//! downloaded once through the vault's fetcher ([`download`]: its politeness,
//! limits, timeouts and proxy; the feed's headers and cookies only to the feed's
//! own origin; the size limit enforced while the body streams in), checked by its
//! magic numbers ([`magic`]), stored under assets/ by content hash ([`files`]) and
//! recorded per article in state.db and in assets/records.jsonl. The article file
//! is never changed.
//!
//! Opt-in: `[preserve.images] enabled`, or a feed's `images = true|false`. A
//! failed image never fails the feed: it is reported per article and recorded; a
//! failure that may pass (a timeout, a lost connection, 429 or 5xx) is tried again
//! on later cycles, at most [`MAX_ATTEMPTS`] times in all, an hour apart at least.
//! An image whose bytes are not an allowed type is refused whatever its
//! Content-Type said; one whose Content-Type was wrong but whose bytes are an
//! allowed image is kept with the type its bytes show.

pub mod download;
pub mod files;
pub mod find;
pub mod magic;
mod read;

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use feedvault_core::Article;
use feedvault_store::{ArticleAsset, AssetRow, ChangeKind, Store, Unpublished};

use crate::settings::{FeedSettings, Settings};
use crate::{EngineError, Result, VaultWriter};

pub use find::reference_key;
pub use read::KeptImage;

/// Tries in all for an image whose failure may pass.
pub const MAX_ATTEMPTS: u32 = 3;
/// The least time between two tries of one image (ms).
const RETRY_AFTER_MS: i64 = 3600 * 1000;
/// Images tried again per cycle at most.
const RETRIES_PER_CYCLE: usize = 32;

/// What keeping images did for one feed's articles.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImageNotes {
    /// Images downloaded and stored (a file new to assets/ or not).
    pub kept: usize,
    /// Images already kept for another article or URL (not downloaded again).
    pub reused: usize,
    pub failures: Vec<ImageFailure>,
}

/// One image that could not be kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFailure {
    pub article: String,
    pub url: String,
    pub why: String,
}

impl ImageFailure {
    pub fn describe(&self) -> String {
        format!("image {} of {}: {}; it stays a link", self.url, self.article, self.why)
    }
}

/// Whether the feed's images are kept.
pub fn enabled_for(settings: &Settings, feed: &FeedSettings) -> bool {
    feed.images.unwrap_or(settings.preserve.images.enabled)
}

/// One image to download for one or more articles.
struct Job {
    key: String,
    fetch: Vec<url::Url>,
    /// (article, attempts before this one).
    articles: Vec<(String, u32)>,
}

/// Keeps the images of a feed's new and revised articles (the cycle calls it right
/// after archiving them).
pub(crate) fn keep(
    writer: &mut VaultWriter,
    settings: &Settings,
    feed: &FeedSettings,
    changed: &[(String, Article)],
    now: DateTime<Utc>,
) -> Result<ImageNotes> {
    let mut notes = ImageNotes::default();
    if !enabled_for(settings, feed) || changed.is_empty() {
        return Ok(notes);
    }
    let per_article = settings.preserve.images.per_article as usize;
    let mut jobs: BTreeMap<String, Job> = BTreeMap::new();
    let mut links = Vec::new();
    let mut records = Vec::new();
    for (path, article) in changed {
        let known: HashMap<String, ArticleAsset> =
            writer.archiver.store().article_assets(path)?.into_iter().map(|a| (a.url.clone(), a)).collect();
        for reference in find::references(&article.body, &article.url).into_iter().take(per_article) {
            // A failure is tried again on the retry pass's terms only: never more than
            // MAX_ATTEMPTS in all, never sooner than RETRY_AFTER_MS after the last try.
            let retry_due = |a: &ArticleAsset| {
                a.retry && a.attempts < MAX_ATTEMPTS && a.tried_at <= now.timestamp_millis() - RETRY_AFTER_MS
            };
            if known.get(&reference.key).is_some_and(|a| a.kept.is_ok() || !retry_due(a)) {
                continue;
            }
            if let Some(asset) = writer.archiver.store().kept_url(&reference.key)? {
                notes.reused += 1;
                records.push(record(path, &reference.key, &asset, now));
                links.push(kept_link(path, &reference.key, &asset.hash, 1, now));
                continue;
            }
            let attempts = known.get(&reference.key).map_or(0, |a| a.attempts);
            let job = jobs.entry(reference.key.clone()).or_insert_with(|| Job {
                key: reference.key.clone(),
                fetch: reference.fetch.clone(),
                articles: Vec::new(),
            });
            job.articles.push((path.clone(), attempts));
        }
    }
    let jobs: Vec<Job> = jobs.into_values().collect();
    run(writer, settings, feed, jobs, links, records, now, &mut notes)?;
    Ok(notes)
}

/// Tries again the images whose failure may pass (once per cycle, after the feeds).
pub(crate) fn retry_failed(writer: &mut VaultWriter, settings: &Settings, now: DateTime<Utc>) -> Result<ImageNotes> {
    let mut notes = ImageNotes::default();
    let before = now.timestamp_millis() - RETRY_AFTER_MS;
    let due = writer.archiver.store().assets_to_retry(MAX_ATTEMPTS, before, RETRIES_PER_CYCLE)?;
    let mut by_feed: BTreeMap<String, Vec<Job>> = BTreeMap::new();
    for failed in due {
        let Some(row) = writer.archiver.store().article_by_path(&failed.article)? else { continue };
        let Ok(url) = url::Url::parse(&failed.url) else { continue };
        let mut fetch: Vec<url::Url> = find::original(&url).into_iter().collect();
        fetch.push(url);
        let job = Job { key: failed.url.clone(), fetch, articles: vec![(failed.article.clone(), failed.attempts)] };
        by_feed.entry(row.feed).or_default().push(job);
    }
    for (name, jobs) in by_feed {
        let Some(feed) = settings.feeds.iter().find(|f| f.name == name) else { continue };
        if !enabled_for(settings, feed) {
            continue;
        }
        run(writer, settings, feed, jobs, Vec::new(), Vec::new(), now, &mut notes)?;
    }
    Ok(notes)
}

/// Downloads the jobs' images, stores the new files, and records everything.
#[allow(clippy::too_many_arguments)]
fn run(
    writer: &mut VaultWriter,
    settings: &Settings,
    feed: &FeedSettings,
    jobs: Vec<Job>,
    mut links: Vec<ArticleAsset>,
    mut records: Vec<files::Record>,
    now: DateTime<Utc>,
    notes: &mut ImageNotes,
) -> Result<()> {
    let limits = &settings.preserve.images;
    let spec =
        feedvault_fetch::RequestSpec { max_bytes: Some(limits.max_bytes as usize), ..settings.request_spec(feed)? };
    let urls: Vec<Vec<url::Url>> = jobs.iter().map(|job| job.fetch.clone()).collect();
    let fetched = download::fetch_all(writer, &feed.url, &spec, &urls);
    let mut batch = feedvault_archive::durable::Batch::new(&writer.root);
    let mut assets: Vec<AssetRow> = Vec::new();
    let mut journal = Vec::new();
    for (job, result) in jobs.into_iter().zip(fetched) {
        let stored = result.and_then(|bytes| {
            let (media_type, ext) = magic::sniff(&bytes).ok_or_else(|| download::Failure {
                why: "not an image: its bytes are not JPEG, PNG, GIF, WebP or AVIF".to_owned(),
                retry: false,
            })?;
            if !limits.types.iter().any(|t| t == media_type) {
                let why = format!("a {media_type} image, not among [preserve.images] types");
                return Err(download::Failure { why, retry: false });
            }
            let hash = files::content_hash(&bytes);
            let path = files::asset_path(&hash, ext);
            let asset = AssetRow { hash, media_type: media_type.to_owned(), bytes: bytes.len() as u64, path };
            Ok((asset, bytes))
        });
        match stored {
            Ok((asset, bytes)) => {
                let staged = assets.iter().any(|a| a.hash == asset.hash);
                if !staged && !writer.root.join(&asset.path).exists() {
                    batch.stage(&writer.root.join(&asset.path), &bytes).map_err(io(&writer.root, &asset.path))?;
                    journal.push(Unpublished { path: asset.path.clone(), feed: None, change: ChangeKind::Asset });
                }
                for (article, attempts) in &job.articles {
                    notes.kept += 1;
                    records.push(record(article, &job.key, &asset, now));
                    links.push(kept_link(article, &job.key, &asset.hash, attempts + 1, now));
                }
                if !staged {
                    assets.push(asset);
                }
            }
            Err(failure) => {
                for (article, attempts) in &job.articles {
                    notes.failures.push(ImageFailure {
                        article: article.clone(),
                        url: job.key.clone(),
                        why: failure.why.clone(),
                    });
                    links.push(ArticleAsset {
                        article: article.clone(),
                        url: job.key.clone(),
                        kept: Err(failure.why.clone()),
                        retry: failure.retry,
                        attempts: attempts + 1,
                        tried_at: now.timestamp_millis(),
                    });
                }
            }
        }
    }
    // Files first, then the records file, then state.db: a crash leaves at worst a
    // file no record names (verify checks it against its name all the same).
    batch.commit().map_err(io(&writer.root, "assets"))?;
    files::append(&writer.root, &records).map_err(io(&writer.root, files::RECORDS))?;
    if !records.is_empty() {
        journal.push(Unpublished { path: files::RECORDS.to_owned(), feed: None, change: ChangeKind::Asset });
    }
    writer.archiver.store_mut().record_assets(&assets, &links)?;
    writer.mark_unpublished(&journal)?;
    Ok(())
}

fn record(article: &str, url: &str, asset: &AssetRow, now: DateTime<Utc>) -> files::Record {
    files::Record {
        article: article.to_owned(),
        url: url.to_owned(),
        hash: asset.hash.clone(),
        media_type: asset.media_type.clone(),
        bytes: asset.bytes,
        at: now.timestamp_millis(),
    }
}

fn kept_link(article: &str, url: &str, hash: &str, attempts: u32, now: DateTime<Utc>) -> ArticleAsset {
    ArticleAsset {
        article: article.to_owned(),
        url: url.to_owned(),
        kept: Ok(hash.to_owned()),
        retry: false,
        attempts,
        tried_at: now.timestamp_millis(),
    }
}

fn io(root: &std::path::Path, path: &str) -> impl FnOnce(std::io::Error) -> EngineError {
    let path = root.join(path);
    move |source| EngineError::Io { path, source }
}

/// Rebuilds state.db's records of kept images from assets/records.jsonl (`reindex`).
/// Returns the images recorded and the unreadable lines.
pub(crate) fn reindex(writer: &mut VaultWriter) -> Result<(usize, Vec<usize>)> {
    let (records, bad) = files::read(&writer.root).map_err(io(&writer.root, files::RECORDS))?;
    let mut assets: Vec<AssetRow> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for record in &records {
        if let Some(asset) = record.asset()
            && seen.insert(asset.hash.clone())
        {
            assets.push(asset);
        }
    }
    let links: Vec<ArticleAsset> = records.iter().map(files::Record::link).collect();
    let store = writer.archiver.store_mut();
    store.clear_assets()?;
    store.record_assets(&assets, &links)?;
    Ok((links.len(), bad))
}

/// `verify`'s check of the kept images.
pub fn verify(root: &std::path::Path, recorded: &[AssetRow]) -> Result<Vec<String>> {
    files::verify(root, recorded).map_err(io(root, "assets"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_overrides_the_vault_and_limits_are_checked() {
        let text = "[preserve.images]\nenabled = true\nmax_bytes = 1000\ntypes = [\"image/png\"]\n\n\
                    [[feeds]]\nname = \"a\"\nurl = \"https://a.example/feed\"\n\n\
                    [[feeds]]\nname = \"b\"\nurl = \"https://b.example/feed\"\nimages = false\n";
        let settings = Settings::parse(text, "feedvault.toml").unwrap();
        assert_eq!((settings.preserve.images.max_bytes, settings.preserve.images.types.len()), (1000, 1));
        assert!(enabled_for(&settings, &settings.feeds[0]));
        assert!(!enabled_for(&settings, &settings.feeds[1]));
        let off =
            Settings::parse("[[feeds]]\nname = \"c\"\nurl = \"https://c.example/\"\nimages = true\n", "t").unwrap();
        assert!(!off.preserve.images.enabled && enabled_for(&off, &off.feeds[0]));
        for (bad, want) in [
            ("[preserve.images]\nmax_bytes = 0\n", "must be more than 0"),
            ("[preserve.images]\ntypes = [\"image/svg+xml\"]\n", "SVG is never kept"),
            ("[preserve.images]\ntypes = [\"text/html\"]\n", "\"text/html\" cannot be kept"),
            ("[preserve.images]\nsize = 3\n", "unknown key `size` in [preserve.images]"),
        ] {
            let err = Settings::parse(bad, "feedvault.toml").unwrap_err().to_string();
            assert!(err.contains(want), "{bad}: {err}");
        }
    }
}
