//! `feedvault import-archive DIR`: bring in article files from another archive.

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Result;

pub fn run(vault: &Path, dir: &Path) -> Result<ExitCode> {
    let (_, mut writer) = super::writer(vault, Duration::ZERO)?;
    let report = writer.import_archive(dir)?;
    for skipped in &report.skipped {
        eprintln!("feedvault: skipped {skipped}");
    }
    for undated in &report.undated {
        eprintln!("feedvault: {undated}: no valid time on line 1; dated by the file's modification time");
    }
    for (feed, count) in &report.by_feed {
        println!("{feed}: {count} articles imported");
    }
    println!(
        "Imported {} articles ({} already present, {} skipped).",
        report.imported,
        report.already_present,
        report.skipped.len()
    );
    Ok(ExitCode::SUCCESS)
}
