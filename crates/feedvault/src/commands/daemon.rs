//! `feedvault daemon`: fetch on schedule until SIGINT or SIGTERM, serving the web
//! UI and API (feedvault-web) on the same runtime. The daemon is the vault's one
//! writer: changes asked for from the web (its own, or another `serve`'s) are
//! queued in the vault and carried out here ([`super::requests`]) when it starts,
//! after each cycle and while it sleeps (checked every 100 ms): subscribe,
//! unsubscribe, a forced cycle for "fetch now", publishing for "publish now".
//!
//! Each cycle fetches the feeds that are due (the same cycle as `fetch`), then the
//! daemon sleeps until the next feed is due. feedvault.toml is read again before
//! every cycle, so `add` and `remove` take effect without a restart. On a signal it
//! stops starting fetches, finishes the feed it is writing, commits the index and
//! exits 0. Logs go to stderr through `tracing`: readable text, or JSON lines with
//! `--log-format json`.

use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::Result;
use chrono::Utc;
use feedvault_engine::{CycleOptions, FeedResult, Outcome, Vault};
use feedvault_web::{Requests, ServeOptions};
use tracing::{info, warn};

use super::serve::WebArgs;
use crate::usage;

/// The longest sleep between cycles, so a feed added to feedvault.toml is picked up.
const MAX_SLEEP: Duration = Duration::from_secs(60);

pub fn run(vault: &Path, log_format: &str, web: &WebArgs) -> Result<ExitCode> {
    init_logging(log_format)?;
    let addr = web.addr()?;
    let (opened, mut writer) = super::writer(vault, Duration::ZERO)?;
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = stop.clone();
        writer.runtime().spawn(async move {
            let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
            tokio::select! {
                _ = tokio::signal::ctrl_c() => info!("SIGINT: finishing what is being written"),
                _ = async { match terminate.as_mut() { Some(s) => { s.recv().await; } None => std::future::pending().await } } => {
                    info!("SIGTERM: finishing what is being written");
                }
            }
            stop.store(true, Ordering::SeqCst);
        });
    }
    info!(vault = %vault.display(), feeds = opened.settings()?.feeds.len(), "daemon started");
    let requests = Arc::new(Requests::writer());
    let options = ServeOptions { requests: Some(requests.clone()), ..web.options(&opened.settings()?) };
    start_web(writer.runtime(), Arc::new(opened), addr, options, stop.clone());
    // Requests queued while no daemon ran.
    super::requests::carry_out(&mut writer, &stop);
    let mut cycles = 0u64;
    while !stop.load(Ordering::SeqCst) {
        let report = writer.fetch(CycleOptions { force: false }, &stop, log_result)?;
        cycles += 1;
        info!(cycle = cycles, fetched = report.results.len(), "cycle done");
        publish(&mut writer, &opened_settings(vault));
        let wake = next_wake(writer.next_due()?);
        let started = std::time::Instant::now();
        while !stop.load(Ordering::SeqCst) && started.elapsed() < wake {
            if (requests.take() || writer.has_requests()) && super::requests::carry_out(&mut writer, &stop).subscribed {
                break; // a new feed is due now
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    info!(cycles, "daemon stopped");
    Ok(ExitCode::SUCCESS)
}

/// Serves the web UI on the writer's runtime until `stop`. An address that cannot
/// be bound is logged and the daemon goes on archiving without it.
fn start_web(
    runtime: &tokio::runtime::Runtime,
    vault: Arc<Vault>,
    addr: std::net::SocketAddr,
    options: ServeOptions,
    stop: Arc<AtomicBool>,
) {
    let listener = match runtime.block_on(super::serve::listen(addr, &options)) {
        Ok(listener) => listener,
        Err(err) => {
            warn!("the web UI is not served: {err:#}");
            return;
        }
    };
    runtime.spawn(async move {
        let stopped = async move {
            while !stop.load(Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        };
        if let Err(err) = feedvault_web::serve(vault, listener, options, stopped).await {
            warn!("the web UI stopped: {err}");
        }
    });
}

/// How long to sleep: until the next feed is due, at most [`MAX_SLEEP`].
fn next_wake(next_due: Option<i64>) -> Duration {
    let now = Utc::now().timestamp_millis();
    let earliest = next_due.unwrap_or(i64::MAX).min(now + MAX_SLEEP.as_millis() as i64);
    Duration::from_millis((earliest - now).max(0) as u64)
}

pub(super) fn log_result(result: &FeedResult) {
    let feed = result.name.as_str();
    let next = chrono::DateTime::<Utc>::from_timestamp_millis(result.next_check_at)
        .map(|t| t.to_rfc3339())
        .unwrap_or_default();
    match &result.outcome {
        Outcome::Archived { new, revised, unchanged } => {
            info!(feed, new, revised, unchanged, next_check = %next, "archived")
        }
        Outcome::Unchanged => info!(feed, next_check = %next, "not changed"),
        Outcome::Failed { kind, message } => warn!(feed, kind = %kind, next_check = %next, "failed: {message}"),
    }
    if result.gap {
        warn!(feed, "every item was new: items may have been missed");
    }
    if result.gone {
        warn!(feed, "gone: no longer fetched");
    }
    if let Some(url) = &result.moved_to {
        info!(feed, url = %url, "moved permanently; feedvault.toml updated");
    }
    if result.preserve.filtered > 0 {
        info!(feed, filtered = result.preserve.filtered, "items left out by the feed's filters");
    }
    for failure in &result.preserve.failures {
        warn!(feed, link = %failure.link, "{}", failure.describe());
    }
    for failure in &result.preserve.images.failures {
        warn!(feed, image = %failure.url, "{}", failure.describe());
    }
}

pub fn init_logging(format: &str) -> Result<()> {
    let builder = tracing_subscriber::fmt().with_writer(std::io::stderr);
    match format {
        "human" => builder.with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr())).init(),
        "json" => builder.json().init(),
        other => return Err(usage!("unknown log format {other:?} (use human or json)")),
    }
    Ok(())
}

/// The settings as they are now (the cycle read them again); `None` when they no
/// longer read (the cycle has reported why).
pub(super) fn opened_settings(vault: &Path) -> Option<feedvault_engine::Settings> {
    feedvault_engine::config_file::load(vault).ok()
}

/// The publishing step after a cycle: logged, never stopping the daemon.
pub(super) fn publish(writer: &mut feedvault_engine::VaultWriter, settings: &Option<feedvault_engine::Settings>) {
    let Some(git) = settings.as_ref().and_then(|s| s.publish.git.as_ref()) else { return };
    match feedvault_publish::git::publish(writer, git, feedvault_publish::git::Trigger::AfterFetch, Utc::now()) {
        Ok(report) => {
            if let Some(commit) = &report.commit {
                info!(commit = %commit.id, files = commit.files, "{}", commit.summary);
            }
            for (remote, outcome) in &report.pushes {
                match outcome {
                    feedvault_publish::git::PushOutcome::Pushed { commits } => info!(remote, commits, "pushed"),
                    feedvault_publish::git::PushOutcome::Failed { error, .. } => warn!(remote, "push failed: {error}"),
                    _ => {}
                }
            }
        }
        Err(err) => warn!("publishing failed: {err}"),
    }
}
