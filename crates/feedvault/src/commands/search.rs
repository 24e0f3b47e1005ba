//! `feedvault search QUERY`: search the archive.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use feedvault_engine::{EngineError, Vault};
use feedvault_search::query::parse_day;
use feedvault_search::{Filters, Page, SearchError, Sort};

use crate::usage;

/// What `search` was asked.
pub struct SearchArgs<'a> {
    pub query: &'a str,
    pub json: bool,
    pub limit: usize,
    pub page: usize,
    pub feed: Option<String>,
    pub since: Option<&'a str>,
    pub until: Option<&'a str>,
    pub sort: &'a str,
}

pub fn run(vault: &Path, args: SearchArgs<'_>) -> Result<ExitCode> {
    let opened = Vault::open(vault)?;
    let day = |d: &str| parse_day(d).map_err(|e| usage!("{e}"));
    let filters = Filters {
        feed: args.feed,
        since: args.since.map(day).transpose()?,
        // --until is inclusive: everything before the next day.
        until: args.until.map(day).transpose()?.map(|d| d + chrono::Duration::days(1)),
    };
    let sort = match args.sort {
        "relevance" => Sort::Relevance,
        "date" => Sort::Date,
        other => return Err(usage!("unknown sort {other:?} (use relevance or date)")),
    };
    let page = Page { number: args.page.max(1), size: args.limit.max(1) };
    let results = match opened.search(args.query, &filters, page, sort) {
        Ok(results) => results,
        Err(EngineError::Search(SearchError::Query(err))) => return Err(usage!("{err}")),
        Err(err) => return Err(err.into()),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&results.hits)?);
        return Ok(ExitCode::SUCCESS);
    }
    let bold = std::io::stdout().is_terminal();
    for (i, hit) in results.hits.iter().enumerate() {
        let number = (page.number - 1) * page.size + i + 1;
        println!("{number}. {}", hit.title);
        println!("   {} · {} · {}", hit.published.as_deref().unwrap_or("undated"), hit.feed, hit.path);
        println!("   {}", terminal_snippet(&hit.snippet, bold));
        if !hit.link.is_empty() {
            println!("   {}", hit.link);
        }
    }
    let pages = results.total.div_ceil(page.size).max(1);
    if results.total_is_exact {
        println!("{} results (page {} of {pages})", results.total, page.number);
    } else {
        println!("more than {} results (page {})", results.total, page.number);
    }
    Ok(ExitCode::SUCCESS)
}

/// A snippet's HTML for a terminal: highlights in bold (or plain when piped).
fn terminal_snippet(html: &str, bold: bool) -> String {
    let (on, off) = if bold { ("\x1b[1m", "\x1b[0m") } else { ("", "") };
    let marked = html.replace("<b>", on).replace("</b>", off);
    feedvault_core::text::decode_entities(&marked)
}
