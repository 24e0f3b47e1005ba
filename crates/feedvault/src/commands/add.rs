//! `feedvault add URL [--name N] [--first]`: subscribe, finding the feed behind a web
//! page when the address is a page (within a short budget: an address that answers
//! slowly or not at all is subscribed as given, with one line saying so).

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use feedvault_engine::Vault;
use feedvault_engine::subscribe::{DISCOVERY_BUDGET, Discovery, discover};
use feedvault_fetch::Source;
use url::Url;

use crate::usage;

pub fn run(vault: &Path, url: &str, name: Option<&str>, first: bool) -> Result<ExitCode> {
    let opened = Vault::open(vault)?;
    let base_dir = std::env::current_dir()?;
    let (url, title) = match Source::parse(url, &base_dir).map_err(|e| usage!("{e}"))? {
        Source::Http(page) => {
            let options = opened.settings()?.fetch_options()?;
            choose(&page, discover(&options, &page, DISCOVERY_BUDGET), first)?
        }
        Source::File(_) => (url.to_owned(), None),
    };
    let feed = opened.subscribe(&url, name, title, &base_dir)?;
    println!("Subscribed {} to {}", feed.name, feed.url);
    Ok(ExitCode::SUCCESS)
}

/// The address to subscribe to, and its title, from what discovery found.
fn choose(page: &Url, found: Discovery, first: bool) -> Result<(String, Option<String>)> {
    match found {
        Discovery::Feed { url, title } => Ok((url, title)),
        Discovery::AsGiven { url, why } => {
            eprintln!("feedvault: could not look at {page} now ({why}); subscribing to it as given");
            Ok((url, None))
        }
        Discovery::Page { advertised, what } => {
            let choice = match advertised.as_slice() {
                [] => return Err(usage!("{page} is not a feed ({what}) and advertises none")),
                [only] => only.clone(),
                [first_feed, ..] if first => first_feed.clone(),
                several if std::io::stdin().is_terminal() => pick(page, several)?,
                several => {
                    return Err(usage!(
                        "{page} advertises {} feeds; add one of them, or use --first: {}",
                        several.len(),
                        several.join(" ")
                    ));
                }
            };
            println!("{page} is a page; it advertises {choice}");
            Ok((choice, None))
        }
    }
}

/// Asks which of several advertised feeds to subscribe to.
fn pick(page: &Url, feeds: &[String]) -> Result<String> {
    println!("{page} advertises these feeds:");
    for (i, feed) in feeds.iter().enumerate() {
        println!("  {}. {feed}", i + 1);
    }
    print!("Subscribe to which one? [1-{}] ", feeds.len());
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    let choice: usize = answer.trim().parse().map_err(|_| usage!("not a number: {:?}", answer.trim()))?;
    feeds.get(choice.wrapping_sub(1)).cloned().ok_or_else(|| usage!("no feed number {choice}"))
}
