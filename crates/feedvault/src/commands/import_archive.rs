//! `feedvault import-archive DIR`: bring in article files from another archive.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use chrono::Utc;

use crate::config::Config;
use crate::usage;

pub fn run(vault: &Path, dir: &Path) -> Result<ExitCode> {
    if !dir.is_dir() {
        return Err(usage!("{}: not a folder", dir.display()));
    }
    let config = Config::load(vault)?;
    let mut archiver = super::open_archiver(vault, &config)?;
    let report = feedvault_archive::import::import_archive(&mut archiver, dir, Utc::now())?;
    let mut index = super::index::open(vault)?;
    index.upsert(report.articles.iter().map(|(path, feed, article)| super::index::document(path, feed, article)))?;
    index.commit()?;
    if config.settings.layout == feedvault_archive::Layout::Countdown {
        for feed in report.by_feed.keys() {
            feedvault_archive::lists::write_list(vault, archiver.store(), feed, feed)?;
        }
    }
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
