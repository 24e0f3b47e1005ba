//! `feedvault reindex`: rebuild state.db from archive/ and feedvault.toml.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use feedvault_store::Store;

use crate::config::Config;

pub fn run(vault: &Path) -> Result<ExitCode> {
    let config = Config::load(vault)?;
    let mut archiver = super::open_archiver(vault, &config)?;
    let report = feedvault_archive::reindex::reindex(vault, archiver.store_mut())?;
    for skipped in &report.skipped {
        eprintln!("feedvault: skipped {skipped}");
    }
    let indexed = super::index::rebuild(vault)?;
    if config.settings.layout == feedvault_archive::Layout::Countdown {
        for feed in &config.feeds {
            let title =
                archiver.store().feed(&feed.name)?.and_then(|f| f.title).or(feed.title.clone()).unwrap_or_default();
            feedvault_archive::lists::write_list(vault, archiver.store(), &feed.name, &title)?;
        }
    }
    println!(
        "Reindexed {} articles and {} revisions ({} files skipped); {indexed} articles in the search index.",
        report.articles,
        report.revisions,
        report.skipped.len()
    );
    Ok(ExitCode::SUCCESS)
}
