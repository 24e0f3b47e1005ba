//! `feedvault fetch [--force]`: fetch every due feed once and archive.
//!
//! Feeds are fetched concurrently (network on the tokio pool); each result is then
//! parsed and archived on this thread, one feed at a time, because one process
//! writes the vault. Every feed is due on every run until scheduling lands; `--force`
//! also ignores the validators and the unchanged-body shortcut. A failing feed is
//! reported in one line and recorded (see `list`); the others go on, and the exit
//! code stays 0. A failure to write the vault itself exits 1.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;
use chrono::Utc;
use feedvault_archive::{ArchiveReport, Archiver};
use feedvault_core::identity::sha256_hex;
use feedvault_feed::ParseOptions;
use feedvault_fetch::{FetchError, FetchOptions, Fetched, Fetcher, Source, Validators};
use feedvault_store::{CheckOutcome, SqliteStore, Store};
use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::config::{Config, FeedEntry};

/// Feeds fetched at once.
const CONCURRENCY: usize = 16;

/// How one feed's turn ended.
enum Outcome {
    Archived(ArchiveReport),
    Unchanged,
    Failed(String),
}

pub fn run(vault: &Path, force: bool) -> Result<ExitCode> {
    let config = Config::load(vault)?;
    let mut archiver = super::open_archiver(vault, &config)?;
    let mut search = super::index::open(vault)?;
    let removed = feedvault_archive::verify::remove_temp_files(vault)?;
    if removed > 0 {
        eprintln!("feedvault: removed {removed} temporary files left by an interrupted run");
    }
    if config.feeds.is_empty() {
        println!("No feeds to fetch: subscribe with `feedvault add URL`.");
        return Ok(ExitCode::SUCCESS);
    }
    let options = FetchOptions { max_bytes: config.max_feed_bytes, ..FetchOptions::default() };
    let fetcher = Fetcher::new(options)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let progress = ProgressBar::new(config.feeds.len() as u64)
        .with_style(ProgressStyle::with_template("{bar:30} {pos}/{len} feeds {msg}").expect("a valid template"));

    let mut jobs = JoinSet::new();
    let limit = Arc::new(Semaphore::new(CONCURRENCY));
    for (index, feed) in config.feeds.iter().enumerate() {
        let source = Source::parse(&feed.url, vault).map_err(|e| crate::usage!("feed {}: {e}", feed.name))?;
        let state = archiver.store().feed(&feed.name)?.unwrap_or_default();
        let validators = if force {
            Validators::default()
        } else {
            Validators { etag: state.etag, last_modified: state.last_modified }
        };
        let (fetcher, limit) = (fetcher.clone(), limit.clone());
        jobs.spawn_on(
            async move {
                let _permit = limit.acquire_owned().await.expect("the semaphore is never closed");
                (index, source.clone(), fetcher.fetch(&source, &validators).await)
            },
            runtime.handle(),
        );
    }

    let mut outcomes: Vec<Option<Outcome>> = config.feeds.iter().map(|_| None).collect();
    let mut vault_error = None;
    while let Some(joined) = runtime.block_on(jobs.join_next()) {
        let (index, source, fetched) = joined?;
        let feed = &config.feeds[index];
        progress.set_message(feed.name.clone());
        let outcome = archive_one(&mut archiver, feed, &source, fetched, force, config.max_feed_bytes)
            .and_then(|outcome| index_changes(&mut search, &feed.name, outcome));
        let outcome = match outcome {
            Ok(outcome) => outcome,
            Err(err) => {
                vault_error.get_or_insert_with(|| format!("{err:#}"));
                Outcome::Failed(format!("{err:#}"))
            }
        };
        if let Outcome::Failed(message) = &outcome {
            progress.suspend(|| eprintln!("feedvault: feed {}: {message}", feed.name));
        }
        outcomes[index] = Some(outcome);
        progress.inc(1);
    }
    progress.finish_and_clear();
    if let Err(err) = search.commit() {
        vault_error.get_or_insert_with(|| format!("{err:#}"));
    }
    print_summary(&config.feeds, &outcomes, archiver.settings().layout.root());
    match vault_error {
        Some(err) => Err(anyhow::anyhow!("the vault could not be written: {err}")),
        None => Ok(ExitCode::SUCCESS),
    }
}

/// Adds what an archive step changed to the search index (committed at the end).
fn index_changes(index: &mut feedvault_search::SearchIndex, feed: &str, outcome: Outcome) -> Result<Outcome> {
    if let Outcome::Archived(report) = &outcome {
        index.upsert(report.changed.iter().map(|(path, article)| super::index::document(path, feed, article)))?;
    }
    Ok(outcome)
}

/// Parses and archives one fetched feed, recording the check. `Err` is a failure of
/// the vault (disk, state.db), not of the feed.
fn archive_one(
    archiver: &mut Archiver<SqliteStore>,
    feed: &FeedEntry,
    source: &Source,
    fetched: Result<Fetched, FetchError>,
    force: bool,
    max_bytes: usize,
) -> Result<Outcome> {
    let now = Utc::now();
    let now_ms = now.timestamp_millis();
    let previous = archiver.store().feed(&feed.name)?.unwrap_or_default();
    let fail = |archiver: &mut Archiver<SqliteStore>, error: String| -> Result<Outcome> {
        archiver.store_mut().record_check(&feed.name, now_ms, &CheckOutcome::Failure { error: error.clone() })?;
        Ok(Outcome::Failed(error))
    };
    let body = match fetched {
        Err(err) => return fail(archiver, err.to_string()),
        Ok(Fetched::NotModified) => {
            let unchanged = CheckOutcome::Success {
                title: previous.title.clone().unwrap_or_default(),
                etag: previous.etag.clone(),
                last_modified: previous.last_modified.clone(),
                body_hash: previous.body_hash.clone(),
                items: 0,
            };
            archiver.store_mut().record_check(&feed.name, now_ms, &unchanged)?;
            return Ok(Outcome::Unchanged);
        }
        Ok(Fetched::Body(body)) => body,
    };
    let body_hash = sha256_hex(&[&body.bytes]);
    let success = |title: String, items: usize| CheckOutcome::Success {
        title,
        etag: body.validators.etag.clone(),
        last_modified: body.validators.last_modified.clone(),
        body_hash: Some(body_hash.clone()),
        items: items as u64,
    };
    if !force && previous.body_hash.as_deref() == Some(body_hash.as_str()) {
        archiver.store_mut().record_check(
            &feed.name,
            now_ms,
            &success(previous.title.clone().unwrap_or_default(), 0),
        )?;
        return Ok(Outcome::Unchanged);
    }
    let options = ParseOptions {
        url: source.base_url().map(|_| body.final_url.clone()),
        http_charset: body.charset.clone(),
        max_bytes,
        zone: feed.timezone,
    };
    let parsed = match feedvault_feed::parse(&body.bytes, &options) {
        Ok(parsed) => parsed,
        Err(err) => return fail(archiver, err.to_string()),
    };
    let report = archiver.archive_items(&feed.name, &parsed.items, now)?;
    archiver.store_mut().record_check(&feed.name, now_ms, &success(parsed.title.clone(), parsed.items.len()))?;
    Ok(Outcome::Archived(report))
}

fn print_summary(feeds: &[FeedEntry], outcomes: &[Option<Outcome>], root: &str) {
    let (mut new, mut revised, mut unchanged, mut failed) = (0, 0, 0, 0);
    for (feed, outcome) in feeds.iter().zip(outcomes) {
        let line = match outcome {
            Some(Outcome::Archived(r)) => {
                new += r.new;
                revised += r.revised;
                unchanged += r.unchanged;
                format!("{} new, {} revised, {} unchanged -> {root}/{}/", r.new, r.revised, r.unchanged, feed.name)
            }
            Some(Outcome::Unchanged) => "not changed since the last fetch".to_owned(),
            Some(Outcome::Failed(_)) | None => {
                failed += 1;
                "failed (see above; `feedvault list` keeps the error)".to_owned()
            }
        };
        println!("{}: {line}", feed.name);
    }
    println!(
        "Fetched {}: {} ({revised} revised, {unchanged} unchanged); {} failed.",
        count(feeds.len(), "feed"),
        count(new, "new article"),
        count(failed, "feed")
    );
}

/// `1 feed`, `2 feeds`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}
