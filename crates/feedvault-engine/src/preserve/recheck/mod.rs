//! Takedown and edit detection: each archived article's page is checked again on a
//! decaying schedule, and what the answers say is kept, with evidence.
//!
//! A fetch cycle calls [`run`] after its feeds: the checks due (state.db's schedule,
//! [`feedvault_store::checks`]) are fetched by the vault's fetcher (its politeness:
//! per-host limits and delays, shared with the feeds) with the feed's request
//! options (headers and cookies only on the feed's own origin, [`pages::spec_for`]),
//! at most `max_per_cycle` of them and none started after `max_time`. Each answer is
//! classified ([`classify`]), the article's state follows from it ([`rules`]), an
//! edit seen on the page becomes a revision, and the evidence goes to the vault's
//! evidence file ([`evidence`]) before state.db. Vanishing from a feed is seen while
//! its documents are processed ([`window`]).

pub mod classify;
pub mod evidence;
pub mod rules;
pub mod view;
pub mod window;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use chrono::{DateTime, Utc};
use feedvault_core::Article;
use feedvault_fetch::{FailureKind, FetchError, Fetched, RequestSpec, Response, Source, Validators};
use feedvault_store::CaptureLink;
use feedvault_store::checks::{CheckState, CheckUpdate, DueCheck, EvidenceRow};
use tokio::task::JoinSet;
use url::Url;

use super::{FullText, pages, refetch};
use crate::settings::{FeedSettings, Settings};
use crate::{CaptureKind, RawResponse, Result, VaultWriter, config_file};
use classify::{Answer, Archived, Classified, PageAnswer, Verdict};
use evidence::Record;
use rules::{EvidenceKind, Rules};

/// Checks recorded (and their evidence written) at a time.
const BATCH: usize = 256;
const DAY_MS: i64 = 86_400_000;

/// What one cycle's re-checks did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecheckReport {
    /// Articles given a schedule (new since the last cycle).
    pub scheduled: usize,
    pub checked: usize,
    pub unchanged: usize,
    pub changed: usize,
    pub gone: usize,
    pub unreachable: usize,
    /// Articles marked removed by this cycle's answers.
    pub removed: usize,
    /// Checks due that wait for the next cycle (the cycle's bound was reached).
    pub more_due: bool,
    /// Problems that stopped nothing (an edit seen but not written, with why).
    pub problems: Vec<String>,
}

impl VaultWriter {
    /// Runs the re-checks due at `now` (feedvault.toml read again first). The fetch
    /// cycle runs them after its feeds; `now` is a parameter so the schedule can be
    /// tested without waiting.
    pub fn recheck(&mut self, now: DateTime<Utc>, stop: &AtomicBool) -> Result<RecheckReport> {
        let settings = config_file::load(&self.root)?;
        run(self, &settings, now, stop)
    }
}

/// How a feed's articles are checked.
struct FeedPlan {
    how: FullText,
    /// The archived body is the page's extracted text (the feed has `full_text`).
    full_text: bool,
    spec: RequestSpec,
    origin: Option<url::Origin>,
}

/// A check to run.
struct Job {
    due: DueCheck,
    url: Url,
    spec: RequestSpec,
    how: FullText,
    reference: Option<String>,
}

/// What came back from one check.
struct Done {
    at: usize,
    classified: Classified,
    /// The response, kept only when it showed an edit.
    page: Option<PageAnswer>,
}

/// Runs the re-checks due at `now`.
pub(crate) fn run(
    writer: &mut VaultWriter,
    settings: &Settings,
    now: DateTime<Utc>,
    stop: &AtomicBool,
) -> Result<RecheckReport> {
    let section = &settings.preserve.recheck;
    let rules = Rules::from_settings(section);
    let mut report = RecheckReport::default();
    let feeds: HashMap<&str, &FeedSettings> =
        settings.feeds.iter().filter(|f| f.recheck.unwrap_or(section.enabled)).map(|f| (f.name.as_str(), f)).collect();
    if feeds.is_empty() || rules.after.is_empty() {
        return Ok(report);
    }
    let now_ms = now.timestamp_millis();
    let names: Vec<String> = feeds.keys().map(|name| (*name).to_owned()).collect();
    let store = writer.archiver.store_mut();
    report.scheduled = store.schedule_new_checks(rules.after[0])?;
    let mut due = store.due_checks(now_ms, &names, section.max_per_cycle.saturating_add(1))?;
    report.more_due = due.len() > section.max_per_cycle;
    due.truncate(section.max_per_cycle);

    let mut plans: HashMap<String, std::result::Result<FeedPlan, String>> = HashMap::new();
    let mut jobs = Vec::new();
    let mut finished = Vec::new();
    for check in due {
        let first = !plans.contains_key(&check.feed);
        let plan = plans.entry(check.feed.clone()).or_insert_with(|| plan_for(settings, feeds[check.feed.as_str()]));
        let plan = match plan {
            Ok(plan) => plan,
            Err(why) => {
                if first {
                    report.problems.push(why.clone());
                }
                // Tried again in a day, so the feed's checks never hold the cycle's places.
                let state = CheckState { next_at: Some(now_ms + DAY_MS), ..check.state.clone() };
                finished.push(CheckUpdate { article_id: check.article_id, state, evidence: Vec::new() });
                continue;
            }
        };
        let url = match pages::page_url(Some(&check.url)) {
            Ok(url) => url,
            Err(_) => {
                // Nothing to check (no web page): the article leaves the schedule.
                let state = CheckState { next_at: None, ..check.state.clone() };
                finished.push(CheckUpdate { article_id: check.article_id, state, evidence: Vec::new() });
                continue;
            }
        };
        let reference = if plan.full_text {
            archived_text_hash(writer, &check.path).or_else(|| check.state.page_text_hash.clone())
        } else {
            check.state.page_text_hash.clone()
        };
        // A gone answer's body is hashed for the evidence.
        let spec = RequestSpec { hash_error_body: true, ..pages::spec_for(&plan.spec, plan.origin.as_ref(), &url) };
        jobs.push(Job { due: check, url, spec, how: plan.how.clone(), reference });
    }
    writer.archiver.store_mut().record_checks(&finished)?;

    let deadline = Instant::now() + section.max_time;
    let window = settings.fetch.concurrency.max(1) * 4;
    let fetcher = writer.fetcher.clone();
    let handle = writer.runtime.handle().clone();
    let mut running = JoinSet::new();
    let mut next = 0;
    let spawn_next = |running: &mut JoinSet<Done>, next: &mut usize| {
        if *next >= jobs.len() || Instant::now() >= deadline || stop.load(Ordering::SeqCst) {
            return;
        }
        let job = &jobs[*next];
        let (at, url, spec, how, reference, title) =
            (*next, job.url.clone(), job.spec.clone(), job.how.clone(), job.reference.clone(), job.due.title.clone());
        *next += 1;
        let fetcher = fetcher.clone();
        running.spawn_on(
            async move {
                let source = Source::Http(url.clone());
                // In a task of its own, so a panic while fetching is this check's failure.
                let fetch =
                    tokio::spawn(async move { fetcher.fetch_with(&source, &Validators::default(), &spec).await });
                let fetched = fetch.await.unwrap_or_else(|crash| Err(FetchError::crashed(crash)));
                let answer = answer_of(url, fetched);
                let classified = tokio::task::spawn_blocking(move || {
                    let archived = Archived { title: &title, how: &how, text_hash: reference.as_deref() };
                    let classified = classify::classify(&archived, &answer);
                    let page = match answer {
                        Answer::Page(page) if classified.verdict == Verdict::Changed => Some(page),
                        _ => None,
                    };
                    (classified, page)
                })
                .await;
                match classified {
                    Ok((classified, page)) => Done { at, classified, page },
                    Err(crash) => Done { at, classified: crashed(&crash.to_string()), page: None },
                }
            },
            &handle,
        );
    };
    for _ in 0..window {
        spawn_next(&mut running, &mut next);
    }
    let mut updates = Vec::new();
    let mut records = Vec::new();
    while let Some(joined) = writer.runtime.block_on(running.join_next()) {
        spawn_next(&mut running, &mut next);
        let Ok(done) = joined else { continue };
        let job = &jobs[done.at];
        let (update, job_records) = settle(writer, settings, &rules, job, done, now, &mut report)?;
        updates.push(update);
        records.extend(job_records);
        if updates.len() >= BATCH {
            flush(writer, &mut updates, &mut records)?;
        }
    }
    flush(writer, &mut updates, &mut records)?;
    report.more_due |= next < jobs.len();
    writer.indexer.flush()?;
    Ok(report)
}

fn plan_for(settings: &Settings, feed: &FeedSettings) -> std::result::Result<FeedPlan, String> {
    let (how, full_text) = match &feed.full_text {
        Some(setting) => (FullText::parse(setting).map_err(|why| format!("feed {}: {why}", feed.name))?, true),
        None => (FullText::Readability, false),
    };
    let spec = settings.request_spec(feed).map_err(|e| format!("feed {}: {e}", feed.name))?;
    let origin = Url::parse(&feed.url).ok().map(|u| u.origin());
    Ok(FeedPlan { how, full_text, spec, origin })
}

/// The text hash of the article as archived, from its file.
fn archived_text_hash(writer: &VaultWriter, path: &str) -> Option<String> {
    let bytes = std::fs::read(writer.root.join(path)).ok()?;
    let article = Article::from_file(&bytes).ok()?;
    Some(classify::text_hash(&article.body))
}

/// A fetch's outcome as an [`Answer`].
fn answer_of(url: Url, fetched: std::result::Result<Response, FetchError>) -> Answer {
    match fetched {
        Err(err) => Answer::Failed {
            kind: err.kind,
            message: err.message,
            // The redirects of an error status are in its response.
            redirects: Vec::new(),
            response: err.answer,
        },
        Ok(response) => match response.fetched {
            Fetched::NotModified => Answer::Failed {
                kind: FailureKind::HttpStatus(304),
                message: "HTTP 304 to an unconditional request".into(),
                redirects: response.redirects,
                response: None,
            },
            Fetched::Body(body) => {
                let headers = match &response.exchange {
                    Some(exchange) => exchange.response_headers.clone(),
                    None => body_headers(&body),
                };
                Answer::Page(PageAnswer {
                    url,
                    status: response.status,
                    final_url: response.final_url,
                    redirects: response.redirects,
                    headers,
                    exchange: response.exchange,
                    charset: body.charset,
                    body: body.bytes,
                })
            }
        },
    }
}

/// The headers a body from a file carries: its validators and Content-Location.
fn body_headers(body: &feedvault_fetch::Body) -> Vec<(String, String)> {
    let mut headers = Vec::new();
    if let Some(etag) = &body.validators.etag {
        headers.push(("ETag".to_owned(), etag.clone()));
    }
    if let Some(modified) = &body.validators.last_modified {
        headers.push(("Last-Modified".to_owned(), modified.clone()));
    }
    if let Some(location) = &body.content_location {
        headers.push(("Content-Location".to_owned(), location.to_string()));
    }
    headers
}

fn crashed(why: &str) -> Classified {
    Classified {
        verdict: Verdict::Unreachable,
        reason: format!("reading the page crashed ({why}); this is a bug in feedvault"),
        status: None,
        final_url: None,
        headers: String::new(),
        body_hash: None,
        text_hash: None,
        article_html: None,
    }
}

/// What one check leaves: its state, its evidence and, for an edit, a revision.
#[allow(clippy::too_many_arguments)]
fn settle(
    writer: &mut VaultWriter,
    settings: &Settings,
    rules: &Rules,
    job: &Job,
    done: Done,
    now: DateTime<Utc>,
    report: &mut RecheckReport,
) -> Result<(CheckUpdate, Vec<Record>)> {
    let due = &job.due;
    let now_ms = now.timestamp_millis();
    let classified = done.classified;
    report.checked += 1;
    match classified.verdict {
        Verdict::Unchanged => report.unchanged += 1,
        Verdict::Changed => report.changed += 1,
        Verdict::Gone => report.gone += 1,
        Verdict::Unreachable => report.unreachable += 1,
    }
    let (state, kinds) = rules::after_check(
        rules,
        &due.state,
        due.first_seen_at,
        classified.verdict,
        classified.text_hash.as_deref(),
        now_ms,
    );
    let mut revision = None;
    if let (Some(html), Some(page)) = (&classified.article_html, &done.page) {
        match write_revision(writer, settings, due, html.clone(), now) {
            Ok(content_hash) => {
                // The revision is written: a capture that fails loses no evidence of it.
                if let Err(err) = keep_page_of_revision(writer, settings, page, &due.path, now) {
                    report.problems.push(format!("{}: the page of the edit was not kept: {err}", due.path));
                }
                revision = Some(content_hash);
            }
            Err(why) => {
                report.problems.push(format!("{}: the edit seen on {} was not written: {why}", due.path, due.url))
            }
        }
    }
    let evidence: Vec<EvidenceRow> = kinds
        .iter()
        .map(|kind| {
            let answer = EvidenceRow {
                at: now_ms,
                kind: kind.label().to_owned(),
                status: classified.status,
                final_url: classified.final_url.clone(),
                headers: classified.headers.clone(),
                body_hash: classified.body_hash.clone(),
                content_hash: None,
                detail: classified.reason.clone(),
            };
            match kind {
                EvidenceKind::Gone | EvidenceKind::There => answer,
                EvidenceKind::Changed => EvidenceRow { content_hash: revision.clone(), ..answer },
                EvidenceKind::Removed => {
                    report.removed += 1;
                    EvidenceRow {
                        detail: format!(
                            "{} gone answers in a row since {}",
                            state.gone_count,
                            state
                                .gone_since
                                .and_then(DateTime::from_timestamp_millis)
                                .map_or_else(String::new, |t| t.to_rfc3339())
                        ),
                        ..EvidenceRow { at: now_ms, kind: answer.kind, ..EvidenceRow::default() }
                    }
                }
            }
        })
        .collect();
    let records = evidence.iter().map(|row| Record::new(&due.path, &due.url, row)).collect();
    Ok((CheckUpdate { article_id: due.article_id, state, evidence }, records))
}

/// Archives the page's article text as the article's new version (the previous one
/// is kept under `.revisions/`, as for any revision); returns the content hash of
/// the version now current.
fn write_revision(
    writer: &mut VaultWriter,
    settings: &Settings,
    due: &DueCheck,
    html: String,
    now: DateTime<Utc>,
) -> Result<String, String> {
    let path = writer.root.join(&due.path);
    let bytes = std::fs::read(&path).map_err(|e| format!("reading {}: {e}", due.path))?;
    let article = Article::from_file(&bytes).map_err(|e| format!("{}: not an article file: {e}", due.path))?;
    let item = refetch::item_with_body(due.item_key.as_deref(), &article, html);
    let archived = writer.archiver.archive_items(&due.feed, &[item], now).map_err(|e| e.to_string())?;
    if archived.changed.is_empty() {
        return Err("the archiver found nothing new in it".into());
    }
    // The revision's images are kept as a fetched revision's are.
    if let Some(feed) = settings.feed(&due.feed) {
        super::images::keep(writer, settings, feed, &archived.changed, now).map_err(|e| e.to_string())?;
    }
    let content_hash = archived.changed[0].1.content_hash();
    writer
        .indexer
        .add(archived.changed.into_iter().map(|(p, a)| crate::index::document(p, &due.feed, a)).collect())
        .map_err(|e| e.to_string())?;
    Ok(content_hash)
}

/// Keeps the page response that showed an edit as a raw capture of the revision it
/// made (when captures are on; a page read from a file has no exchange to keep).
fn keep_page_of_revision(
    writer: &mut VaultWriter,
    settings: &Settings,
    page: &PageAnswer,
    article_path: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(exchange) = page.exchange.clone() else { return Ok(()) };
    let raw = RawResponse { exchange, final_url: page.final_url.clone(), body: page.body.clone() };
    let version = CaptureLink { article_path: article_path.to_owned(), seen_at: now.timestamp_millis() };
    writer.keep_capture(settings, CaptureKind::Page, &raw, &[version])?;
    Ok(())
}

/// Writes the evidence (synced) and then records the checks in state.db.
fn flush(writer: &mut VaultWriter, updates: &mut Vec<CheckUpdate>, records: &mut Vec<Record>) -> Result<()> {
    let folder = writer.archiver.settings().layout.root();
    evidence::append(&writer.root, folder, writer.archiver.store_mut(), records)?;
    writer.archiver.store_mut().record_checks(updates)?;
    updates.clear();
    records.clear();
    Ok(())
}
