//! Carrying out the changes queued from the web (feedvault_engine::requests) as the
//! vault's one writer: subscribe and unsubscribe in the engine, "fetch now" as a
//! cycle over every feed (then publishing, as after any cycle), "publish now" as `feedvault publish` does. The daemon
//! calls [`carry_out`] between and during its sleeps; `serve` runs [`runner`],
//! which becomes the writer briefly when nobody holds the vault.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use chrono::Utc;
use feedvault_engine::{CycleOptions, RequestKind, Vault, VaultWriter};
use feedvault_publish::git::{self, PushOutcome, Trigger};
use feedvault_web::Requests;
use tracing::{info, warn};

/// What carrying out the queue did that the caller may care about.
#[derive(Debug, Default)]
pub struct Carried {
    /// A request subscribed a feed (the daemon runs a cycle so it is fetched).
    pub subscribed: bool,
}

/// Carries out every queued request, logging each; errors of the queue itself are
/// logged, never fatal.
pub fn carry_out(writer: &mut VaultWriter, stop: &AtomicBool) -> Carried {
    let mut carried = Carried::default();
    let done = writer.carry_out_requests(|writer, kind| match kind {
        RequestKind::FetchNow => fetch_now(writer, stop),
        RequestKind::PublishNow => publish_now(writer),
        other => Err(format!("{} is not carried out here", other.describe())),
    });
    match done {
        Ok(done) => {
            for (id, what, outcome) in done {
                match outcome {
                    Ok(message) => {
                        carried.subscribed |= what.starts_with("subscribe to");
                        info!(request = %id, "{what}: {message}")
                    }
                    Err(message) => warn!(request = %id, "{what} failed: {message}"),
                }
            }
        }
        Err(err) => warn!("the queue of requests could not be read: {err}"),
    }
    carried
}

fn fetch_now(writer: &mut VaultWriter, stop: &AtomicBool) -> Result<String, String> {
    let report =
        writer.fetch(CycleOptions { force: true }, stop, super::daemon::log_result).map_err(|e| e.to_string())?;
    // As after every cycle: publishing, held back by `[publish.git] interval`.
    super::daemon::publish(writer, &super::daemon::opened_settings(writer.root()));
    let failed =
        report.results.iter().filter(|r| matches!(r.outcome, feedvault_engine::Outcome::Failed { .. })).count();
    Ok(format!("fetched {} feeds ({failed} failed)", report.results.len()))
}

fn publish_now(writer: &mut VaultWriter) -> Result<String, String> {
    let settings = feedvault_engine::config_file::load(writer.root()).map_err(|e| e.to_string())?;
    let git = settings.publish.git.ok_or("feedvault.toml has no [publish.git] table")?;
    let report = git::publish(writer, &git, Trigger::OnDemand, Utc::now()).map_err(|e| e.to_string())?;
    let mut said = match &report.commit {
        Some(commit) => {
            format!("committed {}: {} ({} files)", &commit.id[..10.min(commit.id.len())], commit.summary, commit.files)
        }
        None => "nothing to commit".to_owned(),
    };
    let mut failed = Vec::new();
    for (remote, outcome) in &report.pushes {
        match outcome {
            PushOutcome::Pushed { commits } => said.push_str(&format!("; pushed {commits} commits to {remote}")),
            PushOutcome::Failed { error, .. } => failed.push(format!("push to {remote} failed: {error}")),
            _ => {}
        }
    }
    if failed.is_empty() { Ok(said) } else { Err(format!("{said}; {}", failed.join("; "))) }
}

/// `serve`'s runner: when requests wait (queued here, or found in the vault every
/// few seconds) and nobody holds the vault, becomes the writer, carries them out
/// and lets go. While another process holds it, leaves them to that process.
pub fn runner(vault: Arc<Vault>, requests: Arc<Requests>, stop: Arc<AtomicBool>) {
    let spawned = std::thread::Builder::new().name("feedvault-requests".into()).spawn(move || {
        while !stop.load(Ordering::SeqCst) {
            requests.wait(Duration::from_secs(2));
            if stop.load(Ordering::SeqCst) || !vault.has_requests() || vault.writer_running().unwrap_or(true) {
                continue;
            }
            match vault.writer(Duration::ZERO) {
                Ok(mut writer) => {
                    carry_out(&mut writer, &stop);
                }
                Err(err) => warn!("queued requests cannot be carried out now: {err}"),
            }
        }
    });
    if let Err(err) = spawned {
        warn!("queued requests are not carried out by this server: {err}");
    }
}
