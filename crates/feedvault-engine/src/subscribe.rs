//! Subscribing: finding the feed behind an address, and naming it.
//!
//! [`discover`] looks at what a web address serves, within a short total budget (a
//! server that answers one byte a second must not hang `add`): a feed is subscribed
//! as it is (its title the basis of its name); an HTML page is searched for the feeds
//! it advertises. [`plan`] checks a new subscription against the settings and picks
//! its name; the vault calls it again under the config lock, so two `add`s at once
//! never take the same name.

use std::path::Path;
use std::time::Duration;

use feedvault_core::slug;
use feedvault_feed::{FeedError, ParseOptions};
use feedvault_fetch::{FetchOptions, Fetched, Fetcher, Source, Validators};
use url::Url;

use crate::settings::{FeedSettings, Settings};
use crate::{EngineError, Result};

/// How long discovery may take in all before the address is subscribed as given.
pub const DISCOVERY_BUDGET: Duration = Duration::from_secs(10);

/// What an address turned out to serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Discovery {
    /// A feed, with its title when it has one.
    Feed { url: String, title: Option<String> },
    /// A page that advertises these feeds (possibly none).
    Page { advertised: Vec<String>, what: String },
    /// Nothing usable now (unreachable, too slow, not parseable): subscribe as given.
    AsGiven { url: String, why: String },
}

/// Looks at what `page` serves, within `budget`.
pub fn discover(options: &FetchOptions, page: &Url, budget: Duration) -> Discovery {
    let as_given = |why: String| Discovery::AsGiven { url: page.to_string(), why };
    let options = FetchOptions {
        total_timeout: budget.min(options.total_timeout),
        stall_timeout: budget.min(options.stall_timeout),
        connect_timeout: budget.min(options.connect_timeout),
        politeness: None,
        ..options.clone()
    };
    let fetcher = match Fetcher::new(options) {
        Ok(fetcher) => fetcher,
        Err(err) => return as_given(err.to_string()),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(err) => return as_given(err.to_string()),
    };
    let fetched = runtime.block_on(async {
        tokio::time::timeout(budget, fetcher.fetch(&Source::Http(page.clone()), &Validators::default())).await
    });
    let body = match fetched {
        Ok(Ok(Fetched::Body(body))) => body,
        Ok(Ok(Fetched::NotModified)) => return as_given("it answered 304 Not Modified".to_owned()),
        Ok(Err(err)) => return as_given(err.to_string()),
        Err(_) => return as_given(format!("it did not answer within {}s", budget.as_secs())),
    };
    let options = ParseOptions {
        url: Some(body.final_url.clone()),
        http_charset: body.charset,
        content_location: body.content_location,
        ..ParseOptions::default()
    };
    match feedvault_feed::parse(&body.bytes, &options) {
        Ok(feed) => Discovery::Feed { url: page.to_string(), title: Some(feed.title).filter(|t| !t.trim().is_empty()) },
        Err(FeedError::NotAFeed { advertised, what }) => Discovery::Page { advertised, what },
        Err(err) => as_given(format!("it does not parse as a feed now ({err})")),
    }
}

/// A new subscription checked against `settings`, with its name; a path is made an
/// absolute `file://` URL against `base_dir`.
pub fn plan(
    settings: &Settings,
    url: &str,
    name: Option<&str>,
    title: Option<String>,
    base_dir: &Path,
) -> Result<FeedSettings> {
    let source = match Source::parse(url, base_dir).map_err(EngineError::Usage)? {
        Source::File(path) if !path.is_file() => {
            return Err(EngineError::Usage(format!("{}: no such file", path.display())));
        }
        Source::File(path) => {
            Source::File(path.canonicalize().map_err(|source| EngineError::Io { path: path.clone(), source })?)
        }
        web => web,
    };
    let url = source.to_url_string();
    if let Some(existing) = settings.feeds.iter().find(|f| f.url == url) {
        return Err(EngineError::Usage(format!("already subscribed to {url} as {}", existing.name)));
    }
    let name = match name {
        Some(wanted) => {
            let wanted_slug = slug::words(wanted, 40);
            if wanted_slug.is_empty() {
                return Err(EngineError::Usage(format!(
                    "feed name {wanted:?} has no letters or digits a-z, 0-9 to make a folder name from"
                )));
            }
            if settings.feed(&wanted_slug).is_some() {
                return Err(EngineError::Usage(format!("a feed named {wanted_slug} already exists")));
            }
            wanted_slug
        }
        None => settings.free_name(&slug::feed_slug(title.as_deref(), &url)),
    };
    Ok(FeedSettings { name, url, title, ..FeedSettings::default() })
}

/// Adds a subscription to feedvault.toml under the config lock (the name decided
/// there, so concurrent subscriptions never collide).
pub fn add(
    root: &Path,
    url: &str,
    name: Option<&str>,
    title: Option<String>,
    base_dir: &Path,
    public_only: bool,
) -> Result<FeedSettings> {
    crate::config_file::edit(root, |doc, settings| {
        let feed = FeedSettings { public_only, ..plan(settings, url, name, title, base_dir)? };
        crate::config_file::add_feed(doc, &feed);
        Ok(feed)
    })
}

/// Removes a subscription (by name or URL) from feedvault.toml; returns its name.
pub fn remove(root: &Path, name_or_url: &str) -> Result<String> {
    crate::config_file::edit(root, |doc, settings| {
        let name = settings
            .feed(name_or_url)
            .map(|f| f.name.clone())
            .ok_or_else(|| EngineError::Usage(format!("no feed named or at {name_or_url:?} (see `feedvault list`)")))?;
        crate::config_file::remove_feed(doc, &name);
        Ok(name)
    })
}
