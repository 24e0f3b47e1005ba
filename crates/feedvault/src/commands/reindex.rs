//! `feedvault reindex`: rebuild state.db and the search index from archive/ and
//! feedvault.toml.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;

pub fn run(vault: &Path) -> Result<ExitCode> {
    let (_, mut writer) = super::writer(vault, Duration::ZERO)?;
    let report = writer.reindex()?;
    for skipped in &report.skipped {
        eprintln!("feedvault: skipped {skipped}");
    }
    println!(
        "Reindexed {} articles and {} revisions ({} files skipped); {} articles in the search index.",
        report.articles,
        report.revisions,
        report.skipped.len(),
        report.indexed
    );
    if report.images > 0 {
        println!("Recorded {} kept images again from assets/records.jsonl.", report.images);
    }
    if report.evidence > 0 {
        println!("Restored {} re-check evidence records from the vault's evidence files.", report.evidence);
    }
    if report.captures > 0 {
        println!("Recorded {} raw captures again from captures/records.jsonl.", report.captures);
    }
    Ok(ExitCode::SUCCESS)
}
