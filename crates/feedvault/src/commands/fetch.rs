//! `feedvault fetch [--force]`: one cycle over the due feeds (`--force`: every feed,
//! gone ones too, ignoring validators and the unchanged-body shortcut), with a
//! progress bar on a terminal, a line per failing feed on stderr, and a summary.
//! A failing feed does not change the exit code; a failure of the vault exits 1.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};

use super::cycle::{self, FeedResult, Outcome};
use crate::config::Config;
use crate::output::timestamp;

pub fn run(vault: &Path, force: bool) -> Result<ExitCode> {
    let mut config = Config::load(vault)?;
    let mut context = cycle::Context::open(vault, &config)?;
    let removed = feedvault_archive::verify::remove_temp_files(vault)?;
    if removed > 0 {
        eprintln!("feedvault: removed {removed} temporary files left by an interrupted run");
    }
    if config.feeds.is_empty() {
        println!("No feeds to fetch: subscribe with `feedvault add URL`.");
        return Ok(ExitCode::SUCCESS);
    }
    let progress = ProgressBar::new(config.feeds.len() as u64)
        .with_style(ProgressStyle::with_template("{bar:30} {pos}/{len} feeds {msg}").expect("a valid template"));
    let stop = cycle::stop_flag();
    let results = cycle::run(&mut config, &mut context, force, &stop, |result| {
        progress.set_message(result.name.clone());
        progress.suspend(|| report_problems(result));
        progress.inc(1);
    });
    progress.finish_and_clear();
    let results = results?;
    print_summary(&config, &results);
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
}

fn print_summary(config: &Config, results: &[FeedResult]) {
    let root = config.settings.layout.root();
    let (mut new, mut revised, mut unchanged, mut failed) = (0, 0, 0, 0);
    for feed in &config.feeds {
        let Some(result) = results.iter().find(|r| r.name == feed.name) else { continue };
        let line = match &result.outcome {
            Outcome::Archived(r) => {
                new += r.new;
                revised += r.revised;
                unchanged += r.unchanged;
                format!("{} new, {} revised, {} unchanged -> {root}/{}/", r.new, r.revised, r.unchanged, feed.name)
            }
            Outcome::Unchanged => "not changed since the last fetch".to_owned(),
            Outcome::Failed { kind, .. } => {
                failed += 1;
                format!("failed ({kind}); next try {}", timestamp(Some(result.next_check_at)))
            }
        };
        println!("{}: {line}", feed.name);
    }
    let skipped = config.feeds.len() - results.len();
    let not_due = if skipped > 0 { format!(" ({skipped} not due)") } else { String::new() };
    println!(
        "Fetched {}{not_due}: {} ({revised} revised, {unchanged} unchanged); {} failed.",
        count(results.len(), "feed"),
        count(new, "new article"),
        count(failed, "feed")
    );
}

/// `1 feed`, `2 feeds`.
fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}
