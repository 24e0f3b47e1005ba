//! `feedvault refetch-text FEED [--wait]`: the full text of a feed's archived
//! articles extracted again; a line on stderr per page that gave none, and counts.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;

pub fn run(vault: &Path, feed: &str, wait: Option<u64>) -> Result<ExitCode> {
    let (_, mut writer) = super::writer(vault, Duration::from_secs(wait.unwrap_or(0)))?;
    let report = writer.refetch_text(feed, &mut |_, _| {})?;
    for failure in &report.failures {
        eprintln!("feedvault: feed {feed}: {}", failure.describe());
    }
    for failure in &report.images.failures {
        eprintln!("feedvault: feed {feed}: {}", failure.describe());
    }
    println!(
        "{feed}: {} articles: {} revised (text differed), {} unchanged, {} without full text.",
        report.articles,
        report.revised,
        report.unchanged,
        report.failures.len()
    );
    Ok(ExitCode::SUCCESS)
}
