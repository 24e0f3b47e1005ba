//! `feedvault remove FEED`: unsubscribe; the archived articles stay. It edits only
//! feedvault.toml (under its lock) and the feed's state row, so it works while a
//! fetch or the daemon runs.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use feedvault_engine::Vault;

pub fn run(vault: &Path, feed: &str) -> Result<ExitCode> {
    let (name, articles) = Vault::open(vault)?.unsubscribe(feed)?;
    println!("Unsubscribed {name}; its {articles} archived articles stay in the archive.");
    Ok(ExitCode::SUCCESS)
}
