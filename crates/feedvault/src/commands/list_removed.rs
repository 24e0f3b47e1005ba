//! `feedvault list --removed`: the articles the re-checks of their pages marked
//! removed, and those that vanished from their feed, each with its evidence (the
//! time, status, final URL, headers and body hash of every gone answer).

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use feedvault_engine::{RemovedArticle, Vault};

use crate::output::{count, timestamp};

pub fn run(vault: &Path) -> Result<ExitCode> {
    let articles = Vault::open(vault)?.removed_articles()?;
    if articles.is_empty() {
        println!("No article has been marked removed or vanished from its feed.");
        return Ok(ExitCode::SUCCESS);
    }
    for article in &articles {
        print!("{}", block(article));
    }
    println!("{}.", count(articles.len() as u64, "article"));
    Ok(ExitCode::SUCCESS)
}

/// One article: what it is flagged as, where it is, then its evidence a line each.
fn block(article: &RemovedArticle) -> String {
    let mut flags = Vec::new();
    if let Some(at) = article.removed_at {
        flags.push(format!("removed {}", timestamp(Some(at))));
    }
    if let Some(at) = article.vanished_at {
        flags.push(format!("vanished from the feed {}", timestamp(Some(at))));
    }
    let mut out = format!("{} [{}] {}\n", flags.join(", "), article.feed, article.title);
    out.push_str(&format!("  {}\n  {}\n", article.url, article.path));
    for e in &article.evidence {
        let mut line = format!("  {} {}", timestamp(Some(e.at)), e.kind);
        if let Some(status) = e.status {
            line.push_str(&format!(" HTTP {status}"));
        }
        if let Some(url) = e.final_url.as_deref().filter(|u| *u != article.url) {
            line.push_str(&format!(" at {url}"));
        }
        if let Some(hash) = &e.body_hash {
            line.push_str(&format!(" body sha256:{}", hash.get(..16).unwrap_or(hash)));
        }
        if let Some(hash) = &e.content_hash {
            line.push_str(&format!(" revision {}", hash.get(..16).unwrap_or(hash)));
        }
        if !e.detail.is_empty() {
            line.push_str(&format!(": {}", e.detail));
        }
        out.push_str(&line);
        out.push('\n');
        for header in e.headers.lines() {
            out.push_str(&format!("      {header}\n"));
        }
    }
    out
}
