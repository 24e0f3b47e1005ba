//! One fetch cycle (the processor): every due feed fetched, politely and
//! concurrently on the tokio pool, then parsed, archived and scheduled on the
//! calling thread, one feed at a time (one process writes the vault), while the
//! indexer thread indexes what was archived.
//!
//! Feeds are referred to by name throughout: the cycle works on the settings as
//! they were when it started, and a feed removed meanwhile is still written under
//! its own name (never under another feed's), while the write-back of a permanent
//! redirect edits feedvault.toml under its lock, by name, and does nothing for a
//! feed that is gone from it. What to do with each feed's check is decided by the
//! pure [`decide`]; this module carries it out. A failure of the vault itself
//! (disk, state.db, index) stops nothing already written and is returned at the end.

pub mod decide;

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};
use feedvault_archive::{Layout, lists};
use feedvault_core::FailureKind;
use feedvault_core::identity::sha256_hex;
use feedvault_feed::ParseOptions;
use feedvault_fetch::schedule::{self, GoneRule, Hints, ScheduleOptions};
use feedvault_fetch::{FetchError, Fetched, RequestSpec, Response, Source, Validators};
use feedvault_store::{FeedState, Store};
use tokio::task::JoinSet;

use crate::config_file;
use crate::preserve::captures::{self, RawResponse};
use crate::settings::{FeedSettings, Settings};
use crate::{EngineError, Result, VaultWriter};
use decide::{Context, Observed};

/// How one feed's turn ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Archived {
        new: usize,
        revised: usize,
        unchanged: usize,
    },
    /// 304, or the same body as last time.
    Unchanged,
    Failed {
        kind: FailureKind,
        message: String,
    },
}

/// One feed's turn, as the callers report it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedResult {
    pub name: String,
    pub outcome: Outcome,
    pub next_check_at: i64,
    /// The feed's window rolled past items never seen.
    pub gap: bool,
    /// The feed has just been marked gone.
    pub gone: bool,
    /// The feed moved permanently to this URL (written back to feedvault.toml).
    pub moved_to: Option<String>,
    /// What the feed's filters and full-text settings did.
    pub preserve: crate::preserve::PreserveNotes,
}

/// What a cycle did.
#[derive(Debug, Clone, Default)]
pub struct CycleReport {
    /// One per feed fetched, in the order they finished.
    pub results: Vec<FeedResult>,
    /// Subscribed feeds that were not due.
    pub not_due: usize,
    /// README index files written (dated layout; vault-relative, sorted): the days
    /// that got new or revised articles, their feeds' and the archive's.
    pub indexes: Vec<String>,
    /// What the re-checks of archived articles' pages did, after the feeds.
    pub rechecks: crate::preserve::recheck::RecheckReport,
}

/// What a cycle is asked to do.
#[derive(Debug, Clone, Copy, Default)]
pub struct CycleOptions {
    /// Fetch every feed now, gone ones too, ignoring validators and the
    /// unchanged-body shortcut.
    pub force: bool,
}

/// A fetch to start: the feed's name, where, and how.
type Job = (String, Source, Validators, RequestSpec);

/// Runs one cycle over the due feeds of `settings`. `stop` ends it early (between
/// feeds; what was archived stays). `each` sees every feed's result as it completes.
pub(crate) fn run(
    writer: &mut VaultWriter,
    settings: &Settings,
    options: CycleOptions,
    stop: &AtomicBool,
    each: &mut dyn FnMut(&FeedResult),
) -> Result<CycleReport> {
    let now = Utc::now();
    let feeds: HashMap<&str, &FeedSettings> = settings.feeds.iter().map(|f| (f.name.as_str(), f)).collect();
    let mut report = CycleReport::default();
    let mut jobs = Vec::new();
    for feed in &settings.feeds {
        // Feeds added to feedvault.toml since the process started get their row now.
        writer.archiver.store_mut().ensure_feed(&feed.name, &feed.url)?;
        let state = writer.archiver.store().feed(&feed.name)?.unwrap_or_default();
        if !decide::is_due(&state, now, options.force) {
            report.not_due += 1;
            continue;
        }
        // A feed whose address or options cannot be used fails on its own.
        let prepared = Source::parse(&feed.url, &writer.root)
            .map_err(EngineError::Usage)
            .and_then(|source| Ok((source, settings.request_spec(feed)?)));
        let (source, spec) = match prepared {
            Ok(prepared) => prepared,
            Err(err) => {
                let observed =
                    Observed::FetchFailed { kind: FailureKind::Config, message: err.to_string(), retry_after: None };
                let result = carry_out(writer, settings, feed, observed, Check::new(&state, now))?;
                each(&result);
                report.results.push(result);
                continue;
            }
        };
        let validators = if options.force {
            Validators::default()
        } else {
            Validators { etag: state.etag, last_modified: state.last_modified }
        };
        jobs.push((feed.name.clone(), source, validators, spec));
    }
    // Fetches start a window at a time (so fetched bodies never pile up in memory
    // faster than they are archived), taking hosts in turn (so a run of feeds on one
    // slow host cannot hold the window while other hosts wait).
    let mut pending = interleave_hosts(jobs);
    let window = settings.fetch.concurrency * 4;
    let fetcher = writer.fetcher.clone();
    let handle = writer.runtime.handle().clone();
    let mut running = JoinSet::new();
    let mut spawn_next = |running: &mut JoinSet<_>| {
        let Some((name, source, validators, spec)) = pending.pop_front() else { return };
        let fetcher = fetcher.clone();
        running.spawn_on(
            async move {
                // In a task of its own, so a panic while fetching is this feed's
                // failure, not the cycle's.
                let fetching = source.clone();
                let fetch = tokio::spawn(async move { fetcher.fetch_with(&fetching, &validators, &spec).await });
                let result = fetch.await.unwrap_or_else(|crash| Err(FetchError::crashed(crash)));
                (name, source, result)
            },
            &handle,
        );
    };
    for _ in 0..window {
        spawn_next(&mut running);
    }
    let mut vault_error = None;
    while let Some(joined) = writer.runtime.block_on(async {
        tokio::select! {
            joined = running.join_next() => joined,
            _ = wait_for(stop) => None,
        }
    }) {
        let (name, source, fetched) = joined.map_err(|e| EngineError::Other(format!("a fetch task failed: {e}")))?;
        spawn_next(&mut running);
        let feed = feeds[name.as_str()];
        let result = match one_feed(writer, settings, feed, &source, fetched, options.force) {
            Ok(result) => result,
            Err(err) => {
                let message = err.to_string();
                vault_error.get_or_insert_with(|| message.clone());
                FeedResult {
                    name: feed.name.clone(),
                    outcome: Outcome::Failed { kind: FailureKind::Vault, message },
                    next_check_at: now.timestamp_millis(),
                    gap: false,
                    gone: false,
                    moved_to: None,
                    preserve: Default::default(),
                }
            }
        };
        each(&result);
        report.results.push(result);
        if stop.load(Ordering::SeqCst) {
            break;
        }
    }
    running.abort_all();
    if let Err(err) = crate::preserve::images::retry_failed(writer, settings, now) {
        vault_error.get_or_insert_with(|| err.to_string());
    }
    if !stop.load(Ordering::SeqCst) {
        match crate::preserve::recheck::run(writer, settings, Utc::now(), stop) {
            Ok(rechecks) => report.rechecks = rechecks,
            Err(err) => {
                vault_error.get_or_insert_with(|| err.to_string());
            }
        }
    }
    match writer.write_pending_indexes(settings) {
        Ok(written) => report.indexes = written,
        Err(err) => {
            vault_error.get_or_insert_with(|| err.to_string());
        }
    }
    if let Err(err) = writer.indexer.flush() {
        vault_error.get_or_insert_with(|| err.to_string());
    }
    match vault_error {
        Some(err) => Err(EngineError::Vault(err)),
        None => Ok(report),
    }
}

/// Orders fetches so that consecutive ones go to different hosts where possible:
/// one feed of each host in turn, hosts in order of first appearance.
fn interleave_hosts(jobs: Vec<Job>) -> VecDeque<Job> {
    let host = |source: &Source| match source {
        Source::Http(url) => url.host_str().unwrap_or("").to_owned(),
        Source::File(_) => String::new(),
    };
    let mut by_host: Vec<(String, VecDeque<Job>)> = Vec::new();
    for job in jobs {
        let key = host(&job.1);
        match by_host.iter_mut().find(|(h, _)| *h == key) {
            Some((_, queue)) => queue.push_back(job),
            None => by_host.push((key, VecDeque::from([job]))),
        }
    }
    let mut ordered = VecDeque::new();
    while by_host.iter().any(|(_, queue)| !queue.is_empty()) {
        for (_, queue) in &mut by_host {
            if let Some(job) = queue.pop_front() {
                ordered.push_back(job);
            }
        }
    }
    ordered
}

/// Resolves when `stop` is set (checked every 100 ms).
async fn wait_for(stop: &AtomicBool) {
    while !stop.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Parses, archives and indexes one fetched feed, then records its check. `Err` is a
/// failure of the vault, not of the feed.
fn one_feed(
    writer: &mut VaultWriter,
    settings: &Settings,
    feed: &FeedSettings,
    source: &Source,
    fetched: Result<Response, FetchError>,
    force: bool,
) -> Result<FeedResult> {
    let now = Utc::now();
    let previous = writer.archiver.store().feed(&feed.name)?.unwrap_or_default();
    let response = match fetched {
        Ok(response) => response,
        Err(err) => {
            let observed = Observed::FetchFailed { kind: err.kind, message: err.message, retry_after: err.retry_after };
            return carry_out(writer, settings, feed, observed, Check::new(&previous, now));
        }
    };
    let check = Check {
        hints: Hints::from_cache(&response.cache, now),
        moved: response.permanent_url.as_ref().map(|url| url.to_string()),
        ..Check::new(&previous, now)
    };
    let body = match response.fetched {
        Fetched::NotModified => {
            let observed = Observed::Unchanged {
                etag: previous.etag.clone(),
                last_modified: previous.last_modified.clone(),
                body_hash: previous.body_hash.clone(),
            };
            return carry_out(writer, settings, feed, observed, check);
        }
        Fetched::Body(body) => body,
    };
    let body_hash = sha256_hex(&[&body.bytes]);
    if decide::same_body(&previous, &body_hash, force) {
        let observed = Observed::Unchanged {
            etag: body.validators.etag.clone(),
            last_modified: body.validators.last_modified.clone(),
            body_hash: Some(body_hash),
        };
        return carry_out(writer, settings, feed, observed, check);
    }
    let parse_options = ParseOptions {
        url: source.base_url().map(|_| body.final_url.clone()),
        http_charset: body.charset.clone(),
        max_bytes: settings.vault.max_feed_bytes as usize,
        zone: feed.timezone,
        content_location: body.content_location.clone(),
    };
    let parsed = match feedvault_feed::parse(&body.bytes, &parse_options) {
        Ok(parsed) => parsed,
        Err(err) => {
            let kind = match err {
                feedvault_feed::FeedError::NotAFeed { .. } => FailureKind::NotAFeed,
                _ => FailureKind::Parse,
            };
            let observed = Observed::ParseFailed { kind, message: err.to_string() };
            return carry_out(writer, settings, feed, observed, check);
        }
    };
    let (items, preserved, pages) = crate::preserve::prepare(writer, settings, feed, &parsed.items, now)?;
    let report = writer.archiver.archive_items(&feed.name, &items, now)?;
    let images = crate::preserve::images::keep(writer, settings, feed, &report.changed, now)?;
    crate::preserve::recheck::window::observe(writer, &feed.name, &parsed.items, now)?;
    let raw =
        response.exchange.map(|exchange| RawResponse { exchange, final_url: body.final_url.clone(), body: body.bytes });
    captures::keep_fetch(writer, settings, raw, pages, &report, now)?;
    // The days' README indexes of what changed (journaled with the articles) are
    // written once, at the end of the cycle.
    if writer.archiver.settings().layout == Layout::Countdown && report.new + report.revised > 0 {
        // The title just read counts (state.db records it with the check, below).
        let site = feed.list_name.clone().unwrap_or_else(|| parsed.title.trim().to_owned());
        let site = if lists::is_safe_site_name(&site) { site } else { writer.site_name(feed) };
        writer.write_list(&feed.name, &site, settings.vault.timezone)?;
    }
    // Files and state are durable: the index catches up on its own thread, and the
    // bodies go with it (a cycle over thousands of feeds keeps none of them).
    let (new, revised, unchanged) = (report.new, report.revised, report.unchanged);
    writer.indexer.add(
        report.changed.into_iter().map(|(path, article)| crate::index::document(path, &feed.name, article)).collect(),
    )?;
    let hints = Hints {
        ttl: parsed.ttl_minutes.map(|m| schedule::ttl(m.into())),
        update_period: parsed
            .update_period
            .is_some()
            .then(|| schedule::syndication_period(parsed.update_period.as_deref(), parsed.update_frequency))
            .flatten(),
        ..check.hints
    };
    // On the first fetch nothing has arrived yet: the items' own dates tell the rate.
    let published = previous
        .last_success_at
        .is_none()
        .then(|| parsed.items.iter().filter_map(|item| item.time()).filter(|t| *t <= now).collect::<Vec<_>>());
    writer.archiver.store_mut().record_language(&feed.name, parsed.language.as_deref())?;
    let observed = Observed::Parsed {
        title: parsed.title.clone(),
        etag: body.validators.etag.clone(),
        last_modified: body.validators.last_modified.clone(),
        body_hash,
        items: items.len(),
        new,
    };
    let check = Check { hints, published, archived: Some(Outcome::Archived { new, revised, unchanged }), ..check };
    let result = carry_out(writer, settings, feed, observed, check)?;
    Ok(FeedResult { preserve: crate::preserve::PreserveNotes { images, ..preserved }, ..result })
}

fn schedule_options(settings: &Settings, feed: &FeedSettings) -> ScheduleOptions {
    ScheduleOptions {
        min_interval: feed.min_interval.unwrap_or(settings.fetch.min_interval),
        max_interval: feed.max_interval.unwrap_or(settings.fetch.max_interval),
        ..ScheduleOptions::default()
    }
}

/// What a check saw besides its observation, for [`carry_out`].
struct Check<'a> {
    /// The feed's state before this check.
    previous: &'a FeedState,
    now: DateTime<Utc>,
    /// Lower bounds on the interval from the response and the document.
    hints: Hints,
    /// Where every redirect of the chain was permanent to, if anywhere.
    moved: Option<String>,
    /// On a first fetch, the items' dates (the rate the feed publishes at).
    published: Option<Vec<DateTime<Utc>>>,
    /// What archiving the items did, when they were archived.
    archived: Option<Outcome>,
}

impl<'a> Check<'a> {
    fn new(previous: &'a FeedState, now: DateTime<Utc>) -> Self {
        Check { previous, now, hints: Hints::default(), moved: None, published: None, archived: None }
    }
}

/// Decides the check (the pure part) and carries the decision out: state.db, and a
/// permanent move written back to feedvault.toml by name under its lock.
fn carry_out(
    writer: &mut VaultWriter,
    settings: &Settings,
    feed: &FeedSettings,
    observed: Observed,
    check: Check<'_>,
) -> Result<FeedResult> {
    let Check { previous, now, hints, moved, published, archived } = check;
    let options = schedule_options(settings, feed);
    let arrivals = match published {
        Some(published) => published,
        None => {
            let since = now - chrono::Duration::from_std(options.lookback).unwrap_or_default();
            writer
                .archiver
                .store()
                .arrivals(&feed.name, since.timestamp_millis())?
                .into_iter()
                .filter_map(DateTime::<Utc>::from_timestamp_millis)
                .collect()
        }
    };
    let outcome = match &observed {
        Observed::FetchFailed { kind, message, .. } | Observed::ParseFailed { kind, message } => {
            Outcome::Failed { kind: *kind, message: message.clone() }
        }
        Observed::Unchanged { .. } => Outcome::Unchanged,
        Observed::Parsed { .. } => archived.unwrap_or(Outcome::Unchanged),
    };
    let context = Context {
        previous,
        now,
        schedule: &options,
        gone_rule: GoneRule { checks: settings.fetch.gone_after_checks, span: settings.fetch.gone_after },
        hints,
        arrivals,
        permanent_url: moved,
        url: &feed.url,
        jitter: schedule::random_jitter(),
    };
    let decision = decide::decide(observed, context);
    writer.archiver.store_mut().record_check(&feed.name, now.timestamp_millis(), &decision.record)?;
    let mut moved_to = None;
    if let Some(url) = &decision.moved_to {
        let written = config_file::edit(&writer.root, |doc, _| Ok(config_file::set_feed_url(doc, &feed.name, url)))?;
        if written {
            writer.archiver.store_mut().record_move(&feed.name, url)?;
            moved_to = Some(url.clone());
        }
    }
    Ok(FeedResult {
        name: feed.name.clone(),
        outcome,
        next_check_at: decision.next_check_at.timestamp_millis(),
        gap: decision.gap,
        gone: decision.gone,
        moved_to,
        preserve: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetches_take_hosts_in_turn() {
        let job = |i: usize, url: &str| {
            (
                i.to_string(),
                Source::parse(url, std::path::Path::new("/")).unwrap(),
                Validators::default(),
                RequestSpec::default(),
            )
        };
        let jobs = vec![
            job(0, "https://a.example/1"),
            job(1, "https://a.example/2"),
            job(2, "https://a.example/3"),
            job(3, "https://b.example/1"),
            job(4, "/local.xml"),
            job(5, "https://b.example/2"),
        ];
        let order: Vec<String> = interleave_hosts(jobs).into_iter().map(|(i, ..)| i).collect();
        assert_eq!(order, ["0", "3", "4", "1", "5", "2"]);
    }
}
