//! `feedvault import-opml FILE` and `feedvault export-opml`.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result};

use crate::config::Config;
use crate::opml;

pub fn import(vault: &Path, file: &Path) -> Result<ExitCode> {
    let mut config = Config::load(vault)?;
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let outlines = opml::read(&text).with_context(|| file.display().to_string())?;
    // Relative xmlUrl values are relative to the OPML file.
    let base_dir = std::path::absolute(file)?.parent().map(Path::to_path_buf).unwrap_or_default();
    let (mut added, mut skipped) = (0, 0);
    for outline in outlines {
        match super::add::subscription(&config, &outline.url, None, outline.title.clone(), &base_dir) {
            Ok(entry) => {
                println!("Subscribed {} to {}", entry.name, entry.url);
                config.add_feed(entry);
                added += 1;
            }
            Err(err) => {
                eprintln!("feedvault: skipped {}: {err}", outline.url);
                skipped += 1;
            }
        }
    }
    config.save()?;
    println!("Imported {added} feeds from {} ({skipped} skipped).", file.display());
    Ok(ExitCode::SUCCESS)
}

pub fn export(vault: &Path) -> Result<ExitCode> {
    let config = Config::load(vault)?;
    print!("{}", opml::write(&config.feeds));
    Ok(ExitCode::SUCCESS)
}
