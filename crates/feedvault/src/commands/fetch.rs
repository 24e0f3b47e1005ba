//! `feedvault fetch [--force] [--wait]`: one cycle over the due feeds (`--force`:
//! every feed, gone ones too, ignoring validators and the unchanged-body shortcut),
//! with a progress bar on a terminal, a line per failing feed on stderr, and a
//! summary. A failing feed does not change the exit code; a failure of the vault
//! exits 1.

use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::Result;
use feedvault_engine::{CycleOptions, CycleReport, FeedResult, Outcome, Settings};
use indicatif::{ProgressBar, ProgressStyle};

use crate::output::{count, timestamp};

pub fn run(vault: &Path, force: bool, wait: Option<u64>) -> Result<ExitCode> {
    let (opened, mut writer) = super::writer(vault, Duration::from_secs(wait.unwrap_or(0)))?;
    let settings = opened.settings()?;
    if settings.feeds.is_empty() {
        println!("No feeds to fetch: subscribe with `feedvault add URL`.");
        return Ok(ExitCode::SUCCESS);
    }
    let progress = ProgressBar::new(settings.feeds.len() as u64)
        .with_style(ProgressStyle::with_template("{bar:30} {pos}/{len} feeds {msg}").expect("a valid template"));
    let stop = AtomicBool::new(false);
    let report = writer.fetch(CycleOptions { force }, &stop, |result| {
        progress.set_message(result.name.clone());
        progress.suspend(|| report_problems(result));
        progress.inc(1);
    });
    progress.finish_and_clear();
    let report = report?;
    print_summary(&settings, &report);
    super::publish::after_fetch(&mut writer, &settings)?;
    Ok(ExitCode::SUCCESS)
}

/// One line on stderr per failing feed, gap, move or newly gone feed.
pub fn report_problems(result: &FeedResult) {
    let name = &result.name;
    if let Outcome::Failed { message, .. } = &result.outcome {
        eprintln!("feedvault: feed {name}: {message}");
    }
    if result.gone {
        eprintln!("feedvault: feed {name}: gone (404/410 on every check for days); no longer fetched");
    }
    if result.gap {
        eprintln!("feedvault: feed {name}: every item was new: items may have been missed since the last check");
    }
    if let Some(url) = &result.moved_to {
        eprintln!("feedvault: feed {name}: moved permanently to {url} (feedvault.toml updated)");
    }
    for failure in &result.preserve.failures {
        eprintln!("feedvault: feed {name}: {}", failure.describe());
    }
    for failure in &result.preserve.images.failures {
        eprintln!("feedvault: feed {name}: {}", failure.describe());
    }
}

/// `, 12 filtered, full text of 3` (empty when the feed has neither).
fn preserved(result: &FeedResult) -> String {
    let notes = &result.preserve;
    let mut out = String::new();
    if notes.filtered > 0 {
        out.push_str(&format!(", {} filtered", notes.filtered));
    }
    if notes.full_text > 0 {
        out.push_str(&format!(", full text of {}", notes.full_text));
    }
    if !notes.failures.is_empty() {
        out.push_str(&format!(", {} without full text", notes.failures.len()));
    }
    let images = &notes.images;
    if images.kept + images.reused > 0 {
        out.push_str(&format!(", {} images kept", images.kept + images.reused));
    }
    if !images.failures.is_empty() {
        out.push_str(&format!(", {} images not kept", images.failures.len()));
    }
    out
}

fn print_summary(settings: &Settings, report: &CycleReport) {
    let root = settings.vault.layout.root();
    let (mut new_total, mut revised_total, mut unchanged_total, mut failed) = (0, 0, 0, 0);
    for feed in &settings.feeds {
        let Some(result) = report.results.iter().find(|r| r.name == feed.name) else { continue };
        let line = match &result.outcome {
            Outcome::Archived { new, revised, unchanged } => {
                new_total += new;
                revised_total += revised;
                unchanged_total += unchanged;
                let preserved = preserved(result);
                format!("{new} new, {revised} revised, {unchanged} unchanged{preserved} -> {root}/{}/", feed.name)
            }
            Outcome::Unchanged => "not changed since the last fetch".to_owned(),
            Outcome::Failed { kind, .. } => {
                failed += 1;
                format!("failed ({kind}); next try {}", timestamp(Some(result.next_check_at)))
            }
        };
        println!("{}: {line}", feed.name);
    }
    let not_due = if report.not_due > 0 { format!(" ({} not due)", report.not_due) } else { String::new() };
    println!(
        "Fetched {}{not_due}: {} ({revised_total} revised, {unchanged_total} unchanged); {} failed.",
        count(report.results.len() as u64, "feed"),
        count(new_total as u64, "new article"),
        count(failed, "feed")
    );
    let checks = &report.rechecks;
    if checks.checked > 0 {
        println!(
            "Re-checked {}: {} unchanged, {} changed, {} gone, {} unreachable; {} marked removed{}.",
            count(checks.checked as u64, "page"),
            checks.unchanged,
            checks.changed,
            checks.gone,
            checks.unreachable,
            checks.removed,
            if checks.more_due { " (more are due: the next cycle checks them)" } else { "" }
        );
    }
    for problem in &report.rechecks.problems {
        println!("re-check: {problem}");
    }
}
