//! `feedvault import-opml FILE` and `feedvault export-opml`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};
use feedvault_engine::Vault;

pub fn import(vault: &Path, file: &Path) -> Result<ExitCode> {
    let opened = Vault::open(vault)?;
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    // Relative xmlUrl values are relative to the OPML file.
    let base_dir = std::path::absolute(file)?.parent().map(Path::to_path_buf).unwrap_or_default();
    let report = opened.import_opml(&text, &base_dir).with_context(|| file.display().to_string())?;
    for feed in &report.added {
        println!("Subscribed {} to {}", feed.name, feed.url);
    }
    for (url, why) in &report.skipped {
        eprintln!("feedvault: skipped {url}: {why}");
    }
    println!("Imported {} feeds from {} ({} skipped).", report.added.len(), file.display(), report.skipped.len());
    Ok(ExitCode::SUCCESS)
}

pub fn export(vault: &Path) -> Result<ExitCode> {
    print!("{}", Vault::open(vault)?.export_opml()?);
    Ok(ExitCode::SUCCESS)
}
