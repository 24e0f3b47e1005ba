//! `feedvault list`: the feeds with their state and last error.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use feedvault_store::Store;

use crate::config::Config;
use crate::output::{table, timestamp};

pub fn run(vault: &Path) -> Result<ExitCode> {
    let config = Config::load(vault)?;
    let store = super::open_store(vault)?;
    if config.feeds.is_empty() {
        println!("No feeds yet: subscribe with `feedvault add URL`.");
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows = vec![["FEED", "ARTICLES", "LAST CHECK", "STATUS", "URL"].map(String::from).to_vec()];
    for feed in &config.feeds {
        let state = store.feed(&feed.name)?.unwrap_or_default();
        let status = match (&state.last_error, state.last_checked_at) {
            (Some(error), _) => format!("failing since {}: {}", timestamp(state.error_since), shorten(error, 100)),
            (None, Some(_)) => "ok".to_owned(),
            (None, None) => "not fetched yet".to_owned(),
        };
        rows.push(vec![
            feed.name.clone(),
            state.articles.to_string(),
            timestamp(state.last_checked_at),
            status,
            feed.url.clone(),
        ]);
    }
    print!("{}", table(&rows));
    Ok(ExitCode::SUCCESS)
}

/// At most `max` characters, with an ellipsis when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(max - 1).collect::<String>())
    }
}
