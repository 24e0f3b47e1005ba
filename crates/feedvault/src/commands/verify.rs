//! `feedvault verify`: check that the files, state.db and the search index agree,
//! and that every file still has the bytes it was archived with.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use feedvault_engine::Vault;
use indicatif::{ProgressBar, ProgressStyle};

pub fn run(vault: &Path) -> Result<ExitCode> {
    let opened = Vault::open(vault)?;
    let progress = ProgressBar::new(0)
        .with_style(ProgressStyle::with_template("{bar:30} {pos}/{len} files {per_sec}").expect("a valid template"));
    let problems = opened.verify(&mut |done, total| {
        progress.set_length(total as u64);
        progress.set_position(done as u64);
    });
    progress.finish_and_clear();
    let problems = problems?;
    if problems.is_empty() {
        let (articles, revisions) = opened.counts()?;
        println!(
            "OK: {articles} articles and {revisions} revisions, all recorded, unchanged, readable and searchable."
        );
        return Ok(ExitCode::SUCCESS);
    }
    for problem in &problems {
        println!("{problem}");
    }
    eprintln!("feedvault: verify found {} problems in {}", problems.len(), vault.display());
    Ok(ExitCode::from(1))
}
