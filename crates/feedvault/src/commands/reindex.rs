//! `feedvault reindex`: rebuild state.db from archive/ and feedvault.toml.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;

use crate::config::Config;

pub fn run(vault: &Path) -> Result<ExitCode> {
    let config = Config::load(vault)?;
    let mut archiver = super::open_archiver(vault, &config)?;
    let report = feedvault_archive::reindex::reindex(vault, archiver.store_mut())?;
    for skipped in &report.skipped {
        eprintln!("feedvault: skipped {skipped}");
    }
    let mut index = super::index::open(vault)?;
    let indexed = super::index::rebuild(vault, &mut index)?;
    println!(
        "Reindexed {} articles and {} revisions ({} files skipped); {indexed} articles in the search index.",
        report.articles,
        report.revisions,
        report.skipped.len()
    );
    Ok(ExitCode::SUCCESS)
}
