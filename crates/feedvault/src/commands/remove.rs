//! `feedvault remove FEED`: unsubscribe; the archived articles stay. It edits only
//! feedvault.toml and the feed's state row (no vault lock, so it works while the
//! daemon runs; SQLite serializes the row update).

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use feedvault_store::Store;

use crate::config::Config;
use crate::usage;

pub fn run(vault: &Path, feed: &str) -> Result<ExitCode> {
    let mut config = Config::load(vault)?;
    let name = config
        .feed(feed)
        .map(|f| f.name.clone())
        .ok_or_else(|| usage!("no feed named or at {feed:?} (see `feedvault list`)"))?;
    let mut store = super::open_store(vault)?;
    let articles = store.feed(&name)?.map_or(0, |f| f.articles);
    config.remove_feed(&name);
    config.save()?;
    store.remove_feed(&name)?;
    println!("Unsubscribed {name}; its {articles} archived articles stay in the archive.");
    Ok(ExitCode::SUCCESS)
}
