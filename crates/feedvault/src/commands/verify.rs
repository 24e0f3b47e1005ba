//! `feedvault verify`: check that the archive and state.db agree.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use feedvault_store::Store;

use crate::config::Config;

pub fn run(vault: &Path) -> Result<ExitCode> {
    Config::load(vault)?;
    let store = super::open_store(vault)?;
    let mut problems = feedvault_archive::verify::verify(vault, &store)?;
    let index = super::index::open(vault)?;
    problems.extend(super::index::compare(&index, &store.article_paths()?)?);
    if problems.is_empty() {
        println!(
            "OK: {} articles and {} revisions, all recorded, readable and searchable.",
            store.article_count()?,
            store.revision_paths()?.len()
        );
        return Ok(ExitCode::SUCCESS);
    }
    for problem in &problems {
        println!("{problem}");
    }
    eprintln!("feedvault: verify found {} problems in {}", problems.len(), vault.display());
    Ok(ExitCode::from(1))
}
