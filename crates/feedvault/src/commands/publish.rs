//! `feedvault publish [--status]`: commit what is uncommitted and push what is
//! unpushed to the `[publish.git]` remotes, or show how far each remote is behind.
//! Also the publishing step at the end of `fetch` and of each daemon cycle.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;
use chrono::Utc;
use feedvault_engine::settings::{GitSection, Settings};
use feedvault_engine::{Vault, VaultWriter};
use feedvault_publish::git::{self, PublishReport, PushOutcome, Trigger};

use crate::output::{count, timestamp};
use crate::usage;

pub fn run(vault: &Path, status: bool, wait: Option<u64>) -> Result<ExitCode> {
    if status {
        let opened = Vault::open(vault)?;
        let git = configured(&opened.settings()?)?;
        print_status(&git::status(&opened, &git)?);
        return Ok(ExitCode::SUCCESS);
    }
    let (opened, mut writer) = super::writer(vault, Duration::from_secs(wait.unwrap_or(0)))?;
    let git = configured(&opened.settings()?)?;
    let report = git::publish(&mut writer, &git, Trigger::OnDemand, Utc::now())?;
    if report.commit.is_none() {
        println!("Nothing to commit.");
    }
    let failed = print_report(&report, &git);
    Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
}

/// After a fetch: publish when `[publish.git]` is set. Push failures are reported
/// and retried later; they do not fail the fetch.
pub fn after_fetch(writer: &mut VaultWriter, settings: &Settings) -> Result<()> {
    let Some(git) = &settings.publish.git else { return Ok(()) };
    let report = git::publish(writer, git, Trigger::AfterFetch, Utc::now())?;
    print_report(&report, git);
    Ok(())
}

fn configured(settings: &Settings) -> Result<GitSection> {
    settings
        .publish
        .git
        .clone()
        .ok_or_else(|| usage!("feedvault.toml has no [publish.git] table: add one with the remotes to push to"))
}

/// Prints what publishing did; true when a push failed.
pub fn print_report(report: &PublishReport, git: &GitSection) -> bool {
    if let Some(commit) = &report.commit {
        println!("Committed {}: {} ({} files).", &commit.id[..10], commit.summary, commit.files);
    }
    if report.waiting > 0 {
        println!(
            "{} changed files wait for the next commit (at most one per {}).",
            report.waiting,
            feedvault_engine::settings::format_duration(git.interval)
        );
    }
    if let Some(error) = &report.maintenance_error {
        eprintln!("feedvault: packing the repository (git gc --auto) failed: {error}");
    }
    let mut failed = false;
    for (remote, outcome) in &report.pushes {
        match outcome {
            PushOutcome::Pushed { commits } => println!("Pushed to {remote} ({}).", count(*commits as u64, "commit")),
            PushOutcome::UpToDate => {}
            PushOutcome::Waiting { until } => {
                println!("{remote}: not tried after earlier failures; next try {}", timestamp(Some(*until)))
            }
            PushOutcome::Failed { error, next_attempt_at } => {
                failed = true;
                eprintln!(
                    "feedvault: push to {remote} failed: {error}; next try {}",
                    timestamp(Some(*next_attempt_at))
                );
            }
        }
    }
    failed
}

fn print_status(status: &git::Status) {
    match &status.tip {
        Some((id, at)) => {
            println!("branch {}: last commit {} at {}", status.branch, &id[..10], timestamp(Some(at * 1000)))
        }
        None => println!("branch {}: no commit yet", status.branch),
    }
    println!("{} changed files wait for the next commit", status.waiting);
    for remote in &status.remotes {
        let pushed = match &remote.pushed_commit {
            Some(commit) => format!("pushed {} at {}", &commit[..10.min(commit.len())], timestamp(remote.pushed_at)),
            None => "never pushed".to_owned(),
        };
        let behind = match remote.behind {
            0 => "up to date".to_owned(),
            n => format!("{} behind", count(n as u64, "commit")),
        };
        println!("{}: {pushed}, {behind}", remote.remote);
        if let Some(error) = &remote.last_error {
            println!(
                "  last error ({} failures in a row): {error}; next automatic try {}",
                remote.failures,
                timestamp(remote.next_attempt_at)
            );
        }
    }
}
