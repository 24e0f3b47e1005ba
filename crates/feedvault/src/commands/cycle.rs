//! One fetch cycle, shared by `fetch` and `daemon`: every due feed fetched (politely
//! and concurrently, on the tokio pool), then parsed, archived, indexed and scheduled
//! on this thread, one feed at a time, because one process writes the vault.
//!
//! Per feed the cycle records in state.db how the check went and when the feed is
//! due next (an adaptive interval after success, backoff or Retry-After after a
//! failure), marks a feed `gone` after enough 404/410s, counts a gap when the feed's
//! window rolled past items never seen, and follows permanent redirects by rewriting
//! the feed's URL in feedvault.toml. A failure of the vault itself (disk, state.db,
//! index) stops nothing already written and is returned at the end.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Result;
use chrono::{DateTime, Utc};
use feedvault_archive::{ArchiveReport, Archiver, Layout, lists};
use feedvault_core::identity::sha256_hex;
use feedvault_feed::ParseOptions;
use feedvault_fetch::schedule::{self, FeedActivity, GoneRule, Hints, LastFetch, ScheduleOptions};
use feedvault_fetch::{
    FailureKind, FetchError, FetchOptions, Fetched, Fetcher, PolitenessOptions, ProxyChoice, RequestSpec, Response,
    Source, Validators,
};
use feedvault_search::SearchIndex;
use feedvault_store::{CheckOutcome, FeedState, SqliteStore, Store};
use tokio::task::JoinSet;

use crate::config::{Config, FeedEntry};
use crate::usage;

/// How one feed's turn ended.
pub enum Outcome {
    Archived(ArchiveReport),
    /// 304, or the same body as last time.
    Unchanged,
    Failed {
        message: String,
        kind: String,
    },
}

/// One feed's turn, as the callers report it.
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
}

/// Index additions between commits in a long cycle (bounds the index writer's memory).
const INDEX_COMMIT_EVERY: usize = 20_000;

/// What a cycle needs, opened once per process.
pub struct Context {
    pub vault: std::path::PathBuf,
    pub archiver: Archiver<SqliteStore>,
    pub search: SearchIndex,
    pub fetcher: Fetcher,
    pub runtime: tokio::runtime::Runtime,
}

impl Context {
    pub fn open(vault: &std::path::Path, config: &Config) -> Result<Context> {
        let archiver = super::open_archiver(vault, config)?;
        let search = super::index::open(vault)?;
        let fetcher = Fetcher::new(fetch_options(config)?)?;
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
        Ok(Context { vault: vault.to_owned(), archiver, search, fetcher, runtime })
    }
}

/// The fetcher's options from `[vault]` and `[fetch]`.
pub fn fetch_options(config: &Config) -> Result<FetchOptions> {
    let settings = &config.fetch;
    let proxy = match &settings.proxy {
        Some(proxy) => ProxyChoice::parse(proxy).map_err(|e| usage!("feedvault.toml: fetch.proxy: {e}"))?,
        None => ProxyChoice::FromEnv,
    };
    let mut options = FetchOptions {
        max_bytes: config.max_feed_bytes,
        connect_timeout: settings.connect_timeout,
        total_timeout: settings.timeout,
        stall_timeout: settings.stall_timeout,
        proxy,
        politeness: Some(PolitenessOptions {
            max_concurrent: settings.concurrency,
            per_host: settings.per_host,
            host_delay: settings.host_delay,
        }),
        ..FetchOptions::default()
    };
    if let Some(agent) = &settings.user_agent {
        options.user_agent = agent.clone();
    }
    Ok(options)
}

fn request_spec(feed: &FeedEntry) -> Result<RequestSpec> {
    let proxy = feed
        .proxy
        .as_deref()
        .map(ProxyChoice::parse)
        .transpose()
        .map_err(|e| usage!("feedvault.toml: feed {}: proxy: {e}", feed.name))?;
    Ok(RequestSpec {
        user_agent: feed.user_agent.clone(),
        headers: feed.headers.clone(),
        cookies: feed.cookies.clone(),
        proxy,
        ..RequestSpec::default()
    })
}

fn schedule_options(config: &Config, feed: &FeedEntry) -> ScheduleOptions {
    ScheduleOptions {
        min_interval: feed.min_interval.unwrap_or(config.fetch.min_interval),
        max_interval: feed.max_interval.unwrap_or(config.fetch.max_interval),
        ..ScheduleOptions::default()
    }
}

/// True when a feed should be fetched now.
pub fn is_due(state: &FeedState, now: DateTime<Utc>, force: bool) -> bool {
    force || (state.gone_since.is_none() && state.next_check_at.is_none_or(|at| at <= now.timestamp_millis()))
}

/// Runs one cycle over the due feeds. `stop` ends it early (between feeds; what was
/// archived stays). `each` sees every feed's result as it completes.
pub fn run(
    config: &mut Config,
    context: &mut Context,
    force: bool,
    stop: &AtomicBool,
    mut each: impl FnMut(&FeedResult),
) -> Result<Vec<FeedResult>> {
    let now = Utc::now();
    let mut jobs = JoinSet::new();
    let mut results = Vec::new();
    let mut pending = Vec::new();
    for (index, feed) in config.feeds.iter().enumerate() {
        // Feeds added to feedvault.toml since the process started get their row now.
        context.archiver.store_mut().ensure_feed(&feed.name, &feed.url)?;
        let state = context.archiver.store().feed(&feed.name)?.unwrap_or_default();
        if !is_due(&state, now, force) {
            continue;
        }
        // A feed whose address or options cannot be used fails on its own.
        let prepared = Source::parse(&feed.url, &context.vault)
            .map_err(|e| usage!("{e}"))
            .and_then(|source| Ok((source, request_spec(feed)?)));
        let (source, spec) = match prepared {
            Ok(prepared) => prepared,
            Err(err) => {
                let message = format!("{err:#}");
                let result = failure(
                    context,
                    feed,
                    &state,
                    &schedule_options(config, feed),
                    config,
                    "config",
                    message,
                    None,
                    false,
                )?;
                each(&result);
                results.push(result);
                continue;
            }
        };
        let validators = if force {
            Validators::default()
        } else {
            Validators { etag: state.etag, last_modified: state.last_modified }
        };
        pending.push((index, source, validators, spec));
    }
    // Fetches start a window at a time (so fetched bodies never pile up in memory
    // faster than they are archived), taking hosts in turn (so a run of feeds on one
    // slow host cannot hold the window while other hosts wait).
    let mut pending = interleave_hosts(pending);
    let window = config.fetch.concurrency * 4;
    let (shared_fetcher, handle) = (context.fetcher.clone(), context.runtime.handle().clone());
    let mut spawn_next = |jobs: &mut JoinSet<_>| {
        let Some((index, source, validators, spec)) = pending.pop_front() else { return };
        let fetcher = shared_fetcher.clone();
        jobs.spawn_on(
            async move {
                // In a task of its own, so a panic while fetching is this feed's
                // failure, not the cycle's.
                let fetching = source.clone();
                let fetch = tokio::spawn(async move { fetcher.fetch_with(&fetching, &validators, &spec).await });
                let result = fetch.await.unwrap_or_else(|crash| {
                    Err(FetchError {
                        kind: FailureKind::Other,
                        message: format!("the fetch crashed ({crash}); this is a bug in feedvault"),
                        retry_after: None,
                    })
                });
                (index, source, result)
            },
            &handle,
        );
    };
    for _ in 0..window {
        spawn_next(&mut jobs);
    }
    let mut vault_error = None;
    while let Some(joined) = context.runtime.block_on(async {
        tokio::select! {
            joined = jobs.join_next() => joined,
            _ = wait_for(stop) => None,
        }
    }) {
        let (index, source, fetched) = joined?;
        spawn_next(&mut jobs);
        let feed = config.feeds[index].clone();
        let result = match one_feed(config, context, &feed, &source, fetched, force) {
            Ok(result) => result,
            Err(err) => {
                let message = format!("{err:#}");
                vault_error.get_or_insert_with(|| message.clone());
                FeedResult {
                    name: feed.name.clone(),
                    outcome: Outcome::Failed { message, kind: "vault".into() },
                    next_check_at: now.timestamp_millis(),
                    gap: false,
                    gone: false,
                    moved_to: None,
                }
            }
        };
        each(&result);
        results.push(result);
        if stop.load(Ordering::SeqCst) {
            break;
        }
    }
    jobs.abort_all();
    if let Err(err) = context.search.commit() {
        vault_error.get_or_insert_with(|| format!("{err:#}"));
    }
    match vault_error {
        Some(err) => Err(anyhow::anyhow!("the vault could not be written: {err}")),
        None => Ok(results),
    }
}

/// A fetch to start: the feed's index in the config, where, and how.
type Job<T> = (usize, Source, T, RequestSpec);

/// Orders fetches so that consecutive ones go to different hosts where possible:
/// one feed of each host in turn, hosts in order of first appearance.
fn interleave_hosts<T>(jobs: Vec<Job<T>>) -> VecDeque<Job<T>> {
    let host = |source: &Source| match source {
        Source::Http(url) => url.host_str().unwrap_or("").to_owned(),
        Source::File(_) => String::new(),
    };
    let mut by_host: Vec<(String, VecDeque<Job<T>>)> = Vec::new();
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

/// Parses, archives, indexes and schedules one fetched feed. `Err` is a failure of the
/// vault, not of the feed.
fn one_feed(
    config: &mut Config,
    context: &mut Context,
    feed: &FeedEntry,
    source: &Source,
    fetched: Result<Response, FetchError>,
    force: bool,
) -> Result<FeedResult> {
    let now = Utc::now();
    let now_ms = now.timestamp_millis();
    let options = schedule_options(config, feed);
    let previous = context.archiver.store().feed(&feed.name)?.unwrap_or_default();
    let response = match fetched {
        Ok(response) => response,
        Err(err) => {
            return failure(
                context,
                feed,
                &previous,
                &options,
                config,
                &err.kind.label(),
                err.to_string(),
                err.retry_after,
                err.kind.is_gone_status(),
            );
        }
    };
    // A permanent move is recorded once the new address has served something usable
    // (a parked domain answering 301 with a page must not replace a subscription).
    let moved = response.permanent_url.as_ref().filter(|url| url.as_str() != feed.url).map(|url| url.to_string());
    let mut moved_to = None;
    let mut follow_move = |config: &mut Config, context: &mut Context| -> Result<()> {
        if let Some(url) = &moved {
            // The file may have changed since this cycle read it (`add` takes no lock).
            *config = Config::load(&context.vault)?;
            config.set_feed_url(&feed.name, url);
            config.save()?;
            context.archiver.store_mut().record_move(&feed.name, url)?;
            moved_to = Some(url.clone());
        }
        Ok(())
    };
    let hints = Hints::from_cache(&response.cache, now);
    // Unchanged: as if the last document came again with nothing new (a quiet feed
    // then drifts to the maximum interval instead of staying at the default).
    let unchanged =
        previous.last_items.map(|items| LastFetch { items: items as usize, new_items: 0, after_previous: true });
    let body = match response.fetched {
        Fetched::NotModified => {
            let next = next_check(context, feed, &options, now, unchanged, hints, None)?;
            let validators = (previous.etag.clone(), previous.last_modified.clone(), previous.body_hash.clone());
            let outcome = unchanged_check(&previous, validators, next.at);
            context.archiver.store_mut().record_check(&feed.name, now_ms, &outcome)?;
            follow_move(config, context)?;
            return Ok(result(feed, Outcome::Unchanged, next.at, false, false, moved_to));
        }
        Fetched::Body(body) => body,
    };
    let body_hash = sha256_hex(&[&body.bytes]);
    if !force && previous.body_hash.as_deref() == Some(body_hash.as_str()) {
        let next = next_check(context, feed, &options, now, unchanged, hints, None)?;
        let validators = (body.validators.etag.clone(), body.validators.last_modified.clone(), Some(body_hash));
        let outcome = unchanged_check(&previous, validators, next.at);
        context.archiver.store_mut().record_check(&feed.name, now_ms, &outcome)?;
        follow_move(config, context)?;
        return Ok(result(feed, Outcome::Unchanged, next.at, false, false, moved_to));
    }
    let parse_options = ParseOptions {
        url: source.base_url().map(|_| body.final_url.clone()),
        http_charset: body.charset.clone(),
        max_bytes: config.max_feed_bytes,
        zone: feed.timezone,
    };
    let parsed = match feedvault_feed::parse(&body.bytes, &parse_options) {
        Ok(parsed) => parsed,
        Err(err) => {
            let kind = if matches!(err, feedvault_feed::FeedError::NotAFeed { .. }) { "not a feed" } else { "parse" };
            return failure(context, feed, &previous, &options, config, kind, err.to_string(), None, false);
        }
    };
    let mut report = context.archiver.archive_items(&feed.name, &parsed.items, now)?;
    if context.archiver.settings().layout == Layout::Countdown && report.new + report.revised > 0 {
        lists::write_list(&context.vault, context.archiver.store(), &feed.name, &parsed.title)?;
    }
    // The changed articles go to the index and no further: a cycle over thousands of
    // feeds must not keep every body it archived until the end.
    let changed = std::mem::take(&mut report.changed);
    context.search.upsert(changed.iter().map(|(path, article)| super::index::document(path, &feed.name, article)))?;
    if context.search.uncommitted() >= INDEX_COMMIT_EVERY {
        context.search.commit()?;
    }
    let hints = Hints {
        ttl: parsed.ttl_minutes.map(|m| schedule::ttl(m.into())),
        update_period: parsed
            .update_period
            .is_some()
            .then(|| schedule::syndication_period(parsed.update_period.as_deref(), parsed.update_frequency))
            .flatten(),
        ..hints
    };
    let last = LastFetch {
        items: parsed.items.len(),
        new_items: report.new,
        after_previous: previous.last_success_at.is_some(),
    };
    // On the first fetch nothing has arrived yet: the items' own dates tell the rate.
    let published = (previous.last_success_at.is_none())
        .then(|| parsed.items.iter().filter_map(|item| item.time()).filter(|t| *t <= now).collect::<Vec<_>>());
    let next = next_check(context, feed, &options, now, Some(last), hints, published)?;
    let outcome = CheckOutcome::Success {
        title: parsed.title.clone(),
        etag: body.validators.etag.clone(),
        last_modified: body.validators.last_modified.clone(),
        body_hash: Some(body_hash),
        items: Some((parsed.items.len() as u32, report.new as u32)),
        next_check_at: next.at.timestamp_millis(),
        gap: next.possible_gap,
    };
    context.archiver.store_mut().record_check(&feed.name, now_ms, &outcome)?;
    follow_move(config, context)?;
    Ok(result(feed, Outcome::Archived(report), next.at, next.possible_gap, false, moved_to))
}

/// A successful check that found nothing new: the title stays, the validators are
/// (ETag, Last-Modified, body hash).
fn unchanged_check(
    previous: &FeedState,
    (etag, last_modified, body_hash): (Option<String>, Option<String>, Option<String>),
    next: DateTime<Utc>,
) -> CheckOutcome {
    CheckOutcome::Success {
        title: previous.title.clone().unwrap_or_default(),
        etag,
        last_modified,
        body_hash,
        items: None,
        next_check_at: next.timestamp_millis(),
        gap: false,
    }
}

fn next_check(
    context: &Context,
    feed: &FeedEntry,
    options: &ScheduleOptions,
    now: DateTime<Utc>,
    last_fetch: Option<LastFetch>,
    hints: Hints,
    published: Option<Vec<DateTime<Utc>>>,
) -> Result<schedule::NextCheck> {
    let since = now - chrono::Duration::from_std(options.lookback).unwrap_or_default();
    let new_items_at = match published {
        Some(published) => published,
        None => context
            .archiver
            .store()
            .arrivals(&feed.name, since.timestamp_millis())?
            .into_iter()
            .filter_map(DateTime::<Utc>::from_timestamp_millis)
            .collect(),
    };
    let activity = FeedActivity { new_items_at, last_fetch, hints };
    Ok(schedule::next_check(&activity, now, options, schedule::random_jitter()))
}

#[allow(clippy::too_many_arguments)]
fn failure(
    context: &mut Context,
    feed: &FeedEntry,
    previous: &FeedState,
    options: &ScheduleOptions,
    config: &Config,
    kind: &str,
    message: String,
    retry_after: Option<Duration>,
    gone_status: bool,
) -> Result<FeedResult> {
    let now = Utc::now();
    let failures = previous.failures + 1;
    let next = schedule::after_failure(failures, retry_after, now, options, schedule::random_jitter());
    // Gone: enough 404/410 answers in a row (any other failure or a success ends the
    // streak), spread over long enough.
    let streak = if gone_status { previous.gone_streak + 1 } else { 0 };
    let first = previous.gone_streak_since.and_then(DateTime::<Utc>::from_timestamp_millis).unwrap_or(now);
    let rule = GoneRule { checks: config.fetch.gone_after_checks, span: config.fetch.gone_after };
    let gone = gone_status && previous.gone_since.is_none() && schedule::is_gone(streak, first, now, &rule);
    let outcome = CheckOutcome::Failure {
        error: message.clone(),
        kind: kind.to_owned(),
        gone_status,
        next_check_at: next.timestamp_millis(),
        gone,
    };
    context.archiver.store_mut().record_check(&feed.name, now.timestamp_millis(), &outcome)?;
    Ok(result(feed, Outcome::Failed { message, kind: kind.to_owned() }, next, false, gone, None))
}

fn result(
    feed: &FeedEntry,
    outcome: Outcome,
    next: DateTime<Utc>,
    gap: bool,
    gone: bool,
    moved_to: Option<String>,
) -> FeedResult {
    FeedResult { name: feed.name.clone(), outcome, next_check_at: next.timestamp_millis(), gap, gone, moved_to }
}

/// An `Arc` flag set by SIGINT/SIGTERM (and by nothing else).
pub fn stop_flag() -> Arc<AtomicBool> {
    Arc::new(AtomicBool::new(false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetches_take_hosts_in_turn() {
        let job = |i: usize, url: &str| {
            (i, Source::parse(url, std::path::Path::new("/")).unwrap(), (), RequestSpec::default())
        };
        let jobs = vec![
            job(0, "https://a.example/1"),
            job(1, "https://a.example/2"),
            job(2, "https://a.example/3"),
            job(3, "https://b.example/1"),
            job(4, "/local.xml"),
            job(5, "https://b.example/2"),
        ];
        let order: Vec<usize> = interleave_hosts(jobs).into_iter().map(|(i, ..)| i).collect();
        assert_eq!(order, [0, 3, 4, 1, 5, 2]);
    }
}
