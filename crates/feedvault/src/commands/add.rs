//! `feedvault add URL [--name N] [--first]`: subscribe, finding the feed behind a web
//! page when the address is a page.

use std::path::Path;
use std::process::ExitCode;

use std::io::{IsTerminal, Write};

use anyhow::Result;
use feedvault_core::slug;
use feedvault_feed::{FeedError, ParseOptions};
use feedvault_fetch::{Fetched, Fetcher, Source, Validators};
use url::Url;

use crate::config::{Config, FeedEntry};
use crate::usage;

pub fn run(vault: &Path, url: &str, name: Option<&str>, first: bool) -> Result<ExitCode> {
    let mut config = Config::load(vault)?;
    let base_dir = std::env::current_dir()?;
    let (url, title) = match Source::parse(url, &base_dir).map_err(|e| usage!("{e}"))? {
        Source::Http(page) => discover(&config, &page, first)?,
        Source::File(_) => (url.to_owned(), None),
    };
    let entry = subscription(&config, &url, name, title, &base_dir)?;
    println!("Subscribed {} to {}", entry.name, entry.url);
    config.add_feed(entry);
    config.save()?;
    Ok(ExitCode::SUCCESS)
}

/// Looks at what a web address serves: a feed is subscribed as it is (with its title
/// for the name); an HTML page is searched for the feeds it advertises, and the one
/// the user picks (the first with `--first`, or the only one) is subscribed instead.
/// When the address cannot be reached now, it is subscribed as given.
fn discover(config: &Config, page: &Url, first: bool) -> Result<(String, Option<String>)> {
    let fetcher = Fetcher::new(super::cycle::fetch_options(config)?)?;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let body = match runtime.block_on(fetcher.fetch(&Source::Http(page.clone()), &Validators::default())) {
        Ok(Fetched::Body(body)) => body,
        Ok(Fetched::NotModified) | Err(_) => {
            eprintln!("feedvault: could not reach {page} now; subscribing to it as given");
            return Ok((page.to_string(), None));
        }
    };
    let options =
        ParseOptions { url: Some(body.final_url.clone()), http_charset: body.charset, ..ParseOptions::default() };
    match feedvault_feed::parse(&body.bytes, &options) {
        Ok(feed) => Ok((page.to_string(), Some(feed.title).filter(|t| !t.trim().is_empty()))),
        Err(FeedError::NotAFeed { advertised, what }) => {
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
        Err(err) => {
            eprintln!("feedvault: {page} does not parse as a feed now ({err}); subscribing to it as given");
            Ok((page.to_string(), None))
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

/// Checks a new subscription and picks its name; paths are made absolute file URLs
/// against `base_dir`.
pub fn subscription(
    config: &Config,
    url: &str,
    name: Option<&str>,
    title: Option<String>,
    base_dir: &Path,
) -> Result<FeedEntry> {
    let source = match Source::parse(url, base_dir).map_err(|e| usage!("{e}"))? {
        Source::File(path) if !path.is_file() => return Err(usage!("{}: no such file", path.display())),
        Source::File(path) => Source::File(path.canonicalize()?),
        web => web,
    };
    let url = source.to_url_string();
    if let Some(existing) = config.feeds.iter().find(|f| f.url == url) {
        return Err(usage!("already subscribed to {url} as {}", existing.name));
    }
    let name = match name {
        Some(wanted) => {
            let wanted_slug = slug::words(wanted, 40);
            if wanted_slug.is_empty() {
                return Err(usage!(
                    "feed name {wanted:?} has no letters or digits a-z, 0-9 to make a folder name from"
                ));
            }
            if config.feed(&wanted_slug).is_some() {
                return Err(usage!("a feed named {wanted_slug} already exists"));
            }
            wanted_slug
        }
        None => config.free_name(&slug::feed_slug(title.as_deref(), &url)),
    };
    Ok(FeedEntry { name, url, title, ..FeedEntry::default() })
}
