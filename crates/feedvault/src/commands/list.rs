//! `feedvault list`: the feeds with their state: articles, last check, status (the
//! last failure with its kind and since when, gone, gaps), next check, and a
//! permanent move.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use feedvault_engine::Vault;
use feedvault_store::FeedState;

use crate::output::{table, timestamp};

pub fn run(vault: &Path) -> Result<ExitCode> {
    let feeds = Vault::open(vault)?.feeds()?;
    if feeds.is_empty() {
        println!("No feeds yet: subscribe with `feedvault add URL`.");
        return Ok(ExitCode::SUCCESS);
    }
    let mut rows = vec![["FEED", "ARTICLES", "LAST CHECK", "NEXT CHECK", "STATUS", "URL"].map(String::from).to_vec()];
    for view in &feeds {
        let (feed, state) = (&view.settings, &view.state);
        let next = match (state.gone_since, state.next_check_at) {
            (Some(_), _) => "never (gone)".to_owned(),
            (None, None) => "now".to_owned(),
            (None, Some(at)) => timestamp(Some(at)),
        };
        let mut url = feed.url.clone();
        if let Some(from) = &state.moved_from {
            url.push_str(&format!(" (moved from {from})"));
        }
        rows.push(vec![
            feed.name.clone(),
            state.articles.to_string(),
            timestamp(state.last_checked_at),
            next,
            status(state),
            url,
        ]);
    }
    print!("{}", table(&rows));
    Ok(ExitCode::SUCCESS)
}

/// A feed's status in one cell.
fn status(state: &FeedState) -> String {
    let mut status = match (&state.last_error, state.last_checked_at) {
        (Some(error), _) => {
            let kind = state.failure_kind.map(|k| k.label()).unwrap_or("error".into());
            let gone = if state.gone_since.is_some() { "gone; " } else { "" };
            format!("{gone}{kind} ×{} since {}: {}", state.failures, timestamp(state.error_since), shorten(error, 80))
        }
        (None, Some(_)) => "ok".to_owned(),
        (None, None) => "not fetched yet".to_owned(),
    };
    if state.gaps > 0 {
        status.push_str(&format!("; {} gaps, last {}", state.gaps, timestamp(state.last_gap_at)));
    }
    status
}

/// At most `max` characters, with an ellipsis when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(max - 1).collect::<String>())
    }
}
