//! `feedvault add URL [--name N]`: subscribe.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use feedvault_core::slug;
use feedvault_fetch::Source;

use crate::config::{Config, FeedEntry};
use crate::usage;

pub fn run(vault: &Path, url: &str, name: Option<&str>) -> Result<ExitCode> {
    let mut config = Config::load(vault)?;
    let entry = subscription(&config, url, name, None, &std::env::current_dir()?)?;
    println!("Subscribed {} to {}", entry.name, entry.url);
    config.add_feed(entry);
    config.save()?;
    Ok(ExitCode::SUCCESS)
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
    Ok(FeedEntry { name, url, title, timezone: None })
}
